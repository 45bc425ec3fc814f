"""How two versions of a care plan are compared (`pps` step, no Flask, no I/O): entries paired by what they mean, then
each pair compared."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from functools import partial
from typing import TypeVar

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
    RelativeAdded,
    RelativeDetailChanged,
    RelativeRemoved,
    RhythmChanged,
    RouteChanged,
    TreatmentStopChanged,
    UpdateReasonChanged,
    address_text,
)
from portal.pps.model import (
    Address,
    CarePlan,
    Code,
    Contact,
    Diagnosis,
    HealthProfessional,
    HL7Time,
    ItemStatus,
    PersonName,
    ProgrammeItem,
    RelatedPerson,
    Rhythm,
    Telecom,
    TreatmentStop,
)

__all__ = ["EARLY_STOP_DAYS", "diff", "item_key"]

EARLY_STOP_DAYS = 7
"""An item marked done more than this many days before its planned end was stopped, not completed."""

T = TypeVar("T", bound=Hashable)


def diff(old: CarePlan, new: CarePlan) -> tuple[Change, ...]:
    """Every change from `old` to `new`, most important first. Empty for two versions that mean the same.

    It compares what the plan pages show, read through the same model accessors as the pages (`ProgrammeItem.span`,
    `.where`, `.who`, `Contact.reach`, `.address`, `.note`…), so a change a person can see is a change it reports,
    and a value no page shows is never one. Entries are matched by meaning, not by position: a programme item by
    (kind, type code, place), a contact by (role, who), a tumour by its site; so reordering is never a change, and
    `diff(a, b)` and `diff(b, a)` are mirror images (added ↔ removed).
    """
    if old.is_pdf_only and new.is_pdf_only:
        # The pages of a plan published as a PDF show what its header says of it, nothing else.
        return tuple(sorted(_header(old, new), key=lambda c: c.sort_key()))
    changes: list[Change] = []
    changes += _treatment_stop(old.treatment_stop, new.treatment_stop)
    changes += _illness(old, new)
    changes += _diagnoses(old.diagnoses, new.diagnoses)
    changes += _items((*old.programme, *old.support), (*new.programme, *new.support))
    changes += _contacts(old.contacts, new.contacts)
    changes += _relatives(old.trusted_persons, new.trusted_persons, trusted=True)
    changes += _relatives(old.emergency_contacts, new.emergency_contacts, trusted=False)
    changes += _document(old, new)
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


def _coded_key(code: Code | None) -> tuple[str, ...]:
    """A code as the medical details show it: the code and the document's words for it."""
    return (*_code_key(code), _words(code.words)) if code is not None else ()


def _day(value: HL7Time | None) -> dt.date | None:
    return value.to_date() if value is not None else None


def _address_key(address: Address | None) -> str:
    return _words(address_text(address))


def _phones(telecoms: Iterable[Telecom]) -> tuple[str, ...]:
    return tuple(sorted({t.dialable for t in telecoms if t.is_phone and t.dialable}))


def _emails(telecoms: Iterable[Telecom]) -> tuple[str, ...]:
    return tuple(sorted({t.address.strip().lower() for t in telecoms if t.is_email and t.address.strip()}))


def _webs(urls: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(urls)))


def _values_change(
    detail: ContactDetail, old: tuple[str, ...], new: tuple[str, ...], make: Callable[..., Change]
) -> list[Change]:
    """`make(detail, old, new)` when the values differ: how to reach someone, compared as a set of values."""
    return [make(detail, old, new)] if old != new else []


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


# --- the illness -------------------------------------------------------------------------------------------


def _stop_key(stop: TreatmentStop | None) -> tuple[object, ...]:
    if stop is None or not stop.stopped:
        return ()
    return (True, stop.date, _words(stop.comment))


def _treatment_stop(old: TreatmentStop | None, new: TreatmentStop | None) -> list[Change]:
    if _stop_key(old) == _stop_key(new):
        return []
    return [
        TreatmentStopChanged(old if old and old.stopped else None, new if new and new.stopped else None),
    ]


def _illness(old: CarePlan, new: CarePlan) -> list[Change]:
    changes: list[Change] = []
    old_code = old.phase.code if old.phase else None
    new_code = new.phase.code if new.phase else None
    if _code_key(old_code) != _code_key(new_code):
        changes.append(PhaseChanged(old.phase, new.phase))
    old_since = old.phase.date if old.phase else None
    new_since = new.phase.date if new.phase else None
    if old_since != new_since:
        changes.append(DateChanged(DatedFact.PHASE_START, old_since, new_since))
    old_note = old.phase.comment if old.phase else None
    new_note = new.phase.comment if new.phase else None
    if _words(old_note) != _words(new_note):
        changes.append(IllnessNoteChanged(IllnessNote.PHASE_COMMENT, old_note, new_note))
    old_extent = old.progression.extent if old.progression else None
    new_extent = new.progression.extent if new.progression else None
    if old_extent != new_extent:
        changes.append(ProgressionChanged(old.progression, new.progression))
    old_screening = old.discovery.screening if old.discovery else None
    new_screening = new.discovery.screening if new.discovery else None
    if old_screening != new_screening:
        changes.append(IllnessFactChanged(IllnessFact.SCREENING, old_screening, new_screening))
    # The page says "care for a child: yes" and nothing otherwise.
    old_child = bool(old.paediatrics and old.paediatrics.applies)
    new_child = bool(new.paediatrics and new.paediatrics.applies)
    if old_child != new_child:
        changes.append(IllnessFactChanged(IllnessFact.PAEDIATRICS, old_child, new_child))
    old_note = old.paediatrics.comment if old.paediatrics else None
    new_note = new.paediatrics.comment if new.paediatrics else None
    if _words(old_note) != _words(new_note):
        changes.append(IllnessNoteChanged(IllnessNote.PAEDIATRICS_COMMENT, old_note, new_note))
    return changes


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
        changes += _tumour(a, b)
    return changes


def _tumour(a: Diagnosis, b: Diagnosis) -> list[Change]:
    site = b.topography
    changes: list[Change] = []
    for part, old_code, new_code, key in (
        (DiagnosisPart.SITE_WORDS, a.topography, b.topography, _coded_key),
        (DiagnosisPart.LATERALITY, a.laterality, b.laterality, _code_key),
        (DiagnosisPart.MORPHOLOGY, a.morphology, b.morphology, _coded_key),
        (DiagnosisPart.STAGE, a.clinical_stage, b.clinical_stage, _coded_key),
        (DiagnosisPart.TNM_EDITION, a.tnm_version, b.tnm_version, lambda c: (_words(c.text),) if c else ()),
    ):
        if key(old_code) != key(new_code):
            changes.append(DiagnosisChanged(part, old_code, new_code, site))
    if tuple(_coded_key(c) for c in a.tnm) != tuple(_coded_key(c) for c in b.tnm):
        changes.append(DiagnosisChanged(DiagnosisPart.TNM, _tnm_code(a), _tnm_code(b), site))
    for fact, old_date, new_date in (
        (DatedFact.FOUND, a.date, b.date),
        (DatedFact.STAGED, a.stage_date, b.stage_date),
    ):
        if old_date != new_date:
            changes.append(DateChanged(fact, old_date, new_date, site))
    for note, old_text, new_text in (
        (IllnessNote.TUMOUR_NAME, a.label, b.label),
        (IllnessNote.TUMOUR_COMMENT, a.comment, b.comment),
        (IllnessNote.OTHER_STAGES, " | ".join(a.other_stages) or None, " | ".join(b.other_stages) or None),
    ):
        if _words(old_text) != _words(new_text):
            changes.append(IllnessNoteChanged(note, old_text, new_text, site))
    return changes


def _tnm_code(d: Diagnosis) -> Code | None:
    parts = [c.code or c.text for c in d.tnm if c.code or c.text]
    return Code(None, None, original_text=" ".join(p for p in parts if p)) if parts else None


# --- programme and support items ---------------------------------------------------------------------------


def _place_key(item: ProgrammeItem) -> tuple[str, ...]:
    return tuple(sorted({_words(p.name) for p in item.where} - {""}))


def item_key(item: ProgrammeItem) -> tuple[object, ...]:
    """What an item is, whatever its dates or status: (kind, type code — or its words —, named places)."""
    what: tuple[str, ...] = _code_key(item.type) or ("label", _words(item.label))
    return (item.kind.value, what, _place_key(item))


def _rhythm_key(rhythm: Rhythm | None) -> tuple[object, ...]:
    if rhythm is None:
        return ()
    key = (
        _words(rhythm.text),
        bool(rhythm.at_home),
        rhythm.period_value,
        rhythm.period_unit,
        tuple(sorted(_code_key(d) for d in rhythm.weekdays)),
    )
    return () if key == ("", False, None, None, ()) else key


def _route_key(item: ProgrammeItem) -> tuple[str, ...]:
    return _code_key(item.route) or (("text", _words(item.route_text)) if item.route_text else ())


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
    if (a.negated and not b.negated) or (a.status == ItemStatus.DONE and b.status == ItemStatus.PLANNED):
        changes.append(ItemDetailChanged(a, b, ItemDetail.REOPENED))
    old_start, old_end = a.span
    new_start, new_end = b.span
    if (old_start, old_end) != (new_start, new_end):
        changes.append(ItemRescheduled(a, b, old_start, new_start, old_end, new_end))
    elif a.forecast != b.forecast:
        changes.append(ItemDetailChanged(a, b, ItemDetail.FORECAST))
    if _rhythm_key(a.rhythm) != _rhythm_key(b.rhythm):
        changes.append(RhythmChanged(a, b))
    if _route_key(a) != _route_key(b):
        changes.append(RouteChanged(a, b))
    for detail, words in (
        (ItemDetail.TEAM_NAME, lambda i: _words(i.label)),
        (ItemDetail.SIDE_EFFECTS, lambda i: _words(i.side_effects)),
        (ItemDetail.COMMENT, lambda i: _words(i.comment)),
        (ItemDetail.REASONS, lambda i: tuple(_words(r.words) for r in i.reasons if r.words)),
    ):
        if words(a) != words(b):
            changes.append(ItemDetailChanged(a, b, detail))
    changes += _places(a, b)
    changes += _performers(a, b)
    return changes


def _places(a: ProgrammeItem, b: ProgrammeItem) -> list[Change]:
    """Addresses and phones of the places an item happens at (their names are part of what the item is)."""
    changes: list[Change] = []
    pairs, _, _ = _pair(a.where, b.where, lambda p: _words(p.name), lambda p: "", lambda p: ())
    for old, new in pairs:
        make = partial(ItemContactChanged, a, b, place=new)
        old_address = tuple(address_text(x) or "" for x in old.addresses)
        new_address = tuple(address_text(x) or "" for x in new.addresses)
        if tuple(_address_key(x) for x in old.addresses) != tuple(_address_key(x) for x in new.addresses):
            changes += [make(ContactDetail.ADDRESS, old_address, new_address)]
        changes += _values_change(ContactDetail.PHONE, _phones(old.telecoms), _phones(new.telecoms), make)
    return changes


def _performer_key(professional: HealthProfessional) -> str:
    if professional.name is not None and not professional.name.is_empty:
        return _words(professional.name.display)
    return _words(professional.organization_name)


def _performers(a: ProgrammeItem, b: ProgrammeItem) -> list[Change]:
    """The professionals an item shows: who they are, the structure they work for, their phones."""
    pairs, removed, added = _pair(a.who, b.who, _performer_key, lambda p: "", lambda p: ())
    changes: list[Change] = []
    if removed or added:
        changes.append(ItemDetailChanged(a, b, ItemDetail.PEOPLE))
    for old, new in pairs:
        make = partial(ItemContactChanged, a, b, performer=new)
        old_org, new_org = old.organization_name, new.organization_name
        if _words(old_org) != _words(new_org):
            changes.append(make(ContactDetail.ORGANISATION, (old_org or "",), (new_org or "",)))
        changes += _values_change(ContactDetail.PHONE, _phones(old.telecoms), _phones(new.telecoms), make)
    return changes


# --- contacts and the people close to the patient ----------------------------------------------------------


def _who(contact: Contact) -> tuple[object, ...]:
    """Who a contact is: their name, else their organisation's name (ids are never shown: not who they are)."""
    if contact.person is not None and not contact.person.is_empty:
        return ("person", _words(contact.person.display))
    if contact.organization is not None and contact.organization.name:
        return ("organisation", _words(contact.organization.name))
    return ("nobody named",)


def _contact_key(contact: Contact) -> tuple[object, ...]:
    return (contact.role_code, _who(contact))


def _contacts(old: Sequence[Contact], new: Sequence[Contact]) -> list[Change]:
    pairs, removed, added = _pair(old, new, _contact_key, lambda c: _words(c.comment), lambda c: ())
    changes: list[Change] = [ContactRemoved(c) for c in removed]
    changes += [ContactAdded(c) for c in added]
    for a, b in pairs:
        make = partial(ContactDetailChanged, b)
        changes += _values_change(ContactDetail.PHONE, _phones(a.reach), _phones(b.reach), make)
        changes += _values_change(ContactDetail.EMAIL, _emails(a.reach), _emails(b.reach), make)
        changes += _values_change(ContactDetail.WEB, _webs(a.urls), _webs(b.urls), make)
        if _address_key(a.address) != _address_key(b.address):
            changes += [make(ContactDetail.ADDRESS, _texts(address_text(a.address)), _texts(address_text(b.address)))]
        if a.person is not None and not a.person.is_empty:
            old_org = a.organization.name if a.organization else None
            new_org = b.organization.name if b.organization else None
            if _words(old_org) != _words(new_org):
                changes.append(make(ContactDetail.ORGANISATION, _texts(old_org), _texts(new_org)))
        if _words(a.note) != _words(b.note):
            changes.append(make(ContactDetail.NOTE, _texts(a.note), _texts(b.note)))
    return changes


def _texts(text: str | None) -> tuple[str, ...]:
    return (text,) if text else ()


def _relative_key(person: RelatedPerson) -> tuple[object, ...]:
    if person.name is not None and not person.name.is_empty:
        return ("person", _words(person.name.display))
    return ("relationship", _code_key(person.relationship))


def _relatives(old: Sequence[RelatedPerson], new: Sequence[RelatedPerson], *, trusted: bool) -> list[Change]:
    """Trusted persons, or persons to call (one role at a time: `old` and `new` hold the same role)."""
    pairs, removed, added = _pair(old, new, _relative_key, lambda p: "", lambda p: ())
    changes: list[Change] = [RelativeRemoved(p, trusted) for p in removed]
    changes += [RelativeAdded(p, trusted) for p in added]
    for a, b in pairs:
        make = partial(RelativeDetailChanged, b, trusted)
        changes += _values_change(ContactDetail.PHONE, _phones(a.telecoms), _phones(b.telecoms), make)
        changes += _values_change(ContactDetail.EMAIL, _emails(a.telecoms), _emails(b.telecoms), make)
        changes += _values_change(
            ContactDetail.WEB,
            _webs(t.value for t in a.telecoms if t.is_url),
            _webs(t.value for t in b.telecoms if t.is_url),
            make,
        )
        if _code_key(a.relationship) != _code_key(b.relationship):
            old_words = a.relationship.text if a.relationship else None
            new_words = b.relationship.text if b.relationship else None
            changes.append(make(ContactDetail.RELATIONSHIP, _texts(old_words), _texts(new_words)))
    return changes


# --- the document ------------------------------------------------------------------------------------------


def _document(old: CarePlan, new: CarePlan) -> list[Change]:
    changes: list[Change] = []
    a, b = old.status, new.status
    old_status = a.status if a else None
    new_status = b.status if b else None
    if _code_key(old_status) != _code_key(new_status):
        changes.append(DocumentStatusChanged(old_status, new_status))
    old_reason = a.update_reason if a else None
    new_reason = b.update_reason if b else None
    old_comment = a.update_reason_comment if a else None
    new_comment = b.update_reason_comment if b else None
    if _code_key(old_reason) != _code_key(new_reason) or _words(old_comment) != _words(new_comment):
        changes.append(UpdateReasonChanged(old_reason, new_reason, new_comment, old_comment))
    old_meeting = a.rcp_date if a else None
    new_meeting = b.rcp_date if b else None
    if old_meeting != new_meeting:
        changes.append(DateChanged(DatedFact.TEAM_MEETING, old_meeting, new_meeting))
    for detail, before, after in (
        (DocumentDetail.STATUS_NOTE, _texts(a.comment if a else None), _texts(b.comment if b else None)),
        (DocumentDetail.ABOUT_YOU, _texts(old.patient_comment), _texts(new.patient_comment)),
        (DocumentDetail.LINKED_DOCUMENTS, _linked(old), _linked(new)),
        (DocumentDetail.PERSONAL_DATA, _texts(old.personal_data_text), _texts(new.personal_data_text)),
    ):
        if tuple(_words(x) for x in before) != tuple(_words(x) for x in after):
            changes.append(DocumentDetailChanged(detail, before, after))
    return changes + _header(old, new)


def _header(old: CarePlan, new: CarePlan) -> list[Change]:
    """What every page, a PDF-only plan's too, says of the plan: whose it is, who wrote it and keeps it."""
    old_author = old.metadata.author.professional.name if old.metadata.author else None
    new_author = new.metadata.author.professional.name if new.metadata.author else None
    changes: list[Change] = []
    for detail, before, after in (
        (DocumentDetail.PATIENT_NAME, _texts(old.patient.name.display), _texts(new.patient.name.display)),
        (DocumentDetail.AUTHOR, _name(old_author), _name(new_author)),
        (DocumentDetail.CUSTODIAN, _custodian(old), _custodian(new)),
        (DocumentDetail.TITLE, _pdf_title(old), _pdf_title(new)),
    ):
        if tuple(_words(x) for x in before) != tuple(_words(x) for x in after):
            person = new_author if detail == DocumentDetail.AUTHOR else None
            changes.append(DocumentDetailChanged(detail, before, after, person))
    return changes


def _name(name: PersonName | None) -> tuple[str, ...]:
    return (name.display,) if name is not None and not name.is_empty else ()


def _custodian(plan: CarePlan) -> tuple[str, ...]:
    return _texts(plan.metadata.custodian.name if plan.metadata.custodian else None)


def _pdf_title(plan: CarePlan) -> tuple[str, ...]:
    # The title is shown only for a plan that is a PDF (the structured pages have their own headings).
    return _texts(plan.metadata.title) if plan.is_pdf_only else ()


def _linked(plan: CarePlan) -> tuple[str, ...]:
    # Known kinds are named by the page; another kind shows the document's words for it.
    return tuple(
        sorted(
            ref.kind.value if ref.kind.value != "other" else f"other: {ref.code.text if ref.code else ''}"
            for ref in plan.referenced_documents
        )
    )
