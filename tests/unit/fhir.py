"""What the unit tests' fake stores answer: a patient, a PPS DocumentReference, a searchset Bundle, a generated PPS."""

from __future__ import annotations

from typing import Any

from synthetic import build_documents
from tests.unit.conftest import STORE, SUBJECT_SYSTEM

__all__ = ["PATIENT", "document", "generated_pps", "searchset"]

PATIENT = {
    "resourceType": "Patient",
    "id": "pat-1",
    "identifier": [
        {"system": SUBJECT_SYSTEM, "value": "sub-123"},
    ],
    "name": [{"use": "official", "family": "Exemple", "given": ["Camille"]}],
    "birthDate": "1975-02-14",
}


def document(doc_id: str, status: str, date: str, labels: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "resourceType": "DocumentReference",
        "id": doc_id,
        "masterIdentifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:oid:1.2.250.1.999.{doc_id}"},
        "status": status,
        "type": {"coding": [{"system": "http://loinc.org", "code": "18776-5"}]},
        "subject": {"reference": "Patient/pat-1"},
        "date": date,
        "author": [{"display": "Dr Alex Fictif"}],
        "securityLabel": [
            {
                "coding": [
                    {
                        "system": "https://mos.esante.gouv.fr/NOS/TRE_A07-StatutVisibiliteDocument/FHIR/"
                        "TRE-A07-StatutVisibiliteDocument",
                        "code": code,
                    }
                ]
            }
            for code in labels
        ],
        "content": [
            {
                "attachment": {"contentType": "text/xml", "url": f"Binary/{doc_id}", "title": "PPS"},
                "format": {
                    "system": "urn:oid:1.2.250.1.213.1.1.4.2.282",
                    "code": "urn:asip:ci-sis:pps-cancer:2017",
                },
            }
        ],
    }


def searchset(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "entry": [
            {"fullUrl": f"{STORE}/{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "match"}}
            for r in resources
        ],
    }


def generated_pps() -> bytes:
    """A synthetic PPS version (breast cancer, second version) as the store's Binary holds it."""
    return next(d.cda for d in build_documents() if d.kind == "pps" and d.filename == "camille-pps-2.xml")
