"""A views refresh on a real Celery worker (a subprocess, real Redis) queues the page snapshots'
rebuild, which that worker runs: afterwards every page's defaults are served from Redis at the
refreshed data version."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pulsebi.settings import Settings
from pulsebi.snapshots import current_version, default_params, load_snapshot, snapshot_pages

pytestmark = pytest.mark.slow


def wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def worker(refreshed: Settings, tmp_path: Path) -> Iterator[tuple[dict[str, str], Path]]:
    env = {**os.environ, **refreshed.to_environ(), "PULSEBI_REFRESH_EVERY": "600"}
    env["PULSEBI_SERVE_SNAPSHOTS"] = "on"  # off, a refresh queues no rebuild
    log = tmp_path / "worker.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            ["pulsebi", "worker", "--concurrency", "1"],
            env=env,
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until(lambda: "ready." in log.read_text(errors="replace"), 90, "the worker")
        yield env, log
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_a_views_refresh_queues_the_snapshots_rebuild(refreshed: Settings, worker) -> None:
    env, log = worker
    before = current_version(refreshed)
    # queued as beat queues it, from a process configured by the same environment
    call = [sys.executable, "-m", "celery", "-A", "pulsebi.tasks:app", "call"]
    subprocess.run([*call, "pulsebi.refresh_views"], env=env, check=True, capture_output=True)

    def rebuilt() -> bool:
        return "rebuilt" in log.read_text(errors="replace")

    wait_until(rebuilt, 240, "the snapshots' rebuild")
    version = current_version(refreshed)
    assert version > before
    expected = [(p, q) for p in snapshot_pages() for q in default_params(p, refreshed)]
    served = {(p, tuple(q.items())): load_snapshot(refreshed, p, q) for p, q in expected}
    assert [key for key, s in served.items() if s is None] == []
    assert {s.version for s in served.values()} == {version}
    assert f"rebuilt {len(expected)} page snapshots" in log.read_text(errors="replace")
