"""The workbook's first sheet, "Summary": what the report is (title, period, branch, data as of,
parameters) and its headline figures, every tile with its exact value in a formatted cell and
each comparison with its change."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pulsebi.reports.context import ReportContext

SUMMARY_SHEET = "Summary"
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
CHANGE_FORMAT = "+0.0%;-0.0%;0.0%"  # relative change (money, counts...)
POINTS_FORMAT = '+0.0" pp";-0.0" pp";0.0" pp"'  # a rate's change, in percentage points
TILE_HEADERS = ("Figure", "Value", "Compared with", "Comparison value", "Change", "Note")
TILE_WIDTHS = (34, 18, 30, 18, 10, 30)


def write_summary(workbook: Any, styles: Any, context: ReportContext, tiles: list[dict]) -> None:
    """Add the Summary sheet to `workbook` (xlsxwriter) with `styles` (excel.Styles)."""
    sheet = workbook.add_worksheet(SUMMARY_SHEET)
    for col, width in enumerate(TILE_WIDTHS):
        sheet.set_column(col, col, width)
    sheet.write_string(0, 0, context.title, styles.title)
    row = 2
    for label, value, fmt in _context_rows(context, styles, workbook):
        sheet.write_string(row, 0, label, styles.key)
        if isinstance(value, dt.datetime):
            sheet.write_datetime(row, 1, value, fmt)
        elif isinstance(value, dt.date):
            sheet.write_datetime(row, 1, dt.datetime.combine(value, dt.time()), fmt)
        else:
            sheet.write_string(row, 1, value)
        row += 1
    if not tiles:
        return
    row += 1
    for col, text in enumerate(TILE_HEADERS):
        sheet.write_string(row, col, text, styles.header)
    sheet.freeze_panes(row + 1, 0)
    for tile in tiles:
        for compared, other in _comparisons(tile) or [("", None)]:
            _write_tile_row(sheet, styles, row := row + 1, tile, compared, other)


def _context_rows(context: ReportContext, styles: Any, workbook: Any) -> list[tuple]:
    rows: list[tuple] = []
    if context.is_page:
        rows += [
            ("Period", context.period_text(), None),
            ("From", context.date_from, styles.date),
            ("Through", context.through, styles.date),
            ("Branch", _branch(context), None),
        ]
        filters = getattr(context, "filters_text", None)  # a saved report's, in words
        if filters is not None:
            rows.append(("Filters", filters or "No filters", None))
        if context.data_as_of is not None:
            local = context.data_as_of.astimezone(_zone())
            zone = local.strftime("%Z")
            fmt = workbook.add_format({"num_format": f'yyyy-mm-dd hh:mm "{zone}"'})
            rows.append(("Data as of", local.replace(tzinfo=None), fmt))
        else:
            rows.append(("Data as of", "not refreshed yet", None))
    shown = ", ".join(f"{k}={v}" for k, v in context.parameters.items())
    rows.append(("Parameters", shown or "(defaults)", None))
    return rows


def _branch(context: ReportContext) -> str:
    return f"{context.branch_name} ({context.branch})" if context.branch else "All branches"


def _zone() -> Any:
    from pulsebi.settings import get_settings

    return get_settings().zone


def _comparisons(tile: dict) -> list[tuple[str, Any]]:
    """The tile's comparisons: (what it is compared with, that value), as the tile shows them:
    none without a comparison value (a cohort still maturing says so in its note instead)."""
    found = []
    if tile.get("previous") is not None:
        found.append((str(tile.get("comparison") or ""), tile.get("previous")))
    for item in tile.get("also") or []:  # more comparisons, when the payload carries them
        found.append((str(item[0]), item[1]))
    return [c for c in found if c[0] or c[1] is not None]


def _write_tile_row(sheet, styles, row: int, tile: dict, compared: str, other: Any) -> None:
    unit, value = str(tile.get("unit") or "count"), tile.get("value")
    fmt = styles.unit(unit, value)
    sheet.write_string(row, 0, str(tile.get("label") or ""))
    _write_value(sheet, row, 1, value, fmt)
    sheet.write_string(row, 2, compared)
    _write_value(sheet, row, 3, other, fmt)
    change = _change(value, other, unit)
    if change is not None:
        sheet.write_number(row, 4, change, styles.points if unit == "rate" else styles.change)
    else:
        sheet.write_blank(row, 4, None)
    sheet.write_string(row, 5, str(tile.get("note") or ""))


def _write_value(sheet, row: int, col: int, value: Any, fmt: Any) -> None:
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        sheet.write_number(row, col, value, fmt)
    else:
        sheet.write_string(row, col, str(value))


def _change(value: Any, other: Any, unit: str) -> float | None:
    """A rate's change in percentage points; another unit's relative change (None: no base)."""
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (value, other))
    if not numbers:
        return None
    if unit == "rate":
        return (value - other) * 100
    return (value - other) / abs(other) if other else None
