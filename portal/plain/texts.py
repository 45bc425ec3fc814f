"""The portal's translated sentences outside Flask's request: the compiled catalogues, read once per language, that
plain words, exports and the `portal` command share with the web pages."""

from __future__ import annotations

from functools import cache

from babel.support import NullTranslations, Translations

from portal.paths import TRANSLATIONS
from portal.plain.labels import Lang

__all__ = ["catalogue"]


@cache
def catalogue(lang: Lang) -> NullTranslations:
    """The compiled catalogue of `lang` (English is the source language: a missing catalogue says it as is)."""
    return Translations.load(str(TRANSLATIONS), [lang], domain="messages")
