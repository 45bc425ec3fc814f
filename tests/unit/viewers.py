"""Signed-in test clients, one per viewer kind, on a fake store holding the whole synthetic data set.

`as_patient`, `as_caregiver`, `as_limited_caregiver`, `as_representative` and `as_coordinator` are fixtures of
every unit test (tests/unit/conftest.py); each is a `CheckingClient`, so every page it gets is checked. `viewers`
signs in any demo account by its login (demo/accounts.json), on the patients' or the professionals' provider.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import responses
from flask import Flask
from flask.testing import FlaskClient

from portal import create_app
from tests.unit.conftest import STORE, FakeProvider, base_env, make_client, sign_in
from tests.unit.documents.synthetic_store import Answer, SyntheticStore
from tests.unit.professionals import PRO_ENV, pro_provider, sign_in_pro

#: The subject system the demo's patient provider links its `sub` under (as the synthetic Patients carry it).
DEMO_SUBJECT_SYSTEM = "urn:pps-portal:demo:patient-idp-sub"
ACCOUNTS_FILE = Path(__file__).resolve().parents[2] / "demo" / "accounts.json"


@cache
def accounts() -> dict[str, dict[str, Any]]:
    """The demo accounts by login, as demo/accounts.json describes them (the same people as the demo)."""
    return {a["login"]: a for a in json.loads(ACCOUNTS_FILE.read_text(encoding="utf-8"))}


def sub_of(login: str) -> str:
    return str(accounts()[login]["sub"])


class ReaderStore(SyntheticStore):
    """The synthetic store, also answering what sign-in asks for every viewer kind: RelatedPerson links,
    Patient reads, the professionals and their CareTeams, and the access log's writes."""

    def install(self, mock: responses.RequestsMock) -> None:
        super().install(mock)
        base = self.base
        mock.add_callback(responses.GET, base + "/RelatedPerson", callback=self._by_identifier("RelatedPerson"))
        mock.add_callback(responses.GET, base + "/Practitioner", callback=self._by_identifier("Practitioner"))
        mock.add_callback(responses.GET, base + "/PractitionerRole", callback=self._roles)
        mock.add_callback(responses.GET, base + "/CareTeam", callback=self._teams)
        mock.add_callback(responses.GET, re.compile(re.escape(base) + r"/Patient/[^/?]+$"), self._read)
        mock.add_callback(responses.GET, base + "/AuditEvent", callback=lambda _request: self._bundle([]))
        mock.add_callback(responses.POST, base + "/AuditEvent", callback=self._created)
        mock.add_callback(responses.POST, base, callback=self._batch)

    def _all(self, resource_type: str) -> list[dict[str, Any]]:
        return [r for (kind, _), r in self.resources.items() if kind == resource_type]

    def _by_identifier(self, resource_type: str) -> Any:
        def search(request: Any) -> Answer:
            system, _, value = self._params(request)["identifier"][0].partition("|")
            found = [
                r
                for r in self._all(resource_type)
                if any(i.get("system") == system and i.get("value") == value for i in r.get("identifier", []))
            ]
            return self._bundle(found)

        return search

    def _roles(self, request: Any) -> Answer:
        practitioner = self._params(request)["practitioner"][0]
        return self._bundle(
            [r for r in self._all("PractitionerRole") if r["practitioner"]["reference"] == practitioner]
        )

    def _teams(self, request: Any) -> Answer:
        member = self._params(request)["participant"][0]
        return self._bundle(
            [
                team
                for team in self._all("CareTeam")
                if any(p.get("member", {}).get("reference") == member for p in team.get("participant", []))
            ]
        )

    @staticmethod
    def _created(_request: Any) -> Answer:
        return 201, {"Content-Type": "application/fhir+json"}, json.dumps({"resourceType": "AuditEvent", "id": "a"})

    @staticmethod
    def _batch(request: Any) -> Answer:
        entries = json.loads(request.body or b"{}").get("entry", [])
        body = {
            "resourceType": "Bundle",
            "type": "batch-response",
            "entry": [{"response": {"status": "201 Created"}} for _ in entries],
        }
        return 200, {"Content-Type": "application/fhir+json"}, json.dumps(body)


class NotingStore(ReaderStore):
    """A reader store that also notes every access record written to it (`audit_posts`), one AuditEvent each."""

    def install(self, mock: responses.RequestsMock) -> None:
        self.audit_posts: list[dict[str, Any]] = []
        super().install(mock)

    # The reader store's own answers to the writes, noting them (one callback per URL: responses drops the first
    # of two that match once it has answered).
    def _created(self, request: Any) -> Answer:
        self.audit_posts.append(json.loads(request.body))
        return ReaderStore._created(request)

    def _batch(self, request: Any) -> Answer:
        self.audit_posts.extend(e["resource"] for e in json.loads(request.body).get("entry", []))
        return ReaderStore._batch(request)


def reader_app(**env: str) -> Flask:
    """The portal with both providers configured, linking the demo's subjects, reading the fake store."""
    settings = {
        "PORTAL_OIDC_SUBJECT_SYSTEM": DEMO_SUBJECT_SYSTEM,
        "PORTAL_STORE_CACHE_TTL": "60",
        "PORTAL_PAGE_CACHE_BYTES": "0",
        **PRO_ENV,
        **env,
    }
    app = create_app(base_env(**settings))
    app.config["TESTING"] = True
    return app


@dataclass
class Viewers:
    """Signs demo accounts in on one app and one fake store: `viewers.sign_in("helene")` → a checking client."""

    mock: responses.RequestsMock
    provider: FakeProvider
    app: Flask = field(default_factory=reader_app)
    store: ReaderStore = field(default_factory=lambda: ReaderStore(STORE))
    _pro: FakeProvider | None = None

    def __post_init__(self) -> None:
        self.store.install(self.mock)

    def sign_in(self, login: str) -> FlaskClient:
        account = accounts()[login]
        client = make_client(self.app)
        if account["idp"] == "pro":
            if self._pro is None:
                self._pro = pro_provider(self.mock, SubjectNameID=account["rpps"])
            self._pro.sub = account["sub"]
            self._pro.claims_patch["SubjectNameID"] = account["rpps"]
            self._pro.userinfo = {"sub": account["sub"], "SubjectNameID": account["rpps"]}
            assert sign_in_pro(client, self._pro) == 302, f"{login} could not sign in"
        else:
            self.provider.sub = account["sub"]
            self.provider.userinfo = {"sub": account["sub"], "given_name": account["given_name"]}
            assert sign_in(client, self.provider).status_code == 302, f"{login} could not sign in"
        return client


@pytest.fixture
def viewers(mock: responses.RequestsMock, provider: FakeProvider) -> Viewers:
    return Viewers(mock, provider)


def _signed_in_as(name: str, login: str, doc: str) -> Any:
    def fixture(viewers: Viewers) -> FlaskClient:
        return viewers.sign_in(login)

    fixture.__doc__ = doc
    return pytest.fixture(name=name)(fixture)


as_patient = _signed_in_as("as_patient", "camille", "Camille Exemple, reading her own plan (three versions, an RCP).")
as_caregiver = _signed_in_as("as_caregiver", "helene", "Hélène, her mother Germaine's caregiver, shown the whole plan.")
as_limited_caregiver = _signed_in_as(
    "as_limited_caregiver",
    "ines",
    "Inès, a patient herself and her neighbour Henri's caregiver, shown his calendar, contacts and support only "
    "(she chooses whose plan she reads).",
)
as_representative = _signed_in_as("as_representative", "emma", "Emma, legal representative of her son Léo (6).")
as_coordinator = _signed_in_as(
    "as_coordinator", "claire", "Claire, a care coordinator in every synthetic patient's care team, on the chooser."
)
