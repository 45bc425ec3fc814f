"""Parsed plans are kept per version, and the cache that keeps them is bounded in bytes, not in plans."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import pickle
import sys
import zlib
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

import pytest

from portal.plans.kept import (
    OBJECT_BYTES_PER_PICKLED_BYTE,
    OBJECT_SHARE,
    SHARED_SHARE,
    SharedValues,
    pack,
    unpack,
)
from portal.plans.loader import PlanLoader
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
    """A budget with room for one plan ready to use: the rest of it holds as many packed plans as their bytes
    allow. Of more versions than that, the newest come back without a fetch, and the oldest was let go."""
    plan = read_pps(CAMILLE_VERSIONS[0].cda, max_bytes=5 << 20)
    shared = SharedValues(1 << 30)
    pickled = pack(plan, shared)  # as the cache packs it: its care team and codes named, not held
    packed, ready = len(zlib.compress(pickled, 1)), len(pickled) * OBJECT_BYTES_PER_PICKLED_BYTE
    budget = 7 * ready  # a quarter of it: one plan ready
    assert shared.bytes <= budget // SHARED_SHARE  # every shared value of the plan fits in the table's part
    room = budget - budget // OBJECT_SHARE - budget // SHARED_SHARE
    fits = room // packed
    assert fits >= 20  # packed, a plan takes a small part of what it takes ready to use
    loader = PlanLoader(FhirClient("https://store.test/fhir"), max_bytes=5 << 20, cache_bytes=budget)
    for n in range(fits + 3):
        loader.load(entry(n), PATIENT)
    assert loader.kept.packed_bytes <= room and ready <= loader.kept.ready_bytes <= budget // 4
    assert len(loader.kept) == fits
    for n in range(3, fits + 3):  # the newest are kept…
        loader.load(entry(n), PATIENT)
    loader.load(entry(0), PATIENT)  # …the oldest were let go
    assert fetched == [f"pps-{n}" for n in range(fits + 3)] + ["pps-0"]


def test_a_packed_plan_comes_back_equal_and_is_not_read_again(fetched: list[str]) -> None:
    loader = PlanLoader(FhirClient("https://store.test/fhir"), max_bytes=5 << 20)
    first = loader.load(entry(1), PATIENT).plan
    loader.kept._ready.clear()  # as when other plans have taken the room of the ready ones
    again = loader.load(entry(1), PATIENT).plan
    assert again is not first and again == first and fetched == ["pps-1"]
    assert loader.load(entry(1), PATIENT).plan is again  # unpacked once, then ready


def test_with_no_bytes_nothing_is_kept(fetched: list[str]) -> None:
    loader = PlanLoader(FhirClient("https://store.test/fhir"), max_bytes=5 << 20, cache_bytes=0)
    loader.load(entry(1), PATIENT)
    loader.load(entry(1), PATIENT)
    assert fetched == ["pps-1", "pps-1"]


def object_bytes(root: object, leave_out: Iterable[object] = ()) -> int:
    """The memory a tree of dataclasses, tuples, lists, dicts and scalars holds, each object counted once (with
    its instance dictionary), without the objects of `leave_out` and what they hold: the oracle of the bound the
    cache counts for a plan kept as objects."""
    seen: set[int] = {id(item) for item in leave_out}
    stack = [root]
    total = 0
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if isinstance(item, str | bytes | int | float | enum.Enum | dt.date | dt.time | dt.timedelta) or item is None:
            continue
        if dataclasses.is_dataclass(item) and not isinstance(item, type):
            total += sys.getsizeof(vars(item)) if hasattr(item, "__dict__") else 0
            stack.extend(getattr(item, f.name) for f in dataclasses.fields(item))
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)
    return total


def test_shared_parts_are_counted_once() -> None:
    shared = "x" * 10_000
    assert object_bytes((shared, shared)) < object_bytes((shared, "y" * 10_000))


PLANS = [d for d in build_documents() if d.kind == "pps" and d.cda is not None]


@pytest.mark.parametrize("document", PLANS, ids=[d.filename for d in PLANS])
def test_every_synthetic_plan_is_counted_at_least_what_its_objects_take(document: Any) -> None:
    plan = read_pps(document.cda)
    pickled = pack(plan)
    assert object_bytes(plan) > 10_000  # a parsed plan holds tens of kilobytes
    assert len(pickled) * OBJECT_BYTES_PER_PICKLED_BYTE >= object_bytes(plan)
    again = pickle.loads(pickled)  # noqa: S301 (our own pickle)
    assert again == plan and again is not plan


@pytest.mark.parametrize("document", PLANS, ids=[d.filename for d in PLANS])
def test_every_synthetic_plan_packed_with_shared_values_is_counted_at_least_what_its_own_objects_take(
    document: Any,
) -> None:
    """Read back with the shared values, a plan holds them without owning them: its own objects, counted
    without the shared ones, stay within the bound of its (smaller) pickle."""
    shared = SharedValues(1 << 30)
    pickled = pack(read_pps(document.cda), shared)
    again = unpack(pickled, shared)
    table = [shared.value(n) for n in range(len(shared))]
    assert len(pickled) * OBJECT_BYTES_PER_PICKLED_BYTE >= object_bytes(again, leave_out=table)
    assert again == read_pps(document.cda)


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
