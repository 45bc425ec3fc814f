"""Visibility: which documents a viewer may see (access step of the data path, between store and pages)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum

from portal.store.resources import INVISIBLE_PATIENT, INVISIBLE_REPRESENTANTS_LEGAUX, DocumentEntry

__all__ = ["SHOWN_STATUSES", "Viewer", "may_see", "visible", "visible_related"]

#: The only statuses ever shown. `entered-in-error` never is; an unknown status is not either (fail safe).
SHOWN_STATUSES = frozenset({"current", "superseded"})


class Viewer(StrEnum):
    """Who is looking at the patient's documents."""

    PATIENT = "patient"
    CAREGIVER = "caregiver"  # aidant, signed in under their own identity
    REPRESENTATIVE = "representative"  # représentant légal (parent of a minor, guardian)
    COORDINATOR_PREVIEW = "coordinator-preview"  # infirmier(e) de coordination previewing the patient's view


#: The labels that hide a document from each kind of viewer.
#: INVISIBLE_PATIENT hides from everybody who sees the patient's view, not only from the patient: the
#: document is not released yet (until the announcement consultation), so relatives must not learn it
#: first, and a coordinator's preview must show exactly what the patient sees.
HIDING_LABELS: dict[Viewer, frozenset[str]] = {
    Viewer.PATIENT: frozenset({INVISIBLE_PATIENT}),
    Viewer.COORDINATOR_PREVIEW: frozenset({INVISIBLE_PATIENT}),
    Viewer.CAREGIVER: frozenset({INVISIBLE_PATIENT, INVISIBLE_REPRESENTANTS_LEGAUX}),
    Viewer.REPRESENTATIVE: frozenset({INVISIBLE_PATIENT, INVISIBLE_REPRESENTANTS_LEGAUX}),
}


def may_see(viewer: Viewer, entry: DocumentEntry) -> bool:
    """Whether this kind of viewer may see this document at all (any page, download or export).

    The one rule everywhere a document can reach a person: the plan pages, the documents page, downloads, the PDF,
    the calendar file and the portable copy. It reads only what the store says (the status and the visibility labels,
    TRE_A07 StatutVisibiliteDocument), so it is a pure function of the viewer's kind and the entry: tested once as a
    matrix, trusted by every caller.
    """
    if entry.status not in SHOWN_STATUSES:
        return False
    return not HIDING_LABELS[viewer].intersection(entry.security_labels)


def visible(viewer: Viewer, entries: Iterable[DocumentEntry]) -> tuple[DocumentEntry, ...]:
    """The entries this viewer may see, in their order."""
    return tuple(entry for entry in entries if may_see(viewer, entry))


def visible_related(
    viewer: Viewer,
    related: Iterable[tuple[DocumentEntry, Sequence[str]]],
    shown_pps_ids: Iterable[str],
) -> tuple[DocumentEntry, ...]:
    """Related documents (RCP report…) the viewer may see: `related` pairs each entry with the ids of the PPS
    versions that reference it (`context.related`).

    A related document follows its own labels and, when PPS versions reference it, is shown only if at least
    one of them is shown: the RCP report behind a plan that is not released yet must not announce it.
    """
    shown = frozenset(shown_pps_ids)
    return tuple(
        entry
        for entry, referenced_by in related
        if may_see(viewer, entry) and (not referenced_by or shown.intersection(referenced_by))
    )
