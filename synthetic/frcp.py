"""Write an RCP report (Fiche RCP, CI-SIS CANCER-FRCP 2022.01) of a synthetic case: the document a PPS follows.

Every section and header part the model makes mandatory, with the diagnosis, discovery and phase written as in
the PPS the meeting led to (`body.BodyWriter`) and the proposal taken from that PPS's planned treatments.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from lxml import etree

from synthetic import codes as c
from synthetic import ids
from synthetic.body import BodyWriter
from synthetic.spec import Case, Item, Organisation, Professional, RcpReport
from synthetic.xml import (
    HL7,
    address,
    author,
    code_el,
    custodian,
    el,
    french_date,
    header_start,
    informants,
    legal_authenticator,
    moment,
    person_name,
    record_target,
    rpps_id,
    serialise,
    telecom,
)

__all__ = ["RCP_EVENT", "frcp_title", "known_treatments", "proposed_treatments", "write_frcp"]

RCP_EVENT = c.RCP_EVENT
#: Fictional identifiers of the regional network (RRC) and its RCP manager under the national roots: region
#: "99" does not exist, so they never name a real network.
RRC_EXTENSION = "9901"
MANAGER_EXTENSION = "990101"

_COMMENT_TEMPLATES = ("2.16.840.1.113883.10.20.1.40", "1.3.6.1.4.1.19376.1.5.3.1.4.2", "1.2.250.1.213.1.1.3.32")
# The FRCP value set of treatment types writes some PPS codes differently.
_FRCP_TREATMENT = {c.HORMONE_THERAPY.code: c.HORMONE_THERAPY_FRCP}


def frcp_title(case: Case, index: int, reference: dt.date) -> str:
    report = case.rcp_reports[index - 1]
    return f"Fiche RCP du {french_date(reference, report.date)}"


def proposed_treatments(case: Case, index: int) -> tuple[Item, ...]:
    """The treatments the meeting proposed: those the PPS it led to plans (not yet done), in plan order."""
    report = case.rcp_reports[index - 1]
    version = case.versions[report.for_version - 1]
    return tuple(i for i in version.items if i.kind == "treatment" and not i.done)


def known_treatments(case: Case, index: int) -> tuple[Item, ...]:
    """The treatments already given when the meeting met: those the PPS it led to lists as done."""
    report = case.rcp_reports[index - 1]
    version = case.versions[report.for_version - 1]
    return tuple(i for i in version.items if i.kind == "treatment" and i.done)


def write_frcp(case: Case, index: int, reference: dt.date) -> bytes:
    """The CDA bytes of the case's RCP report number `index` (1-based)."""
    return _RcpWriter(case, index, reference).write()


def _rcp_extension(report: RcpReport) -> str:
    """A stable fictional national RCP number per meeting name, under the fictional manager's prefix."""
    return f"9901{sum(map(ord, report.name)) % 100:02d}"


def _frcp_code(item: Item) -> c.Code:
    return _FRCP_TREATMENT.get(item.type.code, item.type)


class _RcpWriter(BodyWriter):
    def __init__(self, case: Case, index: int, reference: dt.date) -> None:
        report = case.rcp_reports[index - 1]
        # The phase and progression are those of the plan the meeting led to, as known on the meeting's day.
        version = dataclasses.replace(case.versions[report.for_version - 1], date=report.date)
        super().__init__(case, version, reference, f"{case.key}/frcp/{index}")
        self.index = index
        self.report = report

    # -- header ----------------------------------------------------------------------------------------------

    def write(self) -> bytes:
        case, report = self.case, self.report
        held = moment(self.ref, report.date, 17, 0)
        root = header_start(
            template=c.FRCP_TEMPLATE,
            doc_id=ids.frcp_id(case, self.index),
            code=c.DOC_FRCP,
            title=frcp_title(case, self.index, self.ref),
            effective=held,
            set_id=ids.frcp_id(case, self.index) + ".0",
            version=1,
        )
        record_target(root, case, self.ref)
        author(root, case.author, held)
        informants(root, case)
        custodian(root, case.custodian)
        legal_authenticator(root, case.author, held)
        self.participant(root, "RESP", None, "Coordonnateur de la RCP", case.author)
        self.participant(root, "REFB", None, "Médecin qui a demandé la RCP", report.requester)
        gp = next((contact.professional for contact in case.contacts if contact.role == "gp"), None)
        if gp is not None:
            self.participant(root, "INF", c.GP_FUNCTION, "Médecin traitant", gp)
        for member in report.quorum:
            self.participant(root, "PRF", c.TEAM_MEMBER, "Participant du quorum", member)
        self.service_events(root, held)
        self.encounter(root, held)
        self.body(el(el(root, "component"), "structuredBody"))
        return serialise(root)

    def participant(
        self, root: etree._Element, type_code: str, function: c.Code | None, comment: str, who: Professional
    ) -> None:
        element = el(root, "participant", typeCode=type_code)
        function_element = (
            el(element, "functionCode", nullFlavor="NA")
            if function is None
            else code_el(element, "functionCode", function)
        )
        el(function_element, "originalText", comment)
        el(element, "time", nullFlavor="UNK")
        entity = el(element, "associatedEntity", classCode="PROV")
        rpps_id(entity, who)
        code_el(entity, "code", who.profession)
        if who.organisation is not None:
            address(entity, who.organisation.address)
        telecom(entity, who.phone, "WP")
        person_name(el(entity, "associatedPerson"), who.given, who.family, who.prefix)
        if who.organisation is not None:
            _organisation(el(entity, "scopingOrganization"), who.organisation)

    def service_events(self, root: etree._Element, held: str) -> None:
        event = el(el(root, "documentationOf"), "serviceEvent", classCode="ACT")
        el(code_el(event, "code", RCP_EVENT), "originalText", self.report.name)
        el(el(event, "effectiveTime"), "low", value=held)
        performer = el(el(event, "performer", typeCode="PRF"), "assignedEntity")
        rpps_id(performer, self.case.author)
        code_el(performer, "code", self.case.author.profession)
        person_name(
            el(performer, "assignedPerson"), self.case.author.given, self.case.author.family, self.case.author.prefix
        )
        if self.case.diagnosis is not None:
            # The tumour the meeting was about (topography, CIM-10).
            code_el(
                el(el(root, "documentationOf"), "serviceEvent", classCode="ACT"), "code", self.case.diagnosis.topography
            )

    def encounter(self, root: etree._Element, held: str) -> None:
        report = self.report
        encounter = el(el(root, "componentOf"), "encompassingEncounter")
        el(encounter, "id", root=c.RRC_ID, extension=RRC_EXTENSION)
        el(encounter, "id", root=c.RCP_MANAGER_ID, extension=MANAGER_EXTENSION)
        el(encounter, "id", root=c.RCP_ID, extension=_rcp_extension(report))
        el(encounter, "code", code="VR", displayName="Virtuelle", codeSystem="2.16.840.1.113883.5.4")
        el(el(encounter, "effectiveTime"), "low", value=held)
        facility = el(el(encounter, "location"), "healthCareFacility")
        if report.facility.finess:
            el(facility, "id", root=c.FINESS, extension=report.facility.finess)
        el(facility, "code", code="SA01", displayName="Etablissement public de santé", codeSystem="1.2.250.1.71.4.2.4")
        place = el(facility, "location")
        el(place, "name", report.facility.name)
        address(place, report.facility.address)

    # -- body ------------------------------------------------------------------------------------------------

    def body(self, body: etree._Element) -> None:
        self.reason(body)
        self.discovery(body)
        self.diagnosis(body, title="TUMEUR", tnm_required=True)
        self.exams(body)
        self.phase(body)
        self.known_treatments(body)
        self.history(body)
        self.file_status(body)
        self.care_plan(body)
        self.framework(body)
        self.document_status(body)

    def observation(
        self, parent: etree._Element, code: c.Code, reference: str, type_code: str = "REFR"
    ) -> etree._Element:
        """An FR-Simple-Observation inside an entryRelationship of `parent` (its value is added by the caller)."""
        return self.simple_observation(el(parent, "entryRelationship", typeCode=type_code), code, reference)

    def yes_no(self, rows: etree._Element, title: str, value: bool) -> str:
        tr = el(rows, "tr")
        el(tr, "td", title)
        return self.content(el(tr, "td"), "Oui" if value else "Non", "oui-non")

    def reason(self, body: etree._Element) -> None:
        case, report = self.case, self.report
        section, text = self.section(
            body,
            ("1.3.6.1.4.1.19376.1.5.3.1.3.1", "1.3.6.1.4.1.19376.1.5.3.1.3.2", "1.2.250.1.213.1.1.2.128"),
            c.Code(c.LOINC, "42349-1", "Raison de la recommandation"),
            "TYPE DE RCP / MOTIF DE LA RCP",
        )
        kind = el(el(text, "table", border="0"), "tbody")
        tr = el(kind, "tr")
        el(tr, "td", "Nature de la discussion")
        nature = self.content(el(tr, "td"), c.RCP_ORGANS.display, "nature")
        tr = el(kind, "tr")
        el(tr, "td", "Appareil")
        system = self.content(el(tr, "td"), report.system.display, "appareil")
        tr = el(kind, "tr")
        el(tr, "td", "Organe")
        organ = self.content(el(tr, "td"), report.organ.display, "organe")
        recourse = self.yes_no(kind, "RCP de recours", False)
        paediatric = self.yes_no(kind, "RCP pédiatrique", case.paediatric)
        motive = el(el(text, "table", border="0"), "tbody")
        opinion = self.yes_no(motive, "Avis diagnostique", report.diagnostic_opinion)
        proposal = self.yes_no(motive, "Proposition thérapeutique", True)
        recourse_motive = self.yes_no(motive, "Recours", False)
        paediatric_motive = self.yes_no(motive, "Pédiatrique", case.paediatric)
        tr = el(motive, "tr")
        el(tr, "td", "Statut du cas présenté")
        case_status = self.content(el(tr, "td"), c.CASE_DISCUSSED.display, "statut-cas")
        question = self.content(el(text, "paragraph", "Question posée : "), report.question, "question")

        observation = self.simple_observation(el(section, "entry"), c.RCP_NATURE, nature)
        code_el(observation, "value", c.RCP_ORGANS, type_="CD")
        about = self.observation(observation, c.RCP_SYSTEM, system, "SUBJ")
        code_el(about, "value", report.system, type_="CD")
        code_el(self.observation(about, c.RCP_ORGAN, organ), "value", report.organ, type_="CD")
        el(self.observation(about, c.RCP_RECOURSE, recourse), "value", type_="BL", value="false")
        el(self.observation(about, c.RCP_PAEDIATRIC, paediatric), "value", type_="BL", value=_bl(case.paediatric))
        why = self.observation(observation, c.RCP_MOTIVE, question, "SUBJ")
        el(why, "value", type_="CD", nullFlavor="NA")
        for code, reference, value in (
            (c.DIAGNOSTIC_OPINION, opinion, report.diagnostic_opinion),
            (c.TREATMENT_PROPOSAL, proposal, True),
            (c.RECOURSE, recourse_motive, False),
            (c.PAEDIATRICS, paediatric_motive, case.paediatric),
        ):
            el(self.observation(why, code, reference), "value", type_="BL", value=_bl(value))
        code_el(self.observation(why, c.CASE_STATUS, case_status), "value", c.CASE_DISCUSSED, type_="CD")

        problem = el(el(section, "entry"), "observation", classCode="OBS", moodCode="EVN", negationInd="false")
        for template in ("2.16.840.1.113883.10.20.1.28", "1.3.6.1.4.1.19376.1.5.3.1.4.5", "1.2.250.1.213.1.1.3.37"):
            el(problem, "templateId", root=template)
        el(problem, "id", root=self.uuid())
        code_el(problem, "code", c.PROBLEM)
        el(el(problem, "text"), "reference", value=f"#{question}")
        el(problem, "statusCode", code="completed")
        el(el(problem, "effectiveTime"), "low", value=self.day(report.date))
        el(el(el(problem, "value", type_="CD", nullFlavor="NA"), "originalText"), "reference", value=f"#{question}")

    def exams(self, body: etree._Element) -> None:
        """FR-Resultats-examens-non-code: the results the meeting looked at, in words."""
        if not self.report.exams:
            return
        _, text = self.section(
            body,
            ("1.3.6.1.4.1.19376.1.5.3.1.3.27", "1.2.250.1.213.1.1.2.150"),
            c.Code(c.LOINC, "30954-2", "Résultats d'examens"),
            "ÉLÉMENTS PARACLINIQUES",
        )
        table = el(text, "table", border="0")
        header = el(el(table, "thead"), "tr")
        for title in ("Date", "Examen", "Résultat"):
            el(header, "th", title)
        rows = el(table, "tbody")
        for exam in self.report.exams:
            tr = el(rows, "tr")
            el(tr, "td", french_date(self.ref, exam.date))
            self.content(el(tr, "td"), exam.name, "examen")
            self.content(el(tr, "td"), exam.result, "resultat")

    def known_treatments(self, body: etree._Element) -> None:
        """FR-Actes-et-interventions: treatments already given when the meeting met (when there are any)."""
        done = known_treatments(self.case, self.index)
        if not done:
            return
        section, text = self.section(
            body,
            ("1.3.6.1.4.1.19376.1.5.3.1.1.13.2.11", "1.2.250.1.213.1.1.2.118"),
            c.Code(c.LOINC, "29554-3", "Actes"),
            "TRAITEMENTS DÉJÀ RÉALISÉS",
        )
        rows = self.treatment_table(text, ("Traitement", "Date de début", "Date de fin"))
        for item in done:
            tr = el(rows, "tr")
            label = self.content(el(tr, "td"), item.label, "traitement")
            el(tr, "td", french_date(self.ref, item.start))
            el(tr, "td", french_date(self.ref, item.end if item.end is not None else item.start))
            self.procedure(section, item, label, done=True)

    def treatment_table(self, text: etree._Element, titles: tuple[str, ...]) -> etree._Element:
        table = el(text, "table", border="0")
        header = el(el(table, "thead"), "tr")
        for title in titles:
            el(header, "th", title)
        return el(table, "tbody")

    def procedure(self, section: etree._Element, item: Item, label: str, *, done: bool, rank: int = 0) -> None:
        """An FR-Acte: a treatment given (EVN) or proposed (INT), typed in JDV_TypeTraitement_FRCP."""
        procedure = el(
            el(section, "entry"), "procedure", classCode="PROC", moodCode="EVN" if done else "INT", negationInd="false"
        )
        templates = (
            ("1.3.6.1.4.1.19376.1.5.3.1.4.19", "2.16.840.1.113883.10.20.1.29", "1.2.250.1.213.1.1.3.62")
            if done
            else ("2.16.840.1.113883.10.20.1.25", "1.3.6.1.4.1.19376.1.5.3.1.4.19", "1.2.250.1.213.1.1.3.62")
        )
        for template in templates:
            el(procedure, "templateId", root=template)
        el(procedure, "id", root=self.uuid())
        el(el(code_el(procedure, "code", _frcp_code(item)), "originalText"), "reference", value=f"#{label}")
        el(el(procedure, "text"), "reference", value=f"#{label}")
        el(procedure, "statusCode", code="completed" if done else "active")
        start, end = (item.start, item.end) if done else (item.planned_start, item.planned_end)
        time = el(procedure, "effectiveTime")
        if start is None and end is None:
            time.set("nullFlavor", "UNK")
        if start is not None:
            el(time, "low", value=self.day(start))
        if end is not None:
            el(time, "high", value=self.day(end))
        if rank:
            el(el(procedure, "priorityCode"), "originalText", str(rank))

    def history(self, body: etree._Element) -> None:
        """FR-Histoire-de-la-maladie-non-code: the case summary and the question put to the meeting."""
        _, text = self.section(
            body,
            ("1.3.6.1.4.1.19376.1.5.3.1.3.4", "1.2.250.1.213.1.1.2.130"),
            c.Code(c.LOINC, "10164-2", "Histoire de la maladie"),
            "SYNTHÈSE DU CAS PRÉSENTÉ ET QUESTION POSÉE À LA RCP",
        )
        el(text, "paragraph", self.report.summary)
        el(text, "paragraph", self.report.question)

    def file_status(self, body: etree._Element) -> None:
        """FR-Statut-dossier-RCP: the file was complete and the quorum reached."""
        section, text = self.section(
            body,
            ("1.2.250.1.213.1.1.2.33",),
            c.Code(c.LOINC, "21874-3", "Statut du dossier présenté en RCP"),
            "STATUT DU DOSSIER PRÉSENTÉ À LA RCP",
        )
        rows = el(el(text, "table", border="0"), "tbody")
        complete = self.yes_no(rows, "Dossier complet", True)
        tr = el(rows, "tr")
        el(tr, "td", "Quorum")
        quorum = self.content(el(tr, "td"), c.QUORUM_REACHED.display, "quorum")
        organizer = el(el(section, "entry"), "organizer", classCode="CLUSTER", moodCode="EVN")
        el(organizer, "templateId", root="1.2.250.1.213.1.1.3.7")
        code_el(organizer, "code", c.RCP_INFORMATION)
        el(organizer, "statusCode", code="completed")
        el(
            self.simple_observation(el(organizer, "component"), c.FILE_COMPLETE, complete),
            "value",
            type_="BL",
            value="true",
        )
        code_el(
            self.simple_observation(el(organizer, "component"), c.QUORUM, quorum), "value", c.QUORUM_REACHED, type_="CD"
        )

    def care_plan(self, body: etree._Element) -> None:
        """FR-Plan-de-soins: the proposed treatments, in order, and the proposal in words."""
        section, text = self.section(
            body,
            ("2.16.840.1.113883.10.20.1.10", "1.3.6.1.4.1.19376.1.5.3.1.3.36", "1.2.250.1.213.1.1.2.158"),
            c.Code(c.LOINC, "18776-5", "Plan de soins"),
            "PROPOSITION DE LA RCP",
        )
        rows = self.treatment_table(
            text, ("Intention", "Ordre", "Type de traitement", "Précision", "Début prévu", "Fin prévue")
        )
        for rank, item in enumerate(proposed_treatments(self.case, self.index), start=1):
            tr = el(rows, "tr")
            el(tr, "td", "1 (première intention)")
            el(tr, "td", str(rank))
            el(tr, "td", _frcp_code(item).display)
            label = self.content(el(tr, "td"), item.label, "traitement")
            el(tr, "td", french_date(self.ref, item.planned_start))
            el(tr, "td", french_date(self.ref, item.planned_end))
            self.procedure(section, item, label, done=False, rank=rank)
        proposal = self.content(el(text, "paragraph", "Proposition de la RCP : "), self.report.proposal, "proposition")
        act = el(el(section, "entry"), "act", classCode="ACT", moodCode="EVN")
        for template in _COMMENT_TEMPLATES:
            el(act, "templateId", root=template)
        code_el(act, "code", c.COMMENT)
        el(el(act, "text"), "reference", value=f"#{proposal}")
        el(act, "statusCode", code="completed")
        el(act, "effectiveTime", value=self.day(self.report.date))

    def framework(self, body: etree._Element) -> None:
        """FR-Cadre-de-la-proposition-therapeutique: the guideline followed, a clinical trial or not."""
        report = self.report
        section, text = self.section(
            body,
            ("1.2.250.1.213.1.1.2.175",),
            c.Code(c.LOINC, "35510-7", "Essais cliniques - Informations générales"),
            "CADRE DE LA PROPOSITION THÉRAPEUTIQUE",
        )
        rows = el(el(text, "table", border="0"), "tbody")
        tr = el(rows, "tr")
        el(tr, "td", "Référentiel de pratique clinique suivi")
        guideline = self.content(el(tr, "td"), report.guideline, "referentiel")
        el(tr, "td", f"Date : {french_date(self.ref, report.guideline_date)}")
        trial = self.yes_no(rows, "Proposition d'inclusion dans un essai clinique", report.trial)
        observation = self.simple_observation(
            el(section, "entry"), c.GUIDELINE, guideline, self.day(report.guideline_date)
        )
        el(el(el(observation, "value", type_="CD"), "originalText"), "reference", value=f"#{guideline}")
        el(
            self.simple_observation(el(section, "entry"), c.TRIAL_PROPOSED, trial),
            "value",
            type_="BL",
            value=_bl(report.trial),
        )

    def document_status(self, body: etree._Element) -> None:
        section, text = self.section(
            body,
            ("1.2.250.1.213.1.1.2.35",),
            c.Code(c.LOINC, "33557-0", "Etat d'achèvement"),
            "STATUT DU DOCUMENT",
        )
        status = self.content(
            el(text, "paragraph", "Statut : "),
            f"{c.STATUS_APPROVED.display}, fiche validée le {french_date(self.ref, self.report.date)}",
            "statut",
        )
        observation = self.simple_observation(el(section, "entry"), c.DOC_STATUS, status, self.day(self.report.date))
        observation.insert(2, etree.Element(f"{{{HL7}}}templateId", root="1.2.250.1.213.1.1.3.48.16"))
        code_el(observation, "value", c.STATUS_APPROVED, type_="CD")


def _bl(value: bool) -> str:
    return "true" if value else "false"


def _organisation(parent: etree._Element, organisation: Organisation) -> None:
    if organisation.finess:
        el(parent, "id", root=c.FINESS, extension=organisation.finess)
    el(parent, "name", organisation.name)
    telecom(parent, organisation.phone, "WP")
    address(parent, organisation.address)
