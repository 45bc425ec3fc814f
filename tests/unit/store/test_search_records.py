"""A search's reading (its JSON made into records) is kept while the search is answered with the very same answer:
asked again every time, read again only when the answer is another one."""

from __future__ import annotations

import gc
import json
import sys
import types
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from responses import matchers

from portal.store import FhirClient, StoreInvalidResponse, pdsm
from portal.store.cache import ResponseCache
from portal.store.client import (
    READING_BYTES_PER_BODY_BYTE,
    READING_OVERHEAD_BYTES,
    READINGS_MAX_BYTES,
    READINGS_SHARE,
)
from synthetic.bundle import build_bundle
from tests.unit.store.conftest import BASE, SUBJECT_SYSTEM, fixture_json
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


def test_the_readings_are_bounded_in_bytes_and_the_oldest_is_read_again(rsps: responses.RequestsMock) -> None:
    bodies = {name: documents(name) for name in ("a1", "b1", "c1")}
    length = max(len(json.dumps(body).encode()) for body in bodies.values())
    # Room for two readings of these answers, not three.
    budget = READINGS_SHARE * (2 * (READING_BYTES_PER_BODY_BYTE * length + READING_OVERHEAD_BYTES) + 100)
    for name, body in bodies.items():
        rsps.add(
            responses.GET,
            f"{BASE}/DocumentReference",
            json=body,
            match=[matchers.query_param_matcher({"patient": f"Patient/pat-{name}"})],
        )
    read = Reader()
    with FhirClient(BASE, cache_max_bytes=budget) as client:
        for name in ("a1", "b1", "c1", "c1", "b1"):
            assert client.search_records("DocumentReference", {"patient": f"Patient/pat-{name}"}, read, name="ids")
        assert read.calls == 3  # c1 and b1 were kept
        client.search_records("DocumentReference", {"patient": "Patient/pat-a1"}, read, name="ids")
        assert read.calls == 4  # a1 was not: the bytes bound let it go


def _object_bytes(value: object) -> int:
    """The bytes of every object `value` reaches (classes, modules and functions left out; shared ones counted
    too, so the figure can only be larger than what the reading alone holds)."""
    seen: set[int] = set()
    total, stack = 0, [value]
    while stack:
        found = stack.pop()
        if id(found) in seen or isinstance(found, type | types.ModuleType | types.FunctionType):
            continue
        seen.add(id(found))
        total += sys.getsizeof(found)
        stack.extend(gc.get_referents(found))
    return total


def _searchset(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": r} for r in resources]}


def test_every_synthetic_reading_takes_less_than_it_is_counted_for() -> None:
    """Oracle: a walk of the objects of each reading the portal makes (a person's Patient, their plan's documents,
    their relatives' links) for every synthetic person, against the bytes the client counts it for."""
    resources = [entry["resource"] for entry in build_bundle()["entry"]]
    by_type: dict[str, list[dict[str, Any]]] = {}
    for resource in resources:
        by_type.setdefault(resource["resourceType"], []).append(resource)

    def with_identifier(kind: str) -> Callable[[Any], tuple[int, dict[str, str], str]]:
        def answer(request: Any) -> tuple[int, dict[str, str], str]:
            system, _, value = parse_qs(urlsplit(request.url).query)["identifier"][0].partition("|")
            found = [
                r
                for r in by_type.get(kind, [])
                if any(i.get("system") == system and i.get("value") == value for i in r.get("identifier", []))
            ]
            return 200, {"Content-Type": "application/fhir+json"}, json.dumps(_searchset(found))

        return answer

    def documents_of(request: Any) -> tuple[int, dict[str, str], str]:
        patient = parse_qs(urlsplit(request.url).query)["patient"][0]
        found = [r for r in by_type["DocumentReference"] if r.get("subject", {}).get("reference") == patient]
        return 200, {"Content-Type": "application/fhir+json"}, json.dumps(_searchset(found))

    subs = [
        i["value"]
        for kind in ("Patient", "RelatedPerson")
        for r in by_type.get(kind, [])
        for i in r.get("identifier", [])
        if i.get("system") == SUBJECT_SYSTEM
    ]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock, FhirClient(BASE) as client:
        mock.add_callback(responses.GET, f"{BASE}/Patient", callback=with_identifier("Patient"))
        mock.add_callback(responses.GET, f"{BASE}/RelatedPerson", callback=with_identifier("RelatedPerson"))
        mock.add_callback(responses.GET, f"{BASE}/DocumentReference", callback=documents_of)
        for sub in subs:
            pdsm.find_patient(client, SUBJECT_SYSTEM, sub)
            pdsm.related_people(client, SUBJECT_SYSTEM, sub)
        for patient in by_type["Patient"]:
            pdsm.pps_documents(client, patient["id"])
        kept = list(client._readings.values())
    assert len(kept) >= len(subs) + len(by_type["Patient"])  # every reading was kept, so each is checked
    for (_fetched_at, length, _hash), value in kept:
        counted = READING_BYTES_PER_BODY_BYTE * length + READING_OVERHEAD_BYTES
        assert _object_bytes(value) <= counted, (length, value)


@pytest.mark.parametrize(
    ("budget", "readings"),
    [(32 * 1024 * 1024, 2 * 1024 * 1024), (256 * 1024 * 1024, READINGS_MAX_BYTES), (64 * 1024, 4 * 1024)],
)
def test_the_readings_take_a_sixteenth_of_the_answers_budget_at_most_two_megabytes(budget: int, readings: int) -> None:
    with FhirClient(BASE, cache_max_bytes=budget) as client:
        assert isinstance(client.cache, ResponseCache)
        assert client.cache.max_bytes == budget
        assert client._readings.maxsize == readings


def test_with_a_shared_cache_each_process_keeps_at_most_the_readings_bound() -> None:
    shared = ResponseCache(ttl=30, max_bytes=1_000_000)  # stands for Redis: the budget is the shared cache's
    with FhirClient(BASE, cache=shared, cache_max_bytes=256 * 1024 * 1024) as client:
        assert client._readings.maxsize == READINGS_MAX_BYTES
