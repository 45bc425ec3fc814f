"""The fictional care organisations and professionals shared by the synthetic cases (see `cases.py`).

Names are obviously fictional ("Exemple", "Fictif", "Démo"); telephone numbers use the ranges the French
regulator (ARCEP) keeps for fiction (01 99 00…, 02 61 91…, 06 39 98…); RPPS and FINESS numbers are made up.
"""

from __future__ import annotations

from synthetic import codes as c
from synthetic.spec import Address, Contact, Organisation, Professional

# --- Organisations ----------------------------------------------------------------------------------------
HOSPITAL = Organisation(
    key="hospital",
    name="Centre hospitalier Démo de Valfleuri",
    address=Address("12", "Rue de l'Exemple", "49990", "VALFLEURI"),
    phone="0199001000",
    finess="499990001",
)
CANCER_CENTRE = Organisation(
    key="cancer-centre",
    name="Institut de cancérologie Fictif",
    address=Address("3", "Boulevard du Modèle", "49991", "VALFLEURI"),
    phone="0199002000",
    finess="499990002",
)
CHILDREN_HOSPITAL = Organisation(
    key="children-hospital",
    name="Hôpital d'enfants Démo",
    address=Address("8", "Allée des Essais", "49992", "VALFLEURI"),
    phone="0199003000",
    finess="499990003",
)
COORDINATION_CENTRE = Organisation(
    key="3c",
    name="3C Démo Valfleuri (centre de coordination en cancérologie)",
    address=Address("12", "Rue de l'Exemple", "49990", "VALFLEURI"),
    phone="0199001100",
    finess="499990010",
)
PHARMACY = Organisation(
    key="pharmacy",
    name="Pharmacie Fictive du Marché",
    address=Address("5", "Place du Marché Fictif", "49990", "VALFLEURI"),
    phone="0261910500",
    finess="499990020",
)
HEALTH_CENTRE = Organisation(
    key="health-centre",
    name="Maison de santé Exemple",
    address=Address("9", "Rue Témoin", "49993", "SAINT-FICTIF"),
    phone="0261910900",
    finess="499990030",
)
REGIONAL_NETWORK = Organisation(
    key="rrc",
    name="Réseau régional de cancérologie Démo",
    address=Address("50", "Route du Spécimen", "49994", "VALFLEURI CEDEX"),
    phone="0199004000",
)
MDPH = Organisation(
    key="mdph",
    name="Maison départementale des personnes handicapées (MDPH) Démo",
    address=Address("21", "Rue de l'Essai", "49990", "VALFLEURI"),
    phone="0199005000",
    finess="499990040",
)
SUPPORT_SPACE = Organisation(
    key="support-space",
    name="Espace de rencontres et d'information Fictif",
    address=Address("25", "Rue David-Exemple", "49990", "VALFLEURI"),
    phone="0199006000",
)
SOCIAL_SERVICE = Organisation(
    key="social-service",
    name="Service social de la Ville Démo",
    address=Address("1", "Place de la Mairie Démo", "49990", "VALFLEURI"),
    phone="0199007000",
)
HOME_HOSPITAL = Organisation(
    key="home-hospital",
    name="Hospitalisation à domicile Exemple",
    address=Address("4", "Impasse du Prototype", "49990", "VALFLEURI"),
    phone="0199008000",
    finess="499990050",
)
SCHOOL_SERVICE = Organisation(
    key="school-service",
    name="Service d'assistance pédagogique à domicile Démo",
    address=Address("2", "Rue des Écoliers Fictifs", "49990", "VALFLEURI"),
    phone="0199009000",
)

# --- Professionals ----------------------------------------------------------------------------------------
ONCOLOGIST = Professional(
    "onco-exemplaire", "Jeanne", "EXEMPLAIRE", "DR", c.ONCOLOGIST, "0199001001", HOSPITAL, rpps="10000000011"
)
RADIOTHERAPIST = Professional(
    "radio-maquette",
    "Marc",
    "MAQUETTE",
    "DR",
    c.RADIOTHERAPIST,
    "0199002001",
    CANCER_CENTRE,
    rpps="10000000029",
)
SURGEON = Professional(
    "chir-ebauche",
    "Inès",
    "ÉBAUCHE",
    "DR",
    c.Code(c.RPPS_PROFESSION, "G15_10/SM54", "Médecin - Chirurgie générale (SM)"),
    "0199001002",
    HOSPITAL,
    rpps="10000000037",
)
PAEDIATRIC_ONCOLOGIST = Professional(
    "pedonco-croquis",
    "Hugo",
    "CROQUIS",
    "DR",
    c.Code(c.RPPS_PROFESSION, "G15_10/SM40", "Médecin - Pédiatrie (SM)"),
    "0199003001",
    CHILDREN_HOSPITAL,
    rpps="10000000045",
)
GERIATRICIAN = Professional(
    "geriatre-esquisse",
    "Paul",
    "ESQUISSE",
    "DR",
    c.Code(c.RPPS_PROFESSION, "G15_10/SM53", "Médecin - Gériatrie (SM)"),
    "0199001003",
    HOSPITAL,
    rpps="10000000052",
)
GP_ONE = Professional(
    "mg-generique",
    "Sophie",
    "GÉNÉRIQUE",
    "DR",
    c.GENERAL_PRACTITIONER,
    "0261910901",
    HEALTH_CENTRE,
    rpps="10000000060",
)
GP_TWO = Professional(
    "mg-proto",
    "Louis",
    "PROTO",
    "DR",
    c.GENERAL_PRACTITIONER,
    "0261910902",
    HEALTH_CENTRE,
    rpps="10000000078",
)
PHARMACIST = Professional(
    "pharma-brouillon", "Nadia", "BROUILLON", "MME", c.PHARMACIST, "0261910501", PHARMACY, rpps="10000000086"
)
#: The demo care coordinator (infirmière de coordination, 3C) who previews every plan: the pro sign-in
#: "claire" of demo/accounts.json, same RPPS.
COORDINATOR = Professional(
    "claire",
    "Claire",
    "MODELE",
    "MME",
    c.NURSE,
    "0199001101",
    COORDINATION_CENTRE,
    rpps="10001234567",
)
#: A coordinator who left the 3C: in Camille's care team until 60 days before the reference date, in no team
#: now (the pro sign-in "yann" of demo/accounts.json: a coordinator of nobody).
FORMER_COORDINATOR = Professional(
    "yann",
    "Yann",
    "PRÉCÉDENT",
    "M",
    c.NURSE,
    "0199001102",
    COORDINATION_CENTRE,
    rpps="10009876543",
)
DIETITIAN = Professional(
    "dieteticienne-calque",
    "Julie",
    "CALQUE",
    "MME",
    c.Code(c.RPPS_PROFESSION, "G15_86", "Diététicien"),
    "0199001004",
    HOSPITAL,
)
SOCIAL_WORKER = Professional("as-pastiche", "Karim", "PASTICHE", "M", c.SOCIAL_WORKER, "0199007001", SOCIAL_SERVICE)
TOBACCO_SPECIALIST = Professional(
    "tabaco-simulacre",
    "Léa",
    "SIMULACRE",
    "DR",
    c.Code(c.RPPS_PROFESSION, "G15_10/SM26", "Médecin - Qualifié en Médecine Générale (SM)"),
    "0199001005",
    HOSPITAL,
    rpps="10000000102",
)

# --- Contacts most plans share ----------------------------------------------------------------------------


def common_contacts(reference: Organisation, physician: Professional, gp: Professional) -> tuple[Contact, ...]:
    """Reference hospital and physician, GP, 3C with the coordinator, pharmacist, regional network."""
    return (
        Contact("reference_hospital", organisation=reference, comment="Établissement qui coordonne vos soins"),
        Contact("care_team", professional=physician, organisation=reference, comment="Médecin référent"),
        Contact("gp", professional=gp, comment="Votre médecin traitant"),
        Contact(
            "coordination_centre",
            organisation=COORDINATION_CENTRE,
            professional=COORDINATOR,
            comment="Infirmière de coordination : du lundi au vendredi, 9 h – 17 h",
        ),
        Contact("local_professional", professional=PHARMACIST, organisation=PHARMACY),
        Contact(
            "regional_network",
            organisation=REGIONAL_NETWORK,
            comment="https://rrc-demo.example.org/parcours-de-soins",
        ),
    )
