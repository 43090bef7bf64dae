"""Problems injected on purpose, and the ground truth recorded for them in `bi.seed_truth`.

Everything else the generator writes is clean by the contract's reconciliation rules, so the
truth is exactly the set of exceptions those rules find (one row per sale/appointment/invoice
and reason), plus the anomalous days a trend detector should flag. Columns filled per kind:

- ghost_appointment (no_sale, no_job): appointment_id, branch_id, day (scheduled_for's local
  date); sale_id too for no_job.
- split (the contract's seven reasons): sale_id, branch_id, day (the sale's local date);
  employee_id for duplicate_employee, employee_missing, not_sales_rep and not_employed.
- external: invoice_no and day; sale_id and branch_id unless missing_in_crm (day is then the
  invoice's invoiced_on, else the sale's date). missing_externally's invoice_no is the sale's
  external_ref that accounting lacks.
- anomalous_day (spike, dip): branch_id, day, detail ("expected leads x4.2"): that branch's
  expected lead volume on that local day was multiplied by the factor (a spike adds at least
  SPIKE_FLOOR leads, so it stands out at small scales too).

Clean edge cases are planted on purpose (not in the truth): 3-way splits of 0.3333 (sum 0.9999),
a sale whose shares sum to 1.0001, commissions and invoice amounts one cent off.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pulsebi.seed.calendar import Calendar, to_dates
from pulsebi.seed.journeys import Appointments
from pulsebi.seed.org import Staff
from pulsebi.seed.sales import Sales, commission

TRUTH_COLUMNS = [
    "kind",
    "reason",
    "appointment_id",
    "sale_id",
    "employee_id",
    "invoice_no",
    "branch_id",
    "day",
    "detail",
]
SPLIT_REASONS = [
    "share_sum",
    "commission_mismatch",
    "duplicate_employee",
    "employee_missing",
    "not_sales_rep",
    "not_employed",
    "no_split",
]
RATE = 0.003  # injected problems per eligible row, for each reason
MISSING_EMPLOYEE = 9001
SPIKE_FLOOR = 8.0
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
    cal: Calendar, rng: np.random.Generator, opened: np.ndarray, expected: np.ndarray
) -> tuple[np.ndarray, list[dict]]:
    """Spike and dip days of a branch's lead volume: the changed expectation and the truth."""
    lam = expected.copy()
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
        if reason == "spike":
            lam[b, d] = max(expected[b, d] * rng.uniform(3.5, 5.0), expected[b, d] + SPIKE_FLOOR)
        else:
            lam[b, d] = expected[b, d] * rng.uniform(0.0, 0.12)
        truth.append(
            dict(
                kind="anomalous_day",
                reason=reason,
                branch_id=b + 1,
                day=to_dates(days[d : d + 1])[0],
                detail=f"expected leads x{lam[b, d] / expected[b, d]:.1f}",
            )
        )
    return lam, truth


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


def sale_truth(sales: Sales, i: int, kind: str, reason: str, **extra) -> dict:
    return dict(
        kind=kind,
        reason=reason,
        sale_id=i + 1,
        branch_id=int(sales.branch[i]),
        day=to_dates(sales.day[i : i + 1])[0],
        **extra,
    )


def apply_split_problems(
    rng: np.random.Generator,
    splits: pd.DataFrame,
    sales: Sales,
    staff: Staff,
    chosen: dict[str, np.ndarray],
) -> tuple[pd.DataFrame, list[dict]]:
    """Break the chosen sales' splits, one reason each; returns the new splits and the truth.

    `splits` is ordered by sale, every sale has at least one split, the first is changed."""
    sale = splits["sale"].to_numpy()
    emp, share, cents = (
        splits[c].to_numpy().copy() for c in ("employee_id", "share", "commission")
    )
    first = np.searchsorted(sale, np.arange(len(sales)))
    size = np.bincount(sale, minlength=len(sales))
    affected: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}

    def recompute(rows: np.ndarray, idx: np.ndarray) -> None:
        cents[rows] = commission(sales.cents[idx], sales.rate[idx], share[rows])

    idx = chosen["share_sum"]
    total = np.bincount(sale, weights=share, minlength=len(sales)).astype(np.int64)[idx]
    delta = rng.choice([-1000, -2, 2, 500, 1000], len(idx))
    # a sum of 0.9999 moved by +0.0002 would land inside the tolerance: move it further
    delta = np.where(np.abs(total + delta - 10000) <= 1, 500, delta)
    share[first[idx]] += delta
    recompute(first[idx], idx)
    affected["share_sum"] = (idx, None)
    trap = chosen["share_trap"]  # shares summing to 1.0001: inside the tolerance
    share[first[trap]] += 1
    recompute(first[trap], trap)

    idx = chosen["commission_mismatch"]
    recompute(first[idx], idx)  # from the exact value: a cent-off split plus 2 cents is no error
    cents[first[idx]] += rng.choice([2, 5, 100, 2500, 10000], len(idx))
    affected["commission_mismatch"] = (idx, None)

    idx = chosen["employee_missing"]
    emp[first[idx]] = MISSING_EMPLOYEE + np.arange(len(idx))
    affected["employee_missing"] = (idx, emp[first[idx]])

    idx = chosen["not_sales_rep"]
    who = np.zeros(len(idx), np.int64)
    roles = rng.choice(["canvasser", "telemarketer", "project_manager", "manager"], len(idx))
    for role in [*np.unique(roles), "manager"]:
        rows = np.flatnonzero((roles == role) | ((role == "manager") & (who == 0)))
        who[rows] = staff.pick(rng, sales.branch[idx[rows]], sales.day[idx[rows]], role)[:, 0]
    idx, who = idx[who > 0], who[who > 0]
    emp[first[idx]] = who
    affected["not_sales_rep"] = (idx, who)

    idx = chosen["not_employed"]
    reps = staff.frame[staff.frame["role"] == "sales_rep"]
    day = sales.day[idx, None]
    gone = (reps["hired"].to_numpy() > day) | (day > reps["term"].to_numpy())
    keys = np.where(gone, rng.random(gone.shape), -1.0)
    pick = keys.argmax(axis=1)
    ok = keys[np.arange(len(idx)), pick] >= 0
    idx, who = idx[ok], reps["id"].to_numpy()[pick[ok]]
    emp[first[idx]] = who
    affected["not_employed"] = (idx, who)

    idx = chosen["duplicate_employee"]
    multi = idx[size[idx] >= 2]
    emp[first[multi] + 1] = emp[first[multi]]
    single = idx[size[idx] == 1]
    share[first[single]] = 5000
    recompute(first[single], single)
    affected["duplicate_employee"] = (idx, emp[first[idx]])

    keep = ~np.isin(sale, chosen["no_split"])
    affected["no_split"] = (chosen["no_split"], None)
    rows = first[single]
    out = pd.DataFrame(
        {
            "sale": np.concatenate([sale[keep], sale[rows]]),
            "employee_id": np.concatenate([emp[keep], emp[rows]]),
            "share": np.concatenate([share[keep], share[rows]]),
            "commission": np.concatenate([cents[keep], cents[rows]]),
        }
    ).sort_values("sale", kind="stable", ignore_index=True)
    truth = []
    for reason in SPLIT_REASONS:
        idx, who = affected[reason]
        for k, i in enumerate(idx):
            extra = {} if who is None else {"employee_id": int(who[k])}
            truth.append(sale_truth(sales, int(i), "split", reason, **extra))
    return out, truth


def ghost_truth(appts: Appointments, sales: Sales, no_sale: np.ndarray, no_job: np.ndarray):
    rows = [
        dict(
            kind="ghost_appointment",
            reason="no_sale",
            appointment_id=int(a) + 1,
            branch_id=int(appts.branch[a]),
            day=to_dates(appts.day[a : a + 1])[0],
        )
        for a in no_sale
    ]
    rows += [
        sale_truth(
            sales, int(i), "ghost_appointment", "no_job", appointment_id=int(sales.appt[i]) + 1
        )
        for i in no_job
    ]
    return rows
