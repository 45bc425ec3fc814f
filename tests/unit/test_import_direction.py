"""The care-plan model and its reader are plain Python: importing them pulls in neither Flask nor requests."""

from __future__ import annotations

import ast
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


#: The only imports made inside a function, each for its reason: anything else is imported at the top of its module.
LAZY_IMPORTS = {
    ("portal/__init__.py", "portal.app"): "`import portal.pps` must not pull in the web framework",
    ("portal/cli/commands.py", "portal.cli.preview"): "only `portal pps preview` needs Flask and the templates",
    ("portal/cli/indicators.py", "portal.cli.report"): "only `portal indicators` talks to the store (requests)",
    ("portal/cli/indicators.py", "portal.store"): "only `portal indicators` talks to the store (requests)",
    ("portal/exports/pdf.py", "weasyprint"): "heavy: loaded on a worker's first PDF, not at start",
    ("portal/exports/rcp_print.py", "weasyprint"): "heavy: loaded on a worker's first PDF, not at start",
    ("portal/pps/conformance.py", "saxonche"): "optional: only the official rules need SaxonC-HE",
}


def test_nothing_is_imported_inside_a_function_but_what_has_a_reason() -> None:
    found = set()
    for path in sorted((ROOT / "portal").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.ImportFrom) and inner.module:
                        found.add((path.relative_to(ROOT).as_posix(), inner.module))
                    elif isinstance(inner, ast.Import):
                        found |= {(path.relative_to(ROOT).as_posix(), alias.name) for alias in inner.names}
    assert found == set(LAZY_IMPORTS)
