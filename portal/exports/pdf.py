"""The "my care plan" PDF: the print view (`portal.exports.printview`) rendered by WeasyPrint as a tagged PDF/UA-1
document, A4, large type (care-plan model → print view HTML → PDF bytes)."""

from __future__ import annotations

import datetime as dt
from typing import Any, NoReturn

from portal.exports.printview import PrintStamp, render_print
from portal.paths import STATIC
from portal.plain.views.common import PARIS, Lang
from portal.pps.model import CarePlan

__all__ = ["PDF_VARIANT", "plan_pdf"]

PDF_VARIANT = "pdf/ua-1"
STYLESHEET = STATIC / "css" / "print.css"


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    """WeasyPrint's URL fetcher, which fetches nothing: the stylesheet is read from the package and any other URL in
    the page is refused, so rendering a plan can never reach the network or the file system on its behalf."""
    # WeasyPrint turns this into a logged warning and renders without the resource.
    raise ValueError("the care plan PDF fetches no external resource")


def plan_pdf(plan: CarePlan, lang: Lang, *, portal_url: str | None = None, valid_on: dt.date | None = None) -> bytes:
    """The PDF of one version of the plan in `lang`, stamped with its version and the day it is valid on."""
    # Imported here, on the first PDF: WeasyPrint and its libraries weigh about 27 MB in every web worker that
    # loads them, and most workers never make a PDF (bench/memory.py).
    from weasyprint import CSS, HTML  # type: ignore[import-untyped]

    stamp = PrintStamp(valid_on or dt.datetime.now(PARIS).date(), portal_url)
    html = render_print(plan, lang, stamp)
    document = HTML(string=html, url_fetcher=_refuse_fetch)
    data: bytes = document.write_pdf(
        stylesheets=[CSS(string=STYLESHEET.read_text(encoding="utf-8"))],
        pdf_variant=PDF_VARIANT,
        uncompressed_pdf=False,
    )
    return data
