"""Glossary links in page text: first occurrence only, everything escaped, one link per term, never nested."""

from __future__ import annotations

from lxml import html as lxml_html

from portal.plain.views import DocText, Linker


def links(markup: str) -> list[tuple[str | None, str]]:
    doc = lxml_html.fragment_fromstring(f"<div>{markup}</div>")
    return [(a.get("href"), a.text_content()) for a in doc.iter("a")]


def test_only_the_first_occurrence_on_a_page_is_linked() -> None:
    gloss = Linker("fr")
    first = gloss("Chimiothérapie puis chimiothérapie.")
    second = gloss("Une autre chimiothérapie.")
    assert links(str(first)) == [("/glossary#chimiotherapie", "Chimiothérapie")]
    assert links(str(second)) == []


def test_a_new_page_links_again() -> None:
    assert links(str(Linker("fr")("chimiothérapie"))) == links(str(Linker("fr")("chimiothérapie")))


def test_text_is_escaped_and_only_terms_are_wrapped() -> None:
    markup = str(Linker("fr")('<script>alert("x")</script> avant la chimiothérapie & après'))
    assert "<script>" not in markup
    assert "&lt;script&gt;" in markup and "&amp; après" in markup
    assert markup.count("<a ") == 1


def test_links_never_nest_or_overlap() -> None:
    markup = str(Linker("fr")("radiothérapie externe et radiothérapie"))
    doc = lxml_html.fragment_fromstring(f"<div>{markup}</div>")
    assert not doc.xpath("//a//a")
    hrefs = [a.get("href") for a in doc.iter("a")]
    assert hrefs[0] == "/glossary#radiotherapie-externe"
    assert len(hrefs) == len(set(hrefs))


def test_an_abbreviation_is_marked_with_what_it_stands_for() -> None:
    markup = str(Linker("fr")("Décision prise en RCP."))
    doc = lxml_html.fragment_fromstring(f"<div>{markup}</div>")
    [abbr] = doc.xpath("//a/abbr")
    assert abbr.text == "RCP" and "pluridisciplinaire" in (abbr.get("title") or "")


def test_the_documents_words_are_searched_in_their_own_language() -> None:
    gloss = Linker("en")
    markup = str(gloss(DocText("Chimiothérapie néoadjuvante", "fr")))
    assert links(markup)[0][0] == "/glossary#chimiotherapie"


def test_a_preview_links_inside_the_file_without_htmx() -> None:
    markup = str(Linker("fr", href="#glossary-{id}", partial=None)("chimiothérapie"))
    assert links(markup) == [("#glossary-chimiotherapie", "chimiothérapie")]
    assert "hx-get" not in markup


def test_nothing_to_link_gives_empty_markup() -> None:
    assert str(Linker("fr")(None)) == ""
