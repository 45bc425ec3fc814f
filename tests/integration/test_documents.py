"""Documents on the demo stack: a patient downloads her plan's files whole, and a hidden version answers like a
missing one (real sign-in, real FHIR store seeded with the synthetic data set)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import Running
from tests.integration.signin import sign_in
from tests.pages import check_page, csp_nonce

pytestmark = pytest.mark.integration


def browser(running: Running, login: str) -> requests.Session:
    session = requests.Session()
    session.headers["Accept-Language"] = "fr-FR,fr;q=0.9"
    account = running.accounts[login]
    page = sign_in(session, running.portal_url + "/login", account["login"], account["password"])
    assert page.status_code == 200
    return session


def seeded(bundle: Path, resource_id: str) -> dict[str, Any]:
    entries = json.loads(bundle.read_text(encoding="utf-8"))["entry"]
    resource: dict[str, Any] = next(e["resource"] for e in entries if e["resource"]["id"] == resource_id)
    return resource


def sha1(data: bytes) -> str:
    return base64.b64encode(hashlib.sha1(data, usedforsecurity=False).digest()).decode()


def test_camille_downloads_her_current_pdf_and_cda_whole(running: Running, synthetic_bundle: Path) -> None:
    session = browser(running, "camille")
    page = session.get(running.portal_url + "/documents")
    assert page.status_code == 200
    check_page(page.text, nonce=csp_nonce(page.headers.get("Content-Security-Policy")))
    assert "/documents/doc-camille-pps-v3/1" in page.text and "/documents/doc-camille-rcp-1/1" in page.text
    contents = seeded(synthetic_bundle, "doc-camille-pps-v3")["content"]
    for number, content in enumerate(contents, start=1):
        answer = session.get(f"{running.portal_url}/documents/doc-camille-pps-v3/{number}?download=1")
        assert answer.status_code == 200
        assert len(answer.content) == content["attachment"]["size"]
        assert sha1(answer.content) == content["attachment"]["hash"]
        assert answer.headers["Content-Disposition"].startswith("attachment; ")
        assert "filename*=UTF-8''Programme%20personnalis%C3%A9" in answer.headers["Content-Disposition"]
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Cache-Control"] == "no-store"
    inline = session.get(running.portal_url + "/documents/doc-camille-pps-v3/2")
    assert inline.headers["Content-Type"] == "application/pdf"
    assert inline.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_camille_takes_her_plan_away(running: Running) -> None:
    session = browser(running, "camille")
    pdf = session.get(running.portal_url + "/documents/plan.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    ics = session.get(running.portal_url + "/documents/calendar.ics")
    assert ics.status_code == 200 and b"BEGIN:VTIMEZONE" in ics.content
    copy = session.get(running.portal_url + "/documents/copy.zip")
    assert copy.status_code == 200 and copy.content.startswith(b"PK")


def without_tokens(text: str, doc_id: str) -> str:
    text = text.replace(doc_id, "{id}")
    text = re.sub(r'nonce="[^"]+"', 'nonce=""', text)
    return re.sub(r'(data-csrf="|name="csrf_token" value=")[^"]+"', r'\1"', text)


def test_diane_gets_the_same_404_for_her_hidden_version_as_for_a_missing_one(running: Running) -> None:
    session = browser(running, "diane")
    listing = session.get(running.portal_url + "/documents")
    assert "doc-diane-pps-v3" not in listing.text
    hidden = session.get(running.portal_url + "/documents/doc-diane-pps-v3/1")
    missing = session.get(running.portal_url + "/documents/doc-diane-pps-v7/1")
    assert hidden.status_code == missing.status_code == 404
    assert without_tokens(hidden.text, "doc-diane-pps-v3") == without_tokens(missing.text, "doc-diane-pps-v7")
    assert hidden.headers.get("Content-Type") == missing.headers.get("Content-Type")
