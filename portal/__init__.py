"""The PPS portal: patients read their cancer care plan (Programme Personnalisé de Soins) in plain words."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from portal.paths import ROOT
from portal.settings import Settings, SettingsError

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["ROOT", "SettingsError", "create_app"]


def create_app(config: Settings | Mapping[str, str] | None = None) -> Flask:
    """Build the app from `Settings`, from a mapping of `PORTAL_*` variables, or from the environment (see
    `portal.app`)."""
    # Imported here: `import portal.pps` (the reader, the model, the CLI) must not pull in the web framework.
    from portal.app import create_app as build

    return build(config)
