"""The demo-data generator: deterministic, realistic, and its ground truth is exactly what the
contract's reconciliation rules find (re-derived here with plain SQL, seed_rules.sql)."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import uuid
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from pulsebi.cli import main
from pulsebi.db import get_engine
from pulsebi.errors import ConfigError, UsageError
from pulsebi.seed import seed_database
from pulsebi.seed.copy import to_csv_chunks
from pulsebi.seed.generate import build_dataset
from pulsebi.services import resolve_database_url
from pulsebi.settings import Settings

RULES = Path(__file__).with_name("seed_rules.sql")
SPLIT_REASONS = {
    "share_sum",
    "commission_mismatch",
    "duplicate_employee",
    "employee_missing",
    "not_sales_rep",
    "not_employed",
    "no_split",
}
EXTERNAL_REASONS = {"amount_mismatch", "status_mismatch", "missing_in_crm", "missing_externally"}
VALUE_SETS = {
    ("employees", "role"): "sales_rep canvasser telemarketer project_manager service_tech manager",
    ("lead_sources", "channel"): (
        "canvass telemarketing digital referral tv radio print direct_mail event other"
    ),
    ("leads", "status"): "new contacted appointment_set sold dead",
    ("door_knocks", "outcome"): "no_answer not_interested callback lead",
    ("calls", "outcome"): "no_answer voicemail not_interested callback appointment_set",
    ("appointments", "status"): "scheduled ran no_show canceled",
    ("sales", "status"): "active canceled",
    ("jobs", "status"): "pending scheduled in_progress completed canceled",
    ("service_tickets", "priority"): "low normal high urgent",
}


def rule_queries() -> dict[str, str]:
    parts = re.split(r"^-- name: (\w+)\n", RULES.read_text(), flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def load_invoices(conn, path: Path) -> None:
    conn.execute(
        text(
            "create temporary table invoices (invoice_no text, invoiced_on date, customer text,"
            " amount numeric(12,2), status text) on commit drop"
        )
    )
    with path.open() as handle:
        conn.connection.driver_connection.cursor().copy_expert(
            "copy invoices from stdin with (format csv, header true)", handle
        )


def key(kind: str, reason: str, appointment_id, sale_id, invoice_no) -> tuple:
    if kind == "ghost_appointment":
        return (kind, reason, appointment_id)
    if kind == "split":
        return (kind, reason, sale_id)
    return (kind, reason, sale_id, invoice_no)


def derive_exceptions(engine: Engine, settings: Settings) -> set[tuple]:
    found = set()
    with engine.begin() as conn:
        load_invoices(conn, settings.data_dir / "accounting.csv")
        for sql in rule_queries().values():
            for row in conn.execute(text(sql), {"tz": settings.tz}):
                found.add(key(*row))
    return found


def recorded_truth(engine: Engine) -> set[tuple]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "select kind, reason, appointment_id, sale_id, invoice_no from bi.seed_truth"
                " where kind <> 'anomalous_day'"
            )
        )
        return {key(*row) for row in rows}


@pytest.fixture(scope="module")
def seeded_engine(seeded: Settings) -> Engine:
    return get_engine(seeded)


def test_ground_truth_is_exactly_what_the_contract_rules_find(seeded, seeded_engine) -> None:
    derived = derive_exceptions(seeded_engine, seeded)
    truth = recorded_truth(seeded_engine)
    assert derived - truth == set(), "exceptions the generator did not mean to create"
    assert truth - derived == set(), "injected problems the rules do not find"


def test_every_kind_of_problem_is_injected(seeded_engine) -> None:
    with seeded_engine.connect() as conn:
        kinds = {
            tuple(r) for r in conn.execute(text("select distinct kind, reason from bi.seed_truth"))
        }
    expected = (
        {("ghost_appointment", r) for r in ("no_sale", "no_job")}
        | {("split", r) for r in SPLIT_REASONS}
        | {("external", r) for r in EXTERNAL_REASONS}
        | {("anomalous_day", r) for r in ("spike", "dip")}
    )
    assert kinds == expected


def test_a_sale_without_splits_is_reported_only_as_no_split(seeded_engine) -> None:
    with seeded_engine.connect() as conn:
        reasons = (
            conn.execute(
                text(
                    "select t.reason from bi.seed_truth t join bi.seed_truth n"
                    " on n.sale_id = t.sale_id where n.reason = 'no_split' and t.kind = 'split'"
                )
            )
            .scalars()
            .all()
        )
    assert reasons and set(reasons) == {"no_split"}


def test_anomalous_days_stand_out_from_their_weekday(seeded, seeded_engine) -> None:
    with seeded_engine.connect() as conn:
        rows = conn.execute(text("""
            with daily as (
              select branch_id, (created_at at time zone :tz)::date as day, count(*) as n
              from crm.leads group by 1, 2)
            select t.reason, t.day, b.id is not null as known,
              coalesce((select n from daily d where d.branch_id = t.branch_id
                        and d.day = t.day), 0) as n,
              (select coalesce(sum(n), 0) / 8.0 from daily d where d.branch_id = t.branch_id
                 and d.day in (select t.day + 7 * k from generate_series(-4, 4) k where k <> 0)
              ) as usual
            from bi.seed_truth t left join crm.branches b on b.id = t.branch_id
            where t.kind = 'anomalous_day'
        """), {"tz": seeded.tz}).all()  # fmt: skip
    assert {r.reason for r in rows} == {"spike", "dip"} and all(r.known for r in rows)
    assert all(date(2024, 11, 20) <= r.day < date(2026, 11, 20) for r in rows)
    for r in rows:
        if r.reason == "spike":
            assert r.n >= 2 * r.usual + 4, r
        else:
            assert r.n <= r.usual, r


def test_values_stay_in_the_contract_value_sets(seeded_engine) -> None:
    with seeded_engine.connect() as conn:
        for (table, column), words in VALUE_SETS.items():
            allowed = set(words.split())
            values = set(conn.execute(text(f"select distinct {column} from crm.{table}")).scalars())
            assert values <= allowed and len(values) >= len(allowed) - 1, (table, column)
        bad_results = conn.execute(
            text(
                "select count(*) from crm.appointments"
                " where (status = 'ran') <> (result is not null)"
                " or result not in ('sold', 'not_sold')"
            )
        ).scalar()
        csat = set(conn.execute(text("select distinct csat from crm.service_tickets")).scalars())
    assert bad_results == 0
    assert csat <= {None, 1, 2, 3, 4, 5}


def test_history_ends_before_today_and_the_pipeline_looks_ahead(seeded, seeded_engine) -> None:
    with seeded_engine.connect() as conn:
        latest = conn.execute(
            text(
                "select max(t) < (date '2026-11-20')::timestamp at time zone :tz from ("
                " select max(created_at) t from crm.leads"
                " union all select max(sold_at) from crm.sales"
                " union all select max(ts) from crm.api_requests) x"
            ),
            {"tz": seeded.tz},
        ).scalar()
        future = conn.execute(
            text(
                "select count(*) from crm.appointments where status = 'scheduled'"
                " and scheduled_for >= (date '2026-11-20')::timestamp at time zone :tz"
            ),
            {"tz": seeded.tz},
        ).scalar()
        past_scheduled = conn.execute(
            text(
                "select count(*) from crm.appointments where status = 'scheduled'"
                " and scheduled_for < (date '2026-11-20')::timestamp at time zone :tz"
            ),
            {"tz": seeded.tz},
        ).scalar()
    assert latest is True
    assert future > 0 and past_scheduled == 0


def test_the_business_looks_real(seeded, seeded_engine) -> None:
    with seeded_engine.connect() as conn:
        one = conn.execute(text("""
            select
              (select count(distinct role) from crm.employees) as roles,
              (select count(*) from crm.employees where terminated_on is not null) as left_,
              (select count(*) from crm.employees) as people,
              (select count(*) from crm.branches) as branches,
              (select count(*) from crm.leads where extract(month from created_at at time zone :tz)
                 in (5, 6, 7)) as summer,
              (select count(*) from crm.leads where extract(month from created_at at time zone :tz)
                 in (12, 1, 2)) as winter,
              (select count(*) from crm.leads where extract(isodow from created_at at time zone :tz)
                 = 7) as sundays,
              (select count(*) from crm.leads where extract(isodow from created_at at time zone :tz)
                 = 1) as mondays,
              (select count(*) from crm.leads where created_at >= timestamptz '2025-11-20')
                 as last_year,
              (select count(*) from crm.leads where created_at < timestamptz '2025-11-20')
                 as year_before,
              (select count(*) from crm.sales where status = 'canceled') as canceled,
              (select count(distinct status) from crm.jobs) as job_states,
              (select count(*) from crm.service_tickets where csat is not null) as rated,
              (select count(distinct service) from crm.health_checks) as services,
              (select avg(n) from (select count(*) n from crm.lead_touches group by lead_id) t)
                 as touches_per_lead
        """), {"tz": seeded.tz}).one()  # fmt: skip
        cost_per_lead = (
            conn.execute(
                text(
                    "select m.spend / l.n from (select source_id, sum(amount) spend from"
                    " crm.marketing_spend group by 1) m join (select source_id, count(*) n from"
                    " crm.leads group by 1) l using (source_id)"
                )
            )
            .scalars()
            .all()
        )
    assert one.roles == 6 and one.branches == 5 and 120 <= one.people <= 180 and one.left_ > 0
    assert one.summer > 1.5 * one.winter and one.mondays > 2 * one.sundays
    assert one.last_year > one.year_before
    assert one.canceled > 0 and one.job_states >= 4 and one.rated > 0 and one.services >= 3
    assert one.touches_per_lead > 1.5
    assert max(cost_per_lead) > 8 * min(cost_per_lead)


def dataset_bytes(**kwargs) -> bytes:
    data = build_dataset(tz="America/Chicago", today=date(2026, 11, 20), **kwargs)
    frames = [*data.tables.values(), data.invoices, data.truth]
    return b"".join(buf.getvalue().encode() for f in frames for buf in to_csv_chunks(f))


def test_same_arguments_give_byte_identical_data() -> None:
    first = dataset_bytes(years=1, scale=0.01, seed=5)
    assert first == dataset_bytes(years=1, scale=0.01, seed=5)
    assert first != dataset_bytes(years=1, scale=0.01, seed=6)


def test_bad_arguments_are_refused_before_anything_changes(db, settings) -> None:
    for bad in ({"years": 0}, {"scale": 0}, {"scale": 1e9}, {"seed": -1}):
        with pytest.raises(UsageError):
            seed_database(db, settings=settings, **bad)
    with db.connect() as conn:
        assert conn.execute(text("select count(*) from crm.sales")).scalar() == 0


def test_cli_seed_replaces_the_data_and_prints_the_export_path(db, settings) -> None:
    args = ["seed", "--years", "1", "--scale", "0.01", "--seed", "3", "--today", "2026-11-20"]
    for _ in range(2):  # a second run replaces, never adds
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
    assert str(settings.data_dir / "accounting.csv") in result.output
    with db.connect() as conn:
        sales = conn.execute(text("select count(*) from crm.sales")).scalar()
        truth = conn.execute(text("select count(*) from bi.seed_truth")).scalar()
    assert f"{sales:,} sales" in result.output and truth > 0
    assert derive_exceptions(db, settings) == recorded_truth(db)  # another seed, same rules
    with (settings.data_dir / "accounting.csv").open() as handle:
        header = next(csv.reader(handle))
    assert header == ["invoice_no", "invoiced_on", "customer", "amount", "status"]


def test_cli_seed_rejects_a_bad_date_with_exit_2(db) -> None:
    result = CliRunner().invoke(main, ["seed", "--today", "2026-02-30"])
    assert result.exit_code == 2
    assert "--today" in result.output and "YYYY-MM-DD" in result.output


def test_pulsebi_seed_runs_as_a_command(db, cli_env) -> None:
    done = subprocess.run(
        ["pulsebi", "seed", "--years", "1", "--scale", "0.01", "--today", "2026-11-20"],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "accounting export:" in done.stdout
    with db.connect() as conn:
        assert conn.execute(text("select count(*) from crm.leads")).scalar() > 0
    assert io.StringIO(done.stdout).read().count("injected problems") == 1


def test_an_unmigrated_database_is_refused_and_no_export_is_written(
    server_settings, tmp_path
) -> None:
    server_url = resolve_database_url(server_settings)
    name = f"pulsebi_unmigrated_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'create database "{name}"'))
    url = make_url(server_url).set(database=name)
    engine = create_engine(url)
    settings = server_settings.replace(data_dir=tmp_path)
    try:
        with pytest.raises(ConfigError, match="pulsebi migrate"):
            seed_database(engine, settings=settings, years=1, scale=0.01)
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'drop database "{name}" with (force)'))
        admin.dispose()
    assert list(tmp_path.iterdir()) == []


def test_ground_truth_holds_in_a_zone_with_odd_daylight_saving(db, settings) -> None:
    zoned = settings.replace(tz="Australia/Lord_Howe")  # 30-minute DST shifts
    engine = get_engine(zoned)
    seed_database(engine, settings=zoned, years=1, scale=0.01, seed=11, today=date(2026, 4, 10))
    assert derive_exceptions(engine, zoned) == recorded_truth(engine)
    with engine.connect() as conn:
        hours = conn.execute(
            text(
                "select min(extract(hour from created_at at time zone :tz)),"
                " max(extract(hour from created_at at time zone :tz)) from crm.leads"
            ),
            {"tz": zoned.tz},
        ).one()
    assert hours[0] >= 7 and hours[1] <= 21
