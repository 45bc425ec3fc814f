"""CDA R2 data types → model values, for the `pps` step: codes, ids, times, names, addresses, organisations."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from lxml import etree

from portal.pps.hl7time import HL7Time, InvalidTimestamp
from portal.pps.model import (
    Address,
    Code,
    HealthProfessional,
    Identifier,
    Organization,
    Period,
    PersonName,
    ReadWarning,
    Telecom,
)
from portal.pps.narrative import NarrativeIndex, clean, plain_text
from portal.pps.safexml import HL7_NS

__all__ = ["XSI_TYPE", "Context", "V", "first_child", "guard", "is_element", "local_name"]

V = f"{{{HL7_NS}}}"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"

_ADDRESS_PARTS = {
    V + "houseNumber": "house_number",
    V + "streetName": "street_name",
    V + "unitID": "unit_id",
    V + "additionalLocator": "additional_locator",
    V + "postBox": "post_box",
    V + "postalCode": "postal_code",
    V + "city": "city",
    V + "county": "county",
    V + "country": "country",
}


T = TypeVar("T")


def guard(ctx: Context, section: str, read: Callable[[], T], default: T) -> T:
    """Run one part of the reading; an unexpected failure becomes a warning and the default value."""
    previous = ctx.section
    ctx.section = section
    try:
        return read()
    except Exception as exc:
        ctx.warn(f"could not be read ({type(exc).__name__})")
        return default
    finally:
        ctx.section = previous


def local_name(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def is_element(node: etree._Element) -> bool:
    """False for comments and processing instructions, whose tag is not a string."""
    tag: object = node.tag
    return isinstance(tag, str)


def first_child(element: etree._Element) -> etree._Element | None:
    """The first child element (an `entry` or `entryRelationship` wraps exactly one act)."""
    for child in element:
        if is_element(child):
            return child
    return None


def _placeholder(text: str | None) -> str | None:
    """None for empty text and for the "-" the official narrative uses to mean "nothing here"."""
    if text is None or not text.strip(" -–—\n\t"):
        return None
    return text


class Context:
    """What one reading of one document shares: narrative references (for `#id`) and collected warnings.

    Every method takes an element that may be None or carry a nullFlavor, and returns None rather than failing.
    """

    def __init__(self, narrative: NarrativeIndex) -> None:
        self.narrative = narrative
        self.warnings: list[ReadWarning] = []
        self.section = "header"

    def warn(self, message: str, section: str | None = None) -> None:
        self.warnings.append(ReadWarning(section or self.section, message))

    # -- text ------------------------------------------------------------------------------------------------

    def resolve(self, element: etree._Element | None) -> str | None:
        """The text of a `text` / `originalText` element: its `#id` reference resolved, or its own content."""
        if element is None:
            return None
        reference = element.find(V + "reference")
        if reference is not None:
            value = (reference.get("value") or "").strip()
            if value.startswith("#"):
                identifier = value[1:]
                if not identifier:  # "#" alone: the official examples use it for "no narrative"
                    return None
                target, exact = self.narrative.find(identifier)
                if target is None:
                    self.warn(f"narrative reference {value!r} not found")
                    return None
                if not exact:
                    self.warn(f"narrative reference {value!r} matches an ID spelled differently")
                return _placeholder(self.narrative.text(target))
            if value:
                # A URL to an outside resource is never fetched; keep it as the text.
                return value
        if len(element) == 0:
            return _placeholder(clean(element.text))
        return _placeholder(plain_text(element) or None)

    @staticmethod
    def string(element: etree._Element | None) -> str | None:
        """Whitespace-normalised text content of a simple element."""
        if element is None:
            return None
        if len(element) == 0:  # most are (an address's parts, a name's): their own text is all there is
            return clean(element.text)
        return clean("".join(t for t in element.itertext() if isinstance(t, str)))

    # -- codes and ids ---------------------------------------------------------------------------------------

    def code(self, element: etree._Element | None) -> Code | None:
        if element is None:
            return None
        return Code(
            system=element.get("codeSystem"),
            code=element.get("code"),
            display=clean(element.get("displayName")),
            original_text=self.resolve(element.find(V + "originalText")),
            null_flavor=element.get("nullFlavor"),
        )

    @staticmethod
    def identifier(element: etree._Element | None) -> Identifier | None:
        if element is None:
            return None
        root, extension = element.get("root"), element.get("extension")
        if root is None and extension is None and element.get("nullFlavor") is None:
            return None  # an empty <id/>: says nothing
        return Identifier(root=root, extension=extension, null_flavor=element.get("nullFlavor"))

    def identifiers(self, parent: etree._Element) -> tuple[Identifier, ...]:
        found = (self.identifier(e) for e in parent.findall(V + "id"))
        return tuple(i for i in found if i is not None and i.null_flavor is None)

    @staticmethod
    def boolean(element: etree._Element | None) -> bool | None:
        """A BL value: True, False, or None (absent, nullFlavor or unreadable)."""
        if element is None:
            return None
        value = (element.get("value") or "").strip().lower()
        if value == "true":
            return True
        if value == "false":
            return False
        return None

    # -- time ------------------------------------------------------------------------------------------------

    def timestamp(self, value: str | None, what: str) -> HL7Time | None:
        if value is None or not value.strip():
            return None
        try:
            return HL7Time.parse(value)
        except InvalidTimestamp as exc:
            self.warn(f"{what}: {exc}")
            return None

    def time(self, element: etree._Element | None, what: str) -> HL7Time | None:
        """A TS element's value (None when absent, null or impossible; the last two with a warning)."""
        if element is None:
            return None
        return self.timestamp(element.get("value"), what)

    def period(self, element: etree._Element | None, what: str) -> Period | None:
        """An IVL_TS (low/high) or TS (value) element."""
        if element is None:
            return None
        return Period(
            low=self.time(element.find(V + "low"), what),
            high=self.time(element.find(V + "high"), what),
            value=self.time(element, what),
            null_flavor=element.get("nullFlavor"),
        )

    def start(self, element: etree._Element | None, what: str) -> HL7Time | None:
        """The point of a TS, or the low end of an IVL_TS."""
        period = self.period(element, what)
        return period.start if period else None

    # -- people and places -----------------------------------------------------------------------------------

    @staticmethod
    def telecoms(parent: etree._Element) -> tuple[Telecom, ...]:
        found = []
        for element in parent.findall(V + "telecom"):
            value = clean(element.get("value"))
            if value:
                found.append(Telecom(value=value, use=element.get("use")))
        return tuple(found)

    def addresses(self, parent: etree._Element) -> tuple[Address, ...]:
        found = (self.address(e) for e in parent.findall(V + "addr"))
        return tuple(a for a in found if a is not None)

    def address(self, element: etree._Element | None) -> Address | None:
        if element is None or element.get("nullFlavor") is not None:
            return None
        fields: dict[str, str] = {}
        lines: list[str] = []
        for child in element:
            if not is_element(child):
                continue
            value = self.string(child)
            if value is None:
                continue
            name = _ADDRESS_PARTS.get(child.tag)
            if name is not None:
                fields.setdefault(name, value)
            elif child.tag in (
                V + "streetAddressLine",
                V + "delimiter",
                V + "direction",
                V + "streetNameBase",
            ):
                lines.append(value)
        loose = clean(element.text)
        if not fields and not lines and loose is None:
            return None
        return Address(lines=tuple(lines), use=element.get("use"), text=loose, **fields)

    def person_name(self, element: etree._Element | None) -> PersonName | None:
        if element is None or element.get("nullFlavor") is not None:
            return None
        family = None
        given: list[str] = []
        prefix: list[str] = []
        suffix: list[str] = []
        for child in element:
            if not is_element(child):
                continue
            value = self.string(child)
            if value is None:
                continue
            if child.tag == V + "family":
                family = family or value
            elif child.tag == V + "given":
                given.append(value)
            elif child.tag == V + "prefix":
                prefix.append(value)
            elif child.tag == V + "suffix":
                suffix.append(value)
        loose = clean(element.text)
        if family is None and not given and loose:
            family = loose  # an unstructured name: keep it whole
        if family is None and not given and not prefix and not suffix:
            return None
        return PersonName(family=family, given=tuple(given), prefix=tuple(prefix), suffix=tuple(suffix))

    def organization(self, element: etree._Element | None) -> Organization | None:
        if element is None or element.get("nullFlavor") is not None:
            return None
        return Organization(
            ids=self.identifiers(element),
            name=self.string(element.find(V + "name")),
            telecoms=self.telecoms(element),
            addresses=self.addresses(element),
            kind=self.code(element.find(V + "standardIndustryClassCode")),
        )

    def professional(self, entity: etree._Element | None) -> HealthProfessional | None:
        """An assignedEntity / assignedAuthor: ids, profession, person, telecoms, addresses, organisation."""
        if entity is None or entity.get("nullFlavor") is not None:
            return None
        person = entity.find(V + "assignedPerson")
        organization = entity.find(V + "representedOrganization")
        return HealthProfessional(
            ids=self.identifiers(entity),
            role=self.code(entity.find(V + "code")),
            name=self.person_name(person.find(V + "name")) if person is not None else None,
            telecoms=self.telecoms(entity),
            addresses=self.addresses(entity),
            organization=self.organization(organization),
        )
