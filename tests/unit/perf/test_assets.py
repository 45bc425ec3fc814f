"""Static files: names carrying a hash of their content, kept a year by browsers, sent compressed."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import brotli
import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient

from portal import create_app
from portal.web.assets import CACHE_FOREVER, Assets, accepted_encoding, hashed_name
from tests.unit.conftest import PUBLIC, base_env

STATIC = Path(__file__).resolve().parents[3] / "portal" / "static"


@pytest.fixture
def app() -> Flask:
    return create_app(base_env())


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def asset_urls(client: FlaskClient) -> list[str]:
    page = client.get("/glossary", base_url=PUBLIC).get_data(as_text=True)
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', page)


def test_pages_link_the_css_and_scripts_by_hashed_names(client: FlaskClient) -> None:
    urls = asset_urls(client)
    assert any(re.fullmatch(r"/static/css/portal\.[0-9a-f]{12}\.css", u) for u in urls)
    assert any(re.fullmatch(r"/static/js/glossary\.[0-9a-f]{12}\.js", u) for u in urls)


def test_the_hash_follows_the_content() -> None:
    assert hashed_name("css/portal.css", b"a") == hashed_name("css/portal.css", b"a")
    assert hashed_name("css/portal.css", b"a") != hashed_name("css/portal.css", b"b")


def test_a_hashed_file_is_kept_a_year_and_sent_compressed(client: FlaskClient) -> None:
    css = next(u for u in asset_urls(client) if u.endswith(".css"))
    original = (STATIC / "css" / "portal.css").read_bytes()

    as_brotli = client.get(css, base_url=PUBLIC, headers={"Accept-Encoding": "gzip, br"})
    as_gzip = client.get(css, base_url=PUBLIC, headers={"Accept-Encoding": "gzip"})
    as_is = client.get(css, base_url=PUBLIC)

    assert as_brotli.headers["Cache-Control"] == CACHE_FOREVER == "public, max-age=31536000, immutable"
    assert as_brotli.headers["Content-Encoding"] == "br"
    assert brotli.decompress(as_brotli.get_data()) == original
    assert as_gzip.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(as_gzip.get_data()) == original
    assert "Content-Encoding" not in as_is.headers and as_is.get_data() == original
    assert "Accept-Encoding" in as_brotli.headers["Vary"]
    assert as_brotli.headers["Content-Type"].startswith("text/css")


def test_a_browser_that_asks_again_gets_304(client: FlaskClient) -> None:
    css = next(u for u in asset_urls(client) if u.endswith(".css"))
    first = client.get(css, base_url=PUBLIC, headers={"Accept-Encoding": "br"})
    again = client.get(css, base_url=PUBLIC, headers={"Accept-Encoding": "br", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_plain_names_still_answer_but_are_revalidated(client: FlaskClient) -> None:
    answer = client.get("/static/js/session-timeout.js", base_url=PUBLIC, headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-cache" and answer.headers["ETag"]
    assert client.get("/static/css/nothing.css", base_url=PUBLIC).status_code == 404


def test_static_answers_keep_the_security_headers(client: FlaskClient) -> None:
    css = next(u for u in asset_urls(client) if u.endswith(".css"))
    answer = client.get(css, base_url=PUBLIC)
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Cross-Origin-Resource-Policy"] == "same-origin"


def test_every_static_file_is_known_by_a_hashed_name() -> None:
    assets = Assets(STATIC)
    assert set(assets.names) >= {"css/portal.css", "js/glossary.js"}
    assert all(assets.url_name(n) in assets.files for n in assets.names)


@pytest.mark.parametrize(
    ("header", "expected"),
    [("gzip, deflate, br", "br"), ("gzip", "gzip"), ("br;q=0, gzip", "gzip"), ("", "identity"), ("*", "br")],
)
def test_the_encoding_follows_accept_encoding(header: str, expected: str) -> None:
    assert accepted_encoding(header, {"identity": b"", "gzip": b"", "br": b""}) == expected


def test_asset_urls_are_flasks_under_every_script_root(app: Flask) -> None:
    asset_url = app.jinja_env.globals["asset_url"]
    names = ["css/portal.css", "js/glossary.js", "no/such/file.css"]
    for root in ["", "/portal", "", "/portal"]:  # built, then kept: one app, each root its own URLs
        with app.test_request_context("/", base_url=f"{PUBLIC}{root}"):
            expected = [url_for("static", filename=app.extensions["portal.assets"].url_name(n)) for n in names]
            assert [asset_url(n) for n in names] == expected
            assert all(u.startswith(f"{root}/static/") for u in expected)
