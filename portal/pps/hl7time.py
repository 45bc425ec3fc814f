"""HL7 v3 timestamps (TS) of every precision, for the CDA reader of the `pps` step."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import IntEnum

__all__ = ["HL7Time", "InvalidTimestamp", "Precision"]

# YYYY[MM[DD[HH[MM[SS[.F{1,4}]]]]]][+|-ZZzz]: each part exists only if the previous one does.
_TS = re.compile(
    r"(?P<year>\d{4})"
    r"(?:(?P<month>\d{2})"
    r"(?:(?P<day>\d{2})"
    r"(?:(?P<hour>\d{2})"
    r"(?:(?P<minute>\d{2})"
    r"(?:(?P<second>\d{2})(?:\.(?P<fraction>\d{1,4}))?"
    r")?)?)?)?)?"
    r"(?P<offset>[+-]\d{4})?"
)


class InvalidTimestamp(ValueError):
    """An HL7 timestamp that is malformed or names an impossible date (e.g. 20240231)."""


class Precision(IntEnum):
    """How much of the timestamp its author gave (précision de la date)."""

    YEAR = 1
    MONTH = 2
    DAY = 3
    HOUR = 4
    MINUTE = 5
    SECOND = 6


@dataclass(frozen=True, slots=True, order=False)
class HL7Time:
    """An HL7 v3 point in time (horodatage TS) with the precision it was written with.

    "2019" is a year, "20190129" a day, "201901291217+0100" a minute with its offset from UTC. The care plan must
    show exactly that, so the value is kept as its parts, never widened to a full datetime.

    `offset_minutes` is the offset from UTC when the author wrote one (`+0100` → 60), else None.
    `fraction` keeps the digits after the decimal point of the seconds, as written.
    """

    year: int
    month: int | None = None
    day: int | None = None
    hour: int | None = None
    minute: int | None = None
    second: int | None = None
    fraction: str | None = None
    offset_minutes: int | None = None

    def __post_init__(self) -> None:
        _validate(self)

    @classmethod
    def parse(cls, value: str) -> HL7Time:
        """Parse an HL7 TS string; raise InvalidTimestamp when malformed or impossible."""
        text = value.strip()
        match = _TS.fullmatch(text)
        if match is None:
            raise InvalidTimestamp(f"not an HL7 timestamp: {value[:40]!r}")
        parts = match.groupdict()
        offset = parts["offset"]
        offset_minutes = None
        if offset is not None:
            sign = -1 if offset[0] == "-" else 1
            offset_minutes = sign * (int(offset[1:3]) * 60 + int(offset[3:5]))
            if int(offset[1:3]) > 14 or int(offset[3:5]) > 59:
                raise InvalidTimestamp(f"impossible UTC offset in {value[:40]!r}")

        def num(name: str) -> int | None:
            part = parts[name]
            return None if part is None else int(part)

        try:
            return cls(
                year=int(parts["year"]),
                month=num("month"),
                day=num("day"),
                hour=num("hour"),
                minute=num("minute"),
                second=num("second"),
                fraction=parts["fraction"],
                offset_minutes=offset_minutes,
            )
        except InvalidTimestamp as exc:
            raise InvalidTimestamp(f"{exc} in {value[:40]!r}") from None

    @classmethod
    def from_date(cls, day: dt.date) -> HL7Time:
        """A day-precision timestamp."""
        return cls(day.year, day.month, day.day)

    @classmethod
    def from_datetime(cls, moment: dt.datetime, precision: Precision = Precision.SECOND) -> HL7Time:
        """A timestamp cut at `precision`, keeping the offset of an aware datetime."""
        offset = moment.utcoffset()
        values = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
        kept = [v if i < precision else None for i, v in enumerate(values)]
        return cls(
            year=moment.year,
            month=kept[1],
            day=kept[2],
            hour=kept[3],
            minute=kept[4],
            second=kept[5],
            offset_minutes=None if offset is None else int(offset.total_seconds() // 60),
        )

    @property
    def precision(self) -> Precision:
        """The finest part given."""
        for precision, part in (
            (Precision.SECOND, self.second),
            (Precision.MINUTE, self.minute),
            (Precision.HOUR, self.hour),
            (Precision.DAY, self.day),
            (Precision.MONTH, self.month),
        ):
            if part is not None:
                return precision
        return Precision.YEAR

    def to_hl7(self) -> str:
        """The canonical HL7 TS string (round-trips with `parse`)."""
        text = f"{self.year:04d}"
        for part in (self.month, self.day, self.hour, self.minute, self.second):
            if part is None:
                break
            text += f"{part:02d}"
        if self.fraction is not None:
            text += "." + self.fraction
        if self.offset_minutes is not None:
            sign = "-" if self.offset_minutes < 0 else "+"
            hours, minutes = divmod(abs(self.offset_minutes), 60)
            text += f"{sign}{hours:02d}{minutes:02d}"
        return text

    def to_date(self) -> dt.date | None:
        """The calendar day, when the timestamp is at least day-precise (local to its author)."""
        if self.month is None or self.day is None:
            return None
        return dt.date(self.year, self.month, self.day)

    def to_datetime(self) -> dt.datetime | None:
        """The instant, when at least minute-precise; aware when an offset was written."""
        if self.month is None or self.day is None or self.hour is None or self.minute is None:
            return None
        tz = None if self.offset_minutes is None else dt.timezone(dt.timedelta(minutes=self.offset_minutes))
        micro = int((self.fraction or "0").ljust(6, "0")[:6])
        return dt.datetime(self.year, self.month, self.day, self.hour, self.minute, self.second or 0, micro, tzinfo=tz)

    def sort_key(self) -> tuple[int, int, int, int, int, int]:
        """Earliest local moment the value may denote, for sorting mixed precisions (offset ignored)."""
        return (
            self.year,
            self.month or 1,
            self.day or 1,
            self.hour or 0,
            self.minute or 0,
            self.second or 0,
        )

    def __str__(self) -> str:
        return self.to_hl7()


def _validate(value: HL7Time) -> None:
    """Refuse impossible values and holes in the precision (a day without a month)."""
    parts = (value.month, value.day, value.hour, value.minute, value.second)
    seen_missing = False
    for part in parts:
        if part is None:
            seen_missing = True
        elif seen_missing:
            raise InvalidTimestamp("a finer part is given without the coarser one")
    if value.fraction is not None and (value.second is None or not value.fraction.isdigit()):
        raise InvalidTimestamp("fraction of second without seconds")
    if not 1 <= value.year <= 9999:
        raise InvalidTimestamp("impossible year")
    if value.month is not None and not 1 <= value.month <= 12:
        raise InvalidTimestamp("impossible month")
    if value.day is not None and value.month is not None:
        last = calendar.monthrange(value.year, value.month)[1]
        if not 1 <= value.day <= last:
            raise InvalidTimestamp("impossible day")
    if value.hour is not None and not 0 <= value.hour <= 23:
        raise InvalidTimestamp("impossible hour")
    if value.minute is not None and not 0 <= value.minute <= 59:
        raise InvalidTimestamp("impossible minute")
    if value.second is not None and not 0 <= value.second <= 59:
        raise InvalidTimestamp("impossible second")
    if value.offset_minutes is not None and abs(value.offset_minutes) > 14 * 60 + 59:
        raise InvalidTimestamp("impossible UTC offset")
