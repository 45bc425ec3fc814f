"""The `pps` step of the data path: CI-SIS CANCER-PPS CDA documents → the care-plan model (see model.py), and
CANCER-FRCP RCP reports → the RCP report model (see rcp_model.py).

Public entries: `read_pps(data, max_bytes=...) -> CarePlan` and `read_rcp(data, max_bytes=...) -> RcpReport`,
raising `DocumentRefused` for anything that is not a safe, well-formed document of that model.
"""

from portal.pps.errors import DocumentRefused, PpsError
from portal.pps.model import CarePlan
from portal.pps.rcp_model import RcpReport
from portal.pps.rcp_reader import read_rcp
from portal.pps.reader import read_pps

__all__ = ["CarePlan", "DocumentRefused", "PpsError", "RcpReport", "read_pps", "read_rcp"]
