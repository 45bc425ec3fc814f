"""A page answers "unavailable" within its time budget whatever the store does on a real socket: hangs, answers
slowly call after call, trickles its bytes (its body or its headers), cuts its answer short, asks to retry later, or
refuses the connection.

What is checked is what the portal does, never how many seconds it took (those figures are `make bench`'s,
bench/hostile.py): the page's answer, that the portal itself cut the request the store was still holding, and,
on a clock the test owns, the timeouts and waits the budget computes. The store's read timeout is set longer
than any bound a test waits for, so that only the page's budget can end a hanging answer in time.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
import responses
from flask import Flask

from portal.store import FhirClient, StoreUnavailable, scope
from portal.store.client import MIN_ATTEMPT_SECONDS, CappedRetry
from portal.store.scope import BudgetSpent, page_scope
from portal.web.budget import ANSWER_SHARE
from tests.unit.conftest import PUBLIC, FakeProvider, signed_in_client, timeouts_given
from tests.unit.hostile.pages import ACCESS_UNAVAILABLE_FR, UNAVAILABLE_FR, h1, portal, readable
from tests.unit.hostile.stores import MODES, SLOW_ANSWER, HostileStore, bounded, hostile_store

BUDGET = 1.0
#: The store's own read timeout: a minute, longer than WAIT, so a page that answers in time was cut by its budget.
READ_TIMEOUT = 60.0
#: The longest a test waits for a page, or for the store to see a request cut: a bound only a hanging page reaches.
WAIT = 30.0


class Clock:
    """Monotonic seconds that move only when the test (or the store, or a retry's wait) says so."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def store() -> Iterator[HostileStore]:
    with hostile_store() as server:
        yield server


def retry_waits(app: Flask) -> list[float]:
    """Every wait the app's store client makes before a retry, noted (and still waited: the store is real)."""
    policy = app.extensions["portal.store"].session.get_adapter("http://127.0.0.1/").max_retries
    assert isinstance(policy, CappedRetry)
    waits: list[float] = []
    wait = policy.sleeper

    def note(seconds: float) -> None:
        waits.append(seconds)
        wait(seconds)

    policy.sleeper = note
    return waits


def page_of(provider: FakeProvider, store_url: str) -> tuple[Any, list[float]]:
    """The overview, asked for by a signed-in person of a portal on `store_url`, and the retry waits it made.
    Fails when the page has not answered after WAIT seconds: it hangs."""
    provider.mock.add_passthru(store_url.rsplit("/fhir", 1)[0])
    app = portal(
        PORTAL_STORE_URL=store_url,
        PORTAL_PAGE_TIME_BUDGET=str(BUDGET),
        PORTAL_STORE_READ_TIMEOUT=str(READ_TIMEOUT),
        PORTAL_STORE_RETRIES="2",
        PORTAL_STORE_CACHE_TTL="0",
    )
    client = signed_in_client(app, provider)
    waits = retry_waits(app)
    return bounded(lambda: client.get("/"), WAIT), waits


@pytest.mark.parametrize("mode", MODES)
def test_the_page_answers_unavailable_within_its_budget(
    provider: FakeProvider, mock: responses.RequestsMock, store: HostileStore, mode: str
) -> None:
    store.mode = mode
    page, waits = page_of(provider, store.base)
    assert page.status_code == 503
    # The Patient search comes first and decides whose plan it is: when it is what fails, access fails closed.
    assert h1(readable(page)) == (UNAVAILABLE_FR if mode == "slow" else ACCESS_UNAVAILABLE_FR)
    # A retry never waits what the store asks (a second) when the budget cannot hold it.
    assert all(wait <= BUDGET - MIN_ATTEMPT_SECONDS for wait in waits), waits
    if mode in ("hang", "trickle", "trickle headers"):
        # The answer was still coming (for minutes) when the portal gave up on it, closing the connection: every
        # request the store was sent, at sign-in and for the page, was cut by the portal, none by the store.
        assert store.requests and store.wait_for_cuts(store.requests, WAIT), (store.cuts, store.requests)


def test_a_refused_connection_answers_at_once(provider: FakeProvider, mock: responses.RequestsMock) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    page, waits = page_of(provider, f"http://127.0.0.1:{port}/fhir")
    assert page.status_code == 503
    # Who may see whom cannot be checked: access fails closed, and the page says so.
    assert h1(readable(page)) == ACCESS_UNAVAILABLE_FR
    assert waits == []  # neither retried nor waited for: nothing in the page waits for a store that refuses


def test_sequential_calls_share_one_deadline(store: HostileStore) -> None:
    clock = Clock()
    store.mode, store.clock, store.advance = "slow on the clock", clock, clock.advance
    with FhirClient(store.base, read_timeout=READ_TIMEOUT, cache_ttl=0) as client:
        timeouts = timeouts_given(client.session)
        with page_scope(BUDGET, clock=clock) as scope:
            store.deadline = scope.deadline or 0.0
            client.search("Patient", {"identifier": "a|1"})  # 0.6 s: fits
            assert clock.now == 100.0 + SLOW_ANSWER
            with pytest.raises(StoreUnavailable):
                client.search("Patient", {"identifier": "a|2"})  # would end 0.2 s past the deadline: cut at it
            with pytest.raises(BudgetSpent):
                client.search("Patient", {"identifier": "a|3"})  # nothing left: not even sent
    assert store.requests == 2 and store.wait_for_cuts(1, WAIT)
    # Each call may wait only what is left of the one budget: all of it, then what the first answer left.
    assert [(t.connect_timeout, t.read_timeout) for t in timeouts] == [
        (pytest.approx(BUDGET), pytest.approx(BUDGET)),
        (pytest.approx(BUDGET - SLOW_ANSWER), pytest.approx(BUDGET - SLOW_ANSWER)),
    ]


def test_outside_a_page_each_call_has_the_clients_own_timeouts(store: HostileStore) -> None:
    clock = Clock()
    store.mode, store.clock, store.advance = "slow on the clock", clock, clock.advance
    with FhirClient(store.base, connect_timeout=2.5, read_timeout=7.0, cache_ttl=0) as client:
        timeouts = timeouts_given(client.session)
        client.search("Patient", {"identifier": "a|1"})
        client.search("Patient", {"identifier": "a|2"})
    assert timeouts == [(2.5, 7.0), (2.5, 7.0)]


def test_retries_stop_when_the_budget_cannot_hold_another_attempt(store: HostileStore) -> None:
    store.mode = "retry later"  # 503 with Retry-After: 1, at once
    clock = Clock()
    with (
        FhirClient(store.base, retries=5, cache_ttl=0, sleep=clock.sleep) as client,
        page_scope(0.6, clock=clock),
        pytest.raises(StoreUnavailable),
    ):
        client.ping()
    # The second asked for is cut to what leaves the next attempt its minimum; after it, too little is left
    # for a third attempt: five retries allowed, one made.
    assert clock.slept == [pytest.approx(0.6 - MIN_ATTEMPT_SECONDS)]
    assert store.requests == 2


def test_without_a_budget_a_retry_waits_what_the_store_asks(store: HostileStore) -> None:
    store.mode = "retry later"
    clock = Clock()
    with FhirClient(store.base, retries=2, cache_ttl=0, sleep=clock.sleep) as client, pytest.raises(StoreUnavailable):
        client.ping()
    assert clock.slept == [1.0, 1.0] and store.requests == 3


def test_the_default_budget_is_five_seconds() -> None:
    assert portal().extensions["portal.settings"].page_time_budget == 5.0


def test_the_store_calls_end_a_twentieth_before_the_page_budget_to_leave_time_to_answer() -> None:
    app = portal(PORTAL_PAGE_TIME_BUDGET="2")
    app.add_url_rule("/budget-left", "budget_left", lambda: {"left": scope.remaining()})
    left = app.test_client().get("/budget-left", base_url=PUBLIC).get_json()["left"]
    assert 1.8 < left <= 2 * (1 - ANSWER_SHARE) == 1.9
