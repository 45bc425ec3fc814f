"""Plain words for the codes of a care plan: the `plain` step between the `pps` model and the web pages.

Every code a page shows goes through `label`: a value-set code (`portal.pps.codes.CONCEPTS`), a CIM-10
topography, a laterality or a CIM-O-3 morphology gets a plain name and one short sentence, in French or English.
A code we do not know falls back to the document's own words, marked `from_document=True`, so the page can say
"as written by your team". The tables live in `label_data`; this module only chooses and assembles.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

from portal.plain import label_data as data
from portal.pps.codes import TA_ASIP, CodeKind, kinds_of
from portal.pps.model import Code, ContactRole, ItemKind, Progression, Rhythm

__all__ = [
    "CIM10",
    "CIMO3",
    "KIND_VALUE_SETS",
    "ROLE_GROUPS",
    "Lang",
    "PlainLabel",
    "RhythmWords",
    "behaviour_label",
    "item_kind_label",
    "label",
    "laterality_label",
    "morphology_label",
    "phase_label",
    "progression_label",
    "rhythm_text",
    "rhythm_words",
    "role_group",
    "role_group_label",
    "role_label",
    "status_label",
    "topography_label",
    "update_reason_sentence",
]

Lang = Literal["fr", "en"]

CIM10 = "2.16.840.1.113883.6.3"
"""OID of CIM-10 (ICD-10), the topography of the tumour."""
CIMO3 = "2.16.840.1.113883.6.43.1"
"""OID of CIM-O-3 (ICD-O-3), the morphology of the tumour (code "8500/3": histology / behaviour)."""
SNOMED_CT = "2.16.840.1.113883.6.96"

ROLE_GROUPS: tuple[str, ...] = ("hospital", "gp", "coordination", "support")
"""The contact groups of the care-team page, in page order."""

# A code may sit in several value sets (MED-556 is a treatment type and a reason for update): without an
# explicit kind, the first kind of this order wins, because a page showing a bare code is most often a programme.
_KIND_ORDER: tuple[CodeKind, ...] = (
    CodeKind.TREATMENT_TYPE,
    CodeKind.FOLLOW_UP_TYPE,
    CodeKind.SUPPORTIVE_CARE,
    CodeKind.SOCIAL_SUPPORT,
    CodeKind.ASSOCIATED_MEASURE,
    CodeKind.SIDE_EFFECT_MANAGEMENT,
    CodeKind.ROUTE,
    CodeKind.CARE_STRUCTURE,
    CodeKind.ADDICTION,
    CodeKind.WEEKDAY,
    CodeKind.PHASE,
    CodeKind.PROGRESSION,
    CodeKind.DOCUMENT_STATUS,
    CodeKind.UPDATE_REASON,
)


@dataclass(frozen=True, slots=True)
class PlainLabel:
    """A plain name for a code and, when useful, one sentence (≤ 20 words) on what it is.

    `from_document` is True when the words are the document's own (an unknown code): the page marks them as
    written by the care team. `glossary_id` is the anchor of the matching glossary entry, when there is one.
    """

    text: str
    explanation: str | None = None
    from_document: bool = False
    glossary_id: str | None = None


def _plain(words: data.Words, lang: Lang) -> PlainLabel:
    if lang == "en":
        return PlainLabel(words.en, words.en_explanation, False, words.glossary_id)
    return PlainLabel(words.fr, words.fr_explanation, False, words.glossary_id)


def _from_document(code: Code) -> PlainLabel | None:
    # The author's words first (originalText), then the display; never the bare code, which means nothing to a
    # patient.
    text = (code.original_text or "").strip() or (code.display or "").strip()
    return PlainLabel(text, None, True, None) if text else None


def _concept_words(code: Code, kind: CodeKind | None) -> data.Words | None:
    kinds = kinds_of(code.system, code.code)
    if not kinds or code.system is None or code.code is None:
        return None
    order = ((kind,) if kind in kinds else ()) + _KIND_ORDER
    for candidate in order:
        if candidate in kinds:
            return data.CONCEPT_WORDS.get((candidate, code.system, code.code))
    return None


def label(code: Code | None, lang: Lang, *, kind: CodeKind | None = None) -> PlainLabel | None:
    """The plain label of a code; the document's words when the code is unknown; None when nothing is usable.

    `kind` picks the value set when a code belongs to several (MED-556: treatment type or reason for update).
    """
    if code is None:
        return None
    words = _concept_words(code, kind)
    if words is None and kind is not None and code.key == (TA_ASIP, "GEN-092"):
        words = data.OTHER_BY_KIND.get(kind)
    if words is None and code.key is not None:
        words = data.EXTRA_WORDS.get(code.key)
    if words is not None:
        return _plain(words, lang)
    if code.system == CIM10:
        found = topography_label(code, lang)
        if found is not None:
            return found
    elif code.system == CIMO3:
        found = morphology_label(code, lang)
        if found is not None:
            return found
        # An unknown histology keeps the team's precise words; the behaviour digit is the last resort.
        return _from_document(code) or behaviour_label(code, lang)
    elif code.system == SNOMED_CT and code.code in data.LATERALITY:
        return _plain(data.LATERALITY[code.code], lang)
    return _from_document(code)


def topography_label(code: Code | None, lang: Lang) -> PlainLabel | None:
    """Where the cancer is, in plain words, from a CIM-10 code (by its 3-character group: "C50.2" → breast)."""
    if code is None or code.code is None:
        return None
    group = code.code.strip().upper()[:3]
    words = data.TOPOGRAPHY.get(group)
    return _plain(words, lang) if words is not None else None


def laterality_label(code: Code | None, lang: Lang) -> PlainLabel | None:
    """Which side (right, left, both sides), from the SNOMED CT laterality code; else the document's words."""
    if code is None:
        return None
    if code.code in data.LATERALITY and code.system in (SNOMED_CT, None):
        return _plain(data.LATERALITY[code.code], lang)
    return _from_document(code)


def morphology_label(code: Code | None, lang: Lang) -> PlainLabel | None:
    """The kind of tumour cell from a common CIM-O-3 histology ("8500/3" → ductal carcinoma), or None."""
    if code is None or code.code is None:
        return None
    words = data.MORPHOLOGY.get(code.code.strip()[:4])
    return _plain(words, lang) if words is not None else None


def behaviour_label(code: Code | None, lang: Lang) -> PlainLabel | None:
    """What the CIM-O-3 behaviour digit says ("8500/3" → a cancer that can spread), or None without one."""
    if code is None or code.code is None or "/" not in code.code:
        return None
    digit = code.code.rpartition("/")[2].strip()[:1]
    words = data.BEHAVIOUR.get(digit)
    return _plain(words, lang) if words is not None else None


def phase_label(code: Code | None, lang: Lang) -> PlainLabel | None:
    """The clinical phase (MED-268 initial, MED-244 relapse) in plain words."""
    return label(code, lang, kind=CodeKind.PHASE)


def status_label(code: Code | None, lang: Lang) -> PlainLabel | None:
    """The document status (in progress, done, approved, closed) in plain words."""
    return label(code, lang, kind=CodeKind.DOCUMENT_STATUS)


#: Reasons for an update that say nothing more than "the plan was updated" ("programme ajusté", "autre raison"):
#: never shown as if they were a reason (the overview says the plan was updated and links to what changed).
EMPTY_UPDATE_REASONS = frozenset({(TA_ASIP, "MED-560"), (TA_ASIP, "GEN-092.08.02")})


def update_reason_says_something(code: Code | None) -> bool:
    """Whether a reason for an update tells the reader more than that the plan changed."""
    return code is not None and code.key not in EMPTY_UPDATE_REASONS


def update_reason_sentence(code: Code | None, lang: Lang) -> str | None:
    """Why the plan was updated, as one plain sentence for the overview ("The dates in your plan have changed.").

    An unknown reason gives the document's own words; None when there is nothing to say.
    """
    found = label(code, lang, kind=CodeKind.UPDATE_REASON)
    if found is None:
        return None
    if found.from_document or found.explanation is None:
        return found.text
    return found.explanation


def progression_label(progression: Progression | None, lang: Lang) -> PlainLabel | None:
    """The progression of the illness (local, regional, distant) in gentle words; None when there is none."""
    extent = progression.extent if progression is not None else None
    return _plain(data.PROGRESSION_WORDS[extent], lang) if extent is not None else None


def _role_key(role_code: str | ContactRole) -> str:
    return str(role_code.value if isinstance(role_code, ContactRole) else role_code).strip()


def role_label(role_code: str | ContactRole, lang: Lang) -> PlainLabel:
    """The plain name of a contact's role (ORG-177, PCP, 353, ORG-190…); a generic "Contact" when unknown."""
    words = data.ROLE_WORDS.get(_role_key(role_code), data.ROLE_WORDS["other"])
    return _plain(words, lang)


def role_group(role_code: str | ContactRole) -> str:
    """The group of the care-team page a role belongs to: "hospital", "gp", "coordination" or "support".

    Unknown roles go to "support" (other help), so that the hospital team and the GP stay exact.
    """
    return data.ROLE_GROUP.get(_role_key(role_code), "support")


def role_group_label(group: str, lang: Lang) -> PlainLabel:
    """The heading of a contact group ("The hospital team", "The GP and local care"…)."""
    return _plain(data.ROLE_GROUP_WORDS.get(group, data.ROLE_GROUP_WORDS["support"]), lang)


#: The value set each item kind draws its type code from (to pick the right plain label).
KIND_VALUE_SETS: dict[ItemKind, CodeKind] = {
    ItemKind.TREATMENT: CodeKind.TREATMENT_TYPE,
    ItemKind.SIDE_EFFECT_MANAGEMENT: CodeKind.SIDE_EFFECT_MANAGEMENT,
    ItemKind.ASSOCIATED_MEASURE: CodeKind.ASSOCIATED_MEASURE,
    ItemKind.FOLLOW_UP: CodeKind.FOLLOW_UP_TYPE,
    ItemKind.SUPPORTIVE_CARE: CodeKind.SUPPORTIVE_CARE,
    ItemKind.SOCIAL_SUPPORT: CodeKind.SOCIAL_SUPPORT,
}


def item_kind_label(kind: ItemKind, lang: Lang) -> PlainLabel:
    """The plain name of an item kind: treatment, side-effect care, associated measure, follow-up, support."""
    return _plain(data.ITEM_KIND_WORDS[kind], lang)


def _number(value: str) -> Decimal | None:
    try:
        number = Decimal(value.strip().replace(",", "."))
    except (InvalidOperation, AttributeError):
        return None
    return number if number > 0 else None


def _iso_duration(value: str) -> tuple[str, str] | None:
    # Some documents write the period as an ISO 8601 duration ("P3W") instead of value + UCUM unit.
    text = value.strip().upper()
    if len(text) < 3 or not text.startswith("P") or text[-1] not in data.ISO_UNITS:
        return None
    number = text[1:-1].lstrip("T")
    return (number, data.ISO_UNITS[text[-1]]) if number.replace(".", "", 1).isdigit() else None


def _period_text(value: str | None, unit: str | None, lang: Lang) -> str | None:
    if value is None:
        return None
    if unit is None or not unit.strip():
        parsed = _iso_duration(value)
        if parsed is None:
            return None
        value, unit = parsed
    words = data.PERIOD_UNITS.get(unit.strip())
    number = _number(value)
    if words is None or number is None:
        return None
    if number < 1:
        # A period shorter than the unit is a frequency: 0.5 d → twice a day.
        times = round(1 / number)
        return data.times_per(times, words, lang)
    return data.every(number, words, lang)


def _weekday_names(weekdays: tuple[Code, ...], lang: Lang) -> list[str]:
    names = [data.weekday_name(day.code, lang) for day in weekdays]
    return [name for name in names if name]


def _is_weekly(value: str | None, unit: str | None) -> bool:
    return value is not None and unit is not None and unit.strip() == "wk" and _number(value) == 1


def _structured_rhythm(rhythm: Rhythm, lang: Lang) -> str | None:
    days = _weekday_names(rhythm.weekdays, lang)
    period = _period_text(rhythm.period_value, rhythm.period_unit, lang)
    if days and period and not _is_weekly(rhythm.period_value, rhythm.period_unit):
        return f"{period}, {data.on_weekdays(days, lang)}"  # "every 2 weeks, on Monday"
    if days:
        return data.every_weekdays(days, lang)
    return period


@dataclass(frozen=True, slots=True)
class RhythmWords:
    """The parts of a rhythm, for pages that mark the document's own words with their language.

    `text` is our words (from the structured period and weekdays) or, when `from_document`, the document's text;
    `at_home` is "at home" / "à domicile" in the page language, or None.
    """

    text: str | None
    from_document: bool
    at_home: str | None


def rhythm_words(rhythm: Rhythm | None, lang: Lang) -> RhythmWords | None:
    """Like `rhythm_text`, in parts: None when the document says nothing."""
    if rhythm is None:
        return None
    structured = _structured_rhythm(rhythm, lang)
    document = None if structured else (rhythm.text or "").strip() or None
    home = data.AT_HOME[lang] if rhythm.at_home else None
    if structured is None and document is None and home is None:
        return None
    return RhythmWords(structured or document, document is not None, home)


def rhythm_text(rhythm: Rhythm | None, lang: Lang) -> str | None:
    """The rhythm of an item in words ("every 3 weeks", "tous les 6 mois", "every Monday and Thursday", "at home").

    Built from the structured period and weekdays; the document's own text otherwise; "at home" is added when
    the treatment happens at home. None when the document says nothing.
    """
    words = rhythm_words(rhythm, lang)
    if words is None:
        return None
    if words.text and words.at_home:
        return f"{words.text}, {words.at_home}"
    return words.text or words.at_home
