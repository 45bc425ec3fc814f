"""Every coded term the plan may show is explained: beside it on the page, or by a link to its glossary entry.

Each table of plain labels (`portal.plain.label_data`) is shown by one kind of place on the pages:

- EXPLAINED: the page says the label's one-sentence explanation beside it (an item's type on its card, the phase
  and the progression on the illness page and the RCP page, the state of the plan on the overview, a group of
  contacts, the reason for an update, which is itself the sentence);
- LINKED: the page shows the label alone and links it to the glossary (an item's kind, how it is given, a contact's
  role): its glossary entry (`glossary_id`) must exist, or its words must hold a glossary term;
- NOT_SHOWN: no page names the label today (its explanation is ready for when one does);
- EXEMPT: words everyone knows, listed with the reason.

Then, on the rendered pages of every synthetic plan (the preview, French and English): each item's kind, each way
a treatment is given and each contact's role links to its glossary entry, and the state of the plan says what it
means.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import lxml.html
import pytest

from portal.cli.preview import render_plan
from portal.plain import glossary_entry, item_kind_label, label, role_label, status_label
from portal.plain import label_data as data
from portal.plain.labels import KIND_VALUE_SETS, Lang, PlainLabel
from portal.plain.terms import find_terms
from portal.pps.codes import CONCEPTS, CodeKind
from portal.pps.model import CarePlan
from portal.pps.reader import read_pps
from synthetic.cases import CASES
from synthetic.documents import DEFAULT_REFERENCE_DATE, pps_document

Words = data.Words


def _concepts(*kinds: CodeKind) -> dict[str, Words]:
    return {f"{k.value} {code}": words for (k, _, code), words in data.CONCEPT_WORDS.items() if k in kinds}


ITEM_TYPES = tuple(KIND_VALUE_SETS.values())

EXPLAINED: dict[str, Mapping[Any, Words]] = {
    "an item's type, on its card (treatments, support)": _concepts(*ITEM_TYPES),
    "the phase (illness page, RCP page)": _concepts(CodeKind.PHASE),
    "the progression (illness page)": {**data.PROGRESSION_WORDS, **_concepts(CodeKind.PROGRESSION)},
    "the state of the plan (overview)": _concepts(CodeKind.DOCUMENT_STATUS),
    "the reason for an update (overview, versions: the explanation is the sentence)": _concepts(CodeKind.UPDATE_REASON),
    "a group of contacts (care team page)": data.ROLE_GROUP_WORDS,
    "what kind of tumour (illness page, RCP page)": data.BEHAVIOUR,
}
LINKED: dict[str, Mapping[Any, Words]] = {
    "an item's kind (the tag on its card)": data.ITEM_KIND_WORDS,
    "how a treatment is given (its card)": {
        **_concepts(CodeKind.ROUTE),
        "route other": data.OTHER_BY_KIND[CodeKind.ROUTE],
    },
    "a contact's role (contact card)": data.ROLE_WORDS,
}
NOT_SHOWN: dict[str, Mapping[Any, Words]] = {
    "addictions (the plan's model reads them; no page shows them)": _concepts(CodeKind.ADDICTION),
    "kinds of care structure (contacts are named by their role instead)": _concepts(CodeKind.CARE_STRUCTURE),
}
#: Labels a page shows with neither: plain words, each with the reason.
EXEMPT: dict[str, str] = {
    "weekday": "days of the week, inside the rhythm's own sentence (“every Monday”)",
    "CORRE": "“Contact”: a person or service the document gives no role; the card names who it is",
    "other": "“Contact”: the same, for a role the portal does not know",
}


def _labels(tables: Mapping[str, Mapping[Any, Words]]) -> Iterator[tuple[str, str, Words]]:
    for surface, table in tables.items():
        for key, words in table.items():
            yield surface, str(key), words


def _exempt(key: str) -> bool:
    return key in EXEMPT or key.startswith("weekday ")


def _target(words: Words, lang: Lang) -> str | None:
    """The glossary entry a label leads to: its own, else the first glossary term in its words."""
    if words.glossary_id is not None:
        return words.glossary_id
    found = find_terms(words.fr if lang == "fr" else words.en, lang)
    return found[0][2].id if found else None


def test_every_value_set_has_its_place() -> None:
    shown = {k for tables in (EXPLAINED, LINKED, NOT_SHOWN) for table in tables.values() for k in table}
    concept_keys = {f"{c.kind.value} {c.code}" for c in CONCEPTS if c.kind != CodeKind.WEEKDAY}
    assert concept_keys <= shown, sorted(concept_keys - shown)
    assert {f"weekday {c.code}" for c in CONCEPTS if c.kind == CodeKind.WEEKDAY}
    assert all(_exempt(f"weekday {c.code}") for c in CONCEPTS if c.kind == CodeKind.WEEKDAY)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_label_shown_with_its_explanation_has_one(lang: Lang) -> None:
    missing = [
        f"{surface}: {key}"
        for surface, key, words in _labels({**EXPLAINED, **NOT_SHOWN})
        if not (words.fr_explanation if lang == "fr" else words.en_explanation)
    ]
    assert not missing


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_label_shown_alone_leads_to_a_glossary_entry(lang: Lang) -> None:
    missing = []
    for surface, key, words in _labels(LINKED):
        target = _target(words, lang)
        if _exempt(key):
            assert target is None, f"{key} is exempt but has an entry: link it"
        elif target is None or glossary_entry(target) is None:
            missing.append(f"{surface}: {key} ({words.fr if lang == 'fr' else words.en})")
    assert not missing, "\n".join(missing)


# --- on the rendered pages ---------------------------------------------------------------------------------------


def _plans() -> Iterator[tuple[str, CarePlan]]:
    for case in CASES:
        for number in range(1, len(case.versions) + 1):
            yield f"{case.key} v{number}", read_pps(pps_document(case, number).cda)


#: Plans that are a PDF only show no item, contact or state: left out.
PLANS = [(name, plan) for name, plan in _plans() if not plan.is_pdf_only]


def _entry(found: PlainLabel | None, lang: Lang) -> str | None:
    if found is None:
        return None
    if found.glossary_id:
        return found.glossary_id
    terms = find_terms(found.text, lang)
    return terms[0][2].id if terms else None


def _expected(plan: CarePlan, lang: Lang) -> dict[str, set[str]]:
    """The glossary entries each place must link on this plan's pages (exempt labels left out)."""
    items = (*plan.programme, *plan.support)
    expected: dict[str, set[str]] = {"kind": set(), "route": set(), "role": set()}
    for item in items:
        if entry := _entry(item_kind_label(item.kind, lang), lang):
            expected["kind"].add(entry)
        route = label(item.route, lang, kind=CodeKind.ROUTE)
        if route is not None and not route.from_document and (entry := _entry(route, lang)):
            expected["route"].add(entry)
    for contact in plan.contacts:
        role = role_label(contact.role_code, lang)
        if (entry := _entry(role, lang)) and str(contact.role_code) not in EXEMPT:
            expected["role"].add(entry)
    return expected


def test_the_synthetic_plans_show_every_place_to_check() -> None:
    for lang in ("fr", "en"):
        found = [_expected(plan, lang) for _, plan in PLANS]  # type: ignore[arg-type]
        assert all(any(places[place] for places in found) for place in ("kind", "route", "role")), lang
        assert any(plan.status and plan.status.status for _, plan in PLANS)


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize(("name", "plan"), PLANS, ids=[name for name, _ in PLANS])
def test_the_pages_link_or_explain_every_coded_term(name: str, plan: CarePlan, lang: Lang) -> None:
    doc = lxml.html.document_fromstring(render_plan(plan, lang, DEFAULT_REFERENCE_DATE))  # type: ignore[arg-type]
    linked = {a.get("href").removeprefix("#glossary-") for a in doc.xpath("//a[@class='term']")}
    expected = _expected(plan, lang)  # type: ignore[arg-type]
    for place, entries in expected.items():
        assert entries <= linked, f"{name} {lang}: {place} not linked: {sorted(entries - linked)}"
    status = status_label(plan.status.status, lang) if plan.status else None  # type: ignore[arg-type]
    if status is not None and status.explanation:
        shown = " ".join(" ".join(e.text_content().split()) for e in doc.find_class("state-explanation"))
        assert status.explanation in shown, f"{name} {lang}: the state of the plan is not explained"
