"""The plan's pages and the ways between them: one registry of pages, the contents list for this viewer, the page's
language and today's date in France. A leaf of the web layer: every page module reads it, it reads none of them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask import request
from flask_babel import get_locale
from flask_babel import gettext as _

from portal.auth.views import safe_next
from portal.plain.views.common import PARIS, Lang
from portal.web.state import state

__all__ = [
    "PAGES",
    "PLAN_PAGES",
    "Page",
    "here",
    "nav",
    "page_lang",
    "page_names",
    "page_urls",
    "search_query",
    "shared_pages",
    "today",
]


@dataclass(frozen=True)
class Page:
    """One page of the plan: its key (a part of the plan for the plan's own pages), its path."""

    key: str
    path: str


#: The pages of the plan in reading order. The first six show the plan itself (portal.web.plan); history and
#: documents hold the whole plan (portal.web.history, portal.web.documents); the glossary holds no personal data.
PAGES: tuple[Page, ...] = (
    Page("overview", "/"),
    Page("treatments", "/treatments"),
    Page("calendar", "/calendar"),
    Page("contacts", "/care-team"),
    Page("support", "/support"),
    Page("illness", "/illness"),
    Page("history", "/history"),
    Page("documents", "/documents"),
    Page("glossary", "/glossary"),
)
#: The pages built from the plan's content alone, each from its own view model.
PLAN_PAGES: tuple[str, ...] = ("overview", "treatments", "calendar", "contacts", "support", "illness")
#: The patient's own page of who has viewed their plan (nobody else's to read).
ACCESS_PAGE = Page("access", "/access-log")


def here() -> str:
    """This page's path as pages may repeat it (in a link back, a form's `next`): a path of this site with no
    control character, else the start page."""
    path = request.path
    return path if safe_next(path) == path else "/"


def page_lang() -> Lang:
    return "en" if str(get_locale()).startswith("en") else "fr"


def _searchable(char: str) -> bool:
    """Whether a page may show this character back: not a control (tab and newline aside, which the search reads
    as spaces), not a surrogate, not a noncharacter (U+FDD0–U+FDEF, and the last two of every plane)."""
    code = ord(char)
    if char in "\t\n\r":
        return True
    if code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF or 0xFDD0 <= code <= 0xFDEF:
        return False
    return code & 0xFFFE != 0xFFFE


def search_query() -> str:
    """The text of this page's search field (`?q=`), as the page may show it back: at most 100 characters, without
    control characters or noncharacters."""
    return "".join(filter(_searchable, request.args.get("q", "")))[:100]


def today() -> dt.date:
    """Today in France: what is "coming up" or "past" is decided in Europe/Paris."""
    return dt.datetime.now(PARIS).date()


def page_names() -> dict[str, str]:
    """The short names of the pages in the contents list, in the page's language."""
    return dict(_page_names(str(get_locale())))


@lru_cache(maxsize=4)
def _page_names(locale: str) -> dict[str, str]:
    """Looked up once per language (the catalogues do not change while the process runs): `_` is this request's
    language, which is `locale`."""
    return {
        "overview": _("Overview"),
        "treatments": _("Treatments"),
        "calendar": _("Calendar"),
        "contacts": _("Contacts"),
        "support": _("Support"),
        "illness": _("Illness"),
        "history": _("Versions"),
        "documents": _("Documents"),
        "glossary": _("Glossary"),
        "access": _("Who has viewed my plan"),
    }


def _pages() -> list[Page]:
    """The pages this request's viewer may see (every page when nobody's plan is open)."""
    viewing = state().viewing
    if viewing is None:
        return list(PAGES)
    pages = [page for page in PAGES if viewing.shows(page.key)]
    if viewing.is_patient:
        pages.append(ACCESS_PAGE)
    return pages


def nav(current: str) -> list[dict[str, Any]]:
    """The contents list between pages, the current one marked: only the pages this viewer may see."""
    names = page_names()
    return [
        {"key": page.key, "href": page.path, "text": names[page.key], "current": page.key == current}
        for page in _pages()
    ]


def page_urls() -> dict[str, str]:
    """Where links between pages lead, by key: only the pages this viewer may see (templates link to a page only
    when it is here)."""
    return {page.key: page.path for page in _pages() if page is not ACCESS_PAGE}


def shared_pages() -> list[dict[str, str]]:
    """For a limited viewer: the pages of the plan shared with them, with their names (the not-shared page)."""
    names = page_names()
    return [{"href": path, "text": names[key]} for key, path in page_urls().items() if key != "glossary"]
