"""The watchdog that holds an answer's headers to one read timeout in all: a socket still waiting at its deadline
is shut down and the call fails as a read timeout; one that got its headers in time is left alone.

Deadlines here are either already past (0 s: the thread cuts at once) or far beyond any wait of the test, so no
test depends on how fast the machine is. What a page and a sign-in do with a store or a provider that trickles its
headers: tests/unit/hostile/test_time_budget.py and tests/unit/security/test_slow_providers.py."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
import requests

from portal.store import watchdog
from tests.unit.hostile.stores import HostileStore, hostile_store

#: Far beyond any wait of these tests: a watch with this deadline is never reached.
FAR = 3600.0
#: The longest a test waits for the store to see a request cut (a bound, never a pause).
WAIT = 30.0


@pytest.fixture
def dog() -> Iterator[watchdog.Watchdog]:
    """A watchdog of the test's own, whose thread ends with the test."""
    own = watchdog.Watchdog()
    yield own
    assert own.stop(WAIT)


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    ours, theirs = socket.socketpair()
    with ours, theirs:
        ours.settimeout(WAIT)
        yield ours, theirs


def test_a_socket_that_got_its_answer_in_time_is_left_alone(
    dog: watchdog.Watchdog, pair: tuple[socket.socket, socket.socket]
) -> None:
    ours, theirs = pair
    with dog.watching(ours, FAR):
        theirs.sendall(b"HTTP/1.1 200 OK\r\n")
        assert ours.recv(64) == b"HTTP/1.1 200 OK\r\n"
    theirs.sendall(b"still open")
    assert ours.recv(64) == b"still open"


def test_a_socket_still_waiting_at_its_deadline_is_shut_down_and_the_block_says_why(
    dog: watchdog.Watchdog, pair: tuple[socket.socket, socket.socket]
) -> None:
    ours, _ = pair
    with pytest.raises(watchdog.HeadersTooSlow, match="no whole headers within 0 s"), dog.watching(ours, 0.0):
        # Nothing was sent: only the watchdog can end this read (the socket's own timeout is WAIT).
        assert ours.recv(64) == b""  # shut down: the end of the stream, which http.client may take for headers
    assert isinstance(watchdog.HeadersTooSlow(), TimeoutError)  # urllib3 makes it a read timeout


def test_an_error_after_the_cut_is_told_as_the_cut(
    dog: watchdog.Watchdog, pair: tuple[socket.socket, socket.socket]
) -> None:
    ours, _ = pair

    def read_headers() -> None:
        with dog.watching(ours, 0.0):
            ours.recv(64)
            raise ConnectionResetError("what http.client says of a connection that ended")

    with pytest.raises(watchdog.HeadersTooSlow) as raised:
        read_headers()
    assert isinstance(raised.value.__cause__, ConnectionResetError)


def test_an_error_of_its_own_goes_through_unchanged(
    dog: watchdog.Watchdog, pair: tuple[socket.socket, socket.socket]
) -> None:
    ours, theirs = pair
    with pytest.raises(ConnectionResetError, match="the server's own"), dog.watching(ours, FAR):
        raise ConnectionResetError("the server's own")
    theirs.sendall(b"x")
    assert ours.recv(1) == b"x"  # not cut


@pytest.fixture
def slow_headers() -> Iterator[HostileStore]:
    with hostile_store() as server:
        server.mode = "trickle headers"
        yield server


def test_a_call_whose_headers_trickle_fails_as_a_read_timeout_and_is_cut(slow_headers: HostileStore) -> None:
    with watchdog.watched_session() as http, pytest.raises(requests.ReadTimeout):
        # Each byte comes within the read timeout; before, the call waited for the whole head (minutes).
        http.get(slow_headers.base + "/metadata", timeout=(WAIT, 0.5))
    assert slow_headers.wait_for_cuts(1, WAIT)


def test_both_schemes_and_http_proxies_get_watched_connections() -> None:
    adapter = watchdog.WatchedAdapter()
    https = adapter.poolmanager.connection_from_url("https://store.test/fhir")
    http = adapter.poolmanager.connection_from_url("http://store.test/fhir")
    proxied = adapter.proxy_manager_for("http://proxy.test:3128").connection_from_url("https://store.test/fhir")
    assert issubclass(https.ConnectionCls, watchdog._WatchedHTTPSConnection)
    assert issubclass(http.ConnectionCls, watchdog._WatchedHTTPConnection)
    assert issubclass(proxied.ConnectionCls, watchdog._WatchedHTTPSConnection)
