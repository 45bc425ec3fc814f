"""What changed, in plain words: the `plain` step that turns `portal.pps.changes` into short sentences.

`change_sentences(changes, lang)` gives one sentence per change ("Radiotherapy: now starts on 10 March 2026
instead of 3 March 2026."), in French or English, most important first (the diff's order: stop of treatments,
the illness, treatments added or removed, dates, then the rest). No Flask: the sentences come from the
project's catalogue (`translations/`) through Babel's own `Translations`, so the CLI and the pages say the
same thing, and `pybabel extract` finds every `gettext` call here. Dates keep their precision and are shown
in Europe/Paris time. Each sentence is whole, with named placeholders, under 20 words.

The sentences speak of "the plan" and "the illness", never "your": the patient, a caregiver and a legal
representative read the same words. A change whose two values can both be shown also carries them (`before`,
`after`) with a short `lead` that says what changed without them, so that a page can show "3 March 2026 →
10 March 2026". `ChangeSentences.groups` puts the sentences under headings, in the order that matters to the
person: treatments, the illness, dates, whom to call, support, and the plan document last.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import IntEnum

from babel.support import NullTranslations

from portal.plain.labels import (
    KIND_VALUE_SETS,
    Lang,
    PlainLabel,
    item_kind_label,
    label,
    morphology_label,
    phase_label,
    progression_label,
    rhythm_text,
    rhythm_words,
    role_label,
    status_label,
    topography_label,
    update_reason_sentence,
)
from portal.plain.labels import (
    laterality_label as side_label,
)
from portal.plain.texts import catalogue
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

__all__ = [
    "ChangeGroup",
    "ChangeSentence",
    "ChangeSentences",
    "GroupOfChanges",
    "change_group",
    "change_sentences",
]

_SUPPORT = (ItemKind.SUPPORTIVE_CARE, ItemKind.SOCIAL_SUPPORT)


class ChangeGroup(IntEnum):
    """The headings of "what changed", in the order that matters to the person reading."""

    TREATMENTS = 0  # the end of the active treatments, a treatment or follow-up added, removed, stopped or changed
    ILLNESS = 1  # the phase, the progression, the tumour and their dates
    DATES = 2  # a treatment, follow-up or support moved, or its dates confirmed
    CONTACTS = 3  # whom to call: contacts, the people close to the patient, how to reach a professional or place
    SUPPORT = 4  # supportive care and social support
    PLAN = 5  # the plan document: its status, reason, author, keeper, title, team meeting


def change_group(change: Change) -> ChangeGroup:
    """The heading a change goes under (the typed change's rank says how much it matters; this says where)."""
    if isinstance(change, ItemContactChanged):
        return ChangeGroup.CONTACTS
    if isinstance(change, ItemRescheduled) or (
        isinstance(change, ItemDetailChanged) and change.detail == ItemDetail.FORECAST
    ):
        return ChangeGroup.DATES
    return _GROUP_OF_RANK[change.rank]


_GROUP_OF_RANK: dict[Rank, ChangeGroup] = {
    Rank.STOP_OF_TREATMENTS: ChangeGroup.TREATMENTS,
    Rank.ILLNESS: ChangeGroup.ILLNESS,
    Rank.DIAGNOSIS: ChangeGroup.ILLNESS,
    Rank.PROGRAMME: ChangeGroup.TREATMENTS,
    Rank.SCHEDULE: ChangeGroup.DATES,
    Rank.DETAIL: ChangeGroup.TREATMENTS,
    Rank.SUPPORT: ChangeGroup.SUPPORT,
    Rank.CONTACTS: ChangeGroup.CONTACTS,
    Rank.DOCUMENT: ChangeGroup.PLAN,
}


def _group_heading(group: ChangeGroup, lang: Lang) -> str:
    t = catalogue(lang)
    match group:
        case ChangeGroup.TREATMENTS:
            return t.gettext("Treatments and follow-up")
        case ChangeGroup.ILLNESS:
            return t.gettext("The illness")
        case ChangeGroup.DATES:
            return t.gettext("Dates")
        case ChangeGroup.CONTACTS:
            return t.gettext("Who to call")
        case ChangeGroup.SUPPORT:
            return t.gettext("Support")
        case _:
            return t.gettext("The plan document")


@dataclass(frozen=True, slots=True)
class ChangeSentence:
    """One change told in one sentence. `detail` is the document's own name for the entry, when it adds
    something (e.g. "Radiothérapie du sein gauche (15 séances)"), in the document's language.

    When both values of the change can be shown, `before` and `after` hold them (as the pages write them) and
    `lead` says what changed without them ("Radiotherapy: the start date has changed."); `text` is the whole
    sentence either way. `values_from_document` says the values are the document's own words (its language).
    """

    text: str
    rank: Rank
    detail: str | None = None
    group: ChangeGroup = ChangeGroup.PLAN
    lead: str | None = None
    before: str | None = None
    after: str | None = None
    values_from_document: bool = False

    @property
    def shows_values(self) -> bool:
        """Whether a page shows this change as its lead and "before → after"."""
        return self.lead is not None and self.before is not None and self.after is not None


@dataclass(frozen=True, slots=True)
class GroupOfChanges:
    """One heading of "what changed" and its sentences, most important first."""

    group: ChangeGroup
    heading: str
    sentences: tuple[ChangeSentence, ...]


class ChangeSentences(tuple[ChangeSentence, ...]):
    """The sentences of a comparison, in the diff's order, that also know their headings (`groups`)."""

    lang: Lang

    def __new__(cls, sentences: Iterable[ChangeSentence], lang: Lang) -> ChangeSentences:
        found = super().__new__(cls, sentences)
        found.lang = lang
        return found

    @property
    def groups(self) -> tuple[GroupOfChanges, ...]:
        """The sentences under their headings, in the order of `ChangeGroup`. The document's own name for an
        entry is given once, with the first sentence about it: the next ones name it in plain words only."""
        named: set[str] = set()
        grouped: dict[ChangeGroup, list[ChangeSentence]] = {}
        for sentence in sorted(self, key=lambda found: found.group):  # stable: the diff's order within a group
            detail = sentence.detail
            if detail is not None and detail in named:
                sentence = replace(sentence, detail=None)
            elif detail is not None:
                named.add(detail)
            grouped.setdefault(sentence.group, []).append(sentence)
        return tuple(
            GroupOfChanges(group, _group_heading(group, self.lang), tuple(told)) for group, told in grouped.items()
        )


def change_sentences(changes: Sequence[Change], lang: Lang) -> ChangeSentences:
    """The sentences of `changes`, in their order (the diff's, most important first); silent ones skipped."""
    told = (_sentence(change, lang) for change in changes)
    return ChangeSentences((s for s in told if s is not None), lang)


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
    return catalogue(lang).gettext("A close relative or friend")


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
        name = ""
        text = _plan_sentence(t, change, lang)
    if not text:
        return None
    told = ChangeSentence(text, change.rank, detail, change_group(change))
    values = _values(t, change, name, lang)
    if values is None:
        return told
    lead, before, after, from_document = values
    if not before or not after or before == after:
        return told
    return replace(told, lead=lead, before=before, after=after, values_from_document=from_document)


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
                return t.gettext("%(name)s: it is now given this way: %(route)s.") % {
                    "name": name,
                    "route": _lower_first(route),
                }
            return t.gettext("%(name)s: the plan no longer says how it is given.") % {"name": name}
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
            return t.gettext("%(name)s: the care team now calls it “%(words)s”.") % {**values, "words": item.label}
        case ItemDetail.TEAM_NAME:
            return t.gettext("%(name)s: the care team no longer gives it a name of its own.") % values
        case ItemDetail.SIDE_EFFECTS:
            return t.gettext("%(name)s: the side effects to watch have changed.") % values
        case ItemDetail.COMMENT:
            return t.gettext("%(name)s: the care team changed its note.") % values
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
                return t.gettext("The plan no longer gives the phase of the illness.")
            return t.gettext("The phase of the illness is now: %(phase)s.") % {"phase": _lower_first(words.text)}
        case ProgressionChanged(new=new):
            words = progression_label(new, lang)
            if words is None:
                return t.gettext("The plan no longer notes a progression of the illness.")
            return t.gettext("The plan now notes a change in the illness: %(what)s.") % {
                "what": _lower_first(words.text)
            }
        case IllnessFactChanged():
            return _illness_fact(t, change)
        case DiagnosisChanged():
            return _diagnosis(t, change, lang)
        case IllnessNoteChanged(note=note):
            if note in (IllnessNote.TUMOUR_NAME, IllnessNote.OTHER_STAGES):
                return t.gettext("The medical details of the illness have changed.")
            return t.gettext("The care team changed its note on the illness.")
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
                return t.gettext("%(name)s is now the trusted person.") % name
            return t.gettext("%(name)s is now the person to call if needed.") % name
        case RelativeRemoved(person=person, trusted=trusted):
            name = {"name": _relative_name(person, lang)}
            if trusted:
                return t.gettext("%(name)s is no longer the trusted person.") % name
            return t.gettext("%(name)s is no longer the person to call if needed.") % name
        case RelativeDetailChanged():
            return _contact_detail(t, change, _relative_name(change.person, lang), None)
        case DocumentStatusChanged(new=new):
            words = status_label(new, lang)
            if words is None:
                return t.gettext("The plan no longer gives its status.")
            return t.gettext("The status of the plan is now: %(status)s.") % {"status": _lower_first(words.text)}
        case UpdateReasonChanged():
            return _update_reason(t, change, lang)
        case DocumentDetailChanged():
            return _document_detail(t, change, lang)
    return None


def _stop(t: NullTranslations, old: TreatmentStop | None, new: TreatmentStop | None, lang: Lang) -> str:
    if new is None:
        return t.gettext("The plan no longer marks the end of the active treatments.")
    new_date, old_date = _date(new.date, lang), _date(old.date if old else None, lang)
    if old is not None and new.date == old.date:
        return t.gettext("The care team changed its note on the end of the active treatments.")
    if old is not None and new_date and old_date:
        return t.gettext("The active treatments now end on %(new)s instead of %(old)s.") % {
            "new": new_date,
            "old": old_date,
        }
    if new_date:
        return t.gettext("The plan now marks the end of the active treatments, on %(date)s.") % {"date": new_date}
    return t.gettext("The plan now marks the end of the active treatments.")


def _added(t: NullTranslations, item: ProgrammeItem, name: str, lang: Lang) -> str:
    words = _lower_first(name)
    if item.kind in _SUPPORT:
        return t.gettext("New support: %(name)s.") % {"name": words}
    start, end = item.span
    start_text = _date(start, lang)
    if start_text and start == end:
        return t.gettext("New in the plan: %(name)s, on %(date)s.") % {"name": words, "date": start_text}
    if start_text:
        return t.gettext("New in the plan: %(name)s, from %(date)s.") % {"name": words, "date": start_text}
    return t.gettext("New in the plan: %(name)s.") % {"name": words}


def _removed(t: NullTranslations, item: ProgrammeItem, name: str) -> str:
    words = _lower_first(name)
    if item.kind in _SUPPORT:
        return t.gettext("Support no longer in the plan: %(name)s.") % {"name": words}
    return t.gettext("No longer in the plan: %(name)s.") % {"name": words}


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
            return t.gettext("The plan no longer says how the illness was found.")
        if change.new:
            return t.gettext("The plan now says screening found the illness.")
        return t.gettext("The plan now says screening did not find the illness.")
    if change.new:
        return t.gettext("The plan now says this is care for a child.")
    return t.gettext("The plan no longer says this is care for a child.")


def _dated(t: NullTranslations, change: DateChanged, lang: Lang) -> str:
    when = _date(change.new, lang)
    values = {"date": when or ""}
    match change.fact:
        case DatedFact.FOUND if when:
            return t.gettext("The plan now says the illness was found on %(date)s.") % values
        case DatedFact.FOUND:
            return t.gettext("The plan no longer says when the illness was found.")
        case DatedFact.STAGED if when:
            return t.gettext("The plan now says the stage was set on %(date)s.") % values
        case DatedFact.STAGED:
            return t.gettext("The plan no longer says when the stage was set.")
        case DatedFact.PHASE_START if when:
            return t.gettext("The plan now says this phase began on %(date)s.") % values
        case DatedFact.PHASE_START:
            return t.gettext("The plan no longer says when this phase began.")
        case _ if when:
            return t.gettext("The team meeting about the care (RCP) is now dated %(date)s.") % values
        case _:
            return t.gettext("The plan no longer gives the date of the team meeting (RCP).")


def _diagnosis(t: NullTranslations, change: DiagnosisChanged, lang: Lang) -> str:
    if change.part == DiagnosisPart.TUMOUR:
        site = topography_label(change.new or change.old, lang)
        where = _lower_first(site.text) if site else None
        if where and change.new is not None:
            return t.gettext("The plan now describes another tumour: %(site)s.") % {"site": where}
        if where:
            return t.gettext("The plan no longer describes this tumour: %(site)s.") % {"site": where}
    elif change.part in (DiagnosisPart.SITE_WORDS, DiagnosisPart.TNM_EDITION):
        return t.gettext("The medical details of the illness have changed.")
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
    return t.gettext("The description of the illness has changed.")


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
            return t.gettext("%(name)s: the family link is now: %(link)s.") % {**values, "link": new[0]}
        case ContactDetail.RELATIONSHIP:
            return t.gettext("%(name)s: the family link is no longer given.") % values
        case _:
            return t.gettext("%(name)s: the care team changed its note.") % values


def _update_reason(t: NullTranslations, change: UpdateReasonChanged, lang: Lang) -> str:
    same_reason = change.old == change.new or (
        change.old is not None and change.new is not None and change.old.key == change.new.key
    )
    if same_reason and change.new is not None:
        return t.gettext("The care team changed its note on this update.")
    sentence = update_reason_sentence(change.new, lang)
    if sentence:
        return sentence
    if change.comment:
        return t.gettext("The care team changed its note on this update.")
    return t.gettext("The plan no longer says why it changed.")


def _document_detail(t: NullTranslations, change: DocumentDetailChanged, lang: Lang) -> str:
    new = change.new[0] if change.new else None
    match change.detail:
        case DocumentDetail.PATIENT_NAME if new:
            return t.gettext("The name on the plan is now %(name)s.") % {"name": soften_name(new)}
        case DocumentDetail.PATIENT_NAME:
            return t.gettext("The plan no longer gives a name.")
        case DocumentDetail.AUTHOR if new:
            name = person_name(change.person, lang) or new
            return t.gettext("This version of the plan was written by %(name)s.") % {"name": name}
        case DocumentDetail.AUTHOR:
            return t.gettext("The plan no longer says who wrote it.")
        case DocumentDetail.CUSTODIAN if new:
            return t.gettext("The plan is now kept by %(name)s.") % {"name": new}
        case DocumentDetail.CUSTODIAN:
            return t.gettext("The plan no longer says who keeps it.")
        case DocumentDetail.TITLE if new:
            return t.gettext("The title of the plan is now: %(title)s.") % {"title": new}
        case DocumentDetail.TITLE:
            return t.gettext("The plan no longer has a title.")
        case DocumentDetail.STATUS_NOTE:
            return t.gettext("The care team changed its note on the plan.")
        case DocumentDetail.ABOUT_YOU:
            return t.gettext("The care team changed what it wrote about the person cared for.")
        case DocumentDetail.LINKED_DOCUMENTS:
            return t.gettext("The documents linked to the plan have changed.")
        case _:
            return t.gettext("The text about personal data has changed.")


# --- before → after ---------------------------------------------------------------------------------------------

#: What `_values` gives: the lead ("Radiotherapy: the start date has changed."), the value before and after, and
#: whether the values are the document's own words.
Values = tuple[str, str | None, str | None, bool]


def _label_text(found: PlainLabel | None) -> str | None:
    return found.text if found is not None else None


def _joined(values: Iterable[str | None]) -> str | None:
    return ", ".join(v for v in values if v) or None


def _values(t: NullTranslations, change: Change, name: str, lang: Lang) -> Values | None:
    """The two values of a change that has both, with the lead that says what changed; None for the others."""
    named = {"name": name}
    match change:
        case ItemRescheduled():
            return _moved(t, change, named, lang)
        case TreatmentStopChanged(old=old, new=new) if old is not None and new is not None:
            lead = t.gettext("The end date of the active treatments has changed.")
            return lead, _date(old.date, lang), _date(new.date, lang), False
        case PhaseChanged(old=old, new=new):
            before = _label_text(phase_label(old.code if old else None, lang))
            after = _label_text(phase_label(new.code if new else None, lang))
            return t.gettext("The phase of the illness has changed."), before, after, False
        case ProgressionChanged(old=old, new=new):
            before, after = _label_text(progression_label(old, lang)), _label_text(progression_label(new, lang))
            return (
                t.gettext("What the plan says about the progression of the illness has changed."),
                before,
                after,
                False,
            )
        case DiagnosisChanged():
            return _diagnosis_values(t, change, lang)
        case DateChanged():
            return _dated_lead(t, change.fact), _date(change.old, lang), _date(change.new, lang), False
        case RhythmChanged(old=old, new=new):
            before_words, after_words = rhythm_words(old.rhythm, lang), rhythm_words(new.rhythm, lang)
            from_document = bool(
                (before_words and before_words.from_document) or (after_words and after_words.from_document)
            )
            before, after = rhythm_text(old.rhythm, lang), rhythm_text(new.rhythm, lang)
            return t.gettext("%(name)s: the rhythm has changed.") % named, before, after, from_document
        case RouteChanged(old=old, new=new):
            before = _code_words(old.route, lang, CodeKind.ROUTE) or old.route_text
            after = _code_words(new.route, lang, CodeKind.ROUTE) or new.route_text
            return t.gettext("%(name)s: the way it is given has changed.") % named, before, after, False
        case ItemDetailChanged(detail=ItemDetail.TEAM_NAME, old=old, new=new):
            return t.gettext("%(name)s: the care team gave it another name.") % named, old.label, new.label, True
        case ItemDetailChanged(detail=ItemDetail.PEOPLE, old=old, new=new):
            before = _joined(_professional_name(p, lang) for p in old.who)
            after = _joined(_professional_name(p, lang) for p in new.who)
            return t.gettext("%(name)s: the people who take care of it have changed.") % named, before, after, False
        case ItemContactChanged():
            return _item_contact_values(t, change, named, lang)
        case ContactDetailChanged() | RelativeDetailChanged():
            who = (
                _contact_name(change.contact, lang)
                if isinstance(change, ContactDetailChanged)
                else _relative_name(change.person, lang)
            )
            return _contact_values(t, change, {"name": who})
        case DocumentStatusChanged(old=old, new=new):
            before, after = _label_text(status_label(old, lang)), _label_text(status_label(new, lang))
            return t.gettext("The status of the plan has changed."), before, after, False
        case DocumentDetailChanged():
            return _document_values(t, change)
    return None


def _moved(t: NullTranslations, change: ItemRescheduled, named: dict[str, str], lang: Lang) -> Values | None:
    if change.single_day and change.old_start == change.old_end:
        lead = t.gettext("%(name)s: the date has changed.") % named
        return lead, _date(change.old_start, lang), _date(change.new_start, lang), False
    if change.start_moved:
        lead = t.gettext("%(name)s: the start date has changed.") % named
        return lead, _date(change.old_start, lang), _date(change.new_start, lang), False
    lead = t.gettext("%(name)s: the end date has changed.") % named
    return lead, _date(change.old_end, lang), _date(change.new_end, lang), False


def _diagnosis_values(t: NullTranslations, change: DiagnosisChanged, lang: Lang) -> Values | None:
    match change.part:
        case DiagnosisPart.LATERALITY:
            before, after = _label_text(side_label(change.old, lang)), _label_text(side_label(change.new, lang))
            return t.gettext("The side of the illness has changed."), before, after, False
        case DiagnosisPart.MORPHOLOGY:
            old, new = morphology_label(change.old, lang), morphology_label(change.new, lang)
            before = old.text if old else (change.old.text if change.old else None)
            after = new.text if new else (change.new.text if change.new else None)
            return t.gettext("The type of tumour has changed."), before, after, old is None or new is None
        case DiagnosisPart.STAGE | DiagnosisPart.TNM:
            before, after = (change.old.text if change.old else None), (change.new.text if change.new else None)
            return t.gettext("The stage of the illness has changed."), before, after, True
    return None


def _dated_lead(t: NullTranslations, fact: DatedFact) -> str:
    match fact:
        case DatedFact.FOUND:
            return t.gettext("The date the illness was found has changed.")
        case DatedFact.STAGED:
            return t.gettext("The date the stage was set has changed.")
        case DatedFact.PHASE_START:
            return t.gettext("The date this phase began has changed.")
        case _:
            return t.gettext("The date of the team meeting (RCP) has changed.")


def _shown(detail: ContactDetail, values: tuple[str, ...]) -> str | None:
    """Contact values as the pages write them: phones in pairs, addresses and names not in capitals."""
    if detail == ContactDetail.PHONE:
        return _joined(phone_text(value) for value in values)
    if detail in (ContactDetail.ADDRESS, ContactDetail.ORGANISATION):
        return _joined(soften_name(value) for value in values)
    return _joined(values)


def _item_contact_values(
    t: NullTranslations, change: ItemContactChanged, named: dict[str, str], lang: Lang
) -> Values | None:
    who = _professional_name(change.performer, lang) or _place_name(change.place)
    values = {**named, "who": who or ""}
    before, after = _shown(change.detail, change.old_values), _shown(change.detail, change.new_values)
    match change.detail:
        case ContactDetail.PHONE if who:
            lead = t.gettext("%(name)s: the phone number of %(who)s has changed.") % values
        case ContactDetail.PHONE:
            lead = t.gettext("%(name)s: the phone number has changed.") % values
        case ContactDetail.ORGANISATION if who:
            lead = t.gettext("%(name)s: the workplace of %(who)s has changed.") % values
        case ContactDetail.ADDRESS if who:
            lead = t.gettext("%(name)s: the address of %(who)s has changed.") % values
        case ContactDetail.ADDRESS:
            lead = t.gettext("%(name)s: the address has changed.") % values
        case _:
            return None
    return lead, before, after, False


def _contact_values(
    t: NullTranslations, change: ContactDetailChanged | RelativeDetailChanged, named: dict[str, str]
) -> Values | None:
    before, after = _shown(change.detail, change.old_values), _shown(change.detail, change.new_values)
    match change.detail:
        case ContactDetail.PHONE:
            lead = t.gettext("%(name)s: the phone number has changed.") % named
        case ContactDetail.EMAIL:
            lead = t.gettext("%(name)s: the e-mail address has changed.") % named
        case ContactDetail.WEB:
            lead = t.gettext("%(name)s: the website has changed.") % named
        case ContactDetail.ADDRESS:
            lead = t.gettext("%(name)s: the address has changed.") % named
        case ContactDetail.ORGANISATION:
            lead = t.gettext("%(name)s: the workplace has changed.") % named
        case ContactDetail.RELATIONSHIP:
            return t.gettext("%(name)s: the family link has changed.") % named, before, after, True
        case _:
            return None
    return lead, before, after, False


def _document_values(t: NullTranslations, change: DocumentDetailChanged) -> Values | None:
    before = soften_name(change.old[0]) if change.old else None
    after = soften_name(change.new[0]) if change.new else None
    match change.detail:
        case DocumentDetail.PATIENT_NAME:
            return t.gettext("The name on the plan has changed."), before, after, False
        case DocumentDetail.AUTHOR:
            return t.gettext("The person who wrote the plan has changed."), before, after, False
        case DocumentDetail.CUSTODIAN:
            return t.gettext("The place that keeps the plan has changed."), before, after, False
        case DocumentDetail.TITLE:
            old, new = (change.old[0] if change.old else None), (change.new[0] if change.new else None)
            return t.gettext("The title of the plan has changed."), old, new, True
    return None
