"""The diff of what a page shows beyond dates and codes: people and places of an item, the people close to the
patient, the illness's dated facts and notes, contacts' details, the plan's author and keeper; and records."""

from __future__ import annotations

import json
from dataclasses import replace

from portal.pps.changes import (
    ContactDetail,
    ContactDetailChanged,
    DateChanged,
    DatedFact,
    DocumentDetail,
    DocumentDetailChanged,
    IllnessNote,
    IllnessNoteChanged,
    ItemContactChanged,
    ItemDetail,
    ItemDetailChanged,
    ProgressionChanged,
    Rank,
    RelativeAdded,
    RelativeDetailChanged,
    RelativeRemoved,
)
from portal.pps.diff import diff
from portal.pps.model import (
    Address,
    Author,
    CarePlan,
    Code,
    Diagnosis,
    HealthProfessional,
    ItemKind,
    ItemReason,
    Organization,
    Phase,
    Place,
    Progression,
    RelatedPerson,
    Telecom,
)
from tests.unit.history.plans import BASE, NUTRITION, RADIOTHERAPY, TA_ASIP, contact, day, item, plan, synthetic

DOCTOR = HealthProfessional(
    name=replace(contact("Alex FICTIF", "0").person, prefix=("DR",)),
    telecoms=(Telecom("tel:0600000001"),),
    organization=Organization(name="Clinique Fictive"),
)
RADIO = replace(item(RADIOTHERAPY, "20260303", "20260324"), performers=(DOCTOR,))
SUPPORT = replace(item(NUTRITION, "20260201", "20260601", kind=ItemKind.SUPPORTIVE_CARE), performers=(DOCTOR,))
SITE = Code("2.16.840.1.113883.6.3", "C50.4", "Sein")


def with_doctor(**fields: object) -> CarePlan:
    return plan(replace(RADIO, performers=(replace(DOCTOR, **fields),)), SUPPORT)


def test_a_professionals_new_phone_is_told_with_the_item_it_follows() -> None:
    (change,) = diff(with_doctor(), with_doctor(telecoms=(Telecom("tel:06 00 00 00 42"),)))
    assert isinstance(change, ItemContactChanged) and change.detail == ContactDetail.PHONE
    assert (change.old_values, change.new_values) == (("0600000001",), ("0600000042",))
    assert change.performer is not None and change.new.type == RADIOTHERAPY and change.rank == Rank.DETAIL


def test_the_same_professionals_phone_on_a_support_item_belongs_to_support() -> None:
    moved = plan(RADIO, replace(SUPPORT, performers=(replace(DOCTOR, telecoms=(Telecom("tel:0600000042"),)),)))
    (change,) = diff(plan(RADIO, SUPPORT), moved)
    assert isinstance(change, ItemContactChanged) and change.rank == Rank.SUPPORT


def test_a_professional_named_differently_is_a_change_of_people_and_their_structure_a_change_of_workplace() -> None:
    renamed = with_doctor(name=replace(DOCTOR.name, family="AUTRE"))
    (change,) = diff(with_doctor(), renamed)
    assert isinstance(change, ItemDetailChanged) and change.detail == ItemDetail.PEOPLE
    (change,) = diff(with_doctor(), with_doctor(organization=Organization(name="Hôpital Fictif")))
    assert isinstance(change, ItemContactChanged) and change.detail == ContactDetail.ORGANISATION


def test_a_place_keeps_its_name_and_changes_its_address() -> None:
    place = Place(name="Hôpital Fictif", addresses=(Address(street_name="1 rue Une", city="VALFLEURI"),))
    moved = replace(place, addresses=(Address(street_name="2 rue Deux", city="VALFLEURI"),))
    (change,) = diff(plan(replace(RADIO, places=(place,))), plan(replace(RADIO, places=(moved,))))
    assert isinstance(change, ItemContactChanged) and change.detail == ContactDetail.ADDRESS
    assert change.new_values == ("2 rue Deux, VALFLEURI",)


def test_the_teams_words_on_an_item_are_compared() -> None:
    for field, detail in (
        ("comment", ItemDetail.COMMENT),
        ("side_effects", ItemDetail.SIDE_EFFECTS),
        ("label", ItemDetail.TEAM_NAME),
    ):
        (change,) = diff(plan(RADIO), plan(replace(RADIO, **{field: "Autre texte"})))
        assert isinstance(change, ItemDetailChanged) and change.detail == detail, field
    reason = ItemReason(Code("2.16.840.1.113883.6.1", "29463-7", "Poids"), value="70 kg")
    (change,) = diff(plan(RADIO), plan(replace(RADIO, reasons=(reason,))))
    assert isinstance(change, ItemDetailChanged) and change.values(change.new) == ("Poids 70 kg",)


def test_a_contact_reached_through_its_organisation_compares_what_its_card_shows() -> None:
    gp = replace(contact("Alex FICTIF", "0600000001"), telecoms=())
    clinic = Organization(name="Cabinet", telecoms=(Telecom("tel:0600000009"),))
    own = replace(gp, organization=clinic, telecoms=(Telecom("tel:0600000001"),))
    # The card shows the person's own phone: the organisation's number is not shown, so it is not compared.
    other_clinic = replace(clinic, telecoms=(Telecom("tel:0600000077"),))
    assert diff(plan(contacts=(own,)), plan(contacts=(replace(own, organization=other_clinic),))) == ()
    # Without their own phone, the organisation's is the one to call.
    (change,) = diff(
        plan(contacts=(replace(gp, organization=clinic),)), plan(contacts=(replace(gp, organization=other_clinic),))
    )
    assert isinstance(change, ContactDetailChanged) and change.new_values == ("0600000077",)


def test_a_contacts_web_site_note_and_address_are_compared() -> None:
    gp = contact("Alex FICTIF", "0600000001")
    for changed, detail in (
        (replace(gp, telecoms=(*gp.telecoms, Telecom("https://exemple.test"))), ContactDetail.WEB),
        (replace(gp, comment="Le mardi seulement"), ContactDetail.NOTE),
        (replace(gp, addresses=(Address(city="VALFLEURI"),)), ContactDetail.ADDRESS),
    ):
        (change,) = diff(plan(contacts=(gp,)), plan(contacts=(changed,)))
        assert isinstance(change, ContactDetailChanged) and change.detail == detail


def test_people_close_to_the_patient() -> None:
    father = RelatedPerson("NOK", Code("2.16.840.1.113883.5.111", "FTH", "Père"), contact("Pierre FICTIF", "0").person)
    father = replace(father, telecoms=(Telecom("tel:0600000001"),))
    base = replace(BASE, trusted_persons=(father,), emergency_contacts=(father,))
    (change,) = diff(base, replace(base, trusted_persons=()))
    assert isinstance(change, RelativeRemoved) and change.trusted
    (change,) = diff(replace(base, emergency_contacts=()), base)
    assert isinstance(change, RelativeAdded) and not change.trusted
    moved = replace(father, telecoms=(Telecom("tel:0600000042"),))
    (change,) = diff(base, replace(base, emergency_contacts=(moved,)))
    assert isinstance(change, RelativeDetailChanged) and change.new_values == ("0600000042",)
    assert change.rank == Rank.CONTACTS


def test_the_illness_dates_and_notes() -> None:
    tumour = Diagnosis(topography=SITE, date=day("20260105"), stage_date=day("20260110"), comment="Petite tumeur")
    base = replace(BASE, diagnoses=(tumour,), phase=Phase(Code(TA_ASIP, "MED-268"), date=day("20260105")))
    later = replace(
        base,
        diagnoses=(replace(tumour, date=day("20260106"), stage_date=None, comment="Tumeur de 12 mm"),),
        phase=replace(base.phase, date=day("20260201")),
    )
    changes = diff(base, later)
    dates = {(c.fact, c.new) for c in changes if isinstance(c, DateChanged)}
    assert dates == {
        (DatedFact.FOUND, day("20260106")),
        (DatedFact.STAGED, None),
        (DatedFact.PHASE_START, day("20260201")),
    }
    (note,) = [c for c in changes if isinstance(c, IllnessNoteChanged)]
    assert note.note == IllnessNote.TUMOUR_COMMENT and note.rank == Rank.DIAGNOSIS
    assert {c.rank for c in changes if isinstance(c, DateChanged)} == {Rank.DIAGNOSIS, Rank.ILLNESS}


def test_a_progression_is_a_change_only_when_how_far_it_goes_changes() -> None:
    distant = Progression(present=True, distant=True)
    assert diff(replace(BASE, progression=distant), replace(BASE, progression=replace(distant, local=True))) == ()
    (change,) = diff(replace(BASE, progression=distant), replace(BASE, progression=replace(distant, distant=False)))
    assert isinstance(change, ProgressionChanged)


def test_who_wrote_and_who_keeps_the_plan() -> None:
    author = Author(None, DOCTOR)
    base = replace(BASE, metadata=replace(BASE.metadata, authors=(author,)))
    other = replace(author, professional=replace(DOCTOR, name=replace(DOCTOR.name, family="AUTRE")))
    (change,) = diff(base, replace(base, metadata=replace(base.metadata, authors=(other,))))
    assert isinstance(change, DocumentDetailChanged) and change.detail == DocumentDetail.AUTHOR
    assert change.new == ("Alex AUTRE",) and change.person == other.professional.name


def test_pdf_only_plans_compare_what_their_page_shows() -> None:
    pdf = replace(synthetic("pdf-only", 1))
    assert pdf.is_pdf_only
    moved = replace(pdf, contacts=pdf.contacts[1:])  # contacts are not on a PDF-only plan's page
    assert diff(pdf, moved) == ()
    retitled = replace(pdf, metadata=replace(pdf.metadata, title="Autre titre"))
    (change,) = diff(pdf, retitled)
    assert isinstance(change, DocumentDetailChanged) and change.detail == DocumentDetail.TITLE


def test_every_change_of_the_synthetic_versions_is_a_json_record() -> None:
    for key, versions in (("breast", 3), ("colon", 2), ("lung", 3), ("prostate", 2), ("larynx", 2), ("ovarian", 2)):
        for n in range(1, versions):
            for change in diff(synthetic(key, n), synthetic(key, n + 1)):
                record = change.record().as_dict()
                assert set(record) >= {"kind", "group", "item", "before", "after"}
                assert record["before"] != record["after"], record
                json.dumps(record)
