"""Fixtures of the store tests: a FhirClient on a fake base URL whose answers `responses` gives."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import responses

from portal.store import FhirClient

BASE = "https://store.test/fhir"
SUBJECT_SYSTEM = "urn:pps-portal:demo:patient-idp-sub"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture_json(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    # Every registered answer must be asked for: that is how the cache tests count round trips.
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def fhir() -> Iterator[FhirClient]:
    with FhirClient(BASE) as client:
        yield client
