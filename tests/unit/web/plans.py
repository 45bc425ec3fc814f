"""A fake store serving one patient and one PPS document (generated or official), for page tests."""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from typing import Any

import responses
from flask.testing import FlaskClient

from synthetic import GeneratedDocument, build_documents
from tests.pages import check_page, csp_nonce
from tests.unit.conftest import STORE
from tests.unit.fhir import PATIENT, document, searchset


@cache
def synthetic() -> dict[str, GeneratedDocument]:
    """Every generated PPS version by file name without extension ("camille-pps-2")."""
    return {d.filename.removesuffix(".xml"): d for d in build_documents() if d.kind == "pps"}


def pps_entry(doc_id: str, data: bytes, *, extra_pdf: bool = False) -> dict[str, Any]:
    """A current DocumentReference whose attachment announces the true size and SHA-1 of `data`."""
    entry = document(doc_id, "current", "2026-02-13T10:00:00+01:00")
    attachment = entry["content"][0]["attachment"]
    attachment["size"] = len(data)
    attachment["hash"] = base64.b64encode(hashlib.sha1(data, usedforsecurity=False).digest()).decode()
    if extra_pdf:
        entry["content"].append(
            {"attachment": {"contentType": "application/pdf", "url": f"Binary/{doc_id}-pdf", "title": "PDF"}}
        )
    return entry


def serve(mock: responses.RequestsMock, data: bytes, *, doc_id: str = "pps-1", extra_pdf: bool = False) -> None:
    mock.get(STORE + "/Patient", json=searchset(PATIENT))
    mock.get(STORE + "/DocumentReference", json=searchset(pps_entry(doc_id, data, extra_pdf=extra_pdf)))
    mock.get(f"{STORE}/Binary/{doc_id}", body=data, content_type="application/xml")


def open_page(client: FlaskClient, path: str, lang: str = "fr") -> tuple[Any, str]:
    """GET a page as a browser in `lang`; check its structure; return (lxml document, body)."""
    answer = client.get(path, headers={"Accept-Language": lang})
    assert answer.status_code == 200, answer.status_code
    body = answer.get_data(as_text=True)
    doc = check_page(body, nonce=csp_nonce(answer.headers.get("Content-Security-Policy")))
    assert doc.get("lang") == lang
    return doc, body


def text(element: Any) -> str:
    return " ".join(element.text_content().split())
