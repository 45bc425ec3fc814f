"""`python -m bench`: run every benchmark, print the table, write bench/results/bench.{md,json} and, from that
JSON, the run file docs/performance-run.md (`bench.runfile`).

`python -m bench NAME…` runs some of them. The run exits 1 when a figure is over its budget, when a budgeted figure
could not be measured (unless its benchmark is named with `--allow-missing`), when a load had an answer other than
200, or when a benchmark stopped with an error."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from bench import (
    faults,
    hostile,
    lighthouse,
    memory,
    reader,
    regions,
    roundtrips,
    runfile,
    scaleout,
    throughput,
    transfer,
)
from bench.figures import Figure, exit_code, markdown, of_benchmark, stopped, write

RESULTS = Path(__file__).resolve().parent / "results"
BENCHMARKS: dict[str, Callable[[], list[Figure]]] = {
    "reader": reader.run,
    "hostile": hostile.run,
    "roundtrips": roundtrips.run,
    "regions": regions.run,
    "transfer": transfer.run,
    "throughput": throughput.run,
    "memory": memory.run,
    "scaleout": scaleout.run,
    "lighthouse": lighthouse.run,
    "faults": faults.run,
}


def parser() -> argparse.ArgumentParser:
    found = argparse.ArgumentParser(
        prog="python -m bench",
        description="Measure the portal against the budgets of the architecture, on loopback, bounded in time.",
        epilog="Exit 1 when a figure is over its budget, a budgeted figure is missing (not allowed), a load had an"
        " answer other than 200, or a benchmark stopped with an error. Writes bench/results/bench.{md,json} and"
        " docs/performance-run.md from that JSON.",
    )
    every = ", ".join(BENCHMARKS)
    found.add_argument("names", nargs="*", metavar="NAME", help=f"benchmarks to run (default: all): {every}")
    found.add_argument(
        "--allow-missing",
        action="append",
        default=[],
        metavar="NAME",
        choices=list(BENCHMARKS),
        help="a benchmark (e.g. lighthouse, where there is no Chromium) whose budgeted figures may be missing: they"
        " are printed as 'missing (allowed)' instead of failing the run. Figures it did measure are still judged,"
        " and a benchmark that stops with an error still fails. Repeat for several.",
    )
    found.add_argument(
        "--run-file",
        type=Path,
        default=runfile.RUN_FILE,
        metavar="PATH",
        help="where to write the run file (default: docs/performance-run.md)",
    )
    return found


def run_all(names: list[str], allowed: set[str], benchmarks: dict[str, Callable[[], list[Figure]]]) -> list[Figure]:
    figures: list[Figure] = []
    for name in names:
        print(f"bench: {name}…", file=sys.stderr, flush=True)
        try:
            measured = benchmarks[name]()
        except Exception as error:  # any error is this benchmark's failure; the others still run
            print(f"bench: {name} stopped: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
            measured = [stopped(name, error)]
        figures += of_benchmark(measured, name, missing_allowed=name in allowed)
    return figures


def main(argv: list[str] | None = None) -> int:
    options = parser()
    args = options.parse_args(sys.argv[1:] if argv is None else argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        options.error(f"no benchmark named {', '.join(unknown)} (choose from {', '.join(BENCHMARKS)})")
    chosen = list(dict.fromkeys(args.names)) or list(BENCHMARKS)
    allowed = list(dict.fromkeys(args.allow_missing))
    run = runfile.describe(
        runfile.command_line(sys.argv[1:] if argv is None else argv),
        chosen,
        [n for n in BENCHMARKS if n not in chosen],
        allowed,
    )
    figures = run_all(chosen, set(allowed), BENCHMARKS)
    print(markdown(figures))
    table, data = write(figures, RESULTS, run)
    written = runfile.write(data, args.run_file)
    print(f"\nwritten: {table}, {data} and {written}")
    failing = [f for f in figures if f.fails]
    for f in failing:
        print(f"bench: FAIL {f.name}: {f.verdict}", file=sys.stderr)
    return exit_code(figures)


if __name__ == "__main__":
    raise SystemExit(main())
