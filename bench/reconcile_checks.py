"""Time the reconciliation checks on a large data set, in a database of its own.

    python bench/reconcile_checks.py --scale 5           # seed (pulsebi.seed) then time
    python bench/reconcile_checks.py --reuse --explain   # time again on what is there

The server is DATABASE_URL's; the database `pulsebi_bench_reconcile` is created when missing
and kept (seeding 5M rows takes minutes). Each check runs `--repeat` times: over everything,
and filtered to one branch and one month. `--explain` prints EXPLAIN (ANALYZE, BUFFERS).

Bigger than the seed's memory allows: multiply the sales side of the seeded database with
reconcile_stress.sql (ids shifted, external_ref suffixed '-k'), the export likewise::

    psql -c "create database pulsebi_bench_reconcile_x8 template pulsebi_bench_reconcile"
    psql -d pulsebi_bench_reconcile_x8 -v copies=8 -f bench/reconcile_stress.sql
    (suffix every invoice_no of accounting.csv with -1..-7 into DIR/accounting.csv)
    python bench/reconcile_checks.py --reuse --database pulsebi_bench_reconcile_x8 --data-dir DIR
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from pulsebi.db import get_engine
from pulsebi.db.migrate import upgrade_database
from pulsebi.reconcile import (
    find_external_mismatches,
    find_ghost_appointments,
    find_split_exceptions,
)
from pulsebi.reconcile._query import prepare, read_sql
from pulsebi.reconcile.accounting import load_invoices, read_accounting_file
from pulsebi.reconcile.filters import parse_filters
from pulsebi.services import resolve_database_url
from pulsebi.settings import load_settings, use_settings

DATABASE = "pulsebi_bench_reconcile"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=5.0)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="do not seed; use the data there")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--data-dir", default="/tmp/pulsebi-bench-reconcile")
    parser.add_argument("--database", default=DATABASE, help="for a multiplied copy (see below)")
    args = parser.parse_args()

    base = load_settings()
    server = resolve_database_url(base)
    url = make_url(server).set(database=args.database)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        query = text("select 1 from pg_database where datname = :n")
        if conn.execute(query, {"n": args.database}).first() is None:
            conn.execute(text(f'create database "{args.database}"'))
    admin.dispose()
    settings = base.replace(
        database_url=url.render_as_string(hide_password=False), data_dir=Path(args.data_dir)
    )
    use_settings(settings)
    engine = get_engine(settings)
    upgrade_database(engine)
    if not args.reuse:
        from pulsebi.seed import seed_database

        started = time.perf_counter()
        summary = seed_database(engine, settings=settings, years=args.years, scale=args.scale)
        print(f"seeded in {time.perf_counter() - started:.0f} s: {summary.describe()}")
    with engine.begin() as conn:
        conn.execute(text("analyze"))
        counts = {
            t: conn.execute(text(f"select count(*) from crm.{t}")).scalar_one()
            for t in ("appointments", "sales", "sale_splits", "jobs", "employees", "branches")
        }
        branch = conn.execute(text("select code from crm.branches order by id limit 1")).scalar()
        last = conn.execute(text("select max(sold_at) from crm.sales")).scalar()
    print(
        "rows:",
        ", ".join(f"{n:,} {t}" for t, n in counts.items()),
        f"(total {sum(counts.values()):,})",
    )
    accounting = settings.data_dir / "accounting.csv"
    month_to = last.date().replace(day=1)
    month_from = (month_to - dt.timedelta(days=1)).replace(day=1)
    filtered = {"branch": branch, "date_from": month_from, "date_to": month_to}
    started = time.perf_counter()
    invoices = read_accounting_file(accounting)
    print(f"read and validate {len(invoices):,} invoices: {time.perf_counter() - started:.2f} s")
    checks = {
        "ghost-appointments": lambda **f: find_ghost_appointments(engine, **f),
        "splits": lambda **f: find_split_exceptions(engine, **f),
        "external": lambda **f: find_external_mismatches(accounting, engine, **f),
    }
    found: set[tuple] = set()
    for name, run in checks.items():
        for label, filters in (("all", {}), (f"{branch} {month_from}..{month_to}", filtered)):
            times, frame = [], None
            for _ in range(args.repeat):
                started = time.perf_counter()
                frame = run(**filters)
                times.append(time.perf_counter() - started)
            print(
                f"{name:20s} {label:28s} median {statistics.median(times):6.2f} s  "
                f"min {min(times):6.2f} s  {len(frame):6,} exceptions"
            )
            if label == "all":
                found |= exception_keys(name, frame)
    compare_with_truth(engine, found)
    if args.explain:
        for name in ("ghosts", "splits", "external"):
            with engine.begin() as conn:
                params = prepare(conn, parse_filters(), settings)
                if name == "external":
                    load_invoices(conn, invoices)
                    params["now"] = None
                plan = conn.execute(text("explain (analyze, buffers) " + read_sql(name)), params)
                print(f"\n--- {name}\n" + "\n".join(r[0] for r in plan))


def exception_keys(check: str, frame) -> set[tuple]:
    import pandas as pd

    def clean(value):
        return None if value is None or pd.isna(value) else value

    if check == "ghost-appointments":
        return {
            (r, int(a), None, None) for r, a in zip(frame.reason, frame.appointment_id, strict=True)
        }
    if check == "splits":
        return {(r, None, int(s), None) for r, s in zip(frame.reason, frame.sale_id, strict=True)}
    return {
        (r, None, clean(s), clean(i))
        for r, s, i in zip(frame.reason, frame.sale_id, frame.invoice_no, strict=True)
    }


def compare_with_truth(engine, found: set[tuple]) -> None:
    """The seed's ground truth against what the checks found (same keys as the tests)."""
    query = text(
        "select reason, case when kind = 'ghost_appointment' then appointment_id end,"
        " case when kind <> 'ghost_appointment' then sale_id end,"
        " case when kind = 'external' then invoice_no end"
        " from bi.seed_truth where kind in ('ghost_appointment', 'split', 'external')"
    )
    with engine.connect() as conn:
        truth = {tuple(r) for r in conn.execute(query)}
    if not truth:
        print("no ground truth in bi.seed_truth")
        return
    print(
        f"ground truth: {len(truth):,} injected, {len(truth & found):,} found, "
        f"{len(truth - found):,} missed, {len(found - truth):,} extra"
    )


if __name__ == "__main__":
    os.environ.setdefault("PULSEBI_TZ", "America/Chicago")
    main()
