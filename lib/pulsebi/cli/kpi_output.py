"""Rendering `pulsebi kpi` results: table (money rounded to the cent for display only), JSON
(numbers exactly as computed), CSV."""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import date
from decimal import Decimal

from pulsebi.metrics import MetricInfo
from pulsebi.metrics.dimensions import ID_COLUMNS


def _plain(value: object) -> object:
    """A Python value with pandas' missing markers turned into None."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, Decimal):
        return _plain(value.item())  # numpy scalars
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
    except ImportError:  # pragma: no cover
        pass
    return value


def records(frame) -> list[dict[str, object]]:
    return [
        {col: _plain(val) for col, val in zip(frame.columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def _json_value(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")  # exact, never rounded
    if isinstance(value, date):
        return json.dumps(value.isoformat())
    return json.dumps(value)


def to_json(rows: list[dict[str, object]]) -> str:
    items = [
        "{" + ", ".join(f"{json.dumps(k)}: {_json_value(v)}" for k, v in row.items()) + "}"
        for row in rows
    ]
    return "[" + ",\n ".join(items) + "]\n"


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _display(value: object, unit: str, column: str) -> str:
    if value is None:
        return "—"
    if column in ("rank", *ID_COLUMNS) or isinstance(value, (int, date)):
        return str(value)
    if unit == "usd" and isinstance(value, (Decimal, float)):
        return f"{Decimal(value).quantize(Decimal('0.01')):,}"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def render_frame(frame, info: MetricInfo, fmt: str) -> str:
    rows = records(frame)
    columns = list(frame.columns)
    if fmt == "json":
        return to_json(rows)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_csv_value(row[c]) for c in columns])
        return out.getvalue()
    cells = [[_display(row[c], info.unit, c) for c in columns] for row in rows]
    return _text_table(columns, cells)


def _text_table(columns: list[str], cells: list[list[str]]) -> str:
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for r in cells:
        lines.append("  ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)))
    return "\n".join(lines) + "\n"


def render_catalog(catalog: list[MetricInfo], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([m.to_dict() for m in catalog], indent=1) + "\n"
    columns = ["id", "unit", "dimensions", "grains", "label"]
    cells = [
        [
            m.id,
            m.unit,
            ",".join(m.dimensions) or "-",
            ",".join(m.grains) or ("now" if m.snapshot else "-"),
            m.label,
        ]
        for m in catalog
    ]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([*columns, "definition"])
        for m, row in zip(catalog, cells, strict=True):
            writer.writerow([*row, m.definition])
        return out.getvalue()
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(lines) + "\n"


def _grains(m: MetricInfo) -> str:
    return ",".join(m.grains) or ("now" if m.snapshot else "-")
