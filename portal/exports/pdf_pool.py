"""The PDFs are made in a few separate processes, never in a web worker (exports step).

WeasyPrint, its libraries, fonts and layout caches weigh tens of megabytes in whichever process makes a PDF and stay
there; a page of the plan needs none of it. So a web worker hands each PDF to a child process, over a pipe, and keeps
the bytes it gets back in a cache bounded in bytes:

- **bounded**: at most `workers` children per web worker, started on the first PDF, and at most `queue` PDFs made or
  waited for at once; one more is refused at once (`PdfBusy`), so a crowd asking for PDFs gets a plain "try again in
  a minute" page instead of tying up every thread of the worker;
- **in time**: a PDF not back within `timeout` seconds of its request (waiting included) is abandoned
  (`PdfTimedOut`), and its child killed and replaced on the next PDF: a runaway layout cannot pin memory or a core;
- **cached**: by a digest of everything the job is given (the function, the plan or report, the language, the voice,
  the day it is valid on, the portal's address), so one version of a plan in one language for one kind of reader on
  one day is made once, and a cached copy can never be another document's.

The children are forked from a server process (multiprocessing's "forkserver") that has imported WeasyPrint once:
they inherit nothing of the web worker's memory, share the server's pages, and start in milliseconds, also when one
replaces a child killed over its time limit. What crosses the pipe is plain pickled data (the care-plan model and
the RCP report are plain dataclasses); an error in a child comes back as its kind only (never health data).
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import multiprocessing
import pickle
import signal
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from typing import Any

from cachetools import LRUCache

__all__ = ["PRELOAD", "PdfBusy", "PdfFailed", "PdfPool", "PdfTimedOut", "PdfUnavailable", "close_all"]

log = logging.getLogger("portal.exports")

#: What the server process the children are forked from imports once, so that no child imports it again.
PRELOAD = ("weasyprint", "portal.exports.pdf", "portal.exports.rcp_print")
#: Seconds a child is given to end once its pipe is closed, before it is killed.
STOP_WAIT = 5.0

Job = Callable[..., bytes]


class PdfUnavailable(Exception):
    """No PDF now, for a reason that passes: the person is asked to try again in a minute."""


class PdfBusy(PdfUnavailable):
    """As many PDFs as the queue holds are being made or waited for already."""


class PdfTimedOut(PdfUnavailable):
    """The PDF was not made within the time limit; its child is killed."""


class PdfFailed(RuntimeError):
    """The job raised in its child (the message is the exception's kind only), or the child ended."""


def _serve(conn: Connection) -> None:
    """A child's whole life: read a job from the pipe, make it, write back its bytes or the kind of its error; end
    when the web worker closes the pipe (or ends)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which then closes the pipe
    while True:
        try:
            payload = conn.recv_bytes()
        except (EOFError, OSError):
            return
        try:
            job, args, kwargs = pickle.loads(payload)  # noqa: S301 (from the web worker that started this child)
            answer: tuple[bool, Any] = (True, bytes(job(*args, **kwargs)))
        except Exception as exc:  # sent back by its kind, and the child stays ready
            answer = (False, type(exc).__name__)
        try:
            conn.send(answer)
        except (EOFError, OSError):
            return


class _Child:
    """One child process and the web worker's end of its pipe."""

    def __init__(self, context: BaseContext) -> None:
        ours, theirs = context.Pipe(duplex=True)
        self.process = context.Process(target=_serve, args=(theirs,), name="portal-pdf", daemon=True)  # type: ignore[attr-defined]
        self.process.start()
        theirs.close()  # the child holds it now: when we close ours, it reads the end of the pipe
        self.conn: Connection = ours

    @property
    def alive(self) -> bool:
        return bool(self.process.is_alive())

    def stop(self) -> None:
        """Close the pipe (the child ends after its job) and wait for it; kill it if it does not end."""
        self.conn.close()
        self.process.join(STOP_WAIT)
        if self.process.is_alive():
            self.kill()

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()


class PdfPool:
    """At most `workers` child processes making PDFs for one web worker, `queue` PDFs at once, each within
    `timeout` seconds, and the PDFs made kept in at most `cache_bytes` bytes (0: none kept)."""

    def __init__(
        self,
        *,
        workers: int,
        queue: int,
        timeout: float,
        cache_bytes: int,
        start_method: str = "forkserver",
        preload: tuple[str, ...] = PRELOAD,
    ) -> None:
        if workers < 1 or queue < workers or timeout <= 0 or cache_bytes < 0:
            raise ValueError("a pool needs a worker, a queue at least as long as the workers, a time limit")
        self.workers = workers
        self.queue = queue
        self.timeout = timeout
        self.cache_bytes = cache_bytes
        self._context = multiprocessing.get_context(start_method)
        if start_method == "forkserver":
            self._context.set_forkserver_preload(list(preload))
        self._cache: LRUCache[bytes, bytes] = LRUCache(maxsize=max(cache_bytes, 1), getsizeof=len)
        self._lock = threading.Lock()
        self._freed = threading.Condition(self._lock)
        #: The places free to take: a child waiting for a job, or None for a place whose child is not started yet.
        self._idle: list[_Child | None] = [None] * workers
        self._children: set[_Child] = set()
        self._admitted = 0
        self._closed = False
        _POOLS.add(self)

    # --- what the web worker asks -------------------------------------------------------------------------

    def make(self, job: Job, *args: Any, **kwargs: Any) -> bytes:
        """`job(*args, **kwargs)` made in a child, or the copy made earlier with the same arguments. Raises
        `PdfBusy` (the queue is full), `PdfTimedOut` (over the time limit), `PdfFailed` (the job raised)."""
        payload = pickle.dumps((job, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
        key = hashlib.sha256(payload).digest()
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        data = self.run(payload)
        if 0 < len(data) <= self.cache_bytes:
            with self._lock:
                self._cache[key] = data
        return data

    @contextmanager
    def admitted(self) -> Iterator[None]:
        """A place in the queue for as long as the block runs, or `PdfBusy` at once when none is left."""
        with self._lock:
            if self._closed or self._admitted >= self.queue:
                raise PdfBusy()
            self._admitted += 1
        try:
            yield
        finally:
            with self._lock:
                self._admitted -= 1

    def run(self, payload: bytes) -> bytes:
        """One pickled (job, args, kwargs) made in a child, uncached."""
        deadline = time.monotonic() + self.timeout
        with self.admitted():
            child = self._take(deadline)
            healthy = False
            try:
                if child is None:
                    child = self._start()
                answer = self._ask(child, payload, deadline)
                healthy = True
            finally:
                self._give_back(child if healthy else None)
        done, value = answer
        if not done:
            raise PdfFailed(str(value))
        data: bytes = value
        return data

    # --- what the tests and the benchmark look at -----------------------------------------------------------

    @property
    def pids(self) -> list[int]:
        """The children running now."""
        with self._lock:
            return sorted(c.process.pid for c in self._children if c.process.pid is not None)

    @property
    def cached_bytes(self) -> int:
        with self._lock:
            return int(self._cache.currsize)

    def close(self) -> None:
        """Stop every child (each ends after the job it is making) and refuse every PDF from now on."""
        with self._lock:
            self._closed = True
            children = list(self._children)
            self._children.clear()
            self._idle = []
            self._freed.notify_all()
        for child in children:
            child.stop()

    # --- the places ---------------------------------------------------------------------------------------

    def _take(self, deadline: float) -> _Child | None:
        """A free place, waited for until `deadline` at most."""
        with self._freed:
            while not self._idle:
                remaining = deadline - time.monotonic()
                if self._closed:
                    raise PdfBusy()
                if remaining <= 0:
                    raise PdfTimedOut()
                self._freed.wait(remaining)
            return self._idle.pop()

    def _give_back(self, child: _Child | None) -> None:
        with self._freed:
            if self._closed:
                stop = child
            else:
                self._idle.append(child if child is not None and child.alive else None)
                self._freed.notify()
                stop = None
        if stop is not None:
            stop.stop()

    def _start(self) -> _Child:
        child = _Child(self._context)
        with self._lock:
            if self._closed:
                closed = True
            else:
                closed = False
                self._children.add(child)
        if closed:
            child.stop()
            raise PdfBusy()
        return child

    def _ask(self, child: _Child, payload: bytes, deadline: float) -> tuple[bool, Any]:
        try:
            child.conn.send_bytes(payload)
            if not child.conn.poll(max(deadline - time.monotonic(), 0.0)):
                self._end(child)
                log.warning("a PDF was not made within %g s: its process is replaced", self.timeout)
                raise PdfTimedOut()
            answer: tuple[bool, Any] = child.conn.recv()
        except (EOFError, OSError):
            self._end(child)
            raise PdfFailed("the process making PDFs ended") from None
        return answer

    def _end(self, child: _Child) -> None:
        with self._lock:
            self._children.discard(child)
        child.kill()


#: Every pool of the process, closed at exit (a process may hold several apps: tests).
_POOLS: weakref.WeakSet[PdfPool] = weakref.WeakSet()


@atexit.register
def close_all() -> None:
    """Close every pool of the process: at exit, and at the end of each test."""
    for pool in list(_POOLS):
        pool.close()
