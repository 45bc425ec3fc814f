"""What changed, in plain words: the `plain` step that turns `portal.pps.changes` into short sentences.

`change_sentences(changes, lang)` gives one sentence per change ("Radiotherapy: now starts on 10 March
instead of 3 March."), in French or English, most important first (the diff's order: stop of treatments,
the illness, treatments added or removed, dates, then the rest). No Flask: the sentences come from the
project's catalogue (`translations/`) through Babel's own `Translations`, so the CLI and the pages say the
same thing, and `pybabel extract` finds every `gettext` call here. Dates keep their precision and are shown
in Europe/Paris time. Each sentence is whole, with named placeholders, under 20 words.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from babel.support import NullTranslations, Translations

from portal.plain.labels import (
    KIND_VALUE_SETS,
    Lang,
    item_kind_label,
    label,
    morphology_label,
    phase_label,
    progression_label,
    rhythm_text,
    role_label,
    status_label,
    topography_label,
    update_reason_sentence,
)
from portal.plain.labels import (
    laterality_label as side_label,
)
from portal.plain.views.common import format_time_point, person_name
from portal.pps.changes import (
    Change,
    ContactAdded,
    ContactDetail,
    ContactDetailChanged,
    ContactRemoved,
    DiagnosisChanged,
    DiagnosisPart,
    DocumentStatusChanged,
    ItemAdded,
    ItemCompleted,
    ItemRemoved,
    ItemRescheduled,
    ItemStopped,
    PhaseChanged,
    ProgressionChanged,
    Rank,
    RhythmChanged,
    RouteChanged,
    TreatmentStopChanged,
    UpdateReasonChanged,
)
from portal.pps.codes import CodeKind
from portal.pps.model import Code, Contact, ContactRole, HL7Time, ItemKind, ProgrammeItem

__all__ = ["TRANSLATIONS_DIR", "ChangeSentence", "catalogue", "change_sentences"]

TRANSLATIONS_DIR = Path(__file__).resolve().parents[2] / "translations"
"""The project's catalogues (compiled .mo files), shared with the web pages."""

_SUPPORT = (ItemKind.SUPPORTIVE_CARE, ItemKind.SOCIAL_SUPPORT)


@dataclass(frozen=True, slots=True)
class ChangeSentence:
    """One change told in one sentence. `detail` is the document's own name for the entry, when it adds
    something (e.g. "Radiothérapie du sein gauche (15 séances)"), in the document's language."""

    text: str
    rank: Rank
    detail: str | None = None


@functools.cache
def catalogue(lang: Lang) -> NullTranslations:
    """The compiled catalogue of `lang` (English is the source language: a missing catalogue says it as is)."""
    return Translations.load(str(TRANSLATIONS_DIR), [lang], domain="messages")


def change_sentences(changes: Sequence[Change], lang: Lang) -> tuple[ChangeSentence, ...]:
    """The sentences of `changes`, in their order (the diff's, most important first); silent ones skipped."""
    told = (_sentence(change, lang) for change in changes)
    return tuple(s for s in told if s is not None)


# --- words for the parts of a sentence ----------------------------------------------------------------------


def _lower_first(text: str) -> str:
    """ "Radiothérapie" → "radiothérapie" inside a sentence; an acronym ("TEP", "APA") keeps its capitals."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def _item_name(item: ProgrammeItem, lang: Lang) -> str:
    """The plain name of what an item is (its type), else the document's words, else its kind."""
    found = label(item.type, lang, kind=KIND_VALUE_SETS.get(item.kind))
    if found is not None and not found.from_document:
        return found.text
    return item.label or (found.text if found else item_kind_label(item.kind, lang).text)


def _item_detail(item: ProgrammeItem, name: str) -> str | None:
    return item.label if item.label and item.label.strip().casefold() != name.casefold() else None


def _date(value: HL7Time | None, lang: Lang) -> str | None:
    return format_time_point(value, lang)


def _code_words(code: Code | None, lang: Lang, kind: CodeKind | None = None) -> str | None:
    found = label(code, lang, kind=kind)
    return found.text if found else None


def _contact_name(contact: Contact, lang: Lang) -> str:
    name = person_name(contact.person, lang) if contact.person else None
    if name:
        return name
    if contact.organization and contact.organization.name:
        return contact.organization.name
    return _role(contact, lang)


def _role(contact: Contact, lang: Lang) -> str:
    code: str = contact.role.value
    if contact.role == ContactRole.OTHER and contact.function and contact.function.code:
        code = contact.function.code
    return _lower_first(role_label(code, lang).text)


def _phone(number: str) -> str:
    digits = number.replace(" ", "")
    if len(digits) == 10 and digits.isdigit():
        return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
    return number


# --- one sentence per change ----------------------------------------------------------------------------------


def _sentence(change: Change, lang: Lang) -> ChangeSentence | None:
    t = catalogue(lang)
    text: str | None
    detail: str | None = None
    match change:
        case TreatmentStopChanged(old=old, new=new):
            text = _stop(
                t, old.date if old else None, new.date if new else None, old is not None, new is not None, lang
            )
        case PhaseChanged(new=new):
            words = phase_label(new.code if new else None, lang)
            if words is None:
                text = t.gettext("Your plan no longer gives the phase of your illness.")
            else:
                text = t.gettext("The phase of your illness is now: %(phase)s.") % {"phase": _lower_first(words.text)}
        case ProgressionChanged(new=new):
            words = progression_label(new, lang)
            if words is None:
                text = t.gettext("Your plan no longer notes a progression of the illness.")
            else:
                text = t.gettext("Your plan now notes a change in the illness: %(what)s.") % {
                    "what": _lower_first(words.text)
                }
        case DiagnosisChanged():
            text = _diagnosis(t, change, lang)
        case ItemAdded(item=item) | ItemRemoved(item=item):
            name = _item_name(item, lang)
            detail = _item_detail(item, name)
            text = _added(t, item, name, lang) if isinstance(change, ItemAdded) else _removed(t, item, name)
        case ItemStopped(new=item, end=end):
            name = _item_name(item, lang)
            detail = _item_detail(item, name)
            when = _date(end, lang)
            if when:
                text = t.gettext("%(name)s: stopped on %(date)s, earlier than planned.") % {"name": name, "date": when}
            else:
                text = t.gettext("%(name)s: stopped.") % {"name": name}
        case ItemCompleted(new=item):
            name = _item_name(item, lang)
            detail = _item_detail(item, name)
            text = t.gettext("%(name)s: now marked as done.") % {"name": name}
        case ItemRescheduled(new=item):
            name = _item_name(item, lang)
            detail = _item_detail(item, name)
            text = _rescheduled(t, change, name, lang)
        case RhythmChanged(new=item):
            name = _item_name(item, lang)
            detail = _item_detail(item, name)
            rhythm = rhythm_text(item.rhythm, lang)
            if rhythm:
                text = t.gettext("%(name)s: the rhythm is now “%(rhythm)s”.") % {"name": name, "rhythm": rhythm}
            else:
                text = t.gettext("%(name)s: no rhythm is given any more.") % {"name": name}
        case RouteChanged(new=item):
            name = _item_name(item, lang)
            detail = _item_detail(item, name)
            route = _code_words(item.route, lang, CodeKind.ROUTE) or item.route_text
            if route:
                text = t.gettext("%(name)s: how you receive it is now: %(route)s.") % {
                    "name": name,
                    "route": _lower_first(route),
                }
            else:
                text = None
        case ContactAdded(contact=contact):
            text = t.gettext("New contact: %(role)s, %(name)s.") % {
                "name": _contact_name(contact, lang),
                "role": _role(contact, lang),
            }
        case ContactRemoved(contact=contact):
            text = t.gettext("Contact removed: %(role)s, %(name)s.") % {
                "name": _contact_name(contact, lang),
                "role": _role(contact, lang),
            }
        case ContactDetailChanged():
            text = _contact_detail(t, change, lang)
        case DocumentStatusChanged(new=new):
            words = status_label(new, lang)
            text = (
                t.gettext("The status of your plan is now: %(status)s.") % {"status": _lower_first(words.text)}
                if words
                else None
            )
        case UpdateReasonChanged(new=new):
            text = update_reason_sentence(new, lang)
        case _:
            text = None
    return ChangeSentence(text, change.rank, detail) if text else None


def _stop(t: NullTranslations, old: HL7Time | None, new: HL7Time | None, had: bool, has: bool, lang: Lang) -> str:
    if not has:
        return t.gettext("Your plan no longer marks the end of your active treatments.")
    new_date, old_date = _date(new, lang), _date(old, lang)
    if had and new_date and old_date:
        return t.gettext("The end of your active treatments is now on %(new)s instead of %(old)s.") % {
            "new": new_date,
            "old": old_date,
        }
    if new_date:
        return t.gettext("Your plan now marks the end of your active treatments, on %(date)s.") % {"date": new_date}
    return t.gettext("Your plan now marks the end of your active treatments.")


def _added(t: NullTranslations, item: ProgrammeItem, name: str, lang: Lang) -> str:
    words = _lower_first(name)
    if item.kind in _SUPPORT:
        return t.gettext("New support for you: %(name)s.") % {"name": words}
    start, end = item.span
    start_text = _date(start, lang)
    if start_text and start == end:
        return t.gettext("New in your plan: %(name)s, on %(date)s.") % {"name": words, "date": start_text}
    if start_text:
        return t.gettext("New in your plan: %(name)s, from %(date)s.") % {"name": words, "date": start_text}
    return t.gettext("New in your plan: %(name)s.") % {"name": words}


def _removed(t: NullTranslations, item: ProgrammeItem, name: str) -> str:
    words = _lower_first(name)
    if item.kind in _SUPPORT:
        return t.gettext("Support no longer in your plan: %(name)s.") % {"name": words}
    return t.gettext("No longer in your plan: %(name)s.") % {"name": words}


def _rescheduled(t: NullTranslations, change: ItemRescheduled, name: str, lang: Lang) -> str | None:
    new_start, old_start = _date(change.new_start, lang), _date(change.old_start, lang)
    new_end, old_end = _date(change.new_end, lang), _date(change.old_end, lang)
    if change.single_day and new_start and old_start and change.old_start == change.old_end:
        return t.gettext("%(name)s: now on %(new)s instead of %(old)s.") % {
            "name": name,
            "new": new_start,
            "old": old_start,
        }
    if change.start_moved:
        if new_start and old_start:
            return t.gettext("%(name)s: now starts on %(new)s instead of %(old)s.") % {
                "name": name,
                "new": new_start,
                "old": old_start,
            }
        if new_start:
            return t.gettext("%(name)s: now planned from %(date)s.") % {"name": name, "date": new_start}
        return t.gettext("%(name)s: no date is set any more.") % {"name": name}
    if new_end and old_end:
        return t.gettext("%(name)s: now ends on %(new)s instead of %(old)s.") % {
            "name": name,
            "new": new_end,
            "old": old_end,
        }
    if new_end:
        return t.gettext("%(name)s: now ends on %(date)s.") % {"name": name, "date": new_end}
    return t.gettext("%(name)s: no end date is set any more.") % {"name": name}


def _diagnosis(t: NullTranslations, change: DiagnosisChanged, lang: Lang) -> str:
    if change.part == DiagnosisPart.TUMOUR:
        site = topography_label(change.new or change.old, lang)
        where = _lower_first(site.text) if site else None
        if where and change.new is not None:
            return t.gettext("Your plan now describes another tumour: %(site)s.") % {"site": where}
        if where:
            return t.gettext("Your plan no longer describes this tumour: %(site)s.") % {"site": where}
    elif change.new is not None:
        if change.part == DiagnosisPart.LATERALITY:
            words = side_label(change.new, lang)
            if words:
                return t.gettext("The side of the illness is now: %(side)s.") % {"side": _lower_first(words.text)}
        elif change.part == DiagnosisPart.MORPHOLOGY:
            words = morphology_label(change.new, lang)
            text = words.text if words else change.new.text
            if text:
                return t.gettext("The type of tumour is now: %(type)s.") % {"type": _lower_first(text)}
        else:
            new, old = change.new.text, change.old.text if change.old else None
            if new and old:
                return t.gettext("The stage of the illness is now %(new)s instead of %(old)s.") % {
                    "new": new,
                    "old": old,
                }
            if new:
                return t.gettext("The stage of the illness is now %(new)s.") % {"new": new}
    return t.gettext("The description of your illness has changed.")


def _contact_detail(t: NullTranslations, change: ContactDetailChanged, lang: Lang) -> str:
    name = _contact_name(change.contact, lang)
    if change.detail == ContactDetail.PHONE:
        if change.new_values:
            return t.gettext("%(name)s: the phone number is now %(phone)s.") % {
                "name": name,
                "phone": ", ".join(_phone(p) for p in change.new_values),
            }
        return t.gettext("%(name)s: no phone number is given any more.") % {"name": name}
    if change.new_values:
        return t.gettext("%(name)s: the e-mail address is now %(email)s.") % {
            "name": name,
            "email": ", ".join(change.new_values),
        }
    return t.gettext("%(name)s: no e-mail address is given any more.") % {"name": name}
