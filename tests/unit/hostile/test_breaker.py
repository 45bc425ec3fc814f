"""The circuit breaker: after repeated failures the store is left alone for a while, then tried once, then trusted
again; pinned with a fake clock, then through the client and its one breaker per store."""

from __future__ import annotations

import threading

import pytest
import requests
import responses

from portal.store import FhirClient, StoreNotFound, StoreUnavailable
from portal.store.breaker import CircuitBreaker, CircuitOpen, State
from tests.unit.store.conftest import BASE, fixture_json


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def breaker(clock: FakeClock) -> CircuitBreaker:
    return CircuitBreaker(failure_threshold=3, cool_down=30.0, clock=clock)


def fail(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        breaker.before_call()
        breaker.record_failure()


def test_it_opens_after_the_threshold_of_consecutive_failures(breaker: CircuitBreaker) -> None:
    fail(breaker, 2)
    assert breaker.state is State.CLOSED
    fail(breaker, 1)
    assert breaker.state is State.OPEN
    with pytest.raises(CircuitOpen):
        breaker.before_call()


def test_a_success_in_between_resets_the_count(breaker: CircuitBreaker) -> None:
    fail(breaker, 2)
    breaker.before_call()
    breaker.record_success()
    fail(breaker, 2)
    assert breaker.state is State.CLOSED


def test_an_open_circuit_answers_at_once_with_store_unavailable(breaker: CircuitBreaker, clock: FakeClock) -> None:
    fail(breaker, 3)
    clock.advance(29.9)
    with pytest.raises(StoreUnavailable):  # CircuitOpen is one: pages need no new case
        breaker.before_call()


def test_after_the_cool_down_one_trial_goes_through_and_its_success_closes(
    breaker: CircuitBreaker, clock: FakeClock
) -> None:
    fail(breaker, 3)
    clock.advance(30)
    assert breaker.state is State.HALF_OPEN
    breaker.before_call()  # the trial
    with pytest.raises(CircuitOpen):
        breaker.before_call()  # anybody else waits for its outcome
    breaker.record_success()
    assert breaker.state is State.CLOSED
    breaker.before_call()


def test_a_failed_trial_opens_again_for_a_whole_cool_down(breaker: CircuitBreaker, clock: FakeClock) -> None:
    fail(breaker, 3)
    clock.advance(30)
    fail(breaker, 1)
    assert breaker.state is State.OPEN
    clock.advance(29)
    with pytest.raises(CircuitOpen):
        breaker.before_call()
    clock.advance(1)
    breaker.before_call()


def test_a_trial_that_ends_in_our_own_bug_frees_the_trial(breaker: CircuitBreaker, clock: FakeClock) -> None:
    fail(breaker, 3)
    clock.advance(30)
    with pytest.raises(KeyError), breaker.guard():
        raise KeyError("a bug of ours, not the store's")
    assert breaker.state is State.HALF_OPEN
    breaker.before_call()


def test_an_answer_that_is_an_error_status_counts_as_the_store_being_there(
    breaker: CircuitBreaker, clock: FakeClock
) -> None:
    fail(breaker, 3)
    clock.advance(30)
    with pytest.raises(StoreNotFound), breaker.guard():
        raise StoreNotFound("not found", status=404)
    assert breaker.state is State.CLOSED


def test_only_one_of_many_threads_gets_the_trial(breaker: CircuitBreaker, clock: FakeClock) -> None:
    fail(breaker, 3)
    clock.advance(30)
    start = threading.Barrier(16)
    passed: list[int] = []

    def attempt(n: int) -> None:
        start.wait()
        try:
            breaker.before_call()
        except CircuitOpen:
            return
        passed.append(n)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)  # a bound for a loaded machine, not a pause
    assert not any(thread.is_alive() for thread in threads)
    assert len(passed) == 1


def test_the_client_stops_calling_a_failing_store_and_recovers(clock: FakeClock) -> None:
    breaker = CircuitBreaker(failure_threshold=3, cool_down=30.0, clock=clock)
    with responses.RequestsMock() as mock, FhirClient(BASE, breaker=breaker, retries=0) as client:
        metadata = mock.get(f"{BASE}/metadata", status=503)
        for _ in range(3):
            with pytest.raises(StoreUnavailable):
                client.ping()
        for _ in range(5):
            with pytest.raises(CircuitOpen):
                client.ping()
        assert metadata.call_count == 3  # nothing sent while open

        clock.advance(30)
        mock.replace(responses.GET, f"{BASE}/metadata", json=fixture_json("capability_statement.json"))
        client.ping()
        client.ping()
        assert breaker.state is State.CLOSED
        assert len(mock.calls) == 5


def test_timeouts_and_refused_connections_count_as_failures(clock: FakeClock) -> None:
    breaker = CircuitBreaker(failure_threshold=2, cool_down=30.0, clock=clock)
    with responses.RequestsMock() as mock, FhirClient(BASE, breaker=breaker) as client:
        mock.get(f"{BASE}/metadata", body=requests.exceptions.ReadTimeout())
        mock.get(f"{BASE}/metadata", body=requests.exceptions.ConnectionError("refused"))
        for _ in range(2):
            with pytest.raises(StoreUnavailable):
                client.ping()
        assert breaker.state is State.OPEN


def test_each_store_has_its_own_breaker() -> None:
    with responses.RequestsMock() as mock, FhirClient(BASE) as failing, FhirClient("https://other.test/fhir") as other:
        mock.get(f"{BASE}/metadata", status=500)
        mock.get("https://other.test/fhir/metadata", json=fixture_json("capability_statement.json"))
        for _ in range(failing.breaker.failure_threshold):
            with pytest.raises(StoreUnavailable):
                failing.ping()
        assert failing.breaker.state is State.OPEN
        other.ping()
        assert other.breaker.state is State.CLOSED
