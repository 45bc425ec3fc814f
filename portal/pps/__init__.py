"""The `pps` step of the data path: CI-SIS CANCER-PPS CDA documents → the care-plan model (see model.py).

Public entry: `read_pps(data, max_bytes=...) -> CarePlan`, raising `DocumentRefused` for anything that is
not a safe, well-formed cancer PPS.
"""

from portal.pps.errors import DocumentRefused, PpsError
from portal.pps.model import CarePlan
from portal.pps.reader import read_pps

__all__ = ["CarePlan", "DocumentRefused", "PpsError", "read_pps"]
