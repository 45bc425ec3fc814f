"""Caregivers, legal representatives and coordinators on the demo stack: who sees whose plan, with real
sign-ins at both providers and the real store; every view lands in the store as an AuditEvent and on the
patient's access page.

The authorization matrix: every route × every kind of person × resources of patient A (Germaine, helped by
her daughter Hélène) and of patient B (Camille, whose friend Lucie's link has ended). Each cell is one of:
200 (the page), 404 (exactly like something missing), "sign-in" (sent to the start page), "nobody" (the plain
page of a person linked to no plan), "home" (a coordinator not previewing: back to their list).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.conftest import Running
from tests.integration.signin import sign_in
from tests.pages import check_page

pytestmark = pytest.mark.integration

A = "pat-germaine"
B = "pat-camille"
A_DOC, B_DOC = "doc-germaine-pps-v2", "doc-camille-pps-v3"
A_OLD, B_OLD = "doc-germaine-pps-v1", "doc-camille-pps-v1"

#: The kinds of person of the matrix, by demo login (coordinators sign in at the professional provider).
PEOPLE = {
    "patient A": "germaine",
    "patient B": "camille",
    "caregiver of A": "helene",
    "caregiver whose period ended": "lucie",
    "representative of a child": "emma",
    "coordinator of A": "claire",
    "coordinator of nobody": "yann",
    "signed out": None,
}

PLAN_ROUTES = [
    "/",
    "/treatments",
    "/calendar",
    "/care-team",
    "/support",
    "/illness",
    "/history",
    "/history/compare",
    "/documents",
    "/documents/print",
    "/documents/plan.pdf",
    "/documents/calendar.ics",
    "/documents/copy.zip",
]


def a_routes() -> list[str]:
    return [f"/history/{A_OLD}", f"/documents/{A_DOC}/1", f"/documents/{A_DOC}/2"]


def b_routes() -> list[str]:
    return [f"/history/{B_OLD}", f"/documents/{B_DOC}/1", f"/documents/{B_DOC}/2"]


def expected(person: str, route: str) -> str:
    """The matrix: what each kind of person gets at each route (their own view, after choosing A if asked)."""
    if person == "signed out":
        return "sign-in"
    if person == "caregiver whose period ended":
        return "nobody"
    if person == "coordinator of nobody":
        return "home"
    own_b = person == "patient B"
    if route in b_routes():
        return "200" if own_b else "404"
    if route in a_routes():
        # Léo's representative and Camille see their own patient: A's resources are somebody else's.
        return "200" if person in ("patient A", "caregiver of A", "coordinator of A") else "404"
    if route == "/access-log":
        return "200" if person in ("patient A", "patient B") else "404"
    return "200"


class Browser:
    """A person's browser on the portal: a requests session signed in at the right provider."""

    def __init__(self, running: Running, login: str | None) -> None:
        self.running = running
        self.session = requests.Session()
        self.session.headers["Accept-Language"] = "fr-FR,fr;q=0.9"
        if login is None:
            return
        account = running.accounts[login]
        start = "/pro/login" if account["idp"] == "pro" else "/login"
        page = sign_in(self.session, running.portal_url + start, account["login"], account["password"])
        assert page.status_code == 200, f"{login} could not sign in"

    def get(self, path: str) -> requests.Response:
        return self.session.get(self.running.portal_url + path, allow_redirects=False, timeout=30)

    def csrf(self) -> str:
        page = self.session.get(self.running.portal_url + "/glossary", timeout=30)
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert match, "no CSRF token on the page"
        return match.group(1)

    def post(self, path: str, **fields: str) -> requests.Response:
        data = {"csrf_token": self.csrf(), **fields}
        headers = {"Origin": self.running.portal_url}
        return self.session.post(
            self.running.portal_url + path, data=data, headers=headers, allow_redirects=False, timeout=30
        )


def outcome(answer: requests.Response) -> str:
    if answer.status_code in (301, 302, 303):
        return "redirect:" + answer.headers["Location"]
    if answer.status_code == 200 and "text/html" in answer.headers.get("Content-Type", ""):
        if 'href="/login"' in answer.text and "/logout" not in answer.text:
            return "sign-in"
        if "No care plan is linked" in answer.text or "Aucun programme de soins n" in answer.text:
            return "nobody"
        ended = ("Your access to this plan has ended", "Votre accès à ce programme a pris fin")
        if any(words in answer.text for words in ended):
            return "nobody"  # signed in, and no plan to show: here because the link to the patient ended
    return str(answer.status_code)


def observed(browser: Browser, person: str, route: str) -> str:
    found = outcome(browser.get(route))
    if found == "redirect:/":
        landing = outcome(browser.get("/"))
        if landing in ("sign-in", "nobody"):
            return landing
        return "home" if person.startswith("coordinator") else found
    if person == "coordinator of nobody" and route == "/" and found == "200":
        return "home"
    return found


@pytest.fixture(scope="module")
def browsers(running: Running) -> dict[str, Browser]:
    people = {person: Browser(running, login) for person, login in PEOPLE.items()}
    # Each looks at patient A when they may choose: the caregiver has one patient, the coordinator chooses.
    assert people["coordinator of A"].post("/preview", patient=A).status_code == 302
    return people


@pytest.mark.parametrize("person", list(PEOPLE))
def test_each_kind_of_person_gets_exactly_what_the_matrix_says(browsers: dict[str, Browser], person: str) -> None:
    browser = browsers[person]
    routes = [*PLAN_ROUTES, "/access-log", *a_routes(), *b_routes()]
    got = {route: observed(browser, person, route) for route in routes}
    wanted = {route: expected(person, route) for route in routes}
    assert got == wanted


def without_tokens(text: str) -> str:
    text = re.sub(r'nonce="[^"]+"', 'nonce=""', text)
    return re.sub(r'(data-csrf="|name="csrf_token" value=")[^"]+"', r'\1"', text)


@pytest.mark.parametrize("person", ["patient A", "caregiver of A", "representative of a child", "coordinator of A"])
def test_another_patients_resources_answer_exactly_like_missing_ones(browsers: dict[str, Browser], person: str) -> None:
    browser = browsers[person]
    for forbidden, missing in [
        (f"/documents/{B_DOC}/1", "/documents/doc-nobody-pps-v9/1"),
        (f"/history/{B_OLD}", "/history/doc-nobody-pps-v9"),
    ]:
        a, b = browser.get(forbidden), browser.get(missing)
        assert a.status_code == b.status_code == 404
        # Only the address itself may differ (the language form sends the person back to it).
        assert without_tokens(a.text).replace(forbidden, "{path}") == without_tokens(b.text).replace(missing, "{path}")


@pytest.mark.parametrize(
    ("person", "path", "target", "answer"),
    [
        ("patient A", "/choose", B, 404),
        ("caregiver of A", "/choose", B, 404),
        ("caregiver whose period ended", "/choose", B, 404),
        ("representative of a child", "/choose", A, 404),
        ("coordinator of nobody", "/preview", A, 404),
        ("patient A", "/preview", A, 404),
        ("caregiver of A", "/choose", A, 302),
        ("coordinator of A", "/preview", A, 302),
    ],
)
def test_choosing_a_patient_is_allowed_only_for_ones_own(
    browsers: dict[str, Browser], person: str, path: str, target: str, answer: int
) -> None:
    browser = browsers[person]
    chosen = browser.post(path, patient=target)
    missing = browser.post(path, patient="pat-nobody")
    assert chosen.status_code == answer
    assert missing.status_code == 404
    if answer == 404:
        assert without_tokens(chosen.text) == without_tokens(missing.text)


def test_the_representative_never_sees_the_version_hidden_from_legal_representatives(running: Running) -> None:
    emma = Browser(running, "emma")
    assert emma.get("/history/doc-leo-pps-v1").status_code == 404
    assert emma.get("/documents/doc-leo-pps-v1/1").status_code == 404
    assert emma.get("/documents/doc-leo-pps-v2/1").status_code == 200
    page = emma.get("/history")
    assert "doc-leo-pps-v1" not in page.text and "doc-leo-pps-v2" in page.text
    home = emma.get("/")
    check_page(home.text)
    assert "Programme de Léo Fantaisie. Vous avez sa représentation légale." in home.text


def test_a_patient_who_is_also_a_caregiver_chooses_and_sees_only_the_shared_parts(running: Running) -> None:
    ines = Browser(running, "ines")
    chooser = ines.get("/")
    check_page(chooser.text)
    assert "Mon propre programme" in chooser.text and "Henri" in chooser.text
    assert ines.post("/choose", patient="pat-henri").status_code == 302
    home = ines.get("/")
    assert home.status_code == 200 and "partage avec vous seulement certaines parties du programme" in home.text
    shared = ("/", "/calendar", "/care-team", "/support")
    not_shared = {path: ines.get(path) for path in PLAN_ROUTES if path not in shared}
    assert {path: answer.status_code for path, answer in not_shared.items()} == {
        "/treatments": 403,
        "/illness": 403,
        "/history": 403,
        "/history/compare": 403,
        "/documents": 403,
        "/documents/print": 403,
        "/documents/plan.pdf": 403,
        "/documents/calendar.ics": 200,
        "/documents/copy.zip": 403,
    }
    for path, answer in not_shared.items():
        if answer.status_code == 403:  # a plain page saying so, never "page not found"
            doc = check_page(answer.text)
            assert doc.findtext(".//h1") == "Cette partie du programme n’est pas partagée avec vous", path
    for path in ("/calendar", "/care-team", "/support"):
        assert ines.get(path).status_code == 200
    # Every document, real or invented, gets the same answer: nothing to learn from it.
    assert ines.get("/documents/doc-henri-pps-v2/1").status_code == 403
    assert ines.get("/documents/no-such-document/1").status_code == 403
    # The navigation never links to what is not shared.
    links = {a.get("href") for a in check_page(home.text).iter("a")}
    assert sorted(links & {"/treatments", "/illness", "/history", "/documents"}) == []
    # Back to his own plan: everything again.
    assert ines.post("/choose", patient="pat-ines").status_code == 302
    assert ines.get("/treatments").status_code == 200


def test_the_coordinator_lists_her_patients_and_previews_under_a_banner(running: Running) -> None:
    claire = Browser(running, "claire")
    home = claire.get("/")
    check_page(home.text)
    assert "Vos patients" in home.text and "Diane" in home.text and "Germaine" in home.text
    assert claire.post("/preview", patient="pat-diane").status_code == 302
    overview = claire.get("/")
    check_page(overview.text)
    assert "Aperçu : vous voyez ce que voit" in overview.text
    assert "1 document est caché à la personne soignée" in overview.text
    assert "portal-seen" not in overview.headers.get("Set-Cookie", "")  # acts for nobody: nothing marked seen
    assert claire.get("/history/doc-diane-pps-v3").status_code == 404  # hidden from the patient: hidden here
    assert claire.post("/preview/end").status_code == 302
    assert "Vos patients" in claire.get("/").text


def wait_for(condition: Callable[[], Any], timeout: float = 30) -> Any:
    """The condition's value once it holds, polled; its last value after `timeout` seconds (a bound, not a pause)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def test_every_view_is_an_audit_event_in_the_store_and_on_the_patients_access_page(running: Running) -> None:
    helene = Browser(running, "helene")
    assert helene.get("/treatments").status_code == 200
    assert helene.get(f"/documents/{A_DOC}/1").status_code == 200
    claire = Browser(running, "claire")
    assert claire.post("/preview", patient=A).status_code == 302
    assert claire.get("/calendar").status_code == 200

    def events() -> list[dict[str, Any]]:
        bundle = requests.get(
            f"{running.stack.store_url}/AuditEvent",
            params={"patient": f"Patient/{A}", "_count": "500"},
            headers={"Accept": "application/fhir+json"},
            timeout=30,
        ).json()
        found = [e["resource"] for e in bundle.get("entry", [])]
        pages = {(e["agent"][0]["role"][0]["coding"][0]["code"], e["entity"][1]["name"]) for e in found}
        return (
            found
            if {("caregiver", "treatments"), ("caregiver", "download"), ("coordinator", "calendar")} <= pages
            else []
        )

    found = wait_for(events)
    assert found, "the views did not reach the store"
    download = next(
        e
        for e in found
        if e["entity"][1]["name"] == "download" and e["agent"][0]["role"][0]["coding"][0]["code"] == "caregiver"
    )
    assert download["entity"][1]["what"] == {"reference": f"DocumentReference/{A_DOC}"}
    assert download["agent"][0]["who"]["reference"] == "RelatedPerson/rp-germaine-daughter"
    assert download["agent"][1]["who"] == {"reference": f"Patient/{A}"}  # on behalf of the patient
    assert download["outcome"] == "0"

    germaine = Browser(running, "germaine")
    page = germaine.get("/access-log")
    check_page(page.text)
    assert "Hélène Factice (Personne aidante)" in page.text and "Claire Modele (Coordination des soins)" in page.text
    assert "Germaine Factice (" not in page.text  # her own views are not listed


def test_a_caregiver_reads_whose_plan_it_is_and_a_preview_keeps_the_patients_words(running: Running) -> None:
    from lxml import html as lxml_html

    helene = Browser(running, "helene")
    heading = lxml_html.document_fromstring(helene.get("/").text).findtext(".//h1")
    assert heading.startswith("Le programme de soins de ")
    claire = Browser(running, "claire")
    assert claire.post("/preview", patient=A).status_code == 302
    preview = lxml_html.document_fromstring(claire.get("/").text).findtext(".//h1")
    assert preview.startswith("Bonjour ")
