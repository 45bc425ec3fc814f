"""The pages people meet when something is down are as accessible as the others (axe-core, French and English,
phone and desktop, with and without JavaScript): the sign-in service unavailable, "we cannot keep you signed in",
"we cannot check your access", and the start page after a session was lost.

A portal of their own, in this process: its providers, store and Redis are ports where nothing listens, so every
one of those pages is reached for real, by a browser, without waiting for anything."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from playwright.sync_api import Browser
from werkzeug.serving import make_server

from portal import create_app
from tests.browser.conftest import assert_accessible, new_context
from tests.pages import check_page

pytestmark = pytest.mark.browser

COOKIE = "portal-session"
TITLES = {
    "/login": (
        "Le service de connexion est indisponible pour le moment",
        "The sign-in service is not working right now",
    ),
    "redis": (
        "Nous ne pouvons pas garder votre session ouverte pour le moment",
        "We cannot keep you signed in right now",
    ),
    "access": ("Nous ne pouvons pas vérifier votre accès pour le moment", "We cannot check your access right now"),
    "lost": ("Lire votre programme de soins", "Read your care plan"),
}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@dataclass(frozen=True)
class Served:
    url: str
    app: Flask


def serve(**settings: str) -> Iterator[Served]:
    port = closed_port()
    url = f"http://127.0.0.1:{port}"
    nowhere = f"http://127.0.0.1:{closed_port()}"
    app = create_app(
        {
            "PORTAL_SECRET_KEY": "browser-fault-pages-secret-0123456789",
            "PORTAL_PUBLIC_URL": url,
            "PORTAL_DEV_INSECURE_HTTP": "true",
            "PORTAL_STORE_URL": f"{nowhere}/fhir",
            "PORTAL_OIDC_ISSUER": nowhere,
            "PORTAL_OIDC_CLIENT_ID": "browser",
            "PORTAL_OIDC_CLIENT_SECRET": "browser",
            "PORTAL_OIDC_SUBJECT_SYSTEM": "urn:pps-portal:browser",
            **settings,
        }
    )
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(url, app)
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def down() -> Iterator[Served]:
    """Providers and store down; sessions in memory, one of them signed in already."""
    yield from serve()


@pytest.fixture(scope="module")
def redis_down() -> Iterator[Served]:
    yield from serve(PORTAL_REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0")


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("which", ["/login", "redis", "access", "lost"])
def test_the_pages_of_a_fault_are_accessible(
    browser: Browser,
    down: Served,
    redis_down: Served,
    axe_source: str,
    which: str,
    lang: str,
    javascript: bool,
) -> None:
    context = new_context(browser, lang, javascript=javascript)
    page = context.new_page()
    try:
        served = redis_down if which == "redis" else down
        if which in ("redis", "access", "lost"):
            sid = f"browser-{which}-{lang}-{javascript}-{time.monotonic_ns()}"
            if which == "access":  # a signed-in session: its Patient search finds the store down
                user = {"provider": "patient", "sub": "browser-sub", "sid": None, "acr": "eidas2", "id_token": ""}
                down.app.extensions["portal.sessions"].create(
                    sid, {"user": user, "oidc_sub": "browser-sub", "_created": time.time()}, time.time()
                )
            context.add_cookies([{"name": COOKIE, "value": sid, "url": served.url}])
        answer = page.goto(served.url + ("/login" if which == "/login" else "/"))
        assert answer is not None
        assert answer.status == (200 if which == "lost" else 503)
        doc = check_page(page.content())
        assert " ".join(doc.find(".//h1").text_content().split()) == TITLES[which][lang == "en"]
        if which == "lost":
            assert page.locator("main .notice").count() == 1  # "signed out because of a technical problem"
        assert_accessible(page, axe_source, f"{which} ({lang})")
    finally:
        context.close()
