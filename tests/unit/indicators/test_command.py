"""`portal indicators --month YYYY-MM`: the CSV an agency receives, read from a fake store through the real client;
a wrong month, a missing setting or a store that fails is one readable line and a non-zero exit."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses
from click.testing import CliRunner

from portal.access.indicators import EXPORT_KINDS, VIEWER_KINDS
from portal.access.records import AccessRecord, Actor, to_audit_event
from portal.cli import portal
from portal.cli.indicators import month_bounds
from portal.cli.report import COLUMNS
from portal.plain.views.common import PARIS
from portal.store import FhirClient, pdsm
from tests.unit.conftest import STORE, base_env


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(portal, ["indicators", *args])
    return result.exit_code, result.stdout, result.stderr


def rows(text: str) -> dict[tuple[str, str], dict[str, str]]:
    table = list(csv.DictReader(io.StringIO(text)))
    return {(row["indicator"], row["group"]): row for row in table}


def test_a_month_is_french_time_from_its_first_day_to_the_next_months() -> None:
    assert month_bounds("2026-11") == (datetime(2026, 11, 1, tzinfo=PARIS), datetime(2026, 12, 1, tzinfo=PARIS))
    start, end = month_bounds("2026-12")
    assert end == datetime(2027, 1, 1, tzinfo=PARIS)
    # March has a change of time: 31 days less one hour.
    start, end = month_bounds("2026-03")
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(days=31, hours=-1)
    assert start.astimezone(UTC) == datetime(2026, 2, 28, 23, tzinfo=UTC)


def _bundle(resources: list[dict[str, Any]]) -> tuple[int, dict[str, str], str]:
    bundle = {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": r} for r in resources]}
    return 200, {"Content-Type": "application/fhir+json"}, json.dumps(bundle)


def _event(kind: str, who: str, page: str, document: str, at: datetime) -> dict[str, Any]:
    record = AccessRecord(Actor(kind, "urn:test", who), "pat-1", page, "success", at, document=document)
    return {"id": f"ae-{kind}-{who}-{page}-{at.timestamp():.0f}", **to_audit_event(record, "pps-portal")}


def _version(doc: str, at: datetime) -> dict[str, Any]:
    return {
        "resourceType": "DocumentReference",
        "id": doc,
        "status": "current",
        "date": at.isoformat(),
        "type": {"coding": [{"system": "http://loinc.org", "code": "18776-5"}]},
        "subject": {"reference": "Patient/pat-1"},
        "content": [{"attachment": {"contentType": "text/xml", "url": f"Binary/{doc}"}}],
    }


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> Any:
    for name, value in base_env().items():
        monkeypatch.setenv(name, value)
    november = datetime(2026, 11, 2, 9, tzinfo=UTC)
    events = [_event("patient", f"p{i}", "overview", f"v{i}", november + timedelta(hours=i)) for i in range(12)]
    events += [_event("caregiver", f"c{i}", "overview", "v0", november) for i in range(3)]
    events += [_event("patient", f"p{i}", "plan_pdf", f"v{i}", november + timedelta(hours=20)) for i in range(11)]
    versions = [_version(f"v{i}", november - timedelta(hours=1)) for i in range(12)]
    asked: list[dict[str, list[str]]] = []

    def search(resources: list[dict[str, Any]]) -> Any:
        def answer(request: Any) -> tuple[int, dict[str, str], str]:
            query: dict[str, list[str]] = {}
            for key, value in parse_qsl(urlsplit(request.url).query):
                query.setdefault(key, []).append(value)
            asked.append(query)
            return _bundle(resources)

        return answer

    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        mock.add_callback(responses.GET, STORE + "/AuditEvent", callback=search(events))
        mock.add_callback(responses.GET, STORE + "/DocumentReference", callback=search(versions))
        yield asked


def test_the_report_counts_the_month_and_hides_small_figures(store: list[dict[str, list[str]]]) -> None:
    code, out, err = run("--month", "2026-11", "--lang", "en")
    assert code == 0, err
    assert out.splitlines()[0] == ",".join(COLUMNS)
    table = rows(out)
    assert table["views", "all"]["value"] == "15"
    assert (table["views", "caregiver"]["value"], table["views", "caregiver"]["suppressed"]) == (
        "",
        "fewer than 10: not shown",
    )
    # 15 − 12 would give the caregivers' 3 away: the patients' figure is hidden too.
    assert (table["views", "patient"]["value"], table["views", "patient"]["suppressed"]) == (
        "",
        "not shown, so that a smaller figure cannot be worked out",
    )
    assert table["views", "representative"]["value"] == "0"
    assert table["exports", "plan_pdf"]["value"] == "11"
    assert table["versions_published", "all"]["value"] == "12"
    assert table["versions_opened", "patient"]["value"] == "12"
    assert table["hours_to_first_opening_median", "patient"]["value"] == "6.0"  # 1 … 12 hours: the 6th
    assert {group for indicator, group in table if indicator == "views"} == {"all", *VIEWER_KINDS}
    assert {group for indicator, group in table if indicator == "exports"} == {"all", *EXPORT_KINDS}
    assert all(row["month"] == "2026-11" and row["meaning"] for row in table.values())
    # Each search asked the month, French time, and the store answers nothing from a cache.
    dates = {tuple(query["date"]) for query in store}
    assert ("ge2026-11-01T00:00:00+01:00", "lt2026-12-01T00:00:00+01:00") in dates


def test_the_meanings_are_in_french_by_default(store: list[dict[str, list[str]]]) -> None:
    code, out, _ = run("--month", "2026-11")
    assert code == 0
    table = rows(out)
    assert table["views", "caregiver"]["suppressed"] == "moins de 10 : non affiché"
    assert "aidants" in table["views", "caregiver"]["meaning"]


@pytest.mark.parametrize("month", ["2026-13", "novembre", "2026/11", ""])
def test_a_month_not_written_yyyy_mm_is_refused_in_one_line(month: str) -> None:
    code, _, err = run("--month", month)
    assert code == 2 and "YYYY-MM" in err and "Traceback" not in err


def test_a_month_to_come_is_refused() -> None:
    code, _, err = run("--month", "2999-01")
    assert code == 2 and "has not started yet" in err


def test_a_missing_setting_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in base_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("PORTAL_STORE_URL")
    code, out, err = run("--month", "2026-11")
    assert code == 2 and out == ""
    assert err.strip() == "portal: PORTAL_STORE_URL is missing: expected an absolute http(s) URL."


def test_a_store_that_fails_is_one_line_and_no_report(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in base_env().items():
        monkeypatch.setenv(name, value)
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, STORE + "/AuditEvent", status=503)
        code, out, err = run("--month", "2026-11")
    assert code == 1 and out == ""
    assert err.startswith("portal: the store did not give the records:") and len(err.strip().splitlines()) == 1


def test_a_record_of_the_same_second_as_the_end_is_found_and_one_after_it_is_not() -> None:
    """The store compares to the second: the search widens the end to the next whole second, and the exact end
    is applied to what comes back (a report made in the second of the last view still counts it)."""
    end = datetime(2026, 12, 4, 12, 0, 0, 700_000, tzinfo=UTC)
    before, after = end - timedelta(milliseconds=300), end + timedelta(milliseconds=200)
    events = [_event("patient", "p1", "overview", "v1", before), _event("patient", "p2", "overview", "v1", after)]

    def like_a_store(request: Any) -> tuple[int, dict[str, str], str]:
        bounds = [value for key, value in parse_qsl(urlsplit(request.url).query) if key == "date"]
        upper = datetime.fromisoformat(next(b[2:] for b in bounds if b.startswith("lt")))
        assert upper == datetime(2026, 12, 4, 12, 0, 1, tzinfo=UTC)
        return _bundle([e for e in events if datetime.fromisoformat(e["recorded"]) < upper])

    with responses.RequestsMock() as mock, FhirClient(STORE, cache_ttl=0, retries=0) as client:
        mock.add_callback(responses.GET, STORE + "/AuditEvent", callback=like_a_store)
        found = pdsm.access_entries_between(client, end - timedelta(days=1), end)
    assert [entry.actor_identifier for entry in found] == ["urn:test|p1"]


def test_a_store_that_is_not_configured_is_refused_naming_the_known_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in base_env().items():
        monkeypatch.setenv(name, value)
    code, out, err = run("--month", "2026-11", "--store", "nord")
    assert code == 2 and out == ""
    assert "'nord' is not a configured store: home." in err


def test_the_report_of_a_regional_store_reads_that_store(monkeypatch: pytest.MonkeyPatch) -> None:
    nord = "https://nord.test/fhir"
    env = base_env(PORTAL_REGIONS="nord", PORTAL_REGION_NORD_URL=nord)
    env |= {"PORTAL_REGION_NORD_LABEL_FR": "Nord", "PORTAL_REGION_NORD_LABEL_EN": "North"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with responses.RequestsMock() as mock:  # nothing registered for the home store: a call there fails the test
        mock.add_callback(responses.GET, nord + "/AuditEvent", callback=lambda _r: _bundle([]))
        mock.add_callback(responses.GET, nord + "/DocumentReference", callback=lambda _r: _bundle([]))
        code, out, err = run("--month", "2026-11", "--store", "nord", "--lang", "en")
    assert code == 0, err
    assert rows(out)["views", "all"]["value"] == "0"
