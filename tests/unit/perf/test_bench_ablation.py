"""The ablation tool (`make ablation`): the order of its measures, its figures paired within a pass, and switches
that make a part free only while it is switched on (each method it replaces is put back after the test)."""

from __future__ import annotations

import types

import jinja2
import pytest

from bench.ablation import BUDGET, Figures, Free, Variant, alternate, group_size, main, table, verdict
from portal.plans.kept import KeptPlans

BASE, FAST = Variant("the code as it is", frozenset()), Variant("templates free", frozenset({"templates"}))


def test_each_pass_measures_healthz_then_each_variant_in_turn_on_new_people_each_followed_by_healthz() -> None:
    calls: list[str] = []
    healthz = iter([0.4, 0.6, 0.5, 0.3, 0.3, 0.5])

    def view_ms(variant: Variant, n: int) -> float:
        calls.append(f"{variant.name} #{n}")
        return 2.0 if variant is BASE else 1.0

    def healthz_ms() -> float:
        calls.append("healthz")
        return next(healthz)

    figures = alternate([BASE, FAST], 2, view_ms, healthz_ms)
    assert calls == [
        "healthz",
        "the code as it is #0",
        "healthz",
        "templates free #1",
        "healthz",
        "healthz",
        "the code as it is #2",
        "healthz",
        "templates free #3",
        "healthz",
    ]
    assert figures.views == {"the code as it is": [2.0, 2.0], "templates free": [1.0, 1.0]}
    # Each variant's /healthz is the mean of the one before it and the one after it.
    assert figures.healthz == {"the code as it is": [0.5, 0.3], "templates free": [0.55, 0.4]}


def test_the_ratio_compares_each_view_with_the_healthz_measured_beside_it() -> None:
    # The host slowed down twice as much while the variant was measured in the last two passes: beside its own
    # /healthz, the variant reads 0.2 every time; against the median of every /healthz it would read as the code as
    # it is does (0.5625 / 3.75 = 0.15).
    figures = Figures(
        views={BASE.name: [5.0, 2.5, 2.5], FAST.name: [1.875, 3.75, 3.75]},
        healthz={BASE.name: [0.75, 0.375, 0.375], FAST.name: [0.375, 0.75, 0.75]},
    )
    assert figures.ratio(BASE.name) == pytest.approx(0.15)
    assert figures.ratio(FAST.name) == pytest.approx(0.2)
    assert figures.healthz_median / figures.median(FAST.name) == pytest.approx(0.15)  # what pairing avoids
    text = table(figures, [BASE, FAST])
    assert "| the code as it is | 2.50 ms | 0 % | 0.150 | 5.00, 2.50, 2.50 |" in text
    assert "| /healthz (beside each variant) | 0.562 ms | – | – | – |" in text
    assert verdict(figures, [BASE, FAST]) == f"No variant reaches {BUDGET}."
    assert (
        verdict(Figures({FAST.name: [1.0]}, {FAST.name: [0.3]}), [FAST])
        == f"Variants at or over {BUDGET}: templates free."
    )


def test_savings_compare_each_variant_with_the_code_as_it_is_of_the_same_pass() -> None:
    # Per pass the variant saves a quarter, a half and a half: the median is a half. The medians of each variant's
    # passes (4 and 3 ms) would say a quarter.
    figures = Figures(
        views={BASE.name: [4.0, 2.0, 6.0], FAST.name: [3.0, 1.0, 3.0]},
        healthz={BASE.name: [0.5, 0.5, 0.5], FAST.name: [0.5, 0.5, 0.5]},
    )
    assert figures.saved(FAST.name, BASE.name) == pytest.approx(0.5)
    assert figures.saved(BASE.name, BASE.name) == 0
    assert "| templates free | 3.00 ms | 50 % | 0.167 | 3.00, 1.00, 3.00 |" in table(figures, [BASE, FAST])


def test_everyone_is_measured_once_in_groups_of_the_same_size() -> None:
    assert group_size(960, 5, 7) == 27  # 945 measured, 15 left out
    with pytest.raises(ValueError, match="10 people cannot be split between 5 passes of 7 variants"):
        group_size(10, 5, 7)
    with pytest.raises(ValueError, match="0 passes: at least one is needed"):
        group_size(960, 0, 7)


def test_too_few_people_are_refused_with_a_message_before_anything_starts(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--people", "10"])
    assert exited.value.code == 2
    assert "10 people cannot be split between 5 passes of 4 variants" in capsys.readouterr().err


def test_a_free_template_gives_back_its_first_text_only_while_switched_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jinja2.Template, "render", jinja2.Template.render)  # put back after the test
    free = Free()
    free._templates()
    template = jinja2.Environment(autoescape=True).from_string("Hello {{ name }}")
    assert template.render(name="Ada") == "Hello Ada"
    assert template.render(name="Grace") == "Hello Grace"  # not free: rendered
    free.parts = frozenset({"templates"})
    assert template.render(name="Grace") == "Hello Ada"  # free: the first text, nothing rendered
    free.parts = frozenset()
    assert template.render(name="Grace") == "Hello Grace"


def test_a_free_plan_is_the_object_its_last_load_made(monkeypatch: pytest.MonkeyPatch) -> None:
    loads: list[str] = []

    def unpack_each_time(_kept: KeptPlans, key: str) -> object | None:  # stands for the real get, put back after
        loads.append(key)
        return None if key == "unknown" else object()

    monkeypatch.setattr(KeptPlans, "get", unpack_each_time)
    free = Free()
    free._plans()
    kept = KeptPlans(max_bytes=1_000_000)
    first, second = kept.get("v1"), kept.get("v1")
    assert first is not None and second is not first  # not free: loaded each time
    free.parts = frozenset({"plans"})
    assert kept.get("v1") is second
    assert loads == ["v1", "v1"]  # free: not loaded again
    assert kept.get("unknown") is None  # never loaded: nothing to give back, so it is loaded
    assert loads == ["v1", "v1", "unknown"]
    assert KeptPlans(max_bytes=1_000_000).get("v1") is not second  # another cache's plans are its own


def test_a_free_step_runs_nothing_only_while_switched_on() -> None:
    module = types.ModuleType("steps")
    ran: list[str] = []
    module.record = lambda page: ran.append(page) or "recorded"  # type: ignore[attr-defined]
    free = Free()
    free.switch(module, "record", "access records")
    assert module.record("overview") == "recorded"
    free.parts = frozenset({"access records"})
    assert module.record("calendar") is None
    assert ran == ["overview"]
