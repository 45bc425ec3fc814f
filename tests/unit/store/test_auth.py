"""How the portal authenticates to the store: client-credentials token reuse and renewal, mTLS."""

from __future__ import annotations

import base64
from types import SimpleNamespace
from urllib.parse import parse_qs

import pytest
import responses

from portal.store import FhirClient, StoreAuth, StoreAuthError
from portal.store import auth as auth_module
from tests.unit.store.conftest import BASE, fixture_json

TOKEN_URL = "https://auth.test/oauth2/token"
CREDENTIALS = StoreAuth.client_credentials(
    TOKEN_URL, "pps-portal-store", "s3cret:with/odd chars", scope="system/*.read"
)


class Clock:
    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(auth_module, "_now", fake)
    return fake


def add_tokens(rsps: responses.RequestsMock, *tokens: str, expires_in: int = 300) -> None:
    for token in tokens:
        rsps.add(
            responses.POST,
            TOKEN_URL,
            json={"access_token": token, "token_type": "Bearer", "expires_in": expires_in},
        )


def add_metadata(rsps: responses.RequestsMock, status: int = 200) -> None:
    body = fixture_json("capability_statement.json") if status == 200 else {"resourceType": "OperationOutcome"}
    rsps.add(responses.GET, f"{BASE}/metadata", json=body, status=status)


def bearers(rsps: responses.RequestsMock) -> list[str | None]:
    return [c.request.headers.get("Authorization") for c in rsps.calls if c.request.method == "GET"]


def test_the_token_is_fetched_once_and_reused(rsps: responses.RequestsMock, clock: Clock) -> None:
    add_tokens(rsps, "token-1")
    add_metadata(rsps)

    with FhirClient(BASE, auth=CREDENTIALS) as client:
        client.ping()
        client.ping()
        client.ping()

    assert bearers(rsps) == ["Bearer token-1"] * 3
    assert [c.request.url for c in rsps.calls].count(TOKEN_URL) == 1


def test_the_token_request_is_a_client_credentials_grant_with_basic_auth(
    rsps: responses.RequestsMock, clock: Clock
) -> None:
    add_tokens(rsps, "token-1")
    add_metadata(rsps)

    with FhirClient(BASE, auth=CREDENTIALS) as client:
        client.ping()

    token_request = rsps.calls[0].request
    assert parse_qs(token_request.body) == {"grant_type": ["client_credentials"], "scope": ["system/*.read"]}
    scheme, encoded = token_request.headers["Authorization"].split(" ")
    assert scheme == "Basic"
    # RFC 6749 §2.3.1: form-encode id and secret, then Basic.
    assert base64.b64decode(encoded).decode() == "pps-portal-store:s3cret%3Awith%2Fodd%20chars"
    assert token_request.req_kwargs["timeout"] == (3.05, 5.0)  # type: ignore[attr-defined]


def test_the_token_is_renewed_shortly_before_it_expires(rsps: responses.RequestsMock, clock: Clock) -> None:
    add_tokens(rsps, "token-1", "token-2", expires_in=300)
    add_metadata(rsps)

    with FhirClient(BASE, auth=CREDENTIALS) as client:
        client.ping()
        clock.now += 300 - auth_module.TOKEN_EXPIRY_LEEWAY - 1
        client.ping()
        clock.now += 2
        client.ping()

    assert bearers(rsps) == ["Bearer token-1", "Bearer token-1", "Bearer token-2"]


def test_a_401_renews_the_token_once_and_retries(rsps: responses.RequestsMock, clock: Clock) -> None:
    add_tokens(rsps, "token-revoked", "token-2")
    add_metadata(rsps, status=401)
    add_metadata(rsps)

    with FhirClient(BASE, auth=CREDENTIALS) as client:
        client.ping()

    assert bearers(rsps) == ["Bearer token-revoked", "Bearer token-2"]


def test_a_second_401_is_an_auth_error_not_a_loop(rsps: responses.RequestsMock, clock: Clock) -> None:
    add_tokens(rsps, "token-1", "token-2")
    add_metadata(rsps, status=401)

    with FhirClient(BASE, auth=CREDENTIALS) as client, pytest.raises(StoreAuthError) as caught:
        client.ping()

    assert caught.value.status == 401
    assert len(bearers(rsps)) == 2


@pytest.mark.parametrize(
    "answer",
    [
        {"status": 401, "json": {"error": "invalid_client"}},
        {"status": 200, "json": {"token_type": "Bearer"}},
        {"status": 200, "json": {"access_token": "t", "token_type": "mac"}},
        {"status": 200, "body": "not json"},
    ],
)
def test_a_failed_token_request_is_an_auth_error(
    rsps: responses.RequestsMock, clock: Clock, answer: dict[str, object]
) -> None:
    rsps.add(responses.POST, TOKEN_URL, **answer)  # type: ignore[arg-type]

    with FhirClient(BASE, auth=CREDENTIALS) as client, pytest.raises(StoreAuthError):
        client.ping()
    assert all(c.request.url == TOKEN_URL for c in rsps.calls)  # the store was never asked without a token


def test_the_token_request_is_never_retried(rsps: responses.RequestsMock, clock: Clock) -> None:
    rsps.add(responses.POST, TOKEN_URL, status=503)

    with FhirClient(BASE, auth=CREDENTIALS) as client, pytest.raises(StoreAuthError):
        client.ping()
    assert len(rsps.calls) == 1


def test_mtls_sets_the_client_certificate_and_the_ca_bundle() -> None:
    auth = StoreAuth.mtls(
        "/etc/portal/store-client.pem", "/etc/portal/store-client.key", ca_bundle="/etc/portal/ca.pem"
    )

    with FhirClient(BASE, auth=auth) as client:
        assert client.session.cert == ("/etc/portal/store-client.pem", "/etc/portal/store-client.key")
        assert client.session.verify == "/etc/portal/ca.pem"


def test_without_a_ca_bundle_the_system_trust_store_is_used() -> None:
    with FhirClient(BASE, auth=StoreAuth.mtls("c.pem", "k.pem")) as client:
        assert client.session.verify is True


def test_no_auth_sends_no_authorization_header(rsps: responses.RequestsMock, fhir: FhirClient) -> None:
    add_metadata(rsps)

    fhir.ping()

    assert bearers(rsps) == [None]


def settings(**overrides: str | None) -> SimpleNamespace:
    values: dict[str, str | None] = {
        "store_auth": "none",
        "store_token_url": None,
        "store_client_id": None,
        "store_client_secret": None,
        "store_scope": None,
        "store_cert_file": None,
        "store_key_file": None,
        "store_ca_file": None,
    }
    values.update(overrides)
    return SimpleNamespace(**values)


def test_auth_is_built_from_settings() -> None:
    built = StoreAuth.from_settings(
        settings(
            store_auth="client_credentials",
            store_token_url=TOKEN_URL,
            store_client_id="pps-portal-store",
            store_client_secret="secret",
            store_cert_file="ignored.pem",
        )
    )

    assert built == StoreAuth.client_credentials(TOKEN_URL, "pps-portal-store", "secret")
    assert StoreAuth.from_settings(settings()) == StoreAuth.none()


@pytest.mark.parametrize(
    "overrides",
    [
        {"store_auth": "client_credentials", "store_token_url": TOKEN_URL, "store_client_id": "id"},
        {"store_auth": "mtls", "store_cert_file": "c.pem"},
        {"store_auth": "kerberos"},
    ],
)
def test_incomplete_auth_settings_fail_fast(overrides: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="store auth"):
        StoreAuth.from_settings(settings(**overrides))


def test_the_secret_never_shows_in_repr() -> None:
    assert "s3cret" not in repr(CREDENTIALS)
    assert "s3cret" not in CREDENTIALS.identity
