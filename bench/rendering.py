"""What the rendering toolkit costs: chart, table and tile rendering times and output sizes.

    python bench/rendering.py [--repeat 20]

In one process: the first static chart (matplotlib import, font cache, first figure), then warm
static and live renderings of each chart kind over a year of daily points, a 1,000-row table as
static HTML, and KPI tile updates. Prints a Markdown report.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

import numpy as np
import pandas as pd


def timed(fn, repeat: int) -> tuple[float, float]:
    """(p50, p95) in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    from pulsebi.charts import ChartSpec, render, table_html
    from pulsebi.widgets import KpiTile

    rng = np.random.default_rng(7)
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    daily = pd.DataFrame({"period": days, "net_revenue": rng.uniform(1e4, 9e4, 365).round(2)})
    weeks = pd.DataFrame(
        {
            "period": [f"2026-W{w:02d}" for w in range(1, 27) for _ in range(5)],
            "source": [f"Source {s}" for _ in range(26) for s in range(5)],
            "leads": rng.integers(0, 400, 130),
        }
    )
    reps = pd.DataFrame(
        {"rep_name": [f"Rep {i}" for i in range(25)], "rep_revenue": rng.uniform(0, 5e5, 25)}
    )
    specs = {
        "line, 365 points": ChartSpec("line", daily, x="period", y="net_revenue", units="usd"),
        "stacked bar, 26 × 5": ChartSpec(
            "stacked_bar", weeks, x="period", y="leads", series="source"
        ),
        "ranking, 25 bars": ChartSpec("hbar", reps, x="rep_name", y="rep_revenue", units="usd"),
    }

    start = time.perf_counter()
    render(specs["line, 365 points"], static=True)
    first = (time.perf_counter() - start) * 1000

    print("| what | p50 ms | p95 ms | size |")
    print("|---|---:|---:|---:|")
    print(f"| first static chart in a process (imports, fonts) | {first:.0f} | | |")
    for name, spec in specs.items():
        size = len(render(spec, static=True).svg)
        p50, p95 = timed(lambda spec=spec: render(spec, static=True), args.repeat)
        print(f"| static (SVG) {name} | {p50:.1f} | {p95:.1f} | {size / 1024:.0f} KB |")
        p50, p95 = timed(lambda spec=spec: render(spec, static=False), args.repeat)
        print(f"| live (bqplot) {name} | {p50:.1f} | {p95:.1f} | |")

    table = pd.DataFrame(
        {
            "branch": ["DAL"] * 1000,
            "net_revenue": rng.uniform(0, 1e6, 1000),
            "closing_rate": rng.uniform(0, 1, 1000),
            "sales": rng.integers(0, 100, 1000),
        }
    )
    formats = {"net_revenue": "usd", "closing_rate": "rate"}
    size = len(table_html(table, formats))
    p50, p95 = timed(lambda: table_html(table, formats), args.repeat)
    print(f"| static table, 1,000 rows × 4 | {p50:.1f} | {p95:.1f} | {size / 1024:.0f} KB |")

    tile = KpiTile(label="Revenue YTD", metric="net_revenue", unit="usd", value=1.0, previous=1)
    values = iter(range(10**9))
    p50, p95 = timed(lambda: tile.update(value=float(next(values)), state="live"), 200)
    print(f"| KPI tile update (value + state, one message) | {p50:.3f} | {p95:.3f} | |")


if __name__ == "__main__":
    main()
