"""The glossary of the `plain` step: oncology and care-pathway words, defined in French and English.

Each entry has an ASCII id (the HTML anchor of the glossary page), the term and its aliases per language, and a
definition of at most 20 kind words. Pages sort the entries per language (`glossary_sorted`); `terms.find_terms`
finds them in a plan's text. The words themselves are in `glossary_data`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from portal.plain.glossary_data import ENTRIES
from portal.plain.labels import Lang

__all__ = ["GLOSSARY", "GlossaryEntry", "Lang", "glossary_entry", "glossary_sorted"]


@dataclass(frozen=True, slots=True)
class GlossaryEntry:
    """One glossary word: `term` and `definition` per language, other spellings in `aliases`.

    `abbreviation` entries (RCP, IRM, PSA…) are matched case-sensitively in text and shown with `abbr`;
    `in_text` False entries are never looked for in text, only linked from a label that names them.
    """

    id: str
    term: dict[Lang, str]
    definition: dict[Lang, str]
    aliases: dict[Lang, tuple[str, ...]]
    abbreviation: bool = False
    in_text: bool = True

    def __hash__(self) -> int:
        return hash(self.id)


def _sort_key(text: str) -> str:
    # Sort "Échographie" with the E's and "Œsophage" with the O's, as a French reader expects.
    decomposed = unicodedata.normalize("NFD", text.replace("œ", "oe").replace("Œ", "Oe"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _build() -> tuple[GlossaryEntry, ...]:
    return tuple(
        GlossaryEntry(
            id=row.id,
            term={"fr": row.fr, "en": row.en},
            definition={"fr": row.fr_definition, "en": row.en_definition},
            aliases={"fr": row.fr_aliases, "en": row.en_aliases},
            abbreviation=row.abbreviation,
            in_text=row.in_text,
        )
        for row in ENTRIES
    )


GLOSSARY: tuple[GlossaryEntry, ...] = _build()
_BY_ID: dict[str, GlossaryEntry] = {entry.id: entry for entry in GLOSSARY}


def glossary_entry(entry_id: str) -> GlossaryEntry | None:
    """The entry with this id (the anchor), or None."""
    return _BY_ID.get(entry_id)


def glossary_sorted(lang: Lang) -> tuple[GlossaryEntry, ...]:
    """Every entry, sorted by its term in that language (accents and case ignored)."""
    return tuple(sorted(GLOSSARY, key=lambda entry: _sort_key(entry.term[lang])))
