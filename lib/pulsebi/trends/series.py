"""A regular series, the input of every trend method: a metric's buckets or anyone's own data.

`TrendSeries` holds float values on a regular calendar index (a bucket's start date) at one
grain. It is built from the metric layer (`from_metric`) or from plain pandas data
(`from_pandas`, which infers the grain). Gaps are refused (a missing bucket is an error, not a
silent zero); a value may be NaN (a rate over no rows), and each method says what it does with
one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

import numpy as np
import pandas as pd

from pulsebi.errors import UsageError

GRAINS = ("day", "week", "month", "quarter", "year")
# The seasonal cycle a grain repeats on (periods per cycle); a year has no shorter one.
SEASON_LENGTH = {"day": 7, "week": 52, "month": 12, "quarter": 4, "year": None}
# Periods per year, for annualising (CAGR) and for "the same period last year".
PER_YEAR = {"day": 365, "week": 52, "month": 12, "quarter": 4, "year": 1}
_MONTHS = {"month": 1, "quarter": 3, "year": 12}
ADJECTIVE = {
    "day": "daily",
    "week": "weekly",
    "month": "monthly",
    "quarter": "quarterly",
    "year": "yearly",
}


class TrendInputError(UsageError):
    """A series cannot be analysed as given (gaps, duplicates, too short, unknown grain...)."""


@dataclass(frozen=True, eq=False)
class TrendSeries:
    """Values on a regular calendar index, one per bucket of `grain`.

    Attributes
    ----------
    values : pandas.Series
        float64, indexed by a `DatetimeIndex` of bucket starts (midnight, no zone), sorted,
        unique, one step of `grain` apart. NaN marks a bucket with no value.
    grain : {"day", "week", "month", "quarter", "year"}
    name : str
        A label for messages and outputs ("" for a one-series CSV).
    unit : str, optional
        The metric's unit (`MetricInfo.unit`: "usd", "count", "rate"...), None when unknown.
    metric, branch : str, optional
        Where it came from, when built by `from_metric` (branch None: every branch).
    """

    values: pd.Series
    grain: str
    name: str = ""
    unit: str | None = None
    metric: str | None = None
    branch: str | None = None

    def __post_init__(self) -> None:
        if self.grain not in GRAINS:
            raise TrendInputError(f"unknown grain {self.grain!r}: use one of {', '.join(GRAINS)}")
        values = pd.Series(self.values, dtype="float64", copy=True)
        values.index = pd.DatetimeIndex(values.index).normalize()
        if values.index.tz is not None:
            raise TrendInputError(f"{self._label()}dates carry a time zone: give local dates")
        check_regular(values.index, self.grain, self._label())
        values.name = self.name or None
        object.__setattr__(self, "values", values)

    def _label(self) -> str:
        return f"series {self.name!r}: " if self.name else ""

    def __len__(self) -> int:
        return len(self.values)

    @property
    def season_length(self) -> int | None:
        """Periods in one seasonal cycle: 7 days, 52 weeks, 12 months, 4 quarters; None."""
        return SEASON_LENGTH[self.grain]

    @property
    def is_count(self) -> bool:
        """Whole non-negative numbers (a count metric, or data that looks like one)."""
        if self.unit is not None:
            return self.unit == "count"
        v = self.values.dropna().to_numpy()
        return bool(len(v)) and bool(np.all(v >= 0)) and bool(np.all(v == np.round(v)))

    def next_dates(self, n: int) -> pd.DatetimeIndex:
        """The starts of the `n` buckets after the last one."""
        last = self.values.index[-1].date()
        out, day = [], last
        for _ in range(n):
            day = step(day, self.grain)
            out.append(day)
        return pd.DatetimeIndex(out)

    def with_values(self, values: pd.Series) -> TrendSeries:
        """The same series (grain, name, unit, origin) with other values, e.g. a slice."""
        return TrendSeries(values, self.grain, self.name, self.unit, self.metric, self.branch)

    @classmethod
    def from_pandas(
        cls, values: pd.Series, grain: str | None = None, name: str = "", unit: str | None = None
    ) -> TrendSeries:
        """A series from values indexed by dates; the grain is inferred unless given."""
        index = pd.DatetimeIndex(pd.to_datetime(values.index)).normalize()
        values = pd.Series(np.asarray(values, dtype="float64"), index=index)
        values = values.sort_index()
        label = f"series {name!r}: " if name else ""
        duplicated = values.index[values.index.duplicated()]
        if len(duplicated):
            raise TrendInputError(f"{label}date {duplicated[0].date()} appears twice")
        return cls(values, grain or infer_grain(values.index, label), name, unit)

    @classmethod
    def from_metric(
        cls,
        metric: str,
        *,
        start: date,
        end: date,
        grain: str = "day",
        branch: str | None = None,
        settings=None,
    ) -> TrendSeries:
        """One metric's whole buckets in [start, end), for every branch or one.

        Only buckets that lie wholly inside the period are kept (a partial week or month is
        never set beside whole ones). Money (Decimal) becomes float: trends are estimates.
        The grain is one the metric layer buckets by (day, week, month, year).
        """
        from pulsebi import metrics

        info = metrics.metric_info(metric)
        if info.snapshot:
            raise TrendInputError(f"{metric} is a snapshot of now: it has no history to analyse")
        if grain not in info.grains:
            raise TrendInputError(
                f"{metric} is not bucketed by {grain}: use one of {', '.join(info.grains)}"
            )
        frame = metrics.compute(
            metric, start=start, end=end, grain=grain, branch=branch, settings=settings
        )
        start, end = pd.Timestamp(start).date(), pd.Timestamp(end).date()
        whole = [i for i, p in enumerate(frame["period"]) if p >= start and step(p, grain) <= end]
        frame = frame.iloc[whole]
        values = pd.Series(
            pd.to_numeric(frame[info.columns[0]], errors="coerce").astype("float64").to_numpy(),
            index=pd.DatetimeIndex(pd.to_datetime(frame["period"])),
        )
        name = f"{info.label} · {branch}" if branch else info.label
        return cls(values, grain, name, info.unit, metric, branch)


def step(day: date, grain: str, n: int = 1) -> date:
    """The bucket start `n` steps of `grain` after `day` (a bucket start itself).

    Parameters
    ----------
    day : datetime.date
        A bucket's start; a month's last day steps to month ends (Jan 31 → Feb 29 → Mar 31).
    grain : {"day", "week", "month", "quarter", "year"}
    n : int, default 1
        Steps to take; negative steps go back.

    Returns
    -------
    datetime.date
    """
    if grain == "day":
        return day + timedelta(days=n)
    if grain == "week":
        return day + timedelta(weeks=n)
    months = day.year * 12 + day.month - 1 + n * _MONTHS[grain]
    return _month_day(months // 12, months % 12 + 1, day)


def _month_end(year: int, month: int) -> int:
    return (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day


def _month_day(year: int, month: int, like: date) -> date:
    """Day `like.day` of that month; its last day when `like` is the last day of its month."""
    last = _month_end(year, month)
    at_end = like.day == _month_end(like.year, like.month) and like.day > 1
    return date(year, month, last if at_end else min(like.day, last))


def check_regular(index: pd.DatetimeIndex, grain: str, label: str = "") -> None:
    """Raise TrendInputError naming the first date that breaks a regular `grain` spacing."""
    days = [ts.date() for ts in index]
    for before, after in pairwise(days):
        if after == before:
            raise TrendInputError(f"{label}date {after} appears twice")
        expected = step(before, grain)
        if after != expected:
            what = "missing" if after > expected else "out of step"
            raise TrendInputError(
                f"{label}irregular spacing: {after} follows {before} "
                f"({what}: a {ADJECTIVE[grain]} series expects {expected} next)"
            )


def infer_grain(index: pd.DatetimeIndex, label: str = "") -> str:
    """The grain whose regular spacing the dates follow (day, week, month, quarter, year)."""
    if len(index) < 2:
        raise TrendInputError(f"{label}one date is not enough to tell the grain: give --grain")
    first, second = index[0].date(), index[1].date()
    for grain in GRAINS:
        if step(first, grain) == second:
            check_regular(index, grain, label)
            return grain
    raise TrendInputError(
        f"{label}irregular spacing: {second} follows {first}, which is no day, week, month, "
        "quarter or year apart"
    )
