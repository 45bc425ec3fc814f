"""`portal pps preview`: the patient's pages for one CDA file, as one self-contained HTML document, for integrators
("how will this document look to the patient?") and tests."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from flask import Flask, g, render_template
from flask_babel import Babel
from jinja2 import StrictUndefined

from portal.paths import ROOT
from portal.plain.views import (
    Linker,
    calendar_view,
    contacts_view,
    glossary_page,
    illness_view,
    overview_view,
    support_view,
    treatments_view,
)
from portal.plain.views.common import PARIS, Lang, soften_name
from portal.plain.voice import Voice
from portal.pps import read_pps
from portal.pps.model import CarePlan

__all__ = ["preview_app", "render_plan", "render_preview"]

CSS = ROOT / "portal" / "static" / "css" / "portal.css"

#: Pages in the order of the site's contents list: (key, template of the page's body).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("overview", "plan/parts/overview.html"),
    ("treatments", "plan/parts/treatments.html"),
    ("calendar", "plan/parts/calendar.html"),
    ("contacts", "plan/parts/contacts.html"),
    ("support", "plan/parts/support.html"),
    ("illness", "plan/parts/illness.html"),
    ("glossary", "plan/parts/glossary.html"),
)


@dataclass(frozen=True)
class Section:
    """One page of the preview: its key, body template, view model, and its own glossary linker."""

    key: str
    template: str
    view: Any
    gloss: Linker


def preview_app() -> Flask:
    """A bare app with the portal's templates and translations: enough to render pages, nothing to serve.

    It renders the very templates and view models of the web pages (`templates/plan/parts/`, `portal.plain.views`),
    with no sign-in, no store and no script.
    """
    app = Flask("portal.cli.preview", template_folder=str(ROOT / "templates"), static_folder=None)
    app.jinja_env.undefined = StrictUndefined
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(ROOT / "translations")
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Europe/Paris"
    Babel(app, locale_selector=lambda: g.get("preview_lang", "fr"))
    # What the portal's context processors give its pages: the patient's own voice, no calendar links.
    app.jinja_env.globals.update(voice=Voice(), say=Voice().say, calendar_uids=lambda _plan: {})
    return app


@functools.cache
def _shared_app() -> Flask:
    # One app per process: its Jinja environment keeps the compiled templates, which are most of a render's cost.
    return preview_app()


def _views(plan: CarePlan, lang: Lang, today: dt.date) -> dict[str, Any]:
    return {
        "overview": overview_view(plan, lang, today),
        "treatments": treatments_view(plan, lang, today),
        "calendar": calendar_view(plan, lang, today),
        "contacts": contacts_view(plan, lang),
        "support": support_view(plan, lang, today),
        "illness": illness_view(plan, lang),
        "glossary": glossary_page(lang),
    }


def render_preview(
    data: bytes, lang: Lang = "fr", today: dt.date | None = None, *, max_bytes: int | None = None
) -> str:
    """The HTML document; raises DocumentRefused for a file the reader refuses."""
    plan = read_pps(data) if max_bytes is None else read_pps(data, max_bytes=max_bytes)
    return render_plan(plan, lang, today)


def render_plan(plan: CarePlan, lang: Lang = "fr", today: dt.date | None = None) -> str:
    """The HTML document of a care plan already read (tests compare the pages of two versions with it)."""
    day = today or dt.datetime.now(PARIS).date()
    app = _shared_app()
    with app.test_request_context("/"):
        g.preview_lang = lang
        views = _views(plan, lang, day)
        # Each page links a glossary term on its first occurrence, as the site does; links stay in the file.
        sections = [
            Section(key, template, views[key], Linker(lang, href="#glossary-{id}", partial=None))
            for key, template in SECTIONS
        ]
        pages = {key: f"#page-{key}" for key, _ in SECTIONS}
        return render_template(
            "preview.html",
            plan=plan,
            lang=lang,
            sections=sections,
            nav=[{"key": k, "href": pages[k], "current": False} for k, _ in SECTIONS],
            pages=pages,
            anchors={key: "" for key, _ in SECTIONS},
            css=CSS.read_text(encoding="utf-8"),  # inlined: the file is opened from disk
            patient_name=soften_name(plan.patient.name.display),
            pdf_only=plan.is_pdf_only,
            summary=views["overview"],
        )
