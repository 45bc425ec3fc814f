"""Every code the synthetic documents use has our own plain words (no fallback to the document's text)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

import pytest

from portal.plain import item_kind_label, label, role_label
from portal.plain.labels import CIM10, CIMO3, KIND_VALUE_SETS, Lang, PlainLabel
from portal.pps import CarePlan, read_pps
from portal.pps.codes import CodeKind
from portal.pps.model import Code, ContactRole, ItemKind
from synthetic import build_documents


@cache
def _plans() -> tuple[tuple[str, CarePlan], ...]:
    return tuple((doc.filename, read_pps(doc.cda)) for doc in build_documents() if doc.kind == "pps")


def _shown_codes(plan: CarePlan) -> Iterator[tuple[str, Code, CodeKind | None]]:
    """The codes whose plain words a page shows (TNM and stage stay as written, in "medical details")."""
    for item in plan.items():
        if item.type is not None:
            yield "item type", item.type, KIND_VALUE_SETS[item.kind]
        if item.route is not None:
            yield "route", item.route, CodeKind.ROUTE
        for place in item.places:
            if place.kind is not None:
                yield "place", place.kind, None
        if item.rhythm is not None:
            for day in item.rhythm.weekdays:
                yield "weekday", day, CodeKind.WEEKDAY
        for reason in item.reasons:
            if reason.code is not None:
                yield "reason", reason.code, None
        for performer in item.performers:
            if performer.role is not None:
                yield "performer", performer.role, None
    if plan.status is not None:
        if plan.status.status is not None:
            yield "status", plan.status.status, CodeKind.DOCUMENT_STATUS
        if plan.status.update_reason is not None:
            yield "update reason", plan.status.update_reason, CodeKind.UPDATE_REASON
    if plan.phase is not None and plan.phase.code is not None:
        yield "phase", plan.phase.code, CodeKind.PHASE
    for diagnosis in plan.diagnoses:
        for code in (diagnosis.topography, diagnosis.laterality, diagnosis.morphology):
            if code is not None:
                yield "diagnosis", code, None
    for contact in plan.contacts:
        for translation in contact.translations:
            yield "contact role", translation, None
        if contact.profession is not None:
            yield "profession", contact.profession, None
    for person in (*plan.trusted_persons, *plan.emergency_contacts):
        if person.relationship is not None:
            yield "relationship", person.relationship, None
    for document in plan.referenced_documents:
        if document.code is not None:
            yield "referenced document", document.code, None


def test_the_synthetic_data_set_has_plans() -> None:
    assert len(_plans()) >= 10


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_code_of_the_synthetic_plans_has_our_own_words(lang: Lang) -> None:
    fallbacks: set[tuple[str, str | None, str | None, str | None]] = set()
    for _name, plan in _plans():
        for where, code, kind in _shown_codes(plan):
            found = label(code, lang, kind=kind)
            if found is None or found.from_document:
                fallbacks.add((where, code.system, code.code, code.display))
    assert not fallbacks


def test_the_illness_of_each_synthetic_plan_is_named_plainly() -> None:
    named = 0
    for _name, plan in _plans():
        for diagnosis in plan.diagnoses:
            if diagnosis.topography is not None:
                assert diagnosis.topography.system == CIM10
                site = label(diagnosis.topography, "en")
                assert isinstance(site, PlainLabel) and not site.from_document
                named += 1
            if diagnosis.morphology is not None:
                assert diagnosis.morphology.system == CIMO3
    assert named >= 8


def test_every_contact_of_the_synthetic_plans_has_a_known_role_or_a_comment() -> None:
    for _name, plan in _plans():
        for contact in plan.contacts:
            if contact.role is not ContactRole.OTHER:
                assert role_label(contact.role, "fr").text != "Contact"


@pytest.mark.parametrize("kind", list(ItemKind))
def test_item_kinds_of_the_synthetic_plans_are_named(kind: ItemKind) -> None:
    assert item_kind_label(kind, "en").text
