"""Store log lines say what kind of call and how it went, never who or what (no health data)."""

from __future__ import annotations

import logging

import pytest
import requests
import responses

from portal.store import FhirClient, StoreAuth, StoreError, fetch_binary, find_patient, pps_documents
from tests.unit.store.conftest import BASE, SUBJECT_SYSTEM, fixture_bytes, fixture_json

SECRETS = (
    "pat-alice-fictive",
    "sub-alice-0001",
    "295017512345678",
    "FICTIVE",
    "Alice",
    "1995-01-14",
    "pps-breast",
    "bin-pps-breast-v2",
    "doc-missing-0000",
    "18776-5",
    "token-value-1",
    "store-secret",
)


def test_no_identifier_name_or_value_reaches_the_logs(
    rsps: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    token_url = "https://auth.test/token"
    rsps.add(
        responses.POST, token_url, json={"access_token": "token-value-1", "token_type": "Bearer", "expires_in": 60}
    )
    rsps.add(responses.GET, f"{BASE}/Patient", json=fixture_json("patient_search_one_match.json"))
    rsps.add(responses.GET, f"{BASE}/DocumentReference", json=fixture_json("pps_documents_breast_versions.json"))
    rsps.add(
        responses.GET,
        f"{BASE}/Binary/bin-pps-breast-v2",
        body=fixture_bytes("binary_pps_breast_v2.xml"),
        content_type="text/xml",
    )
    rsps.add(
        responses.GET,
        f"{BASE}/DocumentReference/doc-missing-0000",
        json=fixture_json("operationoutcome_not_found.json"),
        status=404,
    )
    rsps.add(responses.GET, f"{BASE}/Patient/pat-alice-fictive", body=requests.exceptions.ReadTimeout())
    auth = StoreAuth.client_credentials(token_url, "pps-portal-store", "store-secret")

    caplog.set_level(logging.DEBUG)
    with FhirClient(BASE, auth=auth) as client:
        patient = find_patient(client, SUBJECT_SYSTEM, "sub-alice-0001")
        assert patient is not None
        find_patient(client, SUBJECT_SYSTEM, "sub-alice-0001")  # a cache hit logs too
        entries = pps_documents(client, patient.id)
        fetch_binary(client, entries[0], max_bytes=100_000)
        for failing in (("DocumentReference", "doc-missing-0000"), ("Patient", "pat-alice-fictive")):
            with pytest.raises(StoreError):
                client.read(*failing)

    store_lines = [r.getMessage() for r in caplog.records if r.name == "portal.store"]
    assert any("search Patient status=200" in line for line in store_lines)
    assert any("cache=hit" in line for line in store_lines)
    assert any("read DocumentReference status=404" in line for line in store_lines)
    assert any("error=ReadTimeout" in line for line in store_lines)
    everything = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    for secret in SECRETS:
        assert secret not in everything
