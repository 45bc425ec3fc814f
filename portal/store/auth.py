"""How the portal authenticates itself to the FHIR store (store step of the data path)."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Literal, Protocol
from urllib.parse import quote

import requests

from portal.store.errors import StoreAuthError

logger = logging.getLogger("portal.store")

AuthKind = Literal["none", "client_credentials", "mtls"]

# Renew a token this long before the expiry it announced, so that a request never leaves with a token
# that dies on the way (clock skew, slow network).
TOKEN_EXPIRY_LEEWAY = 30.0
# A token that announces no lifetime is still renewed from time to time (and at once on a 401).
DEFAULT_TOKEN_LIFETIME = 300.0


class StoreAuthSettings(Protocol):
    """The settings fields `StoreAuth.from_settings` reads (portal.settings.Settings has them)."""

    @property
    def store_auth(self) -> str: ...
    @property
    def store_token_url(self) -> str | None: ...
    @property
    def store_client_id(self) -> str | None: ...
    @property
    def store_client_secret(self) -> str | None: ...
    @property
    def store_scope(self) -> str | None: ...
    @property
    def store_cert_file(self) -> str | None: ...
    @property
    def store_key_file(self) -> str | None: ...
    @property
    def store_ca_file(self) -> str | None: ...


@dataclass(frozen=True)
class StoreAuth:
    """The store credentials, from settings. Build it with `none()` (the demo store), `client_credentials()` (an
    OAuth 2.0 bearer token for the portal as a service) or `mtls()` (a client certificate).

    The credentials are the portal's own identity, never a person's: the people are told apart by the queries.
    """

    kind: AuthKind = "none"
    token_url: str | None = None
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    scope: str | None = None
    cert_path: str | None = None
    key_path: str | None = None
    # A private CA bundle is useful whatever the mode (a regional store behind an internal PKI).
    ca_bundle: str | None = None

    def __post_init__(self) -> None:
        if self.kind == "client_credentials":
            required = ("token_url", "client_id", "client_secret")
            missing = [name for name in required if not getattr(self, name)]
            if missing:
                raise ValueError(f"store auth client_credentials needs {', '.join(missing)}")
            assert self.token_url is not None
            if not self.token_url.startswith(("https://", "http://")):
                raise ValueError("store auth token_url must be an http(s) URL")
        elif self.kind == "mtls":
            if not self.cert_path or not self.key_path:
                raise ValueError("store auth mtls needs cert_path and key_path")
        elif self.kind != "none":
            raise ValueError(f"unknown store auth kind {self.kind!r}")

    @classmethod
    def from_settings(cls, settings: StoreAuthSettings) -> StoreAuth:
        kind: AuthKind
        if settings.store_auth == "client_credentials":
            kind = "client_credentials"
        elif settings.store_auth == "mtls":
            kind = "mtls"
        elif settings.store_auth == "none":
            kind = "none"
        else:
            raise ValueError(f"unknown store auth kind {settings.store_auth!r}")
        return cls(
            kind=kind,
            token_url=settings.store_token_url if kind == "client_credentials" else None,
            client_id=settings.store_client_id if kind == "client_credentials" else None,
            client_secret=settings.store_client_secret if kind == "client_credentials" else None,
            scope=settings.store_scope if kind == "client_credentials" else None,
            cert_path=settings.store_cert_file if kind == "mtls" else None,
            key_path=settings.store_key_file if kind == "mtls" else None,
            ca_bundle=settings.store_ca_file,
        )

    @classmethod
    def none(cls, *, ca_bundle: str | None = None) -> StoreAuth:
        return cls(kind="none", ca_bundle=ca_bundle)

    @classmethod
    def client_credentials(
        cls,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        scope: str | None = None,
        ca_bundle: str | None = None,
    ) -> StoreAuth:
        return cls(
            kind="client_credentials",
            token_url=token_url,
            client_id=client_id,
            client_secret=client_secret,
            scope=scope,
            ca_bundle=ca_bundle,
        )

    @classmethod
    def mtls(cls, cert_path: str, key_path: str, *, ca_bundle: str | None = None) -> StoreAuth:
        return cls(kind="mtls", cert_path=cert_path, key_path=key_path, ca_bundle=ca_bundle)

    @property
    def identity(self) -> str:
        """Who the store sees, as a cache-key component (no secret in it)."""
        if self.kind == "client_credentials":
            return f"client_credentials:{self.token_url}:{self.client_id}:{self.scope or ''}"
        if self.kind == "mtls":
            return f"mtls:{self.cert_path}"
        return "none"

    def configure(self, session: requests.Session) -> None:
        """Set the TLS parts of the session (client certificate, CA bundle)."""
        if self.kind == "mtls":
            assert self.cert_path is not None
            assert self.key_path is not None
            session.cert = (self.cert_path, self.key_path)
        if self.ca_bundle:
            session.verify = self.ca_bundle


def _now() -> float:
    # One indirection so that tests can move the clock without touching `time.monotonic` for everyone.
    return time.monotonic()


class ClientCredentialsToken:
    """A bearer token for the portal, obtained with the client-credentials grant and reused until it expires.

    Thread-safe: the web server's threads share one token; only one of them fetches a new one.
    """

    def __init__(
        self,
        auth: StoreAuth,
        session: requests.Session,
        *,
        timeout: tuple[float, float],
        leeway: float = TOKEN_EXPIRY_LEEWAY,
    ) -> None:
        if auth.kind != "client_credentials":
            raise ValueError("ClientCredentialsToken needs a client_credentials StoreAuth")
        self._auth = auth
        self._session = session
        self._timeout = timeout
        self._leeway = leeway
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0

    def bearer(self) -> str:
        """The current access token, fetching a new one when there is none or it is about to expire."""
        with self._lock:
            if self._token is None or _now() >= self._expires_at:
                self._token, lifetime = self._fetch()
                self._expires_at = _now() + max(0.0, lifetime - self._leeway)
            return self._token

    def invalidate(self, token: str) -> None:
        """Forget `token` (the store answered 401 with it). Another thread may already have replaced it."""
        with self._lock:
            if self._token == token:
                self._token = None

    def _fetch(self) -> tuple[str, float]:
        auth = self._auth
        assert auth.token_url is not None
        assert auth.client_id is not None
        assert auth.client_secret is not None
        data = {"grant_type": "client_credentials"}
        if auth.scope:
            data["scope"] = auth.scope
        started = time.monotonic()
        try:
            # client_secret_basic: RFC 6749 §2.3.1 wants id and secret form-encoded before Basic encoding.
            response = self._session.post(
                auth.token_url,
                data=data,
                auth=(quote(auth.client_id, safe=""), quote(auth.client_secret, safe="")),
                headers={"Accept": "application/json"},
                timeout=self._timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            logger.warning("store POST token failed: %s", type(exc).__name__)
            raise StoreAuthError("store token endpoint unreachable") from exc
        duration_ms = (time.monotonic() - started) * 1000
        logger.info("store POST token status=%s duration_ms=%.1f", response.status_code, duration_ms)
        if response.status_code != 200:
            raise StoreAuthError("store token endpoint refused the portal", status=response.status_code)
        try:
            payload = response.json()
        except ValueError as exc:
            raise StoreAuthError("store token endpoint answered no JSON", status=200) from exc
        if not isinstance(payload, dict):
            raise StoreAuthError("store token endpoint answered no JSON object", status=200)
        token = payload.get("access_token")
        token_type = payload.get("token_type", "bearer")
        if not isinstance(token, str) or not token:
            raise StoreAuthError("store token endpoint answered no access_token", status=200)
        if not isinstance(token_type, str) or token_type.lower() != "bearer":
            raise StoreAuthError("store token endpoint answered a non-bearer token", status=200)
        expires_in = payload.get("expires_in")
        lifetime = (
            float(expires_in)
            if isinstance(expires_in, int | float) and not isinstance(expires_in, bool)
            else DEFAULT_TOKEN_LIFETIME
        )
        return token, lifetime
