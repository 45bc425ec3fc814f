"""Sessions that end stay ended, and anonymous traffic stores nothing, in memory and in Redis.

The races are ordered with events, not timed: a page request is held inside its store call (after it loaded the
session) while the person signs out, is signed out by the provider, or times out; then it is let go. Whatever
it wanted to write back, the old cookie must not open a page again.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

import fakeredis
import pytest
import responses
from flask import Flask
from flask.testing import FlaskClient
from lxml import html
from werkzeug.test import EnvironBuilder

from portal import create_app
from portal.auth import session as session_module
from tests.unit.conftest import STORE, FakeProvider, base_env, make_client, signed_in_client
from tests.unit.fhir import PATIENT, searchset
from tests.unit.security.hostile_idp import OP_SESSION, HostileProvider
from tests.unit.web.plans import pps_entry, synthetic

COOKIE = "__Host-portal-session"
ANONYMOUS = "__Host-portal-anonymous"


@pytest.fixture(params=["memory", "redis"])
def app(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Flask:
    settings = {}
    if request.param == "redis":
        server = fakeredis.FakeServer()
        monkeypatch.setattr(session_module, "redis_client", lambda url: fakeredis.FakeRedis(server=server))
        settings["PORTAL_REDIS_URL"] = "redis://sessions.internal:6379/0"
    # No cache of store answers or pages: every request asks the store, where the tests hold it.
    flask_app = create_app(base_env(PORTAL_PAGE_CACHE_BYTES="0", PORTAL_STORE_CACHE_TTL="0", **settings))
    flask_app.config["TESTING"] = True
    return flask_app


class HeldStore:
    """Serves one patient and one plan; a request searching the plan's versions waits until the test lets it go."""

    def __init__(self, mock: responses.RequestsMock) -> None:
        self.data = synthetic()["camille-pps-2"].cda
        self.entered = threading.Semaphore(0)
        self.release = threading.Event()
        self.release.set()
        self.documents = json.dumps(searchset(pps_entry("pps-1", self.data)))
        mock.get(STORE + "/Patient", json=searchset(PATIENT))
        mock.add_callback(responses.GET, STORE + "/DocumentReference", callback=self._documents)
        mock.get(f"{STORE}/Binary/pps-1", body=self.data, content_type="application/xml")

    def _documents(self, _request: Any) -> tuple[int, dict[str, str], str]:
        if not self.release.is_set():
            self.entered.release()
            assert self.release.wait(timeout=60), "the test never let the request go"
        return 200, {"Content-Type": "application/fhir+json"}, self.documents

    def hold(self) -> None:
        self.release.clear()


@pytest.fixture
def store(mock: responses.RequestsMock) -> HeldStore:
    return HeldStore(mock)


def same_browser(app: Flask, cookie: str) -> FlaskClient:
    """Another tab of the same browser: a client holding the same session cookie."""
    client = make_client(app)
    client.set_cookie(COOKIE, cookie, domain="portal.test")
    return client


def session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie(COOKIE, domain="portal.test")
    assert cookie is not None
    return cookie.value


def opens_a_plan_page(app: Flask, cookie: str) -> bool:
    answer = same_browser(app, cookie).get("/treatments")
    return answer.status_code == 200


def csrf_token(client: FlaskClient) -> str:
    page = html.document_fromstring(client.get("/no-such-page").get_data(as_text=True))
    return str(page.xpath("//form[@action='/logout']/input[@name='csrf_token']/@value")[0])


def in_flight(app: Flask, cookie: str, paths: list[str], store: HeldStore) -> Iterator[threading.Thread]:
    """Start one request per path from tabs holding `cookie`; return once each is held inside the store."""
    answers: dict[str, int] = {}

    def run(path: str) -> None:
        answers[path] = same_browser(app, cookie).get(path).status_code

    store.hold()
    threads = [threading.Thread(target=run, args=(path,), name=f"tab {path}") for path in paths]
    for thread in threads:
        thread.start()
    for _ in threads:
        assert store.entered.acquire(timeout=60), "a request never reached the store"
    yield from threads


def let_go(store: HeldStore, threads: list[threading.Thread]) -> None:
    store.release.set()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive()


# Pages that read the plan's file (and so are held), each writing the session back its own way: the first view
# notes the patient it showed (a change), the others only note activity.
PARALLEL_PAGES = ["/treatments", "/documents/copy.zip", "/calendar", "/documents/calendar.ics"]


@pytest.mark.parametrize("tabs", [1, 4])
def test_sign_out_holds_while_other_requests_of_the_session_are_in_flight(
    app: Flask, provider: FakeProvider, store: HeldStore, tabs: int
) -> None:
    browser = signed_in_client(app, provider)
    cookie = session_cookie(browser)
    assert opens_a_plan_page(app, cookie)
    token = csrf_token(browser)

    threads = list(in_flight(app, cookie, PARALLEL_PAGES[:tabs], store))
    assert browser.post("/logout", data={"csrf_token": token}).status_code == 302
    let_go(store, threads)

    assert not opens_a_plan_page(app, cookie)
    assert app.session_interface.store.load(cookie) is None  # type: ignore[attr-defined]


def test_a_back_channel_logout_holds_while_a_request_is_in_flight(
    app: Flask, mock: responses.RequestsMock, store: HeldStore
) -> None:
    idp = HostileProvider(mock)
    idp.install()
    idp.claims_patch = {"sid": OP_SESSION}
    browser = signed_in_client(app, idp)
    cookie = session_cookie(browser)

    threads = list(in_flight(app, cookie, PARALLEL_PAGES, store))
    logout = make_client(app).post("/auth/backchannel-logout", data={"logout_token": idp.logout_token()})
    assert logout.status_code == 200
    let_go(store, threads)

    assert not opens_a_plan_page(app, cookie)


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("limit", ["idle", "absolute"])
def test_a_timeout_holds_while_an_older_request_is_in_flight(
    app: Flask, provider: FakeProvider, store: HeldStore, limit: str
) -> None:
    clock = Clock()
    app.session_interface.clock = clock  # type: ignore[attr-defined]
    browser = signed_in_client(app, provider)
    cookie = session_cookie(browser)

    if limit == "absolute":
        for _ in range(51):  # active every 14 minutes: 11 h 54 min after sign-in, 6 minutes before the end
            clock.now += 14 * 60
            assert opens_a_plan_page(app, cookie)
    threads = list(in_flight(app, cookie, ["/treatments"], store))  # loaded while still valid
    clock.now += 15 * 60 + 1 if limit == "idle" else 7 * 60
    later = same_browser(app, cookie).get("/")  # the next request finds the session over
    assert "Votre session a pris fin" in later.get_data(as_text=True)
    let_go(store, threads)

    assert not opens_a_plan_page(app, cookie)


def test_anonymous_requests_store_nothing_on_the_server(app: Flask, provider: FakeProvider) -> None:
    client = make_client(app)
    for path in ["/", "/no-such-page", "/glossary", "/accessibility", "/login", "/history", "/treatments"]:
        assert client.get(path).status_code in (200, 302, 404), path
    assert _count_entries(app)() == 0
    # What an anonymous browser needs travels in its own signed cookie instead.
    assert client.get_cookie(COOKIE, domain="portal.test") is None
    assert client.get_cookie(ANONYMOUS, domain="portal.test") is not None


def test_a_forged_anonymous_cookie_is_ignored(app: Flask, provider: FakeProvider) -> None:
    client = make_client(app)
    client.set_cookie(ANONYMOUS, "eyJ1c2VyIjp7InN1YiI6InN1Yi0xMjMifX0.forged.signature", domain="portal.test")
    assert "Se déconnecter" not in client.get("/no-such-page").get_data(as_text=True)


def _count_entries(app: Flask) -> Callable[[], int]:
    sessions = app.session_interface.store  # type: ignore[attr-defined]
    if isinstance(sessions, session_module.MemorySessionStore):
        return lambda: len(sessions)
    return lambda: len(sessions._redis.keys("portal:session:*"))


def test_sixty_thousand_anonymous_requests_evict_nobody_and_grow_nothing(
    app: Flask, provider: FakeProvider, store: HeldStore
) -> None:
    browser = signed_in_client(app, provider)
    cookie = session_cookie(browser)
    count = _count_entries(app)
    before = count()
    assert before >= 1

    # Straight to the WSGI app (the test client's cookie jar and redirects cost more than the portal itself);
    # every request a new browser with no cookie, a different page each time (404s, and the start page's form).
    statuses: set[str] = set()

    def start_response(status: str, _headers: list[tuple[str, str]], _exc_info: Any = None) -> Callable[..., Any]:
        statuses.add(status.split()[0])
        return lambda _data: None

    base = EnvironBuilder(base_url="https://portal.test").get_environ()
    quiet = logging.getLogger("portal.request")
    level = quiet.level
    quiet.setLevel(logging.WARNING)  # one log line per request would be most of the time spent
    try:
        for n in range(60_000):
            environ = dict(base, PATH_INFO="/" if n % 10 == 0 else f"/no-such-page-{n}")
            for _chunk in app.wsgi_app(environ, start_response):
                pass
    finally:
        quiet.setLevel(level)
    assert statuses == {"200", "404"}

    assert count() == before
    assert opens_a_plan_page(app, cookie)
