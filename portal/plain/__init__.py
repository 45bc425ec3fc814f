"""The `plain` step of the data path: codes of the care-plan model → plain French and English words.

`pps` (CDA reader → care-plan model) ─▶ **plain** ─▶ web. Pure Python: no Flask, no requests; the web layer passes
the language. `labels` gives a plain name and a one-sentence explanation for every code, `glossary` the
definitions, `terms` finds glossary words in free text, `readability` scores every sentence we write.
"""

from portal.plain.glossary import GLOSSARY, GlossaryEntry, glossary_entry, glossary_sorted
from portal.plain.labels import (
    ROLE_GROUPS,
    Lang,
    PlainLabel,
    RhythmWords,
    behaviour_label,
    item_kind_label,
    label,
    laterality_label,
    morphology_label,
    phase_label,
    progression_label,
    rhythm_text,
    rhythm_words,
    role_group,
    role_group_label,
    role_label,
    status_label,
    topography_label,
    update_reason_sentence,
)
from portal.plain.readability import flesch_reading_ease, kandel_moles, syllables_en, syllables_fr
from portal.plain.terms import find_terms

__all__ = [
    "GLOSSARY",
    "ROLE_GROUPS",
    "GlossaryEntry",
    "Lang",
    "PlainLabel",
    "RhythmWords",
    "behaviour_label",
    "find_terms",
    "flesch_reading_ease",
    "glossary_entry",
    "glossary_sorted",
    "item_kind_label",
    "kandel_moles",
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
    "syllables_en",
    "syllables_fr",
    "topography_label",
    "update_reason_sentence",
]
