"""The ten body sections of a cancer PPS → model values (`pps` step of the data path), some readers shared with RCP
reports. Entries the model does not know are reported as warnings, never guessed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from portal.pps.cda import XSI_TYPE, Context, V, first_child
from portal.pps.codes import TA_ASIP, CodeKind, kinds_of
from portal.pps.model import (
    Code,
    Diagnosis,
    Discovery,
    DocumentStatus,
    HealthProfessional,
    ItemKind,
    ItemReason,
    ItemStatus,
    Paediatrics,
    Period,
    Phase,
    Place,
    ProgrammeItem,
    Progression,
    ReferencedDocument,
    ReferencedKind,
    Rhythm,
    SectionKey,
    TreatmentStop,
)

__all__ = [
    "COMMENT_CODE",
    "Programme",
    "code_of",
    "comment_of",
    "entries",
    "identify",
    "read_diagnoses",
    "read_discovery",
    "read_items",
    "read_paediatrics",
    "read_phase",
    "read_references",
    "read_status",
    "text_of",
    "value_bool",
]

COMMENT_CODE = "48767-8"
_ITEM_KINDS = {kind.value: kind for kind in ItemKind}
_DONE_MOODS = frozenset({"EVN"})
# TNM clinical (21905-5…) and pathological (21899-0…) T, N, M observations.
_TNM = {"21905-5": "t", "21906-3": "n", "21907-1": "m", "21899-0": "t", "21900-6": "n", "21901-4": "m"}
_REFERENCE_CODES = {
    "34794-8": ReferencedKind.RCP_REPORT,  # Fiche RCP
    "51969-4": ReferencedKind.GENETICS_REPORT,  # Genetic analysis report
    "18776-5": ReferencedKind.PREVIOUS_PPS,
}


def identify(section: etree._Element, seen: set[SectionKey]) -> SectionKey | None:
    """Which of the ten sections this is, from its LOINC code and TA_ASIP translation; `seen` (the keys met so far)
    settles the two shared LOINC codes when a document omits the translation."""
    code = section.find(V + "code")
    loinc = code.get("code") if code is not None else None
    translations = (
        {t.get("code") for t in code.findall(V + "translation") if t.get("codeSystem") == TA_ASIP}
        if code is not None
        else set()
    )
    if loinc == "55112-7":
        if "GEN-293" in translations:
            return SectionKey.PATIENT_COMMENT
        if "GEN-294" in translations:
            return SectionKey.PERSONAL_DATA
        return SectionKey.PATIENT_COMMENT if not seen else SectionKey.PERSONAL_DATA
    if loinc == "18776-5":
        # Both sections carry the FR-Plan-de-soins template: the translation tells them apart, then the order.
        if "MED-566" in translations:
            return SectionKey.PROGRAMME
        if "MED-567" in translations:
            return SectionKey.SUPPORT
        return SectionKey.SUPPORT if SectionKey.PROGRAMME in seen else SectionKey.PROGRAMME
    return {
        "42349-1": SectionKey.PAEDIATRICS,
        "72135-7": SectionKey.DIAGNOSIS,
        "42545-4": SectionKey.DISCOVERY,
        "18733-6": SectionKey.PHASE,
        "33557-0": SectionKey.STATUS,
        "55107-7": SectionKey.REFERENCES,
    }.get(loinc or "")


def entries(section: etree._Element) -> Iterator[etree._Element]:
    """The act each `entry` of the section wraps, in document order."""
    for entry in section.findall(V + "entry"):
        act = first_child(entry)
        if act is not None:
            yield act


def _related(act: etree._Element) -> Iterator[tuple[str, etree._Element]]:
    """(typeCode, act) of each entryRelationship of `act`."""
    for relation in act.findall(V + "entryRelationship"):
        inner = first_child(relation)
        if inner is not None:
            yield relation.get("typeCode") or "", inner


def code_of(act: etree._Element) -> str | None:
    """The `code/@code` of an act or section."""
    code = act.find(V + "code")
    return code.get("code") if code is not None else None


def comment_of(ctx: Context, act: etree._Element) -> str | None:
    """The FR-Commentaire-ER (LOINC 48767-8) attached to `act`, if any."""
    for _, inner in _related(act):
        if code_of(inner) == COMMENT_CODE:
            return ctx.resolve(inner.find(V + "text"))
    return None


def text_of(ctx: Context, act: etree._Element) -> str | None:
    """The act's `text`, its narrative reference resolved."""
    return ctx.resolve(act.find(V + "text"))


def value_bool(ctx: Context, act: etree._Element) -> bool | None:
    """The act's BL `value`: True, False or None."""
    return ctx.boolean(act.find(V + "value"))


# -- 2 Paediatrics -------------------------------------------------------------------------------------------


def read_paediatrics(ctx: Context, section: etree._Element) -> Paediatrics | None:
    for act in entries(section):
        if code_of(act) == "ORG-116":
            return Paediatrics(applies=value_bool(ctx, act), comment=comment_of(ctx, act), text=text_of(ctx, act))
    ctx.warn("no paediatrics observation (ORG-116)")
    return None


# -- 3 Diagnosis ---------------------------------------------------------------------------------------------

_DIAGNOSIS_TEMPLATES = frozenset({"1.2.250.1.213.1.1.3.113", "1.3.6.1.4.1.19376.1.7.3.1.4.14.1"})


def read_diagnoses(ctx: Context, section: etree._Element) -> tuple[Diagnosis, ...]:
    found = []
    for concern in entries(section):
        for _, observation in _related(concern):
            templates = {t.get("root") for t in observation.findall(V + "templateId")}
            if templates & _DIAGNOSIS_TEMPLATES or code_of(observation) == "282291009":
                found.append(_diagnosis(ctx, concern, observation))
    if not found:
        ctx.warn("no tumour diagnosis entry")
    return tuple(found)


def _diagnosis(ctx: Context, concern: etree._Element, observation: etree._Element) -> Diagnosis:
    site = observation.find(V + "targetSiteCode")
    laterality = None
    if site is not None:
        for qualifier in site.findall(V + "qualifier"):
            name = qualifier.find(V + "name")
            if name is not None and name.get("code") == "20228-3":
                laterality = ctx.code(qualifier.find(V + "value"))
    date = ctx.start(observation.find(V + "effectiveTime"), "diagnosis date")
    if date is None:
        date = ctx.start(concern.find(V + "effectiveTime"), "diagnosis date")
    parts: dict[str, Code | None] = {}
    other_stages: list[str] = []
    stage_date = None
    comment = None
    for inner in observation.iter(V + "observation", V + "act"):
        if inner is observation:
            continue
        code = code_of(inner)
        if code == "75620-5" or code == "21902-2":  # clinical / pathological stage
            stage_date = ctx.start(inner.find(V + "effectiveTime"), "stage date")
            value = inner.find(V + "value")
            for qualifier in value.findall(V + "qualifier") if value is not None else ():
                name = qualifier.find(V + "name")
                key = name.get("code") if name is not None else None
                if key == "21909-7":
                    parts["stage"] = ctx.code(qualifier.find(V + "value"))
                elif key == "21917-0":
                    parts["version"] = ctx.code(qualifier.find(V + "value"))
        elif code in _TNM:
            parts[_TNM[code]] = ctx.code(inner.find(V + "value"))
        elif code == "21918-8":
            value = inner.find(V + "value")
            text = ctx.resolve(value.find(V + "originalText")) if value is not None else None
            text = text or (value.get("displayName") if value is not None else None) or text_of(ctx, inner)
            if text:
                other_stages.append(text)
        elif code == COMMENT_CODE and comment is None:
            comment = text_of(ctx, inner)
    return Diagnosis(
        date=date,
        label=text_of(ctx, observation),
        topography=ctx.code(site),
        laterality=laterality,
        morphology=ctx.code(observation.find(V + "value")),
        clinical_stage=parts.get("stage"),
        tnm_version=parts.get("version"),
        tnm_t=parts.get("t"),
        tnm_n=parts.get("n"),
        tnm_m=parts.get("m"),
        stage_date=stage_date,
        other_stages=tuple(other_stages),
        comment=comment,
    )


# -- 4 Discovery, 5 Phase ------------------------------------------------------------------------------------


def read_discovery(ctx: Context, section: etree._Element) -> Discovery | None:
    for act in entries(section):
        if code_of(act) == "63921-1":
            return Discovery(
                screening=value_bool(ctx, act),
                date=ctx.start(act.find(V + "effectiveTime"), "screening date"),
                text=text_of(ctx, act),
            )
    ctx.warn("no screening observation (63921-1)")
    return None


def read_phase(ctx: Context, section: etree._Element) -> tuple[Phase | None, Progression | None]:
    phase = progression = None
    for act in entries(section):
        code = code_of(act)
        if code == "MED-243":
            phase = Phase(
                code=ctx.code(act.find(V + "value")),
                date=ctx.start(act.find(V + "effectiveTime"), "phase date"),
                comment=comment_of(ctx, act),
            )
        elif code == "MED-245":
            where: dict[str, bool | None] = {}
            for _, inner in _related(act):
                name = {"MED-246": "local", "MED-247": "regional", "MED-248": "distant"}.get(code_of(inner) or "")
                if name:
                    where[name] = value_bool(ctx, inner)
            progression = Progression(
                present=value_bool(ctx, act),
                date=ctx.start(act.find(V + "effectiveTime"), "progression date"),
                local=where.get("local"),
                regional=where.get("regional"),
                distant=where.get("distant"),
            )
        else:
            ctx.warn(f"unexpected entry {code!r} in the phase section")
    if phase is None:
        ctx.warn("no phase observation (MED-243)")
    return phase, progression


# -- 6 and 7: programme, supportive care and social support --------------------------------------------------


@dataclass
class Programme:
    """Items gathered from the programme and support sections, split by kind afterwards."""

    items: list[ProgrammeItem] = field(default_factory=list)
    stop: TreatmentStop | None = None


def read_items(ctx: Context, section: etree._Element, into: Programme) -> None:
    for act in entries(section):
        code = code_of(act)
        kind = _ITEM_KINDS.get(code or "")
        if kind is not None:
            try:
                into.items.append(_item(ctx, kind, act))
            except Exception as exc:
                ctx.warn(f"an item {code} could not be read: {type(exc).__name__}")
        elif code == "MED-052":
            into.stop = TreatmentStop(
                stopped=value_bool(ctx, act),
                date=ctx.start(act.find(V + "effectiveTime"), "stop of treatments date"),
                comment=text_of(ctx, act) or comment_of(ctx, act),
            )
        else:
            ctx.warn(f"unexpected entry {code!r} ignored")


def _performers(ctx: Context, act: etree._Element) -> tuple[HealthProfessional, ...]:
    found = (ctx.professional(p.find(V + "assignedEntity")) for p in act.findall(V + "performer"))
    return tuple(p for p in found if p is not None)


def _places(ctx: Context, act: etree._Element) -> tuple[Place, ...]:
    places = []
    for participant in act.findall(V + "participant"):
        if participant.get("typeCode") not in ("LOC", "DST", "ORG"):
            continue
        role = participant.find(V + "participantRole")
        if role is None:
            continue
        entity = role.find(V + "playingEntity")
        places.append(
            Place(
                kind=ctx.code(role.find(V + "code")),
                name=ctx.string(entity.find(V + "name")) if entity is not None else None,
                addresses=ctx.addresses(role),
                telecoms=ctx.telecoms(role),
            )
        )
    return tuple(places)


def _item(ctx: Context, kind: ItemKind, act: etree._Element) -> ProgrammeItem:
    code = act.find(V + "code")
    type_code = None
    if code is not None:
        type_code = ctx.code(code.find(f"{V}qualifier/{V}value"))
    status = act.find(V + "statusCode")
    planned_dates: Period | None = None
    rhythm: Rhythm | None = None
    route: Code | None = None
    route_text: str | None = None
    side_effects: str | None = None
    comment: str | None = None
    reasons: list[ItemReason] = []
    for type_code_of_relation, inner in _related(act):
        inner_code = code_of(inner)
        if inner_code == "GEN-177":
            planned_dates = ctx.period(inner.find(V + "effectiveTime"), "planned dates")
        elif inner_code in ("ORG-004", "ORG-116"):
            # ORG-116 is Pédiatrie, but the official example codes one rhythm with it: read it as a rhythm.
            rhythm = _rhythm(ctx, inner)
        elif inner_code == "ORG-006":
            route = ctx.code(inner.find(V + "value"))
            route_text = text_of(ctx, inner)
        elif inner_code == "MED-565":
            value = inner.find(V + "value")
            side_effects = ctx.resolve(value.find(V + "originalText")) if value is not None else None
            side_effects = side_effects or text_of(ctx, inner)
        elif inner_code == COMMENT_CODE:
            comment = text_of(ctx, inner)
        elif type_code_of_relation == "RSON":
            reasons.append(_reason(ctx, inner))
        else:
            ctx.warn(f"unexpected detail {inner_code!r} of an item {kind.value} ignored")
    return ProgrammeItem(
        kind=kind,
        status=ItemStatus.DONE if act.get("moodCode") in _DONE_MOODS else ItemStatus.PLANNED,
        type=type_code,
        label=text_of(ctx, act),
        id=ctx.identifier(act.find(V + "id")),
        status_code=status.get("code") if status is not None else None,
        negated=(act.get("negationInd") or "").lower() == "true",
        dates=ctx.period(act.find(V + "effectiveTime"), f"dates of an item {kind.value}"),
        planned_dates=planned_dates,
        rhythm=rhythm,
        route=route,
        route_text=route_text,
        side_effects=side_effects,
        places=_places(ctx, act),
        performers=_performers(ctx, act),
        comment=comment,
        reasons=tuple(reasons),
    )


def _rhythm(ctx: Context, observation: etree._Element) -> Rhythm:
    at_home = None
    period_value = period_unit = None
    weekdays: list[Code] = []
    other = None
    for value in observation.findall(V + "value"):
        value_type = (value.get(XSI_TYPE) or "").rpartition(":")[2]
        if value_type == "BL":
            at_home = ctx.boolean(value)
        elif value_type in ("PIVL_TS", "EIVL_TS"):
            period = value.find(V + "period")
            if period is not None:
                period_value, period_unit = period.get("value"), period.get("unit")
        else:
            code = ctx.code(value)
            if code is None or code.code is None:
                continue
            if CodeKind.WEEKDAY in kinds_of(code.system, code.code):
                weekdays.append(code)
            elif other is None:
                other = code
    return Rhythm(
        text=text_of(ctx, observation),
        at_home=at_home,
        period_value=period_value,
        period_unit=period_unit,
        weekdays=tuple(weekdays),
        code=other,
    )


def _reason(ctx: Context, observation: etree._Element) -> ItemReason:
    value = observation.find(V + "value")
    written = None
    value_code = None
    if value is not None and value.get("nullFlavor") is None:
        value_type = (value.get(XSI_TYPE) or "").rpartition(":")[2]
        if value_type == "PQ":
            written = " ".join(p for p in (value.get("value"), value.get("unit")) if p) or None
        elif value_type in ("CD", "CE", "CV", "CO"):
            value_code = ctx.code(value)
            written = value_code.text if value_code else None
        else:
            written = value.get("value") or ctx.string(value)
    return ItemReason(
        code=ctx.code(observation.find(V + "code")),
        text=text_of(ctx, observation),
        value=written,
        value_code=value_code,
        date=ctx.start(observation.find(V + "effectiveTime"), "reason date"),
    )


# -- 8 Document status ---------------------------------------------------------------------------------------


def read_status(ctx: Context, section: etree._Element) -> DocumentStatus:
    status = comment = reason = reason_comment = None
    status_date = reason_date = rcp_date = handed_date = announcement_date = None
    handed_by = None
    for act in entries(section):
        code = code_of(act)
        if code == "GEN-065":
            status = ctx.code(act.find(V + "value"))
            status_date = ctx.start(act.find(V + "effectiveTime"), "status date")
            comment = comment_of(ctx, act)
        elif code == "GEN-037":
            reason = ctx.code(act.find(V + "value"))
            reason_date = ctx.start(act.find(V + "effectiveTime"), "update reason date")
            reason_comment = comment_of(ctx, act)
        elif code == "ORG-189":
            rcp_date = ctx.start(act.find(V + "effectiveTime"), "RCP date") or ctx.time(
                act.find(V + "value"), "RCP date"
            )
        elif code == "GEN-178":
            handed_date = ctx.start(act.find(V + "effectiveTime"), "date handed to the patient")
            announcement_date = ctx.time(act.find(V + "value"), "announcement consultation date")
            performers = _performers(ctx, act)
            handed_by = performers[0] if performers else None
        else:
            ctx.warn(f"unexpected entry {code!r} in the status section")
    if status is None:
        ctx.warn("no document status (GEN-065)")
    return DocumentStatus(
        status=status,
        status_date=status_date,
        comment=comment,
        update_reason=reason,
        update_reason_date=reason_date,
        update_reason_comment=reason_comment,
        rcp_date=rcp_date,
        handed_date=handed_date,
        announcement_date=announcement_date,
        handed_by=handed_by,
    )


# -- 9 Referenced documents ----------------------------------------------------------------------------------


def read_references(ctx: Context, section: etree._Element) -> tuple[ReferencedDocument, ...]:
    found = []
    for act in entries(section):
        for reference in act.findall(V + "reference"):
            document = first_child(reference)
            if document is None:
                continue
            ident = ctx.identifier(document.find(V + "id"))
            code = ctx.code(document.find(V + "code"))
            text = text_of(ctx, document)
            found.append(
                ReferencedDocument(
                    id=ident,
                    kind=_reference_kind(code, ident.extension if ident else None, text),
                    type_code=reference.get("typeCode"),
                    code=code,
                    text=text,
                )
            )
    if not found:
        ctx.warn("no referenced document")
    return tuple(found)


def _reference_kind(code: Code | None, extension: str | None, text: str | None) -> ReferencedKind:
    if code is not None and code.code in _REFERENCE_CODES:
        return _REFERENCE_CODES[code.code]
    # No code: the official example names its documents "FRCP-…", "CRGM-…", "PPS-…".
    label = " ".join(p for p in (extension, text) if p).upper().replace("-", "").replace(" ", "")
    for prefix, kind in (
        ("FRCP", ReferencedKind.RCP_REPORT),
        ("CRGM", ReferencedKind.GENETICS_REPORT),
        ("PPS", ReferencedKind.PREVIOUS_PPS),
    ):
        if label.startswith(prefix):
            return kind
    return ReferencedKind.OTHER
