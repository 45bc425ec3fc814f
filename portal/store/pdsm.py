"""The PDSm queries of the portal, as an IHE MHD document consumer (store step of the data path): one function per need
of the pages, answering typed values from `portal.store.resources` that are checked again here."""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from portal.store.client import BinaryContent, FhirClient
from portal.store.errors import StoreDocumentTooLarge, StoreIntegrityError, StoreInvalidResponse, StoreNotFound
from portal.store.resources import (
    FHIR_ID,
    FORMAT_PPS_CANCER,
    LOINC,
    LOINC_PPS,
    AccessEntry,
    Attachment,
    CareTeamRecord,
    DocumentEntry,
    Identifier,
    PatientRecord,
    RelatedPersonLink,
    access_entry_from_fhir,
    care_team_from_fhir,
    document_from_fhir,
    identifiers,
    is_pps_format,
    obj_list,
    opt_obj,
    opt_str,
    patient_from_fhir,
    reference_id,
    related_person_from_fhir,
    req_str,
)

logger = logging.getLogger("portal.store")

PPS_STATUSES = frozenset({"current", "superseded"})
_GENERIC_MEDIA_TYPES = ("", "application/octet-stream")


def escape_search_value(value: str) -> str:
    """FHIR search escaping: `\\`, `,`, `$` and `|` are syntax in a token value (a `,` would turn one
    identifier into an OR of two, i.e. possibly somebody else)."""
    return re.sub(r"([\\,$|])", r"\\\1", value)


def find_patient(client: FhirClient, subject_system: str, sub: str) -> PatientRecord | None:
    """The Patient linked to a signed-in person (`Patient?identifier={system}|{sub}`), or None.

    Only a Patient that carries exactly this identifier counts; two of them → StoreInvalidResponse,
    because an ambiguous link must not show anybody's data.
    """
    if not subject_system or not sub:
        raise ValueError("find_patient needs a system and a subject")
    token = f"{escape_search_value(subject_system)}|{escape_search_value(sub)}"
    wanted = Identifier(sub, subject_system)

    def read(resources: list[dict[str, Any]]) -> PatientRecord | None:
        linked = [r for r in resources if wanted in identifiers(r, "Patient")]
        if len(linked) < len(resources):
            # e.g. a case-insensitive token match on another person's subject: never theirs to see.
            logger.warning(
                "store search Patient returned %d resource(s) without the identifier",
                len(resources) - len(linked),
            )
        if len(linked) > 1:
            raise StoreInvalidResponse("search Patient: the identifier is linked to more than one Patient")
        return patient_from_fhir(linked[0]) if linked else None

    return client.search_records("Patient", {"identifier": token}, read, name="find_patient", last_good=False)


def patients_with_ins(client: FhirClient, ins: Identifier) -> list[PatientRecord]:
    """The Patients of this store that carry this INS (another region's store: the portal's `sub` means nothing
    there). Never from a last good copy. Whether one of them is the same person is the access step's decision
    (`portal.access.identity`): an INS alone is not proof."""
    if not ins.system or not ins.value:
        raise ValueError("an INS needs a system and a value")
    token = f"{escape_search_value(ins.system)}|{escape_search_value(ins.value)}"
    resources = client.search("Patient", {"identifier": token}, last_good=False)
    found = [patient_from_fhir(r) for r in resources]
    return [p for p in found if p.ins == ins]


def pps_documents(
    client: FhirClient, patient_id: str, *, statuses: Sequence[str] = ("current", "superseded")
) -> list[DocumentEntry]:
    """The patient's cancer PPS DocumentReferences, newest first.

    Kept: type LOINC 18776-5 with the cancer-PPS format code (system TRE_A06, with or without `urn:oid:`),
    or with no format at all (`format_known=False`: the CDA template id will tell). Never kept:
    `entered-in-error`, other care plans sharing the LOINC code. Visibility labels are carried, not
    applied: that is the access step's job.
    """

    def read(resources: list[dict[str, Any]]) -> tuple[DocumentEntry, ...]:
        for resource in resources:
            _check_subject(resource, patient_id)
        entries = _cancer_pps(resources, statuses)
        # The store sorted already; sorting again keeps the order right whatever `_sort` support it has.
        entries.sort(key=lambda e: (e.date is not None, e.date.timestamp() if e.date else 0.0), reverse=True)
        return tuple(entries)

    params = _pps_search(patient_id, statuses)
    return list(client.search_records("DocumentReference", params, read, name="pps_documents"))


def _pps_search(patient_id: str, statuses: Sequence[str]) -> list[tuple[str, str]]:
    if not statuses or not set(statuses) <= PPS_STATUSES:
        raise ValueError("statuses must be among current, superseded")
    if not FHIR_ID.fullmatch(patient_id):
        raise ValueError("not a FHIR id")
    return [
        ("patient", f"Patient/{patient_id}"),
        ("status", ",".join(statuses)),
        ("type", f"{LOINC}|{LOINC_PPS}"),
        ("_sort", "-date"),
    ]


def pps_documents_answered(client: FhirClient, patient_id: str) -> bool:
    """Whether `pps_documents(client, patient_id)` would be answered from the cache now."""
    return FHIR_ID.fullmatch(patient_id) is not None and client.has_answer(
        "DocumentReference", _pps_search(patient_id, ("current", "superseded"))
    )


def _cancer_pps(resources: list[dict[str, object]], statuses: Sequence[str]) -> list[DocumentEntry]:
    """The cancer PPS among DocumentReferences (see `pps_documents`)."""
    entries: list[DocumentEntry] = []
    for resource in resources:
        entry = document_from_fhir(resource)
        if entry.status not in statuses or entry.type_code != LOINC_PPS:
            continue
        contents = obj_list(resource, "content", "DocumentReference")
        flags = [is_pps_format(c, "DocumentReference.content") for c in contents]
        if any(flags) or not entry.format_known:
            entries.append(entry)
    return entries


def _dated_between(start: datetime, end: datetime) -> list[tuple[str, str]]:
    """The search parameters of everything dated from `start` (inclusive) to `end` (exclusive), oldest first, to
    the second: the bounds widen to whole seconds (a record made in the same second as `end` is found) and the
    caller keeps what lies between the exact bounds."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("a search bound needs a time zone")
    if end.microsecond:
        end = end.replace(microsecond=0) + timedelta(seconds=1)
    return [
        ("date", f"ge{start.replace(microsecond=0).isoformat()}"),
        ("date", f"lt{end.isoformat()}"),
        ("_sort", "date"),
        ("_count", str(SEARCH_PAGE_SIZE)),
    ]


def pps_published_between(client: FhirClient, start: datetime, end: datetime) -> list[DocumentEntry]:
    """Every patient's cancer PPS versions dated from `start` (inclusive) to `end` (exclusive), oldest first: the
    versions a platform published in a period (`portal indicators`). Read fresh, never from a last good copy."""
    resources = client.search(
        "DocumentReference",
        [
            ("type", f"{LOINC}|{LOINC_PPS}"),
            ("status", ",".join(sorted(PPS_STATUSES))),
            *_dated_between(start, end),
        ],
        fresh=True,
        last_good=False,
    )
    entries = [e for e in _cancer_pps(resources, tuple(PPS_STATUSES)) if e.date is not None and start <= e.date < end]
    entries.sort(key=lambda e: e.date.timestamp() if e.date else 0.0)
    return entries


def current_pps(client: FhirClient, patient_id: str) -> list[DocumentEntry]:
    """The patient's current cancer PPS (normally one), newest first."""
    return pps_documents(client, patient_id, statuses=("current",))


def fetch_binary(client: FhirClient, target: DocumentEntry | Attachment, max_bytes: int) -> BinaryContent:
    """The file of a document (its PPS attachment, else its first one with a URL), checked against the
    announced `attachment.size` and SHA-1 `attachment.hash` (StoreIntegrityError on mismatch)."""
    attachment = _pick_attachment(target) if isinstance(target, DocumentEntry) else target
    if attachment.url is None:
        raise StoreInvalidResponse("DocumentReference.content.attachment.url: missing")
    if attachment.size is not None and attachment.size > max_bytes:
        raise StoreDocumentTooLarge(f"read Binary: announced larger than {max_bytes} bytes")
    content = client.binary(attachment.url, max_bytes)
    if attachment.size is not None and len(content.data) != attachment.size:
        raise StoreIntegrityError("read Binary: size differs from attachment.size", status=200)
    if attachment.sha1 is not None:
        expected = base64.b64decode(attachment.sha1)
        # SHA-1 because that is what FHIR R4 announces; it detects corruption, not forgery.
        if hashlib.sha1(content.data, usedforsecurity=False).digest() != expected:
            raise StoreIntegrityError("read Binary: SHA-1 differs from attachment.hash", status=200)
    media_type = content.content_type
    if media_type.split(";", 1)[0].strip().lower() in _GENERIC_MEDIA_TYPES and attachment.content_type:
        media_type = attachment.content_type
    return BinaryContent(media_type, content.data)


def _pick_attachment(entry: DocumentEntry) -> Attachment:
    with_url = [a for a in entry.attachments if a.url]
    for attachment in with_url:
        if attachment.format_code == FORMAT_PPS_CANCER:
            return attachment
    if not with_url:
        raise StoreInvalidResponse("DocumentReference.content.attachment.url: missing")
    return with_url[0]


def _check_subject(resource: dict[str, object], patient_id: str) -> None:
    """Whatever the store's search parameters did: a store that ignored `patient=` must never put another person's
    document on a page."""
    subject = opt_obj(resource, "subject", "DocumentReference")
    reference = opt_str(subject, "reference", "DocumentReference.subject") if subject else None
    if reference is None or reference_id(reference, "Patient") != patient_id:
        raise StoreInvalidResponse("search DocumentReference: a document of another subject was returned")


# --- related documents (RCP reports and other documents the PPS versions point to) ----------------------

LOINC_RCP_REPORT = "34794-8"
#: How many `context.related` documents outside the RCP search we read one by one, at most, per patient.
MAX_RELATED_READS = 10


@dataclass(frozen=True)
class RelatedDocument:
    """A document related to the patient's PPS (RCP report, genetics report…) and the PPS versions that
    name it in `context.related` (ids of their DocumentReferences; empty when none does)."""

    entry: DocumentEntry
    referenced_by: tuple[str, ...]


def related_documents(client: FhirClient, patient_id: str) -> list[RelatedDocument]:
    """The patient's RCP reports (`type` LOINC 34794-8) and the other documents their PPS versions reference.

    The PPS search is the very request `pps_documents` makes, so after it this one is answered by the cache.
    Every document is checked to be the patient's; visibility labels are carried, not applied.
    """
    if not FHIR_ID.fullmatch(patient_id):
        raise ValueError("not a FHIR id")
    pps = client.search(
        "DocumentReference",
        [
            ("patient", f"Patient/{patient_id}"),
            ("status", "current,superseded"),
            ("type", f"{LOINC}|{LOINC_PPS}"),
            ("_sort", "-date"),
        ],
    )
    referenced: dict[str, list[str]] = {}
    for resource in pps:
        _check_subject(resource, patient_id)
        pps_id = str(resource.get("id"))
        for target in _context_related(resource):
            referenced.setdefault(target, []).append(pps_id)
    reports = client.search(
        "DocumentReference",
        [
            ("patient", f"Patient/{patient_id}"),
            ("type", f"{LOINC}|{LOINC_RCP_REPORT}"),
            ("_sort", "-date"),
        ],
    )
    found: dict[str, DocumentEntry] = {}
    for resource in reports:
        _check_subject(resource, patient_id)
        entry = document_from_fhir(resource)
        found[entry.id] = entry
    pps_ids = {str(r.get("id")) for r in pps}
    missing = [i for i in referenced if i not in found and i not in pps_ids]
    for target in missing[:MAX_RELATED_READS]:
        try:
            resource = client.read("DocumentReference", target)
        except StoreNotFound:
            continue  # a dangling reference: nothing to show
        _check_subject(resource, patient_id)
        found[target] = document_from_fhir(resource)
    related = [RelatedDocument(entry, tuple(referenced.get(entry.id, ()))) for entry in found.values()]
    related.sort(key=lambda r: r.entry.date.timestamp() if r.entry.date else 0.0, reverse=True)
    return related


def _context_related(resource: dict[str, object]) -> list[str]:
    context = opt_obj(resource, "context", "DocumentReference")
    if context is None:
        return []
    targets = []
    for related in obj_list(context, "related", "DocumentReference.context"):
        reference = opt_str(related, "reference", "DocumentReference.context.related")
        target = reference_id(reference, "DocumentReference") if reference else None
        if target and FHIR_ID.fullmatch(target):
            targets.append(target)
    return targets


# --- the people around a patient: relatives, care teams, and the access log -----------------------------
# The searches that decide who may see whom (`find_patient` above, `read_patient`, `related_people`,
# `professional_references`, `care_teams_with`) fail closed (`last_good=False`): answered from the cache within its
# short TTL, never from a last good copy while the store fails, so that a link the store has revoked is never
# honoured from an older copy (the page then says access cannot be checked now).

RPPS_SYSTEM = "urn:oid:1.2.250.1.71.4.2.1"
ROLE_SYSTEM_AUDIT = "urn:pps-portal:viewer-kind"
MAX_ACCESS_ENTRIES = 200


def read_patient(client: FhirClient, patient_id: str) -> PatientRecord | None:
    """The Patient with this id, or None when there is none (a malformed id included)."""
    try:
        return patient_from_fhir(client.read("Patient", patient_id, last_good=False))
    except StoreNotFound:
        return None


def _related_search(subject_system: str, sub: str) -> dict[str, str]:
    if not subject_system or not sub:
        raise ValueError("related_people needs a system and a subject")
    return {"identifier": f"{escape_search_value(subject_system)}|{escape_search_value(sub)}"}


def related_people_answered(client: FhirClient, subject_system: str, sub: str) -> bool:
    """Whether `related_people(client, subject_system, sub)` would be answered from the cache now."""
    return client.has_answer("RelatedPerson", _related_search(subject_system, sub))


def related_people(client: FhirClient, subject_system: str, sub: str) -> list[RelatedPersonLink]:
    """The RelatedPerson resources that carry this sign-in (`RelatedPerson?identifier={system}|{sub}`).

    Only those carrying exactly the identifier are kept (a store matching tokens loosely must not make
    somebody another person's relative). Whether each link is in force is the access step's decision.
    """
    wanted = Identifier(sub, subject_system)

    def read(found: list[dict[str, Any]]) -> tuple[RelatedPersonLink, ...]:
        links = [related_person_from_fhir(r) for r in found]
        return tuple(link for link in links if wanted in link.identifiers)

    params = _related_search(subject_system, sub)
    return list(client.search_records("RelatedPerson", params, read, name="related_people", last_good=False))


def professional_references(client: FhirClient, rpps: str) -> list[str]:
    """`Practitioner/{id}` of the practitioners with this RPPS number, and `PractitionerRole/{id}` of their
    roles: the references a CareTeam may list them under."""
    if not rpps:
        raise ValueError("professional_references needs an RPPS number")
    token = f"{RPPS_SYSTEM}|{escape_search_value(rpps)}"
    wanted = Identifier(rpps, RPPS_SYSTEM)
    practitioners = [
        req_str(r, "id", "Practitioner")
        for r in client.search("Practitioner", {"identifier": token}, last_good=False)
        if wanted in identifiers(r, "Practitioner")
    ]
    references = [f"Practitioner/{p}" for p in practitioners if FHIR_ID.fullmatch(p)]
    for practitioner in list(references):
        for role in client.search("PractitionerRole", {"practitioner": practitioner}, last_good=False):
            who = opt_obj(role, "practitioner", "PractitionerRole")
            reference = opt_str(who, "reference", "PractitionerRole.practitioner") if who else None
            role_id = req_str(role, "id", "PractitionerRole")
            if reference and reference_id(reference, "Practitioner") == practitioner.split("/")[1]:
                references.append(f"PractitionerRole/{role_id}")
    return references


def care_teams_with(client: FhirClient, member_references: Sequence[str]) -> list[CareTeamRecord]:
    """The CareTeams listing any of these members (`CareTeam?participant=`), each checked to list them."""
    teams: dict[str, CareTeamRecord] = {}
    for reference in member_references:
        for resource in client.search("CareTeam", {"participant": reference}, last_good=False):
            team = care_team_from_fhir(resource)
            if any(m.reference == reference for m in team.members):
                teams[team.id] = team
    return list(teams.values())


def create_audit_event(client: FhirClient, resource: dict[str, object], *, timeout: float) -> None:
    """POST one AuditEvent (once; the caller retries from its queue)."""
    if resource.get("resourceType") != "AuditEvent":
        raise ValueError("not an AuditEvent")
    client.create(resource, timeout=timeout)


def create_audit_events(client: FhirClient, resources: list[dict[str, object]], *, timeout: float) -> list[int]:
    """POST several AuditEvents in one batch Bundle (once); the HTTP status of each, in order."""
    if any(r.get("resourceType") != "AuditEvent" for r in resources):
        raise ValueError("not an AuditEvent")
    return client.create_batch(resources, timeout=timeout)


def access_entries(client: FhirClient, patient_id: str) -> list[AccessEntry]:
    """The access records about this patient, newest first, read fresh (`AuditEvent?patient=`).

    Kept only when the record names this Patient as its subject entity: a store ignoring `patient=`
    must not show one patient who looked at another's plan. The records of repeated views (a reload within the
    coalescing window, `portal.access.trail.repeats_event`) stay in the store's trace but are left out: a reload is not
    a new look."""
    if not FHIR_ID.fullmatch(patient_id):
        raise ValueError("not a FHIR id")
    resources = client.search(
        "AuditEvent",
        [("patient", f"Patient/{patient_id}"), ("_sort", "-date"), ("_count", str(MAX_ACCESS_ENTRIES))],
        fresh=True,
    )
    entries = [
        access_entry_from_fhir(resource, ROLE_SYSTEM_AUDIT)
        for resource in resources[:MAX_ACCESS_ENTRIES]
        if _names_patient(resource, patient_id) and not _counts_repeats(resource)
    ]
    entries.sort(key=lambda e: e.recorded.timestamp() if e.recorded else 0.0, reverse=True)
    return entries


def access_entries_between(client: FhirClient, start: datetime, end: datetime) -> list[AccessEntry]:
    """The portal's access records of every patient, recorded from `start` (inclusive) to `end` (exclusive),
    oldest first (`portal indicators`). Kept: the records the portal wrote (the person's kind coded in
    ROLE_SYSTEM_AUDIT), one per view: the records of repeated views are left out, as on the patient's page."""
    resources = client.search(
        "AuditEvent",
        _dated_between(start, end),
        fresh=True,
        last_good=False,
    )
    entries = [
        entry
        for resource in resources
        if not _counts_repeats(resource)
        for entry in [access_entry_from_fhir(resource, ROLE_SYSTEM_AUDIT)]
        if entry.role is not None and entry.recorded is not None and start <= entry.recorded < end
    ]
    entries.sort(key=lambda e: e.recorded.timestamp() if e.recorded else 0.0)
    return entries


#: Entries asked per page by the searches over a whole period (the store may answer fewer).
SEARCH_PAGE_SIZE = 1000


#: The page entity's detail of an AuditEvent that stands for repeats of a view (`portal.access.trail.VIEWS_DETAIL`).
REPEATS_DETAIL = "views"


def _counts_repeats(resource: dict[str, object]) -> bool:
    for entity in obj_list(resource, "entity", "AuditEvent"):
        for detail in obj_list(entity, "detail", "AuditEvent.entity"):
            if opt_str(detail, "type", "AuditEvent.entity.detail") == REPEATS_DETAIL:
                return True
    return False


def _names_patient(resource: dict[str, object], patient_id: str) -> bool:
    for entity in obj_list(resource, "entity", "AuditEvent"):
        what = opt_obj(entity, "what", "AuditEvent.entity")
        reference = opt_str(what, "reference", "AuditEvent.entity.what") if what else None
        if reference and reference_id(reference, "Patient") == patient_id:
            return True
    return False
