"""The calendar page: every dated item of the plan, by month, coming up first and then past.

An item over several days gives two entries (its start and its end); a one-day item gives one. A date written
to the month only ("mars 2026") is listed under its month without a day; to the year only, under its year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from portal.plain.views.common import Lang, doc_lang, format_month, format_weekday
from portal.plain.views.items import item_view, last_day
from portal.pps.model import CarePlan, HL7Time, Precision, ProgrammeItem

__all__ = ["CalendarEvent", "CalendarView", "Month", "calendar_view"]

EventKind = Literal["on", "start", "end"]

#: The anchor prefix of an item on each page that describes it (the same as the timelines use).
KEY_PREFIXES = {"treatments": "treatment", "support": "support"}


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One entry: what (`name`), which moment of it (`kind`), the day when known, and where it is described.

    `page` is "treatments" or "support" and `anchor` the item's anchor on that page.
    """

    name: str
    name_lang: str | None
    kind: EventKind
    day: str | None
    planned: bool
    done: bool
    page: str
    anchor: str
    sort: tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class Month:
    """A month (or a year, for dates written to the year only) and its entries."""

    key: str
    heading: str
    events: tuple[CalendarEvent, ...]


@dataclass(frozen=True, slots=True)
class CalendarView:
    coming: tuple[Month, ...]
    past: tuple[Month, ...]

    @property
    def empty(self) -> bool:
        return not (self.coming or self.past)


def _day_text(point: HL7Time, lang: Lang) -> str | None:
    day = point.to_date()
    return format_weekday(day, lang) if day is not None else None


def _events(
    items: tuple[ProgrammeItem, ...], page: str, lang: Lang, document_lang: str, today: dt.date
) -> list[tuple[HL7Time, CalendarEvent]]:
    found: list[tuple[HL7Time, CalendarEvent]] = []
    for index, item in enumerate(items, start=1):
        start, end = item.span
        if start is None and end is None:
            continue
        view = item_view(item, index, lang, document_lang, today, KEY_PREFIXES[page])
        planned = item.forecast
        moments: list[tuple[EventKind, HL7Time]]
        if start is not None and end is not None and start.to_hl7()[:8] != end.to_hl7()[:8]:
            moments = [("start", start), ("end", end)]
        elif start is not None:
            moments = [("on" if end is not None else "start", start)]
        else:
            assert end is not None
            moments = [("end", end)]
        for kind, point in moments:
            event = CalendarEvent(
                view.name,
                view.name_lang,
                kind,
                _day_text(point, lang),
                planned,
                view.done,
                page,
                view.key,
                (point.year, point.month or 0, point.day or 0),
            )
            found.append((point, event))
    return found


def _group(events: list[tuple[HL7Time, CalendarEvent]], lang: Lang, newest_first: bool) -> tuple[Month, ...]:
    events = sorted(events, key=lambda e: e[1].sort, reverse=newest_first)
    months: dict[str, tuple[str, list[CalendarEvent]]] = {}
    for point, event in events:
        if point.precision == Precision.YEAR or point.month is None:
            key, heading = f"{point.year}", str(point.year)
        else:
            key, heading = f"{point.year}-{point.month:02d}", format_month(point.year, point.month, lang)
        months.setdefault(key, (heading, []))[1].append(event)
    return tuple(Month(key, heading, tuple(evs)) for key, (heading, evs) in months.items())


def calendar_view(plan: CarePlan, lang: Lang, today: dt.date) -> CalendarView:
    """Entries from today on are coming up (oldest first); entries before today are past (newest first)."""
    document_lang = doc_lang(plan)
    events = _events(plan.programme, "treatments", lang, document_lang, today)
    events += _events(plan.support, "support", lang, document_lang, today)
    coming = [e for e in events if last_day(e[0]) >= today]
    past = [e for e in events if last_day(e[0]) < today]
    return CalendarView(_group(coming, lang, newest_first=False), _group(past, lang, newest_first=True))
