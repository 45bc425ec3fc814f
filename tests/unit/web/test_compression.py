"""Pages compressed as the browser accepts them, and nothing else (portal.web.compression)."""

from __future__ import annotations

import gzip

import brotli  # type: ignore[import-untyped]
import pytest
from flask import Flask, Response
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal.web import compression
from tests.pages import check_page, csp_nonce
from tests.unit.masked_tokens import without_tokens
from tests.unit.viewers import Viewers

BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


def _vary(answer: TestResponse | Response) -> set[str]:
    return {v.strip() for v in answer.headers.get("Vary", "").split(",") if v.strip()}


def _decoded(answer: TestResponse) -> str:
    return DECODE[answer.headers["Content-Encoding"]](answer.get_data()).decode()


@pytest.mark.parametrize(
    ("accept", "encoding"),
    [
        (BROWSER["Accept-Encoding"], "br"),
        ("gzip", "gzip"),
        ("br;q=0, gzip;q=0.5", "gzip"),
        ("*", "br"),
        ("", None),
        ("identity", None),
        ("br;q=0, gzip;q=0", None),
    ],
)
def test_a_page_is_compressed_as_the_browser_accepts(as_patient: FlaskClient, accept: str, encoding: str) -> None:
    answer = as_patient.get("/treatments", headers={"Accept-Encoding": accept})
    assert answer.status_code == 200
    assert answer.headers.get("Content-Encoding") == encoding
    assert "Accept-Encoding" in _vary(answer)
    assert int(answer.headers["Content-Length"]) == len(answer.get_data())


@pytest.mark.parametrize("path", ["/treatments", "/glossary", "/documents/print"])
def test_a_compressed_page_is_the_page(as_patient: FlaskClient, path: str) -> None:
    plain = as_patient.get(path)
    packed = as_patient.get(path, headers=BROWSER)
    assert packed.status_code == plain.status_code and packed.headers["Content-Encoding"] == "br"
    assert len(packed.get_data()) < len(plain.get_data()) / 2
    page = _decoded(packed)
    check_page(page, nonce=csp_nonce(packed.headers["Content-Security-Policy"]))
    # The same page but for this answer's own nonce and token masks.
    expected = plain.get_data(as_text=True).replace(
        csp_nonce(plain.headers["Content-Security-Policy"]), csp_nonce(packed.headers["Content-Security-Policy"])
    )
    assert without_tokens(page) == without_tokens(expected)


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_compressing_decompresses_to_exactly_the_body(app_of: Flask, encoding: str) -> None:
    body = ("<!doctype html><p>Fatigue, nausées — « repos » 🙂</p>\n" * 200).encode()
    with app_of.test_request_context(headers={"Accept-Encoding": encoding}):
        response = Response(body, mimetype="text/html")
        compression.compress(response)
    assert response.headers["Content-Encoding"] == encoding
    assert DECODE[encoding](response.get_data()) == body
    assert response.content_length == len(response.get_data())


@pytest.mark.parametrize(
    "path",
    [
        "/documents/calendar.ics",
        "/documents/copy.zip",
        "/documents/doc-camille-pps-v3/1",  # the structured document, downloaded
        "/documents/doc-camille-pps-v3/2",  # a PDF shown inline
    ],
)
def test_a_download_is_sent_as_it_is(as_patient: FlaskClient, path: str) -> None:
    answer = as_patient.get(path, headers=BROWSER)
    assert answer.status_code == 200, path
    assert "Content-Encoding" not in answer.headers
    assert "Accept-Encoding" not in _vary(answer)


def test_a_static_file_is_not_compressed_twice(as_patient: FlaskClient) -> None:
    page = as_patient.get("/")
    css = next(link for link in page.get_data(as_text=True).split('"') if link.endswith(".css"))
    answer = as_patient.get(css, headers=BROWSER)
    assert answer.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in _vary(answer)
    assert brotli.decompress(answer.get_data()).startswith(b"/* The portal's own style")  # decoded once: the CSS


@pytest.mark.parametrize(
    "path",
    [
        "/glossary?q=chimioth%C3%A9rapie",  # the search words are written back into the page
        "/history?x=a-guess",  # any query string, even one the page ignores
        "/no-such-page-a-guess",  # an error page (its path is the visitor's)
    ],
)
def test_nothing_a_visitor_chooses_is_compressed_beside_the_plan(as_patient: FlaskClient, path: str) -> None:
    """BREACH: the sizes of compressed answers that repeat a visitor's guess beside a secret (the plan's words)
    tell whether the guess was right. Such answers are sent as they are."""
    answer = as_patient.get(path, headers=BROWSER)
    assert "Content-Encoding" not in answer.headers, path
    assert len(answer.get_data()) > compression.MIN_BYTES  # a whole page, not one too small to compress


def _compressed(app: Flask, response: Response) -> Response:
    with app.test_request_context(headers=BROWSER):
        compression.compress(response)
    return response


def test_what_is_never_compressed(app_of: Flask) -> None:
    html = b"<!doctype html>" + b"<p>x</p>" * 1000
    cases = {
        "tiny": Response(b"<!doctype html><p>x</p>", mimetype="text/html"),
        "not html": Response(html, mimetype="application/json"),
        "attachment": Response(html, mimetype="text/html", headers={"Content-Disposition": "attachment"}),
        "already encoded": Response(gzip.compress(html), mimetype="text/html", headers={"Content-Encoding": "gzip"}),
        "streamed": Response(iter([html]), mimetype="text/html"),
        "passthrough": Response(html, mimetype="text/html", direct_passthrough=True),
        "partial": Response(html, status=206, mimetype="text/html"),
    }
    for name, response in cases.items():
        before = response.headers.get("Content-Encoding")
        _compressed(app_of, response)
        assert response.headers.get("Content-Encoding") == before, name
    assert cases["already encoded"].get_data() == gzip.compress(html)
    assert cases["tiny"].get_data() == b"<!doctype html><p>x</p>"
    assert _compressed(app_of, Response(html, mimetype="text/html")).headers["Content-Encoding"] == "br"


@pytest.fixture
def app_of(viewers: Viewers) -> Flask:
    return viewers.app
