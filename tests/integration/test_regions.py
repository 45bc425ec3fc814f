"""One portal over three regional stores on the demo stack: the home store, nord (synthetic/regions.py) and a third
region whose store answers later than the portal waits for. Real sign-ins at both providers, the real stores, the
portal over HTTP; each test reads the pages a person gets.

- Bernard, diagnosed at home and treated in nord, opens on his newer nord plan, is told of the home one, and can
  open it; Nathalie, who moved, the same; Camille's namesake in nord (her INS, another birth date) never shows.
- Agathe helps Bernard in nord only: she sees his nord plan, not his home one. Odile, a coordinator of nord
  unknown at home, previews his nord plan.
- A region that does not answer (slow past its timeout, or stopped) never blocks the others: the pages answer,
  show what the other stores gave and name it; nothing answers 500.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator

import pytest
import requests
from flask import Flask
from lxml import html
from stack import REGION_LABELS
from werkzeug.serving import make_server

from portal import create_app
from synthetic import build_bundle, build_region_bundle
from tests.conftest import DemoStack, free_port, load_accounts, portal_settings
from tests.integration.signin import sign_in

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("quiet_urllib3")]

NORD = "Région Exemple-Nord – DCC Exemple Nord"
SUD = "Région Exemple-Sud – DCC Exemple Sud"
SLOW = "Région lente"
ACCOUNTS = {a["login"]: a for a in load_accounts()}
#: The third region answers this late; the portal waits half a second for it.
SLOW_MS = 1500
PLAN_PAGES = ["/", "/treatments", "/calendar", "/care-team", "/support", "/illness", "/history", "/documents"]


class Portal:
    def __init__(self, stack: DemoStack, url: str, app: Flask) -> None:
        self.stack, self.url, self.app = stack, url, app


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    seeds = tmp_path_factory.mktemp("region-seeds")
    home, nord, slow = seeds / "home.json", seeds / "nord.json", seeds / "slow.json"
    home.write_text(json.dumps(build_bundle()), encoding="utf-8")
    nord.write_text(json.dumps(build_region_bundle("nord")), encoding="utf-8")
    organisation = {"resourceType": "Organization", "id": "org-lente", "name": "Plateforme lente (fictive)"}
    slow.write_text(
        json.dumps(
            {
                "resourceType": "Bundle",
                "type": "transaction",
                "entry": [{"resource": organisation, "request": {"method": "PUT", "url": "Organization/org-lente"}}],
            }
        ),
        encoding="utf-8",
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    stack = DemoStack(
        portal_url=url,
        seed=home,
        regions={"nord": nord, "lente": slow},
        region_latency_ms={"lente": SLOW_MS},
        region_labels={**REGION_LABELS, "lente": (SLOW, "Slow region")},
        log_dir=tmp_path_factory.mktemp("region-logs"),
    )
    with stack:
        settings = {
            **portal_settings(stack),
            **stack.regions_environment(),
            "PORTAL_REGION_LENTE_READ_TIMEOUT": "0.5",
            "PORTAL_PAGE_TIME_BUDGET": "10",
        }
        app = create_app(settings)
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="portal-regions", daemon=True)
        thread.start()
        try:
            yield Portal(stack, url, app)
        finally:
            server.shutdown()
            thread.join(timeout=30)


def signed_in(portal: Portal, login: str) -> requests.Session:
    account = ACCOUNTS[login]
    browser = requests.Session()
    start = "/pro/login" if account["idp"] == "pro" else "/login"
    page = sign_in(browser, portal.url + start, login, account["password"])
    assert page.status_code == 200, f"{login} could not sign in"
    return browser


def words(browser: requests.Session, portal: Portal, path: str = "/") -> str:
    answer = browser.get(portal.url + path, timeout=60)
    assert answer.status_code == 200, (path, answer.status_code)
    return " ".join(html.document_fromstring(answer.text).text_content().split())


def choose(browser: requests.Session, portal: Portal, key: str, action: str = "/choose") -> int:
    page = browser.get(portal.url + "/glossary", timeout=60).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "no CSRF token"
    answer = browser.post(
        portal.url + action,
        data={"patient": key, "csrf_token": token.group(1)},
        headers={"Origin": portal.url},
        allow_redirects=False,
        timeout=60,
    )
    return answer.status_code


def test_a_patient_treated_in_two_regions_opens_on_the_newest_plan_and_can_open_the_other(portal: Portal) -> None:
    bernard = signed_in(portal, "bernard")
    first = words(bernard, portal)
    assert f"Il vient de : {NORD}." in first
    assert f"Vous avez aussi un programme dans une autre région : {SUD}." in first
    mine = words(bernard, portal, "/choose")
    assert NORD in mine and SUD in mine
    assert choose(bernard, portal, "pat-bernard") == 302
    assert f"Il vient de : {SUD}." in words(bernard, portal)
    assert choose(bernard, portal, "nord/pat-nord-bernard") == 302
    # Every page of the nord plan answers, from the nord store; its versions are nord's own chain.
    for path in PLAN_PAGES:
        words(bernard, portal, path)
    assert "doc-nord-bernard-pps-v1" in bernard.get(portal.url + "/history", timeout=60).text
    assert "doc-bernard-pps" not in bernard.get(portal.url + "/history", timeout=60).text


def test_a_patient_who_moved_sees_the_current_plan_and_finds_the_older_one(portal: Portal) -> None:
    nathalie = signed_in(portal, "nathalie")
    assert f"Il vient de : {NORD}." in words(nathalie, portal)
    assert choose(nathalie, portal, "pat-nathalie") == 302
    assert f"Il vient de : {SUD}." in words(nathalie, portal)


def test_a_namesake_with_the_same_ins_and_another_birth_date_is_never_shown(portal: Portal) -> None:
    camille = signed_in(portal, "camille")
    page = words(camille, portal)
    assert "autre région" not in page and NORD not in page
    assert "pat-nord-camille" not in camille.get(portal.url + "/choose", timeout=60).text
    assert choose(camille, portal, "nord/pat-nord-camille") == 404
    assert camille.get(portal.url + "/documents/doc-nord-camille-pps-v1/1", timeout=60).status_code == 404


def test_a_caregiver_linked_in_one_region_sees_that_regions_plan_only(portal: Portal) -> None:
    agathe = signed_in(portal, "agathe")
    page = words(agathe, portal)
    assert "Bernard" in page or "BERNARD" in page
    assert "doc-nord-bernard-pps-v2" in agathe.get(portal.url + "/history", timeout=60).text
    assert choose(agathe, portal, "pat-bernard") == 404  # his home plan is not hers to see


def test_a_coordinator_of_the_other_region_previews_its_patient(portal: Portal) -> None:
    odile = signed_in(portal, "odile")
    listing = words(odile, portal)
    assert NORD in listing
    assert choose(odile, portal, "nord/pat-nord-bernard", action="/preview") == 302
    assert "Aperçu" in words(odile, portal)
    assert choose(odile, portal, "pat-bernard", action="/preview") == 404  # unknown to the home store's teams


def test_a_slow_region_is_named_and_the_others_still_answer(portal: Portal) -> None:
    bernard = signed_in(portal, "bernard")
    page = words(bernard, portal)
    assert f"Cette région ne répond pas : {SLOW}." in page
    assert f"Il vient de : {NORD}." in page


def test_a_stopped_region_leaves_the_home_plan_and_is_named_then_comes_back(portal: Portal) -> None:
    bernard = signed_in(portal, "bernard")
    portal.stack.kill_service("store-nord")
    # The answers the portal keeps for PORTAL_STORE_CACHE_TTL seconds expire, as they would while it stays down.
    portal.app.extensions["portal.regions"]["nord"].client.cache.clear()
    try:
        for path in PLAN_PAGES:
            answer = bernard.get(portal.url + path, timeout=60)
            assert answer.status_code in (200, 503), (path, answer.status_code)  # never a 500
        page = words(bernard, portal, "/choose")
        assert f"Cette région ne répond pas : {NORD}." in page
        assert SUD in page
    finally:
        portal.stack.restart_service("store-nord")
