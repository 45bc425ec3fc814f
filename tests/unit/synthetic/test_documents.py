"""The generated documents: deterministic, read cleanly by the hardened reader, faithful to the value sets."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from lxml import etree

from portal.pps.errors import DocumentRefused
from portal.pps.model import SectionKey
from portal.pps.reader import read_pps
from synthetic import build_bundle, build_documents
from synthetic import codes as c
from synthetic.cases import CASES, case
from synthetic.pdf import Line, write_pdf
from synthetic.spec import Patient

REFERENCE = Path(__file__).resolve().parents[3] / ".." / "shared" / "reference" / "ci-sis"
DOCUMENTS = build_documents()
PPS = [d for d in DOCUMENTS if d.kind == "pps"]
STRUCTURED = [d for d in PPS if not d.case.versions[d.number - 1].pdf_only]


def test_same_reference_date_gives_byte_identical_documents_and_bundle() -> None:
    again = build_documents()
    assert [(d.filename, d.cda, d.pdf) for d in again] == [(d.filename, d.cda, d.pdf) for d in DOCUMENTS]
    assert build_bundle() == build_bundle()


def test_another_reference_date_moves_the_dates_but_not_the_identities() -> None:
    moved = build_documents(dt.date(2030, 1, 15))
    assert [d.cda for d in moved] != [d.cda for d in DOCUMENTS]
    first = read_pps(moved[0].cda)
    assert first.metadata.id == read_pps(DOCUMENTS[0].cda).metadata.id
    assert first.metadata.effective_time is not None
    assert first.metadata.effective_time.year in (2029, 2030)


def test_data_set_covers_every_case_of_the_domain() -> None:
    keys = {c.key for c in CASES}
    assert keys == {
        "breast",
        "colon",
        "lung",
        "prostate",
        "lymphoma",
        "larynx",
        "child",
        "thyroid",
        "ovarian",
        "pdf-only",
        "nothing-yet",
    }
    assert all(1 <= len(c.versions) <= 4 for c in CASES if c.key != "nothing-yet")
    assert case("nothing-yet").versions == ()
    assert all(v.reason is not None for c in CASES for v in c.versions[1:]), "every update says why"


@pytest.mark.parametrize("document", STRUCTURED, ids=lambda d: d.filename)
def test_every_structured_pps_reads_without_any_warning(document) -> None:  # type: ignore[no-untyped-def]
    plan = read_pps(document.cda)
    assert plan.warnings == ()
    found = {s.key for s in plan.sections}
    assert set(SectionKey) - {SectionKey.PATIENT_COMMENT} <= found
    assert plan.metadata.template_ids[-1].root == c.PPS_TEMPLATE
    assert plan.patient.ins is not None and plan.patient.ins.root == c.INS_TEST


def test_pdf_only_pps_carries_its_rendition_and_nothing_else() -> None:
    (document,) = [d for d in PPS if d.case.key == "pdf-only"]
    plan = read_pps(document.cda)
    assert plan.warnings == ()
    assert plan.is_pdf_only
    assert plan.pdf == document.pdf
    assert plan.sections == ()
    assert plan.metadata.version == 1


def test_rcp_reports_are_refused_by_the_pps_reader_as_rcp_reports() -> None:
    reports = [d for d in DOCUMENTS if d.kind == "frcp"]
    assert {d.case.key for d in reports} == {"breast", "child", "ovarian"}
    for report in reports:
        with pytest.raises(DocumentRefused, match="RCP report"):
            read_pps(report.cda)
        root = etree.fromstring(report.cda)
        code = root.find("{urn:hl7-org:v3}code")
        assert code is not None and code.get("code") == "34794-8"


def test_narrative_ids_are_unique_in_each_document() -> None:
    for document in STRUCTURED:
        found = re.findall(rb'ID="([^"]+)"', document.cda)
        assert len(found) == len(set(found)), document.filename


def test_only_synthetic_people_and_the_test_ins_system() -> None:
    for document in PPS:
        text = document.cda.decode()
        assert 'root="1.2.250.1.213.1.4.8"' not in text  # never the production INS system
        assert "Document de démonstration" in text or document.case.versions[document.number - 1].pdf_only


@pytest.mark.parametrize("entry", [c for c in CASES if c.patient.fixed_ins is None], ids=lambda c: c.key)
def test_computed_ins_is_nir_shaped_with_a_valid_key(entry) -> None:  # type: ignore[no-untyped-def]
    patient: Patient = entry.patient
    ins = patient.ins(dt.date(2026, 9, 1))
    assert re.fullmatch(r"[12]\d{14}", ins)
    assert int(ins[13:]) == 97 - int(ins[:13]) % 97
    assert ins[1:3] == f"{patient.birth_date(dt.date(2026, 9, 1)).year % 100:02d}"


def test_ages_hold_at_the_reference_date() -> None:
    reference = dt.date(2026, 9, 1)
    ages = {c.key: (reference - c.patient.birth_date(reference)).days // 365 for c in CASES}
    assert ages["lymphoma"] == 78
    assert ages["child"] == 6


def test_pdf_writer_gives_a_well_formed_file_with_exact_cross_references() -> None:
    pdf = write_pdf(
        "Titre (essai)",
        [
            Line("Programme", heading=True),
            Line("Parenthèse ( et \\ échappées"),
            *[Line(f"ligne {i}") for i in range(120)],
        ],
    )
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    start = int(pdf.rsplit(b"startxref", 1)[1].split()[0])
    assert pdf[start:].startswith(b"xref")
    table = pdf[start:].split(b"trailer")[0].split(b"\n")[3:]
    offsets = [int(row.split()[0]) for row in table if row.strip()]
    for number, offset in enumerate(offsets, start=1):
        assert pdf[offset:].startswith(b"%d 0 obj" % number)
    assert b"/Count 3" in pdf  # 122 lines do not fit on one page
    assert b"Parenth\xe8se \\( et \\\\ \xe9chapp\xe9es" in pdf


def _value_set_concepts() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path in (REFERENCE / "jdv").glob("*.xml"):
        for concept in etree.parse(str(path)).iter("{urn:ihe:iti:svs:2008}Concept"):
            found.add((concept.get("codeSystem") or "", concept.get("code") or ""))
    return found


def test_every_coded_item_value_comes_from_the_official_value_sets() -> None:
    if not REFERENCE.is_dir():
        pytest.skip("the official value sets in ../shared/reference are absent")
    concepts = _value_set_concepts()
    used: set[tuple[str, str]] = set()
    for entry in CASES:
        for version in entry.versions:
            used |= {(v.status.system, v.status.code) for v in (version,)}
            used |= {(version.phase.system, version.phase.code)}
            used |= {(p.system, p.code) for p in version.progression}
            if version.reason is not None:
                used.add((version.reason.system, version.reason.code))
            for item in version.items:
                used.add((item.type.system, item.type.code))
                if item.route is not None:
                    used.add((item.route.system, item.route.code))
    assert used - concepts == set()
