"""Unit-test fixtures: the app with a fake store and a fake identity provider, both answered by `responses`."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from flask import Flask
from flask.testing import FlaskClient
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey
from lxml import html as lxml_html
from werkzeug.test import TestResponse

from portal import create_app
from tests.pages import check_page, csp_nonce

ISSUER = "https://idp.test"
PRO_ISSUER = "https://pro-idp.test"
STORE = "https://store.test/fhir"
PUBLIC = "https://portal.test"
SUBJECT_SYSTEM = "urn:pps-portal:test:sub"


def base_env(**overrides: str) -> dict[str, str]:
    env = {
        "PORTAL_SECRET_KEY": "unit-test-secret-key-0123456789-abcdef",
        "PORTAL_PUBLIC_URL": PUBLIC,
        "PORTAL_STORE_URL": STORE,
        "PORTAL_OIDC_ISSUER": ISSUER,
        "PORTAL_OIDC_CLIENT_ID": "pps-portal",
        "PORTAL_OIDC_CLIENT_SECRET": "client-secret",
        "PORTAL_OIDC_SUBJECT_SYSTEM": SUBJECT_SYSTEM,
        "PORTAL_STORE_RETRIES": "0",
    }
    env.update(overrides)
    return env


@dataclass
class FakeProvider:
    """An OpenID provider made of `responses` callbacks, whose ID tokens a test can spoil claim by claim."""

    mock: responses.RequestsMock
    issuer: str = ISSUER
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256"}))
    sub: str = "sub-123"
    acr: str = "eidas2"
    claims_patch: dict[str, Any] = field(default_factory=dict)
    userinfo: dict[str, Any] | None = None
    token_status: int = 200
    nonce: str | None = None
    signing_algs: tuple[str, ...] = ("RS256",)
    #: The keys the JWKS document publishes; None publishes `key` as it is at `install()` time.
    published_keys: list[RSAKey | ECKey] | None = None
    #: Changes to the ID token's JOSE header; a None value removes the parameter (e.g. {"kid": None}).
    header_patch: dict[str, Any] = field(default_factory=dict)
    #: Seconds the access token lives, as the token answer says (FranceConnect+: 60); None leaves expires_in out.
    expires_in: int | None = 60
    #: Answer userinfo as a JWT signed with `key` (as FranceConnect+ does) instead of plain JSON.
    signed_userinfo: bool = False
    #: Changes to the signed userinfo's claims; a None value removes the claim.
    userinfo_claims_patch: dict[str, Any] = field(default_factory=dict)
    #: Signs the userinfo JWT instead of `key` (a forger's key).
    userinfo_key: RSAKey | ECKey | None = None
    #: The access token userinfo accepts: another value stands for a token the provider already refused.
    accepted_access_token: str = "at"
    #: What the portal sent: every token request, and how many times it fetched the JWKS.
    token_requests: list[Any] = field(default_factory=list)
    jwks_fetches: int = 0

    @property
    def alg(self) -> str:
        return "ES256" if isinstance(self.key, ECKey) else "RS256"

    def install(self) -> None:
        if self.published_keys is None:
            self.published_keys = [self.key]
        self.mock.add_callback(
            responses.GET, self.issuer + "/.well-known/openid-configuration", callback=self._discovery
        )
        self.mock.add_callback(responses.GET, self.issuer + "/jwks", callback=self._jwks)
        self.mock.add_callback(responses.POST, self.issuer + "/token", callback=self._token)
        self.mock.add_callback(responses.GET, self.issuer + "/me", callback=self._userinfo)

    def _discovery(self, request: Any) -> tuple[int, dict[str, str], str]:
        import json

        document = {
            "issuer": self.issuer,
            "authorization_endpoint": self.issuer + "/auth",
            "token_endpoint": self.issuer + "/token",
            "userinfo_endpoint": self.issuer + "/me",
            "jwks_uri": self.issuer + "/jwks",
            "end_session_endpoint": self.issuer + "/session/end",
            "id_token_signing_alg_values_supported": list(self.signing_algs),
            "code_challenge_methods_supported": ["S256"],
        }
        return 200, {"Content-Type": "application/json"}, json.dumps(document)

    def id_token(self) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": "pps-portal",
            "sub": self.sub,
            "iat": now,
            "exp": now + 300,
            "nonce": self.nonce,
            "acr": self.acr,
        }
        claims.update(self.claims_patch)
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(self.header(), claims, self.key)

    def header(self) -> dict[str, Any]:
        header = {"alg": self.alg, "kid": self.key.kid, **self.header_patch}
        return {k: v for k, v in header.items() if v is not None}

    def _jwks(self, request: Any) -> tuple[int, dict[str, str], str]:
        import json

        self.jwks_fetches += 1
        body = {"keys": [k.as_dict(private=False) for k in self.published_keys or []]}
        return 200, {"Content-Type": "application/json"}, json.dumps(body)

    def _token(self, request: Any) -> tuple[int, dict[str, str], str]:
        import json

        self.token_requests.append(request)
        if self.token_status != 200:
            return self.token_status, {}, json.dumps({"error": "server_error"})
        body: dict[str, Any] = {"access_token": "at", "token_type": "Bearer", "id_token": self.id_token()}
        if self.expires_in is not None:
            body["expires_in"] = self.expires_in
        return 200, {"Content-Type": "application/json"}, json.dumps(body)

    def _userinfo(self, request: Any) -> tuple[int, dict[str, str], str]:
        import json

        if request.headers.get("Authorization") != f"Bearer {self.accepted_access_token}":
            return 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}, ""
        info = self.userinfo if self.userinfo is not None else {"sub": self.sub, "given_name": "Camille"}
        if self.signed_userinfo:
            claims = {"iss": self.issuer, "aud": "pps-portal", **info, **self.userinfo_claims_patch}
            claims = {k: v for k, v in claims.items() if v is not None}
            key = self.userinfo_key or self.key
            return 200, {"Content-Type": "application/jwt"}, jwt.encode(self.header(), claims, key)
        return 200, {"Content-Type": "application/json"}, json.dumps(info)


@pytest.fixture(autouse=True)
def _stop_leftover_access_logs() -> Iterator[None]:
    """Each test's apps record accesses from a background queue; stop them when the test ends, so that they
    never post into the next test's fake store (whose call counts would then be wrong)."""
    yield
    from portal.access import trail as audit

    audit.discard_all()


@pytest.fixture(autouse=True)
def _stop_pdf_processes() -> Iterator[None]:
    """The processes that made a test's PDFs end with the test: none is left running beside the next ones."""
    yield
    from portal.exports import pdf_pool

    pdf_pool.close_all()


class BackgroundWork:
    """The store calls the portal starts on its apps' thread pools during a test, ahead of need (the documents
    asked for while the browser follows the sign-in redirect or while the Patient search runs, the relatives
    looked up beside it). A test waits for them with `drain()`, explicitly, instead of polling the fake store."""

    #: The longest `drain` waits: a bound for a stuck call, never a pause.
    WAIT = 30.0

    def __init__(self) -> None:
        self.futures: list[Future[Any]] = []
        self.pools: list[ThreadPoolExecutor] = []
        self._lock = threading.Lock()

    def pool(self, stores: int = 1) -> ThreadPoolExecutor:
        """A pool for an app of this test (as many threads per store as the app's): every call submitted to it is
        noted."""
        work = self

        class NotingPool(ThreadPoolExecutor):
            def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
                future: Future[Any] = super().submit(fn, *args, **kwargs)
                with work._lock:
                    work.futures.append(future)
                return future

        made = NotingPool(max_workers=8 * max(1, stores), thread_name_prefix="test-store")
        self.pools.append(made)
        return made

    def drain(self) -> int:
        """Wait until every call started so far has ended (answered, failed or cut); how many there were."""
        with self._lock:
            started = list(self.futures)
        _done, running = wait(started, timeout=self.WAIT)
        assert not running, f"{len(running)} background store call(s) still running after {self.WAIT:.0f} s"
        return len(started)

    def close(self) -> None:
        for made in self.pools:
            made.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(autouse=True)
def background(monkeypatch: pytest.MonkeyPatch) -> Iterator[BackgroundWork]:
    """Every app made in the test gets a pool that notes the store calls started on it; they are ended, and the
    pools closed, before the test is: none is left to reach the next test's fake store."""
    from portal.web import extensions

    work = BackgroundWork()
    monkeypatch.setattr(extensions, "make_pool", work.pool)
    yield work
    work.drain()
    work.close()


@pytest.fixture
def mock(background: BackgroundWork) -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps
        background.drain()  # while the fake store still answers them


@pytest.fixture
def provider(mock: responses.RequestsMock) -> FakeProvider:
    fake = FakeProvider(mock)
    fake.install()
    return fake


@pytest.fixture
def app() -> Flask:
    flask_app = create_app(base_env())
    flask_app.config["TESTING"] = True
    return flask_app


class CheckingClient(FlaskClient):
    """A test client that checks every whole page the portal answers, as a reviewer would: valid HTML5, one h1
    that starts the title, unique ids, a language, landmarks, labelled controls, scripts with this answer's CSP
    nonce (tests.pages.check_page). Fragments (htmx) and files are not pages; `checks = False` turns it off for a
    test that sends deliberately broken requests."""

    checks = True

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        response: TestResponse = super().open(*args, **kwargs)
        if self.checks and _is_whole_page(response):
            check_page(
                response.get_data(as_text=True), nonce=csp_nonce(response.headers.get("Content-Security-Policy"))
            )
        return response


def _is_whole_page(response: TestResponse) -> bool:
    """A page of ours: HTML from `<!doctype html>` on, and not the few words werkzeug writes under a redirect."""
    if response.mimetype != "text/html" or 300 <= response.status_code < 400:
        return False
    return response.get_data()[:15].lower() == b"<!doctype html>"


def make_client(app: Flask) -> FlaskClient:
    """A test client that talks to the portal as a browser would, over https at its public host, and checks every
    page it gets (`CheckingClient`)."""
    app.config.update(SERVER_NAME="portal.test", PREFERRED_URL_SCHEME="https")
    app.test_client_class = CheckingClient
    return app.test_client()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return make_client(app)


def timeouts_given(session: requests.Session) -> list[Any]:
    """From now on, the `timeout` of every request `session` makes, noted before the request is sent on: what a
    test checks to prove which time limit a call had, without timing anything."""
    given: list[Any] = []
    send = session.request

    def noting(*args: Any, **kwargs: Any) -> Any:
        given.append(kwargs.get("timeout"))
        return send(*args, **kwargs)

    session.request = noting  # type: ignore[method-assign]
    return given


def start_sign_in(client: FlaskClient, provider: FakeProvider, path: str = "/login") -> dict[str, str]:
    """Begin a sign-in; return the authorization request's parameters (state, nonce, PKCE challenge…)."""
    answer = client.get(path)
    assert answer.status_code == 302
    params = {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["Location"]).query).items()}
    provider.nonce = params.get("nonce")
    return params


def sign_in(client: FlaskClient, provider: FakeProvider, path: str = "/login") -> Any:
    params = start_sign_in(client, provider, path)
    return client.get(f"/auth/callback?code=abc&state={params['state']}")


def signed_in(client: FlaskClient, provider: FakeProvider) -> FlaskClient:
    """`client`, signed in through `provider` (as whoever `provider.sub` names)."""
    assert sign_in(client, provider).status_code == 302
    return client


def signed_in_client(app: Flask, provider: FakeProvider, sub: str | None = None) -> FlaskClient:
    """A new browser on `app`, signed in through `provider` (as `sub`, if given)."""
    if sub is not None:
        provider.sub = sub
    return signed_in(make_client(app), provider)


def is_signed_in(client: FlaskClient) -> bool:
    """Any page shows the sign-out button to a signed-in person; a 404 page needs no store."""
    return "Se déconnecter" in client.get("/no-such-page").get_data(as_text=True)


def csrf_token(client: FlaskClient) -> str:
    """The CSRF token of this browser's session, as a page's forms carry it."""
    page = lxml_html.document_fromstring(client.get("/no-such-page").get_data(as_text=True))
    return str(page.xpath("//input[@name='csrf_token']/@value")[0])


# The signed-in clients, one per viewer kind, as fixtures of every unit test. Imported last: they build on the
# fixtures and helpers above.
from tests.unit.viewers import (  # noqa: E402, F401
    as_caregiver,
    as_coordinator,
    as_limited_caregiver,
    as_patient,
    as_representative,
    viewers,
)
