"""Narrative blocks of a CDA document as plain text (line breaks kept, table cells joined with " | "), and the
`<reference value="#id"/>` of entries resolved into them, for the `pps` step of the data path."""

from __future__ import annotations

import unicodedata

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
_CELL_MARK = "\x1f"
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
    _render(element, parts, top=True)
    lines = []
    for raw_line in "".join(parts).split("\n"):
        cells = [" ".join(cell.split()) for cell in raw_line.split(_CELL_MARK)]
        line = " | ".join(cell for cell in cells if cell)
        if line:
            lines.append(line)
    return "\n".join(lines)


def _render(element: etree._Element, parts: list[str], *, top: bool = False) -> None:
    tag: object = element.tag
    if not isinstance(tag, str):  # a comment or processing instruction left in: skip, keep its tail
        if element.tail and not top:
            parts.append(_flat(element.tail))
        return
    if tag == _BREAK:
        parts.append("\n")
    else:
        block = tag in _BLOCKS
        cell = tag in _CELLS
        if block:
            parts.append("\n")
        elif cell:
            parts.append(_CELL_MARK)
        if element.text:
            parts.append(_flat(element.text))
        for child in element:
            _render(child, parts)
        if block:
            parts.append("\n")
        elif cell:
            parts.append(_CELL_MARK)
    if element.tail and not top:
        parts.append(_flat(element.tail))


def _flat(text: str) -> str:
    """Source line breaks are layout, not content: only markup (br, paragraph, row) breaks a line."""
    return text.replace("\r", " ").replace("\n", " ")


def _fold(identifier: str) -> str:
    """An ID without accents or case, to recover references whose spelling drifted from the ID."""
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
