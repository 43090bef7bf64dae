"""The Trends page's trend-and-seasonality and growth sections (see `trends_sections`)."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from pulsebi.charts import ChartSpec
from pulsebi.dashboards.page import Chart, Html, Table, Tile, Tiles
from pulsebi.dashboards.trends_results import seasonality_view
from pulsebi.dashboards.trends_view import Loaded, quiet_html

INDEX_TITLES = {
    "weekday": "Weekday index",
    "month": "Month-of-year index",
    "quarter": "Quarter index",
}
COMPONENTS = {"weekday": "weekly cycle", "month": "yearly cycle", "quarter": "yearly cycle"}


def seasonality_blocks(loaded: Loaded) -> list[Any]:
    """The STL decomposition: strengths, trend, seasonal and remainder, the seasonal indices.

    Parameters
    ----------
    loaded
        The series.

    Returns
    -------
    list
        Page blocks.

    Raises
    ------
    TrendInputError
        A series too short for its cycle (`pulsebi.trends.seasonality`).
    """
    view = seasonality_view(loaded.request, loaded.series)
    unit, grain = loaded.unit, loaded.grain
    parts = ", ".join(
        f"{COMPONENTS.get(name, name)} {value:.2f}" for name, value in view["strengths"].items()
    )
    tiles = [
        Tile(
            "Trend strength",
            view["strength_trend"],
            "score",
            note="0: no trend beyond noise; 1: all trend",
            key="trend-strength",
        ),
        Tile(
            "Seasonal strength",
            view["strength_seasonal"],
            "score",
            note=parts or "no seasonal part fitted",
            key="seasonal-strength",
        ),
    ]
    frame = view["frame"]
    blocks: list[Any] = [Tiles(tiles, columns=3), Html(quiet_html(view["describe"]))]
    blocks.append(
        Chart(
            ChartSpec(
                "line",
                frame[["date", "value", "trend"]],
                x="date",
                y=["value", "trend"],
                title=f"{loaded.label} and its trend",
                units=unit,
                names={"value": loaded.label, "trend": "Trend"},
                grain=grain,
                height=300,
            )
        )
    )
    if view["indices"]:
        blocks.append(
            Chart(
                ChartSpec(
                    "line",
                    frame[["date", "seasonal", "remainder"]],
                    x="date",
                    y=["seasonal", "remainder"],
                    title="Seasonal part and remainder (what trend and season leave)",
                    units=unit,
                    names={"seasonal": "Seasonal", "remainder": "Remainder"},
                    grain=grain,
                    height=280,
                )
            )
        )
    for name, index in view["indices"].items():
        bars = pd.DataFrame({"label": [str(k) for k in index.index], "index": index.to_numpy()})
        per = {"day": "a day", "week": "a week", "month": "a month"}[grain]
        blocks.append(
            Chart(
                ChartSpec(
                    "bar",
                    bars,
                    x="label",
                    y="index",
                    title=f"{INDEX_TITLES.get(name, name)}: above or below the average, {per}",
                    units=unit,
                    names={"index": INDEX_TITLES.get(name, name)},
                    height=260,
                )
            )
        )
    if view["indices"]:
        blocks.append(index_table(view, unit))
    return blocks


def index_table(view: dict[str, Any], unit: str) -> Table:
    """Every seasonal index: additive (in the series' unit) and, for a positive series, as a
    share of its mean.

    Parameters
    ----------
    view
        `seasonality_view`'s result.
    unit
        The series' unit.

    Returns
    -------
    Table
    """
    rows = []
    for name, index in view["indices"].items():
        relative = view["relative"].get(name)
        for label, value in index.items():
            share = relative[label] if relative is not None else math.nan
            rows.append((INDEX_TITLES.get(name, name), str(label), value, share))
    frame = pd.DataFrame(rows, columns=["index", "period", "effect", "share"])
    formats = {"effect": unit, "share": "rate"}
    labels = {"effect": "Above / below average", "share": "As a share of the mean"}
    return Table(frame, "Seasonal indices", formats, labels=labels, max_rows=None)


# --- growth -----------------------------------------------------------------------------------


def growth_blocks(loaded: Loaded) -> list[Any]:
    """Period over period, year over year, CAGR, rolling 4-, 13- and 52-week growth.

    Parameters
    ----------
    loaded
        The series.

    Returns
    -------
    list
        One `Table`: each measure, its growth (percent, or points for a rate), the two
        amounts compared.

    Raises
    ------
    TrendInputError
        A series without a bucket (`pulsebi.trends.growth`).
    """
    from pulsebi.trends.growth import growth

    frame = growth(loaded.series).to_frame()
    table = pd.DataFrame(
        {
            "measure": frame["label"],
            "growth": [
                growth_text(v, u) for v, u in zip(frame["value"], frame["unit"], strict=True)
            ],
            "current": frame["current"].astype(float),
            "base": frame["base"].astype(float),
        }
    )
    formats = {"current": loaded.unit, "base": loaded.unit}
    labels = {"current": "Now", "base": "Compared with"}
    return [Table(table, "Growth", formats, labels=labels, max_rows=None)]


def growth_text(value: float, unit: str) -> str:
    """ "+12.3%", "−3.0 pts" (a rate's change in points), "—" for none.

    Parameters
    ----------
    value
        A fraction (0.123) or, for points, a rate's difference (0.03).
    unit
        "percent" or "points".

    Returns
    -------
    str
    """
    if value is None or math.isnan(value):
        return "—"
    if unit == "points":
        return f"{100 * value:+.1f} pts".replace("-", "−")
    return f"{value:+.1%}".replace("-", "−")
