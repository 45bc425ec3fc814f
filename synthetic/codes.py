"""Code systems and coded concepts the synthetic data generator writes into documents and the FHIR bundle.

Every concept here is a real one from the CI-SIS value sets (`../shared/reference/ci-sis/jdv/`) or from the
terminologies the official CANCER-PPS 2022.01 example uses; the generator never invents a code.
"""

from __future__ import annotations

from typing import NamedTuple


class Code(NamedTuple):
    """A coded concept: code system OID, code, display name."""

    system: str
    code: str
    display: str


# --- Code systems (OIDs as written in CDA) -------------------------------------------------------------
LOINC = "2.16.840.1.113883.6.1"
SNOMED = "2.16.840.1.113883.6.96"
NCIT = "2.16.840.1.113883.3.26.1.1"
TA_ASIP = "1.2.250.1.213.1.1.4.322"
CIM10 = "2.16.840.1.113883.6.3"
CIMO3 = "2.16.840.1.113883.6.43.1"
TNM = "2.16.840.1.113883.15.6"
EDQM = "0.4.0.127.0.16.1.1.2.1"
ROLE_CODE = "2.16.840.1.113883.5.111"
GENDER = "2.16.840.1.113883.5.1"
RPPS_PROFESSION = "1.2.250.1.213.1.1.4.5"
PARTICIPATION_FUNCTION = "2.16.840.1.113883.5.88"
TEAM_MEMBER_SYSTEM = "1.2.250.1.213.1.6.1.107"
CORRESPONDENT_SYSTEM = "1.2.250.1.213.1.1.4.2.280"
INSEE_PCS = "1.2.250.1.213.2.13"

# --- Identifier systems ---------------------------------------------------------------------------------
INS_TEST = "1.2.250.1.213.1.4.10"
RPPS = "1.2.250.1.71.4.2.1"
FINESS = "1.2.250.1.71.4.2.2"
#: Fictional root of referenced documents that are not in the store (genetics reports, RCP reports).
EXTERNAL_ROOT = "2.25.158321066453101920391405826131302858193"

# --- Document level -------------------------------------------------------------------------------------
PPS_TEMPLATE = "1.2.250.1.213.1.1.1.26"
FRCP_TEMPLATE = "1.2.250.1.213.1.1.1.8"
DOC_PPS = Code(LOINC, "18776-5", "Plan personnalisé de soins")
DOC_FRCP = Code(LOINC, "34794-8", "CR de réunion de concertation pluridisciplinaire")
PPS_FORMAT = "urn:asip:ci-sis:pps-cancer:2017"
FRCP_FORMAT = "urn:asip:ci-sis:frcp:2011"

# --- Gender, relationships (HL7 v3 RoleCode) ------------------------------------------------------------
FEMALE = Code(GENDER, "F", "Féminin")
MALE = Code(GENDER, "M", "Masculin")
DAUGHTER = Code(ROLE_CODE, "DAU", "Fille")
SON = Code(ROLE_CODE, "SON", "Fils")
MOTHER = Code(ROLE_CODE, "MTH", "Mère")
FATHER = Code(ROLE_CODE, "FTH", "Père")
SPOUSE = Code(ROLE_CODE, "SPS", "Conjoint")
SISTER = Code(ROLE_CODE, "SIS", "Soeur")
FRIEND = Code(ROLE_CODE, "FRND", "Ami(e)")

# --- Professions (RPPS profession / speciality, as in the official example) -----------------------------
ONCOLOGIST = Code(RPPS_PROFESSION, "G15_10/SM36", "Médecin - Oncologie, opt médicale (SM)")
RADIOTHERAPIST = Code(RPPS_PROFESSION, "G15_10/SM45", "Médecin - Radio-thérapie (SM)")
GENERAL_PRACTITIONER = Code(RPPS_PROFESSION, "G15_10/SM26", "Médecin - Qualifié en Médecine Générale (SM)")
PHARMACIST = Code(RPPS_PROFESSION, "G15_21/A", "Pharmacien titulaire d'officine")
NURSE = Code(RPPS_PROFESSION, "G15_60", "Infirmier")
SOCIAL_WORKER = Code(INSEE_PCS, "434b", "Assistant (e) de service social")

# --- Sections and entries (TA_ASIP / LOINC) -------------------------------------------------------------
TREATMENT = Code(TA_ASIP, "MED-568", "Traitement")
SIDE_EFFECT_MANAGEMENT = Code(
    TA_ASIP, "MED-569", "Action de prévention et de gestion médicamenteuse des effets secondaires"
)
ASSOCIATED_MEASURE = Code(TA_ASIP, "MED-570", "Mesure associée")
FOLLOW_UP = Code(TA_ASIP, "MED-571", "Suivi")
SUPPORTIVE_CARE = Code(TA_ASIP, "MED-572", "Soin oncologique de support")
SOCIAL_SUPPORT = Code(TA_ASIP, "MED-573", "Accompagnement social ou socioprofessionnel")
STOP_ACTIVE = Code(TA_ASIP, "MED-052", "Arrêt de tous les traitements actifs")
PLANNED_DATES = Code(TA_ASIP, "GEN-177", "Date(s) prévisionnelle(s)")
RHYTHM = Code(TA_ASIP, "ORG-004", "Rythme")
ROUTE = Code(TA_ASIP, "ORG-006", "Mode")
SIDE_EFFECTS = Code(TA_ASIP, "MED-565", "Effets secondaires")
COMMENT = Code(LOINC, "48767-8", "Commentaire")
PAEDIATRICS = Code(TA_ASIP, "ORG-116", "Pédiatrie")
SCREENING = Code(LOINC, "63921-1", "Dépistage du cancer")
PHASE = Code(TA_ASIP, "MED-243", "Phase du cancer")
PROGRESSION = Code(TA_ASIP, "MED-245", "Progression du cancer")
DOC_STATUS = Code(TA_ASIP, "GEN-065", "Statut du document")
UPDATE_REASON = Code(TA_ASIP, "GEN-037", "Motif de mise à jour")
RCP_DATE = Code(TA_ASIP, "ORG-189", "Date de la RCP")
HANDED_DATE = Code(TA_ASIP, "GEN-178", "Date de remise du document au patient")
WEIGHT = Code(LOINC, "29463-7", "Poids")
TOBACCO = Code(LOINC, "74011-8", "Consommation tabagique")
ALCOHOL = Code(LOINC, "74013-4", "Consommation d’alcool")

# --- JDV_TypeTraitementPPS_CISIS ------------------------------------------------------------------------
SURGERY = Code(SNOMED, "387713003", "intervention chirurgicale")
RADIOTHERAPY = Code(NCIT, "C15313", "radiothérapie")
BRACHYTHERAPY = Code(NCIT, "C15195", "curiethérapie")
CHEMOTHERAPY = Code(NCIT, "C15632", "chimiothérapie")
TARGETED_THERAPY = Code(NCIT, "C93352", "thérapie ciblée")
HORMONE_THERAPY = Code(NCIT, "C15445", "hormonothérapie")
IMMUNOTHERAPY = Code(NCIT, "C15262", "immunothérapie")
INTERVENTIONAL_RADIOLOGY = Code(NCIT, "C63334", "Radiologie interventionnelle")
INTERVENTIONAL_ENDOSCOPY = Code(NCIT, "C157891", "endoscopie interventionnelle")
THERAPEUTIC_WINDOW = Code(TA_ASIP, "MED-556", "Fenêtre thérapeutique")
WATCHFUL_WAITING = Code(TA_ASIP, "MED-226", "Surveillance seule")
ACTIVE_SURVEILLANCE = Code(TA_ASIP, "MED-227", "Surveillance active")
RADIOIODINE = Code(TA_ASIP, "MED-232", "Irathérapie")
TRANSPLANT = Code(TA_ASIP, "MED-126", "Allogreffe / Autogreffe")
OTHER_TREATMENT = Code(TA_ASIP, "GEN-092.03.01", "Autre(s) traitement(s)")
TREATMENT_TYPES = (
    SURGERY,
    RADIOTHERAPY,
    BRACHYTHERAPY,
    CHEMOTHERAPY,
    TARGETED_THERAPY,
    HORMONE_THERAPY,
    IMMUNOTHERAPY,
    INTERVENTIONAL_RADIOLOGY,
    INTERVENTIONAL_ENDOSCOPY,
    THERAPEUTIC_WINDOW,
    WATCHFUL_WAITING,
    ACTIVE_SURVEILLANCE,
    RADIOIODINE,
    TRANSPLANT,
    OTHER_TREATMENT,
)

# --- JDV_GestionEffetsSecondaires_CISIS -----------------------------------------------------------------
GROWTH_FACTOR = Code(NCIT, "C20427", "facteur de croissance hématopoïétique")
OTHER_SIDE_EFFECT_MANAGEMENT = Code(TA_ASIP, "GEN-092.04.12", "Autre gestion des effets secondaires")
SIDE_EFFECT_TYPES = (GROWTH_FACTOR, OTHER_SIDE_EFFECT_MANAGEMENT)

# --- JDV_MesuresAssociees_CISIS -------------------------------------------------------------------------
NEUROCOGNITIVE = Code(TA_ASIP, "ORG-007", "Prise en charge des conséquences neurocognitives et endocriniennes")
BRAIN_TUMOUR_CONSEQUENCES = Code(
    TA_ASIP, "ORG-171", "Prise en charge des conséquences des tumeurs cérébrales et de leurs traitements"
)
CONTRACEPTION = Code(TA_ASIP, "MED-555", "Contraception")
ONCOGERIATRICS = Code(TA_ASIP, "ORG-001", "Prise en charge spécifique en oncogériatrie")
OTHER_MEASURE = Code(TA_ASIP, "GEN-092.04.11", "Autre mesure")
MEASURE_TYPES = (NEUROCOGNITIVE, BRAIN_TUMOUR_CONSEQUENCES, CONTRACEPTION, ONCOGERIATRICS, OTHER_MEASURE)

# --- JDV_TypeDeSuivi_CISIS ------------------------------------------------------------------------------
BIOLOGY = Code(TA_ASIP, "MED-091", "Examen de biologie")
IMAGING = Code(TA_ASIP, "MED-092", "Examen d’imagerie médicale")
CONSULTATION = Code(SNOMED, "11429006", "consultation")
OTHER_FOLLOW_UP = Code(TA_ASIP, "GEN-092.04.06", "Autre type de suivi")
FOLLOW_UP_TYPES = (BIOLOGY, IMAGING, CONSULTATION, OTHER_FOLLOW_UP)

# --- JDV_SoinsOncoDeSupport_CISIS -----------------------------------------------------------------------
PAIN = Code(TA_ASIP, "ORG-035", "Traitement de la douleur")
NUTRITION = Code(TA_ASIP, "ORG-036", "Prise en charge diététique et nutritionnelle")
SCHOOLING = Code(TA_ASIP, "ORG-174", "Continuité de la scolarité")
ADAPTED_PHYSICAL_ACTIVITY = Code(TA_ASIP, "ORG-175", "Activité physique adaptée")
LIFESTYLE = Code(TA_ASIP, "ORG-176", "Conseil d’hygiène de vie")
RELATIVES_SUPPORT = Code(
    TA_ASIP, "ORG-037", "Soutien psychologique des proches et des aidants des personnes atteintes de cancer"
)
FERTILITY = Code(TA_ASIP, "MED-051", "Soutien à la mise en oeuvre de la préservation de la fertilité")
SMOKING_CESSATION = Code(TA_ASIP, "MED-562", "Soutien au sevrage tabagique")
ALCOHOL_CESSATION = Code(TA_ASIP, "MED-563", "Soutien au sevrage alcoolique")
OTHER_ADDICTION_CESSATION = Code(TA_ASIP, "MED-564", "Soutien au sevrage (autre addiction)")
OTHER_SUPPORTIVE = Code(TA_ASIP, "GEN-092.04.07", "Autre soins de support")
SUPPORTIVE_TYPES = (
    PAIN,
    NUTRITION,
    SCHOOLING,
    ADAPTED_PHYSICAL_ACTIVITY,
    LIFESTYLE,
    RELATIVES_SUPPORT,
    FERTILITY,
    SMOKING_CESSATION,
    ALCOHOL_CESSATION,
    OTHER_ADDICTION_CESSATION,
    OTHER_SUPPORTIVE,
)

# --- JDV_TypeAccompagnementSocioPro_CISIS ---------------------------------------------------------------
HOME_HELP = Code(TA_ASIP, "PAT-024", "Aide à domicile")
END_OF_SICK_LEAVE = Code(TA_ASIP, "PAT-026", "Sortie de l’arrêt de travail (invalidité, retraite, médecine du travail)")
RETURN_TO_WORK = Code(TA_ASIP, "PAT-027", "Reprise du poste ou réinsertion professionnelle")
OTHER_SOCIAL = Code(TA_ASIP, "GEN-092.04.08", "Autre type d'accompagnement socioprofessionnel")
SOCIAL_TYPES = (HOME_HELP, END_OF_SICK_LEAVE, RETURN_TO_WORK, OTHER_SOCIAL)

# --- JDV_ModeAdministration_CISIS (EDQM) ----------------------------------------------------------------
INTRAMUSCULAR = Code(EDQM, "20035000", "Voie intramusculaire")
INTRADERMAL = Code(EDQM, "20030000", "Voie intradermique")
INTRAVENOUS = Code(EDQM, "20045000", "Voie intraveineuse")
SUBCUTANEOUS = Code(EDQM, "20066000", "Voie sous-cutanée")
ORAL = Code(EDQM, "20053000", "Voie orale")
OTHER_ROUTE = Code(EDQM, "20062000", "Autre(s)")
ROUTES = (INTRAMUSCULAR, INTRADERMAL, INTRAVENOUS, SUBCUTANEOUS, ORAL, OTHER_ROUTE)

# --- JDV_MotifMiseAJour_CISIS ---------------------------------------------------------------------------
REASON_RELAPSE = Code(SNOMED, "263855007", "rechute")
REASON_NO_RESPONSE = Code(TA_ASIP, "MED-103", "Non réponse ou évolution sous traitement")
REASON_REFUSAL = Code(TA_ASIP, "MED-104", "Refus de traitement")
REASON_PALLIATIVE = Code(TA_ASIP, "MED-105", "Décision de prise en soins palliatifs")
REASON_THERAPEUTIC_WINDOW = Code(TA_ASIP, "MED-556", "Fenêtre thérapeutique")
REASON_PROGRAMME = Code(TA_ASIP, "MED-560", "Réajustement du programme thérapeutique et de suivi")
REASON_SUPPORTIVE = Code(TA_ASIP, "MED-561", "Réajustement des soins de support et accompagnements")
REASON_ADMINISTRATIVE = Code(TA_ASIP, "GEN-175", "Modification d’informations administratives")
REASON_CALENDAR = Code(TA_ASIP, "GEN-176", "Modification de calendrier")
REASON_OTHER = Code(TA_ASIP, "GEN-092.08.02", "Autre motif de mise à jour")
UPDATE_REASONS = (
    REASON_RELAPSE,
    REASON_NO_RESPONSE,
    REASON_REFUSAL,
    REASON_PALLIATIVE,
    REASON_THERAPEUTIC_WINDOW,
    REASON_PROGRAMME,
    REASON_SUPPORTIVE,
    REASON_ADMINISTRATIVE,
    REASON_CALENDAR,
    REASON_OTHER,
)

# --- JDV_StatutDoc_CISIS, JDV_PhaseCancer_CISIS, JDV_ProgressionCancer_CISIS ----------------------------
STATUS_IN_PROGRESS = Code(SNOMED, "385651009", "en cours d'exécution")
STATUS_DONE = Code(SNOMED, "398166005", "réalisé")
STATUS_APPROVED = Code(SNOMED, "9571008", "approuvé")
STATUS_CLOSED = Code(SNOMED, "29179001", "clôturé")
DOC_STATUSES = (STATUS_IN_PROGRESS, STATUS_DONE, STATUS_APPROVED, STATUS_CLOSED)
PHASE_INITIAL = Code(TA_ASIP, "MED-268", "Phase initiale du cancer")
PHASE_RELAPSE = Code(TA_ASIP, "MED-244", "Rechute du cancer")
PROGRESSION_LOCAL = Code(TA_ASIP, "MED-246", "Progression locale du cancer")
PROGRESSION_REGIONAL = Code(TA_ASIP, "MED-247", "Progression régionale du cancer")
PROGRESSION_DISTANT = Code(TA_ASIP, "MED-248", "Progression à distance du cancer")
PROGRESSIONS = (PROGRESSION_LOCAL, PROGRESSION_REGIONAL, PROGRESSION_DISTANT)

# --- Laterality (JDV_ModificateurTopographique_CISIS, SNOMED CT) ----------------------------------------
RIGHT = Code(SNOMED, "24028007", "droit")
LEFT = Code(SNOMED, "7771000", "gauche")

# --- Useful contacts: participant roles (TA_ASIP translation of the functionCode) -----------------------
ROLE_REFERENCE_HOSPITAL = Code(TA_ASIP, "ORG-177", "Etablissement de santé de référence")
ROLE_COORDINATION_CENTRE = Code(TA_ASIP, "ORG-190", "Centre de coordination de cancérologie (3C)")
ROLE_LOCAL_PROFESSIONAL = Code(TA_ASIP, "ORG-178", "Structure et professionnels de proximité impliqués dans les soins")
ROLE_HEALTH_MEDIATOR = Code(
    TA_ASIP,
    "ORG-188",
    "Structures et professionnels de proximité impliqués dans les soins - Médiateur de santé",
)
ROLE_CITY_HOSPITAL = Code(TA_ASIP, "ORG-179", "Structure de coordination ou d'interface ville-hôpital")
ROLE_REGIONAL_NETWORK = Code(TA_ASIP, "ORG-191", "Réseau régional de cancérologie (RRC)")
ROLE_SOCIAL_BODY = Code(TA_ASIP, "ORG-180", "Organisme social et de maintien dans l'emploi")
ROLE_SUPPORT_STRUCTURE = Code(TA_ASIP, "ORG-181", "Structure de soutien et d'information")
TEAM_MEMBER = Code(TEAM_MEMBER_SYSTEM, "353", "Membre de l'équipe de soins")
CORRESPONDENT = Code(CORRESPONDENT_SYSTEM, "CORRE", "Correspondant")
GP_FUNCTION = Code(PARTICIPATION_FUNCTION, "PCP", "Médecin Traitant")

# --- RCP report (FRCP): the meeting, its reason, its file, its framework ------------------------------------
RCP_EVENT = Code("1.2.250.1.213.3.3.13", "39", "Réunion de Concertation Pluridisciplinaire (RCP)")
RCP_NATURE = Code(TA_ASIP, "GEN-098", "Nature de la discussion")
RCP_ORGANS = Code(TA_ASIP, "ORG-117", "RCP Appareil - Organes")
RCP_SYSTEM = Code(TA_ASIP, "ORG-118", "Appareil concerné")
RCP_ORGAN = Code(TA_ASIP, "ORG-119", "Organe")
RCP_RECOURSE = Code(TA_ASIP, "ORG-184", "RCP de recours")
RCP_PAEDIATRIC = Code(TA_ASIP, "ORG-185", "RCP pédiatrique")
RCP_MOTIVE = Code(TA_ASIP, "ORG-186", "Motif de la RCP")
DIAGNOSTIC_OPINION = Code(TA_ASIP, "MED-235", "Avis diagnostique")
TREATMENT_PROPOSAL = Code(TA_ASIP, "ORG-114", "Proposition de traitement (dont ajustement et surveillance)")
RECOURSE = Code(TA_ASIP, "ORG-115", "Recours")
CASE_STATUS = Code(TA_ASIP, "ORG-127", "Statut du cas présenté")
CASE_DISCUSSED = Code(TA_ASIP, "ORG-134", "Cas discuté")
PROBLEM = Code(SNOMED, "55607006", "problème")
RCP_INFORMATION = Code(TA_ASIP, "GEN-099", "Information RCP")
FILE_COMPLETE = Code(TA_ASIP, "GEN-100", "Dossier complet")
QUORUM = Code(TA_ASIP, "ORG-125", "Quorum RCP")
QUORUM_REACHED = Code(TA_ASIP, "ORG-126", "Quorum atteint")
GUIDELINE = Code(TA_ASIP, "MED-249", "Recommandation/référentiel de pratique clinique")
TRIAL_PROPOSED = Code(TA_ASIP, "MED-250", "Proposition d'inclusion dans un essai clinique")
#: JDV_TypeTraitement_FRCP_CISIS writes hormone therapy with another NCIt code than the PPS value set.
HORMONE_THERAPY_FRCP = Code(NCIT, "C547", "Hormonothérapie")

# --- JDV_RCP_Appareil_CISIS / JDV_RCP_Organe_CISIS ----------------------------------------------------------
BREAST = Code(SNOMED, "76752008", "sein")
URINARY_SYSTEM = Code(SNOMED, "122489005", "système urinaire")
KIDNEY = Code(SNOMED, "64033007", "rein")
FEMALE_GENITAL_SYSTEM = Code(SNOMED, "53065001", "appareil génital féminin")
OVARY = Code(SNOMED, "15497006", "ovaire")

# --- Identifier systems of the RCP (encompassingEncounter ids) ----------------------------------------------
RRC_ID = "1.2.250.1.161.1.20.1.1"
RCP_MANAGER_ID = "1.2.250.1.161.1.20.2.1"
RCP_ID = "1.2.250.1.161.1.20.3.1"
