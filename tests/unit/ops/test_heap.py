"""A serving process settles its heap once the app is built (`portal.ops.heap`): what the app holds is out of the
cycle collector's walks, and young collections come every few pages, not several times a page. Each case runs in
a Python of its own: the collector's settings belong to the whole process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from portal.ops import heap
from tests.unit.conftest import base_env

ROOT = Path(__file__).resolve().parents[3]
REPORT = "import gc, json; print(json.dumps({'threshold': gc.get_threshold(), 'frozen': gc.get_freeze_count()}))"


def run(code: str, env: dict[str, str] | None = None) -> dict[str, object]:
    answer = subprocess.run(
        [sys.executable, "-c", f"{code}\n{REPORT}"],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report: dict[str, object] = json.loads(answer.stdout.strip().splitlines()[-1])
    return report


def test_pythons_defaults_before() -> None:
    assert run("pass") == {"threshold": [700, 10, 10], "frozen": 0}


def test_settling_freezes_what_is_there_and_raises_the_young_threshold() -> None:
    report = run("from portal.ops import heap; import email.message; heap.settle()")
    assert report["threshold"] == [heap.YOUNG_THRESHOLD, *heap.OLDER_THRESHOLDS]
    assert isinstance(report["frozen"], int) and report["frozen"] > 10_000  # the modules imported, at least


def test_the_wsgi_entry_point_settles_once_the_app_is_built() -> None:
    report = run(
        "import portal.wsgi", base_env(PORTAL_DEV_INSECURE_HTTP="true", PORTAL_PUBLIC_URL="http://127.0.0.1:8000")
    )
    assert report["threshold"] == [heap.YOUNG_THRESHOLD, *heap.OLDER_THRESHOLDS]
    # The app's objects (its blueprints, routes, compiled catalogues) are among the frozen.
    assert isinstance(report["frozen"], int) and report["frozen"] > 50_000


def test_building_an_app_leaves_the_collector_as_it_was() -> None:
    """Tests build apps with `create_app`: they keep Python's defaults."""
    assert run("from portal import create_app; create_app()", base_env())["threshold"] == [700, 10, 10]
