"""The reader benchmark's host-speed reference: measured alternately with the reading, each from its own clock
readings (a fake clock here: no figure depends on how fast this machine is)."""

from __future__ import annotations

from bench.reader import alternated_ms, reference_work


class StepClock:
    """Seconds that pass only when a work says how long it took."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_each_run_times_the_work_then_the_reference_and_gives_both_medians() -> None:
    clock = StepClock()
    costs = iter([0.9, 0.9, 0.010, 0.004, 0.012, 0.005, 0.011, 0.006])  # a warm-up, then 3 runs, each in turn
    calls: list[str] = []

    def work() -> None:
        calls.append("work")
        clock.now += next(costs)

    def reference() -> None:
        calls.append("reference")
        clock.now += next(costs)

    work_ms, reference_ms = alternated_ms(work, reference, runs=3, clock=clock)
    assert calls == ["work", "reference"] * 4
    assert round(work_ms, 6) == 11.0  # medians of 10, 12, 11 and of 4, 5, 6 ms: the warm-up left out
    assert round(reference_ms, 6) == 5.0


def test_the_reference_is_a_fixed_amount_of_work() -> None:
    assert reference_work() == sum(range(100_000))
