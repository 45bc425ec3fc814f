"""A bounded, thread-safe cache of the store's GET answers (store step of the data path), so that a warm care-plan page
costs no store round trip within the TTL."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple, Protocol
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from cachetools import TLRUCache

# Each entry costs more than its body (key, tuples, headers, the cache's own links): about 1.1 KB measured
# per entry (bench/memory.py). Counting it keeps a flood of tiny or empty answers bounded too.
ENTRY_OVERHEAD_BYTES = 1024
#: How long past its TTL an answer with an ETag is kept for revalidation (documents change rarely, and a
#: 304 is cheaper than the body).
DEFAULT_REVALIDATE_SECONDS = 3600.0
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
    #: The store's validator, sent back as `If-None-Match` once the TTL is over ("" when it gave none).
    etag: str = ""
    #: When the store sent this body or last confirmed it (304), in epoch seconds (0: unknown). A page built
    #: from answers is as fresh as its oldest one (portal.store.scope, portal.web.rendered).
    fetched_at: float = 0.0


class AnswerCache(Protocol):
    """What the client needs of a cache: this module's `ResponseCache` or `portal.store.redis_cache`'s."""

    def get(self, key: CacheKey) -> Answer | None: ...

    def get_stale(self, key: CacheKey) -> Answer | None: ...

    def put(self, key: CacheKey, answer: Answer) -> bool: ...

    def clear(self) -> None: ...


@lru_cache(maxsize=8192)
def normalise_url(url: str) -> str:
    """The same request always gives the same text: lower-case scheme and host, no default port, no
    fragment, query parameters ordered by name (values of one name keep their order: it can matter). Kept: each
    page asks it of the same few searches again."""
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
    """The whole request — method, absolute URL with its query normalised, the Accept header and the portal's store
    identity — so that one person's answer is never served to another: two searches (two patients) never share an
    entry."""
    return CacheKey(method.upper(), normalise_url(url), accept, identity)


def entry_size(answer: Answer) -> int:
    return len(answer.body) + ENTRY_OVERHEAD_BYTES


class _Entry(NamedTuple):
    answer: Answer
    stored_at: float


class ResponseCache:
    """TTL + byte-bounded cache of 200 answers. Safe to share between the web server's threads.

    After the TTL an answer that carried an `ETag` is kept `revalidate` seconds longer, only to ask the store "still
    the same?" with `If-None-Match`: a 304 costs a round trip but no body, and the store stays the judge.
    `portal.store.redis_cache` holds the same entries in Redis, for several instances.
    """

    def __init__(
        self,
        *,
        ttl: float,
        max_bytes: int,
        revalidate: float = DEFAULT_REVALIDATE_SECONDS,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_bytes = max_bytes
        self.ttl = ttl
        self._timer = timer

        def time_to_use(_key: CacheKey, entry: _Entry, now: float) -> float:
            # Without a validator a stale answer is useless: it goes at the end of its TTL.
            return now + ttl + (revalidate if entry.answer.etag else 0.0)

        self._entries: TLRUCache[CacheKey, _Entry] = TLRUCache(
            maxsize=max_bytes, ttu=time_to_use, timer=timer, getsizeof=lambda entry: entry_size(entry.answer)
        )
        self._lock = threading.Lock()

    def get(self, key: CacheKey) -> Answer | None:
        """The answer while it is fresh (within the TTL), else None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or self._timer() - entry.stored_at >= self.ttl:
                return None
            return entry.answer

    def get_stale(self, key: CacheKey) -> Answer | None:
        """The answer past its TTL, kept because it has an ETag to revalidate; None otherwise."""
        with self._lock:
            entry = self._entries.get(key)
            return entry.answer if entry is not None and entry.answer.etag else None

    def put(self, key: CacheKey, answer: Answer) -> bool:
        """Keep a 200 answer (again fresh for a TTL); one larger than the whole bound is not kept."""
        if answer.status != 200 or entry_size(answer) > self.max_bytes:
            return False
        with self._lock:
            self._entries[key] = _Entry(answer, self._timer())
        return True

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            self._entries.expire()
            return len(self._entries)

    @property
    def current_bytes(self) -> int:
        with self._lock:
            self._entries.expire()
            return int(self._entries.currsize)
