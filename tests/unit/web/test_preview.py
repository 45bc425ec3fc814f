"""`portal pps preview`: every page of a document in one self-contained HTML file, readable in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import html as lxml_html

from portal.cli import portal
from tests.unit.web.plans import synthetic

REFERENCE = Path(__file__).resolve().parents[3] / ".." / "shared" / "reference" / "ci-sis"
OFFICIAL = ["CANCER-PPS_2022.01_feuille-de-style-externe.xml", "CANCER-PPS_2022.01_Autopresentable.xml"]
SECTIONS = ["overview", "treatments", "calendar", "contacts", "support", "illness", "glossary"]


def run_preview(path: Path, *args: str) -> lxml_html.HtmlElement:
    result = CliRunner().invoke(portal, ["pps", "preview", str(path), *args])
    assert result.exit_code == 0, result.output
    return lxml_html.document_fromstring(result.output)


def check_self_contained(doc: lxml_html.HtmlElement) -> None:
    assert not doc.xpath("//script | //link[@rel='stylesheet'] | //img")
    assert doc.xpath("//style")
    ids = [el.get("id") for el in doc.iter() if isinstance(el.tag, str) and el.get("id")]
    assert len(ids) == len(set(ids)), "duplicate ids"
    targets = {a.get("href")[1:] for a in doc.xpath("//a[starts-with(@href,'#')]")}
    assert targets <= set(ids), f"links to nothing: {sorted(targets - set(ids))[:5]}"


@pytest.mark.parametrize("name", OFFICIAL)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_preview_of_an_official_example_shows_every_section_with_readable_text(name: str, lang: str) -> None:
    path = REFERENCE / name
    if not path.exists():
        pytest.skip("../shared/reference is absent")
    doc = run_preview(path, "--lang", lang, "--today", "2021-01-20")
    assert doc.get("lang") == lang
    check_self_contained(doc)
    for key in SECTIONS:
        section = doc.get_element_by_id(f"page-{key}")
        words = section.text_content().split()
        assert len(words) > 20, key
    treatments = doc.get_element_by_id("page-treatments")
    names = [" ".join(h.text_content().split()) for h in treatments.xpath(".//h3[@class='item-name']")]
    assert len(names) == 8
    # Plain names, never a bare code as the main text of a step.
    assert all(not any(ch.isdigit() for ch in n.split()[0]) for n in names), names
    illness = doc.get_element_by_id("page-illness")
    assert illness.xpath(".//details")


def test_preview_writes_a_file_for_a_generated_document(tmp_path: Path) -> None:
    source = tmp_path / "camille-pps-2.xml"
    source.write_bytes(synthetic()["camille-pps-2"].cda)
    out = tmp_path / "preview.html"
    result = CliRunner().invoke(portal, ["pps", "preview", str(source), "-o", str(out), "--today", "2026-03-01"])
    assert result.exit_code == 0, result.output
    doc = lxml_html.document_fromstring(out.read_text(encoding="utf-8"))
    check_self_contained(doc)
    assert doc.get("lang") == "fr"
    assert "Bonjour Camille Exemple" in doc.get_element_by_id("page-overview-title").text_content()
    assert doc.xpath("//a[@href='#glossary-chimiotherapie']")


def test_preview_of_a_pdf_only_document_says_it_is_a_document(tmp_path: Path) -> None:
    source = tmp_path / "victor.xml"
    source.write_bytes(synthetic()["victor-pps-1"].cda)
    doc = run_preview(source, "--lang", "en")
    check_self_contained(doc)
    assert "Your plan comes as a document" in doc.get_element_by_id("page-treatments").text_content()


def test_preview_refuses_what_the_reader_refuses(tmp_path: Path) -> None:
    source = tmp_path / "bad.xml"
    source.write_bytes(b"<not-a-cda/>")
    result = CliRunner().invoke(portal, ["pps", "preview", str(source)])
    assert result.exit_code == 1
    assert result.output.startswith("refused:") or "refused:" in (result.stderr or result.output)
