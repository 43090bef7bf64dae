"""anomalies(): planted spikes, dips and shifts found; patterns, small counts, constants quiet.

Every point is judged from the points before it only; the band adapts to a level shift in 4
days on daily data (a median of the last 7 deseasonalised days), and a past spike has left
every window after 178 days (8 weeks of weekday profile, a week of level, then 112 days of
residuals for the scale), after which the bands are exactly those without it; a month after
it, they are within 5%.
"""

from __future__ import annotations

import re
import warnings
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from pulsebi.trends import TrendInputError
from pulsebi.trends.anomalies import SENSITIVITIES, THRESHOLDS, anomalies

START = date(2023, 1, 2)  # a Monday
WEEK = np.array([1.18, 1.12, 1.1, 1.05, 0.95, 0.72, 0.28])  # the demo's weekday shares


def poisson_days(make_series, base: float, days: int = 730, seed: int = 0, **kw):
    """Daily counts with a weekly rhythm, `base` a day on average."""
    lam = base * WEEK[(START.weekday() + np.arange(days)) % 7]
    values = np.random.default_rng(seed).poisson(lam).astype(float)
    return make_series(values, START, **kw), lam


def position(s, day: date) -> int:
    return int(s.values.index.get_loc(pd.Timestamp(day)))


def test_a_planted_spike_and_dip_are_flagged_with_their_direction(planted_days, planted_dates):
    r = anomalies(planted_days)
    spike, dip = r.row(planted_dates["spike"]), r.row(planted_dates["dip"])
    assert spike["anomaly"] and spike["direction"] == "high" and spike["score"] > 4
    assert spike["since"] == planted_dates["spike"] and spike["value"] > spike["upper"]
    assert dip["anomaly"] and dip["direction"] == "low" and dip["score"] < -4
    assert dip["since"] == planted_dates["dip"] and dip["value"] < dip["lower"]
    before_shift = r.frame[r.frame["date"] < pd.Timestamp(planted_dates["shift"])]
    assert set(before_shift[before_shift["anomaly"]]["date"].dt.date) == {
        planted_dates["spike"],
        planted_dates["dip"],
    }


def test_a_level_shift_is_flagged_from_its_date_until_the_band_adapts(planted_days, planted_dates):
    shift = planted_dates["shift"]
    r = anomalies(planted_days)
    after = r.frame[r.frame["date"] >= pd.Timestamp(shift)]
    run = after[after["anomaly"]]
    # 4 days out of band (the level is the median of the last 7), all of one run since the shift
    assert run["date"].dt.date.tolist() == [shift + timedelta(days=i) for i in range(4)]
    assert set(run["since"].dt.date) == {shift} and set(run["direction"]) == {"high"}
    assert "out of band since" in r.explain(shift + timedelta(days=3))


def test_a_level_shift_in_noisy_counts_adapts_within_a_week(make_series):
    for seed in range(5):
        s, lam = poisson_days(make_series, 40, seed=seed)
        values = s.values.to_numpy().copy()
        values[500:] = np.random.default_rng(100 + seed).poisson(3 * lam[500:])
        r = anomalies(s.with_values(pd.Series(values, index=s.values.index)))
        flagged = np.flatnonzero(r.frame["anomaly"].to_numpy())
        assert flagged[flagged >= 500][0] == 500
        assert r.frame["since"].iloc[500] == s.values.index[500]
        assert not (flagged >= 507).any()  # adapted within a week, for good


@pytest.mark.parametrize("fixture", ["weekday_pattern", "two_year_pattern"])
def test_a_pure_weekly_pattern_flags_nothing(fixture, request):
    r = anomalies(request.getfixturevalue(fixture), "high")
    assert not r.frame["anomaly"].any()
    judged = r.frame.dropna(subset=["score"])
    assert np.allclose(judged["expected"], judged["value"])


@pytest.mark.parametrize("fixture", ["linear_days", "linear_weeks", "linear_months"])
def test_a_steady_trend_flags_nothing(fixture, request):
    assert not anomalies(request.getfixturevalue(fixture), "high").frame["anomaly"].any()


@pytest.mark.parametrize("seed", range(5))
def test_small_counts_do_not_flood_the_strip(make_series, seed):
    values = np.random.default_rng(seed).poisson(3.0, 730).astype(float)
    s = make_series(values, START, unit="count")
    r = anomalies(s)
    assert r.frame["anomaly"].sum() <= 2
    # a day of 0 is ordinary at 3 a day: the Poisson floor keeps it in band
    assert not r.frame[r.frame["value"] == 0]["anomaly"].any()


@pytest.mark.parametrize(("value", "unit"), [(5.0, None), (0.1, "rate"), (3.0, "count")])
def test_a_constant_series_flags_nothing_and_warns_nothing(make_series, value, unit):
    s = make_series(np.full(200, value), START, unit=unit)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = anomalies(s, "high")
        r.explain(s.values.index[-1])
    assert not r.frame["anomaly"].any()
    judged = r.frame.dropna(subset=["score"])
    assert len(judged) > 150 and (judged["score"] == 0).all()
    assert np.allclose(judged["expected"], value)


def test_nan_points_are_never_flagged_and_keep_their_band(planted_days, planted_dates):
    values = planted_days.values.copy()
    values[pd.Timestamp(planted_dates["spike"])] = np.nan
    values.iloc[200:230:3] = np.nan
    r = anomalies(planted_days.with_values(values))
    missing = r.frame[r.frame["value"].isna()]
    assert len(missing) == 11 and not missing["anomaly"].any()
    assert missing["score"].isna().all() and missing["since"].isna().all()
    assert missing[["expected", "lower", "upper"]].notna().all().all()
    assert r.row(planted_dates["dip"])["anomaly"]  # the rest is still judged
    assert r.explain(planted_dates["spike"]).startswith("no value on 13 Mar 2024 (expected ")


def test_sensitivities_nest(make_series):
    s, _ = poisson_days(make_series, 20, days=1095, seed=7)
    values = s.values.to_numpy().copy()
    for i, factor in zip(range(100, 1095, 60), np.linspace(0.0, 3.5, 17), strict=False):
        values[i] = round(values[i] * factor)
    s = s.with_values(pd.Series(values, index=s.values.index))
    flagged = {k: set(anomalies(s, k).flagged["date"]) for k in SENSITIVITIES}
    assert flagged["low"] <= flagged["medium"] <= flagged["high"]
    assert len(flagged["low"]) < len(flagged["medium"]) < len(flagged["high"])
    assert [THRESHOLDS[k] for k in SENSITIVITIES] == sorted(THRESHOLDS.values(), reverse=True)


def test_a_past_spike_does_not_widen_later_bands(make_series):
    rng = np.random.default_rng(11)
    days = 600
    values = 200 + 30 * WEEK[np.arange(days) % 7] + rng.normal(0, 5, days)
    clean = make_series(values, START)
    spiked = values.copy()
    spiked[300] += 200  # 40 standard deviations
    r_clean, r_spiked = anomalies(clean), anomalies(make_series(spiked, START))
    assert r_spiked.frame["anomaly"].iloc[300]
    width = {
        name: (r.frame["upper"] - r.frame["lower"]).to_numpy()
        for name, r in (("clean", r_clean), ("spiked", r_spiked))
    }
    month_later = slice(330, 337)
    ratio = width["spiked"][month_later] / width["clean"][month_later]
    assert np.all(np.abs(ratio - 1) <= 0.05), ratio
    # once the spike has left every window (3 days of centring, 8 weeks of weekday profile,
    # 7 days of level, then 112 days of residuals for the scale), the bands are the same
    gone = 300 + 3 + 56 + 7 + 112 + 1
    assert np.allclose(width["spiked"][gone:], width["clean"][gone:])


def test_a_point_is_judged_from_the_points_before_it_only(planted_days, planted_dates):
    full = anomalies(planted_days).frame
    i = position(planted_days, planted_dates["spike"])
    prefix = anomalies(planted_days.with_values(planted_days.values.iloc[: i + 1])).frame
    pd.testing.assert_frame_equal(prefix, full.iloc[: i + 1])
    # the spike's own value does not move its band
    values = planted_days.values.copy()
    values.iloc[i] = 0.0
    moved = anomalies(planted_days.with_values(values)).frame.iloc[i]
    assert moved[["expected", "lower", "upper"]].tolist() == pytest.approx(
        full.iloc[i][["expected", "lower", "upper"]].tolist()
    )


def test_explain_reads_value_band_and_record(make_series):
    values = np.full(1100, 40.0)
    values[100] = 5.0
    values[920] = 12.0  # 820 days after the 5: lowest in 2 years
    values[1000] = 300.0
    s = make_series(values, START, unit="count")
    r = anomalies(s)
    day = s.values.index
    assert re.fullmatch(r"12, expected \d+–\d+, lowest in 2 years", r.explain(day[920]))
    assert r.explain(day[920]) == "12, expected 19–69, lowest in 2 years"
    assert r.explain(day[1000]) == (
        "300, expected 19–69, highest since the series began 2 years ago"
    )
    assert r.explain(day[500]) == "40, within the expected 19–69"
    assert r.explain(day[3]).endswith("too little history before 5 Jan 2023 to judge it")
    money = anomalies(make_series(values * 1000.5, START, unit="usd"))
    assert money.explain(day[920]).startswith("$12,006, expected $")


def test_weekly_and_cyclic_data(make_series):
    rng = np.random.default_rng(5)
    weeks = 156
    season = 1 + 0.4 * np.sin(2 * np.pi * np.arange(weeks) / 52)
    values = rng.poisson(200 * season).astype(float)
    values[120] *= 2
    r = anomalies(make_series(values, START, "week"))
    assert r.flagged["date"].tolist() == [pd.Timestamp(START + timedelta(weeks=120))]
    # no calendar: the cycle is given (12 samples) on a series of days
    t = np.arange(1000)
    signal = 1000 + 10 * t / 100 + 300 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 20, 1000)
    signal[[400, 700]] += [-400, 500]
    cyclic = anomalies(make_series(signal, START), period=12)
    assert set(np.flatnonzero(cyclic.frame["anomaly"])) == {400, 700}


def test_last_is_plain_python(planted_days):
    last = anomalies(planted_days).last
    assert set(last) == {
        "date", "value", "expected", "lower", "upper", "score", "anomaly", "direction", "since"
    }  # fmt: skip
    assert type(last["date"]) is date and type(last["anomaly"]) is bool
    assert type(last["expected"]) is float and last["since"] is None


def test_bad_requests_name_the_problem(make_series, planted_days):
    with pytest.raises(TrendInputError, match="unknown sensitivity 'loud': use one of low"):
        anomalies(planted_days, "loud")
    with pytest.raises(TrendInputError, match="10 points: anomalies need at least 19"):
        anomalies(make_series(np.ones(10), START, name="short"))
    with pytest.raises(TrendInputError, match="2030-01-01 is not a date of the series"):
        anomalies(planted_days).explain("2030-01-01")


def test_a_share_keeps_its_band_within_0_and_100_percent(make_series):
    rng = np.random.default_rng(2)
    shares = rng.binomial(3, 0.4, 400) / 3  # a closing rate over 3 appointments a day
    r = anomalies(make_series(shares, START, unit="rate"), "high")
    judged = r.frame.dropna(subset=["score"])
    assert judged["lower"].min() >= 0 and judged["upper"].max() <= 1
    assert re.fullmatch(
        r"\d+\.\d%, within the expected \d+\.\d%–\d+\.\d%", r.explain(r.last["date"])
    )
