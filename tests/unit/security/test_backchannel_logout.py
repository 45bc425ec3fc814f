"""Back-channel logout (OpenID Connect Back-Channel Logout 1.0): a valid logout token ends the person's sessions,
in every worker; anything else is refused with 400, for the reason the portal logs, and ends nothing."""

from __future__ import annotations

from typing import Any

import fakeredis
import pytest
import responses
from flask import Flask
from flask.testing import FlaskClient

from portal import create_app
from portal.auth import session as session_module
from tests.unit.conftest import base_env, is_signed_in, make_client, sign_in
from tests.unit.security.conftest import refusal_reason
from tests.unit.security.hostile_idp import OP_SESSION, HostileProvider, ec_key, rsa_key, unsigned

PATH = "/auth/backchannel-logout"


def signed_in(app: Flask, idp: HostileProvider, sid: str | None = OP_SESSION) -> FlaskClient:
    idp.claims_patch = {"sid": sid}
    browser = make_client(app)
    assert sign_in(browser, idp).status_code == 302
    assert is_signed_in(browser)
    return browser


def post_logout(app: Flask, token: str) -> Any:
    """The provider's server calls the portal: no cookie, no CSRF token, a form with the logout token."""
    return make_client(app).post(PATH, data={"logout_token": token})


def test_a_valid_logout_token_ends_the_session_with_that_sid(app: Flask, hostile: HostileProvider) -> None:
    browser = signed_in(app, hostile)
    other = signed_in(app, hostile, sid="another-provider-session")

    answer = post_logout(app, hostile.logout_token())

    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    assert not is_signed_in(browser)
    assert is_signed_in(other)  # same person, another provider session: not named by this token


def test_a_logout_token_with_only_sub_ends_every_session_of_that_person(app: Flask, hostile: HostileProvider) -> None:
    first = signed_in(app, hostile)
    second = signed_in(app, hostile, sid=None)

    answer = post_logout(app, hostile.logout_token(sid=None))

    assert answer.status_code == 200
    assert not is_signed_in(first)
    assert not is_signed_in(second)


def test_a_logout_token_for_nobody_signed_in_here_still_answers_200(app: Flask, hostile: HostileProvider) -> None:
    assert post_logout(app, hostile.logout_token(sid="unknown", sub="unknown")).status_code == 200


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        (lambda idp: unsigned(idp.logout_token()), "algorithm 'none' is not accepted"),
        (lambda idp: idp.logout_token(key=rsa_key("k1")), "bad signature"),
        (lambda idp: idp.logout_token(iss="https://other-idp.test"), "iss names no provider"),
        (lambda idp: idp.logout_token(aud="someone-else"), "aud does not name this portal"),
        (lambda idp: idp.logout_token(aud=None), "aud is missing"),
        (lambda idp: idp.logout_token(iat=None), "iat is missing"),
        (lambda idp: idp.logout_token(iat=1_000_000, exp=None), "too old"),
        (lambda idp: idp.logout_token(iat=4_000_000_000), "issued in the future"),
        (lambda idp: idp.logout_token(jti=None), "jti is missing"),
        (lambda idp: idp.logout_token(events=None), "back-channel logout event"),
        (lambda idp: idp.logout_token(events={"http://schemas.openid.net/event/other": {}}), "logout event"),
        (lambda idp: idp.logout_token(nonce="n-0123456789"), "must not carry a nonce"),
        (lambda idp: idp.logout_token(sid=None, sub=None), "neither sid nor sub"),
        (lambda idp: idp.logout_token(header_patch={"typ": "at+jwt"}), "typ is not logout+jwt"),
        (lambda idp: "not-a-token", "not a signed JWT"),
        (lambda idp: "", "no logout_token"),
    ],
    ids=[
        "alg-none",
        "bad-signature",
        "wrong-iss",
        "wrong-aud",
        "no-aud",
        "no-iat",
        "old-iat",
        "future-iat",
        "no-jti",
        "no-events",
        "other-event",
        "nonce",
        "no-sid-no-sub",
        "wrong-typ",
        "garbage",
        "empty",
    ],
)
def test_a_bad_logout_token_is_refused_and_ends_nothing(
    app: Flask, hostile: HostileProvider, caplog: pytest.LogCaptureFixture, spoil: Any, reason: str
) -> None:
    browser = signed_in(app, hostile)

    answer = post_logout(app, spoil(hostile))

    assert answer.status_code == 400
    assert answer.get_json()["error"] == "invalid_request"
    assert answer.headers["Cache-Control"] == "no-store"
    assert reason in refusal_reason(caplog, "back-channel logout refused")
    assert is_signed_in(browser)


def test_a_replayed_logout_token_is_refused(
    app: Flask, hostile: HostileProvider, caplog: pytest.LogCaptureFixture
) -> None:
    token = hostile.logout_token()
    assert post_logout(app, token).status_code == 200
    browser = signed_in(app, hostile)  # signs in again, same provider session

    assert post_logout(app, token).status_code == 400

    assert "jti already used" in refusal_reason(caplog, "back-channel logout refused")
    assert is_signed_in(browser)


def test_an_es256_logout_token_is_accepted_from_a_provider_with_an_ec_key(app: Flask, hostile: HostileProvider) -> None:
    hostile.signing_algs = ("ES256",)
    hostile.key = ec_key("ec-1")
    hostile.published_keys = [hostile.key]
    browser = signed_in(app, hostile)

    assert post_logout(app, hostile.logout_token()).status_code == 200
    assert not is_signed_in(browser)


# -- several workers ------------------------------------------------------------------------------------------


@pytest.fixture
def shared_redis(monkeypatch: pytest.MonkeyPatch) -> fakeredis.FakeServer:
    """Every app made in the test reaches the same (fake) Redis, as workers reach the real one."""
    server = fakeredis.FakeServer()
    monkeypatch.setattr(session_module, "redis_client", lambda url: fakeredis.FakeRedis(server=server))
    return server


def worker() -> Flask:
    app = create_app(base_env(PORTAL_REDIS_URL="redis://sessions.internal:6379/0"))
    app.config["TESTING"] = True
    return app


def test_a_logout_received_by_one_worker_ends_the_session_in_another(
    shared_redis: fakeredis.FakeServer, mock: responses.RequestsMock
) -> None:
    first, second = worker(), worker()
    idp = HostileProvider(mock, key=rsa_key("k1"))
    idp.install()
    browser = signed_in(first, idp)
    assert is_signed_in(browser)

    assert post_logout(second, idp.logout_token()).status_code == 200

    assert not is_signed_in(browser)


def test_a_logout_token_replayed_to_another_worker_is_refused(
    shared_redis: fakeredis.FakeServer, mock: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    first, second = worker(), worker()
    idp = HostileProvider(mock, key=rsa_key("k1"))
    idp.install()
    token = idp.logout_token()
    assert post_logout(first, token).status_code == 200

    assert post_logout(second, token).status_code == 400
    assert "jti already used" in refusal_reason(caplog, "back-channel logout refused")


def test_logout_tokens_with_made_up_kids_refetch_the_key_set_at_most_once_a_minute(
    app: Flask, hostile: HostileProvider, caplog: pytest.LogCaptureFixture
) -> None:
    """Anyone can post to this endpoint: made-up kids must not make the portal hammer the provider."""
    clock = {"now": 1000.0}
    app.extensions["portal.providers"]["patient"].keys.clock = lambda: clock["now"]
    browser = signed_in(app, hostile)
    assert hostile.jwks_fetches == 1

    clock["now"] += 3600
    for n in range(5):
        clock["now"] += 5
        assert post_logout(app, hostile.logout_token(key=rsa_key(f"made-up-{n}"))).status_code == 400
        assert "no published key has kid" in refusal_reason(caplog, "back-channel logout refused")
    assert hostile.jwks_fetches == 2  # one refetch for the first unknown kid, none for the next four
    assert is_signed_in(browser)

    clock["now"] += 60
    rotated = rsa_key("rotated")
    hostile.published_keys = [hostile.key, rotated]  # the provider really published a new key
    assert post_logout(app, hostile.logout_token(key=rotated)).status_code == 200
    assert hostile.jwks_fetches == 3
    assert not is_signed_in(browser)
