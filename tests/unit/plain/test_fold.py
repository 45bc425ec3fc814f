"""`fold` (glossary matching) keeps one character per character and ignores case and accents, whatever the text:
checked against the first, character-by-character version on any Unicode text."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.plain.terms import fold


def reference_fold(text: str) -> str:
    def one(ch: str) -> str:
        base = unicodedata.normalize("NFD", ch)[0].lower()
        return base if len(base) == 1 else ch

    return "".join(one(ch) for ch in text.replace("’", "'"))


@settings(derandomize=True, max_examples=500)
@given(st.text())
def test_fold_is_the_character_by_character_fold(text: str) -> None:
    folded = fold(text)
    assert folded == reference_fold(text) and len(folded) == len(text)


def test_fold_lowers_and_strips_accents() -> None:
    assert fold("CHIMIOTHÉRAPIE d’entretien, IRM") == "chimiotherapie d'entretien, irm"
