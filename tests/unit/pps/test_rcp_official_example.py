"""The official CI-SIS CANCER-FRCP 2022.01 example (fiche RCP): every value a patient could be shown is in the model."""

from __future__ import annotations

import pytest

from portal.pps import DocumentRefused
from portal.pps.model import Address, Code, HL7Time, Identifier, Period, PersonName, Progression, ReadWarning
from portal.pps.rcp_model import ParticipantRole, RcpReport, RcpSectionKey, RequestedExam
from portal.pps.rcp_reader import read_rcp

from .documents import EXTERNAL, FRCP, reference_file

TA_ASIP = "1.2.250.1.213.1.1.4.322"
SNOMED = "2.16.840.1.113883.6.96"
NCIT = "2.16.840.1.113883.3.26.1.1"
TNM = "2.16.840.1.113883.15.6"
FREE = "(Texte libre)"
ANGERS = Address(house_number="4", street_name="Rue Larrey", postal_code="49933", city="ANGERS")


@pytest.fixture(scope="module")
def report() -> RcpReport:
    return read_rcp(reference_file(FRCP))


def day(text: str) -> HL7Time:
    return HL7Time.parse(text)


def test_every_section_of_the_example_is_recognised_in_order(report: RcpReport) -> None:
    assert [s.key for s in report.sections] == [
        RcpSectionKey.REASON,
        RcpSectionKey.DISCOVERY,
        RcpSectionKey.DIAGNOSIS,
        RcpSectionKey.MEDICAL_HISTORY,
        RcpSectionKey.ACTIVE_PROBLEMS,
        RcpSectionKey.FUNCTIONAL_STATUS,
        RcpSectionKey.EXAM_RESULTS,
        RcpSectionKey.PHASE,
        RcpSectionKey.PAST_TREATMENTS,
        RcpSectionKey.SURGERY_REPORT,
        RcpSectionKey.PATHOLOGY_REPORT,
        RcpSectionKey.GENETICS_REPORT,
        RcpSectionKey.HISTORY,
        RcpSectionKey.FILE_STATUS,
        RcpSectionKey.CARE_PLAN,
        RcpSectionKey.FRAMEWORK,
        RcpSectionKey.COMMENT,
        RcpSectionKey.DOCUMENT_STATUS,
    ]


def test_only_the_example_s_own_broken_references_are_warned_about(report: RcpReport) -> None:
    # The example points to "#raison" (no such ID) and to "#Commentaire-motif-de-RCP" (the ID says "de-la-RCP").
    assert report.warnings == (
        ReadWarning("reason", "narrative reference '#raison' not found"),
        ReadWarning("reason", "narrative reference '#raison' not found"),
        ReadWarning("reason", "narrative reference '#Commentaire-motif-de-RCP' not found"),
    )


def test_document_metadata(report: RcpReport) -> None:
    meta = report.metadata
    assert meta.id == Identifier("1.2.250.1.213.1.1.1.8.2022.1.1")
    assert meta.set_id == Identifier("1.2.250.1.213.1.1.1.8.2022.1")
    assert meta.version == 1
    assert meta.title == "FRCP ONCO PAYS DE LA LOIRE / 3C CHU Angers / Sein"
    assert meta.effective_time == day("20190218094914+0100")
    assert meta.code is not None and meta.code.code == "34794-8"
    assert meta.template_ids[-1] == Identifier("1.2.250.1.213.1.1.1.8", "2022.01")
    assert meta.custodian is not None and meta.custodian.name == "Centre Hospitalier d'Angers"
    assert meta.legal_authenticator is not None and meta.legal_authenticator.professional.rpps == "801234567897"


def test_patient_and_the_people_around_them(report: RcpReport) -> None:
    patient = report.patient
    assert patient.ins == Identifier("1.2.250.1.213.1.4.10", "279035121518989")
    assert (patient.name.birth_family, patient.name.first_given) == ("PAT-TROIS", "DOMINIQUE")
    assert patient.birth_date == day("19790328")
    assert [g.name for g in patient.guardians] == [PersonName(family="NESSI", given=("Jeanne",), prefix=("MME",))]
    assert [p.name for p in report.trusted_persons] == [PersonName(family="NESSI", given=("Sophie",))]
    assert [p.role for p in report.emergency_contacts] == ["ECON"]


def test_the_meeting_when_where_and_its_national_identifiers(report: RcpReport) -> None:
    meeting = report.meeting
    assert meeting.name == "ONCO PAYS DE LA LOIRE / 3C CHU Angers / Sein"
    assert meeting.date == day("20190218171100+0100")
    assert meeting.network_id == Identifier("1.2.250.1.161.1.20.1.1", "5201")
    assert meeting.manager_id == Identifier("1.2.250.1.161.1.20.2.1", "520114")
    assert meeting.rcp_id == Identifier("1.2.250.1.161.1.20.3.1", "27011113")
    assert meeting.other_ids == (
        Identifier("1.2.250.1.213.1.1.9", "234567890"),
        Identifier("1.2.3.4.567.8.9.10", "54678"),
    )
    assert meeting.facility is not None
    assert meeting.facility.name == "Centre Hospitalier d'Angers"
    assert meeting.facility.ids == (Identifier("1.2.250.1.71.4.2.2", "1120456789"),)
    assert meeting.facility.addresses == (ANGERS,)
    assert meeting.facility_kind is not None and meeting.facility_kind.code == "SA01"
    assert meeting.encounter_kind is not None and meeting.encounter_kind.code == "VR"
    assert meeting.topography == Code(
        "2.16.840.1.113883.6.3", "C50.2", "Tumeur maligne du quadrant supéro-interne du sein"
    )


def test_participants_by_role(report: RcpReport) -> None:
    roles = [(p.role, p.name.display if p.name else None, p.comment) for p in report.participants]
    assert roles == [
        (ParticipantRole.COORDINATOR, "Charles MULLER", "PS Coordonnateur de la RCP"),
        (ParticipantRole.REQUESTER, "Julie PRENT", "PS Demandeur"),
        (ParticipantRole.PRESENTER, "Julie PRENT", "PS Présentateur"),
        (ParticipantRole.GENERAL_PRACTITIONER, "Gilbert MAGNE", "Inconnu"),
        (ParticipantRole.QUORUM_MEMBER, "Julie PRENT", "Participant du quorum"),
        (ParticipantRole.QUORUM_MEMBER, "Guillaume DECOURT", "Participant du quorum"),
        (ParticipantRole.GUEST, "Cécile MANON", "Participant hors quorum"),
        (ParticipantRole.GUEST, "Véronique LILOU", "Participant hors quorum"),
        (ParticipantRole.CORRESPONDENT, "Pierre FABRE", "PS Correspondant"),
    ]
    coordinator = report.participants_as(ParticipantRole.COORDINATOR)[0]
    assert coordinator.profession is not None and coordinator.profession.code == "G15_10/SM36"
    assert coordinator.organization is not None and coordinator.organization.name == "Centre Hospitalier d'Angers"
    assert [t.value for t in coordinator.telecoms] == ["tel:0242515151", "tel:0642515152"]
    guest = report.participants_as(ParticipantRole.GUEST)[1]
    assert guest.ids == () and guest.organization is not None and guest.organization.name == "Etablissement du Reuil"


def test_the_reason_type_and_motive_of_the_rcp(report: RcpReport) -> None:
    reason = report.reason
    assert reason is not None
    assert reason.nature == Code(TA_ASIP, "ORG-117", "RCP Appareil - Organes")
    assert reason.system == Code(SNOMED, "76752008", "sein")
    assert reason.organs == (Code(SNOMED, "76752008", "sein"),)
    assert (reason.recourse_rcp, reason.paediatric_rcp) == (False, True)
    assert reason.kind_comment == FREE
    assert (reason.diagnostic_opinion, reason.treatment_proposal, reason.recourse, reason.paediatric) == (
        True,
        True,
        False,
        False,
    )
    assert reason.case_status == Code(TA_ASIP, "ORG-128", "Cas enregistré")
    assert reason.motive_comment is None  # its reference is broken (see the warnings)
    assert reason.problem is None


def test_discovery_diagnosis_and_phase(report: RcpReport) -> None:
    assert report.discovery is not None
    assert (report.discovery.screening, report.discovery.date) == (True, day("20190215"))
    (tumour,) = report.diagnoses
    assert tumour.date == day("20190129")
    assert tumour.label == "Tumeur Primitive"
    assert tumour.topography is not None and tumour.topography.original_text == "Quadrant supéro-interne du sein"
    assert tumour.laterality is not None and tumour.laterality.code == "24028007"
    assert tumour.morphology is not None and tumour.morphology.code == "8000/3"
    assert tumour.clinical_stage is not None and tumour.clinical_stage.code == "IB"
    assert [p.code if p else None for p in (tumour.tnm_t, tumour.tnm_n, tumour.tnm_m)] == ["T1b", "N1", "M0"]
    assert tumour.tnm_version == Code(TNM, "7", "TNM_UICC 7ème édition")
    assert (tumour.other_stages, tumour.comment) == ((FREE,), FREE)
    assert report.phase is not None
    assert report.phase.code == Code(TA_ASIP, "MED-244", "Rechute du cancer")
    assert (report.phase.date, report.phase.comment) == (day("20190215"), FREE)
    assert report.progression == Progression(
        present=True, date=day("20190215"), local=True, regional=True, distant=False
    )


def test_what_the_meeting_knew_history_results_and_past_treatments(report: RcpReport) -> None:
    assert report.history == (
        "Synthèse du cas présenté et question posée à la RCP\n(Texte libre)\n"
        "Autres données indispensables à l'avis de la RCP\n(Texte libre)"
    )
    assert report.exam_results is not None
    assert report.exam_results.splitlines()[:2] == [
        "Eléments paracliniques",
        "15/02/2019 | Clairance de la créatinine | Créatinine normale",
    ]
    first, second = report.past_treatments
    assert (first.proposed, first.type, first.title) == (
        False,
        Code(TA_ASIP, "MED-227", "Surveillance active"),
        "Surveillance active",
    )
    assert first.label is None  # the narrative says "-"
    assert (first.status_code, first.dates) == ("active", Period(low=day("20181002"), high=day("20190215")))
    assert (second.label, second.status_code, second.comment) == (FREE, "completed", FREE)


def test_the_proposal_treatments_in_order_exams_surveillance_and_recourse(report: RcpReport) -> None:
    proposal = report.proposal
    assert proposal is not None
    assert [(t.proposed, t.rank, t.type.code if t.type else None, t.label) for t in proposal.treatments] == [
        (True, "1", "C15313", "Radiothérapie"),
        (True, "2", "GEN-092.03.01", "Autre traitement XYZ"),
        (True, "3", "C15632", "Chimiothérapie conventionnelle"),
    ]
    assert proposal.treatments[0].type == Code(NCIT, "C15313", "Radiothérapie", original_text="Radiothérapie")
    assert {t.dates for t in proposal.treatments} == {Period(low=day("20190220"), high=day("20190820"))}
    assert proposal.requested_exams == (RequestedExam(FREE, day("20190218"), day("20190228")),) * 3
    assert (proposal.surveillance, proposal.recourse_rcp) == ("OUI (Texte libre)", "OUI")
    assert proposal.comment is None  # the comment's content element is empty; its text follows it


def test_framework_file_and_document_status(report: RcpReport) -> None:
    assert report.framework is not None
    assert (report.framework.guideline, report.framework.guideline_date) == (FREE, day("20180101"))
    assert report.framework.trial_proposed is False
    assert report.file_status is not None
    assert report.file_status.complete is True
    assert report.file_status.quorum is not None and report.file_status.quorum.code == "ORG-126"
    assert report.file_status.comment == FREE
    assert report.status is not None
    assert report.status.status == Code(SNOMED, "385651009", "en cours d'exécution")
    assert (report.status.status_date, report.status.comment) == (day("20190314"), FREE)
    assert report.patient_comment == "Commentaires / précisions sur le patient\n(Texte libre)"


def test_narrative_only_sections_keep_their_text(report: RcpReport) -> None:
    surgery = report.section(RcpSectionKey.SURGERY_REPORT)
    assert surgery is not None and surgery.title == "COMPTE RENDU OPÉRATOIRE (CRO)"
    assert "Texte de la conclusion du CRO" in surgery.text
    problems = report.section(RcpSectionKey.ACTIVE_PROBLEMS)
    assert problems is not None and "Diabète sucré" in problems.text


def test_the_official_pps_example_is_refused_as_not_an_rcp_report() -> None:
    with pytest.raises(
        DocumentRefused, match=r"^not an RCP report: a cancer PPS \(template 1\.2\.250\.1\.213\.1\.1\.1\.26\)$"
    ):
        read_rcp(reference_file(EXTERNAL))
