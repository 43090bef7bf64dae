"""`pulsebi up | status | migrate | down` against configured servers: nothing is started."""

import subprocess
from pathlib import Path

from click.testing import CliRunner

from pulsebi.cli import main


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["pulsebi", *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_up_with_configured_servers_migrates_and_reports(cli_env, engine) -> None:
    result = run(["up", "--no-seed"], cli_env)
    run(["down"], cli_env)  # stops the dashboards server that `up` started
    assert result.returncode == 0, result.stderr
    assert "data ready" in result.stdout
    assert "schema revision" in result.stdout
    assert not (Path(cli_env["PULSEBI_DATA_DIR"]) / "postgres").exists()  # nothing embedded


def test_status_names_the_servers(engine) -> None:
    result = CliRunner().invoke(main, ["status"])
    assert result.exit_code == 0, result.output
    assert "database" in result.output and "redis" in result.output


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
