"""Injected problems vs the contract's rules, in memory (no database): the ground truth must be
exactly what the rules find, also when an injected problem lands on a clean edge case (a 0.9999
share sum, a commission one cent off, an invoice one cent off)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from pulsebi.seed import problems
from pulsebi.seed.generate import build_dataset
from pulsebi.seed.org import STILL_EMPLOYED, Staff, employees_table
from pulsebi.seed.sales import Sales, commission, sales_table, splits_table

TZ = "America/Chicago"
TODAY = date(2026, 11, 20)


def local_dates(stamps: pd.Series, tz: str) -> np.ndarray:
    utc = pd.DatetimeIndex(stamps).tz_localize("UTC").tz_convert(tz).tz_localize(None)
    return utc.normalize().values.astype("datetime64[D]")


def split_exceptions(tables: dict[str, pd.DataFrame], tz: str) -> set[tuple]:
    """The contract's split integrity rules, exactly (shares in 1/10000, money in cents)."""
    sales = tables["sales"][tables["sales"]["status"] == "active"].set_index("id")
    splits = tables["sale_splits"]
    splits = splits[splits["sale_id"].isin(sales.index)]
    found = {("no_split", s) for s in sales.index.difference(splits["sale_id"].unique())}
    units = np.round(splits["share"].to_numpy() * 10000).astype(np.int64)
    total = pd.Series(units).groupby(splits["sale_id"].to_numpy()).sum()
    found |= {("share_sum", s) for s in total.index[(total - 10000).abs() > 1]}
    sale = sales.loc[splits["sale_id"]]
    expected = commission(
        np.round(sale["amount"].to_numpy() * 100).astype(np.int64),
        np.round(sale["commission_rate"].to_numpy() * 10000).astype(np.int64),
        units,
    )
    recorded = np.round(splits["commission"].to_numpy() * 100).astype(np.int64)
    found |= {("commission_mismatch", s) for s in splits["sale_id"][abs(recorded - expected) > 1]}
    times = splits.groupby(["sale_id", "employee_id"]).size()
    found |= {("duplicate_employee", s) for s, _ in times[times > 1].index}
    who = splits.merge(tables["employees"], left_on="employee_id", right_on="id", how="left")
    known = who["role"].notna().to_numpy()
    found |= {("employee_missing", s) for s in who["sale_id"][~known]}
    found |= {("not_sales_rep", s) for s in who["sale_id"][known & (who["role"] != "sales_rep")]}
    day = local_dates(sales.loc[who["sale_id"], "sold_at"], tz)
    hired = who["hired_on"].to_numpy().astype("datetime64[D]")
    term = who["terminated_on"].to_numpy().astype("datetime64[D]")
    gone = known & ((day < hired) | (~np.isnat(term) & (day > term)))
    found |= {("not_employed", s) for s in who["sale_id"][gone]}
    return {("split", reason, int(s)) for reason, s in found}


def external_exceptions(tables: dict[str, pd.DataFrame], invoices: pd.DataFrame) -> set[tuple]:
    """The contract's external rules (`now` is the seed's today: history ends before it)."""
    sales = tables["sales"]
    both = sales.merge(invoices, left_on="external_ref", right_on="invoice_no")
    cents = np.round(both["amount_x"].to_numpy() * 100) - np.round(both["amount_y"] * 100)
    active = both["status_x"] == "active"
    bad_status = (~active & (both["status_y"] != "void")) | (active & (both["status_y"] == "void"))
    found = {
        ("amount_mismatch", s, n) for s, n in both.loc[abs(cents) > 1, ["id", "invoice_no"]].values
    }
    found |= {
        ("status_mismatch", s, n) for s, n in both.loc[bad_status, ["id", "invoice_no"]].values
    }
    found |= {
        ("missing_in_crm", None, n)
        for n in invoices["invoice_no"][~invoices["invoice_no"].isin(sales["external_ref"])]
    }
    old = sales["sold_at"] < pd.Timestamp(TODAY) - pd.Timedelta(days=7)
    lost = (sales["status"] == "active") & old & ~sales["external_ref"].isin(invoices["invoice_no"])
    found |= {
        ("missing_externally", s, n) for s, n in sales.loc[lost, ["id", "external_ref"]].values
    }
    return {("external", r, None if s is None else int(s), n) for r, s, n in found}


def truth_keys(truth: pd.DataFrame) -> set[tuple]:
    split = truth[truth["kind"] == "split"]
    external = truth[truth["kind"] == "external"]
    return {
        ("split", r, int(s)) for r, s in zip(split["reason"], split["sale_id"], strict=True)
    } | {
        ("external", r, None if pd.isna(s) else int(s), n)
        for r, s, n in zip(
            external["reason"], external["sale_id"], external["invoice_no"], strict=True
        )
    }


@pytest.mark.parametrize(
    ("seed", "tz"), [(1, TZ), (2, TZ), (3, TZ), (4, TZ), (5, "Australia/Lord_Howe"), (6, "UTC")]
)
def test_truth_is_exactly_what_the_rules_find_for_several_seeds(seed: int, tz: str) -> None:
    data = build_dataset(tz=tz, years=1, scale=0.05, seed=seed, today=TODAY)
    found = split_exceptions(data.tables, tz) | external_exceptions(data.tables, data.invoices)
    truth = truth_keys(data.truth)
    assert found - truth == set(), "exceptions the generator did not mean to create"
    assert truth - found == set(), "injected problems the rules do not find"


def three_way_sales(n: int) -> tuple[Sales, pd.DataFrame, Staff]:
    """`n` active sales of $11,283.00 at 10 %, each split 0.3333 × 3 (sum 0.9999) by reps
    employed all along, the first split's commission one cent under the exact value."""
    day = np.full(n, 20_000, np.int64)  # 2024-10-04
    sold = Sales(
        appt=np.arange(n),
        lead=np.arange(n),
        branch=np.ones(n, np.int64),
        day=day,
        at=day * 86400 + 18 * 3600,
        cents=np.full(n, 1_128_300, np.int64),
        rate=np.full(n, 1000, np.int64),
        product=np.full(n, "windows", object),
        active=np.ones(n, bool),
        canceled_at=np.zeros(n, np.int64),
        rep=np.ones(n, np.int64),
    )
    sale = np.repeat(np.arange(n), 3)
    share = np.full(3 * n, 3333, np.int64)
    cents = commission(sold.cents[sale], sold.rate[sale], share)
    cents[::3] -= 1
    splits = pd.DataFrame(
        {"sale": sale, "employee_id": np.tile([1, 2, 3], n), "share": share, "commission": cents}
    )
    staff = Staff(
        pd.DataFrame(
            {
                "id": [1, 2, 3, 4],
                "branch_id": 1,
                "role": ["sales_rep", "sales_rep", "sales_rep", "manager"],
                "hired": 19_000,
                "term": STILL_EMPLOYED,
                "full_name": ["A B", "C D", "E F", "G H"],
            }
        )
    )
    return sold, splits, staff


def test_injected_split_problems_on_edge_case_sales_stay_outside_the_tolerance() -> None:
    """Share sums of 0.9999 and cent-off commissions chosen for share_sum/commission_mismatch
    (where a +0.0002 or +0.02 change would land back inside the tolerance), and the 1.0001 trap
    on such a sale: every injected sale is an exception, the trap is not."""
    n = 121  # 60 of each: both a +0.0002 and a +2 cents are drawn (each has p = 0.2)
    sold, splits, staff = three_way_sales(n)
    chosen = {reason: np.zeros(0, np.int64) for reason in problems.SPLIT_REASONS}
    chosen["share_sum"] = np.arange(0, 60)
    chosen["commission_mismatch"] = np.arange(60, 120)
    chosen["share_trap"] = np.array([120])
    rng = np.random.default_rng(7)
    out, truth = problems.apply_split_problems(rng, splits, sold, staff, chosen)
    tables = {
        "sales": sales_table(sold),
        "sale_splits": splits_table(out),
        "employees": employees_table(staff.frame),
    }
    assert split_exceptions(tables, TZ) == truth_keys(problems.truth_frame(truth))
    assert {r["sale_id"] for r in truth} == set(range(1, 121))
