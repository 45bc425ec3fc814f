"""What the pages show is what "what changed" tells: one field mutated, both versions rendered, the diff checked.

For documents of the synthetic set and the official CI-SIS example, every field of the model is a mutation site
(`mutations.sites`: dates, codes, texts, telecoms, people, organisations, addresses, identifiers, flags). A fixed,
seeded choice of sites covers every field of the model (up to `PER_FIELD` sites each, from different documents).
For each: render the plan pages of both versions with the real templates (`portal.cli.preview.render_plan`), take
their visible text without the version's own metadata, and require that the diff reports a change, told in French
and in English, exactly when the pages differ — in both directions.
"""

from __future__ import annotations

import datetime as dt
import difflib
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache

import lxml.html
import pytest

from portal.cli.preview import render_plan
from portal.plain.changes import change_sentences
from portal.plain.texts import catalogue
from portal.plain.views import contacts_view
from portal.pps.diff import diff
from portal.pps.model import CarePlan, Code, PersonName, RelatedPerson
from portal.pps.reader import read_pps
from synthetic.cases import CASES
from synthetic.documents import DEFAULT_REFERENCE_DATE, pps_document
from tests.unit.history.mutations import FieldKind, Site, mutate, sites
from tests.unit.pps.documents import EXTERNAL, reference_file

#: Sites tried per field of the model (the same field in different documents or entries).
PER_FIELD = 4
SEED = 21
#: Kinds of field that some page shows, so that a mutation of one of them must have shown.
SHOWN_KINDS = set(FieldKind) - {FieldKind.IDENTIFIER}
#: The day the official example's pages are seen on: between its done and its planned items.
OFFICIAL_TODAY = dt.date(2020, 1, 1)


@dataclass(frozen=True)
class Document:
    name: str
    plan: CarePlan
    today: dt.date


@cache
def documents(source: str) -> tuple[Document, ...]:
    if source == "official":
        return (Document(EXTERNAL, read_pps(reference_file(EXTERNAL)), OFFICIAL_TODAY),)
    return tuple(
        Document(f"{case.key} v{number}", read_pps(pps_document(case, number).cda), DEFAULT_REFERENCE_DATE)
        for case in CASES
        for number in range(1, len(case.versions) + 1)
    )


def chosen_sites(docs: tuple[Document, ...]) -> list[tuple[Document, Site]]:
    """Up to PER_FIELD sites of each field, drawn with a fixed seed, preferring different documents."""
    by_field: dict[str, list[tuple[Document, Site]]] = defaultdict(list)
    for document in docs:
        for site in sites(document.plan):
            by_field[site.pattern].append((document, site))
    rnd = random.Random(SEED)
    chosen: list[tuple[Document, Site]] = []
    for field in sorted(by_field):
        candidates = list(by_field[field])
        rnd.shuffle(candidates)
        picked: list[tuple[Document, Site]] = []
        seen_documents: set[str] = set()
        for document, site in candidates:  # one per document first, then any
            if len(picked) < PER_FIELD and document.name not in seen_documents:
                picked.append((document, site))
                seen_documents.add(document.name)
        for candidate in candidates:
            if len(picked) < PER_FIELD and candidate not in picked:
                picked.append(candidate)
        chosen += picked
    return chosen


# --- what a page shows --------------------------------------------------------------------------------------


BLOCKS = ("p", "div", "li", "dt", "dd", "h1", "h2", "h3", "h4", "section", "article", "summary", "br", "ul", "ol", "dl")


def _metadata_rows() -> set[str]:
    t = catalogue("fr")
    return {t.gettext("Last updated"), t.gettext("Version"), t.gettext("Handed to you on")}


def page_text(html: str) -> list[str]:
    """The visible text of the rendered pages, one chunk a line, without the version's own metadata: its number,
    its date (the "updated on" banner title and row) and the day it was handed over."""
    root = lxml.html.fromstring(html)
    for element in root.iter("style", "title"):
        element.drop_tree()
    metadata = _metadata_rows()
    for row in root.find_class("summary-row"):
        term = row.find("dt")
        if term is not None and term.text_content().strip() in metadata:
            row.drop_tree()
    for element in root.xpath("//*[@id='update-title'] | //*[contains(@class, 'plan-updated')]"):
        element.drop_tree()
    # A block ends a line; inline markup (a glossary link, a span with a language) does not split the words.
    for element in root.iter(*BLOCKS):
        element.tail = "\n" + (element.tail or "")
    return [" ".join(line.split()) for line in root.text_content().splitlines() if line.strip()]


@cache
def rendered(document: Document) -> tuple[str, ...]:
    return tuple(page_text(render_plan(document.plan, "fr", document.today)))


# --- the property ------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    site: Site
    visible: bool
    problem: str | None


def check(document: Document, site: Site) -> Outcome:
    rnd = random.Random(f"{SEED}:{document.name}:{site}")
    mutated, before, after = mutate(document.plan, site, rnd)
    old_pages = rendered(document)
    new_pages = tuple(page_text(render_plan(mutated, "fr", document.today)))
    visible = old_pages != new_pages
    problems: list[str] = []
    for direction, changes in (("old→new", diff(document.plan, mutated)), ("new→old", diff(mutated, document.plan))):
        if visible and not changes:
            problems.append(f"{direction}: the pages differ but the diff reports nothing")
        if not visible and changes:
            problems.append(f"{direction}: the pages are the same but the diff reports {changes!r:.600}")
        for lang in ("fr", "en"):
            told = change_sentences(changes, lang)
            if len(told) != len(changes):
                silent = len(changes) - len(told)
                problems.append(f"{direction}: {silent} change(s) not told in {lang}: {changes!r:.600}")
    if not problems:
        return Outcome(site, visible, None)
    page_diff = "\n".join(list(difflib.unified_diff(old_pages, new_pages, lineterm="", n=1))[2:14])
    return Outcome(
        site,
        visible,
        f"{document.name}: {site}: {before!r:.120} → {after!r:.120}\n  " + "\n  ".join(problems) + f"\n{page_diff}",
    )


def run(source: str) -> list[Outcome]:
    return [check(document, site) for document, site in chosen_sites(documents(source))]


def coverage(outcomes: list[Outcome]) -> str:
    """Per kind of field: how many mutations showed on a page, and how many did not."""
    counts: Counter[tuple[FieldKind, bool]] = Counter((o.site.kind, o.visible) for o in outcomes)
    return ", ".join(f"{kind.value} {counts[kind, True]} shown/{counts[kind, False]} not" for kind in FieldKind)


def failures(outcomes: list[Outcome]) -> Iterator[str]:
    return (o.problem for o in outcomes if o.problem is not None)


@pytest.mark.parametrize("source", ["synthetic", "official"])
def test_the_diff_reports_a_change_exactly_when_the_pages_differ(source: str) -> None:
    outcomes = run(source)
    problems = list(failures(outcomes))
    assert not problems, f"{len(problems)} of {len(outcomes)} mutations:\n\n" + "\n\n".join(problems[:25])
    # Every kind of field was mutated; every kind a page shows was seen changing on a page; and some mutations
    # changed nothing a page shows (so "reports none" was tested too).
    kinds = {o.site.kind for o in outcomes}
    assert kinds == set(FieldKind), f"not covered: {set(FieldKind) - kinds}"
    shown = {o.site.kind for o in outcomes if o.visible}
    assert shown >= SHOWN_KINDS, coverage(outcomes)
    assert any(not o.visible for o in outcomes), coverage(outcomes)
    print(f"{source}: {len(outcomes)} mutations: {coverage(outcomes)}")


def test_a_person_both_trusted_and_to_call_shows_each_family_link_the_document_gives() -> None:
    # One card when the document says the same of them twice; two when it gives two family links, so that the
    # page shows each fact the diff compares.
    plan = documents("synthetic")[0].plan
    person = RelatedPerson("NOK", Code("2.16.840.1.113883.5.111", "FTH", "Père"), PersonName("FICTIF", ("Paul",)))
    same = replace(plan, trusted_persons=(person,), emergency_contacts=(replace(person, role="ECON"),))
    (card,) = contacts_view(same, "fr").close_people
    assert card.trusted and card.emergency
    uncle = replace(person, role="ECON", relationship=Code("2.16.840.1.113883.5.111", "UNCLE", "Oncle"))
    cards = contacts_view(replace(same, emergency_contacts=(uncle,)), "fr").close_people
    assert [(c.relationship, c.trusted, c.emergency) for c in cards] == [("Père", True, False), ("Oncle", False, True)]
