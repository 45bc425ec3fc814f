"""The report `portal pps check FILE` prints: what the reader found in one document (for integrators).

It shows structure and counts, never the patient's identity or health details, so that it can be pasted into a
ticket.
"""

from __future__ import annotations

from portal.pps.hl7time import HL7Time
from portal.pps.model import INS_SYSTEMS, CarePlan, ItemKind, ItemStatus, SectionKey

__all__ = ["SECTION_LABELS", "report"]

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
    """Several lines of plain English describing what was read."""
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
