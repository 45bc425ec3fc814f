"""Reading Patient and DocumentReference JSON into the typed records, field by field."""

from __future__ import annotations

from typing import Any

import pytest

from portal.store import Identifier, StoreInvalidResponse
from portal.store.resources import document_from_fhir, patient_from_fhir, period_from_fhir, reference_id
from tests.unit.store.conftest import fixture_json


def v2_resource() -> dict[str, Any]:
    resource: dict[str, Any] = fixture_json("pps_documents_breast_versions.json")["entry"][1]["resource"]
    return resource


@pytest.mark.parametrize(
    ("system", "expected"),
    [
        ("urn:oid:1.2.250.1.213.1.4.8", "urn:oid:1.2.250.1.213.1.4.8"),
        ("1.2.250.1.213.1.4.10", "urn:oid:1.2.250.1.213.1.4.10"),
        ("urn:oid:1.2.250.1.213.1.4.11", "urn:oid:1.2.250.1.213.1.4.11"),
    ],
)
def test_the_ins_is_found_under_each_ins_system(system: str, expected: str) -> None:
    patient = patient_from_fhir(
        {"resourceType": "Patient", "id": "p1", "identifier": [{"system": system, "value": "1"}]}
    )

    assert patient.ins == Identifier("1", expected)


def test_a_patient_without_ins_or_name_still_reads() -> None:
    patient = patient_from_fhir(
        {"resourceType": "Patient", "id": "p1", "identifier": [{"system": "urn:oid:1.2.250.1.71.4.2.1", "value": "1"}]}
    )

    assert (patient.ins, patient.family, patient.given, patient.display_name) == (None, None, (), "")


def test_the_name_text_and_old_names() -> None:
    patient = patient_from_fhir(
        {
            "resourceType": "Patient",
            "id": "p1",
            "name": [
                {"use": "old", "family": "ANCIEN-FICTIF", "given": ["Zoé"]},
                {"use": "official", "family": "FICTIF", "given": ["Léo", "Paul"], "text": "Léo Paul FICTIF"},
            ],
        }
    )

    assert (patient.family, patient.given, patient.display_name) == ("FICTIF", ("Léo", "Paul"), "Léo Paul FICTIF")


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"name": "FICTIF"}, r"Patient\.name: not a list of objects"),
        ({"name": [{"given": "Léo"}]}, r"Patient\.name\.given: not a list of strings"),
        ({"birthDate": "14/01/1995"}, r"Patient\.birthDate: not a FHIR date"),
        ({"id": 12}, r"Patient\.id: not a string"),
    ],
)
def test_malformed_patient_fields_are_named(patch: dict[str, Any], message: str) -> None:
    with pytest.raises(StoreInvalidResponse, match=message):
        patient_from_fhir({"resourceType": "Patient", "id": "p1", **patch})


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("content", 0, "attachment", "size"), -1, r"attachment\.size: not an unsigned integer"),
        (("content", 0, "attachment", "size"), "670", r"attachment\.size: not an unsigned integer"),
        (("content", 0, "attachment", "hash"), "not base64!", r"attachment\.hash: not base64"),
        (("content", 0, "attachment", "hash"), "AAAA", r"attachment\.hash: not a SHA-1 digest"),
        (("content", 0, "attachment"), None, r"content\.attachment: missing"),
        (("relatesTo", 0, "code"), None, r"relatesTo\.code: missing"),
        (("content", 0, "attachment", "creation"), "hier", r"attachment\.creation: not a FHIR dateTime"),
    ],
)
def test_malformed_document_fields_are_named(path: tuple[Any, ...], value: Any, message: str) -> None:
    resource = v2_resource()
    target: Any = resource
    for step in path[:-1]:
        target = target[step]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value

    with pytest.raises(StoreInvalidResponse, match=message):
        document_from_fhir(resource)


def test_a_visibility_label_hides_whatever_system_it_was_written_under() -> None:
    resource = v2_resource()
    resource["securityLabel"] = [{"coding": [{"system": "urn:typo", "code": "INVISIBLE_REPRESENTANTS_LEGAUX"}]}]

    entry = document_from_fhir(resource)

    assert entry.hidden_from_representatives
    assert not entry.hidden_from_patient


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("DocumentReference/abc", "abc"),
        ("https://store.test/fhir/DocumentReference/abc", "abc"),
        ("DocumentReference/abc/_history/2", "abc"),
        ("Patient/abc", None),
        ("#contained", None),
    ],
)
def test_reference_ids(reference: str, expected: str | None) -> None:
    assert reference_id(reference, "DocumentReference") == expected


@pytest.mark.parametrize(
    ("end", "exclusive_end", "last_day"),
    [
        ("2026-03-31", "2026-04-01T00:00:00+00:00", "2026-03-31"),  # a day: that whole day
        ("2026-02", "2026-03-01T00:00:00+00:00", "2026-02-28"),  # a month: its last day
        ("2026", "2027-01-01T00:00:00+00:00", "2026-12-31"),
        ("2026-03-31T23:30:00+02:00", "2026-03-31T23:30:00.000001+02:00", None),  # a time: no day written
    ],
)
def test_a_period_end_covers_what_it_names_and_keeps_its_last_day(
    end: str, exclusive_end: str, last_day: str | None
) -> None:
    period = period_from_fhir({"period": {"end": end}}, "period", "RelatedPerson")

    assert period.end is not None and period.end.isoformat() == exclusive_end
    assert (period.last_day.isoformat() if period.last_day else None) == last_day
