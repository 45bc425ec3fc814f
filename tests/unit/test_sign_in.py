"""Sign-in with the patient provider: the happy path and every way the callback must refuse."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from flask.testing import FlaskClient

from tests.unit.conftest import ISSUER, FakeProvider, make_client, sign_in, start_sign_in


def test_authorization_request_uses_pkce_long_state_nonce_and_acr(client: FlaskClient, provider: FakeProvider) -> None:
    params = start_sign_in(client, provider)
    assert params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) >= 43
    assert len(params["state"]) >= 32
    assert len(params["nonce"]) >= 32
    assert params["acr_values"] == "eidas2"
    assert params["redirect_uri"] == "https://portal.test/auth/callback"
    assert params["response_type"] == "code"
    assert "openid" in params["scope"].split()


def test_successful_sign_in_renews_the_session_and_keeps_tokens_off_the_cookie(
    client: FlaskClient, provider: FakeProvider
) -> None:
    planted = "fixed-by-an-attacker-" + "x" * 30
    client.set_cookie("__Host-portal-session", planted, domain="portal.test")  # session fixation attempt
    start_sign_in(client, provider)
    assert client.get_cookie("__Host-portal-anonymous", domain="portal.test") is not None  # the sign-in state
    answer = client.get("/auth/callback?code=abc&state=" + parse_state(client, provider))
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/"
    after = client.get_cookie("__Host-portal-session", domain="portal.test")
    assert after is not None
    assert after.value != planted
    assert after.secure and after.http_only and after.same_site == "Lax"
    assert "." not in after.value  # an opaque identifier, not a signed payload carrying tokens
    assert len(after.value) >= 40
    assert client.get_cookie("__Host-portal-anonymous", domain="portal.test") is None  # moved to the server


def parse_state(client: FlaskClient, provider: FakeProvider) -> str:
    params = start_sign_in(client, provider)
    return params["state"]


def test_next_inside_the_portal_is_kept(client: FlaskClient, provider: FakeProvider) -> None:
    answer = sign_in(client, provider, "/login?next=/healthz")
    assert answer.headers["Location"] == "/healthz"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:x",
        "%2F%2Fevil.example",  # decoded by the query string into //evil.example
        "///evil.example",
        "/%09/evil.example",  # a tab, which browsers drop: //evil.example
        "/%0d%0aSet-Cookie:x=y",
        "http:/evil.example",
        "evil.example",
    ],
)
def test_next_outside_the_portal_is_ignored(client: FlaskClient, provider: FakeProvider, target: str) -> None:
    answer = sign_in(client, provider, "/login?next=" + target)
    assert answer.headers["Location"] == "/"


def test_access_denied_shows_a_plain_cancelled_page(client: FlaskClient, provider: FakeProvider) -> None:
    params = start_sign_in(client, provider)
    answer = client.get(f"/auth/callback?error=access_denied&state={params['state']}")
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert "Connexion annulée" in page
    assert 'href="/login"' in page


def assert_refused(
    client: FlaskClient,
    answer_status: int,
    expected: int = 400,
    *,
    caplog: pytest.LogCaptureFixture | None = None,
    reason: str | None = None,
) -> None:
    assert answer_status == expected
    home = client.get("/")
    assert "Se déconnecter" not in home.get_data(as_text=True)  # nobody is signed in
    if caplog is not None:
        # Refused for the expected reason, not because of some other failure on the way.
        logged = [r.getMessage() for r in caplog.records if r.getMessage().startswith("sign-in failed")]
        assert logged
        assert reason is not None
        assert reason in logged[-1]


def test_wrong_state_is_refused(client: FlaskClient, provider: FakeProvider, caplog: pytest.LogCaptureFixture) -> None:
    start_sign_in(client, provider)
    answer = client.get("/auth/callback?code=abc&state=not-the-state-we-sent-000000000000000")
    assert_refused(client, answer.status_code, caplog=caplog, reason="sign-in this browser did not start")
    assert provider.token_requests == []  # the code is never exchanged


def test_replayed_state_is_refused(client: FlaskClient, provider: FakeProvider) -> None:
    params = start_sign_in(client, provider)
    first = client.get(f"/auth/callback?code=abc&state={params['state']}")
    assert first.status_code == 302
    again = client.get(f"/auth/callback?code=abc&state={params['state']}")
    assert again.status_code == 400


def test_missing_code_is_refused(client: FlaskClient, provider: FakeProvider) -> None:
    params = start_sign_in(client, provider)
    answer = client.get(f"/auth/callback?state={params['state']}")
    assert_refused(client, answer.status_code)


@pytest.mark.parametrize(
    ("patch", "reason"),
    [
        ({"iss": "https://other-idp.test"}, "iss is not the configured issuer"),
        ({"aud": "someone-else"}, "aud does not name this portal"),
        ({"nonce": "a-nonce-we-never-sent-000000000000000000"}, "nonce differs"),
        ({"exp": 1_000_000}, "the token has expired"),
        ({"iat": None}, "iat is missing"),
        ({"sub": None}, "sub is missing"),
    ],
    ids=["wrong-iss", "wrong-aud", "wrong-nonce", "expired", "no-iat", "no-sub"],
)
def test_failed_token_checks_are_refused(
    client: FlaskClient, provider: FakeProvider, caplog: pytest.LogCaptureFixture, patch: dict[str, object], reason: str
) -> None:
    provider.claims_patch = patch
    answer = sign_in(client, provider)
    assert_refused(client, answer.status_code, caplog=caplog, reason=reason)


def test_a_sign_in_at_too_low_a_level_says_which_level_is_needed_and_how_to_get_it(
    client: FlaskClient, provider: FakeProvider, caplog: pytest.LogCaptureFixture
) -> None:
    provider.claims_patch = {"acr": "eidas1"}
    answer = sign_in(client, provider)
    page = answer.get_data(as_text=True)
    assert_refused(client, answer.status_code, 403, caplog=caplog, reason="assurance level 'eidas1' below eidas2")
    assert "FranceConnect+" in page and "France Identité" in page
    assert "400" not in page and "Code" not in page  # no error code: the person cannot fix one


def test_bad_signature_is_refused(
    client: FlaskClient, provider: FakeProvider, caplog: pytest.LogCaptureFixture
) -> None:
    from joserfc.jwk import RSAKey

    provider.key = RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256"})  # JWKS still has the old key
    answer = sign_in(client, provider)
    assert_refused(client, answer.status_code, caplog=caplog, reason="bad signature")


def test_userinfo_for_someone_else_is_refused(
    client: FlaskClient, provider: FakeProvider, caplog: pytest.LogCaptureFixture
) -> None:
    provider.userinfo = {"sub": "another-person"}
    answer = sign_in(client, provider)
    assert_refused(client, answer.status_code, caplog=caplog, reason="userinfo sub differs")


def test_token_endpoint_down_gives_a_readable_503(client: FlaskClient, provider: FakeProvider) -> None:
    provider.token_status = 503
    answer = sign_in(client, provider)
    assert answer.status_code in (400, 503)
    assert "Traceback" not in answer.get_data(as_text=True)


def test_provider_unreachable_gives_a_readable_503(client: FlaskClient, mock: responses.RequestsMock) -> None:
    mock.get(ISSUER + "/.well-known/openid-configuration", body=responses.ConnectionError("down"))
    answer = client.get("/login")
    assert answer.status_code == 503
    assert "indisponible" in answer.get_data(as_text=True)


def test_logout_needs_csrf_and_goes_to_the_provider(app: object, provider: FakeProvider) -> None:
    from flask import Flask

    assert isinstance(app, Flask)
    app.config["WTF_CSRF_ENABLED"] = True
    client = make_client(app)
    sign_in(client, provider)
    refused = client.post("/logout")
    assert refused.status_code == 400
    page = client.get("/healthz")
    assert page.status_code == 200
    token = csrf_token_of(client)
    answer = client.post("/logout", data={"csrf_token": token}, headers={"Referer": "https://portal.test/"})
    assert answer.status_code == 302
    target = urlsplit(answer.headers["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == ISSUER + "/session/end"
    query = parse_qs(target.query)
    assert query["post_logout_redirect_uri"] == ["https://portal.test/"]
    assert query["id_token_hint"][0].count(".") == 2
    assert client.get_cookie("__Host-portal-session", domain="portal.test") is None


def csrf_token_of(client: FlaskClient) -> str:
    from lxml import html

    page = client.get("/")
    doc = html.document_fromstring(page.get_data(as_text=True))
    return str(doc.xpath("//form[@action='/logout']/input[@name='csrf_token']/@value")[0])
