"""yoy: calendar- and weekday-aligned comparisons with the year before, leap days, zero bases."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from pulsebi.trends import TrendSeries
from pulsebi.trends.yoy import COLUMNS, last_year_date, yoy


def _row(frame: pd.DataFrame, day: str) -> pd.Series:
    return frame.set_index("date").loc[pd.Timestamp(day)]


def test_29_february_is_compared_with_28_february(leap_days):
    # each value is its date as YYYYMMDD: last_year says which day it was set against
    r = yoy(leap_days)
    assert _row(r.calendar, "2024-02-29")["last_year"] == 20230228
    assert _row(r.calendar, "2024-02-28")["last_year"] == 20230228
    assert _row(r.calendar, "2024-03-01")["last_year"] == 20230301
    assert last_year_date(date(2024, 2, 29), "day") == date(2023, 2, 28)
    # 2025's 28 February looks back to 2024's 28th: last year's 29th is the base of no day
    assert last_year_date(date(2025, 2, 28), "day") == date(2024, 2, 28)


def test_daily_data_is_also_compared_weekday_to_weekday(leap_days):
    r = yoy(leap_days)
    row = _row(r.weekday, "2024-02-29")  # a Thursday: against Thursday 2 March 2023
    assert row["last_year"] == 20230302
    compared = r.weekday.dropna(subset=["last_year"])
    bases = pd.to_datetime(compared["last_year"].astype(int).astype(str))
    assert ((compared["date"] - bases).dt.days == 364).all()
    assert (compared["date"].dt.day_of_week == bases.dt.day_of_week).all()
    assert len(compared) == len(leap_days) - 364


def test_the_first_year_has_no_base_and_no_change(leap_days):
    r = yoy(leap_days)
    first = r.calendar[r.calendar["date"] < pd.Timestamp("2024-01-01")]
    assert first[["last_year", "change", "change_pct"]].isna().all().all()
    assert r.calendar["last_year"].notna().sum() == 366  # every day of 2024
    assert r.note == ""


@pytest.mark.parametrize(
    ("grain", "start", "length", "day", "base"),
    [
        ("week", date(2023, 1, 2), 60, "2024-01-01", "2023-01-02"),  # 52 weeks: Monday
        ("month", date(2022, 1, 1), 14, "2023-02-01", "2022-02-01"),
        ("month", date(2023, 1, 31), 14, "2024-02-29", "2023-02-28"),  # month ends
        ("quarter", date(2022, 1, 1), 6, "2023-04-01", "2022-04-01"),
        ("year", date(2020, 1, 1), 3, "2022-01-01", "2021-01-01"),
    ],
)
def test_other_grains_look_one_year_of_buckets_back(make_series, grain, start, length, day, base):
    s = make_series(np.arange(length, dtype=float) + 1, start, grain)
    r = yoy(s)
    row, before = _row(r.calendar, day), s.values[pd.Timestamp(base)]
    assert row["last_year"] == before
    assert row["change"] == row["value"] - before
    assert row["change_pct"] == pytest.approx((row["value"] - before) / before)
    assert r.weekday is None
    assert list(r.to_frame().columns) == list(COLUMNS)


def test_a_zero_last_year_gives_a_change_but_no_percent(zero_gap_sales, zero_runs):
    r = yoy(zero_gap_sales)  # warnings are errors: no division by zero may warn
    first, _ = zero_runs[0]  # zero sales from 6 March 2023
    row = _row(r.calendar, str(first.replace(year=first.year + 1)))  # sold again a year later
    assert row["last_year"] == 0 and row["value"] > 0
    assert row["change"] == row["value"]
    assert np.isnan(row["change_pct"])


def test_a_rate_changes_in_points(make_series):
    s = make_series([0.20] * 12 + [0.25] * 12, date(2023, 1, 1), "month", unit="rate")
    last = yoy(s).last()
    assert last["change"] == pytest.approx(0.05)  # 5 points
    assert last["change_pct"] == pytest.approx(0.25)  # and a quarter more


def test_a_missing_value_last_year_gives_no_change(make_series):
    values = np.arange(24, dtype=float) + 1
    values[3] = np.nan
    r = yoy(make_series(values, date(2023, 1, 1), "month"))
    row = _row(r.calendar, "2024-04-01")
    assert np.isnan(row["last_year"]) and np.isnan(row["change"]) and np.isnan(row["change_pct"])


def test_a_series_shorter_than_a_year_says_so(weekday_pattern):
    r = yoy(weekday_pattern)
    assert r.calendar["last_year"].isna().all()
    assert "give a range of over a year" in r.note


def test_to_frame_puts_the_weekday_columns_beside_the_calendar_ones(leap_days):
    frame = yoy(leap_days).to_frame()
    assert list(frame.columns) == [
        *COLUMNS,
        "last_year_weekday",
        "change_weekday",
        "change_pct_weekday",
    ]
    assert len(frame) == len(leap_days)


def test_demo_leads_set_against_last_year(seeded):
    s = TrendSeries.from_metric(
        "leads", start=date(2024, 12, 1), end=date(2026, 11, 1), grain="month", settings=seeded
    )
    r = yoy(s)
    row = _row(r.calendar, "2026-10-01")
    assert row["last_year"] == s.values[pd.Timestamp("2025-10-01")]
    assert row["change"] == row["value"] - row["last_year"]
    assert r.calendar["last_year"].notna().sum() == len(s) - 12
