"""The access record of each view of care-plan content: what the page says it showed (`note`, `note_refused`), and
the record written when the answer leaves (`record`, called by the response hook of `create_app`)."""

from __future__ import annotations

from flask import Response, request

from portal.access.records import AccessRecord, Outcome
from portal.store.resources import FHIR_ID
from portal.web import extensions
from portal.web.state import AccessNote, state
from portal.web.viewing import now

__all__ = ["NOT_AN_ID", "note", "note_refused", "record"]

#: What a record keeps of an id asked for that is not even shaped like one.
NOT_AN_ID = "not-an-id"


def note(document: str | None, version: int | str | None = None, *, compared_with: str | None = None) -> None:
    """Say which document (DocumentReference id) and version this page shows; on the compare page, also the other
    version shown."""
    state().access = AccessNote(document, None if version is None else str(version), compared_with)


def note_refused(asked: str) -> None:
    """Say which document id this request asked for and was refused (missing, hidden, another patient's): the
    record keeps it, as text."""
    state().access = AccessNote(asked if FHIR_ID.fullmatch(asked) else NOT_AN_ID, refused=True)


def _outcome(status: int) -> Outcome:
    if status < 400:
        return "success"
    return "refused" if status in (403, 404) else "failed"


def record(response: Response) -> None:
    """Write the access record of this request, if it served a page of a plan to someone viewing one."""
    current = state()
    viewing, page = current.viewing, current.recorded_page
    if viewing is None or page is None:
        return
    noted = current.access
    view_args = request.view_args or {}
    document = noted.document or view_args.get("doc_id") or view_args.get("version_id")
    if isinstance(document, str) and not FHIR_ID.fullmatch(document):
        document = NOT_AN_ID
    version = noted.version or (str(view_args["number"]) if "number" in view_args else None)
    extensions.trail(viewing.store).record(
        AccessRecord(
            actor=viewing.actor(extensions.settings().oidc_subject_system),
            patient_id=viewing.patient_id,
            page=page,
            outcome="refused" if noted.refused else _outcome(response.status_code),
            at=now(),
            on_behalf_of=viewing.on_behalf_of,
            document=str(document) if document else None,
            version=version,
            compared_with=noted.compared_with,
        )
    )
