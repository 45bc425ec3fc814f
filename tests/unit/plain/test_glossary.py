"""The glossary: enough entries, usable anchors, both languages, short definitions."""

from __future__ import annotations

import re

import pytest

from portal.plain import GLOSSARY, GlossaryEntry, glossary_entry, glossary_sorted
from portal.plain.labels import Lang
from portal.plain.readability import sentences, words

REQUIRED = [
    # care pathway
    "pps", "rcp", "3c", "medecin-traitant", "infirmier-coordination", "consultation-annonce", "soins-de-support",
    "had", "ald", "mdph", "personne-de-confiance", "representant-legal", "ins",
    # treatments and follow-up
    "chimiotherapie", "radiotherapie", "radiotherapie-externe", "curietherapie", "hormonotherapie", "immunotherapie",
    "therapie-ciblee", "chirurgie", "surveillance-active", "fenetre-therapeutique", "radiologie-interventionnelle",
    "iode-radioactif", "greffe", "biopsie", "irm", "scanner", "tep", "marqueur-tumoral", "psa", "thyroglobuline",
    "tnm", "stade", "metastase", "rechute", "remission", "neuropathie", "g-csf", "chambre-implantable",
    "effets-indesirables", "oncogeriatrie", "preservation-fertilite", "activite-physique-adaptee",
    "sevrage-tabagique",
]  # fmt: skip


def test_the_glossary_has_at_least_80_entries() -> None:
    assert len(GLOSSARY) >= 80


def test_ids_are_unique_ascii_anchors() -> None:
    ids = [entry.id for entry in GLOSSARY]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", entry_id) for entry_id in ids)


@pytest.mark.parametrize("entry_id", REQUIRED)
def test_the_words_of_the_care_pathway_are_defined(entry_id: str) -> None:
    assert glossary_entry(entry_id) is not None


def test_an_unknown_id_has_no_entry() -> None:
    assert glossary_entry("no-such-word") is None


@pytest.mark.parametrize("entry", GLOSSARY, ids=lambda entry: entry.id)
def test_every_entry_is_written_in_both_languages_in_short_sentences(entry: GlossaryEntry) -> None:
    for lang in ("fr", "en"):
        term = entry.term[lang]
        definition = entry.definition[lang]
        assert term.strip() and definition.strip()
        assert len(words(definition)) <= 20, definition
        assert definition.rstrip().endswith((".", "!", "?")), definition
        assert all(len(words(sentence)) <= 20 for sentence in sentences(definition))
        assert all(alias.strip() for alias in entry.aliases[lang])


def test_no_two_entries_claim_the_same_word() -> None:
    # One spelling links to one definition: a clash would send the reader to the wrong entry.
    for lang in ("fr", "en"):
        seen: dict[str, str] = {}
        for entry in GLOSSARY:
            for form in {entry.term[lang], *entry.aliases[lang]}:
                key = form.casefold()
                assert seen.setdefault(key, entry.id) == entry.id, (lang, form, seen[key], entry.id)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_glossary_sorts_per_language_ignoring_accents(lang: Lang) -> None:
    ordered = glossary_sorted(lang)
    assert sorted(entry.id for entry in ordered) == sorted(entry.id for entry in GLOSSARY)
    terms = [entry.term[lang] for entry in ordered]
    if lang == "fr":
        # "Échographie" sorts with the E's, between "Diététicien" and "Endoscopie".
        assert terms.index("Diététicien") < terms.index("Échographie") < terms.index("Endoscopie")
    else:
        assert terms.index("Active surveillance") < terms.index("Biopsy")
