"""The live KPI registry: periods on the company calendar, what feeds what, field names."""

from __future__ import annotations

from datetime import date

import pytest

from pulsebi.errors import UsageError
from pulsebi.live.kpis import REGISTRY, field_name, get_kpi, kpis_fed_by, split_field
from pulsebi.metrics import catalog


def test_periods_end_tomorrow_and_start_on_monday_the_first_and_january_first() -> None:
    thursday = date(2026, 11, 26)
    assert get_kpi("net_revenue.today").dates(thursday) == (thursday, date(2026, 11, 27))
    assert get_kpi("net_revenue.wtd").dates(thursday) == (date(2026, 11, 23), date(2026, 11, 27))
    assert get_kpi("net_revenue.mtd").dates(thursday) == (date(2026, 11, 1), date(2026, 11, 27))
    assert get_kpi("net_revenue.ytd").dates(thursday) == (date(2026, 1, 1), date(2026, 11, 27))
    new_year = date(2027, 1, 1)
    assert get_kpi("net_revenue.wtd").dates(new_year) == (date(2026, 12, 28), date(2027, 1, 2))


def test_every_live_kpi_is_a_catalog_metric_with_a_branch_dimension() -> None:
    metrics = {m.id: m for m in catalog()}
    for kpi in REGISTRY.values():
        assert kpi.metric in metrics, kpi.key
        assert set(kpi.by) <= set(metrics[kpi.metric].dimensions), kpi.key


def test_a_table_feeds_only_its_kpis() -> None:
    assert {k.key for k in kpis_fed_by(["sales"])} == {
        "net_revenue.today",
        "net_revenue.wtd",
        "net_revenue.mtd",
        "net_revenue.ytd",
        "pipeline_value.now",
    }
    assert {k.key for k in kpis_fed_by(["door_knocks"])} == {
        "doors_knocked.today",
        "leads_generated.today",
    }
    assert kpis_fed_by(["api_requests"]) == []


def test_field_names_round_trip() -> None:
    assert field_name("leads.today") == "leads.today"
    assert field_name("leads.today", "DAL") == "leads.today@DAL"
    assert split_field("leads.today@DAL") == ("leads.today", "DAL")
    assert split_field("leads.today") == ("leads.today", None)


def test_an_unknown_kpi_names_the_known_ones() -> None:
    with pytest.raises(UsageError, match=r"unknown live KPI 'revenue'.*net_revenue\.today"):
        get_kpi("revenue")
