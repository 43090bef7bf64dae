"""Year over year: each bucket against the same bucket a year before.

Calendar-aligned: the same date last year for days (29 Feb is compared with 28 Feb of the year
before, so every day has a base; last year's 29 Feb is then the base of no day), 52 weeks before
for weeks, 12 months, 4 quarters, 1 year. Daily data is also weekday-aligned: 364 days before,
a Monday against a Monday, which is the fair comparison for anything that follows the working
week.

`change` is value − last year (for a rate: the change in points, 0.03 = 3 pp); `change_pct`
the relative change as a fraction (0.12 = +12%, over |last year|, as `pulsebi.charts` shows
changes); both NaN when last year is missing, and `change_pct` when it is 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from pulsebi.trends.series import PER_YEAR, TrendInputError, TrendSeries, step

COLUMNS = ("date", "value", "last_year", "change", "change_pct")
WEEKDAY_LAG = timedelta(days=364)  # 52 weeks: the same weekday a year before


def last_year_date(day: date, grain: str) -> date:
    """The calendar-aligned bucket a year before `day` (29 Feb → 28 Feb)."""
    if grain == "day":
        try:
            return day.replace(year=day.year - 1)
        except ValueError:  # 29 February
            return day.replace(year=day.year - 1, day=28)
    return step(day, grain, -PER_YEAR[grain])


@dataclass(frozen=True, eq=False)
class YoYResults:
    """A series set against itself a year before.

    Attributes
    ----------
    series : TrendSeries
    calendar : pandas.DataFrame
        One row per bucket: date, value, last_year (the calendar-aligned bucket's value),
        change, change_pct.
    weekday : pandas.DataFrame or None
        Daily data only: the same columns with last_year 364 days before.
    note : str
        Empty, or why no bucket has a base (a series shorter than a year).
    """

    series: TrendSeries
    calendar: pd.DataFrame
    weekday: pd.DataFrame | None
    note: str = ""

    def to_frame(self) -> pd.DataFrame:
        """The calendar frame; for daily data with the weekday-aligned columns beside it
        (last_year_weekday, change_weekday, change_pct_weekday)."""
        frame = self.calendar.copy()
        if self.weekday is not None:
            for name in ("last_year", "change", "change_pct"):
                frame[f"{name}_weekday"] = self.weekday[name].to_numpy()
        return frame

    def last(self, aligned: str = "calendar") -> dict:
        """The last bucket's row ("calendar" or "weekday"), NaN as None."""
        frame = self.calendar if aligned == "calendar" else self.weekday
        if frame is None:
            grain = self.series.grain
            raise TrendInputError(f"a {grain} series has no weekday alignment: use 'calendar'")
        row = frame.iloc[-1].to_dict()
        return {k: None if isinstance(v, float) and np.isnan(v) else v for k, v in row.items()}


def yoy(s: TrendSeries) -> YoYResults:
    """Each bucket of `s` against the same bucket a year before.

    Parameters
    ----------
    s : TrendSeries
        Any grain. A bucket whose year-before bucket is outside the series, or NaN, gets NaN
        changes (the row stays).

    Returns
    -------
    YoYResults
    """
    dates = s.values.index
    calendar = [pd.Timestamp(last_year_date(d.date(), s.grain)) for d in dates]
    weekday = _compare(s, pd.DatetimeIndex(dates - WEEKDAY_LAG)) if s.grain == "day" else None
    frame = _compare(s, pd.DatetimeIndex(calendar))
    note = ""
    if frame["last_year"].isna().all():
        note = "No bucket has its year-before bucket in the series: give a range of over a year."
    return YoYResults(s, frame, weekday, note)


def _compare(s: TrendSeries, bases: pd.DatetimeIndex) -> pd.DataFrame:
    value = s.values.to_numpy()
    last_year = s.values.reindex(bases).to_numpy()
    change = value - last_year
    with np.errstate(divide="ignore", invalid="ignore"):
        change_pct = np.where(last_year != 0, change / np.abs(last_year), np.nan)
    return pd.DataFrame(
        {
            "date": s.values.index,
            "value": value,
            "last_year": last_year,
            "change": change,
            "change_pct": change_pct,
        },
        columns=list(COLUMNS),
    )
