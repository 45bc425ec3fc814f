"""Values written by templates (portal.web.template_output): the same text as markupsafe's `escape`, for every kind
of value a template may write, and compiled templates calling it where they escape only. That every page reads the
same as with Jinja's own code generator: tests/unit/web/test_language_templates.py."""

from __future__ import annotations

import enum
from typing import Any

import pytest
from jinja2 import DictLoader, StrictUndefined, Undefined, UndefinedError
from markupsafe import Markup, escape

from portal import create_app
from portal.web.language_templates import LanguageEnvironment, LanguageLoader
from portal.web.template_output import escape_output
from tests.unit.conftest import base_env


class Phase(enum.Enum):
    NOW = "now"


class Quoted(str):
    pass


class SafeMarkup(Markup):
    pass


class HasHtml:
    def __html__(self) -> str:
        return "<b>safe</b>"

    def __str__(self) -> str:
        return "<b>not this</b>"


VALUES: list[Any] = [
    "",
    "plain",
    "<script>alert('x') & \"y\"</script>",
    "l'équipe de soins",
    Markup("<a href='#x'>lien</a> & co"),
    Markup(""),
    Quoted("<i>a str subclass</i>"),
    SafeMarkup("<b>a Markup subclass</b>"),
    HasHtml(),
    3,
    2.5,
    None,
    Phase.NOW,
    Undefined(),
]


@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
def test_the_same_text_as_markupsafe_escape(value: Any) -> None:
    written = escape_output(value)
    assert isinstance(written, Markup)
    assert str(written) == str(escape(value))


def test_a_value_that_cannot_be_written_fails_as_with_escape() -> None:
    with pytest.raises(UndefinedError):
        escape(StrictUndefined())
    with pytest.raises(UndefinedError):
        escape_output(StrictUndefined())


def _environment(templates: dict[str, str]) -> LanguageEnvironment:
    """The portal's environment (Flask's escaping: `.html` escapes, `.txt` does not) with these templates."""
    env = create_app(base_env()).jinja_env
    assert isinstance(env, LanguageEnvironment) and env.cache is not None
    env.loader = LanguageLoader(DictLoader(templates))
    env.cache.clear()
    return env


def test_a_template_that_escapes_writes_through_escape_output_and_one_that_does_not_as_jinja_does() -> None:
    env = _environment({})
    escaping = env.compile("{{ v }}", name="page.html", raw=True)
    assert "environment.escape_output(" in escaping and "escape(" not in escaping.replace("escape_output(", "")
    plain = env.compile("{{ v }}", name="plain.txt", raw=True)
    assert "escape_output" not in plain and "str(" in plain
    # Escaping decided while rendering (`{% autoescape flag %}`): Jinja's own code, which asks at each value.
    switching = env.compile("{% autoescape flag %}{{ v }}{% endautoescape %}", name="page.html", raw=True)
    assert "(escape if context.eval_ctx.autoescape else str)(" in switching and "escape_output" not in switching


def test_templates_write_what_markupsafe_would() -> None:
    env = _environment(
        {
            "page.html": (
                "<p>{{ v }}</p>{% autoescape false %}<i>{{ v }}</i>{% endautoescape %}"
                "{% autoescape flag %}<s>{{ v }}</s>{% endautoescape %}"
            ),
            "plain.txt": "{{ v }}",
        }
    )
    for value in ("<b>&</b>", Markup("<b>&amp;</b>"), 7):
        page = env.get_template("page.html")
        assert page.render(v=value, flag=True) == f"<p>{escape(value)}</p><i>{value}</i><s>{escape(value)}</s>"
        assert page.render(v=value, flag=False) == f"<p>{escape(value)}</p><i>{value}</i><s>{value}</s>"
        assert env.get_template("plain.txt").render(v=value) == str(value)
