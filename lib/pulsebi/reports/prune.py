"""Drop report outputs and history older than an age (`pulsebi report prune`, a beat task)."""

from __future__ import annotations

import datetime as dt

from pulsebi.reports.durations import parse_duration
from pulsebi.settings import Settings


def prune_reports(settings: Settings, older_than: str | dt.timedelta) -> tuple[int, int]:
    """Drop the run directories and the finished history rows older than an age.

    Parameters
    ----------
    settings : Settings
        The data directory (``runs/``) and the database.
    older_than : str or datetime.timedelta
        The age, e.g. ``"30d"`` (a whole number with a unit s, m, h, d or w). A run directory
        goes when its run id says it was created before now − `older_than`; a history row
        when it was created before then and is finished (sent, done, failed, uncertain).

    Returns
    -------
    tuple of (int, int)
        (run directories deleted, history rows deleted).

    Raises
    ------
    UsageError
        If `older_than` is text that is not a number with a unit s, m, h, d or w.
    """
    from pulsebi.db import get_engine
    from pulsebi.reports.history import prune_runs
    from pulsebi.reports.store import prune_run_dirs

    age = parse_duration(older_than) if isinstance(older_than, str) else older_than
    dirs = prune_run_dirs(settings, age)
    rows = prune_runs(get_engine(settings), age)
    return len(dirs), rows
