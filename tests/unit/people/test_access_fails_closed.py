"""Access decisions fail closed: the searches that decide who may see whom are never answered from a last good
copy. A caregiver whose link the store has revoked is never shown the plan from an older copy while the store
fails; they read a plain "we cannot check your access right now" page. Pages built from answers that are fresh
in the cache (within the short TTL) are unaffected."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import requests
import responses
from flask.testing import FlaskClient

from portal import access, create_app
from portal.store import FhirClient, StoreUnavailable, pdsm
from portal.store.stale import StaleCopies
from tests.pages import check_page
from tests.unit.conftest import STORE, SUBJECT_SYSTEM, FakeProvider, base_env, make_client, sign_in
from tests.unit.fhir import PATIENT, searchset
from tests.unit.web.plans import pps_entry, synthetic

ACCESS_UNAVAILABLE_FR = "Nous ne pouvons pas vérifier votre accès pour le moment"
CAREGIVER_SUB = "sub-helene"
NOW = dt.datetime(2026, 9, 1, 12, tzinfo=dt.UTC)


def link(**changes: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "RelatedPerson",
        "id": "rp-1",
        "identifier": [{"system": SUBJECT_SYSTEM, "value": CAREGIVER_SUB}],
        "active": True,
        "patient": {"reference": "Patient/pat-1"},
        "relationship": [
            {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-RoleClass", "code": "CAREGIVER"}]}
        ],
        "name": [{"given": ["Hélène"], "family": "Factice"}],
        "period": {"start": "2026-01-01"},
    }
    return resource | changes


@pytest.fixture
def caregiver(provider: FakeProvider, mock: responses.RequestsMock) -> tuple[FhirClient, FlaskClient]:
    """Hélène, caregiver of Camille, has seen Camille's plan once (every store answer then in the caches)."""
    cda = synthetic()["camille-pps-2"].cda
    mock.get(STORE + "/Patient", json=searchset())  # Hélène is nobody's Patient herself
    mock.get(STORE + "/RelatedPerson", json=searchset(link()))
    mock.get(STORE + "/Patient/pat-1", json=PATIENT)
    mock.get(STORE + "/DocumentReference", json=searchset(pps_entry("pps-1", cda)))
    mock.get(STORE + "/Binary/pps-1", body=cda, content_type="application/xml")
    app = create_app(base_env(PORTAL_PAGE_CACHE_BYTES="0"))
    app.config["TESTING"] = True
    store: FhirClient = app.extensions["portal.store"]
    store.last_good = StaleCopies()
    provider.sub = CAREGIVER_SUB
    client = make_client(app)
    assert sign_in(client, provider).status_code == 302
    first = client.get("/")
    assert first.status_code == 200
    assert "Camille" in first.get_data(as_text=True)
    return store, client


def test_a_revoked_link_is_not_honoured_from_an_older_copy_while_the_store_fails(
    caregiver: tuple[FhirClient, FlaskClient], mock: responses.RequestsMock
) -> None:
    store, client = caregiver
    assert store.cache is not None
    store.cache.clear()  # the short TTL of the answers is over
    # The platform ends Hélène's link, then its store stops answering: the portal never learns of the change.
    mock.replace(responses.GET, STORE + "/RelatedPerson", json=searchset(link(active=False)))
    for path in ("/Patient", "/RelatedPerson", "/Patient/pat-1", "/DocumentReference", "/Binary/pps-1"):
        mock.replace(responses.GET, STORE + path, body=requests.ConnectionError("refused"))

    page = client.get("/")

    assert page.status_code == 503
    body = page.get_data(as_text=True)
    doc = check_page(body)
    assert " ".join(doc.find(".//h1").text_content().split()) == ACCESS_UNAVAILABLE_FR
    assert "Camille" not in body and "Exemple" not in body


def test_within_the_ttl_the_cached_access_answers_still_serve_the_page(
    caregiver: tuple[FhirClient, FlaskClient], mock: responses.RequestsMock
) -> None:
    _store, client = caregiver
    for path in ("/Patient", "/RelatedPerson", "/Patient/pat-1"):
        mock.replace(responses.GET, STORE + path, body=requests.ConnectionError("refused"))
    page = client.get("/treatments")
    assert page.status_code == 200
    assert "Camille" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("resource", "search"),
    [
        ("Patient", lambda client: pdsm.find_patient(client, SUBJECT_SYSTEM, CAREGIVER_SUB)),
        ("RelatedPerson", lambda client: pdsm.related_people(client, SUBJECT_SYSTEM, CAREGIVER_SUB)),
        ("Practitioner", lambda client: pdsm.professional_references(client, "10001234567")),
        ("CareTeam", lambda client: pdsm.care_teams_with(client, ["Practitioner/pr-1"])),
    ],
)
def test_every_search_that_decides_access_refuses_last_good_copies(resource: str, search: Any) -> None:
    with (
        responses.RequestsMock(assert_all_requests_are_fired=False) as mock,
        FhirClient(STORE, last_good=StaleCopies(), retries=0) as client,
    ):
        answer = {
            "Practitioner": searchset(
                {
                    "resourceType": "Practitioner",
                    "id": "pr-1",
                    "identifier": [{"system": pdsm.RPPS_SYSTEM, "value": "10001234567"}],
                }
            )
        }.get(resource, searchset())
        mock.get(f"{STORE}/{resource}", json=answer)
        mock.get(f"{STORE}/PractitionerRole", json=searchset())
        search(client)
        assert client.cache is not None
        client.cache.clear()
        mock.replace(responses.GET, f"{STORE}/{resource}", status=503)
        with pytest.raises(StoreUnavailable):
            search(client)
        # A last good copy of the answer was kept, and refused: the search failed rather than use it.
        assert client.last_good is not None and len(client.last_good) >= 1


def test_a_coordinator_whose_teams_cannot_be_read_is_told_access_cannot_be_checked() -> None:
    with responses.RequestsMock() as mock, FhirClient(STORE, retries=0) as client:
        mock.get(f"{STORE}/Practitioner", status=503)
        with pytest.raises(access.AccessUnavailable):
            access.coordinator_grants(client, "10001234567", NOW)
