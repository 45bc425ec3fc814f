"""Documents that are cancer PPS but incomplete, odd or PDF-only: read what is there, warn about the rest."""

from __future__ import annotations

import base64

from portal.pps import read_pps
from portal.pps.model import HL7Time, Identifier, ItemKind, ItemStatus, SectionKey

from .documents import PATIENT, pps, section, structured, ten_sections

TA = "1.2.250.1.213.1.1.4.322"


def messages(data: bytes) -> list[tuple[str, str]]:
    return [(w.section, w.message) for w in read_pps(data).warnings]


def test_missing_sections_become_warnings_not_errors() -> None:
    plan = read_pps(pps(structured(section("55112-7", "Commentaire", "<text>Bonjour</text>", "GEN-293"))))
    assert [s.key for s in plan.sections] == [SectionKey.PATIENT_COMMENT]
    missing = [w.section for w in plan.warnings if w.message == "section missing"]
    assert missing == ["diagnosis", "discovery", "programme", "support", "status", "references", "personal_data"]
    assert plan.programme == () and plan.status is None


def test_a_document_without_body_keeps_its_header() -> None:
    plan = read_pps(pps(""))
    assert plan.metadata.id == Identifier("1.2.250.1.999.1", "PPS-TEST-1")
    assert ("body", "the document has no body") in [(w.section, w.message) for w in plan.warnings]


def test_unexpected_null_flavors_everywhere_are_tolerated() -> None:
    null_patient = """
  <recordTarget nullFlavor="NI"><patientRole nullFlavor="UNK">
    <id nullFlavor="UNK"/><addr nullFlavor="UNK"/><telecom nullFlavor="UNK"/>
    <patient nullFlavor="UNK"><name nullFlavor="MSK"/><administrativeGenderCode nullFlavor="UNK"/>
    <birthTime nullFlavor="UNK"/></patient>
  </patientRole></recordTarget>
  <author nullFlavor="NI"><time nullFlavor="UNK"/>
    <assignedAuthor nullFlavor="UNK"><id nullFlavor="UNK"/></assignedAuthor></author>
  <custodian><assignedCustodian><representedCustodianOrganization nullFlavor="UNK"/></assignedCustodian></custodian>
  <participant typeCode="INF"><functionCode nullFlavor="UNK"/><time nullFlavor="UNK"/>
    <associatedEntity classCode="PROV" nullFlavor="UNK">
      <associatedPerson><name nullFlavor="UNK"/></associatedPerson></associatedEntity>
  </participant>"""
    item = f"""<entry><procedure moodCode="INT"><id nullFlavor="UNK"/>
      <code code="MED-568" codeSystem="{TA}"><qualifier><value nullFlavor="OTH"/></qualifier></code>
      <text nullFlavor="NA"/><statusCode nullFlavor="UNK"/>
      <effectiveTime nullFlavor="UNK"><low nullFlavor="UNK"/></effectiveTime>
      <performer><assignedEntity nullFlavor="UNK"/></performer>
      <entryRelationship typeCode="COMP"><observation moodCode="EVN"><code code="ORG-004" codeSystem="{TA}"/>
        <value xsi:type="BL" nullFlavor="UNK"/></observation></entryRelationship>
      <entryRelationship typeCode="COMP"><observation moodCode="EVN"><code code="GEN-177" codeSystem="{TA}"/>
        <effectiveTime nullFlavor="UNK"/></observation></entryRelationship>
    </procedure></entry>"""
    status = (
        f'<entry><observation moodCode="EVN"><code code="GEN-065" codeSystem="{TA}"/>'
        '<value nullFlavor="UNK"/></observation></entry>'
    )
    plan = read_pps(pps(structured(ten_sections(item, status)), patient=null_patient))
    (treatment,) = plan.programme
    assert treatment.kind == ItemKind.TREATMENT and treatment.status == ItemStatus.PLANNED
    assert treatment.type is not None and treatment.type.null_flavor == "OTH"
    assert treatment.dates is not None and treatment.dates.is_empty and treatment.dates.null_flavor == "UNK"
    assert treatment.rhythm is not None and treatment.rhythm.at_home is None
    assert treatment.performers == ()
    assert plan.patient.ins is None and plan.patient.birth_date is None
    assert plan.metadata.authors == () and plan.metadata.custodian is None
    assert plan.contacts[0].person is None
    assert ("header", "no INS (national health identifier) for the patient") in [
        (w.section, w.message) for w in plan.warnings
    ]


def test_impossible_dates_become_warnings() -> None:
    item = f"""<entry><procedure moodCode="EVN"><code code="MED-571" codeSystem="{TA}"/>
      <effectiveTime><low value="20240231"/><high value="20241301"/></effectiveTime></procedure></entry>"""
    plan = read_pps(pps(structured(ten_sections(item)), effective_time="2024023110"))
    assert plan.metadata.effective_time is None
    (follow_up,) = plan.programme
    assert follow_up.dates is not None and follow_up.dates.low is None and follow_up.dates.high is None
    found = [(w.section, w.message) for w in plan.warnings if "impossible" in w.message]
    assert found == [
        ("header", "document effectiveTime: impossible day in '2024023110'"),
        ("programme", "dates of an item MED-571: impossible day in '20240231'"),
        ("programme", "dates of an item MED-571: impossible month in '20241301'"),
    ]


def test_a_new_version_names_the_version_it_replaces() -> None:
    header = """<relatedDocument typeCode="RPLC"><parentDocument>
      <id root="1.2.250.1.999.1" extension="PPS-TEST-0"/><setId root="1.2.250.1.999.1" extension="PPS-TEST"/>
      <versionNumber value="1"/></parentDocument></relatedDocument>"""
    plan = read_pps(pps(header=header))
    assert plan.metadata.replaces == Identifier("1.2.250.1.999.1", "PPS-TEST-0")
    assert plan.metadata.related == (("RPLC", Identifier("1.2.250.1.999.1", "PPS-TEST-0")),)


def test_an_unknown_entry_is_reported_and_the_others_kept() -> None:
    entries = f"""<entry><observation moodCode="EVN"><code code="XYZ-1" codeSystem="{TA}"/></observation></entry>
      <entry><observation moodCode="EVN"><code code="MED-052" codeSystem="{TA}"/><effectiveTime value="20240301"/>
      <value xsi:type="BL" value="true"/></observation></entry>"""
    plan = read_pps(pps(structured(ten_sections(entries))))
    assert plan.treatment_stop is not None and plan.treatment_stop.date == HL7Time(2024, 3, 1)
    assert ("programme", "unexpected entry 'XYZ-1' ignored") in [(w.section, w.message) for w in plan.warnings]


def test_a_structured_rhythm_keeps_its_period_and_weekdays() -> None:
    item = f"""<entry><procedure moodCode="INT"><code code="MED-568" codeSystem="{TA}"/>
      <entryRelationship typeCode="COMP"><observation moodCode="EVN"><code code="ORG-004" codeSystem="{TA}"/>
        <text>Toutes les 3 semaines, le lundi</text>
        <value xsi:type="PIVL_TS"><period value="3" unit="wk"/></value>
        <value xsi:type="CD" code="307145004" codeSystem="2.16.840.1.113883.6.96" displayName="lundi"/>
        <value xsi:type="BL" value="false"/>
      </observation></entryRelationship></procedure></entry>"""
    (item_read,) = read_pps(pps(structured(ten_sections(item)))).programme
    rhythm = item_read.rhythm
    assert rhythm is not None
    assert (rhythm.text, rhythm.period_value, rhythm.period_unit, rhythm.at_home) == (
        "Toutes les 3 semaines, le lundi",
        "3",
        "wk",
        False,
    )
    assert [d.code for d in rhythm.weekdays] == ["307145004"]


def pdf_only(text_element: str) -> bytes:
    return pps(f"<component><nonXMLBody>{text_element}</nonXMLBody></component>")


def test_a_pdf_only_pps_gives_its_header_and_the_pdf() -> None:
    pdf = b"%PDF-1.7\n% fictional test rendition\n%%EOF\n"
    encoded = base64.encodebytes(pdf).decode()
    plan = read_pps(pdf_only(f'<text mediaType="application/pdf" representation="B64">{encoded}</text>'))
    assert plan.pdf == pdf and plan.pdf_media_type == "application/pdf"
    assert plan.is_pdf_only and plan.sections == () and plan.warnings == ()
    assert plan.patient.ins == Identifier("1.2.250.1.213.1.4.10", "299999999999999")
    assert plan.metadata.version == 2


def test_a_pdf_only_pps_with_a_broken_rendition_is_still_read() -> None:
    plan = read_pps(pdf_only('<text mediaType="application/pdf" representation="B64">@@not base64@@</text>'))
    assert plan.pdf is None and plan.is_pdf_only
    assert ("body", "the PDF rendition is not valid base64") in [(w.section, w.message) for w in plan.warnings]


def test_a_pdf_rendition_given_as_a_link_is_never_fetched() -> None:
    plan = read_pps(
        pdf_only('<text mediaType="application/pdf"><reference value="http://127.0.0.1:9/doc.pdf"/></text>')
    )
    assert plan.pdf is None
    assert [w.message for w in plan.warnings] == ["the rendition is a link to an outside file, which is not fetched"]


def test_a_rendition_that_is_not_a_pdf_is_flagged() -> None:
    encoded = base64.b64encode(b"GIF89a fictional").decode()
    plan = read_pps(pdf_only(f'<text mediaType="application/pdf" representation="B64">{encoded}</text>'))
    assert plan.pdf == b"GIF89a fictional"
    assert "the rendition does not look like a PDF (no %PDF- header)" in [w.message for w in plan.warnings]


def test_the_baseline_patient_fixture_is_used() -> None:
    assert "TESTFICTIF" in PATIENT and read_pps(pps()).patient.name.birth_family == "TESTFICTIF"
