"""Shared pieces of the plan view models: the document's own words, dates at their precision, names, links.

Dates follow the precision their author wrote ("mars 2026", never an invented day), in one long form per language
everywhere a date is shown: "4 mai 2026" (with "1er" for the first of the month) and "4 May 2026"; a time follows
after a comma ("4 mai 2026, 14:30"); the calendar alone puts the weekday first ("lundi 4 mai 2026"). Month names
come from Babel; an instant written with a UTC offset is shown in Europe/Paris time.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from babel.dates import get_day_names, get_month_names

from portal.pps.model import Address, CarePlan, HL7Time, PersonName, Precision, ProgrammeItem, Telecom

__all__ = [
    "PARIS",
    "DocText",
    "Lang",
    "Link",
    "When",
    "address_lines",
    "doc_lang",
    "doc_text",
    "format_day",
    "format_instant",
    "format_month",
    "format_time_point",
    "format_weekday",
    "links",
    "person_name",
    "phone_text",
    "soften_name",
    "when",
]

Lang = Literal["fr", "en"]

PARIS = ZoneInfo("Europe/Paris")
"""Every date and time of the portal is shown in French metropolitan time."""


@dataclass(frozen=True, slots=True)
class DocText:
    """Words written by the care team in the document, shown as they are (never translated).

    `lang` is the document's language when it differs from the page's, so that the template sets `lang` on
    the element (screen readers then switch voice); None when both languages are the same.
    """

    text: str
    lang: str | None = None


def doc_lang(plan: CarePlan) -> str:
    """The document's language as a two-letter code ("fr-FR" → "fr"); French when the header says nothing."""
    language = (plan.metadata.language or "fr").strip().lower()
    return language.split("-", 1)[0] or "fr"


def doc_text(text: str | None, page_lang: Lang, document_lang: str) -> DocText | None:
    """The team's words marked with their language when it is not the page's; None for empty text."""
    if text is None or not text.strip():
        return None
    return DocText(text.strip(), None if document_lang == page_lang else document_lang)


def format_time_point(value: HL7Time | None, lang: Lang) -> str | None:
    """A date at the precision it was written: "2026", "mars 2026", "5 mars 2026" or "5 mars 2026, 14:30"."""
    if value is None:
        return None
    precision = value.precision
    if precision == Precision.YEAR:
        return str(value.year)
    if precision == Precision.MONTH:
        return format_month(value.year, value.month or 1, lang)
    day = value.to_date()
    assert day is not None  # precision is DAY or finer
    moment = value.to_datetime()
    if moment is None:
        return format_day(day, lang)
    return format_instant(moment, lang)


def format_instant(moment: dt.datetime, lang: Lang) -> str:
    """A date and time in Europe/Paris ("5 mars 2026, 14:30"); a naive time is taken as already local."""
    local = moment.astimezone(PARIS) if moment.tzinfo is not None else moment
    return f"{format_day(local.date(), lang)}, {local.hour:02d}:{local.minute:02d}"


def format_month(year: int, month: int, lang: Lang) -> str:
    """ "mars 2026" / "March 2026"."""
    return f"{_month_names(lang)[month]} {year}"


@functools.cache
def _month_names(lang: Lang) -> dict[int, str]:
    """The months' names in `lang`, asked of Babel once (it parses the locale again on every call)."""
    return dict(get_month_names("wide", locale=lang))


@functools.cache
def _day_names(lang: Lang) -> dict[int, str]:
    return dict(get_day_names("wide", locale=lang))


def format_day(day: dt.date, lang: Lang) -> str:
    """The one long form of a day: "4 mai 2026", "1er mai 2026" / "4 May 2026", "1 May 2026"."""
    number = "1er" if lang == "fr" and day.day == 1 else str(day.day)
    return f"{number} {format_month(day.year, day.month, lang)}"


def format_weekday(day: dt.date, lang: Lang) -> str:
    """A day with its weekday, for the calendar: "lundi 4 mai 2026" / "Monday 4 May 2026"."""
    return f"{_day_names(lang)[day.weekday()]} {format_day(day, lang)}"


@dataclass(frozen=True, slots=True)
class When:
    """When an item happens, as formatted dates: one day, a span, a start or an end; `rhythm` in words.

    `start` and `end` are equal for a one-day item. `planned` says the dates are forecasts (dates
    prévisionnelles) rather than confirmed ones. Everything None means no date is set yet.
    """

    start: str | None = None
    end: str | None = None
    rhythm: str | None = None
    planned: bool = False
    rhythm_lang: str | None = None

    @property
    def single(self) -> bool:
        return self.start is not None and self.start == self.end

    @property
    def undated(self) -> bool:
        return self.start is None and self.end is None


def when(item: ProgrammeItem, rhythm: str | None, lang: Lang, rhythm_lang: str | None = None) -> When:
    """The item's dates as the model gives them (`ProgrammeItem.span`: each confirmed date, else the planned one;
    `forecast` when only planned dates are known), formatted; `rhythm` already in words.

    `rhythm_lang` is the document's language when the rhythm is the document's own text in another language.
    """
    start, end = item.span
    return When(format_time_point(start, lang), format_time_point(end, lang), rhythm, item.forecast, rhythm_lang)


_PREFIXES: dict[str, dict[Lang, str]] = {
    "DR": {"fr": "Dr", "en": "Dr"},
    "PR": {"fr": "Pr", "en": "Prof."},
    "MME": {"fr": "Mme", "en": "Ms"},
    "MLLE": {"fr": "Mme", "en": "Ms"},
    "M": {"fr": "M.", "en": "Mr"},
    "M.": {"fr": "M.", "en": "Mr"},
}


def _soften(name: str) -> str:
    # Family names often come in capitals ("EXEMPLAIRE"): shown as a name, not shouted (and not spelled out
    # letter by letter by some screen readers).
    return name.title() if name.isupper() else name


def person_name(name: PersonName | None, lang: Lang) -> str | None:
    """ "Dr Jeanne Exemplaire": a civility or title, given names, family name; None when there is no name."""
    if name is None:
        return None
    titles = [_PREFIXES.get(p.strip().upper(), {}).get(lang, p) for p in (*name.prefix, *name.suffix) if p.strip()]
    # A doctor's title wins over a civility (Mme, M.) when both are given.
    doctor = [t for t in titles if t in ("Dr", "Pr", "Prof.")]
    title = doctor[:1] or titles[:1]
    words = [*title, *name.given, *([_soften(name.family)] if name.family else [])]
    text = " ".join(w for w in words if w)
    return None if name.is_empty else text


def soften_name(name: str) -> str:
    """Words written in capitals ("Camille EXEMPLE") as a name ("Camille Exemple"); other words unchanged."""
    return " ".join(_soften(word) for word in name.split())


def address_lines(address: Address) -> tuple[str, ...]:
    """The lines of a postal address as written on an envelope (city softened from capitals)."""
    lines: list[str] = [*address.street_lines]
    town = " ".join(p for p in (address.postal_code, _soften(address.city) if address.city else None) if p)
    if town:
        lines.append(town)
    if address.loose_text:
        lines.append(address.loose_text)
    return tuple(lines)


@dataclass(frozen=True, slots=True)
class Link:
    """A link a contact card offers: `kind` is "tel", "mailto" or "web"; `text` what the reader sees."""

    kind: str
    href: str
    text: str


_FRENCH_NUMBER = re.compile(r"0\d{9}")


def phone_text(number: str) -> str:
    """A phone number as the pages show it: a French number in pairs ("01 99 00 10 00"), another one as written."""
    digits = re.sub(r"[\s.\-]", "", number)
    if _FRENCH_NUMBER.fullmatch(digits):
        # Read in pairs, the French way: 01 99 00 10 00.
        return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
    return number.strip()


#: How many sets of telecoms `links` keeps (under a KB each): a care team's numbers are on many cards of many plans.
LINKS_KEPT = 1024


@functools.lru_cache(maxsize=LINKS_KEPT)
def links(telecoms: tuple[Telecom, ...]) -> tuple[Link, ...]:
    """Phone numbers, e-mail addresses and web sites, each once, phones first; fax numbers are left out. Kept for
    the last LINKS_KEPT sets of telecoms: both are immutable, and the same numbers come back on every card."""
    found: list[Link] = []
    seen: set[str] = set()
    for telecom in sorted(telecoms, key=lambda t: {"tel": 0, "mailto": 1}.get(t.scheme, 2)):
        if telecom.is_phone:
            link = Link("tel", f"tel:{telecom.dialable}", phone_text(telecom.address))
        elif telecom.is_email:
            link = Link("mailto", f"mailto:{telecom.address.strip()}", telecom.address.strip())
        elif telecom.is_url:
            link = Link("web", telecom.value, telecom.value)
        else:
            continue
        if link.href not in seen:
            seen.add(link.href)
            found.append(link)
    return tuple(found)
