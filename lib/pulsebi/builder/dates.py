"""A report's date range: the dashboards' presets (`widgets.dates`), last 12 months, last
quarter, or custom [from, to); resolved to half-open local dates on a given day."""

from __future__ import annotations

import datetime as dt

from pulsebi.widgets import dates

PRESETS = {
    **{k: v for k, v in dates.PRESETS.items() if k != "custom"},
    "last_12_months": "Last 12 months",
    "last_quarter": "Last quarter",
    "custom": "Custom",
}


def months_before(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` before `day`'s month."""
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def resolve_range(
    preset: str,
    today: dt.date,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> tuple[dt.date, dt.date]:
    """[from, to) of a preset on local date `today`.

    ``last_12_months`` is this month to date and the 11 whole months before it (12 monthly
    buckets, the last one partial); ``last_quarter`` the last whole calendar quarter; the
    others are `pulsebi.widgets.dates.preset_range`'s.

    Parameters
    ----------
    preset : str
        One of `PRESETS`.
    today : datetime.date
        The local date the range is relative to.
    date_from : datetime.date, optional
        The custom range's first day (``preset="custom"``).
    date_to : datetime.date, optional
        The day after the custom range's last (``preset="custom"``).

    Returns
    -------
    tuple of datetime.date
        (from, to), `to` exclusive.

    Raises
    ------
    UsageError
        From `preset_range`: an unknown preset, or a custom range that is missing or empty.
    """
    tomorrow = today + dt.timedelta(days=1)
    if preset == "last_12_months":
        return months_before(today, 11), tomorrow
    if preset == "last_quarter":
        this_quarter = dates.quarter_start(today)
        return dates.quarter_start(this_quarter - dt.timedelta(days=1)), this_quarter
    return dates.preset_range(preset, today, date_from, date_to)
