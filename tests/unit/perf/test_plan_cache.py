"""Parsed plans are kept per version, and the cache that keeps them is bounded in bytes, not in plans."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from portal.plans.loader import PlanLoader, deep_size
from portal.pps import read_pps
from portal.store import FhirClient
from portal.store.resources import document_from_fhir, patient_from_fhir
from synthetic import build_documents

CAMILLE_VERSIONS = [d for d in build_documents() if d.kind == "pps" and d.filename.startswith("camille-pps-")]


def entry(n: int) -> Any:
    return document_from_fhir(
        {
            "resourceType": "DocumentReference",
            "id": f"pps-{n}",
            "status": "current",
            "type": {"coding": [{"system": "http://loinc.org", "code": "18776-5"}]},
            "content": [{"attachment": {"contentType": "application/xml", "url": f"Binary/pps-{n}"}}],
        }
    )


@pytest.fixture
def fetched(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every file the loader fetches (each version is a different entry over the same synthetic document)."""
    calls: list[str] = []
    data = CAMILLE_VERSIONS[0].cda

    def fetch_binary(_client: object, document: Any, _max_bytes: int) -> SimpleNamespace:
        calls.append(document.id)
        return SimpleNamespace(data=data)

    monkeypatch.setattr("portal.plans.loader.pdsm.fetch_binary", fetch_binary)
    return calls


PATIENT = patient_from_fhir({"resourceType": "Patient", "id": "pat-camille"})


def test_a_version_read_once_is_not_fetched_again(fetched: list[str]) -> None:
    loader = PlanLoader(FhirClient("https://store.test/fhir"), max_bytes=5 << 20)
    first = loader.load(entry(1), PATIENT)
    again = loader.load(entry(1), PATIENT)
    assert again.plan is first.plan and fetched == ["pps-1"]


def test_the_cache_keeps_as_many_plans_as_fit_in_its_bytes(fetched: list[str]) -> None:
    size = deep_size(read_pps(CAMILLE_VERSIONS[0].cda, max_bytes=5 << 20))
    assert 50_000 < size < 400_000  # a full plan, measured: the bound below means about three of them
    loader = PlanLoader(FhirClient("https://store.test/fhir"), max_bytes=5 << 20, cache_bytes=3 * size + size // 2)
    for n in range(6):
        loader.load(entry(n), PATIENT)
    assert loader._cache.currsize <= 3 * size + size // 2 and len(loader._cache) == 3
    loader.load(entry(5), PATIENT)  # the newest are kept…
    loader.load(entry(0), PATIENT)  # …the oldest were let go
    assert fetched == ["pps-0", "pps-1", "pps-2", "pps-3", "pps-4", "pps-5", "pps-0"]


def test_with_no_bytes_nothing_is_kept(fetched: list[str]) -> None:
    loader = PlanLoader(FhirClient("https://store.test/fhir"), max_bytes=5 << 20, cache_bytes=0)
    loader.load(entry(1), PATIENT)
    loader.load(entry(1), PATIENT)
    assert fetched == ["pps-1", "pps-1"]


def test_shared_parts_are_counted_once() -> None:
    shared = "x" * 10_000
    assert deep_size((shared, shared)) < deep_size((shared, "y" * 10_000))


def test_a_web_worker_loads_the_pdf_library_only_for_its_first_pdf() -> None:
    """WeasyPrint weighs about 27 MB in a process: a worker that never makes a PDF never loads it."""
    import subprocess
    import sys
    from pathlib import Path

    from tests.unit.conftest import base_env

    code = (
        "import json, sys; from portal import create_app; "
        f"create_app({base_env()!r}); print(json.dumps('weasyprint' in sys.modules))"
    )
    root = Path(__file__).resolve().parents[3]
    run = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60, check=True)
    assert run.stdout.strip().splitlines()[-1] == "false"
