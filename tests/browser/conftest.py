"""Browser layer: Playwright drives Debian's Chromium against the portal running on the demo stack.

axe-core comes from the project's npm lock (node_modules/axe-core) and is evaluated in the page through the
DevTools protocol, which the page's CSP does not govern; the page itself keeps its real headers.
"Without JavaScript" means the page's own scripts (htmx and ours) are blocked: what remains is the HTML.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.conftest import Running

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
LOCALES = {"fr": "fr-FR", "en": "en-GB"}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists() or shutil.which("node") is None:
        pytest.fail("browser tests need /usr/bin/chromium (make test-deps installs it)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def new_context(browser: Browser, lang: str, *, javascript: bool = True) -> BrowserContext:
    context = browser.new_context(locale=LOCALES[lang], viewport=PHONE, extra_http_headers={"Accept-Language": lang})
    context.set_default_timeout(30_000)  # a bound for a loaded machine: every wait is for a condition
    if not javascript:
        context.route("**/*.js", lambda route: route.abort())
    return context


def sign_in(page: Page, running: Running, login: str) -> None:
    """Sign in through the real provider's form, as a person would."""
    account = running.accounts[login]
    page.goto(running.portal_url + "/login")
    page.fill("input[name=login]", account["login"])
    page.fill("input[name=password]", account["password"])
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(running.portal_url + "/**")


def sign_in_pro(page: Page, running: Running, login: str) -> None:
    """Sign a professional in through the professional provider's form (`/pro/login`)."""
    account = running.accounts[login]
    page.goto(running.portal_url + "/pro/login")
    page.fill("input[name=login]", account["login"])
    page.fill("input[name=password]", account["password"])
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(running.portal_url + "/**")


def axe_violations(page: Page, axe_source: str) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)
    violations: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                                 targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
        }""",
        WCAG_TAGS,
    )
    return violations


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when it reflows)."""
    overflow: int = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    return overflow


def assert_accessible(page: Page, axe_source: str, where: str) -> None:
    problems = []
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        for violation in axe_violations(page, axe_source):
            problems.append(
                f"{where} at {viewport['width']}px: {violation['id']} ({violation['help']}) {violation['targets']}"
            )
    assert problems == []
