"""What one page asks of the store (store step of the data path): a time budget, and a record of stale copies served."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass

from portal.store.errors import StoreUnavailable

DEFAULT_PAGE_BUDGET = 5.0


class BudgetSpent(StoreUnavailable):
    """The page's time budget is spent: no store call is started (the page answers with what it has)."""


@dataclass
class PageScope:
    """One page's dealings with the store. `deadline` is on `clock` (monotonic seconds); `stale_since` is the
    wall-clock time (epoch seconds) of the oldest stale copy served, None when every answer was fresh.

    A page may make several store calls in a row (Patient, DocumentReference, Binary…), each with its own timeout,
    but together they must not exceed the page's budget: the client cuts every timeout, retry wait and body read to
    `deadline`. When it answers from its last good copy (`portal.store.stale`), it notes here when that copy was
    fetched, so that the page can say so.
    """

    deadline: float | None
    clock: Callable[[], float] = time.monotonic
    stale_since: float | None = None
    #: When the oldest answer this page used was fetched or confirmed by the store (epoch seconds; None: none
    #: used yet, 0.0: one of unknown age). What is built from the answers is no fresher than that.
    oldest_answer: float | None = None

    def remaining(self) -> float | None:
        return None if self.deadline is None else self.deadline - self.clock()

    def note_stale(self, fetched_at: float) -> None:
        if self.stale_since is None or fetched_at < self.stale_since:
            self.stale_since = fetched_at

    def note_answer(self, fetched_at: float) -> None:
        if self.oldest_answer is None or fetched_at < self.oldest_answer:
            self.oldest_answer = fetched_at


#: Each request (thread or task) has its own scope; outside one nothing is limited and nothing is recorded (the
#: command line, the tests of the client).
_current: ContextVar[PageScope | None] = ContextVar("portal_store_page_scope", default=None)


@contextmanager
def page_scope(
    budget: float | None = DEFAULT_PAGE_BUDGET, *, clock: Callable[[], float] = time.monotonic
) -> Iterator[PageScope]:
    """Within the block, every store call shares one deadline `budget` seconds from now (None: no deadline)."""
    scope = PageScope(None if budget is None else clock() + budget, clock)
    token = _current.set(scope)
    try:
        yield scope
    finally:
        _current.reset(token)


def open_scope(budget: float | None) -> Token[PageScope | None]:
    """For frameworks whose hooks cannot hold a `with` block (Flask's before/teardown): returns the token to
    give `close_scope`."""
    return _current.set(PageScope(None if budget is None else time.monotonic() + budget))


def close_scope(token: Token[PageScope | None]) -> None:
    _current.reset(token)


def current() -> PageScope | None:
    return _current.get()


def remaining() -> float | None:
    """Seconds left of the current page's budget; None outside a page or without a deadline."""
    scope = _current.get()
    return None if scope is None else scope.remaining()


def check_budget(interaction: str) -> None:
    """Raise BudgetSpent when nothing is left: starting a call that cannot finish in time only delays the page."""
    left = remaining()
    if left is not None and left <= 0:
        raise BudgetSpent(f"{interaction}: the page's time budget is spent")


def note_stale(fetched_at: float) -> None:
    scope = _current.get()
    if scope is not None:
        scope.note_stale(fetched_at)


def note_answer(fetched_at: float) -> None:
    scope = _current.get()
    if scope is not None:
        scope.note_answer(fetched_at)
