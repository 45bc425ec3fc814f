"""Every synthetic RCP report, read back by the RCP reader, says field by field what its case says, and stays
linked to the PPS it led to."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.pps.model import Code, Identifier, ReferencedKind
from portal.pps.rcp_model import ParticipantRole, RcpReport, RcpSectionKey
from portal.pps.rcp_reader import read_rcp
from portal.pps.reader import read_pps
from synthetic import GeneratedDocument, build_documents, ids
from synthetic import codes as c
from synthetic.frcp import known_treatments, proposed_treatments
from synthetic.spec import DEFAULT_REFERENCE_DATE, on
from synthetic.spec import RcpReport as RcpSpec

DOCUMENTS = build_documents()
REPORTS = [d for d in DOCUMENTS if d.kind == "frcp"]


def spec(document: GeneratedDocument) -> RcpSpec:
    return document.case.rcp_reports[document.number - 1]


def day(offset: int) -> dt.date:
    return on(DEFAULT_REFERENCE_DATE, offset)


def code(value: c.Code) -> Code:
    return Code(value.system, value.code, value.display)


@pytest.fixture(params=REPORTS, ids=lambda d: d.filename)
def document(request: pytest.FixtureRequest) -> GeneratedDocument:
    found: GeneratedDocument = request.param
    return found


@pytest.fixture
def report(document: GeneratedDocument) -> RcpReport:
    return read_rcp(document.cda)


def test_three_cases_have_a_report(report: RcpReport) -> None:
    assert {d.case.key for d in REPORTS} == {"breast", "child", "ovarian"}
    assert report.warnings == ()


def test_header_and_meeting(document: GeneratedDocument, report: RcpReport) -> None:
    case, rcp = document.case, spec(document)
    assert report.metadata.id == Identifier(ids.frcp_id(case, document.number))
    assert report.metadata.title == document.title
    assert report.patient.ins is not None and report.patient.ins.root == c.INS_TEST
    assert report.meeting.name == rcp.name
    assert report.meeting.date is not None and report.meeting.date.to_date() == day(rcp.date)
    assert report.meeting.network_id is not None and report.meeting.network_id.root == c.RRC_ID
    assert report.meeting.manager_id is not None and report.meeting.manager_id.root == c.RCP_MANAGER_ID
    assert report.meeting.rcp_id is not None and report.meeting.rcp_id.root == c.RCP_ID
    assert report.meeting.facility is not None
    assert report.meeting.facility.name == rcp.facility.name
    assert report.meeting.facility.addresses[0].city == rcp.facility.address.city
    assert case.diagnosis is not None and report.meeting.topography == code(case.diagnosis.topography)


def test_participants(document: GeneratedDocument, report: RcpReport) -> None:
    case, rcp = document.case, spec(document)

    def names(role: ParticipantRole) -> list[str]:
        return [p.name.family or "" for p in report.participants_as(role) if p.name]

    assert names(ParticipantRole.COORDINATOR) == [case.author.family]
    assert names(ParticipantRole.REQUESTER) == [rcp.requester.family]
    assert names(ParticipantRole.QUORUM_MEMBER) == [m.family for m in rcp.quorum]
    gp = next(contact.professional for contact in case.contacts if contact.role == "gp")
    assert gp is not None and names(ParticipantRole.GENERAL_PRACTITIONER) == [gp.family]


def test_reason(document: GeneratedDocument, report: RcpReport) -> None:
    rcp = spec(document)
    reason = report.reason
    assert reason is not None
    assert reason.nature == code(c.RCP_ORGANS)
    assert (reason.system, reason.organs) == (code(rcp.system), (code(rcp.organ),))
    assert (reason.paediatric_rcp, reason.paediatric) == (document.case.paediatric, document.case.paediatric)
    assert (reason.diagnostic_opinion, reason.treatment_proposal, reason.recourse) == (False, True, False)
    assert reason.case_status == code(c.CASE_DISCUSSED)
    assert reason.problem == rcp.question


def test_discovery_diagnosis_and_phase_as_in_the_pps_it_led_to(document: GeneratedDocument, report: RcpReport) -> None:
    case, rcp = document.case, spec(document)
    version = case.versions[rcp.for_version - 1]
    diagnosis = case.diagnosis
    assert diagnosis is not None
    assert report.discovery is not None and report.discovery.screening is case.screening
    (tumour,) = report.diagnoses
    assert tumour.topography is not None and tumour.morphology is not None
    assert tumour.topography.key == (diagnosis.topography.system, diagnosis.topography.code)
    assert tumour.morphology.key == (diagnosis.morphology.system, diagnosis.morphology.code)
    for given, read in (
        (diagnosis.tnm_t, tumour.tnm_t),
        (diagnosis.tnm_n, tumour.tnm_n),
        (diagnosis.tnm_m, tumour.tnm_m),
    ):
        # The FRCP model requires T, N and M: not applicable when the case stages its tumour otherwise.
        assert read is not None
        assert (read.code, read.null_flavor) == ((given.code, None) if given else (None, "NA"))
    if diagnosis.other_stage:
        assert tumour.other_stages == (diagnosis.other_stage,)
    assert report.phase is not None and report.phase.code is not None
    assert report.phase.code.key == (version.phase.system, version.phase.code)
    assert report.progression is not None and report.progression.present is bool(version.progression)


def test_what_the_meeting_knew(document: GeneratedDocument, report: RcpReport) -> None:
    rcp = spec(document)
    assert report.history == f"{rcp.summary}\n{rcp.question}"
    assert report.exam_results is not None
    for exam in rcp.exams:
        assert f"{day(exam.date):%d/%m/%Y} | {exam.name} | {exam.result}" in report.exam_results.splitlines()
    done = known_treatments(document.case, document.number)
    assert [(t.proposed, t.label, t.status_code) for t in report.past_treatments] == [
        (False, i.label, "completed") for i in done
    ]
    assert (report.section(RcpSectionKey.PAST_TREATMENTS) is None) is (not done)


def test_the_proposal_is_the_planned_treatments_of_the_pps_in_order(
    document: GeneratedDocument, report: RcpReport
) -> None:
    rcp = spec(document)
    proposal = report.proposal
    assert proposal is not None
    planned = proposed_treatments(document.case, document.number)
    assert planned, "every meeting proposes something"
    assert [(t.rank, t.label) for t in proposal.treatments] == [(str(n), i.label) for n, i in enumerate(planned, 1)]
    for read, item in zip(proposal.treatments, planned, strict=True):
        assert read.proposed and read.status_code == "active"
        expected = c.HORMONE_THERAPY_FRCP if item.type == c.HORMONE_THERAPY else item.type
        assert read.type is not None and (read.type.system, read.type.code) == (expected.system, expected.code)
        assert read.dates is not None and read.dates.start is not None
        assert item.planned_start is not None and read.dates.start.to_date() == day(item.planned_start)
    assert proposal.comment == rcp.proposal


def test_framework_file_and_status(document: GeneratedDocument, report: RcpReport) -> None:
    rcp = spec(document)
    assert report.framework is not None
    assert report.framework.guideline == rcp.guideline
    assert report.framework.guideline_date is not None and report.framework.guideline_date.to_date() == day(
        rcp.guideline_date
    )
    assert report.framework.trial_proposed is rcp.trial
    assert report.file_status is not None and report.file_status.complete is True
    assert report.file_status.quorum == code(c.QUORUM_REACHED)
    assert report.status is not None and report.status.status == code(c.STATUS_APPROVED)


def test_the_pps_it_led_to_references_it_and_names_the_same_meeting_day(
    document: GeneratedDocument, report: RcpReport
) -> None:
    rcp = spec(document)
    (pps,) = [d for d in DOCUMENTS if d.kind == "pps" and d.case is document.case and d.number == rcp.for_version]
    plan = read_pps(pps.cda)
    linked = [r.id for r in plan.referenced_documents if r.kind == ReferencedKind.RCP_REPORT]
    assert linked == [report.metadata.id]
    assert plan.status is not None and plan.status.rcp_date is not None
    assert report.meeting.date is not None and plan.status.rcp_date.to_date() == report.meeting.date.to_date()


def test_one_meeting_per_trial_value_so_both_are_exercised() -> None:
    assert {spec(d).trial for d in REPORTS} == {True, False}
