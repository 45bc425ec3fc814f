"""The PDFs of the documents page made in the PDF processes: the plan's and an RCP report's, cached, and a plain
"try again in a minute" page (503, Retry-After: 60) when the processes are all busy or a PDF takes too long."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack

import pytest
from flask.testing import FlaskClient
from lxml import html
from werkzeug.test import TestResponse

from portal.exports.pdf_pool import PdfPool
from portal.web import documents
from tests.unit.exports import pdf_jobs

SignedIn = Callable[[str], FlaskClient]


def pool_of(client: FlaskClient) -> PdfPool:
    made: PdfPool = client.application.extensions["portal.pdf_pool"]
    return made


def test_the_plan_pdf_is_made_once_per_version_and_language(signed_in: SignedIn) -> None:
    client = signed_in("camille")
    first = client.get("/documents/plan.pdf", headers={"Accept-Language": "en"})
    assert first.status_code == 200 and first.data.startswith(b"%PDF-")
    assert pool_of(client).cached_bytes == len(first.data)
    assert client.get("/documents/plan.pdf", headers={"Accept-Language": "en"}).data == first.data
    assert pool_of(client).cached_bytes == len(first.data)
    french = client.get("/documents/plan.pdf", headers={"Accept-Language": "fr"})
    assert french.status_code == 200 and french.data != first.data
    assert pool_of(client).cached_bytes == len(first.data) + len(french.data)


def busy_page(answer: TestResponse) -> str:
    """The title of the "try again in a minute" page (a whole page, checked by the test client)."""
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "60"
    page = html.fromstring(answer.get_data(as_text=True))
    return " ".join(str(page.xpath("string(//h1)")).split())


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_when_every_place_is_taken_the_person_is_asked_to_try_again_in_a_minute(signed_in: SignedIn, lang: str) -> None:
    client = signed_in("camille")
    pool = pool_of(client)
    with ExitStack() as taken:
        for _ in range(pool.queue):
            taken.enter_context(pool.admitted())
        answer = client.get("/documents/plan.pdf", headers={"Accept-Language": lang})
    title = busy_page(answer)
    assert title == {"en": "We cannot make your PDF right now", "fr": FRENCH_TITLE}[lang]
    assert retry_link(answer) == "/documents/plan.pdf"  # "Try again" asks for it again
    assert client.get("/documents/plan.pdf").status_code == 200  # and it works once a place is free


FRENCH_TITLE = "Nous ne pouvons pas préparer votre PDF pour le moment"


def retry_link(answer: TestResponse) -> str:
    page = html.fromstring(answer.get_data(as_text=True))
    return str(page.xpath("string(//main//a[contains(@class, 'button')]/@href)"))


def test_trying_again_asks_for_the_same_version(signed_in: SignedIn) -> None:
    client = signed_in("camille")
    pool = pool_of(client)
    with ExitStack() as taken:
        for _ in range(pool.queue):
            taken.enter_context(pool.admitted())
        older = client.get("/documents/plan.pdf?version=doc-camille-pps-v2")
    busy_page(older)
    assert retry_link(older) == "/documents/plan.pdf?version=doc-camille-pps-v2"


def test_a_pdf_over_its_time_limit_answers_the_same_page(signed_in: SignedIn, monkeypatch: pytest.MonkeyPatch) -> None:
    client = signed_in("camille")
    client.application.extensions["portal.pdf_pool"] = PdfPool(workers=1, queue=1, timeout=0.5, cache_bytes=0)
    monkeypatch.setattr(documents.pdf, "plan_pdf", pdf_jobs.never_ends)
    answer = client.get("/documents/plan.pdf", headers={"Accept-Language": "en"})
    assert busy_page(answer) == "We cannot make your PDF right now"
    assert pool_of(client).pids == []  # the runaway process is gone


def test_an_rcp_report_pdf_is_made_in_the_pdf_processes(signed_in: SignedIn) -> None:
    client = signed_in("camille")
    report = client.get("/rcp")
    assert report.status_code == 302
    answer = client.get(report.headers["Location"] + "/report.pdf", headers={"Accept-Language": "en"})
    assert answer.status_code == 200 and answer.data.startswith(b"%PDF-")
    assert pool_of(client).cached_bytes == len(answer.data)
