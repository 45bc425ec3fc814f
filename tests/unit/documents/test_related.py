"""Related documents from the store: RCP reports and other documents the PPS versions point to."""

from __future__ import annotations

import copy
from collections.abc import Iterator

import pytest
import responses

from portal.store import FhirClient, StoreInvalidResponse
from portal.store.pdsm import pps_documents, related_documents
from tests.unit.documents.synthetic_store import SyntheticStore

BASE = "https://store.test/fhir"


@pytest.fixture
def mock() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


@pytest.fixture
def fake(mock: responses.RequestsMock) -> SyntheticStore:
    store = SyntheticStore(BASE)
    store.install(mock)
    return store


@pytest.fixture
def client() -> Iterator[FhirClient]:
    with FhirClient(BASE, retries=0) as fhir:
        yield fhir


def relate(store: SyntheticStore, pps_id: str, target: str) -> None:
    context = store.document(pps_id).setdefault("context", {})
    context.setdefault("related", []).append({"reference": f"DocumentReference/{target}"})


def test_the_rcp_report_comes_with_the_versions_that_reference_it(fake: SyntheticStore, client: FhirClient) -> None:
    related = related_documents(client, "pat-camille")
    assert [(r.entry.id, r.referenced_by) for r in related] == [("doc-camille-rcp-1", ("doc-camille-pps-v1",))]
    assert related[0].entry.type_code == "34794-8"


def test_a_referenced_document_outside_the_rcp_search_is_read(fake: SyntheticStore, client: FhirClient) -> None:
    genetics = copy.deepcopy(fake.document("doc-camille-rcp-1"))
    genetics["id"] = "doc-camille-genetics"
    genetics["type"] = {"coding": [{"system": "http://loinc.org", "code": "51969-4"}]}
    fake.resources[("DocumentReference", "doc-camille-genetics")] = genetics
    relate(fake, "doc-camille-pps-v2", "doc-camille-genetics")
    relate(fake, "doc-camille-pps-v2", "doc-camille-gone")  # dangling: left out
    found = {r.entry.id: r.referenced_by for r in related_documents(client, "pat-camille")}
    assert found["doc-camille-genetics"] == ("doc-camille-pps-v2",)
    assert "doc-camille-gone" not in found


def test_another_patients_document_is_never_taken(fake: SyntheticStore, client: FhirClient) -> None:
    relate(fake, "doc-camille-pps-v2", "doc-diane-pps-v1")
    with pytest.raises(StoreInvalidResponse):
        related_documents(client, "pat-camille")


def test_the_pps_search_is_answered_by_the_cache_after_pps_documents(
    fake: SyntheticStore, mock: responses.RequestsMock
) -> None:
    with FhirClient(BASE, retries=0, cache_ttl=30) as cached:
        pps_documents(cached, "pat-camille")
        related_documents(cached, "pat-camille")
    # Searches only: access-log threads of other tests' apps may still post AuditEvents to this fake host.
    searched = [call.request.url for call in mock.calls if call.request.method == "GET"]
    assert len(searched) == 2  # the PPS search once, the RCP search once
    assert "34794-8" in str(searched[1])
