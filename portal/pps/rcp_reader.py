"""Read a CI-SIS CANCER-FRCP 2022.01 document (fiche RCP) into an `RcpReport`, beside the PPS reader."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from lxml import etree

from portal.pps.cda import Context, V, guard
from portal.pps.errors import DocumentRefused
from portal.pps.header import read_header
from portal.pps.model import (
    Contact,
    Diagnosis,
    Discovery,
    DocumentStatus,
    Identifier,
    Phase,
    Progression,
)
from portal.pps.narrative import NarrativeIndex, plain_text
from portal.pps.rcp_model import (
    RCP_ID_SYSTEMS,
    FileStatus,
    Framework,
    Meeting,
    Participant,
    ParticipantRole,
    Proposal,
    RcpReport,
    RcpSection,
    RcpSectionKey,
    Reason,
    Treatment,
)
from portal.pps.rcp_sections import (
    REQUIRED_SECTIONS,
    identify,
    read_file_status,
    read_framework,
    read_proposal,
    read_reason,
    read_treatments,
)
from portal.pps.safexml import DEFAULT_MAX_BYTES, find_clinical_document, parse_untrusted
from portal.pps.sections import read_diagnoses, read_discovery, read_phase, read_status

__all__ = ["FRCP_LOINC", "FRCP_TEMPLATE", "read_rcp"]

FRCP_TEMPLATE = "1.2.250.1.213.1.1.1.8"
FRCP_LOINC = "34794-8"
_PPS_TEMPLATE = "1.2.250.1.213.1.1.1.26"

T = TypeVar("T")


def read_rcp(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> RcpReport:
    """Read one RCP report; raise DocumentRefused (one-line `reason`) when it is not one.

    The untrusted bytes go through the same hardened parser as `read_pps` (size before parse, no DTD, depth limit);
    then the header and each section are read separately: a part that is missing or unreadable becomes a
    `ReadWarning` and the rest is still read.
    """
    root = parse_untrusted(data, max_bytes=max_bytes)
    doc = find_clinical_document(root)
    _check_is_rcp_report(doc)
    ctx = Context(NarrativeIndex(doc))

    header = read_header(ctx, doc)
    meeting = guard(ctx, "header", lambda: _meeting(ctx, doc), Meeting())
    report = RcpReport(
        metadata=header.metadata,
        patient=header.patient,
        meeting=meeting,
        participants=tuple(_participant(contact) for contact in header.contacts),
        trusted_persons=header.trusted_persons,
        emergency_contacts=header.emergency_contacts,
    )
    body = doc.find(f"{V}component/{V}structuredBody")
    if body is None:
        ctx.warn("the document has no structured body", "body")
        return _finish(ctx, report)
    return _finish(ctx, _read_body(ctx, report, body))


def _check_is_rcp_report(doc: etree._Element) -> None:
    templates = {t.get("root") for t in doc.findall(V + "templateId")}
    if FRCP_TEMPLATE in templates:
        return
    code_element = doc.find(V + "code")
    code = code_element.get("code") if code_element is not None else None
    if _PPS_TEMPLATE in templates:
        raise DocumentRefused(f"not an RCP report: a cancer PPS (template {_PPS_TEMPLATE})")
    if code == FRCP_LOINC:
        raise DocumentRefused(f"not an RCP report: LOINC {FRCP_LOINC} without template {FRCP_TEMPLATE}")
    raise DocumentRefused(f"not an RCP report: template {FRCP_TEMPLATE} is missing (code {code!r})")


# -- header --------------------------------------------------------------------------------------------------


def _meeting(ctx: Context, doc: etree._Element) -> Meeting:
    encounter = doc.find(f"{V}componentOf/{V}encompassingEncounter")
    name = None
    topography = None
    for service in doc.findall(f"{V}documentationOf/{V}serviceEvent"):
        code = ctx.code(service.find(V + "code"))
        if code is None:
            continue
        if code.code == "39" and name is None:  # RCP, TRE_R213-ModePriseEnCharge
            name = code.original_text
        elif topography is None and code.code != "39":
            topography = code
    if encounter is None:
        ctx.warn("no encompassingEncounter: the meeting's identifiers, date and place are missing")
        return Meeting(name=name, topography=topography)
    found: dict[str, Identifier] = {}
    others = []
    for ident in ctx.identifiers(encounter):
        kind = RCP_ID_SYSTEMS.get(ident.root or "")
        if kind is not None and kind not in found:
            found[kind] = ident
        else:
            others.append(ident)
    for kind in ("network", "manager", "rcp"):
        if kind not in found:
            ctx.warn(f"no {kind} identifier in componentOf")
    facility = encounter.find(f"{V}location/{V}healthCareFacility")
    place = facility.find(V + "location") if facility is not None else None
    organization = None
    if facility is not None:
        organization = ctx.organization(facility)
        if place is not None and organization is not None:
            # The establishment's name and address are on its place (healthCareFacility/location).
            organization = replace(
                organization, name=ctx.string(place.find(V + "name")), addresses=ctx.addresses(place)
            )
    return Meeting(
        name=name,
        date=ctx.start(encounter.find(V + "effectiveTime"), "meeting date"),
        network_id=found.get("network"),
        manager_id=found.get("manager"),
        rcp_id=found.get("rcp"),
        other_ids=tuple(others),
        facility=organization,
        facility_kind=ctx.code(facility.find(V + "code")) if facility is not None else None,
        encounter_kind=ctx.code(encounter.find(V + "code")),
        topography=topography,
    )


def _role(contact: Contact) -> ParticipantRole:
    function = contact.function.code if contact.function is not None else None
    match contact.type_code, function:
        case "RESP", _:
            return ParticipantRole.COORDINATOR
        case "REFB", _:
            return ParticipantRole.REQUESTER
        case "PRF", "353":
            return ParticipantRole.QUORUM_MEMBER
        case "PRF", "CORRE":
            return ParticipantRole.GUEST
        case "PRF", None:
            return ParticipantRole.PRESENTER
        case ("INF", "PCP") | (_, "PCP"):
            return ParticipantRole.GENERAL_PRACTITIONER
        case "CON", _:
            return ParticipantRole.CORRESPONDENT
    return ParticipantRole.OTHER


def _participant(contact: Contact) -> Participant:
    return Participant(
        role=_role(contact),
        name=contact.person,
        profession=contact.profession,
        organization=contact.organization,
        ids=contact.ids,
        telecoms=contact.telecoms,
        addresses=contact.addresses,
        comment=contact.comment,
    )


# -- body ----------------------------------------------------------------------------------------------------


def _read_body(ctx: Context, report: RcpReport, body: etree._Element) -> RcpReport:
    sections: list[RcpSection] = []
    found: dict[RcpSectionKey, etree._Element] = {}
    for element in body.iterfind(f"{V}component/{V}section"):
        key = identify(element)
        if key is None:
            code = element.find(V + "code")
            ctx.warn(f"unknown section {code.get('code') if code is not None else None!r} ignored", "body")
            continue
        if key in found:
            ctx.warn("section appears more than once; the first is kept", key.value)
            continue
        found[key] = element
        sections.append(
            RcpSection(
                key=key,
                title=ctx.string(element.find(V + "title")),
                code=ctx.code(element.find(V + "code")),
                text=_section_text(ctx, key, element.find(V + "text")),
            )
        )
    for key in REQUIRED_SECTIONS:
        if key not in found:
            ctx.warn("section missing", key.value)

    def text_of(key: RcpSectionKey) -> str | None:
        section = next((s for s in sections if s.key == key), None)
        return (section.text or None) if section else None

    def run(key: RcpSectionKey, read: Callable[[Context, etree._Element], T], default: T) -> T:
        element = found.get(key)
        if element is None:
            return default
        return guard(ctx, key.value, lambda: read(ctx, element), default)

    reason: Reason | None = run(RcpSectionKey.REASON, read_reason, None)
    discovery: Discovery | None = run(RcpSectionKey.DISCOVERY, read_discovery, None)
    diagnoses: tuple[Diagnosis, ...] = run(RcpSectionKey.DIAGNOSIS, read_diagnoses, ())
    no_phase: tuple[Phase | None, Progression | None] = (None, None)
    phase, progression = run(RcpSectionKey.PHASE, read_phase, no_phase)
    no_treatments: tuple[Treatment, ...] = ()
    past: tuple[Treatment, ...] = run(RcpSectionKey.PAST_TREATMENTS, read_treatments, no_treatments)
    proposal: Proposal | None = run(RcpSectionKey.CARE_PLAN, read_proposal, None)
    framework: Framework | None = run(RcpSectionKey.FRAMEWORK, read_framework, None)
    file_status: FileStatus | None = run(RcpSectionKey.FILE_STATUS, read_file_status, None)
    status: DocumentStatus | None = run(RcpSectionKey.DOCUMENT_STATUS, read_status, None)
    return RcpReport(
        metadata=report.metadata,
        patient=report.patient,
        meeting=report.meeting,
        participants=report.participants,
        trusted_persons=report.trusted_persons,
        emergency_contacts=report.emergency_contacts,
        reason=reason,
        discovery=discovery,
        diagnoses=diagnoses,
        phase=phase,
        progression=progression,
        past_treatments=past,
        history=text_of(RcpSectionKey.HISTORY),
        exam_results=text_of(RcpSectionKey.EXAM_RESULTS),
        proposal=proposal,
        framework=framework,
        file_status=file_status,
        status=status,
        patient_comment=text_of(RcpSectionKey.COMMENT),
        sections=tuple(sections),
    )


def _section_text(ctx: Context, key: RcpSectionKey, text: etree._Element | None) -> str:
    if text is None:
        return ""
    return guard(ctx, key.value, lambda: plain_text(text), "")


def _finish(ctx: Context, report: RcpReport) -> RcpReport:
    return replace(report, warnings=tuple(ctx.warnings)) if ctx.warnings else report
