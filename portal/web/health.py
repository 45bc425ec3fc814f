"""Health endpoints for the platform: `/healthz` (the process answers) and `/readyz` (its dependencies do), neither
looking at the session (`portal.auth.session.SESSIONLESS_PATHS`), so a sick Redis never makes them wait."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from flask import Blueprint, Flask, current_app
from flask.typing import ResponseReturnValue

from portal.auth import session as sessions
from portal.ops import redis_link
from portal.store import FhirClient
from portal.store.errors import StoreError

bp = Blueprint("health", __name__)

#: Seconds the checks of /readyz are reused.
READY_SECONDS = 5.0


class Readiness:
    """The checks of /readyz, asked at most once per `ttl` seconds (on `clock`), whoever asks and how often.

    Each check asks the dependency itself (the store's `GET /metadata` whatever its circuit breaker says, each
    identity provider's discovery document, Redis' PING). Anybody may call /readyz, so callers cannot multiply the
    load on the store and the providers.
    """

    def __init__(
        self,
        checks: dict[str, Callable[[], bool]],
        ttl: float = READY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.checks = checks
        self.ttl = ttl
        self.clock = clock
        self._lock = threading.Lock()
        self._last: tuple[float, dict[str, str]] | None = None

    def states(self) -> dict[str, str]:
        """Each dependency by name: "ok" or "unavailable"."""
        with self._lock:  # one caller asks; the others wait for its answer and share it
            now = self.clock()
            if self._last is not None and now - self._last[0] < self.ttl:
                return dict(self._last[1])
            states = {name: "ok" if check() else "unavailable" for name, check in self.checks.items()}
            self._last = (self.clock(), states)
            return dict(states)


def _store_check(client: FhirClient) -> Callable[[], bool]:
    def check() -> bool:
        try:
            client.ping(use_breaker=False)
        except StoreError:
            return False
        return True

    return check


def init_app(app: Flask) -> None:
    settings = app.extensions["portal.settings"]
    checks: dict[str, Callable[[], bool]] = {"store": _store_check(app.extensions["portal.store"])}
    for name, provider in app.extensions["portal.providers"].items():
        checks[f"{name}_identity_provider"] = provider.reachable
    if settings.redis_enabled:
        client = sessions.shared_redis(settings)
        checks["redis"] = lambda: redis_link.ping(client)
    app.extensions["portal.readiness"] = Readiness(checks)
    app.register_blueprint(bp)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    return {"status": "ok"}


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    """Each dependency by name and state only: no URL, no secret, no error text in the body."""
    readiness: Readiness = current_app.extensions["portal.readiness"]
    checks = readiness.states()
    ready = all(state == "ok" for state in checks.values())
    return {"status": "ok" if ready else "unavailable", "checks": checks}, 200 if ready else 503
