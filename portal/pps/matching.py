"""How two versions of a care plan are compared: entries paired by what they mean, then each pair compared.

`diff(old, new)` returns the typed changes of `portal.pps.changes`, most important first. No Flask, no I/O.
Entries are matched by meaning, not by where they sit in the document: a programme item by (kind, type code,
place), a contact by (role, who), a tumour by its site. So reordering is never a change, and `diff(a, b)` and
`diff(b, a)` are mirror images (added ↔ removed).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TypeVar

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
    RhythmChanged,
    RouteChanged,
    TreatmentStopChanged,
    UpdateReasonChanged,
)
from portal.pps.model import (
    CarePlan,
    Code,
    Contact,
    Diagnosis,
    DocumentStatus,
    HL7Time,
    ItemStatus,
    Phase,
    ProgrammeItem,
    Progression,
    Rhythm,
    Telecom,
    TreatmentStop,
)

__all__ = ["EARLY_STOP_DAYS", "diff", "item_key"]

EARLY_STOP_DAYS = 7
"""An item marked done more than this many days before its planned end was stopped, not completed."""

T = TypeVar("T", bound=Hashable)


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
    start, end = item.span
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
    _, planned_end = a.span
    _, end = b.span
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
    old_start, old_end = a.span
    new_start, new_end = b.span
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
