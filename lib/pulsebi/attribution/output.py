"""Attribution rows as text: JSON (numbers as computed), CSV, or an aligned table (money to
the cent, conversions to 2 decimals: display only). Pure functions, no click."""

from __future__ import annotations

import csv
import io
import json

from pulsebi.attribution.results import AttributionResult

FORMATS = ("table", "json", "csv")


def render(result: AttributionResult, fmt: str) -> str:
    """The whole output of `pulsebi attribution` for one result.

    Parameters
    ----------
    result : AttributionResult
        What to print.
    fmt : {"table", "json", "csv"}
        The format.

    Returns
    -------
    str
        The text, ending in a newline.
    """
    records = result.to_records()
    columns = list(result.columns)
    if fmt == "json":
        items = [json.dumps(r, allow_nan=False, ensure_ascii=False) for r in records]
        return "[" + ",\n ".join(items) + "]\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for r in records:
            writer.writerow(["" if r[c] is None else r[c] for c in columns])
        return out.getvalue()
    return _table(result, records, columns)


def _cell(column: str, value: object) -> str:
    if value is None:
        return "—"
    if column == "revenue":
        return f"{value:,.2f}"
    if column == "conversions":
        return f"{value:,.2f}"
    return str(value)


def _table(result: AttributionResult, records: list[dict], columns: list[str]) -> str:
    cells = [[_cell(c, r[c]) for c in columns] for r in records]
    total = ["total", *([""] if result.by == "source" else [])]
    cells.append([*total, f"{result.total_conversions:,.2f}", f"{result.total_revenue:,.2f}"])
    widths = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
    text = [c in ("source_name", "channel") for c in columns]
    pad = [(str.ljust if t else str.rjust) for t in text]
    lines = ["  ".join(p(c, w) for p, c, w in zip(pad, columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(p(v, w) for p, v, w in zip(pad, row, widths, strict=True)).rstrip())
    branch = f", branch {result.branch}" if result.branch else ""
    lines.append(
        f"model {result.model}, {result.start} to {result.end} (exclusive){branch}: "
        f"{result.total_conversions:,} conversions"
    )
    return "\n".join(lines) + "\n"
