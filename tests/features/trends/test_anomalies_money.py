"""anomalies() on money: weekly revenue banded around its level, a branch opened late judged
from its opening, lumpy daily revenue (a sale every few days) quiet under the compound-Poisson
floor yet a day of many sales still flagged, the floor itself, and the seeded branches."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from pulsebi.trends.anomalies import anomalies

START = date(2023, 1, 2)  # a Monday
WEEK = np.array([1.18, 1.12, 1.1, 1.05, 0.95, 0.72, 0.28])  # the demo's weekday shares


def flagged_runs(flags) -> int:
    """Runs of consecutive flagged points: one alarm each."""
    edges = np.flatnonzero(np.diff(np.r_[0, np.asarray(flags, dtype=int), 0]))
    return len(edges) // 2


def money_days(rate: float, days: int = 1095, seed: int = 0, sigma: float = 0.6):
    """Daily revenue of `rate` sales a day (weekly rhythm), lognormal amounts (median $12,000)."""
    rng = np.random.default_rng(seed)
    sales = rng.poisson(rate * WEEK[(START.weekday() + np.arange(days)) % 7])
    return np.array([rng.lognormal(np.log(12_000), sigma, n).sum() for n in sales])


@pytest.mark.parametrize("seed", range(5))
def test_weekly_money_over_three_years_gets_a_band_around_its_level(make_series, seed):
    level = 100_000.0
    values = level * (1 + 0.1 * np.random.default_rng(seed).standard_normal(156))
    r = anomalies(make_series(values, START, "week", unit="usd"))
    assert flagged_runs(r.frame["anomaly"]) <= 3  # at most one a year
    judged = r.frame.dropna(subset=["score"])
    assert len(judged) >= 140
    error = np.abs(judged["expected"] / level - 1)
    assert error.median() < 0.06 and (error <= 0.10).mean() >= 0.85
    # 10% noise is ±5% on the sqrt scale: 4 of those either side is ~0.64..1.44 × the level
    width = (judged["upper"] - judged["lower"]) / level
    assert 0.6 <= width.median() <= 1.2
    assert (judged["lower"] > 0.3 * level).all() and (judged["upper"] < 2.2 * level).all()


@pytest.mark.parametrize("seed", range(3))
def test_weekly_money_of_a_branch_opened_a_year_in_is_judged_from_its_opening(make_series, seed):
    # the zeros before the first sale were its season and level: an expected $0-3K in the
    # year after, among $100K weeks, and every week of the first months flagged
    level = 100_000.0
    values = level * (1 + 0.1 * np.random.default_rng(seed).standard_normal(156))
    values[:52] = 0.0
    s = make_series(values, START, "week", unit="usd")
    r = anomalies(s)
    assert not r.frame["anomaly"].any()
    assert r.frame["score"].iloc[:52].isna().all()
    assert (
        r.explain(s.values.index[10])
        == "$0 on 13 Mar 2023: before the series' first value, not judged"
    )
    judged = r.frame.iloc[52:].dropna(subset=["score"])
    assert len(judged) >= 90
    error = np.abs(judged["expected"] / level - 1)
    assert error.median() < 0.06 and (error <= 0.10).mean() >= 0.85
    assert (judged["lower"] > 0.3 * level).all()


@pytest.mark.parametrize("rate", [0.05, 0.2, 0.5])
def test_lumpy_daily_money_does_not_flood(make_series, rate):
    # a few sales a week: the median residual is 0 and one ordinary sale scored in the
    # millions; the compound-Poisson floor keeps it in band
    for seed in range(3):
        r = anomalies(make_series(money_days(rate, seed=seed), START, unit="usd"))
        assert flagged_runs(r.frame["anomaly"]) <= 6  # at most 2 a series-year
        sales = r.frame[(r.frame["value"] > 0) & r.frame["score"].notna()]
        assert not sales[sales["value"] < 30_000]["anomaly"].any()  # one or two sales


def test_lumpy_daily_money_still_flags_a_day_of_many_sales(make_series):
    values = money_days(0.2, seed=4)
    values[900] = 12_000 * 12  # a dozen sales in a day that usually has none
    r = anomalies(make_series(values, START, unit="usd"))
    assert r.frame["anomaly"].iloc[900] and r.frame["direction"].iloc[900] == "high"
    assert flagged_runs(r.frame["anomaly"]) <= 6


def test_the_money_floor_is_what_one_sale_is_worth():
    from pulsebi.trends.anomaly_scales import dispersion, noise_floor

    values = money_days(0.1, seed=1)
    phi = dispersion(values, 7)[-1]
    true_phi = 12_000 * np.exp(1.5 * 0.6**2)  # E[A²] / E[A] of the lognormal amounts
    assert true_phi / 1.5 < phi < true_phi * 1.5
    assert np.sqrt(phi) / 2 == pytest.approx(noise_floor(values, "sqrt", 7)[-1])
    # nothing lumpy, no floor: busy days, even with holidays or weekends closed
    busy = money_days(30.0, days=400, seed=1)
    busy[[100, 150, 200, 377]] = 0.0
    assert (noise_floor(busy, "sqrt", 7) == 0).all()
    weekdays_only = np.where(np.arange(400) % 7 < 5, busy, 0.0)
    assert (noise_floor(weekdays_only, "sqrt", 7) == 0).all()
    assert (noise_floor(values, "count") == 1).all() and (
        noise_floor(values, "identity") == 0
    ).all()


def test_the_seeded_branches_daily_revenue_is_quiet(seeded):
    # scale 0.02: a branch sells on 1 day in 10-20; every sale was flagged (36-63 a branch)
    from pulsebi.trends import TrendSeries

    for branch in (None, "HOU", "DAL", "AUS", "SAT", "OKC"):
        s = TrendSeries.from_metric(
            "net_revenue", start=date(2024, 11, 21), end=date(2026, 11, 20), branch=branch,
            settings=seeded,
        )  # fmt: skip
        assert flagged_runs(anomalies(s).frame["anomaly"]) <= 4, branch  # 2 a series-year
