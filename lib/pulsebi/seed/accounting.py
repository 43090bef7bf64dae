"""The accounting system's invoice export (the external side of reconciliation).

Clean by default: every active sale is invoiced with its exact amount (open or paid), a canceled
sale has a void invoice or none. The injected mismatches are recorded as ground truth.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from pulsebi.seed.calendar import Calendar, to_dates
from pulsebi.seed.org import random_names
from pulsebi.seed.problems import how_many, sale_truth
from pulsebi.seed.sales import Sales

HEADER = ["invoice_no", "invoiced_on", "customer", "amount", "status"]
VOID_WHEN_CANCELED = 0.6
AMOUNT_DELTAS = np.array([2, 100, 2500, 50000, -2, -100, -2500])  # cents


def make_invoices(
    cal: Calendar, rng: np.random.Generator, sales: Sales, chosen: dict[str, np.ndarray]
) -> tuple[pd.DataFrame, list[dict]]:
    n = len(sales)
    refs = sales.ref
    customer = random_names(rng, n)
    invoiced = np.minimum(sales.day + rng.integers(0, 4, n), cal.end_day - 1)
    age = cal.end_day - invoiced
    paid = (age > 45) | (rng.random(n) < age / 50)
    status = np.where(paid, "paid", "open").astype(object)
    status[~sales.active] = "void"
    cents = sales.cents.copy()
    invoiced_sale = sales.active | (rng.random(n) < VOID_WHEN_CANCELED)
    truth: list[dict] = []

    def record(reason: str, idx: np.ndarray) -> None:
        truth.extend(sale_truth(sales, int(i), "external", reason, invoice_no=refs[i]) for i in idx)

    idx = chosen["amount_mismatch"]
    delta = rng.choice(AMOUNT_DELTAS, len(idx))
    cents[idx] = np.where(cents[idx] + delta > 0, cents[idx] + delta, cents[idx] + 2)
    record("amount_mismatch", idx)
    trap = chosen["amount_trap"]  # a cent off: inside the contract's 0.01 tolerance
    cents[trap] += rng.choice([-1, 1], len(trap))
    status[chosen["status_active_void"]] = "void"
    billed = chosen["status_canceled_billed"]
    status[billed] = rng.choice(["open", "paid"], len(billed))
    invoiced_sale[billed] = True
    record("status_mismatch", np.sort(np.concatenate([chosen["status_active_void"], billed])))
    invoiced_sale[chosen["missing_externally"]] = False
    record("missing_externally", chosen["missing_externally"])

    keep = np.flatnonzero(invoiced_sale)
    frame = pd.DataFrame(
        {
            "invoice_no": refs[keep],
            "day": invoiced[keep],
            "customer": customer[keep],
            "cents": cents[keep],
            "status": status[keep],
        }
    )
    # invoices the CRM never heard of
    m = how_many(n)
    orphan_no = np.array([f"INV-{9_100_000 + k}" for k in range(m)], dtype=object)
    orphan_day = rng.integers(cal.first_day, cal.end_day, m)
    orphans = pd.DataFrame(
        {
            "invoice_no": orphan_no,
            "day": orphan_day,
            "customer": random_names(rng, m),
            "cents": rng.integers(150_000, 2_500_000, m),
            "status": rng.choice(["open", "paid", "void"], m, p=[0.3, 0.5, 0.2]),
        }
    )
    truth.extend(
        dict(kind="external", reason="missing_in_crm", invoice_no=no, day=to_dates([d])[0])
        for no, d in zip(orphan_no, orphan_day, strict=True)
    )
    frame = pd.concat([frame, orphans], ignore_index=True).sort_values(
        ["day", "invoice_no"], kind="stable", ignore_index=True
    )
    out = pd.DataFrame(
        {
            "invoice_no": frame["invoice_no"],
            "invoiced_on": to_dates(frame["day"].to_numpy()),
            "customer": frame["customer"],
            "amount": frame["cents"].to_numpy() / 100,
            "status": frame["status"],
        }
    )
    return out, truth


def write_invoices(invoices: pd.DataFrame, path: Path) -> Path:
    """Write the export next to where it belongs, then move it in place (never half-written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    invoices.to_csv(tmp, index=False, columns=HEADER, float_format="%.2f", date_format="%Y-%m-%d")
    return tmp


def publish(tmp: Path, path: Path) -> None:
    os.replace(tmp, path)
