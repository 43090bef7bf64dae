"""The Trends page's sections: the series and its anomalies, this year against last year, the
trend and seasonality, growth, and the forecast, each a list of page blocks.

Every section loads the same series (the metric layer caches it) and asks one trend method;
what its data cannot give it says in place (`trends_view.in_place`). The seasonality and growth
sections are in `trends_seasons`, the forecast in `trends_forecast`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from pulsebi.charts import Band, BandSpec, ChartSpec
from pulsebi.dashboards.page import Chart, Html, Table, Tile, Tiles
from pulsebi.dashboards.trends_data import SENSITIVITY
from pulsebi.dashboards.trends_results import anomaly_view
from pulsebi.dashboards.trends_view import (
    Loaded,
    bucket_label,
    number,
    plural,
    quiet_html,
    with_dates,
)

# --- the series and its anomalies ------------------------------------------------------------


def series_blocks(loaded: Loaded) -> list[Any]:
    """Tiles (last bucket, anomalies), the series in its expected band, the anomalies table.

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
        A series too short to judge (`pulsebi.trends.anomalies`).
    """
    from pulsebi.trends.yoy import yoy

    view = anomaly_view(loaded.request, loaded.series)
    frame, explained = view["frame"], view["explained"]
    grain, unit = loaded.grain, loaded.unit
    flagged = frame[frame["anomaly"].astype(bool)]
    last = frame.iloc[-1]
    last_year = yoy(loaded.series).calendar["last_year"].iloc[-1]
    tiles = [
        Tile(
            _capital(bucket_label(last["date"], grain)),
            number(last["value"]),
            unit,
            previous=number(last_year),
            comparison=f"vs same {grain} last year",
            note=explained.get(pd.Timestamp(last["date"]).date().isoformat(), ""),
            key="trend-last",
        ),
        Tile(
            "Anomalies",
            len(flagged),
            "count",
            note=f"{grain}s out of their expected band, of {len(frame):,} ({SENSITIVITY}"
            " sensitivity)",
            key="trend-anomalies",
        ),
    ]
    if len(flagged):
        latest = flagged.iloc[-1]
        day = pd.Timestamp(latest["date"]).date()
        tiles.append(
            Tile(
                "Latest anomaly",
                number(latest["value"]),
                unit,
                note=f"{bucket_label(day, grain)}: {explained.get(day.isoformat(), '')}",
                key="trend-latest-anomaly",
            )
        )
    else:
        tiles.append(
            Tile(
                "Latest anomaly", None, unit, note="none in this range", key="trend-latest-anomaly"
            )
        )
    blocks: list[Any] = [Tiles(tiles, columns=3)]
    if loaded.note:
        blocks.append(Html(quiet_html(loaded.note)))
    blocks.append(Chart(band_chart(loaded, frame)))
    if len(flagged):
        blocks.append(anomaly_table(loaded, flagged, explained))
    else:
        blocks.append(
            Html(quiet_html(f"No {grain} is out of its expected band ({SENSITIVITY} sensitivity)."))
        )
    return blocks


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def band_chart(loaded: Loaded, frame: pd.DataFrame) -> BandSpec:
    """The series, its expected value and band, its anomalies marked.

    Parameters
    ----------
    loaded
        The series.
    frame
        The anomalies frame (date, value, expected, lower, upper, anomaly...).

    Returns
    -------
    BandSpec
    """
    data = frame[["date", "value", "expected", "lower", "upper", "anomaly"]].copy()
    data["anomaly"] = data["anomaly"].astype(bool)
    return BandSpec(
        "line",
        data,
        x="date",
        y=["value", "expected"],
        title=f"{loaded.label} per {loaded.grain}, with the band its past expects",
        units=loaded.unit,
        names={"value": loaded.label, "expected": "Expected"},
        height=360,
        grain=loaded.grain,
        bands=(Band("lower", "upper", "Expected band", opacity=0.22),),
        markers="anomaly",
        marker_label="Anomaly (out of band)",
        dashed=("expected",),
    )


def anomaly_table(loaded: Loaded, flagged: pd.DataFrame, explained: dict[str, str]) -> Table:
    """The flagged points, latest first, each with its sentence.

    Parameters
    ----------
    loaded
        The series.
    flagged
        The anomalies frame's flagged rows.
    explained
        ISO date → sentence.

    Returns
    -------
    Table
    """
    rows = with_dates(flagged)
    rows["explanation"] = [explained.get(d.isoformat(), "") for d in rows["date"]]
    rows["direction"] = rows["direction"].fillna("")
    rows = rows[["date", "value", "expected", "lower", "upper", "direction", "explanation"]]
    rows = rows.iloc[::-1].reset_index(drop=True)
    unit = loaded.unit
    formats = {c: unit for c in ("value", "expected", "lower", "upper")}
    labels = {"lower": "Band from", "upper": "Band to", "direction": "High/low"}
    return Table(rows, "Anomalies", formats, labels=labels, max_rows=40)


# --- this year against last year ---------------------------------------------------------------

# the chart's buckets: the last year (of days, the last 13 weeks: a year of days is a blur)
SHOWN = {"day": 91, "week": 52, "month": 12}
SPAN = {"day": "13 weeks", "week": "52 weeks", "month": "12 months"}
LISTED = {"day": 14, "week": 13, "month": 12}  # the table's
SAME = {
    "day": "Same date last year",
    "week": "Same week last year",
    "month": "Same month last year",
}


def yoy_blocks(loaded: Loaded) -> list[Any]:
    """The last year's buckets against the year before (calendar-aligned; for days also a
    weekday against the same weekday 364 days before), as a chart and the latest as a table.

    Parameters
    ----------
    loaded
        The series.

    Returns
    -------
    list
        Page blocks.
    """
    from pulsebi.trends.yoy import yoy

    res = yoy(loaded.series)
    grain, unit = loaded.grain, loaded.unit
    frame = with_dates(res.to_frame())
    if res.note:
        return [Html(quiet_html(res.note))]
    shown = frame.tail(SHOWN[grain])
    columns = ["value", "last_year"] + (["last_year_weekday"] if res.weekday is not None else [])
    names = {
        "value": f"Last {plural(len(shown), grain)}",
        "last_year": SAME[grain],
        "last_year_weekday": "Same weekday last year (364 days before)",
    }
    chart = ChartSpec(
        "line",
        shown[["date", *columns]],
        x="date",
        y=columns,
        title=f"{loaded.label}: the last {SPAN[grain]} against a year before",
        units=unit,
        names=names,
        grain=grain,
        height=320,
    )
    listed = frame.tail(LISTED[grain]).iloc[::-1].reset_index(drop=True)
    keep = ["date", "value", "last_year", "change", "change_pct"]
    if res.weekday is not None:
        keep += ["last_year_weekday", "change_pct_weekday"]
    points = unit == "rate"
    formats = {"value": unit, "last_year": unit, "change": unit, "change_pct": "rate"}
    formats |= {"last_year_weekday": unit, "change_pct_weekday": "rate"}
    labels = {
        "last_year": SAME[grain],
        "change": "Change (points)" if points else "Change",
        "change_pct": "Change %",
        "last_year_weekday": "Same weekday last year",
        "change_pct_weekday": "Change % (weekday)",
    }
    formats = {k: v for k, v in formats.items() if k in keep}
    table = Table(listed[keep], "Year over year", formats, labels=labels, max_rows=None)
    return [Chart(chart), table]
