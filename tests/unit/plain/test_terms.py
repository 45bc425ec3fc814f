"""Finding glossary words in a plan's text: whole words, longest first, abbreviations as written."""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest

from portal.plain import find_terms, terms
from portal.plain.labels import Lang
from portal.pps import read_pps
from synthetic import build_documents


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


def _sorted_alternation(forms: list[str]) -> str:
    """The plain way to write the same choice: every form, longest first (Python's alternation takes the first
    alternative that matches at a position)."""
    return "|".join(re.escape(form) for form in sorted(set(forms), key=lambda form: (-len(form), form)))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_tree_of_forms_finds_what_a_sorted_alternation_finds(lang: Lang) -> None:
    _, words, _, abbreviations = terms._patterns(lang)
    # Every form at a word's start, alone, followed by letters (no match: whole words only), and beside its longer
    # and shorter neighbours; then the sentences of every synthetic plan.
    texts = [f"{form}. {form}x {form} {form}s, ({form})" for form in [*words, *abbreviations]]
    texts += sorted({text for plan in _synthetic_plans() for text in _strings(plan)})
    for forms, fold in ((list(words), terms.fold), (list(abbreviations), str)):
        tree = re.compile(f"{terms._BEFORE}(?:{terms._alternation(forms)}){terms._AFTER}")
        plain = re.compile(f"{terms._BEFORE}(?:{_sorted_alternation(forms)}){terms._AFTER}")
        for text in texts:
            folded = fold(text)
            assert [m.span() for m in tree.finditer(folded)] == [m.span() for m in plain.finditer(folded)], text


def test_a_form_that_a_longer_one_begins_is_still_found_when_the_longer_is_not_a_whole_word() -> None:
    pattern = re.compile(f"{terms._BEFORE}(?:{terms._alternation(['ab', 'abc', 'abcd', 'b'])}){terms._AFTER}")
    assert [m.group() for m in pattern.finditer("abc abcdx ab abcd b")] == ["abc", "ab", "abcd", "b"]


def _synthetic_plans() -> list[Any]:
    return [read_pps(document.cda) for document in build_documents() if document.kind == "pps" and document.cda]


def _strings(value: object) -> Iterator[str]:
    """Every text a plan holds, in every field."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            yield from _strings(getattr(value, field.name))
    elif isinstance(value, tuple | list):
        for element in value:
            yield from _strings(element)
