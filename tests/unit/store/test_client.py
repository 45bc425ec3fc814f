"""FhirClient transport behaviour: searches, paging, reads, errors, retries, timeouts, binaries."""

from __future__ import annotations

import base64
import json

import pytest
import requests
import responses
from responses import matchers

from portal.store import (
    FhirClient,
    StoreAuthError,
    StoreDocumentTooLarge,
    StoreInvalidResponse,
    StoreNotFound,
    StoreRejected,
    StoreUnavailable,
)
from tests.unit.store.conftest import BASE, fixture_bytes, fixture_json

FHIR_JSON = "application/fhir+json; charset=utf-8"


def add_json(rsps: responses.RequestsMock, url: str, body: object, status: int = 200) -> None:
    rsps.add(responses.GET, url, body=json.dumps(body), status=status, content_type=FHIR_JSON)


# --- search ----------------------------------------------------------------------------------------------


def test_search_returns_only_the_match_entries(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    add_json(rsps, f"{BASE}/DocumentReference", fixture_json("pps_documents_breast_versions.json"))

    found = fhir.search("DocumentReference", {"patient": "Patient/pat-alice-fictive"})

    assert [r["id"] for r in found] == [
        "pps-breast-v1",
        "pps-breast-v2",
        "pps-pdf-only",
        "care-plan-not-cancer",
        "pps-entered-in-error",
    ]  # the `include` Patient entry is not a match


def test_search_sends_params_accept_user_agent_and_timeouts(rsps: responses.RequestsMock) -> None:
    rsps.add(
        responses.GET,
        f"{BASE}/Patient",
        json=fixture_json("patient_search_empty.json"),
        match=[matchers.query_param_matcher({"identifier": "urn:x|abc", "_count": "10"})],
    )
    with FhirClient(BASE, connect_timeout=1.5, read_timeout=4.0) as client:
        client.search("Patient", [("identifier", "urn:x|abc"), ("_count", "10")])

    request = rsps.calls[0].request
    assert request.headers["Accept"] == "application/fhir+json"
    assert request.headers["User-Agent"].startswith("pps-portal/")
    assert request.req_kwargs["timeout"] == (1.5, 4.0)  # type: ignore[attr-defined]


def test_search_follows_next_link_across_two_pages(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    rsps.add(
        responses.GET,
        f"{BASE}/DocumentReference",
        json=fixture_json("documents_page_1_of_2.json"),
        match=[matchers.query_param_matcher({"patient": "Patient/pat-alice-fictive", "_count": "1"})],
    )
    rsps.add(
        responses.GET,
        f"{BASE}/DocumentReference",
        json=fixture_json("documents_page_2_of_2.json"),
        match=[matchers.query_param_matcher({"patient": "Patient/pat-alice-fictive", "_count": "1", "_offset": "1"})],
    )

    found = fhir.search("DocumentReference", {"patient": "Patient/pat-alice-fictive", "_count": "1"})

    assert [r["id"] for r in found] == ["pps-breast-v2", "pps-breast-v1"]


def test_next_link_to_a_foreign_host_is_refused(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    add_json(rsps, f"{BASE}/DocumentReference", fixture_json("documents_next_link_to_foreign_host.json"))

    with pytest.raises(StoreInvalidResponse, match="next link"):
        fhir.search("DocumentReference", {"patient": "Patient/pat-alice-fictive"})
    assert len(rsps.calls) == 1  # elsewhere.test was never asked


def test_next_link_outside_the_base_path_is_refused(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    bundle = fixture_json("documents_page_1_of_2.json")
    bundle["link"][1]["url"] = "https://store.test/admin/export?page=2"
    add_json(rsps, f"{BASE}/DocumentReference", bundle)

    with pytest.raises(StoreInvalidResponse, match="next link"):
        fhir.search("DocumentReference", {"patient": "Patient/pat-alice-fictive"})


def test_paging_stops_after_max_pages(rsps: responses.RequestsMock) -> None:
    looping = fixture_json("documents_page_1_of_2.json")
    looping["link"][1]["url"] = f"{BASE}/DocumentReference?page=again"
    add_json(rsps, f"{BASE}/DocumentReference", looping)

    with FhirClient(BASE, max_pages=3, cache_ttl=0) as client, pytest.raises(StoreInvalidResponse, match="3 pages"):
        client.search("DocumentReference", {"patient": "Patient/pat-alice-fictive"})
    assert len(rsps.calls) == 3


def test_a_bundle_that_is_not_a_searchset_is_refused(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    bundle = fixture_json("patient_search_one_match.json")
    bundle["type"] = "history"
    add_json(rsps, f"{BASE}/Patient", bundle)

    with pytest.raises(StoreInvalidResponse, match="searchset"):
        fhir.search("Patient", {"identifier": "urn:x|abc"})


def test_a_match_of_another_resource_type_is_refused(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    add_json(rsps, f"{BASE}/DocumentReference", fixture_json("patient_search_one_match.json"))

    with pytest.raises(StoreInvalidResponse, match="not a DocumentReference"):
        fhir.search("DocumentReference", {"patient": "Patient/pat-alice-fictive"})


# --- read / ping -----------------------------------------------------------------------------------------


def test_read_returns_the_resource(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    patient = fixture_json("patient_search_one_match.json")["entry"][0]["resource"]
    add_json(rsps, f"{BASE}/Patient/pat-alice-fictive", patient)

    assert fhir.read("Patient", "pat-alice-fictive")["birthDate"] == "1995-01-14"


def test_read_of_an_id_that_cannot_exist_makes_no_request(fhir: FhirClient) -> None:
    with responses.RequestsMock() as rsps, pytest.raises(StoreNotFound):
        fhir.read("Binary", "../Patient/x")
    assert len(rsps.calls) == 0


def test_read_answering_another_resource_is_refused(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    add_json(rsps, f"{BASE}/Patient/pat-alice-fictive", {"resourceType": "Patient", "id": "pat-bruno-fictif"})

    with pytest.raises(StoreInvalidResponse, match="another resource"):
        fhir.read("Patient", "pat-alice-fictive")


def test_ping_expects_a_capability_statement_and_is_never_cached(
    rsps: responses.RequestsMock, fhir: FhirClient
) -> None:
    add_json(rsps, f"{BASE}/metadata", fixture_json("capability_statement.json"))

    fhir.ping()
    fhir.ping()

    assert len(rsps.calls) == 2


def test_ping_fails_on_a_wrong_resource_type(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    add_json(rsps, f"{BASE}/metadata", {"resourceType": "Bundle", "type": "searchset"})

    with pytest.raises(StoreInvalidResponse, match="CapabilityStatement"):
        fhir.ping()


# --- errors ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [404, 410])
def test_not_found_carries_the_operation_outcome_text(
    rsps: responses.RequestsMock, fhir: FhirClient, status: int
) -> None:
    add_json(
        rsps, f"{BASE}/DocumentReference/doc-missing-0000", fixture_json("operationoutcome_not_found.json"), status
    )

    with pytest.raises(StoreNotFound) as caught:
        fhir.read("DocumentReference", "doc-missing-0000")

    assert caught.value.status == status
    assert caught.value.diagnostics == "Resource DocumentReference/doc-missing-0000 is not known; Not found"
    assert "doc-missing-0000" not in str(caught.value)  # messages may be logged; diagnostics are kept apart


@pytest.mark.parametrize(
    ("status", "error"),
    [(400, StoreRejected), (422, StoreRejected), (401, StoreAuthError), (403, StoreAuthError), (500, StoreUnavailable)],
)
def test_statuses_map_to_typed_errors(
    rsps: responses.RequestsMock, fhir: FhirClient, status: int, error: type[Exception]
) -> None:
    add_json(rsps, f"{BASE}/Patient", {"resourceType": "OperationOutcome", "issue": []}, status)

    with pytest.raises(error):
        fhir.search("Patient", {"identifier": "urn:x|abc"})
    assert len(rsps.calls) == 1  # none of these is retried


def test_invalid_json_is_an_invalid_response(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    rsps.add(responses.GET, f"{BASE}/Patient", body="{not json", content_type=FHIR_JSON)

    with pytest.raises(StoreInvalidResponse, match="not JSON"):
        fhir.search("Patient", {"identifier": "urn:x|abc"})


def test_an_html_page_is_an_invalid_response(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    rsps.add(responses.GET, f"{BASE}/Patient", body="<html>proxy login</html>", content_type="text/html")

    with pytest.raises(StoreInvalidResponse, match="not FHIR JSON"):
        fhir.search("Patient", {"identifier": "urn:x|abc"})


def test_a_redirect_is_not_followed(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    rsps.add(responses.GET, f"{BASE}/Patient", status=302, headers={"Location": "https://elsewhere.test/"})

    with pytest.raises(StoreInvalidResponse, match="redirect"):
        fhir.search("Patient", {"identifier": "urn:x|abc"})
    assert len(rsps.calls) == 1


@pytest.mark.parametrize(
    "failure", [requests.exceptions.ReadTimeout(), requests.exceptions.ConnectTimeout(), requests.ConnectionError()]
)
def test_timeouts_and_connection_errors_are_store_unavailable(
    rsps: responses.RequestsMock, fhir: FhirClient, failure: Exception
) -> None:
    rsps.add(responses.GET, f"{BASE}/Patient", body=failure)

    with pytest.raises(StoreUnavailable) as caught:
        fhir.search("Patient", {"identifier": "urn:x|abc"})
    assert caught.value.__cause__ is failure


# --- retries (the waits themselves are pinned in test_retry.py against a real socket) ----------------------


@pytest.mark.parametrize("status", [502, 503, 504, 429])
def test_a_get_is_retried_after_a_transient_status(rsps: responses.RequestsMock, fhir: FhirClient, status: int) -> None:
    add_json(rsps, f"{BASE}/metadata", {"resourceType": "OperationOutcome"}, status)
    add_json(rsps, f"{BASE}/metadata", fixture_json("capability_statement.json"))

    fhir.ping()

    assert len(rsps.calls) == 2


def test_retries_are_bounded_then_store_unavailable(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    add_json(rsps, f"{BASE}/metadata", {"resourceType": "OperationOutcome"}, 503)

    with pytest.raises(StoreUnavailable) as caught:
        fhir.ping()

    assert caught.value.status == 503
    assert len(rsps.calls) == 3  # the first attempt and the default 2 retries


def test_a_server_error_500_is_not_retried(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    # 500 means the store failed on this very request: asking again would fail again, slower.
    add_json(rsps, f"{BASE}/metadata", {"resourceType": "OperationOutcome"}, 500)

    with pytest.raises(StoreUnavailable):
        fhir.ping()
    assert len(rsps.calls) == 1


def test_the_retry_policy_only_ever_retries_get(fhir: FhirClient) -> None:
    policy = fhir.session.get_adapter(BASE).max_retries

    assert policy.is_retry("GET", 503)
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert not policy.is_retry(method, 503)
        assert not policy.is_retry(method, 429, has_retry_after=True)


def test_zero_retries_means_one_attempt(rsps: responses.RequestsMock) -> None:
    add_json(rsps, f"{BASE}/metadata", {"resourceType": "OperationOutcome"}, 503)

    with FhirClient(BASE, retries=0) as client, pytest.raises(StoreUnavailable):
        client.ping()
    assert len(rsps.calls) == 1


# --- binary ----------------------------------------------------------------------------------------------


def test_binary_asks_for_the_raw_document(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    document = fixture_bytes("binary_pps_breast_v2.xml")
    rsps.add(responses.GET, f"{BASE}/Binary/bin-pps-breast-v2", body=document, content_type="text/xml")

    content = fhir.binary("Binary/bin-pps-breast-v2", max_bytes=10_000)

    assert content == ("text/xml", document)
    assert rsps.calls[0].request.headers["Accept"] == "*/*"


def test_binary_accepts_an_absolute_url_on_the_store(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    rsps.add(responses.GET, f"{BASE}/Binary/bin-pps-pdf-only", body=b"%PDF-1.7 fictive", content_type="application/pdf")

    assert fhir.binary(f"{BASE}/Binary/bin-pps-pdf-only", max_bytes=100).data == b"%PDF-1.7 fictive"


def test_binary_accepts_a_bare_id(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    rsps.add(responses.GET, f"{BASE}/Binary/bin-pps-pdf-only", body=b"%PDF-1.7 fictive", content_type="application/pdf")

    assert fhir.binary("bin-pps-pdf-only", max_bytes=100).data == b"%PDF-1.7 fictive"


def test_binary_decodes_a_fhir_binary_resource(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    document = fixture_bytes("binary_pps_breast_v2.xml")
    add_json(
        rsps,
        f"{BASE}/Binary/bin-pps-breast-v2",
        {
            "resourceType": "Binary",
            "id": "bin-pps-breast-v2",
            "contentType": "text/xml",
            "data": base64.b64encode(document).decode(),
        },
    )

    assert fhir.binary("Binary/bin-pps-breast-v2", max_bytes=10_000) == ("text/xml", document)


@pytest.mark.parametrize(
    "url",
    [
        "https://elsewhere.test/fhir/Binary/bin-1",
        "http://store.test/fhir/Binary/bin-1",  # same host, other scheme
        "Patient/pat-alice-fictive",
        "Binary/bin-1?_format=xml",
        "../admin/Binary/bin-1",
    ],
)
def test_binary_refuses_urls_that_are_not_a_binary_of_the_store(fhir: FhirClient, url: str) -> None:
    with responses.RequestsMock() as rsps, pytest.raises(StoreInvalidResponse):
        fhir.binary(url, max_bytes=100)
    assert len(rsps.calls) == 0


def test_binary_stops_reading_past_max_bytes(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    rsps.add(responses.GET, f"{BASE}/Binary/bin-big", body=b"x" * 50_000, content_type="application/pdf")

    with pytest.raises(StoreDocumentTooLarge):
        fhir.binary("Binary/bin-big", max_bytes=10_000)


def test_binary_with_a_declared_length_over_the_limit_is_refused(
    rsps: responses.RequestsMock, fhir: FhirClient
) -> None:
    rsps.add(
        responses.GET,
        f"{BASE}/Binary/bin-big",
        body=b"x" * 50_000,
        content_type="application/pdf",
        auto_calculate_content_length=True,
    )

    with pytest.raises(StoreDocumentTooLarge):
        fhir.binary("Binary/bin-big", max_bytes=10_000)


def test_a_fhir_binary_resource_over_the_limit_is_refused(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    data = base64.b64encode(b"y" * 2_000).decode()
    add_json(rsps, f"{BASE}/Binary/bin-big", {"resourceType": "Binary", "contentType": "text/xml", "data": data})

    with pytest.raises(StoreDocumentTooLarge):
        fhir.binary("Binary/bin-big", max_bytes=1_000)
