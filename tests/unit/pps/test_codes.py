"""The value-set table covers every concept of the official CI-SIS value sets, with the right kind."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from portal.pps.codes import CONCEPTS, VALUE_SETS, CodeKind, concepts_of, kinds_of, lookup, official_display

from .documents import REFERENCE

SVS = "{urn:ihe:iti:svs:2008}"


def value_set_files() -> list[Path]:
    folder = REFERENCE / "jdv"
    if not folder.is_dir():
        pytest.skip("value sets: ../shared/reference is absent")
    return sorted(folder.glob("JDV_*_CISIS.xml"))


def test_every_concept_of_every_value_set_is_in_the_table_with_its_kind() -> None:
    files = value_set_files()
    kind_by_name = {vs.name: kind for kind, vs in VALUE_SETS.items()}
    seen_sets = set()
    expected = set()
    for path in files:
        tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
        value_set = tree.find(f".//{SVS}ValueSet")
        assert value_set is not None
        kind = kind_by_name[value_set.get("displayName")]
        assert VALUE_SETS[kind].oid == value_set.get("id")
        seen_sets.add(kind)
        for concept in tree.iter(f"{SVS}Concept"):
            system, code, display = concept.get("codeSystem"), concept.get("code"), concept.get("displayName")
            assert kind in kinds_of(system, code), (path.name, code)
            found = lookup(system, code, kind)
            assert found is not None and found.display == display
            expected.add((kind, system, code))
    assert seen_sets == set(CodeKind) == set(VALUE_SETS)
    # …and the table holds nothing the value sets do not.
    assert {(c.kind, c.system, c.code) for c in CONCEPTS} == expected


def test_a_code_in_two_value_sets_has_both_kinds() -> None:
    assert kinds_of("1.2.250.1.213.1.1.4.322", "MED-556") == {CodeKind.TREATMENT_TYPE, CodeKind.UPDATE_REASON}


def test_lookups() -> None:
    assert official_display("1.2.250.1.213.1.1.4.322", "GEN-176") == "Modification de calendrier"
    assert official_display("2.16.840.1.113883.3.26.1.1", "C15632") == "chimiothérapie"
    assert official_display("1.2.250.1.213.1.1.4.322", "NOT-A-CODE") is None
    assert kinds_of(None, "C15632") == frozenset()
    assert [c.code for c in concepts_of(CodeKind.PHASE)] == ["MED-268", "MED-244"]
