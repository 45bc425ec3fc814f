"""Language: an explicit choice (remembered in a cookie that outlives the session), then the browser, then French."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from babel.support import NullTranslations
from flask import Blueprint, Flask, current_app, g, redirect, request
from flask.typing import ResponseReturnValue
from flask_babel import Babel, get_locale, get_translations
from jinja2.nodes import EvalContext
from jinja2.utils import pass_eval_context
from markupsafe import Markup

from portal.auth.views import safe_next

LOCALES = ("fr", "en")
COOKIE = "portal-lang"

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    chosen = request.cookies.get(COOKIE)
    if chosen in LOCALES:
        return chosen
    best = request.accept_languages.best_match(LOCALES)
    if best:
        return best
    default: str = current_app.extensions["portal.settings"].default_locale
    return default


@bp.post("/language")
def choose_language() -> ResponseReturnValue:
    """A plain form posts here: works without JavaScript, and is CSRF-protected like every POST."""
    lang = request.form.get("lang", "")
    response = redirect(safe_next(request.form.get("next")) or "/")
    if lang in LOCALES:
        secure = not current_app.extensions["portal.settings"].dev_insecure_http
        response.set_cookie(
            COOKIE, lang, max_age=365 * 24 * 3600, path="/", secure=secure, httponly=True, samesite="Lax"
        )
    return response


def translations() -> NullTranslations:
    """This request's catalogue, looked up once: flask-babel looks it up again for every string of a template."""
    found: NullTranslations | None = g.get("portal_translations") if g else None
    if found is None:
        found = get_translations()
        if g:  # in a request or an app context: kept for its other strings
            g.portal_translations = found
    return found


def _as_template_text(eval_ctx: EvalContext, text: str, variables: dict[str, Any]) -> str:
    # As Jinja's own newstyle gettext: escaped with the page, and always a format string (`%%` is a `%`).
    return (Markup(text) if eval_ctx.autoescape else text) % variables  # noqa: S704 (our catalogue)


#: The templates' strings without placeholders, as a page writes them, per catalogue: the same few hundred
#: sentences on every page. Bounded all the same (past it, a string is simply translated again).
_WRITTEN: weakref.WeakKeyDictionary[NullTranslations, dict[str, str]] = weakref.WeakKeyDictionary()
WRITTEN_MAX = 4096


def template_callables() -> dict[str, Callable[..., str]]:
    """`_`, `gettext` and `ngettext` for the templates of this request, bound to its catalogue: a string costs one
    lookup. Without them, each string of a page went through Jinja's alias, its newstyle wrapper and the request
    globals; the app-wide callables below stay for macros imported without the page's context. A string without
    placeholders is written once per catalogue (`_WRITTEN`). They ask Jinja for the evaluation context only (whether
    the page escapes), not the template's context: Jinja derives a new context for each call in a loop or a block
    of a function that asks for it."""
    found = translations()
    written = _WRITTEN.setdefault(found, {})

    @pass_eval_context
    def gettext(eval_ctx: EvalContext, string: str, **variables: Any) -> str:
        if variables or not eval_ctx.autoescape:
            return _as_template_text(eval_ctx, found.ugettext(string), variables)
        text = written.get(string)
        if text is None:
            text = _as_template_text(eval_ctx, found.ugettext(string), variables)
            if len(written) < WRITTEN_MAX:
                written[string] = text
        return text

    @pass_eval_context
    def ngettext(eval_ctx: EvalContext, singular: str, plural: str, num: int, **variables: Any) -> str:
        variables.setdefault("num", num)
        return _as_template_text(eval_ctx, found.ungettext(singular, plural, num), variables)

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


def init_app(app: Flask, translations_dir: str) -> None:
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = translations_dir
    app.config["BABEL_DEFAULT_LOCALE"] = "fr"
    Babel(app, locale_selector=select_locale)
    # The same callables as flask-babel's, with the catalogue looked up once per request.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals["get_locale"] = get_locale
    app.context_processor(template_callables)
    app.register_blueprint(bp)
