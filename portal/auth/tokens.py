"""Checks of the tokens an identity provider signs, the ID token at sign-in and the logout token of a back-channel
logout: first step of the data path, where nothing a token says is believed before these checks pass."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from joserfc import jws, jwt
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jws import JWSRegistry

from portal.auth.keys import KEY_TYPE_OF_ALG, NoUsableKey, ProviderKeys

#: Clock difference tolerated between the provider and us, in seconds.
LEEWAY = 60

#: A logout token older than this is refused (its `jti` is remembered at least as long).
LOGOUT_TOKEN_MAX_AGE = 300

BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"


class TokenError(Exception):
    """The token is refused; `reason` goes to the log: one for each check (the signature first, then each claim),
    naming claims, never their values."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SignedToken:
    header: dict[str, Any]
    claims: dict[str, Any]


def unverified_claims(token: str) -> dict[str, Any]:
    """The claims before any check: only to pick which provider's keys to check them with."""
    try:
        claims = json.loads(jws.extract_compact(token.encode("ascii")).payload)
    except (JoseError, ValueError, UnicodeError) as exc:
        raise TokenError(f"not a signed JWT: {type(exc).__name__}") from exc
    if not isinstance(claims, dict):
        raise TokenError("the token's payload is not a JSON object")
    return claims


def verify_signature(
    token: str, keys: ProviderKeys, algorithms: Collection[str] = tuple(KEY_TYPE_OF_ALG), *, trusted: bool
) -> SignedToken:
    """Check the signature with the provider's key the header designates; refuse `none` and symmetric algorithms.

    `algorithms` narrows further, to those the provider announces. When the token fits none of the keys we hold,
    the key set is fetched once more (the provider may have rotated it): at once for a token the provider handed
    us itself (`trusted`), rate-limited for a token anyone could post (see `portal.auth.keys`).
    """
    try:
        compact = jws.extract_compact(token.encode("ascii"))
        header = dict(compact.headers())
    except (JoseError, ValueError, UnicodeError) as exc:
        raise TokenError(f"not a signed JWT: {type(exc).__name__}") from exc
    alg, kid = header.get("alg"), header.get("kid")
    if not isinstance(alg, str) or alg not in KEY_TYPE_OF_ALG or alg not in algorithms:
        raise TokenError(f"algorithm {str(alg)[:16]!r} is not accepted")
    if kid is not None and not isinstance(kid, str):
        raise TokenError("kid is not a string")
    seen = keys.generation
    try:
        decoded = _decode(token, keys, alg, kid)
    except TokenError:
        # A key we do not know, or (without kid) none of ours verifies it: once more with the provider's keys now.
        if not keys.refresh(seen, trusted=trusted):
            raise
        decoded = _decode(token, keys, alg, kid)
    return SignedToken(header=header, claims=decoded)


def _decode(token: str, keys: ProviderKeys, alg: str, kid: str | None) -> dict[str, Any]:
    try:
        key = keys.key_for(alg, kid)
    except NoUsableKey as exc:
        raise TokenError(str(exc)) from exc
    try:
        decoded = jwt.decode(token, key, registry=JWSRegistry(algorithms=[alg], strict_check_header=False))
    except BadSignatureError as exc:
        raise TokenError("bad signature") from exc
    except (JoseError, ValueError) as exc:
        raise TokenError(f"signature check failed: {type(exc).__name__}") from exc
    if not isinstance(decoded.claims, dict):
        raise TokenError("the token's payload is not a JSON object")
    return dict(decoded.claims)


def check_id_token(
    token: SignedToken,
    *,
    issuer: str,
    client_id: str,
    nonce: str,
    access_token: str | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """The ID token's claims (OpenID Connect Core 3.1.3.7), or TokenError."""
    claims = token.claims
    moment = time.time() if now is None else now
    _check_issuer_and_audience(claims, issuer, client_id)
    exp = _number(claims, "exp")
    if moment > exp + LEEWAY:
        raise TokenError("the token has expired (exp)")
    if _number(claims, "iat") > moment + LEEWAY:
        raise TokenError("the token is issued in the future (iat)")
    if "nbf" in claims and _number(claims, "nbf") > moment + LEEWAY:
        raise TokenError("the token is not valid yet (nbf)")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise TokenError("sub is missing")
    got = claims.get("nonce")
    if not isinstance(got, str):
        raise TokenError("nonce is missing")
    if not hmac.compare_digest(got.encode(), nonce.encode()):
        raise TokenError("nonce differs from the one sent")
    at_hash = claims.get("at_hash")
    if (
        at_hash is not None
        and access_token is not None
        and not hmac.compare_digest(str(at_hash), _half_hash(access_token, str(token.header["alg"])))
    ):
        raise TokenError("at_hash does not match the access token")
    return claims


@dataclass(frozen=True)
class LogoutRequest:
    """What a valid logout token asks: end the sessions of this provider session (`sid`) or person (`sub`)."""

    issuer: str
    jti: str
    sid: str | None
    sub: str | None


def check_logout_token(token: SignedToken, *, issuer: str, client_id: str, now: float | None = None) -> LogoutRequest:
    """The logout token's claims (Back-Channel Logout 1.0, section 2.6), or TokenError."""
    claims = token.claims
    moment = time.time() if now is None else now
    typ = token.header.get("typ")
    if typ is not None and str(typ).lower() not in ("logout+jwt", "application/logout+jwt", "jwt"):
        raise TokenError("typ is not logout+jwt")
    _check_issuer_and_audience(claims, issuer, client_id)
    iat = _number(claims, "iat")
    if iat > moment + LEEWAY:
        raise TokenError("the token is issued in the future (iat)")
    if moment - iat > LOGOUT_TOKEN_MAX_AGE + LEEWAY:
        raise TokenError("the token is too old (iat)")
    if "exp" in claims and moment > _number(claims, "exp") + LEEWAY:
        raise TokenError("the token has expired (exp)")
    events = claims.get("events")
    if not isinstance(events, dict) or not isinstance(events.get(BACKCHANNEL_LOGOUT_EVENT), dict):
        raise TokenError("events does not hold the back-channel logout event")
    if "nonce" in claims:
        raise TokenError("a logout token must not carry a nonce")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti:
        raise TokenError("jti is missing")
    sid, sub = claims.get("sid"), claims.get("sub")
    sid = sid if isinstance(sid, str) and sid else None
    sub = sub if isinstance(sub, str) and sub else None
    if sid is None and sub is None:
        raise TokenError("neither sid nor sub is present")
    return LogoutRequest(issuer=issuer, jti=jti, sid=sid, sub=sub)


def _check_issuer_and_audience(claims: dict[str, Any], issuer: str, client_id: str) -> None:
    if claims.get("iss") != issuer:
        raise TokenError("iss is not the configured issuer")
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    if not audiences:
        raise TokenError("aud is missing")
    if client_id not in audiences:
        raise TokenError("aud does not name this portal")
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != client_id:
        raise TokenError("azp is not this portal")


def _number(claims: dict[str, Any], name: str) -> float:
    value = claims.get(name)
    if value is None:
        raise TokenError(f"{name} is missing")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TokenError(f"{name} is not a number")
    return float(value)


def _half_hash(value: str, alg: str) -> str:
    """The left half of the hash matching `alg`, base64url (at_hash, Core 3.1.3.6)."""
    digest = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}[alg[-3:]](value.encode()).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()
