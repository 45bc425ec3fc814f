"""The home page `/`: the start page before sign-in; after it, the overview of the plan the person is viewing (or
the page instead: the chooser, the coordinator's list, the plain "nothing linked" page)."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template, session
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


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
