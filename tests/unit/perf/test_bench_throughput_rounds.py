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


#: Requests each measured round answered.
ANSWERED = 700


def balanced(
    monkeypatch: pytest.MonkeyPatch, work: list[tuple[float, float]], taken: list[float]
) -> throughput.Measured | None:
    readings = clock(work)
    monkeypatch.setattr(throughput, "cpu_seconds", lambda _pid: next(readings))

    def measure() -> throughput.Measured:
        taken.append(100.0 + len(taken))
        return throughput.Measured(taken[-1], ANSWERED)

    return throughput._balanced(WORKERS, measure)


def test_a_round_both_workers_shared_counts_at_once(monkeypatch: pytest.MonkeyPatch, rounds: list[float]) -> None:
    measured = balanced(monkeypatch, [(1.9, 1.6)], rounds)
    assert measured is not None and measured.rate == 100.0 and rounds == [100.0]
    # Both workers' CPU, 3.5 s, over the 700 requests answered.
    assert measured.cpu_ms == pytest.approx(5.0)


def test_a_round_in_which_one_worker_idled_is_run_again(monkeypatch: pytest.MonkeyPatch, rounds: list[float]) -> None:
    measured = balanced(monkeypatch, [(2.0, 0.01), (1.8, 1.7)], rounds)
    assert measured is not None and measured.rate == 101.0 and rounds == [100.0, 101.0]
    assert measured.cpu_ms == pytest.approx(5.0), "the CPU of the idle round is not counted"


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


def test_a_round_that_answered_nothing_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """CPU per request is not made up for a round without answers: the run stops."""
    readings = clock([(1.0, 1.0)])
    monkeypatch.setattr(throughput, "cpu_seconds", lambda _pid: next(readings))
    with pytest.raises(RuntimeError, match="answered no request"):
        throughput._balanced(WORKERS, lambda: throughput.Measured(0.0, 0))


WRK_OUTPUT = """Running 2s test @ http://127.0.0.1:8000
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    60.12ms   20.01ms 200.00ms   70.00%
    Req/Sec   230.00     30.00   300.00     70.00%
  921 requests in 2.01s, 3.96MB read
Requests/sec:    458.21
Transfer/sec:      1.97MB
FIRST-VIEWS sent={sent} bad={bad} exhausted=0
"""


def test_wrk_output_gives_the_rate_and_the_views_answered() -> None:
    measured = throughput._read_wrk(WRK_OUTPUT.format(sent=953, bad=0))
    assert (measured.rate, measured.answered) == (458.21, 921)


def test_wrk_output_with_a_view_not_200_fails() -> None:
    with pytest.raises(RuntimeError, match="1 of 953 first views did not answer 200"):
        throughput._read_wrk(WRK_OUTPUT.format(sent=953, bad=1))


def test_wrk_output_without_a_count_fails() -> None:
    with pytest.raises(RuntimeError, match="no count or rate"):
        throughput._read_wrk(WRK_OUTPUT.format(sent=953, bad=0).replace("921 requests in", "requests in"))
