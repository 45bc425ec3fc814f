"""Loading a care plan: from a visible store entry to the parsed model (store → pps), cached per version."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from portal.plans.kept import KeptPlans
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
    bytes (`portal.plans.kept`): many packed, the most recent ready to use.
    """

    def __init__(self, client: FhirClient, *, max_bytes: int, cache_bytes: int = PLAN_CACHE_BYTES) -> None:
        self.client = client
        self.max_bytes = max_bytes
        self.kept = KeptPlans(cache_bytes)

    def clear(self) -> None:
        """Forget every parsed plan (the benchmarks' cold start)."""
        self.kept.clear()

    def load(self, entry: DocumentEntry, patient: PatientRecord) -> LoadedPlan:
        """Read one version of `patient`'s plan; raises StoreError (fetch, integrity, a document about someone
        else) or DocumentRefused (not a readable PPS)."""
        key = (entry.id, _version_key(entry))
        plan = self.kept.get(key)
        if plan is None:
            content = pdsm.fetch_binary(self.client, entry, self.max_bytes)
            plan = read_pps(content.data, max_bytes=self.max_bytes)
            self.kept.put(key, plan)
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
