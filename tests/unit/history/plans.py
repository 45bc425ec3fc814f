"""Small care-plan models built in the tests of version history and "what changed" (no document parsing)."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from portal.pps.model import (
    CarePlan,
    Code,
    Contact,
    ContactRole,
    DocumentMetadata,
    DocumentStatus,
    HL7Time,
    Identifier,
    ItemKind,
    ItemStatus,
    Organization,
    Patient,
    Period,
    PersonName,
    Place,
    ProgrammeItem,
    Rhythm,
    Telecom,
)
from portal.pps.reader import read_pps
from synthetic.cases import case
from synthetic.documents import pps_document

NCIT = "2.16.840.1.113883.3.26.1.1"
TA_ASIP = "1.2.250.1.213.1.1.4.322"
RADIOTHERAPY = Code(NCIT, "C15313", "Radiothérapie")
CHEMOTHERAPY = Code(NCIT, "C15632", "Chimiothérapie")
SURGERY = Code("2.16.840.1.113883.6.96", "387713003", "Chirurgie")
NUTRITION = Code(TA_ASIP, "ORG-036", "Prise en charge diététique")
HOSPITAL = Place(name="Hôpital Fictif de Valfleuri")


def day(text: str) -> HL7Time:
    return HL7Time.parse(text)


def item(
    type_: Code,
    start: str,
    end: str | None = None,
    *,
    kind: ItemKind = ItemKind.TREATMENT,
    status: ItemStatus = ItemStatus.PLANNED,
    label: str | None = None,
    rhythm: str | None = None,
    route: Code | None = None,
    done_end: str | None = None,
) -> ProgrammeItem:
    planned = Period(low=day(start), high=day(end or start))
    dates = Period(low=day(start), high=day(done_end)) if done_end else None
    return ProgrammeItem(
        kind=kind,
        status=status,
        type=type_,
        label=label or type_.display,
        planned_dates=planned,
        dates=dates,
        rhythm=Rhythm(text=rhythm) if rhythm else None,
        route=route,
        places=(HOSPITAL,),
    )


def contact(name: str, phone: str, role: ContactRole = ContactRole.GENERAL_PRACTITIONER) -> Contact:
    given, family = name.split(" ", 1)
    return Contact(role=role, person=PersonName(family=family, given=(given,)), telecoms=(Telecom(f"tel:{phone}"),))


def plan(*items: ProgrammeItem, contacts: tuple[Contact, ...] = (), reason: str | None = None) -> CarePlan:
    programme = tuple(i for i in items if i.kind not in (ItemKind.SUPPORTIVE_CARE, ItemKind.SOCIAL_SUPPORT))
    support = tuple(i for i in items if i.kind in (ItemKind.SUPPORTIVE_CARE, ItemKind.SOCIAL_SUPPORT))
    status = DocumentStatus(update_reason=Code(TA_ASIP, reason) if reason else None)
    return CarePlan(
        metadata=DocumentMetadata(id=Identifier("1.2.250.1.999.1")),
        patient=Patient(),
        contacts=contacts,
        programme=programme,
        support=support,
        status=status,
    )


BASE = plan(
    item(SURGERY, "20260310", label="Opération du sein"),
    item(RADIOTHERAPY, "20260303", "20260324", rhythm="5 jours par semaine"),
    item(NUTRITION, "20260201", "20260601", kind=ItemKind.SUPPORTIVE_CARE),
    contacts=(contact("Alex FICTIF", "0600000001"),),
)


@cache
def synthetic(key: str, number: int) -> CarePlan:
    """Version `number` of a synthetic case, read from its generated CDA."""
    return read_pps(pps_document(case(key), number).cda)


def with_org(c: Contact, name: str) -> Contact:
    return replace(c, organization=Organization(name=name))
