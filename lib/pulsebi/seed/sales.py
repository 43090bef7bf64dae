"""Sales from sold appointments, their commission splits, and the jobs that install them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pulsebi.seed.calendar import to_timestamps
from pulsebi.seed.journeys import Appointments, Leads
from pulsebi.seed.org import Staff, source_param

# product, share of sales, median amount ($), commission rate (1/10000)
PRODUCTS = [
    ("windows", 0.30, 11500, 1000),
    ("siding", 0.16, 17500, 900),
    ("roofing", 0.18, 15000, 800),
    ("doors", 0.10, 4800, 1200),
    ("gutters", 0.08, 2600, 1200),
    ("bath remodel", 0.10, 13500, 1000),
    ("insulation", 0.08, 3900, 1100),
]
CANCEL_RATE = 0.085
SPLIT_SIZES = ([1, 2, 3], [0.64, 0.29, 0.07])
# share patterns (1/10000); 3 × 0.3333 = 0.9999 is within the contract's tolerance on purpose
SHARES = {
    1: np.array([[10000, 0, 0]]),
    2: np.array([[5000, 5000, 0], [6000, 4000, 0], [7000, 3000, 0]]),
    3: np.array([[4000, 3000, 3000], [3334, 3333, 3333], [5000, 2500, 2500], [3333, 3333, 3333]]),
}
DAY = 86400


@dataclass
class Sales:
    appt: np.ndarray  # 0-based appointment index
    lead: np.ndarray
    branch: np.ndarray
    day: np.ndarray
    at: np.ndarray
    cents: np.ndarray
    rate: np.ndarray  # 1/10000
    product: np.ndarray
    active: np.ndarray
    canceled_at: np.ndarray  # epoch seconds, valid where not active
    rep: np.ndarray  # the appointment's rep

    def __len__(self) -> int:
        return len(self.at)

    @property
    def ref(self) -> np.ndarray:
        return invoice_numbers(np.arange(1, len(self) + 1))


def invoice_numbers(sale_ids: np.ndarray) -> np.ndarray:
    return ("INV-" + pd.Series(np.asarray(sale_ids) + 204_000).astype(str)).to_numpy(object)


def commission(cents: np.ndarray, rate: np.ndarray, share: np.ndarray) -> np.ndarray:
    """round(amount × rate × share, 2) in cents, half away from zero, exactly."""
    product = np.asarray(cents, np.int64) * np.asarray(rate, np.int64) * np.asarray(share, np.int64)
    return np.sign(product) * ((np.abs(product) + 50_000_000) // 100_000_000)


def make_sales(
    rng: np.random.Generator,
    leads: Leads,
    appts: Appointments,
    skip: np.ndarray,
    history_end: int,
) -> Sales:
    """One sale per sold appointment (except the `skip` ones), a little after it started."""
    sold = appts.sold()
    sold[skip] = False
    appt = np.flatnonzero(sold)
    n = len(appt)
    at = appts.scheduled[appt] + rng.integers(45, 151, n) * 60
    order = np.argsort(at, kind="stable")
    appt, at = appt[order], at[order]
    lead = appts.lead[appt]
    share = np.array([p[1] for p in PRODUCTS])
    product = rng.choice(len(PRODUCTS), n, p=share / share.sum())
    median = np.array([p[2] for p in PRODUCTS])[product] * source_param(5)[leads.source[lead] - 1]
    dollars = median * rng.lognormal(0, 0.35, n)
    cents = np.where(rng.random(n) < 0.7, np.round(dollars) * 100, np.round(dollars * 100))
    canceled_at = at + rng.integers(DAY, 10 * DAY, n)
    active = ~((rng.random(n) < CANCEL_RATE) & (canceled_at < history_end))
    return Sales(
        appt=appt,
        lead=lead,
        branch=appts.branch[appt],
        day=appts.day[appt],
        at=at,
        cents=cents.astype(np.int64),
        rate=np.array([p[3] for p in PRODUCTS])[product],
        product=np.array([p[0] for p in PRODUCTS], dtype=object)[product],
        active=active,
        canceled_at=canceled_at,
        rep=appts.rep[appt],
    )


def sales_table(sales: Sales) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": np.arange(1, len(sales) + 1),
            "lead_id": sales.lead + 1,
            "appointment_id": sales.appt + 1,
            "branch_id": sales.branch,
            "sold_at": to_timestamps(sales.at),
            "amount": sales.cents / 100,
            "commission_rate": sales.rate / 10000,
            "product": sales.product,
            "status": np.where(sales.active, "active", "canceled").astype(object),
            "canceled_at": to_timestamps(sales.canceled_at, ~sales.active),
            "external_ref": sales.ref,
        }
    )


def make_splits(rng: np.random.Generator, sales: Sales, staff: Staff) -> pd.DataFrame:
    """1–3 sales reps employed on the sale's day, the appointment's rep first; exact commissions.

    Columns: sale (0-based), employee_id, share and commission (1/10000 and cents).
    """
    n = len(sales)
    size = rng.choice(SPLIT_SIZES[0], n, p=SPLIT_SIZES[1])
    reps = staff.pick(rng, sales.branch, sales.day, "sales_rep", k=3, first=sales.rep)
    size = np.minimum(size, (reps > 0).sum(axis=1))
    shares = np.zeros((n, 3), np.int64)
    for k, patterns in SHARES.items():
        rows = np.flatnonzero(size == k)
        shares[rows] = patterns[rng.integers(0, len(patterns), len(rows))]
    sale, slot = np.nonzero(np.arange(3)[None, :] < size[:, None])
    share = shares[sale, slot]
    cents = commission(sales.cents[sale], sales.rate[sale], share)
    # the CRM sometimes rounds a cent differently: within the contract's 0.01 tolerance
    off = (rng.random(len(sale)) < 0.004) & (cents > 0)
    cents = cents + off * rng.choice([-1, 1], len(sale))
    return pd.DataFrame(
        {"sale": sale, "employee_id": reps[sale, slot], "share": share, "commission": cents}
    )


def splits_table(splits: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": np.arange(1, len(splits) + 1),
            "sale_id": splits["sale"].to_numpy() + 1,
            "employee_id": splits["employee_id"].to_numpy(),
            "share": splits["share"].to_numpy() / 10000,
            "commission": splits["commission"].to_numpy() / 100,
        }
    )


def make_jobs(
    rng: np.random.Generator, sales: Sales, skip: np.ndarray, history_end: int
) -> pd.DataFrame:
    """A job per sale (except `skip`): pending → scheduled → in_progress → completed."""
    keep = np.ones(len(sales), bool)
    keep[skip] = False
    sale = np.flatnonzero(keep)
    n = len(sale)
    sold = sales.at[sale]
    created = sold + np.minimum(
        rng.integers(1800, 3 * DAY, n), ((history_end - sold) * 0.8).astype(np.int64)
    )
    scheduled = created + rng.integers(1 * DAY, 8 * DAY, n)
    started = scheduled + rng.integers(5 * DAY, 30 * DAY, n)
    completed = started + rng.integers(DAY // 2, 15 * DAY, n)
    status = np.select(
        [
            ~sales.active[sale],
            completed < history_end,
            started < history_end,
            scheduled < history_end,
        ],
        ["canceled", "completed", "in_progress", "scheduled"],
        "pending",
    ).astype(object)
    order = np.argsort(created, kind="stable")
    sale, created, started, completed, status = (
        a[order] for a in (sale, created, started, completed, status)
    )
    has_start = np.isin(status, ["in_progress", "completed"])
    return pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "sale_id": sale + 1,
            "branch_id": sales.branch[sale],
            "status": status,
            "created_at": to_timestamps(created),
            "started_at": to_timestamps(started, has_start),
            "completed_at": to_timestamps(completed, status == "completed"),
        }
    )
