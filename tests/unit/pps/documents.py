"""Small CANCER-PPS documents built in the tests (synthetic, obviously fictional people, test INS system)."""

from __future__ import annotations

from pathlib import Path

import pytest

REFERENCE = Path(__file__).resolve().parents[3] / ".." / "shared" / "reference" / "ci-sis"
EXTERNAL = "CANCER-PPS_2022.01_feuille-de-style-externe.xml"
AUTOPRESENTABLE = "CANCER-PPS_2022.01_Autopresentable.xml"
FRCP = "CANCER-FRCP_2022.01_Appareil.xml"


def reference_file(name: str) -> bytes:
    """An official CI-SIS file, or skip the test when ../shared/reference is absent."""
    path = REFERENCE / name
    if not path.is_file():
        pytest.skip(f"{name}: ../shared/reference is absent")
    return path.read_bytes()


HEADER_TEMPLATES = """
  <templateId root="2.16.840.1.113883.2.8.2.1"/>
  <templateId root="1.2.250.1.213.1.1.1.1"/>
  <templateId root="1.2.250.1.213.1.1.1.26" extension="2022.01"/>"""

PATIENT = """
  <recordTarget><patientRole>
    <id root="1.2.250.1.213.1.4.10" extension="299999999999999"/>
    <patient>
      <name><family qualifier="BR">TESTFICTIF</family><given>ALICE</given></name>
      <administrativeGenderCode code="F" codeSystem="2.16.840.1.113883.5.1"/>
      <birthTime value="19700101"/>
    </patient>
  </patientRole></recordTarget>"""


def section(loinc: str, title: str, body: str = "", translation: str | None = None) -> str:
    trans = f'<translation code="{translation}" codeSystem="1.2.250.1.213.1.1.4.322"/>' if translation else ""
    return (
        f'<component><section><code code="{loinc}" codeSystem="2.16.840.1.113883.6.1">{trans}</code>'
        f"<title>{title}</title>{body}</section></component>"
    )


def ten_sections(programme_entries: str = "", status_entries: str = "") -> str:
    return "".join(
        [
            section("55112-7", "Commentaire", "<text>Rien de particulier.</text>", "GEN-293"),
            section("42349-1", "Pédiatrie", _obs("ORG-116", '<value xsi:type="BL" value="false"/>')),
            section("72135-7", "Diagnostic", "<text>Tumeur</text>"),
            section(
                "42545-4", "Découverte", _obs("63921-1", '<value xsi:type="BL" value="true"/>', "2.16.840.1.113883.6.1")
            ),
            section(
                "18733-6",
                "Phase",
                _obs("MED-243", '<value xsi:type="CD" code="MED-268" codeSystem="1.2.250.1.213.1.1.4.322"/>'),
            ),
            section("18776-5", "Programme", "<text>Programme</text>" + programme_entries, "MED-566"),
            section("18776-5", "Soins de support", "<text>Support</text>", "MED-567"),
            section("33557-0", "Statut", "<text>Statut</text>" + status_entries),
            section("55107-7", "Documents", "<text>Aucun</text>"),
            section("55112-7", "Données personnelles", "<text>Vos données.</text>", "GEN-294"),
        ]
    )


def _obs(code: str, value: str, system: str = "1.2.250.1.213.1.1.4.322") -> str:
    return (
        f'<entry><observation classCode="OBS" moodCode="EVN"><code code="{code}" codeSystem="{system}"/>'
        f"{value}</observation></entry>"
    )


def pps(
    body: str | None = None,
    *,
    templates: str = HEADER_TEMPLATES,
    header: str = "",
    code: str = "18776-5",
    namespace: str = "urn:hl7-org:v3",
    patient: str = PATIENT,
    effective_time: str = "20240115103000+0100",
) -> bytes:
    """A small well-formed PPS; `body` is the whole `component` (defaults to the ten sections)."""
    if body is None:
        body = f"<component><structuredBody>{ten_sections()}</structuredBody></component>"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="{namespace}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <realmCode code="FR"/>
  <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>{templates}
  <id root="1.2.250.1.999.1" extension="PPS-TEST-1"/>
  <code code="{code}" codeSystem="2.16.840.1.113883.6.1"/>
  <title>PPS de test</title>
  <effectiveTime value="{effective_time}"/>
  <confidentialityCode code="N" codeSystem="2.16.840.1.113883.5.25"/>
  <languageCode code="fr-FR"/>
  <setId root="1.2.250.1.999.1" extension="PPS-TEST"/>
  <versionNumber value="2"/>
  {patient}{header}
  {body}
</ClinicalDocument>""".encode()


def structured(sections: str) -> str:
    return f"<component><structuredBody>{sections}</structuredBody></component>"
