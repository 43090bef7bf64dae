"""Number formats shared by charts, tables and tiles: one unit, one look, everywhere.

Units are those of `export.UNITS`. Money shows to the cent in tables and tooltips
($1,234,567.89), compact in headline tiles ($1.23M, the exact value on hover) and in whole
dollars on axes ($1,234,567); rates are fractions shown as percent (0.123 → 12.3%); a missing
value (None, NaN, NaT) shows as an em dash. Date buckets read as "Jan 2026" (months), "Nov 30"
(days and weeks) or "2026" (years).
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from dataclasses import dataclass
from typing import Any

from pulsebi.charts.export import UNITS
from pulsebi.errors import UsageError

MISSING = "—"
_SUFFIX = {"hours": " h", "days": " d", "ms": " ms"}
# d3-format strings for bqplot axes and tooltips (d3 has no suffixes: the axis label says the unit)
D3_AXIS = {
    "usd": "$,.0f",
    "count": ",.0f",
    "rate": ".0%",
    "hours": ",.1f",
    "days": ",.1f",
    "ms": ",.0f",
    "score": ",.1f",
}
D3_TOOLTIP = {**D3_AXIS, "usd": "$,.2f", "rate": ".1%", "score": ",.2f"}
AXIS_LABEL = {"hours": "hours", "days": "days", "ms": "ms"}  # $ and % say it on the ticks


def check_unit(unit: str) -> str:
    if unit not in UNITS:
        raise UsageError(f"unit {unit!r} is unknown; use one of {', '.join(UNITS)}")
    return unit


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float | decimal.Decimal):
        return math.isnan(value)
    try:
        import pandas as pd

        return value is pd.NaT or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))
    except (TypeError, ValueError):
        return False


def format_value(value: Any, unit: str, *, cents: bool = True) -> str:
    """`value` as shown to people: `format_value(1234.5, "usd")` → '$1,234.50'."""
    check_unit(unit)
    if is_missing(value):
        return MISSING
    if unit == "text":
        return _format_text(value)
    number = _to_decimal(value)
    if unit == "usd":
        places = decimal.Decimal("0.01") if cents else decimal.Decimal("1")
        amount = number.quantize(places, rounding=decimal.ROUND_HALF_UP)
        text = f"{abs(amount):,.{2 if cents else 0}f}"
        return f"-${text}" if amount < 0 else f"${text}"
    if unit == "rate":
        return f"{number * 100:,.1f}%"
    if unit == "count":
        if number == number.to_integral_value():
            return f"{number:,.0f}"
        return f"{number:,.1f}"
    if unit == "score":
        return f"{number:,.2f}"
    if unit == "ms":
        return f"{number:,.0f}{_SUFFIX['ms']}" if abs(number) >= 100 else f"{number:,.1f} ms"
    return f"{number:,.1f}{_SUFFIX[unit]}"


def format_compact(value: Any, unit: str) -> str:
    """A headline figure: money in three significant digits with K/M/B/T ($73.6M, $412K,
    $5.73K), whole dollars under $1,000 ($950); other units as `format_value`."""
    if unit != "usd" or is_missing(value):
        return format_value(value, unit)
    number = _to_decimal(value)
    sign, number = ("-" if number < 0 else ""), abs(number)
    whole = number.quantize(decimal.Decimal(1), rounding=decimal.ROUND_HALF_UP)
    if whole < 1000:
        return f"{sign}${whole:,.0f}" if whole else "$0"
    for power, suffix in reversed(_COMPACT):  # K first; 999.95K rounds up to 1M
        scaled = number / power
        places = max(0, 3 - len(str(int(scaled))))
        scaled = scaled.quantize(decimal.Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_UP)
        if scaled < 1000 or suffix == _COMPACT[0][1]:
            text = f"{scaled:f}"
            return f"{sign}${text.rstrip('0').rstrip('.') if '.' in text else text}{suffix}"
    raise AssertionError("unreachable")


_COMPACT = (
    (decimal.Decimal(10) ** 12, "T"),
    (decimal.Decimal(10) ** 9, "B"),
    (decimal.Decimal(10) ** 6, "M"),
    (decimal.Decimal(10) ** 3, "K"),
)


def date_format(grain: str | None, dates: Any) -> str:
    """strftime format of date bucket labels: by `grain` when known, else from the dates
    (all 1sts of a month → months). Days and weeks name the year when the dates span two."""
    dates = list(dates)
    if grain == "year":
        return "%Y"
    if grain == "month" or (grain is None and dates and all(d.day == 1 for d in dates)):
        return "%b %Y"
    if len({d.year for d in dates}) > 1:
        return "%b %-d %Y"
    return "%b %-d"


def format_axis(value: Any, unit: str) -> str:
    """A tick label: like `format_value` but whole dollars and no unit suffix."""
    if unit == "usd":
        return format_value(value, "usd", cents=False)
    if unit == "rate":
        return MISSING if is_missing(value) else f"{_to_decimal(value) * 100:,.0f}%"
    if unit in _SUFFIX:
        return MISSING if is_missing(value) else f"{_to_decimal(value):,.1f}".removesuffix(".0")
    return format_value(value, unit)


def format_label(value: Any) -> str:
    """A category or x label: dates as ISO dates, the rest as text."""
    if is_missing(value):
        return MISSING
    return _format_text(value)


def _format_text(value: Any) -> str:
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime) and value.time() == dt.time(0) and value.tzinfo is None:
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _to_decimal(value: Any) -> decimal.Decimal:
    if isinstance(value, decimal.Decimal):
        return value
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UsageError(f"{value!r} is not a number; a numeric unit needs numbers")
    return decimal.Decimal(repr(value)) if isinstance(value, float) else decimal.Decimal(value)


@dataclass(frozen=True)
class Change:
    """A value's change against a comparison: arrow ▲/▼/■, text, and tone good/bad/neutral."""

    arrow: str
    text: str
    tone: str
    ratio: float | None  # relative change (0.1 = +10%), or points for rates

    @property
    def missing(self) -> bool:
        return self.ratio is None


def describe_change(
    current: Any, previous: Any, unit: str, better: str | None = "higher"
) -> Change:
    """Change from `previous` to `current`. Rates change in percentage points, the rest in percent.

    `better` is "higher", "lower" or None (no judgement: the tone stays neutral).
    """
    if is_missing(current) or is_missing(previous):
        return Change("", MISSING, "neutral", None)
    cur, prev = float(current), float(previous)
    if unit == "rate":
        delta = cur - prev
        text = f"{abs(delta) * 100:,.1f} pp"
    else:
        if prev == 0:
            return Change("", MISSING, "neutral", None)
        delta = (cur - prev) / abs(prev)
        text = f"{abs(delta) * 100:,.1f}%"
    if round(delta, 6) == 0:
        return Change("■", "0.0 pp" if unit == "rate" else "0.0%", "neutral", 0.0)
    arrow = "▲" if delta > 0 else "▼"
    if better not in ("higher", "lower"):
        tone = "neutral"
    else:
        tone = "good" if (delta > 0) == (better == "higher") else "bad"
    return Change(arrow, text, tone, delta)
