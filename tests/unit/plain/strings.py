"""Every string the `plain` step writes, gathered once for the word-count and readability tests."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from portal.plain import label_data
from portal.plain.glossary import GLOSSARY
from portal.plain.labels import Lang


@dataclass(frozen=True)
class Written:
    """One string we show: its language, where it comes from (for the failure message) and the text."""

    lang: Lang
    where: str
    text: str
    #: The message it comes from (the English msgid), for exceptions; empty for the plain step's own words.
    source: str = ""


def _words_tables() -> Iterator[tuple[str, label_data.Words]]:
    tables: dict[str, Mapping[Any, label_data.Words]] = {
        "concept": label_data.CONCEPT_WORDS,
        "extra": label_data.EXTRA_WORDS,
        "role": label_data.ROLE_WORDS,
        "role group": label_data.ROLE_GROUP_WORDS,
        "item kind": label_data.ITEM_KIND_WORDS,
        "progression": label_data.PROGRESSION_WORDS,
        "topography": label_data.TOPOGRAPHY,
        "laterality": label_data.LATERALITY,
        "behaviour": label_data.BEHAVIOUR,
        "morphology": label_data.MORPHOLOGY,
    }
    for table, rows in tables.items():
        for key, words in rows.items():
            yield f"{table} {key}", words


def labels() -> Iterator[Written]:
    """Plain names and glossary terms: short labels, not sentences."""
    for where, words in _words_tables():
        yield Written("fr", where, words.fr)
        yield Written("en", where, words.en)
    for entry in GLOSSARY:
        for lang in ("fr", "en"):
            yield Written(lang, f"glossary term {entry.id}", entry.term[lang])


def sentences() -> Iterator[Written]:
    """Explanations and definitions: the sentences a patient reads."""
    for where, words in _words_tables():
        if words.fr_explanation is not None:
            yield Written("fr", where, words.fr_explanation)
        if words.en_explanation is not None:
            yield Written("en", where, words.en_explanation)
    for entry in GLOSSARY:
        for lang in ("fr", "en"):
            yield Written(lang, f"glossary definition {entry.id}", entry.definition[lang])
