"""The other regions' stores of the demo: a fictional second region, "nord", and the people it shares with home.

The portal reads the home region's store (where the patient provider's `sub` links to a Patient: `build_bundle`)
and other regions' stores, where the same person is found by INS and accepted only when the identity traits
agree (design/domain.md, "Several regions"). `build_region_bundle("nord")` is the nord store's seed: its own
organisations, professionals and Patients (ids prefixed `nord-`), no `sub` on any Patient, and these cases:

- Bernard Fictif, diagnosed at home and now treated in nord: same INS and traits, spelt the nord way (upper
  case, a second given name), two versions of a nord plan (v1 superseded, v2 current, newer than his home plan);
  his daughter Agathe is his caregiver in nord only and Odile Canevas, a nord coordinator, is in his nord team.
- Nathalie Testard, who moved to nord: her current plan is there (newer than the home one), her birth name
  written without its accent (HYPOTHESE).
- A nord Patient with Camille Exemple's INS but another birth date (an identity error in the nord record),
  with a plan of her own: it must never be matched to Camille.

Names are obviously fictional; telephone numbers use the ranges the French regulator keeps for fiction (03 53 01…
for the north, 06 39 98…), RPPS and FINESS numbers are made up.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from synthetic import actors as a
from synthetic import codes as c
from synthetic import ids
from synthetic.bundle import INS_SYSTEM, Resource, build_bundle
from synthetic.cases import BREAST, CASES, OVARIAN, PROSTATE, follow_up, social, supportive, tnm, treatment
from synthetic.spec import (
    DEFAULT_REFERENCE_DATE,
    Address,
    Case,
    Contact,
    Diagnosis,
    ExternalDocument,
    Organisation,
    Professional,
    Relative,
    Version,
)


@dataclass(frozen=True)
class Region:
    """A region's store as the portal will name it to people, and who coordinates care there."""

    key: str
    label_fr: str
    label_en: str
    cases: tuple[Case, ...]
    #: Put in every CareTeam of the store (None: only the professionals each case names).
    coordinator: Professional | None
    #: The CareTeams' managingOrganization.
    coordination_centre: Organisation


# --- Organisations of the nord region ------------------------------------------------------------------------
NORD_HOSPITAL = Organisation(
    key="nord-hospital",
    name="Centre hospitalier Exemple-Nord de Brumeville",
    address=Address("40", "Rue du Gabarit", "59990", "BRUMEVILLE"),
    phone="0353010100",
    finess="599990001",
)
NORD_CANCER_CENTRE = Organisation(
    key="nord-cancer-centre",
    name="Institut de cancérologie Exemple-Nord",
    address=Address("6", "Avenue de l'Échantillon", "59991", "BRUMEVILLE"),
    phone="0353010200",
    finess="599990002",
)
NORD_COORDINATION_CENTRE = Organisation(
    key="nord-3c",
    name="3C Exemple-Nord Brumeville (centre de coordination en cancérologie)",
    address=Address("40", "Rue du Gabarit", "59990", "BRUMEVILLE"),
    phone="0353010110",
    finess="599990010",
)
NORD_HEALTH_CENTRE = Organisation(
    key="nord-health-centre",
    name="Maison de santé Exemple-Nord",
    address=Address("2", "Place du Canevas", "59992", "BRUMEVILLE"),
    phone="0353010900",
    finess="599990030",
)
NORD_NETWORK = Organisation(
    key="nord-rrc",
    name="Réseau régional de cancérologie Exemple-Nord",
    address=Address("15", "Rue du Prototype", "59993", "BRUMEVILLE CEDEX"),
    phone="0353010400",
)
NORD_MDPH = Organisation(
    key="nord-mdph",
    name="Maison départementale des personnes handicapées (MDPH) Exemple-Nord",
    address=Address("9", "Rue de la Maquette", "59990", "BRUMEVILLE"),
    phone="0353010500",
    finess="599990040",
)

# --- Professionals of the nord region ------------------------------------------------------------------------
NORD_UROLOGIST = Professional(
    "nord-uro-gabarit",
    "Étienne",
    "GABARIT",
    "DR",
    c.Code(c.RPPS_PROFESSION, "G15_10/SM54", "Médecin - Chirurgie générale (SM)"),
    "0353010101",
    NORD_HOSPITAL,
    rpps="10000000110",
)
NORD_RADIOTHERAPIST = Professional(
    "nord-radio-patron", "Bruno", "PATRON", "DR", c.RADIOTHERAPIST, "0353010201", NORD_CANCER_CENTRE, rpps="10000000128"
)
NORD_ONCOLOGIST = Professional(
    "nord-onco-echantillon",
    "Aurore",
    "ÉCHANTILLON",
    "DR",
    c.ONCOLOGIST,
    "0353010202",
    NORD_CANCER_CENTRE,
    rpps="10000000136",
)
NORD_GP = Professional(
    "nord-mg-copie",
    "Margot",
    "COPIE",
    "DR",
    c.GENERAL_PRACTITIONER,
    "0353010901",
    NORD_HEALTH_CENTRE,
    rpps="10000000144",
)
#: The nord coordinator with a demo sign-in ("odile" of demo/accounts.json, same RPPS): in Bernard Fictif's nord
#: care team only, and in no care team of the home store.
NORD_COORDINATOR = Professional(
    "nord-odile",
    "Odile",
    "CANEVAS",
    "MME",
    c.NURSE,
    "0353010111",
    NORD_COORDINATION_CENTRE,
    rpps="10002468135",
)
#: The coordinator of the other nord patients (no sign-in).
NORD_OTHER_COORDINATOR = Professional(
    "nord-remi", "Rémi", "ÉPREUVE", "M", c.NURSE, "0353010112", NORD_COORDINATION_CENTRE, rpps="10000000152"
)
NORD_COORDINATOR_SUB = "s-6c2a8f1e93"


def nord_contacts(reference: Organisation, physician: Professional, coordinator: Professional) -> tuple[Contact, ...]:
    """Reference hospital and physician, GP, the nord 3C with its coordinator, the nord regional network."""
    return (
        Contact("reference_hospital", organisation=reference, comment="Établissement qui coordonne vos soins"),
        Contact("care_team", professional=physician, organisation=reference, comment="Médecin référent"),
        Contact("gp", professional=NORD_GP, comment="Votre médecin traitant"),
        Contact(
            "coordination_centre",
            organisation=NORD_COORDINATION_CENTRE,
            professional=coordinator,
            comment="Infirmière et infirmier de coordination : du lundi au vendredi, 8 h 30 – 16 h 30",
        ),
        Contact(
            "regional_network",
            organisation=NORD_NETWORK,
            comment="https://rrc-nord-demo.example.org/parcours-de-soins",
        ),
    )


def _home_plan(case: Case) -> ExternalDocument:
    """The current plan of the home region's store, as a nord plan refers to it (section 9)."""
    return ExternalDocument("pps", ids.pps_id(case, len(case.versions)), "", "PPS de la Région Exemple-Sud")


# ------------------------------------------------------------------------------------------------------------
# Bernard FICTIF: diagnosed at home (prostate, active surveillance), treated in nord
# ------------------------------------------------------------------------------------------------------------
#: His daughter, his caregiver in nord only: the patient-provider sign-in "agathe".
NORD_DAUGHTER = Relative(
    "daughter",
    "Agathe",
    "FICTIF",
    c.DAUGHTER,
    "0639980405",
    trusted_person=True,
    emergency_contact=True,
    caregiver=True,
    sub="p-9e3d51b7a0",
    login="agathe",
)
_SURVEILLANCE = dict(performer=NORD_UROLOGIST, place=NORD_HOSPITAL)
assert PROSTATE.diagnosis is not None

NORD_PROSTATE = Case(
    key="nord-prostate",
    region="nord",
    summary="Bernard Fictif in nord: diagnosed at home, active surveillance taken over in nord (v1), then "
    "radiotherapy and hormone therapy after new biopsies (v2, newer than his home plan).",
    # The same person (INS, birth date, sex, names); nord records his second given name too.
    patient=dataclasses.replace(
        PROSTATE.patient,
        sub=None,
        login=None,
        all_givens="Bernard Marcel",
        address=Address("5", "Rue des Essais", "59990", "BRUMEVILLE"),
    ),
    author=NORD_UROLOGIST,
    custodian=NORD_HOSPITAL,
    contacts=nord_contacts(NORD_HOSPITAL, NORD_UROLOGIST, NORD_COORDINATOR),
    diagnosis=dataclasses.replace(
        PROSTATE.diagnosis,
        comment="Diagnostic posé en Région Exemple-Sud ; suivi à Brumeville depuis son installation chez sa fille.",
    ),
    relatives=(NORD_DAUGHTER,),
    versions=(
        Version(
            date=-45,
            rcp_date=-48,
            handed_date=-43,
            phase=c.PHASE_INITIAL,
            phase_date=-410,
            status=c.STATUS_APPROVED,
            phase_comment="PSA en hausse au dernier contrôle : nouvelles biopsies avant de décider.",
            referenced=(_home_plan(PROSTATE),),
            items=(
                treatment(
                    c.ACTIVE_SURVEILLANCE,
                    "Surveillance active",
                    start=-390,
                    planned_start=-390,
                    planned_end=700,
                    comment="Surveillance reprise par l'équipe d'urologie de Brumeville.",
                    **_SURVEILLANCE,
                ),
                follow_up(
                    c.BIOLOGY,
                    "Dosage du PSA",
                    done=True,
                    start=-52,
                    end=-52,
                    place=NORD_HEALTH_CENTRE,
                    comment="PSA à 9,1 ng/mL, en hausse.",
                ),
                follow_up(c.IMAGING, "IRM de la prostate", planned_start=-38, planned_end=-38, place=NORD_HOSPITAL),
                follow_up(
                    c.OTHER_FOLLOW_UP,
                    "Nouvelles biopsies de la prostate",
                    planned_start=-30,
                    planned_end=-30,
                    **_SURVEILLANCE,
                ),
                follow_up(
                    c.CONSULTATION,
                    "Consultation d'urologie (résultats des biopsies)",
                    planned_start=-20,
                    planned_end=-20,
                    **_SURVEILLANCE,
                ),
            ),
        ),
        Version(
            date=-12,
            rcp_date=-15,
            handed_date=-10,
            phase=c.PHASE_INITIAL,
            phase_date=-410,
            status=c.STATUS_APPROVED,
            reason=c.REASON_NO_RESPONSE,
            progression=(c.PROGRESSION_LOCAL,),
            phase_comment="Les nouvelles biopsies montrent un score de Gleason 7 (3+4).",
            reason_detail="La maladie évolue pendant la surveillance active : une radiothérapie associée à une "
            "hormonothérapie de 6 mois est proposée.",
            referenced=(_home_plan(PROSTATE),),
            items=(
                treatment(
                    c.ACTIVE_SURVEILLANCE,
                    "Surveillance active",
                    done=True,
                    start=-390,
                    end=-20,
                    **_SURVEILLANCE,
                ),
                follow_up(
                    c.OTHER_FOLLOW_UP,
                    "Nouvelles biopsies de la prostate",
                    done=True,
                    start=-30,
                    end=-30,
                    **_SURVEILLANCE,
                ),
                treatment(
                    c.HORMONE_THERAPY,
                    "Hormonothérapie pendant 6 mois",
                    planned_start=-5,
                    planned_end=175,
                    rhythm="Une injection tous les 3 mois",
                    route=c.SUBCUTANEOUS,
                    side_effects="Bouffées de chaleur, fatigue, baisse du désir sexuel.",
                    **_SURVEILLANCE,
                ),
                treatment(
                    c.RADIOTHERAPY,
                    "Radiothérapie de la prostate (20 séances)",
                    planned_start=55,
                    planned_end=82,
                    rhythm="5 jours par semaine pendant 4 semaines",
                    performer=NORD_RADIOTHERAPIST,
                    place=NORD_CANCER_CENTRE,
                    side_effects="Envies d'uriner plus fréquentes, fatigue : parlez-en à l'équipe.",
                ),
                follow_up(
                    c.CONSULTATION,
                    "Consultation de radiothérapie",
                    planned_start=120,
                    planned_end=120,
                    performer=NORD_RADIOTHERAPIST,
                    place=NORD_CANCER_CENTRE,
                ),
                follow_up(
                    c.BIOLOGY,
                    "Dosage du PSA",
                    planned_start=180,
                    planned_end=180,
                    rhythm="Tous les 6 mois",
                    place=NORD_HEALTH_CENTRE,
                ),
                supportive(
                    c.ADAPTED_PHYSICAL_ACTIVITY,
                    "Activité physique adaptée pendant l'hormonothérapie",
                    planned_start=0,
                    planned_end=180,
                    rhythm="2 séances par semaine",
                    place=NORD_HOSPITAL,
                ),
            ),
        ),
    ),
)

# ------------------------------------------------------------------------------------------------------------
# Nathalie HYPOTHÈSE (used name TESTARD): moved to nord during her relapse treatment
# ------------------------------------------------------------------------------------------------------------
assert OVARIAN.diagnosis is not None
_DONE_AT_HOME = "Fait en Région Exemple-Sud (Institut de cancérologie Fictif)."

NORD_OVARIAN = Case(
    key="nord-ovarian",
    region="nord",
    summary="Nathalie Testard moved to nord: the chemotherapy begun at home goes on there, then maintenance; her "
    "current plan is the nord one (newer than her home plan).",
    patient=dataclasses.replace(
        OVARIAN.patient,
        sub=None,
        login=None,
        address=Address("27", "Rue du Spécimen", "59991", "BRUMEVILLE"),
    ),
    author=NORD_ONCOLOGIST,
    custodian=NORD_CANCER_CENTRE,
    contacts=(
        *nord_contacts(NORD_CANCER_CENTRE, NORD_ONCOLOGIST, NORD_OTHER_COORDINATOR),
        Contact("social_body", organisation=NORD_MDPH, comment="https://mdph-nord-demo.example.org"),
    ),
    diagnosis=dataclasses.replace(
        OVARIAN.diagnosis, comment="Diagnostic, traitement initial et rechute pris en charge en Région Exemple-Sud."
    ),
    versions=(
        Version(
            date=-10,
            rcp_date=-14,
            handed_date=-8,
            phase=c.PHASE_RELAPSE,
            phase_date=-60,
            status=c.STATUS_APPROVED,
            progression=(c.PROGRESSION_REGIONAL,),
            phase_comment="Rechute péritonéale ; la chimiothérapie commencée en Région Exemple-Sud se poursuit ici.",
            referenced=(_home_plan(OVARIAN),),
            items=(
                treatment(
                    c.SURGERY,
                    "Chirurgie de cytoréduction complète",
                    done=True,
                    start=-880,
                    end=-880,
                    comment=_DONE_AT_HOME,
                ),
                treatment(
                    c.CHEMOTHERAPY,
                    "Chimiothérapie carboplatine et paclitaxel (6 cures)",
                    done=True,
                    start=-860,
                    end=-755,
                    route=c.INTRAVENOUS,
                    comment=_DONE_AT_HOME,
                ),
                treatment(
                    c.CHEMOTHERAPY,
                    "Chimiothérapie carboplatine et doxorubicine liposomale (cures 2 à 6)",
                    start=-40,
                    planned_start=-40,
                    planned_end=100,
                    route=c.INTRAVENOUS,
                    rhythm="Toutes les 4 semaines",
                    performer=NORD_ONCOLOGIST,
                    place=NORD_CANCER_CENTRE,
                    side_effects="Fatigue, rougeurs des mains et des pieds, baisse des plaquettes.",
                    comment="La première cure a été faite en Région Exemple-Sud.",
                ),
                treatment(
                    c.TARGETED_THERAPY,
                    "Traitement d'entretien par inhibiteur de PARP (niraparib)",
                    planned_start=115,
                    planned_end=845,
                    route=c.ORAL,
                    at_home=True,
                    rhythm="1 prise par jour",
                    performer=NORD_ONCOLOGIST,
                ),
                follow_up(
                    c.BIOLOGY,
                    "Dosage du CA-125 et prise de sang",
                    planned_start=-12,
                    planned_end=99,
                    rhythm="Avant chaque cure",
                    place=NORD_HEALTH_CENTRE,
                ),
                follow_up(
                    c.IMAGING,
                    "Scanner d'évaluation",
                    planned_start=50,
                    planned_end=50,
                    rhythm="Tous les 3 mois",
                    place=NORD_CANCER_CENTRE,
                ),
                social(
                    c.END_OF_SICK_LEAVE,
                    "Sortie de l'arrêt de travail avec la MDPH (RQTH, temps partiel)",
                    planned_start=20,
                    planned_end=140,
                    place=NORD_MDPH,
                    comment="Le dossier de reconnaissance de la qualité de travailleur handicapé a suivi le "
                    "déménagement.",
                ),
            ),
        ),
    ),
)

# ------------------------------------------------------------------------------------------------------------
# Not Camille EXEMPLE: a nord record with her INS and another birth date (an identity error)
# ------------------------------------------------------------------------------------------------------------
NORD_MISMATCH = Case(
    key="nord-kidney",
    region="nord",
    summary="A nord Patient carrying Camille Exemple's INS by mistake, born 21 April 1978 (Camille: 12 April): "
    "another person, kidney cancer. Never matched to Camille.",
    patient=dataclasses.replace(
        BREAST.patient,
        sub=None,
        login=None,
        all_givens=None,
        born=dt.date(1978, 4, 21),
        address=Address("31", "Rue de l'Homonyme", "59992", "BRUMEVILLE"),
        phone="0639980110",
    ),
    author=NORD_UROLOGIST,
    custodian=NORD_HOSPITAL,
    contacts=nord_contacts(NORD_HOSPITAL, NORD_UROLOGIST, NORD_OTHER_COORDINATOR),
    diagnosis=Diagnosis(
        date=-35,
        topography=c.Code(c.CIM10, "C64", "Tumeur maligne du rein, à l'exception du bassinet"),
        laterality=c.RIGHT,
        morphology=c.Code(c.CIMO3, "8310/3", "Adénocarcinome à cellules claires, SAI"),
        stage=tnm("I", "Stade I"),
        tnm_t=tnm("T1a", "Tumeur de 4 cm ou moins, limitée au rein"),
        tnm_n=tnm("N0", "Pas d'atteinte des ganglions lymphatiques régionaux"),
        tnm_m=tnm("M0", "Pas de métastase à distance"),
        comment="Tumeur de 32 mm découverte lors d'une échographie abdominale.",
    ),
    versions=(
        Version(
            date=-20,
            rcp_date=-25,
            handed_date=-18,
            phase=c.PHASE_INITIAL,
            phase_date=-35,
            status=c.STATUS_APPROVED,
            items=(
                treatment(
                    c.SURGERY,
                    "Néphrectomie partielle droite",
                    planned_start=15,
                    planned_end=15,
                    performer=NORD_UROLOGIST,
                    place=NORD_HOSPITAL,
                ),
                follow_up(
                    c.CONSULTATION,
                    "Consultation d'urologie après l'opération",
                    planned_start=45,
                    planned_end=45,
                    performer=NORD_UROLOGIST,
                    place=NORD_HOSPITAL,
                ),
                follow_up(
                    c.IMAGING,
                    "Scanner abdominal de contrôle",
                    planned_start=105,
                    planned_end=105,
                    rhythm="Tous les 6 mois",
                    place=NORD_HOSPITAL,
                ),
            ),
        ),
    ),
)

NORD_CASES: tuple[Case, ...] = (NORD_PROSTATE, NORD_OVARIAN, NORD_MISMATCH)

#: How the nord store writes the official name (family, given names) of its Patients, where it differs from the
#: title case the bundle writes: its registry keeps names in capitals and drops accents (the INS rules compare
#: names without case, accents, hyphens and apostrophes, so these still match the home spelling).
NORD_SPELLING: dict[str, tuple[str, list[str]]] = {
    "nord-prostate": ("FICTIF", ["BERNARD", "MARCEL"]),
    "nord-ovarian": ("HYPOTHESE", ["NATHALIE", "ANNE"]),
}

HOME = Region(
    key="sud",
    label_fr="Région Exemple-Sud – DCC Exemple Sud",
    label_en="Example-South region – DCC Example South",
    cases=CASES,
    coordinator=a.COORDINATOR,
    coordination_centre=a.COORDINATION_CENTRE,
)
NORD = Region(
    key="nord",
    label_fr="Région Exemple-Nord – DCC Exemple Nord",
    label_en="Example-North region – DCC Example North",
    cases=NORD_CASES,
    coordinator=None,
    coordination_centre=NORD_COORDINATION_CENTRE,
)
#: The other regions' stores, by key (the home store, HOME, is `build_bundle()`).
REGIONS: Mapping[str, Region] = {NORD.key: NORD}
_SPELLINGS: Mapping[str, Mapping[str, tuple[str, list[str]]]] = {NORD.key: NORD_SPELLING}

#: Patient-side sign-ins linked in another region's store only: the home store resolves them to nobody.
REGION_ONLY_SUBS = frozenset(r.sub for region in REGIONS.values() for x in region.cases for r in x.relatives if r.sub)


def build_region_bundle(key: str, reference_date: dt.date = DEFAULT_REFERENCE_DATE) -> Resource:
    """The transaction Bundle that seeds region `key`'s store (deterministic for a given reference date)."""
    region = REGIONS[key]
    bundle = build_bundle(
        reference_date,
        region.cases,
        coordinator=region.coordinator,
        coordination_centre=region.coordination_centre,
    )
    spelling = _SPELLINGS.get(key, {})
    patients = {ids.patient_resource(case): case.key for case in region.cases}
    for entry in bundle["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] == "Patient" and patients[resource["id"]] in spelling:
            family, given = spelling[patients[resource["id"]]]
            official = next(n for n in resource["name"] if n["use"] == "official")
            official.update(family=family, given=list(given))
            for name in resource["name"]:
                if name["use"] == "usual":
                    name["family"] = name["family"].upper()
    return bundle


def region_accounts() -> list[dict[str, str]]:
    """The sign-ins that only another region's store supports, in the shape of demo/accounts.json."""
    daughter = NORD_DAUGHTER
    coordinator = NORD_COORDINATOR
    assert daughter.sub and daughter.login and coordinator.rpps
    return [
        {
            "login": daughter.login,
            "password": f"demo-{daughter.login}",
            "idp": "patient",
            "role": "caregiver",
            "name": f"{daughter.given} {daughter.family.title()}",
            "given_name": daughter.given,
            "family_name": daughter.family.title(),
            "sub": daughter.sub,
            "acr": "eidas2",
            "shows": "The daughter and caregiver of Bernard Fictif in the Exemple-Nord region only: the nord store "
            "links her to his nord record (where his newer plan is), the home store knows nobody for her.",
        },
        {
            "login": "odile",
            "password": "demo-odile",
            "idp": "pro",
            "role": "coordinator",
            "name": f"{coordinator.given} {coordinator.family.title()}",
            "given_name": coordinator.given,
            "family_name": coordinator.family.title(),
            "sub": NORD_COORDINATOR_SUB,
            "acr": "eidas1",
            "rpps": coordinator.rpps,
            "shows": "A care coordinator (3C nurse) of the Exemple-Nord region: in Bernard Fictif's care team in the "
            "nord store only (the home store does not know her), previewing his nord plan.",
        },
    ]


# --- Identity traits, compared as the national INS rules do --------------------------------------------------
_SEPARATORS = re.compile(r"[\s\-'’‘]+")


def normalise_name(value: str) -> str:
    """A name without case, accents, hyphens or apostrophes (each a single space): "Témoin-d'Essai" and
    "TEMOIN D ESSAI" give the same."""
    decomposed = unicodedata.normalize("NFKD", value)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SEPARATORS.sub(" ", bare).strip().casefold()


def identity_traits(patient: Resource) -> tuple[str, str, str, str]:
    """(birth family name, first given name, birth date, gender) of a FHIR Patient, names normalised: two
    stores' Patients are the same person when these and the INS agree (design/domain.md, "Several regions")."""
    official: dict[str, Any] = next(n for n in patient.get("name", []) if n.get("use") == "official")
    given = official.get("given") or [""]
    return (
        normalise_name(official.get("family", "")),
        normalise_name(given[0]),
        patient.get("birthDate", ""),
        patient.get("gender", ""),
    )


def ins_of(patient: Resource) -> str | None:
    """The Patient's test INS (system `.10`), if it has one."""
    return next((i["value"] for i in patient.get("identifier", []) if i.get("system") == INS_SYSTEM), None)
