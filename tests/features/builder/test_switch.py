"""Switching visuals keeps every field the new visual can use and says why it drops the rest."""

from __future__ import annotations

import pytest

from pulsebi.builder import SpecError, fields_kept, load_spec

FILTERS = [{"field": "channel", "values": ["tv", "digital"]}]
LINE = load_spec(
    {
        "title": "Revenue by branch",
        "visual": "line",
        "values": ["net_revenue", "leads"],
        "x": "month",
        "series": "branch",
        "filters": FILTERS,
        "dates": {"preset": "last_12_months"},
        "options": {"target": 0.35, "comparison": "last_year"},
    }
)


def _dropped(dropped) -> dict[str, tuple[str, str]]:
    return {d.field: (d.zone, d.why) for d in dropped}


def test_line_to_table_and_back_loses_nothing() -> None:
    table, dropped = fields_kept(LINE, "table")
    assert dropped == []
    assert (table.values, table.x, table.series) == (LINE.values, "month", "branch")
    again, dropped = fields_kept(table, "line")
    assert dropped == [] and again == LINE


def test_to_pivot_rows_and_columns_are_x_and_series() -> None:
    pivot, dropped = fields_kept(LINE, "pivot")
    assert dropped == [] and pivot.missing() == []
    assert (pivot.x, pivot.series) == ("month", "branch")


def test_to_pie_one_value_sliced_by_the_series() -> None:
    pie, dropped = fields_kept(LINE, "pie")
    assert (pie.values, pie.x, pie.series) == (("net_revenue",), "branch", None)
    assert _dropped(dropped) == {
        "leads": ("values", "a pie shows one value (net_revenue)"),
        "month": ("x", "a pie has no time axis"),
    }
    assert pie.missing() == []


def test_to_stacked_bar_drops_what_does_not_add_up() -> None:
    bars = load_spec({"visual": "bar", "values": ["closing_rate", "net_revenue"], "x": "branch"})
    stacked, dropped = fields_kept(bars, "stacked_bar")
    assert stacked.values == ("net_revenue",) and stacked.x == "branch"
    zone, why = _dropped(dropped)["closing_rate"]
    assert zone == "values" and "closing_rate (rate) does not add up" in why


def test_bar_by_branch_to_line_moves_branch_to_series() -> None:
    bars = load_spec({"visual": "bar", "values": ["leads"], "x": "branch"})
    line, dropped = fields_kept(bars, "line")
    assert dropped == [] and (line.x, line.series) == (None, "branch")
    assert "a time grain" in dict(line.missing())["x"]


def test_to_gauge_and_kpi_one_number_each() -> None:
    gauge, dropped = fields_kept(LINE, "gauge")
    assert (gauge.values, gauge.x, gauge.series) == (("net_revenue",), None, None)
    assert set(_dropped(dropped)) == {"leads", "month", "branch"}
    assert _dropped(dropped)["month"] == ("x", "a gauge shows one number")
    assert gauge.options.target == 0.35 and gauge.missing() == []
    kpi, dropped = fields_kept(LINE, "kpi")
    assert kpi.values == LINE.values and set(_dropped(dropped)) == {"month", "branch"}


@pytest.mark.parametrize("visual", ["bar", "stacked_bar", "area", "pie", "table", "gauge", "kpi"])
def test_filters_dates_title_and_options_always_stay(visual: str) -> None:
    kept, _ = fields_kept(LINE, visual)
    assert kept.visual == visual
    assert (kept.title, kept.filters, kept.dates, kept.options) == (
        LINE.title,
        LINE.filters,
        LINE.dates,
        LINE.options,
    )


def test_an_unknown_visual_is_refused() -> None:
    with pytest.raises(SpecError, match="'donut' is not a visual"):
        fields_kept(LINE, "donut")
