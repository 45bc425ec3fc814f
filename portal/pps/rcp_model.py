"""The RCP report model: what a patient can be shown of a CI-SIS CANCER-FRCP 2022.01 document (fiche RCP), as plain
frozen dataclasses reusing the care-plan model's header, diagnosis, phase and status types."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from portal.pps.hl7time import HL7Time
from portal.pps.model import (
    Address,
    Code,
    Diagnosis,
    Discovery,
    DocumentMetadata,
    DocumentStatus,
    Identifier,
    Organization,
    Patient,
    Period,
    PersonName,
    Phase,
    Progression,
    ReadWarning,
    RelatedPerson,
    Telecom,
)

__all__ = [
    "RCP_ID_SYSTEMS",
    "FileStatus",
    "Framework",
    "Meeting",
    "Participant",
    "ParticipantRole",
    "Proposal",
    "RcpReport",
    "RcpSection",
    "RcpSectionKey",
    "Reason",
    "RequestedExam",
    "Treatment",
]

RCP_ID_SYSTEMS = {
    "1.2.250.1.161.1.20.1.1": "network",
    "1.2.250.1.161.1.20.2.1": "manager",
    "1.2.250.1.161.1.20.3.1": "rcp",
}
"""Roots of the national identifiers of the regional network (RRC), its RCP manager and the RCP itself."""


class RcpSectionKey(StrEnum):
    """The body sections of a CANCER-FRCP document, identified by their CI-SIS template (or LOINC code)."""

    REASON = "reason"  # FR-Raison-de-la-recommandation (42349-1): type et motif de la RCP [1..1]
    DISCOVERY = "discovery"  # FR-Resultats-evenements (42545-4): mode de découverte du cancer [1..1]
    DIAGNOSIS = "diagnosis"  # FR-Diagnostic-du-cancer (72135-7) [1..1]
    MEDICAL_HISTORY = "medical_history"  # FR-Antecedents-medicaux-non-code (11348-0)
    ACTIVE_PROBLEMS = "active_problems"  # FR-Problemes-actifs-non-code (11450-4): comorbidités
    FUNCTIONAL_STATUS = "functional_status"  # FR-Evaluation-du-statut-fonctionnel (47420-5)
    EXAM_RESULTS = "exam_results"  # FR-Resultats-examens-non-code (30954-2): éléments paracliniques
    PHASE = "phase"  # FR-Note-de-progression (18733-6): phase clinique [1..1]
    PAST_TREATMENTS = "past_treatments"  # FR-Actes-et-interventions (29554-3): traitements passés ou en cours
    SURGERY_REPORT = "surgery_report"  # FR-Conclusion-de-CRO (10218-6)
    PATHOLOGY_REPORT = "pathology_report"  # FR-Conclusion-du-CR-ACP (30954-2)
    GENETICS_REPORT = "genetics_report"  # FR-Conclusion-CR-GM (50397-9)
    HISTORY = "history"  # FR-Histoire-de-la-maladie-non-code (10164-2): synthèse et question posée [1..1]
    FILE_STATUS = "file_status"  # FR-Statut-dossier-RCP (21874-3) [1..1]
    CARE_PLAN = "care_plan"  # FR-Plan-de-soins (18776-5): proposition de la RCP [1..1]
    FRAMEWORK = "framework"  # FR-Cadre-de-la-proposition-therapeutique (35510-7) [1..1]
    COMMENT = "comment"  # FR-Commentaire-non-code (55112-7): commentaire sur le patient
    DOCUMENT_STATUS = "document_status"  # FR-Statut-du-document (33557-0) [1..1]


@dataclass(frozen=True, slots=True)
class RcpSection:
    """A body section as found: key, title, code and narrative as plain text (bloc narratif)."""

    key: RcpSectionKey
    title: str | None
    code: Code | None
    text: str


@dataclass(frozen=True, slots=True)
class Meeting:
    """The meeting itself (la réunion): header `componentOf/encompassingEncounter` and `documentationOf`.

    `name` is the RCP's denomination (network / manager / RCP, the serviceEvent code's originalText); `date`
    when it met; `network_id`, `manager_id`, `rcp_id` its national identifiers (RRC, gestionnaire RCP, RCP),
    `other_ids` the session and local ones; `facility` the establishment where it is organised (name,
    address, FINESS) and `facility_kind` its sector; `encounter_kind` how the patient took part (e.g. VR:
    discussed in their absence); `topography` the tumour it discussed (CIM-10), when the header gives it.
    """

    name: str | None = None
    date: HL7Time | None = None
    network_id: Identifier | None = None
    manager_id: Identifier | None = None
    rcp_id: Identifier | None = None
    other_ids: tuple[Identifier, ...] = ()
    facility: Organization | None = None
    facility_kind: Code | None = None
    encounter_kind: Code | None = None
    topography: Code | None = None


class ParticipantRole(StrEnum):
    """Role of a header participant of the RCP report, from its typeCode and functionCode."""

    COORDINATOR = "coordinator"  # RESP: coordonnateur de la RCP
    REQUESTER = "requester"  # REFB: médecin demandeur
    PRESENTER = "presenter"  # PRF without function: présentateur du dossier
    QUORUM_MEMBER = "quorum_member"  # PRF + 353: participant appartenant au quorum
    GUEST = "guest"  # PRF + CORRE: participant hors quorum
    GENERAL_PRACTITIONER = "general_practitioner"  # INF + PCP: médecin traitant
    CORRESPONDENT = "correspondent"  # CON + CORRE: médecin correspondant
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Participant:
    """A professional around the meeting (participant): role, name, profession, structure, how to reach them.

    `comment` is the functionCode's originalText (e.g. "Participant du quorum").
    """

    role: ParticipantRole
    name: PersonName | None = None
    profession: Code | None = None
    organization: Organization | None = None
    ids: tuple[Identifier, ...] = ()
    telecoms: tuple[Telecom, ...] = ()
    addresses: tuple[Address, ...] = ()
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Reason:
    """Why the case came to the meeting (type et motif de la RCP).

    Type: `nature` (GEN-098, e.g. ORG-117 organ RCP), `system` (appareil, ORG-118), `organs` (ORG-119),
    `recourse_rcp` (RCP de recours, ORG-184), `paediatric_rcp` (ORG-185), `kind_comment`. Motive:
    `diagnostic_opinion` (avis diagnostique, MED-235), `treatment_proposal` (ORG-114), `recourse` (ORG-115),
    `paediatric` (ORG-116), `case_status` (registered or discussed, ORG-127), `motive_comment`; `problem` is the
    reason in the author's words (FR-Probleme).
    """

    nature: Code | None = None
    system: Code | None = None
    organs: tuple[Code, ...] = ()
    recourse_rcp: bool | None = None
    paediatric_rcp: bool | None = None
    kind_comment: str | None = None
    diagnostic_opinion: bool | None = None
    treatment_proposal: bool | None = None
    recourse: bool | None = None
    paediatric: bool | None = None
    case_status: Code | None = None
    motive_comment: str | None = None
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class Treatment:
    """A treatment (FR-Acte): given or under way (`proposed` False), or proposed by the meeting (True).

    `type` from JDV_TypeTraitement_FRCP (e.g. NCIt C15313 radiotherapy), `label` its narrative words,
    `status_code` (completed, active, cancelled), `dates`, `rank` the sequence number of a proposed treatment
    (numéro séquentiel), `comment` (48767-8).
    """

    proposed: bool
    type: Code | None = None
    label: str | None = None
    status_code: str | None = None
    dates: Period | None = None
    rank: str | None = None
    comment: str | None = None

    @property
    def title(self) -> str | None:
        """The author's words, else the type's display."""
        return self.label or (self.type.text if self.type else None)


@dataclass(frozen=True, slots=True)
class RequestedExam:
    """A further examination or opinion the meeting asks for (demande d'examen ou de suivi, ORG-064)."""

    text: str | None
    earliest: HL7Time | None = None
    latest: HL7Time | None = None


@dataclass(frozen=True, slots=True)
class Proposal:
    """What the meeting proposed (FR-Plan-de-soins): treatments in order, examinations asked for, surveillance,
    a recourse RCP, and the proposal in words (`comment`)."""

    treatments: tuple[Treatment, ...] = ()
    requested_exams: tuple[RequestedExam, ...] = ()
    surveillance: str | None = None
    recourse_rcp: str | None = None
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Framework:
    """The framework of the proposal (cadre): the clinical practice guideline followed (MED-249) with its date,
    whether inclusion in a clinical trial was proposed (MED-250), and a comment."""

    guideline: str | None = None
    guideline_date: HL7Time | None = None
    trial_proposed: bool | None = None
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class FileStatus:
    """The file presented to the meeting (statut du dossier): complete (GEN-100), quorum (ORG-125), comment."""

    complete: bool | None = None
    quorum: Code | None = None
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class RcpReport:
    """An RCP report (fiche de réunion de concertation pluridisciplinaire), one version of one document. What the
    reader could not read is listed in `warnings`, never raised.

    `past_treatments` are those the meeting knew of (FR-Actes-et-interventions); `history` is the case summary
    and the question put to the meeting; `exam_results` the results it looked at, as written. Optional
    narrative-only sections (medical history, comorbidities, functional status, surgery, pathology and genetics
    conclusions) are in `sections`, by key.
    """

    metadata: DocumentMetadata
    patient: Patient
    meeting: Meeting = field(default_factory=Meeting)
    participants: tuple[Participant, ...] = ()
    trusted_persons: tuple[RelatedPerson, ...] = ()
    emergency_contacts: tuple[RelatedPerson, ...] = ()
    reason: Reason | None = None
    discovery: Discovery | None = None
    diagnoses: tuple[Diagnosis, ...] = ()
    phase: Phase | None = None
    progression: Progression | None = None
    past_treatments: tuple[Treatment, ...] = ()
    history: str | None = None
    exam_results: str | None = None
    proposal: Proposal | None = None
    framework: Framework | None = None
    file_status: FileStatus | None = None
    status: DocumentStatus | None = None
    patient_comment: str | None = None
    sections: tuple[RcpSection, ...] = ()
    warnings: tuple[ReadWarning, ...] = ()

    def section(self, key: RcpSectionKey) -> RcpSection | None:
        """The section with this key, when the document has it."""
        for section in self.sections:
            if section.key == key:
                return section
        return None

    def participants_as(self, role: ParticipantRole) -> tuple[Participant, ...]:
        """The participants with this role, in document order."""
        return tuple(p for p in self.participants if p.role == role)
