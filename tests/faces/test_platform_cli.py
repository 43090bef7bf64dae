"""`pulsebi up | status | migrate | down`: against configured servers (nothing is started), and
with embedded ones: `status` starts nothing, `down` stops everything `up` started, also while
`up` is still at work or after it was interrupted."""

from __future__ import annotations

import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from click.testing import CliRunner

from pulsebi.cli import main
from serving import free_port


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["pulsebi", *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_up_with_configured_servers_migrates_and_reports(cli_env, engine) -> None:
    env = {**cli_env, "PULSEBI_SERVE_PORT": str(free_port())}
    result = run(["up", "--no-seed"], env)
    run(["down"], env)  # stops the dashboards server that `up` started
    assert result.returncode == 0, result.stderr
    assert "schema up to date" in result.stdout
    assert not (Path(cli_env["PULSEBI_DATA_DIR"]) / "postgres").exists()  # nothing embedded


def test_status_names_the_servers_and_what_runs(engine) -> None:
    result = CliRunner().invoke(main, ["status"])
    assert result.exit_code == 0, result.output
    assert "database       PostgreSQL: schema up to date" in result.output
    assert "redis" in result.output and "answering" in result.output
    assert "dashboards     not running" in result.output
    assert 'psql "postgresql://' in result.output


def test_status_says_when_a_configured_database_does_not_answer(cli_env) -> None:
    env = {**cli_env, "DATABASE_URL": f"postgresql://nobody@127.0.0.1:{free_port()}/x"}
    result = run(["status"], env)
    assert result.returncode == 0, result.stderr
    assert "database       not answering at postgresql+psycopg2://nobody@127.0.0.1" in result.stdout
    assert "Traceback" not in result.stderr


def test_migrate_reports_the_revision(engine) -> None:
    result = CliRunner().invoke(main, ["migrate"])
    assert result.exit_code == 0, result.output
    assert "revision" in result.output


def test_down_with_nothing_embedded_says_so(engine) -> None:
    result = CliRunner().invoke(main, ["down"])
    assert result.exit_code == 0
    assert "nothing was running" in result.output


def test_a_bad_setting_exits_2_with_its_name(cli_env) -> None:
    result = run(["status"], {**cli_env, "PULSEBI_TZ": "Nowhere/Land"})
    assert result.returncode == 2
    assert "PULSEBI_TZ" in result.stderr
    assert "Traceback" not in result.stderr


# --- embedded servers ------------------------------------------------------------------------


@pytest.fixture
def embedded_env(cli_env) -> Iterator[dict[str, str]]:
    """An environment with no DATABASE_URL / REDIS_URL: `pulsebi up` embeds both in a data
    directory of this test (stopped and removed at the end whatever happens). Not under
    pytest's basetemp: other runs prune old ones, and the servers would lose their folder."""
    data_dir = Path(tempfile.mkdtemp(prefix="pulsebi-cli-"))
    env = {k: v for k, v in cli_env.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(PULSEBI_DATA_DIR=str(data_dir), PULSEBI_SERVE_PORT=str(free_port()))
    yield env
    run(["down"], env)
    shutil.rmtree(data_dir, ignore_errors=True)


def servers_of(data_dir: Path) -> list[str]:
    """The PostgreSQL and Valkey processes serving `data_dir` (by their command lines)."""
    found = []
    for proc in psutil.process_iter(["cmdline", "name"]):
        with_dir = " ".join(proc.info["cmdline"] or [])
        if str(data_dir) in with_dir and proc.info["name"] in ("postgres", "valkey-server"):
            found.append(f"{proc.info['name']} {proc.pid}")
    return found


def started_by_up(data_dir: Path) -> list[str]:
    """Live processes with this data directory in their environment: `up` and its children."""
    found = []
    for proc in psutil.process_iter(["name", "status"]):
        try:
            if proc.info["status"] != psutil.STATUS_ZOMBIE and (
                proc.environ().get("PULSEBI_DATA_DIR") == str(data_dir)
            ):
                found.append(f"{proc.info['name']} {proc.pid}")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def start_up(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        ["pulsebi", "up", "--no-seed"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def read_until(proc: subprocess.Popen, text: str) -> str:
    seen = ""
    for line in proc.stdout:
        seen += line
        if text in line:
            return seen
    raise AssertionError(f"`pulsebi up` ended before {text!r}:\n{seen}")


@pytest.mark.slow
def test_status_after_down_starts_nothing(embedded_env) -> None:
    data_dir = Path(embedded_env["PULSEBI_DATA_DIR"])
    env = {**embedded_env, "PULSEBI_SERVE_TOKEN": "t0k-en"}
    up = start_up(env)
    read_until(up, "starting the dashboards")
    up.communicate(timeout=120)
    assert servers_of(data_dir)
    running = run(["status"], env)
    assert "PostgreSQL running, embedded" in running.stdout
    assert "psql -h " in running.stdout
    assert f"http://127.0.0.1:{env['PULSEBI_SERVE_PORT']}/?token=t0k-en" in running.stdout

    down = run(["down"], env)
    assert "stopped embedded PostgreSQL" in down.stdout, down.stdout
    assert servers_of(data_dir) == []
    status = run(["status"], env)
    assert status.returncode == 0, status.stderr
    assert "PostgreSQL not running" in status.stdout
    assert "Valkey not running" in status.stdout
    assert "nothing runs: `pulsebi up` starts the platform" in status.stdout
    assert servers_of(data_dir) == []  # status started nothing


@pytest.mark.slow
def test_down_after_an_interrupted_up_stops_the_servers(embedded_env) -> None:
    data_dir = Path(embedded_env["PULSEBI_DATA_DIR"])
    up = start_up(embedded_env)
    read_until(up, "starting the dashboards")  # servers and workers started, serving next
    up.send_signal(signal.SIGINT)  # Ctrl-C
    out, _ = up.communicate(timeout=60)
    assert up.returncode == 130, out
    assert "interrupted: `pulsebi down` stops what was started so far" in out
    assert "Traceback" not in out
    assert servers_of(data_dir)  # left running, for `down`
    pids = {p.stem for p in (data_dir / "run").glob("*.pid")}
    assert {"live-worker", "report-worker", "report-beat"} <= pids
    assert started_by_up(data_dir)

    down = run(["down"], embedded_env)
    assert down.returncode == 0, down.stderr
    assert "stopped report-beat" in down.stdout
    assert servers_of(data_dir) == []
    assert started_by_up(data_dir) == []


@pytest.mark.slow
def test_down_while_up_is_still_at_work_stops_it_and_everything_it_started(embedded_env) -> None:
    data_dir = Path(embedded_env["PULSEBI_DATA_DIR"])
    up = start_up(embedded_env)
    read_until(up, "live KPIs: worker running")
    up.send_signal(signal.SIGSTOP)  # held at work while a second `up` tries
    try:
        second = run(["up", "--no-seed"], embedded_env)
    finally:
        up.send_signal(signal.SIGCONT)
    assert second.returncode == 3, second.stdout
    assert f"`pulsebi up` is already at work here (pid {up.pid})" in second.stderr
    down = run(["down"], embedded_env)
    out, _ = up.communicate(timeout=60)
    assert "stopped `pulsebi up`" in down.stdout, down.stdout
    assert up.returncode == 143, out  # it stopped instead of carrying on
    assert "stopped by SIGTERM (`pulsebi down`)" in out and "Traceback" not in out
    assert servers_of(data_dir) == []
    assert started_by_up(data_dir) == []
    assert not (data_dir / "run" / "up.pid").exists()
    assert list((data_dir / "run").glob("*.log"))  # the logs stay for reading
