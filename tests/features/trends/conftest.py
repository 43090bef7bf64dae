"""Hand-made series with known answers, shared by the trend tests.

Every fixture is a `TrendSeries` whose right answer can be worked out by hand:

weekday_pattern   140 days (20 weeks) from Monday 2024-01-01: 100 + WEEKDAY_PATTERN[weekday]
two_year_pattern  the same pattern over 735 days from Monday 2023-01-02 (past two years: MSTL)
linear_days       365 days from 2023-01-01: 10 + 0.5 * t (t = 0, 1, ...)
linear_weeks      156 weeks from Monday 2023-01-02: 100 + 2 * t
linear_months     48 months from 2021-01-01: 50 + 3 * t
leap_days         2023-01-01 .. 2024-12-31, the value is the date as YYYYMMDD (so a comparison
                  says which day it was set against)
zero_gap_sales    a daily count over 2023-01-02 .. 2024-12-29 (weekday pattern) with runs of
                  zero-sales days (values 0, not NaN)
constant_days     120 days of 5.0
planted_days      WEEKDAY_PATTERN days (2 years) with a spike, a dip and a level shift at the
                  PLANTED dates

`make_series(values, start, grain)` builds any other one. The constants come as fixtures too
(`weekday_effects`, `zero_runs`, `planted_dates`): a test module cannot import a conftest.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd
import pytest

from pulsebi.trends import TrendSeries
from pulsebi.trends.series import step

# Monday .. Sunday; sums to 0, so the level (100) is all trend.
WEEKDAY_PATTERN = (10.0, 20.0, 30.0, 20.0, 10.0, -40.0, -50.0)
# Zero-sales runs in zero_gap_sales: [first, last] inclusive.
ZERO_RUNS = ((date(2023, 3, 6), date(2023, 3, 19)), (date(2024, 7, 1), date(2024, 7, 7)))
# planted_days: a spike (+150), a dip (-90) and, from the shift date on, +60 for good.
PLANTED = {"spike": date(2024, 3, 13), "dip": date(2024, 6, 19), "shift": date(2024, 10, 1)}


def build_series(
    values, start: date, grain: str = "day", name: str = "", unit: str | None = None
) -> TrendSeries:
    """A TrendSeries of `values` on consecutive `grain` buckets from `start`."""
    dates, day = [], start
    for _ in range(len(values)):
        dates.append(day)
        day = step(day, grain)
    series = pd.Series(np.asarray(values, dtype="float64"), index=pd.DatetimeIndex(dates))
    return TrendSeries(series, grain, name, unit)


def _weekday_values(start: date, days: int, level: float = 100.0) -> np.ndarray:
    weekdays = (start.weekday() + np.arange(days)) % 7
    return level + np.asarray(WEEKDAY_PATTERN)[weekdays]


@pytest.fixture
def make_series() -> Callable[..., TrendSeries]:
    """`make_series(values, start, grain="day", name="", unit=None)`."""
    return build_series


@pytest.fixture
def weekday_effects() -> tuple[float, ...]:
    """WEEKDAY_PATTERN: Monday .. Sunday, summing to 0."""
    return WEEKDAY_PATTERN


@pytest.fixture
def zero_runs() -> tuple[tuple[date, date], ...]:
    """ZERO_RUNS: the zero-sales runs of zero_gap_sales, (first, last) inclusive."""
    return ZERO_RUNS


@pytest.fixture
def planted_dates() -> dict[str, date]:
    """PLANTED: the dates of planted_days' spike, dip and level shift."""
    return dict(PLANTED)


@pytest.fixture
def weekday_pattern() -> TrendSeries:
    return build_series(_weekday_values(date(2024, 1, 1), 140), date(2024, 1, 1), name="weekly")


@pytest.fixture
def two_year_pattern() -> TrendSeries:
    start = date(2023, 1, 2)
    return build_series(_weekday_values(start, 735), start, name="two years")


@pytest.fixture
def linear_days() -> TrendSeries:
    return build_series(10 + 0.5 * np.arange(365), date(2023, 1, 1), name="linear")


@pytest.fixture
def linear_weeks() -> TrendSeries:
    return build_series(100 + 2.0 * np.arange(156), date(2023, 1, 2), "week", name="linear")


@pytest.fixture
def linear_months() -> TrendSeries:
    return build_series(50 + 3.0 * np.arange(48), date(2021, 1, 1), "month", name="linear")


@pytest.fixture
def leap_days() -> TrendSeries:
    days = pd.date_range("2023-01-01", "2024-12-31", freq="D")
    values = days.year * 10000 + days.month * 100 + days.day
    return build_series(values, date(2023, 1, 1), name="leap")


@pytest.fixture
def zero_gap_sales() -> TrendSeries:
    start = date(2023, 1, 2)
    values = _weekday_values(start, 728, level=60.0) / 10  # 1 .. 9 sales a day
    days = pd.date_range(start, periods=728, freq="D")
    for first, last in ZERO_RUNS:
        values[(days >= pd.Timestamp(first)) & (days <= pd.Timestamp(last))] = 0.0
    return build_series(values, start, name="sales", unit="count")


@pytest.fixture
def constant_days() -> TrendSeries:
    return build_series(np.full(120, 5.0), date(2024, 1, 1), name="constant")


@pytest.fixture
def planted_days() -> TrendSeries:
    start = date(2023, 1, 2)
    values = _weekday_values(start, 728)
    days = pd.date_range(start, periods=728, freq="D")
    values[days == pd.Timestamp(PLANTED["spike"])] += 150
    values[days == pd.Timestamp(PLANTED["dip"])] -= 90
    values[days >= pd.Timestamp(PLANTED["shift"])] += 60
    return build_series(values, start, name="planted")
