"""Build the benchmark data set in a database of its own: demo data from `pulsebi.seed` for
the lookup tables and realistic small tables, plus bulk sales-side rows made with
generate_series (millions of rows in seconds, no Python loop).

    python bench/generate.py --database-url postgresql://postgres@127.0.0.1:5432/pulsebi_bench
"""

from __future__ import annotations

import argparse
import time
from datetime import date

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from pulsebi.db import get_engine
from pulsebi.db.migrate import upgrade_database
from pulsebi.settings import load_settings

# Bulk rows, ids above the seed's (values are bound; the SQL is fixed).
BULK = """
insert into crm.leads (id, branch_id, source_id, created_at, status)
select 10000000 + g,
       (select id from crm.branches order by id offset (g % :branches) limit 1),
       (select id from crm.lead_sources order by id offset (g % :sources) limit 1),
       :t0 + (random() * :span) * interval '1 second',
       (array['new','contacted','appointment_set','sold','dead'])[1 + g % 5]
from generate_series(1, :leads) g;

insert into crm.appointments (id, lead_id, branch_id, rep_id, created_at, scheduled_for,
                              status, result)
select 10000000 + g, 10000000 + g, 1 + g % :branches, 1, t, t + interval '3 days',
       (array['ran','ran','no_show','canceled','scheduled'])[1 + g % 5],
       case when g % 5 < 2 then (array['sold','not_sold'])[1 + g % 2] end
from (select g, :t0 + (random() * :span) * interval '1 second' as t
      from generate_series(1, :appointments) g) x;

insert into crm.sales (id, lead_id, appointment_id, branch_id, sold_at, amount,
                       commission_rate, product, status)
select 10000000 + g, 10000000 + (g % :leads), null, 1 + g % :branches,
       :t0 + (random() * :span) * interval '1 second',
       round((2000 + random() * 30000)::numeric, 2), 0.0800, 'roof',
       case when g % 20 = 0 then 'canceled' else 'active' end
from generate_series(1, :sales) g;

insert into crm.sale_splits (id, sale_id, employee_id, share, commission)
select 10000000 + g, 10000000 + g, (select min(id) from crm.employees) + g % 50, 1.0000, 0
from generate_series(1, :splits) g;
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--sales", type=int, default=5_000_000)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--appointments", type=int, default=1_000_000)
    parser.add_argument("--splits", type=int, default=1_000_000)
    parser.add_argument("--scale", type=float, default=1.0, help="pulsebi.seed scale")
    args = parser.parse_args()

    url = make_url(args.database_url).set(drivername="postgresql+psycopg2")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'drop database if exists "{url.database}" with (force)'))
        conn.execute(text(f'create database "{url.database}"'))
    admin.dispose()

    settings = load_settings().replace(database_url=args.database_url)
    engine = get_engine(settings)
    upgrade_database(engine)
    t = time.perf_counter()
    from pulsebi.seed import seed_database

    summary = seed_database(engine, settings=settings, years=3, scale=args.scale)
    print(f"seeded: {summary.describe()}")
    t0 = date(summary.today.year - 3, summary.today.month, 1)
    params = {
        "t0": t0,
        "span": 3 * 365 * 86400,
        "branches": summary.rows["branches"],
        "sources": summary.rows["lead_sources"],
        "leads": args.leads,
        "appointments": args.appointments,
        "sales": args.sales,
        "splits": args.splits,
    }
    with engine.begin() as conn:
        conn.execute(text("set local synchronous_commit = off"))
        for statement in BULK.split(";"):
            if statement.strip():
                conn.execute(text(statement), params)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("vacuum analyze"))
        counts = {
            t: conn.execute(text(f"select count(*) from crm.{t}")).scalar_one()
            for t in ("leads", "appointments", "sales", "sale_splits", "jobs")
        }
    print(f"bulk rows added in {time.perf_counter() - t:.0f} s: {counts}")


if __name__ == "__main__":
    main()
