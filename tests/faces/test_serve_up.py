"""`pulsebi up` starts the dashboards server in the background and ends with a short summary
(the URL with its token, how to log in, how to stop, a psql line); the token stays out of every
log; `pulsebi status` shows the URL while serving; `pulsebi down` stops it all."""

from __future__ import annotations

import re
import shlex
import stat
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from pulsebi.errors import ConfigError
from pulsebi.serve.deployment import resolve_token
from pulsebi.settings import load_settings
from serving import free_port

pytestmark = pytest.mark.slow


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["pulsebi", *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_up_ends_with_the_url_login_and_stop_and_keeps_the_token_out_of_logs(
    cli_env, engine
) -> None:
    port = free_port()
    env = {**cli_env, "PULSEBI_SERVE_PORT": str(port), "PULSEBI_SERVE_TOKEN": ""}
    data_dir = Path(env["PULSEBI_DATA_DIR"])
    # A log an older version left behind: the token in full, readable by all.
    legacy = data_dir / "run" / "serve-main.log"
    legacy.parent.mkdir(parents=True, exist_ok=True)
    legacy.write_text(f"dashboards http://x/?token={resolve_token(load_settings(env))}\n")
    legacy.chmod(0o644)
    try:
        result = run(["up", "--no-seed"], env)
        assert result.returncode == 0, result.stderr
        last = result.stdout.strip().splitlines()[-3:]
        found = re.fullmatch(rf"open +http://127\.0\.0\.1:{port}/\?token=(\S+)", last[0])
        assert found, result.stdout
        token = found.group(1)  # generated once and kept in the data directory
        assert re.fullmatch(
            rf"log in +that link logs you in .* the token {re.escape(token)}", last[1]
        ), result.stdout
        assert re.fullmatch(r"stop +pulsebi down", last[2]), result.stdout
        assert "heads" not in result.stdout and "+psycopg2" not in result.stdout
        assert "sales_daily" not in result.stdout  # no list of the views

        psql = re.search(r"^database +(psql .*)$", result.stdout, re.M).group(1)
        pasted = subprocess.run(
            [*shlex.split(psql), "-Atc", "select count(*) from crm.leads"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert pasted.returncode == 0 and pasted.stdout.strip() == "0", pasted.stderr

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/kernels?token={token}") as r:
            assert r.status == 200
        status = run(["status"], env)
        assert f"http://127.0.0.1:{port}/?token={token}" in status.stdout
        assert re.search(r"^dashboards +running \(pid \d+\)$", status.stdout, re.M)
        again = run(["up", "--no-seed"], env)  # already running: same server, same login
        assert f"?token={token}" in again.stdout

        token_file = data_dir / "serve" / "token"
        assert token_file.read_text().strip() == token
        assert mode(token_file) == 0o600
        assert mode(data_dir / "run") == 0o700
        logs = sorted((data_dir / "run").glob("*.log"))
        assert {p.stem for p in logs} >= {"serve-main", "live-worker", "report-worker"}
        for log in logs:
            assert mode(log) == 0o600, log
        holding = [
            p
            for p in data_dir.rglob("*")
            if p.is_file() and p != token_file and token.encode() in p.read_bytes()
        ]
        assert holding == []
    finally:
        down = run(["down"], env)
    assert "stopped serve-main" in down.stdout
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5)
    after = run(["status"], env)
    assert re.search(r"^dashboards +not running$", after.stdout, re.M), after.stdout
    assert "token" not in after.stdout


def test_serve_names_an_unknown_deployment(cli_env) -> None:
    result = run(["serve", "--deployment", "nope"], cli_env)
    assert result.returncode == 2
    assert "no deployment named 'nope'; use one of main, cmo" in result.stderr


def test_the_cmo_service_serves_its_marketing_overview(tmp_path) -> None:
    from pulsebi.serve.deployment import DEPLOYMENTS, served_dirs

    cmo = DEPLOYMENTS["cmo"]
    assert list(served_dirs(cmo)) == ["cmo"]
    assert cmo.home == "cmo/overview.ipynb"
    with pytest.raises(ConfigError, match="the CMO service has no pages yet"):
        served_dirs(cmo.replace(project_dir=tmp_path))  # a checkout without cmo/
