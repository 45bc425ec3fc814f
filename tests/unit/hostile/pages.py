"""Helpers of the hostile-store tests: the app on a store that fails in one chosen way, and what a readable page is."""

from __future__ import annotations

from typing import Any

from flask import Flask

from portal import create_app
from tests.pages import check_page, csp_nonce
from tests.unit.conftest import base_env

#: The French title of the "service unavailable" page (portal.web.errors).
UNAVAILABLE_FR = "Le service est indisponible pour le moment"
#: The French title of the page shown when the store cannot confirm who may see whom (portal.access, fail closed).
ACCESS_UNAVAILABLE_FR = "Nous ne pouvons pas vérifier votre accès pour le moment"


def portal(**env: str) -> Flask:
    app = create_app(base_env(**env))
    app.config["TESTING"] = True
    return app


def readable(answer: Any, lang: str = "fr") -> Any:
    """The page's lxml document, after checking it is a whole, well-formed page without any trace of our code."""
    body = answer.get_data(as_text=True)
    assert "Traceback" not in body and 'File "' not in body and "Error:" not in body
    doc = check_page(body, nonce=csp_nonce(answer.headers.get("Content-Security-Policy")))
    assert doc.get("lang") == lang
    return doc


def h1(doc: Any) -> str:
    return " ".join(doc.find(".//h1").text_content().split())
