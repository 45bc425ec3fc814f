"""The portable copy: the original files byte for byte and a FHIR Bundle (collection) of their metadata."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator

import pytest
import responses

from portal.exports.files import RefusedFile
from portal.exports.portability import fetch_files, portable_copy
from portal.store import FhirClient
from portal.store.resources import document_from_fhir

BASE = "https://store.test/fhir"
GENERATED = dt.datetime(2026, 9, 1, 10, 0, tzinfo=dt.UTC)
XML = b'<?xml version="1.0"?><ClinicalDocument/>'
PDF = b"%PDF-1.7\n%%EOF\n"


def digest(data: bytes) -> str:
    return base64.b64encode(hashlib.sha1(data, usedforsecurity=False).digest()).decode()


def reference(doc_id: str, title: str, files: dict[str, tuple[str, bytes]]) -> dict[str, object]:
    return {
        "resourceType": "DocumentReference",
        "id": doc_id,
        "status": "current",
        "masterIdentifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:oid:1.2.3.{doc_id}"},
        "type": {"coding": [{"system": "http://loinc.org", "code": "18776-5"}]},
        "date": "2026-08-27T10:00:00+02:00",
        "author": [{"display": "Dr Jeanne Exemplaire"}],
        "description": title,
        "content": [
            {
                "attachment": {
                    "contentType": kind,
                    "url": f"Binary/{binary}",
                    "size": len(data),
                    "hash": digest(data),
                    "title": title,
                    "language": "fr-FR",
                }
            }
            for binary, (kind, data) in files.items()
        ],
    }


@pytest.fixture
def mock() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


@pytest.fixture
def client() -> Iterator[FhirClient]:
    with FhirClient(BASE, retries=0, cache_ttl=0) as fhir:
        yield fhir


def test_the_copy_holds_every_file_and_a_bundle_that_points_to_them(
    mock: responses.RequestsMock, client: FhirClient
) -> None:
    entries = [
        document_from_fhir(
            reference("v2", "Programme – version 2", {"x2": ("text/xml", XML), "p2": ("application/pdf", PDF)})
        ),
        document_from_fhir(reference("v1", "Programme – version 2", {"x1": ("text/xml", XML + b" ")})),
    ]
    for binary, kind, data in (("x2", "text/xml", XML), ("p2", "application/pdf", PDF), ("x1", "text/xml", XML + b" ")):
        mock.get(f"{BASE}/Binary/{binary}", body=data, headers={"Content-Type": kind})
    packed = fetch_files(client, entries, 10_000, 100_000)
    archive = zipfile.ZipFile(io.BytesIO(portable_copy(entries, packed, GENERATED)))
    names = archive.namelist()
    assert names[-1] == "metadata.json"
    assert len(set(names)) == len(names) == 4  # two files of the same name and day are told apart
    bundle = json.loads(archive.read("metadata.json"))
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    assert all(e["fullUrl"].startswith("urn:uuid:") for e in bundle["entry"])
    resources = {e["resource"]["id"]: e["resource"] for e in bundle["entry"]}
    assert resources["v2"]["masterIdentifier"]["value"] == "urn:oid:1.2.3.v2"
    assert resources["v2"]["author"] == [{"display": "Dr Jeanne Exemplaire"}]
    for resource in resources.values():
        for content in resource["content"]:
            attachment = content["attachment"]
            data = archive.read(attachment["url"])
            assert (len(data), digest(data)) == (attachment["size"], attachment["hash"])
    assert "Programme – version 2.pdf" in " ".join(names)


def test_one_bad_file_refuses_the_whole_copy(mock: responses.RequestsMock, client: FhirClient) -> None:
    entries = [document_from_fhir(reference("v1", "Programme", {"x1": ("text/xml", XML)}))]
    mock.get(f"{BASE}/Binary/x1", body=XML + b"tampered", headers={"Content-Type": "text/xml"})
    with pytest.raises(RefusedFile) as refused:
        fetch_files(client, entries, 10_000, 100_000)
    assert refused.value.reason == "integrity"


def test_a_copy_over_its_total_limit_is_refused(mock: responses.RequestsMock, client: FhirClient) -> None:
    entries = [document_from_fhir(reference("v1", "Programme", {"x1": ("text/xml", XML), "x2": ("text/xml", XML)}))]
    for binary in ("x1", "x2"):
        mock.get(f"{BASE}/Binary/{binary}", body=XML, headers={"Content-Type": "text/xml"})
    with pytest.raises(RefusedFile) as refused:
        fetch_files(client, entries, 10_000, len(XML) + 1)
    assert refused.value.reason == "too_large"


def test_replaces_links_name_only_versions_in_the_copy(mock: responses.RequestsMock, client: FhirClient) -> None:
    """v3 replaces v2, hidden from this viewer, which replaced v1: the copy never names v2."""
    v3 = reference("v3", "Programme – version 3", {"x3": ("text/xml", XML)})
    v3["relatesTo"] = [{"code": "replaces", "target": {"reference": "DocumentReference/v2-hidden"}}]
    v1 = reference("v1", "Programme – version 1", {"x1": ("text/xml", XML)})
    v1b = reference("v1b", "Programme – version 1 bis", {"x1b": ("text/xml", XML)})
    v1b["relatesTo"] = [{"code": "replaces", "target": {"reference": "DocumentReference/v1"}}]
    entries = [document_from_fhir(r) for r in (v3, v1b, v1)]
    for binary in ("x3", "x1", "x1b"):
        mock.get(f"{BASE}/Binary/{binary}", body=XML, headers={"Content-Type": "text/xml"})
    packed = fetch_files(client, entries, 10_000, 100_000)
    copy = portable_copy(entries, packed, GENERATED)
    metadata = zipfile.ZipFile(io.BytesIO(copy)).read("metadata.json").decode()
    assert "v2-hidden" not in metadata
    resources = {e["resource"]["id"]: e["resource"] for e in json.loads(metadata)["entry"]}
    assert "relatesTo" not in resources["v3"]
    assert resources["v1b"]["relatesTo"] == [{"code": "replaces", "target": {"reference": "DocumentReference/v1"}}]
