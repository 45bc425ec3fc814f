"""The benchmarks' synthetic people: the project's data set, and as many more fictional patients as a figure needs.

More patients are copies of the data set's patients under shifted ids (`pat-camille-b0042`, sub `…-b0042`),
each with their own Patient and DocumentReferences (so their own searches and their own parsed plans in the
portal's caches) but sharing the data set's files (Binary), which keeps a 1,000-patient store small enough to
start in seconds. Obviously fictional, like the data set they come from.
"""

from __future__ import annotations

import copy
import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask

from portal.auth.session import SessionStore
from portal.web.viewing import PATIENT_HINT
from synthetic import build_bundle

SUBJECT_SYSTEM = "urn:pps-portal:demo:patient-idp-sub"
Resource = dict[str, Any]


@dataclass(frozen=True)
class Person:
    """A signed-in person of the benchmark: their session id, their sign-in subject and their Patient."""

    sid: str
    sub: str
    patient_id: str


def _sub(patient: Resource) -> str | None:
    for identifier in patient.get("identifier", []):
        if identifier.get("system") == SUBJECT_SYSTEM:
            return str(identifier["value"])
    return None


def _documents_of(resources: list[Resource], patient_id: str) -> list[Resource]:
    return [
        r
        for r in resources
        if r["resourceType"] == "DocumentReference" and r.get("subject", {}).get("reference") == f"Patient/{patient_id}"
    ]


def _has_current_pps(documents: list[Resource]) -> bool:
    return any(
        d["status"] == "current" and any(c.get("code") == "18776-5" for c in d["type"]["coding"]) for d in documents
    )


def _copy(patient: Resource, documents: list[Resource], suffix: str) -> list[Resource]:
    ids = {f"Patient/{patient['id']}": f"Patient/{patient['id']}{suffix}"}
    ids.update({f"DocumentReference/{d['id']}": f"DocumentReference/{d['id']}{suffix}" for d in documents})
    text = json.dumps([patient, *documents])
    for old, new in ids.items():
        text = text.replace(f'"{old}"', f'"{new}"')
    copies: list[Resource] = json.loads(text)
    for resource in copies:
        resource["id"] = f"{resource['id']}{suffix}"
    for identifier in copies[0].get("identifier", []):
        if identifier.get("system") == SUBJECT_SYSTEM:
            identifier["value"] = f"{identifier['value']}{suffix}"
    return copies


def build_seed(extra: int) -> tuple[Resource, list[Person]]:
    """The data set's transaction Bundle plus `extra` copied patients, and everyone who can sign in with a plan."""
    bundle = build_bundle()
    resources = [e["resource"] for e in bundle["entry"]]
    bases = []
    for patient in (r for r in resources if r["resourceType"] == "Patient"):
        documents = _documents_of(resources, patient["id"])
        sub = _sub(patient)
        if sub and _has_current_pps(documents):
            bases.append((patient, documents, sub))
    people = [Person(secrets.token_urlsafe(32), sub, patient["id"]) for patient, _, sub in bases]
    added: list[Resource] = []
    for n in range(extra):
        patient, documents, sub = bases[n % len(bases)]
        suffix = f"-b{n:04d}"
        # Every version and related document: each page of the plan (history, documents) reads as the original's.
        added += _copy(copy.deepcopy(patient), documents, suffix)
        people.append(Person(secrets.token_urlsafe(32), f"{sub}{suffix}", f"{patient['id']}{suffix}"))
    bundle["entry"] += [
        {"resource": r, "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"}} for r in added
    ]
    return bundle, people


def write_seed(path: Path, extra: int = 0) -> tuple[Path, list[Person]]:
    bundle, people = build_seed(extra)
    path.write_text(json.dumps(bundle), encoding="utf-8")
    return path, people


def seed_sessions(app: Flask, people: list[Person]) -> None:
    """Write each person's signed-in session into the app's session store, as the sign-in callback does."""
    seed_store(app.extensions["portal.sessions"], people)


def seed_store(store: SessionStore, people: list[Person]) -> None:
    """Write each person's signed-in session into `store` (an app's, or a Redis that several instances share)."""
    now = time.time()
    for person in people:
        store.create(
            person.sid,
            {
                "user": {
                    "provider": "patient",
                    "sub": person.sub,
                    "sid": None,
                    "acr": "eidas2",
                    "id_token": "",
                    "given_name": "Bench",
                    "family_name": "FICTIF",
                },
                "oidc_sub": person.sub,
                # The callback also notes whose plan the person will see (portal.web.plan.warm_up).
                PATIENT_HINT: person.patient_id,
                "_created": now,
            },
            now,
        )
