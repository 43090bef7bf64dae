"""Metric latency on a large data set: cached, from the bi views, and from the raw crm tables.

    python bench/generate.py --database-url postgresql://postgres@127.0.0.1:5432/pulsebi_bench
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/pulsebi_bench \\
    REDIS_URL=redis://127.0.0.1:6379/0 python bench/metrics_latency.py

"Raw" is `metrics.compute(..., fresh=True)`: the very same path (connection, validation,
members, DataFrame) reading the crm tables instead of the views, so the ratio is the views' gain
alone (and the two results are checked equal).
Prints a Markdown report (copied into bench/README.md).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import text

from pulsebi import cache, metrics
from pulsebi.db import get_engine
from pulsebi.settings import get_settings
from pulsebi.views import refresh_views


def _cpu_seconds(pid: int) -> float | None:
    """utime + stime of a local process (None when PostgreSQL runs elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def refresh_cpu(engine) -> list[tuple[str, float, float | None]]:
    """Each view refreshed alone: wall time and the server backend's CPU time. CPU time hardly
    depends on what else runs on the machine, so it estimates the refresh on an idle one."""
    from pulsebi.views import VIEW_NAMES
    from pulsebi.views.definitions import materialized_names
    from pulsebi.views.manage import refresh_materialized

    out = []
    for name in VIEW_NAMES:
        for unit in materialized_names(name):
            with engine.begin() as conn:
                pid = conn.execute(text("select pg_backend_pid()")).scalar_one()
                cpu0, t0 = _cpu_seconds(pid), time.perf_counter()
                refresh_materialized(conn, name, unit)
                wall, cpu1 = time.perf_counter() - t0, _cpu_seconds(pid)
            out.append((unit, wall, None if cpu0 is None or cpu1 is None else cpu1 - cpu0))
    return out


def timings(fn, runs: int) -> list[float]:
    fn()  # warm-up
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--raw-runs", type=int, default=7)
    parser.add_argument("--refreshes", type=int, default=3)
    parser.add_argument("--skip-latency", action="store_true", help="Only time the refreshes.")
    args = parser.parse_args()
    settings = get_settings()
    engine = get_engine(settings)

    load_before = os.getloadavg()[0]
    refreshes = [refresh_views(engine, settings) for _ in range(args.refreshes)]
    with engine.connect() as conn:
        rows = {
            t: conn.execute(text(f"select count(*) from crm.{t}")).scalar_one()
            for t in ("leads", "appointments", "sales", "sale_splits", "jobs")
        }
        view_rows = conn.execute(text("select count(*) from bi.sales_daily")).scalar_one()

    today = date.today()
    cases = [
        (
            "net_revenue YTD by branch",
            "net_revenue",
            {"start": date(today.year, 1, 1), "end": today + timedelta(days=1), "by": ["branch"]},
        ),
        (
            "net_revenue 12 months by branch × month",
            "net_revenue",
            {
                "start": date(today.year - 1, today.month, 1),
                "end": date(today.year, today.month, 1),
                "by": ["branch"],
                "grain": "month",
            },
        ),
        (
            "closing_rate 3 years by branch × week",
            "closing_rate",
            {"start": date(today.year - 3, 1, 1), "end": today, "by": ["branch"], "grain": "week"},
        ),
    ]
    if args.skip_latency:
        cases = []
    lines = [
        f"Data: {', '.join(f'{n:,} {t}' for t, n in rows.items())} "
        f"({sum(rows.values()):,} sales-side rows); bi.sales_daily holds {view_rows:,} rows.",
        "",
        "| metric | cached p50 / p95 (ms) | views p50 / p95 (ms) | raw p50 / p95 (ms) "
        "| raw ÷ views (p50) | views ÷ cached (p50) |",
        "|---|---|---|---|---|---|",
    ]
    for label, metric_id, kw in cases:

        def run(use_cache: bool, fresh: bool = False, metric_id=metric_id, kw=kw):
            return metrics.compute(
                metric_id, settings=settings, use_cache=use_cache, fresh=fresh, **kw
            )

        cache.reset()
        view_frame = run(False)
        cached = timings(lambda run=run: run(True), args.runs)
        views = timings(lambda run=run: run(False), args.runs)
        raw_frame = run(False, fresh=True)
        raw = timings(lambda run=run: run(False, fresh=True), args.raw_runs)
        assert raw_frame.equals(view_frame), f"raw and view results differ for {label}"
        lines.append(
            f"| {label} | {pct(cached, 50):.2f} / {pct(cached, 95):.2f} "
            f"| {pct(views, 50):.2f} / {pct(views, 95):.2f} "
            f"| {pct(raw, 50):.0f} / {pct(raw, 95):.0f} "
            f"| {pct(raw, 50) / pct(views, 50):.0f}× | {pct(views, 50) / pct(cached, 50):.1f}× |"
        )
    lines += [
        "",
        f"| refresh of all views ({args.refreshes} runs, CONCURRENTLY) | total ms |",
        "|---|---|",
    ]
    lines += [f"| run {i + 1} | {r.duration_ms:.0f} |" for i, r in enumerate(refreshes)]
    last = refreshes[-1]
    cpu = refresh_cpu(engine)
    lines += ["", "| view (refreshed alone) | wall s | server CPU s |", "|---|---|---|"]
    lines += [f"| {n} | {w:.1f} | {'-' if c is None else f'{c:.1f}'} |" for n, w, c in cpu]
    total_cpu = sum(c or 0 for _, _, c in cpu)
    lines += [
        f"| all | {sum(w for _, w, _ in cpu):.1f} | {total_cpu:.1f} |",
        "",
        f"CPU-bound estimate on an idle 2-core machine with 2 refresh workers: "
        f"≈ {max(total_cpu / 2, max(c or 0 for _, _, c in cpu)):.1f} s.",
    ]
    lines += [
        "",
        "Per view (last run): "
        + ", ".join(
            f"{name} {ms:.0f} ms" for name, ms in sorted(last.views_ms.items(), key=lambda x: -x[1])
        ),
    ]
    lines += [
        "",
        f"Machine load average (1 min) at start {load_before:.1f}, at end "
        f"{os.getloadavg()[0]:.1f}, on {os.cpu_count()} cores shared with other work.",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
