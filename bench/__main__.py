"""`python -m bench`: run every benchmark, print the table, write bench/results/bench.{md,json}.

`python -m bench NAME…` runs some of them (reader, hostile, roundtrips, regions, transfer, throughput, memory,
scaleout, lighthouse, faults)."""

from __future__ import annotations

import sys
from pathlib import Path

from bench import faults, hostile, lighthouse, memory, reader, regions, roundtrips, scaleout, throughput, transfer
from bench.figures import markdown, write

RESULTS = Path(__file__).resolve().parent / "results"
BENCHMARKS = {
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


def main() -> int:
    chosen = sys.argv[1:] or list(BENCHMARKS)
    figures = []
    for name in chosen:
        print(f"bench: {name}…", file=sys.stderr, flush=True)
        figures += BENCHMARKS[name]()
    print(markdown(figures))
    table, data = write(figures, RESULTS)
    print(f"\nwritten: {table} and {data}")
    return 1 if any(f.verdict == "OVER BUDGET" for f in figures) else 0


if __name__ == "__main__":
    raise SystemExit(main())
