"""What the budgeted first-view ratio would read if a part of a first view cost nothing (`make ablation`): the most
that any work on that part could win, measured rather than guessed from a profile.

The workload is `bench.profile`'s: unique first views of the 8 plan pages (each person's pages once, each from a
fresh browser holding only its session cookie, store answers warm, in process). The denominator is `/healthz`
asked in the same process by one browser without a cookie, as wrk asks it. Each pass measures every variant once,
in turn, each on people no variant saw, so that a slow minute of the host falls on all of them; a figure is the
median of the passes. The variants make the templates free, then the other parts together, then all of them:

- **templates**: each compiled template gives back the text it rendered first. The view models are still built;
  the page is another person's page of the same kind, so compression still works on a page of its size.
- **plans**: every parsed plan is kept as objects, without bound. The warm-up read each one; no view unpacks one.
- **access records**: nothing is recorded, and so nothing is sent to the store.
- **page cache**: no page is looked up or kept for a reload.
- **compression**: pages are sent as rendered.

In process, "the code as it is" read 0.149 on 2026-12-06, as `bench.throughput`'s figure under gunicorn and wrk did
within the same hour (docs/performance.md): the ratio can be studied here, without them.

Never part of `make test` or `make bench`: it alters the app on purpose, in its own process, and judges nothing.
Writes bench/results/ablation.txt (also printed).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import jinja2
from flask import Flask

from bench.profile import RESULTS, TEMPLATE_PEOPLE, browse, forget_first_views, measured_pass, warm_up_views
from bench.stack import demo_store, free_port, in_process_app
from bench.throughput import PEOPLE as THROUGHPUT_PEOPLE
from bench.throughput import PLAN_PAGES, STORE_CACHE_TTL, unique_views
from portal.ops import heap
from portal.plans.kept import KeptPlans
from portal.pps.model import CarePlan
from portal.web import compression, recording, rendered

#: The parts a variant can make free, in the order of the table.
PARTS = ("templates", "plans", "access records", "page cache", "compression")
#: People in all, each measured once (each views the 8 plan pages once), split between passes × variants: as many
#: as `bench.throughput` has, so that the bounded caches hold the same share of everyone's plans and answers (with
#: 2,800 people in one process, a view of the code as it is read 5.8 ms instead of about 3).
PEOPLE, PASSES = THROUGHPUT_PEOPLE, 5
#: The budget the ratio is read against (architecture: unique first views ≥ 0.25 × /healthz).
BUDGET = 0.25


@dataclass(frozen=True)
class Variant:
    name: str
    free: frozenset[str]


#: The parts other than the templates, made free together: in three runs with a variant for each part (27 people
#: a group), each of them read from −8 % to 22 % saved from one run to the next, within the spread of a group's figure.
OTHERS = frozenset(PARTS) - {"templates"}
VARIANTS = (
    Variant("the code as it is", frozenset()),
    Variant("templates free", frozenset({"templates"})),
    Variant("plans, access records, page cache and compression free", OTHERS),
    Variant("all of these free", frozenset(PARTS)),
)


class Free:
    """The switches: which parts cost nothing for now. `install` once, before the warm-up (which is when each
    template's first text and each plan's objects are kept), then set `parts` for each variant."""

    def __init__(self) -> None:
        self.parts: frozenset[str] = frozenset()
        self.first_texts: dict[jinja2.Template, str] = {}
        self.plans: dict[tuple[int, Hashable], CarePlan] = {}

    def install(self) -> None:
        self._templates()
        self._plans()
        self.switch(recording, "record", "access records")
        self.switch(rendered, "from_memory", "page cache")
        self.switch(rendered, "keep", "page cache")
        self.switch(compression, "compress", "compression")

    def switch(self, module: ModuleType, name: str, part: str) -> None:
        """`module.name` gives back None without running while `part` is free (each of them returns None or
        "nothing kept", and their callers name them through the module, so they meet the switch)."""
        original: Callable[..., Any] = getattr(module, name)

        def switched(*args: Any, **kwargs: Any) -> Any:
            return None if part in self.parts else original(*args, **kwargs)

        setattr(module, name, switched)

    def _templates(self) -> None:
        original = jinja2.Template.render
        first_texts = self.first_texts

        def render(template: jinja2.Template, *args: Any, **kwargs: Any) -> str:
            if "templates" in self.parts and template in first_texts:
                return first_texts[template]
            text = original(template, *args, **kwargs)
            first_texts.setdefault(template, text)
            return text

        setattr(jinja2.Template, "render", render)  # noqa: B010 (a method replaced on purpose, for every template)

    def _plans(self) -> None:
        original = KeptPlans.get
        plans = self.plans

        def get(kept: KeptPlans, key: Hashable) -> CarePlan | None:
            if "plans" in self.parts and (id(kept), key) in plans:
                return plans[id(kept), key]
            plan = original(kept, key)
            if plan is not None:
                plans[id(kept), key] = plan
            return plan

        setattr(KeptPlans, "get", get)  # noqa: B010 (a method replaced on purpose, for every plan cache)


@dataclass(frozen=True)
class Figures:
    """CPU per view of each variant in each pass, and per /healthz measured just before and just after it (their
    mean), in ms. The host's speed changes from one minute to the next (up to 1.7×, docs/performance.md): a
    variant is compared with the code as it is of its own pass, and with the /healthz beside it."""

    views: dict[str, list[float]]
    healthz: dict[str, list[float]]

    def median(self, name: str) -> float:
        return statistics.median(self.views[name])

    def saved(self, name: str, base: str) -> float:
        """The median over the passes of the share of `base`'s CPU per view that `name` did not spend."""
        return statistics.median(1 - ms / b for ms, b in zip(self.views[name], self.views[base], strict=True))

    def ratio(self, name: str) -> float:
        """The median over the passes of /healthz's CPU per request over `name`'s per view (the budget's ratio)."""
        return statistics.median(h / ms for h, ms in zip(self.healthz[name], self.views[name], strict=True))

    @property
    def healthz_median(self) -> float:
        return statistics.median(ms for beside in self.healthz.values() for ms in beside)


def alternate(
    variants: Sequence[Variant],
    passes: int,
    view_ms: Callable[[Variant, int], float],
    healthz_ms: Callable[[], float],
) -> Figures:
    """Each pass: `/healthz`, then every variant in turn, each followed by `/healthz` (`view_ms(variant, n)` with
    `n` counting the variants measured so far, so that each takes people none took before)."""
    views: dict[str, list[float]] = {variant.name: [] for variant in variants}
    healthz: dict[str, list[float]] = {variant.name: [] for variant in variants}
    measured = 0
    for _ in range(passes):
        before = healthz_ms()
        for variant in variants:
            views[variant.name].append(view_ms(variant, measured))
            measured += 1
            after = healthz_ms()
            healthz[variant.name].append((before + after) / 2)
            before = after
    return Figures(views, healthz)


def table(figures: Figures, variants: Sequence[Variant]) -> str:
    """The figures as a Markdown table: CPU per view, what it saves against the first variant (the code as it is),
    the budget's ratio; the last two paired within each pass."""
    base = variants[0].name
    rows = [
        "| variant | CPU per first view (median) | saved (median of passes) | /healthz ÷ first view (median of "
        "passes) | passes (ms) |",
        "|---|---|---|---|---|",
    ]
    for variant in variants:
        passes = ", ".join(f"{ms:.2f}" for ms in figures.views[variant.name])
        saved = 100 * figures.saved(variant.name, base)
        rows.append(
            f"| {variant.name} | {figures.median(variant.name):.2f} ms | {saved:.0f} % "
            f"| {figures.ratio(variant.name):.3f} | {passes} |"
        )
    rows.append(f"| /healthz (beside each variant) | {figures.healthz_median:.3f} ms | – | – | – |")
    return "\n".join(rows)


def verdict(figures: Figures, variants: Sequence[Variant]) -> str:
    """Which variants would meet the budget; a sentence for the end of the output."""
    meeting = [v.name for v in variants if figures.ratio(v.name) >= BUDGET]
    if not meeting:
        return f"No variant reaches {BUDGET}."
    return f"Variants at or over {BUDGET}: {', '.join(meeting)}."


def _healthz_ms(app: Flask, url: str, requests: int) -> float:
    client = app.test_client()
    gc.collect()
    started = time.process_time()
    for _ in range(requests):
        answer = client.get("/healthz", base_url=url)
        answer.get_data()
        answer.close()
        if answer.status_code != 200:
            raise RuntimeError(f"/healthz answered {answer.status_code}")
    return 1000 * (time.process_time() - started) / requests


def group_size(people: int, passes: int, variants: int) -> int:
    """People per variant and pass: everyone measured once."""
    if passes < 1:
        raise ValueError(f"{passes} passes: at least one is needed")
    size = people // (passes * variants)
    if size < 1:
        raise ValueError(f"{people} people cannot be split between {passes} passes of {variants} variants")
    return size


def measure(people: int, passes: int, variants: Sequence[Variant] = VARIANTS) -> Figures:
    """`people` split between `passes` × `variants` (`group_size`), the few who compile every template besides."""
    free = Free()
    free.install()
    group = group_size(people, passes, len(variants))
    needed = passes * len(variants) * group + TEMPLATE_PEOPLE
    url = f"http://127.0.0.1:{free_port()}"
    with demo_store(needed, portal_url=url) as (stack, everyone):
        app = in_process_app(stack, url, everyone, PORTAL_STORE_CACHE_TTL=STORE_CACHE_TTL)
        heap.settle()
        copies = everyone[-needed:]
        warm_up = warm_up_views(copies)
        print(f"warm-up: {len(warm_up)} views", flush=True)
        browse(app, url, warm_up)
        forget_first_views(app)

        def view_ms(variant: Variant, n: int) -> float:
            free.parts = variant.free
            try:
                people_now = copies[TEMPLATE_PEOPLE + n * group : TEMPLATE_PEOPLE + (n + 1) * group]
                ms = measured_pass(app, url, unique_views(people_now)).cpu_ms_per_view
            finally:
                free.parts = frozenset()
            forget_first_views(app)
            print(f"  {variant.name}: {ms:.2f} ms per view", flush=True)
            return ms

        return alternate(variants, passes, view_ms, lambda: _healthz_ms(app, url, group * len(PLAN_PAGES)))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ablation", description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=PEOPLE, help=f"people in all, each measured once ({PEOPLE})")
    parser.add_argument("--passes", type=int, default=PASSES, help=f"passes ({PASSES})")
    args = parser.parse_args(argv)
    try:
        group = group_size(args.people, args.passes, len(VARIANTS))
    except ValueError as exc:
        parser.error(str(exc))  # exits 2 with the usage and the message, before anything starts
    figures = measure(args.people, args.passes)
    text = (
        f"Unique first views ({args.people} people, {group} per "
        f"variant and pass, {args.passes} passes, each person's {len(PLAN_PAGES)} plan pages once), CPU time of "
        f"the whole process per view, in process:\n\n"
        f"{table(figures, VARIANTS)}\n\n{verdict(figures, VARIANTS)}\n"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "ablation.txt").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
