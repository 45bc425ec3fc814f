"""What a first view costs beyond its own work: the catalogue looked up once per request, not once per string; the
size of a parsed plan measured as before, only faster."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import sys
from typing import Any

import flask_babel
import pytest
from flask import Flask

from portal.plans.loader import deep_size
from portal.pps import read_pps
from synthetic import build_documents
from tests.unit.conftest import PUBLIC, make_client


def reference_size(root: object) -> int:
    """deep_size as it was first written (every node asked of `dataclasses.fields`): the oracle."""
    seen: set[int] = set()
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
            stack.extend(getattr(item, f.name) for f in dataclasses.fields(item))
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)
    return total


PLANS = [d for d in build_documents() if d.kind == "pps" and d.cda is not None]


@pytest.mark.parametrize("document", PLANS, ids=[d.filename for d in PLANS])
def test_the_size_of_every_synthetic_plan_is_measured_as_before(document: Any) -> None:
    plan = read_pps(document.cda)
    assert deep_size(plan) == reference_size(plan) > 10_000  # a parsed plan holds tens of kilobytes


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_page_looks_its_catalogue_up_once(app: Flask, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    """The start page has some thirty strings in its templates; flask-babel is asked for the catalogue once for
    them all (and for the few strings the Python code translates itself)."""
    looked_up: list[object] = []
    real = flask_babel.Domain.get_translations

    def counting(domain: flask_babel.Domain) -> Any:
        looked_up.append(None)
        return real(domain)

    monkeypatch.setattr(flask_babel.Domain, "get_translations", counting)
    page = make_client(app).get("/", base_url=PUBLIC, headers={"Accept-Language": lang})
    assert page.status_code == 200
    words = page.get_data(as_text=True)
    assert ("Se connecter" in words) if lang == "fr" else ("Sign in" in words)  # translated, in its language
    assert len(looked_up) <= 3, len(looked_up)
