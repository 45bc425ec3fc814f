"""`portal pps check FILE`: a report and exit 0, or one line on stderr and exit 1."""

from __future__ import annotations

import base64
from pathlib import Path

from click.testing import CliRunner

from portal.cli import portal

from .documents import EXTERNAL, pps, reference_file


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(portal, ["pps", "check", *args])
    return result.exit_code, result.stdout, result.stderr


def test_check_reports_the_ten_sections_of_the_official_example(tmp_path: Path) -> None:
    path = tmp_path / "example.xml"
    path.write_bytes(reference_file(EXTERNAL))
    code, out, err = run(str(path))
    assert (code, err) == (0, "")
    assert "document: 1.2.250.1.213.1.1.1.26.2022.2.1" in out
    assert "sections found: 10 of 10" in out
    assert "treatments: 1 done, 3 planned" in out
    assert "social support: 0 done, 2 planned" in out
    assert "contacts: 12" in out
    assert "warnings: 2" in out
    assert "PAT-TROIS" not in out  # no patient identity in a report meant for tickets


def test_check_refuses_with_one_line_and_exit_code_1(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_bytes(b"<ClinicalDocument")
    code, out, err = run(str(path))
    assert code == 1 and out == ""
    assert err.startswith("refused: malformed XML:") and err.count("\n") == 1


def test_check_refuses_a_too_large_file_before_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "big.xml"
    path.write_bytes(pps())
    code, _, err = run("--max-bytes", "100", str(path))
    assert code == 1
    assert err == f"refused: too large: {path.stat().st_size} bytes, the limit is 100\n"


def test_check_reports_missing_sections(tmp_path: Path) -> None:
    path = tmp_path / "empty-body.xml"
    path.write_bytes(pps(""))
    code, out, _ = run(str(path))
    assert code == 0
    assert "sections found: 0 of 10" in out and "[ ] diagnosis (missing)" in out


def test_check_reports_a_pdf_only_document(tmp_path: Path) -> None:
    pdf = base64.b64encode(b"%PDF-1.7\n%%EOF\n").decode()
    path = tmp_path / "pdf-only.xml"
    path.write_bytes(
        pps(
            f'<component><nonXMLBody><text mediaType="application/pdf" representation="B64">{pdf}</text>'
            "</nonXMLBody></component>"
        )
    )
    code, out, _ = run(str(path))
    assert code == 0
    assert "PDF-only document: application/pdf, 15 bytes decoded" in out and "sections:" not in out
