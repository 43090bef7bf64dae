"""forecast: hand-made series with known futures, calibrated nested bands, clipping, errors."""

import re
import warnings
from datetime import date

import numpy as np
import pandas as pd
import pytest

from pulsebi.trends import TrendInputError
from pulsebi.trends.forecast import (
    MIN_LENGTH,
    POOL_MIN,
    forecast,
    forecast_many,
    horizon_to,
)

BANDS = ["lower_95", "lower_80", "forecast", "upper_80", "upper_95"]
MONTH_PATTERN = np.array([1.0, 5, 3, 8, 2, 9, 4, 4, 6, 7, 1, 2])


def _noisy_seasonal(make_series, seed: int = 0, n: int = 72, name: str = "noisy"):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = 200 + 0.8 * t + 15 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 4, n)
    return make_series(values, date(2019, 1, 1), "month", name=name)


def test_a_linear_trend_is_continued(linear_months):
    res = forecast(linear_months, 6)
    # 48 months of 50 + 3t: the next six are t = 48..53
    expected = 50 + 3.0 * np.arange(48, 54)
    np.testing.assert_allclose(res.frame["forecast"], expected, rtol=1e-6)
    assert [d.date() for d in res.frame["date"][:2]] == [date(2025, 1, 1), date(2025, 2, 1)]
    assert re.match(r"ETS\(.,Ad?,", res.model)  # a trend model


def test_a_linear_daily_trend_is_continued(linear_days):
    res = forecast(linear_days, 10)
    np.testing.assert_allclose(res.frame["forecast"], 10 + 0.5 * np.arange(365, 375), rtol=1e-6)


def test_a_pure_seasonal_series_is_forecast_exactly(make_series):
    s = make_series(np.tile(MONTH_PATTERN, 4), date(2021, 1, 1), "month", name="pattern")
    res = forecast(s, 12)
    np.testing.assert_allclose(res.frame["forecast"], MONTH_PATTERN, atol=1e-6)
    assert res.model == "Seasonal naive" or re.match(r"ETS\(.*,[AM]\)", res.model)


def test_a_weekday_pattern_repeats_with_a_seven_day_season(weekday_pattern, weekday_effects):
    res = forecast(weekday_pattern, 14)
    # 140 days from Monday 2024-01-01: the forecast starts on a Monday
    assert res.frame["date"].iloc[0].weekday() == 0
    expected = 100 + np.tile(weekday_effects, 2)
    np.testing.assert_allclose(res.frame["forecast"], expected, atol=1e-6)


def test_a_constant_series_is_flat_with_no_band_and_no_warning(constant_days):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = forecast(constant_days, 8)
    assert caught == []
    np.testing.assert_allclose(res.frame["forecast"], 5.0, atol=1e-9)
    width = res.frame["upper_95"] - res.frame["lower_95"]
    assert float(width.max()) <= 1e-6


def test_fitting_noisy_and_multiplicative_candidates_lets_no_warning_out(make_series):
    rng = np.random.default_rng(3)
    # short, positive, trending and seasonal: every ETS variant is tried, some badly
    values = np.exp(np.linspace(0, 1.5, 30)) * (10 + 3 * np.sin(np.arange(30))) + rng.gamma(
        1, 2, 30
    )
    s = make_series(values, date(2022, 1, 1), "month", name="rough")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        forecast(s, 12)
    assert caught == []


def test_intervals_are_nested_around_the_forecast(make_series):
    res = forecast(_noisy_seasonal(make_series), 12)
    frame = res.frame[BANDS].to_numpy()
    assert np.all(np.diff(frame, axis=1) >= -1e-9)  # 95 ⊇ 80 ∋ forecast
    assert np.all(frame[:, -1] - frame[:, 0] > frame[:, 3] - frame[:, 1])  # 95 strictly wider
    assert res.calibration["below"] >= 1 and res.calibration["above"] >= 1


def test_bands_widen_with_the_horizon(make_series):
    res = forecast(_noisy_seasonal(make_series, seed=5), 24)
    width = (res.frame["upper_95"] - res.frame["lower_95"]).to_numpy()
    assert width[-1] > width[0]


def _yearly_growth(make_series, unit: str | None = None):
    rng = np.random.default_rng(11)
    values = 100 * np.exp(0.08 * np.arange(20) + rng.normal(0, 0.05, 20).cumsum())
    kwargs = {"unit": unit} if unit else {}
    return make_series(values, date(2005, 1, 1), "year", name="sales", **kwargs)


def test_the_95_band_is_at_least_the_series_own_changes_that_far_ahead(make_series):
    # a steady climb: the model's own errors are tiny, the series' 6-year changes are not
    values = 10 + 5.0 * np.arange(20) + np.random.default_rng(2).normal(0, 0.5, 20)
    s = make_series(values, date(2005, 1, 1), "year", name="index", unit="score")
    res = forecast(s, 6)
    y = s.values.to_numpy()
    f = res.frame
    for h in range(1, 7):
        floor = np.quantile(np.abs(y[h:] - y[:-h]), 0.95)
        assert res.calibration["floor_95"][h - 1] == pytest.approx(floor)
        assert f["upper_95"].iloc[h - 1] - f["forecast"].iloc[h - 1] >= floor - 1e-9
        assert f["forecast"].iloc[h - 1] - f["lower_95"].iloc[h - 1] >= floor - 1e-9
    half = (f["upper_95"] - f["forecast"]).to_numpy()
    np.testing.assert_allclose(half[-1], res.calibration["floor_95"][-1])  # the floor binds
    assert not res.calibration["log_scale"]  # a score: the band stays additive


def test_positive_money_gets_a_band_leaning_up_on_a_log_scale(make_series):
    res = forecast(_yearly_growth(make_series), 6)
    f = res.frame
    assert res.calibration["log_scale"]
    up = (f["upper_95"] - f["forecast"]).to_numpy()
    down = (f["forecast"] - f["lower_95"]).to_numpy()
    assert np.all(up > down) and np.all(f["lower_95"] > 0)
    assert np.all(f[BANDS].diff(axis=1).iloc[:, 1:].to_numpy() >= -1e-9)


def test_counts_are_clipped_at_zero(make_series):
    # a count falling towards zero: the unclipped bands would go below it
    values = np.maximum(0, np.round(20 - 0.6 * np.arange(36) + np.tile([2, -2, 1, -1], 9)))
    s = make_series(values, date(2023, 1, 1), "month", name="leads", unit="count")
    res = forecast(s, 12)
    numbers = res.frame[BANDS]
    assert float(numbers.min().min()) == 0.0
    assert (numbers >= 0).all().all()


def test_series_with_negative_values_are_not_clipped(make_series):
    values = -5 - 0.6 * np.arange(36) + np.tile([2.0, -2, 1, -1], 9)
    res = forecast(make_series(values, date(2023, 1, 1), "month", name="margin"), 6)
    assert float(res.frame["lower_95"].min()) < 0


def test_scores_are_not_clipped_even_when_positive_so_far(make_series):
    values = 3 - 0.5 * np.arange(24) + np.tile([1.0, -1], 12)
    values = np.abs(values)
    s = make_series(values, date(2024, 1, 1), "month", name="nps", unit="score")
    res = forecast(s, 12)
    assert float(res.frame["lower_95"].min()) < 0


def test_missing_values_are_interpolated_for_the_fit(make_series):
    values = 50 + 3.0 * np.arange(40)
    values[[5, 17, 18]] = np.nan
    res = forecast(make_series(values, date(2021, 1, 1), "month", name="gaps"), 3)
    np.testing.assert_allclose(res.frame["forecast"], 50 + 3.0 * np.arange(40, 43), rtol=1e-6)


def test_too_short_a_series_names_it_its_length_and_the_minimum(make_series):
    s = make_series(np.arange(5.0), date(2024, 1, 1), "month", name="east")
    with pytest.raises(TrendInputError, match=rf"series 'east': 5 values.*at least {MIN_LENGTH}"):
        forecast(s, 3)
    values = np.arange(10.0)
    values[:4] = np.nan  # missing values do not count
    gappy = make_series(values, date(2024, 1, 1), "month", name="west")
    with pytest.raises(TrendInputError, match=r"series 'west': 6 values \(4 missing\)"):
        forecast(gappy, 3)


@pytest.mark.parametrize("horizon", [0, -1, 2.5, True, "3"])
def test_the_horizon_must_be_a_positive_whole_number(linear_months, horizon):
    with pytest.raises(TrendInputError, match="horizon"):
        forecast(linear_months, horizon)


def test_the_chosen_model_is_named_with_the_criteria_that_chose_it(make_series):
    res = forecast(_noisy_seasonal(make_series), 12)
    cands = res.candidates
    assert list(cands.columns) == ["model", "criterion", "value", "chosen"]
    assert set(cands["criterion"]) == {"AICc", "MASE"}
    finalists = cands[cands["criterion"] == "MASE"]
    assert len(finalists) == 3 and {"Seasonal naive", "Theta"} <= set(finalists["model"])
    # the best ETS by AICc is the one that went to the backtest
    ets = cands[cands["criterion"] == "AICc"]
    assert ets.sort_values("value")["model"].iloc[0] in set(finalists["model"])
    winner = finalists.loc[finalists["value"].idxmin(), "model"]
    assert res.model == winner
    assert cands.loc[cands["chosen"], "model"].unique().tolist() == [res.model]
    assert res.explain().startswith(f"{res.model}: backtest MASE")
    assert res.backtest["horizon"] == 12 and len(res.backtest["origins"]) == 3


def test_multiplicative_models_only_on_positive_data(make_series):
    s = _noisy_seasonal(make_series)
    shifted = s.with_values(s.values - 230)  # crosses zero
    models = forecast(shifted, 6).candidates["model"]
    assert not models.str.contains(r"ETS\(M|,M\)").any()
    assert forecast(s, 6).candidates["model"].str.contains(r",M\)").any()


def test_no_season_without_two_full_cycles(make_series):
    values = 100 + np.tile(MONTH_PATTERN, 2)[:20]  # 20 months: less than two years
    res = forecast(make_series(values, date(2024, 1, 1), "month", name="young"), 6)
    assert "Seasonal naive" not in set(res.candidates["model"])
    assert not res.candidates["model"].str.contains(r",[AM]\)").any()


def test_forecast_many_equals_forecast(make_series):
    series = {f"s{i}": _noisy_seasonal(make_series, seed=i, name=f"s{i}") for i in range(9)}
    series["short"] = make_series(50 + 3.0 * np.arange(12), date(2024, 1, 1), "month", name="")
    assert len(series) >= POOL_MIN * 2  # the pool is used
    many = forecast_many(series, 6, jobs=2)
    assert list(many) == list(series)
    for key, s in series.items():
        one = forecast(s, 6)
        assert many[key].model == one.model
        pd.testing.assert_frame_equal(many[key].frame, one.frame)


def test_forecast_many_checks_every_series_first(make_series):
    series = {
        "ok": make_series(np.arange(30.0), date(2024, 1, 1), "month"),
        "tiny": make_series(np.arange(3.0), date(2024, 1, 1), "month"),
    }
    with pytest.raises(TrendInputError, match=r"series 'tiny': 3 values"):
        forecast_many(series, 6, jobs=2)


def test_horizon_to_counts_periods_to_the_bucket_holding_a_day(make_series):
    months = make_series(np.arange(24.0), date(2025, 1, 1), "month")  # ends 2026-12-01
    assert horizon_to(months, date(2026, 12, 31)) == 0
    assert horizon_to(months, date(2027, 3, 31)) == 3
    assert horizon_to(months, "2027-12-31") == 12
    days = make_series(np.arange(30.0), date(2026, 11, 1), "day")  # ends 2026-11-30
    assert horizon_to(days, date(2026, 12, 31)) == 31
    weeks = make_series(np.arange(10.0), date(2026, 9, 7), "week")  # ends Monday 2026-11-09
    assert horizon_to(weeks, date(2026, 11, 15)) == 0
    assert horizon_to(weeks, date(2026, 11, 16)) == 1
    quarters = make_series(np.arange(8.0), date(2025, 1, 1), "quarter")  # ends 2026-10-01
    assert horizon_to(quarters, date(2027, 12, 31)) == 4
    month_ends = make_series(np.arange(12.0), date(2026, 1, 31), "month")  # ends 2026-12-31
    assert horizon_to(month_ends, date(2027, 2, 27)) == 1
    assert horizon_to(month_ends, date(2027, 2, 28)) == 2
