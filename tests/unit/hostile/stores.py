"""A store on a real loopback socket that misbehaves in one chosen way, for every request: the unit tests of the
page budget (tests/unit/hostile/test_time_budget.py) check what the portal does with it, and `make bench`
(bench/hostile.py) times it. Nothing here sleeps to make time pass for a test: a hanging answer is held until the
portal gives up (which the store notes as a cut) or the test ends."""

from __future__ import annotations

import json
import select
import socket
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TypeVar

import pytest

from tests.unit.fhir import PATIENT, searchset

PATIENT_SEARCH = json.dumps(searchset(PATIENT)).encode()
#: The modes of HostileStore that a page meets.
MODES = ("hang", "slow", "trickle", "trickle headers", "truncated", "retry later")
#: How long "slow" takes to answer each request: each answer alone fits in a one-second budget, two do not.
SLOW_ANSWER = 0.6
#: The pause between two bytes of "trickle" and "trickle headers": their whole answer would take minutes.
TRICKLE_PAUSE = 0.2
#: What "trickle headers" sends, a byte at a time: a status line, then a header of 2,000 letters.
TRICKLED_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/fhir+json\r\nX-Padding: " + b"a" * 2000 + b"\r\n\r\n"


class HostileStore(ThreadingHTTPServer):
    """A store on 127.0.0.1 that misbehaves as `mode` says, for every request; `cuts` counts the requests the
    client gave up on (closed the connection) while the store still held the answer."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mode = "hang"
        #: For "slow on the clock": the test's clock, which each answer moves by SLOW_ANSWER, and the deadline
        #: past which an answer would come too late (the store then holds it, as a timed-out socket never sees it).
        self.clock: Callable[[], float] | None = None
        self.advance: Callable[[float], None] | None = None
        self.deadline = float("inf")
        self.requests = 0
        self.cuts = 0
        self.stop = threading.Event()
        self._changed = threading.Condition()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the portal gave up and closed the socket: exactly what it should do

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/fhir"

    def note_cut(self) -> None:
        with self._changed:
            self.cuts += 1
            self._changed.notify_all()

    def wait_for_cuts(self, count: int, timeout: float) -> bool:
        """Wait until the client has cut `count` requests in all (a bound on the wait, never a pause)."""
        with self._changed:
            return self._changed.wait_for(lambda: self.cuts >= count, timeout)


class _Handler(BaseHTTPRequestHandler):
    server: HostileStore
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        with self.server._changed:
            self.server.requests += 1
        mode = self.server.mode
        if mode == "hang":
            self._hold()
        elif mode == "slow":
            if not self.server.stop.wait(SLOW_ANSWER):
                self._answer(200, PATIENT_SEARCH)
        elif mode == "slow on the clock":
            assert self.server.clock is not None and self.server.advance is not None
            self.server.advance(SLOW_ANSWER)
            if self.server.clock() > self.server.deadline:
                self._hold()
            else:
                self._answer(200, PATIENT_SEARCH)
        elif mode == "trickle":
            self.send_response(200)
            self.send_header("Content-Type", "application/fhir+json")
            self.send_header("Content-Length", str(len(PATIENT_SEARCH)))
            self.end_headers()
            self._trickle(PATIENT_SEARCH)
        elif mode == "trickle headers":
            # Every read from the socket gets a byte within its timeout, and the headers never end (for minutes).
            self.close_connection = True  # no length: were the head ever whole, the body would end with the connection
            self._trickle(TRICKLED_HEAD)
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

    # A provider's token endpoint (tests.unit.security.test_slow_providers) is asked with a POST: same answers.
    do_POST = do_GET

    def _trickle(self, data: bytes) -> None:
        """Send `data` a byte every TRICKLE_PAUSE, until the portal closes the connection (a cut) or the test ends."""
        for byte in data:
            if self.server.stop.wait(TRICKLE_PAUSE):
                return
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:  # the portal closed the connection: it gave up on the answer
                self.server.note_cut()
                self.close_connection = True
                return

    def _hold(self) -> None:
        """Never answer: hold the request until the client closes the connection (a cut) or the test ends."""
        self.close_connection = True
        while not self.server.stop.is_set():
            readable, _, _ = select.select([self.connection], [], [], 0.05)
            if not readable:
                continue
            try:
                closed = not self.connection.recv(1, socket.MSG_PEEK)
            except OSError:
                closed = True
            if closed:
                self.server.note_cut()
                return

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


@contextmanager
def hostile_store() -> Iterator[HostileStore]:
    server = HostileStore()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=30)


T = TypeVar("T")


def bounded(call: Callable[[], T], wait: float) -> T:
    """`call()`, failing the test when it has not returned after `wait` seconds: it waits for a whole trickle."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="test-bounded")
    try:
        return pool.submit(call).result(timeout=wait)
    except FutureTimeout:
        pytest.fail(f"still waiting after {wait:.0f} s: a server trickling its bytes holds the portal")
    finally:
        pool.shutdown(wait=False)
