"""Fixtures of the documents tests: the store's answers are not cached (a test may spoil a file between two
requests), and `signed_in("camille")` signs a demo person in on that app (tests.unit.viewers)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import responses
from flask import Flask
from flask.testing import FlaskClient

from tests.unit.conftest import FakeProvider
from tests.unit.viewers import ReaderStore, Viewers, reader_app


@pytest.fixture
def app() -> Flask:
    return reader_app(PORTAL_STORE_CACHE_TTL="0")


@pytest.fixture
def viewers(mock: responses.RequestsMock, provider: FakeProvider, app: Flask) -> Viewers:
    return Viewers(mock, provider, app)


@pytest.fixture
def store(viewers: Viewers) -> ReaderStore:
    return viewers.store


@pytest.fixture
def signed_in(viewers: Viewers) -> Callable[[str], FlaskClient]:
    """`signed_in("camille")` → a test client signed in as that demo person."""
    return viewers.sign_in
