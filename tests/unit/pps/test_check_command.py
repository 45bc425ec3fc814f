"""`portal check FILE`: names the model, runs its structural checks, exits 0 when conformant and 1 when not.

The official rules (`--schematrons`) are tested in tests/conformance; here, what happens without them and when
they cannot be run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from portal.cli import portal
from portal.pps import conformance
from synthetic import build_documents

from .documents import EXTERNAL, FRCP, pps, reference_file

DOCUMENTS = build_documents()
RCP = next(d for d in DOCUMENTS if d.kind == "frcp")
PLAN = next(d for d in DOCUMENTS if d.kind == "pps" and d.case.key == "breast")
V = "{urn:hl7-org:v3}"


def run(tmp_path: Path, data: bytes, *options: str) -> tuple[int, str, str]:
    path = tmp_path / "document.xml"
    path.write_bytes(data)
    result = CliRunner().invoke(portal, ["check", *options, str(path)])
    return result.exit_code, result.stdout, result.stderr


def without(data: bytes, xpath: str) -> bytes:
    root = etree.fromstring(data)
    for element in root.xpath(xpath, namespaces={"v": "urn:hl7-org:v3"}):
        parent = element.getparent()
        assert parent is not None
        parent.remove(element)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_a_synthetic_rcp_report_is_named_and_structurally_conformant(tmp_path: Path) -> None:
    code, out, err = run(tmp_path, RCP.cda)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "model: CANCER-FRCP 2022.01 (RCP report, template 1.2.250.1.213.1.1.1.8)"
    assert "meeting: " in out and "identifiers: network yes, manager yes, RCP yes" in out
    assert "structure: 0 problems" in lines
    assert lines[-1] == "conformant (structure only: no --schematrons)"
    assert RCP.case.patient.birth_family not in out  # no identity in a report meant for tickets


def test_a_synthetic_pps_is_named_and_structurally_conformant(tmp_path: Path) -> None:
    code, out, _ = run(tmp_path, PLAN.cda)
    assert code == 0
    assert out.splitlines()[0] == "model: CANCER-PPS 2022.01 (cancer care plan, template 1.2.250.1.213.1.1.1.26)"
    assert "sections found: 10 of 10" in out and out.endswith("conformant (structure only: no --schematrons)\n")


def test_the_official_examples_are_structurally_conformant(tmp_path: Path) -> None:
    for name in (EXTERNAL, FRCP):
        code, out, _ = run(tmp_path, reference_file(name))
        assert code == 0, out
        assert "structure: 0 problems" in out


def test_a_report_without_its_proposal_section_is_not_conformant(tmp_path: Path) -> None:
    broken = without(RCP.cda, "//v:section[v:code/@code='18776-5']/..")
    code, out, _ = run(tmp_path, broken)
    assert code == 1
    assert "  - section missing: proposal (care plan)" in out.splitlines()
    assert out.splitlines()[-1] == "not conformant: 1 structural problems, 0 failed asserts"


def test_a_report_without_the_meeting_s_identifiers_and_place_is_not_conformant(tmp_path: Path) -> None:
    broken = without(RCP.cda, "//v:encompassingEncounter/v:id | //v:healthCareFacility/v:location")
    code, out, _ = run(tmp_path, broken)
    assert code == 1
    assert [line for line in out.splitlines() if line.startswith("  - componentOf")] == [
        "  - componentOf: no national identifier of the network",
        "  - componentOf: no national identifier of the manager",
        "  - componentOf: no national identifier of the RCP",
        "  - componentOf: no name of the establishment",
        "  - componentOf: no address of the establishment",
    ]


def test_a_pps_without_an_ins_and_a_section_is_not_conformant(tmp_path: Path) -> None:
    broken = without(PLAN.cda, "//v:patientRole/v:id | //v:section[v:code/@code='55107-7']/..")
    code, out, _ = run(tmp_path, broken)
    assert code == 1
    assert "  - no INS for the patient" in out and "  - section missing: referenced documents" in out


def test_a_document_of_another_model_is_refused_in_one_line(tmp_path: Path) -> None:
    code, out, err = run(tmp_path, pps(templates=""))
    assert (code, out) == (1, "")
    assert err == (
        "refused: not a CI-SIS cancer document: neither template 1.2.250.1.213.1.1.1.26 (CANCER-PPS) nor "
        "1.2.250.1.213.1.1.1.8 (CANCER-FRCP)\n"
    )


def test_a_hostile_file_is_refused_in_one_line(tmp_path: Path) -> None:
    code, _, err = run(
        tmp_path, b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    )
    assert code == 1 and err.startswith("refused: a DOCTYPE") and err.count("\n") == 1


def test_without_saxonche_the_official_rules_say_which_package_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(conformance, "_processor", None)
    monkeypatch.setitem(sys.modules, "saxonche", None)  # import saxonche now raises ImportError
    folder = tmp_path / "reference"
    (folder / "schematrons" / "moteur").mkdir(parents=True)
    (folder / "jeuxDeValeurs").mkdir()
    code, out, err = run(tmp_path, RCP.cda, "--schematrons", str(folder))
    assert code == 2
    assert err == (
        "portal: cannot run the official rules: the official rules need the saxonche package (SaxonC-HE): "
        "pip install 'pps-portal[conformance]'\n"
    )
    assert "structure: 0 problems" in out  # the structural checks ran first


def test_a_folder_without_schematrons_is_said_so(tmp_path: Path) -> None:
    code, _, err = run(tmp_path, RCP.cda, "--schematrons", str(tmp_path))
    assert code == 2
    assert err.startswith("portal: cannot run the official rules: ") and "no ISO Schematron skeleton" in err
    assert err.count("\n") == 1


def test_without_schematrons_the_command_needs_no_saxonche(tmp_path: Path) -> None:
    path = tmp_path / "report.xml"
    path.write_bytes(RCP.cda)
    script = (
        "import sys; sys.modules['saxonche'] = None; from portal.cli import main; "
        f"sys.argv = ['portal', 'check', {str(path)!r}]; main()"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.endswith("conformant (structure only: no --schematrons)\n")
