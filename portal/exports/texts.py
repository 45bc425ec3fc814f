"""The portal's translated sentences outside a web request (exports and the `portal` command): the compiled catalogues
the pages get through flask-babel, so one sentence has one translation wherever it appears."""

from __future__ import annotations

from functools import cache

from babel.support import NullTranslations, Translations

from portal.paths import ROOT
from portal.plain.views.common import Lang

__all__ = ["translations"]


@cache
def translations(lang: Lang) -> NullTranslations:
    """The catalogue of `lang` (English is the source language: a missing catalogue falls back to it)."""
    return Translations.load(str(ROOT / "translations"), [lang], domain="messages")
