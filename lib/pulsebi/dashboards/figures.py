"""Small readers over `pulsebi.metrics` for pages: one value, a value and its comparisons.

Comparisons follow the contract's Time ruling: a period that contains now (today, week,
month, quarter or year to date, or any range holding today) is compared "to date": it ends
today, and both it and the comparison stop at now's local clock time (rounded up to the
minute, `widgets.dates.to_date_until`): today until 09:46 against the same date last year
until 09:46. Last year's period ends on the date a year before today; on 29 February that is
28 February. A partial period is never compared with a whole one.

Cohort figures (`MATURING_DAYS`) are not compared while the cohort is still maturing.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from pulsebi import metrics
from pulsebi.widgets.dates import (
    contains_today,
    last_year_to_date,
    local_today,
    period_to_date,
    previous_period,
    previous_to_date,
    same_period_last_year,
    to_date_until,
)

DateRange = tuple[dt.date, dt.date]

# Cohort figures count the leads (jobs) created in the period with outcomes at any time later,
# so a recent cohort's value still rises for weeks; against a year-old, mature cohort it reads
# as a collapse (▼100 pp on a three-day-old cohort). A cohort is "still maturing", and gets no
# comparison, while the period's last day is younger than the days most outcomes take: the
# 90th percentile of the lag, measured on the demo data (`pulsebi seed --years 2`, seed 42):
# lead → first appointment 1.7 days (median 0.5), lead → sale 17.1 days (median 6.9), job
# created → completed 40.6 days (median 29.5); rounded up to whole days.
LEAD_TO_SALE_DAYS = 18
MATURING_DAYS: dict[str, int] = {
    "lead_to_appointment_rate": 2,
    "lead_to_sale_rate": LEAD_TO_SALE_DAYS,
    "lead_funnel": LEAD_TO_SALE_DAYS,  # its last stage is the sale
    "canvass_sales": LEAD_TO_SALE_DAYS,
    "canvass_revenue": LEAD_TO_SALE_DAYS,
    "job_completion_rate": 41,
}
MATURING_NOTE = "cohort still maturing"


def plain(value: Any) -> Any:
    """None for NaN/NA, the value otherwise (Decimal money stays exact)."""
    import pandas as pd

    if value is None or value is pd.NA:
        return None
    try:
        if math.isnan(value):
            return None
    except TypeError:
        pass
    return value


def value(
    metric: str,
    period: DateRange,
    branch: str | None = None,
    column: str | None = None,
    until: dt.time | None = None,
) -> Any:
    """The metric over `period` for one branch (code) or the company; `until` cuts the
    period's last day at that local clock time."""
    frame = metrics.compute(metric, start=period[0], end=period[1], branch=branch, until=until)
    if frame.empty:
        return None
    return plain(frame[column or metric].iloc[0])


@dataclass(frozen=True)
class Compared:
    """A figure and its comparisons (None: not compared)."""

    current: Any
    last_year: Any = None
    previous: Any = None  # the previous period, when asked for
    until: dt.time | None = None  # the clock time both periods stop at; None: whole days
    maturing: bool = False  # a cohort still maturing: no comparison

    def against(self, text: str = "vs last year") -> str:
        """A comparison's label, saying where to-date periods stop: "vs last year to 09:46"."""
        return text if self.until is None else f"{text} to {self.until:%H:%M}"

    @property
    def note(self) -> str:
        return MATURING_NOTE if self.maturing else ""


def is_maturing(metric: str, period: DateRange, today: dt.date) -> bool:
    """A cohort figure whose period's last day is younger than its `MATURING_DAYS`."""
    days = MATURING_DAYS.get(metric)
    return days is not None and (today - (period[1] - dt.timedelta(days=1))).days < days


def maturing_note(metric: str, period: DateRange, now: dt.datetime | None = None) -> str:
    """`MATURING_NOTE` for a cohort figure over `period` (to date if it holds today) that is
    still maturing at `now`, else "": what a tile says instead of its comparisons."""
    today = local_today(now or dt.datetime.now(dt.UTC))
    if contains_today(*period, today):
        period = period_to_date(period[0], today)
    return MATURING_NOTE if is_maturing(metric, period, today) else ""


def compare_to_date(
    metric: str,
    period: DateRange,
    branch: str | None = None,
    column: str | None = None,
    *,
    previous: bool = False,
    now: dt.datetime | None = None,
) -> Compared:
    """The figure over `period`, against the same period last year (and, with `previous`,
    the period of the same length just before), to date when `period` contains `now`."""
    now = now or dt.datetime.now(dt.UTC)
    today = local_today(now)
    until = None
    if contains_today(*period, today):
        until = to_date_until(now)
        shown = period_to_date(period[0], today)
        last_year, before = last_year_to_date(period[0], today), previous_to_date(period[0], today)
    else:
        shown, last_year, before = period, same_period_last_year(*period), previous_period(*period)
    current = value(metric, shown, branch, column, until)
    if is_maturing(metric, shown, today):
        return Compared(current, until=until, maturing=True)
    return Compared(
        current,
        value(metric, last_year, branch, column, until),
        value(metric, before, branch, column, until) if previous else None,
        until,
    )


def with_last_year(
    metric: str, period: DateRange, branch: str | None = None, column: str | None = None
) -> tuple[Any, Any]:
    """(value over `period`, value over the same period one year earlier), to date when the
    period contains now; the comparison is None for a cohort still maturing."""
    compared = compare_to_date(metric, period, branch, column)
    return compared.current, compared.last_year
