"""Tables: formatted static HTML, a live widget view, and the export payload round trip."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pulsebi.charts import TABLE_MIMETYPE, ChartSpec, read_export_tables, table_bundle, use_mode
from pulsebi.errors import UsageError

FRAME = pd.DataFrame(
    {
        "branch": ["DAL", "HOU", None],
        "net_revenue": [1234567.891, 0.5, None],
        "closing_rate": [0.3125, None, 0.5],
        "sales": [12, 3, 0],
        "day": [dt.date(2026, 1, 2)] * 3,
    }
)
FORMATS = {"net_revenue": "usd", "closing_rate": "rate"}


def test_static_table_is_formatted_right_aligned_and_striped() -> None:
    with use_mode(True):
        bundle = table_bundle(FRAME, "Revenue by branch", FORMATS)
    html = bundle["text/html"]
    assert "application/vnd.jupyter.widget-view+json" not in bundle
    assert "$1,234,567.89" in html and "31.2%" in html and "—" in html
    assert "text-align:right" in html and "<thead>" in html and "background:#f5f7fa" in html
    assert "<th" in html and "Net revenue" in html and "<script" not in html


def test_live_table_is_a_widget_and_keeps_the_html_fallback() -> None:
    bundle = table_bundle(FRAME, "Revenue by branch", FORMATS)
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "$1,234,567.89" in bundle["text/html"]


@pytest.mark.parametrize("static", [True, False])
def test_export_payload_round_trips_through_read_export_tables(static: bool) -> None:
    spec = ChartSpec("bar", FRAME, x="branch", y="net_revenue", units="usd")
    bundle = table_bundle(FRAME, "Revenue by branch", FORMATS, chart=spec, static=static)
    notebook = {"cells": [{"outputs": [{"output_type": "display_data", "data": bundle}]}]}
    (table,) = read_export_tables(notebook)
    assert table.name == "Revenue by branch"
    assert table.columns == list(FRAME.columns)
    assert table.rows[0] == ["DAL", 1234567.891, 0.3125, 12, "2026-01-02"]  # unrounded
    assert table.rows[2][:3] == [None, None, 0.5]
    assert table.formats == {"net_revenue": "usd", "closing_rate": "rate", "sales": "count"}
    assert table.chart["type"] == "bar" and table.chart["y"] == ["net_revenue"]


def test_export_can_be_left_out() -> None:
    assert TABLE_MIMETYPE not in table_bundle(FRAME, "Revenue", FORMATS, export=False)


def test_bad_table_names_and_formats_are_refused() -> None:
    with pytest.raises(UsageError, match="cannot be a sheet name"):
        table_bundle(FRAME, "Revenue/branch", FORMATS)
    with pytest.raises(UsageError, match="'revenue' not in the table"):
        table_bundle(FRAME, "Revenue", {"revenue": "usd"})
