"""Read a CI-SIS CANCER-PPS 2022.01 document into a `CarePlan`: the entry point of the `pps` step."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from lxml import etree

from portal.pps.cda import Context, V, guard
from portal.pps.errors import DocumentRefused
from portal.pps.header import read_header
from portal.pps.model import (
    CarePlan,
    Diagnosis,
    Discovery,
    DocumentStatus,
    ItemKind,
    Paediatrics,
    Phase,
    Progression,
    ReferencedDocument,
    Section,
    SectionKey,
)
from portal.pps.narrative import NarrativeIndex, plain_text
from portal.pps.safexml import DEFAULT_MAX_BYTES, find_clinical_document, parse_untrusted
from portal.pps.sections import (
    Programme,
    identify,
    read_diagnoses,
    read_discovery,
    read_items,
    read_paediatrics,
    read_phase,
    read_references,
    read_status,
)

__all__ = ["CANCER_PPS_TEMPLATE", "read_pps"]

CANCER_PPS_TEMPLATE = "1.2.250.1.213.1.1.1.26"
PAERPA_TEMPLATE = "1.2.250.1.213.1.1.1.20"
FRCP_TEMPLATE = "1.2.250.1.213.1.1.1.8"
CARE_PLAN_LOINC = "18776-5"
# Sections a conformant PPS always has ([1..1] in the CI-SIS model): their absence is worth a warning.
REQUIRED_SECTIONS = (
    SectionKey.DIAGNOSIS,
    SectionKey.DISCOVERY,
    SectionKey.PROGRAMME,
    SectionKey.SUPPORT,
    SectionKey.STATUS,
    SectionKey.REFERENCES,
    SectionKey.PERSONAL_DATA,
)
_SUPPORT_KINDS = frozenset({ItemKind.SUPPORTIVE_CARE, ItemKind.SOCIAL_SUPPORT})

T = TypeVar("T")


def read_pps(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> CarePlan:
    """Read one cancer PPS document; raise DocumentRefused (one-line `reason`) when it is not one.

    The untrusted bytes are parsed safely (`portal.pps.safexml`), then the header and each section are read
    separately: a part that is missing or unreadable becomes a `ReadWarning` on the plan and the rest is still read.
    """
    root = parse_untrusted(data, max_bytes=max_bytes)
    doc = find_clinical_document(root)
    _check_is_cancer_pps(doc)
    ctx = Context(NarrativeIndex(doc))

    header = read_header(ctx, doc)
    plan = CarePlan(
        metadata=header.metadata,
        patient=header.patient,
        trusted_persons=header.trusted_persons,
        emergency_contacts=header.emergency_contacts,
        contacts=header.contacts,
    )

    body = doc.find(f"{V}component/{V}structuredBody")
    if body is None:
        non_xml = doc.find(f"{V}component/{V}nonXMLBody")
        if non_xml is not None:
            return _with_pdf(ctx, plan, non_xml)
        ctx.warn("the document has no body", "body")
        return _finish(ctx, plan)
    return _finish(ctx, _read_body(ctx, plan, body))


def _check_is_cancer_pps(doc: etree._Element) -> None:
    templates = {t.get("root") for t in doc.findall(V + "templateId")}
    if CANCER_PPS_TEMPLATE in templates:
        return
    code_element = doc.find(V + "code")
    code = code_element.get("code") if code_element is not None else None
    if PAERPA_TEMPLATE in templates:
        raise DocumentRefused(f"not a cancer PPS: a PAERPA care plan (template {PAERPA_TEMPLATE})")
    if FRCP_TEMPLATE in templates:
        raise DocumentRefused(f"not a cancer PPS: an RCP report (FRCP, template {FRCP_TEMPLATE})")
    if code == CARE_PLAN_LOINC:
        raise DocumentRefused(
            f"not a cancer PPS: a care plan (LOINC {CARE_PLAN_LOINC}) without template {CANCER_PPS_TEMPLATE}"
        )
    raise DocumentRefused(f"not a cancer PPS: template {CANCER_PPS_TEMPLATE} is missing (code {code!r})")


def _read_body(ctx: Context, plan: CarePlan, body: etree._Element) -> CarePlan:
    seen: set[SectionKey] = set()
    sections: list[Section] = []
    found: dict[SectionKey, etree._Element] = {}
    for element in body.iterfind(f"{V}component/{V}section"):
        key = identify(element, seen)
        if key is None:
            code = element.find(V + "code")
            ctx.warn(f"unknown section {code.get('code') if code is not None else None!r} ignored", "body")
            continue
        if key in seen:
            ctx.warn("section appears more than once; the first is kept", key.value)
            continue
        seen.add(key)
        found[key] = element
        text_element = element.find(V + "text")
        sections.append(
            Section(
                key=key,
                title=ctx.string(element.find(V + "title")),
                code=ctx.code(element.find(V + "code")),
                text=_section_text(ctx, key, text_element),
            )
        )
    for key in REQUIRED_SECTIONS:
        if key not in found:
            ctx.warn("section missing", key.value)

    def text_of(key: SectionKey) -> str | None:
        section = next((s for s in sections if s.key == key), None)
        return section.text or None if section else None

    def run(key: SectionKey, read: Callable[[Context, etree._Element], T], default: T) -> T:
        element = found.get(key)
        if element is None:
            return default
        return guard(ctx, key.value, lambda: read(ctx, element), default)

    paediatrics: Paediatrics | None = run(SectionKey.PAEDIATRICS, read_paediatrics, None)
    diagnoses: tuple[Diagnosis, ...] = run(SectionKey.DIAGNOSIS, read_diagnoses, ())
    discovery: Discovery | None = run(SectionKey.DISCOVERY, read_discovery, None)
    no_phase: tuple[Phase | None, Progression | None] = (None, None)
    phase_and_progression = run(SectionKey.PHASE, read_phase, no_phase)
    programme = Programme()
    run(SectionKey.PROGRAMME, lambda c, e: read_items(c, e, programme), None)
    run(SectionKey.SUPPORT, lambda c, e: read_items(c, e, programme), None)
    status: DocumentStatus | None = run(SectionKey.STATUS, read_status, None)
    references: tuple[ReferencedDocument, ...] = run(SectionKey.REFERENCES, read_references, ())

    return CarePlan(
        metadata=plan.metadata,
        patient=plan.patient,
        trusted_persons=plan.trusted_persons,
        emergency_contacts=plan.emergency_contacts,
        contacts=plan.contacts,
        patient_comment=text_of(SectionKey.PATIENT_COMMENT),
        paediatrics=paediatrics,
        diagnoses=diagnoses,
        discovery=discovery,
        phase=phase_and_progression[0],
        progression=phase_and_progression[1],
        programme=tuple(i for i in programme.items if i.kind not in _SUPPORT_KINDS),
        treatment_stop=programme.stop,
        support=tuple(i for i in programme.items if i.kind in _SUPPORT_KINDS),
        status=status,
        referenced_documents=references,
        personal_data_text=text_of(SectionKey.PERSONAL_DATA),
        sections=tuple(sections),
    )


def _section_text(ctx: Context, key: SectionKey, text: etree._Element | None) -> str:
    if text is None:
        ctx.warn("the section has no narrative text", key.value)
        return ""
    return guard(ctx, key.value, lambda: plain_text(text), "")


def _with_pdf(ctx: Context, plan: CarePlan, non_xml: etree._Element) -> CarePlan:
    """A PDF-only PPS (CDA level 1): the embedded rendition, decoded with a size bound."""
    ctx.section = "body"
    text = non_xml.find(V + "text")
    media_type = text.get("mediaType") if text is not None else None
    pdf = None
    if text is None:
        ctx.warn("nonXMLBody without text")
    elif text.find(V + "reference") is not None and not (text.text or "").strip():
        # Never fetched: a reader of untrusted documents does not follow links.
        ctx.warn("the rendition is a link to an outside file, which is not fetched")
    elif media_type != "application/pdf":
        ctx.warn(f"unsupported rendition type {media_type!r}")
    elif (text.get("representation") or "TXT") != "B64":
        ctx.warn("the PDF rendition is not base64-encoded")
    elif text.get("compression"):
        ctx.warn(f"compressed rendition ({text.get('compression')}) not supported")
    else:
        # The size bound: the base64 text is part of a document of at most `max_bytes`, so the decoded PDF
        # is at most 3/4 of that; nothing is decoded before the whole document passed the size check.
        encoded = "".join((text.text or "").split())
        try:
            pdf = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            ctx.warn("the PDF rendition is not valid base64")
        if pdf is not None and not pdf.startswith(b"%PDF-"):
            ctx.warn("the rendition does not look like a PDF (no %PDF- header)")
    return _finish(
        ctx,
        CarePlan(
            metadata=plan.metadata,
            patient=plan.patient,
            trusted_persons=plan.trusted_persons,
            emergency_contacts=plan.emergency_contacts,
            contacts=plan.contacts,
            pdf=pdf,
            pdf_media_type=media_type,
        ),
    )


def _finish(ctx: Context, plan: CarePlan) -> CarePlan:
    return replace(plan, warnings=tuple(ctx.warnings)) if ctx.warnings else plan
