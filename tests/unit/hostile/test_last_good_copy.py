"""While the store fails, a page recently seen is shown again from its last good copy, saying when it was fetched;
the copies follow the cache's keys (never another person's answer) and stay within their bounds. The searches
that decide who may see whom never use them (they fail closed: tests/unit/people/test_access_fails_closed.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import requests
import responses

from portal.store import FhirClient, StoreUnavailable
from portal.store.cache import Answer, cache_key
from portal.store.scope import page_scope
from portal.store.stale import StaleCopies
from tests.unit.conftest import STORE, FakeProvider, signed_in_client
from tests.unit.fhir import PATIENT, searchset
from tests.unit.hostile.pages import ACCESS_UNAVAILABLE_FR, h1, portal, readable
from tests.unit.store.conftest import BASE, SUBJECT_SYSTEM, fixture_json
from tests.unit.web.plans import pps_entry, synthetic

#: 1 March 2026, 13:05 UTC: 14:05 in Paris.
FETCHED_AT = dt.datetime(2026, 3, 1, 13, 5, tzinfo=dt.UTC).timestamp()
ALICE_SUB = "sub-alice-0001"


def find_patient(client: FhirClient, system: str, sub: str) -> list[dict[str, Any]]:
    """A search that may be answered from a last good copy (unlike `pdsm.find_patient`, which fails closed)."""
    return client.search("Patient", {"identifier": f"{system}|{sub}"})


def test_the_last_good_copy_answers_while_the_store_fails_and_says_when() -> None:
    copies = StaleCopies(wall_clock=lambda: FETCHED_AT)
    with responses.RequestsMock() as mock, FhirClient(BASE, last_good=copies, retries=0) as client:
        mock.get(f"{BASE}/Patient", json=fixture_json("patient_search_one_match.json"))
        first = find_patient(client, SUBJECT_SYSTEM, ALICE_SUB)
        assert first
        assert client.cache is not None
        client.cache.clear()  # the cache's TTL is over
        mock.replace(responses.GET, f"{BASE}/Patient", status=503)
        with page_scope() as scope:
            again = find_patient(client, SUBJECT_SYSTEM, ALICE_SUB)
        assert again == first
        assert scope.stale_since == FETCHED_AT


def test_a_last_good_copy_is_never_given_for_another_request() -> None:
    with responses.RequestsMock() as mock, FhirClient(BASE, last_good=StaleCopies(), retries=0) as client:
        mock.get(f"{BASE}/Patient", json=fixture_json("patient_search_one_match.json"))
        assert find_patient(client, SUBJECT_SYSTEM, ALICE_SUB)
        mock.replace(responses.GET, f"{BASE}/Patient", body=requests.ConnectionError("refused"))
        with pytest.raises(StoreUnavailable):
            find_patient(client, SUBJECT_SYSTEM, "sub-bob-0002")


def test_without_a_copy_the_failure_stands_and_nothing_is_noted() -> None:
    with responses.RequestsMock() as mock, FhirClient(BASE, last_good=StaleCopies(), retries=0) as client:
        mock.get(f"{BASE}/Patient", status=500)
        with page_scope() as scope, pytest.raises(StoreUnavailable):
            find_patient(client, SUBJECT_SYSTEM, ALICE_SUB)
        assert scope.stale_since is None


def test_an_answer_that_is_not_json_does_not_replace_a_good_copy() -> None:
    copies = StaleCopies()
    with responses.RequestsMock() as mock, FhirClient(BASE, last_good=copies, cache_ttl=0, retries=0) as client:
        mock.get(f"{BASE}/Patient", json=fixture_json("patient_search_one_match.json"))
        assert find_patient(client, SUBJECT_SYSTEM, ALICE_SUB)
        mock.replace(responses.GET, f"{BASE}/Patient", body="<html>maintenance</html>", content_type="text/html")
        with pytest.raises(Exception, match="not FHIR JSON"):
            find_patient(client, SUBJECT_SYSTEM, ALICE_SUB)
        mock.replace(responses.GET, f"{BASE}/Patient", status=503)
        assert find_patient(client, SUBJECT_SYSTEM, ALICE_SUB)


def test_copies_are_bounded_in_bytes_and_in_age() -> None:
    now = [0.0]
    copies = StaleCopies(max_age=60, max_bytes=10_000, timer=lambda: now[0])
    for n in range(100):
        copies.put(cache_key("GET", f"{BASE}/Patient?identifier=s|{n}", "x", ""), Answer(200, "x", b"a" * 1000))
    assert copies.current_bytes <= 10_000
    assert 0 < len(copies) < 100
    assert not copies.put(cache_key("GET", f"{BASE}/Binary/big", "*/*", ""), Answer(200, "x", b"a" * 20_000))
    now[0] = 61
    assert len(copies) == 0


def test_only_good_answers_are_kept() -> None:
    copies = StaleCopies()
    assert not copies.put(cache_key("GET", f"{BASE}/Patient", "x", ""), Answer(500, "x", b""))
    assert len(copies) == 0


# --- through the pages -------------------------------------------------------------------------------------


@pytest.fixture(params=[("/DocumentReference", "/Binary/pps-1")])
def seen_this_morning(
    provider: FakeProvider, mock: responses.RequestsMock, request: pytest.FixtureRequest
) -> tuple[object, object]:
    """Camille's overview, seen once while the store answered; then the store stops answering these paths (by
    default her documents: her Patient search, which decides access, still answers)."""
    cda = synthetic()["camille-pps-2"].cda
    mock.get(STORE + "/Patient", json=searchset(PATIENT))
    mock.get(STORE + "/DocumentReference", json=searchset(pps_entry("pps-1", cda)))
    mock.get(STORE + "/Binary/pps-1", body=cda, content_type="application/xml")
    app = portal()
    store: FhirClient = app.extensions["portal.store"]
    store.last_good = StaleCopies(wall_clock=lambda: FETCHED_AT)
    client = signed_in_client(app, provider)
    first = client.get("/")
    assert first.status_code == 200
    assert "Le service régional ne répond pas" not in first.get_data(as_text=True)
    assert store.cache is not None
    store.cache.clear()
    for path in request.param:
        mock.replace(responses.GET, STORE + path, body=requests.ConnectionError("refused"))
    return app, client


@pytest.mark.parametrize(
    ("lang", "notice"),
    [
        ("fr", "Dernière mise à jour à 14:05. Le service régional ne répond pas."),
        ("en", "Last updated at 14:05. The regional service does not answer now."),
    ],
)
def test_a_page_seen_earlier_is_shown_again_with_when_it_was_updated(
    seen_this_morning: tuple[object, object], lang: str, notice: str
) -> None:
    _app, client = seen_this_morning
    page = client.get("/", headers={"Accept-Language": lang})  # type: ignore[attr-defined]
    assert page.status_code == 200
    doc = readable(page, lang)
    shown = [" ".join(p.text_content().split()) for p in doc.xpath("//p[contains(@class,'stale-notice')]")]
    assert shown == [notice]
    assert "Camille" in h1(doc)


@pytest.mark.parametrize("seen_this_morning", [("/Patient", "/DocumentReference", "/Binary/pps-1")], indirect=True)
def test_someone_else_signing_in_meanwhile_gets_no_copy_of_it(
    seen_this_morning: tuple[object, object], provider: FakeProvider
) -> None:
    app, _client = seen_this_morning
    other = signed_in_client(app, provider, sub="sub-456")  # type: ignore[arg-type]
    page = other.get("/")
    assert page.status_code == 503
    assert h1(readable(page)) == ACCESS_UNAVAILABLE_FR
    assert "Camille" not in page.get_data(as_text=True)


@pytest.mark.parametrize("seen_this_morning", [("/Patient", "/DocumentReference", "/Binary/pps-1")], indirect=True)
def test_once_the_access_search_is_past_its_ttl_the_page_of_the_store_down_is_the_access_page(
    seen_this_morning: tuple[object, object],
) -> None:
    _app, client = seen_this_morning
    page = client.get("/")  # type: ignore[attr-defined]
    assert page.status_code == 503
    assert h1(readable(page)) == ACCESS_UNAVAILABLE_FR
    assert "Camille" not in page.get_data(as_text=True)
