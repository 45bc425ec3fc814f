"""Hostile or wrong files are refused, with one line that says why, before anything is expanded or fetched.

How quickly is measured by `make bench` (bench/hostile.py, budget: each within a second), never timed here: a
busy machine would fail a timed test while the reader is right."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.pps import DocumentRefused, read_pps

from .documents import HEADER_TEMPLATES, pps


def refusal(data: bytes, **kwargs: int) -> str:
    with pytest.raises(DocumentRefused) as caught:
        read_pps(data, **kwargs)
    reason = caught.value.reason
    assert "\n" not in reason and reason
    return reason


def test_malformed_xml_is_refused() -> None:
    assert refusal(b"<ClinicalDocument><id></ClinicalDocument>").startswith("malformed XML:")


def test_an_external_entity_is_refused_and_never_read() -> None:
    data = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<ClinicalDocument xmlns="urn:hl7-org:v3"><title>&e;</title></ClinicalDocument>"""
    assert "DOCTYPE" in refusal(data)


def test_an_entity_expansion_bomb_is_refused() -> None:
    lol = "".join(f'<!ENTITY l{i} "{"&l" + str(i - 1) + ";" * 10 if i else "lol"}">' for i in range(10))
    data = f'<?xml version="1.0"?><!DOCTYPE lolz [{lol}]><lolz>&l9;</lolz>'.encode()
    assert "DOCTYPE" in refusal(data)


def test_a_dtd_is_refused() -> None:
    data = b'<?xml version="1.0"?><!DOCTYPE ClinicalDocument SYSTEM "http://127.0.0.1:9/cda.dtd"><ClinicalDocument/>'
    assert "DOCTYPE" in refusal(data)


def test_a_doctype_in_utf16_is_refused_too() -> None:
    data = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY e "x">]><x>&e;</x>'.encode("utf-16")
    assert "DOCTYPE" in refusal(data)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "utf-32"])
def test_a_doctype_in_any_wide_encoding_is_refused_before_parsing(encoding: str) -> None:
    # Without a declaration or a byte order mark too: the marker is found in the bytes, whatever libxml2 would make
    # of them.
    data = '<!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd"><x/>'.encode(encoding)
    assert refusal(data) == "a DOCTYPE or entity declaration is present: DTDs and entities are refused"


def test_deep_nesting_is_refused() -> None:
    data = b'<ClinicalDocument xmlns="urn:hl7-org:v3">' + b"<a>" * 2000 + b"</a>" * 2000 + b"</ClinicalDocument>"
    assert refusal(data) == "nested too deeply to be a CDA document"


def test_nesting_below_the_parser_limit_but_beyond_ours_is_refused() -> None:
    data = b'<ClinicalDocument xmlns="urn:hl7-org:v3">' + b"<a>" * 200 + b"</a>" * 200 + b"</ClinicalDocument>"
    assert refusal(data) == "nested too deeply to be a CDA document"


def test_a_50_megabyte_file_is_refused_by_size_before_parsing() -> None:
    data = b"<" * 50_000_000  # not even XML: the size alone decides
    assert refusal(data) == "too large: 50000000 bytes, the limit is 5000000"


def test_the_size_limit_is_a_parameter() -> None:
    assert refusal(pps(), max_bytes=100).startswith("too large:")


def test_a_wrong_namespace_is_refused() -> None:
    assert refusal(pps(namespace="urn:example:not-hl7")).startswith("wrong namespace: ClinicalDocument is in")


def test_a_document_without_namespace_is_refused() -> None:
    assert "no namespace" in refusal(b"<ClinicalDocument><title>x</title></ClinicalDocument>")


def test_something_that_is_not_a_clinical_document_is_refused() -> None:
    assert refusal(b'<html xmlns="http://www.w3.org/1999/xhtml"/>') == (
        "not a CDA document: no ClinicalDocument element (root element is 'html')"
    )


def test_a_paerpa_care_plan_is_refused() -> None:
    paerpa = '<templateId root="1.2.250.1.213.1.1.1.1"/><templateId root="1.2.250.1.213.1.1.1.20"/>'
    assert refusal(pps(templates=paerpa)) == "not a cancer PPS: a PAERPA care plan (template 1.2.250.1.213.1.1.1.20)"


def test_another_care_plan_with_the_same_loinc_code_is_refused() -> None:
    assert "without template 1.2.250.1.213.1.1.1.26" in refusal(pps(templates=""))


def test_another_document_type_is_refused() -> None:
    assert refusal(pps(templates="", code="11488-4")).startswith("not a cancer PPS: template")


def test_empty_input_is_refused() -> None:
    assert refusal(b"  \n") == "empty file"


def test_the_well_formed_baseline_is_accepted() -> None:
    assert HEADER_TEMPLATES and read_pps(pps()).metadata.version == 2


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_never_raise_anything_but_a_refusal(data: bytes) -> None:
    with contextlib.suppress(DocumentRefused):
        read_pps(data)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=4000), st.binary(max_size=40))
def test_a_truncated_or_corrupted_pps_never_crashes(cut: int, garbage: bytes) -> None:
    data = pps()
    with contextlib.suppress(DocumentRefused):
        read_pps(data[:cut] + garbage + data[cut + len(garbage) :])
