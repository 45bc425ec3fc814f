"""A sign-in callback this browser did not start (a stray or forged link, another site's redirect) signs nobody
out; a sign-in the person started and that fails does, so that nobody is left signed in as the previous person."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.unit.conftest import FakeProvider, is_signed_in, start_sign_in
from tests.unit.viewers import Viewers

STRAY = (
    "/auth/callback?code=abc&state=forged",
    "/auth/callback?error=access_denied&state=forged",
    "/auth/callback",
    "/pro/auth/callback?code=abc&state=forged",
    "/pro/auth/callback",
)


@pytest.mark.parametrize("path", STRAY)
def test_a_callback_this_browser_did_not_start_signs_nobody_out(as_patient: FlaskClient, path: str) -> None:
    answer = as_patient.get(path)
    assert answer.status_code in (200, 400), answer.status_code
    assert is_signed_in(as_patient)
    assert as_patient.get("/treatments").status_code == 200


def test_a_sign_in_started_here_that_fails_signs_the_previous_person_out(
    viewers: Viewers, provider: FakeProvider
) -> None:
    browser = viewers.sign_in("camille")
    params = start_sign_in(browser, provider)  # someone else starts a sign-in on the same browser
    provider.claims_patch = {"aud": "another-client"}  # the ID token is refused
    assert browser.get(f"/auth/callback?code=abc&state={params['state']}").status_code == 400
    assert not is_signed_in(browser)


def test_a_sign_in_started_here_and_cancelled_signs_the_previous_person_out(
    viewers: Viewers, provider: FakeProvider
) -> None:
    browser = viewers.sign_in("camille")
    params = start_sign_in(browser, provider)
    assert browser.get(f"/auth/callback?error=access_denied&state={params['state']}").status_code == 200
    assert not is_signed_in(browser)
