"""Fuzzing the CDA reader: mutated synthetic documents (and the official examples when ../shared/reference is
there) are either refused with `DocumentRefused` or read into a CarePlan, never another exception. (How fast a
hostile file is refused is `make bench`'s to measure, bench/hostile.py: a timed assert here would fail on a busy
machine, not on a slow reader.)"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from portal.pps import CarePlan, DocumentRefused, read_pps
from synthetic import build_documents
from tests.unit.fuzz.conftest import FUZZ

REFERENCE = Path(__file__).resolve().parents[3] / ".." / "shared" / "reference" / "ci-sis"
HOSTILE_TEXT = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\ufeff",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "{{7*7}}",
            "99999999999999999999999999",
            "-1",
            "2026-02-30",
            "20261399",
            "\u202e\u0647\U0001f600",
            "x" * 10_000,
        ]
    ),
)


@cache
def originals() -> tuple[bytes, ...]:
    documents = [d.cda for d in build_documents() if d.kind == "pps"][:6]
    if REFERENCE.is_dir():
        documents += [p.read_bytes() for p in sorted(REFERENCE.glob("CANCER-PPS_*.xml"))]
    return tuple(documents)


def read_or_refuse(data: bytes) -> None:
    outcome: CarePlan | DocumentRefused
    try:
        outcome = read_pps(data)
    except DocumentRefused as refused:
        outcome = refused
    if isinstance(outcome, DocumentRefused):
        assert outcome.reason and "\n" not in outcome.reason  # one line that says why
    else:
        assert isinstance(outcome, CarePlan)


def xml_safe(text: str) -> str:
    # lxml refuses to *write* control characters into a tree: the byte-level mutations cover those.
    return "".join(c for c in text if c in "\t\n\r" or (" " <= c <= "\ud7ff") or ("\ue000" <= c <= "\ufffd"))


@st.composite
def tree_mutation(draw: st.DrawFn) -> bytes:
    """A well-formed document with one element removed, duplicated, emptied, or given hostile text/attributes."""
    original = draw(st.sampled_from(originals()))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    root = etree.fromstring(original, parser)
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    for _ in range(draw(st.integers(1, 4))):
        element = draw(st.sampled_from(elements))
        action = draw(st.sampled_from(["remove", "duplicate", "text", "attribute", "empty"]))
        parent = element.getparent()
        if action == "remove" and parent is not None:
            parent.remove(element)
            elements = [e for e in root.iter() if isinstance(e.tag, str)]
        elif action == "duplicate" and parent is not None:
            parent.insert(parent.index(element), copy.deepcopy(element))
        elif action == "text":
            element.text = xml_safe(draw(HOSTILE_TEXT))
        elif action == "attribute" and element.attrib:
            name = draw(st.sampled_from(sorted(element.attrib)))
            element.set(name, xml_safe(draw(HOSTILE_TEXT)))
        elif action == "empty":
            for child in list(element):
                element.remove(child)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@st.composite
def byte_mutation(draw: st.DrawFn) -> bytes:
    """The bytes of a document cut, spliced or overwritten at random places."""
    data = bytearray(draw(st.sampled_from(originals())))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["cut", "insert", "overwrite", "truncate"]))
        if action == "cut":
            del data[at : at + draw(st.integers(1, 200))]
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=50))
        elif action == "overwrite":
            chunk = draw(st.binary(min_size=1, max_size=20))
            data[at : at + len(chunk)] = chunk
        else:
            del data[at:]
    return bytes(data)


@settings(FUZZ)
@given(tree_mutation())
def test_a_mutated_document_is_read_with_warnings_or_refused(data: bytes) -> None:
    read_or_refuse(data)


@settings(FUZZ)
@given(byte_mutation())
def test_mangled_bytes_are_refused_or_read_never_crash(data: bytes) -> None:
    read_or_refuse(data)


@settings(FUZZ)
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_never_crash_the_reader(data: bytes) -> None:
    read_or_refuse(data)


def test_the_official_examples_are_fuzzed_when_present() -> None:
    if not REFERENCE.is_dir():
        pytest.skip("the official examples are absent: ../shared/reference is absent")
    assert len(originals()) > 6
