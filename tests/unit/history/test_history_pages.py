"""History pages through the Flask test client: the list, one version read-only, compare (form and htmx), and
"new since your last visit" on the overview. Every page passes the structural checks of tests.pages."""

from __future__ import annotations

import pytest
import responses
from flask import Flask
from flask.testing import FlaskClient

from portal import create_app
from portal.plain.changes import change_sentences
from portal.pps.diff import diff
from portal.web.lastseen import COOKIE, LastSeen
from tests.unit.conftest import FakeProvider, base_env, signed_in
from tests.unit.history.plans import synthetic
from tests.unit.history.store import serve_versions
from tests.unit.web.plans import open_page, text


@pytest.fixture
def app() -> Flask:
    """The app without the store's answer cache: these tests change what the store holds between visits."""
    flask_app = create_app(base_env(PORTAL_STORE_CACHE_TTL="0"))
    flask_app.config["TESTING"] = True
    return flask_app


@pytest.fixture
def camille(client: FlaskClient, provider: FakeProvider, mock: responses.RequestsMock) -> FlaskClient:
    serve_versions(mock)
    signed_in(client, provider)
    return client


def test_history_lists_versions_newest_first_with_the_latest_tagged(camille: FlaskClient) -> None:
    doc, _ = open_page(camille, "/history", "en")
    assert text(doc.find(".//h1")) == "Versions of your plan"
    titles = [text(h) for h in doc.xpath("//li[contains(@class,'version')]/h2")]
    assert len(titles) == 3
    assert "4 May 2026" in titles[0]
    assert "Latest version" in titles[0] and "Older version" in titles[1] and "Older version" in titles[2]
    second = text(doc.xpath("//li[contains(@class,'version')]")[1])
    assert "Dr Alex Fictif" in second and "The dates in the plan have changed." in second
    assert "Team meeting (RCP)" in second and "Handed to you on" in second


def test_history_in_french(camille: FlaskClient) -> None:
    doc, _ = open_page(camille, "/history", "fr")
    assert text(doc.find(".//h1")) == "Versions de votre programme"
    # One radio button a version and a side, each with its label: the names stay whole on a phone.
    assert len(doc.xpath("//form[@class='compare-form']//input[@type='radio'][@name='from']")) == 3
    assert doc.xpath("//input[@name='to'][@checked]/@id") and doc.xpath("//label[@for='compare-to-1']")


def test_an_older_version_opens_read_only_with_a_banner(camille: FlaskClient) -> None:
    doc, body = open_page(camille, "/history/v1", "en")
    banner = doc.xpath("//section[contains(@class,'banner')][.//h2[@id='older-version-title']]")
    assert banner and "older version" in text(banner[0]).lower()
    assert doc.xpath("//a[@href='/history/compare?from=v1&to=v3']")
    assert "Radiotherapy" in body or "Radiothérapie" in body
    assert not doc.xpath("//form[@method='post'][not(@action='/language') and not(@action='/logout')]")


def test_the_latest_version_has_no_older_banner(camille: FlaskClient) -> None:
    doc, _ = open_page(camille, "/history/v3", "en")
    assert not doc.xpath("//*[@id='older-version-title']")


def test_an_unknown_version_is_a_404(camille: FlaskClient) -> None:
    assert camille.get("/history/nope").status_code == 404


def test_compare_without_javascript_shows_the_changes(camille: FlaskClient) -> None:
    doc, _ = open_page(camille, "/history/compare?from=v1&to=v2", "en")
    changes = [text(li) for li in doc.xpath("//ul[@class='change-list']/li")]
    moved = [c for c in changes if c.startswith("Radiotherapy: the start date has changed.")]
    assert moved and "Before: 23 June 2026 → Now: 30 June 2026" in moved[0], changes
    assert doc.xpath("//form[@action='/history/compare'][@method='get'][@hx-get][@hx-target='#changes']")


def test_compare_in_either_order_tells_the_change_from_older_to_newer(camille: FlaskClient) -> None:
    a, _ = open_page(camille, "/history/compare?from=v3&to=v1", "en")
    b, _ = open_page(camille, "/history/compare?from=v1&to=v3", "en")
    assert text(a.xpath("//div[@id='changes']")[0]) == text(b.xpath("//div[@id='changes']")[0])
    assert "The plan now marks the end of the active treatments" in text(b.xpath("//div[@id='changes']")[0])


def test_compare_with_htmx_answers_the_partial_only(camille: FlaskClient) -> None:
    answer = camille.get("/history/compare?from=v1&to=v2", headers={"HX-Request": "true", "Accept-Language": "en"})
    assert answer.status_code == 200
    body = answer.get_data(as_text=True)
    assert "<html" not in body and 'class="change-list"' in body
    assert answer.headers["Vary"] == "HX-Request" or "HX-Request" in answer.headers["Vary"]


def test_compare_the_same_version_says_to_choose_two(camille: FlaskClient) -> None:
    doc, _ = open_page(camille, "/history/compare?from=v2&to=v2", "en")
    assert "Choose two different versions" in text(doc.xpath("//div[@id='changes']")[0])


def test_compare_with_a_version_the_person_does_not_have(camille: FlaskClient) -> None:
    doc, _ = open_page(camille, "/history/compare?from=nope&to=v2", "en")
    assert "cannot be shown" in text(doc.xpath("//div[@id='changes']")[0])


def test_history_pages_need_a_sign_in(client: FlaskClient) -> None:
    for path in ("/history", "/history/v1", "/history/compare?from=v1&to=v2"):
        assert client.get(path).status_code == 302


def csrf(client: FlaskClient) -> str:
    doc, _ = open_page(client, "/history", "en")
    token: str = doc.xpath("//form[@action='/logout']/input[@name='csrf_token']/@value")[0]
    return token


def notice(doc: object) -> list[object]:
    return doc.xpath("//p[@class='new-since']")  # type: ignore[attr-defined,no-any-return]


def test_new_since_last_visit_appears_once_then_goes(
    client: FlaskClient, provider: FakeProvider, mock: responses.RequestsMock
) -> None:
    serve_versions(mock, numbers=(1, 2))
    signed_in(client, provider)
    doc, _ = open_page(client, "/", "en")
    assert not notice(doc)  # a first visit: nothing was seen before, nothing is "new"
    assert doc.xpath("//a[@href='/history']")
    mock.reset()
    serve_versions(mock, numbers=(1, 2, 3))
    doc, _ = open_page(client, "/", "en")
    assert notice(doc)
    assert doc.xpath("//a[@href='/history/compare?from=v2&to=v3']")
    doc, _ = open_page(client, "/", "en")
    assert not notice(doc)


def test_last_seen_survives_sign_out_and_is_kept_per_person(
    client: FlaskClient, provider: FakeProvider, mock: responses.RequestsMock
) -> None:
    serve_versions(mock, numbers=(1, 2), also_linked="sub-456")
    signed_in(client, provider)
    open_page(client, "/", "en")
    cookie = client.get_cookie(COOKIE, domain="portal.test")
    assert cookie is not None and cookie.http_only and cookie.secure and cookie.same_site == "Lax"
    assert "pat-1" not in cookie.value and "sub-123" not in cookie.value and "v2" not in cookie.value
    assert client.post("/logout", data={"csrf_token": csrf(client)}).status_code in (302, 303)
    mock.reset()
    provider.install()
    serve_versions(mock, numbers=(1, 2, 3), also_linked="sub-456")
    provider.sub = "sub-456"  # another person in the same browser, linked to the same patient by the store
    signed_in(client, provider)
    doc, _ = open_page(client, "/", "en")
    assert not notice(doc)  # their first visit
    provider.sub = "sub-123"
    signed_in(client, provider)
    doc, _ = open_page(client, "/", "en")
    assert notice(doc)  # the first person's memory outlived the other sign-ins


def test_a_tampered_last_seen_cookie_is_ignored(
    client: FlaskClient, provider: FakeProvider, mock: responses.RequestsMock
) -> None:
    serve_versions(mock)
    signed_in(client, provider)
    client.set_cookie(COOKIE, "W1siYWJjIiwiZGVmIl1d.forged", domain="portal.test")
    doc, _ = open_page(client, "/", "en")
    assert not notice(doc)


def test_the_overview_box_lists_what_changed_since_the_last_visit_grouped(
    client: FlaskClient, provider: FakeProvider, mock: responses.RequestsMock
) -> None:
    """Seen version 1 last, back at version 3: the overview's box lists what changed under the same headings as
    the compare page, each change before → after where both exist."""
    serve_versions(mock, numbers=(1, 2, 3))
    signed_in(client, provider)
    seen = LastSeen(base_env()["PORTAL_SECRET_KEY"])
    client.set_cookie(COOKIE, seen.dump(seen.remember((), provider.sub, "pat-1", "v1")), domain="portal.test")
    doc, _ = open_page(client, "/", "en")
    box = doc.xpath("//section[.//h2[@id='changed-title']]")
    assert box, "no what-changed box"
    expected = change_sentences(diff(synthetic("breast", 1), synthetic("breast", 3)), "en")
    headings = [text(h) for h in box[0].xpath(".//li[@class='change-group']/h3")]
    assert headings == [g.heading for g in expected.groups]
    assert any("→" in text(p) for p in box[0].find_class("before-after"))
