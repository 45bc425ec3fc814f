"""Two views of the same care plan, made comparable: what a synthetic case says, and what the reader found.

`expected(case, number, reference)` projects version `number` of a compact case; `observed(plan)` projects the
`CarePlan` the reader returned for the generated document. The round-trip tests compare them field by field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from portal.pps.hl7time import HL7Time
from portal.pps.model import CarePlan, Period, ProgrammeItem
from synthetic import ids
from synthetic.cda import references_of
from synthetic.codes import PROGRESSIONS
from synthetic.spec import Case, Contact, Item, on

KIND_CODES = {
    "treatment": "MED-568",
    "side_effect": "MED-569",
    "measure": "MED-570",
    "follow_up": "MED-571",
    "supportive": "MED-572",
    "social": "MED-573",
}
CONTACT_ROLES = {
    "reference_hospital": "ORG-177",
    "care_team": "ORG-177",
    "coordination_centre": "ORG-190",
    "local_professional": "ORG-178",
    "health_mediator": "ORG-188",
    "gp": "PCP",
    "city_hospital": "ORG-179",
    "regional_network": "ORG-191",
    "social_body": "ORG-180",
    "support_structure": "ORG-181",
}
REFERENCE_KINDS = {"frcp": "rcp_report", "genetics": "genetics_report", "pps": "previous_pps"}
RPPS_ROOT = "1.2.250.1.71.4.2.1"


def norm(text: str | None) -> str | None:
    """Whitespace collapsed, as the narrative reader gives text back."""
    return None if text is None else " ".join(text.split()) or None


def _day(reference: dt.date, offset: int | None) -> dt.date | None:
    return None if offset is None else on(reference, offset)


def _date(time: HL7Time | None) -> dt.date | None:
    return None if time is None else time.to_date()


def _national_id(rpps: str | None) -> str | None:
    return None if rpps is None else f"8{rpps}"


def expected_item(item: Item, reference: dt.date) -> tuple[Any, ...]:
    reason = None
    if item.reason is not None:
        reason = (item.reason.code.code, None if item.reason.kilograms is None else f"{item.reason.kilograms} kg")
    return (
        KIND_CODES[item.kind],
        "done" if item.done else "planned",
        (item.type.system, item.type.code),
        norm(item.label),
        _day(reference, item.start),
        _day(reference, item.end),
        _day(reference, item.planned_start),
        _day(reference, item.planned_end),
        norm(item.rhythm),
        item.at_home,
        item.route.code if item.route else None,
        norm(item.side_effects),
        norm(item.comment),
        _national_id(item.performer.rpps) if item.performer else None,
        item.place.name if item.place else None,
        reason,
    )


def _bounds(period: Period | None) -> tuple[dt.date | None, dt.date | None]:
    if period is None:
        return None, None
    return _date(period.low), _date(period.high)


def observed_item(item: ProgrammeItem) -> tuple[Any, ...]:
    reason = None
    if item.reasons:
        first = item.reasons[0]
        reason = (first.code.code if first.code else None, first.value)
    return (
        item.kind.value,
        item.status.value,
        item.type.key if item.type else None,
        item.label,
        *_bounds(item.dates),
        *_bounds(item.planned_dates),
        item.rhythm.text if item.rhythm else None,
        item.rhythm.at_home if item.rhythm else None,
        item.route.code if item.route else None,
        item.side_effects,
        item.comment,
        item.performers[0].rpps if item.performers else None,
        item.places[0].name if item.places else None,
        reason,
    )


def _expected_contact(contact: Contact) -> tuple[Any, ...]:
    organisation = contact.organisation or (contact.professional.organisation if contact.professional else None)
    return (
        CONTACT_ROLES[contact.role],
        _national_id(contact.professional.rpps) if contact.professional else None,
        organisation.name if organisation else None,
        norm(contact.comment),
    )


def _done_first(items: tuple[Item, ...]) -> list[Item]:
    return sorted(items, key=lambda item: not item.done)


def expected(case: Case, number: int, reference: dt.date) -> dict[str, Any]:
    """The comparable view of version `number` of a case."""
    version = case.versions[number - 1]
    diagnosis = case.diagnosis
    patient = case.patient
    progressed = bool(version.progression)
    view: dict[str, Any] = {
        "metadata": (
            ids.pps_id(case, number),
            ids.pps_set_id(case),
            number,
            ids.pps_id(case, number - 1) if number > 1 else None,
            on(reference, version.date),
        ),
        "patient": (
            patient.ins(reference),
            patient.birth_date(reference),
            patient.birth_family,
            patient.used_family or patient.birth_family,
            patient.given,
        ),
        "guardians": tuple(r.relationship.code for r in case.relatives if r.guardian),
        "trusted": tuple(r.given for r in case.relatives if r.trusted_person),
        "emergency": tuple(r.given for r in case.relatives if r.emergency_contact),
        "contacts": tuple(_expected_contact(contact) for contact in case.contacts_of(version)),
        "patient_comment": norm(version.patient_comment),
        "paediatrics": (case.paediatric, norm(case.paediatric_comment)),
        "diagnosis": None
        if diagnosis is None
        else (
            on(reference, diagnosis.date),
            diagnosis.topography.code,
            diagnosis.laterality.code if diagnosis.laterality else None,
            diagnosis.morphology.code,
            diagnosis.stage.code if diagnosis.stage else None,
            tuple(p.code if p else None for p in (diagnosis.tnm_t, diagnosis.tnm_n, diagnosis.tnm_m)),
            norm(diagnosis.other_stage),
            norm(diagnosis.comment),
        ),
        "screening": case.screening,
        "phase": (version.phase.code, on(reference, version.phase_date), norm(version.phase_comment)),
        "progression": (progressed, *((p in version.progression) if progressed else None for p in PROGRESSIONS)),
        # The document lists what was done before what is planned, each in the case's order.
        "programme": tuple(
            expected_item(i, reference)
            for i in _done_first(version.items)
            if i.kind in ("treatment", "side_effect", "measure", "follow_up")
        ),
        "support": tuple(
            expected_item(i, reference) for i in _done_first(version.items) if i.kind in ("supportive", "social")
        ),
        "stop": None if version.stop is None else (on(reference, version.stop.date), norm(version.stop.comment)),
        "status": (
            version.status.code,
            version.reason.code if version.reason else None,
            norm(version.reason_detail),
            on(reference, version.rcp_date),
            _day(reference, version.handed_date),
            norm(version.document_comment),
        ),
        "references": tuple(
            (REFERENCE_KINDS[d.kind], d.root, d.extension or None) for d in references_of(case, number)
        ),
    }
    return view


def observed(plan: CarePlan) -> dict[str, Any]:
    """The comparable view of what the reader found."""
    meta = plan.metadata
    patient = plan.patient
    diagnosis = plan.diagnoses[0] if plan.diagnoses else None
    status = plan.status
    progression = plan.progression
    return {
        "metadata": (
            meta.id.root if meta.id else None,
            meta.set_id.root if meta.set_id else None,
            meta.version,
            meta.replaces.root if meta.replaces else None,
            _date(meta.effective_time),
        ),
        "patient": (
            patient.ins_value,
            _date(patient.birth_date),
            patient.name.birth_family,
            patient.name.used_family,
            patient.name.first_given,
        ),
        "guardians": tuple(g.relationship.code if g.relationship else None for g in patient.guardians),
        "trusted": tuple(p.name.given[0] if p.name and p.name.given else None for p in plan.trusted_persons),
        "emergency": tuple(p.name.given[0] if p.name and p.name.given else None for p in plan.emergency_contacts),
        "contacts": tuple(
            (
                c.role.value,
                next((i.extension for i in c.ids if i.root == RPPS_ROOT), None),
                c.organization.name if c.organization else None,
                c.comment,
            )
            for c in plan.contacts
        ),
        "patient_comment": plan.patient_comment,
        "paediatrics": (plan.paediatrics.applies, plan.paediatrics.comment) if plan.paediatrics else None,
        "diagnosis": None
        if diagnosis is None
        else (
            _date(diagnosis.date),
            diagnosis.topography.code if diagnosis.topography else None,
            diagnosis.laterality.code if diagnosis.laterality else None,
            diagnosis.morphology.code if diagnosis.morphology else None,
            diagnosis.clinical_stage.code if diagnosis.clinical_stage else None,
            tuple(p.code if p else None for p in (diagnosis.tnm_t, diagnosis.tnm_n, diagnosis.tnm_m)),
            diagnosis.other_stages[0] if diagnosis.other_stages else None,
            diagnosis.comment,
        ),
        "screening": plan.discovery.screening if plan.discovery else None,
        "phase": (
            plan.phase.code.code if plan.phase and plan.phase.code else None,
            _date(plan.phase.date) if plan.phase else None,
            plan.phase.comment if plan.phase else None,
        ),
        "progression": None
        if progression is None
        else (progression.present, progression.local, progression.regional, progression.distant),
        "programme": tuple(observed_item(i) for i in plan.programme),
        "support": tuple(observed_item(i) for i in plan.support),
        "stop": None if plan.treatment_stop is None else (_date(plan.treatment_stop.date), plan.treatment_stop.comment),
        "status": None
        if status is None
        else (
            status.status.code if status.status else None,
            status.update_reason.code if status.update_reason else None,
            status.update_reason_comment,
            _date(status.rcp_date),
            _date(status.handed_date),
            status.comment,
        ),
        "references": tuple(
            (r.kind.value, r.id.root if r.id else None, r.id.extension if r.id else None)
            for r in plan.referenced_documents
        ),
    }
