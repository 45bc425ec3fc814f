"""Every document the project makes, and the official examples, pass the official ANS schematrons.

The model's own schema (CANCER-PPS or CANCER-FRCP 2022.01) and the content models (every section and entry
template of the CI-SIS). A failed assert fails the test with its text and its place in the document.
"""

from __future__ import annotations

import pytest

from portal.pps.conformance import CONTENT_MODELS, MODEL_SCHEMAS, FailedAssert, Schematrons
from synthetic import REGIONS, GeneratedDocument, build_documents

from .conftest import REFERENCE

DOCUMENTS = build_documents()
#: The other regions' stores' documents (synthetic/regions.py): the same generator, the same rules.
REGION_DOCUMENTS = [d for region in REGIONS.values() for d in build_documents(cases=region.cases)]
OFFICIAL = {
    "CANCER-PPS_2022.01_feuille-de-style-externe.xml": "pps",
    "CANCER-PPS_2022.01_Autopresentable.xml": "pps",
    "CANCER-FRCP_2022.01_Appareil.xml": "frcp",
}


def assert_conformant(failed: tuple[FailedAssert, ...]) -> None:
    if failed:
        pytest.fail(f"{len(failed)} failed asserts:\n" + "\n".join(f"  {a.line()}" for a in failed), pytrace=False)


def official(name: str) -> bytes:
    return (REFERENCE / name).read_bytes()


def test_the_layer_sees_every_pps_version_and_every_rcp_report_of_the_data_set() -> None:
    pps = [d for d in DOCUMENTS if d.kind == "pps"]
    assert (len(pps), len(DOCUMENTS) - len(pps)) == (21, 3)
    assert {d.number for d in pps} == {1, 2, 3}


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: d.filename)
def test_every_generated_document_passes_its_model_schema(
    schematrons: Schematrons, document: GeneratedDocument
) -> None:
    assert_conformant(schematrons.validate(document.cda, MODEL_SCHEMAS[document.kind]))


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: d.filename)
def test_every_generated_document_passes_the_content_models(
    schematrons: Schematrons, document: GeneratedDocument
) -> None:
    assert_conformant(schematrons.validate(document.cda, CONTENT_MODELS))


@pytest.mark.parametrize("document", REGION_DOCUMENTS, ids=lambda d: d.filename)
def test_every_region_document_passes_its_model_schema_and_the_content_models(
    schematrons: Schematrons, document: GeneratedDocument
) -> None:
    assert_conformant(schematrons.validate(document.cda, MODEL_SCHEMAS[document.kind]))
    assert_conformant(schematrons.validate(document.cda, CONTENT_MODELS))


@pytest.mark.parametrize(("name", "kind"), OFFICIAL.items())
def test_the_official_examples_pass_their_model_schema(schematrons: Schematrons, name: str, kind: str) -> None:
    assert_conformant(schematrons.validate(official(name), MODEL_SCHEMAS[kind]))


@pytest.mark.parametrize("name", [n for n, kind in OFFICIAL.items() if kind == "pps"])
def test_the_official_pps_examples_pass_the_content_models(schematrons: Schematrons, name: str) -> None:
    assert_conformant(schematrons.validate(official(name), CONTENT_MODELS))


def test_the_official_rcp_example_breaks_only_one_value_set_of_the_content_models(schematrons: Schematrons) -> None:
    # Known and published (reference README): a surgeon's speciality outside JDV_J01_XdsAuthorSpecialty. For the
    # official examples only the model's own schema must give 0; this pins the one exception, so that a second
    # one (or a runner that stopped finding anything) shows.
    (failed,) = schematrons.validate(official("CANCER-FRCP_2022.01_Appareil.xml"), CONTENT_MODELS)
    assert "[dansJeuDeValeurs]" in failed.text and "G15_10/SCH10" in failed.text
    assert failed.location.endswith("/author/assignedAuthor/code")


def test_an_rcp_report_without_its_care_plan_section_fails_with_the_rule_that_says_so(
    schematrons: Schematrons,
) -> None:
    report = next(d for d in DOCUMENTS if d.kind == "frcp")
    broken = report.cda.replace(b'root="1.3.6.1.4.1.19376.1.5.3.1.3.36"', b'root="2.25.1"')
    (failed,) = schematrons.validate(broken, MODEL_SCHEMAS["frcp"])
    assert failed.location == "/ClinicalDocument"
    assert "La section FR-Plan-de-soins doit être présente" in failed.text


def test_a_pps_with_a_treatment_outside_its_value_set_fails(schematrons: Schematrons) -> None:
    plan = next(d for d in DOCUMENTS if d.kind == "pps" and b"C15632" in d.cda)
    broken = plan.cda.replace(b'code="C15632"', b'code="C99999"', 1)
    failed = schematrons.validate(broken, MODEL_SCHEMAS["pps"])
    assert failed and all("C99999" in a.text for a in failed)


def test_the_compiled_validators_live_in_the_temporary_folder_not_in_the_reference(schematrons: Schematrons) -> None:
    assert set(schematrons.schemas) == {*MODEL_SCHEMAS.values(), CONTENT_MODELS}
    assert not list((REFERENCE / "schematrons").glob("*.xsl"))
