"""When the store fails and this process has no last good copy of its own (it just started, or another instance
fetched the answer), the copy in the shared Redis is shown instead, with the time it was fetched; and never for
the searches that decide access."""

from __future__ import annotations

import datetime as dt
import time

import fakeredis
import pytest
import responses

from portal.store import FhirClient, StoreUnavailable, pdsm
from portal.store.redis_cache import RedisResponseCache
from portal.store.scope import page_scope
from portal.store.stale import StaleCopies

STORE = "https://shared-copy.test/fhir"
FETCHED_AT = dt.datetime(2026, 3, 1, 13, 5, tzinfo=dt.UTC).timestamp()
BUNDLE = {
    "resourceType": "Bundle",
    "type": "searchset",
    "entry": [{"resource": {"resourceType": "CareTeam", "id": "t"}}],
}


class Clock:
    def __init__(self) -> None:
        self.now = FETCHED_AT

    def __call__(self) -> float:
        return self.now


def instance(server: fakeredis.FakeServer, clock: Clock) -> FhirClient:
    cache = RedisResponseCache(fakeredis.FakeRedis(server=server), ttl=30, max_bytes=1 << 20, timer=clock)
    return FhirClient(STORE, cache=cache, last_good=StaleCopies(), retries=0)


def test_another_instances_answer_in_redis_is_the_last_good_copy_of_a_process_that_has_none() -> None:
    server, clock = fakeredis.FakeServer(), Clock()
    with responses.RequestsMock() as mock, instance(server, clock) as first, instance(server, clock) as second:
        mock.get(f"{STORE}/CareTeam", json=BUNDLE)
        before = time.time()
        assert first.search("CareTeam", {"patient": "Patient/p"})  # fetched by the first instance
        fetched = time.time()
        clock.now += 31  # past the TTL: the second instance would ask the store
        mock.replace(responses.GET, f"{STORE}/CareTeam", status=503)
        assert second.last_good is not None and len(second.last_good) == 0  # nothing of its own
        with page_scope() as scope:
            found = second.search("CareTeam", {"patient": "Patient/p"})
        assert [r["id"] for r in found] == ["t"]
        # The page says when the copy was fetched: when the first instance fetched it.
        assert scope.stale_since is not None and before <= scope.stale_since <= fetched


def test_the_shared_copy_is_never_used_for_an_access_decision() -> None:
    server, clock = fakeredis.FakeServer(), Clock()
    with responses.RequestsMock() as mock, instance(server, clock) as first, instance(server, clock) as second:
        mock.get(f"{STORE}/CareTeam", json=BUNDLE)
        pdsm.care_teams_with(first, ["Practitioner/pr-1"])
        clock.now += 31
        mock.replace(responses.GET, f"{STORE}/CareTeam", status=503)
        with pytest.raises(StoreUnavailable):
            pdsm.care_teams_with(second, ["Practitioner/pr-1"])
