"""The access trail: the log line of each record at once, its AuditEvent through a bounded queue to the store."""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import weakref
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from portal.access.indicators import export_kind
from portal.access.records import AccessRecord, Pseudonyms, log_line, repeats_event, to_audit_event
from portal.ops import metrics
from portal.store import FhirClient, StoreError, StoreRejected, StoreUnavailable, pdsm

__all__ = ["AuditTrail", "Counters", "discard_all"]

log = logging.getLogger("portal.audit")  # the logger operations read the access records from


#: How many recent views each process remembers, to coalesce repeats (the oldest are forgotten first).
RECENT_VIEWS = 10_000


@dataclass
class _Window:
    """One view's coalescing window: when it opened (on the trail's clock) and the repeats seen within it."""

    opened: float
    repeats: int = 0
    first_repeat: AccessRecord | None = None
    last_repeat: AccessRecord | None = None


@dataclass
class _Pending:
    event: dict[str, Any]
    key: str | None
    attempts: int = 0
    not_before: float = 0.0
    #: This attempt has ended: written, or handed to `_failed` (an unexpected error must not send it again).
    settled: bool = False
    #: When it was queued (time.monotonic: the linger is real time whatever `clock` says).
    queued: float = field(default_factory=time.monotonic)


@dataclass
class Counters:
    """What became of the records since the process started (read by tests and, later, by metrics)."""

    recorded: int = 0
    written: int = 0
    retried: int = 0
    coalesced: int = 0  # the same view again, within coalesce_seconds: no second AuditEvent
    dropped: int = 0  # the queue was full
    abandoned: int = 0  # every attempt failed


@dataclass(eq=False)  # compared and hashed by identity (kept in a WeakSet)
class AuditTrail:
    """Writes access records: the log line now, the AuditEvent from a bounded queue in a background thread."""

    client: FhirClient
    secret: str
    #: The key of the store it writes to (the metrics count each store's records apart).
    store: str = "home"
    observer: str = "Portail PPS"
    queue_size: int = 1000
    timeout: float = 2.0
    max_attempts: int = 6
    retry_wait: float = 1.0
    #: At most this many records in one batch Bundle.
    batch_size: int = 50
    #: How long the background thread waits for more records before sending a batch that is not full: under
    #: load, one POST every quarter of a second instead of one for every view or two (each costs CPU in the portal
    #: and in the store). `flush` and `close` do not wait for it.
    linger_seconds: float = 0.25
    #: Identical views within this many seconds make one AuditEvent (0: one for every view).
    coalesce_seconds: float = 60.0
    counters: Counters = field(default_factory=Counters)
    #: Monotonic seconds: when a failed record may be sent again, and the coalescing window.
    clock: Callable[[], float] = time.monotonic
    #: Send from a background thread (the app); False: nothing is sent until the owner calls `drain()`.
    background: bool = True

    def __post_init__(self) -> None:
        self.pseudonym = Pseudonyms(self.secret)
        self._queue: deque[_Pending] = deque()
        self._busy = 0
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()
        self._stopping = False
        self._flushing = 0
        #: The thread waits out a linger: a record that does not fill the batch need not wake it.
        self._lingering = False
        self._batches = self.batch_size > 1  # until the store refuses a batch
        #: Open coalescing windows by view, oldest first (none when coalesce_seconds is 0).
        self._windows: OrderedDict[tuple[object, ...], _Window] = OrderedDict()
        _TRAILS.add(self)

    # --- the page's side: never waits ---------------------------------------------------------------------

    def record(self, record: AccessRecord) -> None:
        """Log the record now and queue its AuditEvent. The same view again within `coalesce_seconds` shares one
        summary AuditEvent that counts the repeats and gives their first and last time."""
        line = log_line(record, self.pseudonym)
        log.info(line)
        key = self.pseudonym(line)
        with self._changed:
            self.counters.recorded += 1
            if self.coalesce_seconds > 0:
                now = self.clock()
                self._close_windows(lambda window: now - window.opened >= self.coalesce_seconds)
                view = record.view()
                window = self._windows.get(view)
                if window is not None:
                    self.counters.coalesced += 1
                    window.repeats += 1
                    window.first_repeat = window.first_repeat or record
                    window.last_repeat = record
                    return
                self._windows[view] = _Window(now)
                if len(self._windows) > RECENT_VIEWS:
                    self._close_windows(lambda window: True, limit=1)
            self._enqueue(to_audit_event(record, self.observer), key)
        if record.outcome == "success":  # a view, as the indicators count them (a reload within the window is none)
            metrics.viewed(self.store, record.actor.kind, export_kind(record.page))

    def _enqueue(self, event: dict[str, Any], key: str | None) -> None:
        """Queue one AuditEvent for the worker (the caller holds the lock)."""
        if len(self._queue) >= self.queue_size:
            self.counters.dropped += 1
            metrics.access_log_failed()
            log.error("access record not sent to the store: queue full (key=%s)", key)
            return
        self._queue.append(_Pending(event, key))
        if self.background and not self._stopping:
            self._ensure_worker()
        # A thread that lingers wakes by itself when the linger ends: waking it for every record (to find that the
        # batch is not full yet) would cost each page a switch of threads.
        if not self._lingering or len(self._queue) >= self.batch_size:
            self._changed.notify_all()

    def _close_windows(self, closed: Callable[[_Window], bool], limit: int | None = None) -> None:
        """Close the oldest windows while `closed` says so (at most `limit`): the repeats of each go to the store
        in one AuditEvent. The caller holds the lock."""
        while self._windows and (limit is None or limit > 0):
            view, window = next(iter(self._windows.items()))
            if not closed(window):
                return
            del self._windows[view]
            limit = None if limit is None else limit - 1
            if window.repeats and window.first_repeat is not None and window.last_repeat is not None:
                event = repeats_event(window.first_repeat, window.last_repeat, window.repeats, self.observer)
                self._enqueue(event, self.pseudonym(log_line(window.last_repeat, self.pseudonym)))

    def close_windows(self) -> None:
        """Write the repeats of every open window now (at exit; tests): no view is left out of the store."""
        with self._changed:
            self._close_windows(lambda window: True)

    def pending(self) -> int:
        with self._changed:
            return len(self._queue) + self._busy

    def drain(self) -> int:
        """Send, in the calling thread, every record that is due now (on `clock`), batch after batch, until none
        is; return how many records were taken. A record whose write failed goes back to the queue with its
        pause: it is due again once `clock` has moved past it, and the next `drain()` sends it."""
        taken = 0
        while batch := self._take_ready():
            taken += len(batch)
            self._send(batch)
        return taken

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every queued record is written or given up (shutdown, and tests of a running app); True
        when nothing is left. Without a background thread, this is `drain()`: nothing else would send them."""
        if not self.background:
            self.drain()
            return self.pending() == 0
        deadline = time.monotonic() + timeout
        with self._changed:
            self._flushing += 1  # no lingering for more records: send what there is
            self._changed.notify_all()
            try:
                while self._queue or self._busy:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return False
                    self._changed.wait(min(left, 0.1))
            finally:
                self._flushing -= 1
        return True

    def stop(self, timeout: float = 5.0) -> bool:
        """End the background thread (it finishes the write it is doing, and takes no other); what is still
        queued stays there, for `drain()`. True when no thread of this trail runs any more."""
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
            thread = self._thread
        if thread is None or thread is threading.current_thread():
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def close(self, last_chance: float | None = None) -> None:
        """A short last chance for the queue, then say how many records did not reach the store."""
        wait = min(3.0, self.timeout * 2) if last_chance is None else last_chance
        self.close_windows()
        if not self.flush(timeout=wait):
            log.error("access records not sent to the store at exit: %d", self.pending())
        with self._changed:
            self._stopping = True
            self._changed.notify_all()

    # --- the worker ---------------------------------------------------------------------------------------

    def _ensure_worker(self) -> None:
        # After a fork (gunicorn workers) the parent's thread does not exist in the child: start our own.
        if self._pid != os.getpid():
            self._pid, self._thread = os.getpid(), None
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="portal-audit", daemon=True)
            self._thread.start()

    def _take_ready(self) -> list[_Pending]:
        """The records due now (at most a batch; one when batches are off), taken out of the queue and counted
        as busy until `_send` is done with them; empty when none is due."""
        with self._changed:
            now = self.clock()
            limit = self.batch_size if self._batches else 1
            ready: list[_Pending] = []
            waiting: deque[_Pending] = deque()
            for pending in self._queue:
                (ready if pending.not_before <= now and len(ready) < limit else waiting).append(pending)
            self._queue = waiting
            for pending in ready:
                pending.settled = False
            self._busy += len(ready)
            return ready

    def _next(self) -> list[_Pending]:
        """The worker's next records, once some are due; empty when stopping."""
        with self._changed:
            while not self._stopping:
                now = self.clock()
                due = [p for p in self._queue if p.not_before <= now]
                linger = self._linger_left(due)
                if due and linger <= 0:
                    return self._take_ready()
                waits = [p.not_before - now for p in self._queue if p.not_before > now]
                if due:
                    waits.append(linger)
                self._lingering = bool(due)
                try:
                    self._changed.wait(min(waits) if waits else 1.0)
                finally:
                    self._lingering = False
        return []

    def _linger_left(self, due: list[_Pending]) -> float:
        """How much longer the thread waits for more records before sending `due`: not at all once they fill a
        batch, while someone flushes, or when the store takes them one by one. The caller holds the lock."""
        if not due or self._flushing or not self._batches or len(due) >= self.batch_size:
            return 0.0
        return min(p.queued for p in due) + self.linger_seconds - time.monotonic()

    def _run(self) -> None:
        while batch := self._next():
            self._send(batch)

    def _send(self, batch: list[_Pending]) -> None:
        try:
            if len(batch) == 1:
                self._send_one(batch[0])
            else:
                self._send_batch(batch)
        except Exception as exc:  # anything else, a bug included: the records wait for a retry
            # Raised out of here, it ended the background thread: every later record of the process stayed
            # queued, never sent. Retried like a store that failed, within `max_attempts`, then counted and logged.
            # Only the records whose attempt had not ended: those already written (a batch the store refused goes
            # one by one) would be AuditEvents twice, those already failed would be queued twice.
            log.error("access records not sent: unexpected %s", type(exc).__name__)
            for pending in batch:
                if not pending.settled:
                    self._failed(pending, exc)
        finally:
            with self._changed:
                self._busy -= len(batch)
                self._changed.notify_all()

    def _send_one(self, pending: _Pending) -> None:
        try:
            pdsm.create_audit_event(self.client, pending.event, timeout=self.timeout)
        except (StoreError, ValueError) as exc:
            self._failed(pending, exc)
        else:
            self._written(pending)

    def _send_batch(self, batch: list[_Pending]) -> None:
        try:
            statuses = pdsm.create_audit_events(self.client, [p.event for p in batch], timeout=self.timeout)
        except StoreRejected as exc:
            # The store does not take batch Bundles (or not this one): the records go one by one, now and later.
            log.warning("the store refused a batch of access records (%s): sending them one by one", exc.status)
            self._batches = False
            for pending in batch:
                self._send_one(pending)
            return
        except (StoreError, ValueError) as exc:
            for pending in batch:
                self._failed(pending, exc)
            return
        for pending, status in zip(batch, statuses, strict=True):
            if 200 <= status < 300:
                self._written(pending)
            elif 400 <= status < 500 and status != 429:
                self._failed(pending, StoreRejected("batch create AuditEvent: refused", status=status))
            else:
                self._failed(pending, StoreUnavailable("batch create AuditEvent: not stored", status=status))

    def _written(self, pending: _Pending) -> None:
        with self._changed:
            pending.settled = True
            self.counters.written += 1

    def _failed(self, pending: _Pending, exc: Exception) -> None:
        """Retry a failed write with a growing pause, then count and log it: never lost silently."""
        pending.attempts += 1
        with self._changed:
            # A store that rejects the resource will reject it again: no retry.
            if pending.attempts >= self.max_attempts or isinstance(exc, ValueError | StoreRejected):
                pending.settled = True
                self.counters.abandoned += 1
                metrics.access_log_failed()
                log.error(
                    "access record not sent to the store after %d attempt(s): %s (key=%s)",
                    pending.attempts,
                    type(exc).__name__,
                    pending.key,
                )
                return
            self.counters.retried += 1
            pending.not_before = self.clock() + self.retry_wait * 2 ** (pending.attempts - 1)
            self._queue.append(pending)
            pending.settled = True
            log.warning("access record will be sent again: %s (attempt %d)", type(exc).__name__, pending.attempts)


#: Every trail of the process, for one last chance at exit (a process may hold several apps: tests).
_TRAILS: weakref.WeakSet[AuditTrail] = weakref.WeakSet()
EXIT_BUDGET = 3.0


@atexit.register
def _close_all() -> None:
    deadline = time.monotonic() + EXIT_BUDGET
    for trail in list(_TRAILS):
        trail.close(last_chance=max(deadline - time.monotonic(), 0.0))


def discard_all() -> int:
    """Stop every trail of the process without a last chance, and say how many records were left unsent.

    For test runs, whose many short-lived apps point at stores that no longer exist: their queues would
    otherwise retry until the interpreter exits, long after the run has reported."""
    left = 0
    for trail in list(_TRAILS):
        left += trail.pending()
        with trail._changed:
            trail._queue.clear()
            trail._stopping = True
            trail._changed.notify_all()
    return left
