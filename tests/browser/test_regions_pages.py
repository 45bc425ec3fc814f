"""The pages of a portal over two regional stores, as people meet them in Chromium: Bernard (plans at home and in
nord: the banner naming where the plan comes from and the other region, "My plans" with each region), Agathe (a
caregiver linked in nord only), Odile (a coordinator of nord previewing) and Bernard again while the nord store is
down (the notice naming it). axe-core finds no WCAG 2.2 AA violation, in French and English, on a phone and a
desktop, with and without JavaScript, and every page reflows at 320 CSS px."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from werkzeug.serving import make_server

from portal import create_app
from synthetic import build_region_bundle
from tests.browser.conftest import assert_accessible, horizontal_overflow, new_context, sign_in, sign_in_pro
from tests.browser.test_accessibility import choose_first, crawl
from tests.conftest import DemoStack, Running, free_port, load_accounts, portal_settings
from tests.pages import check_page

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("quiet_urllib3")]

NARROW = {"width": 320, "height": 640}
#: The regions' names in each language (demo/stack.py).
NORTH = {"fr": "Exemple-Nord", "en": "Example-North"}
SOUTH = {"fr": "Exemple-Sud", "en": "Example-South"}
NOT_ANSWERING = {"fr": "ne répond pas", "en": "not answering"}


@pytest.fixture(scope="module")
def regions(tmp_path_factory: pytest.TempPathFactory, synthetic_bundle: Path) -> Iterator[Running]:
    """The demo stack with the nord store beside the home store, and the portal reading both."""
    nord = tmp_path_factory.mktemp("nord-seed") / "nord.json"
    nord.write_text(json.dumps(build_region_bundle("nord")), encoding="utf-8")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    stack = DemoStack(
        portal_url=url, seed=synthetic_bundle, regions={"nord": nord}, log_dir=tmp_path_factory.mktemp("logs")
    )
    with stack:
        app = create_app({**portal_settings(stack), **stack.regions_environment()})
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="portal-regions", daemon=True)
        thread.start()
        try:
            yield Running(stack, url, {a["login"]: a for a in load_accounts()}, app)
        finally:
            server.shutdown()
            thread.join(timeout=30)


def every_page_accessible(page: Page, running: Running, axe_source: str, who: str, lang: str) -> list[str]:
    pages = list(crawl(page, running))
    for path in pages:
        page.goto(running.portal_url + path)
        check_page(page.content())
        assert_accessible(page, axe_source, f"{who} {path} ({lang})")
        page.set_viewport_size(NARROW)
        assert horizontal_overflow(page) <= 0, f"{who} {path} ({lang}) does not reflow at 320 px"
    return pages


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_every_page_of_a_patient_in_two_regions_is_accessible(
    browser: Browser, regions: Running, axe_source: str, lang: str, javascript: bool
) -> None:
    context = new_context(browser, lang, javascript=javascript)
    page = context.new_page()
    try:
        sign_in(page, regions, "bernard")
        page.goto(regions.portal_url + "/")
        banner = page.locator("body").inner_text()
        assert NORTH[lang] in banner and SOUTH[lang] in banner, "the banner names both regions"
        pages = every_page_accessible(page, regions, axe_source, "bernard", lang)
        assert "/choose" in pages  # "My plans", reached from the banner
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_caregiver_and_a_coordinator_of_the_other_region_meet_accessible_pages(
    browser: Browser, regions: Running, axe_source: str, lang: str
) -> None:
    for login in ("agathe", "odile"):
        context = new_context(browser, lang)
        page = context.new_page()
        try:
            if login == "odile":
                sign_in_pro(page, regions, login)
                page.goto(regions.portal_url + "/")
                assert_accessible(page, axe_source, f"{login} / ({lang})")  # her list, with the region of each
                choose_first(page, regions)
            else:
                sign_in(page, regions, login)
            every_page_accessible(page, regions, axe_source, login, lang)
        finally:
            context.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_notice_of_a_region_that_does_not_answer_is_accessible(
    browser: Browser, regions: Running, axe_source: str, lang: str
) -> None:
    regions.stack.kill_service("store-nord")
    context = new_context(browser, lang)
    page = context.new_page()
    try:
        sign_in(page, regions, "bernard")
        page.goto(regions.portal_url + "/")
        words = page.locator("body").inner_text()
        assert NORTH[lang] in words and NOT_ANSWERING[lang] in words
        every_page_accessible(page, regions, axe_source, "bernard, nord down", lang)
    finally:
        context.close()
        regions.stack.restart_service("store-nord")
