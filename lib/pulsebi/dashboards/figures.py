"""Small readers over `pulsebi.metrics` for pages: one value, a value and its comparisons.

Comparisons follow the contract's Time ruling: a period that contains now (today, week,
month, quarter or year to date, or any range holding today) is compared "to date": it ends
today, and both it and the comparison stop at now's local clock time (rounded up to the
minute, `widgets.dates.to_date_until`): today until 09:46 against the same date last year
until 09:46. Last year's period ends on the date a year before today; on 29 February that is
28 February. A partial period is never compared with a whole one.

Cohort figures (`MATURING_DAYS`) are not compared while the cohort is still maturing.

A rate, median or mean over no rows has no value (the metric layer gives None): the figure
then says why, from what the metric is computed over (`EMPTY_NOTES`): "no appointments ran
yet", "no tickets resolved in this period".
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

# Why a figure has no value: what it is computed over (the catalog's definitions: a rate's
# denominator, a median's or mean's population) is empty. `{when}` becomes " yet" for a period
# that holds today, " in this period" for another, " now" for a snapshot. Sums and counts are
# 0 over no rows and need none; tests/features/dashboards checks every other metric has one.
EMPTY_NOTES: dict[str, str] = {
    "lead_to_appointment_rate": "no leads created{when}",
    "lead_to_sale_rate": "no leads created{when}",
    "closing_rate": "no appointments ran{when}",
    "marketing_roi": "no marketing spend{when}",
    # the pipeline is valued at a branch's trailing-90-day average sale and closing rate
    "pipeline_value": "not valued: no sale in the last 90 days",
    "weighted_pipeline": "not valued: no sale, or no appointment ran, in the last 90 days",
    "pipeline_due": "not valued: no sale in the last 90 days",
    "weighted_pipeline_due": "not valued: no sale, or no appointment ran, in the last 90 days",
    "job_completion_rate": "no jobs created{when} (canceled ones aside)",
    "days_outstanding": "no open jobs{when}",
    "resolution_hours": "no tickets resolved{when}",
    "csat": "no tickets resolved with a CSAT score{when}",
    "csat_top2_share": "no tickets resolved with a CSAT score{when}",
    "telemarketing_conversion": "no calls made{when}",
    "canvass_lead_rate": "no doors knocked{when}",
    "api_latency_p50": "no API requests{when}",
    "api_latency_p95": "no API requests{when}",
    "error_rate": "no API requests{when}",
    "system_health": "no health checks{when}",
}
EMPTY_NOTE = "no data{when}"  # a metric not in EMPTY_NOTES (a new one): still says something


def plain(value: Any) -> Any:
    """A metric's value as pages hold it.

    Parameters
    ----------
    value
        A cell of a metric's frame.

    Returns
    -------
    Any
        None for None, NaN and NA; the value otherwise (Decimal money stays exact).
    """
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
    """The metric over a period, for one branch or the company.

    Parameters
    ----------
    metric
        A metric id of the catalog.
    period
        [from, to) local dates.
    branch
        A branch code; None: the company.
    column
        The value column (default: the metric id).
    until
        Cuts the period's last day at that local clock time (None: whole days).

    Returns
    -------
    Any
        The value; None when the metric has none (a rate over no rows).

    Raises
    ------
    UsageError
        From `pulsebi.metrics.compute`: an unknown metric or branch, or a period it refuses.
    """
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
    empty: str = ""  # why `current` is None (`empty_note`); "" when it has a value

    def against(self, text: str = "vs last year") -> str:
        """A comparison's label, saying where to-date periods stop.

        Parameters
        ----------
        text
            The label for whole periods.

        Returns
        -------
        str
            `text`, or `text` and the clock time: "vs last year to 09:46".
        """
        return text if self.until is None else f"{text} to {self.until:%H:%M}"

    @property
    def note(self) -> str:
        """What a tile says under the figure: why it is empty, or that its cohort is still
        maturing (and so not compared); "" otherwise."""
        return self.empty or (MATURING_NOTE if self.maturing else "")


def is_maturing(metric: str, period: DateRange, today: dt.date) -> bool:
    """Whether a cohort figure is still maturing.

    Parameters
    ----------
    metric
        A metric id; only those in `MATURING_DAYS` are cohorts.
    period
        [from, to) local dates.
    today
        The local date it is.

    Returns
    -------
    bool
        True when the period's last day is younger than the metric's `MATURING_DAYS`.
    """
    days = MATURING_DAYS.get(metric)
    return days is not None and (today - (period[1] - dt.timedelta(days=1))).days < days


def maturing_note(metric: str, period: DateRange, now: dt.datetime | None = None) -> str:
    """What a tile says instead of its comparisons while its cohort matures.

    Parameters
    ----------
    metric
        A metric id.
    period
        [from, to) local dates; to date when it holds `now`'s local date.
    now
        The instant (default: this one).

    Returns
    -------
    str
        `MATURING_NOTE` for a cohort figure still maturing at `now`, else "".
    """
    today = local_today(now or dt.datetime.now(dt.UTC))
    if contains_today(*period, today):
        period = period_to_date(period[0], today)
    return MATURING_NOTE if is_maturing(metric, period, today) else ""


def empty_note(metric: str, period: DateRange | None = None, now: dt.datetime | None = None) -> str:
    """Why `metric` has no value over `period`: what it is computed over is empty.

    Parameters
    ----------
    metric
        A metric id of the catalog.
    period
        [from, to) local dates; None for a snapshot metric (relative to now).
    now
        The instant (default: this one); a period holding its local date is to date.

    Returns
    -------
    str
        E.g. "no appointments ran yet" (a period holding today), "no tickets resolved in this
        period", "no open jobs now" (a snapshot); from `EMPTY_NOTES`, else `EMPTY_NOTE`.
    """
    if period is None:
        when = " now"
    else:
        today = local_today(now or dt.datetime.now(dt.UTC))
        when = " yet" if contains_today(*period, today) else " in this period"
    return EMPTY_NOTES.get(metric, EMPTY_NOTE).format(when=when)


def snapshot(metric: str, branch: str | None = None, column: str | None = None) -> Compared:
    """A snapshot figure (relative to now: pipeline, jobs in progress), never compared.

    Parameters
    ----------
    metric
        A snapshot metric id of the catalog.
    branch
        A branch code; None: the company.
    column
        The value column (default: the metric id).

    Returns
    -------
    Compared
        Its value now, and why it has none (`empty_note`) when it has none.
    """
    today = local_today()
    current = value(metric, (today, today + dt.timedelta(days=1)), branch, column)
    return Compared(current, empty=empty_note(metric) if current is None else "")


def compare_to_date(
    metric: str,
    period: DateRange,
    branch: str | None = None,
    column: str | None = None,
    *,
    previous: bool = False,
    now: dt.datetime | None = None,
) -> Compared:
    """The figure over a period and its comparisons, to date when the period holds now.

    A period holding `now`'s local date ends today, and it and its comparisons stop at now's
    clock time (module docstring); a cohort still maturing is not compared.

    Parameters
    ----------
    metric
        A metric id of the catalog.
    period
        [from, to) local dates.
    branch
        A branch code; None: the company.
    column
        The value column (default: the metric id).
    previous
        Also compare with the period of the same length just before.
    now
        The instant (default: this one).

    Returns
    -------
    Compared
        The figure, last year's (and the previous period's), where they stop (`until`),
        whether it is maturing, and why it is empty when it is (`Compared.note`).

    Raises
    ------
    UsageError
        From `pulsebi.metrics.compute` (see `value`).
    """
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
    empty = empty_note(metric, shown, now) if current is None else ""
    if is_maturing(metric, shown, today):
        return Compared(current, until=until, maturing=True, empty=empty)
    return Compared(
        current,
        value(metric, last_year, branch, column, until),
        value(metric, before, branch, column, until) if previous else None,
        until,
        empty=empty,
    )


def value_to_date(
    metric: str,
    period: DateRange,
    branch: str | None = None,
    column: str | None = None,
    now: dt.datetime | None = None,
) -> Any:
    """The figure over `period` cut as `compare_to_date` cuts it, without its comparisons.

    Parameters
    ----------
    metric
        A metric id of the catalog.
    period
        [from, to) local dates.
    branch
        A branch code; None: the company.
    column
        The value column (default: the metric id).
    now
        The instant (default: this one).

    Returns
    -------
    Any
        The value (None: none); to date when `period` holds `now`'s local date: ending today
        at now's clock time, as the tiles it sits beside.
    """
    now = now or dt.datetime.now(dt.UTC)
    today = local_today(now)
    if contains_today(*period, today):
        return value(metric, period_to_date(period[0], today), branch, column, to_date_until(now))
    return value(metric, period, branch, column)
