"""Fixtures of the security tests: the hostile provider in place of the honest fake one, and log reasons."""

from __future__ import annotations

import pytest
import responses

from tests.unit.security.hostile_idp import HostileProvider, rsa_key


@pytest.fixture
def hostile(mock: responses.RequestsMock) -> HostileProvider:
    idp = HostileProvider(mock, key=rsa_key("k1"))
    idp.install()
    return idp


def refusal_reason(caplog: pytest.LogCaptureFixture, prefix: str = "sign-in failed") -> str:
    """The reason the portal logged for its last refusal starting with `prefix` (fails when there is none)."""
    reasons = [r.getMessage() for r in caplog.records if r.getMessage().startswith(prefix)]
    assert reasons, f"no log line starting with {prefix!r}"
    return reasons[-1]
