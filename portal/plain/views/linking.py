"""Glossary links in a page's text: the first time a glossary term appears on a page, it links to its definition.

A `Linker` lives for one page render, in reading order: templates call it on every label and free text they
show, and it remembers which terms it has linked already. Everything is escaped; only the matched terms are
wrapped, in a link to the glossary (which works without JavaScript) that htmx turns into a popover. An
abbreviation is also marked with `abbr` and its full term.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from portal.plain.glossary import GlossaryEntry, glossary_entry
from portal.plain.terms import find_terms
from portal.plain.views.common import DocText, Lang

__all__ = ["Linker", "expansion"]

LANGS: tuple[Lang, ...] = ("fr", "en")


def expansion(entry: GlossaryEntry, lang: Lang, words: str) -> str:
    """What an abbreviation stands for: its longer name ("réunion de concertation pluridisciplinaire" for RCP),
    else its definition."""
    for name in (entry.term[lang], *entry.aliases[lang]):
        if " " in name and len(name) > len(words) and words.casefold() not in name.casefold().split():
            return name
    return entry.definition[lang]


class Linker:
    """Links first occurrences of glossary terms on one page.

    `href` makes the no-JavaScript link (`/glossary#<id>` on the site, `#glossary-<id>` in a preview file);
    `partial` the htmx fragment URL, or None to leave htmx out (the preview has no script).
    """

    def __init__(
        self,
        page_lang: Lang,
        *,
        href: str = "/glossary#{id}",
        partial: str | None = "/glossary/{id}",
        target: str = "#glossary-popover",
    ) -> None:
        self.page_lang = page_lang
        self.href = href
        self.partial = partial
        self.target = target
        self.linked: set[str] = set()

    def __call__(self, text: str | DocText | None, lang: str | None = None, *, entry: str | None = None) -> Markup:
        """`text` escaped, with the first occurrence on the page of each glossary term linked.

        The language of the words (to find terms) is `lang`, else the DocText's own, else the page's. `entry` is
        the glossary entry a plain label names (`PlainLabel.glossary_id`): when the words do not contain one of
        its terms, the whole label links to it, the first time on the page.
        """
        if text is None:
            return Markup("")
        if isinstance(text, DocText):
            lang = lang or text.lang
            text = text.text
        words_lang = lang or self.page_lang
        if words_lang not in LANGS:
            return escape(text)
        named = glossary_entry(entry) if entry else None
        if named is not None and all(found.id != named.id for _, _, found in find_terms(text, words_lang)):
            if named.id in self.linked:
                return self(text, lang)
            self.linked.add(named.id)
            return self._link(text, named, words_lang, whole=True)
        parts: list[str] = []
        position = 0
        for start, end, found in find_terms(text, words_lang):
            if found.id in self.linked:
                continue
            self.linked.add(found.id)
            parts.append(escape(text[position:start]))
            parts.append(self._link(text[start:end], found, words_lang))
            position = end
        parts.append(escape(text[position:]))
        return Markup("").join(parts)

    def seen(self, entry_id: str) -> None:
        """Count a term as linked already (for example a heading that names it without a link)."""
        self.linked.add(entry_id)

    def _link(self, words: str, entry: GlossaryEntry, lang: Lang, *, whole: bool = False) -> Markup:
        # Written with escape() and f-strings: Markup.format goes through string.Formatter, several times slower,
        # and a page links dozens of terms.
        href = escape(self.href.format(id=entry.id))
        htmx = ""
        if self.partial is not None:
            htmx = (
                f' hx-get="{escape(self.partial.format(id=entry.id))}" hx-target="{escape(self.target)}"'
                ' hx-swap="innerHTML"'
            )
        inner = escape(words)
        if entry.abbreviation and not whole:
            inner = Markup(f'<abbr title="{escape(expansion(entry, lang, words))}">{inner}</abbr>')  # noqa: S704 (escaped)
        return Markup(f'<a class="term" href="{href}"{htmx}>{inner}</a>')  # noqa: S704 (each value escaped above)
