"""The FHIR R4 transaction Bundle that seeds the demo store with the synthetic data set (PDSm shape).

Every entry is a PUT to `Type/{id}`, so ids are stable and a second seeding replaces the first. Resources:
Organization, Practitioner (RPPS), PractitionerRole, Patient (test INS and the sign-in link), RelatedPerson
(caregivers and legal representatives, with their own sign-in), CareTeam, Binary (CDA and PDF) and
DocumentReference (PPS versions chained by `relatesTo` replaces, RCP reports linked by `context.related`).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Iterator, Sequence
from typing import Any

from synthetic import actors, ids
from synthetic import codes as c
from synthetic.cases import CASES
from synthetic.documents import DEFAULT_REFERENCE_DATE, GeneratedDocument, build_documents
from synthetic.spec import Case, Organisation, Professional, Relative, on
from synthetic.xml import PARIS

Resource = dict[str, Any]

SUBJECT_SYSTEM = "urn:pps-portal:demo:patient-idp-sub"
INS_SYSTEM = f"urn:oid:{c.INS_TEST}"
RPPS_SYSTEM = f"urn:oid:{c.RPPS}"
FINESS_SYSTEM = f"urn:oid:{c.FINESS}"
LOINC_SYSTEM = "http://loinc.org"
FORMAT_SYSTEM = "urn:oid:1.2.250.1.213.1.1.4.2.282"
VISIBILITY_SYSTEM = (
    "https://mos.esante.gouv.fr/NOS/TRE_A07-StatutVisibiliteDocument/FHIR/TRE-A07-StatutVisibiliteDocument"
)
CLASS_SYSTEM = "https://mos.esante.gouv.fr/NOS/TRE_A03-ClasseDocument/FHIR/TRE-A03-ClasseDocument"
MIME_SUFFICIENT = {
    "system": "http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode",
    "code": "urn:ihe:iti:xds:2017:mimeTypeSufficient",
    "display": "mimeType Sufficient",
}
ROLE_CODE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
#: The marker of the person's part: legal representative (GUARD) or caregiver (CAREGIVER), HL7 v3 RoleClass.
ROLE_CLASS_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-RoleClass"
LEGAL_REPRESENTATIVE = {"system": ROLE_CLASS_SYSTEM, "code": "GUARD", "display": "guardian"}
CAREGIVER = {"system": ROLE_CLASS_SYSTEM, "code": "CAREGIVER", "display": "caregiver"}
#: The portal's extension listing the parts of the plan shared with a caregiver (portal.store.resources).
SHARED_PARTS_EXTENSION = "https://pps-portal.example.org/fhir/StructureDefinition/shared-plan-parts"
VISIBILITY_DISPLAY = {
    "INVISIBLE_PATIENT": "Document non visible par le patient",
    "INVISIBLE_REPRESENTANTS_LEGAUX": "Document non visible par les représentants légaux du patient",
}


def build_bundle(
    reference_date: dt.date = DEFAULT_REFERENCE_DATE,
    cases: Sequence[Case] = CASES,
    *,
    coordinator: Professional | None = actors.COORDINATOR,
    coordination_centre: Organisation = actors.COORDINATION_CENTRE,
) -> Resource:
    """The transaction Bundle of the whole data set (deterministic for a given reference date).

    `coordinator` is put in every patient's CareTeam (the home store's demo coordinator; None: only the
    professionals the cases name, as in another region's store), which `coordination_centre` manages."""
    documents = build_documents(reference_date, cases)
    resources: list[Resource] = []
    resources += [_organisation(o) for o in _organisations(cases, coordinator, coordination_centre)]
    professionals = _professionals(cases, coordinator)
    resources += [_practitioner(p) for p in professionals]
    resources += [_practitioner_role(p) for p in professionals if p.organisation is not None]
    for case in cases:
        resources.append(_patient(case, reference_date))
        resources += [_related_person(case, r, reference_date) for r in case.relatives if r.sub]
        resources.append(_care_team(case, reference_date, coordinator, coordination_centre))
    for document in documents:
        resources += _document_resources(document, reference_date)
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"resource": r, "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"}} for r in resources
        ],
    }


# -- people and organisations --------------------------------------------------------------------------------


def _case_professionals(case: Case, coordinator: Professional | None) -> Iterator[Professional]:
    yield case.author
    if coordinator is not None:
        yield coordinator
    for former, _until in case.former_team:
        yield former
    for version in case.versions:
        for contact in case.contacts_of(version):
            if contact.professional is not None:
                yield contact.professional
        for item in version.items:
            if item.performer is not None:
                yield item.performer


def _professionals(cases: Sequence[Case], coordinator: Professional | None) -> list[Professional]:
    seen: dict[str, Professional] = {}
    for case in cases:
        for professional in _case_professionals(case, coordinator):
            seen.setdefault(professional.key, professional)
    return list(seen.values())


def _organisations(
    cases: Sequence[Case], coordinator: Professional | None, coordination_centre: Organisation
) -> list[Organisation]:
    seen: dict[str, Organisation] = {}
    for case in cases:
        seen.setdefault(case.custodian.key, case.custodian)
    for professional in _professionals(cases, coordinator):
        if professional.organisation is not None:
            seen.setdefault(professional.organisation.key, professional.organisation)
    seen.setdefault(coordination_centre.key, coordination_centre)  # every CareTeam's managingOrganization
    return list(seen.values())


def _address(organisation: Organisation) -> dict[str, Any]:
    address = organisation.address
    return {
        "line": [f"{address.house} {address.street}"],
        "postalCode": address.postal_code,
        "city": address.city,
        "country": "FR",
    }


def _organisation(organisation: Organisation) -> Resource:
    resource: Resource = {"resourceType": "Organization", "id": ids.organisation_resource(organisation.key)}
    if organisation.finess:
        resource["identifier"] = [{"system": FINESS_SYSTEM, "value": organisation.finess}]
    resource.update(
        {
            "active": True,
            "name": organisation.name,
            "telecom": [{"system": "phone", "value": organisation.phone, "use": "work"}],
            "address": [_address(organisation)],
        }
    )
    return resource


def _display(professional: Professional) -> str:
    title = "Dr " if professional.prefix == "DR" else ""
    return f"{title}{professional.given} {professional.family}"


def _practitioner(professional: Professional) -> Resource:
    resource: Resource = {"resourceType": "Practitioner", "id": ids.practitioner_resource(professional.key)}
    if professional.rpps:
        resource["identifier"] = [{"system": RPPS_SYSTEM, "value": professional.rpps}]
    name: dict[str, Any] = {"use": "official", "family": professional.family, "given": [professional.given]}
    if professional.prefix == "DR":
        name["prefix"] = ["Dr"]
    resource.update(
        {
            "active": True,
            "name": [name],
            "telecom": [{"system": "phone", "value": professional.phone, "use": "work"}],
        }
    )
    return resource


def _practitioner_role(professional: Professional) -> Resource:
    assert professional.organisation is not None
    return {
        "resourceType": "PractitionerRole",
        "id": ids.practitioner_role_resource(professional.key),
        "active": True,
        "practitioner": {
            "reference": f"Practitioner/{ids.practitioner_resource(professional.key)}",
            "display": _display(professional),
        },
        "organization": {
            "reference": f"Organization/{ids.organisation_resource(professional.organisation.key)}",
            "display": professional.organisation.name,
        },
        "code": [{"coding": [_coding(professional.profession)]}],
    }


def _coding(code: c.Code) -> dict[str, str]:
    return {"system": f"urn:oid:{code.system}", "code": code.code, "display": code.display}


def _patient(case: Case, reference: dt.date) -> Resource:
    patient = case.patient
    identifiers: list[dict[str, Any]] = [
        {
            "use": "official",
            "type": {
                "coding": [
                    {"system": "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203", "code": "INS-NIR-TEST"}
                ]
            },
            "system": INS_SYSTEM,
            "value": patient.ins(reference),
        }
    ]
    if patient.sub:
        identifiers.append({"use": "secondary", "system": SUBJECT_SYSTEM, "value": patient.sub})
    names = [
        {
            "use": "official",
            "family": patient.birth_family.title(),
            "given": (patient.all_givens or patient.given).split(),
        }
    ]
    if patient.used_family:
        names.append({"use": "usual", "family": patient.used_family.title(), "given": [patient.given]})
    return {
        "resourceType": "Patient",
        "id": ids.patient_resource(case),
        "identifier": identifiers,
        "active": True,
        "name": names,
        "telecom": [{"system": "phone", "value": patient.phone, "use": "mobile"}],
        "gender": "female" if patient.gender == c.FEMALE else "male",
        "birthDate": patient.birth_date(reference).isoformat(),
        "address": [
            {
                "use": "home",
                "line": [f"{patient.address.house} {patient.address.street}"],
                "postalCode": patient.address.postal_code,
                "city": patient.address.city,
                "country": "FR",
            }
        ],
    }


def care_start(case: Case) -> int:
    """The first relative day of the person's care: diagnosis, else first version."""
    if case.diagnosis is not None:
        return case.diagnosis.date
    return case.versions[0].date if case.versions else 0


def _related_person(case: Case, relative: Relative, reference: dt.date) -> Resource:
    markers = []
    if relative.guardian:
        markers.append({"coding": [LEGAL_REPRESENTATIVE], "text": "Représentant légal"})
    if relative.caregiver:
        markers.append({"coding": [CAREGIVER], "text": "Aidant"})
    # A parent represents the child from birth; a caregiver helps from the start of the care.
    start = case.patient.birth_date(reference) if relative.guardian else on(reference, care_start(case))
    resource: Resource = {
        "resourceType": "RelatedPerson",
        "id": ids.related_person_resource(case, relative.key),
        "identifier": [{"system": SUBJECT_SYSTEM, "value": relative.sub}],
        "active": True,
        "patient": {"reference": f"Patient/{ids.patient_resource(case)}"},
        "relationship": [
            {
                "coding": [
                    {
                        "system": ROLE_CODE_SYSTEM,
                        "code": relative.relationship.code,
                        "display": relative.relationship.display,
                    }
                ]
            },
            *markers,
        ],
        "name": [{"use": "official", "family": relative.family.title(), "given": [relative.given]}],
        "telecom": [{"system": "phone", "value": relative.phone, "use": "mobile"}],
        "period": {"start": start.isoformat()}
        | ({"end": on(reference, relative.until).isoformat()} if relative.until is not None else {}),
    }
    if relative.shared_parts is not None:
        # Only these parts of the plan are shared with this person (README: "Caregivers…").
        resource["extension"] = [{"url": SHARED_PARTS_EXTENSION, "valueCode": part} for part in relative.shared_parts]
    return resource


_CONTACT_ROLE_TEXT = {
    "care_team": "Membre de l'équipe de soins",
    "gp": "Médecin traitant",
    "coordination_centre": "Infirmière de coordination",
    "local_professional": "Professionnel de proximité",
    "social_body": "Accompagnement social",
}


def _care_team(
    case: Case, reference: dt.date, coordinator: Professional | None, coordination_centre: Organisation
) -> Resource:
    roles: dict[str, str] = {case.author.key: "Auteur du programme de soins"}
    for version in case.versions:
        for contact in case.contacts_of(version):
            if contact.professional is not None:
                roles.setdefault(contact.professional.key, _CONTACT_ROLE_TEXT.get(contact.role, "Intervenant"))
        for item in version.items:
            if item.performer is not None:
                roles.setdefault(item.performer.key, "Intervenant")
    if coordinator is not None:
        roles[coordinator.key] = "Infirmière de coordination"
    professionals = {p.key: p for p in _case_professionals(case, coordinator)}
    participants: list[dict[str, Any]] = [
        {
            "role": [{"text": role}],
            "member": {
                "reference": f"Practitioner/{ids.practitioner_resource(key)}",
                "display": _display(professionals[key]),
            },
        }
        for key, role in roles.items()
    ]
    for former, until in case.former_team:
        participants.append(
            {
                "role": [{"text": "Ancien membre de l'équipe de coordination"}],
                "member": {
                    "reference": f"Practitioner/{ids.practitioner_resource(former.key)}",
                    "display": _display(former),
                },
                "period": {
                    "start": on(reference, care_start(case)).isoformat(),
                    "end": on(reference, until).isoformat(),
                },
            }
        )
    for relative in case.relatives:
        if relative.sub:
            participants.append(
                {
                    "role": [{"text": "Représentant légal" if relative.guardian else "Aidant"}],
                    "member": {
                        "reference": f"RelatedPerson/{ids.related_person_resource(case, relative.key)}",
                        "display": f"{relative.given} {relative.family.title()}",
                    },
                }
            )
    patient = case.patient
    return {
        "resourceType": "CareTeam",
        "id": ids.care_team_resource(case),
        "status": "active",
        "name": f"Équipe de soins de {patient.given} {(patient.used_family or patient.birth_family).title()}",
        "subject": {"reference": f"Patient/{ids.patient_resource(case)}"},
        "participant": participants,
        "managingOrganization": [{"reference": f"Organization/{ids.organisation_resource(coordination_centre.key)}"}],
    }


# -- documents -----------------------------------------------------------------------------------------------


def instant(reference: dt.date, day: int, hour: int = 10) -> str:
    """A FHIR instant with the Paris offset (the same moment as the CDA effectiveTime)."""
    return dt.datetime.combine(on(reference, day), dt.time(hour), tzinfo=PARIS).isoformat()


def _binary(resource_id: str, content_type: str, data: bytes, case: Case) -> Resource:
    return {
        "resourceType": "Binary",
        "id": resource_id,
        "contentType": content_type,
        "securityContext": {"reference": f"Patient/{ids.patient_resource(case)}"},
        "data": base64.b64encode(data).decode("ascii"),
    }


def _attachment(binary_id: str, content_type: str, data: bytes, title: str, creation: str) -> dict[str, Any]:
    return {
        "contentType": content_type,
        "language": "fr-FR",
        "url": f"Binary/{binary_id}",
        "size": len(data),
        "hash": base64.b64encode(hashlib.sha1(data, usedforsecurity=False).digest()).decode("ascii"),
        "title": title,
        "creation": creation,
    }


def _document_resources(document: GeneratedDocument, reference: dt.date) -> list[Resource]:
    case = document.case
    if document.kind == "frcp":
        report = case.rcp_reports[document.number - 1]
        binary_id = ids.frcp_binary(case, document.number)
        created = instant(reference, report.date, 17)
        doc = _document_reference(
            case,
            ids.frcp_resource(case, document.number),
            ids.frcp_id(case, document.number),
            c.DOC_FRCP,
            {"code": "11", "display": "Compte rendu"},
            "current",
            created,
            document.title,
            [
                {
                    "attachment": _attachment(binary_id, "text/xml", document.cda, document.title, created),
                    "format": {"system": FORMAT_SYSTEM, "code": c.FRCP_FORMAT, "display": "FRCP"},
                }
            ],
        )
        doc["context"] = {"period": {"start": on(reference, report.date).isoformat()}}
        return [_binary(binary_id, "text/xml", document.cda, case), doc]

    number = document.number
    version = case.versions[number - 1]
    binary_id = ids.pps_binary(case, number)
    created = instant(reference, version.date)
    content = [
        {
            "attachment": _attachment(binary_id, "text/xml", document.cda, document.title, created),
            "format": {"system": FORMAT_SYSTEM, "code": c.PPS_FORMAT, "display": "PPS Cancer"},
        }
    ]
    resources = [_binary(binary_id, "text/xml", document.cda, case)]
    if document.pdf is not None and not version.pdf_only:
        pdf_id = ids.pps_pdf_binary(case, number)
        resources.append(_binary(pdf_id, "application/pdf", document.pdf, case))
        content.append(
            {
                "attachment": _attachment(pdf_id, "application/pdf", document.pdf, f"{document.title} (PDF)", created),
                "format": MIME_SUFFICIENT,
            }
        )
    latest = number == len(case.versions)
    doc = _document_reference(
        case,
        ids.pps_resource(case, number),
        ids.pps_id(case, number),
        c.DOC_PPS,
        {"code": "44", "display": "Plan, protocole de soins"},
        "current" if latest else "superseded",
        created,
        document.title,
        content,
    )
    if number > 1:
        doc["relatesTo"] = [
            {"code": "replaces", "target": {"reference": f"DocumentReference/{ids.pps_resource(case, number - 1)}"}}
        ]
    if version.hidden:
        doc["securityLabel"] = [
            {"coding": [{"system": VISIBILITY_SYSTEM, "code": label, "display": VISIBILITY_DISPLAY[label]}]}
            for label in version.hidden
        ]
    days = [
        d
        for item in version.items
        for d in (item.start, item.end, item.planned_start, item.planned_end)
        if d is not None
    ]
    context: dict[str, Any] = {}
    if days:
        context["period"] = {"start": on(reference, min(days)).isoformat(), "end": on(reference, max(days)).isoformat()}
    related = [
        {"reference": f"DocumentReference/{ids.frcp_resource(case, index)}"}
        for index, report in enumerate(case.rcp_reports, start=1)
        if report.for_version == number
    ]
    if related:
        context["related"] = related
    if context:
        doc["context"] = context
    resources.append(doc)
    return resources


def _document_reference(
    case: Case,
    resource_id: str,
    document_id: str,
    type_: c.Code,
    class_: dict[str, str],
    status: str,
    date: str,
    title: str,
    content: list[dict[str, Any]],
) -> Resource:
    return {
        "resourceType": "DocumentReference",
        "id": resource_id,
        "masterIdentifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:oid:{document_id}"},
        "status": status,
        "type": {"coding": [{"system": LOINC_SYSTEM, "code": type_.code, "display": type_.display}]},
        "category": [{"coding": [{"system": CLASS_SYSTEM, **class_}]}],
        "subject": {"reference": f"Patient/{ids.patient_resource(case)}"},
        "date": date,
        "author": [
            {
                "reference": f"Practitioner/{ids.practitioner_resource(case.author.key)}",
                "display": _display(case.author),
            }
        ],
        "authenticator": {"reference": f"Practitioner/{ids.practitioner_resource(case.author.key)}"},
        "custodian": {
            "reference": f"Organization/{ids.organisation_resource(case.custodian.key)}",
            "display": case.custodian.name,
        },
        "description": title,
        "content": content,
    }
