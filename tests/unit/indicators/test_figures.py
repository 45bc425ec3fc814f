"""The national indicators computed from access records and published versions: each figure against a count made
here by hand, and the suppression rules swept over random months (no figure from 1 to 9 is ever shown, nor one
that would give such a figure away by subtraction)."""

from __future__ import annotations

import statistics
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.access.indicators import (
    EXPORT_KINDS,
    EXPORT_PAGES,
    SMALL_CELL,
    VIEWER_KINDS,
    Cell,
    Indicators,
    indicators,
)
from portal.store.resources import INVISIBLE_PATIENT, AccessEntry, DocumentEntry
from tests.unit.documents.test_visibility import entry

START = datetime(2026, 11, 1, tzinfo=UTC)
END = datetime(2026, 12, 1, tzinfo=UTC)
UNTIL = datetime(2026, 12, 4, tzinfo=UTC)
PAGES = ("overview", "treatments", "calendar", "history", *EXPORT_PAGES)


def view(
    kind: str = "patient",
    who: str = "p1",
    *,
    at: datetime = START + timedelta(days=3),
    page: str = "overview",
    document: str | None = "doc-1",
    success: bool = True,
) -> AccessEntry:
    return AccessEntry(
        id=f"ae-{who}-{at.isoformat()}",
        recorded=at,
        role=kind,
        actor_name=None,
        actor_reference=None,
        success=success,
        what=page,
        actor_identifier=f"urn:test|{who}",
        document=document,
    )


def version(doc: str, at: datetime, *labels: str) -> DocumentEntry:
    return replace(entry(doc, labels=labels), date=at, date_precision="second")


def report(entries: list[AccessEntry], published: list[DocumentEntry] = ()) -> Indicators:  # type: ignore[assignment]
    return indicators(entries, published, start=START, end=END, until=UNTIL)


def test_views_people_and_plans_are_counted_by_kind() -> None:
    entries = [view("patient", f"p{i}", document=f"doc-{i % 4}") for i in range(12)]
    entries += [view("patient", "p0", page="treatments", document="doc-0")]  # the same person again: one person
    entries += [view("caregiver", f"c{i}", document="doc-0") for i in range(10)]
    entries += [view("coordinator", f"k{i}", document="doc-9") for i in range(11)]
    figures = report(entries)
    assert figures.views == Cell(34)
    assert figures.views_by_kind == {
        "patient": Cell(13),
        "caregiver": Cell(10),
        "representative": Cell(0),
        "coordinator": Cell(11),
    }
    assert figures.people == Cell(33)
    assert figures.people_by_kind["patient"] == Cell(12)
    # doc-0 … doc-3 and doc-9: five versions, fewer than ten, so not shown.
    assert figures.plans_viewed == Cell(None, "small")


def test_refused_views_records_outside_the_month_and_unknown_kinds_are_not_counted() -> None:
    entries = [view(who=f"p{i}") for i in range(10)]
    entries += [view(who="x", success=False)]  # a refused view (another patient's id, a hidden page)
    entries += [view(who="y", at=START - timedelta(seconds=1))]  # October
    entries += [view(who="z", at=END)]  # December: the end is excluded
    entries += [view("auditor", "w")]  # a kind the portal does not record
    figures = report(entries)
    assert figures.views == Cell(10) and figures.people == Cell(10)


def test_files_taken_are_counted_by_kind_and_not_as_page_views() -> None:
    entries = [view(who=f"p{i}", page="plan_pdf") for i in range(10)]
    entries += [view(who=f"p{i}", page="calendar_file") for i in range(12)]
    entries += [view(who=f"p{i}") for i in range(10)]
    figures = report(entries)
    assert figures.exports == Cell(22)
    assert figures.exports_by_kind["plan_pdf"] == Cell(10)
    assert figures.exports_by_kind["calendar_file"] == Cell(12)
    assert figures.exports_by_kind["portable_copy"] == Cell(0)
    assert figures.views == Cell(10)


def test_versions_opened_and_how_soon_against_a_count_by_hand() -> None:
    published = [version(f"v{i}", START + timedelta(days=i)) for i in range(14)]
    published.append(version("hidden", START, INVISIBLE_PATIENT))  # the patient may not see it: not counted
    published.append(version("october", START - timedelta(days=1)))  # not this month's
    hours = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233]  # v0 … v11 opened; v12 and v13 never
    entries = [view(who=f"p{i}", document=f"v{i}", at=START + timedelta(days=i, hours=h)) for i, h in enumerate(hours)]
    entries.append(view(who="p0", document="v0", at=START + timedelta(hours=50)))  # a later opening: not the first
    entries.append(view("caregiver", "c1", document="v12", at=START + timedelta(days=12, hours=1)))  # not the patient
    entries.append(view(who="p13", document="v13", at=UNTIL + timedelta(hours=1)))  # after the report's data
    figures = report(entries, published)
    assert figures.versions_published == Cell(14)
    assert figures.versions_opened == Cell(12)
    assert figures.hours_to_first_opening_median == Cell(float(statistics.median_low(hours)))
    ranked = sorted(hours)
    assert figures.hours_to_first_opening_p90 == Cell(float(ranked[-2]))  # nearest rank: ⌈0.9 × 12⌉ = 11th


def test_a_first_opening_in_the_following_month_counts_for_the_month_of_publication() -> None:
    published = [version(f"v{i}", END - timedelta(hours=2)) for i in range(10)]
    entries = [view(who=f"p{i}", document=f"v{i}", at=END + timedelta(hours=i)) for i in range(10)]
    figures = report(entries, published)
    assert figures.versions_opened == Cell(10)
    assert figures.hours_to_first_opening_median == Cell(6.0)  # 2 + 4: the 5th of 2 … 11 hours
    assert figures.views == Cell(0)  # those views were December's


def test_delays_of_fewer_than_ten_openings_are_not_shown() -> None:
    published = [version(f"v{i}", START) for i in range(12)]
    entries = [view(who=f"p{i}", document=f"v{i}") for i in range(9)]
    figures = report(entries, published)
    assert figures.versions_opened == Cell(None, "small")
    assert figures.hours_to_first_opening_median == Cell(None, "small")
    assert report([], published).hours_to_first_opening_p90 == Cell(None, "none")


def test_one_small_part_hides_the_next_smallest_so_that_it_cannot_be_subtracted() -> None:
    entries = [view("patient", f"p{i}") for i in range(40)]
    entries += [view("caregiver", f"c{i}") for i in range(12)]
    entries += [view("representative", "r1")]
    figures = report(entries)
    assert figures.views == Cell(53)
    assert figures.views_by_kind["representative"] == Cell(None, "small")
    assert figures.views_by_kind["caregiver"] == Cell(None, "secondary")  # 53 − 40 − 0 would give 13 − 12 = 1
    assert figures.views_by_kind["patient"] == Cell(40)
    assert figures.views_by_kind["coordinator"] == Cell(0)  # a zero tells nothing about anyone


def _cells(figures: Indicators) -> list[Cell]:
    return [
        figures.views,
        *figures.views_by_kind.values(),
        figures.people,
        *figures.people_by_kind.values(),
        figures.plans_viewed,
        figures.versions_published,
        figures.versions_opened,
        figures.exports,
        *figures.exports_by_kind.values(),
    ]


def _derivable(total: Cell, parts: dict[str, Cell]) -> bool:
    """Whether a hidden part can be worked out: the total shown and every other part shown."""
    hidden = [cell for cell in parts.values() if not cell.shown]
    return total.shown and len(hidden) == 1


months = st.lists(
    st.builds(
        view,
        kind=st.sampled_from(VIEWER_KINDS),
        who=st.sampled_from([f"p{i}" for i in range(40)]),
        at=st.integers(0, 40 * 24).map(lambda h: START - timedelta(days=3) + timedelta(hours=h)),
        page=st.sampled_from(PAGES),
        document=st.sampled_from(["doc-1", "doc-2", None]),
    ),
    max_size=120,
)


@settings(max_examples=300, deadline=None)
@given(months)
def test_no_figure_from_one_to_nine_is_ever_shown_nor_one_that_gives_it_away(entries: list[AccessEntry]) -> None:
    figures = report(entries)
    for cell in _cells(figures):
        assert cell.value is None or cell.value == 0 or cell.value >= SMALL_CELL
        assert (cell.value is None) == (cell.suppressed is not None)
    assert not _derivable(figures.views, figures.views_by_kind)
    assert not _derivable(figures.exports, figures.exports_by_kind)
    # The figures shown are the true counts: the views in the month, by a count made here.
    shown = [e for e in entries if START <= e.recorded < END and e.what not in EXPORT_PAGES]  # type: ignore[operator]
    if figures.views.shown:
        assert figures.views.value == len(shown)
    for kind in VIEWER_KINDS:
        cell = figures.views_by_kind[kind]
        if cell.shown:
            assert cell.value == sum(1 for e in shown if e.role == kind)
    assert set(figures.exports_by_kind) == set(EXPORT_KINDS)
