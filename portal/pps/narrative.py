"""Narrative blocks of a CDA document as plain text (line breaks kept, table cells joined with " | "), and the
`<reference value="#id"/>` of entries resolved into them, for the `pps` step of the data path."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from lxml import etree

from portal.pps.safexml import HL7_NS, xpath

__all__ = ["NarrativeIndex", "clean", "plain_text"]

_V = f"{{{HL7_NS}}}"
_BLOCKS = frozenset(
    _V + name
    for name in (
        "paragraph",
        "list",
        "item",
        "table",
        "tr",
        "caption",
        "thead",
        "tbody",
        "tfoot",
        "content_block",
    )
)
_CELLS = frozenset((_V + "td", _V + "th"))
_BREAK = _V + "br"
#: A cell's edges and a line break, as they wait in the text being built: characters that XML 1.0 text cannot hold,
#: so that the source's own line breaks (layout, not content) stay plain whitespace.
_CELL_MARK = "\x1f"
_LINE = "\x1e"
_WITH_ID = ".//*[@ID]"


def clean(text: str | None) -> str | None:
    """Whitespace collapsed, or None when nothing is left."""
    if text is None:
        return None
    collapsed = " ".join(text.split())
    return collapsed or None


def plain_text(element: etree._Element) -> str:
    """The narrative under `element` as plain text: one line per paragraph, row or line break."""
    parts: list[str] = []
    _render(element, parts.append)
    lines = []
    for raw_line in "".join(parts).split(_LINE):
        if _CELL_MARK in raw_line:
            cells = (" ".join(cell.split()) for cell in raw_line.split(_CELL_MARK))
            line = " | ".join(cell for cell in cells if cell)
        else:
            line = " ".join(raw_line.split())
        if line:
            lines.append(line)
    return "\n".join(lines)


def _render(element: etree._Element, append: Callable[[str], None]) -> None:
    """`element`'s text and its children's, with the marks of its kind; not its tail (`_render_child`). A comment or
    processing instruction left in writes nothing."""
    tag: object = element.tag
    if tag in _BLOCKS:
        mark = _LINE
    elif tag in _CELLS:
        mark = _CELL_MARK
    elif tag == _BREAK:
        append(_LINE)
        return
    elif isinstance(tag, str):
        mark = ""
    else:
        return
    if mark:
        append(mark)
    if element.text:
        append(element.text)
    for child in element:
        _render_child(child, append)
    if mark:
        append(mark)


def _render_child(element: etree._Element, append: Callable[[str], None]) -> None:
    _render(element, append)
    if element.tail:
        append(element.tail)


def _fold(identifier: str) -> str:
    """An ID without accents or case, to recover references whose spelling drifted from the ID."""
    if identifier.isascii():  # nothing to decompose: most IDs, each folded when a reference is not found as spelled
        return identifier.casefold()
    decomposed = unicodedata.normalize("NFKD", identifier)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class NarrativeIndex:
    """Every narrative element with an `ID` attribute in one document, for resolving `#id` references: a section's
    `text` is what a human reader of the document sees, and entries point into it."""

    def __init__(self, root: etree._Element) -> None:
        self._by_id: dict[str, etree._Element] = {}
        found = xpath(_WITH_ID)(root)
        if isinstance(found, list):
            for element in found:
                if isinstance(element, etree._Element):
                    self._by_id.setdefault(str(element.get("ID")), element)
        self._folded: dict[str, etree._Element] | None = None
        self._texts: dict[str, str] = {}

    def find(self, identifier: str) -> tuple[etree._Element | None, bool]:
        """(element, exact): the element with this ID; exact is False when found only by ignoring accents."""
        element = self._by_id.get(identifier)
        if element is not None:
            return element, True
        if self._folded is None:
            self._folded = {}
            for key, value in self._by_id.items():
                self._folded.setdefault(_fold(key), value)
        return self._folded.get(_fold(identifier)), False

    def text(self, element: etree._Element) -> str:
        """Plain text of a referenced element, computed once per ID."""
        key = str(element.get("ID"))
        cached = self._texts.get(key)
        if cached is None:
            cached = plain_text(element)
            self._texts[key] = cached
        return cached
