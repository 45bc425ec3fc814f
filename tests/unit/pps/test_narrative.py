"""A section's narrative as plain text: what a reader of the document sees, one line per paragraph, row or line
break, table cells joined with " | ", and the source's own line breaks treated as spaces."""

from __future__ import annotations

import pytest
from lxml import etree

from portal.pps.narrative import NarrativeIndex, plain_text
from portal.pps.safexml import HL7_NS, parse_untrusted
from synthetic import build_documents

from .documents import AUTOPRESENTABLE, EXTERNAL, reference_file


def narrative(body: str, *, keep_comments: bool = False) -> etree._Element:
    parser = etree.XMLParser(remove_comments=not keep_comments)
    return etree.fromstring(f'<text xmlns="{HL7_NS}">{body}</text>', parser)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "<paragraph>Line one\n   continued</paragraph><paragraph>Two<br/>Three</paragraph>",
            "Line one continued\nTwo\nThree",
        ),
        ("<paragraph>Take <content styleCode='Bold'>two</content> pills</paragraph>", "Take two pills"),
        ("<list><item>Rest</item><item>Drink <content>water</content></item></list>", "Rest\nDrink water"),
        (
            "<table><caption>Doses</caption><thead><tr><th>Day</th><th>Dose</th></tr></thead>"
            "<tbody><tr><td>1</td><td/><td>2 mg</td></tr></tbody></table>",
            "Doses\nDay | Dose\n1 | 2 mg",
        ),
        ("<paragraph>a\r\nb\tc</paragraph>", "a b c"),
        ("before<paragraph>inside</paragraph>after", "before\ninside\nafter"),
        ("<paragraph>  </paragraph><paragraph/>", ""),
        ("<paragraph>x<br>ignored<content>too</content></br>y</paragraph>", "x\ny"),
    ],
    ids=["paragraphs-and-breaks", "inline", "list", "table", "source-whitespace", "loose-text", "empty", "br-content"],
)
def test_what_a_reader_sees(body: str, expected: str) -> None:
    assert plain_text(narrative(body)) == expected


def test_the_element_asked_for_leaves_out_its_own_tail_but_not_its_childrens() -> None:
    root = narrative("<paragraph ID='p'>in <content>bold</content> tail of child</paragraph>tail of p")
    paragraph = root[0]
    assert plain_text(paragraph) == "in bold tail of child"


def test_a_comment_writes_nothing_and_its_tail_stays() -> None:
    assert plain_text(narrative("<paragraph>a<!-- not for the reader -->b</paragraph>", keep_comments=True)) == "ab"


def _narratives() -> list[etree._Element]:
    files = [document.cda for document in build_documents() if document.cda]
    for name in (EXTERNAL, AUTOPRESENTABLE):
        try:
            files.append(reference_file(name))
        except pytest.skip.Exception:
            continue  # the synthetic documents are swept still
    found = []
    for data in files:
        root = parse_untrusted(data)
        found += [e for e in root.iter(f"{{{HL7_NS}}}text") if e.getparent() is not None] + root.xpath("//*[@ID]")
    return found


def test_every_narrative_keeps_every_character_of_its_text_in_order() -> None:
    # The oracle is lxml's own reading of the text (itertext), against which only whitespace and the cell separator
    # may differ: nothing is lost, nothing added, nothing moved.
    elements = _narratives()
    assert len(elements) > 100
    for element in elements:
        text = plain_text(element)
        own = "".join(element.itertext())
        assert "".join(text.replace(" | ", "").split()) == "".join(own.split()), element.get("ID")
        assert text == text.strip() and "\n\n" not in text and "  " not in text
        # Each paragraph, item, row or caption with words and no such block inside is a line of its own.
        leaves = [e for e in element.iter(*_BLOCKS) if "".join(e.itertext()).strip() and not _inner_blocks(e)]
        assert len(text.splitlines()) >= len(leaves), element.get("ID")


_BLOCKS = tuple(f"{{{HL7_NS}}}{name}" for name in ("paragraph", "item", "tr", "caption"))


def _inner_blocks(element: etree._Element) -> list[etree._Element]:
    return [e for e in element.iter(*_BLOCKS) if e is not element]


@pytest.mark.parametrize(
    ("asked", "found", "exact"),
    [
        ("trait-réalisé", "trait-réalisé", True),
        ("trait-realise", "trait-réalisé", False),
        ("TRAIT-Réalisé", "trait-réalisé", False),
        ("Mesure-2", "mesure-2", False),
        ("mesure-3", None, False),
    ],
)
def test_a_reference_is_found_as_spelled_or_without_accents_and_case(
    asked: str, found: str | None, exact: bool
) -> None:
    root = narrative(
        "<paragraph ID='trait-réalisé'>Radiothérapie</paragraph><paragraph ID='mesure-2'>Repos</paragraph>"
    )
    element, as_spelled = NarrativeIndex(root).find(asked)
    assert (None if element is None else element.get("ID"), as_spelled) == (found, exact)
