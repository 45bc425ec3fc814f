"""Sign-in against demo providers that behave like the national services: FranceConnect+ access tokens live
60 seconds and its userinfo answers are signed JWTs; both providers rotate their signing keys."""

from __future__ import annotations

import pytest
import requests

from tests.conftest import Running
from tests.integration.signin import sign_in
from tests.pages import check_page

pytestmark = pytest.mark.integration


def browser() -> requests.Session:
    session = requests.Session()
    session.headers["Accept-Language"] = "fr-FR,fr;q=0.9"
    return session


def _discovery(issuer: str) -> dict[str, object]:
    answer = requests.get(issuer + "/.well-known/openid-configuration", timeout=10)
    answer.raise_for_status()
    document: dict[str, object] = answer.json()
    return document


def _kids(issuer: str) -> set[str]:
    jwks = requests.get(str(_discovery(issuer)["jwks_uri"]), timeout=10).json()
    return {key["kid"] for key in jwks["keys"]}


def test_the_patient_provider_issues_60_second_tokens_and_signed_userinfo(running: Running) -> None:
    """The demo stands for FranceConnect+ as it really behaves, checked at its own token endpoint."""
    discovery = _discovery(running.stack.patient_issuer)
    assert "ES256" in discovery["userinfo_signing_alg_values_supported"]  # type: ignore[operator]
    assert "eidas2" in discovery["acr_values_supported"]  # type: ignore[operator]
    # The portal's own sign-in works through it (each integration test does); the token lifetime is read from
    # the provider's log line, which states what it was configured with.
    log = (running.stack.log_dir / "patient-idp.log").read_text(encoding="utf-8")  # type: ignore[operator]
    assert "access tokens 60 s, ES256" in log


def _signed_in_page(running: Running, login: str) -> requests.Response:
    account = running.accounts[login]
    session = browser()
    page = sign_in(session, running.portal_url + "/login", account["login"], account["password"])
    assert page.status_code == 200, page.text[:300]
    return page


def test_a_sign_in_one_second_after_the_provider_rotated_its_keys_succeeds(running: Running) -> None:
    first = _signed_in_page(running, "camille")
    assert check_page(first.text).findtext(".//h1").startswith("Bonjour")

    before = _kids(running.stack.patient_issuer)
    new_kids = running.stack.rotate_keys("patient")
    assert before.isdisjoint(new_kids)  # every key replaced: the portal has none of them
    # The next person signs in at once: well within the minute the portal used to wait before refetching keys.

    second = _signed_in_page(running, "bernard")
    assert check_page(second.text).findtext(".//h1") == f"Bonjour {running.accounts['bernard']['name']}"


def test_a_professional_sign_in_after_a_key_rotation_succeeds(running: Running) -> None:
    running.stack.rotate_keys("pro")
    claire = running.accounts["claire"]
    session = browser()
    page = sign_in(session, running.portal_url + "/pro/login", claire["login"], claire["password"])
    assert page.status_code == 200, page.text[:300]
    assert "Se déconnecter" in page.text
