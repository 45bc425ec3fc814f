"""The calendar file (iCalendar, RFC 5545) of a care plan, or of several (a patient's plans in several regional
stores): their dated planned items, for the person's own calendar (care-plan model → events → bytes)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

from icalendar import Alarm, Calendar, Event, Timezone

from portal.plain.texts import catalogue as translations
from portal.plain.views.common import PARIS, Lang, address_lines, doc_lang
from portal.plain.views.items import item_name
from portal.plain.voice import TO_THE_PATIENT, Voice
from portal.pps.model import CarePlan, HL7Time, ItemStatus, Precision, ProgrammeItem

__all__ = [
    "PlannedEvent",
    "calendar_file",
    "event_moments",
    "event_title",
    "item_identity",
    "planned_events",
    "plans_calendar_file",
]

Moment = Literal["on", "start", "end"]
UID_DOMAIN = "pps-portal"
#: The VTIMEZONE covers the years a care plan may reach (a 5-year hormone therapy and its follow-up).
TZ_FIRST = dt.date(2000, 1, 1)
TZ_LAST = dt.date(2050, 1, 1)


@dataclass(frozen=True, slots=True)
class PlannedEvent:
    """One calendar event: a planned item's day (or its start or end day), with a stable `uid`.

    `when` is a date (all-day event) or an aware datetime in Europe/Paris; `until` the end of a timed event
    on the same day, when the document gives one.
    """

    uid: str
    moment: Moment
    when: dt.date | dt.datetime
    until: dt.datetime | None
    name: str
    place: str | None
    location: str | None
    #: The item's anchor on its page ("treatment-2", "support-1"), as the plan pages name it.
    item_key: str = ""

    @property
    def all_day(self) -> bool:
        return not isinstance(self.when, dt.datetime)

    @property
    def day(self) -> dt.date:
        return _day(self.when)


def _norm(text: str | None) -> str:
    return " ".join((text or "").casefold().split())


def item_identity(item: ProgrammeItem) -> str:
    """What an item is, independent of its dates and position: kind, type code (or words) and place.

    With the plan's setId it makes each event's UID, so the same appointment in the next version of the plan keeps
    its UID and a calendar that imports the new file updates the event instead of adding a second one.
    """
    code = f"{item.type.system}|{item.type.code}" if item.type and item.type.code else _norm(item.label)
    place = _norm(item.places[0].name) if item.places else ""
    return f"{item.kind.value}|{code}|{place}"


def _uid(set_id: str, identity: str, occurrence: int, moment: Moment) -> str:
    digest = hashlib.sha256(f"{set_id}\n{identity}\n{occurrence}\n{moment}".encode()).hexdigest()
    # Opaque: a calendar server stores UIDs, and this one says nothing about the person's health.
    return f"{digest[:32]}@{UID_DOMAIN}"


def _point(value: HL7Time) -> dt.date | dt.datetime | None:
    """A day or an instant in Paris; None when the date is only a month or a year (no calendar day)."""
    if value.precision < Precision.DAY:
        return None
    moment = value.to_datetime()
    if moment is not None:
        return moment.astimezone(PARIS) if moment.tzinfo is not None else moment.replace(tzinfo=PARIS)
    return value.to_date()


def _moments(item: ProgrammeItem) -> list[tuple[Moment, HL7Time, HL7Time | None]]:
    start, end = item.span
    if start is not None and end is not None:
        if start.to_hl7()[:8] == end.to_hl7()[:8]:
            return [("on", start, end)]
        return [("start", start, None), ("end", end, None)]
    if start is not None:
        return [("start", start, None)]
    if end is not None:
        return [("end", end, None)]
    return []


class _Dated(NamedTuple):
    """One dated moment of a planned item, before its words are written (`planned_events`) or not (`event_moments`)."""

    key: str  # the item's anchor on its page
    item: ProgrammeItem
    uid: str
    moment: Moment
    when: dt.date | dt.datetime
    until: dt.datetime | None


def _dated_moments(plan: CarePlan) -> list[_Dated]:
    """Every moment of a planned item with a calendar day, in plan order (items dated to a month are left out)."""
    set_id = str(plan.metadata.set_id) if plan.metadata.set_id else ""
    seen: Counter[str] = Counter()
    found: list[_Dated] = []
    keyed = [(f"treatment-{i}", item) for i, item in enumerate(plan.programme, start=1)]
    keyed += [(f"support-{i}", item) for i, item in enumerate(plan.support, start=1)]
    for key, item in keyed:
        identity = item_identity(item)
        # Two items that are the same thing at the same place (two scans…) are told apart by their order
        # among themselves only, so adding another kind of item elsewhere never shifts their UIDs.
        seen[identity] += 1
        if item.status != ItemStatus.PLANNED:
            continue
        for moment, point, end in _moments(item):
            when = _point(point)
            if when is None:
                continue
            until = _point(end) if end is not None and isinstance(when, dt.datetime) else None
            timed_until = until if isinstance(until, dt.datetime) and until > when else None
            found.append(_Dated(key, item, _uid(set_id, identity, seen[identity], moment), moment, when, timed_until))
    return found


def _day(when: dt.date | dt.datetime) -> dt.date:
    return when.date() if isinstance(when, dt.datetime) else when


def _words(item: ProgrammeItem, lang: Lang, document_lang: str) -> tuple[str, str | None, str | None]:
    """An event's name, its place's name and its location (the place's name and address lines)."""
    place = item.where[0] if item.where else None
    place_name = place.name if place and place.name else None
    lines = [line for a in (place.addresses if place else ()) for line in address_lines(a)]
    location = ", ".join([*([place_name] if place_name else []), *lines])
    return item_name(item, lang, document_lang), place_name, location or None


def planned_events(plan: CarePlan, lang: Lang) -> tuple[PlannedEvent, ...]:
    """Every planned item with a calendar day, as events in date order (items dated to a month are left out)."""
    document_lang = doc_lang(plan)
    events: list[PlannedEvent] = []
    words: dict[str, tuple[str, str | None, str | None]] = {}  # once per item, whose moments may be two
    for key, item, uid, moment, when, until in _dated_moments(plan):
        if key not in words:
            words[key] = _words(item, lang, document_lang)
        name, place, location = words[key]
        events.append(
            PlannedEvent(
                uid=uid,
                moment=moment,
                when=when,
                until=until,
                name=name,
                place=place,
                location=location,
                item_key=key,
            )
        )
    events.sort(key=lambda e: (e.day, e.uid))
    return tuple(events)


def event_moments(plan: CarePlan) -> tuple[tuple[str, Moment, str], ...]:
    """(item's anchor, moment, UID) of every event `planned_events` makes, in the same order: what a page needs to
    link to an event, without the words of each (names and places)."""
    dated = sorted(_dated_moments(plan), key=lambda found: (_day(found.when), found.uid))
    return tuple((found.key, found.moment, found.uid) for found in dated)


def event_title(event: PlannedEvent, lang: Lang, show_names: bool) -> str:
    """The event's title: discreet ("Rendez-vous – <lieu>") unless names are asked for, because a phone's lock
    screen shows it to anyone nearby. The end of a treatment or of a support is "Fin d'une période de soins", never
    an appointment."""
    _ = translations(lang).gettext
    if not show_names:
        if event.moment == "end":
            return _("End of a care period")
        if event.place:
            return _("Appointment – %(place)s") % {"place": event.place}
        return _("Appointment")
    if event.moment == "start":
        return _("Start: %(name)s") % {"name": event.name}
    if event.moment == "end":
        return _("End: %(name)s") % {"name": event.name}
    return event.name


def calendar_file(
    plan: CarePlan,
    lang: Lang,
    *,
    show_names: bool = False,
    only: str | None = None,
    portal_url: str | None = None,
    now: dt.datetime | None = None,
    reminder: dt.timedelta | None = None,
    voice: Voice = TO_THE_PATIENT,
) -> bytes:
    """The .ics of the plan's planned events, or of the one whose UID is `only` (KeyError when none is), in
    Europe/Paris time with its VTIMEZONE; with `reminder` (only when the person chooses one), each event reminds
    the person that long before it starts (VALARM). `voice`: whose calendar it is, for someone helping the patient
    ("Care plan of Germaine")."""
    return plans_calendar_file(
        (plan,),
        lang,
        show_names=show_names,
        only=only,
        portal_url=portal_url,
        now=now,
        reminder=reminder,
        voice=voice,
    )


def _events_of(plans: Sequence[CarePlan], lang: Lang) -> list[tuple[PlannedEvent, int]]:
    """Every plan's planned events with the version of the plan each comes from, one event per UID.

    Each plan's UIDs come from its own setId, so two plans never share one, unless they are the same plan (the same
    setId) held by two stores: then the event of the newer version is kept (of the first plan on a tie), as a
    calendar would keep it."""
    kept: dict[str, tuple[PlannedEvent, int]] = {}
    for plan in plans:
        version = plan.metadata.version or 0
        for event in planned_events(plan, lang):
            if event.uid not in kept or kept[event.uid][1] < version:
                kept[event.uid] = (event, version)
    return sorted(kept.values(), key=lambda pair: (pair[0].day, pair[0].uid))


def plans_calendar_file(
    plans: Sequence[CarePlan],
    lang: Lang,
    *,
    show_names: bool = False,
    only: str | None = None,
    portal_url: str | None = None,
    now: dt.datetime | None = None,
    reminder: dt.timedelta | None = None,
    voice: Voice = TO_THE_PATIENT,
) -> bytes:
    """The .ics of the planned events of every plan in `plans` (a patient's plans in several regional stores), in
    date order, each event with the UID and sequence its own plan gives it; or of the one whose UID is `only`
    (KeyError when no plan has it). The options are those of `calendar_file`, which is this with one plan."""
    _ = translations(lang).gettext
    events = _events_of(plans, lang)
    if only is not None:
        events = [pair for pair in events if pair[0].uid == only]
        if not events:
            raise KeyError("no such event in these plans")
    stamp = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    calendar = Calendar()
    calendar.add("prodid", f"-//PPS portal//Care plan//{lang.upper()}")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    named = {"name": voice.name}
    calendar.add("x-wr-calname", voice.say(_("My care plan"), _("Care plan of %(name)s") % named))
    calendar.add("x-wr-timezone", "Europe/Paris")
    calendar.add_component(Timezone.from_tzid("Europe/Paris", first_date=TZ_FIRST, last_date=TZ_LAST))
    description = (
        voice.say(
            _("Details are in your care plan: %(url)s") % {"url": portal_url},
            _("Details are in the care plan of %(name)s: %(url)s") % {**named, "url": portal_url},
        )
        if portal_url
        else voice.say(_("Details are in your care plan."), _("Details are in the care plan of %(name)s.") % named)
    )
    for item, version in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        # Its plan's version: a calendar keeps the newest copy of an event when the same UID comes again.
        event.add("sequence", version)
        event.add("summary", event_title(item, lang, show_names))
        event.add("dtstart", item.when)
        if item.all_day:
            event.add("dtend", item.day + dt.timedelta(days=1))
        elif item.until is not None:
            event.add("dtend", item.until)
        if item.location:
            event.add("location", item.location)
        event.add("description", description)
        if portal_url:
            event.add("url", portal_url)
        event.add("transp", "TRANSPARENT" if item.all_day else "OPAQUE")
        if reminder is not None:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", event_title(item, lang, show_names))
            alarm.add("trigger", -reminder)
            event.add_component(alarm)
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data
