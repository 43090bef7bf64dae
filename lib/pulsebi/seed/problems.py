"""Problems injected on purpose, and the ground truth recorded for them in `bi.seed_truth`.

Everything else the generator writes is clean by the contract's reconciliation rules, so the
truth is exactly the set of exceptions those rules find (one row per sale/appointment/invoice
and reason), plus the anomalous days a trend detector should flag.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pulsebi.seed.calendar import Calendar, to_dates
from pulsebi.seed.journeys import Appointments
from pulsebi.seed.org import Staff
from pulsebi.seed.sales import Sales, commission

TRUTH_COLUMNS = ["kind", "reason", "appointment_id", "sale_id", "employee_id", "invoice_no",
                 "branch_id", "day", "detail"]  # fmt: skip
SPLIT_REASONS = ["share_sum", "commission_mismatch", "duplicate_employee", "employee_missing",
                 "not_sales_rep", "not_employed", "no_split"]  # fmt: skip
EXTERNAL_REASONS = ["amount_mismatch", "status_mismatch", "missing_externally", "missing_in_crm"]
RATE = 0.003  # injected problems per eligible row, for each reason
MISSING_EMPLOYEE = 9001
DAY = 86400


def how_many(n_eligible: int, rate: float = RATE, minimum: int = 2) -> int:
    return min(n_eligible, max(minimum, round(rate * n_eligible)))


def truth_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=TRUTH_COLUMNS)
    for col in ("appointment_id", "sale_id", "employee_id", "branch_id"):
        frame[col] = pd.array(frame[col], "Int64")
    frame["day"] = pd.to_datetime(frame["day"]).to_numpy().astype("datetime64[D]")
    return frame


def choose_anomalies(
    cal: Calendar, rng: np.random.Generator, opened: np.ndarray
) -> tuple[np.ndarray, list[dict]]:
    """Spike and dip days of a branch's lead volume: a factor per (branch, day) and the truth."""
    factors = np.ones((len(opened), cal.n_days))
    days = cal.days()
    usable = (
        (days[None, :] >= opened[:, None] + 60)
        & (((days + 3) % 7) < 6)[None, :]
        & (days < cal.end_day - 14)[None, :]
        & (days >= cal.first_day + 60)[None, :]
    )
    cells = np.argwhere(usable)
    n = max(2, round(2 * cal.n_days / 365))
    picked = cells[np.sort(rng.choice(len(cells), min(2 * n, len(cells)), replace=False))]
    reasons = np.where(rng.permutation(len(picked)) < n, "spike", "dip")
    truth = []
    for (b, d), reason in zip(picked, reasons, strict=True):
        factor = rng.uniform(3.5, 5.0) if reason == "spike" else rng.uniform(0.0, 0.12)
        factors[b, d] = factor
        truth.append(
            dict(kind="anomalous_day", reason=reason, branch_id=b + 1,
                 day=to_dates(days[d:d + 1])[0], detail=f"leads x{factor:.2f} of normal")
        )  # fmt: skip
    return factors, truth


def choose_ghosts(rng: np.random.Generator, appts: Appointments) -> np.ndarray:
    """Sold appointments that get no sale at all."""
    sold = np.flatnonzero(appts.sold())
    return np.sort(rng.choice(sold, how_many(len(sold)), replace=False))


def choose_sale_problems(
    rng: np.random.Generator, sales: Sales, history_end: int
) -> dict[str, np.ndarray]:
    """Disjoint sets of sales (0-based) per problem; `amount_trap` sales are clean edge cases."""
    order = rng.permutation(len(sales))
    taken = np.zeros(len(sales), bool)

    def take(eligible: np.ndarray, n: int | None = None) -> np.ndarray:
        pool = order[eligible[order] & ~taken[order]]
        pool = pool[: how_many(int(eligible.sum())) if n is None else n]
        taken[pool] = True
        return np.sort(pool)

    everything = np.ones(len(sales), bool)
    active = sales.active
    chosen = {"no_job": take(everything)}
    for reason in SPLIT_REASONS:
        chosen[reason] = take(active)
    chosen["amount_mismatch"] = take(active)
    chosen["status_active_void"] = take(active, max(1, how_many(int(active.sum())) // 2))
    chosen["status_canceled_billed"] = take(~active, max(1, how_many(int(active.sum())) // 2))
    chosen["missing_externally"] = take(active & (sales.at < history_end - 10 * DAY))
    chosen["amount_trap"] = take(active, 2)
    chosen["share_trap"] = take(active, 1)
    return chosen


def _sale_truth(sales: Sales, i: int, kind: str, reason: str, **extra) -> dict:
    return dict(kind=kind, reason=reason, sale_id=i + 1, branch_id=int(sales.branch[i]),
                day=to_dates(sales.day[i:i + 1])[0], **extra)  # fmt: skip


def apply_split_problems(
    rng: np.random.Generator,
    splits: pd.DataFrame,
    sales: Sales,
    staff: Staff,
    chosen: dict[str, np.ndarray],
) -> tuple[pd.DataFrame, list[dict]]:
    """Break the chosen sales' splits, one reason each; returns the new splits and the truth."""
    people = staff.frame
    groups = {int(s): g.copy() for s, g in splits[splits["sale"].isin(
        np.concatenate([chosen[r] for r in [*SPLIT_REASONS, "share_trap"]])
    )].groupby("sale")}  # fmt: skip
    truth: list[dict] = []
    for reason in SPLIT_REASONS:
        for i in chosen[reason]:
            g, day, extra = groups[int(i)], sales.day[i], {}
            first = g.index[0]
            if reason == "share_sum":
                g.loc[first, "share"] += int(rng.choice([-1000, -2, 2, 500, 1000]))
                g.loc[first, "commission"] = commission(
                    sales.cents[i], sales.rate[i], g.loc[first, "share"]
                )
            elif reason == "commission_mismatch":
                g.loc[first, "commission"] += int(rng.choice([2, 5, 100, 2500, 10000]))
            elif reason == "duplicate_employee":
                if len(g) == 1:
                    half = commission(sales.cents[i], sales.rate[i], 5000)
                    g = pd.concat([g, g])
                    g["share"], g["commission"] = 5000, half
                else:
                    g.iloc[1, g.columns.get_loc("employee_id")] = g.iloc[0]["employee_id"]
                extra["employee_id"] = int(g.iloc[0]["employee_id"])
            elif reason == "employee_missing":
                g.loc[first, "employee_id"] = extra["employee_id"] = MISSING_EMPLOYEE + len(truth)
            elif reason in ("not_sales_rep", "not_employed"):
                employed = (people["hired"] <= day) & (day <= people["term"])
                if reason == "not_sales_rep":
                    pool = people[(people["role"] != "sales_rep") & employed
                                  & (people["branch_id"] == sales.branch[i])]  # fmt: skip
                else:
                    pool = people[(people["role"] == "sales_rep") & ~employed]
                if len(pool) == 0:
                    continue
                who = int(pool["id"].iloc[rng.integers(0, len(pool))])
                g.loc[first, "employee_id"] = extra["employee_id"] = who
            elif reason == "no_split":
                g = g.iloc[0:0]
            groups[int(i)] = g
            truth.append(_sale_truth(sales, int(i), "split", reason, **extra))
    for i in chosen["share_trap"]:  # shares summing to 1.0001: inside the tolerance
        g = groups[int(i)]
        g.loc[g.index[0], "share"] += 1
        g.loc[g.index[0], "commission"] = commission(
            sales.cents[i], sales.rate[i], g.loc[g.index[0], "share"]
        )
    rest = splits[~splits["sale"].isin(list(groups))]
    out = pd.concat([rest, *groups.values()]).sort_values("sale", kind="stable")
    return out.reset_index(drop=True), truth


def ghost_truth(appts: Appointments, sales: Sales, no_sale: np.ndarray, no_job: np.ndarray):
    rows = [
        dict(kind="ghost_appointment", reason="no_sale", appointment_id=int(a) + 1,
             branch_id=int(appts.branch[a]), day=to_dates(appts.day[a:a + 1])[0])
        for a in no_sale
    ]  # fmt: skip
    rows += [
        _sale_truth(sales, int(i), "ghost_appointment", "no_job",
                    appointment_id=int(sales.appt[i]) + 1)
        for i in no_job
    ]  # fmt: skip
    return rows
