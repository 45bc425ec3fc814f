"""Health endpoints for the platform: `/healthz` (the process answers) and `/readyz` (its dependencies do)."""

from __future__ import annotations

from flask import Blueprint, current_app
from flask.typing import ResponseReturnValue

from portal.store import FhirClient
from portal.store.errors import StoreError

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    return {"status": "ok"}


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    """Each dependency by name and state only: no URL, no secret, no error text in the body."""
    checks: dict[str, str] = {}
    client: FhirClient = current_app.extensions["portal.store"]
    try:
        client.ping()
        checks["store"] = "ok"
    except StoreError:
        checks["store"] = "unavailable"
    for name, provider in current_app.extensions["portal.providers"].items():
        checks[f"{name}_identity_provider"] = "ok" if provider.reachable() else "unavailable"
    ready = all(state == "ok" for state in checks.values())
    return {"status": "ok" if ready else "unavailable", "checks": checks}, 200 if ready else 503
