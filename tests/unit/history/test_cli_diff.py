"""`portal pps diff OLD NEW [--lang]`: one sentence per line; a refused file is one line on stderr and exit 1."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from portal.cli import portal
from portal.synthetic.cases import case
from portal.synthetic.documents import pps_document
from tests.unit.pps.documents import EXTERNAL, reference_file

V = "{urn:hl7-org:v3}"


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(portal, ["pps", "diff", *args])
    return result.exit_code, result.stdout, result.stderr


def test_diff_prints_one_sentence_per_line(tmp_path: Path) -> None:
    old = write(tmp_path, "v1.xml", pps_document(case("colon"), 1).cda)
    new = write(tmp_path, "v2.xml", pps_document(case("colon"), 2).cda)
    code, out, err = run(old, new, "--lang", "en")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("Chemotherapy: stopped on ")
    assert "Your treatment and follow-up plan has been adjusted." in lines


def test_diff_is_french_by_default_and_empty_for_the_same_file(tmp_path: Path) -> None:
    old = write(tmp_path, "v1.xml", pps_document(case("breast"), 1).cda)
    assert run(old, old) == (0, "", "")
    new = write(tmp_path, "v2.xml", pps_document(case("breast"), 2).cda)
    assert "Radiothérapie : commence maintenant le " in run(old, new)[1]


def test_a_refused_file_is_one_line_on_stderr(tmp_path: Path) -> None:
    good = write(tmp_path, "v1.xml", pps_document(case("breast"), 1).cda)
    bad = write(tmp_path, "bad.xml", b"<html/>")
    code, out, err = run(good, bad)
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("refused: ")


# --- "Done when": every change applied to a copy of an official example is reported ----------------------


def edited(data: bytes, edit: object) -> bytes:
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    edit(root)  # type: ignore[operator]
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _programme_acts(root: etree._Element) -> list[etree._Element]:
    return [
        act
        for act in root.iter(
            f"{V}act", f"{V}procedure", f"{V}substanceAdministration", f"{V}observation", f"{V}encounter"
        )
        if act.find(f"{V}templateId[@root='1.2.250.1.213.1.1.3.178']") is not None
    ]


@pytest.fixture
def official() -> bytes:
    return reference_file(EXTERNAL)


def test_an_official_example_against_itself_and_reordered_has_no_change(tmp_path: Path, official: bytes) -> None:
    def reorder(root: etree._Element) -> None:
        for parent in {p.getparent() for p in root.iter(f"{V}participant") if p.getparent() is root}:
            participants = [p for p in parent if p.tag == f"{V}participant"]
            first = participants[0]
            parent.remove(first)
            parent.insert(parent.index(participants[-1]) + 1, first)

    a = write(tmp_path, "a.xml", official)
    b = write(tmp_path, "b.xml", edited(official, reorder))
    assert run(a, a) == (0, "", "")
    assert run(a, b) == (0, "", "")


def test_an_official_example_with_a_phone_changed(tmp_path: Path, official: bytes) -> None:
    def phone(root: etree._Element) -> None:
        for telecom in root.iter(f"{V}telecom"):
            if telecom.get("value") == "tel:0148340000":
                telecom.set("value", "tel:0148349999")

    code, out, _ = run(
        write(tmp_path, "a.xml", official), write(tmp_path, "b.xml", edited(official, phone)), "--lang", "en"
    )
    assert code == 0 and out.strip() == "Pierre Poirot: the phone number is now 01 48 34 99 99."


def test_an_official_example_with_a_reason_for_update_changed(tmp_path: Path, official: bytes) -> None:
    def reason(root: etree._Element) -> None:
        for value in root.iter(f"{V}value"):
            if value.get("code") == "MED-560":
                value.set("code", "GEN-176")

    code, out, _ = run(
        write(tmp_path, "a.xml", official), write(tmp_path, "b.xml", edited(official, reason)), "--lang", "en"
    )
    assert code == 0 and out.strip() == "The dates in your plan have changed."


def test_an_official_example_with_a_date_moved(tmp_path: Path, official: bytes) -> None:
    def move(root: etree._Element) -> None:
        for element in root.iter(f"{V}low"):
            if element.get("value") == "20191110":
                element.set("value", "20191117")

    code, out, _ = run(
        write(tmp_path, "a.xml", official), write(tmp_path, "b.xml", edited(official, move)), "--lang", "en"
    )
    assert code == 0 and "now starts on November 17, 2019 instead of November 10, 2019." in out
