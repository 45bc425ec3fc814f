"""The CDA header of a CI-SIS document (PPS or RCP report) → metadata, patient, trusted people and useful contacts
(`pps` step)."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from portal.pps.cda import Context, V, guard, is_element
from portal.pps.model import (
    INS_SYSTEMS,
    Author,
    Code,
    Contact,
    ContactRole,
    DocumentMetadata,
    Guardian,
    HealthProfessional,
    Identifier,
    LegalAuthenticator,
    Patient,
    PatientName,
    RelatedPerson,
)

__all__ = ["read_contacts", "read_informants", "read_metadata", "read_patient"]

_CONTACT_ROLES = {role.value: role for role in ContactRole}


def read_metadata(ctx: Context, doc: etree._Element) -> DocumentMetadata:
    """Document id, set, version, date, title, codes, authors, custodian, signatory, RPLC parent."""
    version = None
    version_element = doc.find(V + "versionNumber")
    version_text = (version_element.get("value") or "") if version_element is not None else ""
    if version_text.strip():
        try:
            version = int(version_text)
        except ValueError:
            ctx.warn(f"versionNumber is not a whole number: {version_text[:20]!r}")
    if version is not None and version < 1:
        ctx.warn(f"versionNumber should be positive: {version}")

    related: list[tuple[str, Identifier]] = []
    replaces = None
    for relation in doc.findall(V + "relatedDocument"):
        parent_id = ctx.identifier(relation.find(f"{V}parentDocument/{V}id"))
        if parent_id is None:
            continue
        type_code = relation.get("typeCode") or ""
        related.append((type_code, parent_id))
        if type_code == "RPLC" and replaces is None:
            replaces = parent_id

    authors = []
    for author in doc.findall(V + "author"):
        professional = ctx.professional(author.find(V + "assignedAuthor"))
        if professional is not None:
            authors.append(Author(time=ctx.time(author.find(V + "time"), "author time"), professional=professional))

    legal = doc.find(V + "legalAuthenticator")
    legal_authenticator = None
    if legal is not None:
        signer = ctx.professional(legal.find(V + "assignedEntity"))
        if signer is not None:
            signature = legal.find(V + "signatureCode")
            legal_authenticator = LegalAuthenticator(
                time=ctx.time(legal.find(V + "time"), "legalAuthenticator time"),
                signature_code=signature.get("code") if signature is not None else None,
                professional=signer,
            )

    service = doc.find(f"{V}documentationOf/{V}serviceEvent")
    performers: list[HealthProfessional] = []
    if service is not None:
        for performer in service.findall(V + "performer"):
            professional = ctx.professional(performer.find(V + "assignedEntity"))
            if professional is not None:
                performers.append(professional)

    realm = doc.find(V + "realmCode")
    language = doc.find(V + "languageCode")
    return DocumentMetadata(
        id=ctx.identifier(doc.find(V + "id")),
        set_id=ctx.identifier(doc.find(V + "setId")),
        version=version,
        effective_time=ctx.time(doc.find(V + "effectiveTime"), "document effectiveTime"),
        title=ctx.string(doc.find(V + "title")),
        code=ctx.code(doc.find(V + "code")),
        template_ids=tuple(i for i in (ctx.identifier(t) for t in doc.findall(V + "templateId")) if i),
        replaces=replaces,
        related=tuple(related),
        confidentiality=ctx.code(doc.find(V + "confidentialityCode")),
        language=language.get("code") if language is not None else None,
        realm=realm.get("code") if realm is not None else None,
        authors=tuple(authors),
        custodian=ctx.organization(doc.find(f"{V}custodian/{V}assignedCustodian/{V}representedCustodianOrganization")),
        legal_authenticator=legal_authenticator,
        service_period=ctx.period(service.find(V + "effectiveTime"), "serviceEvent") if service is not None else None,
        service_performers=tuple(performers),
        care_setting=ctx.code(
            doc.find(f"{V}componentOf/{V}encompassingEncounter/{V}location/{V}healthCareFacility/{V}code")
        ),
    )


def read_patient(ctx: Context, doc: etree._Element) -> Patient:
    """recordTarget/patientRole: INS, other ids, names (BR/CL), sex, birth date and place, guardians."""
    role = doc.find(f"{V}recordTarget/{V}patientRole")
    if role is None:
        ctx.warn("no patient (recordTarget/patientRole)")
        return Patient()
    ins = None
    others = []
    for ident in ctx.identifiers(role):
        if ins is None and ident.root in INS_SYSTEMS and ident.extension:
            ins = ident
        else:
            others.append(ident)
    if ins is None:
        ctx.warn("no INS (national health identifier) for the patient")
    person = role.find(V + "patient")
    if person is None:
        ctx.warn("no patient element in patientRole")
        return Patient(ins=ins, other_ids=tuple(others), telecoms=ctx.telecoms(role), addresses=ctx.addresses(role))
    birth_place = person.find(f"{V}birthplace/{V}place/{V}addr")
    return Patient(
        ins=ins,
        other_ids=tuple(others),
        name=_patient_name(ctx, person),
        sex=ctx.code(person.find(V + "administrativeGenderCode")),
        birth_date=ctx.time(person.find(V + "birthTime"), "patient birthTime"),
        birth_place=ctx.address(birth_place),
        telecoms=ctx.telecoms(role),
        addresses=ctx.addresses(role),
        guardians=tuple(_guardian(ctx, g) for g in person.findall(V + "guardian")),
    )


def _patient_name(ctx: Context, person: etree._Element) -> PatientName:
    birth_family = used_family = birth_given = first_given = used_given = None
    plain_family = None
    prefix: list[str] = []
    for name in person.findall(V + "name"):
        for part in name:
            if not is_element(part):
                continue
            value = ctx.string(part)
            if value is None:
                continue
            qualifier = (part.get("qualifier") or "").split()
            if part.tag == V + "family":
                if "BR" in qualifier:
                    birth_family = birth_family or value
                elif "CL" in qualifier:
                    used_family = used_family or value
                else:
                    plain_family = plain_family or value
            elif part.tag == V + "given":
                if "BR" in qualifier:
                    first_given = first_given or value
                elif "CL" in qualifier:
                    used_given = used_given or value
                else:
                    birth_given = birth_given or value
            elif part.tag == V + "prefix":
                prefix.append(value)
    if birth_family is None and plain_family is not None:
        # Older documents give the family name without a qualifier: it is the birth name.
        birth_family = plain_family
    if birth_family is None and used_family is None:
        ctx.warn("the patient has no family name")
    return PatientName(
        birth_family=birth_family,
        birth_given=birth_given,
        first_given=first_given,
        used_family=used_family,
        used_given=used_given,
        prefix=tuple(prefix),
    )


def _guardian(ctx: Context, guardian: etree._Element) -> Guardian:
    person = guardian.find(V + "guardianPerson")
    organization = guardian.find(V + "guardianOrganization")
    return Guardian(
        name=ctx.person_name(person.find(V + "name")) if person is not None else None,
        organization_name=ctx.string(organization.find(V + "name")) if organization is not None else None,
        relationship=ctx.code(guardian.find(V + "code")),
        telecoms=ctx.telecoms(guardian),
        addresses=ctx.addresses(guardian),
    )


def read_informants(ctx: Context, doc: etree._Element) -> tuple[tuple[RelatedPerson, ...], tuple[RelatedPerson, ...]]:
    """(trusted persons NOK, emergency contacts ECON) from informant/relatedEntity."""
    trusted: list[RelatedPerson] = []
    emergency: list[RelatedPerson] = []
    for entity in doc.findall(f"{V}informant/{V}relatedEntity"):
        role = entity.get("classCode") or ""
        person = entity.find(V + "relatedPerson")
        related = RelatedPerson(
            role=role,
            relationship=ctx.code(entity.find(V + "code")),
            name=ctx.person_name(person.find(V + "name")) if person is not None else None,
            telecoms=ctx.telecoms(entity),
            addresses=ctx.addresses(entity),
        )
        if role == "NOK":
            trusted.append(related)
        elif role == "ECON":
            emergency.append(related)
        else:
            ctx.warn(f"informant with an unexpected role {role!r} ignored")
    return tuple(trusted), tuple(emergency)


def read_contacts(ctx: Context, doc: etree._Element) -> tuple[Contact, ...]:
    """Every header participant: the plan's useful contacts, with their role."""
    contacts = []
    for participant in doc.findall(V + "participant"):
        try:
            contacts.append(_contact(ctx, participant))
        except Exception as exc:
            ctx.warn(f"a contact could not be read: {type(exc).__name__}")
    return tuple(contacts)


def _contact(ctx: Context, participant: etree._Element) -> Contact:
    function_element = participant.find(V + "functionCode")
    function = ctx.code(function_element)
    translations: tuple[Code, ...] = ()
    if function_element is not None:
        translations = tuple(
            c for c in (ctx.code(t) for t in function_element.findall(V + "translation")) if c is not None
        )
    role = ContactRole.OTHER
    for translation in translations:
        if translation.code in _CONTACT_ROLES:
            role = _CONTACT_ROLES[translation.code]
            break
    else:
        if function is not None and function.code == "PCP":
            role = ContactRole.GENERAL_PRACTITIONER
    entity = participant.find(V + "associatedEntity")
    if entity is None:
        ctx.warn("a contact has no associatedEntity")
        return Contact(role=role, type_code=participant.get("typeCode"), function=function, translations=translations)
    person = entity.find(V + "associatedPerson")
    return Contact(
        role=role,
        type_code=participant.get("typeCode"),
        function=function,
        translations=translations,
        comment=function.original_text if function is not None else None,
        period=ctx.period(participant.find(V + "time"), "contact time"),
        entity_class=entity.get("classCode"),
        ids=ctx.identifiers(entity),
        profession=ctx.code(entity.find(V + "code")),
        person=ctx.person_name(person.find(V + "name")) if person is not None else None,
        organization=ctx.organization(entity.find(V + "scopingOrganization")),
        telecoms=ctx.telecoms(entity),
        addresses=ctx.addresses(entity),
    )


@dataclass(frozen=True)
class Header:
    """What every CI-SIS document's header says, read once for any model: the document, the patient, the
    people to call and the useful contacts. A part that cannot be read is empty, with a warning."""

    metadata: DocumentMetadata
    patient: Patient
    trusted_persons: tuple[RelatedPerson, ...]
    emergency_contacts: tuple[RelatedPerson, ...]
    contacts: tuple[Contact, ...]


def read_header(ctx: Context, doc: etree._Element) -> Header:
    """Each part read on its own, so that a part that cannot be read becomes a warning and the rest is still read."""
    metadata = guard(ctx, "header", lambda: read_metadata(ctx, doc), DocumentMetadata(id=None))
    patient = guard(ctx, "header", lambda: read_patient(ctx, doc), Patient())
    no_informants: tuple[tuple[RelatedPerson, ...], tuple[RelatedPerson, ...]] = ((), ())
    trusted, emergency = guard(ctx, "header", lambda: read_informants(ctx, doc), no_informants)
    no_contacts: tuple[Contact, ...] = ()
    contacts = guard(ctx, "header", lambda: read_contacts(ctx, doc), no_contacts)
    return Header(metadata, patient, trusted, emergency, contacts)
