"""The CMO's home, "Marketing overview": today's lead flow and revenue, and the five branches
side by side on the marketing funnel, ranked, against the previous period and last year.

Every figure comes from `pulsebi.metrics` through the dashboards' comparison helpers.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from pulsebi import metrics
from pulsebi.dashboards.figures import compare_to_date, plain
from pulsebi.dashboards.filters import list_branches, resolve_filters, today_source
from pulsebi.dashboards.page import Page, Section, Table, Tile, Tiles
from pulsebi.widgets.dates import local_today, preset_range
from pulsebi.widgets.filters import Filters

TITLE = "Marketing overview"
SIDE_BY_SIDE = (
    ("net_revenue", "Net revenue", "usd"),
    ("leads", "Leads", "count"),
    ("lead_to_appointment_rate", "Lead → appointment", "rate"),
    ("closing_rate", "Closing rate", "rate"),
    ("lead_to_sale_rate", "Lead → sale", "rate"),
    ("marketing_roi", "Marketing ROI", "score"),
)


def today_tiles(filters: Filters) -> list[Any]:
    """Leads and net revenue today, and net revenue month to date, against last year.

    Parameters
    ----------
    filters
        The page's filters (their branch; the periods are today's).

    Returns
    -------
    list
        One `Tiles` block.
    """
    today = local_today()
    tiles = []
    for metric, preset, label, unit in (
        ("leads", "today", "Leads today", "count"),
        ("net_revenue", "today", "Revenue today", "usd"),
        ("net_revenue", "month_to_date", "Revenue month to date", "usd"),
    ):
        c = compare_to_date(metric, preset_range(preset, today), filters.branch)
        key = f"cmo-{metric}-{preset.replace('_', '-')}"
        tiles.append(Tile(label, c.current, unit, metric, c.last_year, c.against(), key=key))
    return [Tiles(tiles, columns=3)]


def side_by_side_frame(filters: Filters, branches: dict[str, str]) -> pd.DataFrame:
    """The branches × the funnel metrics for the period, with rank and changes.

    Parameters
    ----------
    filters
        The page's filters (their period).
    branches
        Branch code → name, the rows.

    Returns
    -------
    pandas.DataFrame
        One row per branch: per metric its value, its rank (1 = best), its change vs the
        previous period and vs last year (fractions; None when not compared).
    """
    period = (filters.date_from, filters.date_to)
    rows = []
    for code, name in branches.items():
        row: dict[str, Any] = {"Branch": name}
        for metric, label, _ in SIDE_BY_SIDE:
            c = compare_to_date(metric, period, code, previous=True)
            row[label] = plain(c.current)
            row[f"{label} vs previous"] = _change(c.current, c.previous)
            row[f"{label} vs last year"] = _change(c.current, c.last_year)
        rows.append(row)
    df = pd.DataFrame(rows)
    for _, label, _ in SIDE_BY_SIDE:
        df.insert(
            df.columns.get_loc(label) + 1,
            f"{label} rank",
            df[label].astype(float).rank(ascending=False, method="min"),  # NaN: no figure
        )
    return df


def _change(current: Any, before: Any) -> float | None:
    current, before = plain(current), plain(before)
    if current is None or before is None or pd.isna(current) or pd.isna(before) or not before:
        return None
    return float(current) / float(before) - 1


def side_by_side(filters: Filters, branches: dict[str, str]) -> list[Any]:
    """The "Branches side by side" table (`side_by_side_frame`), formatted.

    Parameters
    ----------
    filters
        The page's filters.
    branches
        Branch code → name.

    Returns
    -------
    list
        One `Table` block.
    """
    formats = {}
    for _, label, unit in SIDE_BY_SIDE:
        formats[label] = unit  # a `pulsebi.charts` unit
        formats[f"{label} rank"] = "count"
        formats[f"{label} vs previous"] = "rate"
        formats[f"{label} vs last year"] = "rate"
    df = side_by_side_frame(filters, branches)
    return [Table(df, "Branches side by side", formats=formats)]


def build(
    *,
    preset: str = "month_to_date",
    date_from: str = "",
    date_to: str = "",
    query: str = "",
    today: Any = None,
) -> Page:
    """The Marketing overview for the notebook's parameters (not computed yet).

    Parameters
    ----------
    preset
        The side-by-side table's period preset (default month to date).
    date_from, date_to
        A custom range (YYYY-MM-DD, to exclusive; "" for none).
    query
        The page's query string, overriding the parameters.
    today
        The local date the presets count from (default: today).

    Returns
    -------
    Page
        `Page.prepare` or `Page.show` computes it.
    """
    clock = today_source(today)
    known = list_branches()
    filters = resolve_filters(
        branch="all",
        preset=preset,
        date_from=date_from,
        date_to=date_to,
        grain="day",
        known_branches=known,
        query=query,
        today=clock() if clock else None,
    )
    sections = [
        Section("Today", lambda f: today_tiles(f)),
        Section("Branches side by side", lambda f: side_by_side(f, known)),
    ]
    page = Page(TITLE, sections, filters, known, data_as_of=metrics.data_as_of, today=clock)
    page.parameters = {"preset": preset, "date_from": date_from, "date_to": date_to}
    return page


def prepare(*, static: bool = False, **parameters: Any) -> Page:
    """The page computed and (live) built, not shown yet (see `present`).

    Parameters
    ----------
    static
        True under Papermill, False under Voilà.
    **parameters
        `build`'s.

    Returns
    -------
    Page
        Ready for `present`.
    """
    from pulsebi.charts import use_mode

    use_mode(static)
    page = build(**parameters)
    if not static:
        page.prepare()
    return page


def present(page: Page) -> None:
    """Show a prepared page, applying its query string first.

    Parameters
    ----------
    page
        From `prepare`.
    """
    page.present()
