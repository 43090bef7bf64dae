"""growth: period over period, year over year, CAGR and rolling growth with known answers."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from pulsebi.trends import TrendInputError, TrendSeries
from pulsebi.trends.growth import growth

MEASURES = [
    "period_over_period",
    "year_over_year",
    "cagr",
    "rolling_4w",
    "rolling_13w",
    "rolling_52w",
]


def _rolling(v: np.ndarray, n: int) -> float:
    return v[-n:].sum() / v[-2 * n : -n].sum() - 1


def test_a_linear_weekly_trend_has_exact_growth(linear_weeks):
    v = linear_weeks.values.to_numpy()  # 100 + 2t over 156 weeks: three whole years
    g = growth(linear_weeks)
    assert g.to_frame()["measure"].tolist() == MEASURES
    assert g.period_over_period == pytest.approx(410 / 408 - 1)
    assert g.year_over_year == pytest.approx(410 / 306 - 1)  # week 155 against week 103
    first, last = 52 * 100 + 2 * sum(range(52)), 52 * 100 + 2 * sum(range(104, 156))
    assert (first, last) == (7852, 18668)
    assert g.cagr == pytest.approx((last / first) ** (1 / 2) - 1)
    assert g.rolling == pytest.approx({n: _rolling(v, n) for n in (4, 13, 52)})
    assert (g.to_frame()["unit"] == "percent").all()
    assert g.to_frame().set_index("measure").at["cagr", "label"].startswith("CAGR, % (3 whole")


def test_daily_data_rolls_over_n_times_7_days(linear_days):
    v = linear_days.values.to_numpy()  # 365 days: not enough for 52 weeks against 52
    g = growth(linear_days)
    assert g.rolling[4] == pytest.approx(_rolling(v, 28))
    assert g.rolling[13] == pytest.approx(_rolling(v, 91))
    assert np.isnan(g.rolling[52]) and np.isnan(g.cagr)
    labels = g.to_frame().set_index("measure")["label"]
    assert labels["rolling_4w"] == "Rolling 4 weeks, % (last 28 days vs the 28 before)"
    assert labels["rolling_52w"].endswith("needs 728 days, has 365)")
    assert labels["period_over_period"] == "Day over day, % (2023-12-31 vs 2023-12-30)"


def test_monthly_data_takes_1_3_and_12_months_and_says_so(linear_months):
    v = linear_months.values.to_numpy()  # 50 + 3t over 48 months
    g = growth(linear_months)
    assert g.rolling == pytest.approx(
        {4: v[-1] / v[-2] - 1, 13: _rolling(v, 3), 52: _rolling(v, 12)}
    )
    assert g.year_over_year == pytest.approx(v[-1] / v[-13] - 1)
    firsts, lasts = v[:12].sum(), v[-12:].sum()
    assert g.cagr == pytest.approx((lasts / firsts) ** (1 / 3) - 1)  # 4 whole years: 3 between
    labels = g.to_frame().set_index("measure")["label"]
    assert labels["rolling_4w"].startswith("Rolling 1 month (≈ 4 weeks), %")
    assert labels["rolling_13w"].startswith("Rolling 3 months (≈ 13 weeks), %")
    assert labels["rolling_52w"].startswith("Rolling 12 months (≈ 52 weeks), %")


def test_a_rate_grows_in_points(make_series):
    s = make_series(0.20 + 0.01 * np.arange(36), date(2022, 1, 1), "month", unit="rate")
    g = growth(s)
    assert g.points
    assert g.period_over_period == pytest.approx(0.01)  # one point a month
    assert g.year_over_year == pytest.approx(0.12)
    assert g.cagr == pytest.approx(0.12)  # points a year, from the year means
    assert g.rolling[13] == pytest.approx(0.03)  # mean of 3 months vs the 3 before
    frame = g.to_frame()
    assert (frame["unit"] == "points").all()
    assert frame["label"].str.contains(", points").all()
    assert frame.set_index("measure").at["cagr", "label"].startswith("Change per year, points")


def test_a_zero_base_gives_nan_not_infinity(zero_gap_sales, zero_runs):
    _, last = zero_runs[1]  # zero sales to 7 July 2024
    day_after = pd.Timestamp(last) + pd.Timedelta(days=1)
    s = zero_gap_sales.with_values(zero_gap_sales.values[:day_after])
    g = growth(s)  # warnings are errors: no division by zero may warn
    assert np.isnan(g.period_over_period)
    row = g.to_frame().set_index("measure").loc["period_over_period"]
    assert row["base"] == 0 and row["current"] > 0
    v = s.values.to_numpy()
    assert g.rolling[4] == pytest.approx(_rolling(v, 28))  # 7 zeros inside: still a sum
    assert np.isfinite([g.year_over_year, g.rolling[13]]).all()


def test_cagr_is_nan_when_a_year_totals_zero_or_less(make_series):
    values = np.r_[np.zeros(12), np.ones(24)]
    g = growth(make_series(values, date(2022, 1, 1), "month"))
    assert np.isnan(g.cagr)
    assert g.to_frame().set_index("measure").at["cagr", "base"] == 0


def test_a_constant_series_does_not_grow(make_series):
    g = growth(make_series(np.full(156, 5.0), date(2023, 1, 2), "week"))
    assert g.to_frame()["value"].tolist() == [0.0] * 6


def test_a_yearly_series_has_no_4_or_13_week_growth(make_series):
    g = growth(make_series([100.0, 110.0, 121.0], date(2021, 1, 1), "year"))
    assert g.period_over_period == pytest.approx(0.1)
    assert g.cagr == pytest.approx(0.1)
    assert g.rolling[52] == pytest.approx(0.1)
    assert np.isnan(g.rolling[4]) and np.isnan(g.rolling[13])
    label = g.to_frame().set_index("measure").at["rolling_4w", "label"]
    assert label == "Rolling 4 weeks, % (no yearly equivalent)"


def test_an_empty_series_is_refused():
    s = TrendSeries(pd.Series([], index=pd.DatetimeIndex([]), dtype=float), "day", "east")
    with pytest.raises(TrendInputError, match="series 'east' has no bucket"):
        growth(s)


def test_demo_revenue_growth_by_week(seeded):
    s = TrendSeries.from_metric(
        "net_revenue",
        start=date(2024, 11, 20),
        end=date(2026, 11, 20),
        grain="week",
        settings=seeded,
    )
    v = s.values.to_numpy()
    g = growth(s)
    assert g.period_over_period == pytest.approx(v[-1] / v[-2] - 1)
    assert g.year_over_year == pytest.approx(v[-1] / v[-53] - 1)
    assert g.rolling[13] == pytest.approx(_rolling(v, 13))
    # 103 whole weeks: short of 52 weeks against 52, and of two whole years
    assert np.isnan(g.rolling[52]) and np.isnan(g.cagr)
    label = g.to_frame().set_index("measure").at["rolling_52w", "label"]
    assert label.endswith("needs 104 weeks, has 103)")
