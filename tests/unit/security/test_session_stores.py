"""The session stores behind the `SessionStore` protocol: memory (one process) and Redis (every worker)."""

from __future__ import annotations

import fakeredis
import pytest

from portal.auth.backchannel import REMEMBER_SECONDS, MemoryReplayGuard, RedisReplayGuard
from portal.auth.session import EXPIRED_GRACE_SECONDS, MemorySessionStore, RedisSessionStore, SessionStore


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> SessionStore:
    if request.param == "memory":
        return MemorySessionStore(idle_seconds=900)
    return RedisSessionStore(fakeredis.FakeRedis(), idle_seconds=900)


def test_a_created_session_loads_back_as_it_was(store: SessionStore) -> None:
    data = {"user": {"sub": "s-1", "given_name": "Camille"}, "oidc_sub": "s-1"}
    assert store.create("sid-1", data, 1.5)
    loaded = store.load("sid-1")
    assert loaded is not None
    assert (loaded.data, loaded.seen) == (data, 1.5)
    store.delete("sid-1")
    assert store.load("sid-1") is None


def test_an_identifier_is_created_once(store: SessionStore) -> None:
    assert store.create("sid-1", {"oidc_sub": "first"}, 1.0)
    assert not store.create("sid-1", {"oidc_sub": "second"}, 2.0)
    loaded = store.load("sid-1")
    assert loaded is not None
    assert loaded.data == {"oidc_sub": "first"}


def test_a_deleted_session_is_never_written_back(store: SessionStore) -> None:
    """A request still running when the session ended must not bring it back, whether it changed it or not."""
    store.create("sid-1", {"oidc_sub": "s-1"}, 1.0)
    store.delete("sid-1")
    assert not store.replace("sid-1", {"oidc_sub": "s-1", "viewing_patient": "p-1"}, 2.0)
    assert not store.touch("sid-1", 2.0)
    assert store.load("sid-1") is None


def test_touch_notes_activity_without_undoing_a_concurrent_change(store: SessionStore) -> None:
    store.create("sid-1", {"oidc_sub": "s-1"}, 1.0)
    assert store.replace("sid-1", {"oidc_sub": "s-1", "viewing_patient": "p-2"}, 2.0)  # one request chose
    assert store.touch("sid-1", 3.0)  # another, slower one only read
    loaded = store.load("sid-1")
    assert loaded is not None
    assert (loaded.data, loaded.seen) == ({"oidc_sub": "s-1", "viewing_patient": "p-2"}, 3.0)


def test_delete_where_ends_only_the_matching_sessions(store: SessionStore) -> None:
    store.create("a", {"oidc_sid": "op-1", "oidc_sub": "person"}, 1.0)
    store.create("b", {"oidc_sid": "op-2", "oidc_sub": "person"}, 1.0)
    store.create("c", {"oidc_sid": "op-3", "oidc_sub": "someone-else"}, 1.0)

    assert store.delete_where("oidc_sid", "op-1") == 1
    assert store.load("a") is None
    assert store.load("b") is not None

    assert store.delete_where("oidc_sub", "person") == 1
    assert store.load("b") is None
    assert store.load("c") is not None


def test_redis_entries_expire_a_little_after_the_idle_timeout_and_name_nobody() -> None:
    client = fakeredis.FakeRedis()
    store = RedisSessionStore(client, idle_seconds=900)
    store.create("sid-1", {"oidc_sub": "sub-of-camille", "oidc_sid": "op-1"}, 1.0)
    store.touch("sid-1", 2.0)
    keys = [k.decode() for k in client.keys("*") if k != b"portal:session:born"]
    assert len(keys) == 3  # the session and its two logout indexes
    assert not any("sub-of-camille" in k or "op-1" in k for k in keys)  # index names are hashed
    assert all(0 < client.ttl(k) <= 900 + EXPIRED_GRACE_SECONDS for k in keys)
    # Besides them, since when this Redis holds sessions: set by the first one, kept without expiry.
    assert client.get("portal:session:born") == b"1.0"
    assert client.ttl("portal:session:born") == -1


def test_a_session_whose_data_changed_after_a_logout_lookup_is_not_ended_by_a_stale_index() -> None:
    store = RedisSessionStore(fakeredis.FakeRedis(), idle_seconds=900)
    store.create("sid-1", {"oidc_sub": "first-person"}, 1.0)
    store.replace("sid-1", {"oidc_sub": "second-person"}, 2.0)  # same identifier, other data
    assert store.delete_where("oidc_sub", "first-person") == 0
    loaded = store.load("sid-1")
    assert loaded is not None
    assert loaded.data == {"oidc_sub": "second-person"}


def test_redis_store_refuses_lookups_by_keys_it_does_not_index() -> None:
    with pytest.raises(ValueError, match="not indexed"):
        RedisSessionStore(fakeredis.FakeRedis(), idle_seconds=900).delete_where("user", "x")


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_a_jti_is_accepted_once_per_issuer(kind: str) -> None:
    client = fakeredis.FakeRedis()
    guard = MemoryReplayGuard() if kind == "memory" else RedisReplayGuard(client)
    assert guard.first_use("https://idp.test", "jti-1")
    assert not guard.first_use("https://idp.test", "jti-1")
    assert guard.first_use("https://pro-idp.test", "jti-1")
    if kind == "redis":
        assert all(0 < client.ttl(k) <= REMEMBER_SECONDS for k in client.keys("*"))


def test_the_memory_of_seen_jtis_is_bounded() -> None:
    guard = MemoryReplayGuard(max_entries=3)
    for n in range(10):
        assert guard.first_use("https://idp.test", f"jti-{n}")
    assert len(guard._seen) == 3
