"""Templates compiled once per language (portal.web.language_templates): every page reads exactly as with the
sentences looked up at every call, and what the compiled sentences do with `%`, values and escaping."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from babel.support import NullTranslations
from flask import Flask
from jinja2 import DictLoader, TemplateNotFound, UndefinedError, nodes
from jinja2.compiler import CodeGenerator

from portal import create_app
from portal.paths import TEMPLATES
from portal.web.language_templates import (
    GETTEXT_NAMES,
    LanguageEnvironment,
    LanguageLoader,
    compile_all,
    language_of,
)
from tests.unit.conftest import base_env
from tests.unit.masked_tokens import without_tokens
from tests.unit.viewers import Viewers
from tests.unit.web.reader_pages import reachable_pages

#: People of every kind: a patient, a caregiver, a caregiver shown some pages, a legal representative, a coordinator.
LOGINS = ["camille", "helene", "ines", "emma", "claire"]


@contextmanager
def sentences_looked_up(app: Flask) -> Iterator[None]:
    """The templates as written, each sentence translated at every call (the portal before this change)."""
    env = app.jinja_env
    assert isinstance(env, LanguageEnvironment)
    kept = dict(env.catalogues)
    env.catalogues.clear()
    try:
        yield
    finally:
        env.catalogues.update(kept)


@contextmanager
def written_as_jinja_writes(app: Flask) -> Iterator[None]:
    """Templates compiled by Jinja's own code generator: every value written through markupsafe's `escape`, not
    `escape_output` (portal.web.template_output)."""
    env = app.jinja_env
    assert env.cache is not None
    env.code_generator_class = CodeGenerator  # type: ignore[misc]
    env.cache.clear()
    try:
        yield
    finally:
        del env.code_generator_class
        env.cache.clear()


def _as_read(html: str) -> str:
    """A page but for what every answer makes anew: its CSRF tokens and its CSP nonce."""
    return re.sub(r'nonce="[^"]*"', 'nonce=""', without_tokens(html))


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("login", LOGINS)
def test_every_page_reads_the_same_as_with_sentences_looked_up(viewers: Viewers, login: str, lang: str) -> None:
    """Compiled per language and written through `escape_output`, against the templates as written, each sentence
    looked up at every call and each value written through markupsafe's `escape`, as Jinja does."""
    client = viewers.sign_in(login)
    pages = reachable_pages(client, lang)
    assert len(pages) >= 5, [p.path for p in pages]
    compiled = _compiled_names(viewers.app)
    assert compiled and all(name.startswith(f"{lang}:") for name in compiled), compiled
    with sentences_looked_up(viewers.app), written_as_jinja_writes(viewers.app):
        for page in pages:
            headers = {"Accept-Language": lang, **({"HX-Request": "true"} if page.fragment else {})}
            again = client.get(page.path, headers=headers)
            assert again.status_code == 200, page.path
            assert _as_read(again.get_data(as_text=True)) == _as_read(page.html), page.path


def _compiled_names(app: Flask) -> list[str]:
    """The names of the templates compiled so far in a language (`fr:base.html`)."""
    cache = app.jinja_env.cache
    assert cache is not None
    return sorted(name for _loader, name in cache if language_of(name)[0] is not None)


class Catalogue(NullTranslations):
    def __init__(self, words: dict[str, str]) -> None:
        super().__init__()
        self.words = words

    def ugettext(self, message: str) -> str:
        return self.words.get(message, message)


@pytest.fixture
def app() -> Flask:
    made = create_app(base_env())
    env = made.jinja_env
    assert isinstance(env, LanguageEnvironment)
    env.loader = LanguageLoader(
        DictLoader(
            {
                "page.html": '{% extends "base.html" %}{% block b %}{% include "part.html" %}{% endblock %}',
                "base.html": "<p>{{ _('Hello') }}</p>{% block b %}{% endblock %}",
                "part.html": (
                    "<i>{{ _('Call %(number)s', number=number) }}</i><b>{{ _('100%% yours') }}</b>"
                    "<u>{{ gettext('Hello') | upper }}</u><s>{{ say(_('Hello'), _('Bye')) }}</s>"
                ),
                "missing.html": "{{ _('Call %(number)s') }}",
                "plain.txt": "{{ _('Hello') }} {{ _('Call %(number)s', number=number) }}",
            }
        )
    )
    env.cache.clear()  # type: ignore[union-attr]
    env.catalogues.clear()
    env.catalogues.update(
        {"fr": Catalogue({"Hello": "Bonjour <b>à tous</b>", "Call %(number)s": "Appeler le %(number)s"})}
    )
    return made


def _render(app: Flask, name: str, lang: str, **context: object) -> str:
    with app.test_request_context("/", headers={"Accept-Language": lang}):
        return app.jinja_env.get_template(name).render(say=lambda a, _b: a, **context)


def test_a_page_and_all_it_extends_and_includes_are_compiled_in_the_request_language(app: Flask) -> None:
    page = _render(app, "page.html", "fr", number="<01 23>")
    # Translated, the catalogue's own markup kept, a value escaped, `%%` written once, a filter applied after.
    assert page == (
        "<p>Bonjour <b>à tous</b></p><i>Appeler le &lt;01 23&gt;</i><b>100% yours</b>"
        "<u>BONJOUR <B>À TOUS</B></u><s>Bonjour <b>à tous</b></s>"
    )
    assert _compiled_names(app) == ["fr:base.html", "fr:page.html", "fr:part.html"]
    with sentences_looked_up(app):
        assert _render(app, "page.html", "fr", number="<01 23>") != page  # base_env's real catalogue: not ours


def test_a_language_without_a_catalogue_is_compiled_as_written(app: Flask) -> None:
    assert _render(app, "page.html", "en", number="1").startswith("<p>Hello</p>")
    assert _compiled_names(app) == []


def test_a_sentence_missing_its_value_fails_as_it_did(app: Flask) -> None:
    with pytest.raises((KeyError, UndefinedError)):
        _render(app, "missing.html", "fr")


def test_a_template_that_does_not_escape_gets_plain_text(app: Flask) -> None:
    assert _render(app, "plain.txt", "fr", number="<1>") == "Bonjour <b>à tous</b> Appeler le <1>"


def test_outside_a_request_a_template_is_compiled_as_written(app: Flask) -> None:
    with app.app_context():
        app.jinja_env.get_template("base.html")
    assert _compiled_names(app) == []


def test_no_template_names_anything_else_as_the_translation(app: Flask) -> None:
    """The compiled sentences are recognised by name: `_` or `gettext` set, looped over or taken as a macro's
    argument anywhere would be compiled as a sentence."""
    templates = Path(__file__).resolve().parents[3] / "templates"
    sources = sorted(templates.rglob("*.html"))
    assert len(sources) > 30
    taken = [
        f"{path.relative_to(templates)}: {name.name}"
        for path in sources
        for name in app.jinja_env.parse(path.read_text(encoding="utf-8")).find_all(nodes.Name)
        if name.ctx in ("store", "param") and name.name in GETTEXT_NAMES
    ]
    assert taken == []
    caught = app.jinja_env.parse("{% for _ in x %}{% endfor %}{% macro m(gettext) %}{% endmacro %}")
    assert [n.name for n in caught.find_all(nodes.Name) if n.ctx in ("store", "param")] == ["_", "gettext"]


def test_templates_read_the_environments_own_globals_even_one_added_after_they_were_loaded(app: Flask) -> None:
    env = app.jinja_env
    env.loader = LanguageLoader(DictLoader({"late.html": "{{ late_global }}"}))
    env.cache.clear()  # type: ignore[union-attr]
    with app.app_context():
        template = env.get_template("late.html")
        assert template.globals is env.globals  # no ChainMap to walk at every render and import
        env.globals["late_global"] = "seen"
        assert template.render() == "seen"
        assert env.get_template("late.html") is template


def test_a_template_with_globals_of_its_own_is_refused_with_what_to_do(app: Flask) -> None:
    with app.app_context(), pytest.raises(TypeError, match="add them to the environment's globals"):
        app.jinja_env.get_template("base.html", globals={"mine": 1})
    assert "mine" not in app.jinja_env.globals


def _files_in_every_language() -> list[str]:
    """Oracle: each .html file under templates/, named in each language the portal speaks."""
    files = sorted(path.relative_to(TEMPLATES).as_posix() for path in TEMPLATES.rglob("*.html"))
    return sorted(f"{lang}:{name}" for lang in ("en", "fr") for name in files)


def test_compile_all_compiles_every_template_file_in_every_language() -> None:
    made = create_app(base_env())
    expected = _files_in_every_language()
    assert compile_all(made) == len(expected)
    assert _compiled_names(made) == expected


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_once_all_are_compiled_no_page_reads_a_template(viewers: Viewers, lang: str) -> None:
    """What a serving process does first (`portal.wsgi`): afterwards, no page a patient reaches loads a template."""
    compile_all(viewers.app)
    loader = viewers.app.jinja_env.loader
    assert loader is not None
    read: list[str] = []
    source = loader.get_source

    def get_source(environment: object, template: str) -> object:
        read.append(template)
        return source(environment, template)  # type: ignore[arg-type]

    loader.get_source = get_source  # type: ignore[method-assign,assignment]
    try:
        pages = reachable_pages(viewers.sign_in("camille"), lang)
    finally:
        del loader.get_source
    assert len(pages) >= 5
    assert read == []


def test_the_wsgi_entry_point_compiles_every_template_before_the_first_request() -> None:
    code = "import json, portal.wsgi as w\nprint(json.dumps(sorted(n for _l, n in w.app.jinja_env.cache if ':' in n)))"
    env = {**os.environ, **base_env(PORTAL_DEV_INSECURE_HTTP="true", PORTAL_PUBLIC_URL="http://127.0.0.1:8000")}
    answer = subprocess.run(
        [sys.executable, "-c", code], cwd=TEMPLATES.parent, env=env, capture_output=True, text=True, timeout=120
    )
    assert answer.returncode == 0, answer.stderr[-2000:]
    assert json.loads(answer.stdout.strip().splitlines()[-1]) == _files_in_every_language()


def test_compiled_templates_are_kept_for_good_and_only_those_of_files() -> None:
    """A plain dict, not Jinja's LRU cache (which walked its deque of keys on every lookup, about 1 % of a page
    view): bounded all the same, since a name that is not a template file is never kept."""
    app = create_app(base_env())
    env = app.jinja_env
    compile_all(app)
    assert type(env.cache) is dict
    kept = len(env.cache)
    assert kept == len(_files_in_every_language())
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        for name in ("plan/nowhere.html", "../secret.html", "fr:plan/nowhere.html"):
            with pytest.raises(TemplateNotFound):
                env.get_template(name)
    assert len(env.cache) == kept
