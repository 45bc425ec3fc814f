"""The Lighthouse benchmark scores every page of the plan, and a page it could not score is a missing figure."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

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


def lighthouse_says(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *failures: str) -> list[str]:
    """Lighthouse failing with each of `failures` in turn, then writing its report; the calls made."""
    said = list(failures)
    calls: list[str] = []

    def run(command: list[str], **_options: Any) -> subprocess.CompletedProcess[str]:
        calls.append(command[2])
        if said:
            return subprocess.CompletedProcess(command, 1, "", said.pop(0))
        finished = {**report(0.99, 1.0), "finalDisplayedUrl": command[2]}
        (tmp_path / "page.json").write_text(json.dumps(finished), encoding="utf-8")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(lighthouse.subprocess, "run", run)
    return calls


TRACE_WENT_WRONG = (
    "Runtime error encountered: Something went wrong with recording the trace over your page load. "
    "Please run Lighthouse again. (NO_NAVSTART)"
)


def test_a_trace_that_went_wrong_is_measured_again_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls = lighthouse_says(monkeypatch, tmp_path, TRACE_WENT_WRONG)
    found = lighthouse._lighthouse("http://127.0.0.1:1/support", "sid=x", tmp_path / "page.json")
    assert calls == ["http://127.0.0.1:1/support"] * 2 and found["categories"]["performance"]["score"] == 0.99


def test_the_same_failure_twice_stops_the_benchmark(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls = lighthouse_says(monkeypatch, tmp_path, TRACE_WENT_WRONG, TRACE_WENT_WRONG)
    with pytest.raises(RuntimeError, match="NO_NAVSTART"):
        lighthouse._lighthouse("http://127.0.0.1:1/support", "sid=x", tmp_path / "page.json")
    assert len(calls) == 2


def test_any_other_failure_stops_it_at_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls = lighthouse_says(monkeypatch, tmp_path, "Chrome could not be started")
    with pytest.raises(RuntimeError, match="Chrome could not be started"):
        lighthouse._lighthouse("http://127.0.0.1:1/support", "sid=x", tmp_path / "page.json")
    assert len(calls) == 1
