"""A paged, sortable table that fits the page: live (anywidget, no CDN) or static HTML.

    columns = [Column("reason", "Reason", labels={"no_sale": "No sale"}),
               Column("sold_at", "Sold", "datetime"), Column("amount", "Amount", "usd"),
               Column("detail", "Detail", wrap=True)]
    table = PagedTable(frame, columns, page_size=25)   # live: prev/next, "1–25 of 329"
    paged_table_html(frame, columns, max_rows=200)     # static: the first 200 and the count

Rows sort on their values (money as numbers, times as instants, coded text by its label),
missing values last either way; clicking a header sorts by it, clicking it again reverses.
Python holds the rows and sends the browser one page of HTML at a time. A `wrap` column takes
the width the others leave and wraps; other text wraps only when the page is too narrow, numbers
never. A new sort shows its first page. Clicking a row selects it
(`selected`, `on_select`). Values are only formatted for display: `frame` is never changed.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import anywidget
import traitlets

from pulsebi.charts.formats import format_value, is_missing
from pulsebi.charts.style import FONT_STACK, INK, MUTED, RULE, ZEBRA
from pulsebi.errors import UsageError

TIME_UNITS = ("datetime", "date")
WIDE = 8  # columns beyond which a printed table turns its pages to landscape
# CSS paged media: e-mail clients drop the <style>, the PDF writer honours it
_WIDE_PAGE = (
    "<style>@page pbi-wide { size: A4 landscape; margin: 12mm; }"
    " .pbi-wide { page: pbi-wide; }</style>"
)
SELECTED = "#e8f0fe"
_CELL = f"padding:4px 6px;border-bottom:1px solid {RULE};vertical-align:top"


@dataclass(frozen=True)
class Column:
    """One shown column: the frame's column `key` under header `label`.

    `unit` is a format unit (charts.formats: usd, count, rate, text...) or `datetime`
    ("Nov 30, 2026 14:05", in the value's own time zone) or `date` ("Nov 30, 2026"); `labels`
    maps coded values to the words shown (and sorted by); `wrap` lets long text wrap."""

    key: str
    label: str
    unit: str = "text"
    labels: Mapping[Any, str] = field(default_factory=dict)
    wrap: bool = False

    def text(self, value: Any) -> str:
        if is_missing(value):
            return ""
        if self.labels:
            return self.labels.get(value, str(value))
        if self.unit == "datetime":
            return format_time(value)
        if self.unit == "date":
            return format_date(value)
        if self.unit == "text":
            return str(value)
        return format_value(value, self.unit)


def format_time(value: dt.datetime) -> str:
    """'Nov 30, 2026 14:05' in the value's own zone (give it one converted to the reporting
    zone)."""
    return f"{format_date(value)} {value:%H:%M}"


def format_date(value: dt.date) -> str:
    return f"{value:%b} {value.day}, {value.year}"


def range_label(start: int, stop: int, total: int) -> str:
    """'1–25 of 329' for rows start..stop-1 (0-based) of `total`."""
    if total == 0:
        return "0 of 0"
    return f"{start + 1:,}–{stop:,} of {total:,}"


def sort_order(frame: Any, column: Column | None, descending: bool = False) -> list[int]:
    """Row positions of `frame` in display order (missing values last, ties keep order)."""
    import pandas as pd

    if column is None or len(frame) == 0:
        return list(range(len(frame)))
    values = pd.Series(list(frame[column.key]), dtype=object)
    missing = values.map(is_missing)
    present = values[~missing]
    if column.labels:
        present = present.map(lambda v: column.labels.get(v, str(v)).casefold())
    elif column.unit == "text":
        present = present.map(lambda v: str(v).casefold())
    elif column.unit not in TIME_UNITS:
        present = present.map(float)
    ordered = present.sort_values(ascending=not descending, kind="stable")
    return [int(i) for i in ordered.index] + [int(i) for i in values.index[missing]]


def check_columns(frame: Any, columns: Sequence[Column]) -> list[Column]:
    unknown = [c.key for c in columns if c.key not in frame.columns]
    if unknown or not columns:
        raise UsageError(f"table column(s) {', '.join(unknown) or '(none)'} not in the frame")
    return list(columns)


def table_html(
    frame: Any,
    columns: Sequence[Column],
    positions: Sequence[int],
    *,
    sort_key: str = "",
    descending: bool = False,
    selected: int = -1,
    empty: str = "No rows.",
    compact: bool = False,
) -> str:
    """The rows at `positions` of `frame` as a self-contained table (inline styles: e-mail and
    PDF keep its look): as wide as the page with a `wrap` column, else as its content. Numbers
    keep to one line; text wraps at spaces only where the width runs short (a `wrap` column
    first; a date stays whole). Rows carry data-row (their position) and headers data-key, for
    the live widget. `compact` (print): smaller type and a narrower `wrap` column, so that
    many columns fit a sheet of paper."""
    if len(frame) == 0:
        return f'<p style="color:{MUTED};margin:6px 0">{html.escape(empty)}</p>'
    head = "".join(_header(c, sort_key, descending) for c in columns)
    width = "100%" if any(c.wrap for c in columns) else "auto"  # a wrap column fills the page
    rows = []
    for n, position in enumerate(positions):
        record = frame.iloc[position]
        background = SELECTED if position == selected else (ZEBRA if n % 2 else "")
        style = f' style="background:{background}"' if background else ""
        cells = "".join(_cell(c, record[c.key], compact) for c in columns)
        rows.append(f'<tr data-row="{position}"{style}>{cells}</tr>')
    return (
        f'<table class="pbi-paged-table" style="width:{width};border-collapse:collapse;'
        f'font-family:{FONT_STACK};font-size:13px;color:{INK};margin:6px 0">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def paged_table_html(
    frame: Any,
    columns: Sequence[Column],
    *,
    max_rows: int | None = None,
    noun: str = "rows",
    empty: str = "No rows.",
    title: str = "",
) -> str:
    """Static: the whole table, or its first `max_rows` rows saying how many there are.
    Compact type; a table of more than WIDE columns is printed on landscape pages."""
    columns = check_columns(frame, columns)
    total = len(frame)
    shown = total if max_rows is None else min(total, max_rows)
    heading = f"<h3>{html.escape(title)}</h3>" if title else ""
    table = heading + table_html(frame, columns, range(shown), empty=empty, compact=True)
    if shown < total:
        table += (
            f'<p style="color:{MUTED};margin:2px 0 8px">Showing {range_label(0, shown, total)} '
            f"{html.escape(noun)}; all {total:,} are in the Excel export.</p>"
        )
    if len(columns) > WIDE:  # PDF (WeasyPrint): a wide table gets landscape pages
        return f'{_WIDE_PAGE}<div class="pbi-wide">{table}</div>'
    return f"<div>{table}</div>"


def _header(column: Column, sort_key: str, descending: bool) -> str:
    align = "left" if column.unit in ("text", *TIME_UNITS) else "right"
    mark, aria = "", "none"
    if column.key == sort_key:
        mark, aria = (" ▼", "descending") if descending else (" ▲", "ascending")
    return (
        f'<th data-key="{html.escape(column.key)}" aria-sort="{aria}" title="Sort" '
        f'style="{_CELL};text-align:{align};color:{MUTED};font-weight:600;'
        f'border-bottom:2px solid {RULE}">{html.escape(column.label)}{mark}</th>'
    )


def _cell(column: Column, value: Any, compact: bool = False) -> str:
    text_like = column.unit in ("text", *TIME_UNITS)
    align = "left" if text_like else "right"
    if column.wrap:
        # a share of the width, not all it could take: the other columns keep one line first
        wrap = "white-space:normal;overflow-wrap:anywhere;width:30%;"
        wrap += f"min-width:{10 if compact else 16}em"
    elif text_like:  # wraps at spaces only when the page is too narrow for one line
        wrap = "white-space:normal"
    else:
        wrap = "white-space:nowrap"
    text = html.escape(column.text(value))
    if text and column.unit in TIME_UNITS and not column.labels:
        # a time may go to a second line, the date stays whole: "Jan 10, 2025" / "18:48"
        day, _, time = text.partition(", ")
        year, _, time = time.partition(" ")
        text = f"{day}, {year}".replace(" ", "&nbsp;") + (f" {time}" if time else "")
    return f'<td style="{_CELL};text-align:{align};{wrap}">{text}</td>'


_ESM = """
function render({ model, el }) {
  el.classList.add("pbi-paged");
  el.style.width = "100%";
  const body = document.createElement("div");
  body.style.overflowX = "auto";  // a last resort on narrow screens; wrap columns come first
  const bar = document.createElement("div");
  bar.className = "pbi-pager";
  bar.style.cssText = "display:flex;gap:10px;align-items:center;margin:4px 0;font-size:13px";
  const button = (text, title) => {
    const b = document.createElement("button");
    b.textContent = text;
    b.title = title;
    b.className = "pbi-pager-button";
    b.style.cssText = "padding:2px 10px;cursor:pointer";
    return b;
  };
  const prev = button("‹ Prev", "Previous page");
  const next = button("Next ›", "Next page");
  const label = document.createElement("span");
  label.className = "pbi-pager-label";
  bar.append(prev, label, next);
  el.append(body, bar);
  const activate = (node, action) => {  // a click, or Enter / Space from the keyboard
    node.style.cursor = "pointer";
    node.tabIndex = 0;
    node.addEventListener("click", action);
    node.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); action(); }
    });
  };
  const go = (step) => {
    const page = Math.min(Math.max(model.get("page") + step, 0), model.get("pages") - 1);
    if (page !== model.get("page")) { model.set("page", page); model.save_changes(); }
  };
  prev.addEventListener("click", () => go(-1));
  next.addEventListener("click", () => go(1));
  const draw = () => {
    body.innerHTML = model.get("html");
    label.textContent = model.get("label");
    prev.disabled = model.get("page") <= 0;
    next.disabled = model.get("page") >= model.get("pages") - 1;
    const paged = model.get("pages") > 1;
    prev.style.display = next.style.display = paged ? "" : "none";
    bar.style.display = model.get("label") === "0 of 0" ? "none" : "flex";
    for (const th of body.querySelectorAll("th[data-key]")) {
      activate(th, () => {
        const key = th.dataset.key;
        model.set("descending", key === model.get("sort_key") ? !model.get("descending") : false);
        model.set("sort_key", key);
        model.save_changes();
      });
    }
    if (model.get("selectable")) {
      for (const tr of body.querySelectorAll("tr[data-row]")) {
        activate(tr, () => {
          model.set("selected", Number(tr.dataset.row));
          model.save_changes();
        });
      }
    }
  };
  const dim = () => { el.style.opacity = model.get("loading") ? "0.45" : ""; };
  model.on("change:html", draw);
  model.on("change:label", draw);
  model.on("change:loading", dim);
  draw();
  dim();
}
export default { render };
"""


class PagedTable(anywidget.AnyWidget):
    """The live table: one page of `frame` at a time, sortable by clicking a header.

    `update(frame)` shows new rows (back to the first page, the sort kept, nothing selected);
    `selected_row()` is the clicked row of `frame` (a Series) or None."""

    _esm = _ESM
    html = traitlets.Unicode("").tag(sync=True)
    label = traitlets.Unicode("").tag(sync=True)
    page = traitlets.Int(0).tag(sync=True)
    pages = traitlets.Int(1).tag(sync=True)
    sort_key = traitlets.Unicode("").tag(sync=True)
    descending = traitlets.Bool(False).tag(sync=True)
    selected = traitlets.Int(-1).tag(sync=True)  # a row position in frame; -1: none
    selectable = traitlets.Bool(False).tag(sync=True)
    loading = traitlets.Bool(False).tag(sync=True)

    def __init__(
        self,
        frame: Any,
        columns: Sequence[Column],
        *,
        page_size: int = 25,
        sort_key: str = "",
        descending: bool = False,
        empty: str = "No rows.",
    ):
        if page_size < 1:
            raise UsageError(f"page_size must be at least 1, not {page_size}")
        super().__init__(sort_key=sort_key, descending=descending)
        self.columns = check_columns(frame, columns)
        self.page_size = page_size
        self.empty = empty
        self.frame = frame
        self._order: list[int] = []
        self.update(frame)
        self.observe(self._resort, names=["sort_key", "descending"])
        self.observe(self._draw, names=["page", "selected"])

    def update(self, frame: Any) -> None:
        """Show `frame` instead (its columns must include the table's)."""
        check_columns(frame, self.columns)
        self.frame = frame
        self._order = sort_order(frame, self._sort_column(), self.descending)
        self.pages = max(1, -(-len(frame) // self.page_size))
        with self.hold_trait_notifications():
            self.selected = -1
            self.page = 0
        self._draw()

    def on_select(self, callback: Callable[[Any], Any]) -> None:
        """Call `callback(row)` (a Series of `frame`) when a row is clicked."""
        self.selectable = True
        self.observe(lambda change: callback(self.selected_row()), names="selected")

    def selected_row(self) -> Any:
        return None if self.selected < 0 else self.frame.iloc[self.selected]

    def to_html(self) -> str:
        """The page as drawn now, as static HTML (a page's first paint, before widgets run)."""
        return f"<div>{self.html}</div>"

    def visible_rows(self) -> Any:
        """The rows of the current page, in display order (a slice of `frame`)."""
        start = self.page * self.page_size
        return self.frame.iloc[self._order[start : start + self.page_size]]

    def _sort_column(self) -> Column | None:
        column = next((c for c in self.columns if c.key == self.sort_key), None)
        if self.sort_key and column is None:
            raise UsageError(f"cannot sort by {self.sort_key!r}: not a column of the table")
        return column

    def _resort(self, _: Any = None) -> None:
        self._order = sort_order(self.frame, self._sort_column(), self.descending)
        if self.page:
            self.page = 0  # a new order starts at its top; observed: draws
        else:
            self._draw()

    def _draw(self, _: Any = None) -> None:
        if not 0 <= self.page < self.pages:
            self.page = min(max(self.page, 0), self.pages - 1)  # observed: draws again
            return
        start = self.page * self.page_size
        stop = min(start + self.page_size, len(self.frame))
        self.html = table_html(
            self.frame,
            self.columns,
            self._order[start:stop],
            sort_key=self.sort_key,
            descending=self.descending,
            selected=self.selected,
            empty=self.empty,
        )
        self.label = range_label(start, stop, len(self.frame))
