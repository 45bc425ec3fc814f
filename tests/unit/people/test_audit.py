"""The access log: AuditEvents that say who looked at what, log lines that name nobody, and a queue that
retries, never blocks a page and never loses a record silently.

The queue's tests own its time: a trail without its background thread (`background=False`) sends only when the
test calls `drain()`, and its pauses and coalescing window run on a `Clock` that only the test moves. One test
runs the background thread itself, and waits for it with `flush` and `stop` (never a sleep)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import threading
from typing import Any

import pytest
import responses

from portal.access.records import AccessRecord, Actor, Pseudonyms, log_line, to_audit_event
from portal.access.trail import AuditTrail
from portal.store import FhirClient, StoreInvalidResponse, StoreRejected, StoreUnavailable, pdsm

STORE = "https://store.test/fhir"
WHEN = dt.datetime(2026, 9, 1, 10, 30, tzinfo=dt.UTC)
HELENE = Actor("caregiver", "urn:pps-portal:test:sub", "p-6e2b71c0d9", "Hélène Factice", "RelatedPerson/rp-1")


def record(**changes: object) -> AccessRecord:
    values: dict[str, object] = {
        "actor": HELENE,
        "patient_id": "pat-germaine",
        "page": "download",
        "outcome": "success",
        "at": WHEN,
        "on_behalf_of": "Patient/pat-germaine",
        "document": "doc-germaine-pps-v2",
        "version": "2",
    }
    values.update(changes)
    return AccessRecord(**values)  # type: ignore[arg-type]


def test_the_audit_event_says_who_for_whom_which_patient_what_when_and_how_it_ended() -> None:
    event = to_audit_event(record(), "Portail PPS")
    assert event["recorded"] == "2026-09-01T10:30:00.000Z" and event["outcome"] == "0" and event["action"] == "R"
    requestor, behalf = event["agent"]
    assert requestor["requestor"] is True and requestor["role"][0]["coding"][0]["code"] == "caregiver"
    assert requestor["who"] == {
        "identifier": {"system": "urn:pps-portal:test:sub", "value": "p-6e2b71c0d9"},
        "reference": "RelatedPerson/rp-1",
        "display": "Hélène Factice",
    }
    assert behalf == {"who": {"reference": "Patient/pat-germaine"}, "requestor": False}
    patient, page = event["entity"]
    assert patient["what"] == {"reference": "Patient/pat-germaine"}
    assert page["name"] == "download" and page["what"] == {"reference": "DocumentReference/doc-germaine-pps-v2"}
    assert page["detail"] == [{"type": "version", "valueString": "2"}]


def test_a_refused_view_names_no_document() -> None:
    event = to_audit_event(record(outcome="refused", document="doc-camille-pps-v3"), "Portail PPS")
    assert event["outcome"] == "4" and "what" not in event["entity"][1]


def test_the_log_line_holds_keyed_hashes_never_names_or_ids() -> None:
    line = log_line(record(), Pseudonyms("secret-one-0123456789-0123456789"))
    for clear in ("Hélène", "Factice", "p-6e2b71c0d9", "pat-germaine", "doc-germaine", "rp-1"):
        assert clear not in line
    data = json.loads(line)
    assert data["actor_kind"] == "caregiver" and data["page"] == "download" and data["outcome"] == "success"
    other = json.loads(log_line(record(), Pseudonyms("secret-two-0123456789-0123456789")))
    assert data["patient"] != other["patient"]  # without the secret, nobody can link them


def test_a_pseudonym_is_the_keyed_hash_of_the_id_every_time_it_is_asked() -> None:
    secret = "secret-one-0123456789-0123456789"
    key = hashlib.sha256(b"portal.audit.pseudonym\x00" + secret.encode()).digest()
    pseudonyms, other = Pseudonyms(secret), Pseudonyms("secret-two-0123456789-0123456789")
    ids = [f"Patient/pat-{n}" for n in range(Pseudonyms.KEPT + 10)]
    for value in [*ids, *reversed(ids)]:  # kept, then the first ones again after the kept ones were replaced
        expected = base64.b32encode(hmac.new(key, value.encode(), hashlib.sha256).digest()[:10]).decode().lower()
        assert pseudonyms(value) == expected != other(value)
    assert pseudonyms(None) is None


#: A store of its own: the trails of other tests' apps may still be retrying against the usual one.
AUDIT_STORE = "https://audit-store.test/fhir"
SECRET = "unit-secret-0123456789-0123456789"


class Clock:
    """Monotonic seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 5_000.0

    def __call__(self) -> float:
        return self.now


def manual_trail(client: object, clock: Clock | None = None, **options: object) -> AuditTrail:
    """A trail with no background thread: it sends when the test calls `drain()`, at the test's time."""
    return AuditTrail(client, SECRET, clock=clock or Clock(), background=False, **options)  # type: ignore[arg-type]


@responses.activate
def test_a_write_that_fails_is_retried_from_the_queue_then_stored() -> None:
    responses.post(AUDIT_STORE + "/AuditEvent", status=503)
    responses.post(AUDIT_STORE + "/AuditEvent", status=201, json={"resourceType": "AuditEvent", "id": "1"})
    clock = Clock()
    with FhirClient(AUDIT_STORE, retries=2) as client:
        trail = manual_trail(client, clock, retry_wait=1.0)
        trail.record(record())
        assert trail.drain() == 1
        assert trail.pending() == 1 and trail.drain() == 0  # failed: waits its pause before the next attempt
        clock.now += 1.0
        assert trail.drain() == 1 and trail.pending() == 0
    ours = [c.request.method for c in responses.calls if c.request.url.startswith(AUDIT_STORE)]
    assert ours == ["POST", "POST"]  # the client itself never retries: the second try is the queue's
    assert (trail.counters.written, trail.counters.retried, trail.counters.abandoned) == (1, 1, 0)


def test_the_pause_between_attempts_doubles_and_the_attempts_are_bounded(caplog: pytest.LogCaptureFixture) -> None:
    class DownStore:
        def __init__(self) -> None:
            self.attempts: list[float] = []

        def create(self, resource: object, *, timeout: float) -> None:
            self.attempts.append(clock.now)
            raise StoreUnavailable("create AuditEvent: the store is unavailable (503)", status=503)

    clock = Clock()
    store = DownStore()
    trail = manual_trail(store, clock, retry_wait=1.0, max_attempts=4)
    trail.record(record())
    started = clock.now
    with caplog.at_level(logging.ERROR, logger="portal.audit"):
        for _ in range(20):  # a second at a time, well past every pause
            trail.drain()
            clock.now += 1.0
    assert [at - started for at in store.attempts] == [0.0, 1.0, 3.0, 7.0]  # pauses of 1, 2 and 4 seconds
    assert (trail.counters.retried, trail.counters.abandoned, trail.pending()) == (3, 1, 0)
    assert sum("after 4 attempt(s)" in r.getMessage() for r in caplog.records) == 1


def test_a_full_queue_counts_and_logs_what_it_drops(caplog: pytest.LogCaptureFixture) -> None:
    store = GatedStore()
    store.gate.set()
    trail = manual_trail(store, queue_size=10)
    with caplog.at_level(logging.INFO, logger="portal.audit"):
        for n in range(15):
            trail.record(record(version=str(n)))  # fifteen different views, while nothing is sent
    assert trail.pending() == 10
    assert trail.drain() == 10
    assert trail.counters.recorded == 15 and trail.counters.dropped == 5 and trail.counters.written == 10
    assert sent(store) == 10
    assert sum("queue full" in r.getMessage() for r in caplog.records) == 5
    assert sum(r.getMessage().startswith('{"event":"access"') for r in caplog.records) == 15


@responses.activate
def test_the_access_page_reads_only_records_about_this_patient() -> None:
    mine = to_audit_event(record(), "Portail PPS") | {"id": "a1"}
    theirs = to_audit_event(record(patient_id="pat-camille"), "Portail PPS") | {"id": "a2"}
    responses.get(
        STORE + "/AuditEvent",
        json={"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": mine}, {"resource": theirs}]},
    )
    with FhirClient(STORE, retries=0) as client:
        entries = pdsm.access_entries(client, "pat-germaine")
        pdsm.access_entries(client, "pat-germaine")
    assert [(e.id, e.role, e.actor_name, e.what) for e in entries] == [
        ("a1", "caregiver", "Hélène Factice", "download")
    ]
    reads = [c for c in responses.calls if c.request.method == "GET"]
    assert len(reads) == 2  # read fresh every time: never from the cache


class GatedStore:
    """A store client whose writes wait for the test's gate, and which notes every write: one by one or batched."""

    def __init__(self, batch_statuses: list[int] | None = None, refuse_batches: bool = False) -> None:
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.single: list[object] = []
        self.batches: list[list[object]] = []
        self.batch_statuses = batch_statuses
        self.refuse_batches = refuse_batches

    def create(self, resource: object, *, timeout: float) -> None:
        self.entered.set()
        assert self.gate.wait(WAIT), "the test never opened the gate"
        self.single.append(resource)

    def create_batch(self, resources: list[object], *, timeout: float) -> list[int]:
        if self.refuse_batches:
            raise StoreRejected("batch create: the store rejected the request", status=400)
        self.batches.append(resources)
        return self.batch_statuses or [201] * len(resources)


#: The longest a test waits for the background thread to do what it was given (a bound, never a pause).
WAIT = 30.0


def sent(store: GatedStore) -> int:
    return len(store.single) + sum(len(b) for b in store.batches)


def busy_trail(store: GatedStore, views: int, clock: Clock | None = None, **options: object) -> AuditTrail:
    """A trail whose first record was sent alone while `views - 1` more waited in the queue, then drained."""
    store.gate.set()
    trail = manual_trail(store, clock, **options)
    trail.record(record(version="0"))
    assert trail.drain() == 1  # alone in the queue: sent alone
    for n in range(1, views):
        trail.record(record(version=str(n)))
    trail.drain()
    return trail


def test_records_waiting_together_go_to_the_store_in_one_batch() -> None:
    store = GatedStore()
    trail = busy_trail(store, 6)
    assert len(store.single) == 1 and [len(b) for b in store.batches] == [5]
    assert trail.counters.written == 6 and not trail.counters.dropped and trail.pending() == 0


def test_a_batch_holds_at_most_batch_size_records() -> None:
    store = GatedStore()
    trail = busy_trail(store, 8, batch_size=3)
    # The first alone; then seven waiting: two full batches, and the one left over goes alone too.
    assert len(store.single) == 2 and [len(b) for b in store.batches] == [3, 3]
    assert trail.counters.written == 8


def test_a_store_that_refuses_batches_gets_the_records_one_by_one_from_then_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = GatedStore(refuse_batches=True)
    with caplog.at_level(logging.WARNING, logger="portal.audit"):
        trail = busy_trail(store, 4)
    assert len(store.single) == 4 and trail.counters.written == 4
    assert sum("one by one" in r.getMessage() for r in caplog.records) == 1
    trail.record(record(version="later"))
    trail.record(record(version="later still"))
    assert trail.drain() == 2 and len(store.single) == 6  # no second batch was tried


def test_each_entry_of_a_batch_ends_on_its_own() -> None:
    store = GatedStore(batch_statuses=[201, 400, 503])
    clock = Clock()
    trail = busy_trail(store, 4, clock, max_attempts=2, retry_wait=0.5)
    # The 400 is abandoned at once; the 503 waits its pause, then is sent again (alone, then 201).
    assert trail.counters.abandoned == 1 and trail.counters.retried == 1 and trail.counters.written == 2
    assert trail.pending() == 1 and trail.drain() == 0
    clock.now += 0.5
    assert trail.drain() == 1 and len(store.single) == 2
    assert trail.counters.written == 3 and trail.pending() == 0


def test_the_same_view_again_within_the_window_writes_its_log_line_but_no_second_audit_event(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = GatedStore()
    store.gate.set()
    clock = Clock()
    trail = manual_trail(store, clock)
    with caplog.at_level(logging.INFO, logger="portal.audit"):
        for minute in range(3):  # a reloading browser: the same view, at another time
            trail.record(record(at=WHEN + dt.timedelta(seconds=minute)))
            clock.now += 1
        trail.record(record(page="calendar"))  # another page: another view
    trail.drain()
    assert sent(store) == 2
    assert trail.counters.recorded == 4 and trail.counters.coalesced == 2
    assert sum(r.getMessage().startswith('{"event":"access"') for r in caplog.records) == 4


def test_the_same_view_after_the_window_is_a_new_audit_event() -> None:
    store = GatedStore()
    store.gate.set()
    clock = Clock()
    trail = manual_trail(store, clock, coalesce_seconds=60)
    trail.record(record())
    clock.now += 59
    trail.record(record())  # within the window: coalesced
    clock.now += 1
    trail.record(record())  # sixty seconds after the first: a new look
    trail.drain()
    # The first look, the repeat within its window (one summary event, counting it), and the new look.
    assert sent(store) == 3 and trail.counters.coalesced == 1


def test_without_a_window_every_view_is_an_audit_event() -> None:
    store = GatedStore()
    store.gate.set()
    trail = manual_trail(store, coalesce_seconds=0)
    for _ in range(3):
        trail.record(record())
    trail.drain()
    assert sent(store) == 3 and not trail.counters.coalesced


def test_the_background_thread_sends_without_the_page_waiting_and_stops_when_told() -> None:
    """The app's own trail: `record` returns while the store is still busy with an earlier write; `flush` waits
    for the thread to finish the queue, and `stop` ends the thread."""
    store = GatedStore()
    trail = AuditTrail(store, SECRET)  # type: ignore[arg-type]
    trail.record(record(version="0"))
    assert store.entered.wait(WAIT)  # the thread is writing, held by the gate…
    for n in range(1, 4):
        trail.record(record(version=str(n)))  # …and the page's side does not wait for it
    assert trail.pending() == 4 and not store.single
    store.gate.set()
    assert trail.flush(WAIT)
    assert trail.counters.written == 4 and len(store.single) == 1 and [len(b) for b in store.batches] == [3]
    thread = trail._thread
    assert thread is not None and thread.is_alive()
    assert trail.stop(WAIT) and not thread.is_alive()
    trail.record(record(version="after stop"))  # queued, not sent: nobody sends but an explicit drain
    assert trail.pending() == 1 and trail.drain() == 1 and sent(store) == 5


def open_store_telling_batches() -> tuple[GatedStore, threading.Event]:
    """A store that takes everything at once, and an event set when it has written a batch."""
    store = GatedStore()
    store.gate.set()
    written = threading.Event()
    original = store.create_batch

    def create_batch(resources: list[object], *, timeout: float) -> list[int]:
        statuses = original(resources, timeout=timeout)
        written.set()
        return statuses

    store.create_batch = create_batch  # type: ignore[method-assign]
    return store, written


def test_the_background_thread_waits_for_a_full_batch_within_the_linger_and_flush_cuts_the_wait() -> None:
    """Under load, views come one by one: the thread waits (a linger far longer than the test) until a batch is
    full, so the store gets one POST for many views; what is left goes at once when someone flushes."""
    store, written = open_store_telling_batches()
    trail = AuditTrail(store, SECRET, batch_size=4, linger_seconds=WAIT * 10)  # type: ignore[arg-type]
    for n in range(6):
        trail.record(record(version=str(n)))
    assert written.wait(WAIT)  # four views: a full batch, sent without waiting for the linger
    assert [len(b) for b in store.batches] == [4] and not store.single
    assert trail.flush(WAIT)  # the two left: sent now, not after the linger
    assert [len(b) for b in store.batches] == [4, 2] and trail.counters.written == 6
    assert trail.stop(WAIT)


class CountingCondition(threading.Condition):
    """A condition that counts how often it was notified (each notification wakes the waiting thread), and says
    when the trail's thread begins to wait while it lingers."""

    def __init__(self, trail: AuditTrail) -> None:
        super().__init__()
        self.notified = 0
        self.trail = trail
        self.lingering = threading.Event()

    def notify_all(self) -> None:
        self.notified += 1
        super().notify_all()

    def wait(self, timeout: float | None = None) -> bool:
        if self.trail._lingering:
            self.lingering.set()
        return super().wait(timeout)


def test_a_view_that_does_not_fill_the_batch_does_not_wake_the_lingering_thread() -> None:
    """Waking the thread for every view only to find the batch not full would cost each page a switch of threads:
    while it lingers, only a full batch wakes it."""
    store, written = open_store_telling_batches()
    trail = AuditTrail(store, SECRET, batch_size=12, linger_seconds=WAIT * 10, coalesce_seconds=0)  # type: ignore[arg-type]
    trail._changed = changed = CountingCondition(trail)
    trail.record(record(version="0"))  # starts the thread, which lingers for more
    assert changed.lingering.wait(WAIT), "the thread never started to linger"
    before = changed.notified
    for n in range(1, 11):
        trail.record(record(version=str(n)))
    assert changed.notified == before and not written.is_set()  # eleven views: nobody woken, nothing sent
    trail.record(record(version="11"))  # the twelfth fills the batch: that wakes the thread
    assert written.wait(WAIT) and [len(b) for b in store.batches] == [12]
    assert changed.notified > before
    assert trail.stop(WAIT)


@responses.activate
def test_a_batch_is_one_post_of_a_batch_bundle_and_each_status_is_read() -> None:
    answer = {
        "resourceType": "Bundle",
        "type": "batch-response",
        "entry": [{"response": {"status": "201 Created"}}, {"response": {"status": "422"}}],
    }
    responses.post(AUDIT_STORE, json=answer)
    events = [to_audit_event(record(), "Portail PPS"), to_audit_event(record(page="calendar"), "Portail PPS")]
    with FhirClient(AUDIT_STORE, retries=0) as client:
        assert pdsm.create_audit_events(client, events, timeout=2) == [201, 422]
    sent = json.loads(responses.calls[0].request.body)
    assert (
        sent["type"] == "batch"
        and [e["request"] for e in sent["entry"]] == [{"method": "POST", "url": "AuditEvent"}] * 2
    )


@responses.activate
def test_a_batch_answer_that_does_not_match_what_was_sent_is_not_trusted() -> None:
    responses.post(AUDIT_STORE, json={"resourceType": "Bundle", "type": "batch-response", "entry": []})
    with FhirClient(AUDIT_STORE, retries=0) as client, pytest.raises(StoreInvalidResponse):
        pdsm.create_audit_events(client, [to_audit_event(record(), "Portail PPS")], timeout=2)


class OnceBrokenStore(GatedStore):
    """A store client whose first write raises what nobody maps to a store error (requests once raised KeyError
    from inside its read of os.environ), then works."""

    def __init__(self) -> None:
        super().__init__()
        self.gate.set()
        self.broken = 1

    def _break_once(self) -> None:
        if self.broken:
            self.broken -= 1
            raise KeyError("PYTEST_CURRENT_TEST")

    def create(self, resource: object, *, timeout: float) -> None:
        self._break_once()
        super().create(resource, timeout=timeout)

    def create_batch(self, resources: list[object], *, timeout: float) -> list[int]:
        self._break_once()
        return super().create_batch(resources, timeout=timeout)


def test_an_unexpected_error_in_a_write_is_retried_like_a_failed_one(caplog: pytest.LogCaptureFixture) -> None:
    store, clock = OnceBrokenStore(), Clock()
    trail = manual_trail(store, clock, retry_wait=1.0)
    trail.record(record(version="1"))
    trail.record(record(version="2"))
    assert trail.drain() == 2  # the batch met the error: nothing raised to the sender…
    assert trail.pending() == 2 and trail.counters.retried == 2  # …and both records wait for their next attempt
    assert "access records not sent: unexpected KeyError" in caplog.text
    clock.now += 1.0
    assert trail.drain() == 2 and trail.pending() == 0
    assert sent(store) == 2 and trail.counters.written == 2 and trail.counters.abandoned == 0


class RefusesBatchesThenBreaks(GatedStore):
    """A store client that refuses batch Bundles, and whose third write one by one raises what nobody maps to a
    store error."""

    def __init__(self) -> None:
        super().__init__(refuse_batches=True)
        self.gate.set()
        self.writes = 0

    def create(self, resource: object, *, timeout: float) -> None:
        self.writes += 1
        if self.writes == 3:
            raise KeyError("PYTEST_CURRENT_TEST")
        super().create(resource, timeout=timeout)


def test_an_unexpected_error_while_a_refused_batch_goes_one_by_one_sends_no_record_twice() -> None:
    """Before, every record of the batch was queued again, the two already written included: two AuditEvents each."""
    store, clock = RefusesBatchesThenBreaks(), Clock()
    trail = manual_trail(store, clock, retry_wait=1.0)
    for n in range(4):
        trail.record(record(version=str(n)))
    assert trail.drain() == 4  # one batch, refused: then one by one, and the third write raised
    assert trail.counters.written == 2 and trail.counters.retried == 2 and trail.pending() == 2
    clock.now += 1.0
    assert trail.drain() == 2 and trail.pending() == 0
    assert trail.counters.written == 4 and trail.counters.abandoned == 0
    events: list[Any] = store.single
    assert sorted(event["entity"][1]["detail"][0]["valueString"] for event in events) == ["0", "1", "2", "3"]


def test_the_background_thread_outlives_an_unexpected_error_in_a_write() -> None:
    """Before, the error ended the thread, and every later record of the process stayed queued."""
    store = OnceBrokenStore()
    trail = AuditTrail(store, SECRET, retry_wait=0.0)  # type: ignore[arg-type]
    trail.record(record(version="1"))
    assert trail.flush(WAIT)
    trail.record(record(version="2"))
    assert trail.flush(WAIT)
    thread = trail._thread
    assert thread is not None and thread.is_alive()
    assert sent(store) == 2 and trail.counters.written == 2
    assert trail.stop(WAIT)
