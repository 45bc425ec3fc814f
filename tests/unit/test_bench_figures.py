"""The benchmark table judges each figure against its budget in the right direction, and a run cannot pass on a
figure it did not measure, on a load with failed requests, or on a benchmark that stopped."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import bench.__main__ as harness
from bench.figures import Figure, exit_code, markdown


def test_a_time_over_its_budget_is_flagged() -> None:
    assert Figure("read", 12.0, "ms", 10).verdict == "OVER BUDGET"
    assert Figure("read", 6.0, "ms", 10).verdict == "within budget"


def test_a_score_under_its_floor_is_flagged() -> None:
    assert Figure("lighthouse", 0.9, "", 0.95, direction="min").verdict == "OVER BUDGET"
    assert Figure("lighthouse", 1.0, "", 0.95, direction="min").verdict == "within budget"


def test_a_missing_budgeted_figure_fails_the_run_and_says_why() -> None:
    missing = Figure("read", None, "ms", 10, note="../shared/reference is absent")
    assert missing.verdict == "MISSING" and missing.fails
    assert exit_code([Figure("ok", 1.0, "ms", 10), missing]) == 1
    table = markdown([missing])
    assert "MISSING" in table and "absent" in table


def test_an_allowed_missing_figure_is_printed_as_such_and_passes() -> None:
    allowed = Figure("lighthouse", None, "", 0.95, "min", missing_allowed=True)
    assert allowed.verdict == "missing (allowed)" and not allowed.fails
    assert exit_code([allowed]) == 0


def test_an_info_figure_without_a_value_does_not_fail() -> None:
    assert Figure("render", None, "ms", None).verdict == "not measured"
    assert exit_code([Figure("render", None, "ms", None)]) == 0


def test_a_load_figure_with_a_request_not_answered_200_fails_whatever_its_value() -> None:
    figure = Figure("memory after the load", 100.0, "MB", 150, note="9999 of 10000 answered 200", failed_requests=1)
    assert figure.verdict == "FAILED" and exit_code([figure]) == 1
    info = Figure("throughput", 3000.0, "req/s", None, failed_requests=3)
    assert info.verdict == "FAILED"


def bench(figures: list[Figure]) -> Callable[[], list[Figure]]:
    return lambda: figures


def broken() -> list[Figure]:
    raise RuntimeError("the overview answered 500")


@pytest.fixture
def fake_benchmarks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setattr(
        harness,
        "BENCHMARKS",
        {
            "fine": bench([Figure("fast", 1.0, "ms", 10)]),
            "lighthouse": bench([Figure("Lighthouse performance", None, "", 0.95, "min", note="no chromium")]),
            "broken": broken,
        },
    )
    monkeypatch.setattr(harness, "RESULTS", tmp_path / "results")
    return tmp_path / "run.md"


def test_the_harness_fails_on_a_missing_figure_unless_its_benchmark_is_allowed(fake_benchmarks: Path) -> None:
    run_file = str(fake_benchmarks)
    assert harness.main(["fine", "lighthouse", "--run-file", run_file]) == 1
    assert "| MISSING |" in fake_benchmarks.read_text(encoding="utf-8")
    assert harness.main(["fine", "lighthouse", "--allow-missing", "lighthouse", "--run-file", run_file]) == 0
    written = fake_benchmarks.read_text(encoding="utf-8")
    assert "missing (allowed)" in written and "Allowed to be missing:** lighthouse" in written


def test_a_benchmark_that_raises_fails_the_run_even_when_allowed_missing(fake_benchmarks: Path) -> None:
    assert harness.main(["fine", "broken", "--allow-missing", "broken", "--run-file", str(fake_benchmarks)]) == 1
    written = fake_benchmarks.read_text(encoding="utf-8")
    assert "broken: the benchmark stopped" in written and "answered 500" in written and "FAILED" in written
    assert "fast" in written  # the other benchmarks still ran


def test_an_unknown_benchmark_is_refused(fake_benchmarks: Path) -> None:
    with pytest.raises(SystemExit):
        harness.main(["--allow-missing", "nope"])
