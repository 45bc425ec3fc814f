"""`make profile` (bench/profile.py): folding py-spy's stacks, the text summary and the flame graph; no timing."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from cachetools import LRUCache
from lxml import etree

from bench import profile
from bench.population import Person
from bench.throughput import PLAN_PAGES, WARMING

SITE = "/venv/lib/python3.11/site-packages"
VIEW = "index (portal/web/pages.py:10)"
LOAD = "load (portal/plans/loader.py:60)"
RENDER = "render (jinja2/environment.py:1275)"
ROOT_TEMPLATE = "root (templates/base.html:4)"
HARNESS = "measured_pass (bench/profile.py:150)"
WAIT = "wait (threading.py:295)"


def test_a_frame_is_split_into_function_path_and_line() -> None:
    assert profile.split_frame("Macro.__call__ (jinja2/runtime.py:694)") == (
        "Macro.__call__",
        "jinja2/runtime.py",
        "694",
    )
    assert profile.split_frame("<lambda> (a (b).py:3)") == ("<lambda>", "a (b).py", "3")
    assert profile.split_frame("no place") == ("no place", None, "")


def test_paths_are_shortened_to_the_repository_the_site_packages_or_as_they_were(tmp_path: Path) -> None:
    assert profile.shorten(f"view ({tmp_path}/portal/web/plan.py:85)", [tmp_path]) == "view (portal/web/plan.py:85)"
    assert profile.shorten(f"render ({SITE}/jinja2/environment.py:1275)") == RENDER
    assert profile.shorten("_run_code (<frozen runpy>:65)") == "_run_code (<frozen runpy>:65)"
    assert profile.shorten("what (/elsewhere/x.py:1)") == "what (/elsewhere/x.py:1)"


def test_frames_are_project_harness_or_library() -> None:
    assert profile.kind(VIEW) == profile.kind(ROOT_TEMPLATE) == "project"
    assert profile.kind(HARNESS) == "harness"
    assert profile.kind(RENDER) == profile.kind(WAIT) == profile.kind("x (<string>:2)") == "library"


def test_self_time_is_grouped_by_project_package_or_library_module() -> None:
    assert profile.part(VIEW) == "portal/web"
    assert profile.part(ROOT_TEMPLATE) == "templates"
    assert profile.part(RENDER) == "jinja2"
    assert profile.part(WAIT) == "threading"


def test_folded_stacks_are_merged_after_renaming() -> None:
    lines = [
        f"main (bench/a.py:1);view ({SITE}/../x.py:1) 3",
        f"main (bench/a.py:1);view ({SITE}/../x.py:1) 2",
        "",
        "broken line",
    ]
    stacks = profile.read_folded(lines, lambda frame: frame.split(" (")[0])
    assert stacks == {("main", "view"): 5}
    assert profile.write_folded(stacks) == "main;view 5\n"


STACKS = {
    (HARNESS, VIEW, LOAD): 30,
    (HARNESS, VIEW, RENDER, ROOT_TEMPLATE, RENDER): 50,  # a template rendering another: jinja2 twice
    (HARNESS,): 10,
    (WAIT,): 10,
}


def test_a_frame_on_the_stack_twice_is_counted_once_per_sample() -> None:
    counts = profile.inclusive(STACKS)
    assert counts[RENDER] == 50
    assert counts[VIEW] == 80
    assert counts[HARNESS] == 90
    assert set(profile.inclusive(STACKS, lambda f: profile.kind(f) == "project")) == {VIEW, LOAD, ROOT_TEMPLATE}


def test_what_project_code_calls_leaves_the_harness_and_other_threads_out() -> None:
    assert profile.below_project(STACKS) == {(VIEW, LOAD): 30, (VIEW, RENDER, ROOT_TEMPLATE, RENDER): 50}
    assert profile.self_time(STACKS) == {LOAD: 30, RENDER: 50, HARNESS: 10, WAIT: 10}
    assert profile.self_time(STACKS, profile.part) == {"portal/plans": 30, "jinja2": 50, "bench": 10, "threading": 10}


def test_the_text_tree_keeps_project_frames_over_the_threshold() -> None:
    tree = profile.project_tree(STACKS, 100, threshold=0.35)
    assert tree == [
        f" 80.0 %  {VIEW}",
        f" 50.0 %    {ROOT_TEMPLATE}",
    ]


def test_the_summary_gives_the_figures_and_the_frames_with_their_shares() -> None:
    measures = profile.Measures(
        people=2,
        views=16,
        rate=200,
        unprofiled=profile.Pass(16, 0.08, 0.1),
        profiled=profile.Pass(16, 0.096, 0.12),
        files=["bench/results/first-views.svg"],
    )
    text = profile.summary(STACKS, measures)
    assert "2 people × 8 plan pages = 16 views" in text
    assert "CPU per view without the profiler: 5.00 ms" in text
    assert "under py-spy: 6.00 ms" in text
    assert f" 80.0 %    0.0 %  {VIEW}" in text
    assert f" 50.0 %   50.0 %  {RENDER}" in text  # a library frame called from project code
    assert f"  {HARNESS}" not in text.split("Project code, top")[1]
    assert profile.summary({}, measures) == "py-spy took no sample of the measured pass\n"


def test_the_flame_graph_is_an_svg_with_a_frame_per_call_path() -> None:
    svg = profile.flame_graph(STACKS, "Title & more", "sub <title>")
    root = etree.fromstring(svg.encode())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    ns = {"s": "http://www.w3.org/2000/svg"}
    frames = root.findall(".//s:g[@class='f']", ns)
    titles = [frame.findtext("s:title", namespaces=ns) for frame in frames]
    # all, harness, view, load, render, template, render again, wait: one frame per distinct call path
    assert len(frames) == 8
    assert f"{VIEW}\n80 samples, 80.00 % (self 0.00 %)" in titles
    everything = frames[0]
    assert titles[0] == "all\n100 samples, 100.00 % (self 0.00 %)"
    assert float(everything.get("data-w", "")) == pytest.approx(1.0)
    view = frames[titles.index(f"{VIEW}\n80 samples, 80.00 % (self 0.00 %)")]
    assert float(view.get("data-w", "")) == pytest.approx(0.8)


def test_labels_are_cut_to_their_frame() -> None:
    assert profile.fit("render_plan (portal/web/plan.py:85)", 1000) == "render_plan (portal/web/plan.py:85)"
    assert profile.fit("render_plan (portal/web/plan.py:85)", 60).endswith("..")
    assert profile.fit("render_plan", 10) == ""


def test_views_are_each_person_and_page_once_in_the_same_order_every_run() -> None:
    people = [Person(f"sid-{n}", f"sub-{n}", f"pat-{n}") for n in range(3)]
    views = profile.unique_views(people)
    assert len(views) == len(set(views)) == 3 * len(PLAN_PAGES)
    assert views == profile.unique_views(people)
    assert views != [(person, page) for person in people for page in PLAN_PAGES]


class _WithClear:
    def __init__(self) -> None:
        self.cleared = 0

    def clear(self) -> None:
        self.cleared += 1


class _OldLayout:
    def __init__(self) -> None:
        self._cache: LRUCache[str, int] = LRUCache(maxsize=10)
        self._cache["a"] = 1
        self._lock = threading.Lock()
        self.max_bytes = 5


class _OtherNames:
    def __init__(self) -> None:
        self._models: LRUCache[str, int] = LRUCache(maxsize=10)
        self._by_version: LRUCache[str, int] = LRUCache(maxsize=10)
        self._models["a"] = self._by_version["a"] = 1
        self.settings = {"kept": True}


def test_caches_are_cleared_whatever_the_loader_calls_them(capsys: pytest.CaptureFixture[str]) -> None:
    with_clear = _WithClear()
    assert profile.clear_caches(with_clear, "plans") == ["plans: clear()"]
    assert with_clear.cleared == 1
    old = _OldLayout()
    assert profile.clear_caches(old, "plans") == ["plans: _cache"]
    assert len(old._cache) == 0
    assert not old._lock.locked()
    other = _OtherNames()
    assert profile.clear_caches(other, "plans") == ["plans: _models", "plans: _by_version"]
    assert other.settings == {"kept": True}
    assert profile.clear_caches(object(), "plans") == []
    assert "nothing to clear in plans" in capsys.readouterr().err


def test_no_measured_view_is_seen_before_and_every_person_is_warmed_as_the_bench_warms() -> None:
    copies = [Person(f"sid-{n}", f"sub-{n}", f"pat-{n}") for n in range(2 * 5 + profile.TEMPLATE_PEOPLE + 3)]
    views = profile.workload_views(copies, 5)
    measured, profiled = set(views.measured), set(views.profiled)
    assert len(measured) == len(views.measured) == len(profiled) == len(views.profiled) == 5 * len(PLAN_PAGES)
    measured_people = {person for person, _page in measured}
    profiled_people = {person for person, _page in profiled}
    assert not measured_people & profiled_people
    warm_up = set(views.warm_up)
    assert not warm_up & (measured | profiled)
    templates = {person for person, page in views.warm_up if page in PLAN_PAGES}
    assert not templates & (measured_people | profiled_people)
    assert {page for _person, page in views.warm_up if page in PLAN_PAGES} == set(PLAN_PAGES)
    for person in measured_people | profiled_people:
        assert {page for who, page in views.warm_up if who == person} == {p.format(n=1) for p in WARMING}
    assert all("?" in page for who, page in views.warm_up if who not in templates)


def test_the_workload_refuses_too_few_people() -> None:
    copies = [Person(f"sid-{n}", f"sub-{n}", f"pat-{n}") for n in range(2 * 5 + profile.TEMPLATE_PEOPLE - 1)]
    with pytest.raises(ValueError, match="copied patients are needed"):
        profile.workload_views(copies, 5)
