"""The chart spec, and the one function that turns it into the data points both renderers draw.

    ChartSpec("line", df, x="period", y="net_revenue", title="Revenue", units="usd")
    ChartSpec("stacked_bar", df, x="period", y="leads", series="source")   # pivot a column
    ChartSpec("hbar", ranking, x="rep_name", y="rep_revenue", units="usd")  # rankings, 1st on top
    ChartSpec("bar", trend, x="period", y="leads", period=(date_from, date_to), grain="month")

Any chart draws 0, 1 or N points: none is a "No data for this selection" note, one bucket of a
line is a bar (a lone dot says nothing). Date buckets read as "Jan 2026" / "Nov 30" (thinned,
never slanted). Given the page's `period` ([from, to), as the filters
have it) and `grain`, buckets the period cuts (a month it starts in the middle of, the month to
date) are marked partial: drawn lighter or dashed, with a note saying what they cover.

`chart_data(spec)` is shared by the bqplot and matplotlib renderers, so a live chart and its
static twin always show the same numbers.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulsebi.charts.formats import check_unit, date_format, format_label, is_missing
from pulsebi.errors import UsageError

KINDS = ("line", "bar", "stacked_bar", "grouped_bar", "area", "funnel", "hbar")
BAR_KINDS = ("bar", "stacked_bar", "grouped_bar", "funnel", "hbar")
GRAINS = ("day", "week", "month", "year")  # as the metric layer buckets periods
NO_SERIES = "(none)"
EXPORT_TYPES = {
    "line": "line",
    "area": "area",
    "bar": "bar",
    "stacked_bar": "bar",
    "grouped_bar": "bar",
    "hbar": "barh",
    "funnel": "barh",
}


@dataclass(frozen=True, eq=False)
class ChartSpec:
    """What to draw. `y` is one column or several (one series each); or one column plus `series`,
    a column whose values become the series (long data pivoted)."""

    kind: str
    data: Any  # pandas.DataFrame
    x: str
    y: str | Sequence[str]
    series: str | None = None
    title: str = ""
    units: str = "count"
    names: Mapping[str, str] = field(default_factory=dict)  # column/series → display name
    x_label: str = ""
    height: int = 320
    period: tuple[Any, Any] | None = None  # the page's [date_from, date_to): marks partial buckets
    grain: str | None = None  # the buckets' grain (day, week, month, year)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise UsageError(f"chart kind {self.kind!r} is unknown; use one of {', '.join(KINDS)}")
        check_unit(self.units)
        columns = list(getattr(self.data, "columns", []))
        if not hasattr(self.data, "columns"):
            raise UsageError(f"chart {self.title!r}: data must be a pandas DataFrame")
        wanted = [self.x, *self.y_columns] + ([self.series] if self.series else [])
        missing = [c for c in wanted if c not in columns]
        if missing:
            raise UsageError(
                f"chart {self.title!r}: column(s) {', '.join(map(repr, missing))} not in the data;"
                f" it has {', '.join(map(str, columns))}"
            )
        if self.series and len(self.y_columns) != 1:
            raise UsageError(
                f"chart {self.title!r}: with series={self.series!r} give exactly one y column"
            )
        if self.kind == "funnel" and (self.series or len(self.y_columns) != 1):
            raise UsageError(f"chart {self.title!r}: a funnel takes one y column and no series")
        if self.grain is not None and self.grain not in GRAINS:
            raise UsageError(
                f"chart {self.title!r}: grain {self.grain!r} is unknown; use one of"
                f" {', '.join(GRAINS)}"
            )
        if self.period is not None:
            start, end = (_as_date(v) for v in self.period)
            if not (isinstance(start, dt.date) and isinstance(end, dt.date) and start < end):
                raise UsageError(
                    f"chart {self.title!r}: period={self.period!r} must be two dates"
                    " (date_from, date_to), date_from first"
                )

    @property
    def y_columns(self) -> list[str]:
        return [self.y] if isinstance(self.y, str) else list(self.y)

    def to_export(self) -> dict[str, Any]:
        """The `chart` entry of an export payload (export.py), for the Excel writer: `type` in
        its vocabulary (bar, barh, line, area), `kind` ours; `series` set means long data."""
        return {
            "type": EXPORT_TYPES[self.kind],
            "kind": self.kind,
            "x": self.x,
            "y": self.y_columns,
            "series": self.series,
            "title": self.title,
            "units": self.units,
        }


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]  # None where there is no value


@dataclass(frozen=True)
class ChartData:
    """The points of a chart: `x` (dates, numbers or category labels) and one list per series;
    `labels` the text of each x, `partial` which buckets the period cuts, `note` what they
    cover ("" when none is)."""

    x: list[Any]
    x_kind: str  # "time", "number" or "category"
    series: list[Series]
    labels: list[str] = field(default_factory=list)
    partial: list[bool] = field(default_factory=list)
    note: str = ""
    date_format: str = "%b %-d"  # strftime of date labels (time axes, date categories)
    dated: bool = False  # x are date buckets (their labels are thinned, never slanted)

    @property
    def empty(self) -> bool:
        return not self.x

    @property
    def single(self) -> bool:
        """One bucket: a line of it would be a lone dot; it is drawn as a bar."""
        return len(self.x) == 1

    @property
    def any_partial(self) -> bool:
        return any(self.partial)

    def plotted(self, kind: str) -> list[list[float]]:
        """Values as drawn: bars draw a missing value as 0, lines leave a gap (NaN)."""
        fill = 0.0 if kind in BAR_KINDS or self.single else math.nan
        return [[fill if v is None else v for v in s.values] for s in self.series]


def chart_data(spec: ChartSpec) -> ChartData:
    """The data points of `spec`, in display order (see module docstring)."""
    df = spec.data
    if spec.series:
        x_values, series = _pivot(spec)
    else:
        x_values = list(df[spec.x])
        series = [
            Series(spec.names.get(col, pretty(col)), [_number(v, col) for v in df[col]])
            for col in spec.y_columns
        ]
    x_values = _as_dates(_iso_dates(x_values))
    x_kind = _x_kind(spec.kind, x_values)
    fmt = date_format(spec.grain, [v for v in x_values if _is_day(v)])
    if any(isinstance(v, dt.datetime) for v in x_values):
        fmt = "%b %-d %H:%M"  # moments, not days
    if x_kind != "category":
        # a time or number axis is drawn in order; rows without an x have no place on it
        x_values = [None if is_missing(v) else _plain(v) for v in x_values]
        keep = [i for i, v in enumerate(x_values) if v is not None]
        order = sorted(keep, key=lambda i: x_values[i])
        x_values = [x_values[i] for i in order]
        series = [Series(s.name, [s.values[i] for i in order]) for s in series]
    starts = [v if _is_day(v) else None for v in x_values]
    labels = [_label(v, fmt) for v in x_values]
    if x_kind == "category":
        x_values = labels
    partial = [_cut(d, spec.period, spec.grain) for d in starts]
    note = _partial_note(spec, starts, partial, labels)
    dated = bool(starts) and all(d is not None for d in starts)
    return ChartData(x_values, x_kind, series, labels, partial, note, fmt, dated)


def _as_dates(values: list[Any]) -> list[Any]:
    """Timestamps all at midnight (pandas gives dates as such) as dates; else all as they are."""
    dates = [_as_date(v) for v in values]
    mixed = any(_is_day(d) for d in dates) and any(isinstance(d, dt.datetime) for d in dates)
    return [_plain(v) if not is_missing(v) else v for v in values] if mixed else dates


def _as_date(value: Any) -> Any:
    """Midnight timestamps (pandas gives dates as such) as dates; anything else as is."""
    value = _plain(value) if not is_missing(value) else value
    if isinstance(value, dt.datetime) and value.time() == dt.time(0) and value.tzinfo is None:
        return value.date()
    return value


def _is_day(value: Any) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _label(value: Any, fmt: str) -> str:
    return value.strftime(fmt) if _is_day(value) else format_label(value)


def bucket_end(start: dt.date, grain: str) -> dt.date:
    """The first day after the `grain` bucket that starts on `start`."""
    if grain == "day":
        return start + dt.timedelta(days=1)
    if grain == "week":
        return start + dt.timedelta(days=7)
    if grain == "month":
        return dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return dt.date(start.year + 1, 1, 1)


def _cut(start: dt.date | None, period: tuple[Any, Any] | None, grain: str | None) -> bool:
    """The bucket starting on `start` is only partly inside `period` ([from, to))."""
    if start is None or period is None or grain is None:
        return False
    date_from, date_to = (_as_date(v) for v in period)
    return start < date_from or bucket_end(start, grain) > date_to


def _partial_note(
    spec: ChartSpec, starts: list[Any], partial: list[bool], labels: list[str]
) -> str:
    """'Partial month: Nov 2026 (Nov 27–30 only), Dec 2026 (Dec 1–2 only)'."""
    if not any(partial) or spec.period is None or spec.grain is None:
        return ""
    date_from, date_to = (_as_date(v) for v in spec.period)
    parts = []
    for start, cut, label in zip(starts, partial, labels, strict=True):
        if cut:
            first = max(start, date_from)
            last = min(bucket_end(start, spec.grain), date_to) - dt.timedelta(days=1)
            same_month = (first.year, first.month) == (last.year, last.month)
            span = f"{_day(first)}–{last.day if same_month else _day(last)}"
            span = _day(first) if first == last else span
            parts.append(f"{label} ({span} only)")
    return f"Partial {spec.grain}: {', '.join(parts)}"


def _day(day: dt.date) -> str:
    return day.strftime("%b %-d")


def partial_pieces(values: list[list[float]], partial: list[bool]) -> list[tuple[int, list[float]]]:
    """(series, row) pieces drawn dashed: from a partial first bucket to the first whole one,
    from the last whole bucket to a partial last one."""
    n = len(partial)
    whole = [i for i in range(n) if not partial[i]]
    if not any(partial):
        return []
    if not whole:
        pieces = [range(n)]
    else:
        pieces = [p for p in (range(whole[0] + 1), range(whole[-1], n)) if len(p) > 1]
    return [
        (s, [row[i] if i in piece else math.nan for i in range(n)])
        for piece in pieces
        for s, row in enumerate(values)
    ]


def _pivot(spec: ChartSpec) -> tuple[list[Any], list[Series]]:
    df, y = spec.data, spec.y_columns[0]
    x_order: dict[Any, int] = {}
    s_order: dict[Any, int] = {}
    cells: dict[tuple[Any, Any], float | None] = {}
    for xv, sv, yv in zip(df[spec.x], df[spec.series], df[y], strict=True):
        xk, sk = _key(xv), _key(sv)
        x_order.setdefault(xk, len(x_order))
        s_order.setdefault(sk, len(s_order))
        if (xk, sk) in cells:
            raise UsageError(
                f"chart {spec.title!r}: two rows for {spec.x}={xv!r}, {spec.series}={sv!r};"
                " aggregate the data first (one row per x and series)"
            )
        cells[(xk, sk)] = _number(yv, y)
    series = [
        Series(
            spec.names.get(str(sk), NO_SERIES if sk is None else str(sk)),
            [cells.get((xk, sk)) for xk in x_order],
        )
        for sk in s_order
    ]
    return list(x_order), series


def _key(value: Any) -> Any:
    return None if is_missing(value) else _plain(value)


def _iso_dates(values: list[Any]) -> list[Any]:
    """ISO date strings ('2026-01-05', as JSON gives periods) as dates; anything else as is."""
    present = [v for v in values if not is_missing(v)]
    if not present or not all(isinstance(v, str) and len(v) == 10 for v in present):
        return values
    try:
        return [None if is_missing(v) else dt.date.fromisoformat(v) for v in values]
    except ValueError:
        return values


def _plain(value: Any) -> Any:
    """pandas/numpy scalars as plain Python values."""
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()
    if hasattr(value, "item"):
        return value.item()
    return value


def _number(value: Any, column: str) -> float | None:
    if is_missing(value):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise UsageError(f"column {column!r} holds {value!r}, not a number") from None


def _x_kind(kind: str, values: list[Any]) -> str:
    if kind in BAR_KINDS:
        return "category"
    present = [_plain(v) for v in values if not is_missing(v)]
    if present and all(isinstance(v, dt.date) for v in present):
        return "time"
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return "number"
    return "category"


def pretty(column: str) -> str:
    text = column.replace("_", " ").strip()
    return text[:1].upper() + text[1:]
