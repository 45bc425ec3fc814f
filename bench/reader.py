"""Reading the 208 KB official PPS example (budget: median ≤ 10 ms), and a generated one for comparison."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from bench.figures import Figure
from portal.pps import read_pps
from portal.synthetic import build_documents

OFFICIAL = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "ci-sis"
EXAMPLE = OFFICIAL / "CANCER-PPS_2022.01_feuille-de-style-externe.xml"
RUNS = 200


def median_ms(data: bytes, runs: int = RUNS) -> float:
    read_pps(data)  # warm up: compiled XPath, parser per thread
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        read_pps(data)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def run() -> list[Figure]:
    figures = []
    if EXAMPLE.exists():
        data = EXAMPLE.read_bytes()
        figures.append(
            Figure(
                "read the official PPS example (median)",
                median_ms(data),
                "ms",
                10,
                note=f"{len(data) // 1024} KB, {RUNS} runs",
            )
        )
    else:
        figures.append(
            Figure("read the official PPS example (median)", None, "ms", 10, note="../shared/reference is absent")
        )
    largest = max((d for d in build_documents() if d.kind == "pps"), key=lambda d: len(d.cda))
    figures.append(
        Figure(
            "read the largest synthetic PPS (median)",
            median_ms(largest.cda),
            "ms",
            None,
            note=f"{len(largest.cda) // 1024} KB",
        )
    )
    return figures
