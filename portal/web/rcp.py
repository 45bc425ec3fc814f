"""RCP reports (fiche RCP, CI-SIS CANCER-FRCP) in plain words (web step): `GET /rcp/<doc_id>` shows one report the
viewer may see as a page, `GET /rcp/<doc_id>/report.pdf` as a tagged PDF, and `GET /rcp` opens the latest one."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Flask, Response, redirect, render_template
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound

from portal.exports import files
from portal.exports.rcp_print import rcp_pdf
from portal.plain.views import Linker
from portal.plain.views.rcp import rcp_view
from portal.pps.errors import PpsError
from portal.pps.rcp_model import RcpReport
from portal.pps.rcp_reader import read_rcp
from portal.store.resources import DocumentEntry
from portal.web import documents, extensions, recording
from portal.web.navigation import nav, page_lang
from portal.web.viewing import Viewing, viewing_required
from portal.web.voice import current_voice

__all__ = ["bp", "init_app"]

bp = Blueprint("rcp", __name__)
RCP_TYPE = "34794-8"
XML_TYPES = frozenset({"text/xml", "application/xml", "application/hl7-v3+xml"})


def _reports(context: documents.DocumentsContext) -> list[DocumentEntry]:
    return [e for e in context.related if e.type_code == RCP_TYPE]


@dataclass(frozen=True)
class Found:
    doc_id: str
    report: RcpReport


def _read(viewing: Viewing, doc_id: str) -> Found:
    """The report, found among the viewer's related documents (the same visibility as the documents page, and the
    same rule for limited caregivers, who never get documents); its structured file is fetched and checked whole like
    any download, then read. A report hidden from the viewer, another patient's, or one without a readable structured
    file answers 404, like a missing one."""
    context = documents.documents_for(viewing)
    entry = next((e for e in _reports(context) if e.id == doc_id), None)
    attachment = None
    if entry is not None:
        attachment = next(
            (a for a in entry.attachments if a.url and files.media_type(a.content_type) in XML_TYPES), None
        )
    if entry is None or attachment is None:
        recording.note_refused(doc_id)
        raise NotFound()
    try:
        checked = files.checked_file(
            extensions.store(viewing.store), attachment, extensions.settings().document_max_bytes, None
        )
        report = read_rcp(checked.data)
    except (files.RefusedFile, PpsError):
        recording.note_refused(doc_id)
        raise NotFound() from None
    recording.note(entry.id)
    return Found(entry.id, report)


@bp.get("/rcp")
@viewing_required("documents", record=False)  # only leads to the report, which is recorded
def latest(viewing: Viewing) -> ResponseReturnValue:
    context = documents.documents_for(viewing)
    reports = sorted(_reports(context), key=lambda e: e.date.timestamp() if e.date else 0.0, reverse=True)
    if not reports:
        raise NotFound()
    return redirect(f"/rcp/{reports[0].id}")


@bp.get("/rcp/<doc_id>")
@viewing_required("documents")
def report(viewing: Viewing, doc_id: str) -> ResponseReturnValue:
    found = _read(viewing, doc_id)
    lang = page_lang()
    view = rcp_view(found.report, lang)
    return render_template("rcp/report.html", nav=nav("documents"), view=view, gloss=Linker(lang), doc_id=found.doc_id)


@bp.get("/rcp/<doc_id>/report.pdf")
@viewing_required("documents")
def report_pdf(viewing: Viewing, doc_id: str) -> ResponseReturnValue:
    found = _read(viewing, doc_id)
    lang = page_lang()
    body = extensions.pdf_pool().make(rcp_pdf, found.report, lang, current_voice())  # as the plan's PDF
    name = "compte-rendu-rcp.pdf" if lang == "fr" else "team-meeting-report.pdf"
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = files.content_disposition("attachment", name)
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
