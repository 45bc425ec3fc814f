"""The documents page and downloads, on a fake store holding the synthetic data set: what each person sees,
the headers of every file handed over, and a hidden document answering exactly like a missing one."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import re
import zipfile
from collections.abc import Callable
from urllib.parse import unquote

import icalendar
import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.pages import check_page, csp_nonce
from tests.unit.documents.synthetic_store import SyntheticStore

SignedIn = Callable[[str], FlaskClient]


def page(answer: TestResponse) -> str:
    body = answer.get_data(as_text=True)
    check_page(body, nonce=csp_nonce(answer.headers.get("Content-Security-Policy")))
    return body


def texts(body: str) -> str:
    from lxml import html

    return " ".join(html.document_fromstring(body).find(".//main").text_content().split())


def document_titles(body: str) -> list[str]:
    from lxml import html

    return [
        " ".join(h.text_content().split()) for h in html.document_fromstring(body).xpath("//li[@class='document']/h3")
    ]


def test_documents_page_lists_every_version_and_the_rcp_report_in_french(signed_in: SignedIn) -> None:
    answer = signed_in("camille").get("/documents", headers={"Accept-Language": "fr"})
    assert answer.status_code == 200
    body = page(answer)
    assert document_titles(body) == [
        "Programme de soins du 27 août 2026",
        "Programme de soins du 13 février 2026",
        "Programme de soins du 25 novembre 2025",
        "Compte rendu de la réunion d’équipe du 20 novembre 2025",
    ]
    words = texts(body)
    assert "Version en cours" in words and "Version précédente" in words
    assert "Dr Jeanne EXEMPLAIRE" in words
    assert "89 ko" in words and "en français" in words  # Babel formats the size and names the language
    assert "L’ouvrir sur cet écran" in words and "Télécharger sur votre appareil" in words
    assert answer.headers["Cache-Control"] == "no-store"


def test_documents_page_in_english(signed_in: SignedIn) -> None:
    body = page(signed_in("camille").get("/documents", headers={"Accept-Language": "en"}))
    assert document_titles(body)[0] == "Care plan of 27 August 2026"
    words = texts(body)
    assert "89 kB" in words and "in French" in words
    assert "Report of the team meeting of 20 November 2025" in words


def test_a_version_hidden_from_the_patient_is_not_listed(signed_in: SignedIn, store: SyntheticStore) -> None:
    assert "INVISIBLE_PATIENT" in json.dumps(store.document("doc-diane-pps-v3")["securityLabel"])
    body = page(signed_in("diane").get("/documents"))
    assert "doc-diane-pps-v3" not in body
    assert len(document_titles(body)) == 2


def test_a_pdf_only_plan_lists_its_pdf_and_offers_no_generated_copy(signed_in: SignedIn) -> None:
    body = page(signed_in("victor").get("/documents", headers={"Accept-Language": "en"}))
    assert "/documents/plan.pdf" not in body and "/documents/calendar.ics" not in body
    assert "/documents/doc-victor-pps-v1/1" in body


def test_signed_out_visitors_are_sent_to_the_start_page(client: FlaskClient, store: SyntheticStore) -> None:
    for path in ("/documents", "/documents/doc-camille-pps-v3/1", "/documents/copy.zip", "/documents/plan.pdf"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer.headers["Location"] == "/"
    assert store.binary_reads == []


# --- downloads ------------------------------------------------------------------------------------------


def test_a_pdf_opens_inline_in_a_sandbox(signed_in: SignedIn, store: SyntheticStore) -> None:
    answer = signed_in("camille").get("/documents/doc-camille-pps-v3/2")
    assert answer.status_code == 200
    assert answer.mimetype == "application/pdf"
    assert answer.data == store.binary_bytes("bin-camille-pps-v3-pdf")
    assert answer.headers["Content-Disposition"].startswith("inline; ")
    assert answer.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Content-Length"] == str(len(answer.data))


def test_a_pdf_downloads_when_asked_with_its_accented_name(signed_in: SignedIn) -> None:
    answer = signed_in("camille").get("/documents/doc-camille-pps-v3/2?download=1")
    disposition = answer.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    encoded = re.search(r"filename\*=UTF-8''(\S+)", disposition)
    assert encoded is not None
    assert unquote(encoded.group(1)) == "Programme personnalisé de soins de Camille EXEMPLE (version 3) (PDF).pdf"
    assert 'filename="Programme personnalise de soins' in disposition  # ASCII fallback for old clients


def test_the_structured_document_always_downloads(signed_in: SignedIn, store: SyntheticStore) -> None:
    answer = signed_in("camille").get("/documents/doc-camille-pps-v3/1")
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"].startswith("attachment; ")
    assert answer.headers["Content-Disposition"].endswith(".xml")
    assert answer.data == store.binary_bytes("bin-camille-pps-v3")
    assert "sandbox" not in answer.headers["Content-Security-Policy"]
    assert "nonce-" in answer.headers["Content-Security-Policy"]


def test_the_rcp_report_downloads(signed_in: SignedIn, store: SyntheticStore) -> None:
    answer = signed_in("camille").get("/documents/doc-camille-rcp-1/1")
    assert answer.status_code == 200
    assert answer.data == store.binary_bytes("bin-camille-rcp-1")


def normalised(answer: TestResponse, doc_id: str) -> str:
    """The body without what changes from one request to the next (CSP nonce, CSRF token) and without the
    id the request itself named (the language switch sends the person back to the same address)."""
    body = answer.get_data(as_text=True).replace(doc_id, "{id}")
    body = re.sub(r'nonce="[^"]+"', 'nonce=""', body)
    return re.sub(r'(data-csrf="|name="csrf_token" value=")[^"]+"', r'\1"', body)


@pytest.mark.parametrize(
    "path",
    [
        "/documents/{id}/1",
        "/documents/{id}/2",
        "/documents/{id}/2?download=1",
        "/documents/plan.pdf?version={id}",
        "/documents/print?version={id}",
    ],
)
def test_a_hidden_document_answers_exactly_like_a_missing_one(
    signed_in: SignedIn, store: SyntheticStore, path: str
) -> None:
    client = signed_in("diane")
    hidden = client.get(path.format(id="doc-diane-pps-v3"))
    missing = client.get(path.format(id="doc-diane-pps-v9"))
    assert hidden.status_code == missing.status_code == 404
    assert normalised(hidden, "doc-diane-pps-v3") == normalised(missing, "doc-diane-pps-v9")
    assert sorted(hidden.headers.keys()) == sorted(missing.headers.keys())
    assert "bin-diane-pps-v3" not in store.binary_reads  # never fetched


def test_another_patients_document_is_missing_too(signed_in: SignedIn, store: SyntheticStore) -> None:
    client = signed_in("diane")
    other = client.get("/documents/doc-camille-pps-v3/1")
    missing = client.get("/documents/doc-nobody-pps-v3/1")
    assert other.status_code == 404
    assert normalised(other, "doc-camille-pps-v3") == normalised(missing, "doc-nobody-pps-v3")
    assert store.binary_reads == []


def refused(answer: TestResponse, status: int = 502) -> str:
    assert answer.status_code == status
    assert "Content-Disposition" not in answer.headers  # nothing is presented as a file
    return texts(page(answer))


def no_health_data_logged(caplog: pytest.LogCaptureFixture) -> None:
    logged = " ".join(r.getMessage() for r in caplog.records)
    for secret in ("camille", "Camille", "EXEMPLE", "doc-camille", "bin-camille", "Programme personnalisé"):
        assert secret not in logged


def test_a_file_of_the_wrong_size_is_refused(
    signed_in: SignedIn, store: SyntheticStore, caplog: pytest.LogCaptureFixture
) -> None:
    store.tamper("bin-camille-pps-v3-pdf", data=store.binary_bytes("bin-camille-pps-v3-pdf") + b"%%EOF\n")
    caplog.set_level(logging.INFO)
    words = refused(signed_in("camille").get("/documents/doc-camille-pps-v3/2", headers={"Accept-Language": "en"}))
    assert "The file we received is not the one your care team shared." in words
    assert "The file did not arrive." in words
    assert any("document refused reason=integrity" in r.getMessage() for r in caplog.records)
    no_health_data_logged(caplog)


def test_a_file_with_the_wrong_hash_is_refused(
    signed_in: SignedIn, store: SyntheticStore, caplog: pytest.LogCaptureFixture
) -> None:
    original = store.binary_bytes("bin-camille-pps-v3-pdf")
    store.tamper("bin-camille-pps-v3-pdf", data=original[:-1] + bytes([original[-1] ^ 1]))  # same size
    caplog.set_level(logging.INFO)
    refused(signed_in("camille").get("/documents/doc-camille-pps-v3/2"))
    no_health_data_logged(caplog)


def test_a_truncated_file_is_refused(signed_in: SignedIn, store: SyntheticStore) -> None:
    store.tamper("bin-camille-pps-v3-pdf", data=store.binary_bytes("bin-camille-pps-v3-pdf")[:1000])
    refused(signed_in("camille").get("/documents/doc-camille-pps-v3/2"))


def test_html_sent_instead_of_a_pdf_is_refused(signed_in: SignedIn, store: SyntheticStore) -> None:
    store.tamper("bin-camille-pps-v3-pdf", content_type="text/html")
    words = refused(signed_in("camille").get("/documents/doc-camille-pps-v3/2", headers={"Accept-Language": "en"}))
    assert "This file is of a kind the portal does not open, for your safety." in words


def test_a_file_larger_than_the_limit_is_refused_before_it_is_read(signed_in: SignedIn, store: SyntheticStore) -> None:
    attachment = store.document("doc-camille-pps-v3")["content"][0]["attachment"]
    attachment["size"] = 200 * 1024 * 1024
    words = refused(signed_in("camille").get("/documents/doc-camille-pps-v3/1", headers={"Accept-Language": "en"}))
    assert "This file is too large to be sent through the portal." in words
    assert "bin-camille-pps-v3" not in store.binary_reads


def test_a_file_type_off_the_allowlist_is_not_offered(signed_in: SignedIn, store: SyntheticStore) -> None:
    store.document("doc-camille-pps-v3")["content"][1]["attachment"]["contentType"] = "text/html"
    client = signed_in("camille")
    body = page(client.get("/documents", headers={"Accept-Language": "en"}))
    assert "/documents/doc-camille-pps-v3/2" not in body
    assert "This file cannot be opened through the portal." in texts(body)
    refused(client.get("/documents/doc-camille-pps-v3/2"))
    assert "bin-camille-pps-v3-pdf" not in store.binary_reads


# --- the generated copies -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_print_view_is_a_valid_page(signed_in: SignedIn, lang: str) -> None:
    answer = signed_in("camille").get("/documents/print", headers={"Accept-Language": lang})
    assert answer.status_code == 200
    doc = check_page(answer.get_data(as_text=True))
    assert doc.get("lang") == lang
    assert doc.xpath("//link[@href='/static/css/print.css']")


def test_the_plan_pdf_downloads(signed_in: SignedIn) -> None:
    answer = signed_in("camille").get("/documents/plan.pdf", headers={"Accept-Language": "en"})
    assert answer.status_code == 200
    assert answer.data.startswith(b"%PDF-")
    assert answer.headers["Content-Disposition"].startswith('attachment; filename="my-care-plan.pdf"')


def test_the_calendar_is_discreet_unless_names_are_asked_for(signed_in: SignedIn) -> None:
    client = signed_in("camille")
    answer = client.get("/documents/calendar.ics", headers={"Accept-Language": "fr"})
    assert answer.status_code == 200
    assert answer.mimetype == "text/calendar"
    assert answer.headers["Content-Disposition"].startswith("attachment; ")
    calendar = icalendar.Calendar.from_ical(answer.data)
    summaries = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
    assert summaries and all(s.startswith(("Rendez-vous", "Fin d'une période de soins")) for s in summaries)
    assert not any("Hormonothérapie" in s for s in summaries)
    named = icalendar.Calendar.from_ical(client.get("/documents/calendar.ics?names=1").data)
    assert any("Hormonothérapie" in str(e["SUMMARY"]) for e in named.walk("VEVENT"))


def test_one_event_alone(signed_in: SignedIn) -> None:
    client = signed_in("camille")
    every = icalendar.Calendar.from_ical(client.get("/documents/calendar.ics").data).walk("VEVENT")
    uid = str(every[-1]["UID"])
    one = icalendar.Calendar.from_ical(client.get(f"/documents/calendar.ics?event={uid}").data).walk("VEVENT")
    assert [str(e["UID"]) for e in one] == [uid]
    assert client.get("/documents/calendar.ics?event=unknown@pps-portal").status_code == 404


def test_the_portable_copy_holds_every_visible_file_and_their_metadata(
    signed_in: SignedIn, store: SyntheticStore
) -> None:
    answer = signed_in("diane").get("/documents/copy.zip")
    assert answer.status_code == 200
    assert answer.mimetype == "application/zip"
    assert answer.headers["Content-Disposition"].startswith("attachment; ")
    archive = zipfile.ZipFile(io.BytesIO(answer.data))
    bundle = json.loads(archive.read("metadata.json"))
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    ids = [e["resource"]["id"] for e in bundle["entry"]]
    assert "doc-diane-pps-v3" not in ids and set(ids) >= {"doc-diane-pps-v1", "doc-diane-pps-v2"}
    for entry in bundle["entry"]:
        for content in entry["resource"]["content"]:
            attachment = content["attachment"]
            data = archive.read(attachment["url"])
            assert len(data) == attachment["size"]
            assert base64.b64encode(hashlib.sha1(data, usedforsecurity=False).digest()).decode() == attachment["hash"]
    assert "bin-diane-pps-v3" not in store.binary_reads


def test_one_damaged_file_refuses_the_whole_copy(signed_in: SignedIn, store: SyntheticStore) -> None:
    store.tamper("bin-camille-pps-v1", data=b"<ClinicalDocument/>")
    refused(signed_in("camille").get("/documents/copy.zip"))


def test_someone_with_no_document_yet_gets_a_plain_word(signed_in: SignedIn) -> None:
    body = page(signed_in("rose").get("/documents", headers={"Accept-Language": "en"}))
    assert "No document has been shared with you yet." in texts(body)
    assert "/documents/copy.zip" not in body and "/documents/plan.pdf" not in body


def test_a_plan_that_cannot_be_read_still_lists_its_files(signed_in: SignedIn, store: SyntheticStore) -> None:
    unreadable = b"<?xml version='1.0'?><notapps/>"
    store.tamper("bin-camille-pps-v3", data=unreadable)
    attachment = store.document("doc-camille-pps-v3")["content"][0]["attachment"]
    attachment["size"] = len(unreadable)
    attachment["hash"] = base64.b64encode(hashlib.sha1(unreadable, usedforsecurity=False).digest()).decode()
    body = page(signed_in("camille").get("/documents"))
    assert "/documents/plan.pdf" not in body
    assert "/documents/doc-camille-pps-v3/2" in body


def test_the_ovarian_case_lists_its_linked_rcp_report(signed_in: SignedIn) -> None:
    titles = document_titles(page(signed_in("nathalie").get("/documents", headers={"Accept-Language": "en"})))
    assert any(t.startswith("Report of the team meeting of") for t in titles)
