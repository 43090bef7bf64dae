"""Page snapshots (issue 14 item 1): what they hold, that they show the interactive page's figures
for every page, all branches and one (item 5), which version is served, what a rebuild stores."""

from __future__ import annotations

import dataclasses
import html as html_lib
import importlib
import json
import re
import time
from pathlib import Path

import pytest
import redis

import pulsebi
from pulsebi.errors import UsageError
from pulsebi.snapshots import (
    Snapshot,
    build_snapshot,
    current_version,
    default_params,
    load_snapshot,
    normalize_params,
    rebuild_snapshots,
    snapshot_key,
    snapshot_pages,
    store_snapshot,
)
from pulsebi.snapshots.build import close_widgets
from pulsebi.snapshots.pages import CHECKS, DASHBOARD_DEFAULTS, PAGES, SAVED_REPORT

REPO = Path(pulsebi.__file__).parents[2]
EXECUTIVE = "notebooks/executive.ipynb"
BRANCH_PAGES = [page for page, kind in PAGES.items() if kind.ident is None]

# --- figures read out of a page's HTML -------------------------------------------------------

TILE = re.compile(
    r'<div class="pbi-tile" data-tile="([^"]*)"(.*?)(?=<div class="pbi-tile" |\Z)', re.S
)
CHART = re.compile(r'<div class="pbi-first-paint-chart"[^>]*>(.*?</svg>)', re.S)
TABLE = re.compile(r"<table.*?</table>", re.S)
CONTEXT = re.compile(r'<div class="pbi-page-context"[^>]*>(.*?)</div>', re.S)
# matplotlib salts its SVG ids at random: the same chart differs only in them
SVG_IDS = re.compile(r'\s(?:id|clip-path|xlink:href|href)="[^"]*"|url\(#[^)]*\)')


def text_of(markup: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup))).strip()


def tile_figures(body: str) -> tuple[str, str, str]:
    value = re.search(
        r'class="pbi-tile-value"[^>]*?(?:data-value="([^"]*)")?[^>]*>(.*?)</div>', body, re.S
    )
    changes = re.findall(r'class="pbi-tile-change"[^>]*>(.*?)</div>', body, re.S)
    note = re.findall(r'class="pbi-tile-note"[^>]*>(.*?)</div>', body, re.S)
    return (
        value.group(1) or "" if value else "",
        text_of(value.group(2)) if value else "",
        " | ".join(text_of(c) for c in changes + note),
    )


def figures(page_html: str) -> dict:
    """Every figure a page's HTML shows: tiles (value, shown text, comparisons and notes by
    tile), tables (their text), charts (their SVG, ids aside), the context line."""
    return {
        "tiles": {key: tile_figures(body) for key, body in TILE.findall(page_html)},
        "tables": [text_of(t) for t in TABLE.findall(page_html)],
        "charts": [SVG_IDS.sub("", svg) for svg in CHART.findall(page_html)],
        "context": [text_of(c) for c in CONTEXT.findall(page_html)],
    }


def interactive_html(page: str, query: dict[str, str]) -> str:
    """The page as a kernel serves it for `query`: built live with the notebook's parameters,
    then following the request's query string (`Page.present`), as its first paint shows it."""
    module = importlib.import_module(PAGES[page].module)
    live = module.prepare(static=False, **DASHBOARD_DEFAULTS)
    try:
        live.follow_request(query)
        return live.first_paint_html(svg_charts=True)
    finally:
        live.close()
        close_widgets(live.prepare())


def interactive_check(page: str, query: dict[str, str]) -> tuple[str, str]:
    """A reconciliation page's explorer (live) for `query`: its count line and summary."""
    from pulsebi.reconcile.filters import parse_filters
    from pulsebi.reconcile.page import prepare_check

    check = PAGES[page].check
    live = prepare_check(check, static=False)
    live.explorer.set_filters(parse_filters(query.get("branch")))
    try:
        return text_of(live.explorer.heading.value), live.explorer.summary.value
    finally:
        close_widgets(live.explorer)


# --- the request parameters a snapshot serves ---------------------------------------------------


def test_every_page_has_snapshots() -> None:
    pages = snapshot_pages()
    assert pages[0] == EXECUTIVE
    assert len([p for p in pages if p.startswith("scorecards/")]) == 6
    assert len([p for p in pages if p.startswith("notebooks/reconciliation/")]) == len(CHECKS)
    for page in pages:
        assert (REPO / page).is_file(), page


def test_normalized_params_keep_only_what_changes_the_figures() -> None:
    for page in (EXECUTIVE, "scorecards/branch.ipynb"):
        assert normalize_params(page, {}) == {}
        assert normalize_params(page, {"branch": "all", "token": "x", "other": "1"}) == {}
        assert normalize_params(page, {"branch": "ALL"}) == {}
        assert normalize_params(page, {"branch": "DAL"}) == {"branch": "DAL"}
        assert normalize_params(page, {"branch": "DAL", "preset": "month_to_date"}) == {
            "branch": "DAL"
        }
        assert normalize_params(page, {"grain": "week", "from": "", "to": ""}) == {}
        assert normalize_params(page, {"preset": "year_to_date"}) is None
        assert normalize_params(page, {"grain": "day"}) is None
        assert normalize_params(page, {"from": "2026-01-01"}) is None
        assert normalize_params(page, {"branch": "<script>"}) is None
    check = "notebooks/reconciliation/split_integrity.ipynb"
    assert normalize_params(check, {"branch": "all"}) == {}
    assert normalize_params(check, {"branch": "DAL"}) == {"branch": "DAL"}
    assert normalize_params(check, {"to": "2026-02-01"}) is None
    assert normalize_params("notebooks/nothing.ipynb", {}) is None
    # a saved report's page: one snapshot per report, its own filters in its spec
    assert normalize_params(SAVED_REPORT, {"report_id": "007", "token": "x"}) == {"report_id": "7"}
    assert normalize_params(SAVED_REPORT, {"report_id": "7", "branch": "DAL"}) == {"report_id": "7"}
    for bad in ({}, {"report_id": ""}, {"report_id": "7; drop"}, {"report_id": "²"}):
        assert normalize_params(SAVED_REPORT, bad) is None  # the list, or the page's notice


def test_the_defaults_are_the_notebooks_parameters() -> None:
    for page, kind in PAGES.items():
        if kind.module is None or kind.ident is not None:
            continue
        cells = json.loads((REPO / page).read_text())["cells"]
        cell = next(c for c in cells if "parameters" in c.get("metadata", {}).get("tags", []))
        values: dict = {}
        exec("".join(cell["source"]), {}, values)  # literals only (a parameters cell)
        assert {k: values[k] for k in DASHBOARD_DEFAULTS} == DASHBOARD_DEFAULTS, page


def test_default_params_are_all_branches_then_each(on_seeded_day, branch_code) -> None:
    params = default_params(EXECUTIVE)
    assert params[0] == {} and {"branch": branch_code} in params
    assert len(params) == 6  # the demo's five branches


# --- item 5: the snapshot shows the interactive page's figures ------------------------------------


@pytest.mark.parametrize("scope", ["all", "one"])
@pytest.mark.parametrize("page", BRANCH_PAGES)
def test_the_snapshot_shows_the_interactive_pages_figures(
    on_seeded_day, branch_code, page, scope
) -> None:
    query = {"branch": branch_code} if scope == "one" else {}
    snapshot = build_snapshot(on_seeded_day, page, query)
    store_snapshot(on_seeded_day, snapshot)
    served = load_snapshot(on_seeded_day, page, {**query, "token": "secret"})
    assert served == snapshot
    assert served.params == query and served.version == current_version(on_seeded_day)
    assert served.html.startswith('<div class="pbi-first-paint')
    assert "pbi-crash" not in served.html and "pbi-notice" not in served.html

    if PAGES[page].check is not None:
        heading, summary = interactive_check(page, query)
        count = re.search(r"([\d,]+) exception\(s\)", heading).group(1)
        assert f"{count} exception(s)" in text_of(served.html)
        assert summary in served.html
        return
    shown, live = figures(served.html), figures(interactive_html(page, query))
    assert shown["tiles"], "a page without tiles"
    assert shown == live
    assert ("All branches" in " ".join(shown["context"])) == (scope == "all")


# --- what a snapshot holds --------------------------------------------------------------------


def test_charts_in_the_snapshot_are_svg(on_seeded_day) -> None:
    snapshot = build_snapshot(on_seeded_day, EXECUTIVE, {})
    boxes = re.findall(r'<div class="pbi-first-paint-chart"[^>]*>(.{0,200})', snapshot.html, re.S)
    assert boxes, "the executive page has charts"
    assert all(box.startswith("<svg") for box in boxes)
    # each keeps the live chart's height
    assert all(
        re.search(r'style="height:\d+px[;"]', m)
        for m in re.findall(r'<div class="pbi-first-paint-chart"[^>]*>', snapshot.html)
    )
    assert snapshot.title == "Executive dashboard"


def test_live_tiles_name_their_live_field_and_unit(on_seeded_day, branch_code) -> None:
    from pulsebi.live.kpis import REGISTRY

    every = build_snapshot(on_seeded_day, EXECUTIVE, {})
    one = build_snapshot(on_seeded_day, EXECUTIVE, {"branch": branch_code})
    fields = re.findall(r'data-live="([^"]+)" data-unit="([^"]+)"', every.html)
    assert fields and all(f in REGISTRY for f, _ in fields)
    branch_fields = [f for f, _ in re.findall(r'data-live="([^"]+)" data-unit="([^"]+)"', one.html)]
    assert branch_fields == [f"{f}@{branch_code}" for f, _ in fields]


def test_building_leaves_no_widget_open(on_seeded_day) -> None:
    from ipywidgets.widgets import widget

    build_snapshot(on_seeded_day, EXECUTIVE, {})  # imports, caches warm
    before = len(widget._instances)
    build_snapshot(on_seeded_day, EXECUTIVE, {})  # tiles, tables, charts (bqplot: marks, axes)
    assert len(widget._instances) == before


# --- which snapshot is served --------------------------------------------------------------------


def test_a_new_data_version_makes_the_old_snapshot_unused(on_seeded_day) -> None:
    from pulsebi.db import get_engine
    from pulsebi.views import refresh_views

    settings = on_seeded_day
    page = "scorecards/production.ipynb"
    old = build_snapshot(settings, page, {})
    store_snapshot(settings, old)
    assert load_snapshot(settings, page, {}) == old

    refresh_views(get_engine(settings), settings)
    assert current_version(settings) > old.version
    assert load_snapshot(settings, page, {}) is None  # only the current version's is served

    new = build_snapshot(settings, page, {})
    assert new.version == current_version(settings)
    store_snapshot(settings, new)
    assert load_snapshot(settings, page, {}) == new
    client = redis.Redis.from_url(_redis_url(settings))
    assert not client.exists(snapshot_key(settings, page, {}, old.version))  # dropped
    assert client.ttl(snapshot_key(settings, page, {}, new.version)) > 3600
    # a slow build of the older version does not come back over the newer one
    store_snapshot(settings, old)
    assert not client.exists(snapshot_key(settings, page, {}, old.version))
    client.close()


def test_a_snapshot_of_another_day_is_not_served(on_seeded_day) -> None:
    settings = on_seeded_day
    page = "scorecards/canvass.ipynb"
    version = current_version(settings)
    yesterday = Snapshot(page, {}, version, "Canvass", "<div></div>", time.time() - 86400)
    store_snapshot(settings, yesterday)
    assert load_snapshot(settings, page, {}) is None
    today = dataclasses.replace(yesterday, built_at=time.time())
    store_snapshot(settings, today)
    assert load_snapshot(settings, page, {}) == today
    assert load_snapshot(settings, page, {"preset": "last_month"}) is None  # not snapshot-able


def test_rebuild_stores_the_defaults(on_seeded_day) -> None:
    settings = on_seeded_day
    page = "scorecards/technology.ipynb"
    params = default_params(page)
    assert rebuild_snapshots(settings, [page]) == len(params)
    for query in params:
        served = load_snapshot(settings, page, query)
        assert served is not None and served.params == query
        assert served.version == current_version(settings)
    with pytest.raises(UsageError, match="has no snapshots"):
        rebuild_snapshots(settings, ["notebooks/nothing.ipynb"])


def _redis_url(settings) -> str:
    from pulsebi.services import resolve_redis_url

    return resolve_redis_url(settings)


def test_without_redis_no_snapshot_is_served(on_seeded_day) -> None:
    from pulsebi import cache
    from pulsebi.snapshots import store

    down = on_seeded_day.replace(redis_url="redis://127.0.0.1:1/0")  # nothing listens there
    try:
        assert load_snapshot(down, EXECUTIVE, {}) is None  # a kernel serves the page
    finally:
        cache.reset()  # forget the outage for the next tests
        store.reset()
