"""Professionals sign in at the professional provider: the acr asked is eidas1 by default and the RPPS number
comes from a configurable claim; a sign-in without one is refused."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import responses
from flask.testing import FlaskClient

from portal import create_app
from tests.unit.conftest import PRO_ISSUER, FakeProvider, base_env, make_client

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


def test_the_rpps_number_is_read_from_subject_name_id(mock: responses.RequestsMock) -> None:
    client = pro_client()
    assert sign_in_pro(client, pro_provider(mock, SubjectNameID="10001234567")) == 302
    with client.session_transaction() as session:
        assert session["user"]["provider"] == "pro" and session["user"]["rpps"] == "10001234567"
        assert session["oidc_sub"] == "sub-123"


def test_the_claim_is_configurable(mock: responses.RequestsMock) -> None:
    client = pro_client(PORTAL_PRO_RPPS_CLAIM="rpps")
    assert sign_in_pro(client, pro_provider(mock, rpps="10001234567")) == 302
    with client.session_transaction() as session:
        assert session["user"]["rpps"] == "10001234567"


def test_a_professional_without_an_rpps_number_is_refused(mock: responses.RequestsMock) -> None:
    client = pro_client()
    assert sign_in_pro(client, pro_provider(mock)) == 400
    with client.session_transaction() as session:
        assert "user" not in session


def test_without_a_professional_provider_the_routes_do_not_exist(client: FlaskClient) -> None:
    assert client.get("/pro/login").status_code == 404
