"""The demo sign-ins: demo/accounts.json is exactly what the synthetic data set supports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from synthetic import build_bundle, demo_accounts
from synthetic.regions import REGION_ONLY_SUBS, REGIONS, build_region_bundle

ACCOUNTS = Path(__file__).resolve().parents[2] / "demo" / "accounts.json"


def test_accounts_file_matches_the_synthetic_data_set() -> None:
    committed = json.loads(ACCOUNTS.read_text(encoding="utf-8"))
    assert committed == demo_accounts(), "regenerate demo/accounts.json from synthetic.demo_accounts()"


def test_every_account_is_described_and_fictional() -> None:
    for account in json.loads(ACCOUNTS.read_text(encoding="utf-8")):
        for key in ("login", "password", "idp", "role", "name", "sub", "acr", "shows"):
            assert account[key], f"{account.get('login')}: {key} is empty"
        assert account["password"] == f"demo-{account['login']}"


def linked_subs(bundle: dict[str, Any]) -> set[str]:
    return {
        identifier["value"]
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] in ("Patient", "RelatedPerson")
        for identifier in entry["resource"].get("identifier", [])
        if identifier.get("system") == "urn:pps-portal:demo:patient-idp-sub"
    }


def test_every_patient_side_account_but_the_unlinked_one_is_known_to_the_store() -> None:
    """Known to the home store, but alex (known nowhere) and the region-only ones (known to their region's only)."""
    home = linked_subs(build_bundle())
    elsewhere = set().union(*(linked_subs(build_region_bundle(key)) for key in REGIONS))
    for account in json.loads(ACCOUNTS.read_text(encoding="utf-8")):
        if account["idp"] == "patient":
            region_only = account["sub"] in REGION_ONLY_SUBS
            assert (account["sub"] in home) == (account["login"] != "alex" and not region_only), account["login"]
            assert (account["sub"] in elsewhere) == region_only, account["login"]
