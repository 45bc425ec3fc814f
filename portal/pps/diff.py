"""What changed between two versions of a care plan: the `pps` step's pure diff of two `CarePlan` models.

`diff(old, new)` returns typed changes (frozen dataclasses), never text: `portal.plain.changes` turns them
into plain sentences. No Flask, no I/O. Entries are matched by what they mean, not by where they sit in the
document: a programme item by (kind, type code, place), a contact by (role, who), a tumour by its site. So
reordering is never a change, and `diff(a, b)` and `diff(b, a)` are mirror images (added ↔ removed).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import ClassVar, TypeVar

from portal.pps.model import (
    CarePlan,
    Code,
    Contact,
    Diagnosis,
    DocumentStatus,
    HL7Time,
    ItemKind,
    ItemStatus,
    Phase,
    ProgrammeItem,
    Progression,
    Rhythm,
    Telecom,
    TreatmentStop,
)

__all__ = [
    "EARLY_STOP_DAYS",
    "Change",
    "ContactAdded",
    "ContactDetail",
    "ContactDetailChanged",
    "ContactRemoved",
    "DiagnosisChanged",
    "DiagnosisPart",
    "DocumentStatusChanged",
    "ItemAdded",
    "ItemCompleted",
    "ItemRemoved",
    "ItemRescheduled",
    "ItemStopped",
    "PhaseChanged",
    "ProgressionChanged",
    "Rank",
    "RhythmChanged",
    "RouteChanged",
    "TreatmentStopChanged",
    "UpdateReasonChanged",
    "diff",
    "item_key",
    "schedule",
]

EARLY_STOP_DAYS = 7
"""An item marked done more than this many days before its planned end was stopped, not completed."""

T = TypeVar("T", bound=Hashable)


class Rank(IntEnum):
    """How much a change matters to the patient: the order in which changes are told (most important first)."""

    STOP_OF_TREATMENTS = 0
    ILLNESS = 1  # phase, progression
    DIAGNOSIS = 2
    PROGRAMME = 3  # a treatment or follow-up added, removed or stopped
    SCHEDULE = 4  # rescheduled
    DETAIL = 5  # rhythm, route, done
    SUPPORT = 6  # supportive care and social support added or removed
    CONTACTS = 7
    DOCUMENT = 8  # status, reason for the update


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
        start = schedule(item)[0] if isinstance(item, ProgrammeItem) else None
        return (int(self.rank), self.WEIGHT, start.sort_key() if start else (0,), repr(self))


# --- the illness ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TreatmentStopChanged(Change):
    """Stop of all active treatments (MED-052) appeared, disappeared or changed its date."""

    RANK: ClassVar[Rank] = Rank.STOP_OF_TREATMENTS
    old: TreatmentStop | None
    new: TreatmentStop | None


@dataclass(frozen=True, slots=True)
class PhaseChanged(Change):
    """The clinical phase (MED-243: initial, relapse) changed."""

    RANK: ClassVar[Rank] = Rank.ILLNESS
    old: Phase | None
    new: Phase | None


@dataclass(frozen=True, slots=True)
class ProgressionChanged(Change):
    """Progression of the illness (MED-245) appeared, disappeared or changed where."""

    RANK: ClassVar[Rank] = Rank.ILLNESS
    old: Progression | None
    new: Progression | None


class DiagnosisPart(StrEnum):
    """Which part of a tumour's description changed."""

    TUMOUR = "tumour"  # a whole tumour added or removed
    LATERALITY = "laterality"
    MORPHOLOGY = "morphology"
    STAGE = "stage"
    TNM = "tnm"


@dataclass(frozen=True, slots=True)
class DiagnosisChanged(Change):
    """Part of the diagnosis changed. For TUMOUR, `old`/`new` hold the tumour's site (one is None)."""

    RANK: ClassVar[Rank] = Rank.DIAGNOSIS
    part: DiagnosisPart
    old: Code | None
    new: Code | None
    topography: Code | None = None


# --- programme and support items --------------------------------------------------------------------------


def _support(item: ProgrammeItem) -> bool:
    return item.kind in (ItemKind.SUPPORTIVE_CARE, ItemKind.SOCIAL_SUPPORT)


@dataclass(frozen=True, slots=True)
class ItemAdded(Change):
    """A treatment, follow-up, supportive care or social support is new in the plan."""

    WEIGHT: ClassVar[int] = 2
    item: ProgrammeItem

    @property
    def rank(self) -> Rank:
        return Rank.SUPPORT if _support(self.item) else Rank.PROGRAMME


@dataclass(frozen=True, slots=True)
class ItemRemoved(Change):
    """A treatment, follow-up, supportive care or social support is no longer in the plan."""

    WEIGHT: ClassVar[int] = 1
    item: ProgrammeItem

    @property
    def rank(self) -> Rank:
        return Rank.SUPPORT if _support(self.item) else Rank.PROGRAMME


@dataclass(frozen=True, slots=True)
class ItemStopped(Change):
    """An item stopped before its planned end (or is now negated / aborted). `end` is when, when known."""

    RANK: ClassVar[Rank] = Rank.PROGRAMME
    WEIGHT: ClassVar[int] = 0
    old: ProgrammeItem
    new: ProgrammeItem
    end: HL7Time | None


@dataclass(frozen=True, slots=True)
class ItemCompleted(Change):
    """A planned item is now recorded as done (réalisé), about when it was planned to end."""

    RANK: ClassVar[Rank] = Rank.DETAIL
    old: ProgrammeItem
    new: ProgrammeItem


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


@dataclass(frozen=True, slots=True)
class RhythmChanged(Change):
    """The rhythm (ORG-004) of an item changed."""

    RANK: ClassVar[Rank] = Rank.DETAIL
    old: ProgrammeItem
    new: ProgrammeItem


@dataclass(frozen=True, slots=True)
class RouteChanged(Change):
    """How an item is given (mode d'administration, ORG-006) changed."""

    RANK: ClassVar[Rank] = Rank.DETAIL
    old: ProgrammeItem
    new: ProgrammeItem


# --- contacts ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContactAdded(Change):
    RANK: ClassVar[Rank] = Rank.CONTACTS
    contact: Contact


@dataclass(frozen=True, slots=True)
class ContactRemoved(Change):
    RANK: ClassVar[Rank] = Rank.CONTACTS
    contact: Contact


class ContactDetail(StrEnum):
    PHONE = "phone"
    EMAIL = "email"


@dataclass(frozen=True, slots=True)
class ContactDetailChanged(Change):
    """A contact's phone numbers or e-mail addresses changed; `old_values`/`new_values` without the scheme."""

    RANK: ClassVar[Rank] = Rank.CONTACTS
    contact: Contact
    detail: ContactDetail
    old_values: tuple[str, ...]
    new_values: tuple[str, ...]


# --- the document -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentStatusChanged(Change):
    """The document status (GEN-065: in progress, approved…) changed."""

    RANK: ClassVar[Rank] = Rank.DOCUMENT
    old: Code | None
    new: Code | None


@dataclass(frozen=True, slots=True)
class UpdateReasonChanged(Change):
    """The reason given for the update (GEN-037, motif de mise à jour) changed."""

    RANK: ClassVar[Rank] = Rank.DOCUMENT
    old: Code | None
    new: Code | None
    comment: str | None = None


# ----------------------------------------------------------------------------------------------------------
# The diff
# ----------------------------------------------------------------------------------------------------------


def diff(old: CarePlan, new: CarePlan) -> tuple[Change, ...]:
    """Every change from `old` to `new`, most important first. Empty for two versions that mean the same."""
    changes: list[Change] = []
    changes += _treatment_stop(old.treatment_stop, new.treatment_stop)
    if _phase_key(old.phase) != _phase_key(new.phase):
        changes.append(PhaseChanged(old.phase, new.phase))
    if _progression_key(old.progression) != _progression_key(new.progression):
        changes.append(ProgressionChanged(old.progression, new.progression))
    changes += _diagnoses(old.diagnoses, new.diagnoses)
    changes += _items((*old.programme, *old.support), (*new.programme, *new.support))
    changes += _contacts(old.contacts, new.contacts)
    changes += _status(old.status, new.status)
    return tuple(sorted(changes, key=lambda c: c.sort_key()))


# --- normalising what "the same" means ---------------------------------------------------------------------


def _words(text: str | None) -> str:
    """Case, accents, spacing and Unicode form do not make two texts different."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def _code_key(code: Code | None) -> tuple[str, ...]:
    """(system, code) for a coded value; its words for an uncoded one; () for nothing."""
    if code is None:
        return ()
    if code.key is not None:
        return code.key
    text = _words(code.text)
    return ("text", text) if text else ()


def _phase_key(phase: Phase | None) -> tuple[object, ...]:
    return () if phase is None or phase.code is None else (_code_key(phase.code),)


def _progression_key(progression: Progression | None) -> tuple[object, ...]:
    if progression is None or not progression.present:
        return ()
    return (bool(progression.local), bool(progression.regional), bool(progression.distant))


def _stop_key(stop: TreatmentStop | None) -> tuple[object, ...]:
    if stop is None or not stop.stopped:
        return ()
    return (True, stop.date)


def _treatment_stop(old: TreatmentStop | None, new: TreatmentStop | None) -> list[Change]:
    if _stop_key(old) == _stop_key(new):
        return []
    return [
        TreatmentStopChanged(old if old and old.stopped else None, new if new and new.stopped else None),
    ]


def _place_key(item: ProgrammeItem) -> tuple[str, ...]:
    names = sorted({_words(p.name) or "/".join(_code_key(p.kind)) for p in item.places} - {""})
    return tuple(names)


def item_key(item: ProgrammeItem) -> tuple[object, ...]:
    """What an item is, whatever its dates or status: (kind, type code — or its words —, places)."""
    what: tuple[str, ...] = _code_key(item.type) or ("label", _words(item.label))
    return (item.kind.value, what, _place_key(item))


def schedule(item: ProgrammeItem) -> tuple[HL7Time | None, HL7Time | None]:
    """(start, end) of an item: each confirmed date, else the planned one."""
    start = end = None
    if item.dates is not None:
        start, end = item.dates.start, item.dates.end
    if item.planned_dates is not None:
        start = start or item.planned_dates.start
        end = end or item.planned_dates.end
    return start, end


def _rhythm_key(rhythm: Rhythm | None) -> tuple[object, ...]:
    if rhythm is None:
        return ()
    key = (
        _words(rhythm.text),
        rhythm.at_home,
        rhythm.period_value,
        rhythm.period_unit,
        tuple(sorted(_code_key(d) for d in rhythm.weekdays)),
        _code_key(rhythm.code),
    )
    return () if key == ("", None, None, None, (), ()) else key


def _route_key(item: ProgrammeItem) -> tuple[str, ...]:
    return _code_key(item.route) or (("text", _words(item.route_text)) if item.route_text else ())


def _day(value: HL7Time | None) -> dt.date | None:
    return value.to_date() if value is not None else None


# --- matching by meaning -----------------------------------------------------------------------------------


def _canonical(value: object) -> str:
    # repr of frozen dataclasses is deterministic: a total order that ignores where an entry sat.
    return repr(value)


def _pair(
    old: Sequence[T],
    new: Sequence[T],
    key: Callable[[T], Hashable],
    label: Callable[[T], str],
    order: Callable[[T], tuple[object, ...]],
) -> tuple[list[tuple[T, T]], list[T], list[T]]:
    """Pair entries of the same meaning (`key`): identical ones first, then same label, then by `order`.

    Returns (pairs, removed, added). Symmetric: swapping `old` and `new` swaps the sides of every pair.
    """
    pairs: list[tuple[T, T]] = []
    removed: list[T] = []
    added: list[T] = []
    groups_old: dict[Hashable, list[T]] = defaultdict(list)
    groups_new: dict[Hashable, list[T]] = defaultdict(list)
    for entry in old:
        groups_old[key(entry)].append(entry)
    for entry in new:
        groups_new[key(entry)].append(entry)

    def sort(entries: Iterable[T]) -> list[T]:
        return sorted(entries, key=lambda e: (order(e), _canonical(e)))

    for group in sorted(set(groups_old) | set(groups_new), key=_canonical):
        left = groups_old.get(group, [])
        right = groups_new.get(group, [])
        # 1. identical entries are the same entry, unchanged.
        common = Counter(left) & Counter(right)
        left = list((Counter(left) - common).elements())
        right = list((Counter(right) - common).elements())
        # 2. same words, paired in date order; 3. what is left, paired in date order.
        by_label_left: dict[str, list[T]] = defaultdict(list)
        by_label_right: dict[str, list[T]] = defaultdict(list)
        for entry in left:
            by_label_left[label(entry)].append(entry)
        for entry in right:
            by_label_right[label(entry)].append(entry)
        rest_left: list[T] = []
        rest_right: list[T] = []
        for words in sorted(set(by_label_left) | set(by_label_right)):
            a, b = sort(by_label_left.get(words, [])), sort(by_label_right.get(words, []))
            n = min(len(a), len(b))
            pairs += list(zip(a[:n], b[:n], strict=True))
            rest_left += a[n:]
            rest_right += b[n:]
        a, b = sort(rest_left), sort(rest_right)
        n = min(len(a), len(b))
        pairs += list(zip(a[:n], b[:n], strict=True))
        removed += a[n:]
        added += b[n:]
    return pairs, removed, added


def _item_order(item: ProgrammeItem) -> tuple[object, ...]:
    start, end = schedule(item)
    return (start.sort_key() if start else (0,), end.sort_key() if end else (0,))


def _items(old: Sequence[ProgrammeItem], new: Sequence[ProgrammeItem]) -> list[Change]:
    pairs, removed, added = _pair(old, new, item_key, lambda i: _words(i.label), _item_order)
    changes: list[Change] = [ItemRemoved(i) for i in removed]
    changes += [ItemAdded(i) for i in added]
    for a, b in pairs:
        changes += _item_changes(a, b)
    return changes


def _stopped(a: ProgrammeItem, b: ProgrammeItem) -> tuple[bool, HL7Time | None]:
    """Whether `b` records that `a` stopped early, and when."""
    _, planned_end = schedule(a)
    _, end = schedule(b)
    if b.negated and not a.negated:
        return True, None
    halted = {"aborted", "cancelled"}
    if (b.status_code or "").lower() in halted and (a.status_code or "").lower() not in halted:
        return True, end
    if a.status == ItemStatus.PLANNED and b.status == ItemStatus.DONE:
        end_day, planned_day = _day(end), _day(planned_end)
        if end_day is not None and planned_day is not None and (planned_day - end_day).days > EARLY_STOP_DAYS:
            return True, end
    return False, None


def _item_changes(a: ProgrammeItem, b: ProgrammeItem) -> list[Change]:
    stopped, end = _stopped(a, b)
    if stopped:
        return [ItemStopped(a, b, end)]
    if a.status == ItemStatus.PLANNED and b.status == ItemStatus.DONE:
        # Done as planned: the finished item's dates and rhythm are history now, not news.
        return [ItemCompleted(a, b)]
    changes: list[Change] = []
    old_start, old_end = schedule(a)
    new_start, new_end = schedule(b)
    if (old_start, old_end) != (new_start, new_end):
        changes.append(ItemRescheduled(a, b, old_start, new_start, old_end, new_end))
    if _rhythm_key(a.rhythm) != _rhythm_key(b.rhythm):
        changes.append(RhythmChanged(a, b))
    if _route_key(a) != _route_key(b):
        changes.append(RouteChanged(a, b))
    return changes


# --- diagnosis ---------------------------------------------------------------------------------------------


def _diagnoses(old: Sequence[Diagnosis], new: Sequence[Diagnosis]) -> list[Change]:
    pairs, removed, added = _pair(
        old,
        new,
        lambda d: _code_key(d.topography) or ("label", _words(d.label)),
        lambda d: _words(d.label),
        lambda d: (d.date.sort_key() if d.date else (0,),),
    )
    changes: list[Change] = [DiagnosisChanged(DiagnosisPart.TUMOUR, d.topography, None, d.topography) for d in removed]
    changes += [DiagnosisChanged(DiagnosisPart.TUMOUR, None, d.topography, d.topography) for d in added]
    for a, b in pairs:
        for part, old_code, new_code in (
            (DiagnosisPart.LATERALITY, a.laterality, b.laterality),
            (DiagnosisPart.MORPHOLOGY, a.morphology, b.morphology),
            (DiagnosisPart.STAGE, a.clinical_stage, b.clinical_stage),
        ):
            if _code_key(old_code) != _code_key(new_code):
                changes.append(DiagnosisChanged(part, old_code, new_code, b.topography))
        old_tnm = tuple(_code_key(c) for c in (a.tnm_t, a.tnm_n, a.tnm_m))
        new_tnm = tuple(_code_key(c) for c in (b.tnm_t, b.tnm_n, b.tnm_m))
        if old_tnm != new_tnm:
            changes.append(DiagnosisChanged(DiagnosisPart.TNM, _tnm_code(a), _tnm_code(b), b.topography))
    return changes


def _tnm_code(d: Diagnosis) -> Code | None:
    parts = [c.code or c.text for c in (d.tnm_t, d.tnm_n, d.tnm_m) if c is not None and (c.code or c.text)]
    return Code(None, None, original_text=" ".join(p for p in parts if p)) if parts else None


# --- contacts ----------------------------------------------------------------------------------------------


def _who(contact: Contact) -> tuple[object, ...]:
    """Who a contact is: their name, else their organisation's name, else their ids."""
    if contact.person is not None and (contact.person.family or contact.person.given):
        return ("person", _words(contact.person.display))
    if contact.organization is not None and contact.organization.name:
        return ("organisation", _words(contact.organization.name))
    return ("ids", tuple(sorted(str(i) for i in contact.ids)))


def _contact_key(contact: Contact) -> tuple[object, ...]:
    return (contact.role.value, _who(contact))


def _telecoms(contact: Contact) -> tuple[Telecom, ...]:
    own = contact.telecoms
    return own + (contact.organization.telecoms if contact.organization else ())


def _phones(contact: Contact) -> tuple[str, ...]:
    return tuple(sorted({"".join(t.address.split()).replace(".", "") for t in _telecoms(contact) if t.is_phone}))


def _emails(contact: Contact) -> tuple[str, ...]:
    return tuple(sorted({t.address.strip().lower() for t in _telecoms(contact) if t.is_email}))


def _contacts(old: Sequence[Contact], new: Sequence[Contact]) -> list[Change]:
    pairs, removed, added = _pair(old, new, _contact_key, lambda c: _words(c.comment), lambda c: ())
    changes: list[Change] = [ContactRemoved(c) for c in removed]
    changes += [ContactAdded(c) for c in added]
    for a, b in pairs:
        for detail, values in ((ContactDetail.PHONE, _phones), (ContactDetail.EMAIL, _emails)):
            if values(a) != values(b):
                changes.append(ContactDetailChanged(b, detail, values(a), values(b)))
    return changes


# --- document status ---------------------------------------------------------------------------------------


def _status(old: DocumentStatus | None, new: DocumentStatus | None) -> list[Change]:
    changes: list[Change] = []
    old_status = old.status if old else None
    new_status = new.status if new else None
    if _code_key(old_status) != _code_key(new_status):
        changes.append(DocumentStatusChanged(old_status, new_status))
    old_reason = old.update_reason if old else None
    new_reason = new.update_reason if new else None
    old_comment = old.update_reason_comment if old else None
    new_comment = new.update_reason_comment if new else None
    if _code_key(old_reason) != _code_key(new_reason) or _words(old_comment) != _words(new_comment):
        changes.append(UpdateReasonChanged(old_reason, new_reason, new_comment))
    return changes
