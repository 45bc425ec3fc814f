"""`python -m bench`: run every benchmark, print the table, write bench/results/bench.{md,json}."""

from __future__ import annotations

from pathlib import Path

from bench import reader
from bench.figures import markdown, write

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> int:
    figures = [*reader.run()]
    print(markdown(figures))
    table, data = write(figures, RESULTS)
    print(f"\nwritten: {table} and {data}")
    return 1 if any(f.verdict == "OVER BUDGET" for f in figures) else 0


if __name__ == "__main__":
    raise SystemExit(main())
