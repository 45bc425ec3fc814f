"""How the portal talks to a store over HTTP: one `requests.Session`, a timeout on every call cut to the page's
budget, retries for GET only (429/502/503/504, capped `Retry-After`), a renewed token after a 401, bodies read
within the budget and a size limit, and every failure mapped to a typed `StoreError`."""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, NamedTuple, Self
from urllib.parse import urlsplit

import requests
import urllib3.exceptions
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry
from urllib3.util.timeout import Timeout

from portal.store import scope, watchdog
from portal.store.auth import ClientCredentialsToken, StoreAuth
from portal.store.cache import Answer
from portal.store.errors import (
    StoreAuthError,
    StoreDocumentTooLarge,
    StoreError,
    StoreInvalidResponse,
    StoreNotFound,
    StoreRejected,
    StoreUnavailable,
)

if TYPE_CHECKING:  # the return type of `merge_environment_settings`: a name of requests' type stubs only
    from requests.sessions import _Settings  # (types-requests); requests itself has no such name at run time

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

_CHUNK = 64 * 1024
# Within a page's budget, a retry is worth it only if its wait leaves the next attempt this much time.
MIN_ATTEMPT_SECONDS = 0.25


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
        return None if wait is None else min(wait, self.max_wait, budget_for_wait())

    def get_backoff_time(self) -> float:
        return min(super().get_backoff_time(), budget_for_wait())

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        # Within a page (portal.store.scope), a retry that cannot answer before the deadline only delays it.
        left = scope.remaining()
        if left is not None and left < 2 * MIN_ATTEMPT_SECONDS:
            return False
        return super().is_retry(method, status_code, has_retry_after)


def budget_for_wait() -> float:
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


class StoreSession(requests.Session):
    """A requests session that reads the environment once, when it is made, rather than at every request.

    requests reads `os.environ` at each request to find proxies (`https_proxy`, `no_proxy`…) and a CA bundle
    (`REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE`). The access trail's thread and the store-ahead pool send requests while
    other threads run; a change to the environment at that moment (pytest's own `PYTEST_CURRENT_TEST`, between
    two phases of a test) made the read raise `KeyError`, which ended the access trail's thread (it now outlives
    any error, `portal.access.trail`). Here the proxies and the bundle are read from the environment of the process
    when the app is made, and apply as requests applies them (a proxy per scheme unless `no_proxy` names the host;
    the bundle unless a request or the store's settings name one: `PORTAL_STORE_CA_FILE` wins over
    `REQUESTS_CA_BUNDLE`, which requests would let override it). A `.netrc` is not read: the store's credentials
    are the `PORTAL_STORE_*` settings."""

    def __init__(self) -> None:
        super().__init__()
        self.trust_env = False
        self._environment_proxies = urllib.request.getproxies_environment()
        self._environment_bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        self._proxies_by_origin: dict[tuple[str, str], dict[str, str]] = {}

    def proxies_for(self, url: str) -> dict[str, str]:
        """The environment's proxies for `url` as read when the session was made: none when `no_proxy` names its
        host (with or without its port)."""
        parts = urlsplit(url)
        origin = (parts.scheme, parts.netloc)
        found = self._proxies_by_origin.get(origin)
        if found is None:
            proxies = self._environment_proxies
            bypass = _bypassed((parts.hostname or "").lower(), parts.port, proxies.get("no", ""))
            found = self._proxies_by_origin[origin] = {} if bypass else dict(proxies)
        return found

    def merge_environment_settings(
        self,
        url: str | bytes | None,
        proxies: MutableMapping[str, str] | None,
        stream: bool | None,
        verify: bool | str | None,
        cert: str | tuple[str, str] | None,
    ) -> _Settings:
        merged = dict(proxies or {})
        for scheme, proxy in self.proxies_for(url.decode() if isinstance(url, bytes) else url or "").items():
            merged.setdefault(scheme, proxy)
        # The environment's bundle only where neither the request nor the session names one: requests would let it
        # override `PORTAL_STORE_CA_FILE` (set as the session's `verify` by `StoreAuth.configure`).
        if (verify is True or verify is None) and self.verify is True and self._environment_bundle:
            verify = self._environment_bundle
        return super().merge_environment_settings(url, merged, stream, verify, cert)


def _bypassed(host: str, port: int | None, no_proxy: str) -> bool:
    """Whether `no_proxy` (comma-separated entries, `*` for all) names this host, a domain above it, the host with
    its port, or, for an IP address, a network holding it (`10.0.0.0/8`): as requests reads it, IPv6 networks
    included (requests compares only IPv4 addresses with them)."""
    if no_proxy.strip() == "*":
        return True
    address = _ip_address(host)
    for entry in no_proxy.split(","):
        name = entry.strip().lstrip(".").lower()
        if not name:
            continue
        if host == name or host.endswith("." + name) or (port is not None and f"{host}:{port}" == name):
            return True
        if address is not None and "/" in name:
            try:
                if address in ipaddress.ip_network(name, strict=False):
                    return True
            except ValueError:
                continue  # not a network: a name, compared above
    return False


def _ip_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


class Transport:
    """The HTTP side of one store client: its session, credentials, timeouts and observers."""

    def __init__(
        self,
        auth: StoreAuth,
        *,
        timeout: tuple[float, float],
        retries: int,
        backoff_factor: float,
        max_retry_wait: float,
        user_agent: str,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        self.timeout = timeout
        #: Wall-clock seconds: when an answer was fetched.
        self.clock = clock
        self.session: requests.Session = StoreSession()
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
        watchdog.mount(self.session, watchdog.WatchedAdapter(max_retries=retry))
        auth.configure(self.session)
        self.token = (
            ClientCredentialsToken(auth, self.session, timeout=timeout) if auth.kind == "client_credentials" else None
        )
        #: Called after every answer from the store (benchmarks count round trips with it).
        self.observers: list[Callable[[RoundTrip], None]] = []

    def exchange(
        self,
        method: str,
        url: str,
        *,
        interaction: str,
        accept: str,
        max_bytes: int,
        body: Mapping[str, Any] | None = None,
        etag: str = "",
        timeout: float | None = None,
    ) -> Answer:
        """One call, its answer read whole (any status). A GET gets one more try after a 401 (the token may have
        been revoked before its announced expiry); a POST is tried once, within `timeout` seconds."""
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        data = None
        if body is not None:
            headers["Content-Type"] = FHIR_JSON
            data = json.dumps(body, separators=(",", ":")).encode()
        attempts = (1, 2) if method == "GET" else (1,)
        for attempt in attempts:
            token = self.token.bearer() if self.token else None
            if token:
                headers["Authorization"] = f"Bearer {token}"
            started = time.monotonic()
            try:
                response = self.session.request(
                    method,
                    url,
                    data=data,
                    headers=headers,
                    # requests hands a urllib3 Timeout to the adapter as is (HTTPAdapter.send documents it).
                    timeout=self._attempt_timeout(timeout),  # type: ignore[arg-type]
                    stream=True,
                    allow_redirects=False,
                )
                with response:
                    if response.status_code == 401 and self.token and token and attempt < len(attempts):
                        self._log(method, interaction, response, started, retry_auth=True)
                        self.token.invalidate(token)
                        continue
                    content = read_body(response, max_bytes, self._body_budget(timeout), interaction)
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
                content,
                response.headers.get("ETag", ""),
                self.clock(),
            )
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt_timeout(self, limit: float | None) -> tuple[float, float] | Timeout:
        """What `requests` is given as the timeout of one call: the client's own (or the caller's `limit`), or
        within a page, those cut to what is left of the page's budget, on the page scope's clock."""
        connect, read = self.timeout if limit is None else (min(limit, self.timeout[0]), limit)
        current = scope.current()
        if current is None or current.deadline is None:
            return connect, read
        return BudgetTimeout(connect, read, deadline=current.deadline, clock=current.clock)

    def _body_budget(self, limit: float | None) -> float:
        read = self.timeout[1] if limit is None else limit
        left = scope.remaining()
        return read if left is None else max(min(read, left), 0.001)

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


def outcome_text(answer: Answer) -> str | None:
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


def is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media in (FHIR_JSON, "application/json")


def read_body(response: requests.Response, max_bytes: int, budget: float, interaction: str) -> bytes:
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
    for chunk in arriving_chunks(response, deadline):
        size += len(chunk)
        if size > limit:
            if is_ok:
                raise StoreDocumentTooLarge(f"{interaction}: larger than {limit} bytes", status=200)
            break
        chunks.append(chunk)
        if time.monotonic() > deadline:
            raise StoreUnavailable(f"{interaction}: the store is too slow to send its answer")
    return b"".join(chunks)


def arriving_chunks(response: requests.Response, deadline: float) -> Iterator[bytes]:
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


def parse_json(answer: Answer, interaction: str) -> dict[str, Any]:
    try:
        resource = json.loads(answer.body)
    except ValueError as exc:
        raise StoreInvalidResponse(f"{interaction}: the answer is not JSON", status=answer.status) from exc
    if not isinstance(resource, dict):
        raise StoreInvalidResponse(f"{interaction}: the answer is not a FHIR resource", status=answer.status)
    return resource


def error_for(answer: Answer, interaction: str) -> StoreError:
    status = answer.status
    diagnostics = outcome_text(answer)
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
