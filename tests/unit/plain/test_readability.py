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


# --- what is scored ----------------------------------------------------------------------------------------------
#
# Prose is scored, sentence by sentence: every sentence at most 20 words, and at least 60 for Kandel–Moles (French)
# or Flesch (English). The rule for what is prose, for every string a person reads (the catalogue, the labels'
# explanations, the glossary's definitions):
#
# - prose: a string written as a sentence (it ends with . ! ? or …), or any string of four words or more, whatever
#   it ends with (a heading, a line before a colon, a link's words); a placeholder (a name, a date, a number)
#   counts as one word;
# - not prose: up to three words without a sentence end (labels, button names, short headings: "Qui appeler",
#   "Se déconnecter", "Version %(version)s"), and names: the plain names of codes and the glossary's terms, which
#   name a thing (their explanations and definitions are prose). Names are held to 20 words.

_DOWNLOAD = "« Télécharger » (four syllables) is the word every phone and website uses; no shorter one says it"
_ACCESSIBLE = "“accessible” tells that the PDF works with screen readers; no shorter word says it"
_BRAND = "FranceConnect+ is the name of the national sign-in service, written as its own button writes it"
_LEGAL = "the legal term (représentant légal) a representative reads on their own papers; a vaguer one is not exact"

#: Sentences that score under the minimum and stay, each with the reason (the score counts syllables: a long word
#: people know weighs on a short sentence). Keyed by (language, English msgid).
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("fr", "Download all the files"): _DOWNLOAD,
    ("fr", "Download to your device"): _DOWNLOAD,
    ("fr", "Get the calendar file"): _DOWNLOAD,
    ("fr", "Download it as an accessible PDF"): _DOWNLOAD,
    ("fr", "Download the plan as an accessible PDF"): _DOWNLOAD,
    ("en", "Download it as an accessible PDF"): _ACCESSIBLE,
    ("en", "Download this report as an accessible PDF"): _ACCESSIBLE,
    ("fr", "Personalised care plan"): "the document's official name (programme personnalisé de soins, PPS), as on "
    "the patient's papers; the glossary explains it",
    ("fr", "Sign in with FranceConnect+"): _BRAND,
    ("en", "Sign in with FranceConnect+"): _BRAND,
    ("en", "Your account has a basic level. We need the higher level of FranceConnect+."): _BRAND,
    ("fr", "The plan of %(name)s. You are their legal representative."): _LEGAL,
    ("en", "The plan of %(name)s. You are their legal representative."): _LEGAL,
    ("en", "The service is unavailable for now"): "the English words are in portal/web/errors.py, which is being "
    "moved into a package: reword it there after the move (the French passes)",
}


def is_prose(text: str) -> bool:
    return is_sentence(text) or len(words(text)) >= 4


def _parts(item: Written) -> list[str]:
    return sentences(item.text) or [item.text]


def _too_long(item: Written) -> bool:
    return any(len(words(part)) > MAX_WORDS for part in _parts(item))


def _score(text: str, lang: str) -> float:
    return kandel_moles(text) if lang == "fr" else flesch_reading_ease(text)


def _hard(item: Written) -> list[tuple[str, float]]:
    """The sentences of `item` that score under the minimum."""
    return [(part, score) for part in _parts(item) if (score := _score(part, item.lang)) < MINIMUM]


def _report(items: list[tuple[Written, str, float]]) -> str:
    return "\n".join(f"{score:5.1f} [{item.lang}] {item.where}: {part}" for item, part, score in items)


def _hard_ones(items: list[Written]) -> list[tuple[Written, str, float]]:
    return [
        (item, part, score)
        for item in items
        if (item.lang, item.source) not in EXCEPTIONS
        for part, score in _hard(item)
    ]


def test_every_label_is_at_most_20_words() -> None:
    assert not [item.text for item in labels() if _too_long(item)]


def test_every_explanation_and_definition_is_at_most_20_words_a_sentence() -> None:
    assert not [item.text for item in written_sentences() if _too_long(item)]


def test_every_sentence_of_every_explanation_and_definition_reads_plainly() -> None:
    hard = _hard_ones(list(written_sentences()))
    assert not hard, f"{len(hard)} sentences score under {MINIMUM}:\n{_report(hard)}"


SOURCE_LANG = "en"  # msgids are English; French is a translation
_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}")


def _catalogue(lang: Lang) -> list[Written]:
    """Every string of the catalogue as shown in `lang` (plural forms each), placeholders as one short word."""
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
            if shown:
                found.append(Written(lang, f"messages.po msgid {ids[0]!r}", shown, ids[0]))
    return found


def _prose(lang: Lang) -> list[Written]:
    return [item for item in _catalogue(lang) if is_prose(item.text)]


@pytest.mark.parametrize(
    ("text", "prose"),
    [
        ("Qui appeler", False),
        ("Se déconnecter", False),
        ("Version X", False),
        ("X, by X", False),
        ("Appelez le 15.", True),
        ("Ajouter les rendez-vous à votre agenda", True),
        ("Appelez le SAMU :", False),
        ("Appelez le numéro d’urgence pour toute l’Europe :", True),
    ],
)
def test_what_counts_as_prose(text: str, prose: bool) -> None:
    assert is_prose(text) is prose


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_prose_string_is_at_most_20_words_a_sentence(lang: Lang) -> None:
    assert not [item.text for item in _prose(lang) if _too_long(item)]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_sentence_of_every_prose_string_reads_plainly(lang: Lang) -> None:
    prose = _prose(lang)
    assert len(prose) > 400  # the catalogue was read
    hard = _hard_ones(prose)
    assert not hard, f"{len(hard)} sentences score under {MINIMUM}:\n{_report(hard)}"


def test_every_exception_is_still_needed_and_still_a_message() -> None:
    shown = {(item.lang, item.source): item for lang in ("fr", "en") for item in _prose(lang)}  # type: ignore[arg-type]
    for key, reason in EXCEPTIONS.items():
        assert reason.strip(), key
        assert key in shown, f"no longer a message: {key}"
        assert _hard(shown[key]), f"reads plainly now, remove the exception: {key}"
