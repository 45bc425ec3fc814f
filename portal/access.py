"""Access: from the signed-in person to the patient whose plan they may see, and which documents they may see.

For now a person signed in at the patient provider sees their own plan, found by the link the store keeps
between the provider's `sub` and a Patient. Visibility rules (domain.md) are applied here, once, for every page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from portal import visibility
from portal.store import FhirClient, pdsm
from portal.store.resources import DocumentEntry, PatientRecord

HIDDEN_FROM_PATIENT = "INVISIBLE_PATIENT"
HIDDEN_FROM_REPRESENTATIVES = "INVISIBLE_REPRESENTANTS_LEGAUX"


@dataclass(frozen=True)
class PatientView:
    """What the home page shows: the patient as the store knows them and the plans they may see."""

    patient: PatientRecord
    documents: tuple[DocumentEntry, ...]


def own_patient(client: FhirClient, subject_system: str, sub: str) -> PatientRecord | None:
    """The Patient the store links to this sign-in, or None when no care plan is linked yet."""
    return pdsm.find_patient(client, subject_system, sub)


def visible_to_patient(entries: Iterable[DocumentEntry]) -> tuple[DocumentEntry, ...]:
    """Drop what the patient must never see: documents hidden from them and documents entered in error."""
    return visibility.visible(visibility.Viewer.PATIENT, entries)


def patient_view(client: FhirClient, patient: PatientRecord) -> PatientView:
    return PatientView(patient, visible_to_patient(pdsm.pps_documents(client, patient.id)))
