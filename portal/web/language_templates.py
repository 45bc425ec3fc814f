"""Templates compiled once per language: each fixed sentence of a template is translated when the template is
compiled, not looked up at every view (web step of the data path, rendering).

A page in French is rendered from `fr:plan/treatments.html`, the same file as `plan/treatments.html`, compiled with
every `_("…")` and `gettext("…")` whose message is written in the template already translated: the page then writes
a constant, as if the sentence were typed in French. A call with placeholders (`_("Call %(number)s",
number=link.text)`) keeps only the `%` of its values, which are escaped as before. Every template the page extends,
includes or imports is asked for in the same language (`join_path`), so a page never mixes two.

What a page shows is what Jinja's own newstyle gettext shows (the callables `portal.web.i18n` installs): the
translation, marked safe where the template escapes (a message is ours, never a visitor's), always formatted (`%%`
is a `%`). `ngettext`, and a message a template does not write itself (`_(name)`), are still looked up at every
call. `tests/unit/web/test_language_templates.py` reads every page five kinds of viewer reach, in both languages,
both ways. The calls are recognised by name, so a template never names anything else `_` or `gettext` (a loop
variable, a macro's argument).

A template asked for outside a request, or in no language the portal speaks, is compiled as it is written, and its
sentences are looked up at every call. `pybabel extract` reads the files, so the catalogue does not change. The
printed plan and report have their own environment per language (`portal.exports.printview`).
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any

from babel.support import NullTranslations
from flask import has_request_context
from flask.sansio.app import App
from flask.templating import Environment
from flask_babel import get_locale
from jinja2 import BaseLoader, Template, nodes
from jinja2.visitor import NodeTransformer

from portal.web.template_output import OutputCodeGenerator, escape_output

__all__ = ["LanguageEnvironment", "compile_all", "language_of", "named_in"]

#: Between a language and a template's name: `fr:plan/treatments.html`.
SEPARATOR = ":"
#: The names templates call their translation by, with the message as their first argument.
GETTEXT_NAMES = frozenset({"_", "gettext"})


def named_in(lang: str, name: str) -> str:
    return f"{lang}{SEPARATOR}{name}"


def language_of(name: str | None) -> tuple[str | None, str]:
    """The language a template's name asks for (None: none) and the name of its file."""
    if name is None:
        return None, ""
    lang, separator, rest = name.partition(SEPARATOR)
    return (lang, rest) if separator else (None, name)


class LanguageLoader(BaseLoader):
    """The app's loader, asked for the file of a name in a language (`fr:base.html` is `base.html`)."""

    def __init__(self, loader: BaseLoader) -> None:
        self.loader = loader

    def get_source(self, environment: Any, template: str) -> tuple[str, str | None, Callable[[], bool] | None]:
        return self.loader.get_source(environment, language_of(template)[1])

    def list_templates(self) -> list[str]:
        return self.loader.list_templates()


class _Translated(NodeTransformer):
    """Every call of `_` or `gettext` with a written message and named values only, translated."""

    def __init__(self, catalogue: NullTranslations) -> None:
        self.catalogue = catalogue

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        visited = self.generic_visit(node)
        assert isinstance(visited, nodes.Call)
        message = _message(visited)
        if message is None:
            return visited
        text = self.catalogue.ugettext(message)
        if visited.kwargs:
            values = nodes.Dict([nodes.Pair(nodes.Const(k.key), k.value) for k in visited.kwargs])
            return nodes.Mod(nodes.MarkSafeIfAutoescape(nodes.Const(text)), values, lineno=visited.lineno)
        try:
            written = text % {}  # as gettext formats it at every call
        except (KeyError, ValueError, TypeError):
            return visited  # a placeholder without its value: it fails at every call, as before
        return nodes.MarkSafeIfAutoescape(nodes.Const(written), lineno=visited.lineno)


def _message(call: nodes.Call) -> str | None:
    """The message of a `_("…")` or `gettext("…")` call, when written in the template."""
    if not (isinstance(call.node, nodes.Name) and call.node.name in GETTEXT_NAMES):
        return None
    if len(call.args) != 1 or call.dyn_args is not None or call.dyn_kwargs is not None:
        return None
    [message] = call.args
    return message.value if isinstance(message, nodes.Const) and isinstance(message.value, str) else None


class LanguageEnvironment(Environment):
    """Flask's template environment, with each template compiled once per language of the request, writing values
    through `escape_output` (`portal.web.template_output`)."""

    code_generator_class = OutputCodeGenerator
    escape_output = staticmethod(escape_output)

    def __init__(self, app: App, **options: Any) -> None:
        # Every compiled template kept in a plain dict, for good: Jinja's LRU cache moves the key it finds to the
        # end of a deque, which walked the deque comparing keys on each `extends`, `include` and `import` (about
        # 1 % of a page view). What it holds is bounded all the same: the files under templates/ in each language
        # (`compile_all` compiles every one); a name that is not a file is never kept.
        options["cache_size"] = -1
        super().__init__(app, **options)
        assert self.loader is not None
        self.loader = LanguageLoader(self.loader)
        #: The catalogue of each language the portal speaks (`portal.web.i18n.init_app`); none: templates stay as
        #: they are written.
        self.catalogues: MutableMapping[str, NullTranslations] = {}

    def get_template(
        self,
        name: str | Template,
        parent: str | None = None,
        globals: MutableMapping[str, Any] | None = None,
    ) -> Template:
        if globals:
            # A cached template's globals are the environment's own (`make_globals`): Jinja would add these to them.
            raise TypeError("templates take no globals of their own here: add them to the environment's globals")
        if isinstance(name, str) and parent is None and language_of(name)[0] is None:
            lang = _request_language()
            if lang is not None and lang in self.catalogues:
                name = named_in(lang, name)
        return super().get_template(name, parent, globals)

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """The environment's own globals for a template loaded without globals of its own (every template here),
        rather than Jinja's `ChainMap` over them: each render copies a template's globals into its context, and
        each import compares them with the importer's, and a `ChainMap` makes both walk Python code key by key.
        The very same dictionary, so a global added later is still seen. Templates take no globals of their own
        (`get_template` refuses them)."""
        if not d:
            return self.globals
        return super().make_globals(d)

    def join_path(self, template: str, parent: str) -> str:
        lang = language_of(parent)[0]
        if lang is not None and language_of(template)[0] is None:
            return named_in(lang, template)
        return template

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        catalogue = self.catalogues.get(language_of(name)[0] or "")
        if catalogue is None:
            return tree
        translated = _Translated(catalogue).visit(tree)
        assert isinstance(translated, nodes.Template)
        return translated


def compile_all(app: App) -> int:
    """Compile every template in every language the portal speaks, now, and say how many: what a process that
    serves does once the app is built (`portal.wsgi`). Otherwise each is compiled by the first page that needs it,
    in each worker: the first "unavailable" page of a worker waited about 0.2 s more than the next ones for its
    layout and its own template, over the page's time budget (docs/performance.md). About a second at start; the
    compiled templates stay in the environment's cache, which forgets none."""
    environment = app.jinja_env
    if not isinstance(environment, LanguageEnvironment):
        raise TypeError("the app's templates are not compiled per language (portal.app sets LanguageEnvironment)")
    names = [name for name in environment.list_templates() if name.endswith(".html")]
    for lang in environment.catalogues:
        for name in names:
            environment.get_template(named_in(lang, name))
    return len(names) * len(environment.catalogues)


def _request_language() -> str | None:
    if not has_request_context():
        return None
    locale = get_locale()
    return None if locale is None else locale.language
