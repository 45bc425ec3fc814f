"""Version history on the demo stack: real sign-ins, the synthetic data set in the store, real HTTP.

Camille (breast, three versions) sees her history and what changed; Diane (lung) never meets the third version
that is hidden from her until the consultation; "new since your last visit" shows once, then goes.
"""

from __future__ import annotations

import pytest
import requests

from portal.web.lastseen import COOKIE, LastSeen
from tests.conftest import Running
from tests.integration.signin import sign_in
from tests.pages import check_page, csp_nonce

pytestmark = pytest.mark.integration

#: The portal's secret in the integration stack (tests/conftest.py `portal_settings`).
SECRET = "integration-test-secret-key-0123456789abcdef"


def signed_in(running: Running, login: str, lang: str = "en") -> requests.Session:
    session = requests.Session()
    session.headers["Accept-Language"] = lang
    account = running.accounts[login]
    page = sign_in(session, running.portal_url + "/login", account["login"], account["password"])
    assert page.status_code == 200
    return session


def get(session: requests.Session, running: Running, path: str, **kwargs: object) -> requests.Response:
    return session.get(running.portal_url + path, timeout=30, **kwargs)  # type: ignore[arg-type]


def page(session: requests.Session, running: Running, path: str) -> object:
    answer = get(session, running, path)
    assert answer.status_code == 200, (path, answer.status_code)
    return check_page(answer.text, nonce=csp_nonce(answer.headers.get("Content-Security-Policy")))


def test_camille_sees_three_versions_and_what_changed(running: Running) -> None:
    session = signed_in(running, "camille")
    doc = page(session, running, "/history")
    rows = doc.xpath("//ol[@class='version-list']/li")  # type: ignore[attr-defined]
    assert len(rows) == 3
    assert "Latest version" in rows[0].text_content()
    assert doc.xpath("//a[@href='/history/doc-camille-pps-v1']")  # type: ignore[attr-defined]
    older = page(session, running, "/history/doc-camille-pps-v1")
    assert older.xpath("//*[@id='older-version-title']")  # type: ignore[attr-defined]
    compare = page(session, running, "/history/compare?from=doc-camille-pps-v1&to=doc-camille-pps-v3")
    changes = [" ".join(li.text_content().split()) for li in compare.xpath("//ul[@class='change-list']/li")]  # type: ignore[attr-defined]
    assert changes[0].startswith("The plan now marks the end of the active treatments")
    assert len(changes) > 3
    partial = get(
        session,
        running,
        "/history/compare?from=doc-camille-pps-v1&to=doc-camille-pps-v2",
        headers={"HX-Request": "true"},
    )
    assert partial.status_code == 200 and "<html" not in partial.text
    # Grouped by what matters, each change before → after (portal.plain.changes).
    assert "Radiotherapy" in partial.text and "→" in partial.text


def test_diane_never_meets_her_hidden_third_version(running: Running) -> None:
    session = signed_in(running, "diane")
    hidden = "doc-diane-pps-v3"
    for path in (
        "/",
        "/history",
        "/history/doc-diane-pps-v2",
        "/history/compare?from=doc-diane-pps-v1&to=doc-diane-pps-v2",
    ):
        answer = get(session, running, path)
        assert answer.status_code == 200, path
        assert hidden not in answer.text
        assert "not available" not in answer.text  # not even a gap: nothing points at the hidden version
    doc = page(session, running, "/history")
    rows = doc.xpath("//ol[@class='version-list']/li")  # type: ignore[attr-defined]
    assert len(rows) == 2 and "Latest version" in rows[0].text_content()
    assert "Older version" not in rows[0].text_content()
    assert get(session, running, f"/history/{hidden}").status_code == 404
    compare = get(session, running, f"/history/compare?from=doc-diane-pps-v2&to={hidden}")
    assert "cannot be shown" in compare.text and "palliati" not in compare.text.lower()
    assert "targeted therapy" in get(session, running, "/history/compare").text


def notice(doc: object) -> bool:
    return bool(doc.xpath("//p[@class='new-since']"))  # type: ignore[attr-defined]


def test_new_since_last_visit_appears_once_then_disappears(running: Running) -> None:
    session = signed_in(running, "camille")
    assert not notice(page(session, running, "/"))  # nothing remembered yet: nothing is "new"
    # As if Camille had last seen version 2 on an earlier visit (the cookie the portal itself would have set).
    tracker = LastSeen(SECRET)
    remembered = tracker.remember((), running.accounts["camille"]["sub"], "pat-camille", "doc-camille-pps-v2")
    session.cookies.set(COOKIE, tracker.dump(remembered), domain="127.0.0.1", path="/")
    doc = page(session, running, "/")
    assert notice(doc)
    link = doc.xpath(  # type: ignore[attr-defined]
        "//section[.//p[@class='new-since']]//a[starts-with(@href, '/history/compare')]/@href"
    )
    assert link == ["/history/compare?from=doc-camille-pps-v2&to=doc-camille-pps-v3"]
    assert page(session, running, link[0]).xpath("//ul[@class='change-list']/li")  # type: ignore[attr-defined]
    assert not notice(page(session, running, "/"))
