"""The calendar file of several plans (a patient's plans in several regional stores): every plan's events, each with
the UID and sequence its own plan gives it, so a calendar that imported a one-plan file updates those events."""

from __future__ import annotations

import datetime as dt
from functools import cache

import icalendar
import pytest

from portal.exports.ics import calendar_file, plans_calendar_file
from portal.pps import read_pps
from portal.pps.model import CarePlan
from synthetic import CASES
from synthetic.documents import pps_document

NOW = dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC)


@cache
def plan(key: str, version: int) -> CarePlan:
    case = next(c for c in CASES if c.key == key)
    return read_pps(pps_document(case, version).cda)


def by_uid(data: bytes) -> dict[str, icalendar.Event]:
    found = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}
    assert len(found) == len(icalendar.Calendar.from_ical(data).walk("VEVENT")), "a UID twice in one file"
    return found


def test_each_plans_events_keep_the_uids_of_that_plans_own_file() -> None:
    breast, colon = plan("breast", 2), plan("colon", 2)
    alone = [by_uid(calendar_file(p, "fr", now=NOW)) for p in (breast, colon)]
    assert alone[0] and alone[1] and not alone[0].keys() & alone[1].keys()
    both = by_uid(plans_calendar_file([breast, colon], "fr", now=NOW))
    assert both.keys() == alone[0].keys() | alone[1].keys()
    for one in alone:
        for uid, event in one.items():
            # The same event: same day, same title, same version (a calendar keeps the newest copy of a UID).
            assert both[uid]["DTSTART"].dt == event["DTSTART"].dt
            assert str(both[uid]["SUMMARY"]) == str(event["SUMMARY"])
            assert both[uid]["SEQUENCE"] == event["SEQUENCE"]


def test_each_event_carries_its_own_plans_version() -> None:
    colon_v1, breast_v2 = plan("colon", 1), plan("breast", 2)
    both = by_uid(plans_calendar_file([colon_v1, breast_v2], "fr", now=NOW))
    colon_uids = by_uid(calendar_file(colon_v1, "fr", now=NOW)).keys()
    assert {int(e["SEQUENCE"]) for uid, e in both.items() if uid in colon_uids} == {1}
    assert {int(e["SEQUENCE"]) for uid, e in both.items() if uid not in colon_uids} == {2}


def test_the_events_of_all_plans_are_in_date_order() -> None:
    events = icalendar.Calendar.from_ical(plans_calendar_file([plan("breast", 2), plan("colon", 2)], "fr", now=NOW))
    starts = [e["DTSTART"].dt for e in events.walk("VEVENT")]
    days = [d.date() if isinstance(d, dt.datetime) else d for d in starts]
    assert days == sorted(days)


def test_one_event_is_found_in_any_of_the_plans() -> None:
    breast, colon = plan("breast", 2), plan("colon", 2)
    uid = next(iter(by_uid(calendar_file(colon, "fr", now=NOW))))
    alone = by_uid(plans_calendar_file([breast, colon], "fr", only=uid, now=NOW))
    assert list(alone) == [uid]
    with pytest.raises(KeyError):
        plans_calendar_file([breast, colon], "fr", only="nope@pps-portal")


def test_the_same_plan_in_two_stores_gives_each_event_once_from_its_newer_version() -> None:
    """Two stores holding versions of one plan (one setId): one event per UID, the newer version's."""
    older, newer = plan("breast", 1), plan("breast", 2)
    for order in ([older, newer], [newer, older]):
        both = by_uid(plans_calendar_file(order, "fr", now=NOW))
        expected = by_uid(calendar_file(newer, "fr", now=NOW))
        for uid, event in expected.items():
            assert both[uid]["DTSTART"].dt == event["DTSTART"].dt and int(both[uid]["SEQUENCE"]) == 2
