"""The patient's phone first, measured in Chromium at 360 × 740 CSS px.

The fold: on every plan page of every synthetic account that has a plan, in French and English, the page's own
main content starts within the first screen at the browser's default text size, and within the second at 150 %;
on the overview, that main content is the next-step card and the first phone link. Text size is set the way a
person sets it: Chromium's own font-size setting (DevTools `Page.setFontSizes`, the default font 16 px → 24 px,
what Settings › Appearance › Font size changes), not a page zoom, so the layout reflows as it would for them.

Themes: every page of a patient passes axe in the light and dark themes chosen on /display and in the device's
dark scheme, and body text keeps 7:1 (axe's `color-contrast-enhanced`).

Screenshots of the key pages at 360 px, French, default text, one per account, go to the folder named by
TEST_SCREENSHOTS (default `test-artifacts/screenshots/`), which `make test` prints at the end.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import PHONE, ROOT, assert_accessible, new_context, sign_in, sign_in_pro
from tests.conftest import Running

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(os.environ.get("TEST_SCREENSHOTS", ROOT / "test-artifacts" / "screenshots"))
SCREEN = PHONE["height"]
#: Default text, and the 150 % a person with large text sets (Chromium's default font size 16 px → 24 px).
TEXT_SIZES = {100: 16, 150: 24}
PLAN_PAGES = ("/", "/treatments", "/calendar", "/care-team", "/support", "/illness")
KEY_PAGES = ("/", "/treatments", "/calendar", "/care-team")

#: Every account that signs in to a plan: patients, a daughter who helps, a parent who represents, Inès choosing
#: Henri (limited to some parts), and the coordinator's preview of Camille.
ACCOUNTS: dict[str, str | None] = {
    "camille": None,
    "germaine": None,
    "helene": None,
    "diane": None,
    "bernard": None,
    "henri": None,
    "emma": None,
    "thomas": None,
    "ines": None,
    "nathalie": None,
    "victor": None,
    "ines→Henri": "Henri",
    "claire→Camille": "Camille",
}


def set_text_size(page: Page, percent: int) -> None:
    session = page.context.new_cdp_session(page)
    session.send("Page.setFontSizes", {"fontSizes": {"standard": TEXT_SIZES[percent], "fixed": 13}})


def open_account(page: Page, running: Running, account: str) -> None:
    login, _, choice = account.partition("→")
    if running.accounts[login]["idp"] == "pro":
        sign_in_pro(page, running, login)
        page.goto(running.portal_url + "/")
        with page.expect_response(lambda r: r.request.method == "POST"):
            page.locator("main form button[type=submit]", has_text=choice).click()
        page.wait_for_load_state()
    else:
        sign_in(page, running, login)
        if choice:
            page.goto(running.portal_url + "/")
            with page.expect_response(lambda r: r.request.method == "POST"):
                page.locator("main form button[type=submit]", has_text=choice).click()
            page.wait_for_load_state()


def top_of(page: Page, selector: str) -> float | None:
    found: float | None = page.evaluate(
        "(s) => { const e = document.querySelector(s); if (!e) return null;"
        " return e.getBoundingClientRect().top + window.scrollY; }",
        selector,
    )
    return found


def main_content(page: Page) -> str:
    """The page's own content: the first element after the h1 (the overview's is the next-step card)."""
    if page.locator("main .next-card").count():
        return "main .next-card"
    return "main h1 + *"


def shown_pages(page: Page, running: Running) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all(
        "nav.contents-list a[href]", "els => els.map(e => e.getAttribute('href'))"
    )
    return [p for p in PLAN_PAGES if p in hrefs] or ["/"]


@pytest.mark.parametrize("account", list(ACCOUNTS))
def test_each_plan_page_opens_on_its_content_within_the_first_screen(
    browser: Browser, running: Running, account: str
) -> None:
    problems: list[str] = []
    measured = 0
    for lang in ("fr", "en"):
        context = new_context(browser, lang)
        page = context.new_page()
        try:
            open_account(page, running, account)
            page.goto(running.portal_url + "/")
            paths = shown_pages(page, running)
            for percent in TEXT_SIZES:
                set_text_size(page, percent)
                limit = SCREEN * (1 if percent == 100 else 2)
                for path in paths:
                    page.goto(running.portal_url + path)
                    checks = {"main content": main_content(page)}
                    if path == "/" and page.locator("main a[href^='tel:']").count():
                        checks["first phone link"] = "main a[href^='tel:']"
                    for what, selector in checks.items():
                        top = top_of(page, selector)
                        measured += 1
                        if top is None or top >= limit:
                            problems.append(f"{account} {lang} {percent}% {path}: {what} starts at {top} px")
                    if lang == "fr" and percent == 100 and path in KEY_PAGES:
                        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                        name = account.replace("→", "-") + (path.strip("/") or "overview")
                        page.screenshot(path=str(SCREENSHOTS / f"{name.replace('/', '-')}.png"), full_page=False)
        finally:
            context.close()
    assert measured > 0
    assert problems == []


def test_phone_links_are_large_enough_and_never_break(browser: Browser, running: Running) -> None:
    context = new_context(browser, "fr")
    page = context.new_page()
    try:
        sign_in(page, running, "germaine")
        for path in ("/", "/care-team"):
            page.goto(running.portal_url + path)
            boxes: list[dict[str, Any]] = page.eval_on_selector_all(
                "main a[href^='tel:']",
                "els => els.map(e => { const r = e.getBoundingClientRect();"
                " return {h: r.height, lines: e.getClientRects().length, text: e.textContent}; })",
            )
            assert boxes, path
            for box in boxes:
                assert box["h"] >= 44, f"{path}: {box['text']!r} is {box['h']} px tall"
                assert box["lines"] == 1, f"{path}: {box['text']!r} breaks across lines"
    finally:
        context.close()


def test_the_menu_opens_without_javascript_and_the_caregiver_banner_stays(browser: Browser, running: Running) -> None:
    context = new_context(browser, "fr", javascript=False)
    page = context.new_page()
    try:
        sign_in(page, running, "helene")
        page.set_viewport_size({"width": 320, "height": 640})
        page.goto(running.portal_url + "/treatments")
        assert not page.locator("nav.contents-list a[href='/calendar']").is_visible()
        page.locator("summary.menu-button").click()
        assert page.locator("nav.contents-list a[href='/calendar']").is_visible()
        page.mouse.wheel(0, 3000)
        banner = page.locator(".viewing-banner")
        box = banner.bounding_box()
        assert box is not None and box["y"] <= 1 and box["height"] < 160, box
        assert "Germaine" in banner.inner_text()
    finally:
        context.close()


@pytest.mark.parametrize("theme", ["light", "dark", "system-dark"])
def test_every_theme_passes_axe_and_keeps_body_text_at_7_to_1(
    browser: Browser, running: Running, axe_source: str, theme: str
) -> None:
    context = new_context(browser, "fr")
    chosen = "dark" if theme == "dark" else "light" if theme == "light" else "system"
    context.add_cookies([{"name": "portal-display", "value": f"{chosen}.normal", "url": running.portal_url}])
    page = context.new_page()
    page.emulate_media(color_scheme="dark" if theme == "system-dark" else "light")
    try:
        sign_in(page, running, "camille")
        for path in (*PLAN_PAGES, "/history", "/documents", "/glossary", "/display"):
            page.goto(running.portal_url + path)
            assert_accessible(page, axe_source, f"{theme} {path}")
            page.evaluate(axe_source) if not page.evaluate("() => typeof window.axe !== 'undefined'") else None
            low: list[str] = page.evaluate(
                """async () => {
                    const r = await axe.run(document, {runOnly: {type: 'rule', values: ['color-contrast-enhanced']}});
                    return r.violations.flatMap(v => v.nodes.map(n => n.target.join(' '))).slice(0, 5);
                }"""
            )
            assert low == [], f"{theme} {path}: text under 7:1 at {low}"
    finally:
        context.close()


@pytest.mark.parametrize("percent", sorted(TEXT_SIZES))
def test_the_compare_form_and_what_changed_fit_a_320_px_phone(browser: Browser, running: Running, percent: int) -> None:
    """The versions to compare were two drop-downs (once 11 px text in 19 px boxes, wider than a phone; restyled,
    they still cut a version's name, its year included, at 320 px). They are radio buttons now: at 320 CSS px, at
    the default text size and at 150 %, each choice is at least 16 px text in a 44 px row, its whole name shows
    (it wraps, never cut), and nothing on the page, what changed included, runs past the screen."""
    context = new_context(browser, "fr")
    page = context.new_page()
    try:
        sign_in(page, running, "camille")
        page.set_viewport_size({"width": 320, "height": 640})
        set_text_size(page, percent)
        for path in ("/history", "/history/compare?from=doc-camille-pps-v1&to=doc-camille-pps-v3"):
            page.goto(running.portal_url + path)
            choices: list[dict[str, Any]] = page.eval_on_selector_all(
                "form.compare-form .choice",
                "els => els.map(e => { const r = e.getBoundingClientRect(); const l = e.querySelector('label');"
                " return {font: parseFloat(getComputedStyle(l).fontSize), h: r.height, right: r.right,"
                " cut: l.scrollWidth > l.clientWidth, text: l.textContent}; })",
            )
            assert len(choices) == 6, path  # three versions, on each side
            for box in choices:
                assert box["font"] >= 16, f"{path}: {box['text']!r} is {box['font']} px text"
                assert box["h"] >= 44, f"{path}: {box['text']!r} is {box['h']} px tall"
                assert box["right"] <= 320 and not box["cut"], f"{path}: {box['text']!r} does not fit: {box}"
            widest: float = page.evaluate(
                "() => Math.max(...[...document.querySelectorAll('main *')].map(e => e.getBoundingClientRect().right))"
            )
            assert widest <= 320, f"{path}: something in the page ends at {widest} px"
        assert page.locator(".change-group h3").count() >= 2
        assert page.locator(".before-after").count() >= 1
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"compare-320-{percent}.png"), full_page=True)
    finally:
        context.close()
