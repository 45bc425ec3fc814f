"""Hostile or wrong files given to the RCP reader are refused with one line, by the PPS reader's own defences.

The refusals that matter for time and safety happen before lxml parses anything (size, DOCTYPE) or by a fixed
limit (nesting): the tests check that structure, not a stopwatch.
"""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.pps import DocumentRefused, safexml
from portal.pps.rcp_reader import read_rcp
from synthetic import build_documents

from .documents import pps

RCP = next(d.cda for d in build_documents() if d.kind == "frcp")


def refusal(data: bytes, **kwargs: int) -> str:
    with pytest.raises(DocumentRefused) as caught:
        read_rcp(data, **kwargs)
    reason = caught.value.reason
    assert reason and "\n" not in reason
    return reason


@pytest.fixture
def never_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails the test if the bytes reach the XML parser."""

    def parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file reached the parser")

    monkeypatch.setattr(safexml.etree, "fromstring", parse)


def test_the_baseline_synthetic_report_is_read() -> None:
    assert read_rcp(RCP).warnings == ()


@pytest.mark.usefixtures("never_parsed")
def test_the_never_parsed_guard_does_catch_a_file_that_reaches_the_parser() -> None:
    with pytest.raises(AssertionError, match="reached the parser"):
        read_rcp(RCP)


@pytest.mark.usefixtures("never_parsed")
def test_a_50_megabyte_file_is_refused_by_its_size_before_any_parsing() -> None:
    assert refusal(b"<" * 50_000_000) == "too large: 50000000 bytes, the limit is 5000000"


@pytest.mark.usefixtures("never_parsed")
def test_the_size_limit_is_a_parameter() -> None:
    assert refusal(RCP, max_bytes=1000) == f"too large: {len(RCP)} bytes, the limit is 1000"


@pytest.mark.usefixtures("never_parsed")
def test_an_external_entity_is_refused_before_parsing_and_never_read() -> None:
    data = RCP.replace(
        b"<ClinicalDocument", b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<ClinicalDocument', 1
    ).replace(b"<title>", b"<title>&e;", 1)
    assert "DOCTYPE" in refusal(data)


@pytest.mark.usefixtures("never_parsed")
def test_an_entity_expansion_bomb_is_refused_before_parsing() -> None:
    lol = "".join(f'<!ENTITY l{i} "{"&l" + str(i - 1) + ";" * 10 if i else "lol"}">' for i in range(10))
    assert "DOCTYPE" in refusal(f'<?xml version="1.0"?><!DOCTYPE lolz [{lol}]><lolz>&l9;</lolz>'.encode())


@pytest.mark.usefixtures("never_parsed")
def test_a_doctype_in_utf16_is_refused_before_parsing() -> None:
    data = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd"><x/>'
    assert "DOCTYPE" in refusal(data.encode("utf-16"))


def test_nesting_beyond_the_limit_is_refused() -> None:
    deep = b"<a>" * (safexml.MAX_DEPTH + 10) + b"</a>" * (safexml.MAX_DEPTH + 10)
    data = RCP.replace(b"<structuredBody>", b"<structuredBody>" + deep, 1)
    assert refusal(data) == "nested too deeply to be a CDA document"


def test_nesting_past_the_parser_s_own_limit_is_refused_too() -> None:
    data = b'<ClinicalDocument xmlns="urn:hl7-org:v3">' + b"<a>" * 5000 + b"</a>" * 5000 + b"</ClinicalDocument>"
    assert refusal(data) == "nested too deeply to be a CDA document"


def test_a_pps_is_refused_as_not_an_rcp_report() -> None:
    assert refusal(pps()) == "not an RCP report: a cancer PPS (template 1.2.250.1.213.1.1.1.26)"


def test_the_rcp_loinc_code_without_the_template_is_refused() -> None:
    data = RCP.replace(b'<templateId root="1.2.250.1.213.1.1.1.8" extension="2022.01"/>', b"", 1)
    assert refusal(data) == "not an RCP report: LOINC 34794-8 without template 1.2.250.1.213.1.1.1.8"


def test_a_wrong_namespace_and_malformed_xml_are_refused() -> None:
    assert refusal(RCP.replace(b'xmlns="urn:hl7-org:v3"', b'xmlns="urn:example:x"', 1)).startswith("wrong namespace")
    assert refusal(RCP[: len(RCP) // 2]).startswith("malformed XML:")
    assert refusal(b" \n") == "empty file"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_never_raise_anything_but_a_refusal(data: bytes) -> None:
    with contextlib.suppress(DocumentRefused):
        read_rcp(data)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=len(RCP)), st.binary(max_size=40))
def test_a_truncated_or_corrupted_report_never_crashes(cut: int, garbage: bytes) -> None:
    with contextlib.suppress(DocumentRefused):
        read_rcp(RCP[:cut] + garbage + RCP[cut + len(garbage) :])
