"""The early-warning strip: every branch × headline metric whose last complete day or week is out
of its expected band, worst first.

Each pair's last complete day (yesterday) is judged by `anomalies` on about three years of
days before it, and its last complete week (Monday to Sunday) on about three years of weeks.
The strip is computed ahead (after each views refresh: `pulsebi.tasks`; and in a preheated
kernel, which builds its page before the viewer asks) and cached in Redis under the data
version (`pulsebi.trends.cache`), so a page's first paint only reads it.

    from pulsebi.trends.strip import read_strip
    for warning in read_strip(settings):
        print(warning["text"])   # "Houston leads yesterday: 12, expected 31–44, lowest in 2 years"

A record: branch, branch_name, metric, label, grain ("day" or "week"), date (the bucket's
start), value, expected, lower, upper, score, direction ("high"/"low"), since (first date of the
run of out-of-band points, or None), text, url (the trends page for the pair, relative to the
served root: ``notebooks/trends.ipynb?metric=leads&branch=HOU&grain=day``).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from pulsebi.settings import Settings, get_settings
from pulsebi.trends.series import TrendInputError, TrendSeries, step

log = logging.getLogger(__name__)

HEADLINE_METRICS = (
    "net_revenue",
    "leads",
    "appointments_set",
    "closing_rate",
    "calls_made",
    "doors_knocked",
    "ticket_volume",
)
HISTORY_DAYS = 3 * 365 + 1  # about three years of history behind each judged day
HISTORY_WEEKS = 3 * 52
WHEN = {"day": "yesterday", "week": "last week"}
TRENDS_PAGE = "notebooks/trends.ipynb"
KIND = "strip"


def judged_periods(today: date) -> dict[str, tuple[date, date, date]]:
    """Per grain, (start, end exclusive, judged): the history read and the bucket judged.

    Parameters
    ----------
    today
        The local date; its day and its week are not complete yet.

    Returns
    -------
    dict
        "day": yesterday, after `HISTORY_DAYS` days; "week": the last whole Monday week
        before today's, after `HISTORY_WEEKS` weeks.
    """
    monday = today - timedelta(days=today.weekday())
    return {
        "day": (today - timedelta(days=HISTORY_DAYS), today, today - timedelta(days=1)),
        "week": (monday - timedelta(weeks=HISTORY_WEEKS), monday, monday - timedelta(weeks=1)),
    }


def compute_strip(
    settings: Settings | None = None,
    today: date | str | None = None,
    *,
    sensitivity: str = "medium",
    metrics: Sequence[str] = HEADLINE_METRICS,
) -> list[dict[str, Any]]:
    """Judge every branch × metric's last complete day and week; store the strip; return it.

    Parameters
    ----------
    settings
        Whose data and Redis (default: the process's).
    today
        The local date whose yesterday and last week are judged (a date or YYYY-MM-DD;
        default: today in the reporting time zone).
    sensitivity
        `anomalies`' setting: "low", "medium" or "high".
    metrics
        The metrics judged (default: the headline ones).

    Returns
    -------
    list of dict
        One record per pair and grain out of its band, the largest score first (see the
        module's docstring); empty when nothing is flagged. Stored in Redis under the data
        version read before computing, for `read_strip`.

    Raises
    ------
    TrendInputError
        `today` is not a date, or the sensitivity is unknown.
    """
    from pulsebi.trends.cache import data_version, store

    settings = settings or get_settings()
    day = _as_date(today) or datetime.now(settings.zone).date()
    version = data_version(settings)
    records = _judge_strip(settings, day, sensitivity, metrics)
    store(settings, KIND, _key_args(day, sensitivity, metrics), records, version)
    return records


def read_strip(
    settings: Settings | None = None,
    today: date | str | None = None,
    *,
    sensitivity: str = "medium",
    metrics: Sequence[str] = HEADLINE_METRICS,
) -> list[dict[str, Any]]:
    """The strip of the current data version: read from Redis, else computed (and stored).

    Parameters
    ----------
    settings
        Whose data and Redis (default: the process's).
    today
        The local date whose yesterday and last week are judged (default: today in the
        reporting time zone).
    sensitivity
        `anomalies`' setting: "low", "medium" or "high".
    metrics
        The metrics judged (default: the headline ones).

    Returns
    -------
    list of dict
        `compute_strip`'s records; computed by one reader after a refresh, the others
        waiting for it (`pulsebi.trends.cache.cached`).

    Raises
    ------
    TrendInputError
        `today` is not a date, or the sensitivity is unknown.
    """
    from pulsebi.trends.cache import cached

    settings = settings or get_settings()
    day = _as_date(today) or datetime.now(settings.zone).date()
    args = _key_args(day, sensitivity, metrics)
    return cached(settings, KIND, args, lambda: _judge_strip(settings, day, sensitivity, metrics))


def _judge_strip(
    settings: Settings, today: date, sensitivity: str, metrics: Sequence[str]
) -> list[dict[str, Any]]:
    """The strip's records computed now, the largest score first (the caller stores them)."""
    from pulsebi.trends.anomalies import SENSITIVITIES

    if sensitivity not in SENSITIVITIES:
        raise TrendInputError(
            f"unknown sensitivity {sensitivity!r}: use one of {', '.join(SENSITIVITIES)}"
        )
    records = [
        record
        for grain, (start, end, judged) in judged_periods(today).items()
        for metric in metrics
        for record in _judge_metric(metric, grain, start, end, judged, sensitivity, settings)
    ]
    records.sort(key=lambda r: -abs(r["score"] or 0.0))
    return records


def trends_url(metric: str, branch: str, grain: str) -> str:
    """The trends page for one pair, relative to the served root."""
    return f"{TRENDS_PAGE}?{urlencode({'metric': metric, 'branch': branch, 'grain': grain})}"


def branch_series(
    metric: str, start: date, end: date, grain: str, settings: Settings
) -> Iterator[tuple[str, str, TrendSeries]]:
    """(code, name, series) of every branch: the values `TrendSeries.from_metric` gives for each
    branch, from one query grouped by branch (five times fewer round trips)."""
    import pandas as pd

    from pulsebi import metrics as metric_layer

    info = metric_layer.metric_info(metric)
    frame = metric_layer.compute(
        metric, start=start, end=end, grain=grain, by=["branch"], settings=settings
    )
    whole = [p >= start and step(p, grain) <= end for p in frame["period"]]
    frame = frame.loc[pd.Series(whole, index=frame.index, dtype=bool)]  # whole buckets only
    for (code, name), rows in frame.groupby(["branch", "branch_name"], sort=True):
        values = pd.Series(
            pd.to_numeric(rows[info.columns[0]], errors="coerce").astype("float64").to_numpy(),
            index=pd.DatetimeIndex(pd.to_datetime(rows["period"])),
        ).sort_index()
        yield (
            code,
            name,
            TrendSeries(values, grain, f"{info.label} · {code}", info.unit, metric, code),
        )


def _judge_metric(
    metric: str, grain: str, start: date, end: date, judged: date, sensitivity: str, settings
) -> Iterator[dict[str, Any]]:
    from pulsebi import metrics as metric_layer

    label = _lower_first(metric_layer.metric_info(metric).label)
    for code, name, series in branch_series(metric, start, end, grain, settings):
        record = judge_last(series, judged, sensitivity)
        if record is not None:
            text = f"{name} {label} {WHEN[grain]}: {record.pop('explanation')}"
            yield {
                "branch": code,
                "branch_name": name,
                "metric": metric,
                "label": label,
                "grain": grain,
                **record,
                "text": text,
                "url": trends_url(metric, code, grain),
            }


def judge_last(series: TrendSeries, judged: date, sensitivity: str) -> dict[str, Any] | None:
    """The last point's judgement when it is `judged` and out of its band, else None.

    History before the series' first non-zero value (a branch not open yet, data not begun) is
    left out: a year of zeros would set the band. A series too short or too sparse for
    `anomalies` is not judged.
    """
    from pulsebi.trends.anomalies import anomalies

    series = _from_first_activity(series)
    if series is None or series.values.index[-1].date() != judged:
        return None
    try:
        results = anomalies(series, sensitivity=sensitivity)
    except TrendInputError as exc:  # too short (a branch opened lately): not judged yet
        log.debug("%s not judged: %s", series.name, exc)
        return None
    last = results.last  # plain values: dates as date, NaN and NaT as None
    if not last["anomaly"]:
        return None
    numbers = {k: _number(last[k]) for k in ("value", "expected", "lower", "upper", "score")}
    return {
        "date": last["date"],
        **numbers,
        "direction": last["direction"],
        "since": last["since"],
        "explanation": results.explain(last["date"]),
    }


def _from_first_activity(series: TrendSeries) -> TrendSeries | None:
    values = series.values
    active = values.notna() & (values != 0)
    if not active.any():
        return None
    return series.with_values(values.loc[active.idxmax() :])


def _key_args(day: date, sensitivity: str, metrics: Sequence[str]) -> dict[str, Any]:
    return {"today": day.isoformat(), "sensitivity": sensitivity, "metrics": list(metrics)}


def _as_date(value: date | str | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        raise TrendInputError(f"today must be a date, not a datetime ({value})")
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise TrendInputError(f"today {value!r} is no date: give YYYY-MM-DD") from None


def _number(value: Any) -> float | None:
    return float(value) if _finite(value) else None


def _finite(value: Any) -> bool:
    return value is not None and math.isfinite(float(value))


def _lower_first(label: str) -> str:
    """ "Net revenue" → "net revenue"; an acronym ("ROI") stays as it is."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label
