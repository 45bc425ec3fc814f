"""The typed changes between two versions of a care plan: what `portal.pps.matching.diff` returns.

Frozen dataclasses, never text (`portal.plain.changes` tells them in plain words); each says what changed and,
by its `rank`, in which group of "what changed" it belongs.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import ClassVar

from portal.pps.model import (
    Code,
    Contact,
    HL7Time,
    Phase,
    ProgrammeItem,
    Progression,
    TreatmentStop,
)

__all__ = [
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
]


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
        start = item.span[0] if isinstance(item, ProgrammeItem) else None
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


@dataclass(frozen=True, slots=True)
class ItemAdded(Change):
    """A treatment, follow-up, supportive care or social support is new in the plan."""

    WEIGHT: ClassVar[int] = 2
    item: ProgrammeItem

    @property
    def rank(self) -> Rank:
        return Rank.SUPPORT if self.item.is_support else Rank.PROGRAMME


@dataclass(frozen=True, slots=True)
class ItemRemoved(Change):
    """A treatment, follow-up, supportive care or social support is no longer in the plan."""

    WEIGHT: ClassVar[int] = 1
    item: ProgrammeItem

    @property
    def rank(self) -> Rank:
        return Rank.SUPPORT if self.item.is_support else Rank.PROGRAMME


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
