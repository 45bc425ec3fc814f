"""The illness page: the diagnosis in plain, gentle words, with the medical details (codes, stage, TNM) kept
for a folded "medical details" part.

Plain words come from `portal.plain.labels` (where the cancer is, which side, what kind, the phase); the codes
and the document's own wording are kept as they are for those who want them.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.plain.labels import (
    PlainLabel,
    behaviour_label,
    label,
    laterality_label,
    phase_label,
    progression_label,
    topography_label,
)
from portal.plain.views.common import DocText, Lang, doc_lang, doc_text, format_time_point
from portal.pps.model import CarePlan, Code, Diagnosis

__all__ = ["CodedDetail", "IllnessView", "TumourView", "illness_view"]


@dataclass(frozen=True, slots=True)
class CodedDetail:
    """A medical detail as the document codes it: the code and the document's words for it."""

    code: str | None
    text: DocText | None


@dataclass(frozen=True, slots=True)
class TumourView:
    """One tumour: plain words first, then the coded details."""

    site: PlainLabel | None
    side: PlainLabel | None
    nature: PlainLabel | None
    date: str | None
    comment: DocText | None
    topography: CodedDetail | None
    morphology: CodedDetail | None
    stage: CodedDetail | None
    tnm: tuple[CodedDetail, ...]
    tnm_version: DocText | None
    stage_date: str | None
    other_stages: tuple[DocText, ...]
    label: DocText | None

    @property
    def has_details(self) -> bool:
        return bool(
            self.topography or self.morphology or self.stage or self.tnm or self.other_stages or self.tnm_version
        )


@dataclass(frozen=True, slots=True)
class IllnessView:
    tumours: tuple[TumourView, ...]
    phase: PlainLabel | None
    phase_date: str | None
    phase_comment: DocText | None
    progression: PlainLabel | None
    progression_date: str | None
    found_by_screening: bool | None
    found_date: str | None
    paediatric: bool | None
    paediatrics_comment: DocText | None

    @property
    def empty(self) -> bool:
        return not self.tumours and self.phase is None and self.progression is None


def _coded(code: Code | None, lang: Lang, document_lang: str) -> CodedDetail | None:
    if code is None or (code.code is None and not code.text):
        return None
    return CodedDetail(code.code, doc_text(code.words, lang, document_lang))


def tumour_view(diagnosis: Diagnosis, lang: Lang, document_lang: str) -> TumourView:
    site = topography_label(diagnosis.topography, lang) or label(diagnosis.topography, lang)
    tnm = tuple(detail for detail in (_coded(c, lang, document_lang) for c in diagnosis.tnm) if detail is not None)
    version = diagnosis.tnm_version
    return TumourView(
        site=site,
        side=laterality_label(diagnosis.laterality, lang),
        nature=behaviour_label(diagnosis.morphology, lang),
        date=format_time_point(diagnosis.date, lang),
        comment=doc_text(diagnosis.comment, lang, document_lang),
        topography=_coded(diagnosis.topography, lang, document_lang),
        morphology=_coded(diagnosis.morphology, lang, document_lang),
        stage=_coded(diagnosis.clinical_stage, lang, document_lang),
        tnm=tnm,
        tnm_version=doc_text(version.text if version else None, lang, document_lang),
        stage_date=format_time_point(diagnosis.stage_date, lang),
        other_stages=tuple(t for t in (doc_text(s, lang, document_lang) for s in diagnosis.other_stages) if t),
        label=doc_text(diagnosis.label, lang, document_lang),
    )


def illness_view(plan: CarePlan, lang: Lang) -> IllnessView:
    document_lang = doc_lang(plan)
    phase = plan.phase
    progression = plan.progression
    discovery = plan.discovery
    paediatrics = plan.paediatrics
    return IllnessView(
        tumours=tuple(tumour_view(d, lang, document_lang) for d in plan.diagnoses),
        phase=phase_label(phase.code, lang) if phase else None,
        phase_date=format_time_point(phase.date, lang) if phase else None,
        phase_comment=doc_text(phase.comment, lang, document_lang) if phase else None,
        progression=progression_label(progression, lang),
        progression_date=format_time_point(progression.date, lang) if progression and progression.present else None,
        found_by_screening=discovery.screening if discovery else None,
        found_date=format_time_point(discovery.date, lang) if discovery else None,
        paediatric=paediatrics.applies if paediatrics else None,
        paediatrics_comment=doc_text(paediatrics.comment, lang, document_lang) if paediatrics else None,
    )
