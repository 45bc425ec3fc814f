"""The synthetic cases of domain.md, as compact descriptions: the source of every generated document.

Each case is a fictional patient with 0 to 4 versions of a cancer PPS (Programme Personnalisé de Soins).
Dates are days relative to the reference date (see `spec.Day`). The people who sign in (patients, a caregiver,
parents) carry the OIDC `sub` of their demo account; `demo_accounts()` lists every sign-in this data set
supports, in the shape of `demo/accounts.json`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from synthetic import actors as a
from synthetic import codes as c
from synthetic.spec import (
    DEFAULT_REFERENCE_DATE,
    Address,
    Case,
    Contact,
    Diagnosis,
    Exam,
    ExternalDocument,
    Item,
    Patient,
    RcpReport,
    Reason,
    Relative,
    StopOfActiveTreatments,
    Version,
)


def tnm(code: str, display: str) -> c.Code:
    return c.Code(c.TNM, code, display)


def treatment(type_: c.Code, label: str, **fields: Any) -> Item:
    return Item("treatment", type_, label, **fields)


def side_effect(type_: c.Code, label: str, **fields: Any) -> Item:
    return Item("side_effect", type_, label, **fields)


def measure(type_: c.Code, label: str, **fields: Any) -> Item:
    return Item("measure", type_, label, **fields)


def follow_up(type_: c.Code, label: str, **fields: Any) -> Item:
    return Item("follow_up", type_, label, **fields)


def supportive(type_: c.Code, label: str, **fields: Any) -> Item:
    return Item("supportive", type_, label, **fields)


def social(type_: c.Code, label: str, **fields: Any) -> Item:
    return Item("social", type_, label, **fields)


HOME = Address("7", "Rue des Exemples", "49990", "VALFLEURI")

# ------------------------------------------------------------------------------------------------------------
# Breast, early stage — Camille EXEMPLE (sign-in "camille")
# ------------------------------------------------------------------------------------------------------------
_CHEMO_SIDE_EFFECTS = (
    "Fatigue, nausées (un traitement les prévient), chute des cheveux, baisse des globules blancs : "
    "en cas de fièvre au-dessus de 38 °C, appelez le service."
)
_BREAST_CHEMO = dict(
    route=c.INTRAVENOUS,
    side_effects=_CHEMO_SIDE_EFFECTS,
    performer=a.ONCOLOGIST,
    place=a.HOSPITAL,
    rhythm="4 cures d'EC toutes les 3 semaines, puis paclitaxel chaque semaine pendant 12 semaines",
    comment="Une chambre implantable sera posée avant la première cure.",
)
_BREAST_GCSF = dict(
    rhythm="Une injection le lendemain de chaque cure d'EC",
    at_home=True,
    route=c.SUBCUTANEOUS,
    comment="Injection faite à domicile par une infirmière libérale.",
)
_BREAST_HORMONE = dict(
    rhythm="1 comprimé par jour pendant 5 ans",
    route=c.ORAL,
    at_home=True,
    performer=a.ONCOLOGIST,
    side_effects="Bouffées de chaleur, douleurs articulaires possibles.",
)
_BREAST_APA = dict(rhythm="2 séances par semaine", place=a.SUPPORT_SPACE)
_BREAST_NUTRITION = dict(
    rhythm="Une consultation par mois pendant la chimiothérapie",
    performer=a.DIETITIAN,
    place=a.HOSPITAL,
    reason=Reason(c.WEIGHT, "Poids au début du traitement", kilograms=64),
)
_BREAST_WORK = dict(
    performer=a.SOCIAL_WORKER,
    place=a.SOCIAL_SERVICE,
    comment="Rendez-vous de pré-reprise avec la médecine du travail ; temps partiel thérapeutique possible.",
)

BREAST = Case(
    key="breast",
    summary="Breast cancer, early stage: neoadjuvant chemotherapy, surgery, radiotherapy, hormone therapy.",
    patient=Patient(
        given="Camille",
        birth_family="EXEMPLE",
        gender=c.FEMALE,
        age=48,
        birthday_offset=0,
        ins_place="75056",
        ins_order="123",
        address=HOME,
        phone="0639980101",
        all_givens="Camille Marie",
        sub="p-7c1e0b52a4",
        login="camille",
        born=dt.date(1978, 4, 12),
        fixed_ins="278047505612374",
    ),
    author=a.ONCOLOGIST,
    custodian=a.COORDINATION_CENTRE,
    contacts=(
        *a.common_contacts(a.HOSPITAL, a.ONCOLOGIST, a.GP_ONE),
        Contact(
            "social_body",
            organisation=a.SOCIAL_SERVICE,
            professional=a.SOCIAL_WORKER,
            comment="Reprise du travail et droits sociaux",
        ),
        Contact("support_structure", organisation=a.SUPPORT_SPACE, comment="https://erif-demo.example.org"),
    ),
    diagnosis=Diagnosis(
        date=-300,
        topography=c.Code(c.CIM10, "C50.4", "Tumeur maligne du quadrant supéro-externe du sein"),
        laterality=c.LEFT,
        morphology=c.Code(c.CIMO3, "8500/3", "Carcinome canalaire infiltrant, SAI"),
        stage=tnm("IIA", "Stade IIA"),
        tnm_t=tnm("T2", "Tumeur de plus de 2 cm et jusqu'à 5 cm"),
        tnm_n=tnm("N0", "Pas d'atteinte des ganglions lymphatiques régionaux"),
        tnm_m=tnm("M0", "Pas de métastase à distance"),
        other_stage="Récepteurs hormonaux positifs, HER2 négatif, Ki67 30 %",
        comment="Tumeur de 28 mm découverte lors d'une mammographie de dépistage.",
    ),
    screening=True,
    relatives=(
        Relative("partner", "Luc", "EXEMPLE", c.SPOUSE, "0639980102", trusted_person=True, emergency_contact=True),
        # A friend who helped during the chemotherapy; her link ended 30 days ago.
        Relative(
            "friend",
            "Lucie",
            "ESSAI-FICTIF",
            c.FRIEND,
            "0639980106",
            caregiver=True,
            sub="p-4e9b2c7a16",
            login="lucie",
            until=-30,
        ),
    ),
    former_team=((a.FORMER_COORDINATOR, -60),),
    rcp_reports=(
        RcpReport(
            -285,
            "Chimiothérapie néoadjuvante, puis chirurgie conservatrice, radiothérapie et "
            "hormonothérapie pendant 5 ans.",
            "Carcinome canalaire infiltrant du sein gauche, cT2 N0 M0, RH+ HER2-.",
            for_version=1,
            name="RCP Sein Démo",
            facility=a.HOSPITAL,
            system=c.BREAST,
            organ=c.BREAST,
            question="Patiente en bonne santé, adressée par son médecin traitant après une mammographie de "
            "dépistage. Quel traitement proposer ? Une chimiothérapie avant l'opération est-elle utile ?",
            requester=a.GP_ONE,
            quorum=(a.ONCOLOGIST, a.SURGEON, a.RADIOTHERAPIST),
            guideline="Référentiel régional Démo des cancers du sein, version 2025 (fictif)",
            guideline_date=-420,
            exams=(
                Exam(
                    -306,
                    "Mammographie et échographie de dépistage",
                    "Opacité de 28 mm du quadrant supéro-externe gauche, classée ACR 5 ; aisselle normale.",
                ),
                Exam(
                    -300,
                    "Microbiopsie sous échographie",
                    "Carcinome canalaire infiltrant de grade II, récepteurs hormonaux positifs, HER2 négatif, "
                    "Ki67 à 30 %.",
                ),
                Exam(-293, "Scanner thoraco-abdomino-pelvien", "Pas de lésion à distance."),
            ),
        ),
    ),
    versions=(
        Version(
            date=-280,
            rcp_date=-285,
            handed_date=-278,
            phase=c.PHASE_INITIAL,
            phase_date=-300,
            status=c.STATUS_APPROVED,
            patient_comment="Travaille à temps plein ; souhaite préserver sa fertilité.",
            items=(
                treatment(
                    c.CHEMOTHERAPY,
                    "Chimiothérapie néoadjuvante (EC puis paclitaxel)",
                    planned_start=-270,
                    planned_end=-130,
                    **_BREAST_CHEMO,
                ),
                side_effect(
                    c.GROWTH_FACTOR,
                    "Facteur de croissance (pegfilgrastim) après chaque cure d'EC",
                    planned_start=-269,
                    planned_end=-206,
                    **_BREAST_GCSF,
                ),
                treatment(
                    c.SURGERY,
                    "Tumorectomie du sein gauche avec recherche du ganglion sentinelle",
                    planned_start=-100,
                    planned_end=-100,
                    performer=a.SURGEON,
                    place=a.HOSPITAL,
                ),
                treatment(
                    c.RADIOTHERAPY,
                    "Radiothérapie du sein gauche (15 séances)",
                    planned_start=-70,
                    planned_end=-49,
                    rhythm="5 jours par semaine pendant 3 semaines",
                    performer=a.RADIOTHERAPIST,
                    place=a.CANCER_CENTRE,
                ),
                treatment(
                    c.HORMONE_THERAPY,
                    "Hormonothérapie (tamoxifène)",
                    planned_start=-40,
                    planned_end=1785,
                    **_BREAST_HORMONE,
                ),
                measure(
                    c.CONTRACEPTION,
                    "Contraception non hormonale pendant les traitements",
                    planned_start=-275,
                    planned_end=1785,
                    performer=a.GP_ONE,
                ),
                follow_up(
                    c.BIOLOGY,
                    "Prise de sang avant chaque cure",
                    planned_start=-271,
                    planned_end=-131,
                    rhythm="La veille de chaque cure",
                    place=a.HEALTH_CENTRE,
                ),
                follow_up(
                    c.IMAGING,
                    "Échographie cardiaque avant la chimiothérapie",
                    planned_start=-275,
                    planned_end=-275,
                    place=a.HOSPITAL,
                ),
                supportive(
                    c.FERTILITY,
                    "Consultation d'oncofertilité avant la chimiothérapie",
                    planned_start=-276,
                    planned_end=-276,
                    place=a.HOSPITAL,
                ),
                supportive(
                    c.ADAPTED_PHYSICAL_ACTIVITY,
                    "Activité physique adaptée",
                    planned_start=-260,
                    planned_end=-80,
                    **_BREAST_APA,
                ),
                supportive(
                    c.NUTRITION, "Consultation diététique", planned_start=-268, planned_end=-130, **_BREAST_NUTRITION
                ),
                social(
                    c.RETURN_TO_WORK,
                    "Préparer la reprise du travail",
                    planned_start=30,
                    planned_end=120,
                    **_BREAST_WORK,
                ),
            ),
            referenced=(),
        ),
        Version(
            date=-200,
            rcp_date=-285,
            handed_date=-198,
            phase=c.PHASE_INITIAL,
            phase_date=-300,
            status=c.STATUS_IN_PROGRESS,
            reason=c.REASON_CALENDAR,
            reason_detail="La chirurgie est avancée de 5 jours et la radiothérapie décalée d'une semaine.",
            patient_comment="Travaille à temps plein ; souhaite préserver sa fertilité.",
            items=(
                treatment(
                    c.CHEMOTHERAPY,
                    "Chimiothérapie néoadjuvante (EC puis paclitaxel)",
                    start=-270,
                    planned_start=-270,
                    planned_end=-130,
                    **_BREAST_CHEMO,
                ),
                side_effect(
                    c.GROWTH_FACTOR,
                    "Facteur de croissance (pegfilgrastim) après chaque cure d'EC",
                    done=True,
                    start=-269,
                    end=-206,
                    **_BREAST_GCSF,
                ),
                treatment(
                    c.SURGERY,
                    "Tumorectomie du sein gauche avec recherche du ganglion sentinelle",
                    planned_start=-105,
                    planned_end=-105,
                    performer=a.SURGEON,
                    place=a.HOSPITAL,
                ),
                treatment(
                    c.RADIOTHERAPY,
                    "Radiothérapie du sein gauche (15 séances)",
                    planned_start=-63,
                    planned_end=-42,
                    rhythm="5 jours par semaine pendant 3 semaines",
                    performer=a.RADIOTHERAPIST,
                    place=a.CANCER_CENTRE,
                ),
                treatment(
                    c.HORMONE_THERAPY,
                    "Hormonothérapie (tamoxifène)",
                    planned_start=-35,
                    planned_end=1790,
                    **_BREAST_HORMONE,
                ),
                measure(
                    c.CONTRACEPTION,
                    "Contraception non hormonale pendant les traitements",
                    start=-275,
                    planned_start=-275,
                    planned_end=1790,
                    performer=a.GP_ONE,
                ),
                follow_up(
                    c.BIOLOGY,
                    "Prise de sang avant chaque cure",
                    start=-271,
                    planned_start=-271,
                    planned_end=-131,
                    rhythm="La veille de chaque cure",
                    place=a.HEALTH_CENTRE,
                ),
                supportive(
                    c.FERTILITY,
                    "Consultation d'oncofertilité avant la chimiothérapie",
                    done=True,
                    start=-276,
                    end=-276,
                    place=a.HOSPITAL,
                    comment="Conservation d'ovocytes réalisée.",
                ),
                supportive(
                    c.ADAPTED_PHYSICAL_ACTIVITY,
                    "Activité physique adaptée",
                    start=-260,
                    planned_start=-260,
                    planned_end=-80,
                    **_BREAST_APA,
                ),
                supportive(
                    c.NUTRITION,
                    "Consultation diététique",
                    start=-268,
                    planned_start=-268,
                    planned_end=-130,
                    **_BREAST_NUTRITION,
                ),
                social(
                    c.RETURN_TO_WORK,
                    "Préparer la reprise du travail",
                    planned_start=30,
                    planned_end=120,
                    **_BREAST_WORK,
                ),
            ),
        ),
        Version(
            date=-5,
            rcp_date=-12,
            handed_date=-4,
            phase=c.PHASE_INITIAL,
            phase_date=-300,
            status=c.STATUS_APPROVED,
            reason=c.REASON_PROGRAMME,
            reason_detail="Fin des traitements actifs : l'hormonothérapie continue et le suivi commence.",
            stop=StopOfActiveTreatments(
                -42, "Chimiothérapie, chirurgie et radiothérapie terminées ; l'hormonothérapie se poursuit."
            ),
            items=(
                treatment(
                    c.CHEMOTHERAPY,
                    "Chimiothérapie néoadjuvante (EC puis paclitaxel)",
                    done=True,
                    start=-270,
                    end=-132,
                    route=c.INTRAVENOUS,
                    performer=a.ONCOLOGIST,
                    place=a.HOSPITAL,
                ),
                side_effect(
                    c.GROWTH_FACTOR,
                    "Facteur de croissance (pegfilgrastim) après chaque cure d'EC",
                    done=True,
                    start=-269,
                    end=-206,
                    **_BREAST_GCSF,
                ),
                treatment(
                    c.SURGERY,
                    "Tumorectomie du sein gauche avec recherche du ganglion sentinelle",
                    done=True,
                    start=-105,
                    end=-105,
                    performer=a.SURGEON,
                    place=a.HOSPITAL,
                ),
                treatment(
                    c.RADIOTHERAPY,
                    "Radiothérapie du sein gauche (15 séances)",
                    done=True,
                    start=-63,
                    end=-42,
                    performer=a.RADIOTHERAPIST,
                    place=a.CANCER_CENTRE,
                ),
                treatment(
                    c.HORMONE_THERAPY,
                    "Hormonothérapie (tamoxifène)",
                    start=-35,
                    planned_start=-35,
                    planned_end=1790,
                    **_BREAST_HORMONE,
                ),
                follow_up(
                    c.CONSULTATION,
                    "Consultation de suivi avec l'oncologue",
                    planned_start=175,
                    planned_end=175,
                    rhythm="Tous les 6 mois pendant 5 ans",
                    performer=a.ONCOLOGIST,
                    place=a.HOSPITAL,
                ),
                follow_up(
                    c.IMAGING,
                    "Mammographie et échographie des seins",
                    planned_start=330,
                    planned_end=330,
                    rhythm="Une fois par an",
                    place=a.CANCER_CENTRE,
                ),
                supportive(
                    c.ADAPTED_PHYSICAL_ACTIVITY,
                    "Activité physique adaptée",
                    done=True,
                    start=-260,
                    end=-80,
                    place=a.SUPPORT_SPACE,
                ),
                social(
                    c.RETURN_TO_WORK,
                    "Préparer la reprise du travail",
                    planned_start=30,
                    planned_end=120,
                    **_BREAST_WORK,
                ),
            ),
        ),
    ),
)

# ------------------------------------------------------------------------------------------------------------
# Colon stage III — Dominique ESSAI (sign-in "dominique", signs in at eidas1 only)
# ------------------------------------------------------------------------------------------------------------
_FOLFOX = dict(
    route=c.INTRAVENOUS,
    performer=a.ONCOLOGIST,
    place=a.HOSPITAL,
    rhythm="Toutes les 2 semaines : perfusion à l'hôpital puis 46 h avec un diffuseur à domicile",
)
_SMOKING = dict(
    rhythm="Une consultation tous les 15 jours",
    performer=a.TOBACCO_SPECIALIST,
    place=a.HOSPITAL,
    reason=Reason(c.TOBACCO, "Fumeuse active, 20 cigarettes par jour"),
)

COLON = Case(
    key="colon",
    summary="Colon cancer stage III: surgery then FOLFOX; oxaliplatin stopped for neuropathy.",
    patient=Patient(
        given="Dominique",
        birth_family="ESSAI",
        gender=c.FEMALE,
        age=64,
        birthday_offset=0,
        ins_place="33063",
        ins_order="078",
        address=Address("14", "Avenue Fictive", "49991", "VALFLEURI"),
        phone="0639980201",
        sub="p-b24e8c07f1",
        login="dominique",
        born=dt.date(1962, 1, 20),
        fixed_ins="262013306307833",
    ),
    author=a.ONCOLOGIST,
    custodian=a.COORDINATION_CENTRE,
    contacts=(
        *a.common_contacts(a.HOSPITAL, a.ONCOLOGIST, a.GP_ONE),
        Contact("support_structure", organisation=a.SUPPORT_SPACE, comment="https://tabac-demo.example.org"),
    ),
    diagnosis=Diagnosis(
        date=-190,
        topography=c.Code(c.CIM10, "C18.7", "Tumeur maligne du côlon sigmoïde"),
        morphology=c.Code(c.CIMO3, "8140/3", "Adénocarcinome, SAI"),
        stage=tnm("IIIB", "Stade IIIB"),
        tnm_t=tnm("T3", "Tumeur envahissant la sous-séreuse"),
        tnm_n=tnm("N1b", "Métastases dans 2 à 3 ganglions lymphatiques régionaux"),
        tnm_m=tnm("M0", "Pas de métastase à distance"),
        comment="Stade pathologique après colectomie (pT3 pN1b, 3 ganglions envahis sur 18).",
    ),
    relatives=(Relative("sister", "Agnès", "ESSAI", c.SISTER, "0639980202", emergency_contact=True),),
    versions=(
        Version(
            date=-150,
            rcp_date=-155,
            handed_date=-148,
            phase=c.PHASE_INITIAL,
            phase_date=-190,
            status=c.STATUS_APPROVED,
            items=(
                treatment(
                    c.SURGERY,
                    "Colectomie sigmoïdienne par cœlioscopie",
                    done=True,
                    start=-170,
                    end=-170,
                    performer=a.SURGEON,
                    place=a.HOSPITAL,
                ),
                treatment(
                    c.CHEMOTHERAPY,
                    "Chimiothérapie adjuvante FOLFOX (12 cures)",
                    planned_start=-130,
                    planned_end=40,
                    side_effects=(
                        "Fourmillements des doigts et des pieds aggravés par le froid (neuropathie) : "
                        "évitez le froid et signalez-les ; fatigue, diarrhée."
                    ),
                    **_FOLFOX,
                ),
                follow_up(
                    c.BIOLOGY,
                    "Prise de sang (dont ACE) avant chaque cure",
                    planned_start=-131,
                    planned_end=39,
                    rhythm="Avant chaque cure",
                    place=a.HEALTH_CENTRE,
                ),
                follow_up(
                    c.IMAGING,
                    "Scanner thoraco-abdomino-pelvien",
                    planned_start=60,
                    planned_end=60,
                    rhythm="Tous les 6 mois pendant 3 ans",
                    place=a.HOSPITAL,
                ),
                supportive(
                    c.SMOKING_CESSATION, "Aide à l'arrêt du tabac", planned_start=-140, planned_end=40, **_SMOKING
                ),
            ),
        ),
        Version(
            date=-40,
            rcp_date=-45,
            handed_date=-38,
            phase=c.PHASE_INITIAL,
            phase_date=-190,
            status=c.STATUS_IN_PROGRESS,
            reason=c.REASON_PROGRAMME,
            reason_detail=(
                "Oxaliplatine arrêté après la 8e cure en raison d'une neuropathie : "
                "poursuite par LV5FU2 seul jusqu'à la 12e cure."
            ),
            items=(
                treatment(
                    c.SURGERY,
                    "Colectomie sigmoïdienne par cœlioscopie",
                    done=True,
                    start=-170,
                    end=-170,
                    performer=a.SURGEON,
                    place=a.HOSPITAL,
                ),
                treatment(
                    c.CHEMOTHERAPY,
                    "Chimiothérapie adjuvante FOLFOX (8 cures réalisées)",
                    done=True,
                    start=-130,
                    end=-46,
                    side_effects="Neuropathie de grade 2 aux mains et aux pieds.",
                    **_FOLFOX,
                ),
                treatment(
                    c.CHEMOTHERAPY,
                    "Chimiothérapie LV5FU2 sans oxaliplatine (4 cures)",
                    planned_start=-32,
                    planned_end=14,
                    **_FOLFOX,
                ),
                follow_up(
                    c.CONSULTATION,
                    "Évaluation de la neuropathie",
                    planned_start=20,
                    planned_end=20,
                    performer=a.ONCOLOGIST,
                    place=a.HOSPITAL,
                ),
                follow_up(
                    c.IMAGING,
                    "Scanner thoraco-abdomino-pelvien",
                    planned_start=60,
                    planned_end=60,
                    rhythm="Tous les 6 mois pendant 3 ans",
                    place=a.HOSPITAL,
                ),
                supportive(
                    c.SMOKING_CESSATION,
                    "Aide à l'arrêt du tabac",
                    start=-140,
                    planned_start=-140,
                    planned_end=40,
                    **_SMOKING,
                ),
                supportive(
                    c.PAIN,
                    "Traitement des douleurs liées à la neuropathie",
                    start=-40,
                    planned_start=-40,
                    planned_end=60,
                    route=c.ORAL,
                    at_home=True,
                    rhythm="Matin et soir",
                    performer=a.GP_ONE,
                ),
            ),
        ),
    ),
)

# ------------------------------------------------------------------------------------------------------------
# Lung, metastatic — Diane DÉMO (v3 hidden from the patient until the consultation)
# ------------------------------------------------------------------------------------------------------------
_IMMUNO = dict(
    route=c.INTRAVENOUS,
    rhythm="Une perfusion toutes les 3 semaines",
    performer=a.ONCOLOGIST,
    place=a.HOSPITAL,
    side_effects=(
        "Fatigue ; plus rarement éruption cutanée, diarrhée, essoufflement ou troubles de la thyroïde : "
        "signalez tout symptôme nouveau."
    ),
)
_TARGETED = dict(route=c.ORAL, at_home=True, rhythm="1 comprimé par jour", performer=a.ONCOLOGIST)
_LUNG_GENETICS = ExternalDocument(
    "genetics", c.EXTERNAL_ROOT, "CRGM-DEMO-0042", "Compte rendu de génétique moléculaire (mutation EGFR)"
)

LUNG = Case(
    key="lung",
    summary="Lung cancer, metastatic: immunotherapy, progression then targeted therapy, palliative care.",
    patient=Patient(
        given="Diane",
        birth_family="DÉMO",
        used_family="DÉMO-LAMBERT",
        gender=c.FEMALE,
        age=59,
        birthday_offset=40,
        ins_place="49007",
        ins_order="215",
        address=Address("3", "Chemin du Simulacre", "49993", "SAINT-FICTIF"),
        phone="0639980301",
        sub="p-d1a9e04c72",
        login="diane",
    ),
    author=a.ONCOLOGIST,
    custodian=a.COORDINATION_CENTRE,
    contacts=(
        *a.common_contacts(a.HOSPITAL, a.ONCOLOGIST, a.GP_TWO),
        Contact("city_hospital", organisation=a.HOME_HOSPITAL, comment="Soins à domicile"),
    ),
    diagnosis=Diagnosis(
        date=-240,
        topography=c.Code(c.CIM10, "C34.1", "Tumeur maligne du lobe supérieur, bronches ou poumon"),
        laterality=c.RIGHT,
        morphology=c.Code(c.CIMO3, "8140/3", "Adénocarcinome, SAI"),
        stage=tnm("IVB", "Stade IVB"),
        tnm_t=tnm("T2a", "Tumeur de plus de 3 cm et jusqu'à 4 cm"),
        tnm_n=tnm("N2", "Métastases dans les ganglions médiastinaux homolatéraux"),
        tnm_m=tnm("M1c", "Métastases multiples dans un ou plusieurs organes"),
        comment="Métastases osseuses et hépatiques.",
    ),
    relatives=(
        Relative(
            "husband", "Serge", "DÉMO-LAMBERT", c.SPOUSE, "0639980302", trusted_person=True, emergency_contact=True
        ),
    ),
    versions=(
        Version(
            date=-220,
            rcp_date=-225,
            handed_date=-218,
            phase=c.PHASE_INITIAL,
            phase_date=-240,
            status=c.STATUS_APPROVED,
            items=(
                treatment(
                    c.IMMUNOTHERAPY, "Immunothérapie (pembrolizumab)", planned_start=-210, planned_end=520, **_IMMUNO
                ),
                follow_up(
                    c.IMAGING,
                    "Scanner d'évaluation",
                    planned_start=-125,
                    planned_end=-125,
                    rhythm="Tous les 3 mois",
                    place=a.HOSPITAL,
                ),
                follow_up(
                    c.BIOLOGY,
                    "Bilan sanguin et thyroïdien avant chaque perfusion",
                    planned_start=-211,
                    planned_end=519,
                    rhythm="Toutes les 3 semaines",
                    place=a.HEALTH_CENTRE,
                ),
                supportive(
                    c.PAIN,
                    "Traitement des douleurs osseuses",
                    planned_start=-220,
                    planned_end=520,
                    route=c.ORAL,
                    at_home=True,
                    rhythm="Selon la douleur",
                    performer=a.GP_TWO,
                ),
                supportive(
                    c.NUTRITION,
                    "Consultation diététique",
                    planned_start=-200,
                    planned_end=-200,
                    performer=a.DIETITIAN,
                    place=a.HOSPITAL,
                    reason=Reason(c.WEIGHT, "Perte de 4 kg en 2 mois", kilograms=58),
                ),
            ),
        ),
        Version(
            date=-90,
            rcp_date=-95,
            handed_date=-88,
            phase=c.PHASE_INITIAL,
            phase_date=-240,
            status=c.STATUS_APPROVED,
            reason=c.REASON_NO_RESPONSE,
            progression=(c.PROGRESSION_DISTANT,),
            phase_comment="Progression hépatique au scanner de réévaluation.",
            reason_detail=(
                "Progression sous immunothérapie ; l'analyse génétique de la tumeur montre une mutation EGFR : "
                "thérapie ciblée par voie orale."
            ),
            referenced=(_LUNG_GENETICS,),
            items=(
                treatment(c.IMMUNOTHERAPY, "Immunothérapie (pembrolizumab)", done=True, start=-210, end=-99, **_IMMUNO),
                treatment(
                    c.TARGETED_THERAPY,
                    "Thérapie ciblée (osimertinib)",
                    start=-85,
                    planned_start=-85,
                    planned_end=645,
                    side_effects="Diarrhée, peau sèche, atteinte des ongles.",
                    **_TARGETED,
                ),
                follow_up(
                    c.IMAGING,
                    "Scanner d'évaluation",
                    planned_start=-5,
                    planned_end=-5,
                    rhythm="Tous les 3 mois",
                    place=a.HOSPITAL,
                ),
                supportive(
                    c.PAIN,
                    "Traitement des douleurs osseuses",
                    start=-220,
                    planned_start=-220,
                    planned_end=520,
                    route=c.ORAL,
                    at_home=True,
                    rhythm="Selon la douleur",
                    performer=a.GP_TWO,
                ),
            ),
        ),
        Version(
            date=-3,
            rcp_date=-6,
            handed_date=None,
            phase=c.PHASE_INITIAL,
            phase_date=-240,
            status=c.STATUS_APPROVED,
            reason=c.REASON_PALLIATIVE,
            progression=(c.PROGRESSION_DISTANT,),
            reason_detail="Nouvelle progression : arrêt de la thérapie ciblée, soins palliatifs à domicile.",
            document_comment="À remettre lors de la consultation du médecin référent.",
            stop=StopOfActiveTreatments(
                -5, "Arrêt des traitements contre le cancer ; les soins de confort se poursuivent à domicile."
            ),
            referenced=(_LUNG_GENETICS,),
            hidden=("INVISIBLE_PATIENT",),
            items=(
                treatment(
                    c.TARGETED_THERAPY, "Thérapie ciblée (osimertinib)", done=True, start=-85, end=-5, **_TARGETED
                ),
                supportive(
                    c.PAIN,
                    "Traitement de la douleur",
                    start=-220,
                    planned_start=-220,
                    planned_end=365,
                    route=c.SUBCUTANEOUS,
                    at_home=True,
                    rhythm="En continu avec une pompe",
                    place=a.HOME_HOSPITAL,
                ),
                supportive(
                    c.RELATIVES_SUPPORT,
                    "Soutien psychologique pour vous et vos proches",
                    planned_start=4,
                    planned_end=365,
                    rhythm="À la demande",
                    place=a.SUPPORT_SPACE,
                ),
                social(
                    c.HOME_HELP,
                    "Aide à domicile",
                    planned_start=2,
                    planned_end=365,
                    rhythm="Chaque jour, le matin",
                    at_home=True,
                    performer=a.SOCIAL_WORKER,
                    place=a.SOCIAL_SERVICE,
                ),
            ),
        ),
    ),
)

# ------------------------------------------------------------------------------------------------------------
# Prostate, low risk — Bernard FICTIF (sign-in "bernard")
# ------------------------------------------------------------------------------------------------------------
_PROSTATE_ITEMS = (
    treatment(
        c.ACTIVE_SURVEILLANCE,
        "Surveillance active",
        start=-390,
        planned_start=-390,
        planned_end=700,
        performer=a.SURGEON,
        place=a.HOSPITAL,
        comment="Pas de traitement tant que la maladie reste peu évolutive.",
    ),
    follow_up(
        c.BIOLOGY, "Dosage du PSA", planned_start=-30, planned_end=-30, rhythm="Tous les 6 mois", place=a.HEALTH_CENTRE
    ),
    follow_up(
        c.IMAGING, "IRM de la prostate", planned_start=-25, planned_end=-25, rhythm="Une fois par an", place=a.HOSPITAL
    ),
    follow_up(
        c.OTHER_FOLLOW_UP,
        "Nouvelles biopsies de la prostate",
        planned_start=150,
        planned_end=150,
        place=a.HOSPITAL,
        performer=a.SURGEON,
    ),
    follow_up(
        c.CONSULTATION,
        "Consultation d'urologie",
        planned_start=-20,
        planned_end=-20,
        rhythm="Tous les 6 mois",
        performer=a.SURGEON,
        place=a.HOSPITAL,
    ),
)

PROSTATE = Case(
    key="prostate",
    summary="Prostate cancer, low risk: active surveillance; v2 changes the GP only.",
    patient=Patient(
        given="Bernard",
        birth_family="FICTIF",
        gender=c.MALE,
        age=70,
        birthday_offset=0,
        ins_place="69123",
        ins_order="045",
        address=Address("22", "Rue du Modèle", "49990", "VALFLEURI"),
        phone="0639980401",
        sub="p-3f9a61d2c8",
        login="bernard",
        born=dt.date(1955, 9, 3),
        fixed_ins="155096912304546",
    ),
    author=a.SURGEON,
    custodian=a.COORDINATION_CENTRE,
    contacts=a.common_contacts(a.HOSPITAL, a.SURGEON, a.GP_ONE),
    diagnosis=Diagnosis(
        date=-410,
        topography=c.Code(c.CIM10, "C61", "Tumeur maligne de la prostate"),
        morphology=c.Code(c.CIMO3, "8140/3", "Adénocarcinome, SAI"),
        stage=tnm("I", "Stade I"),
        tnm_t=tnm("T1c", "Tumeur découverte par biopsie"),
        tnm_n=tnm("N0", "Pas d'atteinte des ganglions lymphatiques régionaux"),
        tnm_m=tnm("M0", "Pas de métastase à distance"),
        other_stage="Score de Gleason 6 (3+3), ISUP 1, PSA 5,8 ng/mL : risque faible (D'Amico)",
    ),
    screening=False,
    versions=(
        Version(
            date=-400,
            rcp_date=-405,
            handed_date=-398,
            phase=c.PHASE_INITIAL,
            phase_date=-410,
            status=c.STATUS_APPROVED,
            items=_PROSTATE_ITEMS,
        ),
        Version(
            date=-60,
            rcp_date=-405,
            handed_date=-58,
            phase=c.PHASE_INITIAL,
            phase_date=-410,
            status=c.STATUS_APPROVED,
            reason=c.REASON_ADMINISTRATIVE,
            reason_detail="Changement de médecin traitant : Dr Louis PROTO.",
            items=_PROSTATE_ITEMS,
            contacts=a.common_contacts(a.HOSPITAL, a.SURGEON, a.GP_TWO),
        ),
    ),
)

# ------------------------------------------------------------------------------------------------------------
# Lymphoma, 78 years old — Germaine FACTICE and her daughter Hélène (caregiver)
# ------------------------------------------------------------------------------------------------------------
_RCHOP = dict(
    route=c.INTRAVENOUS,
    rhythm="Une cure toutes les 3 semaines (6 cures)",
    performer=a.ONCOLOGIST,
    place=a.HOSPITAL,
    side_effects="Fatigue, baisse des globules blancs, fourmillements, constipation.",
)
_DAUGHTER = Relative(
    "daughter",
    "Hélène",
    "FACTICE",
    c.DAUGHTER,
    "0639980502",
    trusted_person=True,
    emergency_contact=True,
    caregiver=True,
    sub="p-6e2b71c0d9",
    login="helene",
)

LYMPHOMA = Case(
    key="lymphoma",
    summary="Diffuse large B-cell lymphoma at 78: R-CHOP, oncogeriatrics, home help, daughter as caregiver.",
    patient=Patient(
        given="Germaine",
        birth_family="FACTICE",
        gender=c.FEMALE,
        age=78,
        birthday_offset=120,
        ins_place="49099",
        ins_order="311",
        address=Address("2", "Place du Fictif", "49990", "VALFLEURI"),
        phone="0261910601",
        sub="p-0c57a3e8b4",
        login="germaine",
    ),
    author=a.ONCOLOGIST,
    custodian=a.COORDINATION_CENTRE,
    contacts=(
        *a.common_contacts(a.HOSPITAL, a.ONCOLOGIST, a.GP_ONE),
        Contact("care_team", professional=a.GERIATRICIAN, organisation=a.HOSPITAL, comment="Oncogériatre"),
    ),
    diagnosis=Diagnosis(
        date=-115,
        topography=c.Code(c.CIM10, "C83.3", "Lymphome diffus à grandes cellules B"),
        morphology=c.Code(c.CIMO3, "9680/3", "Lymphome malin diffus à grandes cellules B, SAI"),
        other_stage="Ann Arbor stade III, IPI 3",
    ),
    relatives=(_DAUGHTER,),
    versions=(
        Version(
            date=-100,
            rcp_date=-104,
            handed_date=-99,
            phase=c.PHASE_INITIAL,
            phase_date=-115,
            status=c.STATUS_APPROVED,
            patient_comment="Vit seule ; sa fille passe chaque jour.",
            items=(
                measure(
                    c.ONCOGERIATRICS,
                    "Évaluation oncogériatrique",
                    planned_start=-98,
                    planned_end=-98,
                    performer=a.GERIATRICIAN,
                    place=a.HOSPITAL,
                ),
                treatment(c.CHEMOTHERAPY, "Immunochimiothérapie R-CHOP", planned_start=-95, planned_end=10, **_RCHOP),
                side_effect(
                    c.GROWTH_FACTOR,
                    "Facteur de croissance après chaque cure",
                    planned_start=-94,
                    planned_end=11,
                    route=c.SUBCUTANEOUS,
                    at_home=True,
                    rhythm="Une injection le lendemain de chaque cure",
                ),
                follow_up(
                    c.IMAGING, "TEP-scanner après 3 cures", planned_start=-35, planned_end=-35, place=a.CANCER_CENTRE
                ),
                supportive(
                    c.NUTRITION,
                    "Suivi nutritionnel",
                    planned_start=-95,
                    planned_end=10,
                    performer=a.DIETITIAN,
                    place=a.HOSPITAL,
                    reason=Reason(c.WEIGHT, "Poids avant traitement", kilograms=52),
                ),
                social(
                    c.HOME_HELP,
                    "Aide à domicile (2 heures par jour)",
                    planned_start=-90,
                    planned_end=60,
                    at_home=True,
                    rhythm="Chaque matin",
                    performer=a.SOCIAL_WORKER,
                    place=a.SOCIAL_SERVICE,
                ),
            ),
        ),
        Version(
            date=-20,
            rcp_date=-104,
            handed_date=-18,
            phase=c.PHASE_INITIAL,
            phase_date=-115,
            status=c.STATUS_IN_PROGRESS,
            reason=c.REASON_SUPPORTIVE,
            reason_detail="Aide à domicile renforcée et portage des repas ; soutien pour sa fille.",
            patient_comment="Vit seule ; sa fille passe chaque jour.",
            items=(
                measure(
                    c.ONCOGERIATRICS,
                    "Évaluation oncogériatrique",
                    done=True,
                    start=-98,
                    end=-98,
                    performer=a.GERIATRICIAN,
                    place=a.HOSPITAL,
                ),
                treatment(
                    c.CHEMOTHERAPY,
                    "Immunochimiothérapie R-CHOP",
                    start=-95,
                    planned_start=-95,
                    planned_end=10,
                    **_RCHOP,
                ),
                follow_up(
                    c.IMAGING,
                    "TEP-scanner après 3 cures",
                    done=True,
                    start=-35,
                    end=-35,
                    place=a.CANCER_CENTRE,
                    comment="Bonne réponse après 3 cures.",
                ),
                follow_up(
                    c.IMAGING,
                    "TEP-scanner de fin de traitement",
                    planned_start=40,
                    planned_end=40,
                    place=a.CANCER_CENTRE,
                ),
                social(
                    c.HOME_HELP,
                    "Aide à domicile (4 heures par jour) et portage des repas",
                    start=-90,
                    planned_start=-90,
                    planned_end=90,
                    at_home=True,
                    rhythm="Matin et midi",
                    performer=a.SOCIAL_WORKER,
                    place=a.SOCIAL_SERVICE,
                ),
                supportive(
                    c.RELATIVES_SUPPORT,
                    "Soutien pour votre fille, aidante",
                    planned_start=-15,
                    planned_end=90,
                    rhythm="Une fois par mois",
                    place=a.SUPPORT_SPACE,
                ),
            ),
        ),
    ),
)

# ------------------------------------------------------------------------------------------------------------
# Larynx — Henri TÉMOIN: surgery refused, radio-chemotherapy
# ------------------------------------------------------------------------------------------------------------
_LARYNX_SUPPORT = (
    supportive(
        c.NUTRITION,
        "Suivi nutritionnel (risque de dénutrition pendant la radiothérapie)",
        planned_start=-85,
        planned_end=30,
        performer=a.DIETITIAN,
        place=a.HOSPITAL,
        rhythm="Chaque semaine pendant la radiothérapie",
        reason=Reason(c.WEIGHT, "Poids au diagnostic", kilograms=68),
    ),
    supportive(
        c.SMOKING_CESSATION,
        "Aide à l'arrêt du tabac",
        planned_start=-110,
        planned_end=90,
        performer=a.TOBACCO_SPECIALIST,
        place=a.HOSPITAL,
        reason=Reason(c.TOBACCO, "Fumeur, 30 paquets-années"),
    ),
    supportive(
        c.ALCOHOL_CESSATION,
        "Aide à l'arrêt de l'alcool",
        planned_start=-110,
        planned_end=90,
        performer=a.TOBACCO_SPECIALIST,
        place=a.HOSPITAL,
        reason=Reason(c.ALCOHOL, "Consommation quotidienne d'alcool"),
    ),
)

LARYNX = Case(
    key="larynx",
    summary="Larynx cancer: surgery refused by the patient, radio-chemotherapy; nutrition, tobacco, alcohol.",
    patient=Patient(
        given="Henri",
        birth_family="TÉMOIN",
        gender=c.MALE,
        age=57,
        birthday_offset=200,
        ins_place="44109",
        ins_order="502",
        address=Address("11", "Quai de l'Essai", "49994", "VALFLEURI"),
        phone="0639980601",
        sub="p-9a4f2d6b13",
        login="henri",
    ),
    author=a.RADIOTHERAPIST,
    custodian=a.COORDINATION_CENTRE,
    contacts=(
        *a.common_contacts(a.CANCER_CENTRE, a.RADIOTHERAPIST, a.GP_TWO),
        Contact("support_structure", organisation=a.SUPPORT_SPACE, comment="https://addictions-demo.example.org"),
        Contact("health_mediator", organisation=a.SUPPORT_SPACE, comment="Médiatrice de santé"),
    ),
    diagnosis=Diagnosis(
        date=-125,
        topography=c.Code(c.CIM10, "C32.0", "Tumeur maligne de la glotte"),
        morphology=c.Code(c.CIMO3, "8070/3", "Carcinome épidermoïde, SAI"),
        stage=tnm("III", "Stade III"),
        tnm_t=tnm("T3", "Tumeur limitée au larynx avec fixation de la corde vocale"),
        tnm_n=tnm("N1", "Métastase dans un seul ganglion homolatéral de 3 cm ou moins"),
        tnm_m=tnm("M0", "Pas de métastase à distance"),
    ),
    versions=(
        Version(
            date=-120,
            rcp_date=-122,
            handed_date=-118,
            phase=c.PHASE_INITIAL,
            phase_date=-125,
            status=c.STATUS_APPROVED,
            items=(
                treatment(
                    c.SURGERY,
                    "Laryngectomie totale avec curage ganglionnaire",
                    planned_start=-95,
                    planned_end=-95,
                    performer=a.SURGEON,
                    place=a.HOSPITAL,
                ),
                treatment(
                    c.RADIOTHERAPY,
                    "Radiothérapie après la chirurgie",
                    planned_start=-60,
                    planned_end=-20,
                    rhythm="5 jours par semaine pendant 6 semaines",
                    performer=a.RADIOTHERAPIST,
                    place=a.CANCER_CENTRE,
                ),
                *_LARYNX_SUPPORT,
            ),
        ),
        Version(
            date=-90,
            rcp_date=-92,
            handed_date=-88,
            phase=c.PHASE_INITIAL,
            phase_date=-125,
            status=c.STATUS_APPROVED,
            reason=c.REASON_REFUSAL,
            reason_detail=(
                "Le patient refuse la laryngectomie totale ; une radio-chimiothérapie qui conserve le larynx "
                "lui est proposée."
            ),
            items=(
                treatment(
                    c.RADIOTHERAPY,
                    "Radiothérapie du larynx et des ganglions du cou (35 séances)",
                    planned_start=-80,
                    planned_end=-31,
                    rhythm="5 jours par semaine pendant 7 semaines",
                    performer=a.RADIOTHERAPIST,
                    place=a.CANCER_CENTRE,
                ),
                treatment(
                    c.CHEMOTHERAPY,
                    "Chimiothérapie par cisplatine pendant la radiothérapie",
                    planned_start=-80,
                    planned_end=-38,
                    rhythm="Toutes les 3 semaines (3 cures)",
                    route=c.INTRAVENOUS,
                    performer=a.ONCOLOGIST,
                    place=a.HOSPITAL,
                    side_effects="Nausées, fatigue, bourdonnements d'oreille : prévenez l'équipe.",
                ),
                follow_up(
                    c.CONSULTATION,
                    "Consultation ORL avec examen du larynx",
                    planned_start=60,
                    planned_end=60,
                    rhythm="Tous les 2 mois la première année",
                    performer=a.SURGEON,
                    place=a.HOSPITAL,
                ),
                *_LARYNX_SUPPORT,
            ),
        ),
    ),
    # His neighbour Inès (a patient herself, thyroid case) drives him to his appointments: she sees the
    # calendar, the contacts and the supportive care only.
    relatives=(
        Relative(
            "neighbour",
            "Inès",
            "IMAGINAIRE",
            c.FRIEND,
            "0639980606",
            caregiver=True,
            sub="p-73c1d8a2f5",
            shared_parts=("calendar", "contacts", "support"),
        ),
    ),
)

# ------------------------------------------------------------------------------------------------------------
# Child, nephroblastoma, 6 years old — Léo FANTAISIE; parents Emma and Thomas (legal representatives)
# ------------------------------------------------------------------------------------------------------------
_MOTHER = Relative(
    "mother",
    "Emma",
    "FANTAISIE",
    c.MOTHER,
    "0639980702",
    guardian=True,
    emergency_contact=True,
    sub="p-2b8d5f1e60",
    login="emma",
)
_FATHER = Relative(
    "father",
    "Thomas",
    "FANTAISIE",
    c.FATHER,
    "0639980703",
    guardian=True,
    sub="p-e47c0a9d25",
    login="thomas",
)
_CHILD_SUPPORT = (
    supportive(
        c.SCHOOLING,
        "Continuité de la scolarité (enseignant à l'hôpital et à domicile)",
        planned_start=-150,
        planned_end=120,
        rhythm="3 demi-journées par semaine",
        place=a.SCHOOL_SERVICE,
    ),
    supportive(
        c.RELATIVES_SUPPORT,
        "Soutien psychologique des parents et de la sœur de Léo",
        planned_start=-150,
        planned_end=120,
        rhythm="Toutes les 2 semaines",
        place=a.CHILDREN_HOSPITAL,
    ),
)

CHILD = Case(
    key="child",
    summary="Nephroblastoma at 6: paediatrics, parents as legal representatives, schooling, relatives' support.",
    patient=Patient(
        given="Léo",
        birth_family="FANTAISIE",
        gender=c.MALE,
        age=6,
        birthday_offset=75,
        ins_place="49328",
        ins_order="017",
        address=Address("5", "Allée des Prototypes", "49990", "VALFLEURI"),
        phone="0639980702",
        login=None,
    ),
    author=a.PAEDIATRIC_ONCOLOGIST,
    custodian=a.COORDINATION_CENTRE,
    contacts=(
        Contact("reference_hospital", organisation=a.CHILDREN_HOSPITAL, comment="Service d'oncologie pédiatrique"),
        Contact("care_team", professional=a.PAEDIATRIC_ONCOLOGIST, organisation=a.CHILDREN_HOSPITAL),
        Contact("gp", professional=a.GP_TWO),
        Contact("coordination_centre", organisation=a.COORDINATION_CENTRE, professional=a.COORDINATOR),
        Contact("social_body", organisation=a.MDPH, comment="Allocation d'éducation de l'enfant handicapé"),
    ),
    diagnosis=Diagnosis(
        date=-165,
        topography=c.Code(c.CIM10, "C64", "Tumeur maligne du rein, à l'exception du bassinet"),
        laterality=c.LEFT,
        morphology=c.Code(c.CIMO3, "8960/3", "Néphroblastome, SAI"),
        other_stage="Stade local II (SIOP), histologie de risque intermédiaire",
    ),
    paediatric=True,
    paediatric_comment="Prise en charge en oncologie pédiatrique ; les parents sont présents à chaque étape.",
    relatives=(_MOTHER, _FATHER),
    rcp_reports=(
        RcpReport(
            -105,
            "Chimiothérapie postopératoire de 27 semaines (vincristine, actinomycine D).",
            "Néphroblastome du rein gauche opéré, stade local II, risque intermédiaire.",
            for_version=2,
            name="RCP Oncologie pédiatrique Démo",
            facility=a.CHILDREN_HOSPITAL,
            system=c.URINARY_SYSTEM,
            organ=c.KIDNEY,
            question="Enfant opéré du rein gauche après 4 semaines de chimiothérapie. Quel traitement après "
            "l'opération, au vu du stade local et de l'histologie ?",
            requester=a.SURGEON,
            quorum=(a.PAEDIATRIC_ONCOLOGIST, a.SURGEON, a.RADIOTHERAPIST),
            guideline="Protocole Démo de traitement des tumeurs rénales de l'enfant, version 2024 (fictif)",
            guideline_date=-700,
            trial=True,
            exams=(
                Exam(
                    -110,
                    "Examen de la pièce opératoire (anatomopathologie)",
                    "Néphroblastome de risque intermédiaire, stade local II ; limites d'exérèse saines.",
                ),
                Exam(
                    -108,
                    "Radiographie du thorax et échographie abdominale",
                    "Pas de lésion à distance ; rein droit normal.",
                ),
            ),
        ),
    ),
    versions=(
        Version(
            date=-160,
            rcp_date=-162,
            handed_date=-158,
            phase=c.PHASE_INITIAL,
            phase_date=-165,
            status=c.STATUS_APPROVED,
            hidden=("INVISIBLE_REPRESENTANTS_LEGAUX",),
            document_comment="Version masquée aux représentants légaux par l'équipe soignante.",
            items=(
                treatment(
                    c.CHEMOTHERAPY,
                    "Chimiothérapie avant l'opération (vincristine, actinomycine D)",
                    planned_start=-150,
                    planned_end=-122,
                    rhythm="Une fois par semaine pendant 4 semaines",
                    route=c.INTRAVENOUS,
                    performer=a.PAEDIATRIC_ONCOLOGIST,
                    place=a.CHILDREN_HOSPITAL,
                ),
                treatment(
                    c.SURGERY,
                    "Ablation du rein gauche (néphrectomie)",
                    planned_start=-115,
                    planned_end=-115,
                    performer=a.SURGEON,
                    place=a.CHILDREN_HOSPITAL,
                ),
                *_CHILD_SUPPORT,
            ),
        ),
        Version(
            date=-100,
            rcp_date=-105,
            handed_date=-98,
            phase=c.PHASE_INITIAL,
            phase_date=-165,
            status=c.STATUS_APPROVED,
            reason=c.REASON_PROGRAMME,
            reason_detail="Après l'opération : chimiothérapie de 27 semaines adaptée au stade II.",
            items=(
                treatment(
                    c.CHEMOTHERAPY,
                    "Chimiothérapie avant l'opération (vincristine, actinomycine D)",
                    done=True,
                    start=-150,
                    end=-122,
                    route=c.INTRAVENOUS,
                    performer=a.PAEDIATRIC_ONCOLOGIST,
                    place=a.CHILDREN_HOSPITAL,
                ),
                treatment(
                    c.SURGERY,
                    "Ablation du rein gauche (néphrectomie)",
                    done=True,
                    start=-115,
                    end=-115,
                    performer=a.SURGEON,
                    place=a.CHILDREN_HOSPITAL,
                ),
                treatment(
                    c.CHEMOTHERAPY,
                    "Chimiothérapie après l'opération (27 semaines)",
                    start=-95,
                    planned_start=-95,
                    planned_end=94,
                    route=c.INTRAVENOUS,
                    rhythm="Chaque semaine pendant 10 semaines, puis toutes les 3 semaines",
                    performer=a.PAEDIATRIC_ONCOLOGIST,
                    place=a.CHILDREN_HOSPITAL,
                ),
                follow_up(
                    c.IMAGING,
                    "Échographie de l'abdomen et radiographie du thorax",
                    planned_start=-5,
                    planned_end=-5,
                    rhythm="Tous les 3 mois",
                    place=a.CHILDREN_HOSPITAL,
                ),
                *_CHILD_SUPPORT,
            ),
        ),
    ),
)

# ------------------------------------------------------------------------------------------------------------
# Thyroid — Inès IMAGINAIRE: thyroidectomy then radioiodine
# ------------------------------------------------------------------------------------------------------------
_THYROID_FOLLOW_UP = (
    follow_up(
        c.BIOLOGY,
        "Dosage de la thyroglobuline et de la TSH",
        planned_start=120,
        planned_end=120,
        rhythm="Tous les 6 mois",
        place=a.HEALTH_CENTRE,
    ),
    follow_up(
        c.IMAGING,
        "Échographie du cou",
        planned_start=300,
        planned_end=300,
        rhythm="Une fois par an",
        place=a.CANCER_CENTRE,
    ),
)

THYROID = Case(
    key="thyroid",
    summary="Thyroid cancer: thyroidectomy then radioiodine therapy; thyroglobulin and ultrasound follow-up.",
    patient=Patient(
        given="Inès",
        birth_family="IMAGINAIRE",
        gender=c.FEMALE,
        age=41,
        birthday_offset=15,
        ins_place="49007",
        ins_order="633",
        address=Address("30", "Rue du Calque", "49991", "VALFLEURI"),
        phone="0639980801",
        sub="p-73c1d8a2f5",
        login="ines",
    ),
    author=a.SURGEON,
    custodian=a.COORDINATION_CENTRE,
    contacts=a.common_contacts(a.CANCER_CENTRE, a.SURGEON, a.GP_ONE),
    diagnosis=Diagnosis(
        date=-140,
        topography=c.Code(c.CIM10, "C73", "Tumeur maligne de la thyroïde"),
        morphology=c.Code(c.CIMO3, "8260/3", "Adénocarcinome papillaire, SAI"),
        stage=tnm("I", "Stade I"),
        tnm_t=tnm("T2", "Tumeur de plus de 2 cm et jusqu'à 4 cm, limitée à la thyroïde"),
        tnm_n=tnm("N1a", "Métastases ganglionnaires du compartiment central"),
        tnm_m=tnm("M0", "Pas de métastase à distance"),
    ),
    versions=(
        Version(
            date=-130,
            rcp_date=-133,
            handed_date=-128,
            phase=c.PHASE_INITIAL,
            phase_date=-140,
            status=c.STATUS_APPROVED,
            items=(
                treatment(
                    c.SURGERY,
                    "Ablation totale de la thyroïde avec curage central",
                    planned_start=-120,
                    planned_end=-120,
                    performer=a.SURGEON,
                    place=a.HOSPITAL,
                ),
                treatment(
                    c.RADIOIODINE,
                    "Irathérapie (iode radioactif) : 3 jours en chambre protégée",
                    planned_start=-60,
                    planned_end=-58,
                    route=c.ORAL,
                    place=a.CANCER_CENTRE,
                    comment="Arrêter les aliments riches en iode 2 semaines avant.",
                ),
                treatment(
                    c.OTHER_TREATMENT,
                    "Traitement hormonal substitutif (lévothyroxine)",
                    planned_start=-119,
                    planned_end=3000,
                    route=c.ORAL,
                    at_home=True,
                    rhythm="1 comprimé chaque matin à jeun",
                ),
                *_THYROID_FOLLOW_UP,
            ),
        ),
        Version(
            date=-50,
            rcp_date=-133,
            handed_date=-48,
            phase=c.PHASE_INITIAL,
            phase_date=-140,
            status=c.STATUS_APPROVED,
            reason=c.REASON_CALENDAR,
            reason_detail="Irathérapie reportée de 3 semaines (disponibilité de la chambre protégée).",
            items=(
                treatment(
                    c.SURGERY,
                    "Ablation totale de la thyroïde avec curage central",
                    done=True,
                    start=-118,
                    end=-118,
                    performer=a.SURGEON,
                    place=a.HOSPITAL,
                ),
                treatment(
                    c.RADIOIODINE,
                    "Irathérapie (iode radioactif) : 3 jours en chambre protégée",
                    planned_start=-39,
                    planned_end=-37,
                    route=c.ORAL,
                    place=a.CANCER_CENTRE,
                    comment="Arrêter les aliments riches en iode 2 semaines avant.",
                ),
                treatment(
                    c.OTHER_TREATMENT,
                    "Traitement hormonal substitutif (lévothyroxine)",
                    start=-117,
                    planned_start=-117,
                    planned_end=3000,
                    route=c.ORAL,
                    at_home=True,
                    rhythm="1 comprimé chaque matin à jeun",
                ),
                *_THYROID_FOLLOW_UP,
            ),
        ),
    ),
)

# ------------------------------------------------------------------------------------------------------------
# Ovarian relapse — Nathalie HYPOTHÈSE: relapse phase, chemotherapy + targeted maintenance, MDPH
# ------------------------------------------------------------------------------------------------------------
OVARIAN = Case(
    key="ovarian",
    summary="Ovarian cancer relapse: chemotherapy then PARP-inhibitor maintenance; leaving sick leave (MDPH).",
    patient=Patient(
        given="Nathalie",
        birth_family="HYPOTHÈSE",
        used_family="TESTARD",
        gender=c.FEMALE,
        age=55,
        birthday_offset=230,
        ins_place="49007",
        ins_order="148",
        address=Address("18", "Boulevard de l'Essai", "49990", "VALFLEURI"),
        phone="0639980901",
        all_givens="Nathalie Anne",
        sub="p-58f0e3b7a1",
        login="nathalie",
    ),
    author=a.ONCOLOGIST,
    custodian=a.COORDINATION_CENTRE,
    contacts=(
        *a.common_contacts(a.CANCER_CENTRE, a.ONCOLOGIST, a.GP_ONE),
        Contact(
            "social_body", organisation=a.MDPH, professional=a.SOCIAL_WORKER, comment="https://mdph-demo.example.org"
        ),
    ),
    diagnosis=Diagnosis(
        date=-930,
        topography=c.Code(c.CIM10, "C56", "Tumeur maligne de l'ovaire"),
        laterality=c.RIGHT,
        morphology=c.Code(c.CIMO3, "8441/3", "Cystadénocarcinome séreux, SAI"),
        other_stage="FIGO IIIC au diagnostic initial",
    ),
    relatives=(Relative("friend", "Paule", "ESQUIVE", c.FRIEND, "0639980902", trusted_person=True),),
    rcp_reports=(
        RcpReport(
            -50,
            "Chimiothérapie carboplatine et doxorubicine liposomale (6 cures), puis traitement "
            "d'entretien par inhibiteur de PARP.",
            "Rechute péritonéale d'un cystadénocarcinome séreux de l'ovaire, 30 mois après la fin du "
            "traitement initial.",
            for_version=2,
            name="RCP Gynécologie Démo",
            facility=a.CANCER_CENTRE,
            system=c.FEMALE_GENITAL_SYSTEM,
            organ=c.OVARY,
            question="Rechute 30 mois après la fin de la chimiothérapie à base de platine. Quel traitement "
            "proposer, et faut-il un traitement d'entretien ?",
            requester=a.ONCOLOGIST,
            quorum=(a.ONCOLOGIST, a.SURGEON, a.RADIOTHERAPIST),
            guideline="Référentiel régional Démo des cancers de l'ovaire, version 2026 (fictif)",
            guideline_date=-240,
            exams=(
                Exam(-64, "Dosage du CA-125", "CA-125 à 180 UI/ml, en hausse régulière depuis 3 mois."),
                Exam(
                    -58,
                    "Scanner thoraco-abdomino-pelvien",
                    "Nodules péritonéaux de 15 à 20 mm ; ni foie ni poumons atteints.",
                ),
            ),
        ),
    ),
    versions=(
        Version(
            date=-900,
            rcp_date=-905,
            handed_date=-898,
            phase=c.PHASE_INITIAL,
            phase_date=-930,
            status=c.STATUS_CLOSED,
            items=(
                treatment(
                    c.SURGERY,
                    "Chirurgie de cytoréduction complète",
                    planned_start=-880,
                    planned_end=-880,
                    performer=a.SURGEON,
                    place=a.CANCER_CENTRE,
                ),
                treatment(
                    c.CHEMOTHERAPY,
                    "Chimiothérapie carboplatine et paclitaxel (6 cures)",
                    planned_start=-860,
                    planned_end=-755,
                    route=c.INTRAVENOUS,
                    rhythm="Toutes les 3 semaines",
                    performer=a.ONCOLOGIST,
                    place=a.CANCER_CENTRE,
                ),
            ),
        ),
        Version(
            date=-45,
            rcp_date=-50,
            handed_date=-43,
            phase=c.PHASE_RELAPSE,
            phase_date=-60,
            status=c.STATUS_APPROVED,
            reason=c.REASON_RELAPSE,
            progression=(c.PROGRESSION_REGIONAL,),
            phase_comment="Rechute péritonéale découverte sur la hausse du CA-125.",
            reason_detail="Rechute 30 mois après la fin du traitement initial.",
            items=(
                treatment(
                    c.SURGERY,
                    "Chirurgie de cytoréduction complète",
                    done=True,
                    start=-880,
                    end=-880,
                    performer=a.SURGEON,
                    place=a.CANCER_CENTRE,
                ),
                treatment(
                    c.CHEMOTHERAPY,
                    "Chimiothérapie carboplatine et paclitaxel (6 cures)",
                    done=True,
                    start=-860,
                    end=-755,
                    route=c.INTRAVENOUS,
                    performer=a.ONCOLOGIST,
                    place=a.CANCER_CENTRE,
                ),
                treatment(
                    c.CHEMOTHERAPY,
                    "Chimiothérapie carboplatine et doxorubicine liposomale (6 cures)",
                    start=-40,
                    planned_start=-40,
                    planned_end=100,
                    route=c.INTRAVENOUS,
                    rhythm="Toutes les 4 semaines",
                    performer=a.ONCOLOGIST,
                    place=a.CANCER_CENTRE,
                    side_effects="Fatigue, rougeurs des mains et des pieds, baisse des plaquettes.",
                ),
                treatment(
                    c.TARGETED_THERAPY,
                    "Traitement d'entretien par inhibiteur de PARP (niraparib)",
                    planned_start=115,
                    planned_end=845,
                    route=c.ORAL,
                    at_home=True,
                    rhythm="1 prise par jour",
                    performer=a.ONCOLOGIST,
                ),
                follow_up(
                    c.BIOLOGY,
                    "Dosage du CA-125 et prise de sang",
                    planned_start=-41,
                    planned_end=99,
                    rhythm="Avant chaque cure",
                    place=a.HEALTH_CENTRE,
                ),
                follow_up(
                    c.IMAGING,
                    "Scanner d'évaluation",
                    planned_start=50,
                    planned_end=50,
                    rhythm="Tous les 3 mois",
                    place=a.CANCER_CENTRE,
                ),
                social(
                    c.END_OF_SICK_LEAVE,
                    "Sortie de l'arrêt de travail avec la MDPH (RQTH, temps partiel)",
                    planned_start=20,
                    planned_end=140,
                    performer=a.SOCIAL_WORKER,
                    place=a.MDPH,
                    comment="Dossier de reconnaissance de la qualité de travailleur handicapé déposé.",
                ),
                supportive(
                    c.ADAPTED_PHYSICAL_ACTIVITY,
                    "Activité physique adaptée",
                    planned_start=-30,
                    planned_end=150,
                    rhythm="Une séance par semaine",
                    place=a.SUPPORT_SPACE,
                ),
            ),
        ),
    ),
)

# ------------------------------------------------------------------------------------------------------------
# PDF-only PPS (another platform publishes a PDF in a level-1 CDA) — Victor PSEUDO, melanoma
# ------------------------------------------------------------------------------------------------------------
PDF_ONLY = Case(
    key="pdf-only",
    summary="Melanoma; the platform only publishes a PDF PPS (CDA nonXMLBody).",
    patient=Patient(
        given="Victor",
        birth_family="PSEUDO",
        gender=c.MALE,
        age=49,
        birthday_offset=300,
        ins_place="49007",
        ins_order="777",
        address=Address("6", "Rue de l'Ébauche", "49992", "VALFLEURI"),
        phone="0639981001",
        sub="p-c93e6a0f48",
        login="victor",
    ),
    author=a.ONCOLOGIST,
    custodian=a.COORDINATION_CENTRE,
    contacts=a.common_contacts(a.HOSPITAL, a.ONCOLOGIST, a.GP_TWO),
    diagnosis=Diagnosis(
        date=-90,
        topography=c.Code(c.CIM10, "C43.5", "Mélanome malin du tronc"),
        morphology=c.Code(c.CIMO3, "8720/3", "Mélanome malin, SAI"),
        stage=tnm("IIIA", "Stade IIIA"),
    ),
    versions=(
        Version(
            date=-75,
            rcp_date=-80,
            handed_date=-73,
            phase=c.PHASE_INITIAL,
            phase_date=-90,
            status=c.STATUS_APPROVED,
            pdf_only=True,
            items=(
                treatment(
                    c.SURGERY,
                    "Reprise chirurgicale de la cicatrice",
                    done=True,
                    start=-85,
                    end=-85,
                    performer=a.SURGEON,
                    place=a.HOSPITAL,
                ),
                treatment(
                    c.IMMUNOTHERAPY,
                    "Immunothérapie adjuvante (nivolumab) pendant 1 an",
                    planned_start=-60,
                    planned_end=305,
                    rhythm="Une perfusion toutes les 4 semaines",
                    route=c.INTRAVENOUS,
                    performer=a.ONCOLOGIST,
                    place=a.HOSPITAL,
                ),
                follow_up(
                    c.CONSULTATION,
                    "Examen de la peau chez le dermatologue",
                    planned_start=30,
                    planned_end=30,
                    rhythm="Tous les 3 mois",
                ),
            ),
        ),
    ),
)

# ------------------------------------------------------------------------------------------------------------
# A patient with nothing yet — Rose ATTENTE (in the store, no PPS)
# ------------------------------------------------------------------------------------------------------------
NOTHING_YET = Case(
    key="nothing-yet",
    summary="A patient known to the store whose first PPS is not published yet.",
    patient=Patient(
        given="Rose",
        birth_family="ATTENTE",
        gender=c.FEMALE,
        age=66,
        birthday_offset=10,
        ins_place="49007",
        ins_order="901",
        address=Address("1", "Rue de l'Attente", "49990", "VALFLEURI"),
        phone="0639981101",
        sub="p-a0d4c7e19b",
        login="rose",
    ),
    author=a.ONCOLOGIST,
    custodian=a.COORDINATION_CENTRE,
    contacts=(),
    diagnosis=None,
    versions=(),
)

CASES: tuple[Case, ...] = (
    BREAST,
    COLON,
    LUNG,
    PROSTATE,
    LYMPHOMA,
    LARYNX,
    CHILD,
    THYROID,
    OVARIAN,
    PDF_ONLY,
    NOTHING_YET,
)


def case(key: str) -> Case:
    """The case with this key."""
    for candidate in CASES:
        if candidate.key == key:
            return candidate
    raise KeyError(key)


# ------------------------------------------------------------------------------------------------------------
# Demo sign-ins
# ------------------------------------------------------------------------------------------------------------
#: What each patient's sign-in demonstrates (the relatives' entries say it for themselves).
_SHOWS = {
    "breast": "A breast-cancer patient with three versions: the calendar changes (v2), then active treatment "
    "stops and follow-up starts (v3); a linked RCP report and a PDF of each version. Across regions: the "
    "Exemple-Nord store holds a Patient with her INS but another birth date (an identity error) and a kidney-cancer "
    "plan, which must never be shown to her.",
    "colon": "A colon-cancer patient whose second version stops oxaliplatin (programme readjusted); signs in at "
    "the low eIDAS level only (eidas1), which the portal must refuse.",
    "lung": "A metastatic lung-cancer patient: progression and targeted therapy (v2, genetics report referenced); "
    "v3 (palliative care) is hidden from the patient until the consultation, so v2 is what she sees.",
    "prostate": "A prostate-cancer patient under active surveillance; v2 only changes the GP (administrative). "
    "Across regions: diagnosed here, now treated in the Exemple-Nord region, whose store holds him under another id "
    "(same INS, name in capitals) with two versions of a newer plan (radiotherapy and hormone therapy), his "
    "daughter Agathe as caregiver and the nord coordinator Odile in his care team.",
    "lymphoma": "A 78-year-old lymphoma patient (R-CHOP, oncogeriatrics, home help) whose daughter helps her.",
    "larynx": "A larynx-cancer patient who refused surgery (v2: radio-chemotherapy instead).",
    "thyroid": "A thyroid-cancer patient: thyroidectomy then radioiodine, postponed in v2 (calendar change). "
    "Also the caregiver of her neighbour Henri Témoin, limited to the calendar, contacts and support: she chooses "
    "whose plan to see.",
    "ovarian": "An ovarian-cancer relapse: relapse phase, chemotherapy then maintenance, leaving sick leave with "
    "the MDPH, a linked RCP report. Across regions: she has moved to the Exemple-Nord region, whose store holds her "
    "current plan (newer than the home one; birth name written HYPOTHESE, without its accent).",
    "pdf-only": "A melanoma patient whose platform only publishes a PDF PPS (CDA nonXMLBody).",
    "nothing-yet": "A patient known to the store whose first care plan is not published yet.",
}
_RELATIVE_SHOWS = {
    "daughter": "The daughter and caregiver of Germaine Factice (lymphoma), with her own sign-in.",
    "mother": "A mother, legal representative of Léo Fantaisie (6, nephroblastoma): sees v2 and the RCP report; "
    "v1 is hidden from legal representatives.",
    "father": "A father, legal representative of Léo Fantaisie (6, nephroblastoma); same view as the mother.",
    "friend": "A friend who was the caregiver of Camille Exemple until 30 days ago: her link has ended, so she "
    "sees no plan.",
}
#: Sign-ins the data set supports without a case of its own (from demo/accounts.json).
_OTHER_ACCOUNTS: tuple[dict[str, str], ...] = (
    {
        "login": "alex",
        "password": "demo-alex",
        "idp": "patient",
        "role": "patient",
        "name": "Alex Sansdossier",
        "given_name": "Alex",
        "family_name": "Sansdossier",
        "birthdate": "1990-06-15",
        "sub": "p-5d0c9e3a17",
        "acr": "eidas2",
        "shows": "A person who signs in correctly but is linked to no patient in the store yet (nothing to show).",
    },
)
#: Subs that must resolve to nobody in the store (a signed-in person with no file yet).
UNLINKED_SUBS = frozenset(account["sub"] for account in _OTHER_ACCOUNTS)
#: Sign-ins at a lower eIDAS level than the portal requires (to show the refusal).
_ACR = {"dominique": "eidas1"}


def demo_accounts(reference_date: dt.date | None = None) -> list[dict[str, str]]:
    """Every sign-in this data set supports, in the shape of demo/accounts.json (login, password, idp, role,
    name, given_name, family_name, birthdate, sub, acr, shows; `rpps` for the coordinator)."""
    reference = reference_date or DEFAULT_REFERENCE_DATE
    accounts: list[dict[str, str]] = []
    for entry in CASES:
        patient = entry.patient
        if patient.sub and patient.login:
            family = (patient.used_family or patient.birth_family).title()
            accounts.append(
                {
                    "login": patient.login,
                    "password": f"demo-{patient.login}",
                    "idp": "patient",
                    "role": "patient",
                    "name": f"{patient.given} {family}",
                    "given_name": patient.given,
                    "family_name": family,
                    "birthdate": patient.birth_date(reference).isoformat(),
                    "sub": patient.sub,
                    "acr": _ACR.get(patient.login, "eidas2"),
                    "shows": _SHOWS[entry.key],
                }
            )
        for relative in entry.relatives:
            if relative.sub and relative.login:
                accounts.append(
                    {
                        "login": relative.login,
                        "password": f"demo-{relative.login}",
                        "idp": "patient",
                        "role": "representative" if relative.guardian else "caregiver",
                        "name": f"{relative.given} {relative.family.title()}",
                        "given_name": relative.given,
                        "family_name": relative.family.title(),
                        "sub": relative.sub,
                        "acr": "eidas2",
                        "shows": _RELATIVE_SHOWS[relative.key],
                    }
                )
    accounts.extend(dict(account) for account in _OTHER_ACCOUNTS)
    coordinator = a.COORDINATOR
    assert coordinator.rpps is not None
    accounts.append(
        {
            "login": "claire",
            "password": "demo-claire",
            "idp": "pro",
            "role": "coordinator",
            "name": f"{coordinator.given} {coordinator.family.title()}",
            "given_name": coordinator.given,
            "family_name": coordinator.family.title(),
            "sub": "s-8e21f4a0b6",
            "acr": "eidas1",
            "rpps": coordinator.rpps,
            "shows": "A care coordinator (3C nurse) in the care team of every synthetic patient, previewing what "
            "they see.",
        }
    )
    former = a.FORMER_COORDINATOR
    assert former.rpps is not None
    accounts.append(
        {
            "login": "yann",
            "password": "demo-yann",
            "idp": "pro",
            "role": "coordinator",
            "name": f"{former.given} {former.family.title()}",
            "given_name": former.given,
            "family_name": former.family.title(),
            "sub": "s-3b7d90c5e2",
            "acr": "eidas1",
            "rpps": former.rpps,
            "shows": "A care coordinator who left Camille Exemple's care team 60 days ago: in no care team now, "
            "so he can preview nobody.",
        }
    )
    # The sign-ins only another region's store supports (regions.py builds on these cases, hence imported here).
    from synthetic.regions import region_accounts

    accounts.extend(region_accounts())
    return accounts
