"""Excel workbook with xlsxwriter: one sheet per table the notebook marked for export, number
formats by unit, a frozen header, an autofilter, fitted columns and a native chart when the
table asks for one."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from pulsebi.charts.export import ExportTable

NUMBER_FORMATS = {
    "usd": "$#,##0.00",
    "count": "#,##0",
    "rate": "0.0%",
    "hours": "#,##0.0",
    "days": "#,##0.0",
    "ms": "#,##0",
    "score": "0.00",
    "text": "@",
}
DATE_FORMAT = "yyyy-mm-dd"
# the export format's chart types -> xlsxwriter's (Excel's "bar" is horizontal)
CHART_TYPES = {"bar": "column", "column": "column", "barh": "bar", "line": "line",
               "area": "area", "pie": "pie", "scatter": "scatter"}  # fmt: skip
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_names(tables: list[ExportTable]) -> list[str]:
    """Excel-safe, unique sheet names (≤ 31 characters, no []:*?/\\)."""
    names: list[str] = []
    for table in tables:
        base = _BAD_SHEET_CHARS.sub("_", table.name).strip("'") or "Sheet"
        name, n = base[:31], 2
        while name.lower() in (x.lower() for x in names):
            suffix = f" ({n})"
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        names.append(name)
    return names


def write_workbook(tables: list[ExportTable], path: Path) -> Path:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    header = workbook.add_format({"bold": True, "bg_color": "#F3F4F6", "bottom": 1})
    formats = {unit: workbook.add_format({"num_format": f}) for unit, f in NUMBER_FORMATS.items()}
    date_format = workbook.add_format({"num_format": DATE_FORMAT})
    if not tables:
        workbook.add_worksheet("Report").write(0, 0, "This report marked no tables for export.")
    for table, name in zip(tables, sheet_names(tables), strict=True):
        sheet = workbook.add_worksheet(name)
        widths = [len(str(c)) for c in table.columns]
        for col, column in enumerate(table.columns):
            sheet.write_string(0, col, str(column), header)
        for row_no, row in enumerate(table.rows, start=1):
            for col, value in enumerate(row):
                unit = table.formats.get(table.columns[col])
                _write_cell(sheet, row_no, col, value, formats.get(unit), date_format)
                widths[col] = max(widths[col], _display_width(value, unit))
        for col, width in enumerate(widths):
            sheet.set_column(col, col, min(max(width + 2, 8), 60))
        sheet.freeze_panes(1, 0)
        if table.columns:
            sheet.autofilter(0, 0, max(len(table.rows), 1), len(table.columns) - 1)
        if table.chart and table.rows:
            _add_chart(workbook, sheet, name, table, len(table.columns) + 1)
    workbook.close()
    return path


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
    if isinstance(value, float) and unit == "usd":
        return len(f"${value:,.2f}")
    if isinstance(value, float) and unit == "rate":
        return len(f"{value:.1%}")
    return len(str(value)) if value is not None else 0


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
        chart.add_series({
            "name": [sheet_name, 0, y_col],
            "categories": f"={quoted}!${_col(x_col)}$2:${_col(x_col)}${last + 1}",
            "values": f"={quoted}!${_col(y_col)}$2:${_col(y_col)}${last + 1}",
        })  # fmt: skip
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
    """Sink: `report.xlsx` in the run directory."""
    return write_workbook(run.tables, run.directory / "report.xlsx")
