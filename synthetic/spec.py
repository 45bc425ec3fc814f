"""Compact case descriptions: the input of the synthetic data generator (cases → CDA, PDF, FHIR bundle).

A case says what a fictional patient's care plan contains, version by version, in a few plain values. Every
date is a whole number of days relative to a reference date chosen when the documents are written, so the
same case and reference date always give byte-identical output.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Literal

from synthetic.codes import Code

#: Days relative to the reference date (negative: in the past).
Day = int

#: Default reference date: every relative day of the cases counts from it.
DEFAULT_REFERENCE_DATE = dt.date(2026, 9, 1)

ItemKind = Literal["treatment", "side_effect", "measure", "follow_up", "supportive", "social"]
#: Where an item goes: therapeutic and follow-up programme, or supportive care and social support section.
PROGRAMME_KINDS: tuple[ItemKind, ...] = ("treatment", "side_effect", "measure", "follow_up")
SUPPORT_KINDS: tuple[ItemKind, ...] = ("supportive", "social")

ContactRole = Literal[
    "reference_hospital",
    "care_team",
    "coordination_centre",
    "local_professional",
    "health_mediator",
    "gp",
    "city_hospital",
    "regional_network",
    "social_body",
    "support_structure",
]
Visibility = Literal["INVISIBLE_PATIENT", "INVISIBLE_REPRESENTANTS_LEGAUX"]


def on(reference: dt.date, day: Day) -> dt.date:
    """The calendar date of a relative day."""
    return reference + dt.timedelta(days=day)


@dataclass(frozen=True)
class Address:
    house: str
    street: str
    postal_code: str
    city: str


@dataclass(frozen=True, repr=False)
class Organisation:
    key: str
    name: str
    address: Address
    phone: str
    finess: str | None = None

    def __repr__(self) -> str:  # short: cases print in test failures
        return f"Organisation({self.key!r})"


@dataclass(frozen=True, repr=False)
class Professional:
    """A health or social professional (RPPS-identified when `rpps` is set)."""

    key: str
    given: str
    family: str
    prefix: str
    profession: Code
    phone: str
    organisation: Organisation | None = None
    rpps: str | None = None

    def __repr__(self) -> str:  # short: cases print in test failures
        return f"Professional({self.key!r})"


@dataclass(frozen=True)
class Contact:
    """A useful contact of the plan (CDA `participant`)."""

    role: ContactRole
    organisation: Organisation | None = None
    professional: Professional | None = None
    comment: str | None = None


@dataclass(frozen=True)
class Relative:
    """Someone close to the patient. With `sub`, they sign in with their own identity (FHIR RelatedPerson)."""

    key: str
    given: str
    family: str
    relationship: Code
    phone: str
    guardian: bool = False
    trusted_person: bool = False
    emergency_contact: bool = False
    caregiver: bool = False
    sub: str | None = None
    login: str | None = None
    #: The relative day their link to the patient ended (RelatedPerson.period.end); None: still in force.
    until: Day | None = None
    #: The parts of the plan shared with this caregiver (the portal's shared-plan-parts extension); None: all.
    shared_parts: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Patient:
    given: str
    birth_family: str
    gender: Code
    age: int
    #: Days before the anniversary: the birth date is `reference - age years - birthday_offset days`.
    birthday_offset: int
    #: Birth place (5 digits: department and commune) and order number of the fictional NIR-shaped INS.
    ins_place: str
    ins_order: str
    address: Address
    phone: str
    all_givens: str | None = None
    used_family: str | None = None
    sub: str | None = None
    login: str | None = None
    #: A fixed birth date and INS, for the people whose sign-in (demo/accounts.json) already states them.
    born: dt.date | None = None
    fixed_ins: str | None = None

    def birth_date(self, reference: dt.date) -> dt.date:
        if self.born is not None:
            return self.born
        try:
            anniversary = reference.replace(year=reference.year - self.age)
        except ValueError:  # 29 February
            anniversary = reference.replace(year=reference.year - self.age, day=28)
        return anniversary - dt.timedelta(days=self.birthday_offset)

    def ins(self, reference: dt.date) -> str:
        """A NIR-shaped test INS (sex, year, month, place, order, key 97) matching the birth date."""
        if self.fixed_ins is not None:
            return self.fixed_ins
        born = self.birth_date(reference)
        sex = "1" if self.gender.code == "M" else "2"
        body = f"{sex}{born.year % 100:02d}{born.month:02d}{self.ins_place}{self.ins_order}"
        return f"{body}{97 - int(body) % 97:02d}"


@dataclass(frozen=True)
class Diagnosis:
    date: Day
    topography: Code
    morphology: Code
    laterality: Code | None = None
    stage: Code | None = None
    tnm_t: Code | None = None
    tnm_n: Code | None = None
    tnm_m: Code | None = None
    other_stage: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class Reason:
    """Why a supportive care is proposed: a weight (kg) or a tobacco / alcohol use."""

    code: Code
    text: str
    kilograms: int | None = None


@dataclass(frozen=True)
class Item:
    """One treatment, side-effect management, measure, follow-up, supportive care or social support."""

    kind: ItemKind
    type: Code
    label: str
    done: bool = False
    start: Day | None = None
    end: Day | None = None
    planned_start: Day | None = None
    planned_end: Day | None = None
    rhythm: str | None = None
    at_home: bool | None = None
    route: Code | None = None
    side_effects: str | None = None
    performer: Professional | None = None
    place: Organisation | None = None
    comment: str | None = None
    reason: Reason | None = None


@dataclass(frozen=True)
class StopOfActiveTreatments:
    date: Day
    comment: str


@dataclass(frozen=True)
class ExternalDocument:
    """A document referenced by the plan (section 9): RCP report, genetics report, previous PPS."""

    kind: Literal["frcp", "genetics", "pps"]
    root: str
    extension: str
    label: str


@dataclass(frozen=True)
class Exam:
    """A result the RCP looked at (élément paraclinique): when, which examination, what it showed."""

    date: Day
    name: str
    result: str


@dataclass(frozen=True)
class RcpReport:
    """An RCP report (FRCP) stored beside the plan, linked from the version it was decided for.

    The meeting (`name`, held at `facility`) discussed the case (`summary`, `question`, `exams`) and proposed
    the planned treatments of version `for_version` (`proposal` sums them up); the treatments that version
    lists as done are the ones the meeting knew of. `system` and `organ` classify the meeting (JDV_RCP_Appareil,
    JDV_RCP_Organe); `guideline` is the clinical practice guideline it followed, `trial` whether it proposed a
    clinical trial.
    """

    date: Day
    proposal: str
    summary: str
    for_version: int
    name: str
    facility: Organisation
    system: Code
    organ: Code
    question: str
    requester: Professional
    quorum: tuple[Professional, ...]
    guideline: str
    guideline_date: Day
    exams: tuple[Exam, ...] = ()
    trial: bool = False
    diagnostic_opinion: bool = False


@dataclass(frozen=True)
class Version:
    """One version of the PPS; version numbers follow the order of `Case.versions`, from 1."""

    date: Day
    items: tuple[Item, ...]
    rcp_date: Day
    handed_date: Day | None
    phase: Code
    phase_date: Day
    status: Code
    progression: tuple[Code, ...] = ()
    reason: Code | None = None
    reason_detail: str | None = None
    stop: StopOfActiveTreatments | None = None
    patient_comment: str | None = None
    phase_comment: str | None = None
    document_comment: str | None = None
    referenced: tuple[ExternalDocument, ...] = ()
    contacts: tuple[Contact, ...] | None = None
    hidden: tuple[Visibility, ...] = ()
    pdf_only: bool = False


@dataclass(frozen=True)
class Case:
    """A fictional patient and the versions of their plan (none: a patient with no PPS yet)."""

    key: str
    summary: str
    patient: Patient
    author: Professional
    custodian: Organisation
    contacts: tuple[Contact, ...]
    diagnosis: Diagnosis | None
    versions: tuple[Version, ...]
    screening: bool = False
    paediatric: bool = False
    paediatric_comment: str | None = None
    relatives: tuple[Relative, ...] = ()
    rcp_reports: tuple[RcpReport, ...] = ()
    #: Professionals who were in the care team until a relative day (CareTeam.participant.period.end).
    former_team: tuple[tuple[Professional, Day], ...] = ()
    #: The key of the region whose store holds this case when it is not the home region's (`regions.py`): its
    #: resource ids start with it (`pat-nord-bernard`), so that no id is ever the same in two stores.
    region: str | None = None

    def contacts_of(self, version: Version) -> tuple[Contact, ...]:
        return self.contacts if version.contacts is None else version.contacts


def shift_case(case: Case, days: int) -> Case:
    """The same case with every relative date moved by `days` (used to perturb cases in property tests)."""

    def item(it: Item) -> Item:
        return dataclasses.replace(
            it,
            start=_plus(it.start, days),
            end=_plus(it.end, days),
            planned_start=_plus(it.planned_start, days),
            planned_end=_plus(it.planned_end, days),
        )

    def version(v: Version) -> Version:
        return dataclasses.replace(
            v,
            date=v.date + days,
            items=tuple(item(i) for i in v.items),
            rcp_date=v.rcp_date + days,
            handed_date=_plus(v.handed_date, days),
            phase_date=v.phase_date + days,
            stop=None if v.stop is None else dataclasses.replace(v.stop, date=v.stop.date + days),
        )

    return dataclasses.replace(
        case,
        diagnosis=None
        if case.diagnosis is None
        else dataclasses.replace(case.diagnosis, date=case.diagnosis.date + days),
        versions=tuple(version(v) for v in case.versions),
        rcp_reports=tuple(
            dataclasses.replace(
                r,
                date=r.date + days,
                guideline_date=r.guideline_date + days,
                exams=tuple(dataclasses.replace(e, date=e.date + days) for e in r.exams),
            )
            for r in case.rcp_reports
        ),
    )


def _plus(day: Day | None, days: int) -> Day | None:
    return None if day is None else day + days
