"""`portal pps ics FILE` and `portal pps pdf FILE -o OUT`: the exports from the command line."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner

from portal.cli import portal
from synthetic import CASES
from synthetic.documents import pps_document


def breast_file(tmp_path: Path, version: int = 1) -> Path:
    case = next(c for c in CASES if c.key == "breast")
    path = tmp_path / f"breast-v{version}.xml"
    path.write_bytes(pps_document(case, version).cda)
    return path


def test_ics_prints_a_calendar(tmp_path: Path) -> None:
    result = CliRunner().invoke(portal, ["pps", "ics", str(breast_file(tmp_path)), "--lang", "en"])
    assert result.exit_code == 0, result.stderr
    events = icalendar.Calendar.from_ical(result.stdout.encode()).walk("VEVENT")
    assert events and all(str(e["SUMMARY"]).startswith(("Appointment", "End of a care period")) for e in events)


def test_ics_with_names_into_a_file(tmp_path: Path) -> None:
    out = tmp_path / "plan.ics"
    result = CliRunner().invoke(portal, ["pps", "ics", str(breast_file(tmp_path)), "--names", "-o", str(out)])
    assert result.exit_code == 0
    summaries = [str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(out.read_bytes()).walk("VEVENT")]
    assert "Début : Chimiothérapie" in summaries


def test_ics_refuses_a_file_that_is_not_a_pps(tmp_path: Path) -> None:
    path = tmp_path / "not.xml"
    path.write_bytes(b"<html/>")
    result = CliRunner().invoke(portal, ["pps", "ics", str(path)])
    assert result.exit_code == 1
    assert result.stderr.startswith("refused: ")


def test_pdf_writes_a_tagged_pdf(tmp_path: Path) -> None:
    out = tmp_path / "plan.pdf"
    result = CliRunner().invoke(
        portal, ["pps", "pdf", str(breast_file(tmp_path)), "-o", str(out), "--lang", "en", "--valid-on", "2026-09-01"]
    )
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        pytest.skip("pdfinfo is absent: install Debian's poppler-utils to check the PDF is tagged")
    info = subprocess.run([pdfinfo, str(out)], capture_output=True, text=True, check=True).stdout
    assert "Tagged:          yes" in info


def test_pdf_needs_an_output(tmp_path: Path) -> None:
    result = CliRunner().invoke(portal, ["pps", "pdf", str(breast_file(tmp_path))])
    assert result.exit_code == 2
