"""A search's reading (its JSON made into records) is kept while the search is answered with the very same answer:
asked again every time, read again only when the answer is another one."""

from __future__ import annotations

from typing import Any

import pytest
import responses
from responses import matchers

from portal.store import FhirClient, StoreInvalidResponse
from portal.store.cache import ResponseCache
from tests.unit.store.conftest import BASE, fixture_json
from tests.unit.store.test_cache import Clock

ALICE = {"patient": "Patient/pat-alice-fictive"}


class Reader:
    """A reading that counts its calls and gives the resources' ids (a tuple: nobody can change it)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, resources: list[dict[str, Any]]) -> tuple[str, ...]:
        self.calls += 1
        return tuple(str(r["id"]) for r in resources)


def documents(*ids: str) -> dict[str, Any]:
    bundle = fixture_json("pps_documents_breast_versions.json")
    entry = bundle["entry"][0]
    bundle["entry"] = [{**entry, "resource": {**entry["resource"], "id": i}} for i in ids]
    return bundle


@pytest.fixture
def clock(fhir: FhirClient) -> Clock:
    """One clock for the cache's TTL and for when answers were fetched."""
    now = Clock()
    fhir.cache = ResponseCache(ttl=30, max_bytes=1_000_000, timer=now)
    fhir.clock = now
    return now


def test_the_same_answer_is_read_once_but_still_asked_of_the_cache(
    rsps: responses.RequestsMock, fhir: FhirClient, clock: Clock
) -> None:
    rsps.add(responses.GET, f"{BASE}/DocumentReference", json=documents("v2", "v1"))
    lookups: list[bool] = []
    fhir.cache_observers.append(lambda _interaction, hit: lookups.append(hit))
    read = Reader()

    first = fhir.search_records("DocumentReference", ALICE, read, name="ids")
    again = fhir.search_records("DocumentReference", ALICE, read, name="ids")

    assert first == ("v2", "v1") and again is first and read.calls == 1
    assert lookups == [False, True] and len(rsps.calls) == 1


def test_another_answer_is_read_again(rsps: responses.RequestsMock, fhir: FhirClient, clock: Clock) -> None:
    rsps.add(responses.GET, f"{BASE}/DocumentReference", json=documents("v1"))
    rsps.add(responses.GET, f"{BASE}/DocumentReference", json=documents("v2", "v1"))
    read = Reader()

    assert fhir.search_records("DocumentReference", ALICE, read, name="ids") == ("v1",)
    clock.now += 31  # the TTL is over: the store is asked again, and a new version is there
    assert fhir.search_records("DocumentReference", ALICE, read, name="ids") == ("v2", "v1")
    assert read.calls == 2


def test_each_search_and_each_reading_is_kept_apart(
    rsps: responses.RequestsMock, fhir: FhirClient, clock: Clock
) -> None:
    bob = {"patient": "Patient/pat-bob-fictive"}
    for params, ids in ((ALICE, ("a1",)), (bob, ("b1",))):
        match = [matchers.query_param_matcher(params)]
        rsps.add(responses.GET, f"{BASE}/DocumentReference", json=documents(*ids), match=match)

    assert fhir.search_records("DocumentReference", ALICE, Reader(), name="ids") == ("a1",)
    assert fhir.search_records("DocumentReference", bob, Reader(), name="ids") == ("b1",)
    counted = fhir.search_records("DocumentReference", ALICE, len, name="count")
    assert counted == 1  # the same answer read another way: its own reading, not the ids


def test_a_search_of_several_pages_is_read_every_time(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    rsps.add(
        responses.GET,
        f"{BASE}/DocumentReference",
        json=fixture_json("documents_page_1_of_2.json"),
        match=[matchers.query_param_matcher({**ALICE, "_count": "1"})],
    )
    rsps.add(
        responses.GET,
        f"{BASE}/DocumentReference",
        json=fixture_json("documents_page_2_of_2.json"),
        match=[matchers.query_param_matcher({**ALICE, "_count": "1", "_offset": "1"})],
    )
    read = Reader()

    for _ in range(2):  # a later page may have changed while the first is cached: never kept
        found = fhir.search_records("DocumentReference", {**ALICE, "_count": "1"}, read, name="ids")
        assert found == ("pps-breast-v2", "pps-breast-v1")
    assert read.calls == 2


def test_a_reading_that_refuses_the_answer_keeps_nothing(
    rsps: responses.RequestsMock, fhir: FhirClient, clock: Clock
) -> None:
    rsps.add(responses.GET, f"{BASE}/DocumentReference", json=documents("v1"))
    calls: list[int] = []

    def refuse(_resources: list[dict[str, Any]]) -> tuple[str, ...]:
        calls.append(1)
        raise StoreInvalidResponse("not this patient's")

    for _ in range(2):
        with pytest.raises(StoreInvalidResponse):
            fhir.search_records("DocumentReference", ALICE, refuse, name="ids")
    assert len(calls) == 2  # checked again on every use, like a fresh reading
