"""`pulsebi up` starts the dashboards server in the background and says how to log in;
`pulsebi down` stops it."""

from __future__ import annotations

import re
import subprocess
import urllib.error
import urllib.request

import pytest

from serving import free_port

pytestmark = pytest.mark.slow


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["pulsebi", *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_up_starts_the_dashboards_and_prints_the_login(cli_env, engine) -> None:
    port = free_port()
    env = {**cli_env, "PULSEBI_SERVE_PORT": str(port), "PULSEBI_SERVE_TOKEN": ""}
    try:
        result = run(["up", "--no-seed"], env)
        assert result.returncode == 0, result.stderr
        found = re.search(rf"dashboards http://127\.0\.0\.1:{port}/\?token=(\S+)", result.stdout)
        assert found, result.stdout
        token = found.group(1)  # generated once and kept in the data directory
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/kernels?token={token}") as r:
            assert r.status == 200
        again = run(["up", "--no-seed"], env)  # already running: same server, same login
        assert f"?token={token}" in again.stdout
    finally:
        down = run(["down"], env)
    assert "stopped serve-main" in down.stdout
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5)


def test_serve_names_an_unknown_deployment(cli_env) -> None:
    result = run(["serve", "--deployment", "nope"], cli_env)
    assert result.returncode == 2
    assert "no deployment named 'nope'; use one of main, cmo" in result.stderr
