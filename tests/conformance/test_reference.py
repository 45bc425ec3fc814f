"""The official reference material the layer reads is there and whole; the one line that says so when it is not."""

from __future__ import annotations

from pathlib import Path

from portal.pps.conformance import CONTENT_MODELS, MODEL_SCHEMAS, find_reference


def test_the_official_schematrons_value_sets_and_examples_are_there(reference: Path) -> None:
    schematrons, value_sets = find_reference(reference)
    for schema in (*MODEL_SCHEMAS.values(), CONTENT_MODELS):
        assert (schematrons / schema).is_file(), schema
    assert (value_sets / "JDV_TypeTraitement_FRCP_CISIS.xml").is_file()
    assert len(list(reference.glob("CANCER-*.xml"))) == 3


def test_the_schematrons_folder_itself_leads_to_the_same_material(reference: Path) -> None:
    # What `portal check --schematrons DIR` accepts: the ANS layout, or its schematrons/ folder.
    assert find_reference(reference / "schematrons") == find_reference(reference)
