"""Pages of the signed-in person: the start page, their care plans, or a plain word when nothing is linked yet."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, session
from flask.typing import ResponseReturnValue

from portal import access
from portal.auth.session import PortalSession
from portal.auth.views import current_user
from portal.store import FhirClient

bp = Blueprint("pages", __name__)


def store() -> FhirClient:
    client: FhirClient = current_app.extensions["portal.store"]
    return client


@bp.get("/")
def home() -> ResponseReturnValue:
    user = current_user()
    if user is None:
        expired = isinstance(session, PortalSession) and session.expired
        return render_template("start.html", expired=expired)
    settings = current_app.extensions["portal.settings"]
    patient = access.own_patient(store(), settings.oidc_subject_system, user["sub"])
    if patient is None:
        return render_template("no_patient.html", contact=settings.help_contact)
    view = access.patient_view(store(), patient)
    return render_template("home.html", view=view)
