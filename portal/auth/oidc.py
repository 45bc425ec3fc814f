"""OpenID Connect relying party: the first step of the data path, for patients and for professionals."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import FlaskOAuth2App, OAuth
from authlib.integrations.requests_client import OAuth2Session
from flask import Response, request
from joserfc.errors import JoseError

from portal.auth import answers
from portal.auth.keys import KEY_TYPE_OF_ALG, ProviderKeys
from portal.auth.tokens import LogoutRequest, TokenError, check_id_token, check_logout_token, verify_signature
from portal.store.watchdog import mount, watched_session

log = logging.getLogger("portal.auth")

#: eIDAS assurance levels as the French providers name them, lowest first.
ACR_LEVELS = {"eidas1": 1, "eidas2": 2, "eidas3": 3}

#: Asymmetric signatures only: never `none`, never a shared-secret HMAC the provider could not prove.
ALLOWED_ALGORITHMS = tuple(KEY_TYPE_OF_ALG)

ProviderName = Literal["patient", "pro"]
#: "too_weak": the provider vouched for the person at a lower eIDAS level than the portal requires.
FailureKind = Literal["cancelled", "invalid", "unavailable", "too_weak"]

#: The sign-in service each provider stands for in production: what people know it by.
SERVICE_NAMES: dict[str, str] = {"patient": "FranceConnect+", "pro": "Pro Santé Connect"}
#: Seconds a reachability check of a provider is reused (sign-in pages and /readyz share it).
CHECK_SECONDS = 5.0
#: Longest wait for a provider's discovery document when checking it: a person is waiting for the page.
CHECK_TIMEOUT = 2.0


class ProviderUnavailable(Exception):
    """The identity provider cannot be reached now: the page says that sign-in service is unavailable."""

    def __init__(self, provider: str) -> None:
        super().__init__(f"the {provider} identity provider cannot be reached")
        self.provider = provider


class SignInError(Exception):
    """The sign-in did not succeed. `kind` picks the page; `reason` goes to the log (never to the person)."""

    def __init__(self, kind: FailureKind, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


@dataclass(frozen=True)
class Identity:
    """Who signed in, as the provider vouches for it."""

    provider: ProviderName
    sub: str
    acr: str
    id_token: str
    sid: str | None = None
    claims: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderConfig:
    name: ProviderName
    issuer: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...]
    acr_values: str
    timeout: float
    #: Claims kept besides the names (e.g. the professional's RPPS number, from a configurable claim).
    extra_claims: tuple[str, ...] = ()
    #: Seconds the discovery document is reused before it is read again.
    metadata_ttl: float = 3600.0


class WatchedOAuth2Session(OAuth2Session):  # type: ignore[misc]
    """authlib's session for the token request, whose connections are watched while they wait for the answer's
    headers (`portal.store.watchdog`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mount(self)


class PortalOAuthApp(FlaskOAuth2App):  # type: ignore[misc]
    """authlib's Flask client, with the ID token checked by `portal.auth.tokens` instead of authlib's own check."""

    client_cls = WatchedOAuth2Session
    provider: OidcProvider

    def parse_id_token(self, token: dict[str, Any], nonce: str, **_: Any) -> dict[str, Any]:
        return self.provider.verify_id_token(str(token["id_token"]), nonce, token.get("access_token"))


class OidcProvider:
    """One identity provider the portal trusts, registered with authlib under `config.name`.

    authlib does the protocol (code flow, PKCE S256, state, client_secret_basic); the ID token is checked by our own
    `portal.auth.tokens` (an allow-list of algorithms, the one key its `kid` designates, a rate-limited JWKS refetch,
    every claim with its own refusal reason). The same keys check back-channel logout tokens.
    """

    def __init__(self, oauth: OAuth, config: ProviderConfig, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self._clock = clock
        self._lock = threading.Lock()
        self._metadata_at: float | None = None
        self._checked: tuple[float, bool] | None = None
        self.metadata_url = config.issuer + "/.well-known/openid-configuration"
        if config.acr_values not in ACR_LEVELS:
            raise ValueError(f"unknown assurance level {config.acr_values!r}")
        self.keys = ProviderKeys(self._fetch_jwks)
        self.client = oauth.register(
            name=config.name,
            client_cls=PortalOAuthApp,
            client_id=config.client_id,
            client_secret=config.client_secret,
            server_metadata_url=self.metadata_url,
            client_kwargs={
                "scope": " ".join(config.scopes),
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "client_secret_basic",
                "default_timeout": config.timeout,
            },
        )
        self.client.provider = self

    # -- metadata -------------------------------------------------------------------------------------------

    def metadata(self) -> dict[str, Any]:
        """The discovery document, read again after `metadata_ttl` seconds, checked, and narrowed to the
        algorithms we accept."""
        with self._lock:
            now = self._clock()
            if self._metadata_at is None or now - self._metadata_at >= self.config.metadata_ttl:
                try:
                    self._install(self._fetch_metadata(self.config.timeout), now)
                except (requests.RequestException, ValueError) as exc:
                    reason = f"{self.config.name} provider discovery failed: {type(exc).__name__}"
                    raise SignInError("unavailable", reason) from exc
            meta: dict[str, Any] = self.client.server_metadata
            return meta

    def _fetch_metadata(self, timeout: float) -> dict[str, Any]:
        with watched_session() as http:
            answer = http.get(self.metadata_url, timeout=timeout, allow_redirects=False, hooks=answers.within(timeout))
        answer.raise_for_status()
        meta = answer.json()
        if not isinstance(meta, dict):
            raise ValueError("the discovery document is not a JSON object")
        if meta.get("issuer") != self.config.issuer:
            raise ValueError(f"{self.config.name} provider announces another issuer")
        return meta

    def _install(self, meta: dict[str, Any], now: float) -> None:
        """Hand the document to authlib (which then never loads it itself) and note when it was read."""
        advertised = meta.get("id_token_signing_alg_values_supported") or ["RS256"]
        meta["id_token_signing_alg_values_supported"] = [a for a in advertised if a in ALLOWED_ALGORITHMS]
        meta["_loaded_at"] = time.time()
        self.client.server_metadata.update(meta)
        self._metadata_at = now

    def check(self) -> bool:
        """Whether the provider answers now (its discovery document, within `CHECK_TIMEOUT`); the answer is
        reused for `CHECK_SECONDS`, so neither a crowd at /login nor anonymous /readyz callers multiply calls to
        it. A successful check refreshes the metadata that has passed its TTL."""
        with self._lock:
            now = self._clock()
            if self._checked is not None and now - self._checked[0] < CHECK_SECONDS:
                return self._checked[1]
            try:
                meta = self._fetch_metadata(min(self.config.timeout, CHECK_TIMEOUT))
            except (requests.RequestException, ValueError) as exc:
                log.warning("%s identity provider unreachable: %s", self.config.name, type(exc).__name__)
                reachable = False
            else:
                reachable = True
                if self._metadata_at is None or now - self._metadata_at >= self.config.metadata_ttl:
                    self._install(meta, now)
            self._checked = (now, reachable)
            return reachable

    def _fetch_jwks(self) -> dict[str, Any]:
        timeout = self.config.timeout
        with watched_session() as http:
            answer = http.get(self.metadata()["jwks_uri"], timeout=timeout, hooks=answers.within(timeout))
        answer.raise_for_status()
        document: dict[str, Any] = answer.json()
        return document

    # -- tokens ---------------------------------------------------------------------------------------------

    def algorithms(self) -> list[str]:
        """The signature algorithms this provider announces and we accept."""
        algs: list[str] = self.metadata()["id_token_signing_alg_values_supported"]
        return algs

    def verify_id_token(self, id_token: str, nonce: str, access_token: str | None = None) -> dict[str, Any]:
        """The claims of an ID token this provider signed for this portal with this nonce, or TokenError."""
        # Handed to us by the token endpoint in answer to our own request: a key we do not know yet means the
        # provider rotated its keys, so they are fetched again at once.
        signed = verify_signature(id_token, self.keys, self.algorithms(), trusted=True)
        return check_id_token(
            signed,
            issuer=self.config.issuer,
            client_id=self.config.client_id,
            nonce=nonce,
            access_token=access_token,
        )

    def verify_logout_token(self, logout_token: str) -> LogoutRequest:
        """What a back-channel logout token from this provider asks, or TokenError."""
        # Anyone can post one: an unknown key refetches the key set at most once a minute.
        signed = verify_signature(logout_token, self.keys, self.algorithms(), trusted=False)
        return check_logout_token(signed, issuer=self.config.issuer, client_id=self.config.client_id)

    def reachable(self) -> bool:
        """True when the discovery document answers (for /readyz): `check()`, reused a few seconds."""
        return self.check()

    # -- the flow -------------------------------------------------------------------------------------------

    def authorize_redirect(self, redirect_uri: str) -> Response:
        """Send the browser to the provider with PKCE S256, a 43-character state and nonce, and the acr asked;
        ProviderUnavailable, and no redirect, when the provider does not answer now."""
        if not self.check():
            raise ProviderUnavailable(self.config.name)
        self.metadata()
        response: Response = self.client.authorize_redirect(
            redirect_uri,
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            acr_values=self.config.acr_values,
        )
        return response

    def complete(self) -> Identity:
        """Finish the sign-in on the callback request, or raise SignInError: on top of the ID token's checks, an
        `acr` at or above the required eIDAS level and a userinfo `sub` equal to the ID token's."""
        error = request.args.get("error")
        if error == "access_denied":
            raise SignInError("cancelled", "the person cancelled at the provider")
        if error:
            raise SignInError("invalid", f"provider returned error={error[:64]}")
        if not request.args.get("code"):
            raise SignInError("invalid", "callback without code")
        meta = self.metadata()
        try:
            # authlib hands `hooks` to requests: the token answer is read within the provider's time too.
            token = self.client.authorize_access_token(hooks=answers.within(self.config.timeout))
        except TokenError as exc:
            raise SignInError("invalid", f"ID token refused: {exc.reason}") from exc
        except (requests.RequestException, ValueError) as exc:
            raise SignInError("unavailable", f"token request failed: {type(exc).__name__}") from exc
        except (AuthlibBaseError, JoseError) as exc:
            raise SignInError("invalid", f"token rejected: {type(exc).__name__}: {exc}") from exc
        claims = token.get("userinfo")
        if not token.get("id_token") or not claims:
            raise SignInError("invalid", "token answer without a verified ID token")
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub:
            raise SignInError("invalid", "ID token without sub")
        acr = claims.get("acr")
        if ACR_LEVELS.get(str(acr), 0) < ACR_LEVELS[self.config.acr_values]:
            raise SignInError("too_weak", f"assurance level {acr!r} below {self.config.acr_values}")
        profile = dict(claims)
        endpoint = meta.get("userinfo_endpoint")
        if isinstance(endpoint, str) and endpoint:
            info = self.userinfo(endpoint, str(token.get("access_token") or ""))
            if info.get("sub") != sub:
                raise SignInError("invalid", "userinfo sub differs from the ID token's")
            profile.update(info)
        sid = claims.get("sid")
        return Identity(
            provider=self.config.name,
            sub=sub,
            acr=str(acr),
            id_token=str(token["id_token"]),
            sid=sid if isinstance(sid, str) else None,
            claims={
                k: profile[k]
                for k in ("given_name", "family_name", "SubjectNameID", *self.config.extra_claims)
                if k in profile
            },
        )

    def userinfo(self, endpoint: str, access_token: str) -> dict[str, Any]:
        """The claims of the userinfo endpoint, asked right after the token exchange.

        Our own call, not authlib's: authlib counts a token as expired 60 s before it is, and FranceConnect+ access
        tokens live 60 s, so every sign-in would fail. The token was issued an instant ago and the provider says
        whether it still holds; a client-side clock has nothing to add. A signed answer (`application/jwt`, as
        FranceConnect+ sends) is checked like an ID token: signature by this provider, `iss`, `aud`.
        """
        if not access_token:
            raise SignInError("invalid", "token answer without an access token")
        try:
            with watched_session() as http:
                answer = http.get(
                    endpoint,
                    headers={"Authorization": f"Bearer {access_token}", "Accept": "application/jwt, application/json"},
                    timeout=self.config.timeout,
                    allow_redirects=False,
                    hooks=answers.within(self.config.timeout),
                )
        except requests.RequestException as exc:
            raise SignInError("unavailable", f"userinfo failed: {type(exc).__name__}") from exc
        if answer.status_code != 200:
            raise SignInError("unavailable", f"userinfo answered {answer.status_code}")
        media = answer.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if media == "application/jwt":
            try:
                signed = verify_signature(answer.text.strip(), self.keys, self.userinfo_algorithms(), trusted=True)
            except TokenError as exc:
                raise SignInError("invalid", f"userinfo refused: {exc.reason}") from exc
            claims = signed.claims
            audience = claims.get("aud")
            audiences = [audience] if isinstance(audience, str) else audience if isinstance(audience, list) else []
            if claims.get("iss") != self.config.issuer or self.config.client_id not in audiences:
                raise SignInError("invalid", "signed userinfo is not from this provider for this portal (iss, aud)")
            return claims
        try:
            info = answer.json()
        except ValueError as exc:
            raise SignInError("unavailable", f"userinfo is neither JSON nor a signed JWT ({media[:40]})") from exc
        if not isinstance(info, dict):
            raise SignInError("invalid", "userinfo is not a JSON object")
        return info

    def userinfo_algorithms(self) -> list[str]:
        """The algorithms a signed userinfo answer may use: those announced for it, that we accept."""
        advertised = self.metadata().get("userinfo_signing_alg_values_supported") or self.algorithms()
        return [a for a in advertised if a in ALLOWED_ALGORITHMS]

    def logout_url(self, id_token: str | None, post_logout_redirect_uri: str) -> str | None:
        """The provider's end-session URL (RP-initiated logout), or None when it has none."""
        try:
            meta = self.metadata()
        except SignInError:
            return None
        endpoint = meta.get("end_session_endpoint")
        if not endpoint:
            return None
        result = self.client.create_logout_url(
            post_logout_redirect_uri=post_logout_redirect_uri,
            id_token_hint=id_token,
            client_id=self.config.client_id,
        )
        url: str = result["url"]
        return url
