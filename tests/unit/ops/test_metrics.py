"""Prometheus metrics: per-route latency, store latency and statuses, cache hits and misses, sign-in outcomes,
access-log failures; /metrics only with the bearer token, and no such page without one."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
import responses
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client import REGISTRY

from portal import create_app
from portal.access.records import AccessRecord, Actor, Outcome
from portal.access.trail import AuditTrail
from portal.store import FhirClient
from tests.unit.conftest import STORE, FakeProvider, base_env, make_client, sign_in

TOKEN = "metrics-token-for-unit-tests-0123456789"


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def metrics_app() -> Flask:
    app = create_app(base_env(PORTAL_METRICS_TOKEN=TOKEN))
    app.config["TESTING"] = True
    return app


def test_metrics_need_the_bearer_token(metrics_app: Flask) -> None:
    client = metrics_app.test_client()

    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong-token"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": TOKEN}).status_code == 401
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/plain")
    assert answer.headers["Cache-Control"] == "no-store"
    assert "portal_http_request_duration_seconds" in answer.get_data(as_text=True)


def test_metrics_never_answer_through_the_reverse_proxy(metrics_app: Flask) -> None:
    answer = metrics_app.test_client().get(
        "/metrics", headers={"Authorization": f"Bearer {TOKEN}", "X-Forwarded-For": "203.0.113.9"}
    )
    assert answer.status_code != 200
    assert "portal_http" not in answer.get_data(as_text=True)


def test_metrics_are_read_only(metrics_app: Flask) -> None:
    answer = metrics_app.test_client().post("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 405


def test_without_a_token_there_is_no_metrics_page(client: FlaskClient) -> None:
    answer = client.get("/metrics", headers={"Authorization": "Bearer anything-at-all-0123456789abcdef"})
    assert answer.status_code == 404
    assert "portal_http" not in answer.get_data(as_text=True)


def test_request_latency_is_counted_per_route_rule(client: FlaskClient) -> None:
    labels = {"route": "/healthz", "method": "GET", "status": "200"}
    before = sample("portal_http_request_duration_seconds_count", **labels)

    client.get("/healthz")
    client.get("/healthz")

    assert sample("portal_http_request_duration_seconds_count", **labels) == before + 2


def test_unmatched_paths_share_one_label(client: FlaskClient) -> None:
    labels = {"route": "<unmatched>", "method": "GET", "status": "404"}
    before = sample("portal_http_request_duration_seconds_count", **labels)

    client.get("/no-such-page/one")
    client.get("/no-such-page/two")

    assert sample("portal_http_request_duration_seconds_count", **labels) == before + 2


def test_store_calls_are_timed_per_kind_of_call_and_status(app: Flask, mock: responses.RequestsMock) -> None:
    mock.add(responses.GET, f"{STORE}/Patient/p1", json={"resourceType": "Patient", "id": "p1"})
    mock.add(responses.GET, f"{STORE}/Patient/gone", status=404, json={"resourceType": "OperationOutcome"})
    mock.add(responses.GET, f"{STORE}/Patient/slow", body=requests.exceptions.ConnectTimeout())
    store: FhirClient = app.extensions["portal.store"]
    ok = sample("portal_store_request_duration_seconds_count", interaction="read Patient", status="200")
    missing = sample("portal_store_request_duration_seconds_count", interaction="read Patient", status="404")
    silent = sample("portal_store_request_duration_seconds_count", interaction="read Patient", status="0")

    store.read("Patient", "p1")
    for absent in ("gone", "slow"):
        with pytest.raises(Exception, match="Patient"):
            store.read("Patient", absent)

    assert sample("portal_store_request_duration_seconds_count", interaction="read Patient", status="200") == ok + 1
    assert (
        sample("portal_store_request_duration_seconds_count", interaction="read Patient", status="404") == missing + 1
    )
    assert sample("portal_store_request_duration_seconds_count", interaction="read Patient", status="0") == silent + 1


def test_cache_hits_and_misses_are_counted(app: Flask, mock: responses.RequestsMock) -> None:
    bundle = {"resourceType": "Bundle", "type": "searchset", "entry": []}
    mock.add(responses.GET, f"{STORE}/CareTeam", json=bundle)
    store: FhirClient = app.extensions["portal.store"]
    hits = sample("portal_store_cache_lookups_total", interaction="search CareTeam", result="hit")
    misses = sample("portal_store_cache_lookups_total", interaction="search CareTeam", result="miss")

    store.search("CareTeam", {"patient": "p-metrics"})
    store.search("CareTeam", {"patient": "p-metrics"})

    assert sample("portal_store_cache_lookups_total", interaction="search CareTeam", result="miss") == misses + 1
    assert sample("portal_store_cache_lookups_total", interaction="search CareTeam", result="hit") == hits + 1


def test_sign_in_outcomes_are_counted(client: FlaskClient, provider: FakeProvider) -> None:
    succeeded = sample("portal_sign_ins_total", provider="patient", outcome="succeeded")
    invalid = sample("portal_sign_ins_total", provider="patient", outcome="invalid")

    sign_in(client, provider)
    provider.claims_patch = {"aud": "someone-else"}
    sign_in(make_client(client.application), provider)

    assert sample("portal_sign_ins_total", provider="patient", outcome="succeeded") == succeeded + 1
    assert sample("portal_sign_ins_total", provider="patient", outcome="invalid") == invalid + 1


def test_a_cancelled_sign_in_is_counted_as_cancelled(client: FlaskClient, provider: FakeProvider) -> None:
    before = sample("portal_sign_ins_total", provider="patient", outcome="cancelled")
    client.get("/login")

    client.get("/auth/callback?error=access_denied&state=whatever")

    assert sample("portal_sign_ins_total", provider="patient", outcome="cancelled") == before + 1


def test_access_records_dropped_or_abandoned_by_the_trail_are_counted() -> None:
    """Counted where it happens, through the trail: a full queue drops one; a store that refuses abandons one."""
    before = sample("portal_access_log_failures_total")
    store = responses.RequestsMock(assert_all_requests_are_fired=False)
    with store, FhirClient("https://store.test/fhir", retries=0, cache_ttl=0) as client:
        store.post("https://store.test/fhir/AuditEvent", status=422, json={"resourceType": "OperationOutcome"})
        trail = AuditTrail(client, "secret", queue_size=1, coalesce_seconds=0, batch_size=1, background=False)
        trail.record(_record("treatments"))
        trail.record(_record("calendar"))  # the queue holds one: this one is dropped
        trail.drain()  # the store refuses the first: abandoned at once (a refusal is not retried)
    assert (trail.counters.dropped, trail.counters.abandoned) == (1, 1)
    assert sample("portal_access_log_failures_total") == before + 2


def _record(page: str, kind: str = "patient", outcome: Outcome = "success") -> AccessRecord:
    return AccessRecord(
        actor=Actor(kind, "urn:test", "sub-1"),
        patient_id="pat-1",
        page=page,
        outcome=outcome,
        at=dt.datetime(2026, 12, 4, tzinfo=dt.UTC),
    )


def test_views_and_files_taken_are_counted_as_the_indicators_count_them() -> None:
    """A view once per coalescing window, by store and kind of viewer; a file by kind of file; a refused view not at
    all."""
    views = sample("portal_plan_views_total", store="nord", viewer_kind="caregiver")
    pdfs = sample("portal_exports_total", store="nord", kind="plan_pdf")
    calendars = sample("portal_exports_total", store="nord", kind="calendar_file")
    store = responses.RequestsMock(assert_all_requests_are_fired=False)
    with store, FhirClient("https://store.test/fhir", retries=0, cache_ttl=0) as client:
        store.post("https://store.test/fhir/AuditEvent", status=201, json={"resourceType": "AuditEvent", "id": "a"})
        trail = AuditTrail(
            client, "secret", store="nord", coalesce_seconds=60, batch_size=1, background=False, clock=lambda: 0.0
        )
        trail.record(_record("treatments", "caregiver"))
        trail.record(_record("treatments", "caregiver"))  # a reload: the same view
        trail.record(_record("calendar", "caregiver", outcome="refused"))
        trail.record(_record("plan_pdf", "caregiver"))
        trail.record(_record("calendar_file", "caregiver"))
        trail.drain()
    assert trail.counters.written == 4  # the refused view is recorded, and not counted as a view
    assert sample("portal_plan_views_total", store="nord", viewer_kind="caregiver") == views + 1
    assert sample("portal_exports_total", store="nord", kind="plan_pdf") == pdfs + 1
    assert sample("portal_exports_total", store="nord", kind="calendar_file") == calendars + 1


def test_metrics_hold_no_path_no_id_and_no_query(metrics_app: Flask) -> None:
    client = make_client(metrics_app)
    client.get("/history/pat-alice-fictive-0001?patient=295017512345678")

    text = metrics_app.test_client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).get_data(True)

    assert "pat-alice-fictive" not in text
    assert "295017512345678" not in text
