"""The client of one FHIR R4 store (store step of the data path: access → store → pps): reads and searches with a
bounded cache of answers, revalidated with If-None-Match, a circuit breaker and the last good copy while the store
fails; creates for the access log. HTTP is in `portal.store.transport`, answer shapes in `portal.store.bundles`."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Self, TypeVar, cast
from urllib.parse import urljoin, urlsplit

from cachetools import LRUCache

from portal.store import scope
from portal.store.auth import StoreAuth
from portal.store.breaker import CircuitBreaker
from portal.store.bundles import (
    BinaryContent,
    Params,
    check_type,
    decode_binary_resource,
    encode,
    entry_status,
    matches,
    next_link,
)
from portal.store.cache import Answer, AnswerCache, CacheKey, ResponseCache, cache_key
from portal.store.errors import StoreDocumentTooLarge, StoreInvalidResponse, StoreNotFound, StoreUnavailable
from portal.store.resources import FHIR_ID
from portal.store.stale import StaleAnswer, StaleCopies
from portal.store.transport import (
    BACKOFF_FACTOR,
    DEFAULT_CACHE_MAX_BYTES,
    DEFAULT_CACHE_TTL,
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_JSON_BYTES,
    DEFAULT_MAX_PAGES,
    DEFAULT_READ_TIMEOUT,
    DEFAULT_RETRIES,
    ERROR_BODY_BYTES,
    FHIR_JSON,
    MAX_RETRY_WAIT,
    MIN_ATTEMPT_SECONDS,
    USER_AGENT,
    BudgetTimeout,
    CappedRetry,
    RoundTrip,
    Transport,
    error_for,
    is_json,
    parse_json,
)

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "MIN_ATTEMPT_SECONDS",
    "BinaryContent",
    "BudgetTimeout",
    "CappedRetry",
    "FhirClient",
    "Params",
    "RoundTrip",
]

logger = logging.getLogger("portal.store")

#: What a search's reading gives (`FhirClient.search_records`).
Kept = TypeVar("Kept")
#: What the readings of one client keep in a process (a person's grants, documents: records made from a search's
#: JSON), counted as below: a READINGS_SHARE of the store answers' byte budget (`cache_max_bytes`), at most
#: READINGS_MAX_BYTES, besides that budget. With Redis, the budget is the shared cache's; each process keeps at
#: most READINGS_MAX_BYTES of readings.
READINGS_MAX_BYTES, READINGS_SHARE = 2 * 1024 * 1024, 16
#: A reading is counted as this many times the bytes of the JSON it was read from, plus READING_OVERHEAD_BYTES: a
#: walk of the objects of every synthetic person's readings found them within 1.05 times the JSON and 512 bytes
#: (tests/unit/store/test_search_records.py checks every one against this count).
READING_BYTES_PER_BODY_BYTE, READING_OVERHEAD_BYTES = 2, 512


def _reading_bytes(kept: tuple[tuple[float, int, int], object]) -> int:
    """What a kept reading is counted for: READING_BYTES_PER_BODY_BYTE times its answer's length, and overhead."""
    (_fetched_at, length, _hash), _value = kept
    return READING_BYTES_PER_BODY_BYTE * length + READING_OVERHEAD_BYTES


class FhirClient:
    """Client of one FHIR R4 store. Thread-safe; create one per process and share it."""

    def __init__(
        self,
        base_url: str,
        *,
        auth: StoreAuth | None = None,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        backoff_factor: float = BACKOFF_FACTOR,
        max_retry_wait: float = MAX_RETRY_WAIT,
        cache_ttl: float = DEFAULT_CACHE_TTL,
        cache_max_bytes: int = DEFAULT_CACHE_MAX_BYTES,
        max_pages: int = DEFAULT_MAX_PAGES,
        max_json_bytes: int = DEFAULT_MAX_JSON_BYTES,
        user_agent: str = USER_AGENT,
        cache: AnswerCache | None = None,
        breaker: CircuitBreaker | None = None,
        last_good: StaleCopies | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ValueError("store base URL must be an absolute http(s) URL without query")
        self.base_url = base_url.rstrip("/")
        self._origin = (parts.scheme.lower(), parts.hostname.lower(), parts.port)
        self._base_path = parts.path.rstrip("/")
        self.auth = auth or StoreAuth.none()
        self.timeout = (connect_timeout, read_timeout)
        self.max_pages = max_pages
        self.max_json_bytes = max_json_bytes

        self.transport = Transport(
            self.auth,
            timeout=self.timeout,
            retries=retries,
            backoff_factor=backoff_factor,
            max_retry_wait=max_retry_wait,
            user_agent=user_agent,
            clock=clock,
            sleep=sleep,
        )
        #: The HTTP session (tests and benchmarks look at what it sends).
        self.session = self.transport.session
        # A shared cache (Redis, several instances) is given; otherwise one in this process, unless disabled.
        self.cache: AnswerCache | None = cache
        if cache is None and cache_ttl > 0 and cache_max_bytes > 0:
            self.cache = ResponseCache(ttl=cache_ttl, max_bytes=cache_max_bytes)
        readings_bytes = max(min(cache_max_bytes // READINGS_SHARE, READINGS_MAX_BYTES), 1)
        #: Called after every answer from the store (benchmarks count round trips with it).
        self.observers = self.transport.observers
        #: Called with (interaction, hit) at each lookup in the cache (metrics of hits and misses).
        self.cache_observers: list[Callable[[str, bool], None]] = []
        #: Stops calling a store that keeps failing (portal.store.breaker); one per client, i.e. per base URL.
        self.breaker = breaker or CircuitBreaker(name=f"store {parts.hostname}")
        #: The last good copy of each cached answer, served when the store fails (None: an error instead).
        self.last_good = last_good
        #: What `search_records` read from recent answers, by reading and URL, with what identifies the answer
        #: (when it was fetched, its length, its hash): bounded in bytes, counted from the answer's length.
        self._readings: LRUCache[tuple[str, str], tuple[tuple[float, int, int], object]] = LRUCache(
            readings_bytes, getsizeof=_reading_bytes
        )
        self._readings_lock = threading.Lock()

    # --- lifecycle ---------------------------------------------------------------------------------------

    @property
    def clock(self) -> Callable[[], float]:
        """Wall-clock seconds: when an answer was fetched (its age, for the cache of rendered pages and the
        stale-copy notice). Tests give a clock of their own."""
        return self.transport.clock

    @clock.setter
    def clock(self, value: Callable[[], float]) -> None:
        self.transport.clock = value

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # --- FHIR interactions -------------------------------------------------------------------------------

    def ping(self, *, use_breaker: bool = True) -> None:
        """Check the store answers its CapabilityStatement (`GET {base}/metadata`); never cached.
        `use_breaker=False` asks the store itself whatever the circuit breaker says, and tells the breaker nothing
        (/readyz: readiness must not wait for the breaker's trial call, nor decide it)."""
        self._get_json(
            f"{self.base_url}/metadata",
            interaction="capabilities",
            expected_type="CapabilityStatement",
            use_cache=False,
            use_breaker=use_breaker,
        )

    def read(self, resource_type: str, resource_id: str, *, last_good: bool = True) -> dict[str, Any]:
        """`GET {base}/{type}/{id}`. A malformed id cannot exist: StoreNotFound without a round trip.
        `last_good=False`: never answered from a last good copy when the store fails (access decisions)."""
        check_type(resource_type)
        if not FHIR_ID.fullmatch(resource_id):
            raise StoreNotFound(f"read {resource_type}: not a FHIR id")
        resource = self._get_json(
            f"{self.base_url}/{resource_type}/{resource_id}",
            interaction=f"read {resource_type}",
            expected_type=resource_type,
            last_good=last_good,
        )
        if resource.get("id") != resource_id:
            raise StoreInvalidResponse(f"read {resource_type}: the store answered another resource")
        return resource

    def search(
        self, resource_type: str, params: Params, *, fresh: bool = False, last_good: bool = True
    ) -> list[dict[str, Any]]:
        """`GET {base}/{type}?{params}`, following `link[next]` on the store's own origin, up to
        `max_pages` pages; returns the resources of the `match` entries. `fresh` bypasses the cache (for
        answers that change with every page view, such as the access log). `last_good=False`: the answer may
        come from the cache within its TTL, never from a last good copy when the store fails (the searches that
        decide who may see whom: an older copy could still hold a link the store has revoked)."""
        check_type(resource_type)
        url = f"{self.base_url}/{resource_type}?{encode(params)}"
        first = self._get_json_answer(url, f"search {resource_type}", use_cache=not fresh, last_good=last_good)
        found, _ = self._search_resources(first, url, resource_type, use_cache=not fresh, last_good=last_good)
        return found

    def search_records(
        self,
        resource_type: str,
        params: Params,
        read: Callable[[list[dict[str, Any]]], Kept],
        *,
        name: str,
        last_good: bool = True,
    ) -> Kept:
        """`read(search(resource_type, params))`, kept while the search is answered with the very same one-page
        answer: pages ask the same few searches again and again, and making records from their JSON each time
        showed in every first view's profile. The answer is still asked of the cache (or the store) every time;
        only its reading is kept. `read` must return what nobody changes (tuples of frozen records); `name` says
        which reading it is (one search read two ways is kept twice)."""
        check_type(resource_type)
        url = f"{self.base_url}/{resource_type}?{encode(params)}"
        first = self._get_json_answer(url, f"search {resource_type}", use_cache=True, last_good=last_good)
        # The same bytes, fetched at the same moment: the same answer (a refetched or revalidated one is not).
        same = (first.fetched_at, len(first.body), hash(first.body))
        with self._readings_lock:
            kept = self._readings.get((name, url))
        if kept is not None and kept[0] == same:
            return cast("Kept", kept[1])
        found, pages = self._search_resources(first, url, resource_type, use_cache=True, last_good=last_good)
        value = read(found)
        if pages == 1 and first.fetched_at and _reading_bytes((same, value)) <= self._readings.maxsize:
            with self._readings_lock:
                self._readings[(name, url)] = (same, value)
        return value

    def _get_json_answer(
        self, url: str, interaction: str, *, use_cache: bool, last_good: bool, use_breaker: bool = True
    ) -> Answer:
        return self._get(
            url,
            interaction=interaction,
            accept=FHIR_JSON,
            max_bytes=self.max_json_bytes,
            use_cache=use_cache,
            last_good=last_good,
            use_breaker=use_breaker,
        )

    def _search_resources(
        self, first: Answer, url: str, resource_type: str, *, use_cache: bool, last_good: bool
    ) -> tuple[list[dict[str, Any]], int]:
        """The resources of a search's `match` entries from its first page `first` and the pages after it, and how
        many pages there were."""
        interaction = f"search {resource_type}"
        found: list[dict[str, Any]] = []
        answer = first
        for page in range(1, self.max_pages + 1):
            bundle = _json_of(answer, interaction, "Bundle")
            if bundle.get("type") != "searchset":
                raise StoreInvalidResponse(f"{interaction}: the Bundle is not a searchset")
            found.extend(matches(bundle, resource_type, interaction))
            next_url = next_link(bundle, interaction)
            if next_url is None:
                return found, page
            url = urljoin(url, next_url)
            if not self._is_under_base(url):
                raise StoreInvalidResponse(f"{interaction}: the next link leaves the store")
            interaction = f"search-page {resource_type}"
            if page < self.max_pages:
                answer = self._get_json_answer(url, interaction, use_cache=use_cache, last_good=last_good)
        raise StoreInvalidResponse(f"search {resource_type}: more than {self.max_pages} pages")

    def has_answer(self, resource_type: str, params: Params) -> bool:
        """Whether this search would be answered from the cache now, fresh, without a round trip (a page then need
        not ask for it ahead of time on another thread: `portal.store.ahead`)."""
        if self.cache is None:
            return False
        check_type(resource_type)
        url = f"{self.base_url}/{resource_type}?{encode(params)}"
        return self.cache.get(cache_key("GET", url, FHIR_JSON, self.auth.identity)) is not None

    def create(self, resource: Mapping[str, Any], *, timeout: float = 2.0) -> None:
        """`POST {base}/{type}`: store a new resource (the access log's AuditEvents).

        Never retried here (a retry could store it twice; the caller keeps its own queue) and bounded by
        `timeout` seconds for the connection and for the answer. StoreError when it is not stored."""
        resource_type = str(resource.get("resourceType", ""))
        check_type(resource_type)
        self._post(f"{self.base_url}/{resource_type}", resource, f"create {resource_type}", ERROR_BODY_BYTES, timeout)

    def create_batch(self, resources: Sequence[Mapping[str, Any]], *, timeout: float = 2.0) -> list[int]:
        """`POST {base}` with a FHIR `batch` Bundle creating each resource: one request for many (the access log
        under load). The HTTP status of each entry, in order; StoreError when the batch itself failed (then
        nothing is known to be stored). Never retried here, like `create`."""
        entries = []
        for resource in resources:
            resource_type = str(resource.get("resourceType", ""))
            check_type(resource_type)
            entries.append({"resource": resource, "request": {"method": "POST", "url": resource_type}})
        bundle = {"resourceType": "Bundle", "type": "batch", "entry": entries}
        interaction = "batch create"
        answer = self._post(self.base_url, bundle, interaction, self.max_json_bytes, timeout)
        result = parse_json(answer, interaction)
        answered = result.get("entry")
        if result.get("type") != "batch-response" or not isinstance(answered, list) or len(answered) != len(entries):
            raise StoreInvalidResponse(f"{interaction}: the answer is not a batch-response of {len(entries)} entries")
        return [entry_status(entry) for entry in answered]

    def _post(self, url: str, resource: Mapping[str, Any], interaction: str, max_bytes: int, timeout: float) -> Answer:
        # Never retried (the session's Retry allows GET only): a retry could store it twice.
        answer = self.transport.exchange(
            "POST", url, interaction=interaction, accept=FHIR_JSON, max_bytes=max_bytes, body=resource, timeout=timeout
        )
        if answer.status not in (200, 201):
            raise error_for(answer, interaction)
        return answer

    def binary(self, url_or_id: str, max_bytes: int) -> BinaryContent:
        """The raw bytes of `Binary/{id}`: an attachment `url` (relative to the base or absolute on it) or an id.

        Asks `Accept: */*`; a store that still answers a FHIR Binary resource is decoded. Reading stops
        past `max_bytes` (StoreDocumentTooLarge)."""
        if FHIR_ID.fullmatch(url_or_id):
            url_or_id = f"Binary/{url_or_id}"
        url = urljoin(f"{self.base_url}/", url_or_id)
        if not self._is_under_base(url):
            raise StoreInvalidResponse("read Binary: the attachment URL is not on the store")
        path = urlsplit(url).path[len(self._base_path) :].strip("/").split("/")
        if len(path) != 2 or path[0] != "Binary" or not FHIR_ID.fullmatch(path[1]) or urlsplit(url).query:
            raise StoreInvalidResponse("read Binary: the attachment URL is not a Binary")
        # Room for a FHIR Binary resource, whose base64 is a third larger than the document it carries;
        # the document itself is held to `max_bytes` below.
        read_limit = max_bytes * 4 // 3 + 4096
        answer = self._get(url, interaction="read Binary", accept="*/*", max_bytes=read_limit)
        content_type = answer.content_type or "application/octet-stream"
        if is_json(content_type):
            resource = parse_json(answer, "read Binary")
            if resource.get("resourceType") == "Binary":
                return decode_binary_resource(resource, max_bytes)
        if len(answer.body) > max_bytes:
            raise StoreDocumentTooLarge(f"read Binary: larger than {max_bytes} bytes", status=200)
        return BinaryContent(content_type, answer.body)

    # --- plumbing ----------------------------------------------------------------------------------------

    def _is_under_base(self, url: str) -> bool:
        parts = urlsplit(url)
        try:
            origin = (parts.scheme.lower(), (parts.hostname or "").lower(), parts.port)
        except ValueError:  # a port that is not a number
            return False
        path = parts.path.rstrip("/")
        return origin == self._origin and (path == self._base_path or path.startswith(f"{self._base_path}/"))

    def _get_json(
        self,
        url: str,
        *,
        interaction: str,
        expected_type: str,
        use_cache: bool = True,
        last_good: bool = True,
        use_breaker: bool = True,
    ) -> dict[str, Any]:
        answer = self._get_json_answer(
            url, interaction, use_cache=use_cache, last_good=last_good, use_breaker=use_breaker
        )
        return _json_of(answer, interaction, expected_type)

    def _get(
        self,
        url: str,
        *,
        interaction: str,
        accept: str,
        max_bytes: int,
        use_cache: bool = True,
        last_good: bool = True,
        use_breaker: bool = True,
    ) -> Answer:
        key = cache_key("GET", url, accept, self.auth.identity)
        stale: Answer | None = None
        if use_cache and self.cache is not None:
            cached = self.cache.get(key)
            for cache_observer in self.cache_observers:
                cache_observer(interaction, cached is not None)
            if cached is not None:
                logger.debug("store GET %s cache=hit", interaction)
                scope.note_answer(cached.fetched_at)
                return cached
            stale = self.cache.get_stale(key)
        try:
            scope.check_budget(interaction)
            with self.breaker.guard() if use_breaker else contextlib.nullcontext():
                answer = self.transport.exchange(
                    "GET",
                    url,
                    interaction=interaction,
                    accept=accept,
                    max_bytes=max_bytes,
                    etag=stale.etag if stale else "",
                )
                if answer.status not in (200, 304):
                    raise error_for(answer, interaction)
        except StoreUnavailable:
            copy = self._last_good_copy(key) if use_cache and last_good else None
            if copy is None:
                raise
            # The store is not answering: the page shows the last good copy and says when it was fetched.
            logger.warning("store GET %s answered from the last good copy", interaction)
            scope.note_stale(copy.fetched_at)
            return copy.answer
        if answer.status == 304 and stale is not None and self.cache is not None:
            # Not modified: the body we hold is still the store's; it is fresh again for one TTL.
            confirmed = stale._replace(fetched_at=answer.fetched_at)
            self.cache.put(key, confirmed)
            self._keep_last_good(key, confirmed, accept)
            scope.note_answer(confirmed.fetched_at)
            return confirmed
        if answer.status != 200:
            raise error_for(answer, interaction)
        if use_cache:
            if self.cache is not None:
                self.cache.put(key, answer)
            self._keep_last_good(key, answer, accept)
        scope.note_answer(answer.fetched_at)
        return answer

    def _last_good_copy(self, key: CacheKey) -> StaleAnswer | None:
        """This process's last good copy, else the shared cache's copy past its TTL (another instance's, or ours
        from before a restart), whichever there is."""
        if self.last_good is None:
            return None  # last good copies are off (PORTAL_STORE_STALE_SECONDS=0)
        copy = self.last_good.get(key)
        if copy is not None:
            return copy
        shared = getattr(self.cache, "get_last_good", None)
        answer: Answer | None = shared(key) if shared is not None else None
        if answer is None or answer.status != 200:
            return None
        return StaleAnswer(answer, answer.fetched_at)

    def _keep_last_good(self, key: CacheKey, answer: Answer, accept: str) -> None:
        # An answer that is not even JSON where JSON was asked must not replace a good copy. (Every use still
        # goes through the same checks as a fresh answer: the copy is never trusted more than the store.)
        if self.last_good is not None and (accept != FHIR_JSON or is_json(answer.content_type)):
            self.last_good.put(key, answer)


def _json_of(answer: Answer, interaction: str, expected_type: str) -> dict[str, Any]:
    """The FHIR JSON resource of `answer`, of `expected_type`, parsed afresh (so that no caller changes what the
    next one gets)."""
    if not is_json(answer.content_type):
        raise StoreInvalidResponse(f"{interaction}: the answer is not FHIR JSON")
    resource = parse_json(answer, interaction)
    if resource.get("resourceType") != expected_type:
        raise StoreInvalidResponse(f"{interaction}: expected a {expected_type}")
    return resource
