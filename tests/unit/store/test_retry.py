"""Waits between attempts, pinned on a real loopback socket (`responses` skips urllib3's sleeps).

The client is given a `sleep` that notes each wait instead of sleeping, and a hanging store holds its answer until
the test ends: what is checked is which waits and timeouts the client chose, never how long anything took."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import urllib3

from portal.store import FhirClient, StoreUnavailable
from portal.store.client import DEFAULT_CONNECT_TIMEOUT, CappedRetry
from tests.unit.conftest import timeouts_given
from tests.unit.store.conftest import fixture_json

Scripted = tuple[int, dict[str, str], bytes]


class ScriptedStore(ThreadingHTTPServer):
    """A one-route store on 127.0.0.1 answering from a list; `hang` makes it hold its answer until `release`."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script: list[Scripted] = []
        self.requests: list[str] = []
        self.hang = threading.Event()
        self.release = threading.Event()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the client gave up on a hanging answer: writing it fails, as it should

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/fhir"


class _Handler(BaseHTTPRequestHandler):
    server: ScriptedStore

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        if self.server.hang.is_set():
            self.server.release.wait(timeout=WAIT)
        status, headers, body = self.server.script.pop(0)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def store() -> Iterator[ScriptedStore]:
    server = ScriptedStore()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=WAIT)


#: The longest the hanging store holds an answer: far past any read timeout below, so only a timeout ends a call.
WAIT = 30.0


@pytest.fixture
def sleeps() -> list[float]:
    """Every wait between attempts, recorded instead of slept: give `sleep=sleeps.append` to the client."""
    return []


CAPABILITIES = (
    200,
    {"Content-Type": "application/fhir+json"},
    json.dumps(fixture_json("capability_statement.json")).encode(),
)
UNAVAILABLE = {"Content-Type": "application/fhir+json"}


def test_retry_after_of_an_hour_is_capped(store: ScriptedStore, sleeps: list[float]) -> None:
    store.script = [(503, {**UNAVAILABLE, "Retry-After": "3600"}, b"{}"), CAPABILITIES]

    with FhirClient(store.base, sleep=sleeps.append) as client:
        client.ping()

    assert sleeps == [2.0]
    assert len(store.requests) == 2


def test_retry_after_as_an_http_date_is_capped_too(store: ScriptedStore, sleeps: list[float]) -> None:
    store.script = [(429, {**UNAVAILABLE, "Retry-After": "Wed, 21 Oct 2105 07:28:00 GMT"}, b"{}"), CAPABILITIES]

    with FhirClient(store.base, max_retry_wait=0.5, sleep=sleeps.append) as client:
        client.ping()

    assert sleeps == [0.5]


def test_backoff_grows_and_stays_under_the_cap(store: ScriptedStore, sleeps: list[float]) -> None:
    store.script = [(502, UNAVAILABLE, b"{}")] * 4

    with (
        FhirClient(store.base, retries=3, backoff_factor=0.75, sleep=sleeps.append) as client,
        pytest.raises(StoreUnavailable),
    ):
        client.ping()

    # urllib3: no wait before the first retry, then factor × 2^(n-1), never above the 2 s cap.
    assert sleeps == [1.5, 2.0]
    assert len(store.requests) == 4


def test_a_hanging_store_fails_within_the_read_timeout_and_is_not_retried(
    store: ScriptedStore, sleeps: list[float]
) -> None:
    store.hang.set()  # the answer is held until the test ends: only the read timeout can end the call
    store.script = [CAPABILITIES]

    with FhirClient(store.base, read_timeout=0.2, sleep=sleeps.append) as client:
        timeouts = timeouts_given(client.session)
        with pytest.raises(StoreUnavailable):
            client.ping()

    assert timeouts == [(DEFAULT_CONNECT_TIMEOUT, 0.2)]  # the read timeout went with the one request
    assert len(store.requests) == 1 and sleeps == []  # and a read that timed out is not tried again


def test_a_refused_connection_is_store_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nobody listens here once the socket closes

    with FhirClient(f"http://127.0.0.1:{port}/fhir") as client, pytest.raises(StoreUnavailable):
        client.ping()


def test_capped_retry_keeps_its_cap_across_attempts() -> None:
    policy = CappedRetry(total=2, status_forcelist={503}, max_wait=1.0)
    response = urllib3.HTTPResponse(status=503, headers={"Retry-After": "3600"})

    later = policy.increment(method="GET", url="/fhir/metadata", response=response)

    assert isinstance(later, CappedRetry)
    assert later.get_retry_after(response) == 1.0


def test_a_malformed_retry_after_falls_back_to_backoff() -> None:
    policy = CappedRetry(total=2, status_forcelist={503})
    response = urllib3.HTTPResponse(status=503, headers={"Retry-After": "soon, promise"})

    assert policy.get_retry_after(response) is None
