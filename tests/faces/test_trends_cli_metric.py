"""`pulsebi trends ... --metric ID`: the metric layer's series on the seeded demo data (one
branch's weeks, the default range of the last two whole years, errors naming the metric)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from pulsebi.cli import main
from pulsebi.settings import get_settings, use_settings


def trends(*args: str):
    return CliRunner().invoke(main, ["trends", *[str(a) for a in args]])


def ok_json(*args):
    result = trends(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def seeded_views(seeded):
    from pulsebi.db import get_engine
    from pulsebi.views import refresh_views

    refresh_views(get_engine(seeded), seeded)
    return seeded


@pytest.fixture
def on_seeded(seeded_views):
    previous = get_settings()
    use_settings(seeded_views)
    yield seeded_views
    use_settings(previous)


def test_metric_weeks_of_one_branch(on_seeded) -> None:
    from sqlalchemy import select

    from pulsebi.db import get_engine
    from pulsebi.db.schema import branches

    with get_engine(on_seeded).connect() as conn:
        code = conn.execute(select(branches.c.code).order_by(branches.c.code)).scalars().first()

    out = ok_json("anomalies", "--metric", "leads", "--branch", code, "--grain", "week",
                  "--from", "2025-01-06", "--to", "2026-11-16")  # fmt: skip

    assert {o["series"] for o in out} == {f"leads:{code}"}
    assert out[0]["date"] == "2025-01-06" and out[-1]["date"] == "2026-11-09"
    assert len(out) == (dt.date(2026, 11, 16) - dt.date(2025, 1, 6)).days // 7
    assert all(o["value"] is not None and o["value"] >= 0 for o in out)


def test_metric_default_range_is_the_last_two_whole_years(on_seeded) -> None:
    import time_machine

    now = dt.datetime(2026, 11, 20, 10, 30, tzinfo=on_seeded.zone)
    with time_machine.travel(now, tick=False):
        out = ok_json("anomalies", "--metric", "leads", "--grain", "month")

    assert out[0]["date"] == "2024-11-01" and out[-1]["date"] == "2026-10-01"
    assert len(out) == 24 and {o["series"] for o in out} == {"leads"}


def test_metric_too_short_for_the_method_names_the_metric(on_seeded) -> None:
    result = trends("seasonality", "--metric", "leads", "--branch", "XYZ",
                    "--from", "2026-01-01", "--to", "2026-03-01")  # fmt: skip
    assert result.exit_code == 2 and result.stdout == ""
    assert "'XYZ'" in result.stderr

    result = trends("forecast", "--metric", "leads", "--grain", "month", "--horizon", 2,
                    "--from", "2026-01-01", "--to", "2026-04-01")  # fmt: skip
    assert result.exit_code == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: metric leads: ") and "at least 8" in line
