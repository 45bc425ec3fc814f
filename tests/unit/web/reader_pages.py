"""Every page a person can reach, signed in on a fake store that holds the whole synthetic data set.

`reachable_pages` follows every link of every page from the start page, as a client signed in by
`tests.unit.viewers` (and asks each route of the map without arguments), in one language, and returns the HTML
pages that answered 200: what the sweeps of the voice and date tests read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from flask.testing import FlaskClient

#: Never followed: they sign the person out, start a sign-in, or change a setting rather than show a page.
NOT_PAGES = re.compile(r"^/(logout|login|pro/login|auth/|pro/auth/|backchannel|static/)")
#: Files, not pages: read by their own tests (documents, exports).
FILES = re.compile(r"\.(pdf|ics|zip|xml)(\?|$)|^/documents/[^/]+/\d+$|^/documents/copy|^/rcp/[^/]+/pdf")


@dataclass(frozen=True)
class Page:
    """One page as the person reads it: its address, language and HTML; `fragment` for what htmx fetches."""

    path: str
    lang: str
    html: str
    fragment: bool = False

    @property
    def document(self) -> Any:
        return lxml.html.document_fromstring(self.html)


#: Elements that end a line of text: the words on either side of them never run together.
BLOCKS = (
    *("p", "div", "li", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header", "footer"),
    *("summary", "br", "ul", "ol", "dl", "td", "th", "tr", "option", "label", "button", "legend", "title", "nav"),
)


def readable_text(page: Page) -> str:
    """What a person reads on the page, whitespace folded: its text (screen-reader-only words too, each block
    apart from the next), its title and the labels given to assistive technology; never scripts or styles."""
    doc = page.document
    for element in doc.iter("script", "style", "template"):
        element.drop_tree()
    for element in doc.iter(*BLOCKS):
        element.tail = "\n" + (element.tail or "")
    attributes = [
        value
        for element in doc.iter()
        if isinstance(element.tag, str)
        for name in ("aria-label", "title", "placeholder", "alt")
        if (value := element.get(name))
    ]
    return " ".join(" ".join([doc.text_content(), *attributes]).split())


#: An address to read, and whether htmx asks it (a fragment: the glossary popover).
Link = tuple[str, bool]


def _links(page: Page) -> Iterator[Link]:
    for element in page.document.iter():
        if not isinstance(element.tag, str):
            continue
        fragment = element.get("hx-get") if element.tag != "form" else None
        if fragment is not None:
            yield from _same_site(page, fragment, fragment=True)
        if element.tag not in ("a", "form"):
            continue
        href = element.get("href") if element.tag == "a" else None
        if element.tag == "form" and (element.get("method") or "get").lower() == "get":
            # A GET form: its address with the values it is shown with (the compare form, a search).
            fields = element.xpath(".//select | .//input[@name]")
            values = []
            for field in fields:
                if field.get("type") in ("radio", "checkbox"):
                    if field.get("checked") is not None:
                        values.append(f"{field.get('name')}={field.get('value')}")
                elif field.tag == "select":
                    chosen = field.xpath("./option[@selected]") or field.xpath("./option")
                    values.append(f"{field.get('name')}={chosen[0].get('value') if chosen else ''}")
                elif field.get("type") in (None, "search", "text", "hidden"):
                    values.append(f"{field.get('name')}={field.get('value') or 'chimio'}")
            href = (element.get("action") or page.path) + ("?" + "&".join(values) if values else "")
        if href is not None:
            yield from _same_site(page, href)


def _same_site(page: Page, href: str, *, fragment: bool = False) -> Iterator[Link]:
    parts = urlsplit(urljoin("https://portal.test" + page.path, href))
    if parts.netloc == "portal.test":
        # The display settings page is one page whatever page it returns to (`next`).
        query = "" if parts.path == "/display" else parts.query
        yield parts.path + (f"?{query}" if query else ""), fragment


def reachable_pages(client: FlaskClient, lang: str, *, limit: int = 600) -> list[Page]:
    """Every HTML page reachable from `/` by links, GET forms, redirects and the fragments htmx fetches (the
    glossary popover of each term a page links), and each argument-free GET route of the map that answers 200:
    what this person can read, in `lang`."""
    rules = [
        rule.rule
        for rule in client.application.url_map.iter_rules()
        if "GET" in (rule.methods or set()) and not rule.arguments
    ]
    queue: list[Link] = [("/", False), *((rule, False) for rule in sorted(rules))]
    seen: set[Link] = set()
    pages: list[Page] = []
    while queue and len(seen) < limit:
        path, fragment = queue.pop(0)
        key = path.split("#", 1)[0]
        if (key, fragment) in seen or NOT_PAGES.match(key) or FILES.search(key):
            continue
        seen.add((key, fragment))
        headers = {"Accept-Language": lang, **({"HX-Request": "true"} if fragment else {})}
        answer = client.get(key, headers=headers)
        if answer.status_code in (302, 303) and answer.location:
            queue += _same_site(Page(key, lang, ""), answer.location)
            continue
        if answer.status_code != 200 or not answer.content_type.startswith("text/html"):
            continue
        page = Page(key, lang, answer.get_data(as_text=True), fragment)
        pages.append(page)
        queue += [link for link in _links(page) if (link[0].split("#", 1)[0], link[1]) not in seen]
    assert len(seen) < limit, f"more than {limit} addresses: the crawl went astray"
    return pages
