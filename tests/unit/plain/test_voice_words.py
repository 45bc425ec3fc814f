"""The words of the `plain` step speak to whoever reads: the patient, or someone who helps or represents them.

Plain labels and their explanations, glossary terms and definitions, and the sentences of "what changed" never say
"you" or "your" about the patient's body, care or plan ("the care team", "the plan", "the person"), so that a
caregiver reading about Germaine reads true words. The pages' own sentences are held to the same rule by
tests/unit/web/test_caregiver_voice.py, on what is rendered.
"""

from __future__ import annotations

import re

import pytest

from portal.plain.changes import change_sentences
from portal.plain.labels import Lang
from portal.pps.diff import diff
from tests.unit.history.plans import synthetic

from .strings import labels, sentences

#: "you", "your", "vous", "votre", "vos" as words ("rendez-vous" is an appointment, not a "vous").
SECOND_PERSON = re.compile(r"(?<![\w-])(you|your|yours|vous|votre|vos)(?![\w-])", re.IGNORECASE)


def test_labels_explanations_and_definitions_never_say_you() -> None:
    found = [f"[{w.lang}] {w.where}: {w.text}" for w in (*labels(), *sentences()) if SECOND_PERSON.search(w.text)]
    assert not found, "\n".join(found)


VERSIONS = (("breast", 3), ("colon", 2), ("lung", 3), ("prostate", 2), ("larynx", 2), ("thyroid", 2))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_what_changed_never_says_you(lang: Lang) -> None:
    told = [
        text
        for key, versions in VERSIONS
        for first in range(1, versions)
        for later in range(first + 1, versions + 1)
        for sentence in change_sentences(diff(synthetic(key, first), synthetic(key, later)), lang)
        for text in (sentence.text, sentence.lead or "")
    ]
    assert len(told) > 40
    assert not [text for text in told if SECOND_PERSON.search(text)]
