"""The home page `/`: the start page before sign-in; after it, the overview of the signed-in person's plan
(or a plain word when no patient is linked or no plan is shared yet). The other plan pages are in `plan.py`.
"""

from __future__ import annotations

from flask import Blueprint, render_template, session
from flask.typing import ResponseReturnValue

from portal.auth.session import PortalSession
from portal.auth.views import current_user
from portal.web import plan

bp = Blueprint("pages", __name__)


@bp.get("/")
def home() -> ResponseReturnValue:
    if current_user() is None:
        expired = isinstance(session, PortalSession) and session.expired
        lost = isinstance(session, PortalSession) and session.lost
        return render_template("start.html", expired=expired, lost=lost)
    return plan.overview()
