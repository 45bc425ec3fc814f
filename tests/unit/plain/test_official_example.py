"""The official CI-SIS example reads in our own plain words (skipped when ../shared/reference is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.plain import label, role_label
from portal.plain.labels import Lang
from portal.pps import read_pps
from portal.pps.model import CarePlan, ContactRole

from .test_synthetic_documents import _shown_codes

REFERENCE = Path(__file__).resolve().parents[3] / ".." / "shared" / "reference" / "ci-sis"
EXAMPLES = ["CANCER-PPS_2022.01_feuille-de-style-externe.xml", "CANCER-PPS_2022.01_Autopresentable.xml"]


def _plan(name: str) -> CarePlan:
    path = REFERENCE / name
    if not path.is_file():
        pytest.skip(f"{name}: ../shared/reference is absent")
    return read_pps(path.read_bytes())


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_value_set_code_of_the_official_example_has_our_own_words(name: str, lang: Lang) -> None:
    plan = _plan(name)
    fallbacks = set()
    for where, code, kind in _shown_codes(plan):
        if where in {"performer", "profession", "relationship"}:
            continue  # people's professions and family links may use any code of the national tables
        found = label(code, lang, kind=kind)
        if found is None or found.from_document:
            fallbacks.add((where, code.system, code.code, code.display))
    assert not fallbacks


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_contact_role_of_the_official_example_is_known(name: str) -> None:
    roles = {contact.role for contact in _plan(name).contacts}
    assert roles - {ContactRole.OTHER}
    for role in roles - {ContactRole.OTHER}:
        assert role_label(role, "en").text != "Contact"
