"""The portal's translated sentences outside a web request (exports and the `portal` command).

The web pages get `_()` from flask-babel; the calendar file, the PDF and the command line load the same
compiled catalogues here, so one sentence has one translation wherever it appears.
"""

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
