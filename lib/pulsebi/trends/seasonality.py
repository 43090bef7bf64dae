"""Seasonality: an STL decomposition (trend, seasonal, remainder), seasonal indices, strengths.

The cycle follows the grain: 7 days, 52 weeks, 12 months, 4 quarters; a yearly series has none.
Daily data of two years or more (731 days) is split by MSTL into a weekly and a yearly component:
both the weekday and the month-of-year index come out. A cycle seen fewer than five times (a
year of weeks or days over 3 years) gets a smooth harmonic profile instead of STL
(`pulsebi.trends.decomposition`): STL would interpolate its 2-3 points a phase, leaving a remainder
of 0. Every fit is robust: an outlier lands in the remainder, not in the seasonal pattern.

Indices are additive, in the series' own unit: the mean of the seasonal component over each
weekday, calendar month or quarter, centred to average zero ("March: +340 leads a day above an
average month's"): a ratio means nothing for series that touch zero or go negative; for a
positive series `relative_indices` divides them by the series' mean ("+12% in March").

Strengths (Wang, Smith & Hyndman 2006): F_T = max(0, 1 - var(R) / var(T + R)), F_S = max(0, 1 -
var(R) / var(S + R)); a variance nil to rounding (a constant series, a flat trend) gives 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pulsebi.trends.decomposition import decompose
from pulsebi.trends.series import ADJECTIVE, TrendInputError, TrendSeries

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
QUARTERS = ("Q1", "Q2", "Q3", "Q4")
YEARLY_FROM_DAYS = 2 * 365 + 1  # MSTL fits a period under half the series' length
CYCLES = 2  # below two cycles the seasonal part cannot be told from the trend
# A variance below (RELATIVE_ZERO * the series' scale)² is rounding noise.
RELATIVE_ZERO = 1e-9


@dataclass(frozen=True, eq=False)
class SeasonalityResults:
    """An STL fit of one series: components, seasonal indices and strengths.

    Attributes
    ----------
    series : TrendSeries
    trend, seasonal, remainder : pandas.Series
        On the series' index; `seasonal` is the sum of `components`. The remainder is NaN where
        the series had no value (the fit used an interpolated one).
    components : dict of str to pandas.Series
        One seasonal component per index ("weekday", "month" or "quarter").
    strength_trend, strength_seasonal : float
        Wang-Smith-Hyndman strengths in [0, 1] (the seasonal one over all components).
    strengths : dict of str to float
        The seasonal strength of each component.
    indices : dict of str to pandas.Series
        Additive seasonal indices in the series' unit, labelled Monday..Sunday, Jan..Dec, Q1..Q4.
    period : int or None
        The grain's cycle (7, 52, 12, 4) when a seasonal part was fitted.
    periods : tuple of int
        Every fitted period ((7, 365) for MSTL on two years of days).
    note : str
        What was done beyond the plain fit (interpolated values, no seasonal part and why).
    """

    series: TrendSeries
    trend: pd.Series
    seasonal: pd.Series
    remainder: pd.Series
    components: dict[str, pd.Series]
    strength_trend: float
    strength_seasonal: float
    strengths: dict[str, float]
    indices: dict[str, pd.Series]
    period: int | None
    periods: tuple[int, ...]
    note: str = ""
    _level: float = field(default=math.nan, repr=False)

    @property
    def relative_indices(self) -> dict[str, pd.Series]:
        """Indices as fractions of the series' mean (0.12: +12%); empty unless the series is
        positive (no value below zero, a mean above zero)."""
        if not self._level > 0:
            return {}
        return {name: index / self._level for name, index in self.indices.items()}

    def to_frame(self) -> pd.DataFrame:
        """One row per bucket: value, trend, seasonal, remainder (and each component when
        there are several), indexed by date."""
        columns = {"value": self.series.values, "trend": self.trend, "seasonal": self.seasonal}
        columns["remainder"] = self.remainder
        if len(self.components) > 1:
            columns |= {f"seasonal_{name}": part for name, part in self.components.items()}
        return pd.DataFrame(columns).rename_axis("date")

    def to_records(self) -> dict:
        """JSON-ready: strengths and indices ({name: {label: value}}), NaN as None."""
        return {
            "series": self.series.name,
            "period": self.period,
            "periods": list(self.periods),
            "strength_trend": _number(self.strength_trend),
            "strength_seasonal": _number(self.strength_seasonal),
            "strengths": {k: _number(v) for k, v in self.strengths.items()},
            "indices": _index_records(self.indices),
            "relative_indices": _index_records(self.relative_indices),
            "note": self.note,
        }

    def describe(self) -> str:
        """One line for a page: the strengths, then each index's high and low."""
        out = f"Trend strength {self.strength_trend:.2f}, seasonal {self.strength_seasonal:.2f}."
        relative = self.relative_indices
        shown, fmt = (relative, "{:+.0%}") if relative else (self.indices, "{:+,.4g}")
        for index in shown.values():
            hi, lo = index.idxmax(), index.idxmin()
            high, low = fmt.format(index[hi]), fmt.format(index[lo])
            out += f" Highest {hi} ({high}), lowest {lo} ({low})."
        return f"{out} {self.note}".strip()


def seasonality(s: TrendSeries) -> SeasonalityResults:
    """Decompose a series into trend, seasonal and remainder (robust STL, MSTL for long daily).

    Parameters
    ----------
    s : TrendSeries
        Any grain. NaN values are interpolated for the fit (and said so in `.note`): between
        the same weekday (month, quarter) of the cycles before and after.

    Returns
    -------
    SeasonalityResults

    Raises
    ------
    TrendInputError
        When the series is too short for its cycle (two cycles: 14 days, 24 months, 8
        quarters), has fewer than 2 values, or has no value at all.
    """
    named = _periods(s)  # component name -> period
    periods = tuple(named.values())
    y, notes = _fill_for_fit(s, periods[0] if periods else None)
    if not periods:
        notes.append(_why_no_season(s))
        zero, trend = pd.Series(0.0, index=s.values.index), pd.Series(y, index=s.values.index)
        return SeasonalityResults(
            s, trend, zero, zero, {}, 0.0, 0.0, {}, {}, None, (), " ".join(notes)
        )
    trend, parts, remainder = decompose(y, periods)
    index = s.values.index
    components = {n: pd.Series(p, index=index) for n, p in zip(named, parts, strict=True)}
    seasonal = np.sum(parts, axis=0)
    tol = _zero_variance(y)
    observed = s.values.notna().to_numpy()
    r = remainder[observed]
    strengths = {n: _strength(r, p[observed], tol) for n, p in zip(named, parts, strict=True)}
    return SeasonalityResults(
        series=s,
        trend=pd.Series(trend, index=index),
        seasonal=pd.Series(seasonal, index=index),
        remainder=pd.Series(np.where(observed, remainder, np.nan), index=index),
        components=components,
        strength_trend=_strength(r, trend[observed], tol),
        strength_seasonal=_strength(r, seasonal[observed], tol),
        strengths=strengths,
        indices={n: _index(n, c, s.grain, y) for n, c in components.items()},
        period=periods[0],
        periods=periods,
        note=" ".join(notes),
        _level=_positive_level(s),
    )


def _periods(s: TrendSeries) -> dict[str, int]:
    """The seasonal components to fit, by the index each gives: {"weekday": 7, ...}."""
    n, cycle = len(s), s.season_length
    if cycle is None or (s.grain == "week" and n < CYCLES * cycle):
        if n < 2:
            raise TrendInputError(f"{_named(s)} has {n} value: seasonality needs at least 2")
        return {}
    if n < CYCLES * cycle:
        raise TrendInputError(
            f"{_named(s)} has {n} {ADJECTIVE[s.grain]} values: too short for seasonality, "
            f"which needs two cycles of {cycle} (at least {CYCLES * cycle}); give a longer range"
        )
    if s.grain == "day":
        return {"weekday": 7, "month": 365} if n >= YEARLY_FROM_DAYS else {"weekday": 7}
    return {"quarter" if s.grain == "quarter" else "month": cycle}


def _why_no_season(s: TrendSeries) -> str:
    if s.grain == "year":
        return "A yearly series has no shorter cycle: no seasonal part; strengths are 0."
    return (
        f"{len(s)} weeks is less than the two years (104 weeks) a yearly cycle of weeks needs: "
        "no seasonal part; strengths are 0. Use daily data, or a longer range."
    )


def _named(s: TrendSeries) -> str:
    return f"series {s.name!r}" if s.name else "the series"


def _fill_for_fit(s: TrendSeries, period: int | None) -> tuple[np.ndarray, list[str]]:
    """The values with each NaN interpolated between the same phase of the cycles around it
    (last and next Monday for a Monday), linearly where a phase has no value at all."""
    values = s.values.reset_index(drop=True)
    missing = int(values.isna().sum())
    if missing == len(values):
        raise TrendInputError(f"{_named(s)} has no value: nothing to decompose")
    if not missing:
        return values.to_numpy(copy=True), []
    if period:
        phases = values.groupby(values.index % period, group_keys=False)
        values = phases.apply(lambda p: p.interpolate(limit_direction="both")).sort_index()
    filled = values.interpolate(limit_direction="both")
    what = "value was" if missing == 1 else "values were"
    note = (
        f"{missing} missing {what} interpolated for the fit, from the same point of the cycles "
        "around it (the remainder is left blank there)."
    )
    return filled.to_numpy(), [note]


def _zero_variance(y: np.ndarray) -> float:
    scale = max(float(np.std(y)), float(np.max(np.abs(y))))
    return (RELATIVE_ZERO * scale) ** 2


def _strength(remainder: np.ndarray, part: np.ndarray, tol: float) -> float:
    """max(0, 1 - var(R) / var(X + R)); 0 when var(X + R) is nil to rounding."""
    total = float(np.var(part + remainder))
    if not total > tol:
        return 0.0
    return max(0.0, 1.0 - float(np.var(remainder)) / total)


def _index(name: str, component: pd.Series, grain: str, y: np.ndarray) -> pd.Series:
    dates = component.index
    if name == "weekday":
        keys, labels = dates.day_of_week, WEEKDAYS
    elif name == "quarter":
        keys, labels = dates.quarter - 1, QUARTERS
    else:
        # a week belongs to the month of its middle day
        middle = dates + pd.Timedelta(days=3) if grain == "week" else dates
        keys, labels = middle.month - 1, MONTHS
    means = component.groupby(np.asarray(keys)).mean().reindex(range(len(labels)))
    means = means - means.mean()
    tiny = RELATIVE_ZERO * max(float(np.max(np.abs(y))), 1.0)
    means = means.where(means.abs() > tiny, 0.0)
    return pd.Series(means.to_numpy(), index=pd.Index(labels, name=name), name=name)


def _positive_level(s: TrendSeries) -> float:
    v = s.values.dropna()
    return float(v.mean()) if len(v) and (v >= 0).all() else math.nan


def _number(x) -> float | None:
    return None if math.isnan(x := float(x)) else x


def _index_records(indices: dict[str, pd.Series]) -> dict[str, dict[str, float | None]]:
    return {n: {str(k): _number(v) for k, v in i.items()} for n, i in indices.items()}
