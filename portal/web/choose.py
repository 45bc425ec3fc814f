"""Whose plan to open: the chooser (`/choose`), the coordinator's list and preview (`/preview`, `/preview/end`), the
page instead of a plan (`DetourNeeded`), and the banner saying whose plan is open."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Blueprint, Flask, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from portal import access
from portal.access import Grant
from portal.access.visibility import Viewer
from portal.plain.views.glossary import name_matches
from portal.store import StoreError
from portal.store.resources import DocumentEntry
from portal.web import extensions, viewing
from portal.web.navigation import page_lang, search_query
from portal.web.state import state
from portal.web.viewing import Detour, DetourNeeded

__all__ = ["bp", "init_app", "role_name"]

bp = Blueprint("choose", __name__)


def role_name(kind: Viewer) -> str:
    names: dict[Viewer, str] = {
        Viewer.PATIENT: _("Your own plan"),
        Viewer.CAREGIVER: _("Caregiver"),
        Viewer.REPRESENTATIVE: _("Legal representative"),
        Viewer.COORDINATOR_PREVIEW: _("Care coordinator"),
    }
    return names[kind]


@dataclass(frozen=True)
class PatientRow:
    """One line of the coordinator's list: the patient and the date of the latest plan they can see."""

    id: str
    name: str
    birth_date: dt.date | None
    latest_plan: dt.datetime | None
    #: The region whose store holds this patient's plan, when the portal reads several.
    region: str | None = None


@dataclass(frozen=True)
class ChoiceRow:
    """One plan the person may open ("My plans"): whose, in which capacity, from which region and establishment,
    and the date of its latest version they may see (None: none, or the store did not answer)."""

    grant: Grant
    region: str | None
    custodian: str | None
    latest_plan: dt.datetime | None


def region_label(key: str) -> str | None:
    """The public name of the region whose store this is, when the portal reads several stores (else None)."""
    known = extensions.regions()
    if len(known) < 2:
        return None
    return known[key].label(page_lang()) or key


def _shown(grants: list[Grant], viewer: Viewer | None = None) -> list[tuple[DocumentEntry, ...]]:
    """The PPS versions each grant's viewer (or `viewer`) sees, every store asked at once: the search the plan's
    pages make (access.patient_view), so the plan chosen next finds it cached. None of them for a store that fails:
    a list is still shown, without dates."""

    def versions(grant: Grant) -> tuple[DocumentEntry, ...]:
        return access.patient_view(extensions.store(grant.store), grant.patient, viewer or grant.viewer).documents

    return extensions.ask_each(versions, grants, ())


def _choices(grants: tuple[Grant, ...]) -> list[ChoiceRow]:
    # Dates and authors of versions belong to the whole plan: not shown to someone it is partly shared with.
    full = [g for g in grants if not g.limited]
    shown = dict(zip((g.key for g in full), _shown(full), strict=True))
    rows = []
    for grant in grants:
        current = [e for e in shown.get(grant.key, ()) if e.status == "current"]
        latest = max(current, key=lambda e: e.date.timestamp() if e.date else 0.0, default=None)
        rows.append(
            ChoiceRow(
                grant,
                region_label(grant.store),
                latest.custodian_display if latest else None,
                latest.date if latest else None,
            )
        )
    return rows


def no_patient() -> ResponseReturnValue:
    return render_template("no_patient.html", contact=extensions.settings().help_contact)


def detour(exc: DetourNeeded) -> ResponseReturnValue:
    """The page instead of a plan: the start page when signed out, the plain "nothing linked" page, and at `/`
    only, the chooser or the coordinator's list (elsewhere: back to `/`)."""
    who = viewing.person()
    if exc.detour is Detour.SIGN_IN or who is None:
        return redirect("/")
    if exc.detour is Detour.NOBODY:
        return no_patient()
    if request.path != "/":
        return redirect("/")
    if exc.detour is Detour.HOME:
        return coordinator_home(viewing.grants(who))
    return _chooser(viewing.grants(who), None)


def _chooser(grants: tuple[Grant, ...], chosen: str | None) -> ResponseReturnValue:
    rows = _choices(grants)
    return render_template("people/choose.html", rows=rows, chosen=chosen, role_name=role_name)


def coordinator_home(grants: tuple[Grant, ...]) -> ResponseReturnValue:
    # The search field filters on the server, so it works without JavaScript.
    query = search_query()
    found = [g for g in grants if not query.strip() or name_matches(g.patient.display_name, query)]
    rows = []
    for grant, shared in zip(found, _shown(found, Viewer.PATIENT), strict=True):
        dates = [e.date for e in shared if e.date is not None]
        rows.append(
            PatientRow(
                grant.key,
                grant.patient.display_name,
                grant.patient.birth_date,
                max(dates, default=None),
                region_label(grant.store),
            )
        )
    return render_template("people/coordinator_home.html", rows=rows, query=query, total=len(grants))


@bp.get("/choose")
def chooser() -> ResponseReturnValue:
    who = viewing.person()
    if who is None or who.professional:
        return redirect("/")
    found = viewing.current()
    chosen = found.grant.key if isinstance(found, viewing.Viewing) else None
    grants = viewing.grants(who)
    if not grants:
        return no_patient()
    return _chooser(grants, chosen)


@bp.post("/choose")
def choose() -> ResponseReturnValue:
    who = viewing.person()
    if who is None:
        return redirect("/")
    if who.professional or viewing.choose(request.form.get("patient", "")[:100]) is None:
        raise NotFound()  # not theirs to see, or no such patient: the same answer
    return redirect("/")


@bp.post("/preview")
def start_preview() -> ResponseReturnValue:
    who = viewing.person()
    if who is None:
        return redirect("/")
    if not who.professional or viewing.choose(request.form.get("patient", "")[:100]) is None:
        raise NotFound()  # not theirs to preview, or no such patient: the same answer
    return redirect("/")


@bp.post("/preview/end")
def end_preview() -> ResponseReturnValue:
    viewing.forget()
    return redirect("/")


def _banner() -> dict[str, object]:
    """Whose plan is open and in which role, for the banner of every page (none for a patient on their own)."""
    current = state()
    found = current.viewing
    if found is None and viewing.person() is not None and not current.banner_failed:
        # A page outside the plan (glossary, legal pages): the banner still says whose plan is open.
        try:
            resolved = viewing.current()
        except StoreError:
            current.banner_failed = True  # an error page is being shown: no second try, no banner
            resolved = Detour.SIGN_IN
        found = resolved if isinstance(resolved, viewing.Viewing) else None
    down = [region_label(key) or key for key in current.regions_down]
    if found is None or (found.is_patient and found.choices < 2):
        return {"viewing_banner": None, "regions_down": down}
    return {
        "viewing_banner": found,
        "viewing_role": role_name(found.kind),
        "viewing_region": region_label(found.store) if found.own_elsewhere else None,
        "elsewhere_regions": [region_label(g.store) or g.store for g in found.own_elsewhere],
        "regions_down": down,
    }


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_error_handler(DetourNeeded, detour)
    app.context_processor(_banner)
