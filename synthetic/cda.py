"""Write one version of a synthetic case as a CI-SIS CANCER-PPS 2022.01 CDA document (structured or PDF-only).

Modelled on the official example (`CANCER-PPS_2022.01_feuille-de-style-externe.xml`): same header parts,
the ten body sections in order with their LOINC codes and templates, the same entry templates; every entry
points into the section narrative (`<reference value="#id"/>`), which the reader resolves.
"""

from __future__ import annotations

import base64
import datetime as dt

from lxml import etree

from synthetic import codes as c
from synthetic import ids
from synthetic.body import BodyWriter
from synthetic.spec import (
    PROGRAMME_KINDS,
    SUPPORT_KINDS,
    Case,
    Contact,
    ContactRole,
    ExternalDocument,
    Item,
    ItemKind,
    Professional,
)
from synthetic.xml import (
    HL7,
    address,
    assigned_entity,
    author,
    code_el,
    custodian,
    el,
    french_date,
    header_start,
    informants,
    legal_authenticator,
    moment,
    person_name,
    record_target,
    replaces,
    rpps_id,
    serialise,
    service_event,
    telecom,
)

PPS_TITLE = "PROGRAMME PERSONNALISÉ DE SOINS EN CANCÉROLOGIE"

_KIND_CODES: dict[ItemKind, c.Code] = {
    "treatment": c.TREATMENT,
    "side_effect": c.SIDE_EFFECT_MANAGEMENT,
    "measure": c.ASSOCIATED_MEASURE,
    "follow_up": c.FOLLOW_UP,
    "supportive": c.SUPPORTIVE_CARE,
    "social": c.SOCIAL_SUPPORT,
}
# Participant typeCode, functionCode and TA_ASIP translation of each contact role (as in the official example).
_CONTACT_SHAPES: dict[ContactRole, tuple[str, c.Code | None, c.Code | None]] = {
    "reference_hospital": ("RESP", None, c.ROLE_REFERENCE_HOSPITAL),
    "care_team": ("PRF", c.TEAM_MEMBER, c.ROLE_REFERENCE_HOSPITAL),
    "coordination_centre": ("PRF", c.CORRESPONDENT, c.ROLE_COORDINATION_CENTRE),
    "local_professional": ("PRF", c.CORRESPONDENT, c.ROLE_LOCAL_PROFESSIONAL),
    "health_mediator": ("INF", c.CORRESPONDENT, c.ROLE_HEALTH_MEDIATOR),
    "gp": ("INF", c.GP_FUNCTION, None),
    "city_hospital": ("CON", c.CORRESPONDENT, c.ROLE_CITY_HOSPITAL),
    "regional_network": ("CON", c.CORRESPONDENT, c.ROLE_REGIONAL_NETWORK),
    "social_body": ("INF", c.CORRESPONDENT, c.ROLE_SOCIAL_BODY),
    "support_structure": ("INF", c.CORRESPONDENT, c.ROLE_SUPPORT_STRUCTURE),
}
# Where an item takes place (JDV_StructuresDeSoins): administration site unless the item says otherwise.
_PLACE_KINDS = {
    c.ONCOGERIATRICS.code: c.Code(c.TA_ASIP, "ORG-060", "Lieu de prise en charge en oncogératrie"),
    c.FERTILITY.code: c.Code(c.TA_ASIP, "ORG-061", "Lieu des mesures de préservation de la fertilité"),
}
_PLACE_BY_KIND: dict[ItemKind, c.Code] = {
    "supportive": c.Code(c.TA_ASIP, "ORG-062", "Structure(s) de soutien et d'information"),
    "social": c.Code(c.TA_ASIP, "ORG-057", "Organisme social et de maintien dans l'emploi"),
}
_DONE_TEMPLATE, _PLANNED_TEMPLATE = "2.16.840.1.113883.10.20.1.29", "2.16.840.1.113883.10.20.1.25"
_ADMINISTRATION_SITE = c.Code(c.TA_ASIP, "ORG-059", "Lieu d'administration")
_REFERENCE_CODES = {
    "frcp": c.DOC_FRCP,
    "genetics": c.Code(c.LOINC, "51969-4", "Compte rendu de génétique"),
    "pps": c.DOC_PPS,
}

PERSONAL_DATA_TEXT = (
    "Les professionnels et établissements qui réalisent vos soins recueillent des données sur votre santé et "
    "votre identité pour vous soigner. Elles sont protégées par le secret médical ; vous pouvez leur demander "
    "comment elles sont utilisées et exercer vos droits auprès d'eux.",
    "Sauf opposition de votre part, certaines de ces données peuvent être réutilisées pour la recherche et la "
    "santé publique, par exemple par les registres des cancers et l'Institut national du cancer (INCa).",
    "Document de démonstration : toutes les personnes et données de ce document sont fictives.",
)


def references_of(case: Case, number: int) -> tuple[ExternalDocument, ...]:
    """Documents version `number` refers to: its RCP report (stored or not), extras, the previous version."""
    version = case.versions[number - 1]
    found: list[ExternalDocument] = []
    reports = [(i, r) for i, r in enumerate(case.rcp_reports, start=1) if r.for_version == number]
    for index, _ in reports:
        found.append(ExternalDocument("frcp", ids.frcp_id(case, index), "", f"Fiche RCP n° {index}"))
    if not reports:
        # Every plan follows an RCP; when its report is not in the store the id is still written.
        found.append(ExternalDocument("frcp", c.EXTERNAL_ROOT, f"FRCP-{case.key}-v{number}", "Fiche RCP"))
    found.extend(version.referenced)
    if number > 1:
        found.append(ExternalDocument("pps", ids.pps_id(case, number - 1), "", "PPS précédent"))
    return tuple(found)


def write_pps(case: Case, number: int, reference: dt.date, pdf: bytes | None = None) -> bytes:
    """The CDA bytes of version `number` (1-based) of the case; `pdf` is required for a PDF-only version."""
    return _PpsWriter(case, number, reference).write(pdf)


class _PpsWriter(BodyWriter):
    def __init__(self, case: Case, number: int, reference: dt.date) -> None:
        super().__init__(case, case.versions[number - 1], reference, f"{case.key}/v{number}")
        self.number = number

    # -- document --------------------------------------------------------------------------------------------

    def write(self, pdf: bytes | None) -> bytes:
        case, version = self.case, self.version
        written = moment(self.ref, version.date, 10, 0)
        root = header_start(
            template=c.PPS_TEMPLATE,
            doc_id=ids.pps_id(case, self.number),
            code=c.DOC_PPS,
            title=PPS_TITLE,
            effective=written,
            set_id=ids.pps_set_id(case),
            version=self.number,
        )
        record_target(root, case, self.ref)
        author(root, case.author, written)
        informants(root, case)
        custodian(root, case.custodian)
        legal_authenticator(root, case.author, written)
        for contact in case.contacts_of(version):
            self.participant(root, contact)
        service_event(root, case.author, written)
        if self.number > 1:
            replaces(root, ids.pps_id(case, self.number - 1))
        encounter = el(el(root, "componentOf"), "encompassingEncounter")
        el(encounter, "effectiveTime", nullFlavor="MSK")
        el(
            el(el(encounter, "location"), "healthCareFacility"),
            "code",
            code="SA01",
            displayName="Etablissement public de santé",
            codeSystem="1.2.250.1.71.4.2.4",
        )
        if version.pdf_only:
            if pdf is None:
                raise ValueError("a PDF-only version needs its PDF")
            body = el(el(root, "component"), "nonXMLBody")
            el(body, "text", base64.b64encode(pdf).decode("ascii"), mediaType="application/pdf", representation="B64")
        else:
            self.body(el(el(root, "component"), "structuredBody"))
        return serialise(root)

    def participant(self, root: etree._Element, contact: Contact) -> None:
        type_code, function, translation = _CONTACT_SHAPES[contact.role]
        element = el(root, "participant", typeCode=type_code)
        if function is None:
            function_element = el(element, "functionCode", nullFlavor="NA")
        else:
            function_element = code_el(element, "functionCode", function)
        if contact.comment:
            el(function_element, "originalText", contact.comment)
        if translation is not None:
            code_el(function_element, "translation", translation)
        el(element, "time", type_="IVL_TS", nullFlavor="UNK")
        professional, organisation = contact.professional, contact.organisation
        entity = el(element, "associatedEntity", classCode="PROV" if professional else "AGNT")
        if professional is not None:
            rpps_id(entity, professional)
            code_el(entity, "code", professional.profession)
        place = organisation or (professional.organisation if professional else None)
        if place is not None:
            address(entity, place.address)
        telecom(entity, professional.phone if professional else place.phone if place else "0199000000")
        if professional is not None:
            person_name(el(entity, "associatedPerson"), professional.given, professional.family, professional.prefix)
        if place is not None:
            scoping = el(entity, "scopingOrganization")
            if place.finess:
                el(scoping, "id", root=c.FINESS, extension=place.finess)
            el(scoping, "name", place.name)

    # -- body ------------------------------------------------------------------------------------------------

    def body(self, body: etree._Element) -> None:
        case, version = self.case, self.version
        if version.patient_comment:
            _, text = self.section(
                body,
                ("2.16.840.1.113883.10.12.201", "1.3.6.1.4.1.19376.1.4.1.2.16", "1.2.250.1.213.1.1.2.73"),
                c.Code(c.LOINC, "55112-7", "Commentaire"),
                "COMMENTAIRE SUR LE PATIENT",
                c.Code(c.TA_ASIP, "GEN-293", "Commentaire sur le patient"),
            )
            text.text = version.patient_comment
        self.paediatrics(body)
        if case.diagnosis is not None:
            self.diagnosis(body)
        self.discovery(body)
        self.phase(body)
        self.items_section(body, PROGRAMME_KINDS)
        self.items_section(body, SUPPORT_KINDS)
        self.status(body)
        self.references(body)
        _, text = self.section(
            body,
            ("2.16.840.1.113883.10.12.201", "1.3.6.1.4.1.19376.1.4.1.2.16", "1.2.250.1.213.1.1.2.73"),
            c.Code(c.LOINC, "55112-7", "Commentaire"),
            "INFORMATION SUR LES DONNÉES PERSONNELLES VOUS CONCERNANT",
            c.Code(c.TA_ASIP, "GEN-294", "Information pour le patient"),
        )
        for paragraph in PERSONAL_DATA_TEXT:
            el(text, "paragraph", paragraph)

    def paediatrics(self, body: etree._Element) -> None:
        case = self.case
        _, text = self.section(
            body,
            ("1.2.250.1.213.1.1.2.128", "1.3.6.1.4.1.19376.1.5.3.1.3.2", "1.3.6.1.4.1.19376.1.5.3.1.3.1"),
            c.Code(c.LOINC, "42349-1", "Raison de la recommandation"),
            "PÉDIATRIE",
        )
        line = el(text, "paragraph", "Pédiatrie : ")
        answer = self.content(line, "Oui" if case.paediatric else "Non", "pediatrie")
        comment = None
        if case.paediatric_comment:
            comment = self.content(el(text, "paragraph", "Commentaire : "), case.paediatric_comment, "comment")
        section = text.getparent()
        assert section is not None
        observation = self.simple_observation(el(section, "entry"), c.PAEDIATRICS, answer)
        el(observation, "value", type_="BL", value="true" if case.paediatric else "false")
        if comment:
            self.comment(observation, comment)

    # -- programme and support sections ----------------------------------------------------------------------

    def items_section(self, body: etree._Element, kinds: tuple[ItemKind, ...]) -> None:
        programme = kinds == PROGRAMME_KINDS
        section, text = self.section(
            body,
            ("2.16.840.1.113883.10.20.1.10", "1.3.6.1.4.1.19376.1.5.3.1.3.36", "1.2.250.1.213.1.1.2.158"),
            c.Code(c.LOINC, "18776-5", "Plan de soins"),
            "PROGRAMME THÉRAPEUTIQUE ET DE SUIVI"
            if programme
            else "SOINS ONCOLOGIQUES DE SUPPORT, ACCOMPAGNEMENT SOCIAL ET SOCIOPROFESSIONNEL",
            c.Code(c.TA_ASIP, "MED-566", "Programme thérapeutique et de suivi")
            if programme
            else c.Code(
                c.TA_ASIP, "MED-567", "Soins oncologiques de support, accompagnement social et socioprofessionnel"
            ),
        )
        items = [i for i in self.version.items if i.kind in kinds]
        for done, heading in ((True, "Réalisés"), (False, "En cours ou à venir")):
            chosen = [i for i in items if i.done == done]
            if not chosen:
                continue
            table = el(text, "table", border="0")
            el(el(el(table, "thead"), "tr"), "th", heading, colspan="8")
            rows = el(table, "tbody")
            header = el(rows, "tr")
            for title in (
                "Date de début confirmée",
                "Date de fin confirmée",
                "Date de début prévisionnelle",
                "Date de fin prévisionnelle",
                "Type",
                "Mode d'administration",
                "Rythme",
                "Lieu / Intervenants",
            ):
                el(header, "td", title, styleCode="Bold")
            for item in chosen:
                self.item(section, rows, item)
        if not items:
            el(text, "paragraph", "Aucun élément.")
        stop = self.version.stop
        if programme and stop is not None:
            paragraph = el(text, "paragraph", "Arrêt des traitements directement actifs contre le cancer : ")
            el(paragraph, "content", "Oui")
            el(paragraph, "br").tail = f"Date d'arrêt : {french_date(self.ref, stop.date)}"
            reason = self.content(el(text, "paragraph", "Commentaire : "), stop.comment, "arret")
            observation = el(el(section, "entry"), "observation", classCode="OBS", moodCode="EVN")
            el(observation, "id", root=self.uuid())
            code_el(observation, "code", c.STOP_ACTIVE)
            el(el(observation, "text"), "reference", value=f"#{reason}")
            el(observation, "statusCode", code="completed")
            el(observation, "effectiveTime", value=self.day(stop.date))
            el(observation, "value", type_="BL", value="true")

    def item(self, section: etree._Element, rows: etree._Element, item: Item) -> None:
        tr = el(rows, "tr")
        for value in (item.start, item.end, item.planned_start, item.planned_end):
            el(tr, "td", french_date(self.ref, value))
        label = self.content(el(tr, "td"), item.label, "type")
        route = self.content(el(tr, "td"), item.route.display, "mode") if item.route else None
        if route is None:
            el(tr, "td", "-")
        rhythm = self.content(el(tr, "td"), item.rhythm, "rythme") if item.rhythm else None
        if rhythm is None:
            el(tr, "td", "-")
        where = [
            p
            for p in (item.place.name if item.place else None, _display(item.performer) if item.performer else None)
            if p
        ]
        el(tr, "td", " / ".join(where) or "-")
        effects = comment = reason = None
        if item.side_effects:
            effects = self._long_row(rows, "Effets secondaires notables", item.side_effects, "effets")
        if item.comment:
            comment = self._long_row(rows, "Commentaire", item.comment, "commentaire")
        if item.reason:
            written = item.reason.text
            if item.reason.kilograms is not None:
                written = f"{written} : {item.reason.kilograms} kg"
            reason = self._long_row(rows, "Motif", written, "motif")

        procedure = el(
            el(section, "entry"),
            "procedure",
            classCode="PROC",
            moodCode="EVN" if item.done else "INT",
            negationInd="false",
        )
        el(procedure, "templateId", root="1.3.6.1.4.1.19376.1.5.3.1.4.19")
        # CCD "procedure activity": 1.29 for a done act, 1.25 for a planned one.
        el(procedure, "templateId", root=_DONE_TEMPLATE if item.done else _PLANNED_TEMPLATE)
        el(procedure, "templateId", root="1.2.250.1.213.1.1.3.62")
        el(procedure, "id", root=self.uuid())
        code = code_el(procedure, "code", _KIND_CODES[item.kind])
        code_el(el(code, "qualifier"), "value", item.type)
        el(el(procedure, "text"), "reference", value=f"#{label}")
        el(procedure, "statusCode", code="completed")
        if item.start is None and item.end is None:
            el(procedure, "effectiveTime", nullFlavor="UNK")
        else:
            _interval(el(procedure, "effectiveTime"), self, item.start, item.end)
        if item.performer is not None:
            assigned_entity(
                el(procedure, "performer", typeCode="PRF"), "assignedEntity", item.performer, classCode="ASSIGNED"
            )
        if item.place is not None:
            role = el(el(procedure, "participant", typeCode="LOC"), "participantRole", classCode="SDLOC")
            if item.place.finess:
                el(role, "id", root=c.FINESS, extension=item.place.finess)
            code_el(role, "code", _place_kind(item))
            address(role, item.place.address)
            telecom(role, item.place.phone, "WP")
            el(el(role, "playingEntity", classCode="PLC"), "name", item.place.name)
        if item.planned_start is not None or item.planned_end is not None:
            planned = self.simple_observation(
                el(procedure, "entryRelationship", typeCode="COMP", inversionInd="false"), c.PLANNED_DATES, None
            )
            time = planned.find(f"{{{HL7}}}effectiveTime")
            assert time is not None
            del time.attrib["nullFlavor"]
            _interval(time, self, item.planned_start, item.planned_end)
            el(planned, "value", type_="CD", nullFlavor="NA")
        if item.rhythm is not None or item.at_home is not None:
            observation = self.simple_observation(
                el(procedure, "entryRelationship", typeCode="COMP", inversionInd="false"), c.RHYTHM, rhythm
            )
            if item.at_home is None:
                el(observation, "value", type_="BL", nullFlavor="NI")
            else:
                el(observation, "value", type_="BL", value="true" if item.at_home else "false")
        if item.route is not None:
            observation = self.simple_observation(
                el(procedure, "entryRelationship", typeCode="COMP", inversionInd="false"), c.ROUTE, route
            )
            code_el(observation, "value", item.route, type_="CD")
        if effects is not None:
            observation = self.simple_observation(
                el(procedure, "entryRelationship", typeCode="COMP", inversionInd="false"), c.SIDE_EFFECTS, effects
            )
            el(el(el(observation, "value", type_="CD"), "originalText"), "reference", value=f"#{effects}")
        if comment is not None:
            self.comment(procedure, comment)
        if item.reason is not None and reason is not None:
            self.reason(procedure, item, reason)

    def _long_row(self, rows: etree._Element, title: str, text: str, what: str) -> str:
        tr = el(rows, "tr")
        el(tr, "td", title, styleCode="Bold")
        return self.content(el(tr, "td", colspan="7"), text, what)

    def reason(self, procedure: etree._Element, item: Item, reference: str) -> None:
        assert item.reason is not None
        observation = el(
            el(procedure, "entryRelationship", typeCode="RSON", inversionInd="false"),
            "observation",
            classCode="OBS",
            moodCode="EVN",
        )
        weight = item.reason.code == c.WEIGHT
        templates = (
            ("2.16.840.1.113883.10.20.1.31", "1.3.6.1.4.1.19376.1.5.3.1.4.13.2", "1.2.250.1.213.1.1.3.50")
            if weight
            else ("2.16.840.1.113883.10.20.1.33", "1.3.6.1.4.1.19376.1.5.3.1.4.13.4", "1.2.250.1.213.1.1.3.52")
        )
        for template in templates:
            el(observation, "templateId", root=template)
        el(observation, "id", root=self.uuid())
        code_el(observation, "code", item.reason.code)
        el(el(observation, "text"), "reference", value=f"#{reference}")
        el(observation, "statusCode", code="completed")
        start = item.start if item.start is not None else item.planned_start
        if start is None:
            el(observation, "effectiveTime", nullFlavor="UNK")
        else:
            el(observation, "effectiveTime", value=self.day(start))
        if item.reason.kilograms is not None:
            el(observation, "value", type_="PQ", value=str(item.reason.kilograms), unit="kg")
        else:
            el(observation, "value", type_="CD", nullFlavor="NA")

    # -- status and references -------------------------------------------------------------------------------

    def status(self, body: etree._Element) -> None:
        version = self.version
        section, text = self.section(
            body,
            ("1.2.250.1.213.1.1.2.35",),
            c.Code(c.LOINC, "33557-0", "Etat d'achèvement"),
            "STATUT DU DOCUMENT",
        )
        table = el(el(text, "table", border="0"), "tbody")

        def row(title: str, value: str, what: str) -> str:
            tr = el(table, "tr")
            el(tr, "td", title)
            return self.content(el(tr, "td"), value, what)

        status = row("Statut du document", version.status.display, "statut")
        document_comment = (
            row("Commentaire sur le document", version.document_comment, "commentaire")
            if version.document_comment
            else None
        )
        observation = self.simple_observation(el(section, "entry"), c.DOC_STATUS, status, self.day(version.date))
        observation.insert(2, etree.Element(f"{{{HL7}}}templateId", root="1.2.250.1.213.1.1.3.48.16"))
        code_el(observation, "value", version.status, type_="CD")
        if document_comment:
            self.comment(observation, document_comment)
        if version.reason is not None:
            reason = row("Motif de mise à jour", version.reason.display, "motif")
            detail = (
                row("Précision sur le motif", version.reason_detail, "motif-precision")
                if version.reason_detail
                else None
            )
            observation = self.simple_observation(el(section, "entry"), c.UPDATE_REASON, reason, self.day(version.date))
            code_el(observation, "value", version.reason, type_="CD")
            if detail:
                self.comment(observation, detail)
        rcp = row("Date de la RCP", french_date(self.ref, version.rcp_date), "date-rcp")
        observation = self.simple_observation(el(section, "entry"), c.RCP_DATE, rcp, self.day(version.rcp_date))
        el(observation, "value", type_="TS", value=self.day(version.rcp_date))
        handed = version.handed_date
        remitted = row(
            "Date de remise du document au patient",
            "Pas encore remis"
            if handed is None
            else f"{french_date(self.ref, handed)} par {_display(self.case.author)}",
            "remise",
        )
        observation = self.simple_observation(
            el(section, "entry"), c.HANDED_DATE, remitted, None if handed is None else self.day(handed)
        )
        if handed is None:
            time = observation.find(f"{{{HL7}}}effectiveTime")
            assert time is not None
            time.set("nullFlavor", "NASK")
            el(observation, "value", type_="TS", nullFlavor="NASK")
        else:
            el(observation, "value", type_="TS", value=self.day(handed))
            assigned_entity(
                el(observation, "performer", typeCode="PRF"), "assignedEntity", self.case.author, classCode="ASSIGNED"
            )

    def references(self, body: etree._Element) -> None:
        section, text = self.section(
            body,
            ("1.2.250.1.213.1.1.2.55",),
            c.Code(c.LOINC, "55107-7", "Documents référencés"),
            "DOCUMENTS RÉFÉRENCÉS",
        )
        table_id = self.new_id("documents")
        table = el(el(text, "table", border="0", ID=table_id), "tbody")
        found = references_of(self.case, self.number)
        act = el(el(section, "entry"), "act", classCode="ACT", moodCode="EVN")
        el(act, "templateId", root="1.3.6.1.4.1.19376.1.5.3.1.4.4")
        el(act, "templateId", root="1.2.250.1.213.1.1.3.35")
        el(act, "id", root=self.uuid())
        el(act, "code", nullFlavor="NA")
        el(el(act, "text"), "reference", value=f"#{table_id}")
        for document in found:
            tr = el(table, "tr")
            el(tr, "td", document.label)
            shown = f"{document.extension} ({document.root})" if document.extension else document.root
            ref = self.content(el(tr, "td"), shown, "document")
            external = el(el(act, "reference", typeCode="REFR"), "externalDocument", classCode="DOC", moodCode="EVN")
            if document.extension:
                el(external, "id", root=document.root, extension=document.extension)
            else:
                el(external, "id", root=document.root)
            code_el(external, "code", _REFERENCE_CODES[document.kind])
            el(el(external, "text"), "reference", value=f"#{ref}")


def _interval(element: etree._Element, writer: BodyWriter, low: int | None, high: int | None) -> None:
    if low is not None:
        el(element, "low", value=writer.day(low))
    if high is not None:
        el(element, "high", value=writer.day(high))


def _display(professional: Professional) -> str:
    title = "Dr" if professional.prefix == "DR" else ""
    return " ".join(p for p in (title, professional.given, professional.family) if p)


def _place_kind(item: Item) -> c.Code:
    return _PLACE_KINDS.get(item.type.code) or _PLACE_BY_KIND.get(item.kind) or _ADMINISTRATION_SITE
