"""Circuit breaker of the store client (store step of the data path): stop calling a store that keeps failing."""

from __future__ import annotations

import enum
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from portal.store.errors import StoreError, StoreUnavailable

logger = logging.getLogger("portal.store")

DEFAULT_FAILURE_THRESHOLD = 5
DEFAULT_COOL_DOWN = 3.0
#: Each cool-down lasts `cool_down` × (1 + up to this much), drawn when the circuit opens.
DEFAULT_JITTER = 1 / 3


class CircuitOpen(StoreUnavailable):
    """The store failed repeatedly a moment ago: this call was not sent. A `StoreUnavailable`, so pages show the
    same "try again later" or their last good copy."""


class State(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitBreaker:
    """Closed → open after `failure_threshold` consecutive failures → half-open after `cool_down` seconds →
    closed on the trial's success, open again on its failure.

    Without it, when the regional store is down every page would wait for its timeouts, and every worker would keep
    sending requests to a service that is trying to recover. The cool-down is stretched at random by up to `jitter`
    of itself so that the workers of a region do not all knock at once. One breaker per `FhirClient`, i.e. per store
    base URL; safe to share between threads.
    """

    def __init__(
        self,
        *,
        failure_threshold: int = DEFAULT_FAILURE_THRESHOLD,
        cool_down: float = DEFAULT_COOL_DOWN,
        jitter: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
        chance: Callable[[], float] = random.random,
        name: str = "store",
    ) -> None:
        if failure_threshold < 1 or cool_down <= 0 or jitter < 0:
            raise ValueError("the breaker needs at least one failure, a positive cool-down and no negative jitter")
        self.failure_threshold = failure_threshold
        self.cool_down = cool_down
        self.jitter = jitter
        self.name = name
        self._clock = clock
        self._chance = chance  # in [0, 1): tests give a fixed one
        #: The cool-down of the current opening (jittered once per opening).
        self._wait = cool_down
        self._lock = threading.Lock()
        self._state = State.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._trial_running = False

    @property
    def state(self) -> State:
        """The state as the next call would see it (an open circuit past its cool-down reads half-open)."""
        with self._lock:
            if self._state is State.OPEN and self._clock() - self._opened_at >= self._wait:
                return State.HALF_OPEN
            return self._state

    def before_call(self) -> None:
        """Let the call through, or raise CircuitOpen. Past the cool-down, exactly one caller gets the trial."""
        with self._lock:
            if self._state is State.CLOSED:
                return
            if self._state is State.OPEN and self._clock() - self._opened_at >= self._wait:
                self._state = State.HALF_OPEN
                self._trial_running = False
            if self._state is State.HALF_OPEN and not self._trial_running:
                self._trial_running = True
                return
        raise CircuitOpen(f"{self.name}: the circuit is open after repeated failures")

    def record_success(self) -> None:
        with self._lock:
            if self._state is not State.CLOSED:
                logger.info("%s circuit closed: it answers again", self.name)
            self._state = State.CLOSED
            self._failures = 0
            self._trial_running = False

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._state is State.HALF_OPEN or self._failures >= self.failure_threshold:
                self._wait = self.cool_down * (1 + self.jitter * self._chance())
                if self._state is not State.OPEN:
                    logger.warning(
                        "%s circuit open: %d consecutive failures, next trial in %.1f s",
                        self.name,
                        self._failures,
                        self._wait,
                    )
                self._state = State.OPEN
                self._opened_at = self._clock()
                self._trial_running = False

    def release(self) -> None:
        """The call ended with neither an answer nor a store failure (e.g. a bug on our side): free the trial."""
        with self._lock:
            self._trial_running = False

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Around one call: `before_call`, then a failure on StoreUnavailable (timeout, refused connection, 5xx,
        429), a success on any other outcome from the store (an answer, even "not found" or "bad request": the store
        is there), a release on anything else."""
        self.before_call()
        try:
            yield
        except StoreUnavailable:
            self.record_failure()
            raise
        except StoreError:
            self.record_success()
            raise
        except BaseException:
            self.release()
            raise
        self.record_success()
