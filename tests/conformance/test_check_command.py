"""`portal check --schematrons DIR FILE`: "conformant" and exit 0, or each failed assert on one line and exit 1."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from portal.cli import portal
from synthetic import build_documents

DOCUMENTS = build_documents()
RCP = next(d for d in DOCUMENTS if d.kind == "frcp")


def check(reference: Path, tmp_path: Path, data: bytes) -> tuple[int, list[str], str]:
    path = tmp_path / "document.xml"
    path.write_bytes(data)
    result = CliRunner().invoke(portal, ["check", "--schematrons", str(reference), str(path)])
    return result.exit_code, result.stdout.splitlines(), result.stderr


def test_a_synthetic_rcp_report_is_conformant(reference: Path, tmp_path: Path) -> None:
    code, lines, err = check(reference, tmp_path, RCP.cda)
    assert (code, err) == (0, "")
    assert "CI-SIS_CANCER-FRCP_2022.01.sch: 0 failed asserts" in lines
    assert "CI-SIS_ModelesDeContenusCDA.sch: 0 failed asserts" in lines
    assert lines[-1] == "conformant"


def test_a_broken_copy_prints_each_failed_assert_on_one_line_and_exits_1(reference: Path, tmp_path: Path) -> None:
    # Two mandatory sections lose the template the official schema looks for (the reader still finds them by
    # their LOINC code) and the establishment loses its name (both checks see that one).
    broken = (
        RCP.cda.replace(b'root="1.3.6.1.4.1.19376.1.5.3.1.3.36"', b'root="2.25.1"')
        .replace(b'root="1.2.250.1.213.1.1.2.175"', b'root="2.25.2"')
        .replace(b"<location>\n            <name>", b"<location>\n            <desc>", 1)
        .replace(b"</name>\n            <addr>", b"</desc>\n            <addr>", 1)
    )
    code, lines, err = check(reference, tmp_path, broken)
    assert (code, err) == (1, "")
    failed = [line for line in lines if line.startswith("  failed: ")]
    assert failed == [
        "  failed: /ClinicalDocument/componentOf: [Entete_FRCP] Le nom de l'établissement est obligatoire.",
        "  failed: /ClinicalDocument: [CI-SIS_CANCER-FRCP_2022.01] : Erreur de conformité : La section "
        "FR-Plan-de-soins doit être présente dans le document.",
        "  failed: /ClinicalDocument: [CI-SIS_CANCER-FRCP_2022.01] : Erreur de conformité : La section "
        "FR-Cadre-de-la-proposition-therapeutique doit être présente dans le document.",
    ]
    assert "CI-SIS_CANCER-FRCP_2022.01.sch: 3 failed asserts" in lines
    assert "  - componentOf: no name of the establishment" in lines
    assert lines[-1] == "not conformant: 1 structural problems, 3 failed asserts"
