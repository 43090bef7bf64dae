"""Anomaly detection, event-wise, against a rolling z-score: labelled sets and the demo data.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/pulsebi_demo \\
    REDIS_URL=redis://127.0.0.1:6379/7 python bench/trends_anomalies.py

The demo database is read from DATABASE_URL (never written). Data sets:

- shipped in wheels (nothing downloaded): aeon's `load_kdd_tsad_135` (UCR InternalBleeding16),
  sktime's `datasets/data/yahoo/yahoo.csv` and `datasets/data/mitdb/mitdb.csv` (columns
  data, label), read with importlib.resources. They have no calendar: their period is
  estimated from the autocorrelation of their differences and passed as `period=`;
- the demo's injected anomalous days (`bi.seed_truth`, kind 'anomalous_day') on the daily
  `leads` series of their branch, every branch from the day it opened;
- clean series (nothing injected: lib/pulsebi/seed/problems.py changes lead volume only):
  calls_made, doors_knocked, appointments_set, ticket_volume and net_revenue per branch, daily
  from its opening and weekly over the whole range as the Trends page reads them (OKC's first
  year is weeks of 0 before it opened); and lumpy money: each branch's daily net revenue of
  one product (7 products, 0.1-1.3 sales a day: mostly zero days and single sales), read from
  crm.sales as the contract defines net revenue (active sales by local day of sold_at).

Scoring: an event is a run of labelled points (one anomalous day); it is found when a flagged
point lies within one period of it (7 days on daily data; "strict": the day itself or the
next/previous); each run of flagged points none of which lies near an event is one false
alarm. precision = found / (found + false alarms), recall = found / events. Baseline: a
rolling z-score (mean and standard deviation of the 28 points before, |z| > 3).
Prints Markdown tables (copied into bench/README.md).
"""

from __future__ import annotations

import importlib.resources
import os
import time
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd
from sqlalchemy import text

from pulsebi.db import get_engine
from pulsebi.settings import get_settings
from pulsebi.trends.anomalies import SENSITIVITIES, anomalies
from pulsebi.trends.series import TrendSeries

CLEAN_METRICS = ("calls_made", "doors_knocked", "appointments_set", "ticket_volume", "net_revenue")
STRIP_METRICS = ("net_revenue", "leads", "appointments_set", "closing_rate", "calls_made",
                 "doors_knocked", "ticket_volume")  # fmt: skip
METHODS = (*SENSITIVITIES, "z-score")


@dataclass
class Case:
    name: str
    series: TrendSeries
    events: list[tuple[int, int]]  # first and last index of each labelled run
    period: int | None = None  # None: the grain's


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """First and last index of each run of True."""
    edges = np.flatnonzero(np.diff(np.r_[0, mask.astype(int), 0]))
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def score_events(flags: np.ndarray, events: list[tuple[int, int]], tol: int) -> tuple[int, int]:
    """(events found, false alarms) of a boolean flag array."""
    near = np.zeros(len(flags), bool)
    found = 0
    for a, b in events:
        lo, hi = max(a - tol, 0), min(b + tol, len(flags) - 1)
        near[lo : hi + 1] = True
        found += bool(flags[lo : hi + 1].any())
    false = sum(1 for a, b in runs(flags) if not near[a : b + 1].any())
    return found, false


def zscore_flags(x: np.ndarray, window: int = 28, k: float = 3.0) -> np.ndarray:
    """The baseline: |x - mean| > k sd over the `window` points before each point."""
    past = pd.Series(x).rolling(window, min_periods=window)
    mean, sd = past.mean().shift(1).to_numpy(), past.std().shift(1).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (x - mean) / sd
    return np.abs(np.nan_to_num(z, nan=0.0, posinf=0.0, neginf=0.0)) > k


def estimate_period(x: np.ndarray, max_lag: int = 800) -> int:
    """The shortest lag whose autocorrelation (of the differences) is within 10% of the best."""
    from statsmodels.tsa.stattools import acf

    a = acf(np.diff(x), nlags=min(max_lag, len(x) // 4), fft=True)
    start = int(np.flatnonzero(a < 0)[0])
    peaks = [i for i in range(start + 1, len(a) - 1) if a[i - 1] <= a[i] >= a[i + 1]]
    best = max(a[i] for i in peaks)
    return next(i for i in peaks if a[i] >= 0.9 * best)


def as_series(x: np.ndarray, name: str) -> TrendSeries:
    index = pd.date_range("2000-01-01", periods=len(x), freq="D")  # no calendar: any will do
    return TrendSeries(pd.Series(np.asarray(x, float), index=index), "day", name)


def shipped_cases() -> list[Case]:
    from aeon.datasets import load_kdd_tsad_135

    x, y = load_kdd_tsad_135()
    sets = [("aeon kdd_tsad_135", np.asarray(x, float), np.asarray(y) == 1)]
    root = importlib.resources.files("sktime") / "datasets" / "data"
    for name in ("yahoo", "mitdb"):
        with importlib.resources.as_file(root / name / f"{name}.csv") as path:
            frame = pd.read_csv(path)
        sets.append(
            (f"sktime {name}", frame["data"].to_numpy(float), frame["label"].to_numpy() == 1)
        )
    out = []
    for name, x, y in sets:
        out.append(Case(name, as_series(x, name), runs(y), estimate_period(x)))
    return out


def demo_cases(settings) -> tuple[list[Case], dict[str, list[Case]], tuple]:
    """Leads per branch with the injected days as events; the clean series (no events) by
    kind: daily, weekly, lumpy (a product's daily revenue at one branch)."""
    with get_engine(settings).connect() as conn:
        truth = conn.execute(
            text(
                "select b.code, t.day from bi.seed_truth t join crm.branches b"
                " on b.id = t.branch_id where t.kind = 'anomalous_day'"
            )
        ).all()
        branches = conn.execute(text("select code, opened_on from crm.branches order by id")).all()
        first, last = conn.execute(
            text("select min(created_at), max(created_at) from crm.leads")
        ).one()
    tz = settings.zone
    start = first.astimezone(tz).date() + timedelta(days=1)  # the first day is partial
    end = last.astimezone(tz).date()  # exclusive: the last day is partial
    leads, clean = [], {"daily": [], "weekly": [], "lumpy": []}
    for code, opened in branches:
        since = max(start, opened)
        s = TrendSeries.from_metric("leads", start=since, end=end, branch=code, settings=settings)
        days = s.values.index
        events = sorted(int(days.get_loc(pd.Timestamp(d))) for c, d in truth if c == code)
        leads.append(Case(f"leads {code}", s, [(i, i) for i in events]))
        monday = start + timedelta(days=-start.weekday() % 7)  # the page's range: OKC opens in it
        for metric in CLEAN_METRICS:
            s = TrendSeries.from_metric(
                metric, start=since, end=end, branch=code, settings=settings
            )
            clean["daily"].append(Case(f"{metric} {code}", s, []))
            s = TrendSeries.from_metric(
                metric, start=monday, end=end, grain="week", branch=code, settings=settings
            )
            clean["weekly"].append(Case(f"{metric} {code}", s, []))
        clean["lumpy"] += product_cases(settings, code, since, end)
    return leads, clean, (start, end, [code for code, _ in branches])


def product_cases(settings, code: str, since, end) -> list[Case]:
    """One branch's daily net revenue of each product, [since, end): lumpy money."""
    with get_engine(settings).connect() as conn:
        rows = conn.execute(
            text(
                "select s.product, (s.sold_at at time zone :tz)::date as day, sum(s.amount)"
                " from crm.sales s join crm.branches b on b.id = s.branch_id"
                " where s.status = 'active' and b.code = :code group by 1, 2"
            ),
            {"tz": str(settings.zone), "code": code},
        ).all()
    frame = pd.DataFrame(rows, columns=["product", "day", "amount"])
    days = pd.date_range(since, end - timedelta(days=1), freq="D")
    out = []
    for product, group in frame.groupby("product"):
        amounts = group.set_index(pd.to_datetime(group["day"]))["amount"].astype(float)
        values = amounts.reindex(days, fill_value=0.0)
        out.append(Case(f"{product} {code}", TrendSeries(values, "day", unit="usd"), []))
    return out


def flags_of(case: Case, method: str) -> np.ndarray:
    if method == "z-score":
        return zscore_flags(case.series.values.to_numpy())
    return anomalies(case.series, method, period=case.period).frame["anomaly"].to_numpy()


def table(rows: list[dict], columns: list[str]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(r[c]) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


def prf(found: int, events: int, false: int) -> dict:
    p = found / (found + false) if found + false else 0.0
    r = found / events if events else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": f"{p:.2f}", "recall": f"{r:.2f}", "F1": f"**{f:.2f}**"}


def event_rows(label: str, cases: list[Case], tol_of) -> list[dict]:
    rows = []
    for method in METHODS:
        found = false = events = 0
        for case in cases:
            f, a = score_events(flags_of(case, method), case.events, tol_of(case))
            found, false, events = found + f, false + a, events + len(case.events)
        row = {"data": label, "method": method, "events": events, "found": found}
        rows.append(row | {"false alarms": false} | prf(found, events, false))
    return rows


def series_years(cases: list[Case]) -> float:
    per_year = {"day": 365.25, "week": 52.18}
    return sum(len(c.series) / per_year[c.series.grain] for c in cases)


def clean_rows(cases: list[Case], label: str = "all clean", by_metric: bool = True) -> list[dict]:
    years = series_years(cases)
    rows = []
    for metric in CLEAN_METRICS if by_metric else ():
        mine = [c for c in cases if c.name.startswith(metric + " ")]
        my_years = series_years(mine)
        row = {"series": f"{metric} ({len(mine)} branches, {my_years:.1f} series-years)"}
        for method in METHODS:
            row[method] = f"{sum(runs_of(c, method) for c in mine) / my_years:.2f}"
        rows.append(row)
    total = {"series": f"**{label} ({len(cases)} series, {years:.1f} series-years)**"}
    for method in METHODS:
        total[method] = f"**{sum(runs_of(c, method) for c in cases) / years:.2f}**"
    return [*rows, total]


def runs_of(case: Case, method: str) -> int:
    return len(runs(flags_of(case, method)))


def time_strip(settings, start, end, codes, grain: str) -> tuple[float, float]:
    """Seconds to read 5 branches × 7 metrics at a grain, and to judge them all."""
    t0 = time.perf_counter()
    series = [
        TrendSeries.from_metric(
            m, start=start, end=end, grain=grain, branch=code, settings=settings
        )
        for code in codes
        for m in STRIP_METRICS
    ]
    t1 = time.perf_counter()
    for s in series:
        anomalies(s)
    return t1 - t0, time.perf_counter() - t1


def injected_scores(leads: list[Case]) -> list[float]:
    """|score| of every injected day (medium), lowest first: the margin over the threshold."""
    out = []
    for case in leads:
        score = anomalies(case.series).frame["score"].to_numpy()
        out += [abs(float(score[a])) for a, _ in case.events]
    return sorted(out)


def main() -> None:
    settings = get_settings()
    print(f"DATABASE_URL from the environment: {os.environ.get('DATABASE_URL', '(unset)')}\n")
    t0 = time.perf_counter()
    shipped = shipped_cases()
    leads, clean, (start, end, codes) = demo_cases(settings)
    print(f"demo days {start} to {end} (exclusive), branches {', '.join(codes)}\n")
    for c in shipped:
        print(f"- {c.name}: {len(c.series)} points, {len(c.events)} events, period {c.period}")
    cols = ["data", "method", "events", "found", "false alarms", "precision", "recall", "F1"]
    rows = event_rows("demo leads (7 days)", leads, lambda c: 7)
    rows += event_rows("demo leads (strict, 1 day)", leads, lambda c: 1)
    for c in shipped:
        rows += event_rows(c.name, [c], lambda c: c.period)
    print("\n" + table(rows, cols) + "\n")
    print("False alarms per series-year on clean daily series:\n")
    print(table(clean_rows(clean["daily"]), ["series", *METHODS]) + "\n")
    print("The same series weekly, and lumpy daily money (a product's revenue at a branch):\n")
    rows = clean_rows(clean["weekly"], "weekly, whole range, all clean", by_metric=False)
    rows += clean_rows(clean["lumpy"], "lumpy: a product's daily revenue", by_metric=False)
    print(table(rows, ["series", *METHODS]) + "\n")
    scores = injected_scores(leads)
    print(f"|score| of the injected days: {', '.join(f'{x:.1f}' for x in scores)}\n")
    for grain in ("day", "week"):
        read, judge = time_strip(settings, start, end, codes, grain)
        print(
            f"strip workload, 5 branches × 7 metrics of {grain}s over {(end - start).days} days:"
            f" read {read:.2f} s, anomalies() {judge * 1000:.0f} ms"
        )
    print(f"whole bench {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
