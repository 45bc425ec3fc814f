"""What a first view costs beyond its own work: the catalogue looked up once per request, not once per string."""

from __future__ import annotations

from typing import Any

import flask_babel
import pytest
from flask import Flask, render_template_string

from tests.unit.conftest import PUBLIC, make_client


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_page_looks_its_catalogue_up_once(app: Flask, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    """The start page has some thirty strings in its templates; flask-babel is asked for the catalogue once for
    them all (and for the few strings the Python code translates itself)."""
    looked_up: list[object] = []
    real = flask_babel.Domain.get_translations

    def counting(domain: flask_babel.Domain) -> Any:
        looked_up.append(None)
        return real(domain)

    monkeypatch.setattr(flask_babel.Domain, "get_translations", counting)
    page = make_client(app).get("/", base_url=PUBLIC, headers={"Accept-Language": lang})
    assert page.status_code == 200
    words = page.get_data(as_text=True)
    assert ("Se connecter" in words) if lang == "fr" else ("Sign in" in words)  # translated, in its language
    assert len(looked_up) <= 3, len(looked_up)


@pytest.mark.parametrize(
    ("source", "fr", "en"),
    [
        ('{{ _("Sign in") }}', "Se connecter", "Sign in"),
        ('{{ gettext("Sign in") }}', "Se connecter", "Sign in"),
        # A placeholder's value is escaped, the catalogue's words are not: as Jinja's own newstyle gettext.
        ('{{ _("%(x)s", x="<b>") }}', "&lt;b&gt;", "&lt;b&gt;"),
        ('{{ ngettext("%(num)d item", "%(num)d items", 3) }}', "3 items", "3 items"),
    ],
)
def test_the_templates_strings_are_this_requests_catalogue(app: Flask, source: str, fr: str, en: str) -> None:
    """The page's own `_`, `gettext` and `ngettext` (bound to its catalogue) say what Jinja's would."""
    for lang, expected in (("fr", fr), ("en", en)):
        with app.test_request_context("/", base_url=PUBLIC, headers={"Accept-Language": lang}):
            assert render_template_string(source) == expected


def test_a_string_without_placeholders_is_written_once_per_catalogue_and_stays_right(app: Flask) -> None:
    """Kept per catalogue: French and English never mix, `%%` stays a `%`, and a string with placeholders is
    written again for each value."""
    source = '{{ _("Sign in") }}|{{ _("Sign in") }}|{{ _("100%%") }}|{{ _("%(x)s", x=v) }}'
    for lang, sign_in in (("fr", "Se connecter"), ("en", "Sign in"), ("fr", "Se connecter")):
        for value in ("<b>", "two"):
            with app.test_request_context("/", base_url=PUBLIC, headers={"Accept-Language": lang}):
                expected = f"{sign_in}|{sign_in}|100%|{'&lt;b&gt;' if value == '<b>' else value}"
                assert render_template_string(source, v=value) == expected
