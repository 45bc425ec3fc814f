"""A fake store serving the synthetic breast-cancer patient's three PPS versions, for the history page tests."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import responses

from synthetic.cases import case
from synthetic.documents import pps_document
from tests.unit.conftest import STORE
from tests.unit.fhir import PATIENT, document, searchset

DATES = {1: "2026-01-05T10:00:00+01:00", 2: "2026-02-20T10:00:00+01:00", 3: "2026-05-04T10:00:00+02:00"}


def version_entry(number: int, status: str, labels: tuple[str, ...] = (), key: str = "breast") -> dict[str, Any]:
    data = pps_document(case(key), number).cda
    entry = document(f"v{number}", status, DATES[number], labels)
    attachment = entry["content"][0]["attachment"]
    attachment["size"] = len(data)
    attachment["hash"] = base64.b64encode(hashlib.sha1(data, usedforsecurity=False).digest()).decode()
    if number > 1:
        entry["relatesTo"] = [{"code": "replaces", "target": {"reference": f"DocumentReference/v{number - 1}"}}]
    return entry


def serve_versions(
    mock: responses.RequestsMock,
    *,
    hidden: tuple[int, ...] = (),
    numbers: tuple[int, ...] = (1, 2, 3),
    key: str = "breast",
    also_linked: str | None = None,
) -> None:
    """Patient, DocumentReference search and Binary for each version; `hidden` ones carry INVISIBLE_PATIENT."""
    latest = max(numbers)
    entries = [
        version_entry(n, "current" if n == latest else "superseded", ("INVISIBLE_PATIENT",) if n in hidden else (), key)
        for n in sorted(numbers, reverse=True)
    ]
    patient = PATIENT
    if also_linked:
        # A second person the store links to the same patient (e.g. an account shared on one computer).
        patient = {
            **PATIENT,
            "identifier": [*PATIENT["identifier"], {**PATIENT["identifier"][-1], "value": also_linked}],
        }
    mock.get(STORE + "/Patient", json=searchset(patient))
    mock.get(STORE + "/DocumentReference", json=searchset(*entries))
    for n in numbers:
        mock.get(f"{STORE}/Binary/v{n}", body=pps_document(case(key), n).cda, content_type="application/xml")
