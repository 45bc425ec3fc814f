"""The session cookie's attributes, and the idle-timeout dialog that offers to stay signed in."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from flask import Flask
from lxml import html

from portal import ROOT, create_app
from portal.auth import session as session_module
from tests.pages import check_page, csp_nonce
from tests.unit.conftest import base_env, csrf_token, make_client, sign_in
from tests.unit.masked_tokens import secret_of
from tests.unit.security.hostile_idp import HostileProvider

SCRIPT = ROOT / "portal" / "static" / "js" / "session-timeout.js"


def test_the_session_cookie_is_host_bound_secure_http_only_and_lax(app: Flask, hostile: HostileProvider) -> None:
    client = make_client(app)
    sign_in(client, hostile)
    cookie = client.get_cookie("__Host-portal-session", domain="portal.test")
    assert cookie is not None
    assert cookie.secure and cookie.http_only and cookie.same_site == "Lax"
    assert cookie.path == "/" and not cookie.domain.startswith(".")  # what __Host- requires


def test_on_loopback_http_in_development_the_cookie_drops_secure_and_the_prefix(hostile: HostileProvider) -> None:
    app = create_app(base_env(PORTAL_PUBLIC_URL="http://127.0.0.1:8000", PORTAL_DEV_INSECURE_HTTP="true"))
    client = app.test_client()
    answer = client.get("/login", base_url="http://127.0.0.1:8000")
    assert answer.status_code == 302
    # Before sign-in, the sign-in state travels in the anonymous cookie (portal.auth.session).
    [header] = [h for h in answer.headers.getlist("Set-Cookie") if h.startswith("portal-anonymous=")]
    attributes = [a.strip().lower() for a in header.split(";")]
    assert "httponly" in attributes and "samesite=lax" in attributes and "path=/" in attributes
    assert "secure" not in attributes
    assert not [h for h in answer.headers.getlist("Set-Cookie") if h.startswith("__Host-")]


def test_signed_in_pages_carry_the_idle_dialog_and_its_script_with_the_nonce(
    app: Flask, hostile: HostileProvider
) -> None:
    client = make_client(app)
    sign_in(client, hostile)
    answer = client.get("/no-such-page")
    doc = check_page(answer.get_data(as_text=True), nonce=csp_nonce(answer.headers["Content-Security-Policy"]))
    [dialog] = doc.xpath("//dialog[@id='session-timeout']")
    heading = doc.get_element_by_id(dialog.get("aria-labelledby"))
    assert heading.tag == "h2" and heading.get("tabindex") == "-1"  # the script focuses it on opening
    assert heading.text_content() == "Vous êtes encore là\u00a0?"
    assert doc.get_element_by_id(dialog.get("aria-describedby")).text_content().strip()
    buttons = dialog.xpath(".//button")
    assert [b.text_content() for b in buttons] == ["Garder ma session ouverte", "Se déconnecter"]
    assert all(b.get("type") == "button" for b in buttons)
    assert dialog.get("data-idle-seconds") == "900"
    assert dialog.get("data-warn-seconds") == "120"
    # This session's token, masked for this answer alone (portal.web.csrf)
    sent, later = dialog.get("data-csrf"), csrf_token(client)
    assert sent != later and secret_of(sent) == secret_of(later)
    # By its hashed name, as every script (kept a year by the browser, tests/unit/perf/test_assets.py)
    scripts = [str(src) for src in doc.xpath("//script[@defer]/@src")]
    assert any(re.fullmatch(r"/static/js/session-timeout\.[0-9a-f]{12}\.js", src) for src in scripts), scripts


def test_anonymous_pages_have_no_dialog(app: Flask) -> None:
    page = make_client(app).get("/").get_data(as_text=True)
    assert "session-timeout" not in page


def test_the_dialog_script_stays_within_the_budget_and_uses_no_inline_tricks() -> None:
    source = SCRIPT.read_bytes()
    assert len(gzip.compress(source)) <= 3 * 1024
    assert len(source) <= 3 * 1024
    text = source.decode()
    for forbidden in ("eval(", "innerHTML", "new Function", "setTimeout('", 'setTimeout("'):
        assert forbidden not in text
    assert "/session/keep-alive" in text and "X-CSRFToken" in text
    assert "location.replace('/')" in text  # the start page then says the session ended


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_keep_alive_renews_the_idle_timeout_and_needs_the_csrf_token(
    app: Flask, hostile: HostileProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    monkeypatch.setattr(session_module.time, "time", clock)
    client = make_client(app)
    sign_in(client, hostile)
    token = csrf_token(client)

    assert client.post("/session/keep-alive").status_code == 400  # no token
    for _ in range(3):
        clock.now += 14 * 60
        answer = client.post("/session/keep-alive", headers={"X-CSRFToken": token})
        assert answer.status_code == 204
        assert answer.headers["Cache-Control"] == "no-store"

    clock.now += 15 * 60 + 1
    assert client.post("/session/keep-alive", headers={"X-CSRFToken": token}).status_code in (400, 401)
    # Too late: the script then goes to the start page, which says why, once.
    assert "Votre session a pris fin" in client.get("/").get_data(as_text=True)
    assert "Votre session a pris fin" not in client.get("/").get_data(as_text=True)


def test_keep_alive_without_a_session_says_so(app: Flask) -> None:
    client = make_client(app)
    token = csrf_token(client)
    assert client.post("/session/keep-alive", headers={"X-CSRFToken": token}).status_code == 401


def test_a_timed_out_session_is_kept_a_little_so_the_start_page_can_say_it_ended() -> None:
    store = session_module.MemorySessionStore(idle_seconds=60)
    assert store._data.ttl == 60 + session_module.EXPIRED_GRACE_SECONDS


def test_the_dialog_template_is_included_once_from_the_layout() -> None:
    base = (ROOT / "templates" / "base.html").read_text(encoding="utf-8")
    assert base.count('{% include "components/session_timeout.html" %}') == 1
    partial = html.fragment_fromstring(
        (Path(ROOT) / "templates" / "components" / "session_timeout.html").read_text(encoding="utf-8"),
        create_parent="div",
    )
    assert not [s for s in partial.iter("script") if not s.get("src")], "no inline script"
