"""The demo with other regions' stores: a DemoStack with the nord store (and a third, slow one with no patient).

Over plain HTTP, as the portal will ask them: the INS search finds in nord the Patients the cross-region cases
need (synthetic/regions.py), the per-store grants are there, the home store is exactly what it was, and the
settings that will point a portal at the regions are the ones announced. The portal itself is not involved.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from demo.stack import RPPS_SYSTEM, SUBJECT_SYSTEM, DemoStack, free_port, load_accounts
from synthetic import build_bundle, build_region_bundle
from synthetic.regions import identity_traits
from tests.integration.test_demo_stack import jwt_claims, pro_rp, signed_in_tokens

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("quiet_urllib3")]

#: The longest a request to a local server may take: a bound for a loaded machine, never a pass condition.
TIMEOUT = 30
FHIR_JSON = "application/fhir+json"
INS_SYSTEM = "urn:oid:1.2.250.1.213.1.4.10"
PPS_LOINC = "http://loinc.org|18776-5"
#: The third store answers every request this late: a slow region, as fault tests will want one.
SLOW_MS = 300
ACCOUNTS = {a["login"]: a for a in load_accounts()}
#: The third store's seed: its platform and no patient (the store refuses a transaction with no entry).
ORGANISATION_ONLY = {
    "resourceType": "Bundle",
    "type": "transaction",
    "entry": [
        {
            "resource": {"resourceType": "Organization", "id": "org-ile-demo-dcc", "name": "DCC Île-Démo"},
            "request": {"method": "PUT", "url": "Organization/org-ile-demo-dcc"},
        }
    ],
}
HOME_BUNDLE = build_bundle()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoStack]:
    seeds = tmp_path_factory.mktemp("seeds")
    home, nord, third = seeds / "home.json", seeds / "nord.json", seeds / "third.json"
    home.write_text(json.dumps(HOME_BUNDLE), encoding="utf-8")
    nord.write_text(json.dumps(build_region_bundle("nord")), encoding="utf-8")
    third.write_text(json.dumps(ORGANISATION_ONLY), encoding="utf-8")
    demo = DemoStack(
        portal_url=f"http://127.0.0.1:{free_port()}",  # nothing listens there: no portal in these tests
        seed=home,
        regions={"nord": nord, "ile-demo": third},
        region_latency_ms={"ile-demo": SLOW_MS},
        log_dir=tmp_path_factory.mktemp("demo-logs"),
    )
    demo.start()
    try:
        yield demo
    finally:
        demo.stop()


def get(base: str, path: str, params: dict[str, str] | None = None, accept: str = FHIR_JSON) -> requests.Response:
    return requests.get(f"{base}/{path}", params=params, headers={"Accept": accept}, timeout=TIMEOUT)


def search(base: str, path: str, params: dict[str, str]) -> list[dict[str, Any]]:
    answer = get(base, path, params)
    assert answer.status_code == 200, answer.text
    bundle = answer.json()
    assert bundle["total"] == len(bundle.get("entry", [])), "one page is enough for these searches"
    return [entry["resource"] for entry in bundle.get("entry", [])]


def by_ins(base: str, ins: str) -> list[dict[str, Any]]:
    return search(base, "Patient", {"identifier": f"{INS_SYSTEM}|{ins}"})


def ins_of(patient: dict[str, Any]) -> str:
    return next(i["value"] for i in patient["identifier"] if i["system"] == INS_SYSTEM)


def home_patient(stack: DemoStack, login: str) -> dict[str, Any]:
    (patient,) = search(stack.store_url, "Patient", {"identifier": f"{SUBJECT_SYSTEM}|{ACCOUNTS[login]['sub']}"})
    return patient


def plans(base: str, patient: str, status: str = "current") -> list[str]:
    found = search(base, "DocumentReference", {"patient": f"Patient/{patient}", "status": status, "type": PPS_LOINC})
    return sorted(d["id"] for d in found)


def test_each_region_runs_its_own_store_on_its_own_port(stack: DemoStack) -> None:
    urls = stack.region_urls
    assert list(urls) == ["nord", "ile-demo"]
    ports = {stack.store_url.split(":")[2], *(url.split(":")[2] for url in urls.values())}
    assert len(ports) == 3
    for url in (stack.store_url, *urls.values()):
        assert get(url, "metadata").json()["resourceType"] == "CapabilityStatement"


def test_regions_environment_names_every_region_and_portal_environment_is_unchanged(stack: DemoStack) -> None:
    assert stack.regions_environment() == {
        "PORTAL_STORE_LABEL_FR": "Région Exemple-Sud – DCC Exemple Sud",
        "PORTAL_STORE_LABEL_EN": "Example-South region – DCC Example South",
        "PORTAL_REGIONS": "nord,ile-demo",
        "PORTAL_REGION_NORD_URL": stack.region_urls["nord"],
        "PORTAL_REGION_NORD_LABEL_FR": "Région Exemple-Nord – DCC Exemple Nord",
        "PORTAL_REGION_NORD_LABEL_EN": "Example-North region – DCC Example North",
        "PORTAL_REGION_ILE_DEMO_URL": stack.region_urls["ile-demo"],
        "PORTAL_REGION_ILE_DEMO_LABEL_FR": "Région ile-demo",
        "PORTAL_REGION_ILE_DEMO_LABEL_EN": "Region ile-demo",
    }
    # The regions are settings of their own: the home-only environment stays what it was.
    assert set(stack.portal_environment()) == {
        "PORTAL_PUBLIC_URL",
        "PORTAL_STORE_URL",
        "PORTAL_OIDC_ISSUER",
        "PORTAL_OIDC_CLIENT_ID",
        "PORTAL_OIDC_CLIENT_SECRET",
        "PORTAL_PRO_OIDC_ISSUER",
        "PORTAL_PRO_OIDC_CLIENT_ID",
        "PORTAL_PRO_OIDC_CLIENT_SECRET",
    }


@pytest.mark.parametrize(("login", "nord_id"), [("bernard", "pat-nord-bernard"), ("nathalie", "pat-nord-nathalie")])
def test_the_ins_search_finds_the_same_person_in_nord_with_matching_traits(
    stack: DemoStack, login: str, nord_id: str
) -> None:
    home = home_patient(stack, login)
    (nord,) = by_ins(stack.region_urls["nord"], ins_of(home))
    assert nord["id"] == nord_id != home["id"]
    assert identity_traits(nord) == identity_traits(home)
    assert all(i["system"] != SUBJECT_SYSTEM for i in nord["identifier"])  # nord does not know the portal's sub


def test_bernard_has_a_nord_version_chain_newer_than_his_home_plan(stack: DemoStack) -> None:
    nord = stack.region_urls["nord"]
    assert plans(nord, "pat-nord-bernard") == ["doc-nord-bernard-pps-v2"]
    assert plans(nord, "pat-nord-bernard", "current,superseded") == [
        "doc-nord-bernard-pps-v1",
        "doc-nord-bernard-pps-v2",
    ]
    (home_current,) = plans(stack.store_url, "pat-bernard")
    current = get(nord, "DocumentReference/doc-nord-bernard-pps-v2").json()
    assert current["date"] > get(stack.store_url, f"DocumentReference/{home_current}").json()["date"]
    assert current["relatesTo"][0]["target"]["reference"] == "DocumentReference/doc-nord-bernard-pps-v1"
    attachment = current["content"][0]["attachment"]
    data = get(nord, attachment["url"], accept="*/*").content
    assert len(data) == attachment["size"]
    assert base64.b64encode(hashlib.sha1(data).digest()).decode() == attachment["hash"]  # noqa: S324


def test_nathalie_s_current_plan_in_nord_is_newer_than_her_home_one(stack: DemoStack) -> None:
    nord = stack.region_urls["nord"]
    (current,) = plans(nord, "pat-nord-nathalie")
    (home_current,) = plans(stack.store_url, "pat-nathalie")
    assert (
        get(nord, f"DocumentReference/{current}").json()["date"]
        > get(stack.store_url, f"DocumentReference/{home_current}").json()["date"]
    )


def test_the_ins_search_also_finds_a_record_whose_birth_date_disagrees(stack: DemoStack) -> None:
    home = home_patient(stack, "camille")
    (nord,) = by_ins(stack.region_urls["nord"], ins_of(home))
    assert nord["id"] == "pat-nord-camille"
    assert nord["birthDate"] != home["birthDate"]
    assert identity_traits(nord) != identity_traits(home)  # so the portal must leave it, and its plan, alone
    assert plans(stack.region_urls["nord"], "pat-nord-camille") == ["doc-nord-camille-pps-v1"]


def test_a_home_patient_with_no_nord_record_finds_nobody_there(stack: DemoStack) -> None:
    assert by_ins(stack.region_urls["nord"], ins_of(home_patient(stack, "henri"))) == []
    assert by_ins(stack.region_urls["ile-demo"], ins_of(home_patient(stack, "bernard"))) == []


def test_grants_are_per_store_agathe_and_odile_exist_in_nord_only(stack: DemoStack) -> None:
    nord = stack.region_urls["nord"]
    agathe = {"identifier": f"{SUBJECT_SYSTEM}|{ACCOUNTS['agathe']['sub']}"}
    (link,) = search(nord, "RelatedPerson", agathe)
    assert link["patient"]["reference"] == "Patient/pat-nord-bernard"
    assert search(stack.store_url, "RelatedPerson", agathe) == []
    odile = {"identifier": f"{RPPS_SYSTEM}|{ACCOUNTS['odile']['rpps']}"}
    (practitioner,) = search(nord, "Practitioner", odile)
    teams = search(nord, "CareTeam", {"participant": f"Practitioner/{practitioner['id']}"})
    assert [t["subject"]["reference"] for t in teams] == ["Patient/pat-nord-bernard"]
    assert search(stack.store_url, "Practitioner", odile) == []


def test_the_pro_provider_signs_odile_in_with_her_rpps(stack: DemoStack) -> None:
    claims = jwt_claims(signed_in_tokens(stack, pro_rp(stack), "odile")["id_token"])
    assert (claims["sub"], claims["SubjectNameID"]) == (ACCOUNTS["odile"]["sub"], ACCOUNTS["odile"]["rpps"])


def test_the_home_store_is_unchanged(stack: DemoStack) -> None:
    for resource_type in ("Patient", "DocumentReference", "RelatedPerson", "CareTeam", "Practitioner"):
        expected = sorted(
            e["resource"]["id"] for e in HOME_BUNDLE["entry"] if e["resource"]["resourceType"] == resource_type
        )
        answer = get(stack.store_url, resource_type, {"_count": "1000"}).json()
        assert sorted(entry["resource"]["id"] for entry in answer.get("entry", [])) == expected, resource_type
    assert get(stack.store_url, "Patient/pat-nord-bernard").status_code == 404
    bernard = home_patient(stack, "bernard")
    assert (bernard["id"], [ins_of(p) for p in by_ins(stack.store_url, ins_of(bernard))]) == (
        "pat-bernard",
        [ins_of(bernard)],
    )
    assert plans(stack.store_url, "pat-bernard") == ["doc-bernard-pps-v2"]


def test_a_slow_region_answers_after_its_delay(stack: DemoStack) -> None:
    started = time.monotonic()
    assert get(stack.region_urls["ile-demo"], "metadata").status_code == 200
    assert time.monotonic() - started >= SLOW_MS / 1000


def test_a_region_store_can_be_stopped_and_started_again(stack: DemoStack) -> None:
    """Last in this module: a region whose store is down refuses connections, then comes back seeded."""
    nord = stack.region_urls["nord"]
    stack.kill_service("store-nord")
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{nord}/metadata", timeout=TIMEOUT)
    assert get(stack.store_url, "metadata").status_code == 200  # the home store goes on
    stack.restart_service("store-nord")
    assert [p["id"] for p in by_ins(nord, ins_of(home_patient(stack, "bernard")))] == ["pat-nord-bernard"]


def test_a_stack_refuses_a_region_key_it_cannot_name_in_a_setting(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(ORGANISATION_ONLY), encoding="utf-8")
    demo = DemoStack(portal_url="http://127.0.0.1:9", seed=seed, regions={"Nord_1": seed})
    with pytest.raises(RuntimeError, match="region key"):
        demo.start()
    assert demo._children == []
