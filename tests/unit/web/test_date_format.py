"""One date form per language, everywhere a date is shown: "4 mai 2026" ("1er mai 2026") and "4 May 2026".

A time follows after a comma ("4 mai 2026, 14:30"); a date known to the month or the year only is shown so
("mai 2026", "2026"), never with an invented day; the calendar alone puts the weekday first ("lundi 4 mai
2026", "Monday 4 May 2026"). The sweep signs in as Camille (three versions, an RCP report, a PDF of each version:
every kind of date the portal shows) and reads every page she can reach (`reader_pages.reachable_pages`), in
French and in English. Every month name must sit in one of those forms, and no other shape of date may appear
(numbers with slashes, dashes or dots, English "May 4, 2026", abbreviated months, "1 mai" without "er"). The
care team's own words are shown as written and are left out (any text of Camille's documents).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

import lxml.etree
import pytest
from flask import render_template_string
from flask.testing import FlaskClient

from portal import create_app
from portal.plain.views.common import format_day, format_instant, format_month, format_weekday
from synthetic import build_documents
from tests.unit.conftest import base_env
from tests.unit.web.reader_pages import reachable_pages, readable_text

MONTHS = {
    "fr": [
        *("janvier", "février", "mars", "avril", "mai", "juin"),
        *("juillet", "août", "septembre", "octobre", "novembre", "décembre"),
    ],
    "en": [
        *("January", "February", "March", "April", "May", "June"),
        *("July", "August", "September", "October", "November", "December"),
    ],
}
WEEKDAYS = {
    "fr": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}
DAY = {"fr": r"(?:1er|[2-9]|[12]\d|3[01])", "en": r"(?:[1-9]|[12]\d|3[01])"}


def allowed(lang: str) -> re.Pattern[str]:
    """The one form: [weekday] day month year [, HH:MM], or month year, or a year alone (not matched here)."""
    months = "|".join(MONTHS[lang])
    weekdays = "|".join(WEEKDAYS[lang])
    full = rf"(?:(?:{weekdays}) )?{DAY[lang]} (?:{months}) \d{{4}}(?:, [0-2]\d:[0-5]\d)?"
    month_only = rf"(?<!\d )(?<!1er )(?:{months}) \d{{4}}"
    return re.compile(rf"\b(?:{full}|{month_only})(?![\d:])")


def month_names(lang: str) -> re.Pattern[str]:
    """Any month name of either language, full or abbreviated (the way Babel's short forms write them)."""
    french = [*MONTHS["fr"], "janv", "févr", "avr", "juil", "sept", "oct", "nov", "déc"]
    english = [*MONTHS["en"], "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec"]
    # French month names are common words in English pages and the other way round only as quoted team words;
    # "May" and "mars" are matched as months only next to a number.
    names = "|".join(sorted({*french, *english}, key=len, reverse=True))
    day_before = r"(?:\d{1,2}(?:er|st|nd|rd|th)?\.? )?"
    after = r"\.?(?: \d{1,2}(?:st|nd|rd|th)?,?)?(?: \d{4})?"
    return re.compile(rf"(?<![\w-]){day_before}(?:{names}){after}(?![\w-])")


#: Numbers written as a date: 04/05/2026, 4.5.2026, 2026-05-04 (ISO), 04/05.
NUMERIC = re.compile(r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{1,2}/\d{1,2}\b")


@cache
def document_words() -> tuple[str, ...]:
    """Every text of Camille's documents: the care team's words, shown as written."""
    found: set[str] = set()
    for generated in build_documents():
        if generated.filename.startswith("camille-"):
            root = lxml.etree.fromstring(generated.cda)
            found.update(" ".join(t.split()) for t in root.itertext() if len(" ".join(t.split())) > 3)
    return tuple(sorted(found, key=len, reverse=True))


def other_shapes(text: str, lang: str) -> list[str]:
    """Dates written in another shape than the one form of `lang`."""
    for words in document_words():
        text = text.replace(words, " ")
    found = [match.group(0) for match in NUMERIC.finditer(text)]
    form = allowed(lang)
    kept = [(m.start(), m.end()) for m in form.finditer(text)]
    for match in month_names(lang).finditer(text):
        token = match.group(0)
        if not any(ch.isdigit() for ch in token):
            continue  # a month named alone, or a word ("May I…"): not a date
        if not any(start <= match.start() and match.end() <= end for start, end in kept):
            found.append(token)
    return found


@pytest.mark.parametrize(
    ("lang", "day", "first", "weekday", "instant", "month"),
    [
        ("fr", "4 mai 2026", "1er mai 2026", "lundi 4 mai 2026", "5 mars 2026, 14:30", "mars 2026"),
        ("en", "4 May 2026", "1 May 2026", "Monday 4 May 2026", "5 March 2026, 14:30", "March 2026"),
    ],
)
def test_the_one_form_of_each_language(lang: str, day: str, first: str, weekday: str, instant: str, month: str) -> None:
    assert format_day(dt.date(2026, 5, 4), lang) == day  # type: ignore[arg-type]
    assert format_day(dt.date(2026, 5, 1), lang) == first  # type: ignore[arg-type]
    assert format_weekday(dt.date(2026, 5, 4), lang) == weekday  # type: ignore[arg-type]
    moment = dt.datetime(2026, 3, 5, 13, 30, tzinfo=dt.UTC)  # 14:30 in Paris
    assert format_instant(moment, lang) == instant  # type: ignore[arg-type]
    assert format_month(2026, 3, lang) == month  # type: ignore[arg-type]
    for text in (day, first, weekday, instant):
        assert allowed(lang).fullmatch(text), text
        assert other_shapes(f"Le {text}.", lang) == []


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "On May 4, 2026."),
        ("en", "From 04/05/2026."),
        ("en", "Updated 2026-05-04."),
        ("en", "On 4 Mar 2026."),
        ("en", "On Monday, May 4, 2026."),
        ("fr", "Le 1 mai 2026."),
        ("fr", "Le 4 févr. 2026."),
        ("fr", "Le 04/05."),
        ("fr", "Le 4 May 2026."),
    ],
)
def test_the_sweep_sees_other_shapes(lang: str, text: str) -> None:
    assert other_shapes(text, lang), text


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_page_shows_dates_in_the_one_form(lang: str, as_patient: FlaskClient) -> None:
    pages = reachable_pages(as_patient, lang)
    paths = {page.path for page in pages}
    assert {"/", "/calendar", "/treatments", "/history", "/documents", "/documents/print", "/illness"} <= paths
    assert any(path.startswith("/rcp/") for path in paths) and any(path.startswith("/history/doc-") for path in paths)
    dated = 0
    problems: list[str] = []
    for page in pages:
        text = readable_text(page)
        dated += len(allowed(lang).findall(text))
        problems += [f"{page.path}: {shape!r}" for shape in other_shapes(text, lang)]
    assert not problems, f"{len(problems)} dates in another shape ({lang}):\n" + "\n".join(sorted(set(problems)))
    assert dated > 50, dated  # the sweep read dates at all
    print(f"camille {lang}: {len(pages)} pages, {dated} dates, all in the one form")


@pytest.mark.parametrize(
    ("lang", "day", "first", "moment"),
    [
        ("fr", "4 mai 2026", "1er mai 2026", "1er mai 2026, 00:30"),
        ("en", "4 May 2026", "1 May 2026", "1 May 2026, 00:30"),
    ],
)
def test_templates_write_the_same_form(lang: str, day: str, first: str, moment: str) -> None:
    """The template macro (pages whose dates come as date objects: the access log, the coordinator's list, the
    end of a caregiver's link) writes what `format_day` writes, a date-time on its day in France."""
    app = create_app(base_env())
    macro = '{% from "components/date.html" import long_date %}'
    with app.test_request_context("/", headers={"Accept-Language": lang}):
        assert render_template_string(macro + "{{ long_date(d) }}", d=dt.date(2026, 5, 4)) == day
        assert render_template_string(macro + "{{ long_date(d) }}", d=dt.date(2026, 5, 1)) == first
        late = dt.datetime(2026, 4, 30, 22, 30, tzinfo=dt.UTC)  # already 1 May in Paris
        assert render_template_string(macro + "{{ long_date(d, with_time=true) }}", d=late) == moment
