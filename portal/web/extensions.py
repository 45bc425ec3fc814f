"""The app's shared parts, typed, for code running in a request (or an app context): its settings, store client,
plan loader, thread pool and access trail, as `portal.create_app` puts them in `app.extensions`; and `close`, which
ends the app's background work."""

from __future__ import annotations

from concurrent.futures import Executor, ThreadPoolExecutor
from typing import TYPE_CHECKING

from flask import Flask, current_app

if TYPE_CHECKING:
    from portal.access.trail import AuditTrail
    from portal.plans.loader import PlanLoader
    from portal.settings import Settings
    from portal.store import FhirClient

__all__ = ["POOL_WORKERS", "close", "make_pool", "plans", "pool", "settings", "store", "trail"]

#: Store requests that need not wait for each other (a few per page at most) share this many threads per app.
POOL_WORKERS = 8


def settings() -> Settings:
    value: Settings = current_app.extensions["portal.settings"]
    return value


def store() -> FhirClient:
    client: FhirClient = current_app.extensions["portal.store"]
    return client


def plans() -> PlanLoader:
    loader: PlanLoader = current_app.extensions["portal.plans"]
    return loader


def pool() -> Executor:
    """The app's threads for store requests that run beside the page's own (prefetches, parallel searches)."""
    executor: Executor = current_app.extensions["portal.pool"]
    return executor


def trail() -> AuditTrail:
    value: AuditTrail = current_app.extensions["portal.access.trail"]
    return value


def make_pool() -> Executor:
    return ThreadPoolExecutor(max_workers=POOL_WORKERS, thread_name_prefix="portal-store")


def close(app: Flask) -> None:
    """End the app's background work: its thread pool (waiting for what runs) and its access trail's thread."""
    executor: Executor | None = app.extensions.get("portal.pool")
    if executor is not None:
        executor.shutdown(wait=True, cancel_futures=True)
    audit: AuditTrail | None = app.extensions.get("portal.access.trail")
    if audit is not None:
        audit.stop()
