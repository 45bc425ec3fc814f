"""A page answers within its time budget whatever the store does on a real socket: hangs, answers slowly call
after call, trickles its bytes, cuts its answer short, asks to retry later, or refuses the connection."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import responses

from portal.store import FhirClient, StoreUnavailable
from portal.store.scope import BudgetSpent, page_scope
from tests.unit.conftest import FakeProvider
from tests.unit.hostile.pages import ACCESS_UNAVAILABLE_FR, UNAVAILABLE_FR, h1, portal, readable, signed_in_client
from tests.unit.test_pages import PATIENT, searchset

BUDGET = 1.0
#: What the test allows above the budget: rendering the page and the test client's own work.
SLACK = 0.75
PATIENT_SEARCH = json.dumps(searchset(PATIENT)).encode()


class HostileStore(ThreadingHTTPServer):
    """A store on 127.0.0.1 that misbehaves as `mode` says, for every request."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mode = "hang"
        self.requests = 0
        self.stop = threading.Event()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the portal gave up and closed the socket: exactly what it should do

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/fhir"


class _Handler(BaseHTTPRequestHandler):
    server: HostileStore
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.server.requests += 1
        mode = self.server.mode
        if mode == "hang":
            self.server.stop.wait(10)
            return
        if mode == "slow":
            # Each answer alone fits in the budget; two one after the other do not.
            self.server.stop.wait(0.6)
            self._answer(200, PATIENT_SEARCH)
        elif mode == "trickle":
            self.send_response(200)
            self.send_header("Content-Type", "application/fhir+json")
            self.send_header("Content-Length", str(len(PATIENT_SEARCH)))
            self.end_headers()
            for byte in PATIENT_SEARCH:
                if self.server.stop.wait(0.2):
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
        elif mode == "truncated":
            self.send_response(200)
            self.send_header("Content-Type", "application/fhir+json")
            self.send_header("Content-Length", str(len(PATIENT_SEARCH)))
            self.end_headers()
            self.wfile.write(PATIENT_SEARCH[:40])
            self.wfile.flush()
            self.close_connection = True
        elif mode == "retry later":
            self._answer(503, b"{}", {"Retry-After": "1"})

    def _answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/fhir+json")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def store() -> Iterator[HostileStore]:
    server = HostileStore()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def timed_page(provider: FakeProvider, store_url: str, **env: str) -> tuple[object, float]:
    provider.mock.add_passthru(store_url.rsplit("/fhir", 1)[0])
    app = portal(
        PORTAL_STORE_URL=store_url,
        PORTAL_PAGE_TIME_BUDGET=str(BUDGET),
        PORTAL_STORE_READ_TIMEOUT="5",
        PORTAL_STORE_RETRIES="2",
        PORTAL_STORE_CACHE_TTL="0",
        **env,
    )
    client = signed_in_client(app, provider)
    started = time.monotonic()
    page = client.get("/")
    return page, time.monotonic() - started


@pytest.mark.parametrize("mode", ["hang", "slow", "trickle", "truncated", "retry later"])
def test_the_page_answers_within_its_budget(
    provider: FakeProvider, mock: responses.RequestsMock, store: HostileStore, mode: str
) -> None:
    store.mode = mode
    page, elapsed = timed_page(provider, store.base)
    assert elapsed < BUDGET + SLACK, f"{mode}: {elapsed:.2f} s"
    assert page.status_code == 503  # type: ignore[attr-defined]
    # The Patient search comes first and decides whose plan it is: when it is what fails, access fails closed.
    assert h1(readable(page)) == (UNAVAILABLE_FR if mode == "slow" else ACCESS_UNAVAILABLE_FR)


def test_a_refused_connection_answers_at_once(provider: FakeProvider, mock: responses.RequestsMock) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    page, elapsed = timed_page(provider, f"http://127.0.0.1:{port}/fhir")
    assert page.status_code == 503  # type: ignore[attr-defined]
    assert elapsed < BUDGET


def test_sequential_calls_share_one_deadline(store: HostileStore) -> None:
    store.mode = "slow"
    with FhirClient(store.base, read_timeout=5, cache_ttl=0) as client:
        started = time.monotonic()
        with page_scope(1.0):
            client.search("Patient", {"identifier": "a|1"})  # 0.6 s: fits
            with pytest.raises(StoreUnavailable):
                client.search("Patient", {"identifier": "a|2"})  # cut at the deadline, 0.4 s later
            with pytest.raises(BudgetSpent):
                client.search("Patient", {"identifier": "a|3"})  # nothing left: not even sent
        assert time.monotonic() - started < 1.0 + 0.3
    assert store.requests == 2


def test_retries_stop_when_the_budget_cannot_hold_another_attempt(store: HostileStore) -> None:
    store.mode = "retry later"
    with FhirClient(store.base, retries=5, cache_ttl=0) as client:
        started = time.monotonic()
        with page_scope(0.6), pytest.raises(StoreUnavailable):
            client.ping()
        assert time.monotonic() - started < 0.6 + 0.2
    assert store.requests <= 2


def test_the_default_budget_is_five_seconds() -> None:
    assert portal().extensions["portal.settings"].page_time_budget == 5.0
