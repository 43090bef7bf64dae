"""The filters every check takes: a branch code and a period of local dates [from, to)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from pulsebi.errors import UsageError

ALL_BRANCHES = "all"


@dataclass(frozen=True)
class Filters:
    """`branch` is a branch code (None: all); `date_from` inclusive, `date_to` exclusive."""

    branch: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def params(self, tz: str) -> dict[str, Any]:
        return {
            "branch": self.branch,
            "date_from": self.date_from,
            "date_to": self.date_to,
            "tz": tz,
        }


def parse_filters(
    branch: str | None = None,
    date_from: str | dt.date | None = None,
    date_to: str | dt.date | None = None,
) -> Filters:
    """Validate filters given as text (CLI, notebook parameters) or as dates.

    The branch code is not looked up here (`check_branch` does, with a connection).

    Parameters
    ----------
    branch : str, optional
        A branch code; None, ``""`` (or blanks) or ``"all"``: every branch. Other values are
        taken as text (``str(branch)``).
    date_from : datetime.date or str, optional
        First local date of the period, a date or ``"YYYY-MM-DD"``; None or ``""``: no lower
        bound.
    date_to : datetime.date or str, optional
        The day after the period's last day (exclusive), as `date_from`; None or ``""``: no
        upper bound.

    Returns
    -------
    Filters
        The branch code (None: every branch) and the dates as `datetime.date` (None: open).

    Raises
    ------
    UsageError
        If a date is a datetime or not ``YYYY-MM-DD``, or `date_from` is after `date_to`; the
        message names the option (``--from`` / ``--to``) and the form to use.
    """
    if branch is not None:
        branch = str(branch)
        if branch.strip() in ("", ALL_BRANCHES):
            branch = None
    start = _parse_date(date_from, "--from")
    end = _parse_date(date_to, "--to")
    if start and end and start > end:
        raise UsageError(f"--from {start} is after --to {end}; the period is [from, to)")
    return Filters(branch, start, end)


def _parse_date(value: str | dt.date | None, name: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        raise UsageError(f"{name} takes a date (YYYY-MM-DD), not a time: {value!r}")
    if isinstance(value, dt.date):
        return value
    text_value = str(value).strip()
    try:
        if len(text_value) != 10:
            raise ValueError
        return dt.date.fromisoformat(text_value)
    except ValueError:
        raise UsageError(f"{name} {value!r} is not a date; use YYYY-MM-DD") from None


def check_branch(conn: Connection, branch: str | None) -> None:
    """Raise UsageError when `branch` names no branch in crm.branches.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        An open connection to the database checked.
    branch : str or None
        A branch code; None (every branch) always passes.

    Raises
    ------
    UsageError
        If no row of crm.branches has this code; the message lists the codes there are.
    """
    if branch is None:
        return
    found = conn.execute(
        text("select 1 from crm.branches where code = :code limit 1"), {"code": branch}
    ).first()
    if found is None:
        codes = conn.execute(text("select distinct code from crm.branches order by code")).scalars()
        known = ", ".join(codes) or "none: crm.branches is empty"
        raise UsageError(f"unknown branch {branch!r}; known branch codes: {known}")


# the local date each check filters on (the contract's rulings); external: invoiced_on for
# an invoice without a sale
DATE_COLUMNS = {
    "ghost-appointments": ("scheduled_on",),
    "splits": ("sold_on",),
    "external": ("sold_on", "invoiced_on"),
}


def select_rows(frame: Any, check: str, filters: Filters) -> Any:
    """The rows of an unfiltered result that the same check run with `filters` returns
    (the pages filter in memory, exactly like the CLI's --branch/--from/--to)."""
    import pandas as pd

    keep = pd.Series(True, index=frame.index)
    if filters.branch is not None:
        keep &= frame["branch"].astype(object).eq(filters.branch).fillna(False).astype(bool)
    if filters.date_from is not None or filters.date_to is not None:
        first, *rest = DATE_COLUMNS[check]
        day = frame[first].astype(object)
        for column in rest:
            day = day.where(frame["sale_id"].notna(), frame[column].astype(object))
        start, end = filters.date_from, filters.date_to
        keep &= day.map(
            lambda d: (
                bool(pd.notna(d)) and (start is None or d >= start) and (end is None or d < end)
            )
        ).astype(bool)
    return frame[keep.astype(bool)]


def list_branches(conn: Connection) -> dict[str, str]:
    """Branch code -> name, by code."""
    rows = conn.execute(text("select code, name from crm.branches order by code"))
    return {code: name for code, name in rows}
