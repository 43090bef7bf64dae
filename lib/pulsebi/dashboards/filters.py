"""A page's filters from its parameters and the page's query string, checked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import select

from pulsebi.db import get_engine
from pulsebi.db.schema import branches
from pulsebi.errors import UsageError
from pulsebi.settings import Settings, get_settings
from pulsebi.widgets.dates import GRAINS, PRESETS, local_today, preset_range
from pulsebi.widgets.filters import Filters

ALL_BRANCHES = ("", "all", "ALL", None)


def list_branches(settings: Settings | None = None) -> dict[str, str]:
    """Branch code → name, in code order."""
    engine = get_engine(settings or get_settings())
    with engine.connect() as conn:
        rows = conn.execute(select(branches.c.code, branches.c.name).order_by(branches.c.code))
        return {code: name for code, name in rows}


def _date(value: object, name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise UsageError(f"{name}={value!r} is not a date (YYYY-MM-DD)") from None


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
) -> Filters:
    """The page's filters: notebook parameters, overridden by the query string (`?branch=DAL`).

    `date_from`/`date_to` (exclusive) given → a custom range; else the preset's range.
    """
    query = query or {}
    branch = query.get("branch", branch)
    preset = query.get("preset", preset)
    grain = query.get("grain", grain)
    date_from = query.get("from", date_from)
    date_to = query.get("to", date_to)
    if branch in ALL_BRANCHES:
        branch = None
    elif branch not in known_branches:
        raise UsageError(
            f"branch {branch!r} is unknown; use all or one of {', '.join(known_branches)}"
        )
    if grain not in GRAINS:
        raise UsageError(f"grain {grain!r} is unknown; use one of {', '.join(GRAINS)}")
    start, end = _date(date_from, "date_from"), _date(date_to, "date_to")
    today = today or local_today()
    if start or end:
        preset = "custom"
        start, end = preset_range("custom", today, start, end or today + dt.timedelta(days=1))
    elif preset in PRESETS and preset != "custom":
        start, end = preset_range(preset, today)
    else:
        raise UsageError(f"date preset {preset!r} is unknown; use one of {', '.join(PRESETS)}")
    return Filters(start, end, branch, grain, preset)
