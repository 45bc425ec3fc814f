"""Several instances behind one address: with PORTAL_REDIS_URL, two instances of the app share the store answer
cache (what one fetched, the other does not fetch again), as they share sessions."""

from __future__ import annotations

import fakeredis
import pytest
import responses

from portal import create_app
from portal.auth import session as session_module
from portal.store import FhirClient
from portal.store.redis_cache import RedisResponseCache
from tests.unit.conftest import STORE, base_env

PATIENT = {"resourceType": "Patient", "id": "pat-alice-fictive"}


def gets(mock: responses.RequestsMock) -> list[responses.Call]:
    """The GETs the mock answered (other tests' apps may still be posting their access records meanwhile)."""
    return [c for c in mock.calls if c.request.method == "GET"]


@pytest.fixture
def shared_redis(monkeypatch: pytest.MonkeyPatch) -> fakeredis.FakeServer:
    """Every app made in the test reaches the same (fake) Redis, as instances reach the real one."""
    server = fakeredis.FakeServer()
    monkeypatch.setattr(session_module, "redis_client", lambda url: fakeredis.FakeRedis(server=server))
    return server


def instance() -> FhirClient:
    client: FhirClient = create_app(base_env(PORTAL_REDIS_URL="redis://cache.internal:6379/0")).extensions[
        "portal.store"
    ]
    return client


def test_two_instances_share_the_store_answer_cache(
    shared_redis: fakeredis.FakeServer, mock: responses.RequestsMock
) -> None:
    mock.get(f"{STORE}/Patient/pat-alice-fictive", json=PATIENT)
    first, second = instance(), instance()

    assert first.read("Patient", "pat-alice-fictive") == PATIENT
    assert second.read("Patient", "pat-alice-fictive") == PATIENT

    assert len(gets(mock)) == 1


def test_without_redis_each_instance_keeps_its_own_cache(mock: responses.RequestsMock) -> None:
    mock.get(f"{STORE}/Patient/pat-alice-fictive", json=PATIENT)
    first, second = (create_app(base_env()).extensions["portal.store"] for _ in range(2))

    first.read("Patient", "pat-alice-fictive")
    second.read("Patient", "pat-alice-fictive")

    assert not isinstance(first.cache, RedisResponseCache)
    assert len(gets(mock)) == 2
