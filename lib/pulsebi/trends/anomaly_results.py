"""What `anomalies()` returns: the per-point frame, and one sentence on any point of it.

The sentence reads "12, expected 31–44, lowest in 2 years". Its record clause ("highest/lowest
in ...") looks back in the series for the latest earlier value at least as extreme; it is said
only when that lies a while back (`RECORD_GAP`); "since the series began" when nothing
earlier was.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pulsebi.trends.series import TrendInputError, TrendSeries

# A record is worth saying when the last value as extreme is at least this many buckets back.
RECORD_GAP = {"day": 28, "week": 8, "month": 6, "quarter": 4, "year": 2}


@dataclass(frozen=True, eq=False)
class AnomalyResults:
    """The judgment of every point of one series at one sensitivity.

    Attributes
    ----------
    series : TrendSeries
    sensitivity : str
    threshold : float
        The |score| beyond which a point is out of band.
    frame : pandas.DataFrame
        One row per point: date, value, expected, lower, upper (the band), score (signed,
        on the stabilised scale), anomaly (bool), direction ("high", "low"; missing when in
        band), since (first date of the current run of out-of-band points of one direction;
        NaT when in band). Points too early to judge have NaN lower, upper and score.
    """

    series: TrendSeries
    sensitivity: str
    threshold: float
    frame: pd.DataFrame

    @property
    def flagged(self) -> pd.DataFrame:
        """The rows out of band."""
        return self.frame[self.frame["anomaly"]].reset_index(drop=True)

    @property
    def last(self) -> dict:
        """The last point's row as plain Python values (dates as `date`, NaN and NaT as None)."""
        return row_dict(self.frame.iloc[-1])

    def row(self, day) -> dict:
        """The row of one date (a `date`, `Timestamp` or ISO string) as in `last`."""
        return row_dict(self.frame.iloc[self.position(day)])

    def position(self, day) -> int:
        """The index of one date in the frame; TrendInputError if the series lacks it."""
        ts = pd.Timestamp(day).normalize()
        hits = np.flatnonzero(self.frame["date"].to_numpy() == ts.to_datetime64())
        if not len(hits):
            first, last = self.frame["date"].iloc[[0, -1]].dt.date
            raise TrendInputError(
                f"{ts.date()} is not a date of the series (it has {self.series.grain}s "
                f"starting {first} to {last})"
            )
        return int(hits[0])

    def explain(self, day) -> str:
        """One sentence on one point, e.g. "12, expected 31–44, lowest in 2 years"."""
        return explain_point(self, self.position(day))


def row_dict(row: pd.Series) -> dict:
    out = {}
    for key, value in row.items():
        if isinstance(value, pd.Timestamp):
            value = value.date()
        elif value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
            value = None
        elif isinstance(value, np.bool_ | np.floating):
            value = value.item()
        out[key] = value
    return out


def explain_point(results, i: int) -> str:
    """The sentence for row `i` of an `AnomalyResults` frame."""
    row = results.frame.iloc[i]
    s = results.series
    unit, grain = s.unit or ("count" if s.is_count else None), s.grain
    when = format_day(row["date"])
    if math.isnan(row["value"]):
        if math.isnan(row["lower"]):
            return f"no value on {when}"
        return f"no value on {when} (expected {format_band(row, unit)})"
    value = format_value(row["value"], unit)
    if math.isnan(row["lower"]):
        started = np.nan_to_num(results.frame["value"].to_numpy()[: i + 1]) != 0
        if unit in ("count", "usd") and not started.any():
            return f"{value} on {when}: before the series' first value, not judged"
        return f"{value}: too little history before {when} to judge it"
    if not row["anomaly"]:
        return f"{value}, within the expected {format_band(row, unit)}"
    parts = [f"{value}, expected {format_band(row, unit)}"]
    record = record_phrase(results.frame, i, row["direction"], grain)
    if record:
        parts.append(record)
    sentence = ", ".join(parts)
    since = row["since"]
    if since < row["date"]:
        runs = int((results.frame["date"].iloc[: i + 1] >= since).sum())
        sentence += f"; out of band since {format_day(since)} ({runs} {grain}s)"
    return sentence


def record_phrase(frame: pd.DataFrame, i: int, direction: str, grain: str) -> str:
    """ "lowest in 2 years", "highest in 5 months", "highest since the series began..." or ""."""
    word = "highest" if direction == "high" else "lowest"
    values = frame["value"].to_numpy()[:i]
    dates = frame["date"].iloc[:i]
    value, day = frame["value"].iloc[i], frame["date"].iloc[i]
    known = ~np.isnan(values)
    if not known.any():
        return ""
    as_extreme = known & ((values >= value) if direction == "high" else (values <= value))
    if not as_extreme.any():
        return f"{word} since the series began {span(dates[known].iloc[0], day)} ago"
    back = int(i - np.flatnonzero(as_extreme)[-1])
    if back < RECORD_GAP[grain]:
        return ""
    return f"{word} in {span(dates.iloc[np.flatnonzero(as_extreme)[-1]], day)}"


def span(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """The time between two dates in words: "2 years", "5 months", "6 weeks", "a year"."""
    days = (end - start).days
    if days >= 365:
        n, what = days // 365, "year"
    elif days >= 61:
        n, what = round(days / 30.44), "month"
    elif days >= 14:
        n, what = days // 7, "week"
    else:
        n, what = days, "day"
    return f"a {what}" if n == 1 else f"{n} {what}s"


def format_band(row: pd.Series, unit: str | None) -> str:
    return f"{format_value(row['lower'], unit)}–{format_value(row['upper'], unit)}"


def format_value(v: float, unit: str | None) -> str:
    """A value the way a reader expects its unit: 12, $48,210, 38.5%, 3.2 hours."""
    if unit == "count":
        return f"{round(v):,}"
    if unit == "usd":
        return f"-${-v:,.0f}" if v < 0 else f"${v:,.0f}"
    if unit == "rate":
        return f"{100 * v:.1f}%"
    if abs(v) >= 1000:
        text = f"{v:,.0f}"
    elif abs(v) >= 10:
        text = f"{v:.1f}"
    else:
        text = f"{v:.3g}"
    return f"{text} {unit}" if unit in ("days", "hours", "ms") else text


def format_day(ts: pd.Timestamp) -> str:
    return f"{ts.day} {ts:%b %Y}"
