"""docs/configuration.md is generated from the settings' definitions and never drifts from them."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from portal.ops.settings_doc import render
from portal.settings import PREFIX, REGION_FIELDS, REGION_PREFIX, RegionSettings, Settings

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "configuration.md"


def test_the_configuration_reference_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/configuration.md is out of date: "
        "run `.venv/bin/python -m portal.ops.settings_doc > docs/configuration.md`"
    )


def test_every_setting_has_a_row_with_its_meaning() -> None:
    rows = {line.split("|")[1].strip(" `"): line for line in render().splitlines() if line.startswith("| `PORTAL_")}
    for f in fields(Settings):
        name = PREFIX + f.name.upper()
        assert name in rows, name
        assert f.metadata["doc"].replace("|", "\\|") in rows[name]


def test_secrets_are_marked_and_only_they() -> None:
    for line in render().splitlines():
        if not line.startswith("| `PORTAL_") or line.startswith(f"| `{REGION_PREFIX}<KEY>_"):
            continue
        name = line.split("|")[1].strip(" `")
        field = next(f for f in fields(Settings) if PREFIX + f.name.upper() == name)
        assert ("**secret**" in line) == field.metadata["secret"], name
    client_secret = next(line for line in render().splitlines() if line.startswith("| `PORTAL_OIDC_CLIENT_SECRET`"))
    assert "**secret**" in client_secret


def test_every_variable_of_a_regional_store_has_a_row_its_secrets_marked() -> None:
    """PORTAL_REGION_<KEY>_CLIENT_SECRET is as secret as PORTAL_STORE_CLIENT_SECRET."""
    rows = {
        line.split("|")[1].strip(" `"): line
        for line in render().splitlines()
        if line.startswith(f"| `{REGION_PREFIX}<KEY>_")
    }
    declared = [f for f in fields(RegionSettings) if f.name in REGION_FIELDS]
    assert sorted(rows) == sorted(f"{REGION_PREFIX}<KEY>_{REGION_FIELDS[f.name]}" for f in declared)
    for f in declared:
        line = rows[f"{REGION_PREFIX}<KEY>_{REGION_FIELDS[f.name]}"]
        assert f.metadata["doc"].replace("|", "\\|") in line
        assert ("**secret**" in line) == f.metadata["secret"], f.name
    assert "**secret**" in rows["PORTAL_REGION_<KEY>_CLIENT_SECRET"]
    assert "| `PORTAL_STORE_READ_TIMEOUT` | float | `5.0` |" in rows["PORTAL_REGION_<KEY>_READ_TIMEOUT"]
