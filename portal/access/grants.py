"""Access step of the data path (between auth and store): the patients a signed-in person may see, in which capacity,
and which parts of each plan."""

from __future__ import annotations

import datetime as dt
import logging
from concurrent.futures import Executor
from dataclasses import dataclass, replace

from portal.access import identity, visibility
from portal.access.visibility import Viewer
from portal.ops import metrics
from portal.pps.model import CarePlan
from portal.pps.projection import project
from portal.store import FhirClient, StoreError, StoreUnavailable, ahead, pdsm
from portal.store.resources import DocumentEntry, PatientRecord, RelatedPersonLink

log = logging.getLogger("portal.access")

#: The parts of the plan a RelatedPerson may be limited to (codes of the shared-parts extension).
PLAN_PARTS = ("treatments", "calendar", "contacts", "support", "illness")
#: Pages everybody who may see the patient sees: the overview (built from the shared parts only) and the
#: glossary (no personal data).
ALWAYS_SHOWN = frozenset({"overview", "glossary"})
#: The key of the home store (where the patient provider's `sub` is linked to a Patient); other regional stores have
#: the keys of PORTAL_REGIONS.
HOME = "home"
#: RoleClass markers on RelatedPerson.relationship, strongest first.
MARKERS = (("GUARD", Viewer.REPRESENTATIVE), ("CAREGIVER", Viewer.CAREGIVER))


class AccessUnavailable(StoreUnavailable):
    """The store cannot confirm now whom this person may see: nobody's plan is shown (fail closed).

    Who may see whom is decided from the store's answers on each request (cached within the store client's TTL), so
    an ended link or team stops access without any action in the portal. Those answers never come from a last good
    copy: the page says access cannot be checked now rather than honour an older answer that may hold a revoked link.
    """


@dataclass(frozen=True)
class Grant:
    """One patient a person may see, and how: the visibility rule to apply, the parts shared with them
    (None: the whole plan) and the store resource that grants it (None for the patient themself)."""

    patient: PatientRecord
    viewer: Viewer
    shared_parts: frozenset[str] | None = None
    via: str | None = None
    #: The store that holds this patient's documents and that granted it (a grant never crosses stores).
    store: str = HOME

    @property
    def key(self) -> str:
        """What names this grant in a session and a form: the Patient id, prefixed by the store's key when it is not
        the home store's (ids are only unique within a store)."""
        return self.patient.id if self.store == HOME else f"{self.store}/{self.patient.id}"

    @property
    def limited(self) -> bool:
        """Whether the RelatedPerson limits what is shared (extension `SHARED_PARTS_EXTENSION`, see README): such a
        viewer gets a plan built from those parts only (`plan_for`), and never the original files, the versions or
        the documents page."""
        return self.shared_parts is not None

    def shows(self, page: str) -> bool:
        """Whether this page of the plan is for this viewer (history and documents hold the whole plan)."""
        if page in ALWAYS_SHOWN or self.shared_parts is None:
            return True
        return page in self.shared_parts


@dataclass(frozen=True)
class PatientView:
    """What the home page shows: the patient as the store knows them and the plans they may see."""

    patient: PatientRecord
    documents: tuple[DocumentEntry, ...]


def own_patient(client: FhirClient, subject_system: str, sub: str) -> PatientRecord | None:
    """The Patient the store links to this sign-in, or None when no care plan is linked yet."""
    return pdsm.find_patient(client, subject_system, sub)


def patient_view(client: FhirClient, patient: PatientRecord, viewer: Viewer = Viewer.PATIENT) -> PatientView:
    return PatientView(patient, visibility.visible(viewer, pdsm.pps_documents(client, patient.id)))


def hidden_count(client: FhirClient, patient: PatientRecord, viewer: Viewer) -> int:
    """How many of the patient's PPS versions and related documents this viewer does not see (entered in
    error excluded: those are nobody's)."""
    entries = [*pdsm.pps_documents(client, patient.id), *(r.entry for r in pdsm.related_documents(client, patient.id))]
    shown = [e for e in entries if e.status in visibility.SHOWN_STATUSES]
    return sum(1 for e in shown if not visibility.may_see(viewer, e))


# --- who may see whom ------------------------------------------------------------------------------------


def _capacity(link: RelatedPersonLink) -> Viewer | None:
    return next((viewer for code, viewer in MARKERS if code in link.markers), None)


def link_in_force(link: RelatedPersonLink, now: dt.datetime) -> bool:
    """A RelatedPerson grants access while active, within its period, for a patient, in a known capacity: legal
    representative (RoleClass GUARD) or caregiver (CAREGIVER). A link without one of these markers grants nothing."""
    return link.active and link.period.covers(now) and link.patient_id is not None and _capacity(link) is not None


def patient_side_grants(
    client: FhirClient, subject_system: str, sub: str, now: dt.datetime, *, pool: Executor
) -> tuple[Grant, ...]:
    """Everybody a person signed in at the patient provider may see: themself first (the Patient the store links
    to their `sub`), then each patient whose RelatedPerson carries that same `sub` and is in force (each once, in the
    store's order). The RelatedPerson search runs on `pool` beside the Patient search, so a page waits for one round
    trip, not two."""
    grants: list[Grant] = []
    cached = pdsm.related_people_answered(client, subject_system, sub)
    related = ahead.soon(pool, cached, pdsm.related_people, client, subject_system, sub)
    try:
        own = own_patient(client, subject_system, sub)
    except StoreUnavailable as exc:
        related.cancel()
        raise AccessUnavailable("the Patient search failed") from exc
    if own is not None:
        grants.append(Grant(own, Viewer.PATIENT))
    try:
        links = related.result()
    except StoreError as exc:
        if own is None:
            if isinstance(exc, StoreUnavailable):
                raise AccessUnavailable("the RelatedPerson search failed") from exc
            raise
        # Who helps whom is unknown for now: the patient still sees their own plan; nobody else's shows.
        log.warning("relatives could not be read, own plan only: %s", type(exc).__name__)
        links = []
    grants.extend(_related_grants(client, links, now, grants))
    return tuple(grants)


def _related_grants(
    client: FhirClient, links: list[RelatedPersonLink], now: dt.datetime, known: list[Grant]
) -> list[Grant]:
    """The patients these RelatedPerson links let the person see now (each once, in the store's order; a patient
    already in `known` is not repeated)."""
    grants: list[Grant] = []
    for link in links:
        if not link_in_force(link, now) or link.patient_id is None:
            continue
        if any(g.patient.id == link.patient_id for g in [*known, *grants]):
            continue  # their own file, or a second link to the same patient: the first one counts
        try:
            patient = pdsm.read_patient(client, link.patient_id)
        except StoreUnavailable as exc:
            raise AccessUnavailable("a related Patient could not be read") from exc
        capacity = _capacity(link)
        if patient is None or capacity is None:
            continue
        parts = None if link.shared_parts is None else frozenset(p for p in link.shared_parts if p in PLAN_PARTS)
        grants.append(Grant(patient, capacity, parts, f"RelatedPerson/{link.id}"))
    return grants


class RegionalAsk:
    """What another regional store grants a person signed in at the patient provider, asked before their home
    Patient is known, so that every store is asked at once: the patients whose RelatedPerson in that store carries
    their `sub`, and — when an earlier answer named it (`known`, from the INS search at sign-in) — their own
    Patient there, read by id. `answer` then adds what needs the home Patient: whether that Patient is still the
    same person, or (nothing known yet, or that Patient no longer is theirs) the search by the home Patient's INS.

    `known`: the id of their own Patient in this store, "" when the store held none, None when not known yet."""

    def __init__(
        self,
        client: FhirClient,
        store: str,
        subject_system: str,
        sub: str,
        known: str | None,
        *,
        pool: Executor,
    ) -> None:
        self.client, self.store, self.known = client, store, known
        # Asked on the pool, in the page's context (its store deadline), unless the cache answers at once.
        cached = pdsm.related_people_answered(client, subject_system, sub)
        self._links = ahead.soon(pool, cached, pdsm.related_people, client, subject_system, sub)
        self._patient = ahead.soon(pool, False, pdsm.read_patient, client, known) if known else None

    def cancel(self) -> None:
        self._links.cancel()
        if self._patient is not None:
            self._patient.cancel()

    def answer(self, home: PatientRecord | None, now: dt.datetime) -> RegionalAnswer:
        """This store's grants, each holding its key, and the id of the person's own Patient there ("" none;
        None when the home Patient has no INS to look for)."""
        try:
            own = self._own(home)
            links = self._links.result()
        except BaseException:
            self.cancel()
            raise
        grants = [Grant(own, Viewer.PATIENT, store=self.store)] if own is not None else []
        grants.extend(replace(g, store=self.store) for g in _related_grants(self.client, links, now, grants))
        own_id = None if home is None or home.ins is None else (own.id if own is not None else "")
        return RegionalAnswer(tuple(grants), own_id)

    def _own(self, home: PatientRecord | None) -> PatientRecord | None:
        if home is None or home.ins is None:
            return None
        if self._patient is not None:
            found = self._patient.result()
            if found is not None and identity.mismatch(home, found) is None:
                return found
            # Merged, deleted or changed since it was found: look for the person again.
        elif self.known == "":
            return None  # none there when last asked, this session
        return same_person(self.store, home, pdsm.patients_with_ins(self.client, home.ins))


@dataclass(frozen=True)
class RegionalAnswer:
    """What one other regional store granted (`RegionalAsk.answer`)."""

    grants: tuple[Grant, ...]
    #: The person's own Patient there ("" when none), to be read by id next time rather than searched by INS;
    #: None when there was no INS to search by.
    own_id: str | None


def same_person(store: str, home: PatientRecord, candidates: list[PatientRecord]) -> PatientRecord | None:
    """Of the Patients another store holds with the home Patient's INS, the one that is the same person: every
    identity trait agrees (`portal.access.identity`). A Patient with the same INS and other traits is never theirs:
    it is logged (pseudonymously: the trait, not the person) and counted, and nothing of it is shown. Two that both
    agree are two files for one person, which the platform must settle: neither is shown."""
    same: dict[str, PatientRecord] = {}
    for candidate in candidates:
        trait = identity.mismatch(home, candidate)
        if trait is None:
            same[candidate.id] = candidate
        else:
            log.warning("store %s: a Patient with the same INS differs on %s: kept apart", store, trait)
            metrics.identity_mismatch(store, trait)
    if len(same) > 1:
        log.warning("store %s: %d Patients match the same person: none is shown", store, len(same))
        metrics.identity_mismatch(store, "duplicate")
        return None
    return next(iter(same.values()), None)


def coordinator_grants(client: FhirClient, rpps: str, now: dt.datetime, *, store: str = HOME) -> tuple[Grant, ...]:
    """The patients a professional may preview (as the patient would see their plan): those of the CareTeams
    listing them — Practitioner or PractitionerRole with their RPPS number — while the team is active and both the
    team's and their participation's periods cover now. The RPPS number is national: each regional store is asked,
    and its teams grant its own patients (`store`)."""
    try:
        return tuple(replace(g, store=store) for g in _coordinator_grants(client, rpps, now))
    except AccessUnavailable:
        raise
    except StoreUnavailable as exc:
        raise AccessUnavailable("the care teams could not be read") from exc


def _coordinator_grants(client: FhirClient, rpps: str, now: dt.datetime) -> tuple[Grant, ...]:
    references = pdsm.professional_references(client, rpps)
    grants: list[Grant] = []
    for team in pdsm.care_teams_with(client, references):
        if team.status != "active" or not team.period.covers(now) or team.subject_id is None:
            continue
        if not any(m.reference in references and m.period.covers(now) for m in team.members):
            continue
        if any(g.patient.id == team.subject_id for g in grants):
            continue
        patient = pdsm.read_patient(client, team.subject_id)
        if patient is not None:
            grants.append(Grant(patient, Viewer.COORDINATOR_PREVIEW, None, f"CareTeam/{team.id}"))
    grants.sort(key=lambda g: (g.patient.family or g.patient.display_name).casefold())
    return tuple(grants)


# --- what of the plan --------------------------------------------------------------------------------------

#: What an item shows in the calendar: its name, when and where (not how, why, or who).
CALENDAR_ITEM_FIELDS = ("kind", "status", "type", "label", "id", "negated", "dates", "planned_dates", "places")

#: What each shared part shows, as paths into the care-plan model (portal.pps.projection). A limited viewer gets
#: these and nothing else: a field added to the model later stays hidden from them until it is listed here.
PART_PATHS: dict[str, tuple[str, ...]] = {
    "treatments": ("programme", "treatment_stop"),
    "support": ("support",),
    # The set id only names the plan in the calendar file's event identifiers, so that they stay stable.
    "calendar": (
        *(f"{items}.{name}" for items in ("programme", "support") for name in CALENDAR_ITEM_FIELDS),
        "metadata.set_id",
    ),
    "contacts": ("contacts", "trusted_persons", "emergency_contacts"),
    "illness": ("diagnoses", "discovery", "phase", "progression", "paediatrics", "patient_comment"),
}
#: What every limited viewer gets whatever is shared: the language the document is written in.
LIMITED_ALWAYS = ("metadata.language",)


def plan_for(grant: Grant, plan: CarePlan) -> CarePlan:
    """What of `plan` this grant shows: the whole plan, or only what its shared parts name (an allowlist).

    Status, reasons for updates, authors, referenced documents, the patient's identity in the document and
    anything else no part names are not in the result, so no page, fragment or file built from it can show them.
    """
    if grant.shared_parts is None:
        return plan
    paths = [path for part in sorted(grant.shared_parts) for path in PART_PATHS.get(part, ())]
    return project(plan, (*LIMITED_ALWAYS, *paths))
