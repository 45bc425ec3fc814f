"""The PDSm queries: who is this person, which cancer PPS do they have, give me the (checked) file."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import responses
from responses import matchers

from portal.store import (
    Attachment,
    FhirClient,
    Identifier,
    RelatesTo,
    StoreDocumentTooLarge,
    StoreIntegrityError,
    StoreInvalidResponse,
    current_pps,
    fetch_binary,
    find_patient,
    pps_documents,
)
from tests.unit.store.conftest import BASE, SUBJECT_SYSTEM, fixture_bytes, fixture_json

PPS_QUERY = {
    "patient": "Patient/pat-alice-fictive",
    "status": "current,superseded",
    "type": "http://loinc.org|18776-5",
    "_sort": "-date",
}


# --- find_patient ----------------------------------------------------------------------------------------


def test_find_patient_reads_the_linked_patient(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    rsps.add(
        responses.GET,
        f"{BASE}/Patient",
        json=fixture_json("patient_search_one_match.json"),
        match=[matchers.query_param_matcher({"identifier": f"{SUBJECT_SYSTEM}|sub-alice-0001"})],
    )

    patient = find_patient(fhir, SUBJECT_SYSTEM, "sub-alice-0001")

    assert patient is not None
    assert patient.id == "pat-alice-fictive"
    assert (patient.family, patient.given, patient.display_name) == ("FICTIVE", ("Alice",), "Alice FICTIVE")
    assert patient.birth_date == date(1995, 1, 14)
    assert patient.ins == Identifier("295017512345678", "urn:oid:1.2.250.1.213.1.4.10")


def test_find_patient_answers_none_when_nobody_is_linked(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    rsps.add(responses.GET, f"{BASE}/Patient", json=fixture_json("patient_search_empty.json"))

    assert find_patient(fhir, SUBJECT_SYSTEM, "sub-nobody") is None


def test_an_identifier_linked_to_two_patients_shows_nobody(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    rsps.add(responses.GET, f"{BASE}/Patient", json=fixture_json("patient_search_two_matches.json"))

    with pytest.raises(StoreInvalidResponse, match="more than one Patient"):
        find_patient(fhir, SUBJECT_SYSTEM, "sub-alice-0001")


def test_a_patient_without_the_exact_identifier_is_not_the_person(
    rsps: responses.RequestsMock, fhir: FhirClient
) -> None:
    # e.g. a store matching tokens case-insensitively: SUB-ALICE-0001 is somebody else.
    rsps.add(responses.GET, f"{BASE}/Patient", json=fixture_json("patient_search_one_match.json"))

    assert find_patient(fhir, SUBJECT_SYSTEM, "SUB-ALICE-0001") is None


def test_search_syntax_in_a_subject_is_escaped(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    rsps.add(
        responses.GET,
        f"{BASE}/Patient",
        json=fixture_json("patient_search_empty.json"),
        match=[matchers.query_param_matcher({"identifier": f"{SUBJECT_SYSTEM}|a\\,{SUBJECT_SYSTEM}\\|b"})],
    )

    assert find_patient(fhir, SUBJECT_SYSTEM, f"a,{SUBJECT_SYSTEM}|b") is None


def test_a_patient_without_id_names_the_missing_field(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    bundle = fixture_json("patient_search_one_match.json")
    del bundle["entry"][0]["resource"]["id"]
    rsps.add(responses.GET, f"{BASE}/Patient", json=bundle)

    with pytest.raises(StoreInvalidResponse, match=r"Patient\.id: missing"):
        find_patient(fhir, SUBJECT_SYSTEM, "sub-alice-0001")


# --- pps_documents ---------------------------------------------------------------------------------------


@pytest.fixture
def breast_documents(rsps: responses.RequestsMock) -> None:
    rsps.add(
        responses.GET,
        f"{BASE}/DocumentReference",
        json=fixture_json("pps_documents_breast_versions.json"),
        match=[matchers.query_param_matcher(PPS_QUERY)],
    )


@pytest.mark.usefixtures("breast_documents")
def test_pps_documents_keeps_cancer_pps_newest_first(fhir: FhirClient) -> None:
    entries = pps_documents(fhir, "pat-alice-fictive")

    # Dropped: the non-cancer care plan (other format code) and the entered-in-error one.
    assert [e.id for e in entries] == ["pps-breast-v2", "pps-breast-v1", "pps-pdf-only"]


@pytest.mark.usefixtures("breast_documents")
def test_a_pps_entry_carries_its_metadata(fhir: FhirClient) -> None:
    v2 = pps_documents(fhir, "pat-alice-fictive")[0]

    assert v2.status == "current"
    assert v2.master_identifier == Identifier("urn:oid:1.2.250.1.999.1.1.2", "urn:ietf:rfc:3986")
    assert v2.date == datetime(2024, 3, 12, 10, 15, tzinfo=timezone(timedelta(hours=1)))
    assert v2.date_precision == "second"
    assert (v2.type_code, v2.format_code, v2.format_known) == ("18776-5", "urn:asip:ci-sis:pps-cancer:2017", True)
    assert v2.title == "Programme personnalisé de soins - mise à jour du calendrier"
    assert (v2.author_display, v2.custodian_display) == ("Dr Jeanne FICTIVE", "3C Démo Fictif")
    assert v2.relates_to == (RelatesTo("replaces", "pps-breast-v1"),)
    assert v2.replaces == ("pps-breast-v1",)
    assert v2.security_labels == ()
    assert v2.attachments == (
        Attachment(
            content_type="text/xml",
            language="fr-FR",
            size=670,
            sha1="VTHKVxL2IdkFgdGZcmNuwB2nxWA=",
            url="Binary/bin-pps-breast-v2",
            title="PPS version 2",
            creation=datetime(2024, 3, 12, 10, 15, 0, 123000, tzinfo=timezone(timedelta(hours=1))),
            format_code="urn:asip:ci-sis:pps-cancer:2017",
        ),
    )


@pytest.mark.usefixtures("breast_documents")
def test_the_bare_format_oid_is_accepted(fhir: FhirClient) -> None:
    v1 = pps_documents(fhir, "pat-alice-fictive")[1]

    assert (v1.id, v1.format_known, v1.format_code) == ("pps-breast-v1", True, "urn:asip:ci-sis:pps-cancer:2017")
    assert (v1.date, v1.date_precision) == (datetime(2024, 1, 20, tzinfo=UTC), "day")


@pytest.mark.usefixtures("breast_documents")
def test_a_document_without_format_is_kept_as_unknown_format_with_its_labels(fhir: FhirClient) -> None:
    pdf = pps_documents(fhir, "pat-alice-fictive")[2]

    assert (pdf.id, pdf.format_known, pdf.format_code) == ("pps-pdf-only", False, None)
    assert pdf.date_precision == "month"
    assert pdf.hidden_from_patient
    assert not pdf.hidden_from_representatives


def test_current_pps_asks_for_current_only(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    rsps.add(
        responses.GET,
        f"{BASE}/DocumentReference",
        json=fixture_json("pps_documents_breast_versions.json"),
        match=[matchers.query_param_matcher({**PPS_QUERY, "status": "current"})],
    )

    # The store ignored `status` here: the superseded versions are dropped anyway.
    assert [e.id for e in current_pps(fhir, "pat-alice-fictive")] == ["pps-breast-v2"]


def test_a_document_of_another_patient_fails_the_whole_list(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    rsps.add(responses.GET, f"{BASE}/DocumentReference", json=fixture_json("documents_including_another_patients.json"))

    with pytest.raises(StoreInvalidResponse, match="another subject"):
        pps_documents(fhir, "pat-alice-fictive")


@pytest.mark.parametrize(
    ("field", "message"),
    [("status", r"DocumentReference\.status: missing"), ("content", r"DocumentReference\.content: missing")],
)
def test_a_document_missing_a_required_field_names_it(
    rsps: responses.RequestsMock, fhir: FhirClient, field: str, message: str
) -> None:
    bundle = fixture_json("pps_documents_breast_versions.json")
    del bundle["entry"][1]["resource"][field]
    rsps.add(responses.GET, f"{BASE}/DocumentReference", json=bundle)

    with pytest.raises(StoreInvalidResponse, match=message):
        pps_documents(fhir, "pat-alice-fictive")


def test_a_malformed_date_names_the_field(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    bundle = fixture_json("pps_documents_breast_versions.json")
    bundle["entry"][1]["resource"]["date"] = "12/03/2024"
    rsps.add(responses.GET, f"{BASE}/DocumentReference", json=bundle)

    with pytest.raises(StoreInvalidResponse, match=r"DocumentReference\.date: not a FHIR dateTime"):
        pps_documents(fhir, "pat-alice-fictive")


def test_entered_in_error_cannot_be_asked_for(fhir: FhirClient) -> None:
    with pytest.raises(ValueError, match="statuses"):
        pps_documents(fhir, "pat-alice-fictive", statuses=("current", "entered-in-error"))


# --- fetch_binary ----------------------------------------------------------------------------------------

DOCUMENT = fixture_bytes("binary_pps_breast_v2.xml")
V2_ATTACHMENT = Attachment(
    content_type="text/xml",
    language="fr-FR",
    size=len(DOCUMENT),
    sha1=base64.b64encode(hashlib.sha1(DOCUMENT, usedforsecurity=False).digest()).decode(),
    url="Binary/bin-pps-breast-v2",
    title="PPS version 2",
    creation=None,
    format_code="urn:asip:ci-sis:pps-cancer:2017",
)


def serve_document(rsps: responses.RequestsMock, body: bytes = DOCUMENT, content_type: str = "text/xml") -> None:
    rsps.add(responses.GET, f"{BASE}/Binary/bin-pps-breast-v2", body=body, content_type=content_type)


@pytest.mark.usefixtures("breast_documents")
def test_fetch_binary_of_an_entry_returns_its_checked_pps_file(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    serve_document(rsps)
    v2 = pps_documents(fhir, "pat-alice-fictive")[0]

    assert fetch_binary(fhir, v2, max_bytes=100_000) == ("text/xml", DOCUMENT)


def test_a_size_mismatch_is_an_integrity_error(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    serve_document(rsps, body=DOCUMENT + b"\n")

    with pytest.raises(StoreIntegrityError, match="size"):
        fetch_binary(fhir, V2_ATTACHMENT, max_bytes=100_000)


def test_a_hash_mismatch_is_an_integrity_error(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    tampered = DOCUMENT.replace(b'versionNumber value="2"', b'versionNumber value="9"')
    assert len(tampered) == len(DOCUMENT)
    serve_document(rsps, body=tampered)

    with pytest.raises(StoreIntegrityError, match="SHA-1"):
        fetch_binary(fhir, V2_ATTACHMENT, max_bytes=100_000)


def test_without_size_and_hash_the_file_is_returned_as_is(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    serve_document(rsps, body=b"%PDF-1.7 fictive", content_type="application/octet-stream")
    attachment = replace(V2_ATTACHMENT, size=None, sha1=None, content_type="application/pdf")

    # A generic media type from the store gives way to the one the DocumentReference announces.
    assert fetch_binary(fhir, attachment, max_bytes=100) == ("application/pdf", b"%PDF-1.7 fictive")


def test_an_announced_size_over_the_limit_is_refused_without_fetching(fhir: FhirClient) -> None:
    with responses.RequestsMock() as rsps, pytest.raises(StoreDocumentTooLarge):
        fetch_binary(fhir, V2_ATTACHMENT, max_bytes=100)
    assert len(rsps.calls) == 0


def test_an_attachment_without_url_is_an_invalid_response(fhir: FhirClient) -> None:
    with pytest.raises(StoreInvalidResponse, match=r"attachment\.url"):
        fetch_binary(fhir, replace(V2_ATTACHMENT, url=None), max_bytes=100_000)
