"""What a patient treated in two regions takes away, on the demo stack with two stores: the home store and nord
(synthetic/regions.py). Real sign-ins, the real stores, the portal over HTTP; each test reads the downloaded file.

- Bernard, diagnosed at home and treated in nord: his calendar file holds the events of both his current plans, with
  the UIDs each plan's own file gives them; his portable copy has one folder per store, each with that store's
  files (byte for byte) and its own metadata Bundle.
- Agathe, who helps him in nord only, takes away his nord plan only, in the one-plan layout.
"""

from __future__ import annotations

import base64
import io
import json
import re
import threading
import zipfile
from collections.abc import Iterator
from typing import Any

import icalendar
import pytest
import requests
from flask import Flask
from stack import HOME_REGION_LABELS, REGION_LABELS
from werkzeug.serving import make_server

from portal import create_app
from portal.exports.ics import calendar_file
from portal.pps import read_pps
from portal.store.resources import INVISIBLE_PATIENT
from synthetic import build_bundle, build_region_bundle
from tests.conftest import DemoStack, free_port, load_accounts, portal_settings
from tests.integration.signin import sign_in

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("quiet_urllib3")]

ACCOUNTS = {a["login"]: a for a in load_accounts()}
SUD, NORD = HOME_REGION_LABELS[0], REGION_LABELS["nord"][0]
#: Each store's seed, and Bernard's Patient in it.
SEEDS = {"home": build_bundle(), "nord": build_region_bundle("nord")}
BERNARD = {"home": "pat-bernard", "nord": "pat-nord-bernard"}


class Portal:
    def __init__(self, stack: DemoStack, url: str, app: Flask) -> None:
        self.stack, self.url, self.app = stack, url, app


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    seeds = tmp_path_factory.mktemp("export-seeds")
    home, nord = seeds / "home.json", seeds / "nord.json"
    home.write_text(json.dumps(SEEDS["home"]), encoding="utf-8")
    nord.write_text(json.dumps(SEEDS["nord"]), encoding="utf-8")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    stack = DemoStack(portal_url=url, seed=home, regions={"nord": nord}, log_dir=tmp_path_factory.mktemp("export-logs"))
    with stack:
        app = create_app({**portal_settings(stack), **stack.regions_environment()})
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="portal-region-exports", daemon=True)
        thread.start()
        try:
            yield Portal(stack, url, app)
        finally:
            server.shutdown()
            thread.join(timeout=30)


def signed_in(portal: Portal, login: str) -> requests.Session:
    browser = requests.Session()
    page = sign_in(browser, portal.url + "/login", login, ACCOUNTS[login]["password"])
    assert page.status_code == 200, f"{login} could not sign in"
    return browser


def choose(browser: requests.Session, portal: Portal, key: str) -> None:
    token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get(portal.url + "/glossary", timeout=60).text)
    assert token, "no CSRF token"
    answer = browser.post(
        portal.url + "/choose",
        data={"patient": key, "csrf_token": token.group(1)},
        headers={"Origin": portal.url},
        allow_redirects=False,
        timeout=60,
    )
    assert answer.status_code == 302


def resources(store: str, kind: str) -> dict[str, dict[str, Any]]:
    return {e["resource"]["id"]: e["resource"] for e in SEEDS[store]["entry"] if e["resource"]["resourceType"] == kind}


def binary(store: str, url: str) -> bytes:
    return base64.b64decode(resources(store, "Binary")[url.removeprefix("Binary/")]["data"])


def own_documents(store: str) -> dict[str, dict[str, Any]]:
    """Bernard's documents in that store that the patient sees (none is hidden from him in the seeds: checked)."""
    found = {
        doc_id: r
        for doc_id, r in resources(store, "DocumentReference").items()
        if r["subject"]["reference"] == f"Patient/{BERNARD[store]}" and r["status"] in ("current", "superseded")
    }
    labels = {c.get("code") for r in found.values() for s in r.get("securityLabel", []) for c in s.get("coding", [s])}
    assert INVISIBLE_PATIENT not in labels
    return found


def expected_events(store: str) -> dict[str, icalendar.Event]:
    """The events of the one-plan calendar file of Bernard's current plan in that store, from the seed's CDA."""
    current = next(r for r in own_documents(store).values() if r["status"] == "current")
    cda = next(c["attachment"] for c in current["content"] if c["attachment"]["contentType"] == "text/xml")
    data = calendar_file(read_pps(binary(store, cda["url"])), "fr")
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}


def downloaded_events(browser: requests.Session, portal: Portal, query: str = "") -> dict[str, icalendar.Event]:
    answer = browser.get(portal.url + "/documents/calendar.ics" + query, timeout=60)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/calendar")
    events = icalendar.Calendar.from_ical(answer.content).walk("VEVENT")
    found = {str(e["UID"]): e for e in events}
    assert len(found) == len(events), "a UID twice in one file"
    return found


def downloaded_copy(browser: requests.Session, portal: Portal) -> dict[str, bytes]:
    answer = browser.get(portal.url + "/documents/copy.zip", timeout=120)
    assert answer.status_code == 200 and answer.content.startswith(b"PK")
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_calendar_file_holds_the_events_of_both_plans_with_their_own_uids(portal: Portal) -> None:
    home, nord = expected_events("home"), expected_events("nord")
    assert home and nord and not home.keys() & nord.keys()
    bernard = signed_in(portal, "bernard")
    found = downloaded_events(bernard, portal)  # opened on his nord plan, the newer
    assert found.keys() == home.keys() | nord.keys()
    for uid, event in {**home, **nord}.items():
        assert found[uid]["DTSTART"].dt == event["DTSTART"].dt, uid
        assert found[uid]["SEQUENCE"] == event["SEQUENCE"], uid
    # One event of his home plan, asked while he reads the nord one.
    uid = next(iter(home))
    assert list(downloaded_events(bernard, portal, f"?event={uid}")) == [uid]
    # The same file when he reads his home plan.
    choose(bernard, portal, "pat-bernard")
    assert downloaded_events(bernard, portal).keys() == found.keys()


def test_his_daughter_takes_away_the_one_plan_she_helps_with(portal: Portal) -> None:
    agathe = signed_in(portal, "agathe")
    assert downloaded_events(agathe, portal).keys() == expected_events("nord").keys()
    files = downloaded_copy(agathe, portal)
    assert {name.split("/", 1)[0] for name in files} == {"documents", "metadata.json"}
    ids = {e["resource"]["id"] for e in json.loads(files["metadata.json"])["entry"]}
    assert ids == set(own_documents("nord"))


def test_the_portable_copy_has_one_folder_per_store_with_that_stores_files_and_bundle(portal: Portal) -> None:
    bernard = signed_in(portal, "bernard")
    files = downloaded_copy(bernard, portal)
    assert {name.split("/", 1)[0] for name in files} == {SUD, NORD}
    for folder, store in ((SUD, "home"), (NORD, "nord")):
        held = own_documents(store)
        bundle = json.loads(files[f"{folder}/metadata.json"])
        assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
        shown = {e["resource"]["id"]: e["resource"] for e in bundle["entry"]}
        assert set(shown) == set(held)  # this store's documents, nothing of the other's
        for doc_id, resource in shown.items():
            for content, original in zip(resource["content"], held[doc_id]["content"], strict=True):
                path = f"{folder}/{content['attachment']['url']}"
                assert files[path] == binary(store, original["attachment"]["url"]), path
            for link in resource.get("relatesTo", []):  # a version chain stays within its store
                assert link["target"]["reference"].removeprefix("DocumentReference/") in held
        in_folder = [n for n in files if n.startswith(f"{folder}/documents/")]
        assert len(in_folder) == sum(len(r["content"]) for r in held.values())
