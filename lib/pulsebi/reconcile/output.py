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
    return json.dumps(to_records(frame), indent=2)


def format_csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False)


def format_cell(value: Any) -> str:
    """A cell as text for people: money and shares as written, times to the second."""
    if isinstance(value, decimal.Decimal):
        return str(value)  # numeric(12,2) keeps its cents, shares their four decimals
    value = json_value(value)
    if value is None:
        return ""
    if isinstance(value, str) and len(value) > 19 and value[10] == "T":
        return value[:19].replace("T", " ") + value[-6:]
    return str(value)
