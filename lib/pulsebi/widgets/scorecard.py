"""A scorecard table: one row per metric, its value and its change against each comparison.

    rows = pd.DataFrame({
        "label": ["Net revenue", "Closing rate"], "metric": ["net_revenue", "closing_rate"],
        "unit": ["usd", "rate"], "value": [1200.0, 0.31],
        "previous": [1000.0, 0.33], "last_year": [900.0, 0.30]})
    ScorecardTable(rows=rows, name="Branch DAL",
                   comparisons={"vs previous period": "previous", "vs last year": "last_year"})

Arrows are coloured by each metric's direction and the value by its thresholds status
(thresholds.yaml). With `export=True` the output also carries the export payload (export.py)
with the raw numbers, so the Excel writer gets the same figures.
"""

from __future__ import annotations

import html
from typing import Any

import traitlets as t

from pulsebi.charts.export import TABLE_MIMETYPE
from pulsebi.charts.formats import check_unit, describe_change, format_value
from pulsebi.charts.style import FONT_STACK, INK, MUTED, RULE, TONES, ZEBRA
from pulsebi.charts.table import check_table_name, export_payload
from pulsebi.errors import UsageError
from pulsebi.widgets import thresholds
from pulsebi.widgets.base import Figures, HtmlWidget, StaticView, pick

REQUIRED = ("label", "unit", "value")
_CELL = f"padding:5px 10px;border-bottom:1px solid {RULE}"


class ScorecardFigures(Figures):
    rows = t.Any()  # a DataFrame: label, unit, value, [metric], and the comparison columns
    comparisons = t.Dict()  # header → column, e.g. {"vs last year": "last_year"}
    name = t.Unicode("")
    export = t.Bool(True)
    _drawn = ("rows", "comparisons", "name")

    def to_html(self) -> str:
        return scorecard_html(self.rows, self.comparisons, caption=self.name)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        if self.export and self.name:
            check_table_name(self.name)
            rows = self.rows.drop(columns=["maturing"], errors="ignore")  # said in the label
            units = {c: "text" for c in rows.columns}
            bundle = {**bundle, TABLE_MIMETYPE: export_payload(rows, self.name, units, None)}
        return bundle


class ScorecardTable(ScorecardFigures, HtmlWidget):
    """The live scorecard table."""


class StaticScorecardTable(ScorecardFigures, StaticView):
    """The scorecard table in static mode: the same HTML and export payload, no widget."""


def scorecard_table(**kwargs: Any) -> ScorecardTable | StaticScorecardTable:
    """A scorecard table for the current mode (same arguments as `ScorecardTable`)."""
    return pick(ScorecardTable, StaticScorecardTable, kwargs)


def scorecard_html(rows: Any, comparisons: dict[str, str], *, caption: str = "") -> str:
    """The scorecard as self-contained HTML (inline styles)."""
    if rows is None:
        return ""
    missing = [c for c in (*REQUIRED, *comparisons.values()) if c not in rows.columns]
    if missing:
        raise UsageError(f"scorecard rows lack column(s) {', '.join(missing)}")
    head = "".join(
        f'<th style="{_CELL};text-align:{align};color:{MUTED};font-weight:600;'
        f'border-bottom:2px solid {RULE}">{html.escape(text)}</th>'
        for text, align in [("Metric", "left"), ("Value", "right")]
        + [(label, "right") for label in comparisons]
    )
    body = []
    for i, row in enumerate(rows.to_dict("records")):
        unit = check_unit(str(row["unit"]))
        metric = row.get("metric") or None
        better = thresholds.better(metric) or "higher"
        # a cohort still maturing is not held to its thresholds (nor compared: no previous)
        status = None if row.get("maturing") else thresholds.status(metric, row["value"])
        dot = f'<span style="color:{TONES[status]}" title="{status}">● </span>' if status else ""
        shown = html.escape(format_value(row["value"], unit))
        cells = [
            f'<td style="{_CELL}">{html.escape(str(row["label"]))}</td>',
            f'<td class="pbi-score-value" data-status="{status or ""}" style="{_CELL};'
            f'text-align:right;font-weight:600">{dot}{shown}</td>',
        ]
        for column in comparisons.values():
            change = describe_change(row["value"], row[column], unit, better)
            cells.append(
                f'<td data-tone="{change.tone}" style="{_CELL};text-align:right;'
                f'color:{TONES[change.tone]}">{change.arrow} {html.escape(change.text)}'
                f'<br><span style="color:{MUTED};font-size:11px">'
                f"{html.escape(format_value(row[column], unit))}</span></td>"
            )
        zebra = f' style="background:{ZEBRA}"' if i % 2 else ""
        key = html.escape(str(metric or row["label"]))
        body.append(f'<tr data-metric="{key}"{zebra}>{"".join(cells)}</tr>')
    cap = (
        f'<caption style="text-align:left;font-weight:bold;padding:4px 0">'
        f"{html.escape(caption)}</caption>"
        if caption
        else ""
    )
    return (
        f'<table class="pbi-scorecard" style="border-collapse:collapse;font-family:{FONT_STACK};'
        f'font-size:13px;color:{INK};margin:6px 0">{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )
