"""Rate limits on the doors of sign-in (`/login` and the callbacks), at the web edge of the data path."""

from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from portal.auth import session as sessions
from portal.settings import Settings

#: Endpoints limited, each with its own counter per address (the professional ones when they exist).
SIGN_IN_ENDPOINTS = frozenset({"auth.login", "auth.callback", "pro.login", "pro.callback"})


def init_app(app: Flask) -> Limiter:
    """Each of these requests costs a round trip to an identity provider, so a flood of them from one address is
    cut short with a 429 page (`PORTAL_RATE_LIMIT_SIGN_IN`). Counters live in memory (one process) or in the shared
    Redis, counted by every worker; while that Redis does not answer, each process counts in its own memory (one
    warning line), and goes back to Redis once it answers again."""
    settings: Settings = app.extensions["portal.settings"]
    options: dict[str, object] = {}
    if settings.redis_enabled:
        # The same connection pool as the sessions: one Redis client per process (Sentinel's included).
        options["connection_pool"] = sessions.shared_redis(settings).connection_pool
    # Default limits count per route, so /login and /auth/callback each have their own counter per address.
    limiter = Limiter(
        get_remote_address,
        default_limits=[settings.rate_limit_sign_in],
        storage_uri="redis://" if settings.redis_enabled else "memory://",
        storage_options=options,  # type: ignore[arg-type]  # limits' RedisStorage takes a connection_pool
        headers_enabled=True,  # Retry-After on the 429
        # A Redis that does not answer: the limits go on in memory, never a failed sign-in.
        in_memory_fallback_enabled=True,
        swallow_errors=True,
    )

    @limiter.request_filter
    def not_sign_in() -> bool:
        return request.endpoint not in SIGN_IN_ENDPOINTS

    limiter.init_app(app)
    app.extensions["portal.limiter"] = limiter
    return limiter
