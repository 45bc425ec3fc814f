"""The benchmark table judges each figure against its budget in the right direction."""

from __future__ import annotations

from bench.figures import Figure, markdown


def test_a_time_over_its_budget_is_flagged() -> None:
    assert Figure("read", 12.0, "ms", 10).verdict == "OVER BUDGET"
    assert Figure("read", 6.0, "ms", 10).verdict == "within budget"


def test_a_score_under_its_floor_is_flagged() -> None:
    assert Figure("lighthouse", 0.9, "", 0.95, direction="min").verdict == "OVER BUDGET"
    assert Figure("lighthouse", 1.0, "", 0.95, direction="min").verdict == "within budget"


def test_a_skipped_figure_says_why_in_the_table() -> None:
    table = markdown([Figure("read", None, "ms", 10, note="../shared/reference is absent")])
    assert "skipped" in table and "absent" in table
