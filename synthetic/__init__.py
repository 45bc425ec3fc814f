"""Synthetic data set of the portal: fictional cancer PPS documents, RCP reports, PDFs and the FHIR seed bundle.

Start of the data path for tests and the demo: `cases` (compact descriptions) → `cda` / `frcp` / `pdf` (documents)
→ `bundle` (FHIR R4 transaction for the store); `regions` seeds the other regions' stores. Plain Python: no Flask,
no requests.
"""

from synthetic.bundle import build_bundle
from synthetic.cases import CASES, demo_accounts
from synthetic.documents import DEFAULT_REFERENCE_DATE, GeneratedDocument, build_documents
from synthetic.regions import REGIONS, build_region_bundle

__all__ = [
    "CASES",
    "DEFAULT_REFERENCE_DATE",
    "REGIONS",
    "GeneratedDocument",
    "build_bundle",
    "build_documents",
    "build_region_bundle",
    "demo_accounts",
]
