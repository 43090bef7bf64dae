"""Running a check's .sql file and turning its rows into a DataFrame that keeps exact decimals."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, text

from pulsebi.reconcile.filters import Filters, check_branch
from pulsebi.settings import Settings, get_settings

if TYPE_CHECKING:
    import pandas as pd

HERE = Path(__file__).parent
WORK_MEM = "256MB"


@cache
def read_sql(name: str) -> str:
    """The text of `name`.sql beside this module."""
    return (HERE / f"{name}.sql").read_text()


def engine_for(engine: Engine | None, settings: Settings | None) -> tuple[Engine, Settings]:
    settings = settings or get_settings()
    if engine is None:
        from pulsebi.db import get_engine

        engine = get_engine(settings)
    return engine, settings


def prepare(conn: Connection, filters: Filters, settings: Settings) -> dict[str, Any]:
    """Check the branch, put this transaction in the reporting zone, return the bound values."""
    check_branch(conn, filters.branch)
    # The contract's "now - 7 days" and local dates are read in the reporting zone. JIT off:
    # compiling these wide queries took seconds (6.5 s measured) and never paid back;
    # more work_mem keeps the per-sale hash aggregates in memory. All local to the transaction.
    conn.execute(
        text(
            "select set_config('TimeZone', :tz, true), set_config('jit', 'off', true),"
            " set_config('work_mem', :work_mem, true)"
        ),
        {"tz": settings.tz, "work_mem": WORK_MEM},
    )
    return filters.params(settings.tz)


def fetch_frame(
    conn: Connection, sql: str, params: dict[str, Any], int_columns: tuple[str, ...]
) -> pd.DataFrame:
    """Run `sql` and return its rows; id columns become nullable integers, decimals stay exact."""
    import pandas as pd

    result = conn.execute(text(sql), params)
    columns = list(result.keys())
    frame = pd.DataFrame(result.fetchall(), columns=columns, dtype=object)
    for column in columns:
        if column in int_columns:
            frame[column] = frame[column].astype("Int64")
        elif column.endswith("_at"):
            # Offsets differ across DST: read as UTC, show in the reporting zone.
            frame[column] = pd.to_datetime(frame[column], utc=True).dt.tz_convert(params["tz"])
    return frame
