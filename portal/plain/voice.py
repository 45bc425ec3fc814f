"""Whom the pages speak to (plain step of the data path): the patient, in the second person ("your
treatments"), or someone who helps or represents them, about the patient in the third person ("Germaine's
treatments"). A coordinator's preview keeps the patient's own words, since it shows what the patient sees.

Plain Python: the web step picks the voice from who is viewing; templates read `voice.third` and `voice.name`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TO_THE_PATIENT", "Voice", "first_name", "voice_for"]


@dataclass(frozen=True, slots=True)
class Voice:
    """`third` when the reader is not the patient; `name` is how the pages call the patient then."""

    third: bool = False
    name: str = ""

    def say(self, second: str, third: str) -> str:
        """One of two sentences already translated: to the patient, or about them."""
        return third if self.third else second


#: The patient's own voice (the second person): the default of everything written for a viewer.
TO_THE_PATIENT = Voice()


def first_name(given: tuple[str, ...], display_name: str) -> str:
    """The patient's first given name ("Germaine"), else the name the store shows ("Germaine Factice")."""
    name = next((part.strip() for part in given if part.strip()), "")
    return name or display_name


def voice_for(reader_is_patient_or_preview: bool, given: tuple[str, ...], display_name: str) -> Voice:
    """The second person for the patient (and a preview of what they see), the third for anyone else."""
    if reader_is_patient_or_preview:
        return Voice()
    return Voice(True, first_name(given, display_name))
