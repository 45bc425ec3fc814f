"""The same person in another region's store: the INS and every identity trait, compared as the INS rules do (case,
accents, hyphens and apostrophes do not count), a missing trait never counts as a match."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.access.identity import mismatch, normalise
from portal.store.resources import Identifier, PatientRecord, patient_from_fhir

INS = Identifier("2850575123456", "urn:oid:1.2.250.1.213.1.4.10")
HOME = PatientRecord(
    id="pat-home",
    family="Exemple",
    given=("Éloïse", "Marie"),
    display_name="Éloïse Exemple",
    birth_date=date(1985, 5, 1),
    ins=INS,
    birth_family="d'Exemple-Fictif",
    birth_given="Éloïse",
    gender="female",
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("d'Exemple-Fictif", "D EXEMPLE FICTIF"),
        ("D’EXEMPLE  FICTIF", "D EXEMPLE FICTIF"),
        ("Éloïse", "ELOISE"),
        ("  jean--pierre ", "JEAN PIERRE"),
        ("Œdipe", "ŒDIPE"),  # a ligature is a letter of its own, as in the INS traits
    ],
)
def test_names_are_compared_without_case_accents_hyphens_or_apostrophes(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_the_same_person_written_another_way_matches() -> None:
    other = replace(HOME, id="pat-nord", birth_family="D EXEMPLE FICTIF", birth_given="ELOISE", family="EXEMPLE")
    assert mismatch(HOME, other) is None


@pytest.mark.parametrize(
    ("change", "trait"),
    [
        ({"ins": Identifier("2850575123457", INS.system)}, "ins"),
        ({"ins": Identifier(INS.value, "urn:oid:1.2.250.1.213.1.4.8")}, "ins"),
        ({"ins": None}, "ins"),
        ({"birth_family": "Exemples-Fictif"}, "birth_family"),
        ({"birth_given": "Eloise-Marie"}, "birth_given"),
        ({"birth_date": date(1985, 5, 2)}, "birth_date"),
        ({"birth_date": None}, "birth_date"),
        ({"gender": "male"}, "gender"),
        ({"gender": None}, "gender"),
    ],
)
def test_any_other_difference_or_a_missing_trait_is_a_mismatch(change: dict[str, object], trait: str) -> None:
    assert mismatch(HOME, replace(HOME, id="pat-nord", **change)) == trait  # type: ignore[arg-type]


def test_a_home_patient_without_ins_matches_nobody() -> None:
    assert mismatch(replace(HOME, ins=None), HOME) == "ins"


@given(st.text(alphabet="abcdeéèêëàçôï-' ", min_size=1, max_size=20))
def test_normalising_twice_changes_nothing_and_only_the_rules_differences_vanish(name: str) -> None:
    once = normalise(name)
    assert normalise(once) == once
    assert normalise(name.upper().replace("-", " ").replace("'", "’")) == once


def test_the_traits_are_read_from_the_birth_name() -> None:
    patient = patient_from_fhir(
        {
            "resourceType": "Patient",
            "id": "pat-1",
            "identifier": [{"system": INS.system, "value": INS.value}],
            "name": [
                {"use": "usual", "family": "Martin", "given": ["Lou"]},
                {"use": "official", "family": "Exemple", "given": ["Louise", "Anne"]},
            ],
            "gender": "female",
            "birthDate": "1985-05-01",
        }
    )
    assert (patient.family, patient.birth_family, patient.birth_given, patient.gender) == (
        "Martin",
        "Exemple",
        "Louise",
        "female",
    )
    assert patient.ins == INS
