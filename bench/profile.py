"""Where a unique first view of a care-plan page spends its CPU: a flame graph of the code as it is (`make profile`).

The workload is the budgeted figure of `bench.throughput`: N people (480 by default), each of the 8 plan pages once,
in a seeded shuffled order, the store answers already fetched (`PORTAL_STORE_CACHE_TTL` 900 s), no page from the
per-session page cache; the parsed plans as the warm-up left them in the plan cache (packed, as after
`bench.throughput`'s warm-up). It runs in process (the Flask test client, one fresh browser per view holding only
its session cookie and accepting the encodings wrk says it accepts, so pages are compressed as in the benchmark),
in a child process of its own:

1. the demo store with 2 × N copied patients and a few more, the app with everyone signed in;
2. a warm-up as `bench.throughput`'s: everyone's pages that fetch the store answers, asked with a query string
   (`bench.throughput.WARMING`); the few more people view every plan page, so that every template is compiled;
3. what a first view finds nowhere forgotten (rendered pages, the access trail's coalescing windows);
4. the measured pass without the profiler, N people's views: its process CPU time (every thread) per view;
5. the caches forgotten again, then the other N people's views while py-spy samples the process (attached by PID
   after the warm-up, so only this pass is in the graph). Each sample is, by default, the thread holding
   the GIL, whichever it is (the page's, the store pool's, the access trail's): where Python spends CPU;
   `--sampling active` takes every thread py-spy finds running instead (native code without the GIL, and waits).

No measured view was seen before, by either pass or the warm-up: what the portal keeps of a page it rendered
(memos of words, of links, of view parts) is as cold as in the benchmark, where each view is sent once.

Writes bench/results/first-views.svg (the flame graph, click a frame to zoom), first-views.folded (the folded stacks,
for any flame graph tool) and first-views.txt (the text summary, also printed: a "text flame graph" for a PR note).
Never part of `make test` or `make bench`: it measures nothing against a budget, it shows where the time goes.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import hashlib
import json
import math
import os
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import cachetools
from flask import Flask

from bench.load import ACCEPT_ENCODING
from bench.population import Person
from bench.stack import demo_store, free_port, in_process_app, session_cookie
from bench.throughput import PLAN_PAGES, STORE_CACHE_TTL, WARMING, unique_views
from portal.ops import heap

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PEOPLE, RATE = 480, 200
PY_SPY = Path(sys.executable).parent / "py-spy"
#: Where project code lives (relative to the repository): the frames the summary is about.
PROJECT = ("portal/", "templates/")
#: The benchmark's own code: the loop that sends the requests, the demo stack.
HARNESS = ("bench/", "demo/", "synthetic/", "tests/")
#: People who view every plan page in the warm-up only: every template is compiled before the first measured view.
TEMPLATE_PEOPLE = 8
#: The share of the samples a call must have to be in the text tree.
TREE_SHARE = 0.04
#: Attribute names that say an attribute is a cache (`clear_caches`).
CACHE_WORDS = ("cache", "pages", "plans", "models", "sizes")
#: What a sample holds (`--sampling`).
SAMPLED = {
    "gil": "each the thread holding the GIL, whichever it was (Python's CPU; native code without the GIL left out)",
    "active": "every thread py-spy found not idle (native code without the GIL in, waits for the GIL too)",
}
SAMPLING = tuple(SAMPLED)
#: How long the driver waits for py-spy to say it samples, and for the workload to end after it was released.
ATTACH_SECONDS, EXIT_SECONDS = 30.0, 120.0
#: How long the workload waits for the driver to start py-spy (the driver gone, it stops at once).
GO_SECONDS = 300.0


# --- the workload (in its own process) --------------------------------------------------------------------------


@dataclass(frozen=True)
class Pass:
    """One pass over every view: how many, the process's CPU time (every thread) and the wall time it took."""

    views: int
    cpu_seconds: float
    wall_seconds: float

    @property
    def cpu_ms_per_view(self) -> float:
        return 1000 * self.cpu_seconds / self.views


@dataclass(frozen=True)
class Workload:
    """The views of a run: the warm-up's, the pass measured without the profiler, the one py-spy samples."""

    warm_up: list[tuple[Person, str]]
    measured: list[tuple[Person, str]]
    profiled: list[tuple[Person, str]]


def workload_views(copies: Sequence[Person], people: int) -> Workload:
    """Split `copies` (each a patient with a plan of their own): `people` for each pass, TEMPLATE_PEOPLE before
    them for the templates. Everyone's warming pages are asked in the warm-up, as `bench.throughput` asks them; no
    view of a pass is asked before it."""
    needed = 2 * people + TEMPLATE_PEOPLE
    if len(copies) < needed:
        raise ValueError(f"{needed} copied patients are needed, there are {len(copies)}")
    measured = copies[TEMPLATE_PEOPLE : TEMPLATE_PEOPLE + people]
    profiled = copies[TEMPLATE_PEOPLE + people : needed]
    return Workload(warm_up_views(copies[:needed]), unique_views(measured), unique_views(profiled))


def warm_up_views(copies: Sequence[Person]) -> list[tuple[Person, str]]:
    """The warm-up of `bench.throughput` for `copies`: everyone's warming pages (their store answers fetched, their
    plans packed), then every plan page of the first TEMPLATE_PEOPLE, so that every template is compiled."""
    warming = [(person, path.format(n=1)) for person in copies for path in WARMING]
    return warming + unique_views(copies[:TEMPLATE_PEOPLE])


def forget_first_views(app: Flask) -> list[str]:
    """Forget what a first view finds nowhere: the rendered pages and the access trail's coalescing windows (a first
    view is never a repeat of a recent view). The store answers and the parsed plans stay, as in the benchmark.
    Returns what was cleared, for the log."""
    cleared: list[str] = []
    rendered = app.extensions.get("portal.rendered")
    if rendered is not None:
        cleared += clear_caches(rendered, "rendered pages")
    for trail in _trails(app):
        trail.close_windows()
        trail.flush(timeout=60)  # the warm-up's records are sent before the measured pass, not during it
        cleared.append("access trail windows")
    gc.collect()
    return cleared


def clear_caches(owner: object, label: str) -> list[str]:
    """Empty what `owner` caches, whatever its attributes are called today (the plan cache is being rewritten): its
    own `clear()` when it has one, else, under its `_lock` if it has one, every attribute that is a cachetools cache
    or whose name says cache (`_cache`, `_pages`, `_plans`…) and that can be cleared. Says on stderr when it found
    nothing, rather than profiling warm caches without a word."""
    clear = getattr(owner, "clear", None)
    if callable(clear):
        clear()
        return [f"{label}: clear()"]
    lock = getattr(owner, "_lock", None)
    cleared = []
    with lock if isinstance(lock, contextlib.AbstractContextManager) else contextlib.nullcontext():
        for name, value in getattr(owner, "__dict__", {}).items():
            named = any(word in name.lower() for word in CACHE_WORDS)
            if (named or isinstance(value, cachetools.Cache)) and callable(getattr(value, "clear", None)):
                value.clear()
                cleared.append(f"{label}: {name}")
    if not cleared:
        print(f"warning: nothing to clear in {label} ({type(owner).__name__}): its caches stay warm", file=sys.stderr)
    return cleared


def _unique(items: Iterable[Any]) -> list[Any]:
    return list({id(item): item for item in items}.values())


def _trails(app: Flask) -> list[Any]:
    regions = app.extensions.get("portal.regions", {}).values()
    return _unique([app.extensions["portal.access.trail"], *(region.trail for region in regions)])


def browse(app: Flask, url: str, views: Sequence[tuple[Person, str]]) -> None:
    """Every view once, each from a fresh browser that holds its session cookie only; any answer but 200 stops."""
    for (person, page), client in zip(views, _browsers(app, views), strict=True):
        _view(client, url, person, page)


def measured_pass(app: Flask, url: str, views: Sequence[tuple[Person, str]]) -> Pass:
    """The views the profile is about; CPU time of the whole process (the store pool's threads and the access
    trail's included: the trail is flushed before the clock stops)."""
    browsers = _browsers(app, views)  # made before the clock starts
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    for (person, page), client in zip(views, browsers, strict=True):
        _view(client, url, person, page)
    for trail in _trails(app):
        trail.flush(timeout=60)
    return Pass(len(views), time.process_time() - cpu, time.perf_counter() - wall)


def _browsers(app: Flask, views: Sequence[tuple[Person, str]]) -> list[Any]:
    browsers = []
    for person, _page in views:
        client = app.test_client()
        session_cookie(client, person)
        browsers.append(client)
    return browsers


def _view(client: Any, url: str, person: Person, page: str) -> None:
    answer = client.get(page, base_url=url, headers={"Accept-Encoding": ACCEPT_ENCODING})  # compressed, as wrk's
    try:
        answer.get_data()
        if answer.status_code != 200:
            raise RuntimeError(f"{page} answered {answer.status_code} for {person.patient_id}")
    finally:
        answer.close()


def workload(people: int, control: Path) -> None:
    """The child process: warm up, measure unprofiled, say it is ready, wait for the profiler, measure again."""
    _allow_tracing()
    parent = os.getppid()
    url = f"http://127.0.0.1:{free_port()}"
    started = time.perf_counter()
    with demo_store(2 * people + TEMPLATE_PEOPLE, portal_url=url) as (stack, everyone):
        app = in_process_app(stack, url, everyone, PORTAL_STORE_CACHE_TTL=STORE_CACHE_TTL)
        heap.settle()  # as the serving entry points do (bench.wsgi, portal.wsgi)
        # The copied patients (the last ones): each with a plan of their own.
        views = workload_views(everyone[-(2 * people + TEMPLATE_PEOPLE) :], people)
        _step(f"store up ({time.perf_counter() - started:.0f} s); warm-up: {len(views.warm_up)} views")
        browse(app, url, views.warm_up)
        _step(f"warm; forgot {', '.join(forget_first_views(app))}; measured pass without the profiler")
        unprofiled = measured_pass(app, url, views.measured)
        forget_first_views(app)
        _step(f"{unprofiled.cpu_ms_per_view:.2f} ms CPU per view; waiting for py-spy")
        _write_json(control / "ready", {"unprofiled": asdict(unprofiled)})
        _wait_for_file(control / "go", timeout=GO_SECONDS, alive=lambda: os.getppid() == parent)
        profiled = measured_pass(app, url, views.profiled)
        _write_json(control / "done", {"profiled": asdict(profiled)})
        _wait_for_file(control / "release", timeout=EXIT_SECONDS, alive=lambda: os.getppid() == parent)


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _allow_tracing() -> None:
    """Let a process of the same user attach (Linux Yama `ptrace_scope` 1, Ubuntu's default, lets a process trace
    its descendants only; py-spy is this process's sibling). Nothing happens where Yama is not there."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_ptracer, any_process = 0x59616D61, ctypes.c_ulong(-1 & 0xFFFFFFFFFFFFFFFF)
        libc.prctl(pr_set_ptracer, any_process, 0, 0, 0)


def _step(text: str) -> None:
    print(f"  workload: {text}", flush=True)


def _write_json(path: Path, value: object) -> None:
    path.with_suffix(".tmp").write_text(json.dumps(value), encoding="utf-8")
    path.with_suffix(".tmp").replace(path)


def _wait_for_file(path: Path, timeout: float | None = None, alive: Callable[[], bool] = lambda: True) -> None:
    deadline = None if timeout is None else time.monotonic() + timeout
    while not path.exists():
        if not alive():
            raise RuntimeError(f"the process it waited on ended before {path.name}")
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError(f"no {path.name} within {timeout:.0f} s")
        time.sleep(0.05)


# --- folded stacks: names, summary ----------------------------------------------------------------------------


def shorten(frame: str, roots: Sequence[Path] = ()) -> str:
    """A py-spy frame "function (/abs/path.py:line)" with its path relative to the repository, the site-packages
    or the standard library (`portal/web/plan.py`, `jinja2/runtime.py`, `threading.py`); others as they are."""
    name, path, line = split_frame(frame)
    if path is None:
        return frame
    for root in (*roots, ROOT):
        prefix = f"{str(root).rstrip('/')}/"
        if path.startswith(prefix):
            return f"{name} ({path.removeprefix(prefix)}:{line})"
    for marker in ("/site-packages/", "/dist-packages/"):
        if marker in path:
            return f"{name} ({path.split(marker, 1)[1]}:{line})"
    stdlib = f"{sysconfig.get_paths()['stdlib'].rstrip('/')}/"
    if path.startswith(stdlib):
        return f"{name} ({path.removeprefix(stdlib)}:{line})"
    return frame


def split_frame(frame: str) -> tuple[str, str | None, str]:
    """("function", "path" or None, "line") of "function (path:line)"."""
    if frame.endswith(")") and " (" in frame:
        name, _, place = frame[:-1].partition(" (")
        path, colon, line = place.rpartition(":")
        if colon and line.isdigit():
            return name, path, line
    return frame, None, ""


def kind(frame: str) -> str:
    """Whose a frame is: "project" (portal/, templates/), "harness" (bench/, demo/…) or "library" (the rest)."""
    _name, path, _line = split_frame(frame)
    if path is None:
        return "library"
    if path.startswith(PROJECT):
        return "project"
    if path.startswith(HARNESS):
        return "harness"
    return "library"


def part(frame: str) -> str:
    """What a frame belongs to, for self time by part: a project package (`portal/web`, `templates`), else the
    library's top-level module (`jinja2`, `werkzeug`, `threading`)."""
    _name, path, _line = split_frame(frame)
    if path is None:
        return frame
    if path == "<string>":
        return "<string> (code made by exec: dataclass __init__…)"
    pieces = path.split("/")
    if path.startswith("portal/") and len(pieces) > 2:
        return "/".join(pieces[:2])
    first = pieces[0]
    return first.removesuffix(".py") if len(pieces) == 1 else first


Stacks = dict[tuple[str, ...], int]


def read_folded(lines: Iterable[str], rename: Callable[[str], str] = lambda frame: frame) -> Stacks:
    """Folded stacks ("root;…;leaf COUNT" per line, py-spy's raw format) merged by stack after `rename`."""
    stacks: Counter[tuple[str, ...]] = Counter()
    for line in lines:
        text, _, count = line.rstrip("\n").rpartition(" ")
        if not text or not count.isdigit():
            continue
        stacks[tuple(rename(frame) for frame in text.split(";"))] += int(count)
    return dict(stacks)


def write_folded(stacks: Stacks) -> str:
    return "".join(f"{';'.join(stack)} {count}\n" for stack, count in sorted(stacks.items()))


def inclusive(stacks: Stacks, keep: Callable[[str], bool] = lambda _frame: True) -> Counter[str]:
    """Samples in which each frame (kept by `keep`) is on the stack, each counted once per sample (recursion)."""
    counts: Counter[str] = Counter()
    for stack, count in stacks.items():
        for frame in {f for f in stack if keep(f)}:
            counts[frame] += count
    return counts


def below_project(stacks: Stacks) -> Stacks:
    """Each stack from its outermost project frame down (stacks with no project frame left out): what project code
    called, without the framework and the harness around it."""
    kept: Counter[tuple[str, ...]] = Counter()
    for stack, count in stacks.items():
        first = next((i for i, frame in enumerate(stack) if kind(frame) == "project"), None)
        if first is not None:
            kept[stack[first:]] += count
    return dict(kept)


def self_time(stacks: Stacks, key: Callable[[str], str] = lambda frame: frame) -> Counter[str]:
    counts: Counter[str] = Counter()
    for stack, count in stacks.items():
        if stack:
            counts[key(stack[-1])] += count
    return counts


def project_tree(
    stacks: Stacks, total: int, *, threshold: float = TREE_SHARE, depth: int = 12, lines: int = 60
) -> list[str]:
    """A text flame graph: the calls between project frames (library frames between them left out), heaviest first,
    those of at least `threshold` of all samples, indented by depth."""
    tree: dict[str, Any] = {}
    for stack, count in stacks.items():
        node = tree
        for frame in [f for f in stack if kind(f) == "project"][:depth]:
            child = node.setdefault(frame, {"count": 0, "children": {}})
            child["count"] += count
            node = child["children"]
    out: list[str] = []

    def walk(children: dict[str, Any], level: int) -> None:
        for frame, node in sorted(children.items(), key=lambda item: -item[1]["count"]):
            if node["count"] < threshold * total or len(out) >= lines:
                return
            out.append(f"{100 * node['count'] / total:5.1f} %  {'  ' * level}{frame}")
            walk(node["children"], level + 1)

    walk(tree, 0)
    return out


@dataclass(frozen=True)
class Measures:
    people: int
    views: int
    rate: int
    unprofiled: Pass
    profiled: Pass
    sampling: str = "gil"
    files: list[str] = field(default_factory=list)


def summary(stacks: Stacks, measures: Measures, *, top: int = 25, libraries: int = 15, parts: int = 12) -> str:
    """The text summary: the figures of the run, self time by part, the project tree, the project frames and the
    library frames they call by inclusive share (each with its self share)."""
    total = sum(stacks.values())
    if total == 0:
        return "py-spy took no sample of the measured pass\n"
    own = self_time(stacks)

    def share(count: int) -> str:
        return f"{100 * count / total:5.1f} %"

    def rows(counts: Counter[str], limit: int) -> list[str]:
        return [f"{share(count)}  {share(own[frame])}  {frame}" for frame, count in counts.most_common(limit)]

    m = measures
    pages = len(PLAN_PAGES)
    lines = [
        f"Unique first views of the care-plan pages: {m.people} people × {pages} plan pages = {m.views} views in each "
        f"pass, once each, seeded order, none seen before; store answers and parsed plans warm, as the throughput "
        f"bench's warm-up leaves them.",
        f"CPU per view without the profiler: {m.unprofiled.cpu_ms_per_view:.2f} ms "
        f"(process time, every thread, {m.unprofiled.wall_seconds:.1f} s wall for the pass); "
        f"under py-spy: {m.profiled.cpu_ms_per_view:.2f} ms.",
        f"Samples: {total} at {m.rate}/s over {m.profiled.wall_seconds:.1f} s; {SAMPLED[m.sampling]} "
        f"(inclusive share: the samples a frame is on the stack; self: at the top).",
    ]
    if m.files:
        lines.append(f"Files: {', '.join(m.files)}")
    lines += ["", "Self time by part (where the samples end):"]
    lines += [f"{share(count)}  {name}" for name, count in self_time(stacks, part).most_common(parts)]
    lines += [
        "",
        f"Project code as a tree (library frames between project frames left out; ≥ {100 * TREE_SHARE:.0f} %):",
    ]
    lines += project_tree(stacks, total)
    lines += ["", f"Project code, top {top} by inclusive share:", "  incl     self   frame"]
    lines += rows(inclusive(stacks, lambda frame: kind(frame) == "project"), top)
    lines += [
        "",
        f"Library frames called from project code, top {libraries} by inclusive share:",
        "  incl     self   frame",
    ]
    lines += rows(inclusive(below_project(stacks), lambda frame: kind(frame) == "library"), libraries)
    return "\n".join(lines) + "\n"


# --- the flame graph (SVG) ---------------------------------------------------------------------------------------

WIDTH, FRAME_HEIGHT, FONT_SIZE, HEADER, FOOTER, PAD = 1200, 17, 11, 64, 8, 10
CHAR_WIDTH = FONT_SIZE * 0.6
MIN_WIDTH = 0.2  # px: narrower frames are left out of the drawing (their samples stay in their parents)
COLOURS = {"project": (25, 85, 62), "templates": (110, 50, 55), "library": (205, 55, 68), "harness": (0, 0, 72)}
ZOOM_SCRIPT = """
const W = %(width)d, PAD = %(pad)d, CW = %(char)s;
const frames = Array.from(document.querySelectorAll("g.f"));
function fit(label, px) {
  const n = Math.floor((px - 6) / CW);
  return n < 3 ? "" : label.length <= n ? label : label.slice(0, n - 2) + "..";
}
function zoom(target) {
  const x0 = +target.dataset.x, w0 = +target.dataset.w, d0 = +target.dataset.d;
  for (const g of frames) {
    const x = +g.dataset.x, w = +g.dataset.w, d = +g.dataset.d;
    const inside = d >= d0 && x >= x0 - 1e-9 && x + w <= x0 + w0 + 1e-9;
    const above = d < d0 && x <= x0 + 1e-9 && x + w >= x0 + w0 - 1e-9;
    g.style.display = inside || above ? "" : "none";
    if (!(inside || above)) continue;
    const nx = inside ? (x - x0) / w0 : 0, nw = inside ? w / w0 : 1;
    const rect = g.querySelector("rect"), text = g.querySelector("text");
    rect.setAttribute("x", PAD + nx * (W - 2 * PAD));
    rect.setAttribute("width", Math.max(nw * (W - 2 * PAD) - 0.5, 0.1));
    g.style.opacity = above ? 0.6 : 1;
    text.setAttribute("x", PAD + nx * (W - 2 * PAD) + 3);
    text.textContent = fit(g.querySelector("title").textContent.split("\\n")[0], nw * (W - 2 * PAD));
  }
}
for (const g of frames) g.addEventListener("click", () => zoom(g));
"""


@dataclass
class _Node:
    count: int = 0
    own: int = 0
    children: dict[str, _Node] = field(default_factory=dict)


def fit(label: str, pixels: float) -> str:
    """`label` cut to what `pixels` of the graph's font hold ("" when under three characters)."""
    chars = math.floor((pixels - 6) / CHAR_WIDTH)
    if chars < 3:
        return ""
    return label if len(label) <= chars else label[: chars - 2] + ".."


def _colour(frame: str) -> str:
    category = kind(frame)
    if category == "project" and (split_frame(frame)[1] or "").startswith("templates/"):
        category = "templates"
    hue, saturation, lightness = COLOURS[category]
    # The same frame always gets the same shade; neighbours usually differ.
    shade = int(hashlib.sha1(split_frame(frame)[0].encode(), usedforsecurity=False).hexdigest()[:4], 16) / 0xFFFF
    return f"hsl({hue + round(shade * 20)},{saturation}%,{lightness + round(shade * 14) - 7}%)"


def flame_graph(stacks: Stacks, title: str, subtitle: str = "") -> str:
    """A flame graph (root at the bottom, callers below callees, siblings in name order) as a standalone SVG:
    a frame's width is its share of the samples; hovering shows its counts, a click zooms into it."""
    root = _Node()
    for stack, count in stacks.items():
        root.count += count
        node = root
        for frame in stack:
            node = node.children.setdefault(frame, _Node())
            node.count += count
        node.own += count
    total = max(root.count, 1)
    span = WIDTH - 2 * PAD
    drawn: list[tuple[int, float, float, str, _Node]] = []

    def place(node: _Node, name: str, depth: int, x: float) -> None:
        width = node.count / total
        if width * span < MIN_WIDTH:
            return
        drawn.append((depth, x, width, name, node))
        for child_name in sorted(node.children):
            child = node.children[child_name]
            place(child, child_name, depth + 1, x)
            x += child.count / total

    place(root, "all", 0, 0.0)
    depth = max((d for d, *_ in drawn), default=0)
    height = HEADER + (depth + 1) * FRAME_HEIGHT + FOOTER
    out = [
        '<?xml version="1.0" standalone="no"?>',
        f'<svg version="1.1" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="Verdana, sans-serif" font-size="{FONT_SIZE}">',
        "<style>g.f { cursor: pointer } g.f:hover rect { stroke: #000; stroke-width: 0.5 }</style>",
        f'<rect width="{WIDTH}" height="{height}" fill="#fdfdf6"/>',
        f'<text x="{WIDTH / 2}" y="20" text-anchor="middle" font-size="15">{escape(title)}</text>',
        f'<text x="{WIDTH / 2}" y="37" text-anchor="middle" fill="#555">{escape(subtitle)}</text>',
    ]
    legend_x = float(PAD)
    for label, frame in (
        ("portal/", "a (portal/a.py:1)"),
        ("templates/", "a (templates/a.html:1)"),
        ("libraries, stdlib", "a (a.py:1)"),
        ("bench/, demo/", "a (bench/a.py:1)"),
    ):
        out.append(f'<rect x="{legend_x}" y="46" width="12" height="10" fill="{_colour(frame)}"/>')
        out.append(f'<text x="{legend_x + 16}" y="55">{escape(label)}</text>')
        legend_x += 34 + len(label) * FONT_SIZE * 0.52
    out.append(
        f'<text x="{WIDTH - PAD}" y="55" text-anchor="end" fill="#555">click a frame to zoom, "all" to reset</text>'
    )
    for d, x, width, name, node in drawn:
        px, pw = PAD + x * span, width * span
        y = HEADER + (depth - d) * FRAME_HEIGHT
        tip = f"{name}\n{node.count} samples, {100 * node.count / total:.2f} % (self {100 * node.own / total:.2f} %)"
        fill = "hsl(0,0%,80%)" if d == 0 else _colour(name)
        out.append(
            f'<g class="f" data-d="{d}" data-x="{x:.6f}" data-w="{width:.6f}"><title>{escape(tip)}</title>'
            f'<rect x="{px:.2f}" y="{y}" width="{max(pw - 0.5, 0.1):.2f}" height="{FRAME_HEIGHT - 1}" fill="{fill}" '
            f'rx="2"/><text x="{px + 3:.2f}" y="{y + FRAME_HEIGHT - 5}">{escape(fit(name, pw))}</text></g>'
        )
    script = ZOOM_SCRIPT % {"width": WIDTH, "pad": PAD, "char": CHAR_WIDTH}
    out += [f"<script><![CDATA[{script}]]></script>", "</svg>", ""]
    return "\n".join(out)


# --- the driver --------------------------------------------------------------------------------------------------


def profile(people: int, rate: int, results: Path, sampling: str = "gil") -> str:
    """Run the workload in a child process, py-spy on its measured pass; write the files, return the summary."""
    if not PY_SPY.exists():
        raise SystemExit(f"py-spy is not installed ({PY_SPY}): `make install` (it is in the test extra)")
    results.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pps-profile-") as folder:
        return _profile(people, rate, results, sampling, Path(folder))


def _profile(people: int, rate: int, results: Path, sampling: str, control: Path) -> str:
    log = results / "first-views-workload.log"
    raw, spy_log = control / "raw.folded", control / "py-spy.log"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "bench.profile", "--workload", "--people", str(people), "--control", str(control)]
    with log.open("wb") as log_file, _started(command, cwd=ROOT, env=env, stderr=log_file) as child:
        try:
            _wait_for_file(control / "ready", alive=lambda: child.poll() is None)
        except RuntimeError:
            raise SystemExit(f"the workload stopped (exit {child.returncode}), see {log}:\n{_tail(log)}") from None
        spy_command = [
            str(PY_SPY),
            "record",
            "--pid",
            str(child.pid),
            "--rate",
            str(rate),
            "--format",
            "raw",
            "--function",  # a frame is its function (first line), not each line in it: frames add up by function
            "--full-filenames",  # shortened here, relative to the repository, site-packages or stdlib
            "--output",
            str(raw),
            *(["--gil"] if sampling == "gil" else []),
        ]
        with spy_log.open("wb") as spy_file, _started(spy_command, stdout=spy_file, stderr=subprocess.STDOUT) as spy:
            _wait_for_text(spy_log, "Sampling process", spy, ATTACH_SECONDS)
            (control / "go").touch()
            try:
                _wait_for_file(control / "done", alive=lambda: child.poll() is None)
            except RuntimeError:
                raise SystemExit(f"the workload stopped (exit {child.returncode}), see {log}:\n{_tail(log)}") from None
            spy.send_signal(signal.SIGINT)  # py-spy writes its file on Control-C
            spy.wait(timeout=60)
        (control / "release").touch()
        child.wait(timeout=EXIT_SECONDS)
    if not raw.exists():
        raise SystemExit(f"py-spy wrote no profile:\n{_tail(spy_log)}")
    if log.stat().st_size == 0:
        log.unlink()  # kept only when the workload had something to say
    ready = json.loads((control / "ready").read_text(encoding="utf-8"))
    done = json.loads((control / "done").read_text(encoding="utf-8"))
    stacks = read_folded(raw.read_text(encoding="utf-8").splitlines(), shorten)
    svg, folded, text = (results / f"first-views.{suffix}" for suffix in ("svg", "folded", "txt"))
    measures = Measures(
        people,
        people * len(PLAN_PAGES),
        rate,
        Pass(**ready["unprofiled"]),
        Pass(**done["profiled"]),
        sampling,
        [_shown(path) for path in (svg, folded, text)],
    )
    folded.write_text(write_folded(stacks), encoding="utf-8")
    subtitle = (
        f"{measures.views} unique first views ({people} people × {len(PLAN_PAGES)} plan pages), store answers warm; "
        f"{measures.unprofiled.cpu_ms_per_view:.2f} ms CPU per view unprofiled; {sum(stacks.values())} samples"
    )
    svg.write_text(flame_graph(stacks, "Where a unique first view of a plan page spends its CPU", subtitle), "utf-8")
    report = summary(stacks, measures)
    text.write_text(report, encoding="utf-8")
    return report


@contextlib.contextmanager
def _started(command: list[str], **options: Any) -> Iterator[subprocess.Popen[bytes]]:
    """A process this run started, stopped by its PID on the way out if it still runs (SIGTERM, then SIGKILL)."""
    process = subprocess.Popen(command, **options)
    try:
        yield process
    finally:
        for stop in (signal.SIGTERM, signal.SIGKILL):
            if process.poll() is not None:
                break
            process.send_signal(stop)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=30)


def _wait_for_text(path: Path, text: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while text not in path.read_text(encoding="utf-8", errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(
                "py-spy could not sample the workload: it needs ptrace (run as root where Yama's ptrace_scope is 2,"
                f" and in a container start it with `--cap-add SYS_PTRACE`):\n{_tail(path)}"
            )
        time.sleep(0.05)


def _shown(path: Path) -> str:
    """A path as a reader of the summary would type it: relative to the repository when it is in it."""
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _tail(path: Path, lines: int = 30) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    return ""


def parser() -> argparse.ArgumentParser:
    found = argparse.ArgumentParser(
        prog="python -m bench.profile",
        description="A flame graph of where unique first views of the care-plan pages spend their CPU (py-spy).",
        epilog="Writes bench/results/first-views.svg, .folded and .txt, and prints the text summary.",
    )
    found.add_argument(
        "--people",
        type=int,
        default=PEOPLE,
        help=f"people in each pass (measured, profiled), each viewing every plan page once ({PEOPLE})",
    )
    found.add_argument("--rate", type=int, default=RATE, help=f"py-spy samples per second ({RATE})")
    found.add_argument(
        "--sampling",
        choices=SAMPLING,
        default="gil",
        help="gil (default): at each sample, the thread that holds the GIL, whichever it is: where Python spends CPU;"
        " active: every thread py-spy finds not idle, which adds native code run without the GIL (libxml2, system"
        " calls) but also threads waiting for the GIL or for the store",
    )
    found.add_argument("--results", type=Path, default=RESULTS, help="where the files go (bench/results)")
    found.add_argument("--workload", action="store_true", help=argparse.SUPPRESS)  # the child process
    found.add_argument("--control", type=Path, help=argparse.SUPPRESS)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    # Stopped by SIGTERM, each process still stops what it started: the demo store's, the workload, py-spy.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    if arguments.people < 1:
        parser().error("--people must be at least 1")
    if arguments.workload:
        workload(arguments.people, arguments.control)
        return 0
    views = arguments.people * len(PLAN_PAGES)
    print(
        f"Profiling {views} unique first views ({arguments.people} people × {len(PLAN_PAGES)} plan pages)", flush=True
    )
    print(profile(arguments.people, arguments.rate, arguments.results, arguments.sampling), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
