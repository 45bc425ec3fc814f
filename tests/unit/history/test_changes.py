"""Changes told as plain sentences, in French and English, most important first."""

from __future__ import annotations

from dataclasses import replace

import pytest

from portal.plain.changes import ChangeGroup, ChangeSentence, ChangeSentences, change_sentences
from portal.pps.changes import Rank
from portal.pps.diff import diff
from portal.pps.model import (
    Code,
    Diagnosis,
    HealthProfessional,
    ItemStatus,
    PersonName,
    RelatedPerson,
    Telecom,
    TreatmentStop,
)
from tests.unit.history.plans import BASE, CHEMOTHERAPY, RADIOTHERAPY, contact, day, item, plan, synthetic

MOVED = replace(
    BASE, programme=(BASE.programme[0], item(RADIOTHERAPY, "20260310", "20260324", rhythm="5 jours par semaine"))
)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "Radiotherapy: now starts on 10 March 2026 instead of 3 March 2026."),
        ("fr", "Radiothérapie : commence maintenant le 10 mars 2026 au lieu du 3 mars 2026."),
    ],
)
def test_a_moved_start_date_in_both_languages(lang: str, expected: str) -> None:
    (sentence,) = change_sentences(diff(BASE, MOVED), lang)  # type: ignore[arg-type]
    assert sentence.text == expected


@pytest.mark.parametrize(
    ("lang", "added", "removed"),
    [
        ("en", "New in the plan: chemotherapy, from 1 April 2026.", "No longer in the plan: chemotherapy."),
        (
            "fr",
            "Nouveau dans le programme : chimiothérapie, à partir du 1er avril 2026.",
            "Retiré du programme : chimiothérapie.",
        ),
    ],
)
def test_added_and_removed_treatments(lang: str, added: str, removed: str) -> None:
    more = replace(BASE, programme=(*BASE.programme, item(CHEMOTHERAPY, "20260401", "20260601")))
    assert [s.text for s in change_sentences(diff(BASE, more), lang)] == [added]  # type: ignore[arg-type]
    assert [s.text for s in change_sentences(diff(more, BASE), lang)] == [removed]  # type: ignore[arg-type]


def test_the_documents_own_words_come_as_a_detail() -> None:
    more = replace(BASE, programme=(*BASE.programme, item(CHEMOTHERAPY, "20260401", label="FOLFOX 12 cures")))
    (sentence,) = change_sentences(diff(BASE, more), "en")
    assert sentence.detail == "FOLFOX 12 cures"


def test_a_phone_change_in_french() -> None:
    before = plan(contacts=(contact("Alex FICTIF", "0600000001"),))
    after = plan(contacts=(contact("Alex FICTIF", "0600000002"),))
    (sentence,) = change_sentences(diff(before, after), "fr")
    assert sentence.text == "Alex Fictif : le numéro de téléphone est maintenant 06 00 00 00 02."


def test_stopped_early_in_english() -> None:
    chemo = item(CHEMOTHERAPY, "20260101", "20260601")
    stopped = item(CHEMOTHERAPY, "20260101", "20260601", status=ItemStatus.DONE, done_end="20260301")
    (sentence,) = change_sentences(diff(plan(chemo), plan(stopped)), "en")
    assert sentence.text == "Chemotherapy: stopped on 1 March 2026, earlier than planned."


def test_the_stop_of_active_treatments_is_told_first() -> None:
    later = replace(MOVED, treatment_stop=TreatmentStop(stopped=True, date=day("20260401")))
    sentences = change_sentences(diff(BASE, later), "fr")
    assert sentences[0].text == "Le programme indique maintenant la fin des traitements actifs, le 1er avril 2026."
    assert len(sentences) == 2


def test_every_sentence_is_short() -> None:
    for key, versions in (("breast", 3), ("colon", 2), ("lung", 3), ("prostate", 2), ("larynx", 2), ("thyroid", 2)):
        for n in range(1, versions):
            for lang in ("fr", "en"):
                for sentence in change_sentences(diff(synthetic(key, n), synthetic(key, n + 1)), lang):  # type: ignore[arg-type]
                    assert len(sentence.text.split()) <= 20, sentence.text


def test_prostate_v2_tells_the_new_gp_and_the_reason() -> None:
    sentences = [s.text for s in change_sentences(diff(synthetic("prostate", 1), synthetic("prostate", 2)), "en")]
    assert any(s.startswith("New contact: GP") and "Proto" in s for s in sentences)
    assert sentences[-1] == "Some practical details have changed."


def test_colon_v2_in_french_says_the_chemotherapy_stopped_early() -> None:
    sentences = [s.text for s in change_sentences(diff(synthetic("colon", 1), synthetic("colon", 2)), "fr")]
    assert sentences[0].startswith("Chimiothérapie : terminé le ")


# --- what the pages show beyond dates and codes, in both languages ---------------------------------------------

DOCTOR = HealthProfessional(
    name=PersonName(family="FICTIF", given=("Alex",), prefix=("DR",)), telecoms=(Telecom("tel:0600000001"),)
)
FOLLOWED = replace(BASE, programme=(BASE.programme[0], replace(BASE.programme[1], performers=(DOCTOR,))))


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "Radiotherapy: Dr Alex Fictif now answers on 06 00 00 00 42."),
        ("fr", "Radiothérapie : Dr Alex Fictif répond maintenant au 06 00 00 00 42."),
    ],
)
def test_a_professionals_new_phone_names_the_item(lang: str, expected: str) -> None:
    moved = replace(DOCTOR, telecoms=(Telecom("tel:0600000042"),))
    later = replace(FOLLOWED, programme=(BASE.programme[0], replace(BASE.programme[1], performers=(moved,))))
    (sentence,) = change_sentences(diff(FOLLOWED, later), lang)  # type: ignore[arg-type]
    assert sentence.text == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "The plan now says the illness was found on 6 January 2026."),
        ("fr", "Le programme indique maintenant que la maladie a été trouvée le 6 janvier 2026."),
    ],
)
def test_the_date_the_illness_was_found(lang: str, expected: str) -> None:
    tumour = Diagnosis(topography=Code("2.16.840.1.113883.6.3", "C50.4"), date=day("20260105"))
    before = replace(BASE, diagnoses=(tumour,))
    after = replace(BASE, diagnoses=(replace(tumour, date=day("20260106")),))
    (sentence,) = change_sentences(diff(before, after), lang)  # type: ignore[arg-type]
    assert sentence.text == expected


@pytest.mark.parametrize(
    ("lang", "removed", "added"),
    [
        ("en", "Pierre Fictif is no longer the trusted person.", "Pierre Fictif is now the person to call if needed."),
        (
            "fr",
            "Pierre Fictif n’est plus la personne de confiance.",
            "Pierre Fictif est maintenant la personne à prévenir.",
        ),
    ],
)
def test_people_close_to_the_patient_in_both_languages(lang: str, removed: str, added: str) -> None:
    father = RelatedPerson("NOK", name=PersonName(family="FICTIF", given=("Pierre",)))
    before = replace(BASE, trusted_persons=(father,))
    after = replace(BASE, emergency_contacts=(replace(father, role="ECON"),))
    assert [s.text for s in change_sentences(diff(before, after), lang)] == [added, removed]  # type: ignore[arg-type]


# --- grouped by what matters, each change as before → after ----------------------------------------------------


def test_groups_come_in_the_order_that_matters_each_with_its_heading() -> None:
    sentences = change_sentences(diff(synthetic("breast", 1), synthetic("breast", 3)), "en")
    groups = sentences.groups
    assert [g.group for g in groups] == sorted(g.group for g in groups)
    assert [g.heading for g in groups] == ["Treatments and follow-up", "Dates", "Support", "The plan document"]
    # Every sentence is told once, under its own group, in the diff's order within the group.
    assert sorted(s.text for g in groups for s in g.sentences) == sorted(s.text for s in sentences)
    for group in groups:
        assert all(s.group == group.group for s in group.sentences)
        in_order = [s.text for s in sentences if s.group == group.group]
        assert [s.text for s in group.sentences] == in_order
    french = change_sentences(diff(synthetic("breast", 1), synthetic("breast", 3)), "fr").groups
    assert [g.heading for g in french] == ["Traitements et suivi", "Dates", "Soutien", "Le document du programme"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_group_has_its_own_heading(lang: str) -> None:
    one_each = ChangeSentences((ChangeSentence("…", Rank.DOCUMENT, group=g) for g in reversed(ChangeGroup)), lang)  # type: ignore[arg-type]
    groups = one_each.groups
    assert [g.group for g in groups] == list(ChangeGroup)
    assert len({g.heading for g in groups}) == len(ChangeGroup) and all(g.heading for g in groups)


@pytest.mark.parametrize(
    ("lang", "lead", "before", "after"),
    [
        ("en", "Radiotherapy: the start date has changed.", "3 March 2026", "10 March 2026"),
        ("fr", "Radiothérapie : la date de début a changé.", "3 mars 2026", "10 mars 2026"),
    ],
)
def test_a_moved_date_reads_as_before_and_after(lang: str, lead: str, before: str, after: str) -> None:
    (sentence,) = change_sentences(diff(BASE, MOVED), lang)  # type: ignore[arg-type]
    assert sentence.shows_values and (sentence.lead, sentence.before, sentence.after) == (lead, before, after)
    assert sentence.group == ChangeGroup.DATES
    assert before in sentence.text and after in sentence.text  # the whole sentence still says both (CLI, JSON)


def test_a_change_with_one_value_only_is_told_as_its_sentence() -> None:
    more = replace(BASE, programme=(*BASE.programme, item(CHEMOTHERAPY, "20260401", "20260601")))
    (sentence,) = change_sentences(diff(BASE, more), "en")
    assert not sentence.shows_values and sentence.before is None and sentence.group == ChangeGroup.TREATMENTS


@pytest.mark.parametrize(
    ("lang", "lead", "before", "after"),
    [
        ("en", "Alex Fictif: the phone number has changed.", "06 00 00 00 01", "06 00 00 00 02"),
        ("fr", "Alex Fictif : le numéro de téléphone a changé.", "06 00 00 00 01", "06 00 00 00 02"),
    ],
)
def test_a_new_phone_number_reads_as_before_and_after_under_whom_to_call(
    lang: str, lead: str, before: str, after: str
) -> None:
    old = plan(contacts=(contact("Alex FICTIF", "0600000001"),))
    new = plan(contacts=(contact("Alex FICTIF", "0600000002"),))
    (sentence,) = change_sentences(diff(old, new), lang)  # type: ignore[arg-type]
    assert (sentence.lead, sentence.before, sentence.after) == (lead, before, after)
    assert sentence.group == ChangeGroup.CONTACTS


def test_a_professionals_phone_in_a_treatment_goes_under_whom_to_call() -> None:
    moved = replace(DOCTOR, telecoms=(Telecom("tel:0600000042"),))
    later = replace(FOLLOWED, programme=(BASE.programme[0], replace(BASE.programme[1], performers=(moved,))))
    (sentence,) = change_sentences(diff(FOLLOWED, later), "en")
    assert sentence.group == ChangeGroup.CONTACTS
    assert sentence.lead == "Radiotherapy: the phone number of Dr Alex Fictif has changed."
    assert (sentence.before, sentence.after) == ("06 00 00 00 01", "06 00 00 00 42")


def test_the_care_teams_own_name_for_an_entry_is_given_once() -> None:
    radiotherapy = BASE.programme[1]
    named = replace(radiotherapy, label="Radiothérapie du sein gauche (15 séances)")
    before = replace(BASE, programme=(BASE.programme[0], named))
    later = replace(named, planned_dates=MOVED.programme[1].planned_dates, rhythm=None)
    after = replace(BASE, programme=(BASE.programme[0], later))
    sentences = change_sentences(diff(before, after), "en")
    assert len(sentences) == 2 and all(s.detail == named.label for s in sentences)
    shown = [s.detail for g in sentences.groups for s in g.sentences]
    assert shown.count(named.label) == 1 and shown.count(None) == 1
