"""The trend methods' results as the Trends page shows them, cached in Redis by data version:
after a views refresh the first viewer of a series computes, everyone else reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from pulsebi.dashboards.trends_data import SENSITIVITY, TrendRequest
from pulsebi.trends.series import TrendSeries


def cached_view(kind: str, request: TrendRequest, extra: dict, compute: Callable[[], Any]) -> Any:
    """`compute()` (JSON-ready, or dates and pandas objects), cached by data version.

    Parameters
    ----------
    kind
        What is computed (part of the Redis key).
    request
        The series it is computed on.
    extra
        Any other argument it depends on (sensitivity, horizon).
    compute
        Computes it.

    Returns
    -------
    object
        Computed once per data version and arguments while the entry lives; with Redis
        unreachable or the views never refreshed, computed each time.
    """
    from pulsebi.settings import get_settings
    from pulsebi.trends.cache import cached

    return cached(get_settings(), f"page-{kind}", {**request.key(), **extra}, compute)


def anomaly_view(request: TrendRequest, series: TrendSeries) -> dict[str, Any]:
    """Every point judged (`pulsebi.trends.anomalies`), with each flagged point's sentence.

    Parameters
    ----------
    request
        The series' request (the cache key).
    series
        Its series.

    Returns
    -------
    dict
        ``frame`` (date, value, expected, lower, upper, score, anomaly, direction, since),
        ``explained`` ({ISO date: sentence} of the flagged points and the last one),
        ``threshold``.

    Raises
    ------
    TrendInputError
        A series too short to judge its first point.
    """
    from pulsebi.trends.anomalies import anomalies

    def compute() -> dict[str, Any]:
        # judged with the year before the range too: a point is judged from what came before
        # it, so without that year the range's first months had almost no past to go by
        res = anomalies(with_history(request, series), SENSITIVITY)
        frame = res.frame[res.frame["date"] >= series.values.index[0]].reset_index(drop=True)
        days = [*frame.loc[frame["anomaly"], "date"], frame["date"].iloc[-1]]
        explained = {d.date().isoformat(): res.explain(d) for d in days}
        return {"frame": frame, "explained": explained, "threshold": res.threshold}

    extra = {"sensitivity": SENSITIVITY, "history_days": HISTORY_DAYS}
    return cached_view("anomalies", request, extra, compute)


HISTORY_DAYS = 366  # how far before the range the anomaly detector looks back


def with_history(request: TrendRequest, series: TrendSeries) -> TrendSeries:
    """`series` preceded by the whole buckets of the year before it (as far as data go).

    Parameters
    ----------
    request
        The series' request (metric, grain, branch).
    series
        The range's series.

    Returns
    -------
    TrendSeries
        The longer series; `series` itself when the year before cannot be read.
    """
    import pandas as pd

    from pulsebi.errors import UsageError

    first = series.values.index[0].date()
    try:
        before = TrendSeries.from_metric(
            request.metric,
            start=first - dt.timedelta(days=HISTORY_DAYS),
            end=first,
            grain=request.grain,
            branch=request.branch,
        )
    except UsageError:
        return series
    if not len(before):
        return series
    try:
        return series.with_values(pd.concat([before.values, series.values]))
    except UsageError:  # not one regular series (cannot happen with whole buckets; be safe)
        return series


def seasonality_view(request: TrendRequest, series: TrendSeries) -> dict[str, Any]:
    """The STL decomposition (`pulsebi.trends.seasonality`) as the page shows it.

    Parameters
    ----------
    request
        The series' request (the cache key).
    series
        Its series.

    Returns
    -------
    dict
        ``frame`` (date, value, trend, seasonal, remainder), ``indices`` and ``relative``
        ({name: Series}), ``strength_trend``, ``strength_seasonal``, ``strengths``,
        ``describe``, ``note``.

    Raises
    ------
    TrendInputError
        A series too short for its cycle.
    """
    from pulsebi.trends.seasonality import seasonality

    def compute() -> dict[str, Any]:
        res = seasonality(series)
        frame = res.to_frame()[["value", "trend", "seasonal", "remainder"]].reset_index()
        return {
            "frame": frame,
            "indices": dict(res.indices),
            "relative": dict(res.relative_indices),
            "strength_trend": res.strength_trend,
            "strength_seasonal": res.strength_seasonal,
            "strengths": dict(res.strengths),
            "describe": res.describe(),
            "note": res.note,
        }

    return cached_view("seasonality", request, {}, compute)


def forecast_view(request: TrendRequest, series: TrendSeries, horizon: int) -> dict[str, Any]:
    """A forecast (`pulsebi.trends.forecast`) `horizon` buckets past the series' end.

    Parameters
    ----------
    request
        The series' request (the cache key).
    series
        Its series.
    horizon
        Buckets ahead.

    Returns
    -------
    dict
        ``model``, ``explain`` (how it was chosen), ``frame`` (date, forecast, lower_80,
        upper_80, lower_95, upper_95), ``candidates`` (model, criterion, value, chosen).

    Raises
    ------
    TrendInputError
        A series too short to forecast.
    """
    from pulsebi.trends.forecast import forecast

    def compute() -> dict[str, Any]:
        res = forecast(series, horizon)
        return {
            "model": res.model,
            "explain": res.explain(),
            "frame": res.to_frame(),
            "candidates": res.candidates,
        }

    return cached_view("forecast", request, {"horizon": horizon}, compute)


def forecast_ends(series: TrendSeries) -> tuple[dt.date, dt.date, dt.date]:
    """The first bucket forecast, and the ends of its quarter and of its year.

    Parameters
    ----------
    series
        The history.

    Returns
    -------
    tuple of datetime.date
        (first forecast bucket's start, last day of its quarter, 31 December of its year).
    """
    first = series.next_dates(1)[0].date()
    quarter_end_month = 3 * ((first.month - 1) // 3) + 3
    after = dt.date(first.year + quarter_end_month // 12, quarter_end_month % 12 + 1, 1)
    quarter_end = after - dt.timedelta(days=1)
    return first, quarter_end, dt.date(first.year, 12, 31)
