"""Anomalies: points outside the band a series' own recent past expects, seasonality included.

Each point is judged only from the points before it (a spike never hides inside its own band,
and appending data never changes an earlier judgment), on a variance-stabilised scale
(`pulsebi.trends.anomaly_scales`), never with less noise than that scale's floor:

- counts: Anscombe's 2·sqrt(x + 3/8), on which Poisson noise has a standard deviation of 1
  (the Poisson floor), so a branch's 3 sales a day do not raise an alarm whenever one has 7;
- money (usd, non-negative): sqrt(x), with a compound-Poisson floor of sqrt(φ)/2, φ what one
  sale is worth (E[A²]/E[A]) as the zero days and the typical non-zero day tell it: a day of
  one $12,000 sale among days of none is ordinary;
- anything else (rates, latencies, other people's data): as given, no floor.

Zeros before a count's or money's first value are a series not started yet (a branch before
it opened): they are left out of every window and not judged. On that scale, with a season of
m points (7 days, 52 weeks, 12 months, 4 quarters):

1. season: per phase (weekday, week of year...), the median over the last K cycles of that
   phase's ratio to (counts; its difference from, otherwise) a centred median over one cycle;
   each such window ends before the point judged. Weeks pool the 2 weeks either side of the
   phase (3 years hold only 1-2 earlier values of each week of the year) and need 5 values;
2. level: the median of the deseasonalised values over the last L points;
3. expected = level × season (or + season); scale = 1.4826 × the median absolute one-step
   residual of the last W points (× 1.2533 their mean where more than half were exact, as in a
   near-constant series), at least the floor.

score = (value − expected) / scale, signed; a point is an anomaly when |score| exceeds the
sensitivity's threshold (`THRESHOLDS`), and its band is expected ± threshold × scale, mapped
back to the data's scale. Medians make it robust: a past spike moves none of them by much
and has left every window after K cycles + L + W points (178 days on daily data), so it does
not widen later bands. A level shift is flagged from its first point until the level median
crosses over (about L/2 points: 3 to 5 days on daily data). NaN values are never flagged;
their expected value and band are given.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pulsebi.trends.anomaly_results import AnomalyResults
from pulsebi.trends.anomaly_scales import noise_floor, stabilise, transform_kind, unstabilise
from pulsebi.trends.series import TrendInputError, TrendSeries

SENSITIVITIES = ("low", "medium", "high")
# |score| beyond which a point is out of band. On pure Poisson noise (score ~ N(0, 1) on the
# Anscombe scale) medium is about one false alarm in 10 series-years of days, high about one
# a series-year, low one in decades; bench/trends_anomalies.py measures them on the demo data.
THRESHOLDS = {"low": 5.0, "medium": 4.0, "high": 3.0}
MIN_SEASON_VALUES = 5  # fewest past values a seasonal offset pooling phases is the median of
_MAD = 1.4826  # MAD → standard deviation under normal noise
_MEAN_AD = 1.2533  # mean absolute deviation → standard deviation


@dataclass(frozen=True)
class Windows:
    """Trailing window lengths, in points (`cycles` in seasonal cycles)."""

    cycles: int  # K: past cycles the seasonal offset is the median of
    level: int  # L: points the level is the median of
    level_min: int  # fewest values the level needs
    scale: int  # W: residuals the scale is estimated from
    scale_min: int  # fewest residuals the scale needs
    spread: int = 0  # phases either side pooled into a phase's seasonal offset

    @property
    def min_length(self) -> int:
        """Fewest points a series needs for its last one to be judged."""
        return self.level_min + self.scale_min + 1


WINDOWS = {
    "day": Windows(cycles=8, level=7, level_min=4, scale=112, scale_min=14),
    # 3 years of weeks hold 1-2 earlier values of a week of the year: its seasonal offset pools
    # the 2 weeks either side too (a month's worth a year), or each week's noise becomes its
    # season's
    "week": Windows(cycles=3, level=8, level_min=4, scale=52, scale_min=8, spread=2),
    "month": Windows(cycles=3, level=6, level_min=3, scale=36, scale_min=8),
    "quarter": Windows(cycles=4, level=4, level_min=2, scale=16, scale_min=6),
    "year": Windows(cycles=1, level=4, level_min=2, scale=10, scale_min=4),
}


def windows_for(grain: str, period: int | None) -> Windows:
    """The grain's windows, or ones scaled to a given period (2 cycles of level, 8 of scale)."""
    if period is None:
        return WINDOWS[grain]
    m = int(period)
    if m <= 1:  # no season: as days, without the weekly cycle
        return WINDOWS["day"]
    return Windows(cycles=8, level=max(2 * m, 4), level_min=max(m, 2), scale=max(8 * m, 10),
                   scale_min=max(2 * m, 4))  # fmt: skip


def anomalies(
    s: TrendSeries, sensitivity: str = "medium", *, period: int | None = None
) -> AnomalyResults:
    """Judge every point of a series against the band its past expects.

    Parameters
    ----------
    s : TrendSeries
        Any grain; NaN values are skipped (never flagged, still given a band).
    sensitivity : {"low", "medium", "high"}
        |score| thresholds 5, 4 and 3 (`THRESHOLDS`); high flags a superset of medium,
        medium of low.
    period : int, optional
        The seasonal cycle in points, for data whose dates do not tell it (e.g. 12 samples);
        default the grain's season length (7 for days, 52 for weeks...); 1 for none.

    Returns
    -------
    AnomalyResults
        `.frame` one row per point, `.flagged`, `.last`, `.explain(date)`.

    Raises
    ------
    TrendInputError
        Unknown sensitivity, or a series too short for its first point to be judged.
    """
    if sensitivity not in THRESHOLDS:
        raise TrendInputError(
            f"unknown sensitivity {sensitivity!r}: use one of {', '.join(SENSITIVITIES)}"
        )
    m = s.season_length if period is None else int(period)
    m = m if m and m > 1 else None
    win = windows_for(s.grain, period)
    if len(s) < win.min_length:
        label = f"series {s.name!r}" if s.name else "the series"
        raise TrendInputError(
            f"{label} has {len(s)} points: anomalies need at least {win.min_length} "
            f"(a {s.grain} series judges each point from the ones before it)"
        )
    kind = transform_kind(s)
    x = s.values.to_numpy(dtype="float64")
    fit = x.copy()
    if kind != "identity":
        # zeros before the first sale or count are a series not started yet (a branch before
        # it opened), not a level: they would set the season and level of the year after
        fit[: first_started(x)] = np.nan
    count = kind == "count"  # Poisson noise is 1 on the Anscombe scale: the scale's floor
    floor = noise_floor(fit, kind, 7 if s.grain == "day" and period is None else 1)
    expected, scale = fit_band(stabilise(fit, kind), m, win, floor, multiplicative=count)
    k = THRESHOLDS[sensitivity]
    frame = judge_points(s.values.index, x, expected, scale, k, kind)
    if s.unit == "rate" and np.all((x[~np.isnan(x)] >= 0) & (x[~np.isnan(x)] <= 1)):
        # a share's band stops at 0% and 100% (scores and flags are unchanged by it)
        frame[["expected", "lower", "upper"]] = frame[["expected", "lower", "upper"]].clip(0, 1)
    return AnomalyResults(s, sensitivity, k, frame)


def first_started(x: np.ndarray) -> int:
    """The index of the first value neither 0 nor missing (len(x) if none)."""
    started = np.flatnonzero(np.nan_to_num(x) != 0)
    return int(started[0]) if len(started) else len(x)


def fit_band(
    y: np.ndarray, m: int | None, win: Windows, floor=0.0, multiplicative: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Expected value and scale of every point from the points before it (NaN: too little).

    `floor`: the least scale (a number, or one per point). `multiplicative`: the season scales
    with the level (a weekday's share of the week), as for counts; otherwise it adds to it
    (money's zero days make ratios unstable).
    """
    neutral = 1.0 if multiplicative else 0.0
    if m:
        season = seasonal_profile(y, m, win.cycles, multiplicative, win.spread)
    else:
        season = np.full(len(y), neutral)
    if multiplicative:
        deseasonalised = np.divide(y, season, out=np.full(len(y), np.nan), where=season > 0)
        expected = trailing(deseasonalised, win.level, win.level_min, "median") * season
    else:
        expected = trailing(y - season, win.level, win.level_min, "median") + season
    absres = pd.Series(np.abs(y - expected))
    scale = trailing(absres, win.scale, win.scale_min, "median") * _MAD
    # more than half the residuals exact (a near-constant series): the mean still sees the rest
    mean_scale = trailing(absres, win.scale, win.scale_min, "mean") * _MEAN_AD
    scale = np.where(scale > 0, scale, mean_scale)
    # a tiny floor keeps a constant series' 0/0 at a score of 0, without a warning
    tiny = 1e-9 * np.maximum(1.0, np.abs(np.nan_to_num(expected)))
    return expected, np.maximum(scale, np.maximum(floor, tiny))


def trailing(y, window: int, min_periods: int, how: str) -> np.ndarray:
    """Each point's median/mean over the `window` points before it (not itself)."""
    rolling = pd.Series(y).rolling(window, min_periods=min_periods)
    stat = rolling.median() if how == "median" else rolling.mean()
    return stat.shift(1).to_numpy(dtype="float64")


def seasonal_profile(
    y: np.ndarray, m: int, cycles: int, multiplicative: bool, spread: int = 0
) -> np.ndarray:
    """Each point's seasonal offset (or factor): the same phase's median over past cycles.

    A phase's deviation (or ratio) at point i is from a centred median over one cycle around
    i, which ends m//2 points after i, so those of points m, 2m, ... before t all end before
    t (and those `spread` < m/2 points either side of them). What nobody can tell yet (the
    first cycle and a half) is neutral (0, or a factor 1).
    """
    half = m // 2
    centred = pd.Series(y).rolling(2 * half + 1, center=True, min_periods=half + 1).median()
    centred = centred.to_numpy(dtype="float64")
    if multiplicative:
        dev = np.divide(y, centred, out=np.full(len(y), np.nan), where=centred > 0)
    else:
        dev = y - centred
    # half windows at the start would bias the first cycle's offsets
    dev[: first_known(y) + half] = np.nan
    lags = (m * np.arange(1, cycles + 1)[:, None] + np.arange(-spread, spread + 1)).ravel()
    back = np.arange(len(y))[:, None] - lags[None, :]
    past = np.where(back >= 0, dev[np.maximum(back, 0)], np.nan)
    offset = median_rows(past)
    # a phase seen fewer than MIN_SEASON_VALUES times is noise more than season: neutral
    offset[np.sum(~np.isnan(past), axis=1) < min(MIN_SEASON_VALUES, 2 * spread + 1)] = np.nan
    return np.nan_to_num(offset, nan=1.0 if multiplicative else 0.0)


def first_known(y: np.ndarray) -> int:
    known = np.flatnonzero(~np.isnan(y))
    return int(known[0]) if len(known) else len(y)


def median_rows(a: np.ndarray) -> np.ndarray:
    """Median of each row, NaNs skipped, NaN for a row of NaNs (numpy's nanmedian warns)."""
    ordered = np.sort(a, axis=1)  # NaNs last
    count = np.sum(~np.isnan(a), axis=1)
    rows = np.arange(len(a))
    lo = ordered[rows, np.maximum((count - 1) // 2, 0)]
    hi = ordered[rows, np.minimum(count // 2, a.shape[1] - 1)]
    return (lo + hi) / 2.0  # NaN where the row has none


def judge_points(
    index: pd.DatetimeIndex,
    x: np.ndarray,
    expected: np.ndarray,
    scale: np.ndarray,
    k: float,
    kind: str,
) -> pd.DataFrame:
    """The per-point frame: value, expected, band, score, anomaly, direction, since."""
    y = stabilise(x, kind)
    judged = ~np.isnan(expected) & ~np.isnan(scale)
    score = np.where(judged & ~np.isnan(x), (y - expected) / scale, np.nan)
    anomaly = np.abs(np.nan_to_num(score)) > k
    direction = np.where(anomaly, np.where(score > 0, "high", "low"), None)
    # a run: consecutive anomalies of one direction; `since` is its first date
    starts = anomaly & ~(np.roll(anomaly, 1) & (np.roll(direction, 1) == direction))
    starts[0] = anomaly[0]
    run_start = np.maximum.accumulate(np.where(starts, np.arange(len(x)), 0))
    since = pd.DatetimeIndex(np.where(anomaly, index[run_start], pd.NaT)).as_unit(index.unit)
    band = np.where(judged[:, None], np.c_[expected - k * scale, expected + k * scale], np.nan)
    return pd.DataFrame(
        {
            "date": index,
            "value": x,
            "expected": unstabilise(expected, kind),
            "lower": unstabilise(band[:, 0], kind),
            "upper": unstabilise(band[:, 1], kind),
            "score": score,
            "anomaly": anomaly,
            "direction": pd.array(direction, dtype="object"),
            "since": since,
        }
    )
