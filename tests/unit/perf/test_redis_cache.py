"""The Redis answer cache behaves as the in-process one: fresh within the TTL, kept past it only to revalidate,
bounded in bytes, never mixing two requests (two people), and a sick Redis is a miss, not a failed page."""

from __future__ import annotations

import fakeredis
import pytest
import responses

from portal.store import FhirClient
from portal.store.cache import Answer, cache_key
from portal.store.pdsm import find_patient
from portal.store.redis_cache import RedisResponseCache

BASE = "https://store.test/fhir"
SYSTEM = "urn:pps-portal:test:sub"


def gets(mock: responses.RequestsMock) -> list[responses.Call]:
    """The GETs the mock answered (other tests' apps may still be posting their access records meanwhile)."""
    return [c for c in mock.calls if c.request.method == "GET"]


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def key(path: str, identity: str = "none") -> object:
    return cache_key("GET", f"{BASE}/{path}", "application/fhir+json", identity)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def server() -> fakeredis.FakeServer:
    return fakeredis.FakeServer()


@pytest.fixture
def cache(server: fakeredis.FakeServer, clock: Clock) -> RedisResponseCache:
    return RedisResponseCache(fakeredis.FakeRedis(server=server), ttl=30, max_bytes=100_000, timer=clock)


def test_an_answer_is_fresh_within_the_ttl_only(cache: RedisResponseCache, clock: Clock) -> None:
    answer = Answer(200, "application/fhir+json", b'{"resourceType":"Bundle"}')
    cache.put(key("Patient?identifier=a"), answer)

    assert cache.get(key("Patient?identifier=a")) == answer
    clock.now += 31
    assert cache.get(key("Patient?identifier=a")) is None
    assert cache.get_stale(key("Patient?identifier=a")) is None  # no ETag: nothing to revalidate with


def test_past_the_ttl_an_answer_with_an_etag_is_kept_to_revalidate(cache: RedisResponseCache, clock: Clock) -> None:
    answer = Answer(200, "application/fhir+json", b"{}", 'W/"7"')
    cache.put(key("Patient/p1"), answer)
    clock.now += 31

    assert cache.get(key("Patient/p1")) is None
    assert cache.get_stale(key("Patient/p1")) == answer


def test_only_200_answers_are_kept(cache: RedisResponseCache) -> None:
    assert not cache.put(key("Patient/p1"), Answer(404, "application/fhir+json", b"{}"))
    assert cache.get(key("Patient/p1")) is None


def test_the_cache_evicts_to_stay_within_its_bytes(server: fakeredis.FakeServer, clock: Clock) -> None:
    cache = RedisResponseCache(fakeredis.FakeRedis(server=server), ttl=30, max_bytes=3_000, timer=clock)
    for n in range(10):
        clock.now += 1
        cache.put(key(f"Binary/b{n}"), Answer(200, "text/xml", b"x" * 500))

    assert cache.current_bytes <= 3_000
    assert 0 < len(cache) < 10
    assert cache.get(key("Binary/b9")) is not None  # the newest stays
    assert cache.get(key("Binary/b0")) is None  # the oldest went


def test_two_patients_searches_never_share_an_entry(mock: responses.RequestsMock, server: fakeredis.FakeServer) -> None:
    for patient_id, sub in (("pat-alice-fictive", "sub-alice-0001"), ("pat-bruno-fictif", "sub-bruno-0002")):
        mock.get(
            f"{BASE}/Patient",
            json={
                "resourceType": "Bundle",
                "type": "searchset",
                "entry": [
                    {
                        "resource": {
                            "resourceType": "Patient",
                            "id": patient_id,
                            "identifier": [{"system": SYSTEM, "value": sub}],
                        }
                    }
                ],
            },
            match=[responses.matchers.query_param_matcher({"identifier": f"{SYSTEM}|{sub}"})],
        )
    fhir = FhirClient(
        BASE, retries=0, cache=RedisResponseCache(fakeredis.FakeRedis(server=server), ttl=30, max_bytes=10**6)
    )

    first = [find_patient(fhir, SYSTEM, s) for s in ("sub-alice-0001", "sub-bruno-0002")]
    again = [find_patient(fhir, SYSTEM, s) for s in ("sub-alice-0001", "sub-bruno-0002")]

    assert [p.id for p in first if p] == [p.id for p in again if p] == ["pat-alice-fictive", "pat-bruno-fictif"]
    assert len(gets(mock)) == 2  # the second round came from Redis, each answer to its own request


def test_the_store_identity_is_part_of_the_key(cache: RedisResponseCache) -> None:
    cache.put(key("Patient/p1", identity="portal-a"), Answer(200, "application/fhir+json", b"{}"))
    assert cache.get(key("Patient/p1", identity="portal-b")) is None


def test_redis_keys_do_not_hold_the_url(cache: RedisResponseCache, server: fakeredis.FakeServer) -> None:
    cache.put(key("DocumentReference?patient=Patient/pat-alice-fictive"), Answer(200, "application/fhir+json", b"{}"))
    names = [k.decode() for k in fakeredis.FakeRedis(server=server).keys("*")]
    assert names and not any("alice" in n for n in names)


def test_a_sick_redis_is_a_miss_and_the_store_answers(
    mock: responses.RequestsMock, server: fakeredis.FakeServer
) -> None:
    mock.get(f"{BASE}/Patient/p1", json={"resourceType": "Patient", "id": "p1"})
    fhir = FhirClient(
        BASE, retries=0, cache=RedisResponseCache(fakeredis.FakeRedis(server=server), ttl=30, max_bytes=10**6)
    )
    server.connected = False

    assert fhir.read("Patient", "p1")["id"] == "p1"
    assert fhir.read("Patient", "p1")["id"] == "p1"
    assert len(gets(mock)) == 2


def test_revalidation_through_redis_reuses_the_body(
    mock: responses.RequestsMock, server: fakeredis.FakeServer, clock: Clock
) -> None:
    mock.get(f"{BASE}/Patient/p1", json={"resourceType": "Patient", "id": "p1"}, headers={"ETag": 'W/"3"'})
    mock.get(f"{BASE}/Patient/p1", status=304)
    cache = RedisResponseCache(fakeredis.FakeRedis(server=server), ttl=30, max_bytes=10**6, timer=clock)
    fhir = FhirClient(BASE, retries=0, cache=cache)

    fhir.read("Patient", "p1")
    clock.now += 31

    assert fhir.read("Patient", "p1")["id"] == "p1"
    assert gets(mock)[1].request.headers["If-None-Match"] == 'W/"3"'


def test_an_answer_keeps_when_the_store_sent_it(cache: RedisResponseCache) -> None:
    answer = Answer(200, "application/fhir+json", b"{}", 'W/"1"', 1234.5)
    cache.put(key("Patient?identifier=a"), answer)
    assert cache.get(key("Patient?identifier=a")) == answer  # fetched_at included: another instance reads it
