"""Loading a care plan: from a visible store entry to the parsed model (store → pps), cached per version.

A PPS version never changes once issued, so its parsed model is cached by what identifies its bytes (the
document id and the SHA-1 the store announces, or the id and date when the store gives no hash). The cache
holds models, never people: who may see a plan is decided before this module is called (portal.access).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from cachetools import LRUCache

from portal.pps import read_pps
from portal.pps.model import CarePlan
from portal.pps.versions import latest_entry
from portal.store import FhirClient, pdsm
from portal.store.resources import DocumentEntry

PLAN_CACHE_SIZE = 256


@dataclass(frozen=True)
class LoadedPlan:
    """One version of a care plan: the store's entry (status, dates, labels) and the document's content."""

    entry: DocumentEntry
    plan: CarePlan


class PlanLoader:
    """Fetches and reads PPS documents, keeping recently read versions in a bounded cache."""

    def __init__(self, client: FhirClient, *, max_bytes: int, cache_size: int = PLAN_CACHE_SIZE) -> None:
        self.client = client
        self.max_bytes = max_bytes
        self._cache: LRUCache[tuple[str, str], CarePlan] = LRUCache(maxsize=cache_size)
        self._lock = threading.Lock()

    def load(self, entry: DocumentEntry) -> LoadedPlan:
        """Read one version; raises StoreError (fetch, integrity) or DocumentRefused (not a readable PPS)."""
        key = (entry.id, _version_key(entry))
        with self._lock:
            plan = self._cache.get(key)
        if plan is None:
            content = pdsm.fetch_binary(self.client, entry, self.max_bytes)
            plan = read_pps(content.data, max_bytes=self.max_bytes)
            with self._lock:
                self._cache[key] = plan
        return LoadedPlan(entry, plan)

    def current(self, entries: tuple[DocumentEntry, ...]) -> LoadedPlan | None:
        """The viewer's latest version, read; None when there is none.

        Among the entries the viewer may see: the newest `current` one, else the newest one (when the store's
        current version is hidden from this viewer, the one before it is their latest, and nothing hints
        that another exists)."""
        latest = latest_entry(entries)
        return self.load(latest) if latest is not None else None


def _version_key(entry: DocumentEntry) -> str:
    hashes = [a.sha1 for a in entry.attachments if a.sha1]
    if hashes:
        return "sha1:" + ",".join(hashes)
    return "date:" + (entry.date.isoformat() if entry.date else "")
