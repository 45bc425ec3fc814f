"""Plain labels: every value-set code in both languages, the fallback to the document's words, the illness words."""

from __future__ import annotations

import pytest

from portal.plain import (
    ROLE_GROUPS,
    glossary_entry,
    item_kind_label,
    label,
    laterality_label,
    phase_label,
    progression_label,
    role_group,
    role_group_label,
    role_label,
    status_label,
    topography_label,
    update_reason_sentence,
)
from portal.plain.labels import CIM10, CIMO3, Lang, behaviour_label, morphology_label
from portal.plain.readability import words
from portal.pps.codes import CONCEPTS, TA_ASIP, CodeKind, Concept
from portal.pps.model import Code, ContactRole, ItemKind, Progression

from .strings import _words_tables

SNOMED = "2.16.840.1.113883.6.96"
NCIT = "2.16.840.1.113883.3.26.1.1"


def _id(concept: Concept) -> str:
    return f"{concept.kind.value}-{concept.code}"


@pytest.mark.parametrize("concept", CONCEPTS, ids=_id)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_value_set_concept_has_plain_words_and_an_explanation(concept: Concept, lang: Lang) -> None:
    found = label(Code(concept.system, concept.code), lang, kind=concept.kind)
    assert found is not None
    assert found.text.strip()
    assert found.explanation is not None and found.explanation.strip()
    assert not found.from_document
    assert len(words(found.explanation)) <= 20


def test_french_and_english_words_differ_where_the_languages_do() -> None:
    chemo = Code(NCIT, "C15632", "chimiothérapie")
    assert label(chemo, "fr") == label(chemo, "fr")
    fr, en = label(chemo, "fr"), label(chemo, "en")
    assert fr is not None and en is not None
    assert (fr.text, en.text) == ("Chimiothérapie", "Chemotherapy")
    assert fr.glossary_id == en.glossary_id == "chimiotherapie"


def test_a_code_in_two_value_sets_is_read_with_the_kind_asked() -> None:
    window = Code(TA_ASIP, "MED-556", "Fenêtre thérapeutique")
    as_treatment = label(window, "en", kind=CodeKind.TREATMENT_TYPE)
    as_reason = label(window, "en", kind=CodeKind.UPDATE_REASON)
    assert as_treatment is not None and as_reason is not None
    assert as_treatment.explanation != as_reason.explanation
    assert update_reason_sentence(window, "en") == "A break in the treatment has been planned."
    # Without a kind, a bare code reads as a programme item.
    assert label(window, "en") == as_treatment


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [("fr", "Les dates du programme ont changé."), ("en", "The dates in the plan have changed.")],
)
def test_calendar_change_is_told_as_a_plain_sentence(lang: Lang, sentence: str) -> None:
    assert update_reason_sentence(Code(TA_ASIP, "GEN-176", "Modification de calendrier"), lang) == sentence


def test_an_unknown_reason_for_update_gives_the_document_words() -> None:
    assert update_reason_sentence(Code(TA_ASIP, "XYZ-1", "Nouveau protocole"), "en") == "Nouveau protocole"
    assert update_reason_sentence(None, "fr") is None


def test_an_unknown_code_falls_back_to_the_authors_words_first() -> None:
    found = label(Code("1.2.3", "X1", display="Affichage", original_text="Texte de l'auteur"), "en")
    assert found is not None
    assert (found.text, found.from_document, found.explanation, found.glossary_id) == (
        "Texte de l'auteur",
        True,
        None,
        None,
    )


def test_an_unknown_code_without_author_words_falls_back_to_its_display() -> None:
    found = label(Code("1.2.3", "X1", display="Affichage"), "fr")
    assert found is not None and (found.text, found.from_document) == ("Affichage", True)


@pytest.mark.parametrize(
    "code",
    [None, Code("1.2.3", "X1"), Code(None, None, null_flavor="UNK"), Code("1.2.3", "X1", display="  ")],
    ids=["none", "bare-code", "null-flavor", "blank-display"],
)
def test_nothing_usable_gives_no_label(code: Code | None) -> None:
    # A bare code ("X1") means nothing to a patient: no label rather than a code as the main text.
    assert label(code, "fr") is None


def test_a_known_code_ignores_a_misleading_display() -> None:
    found = label(Code(NCIT, "C15313", display="texte inattendu"), "en")
    assert found is not None and found.text == "Radiotherapy" and not found.from_document


@pytest.mark.parametrize(
    ("code", "fr", "en"),
    [
        ("C50.2", "Sein", "Breast"),
        ("C50", "Sein", "Breast"),
        ("C18.7", "Côlon", "Colon (bowel)"),
        ("C34.1", "Poumon", "Lung"),
        ("C61", "Prostate", "Prostate"),
        ("C73", "Thyroïde", "Thyroid"),
        ("C32.0", "Larynx", "Voice box (larynx)"),
        ("C56", "Ovaire", "Ovary"),
        ("C64", "Rein", "Kidney"),
        ("C83.3", "Lymphome", "Lymphoma"),
        ("C85.9", "Lymphome", "Lymphoma"),
        ("D05.1", "Sein (in situ)", "Breast (in situ)"),
    ],
)
def test_cim10_topography_is_named_plainly(code: str, fr: str, en: str) -> None:
    topography = Code(CIM10, code, "Tumeur maligne …")
    found_fr, found_en = topography_label(topography, "fr"), label(topography, "en")
    assert found_fr is not None and found_en is not None
    assert (found_fr.text, found_en.text) == (fr, en)
    assert not found_en.from_document


def test_every_cancer_chapter_group_from_c00_to_c97_has_words() -> None:
    unused = {"C27", "C28", "C29", "C35", "C36", "C42", "C59", "C87", "C89"}  # no such CIM-10 group
    for number in range(98):
        group = f"C{number:02d}"
        if group in unused:
            continue
        found = topography_label(Code(CIM10, f"{group}.9"), "en")
        assert found is not None, group


def test_an_unknown_topography_keeps_the_documents_words() -> None:
    found = label(Code(CIM10, "Z99", "Autre chose"), "fr")
    assert found is not None and found.from_document and found.text == "Autre chose"


@pytest.mark.parametrize(
    ("code", "fr", "en"),
    [
        ("24028007", "Côté droit", "Right side"),
        ("7771000", "Côté gauche", "Left side"),
        ("51440002", "Des deux côtés", "Both sides"),
    ],
)
def test_laterality_is_named_plainly(code: str, fr: str, en: str) -> None:
    side = Code(SNOMED, code, "droit")
    found_fr, found_en = laterality_label(side, "fr"), label(side, "en")
    assert found_fr is not None and found_en is not None
    assert (found_fr.text, found_en.text) == (fr, en)


@pytest.mark.parametrize(
    ("code", "en"),
    [
        ("8500/3", "Cancer"),
        ("8500/2", "Cancer in situ"),
        ("8000/0", "Benign tumour"),
        ("8000/6", "Cancer that has spread (metastasis)"),
    ],
)
def test_the_cimo3_behaviour_digit_is_said_plainly(code: str, en: str) -> None:
    found = behaviour_label(Code(CIMO3, code), "en")
    assert found is not None and found.text == en and found.explanation


def test_a_common_morphology_is_named_and_an_unknown_one_keeps_the_teams_words() -> None:
    ductal = label(Code(CIMO3, "8500/3", "Carcinome canalaire infiltrant, SAI"), "en")
    assert ductal is not None and ductal.text == "Ductal carcinoma" and ductal.glossary_id == "carcinome"
    rare = label(Code(CIMO3, "8833/3", "Dermatofibrosarcome protubérant"), "fr")
    assert rare is not None and rare.from_document and rare.text == "Dermatofibrosarcome protubérant"
    coded_only = label(Code(CIMO3, "8833/3"), "en")
    assert coded_only is not None and coded_only.text == "Cancer"
    assert morphology_label(Code(CIMO3, None), "fr") is None


@pytest.mark.parametrize(
    ("role", "group"),
    [
        ("ORG-177", "hospital"),
        ("353", "hospital"),
        ("CORRE", "hospital"),
        ("PCP", "gp"),
        ("ORG-178", "gp"),
        ("ORG-190", "coordination"),
        ("ORG-179", "coordination"),
        ("ORG-191", "coordination"),
        ("ORG-188", "support"),
        ("ORG-180", "support"),
        ("ORG-181", "support"),
        ("other", "support"),
        ("XYZ", "support"),
    ],
)
def test_contact_roles_fall_into_the_four_groups(role: str, group: str) -> None:
    assert role_group(role) == group
    assert group in ROLE_GROUPS


def test_role_group_accepts_the_models_contact_role() -> None:
    assert role_group(ContactRole.GENERAL_PRACTITIONER) == "gp"
    assert role_label(ContactRole.COORDINATION_CENTRE, "en").glossary_id == "3c"


@pytest.mark.parametrize("role", [r.value for r in ContactRole] + ["353", "CORRE"])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_contact_role_has_a_plain_name_and_explanation(role: str, lang: Lang) -> None:
    found = role_label(role, lang)
    assert found.text and found.explanation and not found.from_document


def test_an_unknown_role_is_a_generic_contact() -> None:
    assert role_label("ORG-999", "en").text == "Contact"
    assert role_label("ORG-999", "fr").text == "Contact"
    assert role_label("PCP", "fr").text == "Médecin traitant"


@pytest.mark.parametrize("group", ROLE_GROUPS)
def test_every_contact_group_has_a_heading(group: str) -> None:
    assert role_group_label(group, "fr").text != role_group_label(group, "en").text


def test_role_codes_written_as_codes_are_named_too() -> None:
    assert label(Code(TA_ASIP, "ORG-190", "Centre de coordination de cancérologie (3C)"), "en") == role_label(
        "ORG-190", "en"
    )
    gp = label(Code("2.16.840.1.113883.5.88", "PCP", "Médecin Traitant"), "fr")
    assert gp is not None and gp.text == "Médecin traitant"


@pytest.mark.parametrize("kind", list(ItemKind))
def test_every_item_kind_has_a_plain_name_in_both_languages(kind: ItemKind) -> None:
    fr, en = item_kind_label(kind, "fr"), item_kind_label(kind, "en")
    assert fr.text != en.text
    assert fr.explanation and en.explanation


def test_item_kind_names() -> None:
    assert item_kind_label(ItemKind.FOLLOW_UP, "en").text == "Follow-up"
    assert item_kind_label(ItemKind.SUPPORTIVE_CARE, "fr").text == "Soins de support"


def test_phase_and_status_use_their_value_set() -> None:
    relapse = phase_label(Code(TA_ASIP, "MED-244", "Rechute du cancer"), "en")
    assert relapse is not None and relapse.text == "Relapse" and relapse.glossary_id == "rechute"
    closed = status_label(Code(SNOMED, "29179001", "clôturé"), "fr")
    assert closed is not None and closed.text == "Clos"


@pytest.mark.parametrize(
    ("progression", "en"),
    [
        (Progression(present=True, local=True), "Growth where it started"),
        (Progression(present=True, local=True, regional=True), "Spread nearby"),
        (Progression(present=True, local=True, distant=True), "Spread to another part of the body"),
        (Progression(present=True), "Change in the illness"),
    ],
)
def test_progression_is_said_from_its_widest_extent(progression: Progression, en: str) -> None:
    found = progression_label(progression, "en")
    assert found is not None and found.text == en


@pytest.mark.parametrize("progression", [None, Progression(present=False), Progression(present=None)])
def test_no_progression_says_nothing(progression: Progression | None) -> None:
    assert progression_label(progression, "fr") is None


def test_every_glossary_link_of_a_label_exists() -> None:
    missing = {
        (where, words.glossary_id)
        for where, words in _words_tables()
        if words.glossary_id is not None and glossary_entry(words.glossary_id) is None
    }
    assert not missing


def test_a_bare_other_code_reads_as_the_other_of_its_value_set() -> None:
    other = Code(TA_ASIP, "GEN-092", "Autre")
    route = label(other, "en", kind=CodeKind.ROUTE)
    assert route is not None and route.text == "Another way to take it"
    plain = label(other, "fr")
    assert plain is not None and plain.text == "Autre" and not plain.from_document


def test_a_route_written_in_hl7_reads_like_its_edqm_twin() -> None:
    hl7 = label(Code("2.16.840.1.113883.5.112", "IDINJ", "injection intradermique"), "en")
    edqm = label(Code("0.4.0.127.0.16.1.1.2.1", "20030000", "Voie intradermique"), "en")
    assert hl7 == edqm
