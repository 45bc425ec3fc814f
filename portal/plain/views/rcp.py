"""The RCP report as a patient can read it (plain step): the team meeting about their care (réunion de
concertation pluridisciplinaire), when and where it met, why the case came to it, what it knew, what it
proposed and in which framework, and who took part.

Built from `portal.pps.rcp_model.RcpReport` (portal.pps.rcp_reader) with the plan pages' own pieces: dates at
their precision, the team's words kept as written and marked with their language, tumours as on the illness
page, names softened. Plain Python: the web page and its PDF render the very same view.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.plain.labels import phase_label
from portal.plain.views.common import DocText, Lang, doc_text, format_time_point, person_name
from portal.plain.views.illness import TumourView, tumour_view
from portal.pps.rcp_model import ParticipantRole, RcpReport, Treatment

__all__ = ["RcpTreatment", "RcpView", "rcp_view"]


@dataclass(frozen=True, slots=True)
class RcpTreatment:
    """A treatment the meeting knew of or proposed: its name as written, its dates, its order, the comment."""

    name: DocText | None
    dates: str | None
    rank: str | None
    comment: DocText | None


@dataclass(frozen=True, slots=True)
class RcpPerson:
    """Someone around the meeting: name, role in plain words (already translated by the caller's labels)."""

    name: str
    role: ParticipantRole
    organisation: str | None


@dataclass(frozen=True, slots=True)
class RcpView:
    """What the RCP report page shows, in the page's language."""

    date: str | None
    name: DocText | None
    place: str | None
    absent: bool
    asked_opinion: bool
    asked_treatment: bool
    problem: DocText | None
    tumours: tuple[TumourView, ...]
    phase: str | None
    history: DocText | None
    past: tuple[RcpTreatment, ...]
    proposed: tuple[RcpTreatment, ...]
    exams: tuple[DocText, ...]
    surveillance: DocText | None
    proposal: DocText | None
    guideline: DocText | None
    trial_proposed: bool | None
    framework_comment: DocText | None
    people: tuple[RcpPerson, ...]
    #: What the phase means, in one sentence (the page says it beside the phase's plain name).
    phase_explanation: str | None = None


def _doc_lang(report: RcpReport) -> str:
    language = (report.metadata.language or "fr").strip().lower()
    return language.split("-", 1)[0] or "fr"


def _treatment(treatment: Treatment, lang: Lang, document_lang: str) -> RcpTreatment:
    dates = None
    if treatment.dates is not None:
        start = format_time_point(treatment.dates.low, lang)
        end = format_time_point(treatment.dates.high, lang)
        dates = start if start == end else " – ".join(d for d in (start, end) if d) or None
    return RcpTreatment(
        doc_text(treatment.title, lang, document_lang),
        dates,
        treatment.rank,
        doc_text(treatment.comment, lang, document_lang),
    )


def rcp_view(report: RcpReport, lang: Lang) -> RcpView:
    document_lang = _doc_lang(report)
    meeting = report.meeting
    reason = report.reason
    proposal = report.proposal
    framework = report.framework
    exams = proposal.requested_exams if proposal else ()
    # One line a person: the same doctor may be the coordinator, the presenter and a member of the quorum.
    people = tuple(
        {
            name: RcpPerson(name, p.role, p.organization.name if p.organization else None)
            for p in report.participants
            if (name := person_name(p.name, lang)) and p.role != ParticipantRole.OTHER
        }.values()
    )
    history = doc_text(report.history, lang, document_lang)
    problem = doc_text(reason.problem, lang, document_lang) if reason else None
    if problem and history and problem.text in history.text:
        problem = None  # said once, in the summary
    phase = phase_label(report.phase.code, lang) if report.phase else None
    return RcpView(
        date=format_time_point(meeting.date, lang),
        name=doc_text(meeting.name, lang, document_lang),
        place=meeting.facility.name if meeting.facility else None,
        # "VR": the case was discussed while the patient was not there, as most meetings are.
        absent=meeting.encounter_kind is not None and meeting.encounter_kind.code == "VR",
        asked_opinion=bool(reason and reason.diagnostic_opinion),
        asked_treatment=bool(reason and reason.treatment_proposal),
        problem=problem,
        tumours=tuple(tumour_view(d, lang, document_lang) for d in report.diagnoses),
        phase=phase.text if phase else None,
        history=history,
        past=tuple(_treatment(t, lang, document_lang) for t in report.past_treatments),
        proposed=tuple(_treatment(t, lang, document_lang) for t in (proposal.treatments if proposal else ())),
        exams=tuple(t for t in (doc_text(e.text, lang, document_lang) for e in exams) if t),
        surveillance=doc_text(proposal.surveillance, lang, document_lang) if proposal else None,
        proposal=doc_text(proposal.comment, lang, document_lang) if proposal else None,
        guideline=doc_text(framework.guideline, lang, document_lang) if framework else None,
        trial_proposed=framework.trial_proposed if framework else None,
        framework_comment=doc_text(framework.comment, lang, document_lang) if framework else None,
        people=people,
        phase_explanation=phase.explanation if phase else None,
    )
