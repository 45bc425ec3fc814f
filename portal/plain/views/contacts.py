"""The care-team page: the plan's useful contacts grouped (hospital team, GP and local care, coordination,
support and social help), and the people close to the patient named in the document.

Each contact becomes a card with a plain role, a name, the structure, the team's note and `tel:` / `mailto:`
links. The groups and their headings come from `portal.plain.labels`.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.plain.labels import ROLE_GROUPS, PlainLabel, label, role_group, role_group_label, role_label
from portal.plain.views.common import DocText, Lang, Link, address_lines, doc_lang, doc_text, links, person_name
from portal.pps.model import CarePlan, Contact, ContactRole, RelatedPerson

__all__ = ["ClosePerson", "ContactCard", "ContactGroup", "ContactsView", "contact_card", "contacts_view"]


@dataclass(frozen=True, slots=True)
class ContactCard:
    """One contact: its role in plain words, who, where, the team's note and how to reach them."""

    role: PlainLabel
    name: str | None
    organisation: str | None
    note: DocText | None
    links: tuple[Link, ...]
    address: tuple[str, ...]
    group: str

    @property
    def phones(self) -> tuple[Link, ...]:
        return tuple(link for link in self.links if link.kind == "tel")


@dataclass(frozen=True, slots=True)
class ContactGroup:
    key: str
    heading: PlainLabel
    contacts: tuple[ContactCard, ...]


@dataclass(frozen=True, slots=True)
class ClosePerson:
    """A person close to the patient: trusted person (`trusted`) and/or person to call (`emergency`)."""

    name: str | None
    relationship: str | None
    relationship_lang: str | None
    trusted: bool
    emergency: bool
    links: tuple[Link, ...]


@dataclass(frozen=True, slots=True)
class ContactsView:
    groups: tuple[ContactGroup, ...]
    close_people: tuple[ClosePerson, ...]

    @property
    def empty(self) -> bool:
        return not self.groups and not self.close_people

    def key_contacts(self, limit: int = 2) -> tuple[ContactCard, ...]:
        """Whom to call first: the coordination contacts, then the hospital team, each with a phone."""
        ordered = [
            c for g in ("coordination", "hospital", "gp") for grp in self.groups if grp.key == g for c in grp.contacts
        ]
        # People before switchboards: a named nurse or doctor is the better first call.
        ordered.sort(key=lambda c: (c.name is None,))
        return tuple(c for c in ordered if c.phones)[:limit]


def contact_card(contact: Contact, lang: Lang, document_lang: str) -> ContactCard:
    code = contact.role_code
    found = list(links(contact.reach))
    for url in contact.urls:
        if all(link.href != url for link in found):
            found.append(Link("web", url, url))
    return ContactCard(
        role=role_label(code, lang),
        name=person_name(contact.person, lang),
        organisation=contact.organization.name if contact.organization else None,
        note=doc_text(contact.note, lang, document_lang),
        links=tuple(found),
        address=address_lines(contact.address) if contact.address else (),
        group=role_group(contact.role if contact.role != ContactRole.OTHER else code),
    )


def _close_people(plan: CarePlan, lang: Lang, document_lang: str) -> tuple[ClosePerson, ...]:
    # One card for a person who is both the trusted person and the person to call, when the document says the
    # same of them twice (name, links, family link); otherwise each says what the document says.
    people: dict[tuple[str | None, tuple[str, ...], str | None], ClosePerson] = {}
    related: list[tuple[RelatedPerson, bool]] = [(p, True) for p in plan.trusted_persons]
    related += [(p, False) for p in plan.emergency_contacts]
    for person, trusted in related:
        name = person_name(person.name, lang)
        reach = links(person.telecoms)
        relation = label(person.relationship, lang)
        key = (name, tuple(link.href for link in reach), relation.text if relation else None)
        known = people.get(key)
        relation_lang = document_lang if relation and relation.from_document and document_lang != lang else None
        people[key] = ClosePerson(
            name,
            relation.text if relation else None,
            relation_lang,
            trusted or (known.trusted if known else False),
            (not trusted) or (known.emergency if known else False),
            reach,
        )
    return tuple(people.values())


def contacts_view(plan: CarePlan, lang: Lang) -> ContactsView:
    """Every useful contact of the plan in one of the four groups, in document order within a group."""
    document_lang = doc_lang(plan)
    cards = [contact_card(c, lang, document_lang) for c in plan.contacts]
    groups = tuple(
        ContactGroup(key, role_group_label(key, lang), tuple(c for c in cards if c.group == key))
        for key in ROLE_GROUPS
        if any(c.group == key for c in cards)
    )
    return ContactsView(groups, _close_people(plan, lang, document_lang))
