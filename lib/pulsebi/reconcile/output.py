"""Exception tables as JSON records, CSV or a terminal table (shared by the CLI and pages)."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


def to_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of JSON values: decimals as numbers (not rounded), times as ISO strings."""
    return [
        {column: json_value(value) for column, value in zip(frame.columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def json_value(value: Any) -> Any:
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def format_json(frame: pd.DataFrame) -> str:
    """An exception table as a JSON array of records (`pulsebi reconcile --format json`).

    Parameters
    ----------
    frame : pandas.DataFrame
        A check's result.

    Returns
    -------
    str
        One object per row, indented by 2: decimals as numbers (not rounded), dates and times
        as ISO strings, missing values as null (`to_records`).
    """
    return json.dumps(to_records(frame), indent=2)


def format_csv(frame: pd.DataFrame) -> str:
    """An exception table as CSV (`pulsebi reconcile --format csv`).

    Parameters
    ----------
    frame : pandas.DataFrame
        A check's result.

    Returns
    -------
    str
        A header line of the column names, then one line per row (pandas' ``to_csv``, no
        index): decimals as written, missing values empty.
    """
    return frame.to_csv(index=False)


def format_cell(value: Any) -> str:
    """A cell as text for people: money and shares as written, times to the second.

    Parameters
    ----------
    value : object
        One value of a check's result (Decimal, int, date, timestamp, text, None, NA...).

    Returns
    -------
    str
        Decimals as written (cents kept), a time as ``YYYY-MM-DD HH:MM:SS`` and its offset,
        '' for a missing value, anything else as `json_value` gives it, as text.
    """
    if isinstance(value, decimal.Decimal):
        return str(value)  # numeric(12,2) keeps its cents, shares their four decimals
    value = json_value(value)
    if value is None:
        return ""
    if isinstance(value, str) and len(value) > 19 and value[10] == "T":
        return value[:19].replace("T", " ") + value[-6:]
    return str(value)
