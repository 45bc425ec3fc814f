"""The Lighthouse benchmark scores every page of the plan, and a page it could not score is a missing figure."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import lighthouse


def report(performance: float, accessibility: float) -> dict[str, object]:
    metrics = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift")
    audits = {k: {"displayValue": "1 s"} for k in metrics}
    return {
        "categories": {"performance": {"score": performance}, "accessibility": {"score": accessibility}},
        "audits": audits,
    }


def test_each_page_gets_both_budgeted_scores() -> None:
    figures = lighthouse._figures("calendar", report(0.97, 0.9), Path("calendar.json"))
    assert [(f.name, f.verdict) for f in figures] == [
        ("Lighthouse mobile performance (calendar)", "within budget"),
        ("Lighthouse mobile accessibility (calendar)", "OVER BUDGET"),
    ]


def test_without_lighthouse_every_page_is_a_missing_budgeted_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lighthouse, "CLI", Path("/nonexistent/lighthouse.js"))
    figures = lighthouse.run()
    assert len(figures) == 2 * len(lighthouse.PLAN_PAGES) == 16
    assert all(f.value is None and f.budget is not None for f in figures)
