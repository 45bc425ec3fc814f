"""The conformance layer: the official ANS schematrons, compiled once per run, against every document we make.

It reads `../shared/reference/ci-sis` in place (never copied into the project); without it, only
`test_reference.py` is collected, and it skips with one line that says so.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.pps.conformance import Schematrons

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "ci-sis"
ABSENT = "../shared/reference/ci-sis/schematrons is absent: the official conformance rules are not run"

if not (REFERENCE / "schematrons").is_dir():
    collect_ignore = ["test_schematrons.py", "test_check_command.py"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.conformance)


@pytest.fixture(scope="session")
def reference() -> Path:
    if not (REFERENCE / "schematrons").is_dir():
        pytest.skip(ABSENT)
    return REFERENCE


@pytest.fixture(scope="session")
def schematrons(reference: Path, tmp_path_factory: pytest.TempPathFactory) -> Schematrons:
    """Every schema the layer uses, compiled once for the whole run."""
    return Schematrons.compile(reference, tmp_path_factory.mktemp("schematrons"))
