"""Finding glossary words in a plan's text, so that pages can link each to its definition (`plain` step).

Ordinary terms match whole words, ignoring case and accents ("Chimiotherapie", "CHIMIOTHÉRAPIE"); forms written
like abbreviations (RCP, IRM, PSA, 3C, G-CSF, PET-scan) match case-sensitively, because "rcp" or "psa" in lower
case are rarely the abbreviation.
At each place the longest term wins ("radiothérapie externe" before "radiothérapie"); matches never overlap.
Choosing the first occurrence to link is the page's job: every match is returned, in text order.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from portal.plain.glossary import GLOSSARY, GlossaryEntry, Lang

__all__ = ["find_terms", "fold"]

# Whole words only: no letter or digit may touch a match ("\w" covers accented letters in Python's re).
_BEFORE = r"(?<![\w])"
_AFTER = r"(?![\w])"


@lru_cache(maxsize=4096)  # bounded: a document may hold any characters
def _fold_char(ch: str) -> str:
    base = unicodedata.normalize("NFD", ch)[0].lower()
    # Keep one character per character, so that offsets in the folded text are offsets in the original.
    return base if len(base) == 1 else ch


def fold(text: str) -> str:
    """Lower case without accents, same length as `text` (offsets stay valid). Typographic apostrophes → "'"."""
    if text.isascii():  # most of a plan's text: lower case is all there is to do
        return text.lower()
    return "".join(map(_fold_char, text.replace("’", "'")))


_ABBREVIATED = re.compile(r"[A-Z0-9][A-Z0-9-]*[A-Z0-9](?:-[a-z]+)?")


def _is_abbreviated(form: str) -> bool:
    """ "RCP", "3C", "G-CSF", "PET-scan": written in capitals (or digits), so matched as written."""
    return _ABBREVIATED.fullmatch(form) is not None


def _forms(entry: GlossaryEntry, lang: Lang) -> tuple[str, ...]:
    forms = [form.strip() for form in (entry.term[lang], *entry.aliases[lang]) if form.strip()]
    # Plain plurals of single words ("métastases", "scans"); multi-word plurals are listed as aliases.
    forms += [
        f"{form}s"
        for form in list(forms)
        if " " not in form and not _is_abbreviated(form) and not form.endswith(("s", "x", "z", ")"))
    ]
    return tuple(dict.fromkeys(forms))


#: A character → the tree of what may follow it; "" → {} where a form ends.
_Tree = dict[str, "_Tree"]


def _alternation(forms: list[str]) -> str:
    """One pattern matching any of `forms`, the longest first where several match at a position, written as a tree
    of their common beginnings ("chimio(?:th…|…)"): an alternation of hundreds of words tries each of them at every
    start of a word, the tree only those that begin as the text does (30 µs for a sentence, then 5 µs)."""
    tree: _Tree = {}
    for form in set(forms):
        node = tree
        for character in form:
            node = node.setdefault(character, {})
        node[""] = {}  # a form ends here
    return _written(tree)


def _written(tree: _Tree) -> str:
    # A longer form before the end of a shorter one: the pattern that follows (a word's end) may then still refuse
    # the longer one and take the shorter, as a sorted alternation does.
    branches = [re.escape(character) + _written(rest) for character, rest in sorted(tree.items()) if character]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" not in tree:
        return body
    if len(branches) == 1 and len(branches[0]) == 1:
        return body + "?"
    return "(?:" + body + ")?"


_Patterns = tuple[re.Pattern[str] | None, dict[str, GlossaryEntry], re.Pattern[str] | None, dict[str, GlossaryEntry]]


@cache
def _patterns(lang: Lang) -> _Patterns:
    words: dict[str, GlossaryEntry] = {}
    abbreviations: dict[str, GlossaryEntry] = {}
    for entry in GLOSSARY:
        if not entry.in_text:
            continue  # linked only from the labels that name it
        for form in _forms(entry, lang):
            if _is_abbreviated(form):
                abbreviations.setdefault(form, entry)
            else:
                words.setdefault(fold(form), entry)
    word_re = re.compile(f"{_BEFORE}(?:{_alternation(list(words))}){_AFTER}") if words else None
    abbr_re = re.compile(f"{_BEFORE}(?:{_alternation(list(abbreviations))}){_AFTER}") if abbreviations else None
    return word_re, words, abbr_re, abbreviations


def find_terms(text: str, lang: Lang) -> list[tuple[int, int, GlossaryEntry]]:
    """Every glossary term in `text` as (start, end, entry), in text order, never overlapping, longest first."""
    found = _kept_terms_in(text, lang) if len(text) <= KEPT_TEXT_CHARS else _terms_in(text, lang)
    return list(found)


#: Texts up to this long have their terms kept (the last 2,048 of them: at most a few megabytes).
KEPT_TEXT_CHARS = 256


def _terms_in(text: str, lang: Lang) -> tuple[tuple[int, int, GlossaryEntry], ...]:
    if not text:
        return ()
    word_re, words, abbr_re, abbreviations = _patterns(lang)
    found: list[tuple[int, int, GlossaryEntry]] = []
    if word_re is not None:
        found += [(m.start(), m.end(), words[m.group(0)]) for m in word_re.finditer(fold(text))]
    if abbr_re is not None:
        found += [(m.start(), m.end(), abbreviations[m.group(0)]) for m in abbr_re.finditer(text)]
    # Longest match first, then earliest; keep a match only when it overlaps none already kept.
    kept: list[tuple[int, int, GlossaryEntry]] = []
    for start, end, entry in sorted(found, key=lambda m: (-(m[1] - m[0]), m[0])):
        if all(end <= s or start >= e for s, e, _ in kept):
            kept.append((start, end, entry))
    return tuple(sorted(kept, key=lambda m: m[0]))


#: A page's labels are the value sets' words, met on every page of every plan, and a plan's short texts come back
#: on its other pages: the regular expressions over the whole glossary need not run on them again.
_kept_terms_in = lru_cache(maxsize=2048)(_terms_in)
