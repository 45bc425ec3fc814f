"""The route × person × resource matrix, in Chromium: a caregiver limited to some parts of the plan and a legal
representative, signed in through the real provider's form, choosing by clicking, with the browser's own cookies.

Each cell is what the browser gets: the page (200), the plain "not shared with you" page (403, for every part
and document the limited caregiver was not given, whoever's it is), or "not found" (404, exactly like a missing
resource, for what is hidden from representatives or belongs to another patient). Files are asked through the
page's own request context, which carries its cookies, since Chromium downloads them instead of showing them.
Every page a cell shows passes the structural checks and axe.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import assert_accessible, new_context, sign_in
from tests.conftest import Running
from tests.pages import check_page

pytestmark = pytest.mark.browser

FILES = ("/documents/plan.pdf", "/documents/calendar.ics", "/documents/copy.zip")

#: Inès helps Henri, who shares his calendar, his contacts and his support with her, nothing else.
LIMITED_CAREGIVER = {
    "/": 200,
    "/treatments": 403,
    "/calendar": 200,
    "/care-team": 200,
    "/support": 200,
    "/illness": 403,
    "/glossary": 200,
    "/history": 403,
    "/history/compare": 403,
    "/history/doc-henri-pps-v1": 403,
    "/documents": 403,
    "/documents/print": 403,
    "/documents/plan.pdf": 403,
    "/documents/calendar.ics": 200,
    "/documents/copy.zip": 403,
    "/documents/doc-henri-pps-v2/1": 403,
    "/documents/doc-germaine-pps-v2/1": 403,  # another patient's: the same answer as any other document
    "/access-log": 404,  # the patient's own page
}

#: Emma represents her son Léo; his first version is hidden from legal representatives.
REPRESENTATIVE = {
    "/": 200,
    "/treatments": 200,
    "/calendar": 200,
    "/care-team": 200,
    "/support": 200,
    "/illness": 200,
    "/history": 200,
    "/history/compare": 200,
    "/history/doc-leo-pps-v2": 200,
    "/history/doc-leo-pps-v1": 404,  # hidden from representatives: exactly like a missing one
    "/history/doc-germaine-pps-v1": 404,  # another patient's
    "/documents": 200,
    "/documents/print": 200,
    "/documents/plan.pdf": 200,
    "/documents/calendar.ics": 200,
    "/documents/copy.zip": 200,
    "/documents/doc-leo-pps-v2/1": 200,
    "/documents/doc-leo-pps-v1/1": 404,
    "/documents/doc-germaine-pps-v2/1": 404,
    "/access-log": 404,
}


def choose(page: Page, running: Running, name: str) -> None:
    """On the chooser, click the button of the plan of `name`, as a person would."""
    page.goto(running.portal_url + "/")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.locator("main form button[type=submit]", has_text=name).click()
    assert answer.value.status == 302
    page.wait_for_load_state()


def observe(page: Page, running: Running, path: str) -> int:
    url = running.portal_url + path
    if path in FILES or (path.startswith("/documents/doc-") and path.endswith("/1")):
        return page.request.get(url, max_redirects=0).status
    answer = page.goto(url)
    assert answer is not None
    return answer.status


def sweep(page: Page, running: Running, matrix: dict[str, int], axe_source: str, who: str) -> None:
    seen = {path: observe(page, running, path) for path in matrix}
    assert seen == matrix
    for path, status in matrix.items():
        if path in FILES or path.startswith("/documents/doc-"):
            continue
        page.goto(running.portal_url + path)
        doc = check_page(page.content())
        if status == 403:
            assert "n’est pas partagée avec vous" in doc.findtext(".//h1"), path
        assert_accessible(page, axe_source, f"{who} {path}")


def test_a_limited_caregiver_gets_exactly_the_matrix_in_the_browser(
    browser: Browser, running: Running, axe_source: str
) -> None:
    context = new_context(browser, "fr")
    page = context.new_page()
    try:
        sign_in(page, running, "ines")
        choose(page, running, "Henri")
        sweep(page, running, LIMITED_CAREGIVER, axe_source, "ines → Henri")
        # The navigation links only to what is shared.
        page.goto(running.portal_url + "/")
        links = set(page.eval_on_selector_all("nav a[href]", "els => els.map(e => e.getAttribute('href'))"))
        assert {"/calendar", "/care-team", "/support"} <= links
        assert not links & {"/treatments", "/illness", "/history", "/documents"}
    finally:
        context.close()


def test_a_representative_gets_exactly_the_matrix_in_the_browser(
    browser: Browser, running: Running, axe_source: str
) -> None:
    context = new_context(browser, "fr")
    page = context.new_page()
    try:
        sign_in(page, running, "emma")
        sweep(page, running, REPRESENTATIVE, axe_source, "emma → Léo")
    finally:
        context.close()
