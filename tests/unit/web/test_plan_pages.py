"""The plan pages of a signed-in patient, rendered from a generated PPS the fake store serves: structure, language,
contents list, what each page shows, glossary links, the PDF-only and refused-document cases."""

from __future__ import annotations

import datetime as dt

import pytest
import responses
from flask.testing import FlaskClient

from tests.unit.conftest import STORE, FakeProvider, signed_in
from tests.unit.fhir import PATIENT, searchset
from tests.unit.web.plans import open_page, serve, synthetic, text

PLAN_PAGES = ["/", "/treatments", "/calendar", "/care-team", "/support", "/illness", "/glossary"]
CASES = ["camille-pps-2", "camille-pps-3", "henri-pps-2", "leo-pps-2", "nathalie-pps-2", "diane-pps-2"]


@pytest.fixture(autouse=True)
def early_march_2026(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages are seen on 1 March 2026: chemotherapy in progress, surgery coming, the first cures done."""
    monkeypatch.setattr("portal.web.plan.today", lambda: dt.date(2026, 3, 1))


@pytest.fixture
def camille(client: FlaskClient, provider: FakeProvider, mock: responses.RequestsMock) -> FlaskClient:
    serve(mock, synthetic()["camille-pps-2"].cda)
    signed_in(client, provider)
    return client


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_plan_page_passes_the_structural_checks(
    client: FlaskClient, provider: FakeProvider, mock: responses.RequestsMock, case: str, lang: str
) -> None:
    serve(mock, synthetic()[case].cda)
    signed_in(client, provider)
    for path in PLAN_PAGES:
        doc, body = open_page(client, path, lang)
        current = doc.xpath("//nav[@class='contents-list']//a[@aria-current='page']")
        assert [a.get("href") for a in current] == [path], path
        assert "style=" not in body and "<style" not in body, path
        assert not doc.xpath("//script[not(@src)]"), path


def test_the_overview_puts_what_happens_next_first(camille: FlaskClient) -> None:
    doc, _ = open_page(camille, "/", "en")
    assert text(doc.find(".//h1")) == "Hello Camille Exemple"
    headings = [text(h) for h in doc.xpath("//main//h2")]
    assert headings.index("What happens next") < headings.index("Who to call") < headings.index("About this plan")
    summary = text(doc.xpath("//dl[@class='summary-list']")[-1])
    assert "Handed to you on" in summary and "15 February 2026" in summary
    banner = text(doc.xpath("//section[contains(@class,'banner')]")[0])
    assert banner.startswith("What changed in your plan")
    assert "The care team updated the plan on 13 February 2026" in banner
    assert doc.xpath("//a[starts-with(@href,'tel:')]")


def test_the_teams_words_are_marked_and_keep_their_language_on_an_english_page(camille: FlaskClient) -> None:
    doc, _ = open_page(camille, "/treatments", "en")
    notes = doc.xpath("//div[@class='team-words']")
    assert notes
    for note in notes:
        assert text(note.find("p[@class='team-label']")) == "Your care team wrote, in French:"
        assert note.find("p[@class='team-text']").get("lang") == "fr"
    doc_fr, _ = open_page(camille, "/treatments", "fr")
    assert all(p.get("lang") is None for p in doc_fr.xpath("//p[@class='team-text']"))


def test_treatments_show_each_step_with_when_where_and_side_effects(camille: FlaskClient) -> None:
    doc, _ = open_page(camille, "/treatments", "en")
    assert [text(h) for h in doc.xpath("//main//h2")] == ["Happening now", "Coming up", "Earlier"]
    surgery = doc.get_element_by_id("treatment-3")
    content = text(surgery)
    assert "Surgery" in content and "On 19 May 2026. This date is planned." in content
    assert "Centre hospitalier Démo de Valfleuri" in content
    chemo = doc.get_element_by_id("treatment-2")
    assert "Side effects to watch" in text(chemo)


def test_the_calendar_lists_dates_by_month_with_links_to_the_steps(camille: FlaskClient) -> None:
    doc, _ = open_page(camille, "/calendar", "fr")
    months = [text(h) for h in doc.xpath("//h3[@class='month']")]
    assert "mai 2026" in months and "décembre 2025" in months
    links = {a.get("href") for a in doc.xpath("//li[contains(@class,'event')]//a")}
    assert "/treatments#treatment-3" in links and any(h.startswith("/support#support-") for h in links)


def test_contacts_are_grouped_with_phone_links_and_emergency_numbers(camille: FlaskClient) -> None:
    doc, _ = open_page(camille, "/care-team", "fr")
    headings = [text(h) for h in doc.xpath("//main//h2")]
    assert headings[0] == "En cas d’urgence"
    assert {"L'équipe à l'hôpital", "La coordination des soins"} <= set(headings)
    hrefs = [a.get("href") for a in doc.xpath("//a")]
    assert "tel:15" in hrefs and "tel:112" in hrefs and "tel:0199001101" in hrefs


def test_the_illness_page_folds_the_medical_details_away(camille: FlaskClient) -> None:
    doc, _ = open_page(camille, "/illness", "en")
    [details] = doc.xpath("//details[not(contains(@class, 'menu'))]")
    assert details.get("open") is None
    assert "C50.4" in text(details) and "T2" in text(details)
    outside = text(doc.find(".//main")).replace(text(details), "")
    assert "C50.4" not in outside and "Breast" in outside


def test_support_says_what_it_is_and_how_to_ask(camille: FlaskClient) -> None:
    doc, _ = open_page(camille, "/support", "en")
    headings = [text(h) for h in doc.xpath("//main//h2")]
    assert headings == ["Supportive care", "Help with daily life and work", "How to ask for support"]
    assert doc.xpath("//article[@id='support-2']")


def test_a_glossary_term_links_once_per_page_to_its_definition(camille: FlaskClient) -> None:
    doc, _ = open_page(camille, "/treatments", "fr")
    terms = [a.get("href") for a in doc.xpath("//a[@class='term']")]
    assert terms and len(terms) == len(set(terms))
    assert "/glossary#chimiotherapie" in terms
    assert not doc.xpath("//a//a"), "a link inside a link"
    link = doc.xpath("//a[@href='/glossary#chimiotherapie']")[0]
    assert link.get("hx-get") == "/glossary/chimiotherapie" and link.get("hx-target") == "#glossary-popover"


def test_the_glossary_page_has_an_anchor_for_every_entry(client: FlaskClient) -> None:
    from portal.plain import GLOSSARY

    doc, _ = open_page(client, "/glossary", "en")
    anchors = {dt.get("id") for dt in doc.xpath("//dl[@class='glossary']/dt")}
    assert anchors == {entry.id for entry in GLOSSARY}
    assert doc.xpath("//dt[@id='chimiotherapie']/dfn")


def test_a_glossary_entry_is_a_fragment_for_htmx_and_the_glossary_page_otherwise(client: FlaskClient) -> None:
    fragment = client.get("/glossary/chimiotherapie", headers={"HX-Request": "true", "Accept-Language": "fr"})
    assert fragment.status_code == 200
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "Chimiothérapie" in body and 'role="dialog"' in body
    assert {v.strip() for v in fragment.headers["Vary"].split(",")} == {"HX-Request", "Accept-Encoding"}
    plain = client.get("/glossary/chimiotherapie")
    assert plain.status_code == 302 and plain.headers["Location"].endswith("/glossary#chimiotherapie")
    assert client.get("/glossary/no-such-word").status_code == 404


def test_a_search_with_control_characters_shows_back_only_what_a_page_may_hold(client: FlaskClient) -> None:
    """Found by the route fuzzer: `?q=%1F` was written back into the page, which an HTML parser refuses."""
    query = "chimio%1F%00%7F%C2%9F%EF%B7%90%EF%BF%BE%F0%9F%BF%BFtherapie"  # controls, U+FDD0, U+FFFE, U+1FFFF
    answer = client.get(f"/glossary?q={query}", headers={"Accept-Language": "fr"})
    assert answer.status_code == 200
    body = answer.get_data(as_text=True)
    assert not any(c in body for c in "\x1f\x00\x7f\x9f\ufdd0\ufffe\U0001ffff")
    assert 'value="chimiotherapie"' in body


def test_plan_pages_send_a_visitor_who_is_not_signed_in_to_the_start_page(client: FlaskClient) -> None:
    answer = client.get("/treatments")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/")


def test_a_pdf_only_plan_shows_its_header_and_says_it_is_a_document(
    client: FlaskClient, provider: FakeProvider, mock: responses.RequestsMock
) -> None:
    serve(mock, synthetic()["victor-pps-1"].cda)
    signed_in(client, provider)
    for path in ("/", "/treatments", "/illness"):
        doc, _ = open_page(client, path, "en")
        assert "Your plan comes as a document" in text(doc.find(".//main")), path
    doc, _ = open_page(client, "/", "en")
    assert "Last updated" in text(doc.xpath("//dl[@class='summary-list']")[0])


def test_a_document_the_reader_refuses_gives_a_plain_page_that_mentions_the_pdf(
    client: FlaskClient, provider: FakeProvider, mock: responses.RequestsMock
) -> None:
    serve(mock, b"<ClinicalDocument xmlns='urn:hl7-org:v3'/>", extra_pdf=True)
    signed_in(client, provider)
    doc, body = open_page(client, "/treatments", "en")
    assert text(doc.find(".//h1")) == "Your care plan cannot be shown here"
    assert "A PDF copy of this plan exists." in text(doc)
    assert "Traceback" not in body


def test_no_plan_shared_yet_is_said_plainly_on_every_page(
    client: FlaskClient, provider: FakeProvider, mock: responses.RequestsMock
) -> None:
    mock.get(STORE + "/Patient", json=searchset(PATIENT))
    mock.get(STORE + "/DocumentReference", json=searchset())
    signed_in(client, provider)
    for path in ("/", "/calendar"):
        doc, _ = open_page(client, path, "en")
        assert "has not shared a care plan with you yet" in text(doc.find(".//main")), path


@pytest.mark.parametrize("path", ["/accessibility", "/legal", "/privacy"])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_information_pages_are_public_and_well_formed(client: FlaskClient, path: str, lang: str) -> None:
    doc, _ = open_page(client, path, lang)
    assert doc.xpath("//a[starts-with(@href,'mailto:')]")


def test_the_accessibility_statement_says_partially_compliant_and_how_to_report(client: FlaskClient) -> None:
    doc, _ = open_page(client, "/accessibility", "fr")
    content = text(doc.find(".//main"))
    assert "partiellement conforme" in content
    assert doc.xpath("//a[@href='mailto:accessibilite@example.org']")
    footer = text(doc.find(".//footer"))
    assert "Accessibilité : partiellement conforme" in footer
