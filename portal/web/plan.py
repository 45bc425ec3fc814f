"""The pages of a plan built from its content (overview, treatments, calendar, care team, support, illness), and the
glossary, which needs no plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, make_response, redirect, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound

from portal import access
from portal.auth.views import current_user
from portal.plain.changes import change_sentences
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
from portal.plain.views.common import Lang, doc_lang
from portal.plain.views.glossary import find_item
from portal.plans.loader import LoadedPlan
from portal.plans.versions import latest_entry
from portal.pps.diff import diff
from portal.pps.errors import PpsError
from portal.store import StoreError
from portal.store.resources import DocumentEntry, PatientRecord
from portal.web import extensions, lastseen, recording, rendered
from portal.web.navigation import nav, page_lang, page_urls, search_query, today
from portal.web.state import state
from portal.web.viewing import Viewing, viewing_required

__all__ = ["PlanContext", "bp", "has_pdf", "init_app", "load_plan", "render_plan"]

bp = Blueprint("plan", __name__)


@dataclass(frozen=True)
class PlanContext:
    """Whose plan, the versions this viewer may list, and the current one read as they may see it (None: none
    shared yet)."""

    patient: PatientRecord
    documents: tuple[DocumentEntry, ...]
    loaded: LoadedPlan | None
    viewing: Viewing


def has_pdf(entry: DocumentEntry) -> bool:
    """Whether the store entry carries a PDF rendition besides (or instead of) the structured document."""
    return any((a.content_type or "").split(";")[0].strip().lower() == "application/pdf" for a in entry.attachments)


def load_plan(viewing: Viewing) -> PlanContext:
    """The current version of the plan `viewing` is about, read and built from what they were granted."""
    patient = viewing.grant.patient
    view = access.patient_view(extensions.store(viewing.store), patient, viewing.kind)
    try:
        loaded = extensions.plans(viewing.store).current(view.documents, patient)
    except PpsError:
        # The error page (portal.web.errors) says whether a PDF of this version exists.
        latest = latest_entry(view.documents)
        state().refused_plan_has_pdf = latest is not None and has_pdf(latest)
        raise
    if loaded is not None:
        recording.note(loaded.entry.id, loaded.plan.metadata.version)
        # A caregiver limited to some parts gets a plan built from those only: every view built from it follows.
        loaded = LoadedPlan(loaded.entry, access.plan_for(viewing.grant, loaded.plan))
    # The list of versions (dates, authors) belongs to the whole plan: not for a limited viewer.
    documents = () if viewing.grant.limited else view.documents
    return PlanContext(view.patient, documents, loaded, viewing)


Build = Callable[[Any, Lang, dt.date], Any]


def render_plan(viewing: Viewing, page: str, template: str, build: Build, **extra: Any) -> ResponseReturnValue:
    """Load the plan and render one page with its view model; the no-plan and PDF-only cases share a layout.
    The page this session was just shown is answered from memory while its store answers are fresh
    (portal.web.rendered.from_memory_first).

    Who is viewing (portal.web.viewing) → the current version they may see, built from what they were granted
    (portal.plans, portal.access) → its view model (portal.plain.views) → a template. Every page works without
    JavaScript; htmx only turns glossary links into a popover.
    """
    context = load_plan(viewing)
    lang = page_lang()
    plan = context.loaded.plan if context.loaded else None
    pdf_only = plan is not None and plan.is_pdf_only
    view = build(plan, lang, today()) if plan is not None and not pdf_only else None
    values = {key: value(context) if callable(value) else value for key, value in extra.items()}
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
        **values,
    )
    rendered.keep(html)
    return html


@rendered.from_memory_first
@viewing_required("overview")
def overview(viewing: Viewing) -> ResponseReturnValue:
    """`/` for a signed-in person (portal.web.pages.home): says what changed since their last visit."""
    return render_plan(
        viewing, "overview", "plan/overview.html", overview_view, new_since=lambda context: _new_since(context)
    )


def _new_since(context: PlanContext) -> dict[str, Any] | None:
    """What the overview's box says changed since the person's last visit: the link to the comparison, and the
    changes themselves when the version they saw can still be read (as they may see it)."""
    found = lastseen.new_since(context.viewing, context.documents)
    if found is None:
        return None
    told: dict[str, Any] = {"href": found.href}
    seen = next((e for e in context.documents if e.id == found.before), None)
    if seen is not None and context.loaded is not None:
        try:
            older = extensions.plans(context.viewing.store).load(seen, context.patient).plan
        except (StoreError, PpsError):
            return told  # the link still leads to what changed
        newer = context.loaded.plan
        lang = page_lang()
        told["changes"] = change_sentences(diff(access.plan_for(context.viewing.grant, older), newer), lang)
        document_lang = doc_lang(newer)
        told["detail_lang"] = None if document_lang == lang else document_lang
    return told


@bp.get("/treatments")
@rendered.from_memory_first
@viewing_required("treatments")
def treatments(viewing: Viewing) -> ResponseReturnValue:
    return render_plan(viewing, "treatments", "plan/treatments.html", treatments_view)


@bp.get("/calendar")
@rendered.from_memory_first
@viewing_required("calendar")
def calendar(viewing: Viewing) -> ResponseReturnValue:
    return render_plan(viewing, "calendar", "plan/calendar.html", calendar_view)


@bp.get("/care-team")
@rendered.from_memory_first
@viewing_required("contacts")
def contacts(viewing: Viewing) -> ResponseReturnValue:
    return render_plan(viewing, "contacts", "plan/contacts.html", lambda plan, lang, _day: contacts_view(plan, lang))


@bp.get("/support")
@rendered.from_memory_first
@viewing_required("support")
def support(viewing: Viewing) -> ResponseReturnValue:
    return render_plan(viewing, "support", "plan/support.html", support_view)


@bp.get("/illness")
@rendered.from_memory_first
@viewing_required("illness")
def illness(viewing: Viewing) -> ResponseReturnValue:
    return render_plan(viewing, "illness", "plan/illness.html", lambda plan, lang, _day: illness_view(plan, lang))


@bp.get("/glossary")
def glossary() -> ResponseReturnValue:
    """The glossary needs no plan and no sign-in: it holds no personal data."""
    lang = page_lang()
    query = search_query()
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
