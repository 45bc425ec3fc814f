"""The people around a plan (web step of the data path, on top of `portal.web.viewing`): the chooser of a person
who may see several patients, the coordinator's list of patients and the start and end of a preview, the
banner that says whose plan this is and in which role, the patient's "who looked at my plan" page, and the
hook that records every view of care-plan content in the access log (`portal.access.trail`).

Routes: `GET /choose` and `POST /choose`, `POST /preview`, `POST /preview/end`, `GET /access-log`.
A patient a person may not see answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass

from flask import Blueprint, Flask, Response, current_app, g, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from portal.access import Grant
from portal.access.records import AccessRecord, Outcome
from portal.access.trail import AuditTrail
from portal.access.visibility import Viewer, visible
from portal.plain.views.common import PARIS
from portal.plain.views.glossary import name_matches
from portal.settings import Settings
from portal.store import StoreError, pdsm
from portal.store.resources import AccessEntry
from portal.web import extensions
from portal.web import viewing as viewer

__all__ = ["bp", "init_app", "landing", "note_document"]

bp = Blueprint("people", __name__)
#: The shape of a FHIR id: anything else a URL carries is not recorded as given.
FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
log = logging.getLogger("portal.web")

#: Endpoints that show care-plan content or a document: each request to them is an access record.
#: (The chooser, the coordinator's list and the access page show names only.)
RECORDED = frozenset(
    {
        "pages.home",
        "plan.treatments",
        "plan.calendar",
        "plan.contacts",
        "plan.support",
        "plan.illness",
        "history.history",
        "history.version",
        "history.compare",
        "documents.index",
        "documents.download",
        "documents.print_view",
        "documents.plan_pdf",
        "documents.calendar",
        "calendar_add.add",
        "rcp.report",
        "rcp.report_pdf",
        "documents.portable_copy",
    }
)


def role_name(kind: Viewer) -> str:
    names: dict[Viewer, str] = {
        Viewer.PATIENT: _("Your own plan"),
        Viewer.CAREGIVER: _("Caregiver"),
        Viewer.REPRESENTATIVE: _("Legal representative"),
        Viewer.COORDINATOR_PREVIEW: _("Care coordinator"),
    }
    return names[kind]


# --- the page instead of a plan: chooser, coordinator's list -------------------------------------------------


@dataclass(frozen=True)
class PatientRow:
    """One line of the coordinator's list: the patient and the date of the latest plan they can see."""

    id: str
    name: str
    birth_date: dt.date | None
    latest_plan: dt.datetime | None


def landing(detour: viewer.Detour) -> ResponseReturnValue:
    """`/` for a person with several patients (chooser) or a coordinator not previewing (their list)."""
    person = viewer.signed_in()
    if person is None:
        return redirect("/")
    if detour is viewer.Detour.HOME:
        return coordinator_home(viewer.grants(person))
    return render_template("people/choose.html", grants=viewer.grants(person), chosen=None, role_name=role_name)


def coordinator_home(grants: tuple[Grant, ...]) -> ResponseReturnValue:
    # The search field filters on the server, so it works without JavaScript.
    query = request.args.get("q", "")[:100]
    found = [g for g in grants if not query.strip() or name_matches(g.patient.display_name, query)]
    rows = []
    for grant in found:
        shared = visible(Viewer.PATIENT, pdsm.pps_documents(extensions.store(), grant.patient.id))
        dates = [e.date for e in shared if e.date is not None]
        rows.append(
            PatientRow(grant.patient.id, grant.patient.display_name, grant.patient.birth_date, max(dates, default=None))
        )
    return render_template("people/coordinator_home.html", rows=rows, query=query, total=len(grants))


@bp.get("/choose")
def chooser() -> ResponseReturnValue:
    person = viewer.signed_in()
    if person is None or person.professional:
        return redirect("/")
    found = viewer.current()
    chosen = found.patient_id if isinstance(found, viewer.Viewing) else None
    grants = viewer.grants(person)
    if not grants:
        return render_template("no_patient.html", contact=extensions.settings().help_contact)
    return render_template("people/choose.html", grants=grants, chosen=chosen, role_name=role_name)


@bp.post("/choose")
def choose() -> ResponseReturnValue:
    person = viewer.signed_in()
    if person is None:
        return redirect("/")
    if person.professional or viewer.choose(request.form.get("patient", "")[:64]) is None:
        raise NotFound()  # not theirs to see, or no such patient: the same answer
    return redirect("/")


@bp.post("/preview")
def start_preview() -> ResponseReturnValue:
    person = viewer.signed_in()
    if person is None:
        return redirect("/")
    if not person.professional or viewer.choose(request.form.get("patient", "")[:64]) is None:
        raise NotFound()
    return redirect("/")


@bp.post("/preview/end")
def end_preview() -> ResponseReturnValue:
    viewer.forget()
    return redirect("/")


# --- "who has looked at my care plan" -------------------------------------------------------------------------


@dataclass(frozen=True)
class AccessRow:
    when: dt.datetime | None
    role: str
    name: str


@bp.get("/access-log")
def access_log() -> ResponseReturnValue:
    found = viewer.require()
    if not isinstance(found, viewer.Viewing):
        return found
    if not found.is_patient:
        raise NotFound()  # the patient's own page: nobody else's to read
    roles = {
        "caregiver": _("Caregiver"),
        "representative": _("Legal representative"),
        "coordinator": _("Care coordinator"),
    }
    rows = [
        AccessRow(
            entry.recorded.astimezone(PARIS) if entry.recorded else None,
            roles.get(entry.role or "", _("Someone else")),
            entry.actor_name or _("Name not given"),
        )
        for entry in _others(pdsm.access_entries(extensions.store(), found.patient_id))
    ]
    from portal.web import plan  # the plan pages' navigation; plan imports this module's neighbours

    return render_template("people/access_log.html", rows=rows, nav=plan.nav("access"))


def _others(entries: list[AccessEntry]) -> list[AccessEntry]:
    """Views by other people only, that succeeded (the patient's own views are theirs to remember)."""
    return [e for e in entries if e.success and e.role != "patient"]


# --- the banner and the access record, on every page -------------------------------------------------------


def note_document(document: str | None, version: int | str | None = None, *, compared_with: str | None = None) -> None:
    """Say which document (DocumentReference id) and version this page shows, for its access record; on the
    compare page, also the other version shown."""
    g.access_document = document
    g.access_version = None if version is None else str(version)
    g.access_compared_with = compared_with


def note_refused(asked: str) -> None:
    """Say which document id this request asked for and was refused (missing, hidden, another patient's): the
    access record keeps it, as text. An id that is not even shaped like one is recorded as such."""
    note_document(asked if FHIR_ID.fullmatch(asked) else "not-an-id")
    g.access_refused = True


def _banner() -> dict[str, object]:
    found = g.get("viewing")
    if found is None and viewer.signed_in() is not None and not g.get("banner_failed"):
        # A page outside the plan (glossary, legal pages): the banner still says whose plan is open.
        try:
            found = viewer.current()
        except StoreError:
            g.banner_failed = True  # an error page is being shown: no second try, no banner
            found = None
    if not isinstance(found, viewer.Viewing):
        return {"viewing_banner": None}
    if found.is_patient and found.choices < 2:
        return {"viewing_banner": None}  # a patient on their own plan: nothing to say
    return {"viewing_banner": found, "viewing_role": role_name(found.kind)}


def _outcome(status: int) -> Outcome:
    if status < 400:
        return "success"
    return "refused" if status in (403, 404) else "failed"


def _record(response: Response) -> Response:
    found = g.get("viewing")
    if request.endpoint not in RECORDED or not isinstance(found, viewer.Viewing):
        return response
    trail: AuditTrail = current_app.extensions["portal.access.trail"]
    view_args = request.view_args or {}
    document = g.get("access_document") or view_args.get("doc_id") or view_args.get("version_id")
    if isinstance(document, str) and not FHIR_ID.fullmatch(document):
        document = "not-an-id"
    version = g.get("access_version") or (str(view_args["number"]) if "number" in view_args else None)
    outcome: Outcome = "refused" if g.get("access_refused") else _outcome(response.status_code)
    trail.record(
        AccessRecord(
            actor=found.actor(extensions.settings().oidc_subject_system),
            patient_id=found.patient_id,
            page=(request.endpoint or "").split(".")[-1],
            outcome=outcome,
            at=viewer.now(),
            on_behalf_of=found.on_behalf_of,
            document=str(document) if document else None,
            version=version,
            compared_with=g.get("access_compared_with"),
        )
    )
    return response


def init_app(app: Flask) -> None:
    settings: Settings = app.extensions["portal.settings"]
    app.extensions["portal.access.trail"] = AuditTrail(
        app.extensions["portal.store"],
        settings.secret_key,
        queue_size=settings.audit_queue_size,
        timeout=settings.audit_timeout,
        coalesce_seconds=settings.audit_coalesce_seconds,
    )
    app.register_blueprint(bp)
    app.context_processor(_banner)
    app.after_request(_record)
