"""Rate limits on the doors of sign-in (`/login` and the callbacks), at the web edge of the data path.

Each of these requests costs a round trip to an identity provider, so a flood of them from one address is cut
short with a 429 page (`PORTAL_RATE_LIMIT_SIGN_IN`). Counters live in memory (one process) or in the Redis of
`PORTAL_REDIS_URL`, shared by every worker.
"""

from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from portal.auth import session as sessions
from portal.settings import Settings

#: Endpoints limited, each with its own counter per address (the professional ones when they exist).
SIGN_IN_ENDPOINTS = frozenset({"auth.login", "auth.callback", "pro.login", "pro.callback"})


def init_app(app: Flask) -> Limiter:
    settings: Settings = app.extensions["portal.settings"]
    options: dict[str, object] = {}
    if settings.redis_url:
        # The same connection pool as the sessions: one Redis client per process.
        options["connection_pool"] = sessions.redis_client(settings.redis_url).connection_pool
    # Default limits count per route, so /login and /auth/callback each have their own counter per address.
    limiter = Limiter(
        get_remote_address,
        default_limits=[settings.rate_limit_sign_in],
        storage_uri=settings.redis_url or "memory://",
        storage_options=options,  # type: ignore[arg-type]  # limits' RedisStorage takes a connection_pool
        headers_enabled=True,  # Retry-After on the 429
    )

    @limiter.request_filter
    def not_sign_in() -> bool:
        return request.endpoint not in SIGN_IN_ENDPOINTS

    limiter.init_app(app)
    app.extensions["portal.limiter"] = limiter
    return limiter
