"""The run store: every report run gets a directory `data_dir/runs/<run id>/` holding the
executed notebook and the files written from it."""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from pathlib import Path

from pulsebi.settings import Settings

RUN_ID_FORMAT = "%Y%m%dT%H%M%SZ"


def runs_dir(settings: Settings) -> Path:
    return settings.data_dir / "runs"


def new_run_id(now: dt.datetime | None = None) -> str:
    """A sortable, unique run id: UTC time of creation plus a random suffix."""
    now = now or dt.datetime.now(dt.UTC)
    return f"{now.astimezone(dt.UTC).strftime(RUN_ID_FORMAT)}-{uuid.uuid4().hex[:8]}"


def create_run_dir(settings: Settings, run_id: str | None = None) -> tuple[str, Path]:
    run_id = run_id or new_run_id()
    path = runs_dir(settings) / run_id
    path.mkdir(parents=True, exist_ok=False)
    return run_id, path


def run_created_at(run_id: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(run_id.split("-")[0], RUN_ID_FORMAT).replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def prune_run_dirs(settings: Settings, older_than: dt.timedelta) -> list[str]:
    """Delete run directories created before now - `older_than`; returns the run ids deleted."""
    cutoff = dt.datetime.now(dt.UTC) - older_than
    root = runs_dir(settings)
    deleted = []
    if not root.is_dir():
        return deleted
    for path in sorted(root.iterdir()):
        created = run_created_at(path.name)
        if path.is_dir() and created is not None and created < cutoff:
            shutil.rmtree(path, ignore_errors=True)
            deleted.append(path.name)
    return deleted
