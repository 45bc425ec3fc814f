"""Readability: syllable counts, the two formulas, and every sentence we (and the translations) show."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from portal.plain.labels import Lang
from portal.plain.readability import (
    flesch_reading_ease,
    is_sentence,
    kandel_moles,
    sentences,
    syllables_en,
    syllables_fr,
    words,
)

from .strings import Written, labels
from .strings import sentences as written_sentences

ROOT = Path(__file__).resolve().parents[3]
MINIMUM = 60
MAX_WORDS = 20


@pytest.mark.parametrize(
    ("word", "count"),
    [
        ("le", 1),
        ("des", 1),
        ("être", 1),
        ("cellule", 2),
        ("cellules", 2),
        ("maladie", 3),
        ("année", 2),
        ("cancéreuses", 3),
        ("radiothérapie", 5),
        ("réanimation", 5),
        ("oiseau", 2),
        ("l'hôpital", 3),
        ("rendez-vous", 3),
        ("jusqu'au", 2),
        ("quatre", 1),
        ("guérir", 2),
        ("15", 1),
    ],
)
def test_french_syllables(word: str, count: int) -> None:
    assert syllables_fr(word) == count


@pytest.mark.parametrize(
    ("word", "count"),
    [
        ("the", 1),
        ("cells", 1),
        ("makes", 1),
        ("little", 2),
        ("treatment", 2),
        ("tumour", 2),
        ("medicine", 3),
        ("radiation", 4),
        ("chemotherapy", 5),
        ("follow-up", 3),
        ("you", 1),
    ],
)
def test_english_syllables(word: str, count: int) -> None:
    assert syllables_en(word) == count


def test_kandel_moles_follows_its_formula() -> None:
    # 6 words, 1 sentence, 6 syllables: 207 − 1.015 × 6 − 73.6 × 1.
    assert kandel_moles("Le chat dort sur le lit.") == pytest.approx(207 - 1.015 * 6 - 73.6 * 1)


def test_flesch_follows_its_formula() -> None:
    # 5 words, 1 sentence, 5 syllables: 206.835 − 1.015 × 5 − 84.6 × 1.
    assert flesch_reading_ease("The cat sat on mats.") == pytest.approx(206.835 - 1.015 * 5 - 84.6)


def test_long_words_and_long_sentences_score_lower() -> None:
    plain = "Vous avez un rendez-vous lundi."
    dense = "La pluridisciplinarité organisationnelle conditionne l'individualisation thérapeutique."
    assert kandel_moles(plain) > MINIMUM > kandel_moles(dense)


def test_sentences_and_words_are_split_as_a_reader_would() -> None:
    assert sentences("Un. Deux ! Trois ?") == ["Un", "Deux", "Trois"]
    assert words("L'équipe vous appelle, d'accord ?") == ["L'équipe", "vous", "appelle", "d'accord"]
    assert is_sentence("Appelez le 15.") and not is_sentence("Votre équipe")


def _too_long(item: Written) -> bool:
    parts = sentences(item.text) or [item.text]
    return any(len(words(part)) > MAX_WORDS for part in parts)


def _hard(item: Written) -> float | None:
    score = kandel_moles(item.text) if item.lang == "fr" else flesch_reading_ease(item.text)
    return score if score < MINIMUM else None


def _report(items: list[tuple[Written, float]]) -> str:
    return "\n".join(f"{score:5.1f} [{item.lang}] {item.where}: {item.text}" for item, score in items)


def test_every_label_is_at_most_20_words() -> None:
    assert not [item.text for item in labels() if _too_long(item)]


def test_every_explanation_and_definition_is_at_most_20_words_a_sentence() -> None:
    assert not [item.text for item in written_sentences() if _too_long(item)]


def test_every_explanation_and_definition_reads_plainly() -> None:
    hard = [(item, score) for item in written_sentences() if (score := _hard(item)) is not None]
    assert not hard, f"{len(hard)} strings score under {MINIMUM}:\n{_report(hard)}"


SOURCE_LANG = "en"  # msgids are English; French is a translation
_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}")


def _translated_sentences(lang: Lang) -> list[Written]:
    path = ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    found: list[Written] = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
        texts = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        for source, text in zip(ids * len(texts), texts, strict=False):
            # An empty translation shows the English msgid: scored in English, and the completeness test's business
            # in French.
            shown = text or (source if lang == SOURCE_LANG else "")
            # A placeholder stands for a name or a date: count it as one short word.
            shown = _PLACEHOLDER.sub("X", shown)
            if shown and is_sentence(shown):
                found.append(Written(lang, f"messages.po msgid {source!r}", shown))
    return found


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_translated_sentence_is_at_most_20_words_a_sentence(lang: Lang) -> None:
    assert not [item.text for item in _translated_sentences(lang) if _too_long(item)]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_translated_sentence_reads_plainly(lang: Lang) -> None:
    hard = [(item, score) for item in _translated_sentences(lang) if (score := _hard(item)) is not None]
    assert not hard, f"{len(hard)} messages score under {MINIMUM}:\n{_report(hard)}"
