"""The generator's clock: the days it covers, demand intensity, local times → UTC instants.

Days are integers (days since 1970-01-01, i.e. `datetime64[D]` as int); instants are int64
seconds since the epoch (UTC). Local wall-clock times are in the reporting zone.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

# Demand by month (Jan..Dec): home improvement peaks in spring and summer.
SEASON = np.array([0.55, 0.62, 0.9, 1.15, 1.32, 1.38, 1.3, 1.2, 1.05, 0.9, 0.72, 0.5])
# By weekday (Mon..Sun): busy early in the week, fewer on Sundays.
WEEKDAY = np.array([1.18, 1.12, 1.1, 1.05, 0.95, 0.72, 0.28])
GROWTH_PER_YEAR = 0.14


def rng_for(seed: int, part: str) -> np.random.Generator:
    """An independent, reproducible random stream for one part of the generator."""
    return np.random.default_rng([seed, zlib.crc32(part.encode())])


def day_number(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


@dataclass(frozen=True)
class Calendar:
    """History covers the local days [start, today); appointments may be scheduled after.

    With a `cutoff` (epoch seconds, on the day before `today`) history stops at that instant
    instead of at midnight: the last day's activity is drawn whole, and what would come after
    the cutoff is left out (`history_end`), so the data runs up to a moment of the day."""

    start: date
    today: date
    tz: str
    cutoff: int | None = None

    @property
    def first_day(self) -> int:
        return day_number(self.start)

    @property
    def end_day(self) -> int:
        return day_number(self.today)

    @property
    def n_days(self) -> int:
        return self.end_day - self.first_day

    def days(self) -> np.ndarray:
        return np.arange(self.first_day, self.end_day, dtype=np.int64)

    @property
    def history_end(self) -> int:
        """The instant history stops: the cutoff, else local midnight starting `today`."""
        if self.cutoff is not None:
            return self.cutoff
        return int(self.to_utc(np.array([self.end_day]), np.array([0]))[0])

    def to_utc(self, days: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        """Local (day, second of day) pairs → epoch seconds (DST gaps shift forward)."""
        naive = (np.asarray(days, np.int64) * 86400 + np.asarray(seconds, np.int64)).astype(
            "datetime64[s]"
        )
        if len(naive) == 0:
            return np.zeros(0, np.int64)
        local = pd.DatetimeIndex(naive).tz_localize(
            self.tz, ambiguous=np.zeros(len(naive), bool), nonexistent="shift_forward"
        )
        return (
            local.tz_convert("UTC")
            .tz_localize(None)
            .values.astype("datetime64[s]")
            .astype(np.int64)
        )

    def month_index(self, days: np.ndarray) -> np.ndarray:
        """Month (0 = January) of each day."""
        return np.asarray(days).astype("datetime64[D]").astype("datetime64[M]").astype(int) % 12

    def intensity(self, opened: np.ndarray) -> np.ndarray:
        """Relative demand per (branch, day): season × weekday × growth × open."""
        days = self.days()
        weekday = (days + 3) % 7  # 1970-01-01 was a Thursday
        years_in = (days - self.first_day) / 365.25
        base = SEASON[self.month_index(days)] * WEEKDAY[weekday]
        base = base * (1 + GROWTH_PER_YEAR) ** years_in
        is_open = days[None, :] >= np.asarray(opened, np.int64)[:, None]
        return base[None, :] * is_open


def to_timestamps(seconds: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """Epoch seconds → datetime64[s] (UTC, naive), NaT where not valid."""
    out = np.asarray(seconds, np.int64).astype("datetime64[s]")
    if valid is not None:
        out = np.where(valid, out, np.datetime64("NaT", "s"))
    return out


def to_dates(days: np.ndarray) -> np.ndarray:
    return np.asarray(days, np.int64).astype("datetime64[D]")
