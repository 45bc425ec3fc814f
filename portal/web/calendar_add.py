"""Add one step of the plan to one's own calendar: `GET /calendar/add?event=<uid>` (web step, beside
`portal.web.documents`, which serves the file)."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Flask, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound

from portal import access
from portal.access.visibility import visible
from portal.exports import ics
from portal.plain.views.common import format_day, format_instant
from portal.pps.model import CarePlan
from portal.store import pdsm
from portal.web import extensions, recording
from portal.web.navigation import nav, page_lang
from portal.web.viewing import Viewing, viewing_required

__all__ = ["REMINDERS", "bp", "init_app", "reminder"]

bp = Blueprint("calendar_add", __name__)

#: The reminders a person may choose, in minutes before the event: none, 1 hour, 1 day, 2 days.
REMINDERS = (60, 1440, 2880)


def reminder(value: str | None) -> dt.timedelta | None:
    """The reminder asked for (`remind=` in minutes), if it is one of those offered; None otherwise."""
    if value is None or not value.isdigit() or int(value) not in REMINDERS:
        return None
    return dt.timedelta(minutes=int(value))


def event_uids(plan: CarePlan | None) -> dict[str, str]:
    """Which event of the calendar file each item's moment is: "treatment-2:start" → UID; "treatment-2" alone is
    the item's first moment. Empty for a plan with no calendar day."""
    if plan is None or plan.is_pdf_only:
        return {}
    found: dict[str, str] = {}
    for key, moment, uid in ics.event_moments(plan):
        found.setdefault(f"{key}:{moment}", uid)
        found.setdefault(key, uid)
    return found


@bp.get("/calendar/add")
@viewing_required("calendar")
def add(viewing: Viewing) -> ResponseReturnValue:
    """The page the next-step card and every entry of the calendar page link to: it names the step and its day, and
    lets the person choose whether the title shows the treatment's name and whether their calendar reminds them
    before it (VALARM). Its plain GET form then downloads that one event
    (`/documents/calendar.ics?event=<uid>&names=…&remind=…`), without JavaScript. The same access rule as the
    calendar file: a caregiver limited to some parts gets it only when the calendar is shared with them."""
    lang = page_lang()
    patient = viewing.grant.patient
    versions = visible(viewing.kind, pdsm.pps_documents(extensions.store(viewing.store), patient.id))
    loaded = extensions.plans(viewing.store).current(versions, patient)
    if loaded is None:
        raise NotFound()
    # The same plan the file is built from: what this viewer was granted.
    shown = access.plan_for(viewing.grant, loaded.plan)
    uid = request.args.get("event", "")[:128]
    event = next((e for e in ics.planned_events(shown, lang) if e.uid == uid), None)
    if event is None:
        raise NotFound()
    recording.note(loaded.entry.id, loaded.plan.metadata.version)
    when = format_instant(event.when, lang) if isinstance(event.when, dt.datetime) else format_day(event.day, lang)
    return render_template(
        "documents/calendar_add.html",
        nav=nav("calendar"),
        event=event,
        when=when,
        name=ics.event_title(event, lang, show_names=True),
        discreet=ics.event_title(event, lang, show_names=False),
        reminders=REMINDERS,
    )


def _context() -> dict[str, object]:
    return {"calendar_uids": event_uids}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.context_processor(_context)
