"""Files handed over by the portal: names made safe, RFC 6266 headers, and a file checked whole before use."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from urllib.parse import unquote

import pytest
import responses

from portal.exports.files import (
    CheckedFile,
    RefusedFile,
    checked_file,
    chunks,
    content_disposition,
    safe_filename,
)
from portal.store import FhirClient
from portal.store.errors import StoreNotFound
from portal.store.resources import Attachment

BASE = "https://store.test/fhir"
PDF = b"%PDF-1.7\n" + b"x" * 5000 + b"\n%%EOF\n"


def attachment(data: bytes = PDF, content_type: str | None = "application/pdf", **changes: object) -> Attachment:
    fields: dict[str, object] = {
        "content_type": content_type,
        "language": "fr-FR",
        "size": len(data),
        "sha1": base64.b64encode(hashlib.sha1(data, usedforsecurity=False).digest()).decode(),
        "url": "Binary/b1",
        "title": "Plan",
        "creation": None,
        "format_code": None,
    }
    fields.update(changes)
    return Attachment(**fields)  # type: ignore[arg-type]


@pytest.fixture
def mock() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


@pytest.fixture
def client() -> Iterator[FhirClient]:
    with FhirClient(BASE, retries=0, cache_ttl=0) as fhir:
        yield fhir


def serve(mock: responses.RequestsMock, body: bytes, content_type: str = "application/pdf", **headers: str) -> None:
    mock.get(f"{BASE}/Binary/b1", body=body, headers={"Content-Type": content_type, **headers})


# --- names and headers ----------------------------------------------------------------------------------


def test_accents_survive_in_a_file_name() -> None:
    assert safe_filename("Programme personnalisé de soins – version 2", "application/pdf") == (
        "Programme personnalisé de soins – version 2.pdf"
    )


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ('Plan "final"', "Plan -final.pdf"),
        ("../../etc/passwd", "etc-passwd.pdf"),
        ("a\\b/c", "a-b-c.pdf"),
        ("line\r\nbreak\x00null\x1b[31m", "linebreaknull-31m.pdf"),
        ("", "document.pdf"),
        ("...", "document.pdf"),
        ("report.PDF", "report.pdf"),
    ],
)
def test_quotes_slashes_and_control_characters_are_sanitised(title: str, expected: str) -> None:
    name = safe_filename(title, "application/pdf")
    assert name == expected
    assert not re.search(r'["/\\\x00-\x1f\x7f]', name)


def test_a_long_title_is_cut_but_keeps_its_extension() -> None:
    name = safe_filename("é" * 500, "text/xml")
    assert name.endswith(".xml") and len(name) <= 104


def test_content_disposition_carries_the_exact_name_in_filename_star() -> None:
    header = content_disposition("attachment", 'Programme été; "v2".pdf')
    match = re.fullmatch(r'attachment; filename="([^"]*)"; filename\*=UTF-8\'\'(\S+)', header)
    assert match is not None
    assert unquote(match.group(2)) == 'Programme été; "v2".pdf'
    assert match.group(1).isascii() and '"' not in match.group(1) and ";" not in match.group(1)


def test_content_disposition_inline() -> None:
    assert content_disposition("inline", "a.pdf").startswith('inline; filename="a.pdf"; ')


def test_chunks_give_back_every_byte_in_order() -> None:
    data = bytes(range(256)) * 1000
    parts = list(chunks(data, 1000))
    assert all(len(p) <= 1000 for p in parts) and b"".join(parts) == data


# --- checking a file ------------------------------------------------------------------------------------


def test_a_whole_pdf_passes(mock: responses.RequestsMock, client: FhirClient) -> None:
    serve(mock, PDF)
    checked = checked_file(client, attachment(), 1_000_000, "Plan été")
    assert checked == CheckedFile("application/pdf", PDF, "Plan été.pdf")
    assert checked.inline_allowed


def test_a_generic_store_type_takes_the_announced_one(mock: responses.RequestsMock, client: FhirClient) -> None:
    serve(mock, PDF, content_type="application/octet-stream")
    assert checked_file(client, attachment(), 1_000_000, None).media_type == "application/pdf"


def test_xml_is_handed_over_but_never_inline(mock: responses.RequestsMock, client: FhirClient) -> None:
    xml = b'<?xml version="1.0"?><ClinicalDocument/>'
    serve(mock, xml, content_type="application/xml")
    checked = checked_file(client, attachment(xml, "text/xml"), 1_000_000, "PPS")
    assert checked.media_type == "application/xml" and not checked.inline_allowed


@pytest.mark.parametrize(
    ("body", "content_type", "announced", "reason"),
    [
        (PDF + b"more", "application/pdf", "application/pdf", "integrity"),  # wrong size
        (PDF[:-2] + b"X\n", "application/pdf", "application/pdf", "integrity"),  # same size, wrong hash
        (PDF[:100], "application/pdf", "application/pdf", "integrity"),  # truncated, no Content-Length
        (PDF, "text/html", "application/pdf", "content_type"),  # unexpected type
        (PDF, "image/svg+xml", "application/pdf", "content_type"),
        (PDF, "image/png", "application/pdf", "content_type"),  # allowed, but not what was announced
        (b"<html><script>alert(1)</script></html>", "application/pdf", "application/pdf", "content_type"),
    ],
)
def test_a_file_that_is_not_what_was_announced_is_refused(
    mock: responses.RequestsMock, client: FhirClient, body: bytes, content_type: str, announced: str, reason: str
) -> None:
    serve(mock, body, content_type=content_type)
    # The announced size and hash are those of the real file, except when the body is the file.
    expected = attachment(PDF if reason == "integrity" else body, announced)
    with pytest.raises(RefusedFile) as refused:
        checked_file(client, expected, 1_000_000, "Plan")
    assert refused.value.reason == reason


def test_a_stream_cut_before_its_announced_length_is_refused(mock: responses.RequestsMock, client: FhirClient) -> None:
    serve(mock, PDF[:100], **{"Content-Length": str(len(PDF))})
    with pytest.raises(RefusedFile) as refused:
        checked_file(client, attachment(size=None, sha1=None), 1_000_000, "Plan")
    assert refused.value.reason == "incomplete"


def test_a_huge_file_is_refused_while_reading(mock: responses.RequestsMock, client: FhirClient) -> None:
    huge = b"%PDF-1.7\n" + b"0" * 300_000
    serve(mock, huge)
    with pytest.raises(RefusedFile) as refused:
        checked_file(client, attachment(size=None, sha1=None), 100_000, "Plan")
    assert refused.value.reason == "too_large"


def test_a_huge_announced_size_is_refused_without_a_request(mock: responses.RequestsMock, client: FhirClient) -> None:
    with pytest.raises(RefusedFile) as refused:
        checked_file(client, attachment(size=10**9), 100_000, "Plan")
    assert refused.value.reason == "too_large"
    assert len(mock.calls) == 0


def test_an_announced_type_off_the_allowlist_is_refused_without_a_request(
    mock: responses.RequestsMock, client: FhirClient
) -> None:
    with pytest.raises(RefusedFile) as refused:
        checked_file(client, attachment(content_type="text/html"), 1_000_000, "Plan")
    assert refused.value.reason == "content_type"
    assert len(mock.calls) == 0


def test_a_file_the_store_does_not_have_is_not_found(mock: responses.RequestsMock, client: FhirClient) -> None:
    mock.get(f"{BASE}/Binary/b1", status=404, json={"resourceType": "OperationOutcome"})
    with pytest.raises(StoreNotFound):
        checked_file(client, attachment(), 1_000_000, "Plan")
