"""The access log: AuditEvents that say who looked at what, log lines that name nobody, and a queue that
retries, never blocks a page and never loses a record silently."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading

import pytest
import responses

from portal.audit import AccessRecord, Actor, AuditTrail, Pseudonyms, log_line, to_audit_event
from portal.store import FhirClient, StoreInvalidResponse, StoreRejected, pdsm

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


#: A store of its own: the trails of other tests' apps may still be retrying against the usual one.
AUDIT_STORE = "https://audit-store.test/fhir"


@responses.activate
def test_a_write_that_fails_is_retried_from_the_queue_then_stored() -> None:
    responses.post(AUDIT_STORE + "/AuditEvent", status=503)
    responses.post(AUDIT_STORE + "/AuditEvent", status=201, json={"resourceType": "AuditEvent", "id": "1"})
    with FhirClient(AUDIT_STORE, retries=2) as client:
        trail = AuditTrail(client, "unit-secret-0123456789-0123456789", retry_wait=0.01)
        trail.record(record())
        assert trail.flush(5)
    ours = [c.request.method for c in responses.calls if c.request.url.startswith(AUDIT_STORE)]
    assert ours == ["POST", "POST"]  # the client itself never retries: the second try is the queue's
    assert (trail.counters.written, trail.counters.retried, trail.counters.abandoned) == (1, 1, 0)


def test_a_full_queue_counts_and_logs_what_it_drops(caplog: pytest.LogCaptureFixture) -> None:
    gate = threading.Event()

    class SlowClient:
        def create(self, resource: object, *, timeout: float) -> None:
            gate.wait(5)

        def create_batch(self, resources: list[object], *, timeout: float) -> list[int]:
            gate.wait(5)
            return [201] * len(resources)

    trail = AuditTrail(SlowClient(), "unit-secret-0123456789-0123456789", queue_size=10)  # type: ignore[arg-type]
    with caplog.at_level(logging.INFO, logger="portal.audit"):
        for n in range(15):
            trail.record(record(version=str(n)))  # fifteen different views
    gate.set()
    assert trail.flush(5)
    assert trail.counters.recorded == 15 and trail.counters.dropped >= 4
    assert trail.counters.written + trail.counters.dropped == 15
    assert sum("queue full" in r.getMessage() for r in caplog.records) == trail.counters.dropped
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
    """A store client whose first write waits for the test, and which notes every write: one by one or batched."""

    def __init__(self, batch_statuses: list[int] | None = None, refuse_batches: bool = False) -> None:
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.single: list[object] = []
        self.batches: list[list[object]] = []
        self.batch_statuses = batch_statuses
        self.refuse_batches = refuse_batches

    def create(self, resource: object, *, timeout: float) -> None:
        self.entered.set()
        self.gate.wait(5)
        self.single.append(resource)

    def create_batch(self, resources: list[object], *, timeout: float) -> list[int]:
        if self.refuse_batches:
            raise StoreRejected("batch create: the store rejected the request", status=400)
        self.batches.append(resources)
        return self.batch_statuses or [201] * len(resources)


def busy_trail(store: GatedStore, views: int, **options: object) -> AuditTrail:
    """A trail whose first record is being written while `views - 1` more wait in the queue."""
    trail = AuditTrail(store, "unit-secret-0123456789-0123456789", retry_wait=0.01, **options)  # type: ignore[arg-type]
    trail.record(record(version="0"))
    assert store.entered.wait(5)
    for n in range(1, views):
        trail.record(record(version=str(n)))
    store.gate.set()
    assert trail.flush(5)
    return trail


def test_records_waiting_together_go_to_the_store_in_one_batch() -> None:
    store = GatedStore()
    trail = busy_trail(store, 6)
    assert len(store.single) == 1 and [len(b) for b in store.batches] == [5]
    assert trail.counters.written == 6 and not trail.counters.dropped


def test_a_store_that_refuses_batches_gets_the_records_one_by_one_from_then_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = GatedStore(refuse_batches=True)
    with caplog.at_level(logging.WARNING, logger="portal.audit"):
        trail = busy_trail(store, 4)
    assert len(store.single) == 4 and trail.counters.written == 4
    assert sum("one by one" in r.getMessage() for r in caplog.records) == 1
    store.gate.clear()
    trail.record(record(version="later"))
    trail.record(record(version="later still"))
    store.gate.set()
    assert trail.flush(5) and len(store.single) == 6  # no second batch was tried


def test_each_entry_of_a_batch_ends_on_its_own() -> None:
    store = GatedStore(batch_statuses=[201, 400, 503])
    trail = busy_trail(store, 4, max_attempts=2)
    # The 400 is abandoned at once; the 503 is sent again (alone, then 201).
    assert trail.counters.abandoned == 1 and trail.counters.retried == 1 and trail.counters.written == 3


def test_the_same_view_again_within_the_window_writes_its_log_line_but_no_second_audit_event(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = GatedStore()
    store.gate.set()
    trail = AuditTrail(store, "unit-secret-0123456789-0123456789")  # type: ignore[arg-type]
    with caplog.at_level(logging.INFO, logger="portal.audit"):
        for minute in range(3):  # a reloading browser: the same view, at another time
            trail.record(record(at=WHEN + dt.timedelta(seconds=minute)))
        trail.record(record(page="calendar"))  # another page: another view
    assert trail.flush(5)
    assert len(store.single) + sum(len(b) for b in store.batches) == 2
    assert trail.counters.recorded == 4 and trail.counters.coalesced == 2
    assert sum(r.getMessage().startswith('{"event":"access"') for r in caplog.records) == 4


def test_without_a_window_every_view_is_an_audit_event() -> None:
    store = GatedStore()
    store.gate.set()
    trail = AuditTrail(store, "unit-secret-0123456789-0123456789", coalesce_seconds=0)  # type: ignore[arg-type]
    for _ in range(3):
        trail.record(record())
    assert trail.flush(5)
    assert len(store.single) + sum(len(b) for b in store.batches) == 3 and not trail.counters.coalesced


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
