"""Sign-in as FranceConnect+ behaves: access tokens that live 60 seconds (or say nothing of their life), and a
userinfo answer signed as a JWT. A client-side leeway longer than the token's life must never refuse it."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.unit.conftest import sign_in
from tests.unit.security.conftest import refusal_reason
from tests.unit.security.hostile_idp import HostileProvider, ec_key, rsa_key


def assert_signed_in_as(client: FlaskClient, answer: Any, given_name: str) -> None:
    """Signed in, with the name userinfo gave (kept on the server side only)."""
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    assert "Se déconnecter" in client.get("/no-such-page").get_data(as_text=True)
    store = client.application.extensions["portal.sessions"]
    users = [stored.data["user"] for sid in store if (stored := store.load(sid)) and "user" in stored.data]
    assert [user["given_name"] for user in users] == [given_name]


@pytest.mark.parametrize("expires_in", [60, 30, 1, None], ids=["60s", "30s", "1s", "absent"])
def test_a_short_lived_access_token_still_reads_userinfo(
    client: FlaskClient, hostile: HostileProvider, expires_in: int | None
) -> None:
    hostile.expires_in = expires_in
    hostile.userinfo = {"sub": hostile.sub, "given_name": "Camille", "family_name": "Exemple"}
    assert_signed_in_as(client, sign_in(client, hostile), "Camille")


def test_a_signed_userinfo_is_accepted_and_its_claims_used(client: FlaskClient, hostile: HostileProvider) -> None:
    hostile.signing_algs = ("ES256",)
    hostile.key = ec_key("fc-es256")
    hostile.published_keys = [rsa_key("other-rsa"), hostile.key]
    hostile.signed_userinfo = True
    hostile.userinfo = {"sub": hostile.sub, "given_name": "Camille", "family_name": "Exemple"}
    assert_signed_in_as(client, sign_in(client, hostile), "Camille")


@pytest.mark.parametrize(
    ("patch", "reason"),
    [
        ({"aud": "another-client"}, "signed userinfo is not from this provider for this portal"),
        ({"iss": "https://elsewhere.test"}, "signed userinfo is not from this provider for this portal"),
        ({"sub": "someone-else"}, "userinfo sub differs from the ID token's"),
    ],
    ids=["wrong-aud", "wrong-iss", "other-sub"],
)
def test_a_signed_userinfo_for_someone_else_is_refused(
    client: FlaskClient, hostile: HostileProvider, caplog: pytest.LogCaptureFixture, patch: dict[str, Any], reason: str
) -> None:
    hostile.signed_userinfo = True
    hostile.userinfo_claims_patch = patch
    answer = sign_in(client, hostile)
    assert answer.status_code == 400
    assert reason in refusal_reason(caplog)


def test_a_userinfo_signed_by_another_key_is_refused(
    client: FlaskClient, hostile: HostileProvider, caplog: pytest.LogCaptureFixture
) -> None:
    hostile.signed_userinfo = True
    hostile.userinfo_key = rsa_key(str(hostile.key.kid))  # same kid, another key
    answer = sign_in(client, hostile)
    assert answer.status_code == 400
    assert "userinfo refused: bad signature" in refusal_reason(caplog)


def test_a_userinfo_that_refuses_the_token_is_a_provider_failure(
    client: FlaskClient, hostile: HostileProvider, caplog: pytest.LogCaptureFixture
) -> None:
    hostile.accepted_access_token = "another-token"  # the provider no longer honours the one it gave
    answer = sign_in(client, hostile)
    assert answer.status_code == 503
    assert "userinfo answered 401" in refusal_reason(caplog)
