"""One programme or support item as the pages show it: plain name, what it is, when, where, with whom.

Shared by the overview, the treatments timeline, the calendar and the support page. Where an item stands is
decided against `today` (a date in Europe/Paris, passed in): in progress, coming up, or earlier. The document's
own status (done or planned) is kept too, so a planned item whose dates have passed is never called "done".
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from portal.plain.labels import KIND_VALUE_SETS, PlainLabel, item_kind_label, label, rhythm_text
from portal.plain.views.common import (
    DocText,
    Lang,
    Link,
    When,
    address_lines,
    doc_text,
    links,
    person_name,
    when,
)
from portal.pps.codes import CodeKind
from portal.pps.model import HL7Time, ItemKind, ItemStatus, Precision, ProgrammeItem

__all__ = [
    "ItemPhase",
    "ItemView",
    "PersonView",
    "PlaceView",
    "first_day",
    "item_name",
    "item_phase",
    "item_view",
    "last_day",
]


class ItemPhase(StrEnum):
    """Where an item stands today."""

    NOW = "now"  # started and not ended
    COMING = "coming"  # starts later, or no date is set yet
    EARLIER = "earlier"  # done, or its dates have passed


@dataclass(frozen=True, slots=True)
class PlaceView:
    """Where an item happens: a name, address lines and phone links."""

    name: str | None
    address: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()


@dataclass(frozen=True, slots=True)
class PersonView:
    """Who takes care of an item: a professional's name and the structure they work for."""

    name: str | None
    organisation: str | None = None
    links: tuple[Link, ...] = ()


@dataclass(frozen=True, slots=True)
class ItemView:
    """One item of the plan, ready for a template.

    `name` is the plain name (from the type code), `name_lang` set when the name is the document's words in
    another language; `team_name` the document's own title of the item when it says more than the plain name.
    `done` is the document's status; `phase` where the item stands today.
    """

    key: str
    kind: ItemKind
    kind_label: str
    name: str
    name_lang: str | None
    explanation: str | None
    glossary_id: str | None
    team_name: DocText | None
    done: bool
    phase: ItemPhase
    when: When
    route: str | None = None
    route_lang: str | None = None
    places: tuple[PlaceView, ...] = ()
    people: tuple[PersonView, ...] = ()
    side_effects: DocText | None = None
    comment: DocText | None = None
    reasons: tuple[DocText, ...] = ()
    not_done: bool = False
    #: The glossary entries of the item's kind and of how it is given, for pages to link their labels.
    kind_glossary_id: str | None = None
    route_glossary_id: str | None = None

    @property
    def page(self) -> str:
        """The page that describes this item: "support" for support items, "treatments" otherwise."""
        return "support" if self.kind in (ItemKind.SUPPORTIVE_CARE, ItemKind.SOCIAL_SUPPORT) else "treatments"


def first_day(value: HL7Time) -> dt.date:
    """The first day a (possibly partial) date may denote: "2026-03" → 1 March 2026."""
    return dt.date(value.year, value.month or 1, value.day or 1)


def last_day(value: HL7Time) -> dt.date:
    """The last day a (possibly partial) date may denote: "2026-03" → 31 March 2026."""
    if value.precision == Precision.YEAR:
        return dt.date(value.year, 12, 31)
    month = value.month or 12
    return dt.date(value.year, month, value.day or calendar.monthrange(value.year, month)[1])


def item_phase(item: ProgrammeItem, today: dt.date) -> ItemPhase:
    """Earlier when done or ended before today; now when started and not ended; coming otherwise."""
    if item.status == ItemStatus.DONE:
        return ItemPhase.EARLIER
    start, end = item.span
    if end is not None and last_day(end) < today:
        return ItemPhase.EARLIER
    if start is not None and first_day(start) <= today:
        return ItemPhase.NOW
    return ItemPhase.COMING


def _name(item: ProgrammeItem, lang: Lang, document_lang: str) -> tuple[PlainLabel, str | None]:
    found = label(item.type, lang, kind=KIND_VALUE_SETS.get(item.kind))
    if found is None or not found.text:
        # No usable code: the item's own words, else what kind of item it is.
        found = PlainLabel(item.label.strip(), None, True, None) if item.label else item_kind_label(item.kind, lang)
    name_lang = document_lang if found.from_document and document_lang != lang else None
    return found, name_lang


def item_name(item: ProgrammeItem, lang: Lang, document_lang: str) -> str:
    """The item's plain name, as its view (`item_view`) gives it, without building the rest of the view."""
    return _name(item, lang, document_lang)[0].text


def _same(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def _route(item: ProgrammeItem, lang: Lang, document_lang: str) -> tuple[str | None, str | None, str | None]:
    """How the item is given: the words, their language when the document's, and the glossary entry they name."""
    found = label(item.route, lang, kind=CodeKind.ROUTE)
    if found is not None and found.text:
        words_lang = document_lang if found.from_document and document_lang != lang else None
        return found.text, words_lang, found.glossary_id
    text = doc_text(item.route_text, lang, document_lang)
    return (text.text, text.lang, None) if text else (None, None, None)


def _rhythm_lang(item: ProgrammeItem, lang: Lang, document_lang: str) -> str | None:
    # Without a structured period or weekdays, the rhythm is the document's own sentence (not translated).
    rhythm = item.rhythm
    if rhythm is None or rhythm.weekdays or rhythm.period_value or not (rhythm.text or "").strip():
        return None
    return document_lang if document_lang != lang else None


def item_view(
    item: ProgrammeItem, index: int, lang: Lang, document_lang: str, today: dt.date, key_prefix: str = "item"
) -> ItemView:
    """The view of one item; `key_prefix` and `index` make its anchor (`key`) unique on a page."""
    name, name_lang = _name(item, lang, document_lang)
    team_name = None
    if item.label and not _same(item.label, name.text):
        team_name = doc_text(item.label, lang, document_lang)
    route, route_lang, route_glossary_id = _route(item, lang, document_lang)
    kind = item_kind_label(item.kind, lang)
    places = tuple(
        PlaceView(place.name, tuple(line for a in place.addresses for line in address_lines(a)), links(place.telecoms))
        for place in item.where
    )
    people = tuple(PersonView(person_name(p.name, lang), p.organization_name, links(p.telecoms)) for p in item.who)
    reasons = tuple(text for text in (doc_text(r.words, lang, document_lang) for r in item.reasons) if text)
    return ItemView(
        key=f"{key_prefix}-{index}",
        kind=item.kind,
        kind_label=kind.text,
        name=name.text,
        name_lang=name_lang,
        explanation=name.explanation,
        glossary_id=name.glossary_id,
        team_name=team_name,
        done=item.status == ItemStatus.DONE,
        phase=item_phase(item, today),
        when=when(item, rhythm_text(item.rhythm, lang), lang, _rhythm_lang(item, lang, document_lang)),
        route=route,
        route_lang=route_lang,
        places=places,
        people=people,
        side_effects=doc_text(item.side_effects, lang, document_lang),
        comment=doc_text(item.comment, lang, document_lang),
        reasons=reasons,
        not_done=item.negated,
        kind_glossary_id=kind.glossary_id,
        route_glossary_id=route_glossary_id,
    )


def sort_key(item: ProgrammeItem) -> tuple[int, dt.date]:
    """Dated items first, by start day; undated ones after, in document order (sort is stable)."""
    start, _ = item.span
    return (0, first_day(start)) if start is not None else (1, dt.date.max)
