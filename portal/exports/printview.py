"""The print view of a care plan, one HTML page for the browser's print and for the generated PDF: care-plan model →
the plan pages' view models (`portal.plain.views`) → `templates/print/` → HTML."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from portal.paths import ROOT
from portal.plain.texts import catalogue as translations
from portal.plain.views import contacts_view, overview_view, support_view, treatments_view
from portal.plain.views.common import Lang, format_day
from portal.pps.model import CarePlan

__all__ = ["PrintStamp", "render_print"]

TEMPLATE = "print/plan.html"


@dataclass(frozen=True)
class PrintStamp:
    """What the page says about itself: the day it is valid on, and where to find the current plan."""

    valid_on: dt.date
    portal_url: str | None


@cache
def _environment(lang: Lang) -> Environment:
    """The print view's own Jinja environment (the same templates, the same catalogues as the site), so the web
    route, the PDF and `portal pps pdf` produce the very same page, with or without a Flask app."""
    env = Environment(
        loader=FileSystemLoader(str(ROOT / "templates")),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


def render_print(
    plan: CarePlan,
    lang: Lang,
    stamp: PrintStamp,
    *,
    stylesheet: str | None = None,
    script: str | None = None,
    nonce: str = "",
) -> str:
    """The print view as an HTML document; `stylesheet` is the URL of its CSS for a browser (the PDF gets
    the CSS directly and fetches nothing); `script` the URL of the Print button's script, with the page's CSP
    `nonce` (none in the PDF)."""
    today = stamp.valid_on
    structured = not plan.is_pdf_only
    return (
        _environment(lang)
        .get_template(TEMPLATE)
        .render(
            lang=lang,
            plan=plan,
            patient_name=plan.patient.name.display,
            overview=overview_view(plan, lang, today),
            treatments=treatments_view(plan, lang, today) if structured else None,
            support=support_view(plan, lang, today) if structured else None,
            contacts=contacts_view(plan, lang),
            valid_on=format_day(today, lang),
            portal_url=stamp.portal_url,
            stylesheet=stylesheet,
            script=script,
            nonce=nonce,
        )
    )
