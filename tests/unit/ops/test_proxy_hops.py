"""PORTAL_PROXY_HOPS: behind a reverse proxy, rate limits count the real client address, not the proxy's."""

from __future__ import annotations

from flask.testing import FlaskClient

from portal import create_app
from tests.unit.conftest import FakeProvider, base_env, make_client


def client_with(**settings: str) -> FlaskClient:
    app = create_app(base_env(PORTAL_RATE_LIMIT_SIGN_IN="2 per minute", **settings))
    app.config["TESTING"] = True
    return make_client(app)


def sign_in_starts(client: FlaskClient, forwarded_for: str) -> int:
    return client.get("/login", headers={"X-Forwarded-For": forwarded_for}).status_code


def test_behind_one_proxy_each_client_has_its_own_limit(provider: FakeProvider) -> None:
    client = client_with(PORTAL_PROXY_HOPS="1")

    assert [sign_in_starts(client, "198.51.100.7") for _ in range(3)] == [302, 302, 429]
    assert sign_in_starts(client, "198.51.100.8") == 302


def test_without_proxy_hops_the_forwarded_address_is_not_believed(provider: FakeProvider) -> None:
    client = client_with()

    assert sign_in_starts(client, "198.51.100.7") == 302
    assert sign_in_starts(client, "198.51.100.8") == 302
    # A client cannot escape its limit by inventing a new X-Forwarded-For each time.
    assert sign_in_starts(client, "198.51.100.9") == 429


def test_behind_one_proxy_the_scheme_comes_from_the_proxy(provider: FakeProvider) -> None:
    app = create_app(base_env(PORTAL_PROXY_HOPS="1"))
    seen: list[str] = []

    @app.get("/ops-test/scheme")
    def scheme() -> str:
        from flask import request

        seen.append(request.scheme)
        return "ok"

    app.test_client().get("/ops-test/scheme", base_url="http://portal.test", headers={"X-Forwarded-Proto": "https"})
    assert seen == ["https"]
