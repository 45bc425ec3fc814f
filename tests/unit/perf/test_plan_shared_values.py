"""The values plans hold alike (codes of value sets, professionals, organisations) are kept once per process, and
nothing else is: never a part of the patient, never a code with the document's own words."""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Iterator
from typing import Any

import pytest

from portal.plans import kept as kept_module
from portal.plans.kept import KeptPlans, SharedValues, is_shared, pack, unpack
from portal.pps import read_pps
from portal.pps.model import Address, CarePlan, Code, HealthProfessional, Organization, Patient, PersonName
from synthetic import build_documents

PLANS = [read_pps(d.cda) for d in build_documents() if d.kind == "pps" and d.cda is not None]


def parts(root: object) -> Iterator[object]:
    """Every dataclass object of a plan, in a walk of its fields and tuples."""
    stack = [root]
    while stack:
        item = stack.pop()
        if dataclasses.is_dataclass(item) and not isinstance(item, type):
            yield item
            stack.extend(getattr(item, f.name) for f in dataclasses.fields(item))
        elif isinstance(item, tuple):
            stack.extend(item)


def professionals(plan: CarePlan) -> list[HealthProfessional]:
    return [p for p in parts(plan) if type(p) is HealthProfessional]


def test_a_professional_of_two_plans_is_one_object_once_both_are_unpacked() -> None:
    pair = next(
        (a, b)
        for i, a in enumerate(PLANS)
        for b in PLANS[i + 1 :]
        if a.patient != b.patient and set(professionals(a)) & set(professionals(b))
    )
    kept = KeptPlans(16 << 20)
    for n, plan in enumerate(pair):
        kept.put(n, plan)
    kept._ready.clear()  # as when other plans have taken the room of the ready ones
    first, second = kept.get(0), kept.get(1)
    assert first == pair[0] and second == pair[1]
    assert first is not None and second is not None
    in_both = set(professionals(first)) & set(professionals(second))
    by_value = {p: p for p in professionals(first)}
    assert in_both and all(by_value[p] is p for p in professionals(second) if p in in_both)


def test_only_codes_without_the_documents_words_professionals_and_organisations_are_shared() -> None:
    shared = SharedValues(1 << 30)
    for plan in PLANS:
        pack(plan, shared)
    table = [shared.value(n) for n in range(len(shared))]
    kinds = {type(value) for value in table}
    assert kinds == {Code, HealthProfessional, Organization}
    assert all(value.original_text is None for value in table if isinstance(value, Code))
    # Of a patient, only codes of value sets (their sex, say): the same object for everyone, naming no one.
    of_patients = {part for plan in PLANS for part in parts(plan.patient) if type(part) in kinds} & set(table)
    assert of_patients and {type(part) for part in of_patients} == {Code}


@pytest.mark.parametrize(
    "value",
    [
        Code("2.16.840.1.113883.6.96", "1234", "Chimiothérapie", original_text="les mots du médecin"),
        Patient(name=dataclasses.replace(Patient().name, birth_family="TESTDOC")),
        Address(city="Exempleville"),
        PersonName(family="Exemple"),
        "a string",
        ("a", "tuple"),
    ],
    ids=["code with the document's words", "patient", "address", "name", "string", "tuple"],
)
def test_what_is_not_on_the_list_is_not_shared(value: Any) -> None:
    assert not is_shared(value)


def test_a_code_of_a_value_set_and_the_care_team_are_shared() -> None:
    organisation = Organization(name="Centre de démonstration")
    assert is_shared(Code("2.16.840.1.113883.6.96", "1234", "Chimiothérapie"))
    assert is_shared(organisation)
    assert is_shared(HealthProfessional(name=PersonName(family="Exemple"), organization=organisation))


def test_a_full_table_adds_nothing_and_plans_keep_their_own_values() -> None:
    shared = SharedValues(0)
    for plan in PLANS:
        assert unpack(pack(plan, shared), shared) == plan
    assert len(shared) == 0 and shared.bytes == 0


def test_the_table_stays_within_its_bytes_and_then_shares_no_more() -> None:
    roomy = SharedValues(1 << 30)
    for plan in PLANS:
        pack(plan, roomy)
    shared = SharedValues(roomy.bytes // 2)
    for plan in PLANS:
        assert unpack(pack(plan, shared), shared) == plan
    assert 0 < len(shared) < len(roomy) and shared.bytes <= roomy.bytes // 2


def test_forgetting_the_plans_forgets_the_shared_values() -> None:
    kept = KeptPlans(16 << 20)
    kept.put("v1", PLANS[0])
    assert len(kept.shared) > 0
    kept.clear()
    assert len(kept.shared) == 0 and kept.shared.bytes == 0 and kept.get("v1") is None


def test_a_plan_packed_before_the_plans_were_forgotten_never_enters_the_new_table(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`clear` while a plan is being packed: its numbers name values of the old table, which mean other values (or
    nothing) in the new one. It is not kept packed, and a plan read from the old table stays whole."""
    kept = KeptPlans(16 << 20)
    kept.put("v0", PLANS[0])
    old_table, old_pack = kept.shared, kept._packed["v0"]
    original = kept_module.pack

    def pack_then_forget(plan: CarePlan, shared: SharedValues | None = None) -> bytes:
        pickled = original(plan, shared)
        kept.clear()  # another thread forgets every plan meanwhile
        return pickled

    monkeypatch.setattr(kept_module, "pack", pack_then_forget)
    kept.put("v1", PLANS[1])
    assert kept.shared is not old_table and "v1" not in kept._packed
    kept._ready.clear()
    assert kept.get("v1") is None  # read again from the store, never unpacked with the wrong table
    assert unpack(zlib.decompress(old_pack), old_table) == PLANS[0]  # the old table was left whole
