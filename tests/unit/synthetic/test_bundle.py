"""The FHIR transaction that seeds the demo store: self-contained, honest hashes, chained versions, visibility."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from portal.pps.reader import read_pps
from synthetic import DEFAULT_REFERENCE_DATE, build_bundle, demo_accounts, ids
from synthetic.bundle import SUBJECT_SYSTEM, VISIBILITY_SYSTEM
from synthetic.cases import CASES, UNLINKED_SUBS
from synthetic.regions import REGION_ONLY_SUBS, REGIONS, build_region_bundle

BUNDLE = build_bundle()
BY_KEY = {f"{e['resource']['resourceType']}/{e['resource']['id']}": e["resource"] for e in BUNDLE["entry"]}
ACCOUNTS_FILE = Path(__file__).resolve().parents[3] / "demo" / "accounts.json"


def of_type(resource_type: str) -> list[dict[str, Any]]:
    return [r for r in BY_KEY.values() if r["resourceType"] == resource_type]


def references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                yield value
            else:
                yield from references(value)
    elif isinstance(node, list):
        for value in node:
            yield from references(value)


def resolving(system: str, value: str) -> list[dict[str, Any]]:
    return [
        r
        for r in BY_KEY.values()
        if r["resourceType"] in ("Patient", "RelatedPerson")
        and any(i.get("system") == system and i.get("value") == value for i in r.get("identifier", []))
    ]


#: Every store's seed: the home one and each other region's, held to the same rules.
SEEDS = {"home": BUNDLE, **{key: build_region_bundle(key) for key in REGIONS}}


def _by_key(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{e['resource']['resourceType']}/{e['resource']['id']}": e["resource"] for e in bundle["entry"]}


@pytest.mark.parametrize("store", sorted(SEEDS))
def test_bundle_is_a_transaction_of_puts_with_stable_unique_ids(store: str) -> None:
    bundle = SEEDS[store]
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "transaction"
    urls = [e["request"]["url"] for e in bundle["entry"]]
    assert all(e["request"]["method"] == "PUT" for e in bundle["entry"])
    assert urls == [f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in bundle["entry"]]
    assert len(urls) == len(set(urls))
    json.dumps(bundle)  # plain JSON all the way down


@pytest.mark.parametrize("store", sorted(SEEDS))
def test_every_reference_resolves_inside_the_bundle(store: str) -> None:
    by_key = _by_key(SEEDS[store])
    for resource in by_key.values():
        for reference in references(resource):
            assert reference in by_key, f"{resource['resourceType']}/{resource['id']} → {reference}"
    for document in (r for r in by_key.values() if r["resourceType"] == "DocumentReference"):
        for content in document["content"]:
            assert content["attachment"]["url"] in by_key


@pytest.mark.parametrize("store", sorted(SEEDS))
def test_attachment_size_and_sha1_match_the_binary_bytes(store: str) -> None:
    by_key = _by_key(SEEDS[store])
    for document in (r for r in by_key.values() if r["resourceType"] == "DocumentReference"):
        for content in document["content"]:
            attachment = content["attachment"]
            binary = by_key[attachment["url"]]
            data = base64.b64decode(binary["data"])
            assert binary["contentType"] == attachment["contentType"]
            assert attachment["size"] == len(data)
            assert attachment["hash"] == base64.b64encode(hashlib.sha1(data).digest()).decode()  # noqa: S324


def test_pps_versions_chain_by_relatesto_and_agree_with_the_cda() -> None:
    for entry in CASES:
        documents = sorted(
            (
                r
                for r in of_type("DocumentReference")
                if r["subject"]["reference"] == f"Patient/{ids.patient_resource(entry)}"
                and r["type"]["coding"][0]["code"] == "18776-5"
            ),
            key=lambda r: r["id"],
        )
        assert len(documents) == len(entry.versions), entry.key
        plans = [read_pps(base64.b64decode(BY_KEY[d["content"][0]["attachment"]["url"]]["data"])) for d in documents]
        for number, (document, plan) in enumerate(zip(documents, plans, strict=True), start=1):
            assert plan.metadata.version == number
            assert plan.metadata.set_id == plans[0].metadata.set_id
            assert document["masterIdentifier"]["value"] == f"urn:oid:{plan.metadata.id.root}"  # type: ignore[union-attr]
            assert document["status"] == ("current" if number == len(documents) else "superseded")
            assert document["content"][0]["format"]["code"] == "urn:asip:ci-sis:pps-cancer:2017"
            if number == 1:
                assert "relatesTo" not in document and plan.metadata.replaces is None
            else:
                previous = documents[number - 2]
                assert document["relatesTo"] == [
                    {"code": "replaces", "target": {"reference": f"DocumentReference/{previous['id']}"}}
                ]
                assert plan.metadata.replaces == plans[number - 2].metadata.id


def labels() -> dict[str, set[str]]:
    return {
        d["id"]: {
            c["code"]
            for label in d.get("securityLabel", [])
            for c in label["coding"]
            if c["system"] == VISIBILITY_SYSTEM
        }
        for d in of_type("DocumentReference")
    }


def test_visibility_labels_are_exactly_where_the_cases_put_them() -> None:
    hidden = {key: value for key, value in labels().items() if value}
    assert hidden == {
        "doc-diane-pps-v3": {"INVISIBLE_PATIENT"},
        "doc-leo-pps-v1": {"INVISIBLE_REPRESENTANTS_LEGAUX"},
    }
    # The hidden palliative-care version is not handed to the patient yet.
    plan = read_pps(base64.b64decode(BY_KEY["Binary/bin-diane-pps-v3"]["data"]))
    assert plan.status is not None and plan.status.handed_date is None


def test_related_people_sign_in_as_themselves_with_a_role_marker() -> None:
    people = {r["id"]: r for r in of_type("RelatedPerson")}
    assert set(people) == {
        "rp-germaine-daughter",
        "rp-leo-mother",
        "rp-leo-father",
        "rp-camille-friend",
        "rp-henri-neighbour",
    }
    codes = {key: {c["code"] for rel in r["relationship"] for c in rel["coding"]} for key, r in people.items()}
    assert codes == {
        "rp-germaine-daughter": {"DAU", "CAREGIVER"},
        "rp-leo-mother": {"MTH", "GUARD"},
        "rp-leo-father": {"FTH", "GUARD"},
        "rp-camille-friend": {"FRND", "CAREGIVER"},
        "rp-henri-neighbour": {"FRND", "CAREGIVER"},
    }
    # One caregiver whose link has ended, one who sees some parts of the plan only.
    assert people["rp-camille-friend"]["period"]["end"] < DEFAULT_REFERENCE_DATE.isoformat()
    assert "end" not in people["rp-henri-neighbour"]["period"]
    assert {e["valueCode"] for e in people["rp-henri-neighbour"]["extension"]} == {"calendar", "contacts", "support"}
    for person in people.values():
        assert person["active"] is True and "start" in person["period"]
        (identifier,) = person["identifier"]
        assert identifier["system"] == SUBJECT_SYSTEM
        patient = BY_KEY[person["patient"]["reference"]]
        assert all(i["value"] != identifier["value"] for i in patient["identifier"])


def test_every_patient_has_a_care_team_with_the_demo_coordinator() -> None:
    coordinator = BY_KEY["Practitioner/prac-claire"]
    assert coordinator["identifier"] == [{"system": "urn:oid:1.2.250.1.71.4.2.1", "value": "10001234567"}]
    teams = {t["subject"]["reference"]: t for t in of_type("CareTeam")}
    assert set(teams) == {f"Patient/{p['id']}" for p in of_type("Patient")}
    for team in teams.values():
        members = {p["member"]["reference"] for p in team["participant"]}
        assert "Practitioner/prac-claire" in members


def region_practitioner_rpps() -> set[str]:
    """The RPPS of the Practitioners of the other regions' stores (regions.py)."""
    return {
        i["value"]
        for key in REGIONS
        for e in build_region_bundle(key)["entry"]
        if e["resource"]["resourceType"] == "Practitioner"
        for i in e["resource"].get("identifier", [])
    }


@pytest.mark.parametrize("account", demo_accounts(), ids=lambda a: a["login"])
def test_every_sign_in_of_the_data_set_resolves_or_is_meant_not_to(account: dict[str, str]) -> None:
    if account["idp"] == "pro":
        # A coordinator of the home store, or of another region's store only (regions.py: odile).
        home = any(i.get("value") == account["rpps"] for p in of_type("Practitioner") for i in p.get("identifier", []))
        assert home or account["rpps"] in region_practitioner_rpps()
        return
    found = resolving(SUBJECT_SYSTEM, account["sub"])
    if account["sub"] in UNLINKED_SUBS | REGION_ONLY_SUBS:
        assert found == []
    else:
        # A patient may also be somebody's caregiver (Bernard): the sign-in resolves to one resource of each kind.
        expected = "Patient" if account["role"] == "patient" else "RelatedPerson"
        assert len([r for r in found if r["resourceType"] == expected]) == 1
        assert len(found) == len({r["resourceType"] for r in found})


def test_accounts_file_sign_ins_resolve_in_the_bundle_with_the_same_sub() -> None:
    if not ACCOUNTS_FILE.is_file():
        pytest.skip("demo/accounts.json is not there")
    ours = {a["login"]: a for a in demo_accounts()}
    for account in json.loads(ACCOUNTS_FILE.read_text(encoding="utf-8")):
        if account["idp"] != "patient":
            continue
        found = [r for r in resolving(SUBJECT_SYSTEM, account["sub"]) if r["resourceType"] != "RelatedPerson"]
        if account["role"] != "patient":
            found = resolving(SUBJECT_SYSTEM, account["sub"])
        assert len(found) == (0 if account["sub"] in UNLINKED_SUBS | REGION_ONLY_SUBS else 1), account["login"]
        assert ours[account["login"]]["sub"] == account["sub"]


def test_account_patients_keep_the_identity_stated_in_the_accounts_file() -> None:
    if not ACCOUNTS_FILE.is_file():
        pytest.skip("demo/accounts.json is not there")
    for account in json.loads(ACCOUNTS_FILE.read_text(encoding="utf-8")):
        found = resolving(SUBJECT_SYSTEM, account["sub"]) if account["idp"] == "patient" else []
        if found and found[0]["resourceType"] == "Patient" and "birthdate" in account:
            assert found[0]["birthDate"] == account["birthdate"]
