"""Back-channel logout (OpenID Connect Back-Channel Logout 1.0), at the start of the data path like sign-in: a provider
tells the portal, server to server, that a person signed out there, and their sessions end here, in every worker."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

from cachetools import TTLCache

from portal.auth import session as sessions
from portal.auth.oidc import OidcProvider
from portal.auth.session import SessionStore
from portal.auth.tokens import LEEWAY, LOGOUT_TOKEN_MAX_AGE, TokenError, unverified_claims

if TYPE_CHECKING:
    from redis import Redis

    from portal.settings import Settings

#: A `jti` is remembered as long as a token carrying it could still be accepted.
REMEMBER_SECONDS = LOGOUT_TOKEN_MAX_AGE + 2 * LEEWAY


class ReplayGuard(Protocol):
    """Remembers the logout tokens already used."""

    def first_use(self, issuer: str, jti: str) -> bool:
        """True the first time this (issuer, jti) is seen, False ever after (within REMEMBER_SECONDS)."""
        ...


class MemoryReplayGuard:
    """In-process memory of seen `jti`s, bounded in size and time (one process)."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self._seen: TTLCache[tuple[str, str], bool] = TTLCache(maxsize=max_entries, ttl=REMEMBER_SECONDS)
        self._lock = threading.Lock()

    def first_use(self, issuer: str, jti: str) -> bool:
        with self._lock:
            if (issuer, jti) in self._seen:
                return False
            self._seen[(issuer, jti)] = True
            return True


class RedisReplayGuard:
    """Seen `jti`s in Redis: a token replayed to another worker is refused there too."""

    def __init__(self, client: Redis, prefix: str = "portal:logout-jti:") -> None:
        self._redis = client
        self._prefix = prefix

    def first_use(self, issuer: str, jti: str) -> bool:
        key = self._prefix + hashlib.sha256(f"{issuer}\0{jti}".encode()).hexdigest()
        return bool(self._redis.set(key, b"1", nx=True, ex=REMEMBER_SECONDS))


def make_replay_guard(settings: Settings) -> ReplayGuard:
    if settings.redis_enabled:
        return RedisReplayGuard(sessions.shared_redis(settings))
    return MemoryReplayGuard()


def end_sessions(logout_token: str, providers: Iterable[OidcProvider], store: SessionStore, guard: ReplayGuard) -> int:
    """Check the logout token and end the sessions it names; return how many ended, or raise TokenError.

    The token is checked as strictly as an ID token (`portal.auth.tokens`), then its `jti` must be new (a replayed
    token is refused); then the sessions holding that provider session (`oidc_sid`) or, failing a `sid`, that person
    (`oidc_sub`) are deleted from the shared store.
    """
    issuer = unverified_claims(logout_token).get("iss")
    provider = next((p for p in providers if p.config.issuer == issuer), None)
    if provider is None:
        raise TokenError("iss names no provider this portal trusts")
    asked = provider.verify_logout_token(logout_token)
    # Only after every check: a forged token must not fill the memory of seen jtis.
    if not guard.first_use(asked.issuer, asked.jti):
        raise TokenError("jti already used (replayed logout token)")
    if asked.sid is not None:
        return store.delete_where("oidc_sid", asked.sid)
    assert asked.sub is not None  # check_logout_token guarantees sid or sub
    return store.delete_where("oidc_sub", asked.sub)
