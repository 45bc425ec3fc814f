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
from portal.plain.views.common import address_lines, format_time_point, person_name, phone_text, soften_name
from portal.pps.changes import (
    Change,
    ContactAdded,
    ContactDetail,
    ContactDetailChanged,
    ContactRemoved,
    DateChanged,
    DatedFact,
    DiagnosisChanged,
    DiagnosisPart,
    DocumentDetail,
    DocumentDetailChanged,
    DocumentStatusChanged,
    IllnessFact,
    IllnessFactChanged,
    IllnessNote,
    IllnessNoteChanged,
    ItemAdded,
    ItemCompleted,
    ItemContactChanged,
    ItemDetail,
    ItemDetailChanged,
    ItemRemoved,
    ItemRescheduled,
    ItemStopped,
    PhaseChanged,
    ProgressionChanged,
    Rank,
    RelativeAdded,
    RelativeDetailChanged,
    RelativeRemoved,
    RhythmChanged,
    RouteChanged,
    TreatmentStopChanged,
    UpdateReasonChanged,
)
from portal.pps.codes import CodeKind
from portal.pps.model import (
    Address,
    Code,
    Contact,
    HealthProfessional,
    HL7Time,
    ItemKind,
    Place,
    ProgrammeItem,
    RelatedPerson,
    TreatmentStop,
)

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
    return _lower_first(role_label(contact.role_code, lang).text)


def _relative_name(person: RelatedPerson, lang: Lang) -> str:
    """A person close to the patient: their name, else their family link, else "a person close to you"."""
    name = person_name(person.name, lang)
    if name:
        return name
    relation = label(person.relationship, lang)
    if relation is not None:
        return relation.text
    return catalogue(lang).gettext("A person close to you")


def _professional_name(professional: HealthProfessional | None, lang: Lang) -> str | None:
    if professional is None:
        return None
    return person_name(professional.name, lang) or professional.organization_name


def _place_name(place: Place | None) -> str | None:
    if place is None:
        return None
    if place.name:
        return place.name
    lines = [line for address in place.addresses for line in address_lines(address)]
    return lines[0] if lines else None


def _address(place_or_contact: Place | Contact | None) -> str | None:
    """The address as the page shows it, on one line."""
    if isinstance(place_or_contact, Contact):
        addresses: tuple[Address, ...] = (place_or_contact.address,) if place_or_contact.address else ()
    else:
        addresses = place_or_contact.addresses if place_or_contact else ()
    lines = [line for address in addresses for line in address_lines(address)]
    return ", ".join(lines) or None


# --- one sentence per change ----------------------------------------------------------------------------------


def _sentence(change: Change, lang: Lang) -> ChangeSentence | None:
    t = catalogue(lang)
    detail: str | None = None
    item = getattr(change, "new", None) if not isinstance(change, ItemAdded | ItemRemoved) else change.item
    if isinstance(item, ProgrammeItem):
        name = _item_name(item, lang)
        detail = _item_detail(item, name)
        text = _item_sentence(t, change, item, name, lang)
    else:
        text = _plan_sentence(t, change, lang)
    return ChangeSentence(text, change.rank, detail) if text else None


def _item_sentence(t: NullTranslations, change: Change, item: ProgrammeItem, name: str, lang: Lang) -> str | None:
    match change:
        case ItemAdded():
            return _added(t, item, name, lang)
        case ItemRemoved():
            return _removed(t, item, name)
        case ItemStopped(end=end):
            when = _date(end, lang)
            if when:
                return t.gettext("%(name)s: stopped on %(date)s, earlier than planned.") % {"name": name, "date": when}
            return t.gettext("%(name)s: stopped.") % {"name": name}
        case ItemCompleted():
            return t.gettext("%(name)s: now marked as done.") % {"name": name}
        case ItemRescheduled():
            return _rescheduled(t, change, name, lang)
        case RhythmChanged():
            rhythm = rhythm_text(item.rhythm, lang)
            if rhythm:
                return t.gettext("%(name)s: the rhythm is now “%(rhythm)s”.") % {"name": name, "rhythm": rhythm}
            return t.gettext("%(name)s: no rhythm is given any more.") % {"name": name}
        case RouteChanged():
            route = _code_words(item.route, lang, CodeKind.ROUTE) or item.route_text
            if route:
                return t.gettext("%(name)s: how you receive it is now: %(route)s.") % {
                    "name": name,
                    "route": _lower_first(route),
                }
            return t.gettext("%(name)s: how you receive it is no longer given.") % {"name": name}
        case ItemDetailChanged():
            return _item_detail_sentence(t, change, item, name, lang)
        case ItemContactChanged():
            return _item_contact_sentence(t, change, name, lang)
    return None


def _item_detail_sentence(
    t: NullTranslations, change: ItemDetailChanged, item: ProgrammeItem, name: str, lang: Lang
) -> str:
    values = {"name": name}
    match change.detail:
        case ItemDetail.TEAM_NAME if item.label:
            return t.gettext("%(name)s: your care team now calls it “%(words)s”.") % {**values, "words": item.label}
        case ItemDetail.TEAM_NAME:
            return t.gettext("%(name)s: your care team no longer gives it a name of its own.") % values
        case ItemDetail.SIDE_EFFECTS:
            return t.gettext("%(name)s: the side effects to watch have changed.") % values
        case ItemDetail.COMMENT:
            return t.gettext("%(name)s: your care team changed its note.") % values
        case ItemDetail.REASONS:
            return t.gettext("%(name)s: the reasons for it have changed.") % values
        case ItemDetail.PEOPLE:
            people = [p for p in (_professional_name(p, lang) for p in item.who) if p]
            if people:
                return t.gettext("%(name)s: now with %(people)s.") % {**values, "people": ", ".join(people)}
            return t.gettext("%(name)s: no one is named for it any more.") % values
        case ItemDetail.FORECAST if item.forecast:
            return t.gettext("%(name)s: the dates are now only planned.") % values
        case ItemDetail.FORECAST:
            return t.gettext("%(name)s: the dates are now confirmed.") % values
        case _:
            return t.gettext("%(name)s: it is planned again.") % values


def _item_contact_sentence(t: NullTranslations, change: ItemContactChanged, name: str, lang: Lang) -> str:
    who = _professional_name(change.performer, lang) or _place_name(change.place)
    values = {"name": name, "who": who or ""}
    if change.detail == ContactDetail.PHONE:
        if change.new_values and who:
            return t.gettext("%(name)s: %(who)s now answers on %(phone)s.") % {**values, "phone": _phones(change)}
        if change.new_values:
            return t.gettext("%(name)s: the phone number is now %(phone)s.") % {**values, "phone": _phones(change)}
        if who:
            return t.gettext("%(name)s: no phone number is given any more for %(who)s.") % values
        return t.gettext("%(name)s: no phone number is given any more.") % values
    if change.detail == ContactDetail.ORGANISATION:
        organisation = change.performer.organization_name if change.performer else None
        if organisation and who:
            return t.gettext("%(name)s: %(who)s now works at %(organisation)s.") % {
                **values,
                "organisation": organisation,
            }
        return t.gettext("%(name)s: the workplace of %(who)s is no longer given.") % values
    address = _address(change.place)
    if address and change.place is not None and change.place.name:
        return t.gettext("%(name)s: the address of %(who)s is now: %(address)s.") % {**values, "address": address}
    if address:
        return t.gettext("%(name)s: the address is now: %(address)s.") % {**values, "address": address}
    return t.gettext("%(name)s: the address is no longer given.") % values


def _phones(change: ItemContactChanged | ContactDetailChanged | RelativeDetailChanged) -> str:
    return ", ".join(phone_text(p) for p in change.new_values)


def _plan_sentence(t: NullTranslations, change: Change, lang: Lang) -> str | None:
    match change:
        case TreatmentStopChanged(old=old, new=new):
            return _stop(t, old, new, lang)
        case PhaseChanged(new=new):
            words = phase_label(new.code if new else None, lang)
            if words is None:
                return t.gettext("Your plan no longer gives the phase of your illness.")
            return t.gettext("The phase of your illness is now: %(phase)s.") % {"phase": _lower_first(words.text)}
        case ProgressionChanged(new=new):
            words = progression_label(new, lang)
            if words is None:
                return t.gettext("Your plan no longer notes a progression of the illness.")
            return t.gettext("Your plan now notes a change in the illness: %(what)s.") % {
                "what": _lower_first(words.text)
            }
        case IllnessFactChanged():
            return _illness_fact(t, change)
        case DiagnosisChanged():
            return _diagnosis(t, change, lang)
        case IllnessNoteChanged(note=note):
            if note in (IllnessNote.TUMOUR_NAME, IllnessNote.OTHER_STAGES):
                return t.gettext("The medical details of your illness have changed.")
            return t.gettext("Your care team changed its note on your illness.")
        case DateChanged():
            return _dated(t, change, lang)
        case ContactAdded(contact=contact):
            return t.gettext("New contact: %(role)s, %(name)s.") % {
                "name": _contact_name(contact, lang),
                "role": _role(contact, lang),
            }
        case ContactRemoved(contact=contact):
            return t.gettext("Contact removed: %(role)s, %(name)s.") % {
                "name": _contact_name(contact, lang),
                "role": _role(contact, lang),
            }
        case ContactDetailChanged():
            return _contact_detail(t, change, _contact_name(change.contact, lang), change.contact)
        case RelativeAdded(person=person, trusted=trusted):
            name = {"name": _relative_name(person, lang)}
            if trusted:
                return t.gettext("%(name)s is now your trusted person.") % name
            return t.gettext("%(name)s is now the person to call if needed.") % name
        case RelativeRemoved(person=person, trusted=trusted):
            name = {"name": _relative_name(person, lang)}
            if trusted:
                return t.gettext("%(name)s is no longer your trusted person.") % name
            return t.gettext("%(name)s is no longer the person to call if needed.") % name
        case RelativeDetailChanged():
            return _contact_detail(t, change, _relative_name(change.person, lang), None)
        case DocumentStatusChanged(new=new):
            words = status_label(new, lang)
            if words is None:
                return t.gettext("Your plan no longer gives its status.")
            return t.gettext("The status of your plan is now: %(status)s.") % {"status": _lower_first(words.text)}
        case UpdateReasonChanged():
            return _update_reason(t, change, lang)
        case DocumentDetailChanged():
            return _document_detail(t, change, lang)
    return None


def _stop(t: NullTranslations, old: TreatmentStop | None, new: TreatmentStop | None, lang: Lang) -> str:
    if new is None:
        return t.gettext("Your plan no longer marks the end of your active treatments.")
    new_date, old_date = _date(new.date, lang), _date(old.date if old else None, lang)
    if old is not None and new.date == old.date:
        return t.gettext("Your care team changed its note on the end of your active treatments.")
    if old is not None and new_date and old_date:
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


def _illness_fact(t: NullTranslations, change: IllnessFactChanged) -> str:
    if change.fact == IllnessFact.SCREENING:
        if change.new is None:
            return t.gettext("Your plan no longer says how the illness was found.")
        if change.new:
            return t.gettext("Your plan now says screening found the illness.")
        return t.gettext("Your plan now says screening did not find the illness.")
    if change.new:
        return t.gettext("Your plan now says this is care for a child.")
    return t.gettext("Your plan no longer says this is care for a child.")


def _dated(t: NullTranslations, change: DateChanged, lang: Lang) -> str:
    when = _date(change.new, lang)
    values = {"date": when or ""}
    match change.fact:
        case DatedFact.FOUND if when:
            return t.gettext("Your plan now says the illness was found on %(date)s.") % values
        case DatedFact.FOUND:
            return t.gettext("Your plan no longer says when the illness was found.")
        case DatedFact.STAGED if when:
            return t.gettext("Your plan now says the stage was set on %(date)s.") % values
        case DatedFact.STAGED:
            return t.gettext("Your plan no longer says when the stage was set.")
        case DatedFact.PHASE_START if when:
            return t.gettext("Your plan now says this phase began on %(date)s.") % values
        case DatedFact.PHASE_START:
            return t.gettext("Your plan no longer says when this phase began.")
        case _ if when:
            return t.gettext("The team meeting about your care (RCP) is now dated %(date)s.") % values
        case _:
            return t.gettext("Your plan no longer gives the date of the team meeting (RCP).")


def _diagnosis(t: NullTranslations, change: DiagnosisChanged, lang: Lang) -> str:
    if change.part == DiagnosisPart.TUMOUR:
        site = topography_label(change.new or change.old, lang)
        where = _lower_first(site.text) if site else None
        if where and change.new is not None:
            return t.gettext("Your plan now describes another tumour: %(site)s.") % {"site": where}
        if where:
            return t.gettext("Your plan no longer describes this tumour: %(site)s.") % {"site": where}
    elif change.part in (DiagnosisPart.SITE_WORDS, DiagnosisPart.TNM_EDITION):
        return t.gettext("The medical details of your illness have changed.")
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
            if new and old and new != old:
                return t.gettext("The stage of the illness is now %(new)s instead of %(old)s.") % {
                    "new": new,
                    "old": old,
                }
            if new and new != old:
                return t.gettext("The stage of the illness is now %(new)s.") % {"new": new}
    return t.gettext("The description of your illness has changed.")


def _contact_detail(
    t: NullTranslations,
    change: ContactDetailChanged | RelativeDetailChanged,
    name: str,
    contact: Contact | None,
) -> str:
    values = {"name": name}
    new = change.new_values
    match change.detail:
        case ContactDetail.PHONE if new:
            return t.gettext("%(name)s: the phone number is now %(phone)s.") % {**values, "phone": _phones(change)}
        case ContactDetail.PHONE:
            return t.gettext("%(name)s: no phone number is given any more.") % values
        case ContactDetail.EMAIL if new:
            return t.gettext("%(name)s: the e-mail address is now %(email)s.") % {**values, "email": ", ".join(new)}
        case ContactDetail.EMAIL:
            return t.gettext("%(name)s: no e-mail address is given any more.") % values
        case ContactDetail.WEB if new:
            return t.gettext("%(name)s: the website is now %(url)s.") % {**values, "url": ", ".join(new)}
        case ContactDetail.WEB:
            return t.gettext("%(name)s: no website is given any more.") % values
        case ContactDetail.ADDRESS if new:
            address = _address(contact) or ", ".join(new)
            return t.gettext("%(name)s: the address is now: %(address)s.") % {**values, "address": address}
        case ContactDetail.ADDRESS:
            return t.gettext("%(name)s: no address is given any more.") % values
        case ContactDetail.ORGANISATION if new:
            return t.gettext("%(name)s: now works at %(organisation)s.") % {**values, "organisation": new[0]}
        case ContactDetail.ORGANISATION:
            return t.gettext("%(name)s: no workplace is given any more.") % values
        case ContactDetail.RELATIONSHIP if new:
            return t.gettext("%(name)s: the link with you is now: %(link)s.") % {**values, "link": new[0]}
        case ContactDetail.RELATIONSHIP:
            return t.gettext("%(name)s: the link with you is no longer given.") % values
        case _:
            return t.gettext("%(name)s: your care team changed its note.") % values


def _update_reason(t: NullTranslations, change: UpdateReasonChanged, lang: Lang) -> str:
    same_reason = change.old == change.new or (
        change.old is not None and change.new is not None and change.old.key == change.new.key
    )
    if same_reason and change.new is not None:
        return t.gettext("Your care team changed its note on this update.")
    sentence = update_reason_sentence(change.new, lang)
    if sentence:
        return sentence
    if change.comment:
        return t.gettext("Your care team changed its note on this update.")
    return t.gettext("Your plan no longer says why it changed.")


def _document_detail(t: NullTranslations, change: DocumentDetailChanged, lang: Lang) -> str:
    new = change.new[0] if change.new else None
    match change.detail:
        case DocumentDetail.PATIENT_NAME if new:
            return t.gettext("The name on your plan is now %(name)s.") % {"name": soften_name(new)}
        case DocumentDetail.PATIENT_NAME:
            return t.gettext("Your plan no longer gives your name.")
        case DocumentDetail.AUTHOR if new:
            name = person_name(change.person, lang) or new
            return t.gettext("This version of your plan was written by %(name)s.") % {"name": name}
        case DocumentDetail.AUTHOR:
            return t.gettext("Your plan no longer says who wrote it.")
        case DocumentDetail.CUSTODIAN if new:
            return t.gettext("Your plan is now kept by %(name)s.") % {"name": new}
        case DocumentDetail.CUSTODIAN:
            return t.gettext("Your plan no longer says who keeps it.")
        case DocumentDetail.TITLE if new:
            return t.gettext("The title of your plan is now: %(title)s.") % {"title": new}
        case DocumentDetail.TITLE:
            return t.gettext("Your plan no longer has a title.")
        case DocumentDetail.STATUS_NOTE:
            return t.gettext("Your care team changed its note on your plan.")
        case DocumentDetail.ABOUT_YOU:
            return t.gettext("Your care team changed what it wrote about you.")
        case DocumentDetail.LINKED_DOCUMENTS:
            return t.gettext("The documents linked to your plan have changed.")
        case _:
            return t.gettext("The text about your personal data has changed.")
