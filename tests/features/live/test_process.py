"""The worker as a process: detached (what `pulsebi up` starts) and from its click command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis as redis_lib
from live_helpers import insert_sale, snapshot_value, wait_until
from sqlalchemy import Engine

from pulsebi import processes
from pulsebi.live import channel
from pulsebi.live.process import PROCESS_NAME, start_live, start_live_worker
from pulsebi.services import resolve_redis_url

# processes.start_detached lets its Popen go while the child runs on (on purpose: detached)
pytestmark = [
    pytest.mark.filterwarnings("ignore:subprocess \\d+ is still running:ResourceWarning"),
    pytest.mark.filterwarnings(
        "ignore:Exception ignored in. <function Popen.__del__:"
        "pytest.PytestUnraisableExceptionWarning"
    ),
]


@pytest.fixture
def process_settings(live_settings, tmp_path: Path, cli_env, monkeypatch):
    """Settings whose data directory is this test's own, also in the environment children get."""
    settings = live_settings.replace(data_dir=tmp_path)
    for name, value in cli_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PULSEBI_NAMESPACE", settings.namespace)
    monkeypatch.setenv("PULSEBI_DATA_DIR", str(tmp_path))
    yield settings
    processes.stop_all(settings)


def worker_status(client: redis_lib.Redis, settings) -> str | None:
    data = channel.decode(client.get(channel.status_key(settings.namespace)))
    return data and data["status"]


def test_the_detached_worker_follows_writes_until_stopped(
    branches: Engine, process_settings
) -> None:
    settings = process_settings
    pid = start_live_worker(settings)
    assert start_live_worker(settings) == pid  # one per data directory
    assert f"worker running (pid {pid})" in start_live(settings)
    assert PROCESS_NAME in processes.running(settings)
    client = redis_lib.Redis.from_url(resolve_redis_url(settings))
    insert_sale(branches, 1, 1, "42.00")
    wait_until(
        lambda: snapshot_value(client, settings, "net_revenue.today@DAL") == 42.0,
        what="the detached worker's value",
    )

    assert processes.stop_all(settings) == [PROCESS_NAME]  # SIGTERM: a clean stop
    assert worker_status(client, settings) == "stopped"
    log = (settings.data_dir / "run" / f"{PROCESS_NAME}.log").read_text()
    assert "live worker following" in log


def test_the_live_command_starts_the_worker_detached(branches: Engine, process_settings) -> None:
    command = "from pulsebi.cli.live import live; live()"
    result = subprocess.run(
        [sys.executable, "-c", command, "--detach"],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "live worker running (pid" in result.stdout
    client = redis_lib.Redis.from_url(resolve_redis_url(process_settings))
    wait_until(lambda: worker_status(client, process_settings) == "live", what="a live worker")


def test_the_live_command_rejects_a_bad_option(process_settings) -> None:
    command = "from pulsebi.cli.live import live; live()"
    result = subprocess.run(
        [sys.executable, "-c", command, "--coalesce-ms", "-5"],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
    )
    assert result.returncode == 2
    assert "--coalesce-ms" in result.stderr
