"""seasonality: robust STL / MSTL on series with known answers, indices, strengths, errors."""

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from pulsebi.trends import TrendInputError, TrendSeries
from pulsebi.trends.seasonality import MONTHS, WEEKDAYS, decompose, seasonality

EXACT = 1e-8


def test_a_pure_weekly_pattern_gives_its_indices_exactly(weekday_pattern, weekday_effects):
    r = seasonality(weekday_pattern)
    assert r.period == 7 and r.periods == (7,)
    assert list(r.indices) == ["weekday"]  # 20 weeks: no month-of-year index
    assert r.indices["weekday"].index.tolist() == list(WEEKDAYS)
    assert r.indices["weekday"].to_numpy() == pytest.approx(weekday_effects, abs=EXACT)
    assert r.strength_seasonal == pytest.approx(1.0)
    assert r.strength_trend == 0.0  # a flat trend: var(T + R) is nil, no 0/0
    assert r.trend.to_numpy() == pytest.approx(100.0, abs=EXACT)
    assert np.abs(r.remainder.to_numpy()).max() < EXACT
    assert r.note == ""


def test_two_years_of_days_get_a_weekday_and_a_month_index(two_year_pattern, weekday_effects):
    r = seasonality(two_year_pattern)
    assert r.periods == (7, 365)
    assert list(r.indices) == ["weekday", "month"]
    assert r.indices["weekday"].to_numpy() == pytest.approx(weekday_effects, abs=EXACT)
    assert r.indices["month"].index.tolist() == list(MONTHS)
    assert r.indices["month"].to_numpy() == pytest.approx(0.0, abs=EXACT)  # no yearly pattern
    assert r.strengths["weekday"] == pytest.approx(1.0) and r.strengths["month"] == 0.0
    frame = r.to_frame()
    assert {"seasonal_weekday", "seasonal_month"} <= set(frame.columns)
    assert (frame["seasonal_weekday"] + frame["seasonal_month"]).to_numpy() == pytest.approx(
        frame["seasonal"].to_numpy()
    )


def _yearly_days(make_series, pattern, days: int = 1095) -> TrendSeries:
    t = np.arange(days)
    noise = np.random.default_rng(15).normal(0, 3, days)
    yearly = 20 * np.sin(2 * np.pi * t / 365.25)  # from 2 Jan: highest in April, lowest October
    weekly = np.asarray(pattern)[t % 7]
    return make_series(100 + weekly + yearly + noise, date(2023, 1, 2), name="noisy")


def test_the_month_index_finds_a_yearly_wave_in_daily_data(make_series, weekday_effects):
    r = seasonality(_yearly_days(make_series, weekday_effects))
    month = r.indices["month"]
    assert month.idxmax() == "Apr" and month.idxmin() == "Oct"
    # the mean of 20 sin over April's days is ~19.4 on a level of 100: +19%
    assert r.relative_indices["month"]["Apr"] == pytest.approx(0.194, abs=0.02)
    assert r.indices["weekday"].to_numpy() == pytest.approx(weekday_effects, abs=1.0)
    assert r.strength_seasonal > 0.95 and r.strength_trend < 0.2
    assert "Highest Apr (+19%)" in r.describe()


def test_the_loop_is_statsmodels_mstl_and_its_jumps_cost_no_accuracy(make_series, weekday_effects):
    from statsmodels.tsa.seasonal import MSTL

    y = _yearly_days(make_series, weekday_effects, 800).values.to_numpy()
    exact = MSTL(y, periods=(7, 365), stl_kwargs={"robust": True}).fit()
    trend, parts, remainder = decompose(y, (7, 365), fast=False, few_cycles=0)
    assert trend == pytest.approx(exact.trend, abs=1e-9)
    assert np.column_stack(parts) == pytest.approx(exact.seasonal, abs=1e-9)
    assert remainder == pytest.approx(exact.resid, abs=1e-9)
    # with R's LOESS jumps, each component is as close to the truth as the exact fit's
    t = np.arange(len(y))
    truths = (np.asarray(weekday_effects)[t % 7], 20 * np.sin(2 * np.pi * t / 365.25))
    _, fast_parts, _ = decompose(y, (7, 365), few_cycles=0)
    for i, truth in enumerate(truths):
        exact_error = np.abs(exact.seasonal[:, i] - truth).mean()
        assert np.abs(fast_parts[i] - truth).mean() < 1.1 * exact_error


def _year_variances(x: np.ndarray, per_year: int) -> np.ndarray:
    return np.array([np.var(x[i : i + per_year]) for i in range(0, len(x), per_year)])


@pytest.mark.parametrize("seed", range(5))
def test_noise_alone_over_three_years_of_weeks_is_not_seasonal(make_series, seed):
    # three points per week of the year: STL's seasonal LOESS ran through them, leaving a
    # remainder of 0 in the first and last year and a seasonal strength of ~0.5 on noise
    noise = np.random.default_rng(seed).normal(0, 10, 156)
    r = seasonality(make_series(100 + noise, date(2023, 1, 2), "week"))
    assert r.period == 52 and r.strength_seasonal < 0.3
    remainder = r.remainder.to_numpy()
    assert np.all(_year_variances(remainder, 52) > 0.7 * _year_variances(noise, 52))
    assert np.var(remainder) == pytest.approx(np.var(noise), rel=0.2)


def test_a_yearly_wave_in_noisy_weeks_is_recovered_and_the_noise_kept_apart(make_series):
    t = np.arange(156)
    wave = 30 * np.sin(2 * np.pi * t / 52)  # from Monday 2 Jan: highest in April
    noise = np.random.default_rng(3).normal(0, 10, 156)
    s = make_series(100 + wave + noise, date(2023, 1, 2), "week")
    r = seasonality(s)
    middle = s.values.index + pd.Timedelta(days=3)
    truth = pd.Series(wave).groupby(np.asarray(middle.month)).mean()
    truth = (truth - truth.mean()).to_numpy()
    month = r.indices["month"]
    assert month.idxmax() == "Apr" and month.idxmin() == "Oct"
    assert month.to_numpy() == pytest.approx(truth, abs=4.0)  # ±4 on a wave of ±30
    assert np.var(r.remainder.to_numpy()) == pytest.approx(np.var(noise), rel=0.2)
    assert np.all(_year_variances(r.remainder.to_numpy(), 52) > 0.7 * _year_variances(noise, 52))
    assert r.strength_seasonal > 0.8


def test_noise_alone_over_three_years_of_days_has_no_month_pattern(make_series, weekday_effects):
    days = 1095
    noise = np.random.default_rng(8).normal(0, 10, days)
    weekly = np.asarray(weekday_effects)[np.arange(days) % 7]
    r = seasonality(make_series(100 + weekly + noise, date(2023, 1, 2)))
    assert r.periods == (7, 365) and r.strengths["month"] < 0.3
    assert np.abs(r.indices["month"].to_numpy()).max() < 3.0  # noise of 10 a day
    remainder = r.remainder.to_numpy()
    assert np.all(_year_variances(remainder, 365) > 0.7 * _year_variances(noise, 365))


def test_few_cycles_get_a_smooth_profile_and_enough_cycles_get_stl(make_series):
    from pulsebi.trends.decomposition import FEW_CYCLES, fit_harmonic

    rng = np.random.default_rng(4)
    y = 100 + 30 * np.sin(2 * np.pi * np.arange(156) / 52) + rng.normal(0, 10, 156)
    _, seasonal = fit_harmonic(y, 52)
    assert seasonal[52:104] == pytest.approx(seasonal[:52]) == seasonal[104:]  # one profile
    assert np.sum(seasonal[:52]) == pytest.approx(0.0, abs=1e-8)  # a whole cycle sums to 0
    _, parts, _ = decompose(y, (52,))
    assert parts[0] == pytest.approx(seasonal)
    long = np.tile(y[:52], FEW_CYCLES)
    stl_trend, stl_parts, _ = decompose(long, (52,))
    exact = decompose(long, (52,), few_cycles=0)
    assert stl_parts[0] == pytest.approx(exact[1][0]) and stl_trend == pytest.approx(exact[0])


def test_a_linear_trend_is_all_trend(linear_days):
    r = seasonality(linear_days)
    assert r.strength_trend == pytest.approx(1.0)
    assert r.strength_seasonal == 0.0
    assert r.trend.to_numpy() == pytest.approx(linear_days.values.to_numpy(), abs=1e-6)
    assert r.indices["weekday"].to_numpy() == pytest.approx(0.0, abs=1e-6)


def test_a_constant_series_has_no_strength_and_no_index(constant_days):
    r = seasonality(constant_days)  # warnings are errors: none may be raised
    assert r.strength_trend == 0.0 and r.strength_seasonal == 0.0
    assert (r.indices["weekday"] == 0.0).all()
    assert r.relative_indices["weekday"].tolist() == [0.0] * 7
    json.dumps(r.to_records(), allow_nan=False)


def test_zero_sales_days_are_values_not_gaps(zero_gap_sales, zero_runs, weekday_effects):
    r = seasonality(zero_gap_sales)
    assert r.note == "" and r.remainder.notna().all()
    first, last = zero_runs[0]
    run = r.to_frame().loc[pd.Timestamp(first) : pd.Timestamp(last)]
    assert (run["value"] == 0).all()
    # the robust fit leaves the weekday pattern (1..9 a day) intact beside the zero runs
    assert r.indices["weekday"].to_numpy() == pytest.approx(np.array(weekday_effects) / 10, abs=0.2)


def test_missing_values_are_interpolated_for_the_fit_and_said_so(weekday_pattern, weekday_effects):
    values = weekday_pattern.values.copy()
    values.iloc[[10, 11]] = np.nan
    r = seasonality(weekday_pattern.with_values(values))
    assert r.note.startswith("2 missing values were interpolated for the fit")
    assert r.remainder.isna().sum() == 2 and r.remainder.iloc[[10, 11]].isna().all()
    assert r.indices["weekday"].to_numpy() == pytest.approx(weekday_effects, abs=EXACT)


def test_weeks_need_two_years_for_a_seasonal_part(make_series):
    t = np.arange(156)
    yearly = make_series(100 + 30 * np.sin(2 * np.pi * t / 52), date(2023, 1, 2), "week")
    r = seasonality(yearly)
    assert r.period == 52 and list(r.indices) == ["month"]
    assert r.indices["month"].idxmax() == "Apr" and r.indices["month"].idxmin() == "Oct"
    assert r.strength_seasonal == pytest.approx(1.0, abs=1e-6)
    short = seasonality(yearly.with_values(yearly.values.iloc[:100]))
    assert short.period is None and short.indices == {}
    assert short.strength_trend == 0.0 and short.strength_seasonal == 0.0
    assert (short.seasonal == 0).all()
    assert "100 weeks is less than the two years (104 weeks)" in short.note


def test_months_and_quarters_get_their_own_index(make_series):
    pattern = np.array([-5, -3, 0, 2, 4, 6, 5, 3, 1, -2, -4, -7], dtype=float)
    months = make_series(200 + np.tile(pattern, 3), date(2022, 1, 1), "month")
    assert seasonality(months).indices["month"].to_numpy() == pytest.approx(pattern, abs=EXACT)
    quarters = make_series(50 + np.tile([-3.0, 1.0, 4.0, -2.0], 3), date(2022, 1, 1), "quarter")
    q = seasonality(quarters).indices["quarter"]
    assert q.index.tolist() == ["Q1", "Q2", "Q3", "Q4"]
    assert q.to_numpy() == pytest.approx([-3.0, 1.0, 4.0, -2.0], abs=EXACT)


def test_a_yearly_series_has_no_seasonal_part(make_series):
    r = seasonality(make_series([1.0, 2.0, 4.0], date(2022, 1, 1), "year"))
    assert r.period is None and r.strength_seasonal == 0.0
    assert "no shorter cycle" in r.note


@pytest.mark.parametrize(("grain", "minimum"), [("day", 14), ("month", 24), ("quarter", 8)])
def test_too_short_a_series_names_itself_its_length_and_the_minimum(make_series, grain, minimum):
    ok = make_series(np.arange(minimum, dtype=float), date(2022, 1, 1), grain, name="east")
    assert seasonality(ok).period
    short = ok.with_values(ok.values.iloc[:-1])
    pattern = rf"series 'east' has {minimum - 1} \w+ values.*at least {minimum}"
    with pytest.raises(TrendInputError, match=pattern):
        seasonality(short)


def test_records_are_json_ready(two_year_pattern):
    records = seasonality(two_year_pattern).to_records()
    assert records["series"] == "two years" and records["period"] == 7
    assert records["periods"] == [7, 365]
    assert set(records["indices"]) == {"weekday", "month"}
    assert records["indices"]["weekday"]["Sunday"] == pytest.approx(-50.0)
    assert records["relative_indices"]["weekday"]["Sunday"] == pytest.approx(-0.5)
    json.dumps(records, allow_nan=False)


def test_demo_leads_are_busiest_on_monday_and_quietest_on_sunday(seeded):
    # the seed draws leads by weekday (Mon 1.18 .. Sun 0.28) and month (Jun 1.38, Dec 0.5)
    s = TrendSeries.from_metric(
        "leads", start=date(2024, 11, 20), end=date(2026, 11, 20), grain="day", settings=seeded
    )
    r = seasonality(s)
    weekday = r.indices["weekday"]
    assert weekday.idxmax() == "Monday" and weekday.idxmin() == "Sunday"
    assert r.strength_seasonal > 0.1  # ~2 leads a day: mostly Poisson noise
    assert 0.0 <= r.strength_trend <= 1.0
    weeks = TrendSeries.from_metric(
        "leads", start=date(2024, 11, 20), end=date(2026, 11, 20), grain="week", settings=seeded
    )
    assert seasonality(weeks).period is None  # 103 whole weeks: short of two years


def test_a_demo_rate_with_empty_days_is_filled_for_the_fit_only(seeded):
    # a small branch's closing rate: many days with no appointment run have no value
    s = TrendSeries.from_metric(
        "closing_rate",
        start=date(2025, 11, 20),
        end=date(2026, 11, 20),
        grain="day",
        branch="SAT",
        settings=seeded,
    )
    missing = int(s.values.isna().sum())
    assert missing > 0
    r = seasonality(s)
    assert r.note.startswith(f"{missing} missing values were interpolated")
    assert r.remainder.isna().sum() == missing
    assert r.trend.notna().all() and r.seasonal.notna().all()
    assert 0.0 <= r.strength_trend <= 1.0 and 0.0 <= r.strength_seasonal <= 1.0
    json.dumps(r.to_records(), allow_nan=False)
