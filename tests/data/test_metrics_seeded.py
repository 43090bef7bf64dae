"""`pulsebi kpi` on the demo data equals the contract's definition written as direct SQL."""

import json
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from pulsebi.cli import main
from pulsebi.db import get_engine
from pulsebi.settings import get_settings, use_settings
from pulsebi.views import refresh_views

START, END = date(2025, 7, 1), date(2026, 7, 1)


@pytest.fixture(scope="module")
def seeded_views(seeded):
    engine = get_engine(seeded)
    refresh_views(engine, seeded)
    return seeded, engine


def kpi_json(settings, *args: str) -> list[dict]:
    previous = get_settings()
    use_settings(settings)
    try:
        result = CliRunner().invoke(
            main,
            ["kpi", *args, "--from", START.isoformat(), "--to", END.isoformat(),
             "--format", "json", "--no-cache"],
        )  # fmt: skip
    finally:
        use_settings(previous)
    assert result.exit_code == 0, result.output
    return json.loads(result.output, parse_float=Decimal)


def sql(engine, query: str, tz: str) -> list:
    zone = ZoneInfo(tz)
    params = {
        "start": datetime(START.year, START.month, START.day, tzinfo=zone),
        "end": datetime(END.year, END.month, END.day, tzinfo=zone),
        "tz": tz,
    }
    with engine.connect() as conn:
        return conn.execute(text(query), params).all()


def test_net_revenue_by_branch_matches_direct_sql(seeded_views):
    settings, engine = seeded_views
    expected = sql(
        engine,
        "select b.code, coalesce(sum(s.amount) filter (where s.status = 'active'), 0)"
        " from crm.sales s left join crm.branches b on b.id = s.branch_id"
        " where s.sold_at >= :start and s.sold_at < :end group by b.code",
        settings.tz,
    )
    got = kpi_json(settings, "net_revenue", "--by", "branch")
    assert {r["branch"]: r["net_revenue"] for r in got if r["net_revenue"]} == {
        code: amount for code, amount in expected if amount
    }
    assert sum(Decimal(r["net_revenue"]) for r in got) > 0


def test_leads_by_month_and_closing_rate_match_direct_sql(seeded_views):
    settings, engine = seeded_views
    leads = sql(
        engine,
        "select date_trunc('month', timezone(:tz, created_at))::date, count(*) from crm.leads"
        " where created_at >= :start and created_at < :end group by 1 order by 1",
        settings.tz,
    )
    got = kpi_json(settings, "leads", "--grain", "month")
    assert [(date.fromisoformat(r["period"]), r["leads"]) for r in got] == [
        (d, n) for d, n in leads
    ]
    [(ran, sold)] = sql(
        engine,
        "select count(*), count(*) filter (where result = 'sold') from crm.appointments"
        " where status = 'ran' and scheduled_for >= :start and scheduled_for < :end",
        settings.tz,
    )
    [row] = kpi_json(settings, "closing_rate")
    assert float(row["closing_rate"]) == pytest.approx(float(sold) / float(ran), rel=1e-12)


def test_rep_revenue_matches_direct_sql(seeded_views):
    settings, engine = seeded_views
    expected = dict(
        sql(
            engine,
            "select e.id, coalesce(sum(s.amount * sp.share), 0) from crm.employees e"
            " left join crm.sale_splits sp on sp.employee_id = e.id"
            " left join crm.sales s on s.id = sp.sale_id and s.status = 'active'"
            "  and s.sold_at >= :start and s.sold_at < :end"
            " where e.role = 'sales_rep' group by e.id",
            settings.tz,
        )
    )
    got = kpi_json(settings, "rep_revenue", "--by", "rep")
    assert {r["rep"]: Decimal(str(r["rep_revenue"])) for r in got} == expected
