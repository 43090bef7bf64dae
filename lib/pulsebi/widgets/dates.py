"""Date-range presets as pure functions: half-open [from, to) ranges of local dates.

Weeks start on Monday; "today" is the date in the reporting zone (settings.tz), so the range
follows the company's calendar whatever the server's zone. `to` is exclusive: "today" is
[today, tomorrow). "Last N days" counts today: [today − (N−1), tomorrow).

Comparisons (the contract's Time ruling): a period that contains now is compared "to date":
it ends today, and it and its comparison stop at now's local clock time (`to_date_until`);
the comparison last year ends on the same date last year (29 February: on 28 February), the
previous period is the same number of days just before, its last day cut at the same time.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from pulsebi.errors import UsageError

PRESETS = {
    "today": "Today",
    "week_to_date": "Week to date",
    "month_to_date": "Month to date",
    "quarter_to_date": "Quarter to date",
    "year_to_date": "Year to date",
    "last_7_days": "Last 7 days",
    "last_30_days": "Last 30 days",
    "last_90_days": "Last 90 days",
    "last_month": "Last month",
    "last_year": "Last year",
    "custom": "Custom",
}
GRAINS = ("day", "week", "month", "quarter", "year")
DateRange = tuple[dt.date, dt.date]


def local_today(now: dt.datetime | None = None, tz: str | None = None) -> dt.date:
    """The date it is in the reporting zone at instant `now` (default: this instant)."""
    if tz is None:
        from pulsebi.settings import get_settings

        tz = get_settings().tz
    now = now or dt.datetime.now(dt.UTC)
    if now.tzinfo is None:
        raise UsageError("local_today() needs an aware datetime (with a time zone)")
    return now.astimezone(zoneinfo.ZoneInfo(tz)).date()


def preset_range(
    preset: str,
    today: dt.date,
    custom_from: dt.date | None = None,
    custom_to: dt.date | None = None,
) -> DateRange:
    """[from, to) of `preset` on local date `today`; `custom` uses the given from/to as they are."""
    tomorrow = today + dt.timedelta(days=1)
    if preset == "today":
        return today, tomorrow
    if preset == "week_to_date":
        return today - dt.timedelta(days=today.weekday()), tomorrow
    if preset == "month_to_date":
        return today.replace(day=1), tomorrow
    if preset == "quarter_to_date":
        return quarter_start(today), tomorrow
    if preset == "year_to_date":
        return dt.date(today.year, 1, 1), tomorrow
    if preset.startswith("last_") and preset.endswith("_days") and preset in PRESETS:
        days = int(preset.removeprefix("last_").removesuffix("_days"))
        return tomorrow - dt.timedelta(days=days), tomorrow
    if preset == "last_month":
        this_month = today.replace(day=1)
        return (this_month - dt.timedelta(days=1)).replace(day=1), this_month
    if preset == "last_year":
        return dt.date(today.year - 1, 1, 1), dt.date(today.year, 1, 1)
    if preset == "custom":
        return check_range(custom_from, custom_to)
    raise UsageError(f"date preset {preset!r} is unknown; use one of {', '.join(PRESETS)}")


def check_range(date_from: dt.date | None, date_to: dt.date | None) -> DateRange:
    if date_from is None or date_to is None:
        raise UsageError("a custom date range needs both from and to")
    if not date_from < date_to:
        raise UsageError(f"date range {date_from}..{date_to} is empty: from must be before to")
    return date_from, date_to


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def shift_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def shift_end_years(day: dt.date, years: int) -> dt.date:
    """An exclusive end `years` later: 29 February (ending on 28 February) becomes 1 March, so
    the shifted range still holds the 28th."""
    if day.month == 2 and day.day == 29:
        return dt.date(day.year + years, 3, 1)
    return shift_years(day, years)


def same_period_last_year(date_from: dt.date, date_to: dt.date) -> DateRange:
    """The comparison range one year earlier: [from − 1y, to − 1y)."""
    return shift_years(date_from, -1), shift_end_years(date_to, -1)


def contains_today(date_from: dt.date, date_to: dt.date, today: dt.date) -> bool:
    return date_from <= today < date_to


def to_date_until(now: dt.datetime, tz: str | None = None) -> dt.time | None:
    """The clock time a to-date comparison stops at: `now`'s local time rounded up to the
    whole minute, so the current period holds everything so far and the cache key lasts a
    minute; None (whole days) from 23:59 on."""
    if now.tzinfo is None:
        raise UsageError("to_date_until() needs an aware datetime (with a time zone)")
    if tz is None:
        from pulsebi.settings import get_settings

        tz = get_settings().tz
    local = now.astimezone(zoneinfo.ZoneInfo(tz))
    minutes = local.hour * 60 + local.minute + (1 if (local.second or local.microsecond) else 0)
    if minutes >= 24 * 60:
        return None
    return dt.time(minutes // 60, minutes % 60)


def period_to_date(date_from: dt.date, today: dt.date) -> DateRange:
    """A period that contains today, ending today: [from, today + 1)."""
    return date_from, today + dt.timedelta(days=1)


def last_year_to_date(date_from: dt.date, today: dt.date) -> DateRange:
    """[from − 1y, today − 1y + 1): the same dates last year, ending on the date a year before
    today (29 February: 28 February, so the range ends on a whole, single date)."""
    return shift_years(date_from, -1), shift_years(today, -1) + dt.timedelta(days=1)


def previous_to_date(date_from: dt.date, today: dt.date) -> DateRange:
    """The same number of days just before [from, today + 1): its last day is from − 1."""
    return previous_period(*period_to_date(date_from, today))


def previous_period(date_from: dt.date, date_to: dt.date) -> DateRange:
    """The range of the same length just before: [from − n, from)."""
    return date_from - (date_to - date_from), date_from


@dataclass(frozen=True)
class Filters:
    """What a filter bar selects (also importable without ipywidgets, from here)."""

    date_from: dt.date
    date_to: dt.date  # exclusive
    branch: str | None = None  # a branch code, None for all
    grain: str = "day"
    preset: str = "custom"

    @property
    def last_year(self) -> DateRange:
        return same_period_last_year(self.date_from, self.date_to)

    @property
    def previous(self) -> DateRange:
        return previous_period(self.date_from, self.date_to)
