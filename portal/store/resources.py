"""Small typed views of the FHIR resources the portal reads (store step of the data path): the PDSm queries turn the
store's JSON into these frozen dataclasses once, checking every field they use; the layers above never touch dicts."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from portal.store.dates import Precision, parse_fhir_date, parse_fhir_datetime
from portal.store.errors import StoreInvalidResponse

#: The shape of a FHIR resource id (R4 `id`): anything else in a URL or a reference is never sent or recorded.
FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")

# INS (Identifiant National de Santé) systems: NIR, temporary NIA, test NIR, demo NIA — in that preference.
INS_SYSTEMS = (
    "urn:oid:1.2.250.1.213.1.4.8",
    "urn:oid:1.2.250.1.213.1.4.9",
    "urn:oid:1.2.250.1.213.1.4.10",
    "urn:oid:1.2.250.1.213.1.4.11",
)
LOINC = "http://loinc.org"
LOINC_PPS = "18776-5"
# TRE_A06 FormatCodeComplementaire: the format code that tells a cancer PPS from the other care plans.
FORMAT_SYSTEM = "urn:oid:1.2.250.1.213.1.1.4.2.282"
FORMAT_PPS_CANCER = "urn:asip:ci-sis:pps-cancer:2017"
VISIBILITY_SYSTEM = (
    "https://mos.esante.gouv.fr/NOS/TRE_A07-StatutVisibiliteDocument/FHIR/TRE-A07-StatutVisibiliteDocument"
)
INVISIBLE_PATIENT = "INVISIBLE_PATIENT"
INVISIBLE_REPRESENTANTS_LEGAUX = "INVISIBLE_REPRESENTANTS_LEGAUX"

Json = Mapping[str, Any]


class Identifier(NamedTuple):
    """A FHIR Identifier reduced to what we compare: value and system."""

    value: str
    system: str | None


class RelatesTo(NamedTuple):
    """`DocumentReference.relatesTo`: e.g. ("replaces", id of the previous version's DocumentReference)."""

    code: str
    target_id: str


@dataclass(frozen=True)
class PatientRecord:
    """The Patient the signed-in person is linked to."""

    id: str
    family: str | None
    given: tuple[str, ...]
    display_name: str
    birth_date: date | None
    ins: Identifier | None
    #: The identity traits another region's store is matched on (with `birth_date`): the birth family name (the
    #: name of use `official`), the first given name of that name, and the administrative sex (FHIR gender).
    birth_family: str | None = None
    birth_given: str | None = None
    gender: str | None = None


@dataclass(frozen=True)
class Attachment:
    """One `DocumentReference.content`: the file's metadata and where to fetch it (`Binary/{id}`)."""

    content_type: str | None
    language: str | None
    size: int | None
    sha1: str | None  # base64 of the SHA-1, as FHIR `Attachment.hash` carries it
    url: str | None
    title: str | None
    creation: datetime | None
    format_code: str | None


@dataclass(frozen=True)
class DocumentEntry:
    """A DocumentReference of the patient's file (one version of a PPS)."""

    id: str
    master_identifier: Identifier | None
    status: str
    date: datetime | None
    date_precision: Precision | None
    type_code: str | None
    format_code: str | None
    format_known: bool
    title: str | None
    author_display: str | None
    custodian_display: str | None
    security_labels: tuple[str, ...]
    relates_to: tuple[RelatesTo, ...]
    attachments: tuple[Attachment, ...]

    @property
    def hidden_from_patient(self) -> bool:
        return INVISIBLE_PATIENT in self.security_labels

    @property
    def hidden_from_representatives(self) -> bool:
        return INVISIBLE_REPRESENTANTS_LEGAUX in self.security_labels

    @property
    def replaces(self) -> tuple[str, ...]:
        """Ids of the DocumentReferences this version replaces."""
        return tuple(r.target_id for r in self.relates_to if r.code == "replaces")


# --- reading helpers: each names the field it failed on -------------------------------------------------


def _invalid(path: str, problem: str) -> StoreInvalidResponse:
    """A malformed resource fails here, naming the field (never with a KeyError three layers up); never its value,
    because the message may be logged."""
    return StoreInvalidResponse(f"{path}: {problem}")


def opt_str(obj: Json, key: str, path: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _invalid(f"{path}.{key}", "not a string")
    return value


def req_str(obj: Json, key: str, path: str) -> str:
    value = opt_str(obj, key, path)
    if not value:
        raise _invalid(f"{path}.{key}", "missing")
    return value


def opt_obj(obj: Json, key: str, path: str) -> Json | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise _invalid(f"{path}.{key}", "not an object")
    return value


def obj_list(obj: Json, key: str, path: str) -> list[Json]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise _invalid(f"{path}.{key}", "not a list of objects")
    return value


def str_list(obj: Json, key: str, path: str) -> tuple[str, ...]:
    value = obj.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _invalid(f"{path}.{key}", "not a list of strings")
    return tuple(value)


def opt_datetime(obj: Json, key: str, path: str) -> tuple[datetime, Precision] | None:
    text = opt_str(obj, key, path)
    if text is None:
        return None
    try:
        return parse_fhir_datetime(text)
    except ValueError as exc:
        raise _invalid(f"{path}.{key}", "not a FHIR dateTime") from exc


def reference_id(reference: str, resource_type: str) -> str | None:
    """`DocumentReference/abc` or `http://…/DocumentReference/abc/_history/2` → `abc`; other types → None."""
    parts = reference.split("/")
    if len(parts) >= 4 and parts[-2] == "_history":
        parts = parts[:-2]
    if len(parts) >= 2 and parts[-2] == resource_type and parts[-1]:
        return parts[-1]
    return None


def codings(concept: Json | None, path: str) -> list[tuple[str | None, str | None]]:
    if concept is None:
        return []
    return [
        (opt_str(c, "system", f"{path}.coding"), opt_str(c, "code", f"{path}.coding"))
        for c in obj_list(concept, "coding", path)
    ]


# --- Patient ---------------------------------------------------------------------------------------------


def identifiers(resource: Json, path: str) -> list[Identifier]:
    found = []
    for ident in obj_list(resource, "identifier", path):
        value = opt_str(ident, "value", f"{path}.identifier")
        if value:
            found.append(Identifier(value, opt_str(ident, "system", f"{path}.identifier")))
    return found


def _ins(idents: list[Identifier]) -> Identifier | None:
    # Some stores write the bare OID instead of the urn:oid: form: accept both, answer the urn form.
    normalised = [
        Identifier(i.value, f"urn:oid:{i.system}" if i.system and i.system[0].isdigit() else i.system) for i in idents
    ]
    for system in INS_SYSTEMS:
        for ident in normalised:
            if ident.system == system:
                return ident
    return None


_NAME_USE_ORDER = ("usual", "official", None)


def patient_from_fhir(resource: Json) -> PatientRecord:
    path = "Patient"
    patient_id = req_str(resource, "id", path)
    names = [n for n in obj_list(resource, "name", path) if opt_str(n, "use", f"{path}.name") != "old"]
    # The used name (nom utilisé, `usual`) is how the person wants to be addressed; then the birth name.
    names.sort(key=lambda n: _NAME_USE_ORDER.index(n.get("use")) if n.get("use") in _NAME_USE_ORDER else 99)
    family: str | None = None
    given: tuple[str, ...] = ()
    text: str | None = None
    if names:
        family = opt_str(names[0], "family", f"{path}.name")
        given = str_list(names[0], "given", f"{path}.name")
        text = opt_str(names[0], "text", f"{path}.name")
    display = text or " ".join([*given, *([family] if family else [])]).strip()
    official = next((n for n in names if n.get("use") == "official"), None)
    birth_given = str_list(official, "given", f"{path}.name") if official else ()
    birth_text = opt_str(resource, "birthDate", path)
    try:
        birth_date = parse_fhir_date(birth_text) if birth_text else None
    except ValueError as exc:
        raise _invalid(f"{path}.birthDate", "not a FHIR date") from exc
    return PatientRecord(
        id=patient_id,
        family=family,
        given=given,
        display_name=display,
        birth_date=birth_date,
        ins=_ins(identifiers(resource, path)),
        birth_family=opt_str(official, "family", f"{path}.name") if official else None,
        birth_given=birth_given[0] if birth_given else None,
        gender=opt_str(resource, "gender", path),
    )


# --- DocumentReference -----------------------------------------------------------------------------------


def _sha1(attachment: Json, path: str) -> str | None:
    text = opt_str(attachment, "hash", path)
    if text is None:
        return None
    try:
        digest = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _invalid(f"{path}.hash", "not base64") from exc
    if len(digest) != 20:
        raise _invalid(f"{path}.hash", "not a SHA-1 digest")
    return text


def _attachment(content: Json, path: str) -> Attachment:
    attachment = opt_obj(content, "attachment", path)
    if attachment is None:
        raise _invalid(f"{path}.attachment", "missing")
    apath = f"{path}.attachment"
    size = attachment.get("size")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        raise _invalid(f"{apath}.size", "not an unsigned integer")
    fmt = opt_obj(content, "format", path)
    creation = opt_datetime(attachment, "creation", apath)
    return Attachment(
        content_type=opt_str(attachment, "contentType", apath),
        language=opt_str(attachment, "language", apath),
        size=size,
        sha1=_sha1(attachment, apath),
        url=opt_str(attachment, "url", apath),
        title=opt_str(attachment, "title", apath),
        creation=creation[0] if creation else None,
        format_code=opt_str(fmt, "code", f"{path}.format") if fmt else None,
    )


def is_pps_format(content: Json, path: str) -> bool | None:
    """True for the cancer-PPS format code, False for another format, None when no format is given."""
    fmt = opt_obj(content, "format", path)
    if fmt is None:
        return None
    system = opt_str(fmt, "system", f"{path}.format")
    code = opt_str(fmt, "code", f"{path}.format")
    return code == FORMAT_PPS_CANCER and system in (FORMAT_SYSTEM, FORMAT_SYSTEM.removeprefix("urn:oid:"))


def document_from_fhir(resource: Json) -> DocumentEntry:
    path = "DocumentReference"
    doc_id = req_str(resource, "id", path)
    status = req_str(resource, "status", path)
    contents = obj_list(resource, "content", path)
    if not contents:
        raise _invalid(f"{path}.content", "missing")
    cpath = f"{path}.content"
    attachments = tuple(_attachment(c, cpath) for c in contents)
    pps_flags = [is_pps_format(c, cpath) for c in contents]
    format_known = any(flag is not None for flag in pps_flags)
    format_code = next(
        (a.format_code for a, flag in zip(attachments, pps_flags, strict=True) if flag),
        next((a.format_code for a in attachments if a.format_code), None),
    )

    master = opt_obj(resource, "masterIdentifier", path)
    master_value = opt_str(master, "value", f"{path}.masterIdentifier") if master else None
    master_identifier = (
        Identifier(master_value, opt_str(master, "system", f"{path}.masterIdentifier"))
        if master and master_value
        else None
    )
    when = opt_datetime(resource, "date", path)
    type_codings = codings(opt_obj(resource, "type", path), f"{path}.type")
    type_code = next((code for system, code in type_codings if system == LOINC), None)
    authors = [opt_str(a, "display", f"{path}.author") for a in obj_list(resource, "author", path)]
    custodian = opt_obj(resource, "custodian", path)

    relates: list[RelatesTo] = []
    for relation in obj_list(resource, "relatesTo", path):
        rpath = f"{path}.relatesTo"
        code = req_str(relation, "code", rpath)
        target = opt_obj(relation, "target", rpath)
        if target is None:
            raise _invalid(f"{rpath}.target", "missing")
        reference = opt_str(target, "reference", f"{rpath}.target")
        # A target given only by identifier cannot be chained by id; the CDA RPLC cross-check covers it.
        target_id = reference_id(reference, "DocumentReference") if reference else None
        if target_id:
            relates.append(RelatesTo(code, target_id))

    # Codes of any system count: a visibility code under a misspelt system still hides (fail safe).
    labels = tuple(
        code
        for label in obj_list(resource, "securityLabel", path)
        for _, code in codings(label, f"{path}.securityLabel")
        if code
    )
    title = opt_str(resource, "description", path) or next((a.title for a in attachments if a.title), None)
    return DocumentEntry(
        id=doc_id,
        master_identifier=master_identifier,
        status=status,
        date=when[0] if when else None,
        date_precision=when[1] if when else None,
        type_code=type_code,
        format_code=format_code,
        format_known=format_known,
        title=title,
        author_display=next((a for a in authors if a), None),
        custodian_display=opt_str(custodian, "display", f"{path}.custodian") if custodian else None,
        security_labels=labels,
        relates_to=tuple(relates),
        attachments=attachments,
    )


# --- Periods, RelatedPerson, CareTeam, Practitioner, AuditEvent (who may see whom; who looked) ------------

#: HL7 v3 RoleClass: the marker of a RelatedPerson's part (GUARD legal representative, CAREGIVER aidant).
ROLE_CLASS_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-RoleClass"
#: The portal's extension on RelatedPerson listing the parts of the plan a caregiver may see (README).
SHARED_PARTS_EXTENSION = "https://pps-portal.example.org/fhir/StructureDefinition/shared-plan-parts"


@dataclass(frozen=True)
class Period:
    """A FHIR Period as two instants: `start` inclusive, `end` exclusive (a day-precise end covers its day)."""

    start: datetime | None
    end: datetime | None
    #: The last day the period covers, as the store wrote it, when its end is a date without a time ("2026-03-31":
    #: that day; `end` is the midnight after it). None for an end with a time, or no end.
    last_day: date | None = None

    def covers(self, moment: datetime) -> bool:
        return (self.start is None or self.start <= moment) and (self.end is None or moment < self.end)


def _after(value: datetime, precision: Precision) -> datetime:
    """The first instant after a partial date's whole period ("2026-03" ends at 2026-04-01T00:00Z)."""
    if precision == "day":
        return value + timedelta(days=1)
    if precision == "month":
        return value.replace(year=value.year + value.month // 12, month=value.month % 12 + 1)
    if precision == "year":
        return value.replace(year=value.year + 1)
    return value + timedelta(microseconds=1)


def period_from_fhir(obj: Json, key: str, path: str) -> Period:
    """`obj[key]` as a Period; absent → always. A malformed date fails (never read as "no limit")."""
    period = opt_obj(obj, key, path)
    if period is None:
        return Period(None, None)
    start = opt_datetime(period, "start", f"{path}.{key}")
    end = opt_datetime(period, "end", f"{path}.{key}")
    if end is None:
        return Period(start[0] if start else None, None)
    after = _after(*end)
    last_day = None if end[1] == "second" else (after - timedelta(days=1)).date()
    return Period(start[0] if start else None, after, last_day)


@dataclass(frozen=True)
class RelatedPersonLink:
    """A RelatedPerson as the access step reads it: whose relative, since and until when, in which part."""

    id: str
    patient_id: str | None
    active: bool
    period: Period
    markers: frozenset[str]  # RoleClass codes: GUARD, CAREGIVER
    display_name: str
    identifiers: tuple[Identifier, ...]
    #: The parts of the plan shared with this person (SHARED_PARTS_EXTENSION); None: the whole plan.
    shared_parts: tuple[str, ...] | None


def _person_name(resource: Json, path: str) -> str:
    names = [n for n in obj_list(resource, "name", path) if opt_str(n, "use", f"{path}.name") != "old"]
    if not names:
        return ""
    text = opt_str(names[0], "text", f"{path}.name")
    family = opt_str(names[0], "family", f"{path}.name")
    given = str_list(names[0], "given", f"{path}.name")
    return text or " ".join([*given, *([family] if family else [])]).strip()


def related_person_from_fhir(resource: Json) -> RelatedPersonLink:
    path = "RelatedPerson"
    patient = opt_obj(resource, "patient", path)
    reference = opt_str(patient, "reference", f"{path}.patient") if patient else None
    active = resource.get("active", True)
    if not isinstance(active, bool):
        raise _invalid(f"{path}.active", "not a boolean")
    markers = frozenset(
        code
        for concept in obj_list(resource, "relationship", path)
        for system, code in codings(concept, f"{path}.relationship")
        if system == ROLE_CLASS_SYSTEM and code
    )
    shared: list[str] | None = None
    for extension in obj_list(resource, "extension", path):
        if opt_str(extension, "url", f"{path}.extension") == SHARED_PARTS_EXTENSION:
            shared = shared if shared is not None else []
            code = opt_str(extension, "valueCode", f"{path}.extension")
            if code:
                shared.append(code)
    return RelatedPersonLink(
        id=req_str(resource, "id", path),
        patient_id=reference_id(reference, "Patient") if reference else None,
        active=active,
        period=period_from_fhir(resource, "period", path),
        markers=markers,
        display_name=_person_name(resource, path),
        identifiers=tuple(identifiers(resource, path)),
        shared_parts=tuple(shared) if shared is not None else None,
    )


@dataclass(frozen=True)
class CareTeamMember:
    """One participant of a CareTeam: the member's reference (`Practitioner/…`) and its period."""

    reference: str
    period: Period


@dataclass(frozen=True)
class CareTeamRecord:
    id: str
    status: str | None
    subject_id: str | None
    period: Period
    members: tuple[CareTeamMember, ...]


def care_team_from_fhir(resource: Json) -> CareTeamRecord:
    path = "CareTeam"
    subject = opt_obj(resource, "subject", path)
    reference = opt_str(subject, "reference", f"{path}.subject") if subject else None
    members = []
    for participant in obj_list(resource, "participant", path):
        member = opt_obj(participant, "member", f"{path}.participant")
        member_ref = opt_str(member, "reference", f"{path}.participant.member") if member else None
        if member_ref:
            members.append(CareTeamMember(member_ref, period_from_fhir(participant, "period", f"{path}.participant")))
    return CareTeamRecord(
        id=req_str(resource, "id", path),
        status=opt_str(resource, "status", path),
        subject_id=reference_id(reference, "Patient") if reference else None,
        period=period_from_fhir(resource, "period", path),
        members=tuple(members),
    )


@dataclass(frozen=True)
class AccessEntry:
    """One AuditEvent the portal wrote, as the patient's access page shows it."""

    id: str
    recorded: datetime | None
    role: str | None  # the portal's viewer kind (patient, caregiver, representative, coordinator)
    actor_name: str | None
    actor_reference: str | None
    success: bool
    what: str | None
    #: The identifier the person signed in with, as "system|value" (the provider's sub, or the RPPS number).
    actor_identifier: str | None = None
    #: The document shown (the page entity's DocumentReference id), when the view succeeded.
    document: str | None = None


def access_entry_from_fhir(resource: Json, role_system: str) -> AccessEntry:
    path = "AuditEvent"
    recorded = opt_datetime(resource, "recorded", path)
    role: str | None = None
    name: str | None = None
    actor: str | None = None
    identifier: str | None = None
    for agent in obj_list(resource, "agent", path):
        if agent.get("requestor") is not True:
            continue
        for concept in obj_list(agent, "role", f"{path}.agent"):
            for system, code in codings(concept, f"{path}.agent.role"):
                if system == role_system and code:
                    role = code
        who = opt_obj(agent, "who", f"{path}.agent")
        if who is not None:
            name = opt_str(who, "display", f"{path}.agent.who")
            actor = opt_str(who, "reference", f"{path}.agent.who")
            found = opt_obj(who, "identifier", f"{path}.agent.who")
            system = opt_str(found, "system", f"{path}.agent.who.identifier") if found else None
            value = opt_str(found, "value", f"{path}.agent.who.identifier") if found else None
            identifier = f"{system or ''}|{value}" if value else None
        break
    page = _page_entity(resource, path)
    what = opt_obj(page, "what", f"{path}.entity") if page else None
    reference = opt_str(what, "reference", f"{path}.entity.what") if what else None
    return AccessEntry(
        id=req_str(resource, "id", path),
        recorded=recorded[0] if recorded else None,
        role=role,
        actor_name=name,
        actor_reference=actor,
        success=opt_str(resource, "outcome", path) in (None, "0"),
        what=opt_str(page, "name", f"{path}.entity") if page else None,
        actor_identifier=identifier,
        document=reference_id(reference, "DocumentReference") if reference else None,
    )


#: AuditEvent.entity.type of the page or file looked at: "2" System Object.
AUDIT_ENTITY_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/audit-entity-type"


def _page_entity(resource: Json, path: str) -> Json | None:
    """The entity of the page or file looked at (the first System Object: the compared version comes after it)."""
    for entity in obj_list(resource, "entity", path):
        kind = opt_obj(entity, "type", f"{path}.entity")
        if kind is None:
            continue
        coding = (opt_str(kind, "system", f"{path}.entity.type"), opt_str(kind, "code", f"{path}.entity.type"))
        if coding == (AUDIT_ENTITY_TYPE_SYSTEM, "2"):
            return entity
    return None
