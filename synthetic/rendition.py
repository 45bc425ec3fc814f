"""The PDF rendition of one version of a synthetic case: what a platform prints for the patient.

It says the same as the CDA document in a plain page layout; the PDF-only PPS embeds it in a `nonXMLBody`,
and structured PPS carry it as a second attachment of their DocumentReference.
"""

from __future__ import annotations

import datetime as dt

from synthetic.pdf import Line, write_pdf
from synthetic.spec import PROGRAMME_KINDS, SUPPORT_KINDS, Case, Item
from synthetic.xml import french_date


def _when(item: Item, reference: dt.date) -> str:
    if item.done or item.start is not None:
        span = (item.start, item.end)
        prefix = "Réalisé" if item.done else "Commencé"
    else:
        span = (item.planned_start, item.planned_end)
        prefix = "Prévu"
    start, end = (french_date(reference, d) if d is not None else None for d in span)
    if start and end and start != end:
        return f"{prefix} du {start} au {end}"
    return f"{prefix} le {start or end}" if (start or end) else prefix


def rendition_title(case: Case, number: int) -> str:
    return f"Programme personnalisé de soins de {case.patient.given} {case.patient.birth_family} (version {number})"


def rendition(case: Case, number: int, reference: dt.date) -> bytes:
    """The PDF bytes of version `number` of the case."""
    version = case.versions[number - 1]
    patient = case.patient
    lines = [
        Line("PROGRAMME PERSONNALISÉ DE SOINS EN CANCÉROLOGIE", heading=True),
        Line("Document de démonstration : personnes et données fictives."),
        Line(""),
        Line(
            f"Patient : {patient.given} {patient.used_family or patient.birth_family} "
            f"(né(e) {patient.birth_family}), né(e) le {patient.birth_date(reference).strftime('%d/%m/%Y')}"
        ),
        Line(
            f"Version {number} du {french_date(reference, version.date)} ; RCP du "
            f"{french_date(reference, version.rcp_date)}"
        ),
    ]
    if version.reason is not None:
        lines.append(Line(f"Motif de mise à jour : {version.reason.display}. {version.reason_detail or ''}"))
    if case.diagnosis is not None:
        lines += [
            Line(""),
            Line("Diagnostic", heading=True),
            Line(
                f"{case.diagnosis.topography.display} ({case.diagnosis.topography.code}), "
                f"{case.diagnosis.morphology.display}, diagnostiqué le "
                f"{french_date(reference, case.diagnosis.date)}"
            ),
        ]
    lines += [Line(""), Line(f"Phase : {version.phase.display}")]
    for title, kinds in (
        ("Programme thérapeutique et de suivi", PROGRAMME_KINDS),
        ("Soins de support et accompagnement", SUPPORT_KINDS),
    ):
        lines += [Line(""), Line(title, heading=True)]
        for item in (i for i in version.items if i.kind in kinds):
            details = "; ".join(p for p in (_when(item, reference), item.rhythm) if p)
            lines.append(Line(f"- {item.label} : {details}"))
    if version.stop is not None:
        lines.append(
            Line(
                f"Arrêt des traitements actifs le {french_date(reference, version.stop.date)} : {version.stop.comment}"
            )
        )
    lines += [Line(""), Line("Contacts utiles", heading=True)]
    for contact in case.contacts_of(version):
        who = contact.professional
        name = f"{who.given} {who.family}" if who else (contact.organisation.name if contact.organisation else "")
        phone = who.phone if who else (contact.organisation.phone if contact.organisation else "")
        lines.append(Line(f"- {name} : {phone}"))
    return write_pdf(rendition_title(case, number), lines)
