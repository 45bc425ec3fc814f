"""The "my care plan" PDF: tagged (PDF/UA-1), A4, in French or English, stamped, with a link back to the portal."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zlib
from functools import cache
from pathlib import Path

import pytest

from portal.exports.pdf import plan_pdf
from portal.exports.printview import PrintStamp, render_print
from portal.pps import read_pps
from portal.pps.model import CarePlan
from synthetic import CASES
from synthetic.documents import pps_document
from tests.pages import check_page

VALID_ON = dt.date(2026, 9, 1)
PORTAL = "https://portal.example/"


@cache
def plan(key: str = "breast", version: int = 3) -> CarePlan:
    case = next(c for c in CASES if c.key == key)
    return read_pps(pps_document(case, version).cda)


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is absent: install Debian's poppler-utils to check the PDF")
    return path


def pdfinfo(path: Path) -> dict[str, str]:
    out = subprocess.run([poppler("pdfinfo"), str(path)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


def pdftext(path: Path) -> str:
    out = subprocess.run([poppler("pdftotext"), str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


@pytest.mark.parametrize(("lang", "title"), [("fr", "Programme de soins de"), ("en", "Care plan of")])
def test_the_pdf_is_tagged_a4_and_titled_in_both_languages(tmp_path: Path, lang: str, title: str) -> None:
    path = tmp_path / f"plan-{lang}.pdf"
    path.write_bytes(plan_pdf(plan(), "fr" if lang == "fr" else "en", portal_url=PORTAL, valid_on=VALID_ON))
    info = pdfinfo(path)
    assert info["Tagged"] == "yes"
    assert info["Page size"].startswith("595.") and "841.8" in info["Page size"]  # A4
    assert info["Title"].startswith(title)


@pytest.mark.parametrize(
    ("lang", "stamp"),
    [
        ("fr", "Version 3 du 27 août 2026, 10:00. Cette copie est valable le 1er septembre 2026."),
        ("en", "Version 3 of 27 August 2026, 10:00. This copy is valid on 1 September 2026."),
    ],
)
def test_the_pdf_says_its_version_the_day_it_is_valid_on_and_where_the_portal_is(
    tmp_path: Path, lang: str, stamp: str
) -> None:
    path = tmp_path / "plan.pdf"
    path.write_bytes(plan_pdf(plan(), "fr" if lang == "fr" else "en", portal_url=PORTAL, valid_on=VALID_ON))
    text = pdftext(path)
    assert re.sub(r"\s", " ", stamp) in text.replace("\u202f", " ")
    assert PORTAL.rstrip("/") in text.replace(" ", "")


def pdf_objects(data: bytes) -> bytes:
    """The PDF's bytes with every Flate stream inflated (the catalogue sits in a compressed object stream)."""
    parts = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def test_the_pdf_has_its_language_and_a_link() -> None:
    objects = pdf_objects(plan_pdf(plan(), "en", portal_url=PORTAL, valid_on=VALID_ON))
    assert re.search(rb"/Lang ?\(en\)", objects)
    assert b"/URI (" + PORTAL.encode() in objects or b"/URI(" + PORTAL.encode() in objects
    assert b"/MarkInfo" in objects and b"/StructTreeRoot" in objects


def test_a_pdf_only_plan_gives_a_short_pdf_pointing_to_the_original(tmp_path: Path) -> None:
    path = tmp_path / "plan.pdf"
    path.write_bytes(plan_pdf(plan("pdf-only", 1), "en", valid_on=VALID_ON))
    assert "exists only as a PDF file" in pdftext(path)
    assert pdfinfo(path)["Tagged"] == "yes"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_print_view_is_a_valid_page(lang: str) -> None:
    html = render_print(plan(), "fr" if lang == "fr" else "en", PrintStamp(VALID_ON, PORTAL), stylesheet="/s.css")
    doc = check_page(html)
    assert doc.get("lang") == lang
    assert not doc.xpath("//script | //form | //img")
