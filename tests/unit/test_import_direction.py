"""The care-plan model and its reader are plain Python: importing them pulls in neither Flask nor requests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


PPS_MODULES = sorted(f"portal.pps.{p.stem}" for p in (ROOT / "portal" / "pps").glob("*.py") if p.stem != "__init__")


@pytest.mark.parametrize("module", ["portal.pps", *PPS_MODULES, "portal.cli"])
def test_the_model_side_imports_no_web_framework(module: str) -> None:
    code = f"import sys, {module}; print(sorted(m for m in ('flask', 'requests') if m in sys.modules))"
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    assert run.stdout.strip() == "[]"
