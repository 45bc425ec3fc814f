"""A plan page seen again is answered from memory (portal.web.rendered): for its own session only, never older
than its store answers, with a new nonce, logged and remembered like a fresh page."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
import responses
from flask import Flask, session
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal import create_app
from portal.access.trail import AuditTrail
from portal.store import FhirClient, scope
from portal.store.cache import ResponseCache
from portal.web import rendered
from portal.web.lastseen import COOKIE as LAST_SEEN_COOKIE
from portal.web.rendered import RenderedPage, RenderedPages
from portal.web.state import AccessNote, RequestState, state
from tests.pages import check_page, csp_nonce
from tests.unit.conftest import PUBLIC, STORE, BackgroundWork, FakeProvider, base_env, make_client, sign_in
from tests.unit.documents.synthetic_store import SyntheticStore
from tests.unit.masked_tokens import secret_of, tokens_in, without_tokens
from tests.unit.viewers import DEMO_SUBJECT_SYSTEM

CAMILLE, DIANE = "p-7c1e0b52a4", "p-d1a9e04c72"


def portal(mock: responses.RequestsMock, **env: str) -> Flask:
    SyntheticStore(STORE).install(mock)
    # Every view makes its own AuditEvent here, so that a page from memory can be seen to make one too.
    settings = {"PORTAL_OIDC_SUBJECT_SYSTEM": DEMO_SUBJECT_SYSTEM, "PORTAL_AUDIT_COALESCE_SECONDS": "0", **env}
    app = create_app(base_env(**settings))
    app.config["TESTING"] = True
    return app


def browser(app: Flask, provider: FakeProvider, sub: str) -> FlaskClient:
    """A signed-in browser that has seen its overview once: the cookies that visit sets (the last-seen marks) are
    part of what the browser sends, and so of the key."""
    client = make_client(app)
    provider.sub = sub
    assert sign_in(client, provider).status_code == 302
    assert client.get("/", base_url=PUBLIC).status_code == 200
    return client


def store_calls(mock: responses.RequestsMock) -> int:
    return sum(str(c.request.url).startswith(STORE) and c.request.method == "GET" for c in mock.calls)


def page(client: FlaskClient, path: str = "/", lang: str = "fr") -> tuple[str, str]:
    answer = client.get(path, base_url=PUBLIC, headers={"Accept-Language": lang})
    assert answer.status_code == 200
    nonce = csp_nonce(answer.headers.get("Content-Security-Policy"))
    body = answer.get_data(as_text=True)
    check_page(body, nonce=nonce)  # the scripts carry this answer's nonce, not the first one's
    return body, nonce


def test_a_page_seen_again_needs_neither_the_store_nor_a_render(
    mock: responses.RequestsMock, provider: FakeProvider
) -> None:
    app = portal(mock)
    client = browser(app, provider, CAMILLE)
    first, first_nonce = page(client)
    asked = store_calls(mock)

    again, again_nonce = page(client)

    assert store_calls(mock) == asked
    assert again_nonce != first_nonce
    # The same page, but for its nonce and its CSRF tokens, masked afresh for this answer (BREACH).
    assert without_tokens(again) == without_tokens(first.replace(first_nonce, again_nonce))
    assert tokens_in(first) and not set(tokens_in(again)) & set(tokens_in(first))
    assert {secret_of(t) for t in tokens_in(again) + tokens_in(first)} == {secret_of(tokens_in(first)[0])}
    assert len(app.extensions["portal.rendered"]) <= 2  # the first visit's, under its cookies, and this one


def test_a_page_from_memory_is_logged_and_remembered_like_a_fresh_one(
    mock: responses.RequestsMock, provider: FakeProvider
) -> None:
    app = portal(mock)
    client = browser(app, provider, CAMILLE)
    trail: AuditTrail = app.extensions["portal.access.trail"]
    fresh = client.get("/", base_url=PUBLIC)
    recorded, asked = trail.counters.recorded, store_calls(mock)

    kept = client.get("/", base_url=PUBLIC)

    assert store_calls(mock) == asked  # from memory
    assert trail.counters.recorded == recorded + 1

    def last_seen(answer: TestResponse) -> list[str]:
        return [c for c in answer.headers.getlist("Set-Cookie") if c.startswith(f"{LAST_SEEN_COOKIE}=")]

    assert last_seen(kept) and last_seen(kept) == last_seen(fresh)


def test_another_person_in_the_same_browser_never_gets_the_kept_page(
    mock: responses.RequestsMock, provider: FakeProvider
) -> None:
    app = portal(mock)
    client = browser(app, provider, CAMILLE)
    camille, _ = page(client)
    assert "Camille" in camille
    token = check_page(camille).xpath("//form[@action='/logout']/input[@name='csrf_token']/@value")[0]
    assert client.post("/logout", data={"csrf_token": token}, base_url=PUBLIC).status_code in (302, 303)

    provider.sub = DIANE
    assert sign_in(client, provider).status_code == 302
    diane, _ = page(client)

    assert "Diane" in diane and "Camille" not in diane


def test_two_people_at_once_each_get_their_own_page(mock: responses.RequestsMock, provider: FakeProvider) -> None:
    app = portal(mock)
    camille_browser = browser(app, provider, CAMILLE)
    diane_browser = browser(app, provider, DIANE)
    for _ in range(2):
        assert "Camille" in page(camille_browser)[0] and "Diane" not in page(camille_browser)[0]
        assert "Diane" in page(diane_browser)[0] and "Camille" not in page(diane_browser)[0]


def test_each_language_and_each_page_is_kept_apart(mock: responses.RequestsMock, provider: FakeProvider) -> None:
    app = portal(mock)
    client = browser(app, provider, CAMILLE)
    french, _ = page(client, "/", "fr")
    english, _ = page(client, "/", "en")
    calendar, _ = page(client, "/calendar", "en")

    assert 'lang="fr"' in french and 'lang="en"' in english and english != calendar
    pages = app.extensions["portal.rendered"]
    kept = len(pages)
    assert page(client, "/", "en")[0].count('lang="en"') == english.count('lang="en"') and len(pages) == kept


class Clock:
    """Seconds that move only when the test says so (used as wall clock and as monotonic clock alike: only
    differences are compared)."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def on_one_clock(app: Flask, clock: Clock) -> None:
    """Run the store answers' age, the cache of store answers and the kept pages on the test's clock."""
    settings = app.extensions["portal.settings"]
    fhir: FhirClient = app.extensions["portal.store"]
    fhir.clock = clock
    fhir.cache = ResponseCache(ttl=settings.store_cache_ttl, max_bytes=settings.store_cache_bytes, timer=clock)
    app.extensions["portal.rendered"] = RenderedPages(
        app.config["SECRET_KEY"], max_bytes=settings.page_cache_bytes, clock=clock
    )


def test_a_page_is_not_kept_longer_than_its_store_answers_are_reused(
    mock: responses.RequestsMock, provider: FakeProvider, background: BackgroundWork
) -> None:
    app = portal(mock, PORTAL_STORE_CACHE_TTL="2")
    clock = Clock()
    on_one_clock(app, clock)
    before = clock.now
    client = browser(app, provider, CAMILLE)  # its store answers are fetched now
    background.drain()  # including those asked for while the browser followed the sign-in redirect
    clock.now += 0.5
    page(client, "/calendar")  # rendered later, from those same answers, still cached
    pages: RenderedPages = app.extensions["portal.rendered"]

    # Every kept page goes when the answers it was built from go, not two seconds after its own render.
    assert pages._pages and all(kept.expires == before + 2 for kept in pages._pages.values())
    clock.now = before + 1.99
    asked = store_calls(mock)
    page(client, "/calendar")
    assert store_calls(mock) == asked  # until then, from memory
    clock.now = before + 2
    page(client, "/calendar")
    assert store_calls(mock) > asked


def test_without_a_store_cache_no_page_is_kept(mock: responses.RequestsMock, provider: FakeProvider) -> None:
    app = portal(mock, PORTAL_STORE_CACHE_TTL="0")
    assert "portal.rendered" not in app.extensions
    client = browser(app, provider, CAMILLE)
    page(client)
    asked = store_calls(mock)
    page(client)
    assert store_calls(mock) > asked


SID = "s" * 43


@contextlib.contextmanager
def camille_request(app: Flask) -> Iterator[None]:
    """A request of Camille's session (id SID), outside any page: for the rules of keep and from_memory."""
    with app.test_request_context("/", base_url=PUBLIC):
        session["user"] = {"sub": CAMILLE, "provider": "patient"}
        session.sid = SID  # type: ignore[attr-defined]
        yield


def test_a_page_built_from_a_last_good_copy_is_not_kept(mock: responses.RequestsMock) -> None:
    app = portal(mock)
    clock = Clock()
    on_one_clock(app, clock)
    with camille_request(app), scope.page_scope(5, clock=clock) as current:
        current.note_answer(clock.now)
        current.note_stale(clock.now - 600)
        rendered.keep("<p>old</p>")
        assert rendered.from_memory() is None
        current.stale_since = None
        rendered.keep("<p>fresh</p>")
        assert rendered.from_memory() == "<p>fresh</p>"


def test_an_answer_of_unknown_age_keeps_no_page(mock: responses.RequestsMock) -> None:
    app = portal(mock)
    clock = Clock()
    on_one_clock(app, clock)
    with camille_request(app), scope.page_scope(5, clock=clock) as current:
        current.note_answer(clock.now)
        current.note_answer(0.0)
        rendered.keep("<p>page</p>")
        assert rendered.from_memory() is None


def test_an_entry_is_answered_only_to_the_session_and_subject_it_was_rendered_for(
    mock: responses.RequestsMock,
) -> None:
    app = portal(mock)
    clock = Clock()
    on_one_clock(app, clock)
    pages: RenderedPages = app.extensions["portal.rendered"]
    with camille_request(app):
        key = rendered._key(pages, SID, CAMILLE)
        # Even under its own key, a page rendered for someone else is never answered.
        pages.put(key, RenderedPage("<p>Diane</p>", "", SID, DIANE, clock.now + 30, RequestState()))
        assert rendered.from_memory() is None
        pages.put(key, RenderedPage("<p>other session</p>", "", "t" * 43, CAMILLE, clock.now + 30, RequestState()))
        assert rendered.from_memory() is None
        noted = RequestState(recorded_page="treatments", access=AccessNote("doc-1", "2"))
        pages.put(key, RenderedPage("<p>Camille</p>", "", SID, CAMILLE, clock.now + 30, noted))
        assert rendered.from_memory() == "<p>Camille</p>"
        assert (state().recorded_page, state().access) == ("treatments", AccessNote("doc-1", "2"))


def kept(html: str, expires: float) -> RenderedPage:
    return RenderedPage(html, "", "sid", "sub", expires, RequestState())


def test_pages_are_bounded_in_bytes_and_expire_each_at_its_own_time() -> None:
    clock = Clock()
    pages = RenderedPages("secret-0123456789-0123456789", max_bytes=20_000, clock=clock)
    assert not pages.put(pages.key("huge"), kept("x" * 30_000, clock.now + 60))  # larger than the whole bound
    assert not pages.put(pages.key("late"), kept("x", clock.now - 1))  # already too old
    for n in range(5):
        assert pages.put(pages.key(str(n)), kept("x" * 5_000, clock.now + 10 + n))
    assert pages.current_bytes <= 20_000 and len(pages) < 5
    assert pages.get(pages.key("4")) is not None  # the newest stays
    clock.now += 14.5
    assert pages.get(pages.key("4")) is None


@pytest.mark.parametrize("parts", [("a", "b"), ("a", "b", "c"), ("ab",)])
def test_keys_depend_on_the_secret_and_on_every_part(parts: tuple[str, ...]) -> None:
    one = RenderedPages("secret-one-0123456789-0123456789", max_bytes=1000)
    two = RenderedPages("secret-two-0123456789-0123456789", max_bytes=1000)
    assert one.key(*parts) != two.key(*parts)  # without the secret, nobody can tell whose page a key stands for
    assert one.key("a", "b") != one.key("ab") and one.key("a", "b") != one.key("a", "b", "c")
