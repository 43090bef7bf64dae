"""Date presets: half-open [from, to) of local dates, weeks from Monday, in the reporting zone."""

from __future__ import annotations

import datetime as dt

import pytest

from pulsebi.errors import UsageError
from pulsebi.widgets.dates import (
    PRESETS,
    contains_today,
    last_year_to_date,
    local_today,
    period_to_date,
    preset_range,
    previous_period,
    previous_to_date,
    same_period_last_year,
    to_date_until,
)

D = dt.date
WED = D(2026, 11, 25)  # a Wednesday


@pytest.mark.parametrize(
    ("preset", "today", "expected"),
    [
        ("today", WED, (WED, D(2026, 11, 26))),
        ("week_to_date", WED, (D(2026, 11, 23), D(2026, 11, 26))),
        ("week_to_date", D(2026, 11, 23), (D(2026, 11, 23), D(2026, 11, 24))),  # Monday
        ("week_to_date", D(2026, 11, 29), (D(2026, 11, 23), D(2026, 11, 30))),  # Sunday
        ("month_to_date", WED, (D(2026, 11, 1), D(2026, 11, 26))),
        ("quarter_to_date", WED, (D(2026, 10, 1), D(2026, 11, 26))),
        ("year_to_date", WED, (D(2026, 1, 1), D(2026, 11, 26))),
        ("last_7_days", WED, (D(2026, 11, 19), D(2026, 11, 26))),
        ("last_30_days", WED, (D(2026, 10, 27), D(2026, 11, 26))),
        ("last_90_days", WED, (D(2026, 8, 28), D(2026, 11, 26))),
        ("last_month", WED, (D(2026, 10, 1), D(2026, 11, 1))),
        ("last_year", WED, (D(2025, 1, 1), D(2026, 1, 1))),
        # year boundaries
        ("today", D(2026, 12, 31), (D(2026, 12, 31), D(2027, 1, 1))),
        ("week_to_date", D(2027, 1, 1), (D(2026, 12, 28), D(2027, 1, 2))),  # week spans years
        ("month_to_date", D(2027, 1, 1), (D(2027, 1, 1), D(2027, 1, 2))),
        ("quarter_to_date", D(2027, 1, 1), (D(2027, 1, 1), D(2027, 1, 2))),
        ("last_month", D(2027, 1, 15), (D(2026, 12, 1), D(2027, 1, 1))),
        ("last_7_days", D(2027, 1, 2), (D(2026, 12, 27), D(2027, 1, 3))),
        ("last_month", D(2028, 3, 31), (D(2028, 2, 1), D(2028, 3, 1))),  # leap February
    ],
)
def test_preset_ranges(preset: str, today: dt.date, expected: tuple[dt.date, dt.date]) -> None:
    assert preset_range(preset, today) == expected


def test_every_preset_is_half_open_and_contains_today_when_to_date() -> None:
    for preset in PRESETS:
        if preset in ("custom", "last_month", "last_year"):
            continue
        start, end = preset_range(preset, WED)
        assert start <= WED < end


@pytest.mark.parametrize(
    ("instant", "local"),
    [
        # 2026-03-08: Chicago springs forward at 02:00 (08:00 UTC); midnight is still CST (06:00Z)
        (dt.datetime(2026, 3, 8, 5, 59, tzinfo=dt.UTC), D(2026, 3, 7)),
        (dt.datetime(2026, 3, 8, 6, 0, tzinfo=dt.UTC), D(2026, 3, 8)),
        (dt.datetime(2026, 3, 9, 4, 59, tzinfo=dt.UTC), D(2026, 3, 8)),  # 23:59 CDT
        (dt.datetime(2026, 3, 9, 5, 0, tzinfo=dt.UTC), D(2026, 3, 9)),  # midnight is now 05:00Z
        # 2026-11-01: falls back at 02:00 CDT; the day is 25 hours long
        (dt.datetime(2026, 11, 1, 4, 59, tzinfo=dt.UTC), D(2026, 10, 31)),
        (dt.datetime(2026, 11, 1, 5, 0, tzinfo=dt.UTC), D(2026, 11, 1)),
        (dt.datetime(2026, 11, 2, 5, 59, tzinfo=dt.UTC), D(2026, 11, 1)),  # 23:59 CST
        (dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC), D(2026, 11, 2)),
        # New Year's Eve in UTC is still the old year in Chicago
        (dt.datetime(2027, 1, 1, 3, 0, tzinfo=dt.UTC), D(2026, 12, 31)),
    ],
)
def test_today_is_the_date_in_the_reporting_zone(instant: dt.datetime, local: dt.date) -> None:
    assert local_today(instant, "America/Chicago") == local


def test_today_follows_the_reporting_zone_not_utc() -> None:
    instant = dt.datetime(2027, 1, 1, 3, 0, tzinfo=dt.UTC)
    assert preset_range("year_to_date", local_today(instant, "America/Chicago"))[0] == D(2026, 1, 1)
    assert preset_range("year_to_date", local_today(instant, "UTC"))[0] == D(2027, 1, 1)
    with pytest.raises(UsageError, match="aware datetime"):
        local_today(dt.datetime(2026, 1, 1), "UTC")


def test_custom_range_is_checked() -> None:
    jan = (D(2026, 1, 1), D(2026, 2, 1))
    assert preset_range("custom", WED, *jan) == jan
    with pytest.raises(UsageError, match="is empty"):
        preset_range("custom", WED, D(2026, 2, 1), D(2026, 2, 1))
    with pytest.raises(UsageError, match="needs both"):
        preset_range("custom", WED, D(2026, 2, 1))
    with pytest.raises(UsageError, match="preset 'fortnight'"):
        preset_range("fortnight", WED)


def test_comparison_periods() -> None:
    ytd = preset_range("year_to_date", D(2028, 2, 29))
    assert same_period_last_year(*ytd) == (D(2027, 1, 1), D(2027, 3, 1))
    assert same_period_last_year(D(2028, 2, 29), D(2028, 3, 1)) == (D(2027, 2, 28), D(2027, 3, 1))
    assert previous_period(D(2026, 11, 23), D(2026, 11, 30)) == (D(2026, 11, 16), D(2026, 11, 23))


def test_a_range_ending_on_29_february_last_year_still_holds_28_february() -> None:
    assert same_period_last_year(D(2028, 2, 1), D(2028, 2, 29)) == (D(2027, 2, 1), D(2027, 3, 1))
    assert same_period_last_year(D(2028, 2, 28), D(2028, 2, 29)) == (D(2027, 2, 28), D(2027, 3, 1))


CHICAGO = "America/Chicago"


@pytest.mark.parametrize(
    ("utc", "until"),
    [
        (dt.datetime(2026, 11, 25, 15, 45, tzinfo=dt.UTC), dt.time(9, 45)),  # exact minute
        (dt.datetime(2026, 11, 25, 15, 45, 0, 1, tzinfo=dt.UTC), dt.time(9, 46)),  # rounded up
        (dt.datetime(2026, 11, 25, 6, 0, tzinfo=dt.UTC), dt.time(0, 0)),  # local midnight
        (dt.datetime(2026, 11, 26, 5, 58, 30, tzinfo=dt.UTC), dt.time(23, 59)),
        (dt.datetime(2026, 11, 26, 5, 59, 1, tzinfo=dt.UTC), None),  # 23:59:01: whole day
        (dt.datetime(2026, 3, 8, 14, 45, tzinfo=dt.UTC), dt.time(9, 45)),  # DST starts (CDT)
    ],
)
def test_to_date_until_is_the_local_clock_rounded_up_to_the_minute(utc, until) -> None:
    assert to_date_until(utc, CHICAGO) == until


def test_to_date_until_needs_an_aware_datetime() -> None:
    with pytest.raises(UsageError, match="aware"):
        to_date_until(dt.datetime(2026, 11, 25, 9, 45), CHICAGO)


def test_to_date_ranges() -> None:
    assert contains_today(D(2026, 11, 1), D(2026, 12, 1), WED)
    assert not contains_today(D(2026, 11, 1), WED, WED)
    assert period_to_date(D(2026, 11, 1), WED) == (D(2026, 11, 1), D(2026, 11, 26))
    assert last_year_to_date(D(2026, 11, 23), WED) == (D(2025, 11, 23), D(2025, 11, 26))
    assert previous_to_date(D(2026, 11, 23), WED) == (D(2026, 11, 20), D(2026, 11, 23))
    assert previous_to_date(WED, WED) == (D(2026, 11, 24), WED)  # today: yesterday
    # 1 January: the year so far is the day; last year's is 1 January last year
    assert last_year_to_date(D(2026, 1, 1), D(2026, 1, 1)) == (D(2025, 1, 1), D(2025, 1, 2))
    # 29 February is compared with 28 February; the next day, 1 March with 1 March
    assert last_year_to_date(D(2028, 2, 29), D(2028, 2, 29)) == (D(2027, 2, 28), D(2027, 3, 1))
    assert last_year_to_date(D(2028, 1, 1), D(2028, 2, 29)) == (D(2027, 1, 1), D(2027, 3, 1))
    assert last_year_to_date(D(2028, 3, 1), D(2028, 3, 1)) == (D(2027, 3, 1), D(2027, 3, 2))
    # a leap year last year: 28 February is one day, 29 February is not in it
    assert last_year_to_date(D(2029, 2, 28), D(2029, 2, 28)) == (D(2028, 2, 28), D(2028, 2, 29))
