"""A measured figure beside its budget, and the table and JSON the harness writes."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Figure:
    name: str
    value: float | None
    unit: str
    budget: float | None
    #: "max" when the value must stay at or under the budget, "min" when at or over it.
    direction: str = "max"
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.value is None:
            return "skipped"
        if self.budget is None:
            return "info"
        ok = self.value <= self.budget if self.direction == "max" else self.value >= self.budget
        return "within budget" if ok else "OVER BUDGET"


def markdown(figures: list[Figure]) -> str:
    lines = ["| what | measured | budget | verdict | note |", "|---|---|---|---|---|"]
    for f in figures:
        value = "–" if f.value is None else f"{_number(f.value)} {f.unit}".strip()
        sign = "≤" if f.direction == "max" else "≥"
        budget = "–" if f.budget is None else f"{sign} {f.budget:g} {f.unit}".strip()
        lines.append(f"| {f.name} | {value} | {budget} | {f.verdict} | {f.note} |")
    return "\n".join(lines)


def _number(value: float) -> str:
    # Three significant digits, but never an exponent: 5130 req/s, not 5.13e+03.
    return f"{value:.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def write(figures: list[Figure], folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    table = folder / "bench.md"
    data = folder / "bench.json"
    table.write_text(markdown(figures) + "\n", encoding="utf-8")
    data.write_text(
        json.dumps([asdict(f) | {"verdict": f.verdict} for f in figures], indent=2) + "\n", encoding="utf-8"
    )
    return table, data
