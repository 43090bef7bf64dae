"""Growth: period over period, year over year, CAGR and rolling 4-, 13- and 52-week growth.

Every measure compares a current amount with a base. Money and counts (and data of unknown
unit) add up over buckets, so a window's amount is its sum; rates, means and medians do not,
so theirs is the mean of its buckets. Growth is relative, a fraction (0.12 = +12%, over |base|),
except for rates (unit "rate"), whose growth is the change in points (0.03 = 3 pp): a closing
rate going from 20% to 25% is +5 points, not +25%. `unit` in the table says which ("percent"
or "points"). A base of 0 or a missing bucket gives NaN, never an infinity.

- period over period: the last bucket against the one before (a series from the metric layer
  holds whole buckets only, so the last one is complete);
- year over year: the last bucket against the calendar-aligned bucket a year before (`yoy`);
- CAGR: over the whole years the series spans, counted back from its end (PER_YEAR buckets a
  year): the first year's amount against the last year's, annualised over the years between;
  NaN when either is ≤ 0 or with fewer than two whole years. For rates: points a year;
- rolling N weeks (4, 13, 52): the last N weeks against the N before, N * 7 days on daily data;
  monthly data takes 1, 3 and 12 months, quarterly 1 and 4 quarters, yearly 1 year for 52
  weeks (the label says so); no equivalent: NaN, and the label says why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pulsebi.trends.series import ADJECTIVE, PER_YEAR, TrendInputError, TrendSeries
from pulsebi.trends.yoy import last_year_date

ROLLING_WEEKS = (4, 13, 52)
ADDITIVE_UNITS = ("usd", "count", None)
# Buckets of each grain that stand for N weeks.
WINDOWS = {
    "day": {4: 28, 13: 91, 52: 364},
    "week": {4: 4, 13: 13, 52: 52},
    "month": {4: 1, 13: 3, 52: 12},
    "quarter": {13: 1, 52: 4},
    "year": {52: 1},
}
NOUN = {"day": "day", "week": "week", "month": "month", "quarter": "quarter", "year": "year"}
OVER = {"day": "Day", "week": "Week", "month": "Month", "quarter": "Quarter", "year": "Year"}


@dataclass(frozen=True, eq=False)
class GrowthResults:
    """The growth measures of one series.

    Attributes
    ----------
    series : TrendSeries
    frame : pandas.DataFrame
        One row per measure: measure, value, unit ("percent" or "points"), label, current,
        base (the two amounts compared). Measures: period_over_period, year_over_year, cagr,
        rolling_4w, rolling_13w, rolling_52w.
    """

    series: TrendSeries
    frame: pd.DataFrame

    def __getitem__(self, measure: str) -> float:
        return float(self.frame.set_index("measure").at[measure, "value"])

    @property
    def points(self) -> bool:
        """True when growth is in points (a rate), False when relative."""
        return self.series.unit == "rate"

    @property
    def period_over_period(self) -> float:
        return self["period_over_period"]

    @property
    def year_over_year(self) -> float:
        return self["year_over_year"]

    @property
    def cagr(self) -> float:
        return self["cagr"]

    @property
    def rolling(self) -> dict[int, float]:
        """Rolling growth by weeks: {4: ..., 13: ..., 52: ...}."""
        return {n: self[f"rolling_{n}w"] for n in ROLLING_WEEKS}

    def to_frame(self) -> pd.DataFrame:
        """The tidy table: measure, value, unit, label, current, base."""
        return self.frame.copy()


def growth(s: TrendSeries) -> GrowthResults:
    """Period over period, year over year, CAGR and rolling 4/13/52-week growth of `s`.

    Parameters
    ----------
    s : TrendSeries
        Any grain; the last bucket is taken as the current one.

    Returns
    -------
    GrowthResults

    Raises
    ------
    TrendInputError
        When the series has no bucket at all.
    """
    if not len(s):
        name = f"series {s.name!r}" if s.name else "the series"
        raise TrendInputError(f"{name} has no bucket: growth needs at least one")
    rows = [_period_over_period(s), _year_over_year(s), _cagr(s)]
    rows += [_rolling(s, weeks) for weeks in ROLLING_WEEKS]
    unit = "points" if s.unit == "rate" else "percent"
    frame = pd.DataFrame(
        [
            {
                "measure": m,
                "value": v,
                "unit": unit,
                "label": f"{title}, {_unit_word(s)} ({detail})",
                "current": c,
                "base": b,
            }
            for m, v, title, detail, c, b in rows
        ]
    )
    return GrowthResults(s, frame)


def _unit_word(s: TrendSeries) -> str:
    return "points" if s.unit == "rate" else "%"


def _change(s: TrendSeries, current: float, base: float) -> float:
    if math.isnan(current) or math.isnan(base):
        return math.nan
    if s.unit == "rate":
        return current - base
    return (current - base) / abs(base) if base != 0 else math.nan


def _amount(s: TrendSeries, values: np.ndarray) -> float:
    """A window's amount: the sum (money, counts) or the mean (rates, means); NaN if empty."""
    if s.unit in ADDITIVE_UNITS:
        return float(values.sum()) if len(values) else math.nan  # NaN in, NaN out
    kept = values[~np.isnan(values)]
    return float(kept.mean()) if len(kept) else math.nan


def _day(ts: pd.Timestamp) -> str:
    return ts.date().isoformat()


def _period_over_period(s: TrendSeries) -> tuple:
    title = f"{OVER[s.grain]} over {s.grain}"
    v, dates = s.values.to_numpy(), s.values.index
    if len(v) < 2:
        return ("period_over_period", math.nan, title, f"needs 2 {s.grain}s", v[-1], math.nan)
    detail = f"{_day(dates[-1])} vs {_day(dates[-2])}"
    return ("period_over_period", _change(s, v[-1], v[-2]), title, detail, v[-1], v[-2])


def _year_over_year(s: TrendSeries) -> tuple:
    last = s.values.index[-1]
    base_day = pd.Timestamp(last_year_date(last.date(), s.grain))
    current = float(s.values.iloc[-1])
    base = float(s.values.get(base_day, math.nan))
    detail = f"{_day(last)} vs {_day(base_day)}"
    if base_day not in s.values.index:
        detail = f"{_day(last)}: {_day(base_day)} is before the series"
    return ("year_over_year", _change(s, current, base), "Year over year", detail, current, base)


def _cagr(s: TrendSeries) -> tuple:
    per_year, v, dates = PER_YEAR[s.grain], s.values.to_numpy(), s.values.index
    years = len(v) // per_year
    title = "Change per year" if s.unit == "rate" else "CAGR"
    if years < 2:
        detail = f"needs 2 whole years: {2 * per_year} {s.grain}s, has {len(v)}"
        return ("cagr", math.nan, title, detail, math.nan, math.nan)
    start = len(v) - years * per_year
    first = _amount(s, v[start : start + per_year])
    last = _amount(s, v[-per_year:])
    detail = (
        f"{years} whole years: the year from {_day(dates[-per_year])} "
        f"vs the year from {_day(dates[start])}"
    )
    if s.unit == "rate":
        value = (last - first) / (years - 1)
    elif first > 0 and last > 0:
        value = (last / first) ** (1 / (years - 1)) - 1
    else:
        value = math.nan
    return ("cagr", value, title, detail, last, first)


def _rolling(s: TrendSeries, weeks: int) -> tuple:
    measure = f"rolling_{weeks}w"
    n = WINDOWS[s.grain].get(weeks)
    if n is None:
        title = f"Rolling {weeks} weeks"
        return (measure, math.nan, title, f"no {ADJECTIVE[s.grain]} equivalent", math.nan, math.nan)
    noun = NOUN[s.grain] + ("s" if n > 1 else "")
    detail = f"last {n} {noun} vs the {n} before"
    title = f"Rolling {weeks} weeks"
    if s.grain not in ("day", "week"):
        title = f"Rolling {n} {noun} (≈ {weeks} weeks)"
    v = s.values.to_numpy()
    if len(v) < 2 * n:
        detail += f": needs {2 * n} {NOUN[s.grain]}s, has {len(v)}"
        return (measure, math.nan, title, detail, math.nan, math.nan)
    current, base = _amount(s, v[-n:]), _amount(s, v[-2 * n : -n])
    return (measure, _change(s, current, base), title, detail, current, base)
