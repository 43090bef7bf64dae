"""Drop report outputs and history older than an age (`pulsebi report prune`, a beat task)."""

from __future__ import annotations

import datetime as dt

from pulsebi.reports.durations import parse_duration
from pulsebi.settings import Settings


def prune_reports(settings: Settings, older_than: str | dt.timedelta) -> tuple[int, int]:
    """(run directories deleted, history rows deleted)."""
    from pulsebi.db import get_engine
    from pulsebi.reports.history import prune_runs
    from pulsebi.reports.store import prune_run_dirs

    age = parse_duration(older_than) if isinstance(older_than, str) else older_than
    dirs = prune_run_dirs(settings, age)
    rows = prune_runs(get_engine(settings), age)
    return len(dirs), rows
