"""The care-plan model, plain frozen dataclasses with no framework import: what the `pps` step of the data path hands to
`plain`, the web pages and the CLI. Names are English; each docstring gives the French term of the CI-SIS model."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from portal.pps.hl7time import HL7Time, InvalidTimestamp, Precision

__all__ = [
    "INS_SYSTEMS",
    "RPPS_SYSTEM",
    "Address",
    "Author",
    "CarePlan",
    "Code",
    "Contact",
    "ContactRole",
    "Diagnosis",
    "Discovery",
    "DocumentMetadata",
    "DocumentStatus",
    "Guardian",
    "HL7Time",
    "HealthProfessional",
    "Identifier",
    "InvalidTimestamp",
    "ItemKind",
    "ItemReason",
    "ItemStatus",
    "LegalAuthenticator",
    "Organization",
    "Paediatrics",
    "Patient",
    "PatientName",
    "Period",
    "PersonName",
    "Phase",
    "Place",
    "Precision",
    "ProgrammeItem",
    "Progression",
    "ReadWarning",
    "ReferencedDocument",
    "ReferencedKind",
    "RelatedPerson",
    "Rhythm",
    "Section",
    "SectionKey",
    "Telecom",
    "TreatmentStop",
]

RPPS_SYSTEM = "1.2.250.1.71.4.2.1"
"""OID of the RPPS national professional directory (identifiant national des professionnels de santé)."""

INS_SYSTEMS = {
    "1.2.250.1.213.1.4.8": "INS-NIR",
    "1.2.250.1.213.1.4.9": "INS-NIA (temporary)",
    "1.2.250.1.213.1.4.10": "INS-NIR test",
    "1.2.250.1.213.1.4.11": "INS-NIR demo",
}
"""OIDs of the national health identifier (Identifiant National de Santé) and their kind."""


# ----------------------------------------------------------------------------------------------------
# Data types
# ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Code:
    """A coded value (CD/CE): system OID, code, official display (displayName) and the author's own words.

    `original_text` is the resolved `originalText` (a narrative reference is replaced by its text).
    `null_flavor` says why a code is absent (e.g. "NA", "UNK", "OTH").
    """

    system: str | None
    code: str | None
    display: str | None = None
    original_text: str | None = None
    null_flavor: str | None = None

    @property
    def key(self) -> tuple[str, str] | None:
        """(system, code) for table look-ups, or None when either is missing."""
        if self.system is None or self.code is None:
            return None
        return (self.system, self.code)

    @property
    def text(self) -> str | None:
        """The best human text: the author's words, else the display, else the code."""
        return self.original_text or self.display or self.code

    @property
    def words(self) -> str | None:
        """The document's words for the code (originalText, else displayName); never the bare code."""
        return (self.original_text or "").strip() or (self.display or "").strip() or None


@dataclass(frozen=True, slots=True)
class Identifier:
    """An instance identifier (II): `root` OID (or UUID) and optional `extension`."""

    root: str | None
    extension: str | None = None
    null_flavor: str | None = None

    def __str__(self) -> str:
        if self.extension:
            return f"{self.root}^{self.extension}"
        return self.root or ""


@dataclass(frozen=True, slots=True)
class Period:
    """A time interval (IVL_TS) or a single point: `low` (début), `high` (fin), `value` (date unique).

    `null_flavor` is set when the document says the time is unknown or not applicable (e.g. "UNK").
    """

    low: HL7Time | None = None
    high: HL7Time | None = None
    value: HL7Time | None = None
    null_flavor: str | None = None

    @property
    def start(self) -> HL7Time | None:
        """The first known point: `low`, else `value`."""
        return self.low or self.value

    @property
    def end(self) -> HL7Time | None:
        """The last known point: `high`, else `value`."""
        return self.high or self.value

    @property
    def is_empty(self) -> bool:
        return self.low is None and self.high is None and self.value is None


@dataclass(frozen=True, slots=True)
class Telecom:
    """A telecom address (TEL): `tel:`, `fax:`, `mailto:` or a URL, with its use (H, WP, MC…)."""

    value: str
    use: str | None = None

    @property
    def scheme(self) -> str:
        """ "tel", "fax", "mailto", "http", "https"…, or "" when there is none."""
        head, sep, _ = self.value.partition(":")
        return head.lower() if sep else ""

    @property
    def address(self) -> str:
        """The number or address without the scheme (a URL is kept whole)."""
        if self.scheme in {"tel", "fax", "mailto"}:
            return self.value.partition(":")[2]
        return self.value

    @property
    def dialable(self) -> str:
        """The address as one dials or types it: spaces, dots and hyphens of a written number taken out."""
        return "".join(ch for ch in self.address if not ch.isspace() and ch not in ".-")

    @property
    def is_phone(self) -> bool:
        return self.scheme == "tel"

    @property
    def is_email(self) -> bool:
        return self.scheme == "mailto"

    @property
    def is_url(self) -> bool:
        return self.scheme in {"http", "https"}


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address (AD, adresse). `lines` keeps free `streetAddressLine`s; `text` any loose text."""

    house_number: str | None = None
    street_name: str | None = None
    unit_id: str | None = None
    additional_locator: str | None = None
    lines: tuple[str, ...] = ()
    post_box: str | None = None
    postal_code: str | None = None
    city: str | None = None
    county: str | None = None
    country: str | None = None
    use: str | None = None
    text: str | None = None

    @property
    def street(self) -> str | None:
        """House number and street name on one line."""
        parts = [p for p in (self.house_number, self.street_name) if p]
        return " ".join(parts) if parts else None

    @property
    def street_lines(self) -> tuple[str, ...]:
        """What an envelope shows above the town: free lines, street, unit, locator, post box."""
        parts = (self.street, self.unit_id, self.additional_locator, self.post_box)
        return (*self.lines, *(part for part in parts if part))

    @property
    def loose_text(self) -> str | None:
        """The address's loose text, shown only when there is no street line and no town."""
        if self.street_lines or self.postal_code or self.city:
            return None
        return self.text or None


@dataclass(frozen=True, slots=True)
class PersonName:
    """A person's name (PN): prefixes (MME, M), given names, family name, suffixes (DR)."""

    family: str | None = None
    given: tuple[str, ...] = ()
    prefix: tuple[str, ...] = ()
    suffix: tuple[str, ...] = ()

    @property
    def display(self) -> str:
        """ "Charles MULLER" style: given names then family name."""
        return " ".join([*self.given, *([self.family] if self.family else [])])

    @property
    def is_empty(self) -> bool:
        """No given name and no family name: nothing to call the person by (titles alone are not a name)."""
        return not (self.family or "").strip() and not any(g.strip() for g in self.given)


@dataclass(frozen=True, slots=True)
class Organization:
    """An organisation (structure, établissement): ids (FINESS…), name, telecoms, addresses, sector code."""

    ids: tuple[Identifier, ...] = ()
    name: str | None = None
    telecoms: tuple[Telecom, ...] = ()
    addresses: tuple[Address, ...] = ()
    kind: Code | None = None


@dataclass(frozen=True, slots=True)
class HealthProfessional:
    """A professional or assigned entity (professionnel de santé, intervenant) identified by RPPS when given.

    `role` is the profession/specialty code (e.g. G15_10/SM36); `organization` the structure they act for.
    """

    ids: tuple[Identifier, ...] = ()
    role: Code | None = None
    name: PersonName | None = None
    telecoms: tuple[Telecom, ...] = ()
    addresses: tuple[Address, ...] = ()
    organization: Organization | None = None

    @property
    def rpps(self) -> str | None:
        """The RPPS number, when one of the ids is in the RPPS system."""
        for ident in self.ids:
            if ident.root == RPPS_SYSTEM and ident.extension:
                return ident.extension
        return None

    @property
    def organization_name(self) -> str | None:
        """The name of the structure they act for, when it has one."""
        return self.organization.name if self.organization and self.organization.name else None

    @property
    def is_named(self) -> bool:
        """A name or a structure to call them by: a professional without either is not shown."""
        return (self.name is not None and not self.name.is_empty) or self.organization_name is not None


# ----------------------------------------------------------------------------------------------------
# Header: document, patient, people around the patient
# ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Author:
    """The document's author (auteur) and when they wrote it."""

    time: HL7Time | None
    professional: HealthProfessional


@dataclass(frozen=True, slots=True)
class LegalAuthenticator:
    """The signatory (signataire, legalAuthenticator), the signature time and code."""

    time: HL7Time | None
    signature_code: str | None
    professional: HealthProfessional


@dataclass(frozen=True, slots=True)
class DocumentMetadata:
    """The CDA header of one version of the PPS (en-tête).

    `replaces` is the id of the previous version (relatedDocument typeCode RPLC / parentDocument id);
    `related` keeps every relatedDocument as (typeCode, parent id). `care_setting` is the encompassing
    encounter's health care facility code; `service_period` the documented act's period (serviceEvent).
    """

    id: Identifier | None
    set_id: Identifier | None = None
    version: int | None = None
    effective_time: HL7Time | None = None
    title: str | None = None
    code: Code | None = None
    template_ids: tuple[Identifier, ...] = ()
    replaces: Identifier | None = None
    related: tuple[tuple[str, Identifier], ...] = ()
    confidentiality: Code | None = None
    language: str | None = None
    realm: str | None = None
    authors: tuple[Author, ...] = ()
    custodian: Organization | None = None
    legal_authenticator: LegalAuthenticator | None = None
    service_period: Period | None = None
    service_performers: tuple[HealthProfessional, ...] = ()
    care_setting: Code | None = None

    @property
    def author(self) -> Author | None:
        """The first author (the model allows several)."""
        return self.authors[0] if self.authors else None


@dataclass(frozen=True, slots=True)
class PatientName:
    """The patient's identity names (traits d'identité INS).

    `birth_family` nom de naissance (family qualifier BR); `birth_given` prénoms de l'acte de naissance
    (given without qualifier); `first_given` premier prénom de naissance (given qualifier BR); `used_family`
    nom utilisé (family CL); `used_given` prénom utilisé (given CL).
    """

    birth_family: str | None = None
    birth_given: str | None = None
    first_given: str | None = None
    used_family: str | None = None
    used_given: str | None = None
    prefix: tuple[str, ...] = ()

    @property
    def display(self) -> str:
        """The name the patient goes by: used names first, birth names as fallback."""
        given = self.used_given or self.first_given or self.birth_given
        family = self.used_family or self.birth_family
        return " ".join(p for p in (given, family) if p)


@dataclass(frozen=True, slots=True)
class Guardian:
    """A legal representative (représentant légal, tuteur; CDA `guardian`): a person or an organisation."""

    name: PersonName | None = None
    organization_name: str | None = None
    relationship: Code | None = None
    telecoms: tuple[Telecom, ...] = ()
    addresses: tuple[Address, ...] = ()


@dataclass(frozen=True, slots=True)
class Patient:
    """The patient (patient; recordTarget/patientRole).

    `ins` is the national health identifier (INS) when an id is in one of `INS_SYSTEMS`; `other_ids` keeps the
    rest (e.g. the hospital's IPP). `birth_date` keeps its HL7 precision.
    """

    ins: Identifier | None = None
    other_ids: tuple[Identifier, ...] = ()
    name: PatientName = field(default_factory=PatientName)
    sex: Code | None = None
    birth_date: HL7Time | None = None
    birth_place: Address | None = None
    telecoms: tuple[Telecom, ...] = ()
    addresses: tuple[Address, ...] = ()
    guardians: tuple[Guardian, ...] = ()

    @property
    def ins_system(self) -> str | None:
        return self.ins.root if self.ins else None

    @property
    def ins_value(self) -> str | None:
        return self.ins.extension if self.ins else None


@dataclass(frozen=True, slots=True)
class RelatedPerson:
    """A trusted person (personne de confiance, `NOK`) or emergency contact (personne à prévenir, `ECON`).

    `relationship` is the family link (lien de parenté, e.g. FTH "Père").
    """

    role: str
    relationship: Code | None = None
    name: PersonName | None = None
    telecoms: tuple[Telecom, ...] = ()
    addresses: tuple[Address, ...] = ()


class ContactRole(StrEnum):
    """Role of a useful contact (contacts utiles), from the participant's functionCode and its translation."""

    REFERENCE_HOSPITAL = "ORG-177"  # Établissement de santé de référence
    COORDINATION_CENTRE = "ORG-190"  # Centre de coordination en cancérologie (3C)
    LOCAL_CARE = "ORG-178"  # Structures et professionnels de proximité
    HEALTH_MEDIATOR = "ORG-188"  # Médiateur de santé
    GENERAL_PRACTITIONER = "PCP"  # Médecin traitant
    CITY_HOSPITAL_COORDINATION = "ORG-179"  # Structure de coordination ville-hôpital
    REGIONAL_NETWORK = "ORG-191"  # Réseau régional de cancérologie (RRC)
    SOCIAL_BODY = "ORG-180"  # Organisme social et de maintien dans l'emploi
    SUPPORT_STRUCTURE = "ORG-181"  # Structure de soutien et d'information
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Contact:
    """A useful contact of the plan (contact utile; CDA header `participant`).

    `function` is the functionCode (353 membre de l'équipe de soins, CORRE correspondant, PCP médecin
    traitant…) and `translations` its translation codes (ORG-177…); `role` sums them up. `comment` is the
    functionCode's originalText (a free comment, sometimes a web address). `person` and `organization`
    come from associatedPerson and scopingOrganization; `profession` is the associatedEntity code.
    """

    role: ContactRole
    type_code: str | None = None
    function: Code | None = None
    translations: tuple[Code, ...] = ()
    comment: str | None = None
    period: Period | None = None
    entity_class: str | None = None
    ids: tuple[Identifier, ...] = ()
    profession: Code | None = None
    person: PersonName | None = None
    organization: Organization | None = None
    telecoms: tuple[Telecom, ...] = ()
    addresses: tuple[Address, ...] = ()

    @property
    def is_care_team_member(self) -> bool:
        """functionCode 353 (membre de l'équipe de soins)."""
        return self.function is not None and self.function.code == "353"

    @property
    def role_code(self) -> str:
        """The code that names the contact's role: 353 for a care-team member, else the role, else the
        functionCode of an unlisted role, else "other"."""
        if self.is_care_team_member:
            return "353"
        if self.role != ContactRole.OTHER:
            return self.role.value
        return (self.function.code if self.function and self.function.code else None) or "other"

    @property
    def reach(self) -> tuple[Telecom, ...]:
        """How to reach the contact: their own telecoms, else those of their organisation."""
        return self.telecoms or (self.organization.telecoms if self.organization else ())

    @property
    def address(self) -> Address | None:
        """Where to find the contact: their first own address, else their organisation's first."""
        addresses = self.addresses or (self.organization.addresses if self.organization else ())
        return addresses[0] if addresses else None

    @property
    def note(self) -> str | None:
        """The team's note on the contact (the functionCode's originalText), unless it is a web address."""
        if self.comment is None or not self.comment.strip() or self.comment.startswith(("http://", "https://")):
            return None
        return self.comment

    @property
    def urls(self) -> tuple[str, ...]:
        """Web addresses given for this contact (URLs among `reach` and a comment that is a URL)."""
        found = [t.value for t in self.reach if t.is_url]
        if self.comment and self.comment.startswith(("http://", "https://")) and " " not in self.comment:
            found.append(self.comment)
        return tuple(found)


# ----------------------------------------------------------------------------------------------------
# Body sections
# ----------------------------------------------------------------------------------------------------


class SectionKey(StrEnum):
    """The ten body sections of a CANCER-PPS document, in document order."""

    PATIENT_COMMENT = "patient_comment"  # Commentaire sur le patient (55112-7 / GEN-293)
    PAEDIATRICS = "paediatrics"  # Pédiatrie (42349-1)
    DIAGNOSIS = "diagnosis"  # Diagnostic du cancer (72135-7)
    DISCOVERY = "discovery"  # Mode de découverte du cancer (42545-4)
    PHASE = "phase"  # Phase clinique de la maladie (18733-6)
    PROGRAMME = "programme"  # Programme thérapeutique et de suivi (18776-5 / MED-566)
    SUPPORT = "support"  # Soins de support, accompagnement social et socioprofessionnel (18776-5 / MED-567)
    STATUS = "status"  # Statut du document (33557-0)
    REFERENCES = "references"  # Documents référencés (55107-7)
    PERSONAL_DATA = "personal_data"  # Information sur les données personnelles (55112-7 / GEN-294)


@dataclass(frozen=True, slots=True)
class Section:
    """A body section as found: its code, title and narrative as plain text (bloc narratif)."""

    key: SectionKey
    title: str | None
    code: Code | None
    text: str


@dataclass(frozen=True, slots=True)
class ReadWarning:
    """Something missing or unreadable, recorded instead of failing (`section` is a SectionKey value or
    "header", "document", "body")."""

    section: str
    message: str


@dataclass(frozen=True, slots=True)
class Paediatrics:
    """Paediatric care (Pédiatrie, ORG-116): yes/no and a comment."""

    applies: bool | None
    comment: str | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """One tumour of the cancer diagnosis (Diagnostic du cancer, tumeur).

    `date` date du diagnostic; `topography` (CIM-10, e.g. C50.2) with `laterality`; `morphology` (CIM-O-3);
    `clinical_stage` stade clinique and `tnm_version`; `tnm_t`/`tnm_n`/`tnm_m`; `other_stages` autre stade
    (free text); `comment` commentaire sur la tumeur; `label` the narrative title (e.g. "Tumeur Primitive").
    """

    date: HL7Time | None = None
    label: str | None = None
    topography: Code | None = None
    laterality: Code | None = None
    morphology: Code | None = None
    clinical_stage: Code | None = None
    tnm_version: Code | None = None
    tnm_t: Code | None = None
    tnm_n: Code | None = None
    tnm_m: Code | None = None
    stage_date: HL7Time | None = None
    other_stages: tuple[str, ...] = ()
    comment: str | None = None

    @property
    def tnm(self) -> tuple[Code, ...]:
        """The T, N and M parts of the TNM stage that the document gives, in that order."""
        return tuple(c for c in (self.tnm_t, self.tnm_n, self.tnm_m) if c is not None)


@dataclass(frozen=True, slots=True)
class Discovery:
    """How the cancer was found (Mode de découverte): screening (dépistage, LOINC 63921-1) yes/no."""

    screening: bool | None
    date: HL7Time | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Phase:
    """Clinical phase (Phase du cancer, MED-243): MED-268 initial or MED-244 relapse, with its date."""

    code: Code | None
    date: HL7Time | None = None
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Progression:
    """Progression (Progression du cancer, MED-245) and where.

    local MED-246, regional MED-247, distant MED-248.
    """

    present: bool | None
    date: HL7Time | None = None
    local: bool | None = None
    regional: bool | None = None
    distant: bool | None = None

    @property
    def extent(self) -> str | None:
        """How far the illness progressed, the farthest named: "distant", "regional", "local", or "any" when the
        document does not say where; None without a progression."""
        if not self.present:
            return None
        for extent, flag in (("distant", self.distant), ("regional", self.regional), ("local", self.local)):
            if flag:
                return extent
        return "any"


class ItemKind(StrEnum):
    """Kind of a programme or support item (type d'acte), by its TA_ASIP code."""

    TREATMENT = "MED-568"  # Traitement
    SIDE_EFFECT_MANAGEMENT = "MED-569"  # Prévention et gestion médicamenteuse des effets secondaires
    ASSOCIATED_MEASURE = "MED-570"  # Mesure associée
    FOLLOW_UP = "MED-571"  # Suivi
    SUPPORTIVE_CARE = "MED-572"  # Soin oncologique de support
    SOCIAL_SUPPORT = "MED-573"  # Accompagnement social ou socioprofessionnel


class ItemStatus(StrEnum):
    """Done (réalisé, moodCode EVN) or planned (en cours ou à venir, moodCode INT)."""

    DONE = "done"
    PLANNED = "planned"


@dataclass(frozen=True, slots=True)
class Rhythm:
    """Rhythm of an item (Rythme, ORG-004): the author's text, at home yes/no (BL value: traitement à
    domicile), and a structured periodicity when given (PIVL_TS period, weekdays of JDV_JoursSemaine)."""

    text: str | None = None
    at_home: bool | None = None
    period_value: str | None = None
    period_unit: str | None = None
    weekdays: tuple[Code, ...] = ()
    code: Code | None = None


@dataclass(frozen=True, slots=True)
class Place:
    """Where an item happens (lieu): from a location participant (participant typeCode LOC)."""

    kind: Code | None = None
    name: str | None = None
    addresses: tuple[Address, ...] = ()
    telecoms: tuple[Telecom, ...] = ()


@dataclass(frozen=True, slots=True)
class ItemReason:
    """A reason attached to an item (motif, entryRelationship RSON), e.g. weight 29463-7, tobacco 74011-8.

    `value` is the value as written ("70 kg", or a code's text); `value_code` when coded.
    """

    code: Code | None
    text: str | None = None
    value: str | None = None
    value_code: Code | None = None
    date: HL7Time | None = None

    @property
    def words(self) -> str | None:
        """The reason as the plan shows it: its text, else what is measured and its value ("Poids 70 kg")."""
        if self.text:
            return self.text
        return " ".join(x for x in ((self.code.text if self.code else None), self.value) if x) or None


@dataclass(frozen=True, slots=True)
class ProgrammeItem:
    """One item of the therapeutic and follow-up programme or of supportive care and social support.

    `kind` (MED-568…MED-573), `status` done/planned, `type` the qualifier code (e.g. NCIt C15632
    chemotherapy),
    `label` the narrative text of the item, `dates` the confirmed dates (effectiveTime low/high),
    `planned_dates` the forecast dates (Dates prévisionnelles, GEN-177), `rhythm` (ORG-004), `route` (Mode
    d'administration, ORG-006) and `route_text`, `side_effects` (Effets secondaires notables, MED-565),
    `places` and `performers` (lieu et intervenants), `comment` (48767-8), `reasons` (RSON observations).
    """

    kind: ItemKind
    status: ItemStatus
    type: Code | None = None
    label: str | None = None
    id: Identifier | None = None
    status_code: str | None = None
    negated: bool = False
    dates: Period | None = None
    planned_dates: Period | None = None
    rhythm: Rhythm | None = None
    route: Code | None = None
    route_text: str | None = None
    side_effects: str | None = None
    places: tuple[Place, ...] = ()
    performers: tuple[HealthProfessional, ...] = ()
    comment: str | None = None
    reasons: tuple[ItemReason, ...] = ()

    @property
    def title(self) -> str | None:
        """The item's own words, else the type's display."""
        return self.label or (self.type.text if self.type else None)

    @property
    def span(self) -> tuple[HL7Time | None, HL7Time | None]:
        """(start, end) as the plan shows them: each confirmed date, else the planned one (GEN-177)."""
        start, end = _bounds(self.dates)
        planned_start, planned_end = _bounds(self.planned_dates)
        return start or planned_start, end or planned_end

    @property
    def forecast(self) -> bool:
        """True when the dates shown are forecasts only: no confirmed date, some planned date."""
        return _bounds(self.dates) == (None, None) and _bounds(self.planned_dates) != (None, None)

    @property
    def where(self) -> tuple[Place, ...]:
        """The places the plan shows: those with a name or an address."""
        return tuple(p for p in self.places if p.name or p.addresses)

    @property
    def who(self) -> tuple[HealthProfessional, ...]:
        """The professionals the plan shows for this item: those with a name or a structure."""
        return tuple(p for p in self.performers if p.is_named)

    @property
    def is_support(self) -> bool:
        """Supportive care or social support (MED-572, MED-573), as opposed to the programme's items."""
        return self.kind in (ItemKind.SUPPORTIVE_CARE, ItemKind.SOCIAL_SUPPORT)


def _bounds(period: Period | None) -> tuple[HL7Time | None, HL7Time | None]:
    if period is None or period.is_empty:
        return None, None
    return period.start, period.end


@dataclass(frozen=True, slots=True)
class TreatmentStop:
    """Stop of all active treatments (Arrêt de tous les traitements actifs, MED-052) with its date."""

    stopped: bool | None
    date: HL7Time | None = None
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentStatus:
    """Document status section (Statut du document).

    `status` GEN-065 (JDV_StatutDoc) with `status_date` and `comment`; `update_reason` GEN-037 (Motif de
    mise à jour) with `update_reason_comment`; `rcp_date` ORG-189 (date de la RCP); `handed_date` GEN-178
    (date de remise du document au patient, effectiveTime), `announcement_date` (date de la consultation
    d'annonce, its value) and `handed_by`.
    """

    status: Code | None = None
    status_date: HL7Time | None = None
    comment: str | None = None
    update_reason: Code | None = None
    update_reason_date: HL7Time | None = None
    update_reason_comment: str | None = None
    rcp_date: HL7Time | None = None
    handed_date: HL7Time | None = None
    announcement_date: HL7Time | None = None
    handed_by: HealthProfessional | None = None


class ReferencedKind(StrEnum):
    """Kind of a referenced document (document référencé), from its code or, failing that, its narrative."""

    RCP_REPORT = "rcp_report"  # Fiche RCP (FRCP)
    GENETICS_REPORT = "genetics_report"  # Compte rendu de génétique moléculaire (CR-GM)
    PREVIOUS_PPS = "previous_pps"  # PPS antérieur
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class ReferencedDocument:
    """A document the PPS refers to (FR-References-externes externalDocument): id, text, code and kind."""

    id: Identifier | None
    kind: ReferencedKind = ReferencedKind.OTHER
    type_code: str | None = None
    code: Code | None = None
    text: str | None = None


# ----------------------------------------------------------------------------------------------------
# The whole document
# ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CarePlan:
    """A cancer care plan (Programme Personnalisé de Soins en cancérologie), one version of one document: everything
    a CI-SIS CANCER-PPS 2022.01 document says. Every field is optional where the document may omit it; what the
    reader could not read is listed in `warnings`, never raised.

    `programme` holds the items of the therapeutic and follow-up programme (kinds MED-568…MED-571) and
    `support` those of supportive care and social support (MED-572, MED-573), in document order. A PDF-only
    PPS (CDA nonXMLBody) has the header, `pdf` bytes and no sections.
    """

    metadata: DocumentMetadata
    patient: Patient
    trusted_persons: tuple[RelatedPerson, ...] = ()
    emergency_contacts: tuple[RelatedPerson, ...] = ()
    contacts: tuple[Contact, ...] = ()
    patient_comment: str | None = None
    paediatrics: Paediatrics | None = None
    diagnoses: tuple[Diagnosis, ...] = ()
    discovery: Discovery | None = None
    phase: Phase | None = None
    progression: Progression | None = None
    programme: tuple[ProgrammeItem, ...] = ()
    treatment_stop: TreatmentStop | None = None
    support: tuple[ProgrammeItem, ...] = ()
    status: DocumentStatus | None = None
    referenced_documents: tuple[ReferencedDocument, ...] = ()
    personal_data_text: str | None = None
    sections: tuple[Section, ...] = ()
    pdf: bytes | None = None
    pdf_media_type: str | None = None
    warnings: tuple[ReadWarning, ...] = ()

    @property
    def is_pdf_only(self) -> bool:
        """True for a CDA level-1 document (nonXMLBody): a rendition instead of structured sections."""
        return self.pdf is not None or (not self.sections and self.pdf_media_type is not None)

    def section(self, key: SectionKey) -> Section | None:
        """The section with this key, when the document has it."""
        for section in self.sections:
            if section.key == key:
                return section
        return None

    def items(self, kind: ItemKind | None = None, status: ItemStatus | None = None) -> tuple[ProgrammeItem, ...]:
        """Programme and support items, filtered by kind and/or status."""
        return tuple(
            item
            for item in (*self.programme, *self.support)
            if (kind is None or item.kind == kind) and (status is None or item.status == status)
        )
