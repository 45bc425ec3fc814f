"""Every document of the synthetic data set, written from the cases: PPS versions, their PDFs, RCP reports.

`build_documents` is the one place that turns cases into bytes; the FHIR bundle and the command line both use
it, so what the store holds is exactly what tests read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from synthetic import ids
from synthetic.cases import CASES
from synthetic.cda import write_pps
from synthetic.frcp import frcp_title, write_frcp
from synthetic.rendition import rendition, rendition_title
from synthetic.spec import DEFAULT_REFERENCE_DATE, Case

__all__ = ["DEFAULT_REFERENCE_DATE", "GeneratedDocument", "build_documents", "pps_document"]


@dataclass(frozen=True)
class GeneratedDocument:
    """One generated document: a PPS version (`number` = version) or an RCP report (`number` = index)."""

    case: Case
    kind: Literal["pps", "frcp"]
    number: int
    cda: bytes
    title: str
    pdf: bytes | None = None

    @property
    def filename(self) -> str:
        return f"{ids.person_key(self.case)}-{self.kind}-{self.number}.xml"

    @property
    def pdf_filename(self) -> str:
        return f"{ids.person_key(self.case)}-{self.kind}-{self.number}.pdf"


def build_documents(
    reference_date: dt.date = DEFAULT_REFERENCE_DATE, cases: Sequence[Case] = CASES
) -> list[GeneratedDocument]:
    """All PPS versions (with PDF renditions) and RCP reports of `cases`, in case order."""
    documents: list[GeneratedDocument] = []
    for case in cases:
        for number, _ in enumerate(case.versions, start=1):
            documents.append(pps_document(case, number, reference_date))
        for index, _ in enumerate(case.rcp_reports, start=1):
            documents.append(
                GeneratedDocument(
                    case,
                    "frcp",
                    index,
                    write_frcp(case, index, reference_date),
                    frcp_title(case, index, reference_date),
                )
            )
    return documents


def pps_document(case: Case, number: int, reference_date: dt.date = DEFAULT_REFERENCE_DATE) -> GeneratedDocument:
    """Version `number` of the case's PPS: the CDA and its PDF rendition (embedded when the PPS is PDF-only)."""
    pdf = rendition(case, number, reference_date)
    return GeneratedDocument(
        case, "pps", number, write_pps(case, number, reference_date, pdf), rendition_title(case, number), pdf
    )
