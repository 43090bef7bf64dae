"""Excel workbook with xlsxwriter: a Summary sheet (summary_sheet.py), then one sheet per table
the notebook marked for export: headers as on the page, number formats by unit (exact values,
formatted cells), a frozen header, an autofilter, fitted columns and a native chart when the
table asks for one."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from pulsebi.charts.export import ExportTable
from pulsebi.charts.formats import format_value
from pulsebi.charts.spec import pretty
from pulsebi.reports.context import ReportContext
from pulsebi.reports.summary_sheet import (
    CHANGE_FORMAT,
    DATE_FORMAT,
    NUMBER_FORMATS,
    POINTS_FORMAT,
    SUMMARY_SHEET,
    write_summary,
)

FLOAT_FORMAT = "#,##0.00"  # a number without a unit: never 10 decimals
# the export format's chart types -> xlsxwriter's (Excel's "bar" is horizontal)
CHART_TYPES = {
    "bar": "column",
    "column": "column",
    "barh": "bar",
    "line": "line",
    "area": "area",
    "pie": "pie",
    "scatter": "scatter",
}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_names(tables: list[ExportTable], taken: list[str] | None = None) -> list[str]:
    """Excel-safe, unique sheet names (≤ 31 characters, no []:*?/\\), none of `taken`."""
    names: list[str] = list(taken or [])
    for table in tables:
        base = _BAD_SHEET_CHARS.sub("_", table.name).strip("'") or "Sheet"
        name, n = base[:31], 2
        while name.lower() in (x.lower() for x in names):
            suffix = f" ({n})"
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        names.append(name)
    return names[len(taken or []) :]


def write_workbook(
    tables: list[ExportTable],
    path: Path,
    *,
    context: ReportContext | None = None,
    tiles: list[dict[str, Any]] | None = None,
    headers: list[dict[str, str]] | None = None,
) -> Path:
    """The workbook: a Summary sheet first (title, period, branch, data as of, every tile) when
    `context` is given, then one sheet per table, its header as the page's (`headers`)."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    styles = Styles(workbook)
    taken = []
    if context is not None:
        write_summary(workbook, styles, context, tiles or [])
        taken.append(SUMMARY_SHEET)
    elif not tables:
        workbook.add_worksheet("Report").write(0, 0, "This report marked no tables for export.")
    headers = headers if headers and len(headers) == len(tables) else [{} for _ in tables]
    for table, name, labels in zip(tables, sheet_names(tables, taken), headers, strict=True):
        _write_table(workbook, styles, table, name, labels)
    workbook.close()
    return path


class Styles:
    """The workbook's cell formats: one per unit, the header's, dates."""

    def __init__(self, workbook: Any) -> None:
        self.header = workbook.add_format(
            {"bold": True, "bg_color": "#F3F4F6", "bottom": 1, "text_wrap": True, "valign": "top"}
        )
        self.units = {u: workbook.add_format({"num_format": f}) for u, f in NUMBER_FORMATS.items()}
        self.date = workbook.add_format({"num_format": DATE_FORMAT})
        self.number = workbook.add_format({"num_format": FLOAT_FORMAT})
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.key = workbook.add_format({"bold": True})
        self.change = workbook.add_format({"num_format": CHANGE_FORMAT})
        self.points = workbook.add_format({"num_format": POINTS_FORMAT})
        self.workbook = workbook

    def unit(self, unit: str | None, value: Any = None) -> Any:
        """The format of a value of `unit`; a fraction without one still shows 2 decimals."""
        if unit in self.units:
            return self.units[unit]
        return self.number if isinstance(value, float) else None


def _write_table(workbook, styles: Styles, table: ExportTable, name: str, labels) -> None:
    sheet = workbook.add_worksheet(name)
    columns = list(table.columns)
    shown = [labels.get(c) or pretty(str(c)) for c in columns]
    widths = [min(len(t), 24) for t in shown]
    for col, text in enumerate(shown):
        sheet.write_string(0, col, text, styles.header)
    unit_col = columns.index("unit") if "unit" in columns else None  # a scorecard: per row
    for row_no, row in enumerate(table.rows, start=1):
        row_unit = row[unit_col] if unit_col is not None else None
        for col, value in enumerate(row):
            unit = table.formats.get(columns[col])
            if unit is None and col != unit_col and isinstance(value, int | float):
                unit = row_unit if row_unit in NUMBER_FORMATS else None
            _write_cell(sheet, row_no, col, value, styles.unit(unit, value), styles.date)
            widths[col] = max(widths[col], _display_width(value, unit))
    for col, width in enumerate(widths):
        sheet.set_column(col, col, min(max(width + 2, 8), 60))
    sheet.freeze_panes(1, 0)
    if columns:
        sheet.autofilter(0, 0, max(len(table.rows), 1), len(columns) - 1)
    if table.chart and table.rows:
        _add_chart(workbook, sheet, name, table, len(columns) + 1)


def _write_cell(sheet, row: int, col: int, value: Any, fmt, date_format) -> None:
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, fmt)
    elif isinstance(value, str) and _ISO_DATE.match(value):
        try:
            sheet.write_datetime(row, col, dt.datetime.fromisoformat(value), date_format)
        except ValueError:
            sheet.write_string(row, col, value)
    else:
        sheet.write_string(row, col, str(value))


def _display_width(value: Any, unit: str | None) -> int:
    """About how many characters the cell shows (its column's width)."""
    if isinstance(value, bool) or value is None:
        return 5 if value is not None else 0
    if isinstance(value, int | float):
        return len(format_value(value, unit if unit in NUMBER_FORMATS else "score"))
    return len(str(value))


def _add_chart(workbook, sheet, sheet_name: str, table: ExportTable, at_col: int) -> None:
    spec = table.chart or {}
    kind = CHART_TYPES.get(str(spec.get("type", "bar")), "column")
    columns = list(table.columns)
    x = spec.get("x", columns[0])
    ys = spec.get("y") or [c for c in columns if c != x][:1]
    ys = [ys] if isinstance(ys, str) else ys
    if x not in columns or any(y not in columns for y in ys):
        return  # a chart over columns the table does not have: keep the data, skip the chart
    chart = workbook.add_chart({"type": kind})
    last = len(table.rows)
    x_col = columns.index(x)
    quoted = "'" + sheet_name.replace("'", "''") + "'"
    for y in ys:
        y_col = columns.index(y)
        chart.add_series(
            {
                "name": [sheet_name, 0, y_col],
                "categories": f"={quoted}!${_col(x_col)}$2:${_col(x_col)}${last + 1}",
                "values": f"={quoted}!${_col(y_col)}$2:${_col(y_col)}${last + 1}",
            }
        )
    chart.set_title({"name": spec.get("title") or table.name})
    if kind != "pie":
        unit = table.formats.get(ys[0])
        if unit in NUMBER_FORMATS and unit != "text":
            chart.set_y_axis({"num_format": NUMBER_FORMATS[unit]})
        chart.set_legend({"position": "bottom" if len(ys) > 1 else "none"})
    sheet.insert_chart(1, at_col, chart, {"x_scale": 1.4, "y_scale": 1.2})


def _col(index: int) -> str:
    from xlsxwriter.utility import xl_col_to_name

    return xl_col_to_name(index)


def write_xlsx(run: Any) -> Path:
    """Sink: `<file stem>.xlsx` in the run directory (named after the report, its parameters):
    the Summary sheet, then the tables."""
    from pulsebi.reports.headers import table_headers

    return write_workbook(
        run.tables,
        run.directory / f"{run.file_stem}.xlsx",
        context=run.context,
        tiles=run.tiles,
        headers=table_headers(run.raw_notebook),
    )
