"""FHIR date, dateTime and instant values read precisely (store step: checking what the store sends)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Literal

Precision = Literal["year", "month", "day", "second"]

_DATETIME = re.compile(
    r"(?P<year>[0-9]{4})"
    r"(?:-(?P<month>[0-9]{2})"
    r"(?:-(?P<day>[0-9]{2})"
    r"(?:T(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})(?:\.(?P<fraction>[0-9]{1,9}))?"
    r"(?P<offset>Z|[+-][0-9]{2}:[0-9]{2})?"
    r")?)?)?"
)


def parse_fhir_datetime(text: str) -> tuple[datetime, Precision]:
    """Read a FHIR `date`, `dateTime` or `instant`; raises ValueError when it is not one.

    FHIR allows partial dates (`2024`, `2024-05`, `2024-05-02`) and full times that must carry an offset
    (`2024-05-02T09:30:00+02:00`, `…Z`, fractions up to nanoseconds). The precision comes next to an aware datetime,
    so that a day-only date is never shown with an invented time and values of different precisions still sort
    together: a time carries its own offset, a partial date starts at midnight UTC of the first day of its period.
    """
    match = _DATETIME.fullmatch(text)
    if match is None:
        raise ValueError("not a FHIR date/dateTime")
    year = int(match["year"])
    if year == 0:
        raise ValueError("year 0000 is not valid")
    month = int(match["month"] or 1)
    day = int(match["day"] or 1)
    if match["hour"] is None:
        value = datetime(year, month, day, tzinfo=UTC)  # raises ValueError on 2024-02-30
        precision: Precision = "day" if match["day"] else "month" if match["month"] else "year"
        return value, precision
    if match["offset"] is None:
        # FHIR: "If hours and minutes are specified, a timezone offset SHALL be populated".
        raise ValueError("a FHIR dateTime with a time needs an offset")
    # A leap second (:60) is legal in FHIR; Python has no such second, so we keep the instant just before.
    second = min(int(match["second"]), 59)
    microsecond = int((match["fraction"] or "0").ljust(9, "0")[:6])
    value = datetime(
        year,
        month,
        day,
        int(match["hour"]),
        int(match["minute"]),
        second,
        microsecond,
        tzinfo=_offset(match["offset"]),
    )
    return value, "second"


def parse_fhir_date(text: str) -> date | None:
    """Read a FHIR `date` (e.g. birthDate). A partial date (`1958`, `1958-03`) gives None: we do not
    invent a day. Raises ValueError when it is not a FHIR date at all."""
    value, precision = parse_fhir_datetime(text)
    if "T" in text:
        raise ValueError("a FHIR date has no time")
    return value.date() if precision == "day" else None


def _offset(text: str) -> timezone:
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    hours, minutes = int(text[1:3]), int(text[4:6])
    if hours > 14 or minutes > 59 or (hours == 14 and minutes):
        raise ValueError("offset out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))
