"""An answer's status line and headers within one read timeout in all, however slowly the server sends them.

A read timeout bounds each read from the socket, so a server sending its headers a byte at a time, each byte before
the timeout, held the call as long as it liked (a trial: 22 s for a one-second timeout, and no end if the headers
never end). The bodies are bounded already (`transport.arriving_chunks`, `portal.auth.answers`); the headers are
read by http.client, out of reach. So `WatchedAdapter` gives requests connections that, while they wait for the
headers, are watched by one thread of the process: at the deadline it shuts the socket down, and the call fails as a
read timeout, like a server that said nothing at all.

Used by the store's session (`transport.Transport`) and every call to an identity provider (`portal.auth.oidc`).
A TLS handshake needs no watch: Python's ssl holds the whole handshake to the socket's timeout (the connect
timeout then; tests/unit/store/test_watchdog.py keeps a guard). An HTTP proxy's answer to CONNECT is not watched."""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.poolmanager import PoolManager, ProxyManager
from urllib3.response import BaseHTTPResponse

__all__ = ["HeadersTooSlow", "WatchedAdapter", "mount", "watched_session"]


class HeadersTooSlow(TimeoutError):
    """The server had not sent the whole status line and headers at the deadline (urllib3 makes it a read timeout:
    requests' `ReadTimeout`)."""


class _Watch:
    __slots__ = ("cut", "deadline", "done", "sock")

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock = sock
        self.deadline = deadline
        self.done = False
        self.cut = False


class Watchdog:
    """One thread that shuts down the sockets still waiting at their deadline (started on first use, and again in
    a process forked from one that had it: gunicorn's workers, see `after_fork`)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._changed = threading.Condition()
        self._heap: list[tuple[float, int, _Watch]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        self._stopping = False

    @contextlib.contextmanager
    def watching(self, sock: socket.socket, seconds: float) -> Iterator[None]:
        """Shut `sock` down if the block has not ended within `seconds`; the block then raises `HeadersTooSlow`,
        whatever the shut-down socket made it do (http.client may even take the end of the stream for the end of
        the headers and return)."""
        watch = _Watch(sock, self._clock() + seconds)
        with self._changed:
            earliest = not self._heap or watch.deadline < self._heap[0][0]
            heapq.heappush(self._heap, (watch.deadline, next(self._order), watch))
            self._start()
            if earliest:  # the thread sleeps until the earliest deadline: only an earlier one needs to wake it
                self._changed.notify()
        try:
            yield
        except Exception as exc:
            if self._end(watch):
                raise HeadersTooSlow(f"no whole headers within {seconds:g} s") from exc
            raise
        if self._end(watch):
            raise HeadersTooSlow(f"no whole headers within {seconds:g} s")

    def _end(self, watch: _Watch) -> bool:
        """Let the thread know the watch is over; whether it had cut the socket first."""
        with self._changed:
            watch.done = True
            return watch.cut

    def stop(self, timeout: float = 5.0) -> bool:
        """End the thread (the tests' watchdogs); the watches it still holds are never cut. True once it ended."""
        with self._changed:
            self._stopping = True
            self._changed.notify()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return thread is None or not thread.is_alive()

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="portal-socket-watchdog", daemon=True)
            self._thread.start()

    def after_fork(self) -> None:
        """In a forked process (gunicorn's workers): no thread, a new lock (the parent's may have been held at the
        fork) and none of the parent's watches, whose sockets the child shares: a watch the parent has ended
        would still look open here, and cutting its socket would cut the parent's connection."""
        self._changed = threading.Condition()
        self._heap = []
        self._thread = None
        self._stopping = False

    def _run(self) -> None:
        with self._changed:
            while not self._stopping:
                if not self._heap:
                    self._changed.wait()
                    continue
                deadline, _, watch = self._heap[0]
                left = deadline - self._clock()
                if not watch.done and left > 0:
                    self._changed.wait(left)
                    continue
                heapq.heappop(self._heap)
                if not watch.done:
                    watch.cut = True
                    with contextlib.suppress(OSError):  # closed meanwhile: nothing left to cut
                        # The plain socket's own shutdown, for a TLS socket too: the reading thread sees the
                        # end of the stream and fails, and the TLS object it reads through is left as it is.
                        socket.socket.shutdown(watch.sock, socket.SHUT_RDWR)


WATCHDOG = Watchdog()
os.register_at_fork(after_in_child=WATCHDOG.after_fork)


class _WatchedHTTPConnection(HTTPConnection):
    def getresponse(self) -> BaseHTTPResponse:  # type: ignore[override]
        seconds, sock = self.timeout, self.sock
        if not isinstance(seconds, int | float) or sock is None:  # no timeout asked: nothing to hold it to
            return super().getresponse()
        with WATCHDOG.watching(sock, float(seconds)):
            return super().getresponse()


class _WatchedHTTPSConnection(_WatchedHTTPConnection, HTTPSConnection):
    pass


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class WatchedAdapter(HTTPAdapter):
    """requests' adapter, whose connections are watched while they wait for an answer's headers (directly, or
    through an HTTP proxy)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> PoolManager:
        manager: PoolManager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if isinstance(manager, ProxyManager):  # a SOCKS proxy has connections of its own: left as they are
            manager.pool_classes_by_scheme = _POOLS
        return manager


def mount(session: requests.Session, adapter: HTTPAdapter | None = None) -> requests.Session:
    """`session`, with `adapter` (a new `WatchedAdapter` if None) for both schemes."""
    adapter = adapter or WatchedAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def watched_session() -> requests.Session:
    """A new session whose calls are watched (a call's own session: nothing, cookies included, is shared)."""
    return mount(requests.Session())
