"""Tables: formatted HTML (static) or a sortable widget (live), optionally marked for export.

`show_table(df, "Revenue by branch", {"net_revenue": "usd"})` displays the table; with
`export=True` the same output also carries the `TABLE_MIMETYPE` payload (export.py) that the
Excel and e-mail writers read back from the executed notebook.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from pulsebi.charts.export import TABLE_MIMETYPE, ExportTable
from pulsebi.charts.formats import check_unit, format_value, is_missing
from pulsebi.charts.mode import resolve_static
from pulsebi.charts.spec import ChartSpec
from pulsebi.charts.style import FONT_STACK, INK, MUTED, RULE, ZEBRA
from pulsebi.errors import UsageError

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_CELL = "padding:4px 10px;border-bottom:1px solid " + RULE
_TABLE_ESM = """
function sortRows(table, index, th) {
  const body = table.tBodies[0];
  const asc = th.dataset.order !== "asc";
  for (const h of table.tHead.rows[0].cells) { delete h.dataset.order; }
  th.dataset.order = asc ? "asc" : "desc";
  const key = (row) => {
    const cell = row.cells[index];
    return cell.dataset.sort !== undefined ? Number(cell.dataset.sort) : cell.textContent;
  };
  const rows = Array.from(body.rows);
  rows.sort((a, b) => {
    const x = key(a), y = key(b);
    return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
  });
  rows.forEach((row, i) => {
    row.style.background = i % 2 ? "%ZEBRA%" : "";
    body.appendChild(row);
  });
}
function render({ model, el }) {
  const draw = () => {
    el.innerHTML = model.get("html");
    const table = el.querySelector("table");
    if (!table || !table.tHead) return;
    Array.from(table.tHead.rows[0].cells).forEach((th, i) => {
      th.style.cursor = "pointer";
      th.title = "Sort";
      th.addEventListener("click", () => sortRows(table, i, th));
    });
  };
  const dim = () => { el.style.opacity = model.get("loading") ? "0.45" : ""; };
  model.on("change:html", draw);
  model.on("change:loading", dim);
  draw();
  dim();
}
export default { render };
""".replace("%ZEBRA%", ZEBRA)


def column_formats(df: Any, formats: Mapping[str, str] | None) -> dict[str, str]:
    """Every column's unit: the given ones, numbers as counts, the rest as text."""
    import pandas as pd

    formats = dict(formats or {})
    unknown = [c for c in formats if c not in df.columns]
    if unknown:
        raise UsageError(f"formats name column(s) {', '.join(map(repr, unknown))} not in the table")
    for unit in formats.values():
        check_unit(unit)
    result = {}
    for column in df.columns:
        dtype = df[column].dtype
        numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
        result[str(column)] = formats.get(column, "count" if numeric else "text")
    return result


def table_html(
    df: Any,
    formats: Mapping[str, str] | None = None,
    *,
    labels: Mapping[str, str] | None = None,
    caption: str = "",
    max_rows: int | None = None,
) -> str:
    """The table as self-contained HTML: inline styles, numbers right-aligned, zebra rows."""
    units = column_formats(df, formats)
    labels = labels or {}
    head = "".join(
        f'<th style="{_CELL};text-align:{_align(units[str(c)])};color:{MUTED};'
        f'font-weight:600;border-bottom:2px solid {RULE}">'
        f"{html.escape(labels.get(c, _pretty(str(c))))}</th>"
        for c in df.columns
    )
    rows = []
    shown = df if max_rows is None else df.head(max_rows)
    for i, record in enumerate(shown.itertuples(index=False, name=None)):
        zebra = f' style="background:{ZEBRA}"' if i % 2 else ""
        cells = "".join(
            _cell(value, units[str(c)]) for c, value in zip(df.columns, record, strict=True)
        )
        rows.append(f"<tr{zebra}>{cells}</tr>")
    more = ""
    if max_rows is not None and len(df) > max_rows:
        more = (
            f'<tr><td colspan="{len(df.columns)}" style="{_CELL};color:{MUTED}">'
            f"… {len(df) - max_rows:,} more rows</td></tr>"
        )
    cap = (
        f'<caption style="text-align:left;font-weight:bold;padding:4px 0;color:{INK}">'
        f"{html.escape(caption)}</caption>"
        if caption
        else ""
    )
    return (
        f'<table class="pbi-table" style="border-collapse:collapse;font-family:{FONT_STACK};'
        f'font-size:13px;color:{INK};margin:6px 0">{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}{more}</tbody></table>"
    )


def table_view(df: Any, formats: Mapping[str, str] | None = None, **kwargs: Any) -> Any:
    """A live table widget: the same HTML, sortable by clicking a header (anywidget, no CDN)."""
    return _table_widget_class()(html=table_html(df, formats, **kwargs))


def show_table(
    df: Any,
    name: str,
    formats: Mapping[str, str] | None = None,
    export: bool = True,
    chart: ChartSpec | Mapping[str, Any] | None = None,
    *,
    labels: Mapping[str, str] | None = None,
    max_rows: int | None = None,
    static: bool | None = None,
) -> None:
    """Display `df` as table `name` (its sheet name when exported) in the current mode."""
    from IPython.display import display

    bundle = table_bundle(
        df, name, formats, export, chart, labels=labels, max_rows=max_rows, static=static
    )
    display(bundle, raw=True)


def table_bundle(
    df: Any,
    name: str,
    formats: Mapping[str, str] | None = None,
    export: bool = True,
    chart: ChartSpec | Mapping[str, Any] | None = None,
    *,
    labels: Mapping[str, str] | None = None,
    max_rows: int | None = None,
    static: bool | None = None,
    caption: str | None = None,
) -> dict[str, Any]:
    """The display data `show_table` emits: HTML, the live widget's view, the export payload.
    `caption` is the title shown above it (default `name`, which is also the sheet's name and
    so at most 31 characters)."""
    check_table_name(name)
    caption = name if caption is None else caption
    units = column_formats(df, formats)
    bundle: dict[str, Any] = {
        "text/plain": f"<table {name!r}: {len(df)} rows>",
        "text/html": table_html(df, formats, labels=labels, caption=caption, max_rows=max_rows),
    }
    if not resolve_static(static):
        widget = table_view(df, formats, labels=labels, caption=caption, max_rows=max_rows)
        bundle.update(widget_view(widget))
    if export:
        bundle[TABLE_MIMETYPE] = export_payload(df, name, units, chart)
    return bundle


def export_payload(
    df: Any, name: str, formats: Mapping[str, str], chart: ChartSpec | Mapping[str, Any] | None
) -> dict[str, Any]:
    """The export.py payload of a table (all rows, unformatted values)."""
    chart_dict = chart.to_export() if isinstance(chart, ChartSpec) else chart
    table = ExportTable(
        name=name,
        columns=[str(c) for c in df.columns],
        rows=[list(r) for r in df.itertuples(index=False, name=None)],
        formats={c: u for c, u in formats.items() if u != "text"},
        chart=dict(chart_dict) if chart_dict is not None else None,
    )
    return table.to_payload()


def widget_view(widget: Any) -> dict[str, Any]:
    """A widget's display data (anywidget returns (data, metadata), ipywidgets just data)."""
    bundle = widget._repr_mimebundle_()
    return dict(bundle[0] if isinstance(bundle, tuple) else bundle)


def check_table_name(name: str) -> str:
    """Table names become Excel sheet names: 1–31 characters, none of []:*?/\\."""
    if not isinstance(name, str) or not name.strip() or len(name) > 31 or _SHEET_BAD.search(name):
        raise UsageError(
            f"table name {name!r} cannot be a sheet name; use 1–31 characters without []:*?/\\"
        )
    return name


def _cell(value: Any, unit: str) -> str:
    align = _align(unit)
    text = html.escape(format_value(value, unit))
    sort = ""
    if unit != "text":  # the live table sorts numbers by value, missing ones first
        sort = f' data-sort="{"-Infinity" if is_missing(value) else repr(float(value))}"'
    return f'<td style="{_CELL};text-align:{align}"{sort}>{text}</td>'


def _align(unit: str) -> str:
    return "left" if unit == "text" else "right"


def _pretty(column: str) -> str:
    text = column.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


_widget_class: Any = None


def _table_widget_class() -> Any:
    global _widget_class
    if _widget_class is None:
        import anywidget
        import traitlets

        class SortableTable(anywidget.AnyWidget):
            _esm = _TABLE_ESM
            html = traitlets.Unicode("").tag(sync=True)
            loading = traitlets.Bool(False).tag(sync=True)  # dimmed while new data comes

        _widget_class = SortableTable
    return _widget_class
