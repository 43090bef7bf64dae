"""A page's filters from its parameters and the page's query string, checked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import select

from pulsebi.db import get_engine
from pulsebi.db.schema import branches
from pulsebi.errors import UsageError
from pulsebi.settings import Settings, get_settings
from pulsebi.widgets.dates import GRAINS, PRESETS, local_today, preset_range
from pulsebi.widgets.filters import Filters

ALL_BRANCHES = ("", "all", "ALL", None)


def list_branches(settings: Settings | None = None) -> dict[str, str]:
    """The company's branches.

    Parameters
    ----------
    settings
        Whose database to read (default: the process's settings).

    Returns
    -------
    dict
        Branch code → name, in code order.
    """
    engine = get_engine(settings or get_settings())
    with engine.connect() as conn:
        rows = conn.execute(select(branches.c.code, branches.c.name).order_by(branches.c.code))
        return {code: name for code, name in rows}


def parse_date(value: object, name: str) -> dt.date | None:
    """A parameter's date: a date, or an ISO string (YYYY-MM-DD); None when unset.

    Parameters
    ----------
    value
        The parameter's value (None or "" for unset).
    name
        The parameter's name, for the message.

    Returns
    -------
    datetime.date or None

    Raises
    ------
    UsageError
        `value` is not a date.
    """
    if value in (None, ""):
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise UsageError(f"{name}={value!r} is not a date (YYYY-MM-DD)") from None


def today_source(today: object) -> Callable[[], dt.date] | None:
    """A page's `today` parameter as the function `Page` asks for the day.

    Parameters
    ----------
    today
        A date, YYYY-MM-DD, a function giving the day, or None / "" for the local today.

    Returns
    -------
    callable or None
        The function (a fixed day's for a date); None for the local today (read at each use).

    Raises
    ------
    UsageError
        `today` is not a date.
    """
    if callable(today):
        return today
    day = parse_date(today, "today")
    if day is None:
        return None

    def fixed() -> dt.date:
        return day

    return fixed


def resolve_filters(
    *,
    branch: str | None,
    preset: str,
    date_from: object,
    date_to: object,
    grain: str,
    known_branches: Mapping[str, str],
    query: Mapping[str, str] | None = None,
    today: dt.date | None = None,
    grains: Sequence[str] = GRAINS,
) -> Filters:
    """The page's filters: notebook parameters, overridden by the query string (`?branch=DAL`).

    Parameters
    ----------
    branch
        A branch code, or all ("all", "" or None).
    preset
        A date preset (`pulsebi.widgets.dates.PRESETS`), used unless a custom range is given.
    date_from
        The custom range's first day (YYYY-MM-DD or a date; "" for none).
    date_to
        The day after the custom range's last (exclusive; "" for tomorrow when `date_from`
        is given).
    grain
        The charts' buckets: day, week, month (as the page offers).
    known_branches
        Branch code → name (`list_branches`).
    query
        The page's query string: `branch`, `preset`, `from`, `to`, `grain` override the
        parameters; other keys (the login token...) are ignored.
    today
        The local date the presets count from (default: today in the reporting time zone).
    grains
        The grains the page offers.

    Returns
    -------
    Filters
        `date_from`/`date_to` given: a custom range; else the preset's range.

    Raises
    ------
    UsageError
        A value the page does not offer; the message names it and what to use instead.
    """
    query = query or {}
    branch = query.get("branch", branch)
    preset = query.get("preset", preset)
    grain = query.get("grain", grain)
    from_name = "from" if "from" in query else "date_from"
    to_name = "to" if "to" in query else "date_to"
    if "preset" in query and not ("from" in query or "to" in query):
        date_from = date_to = None  # the URL's preset, not the notebook's custom range
    date_from = query.get("from", date_from)
    date_to = query.get("to", date_to)
    if branch in ALL_BRANCHES:
        branch = None
    elif branch not in known_branches:
        raise UsageError(
            f"branch {branch!r} is unknown; use all or one of {', '.join(known_branches)}"
        )
    if grain not in grains:
        offered = "not offered on this page" if grain in GRAINS else "unknown"
        raise UsageError(f"grain {grain!r} is {offered}; use one of {', '.join(grains)}")
    start, end = parse_date(date_from, from_name), parse_date(date_to, to_name)
    today = today or local_today()
    if start or end:
        preset = "custom"
        start, end = preset_range("custom", today, start, end or today + dt.timedelta(days=1))
    elif preset == "custom":
        raise UsageError(f"a custom date range needs {from_name} and {to_name} (YYYY-MM-DD)")
    elif preset in PRESETS:
        start, end = preset_range(preset, today)
    else:
        raise UsageError(f"date preset {preset!r} is unknown; use one of {', '.join(PRESETS)}")
    return Filters(start, end, branch, grain, preset)


def chart_span(filters: Filters) -> dict[str, Any]:
    """`ChartSpec` arguments for a chart of the page's period per grain bucket.

    With them a chart marks the buckets the period cuts (a month to date, a week it starts in
    the middle of) as partial, so they do not read as collapses.

    Parameters
    ----------
    filters
        The page's filters.

    Returns
    -------
    dict
        ``period`` ([date_from, date_to)) and ``grain``, to pass to `pulsebi.charts.ChartSpec`.
    """
    return {"period": (filters.date_from, filters.date_to), "grain": filters.grain}
