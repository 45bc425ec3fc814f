"""The two official CI-SIS CANCER-PPS examples: every value visible in them is in the model."""

from __future__ import annotations

import dataclasses

import pytest

from portal.pps import DocumentRefused, read_pps
from portal.pps.model import (
    Address,
    CarePlan,
    Code,
    ContactRole,
    HL7Time,
    Identifier,
    ItemKind,
    ItemStatus,
    PersonName,
    ReferencedKind,
    SectionKey,
    Telecom,
)

from .documents import AUTOPRESENTABLE, EXTERNAL, FRCP, reference_file

TA_ASIP = "1.2.250.1.213.1.1.4.322"
LOREM = "(Texte libre) Lorem ipsum dolor sit amet, consectetuer adipiscing elit. Maecenas porttitor congue massa."
ANGERS_CLINIC = Address(house_number="4", street_name="Rue de Limoges", postal_code="49933", city="ANGERS")


@pytest.fixture(scope="module")
def plan() -> CarePlan:
    return read_pps(reference_file(EXTERNAL))


@pytest.fixture(scope="module")
def autopresentable() -> CarePlan:
    return read_pps(reference_file(AUTOPRESENTABLE))


def day(text: str) -> HL7Time:
    return HL7Time.parse(text)


def test_both_examples_have_all_ten_sections(plan: CarePlan, autopresentable: CarePlan) -> None:
    assert [s.key for s in plan.sections] == list(SectionKey)
    assert [s.key for s in autopresentable.sections] == list(SectionKey)


def test_both_examples_give_the_same_model_except_what_the_files_really_change(
    plan: CarePlan, autopresentable: CarePlan
) -> None:
    # The two files differ (checked with a canonical diff) only in: document id and setId, the patient's
    # birth date and name prefix, the guardian's family name and house number, and the route code of the
    # "other treatment" (EDQM 20062000 vs TA_ASIP GEN-092). Put those back and the models must be equal.
    auto = autopresentable
    assert auto.metadata.id == Identifier("1.2.250.1.213.1.1.1.26.2022.1.1")
    assert auto.patient.birth_date == day("19760531")
    assert auto.patient.name.prefix == ("MME",)
    assert auto.patient.guardians[0].name == PersonName(family="DECOURCY", given=("Jeanne",), prefix=("MME",))
    other = auto.programme[3]
    assert other.route == Code(TA_ASIP, "GEN-092", "Autre")

    aligned = dataclasses.replace(
        auto,
        metadata=dataclasses.replace(auto.metadata, id=plan.metadata.id, set_id=plan.metadata.set_id),
        patient=dataclasses.replace(
            auto.patient,
            birth_date=plan.patient.birth_date,
            name=plan.patient.name,
            guardians=plan.patient.guardians,
        ),
        programme=(*auto.programme[:3], dataclasses.replace(other, route=plan.programme[3].route), *auto.programme[4:]),
    )
    assert aligned == plan


def test_document_metadata(plan: CarePlan) -> None:
    meta = plan.metadata
    assert meta.id == Identifier("1.2.250.1.213.1.1.1.26.2022.2.1")
    assert meta.set_id == Identifier("1.2.250.1.213.1.1.1.26.2022.2")
    assert meta.version == 1
    assert meta.effective_time == HL7Time(2021, 1, 13, 12, 17, 0, offset_minutes=60)
    assert meta.title == "PROGRAMME PERSONNALISÉ DE SOINS EN CANCEROLOGIE"
    assert meta.code == Code("2.16.840.1.113883.6.1", "18776-5", "Plan personnalisé de soins")
    assert Identifier("1.2.250.1.213.1.1.1.26", "2022.01") in meta.template_ids
    assert meta.replaces is None and meta.related == ()
    assert meta.confidentiality == Code("2.16.840.1.113883.5.25", "N", "Normal")
    assert meta.language == "fr-FR"
    assert meta.realm == "FR"
    assert meta.care_setting == Code("1.2.250.1.71.4.2.4", "SA01", "Etablissement public de santé")
    assert meta.service_period is not None
    assert meta.service_period.low == day("20190930121700+0100")
    assert [p.rpps for p in meta.service_performers] == ["801234567897"]


def test_author_custodian_and_signatory(plan: CarePlan) -> None:
    author = plan.metadata.author
    assert author is not None
    assert author.time == day("20190930121700+0100")
    doctor = author.professional
    assert doctor.rpps == "801234567897"
    assert doctor.name == PersonName(family="MULLER", given=("Charles",), suffix=("DR",))
    assert doctor.role == Code("1.2.250.1.213.1.1.4.5", "G15_10/SM36", "Médecin - Oncologie, opt médicale (SM)")
    assert doctor.telecoms == (Telecom("tel:0242515151", "WP"),)
    assert doctor.addresses == (ANGERS_CLINIC,)
    assert doctor.organization is not None
    assert doctor.organization.name == "Clinique du Dr. MULLER"
    assert doctor.organization.ids == (Identifier("1.2.250.1.71.4.2.2", "2801234567"),)
    assert doctor.organization.kind == Code("1.2.250.1.213.1.1.4.9", "ETABLISSEMENT", "Etablissement de santé")

    custodian = plan.metadata.custodian
    assert custodian is not None
    assert custodian.name == "Centre de coordination en cancérologie d'ANGERS"
    assert custodian.ids == (Identifier("1.2.250.1.71.4.2.2", "1120456789"),)
    assert custodian.telecoms == (Telecom("tel:0442515151", "WP"),)
    assert custodian.addresses[0].street == "12 Place du Ralliement"

    signer = plan.metadata.legal_authenticator
    assert signer is not None
    assert signer.time == day("20190930121700+0100")
    assert signer.signature_code == "S"
    assert signer.professional.rpps == "801234567897"


def test_patient_identity(plan: CarePlan) -> None:
    patient = plan.patient
    assert patient.ins == Identifier("1.2.250.1.213.1.4.10", "279035121518989")
    assert patient.ins_system == "1.2.250.1.213.1.4.10"
    assert patient.ins_value == "279035121518989"
    assert patient.other_ids == (Identifier("1.2.3.4.567.8.9.10", "1234567890121"),)
    name = patient.name
    assert (name.birth_family, name.birth_given, name.first_given) == (
        "PAT-TROIS",
        "DOMINIQUE MARIE-LOUISE",
        "DOMINIQUE",
    )
    assert (name.used_family, name.used_given) == ("PAT-TROIS", "DOMINIQUE")
    assert name.display == "DOMINIQUE PAT-TROIS"
    assert patient.sex == Code("2.16.840.1.113883.5.1", "F", "Féminin")
    assert patient.birth_date == day("19790328")
    assert patient.birth_place == Address(county="51215", city="DOMPREMY")
    assert patient.addresses == (
        Address(
            house_number="28",
            street_name="Avenue de Breteuil",
            unit_id="Escalier A",
            postal_code="75007",
            city="PARIS",
            country="FRANCE",
        ),
    )
    assert patient.telecoms == (
        Telecom("tel:0144534551", "H"),
        Telecom("tel:0647151010", "MC"),
        Telecom("mailto:279035121518989@patient.mssante.fr"),
    )
    assert patient.telecoms[2].is_email and patient.telecoms[2].address == "279035121518989@patient.mssante.fr"


def test_guardian_trusted_person_and_emergency_contact(plan: CarePlan) -> None:
    (guardian,) = plan.patient.guardians
    assert guardian.name == PersonName(family="NESSI", given=("Jeanne",), prefix=("MME",))
    assert guardian.telecoms == (Telecom("tel:0147150000", "H"),)
    assert guardian.addresses[0].street == "28 Avenue de Breteuil"
    assert guardian.addresses[0].use == "H"

    for people, role in ((plan.trusted_persons, "NOK"), (plan.emergency_contacts, "ECON")):
        (person,) = people
        assert person.role == role
        assert person.relationship == Code("2.16.840.1.113883.5.111", "FTH", "Père")
        assert person.name == PersonName(family="MARTIN", given=("Pierre",))
        assert person.telecoms == (Telecom("tel:0158105676", "H"),)
        assert person.addresses == (
            Address(house_number="5", street_name="Rue de Lille", postal_code="75007", city="PARIS", country="France"),
        )


def test_every_useful_contact_with_its_role(plan: CarePlan) -> None:
    summary = [
        (
            c.role,
            c.type_code,
            c.function.code if c.function else None,
            c.person.display if c.person else None,
            c.organization.name if c.organization else None,
            tuple(t.value for t in c.telecoms),
        )
        for c in plan.contacts
    ]
    assert summary == [
        (ContactRole.REFERENCE_HOSPITAL, "RESP", None, None, "Clinique du Dr MULLER", ("tel:0147150000",)),
        (ContactRole.REFERENCE_HOSPITAL, "PRF", "353", "Charles MULLER", "Clinique du Dr MULLER", ("tel:0147150001",)),
        (ContactRole.REFERENCE_HOSPITAL, "PRF", "353", "Roland MORVAN", "Clinique du Dr MULLER", ("tel:0147150000",)),
        (
            ContactRole.REFERENCE_HOSPITAL,
            "PRF",
            "CORRE",
            None,
            "Centre d'hébergement de la clinique MULLER",
            ("tel:0147150012",),
        ),
        (ContactRole.COORDINATION_CENTRE, "PRF", "CORRE", None, "3C CHU Angers", ("tel:0442515151",)),
        (ContactRole.LOCAL_CARE, "PRF", "CORRE", "Pierre POIROT", "Pharmacie du quartier", ("tel:0148340000",)),
        (ContactRole.HEALTH_MEDIATOR, "INF", "CORRE", "Luce DUCOUT", "Médiateur de santé", ("tel:0134560000",)),
        (ContactRole.GENERAL_PRACTITIONER, "INF", "PCP", "Stéphane MEDIONI", None, ("tel:0147150000",)),
        (
            ContactRole.CITY_HOSPITAL_COORDINATION,
            "CON",
            "CORRE",
            "Georges DESCHAMPS",
            "Maison de santé",
            ("tel:0134510000",),
        ),
        (
            ContactRole.REGIONAL_NETWORK,
            "CON",
            "CORRE",
            None,
            "Réseau Régional de Cancérologie Onco Pays de la Loire",
            ("tel:0240847595", "mailto:contact@oncopl.com"),
        ),
        (
            ContactRole.SOCIAL_BODY,
            "INF",
            "CORRE",
            "Yvette GOUBI",
            "Maison départementale des personnes handicapées (MDPH)",
            ("tel:0165870000",),
        ),
        (ContactRole.SUPPORT_STRUCTURE, "INF", "CORRE", "Jeanne LICOUT", "Tabac info service", ("tel:0156780000",)),
    ]
    first, mueller, *_ = plan.contacts
    assert first.function is not None and first.function.null_flavor == "NA"
    assert first.comment == "Commentaire"
    assert first.period is not None
    assert (first.period.low, first.period.high) == (day("20190930121700+0100"), day("20191230121700+0100"))
    assert first.organization is not None and first.organization.ids == (
        Identifier("1.2.250.1.71.4.2.2", "2801234567"),
    )
    assert mueller.is_care_team_member and mueller.ids == (Identifier("1.2.250.1.71.4.2.1", "801234567897"),)
    assert mueller.period is not None and mueller.period.null_flavor == "UNK"
    network = plan.contacts[9]
    assert network.urls == ("https://oncopl.fr/parcours-de-soins/schema-du-parcours-de-soins/",)
    assert network.addresses[0].additional_locator == "Plateau des écoles"
    assert network.addresses[0].city == "Nantes Cedex 1"
    assert plan.contacts[10].comment == "https://mdphenligne.cnsa.fr/mdph/49"
    assert plan.contacts[11].urls == ("https://www.tabac-info-service.fr",)
    gp = plan.contacts[7]
    assert gp.profession == Code("1.2.250.1.213.1.1.4.5", "G15_10/SM26", "Médecin - Qualifié en Médecine Générale (SM)")
    assert gp.person == PersonName(family="MEDIONI", given=("Stéphane",), suffix=("DR",))
    assert gp.addresses[0].street == "3 Rue Petit Pont"
    assert plan.contacts[6].entity_class == "AGNT"


def test_comment_paediatrics_discovery_and_phase(plan: CarePlan) -> None:
    assert plan.patient_comment is not None and plan.patient_comment.startswith("(Texte libre) Lorem ipsum")
    assert plan.paediatrics is not None
    assert plan.paediatrics.applies is False
    assert plan.paediatrics.text == "Non"
    assert plan.paediatrics.comment is not None and plan.paediatrics.comment.endswith("Nunc viverra imperdiet enim.")
    assert plan.discovery is not None
    assert (plan.discovery.screening, plan.discovery.date, plan.discovery.text) == (True, day("20210110"), "Oui")
    assert plan.phase is not None
    assert plan.phase.code == Code(TA_ASIP, "MED-244", "Rechute du cancer", "Rechute du cancer")
    assert plan.phase.date == day("20210110")
    assert plan.phase.comment == LOREM
    progression = plan.progression
    assert progression is not None
    assert (progression.present, progression.local, progression.regional, progression.distant) == (
        True,
        True,
        True,
        False,
    )
    assert progression.date == day("20210110")


def test_diagnosis(plan: CarePlan) -> None:
    (tumour,) = plan.diagnoses
    assert tumour.date == day("20190129")
    assert tumour.label == "Tumeur Primitive"
    assert tumour.topography == Code(
        "2.16.840.1.113883.6.3",
        "C50.2",
        "Tumeur maligne du quadrant supéro-interne du sein",
        "Quadrant supéro-interne du sein",
    )
    assert tumour.laterality == Code("2.16.840.1.113883.6.96", "24028007", "droit", "Droit")
    assert tumour.morphology == Code("2.16.840.1.113883.6.43.1", "8000/3", "Tumeur maligne, SAI", "Tumeur maligne, SAI")
    tnm = "2.16.840.1.113883.15.6"
    assert tumour.clinical_stage == Code(tnm, "IB", "None")  # the example's displayName is literally "None"
    assert tumour.tnm_version == Code(tnm, "7", "TNM_UICC 7ème édition")
    assert tumour.tnm_t == Code(tnm, "T1b", "Tumeur envahissant la sous-muqueuse")
    assert tumour.tnm_n == Code(tnm, "N1", "Envahissement de 1 à 2 ganglions lymphatiques régionaux")
    assert tumour.tnm_m == Code(tnm, "M0", "Pas de métastases à distance")
    assert tumour.stage_date == day("20190129")
    assert tumour.other_stages == (LOREM,)
    assert tumour.comment == LOREM


def test_programme_items_done_and_planned(plan: CarePlan) -> None:
    summary = [
        (i.kind, i.status, i.type.code if i.type else None, i.dates.low if i.dates else None) for i in plan.programme
    ]
    assert summary == [
        (ItemKind.TREATMENT, ItemStatus.DONE, "C15313", day("20190501")),
        (ItemKind.TREATMENT, ItemStatus.PLANNED, "387713003", None),
        (ItemKind.TREATMENT, ItemStatus.PLANNED, "C15632", None),
        (ItemKind.TREATMENT, ItemStatus.PLANNED, "GEN-092.03.01", day("20191001")),
        (ItemKind.SIDE_EFFECT_MANAGEMENT, ItemStatus.PLANNED, "C20427", None),
        (ItemKind.ASSOCIATED_MEASURE, ItemStatus.PLANNED, "ORG-007", None),
        (ItemKind.ASSOCIATED_MEASURE, ItemStatus.PLANNED, "GEN-092.04.11", None),
        (ItemKind.FOLLOW_UP, ItemStatus.PLANNED, "11429006", day("20191110")),
    ]
    radiotherapy, surgery, chemo, other, growth_factor, measure, other_measure, consultation = plan.programme

    assert radiotherapy.type == Code("2.16.840.1.113883.3.26.1.1", "C15313", "Radiothérapie")
    # The entry points to "#trait-realise-radiotherapie", the narrative ID is "trait-réalise-radiotherapie".
    assert radiotherapy.label == "Radiothérapie"
    assert radiotherapy.dates is not None and radiotherapy.dates.high == day("20190701")
    assert radiotherapy.planned_dates is not None
    assert (radiotherapy.planned_dates.low, radiotherapy.planned_dates.high) == (day("20190901"), day("20191001"))
    assert radiotherapy.comment is not None and radiotherapy.comment.startswith("(Texte libre) Lorem ipsum")

    assert surgery.label == "Chirurgie"
    assert surgery.dates is not None and surgery.dates.null_flavor == "UNK"
    assert surgery.rhythm is not None and surgery.rhythm.at_home is False and surgery.rhythm.text is None
    assert [p.rpps for p in surgery.performers] == ["801234567897"]
    assert surgery.comment is not None and surgery.comment.startswith("(Texte libre)\nLorem ipsum")

    assert chemo.label == "Chimiothérapie conventionnelle"
    assert chemo.side_effects is not None
    assert chemo.side_effects.startswith("(Texte libre)\nVous allez recevoir une chimiothérapie")
    assert "La liste des effets secondaires n’est pas exhaustive." in chemo.side_effects

    assert other.label == LOREM
    assert other.dates is not None and other.dates.high == day("20191101")
    assert other.rhythm is not None
    assert other.rhythm.text == "1 fois par jour le matin après le petit déjeuner."
    assert other.rhythm.at_home is True
    assert other.route == Code("0.4.0.127.0.16.1.1.2.1", "20062000", "Autre(s)")
    assert other.route_text == "(Texte libre) Autre mode d'administration à définir avec le patient."
    assert other.side_effects == "Aucun effet secondaire connu."
    assert other.performers[0].name == PersonName(family="MORVAN", given=("Roland",), suffix=("DR",))
    assert other.performers[0].rpps == "801234576543"

    assert growth_factor.type == Code("2.16.840.1.113883.3.26.1.1", "C20427", "facteur de croissance hématopoïétique")
    assert growth_factor.planned_dates is not None
    assert (growth_factor.planned_dates.low, growth_factor.planned_dates.high) == (day("20191011"), day("20191113"))
    assert growth_factor.rhythm is not None and growth_factor.rhythm.text == "1 fois par jour."
    assert growth_factor.route == Code("2.16.840.1.113883.5.112", "IDINJ", "injection intradermique")
    assert growth_factor.route_text == "injection intradermique"
    assert growth_factor.comment is not None
    assert growth_factor.comment.startswith(LOREM + " Fusce posuere")
    assert growth_factor.comment.endswith("Nunc viverra imperdiet enim.")

    assert measure.label == "Prise en charge des conséquences neurocognitives et endocriniennes"
    assert other_measure.label == "(Texte libre) orem ipsum dolor sit amet"
    assert other_measure.comment is None  # "#mesure-comment-2" does not exist in the narrative

    assert consultation.type == Code("2.16.840.1.113883.6.96", "11429006", "consultation")
    assert consultation.dates is not None and consultation.dates.high == day("20191111")
    assert consultation.planned_dates is not None and consultation.planned_dates.low == day("20191010")
    assert consultation.rhythm is not None and consultation.rhythm.text == "Tous les 15 jours"

    stop = plan.treatment_stop
    assert stop is not None
    assert (stop.stopped, stop.date) == (True, day("20210112"))
    assert stop.comment == "Prise en charge des conséquences neurocognitives et endocriniennes"


def test_supportive_care_and_social_support(plan: CarePlan) -> None:
    summary = [(i.kind, i.status, i.type.code if i.type else None) for i in plan.support]
    assert summary == [
        (ItemKind.SUPPORTIVE_CARE, ItemStatus.DONE, "ORG-176"),
        (ItemKind.SUPPORTIVE_CARE, ItemStatus.PLANNED, "ORG-036"),
        (ItemKind.SUPPORTIVE_CARE, ItemStatus.PLANNED, "MED-562"),
        (ItemKind.SOCIAL_SUPPORT, ItemStatus.PLANNED, "PAT-024"),
        (ItemKind.SOCIAL_SUPPORT, ItemStatus.PLANNED, "GEN-092.04.08"),
    ]
    advice, nutrition, tobacco, home_help, other = plan.support
    assert advice.label == "Conseil d'hygiène de vie"
    assert advice.dates is not None and (advice.dates.low, advice.dates.high) == (day("20190501"), day("20190701"))

    assert nutrition.label == "Prise en charge diététique et nutritionnelle"
    assert nutrition.rhythm is not None
    assert (nutrition.rhythm.text, nutrition.rhythm.at_home) == ("1 fois par semaine.", True)
    (weight,) = nutrition.reasons
    assert weight.code == Code("2.16.840.1.113883.6.1", "29463-7", "Poids")
    assert (weight.text, weight.value, weight.date) == ("Poids : 97 kg", "70 kg", day("20191114"))

    assert tobacco.rhythm is not None and tobacco.rhythm.text == "1 fois par semaine."
    (smoking,) = tobacco.reasons
    assert smoking.code == Code("2.16.840.1.113883.6.1", "74011-8", "Consommation tabagique")
    assert smoking.text == "Fumeur actif"
    assert tobacco.performers[0].rpps == "801234576543"

    assert home_help.type == Code(TA_ASIP, "PAT-024", "Aide à domicile")
    assert home_help.dates is not None and home_help.dates.low == day("20210120")
    assert home_help.planned_dates is not None and home_help.planned_dates.high == day("20210620")
    worker = home_help.performers[0]
    assert worker.name == PersonName(family="JOLIE", given=("Séverine",), prefix=("MME",))
    assert worker.role == Code("1.2.250.1.213.2.13", "434b", "Assistant (e) de service social")
    assert worker.ids == ()  # <id nullFlavor="NA"/>
    assert worker.organization is not None and worker.organization.name == "Service social de la Ville de Paris"
    assert other.label == LOREM
    assert other.rhythm is not None and other.rhythm.at_home is True


def test_document_status(plan: CarePlan) -> None:
    status = plan.status
    assert status is not None
    assert status.status == Code("2.16.840.1.113883.6.96", "9571008", "approuvé")
    assert status.status_date == day("20210113")
    assert status.comment is not None and status.comment.startswith("(Texte libre) Lorem ipsum")
    assert status.update_reason == Code(TA_ASIP, "MED-560", "Réajustement du programme thérapeutique et de suivi")
    assert status.update_reason_date == day("20210113")
    assert status.update_reason_comment is not None and status.update_reason_comment.endswith("Mauris et orci.")
    assert status.rcp_date == day("20210110")
    assert status.handed_date == day("20210113")
    assert status.announcement_date == day("20210113")
    assert status.handed_by is not None and status.handed_by.rpps == "801234567897"


def test_referenced_documents(plan: CarePlan) -> None:
    assert [(r.id, r.kind, r.type_code) for r in plan.referenced_documents] == [
        (Identifier("1.2.3.4.567.8.9.10", "FRCP-2021-00001-1"), ReferencedKind.RCP_REPORT, "REFR"),
        (Identifier("1.2.250.1.213.1.1.9", "CRGM-2021-00002_1"), ReferencedKind.GENETICS_REPORT, "REFR"),
        (Identifier("1.2.250.1.213.1.1.10", "PPS-2020-0099_1"), ReferencedKind.PREVIOUS_PPS, "REFR"),
    ]
    assert plan.referenced_documents[0].text == "FRCP-2021-00001-1 (1.2.3.4.567.8.9.10)."


def test_personal_data_text_and_section_narratives(plan: CarePlan) -> None:
    assert plan.personal_data_text is not None
    assert plan.personal_data_text.startswith("Les établissements ou professionnels de santé")
    assert "http://lesdonnees.e-cancer.fr" in plan.personal_data_text
    discovery = plan.section(SectionKey.DISCOVERY)
    assert discovery is not None
    assert discovery.title == "MODE DE DÉCOUVERTE DU CANCER"
    assert discovery.text == "Mode de découverte du cancer\nPatient issu du dépistage | Oui"
    references = plan.section(SectionKey.REFERENCES)
    assert (
        references is not None
        and references.text.splitlines()[0] == "FRCP n° | FRCP-2021-00001-1 (1.2.3.4.567.8.9.10)."
    )


def test_the_example_defects_are_reported_as_warnings(plan: CarePlan) -> None:
    assert [(w.section, w.message) for w in plan.warnings] == [
        ("programme", "narrative reference '#trait-realise-radiotherapie' matches an ID spelled differently"),
        ("programme", "narrative reference '#mesure-comment-2' not found"),
    ]
    assert plan.pdf is None and not plan.is_pdf_only


def test_the_rcp_report_example_is_refused_as_not_a_pps() -> None:
    with pytest.raises(DocumentRefused, match="not a cancer PPS: an RCP report"):
        read_pps(reference_file(FRCP))
