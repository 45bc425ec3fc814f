"""The plan pages of the signed-in patient: overview, treatments, calendar, care team, support, illness, glossary.

Web step of the data path: the signed-in person → their Patient (portal.access) → the current visible PPS
version (portal.plans.loader) → a view model (portal.plain.views) → a template. Every page works without
JavaScript; htmx only turns glossary links into a popover (`GET /glossary/<id>` with `HX-Request`).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import re
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, g, make_response, redirect, render_template, request, session
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from portal import access
from portal.auth.views import current_user, signed_in
from portal.plain.views import (
    Linker,
    calendar_view,
    contacts_view,
    glossary_page,
    illness_view,
    overview_view,
    support_view,
    treatments_view,
)
from portal.plain.views.common import PARIS, Lang
from portal.plain.views.glossary import find_item
from portal.plans.loader import LoadedPlan
from portal.plans.versions import latest_entry
from portal.pps.errors import PpsError
from portal.store import StoreError, pdsm
from portal.store.resources import DocumentEntry, PatientRecord
from portal.web import extensions, people, rendered
from portal.web import viewing as viewer
from portal.web.errors import NotShared
from portal.web.viewing import Viewing

bp = Blueprint("plan", __name__)
log = logging.getLogger("portal.web")

#: The plan pages in reading order: (key, path).
PAGES: tuple[tuple[str, str], ...] = (
    ("overview", "/"),
    ("treatments", "/treatments"),
    ("calendar", "/calendar"),
    ("contacts", "/care-team"),
    ("support", "/support"),
    ("illness", "/illness"),
    ("history", "/history"),  # the versions and what changed (portal.web.history)
    ("documents", "/documents"),  # originals, PDF, calendar, copy (portal.web.documents)
    ("glossary", "/glossary"),
)
PAGE_URLS: dict[str, str] = dict(PAGES)


@dataclass(frozen=True)
class PlanContext:
    """The signed-in patient, the versions they may see, and the current one read (None: none shared yet)."""

    patient: PatientRecord
    documents: tuple[DocumentEntry, ...]
    loaded: LoadedPlan | None
    #: Who is viewing, in which capacity (portal.web.viewing); None only for callers outside a request.
    viewing: Viewing | None = None


def page_lang() -> Lang:
    return "en" if str(get_locale()).startswith("en") else "fr"


def today() -> dt.date:
    """Today in France: what is "coming up" or "past" is decided in Europe/Paris."""
    return dt.datetime.now(PARIS).date()


def has_pdf(entry: DocumentEntry) -> bool:
    """Whether the store entry carries a PDF rendition besides (or instead of) the structured document."""
    return any((a.content_type or "").split(";")[0].strip().lower() == "application/pdf" for a in entry.attachments)


#: Store requests that need not wait for each other share these threads (a few per page at most).
STORE_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="portal-store")
#: The session key of the Patient id this session was shown last (a hint, never an authority).
PATIENT_HINT = "plan_patient_hint"
_FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


def _prefetch_documents(hint: object) -> tuple[str, Future[list[DocumentEntry]]] | None:
    """Start the PPS search of the patient this session saw last, while the Patient search runs.

    Who the person is, is still decided by that Patient search, on every page: the prefetched answer only warms
    the store cache, and it is used only when the search finds the same patient. So a cold page waits for two
    round trips one after the other (Patient and documents together, then the file) instead of three.
    """
    if not isinstance(hint, str) or not _FHIR_ID.fullmatch(hint):
        return None
    # In this request's context: the prefetch shares the page's store deadline (portal.store.scope).
    return hint, STORE_POOL.submit(contextvars.copy_context().run, pdsm.pps_documents, extensions.store(), hint)


def warm_up(_app: Flask, **_extra: Any) -> None:
    """Just signed in (portal.auth.views.signed_in): find whose plan this person will see, note it as the
    session's hint, and start asking for its documents while the browser follows the redirect. The first page
    then waits for two store round trips at most, like any later one (bench/roundtrips.py). Nothing here
    decides what is shown: the page asks again. A store that fails now only leaves the page to say so."""
    try:
        found = viewer.current()
    except (StoreError, ValueError) as exc:  # a sign-in never fails for a warm-up
        log.info("after sign-in, the store could not be asked yet: %s", type(exc).__name__)
        return
    if isinstance(found, Viewing):
        session[PATIENT_HINT] = found.patient_id
        _prefetch_documents(found.patient_id)


def plan_context() -> PlanContext | ResponseReturnValue:
    """The plan the signed-in person is viewing (portal.web.viewing: their own, a patient they help or represent, a
    coordinator's preview), or the page to show instead (start page, nobody linked, chooser)."""
    if current_user() is None:
        return redirect("/")
    prefetch = _prefetch_documents(session.get(PATIENT_HINT))
    viewing = viewer.require()
    if not isinstance(viewing, Viewing):
        session.pop(PATIENT_HINT, None)
        return viewing
    patient = viewing.grant.patient
    if prefetch is not None and prefetch[0] == patient.id:
        # Same request as patient_view's next one: once done, that one is answered by the cache.
        prefetch[1].exception()
    session[PATIENT_HINT] = patient.id
    view = access.patient_view(extensions.store(), patient, viewing.kind)
    loader = extensions.plans()
    try:
        loaded = loader.current(view.documents, patient)
    except PpsError:
        # The error page (portal.web.errors) says whether a PDF of this version exists.
        latest = latest_entry(view.documents)
        g.refused_plan_has_pdf = latest is not None and has_pdf(latest)
        raise
    if loaded is not None:
        people.note_document(loaded.entry.id, loaded.plan.metadata.version)
        # A caregiver limited to some parts gets a plan built from those only: every view built from it follows.
        loaded = LoadedPlan(loaded.entry, access.plan_for(viewing.grant, loaded.plan))
    # The list of versions (dates, authors) belongs to the whole plan: not for a limited viewer.
    documents = () if viewing.grant.limited else view.documents
    return PlanContext(view.patient, documents, loaded, viewing)


def page_names() -> dict[str, str]:
    """The short names of the plan pages in the contents list, in the page's language."""
    return {
        "overview": _("Overview"),
        "treatments": _("Treatments"),
        "calendar": _("Calendar"),
        "contacts": _("Contacts"),
        "support": _("Support"),
        "illness": _("Illness"),
        "history": _("Versions"),
        "documents": _("Documents"),
        "glossary": _("Glossary"),
        "access": _("Who has viewed my plan"),
    }


def nav(current: str) -> list[dict[str, Any]]:
    """The contents list between plan pages, the current one marked: the pages this viewer may see, and
    for the patient themself, the page of who has looked at their plan."""
    names = page_names()
    viewing = g.get("viewing")
    pages = [(key, path) for key, path in PAGES if not isinstance(viewing, Viewing) or viewing.shows(key)]
    if isinstance(viewing, Viewing) and viewing.is_patient:
        pages.append(("access", "/access-log"))
    return [{"key": key, "href": path, "text": names[key], "current": key == current} for key, path in pages]


def page_urls() -> dict[str, str]:
    """Where the links between plan pages lead: only the pages this viewer may see (templates link to a page
    only when it is here)."""
    viewing = g.get("viewing")
    if not isinstance(viewing, Viewing):
        return PAGE_URLS
    return {key: path for key, path in PAGE_URLS.items() if viewing.shows(key)}


def shared_pages() -> list[dict[str, str]]:
    """For a limited viewer: the pages of the plan shared with them, with their names (the not-shared page)."""
    names = page_names()
    return [{"href": path, "text": names[key]} for key, path in page_urls().items() if key != "glossary"]


def render_plan(page: str, template: str, build: Callable[[Any, Lang, dt.date], Any]) -> ResponseReturnValue:
    """Load the plan and render one page with its view model; the no-plan and PDF-only cases share a layout.
    The page this session was just shown is answered from memory while its store answers are fresh
    (portal.web.rendered)."""
    kept = rendered.from_memory()
    if kept is not None:
        return kept
    context = plan_context()
    if not isinstance(context, PlanContext):
        return context
    if context.viewing is not None and not context.viewing.shows(page):
        raise NotShared()  # a part of the plan not shared with this caregiver
    lang = page_lang()
    plan = context.loaded.plan if context.loaded else None
    pdf_only = plan is not None and plan.is_pdf_only
    view = build(plan, lang, today()) if plan is not None and not pdf_only else None
    html = render_template(
        template,
        page=page,
        nav=nav(page),
        urls=page_urls(),
        lang=lang,
        gloss=Linker(lang),
        ctx=context,
        plan=plan,
        entry=context.loaded.entry if context.loaded else None,
        pdf_only=pdf_only,
        # A PDF-only plan has no sections: its header (dates, authors) is all there is to show.
        summary=overview_view(plan, lang, today()) if plan is not None and pdf_only else None,
        view=view,
    )
    rendered.keep(html)
    return html


def overview() -> ResponseReturnValue:
    """`/` for a signed-in person (called by portal.web.pages.home)."""
    return render_plan("overview", "plan/overview.html", overview_view)


@bp.get("/treatments")
def treatments() -> ResponseReturnValue:
    return render_plan("treatments", "plan/treatments.html", treatments_view)


@bp.get("/calendar")
def calendar() -> ResponseReturnValue:
    return render_plan("calendar", "plan/calendar.html", calendar_view)


@bp.get("/care-team")
def contacts() -> ResponseReturnValue:
    return render_plan("contacts", "plan/contacts.html", lambda plan, lang, _today: contacts_view(plan, lang))


@bp.get("/support")
def support() -> ResponseReturnValue:
    return render_plan("support", "plan/support.html", support_view)


@bp.get("/illness")
def illness() -> ResponseReturnValue:
    return render_plan("illness", "plan/illness.html", lambda plan, lang, _today: illness_view(plan, lang))


@bp.get("/glossary")
def glossary() -> ResponseReturnValue:
    """The glossary needs no plan and no sign-in: it holds no personal data."""
    lang = page_lang()
    query = request.args.get("q", "")[:100]
    return render_template(
        "plan/glossary.html",
        page="glossary",
        nav=nav("glossary") if current_user() is not None else None,
        lang=lang,
        view=glossary_page(lang, query),
        anchor_prefix="",
        query=query,
    )


@bp.get("/glossary/<entry_id>")
def glossary_entry(entry_id: str) -> ResponseReturnValue:
    """With htmx: the one-entry fragment for the popover. Without: the glossary page at that entry."""
    item = find_item(entry_id, page_lang())
    if item is None:
        raise NotFound()
    response = (
        make_response(render_template("plan/parts/glossary_entry.html", item=item, popover=True))
        if request.headers.get("HX-Request") == "true"
        else redirect(f"/glossary#{item.id}")
    )
    # The same URL answers two ways: a shared cache must keep them apart.
    response.headers["Vary"] = "HX-Request"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    signed_in.connect(warm_up, app)
