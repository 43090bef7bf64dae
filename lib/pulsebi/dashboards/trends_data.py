"""What the Trends page shows, computed: its metrics, its default range, the series and every
trend method's results for one request, the slow ones cached in Redis by data version.

A request is a metric, a branch (None: all), a grain and a range [start, end). The series holds
the range's whole buckets only (`TrendSeries.from_metric`). The default range is three years of
buckets ending where today's begins, so the last point is the last complete day, week or month.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pulsebi.errors import UsageError
from pulsebi.trends.series import TrendInputError, TrendSeries

GRAINS = ("day", "week", "month")
DEFAULT_METRIC = "net_revenue"
YEARS = 3
SENSITIVITY = "medium"
_NOUNS = {"day": "day", "week": "week", "month": "month"}


def trend_metrics() -> dict[str, str]:
    """The metrics the page offers: those with a history (not snapshots), one value each.

    Returns
    -------
    dict
        Metric id → label, in catalog order.
    """
    from pulsebi import metrics

    return {
        m.id: m.label
        for m in metrics.catalog()
        if not m.snapshot and m.grains and len(m.columns) == 1 and not m.now_relative
    }


def check_metric(metric: str) -> Any:
    """The catalog entry of a metric the page can show.

    Parameters
    ----------
    metric
        A metric id.

    Returns
    -------
    pulsebi.metrics.MetricInfo

    Raises
    ------
    TrendInputError
        Unknown, a snapshot of now, or without a history by period; the message names the
        metrics to pick from.
    """
    from pulsebi import metrics

    offered = trend_metrics()
    if metric in offered:
        return metrics.metric_info(metric)
    some = ", ".join(offered)
    if metric not in {m.id for m in metrics.catalog()}:
        raise TrendInputError(f"metric {metric!r} is unknown: pick one in the Metric list ({some})")
    info = metrics.metric_info(metric)
    if info.snapshot:
        why = "is a snapshot of now: it has no history to analyse"
    elif len(info.columns) > 1:
        why = f"has several values ({', '.join(info.columns)}): it is no single series"
    else:
        why = "is not counted by day, week or month: it has no history to analyse"
    raise TrendInputError(f"{metric} {why}; pick one in the Metric list ({some})")


def bucket_start(day: dt.date, grain: str) -> dt.date:
    """The first day of the `grain` bucket holding `day` (weeks start on Monday).

    Parameters
    ----------
    day
        Any date.
    grain
        day, week or month.

    Returns
    -------
    datetime.date
    """
    if grain == "week":
        return day - dt.timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day


def default_range(grain: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """Three years of whole buckets, up to the start of today's (exclusive).

    Parameters
    ----------
    grain
        day, week or month.
    today
        The local date.

    Returns
    -------
    tuple of datetime.date
        [start, end): three calendar years of days (1,095 or 1,096), 156 weeks or 36
        months.
    """
    end = bucket_start(today, grain)
    if grain == "week":
        return end - dt.timedelta(weeks=52 * YEARS), end
    if grain == "month":
        return end.replace(year=end.year - YEARS), end  # the 1st of a month
    try:
        return end.replace(year=end.year - YEARS), end
    except ValueError:  # 29 February
        return end.replace(year=end.year - YEARS, day=28), end


@dataclass(frozen=True)
class TrendRequest:
    """One series the page analyses: metric, branch (None: all), grain, [start, end)."""

    metric: str
    branch: str | None
    grain: str
    start: dt.date
    end: dt.date

    def key(self) -> dict[str, Any]:
        """The request as cache arguments."""
        return {
            "metric": self.metric,
            "branch": self.branch,
            "grain": self.grain,
            "start": self.start,
            "end": self.end,
        }


def load_series(request: TrendRequest, today: dt.date) -> tuple[TrendRequest, TrendSeries, str]:
    """The request's whole buckets from the metric layer (cached there by data version).

    A cohort metric's last buckets still mature (`pulsebi.dashboards.figures.MATURING_DAYS`:
    a lead → sale rate rises for weeks): they are left out, and the note says so, so that a
    forecast does not start from them nor are they flagged as a collapse.

    Parameters
    ----------
    request
        What to load.
    today
        The local date (which buckets are still maturing).

    Returns
    -------
    tuple
        The request as loaded (its end moved before the maturing buckets), its series, and a
        note ("" or what was left out).

    Raises
    ------
    UsageError
        A metric the page cannot show (`check_metric`), a grain it lacks, a branch filter on a
        metric without branches, or a range without one whole bucket.
    """
    check_metric(request.metric)
    request, note = _matured(request, today)
    series = TrendSeries.from_metric(
        request.metric,
        start=request.start,
        end=request.end,
        grain=request.grain,
        branch=request.branch,
    )
    if not len(series):
        noun = _NOUNS[request.grain]
        raise TrendInputError(
            f"no whole {noun} lies between {request.start:%b %d, %Y} and the day before "
            f"{request.end:%b %d, %Y}: pick a longer range"
        )
    return request, series, note


def _matured(request: TrendRequest, today: dt.date) -> tuple[TrendRequest, str]:
    """The request without its trailing buckets whose cohort is still maturing."""
    from dataclasses import replace

    from pulsebi.dashboards.figures import MATURING_DAYS, is_maturing

    days = MATURING_DAYS.get(request.metric)
    if days is None:
        return request, ""
    end, dropped = request.end, 0
    while end > request.start:
        start = bucket_start(end - dt.timedelta(days=1), request.grain)
        if not is_maturing(request.metric, (start, end), today):
            break
        end, dropped = start, dropped + 1
    if not dropped:
        return request, ""
    noun = _NOUNS[request.grain] + ("s" if dropped > 1 else "")
    note = (
        f"The last {dropped} {noun} are left out: this cohort figure keeps rising for "
        f"{days} days after its last day (it counts later outcomes), so they are not final yet."
    )
    if dropped == 1:
        note = note.replace(f"last 1 {noun} are", f"last {noun} is").replace("they are", "it is")
    return replace(request, end=end), note


def check_grain(grain: str) -> str:
    """A grain the page offers.

    Parameters
    ----------
    grain
        The grain asked for.

    Returns
    -------
    str
        `grain`.

    Raises
    ------
    UsageError
        A grain the page does not offer; the message names those it does.
    """
    if grain not in GRAINS:
        raise UsageError(
            f"grain {grain!r} is not offered on this page; use one of day, week, month"
        )
    return grain
