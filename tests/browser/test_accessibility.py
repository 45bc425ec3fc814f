"""Every page, as people meet it: axe-core finds no WCAG 2.2 AA violation, in French and English, on a phone and a
desktop, with and without JavaScript; pages reflow at 320 CSS px; a keyboard alone gets everywhere."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import (
    assert_accessible,
    horizontal_overflow,
    new_context,
    sign_in,
    sign_in_pro,
)
from tests.conftest import Running
from tests.pages import check_page

pytestmark = pytest.mark.browser

#: Pages reachable without signing in, and a few states a person can meet.
PUBLIC_PATHS = ["/", "/no-such-page"]
MAX_PAGES = 40


def site_links(page: Page, running: Running) -> list[str]:
    """Same-site GET links of the current page (navigation, glossary…), without anchors or sign-in routes."""
    hrefs: list[str] = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    found = []
    for href in hrefs:
        url = urljoin(page.url, href)
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != running.portal_url:
            continue
        if parts.path in ("/login", "/logout") or parts.path.startswith(("/static/", "/auth/")):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def is_html_page(page: Page, url: str) -> bool:
    """Pages only: downloads (PDF, calendar, archive, original documents) are checked elsewhere."""
    answer = page.request.get(url, max_redirects=0)
    return answer.status == 200 and answer.headers.get("content-type", "").startswith("text/html")


def crawl(page: Page, running: Running, start: str = "/") -> dict[str, str | None]:
    """Every page a signed-in person can reach by following links, each with the page that first links to it."""
    parents: dict[str, str | None] = {start: None}
    queue = [start]
    while queue and len(parents) <= MAX_PAGES:
        path = queue.pop(0)
        page.goto(running.portal_url + path)
        for found in site_links(page, running):
            if found not in parents and is_html_page(page, running.portal_url + found):
                parents[found] = path
                queue.append(found)
    return parents


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_public_pages_are_accessible(
    browser: Browser, running: Running, axe_source: str, lang: str, javascript: bool
) -> None:
    context = new_context(browser, lang, javascript=javascript)
    page = context.new_page()
    try:
        for path in PUBLIC_PATHS:
            page.goto(running.portal_url + path)
            check_page(page.content())
            assert_accessible(page, axe_source, f"{path} ({lang})")
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_every_page_of_a_patient_is_accessible(
    browser: Browser, running: Running, axe_source: str, lang: str, javascript: bool
) -> None:
    context = new_context(browser, lang, javascript=javascript)
    page = context.new_page()
    try:
        sign_in(page, running, "camille")
        pages = crawl(page, running)
        for path in pages:
            page.goto(running.portal_url + path)
            check_page(page.content())
            assert_accessible(page, axe_source, f"{path} ({lang})")
    finally:
        context.close()


#: Patients, and the people around them: a caregiver (helene), a parent (emma), a caregiver whose link has
#: ended (lucie); ines is a patient and a limited caregiver (her home is the chooser).
PATIENT_LOGINS = [
    "bernard",
    "diane",
    "germaine",
    "henri",
    "ines",
    "nathalie",
    "victor",
    "rose",
    "alex",
    "helene",
    "emma",
    "lucie",
]


@pytest.mark.parametrize("login", PATIENT_LOGINS)
def test_every_page_of_every_synthetic_patient_is_accessible(
    browser: Browser, running: Running, axe_source: str, login: str
) -> None:
    for lang in ("fr", "en"):
        context = new_context(browser, lang)
        page = context.new_page()
        try:
            sign_in(page, running, login)
            for path in crawl(page, running):
                page.goto(running.portal_url + path)
                check_page(page.content())
                assert_accessible(page, axe_source, f"{login} {path} ({lang})")
        finally:
            context.close()


def choose_first(page: Page, running: Running) -> None:
    """On a chooser or a coordinator's list, press the first person's button."""
    page.goto(running.portal_url + "/")
    button = page.locator("main form[method=post] button[type=submit]").first
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        button.click()
    assert answer.value.status == 302, f"the choice was refused: {answer.value.status}"
    page.wait_for_load_state()


@pytest.mark.parametrize("login", ["ines"])
def test_every_page_a_caregiver_with_a_chooser_reaches_is_accessible(
    browser: Browser, running: Running, axe_source: str, login: str
) -> None:
    for lang in ("fr", "en"):
        context = new_context(browser, lang)
        page = context.new_page()
        try:
            sign_in(page, running, login)
            page.goto(running.portal_url + "/")
            with page.expect_response(lambda r: r.request.method == "POST") as answer:
                page.locator("main form button[type=submit]").nth(1).click()  # the neighbour he helps
            assert answer.value.status == 302
            page.wait_for_load_state()
            for path in crawl(page, running):
                page.goto(running.portal_url + path)
                check_page(page.content())
                assert_accessible(page, axe_source, f"{login} {path} ({lang})")
        finally:
            context.close()


@pytest.mark.parametrize("login", ["claire", "yann"])
def test_every_page_of_a_coordinator_and_their_preview_is_accessible(
    browser: Browser, running: Running, axe_source: str, login: str
) -> None:
    for lang in ("fr", "en"):
        context = new_context(browser, lang)
        page = context.new_page()
        try:
            sign_in_pro(page, running, login)
            page.goto(running.portal_url + "/")
            check_page(page.content())
            assert_accessible(page, axe_source, f"{login} / ({lang})")
            if login == "claire":
                choose_first(page, running)
                for path in crawl(page, running):
                    page.goto(running.portal_url + path)
                    check_page(page.content())
                    assert page.locator(".viewing-banner").count() == 1, f"{path}: no preview banner"
                    assert_accessible(page, axe_source, f"{login} preview {path} ({lang})")
        finally:
            context.close()


def test_pages_reflow_at_320_css_pixels(browser: Browser, running: Running) -> None:
    context = new_context(browser, "fr")
    page = context.new_page()
    try:
        sign_in(page, running, "camille")
        page.set_viewport_size({"width": 320, "height": 640})
        for path in [*crawl(page, running), "/no-such-page"]:
            page.goto(running.portal_url + path)
            assert horizontal_overflow(page) <= 0, f"{path} scrolls sideways at 320 px"
    finally:
        context.close()


def test_a_keyboard_alone_reaches_every_page(browser: Browser, running: Running) -> None:
    """From the page that links to it, Tab to each page's link and press Enter: every page opens, focus is visible."""
    context = new_context(browser, "fr")
    page = context.new_page()
    try:
        sign_in(page, running, "camille")
        parents = crawl(page, running)
        page.goto(running.portal_url + "/")
        page.keyboard.press("Tab")
        skip = page.evaluate("() => document.activeElement.getAttribute('href')")
        assert skip == "#main", "the first Tab must reach the skip link"
        for target, parent in parents.items():
            if parent is None:
                continue
            page.goto(running.portal_url + parent)
            reached = False
            for _ in range(150):
                page.keyboard.press("Tab")
                if page.evaluate(
                    "() => { const e = document.activeElement;"
                    " return !!e && e.tagName === 'SUMMARY' && !e.parentElement.open; }"
                ):
                    page.keyboard.press("Enter")  # the menu (a <details>): a keyboard opens it like a button
                    continue
                focused = page.evaluate(
                    "() => { const e = document.activeElement; return e && e.getAttribute('href'); }"
                )
                if focused and urlsplit(urljoin(page.url, focused)).path == urlsplit(target).path:
                    outline = page.evaluate(
                        "() => { const s = getComputedStyle(document.activeElement);"
                        " return s.outlineStyle !== 'none' || s.boxShadow !== 'none'; }"
                    )
                    assert outline, f"focus is not visible on the link to {target}"
                    with page.expect_navigation():
                        page.keyboard.press("Enter")
                    reached = urlsplit(page.url).path == urlsplit(target).path
                    break
            assert reached, f"the keyboard could not reach {target} from {parent}"
    finally:
        context.close()
