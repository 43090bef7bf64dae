"""Tile and number formatting: money to the cent, rates as %, missing as —, arrows by direction."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest

from pulsebi.charts import TILES_MIMETYPE, describe_change, format_axis, format_value, use_mode
from pulsebi.errors import UsageError
from pulsebi.widgets import Gauge, KpiTile, tile_row


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (1234567.891, "usd", "$1,234,567.89"),
        (decimal.Decimal("0.125"), "usd", "$0.13"),  # half away from zero, like round(numeric)
        (0.125, "usd", "$0.13"),
        (-1234.5, "usd", "-$1,234.50"),
        (0, "usd", "$0.00"),
        (0.1234, "rate", "12.3%"),
        (1, "rate", "100.0%"),
        (12345, "count", "12,345"),
        (12.5, "count", "12.5"),
        (36.25, "hours", "36.2 h"),
        (4.256, "score", "4.26"),
        (1234.4, "ms", "1,234 ms"),
        (None, "usd", "—"),
        (float("nan"), "rate", "—"),
        ("DAL", "text", "DAL"),
        (dt.date(2026, 1, 5), "text", "2026-01-05"),
    ],
)
def test_values_show_by_unit(value: object, unit: str, shown: str) -> None:
    assert format_value(value, unit) == shown


def test_axes_show_whole_dollars_and_whole_percents() -> None:
    assert format_axis(1234567.891, "usd") == "$1,234,568"
    assert format_axis(0.25, "rate") == "25%"


def test_unknown_units_and_text_in_numbers_are_refused() -> None:
    with pytest.raises(UsageError, match="unit 'euro'"):
        format_value(1, "euro")
    with pytest.raises(UsageError, match="'abc' is not a number"):
        format_value("abc", "usd")


def test_change_arrows_follow_the_direction_that_is_good() -> None:
    up = describe_change(110, 100, "usd", "higher")
    assert (up.arrow, up.text, up.tone) == ("▲", "10.0%", "good")
    slower = describe_change(30, 20, "hours", "lower")  # a rising resolution time is bad
    assert (slower.arrow, slower.text, slower.tone) == ("▲", "50.0%", "bad")
    faster = describe_change(15, 20, "hours", "lower")
    assert (faster.arrow, faster.tone) == ("▼", "good")
    rate = describe_change(0.30, 0.25, "rate", "higher")  # rates move in percentage points
    assert (rate.arrow, rate.text) == ("▲", "5.0 pp")
    assert describe_change(5, 5, "count").arrow == "■"
    assert describe_change(5, 0, "count").text == "—"  # no percentage of nothing
    assert describe_change(None, 5, "count").missing
    assert describe_change(110, 100, "count", None).tone == "neutral"


def test_tile_shows_value_change_and_direction_from_the_thresholds_file() -> None:
    tile = KpiTile(
        label="Resolution", metric="resolution_hours", unit="hours", value=30, previous=20
    )
    page = tile.to_html()
    assert 'class="pbi-tile-value"' in page and "30.0 h" in page
    assert 'data-tone="bad"' in page and "▲ 50.0%" in page
    assert 'data-status="warn"' in page  # 24 h good, 72 h warn in thresholds.yaml
    revenue = KpiTile(label="Revenue YTD", metric="net_revenue", unit="usd", value=None)
    assert ">—</div>" in revenue.to_html() and 'data-tile="revenue-ytd"' in revenue.to_html()


def test_tile_states_are_visible() -> None:
    tile = KpiTile(label="Revenue today", unit="usd", value=12.5)
    for state, text in [("live", "Live"), ("reconnecting", "Reconnecting"), ("loading", "Loading")]:
        tile.set_state(state)
        assert f'data-state="{state}"' in tile._html.value and text in tile._html.value
    since = dt.datetime(2026, 7, 1, 19, 5, tzinfo=dt.UTC)
    tile.set_state("stale", since=since)
    assert "Stale since" in tile._html.value and tile.stale_since == since
    tile.set_state("live")
    assert tile.stale_since is None


def test_update_changes_everything_in_one_browser_message() -> None:
    tile = KpiTile(label="Revenue", unit="usd", value=1.0, previous=1.0)
    seen: list[str] = []
    tile._html.observe(lambda change: seen.append(change["new"]), names="value")
    tile.update(value=2.0, previous=1.0, state="live")
    assert len(seen) == 1 and "$2.00" in seen[0] and "▲ 100.0%" in seen[0] and "Live" in seen[0]
    with pytest.raises(UsageError, match="no colour"):
        tile.update(colour="red")


def test_static_mode_shows_tiles_as_plain_html() -> None:
    row = tile_row(
        KpiTile(label="A", unit="count", value=3), Gauge(label="G", value=0.5, target=0.4)
    )
    assert "application/vnd.jupyter.widget-view+json" in row._repr_mimebundle_()
    with use_mode(True):
        bundle = row._repr_mimebundle_()
    assert list(bundle) == ["text/html", TILES_MIMETYPE, "text/plain"]
    assert [t["label"] for t in bundle[TILES_MIMETYPE]] == ["A", "G"]
    assert bundle["text/html"].count('class="pbi-tile"') == 1 and "pbi-gauge" in bundle["text/html"]
    assert "<script" not in bundle["text/html"]


def test_gauge_colours_by_target_and_by_thresholds() -> None:
    close = Gauge(label="Closing rate", value=0.31, target=0.35, metric="closing_rate")
    assert 'data-status="warn"' in close.to_html() and "target 35.0%" in close.to_html()
    hit = Gauge(label="Jobs", value=120, target=100, unit="count")
    assert 'data-status="good"' in hit.to_html()
    slow = Gauge(label="Latency", value=130, target=100, unit="ms", better="lower")
    assert 'data-status="bad"' in slow.to_html()


def test_a_tile_updated_every_n_seconds_shows_only_the_latest_value() -> None:
    tile = KpiTile(label="Calls", unit="count", value=1, every=3600)
    seen: list[str] = []
    tile._html.observe(lambda change: seen.append(change["new"]), names="value")
    tile.update(value=2)  # the first change shows at once
    tile.update(value=3)
    tile.update(value=4)
    assert len(seen) == 1 and ">2</div>" in seen[0] and tile.pending
    tile.set_state("reconnecting")  # a state change is never held back
    assert len(seen) == 2 and ">4</div>" in seen[1] and not tile.pending
    tile.update(value=5)
    tile.flush()
    assert ">5</div>" in seen[-1]


def test_factories_build_no_widget_in_static_mode() -> None:
    import ipywidgets

    from pulsebi.widgets import data_as_of, gauge, kpi_tile, scorecard_table

    def build() -> list[object]:
        tile = kpi_tile(label="Revenue", unit="usd", value=1.5, previous=1.0)
        return [
            tile_row(tile, gauge(label="Rate", value=0.2, target=0.3)),
            tile,
            scorecard_table(rows=None, comparisons={}),
            data_as_of(moment=None),
        ]

    with use_mode(True):
        static = build()
        row, tile = static[0], static[1]
        tile.update(value=2.0, state="live")  # the same API, nothing to send
        html = row._repr_mimebundle_()["text/html"]
    assert not any(isinstance(x, ipywidgets.Widget) for x in static)
    assert "$2.00" in html and "▲ 100.0%" in html and "pbi-gauge" in html
    assert all(isinstance(x, ipywidgets.Widget) for x in build())


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (73612345.5, "$73.6M"),
        (412345, "$412K"),
        (950, "$950"),
        (949.5, "$950"),
        (999.5, "$1K"),  # rounds up into the next unit
        (5734.74, "$5.73K"),
        (999950, "$1M"),
        (1_000_000, "$1M"),
        (-1234567, "-$1.23M"),
        (2.5e9, "$2.5B"),
        (0, "$0"),
        (None, "—"),
    ],
)
def test_headline_money_is_compact(value: object, shown: str) -> None:
    from pulsebi.charts.formats import format_compact

    assert format_compact(value, "usd") == shown
    assert format_compact(0.1234, "rate") == "12.3%"  # other units as in tables


def test_tiles_show_compact_money_with_the_exact_value_on_hover_and_for_exports() -> None:
    import re

    from pulsebi.widgets.tile import tile_html

    page = tile_html(label="Revenue YTD", value=73612345.67, unit="usd", previous=60_000_000)
    value = re.search(r'<div class="pbi-tile-value"[^>]*>([^<]*)</div>', page)
    assert value and value.group(1) == "$73.6M"
    assert 'title="$73,612,345.67"' in value.group(0) and 'data-value="73612345.67"' in page
    assert "▲ 22.7%" in page  # the change is computed on the exact value
    assert "data-value" not in tile_html(label="Revenue", value=None, unit="usd")


def test_tile_values_wrap_and_shrink_rather_than_overflow() -> None:
    from pulsebi.widgets.tile import tile_html

    short = tile_html(label="Revenue", value=1.5e9, unit="usd")
    long = tile_html(label="Score", value=123456789012.25, unit="score")  # 16 characters
    assert "font-size:26px" in short and "font-size:17px" in long
    for page in (short, long):
        assert "overflow-wrap:anywhere" in page and "min-width:0" in page


def test_a_page_s_tiles_bundle_carries_their_exact_figures() -> None:
    from pulsebi.widgets.grid import tiles_bundle

    bundle = tiles_bundle([{"label": "Revenue", "value": 1234567.891, "unit": "usd"}], columns=3)
    assert ">$1.23M</div>" in bundle["text/html"]
    assert bundle[TILES_MIMETYPE] == [
        {
            "label": "Revenue",
            "value": 1234567.891,
            "unit": "usd",
            "previous": None,
            "comparison": None,
            "note": None,
        }
    ]


def test_an_empty_tile_shows_the_other_periods_figure_not_a_dash_comparison() -> None:
    from pulsebi.widgets.tile import tile_html

    shown = tile_html(
        label="Closing rate",
        value=None,
        unit="rate",
        previous=0.31,
        comparison="vs last year",
        also=[("vs previous period", None)],
    )
    assert "last year: 31.0%" in shown
    assert "—" not in shown.split('class="pbi-tile-value"')[1].split("</div>", 1)[1]
    assert "previous period" not in shown  # neither side has a figure: no line at all
