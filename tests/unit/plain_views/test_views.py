"""View models of the plan pages on the synthetic cases: what each page would show, in French and English."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from portal.plain.views import (
    ItemPhase,
    calendar_view,
    contacts_view,
    illness_view,
    overview_view,
    support_view,
    treatments_view,
)
from portal.plain.views.common import format_time_point, person_name
from portal.plain.views.items import item_view
from portal.pps.model import HL7Time, ItemStatus, Period, PersonName, Rhythm
from tests.unit.plain_views.conftest import plan
from tests.unit.web.plans import synthetic

MARCH_2026 = dt.date(2026, 3, 1)
ALL_STRUCTURED = [name for name in synthetic() if not plan(name).is_pdf_only]


def test_the_next_dated_item_comes_first_on_the_overview() -> None:
    view = overview_view(plan("camille-pps-2"), "en", MARCH_2026)
    assert view.next_item is not None
    assert view.next_item.name == "Surgery"
    assert view.next_item.when.start == "19 May 2026"
    assert view.next_item.when.planned
    assert "Chemotherapy" in [item.name for item in view.now]
    # What comes after the next item is in date order, and never repeats it.
    starts = [item.key for item in view.coming]
    assert view.next_item.key not in starts


def test_the_overview_says_when_and_why_the_plan_changed_and_when_it_was_handed_over() -> None:
    view = overview_view(plan("camille-pps-2"), "fr", MARCH_2026)
    assert view.updated is not None and view.updated.startswith("13 février 2026")
    assert view.update_reason is not None and "date" in view.update_reason.lower()
    assert view.update_comment is not None and view.update_comment.lang is None  # French page, French words
    assert view.handed == "15 février 2026"
    assert view.key_contacts and all(card.phones for card in view.key_contacts)
    assert view.key_contacts[0].group == "coordination"


def test_an_update_comment_keeps_its_language_on_an_english_page() -> None:
    view = overview_view(plan("camille-pps-2"), "en", MARCH_2026)
    assert view.update_comment is not None and view.update_comment.lang == "fr"


def test_treatments_are_in_progress_coming_or_earlier_around_today() -> None:
    timeline = treatments_view(plan("camille-pps-2"), "en", MARCH_2026).timeline
    assert [i.name for i in timeline.coming][:2] == ["Surgery", "Radiotherapy"]
    assert "Chemotherapy" in [i.name for i in timeline.now]
    earlier = timeline.earlier
    assert earlier and all(i.phase == ItemPhase.EARLIER for i in earlier)
    assert any(i.done for i in earlier)


def test_the_teams_comment_is_marked_with_the_documents_language_only_when_it_differs() -> None:
    english = treatments_view(plan("camille-pps-2"), "en", MARCH_2026).timeline
    french = treatments_view(plan("camille-pps-2"), "fr", MARCH_2026).timeline
    chemo_en = next(i for i in english.now if i.name == "Chemotherapy")
    chemo_fr = next(i for i in french.now if i.key == chemo_en.key)
    assert chemo_en.comment is not None and chemo_en.comment.lang == "fr"
    assert chemo_fr.comment is not None and chemo_fr.comment.lang is None
    assert chemo_en.side_effects is not None and chemo_en.side_effects.lang == "fr"
    # The team's own title is kept beside the plain name.
    assert chemo_en.team_name is not None and "EC puis paclitaxel" in chemo_en.team_name.text


def test_a_structured_rhythm_is_said_in_words() -> None:
    item = plan("diane-pps-1").programme[0]
    every_three_weeks = replace(item, rhythm=Rhythm(period_value="3", period_unit="wk"))
    english = item_view(every_three_weeks, 1, "en", "fr", MARCH_2026)
    french = item_view(every_three_weeks, 1, "fr", "fr", MARCH_2026)
    assert english.when.rhythm == "every 3 weeks" and english.when.rhythm_lang is None
    assert french.when.rhythm == "toutes les 3 semaines"


def test_a_rhythm_in_the_documents_words_keeps_their_language() -> None:
    item = replace(plan("diane-pps-1").programme[0], rhythm=Rhythm(text="Toutes les 3 semaines"))
    view = item_view(item, 1, "en", "fr", MARCH_2026)
    assert view.when.rhythm == "Toutes les 3 semaines" and view.when.rhythm_lang == "fr"


def test_contacts_are_grouped_hospital_gp_coordination_support() -> None:
    view = contacts_view(plan("camille-pps-2"), "en")
    assert [g.key for g in view.groups] == ["hospital", "gp", "coordination", "support"]
    groups = {g.key: g for g in view.groups}
    assert any(c.name == "Dr Sophie Générique" for c in groups["gp"].contacts)
    assert any(c.name == "Mme Claire Modele" or c.name == "Ms Claire Modele" for c in groups["coordination"].contacts)
    phones = [link for g in view.groups for c in g.contacts for link in c.links if link.kind == "tel"]
    assert phones and all(link.href.startswith("tel:") for link in phones)
    assert any(link.text == "01 99 00 10 00" for link in phones)
    # A contact given only as a web address keeps it as a link.
    assert any(link.kind == "web" for c in groups["support"].contacts for link in c.links)


def test_the_trusted_person_and_the_person_to_call_are_one_card_when_they_are_the_same() -> None:
    view = contacts_view(plan("camille-pps-2"), "fr")
    assert len(view.close_people) == 1
    person = view.close_people[0]
    assert person.trusted and person.emergency and person.name == "Luc Exemple"


@pytest.mark.parametrize("name", ALL_STRUCTURED)
def test_no_item_and_no_contact_is_left_out(name: str) -> None:
    care_plan = plan(name)
    today = MARCH_2026
    timeline = treatments_view(care_plan, "en", today).timeline
    shown = [i.key for i in (*timeline.now, *timeline.coming, *timeline.earlier)]
    assert sorted(shown) == sorted(f"treatment-{n}" for n in range(1, len(care_plan.programme) + 1))
    support = support_view(care_plan, "en", today)
    assert sorted(i.key for i in (*support.care, *support.social)) == sorted(
        f"support-{n}" for n in range(1, len(care_plan.support) + 1)
    )
    contacts = contacts_view(care_plan, "en")
    assert sum(len(g.contacts) for g in contacts.groups) == len(care_plan.contacts)
    calendar = calendar_view(care_plan, "en", today)
    anchors = {e.anchor for m in (*calendar.coming, *calendar.past) for e in m.events}
    dated = {
        f"{prefix}-{n}"
        for prefix, items in (("treatment", care_plan.programme), ("support", care_plan.support))
        for n, item in enumerate(items, start=1)
        if (item.dates and not item.dates.is_empty) or (item.planned_dates and not item.planned_dates.is_empty)
    }
    assert anchors == dated


def test_the_calendar_lists_coming_dates_first_then_the_past_newest_first() -> None:
    view = calendar_view(plan("camille-pps-2"), "fr", MARCH_2026)
    assert view.coming[0].key <= view.coming[-1].key
    assert view.past[0].key >= view.past[-1].key
    assert [m.heading for m in view.coming][:3] == ["avril 2026", "mai 2026", "juin 2026"]
    [surgery] = [e for m in view.coming for e in m.events if e.anchor == "treatment-3"]
    assert (surgery.kind, surgery.day, surgery.page) == ("on", "mardi 19 mai 2026", "treatments")
    radiotherapy = [e.kind for m in view.coming for e in m.events if e.anchor == "treatment-4"]
    assert radiotherapy == ["start", "end"]


def test_partial_dates_are_shown_at_their_precision() -> None:
    assert format_time_point(HL7Time(2026, 3), "fr") == "mars 2026"
    assert format_time_point(HL7Time(2026, 3), "en") == "March 2026"
    assert format_time_point(HL7Time(2026), "fr") == "2026"
    assert format_time_point(HL7Time(2026, 3, 5), "fr") == "5 mars 2026"
    # An instant with its offset is shown in Paris time (UTC 13:30 in summer is 15:30 in Paris).
    assert format_time_point(HL7Time(2026, 7, 1, 13, 30, offset_minutes=0), "fr") == "1er juillet 2026, 15:30"


def test_a_month_only_date_goes_under_its_month_without_an_invented_day() -> None:
    item = replace(
        plan("camille-pps-2").programme[2],
        status=ItemStatus.PLANNED,
        dates=None,
        planned_dates=Period(value=HL7Time(2026, 5)),
    )
    care_plan = replace(plan("camille-pps-2"), programme=(item,), support=())
    view = calendar_view(care_plan, "fr", MARCH_2026)
    [month] = view.coming
    assert month.heading == "mai 2026"
    assert [e.day for e in month.events] == [None]
    assert treatments_view(care_plan, "fr", MARCH_2026).timeline.coming[0].when.start == "mai 2026"


def test_the_illness_is_said_in_plain_words_with_the_codes_kept_for_details() -> None:
    view = illness_view(plan("camille-pps-2"), "en")
    [tumour] = view.tumours
    assert tumour.site is not None and "breast" in tumour.site.text.lower()
    assert tumour.side is not None and tumour.side.text.lower() == "left side"
    assert tumour.topography is not None and tumour.topography.code == "C50.4"
    assert [d.code for d in tumour.tnm] == ["T2", "N0", "M0"]
    assert tumour.stage is not None and tumour.stage.code == "IIA"
    assert tumour.comment is not None and tumour.comment.lang == "fr"
    assert view.found_by_screening is True


def test_the_stop_of_active_treatments_is_said() -> None:
    view = treatments_view(plan("camille-pps-3"), "fr", dt.date(2026, 11, 1))
    assert view.stop is not None
    assert overview_view(plan("camille-pps-3"), "fr", dt.date(2026, 11, 1)).stop == view.stop


def test_names_read_like_names() -> None:
    assert person_name(PersonName("EXEMPLAIRE", ("Jeanne",), ("DR",)), "fr") == "Dr Jeanne Exemplaire"
    assert person_name(PersonName("MODELE", ("Claire",), ("MME",)), "en") == "Ms Claire Modele"
    assert person_name(PersonName("Démo-Lambert", ("Diane",)), "fr") == "Diane Démo-Lambert"
    assert person_name(PersonName(None, (), ("DR",)), "fr") is None


def test_a_pdf_only_plan_gives_its_header_and_no_items() -> None:
    care_plan = plan("victor-pps-1")
    assert care_plan.is_pdf_only
    view = overview_view(care_plan, "fr", MARCH_2026)
    assert view.updated is not None
    assert view.next_item is None and not view.now
