"""The app's shared parts, typed, for code running in a request (or an app context): its settings, its store
client and its plan loader, as `portal.create_app` puts them in `app.extensions`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:
    from portal.plans.loader import PlanLoader
    from portal.settings import Settings
    from portal.store import FhirClient

__all__ = ["plans", "settings", "store"]


def settings() -> Settings:
    value: Settings = current_app.extensions["portal.settings"]
    return value


def store() -> FhirClient:
    client: FhirClient = current_app.extensions["portal.store"]
    return client


def plans() -> PlanLoader:
    loader: PlanLoader = current_app.extensions["portal.plans"]
    return loader
