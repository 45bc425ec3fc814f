"""A measured figure beside its budget, and the table and JSON the harness writes.

A run fails (exit 1) when any figure's verdict is in FAILING: over its budget, a budgeted figure that could not be
measured ("MISSING", unless its benchmark was named with `--allow-missing`), or a figure whose load had a wrong answer
(for pages: anything but 200), or whose benchmark stopped with an error ("FAILED")."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

#: The verdicts that fail a run.
FAILING = frozenset({"OVER BUDGET", "MISSING", "FAILED"})


@dataclass(frozen=True)
class Figure:
    name: str
    value: float | None
    unit: str
    budget: float | None
    #: "max" when the value must stay at or under the budget, "min" when at or over it.
    direction: str = "max"
    note: str = ""
    #: Requests of the load behind this figure that did not get a right answer: for a load of pages, any answer
    #: but 200 (an error, a redirect, no answer, a request the time limit left unsent). Any fails the figure,
    #: whatever its value says; the note says what they got.
    failed_requests: int = 0
    #: Why the benchmark could not give this figure at all (it raised): fails the figure.
    error: str = ""
    #: The benchmark that measured it (`python -m bench NAME`); set by the harness.
    benchmark: str = ""
    #: A budgeted figure without a value is printed as "missing (allowed)" instead of failing the run: set by the
    #: harness for the benchmarks named with `--allow-missing`.
    missing_allowed: bool = False

    @property
    def verdict(self) -> str:
        if self.error or self.failed_requests:
            return "FAILED"
        if self.value is None:
            if self.budget is None:
                return "not measured"
            return "missing (allowed)" if self.missing_allowed else "MISSING"
        if self.budget is None:
            return "info"
        ok = self.value <= self.budget if self.direction == "max" else self.value >= self.budget
        return "within budget" if ok else "OVER BUDGET"

    @property
    def fails(self) -> bool:
        return self.verdict in FAILING


def stopped(benchmark: str, error: BaseException) -> Figure:
    """The figure that stands for a benchmark that raised: it fails the run, `--allow-missing` or not."""
    reason = f"{type(error).__name__}: {error}".strip()
    return Figure(f"{benchmark}: the benchmark stopped", None, "", None, note=reason[:500], error=reason[:500])


def of_benchmark(figures: list[Figure], benchmark: str, *, missing_allowed: bool) -> list[Figure]:
    return [replace(f, benchmark=benchmark, missing_allowed=missing_allowed) for f in figures]


def exit_code(figures: list[Figure]) -> int:
    return 1 if any(f.fails for f in figures) else 0


def markdown(figures: list[Figure]) -> str:
    lines = ["| what | measured | budget | verdict | note |", "|---|---|---|---|---|"]
    for f in figures:
        value = "–" if f.value is None else f"{_number(f.value)} {f.unit}".strip()
        sign = "≤" if f.direction == "max" else "≥"
        budget = "–" if f.budget is None else f"{sign} {f.budget:g} {f.unit}".strip()
        lines.append(f"| {f.name} | {value} | {budget} | {f.verdict} | {_cell(f.note)} |")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _number(value: float) -> str:
    # Three significant digits, but never an exponent: 5130 req/s, not 5.13e+03.
    return f"{value:.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def as_json(figures: list[Figure], run: dict[str, Any]) -> dict[str, Any]:
    """What bench.json holds: the run (commit, date, machine, command; `bench.runfile.describe`) and each figure
    with its verdict."""
    return {"run": run, "figures": [asdict(f) | {"verdict": f.verdict} for f in figures]}


def figures_of(data: dict[str, Any]) -> list[Figure]:
    """The figures of a bench.json, as written by `write`."""
    fields = set(Figure.__dataclass_fields__)
    return [Figure(**{k: v for k, v in item.items() if k in fields}) for item in data["figures"]]


def write(figures: list[Figure], folder: Path, run: dict[str, Any]) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    table = folder / "bench.md"
    data = folder / "bench.json"
    table.write_text(markdown(figures) + "\n", encoding="utf-8")
    data.write_text(json.dumps(as_json(figures, run), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return table, data
