"""FHIR R4 client of the portal (store step of the data path: access → store → pps).

One `requests.Session`, a timeout on every call, retries for GET only (429/502/503/504, exponential
backoff, `Retry-After` honoured but capped), typed errors, a bounded cache of GET answers, and log lines
that say what kind of call was made and how it went — never which patient, id or value.
The PDSm queries built on it live in `portal.store.pdsm`.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, NamedTuple, Self
from urllib.parse import urlencode, urljoin, urlsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry
from urllib3.util.timeout import Timeout

from portal.store import scope
from portal.store.auth import ClientCredentialsToken, StoreAuth
from portal.store.breaker import CircuitBreaker
from portal.store.cache import Answer, AnswerCache, CacheKey, ResponseCache, cache_key
from portal.store.errors import (
    StoreAuthError,
    StoreDocumentTooLarge,
    StoreError,
    StoreInvalidResponse,
    StoreNotFound,
    StoreRejected,
    StoreUnavailable,
)
from portal.store.resources import FHIR_ID
from portal.store.stale import StaleAnswer, StaleCopies

logger = logging.getLogger("portal.store")

DEFAULT_CONNECT_TIMEOUT = 3.05  # just above a TCP retransmission window (3 s)
DEFAULT_READ_TIMEOUT = 5.0
DEFAULT_RETRIES = 2
RETRY_STATUSES = frozenset({429, 502, 503, 504})
BACKOFF_FACTOR = 0.25
# The longest we ever wait between two attempts, whatever `Retry-After` asks: a page must answer within
# its budget; a store that wants an hour is, for this page, unavailable.
MAX_RETRY_WAIT = 2.0
DEFAULT_CACHE_TTL = 30.0
DEFAULT_CACHE_MAX_BYTES = 32 * 1024 * 1024
DEFAULT_MAX_PAGES = 20
DEFAULT_MAX_JSON_BYTES = 8 * 1024 * 1024
# Enough for any OperationOutcome; an error page larger than this is not worth reading.
ERROR_BODY_BYTES = 64 * 1024
FHIR_JSON = "application/fhir+json"
USER_AGENT = "pps-portal/0.1 (FHIR R4 document consumer)"

_RESOURCE_TYPE = re.compile(r"[A-Z][A-Za-z]{1,63}")
_CHUNK = 64 * 1024
# Within a page's budget, a retry is worth it only if its wait leaves the next attempt this much time.
MIN_ATTEMPT_SECONDS = 0.25

Params = Mapping[str, str | Sequence[str]] | Sequence[tuple[str, str]]


class BinaryContent(NamedTuple):
    """A document's bytes and the media type the store gave them."""

    content_type: str
    data: bytes


class RoundTrip(NamedTuple):
    """One request that reached the store, as told to `FhirClient.observers` (times from `time.monotonic`).

    What a benchmark counts to find how many round trips a page waits for one after the other, and what the
    metrics and request logs time (`portal.ops.metrics`, `portal.ops.logs`). `status` is 0 when no answer came
    (timeout, refused connection)."""

    method: str
    interaction: str
    status: int
    started: float
    ended: float


class CappedRetry(Retry):
    """urllib3 `Retry` whose waits never exceed `max_wait` seconds, `Retry-After` included.

    A `Retry-After: 3600` would otherwise make a page hang for an hour (urllib3 honours up to six hours).
    """

    def __init__(
        self,
        *args: Any,
        max_wait: float = MAX_RETRY_WAIT,
        sleeper: Callable[[float], None] = time.sleep,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("backoff_max", max_wait)
        super().__init__(*args, **kwargs)
        self.max_wait = max_wait
        #: What waits between two attempts (`time.sleep`; a test's clock, which moves instead of sleeping).
        self.sleeper = sleeper

    def new(self, **kw: Any) -> Self:
        # urllib3 rebuilds the object after each attempt; carry our settings across.
        kw.setdefault("max_wait", self.max_wait)
        kw.setdefault("sleeper", self.sleeper)
        return super().new(**kw)

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        # urllib3's own choice of wait (Retry-After when the answer has one, else the backoff), handed to `sleeper`.
        if self.respect_retry_after_header and response:
            wait = self.get_retry_after(response)
            if wait:
                self.sleeper(wait)
                return
        backoff = self.get_backoff_time()
        if backoff > 0:
            self.sleeper(backoff)

    def get_retry_after(self, response: BaseHTTPResponse) -> float | None:
        try:
            wait = super().get_retry_after(response)
        except urllib3.exceptions.InvalidHeader:
            return None  # a malformed header falls back to the exponential backoff
        return None if wait is None else min(wait, self.max_wait, _budget_for_wait())

    def get_backoff_time(self) -> float:
        return min(super().get_backoff_time(), _budget_for_wait())

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        # Within a page (portal.store.scope), a retry that cannot answer before the deadline only delays it.
        left = scope.remaining()
        if left is not None and left < 2 * MIN_ATTEMPT_SECONDS:
            return False
        return super().is_retry(method, status_code, has_retry_after)


def _budget_for_wait() -> float:
    """The longest wait before a retry that still leaves the attempt some of the page's budget."""
    left = scope.remaining()
    return float("inf") if left is None else max(left - MIN_ATTEMPT_SECONDS, 0.0)


class BudgetTimeout(Timeout):
    """The client's (connect, read) timeouts, cut to what is left of the page's budget at each attempt.

    urllib3 clones the timeout before every attempt, retries included: each clone is computed afresh, so
    several attempts cannot add up beyond the deadline. `deadline` is on `clock` (the page scope's)."""

    def __init__(
        self, connect: float, read: float, deadline: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limits = (connect, read)
        self._deadline = deadline
        self._clock = clock
        left = self._left()
        super().__init__(connect=min(connect, left), read=min(read, left))

    def _left(self) -> float:
        # urllib3 refuses a zero timeout; an attempt with a few milliseconds left fails at once, as it should.
        return max(self._deadline - self._clock(), 0.001)

    def clone(self) -> Timeout:
        return BudgetTimeout(*self._limits, self._deadline, self._clock)


def _diagnostics(answer: Answer) -> str | None:
    """The OperationOutcome's diagnostics / details text, when the body is one."""
    try:
        outcome = json.loads(answer.body)
    except ValueError:
        return None
    if not isinstance(outcome, dict) or outcome.get("resourceType") != "OperationOutcome":
        return None
    texts: list[str] = []
    for issue in outcome.get("issue") or []:
        if not isinstance(issue, dict):
            continue
        details = issue.get("details")
        for text in (issue.get("diagnostics"), details.get("text") if isinstance(details, dict) else None):
            if isinstance(text, str) and text and text not in texts:
                texts.append(text)
    return "; ".join(texts) or None


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media in (FHIR_JSON, "application/json")


def _encode(params: Params) -> str:
    pairs: list[tuple[str, str]] = []
    items = params.items() if isinstance(params, Mapping) else params
    for name, value in items:
        if isinstance(value, str):
            pairs.append((name, value))
        else:
            pairs.extend((name, v) for v in value)
    return urlencode(pairs)


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
        #: Wall-clock seconds: when an answer was fetched (its age, for the cache of rendered pages and the
        #: stale-copy notice). Tests give a clock of their own.
        self.clock = clock

        self.session = requests.Session()
        self.session.headers.update({"User-Agent": user_agent, "Accept": FHIR_JSON})
        retry = CappedRetry(
            total=retries,
            status=retries,
            # Connection and read failures are not retried: a store that hangs would multiply the wait.
            connect=0,
            read=False,
            other=0,
            allowed_methods=frozenset({"GET"}),
            status_forcelist=RETRY_STATUSES,
            backoff_factor=backoff_factor,
            max_wait=max_retry_wait,
            sleeper=sleep,
            # We map the last answer (and its OperationOutcome) ourselves.
            raise_on_status=False,
            respect_retry_after_header=True,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.auth.configure(self.session)
        self._token = (
            ClientCredentialsToken(self.auth, self.session, timeout=self.timeout)
            if self.auth.kind == "client_credentials"
            else None
        )
        # A shared cache (Redis, several instances) is given; otherwise one in this process, unless disabled.
        self.cache: AnswerCache | None = cache
        if cache is None and cache_ttl > 0 and cache_max_bytes > 0:
            self.cache = ResponseCache(ttl=cache_ttl, max_bytes=cache_max_bytes)
        #: Called after every answer from the store (benchmarks count round trips with it).
        self.observers: list[Callable[[RoundTrip], None]] = []
        #: Called with (interaction, hit) at each lookup in the cache (metrics of hits and misses).
        self.cache_observers: list[Callable[[str, bool], None]] = []
        #: Stops calling a store that keeps failing (portal.store.breaker); one per client, i.e. per base URL.
        self.breaker = breaker or CircuitBreaker(name=f"store {parts.hostname}")
        #: The last good copy of each cached answer, served when the store fails (None: an error instead).
        self.last_good = last_good

    # --- lifecycle ---------------------------------------------------------------------------------------

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
        _check_type(resource_type)
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
        _check_type(resource_type)
        url = f"{self.base_url}/{resource_type}?{_encode(params)}"
        interaction = f"search {resource_type}"
        matches: list[dict[str, Any]] = []
        for _ in range(self.max_pages):
            bundle = self._get_json(
                url, interaction=interaction, expected_type="Bundle", use_cache=not fresh, last_good=last_good
            )
            if bundle.get("type") != "searchset":
                raise StoreInvalidResponse(f"{interaction}: the Bundle is not a searchset")
            matches.extend(_matches(bundle, resource_type, interaction))
            next_url = _next_link(bundle, interaction)
            if next_url is None:
                return matches
            url = urljoin(url, next_url)
            if not self._is_under_base(url):
                raise StoreInvalidResponse(f"{interaction}: the next link leaves the store")
            interaction = f"search-page {resource_type}"
        raise StoreInvalidResponse(f"search {resource_type}: more than {self.max_pages} pages")

    def create(self, resource: Mapping[str, Any], *, timeout: float = 2.0) -> None:
        """`POST {base}/{type}`: store a new resource (the access log's AuditEvents).

        Never retried here (a retry could store it twice; the caller keeps its own queue) and bounded by
        `timeout` seconds for the connection and for the answer. StoreError when it is not stored."""
        resource_type = str(resource.get("resourceType", ""))
        _check_type(resource_type)
        self._post(f"{self.base_url}/{resource_type}", resource, f"create {resource_type}", ERROR_BODY_BYTES, timeout)

    def create_batch(self, resources: Sequence[Mapping[str, Any]], *, timeout: float = 2.0) -> list[int]:
        """`POST {base}` with a FHIR `batch` Bundle creating each resource: one request for many (the access log
        under load). The HTTP status of each entry, in order; StoreError when the batch itself failed (then
        nothing is known to be stored). Never retried here, like `create`."""
        entries = []
        for resource in resources:
            resource_type = str(resource.get("resourceType", ""))
            _check_type(resource_type)
            entries.append({"resource": resource, "request": {"method": "POST", "url": resource_type}})
        bundle = {"resourceType": "Bundle", "type": "batch", "entry": entries}
        interaction = "batch create"
        answer = self._post(self.base_url, bundle, interaction, self.max_json_bytes, timeout)
        result = _parse_json(answer, interaction)
        answered = result.get("entry")
        if result.get("type") != "batch-response" or not isinstance(answered, list) or len(answered) != len(entries):
            raise StoreInvalidResponse(f"{interaction}: the answer is not a batch-response of {len(entries)} entries")
        return [_entry_status(entry) for entry in answered]

    def _post(self, url: str, resource: Mapping[str, Any], interaction: str, max_bytes: int, timeout: float) -> Answer:
        headers = {"Accept": FHIR_JSON, "Content-Type": FHIR_JSON}
        token = self._token.bearer() if self._token else None
        if token:
            headers["Authorization"] = f"Bearer {token}"
        started = time.monotonic()
        try:
            # The session's Retry allows GET only and no connect retry: a POST is tried once.
            with self.session.request(
                "POST",
                url,
                data=json.dumps(resource, separators=(",", ":")).encode(),
                headers=headers,
                timeout=(min(timeout, self.timeout[0]), timeout),
                allow_redirects=False,
                stream=True,
            ) as response:
                body = _read_body(response, max_bytes, timeout, interaction)
        except StoreError:
            raise
        except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
            logger.warning(
                "store POST %s failed error=%s duration_ms=%.1f",
                interaction,
                type(exc).__name__,
                (time.monotonic() - started) * 1000,
            )
            raise StoreUnavailable(f"{interaction}: the store did not answer") from exc
        self._log("POST", interaction, response, started)
        answer = Answer(response.status_code, response.headers.get("Content-Type", ""), body)
        if response.status_code not in (200, 201):
            raise _error_for(answer, interaction)
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
        if _is_json(content_type):
            resource = _parse_json(answer, "read Binary")
            if resource.get("resourceType") == "Binary":
                return _decode_binary_resource(resource, max_bytes)
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
        answer = self._get(
            url,
            interaction=interaction,
            accept=FHIR_JSON,
            max_bytes=self.max_json_bytes,
            use_cache=use_cache,
            last_good=last_good,
            use_breaker=use_breaker,
        )
        if not _is_json(answer.content_type):
            raise StoreInvalidResponse(f"{interaction}: the answer is not FHIR JSON")
        resource = _parse_json(answer, interaction)
        if resource.get("resourceType") != expected_type:
            raise StoreInvalidResponse(f"{interaction}: expected a {expected_type}")
        return resource

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
                answer = self._send(
                    "GET",
                    url,
                    interaction=interaction,
                    accept=accept,
                    max_bytes=max_bytes,
                    etag=stale.etag if stale else "",
                )
                if answer.status not in (200, 304):
                    raise _error_for(answer, interaction)
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
            raise _error_for(answer, interaction)
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
        if self.last_good is not None and (accept != FHIR_JSON or _is_json(answer.content_type)):
            self.last_good.put(key, answer)

    def _send(self, method: str, url: str, *, interaction: str, accept: str, max_bytes: int, etag: str = "") -> Answer:
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        # One more attempt after a 401: the token may have been revoked before its announced expiry.
        for attempt in (1, 2):
            token = self._token.bearer() if self._token else None
            if token:
                headers["Authorization"] = f"Bearer {token}"
            started = time.monotonic()
            try:
                response = self.session.request(
                    method,
                    url,
                    headers=headers,
                    # requests hands a urllib3 Timeout to the adapter as is (HTTPAdapter.send documents it).
                    timeout=self._attempt_timeout(),  # type: ignore[arg-type]
                    stream=True,
                    allow_redirects=False,
                )
                with response:
                    if response.status_code == 401 and self._token and token and attempt == 1:
                        self._log(method, interaction, response, started, retry_auth=True)
                        self._token.invalidate(token)
                        continue
                    data = _read_body(response, max_bytes, self._body_budget(), interaction)
            except StoreError as exc:
                logger.warning(
                    "store %s %s status=%s failed error=%s duration_ms=%.1f",
                    method,
                    interaction,
                    exc.status,
                    type(exc).__name__,
                    (time.monotonic() - started) * 1000,
                )
                self._observe(RoundTrip(method, interaction, exc.status or 0, started, time.monotonic()))
                raise
            except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
                logger.warning(
                    "store %s %s failed error=%s duration_ms=%.1f",
                    method,
                    interaction,
                    type(exc).__name__,
                    (time.monotonic() - started) * 1000,
                )
                self._observe(RoundTrip(method, interaction, 0, started, time.monotonic()))
                raise StoreUnavailable(f"{interaction}: the store did not answer") from exc
            self._log(method, interaction, response, started)
            self._observe(RoundTrip(method, interaction, response.status_code, started, time.monotonic()))
            return Answer(
                response.status_code,
                response.headers.get("Content-Type", ""),
                data,
                response.headers.get("ETag", ""),
                self.clock(),
            )
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt_timeout(self) -> tuple[float, float] | Timeout:
        """What `requests` is given as the timeout of one call: the client's own, or within a page, those cut to
        what is left of the page's budget, on the page scope's clock."""
        current = scope.current()
        if current is None or current.deadline is None:
            return self.timeout
        return BudgetTimeout(*self.timeout, deadline=current.deadline, clock=current.clock)

    def _body_budget(self) -> float:
        left = scope.remaining()
        return self.timeout[1] if left is None else max(min(self.timeout[1], left), 0.001)

    def _observe(self, trip: RoundTrip) -> None:
        for observer in self.observers:
            observer(trip)

    def _log(
        self,
        method: str,
        interaction: str,
        response: requests.Response,
        started: float,
        *,
        retry_auth: bool = False,
    ) -> None:
        retries = getattr(response.raw, "retries", None)
        logger.info(
            "store %s %s status=%s retries=%d duration_ms=%.1f%s",
            method,
            interaction,
            response.status_code,
            len(retries.history) if retries is not None else 0,
            (time.monotonic() - started) * 1000,
            " auth=renewing" if retry_auth else "",
        )


# --- helpers ---------------------------------------------------------------------------------------------


def _check_type(resource_type: str) -> None:
    # A programming error, not a store error: resource types are constants of our code.
    if not _RESOURCE_TYPE.fullmatch(resource_type):
        raise ValueError("not a FHIR resource type")


def _read_body(response: requests.Response, max_bytes: int, budget: float, interaction: str) -> bytes:
    """Read a streamed body, at most `max_bytes` (error bodies: a small prefix), within `budget` seconds
    (a store that trickles bytes must not hold a page longer than one that hangs)."""
    is_ok = response.status_code == 200
    limit = max_bytes if is_ok else min(max_bytes, ERROR_BODY_BYTES)
    declared = response.headers.get("Content-Length", "")
    if is_ok and declared.isdigit() and int(declared) > limit:
        raise StoreDocumentTooLarge(f"{interaction}: larger than {limit} bytes", status=200)
    deadline = time.monotonic() + budget
    chunks: list[bytes] = []
    size = 0
    for chunk in _arriving_chunks(response, deadline):
        size += len(chunk)
        if size > limit:
            if is_ok:
                raise StoreDocumentTooLarge(f"{interaction}: larger than {limit} bytes", status=200)
            break
        chunks.append(chunk)
        if time.monotonic() > deadline:
            raise StoreUnavailable(f"{interaction}: the store is too slow to send its answer")
    return b"".join(chunks)


def _arriving_chunks(response: requests.Response, deadline: float) -> Iterator[bytes]:
    """The body as it arrives, one socket read at a time, each read waiting no later than `deadline`.

    `iter_content` waits for a whole chunk: a store trickling a byte a second would hold the page for hours.
    Reading what is there (`read1`) lets the caller check the deadline between reads."""
    raw = response.raw
    if not hasattr(raw, "read1"):  # not urllib3's response (a test double): the body is already here
        yield from response.iter_content(_CHUNK)
        return
    while True:
        connection = getattr(raw, "connection", None)
        sock = getattr(connection, "sock", None)
        if sock is not None:
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
        chunk = raw.read1(_CHUNK, decode_content=True)
        if not chunk:
            return
        yield chunk


def _entry_status(entry: object) -> int:
    """The status of one batch-response entry ("201 Created" → 201); 0 when it says none."""
    response = entry.get("response") if isinstance(entry, dict) else None
    status = str(response.get("status", "")) if isinstance(response, dict) else ""
    code = status.split(" ", 1)[0]
    return int(code) if code.isdigit() and len(code) == 3 else 0


def _parse_json(answer: Answer, interaction: str) -> dict[str, Any]:
    try:
        resource = json.loads(answer.body)
    except ValueError as exc:
        raise StoreInvalidResponse(f"{interaction}: the answer is not JSON", status=answer.status) from exc
    if not isinstance(resource, dict):
        raise StoreInvalidResponse(f"{interaction}: the answer is not a FHIR resource", status=answer.status)
    return resource


def _error_for(answer: Answer, interaction: str) -> StoreError:
    status = answer.status
    diagnostics = _diagnostics(answer)
    kind: type[StoreError]
    if status in (404, 410):
        kind, what = StoreNotFound, "not found"
    elif status in (401, 403):
        kind, what = StoreAuthError, "the store refused the portal's credentials"
    elif status == 429 or status >= 500:
        kind, what = StoreUnavailable, "the store is unavailable"
    elif 300 <= status < 400:
        kind, what = StoreInvalidResponse, "unexpected redirect"
    elif 400 <= status < 500:
        kind, what = StoreRejected, "the store rejected the request"
    else:
        kind, what = StoreInvalidResponse, "unexpected status"
    return kind(f"{interaction}: {what} ({status})", status=status, diagnostics=diagnostics)


def _matches(bundle: Mapping[str, Any], resource_type: str, interaction: str) -> list[dict[str, Any]]:
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise StoreInvalidResponse(f"{interaction}: Bundle.entry is not a list")
    found: list[dict[str, Any]] = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise StoreInvalidResponse(f"{interaction}: Bundle.entry is not an object")
        search = entry.get("search")
        # `search.mode` is optional in FHIR; without it an entry is a match (includes and outcomes say so).
        mode = search.get("mode", "match") if isinstance(search, dict) else "match"
        if mode != "match":
            continue
        resource = entry.get("resource")
        if not isinstance(resource, dict):
            raise StoreInvalidResponse(f"{interaction}: Bundle.entry.resource is missing")
        if resource.get("resourceType") != resource_type:
            raise StoreInvalidResponse(f"{interaction}: a match is not a {resource_type}")
        found.append(resource)
    return found


def _next_link(bundle: Mapping[str, Any], interaction: str) -> str | None:
    links = bundle.get("link") or []
    if not isinstance(links, list):
        raise StoreInvalidResponse(f"{interaction}: Bundle.link is not a list")
    for link in links:
        if isinstance(link, dict) and link.get("relation") == "next":
            url = link.get("url")
            if not isinstance(url, str) or not url:
                raise StoreInvalidResponse(f"{interaction}: Bundle.link.url is missing")
            return url
    return None


def _decode_binary_resource(resource: Mapping[str, Any], max_bytes: int) -> BinaryContent:
    content_type = resource.get("contentType")
    data = resource.get("data")
    if not isinstance(content_type, str) or not content_type:
        raise StoreInvalidResponse("read Binary: Binary.contentType is missing")
    if not isinstance(data, str):
        raise StoreInvalidResponse("read Binary: Binary.data is missing")
    if len(data) * 3 // 4 > max_bytes + 3:
        raise StoreDocumentTooLarge(f"read Binary: larger than {max_bytes} bytes", status=200)
    try:
        decoded = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise StoreInvalidResponse("read Binary: Binary.data is not base64") from exc
    if len(decoded) > max_bytes:
        raise StoreDocumentTooLarge(f"read Binary: larger than {max_bytes} bytes", status=200)
    return BinaryContent(content_type, decoded)
