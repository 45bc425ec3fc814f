"""The rhythm of an item in words: from the structured period and weekdays, else the document's text."""

from __future__ import annotations

import pytest

from portal.plain import rhythm_text, rhythm_words
from portal.pps.model import Code, Rhythm

SNOMED = "2.16.840.1.113883.6.96"
MONDAY = Code(SNOMED, "307145004", "lundi")
THURSDAY = Code(SNOMED, "307149005", "jeudi")
FRIDAY = Code(SNOMED, "307150005", "vendredi")


@pytest.mark.parametrize(
    ("rhythm", "fr", "en"),
    [
        (Rhythm(period_value="3", period_unit="wk"), "toutes les 3 semaines", "every 3 weeks"),
        (Rhythm(period_value="P3W"), "toutes les 3 semaines", "every 3 weeks"),
        (Rhythm(period_value="6", period_unit="mo"), "tous les 6 mois", "every 6 months"),
        (Rhythm(period_value="1", period_unit="d"), "tous les jours", "every day"),
        (Rhythm(period_value="1", period_unit="a"), "tous les ans", "every year"),
        (Rhythm(period_value="0.5", period_unit="d"), "2 fois par jour", "twice a day"),
        (Rhythm(period_value="1.5", period_unit="wk"), "toutes les 1,5 semaines", "every 1.5 weeks"),
        (Rhythm(weekdays=(MONDAY, THURSDAY)), "chaque lundi et jeudi", "every Monday and Thursday"),
        (
            Rhythm(weekdays=(MONDAY, THURSDAY, FRIDAY)),
            "chaque lundi, jeudi et vendredi",
            "every Monday, Thursday and Friday",
        ),
        (Rhythm(period_value="1", period_unit="wk", weekdays=(FRIDAY,)), "chaque vendredi", "every Friday"),
        (
            Rhythm(period_value="2", period_unit="wk", weekdays=(MONDAY,)),
            "toutes les 2 semaines, le lundi",
            "every 2 weeks, on Monday",
        ),
        (Rhythm(at_home=True), "à domicile", "at home"),
        (
            Rhythm(period_value="3", period_unit="wk", at_home=True),
            "toutes les 3 semaines, à domicile",
            "every 3 weeks, at home",
        ),
        (Rhythm(text="J1 = J21", period_value="3", period_unit="wk"), "toutes les 3 semaines", "every 3 weeks"),
        (Rhythm(text="1 comprimé par jour"), "1 comprimé par jour", "1 comprimé par jour"),
        (Rhythm(text="Une séance par jour", at_home=False), "Une séance par jour", "Une séance par jour"),
        (Rhythm(text="3 cures", period_value="x", period_unit="wk"), "3 cures", "3 cures"),
        (Rhythm(text="tous les mois", period_value="1", period_unit="fortnight"), "tous les mois", "tous les mois"),
    ],
)
def test_rhythm_in_words(rhythm: Rhythm, fr: str, en: str) -> None:
    assert (rhythm_text(rhythm, "fr"), rhythm_text(rhythm, "en")) == (fr, en)


@pytest.mark.parametrize("rhythm", [None, Rhythm(), Rhythm(text="  ", at_home=False)], ids=["none", "empty", "blank"])
def test_no_rhythm_says_nothing(rhythm: Rhythm | None) -> None:
    assert rhythm_text(rhythm, "fr") is None
    assert rhythm_words(rhythm, "en") is None


def test_rhythm_parts_mark_the_documents_own_words() -> None:
    parts = rhythm_words(Rhythm(text="1 comprimé par jour", at_home=True), "en")
    assert parts is not None
    assert (parts.text, parts.from_document, parts.at_home) == ("1 comprimé par jour", True, "at home")
    ours = rhythm_words(Rhythm(text="J1 = J21", period_value="3", period_unit="wk"), "en")
    assert ours is not None and (ours.text, ours.from_document, ours.at_home) == ("every 3 weeks", False, None)
