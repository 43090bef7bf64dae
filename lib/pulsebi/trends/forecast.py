"""Forecasts with calibrated 80% and 95% intervals, the model chosen per series.

    res = forecast(s, horizon=horizon_to(s, date(2026, 12, 31)))
    res.model        # "ETS(M,Ad,M)", "Theta", "Seasonal naive" or "Naive"
    res.frame        # date, forecast, lower_80, upper_80, lower_95, upper_95
    res.candidates   # every criterion value that led to the choice

How the model is chosen (`forecast_select`): AICc within the ETS family (additive or
multiplicative error; no, additive or damped trend; no, additive or multiplicative season,
multiplicative only on positive data, seasonal only with two full cycles before the backtest),
then a rolling-origin backtest (MASE) between the best ETS, Theta and seasonal naive (naive when
there is no season). Daily series have a 7-day season, weekly 52, monthly 12, quarterly 4.

Intervals start from the chosen model's analytic standard deviations (statsmodels' own: exact
for additive ETS and Theta, simulated for multiplicative ETS; a seasonal random walk's for
naive), which are too narrow (bench/README.md, "Trend forecasts"). Three corrections, each from
the series itself: (1) small samples: the variance is scaled by n / (n − k) for the k values the
model fitted (smoothing weights and initial states), (2) Student's t quantiles with n − k
degrees of freedom instead of the normal's, (3) the backtest: the chosen model's errors there,
brought to today's level and divided by those deviations, should have unit root mean square
and no sign; each side of the band is widened by the root mean square of the errors on that
side (`calibration_factors`; never narrowed), (4) a floor: the 95% band's half-width at step h
is at least the 95% quantile of the series' own h-period changes |y[t + h] − y[t]|
(`change_floor`), (5) on positive money and counts the half-widths are relative ones, on a log
scale (`band_bounds`): the band leans up as growth compounds.
Series that are never negative (counts, money, rates: every value ≥ 0 and the unit not a
score) have forecast and bounds clipped at 0. Missing values (NaN) are interpolated for the
fit.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from pulsebi.trends.forecast_models import seasonal_min, small_sample
from pulsebi.trends.forecast_select import (
    band_bounds,
    calibration_factors,
    change_floor,
    level_ratios,
    mase_scale,
    one_blas_thread,
    pool_context,
    select_model,
    start_worker,
)
from pulsebi.trends.series import TrendInputError, TrendSeries, step

# Fewest values (NaN not counted) a forecast is made from: enough for a trend model and a
# backtest of a few periods.
MIN_LENGTH = 8
# Below this many series per worker, a process pool costs more than it saves.
POOL_MIN = 4


@dataclass(frozen=True, eq=False)
class ForecastResults:
    """A series' forecast: the chosen model, how it was chosen, and one row per future period.

    Attributes
    ----------
    series : TrendSeries
        The input.
    model : str
        The chosen model's name: "ETS(A,Ad,M)", "Theta", "Seasonal naive", "Naive".
    frame : pandas.DataFrame
        One row per future period: date, forecast, lower_80, upper_80, lower_95, upper_95.
    candidates : pandas.DataFrame
        model, criterion ("AICc" within ETS; "MASE" of the backtest), value, chosen.
    fitted : pandas.Series or None
        The chosen model's in-sample one-step forecasts (None for Theta).
    calibration : dict
        How the intervals were widened from statsmodels' analytic ones: "dof" (residual degrees
        of freedom), "small_sample" (√(n / dof)), "t_80" and "t_95" (Student's quantile over
        the normal's), "below" and "above" (`calibration_factors`, ≥ 1), "analytic_sd"
        (statsmodels' deviations, per step), "floor_95" (`change_floor`, per step) and
        "log_scale". A band's half-width above the forecast is the analytic one times
        small_sample × t × above (at least floor_95 for the 95% band), read as a relative one
        (mean · exp(width / mean)) when log_scale.
    backtest : dict
        "horizon" (periods ahead), "origins" (the last date each backtest fit saw) and
        "errors" (the chosen model's, actual minus forecast: origins × horizon).
    """

    series: TrendSeries
    model: str
    frame: pd.DataFrame
    candidates: pd.DataFrame
    fitted: pd.Series | None
    calibration: dict
    backtest: dict = field(default_factory=dict)

    @property
    def horizon(self) -> int:
        """Periods forecast."""
        return len(self.frame)

    def to_frame(self) -> pd.DataFrame:
        """The forecast table (a copy): date, forecast, lower_80, upper_80, lower_95, upper_95."""
        return self.frame.copy()

    def explain(self) -> str:
        """One sentence on the choice, e.g. "ETS(M,A,M): backtest MASE 0.61 (Theta 0.83...)"."""
        mase = self.candidates[self.candidates["criterion"] == "MASE"]
        if mase.empty or not mase["value"].notna().any():
            return f"{self.model}: lowest AICc (series too short for a backtest)"
        chosen = mase[mase["chosen"]]["value"].iloc[0]
        others = ", ".join(
            f"{row.model} {row.value:.2f}" for row in mase[~mase["chosen"]].itertuples()
        )
        origins = len(self.backtest.get("origins", []))
        text = (
            f"{self.model}: backtest MASE {chosen:.2f} ({others}) over {origins} origin"
            f"{'s' * (origins != 1)}, {self.backtest.get('horizon')} periods ahead"
        )
        below, above = self.calibration.get("below", 1.0), self.calibration.get("above", 1.0)
        if max(below, above) > 1:
            text += (
                f"; intervals widened ×{below:.2f} below and ×{above:.2f} above to match its "
                "backtest errors"
            )
        return text


def forecast(s: TrendSeries, horizon: int) -> ForecastResults:
    """Forecast `horizon` periods past the end of `s`, with 80% and 95% intervals.

    Parameters
    ----------
    s : TrendSeries
        At least `MIN_LENGTH` values; NaN is interpolated for the fit.
    horizon : int
        Periods ahead (≥ 1); `horizon_to(s, day)` counts them up to a date.

    Returns
    -------
    ForecastResults

    Raises
    ------
    TrendInputError
        A horizon that is no positive whole number, or a series too short.
    """
    y, period, non_negative = prepare_values(s, horizon)
    with one_blas_thread():
        return _forecast(s, horizon, y, period, non_negative)


def _forecast(
    s: TrendSeries, horizon: int, y: np.ndarray, period: int | None, non_negative: bool
) -> ForecastResults:
    sel = select_model(y, period, horizon, s.grain)
    mean, sd = sel.best.predict(horizon)
    calibration, q80, q95 = small_sample(sel.best)
    calibration["analytic_sd"] = sd
    sd = sd * calibration["small_sample"]
    errors = sel.errors * level_ratios(y, sel.origins, period)[:, None]
    below, above = calibration_factors(errors, sd, tiny=1e-6 * mase_scale(y, period))
    floor = change_floor(y, horizon)
    log_scale = non_negative and bool(np.all(y > 0))
    calibration.update(below=below, above=above, floor_95=floor, log_scale=log_scale)
    lower_80, upper_80 = band_bounds(mean, q80 * below * sd, q80 * above * sd, log_scale)
    lower_95, upper_95 = band_bounds(
        mean, np.maximum(q95 * below * sd, floor), np.maximum(q95 * above * sd, floor), log_scale
    )
    frame = pd.DataFrame(
        {
            "date": s.next_dates(horizon),
            "forecast": mean,
            "lower_80": lower_80,
            "upper_80": upper_80,
            "lower_95": lower_95,
            "upper_95": upper_95,
        }
    )
    if non_negative:
        numbers = frame.columns[1:]
        frame[numbers] = frame[numbers].clip(lower=0.0)
    fitted = None
    if not np.all(np.isnan(sel.best.fitted)):
        fitted = pd.Series(sel.best.fitted, index=s.values.index, name="fitted")
    index = s.values.index
    backtest = {
        "horizon": sel.horizon,
        "origins": [index[end - 1] for end in sel.origins],
        "errors": sel.errors,
    }
    name = sel.best.spec.name
    return ForecastResults(s, name, frame, sel.candidates, fitted, calibration, backtest)


def forecast_many(
    series: dict[str, TrendSeries], horizon: int, jobs: int | None = None
) -> dict[str, ForecastResults]:
    """`forecast` for each series, in a pool of `jobs` processes (default: one per core).

    Every series is checked before any is fitted, so a bad one fails fast with its name.
    A handful of series, or `jobs=1`, runs in this process. Results equal `forecast`'s.

    Parameters
    ----------
    series : dict of str to TrendSeries
        The series by key (a CSV's series name, "" for a one-series file).
    horizon : int
        Periods to forecast after each series' last bucket.
    jobs : int, optional
        Worker processes; default one per core.

    Returns
    -------
    dict of str to ForecastResults
        In the order of `series`.
    """
    for key, s in series.items():
        prepare_values(s, horizon, label=s.name or key)
    jobs = jobs or _cores()
    if jobs == 1 or len(series) < POOL_MIN * jobs:
        return {key: forecast(s, horizon) for key, s in series.items()}
    from concurrent.futures import ProcessPoolExecutor

    items = list(series.items())
    chunk = max(1, len(items) // (jobs * 8))
    with ProcessPoolExecutor(jobs, pool_context(), initializer=start_worker) as pool:
        done = pool.map(forecast, [s for _, s in items], [horizon] * len(items), chunksize=chunk)
        return dict(zip([key for key, _ in items], done, strict=True))


def _cores() -> int:
    """The cores this process may run on (a container's share, not the host's count)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def horizon_to(s: TrendSeries, day: date | str | pd.Timestamp) -> int:
    """Periods from the series' last bucket to the one containing `day` (0 if not after it).

    E.g. a monthly series ending with November 2026 and 31 December 2026: 1.

    Parameters
    ----------
    s : TrendSeries
    day : datetime.date, str or pandas.Timestamp
        E.g. the last day of the quarter or of the year.

    Returns
    -------
    int
        The horizon to give `forecast` to reach `day`.
    """
    day = pd.Timestamp(day).date()
    last = s.values.index[-1].date()
    if s.grain in ("day", "week"):
        return max(0, (day - last).days // (1 if s.grain == "day" else 7))
    months = {"month": 1, "quarter": 3, "year": 12}[s.grain]
    n = max(0, ((day.year - last.year) * 12 + day.month - last.month) // months)
    while n > 0 and step(last, s.grain, n) > day:
        n -= 1
    while step(last, s.grain, n + 1) <= day:
        n += 1
    return n


def prepare_values(
    s: TrendSeries, horizon: int, label: str | None = None
) -> tuple[np.ndarray, int | None, bool]:
    """Check `s` and `horizon`; the values to fit (NaN interpolated), season and sign.

    The season is used only when the series is longer than two full cycles (and a heuristic
    start's 10 + 2·⌊m/2⌋ values): seasonal models are then fitted, and backtested from at least
    one origin.
    """
    label = s.name if label is None else label
    where = f"series {label!r}: " if label else ""
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 1:
        raise TrendInputError(f"horizon {horizon!r}: give a positive whole number of periods")
    observed = int(s.values.notna().sum())
    if observed < MIN_LENGTH:
        missing = len(s) - observed
        raise TrendInputError(
            f"{where}{observed} values{f' ({missing} missing)' * bool(missing)}: a forecast "
            f"needs at least {MIN_LENGTH}; give a longer range"
        )
    y = s.values.interpolate(limit_direction="both").to_numpy(dtype="float64")
    period = s.season_length
    if period and len(y) <= seasonal_min(period):
        period = None
    non_negative = s.unit != "score" and bool((s.values.dropna() >= 0).all())
    return y, period, non_negative
