"""One portal over two regional stores: the home store (the whole synthetic set) and a fake "nord" store holding
Camille's newer plan (her INS and traits, written another way), a Patient with Germaine's INS and another birth
date, a care team for Yann (a coordinator of nobody at home) and a caregiver link for Hélène to Camille there.

Each test reads the rendered page (or the requests the stores received), not what the code decided."""

from __future__ import annotations

import copy
import json
import threading
from typing import Any

import pytest
import responses
from flask.testing import FlaskClient
from lxml import html
from prometheus_client import REGISTRY

from tests.unit.conftest import STORE, FakeProvider
from tests.unit.documents.synthetic_store import synthetic_resources
from tests.unit.viewers import NotingStore, Viewers, accounts, reader_app

NORD = "https://nord.test/fhir"
HOME_LABEL = "DCC Exemple Sud"
NORD_LABEL = "DCC Exemple Nord"
REGION_ENV = {
    "PORTAL_STORE_LABEL_FR": HOME_LABEL,
    "PORTAL_STORE_LABEL_EN": HOME_LABEL,
    "PORTAL_REGIONS": "nord",
    "PORTAL_REGION_NORD_URL": NORD,
    "PORTAL_REGION_NORD_LABEL_FR": NORD_LABEL,
    "PORTAL_REGION_NORD_LABEL_EN": NORD_LABEL,
}
RPPS = "urn:oid:1.2.250.1.71.4.2.1"


def _home(kind: str, resource_id: str) -> dict[str, Any]:
    found = next(r for r in synthetic_resources() if r["resourceType"] == kind and r["id"] == resource_id)
    return copy.deepcopy(found)


def _nord_resources() -> list[dict[str, Any]]:
    camille = _home("Patient", "pat-camille")
    camille["id"] = "pat-nord-camille"
    camille["identifier"] = [i for i in camille["identifier"] if "213.1.4" in i["system"]]  # the INS only
    camille["name"] = [{"use": "official", "family": "EXEMPLE", "given": ["CAMILLE", "MARIE"]}]
    plan = _home("DocumentReference", "doc-camille-pps-v3")
    plan.update(
        id="doc-nord-camille-pps-v1",
        subject={"reference": "Patient/pat-nord-camille"},
        date="2026-10-01T10:00:00+02:00",
        custodian={"display": "Centre Exemple Nord"},
    )
    plan.pop("relatesTo")
    binaries = [_home("Binary", "bin-camille-pps-v3"), _home("Binary", "bin-camille-pps-v3-pdf")]
    germaine = _home("Patient", "pat-germaine")
    germaine["id"] = "pat-nord-germaine"
    germaine["identifier"] = [i for i in germaine["identifier"] if "213.1.4" in i["system"]]
    germaine["birthDate"] = "1947-01-02"  # another person with the same INS: never merged
    stranger = _home("DocumentReference", "doc-germaine-pps-v2")
    stranger.update(id="doc-nord-stranger", subject={"reference": "Patient/pat-nord-germaine"})
    stranger.pop("relatesTo", None)
    yann = {
        "resourceType": "Practitioner",
        "id": "prac-nord-yann",
        "identifier": [{"system": RPPS, "value": accounts()["yann"]["rpps"]}],
    }
    team = {
        "resourceType": "CareTeam",
        "id": "team-nord-camille",
        "status": "active",
        "subject": {"reference": "Patient/pat-nord-camille"},
        "participant": [{"member": {"reference": "Practitioner/prac-nord-yann"}}],
    }
    helene = _home("RelatedPerson", "rp-germaine-daughter")
    helene.update(id="rp-nord-helene-camille", patient={"reference": "Patient/pat-nord-camille"})
    return [camille, plan, *binaries, germaine, stranger, yann, team, helene]


class NordStore(NotingStore):
    """The second region's store: only its own resources, and a switch to make its Patient searches fail."""

    down = False

    def __post_init__(self) -> None:
        self.resources = {(r["resourceType"], r["id"]): r for r in _nord_resources()}

    def _search_patient(self, request: Any) -> Any:
        return (503, {}, "") if self.down else super()._search_patient(request)


@pytest.fixture
def nord(mock: responses.RequestsMock) -> NordStore:
    store = NordStore(NORD)
    store.install(mock)
    return store


@pytest.fixture
def regions(mock: responses.RequestsMock, provider: FakeProvider, nord: NordStore) -> Viewers:
    return Viewers(mock, provider, app=reader_app(**REGION_ENV))


def page(client: FlaskClient, path: str = "/") -> html.HtmlElement:
    answer = client.get(path)
    assert answer.status_code == 200, answer.status_code
    return html.document_fromstring(answer.get_data(as_text=True))


def text(tree: html.HtmlElement) -> str:
    return " ".join(tree.text_content().split())


def test_a_patient_in_two_regions_sees_the_newest_plan_and_is_told_of_the_other(regions: Viewers) -> None:
    camille = regions.sign_in("camille")
    words = text(page(camille))
    assert f"Il vient de : {NORD_LABEL}." in words
    assert f"Vous avez aussi un programme dans une autre région : {HOME_LABEL}." in words
    assert "1 octobre 2026" in words or "1er octobre 2026" in words  # the nord version's date


def test_my_plans_lists_each_region_and_opens_the_other(regions: Viewers) -> None:
    camille = regions.sign_in("camille")
    listing = page(camille, "/choose")
    cards = [text(card) for card in listing.xpath("//ul[contains(@class,'people-list')]/li")]
    assert len(cards) == 2
    assert any(NORD_LABEL in c and "Centre Exemple Nord" in c for c in cards), cards
    assert any(HOME_LABEL in c for c in cards), cards
    keys = {field.get("value") for field in listing.xpath("//input[@name='patient']")}
    assert keys == {"pat-camille", "nord/pat-nord-camille"}
    token = listing.xpath("//input[@name='csrf_token']")[0].get("value")
    assert camille.post("/choose", data={"patient": "pat-camille", "csrf_token": token}).status_code == 302
    words = text(page(camille))
    assert f"Il vient de : {HOME_LABEL}." in words
    assert f"Vous avez aussi un programme dans une autre région : {NORD_LABEL}." in words


def test_the_access_record_of_a_view_goes_to_the_store_that_holds_the_document(
    regions: Viewers, nord: NordStore
) -> None:
    camille = regions.sign_in("camille")
    page(camille, "/treatments")
    page(camille, "/calendar")
    assert regions.app.extensions["portal.regions"]["nord"].trail.flush(timeout=30)
    pages = {e.get("name") for post in nord.audit_posts for e in post["entity"]}
    assert {"treatments", "calendar"} <= pages  # every view of a nord page, each recorded in nord
    shown = [e["what"]["reference"] for post in nord.audit_posts for e in post["entity"] if "what" in e]
    assert "DocumentReference/doc-nord-camille-pps-v1" in shown
    assert all("doc-camille" not in ref for ref in shown)  # the home store's documents are recorded at home


def test_a_region_that_does_not_answer_leaves_the_other_plans_and_is_named(
    regions: Viewers, mock: responses.RequestsMock
) -> None:
    mock.replace(responses.GET, NORD + "/Patient", status=503)
    camille = regions.sign_in("camille")
    words = text(page(camille))
    assert f"Cette région ne répond pas : {NORD_LABEL}. Un programme de cette région peut manquer." in words
    assert "Camille" in words  # her home plan


def test_a_patient_with_the_same_ins_and_another_birth_date_is_never_merged(regions: Viewers) -> None:
    labels = {"store": "nord", "trait": "birth_date"}
    before = REGISTRY.get_sample_value("portal_identity_mismatches_total", labels) or 0.0
    germaine = regions.sign_in("germaine")
    # Looked for once per session, at sign-in; the pages that follow remember that nord holds nobody of hers.
    assert REGISTRY.get_sample_value("portal_identity_mismatches_total", labels) == before + 1
    words = text(page(germaine))
    assert REGISTRY.get_sample_value("portal_identity_mismatches_total", labels) == before + 1
    assert "autre région" not in words and NORD_LABEL not in words
    assert "pat-nord" not in germaine.get("/choose").get_data(as_text=True)
    assert germaine.get("/documents/doc-nord-stranger/1").status_code == 404


def test_a_coordinator_of_the_other_region_previews_its_patient(regions: Viewers) -> None:
    yann = regions.sign_in("yann")
    home = page(yann, "/")
    assert "CAMILLE MARIE EXEMPLE" in text(home) and f"Région{NORD_LABEL}" in text(home)  # the nord store's name
    token = home.xpath("//input[@name='csrf_token']")[0].get("value")
    assert yann.post("/preview", data={"patient": "nord/pat-nord-camille", "csrf_token": token}).status_code == 302
    words = text(page(yann, "/"))
    assert "Aperçu" in words and ("1 octobre 2026" in words or "1er octobre 2026" in words)


def test_a_caregiver_linked_in_one_region_sees_that_regions_plan_only(regions: Viewers) -> None:
    helene = regions.sign_in("helene")
    listing = page(helene, "/choose")
    keys = {field.get("value") for field in listing.xpath("//input[@name='patient']")}
    assert keys == {"pat-germaine", "nord/pat-nord-camille"}  # Germaine at home; Camille's nord plan, not her home one


def test_a_guessed_key_of_another_region_is_refused_like_any_other(regions: Viewers) -> None:
    germaine = regions.sign_in("germaine")
    token = page(germaine, "/glossary").xpath("//input[@name='csrf_token']")[0].get("value")
    for key in ("nord/pat-nord-camille", "nord/pat-nord-germaine", "sud/pat-camille", "nord/../pat-camille"):
        assert germaine.post("/choose", data={"patient": key, "csrf_token": token}).status_code == 404, key


def test_one_store_configured_changes_nothing(mock: responses.RequestsMock, provider: FakeProvider) -> None:
    viewers = Viewers(mock, provider)
    words = text(page(viewers.sign_in("camille")))
    assert "Il vient de" not in words and "autre région" not in words and "ne répond pas" not in words
    assert STORE in viewers.app.extensions["portal.store"].base_url


def test_two_files_of_one_person_in_a_store_are_both_kept_apart(regions: Viewers, nord: NordStore) -> None:
    twin = copy.deepcopy(nord.resources[("Patient", "pat-nord-camille")])
    twin["id"] = "pat-nord-camille-2"
    nord.resources[("Patient", twin["id"])] = twin
    labels = {"store": "nord", "trait": "duplicate"}
    before = REGISTRY.get_sample_value("portal_identity_mismatches_total", labels) or 0.0
    camille = regions.sign_in("camille")
    words = text(page(camille))
    assert REGISTRY.get_sample_value("portal_identity_mismatches_total", labels) == before + 1  # at sign-in, once
    assert NORD_LABEL not in words and "autre région" not in words  # her home plan only


def test_my_plans_shows_a_limited_caregiver_no_date_and_no_care_centre(viewers: Viewers) -> None:
    """Inès helps Henri with some parts only: the versions' dates and authors are not hers to see, even on /choose."""
    listing = page(viewers.sign_in("ines"), "/choose")
    cards = {" ".join(card.text_content().split()) for card in listing.xpath("//ul[contains(@class,'people-list')]/li")}
    henri = [card for card in cards if "Henri" in card]
    own = [card for card in cards if "Mon propre programme" in card]
    assert len(henri) == 1 and len(own) == 1, cards
    assert "Version la plus récente" in own[0]
    assert "Version la plus récente" not in henri[0] and "Établissement" not in henri[0]


def _ins_searches(mock: responses.RequestsMock) -> int:
    return sum(1 for call in mock.calls if str(call.request.url).startswith(f"{NORD}/Patient?identifier="))


def test_the_other_region_is_searched_by_ins_once_a_session_then_read_by_id(
    regions: Viewers, mock: responses.RequestsMock
) -> None:
    camille = regions.sign_in("camille")
    assert _ins_searches(mock) == 1  # at sign-in
    nord_client = regions.app.extensions["portal.regions"]["nord"].client
    nord_client.cache.clear()  # past the cache's time: each page asks the store again
    words = text(page(camille))
    assert f"Il vient de : {NORD_LABEL}." in words
    assert _ins_searches(mock) == 1
    assert any(str(c.request.url) == f"{NORD}/Patient/pat-nord-camille" for c in mock.calls)


def test_a_patient_of_the_other_region_whose_traits_change_is_no_longer_shown(
    regions: Viewers, nord: NordStore
) -> None:
    camille = regions.sign_in("camille")
    assert f"Il vient de : {NORD_LABEL}." in text(page(camille))
    nord.resources[("Patient", "pat-nord-camille")]["birthDate"] = "1961-01-01"  # the store's file, changed
    regions.app.extensions["portal.regions"]["nord"].client.cache.clear()
    words = text(page(camille))
    assert NORD_LABEL not in words and "autre région" not in words  # checked again on every page: her home plan only


def test_a_region_down_at_sign_in_is_searched_again_once_it_answers(regions: Viewers, nord: NordStore) -> None:
    nord.down = True
    camille = regions.sign_in("camille")
    assert "Cette région ne répond pas" in text(page(camille))
    nord.down = False
    words = text(page(camille))
    assert f"Il vient de : {NORD_LABEL}." in words and "ne répond pas" not in words


def _together(mock: responses.RequestsMock, parties: int) -> threading.Barrier:
    """Make every store's documents search wait until `parties` of them are in flight at once: asked one after the
    other, the first one waits alone and the barrier breaks (the store answers 500)."""
    barrier = threading.Barrier(parties, timeout=20)
    for registered in mock.registered():
        if isinstance(registered, responses.CallbackResponse) and str(registered.url).endswith("/DocumentReference"):
            answer = registered.callback

            def waiting(request: Any, answer: Any = answer) -> Any:
                try:
                    barrier.wait()
                except threading.BrokenBarrierError:
                    return (500, {}, "")
                return answer(request)

            registered.callback = waiting
    return barrier


def test_my_plans_asks_every_store_at_once(regions: Viewers, mock: responses.RequestsMock) -> None:
    camille = regions.sign_in("camille")
    assert camille.post("/choose", data={"patient": "pat-camille", "csrf_token": _token(camille)}).status_code == 302
    for store in regions.app.extensions["portal.regions"].values():
        store.client.cache.clear()
    barrier = _together(mock, 2)  # her home plan and her nord plan
    cards = page(camille, "/choose").xpath("//ul[contains(@class,'people-list')]/li")
    assert not barrier.broken
    assert all("Version la plus récente" in text(card) for card in cards) and len(cards) == 2


def test_the_coordinators_list_asks_for_every_patients_plans_at_once(
    regions: Viewers, mock: responses.RequestsMock
) -> None:
    claire = regions.sign_in("claire")  # in every home patient's care team
    rows = page(claire, "/").xpath("//input[@name='patient']")
    for store in regions.app.extensions["portal.regions"].values():
        store.client.cache.clear()
    barrier = _together(mock, len(rows))
    assert len(page(claire, "/").xpath("//input[@name='patient']")) == len(rows) >= 2
    assert not barrier.broken


def _token(client: FlaskClient) -> str:
    token: str = page(client, "/glossary").xpath("//input[@name='csrf_token']")[0].get("value")
    return token


def test_a_link_that_ended_in_the_other_region_is_explained(regions: Viewers, nord: NordStore) -> None:
    """Hélène's only link left is in nord, and it ended: the page says so, with its date, as for a home link."""
    del regions.store.resources[("RelatedPerson", "rp-germaine-daughter")]
    nord.resources[("RelatedPerson", "rp-nord-helene-camille")]["period"] = {"start": "2026-01-01", "end": "2026-03-31"}
    words = text(page(regions.sign_in("helene")))
    assert "Votre accès à ce programme a pris fin" in words and "31 mars 2026" in words
    assert "Camille" not in words


@pytest.fixture
def same_ids(mock: responses.RequestsMock, provider: FakeProvider) -> Viewers:
    """Nord names its Patients as the home store does (ids are only unique within a store): Camille's nord file
    is "pat-camille" there too."""
    store = NordStore(NORD)
    renamed = json.loads(json.dumps(list(store.resources.values())).replace("pat-nord-camille", "pat-camille"))
    store.resources = {(r["resourceType"], r["id"]): r for r in renamed}
    store.install(mock)
    return Viewers(mock, provider, app=reader_app(**REGION_ENV))


def test_the_same_patient_id_in_two_stores_is_two_plans(same_ids: Viewers) -> None:
    camille = same_ids.sign_in("camille")
    listing = page(camille, "/choose")
    assert {field.get("value") for field in listing.xpath("//input[@name='patient']")} == {
        "pat-camille",
        "nord/pat-camille",
    }
    assert f"Il vient de : {NORD_LABEL}." in text(page(camille))  # her newest plan, seen: remembered
    assert camille.post("/choose", data={"patient": "pat-camille", "csrf_token": _token(camille)}).status_code == 302
    words = text(page(camille))
    assert f"Il vient de : {HOME_LABEL}." in words
    # The nord plan she saw is not this plan's last seen version: nothing is "new since her last visit" here.
    assert "changé depuis votre dernière visite" not in words
