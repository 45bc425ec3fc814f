"""An RCP report to print and as a tagged PDF/UA-1 (exports step), beside the plan's print view and PDF."""

from __future__ import annotations

from markupsafe import Markup, escape

from portal.exports.pdf import PDF_VARIANT, STYLESHEET, _refuse_fetch
from portal.exports.printview import _environment
from portal.plain.views.common import DocText, Lang
from portal.plain.views.rcp import rcp_view
from portal.plain.voice import Voice
from portal.pps.rcp_model import RcpReport

__all__ = ["rcp_pdf", "render_rcp_print"]


def _plain(text: str | DocText | None, _lang: str | None = None) -> Markup:
    """No glossary links on paper: the words alone."""
    if text is None:
        return Markup("")
    return escape(text.text if isinstance(text, DocText) else text)


def render_rcp_print(report: RcpReport, lang: Lang, voice: Voice | None = None) -> str:
    """The same plain view (`portal.plain.views.rcp`) and body template as the report's web page, rendered with the
    print view's Jinja environment, so the page, the PDF and a test produce the same words."""
    spoken = voice or Voice()
    return (
        _environment(lang)
        .get_template("print/rcp.html")
        .render(lang=lang, view=rcp_view(report, lang), gloss=_plain, voice=spoken, say=spoken.say)
    )


def rcp_pdf(report: RcpReport, lang: Lang, voice: Voice | None = None) -> bytes:
    """The printed report as a tagged PDF/UA-1; like the plan's PDF, WeasyPrint fetches nothing."""
    from weasyprint import CSS, HTML  # type: ignore[import-untyped]  # see portal.exports.pdf

    document = HTML(string=render_rcp_print(report, lang, voice), url_fetcher=_refuse_fetch)
    data: bytes = document.write_pdf(
        stylesheets=[CSS(string=STYLESHEET.read_text(encoding="utf-8"))],
        pdf_variant=PDF_VARIANT,
        uncompressed_pdf=False,
    )
    return data
