"""The idle-timeout dialog in Chromium, on clocks the test moves: no real minute passes, nothing sleeps.

The page's clock is Playwright's (`page.clock`): its timers fire only when the test runs the clock. The portal's
clock for sessions is moved by the same amount when the test lets the page's time run out, so that both sides
agree the session idled past PORTAL_SESSION_IDLE_MINUTES (the server's idle check is what makes the start page
say why the session ended)."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import axe_violations, new_context, sign_in
from tests.conftest import Running

pytestmark = pytest.mark.browser

#: What the start page says after an idle timeout (templates/start.html), in French.
ENDED_FR = "Votre session a pris fin car rien ne s’est passé pendant un moment."
#: The longest an `expect` waits for the page to show what the test just made happen: a bound, never a pause.
EXPECT_MS = 30_000


class ShiftedTime:
    """The portal's session clock: the real one, ahead by `ahead` seconds."""

    def __init__(self) -> None:
        self.ahead = 0.0

    def time(self) -> float:
        return time.time() + self.ahead


@pytest.fixture
def server_clock(running: Running, monkeypatch: pytest.MonkeyPatch) -> ShiftedTime:
    """The portal's session clock (in this process: tests/conftest.py runs the portal in a thread), moved by the test
    only; put back when the test ends."""
    shifted = ShiftedTime()
    monkeypatch.setattr(running.app.session_interface, "clock", shifted.time)
    return shifted


def dialog_open(page: Page) -> bool:
    is_open: bool = page.evaluate("() => document.getElementById('session-timeout').open")
    return is_open


def test_the_idle_dialog_warns_keeps_the_session_on_request_then_ends_it(
    browser: Browser, running: Running, axe_source: str, server_clock: ShiftedTime
) -> None:
    context = new_context(browser, "fr")
    page = context.new_page()
    try:
        page.clock.install()  # before any page: the dialog's script arms its timers on the fake clock
        sign_in(page, running, "camille")
        page.goto(running.portal_url + "/")
        dialog = page.locator("#session-timeout")
        idle_ms = int(dialog.get_attribute("data-idle-seconds") or 0) * 1000
        warn_ms = int(dialog.get_attribute("data-warn-seconds") or 0) * 1000
        assert idle_ms > warn_ms > 0, (idle_ms, warn_ms)
        page.clock.pause_at(page.evaluate("() => Date.now()") / 1000)  # seconds; from now on, time moves only when told

        # Until two minutes before the timeout, nothing shows.
        page.clock.run_for(idle_ms - warn_ms - 1000)
        assert not dialog_open(page)
        page.clock.run_for(1000)
        expect(dialog).to_be_visible(timeout=EXPECT_MS)
        assert dialog_open(page)
        expect(page.locator("#session-timeout-title")).to_be_focused(timeout=EXPECT_MS)
        # axe-core waits on timers of its own: let the page's time flow while it runs, then stop it again, a
        # minute on (the dialog's own deadline is two minutes away; axe needs seconds of real time).
        warned_at = page.evaluate("() => Date.now()") / 1000
        page.clock.resume()
        assert axe_violations(page, axe_source) == []
        page.clock.pause_at(warned_at + 60)
        assert dialog_open(page)

        # The keyboard alone: from the focused title, Tab to "stay signed in" and press Enter.
        page.keyboard.press("Tab")
        stay = page.locator("[data-session-stay]")
        expect(stay).to_be_focused(timeout=EXPECT_MS)
        with page.expect_response(lambda r: r.url.endswith("/session/keep-alive")) as kept:
            page.keyboard.press("Enter")
        assert kept.value.request.method == "POST" and kept.value.status == 204
        expect(dialog).to_be_hidden(timeout=EXPECT_MS)
        assert not dialog_open(page) and urlsplit(page.url).path == "/"

        # Then nobody touches the page: the whole idle time passes, on both clocks.
        server_clock.ahead = idle_ms / 1000 + 2
        with page.expect_navigation(url=running.portal_url + "/"):
            page.clock.run_for(idle_ms + 1000)
        notice = page.locator("main .notice[role=status]")
        expect(notice).to_contain_text(ENDED_FR, timeout=EXPECT_MS)
        assert page.locator("form[action='/logout']").count() == 0  # signed out: no sign-out button any more
        assert page.locator("#session-timeout").count() == 0
    finally:
        context.close()
