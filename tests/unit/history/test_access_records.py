"""The access record of a version page names the version actually shown; compare names both versions; a refused
attempt keeps the id that was asked for (as text in the AuditEvent, hashed in the log line)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import responses
from flask import Flask
from flask.testing import FlaskClient

from portal import create_app
from portal.access.records import AccessRecord, Actor, Pseudonyms, log_line, to_audit_event
from tests.unit.conftest import FakeProvider, base_env, signed_in
from tests.unit.history.store import serve_versions


class Recorder:
    """Stands in for the app's access trail: keeps every record the pages make."""

    def __init__(self) -> None:
        self.records: list[AccessRecord] = []

    def record(self, record: AccessRecord) -> None:
        self.records.append(record)

    def last(self) -> AccessRecord:
        return self.records[-1]


@pytest.fixture
def app() -> Flask:
    flask_app = create_app(base_env(PORTAL_STORE_CACHE_TTL="0", PORTAL_PAGE_CACHE_BYTES="0"))
    flask_app.config["TESTING"] = True
    return flask_app


@pytest.fixture
def trail(app: Flask) -> Recorder:
    recorder = Recorder()
    app.extensions["portal.access.trail"] = recorder
    return recorder


@pytest.fixture
def camille(client: FlaskClient, provider: FakeProvider, mock: responses.RequestsMock, trail: Recorder) -> FlaskClient:
    serve_versions(mock)
    signed_in(client, provider)
    return client


def test_an_older_version_is_recorded_as_that_version(camille: FlaskClient, trail: Recorder) -> None:
    assert camille.get("/history/v1").status_code == 200
    record = trail.last()
    assert (record.page, record.document, record.version, record.outcome) == ("version", "v1", "1", "success")


def test_compare_records_both_versions(camille: FlaskClient, trail: Recorder) -> None:
    assert camille.get("/history/compare?from=v1&to=v3").status_code == 200
    record = trail.last()
    assert (record.page, record.document, record.compared_with, record.outcome) == ("compare", "v3", "v1", "success")


@pytest.mark.parametrize(
    ("path", "asked"),
    [
        ("/history/no-such-version", "no-such-version"),
        ("/history/compare?from=v1&to=someone-elses", "someone-elses"),
        ("/documents/print?version=hidden-or-missing", "hidden-or-missing"),
        ("/documents/other-patients-doc/1", "other-patients-doc"),
        ("/history/%3Cscript%3E", "not-an-id"),
    ],
)
def test_a_refused_attempt_keeps_the_id_asked_for(camille: FlaskClient, trail: Recorder, path: str, asked: str) -> None:
    camille.get(path)
    record = trail.last()
    assert (record.document, record.outcome) == (asked, "refused")


def _record(**changes: object) -> AccessRecord:
    base = AccessRecord(
        actor=Actor("patient", "urn:test", "sub-1", "Camille"),
        patient_id="pat-1",
        page="compare",
        outcome="success",
        at=dt.datetime(2026, 12, 4, tzinfo=dt.UTC),
        document="v3",
        version="3",
        compared_with="v1",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_the_audit_event_of_a_comparison_names_both_documents() -> None:
    event = to_audit_event(_record(), "portal")
    references = [e.get("what", {}).get("reference") for e in event["entity"]]
    assert "DocumentReference/v3" in references and "DocumentReference/v1" in references


def test_a_refused_attempt_is_text_in_the_audit_event_and_hashed_in_the_log() -> None:
    refused = _record(outcome="refused", document="asked-id", compared_with=None, version=None)
    event = to_audit_event(refused, "portal")
    assert "DocumentReference/asked-id" not in str(event)  # never a reference to what may be someone else's
    assert {"type": "requested-id", "valueString": "asked-id"} in event["entity"][1]["detail"]
    line = log_line(refused, Pseudonyms("secret"))
    assert "asked-id" not in line
