"""The patient's page of who has viewed their plan (`GET /access-log`): the views by other people, read fresh from
the store's AuditEvents. Nobody else's to read: anyone but the patient gets 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Blueprint, Flask, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from portal.plain.views.common import PARIS
from portal.store import pdsm
from portal.store.resources import AccessEntry
from portal.web import extensions
from portal.web.choose import role_name
from portal.web.navigation import nav
from portal.web.viewing import ACTOR_KIND, Viewing, viewing_required

__all__ = ["bp", "init_app"]

bp = Blueprint("access_log", __name__)


@dataclass(frozen=True)
class AccessRow:
    when: dt.datetime | None
    role: str
    name: str


@bp.get("/access-log")
@viewing_required("overview", record=False)  # names and dates only: no care-plan content
def access_log(viewing: Viewing) -> ResponseReturnValue:
    if not viewing.is_patient:
        raise NotFound()  # the patient's own page: nobody else's to read
    kinds = {name: kind for kind, name in ACTOR_KIND.items()}
    rows = [
        AccessRow(
            entry.recorded.astimezone(PARIS) if entry.recorded else None,
            role_name(kinds[entry.role]) if entry.role in kinds else _("Someone else"),
            entry.actor_name or _("Name not given"),
        )
        for entry in _others(_every_store(viewing))
    ]
    return render_template("people/access_log.html", rows=rows, nav=nav("access"))


def _every_store(viewing: Viewing) -> list[AccessEntry]:
    """The records of every store that holds one of the patient's own plans (each store keeps the records of the
    views of its documents), newest first."""
    entries = [
        entry
        for grant in (viewing.grant, *viewing.own_elsewhere)
        for entry in pdsm.access_entries(extensions.store(grant.store), grant.patient.id)
    ]
    entries.sort(key=lambda e: e.recorded.timestamp() if e.recorded else 0.0, reverse=True)
    return entries


def _others(entries: list[AccessEntry]) -> list[AccessEntry]:
    """Views by other people only, that succeeded (the patient's own views are theirs to remember)."""
    return [e for e in entries if e.success and e.role != "patient"]


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
