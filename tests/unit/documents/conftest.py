"""Fixtures of the documents tests: the app on a fake store holding the synthetic data set, and sign-in as a
synthetic person (by their demo `sub`)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import responses
from flask import Flask
from flask.testing import FlaskClient

from portal import create_app
from tests.unit.conftest import STORE, FakeProvider, base_env, make_client, sign_in
from tests.unit.documents.synthetic_store import SyntheticStore

DEMO_SUBJECT_SYSTEM = "urn:pps-portal:demo:patient-idp-sub"
SUBS = {
    "camille": "p-7c1e0b52a4",
    "diane": "p-d1a9e04c72",
    "victor": "p-c93e6a0f48",
    "nathalie": "p-58f0e3b7a1",
    "rose": "p-a0d4c7e19b",
}


@pytest.fixture
def store(mock: responses.RequestsMock) -> SyntheticStore:
    fake = SyntheticStore(STORE)
    fake.install(mock)
    return fake


@pytest.fixture
def app() -> Flask:
    flask_app = create_app(base_env(PORTAL_OIDC_SUBJECT_SYSTEM=DEMO_SUBJECT_SYSTEM, PORTAL_STORE_CACHE_TTL="0"))
    flask_app.config["TESTING"] = True
    return flask_app


@pytest.fixture
def signed_in(app: Flask, provider: FakeProvider, store: SyntheticStore) -> Callable[[str], FlaskClient]:
    """Returns a function: `signed_in("camille")` → a test client signed in as that synthetic person."""

    def sign_in_as(login: str) -> FlaskClient:
        client = make_client(app)
        provider.sub = SUBS[login]
        assert sign_in(client, provider).status_code == 302
        return client

    return sign_in_as
