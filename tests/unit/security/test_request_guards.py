"""Guards before any view runs: CSRF token and Origin on every state-changing request (the provider's back-channel
call alone exempt), rate limits on the doors of sign-in, and a list of trusted host names."""

from __future__ import annotations

import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal import create_app
from tests.unit.conftest import base_env, csrf_token, make_client, signed_in_client
from tests.unit.security.conftest import refusal_reason
from tests.unit.security.hostile_idp import HostileProvider

PROVIDER_ONLY = {"/auth/backchannel-logout"}


def post_routes(app: Flask) -> list[str]:
    return sorted(r.rule for r in app.url_map.iter_rules() if "POST" in (r.methods or set()))


def test_every_post_route_but_the_back_channel_refuses_a_request_without_csrf_token(
    app: Flask, hostile: HostileProvider, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="flask_wtf.csrf")
    routes = [r for r in post_routes(app) if r not in PROVIDER_ONLY]
    assert {"/logout", "/language", "/session/keep-alive"} <= set(routes)
    for route in routes:
        client = signed_in_client(app, hostile)
        caplog.clear()
        answer = client.post(route, data={"lang": "en", "next": "/"})
        assert answer.status_code == 400, route
        assert "The CSRF token is missing." in caplog.messages, route
        assert "Se déconnecter" in client.get("/no-such-page").get_data(as_text=True), route  # nothing happened


def test_every_post_route_refuses_another_origin_even_with_the_token(
    app: Flask, hostile: HostileProvider, caplog: pytest.LogCaptureFixture
) -> None:
    for route in [r for r in post_routes(app) if r not in PROVIDER_ONLY]:
        client = signed_in_client(app, hostile)
        token = csrf_token(client)
        for origin in ("https://evil.example", "null", "http://portal.test", "https://portal.test:8443"):
            answer = client.post(route, data={"csrf_token": token}, headers={"Origin": origin})
            assert answer.status_code == 400, (route, origin)
            assert "from another origin" in refusal_reason(caplog, "state-changing request"), route


def test_a_post_from_our_own_origin_with_the_token_goes_through(app: Flask, hostile: HostileProvider) -> None:
    client = signed_in_client(app, hostile)
    token = csrf_token(client)
    answer = client.post(
        "/language", data={"csrf_token": token, "lang": "en", "next": "/"}, headers={"Origin": "https://portal.test"}
    )
    assert answer.status_code == 302
    keep = client.post("/session/keep-alive", headers={"X-CSRFToken": token, "Origin": "https://portal.test"})
    assert keep.status_code == 204


def test_the_back_channel_needs_no_csrf_token_but_a_logout_token(app: Flask) -> None:
    answer = make_client(app).post("/auth/backchannel-logout", headers={"Origin": "https://evil.example"})
    # Reached the view (which answers in JSON), not stopped by the CSRF or Origin guard (an HTML error page).
    assert answer.status_code == 400
    assert answer.get_json() == {
        "error": "invalid_request",
        "error_description": "the logout token was not accepted",
    }


# -- rate limits ----------------------------------------------------------------------------------------------


@pytest.fixture
def limited_app() -> Flask:
    app = create_app(base_env(PORTAL_RATE_LIMIT_SIGN_IN="3 per minute"))
    app.config["TESTING"] = True
    return app


def test_too_many_sign_in_starts_get_a_plain_429_page(limited_app: Flask, hostile: HostileProvider) -> None:
    client = make_client(limited_app)
    for _ in range(3):
        assert client.get("/login").status_code == 302
    answer = client.get("/login")
    assert answer.status_code == 429
    page = answer.get_data(as_text=True)
    assert "<h1>Trop de tentatives</h1>" in page
    assert "Traceback" not in page
    assert int(answer.headers["Retry-After"]) > 0
    assert answer.headers["Cache-Control"] == "no-store"


def test_the_callback_has_its_own_limit_and_other_pages_none(limited_app: Flask, hostile: HostileProvider) -> None:
    client = make_client(limited_app)
    for _ in range(3):
        client.get("/login")
    for _ in range(3):
        assert client.get("/auth/callback?error=access_denied").status_code == 200
    assert client.get("/auth/callback?error=access_denied").status_code == 429
    for _ in range(10):
        assert client.get("/healthz").status_code == 200
        assert client.get("/").status_code == 200


def test_limits_count_per_address(limited_app: Flask, hostile: HostileProvider) -> None:
    client = make_client(limited_app)
    for _ in range(4):
        client.get("/login", environ_base={"REMOTE_ADDR": "192.0.2.1"})
    assert client.get("/login", environ_base={"REMOTE_ADDR": "192.0.2.2"}).status_code == 302


def test_an_invalid_rate_limit_setting_stops_the_start() -> None:
    from portal.settings import Settings, SettingsError

    with pytest.raises(SettingsError, match="PORTAL_RATE_LIMIT_SIGN_IN is invalid"):
        Settings.from_env(base_env(PORTAL_RATE_LIMIT_SIGN_IN="lots"))


# -- trusted hosts --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["evil.example", "portal.test.evil.example", "127.0.0.1"])
def test_an_unknown_host_gets_a_400_page(client: FlaskClient, host: str) -> None:
    answer = client.get("/healthz", headers={"Host": host})
    assert answer.status_code == 400
    assert "Traceback" not in answer.get_data(as_text=True)


def test_the_public_host_and_the_configured_extras_are_answered() -> None:
    app = create_app(base_env(PORTAL_TRUSTED_HOSTS="portal.internal probe.local"))
    client = make_client(app)
    for host in ("portal.test", "Portal.Test", "portal.internal", "probe.local:8080"):
        assert client.get("/healthz", headers={"Host": host}).status_code == 200, host
