"""Every dashboard and scorecard × {all branches, each branch} × every date preset × every grain
the page offers, rendered static (the Papermill path) and built live (widgets, `prepare()`), on
demo data whose "today" is the 1st, 2nd or 8th of a month, 1 January or a DST change: no
exception, no error box, every tile a value or an explained empty state.

The whole product is thousands of pages; by default a covering selection renders every pair of
values of any two axes at least once (`covering_rows`). `PULSEBI_EVERY_PAGE=full` renders the
whole product (hours).

"Today" is set by travelling the process's clock (time-machine) to DEMO_CLOCK on the day. Every
page can be told its today (`prepare(today=...)`: the executive page's presets, revenue tiles
and forecast; a scorecard's presets), but what is "to date" (a period holding now is compared
up to now's clock time) reads the clock, so the pages here keep their default today and the
clock travels. The database's clock is not moved: snapshot figures (pipeline, jobs in progress)
count from the real now, which the test accepts as long as a tile says why it is empty.
"""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
import logging
import os
import re
from collections.abc import Mapping, Sequence

import pytest

from pulsebi.seed.org import BRANCHES as DEMO_BRANCHES
from pulsebi.settings import get_settings, use_settings
from pulsebi.widgets.dates import PRESETS

PAGES = {
    "executive": "pulsebi.dashboards.executive",
    **{
        name: f"pulsebi.dashboards.scorecards.{name}"
        for name in ("branch", "production", "service", "telemarketing", "canvass", "technology")
    },
}
BRANCHES = ("all", *sorted(code for _, code, *_ in DEMO_BRANCHES))
GRAINS = ("day", "week", "month")  # what every page offers (checked below)
DAYS = {
    dt.date(2026, 1, 1): "1 January (a Thursday)",
    dt.date(2026, 3, 8): "the 8th, a Sunday, DST starts",
    dt.date(2026, 6, 1): "the 1st, a Monday",
    dt.date(2026, 6, 2): "the 2nd",
    dt.date(2026, 11, 1): "the 1st, a Sunday, DST ends",
}
MODES = ("static", "live")
AXES: dict[str, Sequence] = {
    "page": tuple(PAGES),
    "branch": BRANCHES,
    "preset": tuple(PRESETS),
    "grain": GRAINS,
    "day": tuple(DAYS),
    "mode": MODES,
}
CUSTOM_DAYS = 10  # the custom range: the last ten days through today (across a month's start)


# --- which pages ----------------------------------------------------------------------------


def covering_rows(axes: Mapping[str, Sequence]) -> list[dict]:
    """Rows (one value per axis) that hold every pair of values of any two axes at least once.

    Greedy and deterministic: each row starts from the first pair not yet covered and takes,
    axis by axis, the value covering most new pairs with the values already chosen (ties: the
    first value)."""
    names = list(axes)
    order = {name: i for i, name in enumerate(names)}
    uncovered = {
        (a, va, b, vb)
        for i, a in enumerate(names)
        for b in names[i + 1 :]
        for va in axes[a]
        for vb in axes[b]
    }
    rows = []
    while uncovered:
        a, va, b, vb = min(
            uncovered,
            key=lambda p: (
                order[p[0]],
                order[p[2]],
                axes[p[0]].index(p[1]),
                axes[p[2]].index(p[3]),
            ),
        )
        row = {a: va, b: vb}
        for name in names:
            if name in row:
                continue

            def gain(value, name=name, row=row) -> int:
                return sum(
                    (
                        (n, row[n], name, value)
                        if order[n] < order[name]
                        else (name, value, n, row[n])
                    )
                    in uncovered
                    for n in row
                )

            row[name] = max(axes[name], key=gain)
        for i, x in enumerate(names):
            for y in names[i + 1 :]:
                uncovered.discard((x, row[x], y, row[y]))
        rows.append({name: row[name] for name in names})
    return rows


# Rows that once failed, kept whatever the covering selection picks: the README's own example
# (`scorecards/branch.ipynb?branch=DAL`) in the first days of a month, where its live trend
# chart had one point (issue 13, defect 1).
KNOWN_ROWS = [
    {
        "page": "branch",
        "branch": "DAL",
        "preset": "month_to_date",
        "grain": grain,
        "day": day,
        "mode": mode,
    }
    for day in (dt.date(2026, 6, 1), dt.date(2026, 6, 2), dt.date(2026, 11, 1))
    for grain in ("week", "month")
    for mode in MODES
]


def selected_rows() -> list[dict]:
    if os.environ.get("PULSEBI_EVERY_PAGE") == "full":
        product = itertools.product(*AXES.values())
        rows = [dict(zip(AXES, values, strict=True)) for values in product]
    else:
        rows = covering_rows(AXES)
        rows += [r for r in KNOWN_ROWS if r not in rows]
    # one database per day: its pages together
    return sorted(rows, key=lambda r: (r["day"], list(PAGES).index(r["page"])))


def row_id(row: Mapping) -> str:
    parts = (row["page"], row["branch"], row["preset"], row["grain"], row["mode"])
    return "-".join((f"{row['day']:%m%d}", *parts))


def test_the_covering_rows_hold_every_pair_and_every_value() -> None:
    rows = covering_rows(AXES)
    for a, b in itertools.combinations(AXES, 2):
        pairs = {(r[a], r[b]) for r in rows}
        assert pairs == set(itertools.product(AXES[a], AXES[b])), (a, b)
    assert len(rows) < 120  # 11 presets × 7 pages = 77 at the least


# --- rendering --------------------------------------------------------------------------------


def page_parameters(row: Mapping) -> dict:
    day = row["day"]
    params = {
        "branch": row["branch"],
        "preset": row["preset"],
        "grain": row["grain"],
        "date_from": "",
        "date_to": "",
    }
    if row["preset"] == "custom":
        start = day - dt.timedelta(days=CUSTOM_DAYS - 1)
        params.update(date_from=start.isoformat(), date_to=(day + dt.timedelta(days=1)).isoformat())
    return params


def render_static(module, params: dict, monkeypatch: pytest.MonkeyPatch) -> str:
    """The page as Papermill runs it (`prepare(static=True)`, then `present`): what it
    displays, as one HTML text."""
    import IPython.display

    shown: list[str] = []

    def display(*objects, raw: bool = False, **_options) -> None:
        for obj in objects:
            if raw:
                shown.append(obj.get("text/html") or obj.get("image/svg+xml") or "")
            else:
                shown.append(obj._repr_html_() if hasattr(obj, "_repr_html_") else str(obj))

    monkeypatch.setattr(IPython.display, "display", display)
    page = module.prepare(static=True, **params)
    module.present(page)
    return "".join(shown)


def render_live(module, params: dict) -> str:
    """The page built live (widgets, as a preheated kernel does), as its first paint shows it:
    every widget's HTML (tiles, tables, notices, error boxes; charts as boxes)."""
    page = module.prepare(static=False, **params)
    assert set(page.grains) <= set(GRAINS)
    return page.first_paint_html()


TILE = re.compile(
    r'<div class="pbi-tile" data-tile="([^"]*)"(.*?)(?=<div class="pbi-tile" |\Z)', re.S
)


def error_boxes(page_html: str) -> list[str]:
    """The texts of the error boxes and notices in the page."""
    found = re.findall(
        r'<div class="[^"]*\b(?:pbi-crash|pbi-notice|pulsebi-error)\b.*?</div>', page_html, re.S
    )
    return [re.sub(r"<[^>]+>", "", box)[:200] for box in found]


def unexplained_tiles(page_html: str) -> list[str]:
    """Tiles with neither a value nor a note saying why (key: what the value shows)."""
    out = []
    for key, body in TILE.findall(page_html):
        if "data-value=" not in body and "pbi-tile-note" not in body:
            value = re.search(r'class="pbi-tile-value"[^>]*>(.*?)</div>', body, re.S)
            out.append(f"{key}: {value.group(1) if value else '?'}")
    return out


def test_the_checks_see_error_boxes_and_unexplained_tiles() -> None:
    from pulsebi.dashboards.notices import crash_html, notice_html
    from pulsebi.widgets.tile import tile_html

    page_html = "".join(
        [
            tile_html(label="Revenue", value=12.5, unit="usd", key="a"),
            tile_html(label="Closing rate", value=None, unit="rate", key="b"),
            tile_html(
                label="Lead → sale", value=None, unit="rate", key="c", note="cohort maturing"
            ),
            crash_html("0badc0de"),
            notice_html("branch 'XXX' is unknown"),
        ]
    )
    assert len(error_boxes(page_html)) == 2
    assert [t.partition(":")[0] for t in unexplained_tiles(page_html)] == ["b"]


# Tiles found empty with no word why, per row (checked by test_every_empty_tile_says_why).
UNEXPLAINED: dict[str, list[str]] = {}


@pytest.fixture
def demo_page(demo_on, demo_clock, request):
    """The process's settings pointed at the row's demo database, its clock at the row's day."""
    import time_machine

    row = request.param
    settings = demo_on(row["day"])
    before = get_settings()
    use_settings(settings)
    now = dt.datetime.combine(row["day"], demo_clock, tzinfo=settings.zone)
    try:
        with time_machine.travel(now, tick=True):
            yield row
    finally:
        use_settings(before)


@pytest.mark.parametrize("demo_page", selected_rows(), ids=row_id, indirect=True)
def test_every_page_renders_without_an_error(demo_page, monkeypatch, caplog) -> None:
    """No exception, no error box or notice, nothing logged as an error, some tiles."""
    row = demo_page
    module = importlib.import_module(PAGES[row["page"]])
    params = page_parameters(row)
    caplog.set_level(logging.ERROR, logger="pulsebi")
    if row["mode"] == "static":
        page_html = render_static(module, params, monkeypatch)
    else:
        page_html = render_live(module, params)

    assert error_boxes(page_html) == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert TILE.search(page_html), "a page without a single tile"
    UNEXPLAINED[row_id(row)] = unexplained_tiles(page_html)


def test_every_empty_tile_says_why() -> None:
    """Over the rows rendered above: every tile a value or an explained empty state."""
    if not UNEXPLAINED:
        pytest.skip("run with test_every_page_renders_without_an_error (it records the tiles)")
    assert {row: tiles for row, tiles in UNEXPLAINED.items() if tiles} == {}
