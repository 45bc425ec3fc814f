"""The watchdog that holds an answer's headers to one read timeout in all: a socket still waiting at its deadline
is shut down and the call fails as a read timeout; one that got its headers in time is left alone.

Deadlines here are either already past (0 s: the thread cuts at once) or far beyond any wait of the test, so no
test depends on how fast the machine is. What a page and a sign-in do with a store or a provider that trickles its
headers: tests/unit/hostile/test_time_budget.py and tests/unit/security/test_slow_providers.py."""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from portal.store import watchdog
from tests.unit.hostile.stores import TRICKLE_PAUSE, HostileStore, bounded, hostile_store

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


def self_signed(folder: Path) -> Path:
    """A certificate for 127.0.0.1, its own authority, and its key, in one PEM file."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Faux magasin de test")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    path = folder / "store.pem"
    path.write_bytes(
        certificate.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return path


def test_over_tls_too_a_call_whose_headers_trickle_fails_as_a_read_timeout_and_is_cut(
    slow_headers: HostileStore, tmp_path: Path
) -> None:
    """The stores and the providers are reached over TLS: the socket cut is then a TLS socket's."""
    pem = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(pem)
    slow_headers.socket = context.wrap_socket(slow_headers.socket, server_side=True)
    url = slow_headers.base.replace("http://", "https://") + "/metadata"
    with watchdog.watched_session() as http, pytest.raises(requests.ReadTimeout):
        http.get(url, timeout=(WAIT, 0.5), verify=str(pem))
    assert slow_headers.wait_for_cuts(1, WAIT)


class SlowHandshake:
    """A TLS server on 127.0.0.1 that sends its side of the handshake a byte every TRICKLE_PAUSE: each read of the
    client gets a byte in time, and the handshake would take minutes. `cut` is set once the client closed."""

    def __init__(self, pem: Path) -> None:
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(pem)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.stop = threading.Event()
        self.cut = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.listener.accept()
        with conn:
            conn.settimeout(WAIT)
            incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
            tls = self.context.wrap_bio(incoming, outgoing, server_side=True)
            while not outgoing.pending:  # the whole ClientHello, then the server's first flight
                incoming.write(conn.recv(65536))
                with contextlib.suppress(ssl.SSLWantReadError):  # more of the ClientHello to come
                    tls.do_handshake()
            for byte in outgoing.read():
                if self.stop.wait(TRICKLE_PAUSE):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:  # the client closed the connection: it gave up
                    self.cut.set()
                    return

    def close(self) -> None:
        self.stop.set()
        self.listener.close()
        self.thread.join(WAIT)


def test_a_tls_handshake_that_trickles_fails_within_the_connect_timeout_and_is_cut(tmp_path: Path) -> None:
    """Not the watchdog's doing: Python's ssl holds the whole handshake to the socket's timeout (the connect
    timeout, then). Kept as a guard, since the watchdog leaves the handshake to it."""
    pem = self_signed(tmp_path)
    server = SlowHandshake(pem)
    try:
        with watchdog.watched_session() as http, pytest.raises(requests.ReadTimeout):
            bounded(lambda: http.get(f"https://127.0.0.1:{server.port}/fhir", timeout=(0.5, WAIT), verify=pem), WAIT)
        assert server.cut.wait(WAIT)
    finally:
        server.close()


def test_both_schemes_and_http_proxies_get_watched_connections() -> None:
    adapter = watchdog.WatchedAdapter()
    https = adapter.poolmanager.connection_from_url("https://store.test/fhir")
    http = adapter.poolmanager.connection_from_url("http://store.test/fhir")
    proxied = adapter.proxy_manager_for("http://proxy.test:3128").connection_from_url("https://store.test/fhir")
    assert issubclass(https.ConnectionCls, watchdog._WatchedHTTPSConnection)
    assert issubclass(http.ConnectionCls, watchdog._WatchedHTTPConnection)
    assert issubclass(proxied.ConnectionCls, watchdog._WatchedHTTPSConnection)


class Clock:
    """Monotonic seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_forked_process_forgets_the_parents_watches(pair: tuple[socket.socket, socket.socket]) -> None:
    """A child shares the parent's sockets: cutting one whose call the parent has ended since would cut the parent's
    kept-alive connection. Here the fork is played in one process: the parent's thread stops (a child has none)."""
    ours, theirs = pair
    clock = Clock()
    dog = watchdog.Watchdog(clock)
    child_side, other = socket.socketpair()
    with child_side, other, dog.watching(ours, 10.0):  # the parent's call, waiting at the fork
        assert dog.stop(WAIT)
        dog.after_fork()
        clock.now = 100.0  # past the parent's deadline: a watchdog that kept its watch would cut it first
        with pytest.raises(watchdog.HeadersTooSlow), dog.watching(child_side, 0.0):
            child_side.recv(64)  # ends once the child's own watchdog cut it
        assert dog.stop(WAIT)
        theirs.sendall(b"x")
        assert ours.recv(1) == b"x"  # the parent's socket was never cut
