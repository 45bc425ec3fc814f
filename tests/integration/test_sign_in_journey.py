"""The foundation's promise, end to end: a demo patient signs in at the real provider and sees their plan."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests
from lxml import html

from tests.conftest import Running
from tests.integration.signin import SignInRefused, sign_in
from tests.pages import check_page, csp_nonce

pytestmark = pytest.mark.integration


def browser() -> requests.Session:
    session = requests.Session()
    session.headers["Accept-Language"] = "fr-FR,fr;q=0.9"
    return session


def test_patient_signs_in_and_sees_their_name_and_care_plans(running: Running) -> None:
    camille = running.accounts["camille"]
    session = browser()
    page = sign_in(session, running.portal_url + "/login", camille["login"], camille["password"])
    assert page.status_code == 200
    assert page.url.rstrip("/") == running.portal_url
    doc = check_page(page.text, nonce=csp_nonce(page.headers.get("Content-Security-Policy")))
    h1 = doc.findtext(".//h1")
    assert h1.startswith(f"Bonjour {camille['given_name']}")  # the name as the store knows it (with her middle name)
    assert h1.endswith(camille["family_name"])
    versions = doc.xpath("//ol[@class='plan-list']/li")
    assert len(versions) == 3  # the synthetic breast case: v3 current, v2 and v1 replaced
    assert "Version en cours" in versions[0].text_content()
    assert all("Ancienne version" in v.text_content() for v in versions[1:])
    # The overview of the current version (v3: active treatments stopped, follow-up goes on).
    assert "Vos traitements actifs sont terminés" in doc.text_content()
    assert page.headers["Cache-Control"] == "no-store"
    treatments = session.get(running.portal_url + "/treatments", timeout=30)
    assert check_page(treatments.text).findtext(".//h1") == "Vos traitements"
    cookie = next(c for c in session.cookies if c.name == "portal-session")
    assert cookie.has_nonstandard_attr("HttpOnly")
    assert "eyJ" not in cookie.value  # no token (a JWT) in the cookie


def test_the_same_page_in_english(running: Running) -> None:
    bernard = running.accounts["bernard"]
    session = browser()
    session.headers["Accept-Language"] = "en"
    page = sign_in(session, running.portal_url + "/login", bernard["login"], bernard["password"])
    doc = check_page(page.text)
    assert doc.get("lang") == "en"
    assert doc.findtext(".//h1") == f"Hello {bernard['name']}"
    assert "We found 2 versions of the care plan." in doc.text_content()


def test_someone_with_nothing_linked_gets_a_plain_page(running: Running) -> None:
    alex = running.accounts["alex"]
    page = sign_in(browser(), running.portal_url + "/login", alex["login"], alex["password"])
    assert page.status_code == 200
    doc = check_page(page.text)
    assert doc.findtext(".//h1") == "Aucun programme de soins n’est encore lié à votre compte"


def test_a_sign_in_below_the_required_assurance_level_is_refused(running: Running) -> None:
    dominique = running.accounts["dominique"]
    session = browser()
    page = sign_in(session, running.portal_url + "/login", dominique["login"], dominique["password"])
    assert page.status_code == 403
    # Plain words on which level is needed and how to get it, never an error code.
    refused = check_page(page.text)
    assert refused.findtext(".//h1") == "Une connexion plus sûre est nécessaire"
    assert "FranceConnect+" in refused.text_content() and "400" not in refused.text_content()
    home = session.get(running.portal_url + "/")
    assert "Bonjour" not in home.text
    assert html.document_fromstring(home.text).xpath("//a[@href='/login']")


def test_a_wrong_password_does_not_get_in(running: Running) -> None:
    with pytest.raises(SignInRefused):
        sign_in(browser(), running.portal_url + "/login", "camille", "not-her-password")


def test_sign_out_ends_the_session_here_and_at_the_provider(running: Running) -> None:
    camille = running.accounts["camille"]
    session = browser()
    page = sign_in(session, running.portal_url + "/login", camille["login"], camille["password"])
    token = html.document_fromstring(page.text).xpath("//form[@action='/logout']/input[@name='csrf_token']/@value")[0]
    answer = session.post(running.portal_url + "/logout", data={"csrf_token": token}, allow_redirects=False)
    assert answer.status_code == 302
    target = urlsplit(answer.headers["Location"])
    assert f"{target.scheme}://{target.netloc}" == running.stack.patient_issuer
    after = session.get(running.portal_url + "/")
    assert "Bonjour" not in after.text
    # Signing in again must ask for the password again: the provider session ended too.
    session.get(answer.headers["Location"])  # the browser follows the logout redirect
    again = session.get(running.portal_url + "/login")
    assert "password" in again.text


def test_readyz_sees_the_real_dependencies(running: Running) -> None:
    answer = requests.get(running.portal_url + "/readyz", timeout=30)
    assert answer.status_code == 200
    assert answer.json()["checks"] == {
        "store": "ok",
        "patient_identity_provider": "ok",
        "pro_identity_provider": "ok",
    }


def test_a_version_hidden_from_the_patient_leaves_no_trace(running: Running) -> None:
    """Diane's v3 is not released to her yet: v2 is her plan, tagged current, and nothing hints at a newer one."""
    diane = running.accounts["diane"]
    page = sign_in(browser(), running.portal_url + "/login", diane["login"], diane["password"])
    doc = check_page(page.text)
    versions = doc.xpath("//ol[@class='plan-list']/li")
    assert len(versions) == 2
    assert "Version en cours" in versions[0].text_content()
    assert "(version 2)" in versions[0].text_content()
    assert "version 3" not in page.text
    assert "pas encore partagé" not in page.text  # her plan is shown, not the "nothing shared yet" sentence
