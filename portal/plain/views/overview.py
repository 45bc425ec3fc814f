"""The overview page (`/`): what happens now and next, whom to call, and when and why the plan last changed.

The next dated item comes first; then what is in progress. The reason for the update (motif de mise à jour) is
one plain sentence, the team's comment on it is kept in their words, and the day the plan was handed over
(date de remise) is said, because a plan is only shown once the team has explained it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from portal.plain.labels import (
    PlainLabel,
    label,
    status_label,
    update_reason_says_something,
    update_reason_sentence,
)
from portal.plain.views.common import DocText, Lang, doc_lang, doc_text, format_time_point, person_name
from portal.plain.views.contacts import ContactCard, contacts_view
from portal.plain.views.items import ItemPhase, ItemView, first_day, item_view
from portal.plain.views.treatments import TreatmentStopView, treatment_stop_view
from portal.pps.codes import CodeKind
from portal.pps.model import CarePlan, ProgrammeItem, ReferencedKind

__all__ = ["OverviewView", "ReferencedView", "overview_view"]

#: How many coming items the overview lists after the next one; the rest are on the treatments page.
COMING_ON_OVERVIEW = 3


@dataclass(frozen=True, slots=True)
class ReferencedView:
    """A document the plan refers to: its kind ("rcp_report", "genetics_report", "previous_pps", "other")."""

    kind: str
    text: DocText | None


@dataclass(frozen=True, slots=True)
class OverviewView:
    """What the overview shows, in the page's language."""

    title: DocText | None
    next_item: ItemView | None
    now: tuple[ItemView, ...]
    coming: tuple[ItemView, ...]
    key_contacts: tuple[ContactCard, ...]
    updated: str | None
    version: int | None
    update_reason: str | None
    update_reason_lang: str | None
    update_comment: DocText | None
    handed: str | None
    handed_by: str | None
    rcp_date: str | None
    status: PlainLabel | None
    status_comment: DocText | None
    stop: TreatmentStopView | None
    patient_comment: DocText | None
    documents: tuple[ReferencedView, ...]
    personal_data: DocText | None
    author: str | None
    custodian: str | None
    #: Every dated step of the plan is over and nothing is in progress: the team has not published newer dates.
    all_past: bool = False
    #: The day "now", "next" and "before" were decided against (an old version: that version's own day).
    as_of: dt.date | None = None


def _indexed(plan: CarePlan) -> list[tuple[ProgrammeItem, str, int]]:
    return [(item, "treatment", i) for i, item in enumerate(plan.programme, start=1)] + [
        (item, "support", i) for i, item in enumerate(plan.support, start=1)
    ]


def overview_view(plan: CarePlan, lang: Lang, today: dt.date) -> OverviewView:
    document_lang = doc_lang(plan)
    views = [
        (item, item_view(item, index, lang, document_lang, today, prefix)) for item, prefix, index in _indexed(plan)
    ]
    coming = sorted(
        ((item, view) for item, view in views if view.phase == ItemPhase.COMING and item.span[0] is not None),
        key=lambda pair: first_day(pair[0].span[0]),  # type: ignore[arg-type]  # filtered above
    )
    now = tuple(view for _, view in views if view.phase == ItemPhase.NOW)
    status = plan.status
    meaningful = status is not None and update_reason_says_something(status.update_reason)
    earlier = [view for _, view in views if view.phase == ItemPhase.EARLIER]
    reason_label = label(status.update_reason, lang, kind=CodeKind.UPDATE_REASON) if status else None
    reason_lang = document_lang if reason_label and reason_label.from_document and document_lang != lang else None
    author = plan.metadata.author
    return OverviewView(
        title=doc_text(plan.metadata.title, lang, document_lang),
        next_item=coming[0][1] if coming else None,
        now=now,
        coming=tuple(view for _, view in coming[1 : 1 + COMING_ON_OVERVIEW]),
        key_contacts=contacts_view(plan, lang).key_contacts(),
        updated=format_time_point(plan.metadata.effective_time, lang),
        version=plan.metadata.version,
        update_reason=update_reason_sentence(status.update_reason, lang) if status and meaningful else None,
        update_reason_lang=reason_lang,
        update_comment=doc_text(status.update_reason_comment, lang, document_lang) if status else None,
        handed=format_time_point(status.handed_date, lang) if status else None,
        handed_by=person_name(status.handed_by.name, lang) if status and status.handed_by else None,
        rcp_date=format_time_point(status.rcp_date, lang) if status else None,
        status=status_label(status.status, lang) if status else None,
        status_comment=doc_text(status.comment, lang, document_lang) if status else None,
        stop=treatment_stop_view(plan, lang),
        patient_comment=doc_text(plan.patient_comment, lang, document_lang),
        documents=tuple(
            ReferencedView(
                ref.kind.value,
                # Known kinds are named on the page; ids mean nothing to a patient, so only another kind
                # keeps the document's words for it.
                doc_text(ref.code.text if ref.code else None, lang, document_lang)
                if ref.kind == ReferencedKind.OTHER
                else None,
            )
            for ref in plan.referenced_documents
        ),
        personal_data=doc_text(plan.personal_data_text, lang, document_lang),
        author=person_name(author.professional.name, lang) if author else None,
        custodian=plan.metadata.custodian.name if plan.metadata.custodian else None,
        all_past=bool(earlier) and not coming and not now,
        as_of=today,
    )
