"""Every route of the app, with every method it takes, signed in or not, answers with the security headers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import html
from werkzeug.routing import Rule

from portal import create_app
from tests.pages import csp_nonce
from tests.unit.conftest import PRO_ISSUER, base_env, csrf_token, make_client, sign_in
from tests.unit.security.hostile_idp import HostileProvider

ARGUMENTS = {"IntegerConverter": "1", "UUIDConverter": str(uuid.UUID(int=1)), "FloatConverter": "1.0"}


def url_of(rule: Rule) -> str:
    """A URL the rule matches, with a plausible value for each argument."""
    values: dict[str, Any] = {}
    for name, converter in rule._converters.items():
        values[name] = ARGUMENTS.get(type(converter).__name__, "x")
    if rule.endpoint == "static":
        values["filename"] = "css/portal.css"
    return "".join(values.get(part, part) if is_arg else part for is_arg, part in rule._trace)[1:]


def every_request(app: Flask) -> Iterator[tuple[str, str]]:
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD"}):
            yield method, url_of(rule)


def assert_security_headers(answer: Any, what: str) -> None:
    headers = answer.headers
    csp = dict(d.strip().split(" ", 1) for d in headers["Content-Security-Policy"].split(";"))
    nonce = csp_nonce(headers["Content-Security-Policy"])
    assert nonce and len(nonce) >= 16, what
    assert csp["default-src"] == "'none'", what
    assert set(csp["script-src"].split()) == {"'self'", f"'nonce-{nonce}'"}, what
    assert csp["style-src"] == "'self'", what
    assert csp["frame-ancestors"] == "'none'", what
    assert csp["base-uri"] == "'none'", what
    assert csp["form-action"] == "'self' https://idp.test", what
    assert "unsafe" not in headers["Content-Security-Policy"], what
    assert int(headers["Strict-Transport-Security"].split(";")[0].removeprefix("max-age=")) >= 31_536_000, what
    assert headers["Referrer-Policy"] == "same-origin", what
    denied = {p.strip() for p in headers["Permissions-Policy"].split(",")}
    assert {"camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"} <= denied, what
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin", what
    assert headers["Cross-Origin-Resource-Policy"] == "same-origin", what
    assert headers["X-Content-Type-Options"] == "nosniff", what
    assert headers["X-Frame-Options"] == "DENY", what
    if not what.split()[1].startswith("/static/"):
        assert headers["Cache-Control"] == "no-store", what
    if headers.get("Content-Type", "").startswith("text/html") and answer.get_data().strip():
        for script in html.document_fromstring(answer.get_data(as_text=True)).iter("script"):
            assert script.get("nonce") == nonce, f"{what}: script without this response's nonce"


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_every_route_answers_with_the_security_headers(hostile: HostileProvider, signed_in: bool) -> None:
    app = create_app(base_env(PORTAL_RATE_LIMIT_SIGN_IN="1000 per minute"))  # one sign-in per request below
    app.config["TESTING"] = True
    walked = set()
    for method, url in every_request(app):
        client = make_client(app)
        if signed_in:
            assert sign_in(client, hostile).status_code == 302
        for with_token in (False, True) if method == "POST" else (None,):
            data = {"csrf_token": csrf_token(client)} if with_token else {}
            answer = client.open(url, method=method, data=data)
            assert_security_headers(answer, f"{method} {url} (token: {with_token})")
            answer.close()
        walked.add(f"{method} {url}")
    # The walk really covered the routes (a walk over nothing proves nothing).
    assert {"GET /", "GET /login", "GET /auth/callback", "POST /logout", "POST /auth/backchannel-logout"} <= walked
    assert {"POST /session/keep-alive", "GET /healthz", "GET /readyz", "GET /static/css/portal.css"} <= walked


def test_error_pages_have_the_headers_too(client: FlaskClient) -> None:
    assert_security_headers(client.get("/no-such-page"), "GET /no-such-page")
    assert_security_headers(client.get("/logout"), "GET /logout")  # 405


def test_each_response_has_its_own_nonce(client: FlaskClient) -> None:
    nonces = {csp_nonce(client.get("/").headers["Content-Security-Policy"]) for _ in range(5)}
    assert len(nonces) == 5


def test_form_action_allows_both_providers_when_professionals_are_enabled() -> None:
    app = create_app(
        base_env(
            PORTAL_PRO_OIDC_ISSUER=PRO_ISSUER + "/realm",
            PORTAL_PRO_OIDC_CLIENT_ID="pps-portal-pro",
            PORTAL_PRO_OIDC_CLIENT_SECRET="pro-secret",
        )
    )
    csp = make_client(app).get("/healthz").headers["Content-Security-Policy"]
    assert "form-action 'self' https://idp.test https://pro-idp.test;" in csp
