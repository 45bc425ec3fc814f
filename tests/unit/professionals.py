"""Professionals in the unit tests: an app with the professional provider configured, a fake Pro Santé Connect,
and a sign-in through it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import responses
from flask.testing import FlaskClient

from portal import create_app
from tests.unit.conftest import PRO_ISSUER, FakeProvider, base_env, make_client

__all__ = ["PRO_ENV", "pro_client", "pro_provider", "sign_in_pro"]

PRO_ENV = {
    "PORTAL_PRO_OIDC_ISSUER": PRO_ISSUER,
    "PORTAL_PRO_OIDC_CLIENT_ID": "pps-portal",
    "PORTAL_PRO_OIDC_CLIENT_SECRET": "pro-secret",
}


def pro_client(**env: str) -> FlaskClient:
    app = create_app(base_env(**PRO_ENV, **env))
    app.config["TESTING"] = True
    return make_client(app)


def sign_in_pro(client: FlaskClient, provider: FakeProvider) -> int:
    start = client.get("/pro/login")
    assert start.status_code == 302
    params = {k: v[0] for k, v in parse_qs(urlsplit(start.headers["Location"]).query).items()}
    assert params["acr_values"] == "eidas1" and params["redirect_uri"].endswith("/pro/auth/callback")
    provider.nonce = params["nonce"]
    return client.get(f"/pro/auth/callback?code=abc&state={params['state']}").status_code


def pro_provider(mock: responses.RequestsMock, **claims: object) -> FakeProvider:
    fake = FakeProvider(mock, issuer=PRO_ISSUER, acr="eidas1", claims_patch=dict(claims))
    fake.userinfo = {"sub": fake.sub, **claims}
    fake.install()
    return fake
