"""Coalesced views are counted, not lost: the repeats of a view within `PORTAL_AUDIT_COALESCE_SECONDS` share one
more AuditEvent that says how many views it stands for and their first and last time; the patient's access page
leaves it out. The trail's clock is injected: the window closes when the test says so."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import responses

from portal.access.records import VIEWS_DETAIL, AccessRecord, Actor
from portal.access.trail import AuditTrail
from portal.store import FhirClient, pdsm

WHEN = dt.datetime(2026, 9, 1, 10, 30, tzinfo=dt.UTC)
HELENE = Actor("caregiver", "urn:pps-portal:test:sub", "p-6e2b71c0d9", "Hélène Factice", "RelatedPerson/rp-1")
SECRET = "unit-secret-0123456789-0123456789"
STORE = "https://audit-repeats.test/fhir"


class RecordingStore:
    """Takes every AuditEvent at once and keeps it."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def create(self, resource: dict[str, Any], *, timeout: float) -> None:
        with self.lock:
            self.events.append(resource)

    def create_batch(self, resources: list[dict[str, Any]], *, timeout: float) -> list[int]:
        with self.lock:
            self.events.extend(resources)
        return [201] * len(resources)


class Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


def view(second: int, page: str = "overview") -> AccessRecord:
    return AccessRecord(HELENE, "pat-germaine", page, "success", WHEN + dt.timedelta(seconds=second), "Patient/pat-g")


def views_of(event: dict[str, Any]) -> str | None:
    details = event["entity"][1].get("detail", [])
    return next((d["valueString"] for d in details if d["type"] == VIEWS_DETAIL), None)


def test_the_repeats_of_a_window_share_one_audit_event_that_counts_them_and_says_when() -> None:
    store, clock = RecordingStore(), Clock()
    trail = AuditTrail(store, SECRET, coalesce_seconds=60, clock=clock)  # type: ignore[arg-type]
    for second in (0, 5, 20, 41):  # a first look, then three reloads within the minute
        clock.now = 50.0 + second
        trail.record(view(second))
    assert trail.flush(5)
    assert len(store.events) == 1 and views_of(store.events[0]) is None  # the first look, at once

    clock.now = 50.0 + 60  # the window has closed: the next view the process records writes the repeats
    trail.record(view(60, page="calendar"))
    assert trail.flush(5)

    repeats = [e for e in store.events if views_of(e) is not None]
    assert len(repeats) == 1
    assert views_of(repeats[0]) == "3"
    assert repeats[0]["period"] == {"start": "2026-09-01T10:30:05.000Z", "end": "2026-09-01T10:30:41.000Z"}
    assert repeats[0]["entity"][1]["name"] == "overview"
    # Every view is in the store's trace: 1 look + 3 repeats + the calendar.
    assert sum(int(views_of(e) or 1) for e in store.events) == 5 == trail.counters.recorded


def test_the_repeats_still_open_at_exit_are_written() -> None:
    store, clock = RecordingStore(), Clock()
    trail = AuditTrail(store, SECRET, coalesce_seconds=60, clock=clock)  # type: ignore[arg-type]
    trail.record(view(0))
    trail.record(view(1))
    trail.close(last_chance=5)
    assert [views_of(e) for e in store.events] == [None, "1"]


def test_a_view_without_repeats_makes_one_event_only() -> None:
    store, clock = RecordingStore(), Clock()
    trail = AuditTrail(store, SECRET, coalesce_seconds=60, clock=clock)  # type: ignore[arg-type]
    trail.record(view(0))
    clock.now += 61
    trail.record(view(61))  # a new window: a new look
    trail.close(last_chance=5)
    assert [views_of(e) for e in store.events] == [None, None]


def test_the_patients_access_page_leaves_the_repeats_out() -> None:
    store, clock = RecordingStore(), Clock()
    trail = AuditTrail(store, SECRET, coalesce_seconds=60, clock=clock)  # type: ignore[arg-type]
    trail.record(view(0))
    trail.record(view(3))
    trail.close(last_chance=5)
    events = [{**e, "id": f"ae-{n}"} for n, e in enumerate(store.events)]
    events = [
        {**e, "entity": [{**e["entity"][0], "what": {"reference": "Patient/pat-germaine"}}, e["entity"][1]]}
        for e in events
    ]
    bundle = {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": e} for e in events]}
    with responses.RequestsMock() as mock, FhirClient(STORE) as client:
        mock.get(f"{STORE}/AuditEvent", json=bundle)
        entries = pdsm.access_entries(client, "pat-germaine")
    assert [e.id for e in entries] == ["ae-0"]
