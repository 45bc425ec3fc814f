"""After its TTL a store answer with an ETag is revalidated (`If-None-Match`): a 304 reuses the body we hold."""

from __future__ import annotations

import pytest
import responses

from portal.store import FhirClient
from portal.store.cache import ResponseCache
from portal.store.client import RoundTrip

BASE = "https://store.test/fhir"
PATIENT = {"resourceType": "Patient", "id": "pat-alice-fictive", "name": [{"family": "FICTIVE"}]}


def gets(mock: responses.RequestsMock) -> list[responses.Call]:
    """The GETs the mock answered (other tests' apps may still be posting their access records meanwhile)."""
    return [c for c in mock.calls if c.request.method == "GET"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fhir(clock: Clock) -> FhirClient:
    client = FhirClient(BASE, retries=0)
    client.cache = ResponseCache(ttl=30, max_bytes=1_000_000, revalidate=600, timer=clock)
    return client


def test_after_the_ttl_a_304_reuses_the_cached_body(
    mock: responses.RequestsMock, fhir: FhirClient, clock: Clock
) -> None:
    mock.get(f"{BASE}/Patient/pat-alice-fictive", json=PATIENT, headers={"ETag": 'W/"1"'})
    mock.get(f"{BASE}/Patient/pat-alice-fictive", status=304, headers={"ETag": 'W/"1"'})

    assert fhir.read("Patient", "pat-alice-fictive") == PATIENT
    clock.now += 31
    assert fhir.read("Patient", "pat-alice-fictive") == PATIENT

    assert len(gets(mock)) == 2
    assert "If-None-Match" not in gets(mock)[0].request.headers
    assert gets(mock)[1].request.headers["If-None-Match"] == 'W/"1"'


def test_after_a_304_the_answer_is_fresh_again_for_a_ttl(
    mock: responses.RequestsMock, fhir: FhirClient, clock: Clock
) -> None:
    mock.get(f"{BASE}/Patient/pat-alice-fictive", json=PATIENT, headers={"ETag": 'W/"1"'})
    mock.get(f"{BASE}/Patient/pat-alice-fictive", status=304)

    fhir.read("Patient", "pat-alice-fictive")
    clock.now += 31
    fhir.read("Patient", "pat-alice-fictive")
    clock.now += 29
    fhir.read("Patient", "pat-alice-fictive")

    assert len(gets(mock)) == 2


def test_a_changed_answer_replaces_the_cached_one(mock: responses.RequestsMock, fhir: FhirClient, clock: Clock) -> None:
    changed = {**PATIENT, "name": [{"family": "CHANGÉE"}]}
    mock.get(f"{BASE}/Patient/pat-alice-fictive", json=PATIENT, headers={"ETag": 'W/"1"'})
    mock.get(f"{BASE}/Patient/pat-alice-fictive", json=changed, headers={"ETag": 'W/"2"'})

    fhir.read("Patient", "pat-alice-fictive")
    clock.now += 31

    assert fhir.read("Patient", "pat-alice-fictive") == changed
    assert fhir.read("Patient", "pat-alice-fictive") == changed
    assert len(gets(mock)) == 2


def test_an_answer_without_etag_is_asked_again_in_full(
    mock: responses.RequestsMock, fhir: FhirClient, clock: Clock
) -> None:
    mock.get(f"{BASE}/Patient/pat-alice-fictive", json=PATIENT)

    fhir.read("Patient", "pat-alice-fictive")
    clock.now += 31
    fhir.read("Patient", "pat-alice-fictive")

    assert len(gets(mock)) == 2
    assert "If-None-Match" not in gets(mock)[1].request.headers


def test_past_the_revalidation_window_the_answer_is_forgotten(
    mock: responses.RequestsMock, fhir: FhirClient, clock: Clock
) -> None:
    mock.get(f"{BASE}/Patient/pat-alice-fictive", json=PATIENT, headers={"ETag": 'W/"1"'})

    fhir.read("Patient", "pat-alice-fictive")
    clock.now += 30 + 601
    fhir.read("Patient", "pat-alice-fictive")

    assert "If-None-Match" not in gets(mock)[1].request.headers


def test_observers_hear_of_every_round_trip_and_none_for_a_cache_hit(
    mock: responses.RequestsMock, fhir: FhirClient, clock: Clock
) -> None:
    mock.get(f"{BASE}/Patient/pat-alice-fictive", json=PATIENT, headers={"ETag": 'W/"1"'})
    mock.get(f"{BASE}/Patient/pat-alice-fictive", status=304)
    heard: list[RoundTrip] = []
    fhir.observers.append(heard.append)

    fhir.read("Patient", "pat-alice-fictive")
    fhir.read("Patient", "pat-alice-fictive")
    clock.now += 31
    fhir.read("Patient", "pat-alice-fictive")

    assert [(t.method, t.interaction, t.status) for t in heard] == [
        ("GET", "read Patient", 200),
        ("GET", "read Patient", 304),
    ]
    assert all(t.ended >= t.started for t in heard)


def test_a_page_knows_how_old_its_oldest_answer_is(
    mock: responses.RequestsMock, fhir: FhirClient, clock: Clock
) -> None:
    """What a page builds from store answers is as fresh as the oldest of them (portal.web.rendered): a cache
    hit counts from when the store sent the answer, a 304 from when the store confirmed it."""
    from portal.store import scope

    wall = Clock()
    fhir.clock = wall  # when an answer was fetched, in wall-clock seconds
    mock.get(f"{BASE}/Patient/pat-alice-fictive", json=PATIENT, headers={"ETag": 'W/"1"'})
    mock.get(f"{BASE}/Patient/pat-alice-fictive", status=304, headers={"ETag": 'W/"1"'})

    with scope.page_scope(5) as first:
        fhir.read("Patient", "pat-alice-fictive")
    wall.now += 10
    clock.now += 10
    with scope.page_scope(5) as from_cache:
        fhir.read("Patient", "pat-alice-fictive")
    wall.now += 25
    clock.now += 25
    with scope.page_scope(5) as revalidated:
        fhir.read("Patient", "pat-alice-fictive")

    assert first.oldest_answer == from_cache.oldest_answer == 1000.0
    assert revalidated.oldest_answer == 1035.0 and len(gets(mock)) == 2
