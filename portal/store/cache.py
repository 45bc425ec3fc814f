"""A bounded, thread-safe cache of the store's GET answers (store step of the data path).

Why: a warm care-plan page must cost no store round trip within the TTL. The danger: one person's
answer served to another. So the key is the whole request — method, absolute URL with its query
normalised, the Accept header and the portal's store identity — and two different searches (two
patients) can never share an entry. Bounded by TTL and by the bytes of the cached bodies.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from cachetools import TTLCache

# Each entry costs a little more than its body (key, tuple, headers); counting it keeps a flood of tiny
# or empty answers bounded too.
ENTRY_OVERHEAD_BYTES = 256
_DEFAULT_PORTS = {"http": 80, "https": 443}


class CacheKey(NamedTuple):
    method: str
    url: str
    accept: str
    identity: str


class Answer(NamedTuple):
    """A store answer as cached: status, Content-Type and the raw body (parsed again on each use, so that
    no caller can change what the next one gets)."""

    status: int
    content_type: str
    body: bytes


def normalise_url(url: str) -> str:
    """The same request always gives the same text: lower-case scheme and host, no default port, no
    fragment, query parameters ordered by name (values of one name keep their order: it can matter)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    netloc = host if ":" not in host else f"[{host}]"
    if parts.port is not None and parts.port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{parts.port}"
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    pairs.sort(key=lambda pair: pair[0])  # stable: repeated names keep their relative order
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(pairs, quote_via=quote), ""))


def cache_key(method: str, url: str, accept: str, identity: str) -> CacheKey:
    return CacheKey(method.upper(), normalise_url(url), accept, identity)


def entry_size(answer: Answer) -> int:
    return len(answer.body) + ENTRY_OVERHEAD_BYTES


class ResponseCache:
    """TTL + byte-bounded cache of 200 answers. Safe to share between the web server's threads."""

    def __init__(self, *, ttl: float, max_bytes: int, timer: Callable[[], float] = time.monotonic) -> None:
        self.max_bytes = max_bytes
        self._entries: TTLCache[CacheKey, Answer] = TTLCache(
            maxsize=max_bytes, ttl=ttl, timer=timer, getsizeof=entry_size
        )
        self._lock = threading.Lock()

    def get(self, key: CacheKey) -> Answer | None:
        with self._lock:
            return self._entries.get(key)

    def put(self, key: CacheKey, answer: Answer) -> bool:
        """Keep a 200 answer; an answer larger than the whole bound is not kept. Returns whether it was."""
        if answer.status != 200 or entry_size(answer) > self.max_bytes:
            return False
        with self._lock:
            self._entries[key] = answer
        return True

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
