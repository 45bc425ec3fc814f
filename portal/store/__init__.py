"""Store step of the data path (access → store → pps): the FHIR R4 client and the PDSm queries, plain Python on top of
requests with no Flask, so the web layer and the command line share them."""

from portal.store.auth import StoreAuth
from portal.store.client import BinaryContent, FhirClient
from portal.store.errors import (
    StoreAuthError,
    StoreDocumentTooLarge,
    StoreError,
    StoreIntegrityError,
    StoreInvalidResponse,
    StoreNotFound,
    StoreRejected,
    StoreUnavailable,
)
from portal.store.pdsm import current_pps, fetch_binary, find_patient, pps_documents
from portal.store.resources import Attachment, DocumentEntry, Identifier, PatientRecord, RelatesTo

__all__ = [
    "Attachment",
    "BinaryContent",
    "DocumentEntry",
    "FhirClient",
    "Identifier",
    "PatientRecord",
    "RelatesTo",
    "StoreAuth",
    "StoreAuthError",
    "StoreDocumentTooLarge",
    "StoreError",
    "StoreIntegrityError",
    "StoreInvalidResponse",
    "StoreNotFound",
    "StoreRejected",
    "StoreUnavailable",
    "current_pps",
    "fetch_binary",
    "find_patient",
    "pps_documents",
]
