"""The diff of two care-plan versions: each kind of change, matching by meaning, and the synthetic cases."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.pps.changes import (
    ContactAdded,
    ContactDetail,
    ContactDetailChanged,
    ContactRemoved,
    DiagnosisChanged,
    DiagnosisPart,
    DocumentDetailChanged,
    ItemAdded,
    ItemCompleted,
    ItemRemoved,
    ItemRescheduled,
    ItemStopped,
    PhaseChanged,
    ProgressionChanged,
    Rank,
    RhythmChanged,
    RouteChanged,
    TreatmentStopChanged,
    UpdateReasonChanged,
)
from portal.pps.diff import diff
from portal.pps.model import (
    CarePlan,
    Code,
    Diagnosis,
    HL7Time,
    ItemKind,
    ItemStatus,
    Period,
    Phase,
    ProgrammeItem,
    Progression,
    TreatmentStop,
)
from tests.unit.history.plans import (
    BASE,
    CHEMOTHERAPY,
    NUTRITION,
    RADIOTHERAPY,
    SURGERY,
    TA_ASIP,
    contact,
    day,
    item,
    plan,
    synthetic,
)

ORAL = Code("0.4.0.127.0.16.1.1.2.1", "20053000", "Voie orale")


def kinds(changes: tuple[object, ...]) -> list[str]:
    return [type(c).__name__ for c in changes]


def test_a_version_compared_with_itself_has_no_change() -> None:
    assert diff(BASE, BASE) == ()


def test_reordering_items_and_contacts_is_not_a_change() -> None:
    shuffled = replace(
        BASE,
        programme=tuple(reversed(BASE.programme)),
        contacts=(contact("Zoé FICTIVE", "0600000002"), *BASE.contacts),
    )
    reordered = replace(shuffled, contacts=tuple(reversed(shuffled.contacts)))
    assert diff(shuffled, reordered) == ()


def test_a_treatment_added_and_removed_mirror_each_other() -> None:
    more = replace(BASE, programme=(*BASE.programme, item(CHEMOTHERAPY, "20260401", "20260601")))
    (added,) = diff(BASE, more)
    (removed,) = diff(more, BASE)
    assert isinstance(added, ItemAdded) and isinstance(removed, ItemRemoved)
    assert added.item == removed.item and added.item.type == CHEMOTHERAPY


def test_supportive_care_added_ranks_after_treatments() -> None:
    less = replace(BASE, support=())
    (change,) = diff(less, BASE)
    assert isinstance(change, ItemAdded) and change.rank == Rank.SUPPORT


def test_moved_start_is_a_reschedule_with_both_dates() -> None:
    moved = plan(
        item(SURGERY, "20260310", label="Opération du sein"),
        item(RADIOTHERAPY, "20260310", "20260331", rhythm="5 jours par semaine"),
        item(NUTRITION, "20260201", "20260601", kind=ItemKind.SUPPORTIVE_CARE),
        contacts=BASE.contacts,
    )
    (change,) = diff(BASE, moved)
    assert isinstance(change, ItemRescheduled)
    assert (change.old_start, change.new_start) == (day("20260303"), day("20260310"))
    assert change.start_moved and change.end_moved and not change.single_day


def test_a_one_day_item_moved_is_a_single_day_reschedule() -> None:
    moved = replace(BASE, programme=(item(SURGERY, "20260317", label="Opération du sein"), BASE.programme[1]))
    (change,) = diff(BASE, moved)
    assert isinstance(change, ItemRescheduled) and change.single_day


def test_rhythm_and_route_changes() -> None:
    radio = BASE.programme[1]
    changed = replace(BASE, programme=(BASE.programme[0], replace(radio, rhythm=None, route=ORAL)))
    assert sorted(kinds(diff(BASE, changed))) == ["RhythmChanged", "RouteChanged"]
    assert all(isinstance(c, RhythmChanged | RouteChanged) for c in diff(BASE, changed))


def test_an_item_done_long_before_its_planned_end_was_stopped() -> None:
    chemo = item(CHEMOTHERAPY, "20260101", "20260601")
    stopped = item(CHEMOTHERAPY, "20260101", "20260601", status=ItemStatus.DONE, done_end="20260301")
    (change,) = diff(plan(chemo), plan(stopped))
    assert isinstance(change, ItemStopped) and change.end == day("20260301")


def test_an_item_done_about_when_planned_is_completed_not_stopped() -> None:
    chemo = item(CHEMOTHERAPY, "20260101", "20260601")
    done = item(CHEMOTHERAPY, "20260101", "20260601", status=ItemStatus.DONE, done_end="20260529")
    assert kinds(diff(plan(chemo), plan(done))) == ["ItemCompleted"]


def test_a_negated_item_is_stopped() -> None:
    surgery = item(SURGERY, "20260310")
    (change,) = diff(plan(surgery), plan(replace(surgery, negated=True)))
    assert isinstance(change, ItemStopped) and change.end is None


def test_items_are_matched_by_place_too() -> None:
    radio = item(RADIOTHERAPY, "20260303", "20260324")
    elsewhere = replace(radio, places=())
    assert sorted(kinds(diff(plan(radio), plan(elsewhere)))) == ["ItemAdded", "ItemRemoved"]


def test_two_treatments_of_one_kind_are_paired_by_their_words_not_their_position() -> None:
    first = item(CHEMOTHERAPY, "20260101", "20260201", label="FOLFOX")
    second = item(CHEMOTHERAPY, "20260301", "20260401", label="LV5FU2")
    moved_first = item(CHEMOTHERAPY, "20260501", "20260601", label="FOLFOX")
    (change,) = diff(plan(first, second), plan(second, moved_first))
    assert isinstance(change, ItemRescheduled) and change.new.label == "FOLFOX"


def test_contact_added_removed_and_phone_changed() -> None:
    gp = contact("Alex FICTIF", "0600000001")
    other = contact("Louis PROTO", "0600000009")
    assert kinds(diff(plan(contacts=(gp,)), plan(contacts=(other,)))) == ["ContactAdded", "ContactRemoved"]
    assert isinstance(diff(plan(contacts=()), plan(contacts=(gp,)))[0], ContactAdded)
    assert isinstance(diff(plan(contacts=(gp,)), plan(contacts=()))[0], ContactRemoved)
    (change,) = diff(plan(contacts=(gp,)), plan(contacts=(contact("Alex FICTIF", "0600000002"),)))
    assert isinstance(change, ContactDetailChanged) and change.detail == ContactDetail.PHONE
    assert (change.old_values, change.new_values) == (("0600000001",), ("0600000002",))


def test_the_same_phone_written_differently_is_not_a_change() -> None:
    a = plan(contacts=(contact("Alex FICTIF", "0600000001"),))
    b = plan(contacts=(contact("Alex FICTIF", "06 00 00 00 01"),))
    assert diff(a, b) == ()


def test_illness_changes_come_first() -> None:
    relapse = Phase(Code(TA_ASIP, "MED-244", "Rechute"))
    spread = Progression(present=True, distant=True)
    stop = TreatmentStop(stopped=True, date=day("20260401"))
    later = replace(BASE, phase=relapse, progression=spread, treatment_stop=stop, programme=())
    changes = diff(BASE, later)
    assert isinstance(changes[0], TreatmentStopChanged)
    assert {type(c) for c in changes[1:3]} == {PhaseChanged, ProgressionChanged}
    assert all(isinstance(c, ItemRemoved) for c in changes[3:])


def test_stage_change_in_the_diagnosis() -> None:
    site = Code("2.16.840.1.113883.6.3", "C50.4", "Sein")
    before = replace(BASE, diagnoses=(Diagnosis(topography=site, clinical_stage=Code("tnm", "IIA", "Stade IIA")),))
    after = replace(BASE, diagnoses=(Diagnosis(topography=site, clinical_stage=Code("tnm", "IIIB", "Stade IIIB")),))
    (change,) = diff(before, after)
    assert isinstance(change, DiagnosisChanged) and change.part == DiagnosisPart.STAGE


def test_reason_for_update_changed() -> None:
    (change,) = diff(plan(reason="GEN-176"), plan(reason="MED-560"))
    assert isinstance(change, UpdateReasonChanged) and change.new == Code(TA_ASIP, "MED-560")


# --- the synthetic cases' real version pairs ---------------------------------------------------------------


def test_breast_v1_to_v2_is_a_calendar_change() -> None:
    changes = diff(synthetic("breast", 1), synthetic("breast", 2))
    moved = {c.new.type.code for c in changes if isinstance(c, ItemRescheduled) and c.new.type}
    assert {"C15313", "387713003", "C15445"} <= moved  # radiotherapy, surgery, hormone therapy
    assert not [c for c in changes if isinstance(c, ItemStopped | TreatmentStopChanged | PhaseChanged)]


def test_breast_v3_stops_active_treatment() -> None:
    changes = diff(synthetic("breast", 2), synthetic("breast", 3))
    assert isinstance(changes[0], TreatmentStopChanged) and changes[0].new is not None
    done = {c.new.type.code for c in changes if isinstance(c, ItemCompleted) and c.new.type}
    assert {"C15632", "387713003", "C15313"} <= done


def test_colon_v2_stops_oxaliplatin_and_adds_lv5fu2() -> None:
    changes = diff(synthetic("colon", 1), synthetic("colon", 2))
    stopped = [c for c in changes if isinstance(c, ItemStopped)]
    assert [c.old.label for c in stopped] == ["Chimiothérapie adjuvante FOLFOX (12 cures)"]
    added = [c.item.label for c in changes if isinstance(c, ItemAdded)]
    assert "Chimiothérapie LV5FU2 sans oxaliplatine (4 cures)" in added


def test_lung_v2_notes_progression_and_targeted_therapy() -> None:
    changes = diff(synthetic("lung", 1), synthetic("lung", 2))
    assert any(isinstance(c, ProgressionChanged) for c in changes)
    assert any(isinstance(c, ItemAdded) and c.item.type and c.item.type.code == "C93352" for c in changes)


def test_prostate_v2_is_administrative_only() -> None:
    changes = diff(synthetic("prostate", 1), synthetic("prostate", 2))
    administrative = {ContactAdded, ContactRemoved, ContactDetailChanged, UpdateReasonChanged, DocumentDetailChanged}
    assert {type(c) for c in changes} <= administrative
    assert all(c.rank >= Rank.CONTACTS for c in changes)


def test_larynx_v2_removes_the_refused_surgery() -> None:
    changes = diff(synthetic("larynx", 1), synthetic("larynx", 2))
    assert any(isinstance(c, ItemRemoved) and c.item.type and c.item.type.code == "387713003" for c in changes)


def test_thyroid_v2_postpones_radioiodine() -> None:
    changes = diff(synthetic("thyroid", 1), synthetic("thyroid", 2))
    assert any(isinstance(c, ItemRescheduled) and c.new.type and c.new.type.code == "MED-232" for c in changes)


# --- properties --------------------------------------------------------------------------------------------

TYPES = [RADIOTHERAPY, CHEMOTHERAPY, SURGERY, NUTRITION, Code(NUTRITION.system, "PAT-024", "Aide à domicile")]


@st.composite
def items(draw: st.DrawFn) -> ProgrammeItem:
    type_ = draw(st.sampled_from(TYPES))
    kind = ItemKind.SUPPORTIVE_CARE if type_.system == TA_ASIP else ItemKind.TREATMENT
    start = draw(st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2027, 12, 31)))
    length = draw(st.integers(min_value=0, max_value=200))
    end = start + dt.timedelta(days=length)
    return ProgrammeItem(
        kind=kind,
        status=draw(st.sampled_from(list(ItemStatus))),
        type=type_,
        label=draw(st.sampled_from(["A", "B", None])),
        planned_dates=Period(low=HL7Time.from_date(start), high=HL7Time.from_date(end)),
    )


def as_plan(entries: list[ProgrammeItem]) -> CarePlan:
    return plan(*entries)


@settings(max_examples=60, deadline=None)
@given(st.lists(items(), max_size=8))
def test_property_no_change_against_itself(entries: list[ProgrammeItem]) -> None:
    assert diff(as_plan(entries), as_plan(entries)) == ()


@settings(max_examples=60, deadline=None)
@given(st.lists(items(), max_size=8), st.randoms(use_true_random=False))
def test_property_reordering_is_no_change(entries: list[ProgrammeItem], rnd: object) -> None:
    shuffled = list(entries)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert diff(as_plan(entries), as_plan(shuffled)) == ()


@settings(max_examples=60, deadline=None)
@given(st.lists(items(), max_size=6), st.lists(items(), max_size=6))
def test_property_added_and_removed_are_mirror_images(a: list[ProgrammeItem], b: list[ProgrammeItem]) -> None:
    forward, backward = diff(as_plan(a), as_plan(b)), diff(as_plan(b), as_plan(a))
    assert sorted(repr(c.item) for c in forward if isinstance(c, ItemAdded)) == sorted(
        repr(c.item) for c in backward if isinstance(c, ItemRemoved)
    )
    assert sorted(repr(c.item) for c in forward if isinstance(c, ItemRemoved)) == sorted(
        repr(c.item) for c in backward if isinstance(c, ItemAdded)
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(items(), min_size=1, max_size=6), st.data())
def test_property_an_added_item_is_reported_and_nothing_else(entries: list[ProgrammeItem], data: st.DataObject) -> None:
    new = replace(data.draw(items()), type=Code(TA_ASIP, "MED-126", "Greffe"), kind=ItemKind.TREATMENT)
    (change,) = diff(as_plan(entries), as_plan([*entries, new]))
    assert isinstance(change, ItemAdded) and change.item == new


@settings(max_examples=60, deadline=None)
@given(st.lists(items(), min_size=1, max_size=6), st.integers(min_value=1, max_value=90), st.data())
def test_property_a_moved_item_is_one_reschedule(entries: list[ProgrammeItem], days: int, data: st.DataObject) -> None:
    unique = {(i.type, i.label): i for i in entries}  # one item per meaning, so the moved one is unambiguous
    entries = list(unique.values())
    index = data.draw(st.integers(min_value=0, max_value=len(entries) - 1))
    target = entries[index]
    assert target.planned_dates is not None and target.planned_dates.low and target.planned_dates.high
    shift = dt.timedelta(days=days)
    low, high = target.planned_dates.low.to_date(), target.planned_dates.high.to_date()
    assert low and high
    moved = replace(
        target, planned_dates=Period(low=HL7Time.from_date(low + shift), high=HL7Time.from_date(high + shift))
    )
    (change,) = diff(as_plan(entries), as_plan([*entries[:index], moved, *entries[index + 1 :]]))
    assert isinstance(change, ItemRescheduled) and change.old == target and change.new == moved
