"""`portal indicators` on the demo store: the command a platform runs each month, as a real process with the
portal's settings, reading the AuditEvents the portal wrote and the PPS versions the store holds.

The figures are checked against counts made here: June 2026 holds only the records this test writes (through the
portal's own AuditEvent mapping), beside the three versions the synthetic set dates in June; the views of people
who really signed in are read back from the store as the report reads them."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from portal.access.records import AccessRecord, Actor, to_audit_event
from portal.plain.views.common import PARIS
from portal.store import FhirClient, pdsm
from tests.conftest import Running, portal_settings
from tests.integration.signin import sign_in

pytestmark = pytest.mark.integration

PORTAL = Path(sys.executable).parent / "portal"
JUNE = datetime(2026, 6, 8, 9, tzinfo=UTC)


def indicators(running: Running, month: str) -> tuple[int, dict[tuple[str, str], dict[str, str]], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(portal_settings(running.stack))
    done = subprocess.run(
        [str(PORTAL), "indicators", "--month", month, "--lang", "en"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    table = {(row["indicator"], row["group"]): row for row in csv.DictReader(io.StringIO(done.stdout))}
    return done.returncode, table, done.stderr


def _write(client: FhirClient, kind: str, who: str, page: str, document: str, at: datetime) -> None:
    record = AccessRecord(Actor(kind, "urn:test:indicators", who), "pat-henri", page, "success", at, document=document)
    client.create(to_audit_event(record, "pps-portal"))


def test_the_june_report_counts_what_was_recorded_in_june(running: Running) -> None:
    with FhirClient(running.stack.store_url, cache_ttl=0) as client:
        for i in range(12):  # twelve people, thirteen views, one plan each
            _write(client, "patient", f"june-p{i}", "overview", "doc-henri-pps-v2", JUNE + timedelta(hours=i))
        _write(client, "patient", "june-p0", "treatments", "doc-henri-pps-v2", JUNE + timedelta(days=1))
        for i in range(10):
            _write(client, "caregiver", f"june-c{i}", "calendar", "doc-henri-pps-v2", JUNE)
            _write(client, "caregiver", f"june-c{i}", "plan_pdf", "doc-henri-pps-v2", JUNE)
        _write(client, "representative", "june-r0", "overview", "doc-henri-pps-v2", JUNE)
        # Just outside June, French time: 1 July 00:30 in Paris is still 30 June in UTC.
        _write(client, "patient", "july", "overview", "doc-henri-pps-v2", datetime(2026, 6, 30, 22, 30, tzinfo=UTC))

    code, table, err = indicators(running, "2026-06")

    assert code == 0, err
    assert table["views", "all"]["value"] == "24"  # 13 + 10 + 1
    assert table["views", "patient"]["value"] == "13"
    assert table["views", "caregiver"]["suppressed"] == "not shown, so that a smaller figure cannot be worked out"
    assert table["views", "representative"]["suppressed"] == "fewer than 10: not shown"
    assert table["people", "all"]["value"] == "23"
    assert table["exports", "plan_pdf"]["value"] == "10"
    # The synthetic set dates three versions in June (Diane's, Henri's, Victor's): fewer than ten.
    assert (table["versions_published", "all"]["value"], table["versions_published", "all"]["suppressed"]) == (
        "",
        "fewer than 10: not shown",
    )
    assert not [row for row in table.values() if row["value"].isdigit() and 0 < int(row["value"]) < 10], (
        "a figure from 1 to 9 was shown"
    )


def test_views_of_people_who_signed_in_reach_the_report(running: Running) -> None:
    people = ["germaine", "henri", "victor"]
    since = datetime.now(UTC) - timedelta(minutes=1)
    for login in people:
        account = running.accounts[login]
        browser = requests.Session()
        page = sign_in(browser, running.portal_url + "/login", login, account["password"])
        assert page.status_code == 200, f"{login} could not sign in"
        assert browser.get(running.portal_url + "/treatments", timeout=30).status_code == 200
    assert running.app.extensions["portal.access.trail"].flush(timeout=30)

    with FhirClient(running.stack.store_url, cache_ttl=0) as client:
        entries = pdsm.access_entries_between(client, since, datetime.now(UTC) + timedelta(minutes=1))
    system = running.app.extensions["portal.settings"].oidc_subject_system
    for login in people:
        theirs = [e for e in entries if e.actor_identifier == f"{system}|{running.accounts[login]['sub']}"]
        assert theirs, f"no access record of {login}"
        assert {(e.role, e.what, e.success) for e in theirs} >= {("patient", "treatments", True)}
        assert all(e.document and e.document.startswith(f"doc-{login}-pps-") for e in theirs if e.what == "treatments")

    month = datetime.now(PARIS).strftime("%Y-%m")  # the month the report means: French time
    code, table, err = indicators(running, month)
    assert code == 0, err
    assert table["people", "patient"]["value"] == "" or int(table["people", "patient"]["value"]) >= len(people)
    assert not [row for row in table.values() if row["value"].isdigit() and 0 < int(row["value"]) < 10]
