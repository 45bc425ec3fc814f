"""The CI-SIS value sets of the CANCER-PPS model as one table: (system, code) → kind and official display, for the
`pps` step (and for `plain`, to pick plain words per kind)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "CONCEPTS",
    "EDQM",
    "LOINC",
    "NCIT",
    "SNOMED_CT",
    "TA_ASIP",
    "VALUE_SETS",
    "CodeKind",
    "Concept",
    "ValueSet",
    "concepts_of",
    "kinds_of",
    "lookup",
    "official_display",
]

TA_ASIP = "1.2.250.1.213.1.1.4.322"
"""Terminologie ASIP-Santé (codes MED-…, ORG-…, GEN-…, PAT-…)."""
LOINC = "2.16.840.1.113883.6.1"
SNOMED_CT = "2.16.840.1.113883.6.96"
NCIT = "2.16.840.1.113883.3.26.1.1"
EDQM = "0.4.0.127.0.16.1.1.2.1"


class CodeKind(StrEnum):
    """What a value-set code names (the value set it comes from)."""

    TREATMENT_TYPE = "treatment_type"  # JDV_TypeTraitementPPS_CISIS: type de traitement
    SUPPORTIVE_CARE = "supportive_care"  # JDV_SoinsOncoDeSupport_CISIS: soins oncologiques de support
    SOCIAL_SUPPORT = "social_support"  # JDV_TypeAccompagnementSocioPro_CISIS: accompagnement socioprofessionnel
    FOLLOW_UP_TYPE = "follow_up_type"  # JDV_TypeDeSuivi_CISIS: type de suivi
    ASSOCIATED_MEASURE = "associated_measure"  # JDV_MesuresAssociees_CISIS: mesures associées
    SIDE_EFFECT_MANAGEMENT = "side_effect_management"  # JDV_GestionEffetsSecondaires_CISIS
    UPDATE_REASON = "update_reason"  # JDV_MotifMiseAJour_CISIS: motif de mise à jour
    DOCUMENT_STATUS = "document_status"  # JDV_StatutDoc_CISIS: statut du document
    PHASE = "phase"  # JDV_PhaseCancer_CISIS: phase du cancer
    PROGRESSION = "progression"  # JDV_ProgressionCancer_CISIS: progression du cancer
    ADDICTION = "addiction"  # JDV_Addictions_CISIS: addictions
    WEEKDAY = "weekday"  # JDV_JoursSemaine_CISIS: jours de la semaine
    ROUTE = "route"  # JDV_ModeAdministration_CISIS: mode d'administration
    CARE_STRUCTURE = "care_structure"  # JDV_StructuresDeSoins_CISIS: structures de soins


@dataclass(frozen=True, slots=True)
class ValueSet:
    """A CI-SIS value set (jeu de valeurs): its OID and name."""

    oid: str
    name: str


@dataclass(frozen=True, slots=True)
class Concept:
    """One concept of a value set: kind, code system OID, code and official display (displayName)."""

    kind: CodeKind
    system: str
    code: str
    display: str


VALUE_SETS: dict[CodeKind, ValueSet] = {
    CodeKind.ADDICTION: ValueSet("1.2.250.1.213.1.1.5.80", "JDV_Addictions_CISIS"),
    CodeKind.SIDE_EFFECT_MANAGEMENT: ValueSet("1.2.250.1.213.1.1.5.477", "JDV_GestionEffetsSecondaires_CISIS"),
    CodeKind.WEEKDAY: ValueSet("1.2.250.1.213.1.1.5.77", "JDV_JoursSemaine_CISIS"),
    CodeKind.ASSOCIATED_MEASURE: ValueSet("1.2.250.1.213.1.1.5.476", "JDV_MesuresAssociees_CISIS"),
    CodeKind.ROUTE: ValueSet("1.2.250.1.213.1.1.5.75", "JDV_ModeAdministration_CISIS"),
    CodeKind.UPDATE_REASON: ValueSet("1.2.250.1.213.1.1.5.83", "JDV_MotifMiseAJour_CISIS"),
    CodeKind.PHASE: ValueSet("1.2.250.1.213.1.1.4.2.281.13", "JDV_PhaseCancer_CISIS"),
    CodeKind.PROGRESSION: ValueSet("1.2.250.1.213.1.1.5.486", "JDV_ProgressionCancer_CISIS"),
    CodeKind.SUPPORTIVE_CARE: ValueSet("1.2.250.1.213.1.1.5.79", "JDV_SoinsOncoDeSupport_CISIS"),
    CodeKind.DOCUMENT_STATUS: ValueSet("1.2.250.1.213.1.1.5.93", "JDV_StatutDoc_CISIS"),
    CodeKind.CARE_STRUCTURE: ValueSet("1.2.250.1.213.1.1.5.82", "JDV_StructuresDeSoins_CISIS"),
    CodeKind.SOCIAL_SUPPORT: ValueSet("1.2.250.1.213.1.1.5.81", "JDV_TypeAccompagnementSocioPro_CISIS"),
    CodeKind.FOLLOW_UP_TYPE: ValueSet("1.2.250.1.213.1.1.5.76", "JDV_TypeDeSuivi_CISIS"),
    CodeKind.TREATMENT_TYPE: ValueSet("1.2.250.1.213.1.1.5.478", "JDV_TypeTraitementPPS_CISIS"),
}

#: Written by a one-off script from the CI-SIS value-set files (JDV_*_CISIS.xml, IHE SVS format, in
#: ../shared/reference/ci-sis/jdv/): the codes and their official short displays are facts of the standard. A unit
#: test proves the table covers every concept of those files with the right kind.
CONCEPTS: tuple[Concept, ...] = (
    Concept(CodeKind.ADDICTION, "2.16.840.1.113883.6.1", "11343-1", "Consommation de drogue non médicales"),
    Concept(CodeKind.ADDICTION, "2.16.840.1.113883.6.1", "74011-8", "Consommation tabagique"),
    Concept(CodeKind.ADDICTION, "2.16.840.1.113883.6.1", "74013-4", "Consommation d’alcool"),
    Concept(CodeKind.ADDICTION, "1.2.250.1.213.1.1.4.322", "GEN-092.01.04", "Autre addiction"),
    Concept(
        CodeKind.SIDE_EFFECT_MANAGEMENT,
        "2.16.840.1.113883.3.26.1.1",
        "C20427",
        "facteur de croissance hématopoïétique",
    ),
    Concept(
        CodeKind.SIDE_EFFECT_MANAGEMENT,
        "1.2.250.1.213.1.1.4.322",
        "GEN-092.04.12",
        "Autre gestion des effets secondaires",
    ),
    Concept(CodeKind.WEEKDAY, "2.16.840.1.113883.6.96", "307145004", "lundi"),
    Concept(CodeKind.WEEKDAY, "2.16.840.1.113883.6.96", "307147007", "mardi"),
    Concept(CodeKind.WEEKDAY, "2.16.840.1.113883.6.96", "307148002", "mercredi"),
    Concept(CodeKind.WEEKDAY, "2.16.840.1.113883.6.96", "307149005", "jeudi"),
    Concept(CodeKind.WEEKDAY, "2.16.840.1.113883.6.96", "307150005", "vendredi"),
    Concept(CodeKind.WEEKDAY, "2.16.840.1.113883.6.96", "307151009", "samedi"),
    Concept(CodeKind.WEEKDAY, "2.16.840.1.113883.6.96", "307146003", "dimanche"),
    Concept(
        CodeKind.ASSOCIATED_MEASURE,
        "1.2.250.1.213.1.1.4.322",
        "ORG-007",
        "Prise en charge des conséquences neurocognitives et endocriniennes",
    ),
    Concept(
        CodeKind.ASSOCIATED_MEASURE,
        "1.2.250.1.213.1.1.4.322",
        "ORG-171",
        "Prise en charge des conséquences des tumeurs cérébrales et de leurs traitements",
    ),
    Concept(CodeKind.ASSOCIATED_MEASURE, "1.2.250.1.213.1.1.4.322", "MED-555", "Contraception"),
    Concept(
        CodeKind.ASSOCIATED_MEASURE,
        "1.2.250.1.213.1.1.4.322",
        "ORG-001",
        "Prise en charge spécifique en oncogériatrie",
    ),
    Concept(CodeKind.ASSOCIATED_MEASURE, "1.2.250.1.213.1.1.4.322", "GEN-092.04.11", "Autre mesure"),
    Concept(CodeKind.ROUTE, "0.4.0.127.0.16.1.1.2.1", "20035000", "Voie intramusculaire"),
    Concept(CodeKind.ROUTE, "0.4.0.127.0.16.1.1.2.1", "20030000", "Voie intradermique"),
    Concept(CodeKind.ROUTE, "0.4.0.127.0.16.1.1.2.1", "20045000", "Voie intraveineuse"),
    Concept(CodeKind.ROUTE, "0.4.0.127.0.16.1.1.2.1", "20066000", "Voie sous-cutanée"),
    Concept(CodeKind.ROUTE, "0.4.0.127.0.16.1.1.2.1", "20053000", "Voie orale"),
    Concept(CodeKind.ROUTE, "0.4.0.127.0.16.1.1.2.1", "20062000", "Autre(s)"),
    Concept(CodeKind.UPDATE_REASON, "2.16.840.1.113883.6.96", "263855007", "rechute"),
    Concept(
        CodeKind.UPDATE_REASON,
        "1.2.250.1.213.1.1.4.322",
        "MED-103",
        "Non réponse ou évolution sous traitement",
    ),
    Concept(CodeKind.UPDATE_REASON, "1.2.250.1.213.1.1.4.322", "MED-104", "Refus de traitement"),
    Concept(CodeKind.UPDATE_REASON, "1.2.250.1.213.1.1.4.322", "MED-105", "Décision de prise en soins palliatifs"),
    Concept(CodeKind.UPDATE_REASON, "1.2.250.1.213.1.1.4.322", "MED-556", "Fenêtre thérapeutique"),
    Concept(
        CodeKind.UPDATE_REASON,
        "1.2.250.1.213.1.1.4.322",
        "MED-560",
        "Réajustement du programme thérapeutique et de suivi",
    ),
    Concept(
        CodeKind.UPDATE_REASON,
        "1.2.250.1.213.1.1.4.322",
        "MED-561",
        "Réajustement des soins de support et accompagnements",
    ),
    Concept(
        CodeKind.UPDATE_REASON,
        "1.2.250.1.213.1.1.4.322",
        "GEN-175",
        "Modification d’informations administratives",
    ),
    Concept(CodeKind.UPDATE_REASON, "1.2.250.1.213.1.1.4.322", "GEN-176", "Modification de calendrier"),
    Concept(CodeKind.UPDATE_REASON, "1.2.250.1.213.1.1.4.322", "GEN-092.08.02", "Autre motif de mise à jour"),
    Concept(CodeKind.PHASE, "1.2.250.1.213.1.1.4.322", "MED-268", "Phase initiale du cancer"),
    Concept(CodeKind.PHASE, "1.2.250.1.213.1.1.4.322", "MED-244", "Rechute du cancer"),
    Concept(CodeKind.PROGRESSION, "1.2.250.1.213.1.1.4.322", "MED-246", "Progression locale du cancer"),
    Concept(CodeKind.PROGRESSION, "1.2.250.1.213.1.1.4.322", "MED-247", "Progression régionale du cancer"),
    Concept(CodeKind.PROGRESSION, "1.2.250.1.213.1.1.4.322", "MED-248", "Progression à distance du cancer"),
    Concept(CodeKind.SUPPORTIVE_CARE, "1.2.250.1.213.1.1.4.322", "ORG-035", "Traitement de la douleur"),
    Concept(
        CodeKind.SUPPORTIVE_CARE,
        "1.2.250.1.213.1.1.4.322",
        "ORG-036",
        "Prise en charge diététique et nutritionnelle",
    ),
    Concept(CodeKind.SUPPORTIVE_CARE, "1.2.250.1.213.1.1.4.322", "ORG-174", "Continuité de la scolarité"),
    Concept(CodeKind.SUPPORTIVE_CARE, "1.2.250.1.213.1.1.4.322", "ORG-175", "Activité physique adaptée"),
    Concept(CodeKind.SUPPORTIVE_CARE, "1.2.250.1.213.1.1.4.322", "ORG-176", "Conseil d’hygiène de vie"),
    Concept(
        CodeKind.SUPPORTIVE_CARE,
        "1.2.250.1.213.1.1.4.322",
        "ORG-037",
        "Soutien psychologique des proches et des aidants des personnes atteintes de cancer",
    ),
    Concept(
        CodeKind.SUPPORTIVE_CARE,
        "1.2.250.1.213.1.1.4.322",
        "MED-051",
        "Soutien à la mise en oeuvre de la préservation de la fertilité",
    ),
    Concept(CodeKind.SUPPORTIVE_CARE, "1.2.250.1.213.1.1.4.322", "MED-562", "Soutien au sevrage tabagique"),
    Concept(CodeKind.SUPPORTIVE_CARE, "1.2.250.1.213.1.1.4.322", "MED-563", "Soutien au sevrage alcoolique"),
    Concept(CodeKind.SUPPORTIVE_CARE, "1.2.250.1.213.1.1.4.322", "MED-564", "Soutien au sevrage (autre addiction)"),
    Concept(CodeKind.SUPPORTIVE_CARE, "1.2.250.1.213.1.1.4.322", "GEN-092.04.07", "Autre soins de support"),
    Concept(CodeKind.DOCUMENT_STATUS, "2.16.840.1.113883.6.96", "385651009", "en cours d'exécution"),
    Concept(CodeKind.DOCUMENT_STATUS, "2.16.840.1.113883.6.96", "398166005", "réalisé"),
    Concept(CodeKind.DOCUMENT_STATUS, "2.16.840.1.113883.6.96", "9571008", "approuvé"),
    Concept(CodeKind.DOCUMENT_STATUS, "2.16.840.1.113883.6.96", "29179001", "clôturé"),
    Concept(CodeKind.CARE_STRUCTURE, "1.2.250.1.213.1.1.4.322", "ORG-107", "Service de médecine du travail"),
    Concept(CodeKind.CARE_STRUCTURE, "1.2.250.1.213.1.6.1.8", "220", "Centre Social"),
    Concept(
        CodeKind.CARE_STRUCTURE,
        "1.2.250.1.213.1.1.4.322",
        "ORG-109",
        "Caisse d'assurance de retraite et santé au travail (CARSAT)",
    ),
    Concept(
        CodeKind.CARE_STRUCTURE,
        "1.2.250.1.213.1.1.4.322",
        "ORG-110",
        "Service d'appui au maintien dans l'emploi des travailleurs handicapés (SAMETH)",
    ),
    Concept(
        CodeKind.CARE_STRUCTURE,
        "1.2.250.1.213.1.6.1.8",
        "609",
        "Maison Départementale pour Personnes Handicapées (MDPH)",
    ),
    Concept(
        CodeKind.CARE_STRUCTURE,
        "1.2.250.1.213.1.6.1.8",
        "463",
        "Centres Locaux Information Coordination P.A.(C.L.I.C.)",
    ),
    Concept(CodeKind.CARE_STRUCTURE, "1.2.250.1.213.1.1.4.322", "ORG-054", "Établissement de santé de référence"),
    Concept(CodeKind.CARE_STRUCTURE, "1.2.250.1.213.1.1.4.322", "ORG-055", "Centre d'hébergement"),
    Concept(
        CodeKind.CARE_STRUCTURE,
        "1.2.250.1.213.1.1.4.322",
        "ORG-056",
        "Structure(s) de coordination ville-hôpital",
    ),
    Concept(
        CodeKind.CARE_STRUCTURE,
        "1.2.250.1.213.1.1.4.322",
        "ORG-057",
        "Organisme social et de maintien dans l'emploi",
    ),
    Concept(CodeKind.CARE_STRUCTURE, "1.2.250.1.213.1.1.4.322", "ORG-059", "Lieu d'administration"),
    Concept(
        CodeKind.CARE_STRUCTURE,
        "1.2.250.1.213.1.1.4.322",
        "ORG-060",
        "Lieu de prise en charge en oncogératrie",
    ),
    Concept(
        CodeKind.CARE_STRUCTURE,
        "1.2.250.1.213.1.1.4.322",
        "ORG-061",
        "Lieu des mesures de préservation de la fertilité",
    ),
    Concept(
        CodeKind.CARE_STRUCTURE,
        "1.2.250.1.213.1.1.4.322",
        "ORG-062",
        "Structure(s) de soutien et d'information",
    ),
    Concept(CodeKind.CARE_STRUCTURE, "1.2.250.1.213.1.1.4.322", "GEN-092.06.01", "Autre établissement de santé"),
    Concept(CodeKind.SOCIAL_SUPPORT, "1.2.250.1.213.1.1.4.322", "PAT-024", "Aide à domicile"),
    Concept(
        CodeKind.SOCIAL_SUPPORT,
        "1.2.250.1.213.1.1.4.322",
        "PAT-026",
        "Sortie de l’arrêt de travail (invalidité, retraite, médecine du travail)",
    ),
    Concept(
        CodeKind.SOCIAL_SUPPORT,
        "1.2.250.1.213.1.1.4.322",
        "PAT-027",
        "Reprise du poste ou réinsertion professionnelle",
    ),
    Concept(
        CodeKind.SOCIAL_SUPPORT,
        "1.2.250.1.213.1.1.4.322",
        "GEN-092.04.08",
        "Autre type d'accompagnement socioprofessionnel",
    ),
    Concept(CodeKind.FOLLOW_UP_TYPE, "1.2.250.1.213.1.1.4.322", "MED-091", "Examen de biologie"),
    Concept(CodeKind.FOLLOW_UP_TYPE, "1.2.250.1.213.1.1.4.322", "MED-092", "Examen d’imagerie médicale"),
    Concept(CodeKind.FOLLOW_UP_TYPE, "2.16.840.1.113883.6.96", "11429006", "consultation"),
    Concept(CodeKind.FOLLOW_UP_TYPE, "1.2.250.1.213.1.1.4.322", "GEN-092.04.06", "Autre type de suivi"),
    Concept(CodeKind.TREATMENT_TYPE, "2.16.840.1.113883.6.96", "387713003", "intervention chirurgicale"),
    Concept(CodeKind.TREATMENT_TYPE, "2.16.840.1.113883.3.26.1.1", "C15313", "radiothérapie"),
    Concept(CodeKind.TREATMENT_TYPE, "2.16.840.1.113883.3.26.1.1", "C15195", "curiethérapie"),
    Concept(CodeKind.TREATMENT_TYPE, "2.16.840.1.113883.3.26.1.1", "C15632", "chimiothérapie"),
    Concept(CodeKind.TREATMENT_TYPE, "2.16.840.1.113883.3.26.1.1", "C93352", "thérapie ciblée"),
    Concept(CodeKind.TREATMENT_TYPE, "2.16.840.1.113883.3.26.1.1", "C15445", "hormonothérapie"),
    Concept(CodeKind.TREATMENT_TYPE, "2.16.840.1.113883.3.26.1.1", "C15262", "immunothérapie"),
    Concept(CodeKind.TREATMENT_TYPE, "2.16.840.1.113883.3.26.1.1", "C63334", "Radiologie interventionnelle"),
    Concept(CodeKind.TREATMENT_TYPE, "1.2.250.1.213.1.1.4.322", "MED-556", "Fenêtre thérapeutique"),
    Concept(CodeKind.TREATMENT_TYPE, "1.2.250.1.213.1.1.4.322", "MED-226", "Surveillance seule"),
    Concept(CodeKind.TREATMENT_TYPE, "1.2.250.1.213.1.1.4.322", "MED-227", "Surveillance active"),
    Concept(CodeKind.TREATMENT_TYPE, "2.16.840.1.113883.3.26.1.1", "C157891", "endoscopie interventionnelle"),
    Concept(CodeKind.TREATMENT_TYPE, "1.2.250.1.213.1.1.4.322", "MED-232", "Irathérapie"),
    Concept(CodeKind.TREATMENT_TYPE, "1.2.250.1.213.1.1.4.322", "MED-126", "Allogreffe / Autogreffe"),
    Concept(CodeKind.TREATMENT_TYPE, "1.2.250.1.213.1.1.4.322", "GEN-092.03.01", "Autre(s) traitement(s)"),
)

_BY_KEY: dict[tuple[str, str], tuple[Concept, ...]] = {}
for _concept in CONCEPTS:
    _key = (_concept.system, _concept.code)
    _BY_KEY[_key] = (*_BY_KEY.get(_key, ()), _concept)


def kinds_of(system: str | None, code: str | None) -> frozenset[CodeKind]:
    """Every kind this (system, code) has in the value sets; empty when it is in none. A code may belong to several
    (MED-556 "Fenêtre thérapeutique" is a treatment type and a reason for update)."""
    if system is None or code is None:
        return frozenset()
    return frozenset(concept.kind for concept in _BY_KEY.get((system, code), ()))


def lookup(system: str | None, code: str | None, kind: CodeKind | None = None) -> Concept | None:
    """The concept for (system, code), restricted to `kind` when given."""
    if system is None or code is None:
        return None
    for concept in _BY_KEY.get((system, code), ()):
        if kind is None or concept.kind == kind:
            return concept
    return None


def official_display(system: str | None, code: str | None) -> str | None:
    """The official display of a value-set code, a fallback text when a document gives none."""
    concept = lookup(system, code)
    return concept.display if concept else None


def concepts_of(kind: CodeKind) -> tuple[Concept, ...]:
    """Every concept of one kind, in value-set order."""
    return tuple(concept for concept in CONCEPTS if concept.kind == kind)
