"""Body sections both synthetic CDA writers share (PPS and RCP report): cancer diagnosis, how it was found, phase.

`BodyWriter` holds what one document's writing shares: the case, the PPS version the document is about, narrative
IDs and name-based entry UUIDs (so the same inputs always give the same bytes).
"""

from __future__ import annotations

import datetime as dt

from lxml import etree

from synthetic import codes as c
from synthetic.spec import Case, Diagnosis, Version
from synthetic.xml import code_el, day, el, entry_uuid, french_date

__all__ = ["BodyWriter"]

#: How a T, N or M the diagnosis does not give is written where the model requires it (e.g. an RCP report on a
#: tumour staged by another classification): not applicable, said in words.
NOT_APPLICABLE = "Non applicable (voir autre classification)"


class BodyWriter:
    """Writes sections into one document; `namespace` makes its entry UUIDs unique to that document."""

    def __init__(self, case: Case, version: Version, reference: dt.date, namespace: str) -> None:
        self.case = case
        self.version = version
        self.ref = reference
        self.namespace = namespace
        self._ids = 0

    # -- helpers ---------------------------------------------------------------------------------------------

    def new_id(self, what: str) -> str:
        """A unique narrative ID (the reader resolves `#id` references against them)."""
        self._ids += 1
        return f"n{self._ids}-{what}"

    def uuid(self) -> str:
        self._ids += 1
        return entry_uuid(f"{self.namespace}/{self._ids}")

    def day(self, offset: int) -> str:
        return day(self.ref, offset)

    def content(self, parent: etree._Element, text: str, what: str) -> str:
        identifier = self.new_id(what)
        el(parent, "content", text, ID=identifier)
        return identifier

    def section(
        self,
        body: etree._Element,
        templates: tuple[str, ...],
        code: c.Code,
        title: str,
        translation: c.Code | None = None,
    ) -> tuple[etree._Element, etree._Element]:
        section = el(el(body, "component"), "section")
        for template in templates:
            el(section, "templateId", root=template)
        el(section, "id", root=self.uuid())
        code_element = code_el(section, "code", code)
        if translation is not None:
            code_el(code_element, "translation", translation)
        el(section, "title", title)
        return section, el(section, "text")

    def simple_observation(
        self, parent: etree._Element, code: c.Code, reference: str | None, effective: str | None = None
    ) -> etree._Element:
        """An FR-Simple-Observation (its value is added by the caller)."""
        observation = el(parent, "observation", classCode="OBS", moodCode="EVN")
        el(observation, "templateId", root="1.3.6.1.4.1.19376.1.5.3.1.4.13")
        el(observation, "templateId", root="1.2.250.1.213.1.1.3.48")
        el(observation, "id", root=self.uuid())
        code_el(observation, "code", code)
        el(el(observation, "text"), "reference", value=f"#{reference or ''}")
        el(observation, "statusCode", code="completed")
        if effective is None:
            el(observation, "effectiveTime", nullFlavor="NA")
        else:
            el(observation, "effectiveTime", value=effective)
        return observation

    def comment(self, parent: etree._Element, reference: str) -> None:
        """An FR-Commentaire-ER pointing at narrative `reference`."""
        act = el(
            el(parent, "entryRelationship", typeCode="SUBJ", inversionInd="true"),
            "act",
            classCode="ACT",
            moodCode="EVN",
        )
        for template in ("2.16.840.1.113883.10.20.1.40", "1.3.6.1.4.1.19376.1.5.3.1.4.2", "1.2.250.1.213.1.1.3.32"):
            el(act, "templateId", root=template)
        code_el(act, "code", c.COMMENT)
        el(el(act, "text"), "reference", value=f"#{reference}")
        el(act, "statusCode", code="completed")

    def diagnosis(self, body: etree._Element, *, title: str = "DIAGNOSTIC", tnm_required: bool = False) -> None:
        """FR-Diagnostic-du-cancer; `tnm_required` writes T, N and M even when the case does not give them."""
        diagnosis = self.case.diagnosis
        assert diagnosis is not None
        section, text = self.section(
            body,
            (
                "2.16.840.1.113883.10.20.1.11",
                "1.3.6.1.4.1.19376.1.5.3.1.3.6",
                "1.3.6.1.4.1.19376.1.7.3.1.3.14.1",
                "1.2.250.1.213.1.1.2.27",
            ),
            c.Code(c.LOINC, "72135-7", "Diagnostic du cancer"),
            title,
        )
        table = el(text, "table", border="0")
        label = self.content(el(el(el(table, "thead"), "tr"), "th", colspan="3"), "Tumeur primitive", "tumeur")
        rows = el(table, "tbody")

        def row(title: str, value: str, what: str, code: str = "") -> str:
            tr = el(rows, "tr")
            el(tr, "td", title, styleCode="Bold")
            el(tr, "td", code)
            return self.content(el(tr, "td"), value, what)

        row("Date du diagnostic initial", french_date(self.ref, diagnosis.date), "date")
        topography = row(
            "Topographie", diagnosis.topography.display, "topographie", f"{diagnosis.topography.code} [CIM-10]"
        )
        laterality = row("Latéralité", diagnosis.laterality.display, "lateralite") if diagnosis.laterality else None
        morphology = row(
            "Morphologie", diagnosis.morphology.display, "morphologie", f"{diagnosis.morphology.code} [CIM-O-3]"
        )
        stage_ref = row("Stade", diagnosis.stage.display, "stade") if diagnosis.stage else None
        tnm_refs = [
            (
                part,
                loinc,
                row(
                    f"TNM ({letter})",
                    NOT_APPLICABLE if part is None else f"{part.code} : {part.display}",
                    f"tnm-{letter.lower()}",
                ),
            )
            for letter, part, loinc in _tnm_parts(diagnosis)
            if part is not None or tnm_required
        ]
        other = row("Autre stade", diagnosis.other_stage, "autre-stade") if diagnosis.other_stage else None
        comment = row("Commentaire", diagnosis.comment, "commentaire") if diagnosis.comment else None

        act = el(el(section, "entry"), "act", classCode="ACT", moodCode="EVN")
        for template in (
            "2.16.840.1.113883.10.20.1.27",
            "1.3.6.1.4.1.19376.1.5.3.1.4.5.1",
            "1.3.6.1.4.1.19376.1.5.3.1.4.5.2",
            "1.2.250.1.213.1.1.3.39",
            "1.2.250.1.213.1.1.3.39.1",
        ):
            el(act, "templateId", root=template)
        el(act, "id", root=self.uuid())
        el(act, "code", nullFlavor="NA")
        el(act, "statusCode", code="active")
        el(el(act, "effectiveTime"), "low", value=self.day(diagnosis.date))
        observation = el(
            el(act, "entryRelationship", typeCode="SUBJ", inversionInd="false"),
            "observation",
            classCode="OBS",
            moodCode="EVN",
            negationInd="false",
        )
        for template in (
            "2.16.840.1.113883.10.20.1.28",
            "1.3.6.1.4.1.19376.1.5.3.1.4.5",
            "1.2.250.1.213.1.1.3.37",
            "1.3.6.1.4.1.19376.1.7.3.1.4.14.1",
            "1.2.250.1.213.1.1.3.113",
        ):
            el(observation, "templateId", root=template)
        el(observation, "id", root=self.uuid())
        el(observation, "code", code="282291009", displayName="interprétation diagnostique", codeSystem=c.SNOMED)
        el(el(observation, "text"), "reference", value=f"#{label}")
        el(observation, "statusCode", code="completed")
        el(el(observation, "effectiveTime"), "low", value=self.day(diagnosis.date))
        value = code_el(observation, "value", diagnosis.morphology, type_="CD")
        el(el(value, "originalText"), "reference", value=f"#{morphology}")
        site = code_el(observation, "targetSiteCode", diagnosis.topography)
        el(el(site, "originalText"), "reference", value=f"#{topography}")
        if diagnosis.laterality is not None and laterality is not None:
            qualifier = el(site, "qualifier")
            el(qualifier, "name", code="20228-3", displayName="Latéralité", codeSystem=c.LOINC)
            side = code_el(qualifier, "value", diagnosis.laterality, type_="CE")
            el(el(side, "originalText"), "reference", value=f"#{laterality}")
        if diagnosis.stage is not None or tnm_refs:
            stage = el(
                el(observation, "entryRelationship", typeCode="SUBJ", inversionInd="false"),
                "observation",
                classCode="OBS",
                moodCode="EVN",
                negationInd="false",
            )
            el(stage, "templateId", root="1.3.6.1.4.1.19376.1.7.3.1.4.14.2")
            el(stage, "code", code="75620-5", displayName="Stade TNM Clinique", codeSystem=c.LOINC)
            el(el(stage, "text"), "reference", value=f"#{stage_ref or ''}")
            el(stage, "statusCode", code="completed")
            el(el(stage, "effectiveTime"), "low", value=self.day(diagnosis.date))
            stage_value = el(stage, "value", type_="CD")
            if diagnosis.stage is not None:
                qualifier = el(stage_value, "qualifier")
                el(qualifier, "name", code="21909-7", displayName="Stade clinique", codeSystem=c.LOINC)
                code_el(qualifier, "value", diagnosis.stage, type_="CD")
            qualifier = el(stage_value, "qualifier")
            el(qualifier, "name", code="21917-0", displayName="Version TNM Classification", codeSystem=c.LOINC)
            el(qualifier, "value", type_="CD", code="8", displayName="TNM_UICC 8e édition", codeSystem=c.TNM)
            for part, loinc, ref in tnm_refs:
                inner = self.simple_observation(el(stage, "entryRelationship", typeCode="COMP"), loinc, ref)
                if part is None:
                    el(inner, "value", type_="CD", nullFlavor="NA")
                else:
                    code_el(inner, "value", part, type_="CD", codeSystemVersion="8")
        if other is not None:
            inner = self.simple_observation(
                el(observation, "entryRelationship", typeCode="SUBJ", inversionInd="false"),
                c.Code(c.LOINC, "21918-8", "Autre classification du stade"),
                other,
            )
            el(el(el(inner, "value", type_="CD"), "originalText"), "reference", value=f"#{other}")
        if comment is not None:
            self.comment(observation, comment)

    def discovery(self, body: etree._Element) -> None:
        section, text = self.section(
            body,
            ("1.3.6.1.4.1.19376.1.5.3.1.1.21.2.9", "1.3.6.1.4.1.19376.1.7.3.1.1.13.7", "1.2.250.1.213.1.1.2.163"),
            c.Code(c.LOINC, "42545-4", "Evènements observés"),
            "MODE DE DÉCOUVERTE DU CANCER",
        )
        line = el(text, "paragraph", "Patient issu du dépistage : ")
        answer = self.content(line, "Oui" if self.case.screening else "Non", "depistage")
        date = self.case.diagnosis.date if self.case.diagnosis else self.version.date
        observation = self.simple_observation(el(section, "entry"), c.SCREENING, answer, self.day(date))
        el(observation, "value", type_="BL", value="true" if self.case.screening else "false")

    def phase(self, body: etree._Element) -> None:
        version = self.version
        section, text = self.section(
            body,
            ("1.3.6.1.4.1.19376.1.5.3.1.1.13.2.7", "1.2.250.1.213.1.1.2.25"),
            c.Code(c.LOINC, "18733-6", "Note de progression"),
            "PHASE CLINIQUE DE LA MALADIE",
        )
        line = el(text, "paragraph", "Phase : ")
        phase = self.content(line, version.phase.display, "phase")
        el(line, "br").tail = f"Depuis le {french_date(self.ref, version.phase_date)}"
        comment = None
        if version.phase_comment:
            comment = self.content(el(text, "paragraph", "Précisions : "), version.phase_comment, "phase-comment")
        observation = self.simple_observation(el(section, "entry"), c.PHASE, phase, self.day(version.phase_date))
        value = code_el(observation, "value", version.phase, type_="CD")
        el(el(value, "originalText"), "reference", value=f"#{phase}")
        if comment:
            self.comment(observation, comment)
        progressed = bool(version.progression)
        line = el(text, "paragraph", "Progression : ")
        answer = self.content(line, "Oui" if progressed else "Non", "progression")
        observation = self.simple_observation(
            el(section, "entry"),
            c.PROGRESSION,
            answer,
            self.day(version.phase_date if not progressed else version.date),
        )
        el(observation, "value", type_="BL", value="true" if progressed else "false")
        if progressed:
            for where in c.PROGRESSIONS:
                present = where in version.progression
                ref = self.content(
                    el(text, "paragraph", f"{where.display} : "), "Oui" if present else "Non", "progression-detail"
                )
                inner = self.simple_observation(
                    el(observation, "entryRelationship", typeCode="COMP"), where, ref, self.day(version.date)
                )
                el(inner, "value", type_="BL", value="true" if present else "false")


def _tnm_parts(diagnosis: Diagnosis) -> tuple[tuple[str, c.Code | None, c.Code], ...]:
    """(letter, value or None, LOINC code of the clinical observation) for T, N and M, in that order."""
    return (
        ("T", diagnosis.tnm_t, c.Code(c.LOINC, "21905-5", "TNM Clinique T")),
        ("N", diagnosis.tnm_n, c.Code(c.LOINC, "21906-3", "TNM Clinique N")),
        ("M", diagnosis.tnm_m, c.Code(c.LOINC, "21907-1", "TNM Clinique M")),
    )
