"""What one live KPI recompute costs on a large CRM: crm tables alone, or views + today.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/pulsebi_bench \\
    REDIS_URL=redis://127.0.0.1:6379/0 python bench/live_recompute.py [--runs 7]

The live worker recomputes a KPI (company value, then every branch's) after each change it is
told of. Daily sums (revenue week/month/year to date) can take the days before the views' last
refresh from the views (cached per data version) and only later days from the crm tables; the
worker does so while no change since that refresh touched an earlier day. Run on the data set of
`generate.py`, right after a refresh (`pulsebi refresh`). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from pulsebi.live.kpis import DAILY_SUMS, REGISTRY
from pulsebi.live.values import compute_kpi
from pulsebi.live.worker import LiveWorker
from pulsebi.settings import get_settings


def median_ms(fn, runs: int) -> float:
    fn()  # warm-up (and the views' cache entry)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    settings = get_settings()
    worker = LiveWorker(settings)
    today = worker.today()
    before = worker.views_before()
    if before is None:
        raise SystemExit("the views have no refresh yet: run `pulsebi refresh` first")
    print(f"Views refreshed on {before}; load average {os.getloadavg()[0]:.1f}.\n")
    print("| live KPI | crm tables (ms) | views + today (ms) |")
    print("|---|---|---|")
    for kpi in REGISTRY.values():
        if kpi.metric not in DAILY_SUMS:
            continue
        fresh = median_ms(lambda k=kpi: list(compute_kpi(k, settings, today)), args.runs)
        split = median_ms(lambda k=kpi: list(compute_kpi(k, settings, today, before)), args.runs)
        assert list(compute_kpi(kpi, settings, today)) == list(
            compute_kpi(kpi, settings, today, before)
        ), kpi.key
        print(f"| {kpi.key} | {fresh:.1f} | {split:.1f} |")


if __name__ == "__main__":
    main()
