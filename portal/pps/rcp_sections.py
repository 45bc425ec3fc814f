"""The sections proper to an RCP report → model values (`pps` step): reason, treatments, proposal, framework, file;
the sections it shares with the PPS (diagnosis, discovery, phase, document status) are read by `sections.py`."""

from __future__ import annotations

from lxml import etree

from portal.pps.cda import Context, V, first_child
from portal.pps.rcp_model import FileStatus, Framework, Proposal, RcpSectionKey, Reason, RequestedExam, Treatment
from portal.pps.sections import COMMENT_CODE, code_of, comment_of, entries, text_of, value_bool

__all__ = [
    "REQUIRED_SECTIONS",
    "identify",
    "read_file_status",
    "read_framework",
    "read_proposal",
    "read_reason",
    "read_treatments",
]

_BY_TEMPLATE = {
    "1.2.250.1.213.1.1.2.128": RcpSectionKey.REASON,
    "1.3.6.1.4.1.19376.1.5.3.1.3.2": RcpSectionKey.REASON,
    "1.2.250.1.213.1.1.2.163": RcpSectionKey.DISCOVERY,
    "1.3.6.1.4.1.19376.1.5.3.1.1.21.2.9": RcpSectionKey.DISCOVERY,
    "1.2.250.1.213.1.1.2.27": RcpSectionKey.DIAGNOSIS,
    "1.3.6.1.4.1.19376.1.7.3.1.3.14.1": RcpSectionKey.DIAGNOSIS,
    "1.2.250.1.213.1.1.2.2": RcpSectionKey.MEDICAL_HISTORY,
    "1.2.250.1.213.1.1.2.176": RcpSectionKey.ACTIVE_PROBLEMS,
    "1.2.250.1.213.1.1.2.111": RcpSectionKey.FUNCTIONAL_STATUS,
    "1.2.250.1.213.1.1.2.150": RcpSectionKey.EXAM_RESULTS,
    "1.2.250.1.213.1.1.2.25": RcpSectionKey.PHASE,
    "1.2.250.1.213.1.1.2.118": RcpSectionKey.PAST_TREATMENTS,
    "1.2.250.1.213.1.1.2.26": RcpSectionKey.SURGERY_REPORT,
    "1.2.250.1.213.1.1.2.34": RcpSectionKey.PATHOLOGY_REPORT,
    "1.2.250.1.213.1.1.2.67": RcpSectionKey.GENETICS_REPORT,
    "1.2.250.1.213.1.1.2.130": RcpSectionKey.HISTORY,
    "1.3.6.1.4.1.19376.1.5.3.1.3.4": RcpSectionKey.HISTORY,
    "1.2.250.1.213.1.1.2.33": RcpSectionKey.FILE_STATUS,
    "1.2.250.1.213.1.1.2.158": RcpSectionKey.CARE_PLAN,
    "1.3.6.1.4.1.19376.1.5.3.1.3.36": RcpSectionKey.CARE_PLAN,
    "1.2.250.1.213.1.1.2.175": RcpSectionKey.FRAMEWORK,
    "1.2.250.1.213.1.1.2.73": RcpSectionKey.COMMENT,
    "1.2.250.1.213.1.1.2.35": RcpSectionKey.DOCUMENT_STATUS,
}
# Without a known template: the LOINC code (30954-2 is shared by exam results and the pathology conclusion).
_BY_LOINC = {
    "42349-1": RcpSectionKey.REASON,
    "42545-4": RcpSectionKey.DISCOVERY,
    "72135-7": RcpSectionKey.DIAGNOSIS,
    "11348-0": RcpSectionKey.MEDICAL_HISTORY,
    "11450-4": RcpSectionKey.ACTIVE_PROBLEMS,
    "47420-5": RcpSectionKey.FUNCTIONAL_STATUS,
    "30954-2": RcpSectionKey.EXAM_RESULTS,
    "18733-6": RcpSectionKey.PHASE,
    "29554-3": RcpSectionKey.PAST_TREATMENTS,
    "10218-6": RcpSectionKey.SURGERY_REPORT,
    "50397-9": RcpSectionKey.GENETICS_REPORT,
    "10164-2": RcpSectionKey.HISTORY,
    "21874-3": RcpSectionKey.FILE_STATUS,
    "18776-5": RcpSectionKey.CARE_PLAN,
    "35510-7": RcpSectionKey.FRAMEWORK,
    "55112-7": RcpSectionKey.COMMENT,
    "33557-0": RcpSectionKey.DOCUMENT_STATUS,
}
#: The sections the CANCER-FRCP 2022.01 model makes mandatory ([1..1]; its schematron checks each).
REQUIRED_SECTIONS = (
    RcpSectionKey.REASON,
    RcpSectionKey.DISCOVERY,
    RcpSectionKey.DIAGNOSIS,
    RcpSectionKey.PHASE,
    RcpSectionKey.HISTORY,
    RcpSectionKey.FILE_STATUS,
    RcpSectionKey.CARE_PLAN,
    RcpSectionKey.FRAMEWORK,
    RcpSectionKey.DOCUMENT_STATUS,
)


def identify(section: etree._Element) -> RcpSectionKey | None:
    """Which section this is: by its CI-SIS (or IHE) template first, else by its LOINC code."""
    for template in section.findall(V + "templateId"):
        key = _BY_TEMPLATE.get(template.get("root") or "")
        if key is not None:
            return key
    return _BY_LOINC.get(code_of(section) or "")


def _observations(section: etree._Element) -> list[etree._Element]:
    """Every observation of the section, nested ones included, in document order."""
    return list(section.iter(V + "observation"))


def read_reason(ctx: Context, section: etree._Element) -> Reason:
    """Type de RCP (GEN-098 with ORG-118, ORG-119, ORG-184, ORG-185) and motif (ORG-186 with MED-235, ORG-114,
    ORG-115, ORG-116, ORG-127), and the problem (FR-Probleme) in the author's words."""
    found: dict[str, etree._Element] = {}
    organs = []
    problem = None
    for observation in _observations(section):
        code = code_of(observation) or ""
        if code == "ORG-119":
            organ = ctx.code(observation.find(V + "value"))
            if organ is not None:
                organs.append(organ)
        elif code == "55607006":
            value = observation.find(V + "value")
            problem = (ctx.resolve(value.find(V + "originalText")) if value is not None else None) or text_of(
                ctx, observation
            )
        elif code:
            found.setdefault(code, observation)
    if "GEN-098" not in found:
        ctx.warn("no nature of the discussion (GEN-098)")

    def flag(code: str) -> bool | None:
        observation = found.get(code)
        return value_bool(ctx, observation) if observation is not None else None

    def coded(code: str) -> etree._Element | None:
        observation = found.get(code)
        return observation.find(V + "value") if observation is not None else None

    kind, motive = found.get("ORG-118"), found.get("ORG-186")
    return Reason(
        nature=ctx.code(coded("GEN-098")),
        system=ctx.code(coded("ORG-118")),
        organs=tuple(organs),
        recourse_rcp=flag("ORG-184"),
        paediatric_rcp=flag("ORG-185"),
        kind_comment=comment_of(ctx, kind) if kind is not None else None,
        diagnostic_opinion=flag("MED-235"),
        treatment_proposal=flag("ORG-114"),
        recourse=flag("ORG-115"),
        paediatric=flag("ORG-116"),
        case_status=ctx.code(coded("ORG-127")),
        motive_comment=comment_of(ctx, motive) if motive is not None else None,
        problem=problem,
    )


def _treatment(ctx: Context, procedure: etree._Element) -> Treatment:
    code = ctx.code(procedure.find(V + "code"))
    priority = procedure.find(f"{V}priorityCode/{V}originalText")
    label = text_of(ctx, procedure) or (code.original_text if code is not None else None)
    status = procedure.find(V + "statusCode")
    return Treatment(
        proposed=procedure.get("moodCode") != "EVN",
        type=code,
        label=label,
        status_code=status.get("code") if status is not None else None,
        dates=ctx.period(procedure.find(V + "effectiveTime"), "treatment dates"),
        rank=ctx.string(priority),
        comment=comment_of(ctx, procedure),
    )


def read_treatments(ctx: Context, section: etree._Element) -> tuple[Treatment, ...]:
    """FR-Actes-et-interventions: the treatments given or under way when the meeting met."""
    found = []
    for act in entries(section):
        if act.tag == V + "procedure":
            found.append(_treatment(ctx, act))
        else:
            ctx.warn(f"unexpected entry {code_of(act)!r} ignored")
    return tuple(found)


def read_proposal(ctx: Context, section: etree._Element) -> Proposal:
    """FR-Plan-de-soins: proposed treatments (FR-Acte), exams asked for (ORG-064), surveillance (MED-226),
    recourse RCP (ORG-120) and the comment on the proposal."""
    treatments = []
    exams = []
    surveillance = recourse = comment = None
    for act in entries(section):
        code = code_of(act)
        if act.tag == V + "procedure":
            treatments.append(_treatment(ctx, act))
        elif code == "ORG-064":
            time = act.find(V + "effectiveTime")
            period = ctx.period(time, "requested exam dates")
            exams.append(
                RequestedExam(
                    text=text_of(ctx, act),
                    earliest=period.start if period else None,
                    latest=period.high if period else None,
                )
            )
        elif code == "MED-226":
            surveillance = text_of(ctx, act) or "-"
        elif code == "ORG-120":
            recourse = text_of(ctx, act) or "-"
        elif code == COMMENT_CODE:
            comment = text_of(ctx, act)
        else:
            ctx.warn(f"unexpected entry {code!r} ignored")
    if not treatments and surveillance is None and not exams:
        ctx.warn("the meeting proposed nothing: no treatment, surveillance nor exam")
    return Proposal(
        treatments=tuple(treatments),
        requested_exams=tuple(exams),
        surveillance=surveillance,
        recourse_rcp=recourse,
        comment=comment,
    )


def read_framework(ctx: Context, section: etree._Element) -> Framework:
    """FR-Cadre-de-la-proposition-therapeutique: guideline (MED-249) and its date, trial proposed (MED-250)."""
    guideline = guideline_date = trial = comment = None
    for act in entries(section):
        code = code_of(act)
        if code == "MED-249":
            value = act.find(V + "value")
            guideline = ctx.resolve(value.find(V + "originalText")) if value is not None else None
            guideline = guideline or (value.get("displayName") if value is not None else None) or text_of(ctx, act)
            guideline_date = ctx.start(act.find(V + "effectiveTime"), "guideline date")
        elif code == "MED-250":
            trial = value_bool(ctx, act)
        elif code == COMMENT_CODE:
            comment = text_of(ctx, act)
        else:
            ctx.warn(f"unexpected entry {code!r} ignored")
    return Framework(guideline=guideline, guideline_date=guideline_date, trial_proposed=trial, comment=comment)


def read_file_status(ctx: Context, section: etree._Element) -> FileStatus:
    """FR-Statut-dossier-RCP: the organizer GEN-099 with file complete (GEN-100), quorum (ORG-125), comment."""
    complete = quorum = comment = None
    organizer = next((e for e in entries(section) if code_of(e) == "GEN-099"), None)
    if organizer is None:
        ctx.warn("no RCP information (GEN-099)")
        return FileStatus()
    for component in organizer.findall(V + "component"):
        inner = first_child(component)
        if inner is None:
            continue
        code = code_of(inner)
        if code == "GEN-100":
            complete = value_bool(ctx, inner)
        elif code == "ORG-125":
            quorum = ctx.code(inner.find(V + "value"))
        elif code == COMMENT_CODE:
            comment = text_of(ctx, inner)
    return FileStatus(complete=complete, quorum=quorum, comment=comment)
