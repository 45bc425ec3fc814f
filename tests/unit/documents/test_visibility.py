"""Visibility: which documents each kind of viewer may see, for every label and status (pure function)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from portal.access.visibility import SHOWN_STATUSES, Viewer, may_see, visible, visible_related
from portal.store.resources import DocumentEntry

PATIENT_LABEL = "INVISIBLE_PATIENT"
REPRESENTATIVES_LABEL = "INVISIBLE_REPRESENTANTS_LEGAUX"


def entry(doc_id: str = "doc-1", status: str = "current", labels: tuple[str, ...] = ()) -> DocumentEntry:
    return DocumentEntry(
        id=doc_id,
        master_identifier=None,
        status=status,
        date=None,
        date_precision=None,
        type_code="18776-5",
        format_code=None,
        format_known=True,
        title=None,
        author_display=None,
        custodian_display=None,
        security_labels=labels,
        relates_to=(),
        attachments=(),
    )


ALL_LABELS: tuple[tuple[str, ...], ...] = (
    (),
    (PATIENT_LABEL,),
    (REPRESENTATIVES_LABEL,),
    (PATIENT_LABEL, REPRESENTATIVES_LABEL),
)

#: The whole matrix for a shown status, written out: (viewer, labels) → may see.
EXPECTED: dict[tuple[Viewer, tuple[str, ...]], bool] = {
    (Viewer.PATIENT, ()): True,
    (Viewer.PATIENT, (PATIENT_LABEL,)): False,
    (Viewer.PATIENT, (REPRESENTATIVES_LABEL,)): True,
    (Viewer.PATIENT, (PATIENT_LABEL, REPRESENTATIVES_LABEL)): False,
    (Viewer.COORDINATOR_PREVIEW, ()): True,
    (Viewer.COORDINATOR_PREVIEW, (PATIENT_LABEL,)): False,
    (Viewer.COORDINATOR_PREVIEW, (REPRESENTATIVES_LABEL,)): True,
    (Viewer.COORDINATOR_PREVIEW, (PATIENT_LABEL, REPRESENTATIVES_LABEL)): False,
    (Viewer.CAREGIVER, ()): True,
    (Viewer.CAREGIVER, (PATIENT_LABEL,)): False,
    (Viewer.CAREGIVER, (REPRESENTATIVES_LABEL,)): False,
    (Viewer.CAREGIVER, (PATIENT_LABEL, REPRESENTATIVES_LABEL)): False,
    (Viewer.REPRESENTATIVE, ()): True,
    (Viewer.REPRESENTATIVE, (PATIENT_LABEL,)): False,
    (Viewer.REPRESENTATIVE, (REPRESENTATIVES_LABEL,)): False,
    (Viewer.REPRESENTATIVE, (PATIENT_LABEL, REPRESENTATIVES_LABEL)): False,
}


def test_the_matrix_covers_every_viewer_and_label() -> None:
    assert set(EXPECTED) == {(v, labels) for v in Viewer for labels in ALL_LABELS}


@pytest.mark.parametrize("status", sorted(SHOWN_STATUSES))
@pytest.mark.parametrize(("viewer", "labels"), list(EXPECTED))
def test_visibility_matrix_for_shown_statuses(viewer: Viewer, labels: tuple[str, ...], status: str) -> None:
    assert may_see(viewer, entry(status=status, labels=labels)) is EXPECTED[(viewer, labels)]


@pytest.mark.parametrize("status", ["entered-in-error", "preliminary", ""])
@pytest.mark.parametrize("labels", ALL_LABELS)
@pytest.mark.parametrize("viewer", list(Viewer))
def test_entered_in_error_and_unknown_statuses_are_never_shown(
    viewer: Viewer, labels: tuple[str, ...], status: str
) -> None:
    assert may_see(viewer, entry(status=status, labels=labels)) is False


def test_patient_never_sees_a_document_hidden_from_them() -> None:
    assert not may_see(Viewer.PATIENT, entry(labels=(PATIENT_LABEL,)))


def test_caregiver_never_sees_a_document_hidden_from_representatives() -> None:
    assert not may_see(Viewer.CAREGIVER, entry(labels=(REPRESENTATIVES_LABEL,)))


def test_coordinator_preview_shows_exactly_what_the_patient_sees() -> None:
    for labels in ALL_LABELS:
        for status in ("current", "superseded", "entered-in-error"):
            document = entry(status=status, labels=labels)
            assert may_see(Viewer.COORDINATOR_PREVIEW, document) == may_see(Viewer.PATIENT, document)


def test_a_label_among_other_labels_still_hides() -> None:
    assert not may_see(Viewer.PATIENT, entry(labels=("N", "NORMAL", PATIENT_LABEL)))


def test_visible_keeps_order_and_drops_hidden_ones() -> None:
    documents = [
        entry("v3", labels=(PATIENT_LABEL,)),
        entry("v2"),
        entry("err", status="entered-in-error"),
        entry("v1", status="superseded"),
    ]
    assert [e.id for e in visible(Viewer.PATIENT, documents)] == ["v2", "v1"]


def test_a_related_report_follows_its_own_labels() -> None:
    report = replace(entry("rcp"), type_code="34794-8", security_labels=(REPRESENTATIVES_LABEL,))
    related = [(report, ())]
    assert visible_related(Viewer.PATIENT, related, []) == (report,)
    assert visible_related(Viewer.REPRESENTATIVE, related, []) == ()


def test_a_report_referenced_only_by_hidden_versions_is_hidden_too() -> None:
    report = replace(entry("rcp"), type_code="34794-8")
    assert visible_related(Viewer.PATIENT, [(report, ("v3",))], shown_pps_ids=["v1", "v2"]) == ()
    assert visible_related(Viewer.PATIENT, [(report, ("v2", "v3"))], shown_pps_ids=["v1", "v2"]) == (report,)


def test_an_entered_in_error_report_is_never_shown() -> None:
    report = replace(entry("rcp", status="entered-in-error"), type_code="34794-8")
    assert visible_related(Viewer.PATIENT, [(report, ("v1",))], shown_pps_ids=["v1"]) == ()
