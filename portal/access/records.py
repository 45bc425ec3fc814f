"""Access records: who looked at which patient's plan, and how, as a FHIR AuditEvent and as one JSON log line whose
ids are keyed hashes (never a name, an INS or a raw id)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from portal.store import pdsm
from portal.store.resources import AUDIT_ENTITY_TYPE_SYSTEM

__all__ = [
    "VIEWS_DETAIL",
    "AccessRecord",
    "Actor",
    "Outcome",
    "Pseudonyms",
    "log_line",
    "repeats_event",
    "to_audit_event",
]

Outcome = Literal["success", "refused", "failed"]
#: AuditEvent.outcome: 0 success, 4 minor failure (refused: answered 404), 8 serious failure (error page).
FHIR_OUTCOME: dict[Outcome, str] = {"success": "0", "refused": "4", "failed": "8"}
DCM = "http://dicom.nema.org/resources/ontology/DCM"
OBJECT_ROLE = "http://terminology.hl7.org/CodeSystem/object-role"
SOURCE_TYPE = "http://terminology.hl7.org/CodeSystem/security-source-type"
RESTFUL = "http://hl7.org/fhir/restful-interaction"
#: The page entity's detail that says how many views an AuditEvent stands for (the repeats of one view).
VIEWS_DETAIL = pdsm.REPEATS_DETAIL


@dataclass(frozen=True)
class Actor:
    """Who looked: their kind (patient, caregiver, representative, coordinator), the identifier they signed
    in with (system and value: the provider's sub, or the RPPS number), their name when known, and the store
    resource that stands for them (Patient/…, RelatedPerson/…), when there is one."""

    kind: str
    system: str
    value: str
    name: str | None = None
    reference: str | None = None


@dataclass(frozen=True)
class AccessRecord:
    """One view: who, on behalf of whom (the patient, for a caregiver or a representative), which patient,
    which page, document and version, when, and how it ended."""

    actor: Actor
    patient_id: str
    page: str
    outcome: Outcome
    at: dt.datetime
    on_behalf_of: str | None = None
    #: The document shown, or for a refused view the id that was asked for.
    document: str | None = None
    version: str | None = None
    #: On the compare page: the other version shown beside `document`.
    compared_with: str | None = None

    def view(self) -> tuple[object, ...]:
        """What makes two records the same view, whenever they happened (the coalescing key)."""
        return (
            self.actor,
            self.patient_id,
            self.page,
            self.outcome,
            self.on_behalf_of,
            self.document,
            self.version,
            self.compared_with,
        )


class Pseudonyms:
    """Keyed hashes (HMAC-SHA-256 under a key derived from the app secret): the same id always gives the
    same pseudonym, so log lines can be followed, but nobody without the secret can tell whose they are."""

    #: The last ids hashed, kept (about 200 bytes each): a person's pages name the same few ids, each hashed in
    #: about 4 µs, and every page writes a log line of four.
    KEPT = 4096

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"portal.audit.pseudonym\x00" + secret.encode()).digest()
        self._kept = lru_cache(maxsize=self.KEPT)(self._hashed)

    def __call__(self, value: str | None) -> str | None:
        return None if value is None else self._kept(value)

    def _hashed(self, value: str) -> str:
        mac = hmac.new(self._key, value.encode(), hashlib.sha256).digest()
        return base64.b32encode(mac[:10]).decode("ascii").lower()


def log_line(record: AccessRecord, pseudonym: Pseudonyms) -> str:
    """The JSON log line of a record: kinds, page, version and outcome in clear; every id hashed; no name."""
    return json.dumps(
        {
            "event": "access",
            "at": record.at.astimezone(dt.UTC).isoformat(timespec="seconds"),
            "actor_kind": record.actor.kind,
            "actor": pseudonym(f"{record.actor.system}|{record.actor.value}"),
            "on_behalf_of": pseudonym(record.on_behalf_of),
            "patient": pseudonym(f"Patient/{record.patient_id}"),
            "page": record.page,
            "document": pseudonym(record.document and f"DocumentReference/{record.document}"),
            "version": record.version,
            "compared_with": pseudonym(record.compared_with and f"DocumentReference/{record.compared_with}"),
            "outcome": record.outcome,
        },
        separators=(",", ":"),
        ensure_ascii=True,
    )


def to_audit_event(record: AccessRecord, observer: str) -> dict[str, Any]:
    """The FHIR R4 AuditEvent of a record (read of a patient record, by a person, through the portal)."""
    who: dict[str, Any] = {"identifier": {"system": record.actor.system, "value": record.actor.value}}
    if record.actor.reference:
        who["reference"] = record.actor.reference
    if record.actor.name:
        who["display"] = record.actor.name
    page: dict[str, Any] = {
        "type": {"system": AUDIT_ENTITY_TYPE_SYSTEM, "code": "2", "display": "System Object"},
        "role": {"system": OBJECT_ROLE, "code": "4", "display": "Domain Resource"},
        "name": record.page,
    }
    details: list[dict[str, str]] = []
    if record.document and record.outcome == "success":
        page["what"] = {"reference": f"DocumentReference/{record.document}"}
    elif record.document:
        # A refused view keeps the id asked for as text, not as a reference: it may be another patient's.
        details.append({"type": "requested-id", "valueString": record.document})
    if record.version:
        details.append({"type": "version", "valueString": record.version})
    if details:
        page["detail"] = details
    entities: list[dict[str, Any]] = [
        {
            "what": {"reference": f"Patient/{record.patient_id}"},
            "type": {"system": AUDIT_ENTITY_TYPE_SYSTEM, "code": "1", "display": "Person"},
            "role": {"system": OBJECT_ROLE, "code": "1", "display": "Patient"},
        },
        page,
    ]
    if record.compared_with and record.outcome == "success":
        entities.append(
            {
                "what": {"reference": f"DocumentReference/{record.compared_with}"},
                "type": {"system": AUDIT_ENTITY_TYPE_SYSTEM, "code": "2", "display": "System Object"},
                "role": {"system": OBJECT_ROLE, "code": "4", "display": "Domain Resource"},
                "name": "compared-with",
            }
        )
    agent: dict[str, Any] = {
        "role": [{"coding": [{"system": pdsm.ROLE_SYSTEM_AUDIT, "code": record.actor.kind}]}],
        "who": who,
        "requestor": True,
    }
    event: dict[str, Any] = {
        "resourceType": "AuditEvent",
        "type": {"system": DCM, "code": "110110", "display": "Patient Record"},
        "subtype": [{"system": RESTFUL, "code": "read", "display": "read"}],
        "action": "R",
        "recorded": record.at.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "outcome": FHIR_OUTCOME[record.outcome],
        "agent": [agent],
        "source": {
            "observer": {"display": observer},
            "type": [{"system": SOURCE_TYPE, "code": "4", "display": "Application Server"}],
        },
        "entity": entities,
    }
    if record.on_behalf_of:
        # R4 has no onBehalfOf: the patient the person acts for is a second, non-requesting agent.
        event["agent"].append({"who": {"reference": record.on_behalf_of}, "requestor": False})
    return event


def repeats_event(first: AccessRecord, last: AccessRecord, views: int, observer: str) -> dict[str, Any]:
    """The AuditEvent of `views` repeats of one view, from `first` to `last` (the same view within the window of
    an AuditEvent already written): when, how many, and otherwise what that view's own event says."""
    event = to_audit_event(last, observer)
    event["period"] = {
        "start": first.at.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "end": event["recorded"],
    }
    page = event["entity"][1]
    page["detail"] = [*page.get("detail", []), {"type": VIEWS_DETAIL, "valueString": str(views)}]
    return event
