"""Pages: the start page, the home page (the overview of the patient's plan), nothing linked yet, the store
failing. The plan pages themselves are tested in tests/unit/web/."""

from __future__ import annotations

import json

import pytest
import requests
import responses
from flask import Flask
from flask.testing import FlaskClient

from portal import create_app
from tests.pages import check_page, csp_nonce
from tests.unit.conftest import (
    STORE,
    FakeProvider,
    base_env,
    make_client,
    signed_in,
    timeouts_given,
)
from tests.unit.fhir import PATIENT, document, generated_pps, searchset


def test_start_page_invites_to_sign_in_in_french_by_default(client: FlaskClient) -> None:
    answer = client.get("/")
    assert answer.status_code == 200
    doc = check_page(answer.get_data(as_text=True), nonce=csp_nonce(answer.headers.get("Content-Security-Policy")))
    assert doc.get("lang") == "fr"
    assert doc.findtext(".//h1") == "Lire votre programme de soins"
    assert doc.xpath("//a[@href='/login']")


def test_start_page_follows_the_browser_language(client: FlaskClient) -> None:
    answer = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"})
    doc = check_page(answer.get_data(as_text=True))
    assert doc.get("lang") == "en"
    assert doc.findtext(".//h1") == "Read your care plan"


def test_an_explicit_language_choice_is_remembered(app: Flask) -> None:
    app.config["WTF_CSRF_ENABLED"] = False
    client = make_client(app)
    answer = client.post("/language", data={"lang": "en", "next": "/"}, headers={"Accept-Language": "fr"})
    assert answer.status_code == 302
    page = client.get("/", headers={"Accept-Language": "fr"})
    assert check_page(page.get_data(as_text=True)).get("lang") == "en"


def test_home_lists_the_patients_care_plans_without_hidden_ones(
    client: FlaskClient, provider: FakeProvider, mock: responses.RequestsMock
) -> None:
    mock.get(STORE + "/Patient", json=searchset(PATIENT))
    mock.get(
        STORE + "/DocumentReference",
        json=searchset(
            document("v2", "current", "2026-10-02T10:00:00+02:00"),
            document("v1", "superseded", "2026-09-01T09:00:00+02:00"),
            document("hidden", "current", "2026-10-03T10:00:00+02:00", ("INVISIBLE_PATIENT",)),
        ),
    )
    mock.get(STORE + "/Binary/v2", body=generated_pps(), content_type="application/xml")
    signed_in(client, provider)
    answer = client.get("/")
    assert answer.status_code == 200
    doc = check_page(answer.get_data(as_text=True), nonce=csp_nonce(answer.headers.get("Content-Security-Policy")))
    assert doc.findtext(".//h1") == "Bonjour Camille Exemple"
    items = [" ".join(li.text_content().split()) for li in doc.xpath("//ol[@class='plan-list']/li")]
    assert len(items) == 2
    assert "Version en cours" in items[0] and "2 octobre 2026" in items[0]
    assert "Ancienne version" in items[1] and "1er septembre 2026" in items[1]
    assert answer.headers["Cache-Control"] == "no-store"
    searched = [c.request.url for c in mock.calls if "/Patient?" in (c.request.url or "")]
    assert searched and "sub-123" in searched[0]
    # The current visible version is the one read and shown; the hidden one is never fetched.
    fetched = [c.request.url for c in mock.calls if "/Binary/" in (c.request.url or "")]
    assert fetched == [STORE + "/Binary/v2"]
    assert doc.xpath("//h2[text()='La suite']")


def test_home_in_english(client: FlaskClient, provider: FakeProvider, mock: responses.RequestsMock) -> None:
    mock.get(STORE + "/Patient", json=searchset(PATIENT))
    mock.get(STORE + "/DocumentReference", json=searchset(document("v1", "current", "2026-09-01")))
    mock.get(STORE + "/Binary/v1", body=generated_pps(), content_type="application/xml")
    signed_in(client, provider)
    answer = client.get("/", headers={"Accept-Language": "en"})
    doc = check_page(answer.get_data(as_text=True))
    assert doc.findtext(".//h1") == "Hello Camille Exemple"
    assert "We found 1 version of the care plan." in doc.text_content()


def test_nobody_linked_gets_a_plain_page_not_an_error(
    client: FlaskClient, provider: FakeProvider, mock: responses.RequestsMock
) -> None:
    mock.get(STORE + "/Patient", json=searchset())
    mock.get(STORE + "/RelatedPerson", json=searchset())  # nobody's caregiver or representative either
    signed_in(client, provider)
    answer = client.get("/")
    assert answer.status_code == 200
    doc = check_page(answer.get_data(as_text=True))
    assert doc.findtext(".//h1") == "Aucun programme de soins n’est encore lié à votre compte"
    assert "3C" in doc.text_content()


def test_store_down_gives_a_readable_503(
    client: FlaskClient, provider: FakeProvider, mock: responses.RequestsMock
) -> None:
    mock.get(STORE + "/Patient", body=requests.ConnectionError("refused"))
    signed_in(client, provider)
    answer = client.get("/")
    assert answer.status_code == 503
    page = answer.get_data(as_text=True)
    check_page(page)
    assert "Traceback" not in page


def test_store_answering_nonsense_gives_a_readable_503(
    client: FlaskClient, provider: FakeProvider, mock: responses.RequestsMock
) -> None:
    mock.get(STORE + "/Patient", body="<html>proxy error</html>", content_type="text/html")
    signed_in(client, provider)
    answer = client.get("/")
    assert answer.status_code == 503
    check_page(answer.get_data(as_text=True))


def test_a_hanging_store_answers_within_the_timeout(provider: FakeProvider) -> None:
    """A real socket that accepts and never answers (for as long as the test runs): the page comes back as a 503,
    which only the read timeout handed to the store call can have ended, well inside the page's budget. (The
    seconds it takes are `make bench`'s: bench/hostile.py.)"""
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    port = server.getsockname()[1]
    try:
        env = base_env(
            PORTAL_STORE_URL=f"http://127.0.0.1:{port}/fhir",
            PORTAL_STORE_READ_TIMEOUT="0.5",
            PORTAL_PAGE_TIME_BUDGET="60",  # the budget is not what ends the wait here: the read timeout is
        )
        app = create_app(env)
        client = make_client(app)
        provider.mock.add_passthru(f"http://127.0.0.1:{port}")
        signed_in(client, provider)
        timeouts = timeouts_given(app.extensions["portal.store"].session)
        answer = client.get("/")
    finally:
        server.close()
    assert answer.status_code == 503
    check_page(answer.get_data(as_text=True))
    assert timeouts and all(t.read_timeout == 0.5 for t in timeouts), timeouts


def test_unknown_page_is_a_plain_404(client: FlaskClient) -> None:
    answer = client.get("/no/such/page")
    assert answer.status_code == 404
    check_page(answer.get_data(as_text=True))


def test_healthz_needs_nothing(client: FlaskClient) -> None:
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.get_json() == {"status": "ok"}


@pytest.mark.parametrize("store_ok", [True, False])
def test_readyz_reports_dependencies_without_urls(
    client: FlaskClient, provider: FakeProvider, mock: responses.RequestsMock, store_ok: bool
) -> None:
    if store_ok:
        mock.get(STORE + "/metadata", json={"resourceType": "CapabilityStatement", "status": "active"})
    else:
        mock.get(STORE + "/metadata", status=503)
    answer = client.get("/readyz")
    assert answer.status_code == (200 if store_ok else 503)
    body = answer.get_json()
    assert body["checks"]["store"] == ("ok" if store_ok else "unavailable")
    assert body["checks"]["patient_identity_provider"] == "ok"
    text = json.dumps(body)
    assert "http" not in text and "secret" not in text
