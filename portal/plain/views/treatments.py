"""The treatments page: a timeline of the therapeutic and follow-up programme, in progress, coming up, earlier.

Items of the programme section (treatments, side-effect care, associated measures, follow-up) each become an
`ItemView`; the stop of all active treatments (MED-052), when the document records it, is said first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from portal.plain.views.common import DocText, Lang, doc_lang, doc_text, format_time_point
from portal.plain.views.items import ItemPhase, ItemView, item_view, last_day, sort_key
from portal.pps.model import CarePlan, ProgrammeItem

__all__ = ["TreatmentStopView", "TreatmentsView", "timeline", "treatment_stop_view", "treatments_view"]


@dataclass(frozen=True, slots=True)
class TreatmentStopView:
    """All active treatments stopped (arrêt de tous les traitements actifs): when, and the team's words."""

    date: str | None
    comment: DocText | None


@dataclass(frozen=True, slots=True)
class Timeline:
    """Items in three groups: in progress, coming up (dated first), earlier (most recent first)."""

    now: tuple[ItemView, ...]
    coming: tuple[ItemView, ...]
    earlier: tuple[ItemView, ...]

    @property
    def empty(self) -> bool:
        return not (self.now or self.coming or self.earlier)


@dataclass(frozen=True, slots=True)
class TreatmentsView:
    """What the treatments page shows."""

    timeline: Timeline
    stop: TreatmentStopView | None


def _earlier_key(item: ProgrammeItem) -> dt.date:
    start, end = item.span
    point = end or start
    return last_day(point) if point is not None else dt.date.min


def timeline(
    items: tuple[ProgrammeItem, ...], lang: Lang, document_lang: str, today: dt.date, key_prefix: str = "item"
) -> Timeline:
    """Group and order items around `today`; every item of `items` is in exactly one group."""
    views = [
        (item, item_view(item, i, lang, document_lang, today, key_prefix)) for i, item in enumerate(items, start=1)
    ]
    now = sorted((p for p in views if p[1].phase == ItemPhase.NOW), key=lambda p: sort_key(p[0]))
    coming = sorted((p for p in views if p[1].phase == ItemPhase.COMING), key=lambda p: sort_key(p[0]))
    earlier = sorted((p for p in views if p[1].phase == ItemPhase.EARLIER), key=lambda p: _earlier_key(p[0]))
    return Timeline(
        tuple(v for _, v in now),
        tuple(v for _, v in coming),
        tuple(v for _, v in reversed(earlier)),
    )


def treatment_stop_view(plan: CarePlan, lang: Lang) -> TreatmentStopView | None:
    stop = plan.treatment_stop
    if stop is None or not stop.stopped:
        return None
    return TreatmentStopView(format_time_point(stop.date, lang), doc_text(stop.comment, lang, doc_lang(plan)))


def treatments_view(plan: CarePlan, lang: Lang, today: dt.date) -> TreatmentsView:
    return TreatmentsView(
        timeline(plan.programme, lang, doc_lang(plan), today, "treatment"),
        treatment_stop_view(plan, lang),
    )
