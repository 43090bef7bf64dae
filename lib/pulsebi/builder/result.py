"""A report's figures (`run_spec` computes them once) and the tables they are shown as.

`frame` is tidy: the dimension keys and labels (``branch``, ``branch_name``), ``period`` when
a grain is asked, then one column per measure, as `pulsebi.metrics.compute` gives them
(money Decimal, rates float fractions, null over no rows). `table_frame()` and
`pivot_frame(measure)` are what a table and a pivot show, cell for cell, totals included: the
page blocks and, later, the exports read them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pulsebi.builder.fields import find_field
from pulsebi.builder.spec import ReportSpec
from pulsebi.charts.formats import is_missing
from pulsebi.metrics.dimensions import COLUMNS

TOTAL = "Total"
UNKNOWN = "(unknown)"  # the null group: rows whose id does not resolve
NAMED = {"branch": "branch_name", "rep": "rep_name", "source": "source_name"}
NAMED.update(telemarketer="telemarketer_name", canvasser="canvasser_name")


@dataclass(frozen=True)
class Figure:
    """A KPI tile's figure: its value, the comparison's (None: not compared) and its label,
    why it is empty or not compared (`note`), and the periods both cover."""

    measure: str
    value: Any
    previous: Any = None
    against: str = ""
    note: str = ""
    period: tuple[dt.date, dt.date] | None = None
    compared_with: tuple[dt.date, dt.date] | None = None
    until: dt.time | None = None


@dataclass(frozen=True, eq=False)
class ReportResult:
    """The figures of one report over [start, end) (see the module docstring)."""

    spec: ReportSpec
    start: dt.date
    end: dt.date
    by: tuple[str, ...]
    grain: str | None
    frame: Any
    totals: dict[str, Any] = field(default_factory=dict)
    row_totals: Any = None
    column_totals: Any = None
    figures: list[Figure] = field(default_factory=list)

    @property
    def units(self) -> dict[str, str]:
        """Each measure's unit (usd, count, rate...)."""
        return {v: _unit(v) for v in self.spec.values}

    @property
    def labels(self) -> dict[str, str]:
        """Display labels of the frame's columns and of the spec's fields."""
        found = {"period": grain_label(self.grain)} if self.grain else {}
        for dim in self.by:
            for column in COLUMNS[dim]:
                found[column] = label_of(dim) + (" name" if column != dim else "")
        for field_id in (*self.spec.values, self.spec.x, self.spec.series):
            if field_id:
                found[field_id] = label_of(field_id)
        return found

    def axis_labels(self, field_id: str, frame: Any = None) -> list[str]:
        """What each row of `frame` (default: `frame`) shows for the X or Series field: a
        member's name or key, a bucket's label; unique (a repeated name gets its key)."""
        frame = self.frame if frame is None else frame
        if find_field(field_id).kind == "time":  # type: ignore[union-attr]
            return [period_label(p, field_id) for p in frame["period"]]
        keys = [_key(k) for k in frame[field_id]]
        names = list(frame[NAMED[field_id]]) if field_id in NAMED else keys
        shown = [
            UNKNOWN if k is None else str(k if is_missing(n) else n)
            for k, n in zip(keys, names, strict=True)
        ]
        keys_of: dict[str, set[Any]] = {}
        for label, key in zip(shown, keys, strict=True):
            keys_of.setdefault(label, set()).add(key)
        return [
            f"{label} ({key})" if len(keys_of[label]) > 1 else label
            for label, key in zip(shown, keys, strict=True)
        ]

    def table_frame(self) -> Any:
        """What a table shows: X (Rows) and Series as row labels, the measures, then a totals
        row when it is grouped (each measure over all rows, from the metric layer)."""
        import pandas as pd

        columns: dict[str, list[Any]] = {}
        for field_id in (self.spec.x, self.spec.series):
            if field_id:
                columns[field_id] = self.axis_labels(field_id)
        for value in self.spec.values:
            columns[value] = list(self.frame[value])
        table = pd.DataFrame(columns, columns=list(columns))
        if self.totals:
            row = {c: "" for c in columns} | {v: self.totals[v] for v in self.spec.values}
            row[next(iter(columns))] = TOTAL
            table = pd.concat([table, pd.DataFrame([row])], ignore_index=True)
        return table

    def pivot_frame(self, measure: str) -> Any:
        """What a pivot of `measure` shows: a row per X member or bucket, a column per Series
        member, a Total column (row totals) and a Total row (column totals, grand total),
        every total computed by the metric layer."""
        import pandas as pd

        x, series = self.spec.x or "", self.spec.series or ""
        rows, cols = self.row_totals, self.column_totals
        names = _unique([label_of(x), *self.axis_labels(series, cols), TOTAL])
        cells = {(_row_key(self, x, r), _key(r[series])): r[measure] for r in _records(self.frame)}
        row_keys = [_row_key(self, x, r) for r in _records(rows)]
        data: dict[str, list[Any]] = {names[0]: [*self.axis_labels(x, rows), TOTAL]}
        for record, name in zip(_records(cols), names[1:-1], strict=True):
            key = _key(record[series])
            data[name] = [cells.get((r, key)) for r in row_keys] + [record[measure]]
        data[names[-1]] = [*rows[measure], self.totals.get(measure)]
        return pd.DataFrame(data, columns=list(data))


def _unit(measure: str) -> str:
    field_ = find_field(measure)
    return (field_.unit if field_ is not None else None) or "count"


def _records(frame: Any) -> list[dict[str, Any]]:
    return frame.to_dict("records")


def _key(value: Any) -> Any:
    if is_missing(value):
        return None
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime().date()
    return value.item() if hasattr(value, "item") else value


def _row_key(result: ReportResult, x: str, record: dict[str, Any]) -> Any:
    return _key(record["period"] if x == result.grain else record[x])


def _unique(names: list[str]) -> list[str]:
    seen: Counter[str] = Counter()
    out = []
    for name in names:
        seen[name] += 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def label_of(field_id: str) -> str:
    """A field's display label (its id when the catalog has none)."""
    field_ = find_field(field_id)
    return field_.label if field_ is not None else field_id


def grain_label(grain: str) -> str:
    return label_of(grain)


def period_label(value: Any, grain: str) -> str:
    """A bucket's label: 'Jan 2026', 'Q1 2026', '2026', or the ISO date of a day or a week's
    Monday."""
    day = _key(value)
    if day is None:
        return UNKNOWN
    if grain == "month":
        return day.strftime("%b %Y")
    if grain == "quarter":
        return f"Q{(day.month - 1) // 3 + 1} {day.year}"
    if grain == "year":
        return str(day.year)
    return day.isoformat()
