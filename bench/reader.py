"""Reading the 208 KB official PPS example (budget: median ≤ 10 ms) and rendering its overview (view model, then
template), and a generated document for comparison."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path

from flask import Flask, g, render_template

from bench.figures import Figure
from portal.cli.preview import preview_app
from portal.plain.views import Linker, overview_view
from portal.pps import read_pps
from portal.pps.model import CarePlan
from synthetic import build_documents

OFFICIAL = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "ci-sis"
EXAMPLE = OFFICIAL / "CANCER-PPS_2022.01_feuille-de-style-externe.xml"
RUNS = 200


def median_ms(data: bytes, runs: int = RUNS) -> float:
    return timed(lambda: read_pps(data), runs)


def reference_work() -> int:
    """A fixed amount of plain Python (100,000 additions in a loop): how fast the host runs Python just then."""
    total = 0
    for number in range(100_000):
        total += number
    return total


def alternated_ms(
    work: Callable[[], object],
    reference: Callable[[], object],
    runs: int = RUNS,
    clock: Callable[[], float] = time.perf_counter,
) -> tuple[float, float]:
    """Median milliseconds of `work` and of `reference`, run one after the other `runs` times (after one run of
    each to warm up), so that both meet the same moments of a shared host, whose speed changes from one minute
    to the next."""
    work()
    reference()
    work_ms, reference_ms = [], []
    for _ in range(runs):
        start = clock()
        work()
        middle = clock()
        reference()
        end = clock()
        work_ms.append((middle - start) * 1000)
        reference_ms.append((end - middle) * 1000)
    return statistics.median(work_ms), statistics.median(reference_ms)


def timed(work: Callable[[], object], runs: int = RUNS) -> float:
    """Median milliseconds of `work`, after one run to warm up (compiled XPath, parser per thread)."""
    work()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def render_overview(plan: CarePlan, today: dt.date) -> str:
    """The overview's body for `plan`, with the portal's own view model, template and translations."""
    app = _preview_app()
    with app.test_request_context("/"):
        g.preview_lang = "fr"
        html: str = render_template(
            "plan/parts/overview.html",
            view=overview_view(plan, "fr", today),
            gloss=Linker("fr", href="#glossary-{id}", partial=None),
            id_prefix="",
            anchor_prefix="glossary-",
            plan=plan,
            lang="fr",
            pages={key: f"#{key}" for key in PAGE_KEYS},
        )
    return html


@cache
def _preview_app() -> Flask:
    return preview_app()


PAGE_KEYS = ("overview", "treatments", "calendar", "contacts", "support", "illness", "history", "documents", "glossary")


def run() -> list[Figure]:
    figures = []
    if EXAMPLE.exists():
        data = EXAMPLE.read_bytes()
        reading, reference = alternated_ms(lambda: read_pps(data), reference_work)
        figures.append(
            Figure(
                "read the official PPS example (median)",
                reading,
                "ms",
                10,
                note=f"{len(data) // 1024} KB, {RUNS} runs, each followed by the host-speed reference below",
            )
        )
        figures.append(
            Figure(
                "host speed: a fixed amount of plain Python, alternated with those readings (median)",
                reference,
                "ms",
                None,
                note=f"100,000 additions in a loop; the reading took {reading / reference:.2f} times as long",
            )
        )
        plan, today = read_pps(data), dt.date(2026, 6, 1)
        figures.append(
            Figure(
                "overview view model of the official example (median)",
                timed(lambda: overview_view(plan, "fr", today)),
                "ms",
                None,
                note="plain-language model the overview template shows",
            )
        )
        figures.append(
            Figure(
                "render the overview of the official example, view model and template (median)",
                timed(lambda: render_overview(plan, today)),
                "ms",
                None,
                note="the page's body as the portal renders it (portal.cli.preview's app: templates, translations)",
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
