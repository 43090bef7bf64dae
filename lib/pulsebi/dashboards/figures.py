"""Small readers over `pulsebi.metrics` for pages: one value, a value and its comparison."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from pulsebi import metrics
from pulsebi.widgets.dates import same_period_last_year

DateRange = tuple[dt.date, dt.date]


def plain(value: Any) -> Any:
    """None for NaN/NA, the value otherwise (Decimal money stays exact)."""
    if value is None:
        return None
    try:
        if math.isnan(value):
            return None
    except TypeError:
        pass
    return value


def value(
    metric: str, period: DateRange, branch: str | None = None, column: str | None = None
) -> Any:
    """The metric over `period` for one branch (code) or the company."""
    frame = metrics.compute(metric, start=period[0], end=period[1], branch=branch)
    if frame.empty:
        return None
    return plain(frame[column or metric].iloc[0])


def with_last_year(
    metric: str, period: DateRange, branch: str | None = None, column: str | None = None
) -> tuple[Any, Any]:
    """(value over `period`, value over the same period one year earlier)."""
    return value(metric, period, branch, column), value(
        metric, same_period_last_year(*period), branch, column
    )
