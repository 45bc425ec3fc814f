"""The calendar file and the portable copy of a patient whose own plans are in two regional stores: Bernard, at home
(the whole synthetic set) and in nord (the demo's nord seed, `synthetic.regions`), where his newer plan is, so his
pages open on it. Agathe, his daughter, helps him in nord only.

Each test reads the file the portal answers (or the records a store received), not what the code decided."""

from __future__ import annotations

import io
import json
import logging
import re
import zipfile
from typing import Any

import icalendar
import pytest
import responses
from flask.testing import FlaskClient
from prometheus_client import REGISTRY

from portal.exports.ics import calendar_file
from portal.pps import read_pps
from synthetic import build_region_bundle
from tests.unit.conftest import FakeProvider
from tests.unit.viewers import NotingStore, ReaderStore, Viewers, reader_app

NORD = "https://nord.test/fhir"
HOME_LABEL = "DCC Exemple Sud"
NORD_LABEL = "Région Exemple-Nord – DCC Exemple Nord"
REGION_ENV = {
    "PORTAL_STORE_LABEL_FR": HOME_LABEL,
    "PORTAL_STORE_LABEL_EN": HOME_LABEL,
    "PORTAL_REGIONS": "nord",
    "PORTAL_REGION_NORD_URL": NORD,
    "PORTAL_REGION_NORD_LABEL_FR": NORD_LABEL,
    "PORTAL_REGION_NORD_LABEL_EN": "Example-North region",
}
#: Bernard's current plan in each store, and its CDA.
HOME_PLAN, HOME_CDA = "doc-bernard-pps-v2", "bin-bernard-pps-v2"
NORD_PLAN, NORD_CDA = "doc-nord-bernard-pps-v2", "bin-nord-bernard-pps-v2"


class NordStore(NotingStore):
    """The nord region's store, seeded as the demo's, noting the access records it receives."""

    def __post_init__(self) -> None:
        for entry in build_region_bundle("nord")["entry"]:
            resource = entry["resource"]
            self.resources[(resource["resourceType"], resource["id"])] = resource


@pytest.fixture
def nord(mock: responses.RequestsMock) -> NordStore:
    store = NordStore(NORD)
    store.install(mock)
    return store


@pytest.fixture
def regions(mock: responses.RequestsMock, provider: FakeProvider, nord: NordStore) -> Viewers:
    return Viewers(mock, provider, app=reader_app(**REGION_ENV))


def calendar(client: FlaskClient, query: str = "") -> dict[str, icalendar.Event]:
    answer = client.get("/documents/calendar.ics" + query)
    assert answer.status_code == 200, answer.status_code
    assert answer.mimetype == "text/calendar"
    events = icalendar.Calendar.from_ical(answer.get_data()).walk("VEVENT")
    found = {str(e["UID"]): e for e in events}
    assert len(found) == len(events), "a UID twice in one file"
    return found


def one_plan_file(store: ReaderStore, binary: str) -> dict[str, icalendar.Event]:
    """The events of the calendar file of that one plan, as the file of one plan gives them."""
    events = icalendar.Calendar.from_ical(calendar_file(read_pps(store.binary_bytes(binary)), "fr")).walk("VEVENT")
    return {str(e["UID"]): e for e in events}


def copy(client: FlaskClient) -> dict[str, bytes]:
    answer = client.get("/documents/copy.zip")
    assert answer.status_code == 200, answer.status_code
    with zipfile.ZipFile(io.BytesIO(answer.get_data())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def choose(client: FlaskClient, key: str) -> None:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/glossary").get_data(as_text=True))
    assert token
    assert client.post("/choose", data={"patient": key, "csrf_token": token.group(1)}).status_code == 302


def test_the_patients_calendar_holds_every_own_plans_events_with_that_plans_uids(
    regions: Viewers, nord: NordStore
) -> None:
    home, there = one_plan_file(regions.store, HOME_CDA), one_plan_file(nord, NORD_CDA)
    assert home and there and not home.keys() & there.keys()
    bernard = regions.sign_in("bernard")
    both = calendar(bernard)  # opened on his nord plan (the newer)
    assert both.keys() == home.keys() | there.keys()
    for uid, event in {**home, **there}.items():
        assert both[uid]["DTSTART"].dt == event["DTSTART"].dt
        assert str(both[uid]["SUMMARY"]) == str(event["SUMMARY"])
    # The same file whichever of his plans he is reading.
    choose(bernard, "pat-bernard")
    assert calendar(bernard).keys() == both.keys()
    # His daughter, who helps him in nord only, gets the one plan of her grant: the same UIDs as in his file.
    assert calendar(regions.sign_in("agathe")).keys() == there.keys()


def test_one_event_of_any_of_his_plans_is_found(regions: Viewers, nord: NordStore) -> None:
    bernard = regions.sign_in("bernard")
    home_uid = next(iter(one_plan_file(regions.store, HOME_CDA)))
    nord_uid = next(iter(one_plan_file(nord, NORD_CDA)))
    assert list(calendar(bernard, f"?event={home_uid}")) == [home_uid]  # reading his nord plan
    choose(bernard, "pat-bernard")
    assert list(calendar(bernard, f"?event={nord_uid}")) == [nord_uid]  # reading his home plan
    assert bernard.get("/documents/calendar.ics?event=nope@pps-portal").status_code == 404
    # Agathe's grant is for his nord plan only: an event of his home plan is not hers.
    assert regions.sign_in("agathe").get(f"/documents/calendar.ics?event={home_uid}").status_code == 404


def test_a_plan_the_other_store_cannot_give_now_is_left_out_of_the_calendar(
    regions: Viewers, nord: NordStore, caplog: pytest.LogCaptureFixture
) -> None:
    regions.store.tamper(HOME_CDA, data=b"<not the plan/>")  # the home store's file fails its hash check
    bernard = regions.sign_in("bernard")
    with caplog.at_level(logging.WARNING, logger="portal.web"):
        found = calendar(bernard)
    assert found.keys() == one_plan_file(nord, NORD_CDA).keys()
    assert "calendar file without the plan of store home: StoreIntegrityError" in caplog.text


def test_the_other_store_keeps_the_record_of_what_was_taken_from_it(regions: Viewers, nord: NordStore) -> None:
    bernard = regions.sign_in("bernard")
    choose(bernard, "pat-bernard")  # reading his home plan: the home store records the view as for every page
    before = {store: _exports(store) for store in ("home", "nord")}
    calendar(bernard)
    copy(bernard)
    assert regions.app.extensions["portal.regions"]["nord"].trail.flush(timeout=30)
    # The live figures count the files taken per store, as each store's records do: once in each.
    assert {store: _exports(store) - before[store] for store in before} == {"home": 2.0, "nord": 2.0}
    pages = [
        entity
        for post in nord.audit_posts
        for entity in post["entity"]
        if entity.get("name") in ("calendar_file", "portable_copy")
    ]
    assert {e["name"] for e in pages} == {"calendar_file", "portable_copy"}
    taken = [e["what"]["reference"] for e in pages if e["name"] == "calendar_file"]
    assert taken == [f"DocumentReference/{NORD_PLAN}"]
    patients = {e["what"]["reference"] for post in nord.audit_posts for e in post["entity"] if "Patient/" in str(e)}
    assert patients == {"Patient/pat-nord-bernard"}  # the patient as the nord store knows him


def documents_of(store: ReaderStore, patient: str) -> dict[str, dict[str, Any]]:
    return {
        doc_id: r
        for (kind, doc_id), r in store.resources.items()
        if kind == "DocumentReference" and r["subject"]["reference"] == f"Patient/{patient}"
    }


def test_the_copy_has_one_folder_per_store_each_a_whole_copy_of_that_stores_documents(
    regions: Viewers, nord: NordStore
) -> None:
    bernard = regions.sign_in("bernard")
    files = copy(bernard)
    folders = {name.split("/", 1)[0] for name in files}
    assert folders == {HOME_LABEL, NORD_LABEL}
    for folder, store, patient in ((HOME_LABEL, regions.store, "pat-bernard"), (NORD_LABEL, nord, "pat-nord-bernard")):
        bundle = json.loads(files[f"{folder}/metadata.json"])
        resources = [e["resource"] for e in bundle["entry"]]
        assert {r["id"] for r in resources} == set(documents_of(store, patient))  # his own, nothing of the other
        for resource in resources:
            held = documents_of(store, patient)[resource["id"]]["content"]
            for content, original in zip(resource["content"], held, strict=True):
                # Each file of the folder, byte for byte the store's, found where the folder's Bundle says.
                binary = original["attachment"]["url"].removeprefix("Binary/")
                assert files[f"{folder}/{content['attachment']['url']}"] == store.binary_bytes(binary)
    assert len([n for n in files if "/documents/" in n]) == sum(
        len(r["content"])
        for s, p in ((regions.store, "pat-bernard"), (nord, "pat-nord-bernard"))
        for r in documents_of(s, p).values()
    )
    # The same copy whichever plan he is reading.
    choose(bernard, "pat-bernard")
    assert sorted(copy(bernard)) == sorted(files)


def test_a_caregiver_gets_the_copy_of_the_one_plan_of_her_grant_as_before(regions: Viewers) -> None:
    files = copy(regions.sign_in("agathe"))
    assert "metadata.json" in files and all(n == "metadata.json" or n.startswith("documents/") for n in files)
    ids = {e["resource"]["id"] for e in json.loads(files["metadata.json"])["entry"]}
    assert ids and all(i.startswith("doc-nord-bernard") for i in ids)


def test_a_store_that_cannot_give_its_part_whole_leaves_no_copy_at_all(regions: Viewers, nord: NordStore) -> None:
    nord.tamper(NORD_CDA, data=b"<spoiled/>")
    bernard = regions.sign_in("bernard")
    choose(bernard, "pat-bernard")  # reading his home plan, whose files are all whole
    answer = bernard.get("/documents/copy.zip")
    assert answer.status_code == 502 and answer.mimetype == "text/html"
    assert "Le fichier reçu n’est pas celui transmis par votre équipe de soins." in answer.get_data(as_text=True)


def test_a_store_that_does_not_answer_leaves_no_copy_at_all(regions: Viewers, mock: responses.RequestsMock) -> None:
    bernard = regions.sign_in("bernard")
    choose(bernard, "pat-bernard")
    mock.replace(responses.GET, NORD + "/DocumentReference", status=503)
    answer = bernard.get("/documents/copy.zip")
    assert answer.status_code == 503 and answer.mimetype == "text/html"
    assert "Le fichier n’est pas arrivé complet" in answer.get_data(as_text=True)


def _exports(store: str) -> float:
    return sum(
        REGISTRY.get_sample_value("portal_exports_total", {"store": store, "kind": kind}) or 0.0
        for kind in ("calendar_file", "portable_copy")
    )
