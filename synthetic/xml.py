"""Small building blocks shared by the CDA writers of the synthetic data generator (PPS and RCP report).

Elements, HL7 timestamps, deterministic identifiers, and the CDA header parts both documents share (patient,
author, custodian, legal authenticator). Output is deterministic: the same case and reference date give the same
bytes, so identifiers are name-based UUIDs, never random ones.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo

from lxml import etree

from synthetic import codes as c
from synthetic.spec import Address, Case, Organisation, Patient, Professional, Relative, on

HL7 = "urn:hl7-org:v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSI_TYPE = f"{{{XSI}}}type"
NSMAP = {None: HL7, "xsi": XSI}
PARIS = zoneinfo.ZoneInfo("Europe/Paris")

#: Namespace of every name-based UUID of the data set (so identifiers never collide with real ones).
NAMESPACE = uuid.UUID("6f0d7c1e-3b1a-5c7e-9d52-0a1b2c3d4e5f")


def oid(name: str) -> str:
    """A stable OID under the UUID arc 2.25 (ITU-T X.667) for a name, e.g. a document id."""
    return f"2.25.{uuid.uuid5(NAMESPACE, name).int}"


def entry_uuid(name: str) -> str:
    """A stable upper-case UUID (the form the official examples use for entry ids)."""
    return str(uuid.uuid5(NAMESPACE, name)).upper()


def el(parent: etree._Element | None, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    """A child element in the HL7 namespace (attributes named `type_` give xsi:type)."""
    attrib: dict[str, str] = {}
    for key, value in attributes.items():
        attrib[XSI_TYPE if key == "type_" else key] = value
    if parent is None:
        # lxml accepts None as the default-namespace prefix; its stubs do not say so.
        element = etree.Element(f"{{{HL7}}}{tag}", attrib, nsmap=NSMAP)  # type: ignore[arg-type]
    else:
        element = etree.SubElement(parent, f"{{{HL7}}}{tag}", attrib)
    if text is not None:
        element.text = text
    return element


def code_el(parent: etree._Element, tag: str, code: c.Code, **attributes: str) -> etree._Element:
    return el(parent, tag, code=code.code, displayName=code.display, codeSystem=code.system, **attributes)


def day(reference: dt.date, offset: int) -> str:
    """An HL7 date (day precision) for a relative day."""
    return on(reference, offset).strftime("%Y%m%d")


def moment(reference: dt.date, offset: int, hour: int = 10, minute: int = 0) -> str:
    """An HL7 timestamp with seconds and the Paris offset of that day (e.g. 20260301100000+0100)."""
    when = dt.datetime.combine(on(reference, offset), dt.time(hour, minute), tzinfo=PARIS)
    return when.strftime("%Y%m%d%H%M%S%z")


def french_date(reference: dt.date, offset: int | None) -> str:
    """dd/mm/yyyy, or "-" (how the official narrative writes "nothing")."""
    return "-" if offset is None else on(reference, offset).strftime("%d/%m/%Y")


def address(parent: etree._Element, addr: Address, **attributes: str) -> None:
    element = el(parent, "addr", **attributes)
    el(element, "houseNumber", addr.house)
    el(element, "streetName", addr.street)
    el(element, "postalCode", addr.postal_code)
    el(element, "city", addr.city)


def telecom(parent: etree._Element, number: str, use: str | None = None) -> None:
    if use is None:
        el(parent, "telecom", value=f"tel:{number}")
    else:
        el(parent, "telecom", value=f"tel:{number}", use=use)


def person_name(parent: etree._Element, given: str, family: str, prefix: str | None = None) -> None:
    name = el(parent, "name")
    if prefix:
        el(name, "prefix", prefix)
    el(name, "given", given)
    el(name, "family", family)


def rpps_id(parent: etree._Element, professional: Professional) -> None:
    """The CI-SIS writes a professional's national id as "8" + RPPS number under the RPPS OID."""
    if professional.rpps:
        el(parent, "id", root=c.RPPS, extension=f"8{professional.rpps}")
    else:
        el(parent, "id", nullFlavor="NA")


def organisation_parts(parent: etree._Element, organisation: Organisation, with_sector: bool = False) -> None:
    """id, name, telecom, addr of an organisation (in the order CDA expects)."""
    if organisation.finess:
        el(parent, "id", root=c.FINESS, extension=organisation.finess)
    el(parent, "name", organisation.name)
    telecom(parent, organisation.phone, "WP")
    address(parent, organisation.address)
    if with_sector:
        el(
            parent,
            "standardIndustryClassCode",
            code="ETABLISSEMENT",
            displayName="Etablissement de santé",
            codeSystem="1.2.250.1.213.1.1.4.9",
        )


def assigned_entity(parent: etree._Element, tag: str, professional: Professional, **attributes: str) -> None:
    """An assignedEntity / assignedAuthor: id, profession, addr, telecom, person, organisation."""
    entity = el(parent, tag, **attributes)
    rpps_id(entity, professional)
    code_el(entity, "code", professional.profession)
    if professional.organisation is not None:
        address(entity, professional.organisation.address)
    telecom(entity, professional.phone, "WP")
    person = el(entity, "assignedPerson")
    person_name(person, professional.given, professional.family, professional.prefix)
    if professional.organisation is not None:
        organisation = el(entity, "representedOrganization")
        organisation_parts(organisation, professional.organisation, with_sector=True)


def header_start(
    *, template: str, doc_id: str, code: c.Code, title: str, effective: str, set_id: str, version: int
) -> etree._Element:
    root = el(None, "ClinicalDocument")
    el(root, "realmCode", code="FR")
    el(root, "typeId", root="2.16.840.1.113883.1.3", extension="POCD_HD000040")
    el(root, "templateId", root="2.16.840.1.113883.2.8.2.1")
    el(root, "templateId", root="1.2.250.1.213.1.1.1.1")
    el(root, "templateId", root=template, extension="2022.01")
    el(root, "id", root=doc_id)
    code_el(root, "code", code)
    el(root, "title", title)
    el(root, "effectiveTime", value=effective)
    el(root, "confidentialityCode", code="N", displayName="Normal", codeSystem="2.16.840.1.113883.5.25")
    el(root, "languageCode", code="fr-FR")
    el(root, "setId", root=set_id)
    el(root, "versionNumber", value=str(version))
    return root


def record_target(root: etree._Element, case: Case, reference: dt.date) -> None:
    patient = case.patient
    role = el(el(root, "recordTarget"), "patientRole")
    el(role, "id", root=c.INS_TEST, extension=patient.ins(reference))
    address(role, patient.address, use="H")
    telecom(role, patient.phone, "MC")
    person = el(role, "patient", classCode="PSN")
    _patient_name(person, patient)
    code_el(person, "administrativeGenderCode", patient.gender)
    el(person, "birthTime", value=patient.birth_date(reference).strftime("%Y%m%d"))
    for relative in case.relatives:
        if relative.guardian:
            _guardian(person, relative, patient)


def _patient_name(parent: etree._Element, patient: Patient) -> None:
    name = el(parent, "name")
    el(name, "family", patient.birth_family, qualifier="BR")
    el(name, "given", patient.all_givens or patient.given)
    el(name, "given", patient.given, qualifier="BR")
    el(name, "family", patient.used_family or patient.birth_family, qualifier="CL")
    el(name, "given", patient.given, qualifier="CL")


def _guardian(parent: etree._Element, relative: Relative, patient: Patient) -> None:
    guardian = el(parent, "guardian")
    code_el(guardian, "code", relative.relationship)
    address(guardian, patient.address, use="H")
    telecom(guardian, relative.phone, "MC")
    person_name(el(guardian, "guardianPerson"), relative.given, relative.family)


def author(root: etree._Element, professional: Professional, time: str) -> None:
    element = el(root, "author")
    el(element, "time", value=time)
    assigned_entity(element, "assignedAuthor", professional)


def informants(root: etree._Element, case: Case) -> None:
    """Trusted person (NOK) and emergency contact (ECON)."""
    for relative in case.relatives:
        for flag, class_code in ((relative.trusted_person, "NOK"), (relative.emergency_contact, "ECON")):
            if not flag:
                continue
            entity = el(el(root, "informant"), "relatedEntity", classCode=class_code)
            code_el(entity, "code", relative.relationship)
            telecom(entity, relative.phone, "MC")
            person_name(el(entity, "relatedPerson"), relative.given, relative.family)


def custodian(root: etree._Element, organisation: Organisation) -> None:
    element = el(el(el(root, "custodian"), "assignedCustodian"), "representedCustodianOrganization")
    organisation_parts(element, organisation)


def legal_authenticator(root: etree._Element, professional: Professional, time: str) -> None:
    element = el(root, "legalAuthenticator")
    el(element, "time", value=time)
    el(element, "signatureCode", code="S")
    entity = el(element, "assignedEntity")
    rpps_id(entity, professional)
    code_el(entity, "code", professional.profession)
    telecom(entity, professional.phone, "WP")
    person_name(el(entity, "assignedPerson"), professional.given, professional.family, professional.prefix)


def service_event(root: etree._Element, professional: Professional, low: str, code: c.Code | None = None) -> None:
    event = el(el(root, "documentationOf"), "serviceEvent", classCode="ACT")
    if code is not None:
        code_el(event, "code", code)
    el(el(event, "effectiveTime"), "low", value=low)
    assigned_entity(el(event, "performer", typeCode="PRF"), "assignedEntity", professional)


def replaces(root: etree._Element, parent_id: str) -> None:
    el(el(el(root, "relatedDocument", typeCode="RPLC"), "parentDocument"), "id", root=parent_id)


def serialise(root: etree._Element) -> bytes:
    body: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return body
