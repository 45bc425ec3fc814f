"""Loading a care plan: from a visible store entry to the parsed model (store → pps), cached per version."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import logging
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from cachetools import LRUCache

from portal.plans.versions import VersionChain, VersionInput, build_chain, latest_entry
from portal.pps import read_pps
from portal.pps.errors import PpsError
from portal.pps.model import CarePlan
from portal.store import FhirClient, StoreError, StoreIntegrityError, pdsm
from portal.store.resources import DocumentEntry, PatientRecord

#: The default bound of the parsed plans kept per process (`PORTAL_PLAN_CACHE_BYTES`).
PLAN_CACHE_BYTES = 16 * 1024**2

log = logging.getLogger("portal.plans")


@dataclass(frozen=True)
class ReadVersions:
    """Every version of a plan the viewer may see, chained, and those that could be read, by store id."""

    chain: VersionChain
    plans: dict[str, CarePlan]


@dataclass(frozen=True)
class LoadedPlan:
    """One version of a care plan: the store's entry (status, dates, labels) and the document's content."""

    entry: DocumentEntry
    plan: CarePlan


class PlanLoader:
    """Fetches and reads PPS documents, keeping recently read versions in a bounded cache.

    A PPS version never changes once issued, so its parsed model is kept by what identifies its bytes (the document
    id and the SHA-1 the store announces, or the id and date when the store gives no hash). The cache holds models,
    never people: who may see a plan is decided before the loader is called (`portal.access`). It is bounded in
    bytes, each model measured once, when it is read.
    """

    def __init__(self, client: FhirClient, *, max_bytes: int, cache_bytes: int = PLAN_CACHE_BYTES) -> None:
        self.client = client
        self.max_bytes = max_bytes
        self._cache: LRUCache[tuple[str, str], _Measured] = LRUCache(maxsize=cache_bytes, getsizeof=_Measured.size)
        self._lock = threading.Lock()

    def load(self, entry: DocumentEntry, patient: PatientRecord) -> LoadedPlan:
        """Read one version of `patient`'s plan; raises StoreError (fetch, integrity, a document about someone
        else) or DocumentRefused (not a readable PPS)."""
        key = (entry.id, _version_key(entry))
        with self._lock:
            kept = self._cache.get(key)
        if kept is not None:
            plan = kept.plan
        else:
            content = pdsm.fetch_binary(self.client, entry, self.max_bytes)
            plan = read_pps(content.data, max_bytes=self.max_bytes)
            measured = _Measured(plan, deep_size(plan))
            if measured.bytes <= self._cache.maxsize:
                with self._lock:
                    self._cache[key] = measured
        # Checked on every use, cached or not: the entry says whose it is, only the content can prove it.
        _check_same_patient(plan, patient)
        return LoadedPlan(entry, plan)

    def versions(self, entries: Sequence[DocumentEntry], patient: PatientRecord) -> ReadVersions:
        """Every version in `entries` read and chained; one that cannot be read is listed as not available, and
        never hides the others."""
        inputs: list[VersionInput] = []
        plans: dict[str, CarePlan] = {}
        for entry in entries:
            try:
                read = self.load(entry, patient).plan
            except (StoreError, PpsError) as exc:
                log.warning("a version could not be read (%s)", type(exc).__name__)
                inputs.append(VersionInput(entry))
                continue
            plans[entry.id] = read
            inputs.append(VersionInput(entry, read.metadata))
        return ReadVersions(build_chain(inputs), plans)

    def current(self, entries: tuple[DocumentEntry, ...], patient: PatientRecord) -> LoadedPlan | None:
        """The viewer's latest version, read; None when there is none.

        Among the entries the viewer may see: the newest `current` one, else the newest one (when the store's
        current version is hidden from this viewer, the one before it is their latest, and nothing hints
        that another exists)."""
        latest = latest_entry(entries)
        return self.load(latest, patient) if latest is not None else None


@dataclass(frozen=True)
class _Measured:
    plan: CarePlan
    bytes: int

    def size(self) -> int:
        return self.bytes


#: Values that hold no other object (counted by their own size only).
_LEAVES = (str, bytes, int, float, enum.Enum, dt.date, dt.time, dt.timedelta)
#: The field names of each dataclass met (None: not a dataclass), so that a tree is walked without asking
#: `dataclasses.fields` for every node.
_FIELDS: dict[type, tuple[str, ...] | None] = {}


def deep_size(root: object) -> int:
    """The memory a tree of dataclasses, tuples, lists, dicts and scalars holds (each object counted once)."""
    seen: set[int] = set()
    stack = [root]
    total = 0
    size = sys.getsizeof
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        total += size(item)
        if item is None or isinstance(item, _LEAVES):
            continue
        kind = type(item)
        names = _FIELDS.get(kind, ())
        if names == ():
            names = _FIELDS[kind] = (
                tuple(f.name for f in dataclasses.fields(item)) if dataclasses.is_dataclass(item) else None
            )
        if names is not None:
            stack.extend(getattr(item, name) for name in names)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)
    return total


def _check_same_patient(plan: CarePlan, patient: PatientRecord) -> None:
    """Refuse a document whose INS differs from the store's Patient (a mix-up must never show someone else's
    plan). Only a comparison of two known INS values can refuse: a PDF-only plan or a Patient without INS in
    the store cannot be checked this way."""
    document_ins = plan.patient.ins.extension if plan.patient.ins else None
    if patient.ins is not None and document_ins and document_ins != patient.ins.value:
        raise StoreIntegrityError("read Binary: the document names another patient than the DocumentReference")


def _version_key(entry: DocumentEntry) -> str:
    hashes = [a.sha1 for a in entry.attachments if a.sha1]
    if hashes:
        return "sha1:" + ",".join(hashes)
    return "date:" + (entry.date.isoformat() if entry.date else "")
