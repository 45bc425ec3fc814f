"""docs/configuration.md is generated from the settings' definitions and never drifts from them."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from portal.ops.settings_doc import render
from portal.settings import PREFIX, Settings

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
        if not line.startswith("| `PORTAL_"):
            continue
        name = line.split("|")[1].strip(" `")
        field = next(f for f in fields(Settings) if PREFIX + f.name.upper() == name)
        assert ("**secret**" in line) == field.metadata["secret"], name
    client_secret = next(line for line in render().splitlines() if line.startswith("| `PORTAL_OIDC_CLIENT_SECRET`"))
    assert "**secret**" in client_secret
