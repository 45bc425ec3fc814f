"""When the session store fails, people read the portal's own page and stay signed in for when it is back; when a
session is lost (a restart without shared sessions, a Redis emptied), the start page says so.

Redis is fakeredis with its server switched off and on (`FakeServer.connected`); the breaker in front of a real
client is tested against a closed port, with its own clock. Nothing here waits for wall-clock time.
"""

from __future__ import annotations

import logging
import socket

import fakeredis
import pytest
import redis
import responses
from flask import Flask
from flask.testing import FlaskClient

from portal import create_app
from portal.auth import session as session_module
from portal.auth.session import MemorySessionStore, ServerSessionInterface
from portal.ops import redis_link
from portal.store.breaker import CircuitBreaker, State
from tests.pages import check_page, csp_nonce
from tests.unit.conftest import STORE, FakeProvider, base_env, make_client, sign_in
from tests.unit.fhir import PATIENT, searchset
from tests.unit.web.plans import pps_entry, synthetic

COOKIE = "__Host-portal-session"
UNAVAILABLE_FR = "Nous ne pouvons pas garder votre session ouverte pour le moment"
LOST_FR = "Votre session a pris fin à cause d’un problème technique."


class FakeClock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> fakeredis.FakeServer:
    shared = fakeredis.FakeServer()
    monkeypatch.setattr(session_module, "redis_client", lambda url: fakeredis.FakeRedis(server=shared))
    return shared


@pytest.fixture
def app(server: fakeredis.FakeServer, mock: responses.RequestsMock) -> Flask:
    cda = synthetic()["camille-pps-2"].cda
    mock.get(STORE + "/Patient", json=searchset(PATIENT))
    mock.get(STORE + "/DocumentReference", json=searchset(pps_entry("pps-1", cda)))
    mock.get(f"{STORE}/Binary/pps-1", body=cda, content_type="application/xml")
    flask_app = create_app(base_env(PORTAL_REDIS_URL="redis://sessions.internal:6379/0"))
    flask_app.config["TESTING"] = True
    return flask_app


def h1(page: str) -> str:
    doc = check_page(page)
    return " ".join(doc.find(".//h1").text_content().split())


def signed_in(app: Flask, provider: FakeProvider) -> FlaskClient:
    client = make_client(app)
    assert sign_in(client, provider).status_code == 302
    assert client.get("/").status_code == 200
    return client


def test_a_page_while_redis_is_down_is_the_portals_own_and_the_person_stays_signed_in(
    app: Flask, server: fakeredis.FakeServer, provider: FakeProvider, caplog: pytest.LogCaptureFixture
) -> None:
    client = signed_in(app, provider)
    cookie = client.get_cookie(COOKIE, domain="portal.test")
    assert cookie is not None

    server.connected = False
    with caplog.at_level(logging.WARNING):
        page = client.get("/treatments")

    assert page.status_code == 503
    assert page.headers["Retry-After"] == "120"
    body = page.get_data(as_text=True)
    check_page(body, nonce=csp_nonce(page.headers["Content-Security-Policy"]))
    assert h1(body) == UNAVAILABLE_FR
    assert "Se déconnecter" not in body  # nobody is shown as signed in while we cannot tell who it is
    assert COOKIE not in page.headers.get("Set-Cookie", "")  # the cookie stays as it was
    # One line for the failure, and no traceback anywhere.
    assert [r for r in caplog.records if r.exc_info] == []
    assert any("session store unavailable" in r.getMessage() for r in caplog.records)

    server.connected = True
    again = client.get("/treatments")
    assert again.status_code == 200
    assert "Se déconnecter" in again.get_data(as_text=True)


def test_static_files_and_probes_never_ask_for_the_session(
    app: Flask, server: fakeredis.FakeServer, provider: FakeProvider
) -> None:
    client = signed_in(app, provider)
    server.connected = False
    assert client.get("/healthz").status_code == 200
    assert client.get("/static/css/portal.css").status_code in (200, 302)


def test_a_sign_in_while_redis_is_down_says_so_and_signs_nobody_in(
    app: Flask, server: fakeredis.FakeServer, provider: FakeProvider
) -> None:
    client = make_client(app)
    server.connected = False
    answer = sign_in(client, provider)
    assert answer.status_code == 503
    assert h1(answer.get_data(as_text=True)) == UNAVAILABLE_FR
    assert client.get_cookie(COOKIE, domain="portal.test") is None
    server.connected = True
    assert "Se déconnecter" not in client.get("/").get_data(as_text=True)


def test_a_session_lost_with_the_store_is_announced_on_the_start_page() -> None:
    clock = FakeClock()
    store = MemorySessionStore(idle_seconds=900, born=clock.now)  # a process that has just started
    interface = ServerSessionInterface(
        store, idle_seconds=900, max_seconds=12 * 3600, secure=True, secret_key="k" * 40, clock=clock
    )
    app = create_app(base_env())
    app.session_interface = interface
    client = make_client(app)
    client.set_cookie(COOKIE, "a-session-of-the-previous-process", domain="portal.test")

    start = client.get("/")

    assert start.status_code == 200
    assert LOST_FR in start.get_data(as_text=True)
    assert "Se déconnecter" not in start.get_data(as_text=True)
    assert LOST_FR not in client.get("/").get_data(as_text=True)  # said once


def test_an_unknown_session_in_a_store_older_than_any_session_is_not_called_lost() -> None:
    clock = FakeClock()
    store = MemorySessionStore(idle_seconds=900, born=clock.now)
    clock.now += 900 + session_module.EXPIRED_GRACE_SECONDS + 1  # every session of before has timed out since
    interface = ServerSessionInterface(
        store, idle_seconds=900, max_seconds=12 * 3600, secure=True, secret_key="k" * 40, clock=clock
    )
    app = create_app(base_env())
    app.session_interface = interface
    client = make_client(app)
    client.set_cookie(COOKIE, "ended-by-the-provider-or-long-ago", domain="portal.test")
    assert LOST_FR not in client.get("/").get_data(as_text=True)


def test_a_redis_emptied_says_lost_and_one_that_kept_its_sessions_does_not(server: fakeredis.FakeServer) -> None:
    client = fakeredis.FakeRedis(server=server)
    store = session_module.RedisSessionStore(client, idle_seconds=900)
    store.create("sid-1", {"oidc_sub": "s"}, 100.0)
    assert store.born(5000.0) == 100.0  # set by the first session: older than any session it may hold
    client.flushall()  # a restart without persistence
    assert store.born(5000.0) == 5000.0


# --- the breaker in front of a real client -------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_after_a_few_failures_redis_calls_fail_at_once_then_one_trial_goes_through() -> None:
    clock = FakeClock()
    client = redis_link.url_client(f"redis://127.0.0.1:{closed_port()}/0", timeout=0.2)
    client.guard.breaker = CircuitBreaker(
        failure_threshold=redis_link.FAILURES, cool_down=redis_link.COOL_DOWN, clock=clock, name="Redis"
    )
    for _ in range(redis_link.FAILURES):
        with pytest.raises(redis.exceptions.ConnectionError) as refused:
            client.get("key")
        assert not isinstance(refused.value, redis_link.RedisUnavailable)  # really asked
    assert client.breaker.state is State.OPEN
    with pytest.raises(redis_link.RedisUnavailable):
        client.get("key")  # not sent
    with pytest.raises(redis_link.RedisUnavailable):
        client.pipeline().set("a", 1).execute()

    clock.now += redis_link.COOL_DOWN
    assert client.breaker.state is State.HALF_OPEN
    with pytest.raises(redis.exceptions.ConnectionError) as trial:
        client.get("key")
    assert not isinstance(trial.value, redis_link.RedisUnavailable)  # the trial was sent
    assert client.breaker.state is State.OPEN


def test_readiness_asks_redis_itself_whatever_the_breaker_says() -> None:
    client = redis_link.url_client(f"redis://127.0.0.1:{closed_port()}/0", timeout=0.2)
    assert redis_link.ping(client) is False
    assert client.breaker.state is State.CLOSED  # the check told the breaker nothing


def test_the_client_never_retries_a_timeout_and_retries_a_broken_connection_once() -> None:
    retry = redis_link.url_client("redis://127.0.0.1:1/0").get_retry()
    assert retry is not None
    assert retry.get_retries() == 1
    assert redis.exceptions.TimeoutError not in retry._supported_errors
    assert redis.exceptions.ConnectionError in retry._supported_errors


def test_sentinel_addresses_are_checked() -> None:
    assert redis_link.parse_sentinels(["10.0.0.1:26379", "[::1]:26380"]) == [("10.0.0.1", 26379), ("::1", 26380)]
    with pytest.raises(ValueError, match="host:port"):
        redis_link.parse_sentinels(["10.0.0.1"])


class ReplaceFails(MemorySessionStore):
    """A store that takes a new session, then fails (Redis gone the instant after the sign-in wrote it)."""

    def replace(self, sid: str, data: dict[str, object], seen: float) -> bool:
        raise session_module.SessionStoreUnavailable("Redis: ConnectionError")


def test_a_session_written_at_sign_in_keeps_its_cookie_when_the_store_fails_an_instant_later() -> None:
    from flask import Response

    store = ReplaceFails(idle_seconds=900)
    interface = ServerSessionInterface(store, idle_seconds=900, max_seconds=3600, secure=True, secret_key="k" * 40)
    app = create_app(base_env())
    with app.test_request_context("https://portal.test/auth/callback"):
        session = session_module.PortalSession({"next": "/"})
        session.regenerate()
        session["user"] = {"sub": "s"}
        interface.create_now(session)
        session["hint"] = "changed after it was written"
        response = Response()
        interface.save_session(app, session, response)
    assert store.load(session.sid) is not None
    assert f"{COOKIE}={session.sid}" in response.headers.get("Set-Cookie", "")
