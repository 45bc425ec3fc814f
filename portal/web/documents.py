"""The documents page and everything a person takes away: original files, the plan's PDF and print view, the
calendar file and the portable copy (web step of the data path).

Every route starts from the same `DocumentsContext`: the signed-in person → their Patient → the PPS versions
and related documents the store holds → `portal.access.visibility` for this kind of viewer. A document outside that
context — hidden or missing alike — answers the same 404 page, without asking the store about it.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from flask import Blueprint, Flask, Response, g, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from werkzeug.exceptions import NotFound

from portal import access
from portal.access import Grant
from portal.access.visibility import Viewer, visible, visible_related
from portal.auth.views import current_user
from portal.exports import files, ics, pdf, portability
from portal.exports.listing import document_rows
from portal.exports.printview import PrintStamp, render_print
from portal.plain.views.common import PARIS, Lang, format_day
from portal.plans.loader import LoadedPlan
from portal.pps.errors import PpsError
from portal.store import StoreDocumentTooLarge, StoreIntegrityError, pdsm
from portal.store.resources import DocumentEntry, PatientRecord
from portal.web import calendar_add, extensions, people, plan
from portal.web import viewing as viewer
from portal.web.errors import NotShared
from portal.web.security import nonce
from portal.web.viewing import Viewing

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
    """What the viewer may see of one patient's documents: PPS versions (newest first) and related ones."""

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


def page_lang() -> Lang:
    return "en" if str(get_locale()).startswith("en") else "fr"


def today() -> dt.date:
    return dt.datetime.now(PARIS).date()


def current_viewer() -> Viewer:
    """The kind of viewer of this request (portal.web.viewing): patient, caregiver, legal representative or a
    coordinator's preview. Every route below follows it."""
    found = g.get("viewing")
    return found.kind if isinstance(found, Viewing) else Viewer.PATIENT


def documents_context(page: str = "documents") -> DocumentsContext | ResponseReturnValue:
    """The viewer's documents, or the page to show instead (start page, nobody linked, chooser).

    `page` is the part of the plan the route belongs to: a caregiver limited to some parts never gets the
    documents (they hold the whole plan), and gets the calendar file only when the calendar is shared."""
    if current_user() is None:
        return redirect("/")
    viewing = viewer.require()
    if not isinstance(viewing, Viewing):
        return viewing
    if not viewing.shows(page):
        raise NotShared()
    patient = viewing.grant.patient
    kind = viewing.kind
    pps = visible(kind, pdsm.pps_documents(extensions.store(), patient.id))
    related = pdsm.related_documents(extensions.store(), patient.id)
    shown = visible_related(kind, [(r.entry, r.referenced_by) for r in related], [e.id for e in pps])
    return DocumentsContext(kind, patient, pps, shown, viewing.grant)


def _current_plan(context: DocumentsContext, version: str | None) -> LoadedPlan:
    """The version asked for (by DocumentReference id) or the current one; 404 when it is not visible."""
    loader = extensions.plans()
    if version:
        entry = next((e for e in context.pps if e.id == version), None)
        if entry is None:
            people.note_refused(version[:128])
            raise NotFound()
        asked = loader.load(entry, context.patient)
        people.note_document(entry.id, asked.plan.metadata.version)
        return asked
    loaded = loader.current(context.pps, context.patient)
    if loaded is None:
        raise NotFound()
    people.note_document(loaded.entry.id, loaded.plan.metadata.version)
    return loaded


def _download(body: bytes, media_type: str, filename: str, *, inline: bool = False) -> Response:
    response = Response(files.chunks(body), mimetype=media_type, direct_passthrough=True)
    response.headers["Content-Length"] = str(len(body))
    response.headers["Content-Disposition"] = files.content_disposition("inline" if inline else "attachment", filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    if inline:
        g.document_csp = SANDBOX_CSP
    return response


def _refused(reason: files.Refusal) -> ResponseReturnValue:
    # The reason only: no ids, names or titles (a log line must hold no health data).
    log.warning("document refused reason=%s", reason)
    return render_template("documents/refused.html", reason=reason), 503 if reason == "incomplete" else 502


@bp.get("/documents")
def index() -> ResponseReturnValue:
    context = documents_context()
    if not isinstance(context, DocumentsContext):
        return context
    lang = page_lang()
    loader = extensions.plans()
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
        nav=plan.nav("documents"),
        rows=document_rows(context.pps, context.related, lang),
        has_plan=has_plan,
        has_documents=bool(context.all),
        events=events,
    )


@bp.get("/documents/<doc_id>/<int:number>")
def download(doc_id: str, number: int) -> ResponseReturnValue:
    """One file of a visible document, checked whole before its first byte is sent."""
    context = documents_context()
    if not isinstance(context, DocumentsContext):
        return context
    entry = context.find(doc_id)
    if entry is None or not 1 <= number <= len(entry.attachments) or not entry.attachments[number - 1].url:
        people.note_refused(doc_id)
        raise NotFound()  # hidden or missing: the same answer
    attachment = entry.attachments[number - 1]
    try:
        checked = files.checked_file(
            extensions.store(), attachment, extensions.settings().document_max_bytes, attachment.title or entry.title
        )
    except files.RefusedFile as exc:
        return _refused(exc.reason)
    inline = checked.inline_allowed and request.args.get("download") != "1"
    return _download(checked.data, checked.media_type, checked.filename, inline=inline)


@bp.get("/documents/print")
def print_view() -> ResponseReturnValue:
    """The plan as one page to print (the same page the PDF is made from)."""
    context = documents_context()
    if not isinstance(context, DocumentsContext):
        return context
    loaded = _current_plan(context, request.args.get("version"))
    stamp = PrintStamp(today(), extensions.settings().public_url + "/")
    html = render_print(
        loaded.plan, page_lang(), stamp, stylesheet="/static/css/print.css", script="/static/js/print.js", nonce=nonce()
    )
    return Response(html, mimetype="text/html")


@bp.get("/documents/plan.pdf")
def plan_pdf() -> ResponseReturnValue:
    context = documents_context()
    if not isinstance(context, DocumentsContext):
        return context
    lang = page_lang()
    loaded = _current_plan(context, request.args.get("version"))
    body = pdf.plan_pdf(loaded.plan, lang, portal_url=extensions.settings().public_url + "/", valid_on=today())
    name = "mon-programme-de-soins.pdf" if lang == "fr" else "my-care-plan.pdf"
    return _download(body, "application/pdf", name)


@bp.get("/documents/calendar.ics")
def calendar() -> ResponseReturnValue:
    """The whole plan's calendar, or one event (`?event=<uid>`); names only with `?names=1`; a reminder that many
    minutes before each event with `?remind=` (one of portal.web.calendar_add.REMINDERS)."""
    context = documents_context("calendar")
    if not isinstance(context, DocumentsContext):
        return context
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
        )
    except KeyError:
        raise NotFound() from None
    name = "programme-de-soins.ics" if lang == "fr" else "care-plan.ics"
    return _download(body, "text/calendar", name)


@bp.get("/documents/copy.zip")
def portable_copy() -> ResponseReturnValue:
    """Every visible document's original files and a FHIR Bundle of their metadata."""
    context = documents_context()
    if not isinstance(context, DocumentsContext):
        return context
    limit = extensions.settings().document_max_bytes
    try:
        packed = portability.fetch_files(extensions.store(), context.all, limit, limit * COPY_LIMIT_FACTOR)
    except files.RefusedFile as exc:
        return _refused(exc.reason)
    body = portability.portable_copy(context.all, packed, dt.datetime.now(PARIS))
    name = "mes-documents.zip" if page_lang() == "fr" else "my-documents.zip"
    return _download(body, "application/zip", name)


def init_app(app: Flask) -> None:
    """Register the routes. Call before `portal.web.security.init_app`: this hook must run after the
    security headers are written, to narrow the CSP of a document shown inline to a sandbox."""
    app.register_blueprint(bp)

    @app.after_request
    def sandbox_documents(response: Response) -> Response:
        csp = getattr(g, "document_csp", None)
        if csp:
            response.headers["Content-Security-Policy"] = csp
        return response
