"""The Trends page's forecast section: to the end of the quarter and of the year, with 80% and
95% intervals and the model named (`pulsebi.trends.forecast` chooses it per series).

The forecast starts at the bucket after the series' last (today's, on the default range) and
runs to the bucket holding 31 December of that year; the tiles add up (money, counts) or
average (rates and the like) the forecasts to the quarter's end and to the year's.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from pulsebi.charts import Band, BandSpec, format_value
from pulsebi.charts.style import PALETTE
from pulsebi.dashboards.page import Chart, Html, Table, Tile, Tiles
from pulsebi.dashboards.trends_results import forecast_ends, forecast_view
from pulsebi.dashboards.trends_view import Loaded, bucket_label, plural, with_dates

HISTORY = {"day": 180, "week": 78, "month": 24}  # buckets of history the chart shows
ADDITIVE = ("usd", "count")
COLUMNS = ("forecast", "lower_80", "upper_80", "lower_95", "upper_95")


def forecast_blocks(loaded: Loaded) -> list[Any]:
    """The model chosen, the quarter's and the year's totals, the fan chart, the table.

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
        A series too short to forecast (`pulsebi.trends.forecast`).
    """
    from pulsebi.trends.forecast import horizon_to

    series, grain, unit = loaded.series, loaded.grain, loaded.unit
    first, quarter_end, year_end = forecast_ends(series)
    to_quarter = max(1, horizon_to(series, quarter_end))
    to_year = max(to_quarter, horizon_to(series, year_end))
    view = forecast_view(loaded.request, series, to_year)
    frame = view["frame"]
    quarter = f"Q{(quarter_end.month - 1) // 3 + 1} {quarter_end.year}"
    spans = [("quarter", f"Forecast, rest of {quarter}", to_quarter, quarter_end)]
    if to_year > to_quarter:
        spans.append(("year", f"Forecast, rest of {year_end.year}", to_year, year_end))
    else:  # the year ends with the quarter
        spans[0] = ("quarter", f"Forecast, rest of {quarter} and of {year_end.year}", *spans[0][2:])
    tiles = [_total_tile(key, label, frame, n, loaded, end) for key, label, n, end in spans]
    tiles.append(
        Tile(
            "Next " + grain,
            _shown(frame["forecast"].iloc[0], unit),
            unit,
            note=f"{bucket_label(first, grain)}; 80%: {_interval(frame.iloc[0], '80', unit)}",
            key="forecast-next",
        )
    )
    model = (
        f'<div class="pbi-forecast-model" style="margin:4px 0 8px">Model: '
        f"<b>{html.escape(view['model'])}</b>. {html.escape(_how(view['explain']))}</div>"
    )
    blocks: list[Any] = [Html(model), Tiles(tiles, columns=3), Chart(fan_chart(loaded, view))]
    table = with_dates(frame)
    formats = {c: unit for c in COLUMNS}
    labels = {
        "lower_80": "80% from",
        "upper_80": "80% to",
        "lower_95": "95% from",
        "upper_95": "95% to",
    }
    blocks.append(Table(table, "Forecast", formats, labels=labels, max_rows=60))
    blocks.append(candidate_table(view["candidates"]))
    return blocks


def fan_chart(loaded: Loaded, view: dict[str, Any]) -> BandSpec:
    """The last buckets of history, then the forecast in its 95% and 80% bands.

    The forecast line and its bands start at the last actual value, so the fan opens from it.

    Parameters
    ----------
    loaded
        The series.
    view
        `forecast_view`'s result.

    Returns
    -------
    BandSpec
    """
    history = loaded.series.values.tail(HISTORY[loaded.grain])
    past = pd.DataFrame({"date": history.index, "value": history.to_numpy()})
    for column in COLUMNS:
        past[column] = float("nan")
    past.loc[past.index[-1], list(COLUMNS)] = past["value"].iloc[-1]
    future = view["frame"][["date", *COLUMNS]].copy()
    future["value"] = float("nan")
    data = pd.concat([past, future[past.columns]], ignore_index=True)
    colour = PALETTE[1]
    return BandSpec(
        "line",
        data,
        x="date",
        y=["value", "forecast"],
        title=f"{loaded.label}: forecast to the end of the year",
        units=loaded.unit,
        names={"value": "Actual", "forecast": f"Forecast ({view['model']})"},
        height=340,
        grain=loaded.grain,
        bands=(
            Band("lower_95", "upper_95", "95% interval", color=colour, opacity=0.14),
            Band("lower_80", "upper_80", "80% interval", color=colour, opacity=0.28),
        ),
        dashed=("forecast",),
        colors={"forecast": colour},
    )


def candidate_table(candidates: pd.DataFrame) -> Table:
    """How the model was chosen: each candidate's criterion value, the chosen one marked.

    Parameters
    ----------
    candidates
        `ForecastResults.candidates` (model, criterion, value, chosen).

    Returns
    -------
    Table
    """
    rows = candidates[["model", "criterion", "value", "chosen"]].copy()
    # the final choice (the backtest) first, then the ETS family by AICc
    rows["_last"] = rows["criterion"] != "MASE"
    rows = rows.sort_values(["_last", "value"], kind="stable").drop(columns="_last")
    rows = rows.reset_index(drop=True)
    rows["chosen"] = ["✓" if c else "" for c in rows["chosen"]]
    rows["value"] = rows["value"].astype(float)
    labels = {"value": "Value (lower is better)"}
    name = "How the model was chosen"
    return Table(rows, name, {"value": "score"}, labels=labels, max_rows=8)


def _total_tile(
    key: str, label: str, frame: pd.DataFrame, n: int, loaded: Loaded, end: Any
) -> Tile:
    rows = frame.head(n)
    unit, grain = loaded.unit, loaded.grain
    if unit in ADDITIVE:
        value, how = _shown(rows["forecast"].sum(), unit), "sum"
    else:
        value, how = _shown(rows["forecast"].mean(), unit), "average"
    first = bucket_label(rows["date"].iloc[0], grain)
    note = f"{how} of {plural(n, grain)} forecast, {first} to {end:%b %d}"
    return Tile(label, value, unit, note=note, key=f"forecast-{key}")


def _shown(value: Any, unit: str) -> float:
    """A forecast as a tile shows it: counts whole (a forecast of 752.1 leads is one of 752)."""
    return float(round(value)) if unit == "count" else float(value)


def _interval(row: pd.Series, level: str, unit: str) -> str:
    lower, upper = row[f"lower_{level}"], row[f"upper_{level}"]
    return f"{format_value(lower, unit)}–{format_value(upper, unit)}"


def _how(explain: str) -> str:
    """ "Theta: backtest MASE 0.23 (...)" → "Chosen by backtest MASE 0.23 (...)." """
    rest = explain.partition(": ")[2]
    text = f"Chosen by {rest}" if rest else explain
    return text if text.endswith(".") else text + "."
