"""FHIR date / dateTime / instant values, read with their precision."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from portal.store.dates import parse_fhir_date, parse_fhir_datetime

PARIS_WINTER = timezone(timedelta(hours=1))


@pytest.mark.parametrize(
    ("text", "value", "precision"),
    [
        ("2024", datetime(2024, 1, 1, tzinfo=UTC), "year"),
        ("2024-05", datetime(2024, 5, 1, tzinfo=UTC), "month"),
        ("2024-05-02", datetime(2024, 5, 2, tzinfo=UTC), "day"),
        ("2024-01-20T08:30:00+01:00", datetime(2024, 1, 20, 8, 30, tzinfo=PARIS_WINTER), "second"),
        ("2024-01-20T07:30:00Z", datetime(2024, 1, 20, 7, 30, tzinfo=UTC), "second"),
        (
            "2024-01-20T07:30:00.5-03:30",
            datetime(2024, 1, 20, 7, 30, 0, 500000, tzinfo=timezone(-timedelta(hours=3, minutes=30))),
            "second",
        ),
        ("2024-01-20T07:30:00.123456789Z", datetime(2024, 1, 20, 7, 30, 0, 123456, tzinfo=UTC), "second"),
        ("2016-12-31T23:59:60Z", datetime(2016, 12, 31, 23, 59, 59, tzinfo=UTC), "second"),
    ],
)
def test_fhir_datetimes_are_read_with_their_precision(text: str, value: datetime, precision: str) -> None:
    assert parse_fhir_datetime(text) == (value, precision)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "24",
        "2024-13",
        "2024-02-30",
        "2024-05-02T10:00",  # seconds are required
        "2024-05-02T10:00:00",  # a time needs an offset
        "2024-05-02T25:00:00Z",
        "2024-05-02T10:00:00+15:00",
        "2024-05-02 10:00:00Z",
        "0000",
        "12/03/2024",
    ],
)
def test_malformed_values_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"FHIR|range|valid|offset|out of|must be"):
        parse_fhir_datetime(text)


def test_partial_dates_of_different_precision_sort_together() -> None:
    values = ["2024-03-12T10:15:00+01:00", "2023-11", "2024-01-20", "2024"]

    ordered = sorted(values, key=lambda text: parse_fhir_datetime(text)[0])

    assert ordered == ["2023-11", "2024", "2024-01-20", "2024-03-12T10:15:00+01:00"]


def test_a_birth_date_is_a_date_and_a_partial_one_invents_no_day() -> None:
    assert parse_fhir_date("1995-01-14") == date(1995, 1, 14)
    assert parse_fhir_date("1995-01") is None
    with pytest.raises(ValueError, match="no time"):
        parse_fhir_date("1995-01-14T00:00:00Z")
