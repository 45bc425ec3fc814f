"""The OpenID conformance suite's basic relying-party plan, played by a hostile provider.

Each refusal checks the reason the portal logged, so that a test cannot pass because of an unrelated failure.
Wrong `iss`, wrong `aud`, a differing nonce, an expired token, a missing `iat` or `sub`, a bad RS256 signature,
a userinfo `sub` of someone else, an `acr` too low and a wrong `state` are in tests/unit/test_sign_in.py.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import pytest
from flask import Flask
from flask.testing import FlaskClient
from joserfc.jwk import RSAKey

from tests.unit.conftest import make_client, sign_in, start_sign_in
from tests.unit.security.conftest import refusal_reason
from tests.unit.security.hostile_idp import HostileProvider, ec_key, hmac_signed, rsa_key, unsigned


def assert_refused_because(client: FlaskClient, answer: Any, caplog: pytest.LogCaptureFixture, reason: str) -> None:
    assert answer.status_code == 400
    assert reason in refusal_reason(caplog)
    assert "Se déconnecter" not in client.get("/").get_data(as_text=True)  # nobody is signed in


def assert_accepted(client: FlaskClient, answer: Any) -> None:
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    assert "Se déconnecter" in client.get("/no-such-page").get_data(as_text=True)


# -- refusals ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("forge", "reason"),
    [
        (unsigned, "algorithm 'none' is not accepted"),
        (lambda token: hmac_signed(token, "client-secret"), "algorithm 'HS256' is not accepted"),
        (lambda token: token[:-8] + ("A" * 8 if not token.endswith("A" * 8) else "B" * 8), "bad signature"),
    ],
    ids=["alg-none", "hs256-with-client-secret", "tampered-signature"],
)
def test_forged_id_tokens_are_refused(
    client: FlaskClient,
    hostile: HostileProvider,
    caplog: pytest.LogCaptureFixture,
    forge: Callable[[str], str],
    reason: str,
) -> None:
    hostile.forge = forge
    assert_refused_because(client, sign_in(client, hostile), caplog, reason)


def test_es256_token_signed_by_another_key_is_refused(
    client: FlaskClient, hostile: HostileProvider, caplog: pytest.LogCaptureFixture
) -> None:
    hostile.signing_algs = ("RS256", "ES256")
    hostile.published_keys = [ec_key("ec-1")]
    hostile.key = ec_key("ec-1")  # same kid, other key: the signature cannot verify
    assert_refused_because(client, sign_in(client, hostile), caplog, "bad signature")


@pytest.mark.parametrize(
    ("patch", "reason"),
    [
        ({"aud": None}, "aud is missing"),
        ({"aud": ["pps-portal", "another-client"]}, "azp is not this portal"),
        ({"nonce": None}, "nonce is missing"),
        ({"exp": None}, "exp is missing"),
        ({"iat": 4_000_000_000}, "issued in the future"),
        ({"sub": ""}, "sub is missing"),
        ({"at_hash": "not-the-hash-of-the-access-token"}, "at_hash does not match"),
    ],
    ids=["no-aud", "several-aud-without-azp", "no-nonce", "no-exp", "iat-in-future", "empty-sub", "bad-at-hash"],
)
def test_spoiled_claims_are_refused(
    client: FlaskClient,
    hostile: HostileProvider,
    caplog: pytest.LogCaptureFixture,
    patch: dict[str, Any],
    reason: str,
) -> None:
    hostile.claims_patch = patch
    assert_refused_because(client, sign_in(client, hostile), caplog, reason)


def test_kid_absent_while_several_keys_of_its_type_are_published_is_refused(
    client: FlaskClient, hostile: HostileProvider, caplog: pytest.LogCaptureFixture
) -> None:
    hostile.published_keys = [hostile.key, rsa_key("k2")]
    assert_accepted(client, sign_in(client, hostile))
    hostile.header_patch = {"kid": None}
    later = make_client(client.application)
    assert_refused_because(later, sign_in(later, hostile), caplog, "without kid while the provider publishes 2")
    assert hostile.jwks_fetches == 2  # asked again once, in case the provider had gone down to one key


def test_an_algorithm_the_provider_does_not_announce_is_refused(
    client: FlaskClient, hostile: HostileProvider, caplog: pytest.LogCaptureFixture
) -> None:
    hostile.key = ec_key("ec-1")
    hostile.published_keys = [hostile.key]  # announced algorithms stay RS256 only
    assert_refused_because(client, sign_in(client, hostile), caplog, "algorithm 'ES256' is not accepted")


def test_a_kid_that_names_a_key_of_another_type_is_refused(
    client: FlaskClient, hostile: HostileProvider, caplog: pytest.LogCaptureFixture
) -> None:
    hostile.signing_algs = ("RS256", "ES256")
    rsa = hostile.key
    hostile.key = ec_key("k1")  # ES256 token whose kid names the published RSA key
    hostile.published_keys = [rsa]
    assert_refused_because(client, sign_in(client, hostile), caplog, "does not fit the RSA key")


# -- acceptances ------------------------------------------------------------------------------------------


def test_kid_absent_with_a_single_published_key_is_accepted(client: FlaskClient, hostile: HostileProvider) -> None:
    hostile.header_patch = {"kid": None}
    assert_accepted(client, sign_in(client, hostile))


def test_es256_token_is_accepted_when_the_provider_publishes_an_ec_key(
    client: FlaskClient, hostile: HostileProvider
) -> None:
    hostile.signing_algs = ("RS256", "ES256")
    hostile.key = ec_key("ec-1")
    hostile.published_keys = [rsa_key("rsa-1"), hostile.key]
    assert_accepted(client, sign_in(client, hostile))


def test_token_endpoint_is_called_with_client_secret_basic_and_the_pkce_verifier(
    client: FlaskClient, hostile: HostileProvider
) -> None:
    params = start_sign_in(client, hostile)
    assert_accepted(client, client.get(f"/auth/callback?code=abc&state={params['state']}"))
    [request] = hostile.token_requests
    expected = base64.b64encode(b"pps-portal:client-secret").decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    body = {k: v[0] for k, v in parse_qs(request.body).items()}
    assert "client_secret" not in body
    assert body["grant_type"] == "authorization_code"
    assert body["code"] == "abc"
    verifier_hash = hashlib.sha256(body["code_verifier"].encode()).digest()
    assert base64.urlsafe_b64encode(verifier_hash).rstrip(b"=").decode() == params["code_challenge"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def keys_clock(app: Flask) -> Clock:
    clock = Clock()
    app.extensions["portal.providers"]["patient"].keys.clock = clock
    return clock


def test_a_key_rotated_one_second_after_a_sign_in_is_fetched_at_once(app: Flask, hostile: HostileProvider) -> None:
    clock = keys_clock(app)
    first = make_client(app)
    assert_accepted(first, sign_in(first, hostile))
    assert hostile.jwks_fetches == 1

    clock.now += 1
    hostile.key = rsa_key("k2")
    hostile.published_keys = [hostile.key]  # the provider rotated: k1 is gone
    second = make_client(app)
    assert_accepted(second, sign_in(second, hostile))
    assert hostile.jwks_fetches == 2


def test_a_provider_gone_from_two_keys_to_one_without_kid_is_accepted(app: Flask, hostile: HostileProvider) -> None:
    keys_clock(app)
    hostile.published_keys = [hostile.key, rsa_key("k-old")]
    first = make_client(app)
    assert_accepted(first, sign_in(first, hostile))  # kid k1 among two keys
    assert hostile.jwks_fetches == 1

    hostile.key = RSAKey.generate_key(2048, parameters={"alg": "RS256", "use": "sig"})  # no kid at all
    hostile.published_keys = [hostile.key]
    hostile.header_patch = {"kid": None}
    second = make_client(app)
    assert_accepted(second, sign_in(second, hostile))
    assert hostile.jwks_fetches == 2


def test_a_token_without_kid_that_our_single_key_does_not_verify_refetches_once(
    app: Flask, hostile: HostileProvider
) -> None:
    keys_clock(app)
    first = make_client(app)
    assert_accepted(first, sign_in(first, hostile))

    hostile.key = rsa_key("k2")  # rotated to a new single key
    hostile.published_keys = [hostile.key]
    hostile.header_patch = {"kid": None}
    second = make_client(app)
    assert_accepted(second, sign_in(second, hostile))
    assert hostile.jwks_fetches == 2


def test_every_unknown_kid_in_an_id_token_refetches_the_key_set(
    app: Flask, hostile: HostileProvider, caplog: pytest.LogCaptureFixture
) -> None:
    """An ID token comes from the token endpoint in answer to our own request: nobody can flood us with them."""
    clock = keys_clock(app)
    first = make_client(app)
    assert_accepted(first, sign_in(first, hostile))
    for n in range(3):
        clock.now += 1
        hostile.key = rsa_key(f"not-yet-published-{n}")
        client = make_client(app)
        answer = sign_in(client, hostile)
        assert answer.status_code == 400
        assert "no published key has kid" in refusal_reason(caplog)
    assert hostile.jwks_fetches == 4  # the first fetch, then one per sign-in


def test_keys_fetched_by_a_concurrent_sign_in_are_used_without_a_second_fetch(
    app: Flask, hostile: HostileProvider
) -> None:
    first = make_client(app)
    assert_accepted(first, sign_in(first, hostile))
    keys = app.extensions["portal.providers"]["patient"].keys
    seen = keys.generation
    hostile.key = rsa_key("k2")
    hostile.published_keys = [hostile.key]
    assert keys.refresh(seen, trusted=True)  # another sign-in fetched the new keys meanwhile
    assert hostile.jwks_fetches == 2
    assert keys.refresh(seen, trusted=True)  # this one, having seen the old generation, only tries them
    assert hostile.jwks_fetches == 2
    second = make_client(app)
    assert_accepted(second, sign_in(second, hostile))
    assert hostile.jwks_fetches == 2
