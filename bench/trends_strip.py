"""The early-warning strip: 5 branches × 7 headline metrics, each judged on ~3 years of days and
of weeks, from cold and from Redis; and which of the data's injected anomalous days it flags.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/pulsebi_demo \\
    REDIS_URL=redis://127.0.0.1:6379/7 python bench/trends_strip.py [--runs 5] [--reads 200]

Read-only on the database. Every cold run uses a Redis namespace of its own (no metric and no
strip cache: each of the 14 metric reads goes to the views), deleted afterwards, so the data's
own namespace (a lead's benchmark) is never touched. Targets (issue 15): ≤ 2 s cold, ≤ 20 ms
cached. Prints a Markdown report (copied into bench/README.md).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import text

from pulsebi.db import get_engine
from pulsebi.settings import get_settings
from pulsebi.trends.strip import (
    HEADLINE_METRICS,
    branch_series,
    compute_strip,
    judged_periods,
    read_strip,
)


def scratch(settings):
    """The settings in a fresh namespace (cold caches)."""
    return settings.replace(namespace=f"bench-strip-{uuid.uuid4().hex[:8]}")


def drop_namespace(settings) -> None:
    import redis

    from pulsebi.services import resolve_redis_url

    client = redis.Redis.from_url(resolve_redis_url(settings))
    for key in client.scan_iter(f"{settings.namespace}:*"):
        client.delete(key)
    client.close()


def timed(fn) -> tuple[float, float, object]:
    wall0, cpu0 = time.perf_counter(), time.process_time()
    value = fn()
    return time.perf_counter() - wall0, time.process_time() - cpu0, value


def reads_only(settings, today: date) -> None:
    for grain, (start, end, _judged) in judged_periods(today).items():
        for metric in HEADLINE_METRICS:
            list(branch_series(metric, start, end, grain, settings))


def injected_days(settings) -> list[tuple[str, str, date]]:
    with get_engine(settings).connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text(
                    "select t.reason, b.code, t.day from bi.seed_truth t"
                    " join crm.branches b on b.id = t.branch_id"
                    " where t.kind = 'anomalous_day' order by t.day"
                )
            )
        ]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="cold runs (each a new namespace)")
    parser.add_argument("--reads", type=int, default=200, help="cached reads")
    parser.add_argument("--today", type=date.fromisoformat, default=None)
    args = parser.parse_args()
    base = get_settings()
    today = args.today or datetime.now(base.zone).date()
    used = []
    try:
        first = scratch(base)
        used.append(first)
        wall_first, cpu_first, records = timed(lambda: compute_strip(first, today))
        cold = []
        for _ in range(args.runs):
            s = scratch(base)
            used.append(s)
            cold.append(timed(lambda s=s: compute_strip(s, today)))
        split = scratch(base)
        used.append(split)
        read_wall, read_cpu, _ = timed(lambda: reads_only(split, today))
        judge_wall, judge_cpu, _ = timed(lambda: compute_strip(split, today))  # metrics cached
        hits, hits_db = [], []
        for _ in range(args.reads):
            t0 = time.perf_counter()
            assert read_strip(first, today) == records
            hits.append(time.perf_counter() - t0)
        import redis

        from pulsebi.services import resolve_redis_url

        client = redis.Redis.from_url(resolve_redis_url(base))
        for _ in range(min(args.reads, 50)):  # the published version expired (5 s TTL)
            client.delete(f"{first.namespace}:data_version")
            t0 = time.perf_counter()
            read_strip(first, today)
            hits_db.append(time.perf_counter() - t0)
        client.close()
        found = []
        for reason, code, day in injected_days(base):
            s = scratch(base)
            used.append(s)
            strip = compute_strip(s, day + timedelta(days=1), metrics=("leads",))
            hit = any(
                (r["branch"], r["metric"], r["grain"], r["date"]) == (code, "leads", "day", day)
                for r in strip
            )
            found.append((reason, code, day, hit))
    finally:
        for s in used:
            drop_namespace(s)
    load = os.getloadavg()[0]
    walls = [w for w, _, _ in cold]
    cpus = [c for _, c, _ in cold]
    print(f"### {datetime.now():%Y-%m-%d %H:%M}, load average {load:.2f}, today {today}")
    print()
    print(f"{len(records)} warnings; 70 judgements (35 pairs × day and week)")
    print()
    print("| measure | wall | CPU (this process) |")
    print("|---|---|---|")
    print(f"| cold, first in the process (imports) | {wall_first:.2f} s | {cpu_first:.2f} s |")
    print(
        f"| cold, median of {len(cold)} (new namespace each) | {statistics.median(walls):.2f} s"
        f" (max {max(walls):.2f}) | {statistics.median(cpus):.2f} s |"
    )
    print(f"| the 14 metric reads alone (views) | {read_wall:.2f} s | {read_cpu:.2f} s |")
    print(f"| the strip, its 14 metric results in Redis | {judge_wall:.2f} s | {judge_cpu:.2f} s |")
    print(
        f"| cached, p50 / p95 / max of {len(hits)} | {percentile(hits, 0.5) * 1000:.2f} / "
        f"{percentile(hits, 0.95) * 1000:.2f} / {max(hits) * 1000:.2f} ms | |"
    )
    print(
        f"| cached, version from the database, p50 / p95 of {len(hits_db)} | "
        f"{percentile(hits_db, 0.5) * 1000:.2f} / {percentile(hits_db, 0.95) * 1000:.2f} ms | |"
    )
    print()
    flagged = sum(hit for *_, hit in found)
    print(f"Injected anomalous days flagged (leads, that day as yesterday): {flagged}/{len(found)}")
    for reason, code, day, hit in found:
        print(f"- {day} {code} {reason}: {'flagged' if hit else 'missed'}")


if __name__ == "__main__":
    main()
