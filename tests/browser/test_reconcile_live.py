"""The split-integrity page live in Voilà: filter by branch and reason, select an exception and
see the sale's splits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert

from pulsebi.db import schema

PAGES = Path(__file__).parents[2] / "notebooks" / "reconciliation"
SOLD_AT = dt.datetime.fromisoformat("2026-06-15T12:00:00-05:00")


def add_dirty_splits(engine) -> None:
    """Sale 1 (DAL) split with a canvasser; sale 2 (HOU) without any split."""
    with engine.begin() as conn:
        for id_, code in ((1, "DAL"), (2, "HOU")):
            conn.execute(insert(schema.branches).values(
                id=id_, code=code, name=code, timezone="America/Chicago",
                opened_on=dt.date(2015, 1, 1)))  # fmt: skip
        conn.execute(insert(schema.employees).values(
            id=12, branch_id=1, full_name="Casey Canvasser", role="canvasser",
            hired_on=dt.date(2020, 1, 1)))  # fmt: skip
        for id_, branch in ((1, 1), (2, 2)):
            conn.execute(insert(schema.sales).values(
                id=id_, lead_id=id_, branch_id=branch, sold_at=SOLD_AT, amount=Decimal("1000"),
                commission_rate=Decimal("0.1"), product="roof", status="active"))  # fmt: skip
        split = {"id": 1, "sale_id": 1, "employee_id": 12, "share": 1, "commission": 100}
        conn.execute(insert(schema.sale_splits).values(**split))


def test_filter_and_drill_into_a_split_exception(page, page_log, db, start_voila) -> None:
    add_dirty_splits(db)
    server = start_voila("reconcile", dirs=(PAGES,))
    page.goto(server.page_url("reconciliation/split_integrity.ipynb", f"token={server.token}"))
    rows = page.locator(".widget-select select")
    rows.wait_for(timeout=60_000)
    assert rows.locator("option").count() == 2
    branch, reason = page.locator(".widget-dropdown select").all()[:2]
    branch.select_option("HOU")
    page.wait_for_function("el => el.options.length === 1", arg=rows.element_handle())
    assert "no_split · HOU · sale_id 2" in rows.inner_text().replace("\xa0", " ")
    branch.select_option("all")
    reason.select_option("not_sales_rep")
    page.wait_for_function("el => el.options.length === 1", arg=rows.element_handle())
    rows.select_option(index=0)
    page.get_by_text("Splits of sale 1").wait_for(timeout=30_000)
    assert page.get_by_text("Casey Canvasser").count() >= 1
    assert [e for e in page_log.errors if "favicon" not in e] == []
