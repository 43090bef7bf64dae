"""The bare-machine default: with no DATABASE_URL / REDIS_URL, `pulsebi` runs embedded
PostgreSQL and Valkey in the data directory, shared by every process, stopped by `down`."""

import os
import re
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bare_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    data_dir = tmp_path_factory.mktemp("bare")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL") and not k.startswith("PULSEBI_")
    }
    env["PULSEBI_DATA_DIR"] = str(data_dir)
    yield env
    subprocess.run(["pulsebi", "down"], env=env, capture_output=True, timeout=120, check=False)


def pulsebi(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["pulsebi", *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def postmaster_pid(env: dict[str, str]) -> int:
    pidfile = Path(env["PULSEBI_DATA_DIR"]) / "postgres" / "postmaster.pid"
    return int(pidfile.read_text().splitlines()[0])


def test_up_starts_embedded_servers_in_the_data_dir(bare_env) -> None:
    result = pulsebi(["up", "--no-seed"], bare_env)
    assert result.returncode == 0, result.stderr
    data_dir = bare_env["PULSEBI_DATA_DIR"]
    assert "schema up to date" in result.stdout  # the summary: data, database (psql), open, stop
    assert re.search(r"^database +psql ", result.stdout, re.M), result.stdout
    sock = Path(data_dir) / "valkey" / "valkey.sock"
    assert redis.Redis(unix_socket_path=str(sock)).ping()


def test_processes_share_one_server_that_outlives_them(bare_env) -> None:
    pid = postmaster_pid(bare_env)
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda _: pulsebi(["status"], bare_env), range(3)))
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    assert len({r.stdout for r in results}) == 1
    assert postmaster_pid(bare_env) == pid


def test_down_stops_both_and_up_brings_them_back(bare_env) -> None:
    result = pulsebi(["down"], bare_env)
    assert result.returncode == 0, result.stderr
    assert "stopped embedded PostgreSQL" in result.stdout
    assert "stopped embedded Valkey" in result.stdout
    data_dir = Path(bare_env["PULSEBI_DATA_DIR"])
    assert not (data_dir / "postgres" / "postmaster.pid").exists()
    assert not (data_dir / "valkey" / "valkey.sock").exists()

    again = pulsebi(["up", "--no-seed"], bare_env)
    assert again.returncode == 0, again.stderr
    assert "schema up to date" in again.stdout
