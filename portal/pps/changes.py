"""The typed changes between two versions of a care plan, as `portal.pps.matching.diff` returns them: data, never text
(`portal.plain.changes` tells them in plain words)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Any, ClassVar

from portal.pps.model import (
    Address,
    Code,
    Contact,
    HealthProfessional,
    HL7Time,
    PatientName,
    PersonName,
    Phase,
    Place,
    ProgrammeItem,
    Progression,
    RelatedPerson,
    Rhythm,
    TreatmentStop,
)

__all__ = [
    "Change",
    "ChangeRecord",
    "ContactAdded",
    "ContactDetail",
    "ContactDetailChanged",
    "ContactRemoved",
    "DateChanged",
    "DatedFact",
    "DiagnosisChanged",
    "DiagnosisPart",
    "DocumentDetail",
    "DocumentDetailChanged",
    "DocumentStatusChanged",
    "IllnessFact",
    "IllnessFactChanged",
    "IllnessNote",
    "IllnessNoteChanged",
    "ItemAdded",
    "ItemCompleted",
    "ItemContactChanged",
    "ItemDetail",
    "ItemDetailChanged",
    "ItemRemoved",
    "ItemRescheduled",
    "ItemStopped",
    "PhaseChanged",
    "ProgressionChanged",
    "Rank",
    "RelativeAdded",
    "RelativeDetailChanged",
    "RelativeRemoved",
    "RhythmChanged",
    "RouteChanged",
    "TreatmentStopChanged",
    "UpdateReasonChanged",
    "address_text",
    "contact_name",
    "relative_name",
]


class Rank(IntEnum):
    """How much a change matters to the patient: the order in which changes are told (most important first).

    Each rank is also a group of the "what changed" list: a change belongs to the group of what it is about.
    """

    STOP_OF_TREATMENTS = 0
    ILLNESS = 1  # phase, progression, how the illness was found
    DIAGNOSIS = 2  # the tumour: site, side, type, stage, its dates
    PROGRAMME = 3  # a treatment or follow-up added, removed or stopped
    SCHEDULE = 4  # rescheduled
    DETAIL = 5  # rhythm, route, done, places, people and notes of a treatment or follow-up
    SUPPORT = 6  # supportive care and social support: added, removed, and their details
    CONTACTS = 7  # useful contacts and the people close to the patient
    DOCUMENT = 8  # status, reason for the update, who wrote and keeps the plan


# --- values as integrators read them ------------------------------------------------------------------------


def address_text(address: Address | None) -> str | None:
    """One line of an address as the pages show it (street lines, postal code and town), for records."""
    if address is None:
        return None
    town = " ".join(p for p in (address.postal_code, address.city) if p)
    parts = [*address.street_lines, *([town] if town else []), *([address.loose_text] if address.loose_text else [])]
    return ", ".join(parts) or None


def _value(value: object) -> Any:
    """A JSON value for a model value: dates as HL7 strings, codes as system/code/text, names as written."""
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, HL7Time):
        return value.to_hl7()
    if isinstance(value, Code):
        return {"system": value.system, "code": value.code, "text": value.text}
    if isinstance(value, PersonName | PatientName):
        return value.display or None
    if isinstance(value, tuple | list):
        return [_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _value(v) for k, v in value.items()}
    raise TypeError(f"no JSON value for {type(value).__name__}")


def _dates(item: ProgrammeItem) -> dict[str, Any]:
    start, end = item.span
    return {"start": _value(start), "end": _value(end)}


def _rhythm(rhythm: Rhythm | None) -> dict[str, Any] | None:
    if rhythm is None:
        return None
    return {
        "text": rhythm.text,
        "period": " ".join(p for p in (rhythm.period_value, rhythm.period_unit) if p) or None,
        "weekdays": [d.code for d in rhythm.weekdays],
        "at_home": rhythm.at_home,
    }


def _person_name(name: PersonName | None) -> str | None:
    return name.display if name is not None and not name.is_empty else None


def _professional(professional: HealthProfessional | None) -> str | None:
    if professional is None:
        return None
    return _person_name(professional.name) or professional.organization_name


def contact_name(contact: Contact) -> str:
    """Who a contact is, in the document's words: the person, else the organisation, else the role code."""
    return (
        _person_name(contact.person)
        or (contact.organization.name if contact.organization else None)
        or (contact.role_code)
    )


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    """A change as data (`portal pps diff --json`): `kind` says what changed; `item` the entry it is about in the
    document's words (a treatment, a contact, a tumour's site), `who` the person or place within it; `before` and
    `after` the values compared (dates as HL7 strings, codes as system/code/text, phones as dialled)."""

    kind: str
    group: str
    item: str | None
    before: Any
    after: Any
    who: str | None = None

    def as_dict(self) -> dict[str, Any]:
        found = {"kind": self.kind, "group": self.group, "item": self.item}
        if self.who is not None:
            found["who"] = self.who
        return {**found, "before": self.before, "after": self.after}


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between two versions. Subclasses say what changed; `rank` says how much it matters."""

    RANK: ClassVar[Rank] = Rank.DOCUMENT
    #: Order within a rank: a stop before a removal before an addition.
    WEIGHT: ClassVar[int] = 5

    @property
    def rank(self) -> Rank:
        return self.RANK

    def sort_key(self) -> tuple[int, int, tuple[int, ...], str]:
        """Most important first; within a rank, by kind then date; never by where an entry sat in the document."""
        item = getattr(self, "new", None) if not hasattr(self, "item") else getattr(self, "item", None)
        start = item.span[0] if isinstance(item, ProgrammeItem) else None
        return (int(self.rank), self.WEIGHT, start.sort_key() if start else (0,), repr(self))

    def record(self) -> ChangeRecord:
        """The change as data: (kind, item, before, after)."""
        kind, item, before, after, who = self._fields()
        return ChangeRecord(kind, self.rank.name.lower(), item, _value(before), _value(after), who)

    def _fields(self) -> tuple[str, str | None, Any, Any, str | None]:
        raise NotImplementedError


class _ItemChange(Change):
    """A change to one part of a programme or support item: in the support group for a support item."""

    __slots__ = ()
    new: ProgrammeItem  # a field of each subclass

    @property
    def rank(self) -> Rank:
        return Rank.SUPPORT if self.new.is_support else self.RANK


# --- the illness ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TreatmentStopChanged(Change):
    """Stop of all active treatments (MED-052) appeared, disappeared, or changed its date or its note."""

    RANK: ClassVar[Rank] = Rank.STOP_OF_TREATMENTS
    old: TreatmentStop | None
    new: TreatmentStop | None

    def _fields(self) -> tuple[str, str | None, Any, Any, str | None]:
        def stop(value: TreatmentStop | None) -> dict[str, Any] | None:
            return {"date": value.date, "comment": value.comment} if value else None

        return "treatment_stop", None, stop(self.old), stop(self.new), None


@dataclass(frozen=True, slots=True)
class PhaseChanged(Change):
    """The clinical phase (MED-243: initial, relapse) changed."""

    RANK: ClassVar[Rank] = Rank.ILLNESS
    old: Phase | None
    new: Phase | None

    def _fields(self) -> tuple[str, str | None, Any, Any, str | None]:
        return "phase", None, self.old.code if self.old else None, self.new.code if self.new else None, None


@dataclass(frozen=True, slots=True)
class ProgressionChanged(Change):
    """Progression of the illness (MED-245) appeared, disappeared or changed how far it goes."""

    RANK: ClassVar[Rank] = Rank.ILLNESS
    old: Progression | None
    new: Progression | None

    def _fields(self) -> tuple[str, str | None, Any, Any, str | None]:
        old = self.old.extent if self.old else None
        new = self.new.extent if self.new else None
        return "progression", None, old, new, None


class IllnessFact(StrEnum):
    """A yes/no fact of the illness page."""

    SCREENING = "screening"  # found by screening (dépistage, LOINC 63921-1)
    PAEDIATRICS = "paediatrics"  # care for a child (ORG-116)


@dataclass(frozen=True, slots=True)
class IllnessFactChanged(Change):
    """A yes/no fact about the illness changed (None: the plan no longer says)."""

    RANK: ClassVar[Rank] = Rank.ILLNESS
    fact: IllnessFact
    old: bool | None
    new: bool | None

    def _fields(self) -> tuple[str, str | None, Any, Any, str | None]:
        return self.fact.value, None, self.old, self.new, None


class DiagnosisPart(StrEnum):
    """Which part of a tumour's description changed."""

    TUMOUR = "tumour"  # a whole tumour added or removed
    LATERALITY = "laterality"
    MORPHOLOGY = "morphology"
    STAGE = "stage"
    TNM = "tnm"
    SITE_WORDS = "site_words"  # the document's words for the site (same code)
    TNM_EDITION = "tnm_edition"


@dataclass(frozen=True, slots=True)
class DiagnosisChanged(Change):
    """Part of the diagnosis changed. For TUMOUR, `old`/`new` hold the tumour's site (one is None)."""

    RANK: ClassVar[Rank] = Rank.DIAGNOSIS
    part: DiagnosisPart
    old: Code | None
    new: Code | None
    topography: Code | None = None

    def _fields(self) -> tuple[str, str | None, Any, Any, str | None]:
        site = self.topography.text if self.topography else None
        return f"diagnosis_{self.part.value}", site, self.old, self.new, None


class IllnessNote(StrEnum):
    """Words of the care team about the illness, shown as written."""

    TUMOUR_NAME = "tumour_name"  # the tumour's name in the document
    TUMOUR_COMMENT = "tumour_comment"
    OTHER_STAGES = "other_stages"
    PHASE_COMMENT = "phase_comment"
    PAEDIATRICS_COMMENT = "paediatrics_comment"


@dataclass(frozen=True, slots=True)
class IllnessNoteChanged(Change):
    """The team's words about the illness changed: a tumour's name, comment or other stages, or a note on the
    phase or on paediatric care."""

    RANK: ClassVar[Rank] = Rank.DIAGNOSIS
    WEIGHT: ClassVar[int] = 7  # the team's words after the facts they comment
    note: IllnessNote
    old: str | None
    new: str | None
    topography: Code | None = None

    @property
    def rank(self) -> Rank:
        return Rank.ILLNESS if self.note in (IllnessNote.PHASE_COMMENT, IllnessNote.PAEDIATRICS_COMMENT) else self.RANK

    def _fields(self) -> tuple[str, str | None, Any, Any, str | None]:
        site = self.topography.text if self.topography else None
        return self.note.value, site, self.old, self.new, None


class DatedFact(StrEnum):
    """A dated fact of the plan outside its items."""

    FOUND = "found"  # date of diagnosis: "Found on" (date du diagnostic)
    STAGED = "staged"  # date the stage was set
    PHASE_START = "phase_start"  # since when the illness is in its phase
    TEAM_MEETING = "team_meeting"  # date of the multidisciplinary meeting (RCP, ORG-189)


@dataclass(frozen=True, slots=True)
class DateChanged(Change):
    """The date of one fact changed, appeared or disappeared; `topography` names the tumour for its dates."""

    RANK: ClassVar[Rank] = Rank.DIAGNOSIS
    WEIGHT: ClassVar[int] = 6  # a fact's date after the fact
    fact: DatedFact
    old: HL7Time | None
    new: HL7Time | None
    topography: Code | None = None

    @property
    def rank(self) -> Rank:
        if self.fact == DatedFact.PHASE_START:
            return Rank.ILLNESS
        if self.fact == DatedFact.TEAM_MEETING:
            return Rank.DOCUMENT
        return self.RANK

    def _fields(self) -> tuple[str, str | None, Any, Any, str | None]:
        site = self.topography.text if self.topography else None
        return f"date_{self.fact.value}", site, self.old, self.new, None


# --- programme and support items --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemAdded(Change):
    """A treatment, follow-up, supportive care or social support is new in the plan."""

    WEIGHT: ClassVar[int] = 2
    item: ProgrammeItem

    @property
    def rank(self) -> Rank:
        return Rank.SUPPORT if self.item.is_support else Rank.PROGRAMME

    def _fields(self) -> tuple[str, str | None, Any, Any, str | None]:
        return "item_added", self.item.title, None, _dates(self.item), None


@dataclass(frozen=True, slots=True)
class ItemRemoved(Change):
    """A treatment, follow-up, supportive care or social support is no longer in the plan."""

    WEIGHT: ClassVar[int] = 1
    item: ProgrammeItem

    @property
    def rank(self) -> Rank:
        return Rank.SUPPORT if self.item.is_support else Rank.PROGRAMME

    def _fields(self) -> tuple[str, str | None, Any, Any, str | None]:
        return "item_removed", self.item.title, _dates(self.item), None, None


@dataclass(frozen=True, slots=True)
class ItemStopped(Change):
    """An item stopped before its planned end (or is now negated / aborted). `end` is when, when known."""

    RANK: ClassVar[Rank] = Rank.PROGRAMME
    WEIGHT: ClassVar[int] = 0
    old: ProgrammeItem
    new: ProgrammeItem
    end: HL7Time | None

    def _fields(self) -> tuple[str, str | None, Any, Any, str | None]:
        return "item_stopped", self.new.title, _dates(self.old), {"end": _value(self.end)}, None


@dataclass(frozen=True, slots=True)
class ItemCompleted(_ItemChange):
    """A planned item is now recorded as done (réalisé), about when it was planned to end."""

    RANK: ClassVar[Rank] = Rank.DETAIL
    old: ProgrammeItem
    new: ProgrammeItem

    def _fields(self) -> tuple[str, str | None, Any, Any, str | None]:
        return "item_completed", self.new.title, self.old.status.value, self.new.status.value, None


@dataclass(frozen=True, slots=True)
class ItemRescheduled(Change):
    """The dates of an item moved: confirmed dates when there are any, else the planned dates (GEN-177)."""

    RANK: ClassVar[Rank] = Rank.SCHEDULE
    old: ProgrammeItem
    new: ProgrammeItem
    old_start: HL7Time | None
    new_start: HL7Time | None
    old_end: HL7Time | None
    new_end: HL7Time | None

    @property
    def start_moved(self) -> bool:
        return self.old_start != self.new_start

    @property
    def end_moved(self) -> bool:
        return self.old_end != self.new_end

    @property
    def single_day(self) -> bool:
        """Both versions describe a one-day item (start == end)."""
        return self.old_start == self.old_end and self.new_start == self.new_end and self.new_start is not None

    def _fields(self) -> tuple[str, str | None, Any, Any, str | None]:
        return "item_rescheduled", self.new.title, _dates(self.old), _dates(self.new), None


@dataclass(frozen=True, slots=True)
class RhythmChanged(_ItemChange):
    """The rhythm (ORG-004) of an item changed."""

    RANK: ClassVar[Rank] = Rank.DETAIL
    old: ProgrammeItem
    new: ProgrammeItem

    def _fields(self) -> tuple[str, str | None, Any, Any, str | None]:
        return "item_rhythm", self.new.title, _rhythm(self.old.rhythm), _rhythm(self.new.rhythm), None


@dataclass(frozen=True, slots=True)
class RouteChanged(_ItemChange):
    """How an item is given (mode d'administration, ORG-006) changed."""

    RANK: ClassVar[Rank] = Rank.DETAIL
    old: ProgrammeItem
    new: ProgrammeItem

    def _fields(self) -> tuple[str, str | None, Any, Any, str | None]:
        return (
            "item_route",
            self.new.title,
            self.old.route or self.old.route_text,
            (self.new.route or self.new.route_text),
            None,
        )


class ItemDetail(StrEnum):
    """A part of an item's card that changed."""

    TEAM_NAME = "team_name"  # the team's own name for the item (its label)
    SIDE_EFFECTS = "side_effects"  # Effets secondaires notables (MED-565)
    COMMENT = "comment"  # the team's note (48767-8)
    REASONS = "reasons"  # why (RSON)
    PEOPLE = "people"  # who takes care of it: professionals added or removed
    FORECAST = "forecast"  # the dates became confirmed, or only planned again
    REOPENED = "reopened"  # no longer done or no longer cancelled: planned again


@dataclass(frozen=True, slots=True)
class ItemDetailChanged(_ItemChange):
    """One part of an item's card changed; the values are read from `old` and `new` (see `values`)."""

    RANK: ClassVar[Rank] = Rank.DETAIL
    old: ProgrammeItem
    new: ProgrammeItem
    detail: ItemDetail

    def values(self, item: ProgrammeItem) -> Any:
        """What the card shows for this detail, in the document's words."""
        match self.detail:
            case ItemDetail.TEAM_NAME:
                return item.label
            case ItemDetail.SIDE_EFFECTS:
                return item.side_effects
            case ItemDetail.COMMENT:
                return item.comment
            case ItemDetail.REASONS:
                return tuple(r.words for r in item.reasons if r.words)
            case ItemDetail.PEOPLE:
                return tuple(_professional(p) for p in item.who)
            case ItemDetail.FORECAST:
                return item.forecast
            case _:
                return "not_done" if item.negated else item.status.value

    def _fields(self) -> tuple[str, str | None, Any, Any, str | None]:
        return f"item_{self.detail.value}", self.new.title, self.values(self.old), self.values(self.new), None


class ContactDetail(StrEnum):
    """A way to reach someone, or what their card says about them."""

    PHONE = "phone"
    EMAIL = "email"
    WEB = "web"
    ADDRESS = "address"
    ORGANISATION = "organisation"  # the structure they work for
    NOTE = "note"  # the team's note on a contact
    RELATIONSHIP = "relationship"  # the family link of a person close to the patient


@dataclass(frozen=True, slots=True)
class ItemContactChanged(_ItemChange):
    """How to reach a professional or a place of an item changed (its phones, its address, the structure a
    professional works for). One of `performer` and `place` is set (as in `new`); values as for contacts."""

    RANK: ClassVar[Rank] = Rank.DETAIL
    old: ProgrammeItem
    new: ProgrammeItem
    detail: ContactDetail
    old_values: tuple[str, ...]
    new_values: tuple[str, ...]
    performer: HealthProfessional | None = None
    place: Place | None = None

    def _fields(self) -> tuple[str, str | None, Any, Any, str | None]:
        who = _professional(self.performer) if self.performer else (self.place.name if self.place else None)
        return f"item_{self.detail.value}", self.new.title, self.old_values, self.new_values, who


# --- contacts ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContactAdded(Change):
    """A useful contact is new in the plan."""

    RANK: ClassVar[Rank] = Rank.CONTACTS
    contact: Contact

    def _fields(self) -> tuple[str, str | None, Any, Any, str | None]:
        return "contact_added", contact_name(self.contact), None, self.contact.role_code, None


@dataclass(frozen=True, slots=True)
class ContactRemoved(Change):
    """A useful contact is no longer in the plan."""

    RANK: ClassVar[Rank] = Rank.CONTACTS
    contact: Contact

    def _fields(self) -> tuple[str, str | None, Any, Any, str | None]:
        return "contact_removed", contact_name(self.contact), self.contact.role_code, None, None


@dataclass(frozen=True, slots=True)
class ContactDetailChanged(Change):
    """A contact's phones, e-mail or web addresses, postal address, structure or note changed.

    `old_values`/`new_values`: phones as dialled (no scheme, no spaces), addresses in one line, words as written.
    """

    RANK: ClassVar[Rank] = Rank.CONTACTS
    contact: Contact
    detail: ContactDetail
    old_values: tuple[str, ...]
    new_values: tuple[str, ...]

    def _fields(self) -> tuple[str, str | None, Any, Any, str | None]:
        return f"contact_{self.detail.value}", contact_name(self.contact), self.old_values, self.new_values, None


def relative_name(person: RelatedPerson) -> str | None:
    """A person close to the patient as the document names them, else their family link."""
    return _person_name(person.name) or (person.relationship.text if person.relationship else None)


def _role(trusted: bool) -> str:
    return "trusted_person" if trusted else "person_to_call"


@dataclass(frozen=True, slots=True)
class RelativeAdded(Change):
    """A trusted person (`NOK`, `trusted`) or a person to call (`ECON`) is new in the plan."""

    RANK: ClassVar[Rank] = Rank.CONTACTS
    person: RelatedPerson
    trusted: bool

    def _fields(self) -> tuple[str, str | None, Any, Any, str | None]:
        return "close_person_added", relative_name(self.person), None, _role(self.trusted), None


@dataclass(frozen=True, slots=True)
class RelativeRemoved(Change):
    """A trusted person or a person to call is no longer in the plan."""

    RANK: ClassVar[Rank] = Rank.CONTACTS
    person: RelatedPerson
    trusted: bool

    def _fields(self) -> tuple[str, str | None, Any, Any, str | None]:
        return "close_person_removed", relative_name(self.person), _role(self.trusted), None, None


@dataclass(frozen=True, slots=True)
class RelativeDetailChanged(Change):
    """How to reach a person close to the patient (informant), or their family link, changed."""

    RANK: ClassVar[Rank] = Rank.CONTACTS
    person: RelatedPerson
    trusted: bool
    detail: ContactDetail
    old_values: tuple[str, ...]
    new_values: tuple[str, ...]

    def _fields(self) -> tuple[str, str | None, Any, Any, str | None]:
        name = relative_name(self.person)
        return f"close_person_{self.detail.value}", name, self.old_values, self.new_values, None


# --- the document -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentStatusChanged(Change):
    """The document status (GEN-065: in progress, approved…) changed."""

    RANK: ClassVar[Rank] = Rank.DOCUMENT
    old: Code | None
    new: Code | None

    def _fields(self) -> tuple[str, str | None, Any, Any, str | None]:
        return "document_status", None, self.old, self.new, None


@dataclass(frozen=True, slots=True)
class UpdateReasonChanged(Change):
    """The reason given for the update (GEN-037, motif de mise à jour) or the team's comment on it changed."""

    RANK: ClassVar[Rank] = Rank.DOCUMENT
    old: Code | None
    new: Code | None
    comment: str | None = None
    old_comment: str | None = None

    def _fields(self) -> tuple[str, str | None, Any, Any, str | None]:
        before = {"reason": self.old, "comment": self.old_comment}
        return "update_reason", None, before, {"reason": self.new, "comment": self.comment}, None


class DocumentDetail(StrEnum):
    """What the overview says about the plan itself, beyond its status and the reason for the update."""

    PATIENT_NAME = "patient_name"
    AUTHOR = "author"  # who wrote it (auteur)
    CUSTODIAN = "custodian"  # who keeps it (often the 3C)
    TITLE = "title"  # shown for a plan that is a PDF only
    STATUS_NOTE = "status_note"  # the team's comment on the status
    ABOUT_YOU = "about_you"  # the comment on the patient (55112-7)
    LINKED_DOCUMENTS = "linked_documents"  # documents referenced (55107-7)
    PERSONAL_DATA = "personal_data"  # information on personal data


@dataclass(frozen=True, slots=True)
class DocumentDetailChanged(Change):
    """Something the overview says about the plan changed. `old`/`new` are the words as written (a person's name
    as "given FAMILY"); `person` is the new author's name, for a page to write it with their title."""

    RANK: ClassVar[Rank] = Rank.DOCUMENT
    detail: DocumentDetail
    old: tuple[str, ...]
    new: tuple[str, ...]
    person: PersonName | None = None

    def _fields(self) -> tuple[str, str | None, Any, Any, str | None]:
        return f"document_{self.detail.value}", None, self.old, self.new, None
