"""The unit tests' client checks every whole page the portal answers: a page that breaks a structural rule fails
the test that asked for it, whatever that test was about."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.unit.conftest import make_client


@pytest.fixture
def pages(app: Flask) -> Flask:
    @app.get("/two-headings")
    def two_headings() -> str:
        return (
            '<!doctype html><html lang="fr"><head><title>Un</title></head>'
            "<body><header></header><main><h1>Un</h1><h1>Deux</h1></main><footer></footer></body></html>"
        )

    @app.get("/a-fragment")
    def fragment() -> str:
        return "<h2>Not a page</h2><h2>two headings are fine here</h2>"

    return app


def test_a_page_with_two_main_headings_fails_the_test_that_asked_for_it(pages: Flask) -> None:
    client = make_client(pages)
    with pytest.raises(AssertionError, match="expected one h1, found 2"):
        client.get("/two-headings")


def test_fragments_are_not_pages_and_checks_can_be_turned_off(pages: Flask) -> None:
    client = make_client(pages)
    assert client.get("/a-fragment").status_code == 200
    client.checks = False  # type: ignore[attr-defined]
    assert client.get("/two-headings").status_code == 200


def test_every_real_page_passes(pages: Flask) -> None:
    client = make_client(pages)
    for path in ("/", "/glossary", "/accessibility", "/legal", "/privacy", "/no-such-page"):
        client.get(path)  # each is checked by the client itself
