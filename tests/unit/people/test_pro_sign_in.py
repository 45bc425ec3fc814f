"""Professionals sign in at the professional provider: the acr asked is eidas1 by default and the RPPS number
comes from a configurable claim; a sign-in without one is refused."""

from __future__ import annotations

import responses
from flask.testing import FlaskClient

from tests.unit.professionals import pro_client, pro_provider, sign_in_pro


def test_the_rpps_number_is_read_from_subject_name_id(mock: responses.RequestsMock) -> None:
    client = pro_client()
    assert sign_in_pro(client, pro_provider(mock, SubjectNameID="10001234567")) == 302
    with client.session_transaction() as session:
        assert session["user"]["provider"] == "pro" and session["user"]["rpps"] == "10001234567"
        assert session["oidc_sub"] == "sub-123"


def test_the_claim_is_configurable(mock: responses.RequestsMock) -> None:
    client = pro_client(PORTAL_PRO_RPPS_CLAIM="rpps")
    assert sign_in_pro(client, pro_provider(mock, rpps="10001234567")) == 302
    with client.session_transaction() as session:
        assert session["user"]["rpps"] == "10001234567"


def test_a_professional_without_an_rpps_number_is_refused(mock: responses.RequestsMock) -> None:
    client = pro_client()
    assert sign_in_pro(client, pro_provider(mock)) == 400
    with client.session_transaction() as session:
        assert "user" not in session


def test_without_a_professional_provider_the_routes_do_not_exist(client: FlaskClient) -> None:
    assert client.get("/pro/login").status_code == 404
