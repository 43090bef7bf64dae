"""Speed of the demo-data generator: `python bench/seed_speed.py [--scale S] [--years Y] [--keep]`.

Seeds the database `pulsebi_bench_seed` on DATABASE_URL's server (created, dropped afterwards
unless --keep) and prints the time to generate, to load (COPY), and the rows per table, plus the
"sales-side" sums: sales + sale_splits + jobs, and the whole sales pipeline (leads, lead_touches,
appointments, sales, sale_splits, jobs).
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import date

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from pulsebi.db import get_engine
from pulsebi.db.migrate import upgrade_database
from pulsebi.seed.copy import load_dataset
from pulsebi.seed.generate import build_dataset
from pulsebi.services import resolve_database_url
from pulsebi.settings import get_settings

NAME = "pulsebi_bench_seed"
PIPELINE = ("leads", "lead_touches", "appointments", "sales", "sale_splits", "jobs")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--today", default="2026-11-20")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    base = get_settings()
    server = resolve_database_url(base)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'drop database if exists "{NAME}" with (force)'))
        conn.execute(text(f'create database "{NAME}"'))
    url = make_url(server).set(database=NAME).render_as_string(hide_password=False)
    settings = base.replace(database_url=url)
    engine = get_engine(settings)
    upgrade_database(engine)
    try:
        started = time.perf_counter()
        data = build_dataset(
            tz=settings.tz,
            years=args.years,
            scale=args.scale,
            seed=42,
            today=date.fromisoformat(args.today),
        )
        generated = time.perf_counter()
        load_dataset(engine, data)
        loaded = time.perf_counter()
        rows = data.row_counts()
        for name, n in rows.items():
            print(f"{name:>16} {n:>12,}")
        print(f"{'total':>16} {sum(rows.values()):>12,}")
        side = rows["sales"] + rows["sale_splits"] + rows["jobs"]
        print(f"sales + sale_splits + jobs: {side:,}; pipeline: {sum(rows[t] for t in PIPELINE):,}")
        print(
            f"scale {args.scale:g}, {args.years}y: generate {generated - started:.1f} s, "
            f"load {loaded - generated:.1f} s, total {loaded - started:.1f} s, "
            f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
        )
    finally:
        engine.dispose()
        if not args.keep:
            with admin.connect() as conn:
                conn.execute(text(f'drop database if exists "{NAME}" with (force)'))


if __name__ == "__main__":
    main()
