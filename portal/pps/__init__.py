"""The `pps` step of the data path: CI-SIS CANCER-PPS CDA documents → the care-plan model (`read_pps`), and
CANCER-FRCP RCP reports → the RCP report model (`read_rcp`)."""

from portal.pps.errors import DocumentRefused, PpsError
from portal.pps.model import CarePlan
from portal.pps.rcp_model import RcpReport
from portal.pps.rcp_reader import read_rcp
from portal.pps.reader import read_pps

__all__ = ["CarePlan", "DocumentRefused", "PpsError", "RcpReport", "read_pps", "read_rcp"]
