"""`pulsebi seed` up to a moment of the day: today's activity so far, nothing after the moment,
the ground truth still exactly what the contract's rules find."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from test_seed import derive_exceptions, recorded_truth

from pulsebi.cli import main
from pulsebi.seed import seed_database
from pulsebi.seed.generate import build_dataset

# every timestamp column of the crm tables that records something done (not planned)
DONE = {
    "api_requests": ("ts",),
    "appointments": ("created_at",),
    "calls": ("called_at",),
    "door_knocks": ("knocked_at",),
    "health_checks": ("ts",),
    "jobs": ("created_at", "started_at", "completed_at"),
    "lead_touches": ("touched_at",),
    "leads": ("created_at",),
    "sales": ("sold_at", "canceled_at"),
    "service_tickets": ("opened_at", "resolved_at"),
}
TUESDAY = dt.date(2026, 3, 10)


def latest(conn, table: str, column: str) -> dt.datetime | None:
    return conn.execute(text(f"select max({column}) from crm.{table}")).scalar()


def on_day(conn, tz: str, table: str, column: str, day: dt.date, where: str = "") -> int:
    query = f"select count(*) from crm.{table} where timezone(:tz, {column})::date = :day" + (
        f" and {where}" if where else ""
    )
    return conn.execute(text(query), {"tz": tz, "day": day}).scalar()


def test_history_runs_up_to_the_moment_and_holds_today_so_far(db, settings) -> None:
    summary = seed_database(
        db,
        settings=settings,
        years=1,
        scale=0.3,
        seed=5,
        today=dt.datetime.combine(TUESDAY, dt.time(15, 30)),  # naive: local time
    )
    cutoff = dt.datetime.combine(TUESDAY, dt.time(15, 30), tzinfo=ZoneInfo(settings.tz))
    assert (summary.today, summary.until) == (TUESDAY, dt.time(15, 30))
    assert "to 2026-03-10 15:30," in summary.describe()
    with db.connect() as conn:
        for table, columns in DONE.items():
            for column in columns:
                assert latest(conn, table, column) < cutoff, (table, column)
        tz = settings.tz
        # today so far: leads, knocks, calls, sales, appointments that ran
        for table, column in (
            ("leads", "created_at"),
            ("door_knocks", "knocked_at"),
            ("calls", "called_at"),
            ("sales", "sold_at"),
        ):
            assert on_day(conn, tz, table, column, TUESDAY) > 0, table
        assert on_day(conn, tz, "appointments", "scheduled_for", TUESDAY, "status = 'ran'") > 0
        # later today is still to come: scheduled, not ran
        later = conn.execute(
            text(
                "select count(*), count(*) filter (where status <> 'scheduled')"
                " from crm.appointments"
                " where scheduled_for >= :cutoff and timezone(:tz, scheduled_for)::date = :day"
            ),
            {"cutoff": cutoff, "tz": tz, "day": TUESDAY},
        ).one()
        assert later[0] > 0 and later[1] == 0
        # a sale is written after its appointment ran: none ran without its sale yet
        ghosts_today = conn.execute(
            text(
                "select count(*) from crm.appointments a"
                " where a.status = 'ran' and a.result = 'sold'"
                " and timezone(:tz, a.scheduled_for)::date = :day"
                " and not exists (select 1 from crm.sales s where s.appointment_id = a.id)"
                " and a.id not in (select appointment_id from bi.seed_truth"
                "                  where appointment_id is not null)"
            ),
            {"tz": tz, "day": TUESDAY},
        ).scalar()
        assert ghosts_today == 0
    assert derive_exceptions(db, settings) == recorded_truth(db)


def test_seeding_to_a_moment_of_a_dst_day_is_deterministic_and_stops_there() -> None:
    tz = "America/Chicago"
    args = dict(tz=tz, years=1, scale=0.05, seed=3, today=dt.date(2026, 3, 8))  # DST starts
    cut = build_dataset(until=dt.time(9, 45), **args)
    again = build_dataset(until=dt.time(9, 45), **args)
    for name, frame in cut.tables.items():
        assert frame.equals(again.tables[name]), name
    cutoff = dt.datetime(2026, 3, 8, 9, 45, tzinfo=ZoneInfo(tz)).astimezone(dt.UTC)
    for table, columns in DONE.items():
        for column in columns:
            stamps = cut.tables[table][column]
            assert stamps.max() < cutoff.replace(tzinfo=None), (table, column)  # naive UTC
    requests = cut.tables["api_requests"]["ts"]
    assert (requests >= dt.datetime(2026, 3, 8, 6, 0)).any()  # the day's first hours are there


def test_default_history_runs_up_to_now(db, settings) -> None:
    before = dt.datetime.now(dt.UTC)
    summary = seed_database(db, settings=settings, years=1, scale=0.01, seed=2)
    local = before.astimezone(ZoneInfo(settings.tz))
    assert summary.today == local.date()
    assert summary.until is None or summary.until >= local.time().replace(microsecond=0)
    with db.connect() as conn:
        for table, columns in DONE.items():
            for column in columns:
                found = latest(conn, table, column)
                assert found is None or found <= dt.datetime.now(dt.UTC), (table, column)


def test_cli_seed_until_a_time_of_day(db) -> None:
    args = ["seed", "--years", "1", "--scale", "0.01", "--today", "2026-03-10", "--until", "9:45"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "to 2026-03-10 09:45," in result.output


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--today", "2026-03-10", "--until", "25:00"], "--until '25:00' is not a clock time"),
        (["--until", "09:45"], "--until needs --today"),
    ],
)
def test_cli_seed_refuses_a_bad_until_with_exit_2(db, args, said) -> None:
    result = CliRunner().invoke(main, ["seed", *args])
    assert result.exit_code == 2
    assert said in result.output
