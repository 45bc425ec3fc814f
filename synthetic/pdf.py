"""A tiny dependency-free PDF writer for the synthetic data set: the PDF renditions of generated PPS.

It writes PDF 1.4 with the standard Helvetica fonts in WinAnsiEncoding (enough for French text), one text line
per input line, page breaks as needed. No timestamps or random ids are written, so output is deterministic.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4 in points
MARGIN = 56
LEADING = 14
WRAP = 92  # characters per line at 10 pt Helvetica within the margins


@dataclass(frozen=True)
class Line:
    """One line of the rendition; `heading` lines are bold and larger."""

    text: str
    heading: bool = False


def _escape(text: str) -> bytes:
    """A PDF literal string in WinAnsi (cp1252): backslash and parentheses escaped, unknown characters as '?'."""
    raw = text.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _wrapped(lines: Sequence[Line]) -> list[Line]:
    out: list[Line] = []
    for line in lines:
        if not line.text:
            out.append(line)
            continue
        for part in textwrap.wrap(line.text, WRAP if not line.heading else WRAP * 10 // 13) or [""]:
            out.append(Line(part, line.heading))
    return out


def _pages(lines: list[Line]) -> list[list[Line]]:
    per_page = (PAGE_HEIGHT - 2 * MARGIN) // LEADING
    pages = [lines[i : i + per_page] for i in range(0, len(lines), per_page)]
    return pages or [[]]


def _content(lines: list[Line], number: int, total: int) -> bytes:
    out = [b"BT", f"{MARGIN} {PAGE_HEIGHT - MARGIN} Td".encode(), f"{LEADING} TL".encode()]
    for line in lines:
        font = b"/F2 12 Tf" if line.heading else b"/F1 10 Tf"
        out.append(font)
        out.append(b"(" + _escape(line.text) + b") Tj T*")
    out.append(b"ET")
    footer = f"Page {number} / {total}"
    out.append(f"BT /F1 8 Tf {MARGIN} {MARGIN // 2} Td ({footer}) Tj ET".encode())
    return b"\n".join(out)


def write_pdf(title: str, lines: Sequence[Line]) -> bytes:
    """A complete PDF document of `lines` (wrapped, paginated), with `title` in its information dictionary."""
    pages = _pages(_wrapped(lines))
    objects: list[bytes] = []  # object n is objects[n - 1]

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in once the page tree exists
    page_tree = add(b"")
    regular = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    bold = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    kids = []
    for number, page_lines in enumerate(pages, start=1):
        stream = _content(page_lines, number, len(pages))
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
                b"/Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> >>"
                % (page_tree, PAGE_WIDTH, PAGE_HEIGHT, content, regular, bold)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R /Lang (fr-FR) >>" % page_tree
    objects[page_tree - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    info = add(b"<< /Title (" + _escape(title) + b") /Producer (pps-portal synthetic data) >>")

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        catalog,
        info,
        xref,
    )
    return bytes(out)
