"""Single-field mutations of a care-plan model, for the render-versus-diff property.

`sites(plan)` walks the whole model and lists every place that holds a date, a code, a text, a telecom, a person,
an organisation, an address, an identifier or a yes/no flag; `mutate(plan, site, rnd)` gives the same plan with
that one value replaced by another plausible one. The walk knows the model's types, never what the diff compares,
so a field the diff forgets is still mutated.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any

from portal.pps.model import (
    Address,
    CarePlan,
    Code,
    HL7Time,
    Identifier,
    Organization,
    PatientName,
    PersonName,
    Precision,
    ReadWarning,
    Telecom,
)

Path = tuple[str | int, ...]

#: Fields that are the reader's notes or raw bytes, not what the document says.
SKIPPED = {"warnings", "pdf"}


class FieldKind(StrEnum):
    DATE = "date"
    CODE = "code"
    TEXT = "text"
    TELECOM = "telecom"
    PERSON = "person"
    ORGANISATION = "organisation"
    ADDRESS = "address"
    IDENTIFIER = "identifier"
    FLAG = "flag"


@dataclass(frozen=True)
class Site:
    """Where one value sits in the model (attribute names and tuple indices) and what kind of value it is."""

    path: Path
    kind: FieldKind

    @property
    def pattern(self) -> str:
        """The path without indices ("programme[].performers[].telecoms[]"): the field, whichever entry."""
        text = ""
        for step in self.path:
            text += "[]" if isinstance(step, int) else f".{step}"
        return f"{self.kind.value}:{text.lstrip('.')}"

    def __str__(self) -> str:
        text = ""
        for step in self.path:
            text += f"[{step}]" if isinstance(step, int) else f".{step}"
        return f"{self.kind.value} {text.lstrip('.')}"


def sites(plan: CarePlan) -> list[Site]:
    """Every mutable value of `plan`, in model order."""
    return list(_walk(plan, ()))


def _walk(value: Any, path: Path) -> Iterator[Site]:
    if value is None or (isinstance(value, Enum | bytes | int) and not isinstance(value, bool)):
        return
    if isinstance(value, bool):
        yield Site(path, FieldKind.FLAG)
    elif isinstance(value, HL7Time):
        yield Site(path, FieldKind.DATE)
    elif isinstance(value, Code):
        yield Site(path, FieldKind.CODE)
    elif isinstance(value, Telecom):
        yield Site(path, FieldKind.TELECOM)
    elif isinstance(value, PersonName | PatientName):
        yield Site(path, FieldKind.PERSON)
    elif isinstance(value, Address):
        yield Site(path, FieldKind.ADDRESS)
    elif isinstance(value, Identifier):
        yield Site(path, FieldKind.IDENTIFIER)
    elif isinstance(value, str):
        yield Site(path, FieldKind.TEXT)
    elif isinstance(value, tuple):
        for index, entry in enumerate(value):
            yield from _walk(entry, (*path, index))
    elif isinstance(value, ReadWarning):
        return
    elif dataclasses.is_dataclass(value):
        if isinstance(value, Organization):
            yield Site(path, FieldKind.ORGANISATION)
        for field in dataclasses.fields(value):
            if field.name in SKIPPED or (isinstance(value, Organization) and field.name == "name"):
                continue
            yield from _walk(getattr(value, field.name), (*path, field.name))


def get(plan: CarePlan, path: Path) -> Any:
    value: Any = plan
    for step in path:
        value = value[step] if isinstance(step, int) else getattr(value, step)
    return value


def put(value: Any, path: Path, new: Any) -> Any:
    """`value` with the thing at `path` replaced by `new` (frozen dataclasses and tuples rebuilt on the way)."""
    if not path:
        return new
    step, rest = path[0], path[1:]
    if isinstance(step, int):
        items = list(value)
        items[step] = put(items[step], rest, new)
        return tuple(items)
    return dataclasses.replace(value, **{step: put(getattr(value, step), rest, new)})


def mutate(plan: CarePlan, site: Site, rnd: random.Random) -> tuple[CarePlan, Any, Any]:
    """(the mutated plan, the value before, the value after)."""
    before = get(plan, site.path)
    after = _MUTATORS[site.kind](before, rnd)
    assert after != before, site
    return put(plan, site.path, after), before, after


# --- one new value per kind --------------------------------------------------------------------------------


def _date(value: HL7Time, rnd: random.Random) -> HL7Time:
    if value.precision == Precision.YEAR:
        return dataclasses.replace(value, year=value.year + rnd.randint(1, 3))
    if value.precision == Precision.MONTH:
        assert value.month is not None
        months = value.year * 12 + value.month - 1 + rnd.randint(1, 5)
        return dataclasses.replace(value, year=months // 12, month=months % 12 + 1)
    day = value.to_date()
    assert day is not None
    moved = day + dt.timedelta(days=rnd.choice([-1, 1]) * rnd.randint(1, 45))
    return dataclasses.replace(value, year=moved.year, month=moved.month, day=moved.day)


def _code(value: Code, rnd: random.Random) -> Code:
    # Another code of the same system, as an integrator would pick from a value set: new code, new words.
    n = rnd.randint(10, 99)
    return Code(
        value.system,
        f"{value.code or 'X'}-{n}",
        f"Autre valeur {n}",
        f"Autres mots {n}" if value.original_text else None,
    )


_WORDS = ("Surveillance renforcée", "Texte revu par l'équipe", "Nouvelle consigne", "Autre précision")


def _text(value: str, rnd: random.Random) -> str:
    return f"{rnd.choice(_WORDS)} {rnd.randint(10, 99)}"


def _telecom(value: Telecom, rnd: random.Random) -> Telecom:
    if value.is_phone or value.scheme == "fax":
        digits = [ch for ch in value.address if ch.isdigit()]
        last = f"{(int(''.join(digits[-2:]) or 0) + rnd.randint(1, 98)) % 100:02d}"
        return dataclasses.replace(value, value=f"{value.scheme}:{''.join(digits[:-2])}{last}")
    if value.is_email:
        return dataclasses.replace(value, value=f"mailto:autre.{value.address}")
    return dataclasses.replace(value, value=f"{value.value.rstrip('/')}/autre-page-{rnd.randint(10, 99)}")


_FAMILIES = ("LEGRAND", "FONTAINE", "ROUSSEL", "MERCIER")


def _person(value: PersonName | PatientName, rnd: random.Random) -> PersonName | PatientName:
    family = f"{rnd.choice(_FAMILIES)}-{rnd.randint(10, 99)}"
    if isinstance(value, PatientName):
        field = "used_family" if value.used_family else "birth_family"
        return dataclasses.replace(value, **{field: family})
    if value.family or not value.given:
        return dataclasses.replace(value, family=family)
    return dataclasses.replace(value, given=(family.title(), *value.given[1:]))


def _organisation(value: Organization, rnd: random.Random) -> Organization:
    return dataclasses.replace(value, name=f"Centre {rnd.choice(_FAMILIES).title()} {rnd.randint(10, 99)}")


def _address(value: Address, rnd: random.Random) -> Address:
    street = f"{rnd.randint(1, 99)} rue {rnd.choice(_FAMILIES).title()}"
    if value.lines:
        return dataclasses.replace(value, lines=(street, *value.lines[1:]))
    if value.street_name or value.house_number:
        return dataclasses.replace(value, house_number=None, street_name=street)
    if value.city:
        return dataclasses.replace(value, city=f"Ville-{rnd.randint(10, 99)}")
    return dataclasses.replace(value, text=street)


def _identifier(value: Identifier, rnd: random.Random) -> Identifier:
    if value.extension:
        return dataclasses.replace(value, extension=f"{value.extension}{rnd.randint(10, 99)}")
    return dataclasses.replace(value, root=f"{value.root or '1.2.250.1'}.{rnd.randint(10, 99)}")


def _flag(value: bool, rnd: random.Random) -> bool:
    return not value


_MUTATORS: dict[FieldKind, Any] = {
    FieldKind.DATE: _date,
    FieldKind.CODE: _code,
    FieldKind.TEXT: _text,
    FieldKind.TELECOM: _telecom,
    FieldKind.PERSON: _person,
    FieldKind.ORGANISATION: _organisation,
    FieldKind.ADDRESS: _address,
    FieldKind.IDENTIFIER: _identifier,
    FieldKind.FLAG: _flag,
}
