"""The documents page and everything a person takes away: original files, the plan's PDF and print view, the
calendar file and the portable copy (web step of the data path)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from flask import Blueprint, Flask, Response, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound

from portal import access
from portal.access import Grant
from portal.access.visibility import Viewer, visible, visible_related
from portal.exports import files, ics, pdf, portability
from portal.exports.listing import document_rows
from portal.exports.printview import PrintStamp, render_print
from portal.plain.views.common import PARIS, format_day
from portal.plans.loader import LoadedPlan
from portal.pps.errors import PpsError
from portal.store import StoreDocumentTooLarge, StoreIntegrityError, pdsm
from portal.store.resources import DocumentEntry, PatientRecord
from portal.web import calendar_add, extensions, recording
from portal.web.navigation import nav, page_lang, today
from portal.web.security import nonce
from portal.web.state import state
from portal.web.viewing import Viewing, viewing_required
from portal.web.voice import current_voice

bp = Blueprint("documents", __name__)
log = logging.getLogger("portal.web")

#: A PDF or an image opened from the portal's origin runs nothing and loads nothing (and is sandboxed).
SANDBOX_CSP = "default-src 'none'; sandbox"
#: The portable copy holds every visible file: at most this many times the single-document limit.
COPY_LIMIT_FACTOR = 20


@dataclass(frozen=True)
class EventLink:
    """A coming appointment the page offers to add alone to a calendar."""

    uid: str
    day: str
    name: str
    place: str | None


@dataclass(frozen=True)
class DocumentsContext:
    """What the viewer may see of one patient's documents: PPS versions (newest first) and related ones.

    Every route starts from it: the signed-in person → their Patient → the PPS versions and related documents the
    store holds → `portal.access.visibility` for this kind of viewer. A document outside it — hidden or missing
    alike — answers the same 404 page, without asking the store about it.
    """

    viewer: Viewer
    patient: PatientRecord
    pps: tuple[DocumentEntry, ...]
    related: tuple[DocumentEntry, ...]
    #: What the viewer was granted (portal.access): files built from the plan are built from it.
    grant: Grant

    @property
    def all(self) -> tuple[DocumentEntry, ...]:
        return (*self.pps, *self.related)

    def find(self, doc_id: str) -> DocumentEntry | None:
        return next((e for e in self.all if e.id == doc_id), None)


def documents_for(viewing: Viewing) -> DocumentsContext:
    """The documents `viewing` may see: the PPS versions and the related documents, by the visibility rule of
    their kind of viewer."""
    patient = viewing.grant.patient
    kind = viewing.kind
    store = extensions.store(viewing.store)
    pps = visible(kind, pdsm.pps_documents(store, patient.id))
    related = pdsm.related_documents(store, patient.id)
    shown = visible_related(kind, [(r.entry, r.referenced_by) for r in related], [e.id for e in pps])
    return DocumentsContext(kind, patient, pps, shown, viewing.grant)


def _current_plan(context: DocumentsContext, version: str | None) -> LoadedPlan:
    """The version asked for (by DocumentReference id) or the current one; 404 when it is not visible."""
    loader = extensions.plans(context.grant.store)
    if version:
        entry = next((e for e in context.pps if e.id == version), None)
        if entry is None:
            recording.note_refused(version[:128])
            raise NotFound()
        asked = loader.load(entry, context.patient)
        recording.note(entry.id, asked.plan.metadata.version)
        return asked
    loaded = loader.current(context.pps, context.patient)
    if loaded is None:
        raise NotFound()
    recording.note(loaded.entry.id, loaded.plan.metadata.version)
    return loaded


def _download(body: bytes, media_type: str, filename: str, *, inline: bool = False) -> Response:
    response = Response(files.chunks(body), mimetype=media_type, direct_passthrough=True)
    response.headers["Content-Length"] = str(len(body))
    response.headers["Content-Disposition"] = files.content_disposition("inline" if inline else "attachment", filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    if inline:
        state().document_csp = SANDBOX_CSP
    return response


def _refused(reason: files.Refusal) -> ResponseReturnValue:
    # The reason only: no ids, names or titles (a log line must hold no health data).
    log.warning("document refused reason=%s", reason)
    return render_template("documents/refused.html", reason=reason), 503 if reason == "incomplete" else 502


@bp.get("/documents")
@viewing_required("documents")
def index(viewing: Viewing) -> ResponseReturnValue:
    context = documents_for(viewing)
    lang = page_lang()
    loader = extensions.plans(viewing.store)
    events: list[EventLink] = []
    has_plan = False
    try:
        current = loader.current(context.pps, context.patient) if context.pps else None
    except (PpsError, StoreIntegrityError, StoreDocumentTooLarge):
        # The plan cannot be read: no generated copy, but its files are listed (the PDF may be all there is).
        log.warning("documents page without the plan's copies: the current version cannot be read")
        current = None
    if current is not None and not current.plan.is_pdf_only:
        has_plan = True
        events = [
            EventLink(e.uid, format_day(e.day, lang), ics.event_title(e, lang, show_names=True), e.place)
            for e in ics.planned_events(current.plan, lang)
            if e.day >= today()
        ]
    return render_template(
        "documents/index.html",
        nav=nav("documents"),
        rows=document_rows(context.pps, context.related, lang),
        has_plan=has_plan,
        has_documents=bool(context.all),
        events=events,
    )


@bp.get("/documents/<doc_id>/<int:number>")
@viewing_required("documents")
def download(viewing: Viewing, doc_id: str, number: int) -> ResponseReturnValue:
    """One file of a visible document, checked whole before its first byte is sent."""
    context = documents_for(viewing)
    entry = context.find(doc_id)
    if entry is None or not 1 <= number <= len(entry.attachments) or not entry.attachments[number - 1].url:
        recording.note_refused(doc_id)
        raise NotFound()  # hidden or missing: the same answer
    attachment = entry.attachments[number - 1]
    try:
        checked = files.checked_file(
            extensions.store(viewing.store),
            attachment,
            extensions.settings().document_max_bytes,
            attachment.title or entry.title,
        )
    except files.RefusedFile as exc:
        return _refused(exc.reason)
    inline = checked.inline_allowed and request.args.get("download") != "1"
    return _download(checked.data, checked.media_type, checked.filename, inline=inline)


@bp.get("/documents/print")
@viewing_required("documents")
def print_view(viewing: Viewing) -> ResponseReturnValue:
    """The plan as one page to print (the same page the PDF is made from)."""
    context = documents_for(viewing)
    loaded = _current_plan(context, request.args.get("version"))
    stamp = PrintStamp(today(), extensions.settings().public_url + "/")
    html = render_print(
        loaded.plan, page_lang(), stamp, stylesheet="/static/css/print.css", script="/static/js/print.js", nonce=nonce()
    )
    return Response(html, mimetype="text/html")


@bp.get("/documents/plan.pdf")
@viewing_required("documents")
def plan_pdf(viewing: Viewing) -> ResponseReturnValue:
    context = documents_for(viewing)
    lang = page_lang()
    loaded = _current_plan(context, request.args.get("version"))
    body = pdf.plan_pdf(loaded.plan, lang, portal_url=extensions.settings().public_url + "/", valid_on=today())
    name = "mon-programme-de-soins.pdf" if lang == "fr" else "my-care-plan.pdf"
    return _download(body, "application/pdf", name)


@bp.get("/documents/calendar.ics")
@viewing_required("calendar")
def calendar_file(viewing: Viewing) -> ResponseReturnValue:
    """The whole plan's calendar, or one event (`?event=<uid>`); names only with `?names=1`; a reminder that many
    minutes before each event with `?remind=` (one of portal.web.calendar_add.REMINDERS)."""
    context = documents_for(viewing)
    lang = page_lang()
    loaded = _current_plan(context, None)
    try:
        body = ics.calendar_file(
            # Built from what this viewer was granted only.
            access.plan_for(context.grant, loaded.plan),
            lang,
            show_names=request.args.get("names") == "1",
            only=request.args.get("event") or None,
            portal_url=extensions.settings().public_url + "/",
            reminder=calendar_add.reminder(request.args.get("remind")),
            voice=current_voice(),
        )
    except KeyError:
        raise NotFound() from None
    name = "programme-de-soins.ics" if lang == "fr" else "care-plan.ics"
    return _download(body, "text/calendar", name)


@bp.get("/documents/copy.zip")
@viewing_required("documents")
def portable_copy(viewing: Viewing) -> ResponseReturnValue:
    """Every visible document's original files and a FHIR Bundle of their metadata."""
    context = documents_for(viewing)
    limit = extensions.settings().document_max_bytes
    try:
        packed = portability.fetch_files(extensions.store(viewing.store), context.all, limit, limit * COPY_LIMIT_FACTOR)
    except files.RefusedFile as exc:
        return _refused(exc.reason)
    body = portability.portable_copy(context.all, packed, dt.datetime.now(PARIS))
    name = "mes-documents.zip" if page_lang() == "fr" else "my-documents.zip"
    return _download(body, "application/zip", name)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
