"""The calendar file: parses back, Europe/Paris with its VTIMEZONE, discreet titles, and UIDs that survive a
new version of the plan so that a calendar updates its events instead of doubling them."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from functools import cache
from typing import Any

import icalendar
import pytest

from portal.exports.ics import calendar_file, event_moments, item_identity, planned_events
from portal.plain.views.common import doc_lang
from portal.plain.views.items import item_view
from portal.pps import read_pps
from portal.pps.model import CarePlan, HL7Time, ItemStatus, Period
from synthetic import CASES
from synthetic.documents import pps_document

NOW = dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC)


@cache
def breast(version: int) -> CarePlan:
    case = next(c for c in CASES if c.key == "breast")
    return read_pps(pps_document(case, version).cda)


def events(data: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def test_the_calendar_parses_back_with_a_paris_vtimezone() -> None:
    calendar = icalendar.Calendar.from_ical(calendar_file(breast(1), "fr", now=NOW))
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert str(calendar["VERSION"]) == "2.0"
    found = events(calendar.to_ical())
    assert len(found) == len(planned_events(breast(1), "fr")) > 5
    assert all(str(e["UID"]).endswith("@pps-portal") for e in found)
    assert len({str(e["UID"]) for e in found}) == len(found)


def test_every_dated_planned_item_is_an_event() -> None:
    plan = breast(1)
    planned = [i for i in plan.items() if i.status == ItemStatus.PLANNED]
    days = {e.day for e in planned_events(plan, "fr")}
    for item in planned:
        start = (item.dates and item.dates.start) or (item.planned_dates and item.planned_dates.start)
        if start is not None and start.to_date() is not None:
            assert start.to_date() in days


def test_uids_stay_the_same_between_two_versions_of_the_plan() -> None:
    first = {str(e["UID"]): e for e in events(calendar_file(breast(1), "fr", now=NOW))}
    second = {str(e["UID"]): e for e in events(calendar_file(breast(2), "fr", now=NOW))}
    kept = first.keys() & second.keys()
    # Version 2 moves the surgery from 24 to 19 May: the same event, at its new date.
    surgery = [u for u in kept if first[u]["DTSTART"].dt == dt.date(2026, 5, 24)]
    assert len(surgery) == 1
    assert second[surgery[0]]["DTSTART"].dt == dt.date(2026, 5, 19)
    # Only items done by version 2 leave the file; nothing planned gets a new UID.
    assert second.keys() <= first.keys()
    assert int(second[surgery[0]]["SEQUENCE"]) > int(first[surgery[0]]["SEQUENCE"])


def test_uids_follow_what_an_item_is_not_its_position() -> None:
    plan = breast(1)
    shuffled = replace(plan, programme=tuple(reversed(plan.programme)), support=tuple(reversed(plan.support)))
    assert {e.uid for e in planned_events(plan, "fr")} == {e.uid for e in planned_events(shuffled, "fr")}


def test_the_same_item_in_another_plan_has_another_uid() -> None:
    plan = breast(1)
    other = replace(plan, metadata=replace(plan.metadata, set_id=None))
    assert not {e.uid for e in planned_events(plan, "fr")} & {e.uid for e in planned_events(other, "fr")}


def test_identity_is_kind_code_and_place() -> None:
    item = breast(1).programme[2]  # the surgery
    assert item_identity(item) == item_identity(replace(item, planned_dates=None, label="autre libellé"))
    assert item_identity(item) != item_identity(replace(item, places=()))


@pytest.mark.parametrize(
    ("lang", "word", "end"),
    [("fr", "Rendez-vous", "Fin d'une période de soins"), ("en", "Appointment", "End of a care period")],
)
def test_titles_are_discreet_by_default(lang: str, word: str, end: str) -> None:
    summaries = [str(e["SUMMARY"]) for e in events(calendar_file(breast(1), lang, now=NOW))]
    # The end of a treatment is not an appointment: it says so, as discreetly.
    assert all(s in (word, end) or s.startswith(f"{word} – ") for s in summaries)
    assert end in summaries
    assert "Rendez-vous – Centre hospitalier Démo de Valfleuri" in summaries or lang == "en"
    text = calendar_file(breast(1), lang, now=NOW).decode()
    for secret in ("Chimio", "chimio", "Hormono", "Tumorectomie", "cancer du sein"):
        assert secret not in text


def test_treatment_names_only_when_asked() -> None:
    summaries = [str(e["SUMMARY"]) for e in events(calendar_file(breast(1), "fr", show_names=True, now=NOW))]
    assert "Début : Chimiothérapie" in summaries
    assert "Fin : Chimiothérapie" in summaries


def test_one_event_alone() -> None:
    uid = planned_events(breast(1), "fr")[3].uid
    assert [str(e["UID"]) for e in events(calendar_file(breast(1), "fr", only=uid, now=NOW))] == [uid]
    with pytest.raises(KeyError):
        calendar_file(breast(1), "fr", only="nope@pps-portal")


def test_an_event_with_a_time_is_in_paris_time_and_all_day_events_last_one_day() -> None:
    plan = breast(1)
    item = plan.programme[2]
    timed = replace(item, planned_dates=Period(value=HL7Time.parse("202605240830+0200")))
    data = calendar_file(replace(plan, programme=(timed,), support=()), "fr", now=NOW)
    event = events(data)[0]
    assert event["DTSTART"].dt == dt.datetime(2026, 5, 24, 8, 30, tzinfo=event["DTSTART"].dt.tzinfo)
    assert b"DTSTART;TZID=Europe/Paris:20260524T083000" in data
    all_day = events(calendar_file(breast(1), "fr", now=NOW))[0]
    assert all_day["DTEND"].dt - all_day["DTSTART"].dt == dt.timedelta(days=1)


def test_items_dated_to_a_month_only_are_left_out() -> None:
    plan = breast(1)
    item = replace(plan.programme[2], planned_dates=Period(value=HL7Time.parse("202605")))
    assert planned_events(replace(plan, programme=(item,), support=()), "fr") == ()


def test_the_link_back_to_the_portal() -> None:
    event = events(calendar_file(breast(1), "en", portal_url="https://portal.example/", now=NOW))[0]
    assert str(event["URL"]) == "https://portal.example/"
    assert "https://portal.example/" in str(event["DESCRIPTION"])


def test_a_reminder_is_added_only_when_chosen() -> None:
    import datetime as dt

    plain = calendar_file(breast(1), "fr", now=NOW).decode()
    reminded = calendar_file(breast(1), "fr", now=NOW, reminder=dt.timedelta(days=1)).decode()
    assert "BEGIN:VALARM" not in plain
    assert reminded.count("BEGIN:VALARM") == reminded.count("BEGIN:VEVENT") > 0
    assert "TRIGGER:-P1D" in reminded


def test_a_caregivers_calendar_is_named_after_the_patient_and_a_patients_after_them(as_caregiver: Any) -> None:
    """Hélène adds Germaine's appointments to her own calendar: the calendar and each event say whose plan it is."""
    answer = as_caregiver.get("/documents/calendar.ics")
    assert answer.status_code == 200
    calendar = icalendar.Calendar.from_ical(answer.data)
    assert calendar["x-wr-calname"] == "Programme de soins de Germaine"
    descriptions = {str(event["description"]) for event in calendar.walk("VEVENT")}
    assert descriptions and all(
        d.startswith("Les détails sont dans le programme de soins de Germaine") for d in descriptions
    )
    assert not [d for d in descriptions if "votre" in d.lower()]


def test_a_patients_calendar_speaks_to_them(as_patient: Any) -> None:
    calendar = icalendar.Calendar.from_ical(as_patient.get("/documents/calendar.ics").data)
    assert calendar["x-wr-calname"] == "Mon programme de soins"
    descriptions = {str(event["description"]) for event in calendar.walk("VEVENT")}
    assert descriptions and all(d.startswith("Les détails sont dans votre programme de soins") for d in descriptions)


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize(
    ("key", "version"), [(case.key, n) for case in CASES for n in range(1, len(case.versions) + 1)]
)
def test_each_event_is_named_as_its_item_card_names_the_item(key: str, version: int, lang: str) -> None:
    """The name an event carries is the one the item's card shows (the item's view): every version of every case."""
    case = next(c for c in CASES if c.key == key)
    plan = read_pps(pps_document(case, version).cda)
    keyed = {f"treatment-{i}": item for i, item in enumerate(plan.programme, start=1)}
    keyed |= {f"support-{i}": item for i, item in enumerate(plan.support, start=1)}
    for event in planned_events(plan, lang):
        card = item_view(keyed[event.item_key], 1, lang, doc_lang(plan), NOW.date())
        assert event.name == card.name


@pytest.mark.parametrize("case", [c for c in CASES if c.versions], ids=lambda c: c.key)
def test_the_moments_a_page_links_to_are_the_events_of_the_file_in_the_same_order(case: Any) -> None:
    for version in range(1, len(case.versions) + 1):
        plan = read_pps(pps_document(case, version).cda)
        if plan.is_pdf_only:
            continue
        expected = [(e.item_key, e.moment, e.uid) for e in planned_events(plan, "fr")]
        assert list(event_moments(plan)) == expected
