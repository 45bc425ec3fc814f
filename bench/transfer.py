"""Bytes the portal sends, for a first and a repeat visit of each main page (budgets: ≤ 60 KB first, ≤ 20 KB
repeat, HTML + CSS + JS), and the compressed size of our own CSS (≤ 15 KB) and JS (≤ 3 KB).

Everything is measured as served: the body's bytes as the portal sends them to a browser that says what Chromium
says (`Accept-Encoding: gzip, deflate, br, zstd`), checked against their `Content-Length`. Pages are compressed by
the portal itself (`portal.web.compression`, with the CSRF token masked afresh for every answer against BREACH),
static files were compressed at start (`portal.web.assets`); nothing is compressed here. A repeat visit costs the
HTML and whatever the browser may not keep: a file with a hashed name is kept a year, a plain one costs a 304.
Headers are not counted.
"""

from __future__ import annotations

import gzip
from html.parser import HTMLParser
from typing import Any

import brotli  # type: ignore[import-untyped]

from bench.figures import Figure
from bench.load import ACCEPT_ENCODING
from bench.stack import demo_store, in_process_app, session_cookie
from portal.web.navigation import PAGES

ACCEPT = {"Accept-Encoding": ACCEPT_ENCODING}
OWN_CSS = ("css/portal.css",)
OWN_JS = ("js/glossary.js", "js/session-timeout.js")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and found.get("rel") == "stylesheet" and found.get("href"):
            self.urls.append(str(found["href"]))
        if tag == "script" and found.get("src"):
            self.urls.append(str(found["src"]))


def _served(answer: Any) -> int:
    """The body's bytes as sent, which its Content-Length must say."""
    sent = len(answer.get_data())
    if int(answer.headers.get("Content-Length", sent)) != sent:
        raise RuntimeError(f"Content-Length {answer.headers['Content-Length']} but {sent} bytes sent")
    return sent


def _decoded(answer: Any) -> str:
    """The page a browser reads from the answer."""
    body: bytes = answer.get_data()
    encoding = answer.headers.get("Content-Encoding", "identity")
    if encoding == "br":
        body = brotli.decompress(body)
    elif encoding == "gzip":
        body = gzip.decompress(body)
    elif encoding != "identity":
        raise RuntimeError(f"a page sent in {encoding}, which Chromium does not read")
    return body.decode("utf-8")


def run() -> list[Figure]:
    with demo_store() as (stack, people):
        url = "http://127.0.0.1:8000"
        app = in_process_app(stack, url, people)
        client = app.test_client()
        session_cookie(client, people[0])
        first: dict[str, int] = {}
        repeat: dict[str, int] = {}
        encodings: dict[str, str] = {}
        for key, path in ((page.key, page.path) for page in PAGES):
            answer = client.get(path, base_url=url, headers=ACCEPT)
            if answer.status_code != 200:
                raise RuntimeError(f"{path} answered {answer.status_code}")
            html = _served(answer)
            encodings[key] = answer.headers.get("Content-Encoding", "identity")
            parser = _Links()
            parser.feed(_decoded(answer))
            assets = 0
            for link in dict.fromkeys(parser.urls):
                answer = client.get(link, base_url=url, headers=ACCEPT)
                if answer.status_code != 200:  # an error page would be counted as a small file
                    raise RuntimeError(f"{link} answered {answer.status_code}")
                assets += _served(answer)
                # On a repeat visit a hashed file is not asked for, a plain one answers 304 with no body.
                revalidated = client.get(
                    link, base_url=url, headers={**ACCEPT, "If-None-Match": answer.headers["ETag"]}
                )
                if "immutable" not in answer.headers["Cache-Control"] and revalidated.status_code != 304:
                    raise RuntimeError(f"{link} cannot be revalidated")
            first[key], repeat[key] = html + assets, html
        static = app.extensions["portal.assets"]

        def compressed(names: tuple[str, ...]) -> int:
            return sum(min(map(len, static.files[static.names[n]].encodings.values())) for n in names)

        css, js = compressed(OWN_CSS), compressed(OWN_JS)
    worst_first = max(first, key=lambda k: first[k])
    worst_repeat = max(repeat, key=lambda k: repeat[k])
    every = ", ".join(f"{k} {first[k] / 1024:.1f}/{repeat[k] / 1024:.1f}" for k in first)
    return [
        Figure("first visit, as served (worst page)", first[worst_first] / 1024, "KB", 60, note=worst_first),
        Figure("repeat visit, as served (worst page)", repeat[worst_repeat] / 1024, "KB", 20, note=worst_repeat),
        Figure("own CSS, compressed", css / 1024, "KB", 15, note=", ".join(OWN_CSS)),
        Figure("own JS, compressed", js / 1024, "KB", 3, note=", ".join(OWN_JS)),
        Figure("main pages measured (first/repeat KB each)", len(first), "pages", None, note=every),
        Figure(
            "main pages sent compressed",
            sum(e != "identity" for e in encodings.values()),
            "pages",
            None,
            note=", ".join(sorted(set(encodings.values()))),
        ),
    ]
