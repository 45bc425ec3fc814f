"""The access log: every view of care-plan content or of a document, by anyone, is recorded twice — as a FHIR
AuditEvent in the store (the patient reads it back on their access page) and as one JSON log line whose ids are
keyed hashes (never a name, an INS or a raw id). Side branch of the data path: web → audit → store.

The log line is written at once, so the record exists even when the store does not answer. The AuditEvent is
queued and POSTed by one background thread per process: a page never waits for it. When several are waiting
(a busy process), they go together in one FHIR batch Bundle, so the store gets one request for many views; a
store that refuses batches gets them one by one from then on. The same view again (same person, patient, page,
document, version and outcome) within `coalesce_seconds` writes its log line but no AuditEvent of its own: a
reload is not a new look for the patient's access page, and a reloading browser cannot flood the store. No view
is lost from the store's trace, though: the repeats of a window share one more AuditEvent, which records how many
views it stands for (page entity detail `views`) and their first and last time (`period`). It is written when
the window has closed, at the next view the process records or at exit (`close`); the patient's access page
leaves it out (`portal.store.pdsm.access_entries`).

A failed write is retried from the bounded queue with a growing pause, up to `max_attempts`; when the queue is
full or the attempts are spent, the record is counted and an error line says so (with the record's pseudonymous
key) — never silently.

Time comes from `clock` (monotonic seconds: the pauses between attempts and the coalescing window), and the
background thread can be left out (`background=False`): then whoever owns the trail sends the queue with
`drain()`, in its own thread, when it chooses. Tests do that with a clock of their own, so that nothing they
check depends on how fast the machine is; `stop()` ends the background thread for good.
"""

from __future__ import annotations

import atexit
import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import threading
import time
import weakref
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from portal.store import FhirClient, StoreError, StoreRejected, StoreUnavailable, pdsm
from portal.store.resources import AUDIT_ENTITY_TYPE_SYSTEM

__all__ = ["AccessRecord", "Actor", "AuditTrail", "Pseudonyms", "to_audit_event"]

log = logging.getLogger("portal.audit")

Outcome = Literal["success", "refused", "failed"]
#: AuditEvent.outcome: 0 success, 4 minor failure (refused: answered 404), 8 serious failure (error page).
FHIR_OUTCOME: dict[Outcome, str] = {"success": "0", "refused": "4", "failed": "8"}
DCM = "http://dicom.nema.org/resources/ontology/DCM"
OBJECT_ROLE = "http://terminology.hl7.org/CodeSystem/object-role"
SOURCE_TYPE = "http://terminology.hl7.org/CodeSystem/security-source-type"
RESTFUL = "http://hl7.org/fhir/restful-interaction"
#: The page entity's detail that says how many views an AuditEvent stands for (the repeats of one view).
VIEWS_DETAIL = pdsm.REPEATS_DETAIL


@dataclass(frozen=True)
class Actor:
    """Who looked: their kind (patient, caregiver, representative, coordinator), the identifier they signed
    in with (system and value: the provider's sub, or the RPPS number), their name when known, and the store
    resource that stands for them (Patient/…, RelatedPerson/…), when there is one."""

    kind: str
    system: str
    value: str
    name: str | None = None
    reference: str | None = None


@dataclass(frozen=True)
class AccessRecord:
    """One view: who, on behalf of whom (the patient, for a caregiver or a representative), which patient,
    which page, document and version, when, and how it ended."""

    actor: Actor
    patient_id: str
    page: str
    outcome: Outcome
    at: dt.datetime
    on_behalf_of: str | None = None
    #: The document shown, or for a refused view the id that was asked for.
    document: str | None = None
    version: str | None = None
    #: On the compare page: the other version shown beside `document`.
    compared_with: str | None = None

    def view(self) -> tuple[object, ...]:
        """What makes two records the same view, whenever they happened (the coalescing key)."""
        return (
            self.actor,
            self.patient_id,
            self.page,
            self.outcome,
            self.on_behalf_of,
            self.document,
            self.version,
            self.compared_with,
        )


class Pseudonyms:
    """Keyed hashes (HMAC-SHA-256 under a key derived from the app secret): the same id always gives the
    same pseudonym, so log lines can be followed, but nobody without the secret can tell whose they are."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"portal.audit.pseudonym\x00" + secret.encode()).digest()

    def __call__(self, value: str | None) -> str | None:
        if value is None:
            return None
        mac = hmac.new(self._key, value.encode(), hashlib.sha256).digest()
        return base64.b32encode(mac[:10]).decode("ascii").lower()


def log_line(record: AccessRecord, pseudonym: Pseudonyms) -> str:
    """The JSON log line of a record: kinds, page, version and outcome in clear; every id hashed; no name."""
    return json.dumps(
        {
            "event": "access",
            "at": record.at.astimezone(dt.UTC).isoformat(timespec="seconds"),
            "actor_kind": record.actor.kind,
            "actor": pseudonym(f"{record.actor.system}|{record.actor.value}"),
            "on_behalf_of": pseudonym(record.on_behalf_of),
            "patient": pseudonym(f"Patient/{record.patient_id}"),
            "page": record.page,
            "document": pseudonym(record.document and f"DocumentReference/{record.document}"),
            "version": record.version,
            "compared_with": pseudonym(record.compared_with and f"DocumentReference/{record.compared_with}"),
            "outcome": record.outcome,
        },
        separators=(",", ":"),
        ensure_ascii=True,
    )


def to_audit_event(record: AccessRecord, observer: str) -> dict[str, Any]:
    """The FHIR R4 AuditEvent of a record (read of a patient record, by a person, through the portal)."""
    who: dict[str, Any] = {"identifier": {"system": record.actor.system, "value": record.actor.value}}
    if record.actor.reference:
        who["reference"] = record.actor.reference
    if record.actor.name:
        who["display"] = record.actor.name
    page: dict[str, Any] = {
        "type": {"system": AUDIT_ENTITY_TYPE_SYSTEM, "code": "2", "display": "System Object"},
        "role": {"system": OBJECT_ROLE, "code": "4", "display": "Domain Resource"},
        "name": record.page,
    }
    details: list[dict[str, str]] = []
    if record.document and record.outcome == "success":
        page["what"] = {"reference": f"DocumentReference/{record.document}"}
    elif record.document:
        # A refused view keeps the id asked for as text, not as a reference: it may be another patient's.
        details.append({"type": "requested-id", "valueString": record.document})
    if record.version:
        details.append({"type": "version", "valueString": record.version})
    if details:
        page["detail"] = details
    entities: list[dict[str, Any]] = [
        {
            "what": {"reference": f"Patient/{record.patient_id}"},
            "type": {"system": AUDIT_ENTITY_TYPE_SYSTEM, "code": "1", "display": "Person"},
            "role": {"system": OBJECT_ROLE, "code": "1", "display": "Patient"},
        },
        page,
    ]
    if record.compared_with and record.outcome == "success":
        entities.append(
            {
                "what": {"reference": f"DocumentReference/{record.compared_with}"},
                "type": {"system": AUDIT_ENTITY_TYPE_SYSTEM, "code": "2", "display": "System Object"},
                "role": {"system": OBJECT_ROLE, "code": "4", "display": "Domain Resource"},
                "name": "compared-with",
            }
        )
    agent: dict[str, Any] = {
        "role": [{"coding": [{"system": pdsm.ROLE_SYSTEM_AUDIT, "code": record.actor.kind}]}],
        "who": who,
        "requestor": True,
    }
    event: dict[str, Any] = {
        "resourceType": "AuditEvent",
        "type": {"system": DCM, "code": "110110", "display": "Patient Record"},
        "subtype": [{"system": RESTFUL, "code": "read", "display": "read"}],
        "action": "R",
        "recorded": record.at.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "outcome": FHIR_OUTCOME[record.outcome],
        "agent": [agent],
        "source": {
            "observer": {"display": observer},
            "type": [{"system": SOURCE_TYPE, "code": "4", "display": "Application Server"}],
        },
        "entity": entities,
    }
    if record.on_behalf_of:
        # R4 has no onBehalfOf: the patient the person acts for is a second, non-requesting agent.
        event["agent"].append({"who": {"reference": record.on_behalf_of}, "requestor": False})
    return event


def repeats_event(first: AccessRecord, last: AccessRecord, views: int, observer: str) -> dict[str, Any]:
    """The AuditEvent of `views` repeats of one view, from `first` to `last` (the same view within the window of
    an AuditEvent already written): when, how many, and otherwise what that view's own event says."""
    event = to_audit_event(last, observer)
    event["period"] = {
        "start": first.at.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "end": event["recorded"],
    }
    page = event["entity"][1]
    page["detail"] = [*page.get("detail", []), {"type": VIEWS_DETAIL, "valueString": str(views)}]
    return event


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
    observer: str = "Portail PPS"
    queue_size: int = 1000
    timeout: float = 2.0
    max_attempts: int = 6
    retry_wait: float = 1.0
    #: At most this many records in one batch Bundle.
    batch_size: int = 50
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
        self._batches = self.batch_size > 1  # until the store refuses a batch
        #: Open coalescing windows by view, oldest first (none when coalesce_seconds is 0).
        self._windows: OrderedDict[tuple[object, ...], _Window] = OrderedDict()
        _TRAILS.add(self)

    # --- the page's side: never waits ---------------------------------------------------------------------

    def record(self, record: AccessRecord) -> None:
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

    def _enqueue(self, event: dict[str, Any], key: str | None) -> None:
        """Queue one AuditEvent for the worker (the caller holds the lock)."""
        if len(self._queue) >= self.queue_size:
            self.counters.dropped += 1
            log.error("access record not sent to the store: queue full (key=%s)", key)
            return
        self._queue.append(_Pending(event, key))
        if self.background and not self._stopping:
            self._ensure_worker()
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
            while self._queue or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(min(left, 0.1))
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
            ready = [p for p in self._queue if p.not_before <= now][:limit]
            for pending in ready:
                self._queue.remove(pending)
            self._busy += len(ready)
            return ready

    def _next(self) -> list[_Pending]:
        """The worker's next records, once some are due; empty when stopping."""
        with self._changed:
            while not self._stopping:
                ready = self._take_ready()
                if ready:
                    return ready
                now = self.clock()
                waits = [p.not_before - now for p in self._queue]
                self._changed.wait(min(waits) if waits else 1.0)
        return []

    def _run(self) -> None:
        while batch := self._next():
            self._send(batch)

    def _send(self, batch: list[_Pending]) -> None:
        try:
            if len(batch) == 1:
                self._send_one(batch[0])
            else:
                self._send_batch(batch)
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
            with self._changed:
                self.counters.written += 1

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
                with self._changed:
                    self.counters.written += 1
            elif 400 <= status < 500 and status != 429:
                self._failed(pending, StoreRejected("batch create AuditEvent: refused", status=status))
            else:
                self._failed(pending, StoreUnavailable("batch create AuditEvent: not stored", status=status))

    def _failed(self, pending: _Pending, exc: Exception) -> None:
        pending.attempts += 1
        with self._changed:
            # A store that rejects the resource will reject it again: no retry.
            if pending.attempts >= self.max_attempts or isinstance(exc, ValueError | StoreRejected):
                self.counters.abandoned += 1
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
