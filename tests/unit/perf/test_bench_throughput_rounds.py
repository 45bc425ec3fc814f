"""A throughput round counts only when both gunicorn workers shared its work: a round in which one worker idled
(it accepted no connection) is run again, and after `BALANCE_TRIES` such tries it is left out of the figure."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench import throughput

WORKERS = [101, 102]


def clock(per_round: list[tuple[float, float]]) -> Iterator[float]:
    """CPU seconds read before and after each round, worker by worker, for the work each round gives them."""
    used = {pid: 0.0 for pid in WORKERS}
    for work in per_round:
        yield from (used[pid] for pid in WORKERS)  # before
        for pid, seconds in zip(WORKERS, work, strict=True):
            used[pid] += seconds
        yield from (used[pid] for pid in WORKERS)  # after


@pytest.fixture
def rounds() -> list[float]:
    """The measures taken: each call of the measured function says its rate."""
    return []


def balanced(monkeypatch: pytest.MonkeyPatch, work: list[tuple[float, float]], taken: list[float]) -> float | None:
    readings = clock(work)
    monkeypatch.setattr(throughput, "cpu_seconds", lambda _pid: next(readings))

    def measure() -> float:
        taken.append(100.0 + len(taken))
        return taken[-1]

    return throughput._balanced(WORKERS, measure)


def test_a_round_both_workers_shared_counts_at_once(monkeypatch: pytest.MonkeyPatch, rounds: list[float]) -> None:
    assert balanced(monkeypatch, [(1.9, 1.6)], rounds) == 100.0 and rounds == [100.0]


def test_a_round_in_which_one_worker_idled_is_run_again(monkeypatch: pytest.MonkeyPatch, rounds: list[float]) -> None:
    assert balanced(monkeypatch, [(2.0, 0.01), (1.8, 1.7)], rounds) == 101.0 and rounds == [100.0, 101.0]


def test_a_round_in_which_a_worker_keeps_idling_is_left_out(
    monkeypatch: pytest.MonkeyPatch, rounds: list[float]
) -> None:
    assert balanced(monkeypatch, [(0.0, 2.0)] * throughput.BALANCE_TRIES, rounds) is None
    assert len(rounds) == throughput.BALANCE_TRIES


def test_a_measure_with_nothing_left_to_send_ends_the_tries(monkeypatch: pytest.MonkeyPatch) -> None:
    """First views are never sent twice: with no share left, a round is not tried again."""
    readings = clock([(1.0, 1.0)])
    monkeypatch.setattr(throughput, "cpu_seconds", lambda _pid: next(readings))
    assert throughput._balanced(WORKERS, lambda: None) is None
