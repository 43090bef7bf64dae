"""Scorecard tables (metrics × comparisons), multi-comparison tiles and the "data as of" line."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pulsebi.charts import TABLE_MIMETYPE, read_export_tables, use_mode
from pulsebi.errors import UsageError
from pulsebi.settings import Settings, use_settings
from pulsebi.widgets import DataAsOf, KpiTile, ScorecardTable

ROWS = pd.DataFrame(
    {
        "label": ["Net revenue", "Resolution time", "Closing rate"],
        "metric": ["net_revenue", "resolution_hours", "closing_rate"],
        "unit": ["usd", "hours", "rate"],
        "value": [1200.0, 30.0, 0.31],
        "previous": [1000.0, 20.0, 0.33],
        "last_year": [1500.0, 40.0, None],
    }
)
COMPARISONS = {"vs previous period": "previous", "vs last year": "last_year"}


def test_scorecard_rows_show_values_and_direction_aware_changes() -> None:
    card = ScorecardTable(rows=ROWS, comparisons=COMPARISONS, name="Branch DAL")
    page = card.to_html()
    revenue, resolution, closing = page.split("<tr data-metric=")[1:]
    assert "$1,200.00" in revenue and "▲ 20.0%" in revenue and "▼ 20.0%" in revenue
    _, _label, _value, vs_previous, vs_last_year = resolution.split("<td")
    assert 'data-tone="bad"' in vs_previous and "▲ 50.0%" in vs_previous  # slower is bad
    assert 'data-tone="good"' in vs_last_year and "▼ 25.0%" in vs_last_year
    assert "31.0%" in closing and "▼ 2.0 pp" in closing and "—" in closing
    assert 'data-status="warn"' in closing


def test_scorecard_exports_raw_numbers_in_both_modes() -> None:
    card = ScorecardTable(rows=ROWS, comparisons=COMPARISONS, name="Branch DAL")
    for static in (True, False):
        with use_mode(static):
            bundle = card._repr_mimebundle_()
        notebook = {"cells": [{"outputs": [{"data": bundle}]}]}
        (table,) = read_export_tables(notebook)
        assert table.rows[0][3:] == [1200.0, 1000.0, 1500.0]
        assert ("text/html" in bundle) is static and TABLE_MIMETYPE in bundle


def test_scorecard_names_missing_columns() -> None:
    with pytest.raises(UsageError, match="lack column\\(s\\) last_year"):
        ScorecardTable(rows=ROWS.drop(columns="last_year"), comparisons=COMPARISONS)


def test_a_tile_can_show_two_comparisons() -> None:
    tile = KpiTile(
        label="Leads",
        metric="leads",
        unit="count",
        value=120,
        previous=100,
        comparison="vs last year",
        also=[("vs previous period", 130)],
    )
    page = tile.to_html()
    assert page.count('class="pbi-tile-change"') == 2
    assert "▲ 20.0%" in page and "▼ 7.7%" in page and "vs previous period" in page


def test_data_as_of_is_shown_in_the_reporting_zone() -> None:
    use_settings(Settings(tz="America/Chicago"))
    try:
        line = DataAsOf(moment=dt.datetime(2026, 7, 1, 19, 5, tzinfo=dt.UTC))
        assert "Data as of Jul 01, 2026 14:05 CDT" in line.to_html()
        line.update(moment=None)
        assert "not refreshed yet" in line.to_html()
    finally:
        use_settings(None)
