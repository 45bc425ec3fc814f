"""Identity across regions: another region's store does not know the portal's `sub`, so the person is looked for there
by the INS the home store's Patient carries, and a Patient found is the same person only when the identity traits
agree (birth family name, first given name, birth date, sex), compared as the national INS rules compare them: case,
accents, hyphens and apostrophes do not count; anything else does, and a trait missing on either side is a mismatch.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from portal.store.resources import PatientRecord

__all__ = ["Trait", "mismatch", "normalise"]

Trait = Literal["ins", "birth_family", "birth_given", "birth_date", "gender"]

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—'’ʼ`´]+")


def normalise(text: str) -> str:
    """A name as the INS rules compare it: upper case, no accents, hyphens and apostrophes as one space
    ("d'Artagnan-Élodie" → "D ARTAGNAN ELODIE")."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SEPARATORS.sub(" ", plain).strip().upper()


def _name(value: str | None) -> str | None:
    return normalise(value) if value and normalise(value) else None


def mismatch(home: PatientRecord, other: PatientRecord) -> Trait | None:
    """The first trait on which `other` is not `home`'s person (None: the same person). The birth names fall back to
    the used name only when the store gives no name of use `official`."""
    if home.ins is None or other.ins != home.ins:
        return "ins"
    pairs: tuple[tuple[Trait, object, object], ...] = (
        ("birth_family", _name(home.birth_family or home.family), _name(other.birth_family or other.family)),
        (
            "birth_given",
            _name(home.birth_given or next(iter(home.given), None)),
            _name(other.birth_given or next(iter(other.given), None)),
        ),
        ("birth_date", home.birth_date, other.birth_date),
        ("gender", home.gender, other.gender),
    )
    for trait, mine, theirs in pairs:
        if mine is None or theirs is None or mine != theirs:
            return trait
    return None
