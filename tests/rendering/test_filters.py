"""The filter bar: one debounced callback per burst of changes, loading state meanwhile."""

from __future__ import annotations

import datetime as dt

import pytest

from pulsebi.errors import UsageError
from pulsebi.widgets import FilterBar, Filters, KpiTile, tile_row

TODAY = dt.date(2026, 11, 25)
BRANCHES = {"DAL": "Dallas", "HOU": "Houston"}


def make_bar(**kwargs: object) -> FilterBar:
    return FilterBar(BRANCHES, today=lambda: TODAY, debounce=60, **kwargs)


def test_filters_start_from_the_preset() -> None:
    assert make_bar(preset="year_to_date").filters == Filters(
        dt.date(2026, 1, 1), dt.date(2026, 11, 26), None, "day", "year_to_date"
    )


def test_a_burst_of_changes_gives_one_callback_with_the_latest_filters() -> None:
    bar = make_bar()
    seen: list[Filters] = []
    bar.on_change(seen.append)
    bar.branch.value = "DAL"
    bar.grain.value = "week"
    bar.preset.value = "last_month"
    assert seen == [] and bar.pending  # waiting for the burst to end
    bar.flush()
    october = Filters(dt.date(2026, 10, 1), dt.date(2026, 11, 1), "DAL", "week", "last_month")
    assert seen == [october]
    bar.flush()
    assert len(seen) == 1


def test_widgets_show_loading_at_once_and_get_their_state_back() -> None:
    tile = KpiTile(label="Revenue", unit="usd", value=1.0)
    tile.set_state("live")
    bar = make_bar()
    states: list[str] = []
    bar.on_change(lambda _f: states.append(tile.state), loading=[tile_row(tile)])
    bar.branch.value = "HOU"
    assert tile.state == "loading"  # before any data comes
    bar.flush()
    assert states == ["loading"] and tile.state == "live"


def test_a_failing_callback_leaves_the_widgets_in_error() -> None:
    tile = KpiTile(label="Revenue", unit="usd", value=1.0)
    bar = make_bar()
    bar.on_change(lambda _f: 1 / 0, loading=[tile])
    bar.grain.value = "month"
    bar.flush()
    assert tile.state == "error"


def test_custom_dates_are_inclusive_on_screen_and_exclusive_in_filters() -> None:
    bar = make_bar()
    seen: list[Filters] = []
    bar.on_change(seen.append)
    bar.date_from.value = dt.date(2026, 3, 1)
    bar.date_through.value = dt.date(2026, 3, 31)
    bar.flush()
    assert seen[-1].preset == "custom"
    assert (seen[-1].date_from, seen[-1].date_to) == (dt.date(2026, 3, 1), dt.date(2026, 4, 1))


def test_set_from_code_without_a_callback() -> None:
    bar = make_bar()
    seen: list[Filters] = []
    bar.on_change(seen.append)
    bar.set(branch="DAL", preset="today", notify=False)
    assert not bar.pending and bar.filters.branch == "DAL"
    bar.set(date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 2, 1))
    bar.flush()
    assert seen[-1].date_to == dt.date(2026, 2, 1) and seen[-1].preset == "custom"
    with pytest.raises(UsageError, match="branch 'NYC' is unknown"):
        bar.set(branch="NYC")


def test_zero_debounce_calls_back_at_once() -> None:
    bar = FilterBar(BRANCHES, today=lambda: TODAY, debounce=0)
    seen: list[Filters] = []
    bar.on_change(seen.append)
    bar.branch.value = "DAL"
    assert [f.branch for f in seen] == ["DAL"]


def test_the_debounced_callback_runs_in_the_changing_requests_context() -> None:
    import contextvars
    import threading

    request = contextvars.ContextVar("request", default=None)
    bar = FilterBar(BRANCHES, today=lambda: TODAY, debounce=0.01)
    done = threading.Event()
    seen: list[object] = []
    bar.on_change(lambda _f: (seen.append(request.get()), done.set()))
    request.set("comm-msg-1")
    bar.branch.value = "DAL"
    assert done.wait(30)
    assert seen == ["comm-msg-1"]


def test_loading_covers_figures_and_live_tables() -> None:
    import pandas as pd

    from pulsebi.charts import ChartSpec, render, table_view
    from pulsebi.widgets import loading

    frame = pd.DataFrame({"branch": ["DAL"], "sales": [3]})
    fig = render(ChartSpec("bar", frame, x="branch", y="sales", title="Sales"), static=False)
    table = table_view(frame)
    with loading(fig, table):
        assert fig.title.endswith("loading…") and table.loading
    assert fig.title == "Sales" and not table.loading
