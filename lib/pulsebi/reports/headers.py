"""Column headers as the page shows them ("Net revenue", "Rep"), for the workbook's sheets.

A marked table's export payload names its columns as the data does (`net_revenue`); the same
output's HTML shows the page's header row. Both are read back from the executed notebook.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from pulsebi.charts.export import TABLE_MIMETYPE
from pulsebi.charts.spec import pretty

# A scorecard's payload (pulsebi.widgets.scorecard): one row per metric, its unit in a column.
SCORECARD_COLUMNS = ("label", "unit", "value")
SCORECARD_LABELS = {"label": "Metric", "metric": "Metric id", "unit": "Unit", "value": "Value"}


class _HeaderRow(HTMLParser):
    """The texts of the first table's header cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: list[str] = []
        self._in_th = False
        self._done = False

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "th" and not self._done:
            self._in_th = True
            self.cells.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "th":
            self._in_th = False
        elif tag in ("thead", "tr") and self.cells:
            self._done = True

    def handle_data(self, data: str) -> None:
        if self._in_th:
            self.cells[-1] += data


def header_cells(markup: str) -> list[str]:
    parser = _HeaderRow()
    parser.feed(markup)
    return [" ".join(c.split()) for c in parser.cells]


def table_headers(notebook: dict[str, Any]) -> list[dict[str, str]]:
    """For each marked table, in order: column -> its header as the page shows it."""
    found = []
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            payload = data.get(TABLE_MIMETYPE)
            if payload is None:
                continue
            markup = data.get("text/html", "")
            markup = "".join(markup) if isinstance(markup, list) else str(markup)
            found.append(column_labels(list(payload["columns"]), header_cells(markup)))
    return found


def column_labels(columns: list[str], shown: list[str]) -> dict[str, str]:
    """Each column's header: the page's, cell for cell when the page shows every column; a
    scorecard's comparisons by their page header ("vs last year" -> "Last year"); else the
    column's name made readable (net_revenue -> Net revenue)."""
    labels = {c: pretty(c) for c in columns}
    if len(shown) == len(columns):
        return {c: s or labels[c] for c, s in zip(columns, shown, strict=True)}
    if set(SCORECARD_COLUMNS) <= set(columns):
        labels.update({c: t for c, t in SCORECARD_LABELS.items() if c in columns})
        others = [c for c in columns if c not in SCORECARD_LABELS]
        compared = shown[2:]  # the page: Metric, Value, then one header per comparison
        if len(compared) == len(others):
            for column, text in zip(others, compared, strict=True):
                labels[column] = pretty(text.removeprefix("vs "))
    return labels
