"""On the seeded demo database: every model's conversions add up to the period's count of
active sales and its revenue to `metrics` net_revenue (within 0.01), by source and by channel,
for the company and for a branch."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from pulsebi import attribution, metrics
from pulsebi.db import get_engine
from pulsebi.db.schema import branches, lead_sources, sales

START, END = date(2025, 7, 1), date(2026, 1, 1)


def active_sales(settings, branch_id: int | None = None) -> int:
    tz = settings.tz
    stmt = (
        select(func.count())
        .select_from(sales)
        .where(
            sales.c.status == "active",
            func.timezone(tz, sales.c.sold_at) >= START,
            func.timezone(tz, sales.c.sold_at) < END,
        )
    )
    if branch_id is not None:
        stmt = stmt.where(sales.c.branch_id == branch_id)
    with get_engine(settings).connect() as conn:
        return conn.execute(stmt).scalar_one()


@pytest.fixture(scope="module")
def branch(seeded):
    with get_engine(seeded).connect() as conn:
        row = conn.execute(select(branches.c.id, branches.c.code).order_by(branches.c.id)).first()
        n_sources = conn.execute(select(func.count()).select_from(lead_sources)).scalar_one()
    return row.id, row.code, n_sources


@pytest.mark.parametrize("model", sorted(attribution.MODELS))
def test_totals_equal_the_conversion_count_and_net_revenue(seeded, branch, model) -> None:
    branch_id, code, n_sources = branch
    for branch_code, bid in ((None, None), (code, branch_id)):
        frame = metrics.compute(
            "net_revenue", start=START, end=END, branch=branch_code, settings=seeded,
            use_cache=False, fresh=True,
        )  # fmt: skip
        net = float(frame["net_revenue"].sum())
        count = active_sales(seeded, bid)
        assert count > 0
        for by in ("source", "channel"):
            result = attribution.attribute(
                model, start=START, end=END, by=by, branch=branch_code, settings=seeded
            )
            rows = result.to_records()
            assert result.total_conversions == count
            assert sum(r["conversions"] for r in rows) == pytest.approx(count, abs=1e-6)
            assert abs(sum(r["revenue"] for r in rows) - net) <= 0.01
            assert all(r["conversions"] >= 0 and r["revenue"] >= 0 for r in rows)
            if by == "source":
                assert len([r for r in rows if r["source"] is not None]) == n_sources
