"""The last good copy of each store answer (store step of the data path), for when the store stops answering."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import NamedTuple

from cachetools import TTLCache

from portal.store.cache import Answer, CacheKey, entry_size

DEFAULT_STALE_SECONDS = 6 * 3600
DEFAULT_STALE_MAX_BYTES = 32 * 1024 * 1024


class StaleAnswer(NamedTuple):
    """A good answer and when it was fetched (epoch seconds: it is shown to people as a time of day)."""

    answer: Answer
    fetched_at: float


def _size(stale: StaleAnswer) -> int:
    return entry_size(stale.answer)


class StaleCopies:
    """Last good 200 answers by cache key, kept `max_age` seconds and `max_bytes` bytes at most. Thread-safe.

    A patient who opened their plan this morning should still see it this afternoon while the regional service is
    down, with the time it was last updated, rather than an error page. The keys are the response cache's
    (`portal.store.cache.cache_key`), so one person's answer can never be served for another's request, and every
    use goes through the same checks as a fresh answer.
    """

    def __init__(
        self,
        *,
        max_age: float = DEFAULT_STALE_SECONDS,
        max_bytes: int = DEFAULT_STALE_MAX_BYTES,
        timer: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.max_bytes = max_bytes
        self._wall_clock = wall_clock
        self._entries: TTLCache[CacheKey, StaleAnswer] = TTLCache(
            maxsize=max_bytes, ttl=max_age, timer=timer, getsizeof=_size
        )
        self._lock = threading.Lock()

    def put(self, key: CacheKey, answer: Answer) -> bool:
        """Keep a 200 answer as the last good copy; one larger than the whole bound is not kept."""
        if answer.status != 200 or entry_size(answer) > self.max_bytes:
            return False
        with self._lock:
            self._entries[key] = StaleAnswer(answer, self._wall_clock())
        return True

    def get(self, key: CacheKey) -> StaleAnswer | None:
        with self._lock:
            return self._entries.get(key)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    @property
    def current_bytes(self) -> int:
        with self._lock:
            return int(self._entries.currsize)
