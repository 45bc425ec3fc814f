"""Finding glossary words in a plan's text: whole words, longest first, abbreviations as written."""

from __future__ import annotations

import itertools

import pytest

from portal.plain import find_terms
from portal.plain.labels import Lang


def _found(text: str, lang: Lang) -> list[tuple[str, str]]:
    return [(text[start:end], entry.id) for start, end, entry in find_terms(text, lang)]


def test_the_longest_term_wins() -> None:
    text = "Radiothérapie externe puis radiothérapie."
    assert _found(text, "fr") == [
        ("Radiothérapie externe", "radiotherapie-externe"),
        ("radiothérapie", "radiotherapie"),
    ]


def test_case_and_accents_are_ignored_for_words() -> None:
    assert _found("CHIMIOTHERAPIE et Curiethérapie", "fr") == [
        ("CHIMIOTHERAPIE", "chimiotherapie"),
        ("Curiethérapie", "curietherapie"),
    ]


def test_offsets_point_into_the_original_text() -> None:
    text = "Après l’opération : métastases ?"
    matches = find_terms(text, "fr")
    assert [(text[s:e], entry.id) for s, e, entry in matches] == [
        ("opération", "chirurgie"),
        ("métastases", "metastase"),
    ]


def test_abbreviations_match_only_as_written() -> None:
    text = "Votre dossier passe en RCP ; le rcp et le Psa ne comptent pas, le PSA si."
    assert _found(text, "fr") == [("RCP", "rcp"), ("PSA", "psa")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("IRM puis PET-scan", [("IRM", "irm"), ("PET-scan", "tep")]),
        ("Injection de G-CSF.", [("Injection", "injection"), ("G-CSF", "g-csf")]),
        ("Le 3C vous appelle.", [("3C", "3c")]),
        ("Séances d'APA", [("APA", "activite-physique-adaptee")]),
        ("Pose d'un PAC", [("PAC", "chambre-implantable")]),
        ("Suivi par l'HAD et la MDPH", [("Suivi", "suivi"), ("HAD", "had"), ("MDPH", "mdph")]),
        ("Consultation d'annonce le 3 mars", [("Consultation d'annonce", "consultation-annonce")]),
        ("consultation d’annonce", [("consultation d’annonce", "consultation-annonce")]),
    ],
)
def test_french_sample_sentences(text: str, expected: list[tuple[str, str]]) -> None:
    assert _found(text, "fr") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Chemotherapy every 3 weeks, then surgery.", [("Chemotherapy", "chimiotherapie"), ("surgery", "chirurgie")]),
        ("Your GP and the MDT meeting", [("GP", "medecin-traitant"), ("MDT meeting", "rcp")]),
        (
            "Side effects: peripheral neuropathy.",
            [("Side effects", "effets-indesirables"), ("peripheral neuropathy", "neuropathie")],
        ),
        ("A PET scan and two MRI scans", [("PET scan", "tep"), ("MRI scans", "irm")]),
    ],
)
def test_english_sample_sentences(text: str, expected: list[tuple[str, str]]) -> None:
    assert _found(text, "en") == expected


def test_only_whole_words_match() -> None:
    # "stade" inside "stadeux", "PSA" inside "PSAT": no match.
    assert _found("stadeux PSAT chimiothérapies", "fr") == [("chimiothérapies", "chimiotherapie")]


def test_every_occurrence_is_returned_in_order() -> None:
    assert [entry.id for _, _, entry in find_terms("RCP, biopsie, RCP", "fr")] == ["rcp", "biopsie", "rcp"]


def test_matches_never_overlap() -> None:
    matches = find_terms("radiochimiothérapie concomitante et chimiothérapie", "fr")
    assert all(end <= start for (_, end, _), (start, _, _) in itertools.pairwise(matches))


@pytest.mark.parametrize("text", ["", "Bonjour.", "12/03/2026"])
def test_text_without_terms(text: str) -> None:
    assert find_terms(text, "fr") == []
