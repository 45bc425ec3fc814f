"""The nord region's store seed: a valid transaction of its own, and the cross-region cases it is there for.

The same person is found in another region's store by INS and accepted only when the identity traits agree
(design/domain.md, "Several regions"): Bernard (diagnosed at home, treated in nord) and Nathalie (moved to nord)
must match their home records whatever nord's spelling; the nord record with Camille's INS must not.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest

from demo import stack
from portal.pps.reader import read_pps
from synthetic import DEFAULT_REFERENCE_DATE, build_bundle, demo_accounts, ids
from synthetic.bundle import SUBJECT_SYSTEM
from synthetic.documents import build_documents
from synthetic.regions import (
    HOME,
    NORD,
    NORD_CASES,
    REGION_ONLY_SUBS,
    REGIONS,
    build_region_bundle,
    identity_traits,
    ins_of,
    normalise_name,
)

from .projection import expected, observed

HOME_BUNDLE = build_bundle()
NORD_BUNDLE = build_region_bundle("nord")
HOME_BY_KEY = {f"{e['resource']['resourceType']}/{e['resource']['id']}": e["resource"] for e in HOME_BUNDLE["entry"]}
BY_KEY = {f"{e['resource']['resourceType']}/{e['resource']['id']}": e["resource"] for e in NORD_BUNDLE["entry"]}
ACCOUNTS = {a["login"]: a for a in demo_accounts()}
DOCUMENTS = build_documents(cases=NORD_CASES)


def of_type(resource_type: str, by_key: dict[str, dict[str, Any]] = BY_KEY) -> list[dict[str, Any]]:
    return [r for r in by_key.values() if r["resourceType"] == resource_type]


def plans_of(patient: str, by_key: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The patient's PPS DocumentReferences in one store, oldest first."""
    return sorted(
        (
            d
            for d in of_type("DocumentReference", by_key)
            if d["subject"]["reference"] == f"Patient/{patient}" and d["type"]["coding"][0]["code"] == "18776-5"
        ),
        key=lambda d: d["date"],
    )


def current_plan(patient: str, by_key: dict[str, dict[str, Any]]) -> dict[str, Any]:
    (current,) = [d for d in plans_of(patient, by_key) if d["status"] == "current"]
    return current


def test_region_bundle_is_deterministic() -> None:
    """Its shape, references and hashes are checked with the home seed's (test_bundle.SEEDS)."""
    assert build_region_bundle("nord") == NORD_BUNDLE


def test_ids_never_collide_with_the_home_store_and_say_their_region() -> None:
    assert set(BY_KEY) & set(HOME_BY_KEY) == set()
    for resource in BY_KEY.values():
        assert resource["id"].partition("-")[2].startswith("nord-"), resource["id"]
    # The CDA ids too: a nord plan is never taken for a version of a home one.
    home_ids = {d["masterIdentifier"]["value"] for d in of_type("DocumentReference", HOME_BY_KEY)}
    assert {d["masterIdentifier"]["value"] for d in of_type("DocumentReference")} & home_ids == set()
    home_sets = {read_pps(d.cda).metadata.set_id for d in build_documents() if d.kind == "pps"}
    assert {read_pps(d.cda).metadata.set_id for d in DOCUMENTS} & home_sets == set()


def test_nord_versions_chain_by_relatesto_and_agree_with_the_cda() -> None:
    for entry in NORD_CASES:
        documents = plans_of(ids.patient_resource(entry), BY_KEY)
        assert len(documents) == len(entry.versions), entry.key
        plans = [read_pps(base64.b64decode(BY_KEY[d["content"][0]["attachment"]["url"]]["data"])) for d in documents]
        for number, (document, plan) in enumerate(zip(documents, plans, strict=True), start=1):
            assert document["id"] == ids.pps_resource(entry, number)
            assert plan.metadata.version == number and plan.metadata.set_id == plans[0].metadata.set_id
            assert document["masterIdentifier"]["value"] == f"urn:oid:{plan.metadata.id.root}"  # type: ignore[union-attr]
            assert document["status"] == ("current" if number == len(documents) else "superseded")
            assert document["content"][0]["format"]["code"] == "urn:asip:ci-sis:pps-cancer:2017"
            assert "securityLabel" not in document
            if number == 1:
                assert "relatesTo" not in document and plan.metadata.replaces is None
            else:
                assert document["relatesTo"] == [
                    {"code": "replaces", "target": {"reference": f"DocumentReference/{documents[number - 2]['id']}"}}
                ]
                assert plan.metadata.replaces == plans[number - 2].metadata.id


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: d.filename)
def test_every_nord_pps_reads_without_warning_and_as_its_case_says(document) -> None:  # type: ignore[no-untyped-def]
    plan = read_pps(document.cda)
    assert plan.warnings == ()
    want, got = expected(document.case, document.number, DEFAULT_REFERENCE_DATE), observed(plan)
    for key in want:
        assert got[key] == want[key], key


def test_the_nord_store_knows_no_portal_sign_in_on_its_patients() -> None:
    for patient in of_type("Patient"):
        # Another region's store does not know the portal's `sub`: the INS is how the person is found there.
        assert [i["system"] for i in patient["identifier"]] == ["urn:oid:1.2.250.1.213.1.4.10"]


def test_bernard_treated_in_nord_is_the_same_person_spelt_the_nord_way_with_a_newer_plan() -> None:
    home, nord = HOME_BY_KEY["Patient/pat-bernard"], BY_KEY["Patient/pat-nord-bernard"]
    assert ins_of(nord) == ins_of(home) is not None
    assert identity_traits(nord) == identity_traits(home)
    official = next(n for n in nord["name"] if n["use"] == "official")
    assert official["family"] == "FICTIF" and official["given"] == ["BERNARD", "MARCEL"]  # not the home spelling
    superseded, current = plans_of("pat-nord-bernard", BY_KEY)
    assert (superseded["id"], superseded["status"]) == ("doc-nord-bernard-pps-v1", "superseded")
    assert (current["id"], current["status"]) == ("doc-nord-bernard-pps-v2", "current")
    assert current["date"] > current_plan("pat-bernard", HOME_BY_KEY)["date"]
    assert current["custodian"]["reference"] == "Organization/org-nord-hospital"
    assert BY_KEY[current["custodian"]["reference"]]["address"][0]["postalCode"].startswith("599")


def test_nathalie_moved_to_nord_where_her_current_plan_is_newer() -> None:
    home, nord = HOME_BY_KEY["Patient/pat-nathalie"], BY_KEY["Patient/pat-nord-nathalie"]
    assert ins_of(nord) == ins_of(home) is not None
    assert identity_traits(nord) == identity_traits(home)
    assert next(n for n in nord["name"] if n["use"] == "official")["family"] == "HYPOTHESE"
    assert next(n for n in home["name"] if n["use"] == "official")["family"] == "Hypothèse"
    (plan,) = plans_of("pat-nord-nathalie", BY_KEY)
    assert plan["status"] == "current" and plan["id"] == "doc-nord-nathalie-pps-v1"
    assert plan["date"] > current_plan("pat-nathalie", HOME_BY_KEY)["date"]
    assert plan["custodian"]["reference"] == "Organization/org-nord-cancer-centre"


def test_the_record_with_camilles_ins_and_another_birth_date_is_not_her() -> None:
    home, nord = HOME_BY_KEY["Patient/pat-camille"], BY_KEY["Patient/pat-nord-camille"]
    assert ins_of(nord) == ins_of(home) is not None
    assert nord["birthDate"] != home["birthDate"] == ACCOUNTS["camille"]["birthdate"]
    assert identity_traits(nord)[:2] == identity_traits(home)[:2]  # same names: only the birth date tells
    assert identity_traits(nord) != identity_traits(home)
    assert current_plan("pat-nord-camille", BY_KEY)["id"] == "doc-nord-camille-pps-v1"


def test_each_home_patient_matches_at_most_its_own_nord_record() -> None:
    by_ins: dict[str, list[dict[str, Any]]] = {}
    for patient in of_type("Patient"):
        by_ins.setdefault(ins_of(patient) or "", []).append(patient)
    matched = {
        home["id"]: [p["id"] for p in by_ins.get(ins_of(home) or "", []) if identity_traits(p) == identity_traits(home)]
        for home in of_type("Patient", HOME_BY_KEY)
    }
    assert {key: value for key, value in matched.items() if value} == {
        "pat-bernard": ["pat-nord-bernard"],
        "pat-nathalie": ["pat-nord-nathalie"],
    }


def test_agathe_is_bernards_caregiver_in_nord_only() -> None:
    agathe = ACCOUNTS["agathe"]
    assert agathe["sub"] in REGION_ONLY_SUBS and (agathe["idp"], agathe["role"]) == ("patient", "caregiver")
    linked = [
        r
        for r in of_type("RelatedPerson")
        if any(i == {"system": SUBJECT_SYSTEM, "value": agathe["sub"]} for i in r["identifier"])
    ]
    (person,) = linked
    assert person["id"] == "rp-nord-bernard-daughter"
    assert person["patient"] == {"reference": "Patient/pat-nord-bernard"}
    assert person["active"] is True and "end" not in person["period"]
    assert {c["code"] for rel in person["relationship"] for c in rel["coding"]} == {"DAU", "CAREGIVER"}
    at_home = [
        r
        for r in HOME_BY_KEY.values()
        if any(i.get("value") == agathe["sub"] for i in r.get("identifier", []) if isinstance(i, dict))
    ]
    assert at_home == []


def test_odile_coordinates_bernard_in_nord_only() -> None:
    odile = ACCOUNTS["odile"]
    assert (odile["idp"], odile["role"]) == ("pro", "coordinator")
    rpps = {"system": stack.RPPS_SYSTEM, "value": odile["rpps"]}
    (practitioner,) = [p for p in of_type("Practitioner") if rpps in p.get("identifier", [])]
    assert practitioner["id"] == "prac-nord-odile"
    teams = [
        t["subject"]["reference"]
        for t in of_type("CareTeam")
        if any(p["member"]["reference"] == "Practitioner/prac-nord-odile" for p in t["participant"])
    ]
    assert teams == ["Patient/pat-nord-bernard"]
    assert not [p for p in of_type("Practitioner", HOME_BY_KEY) if rpps in p.get("identifier", [])]
    # The home coordinators are in no nord team.
    members = {p["member"]["reference"] for t in of_type("CareTeam") for p in t["participant"]}
    assert "Practitioner/prac-claire" not in members and "Practitioner/prac-yann" not in members


def test_every_nord_patient_has_a_care_team_managed_by_the_nord_3c() -> None:
    teams = {t["subject"]["reference"]: t for t in of_type("CareTeam")}
    assert set(teams) == {f"Patient/{p['id']}" for p in of_type("Patient")}
    for team in teams.values():
        assert team["managingOrganization"] == [{"reference": "Organization/org-nord-3c"}]


def test_names_compare_without_case_accents_hyphens_or_apostrophes() -> None:
    assert normalise_name("Hypothèse") == normalise_name("HYPOTHESE") == "hypothese"
    assert normalise_name("Démo-Lambert") == normalise_name("DEMO LAMBERT")
    assert normalise_name("Témoin d'Essai") == normalise_name("TEMOIN-D’ESSAI")
    assert normalise_name("Camille") != normalise_name("Camilla")


def test_regions_have_labels_and_the_demo_stack_uses_the_same() -> None:
    assert set(REGIONS) == {"nord"} and NORD.key == "nord" and HOME.key not in REGIONS
    assert (HOME.label_fr, HOME.label_en) == (
        "Région Exemple-Sud – DCC Exemple Sud",
        "Example-South region – DCC Example South",
    )
    assert (NORD.label_fr, NORD.label_en) == (
        "Région Exemple-Nord – DCC Exemple Nord",
        "Example-North region – DCC Example North",
    )
    # demo/stack.py imports nothing from synthetic (it runs before anything is installed): same words, checked.
    assert (HOME.label_fr, HOME.label_en) == stack.HOME_REGION_LABELS
    assert {key: (region.label_fr, region.label_en) for key, region in REGIONS.items()} == stack.REGION_LABELS
