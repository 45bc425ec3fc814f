"""The GET answer cache: hits within the TTL, keys that never mix two requests, a bound in bytes."""

from __future__ import annotations

import json

import pytest
import responses
from responses import matchers

from portal.store import FhirClient, StoreAuth, find_patient
from portal.store.cache import Answer, ResponseCache, cache_key, normalise_url
from tests.unit.store.conftest import BASE, SUBJECT_SYSTEM, fixture_json


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def patient_bundle(patient_id: str, sub: str) -> dict[str, object]:
    bundle = fixture_json("patient_search_one_match.json")
    resource = bundle["entry"][0]["resource"]
    resource["id"] = patient_id
    resource["identifier"][0]["value"] = sub
    return bundle


def test_a_repeated_search_is_answered_from_the_cache(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    rsps.add(responses.GET, f"{BASE}/Patient", json=fixture_json("patient_search_one_match.json"))

    first = fhir.search("Patient", {"identifier": f"{SUBJECT_SYSTEM}|sub-alice-0001"})
    second = fhir.search("Patient", {"identifier": f"{SUBJECT_SYSTEM}|sub-alice-0001"})

    assert first == second
    assert len(rsps.calls) == 1


def test_a_cached_answer_cannot_be_changed_by_a_caller(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    rsps.add(
        responses.GET, f"{BASE}/Patient/pat-alice-fictive", json={"resourceType": "Patient", "id": "pat-alice-fictive"}
    )

    fhir.read("Patient", "pat-alice-fictive")["name"] = [{"family": "CHANGED"}]

    assert "name" not in fhir.read("Patient", "pat-alice-fictive")


def test_an_entry_expires_after_the_ttl(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    clock = Clock()
    fhir.cache = ResponseCache(ttl=30, max_bytes=1_000_000, timer=clock)
    rsps.add(responses.GET, f"{BASE}/Patient", json=fixture_json("patient_search_empty.json"))

    fhir.search("Patient", {"identifier": "urn:x|abc"})
    clock.now += 29
    fhir.search("Patient", {"identifier": "urn:x|abc"})
    assert len(rsps.calls) == 1
    clock.now += 2
    fhir.search("Patient", {"identifier": "urn:x|abc"})
    assert len(rsps.calls) == 2


def test_two_patients_searches_never_share_an_entry(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    for patient_id, sub in (("pat-alice-fictive", "sub-alice-0001"), ("pat-bruno-fictif", "sub-bruno-0002")):
        rsps.add(
            responses.GET,
            f"{BASE}/Patient",
            json=patient_bundle(patient_id, sub),
            match=[matchers.query_param_matcher({"identifier": f"{SUBJECT_SYSTEM}|{sub}"})],
        )

    alice = find_patient(fhir, SUBJECT_SYSTEM, "sub-alice-0001")
    bruno = find_patient(fhir, SUBJECT_SYSTEM, "sub-bruno-0002")
    alice_again = find_patient(fhir, SUBJECT_SYSTEM, "sub-alice-0001")
    bruno_again = find_patient(fhir, SUBJECT_SYSTEM, "sub-bruno-0002")

    assert alice is not None and bruno is not None
    assert (alice.id, bruno.id) == ("pat-alice-fictive", "pat-bruno-fictif")
    assert (alice_again, bruno_again) == (alice, bruno)
    assert len(rsps.calls) == 2
    assert fhir.cache is not None and len(fhir.cache) == 2


def test_the_key_holds_method_url_accept_and_identity() -> None:
    url = f"{BASE}/DocumentReference?patient=Patient/a"
    key = cache_key("GET", url, "application/fhir+json", "none")

    assert key != cache_key("GET", f"{BASE}/DocumentReference?patient=Patient/b", "application/fhir+json", "none")
    assert key != cache_key("HEAD", url, "application/fhir+json", "none")
    assert key != cache_key("GET", url, "*/*", "none")
    assert key != cache_key("GET", url, "application/fhir+json", StoreAuth.mtls("c.pem", "k.pem").identity)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (f"{BASE}/Patient?a=1&b=2", f"{BASE}/Patient?b=2&a=1"),
        ("HTTPS://Store.TEST:443/fhir/Patient?a=1", f"{BASE}/Patient?a=1"),
        (f"{BASE}/Patient?identifier=urn%3Ax%7Cabc", f"{BASE}/Patient?identifier=urn:x|abc"),
        (f"{BASE}/Patient?a=1#fragment", f"{BASE}/Patient?a=1"),
    ],
)
def test_equivalent_urls_share_a_key(left: str, right: str) -> None:
    assert normalise_url(left) == normalise_url(right)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (f"{BASE}/Patient?status=a&status=b", f"{BASE}/Patient?status=b&status=a"),  # repeated names keep order
        (f"{BASE}/Patient?identifier=x%2Cy", f"{BASE}/Patient?identifier=x%5C%2Cy"),
        (f"{BASE}/Patient?a=1", "https://store.test:8443/fhir/Patient?a=1"),
        (f"{BASE}/Patient?a=1", f"{BASE}/Patient?a=1&a="),
    ],
)
def test_different_urls_never_share_a_key(left: str, right: str) -> None:
    assert normalise_url(left) != normalise_url(right)


def test_only_200_answers_are_cached(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    rsps.add(
        responses.GET,
        f"{BASE}/Patient/pat-gone",
        json={"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "not-found"}]},
        status=404,
    )

    for _ in range(2):
        with pytest.raises(Exception, match="not found"):
            fhir.read("Patient", "pat-gone")
    assert len(rsps.calls) == 2


def test_an_answer_larger_than_the_bound_is_not_cached(rsps: responses.RequestsMock) -> None:
    bundle = fixture_json("pps_documents_breast_versions.json")
    size = len(json.dumps(bundle).encode())
    rsps.add(responses.GET, f"{BASE}/DocumentReference", json=bundle)

    with FhirClient(BASE, cache_max_bytes=size // 2) as client:
        client.search("DocumentReference", {"patient": "Patient/pat-alice-fictive"})
        client.search("DocumentReference", {"patient": "Patient/pat-alice-fictive"})
        assert client.cache is not None and len(client.cache) == 0
    assert len(rsps.calls) == 2


def test_the_cache_evicts_to_stay_within_its_bytes() -> None:
    cache = ResponseCache(ttl=30, max_bytes=3_000)
    for n in range(10):
        cache.put(cache_key("GET", f"{BASE}/Binary/b{n}", "*/*", "none"), Answer(200, "text/xml", b"x" * 500))

    assert cache.current_bytes <= 3_000
    assert 0 < len(cache) < 10


def test_a_zero_ttl_disables_the_cache(rsps: responses.RequestsMock) -> None:
    rsps.add(responses.GET, f"{BASE}/Patient", json=fixture_json("patient_search_empty.json"))

    with FhirClient(BASE, cache_ttl=0) as client:
        client.search("Patient", {"identifier": "urn:x|abc"})
        client.search("Patient", {"identifier": "urn:x|abc"})
        assert client.cache is None
    assert len(rsps.calls) == 2


def test_binaries_are_cached_apart_from_json_reads(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    rsps.add(responses.GET, f"{BASE}/Binary/bin-1", body=b"<ClinicalDocument/>", content_type="text/xml")

    fhir.binary("Binary/bin-1", max_bytes=1_000)
    fhir.binary("Binary/bin-1", max_bytes=1_000)

    assert len(rsps.calls) == 1
