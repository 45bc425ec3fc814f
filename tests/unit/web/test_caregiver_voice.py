"""A caregiver and a legal representative read about the patient in the third person, on every page they reach.

Hélène helps Germaine; Emma is the legal representative of Léo (demo/accounts.json). Signed in as each, in French
and in English, every page they can reach (`reader_pages.reachable_pages`: links, GET forms, redirects and htmx
fragments followed from `/`, and each route of the map) is read as a person reads it: its visible text, its title
and the words given to screen readers. None may say "votre", "vos" or "your" to them about the patient's body,
treatment or plan: pages say "the treatments of Germaine", "the care team", "the plan".

Allowed, each for its reason (`ALLOWED`): what belongs to the reader themself (their session, sign-in, role,
access, device, browser, calendar, language and display choice, their own questions and pace, and on the
privacy page their own data, rights and browsing). The care team's own words are shown as written (they are
quoted, never ours to change) and are left out: any text of the patient's documents that the page shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import lxml.etree
import lxml.html
import pytest

from synthetic import build_documents
from tests.unit.viewers import Viewers
from tests.unit.web.reader_pages import Page, reachable_pages, readable_text

#: Who reads, and the patient they read about.
READERS = {"helene": ("germaine", "Germaine"), "emma": ("leo", "Léo")}
POSSESSIVE = re.compile(r"\b(votre|vos|your)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Allowed:
    """A "your" that speaks of the reader's own things; `pages` limits it to some pages (a regex of the path)."""

    pattern: re.Pattern[str]
    reason: str
    pages: re.Pattern[str] = re.compile("")


def _allowed(pattern: str, reason: str, pages: str = "") -> Allowed:
    return Allowed(re.compile(pattern, re.IGNORECASE), reason, re.compile(pages))


ALLOWED = (
    _allowed(r"\b(votre|your) session\b", "the reader's own session: it closes when they are away"),
    _allowed(
        r"\b(votre|your) (service de connexion|sign-in service|identité|identity|compte|account)\b",
        "how the reader signs in, and who they are",
    ),
    _allowed(r"\b(votre|your) (rôle|role)\b", "the banner says in which role the reader sees the plan"),
    _allowed(r"\b(votre|your) (accès|access)\b", "the reader's own access to the plan"),
    _allowed(
        r"\b(votre|your) (appareil|device|navigateur|browser|téléphone|phone|ordinateur|computer)\b",
        "the reader's own device, where files open and settings are kept",
    ),
    _allowed(r"\b(votre|your) (agenda|calendar)\b", "the reader adds the appointments to their own calendar"),
    _allowed(r"\b(votre|your) (choix|choice)\b", "the reader's choice of language or display"),
    _allowed(r"\b(votre|your) (langue|language)\b", "the reader's choice of language"),
    _allowed(r"\b(vos|your) questions\b", "the reader's own questions, to the care team"),
    _allowed(r"\b(votre|your) (temps|time)\b", "“take your time”: the reader's own pace of reading"),
    _allowed(r"\bvotre navigation\b", "“no tracking of your browsing”: the reader's own browsing", pages=r"^/privacy"),
    _allowed(
        r"\b(vos|your) (données|data|droits|rights)\b",
        "the privacy page tells the reader about their own data and rights",
        pages=r"^/privacy",
    ),
)


@cache
def document_words(patient: str) -> tuple[str, ...]:
    """Every text of the patient's documents that says "your": the care team's words, shown as written."""
    found: set[str] = set()
    for generated in build_documents():
        if not generated.filename.startswith(f"{patient}-"):
            continue
        root = lxml.etree.fromstring(generated.cda)
        texts = [*root.itertext(), *(v for el in root.iter() for k, v in el.attrib.items() if k == "displayName")]
        for text in texts:
            words = " ".join(text.split())
            if POSSESSIVE.search(words):
                found.add(words)
    return tuple(sorted(found, key=len, reverse=True))


def findings(page: Page, patient: str) -> Iterator[str]:
    text = readable_text(page)
    for words in document_words(patient):
        text = text.replace(words, " ")
    for match in POSSESSIVE.finditer(text):
        around = text[max(0, match.start() - 50) : match.end() + 50]
        if any(rule.pages.search(page.path) and rule.pattern.match(text, match.start()) for rule in ALLOWED):
            continue
        yield f"{page.lang} {page.path}: …{around}…"


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("login", sorted(READERS))
def test_every_page_speaks_of_the_patient_in_the_third_person(login: str, lang: str, viewers: Viewers) -> None:
    patient, name = READERS[login]
    pages = reachable_pages(viewers.sign_in(login), lang)
    paths = {page.path for page in pages}
    # The sweep reached the plan pages, the versions, the glossary and the documents (else it proves nothing).
    assert {"/", "/treatments", "/history", "/history/compare", "/glossary", "/documents", "/care-team"} <= paths, (
        sorted(paths)
    )
    assert any(path.startswith("/history/doc-") for path in paths), sorted(paths)
    assert all(name in readable_text(page) for page in pages if page.path in ("/", "/treatments", "/history"))
    found = sorted({finding for page in pages for finding in findings(page, patient)})
    assert not found, f"{len(found)} times “your” to the {login}'s reader about {name}:\n" + "\n".join(found)
    print(f"{login} {lang}: {len(pages)} pages read, none says “your” about {name}")
