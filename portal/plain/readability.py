"""Readability scores for every sentence the portal writes (`plain` step, used by the tests).

Kandel–Moles for French (the French adaptation of Flesch: 207 − 1.015 × words/sentence − 73.6 × syllables/word)
and Flesch reading ease for English (206.835 − 1.015 × words/sentence − 84.6 × syllables/word). Higher is easier;
the project asks for at least 60. Syllables are counted with the usual written-language heuristics: French vowel
groups with the silent final e; English vowel groups with silent endings.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = [
    "flesch_reading_ease",
    "is_sentence",
    "kandel_moles",
    "sentences",
    "syllables_en",
    "syllables_fr",
    "words",
]

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_SENTENCE_END = re.compile(r"[.!?…]+(?=\s|$)")

_FR_VOWELS = "aàâäeèêëiîïoôöuùûüyœæ"
# "é" ends a vowel group (réanimation: ré-a-ni-ma-tion; créée: cré-ée); other vowels join (eau, oui, ien).
_FR_NUCLEUS = re.compile(f"[{_FR_VOWELS}]*é|[{_FR_VOWELS}]+")
_FR_SILENT_U = re.compile(r"qu|gu(?=[eéèêëiîïy])")
_EN_NUCLEUS = re.compile(r"[aeiouy]+")


def words(text: str) -> list[str]:
    """The words of a text: runs of letters or digits, with inner apostrophes and hyphens kept."""
    return _WORD.findall(text)


def sentences(text: str) -> list[str]:
    """The sentences of a text, split after . ! ? … followed by a space or the end."""
    parts = [part.strip() for part in _SENTENCE_END.split(text)]
    return [part for part in parts if words(part)]


def is_sentence(text: str) -> bool:
    """True when the text is written as a sentence (ends with . ! ? or …), not a label or a title."""
    return text.rstrip().rstrip("»\"')").endswith((".", "!", "?", "…"))


def _fr_part_syllables(word: str) -> int:
    # The u of "qu" and of "gu" before e/i is not sounded: "jusqu", "que", "guérir".
    word = _FR_SILENT_U.sub(lambda m: m.group(0)[0], word.lower())
    nuclei = _FR_NUCLEUS.findall(word)
    count = len(nuclei)
    # Silent final e: "cellule(s)" (cel-lule), "année" (an-née); "le" keeps its one syllable, and "ie"/"ue" are
    # already one group with their vowel.
    if count > 1 and nuclei[-1] == "e" and word.endswith(("e", "es")):
        count -= 1
    return count


def syllables_fr(word: str) -> int:
    """Syllables of a French word; hyphenated parts count apart and an elided "l'" "d'" "qu'" adds none.

    "l'hôpital" → 3, "peut-être" → 2. A number counts as one (most in our texts are short: 15, 112, 3).
    """
    return max(sum(_fr_part_syllables(part) for part in re.split(r"['’-]", word) if part), 1)


def _en_word_syllables(word: str) -> int:
    word = word.lower()
    if not any(ch.isalpha() for ch in word):
        return 1
    if len(word) <= 3:
        return 1
    stem = word
    # Silent endings: "-es" and "-ed" after most consonants, a final "e" not in "-le" ("little") or "-ee".
    if re.search(r"[^aeiouy](es|ed)$", stem) and not re.search(r"(ses|zes|ces|ges|ches|shes|xes|ted|ded)$", stem):
        stem = stem[:-2]
    elif stem.endswith("e") and not re.search(r"([^aeiouy]le|ee|ye)$", stem):
        stem = stem[:-1]
    count = len(_EN_NUCLEUS.findall(stem))
    # Vowel pairs said as two syllables: "radiation" (ra-di-a-tion), "radio", "diet", "video", "usual".
    count += len(re.findall(r"ia(?!n$)|io(?!n|us)|iet|eo(?!p)|(?<!q)ua(?!y)|uo", stem))
    if stem.startswith("y"):
        count -= 1  # a leading y is a consonant ("you", "year")
    return max(count, 1)


def syllables_en(word: str) -> int:
    """Syllables of an English word (hyphenated parts counted apart: "follow-up" → 3)."""
    return sum(_en_word_syllables(part) for part in re.split(r"-", word.replace("’", "'").split("'")[0]) if part)


def _score(text: str, base: float, per_word: float, count: Callable[[str], int]) -> float:
    found = words(text)
    if not found:
        return 100.0  # nothing to read is not hard to read
    sentence_count = max(len(sentences(text)), 1)
    syllable_count = sum(count(word) for word in found)
    return base - 1.015 * len(found) / sentence_count - per_word * syllable_count / len(found)


def kandel_moles(text: str) -> float:
    """Kandel–Moles reading ease of a French text (≥ 60 is plain)."""
    return _score(text, 207.0, 73.6, syllables_fr)


def flesch_reading_ease(text: str) -> float:
    """Flesch reading ease of an English text (≥ 60 is plain)."""
    return _score(text, 206.835, 84.6, syllables_en)
