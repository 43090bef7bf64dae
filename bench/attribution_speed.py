"""Multi-touch attribution speed: every model over 1M conversions with journeys of 1–12
touches over 12 sources, at the numpy level the journey query hands over; and, separately,
the SQL journey load (`load_journeys`) on a bench database when one is given.

    python bench/attribution_speed.py [--conversions 1000000] [--runs 3]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/pulsebi_bench \\
        python bench/attribution_speed.py --sql-days 90 [--sql-runs 1]

Targets (issue 17): <= 5 s for the five rule models together, <= 10 s for markov, on 2 cores.
A model's time is its credits plus the sums per source (`credit_totals`); building `Journeys`
(sorting unsorted rows, positions, source codes) is timed on its own, once per run. Prints a
Markdown report with the load average (the machine may be shared: say so when copying it into
bench/README.md).
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import date, timedelta

import numpy as np

from pulsebi import attribution
from pulsebi.attribution.journeys import Journeys, load_journeys
from pulsebi.attribution.results import credit_totals

RULES = ("first_touch", "last_touch", "linear", "time_decay", "position_based")


def make_rows(n: int, seed: int = 17) -> dict[str, np.ndarray]:
    """Long rows of n journeys, 1..12 touches each over sources 1..12, sorted as the query
    orders them (sale, touched_at, touch id)."""
    rng = np.random.default_rng(seed)
    length = rng.integers(1, 13, n)
    conv = np.repeat(np.arange(n), length)
    sold_at = 1.7e9 + rng.integers(0, 86400 * 365, n).astype(float)
    back = np.sort(rng.exponential(6 * 86400, len(conv)))[::-1]  # any order; sorted below
    touched_at = sold_at[conv] - back
    order = np.lexsort((touched_at, conv))
    return {
        "sale_id": conv + 1,
        "cents": rng.integers(50_000, 5_000_000, n)[conv],
        "sold_at": sold_at[conv],
        "source": rng.integers(1, 13, len(conv)),
        "touched_at": touched_at[order],
        "touch_id": np.arange(1, len(conv) + 1),
    }


def clock(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def time_models(rows: dict[str, np.ndarray]) -> dict[str, float]:
    out = {}
    out["build (sorted rows)"], journeys = clock(lambda: _built(rows))
    shuffled = np.random.default_rng(1).permutation(len(rows["sale_id"]))
    out["build (shuffled rows)"], _ = clock(
        lambda: _built({k: v[shuffled] for k, v in rows.items()})
    )
    for model in (*RULES, "markov"):
        out[model], _ = clock(
            lambda m=model: credit_totals(journeys, attribution.credit(m, journeys))
        )
    return out


def _built(rows) -> Journeys:
    j = Journeys.from_rows(**rows)
    j.position, j.length, j.codes, j.elapsed_days  # noqa: B018 (computed here, not in a model)
    return j


def time_sql(days: int, runs: int) -> list[tuple[float, int, int]]:
    from sqlalchemy import func, select

    from pulsebi.db import get_engine
    from pulsebi.db.schema import sales
    from pulsebi.settings import get_settings

    settings = get_settings()
    engine = get_engine(settings)
    with engine.connect() as conn:
        last = conn.execute(select(func.max(sales.c.sold_at))).scalar_one()
    end = last.astimezone(settings.zone).date() + timedelta(days=1)
    start = end - timedelta(days=days)
    out = []
    for _ in range(runs):
        with engine.connect() as conn:
            t, j = clock(lambda: load_journeys(conn, start, end, settings.tz))
        out.append((t, len(j), len(j.conv)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversions", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sql-days", type=int, default=0, help="days of the SQL load (0: skip)")
    parser.add_argument("--sql-runs", type=int, default=1)
    args = parser.parse_args()
    rows = make_rows(args.conversions)
    print(f"## attribution_speed.py: {args.conversions:,} conversions, "
          f"{len(rows['sale_id']):,} touches, 12 sources ({date.today()})\n")  # fmt: skip
    print("| run | load avg (1 min) | build sorted | build shuffled | "
          + " | ".join(RULES) + " | rules total | markov |")  # fmt: skip
    print("|" + "---|" * (6 + len(RULES)))
    for run in range(1, args.runs + 1):
        t = time_models(rows)
        rules = sum(t[m] for m in RULES)
        cells = [f"{t[m]:.2f} s" for m in RULES]
        print(f"| {run} | {os.getloadavg()[0]:.2f} | {t['build (sorted rows)']:.2f} s | "
              f"{t['build (shuffled rows)']:.2f} s | " + " | ".join(cells)
              + f" | **{rules:.2f} s** | **{t['markov']:.2f} s** |")  # fmt: skip
    if args.sql_days:
        print(f"\nSQL journey load (`load_journeys`), the last {args.sql_days} days of the "
              "database's sales:\n")  # fmt: skip
        print("| load avg (1 min) | conversions | rows | time |\n|---|---|---|---|")
        for t, n, m in time_sql(args.sql_days, args.sql_runs):
            print(f"| {os.getloadavg()[0]:.2f} | {n:,} | {m:,} | {t:.1f} s |")


if __name__ == "__main__":
    main()
