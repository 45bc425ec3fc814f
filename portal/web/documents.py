"""The documents page and everything a person takes away: original files, the plan's PDF and print view, the
calendar file and the portable copy (web step of the data path). A patient whose own plans are in several regional
stores takes the calendar of all of them and a copy of every store's documents, each read from its own store."""

from __future__ import annotations

import contextvars
import dataclasses
import datetime as dt
import functools
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TypeVar

from flask import Blueprint, Flask, Response, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound

from portal import access
from portal.access import Grant
from portal.access.records import AccessRecord
from portal.access.visibility import Viewer, visible, visible_related
from portal.exports import files, ics, pdf, portability
from portal.exports.listing import document_rows
from portal.exports.pdf_pool import PdfBusy, PdfUnavailable
from portal.exports.printview import PrintStamp, render_print
from portal.plain.views.common import PARIS, Lang, format_day
from portal.plans.loader import LoadedPlan
from portal.pps.errors import PpsError
from portal.store import StoreDocumentTooLarge, StoreError, StoreIntegrityError, pdsm
from portal.store.resources import FHIR_ID, DocumentEntry, PatientRecord
from portal.web import calendar_add, extensions, recording
from portal.web.navigation import here, nav, page_lang, today
from portal.web.security import nonce
from portal.web.state import state
from portal.web.viewing import Viewing, now, viewing_required
from portal.web.voice import current_voice

bp = Blueprint("documents", __name__)
log = logging.getLogger("portal.web")

#: A PDF or an image opened from the portal's origin runs nothing and loads nothing (and is sandboxed).
SANDBOX_CSP = "default-src 'none'; sandbox"
#: The portable copy holds every visible file: at most this many times the single-document limit.
COPY_LIMIT_FACTOR = 20
#: Seconds a person (or a proxy) is told to wait when no PDF can be made now.
PDF_RETRY_AFTER_SECONDS = 60

T = TypeVar("T")


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
    return documents_of(viewing.grant)


def documents_of(grant: Grant) -> DocumentsContext:
    """The documents this grant lets its holder see, asked of the grant's store (`documents_for` of a viewing)."""
    patient = grant.patient
    kind = grant.viewer
    store = extensions.store(grant.store)
    pps = visible(kind, pdsm.pps_documents(store, patient.id))
    related = pdsm.related_documents(store, patient.id)
    shown = visible_related(kind, [(r.entry, r.referenced_by) for r in related], [e.id for e in pps])
    return DocumentsContext(kind, patient, pps, shown, grant)


# --- the patient's own plans in the other regional stores ---------------------------------------------------


def _elsewhere(viewing: Viewing, work: Callable[[Grant], T]) -> list[tuple[Grant, Future[T]]]:
    """`work` on each of the patient's own plans in the other stores, started on the app's pool while the page asks
    the viewed store (in this request's context: the same store deadline). Only the patient viewing their own plan
    takes their other plans along: a caregiver's or a coordinator's grant is for one plan."""
    if not viewing.is_patient:
        return []
    pool = extensions.pool()
    return [(grant, pool.submit(contextvars.copy_context().run, work, grant)) for grant in viewing.own_elsewhere]


def _cancel(started: Sequence[tuple[Grant, Future[T]]]) -> None:
    for _grant, future in started:
        future.cancel()


def _current_of(grant: Grant) -> LoadedPlan | None:
    """The current version of the plan of another store, as that store's patient may see it."""
    context = documents_of(grant)
    return extensions.plans(grant.store).current(context.pps, context.patient) if context.pps else None


def _record_elsewhere(viewing: Viewing, grant: Grant, document: str | None = None, version: int | None = None) -> None:
    """The access record of this export in another store whose documents it holds: each store keeps the records of
    its own documents (the patient's access page, the region's indicators). The viewed store's record is written by
    the response hook, as for every page."""
    page = state().recorded_page
    if page is None:
        return
    there = dataclasses.replace(viewing, grant=grant, own_elsewhere=())
    extensions.trail(grant.store).record(
        AccessRecord(
            actor=there.actor(extensions.settings().oidc_subject_system),
            patient_id=grant.patient.id,
            page=page,
            outcome="success",
            at=now(),
            on_behalf_of=there.on_behalf_of,
            document=document,
            version=None if version is None else str(version),
        )
    )


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
    # Made in the PDF processes (portal.exports.pdf_pool), once per version, language and day.
    body = extensions.pdf_pool().make(
        pdf.plan_pdf, loaded.plan, lang, portal_url=extensions.settings().public_url + "/", valid_on=today()
    )
    name = "mon-programme-de-soins.pdf" if lang == "fr" else "my-care-plan.pdf"
    return _download(body, "application/pdf", name)


def _read_elsewhere(started: Sequence[tuple[Grant, Future[LoadedPlan | None]]]) -> list[tuple[Grant, LoadedPlan]]:
    """The current plans read in the other stores. One that cannot be read now is left out of the calendar (and
    logged: the store's key and the error's kind only), never failing the viewed plan's calendar."""
    found: list[tuple[Grant, LoadedPlan]] = []
    for grant, future in started:
        try:
            loaded = future.result()
        except (StoreError, PpsError) as exc:
            log.warning("calendar file without the plan of store %s: %s", grant.store, type(exc).__name__)
            continue
        if loaded is not None:
            found.append((grant, loaded))
    return found


@bp.get("/documents/calendar.ics")
@viewing_required("calendar")
def calendar_file(viewing: Viewing) -> ResponseReturnValue:
    """The whole plan's calendar, or one event (`?event=<uid>`); names only with `?names=1`; a reminder that many
    minutes before each event with `?remind=` (one of portal.web.calendar_add.REMINDERS). The patient viewing their
    own plan gets the events of their current plan in every store that holds one, each with its plan's UIDs."""
    started = _elsewhere(viewing, _current_of)
    try:
        context = documents_for(viewing)
        loaded = _current_plan(context, None)
    except BaseException:
        _cancel(started)
        raise
    lang = page_lang()
    only = request.args.get("event") or None
    # Every plan built from what this viewer was granted only.
    others = [(grant, other, access.plan_for(grant, other.plan)) for grant, other in _read_elsewhere(started)]
    try:
        body = ics.plans_calendar_file(
            [access.plan_for(context.grant, loaded.plan), *(plan for _grant, _other, plan in others)],
            lang,
            show_names=request.args.get("names") == "1",
            only=only,
            portal_url=extensions.settings().public_url + "/",
            reminder=calendar_add.reminder(request.args.get("remind")),
            voice=current_voice(),
        )
    except KeyError:
        raise NotFound() from None
    for grant, other, plan in others:
        uids = {uid for _key, _moment, uid in ics.event_moments(plan)}
        if (only in uids) if only is not None else bool(uids):  # this store's plan is in the file
            _record_elsewhere(viewing, grant, other.entry.id, other.plan.metadata.version)
    name = "programme-de-soins.ics" if lang == "fr" else "care-plan.ics"
    return _download(body, "text/calendar", name)


@dataclass(frozen=True)
class _Part:
    """One store's part of a patient's copy: whose grant, the documents it shows and their checked files."""

    grant: Grant
    entries: tuple[DocumentEntry, ...]
    packed: list[portability.PackedFile]


def _store_part(grant: Grant, limit: int) -> _Part:
    """Another store's visible documents and their checked files (RefusedFile, StoreError: no part)."""
    context = documents_of(grant)
    store = extensions.store(grant.store)
    return _Part(grant, context.all, portability.fetch_files(store, context.all, limit, limit * COPY_LIMIT_FACTOR))


def _stores_copy(viewed: _Part, started: Sequence[tuple[Grant, Future[_Part]]], lang: Lang) -> bytes | files.Refusal:
    """The zip with one folder per store, named after its region in `lang`, the home store's first; or why there is
    none: when another store cannot give its part whole, the copy would be incomplete, so there is no copy."""
    parts = [viewed]
    for index, (grant, future) in enumerate(started):
        try:
            parts.append(future.result())
        except (files.RefusedFile, StoreError) as exc:
            _cancel(started[index + 1 :])
            log.warning("portable copy refused: store %s could not give its part whole", grant.store)
            return exc.reason if isinstance(exc, files.RefusedFile) else "incomplete"
    order = list(extensions.regions())
    parts.sort(key=lambda part: order.index(part.grant.store))
    folders = portability.folder_names([(p.grant.store, extensions.region(p.grant.store).label(lang)) for p in parts])
    copies = [portability.StoreCopy(f, p.entries, p.packed) for f, p in zip(folders, parts, strict=True)]
    return portability.stores_copy(copies, dt.datetime.now(PARIS))


@bp.get("/documents/copy.zip")
@viewing_required("documents")
def portable_copy(viewing: Viewing) -> ResponseReturnValue:
    """Every visible document's original files and a FHIR Bundle of their metadata. The patient viewing their own
    plan, with plans in several stores, gets one folder per store (each with that store's documents, its Bundle and
    its size limit); when any store cannot give its part whole, there is no copy at all, never an incomplete one."""
    limit = extensions.settings().document_max_bytes
    started = _elsewhere(viewing, functools.partial(_store_part, limit=limit))
    try:
        context = documents_for(viewing)
        packed = portability.fetch_files(extensions.store(viewing.store), context.all, limit, limit * COPY_LIMIT_FACTOR)
    except files.RefusedFile as exc:
        _cancel(started)
        return _refused(exc.reason)
    except BaseException:
        _cancel(started)
        raise
    lang = page_lang()
    if not started:
        body = portability.portable_copy(context.all, packed, dt.datetime.now(PARIS))
    else:
        made = _stores_copy(_Part(viewing.grant, context.all, packed), started, lang)
        if isinstance(made, str):
            return _refused(made)
        body = made
        for grant, _future in started:
            _record_elsewhere(viewing, grant)
    name = "mes-documents.zip" if lang == "fr" else "my-documents.zip"
    return _download(body, "application/zip", name)


def pdf_unavailable(exc: PdfUnavailable) -> ResponseReturnValue:
    """The PDF processes are all busy, or this PDF took too long: a plain page asking to try again in a minute (the
    plan's PDF and an RCP report's)."""
    log.warning("PDF not made: %s", "queue full" if isinstance(exc, PdfBusy) else "over its time limit")
    # The same PDF again: this page's path, and the version asked for when it is an id (never other text).
    version = request.args.get("version", "")
    retry = here() + (f"?version={version}" if FHIR_ID.fullmatch(version) else "")
    page = render_template("documents/pdf_busy.html", retry=retry)
    return page, 503, {"Retry-After": str(PDF_RETRY_AFTER_SECONDS)}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_error_handler(PdfUnavailable, pdf_unavailable)
