"""Who may see whom: RelatedPerson links in force, CareTeam membership, and the parts of a plan shared."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import responses

from portal import access
from portal.access.visibility import Viewer
from portal.pps.model import (
    CarePlan,
    DocumentMetadata,
    DocumentStatus,
    ItemKind,
    ItemStatus,
    Patient,
    ProgrammeItem,
)
from portal.store import FhirClient
from portal.store.resources import (
    ROLE_CLASS_SYSTEM,
    SHARED_PARTS_EXTENSION,
    PatientRecord,
    related_person_from_fhir,
)

STORE = "https://store.test/fhir"
SYSTEM = "urn:pps-portal:test:sub"
NOW = dt.datetime(2026, 9, 1, 12, tzinfo=dt.UTC)


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    """The lookups beside the Patient search run here, as on the app's own pool; ended with the test."""
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="test-access") as executor:
        yield executor


def related(**changes: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "RelatedPerson",
        "id": "rp-1",
        "identifier": [{"system": SYSTEM, "value": "helper"}],
        "active": True,
        "patient": {"reference": "Patient/pat-a"},
        "relationship": [{"coding": [{"system": ROLE_CLASS_SYSTEM, "code": "CAREGIVER"}]}],
        "name": [{"given": ["Hélène"], "family": "Factice"}],
        "period": {"start": "2026-01-01"},
    }
    resource.update(changes)
    return {k: v for k, v in resource.items() if v is not None}


@pytest.mark.parametrize(
    ("changes", "in_force"),
    [
        ({}, True),
        ({"period": {"start": "2026-01-01", "end": "2026-09-01"}}, True),  # the whole last day counts
        ({"period": {"start": "2026-01-01", "end": "2026-08-31"}}, False),  # ended yesterday
        ({"period": {"start": "2026-09-02"}}, False),  # not started yet
        ({"active": False}, False),
        (
            {
                "relationship": [
                    {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "code": "DAU"}]}
                ]
            },
            False,
        ),
        ({"patient": None}, False),
    ],
)
def test_a_relative_sees_the_patient_only_while_the_link_is_in_force(changes: dict[str, Any], in_force: bool) -> None:
    assert access.link_in_force(related_person_from_fhir(related(**changes)), NOW) is in_force


def searchset(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": r} for r in resources]}


def patient(pid: str, name: str) -> dict[str, Any]:
    return {"resourceType": "Patient", "id": pid, "name": [{"family": name}]}


@responses.activate
def test_a_patient_who_helps_someone_gets_both_and_a_representative_wins_over_a_caregiver(
    pool: ThreadPoolExecutor,
) -> None:
    own = patient("pat-self", "Fictif") | {"identifier": [{"system": SYSTEM, "value": "helper"}]}
    responses.get(STORE + "/Patient", json=searchset(own))
    guardian_and_caregiver = related(
        id="rp-2",
        patient={"reference": "Patient/pat-child"},
        relationship=[
            {"coding": [{"system": ROLE_CLASS_SYSTEM, "code": "CAREGIVER"}]},
            {"coding": [{"system": ROLE_CLASS_SYSTEM, "code": "GUARD"}]},
        ],
    )
    someone_elses = related(id="rp-3", identifier=[{"system": SYSTEM, "value": "HELPER"}])  # loose token match
    responses.get(STORE + "/RelatedPerson", json=searchset(guardian_and_caregiver, someone_elses))
    responses.get(STORE + "/Patient/pat-child", json=patient("pat-child", "Fantaisie"))
    with FhirClient(STORE, cache_ttl=0, retries=0) as client:
        grants = access.patient_side_grants(client, SYSTEM, "helper", NOW, pool=pool)
    assert [(g.patient.id, g.viewer, g.via) for g in grants] == [
        ("pat-self", Viewer.PATIENT, None),
        ("pat-child", Viewer.REPRESENTATIVE, "RelatedPerson/rp-2"),
    ]


@responses.activate
def test_a_caregiver_limited_to_some_parts_keeps_only_known_parts(pool: ThreadPoolExecutor) -> None:
    responses.get(STORE + "/Patient", json=searchset())
    limited = related(
        extension=[{"url": SHARED_PARTS_EXTENSION, "valueCode": c} for c in ("calendar", "support", "secrets")]
    )
    responses.get(STORE + "/RelatedPerson", json=searchset(limited))
    responses.get(STORE + "/Patient/pat-a", json=patient("pat-a", "Factice"))
    with FhirClient(STORE, cache_ttl=0, retries=0) as client:
        (grant,) = access.patient_side_grants(client, SYSTEM, "helper", NOW, pool=pool)
    assert grant.shared_parts == frozenset({"calendar", "support"})
    assert [p for p in ("overview", "treatments", "calendar", "support", "history", "documents") if grant.shows(p)] == [
        "overview",
        "calendar",
        "support",
    ]


def team(members: list[dict[str, Any]], **changes: Any) -> dict[str, Any]:
    resource = {
        "resourceType": "CareTeam",
        "id": "ct-a",
        "status": "active",
        "subject": {"reference": "Patient/pat-a"},
        "participant": members,
    }
    resource.update(changes)
    return resource


RPPS = "10001234567"


@pytest.mark.parametrize(
    ("care_team", "allowed"),
    [
        (team([{"member": {"reference": "Practitioner/prac-c"}}]), True),
        (team([{"member": {"reference": "PractitionerRole/role-c"}}]), True),
        (team([{"member": {"reference": "Practitioner/prac-c"}, "period": {"end": "2026-07-01"}}]), False),
        (team([{"member": {"reference": "Practitioner/prac-c"}}], status="inactive"), False),
        (team([{"member": {"reference": "Practitioner/prac-c"}}], period={"end": "2026-08-01"}), False),
        (team([{"member": {"reference": "Practitioner/someone-else"}}]), False),
    ],
)
def test_a_coordinator_sees_a_patient_only_while_an_active_care_team_lists_them(
    care_team: dict[str, Any], allowed: bool
) -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        practitioner = {
            "resourceType": "Practitioner",
            "id": "prac-c",
            "identifier": [{"system": "urn:oid:1.2.250.1.71.4.2.1", "value": RPPS}],
        }
        role = {
            "resourceType": "PractitionerRole",
            "id": "role-c",
            "practitioner": {"reference": "Practitioner/prac-c"},
        }
        mock.get(STORE + "/Practitioner", json=searchset(practitioner))
        mock.get(STORE + "/PractitionerRole", json=searchset(role))
        mock.get(STORE + "/CareTeam", json=searchset(care_team))
        mock.get(STORE + "/Patient/pat-a", json=patient("pat-a", "Factice"))
        with FhirClient(STORE, cache_ttl=0, retries=0) as client:
            grants = access.coordinator_grants(client, RPPS, NOW)
    assert [g.patient.id for g in grants] == (["pat-a"] if allowed else [])
    assert all(g.viewer is Viewer.COORDINATOR_PREVIEW for g in grants)
    json.dumps([g.via for g in grants])


def item(kind: ItemKind, label: str) -> ProgrammeItem:
    return ProgrammeItem(kind=kind, status=ItemStatus.PLANNED, label=label, comment=f"Notes on {label}")


def limited_to(*parts: str) -> access.Grant:
    patient = PatientRecord("pat-a", "Factice", ("Henri",), "Henri Factice", None, None)
    return access.Grant(patient, Viewer.CAREGIVER, frozenset(parts), "RelatedPerson/rp-1")


def test_a_limited_plan_is_built_from_the_shared_parts_only() -> None:
    plan = CarePlan(
        metadata=DocumentMetadata(id=None, version=3, title="PPS", language="fr-FR"),
        patient=Patient(),
        programme=(item(ItemKind.TREATMENT, "Chimiothérapie"),),
        support=(item(ItemKind.SUPPORTIVE_CARE, "Nutrition"),),
        status=DocumentStatus(comment="Refus du patient"),
    )
    limited = access.plan_for(limited_to("calendar", "support"), plan)
    # The calendar shows a treatment's name and dates, not the team's notes on it; support is shared whole.
    assert [(i.label, i.comment) for i in limited.programme] == [("Chimiothérapie", None)]
    assert [(i.label, i.comment) for i in limited.support] == [("Nutrition", "Notes on Nutrition")]
    assert limited.status is None and limited.metadata.version is None and limited.metadata.title is None
    assert limited.metadata.language == "fr-FR"
    assert access.plan_for(dataclasses.replace(limited_to(), shared_parts=None), plan) is plan


def test_nothing_shared_leaves_an_empty_plan() -> None:
    plan = CarePlan(
        metadata=DocumentMetadata(id=None, version=3),
        patient=Patient(),
        programme=(item(ItemKind.TREATMENT, "Chimiothérapie"),),
        patient_comment="Vit seule",
    )
    empty = access.plan_for(limited_to(), plan)
    assert empty == CarePlan(metadata=DocumentMetadata(id=None), patient=Patient())


def test_every_part_names_fields_that_exist() -> None:
    plan = CarePlan(metadata=DocumentMetadata(id=None), patient=Patient())
    for part in access.PLAN_PARTS:
        assert access.PART_PATHS[part]
        access.plan_for(limited_to(part), plan)  # a misspelt path raises ProjectionError
