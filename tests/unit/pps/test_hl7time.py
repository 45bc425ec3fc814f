"""HL7 timestamps of every precision keep that precision; impossible ones are refused."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.pps.hl7time import HL7Time, InvalidTimestamp, Precision


@pytest.mark.parametrize(
    ("text", "precision", "parts"),
    [
        ("2019", Precision.YEAR, (2019, None, None, None, None, None)),
        ("201901", Precision.MONTH, (2019, 1, None, None, None, None)),
        ("20190129", Precision.DAY, (2019, 1, 29, None, None, None)),
        ("2019012912", Precision.HOUR, (2019, 1, 29, 12, None, None)),
        ("201901291217", Precision.MINUTE, (2019, 1, 29, 12, 17, None)),
        ("20190129121700", Precision.SECOND, (2019, 1, 29, 12, 17, 0)),
        ("20190129121700.1234", Precision.SECOND, (2019, 1, 29, 12, 17, 0)),
        ("20190129121700+0100", Precision.SECOND, (2019, 1, 29, 12, 17, 0)),
        ("201901291217-0330", Precision.MINUTE, (2019, 1, 29, 12, 17, None)),
        ("20190129+0200", Precision.DAY, (2019, 1, 29, None, None, None)),
        ("20240229", Precision.DAY, (2024, 2, 29, None, None, None)),
    ],
)
def test_every_precision_is_read_and_written_back(
    text: str, precision: Precision, parts: tuple[int | None, ...]
) -> None:
    value = HL7Time.parse(text)
    assert value.precision == precision
    assert (value.year, value.month, value.day, value.hour, value.minute, value.second) == parts
    assert value.to_hl7() == text


def test_the_offset_and_fraction_are_kept() -> None:
    value = HL7Time.parse("20210113121700.5-0330")
    assert value.offset_minutes == -210 and value.fraction == "5"
    assert value.to_datetime() == dt.datetime(
        2021, 1, 13, 12, 17, 0, 500000, tzinfo=dt.timezone(dt.timedelta(hours=-3, minutes=-30))
    )


def test_dates_and_datetimes_only_at_sufficient_precision() -> None:
    assert HL7Time.parse("201901").to_date() is None
    assert HL7Time.parse("20190129").to_date() == dt.date(2019, 1, 29)
    assert HL7Time.parse("20190129").to_datetime() is None
    assert HL7Time.parse("201901291217").to_datetime() == dt.datetime(2019, 1, 29, 12, 17)


@pytest.mark.parametrize(
    "text",
    [
        "20240231",
        "20230229",
        "20241301",
        "20240100",
        "2024010124",
        "202401011260",
        "20240101120060",
        "20240101+1500",
        "2024-01-01",
        "24",
        "",
        "2024013",
        "20240101120000.",
        "abcd",
        "20240101120000.12345",
    ],
)
def test_impossible_or_malformed_timestamps_are_refused(text: str) -> None:
    with pytest.raises(InvalidTimestamp):
        HL7Time.parse(text)


def test_a_finer_part_without_the_coarser_one_is_refused() -> None:
    with pytest.raises(InvalidTimestamp):
        HL7Time(2024, None, 5)


def test_sort_key_orders_mixed_precisions() -> None:
    values = [HL7Time.parse(t) for t in ("20200315", "2019", "202003", "20200315083000")]
    assert [v.to_hl7() for v in sorted(values, key=HL7Time.sort_key)] == [
        "2019",
        "202003",
        "20200315",
        "20200315083000",
    ]


@st.composite
def timestamps(draw: st.DrawFn) -> HL7Time:
    moment = draw(st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 12, 31)))
    precision = draw(st.sampled_from(list(Precision)))
    offset = draw(st.none() | st.integers(min_value=-12 * 60, max_value=14 * 60))
    value = HL7Time.from_datetime(moment, precision)
    return HL7Time(value.year, value.month, value.day, value.hour, value.minute, value.second, None, offset)


@given(timestamps())
def test_writing_then_reading_gives_the_same_value(value: HL7Time) -> None:
    assert HL7Time.parse(value.to_hl7()) == value


@given(st.text(alphabet="0123456789+-.", max_size=24))
def test_any_string_is_either_a_timestamp_or_refused(text: str) -> None:
    try:
        value = HL7Time.parse(text)
    except InvalidTimestamp:
        return
    assert value.to_hl7() == text.strip()
