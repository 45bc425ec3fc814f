"""Structural checks every rendered page passes (architecture.md, "Tests"): a page that fails one is a bug."""

from __future__ import annotations

import re
from collections import Counter

import html5lib
from lxml import html as lxml_html

LANDMARKS = ("header", "main", "footer")


def check_page(body: str, *, nonce: str | None = None) -> lxml_html.HtmlElement:
    """Assert the page is valid HTML5 with one h1, a title starting with it, unique ids, lang, nonced scripts."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    parser.parse(body)  # raises on any parse error
    doc = lxml_html.document_fromstring(body)
    assert doc.get("lang") in ("fr", "en"), "<html lang> is missing or unexpected"
    h1s = doc.findall(".//h1")
    assert len(h1s) == 1, f"expected one h1, found {len(h1s)}"
    h1 = " ".join(h1s[0].text_content().split())
    title = " ".join(doc.findtext(".//title", "").split())
    assert title.startswith(h1), f"title {title!r} does not start with the h1 {h1!r}"
    ids = Counter(el.get("id") for el in doc.iter() if isinstance(el.tag, str) and el.get("id"))
    duplicates = [i for i, n in ids.items() if n > 1]
    assert not duplicates, f"duplicate ids: {duplicates}"
    for script in doc.iter("script"):
        src = script.get("src", "")
        assert src.startswith("/"), f"script from another origin: {src!r}"
        if nonce is not None:
            assert script.get("nonce") == nonce, "script without the request's CSP nonce"
    for landmark in LANDMARKS:
        assert doc.find(f".//{landmark}") is not None, f"no <{landmark}> landmark"
    for control in doc.xpath("//input[not(@type='hidden')] | //select | //textarea"):
        ident = control.get("id")
        labelled = control.get("aria-label") or (ident and doc.xpath(f"//label[@for='{ident}']"))
        assert labelled, f"form control without a label: {lxml_html.tostring(control)!r}"
    return doc


def csp_nonce(csp: str | None) -> str | None:
    """The nonce of a Content-Security-Policy header value."""
    match = re.search(r"'nonce-([^']+)'", csp or "")
    return match.group(1) if match else None
