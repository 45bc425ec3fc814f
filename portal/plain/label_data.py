"""The plain-word tables of the `plain` step (French and English), read by `labels`.

Kept apart from the logic so that writers can review the words alone. Rules for every string here: plain words a
tired reader knows, explanations of one sentence of at most 20 words, a medical word only when the glossary
explains it (`glossary_id`). The readability test in tests/unit/plain scores every sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from portal.pps.codes import EDQM, LOINC, NCIT, SNOMED_CT, TA_ASIP, CodeKind
from portal.pps.model import ItemKind

_NOS = "1.2.250.1.213.1.6.1.8"  # NOS structure categories (Centre social, MDPH, CLIC)


@dataclass(frozen=True, slots=True)
class Words:
    """A plain name and a one-sentence explanation in French and English, and the glossary entry they use."""

    fr: str
    fr_explanation: str | None
    en: str
    en_explanation: str | None
    glossary_id: str | None = None


def _w(fr: str, fr_ex: str | None, en: str, en_ex: str | None, gid: str | None = None) -> Words:
    return Words(fr, fr_ex, en, en_ex, gid)


# ----------------------------------------------------------------------------------------------------
# Every concept of the CI-SIS value sets (portal.pps.codes.CONCEPTS), keyed by (kind, system, code)
# ----------------------------------------------------------------------------------------------------

_K = CodeKind

CONCEPT_WORDS: dict[tuple[CodeKind, str, str], Words] = {
    # --- Addictions ---------------------------------------------------------------------------------
    (_K.ADDICTION, LOINC, "11343-1"): _w(
        "Drogues",
        "La prise de drogues, notée pour proposer une aide pour arrêter.",
        "Drugs",
        "Drug use, noted so that the team can offer help to stop.",
        "addiction",
    ),
    (_K.ADDICTION, LOINC, "74011-8"): _w(
        "Tabac",
        "Le tabac fumé, noté pour proposer une aide pour arrêter.",
        "Smoking",
        "How much tobacco is smoked, noted so that the team can offer help to stop.",
        "sevrage-tabagique",
    ),
    (_K.ADDICTION, LOINC, "74013-4"): _w(
        "Alcool",
        "L'alcool que l'on boit, noté pour proposer une aide pour arrêter.",
        "Alcohol",
        "How much alcohol is drunk, noted so that the team can offer help to stop.",
        "sevrage-alcool",
    ),
    (_K.ADDICTION, TA_ASIP, "GEN-092.01.04"): _w(
        "Autre dépendance",
        "Une autre chose dont il est dur de se passer, comme le jeu.",
        "Other addiction",
        "Something else that is hard to stop, such as gambling.",
        "addiction",
    ),
    # --- Side-effect management -------------------------------------------------------------------------
    (_K.SIDE_EFFECT_MANAGEMENT, NCIT, "C20427"): _w(
        "Facteur de croissance (G-CSF)",
        "Un médicament qui aide le corps à refaire des globules blancs.",
        "Growth factor (G-CSF)",
        "A medicine that helps the body make new white blood cells.",
        "g-csf",
    ),
    (_K.SIDE_EFFECT_MANAGEMENT, TA_ASIP, "GEN-092.04.12"): _w(
        "Soin contre les effets indésirables",
        "Un soin pour éviter ou calmer les effets gênants du traitement.",
        "Care for side effects",
        "Care to prevent or ease the unwanted effects of treatment.",
        "effets-indesirables",
    ),
    # --- Weekdays -----------------------------------------------------------------------------------
    (_K.WEEKDAY, SNOMED_CT, "307145004"): _w(
        "Lundi", "Le premier jour de la semaine.", "Monday", "The first day of the week."
    ),
    (_K.WEEKDAY, SNOMED_CT, "307147007"): _w(
        "Mardi", "Le deuxième jour de la semaine.", "Tuesday", "The second day of the week."
    ),
    (_K.WEEKDAY, SNOMED_CT, "307148002"): _w(
        "Mercredi", "Le troisième jour de la semaine.", "Wednesday", "The third day of the week."
    ),
    (_K.WEEKDAY, SNOMED_CT, "307149005"): _w(
        "Jeudi", "Le quatrième jour de la semaine.", "Thursday", "The fourth day of the week."
    ),
    (_K.WEEKDAY, SNOMED_CT, "307150005"): _w(
        "Vendredi", "Le cinquième jour de la semaine.", "Friday", "The fifth day of the week."
    ),
    (_K.WEEKDAY, SNOMED_CT, "307151009"): _w(
        "Samedi", "Le sixième jour de la semaine.", "Saturday", "The sixth day of the week."
    ),
    (_K.WEEKDAY, SNOMED_CT, "307146003"): _w(
        "Dimanche", "Le dernier jour de la semaine.", "Sunday", "The last day of the week."
    ),
    # --- Associated measures ------------------------------------------------------------------------
    (_K.ASSOCIATED_MEASURE, TA_ASIP, "ORG-007"): _w(
        "Suivi de la mémoire et des hormones",
        "Des soins si le traitement gêne la mémoire, la pensée ou les hormones.",
        "Care for memory and hormones",
        "Care when the treatment affects the memory, the mind or the hormones.",
        "hormone",
    ),
    (_K.ASSOCIATED_MEASURE, TA_ASIP, "ORG-171"): _w(
        "Suivi après une tumeur du cerveau",
        "Des soins pour les suites d'une tumeur du cerveau et de son traitement.",
        "Care after a brain tumour",
        "Care for the effects of a brain tumour and of its treatment.",
        "tumeur",
    ),
    (_K.ASSOCIATED_MEASURE, TA_ASIP, "MED-555"): _w(
        "Contraception",
        "Un moyen d'éviter une grossesse pendant le traitement.",
        "Contraception",
        "A way to avoid getting pregnant during treatment.",
        "contraception",
    ),
    (_K.ASSOCIATED_MEASURE, TA_ASIP, "ORG-001"): _w(
        "Soins adaptés à l'âge (oncogériatrie)",
        "Un bilan et des soins pensés pour les personnes âgées.",
        "Care adapted to older age (geriatric oncology)",
        "A check and care designed for older people.",
        "oncogeriatrie",
    ),
    (_K.ASSOCIATED_MEASURE, TA_ASIP, "GEN-092.04.11"): _w(
        "Autre soin associé",
        "Un soin en plus du traitement, adapté à chaque personne.",
        "Other added care",
        "Care in addition to the treatment, suited to each person.",
    ),
    # --- Routes (mode d'administration) -------------------------------------------------------------
    (_K.ROUTE, EDQM, "20035000"): _w(
        "Piqûre dans un muscle",
        "Le produit est injecté dans un muscle, souvent à la fesse ou au bras.",
        "Injection into a muscle",
        "The medicine goes into a muscle, often in the buttock or arm.",
        "injection",
    ),
    (_K.ROUTE, EDQM, "20030000"): _w(
        "Piqûre dans la peau",
        "Le produit est injecté dans la peau, juste sous la surface.",
        "Injection into the skin",
        "The medicine goes into the skin, just below the surface.",
        "injection",
    ),
    (_K.ROUTE, EDQM, "20045000"): _w(
        "Dans une veine (perfusion)",
        "Le produit passe dans une veine, souvent par une perfusion.",
        "Into a vein (drip)",
        "The medicine goes into a vein, often through a drip.",
        "perfusion",
    ),
    (_K.ROUTE, EDQM, "20066000"): _w(
        "Piqûre sous la peau",
        "Le produit est injecté sous la peau, avec une petite aiguille.",
        "Injection under the skin",
        "The medicine is injected under the skin with a small needle.",
        "injection",
    ),
    (_K.ROUTE, EDQM, "20053000"): _w(
        "Par la bouche",
        "Des comprimés ou des gélules à avaler, souvent à la maison.",
        "By mouth",
        "Tablets or capsules to swallow, often at home.",
        "voie-orale",
    ),
    (_K.ROUTE, EDQM, "20062000"): _w(
        "Autre façon de le prendre",
        "L'équipe de soins dira comment ce produit se prend.",
        "Another way to take it",
        "The care team will say how this medicine is given.",
        "mode-administration",
    ),
    # --- Reasons for update: the explanation is the sentence the overview shows ---------------------------
    (_K.UPDATE_REASON, SNOMED_CT, "263855007"): _w(
        "Rechute",
        "Le programme a changé car la maladie est revenue.",
        "Relapse",
        "The plan has changed because the illness has come back.",
        "rechute",
    ),
    (_K.UPDATE_REASON, TA_ASIP, "MED-103"): _w(
        "Traitement à changer",
        "Le programme a changé car le traitement n'a pas eu l'effet voulu.",
        "Treatment to change",
        "The plan has changed because the treatment did not work as hoped.",
    ),
    (_K.UPDATE_REASON, TA_ASIP, "MED-104"): _w(
        "Choix de ne pas faire un traitement",
        "Le programme a changé après le choix de ne pas faire un traitement.",
        "Choice not to have a treatment",
        "The plan has changed after the choice not to have a treatment.",
    ),
    (_K.UPDATE_REASON, TA_ASIP, "MED-105"): _w(
        "Soins palliatifs",
        "Le programme a changé pour mettre le confort au premier plan.",
        "Palliative care",
        "The plan has changed to put comfort first.",
        "soins-palliatifs",
    ),
    (_K.UPDATE_REASON, TA_ASIP, "MED-556"): _w(
        "Pause dans le traitement",
        "Une pause est prévue dans le traitement.",
        "Break in treatment",
        "A break in the treatment has been planned.",
        "fenetre-therapeutique",
    ),
    (_K.UPDATE_REASON, TA_ASIP, "MED-560"): _w(
        "Programme ajusté",
        "Le programme de soins et de suivi a été ajusté.",
        "Plan adjusted",
        "The treatment and follow-up plan has been adjusted.",
    ),
    (_K.UPDATE_REASON, TA_ASIP, "MED-561"): _w(
        "Soutien ajusté",
        "Les soins de support ou l'aide sociale ont été ajustés.",
        "Support adjusted",
        "The supportive care or the social help has been adjusted.",
        "soins-de-support",
    ),
    (_K.UPDATE_REASON, TA_ASIP, "GEN-175"): _w(
        "Informations pratiques",
        "Des informations pratiques ont été mises à jour.",
        "Practical details",
        "Some practical details have changed.",
    ),
    (_K.UPDATE_REASON, TA_ASIP, "GEN-176"): _w(
        "Changement de dates",
        "Les dates du programme ont changé.",
        "Change of dates",
        "The dates in the plan have changed.",
    ),
    (_K.UPDATE_REASON, TA_ASIP, "GEN-092.08.02"): _w(
        "Autre raison",
        "Le programme a été mis à jour.",
        "Other reason",
        "The plan has been updated.",
    ),
    # --- Phase and progression ----------------------------------------------------------------------
    (_K.PHASE, TA_ASIP, "MED-268"): _w(
        "Premiers soins de la maladie",
        "La maladie est soignée pour la première fois.",
        "First care of the illness",
        "This is the first time the illness is being treated.",
    ),
    (_K.PHASE, TA_ASIP, "MED-244"): _w(
        "Rechute",
        "La maladie est revenue après un temps sans signe.",
        "Relapse",
        "The illness has come back after a time without signs.",
        "rechute",
    ),
    (_K.PROGRESSION, TA_ASIP, "MED-246"): _w(
        "Évolution sur place",
        "La maladie a grandi là où elle a commencé.",
        "Growth where it started",
        "The illness has grown where it started.",
    ),
    (_K.PROGRESSION, TA_ASIP, "MED-247"): _w(
        "Évolution près du point de départ",
        "La maladie s'est étendue près de là où elle a commencé.",
        "Spread nearby",
        "The illness has spread close to where it started.",
        "ganglion",
    ),
    (_K.PROGRESSION, TA_ASIP, "MED-248"): _w(
        "Extension à une autre partie du corps",
        "La maladie s'est étendue à une autre partie du corps.",
        "Spread to another part of the body",
        "The illness has spread to another part of the body.",
        "metastase",
    ),
    # --- Supportive care ----------------------------------------------------------------------------
    (_K.SUPPORTIVE_CARE, TA_ASIP, "ORG-035"): _w(
        "Soins de la douleur",
        "Des soins pour soulager les douleurs, quelle que soit leur cause.",
        "Pain relief",
        "Care to ease pain, whatever its cause.",
        "douleur",
    ),
    (_K.SUPPORTIVE_CARE, TA_ASIP, "ORG-036"): _w(
        "Aide pour bien manger",
        "Des conseils pour garder du poids et des forces pendant les soins.",
        "Help with eating well",
        "Advice to keep weight and strength during treatment.",
        "dieteticien",
    ),
    (_K.SUPPORTIVE_CARE, TA_ASIP, "ORG-174"): _w(
        "Suivre l'école",
        "Une aide pour que l'enfant puisse suivre ses cours pendant les soins.",
        "Keeping up with school",
        "Help for the child to keep up with school during treatment.",
    ),
    (_K.SUPPORTIVE_CARE, TA_ASIP, "ORG-175"): _w(
        "Activité physique adaptée (APA)",
        "Du sport doux, adapté à la forme de chaque personne, avec un coach formé.",
        "Adapted physical activity (APA)",
        "Gentle exercise suited to each person's strength, with a trained coach.",
        "activite-physique-adaptee",
    ),
    (_K.SUPPORTIVE_CARE, TA_ASIP, "ORG-176"): _w(
        "Conseils pour la santé",
        "Des conseils simples sur le sommeil, les repas et le mode de vie.",
        "Healthy living advice",
        "Simple advice on sleep, food and daily habits.",
    ),
    (_K.SUPPORTIVE_CARE, TA_ASIP, "ORG-037"): _w(
        "Soutien pour les proches",
        "Une écoute et une aide pour la famille et les personnes qui aident.",
        "Support for family and friends",
        "Someone to listen to and help the family and carers.",
        "aidant",
    ),
    (_K.SUPPORTIVE_CARE, TA_ASIP, "MED-051"): _w(
        "Préserver la fertilité",
        "Garder des ovules ou du sperme pour pouvoir avoir un enfant plus tard.",
        "Fertility preservation",
        "Storing eggs or sperm to keep the chance of a child later.",
        "preservation-fertilite",
    ),
    (_K.SUPPORTIVE_CARE, TA_ASIP, "MED-562"): _w(
        "Aide pour arrêter de fumer",
        "Un suivi et des aides pour arrêter le tabac.",
        "Help to stop smoking",
        "Support and aids to help stop smoking.",
        "sevrage-tabagique",
    ),
    (_K.SUPPORTIVE_CARE, TA_ASIP, "MED-563"): _w(
        "Aide pour arrêter l'alcool",
        "Un suivi et des aides pour arrêter ou réduire l'alcool.",
        "Help to stop drinking",
        "Support to help stop or cut down alcohol.",
        "sevrage-alcool",
    ),
    (_K.SUPPORTIVE_CARE, TA_ASIP, "MED-564"): _w(
        "Aide pour une autre dépendance",
        "Un suivi pour aider à arrêter une autre dépendance.",
        "Help with another addiction",
        "Help to give up another habit that is hard to stop.",
        "addiction",
    ),
    (_K.SUPPORTIVE_CARE, TA_ASIP, "GEN-092.04.07"): _w(
        "Autre soin de support",
        "Un autre soin pour le confort et le bien-être.",
        "Other supportive care",
        "Other care for comfort and well-being.",
        "soins-de-support",
    ),
    # --- Document status ----------------------------------------------------------------------------
    (_K.DOCUMENT_STATUS, SNOMED_CT, "385651009"): _w(
        "En cours",
        "C'est le programme suivi en ce moment.",
        "In progress",
        "This is the plan being followed now.",
    ),
    (_K.DOCUMENT_STATUS, SNOMED_CT, "398166005"): _w(
        "Terminé",
        "Les soins de ce programme ont tous été faits.",
        "Completed",
        "All the care in this plan has been done.",
    ),
    (_K.DOCUMENT_STATUS, SNOMED_CT, "9571008"): _w(
        "Validé",
        "L'équipe de soins a validé ce programme.",
        "Approved",
        "The care team has approved this plan.",
    ),
    (_K.DOCUMENT_STATUS, SNOMED_CT, "29179001"): _w(
        "Clos",
        "Ce programme n'est plus suivi.",
        "Closed",
        "This plan is no longer followed.",
    ),
    # --- Care structures ----------------------------------------------------------------------------
    (_K.CARE_STRUCTURE, TA_ASIP, "ORG-107"): _w(
        "Médecine du travail",
        "Le médecin qui aide à garder son travail ou à le reprendre.",
        "Occupational health service",
        "The doctor who helps people keep their job or go back to it.",
        "medecin-du-travail",
    ),
    (_K.CARE_STRUCTURE, _NOS, "220"): _w(
        "Centre social",
        "Un lieu proche du domicile pour de l'aide et des conseils.",
        "Social centre",
        "A local place for help and advice.",
    ),
    (_K.CARE_STRUCTURE, TA_ASIP, "ORG-109"): _w(
        "Caisse de retraite et de santé au travail (CARSAT)",
        "Elle aide pour la retraite et le retour au travail.",
        "Pension and work health fund (CARSAT)",
        "It helps with pensions and going back to work.",
        "carsat",
    ),
    (_K.CARE_STRUCTURE, TA_ASIP, "ORG-110"): _w(
        "Service pour garder son emploi (SAMETH)",
        "Un service qui aide à garder son travail malgré un handicap.",
        "Job retention service (SAMETH)",
        "A service that helps people with a disability keep their job.",
        "handicap",
    ),
    (_K.CARE_STRUCTURE, _NOS, "609"): _w(
        "Maison des personnes handicapées (MDPH)",
        "Elle donne les droits et aides liés à un handicap.",
        "Disability centre (MDPH)",
        "It grants rights and help linked to a disability.",
        "mdph",
    ),
    (_K.CARE_STRUCTURE, _NOS, "463"): _w(
        "Centre d'information pour les personnes âgées (CLIC)",
        "Un lieu pour aider les personnes âgées et leurs proches.",
        "Information centre for older people (CLIC)",
        "A place that helps older people and their families.",
        "clic",
    ),
    (_K.CARE_STRUCTURE, TA_ASIP, "ORG-054"): _w(
        "Hôpital ou clinique de référence",
        "L'hôpital ou la clinique qui mène les soins.",
        "Main hospital or clinic",
        "The hospital or clinic that leads the care.",
        "hopital-de-reference",
    ),
    (_K.CARE_STRUCTURE, TA_ASIP, "ORG-055"): _w(
        "Lieu d'accueil pour dormir",
        "Un lieu où dormir près de l'hôpital pendant les soins.",
        "Place to stay",
        "A place to sleep near the hospital during care.",
    ),
    (_K.CARE_STRUCTURE, TA_ASIP, "ORG-056"): _w(
        "Lien entre la ville et l'hôpital",
        "Une équipe qui relie l'hôpital et les soins près du domicile.",
        "Link between home and hospital",
        "A team that links the hospital with care near home.",
        "coordination-ville-hopital",
    ),
    (_K.CARE_STRUCTURE, TA_ASIP, "ORG-057"): _w(
        "Aide sociale et emploi",
        "Un service qui aide pour les droits, l'argent et le travail.",
        "Social and work support",
        "A service that helps with rights, money and work.",
        "accompagnement-social",
    ),
    (_K.CARE_STRUCTURE, TA_ASIP, "ORG-059"): _w(
        "Lieu du traitement",
        "L'endroit où ce traitement est donné.",
        "Place of treatment",
        "Where this treatment is given.",
    ),
    (_K.CARE_STRUCTURE, TA_ASIP, "ORG-060"): _w(
        "Lieu de soins adaptés à l'âge",
        "L'endroit où se font les soins pensés pour les personnes âgées.",
        "Place of care for older people",
        "Where care designed for older people takes place.",
        "oncogeriatrie",
    ),
    (_K.CARE_STRUCTURE, TA_ASIP, "ORG-061"): _w(
        "Lieu pour préserver la fertilité",
        "L'endroit où l'on garde les ovules ou le sperme.",
        "Place for fertility preservation",
        "Where eggs or sperm are stored.",
        "preservation-fertilite",
    ),
    (_K.CARE_STRUCTURE, TA_ASIP, "ORG-062"): _w(
        "Soutien et information",
        "Un lieu pour parler, s'informer et trouver du soutien.",
        "Support and information",
        "A place to talk, learn and find support.",
        "soutien-information",
    ),
    (_K.CARE_STRUCTURE, TA_ASIP, "GEN-092.06.01"): _w(
        "Autre hôpital ou clinique",
        "Un autre lieu de soins qui participe au programme.",
        "Other hospital or clinic",
        "Another place of care that takes part in the plan.",
    ),
    # --- Social and work support --------------------------------------------------------------------
    (_K.SOCIAL_SUPPORT, TA_ASIP, "PAT-024"): _w(
        "Aide à domicile",
        "Une personne vient à domicile pour aider aux tâches de tous les jours.",
        "Home help",
        "Someone comes to the home to help with daily tasks.",
    ),
    (_K.SOCIAL_SUPPORT, TA_ASIP, "PAT-026"): _w(
        "Fin de l'arrêt de travail",
        "Une aide pour la fin de l'arrêt maladie : reprise, retraite ou invalidité.",
        "End of sick leave",
        "Help for when sick leave ends: work, pension or disability.",
        "arret-de-travail",
    ),
    (_K.SOCIAL_SUPPORT, TA_ASIP, "PAT-027"): _w(
        "Retour au travail",
        "Une aide pour reprendre son poste ou trouver un autre travail.",
        "Return to work",
        "Help to go back to a job or find new work.",
        "reprise-du-travail",
    ),
    (_K.SOCIAL_SUPPORT, TA_ASIP, "GEN-092.04.08"): _w(
        "Autre aide sociale",
        "Une autre aide pour la vie de tous les jours ou le travail.",
        "Other social support",
        "Other help for daily life or work.",
        "assistant-social",
    ),
    # --- Follow-up ----------------------------------------------------------------------------------
    (_K.FOLLOW_UP_TYPE, TA_ASIP, "MED-091"): _w(
        "Prise de sang ou analyse",
        "Une analyse, le plus souvent du sang, pour suivre la santé.",
        "Blood or lab test",
        "A lab test, most often of blood, to check on health.",
        "prise-de-sang",
    ),
    (_K.FOLLOW_UP_TYPE, TA_ASIP, "MED-092"): _w(
        "Examen d'imagerie",
        "Des images de l'intérieur du corps, comme un scanner ou une IRM.",
        "Scan",
        "Pictures of the inside of the body, such as a CT or MRI scan.",
        "imagerie",
    ),
    (_K.FOLLOW_UP_TYPE, SNOMED_CT, "11429006"): _w(
        "Consultation",
        "Un rendez-vous avec un médecin ou un soignant.",
        "Appointment",
        "A visit to a doctor or another member of the care team.",
        "consultation",
    ),
    (_K.FOLLOW_UP_TYPE, TA_ASIP, "GEN-092.04.06"): _w(
        "Autre suivi",
        "Un autre examen ou rendez-vous pour suivre la santé.",
        "Other follow-up",
        "Another test or visit to check on health.",
        "suivi",
    ),
    # --- Treatment types ----------------------------------------------------------------------------
    (_K.TREATMENT_TYPE, SNOMED_CT, "387713003"): _w(
        "Opération",
        "Une opération pour enlever la tumeur ou soigner une partie du corps.",
        "Surgery",
        "An operation to remove the tumour or treat a part of the body.",
        "chirurgie",
    ),
    (_K.TREATMENT_TYPE, NCIT, "C15313"): _w(
        "Radiothérapie",
        "Des rayons dirigés sur la tumeur pour détruire les cellules malades.",
        "Radiotherapy",
        "Beams of radiation aimed at the tumour to destroy the sick cells.",
        "radiotherapie",
    ),
    (_K.TREATMENT_TYPE, NCIT, "C15195"): _w(
        "Curiethérapie",
        "Des rayons donnés de l'intérieur, par une petite source placée près de la tumeur.",
        "Brachytherapy",
        "Radiation given from inside, by a small source placed near the tumour.",
        "curietherapie",
    ),
    (_K.TREATMENT_TYPE, NCIT, "C15632"): _w(
        "Chimiothérapie",
        "Des médicaments qui détruisent les cellules du cancer dans tout le corps.",
        "Chemotherapy",
        "Medicines that kill cancer cells all through the body.",
        "chimiotherapie",
    ),
    (_K.TREATMENT_TYPE, NCIT, "C93352"): _w(
        "Thérapie ciblée",
        "Des médicaments qui visent un point faible précis des cellules du cancer.",
        "Targeted therapy",
        "Medicines that aim at a precise weak point of cancer cells.",
        "therapie-ciblee",
    ),
    (_K.TREATMENT_TYPE, NCIT, "C15445"): _w(
        "Hormonothérapie",
        "Des médicaments qui bloquent les hormones qui aident le cancer à grandir.",
        "Hormone therapy",
        "Medicines that block the hormones that help the cancer grow.",
        "hormonotherapie",
    ),
    (_K.TREATMENT_TYPE, NCIT, "C15262"): _w(
        "Immunothérapie",
        "Des médicaments qui aident les défenses du corps à combattre le cancer.",
        "Immunotherapy",
        "Medicines that help the immune system fight the cancer.",
        "immunotherapie",
    ),
    (_K.TREATMENT_TYPE, NCIT, "C63334"): _w(
        "Radiologie interventionnelle",
        "Un soin fait à travers la peau, guidé par des images du corps.",
        "Interventional radiology",
        "Treatment given through the skin, guided by pictures of the body.",
        "radiologie-interventionnelle",
    ),
    (_K.TREATMENT_TYPE, TA_ASIP, "MED-556"): _w(
        "Pause dans le traitement",
        "Une pause prévue dans le traitement, pour laisser le corps se reposer.",
        "Planned break in treatment",
        "A planned break in treatment, to let the body rest.",
        "fenetre-therapeutique",
    ),
    (_K.TREATMENT_TYPE, TA_ASIP, "MED-226"): _w(
        "Surveillance",
        "Pas de traitement pour le moment, mais des contrôles réguliers.",
        "Watchful waiting",
        "No treatment for now, but regular checks.",
        "surveillance",
    ),
    (_K.TREATMENT_TYPE, TA_ASIP, "MED-227"): _w(
        "Surveillance active",
        "Des examens réguliers pour ne traiter que si la maladie change.",
        "Active surveillance",
        "Regular tests, so that treatment starts only if the illness changes.",
        "surveillance-active",
    ),
    (_K.TREATMENT_TYPE, NCIT, "C157891"): _w(
        "Endoscopie",
        "Un soin fait avec un tube fin muni d'une caméra, passé dans le corps.",
        "Endoscopy",
        "Treatment given with a thin tube and camera passed into the body.",
        "endoscopie",
    ),
    (_K.TREATMENT_TYPE, TA_ASIP, "MED-232"): _w(
        "Iode radioactif",
        "Une gélule d'iode radioactif qui détruit les cellules de la thyroïde.",
        "Radioactive iodine",
        "A capsule with a little radiation that kills thyroid cells.",
        "iode-radioactif",
    ),
    (_K.TREATMENT_TYPE, TA_ASIP, "MED-126"): _w(
        "Greffe",
        "On donne des cellules qui refont le sang et les défenses du corps.",
        "Transplant",
        "Cells are given that rebuild the blood and the body's defences.",
        "greffe",
    ),
    (_K.TREATMENT_TYPE, TA_ASIP, "GEN-092.03.01"): _w(
        "Autre traitement",
        "Un autre soin contre la maladie, que l'équipe de soins expliquera.",
        "Other treatment",
        "Another treatment for the illness, which the care team will explain.",
    ),
}

# ----------------------------------------------------------------------------------------------------
# Contacts, item kinds, progression
# ----------------------------------------------------------------------------------------------------

ROLE_WORDS: dict[str, Words] = {
    "ORG-177": _w(
        "Hôpital de référence",
        "L'hôpital ou la clinique qui mène les soins.",
        "Main hospital",
        "The hospital or clinic that leads the care.",
        "hopital-de-reference",
    ),
    "353": _w(
        "Équipe de soins",
        "Une personne de l'équipe de soins.",
        "Care team",
        "A member of the care team.",
        "equipe-de-soins",
    ),
    "ORG-190": _w(
        "Centre de coordination en cancérologie (3C)",
        "Le service qui organise le parcours de soins.",
        "Cancer coordination centre (3C)",
        "The team that organises the care.",
        "3c",
    ),
    "ORG-178": _w(
        "Soins près du domicile",
        "Des soignants près du domicile, comme la pharmacie ou le cabinet infirmier.",
        "Local care",
        "Carers near home, such as the pharmacist or the nurse.",
        "soins-de-proximite",
    ),
    "ORG-188": _w(
        "Médiateur de santé",
        "Une personne qui aide à trouver ses droits et les bons soins.",
        "Health mediator",
        "Someone who helps people find their rights and the right care.",
        "mediateur-sante",
    ),
    "PCP": _w(
        "Médecin traitant",
        "Le médecin que l'on voit d'habitude, près du domicile.",
        "GP (family doctor)",
        "The usual doctor, near home.",
        "medecin-traitant",
    ),
    "ORG-179": _w(
        "Lien entre la ville et l'hôpital",
        "Une équipe qui relie l'hôpital et les soins près du domicile.",
        "Link between home and hospital",
        "A team that links the hospital with care near home.",
        "coordination-ville-hopital",
    ),
    "ORG-191": _w(
        "Réseau régional de cancérologie",
        "Il aide les soignants de la région à bien soigner le cancer.",
        "Regional cancer network",
        "It helps carers in the region give good cancer care.",
        "reseau-regional",
    ),
    "ORG-180": _w(
        "Aide sociale et emploi",
        "Un service qui aide pour les droits, l'argent et le travail.",
        "Social and work support",
        "A service that helps with rights, money and work.",
        "accompagnement-social",
    ),
    "ORG-181": _w(
        "Soutien et information",
        "Un lieu pour parler, s'informer et trouver du soutien.",
        "Support and information",
        "A place to talk, learn and find support.",
        "soutien-information",
    ),
    "CORRE": _w(
        "Contact",
        "Une personne ou un service à joindre pour les soins.",
        "Contact",
        "A person or service to contact about the care.",
    ),
    "other": _w(
        "Contact",
        "Une personne ou un service à joindre pour les soins.",
        "Contact",
        "A person or service to contact about the care.",
    ),
}

ROLE_GROUP: dict[str, str] = {
    "ORG-177": "hospital",
    "353": "hospital",
    "CORRE": "hospital",
    "PCP": "gp",
    "ORG-178": "gp",
    "ORG-190": "coordination",
    "ORG-179": "coordination",
    "ORG-191": "coordination",
    "ORG-188": "support",
    "ORG-180": "support",
    "ORG-181": "support",
    "other": "support",
}

ROLE_GROUP_WORDS: dict[str, Words] = {
    "hospital": _w(
        "L'équipe à l'hôpital",
        "Les soignants qui mènent les traitements.",
        "The hospital team",
        "The people who lead the treatment.",
    ),
    "gp": _w(
        "Le médecin traitant et les soins de proximité",
        "Les soignants près du domicile.",
        "The GP and local care",
        "The carers near home.",
        "medecin-traitant",
    ),
    "coordination": _w(
        "La coordination des soins",
        "Les services qui organisent le parcours de soins.",
        "Care coordination",
        "The teams that plan and organise the care.",
        "3c",
    ),
    "support": _w(
        "Soutien et aide sociale",
        "Les lieux pour être écouté, informé et aidé.",
        "Support and social help",
        "Places to be listened to, informed and helped.",
    ),
}

ITEM_KIND_WORDS: dict[ItemKind, Words] = {
    ItemKind.TREATMENT: _w(
        "Traitement",
        "Un soin pour combattre la maladie.",
        "Treatment",
        "Care that fights the illness.",
        "traitement",
    ),
    ItemKind.SIDE_EFFECT_MANAGEMENT: _w(
        "Prévenir les effets indésirables",
        "Des médicaments pour éviter ou calmer les effets gênants des soins.",
        "Preventing side effects",
        "Medicines to prevent or ease the side effects of treatment.",
        "effets-indesirables",
    ),
    ItemKind.ASSOCIATED_MEASURE: _w(
        "Soin associé",
        "Un soin en plus du traitement, adapté à chaque personne.",
        "Added care",
        "Care in addition to the treatment, suited to each person.",
        "soin-associe",
    ),
    ItemKind.FOLLOW_UP: _w(
        "Suivi",
        "Des examens et des rendez-vous pour veiller sur la santé.",
        "Follow-up",
        "Tests and visits to keep an eye on health.",
        "suivi",
    ),
    ItemKind.SUPPORTIVE_CARE: _w(
        "Soins de support",
        "Des soins pour le confort et le bien-être pendant la maladie.",
        "Supportive care",
        "Care for comfort and well-being during the illness.",
        "soins-de-support",
    ),
    ItemKind.SOCIAL_SUPPORT: _w(
        "Aide sociale et au travail",
        "Une aide pour la vie de tous les jours, les droits ou le travail.",
        "Social and work support",
        "Help with daily life, rights or work.",
        "accompagnement-social",
    ),
}

PROGRESSION_WORDS: dict[str, Words] = {
    "any": _w(
        "Évolution de la maladie",
        "La maladie a changé depuis le dernier bilan.",
        "Change in the illness",
        "The illness has changed since the last check.",
    ),
    "local": CONCEPT_WORDS[(_K.PROGRESSION, TA_ASIP, "MED-246")],
    "regional": CONCEPT_WORDS[(_K.PROGRESSION, TA_ASIP, "MED-247")],
    "distant": CONCEPT_WORDS[(_K.PROGRESSION, TA_ASIP, "MED-248")],
}

# ----------------------------------------------------------------------------------------------------
# About the illness: CIM-10 topography (3-character groups), laterality, CIM-O-3 morphology and behaviour
# ----------------------------------------------------------------------------------------------------


def _t(fr: str, en: str, fr_ex: str | None = None, en_ex: str | None = None, gid: str | None = None) -> Words:
    return Words(fr, fr_ex, en, en_ex, gid)


_MOUTH = _t("Bouche", "Mouth")
_THROAT = _t(
    "Gorge", "Throat", "Le fond de la bouche et le haut du cou.", "The back of the mouth and the top of the neck."
)
_SALIVARY = _t("Glande salivaire", "Salivary gland", "Une glande qui fait la salive.", "A gland that makes saliva.")
_BONE = _t("Os", "Bone")
_LYMPHOMA = _t(
    "Lymphome",
    "Lymphoma",
    "Un cancer des ganglions et de certains globules blancs.",
    "A cancer of the lymph nodes and of some white blood cells.",
    "lymphome",
)
_LEUKAEMIA = _t(
    "Leucémie",
    "Leukaemia",
    "Un cancer des cellules qui fabriquent le sang.",
    "A cancer of the cells that make blood.",
    "leucemie",
)

TOPOGRAPHY: dict[str, Words] = {
    "C00": _t("Lèvre", "Lip"),
    "C01": _t("Base de la langue", "Base of the tongue"),
    "C02": _t("Langue", "Tongue"),
    "C03": _t("Gencive", "Gum"),
    "C04": _t("Plancher de la bouche", "Floor of the mouth"),
    "C05": _t("Palais", "Roof of the mouth"),
    "C06": _MOUTH,
    "C07": _SALIVARY,
    "C08": _SALIVARY,
    "C09": _t("Amygdale", "Tonsil"),
    "C10": _THROAT,
    "C11": _t("Arrière du nez", "Back of the nose"),
    "C12": _THROAT,
    "C13": _THROAT,
    "C14": _t("Bouche et gorge", "Mouth and throat"),
    "C15": _t(
        "Œsophage",
        "Food pipe (oesophagus)",
        "Le tube qui mène les aliments à l'estomac.",
        "The tube that takes food to the stomach.",
    ),
    "C16": _t("Estomac", "Stomach"),
    "C17": _t("Intestin grêle", "Small bowel"),
    "C18": _t("Côlon", "Colon (bowel)", "La dernière partie de l'intestin.", "The last part of the bowel.", "colon"),
    "C19": _t("Côlon et rectum", "Colon and rectum", "La fin de l'intestin.", "The end of the bowel.", "colon"),
    "C20": _t(
        "Rectum", "Rectum", "La toute fin de l'intestin, juste avant l'anus.", "The very end of the bowel.", "colon"
    ),
    "C21": _t("Anus", "Anus"),
    "C22": _t("Foie", "Liver"),
    "C23": _t("Vésicule biliaire", "Gallbladder", "Une petite poche sous le foie.", "A small pouch under the liver."),
    "C24": _t(
        "Voies biliaires",
        "Bile ducts",
        "Les petits tubes qui partent du foie.",
        "The small tubes that leave the liver.",
    ),
    "C25": _t(
        "Pancréas", "Pancreas", "Un organe du ventre qui aide à digérer.", "An organ in the belly that helps digestion."
    ),
    "C26": _t("Appareil digestif", "Digestive system"),
    "C30": _t("Nez ou oreille", "Nose or ear"),
    "C31": _t("Sinus", "Sinuses", "Des cavités dans les os du visage.", "Spaces in the bones of the face."),
    "C32": _t(
        "Larynx",
        "Voice box (larynx)",
        "L'organe de la voix, dans la gorge.",
        "The organ of the voice, in the throat.",
        "larynx",
    ),
    "C33": _t(
        "Trachée", "Windpipe (trachea)", "Le tube qui mène l'air aux poumons.", "The tube that takes air to the lungs."
    ),
    "C34": _t("Poumon", "Lung"),
    "C37": _t("Thymus", "Thymus", "Une petite glande dans la poitrine.", "A small gland in the chest."),
    "C38": _t("Cœur ou enveloppe des poumons", "Heart or lining of the chest"),
    "C39": _t("Poitrine", "Chest"),
    "C40": _BONE,
    "C41": _BONE,
    "C43": _t(
        "Peau (mélanome)",
        "Skin (melanoma)",
        "Un cancer des cellules qui colorent la peau.",
        "A cancer of the cells that colour the skin.",
        "melanome",
    ),
    "C44": _t("Peau", "Skin"),
    "C45": _t(
        "Enveloppe des poumons (mésothéliome)",
        "Lining of the lungs (mesothelioma)",
        "Un cancer de la fine enveloppe des poumons ou du ventre.",
        "A cancer of the thin lining of the lungs or belly.",
    ),
    "C46": _t(
        "Sarcome de Kaposi",
        "Kaposi sarcoma",
        "Un cancer qui donne des taches sur la peau.",
        "A cancer that causes patches on the skin.",
        "sarcome",
    ),
    "C47": _t("Nerfs", "Nerves"),
    "C48": _t(
        "Enveloppe du ventre",
        "Lining of the belly",
        "La fine enveloppe qui tapisse le ventre.",
        "The thin layer that lines the belly.",
    ),
    "C49": _t(
        "Tissus mous",
        "Soft tissues",
        "Les muscles, la graisse et les tissus qui relient les organes.",
        "Muscles, fat and the tissues that join organs.",
        "sarcome",
    ),
    "C50": _t("Sein", "Breast"),
    "C51": _t("Vulve", "Vulva"),
    "C52": _t("Vagin", "Vagina"),
    "C53": _t(
        "Col de l'utérus", "Cervix", "Le bas de l'utérus, qui s'ouvre sur le vagin.", "The lower part of the womb."
    ),
    "C54": _t("Utérus", "Womb (uterus)"),
    "C55": _t("Utérus", "Womb (uterus)"),
    "C56": _t(
        "Ovaire", "Ovary", "Un organe qui fait les ovules et des hormones.", "An organ that makes eggs and hormones."
    ),
    "C57": _t("Organes génitaux de la femme", "Female genital organs"),
    "C58": _t("Placenta", "Placenta"),
    "C60": _t("Pénis", "Penis"),
    "C61": _t(
        "Prostate",
        "Prostate",
        "Une glande de l'homme, sous la vessie.",
        "A gland in men, below the bladder.",
        "prostate",
    ),
    "C62": _t("Testicule", "Testicle"),
    "C63": _t("Organes génitaux de l'homme", "Male genital organs"),
    "C64": _t("Rein", "Kidney"),
    "C65": _t("Rein", "Kidney"),
    "C66": _t(
        "Uretère",
        "Ureter",
        "Le tube qui mène l'urine du rein à la vessie.",
        "The tube that takes urine from the kidney to the bladder.",
    ),
    "C67": _t("Vessie", "Bladder"),
    "C68": _t("Voies urinaires", "Urinary tract"),
    "C69": _t("Œil", "Eye"),
    "C70": _t("Enveloppes du cerveau", "Lining of the brain"),
    "C71": _t("Cerveau", "Brain"),
    "C72": _t("Moelle épinière ou nerfs", "Spinal cord or nerves"),
    "C73": _t(
        "Thyroïde",
        "Thyroid",
        "Une glande du cou qui fait des hormones.",
        "A gland in the neck that makes hormones.",
        "thyroide",
    ),
    "C74": _t(
        "Glande surrénale",
        "Adrenal gland",
        "Une petite glande posée sur le rein.",
        "A small gland on top of the kidney.",
    ),
    "C75": _t("Autre glande", "Other gland"),
    "C76": _t("Autre endroit du corps", "Other part of the body"),
    "C77": _t(
        "Ganglions",
        "Lymph nodes",
        "La maladie touche aussi des ganglions.",
        "The illness also affects some lymph nodes.",
        "ganglion",
    ),
    "C78": _t(
        "Autre organe (poitrine ou ventre)",
        "Other organ (chest or belly)",
        "La maladie touche aussi un organe de la poitrine ou du ventre.",
        "The illness also affects an organ in the chest or belly.",
        "metastase",
    ),
    "C79": _t(
        "Autre partie du corps",
        "Other part of the body",
        "La maladie touche aussi une autre partie du corps.",
        "The illness is also in another part of the body.",
        "metastase",
    ),
    "C80": _t("Endroit non précisé", "Place not stated"),
    "C81": _t(
        "Lymphome de Hodgkin",
        "Hodgkin lymphoma",
        "Un cancer des ganglions, souvent bien soigné.",
        "A cancer of the lymph nodes that often responds well to treatment.",
        "lymphome",
    ),
    "C82": _LYMPHOMA,
    "C83": _LYMPHOMA,
    "C84": _LYMPHOMA,
    "C85": _LYMPHOMA,
    "C86": _LYMPHOMA,
    "C88": _LYMPHOMA,
    "C90": _t(
        "Myélome",
        "Myeloma",
        "Un cancer de certaines cellules de la moelle des os.",
        "A cancer of some cells in the bone marrow.",
        "myelome",
    ),
    "C91": _LEUKAEMIA,
    "C92": _LEUKAEMIA,
    "C93": _LEUKAEMIA,
    "C94": _LEUKAEMIA,
    "C95": _LEUKAEMIA,
    "C96": _t("Sang ou ganglions", "Blood or lymph nodes"),
    "C97": _t("Plusieurs endroits", "Several places"),
    # Cancers found early, still in the layer where they started (in situ).
    "D00": _t("Bouche ou tube digestif (in situ)", "Mouth or digestive tract (in situ)", None, None, "in-situ"),
    "D01": _t("Appareil digestif (in situ)", "Digestive system (in situ)", None, None, "in-situ"),
    "D02": _t("Poumon ou gorge (in situ)", "Lung or throat (in situ)", None, None, "in-situ"),
    "D03": _t("Peau (mélanome in situ)", "Skin (melanoma in situ)", None, None, "in-situ"),
    "D04": _t("Peau (in situ)", "Skin (in situ)", None, None, "in-situ"),
    "D05": _t("Sein (in situ)", "Breast (in situ)", None, None, "in-situ"),
    "D06": _t("Col de l'utérus (in situ)", "Cervix (in situ)", None, None, "in-situ"),
    "D07": _t("Organes génitaux (in situ)", "Genital organs (in situ)", None, None, "in-situ"),
    "D09": _t("Autre endroit (in situ)", "Other place (in situ)", None, None, "in-situ"),
}

LATERALITY: dict[str, Words] = {
    "24028007": _t("Côté droit", "Right side"),
    "7771000": _t("Côté gauche", "Left side"),
    "51440002": _t("Des deux côtés", "Both sides"),
    "66459002": _t("D'un seul côté", "One side"),
}

BEHAVIOUR: dict[str, Words] = {
    "0": _t(
        "Tumeur bénigne",
        "Benign tumour",
        "Une boule qui n'est pas un cancer et ne s'étend pas.",
        "A lump that is not a cancer and does not spread.",
        "tumeur",
    ),
    "1": _t(
        "Tumeur à surveiller",
        "Tumour to watch",
        "Une tumeur dont on ne sait pas encore si elle peut s'étendre.",
        "A tumour that may or may not spread, which is watched.",
        "tumeur",
    ),
    "2": _t(
        "Cancer in situ",
        "Cancer in situ",
        "Un cancer resté dans la couche où il est né.",
        "A cancer that has stayed in the layer where it started.",
        "in-situ",
    ),
    "3": _t(
        "Cancer",
        "Cancer",
        "Une tumeur qui peut s'étendre si elle n'est pas soignée.",
        "A tumour that can spread if it is not treated.",
        "tumeur",
    ),
    "6": _t(
        "Cancer étendu (métastase)",
        "Cancer that has spread (metastasis)",
        "Des cellules du cancer parties vers une autre partie du corps.",
        "Cancer cells that have moved to another part of the body.",
        "metastase",
    ),
    "9": _t(
        "Cancer, point de départ à préciser",
        "Cancer, starting point to be confirmed",
        "L'équipe de soins cherche encore où le cancer a commencé.",
        "The care team is still finding out where the cancer started.",
        "tumeur",
    ),
}

MORPHOLOGY: dict[str, Words] = {
    "8000": _t("Tumeur", "Tumour", None, None, "tumeur"),
    "8010": _t("Carcinome", "Carcinoma", None, None, "carcinome"),
    "8041": _t("Carcinome à petites cellules", "Small cell carcinoma", None, None, "carcinome"),
    "8070": _t("Carcinome épidermoïde", "Squamous cell carcinoma", None, None, "carcinome"),
    "8140": _t("Adénocarcinome", "Adenocarcinoma", None, None, "adenocarcinome"),
    "8260": _t("Carcinome papillaire", "Papillary carcinoma", None, None, "carcinome"),
    "8441": _t("Carcinome séreux", "Serous carcinoma", None, None, "carcinome"),
    "8500": _t("Carcinome canalaire", "Ductal carcinoma", None, None, "carcinome"),
    "8520": _t("Carcinome lobulaire", "Lobular carcinoma", None, None, "carcinome"),
    "8550": _t("Adénocarcinome", "Adenocarcinoma", None, None, "adenocarcinome"),
    "8720": _t("Mélanome", "Melanoma", None, None, "melanome"),
    "8960": _t("Néphroblastome", "Nephroblastoma (Wilms tumour)", None, None, "nephroblastome"),
    "9650": _t("Lymphome de Hodgkin", "Hodgkin lymphoma", None, None, "lymphome"),
    "9680": _t("Lymphome B diffus à grandes cellules", "Diffuse large B-cell lymphoma", None, None, "lymphome"),
    "9690": _t("Lymphome folliculaire", "Follicular lymphoma", None, None, "lymphome"),
    "9732": _t("Myélome", "Myeloma", None, None, "myelome"),
}

# ----------------------------------------------------------------------------------------------------
# Rhythm in words
# ----------------------------------------------------------------------------------------------------

AT_HOME = {"fr": "à domicile", "en": "at home"}

ISO_UNITS = {"H": "h", "D": "d", "W": "wk", "M": "mo", "Y": "a"}
"""ISO 8601 duration letters → UCUM units (P3W → 3 wk); "M" after "T" (minutes) is not used in care plans."""


@dataclass(frozen=True, slots=True)
class UnitWords:
    """How to say a time unit: French singular / plural and gender (for tous / toutes), English singular / plural."""

    fr_one: str
    fr_many: str
    fr_feminine: bool
    en_one: str
    en_many: str


PERIOD_UNITS: dict[str, UnitWords] = {
    "min": UnitWords("minute", "minutes", True, "minute", "minutes"),
    "h": UnitWords("heure", "heures", True, "hour", "hours"),
    "d": UnitWords("jour", "jours", False, "day", "days"),
    "wk": UnitWords("semaine", "semaines", True, "week", "weeks"),
    "mo": UnitWords("mois", "mois", False, "month", "months"),
    "a": UnitWords("an", "ans", False, "year", "years"),
}


def _number_text(number: Decimal, lang: str) -> str:
    text = format(number.normalize(), "f")
    return text.replace(".", ",") if lang == "fr" else text


def every(number: Decimal, unit: UnitWords, lang: str) -> str:
    """ "every 3 weeks", "every day", "tous les 6 mois", "toutes les semaines"."""
    if lang == "en":
        return f"every {unit.en_one}" if number == 1 else f"every {_number_text(number, lang)} {unit.en_many}"
    article = "toutes les" if unit.fr_feminine else "tous les"
    return f"{article} {unit.fr_many}" if number == 1 else f"{article} {_number_text(number, lang)} {unit.fr_many}"


def times_per(times: int, unit: UnitWords, lang: str) -> str:
    """ "twice a day", "3 times a week", "2 fois par jour"."""
    if lang == "en":
        count = {1: "once", 2: "twice"}.get(times, f"{times} times")
        return f"{count} a {unit.en_one}"
    return f"{times} fois par {unit.fr_one}"


_WEEKDAYS: dict[str, tuple[str, str]] = {
    "307145004": ("lundi", "Monday"),
    "307147007": ("mardi", "Tuesday"),
    "307148002": ("mercredi", "Wednesday"),
    "307149005": ("jeudi", "Thursday"),
    "307150005": ("vendredi", "Friday"),
    "307151009": ("samedi", "Saturday"),
    "307146003": ("dimanche", "Sunday"),
}


def weekday_name(code: str | None, lang: str) -> str | None:
    """The weekday of a JDV_JoursSemaine code ("lundi" / "Monday"), None when unknown."""
    names = _WEEKDAYS.get(code or "")
    if names is None:
        return None
    return names[1] if lang == "en" else names[0]


def _joined(names: list[str], lang: str) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + (" and " if lang == "en" else " et ") + names[-1]


def every_weekdays(names: list[str], lang: str) -> str:
    """ "every Monday and Thursday", "chaque lundi et jeudi"."""
    return f"every {_joined(names, lang)}" if lang == "en" else f"chaque {_joined(names, lang)}"


def on_weekdays(names: list[str], lang: str) -> str:
    """ "on Monday and Thursday", "le lundi et le jeudi" (after a period: "every 2 weeks, on Monday")."""
    if lang == "en":
        return f"on {_joined(names, lang)}"
    return _joined([f"le {name}" for name in names], lang)


# ----------------------------------------------------------------------------------------------------
# Other codes a plan carries: contact roles by their code system, professions, family links, document types
# ----------------------------------------------------------------------------------------------------

_RPPS_PROFESSION = "1.2.250.1.213.1.1.4.5"  # TRE_G15 profession / TRE_R38 specialty (G15_10/SM36)
_INSEE_PCS = "1.2.250.1.213.2.13"
_ROLE_CODE = "2.16.840.1.113883.5.111"  # HL7 RoleCode: family links
_PARTICIPATION_FUNCTION = "2.16.840.1.113883.5.88"  # HL7 ParticipationFunction: PCP
_TEAM_MEMBER = "1.2.250.1.213.1.6.1.107"  # functionCode 353, care-team member
_STRUCTURE_KIND = "1.2.250.1.213.1.1.4.9"  # TRE_R02 SecteurActivite-like kinds (ETABLISSEMENT)

_DOCTOR = ("Médecin", "Doctor")


def _job(fr: str, en: str, gid: str | None = None) -> Words:
    return Words(fr, None, en, None, gid)


EXTRA_WORDS: dict[tuple[str, str], Words] = {
    # Contact roles written as codes (functionCode and its TA_ASIP translation)
    **{(TA_ASIP, code): ROLE_WORDS[code] for code in ROLE_WORDS if code.startswith("ORG-")},
    (_PARTICIPATION_FUNCTION, "PCP"): ROLE_WORDS["PCP"],
    (_TEAM_MEMBER, "353"): ROLE_WORDS["353"],
    # Professions and specialties of the people in the plan (only codes whose official display we have seen)
    (_RPPS_PROFESSION, "G15_10"): _job(*_DOCTOR),
    (_RPPS_PROFESSION, "G15_10/SM26"): _job("Médecin généraliste", "General practitioner (GP)", "medecin-traitant"),
    (_RPPS_PROFESSION, "G15_10/SM36"): _job("Oncologue", "Oncologist", "oncologue"),
    (_RPPS_PROFESSION, "G15_10/SM40"): _job("Pédiatre", "Paediatrician"),
    (_RPPS_PROFESSION, "G15_10/SM45"): _job("Radiothérapeute", "Radiation oncologist", "radiotherapeute"),
    (_RPPS_PROFESSION, "G15_10/SM53"): _job("Gériatre", "Geriatrician", "oncogeriatrie"),
    (_RPPS_PROFESSION, "G15_10/SM54"): _job("Chirurgien", "Surgeon", "chirurgien"),
    (_RPPS_PROFESSION, "G15_21"): _job("Pharmacien", "Pharmacist", "pharmacien"),
    (_RPPS_PROFESSION, "G15_21/A"): _job("Pharmacien", "Pharmacist", "pharmacien"),
    (_RPPS_PROFESSION, "G15_60"): _job("Infirmier", "Nurse"),
    (_RPPS_PROFESSION, "G15_86"): _job("Diététicien", "Dietitian", "dieteticien"),
    (_INSEE_PCS, "434b"): _job("Assistant social", "Social worker", "assistant-social"),
    # Family links of trusted persons, emergency contacts and legal representatives
    (_ROLE_CODE, "DAU"): _job("Fille", "Daughter"),
    (_ROLE_CODE, "SON"): _job("Fils", "Son"),
    (_ROLE_CODE, "MTH"): _job("Mère", "Mother"),
    (_ROLE_CODE, "FTH"): _job("Père", "Father"),
    (_ROLE_CODE, "PRN"): _job("Parent", "Parent"),
    (_ROLE_CODE, "SPS"): _job("Conjoint ou conjointe", "Spouse or partner"),
    (_ROLE_CODE, "HUSB"): _job("Mari", "Husband"),
    (_ROLE_CODE, "WIFE"): _job("Épouse", "Wife"),
    (_ROLE_CODE, "DOMPART"): _job("Partenaire", "Partner"),
    (_ROLE_CODE, "SIS"): _job("Sœur", "Sister"),
    (_ROLE_CODE, "BRO"): _job("Frère", "Brother"),
    (_ROLE_CODE, "GRMTH"): _job("Grand-mère", "Grandmother"),
    (_ROLE_CODE, "GRFTH"): _job("Grand-père", "Grandfather"),
    (_ROLE_CODE, "GRNDCHILD"): _job("Petit-enfant", "Grandchild"),
    (_ROLE_CODE, "NIECE"): _job("Nièce", "Niece"),
    (_ROLE_CODE, "NEPHEW"): _job("Neveu", "Nephew"),
    (_ROLE_CODE, "FRND"): _job("Ami ou amie", "Friend"),
    (_ROLE_CODE, "NBOR"): _job("Voisin ou voisine", "Neighbour"),
    (_ROLE_CODE, "GUARD"): _job("Tuteur ou tutrice", "Guardian", "representant-legal"),
    # Kinds of structure and of the documents a plan refers to
    (_STRUCTURE_KIND, "ETABLISSEMENT"): _job("Hôpital ou clinique", "Hospital or clinic"),
    (LOINC, "34794-8"): Words(
        "Compte rendu de la RCP",
        "Le résumé de la réunion où les médecins ont choisi les soins.",
        "MDT meeting report",
        "The summary of the meeting where the doctors chose the care.",
        "rcp",
    ),
    (LOINC, "51969-4"): Words(
        "Compte rendu de génétique",
        "Les résultats d'une analyse des gènes de la tumeur ou du sang.",
        "Genetics report",
        "The results of a test of the genes of the tumour or of the blood.",
    ),
    (LOINC, "18776-5"): Words(
        "Programme personnalisé de soins",
        "Le plan des soins, fait sur mesure par l'équipe de soins.",
        "Personal care plan",
        "The plan of care, made to measure by the care team.",
        "pps",
    ),
    # Measures given as reasons for an item (motif): weight, height, body mass index
    (LOINC, "29463-7"): _job("Poids", "Weight"),
    (LOINC, "8302-2"): _job("Taille", "Height"),
    (LOINC, "39156-5"): _job("Indice de masse corporelle", "Body mass index"),
}

# Routes written with HL7 RouteOfAdministration (as in the official example) instead of EDQM: same words.
_HL7_ROUTE = "2.16.840.1.113883.5.112"
_EDQM_WORDS = {code: CONCEPT_WORDS[(_K.ROUTE, EDQM, code)] for code in ("20030000", "20035000", "20045000", "20066000")}
EXTRA_WORDS.update(
    {
        (_HL7_ROUTE, "IDINJ"): _EDQM_WORDS["20030000"],
        (_HL7_ROUTE, "IM"): _EDQM_WORDS["20035000"],
        (_HL7_ROUTE, "IMINJ"): _EDQM_WORDS["20035000"],
        (_HL7_ROUTE, "IV"): _EDQM_WORDS["20045000"],
        (_HL7_ROUTE, "IVINJ"): _EDQM_WORDS["20045000"],
        (_HL7_ROUTE, "IVINJBOL"): _EDQM_WORDS["20045000"],
        (_HL7_ROUTE, "SQ"): _EDQM_WORDS["20066000"],
        (_HL7_ROUTE, "PO"): CONCEPT_WORDS[(_K.ROUTE, EDQM, "20053000")],
        # The generic "other" of the TA_ASIP terminology: plain "Other", or the value set's own "other" by kind.
        (TA_ASIP, "GEN-092"): Words("Autre", None, "Other", None),
    }
)

OTHER_BY_KIND: dict[CodeKind, Words] = {
    _K.ROUTE: CONCEPT_WORDS[(_K.ROUTE, EDQM, "20062000")],
    _K.TREATMENT_TYPE: CONCEPT_WORDS[(_K.TREATMENT_TYPE, TA_ASIP, "GEN-092.03.01")],
    _K.FOLLOW_UP_TYPE: CONCEPT_WORDS[(_K.FOLLOW_UP_TYPE, TA_ASIP, "GEN-092.04.06")],
    _K.SUPPORTIVE_CARE: CONCEPT_WORDS[(_K.SUPPORTIVE_CARE, TA_ASIP, "GEN-092.04.07")],
    _K.SOCIAL_SUPPORT: CONCEPT_WORDS[(_K.SOCIAL_SUPPORT, TA_ASIP, "GEN-092.04.08")],
    _K.ASSOCIATED_MEASURE: CONCEPT_WORDS[(_K.ASSOCIATED_MEASURE, TA_ASIP, "GEN-092.04.11")],
    _K.SIDE_EFFECT_MANAGEMENT: CONCEPT_WORDS[(_K.SIDE_EFFECT_MANAGEMENT, TA_ASIP, "GEN-092.04.12")],
    _K.UPDATE_REASON: CONCEPT_WORDS[(_K.UPDATE_REASON, TA_ASIP, "GEN-092.08.02")],
    _K.ADDICTION: CONCEPT_WORDS[(_K.ADDICTION, TA_ASIP, "GEN-092.01.04")],
    _K.CARE_STRUCTURE: CONCEPT_WORDS[(_K.CARE_STRUCTURE, TA_ASIP, "GEN-092.06.01")],
}
"""What a bare TA_ASIP "GEN-092" ("Autre") means in each value set."""
