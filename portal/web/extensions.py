"""The app's shared parts, typed, for code running in a request (or an app context): its settings, the regional
stores (each with its client, plan loader and access trail; the home store's are the defaults), the thread pool, the
processes that make PDFs, as `portal.create_app` puts them in `app.extensions`; and `close`, which ends the app's
background work."""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from flask import Flask, current_app

from portal.store import StoreError

if TYPE_CHECKING:
    from portal.access.trail import AuditTrail
    from portal.exports.pdf_pool import PdfPool
    from portal.plans.loader import PlanLoader
    from portal.settings import Settings
    from portal.store import FhirClient

__all__ = [
    "HOME",
    "POOL_WORKERS",
    "Region",
    "ask_each",
    "close",
    "make_pool",
    "pdf_pool",
    "plans",
    "pool",
    "region",
    "regions",
    "settings",
    "store",
    "trail",
]

#: The home store's key (portal.access.grants.HOME).
HOME = "home"

#: Store requests that need not wait for each other (a few per page and per store) share this many threads per app
#: and per store.
POOL_WORKERS = 8


def settings() -> Settings:
    value: Settings = current_app.extensions["portal.settings"]
    return value


@dataclass(frozen=True)
class Region:
    """One regional store and what the portal keeps for it: its public names, client, plan loader, access trail."""

    key: str
    label_fr: str | None
    label_en: str | None
    client: FhirClient
    plans: PlanLoader
    trail: AuditTrail

    def label(self, lang: str) -> str | None:
        return self.label_en if lang == "en" else self.label_fr


def regions() -> dict[str, Region]:
    """Every store by key, the home store first."""
    found: dict[str, Region] = current_app.extensions["portal.regions"]
    return found


def region(key: str = HOME) -> Region:
    return regions()[key]


def store(key: str = HOME) -> FhirClient:
    """The client of a store (the home store's by default): a grant names the store of its patient."""
    if key == HOME:  # read where tests may replace it
        client: FhirClient = current_app.extensions["portal.store"]
        return client
    return region(key).client


def plans(key: str = HOME) -> PlanLoader:
    if key == HOME:
        loader: PlanLoader = current_app.extensions["portal.plans"]
        return loader
    return region(key).plans


def pool() -> Executor:
    """The app's threads for store requests that run beside the page's own (prefetches, parallel searches)."""
    executor: Executor = current_app.extensions["portal.pool"]
    return executor


T = TypeVar("T")
R = TypeVar("R")


def ask_each(ask: Callable[[T], R], items: Sequence[T], failed: R) -> list[R]:
    """`ask(item)` for every item at once on the app's threads (each in a copy of this request's context), in the
    order of `items`; `failed` for an item whose store failed."""
    threads = pool()
    futures = [threads.submit(contextvars.copy_context().run, ask, item) for item in items]
    found: list[R] = []
    for future in futures:
        try:
            found.append(future.result())
        except StoreError:
            found.append(failed)
    return found


def pdf_pool() -> PdfPool:
    """The processes that make this worker's PDFs (started on its first PDF), and the PDFs made, cached."""
    made: PdfPool = current_app.extensions["portal.pdf_pool"]
    return made


def trail(key: str = HOME) -> AuditTrail:
    """The access trail of a store: the record of a view goes to the store that holds the document viewed."""
    if key == HOME:
        value: AuditTrail = current_app.extensions["portal.access.trail"]
        return value
    return region(key).trail


def make_pool(stores: int = 1) -> Executor:
    """The threads for store requests of an app reading `stores` stores (a page asks each of them at once)."""
    return ThreadPoolExecutor(max_workers=POOL_WORKERS * max(1, stores), thread_name_prefix="portal-store")


def close(app: Flask) -> None:
    """End the app's background work: its thread pool (waiting for what runs), the processes that make its PDFs
    (each after the PDF it is making) and its access trail's thread."""
    executor: Executor | None = app.extensions.get("portal.pool")
    if executor is not None:
        executor.shutdown(wait=True, cancel_futures=True)
    pdfs: PdfPool | None = app.extensions.get("portal.pdf_pool")
    if pdfs is not None:
        pdfs.close()
    known: dict[str, Region] = app.extensions.get("portal.regions", {})
    trails: list[AuditTrail | None] = [r.trail for r in known.values()] or [app.extensions.get("portal.access.trail")]
    for audit in trails:
        if audit is not None:
            audit.stop()
