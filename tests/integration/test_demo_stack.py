"""The demo stand-ins behave like the external systems the portal talks to: identity providers and store.

Starts `demo/stack.py`'s DemoStack on free loopback ports and checks, over real HTTP, what the portal relies
on: discovery, a full code flow with PKCE driven by a tiny relying party, the `acr` and `sub` in the ID token,
the PDSm searches, Binary downloads with their SHA-1, ETags, and FHIR errors; and that the store's search
index answers exactly what medplum's plain scan answers.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from joserfc import jwt  # installed with authlib, which the portal uses for the same check
from joserfc.jwk import KeySet

from demo.stack import (
    DEMO_DIR,
    PATIENT_CLIENT_ID,
    PATIENT_CLIENT_SECRET,
    PRO_CLIENT_ID,
    PRO_CLIENT_SECRET,
    SUBJECT_SYSTEM,
    DemoStack,
    free_port,
    load_accounts,
)
from tests.integration.signin import SignInRefused, sign_in

pytestmark = pytest.mark.integration

#: The longest a request to a local server may take: a bound for a loaded machine, never a pass condition.
TIMEOUT = 30
FHIR_JSON = "application/fhir+json"
PPS_LOINC = "http://loinc.org|18776-5"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoStack]:
    # Nothing listens at the portal URL: the test relying party stops at the redirect to it.
    demo = DemoStack(portal_url=f"http://127.0.0.1:{free_port()}", log_dir=tmp_path_factory.mktemp("demo-logs"))
    demo.start()
    try:
        yield demo
    finally:
        demo.stop()


def account(login: str) -> dict[str, Any]:
    return next(a for a in load_accounts() if a["login"] == login)


def fhir_get(stack: DemoStack, path: str, **kwargs: Any) -> requests.Response:
    headers = {"Accept": FHIR_JSON, **kwargs.pop("headers", {})}
    return requests.get(f"{stack.store_url}/{path}", headers=headers, timeout=TIMEOUT, **kwargs)


def ids(bundle: dict[str, Any]) -> list[str]:
    return [entry["resource"]["id"] for entry in bundle.get("entry", [])]


def patient_of(stack: DemoStack, sub: str) -> dict[str, Any]:
    bundle = fhir_get(stack, "Patient", params={"identifier": f"{SUBJECT_SYSTEM}|{sub}"}).json()
    assert bundle["total"] == 1
    patient: dict[str, Any] = bundle["entry"][0]["resource"]
    return patient


def jwt_header(token: str) -> dict[str, Any]:
    part = token.split(".")[0]
    header: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return header


def jwt_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


@dataclass
class RelyingParty:
    """The smallest OIDC client: builds the authorization URL and redeems the code, like the portal does."""

    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str

    def __post_init__(self) -> None:
        self.discovery = requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=TIMEOUT).json()
        self.verifier = secrets.token_urlsafe(48)
        self.nonce = secrets.token_urlsafe(16)
        self.state = secrets.token_urlsafe(16)

    def authorization_url(self, **extra: str) -> str:
        challenge = base64.urlsafe_b64encode(hashlib.sha256(self.verifier.encode()).digest()).rstrip(b"=")
        params = {
            "client_id": self.client_id,
            "response_type": "code",
            "scope": "openid profile",
            "redirect_uri": self.redirect_uri,
            "state": self.state,
            "nonce": self.nonce,
            "code_challenge": challenge.decode(),
            "code_challenge_method": "S256",
            **extra,
        }
        return f"{self.discovery['authorization_endpoint']}?{urlencode(params)}"

    def code_from(self, redirect: requests.Response) -> str:
        location = redirect.headers["Location"]
        assert location.startswith(self.redirect_uri)
        query = parse_qs(urlsplit(location).query)
        assert query["state"] == [self.state]
        assert query["iss"] == [self.issuer]
        return query["code"][0]

    def redeem(self, code: str, verifier: str | None = None) -> requests.Response:
        return requests.post(
            self.discovery["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.redirect_uri,
                "code_verifier": verifier or self.verifier,
            },
            auth=(self.client_id, self.client_secret),  # client_secret_basic
            timeout=TIMEOUT,
        )


def patient_rp(stack: DemoStack) -> RelyingParty:
    return RelyingParty(
        stack.patient_issuer, PATIENT_CLIENT_ID, PATIENT_CLIENT_SECRET, f"{stack.portal_url}/auth/callback"
    )


def pro_rp(stack: DemoStack) -> RelyingParty:
    return RelyingParty(stack.pro_issuer, PRO_CLIENT_ID, PRO_CLIENT_SECRET, f"{stack.portal_url}/pro/auth/callback")


def signed_in_tokens(
    stack: DemoStack, rp: RelyingParty, login: str, session: requests.Session | None = None, **extra: str
) -> dict[str, Any]:
    password = account(login)["password"]
    redirect = sign_in(
        session or requests.Session(), rp.authorization_url(**extra), login, password, stop_at_prefix=rp.redirect_uri
    )
    response = rp.redeem(rp.code_from(redirect))
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


# Identity providers


@pytest.mark.parametrize("which", ["patient", "pro"])
def test_discovery_announces_pkce_acr_values_and_logout(stack: DemoStack, which: str) -> None:
    issuer = stack.patient_issuer if which == "patient" else stack.pro_issuer
    response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=TIMEOUT)

    assert response.status_code == 200
    discovery = response.json()
    assert discovery["issuer"] == issuer
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    assert discovery["acr_values_supported"] == ["eidas1", "eidas2", "eidas3"]
    assert discovery["end_session_endpoint"].startswith(issuer)
    assert discovery["backchannel_logout_supported"] is True
    assert {"client_secret_basic", "client_secret_post"} <= set(discovery["token_endpoint_auth_methods_supported"])
    assert "RS256" in discovery["id_token_signing_alg_values_supported"]


def test_patient_code_flow_gives_an_id_token_with_sub_acr_and_nonce(stack: DemoStack) -> None:
    rp = patient_rp(stack)
    camille = account("camille")

    tokens = signed_in_tokens(stack, rp, "camille", acr_values="eidas2")

    claims = jwt_claims(tokens["id_token"])
    assert claims["iss"] == stack.patient_issuer
    assert claims["aud"] == PATIENT_CLIENT_ID
    assert claims["sub"] == camille["sub"] != camille["login"]
    assert claims["acr"] == "eidas2"
    assert claims["nonce"] == rp.nonce
    assert (claims["given_name"], claims["family_name"], claims["birthdate"]) == ("Camille", "Exemple", "1978-04-12")


@pytest.mark.parametrize(
    ("which", "login", "alg", "access_token_seconds"),
    [("patient", "bernard", "ES256", 60), ("pro", "claire", "RS256", 120)],
)
def test_tokens_are_short_lived_and_signed_with_a_published_key(
    stack: DemoStack, which: str, login: str, alg: str, access_token_seconds: int
) -> None:
    """As FranceConnect+ (60-second access tokens, ES256) and Pro Santé Connect (short-lived, RS256) behave."""
    rp = patient_rp(stack) if which == "patient" else pro_rp(stack)
    tokens = signed_in_tokens(stack, rp, login)
    keys = KeySet.import_key_set(requests.get(rp.discovery["jwks_uri"], timeout=TIMEOUT).json())

    token = jwt.decode(tokens["id_token"], keys, algorithms=[alg])

    assert token.header["alg"] == alg
    assert token.header["kid"] in {key.kid for key in keys}
    assert token.claims["sub"] == account(login)["sub"]
    assert tokens["expires_in"] == access_token_seconds
    if which == "patient":
        assert token.claims["acr"] == "eidas2"  # carried even though the request named no acr_values


def test_a_key_rotation_replaces_every_published_key(stack: DemoStack) -> None:
    rp = patient_rp(stack)
    before = {key["kid"] for key in requests.get(rp.discovery["jwks_uri"], timeout=TIMEOUT).json()["keys"]}
    kids = stack.rotate_keys("patient")
    after = {key["kid"] for key in requests.get(rp.discovery["jwks_uri"], timeout=TIMEOUT).json()["keys"]}
    assert after == set(kids)
    assert before.isdisjoint(after)
    tokens = signed_in_tokens(stack, rp, "bernard")
    header = jwt_header(tokens["id_token"])
    assert header["kid"] in after


def test_the_rotation_endpoint_needs_the_stack_s_token(stack: DemoStack) -> None:
    answer = requests.post(stack.patient_issuer + "/_demo/rotate-keys", timeout=TIMEOUT)
    assert answer.status_code == 404
    forged = requests.post(
        stack.patient_issuer + "/_demo/rotate-keys", headers={"Authorization": "Bearer guess"}, timeout=TIMEOUT
    )
    assert forged.status_code == 404


def test_low_assurance_account_signs_in_with_acr_eidas1(stack: DemoStack) -> None:
    # The provider tells the truth about the level; refusing it is the portal's job.
    tokens = signed_in_tokens(stack, patient_rp(stack), "dominique", acr_values="eidas2")

    assert jwt_claims(tokens["id_token"])["acr"] == "eidas1"


def test_patient_userinfo_answers_with_a_signed_jwt_of_the_profile_claims(stack: DemoStack) -> None:
    rp = patient_rp(stack)
    tokens = signed_in_tokens(stack, rp, "alex")

    response = requests.get(
        rp.discovery["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=TIMEOUT,
    )

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/jwt")
    keys = KeySet.import_key_set(requests.get(rp.discovery["jwks_uri"], timeout=TIMEOUT).json())
    claims = jwt.decode(response.text, keys, algorithms=["ES256"]).claims
    assert claims["sub"] == account("alex")["sub"]
    assert claims["family_name"] == "Sansdossier"
    assert claims["iss"] == stack.patient_issuer
    assert claims["aud"] == rp.client_id


def test_pro_code_flow_gives_rpps_as_subject_name_id(stack: DemoStack) -> None:
    claire = account("claire")

    claims = jwt_claims(signed_in_tokens(stack, pro_rp(stack), "claire")["id_token"])

    assert claims["sub"] == claire["sub"]
    assert claims["SubjectNameID"] == claire["rpps"] == "10001234567"
    assert claims["acr"] == "eidas1"
    assert claims["family_name"] == "Modele"


def test_token_endpoint_accepts_client_secret_post(stack: DemoStack) -> None:
    rp = patient_rp(stack)
    redirect = sign_in(
        requests.Session(), rp.authorization_url(), "camille", "demo-camille", stop_at_prefix=rp.redirect_uri
    )

    response = requests.post(
        rp.discovery["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": rp.code_from(redirect),
            "redirect_uri": rp.redirect_uri,
            "code_verifier": rp.verifier,
            "client_id": rp.client_id,
            "client_secret": rp.client_secret,
        },
        timeout=TIMEOUT,
    )

    assert response.status_code == 200, response.text


def test_code_is_refused_without_the_pkce_verifier(stack: DemoStack) -> None:
    rp = patient_rp(stack)
    redirect = sign_in(
        requests.Session(), rp.authorization_url(), "camille", "demo-camille", stop_at_prefix=rp.redirect_uri
    )

    response = rp.redeem(rp.code_from(redirect), verifier=secrets.token_urlsafe(48))

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_authorization_without_pkce_is_refused(stack: DemoStack) -> None:
    rp = patient_rp(stack)
    query = parse_qs(urlsplit(rp.authorization_url()).query)
    without_pkce = {k: v[0] for k, v in query.items() if not k.startswith("code_challenge")}

    response = requests.get(
        rp.discovery["authorization_endpoint"], params=without_pkce, allow_redirects=False, timeout=TIMEOUT
    )

    assert response.status_code == 303
    assert "error=invalid_request" in response.headers["Location"]


def test_wrong_password_shows_the_form_again_with_a_message(stack: DemoStack) -> None:
    rp = patient_rp(stack)

    with pytest.raises(SignInRefused, match="incorrect") as refused:
        sign_in(
            requests.Session(), rp.authorization_url(), "camille", "not-the-password", stop_at_prefix=rp.redirect_uri
        )

    assert 'name="password"' in refused.value.response.text


def test_professional_cannot_sign_in_at_the_patient_provider(stack: DemoStack) -> None:
    rp = patient_rp(stack)

    with pytest.raises(SignInRefused):
        sign_in(requests.Session(), rp.authorization_url(), "claire", "demo-claire", stop_at_prefix=rp.redirect_uri)


def test_logout_with_id_token_hint_redirects_home_without_confirmation(stack: DemoStack) -> None:
    rp = patient_rp(stack)
    browser = requests.Session()
    tokens = signed_in_tokens(stack, rp, "camille", session=browser)
    home = f"{stack.portal_url}/"

    response = browser.get(
        rp.discovery["end_session_endpoint"],
        params={
            "id_token_hint": tokens["id_token"],
            "post_logout_redirect_uri": home,
            "state": "s1",
        },
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    while response.is_redirect and not response.headers["Location"].startswith(home):
        response = browser.get(
            requests.compat.urljoin(response.url, response.headers["Location"]), allow_redirects=False, timeout=TIMEOUT
        )

    assert response.status_code == 303
    assert response.headers["Location"] == f"{home}?state=s1"
    # Signed out at the provider too: the next sign-in asks for the password again.
    redirect = sign_in(browser, rp.authorization_url(), "camille", "demo-camille", stop_at_prefix=rp.redirect_uri)
    assert redirect.headers["Location"].startswith(rp.redirect_uri)


class _BackchannelReceiver(BaseHTTPRequestHandler):
    """Stands in for the portal's POST /auth/backchannel-logout and keeps what it receives."""

    received: ClassVar[list[tuple[str, str]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.received.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # keep pytest output quiet
        pass


def test_logout_notifies_the_portal_over_the_back_channel(tmp_path_factory: pytest.TempPathFactory) -> None:
    receiver = HTTPServer(("127.0.0.1", 0), _BackchannelReceiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    portal = f"http://127.0.0.1:{receiver.server_address[1]}"
    try:
        with DemoStack(portal_url=portal, backchannel_logout=True, log_dir=tmp_path_factory.mktemp("bcl")) as demo:
            rp = patient_rp(demo)
            browser = requests.Session()
            id_token = signed_in_tokens(demo, rp, "camille", session=browser)["id_token"]

            response = browser.get(
                rp.discovery["end_session_endpoint"],
                params={"id_token_hint": id_token, "post_logout_redirect_uri": f"{portal}/"},
                timeout=TIMEOUT,
            )
    finally:
        receiver.shutdown()
        receiver.server_close()

    assert response.url == f"{portal}/"
    [(path, body)] = _BackchannelReceiver.received
    assert path == "/auth/backchannel-logout"
    logout = jwt_claims(parse_qs(body)["logout_token"][0])
    assert logout["sub"] == account("camille")["sub"]
    assert logout["sid"] == jwt_claims(id_token)["sid"]
    assert "http://schemas.openid.net/event/backchannel-logout" in logout["events"]


# Store


def test_store_metadata_is_a_capability_statement(stack: DemoStack) -> None:
    response = fhir_get(stack, "metadata")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(FHIR_JSON)
    assert response.json()["resourceType"] == "CapabilityStatement"
    assert response.json()["fhirVersion"] == "4.0.1"


def test_patient_is_found_by_the_sign_in_subject(stack: DemoStack) -> None:
    camille = account("camille")

    patient = patient_of(stack, camille["sub"])

    assert {"system": SUBJECT_SYSTEM, "value": camille["sub"]} in [
        {"system": i["system"], "value": i["value"]} for i in patient["identifier"]
    ]
    assert patient["name"][0]["family"] == camille["family_name"]
    assert patient["id"] == "pat-camille"


def test_unknown_subject_finds_no_patient(stack: DemoStack) -> None:
    response = fhir_get(stack, "Patient", params={"identifier": f"{SUBJECT_SYSTEM}|{account('alex')['sub']}"})

    assert response.status_code == 200
    assert response.json()["total"] == 0
    assert "entry" not in response.json()


def test_document_search_returns_all_versions_newest_first(stack: DemoStack) -> None:
    patient = patient_of(stack, account("camille")["sub"])

    bundle = fhir_get(
        stack,
        "DocumentReference",
        params={
            "patient": f"Patient/{patient['id']}",
            "status": "current,superseded",
            "type": PPS_LOINC,
            "_sort": "-date",
        },
    ).json()

    documents = [entry["resource"] for entry in bundle["entry"]]
    assert [d["status"] for d in documents] == ["current", "superseded"]
    assert documents[0]["date"] > documents[1]["date"]
    assert documents[0]["relatesTo"] == [
        {"code": "replaces", "target": {"reference": f"DocumentReference/{documents[1]['id']}"}}
    ]
    assert all(e["fullUrl"].startswith(stack.store_url) for e in bundle["entry"])


def test_current_only_search_returns_one_document(stack: DemoStack) -> None:
    bundle = fhir_get(
        stack,
        "DocumentReference",
        params={
            "patient": "Patient/pat-camille",
            "status": "current",
            "type": PPS_LOINC,
        },
    ).json()

    assert ids(bundle) == ["doc-camille-pps-v2"]


def test_paging_link_next_is_followed_to_the_last_page(stack: DemoStack) -> None:
    first = fhir_get(
        stack,
        "DocumentReference",
        params={
            "patient": "Patient/pat-camille",
            "status": "current,superseded",
            "_sort": "-date",
            "_count": "1",
        },
    ).json()
    next_url = next(link["url"] for link in first["link"] if link["relation"] == "next")

    second = requests.get(next_url, headers={"Accept": FHIR_JSON}, timeout=TIMEOUT).json()

    assert ids(first) + ids(second) == ["doc-camille-pps-v2", "doc-camille-pps-v1"]
    assert second["total"] == 2
    assert "next" not in [link["relation"] for link in second["link"]]


def test_care_teams_are_found_by_participant_and_by_patient(stack: DemoStack) -> None:
    practitioner = fhir_get(
        stack,
        "Practitioner",
        params={
            "identifier": f"urn:oid:1.2.250.1.71.4.2.1|{account('claire')['rpps']}",
        },
    ).json()["entry"][0]["resource"]

    by_participant = fhir_get(stack, "CareTeam", params={"participant": f"Practitioner/{practitioner['id']}"}).json()
    by_patient = fhir_get(stack, "CareTeam", params={"patient": "Patient/pat-bernard"}).json()

    assert sorted(ids(by_participant)) == ["ct-bernard", "ct-camille"]
    assert ids(by_patient) == ["ct-bernard"]


def test_related_person_search_by_unknown_identifier_is_empty(stack: DemoStack) -> None:
    bundle = fhir_get(stack, "RelatedPerson", params={"identifier": f"{SUBJECT_SYSTEM}|nobody"}).json()

    assert bundle["resourceType"] == "Bundle"
    assert bundle["total"] == 0


def test_binary_download_has_the_bytes_the_document_reference_describes(stack: DemoStack) -> None:
    document = fhir_get(stack, "DocumentReference/doc-camille-pps-v2").json()
    attachment = document["content"][0]["attachment"]

    response = requests.get(f"{stack.store_url}/{attachment['url']}", timeout=TIMEOUT)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(attachment["contentType"])
    assert len(response.content) == attachment["size"]
    assert base64.b64encode(hashlib.sha1(response.content).digest()).decode() == attachment["hash"]  # noqa: S324
    assert b"1.2.250.1.213.1.1.1.26" in response.content


def test_binary_as_fhir_json_is_the_resource(stack: DemoStack) -> None:
    raw = requests.get(f"{stack.store_url}/Binary/bin-camille-pps-v2", timeout=TIMEOUT).content

    resource = fhir_get(stack, "Binary/bin-camille-pps-v2").json()

    assert resource["resourceType"] == "Binary"
    assert base64.b64decode(resource["data"]) == raw


def test_same_etag_answers_304(stack: DemoStack) -> None:
    for path in ("Patient/pat-camille", "Binary/bin-camille-pps-v1", "DocumentReference?patient=Patient/pat-bernard"):
        first = fhir_get(stack, path)
        etag = first.headers["ETag"]
        assert etag.startswith('W/"')

        again = fhir_get(stack, path, headers={"If-None-Match": etag})

        assert again.status_code == 304, path
        assert again.content == b""


def test_changed_etag_answers_200(stack: DemoStack) -> None:
    response = fhir_get(stack, "Patient/pat-camille", headers={"If-None-Match": 'W/"stale"'})

    assert response.status_code == 200


@pytest.mark.parametrize("path", ["Patient/nobody", "Binary/nothing", "NotAType/1"])
def test_unknown_resource_is_404_operation_outcome(stack: DemoStack, path: str) -> None:
    response = fhir_get(stack, path)

    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith(FHIR_JSON)
    assert response.json()["resourceType"] == "OperationOutcome"
    assert response.json()["issue"][0]["code"] == "not-found"


# Launcher


def test_stack_refuses_a_second_start(stack: DemoStack) -> None:
    with pytest.raises(RuntimeError, match="already started"):
        stack.start()


def test_failed_start_stops_what_it_started_and_shows_the_logs(tmp_path_factory: pytest.TempPathFactory) -> None:
    broken = tmp_path_factory.mktemp("broken") / "seed.json"
    broken.write_text('{"resourceType": "Patient"}', encoding="utf-8")
    demo = DemoStack(portal_url="http://127.0.0.1:9", seed=broken, log_dir=tmp_path_factory.mktemp("logs"))

    with pytest.raises(RuntimeError, match="not a transaction") as failure:
        demo.start(timeout=30)

    assert "store" in str(failure.value)  # the log tail names the child that failed
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{demo.patient_issuer}/.well-known/openid-configuration", timeout=TIMEOUT)


# Store index: the same searches against the indexed store and medplum's plain scan (STORE_INDEX=off)

RPPS_SYSTEM = "urn:oid:1.2.250.1.71.4.2.1"
INDEX_PATIENTS, INDEX_DOCUMENTS = 40, 200


def index_seed() -> dict[str, Any]:
    """40 patients, each with a relative, a care team and an access record; 200 documents dealt round them,
    so that each patient's five lie scattered among the others', some on the same date."""
    resources: list[dict[str, Any]] = []
    for n in range(3):
        resources.append(
            {
                "resourceType": "Practitioner",
                "id": f"pr-idx-{n}",
                "identifier": [{"system": RPPS_SYSTEM, "value": f"8000{n}"}],
            }
        )
    for n in range(INDEX_PATIENTS):
        patient = f"Patient/pat-idx-{n:02d}"
        resources += [
            {
                "resourceType": "Patient",
                "id": f"pat-idx-{n:02d}",
                "identifier": [{"system": SUBJECT_SYSTEM, "value": f"Sub-Idx-{n:02d}"}],
            },
            {
                "resourceType": "RelatedPerson",
                "id": f"rp-idx-{n:02d}",
                "patient": {"reference": patient},
                "identifier": [{"system": SUBJECT_SYSTEM, "value": f"Sub-Idx-{(n + 1) % INDEX_PATIENTS:02d}"}],
            },
            {
                "resourceType": "CareTeam",
                "id": f"ct-idx-{n:02d}",
                "subject": {"reference": patient},
                "participant": [{"member": {"reference": f"Practitioner/pr-idx-{n % 3}"}}],
            },
            {
                "resourceType": "AuditEvent",
                "id": f"ae-idx-{n:02d}",
                "type": {"system": "http://dicom.nema.org/resources/ontology/DCM", "code": "110110"},
                "recorded": f"2025-01-{1 + n % 28:02d}T10:00:00Z",
                "agent": [{"who": {"reference": patient}, "requestor": True}],
                "source": {"observer": {"display": "PPS portal"}},
                "entity": [{"what": {"reference": patient}}],
            },
        ]
    for k in range(INDEX_DOCUMENTS):
        resources.append(
            {
                "resourceType": "DocumentReference",
                "id": f"doc-idx-{k:03d}",
                "status": "current" if k % 2 else "superseded",
                "type": {"coding": [{"system": "http://loinc.org", "code": "18776-5" if k % 4 else "34794-8"}]},
                "subject": {"reference": f"Patient/pat-idx-{k % INDEX_PATIENTS:02d}"},
                "date": f"2024-0{1 + k % 3}-01T00:00:00Z",
                "content": [{"attachment": {"contentType": "text/plain", "url": f"Binary/bin-idx-{k:03d}"}}],
            }
        )
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"resource": r, "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"}} for r in resources
        ],
    }


@dataclass
class Store:
    url: str
    process: subprocess.Popen[bytes]

    def searches(self) -> dict[str, int]:
        stats = requests.get(f"{self.url.removesuffix('/fhir')}/_demo/stats", timeout=TIMEOUT).json()
        return dict(stats.get("searches", {}))


def start_store(seed: str, log: Any, *, index: bool) -> Store:
    port = free_port()
    env = {
        **os.environ,
        "STORE_PORT": str(port),
        "STORE_SEED": seed,
        "STORE_INDEX": "on" if index else "off",
        "DEMO_EXIT_ON_STDIN_EOF": "1",
    }
    process = subprocess.Popen(
        ["node", "store.mjs"], cwd=DEMO_DIR, env=env, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT
    )
    store = Store(f"http://127.0.0.1:{port}/fhir", process)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if requests.get(f"{store.url}/metadata", timeout=TIMEOUT).status_code == 200:
                return store
        except requests.ConnectionError:
            time.sleep(0.1)
    stop_store(store)
    raise RuntimeError("the store did not start; see its log")


def stop_store(store: Store) -> None:
    store.process.terminate()
    store.process.wait(timeout=30)
    if store.process.stdin:
        store.process.stdin.close()  # the lifeline pipe


def change_both(stores: tuple[Store, Store]) -> None:
    """The same writes on both stores, after the seed: the index must follow them."""
    moved = fhir_get_at(stores[0], "DocumentReference/doc-idx-003")
    moved["subject"] = {"reference": "Patient/pat-idx-07"}
    added = {**moved, "id": "doc-idx-new", "date": "2024-02-01T00:00:00Z"}
    for store in stores:
        for resource in (moved, added):
            url = f"{store.url}/DocumentReference/{resource['id']}"
            put = requests.put(url, json=resource, headers={"Content-Type": FHIR_JSON}, timeout=TIMEOUT)
            assert put.status_code in (200, 201), put.text
        deleted = requests.delete(f"{store.url}/DocumentReference/doc-idx-047", timeout=TIMEOUT)
        assert deleted.status_code == 200, deleted.text


def fhir_get_at(store: Store, path: str, params: Any = None) -> dict[str, Any]:
    response = requests.get(f"{store.url}/{path}", params=params, headers={"Accept": FHIR_JSON}, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


@pytest.fixture(scope="module")
def twin_stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Store]]:
    folder = tmp_path_factory.mktemp("store-index")
    seed = folder / "seed.json"
    seed.write_text(json.dumps(index_seed()), encoding="utf-8")
    with (folder / "store.log").open("ab") as log:
        indexed = start_store(str(seed), log, index=True)
        try:
            plain = start_store(str(seed), log, index=False)
            try:
                change_both((indexed, plain))
                yield indexed, plain
            finally:
                stop_store(plain)
        finally:
            stop_store(indexed)


def comparable(bundle: dict[str, Any], base: str) -> dict[str, Any]:
    """The bundle without what differs between two stores by construction: their address and version ids."""
    same: dict[str, Any] = json.loads(json.dumps(bundle).replace(base, "BASE"))
    for entry in same.get("entry", []):
        entry["resource"].pop("meta", None)
    return same


FOCUS = "Patient/pat-idx-07"
SEARCHES = [
    # What the portal asks, and variants of it: all served from the index.
    ("indexed", "DocumentReference", {"patient": FOCUS}),
    ("indexed", "DocumentReference", {"patient": "pat-idx-07", "_sort": "-date"}),
    ("indexed", "DocumentReference", {"patient": FOCUS, "_sort": "date", "_count": "2", "_offset": "1"}),
    (
        "indexed",
        "DocumentReference",
        {"patient": f"{FOCUS},Patient/pat-idx-08", "status": "current,superseded", "type": PPS_LOINC, "_sort": "-date"},
    ),
    ("indexed", "DocumentReference", {"subject": "Patient/pat-idx-08", "_count": "1"}),
    ("indexed", "DocumentReference", {"patient": "Patient/nobody"}),
    ("indexed", "Patient", {"identifier": f"{SUBJECT_SYSTEM}|sub-idx-07"}),
    ("indexed", "Patient", {"identifier": "SUB-IDX-07"}),
    ("indexed", "Patient", {"identifier": "|Sub-Idx-07"}),
    ("indexed", "RelatedPerson", {"identifier": f"{SUBJECT_SYSTEM}|Sub-Idx-08"}),
    ("indexed", "RelatedPerson", {"patient": FOCUS}),
    ("indexed", "Practitioner", {"identifier": f"{RPPS_SYSTEM}|80001"}),
    ("indexed", "CareTeam", {"participant": "Practitioner/pr-idx-1", "_count": "5", "_offset": "5"}),
    ("indexed", "CareTeam", {"patient": FOCUS}),
    ("indexed", "AuditEvent", {"patient": FOCUS, "_sort": "-date"}),
    # What the index cannot serve: medplum's scan answers.
    ("scanned", "Patient", {"identifier": f"{SUBJECT_SYSTEM}|", "_count": "7"}),
    ("scanned", "DocumentReference", {"patient:missing": "false", "_count": "5", "_offset": "3"}),
    ("scanned", "DocumentReference", {"status": "current", "_sort": "-date", "_count": "9"}),
]


@pytest.mark.parametrize(("served_by", "path", "params"), SEARCHES)
def test_indexed_store_answers_what_the_plain_scan_answers(
    twin_stores: tuple[Store, Store], served_by: str, path: str, params: dict[str, str]
) -> None:
    indexed, plain = twin_stores
    before = indexed.searches()

    answer = fhir_get_at(indexed, path, params)
    expected = fhir_get_at(plain, path, params)

    assert comparable(answer, indexed.url) == comparable(expected, plain.url)
    after = indexed.searches()
    assert {k: after[k] - before[k] for k in after} == {
        "indexed": int(served_by == "indexed"),
        "scanned": int(served_by == "scanned"),
    }


def test_indexed_search_keeps_the_store_order_through_updates_and_deletes(twin_stores: tuple[Store, Store]) -> None:
    indexed, _ = twin_stores

    bundle = fhir_get_at(indexed, "DocumentReference", {"patient": FOCUS})

    # doc-idx-003 moved to this patient by an update keeps its first place; doc-idx-047 was deleted.
    assert ids(bundle) == ["doc-idx-003", "doc-idx-007", "doc-idx-087", "doc-idx-127", "doc-idx-167", "doc-idx-new"]
    assert bundle["total"] == 6
    assert fhir_get_at(indexed, "DocumentReference", {"patient": "Patient/pat-idx-03"})["total"] == 4


def test_the_demo_servers_run_on_a_node_lts_that_oidc_provider_supports(stack: DemoStack) -> None:
    """oidc-provider supports LTS releases from 22 on; Node 20 is past its end of life (April 2026)."""
    import subprocess

    version = subprocess.run([stack.node, "--version"], capture_output=True, text=True, check=True, timeout=30)
    assert int(version.stdout.strip().lstrip("v").split(".")[0]) >= 22, version.stdout
    assert stack.log_dir is not None
    for provider in ("patient-idp", "pro-idp"):
        assert "Unsupported runtime" not in (stack.log_dir / f"{provider}.log").read_text(encoding="utf-8")
