"""Sessions: idle timeout and absolute lifetime from settings; an expired session says so in plain words."""

from __future__ import annotations

from typing import cast

import pytest
from flask import Flask, session
from flask.testing import FlaskClient

from portal import create_app
from portal.auth import session as session_module
from tests.unit.conftest import FakeProvider, base_env, is_signed_in, make_client, sign_in


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(session_module.time, "time", fake)
    return fake


def signed_in_client(provider: FakeProvider, **settings: str) -> FlaskClient:
    app = create_app(base_env(**settings))
    client = make_client(app)
    assert sign_in(client, provider).status_code == 302
    return client


def test_activity_within_the_idle_timeout_keeps_the_session(provider: FakeProvider, clock: Clock) -> None:
    client = signed_in_client(provider, PORTAL_SESSION_IDLE_MINUTES="15")
    for _ in range(5):
        clock.now += 14 * 60
        assert is_signed_in(client)


def test_idle_timeout_ends_the_session_and_says_why(provider: FakeProvider, clock: Clock) -> None:
    client = signed_in_client(provider, PORTAL_SESSION_IDLE_MINUTES="15")
    clock.now += 15 * 60 + 1
    page = client.get("/").get_data(as_text=True)
    assert "Votre session a pris fin" in page
    assert not is_signed_in(client)


def test_absolute_lifetime_ends_even_an_active_session(provider: FakeProvider, clock: Clock) -> None:
    client = signed_in_client(provider, PORTAL_SESSION_IDLE_MINUTES="60", PORTAL_SESSION_MAX_HOURS="1")
    for _ in range(3):
        clock.now += 20 * 60
        assert is_signed_in(client)
    clock.now += 20 * 60 + 1
    assert not is_signed_in(client)


def test_a_forged_session_cookie_is_just_a_new_anonymous_session(provider: FakeProvider) -> None:
    app = create_app(base_env())
    client = make_client(app)
    client.set_cookie("__Host-portal-session", "guessed-" * 5, domain="portal.test")
    assert not is_signed_in(client)


class CountingStore(session_module.MemorySessionStore):
    """The in-memory store, counting the writes of a session's data."""

    def __init__(self) -> None:
        super().__init__(idle_seconds=900)
        self.written: list[dict[str, object]] = []

    def replace(self, sid: str, data: dict[str, object], seen: float) -> bool:
        self.written.append(data)
        return super().replace(sid, data, seen)


def test_a_session_is_written_back_only_when_its_data_changed_even_deep_inside() -> None:
    """Reading writes nothing; the same data set again in another order writes nothing; a value changed inside
    another (which the session's own `modified` flag does not see) is written."""
    store = CountingStore()
    app = Flask(__name__)
    app.secret_key = "test-secret-key-0123456789-abcdef"
    app.session_interface = session_module.ServerSessionInterface(
        store, idle_seconds=900, max_seconds=3600, secure=False, secret_key=app.secret_key
    )

    @app.get("/sign-in")
    def sign_in_here() -> str:
        flask_session = cast(session_module.PortalSession, session)
        flask_session["user"] = {"sub": "s-1", "seen": ["overview"]}
        flask_session["lang"] = "fr"
        flask_session.regenerate()
        return "in"

    @app.get("/read")
    def read() -> str:
        return str(session["user"]["sub"])

    @app.get("/again")
    def again() -> str:
        lang, user = session.pop("lang"), session.pop("user")
        session["lang"], session["user"] = lang, {"seen": list(user["seen"]), "sub": user["sub"]}
        return "again"

    @app.get("/deep")
    def deep() -> str:
        session["user"]["seen"].append("calendar")
        return "deep"

    client = app.test_client()
    assert client.get("/sign-in").status_code == 200
    assert store.written == []
    assert client.get("/read").get_data(as_text=True) == "s-1"
    assert client.get("/again").status_code == 200
    assert store.written == []
    assert client.get("/deep").status_code == 200
    assert len(store.written) == 1
    assert store.written[0]["user"] == {"sub": "s-1", "seen": ["overview", "calendar"]}
