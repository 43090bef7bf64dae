"""Trend results as records (JSON-ready dicts) and as text: JSON, CSV or a rich table.

Pure functions, no click: the `pulsebi trends` command builds its whole output with these
before printing any of it. Records hold only JSON types: dates as ISO strings, NaN as None,
no NumPy scalars. Every record has a `series` key ("" for a one-series input).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime

import numpy as np
import pandas as pd

ANOMALY_COLUMNS = ("series", "date", "value", "expected", "lower", "upper", "score", "anomaly")
FORECAST_COLUMNS = (
    "series", "date", "forecast", "lower_80", "upper_80", "lower_95", "upper_95", "model",
)  # fmt: skip
SEASONALITY_COLUMNS = ("series", "period", "strength_trend", "strength_seasonal", "indices")
# CSV has no nesting: one row per index entry, the strengths repeated on each.
SEASONALITY_CSV_COLUMNS = (
    "series", "period", "strength_trend", "strength_seasonal", "index", "label", "value",
)  # fmt: skip
COLUMNS = {
    "anomalies": ANOMALY_COLUMNS,
    "forecast": FORECAST_COLUMNS,
    "seasonality": SEASONALITY_CSV_COLUMNS,
}


def plain(value: object) -> object:
    """A JSON value: None for NaN/NaT/None, ISO text for dates, Python for NumPy scalars."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)  # .item() of a nanosecond datetime64 is an int
    elif isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, datetime):  # pandas.Timestamp included
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _rows(frame, columns: Iterable[str]) -> list[dict[str, object]]:
    """The frame's rows as plain dicts, column by column (itertuples over 1,000 small frames
    cost more than the forecasts' output is worth)."""
    columns = list(columns)
    lists = []
    for c in columns:
        col = frame[c]
        if pd.api.types.is_datetime64_any_dtype(col.dtype):
            col = col.dt.strftime("%Y-%m-%d")  # NaT becomes NaN, then None
        lists.append([plain(v) for v in col.tolist()])
    return [dict(zip(columns, row, strict=True)) for row in zip(*lists, strict=True)]


def anomaly_records(key: str, results) -> list[dict[str, object]]:
    """One record per input point of an `AnomalyResults` (`ANOMALY_COLUMNS`)."""
    out = []
    for row in _rows(results.frame, ANOMALY_COLUMNS[1:]):
        row["anomaly"] = bool(row["anomaly"])
        out.append({"series": key, **row})
    return out


def forecast_records(key: str, results) -> list[dict[str, object]]:
    """One record per future period of a `ForecastResults` (`FORECAST_COLUMNS`)."""
    model = str(results.model)
    return [
        {"series": key, **row, "model": model}
        for row in _rows(results.frame, FORECAST_COLUMNS[1:-1])
    ]


def seasonality_record(key: str, results) -> dict[str, object]:
    """The strengths and seasonal indices ({name: {label: value}}) of `SeasonalityResults`."""
    return {
        "series": key,
        "period": plain(results.period),
        "strength_trend": plain(float(results.strength_trend)),
        "strength_seasonal": plain(float(results.strength_seasonal)),
        "indices": {
            str(name): {str(label): plain(float(v)) for label, v in index.items()}
            for name, index in results.indices.items()
        },
    }


def seasonality_rows(records: Iterable[Mapping[str, object]]) -> list[dict[str, object]]:
    """Seasonality records flattened: one row per index entry (one empty-index row for a series
    without a seasonal part, so its strengths still show)."""
    out = []
    for rec in records:
        head = {c: rec[c] for c in SEASONALITY_COLUMNS[:-1]}
        entries = [
            (name, label, v) for name, index in rec["indices"].items() for label, v in index.items()
        ]
        for name, label, v in entries or [(None, None, None)]:
            out.append({**head, "index": name, "label": label, "value": v})
    return out


def render_json(records: list[Mapping[str, object]]) -> str:
    """A JSON list, one object per line; NaN never appears (it is null)."""
    items = [json.dumps(dict(r), allow_nan=False, ensure_ascii=False) for r in records]
    return "[" + ",\n ".join(items) + "]\n"


def render_csv(records: list[Mapping[str, object]], columns: Iterable[str]) -> str:
    """CSV with a header; None as an empty cell, booleans as true/false."""
    columns = list(columns)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for rec in records:
        writer.writerow([_csv_cell(rec.get(c)) for c in columns])
    return out.getvalue()


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def render(kind: str, results: Mapping[str, object], fmt: str) -> str:
    """The whole output of one `pulsebi trends` subcommand.

    Parameters
    ----------
    kind : {"anomalies", "forecast", "seasonality"}
    results : mapping of str to a results object
        Series key -> its results, in output order.
    fmt : {"table", "json", "csv"}

    Returns
    -------
    str
        The text to print, ending in a newline.
    """
    if fmt == "table":
        return render_table(kind, results)
    records = build_records(kind, results)
    if fmt == "json":
        return render_json(records)
    if kind == "seasonality":
        records = seasonality_rows(records)
    return render_csv(records, COLUMNS[kind])


def build_records(kind: str, results: Mapping[str, object]) -> list[dict[str, object]]:
    """Every series' records, series after series."""
    if kind == "seasonality":
        return [seasonality_record(key, r) for key, r in results.items()]
    build = anomaly_records if kind == "anomalies" else forecast_records
    return [rec for key, r in results.items() for rec in build(key, r)]


# --- table ------------------------------------------------------------------------------------


def render_table(kind: str, results: Mapping[str, object]) -> str:
    """Readable aligned tables: anomalies lists only the points out
    of band, with their explanation, and a count per series; forecast every future period;
    seasonality the strengths, then every index entry."""
    named = any(results)  # a one-series file ("" key) needs no series column
    if kind == "anomalies":
        return _anomaly_table(results, named)
    if kind == "forecast":
        rows = build_records(kind, results)
        cells = [
            [r["date"], _num(r["forecast"]), _band(r["lower_80"], r["upper_80"]),
             _band(r["lower_95"], r["upper_95"]), r["model"]]
            for r in rows
        ]  # fmt: skip
        columns = ["date", "forecast", "80% interval", "95% interval", "model"]
        return _tables([_table(columns, cells, rows if named else None)])
    records = build_records(kind, results)
    strengths = [
        [str(r["period"] or "—"), _num(r["strength_trend"], 2), _num(r["strength_seasonal"], 2)]
        for r in records
    ]
    flat = [r for r in seasonality_rows(records) if r["index"] is not None]
    entries = [[r["index"], r["label"], _num(r["value"])] for r in flat]
    tables = [_table(["period", "trend strength", "seasonal strength"], strengths,
                     records if named else None)]  # fmt: skip
    if entries:
        tables.append(_table(["index", "label", "value"], entries, flat if named else None))
    return _tables(tables)


def _anomaly_table(results: Mapping[str, object], named: bool) -> str:
    cells, keys, notes = [], [], []
    for key, r in results.items():
        flagged = r.flagged
        for row in _rows(flagged, ("date", "value", "expected", "lower", "upper", "score")):
            explain = getattr(r, "explain", None)
            cells.append(
                [row["date"], _num(row["value"]), _num(row["expected"]),
                 _band(row["lower"], row["upper"]), _num(row["score"], 1, sign=True),
                 explain(row["date"]) if explain else ""]
            )  # fmt: skip
            keys.append({"series": key})
        label = f"series {key!r}" if key else "the series"
        notes.append(
            f"{label}: {len(flagged)} of {len(r.frame)} points out of band at "
            f"{r.sensitivity} sensitivity"
        )
    columns = ["date", "value", "expected", "band", "score", "explanation"]
    body = _tables([_table(columns, cells, keys if named else None)]) + "\n" if cells else ""
    return body + "\n".join(notes) + "\n"


def _table(columns: list[str], cells: list[list[object]], keys) -> tuple[list, list]:
    if keys is not None:
        columns = ["series", *columns]
        cells = [[k["series"], *c] for k, c in zip(keys, cells, strict=True)]
    return columns, [[str(c) for c in row] for row in cells]


def _tables(tables: list[tuple[list, list]]) -> str:
    """Aligned plain-text tables as `pulsebi kpi` prints them (text left, numbers right), one
    blank line apart: plain text stays fast on 1,000 series (rich took ~8 s for 12,000 rows)."""
    out = []
    for columns, rows in tables:
        widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]
        left = [c in _TEXT_COLUMNS for c in columns]
        head = zip(columns, widths, left, strict=True)
        lines = ["  ".join(_pad(c, w, lt) for c, w, lt in head).rstrip()]
        lines.append("  ".join("-" * w for w in widths))
        for row in rows:
            cells = zip(row, widths, left, strict=True)
            lines.append("  ".join(_pad(v, w, lt) for v, w, lt in cells).rstrip())
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)


_TEXT_COLUMNS = ("series", "date", "index", "label", "model", "explanation", "period")


def _pad(text: str, width: int, left: bool) -> str:
    return text.ljust(width) if left else text.rjust(width)


def _num(value: object, digits: int | None = None, sign: bool = False) -> str:
    """A number for reading: 2 decimals from 1 up, 4 significant digits below."""
    if value is None:
        return "—"
    v = float(value)
    if digits is not None:
        return f"{v:+.{digits}f}" if sign else f"{v:.{digits}f}"
    return f"{v:,.2f}" if abs(v) >= 1 or v == 0 else f"{v:.4g}"


def _band(lower: object, upper: object) -> str:
    return "—" if lower is None or upper is None else f"{_num(lower)} – {_num(upper)}"
