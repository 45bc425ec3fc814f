"""Care plans for the view-model tests: generated synthetic documents, read by the real reader."""

from __future__ import annotations

from functools import cache

from portal.pps import read_pps
from portal.pps.model import CarePlan
from tests.unit.web.plans import synthetic


@cache
def plan(name: str) -> CarePlan:
    """A synthetic PPS version by name ("camille-pps-2"), read once."""
    return read_pps(synthetic()[name].cda)
