"""Language: an explicit choice (remembered in a cookie that outlives the session), then the browser, then French."""

from __future__ import annotations

from babel.support import NullTranslations, Translations
from flask import Blueprint, Flask, current_app, g, redirect, request
from flask.typing import ResponseReturnValue
from flask_babel import Babel, get_locale, get_translations

from portal.auth.views import safe_next
from portal.web.language_templates import LanguageEnvironment

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


def init_app(app: Flask, translations_dir: str) -> None:
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = translations_dir
    app.config["BABEL_DEFAULT_LOCALE"] = "fr"
    Babel(app, locale_selector=select_locale)
    # The same callables as flask-babel's, with the catalogue looked up once per request: what a template calls for
    # ngettext, for a message it does not write itself, or when it is not compiled in a language
    # (portal.web.language_templates).
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals["get_locale"] = get_locale
    if isinstance(app.jinja_env, LanguageEnvironment):  # templates compiled with their sentences translated
        app.jinja_env.catalogues.update({lang: Translations.load(translations_dir, [lang]) for lang in LOCALES})
    app.register_blueprint(bp)
