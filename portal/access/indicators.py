"""The indicators the national agencies ask of the platforms: how many care plans were viewed, by how many people
of each kind, how many new versions the patients opened and how soon after they were published, how many files
were taken away. Aggregate and anonymous: no identifier leaves this module, and every count from 1 to 9 is
suppressed, with the counts that would give it away by subtraction.

Read from the access records (AuditEvents) and the PPS versions of one store; `portal indicators` writes them as
CSV (docs/indicators.md says what each one means and how to read it).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from portal.store.resources import AccessEntry, DocumentEntry

__all__ = [
    "EXPORT_PAGES",
    "SMALL_CELL",
    "VIEWER_KINDS",
    "Cell",
    "Indicators",
    "export_kind",
    "indicators",
]

#: Counts below this (and above 0) are never shown: fewer people than this could be recognised.
SMALL_CELL = 10
#: The kinds of viewer the portal records (AuditEvent.agent.role), in the order of the report.
VIEWER_KINDS = ("patient", "caregiver", "representative", "coordinator")
#: The pages that hand over a file, by the kind of export the report names.
EXPORT_PAGES = {
    "download": "document_file",
    "plan_pdf": "plan_pdf",
    "calendar_file": "calendar_file",
    "portable_copy": "portable_copy",
    "report_pdf": "rcp_report_pdf",
}
EXPORT_KINDS = tuple(EXPORT_PAGES.values())
#: The pages of the RCP report (its document is a report, not a version of the plan).
_REPORT_PAGES = frozenset({"report", "report_pdf"})


def export_kind(page: str | None) -> str | None:
    """The export kind of a recorded page, None for a page read on screen."""
    return EXPORT_PAGES.get(page or "")


@dataclass(frozen=True)
class Cell:
    """One figure of the report: its value, unless it is suppressed (`small`: from 1 to 9; `secondary`: it would
    give a small one away by subtraction from a total) or there is none (`none`: a delay, when no version was
    opened)."""

    value: float | None
    suppressed: str | None = None

    @property
    def shown(self) -> bool:
        return self.suppressed is None


def _count(value: int) -> Cell:
    return Cell(None, "small") if 0 < value < SMALL_CELL else Cell(value)


def _group(parts: dict[str, int]) -> tuple[Cell, dict[str, Cell]]:
    """A total and its parts, suppressed so that no small part can be worked out from the others."""
    total = _count(sum(parts.values()))
    cells = {key: _count(value) for key, value in parts.items()}
    hidden = [key for key, cell in cells.items() if not cell.shown]
    if total.shown and len(hidden) == 1:
        others = sorted((value, key) for key, value in parts.items() if key not in hidden and value > 0)
        if others:
            cells[others[0][1]] = Cell(None, "secondary")
    return total, cells


def _percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile of sorted `values` (the median is share 0.5)."""
    rank = max(1, math.ceil(share * len(values)))
    return values[rank - 1]


@dataclass(frozen=True)
class Indicators:
    """The indicators of one store over one period (start inclusive, end exclusive), from records up to `until`."""

    start: datetime
    end: datetime
    until: datetime
    views: Cell
    views_by_kind: dict[str, Cell]
    people: Cell
    people_by_kind: dict[str, Cell]
    plans_viewed: Cell
    versions_published: Cell
    versions_opened: Cell
    hours_to_first_opening_median: Cell
    hours_to_first_opening_p90: Cell
    exports: Cell
    exports_by_kind: dict[str, Cell]


def indicators(
    entries: Iterable[AccessEntry],
    published: Iterable[DocumentEntry],
    *,
    start: datetime,
    end: datetime,
    until: datetime,
) -> Indicators:
    """The indicators of the period [start, end) from the access records of [start, until) and the PPS versions
    published in the period.

    A view is a successful access record of a page (a reload within the coalescing window is not one); the
    records of refused or failed views are not counted. A version counts as opened when its patient saw it
    on any page before `until`; versions hidden from the patient are not counted as published."""
    in_period: list[AccessEntry] = []
    first_opening: dict[str, datetime] = {}
    for entry in entries:
        if not entry.success or entry.recorded is None or entry.role not in VIEWER_KINDS:
            continue
        if entry.role == "patient" and entry.document and entry.recorded < until:
            seen = first_opening.get(entry.document)
            if seen is None or entry.recorded < seen:
                first_opening[entry.document] = entry.recorded
        if start <= entry.recorded < end:
            in_period.append(entry)

    views = {kind: 0 for kind in VIEWER_KINDS}
    people: dict[str, set[str]] = {kind: set() for kind in VIEWER_KINDS}
    exports = dict.fromkeys(EXPORT_KINDS, 0)
    plans: set[str] = set()
    for entry in in_period:
        kind = str(entry.role)
        if entry.actor_identifier:
            people[kind].add(entry.actor_identifier)
        exported = export_kind(entry.what)
        if exported:
            exports[exported] += 1
            continue
        views[kind] += 1
        if entry.document and entry.what not in _REPORT_PAGES:
            plans.add(entry.document)

    versions = [v for v in published if v.date is not None and start <= v.date < end and not v.hidden_from_patient]
    delays = sorted(
        (first_opening[v.id] - v.date).total_seconds() / 3600
        for v in versions
        if v.date is not None and v.id in first_opening and first_opening[v.id] >= v.date
    )
    delay: Cell = Cell(None, "none") if not delays else Cell(None, "small")
    enough = len(delays) >= SMALL_CELL
    views_total, views_by_kind = _group(views)
    _, people_by_kind = _group({kind: len(who) for kind, who in people.items()})
    exports_total, exports_by_kind = _group(exports)
    return Indicators(
        start=start,
        end=end,
        until=until,
        views=views_total,
        views_by_kind=views_by_kind,
        people=_count(len(set().union(*people.values()))),
        people_by_kind=people_by_kind,
        plans_viewed=_count(len(plans)),
        versions_published=_count(len(versions)),
        versions_opened=_count(len(delays)),
        hours_to_first_opening_median=Cell(round(_percentile(delays, 0.5), 1)) if enough else delay,
        hours_to_first_opening_p90=Cell(round(_percentile(delays, 0.9), 1)) if enough else delay,
        exports=exports_total,
        exports_by_kind=exports_by_kind,
    )
