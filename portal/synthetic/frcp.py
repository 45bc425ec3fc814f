"""Write an RCP report (Fiche RCP, CI-SIS CANCER-FRCP 2022.01) of a synthetic case: the document a PPS follows.

Header as in the official FRCP example (template 1.2.250.1.213.1.1.1.8, LOINC 34794-8, RCP service event and
encounter); the body keeps three narrative sections (tumour, case summary, proposal), enough for a person to
read it and for the portal to link it from the PPS.
"""

from __future__ import annotations

import datetime as dt

from portal.synthetic import codes as c
from portal.synthetic import ids
from portal.synthetic.spec import Case
from portal.synthetic.xml import (
    author,
    code_el,
    custodian,
    el,
    french_date,
    header_start,
    legal_authenticator,
    moment,
    record_target,
    serialise,
    service_event,
)

RCP_EVENT = c.Code("1.2.250.1.213.3.3.13", "39", "Réunion de Concertation Pluridisciplinaire (RCP)")


def frcp_title(case: Case, index: int, reference: dt.date) -> str:
    report = case.rcp_reports[index - 1]
    return f"Fiche RCP du {french_date(reference, report.date)}"


def write_frcp(case: Case, index: int, reference: dt.date) -> bytes:
    """The CDA bytes of the case's RCP report number `index` (1-based)."""
    report = case.rcp_reports[index - 1]
    held = moment(reference, report.date, 17, 0)
    root = header_start(
        template=c.FRCP_TEMPLATE,
        doc_id=ids.frcp_id(case, index),
        code=c.DOC_FRCP,
        title=frcp_title(case, index, reference),
        effective=held,
        set_id=ids.frcp_id(case, index) + ".0",
        version=1,
    )
    record_target(root, case, reference)
    author(root, case.author, held)
    custodian(root, case.custodian)
    legal_authenticator(root, case.author, held)
    service_event(root, case.author, held, RCP_EVENT)
    encounter = el(el(root, "componentOf"), "encompassingEncounter")
    el(encounter, "code", code="VR", displayName="Virtuelle", codeSystem="2.16.840.1.113883.5.4")
    el(el(encounter, "effectiveTime"), "low", value=held)
    facility = el(el(encounter, "location"), "healthCareFacility")
    el(facility, "code", code="SA01", displayName="Etablissement public de santé", codeSystem="1.2.250.1.71.4.2.4")
    body = el(el(root, "component"), "structuredBody")
    diagnosis = case.diagnosis
    tumour = (
        f"{diagnosis.topography.display} ({diagnosis.topography.code}) ; {diagnosis.morphology.display} "
        f"({diagnosis.morphology.code}) ; diagnostic du {french_date(reference, diagnosis.date)}."
        if diagnosis
        else "Tumeur non précisée."
    )
    for loinc, name, title, text in (
        ("72135-7", "Diagnostic du cancer", "TUMEUR", tumour),
        ("10164-2", "Histoire de la maladie", "SYNTHÈSE DU CAS PRÉSENTÉ", report.summary),
        ("21874-3", "Statut du dossier présenté en RCP", "PROPOSITION DE LA RCP", report.proposal),
    ):
        section = el(el(body, "component"), "section")
        code_el(section, "code", c.Code(c.LOINC, loinc, name))
        el(section, "title", title)
        el(el(section, "text"), "paragraph", text)
    section = el(el(body, "component"), "section")
    el(section, "templateId", root="1.2.250.1.213.1.1.2.35")
    code_el(section, "code", c.Code(c.LOINC, "33557-0", "Etat d'achèvement"))
    el(section, "title", "STATUT DU DOCUMENT")
    el(el(section, "text"), "paragraph", f"Fiche validée le {french_date(reference, report.date)}.")
    return serialise(root)
