"""Public information pages: accessibility statement, legal notice, privacy. No sign-in, no personal data."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template
from flask.typing import ResponseReturnValue

bp = Blueprint("info", __name__)


def _contact() -> str:
    """The accessibility contact: the `PORTAL_ACCESSIBILITY_CONTACT` setting (an e-mail address)."""
    settings = current_app.extensions["portal.settings"]
    contact: str = settings.accessibility_contact
    return contact


@bp.get("/accessibility")
def accessibility() -> ResponseReturnValue:
    return render_template("info/accessibility.html", contact=_contact())


@bp.get("/legal")
def legal() -> ResponseReturnValue:
    return render_template("info/legal.html", contact=_contact())


@bp.get("/privacy")
def privacy() -> ResponseReturnValue:
    settings = current_app.extensions["portal.settings"]
    return render_template(
        "info/privacy.html",
        contact=_contact(),
        idle_minutes=settings.session_idle_minutes,
        max_hours=settings.session_max_hours,
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
