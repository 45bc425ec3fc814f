"""The reports `portal pps check FILE` and `portal check FILE` print, and the structural checks of each model."""

from __future__ import annotations

from enum import StrEnum

from portal.pps.cda import V
from portal.pps.errors import DocumentRefused
from portal.pps.hl7time import HL7Time
from portal.pps.model import INS_SYSTEMS, CarePlan, Identifier, ItemKind, ItemStatus, SectionKey
from portal.pps.rcp_model import ParticipantRole, RcpReport, RcpSectionKey
from portal.pps.rcp_sections import REQUIRED_SECTIONS as RCP_REQUIRED_SECTIONS
from portal.pps.reader import REQUIRED_SECTIONS
from portal.pps.safexml import DEFAULT_MAX_BYTES, find_clinical_document, parse_untrusted

__all__ = ["SECTION_LABELS", "DocumentModel", "model_of", "pps_problems", "rcp_problems", "rcp_report", "report"]


class DocumentModel(StrEnum):
    """The CI-SIS document models the portal reads, by short name (as the conformance schemas are keyed)."""

    PPS = "pps"
    FRCP = "frcp"

    @property
    def template(self) -> str:
        return "1.2.250.1.213.1.1.1.26" if self is DocumentModel.PPS else "1.2.250.1.213.1.1.1.8"

    @property
    def label(self) -> str:
        """e.g. "CANCER-FRCP 2022.01 (RCP report, template 1.2.250.1.213.1.1.1.8)"."""
        name = (
            "CANCER-PPS 2022.01 (cancer care plan" if self is DocumentModel.PPS else "CANCER-FRCP 2022.01 (RCP report"
        )
        return f"{name}, template {self.template})"


SECTION_LABELS = {
    SectionKey.PATIENT_COMMENT: "comment on the patient",
    SectionKey.PAEDIATRICS: "paediatrics",
    SectionKey.DIAGNOSIS: "diagnosis",
    SectionKey.DISCOVERY: "how the cancer was found",
    SectionKey.PHASE: "clinical phase",
    SectionKey.PROGRAMME: "therapeutic and follow-up programme",
    SectionKey.SUPPORT: "supportive care and social support",
    SectionKey.STATUS: "document status",
    SectionKey.REFERENCES: "referenced documents",
    SectionKey.PERSONAL_DATA: "information on personal data",
}
_KIND_LABELS = {
    ItemKind.TREATMENT: "treatments",
    ItemKind.SIDE_EFFECT_MANAGEMENT: "side-effect management",
    ItemKind.ASSOCIATED_MEASURE: "associated measures",
    ItemKind.FOLLOW_UP: "follow-up",
    ItemKind.SUPPORTIVE_CARE: "supportive care",
    ItemKind.SOCIAL_SUPPORT: "social support",
}


def _time(value: HL7Time | None) -> str:
    return value.to_hl7() if value is not None else "-"


def report(plan: CarePlan) -> str:
    """Several lines of plain English describing what was read: structure and counts only, never the patient's
    identity or health details, so that a report can be pasted into a ticket."""
    meta = plan.metadata
    lines = [
        f"document: {meta.id or '-'}",
        f"set: {meta.set_id or '-'}  version: {meta.version if meta.version is not None else '-'}"
        f"  date: {_time(meta.effective_time)}",
    ]
    if meta.replaces is not None:
        lines.append(f"replaces: {meta.replaces}")
    ins = plan.patient.ins
    lines.append(f"patient INS: {INS_SYSTEMS.get(ins.root or '', ins.root) if ins else 'missing'}")
    if plan.is_pdf_only:
        size = len(plan.pdf) if plan.pdf is not None else 0
        lines.append(f"PDF-only document: {plan.pdf_media_type or '-'}, {size} bytes decoded")
    else:
        lines.append("sections:")
        present = {section.key for section in plan.sections}
        for key, label in SECTION_LABELS.items():
            lines.append(f"  [{'x' if key in present else ' '}] {label}" + ("" if key in present else " (missing)"))
        lines.append(f"sections found: {len(present)} of {len(SECTION_LABELS)}")
        for kind, label in _KIND_LABELS.items():
            done = len(plan.items(kind, ItemStatus.DONE))
            planned = len(plan.items(kind, ItemStatus.PLANNED))
            lines.append(f"{label}: {done} done, {planned} planned")
        stop = plan.treatment_stop
        stopped = "-" if stop is None else f"{'yes' if stop.stopped else 'no'} ({_time(stop.date)})"
        lines.append(f"stop of all active treatments: {stopped}")
        status = plan.status
        if status is not None:
            lines.append(f"status: {status.status.text if status.status else '-'}")
            reason = status.update_reason
            lines.append(
                f"reason for update: {reason.code + ' ' + (reason.text or '') if reason and reason.code else '-'}"
            )
            lines.append(f"RCP date: {_time(status.rcp_date)}  handed to the patient: {_time(status.handed_date)}")
        lines.append(f"referenced documents: {len(plan.referenced_documents)}")
    lines.append(
        f"contacts: {len(plan.contacts)}  trusted persons: {len(plan.trusted_persons)}"
        f"  emergency contacts: {len(plan.emergency_contacts)}  guardians: {len(plan.patient.guardians)}"
    )
    lines.append(f"warnings: {len(plan.warnings)}")
    lines.extend(f"  - {warning.section}: {warning.message}" for warning in plan.warnings)
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------------
# `portal check FILE`: which model a file follows, and the structural checks of that model
# ----------------------------------------------------------------------------------------------------

_RCP_SECTION_LABELS = {
    RcpSectionKey.REASON: "reason for the RCP",
    RcpSectionKey.DISCOVERY: "how the cancer was found",
    RcpSectionKey.DIAGNOSIS: "cancer diagnosis",
    RcpSectionKey.MEDICAL_HISTORY: "medical history",
    RcpSectionKey.ACTIVE_PROBLEMS: "comorbidities",
    RcpSectionKey.FUNCTIONAL_STATUS: "functional status",
    RcpSectionKey.EXAM_RESULTS: "examination results",
    RcpSectionKey.PHASE: "clinical phase",
    RcpSectionKey.PAST_TREATMENTS: "past treatments",
    RcpSectionKey.SURGERY_REPORT: "surgery report conclusion",
    RcpSectionKey.PATHOLOGY_REPORT: "pathology report conclusion",
    RcpSectionKey.GENETICS_REPORT: "genetics report conclusion",
    RcpSectionKey.HISTORY: "case summary and question",
    RcpSectionKey.FILE_STATUS: "status of the file presented",
    RcpSectionKey.CARE_PLAN: "proposal (care plan)",
    RcpSectionKey.FRAMEWORK: "framework of the proposal",
    RcpSectionKey.COMMENT: "comment on the patient",
    RcpSectionKey.DOCUMENT_STATUS: "document status",
}


def model_of(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> DocumentModel:
    """Which CI-SIS model the document follows, from its template ids; DocumentRefused when neither."""
    doc = find_clinical_document(parse_untrusted(data, max_bytes=max_bytes))
    templates = {t.get("root") for t in doc.findall(V + "templateId")}
    for model in DocumentModel:
        if model.template in templates:
            return model
    raise DocumentRefused(
        f"not a CI-SIS cancer document: neither template {DocumentModel.PPS.template} (CANCER-PPS) nor "
        f"{DocumentModel.FRCP.template} (CANCER-FRCP)"
    )


def pps_problems(plan: CarePlan) -> list[str]:
    """What makes a PPS structurally non-conformant: identifiers and the sections the model makes mandatory."""
    problems = _header_problems(plan.metadata.id, plan.patient.ins)
    if not plan.is_pdf_only:
        present = {section.key for section in plan.sections}
        problems += [f"section missing: {SECTION_LABELS[k]}" for k in REQUIRED_SECTIONS if k not in present]
    return problems


def rcp_problems(report: RcpReport) -> list[str]:
    """What makes an RCP report structurally non-conformant: identifiers, the meeting's identifiers and place
    (componentOf), and the nine mandatory sections."""
    problems = _header_problems(report.metadata.id, report.patient.ins)
    meeting = report.meeting
    for what, ident in (("network", meeting.network_id), ("manager", meeting.manager_id), ("RCP", meeting.rcp_id)):
        if ident is None:
            problems.append(f"componentOf: no national identifier of the {what}")
    if meeting.facility is None or meeting.facility.name is None:
        problems.append("componentOf: no name of the establishment")
    if meeting.facility is None or not meeting.facility.addresses:
        problems.append("componentOf: no address of the establishment")
    present = {section.key for section in report.sections}
    problems += [f"section missing: {_RCP_SECTION_LABELS[k]}" for k in RCP_REQUIRED_SECTIONS if k not in present]
    return problems


def _header_problems(document_id: Identifier | None, ins: Identifier | None) -> list[str]:
    problems = []
    if document_id is None:
        problems.append("no document id")
    if ins is None:
        problems.append("no INS for the patient")
    return problems


def rcp_report(report: RcpReport) -> str:
    """Several lines of plain English on what was read in an RCP report (structure and counts, no identity)."""
    meta, meeting = report.metadata, report.meeting
    lines = [
        f"document: {meta.id or '-'}",
        f"set: {meta.set_id or '-'}  version: {meta.version if meta.version is not None else '-'}"
        f"  date: {_time(meta.effective_time)}",
    ]
    ins = report.patient.ins
    lines.append(f"patient INS: {INS_SYSTEMS.get(ins.root or '', ins.root) if ins else 'missing'}")
    ids = [
        f"{what} {'yes' if ident else 'no'}"
        for what, ident in (("network", meeting.network_id), ("manager", meeting.manager_id), ("RCP", meeting.rcp_id))
    ]
    lines.append(f"meeting: {_time(meeting.date)}  identifiers: {', '.join(ids)}")
    lines.append("sections:")
    present = {section.key for section in report.sections}
    for key, label in _RCP_SECTION_LABELS.items():
        required = key in RCP_REQUIRED_SECTIONS
        mark = "x" if key in present else " "
        lines.append(f"  [{mark}] {label}" + (" (missing)" if required and key not in present else ""))
    lines.append(f"sections found: {len(present)} ({len(RCP_REQUIRED_SECTIONS)} mandatory)")
    quorum = len(report.participants_as(ParticipantRole.QUORUM_MEMBER))
    lines.append(f"participants: {len(report.participants)}  quorum members: {quorum}")
    proposal = report.proposal
    lines.append(
        f"proposal: {len(proposal.treatments) if proposal else 0} treatments, "
        f"{len(proposal.requested_exams) if proposal else 0} exams requested"
    )
    lines.append(f"warnings: {len(report.warnings)}")
    lines.extend(f"  - {warning.section}: {warning.message}" for warning in report.warnings)
    return "\n".join(lines)
