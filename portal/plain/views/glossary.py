"""The glossary page: every entry of `portal.plain.glossary` in the page's language, sorted, grouped by letter.

Each entry is an anchor (its id), so that a term linked from any plan page lands on its definition.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from portal.plain.glossary import GlossaryEntry, glossary_entry, glossary_sorted
from portal.plain.views.common import Lang

__all__ = ["GlossaryItem", "GlossaryPage", "Letter", "glossary_item", "glossary_page", "matches", "name_matches"]


@dataclass(frozen=True, slots=True)
class GlossaryItem:
    """One definition: its anchor, the term, the definition, and whether the term is an abbreviation."""

    id: str
    term: str
    definition: str
    abbreviation: bool
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Letter:
    letter: str
    items: tuple[GlossaryItem, ...]


@dataclass(frozen=True, slots=True)
class GlossaryPage:
    letters: tuple[Letter, ...]

    @property
    def count(self) -> int:
        return sum(len(letter.items) for letter in self.letters)


def glossary_item(entry: GlossaryEntry, lang: Lang) -> GlossaryItem:
    return GlossaryItem(entry.id, entry.term[lang], entry.definition[lang], entry.abbreviation, entry.aliases[lang])


def find_item(entry_id: str, lang: Lang) -> GlossaryItem | None:
    entry = glossary_entry(entry_id)
    return glossary_item(entry, lang) if entry is not None else None


def _initial(term: str) -> str:
    first = unicodedata.normalize("NFD", term.strip()[:1] or "#")[0].upper()
    return first if first.isalpha() else "#"


def _folded(text: str) -> str:
    """Lower case without accents: "Chimiothérapie" and "chimiotherapie" match."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def matches(item: GlossaryItem, query: str) -> bool:
    """Whether an entry's term, other names or definition holds every word of the query."""
    haystack = _folded(" ".join((item.term, *item.aliases, item.definition)))
    return all(word in haystack for word in _folded(query).split())


def name_matches(name: str, query: str) -> bool:
    """Whether a name holds every word of a query, accents and case aside (the coordinator's list)."""
    return all(word in _folded(name) for word in _folded(query).split())


def glossary_page(lang: Lang, query: str = "") -> GlossaryPage:
    """Every entry, or those matching `query` (the search field: filtered here, so no script is needed)."""
    letters: dict[str, list[GlossaryItem]] = {}
    for entry in glossary_sorted(lang):
        item = glossary_item(entry, lang)
        if query.strip() and not matches(item, query):
            continue
        letters.setdefault(_initial(item.term), []).append(item)
    return GlossaryPage(tuple(Letter(letter, tuple(items)) for letter, items in letters.items()))
