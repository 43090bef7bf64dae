"""Dimension filters (`compute(where=...)`, `pulsebi kpi --where`) and `dimension_values`."""

import json
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from crm_rows import plain_records
from sqlalchemy import text

from pulsebi import cache, metrics
from pulsebi.cli import main
from pulsebi.db import get_engine
from pulsebi.errors import UsageError
from pulsebi.views import refresh_views

START, END = date(2025, 7, 1), date(2026, 7, 1)
JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)
INJECTION = "tv'; drop table crm.sales; --"


@pytest.fixture(scope="module")
def seeded_views(seeded):
    engine = get_engine(seeded)
    refresh_views(engine, seeded)
    return seeded, engine


def _compute(settings, metric_id, **kw):
    kw = {"start": START, "end": END, "settings": settings, "use_cache": False, **kw}
    return plain_records(metrics.compute(metric_id, **kw))


def _summable():
    """(metric, dimension) whose groups add up to the total (counts and money)."""
    for info in metrics.catalog():
        if info.unit not in ("usd", "count") or info.id == "rep_ranking":
            continue
        for dim in info.dimensions:
            if (info.id, dim) != ("rep_sales", "rep"):  # a shared sale counts once per rep
                yield info.id, dim


@pytest.mark.parametrize(("metric_id", "dim"), list(_summable()))
def test_on_the_demo_data_a_filtered_total_is_the_sum_of_the_kept_groups(
    seeded_views, metric_id, dim
):
    settings, _ = seeded_views
    columns = metrics.metric_info(metric_id).columns
    groups = _compute(settings, metric_id, by=[dim])
    busy = [r for r in groups if r[dim] is not None and any(r[c] for c in columns)]
    kept = [r[dim] for r in (busy or groups)[:2]] + [None]  # the null group (empty) too

    [total] = _compute(settings, metric_id, where={dim: kept})
    grouped = _compute(settings, metric_id, by=[dim], where={dim: kept})

    for column in columns:
        assert total[column] == sum(r[column] for r in groups if r[dim] in kept)
    assert grouped == [r for r in groups if r[dim] in kept]  # only the kept members listed
    info = metrics.metric_info(metric_id)  # the pipeline is empty once the demo's today is past
    assert busy or info.snapshot or info.now_relative or metric_id.startswith("canvass_")


def test_on_the_demo_data_a_filtered_rate_is_the_rate_over_the_kept_rows(seeded_views):
    settings, engine = seeded_views
    codes = [r["branch"] for r in _compute(settings, "leads", by=["branch"])][:2]
    zone = ZoneInfo(settings.tz)
    params = {
        "start": datetime(START.year, START.month, START.day, tzinfo=zone),
        "end": datetime(END.year, END.month, END.day, tzinfo=zone),
        "codes": codes,
    }
    with engine.connect() as conn:
        [(sold, leads)] = conn.execute(
            text(
                "select count(*) filter (where exists (select 1 from crm.sales s"
                "  where s.lead_id = l.id and s.status = 'active')), count(*)"
                " from crm.leads l join crm.lead_sources ls on ls.id = l.source_id"
                " join crm.branches b on b.id = l.branch_id"
                " where ls.channel in ('tv', 'digital') and b.code = any(:codes)"
                "  and l.created_at >= :start and l.created_at < :end"
            ),
            params,
        ).all()
        reps = conn.execute(
            text("select id from crm.employees where role = 'sales_rep' order by id limit 10")
        ).scalars()
        reps = list(reps)
        [(won, ran)] = conn.execute(
            text(
                "select count(*) filter (where result = 'sold'), count(*) from crm.appointments"
                " where status = 'ran' and rep_id = any(:reps)"
                "  and scheduled_for >= :start and scheduled_for < :end"
            ),
            {**params, "reps": reps},
        ).all()
    where = {"channel": ["tv", "digital"], "branch": codes}

    [rate] = _compute(settings, "lead_to_sale_rate", where=where)
    [fresh] = _compute(settings, "lead_to_sale_rate", where=where, fresh=True)
    [closing] = _compute(settings, "closing_rate", where={"rep": reps})

    assert leads > 100 and ran > 50  # the demo data holds enough rows to mean something
    assert rate["lead_to_sale_rate"] == pytest.approx(sold / leads, rel=1e-12)
    assert fresh == rate
    assert closing["closing_rate"] == pytest.approx(won / ran, rel=1e-12)


def test_an_injection_string_is_a_value_that_matches_nothing(seeded_views):
    settings, engine = seeded_views
    count = "select count(*) from crm.sales"
    with engine.connect() as conn:
        before = conn.execute(text(count)).scalar()

    for dim in ("channel", "branch"):
        assert _compute(settings, "net_revenue", where={dim: [INJECTION]}) == [{"net_revenue": 0}]
        assert _compute(settings, "leads", where={dim: [INJECTION]}, fresh=True) == [{"leads": 0}]
    assert _compute(settings, "ticket_volume", where={"category": [INJECTION, "%"]}) == [
        {"ticket_volume": 0}
    ]
    assert metrics.dimension_values("channel", settings, search=INJECTION) == []
    with engine.connect() as conn:
        assert conn.execute(text(count)).scalar() == before > 0


def test_filters_on_hand_made_rows_follow_the_grouping_rulings(crm_rows, kpi):
    crm_rows.branch(1, "CHI")
    crm_rows.branch(2, "AUS")
    crm_rows.source(1, "tv")
    crm_rows.source(2, "tv")
    crm_rows.source(3, "digital")
    crm_rows.lead("2026-01-02 10:00", source_id=1, id=1)
    crm_rows.lead("2026-01-02 10:00", source_id=3, id=3, branch_id=2)
    crm_rows.lead("2026-01-02 10:00", source_id=9, id=9)  # a dangling source
    crm_rows.sale("2026-01-05 10:00", "1.00", lead_id=1)
    crm_rows.sale("2026-01-05 10:00", "2.00", lead_id=3)  # the sale's branch: CHI (1)
    crm_rows.sale("2026-01-05 10:00", "4.00", lead_id=9)
    crm_rows.sale("2026-01-05 10:00", "8.00", lead_id=77)  # no such lead: null source
    crm_rows.sale("2026-01-05 10:00", "16.00", lead_id=1, branch_id=99)  # a dangling branch

    def net(**kw):
        return [r["net_revenue"] for r in kpi("net_revenue", JAN, FEB, **kw)]

    assert net(where={"channel": ["tv"]}) == [Decimal("17.00")]
    assert net(where={"source": [3, 9]}) == [Decimal("2.00")]  # 9 is no source: no group
    assert net(where={"source": [None]}) == [Decimal("12.00")]  # the null group
    assert net(where={"channel": [None, "digital"]}) == [Decimal("14.00")]
    assert net(where={"branch": ["CHI"]}) == [Decimal("15.00")]  # the sale's own branch
    assert net(where={"branch": [None]}) == [Decimal("16.00")]
    assert net(where={"branch": ["CHI"], "channel": ["tv"]}) == [Decimal("1.00")]
    assert net(branch="AUS", where={"channel": ["digital"]}) == [0]  # both apply
    assert net(where={"channel": ["tv"], "source": [2, 3]}) == [0]  # so do both filters
    # leads go by the lead's own branch
    assert [r["leads"] for r in kpi("leads", JAN, FEB, where={"branch": ["AUS"]})] == [1]

    # a grouped dimension lists the members the filters keep (sources of the channel too)
    by_source = kpi("net_revenue", JAN, FEB, by=["source"], where={"channel": ["tv", None]})
    assert [(r["source"], r["net_revenue"]) for r in by_source] == [
        (1, Decimal("17.00")), (2, 0), (None, Decimal("12.00")),
    ]  # fmt: skip
    by_channel = kpi("net_revenue", JAN, FEB, by=["channel"], where={"source": [3]})
    assert by_channel == [{"channel": "digital", "net_revenue": Decimal("2.00")}]
    by_branch = kpi("net_revenue", JAN, FEB, by=["branch"], where={"channel": ["digital"]})
    assert [(r["branch"], r["net_revenue"]) for r in by_branch] == [
        ("AUS", 0), ("CHI", Decimal("2.00")),
    ]  # fmt: skip


def test_a_filtered_rate_counts_only_the_kept_rows(crm_rows, kpi):
    crm_rows.branch(1, "CHI")
    crm_rows.branch(2, "AUS")
    crm_rows.employee(5)
    crm_rows.employee(6)
    crm_rows.employee(7, role="manager")  # no sales rep: the null group of rep
    ran = [(5, "sold"), (5, "not_sold"), (6, "sold"), (6, "sold"), (7, "sold"), (7, "not_sold")]
    for rep, result in ran:
        crm_rows.appointment("2026-01-10 10:00", result=result, rep_id=rep)
    crm_rows.appointment("2026-01-11 10:00", result="not_sold", rep_id=6, branch_id=2)
    crm_rows.appointment("2026-01-12 10:00", status="no_show", rep_id=5)  # not ran

    def closing(**kw):
        return kpi("closing_rate", JAN, FEB, **kw)[0]["closing_rate"]

    assert closing(where={"rep": [5]}) == 0.5
    assert closing(where={"rep": [5, 6]}) == 0.6  # 3 of 5, not the mean of 1/2 and 2/3
    assert closing(where={"rep": [None]}) == 0.5
    assert closing(where={"rep": [6], "branch": ["CHI"]}) == 1.0
    assert closing(where={"rep": [6]}, branch="AUS") == 0.0
    assert closing(where={"rep": [7]}) is None  # a manager is no rep: no rows


def test_filters_apply_to_a_cut_day_and_to_snapshots(crm_rows, kpi, settings):
    crm_rows.branch(1, "CHI")
    crm_rows.branch(2, "AUS")
    crm_rows.source(1, "tv")
    crm_rows.source(2, "radio")
    crm_rows.lead("2026-01-02 10:00", source_id=1, id=1)
    crm_rows.lead("2026-01-02 10:00", source_id=2, id=2)
    crm_rows.sale("2026-01-05 10:00", "1.00", lead_id=1)  # a whole day: from the views
    crm_rows.sale("2026-01-06 09:00", "2.00", lead_id=1)  # the cut day, before 09:45
    crm_rows.sale("2026-01-06 09:00", "4.00", lead_id=2)
    crm_rows.sale("2026-01-06 10:00", "8.00", lead_id=1)  # after 09:45
    now = datetime.now(ZoneInfo(settings.tz))
    for status, branch_id in (("in_progress", 1), ("in_progress", 2), ("in_progress", 2)):
        crm_rows.job(now - timedelta(days=3), status, branch_id=branch_id)
    crm_rows.sale(now - timedelta(days=5), "300.00", branch_id=2)
    crm_rows.appointment(now + timedelta(days=2), status="scheduled", branch_id=2)

    cut = kpi("net_revenue", JAN, date(2026, 1, 7), until=time(9, 45), where={"channel": ["tv"]})
    jobs = kpi("jobs_in_progress", JAN, FEB, by=["branch"], where={"branch": ["AUS"]})
    pipeline = kpi("pipeline_value", JAN, FEB, where={"branch": ["AUS"]})

    assert cut == [{"net_revenue": Decimal("3.00")}]
    assert jobs == [{"branch": "AUS", "branch_name": "Branch 2", "jobs_in_progress": 2}]
    assert pipeline == [{"pipeline_value": Decimal("300.00")}]
    assert kpi("pipeline_value", JAN, FEB, where={"branch": ["CHI"]}) == [{"pipeline_value": 0}]


@pytest.mark.parametrize(
    ("metric_id", "where", "named"),
    [
        ("closing_rate", {"source": [1]},
         "closing_rate cannot be filtered by source: it is split by branch and rep only"),
        ("error_rate", {"branch": ["CHI"]},
         "error_rate cannot be filtered by branch: it is split by service only"),
        ("rep_ranking", {"branch": ["CHI"]}, "rep_ranking cannot be filtered by branch"),
        ("net_revenue", {"region": ["north"]}, "net_revenue cannot be filtered by 'region'"),
        ("leads", {"channel": []}, "the channel filter of leads is an empty list"),
        ("leads", {"source": ["1"]}, "the source filter of leads holds '1' (str)"),
        ("leads", {"source": [True]}, "the source filter of leads holds True"),
        ("leads", {"channel": [3]}, "the channel filter of leads holds 3 (int)"),
        ("leads", {"branch": [1.5]}, "branch values are branch codes"),
        ("leads", {"channel": "tv"}, "the channel filter of leads takes a list"),
        ("leads", ["channel"], "where must map dimensions to lists of values"),
    ],
)  # fmt: skip
def test_bad_filters_raise_a_usage_error_naming_dimension_and_metric(
    db, settings, metric_id, where, named
):
    with pytest.raises(UsageError, match=re.escape(named)):
        metrics.compute(metric_id, start=JAN, end=FEB, where=where, settings=settings)


def test_each_filter_has_its_own_cache_entry(crm_rows, settings, redis_client):
    cache.reset()
    crm_rows.source(1, "tv")
    crm_rows.source(2, "radio")
    crm_rows.lead("2026-01-02 10:00", source_id=1)
    crm_rows.lead("2026-01-02 10:00", source_id=2)
    crm_rows.lead("2026-01-03 10:00", source_id=2)
    refresh_views(crm_rows.engine, settings)
    pattern = f"{settings.namespace}:metric:leads:*"
    for key in redis_client.scan_iter(pattern):
        redis_client.delete(key)

    def leads(where=None):
        frame = metrics.compute("leads", start=JAN, end=FEB, where=where, settings=settings)
        return frame["leads"].tolist()

    got = [leads(), leads({"channel": ["tv"]}), leads({"channel": ["radio", "tv"]})]
    again = [leads(), leads({"channel": ["tv"]}), leads({"channel": ["tv", "radio", "tv"]})]

    assert got == again == [[3], [1], [3]]
    assert len(list(redis_client.scan_iter(pattern))) == 3  # the same filter, the same key
    cache.reset()


def kpi_cli(*args):
    return CliRunner().invoke(main, ["kpi", *args, "--from", "2026-01-01", "--to", "2026-02-01"])


def test_pulsebi_kpi_where_is_repeatable_and_refuses_malformed_filters(crm_rows, settings):
    crm_rows.branch(1, "CHI")
    for source, channel in ((1, "tv"), (2, "tv"), (3, "web"), (4, "radio")):
        crm_rows.source(source, channel)
        crm_rows.lead("2026-01-02 10:00", source_id=source)
    refresh_views(crm_rows.engine, settings)

    def leads(*where):
        result = kpi_cli("leads", *where, "--format", "json", "--no-cache")
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    assert leads("--where", "channel=tv,web", "--where", "source=1,3,4") == [{"leads": 2}]
    assert leads("--where", "source=1", "--where", "source=4") == [{"leads": 2}]
    assert leads("--where", f"channel={INJECTION}") == [{"leads": 0}]
    assert leads("--by", "source", "--where", "channel=tv") == [
        {"source": 1, "source_name": "Source 1", "leads": 1},
        {"source": 2, "source_name": "Source 2", "leads": 1},
    ]
    for metric_id, where, named in (
        ("leads", "channel", "--where 'channel' is not DIM=VALUE"),
        ("leads", "source=abc", "source values are ids (integers)"),
        ("leads", "channel=tv,", "has an empty value"),
        ("closing_rate", "source=1", "closing_rate cannot be filtered by source"),
    ):
        result = kpi_cli(metric_id, "--where", where)
        assert result.exit_code == 2
        assert named in result.output
    assert "--grain" in kpi_cli("--help").output and "quarter" in kpi_cli("--help").output


def test_dimension_values_lists_the_members_in_the_data(crm_rows, settings):
    crm_rows.branch(2, "DAL", "Dallas")
    crm_rows.branch(1, "AUS", "Austin")
    crm_rows.employee(4, name="Ann Rep")
    crm_rows.employee(3, name="Bob Rep")
    crm_rows.employee(5, role="telemarketer", name="Tel")
    crm_rows.employee(6, role="canvasser", name="Can")
    crm_rows.source(1, "tv", "Local TV")
    crm_rows.source(2, "digital", "Ads")
    crm_rows.job("2026-01-05 10:00", "Pending ")  # outside the contract's values
    crm_rows.ticket("2026-01-05 10:00")  # category leak, priority normal
    crm_rows.request("2026-01-05 10:00", service="web")
    crm_rows.health("2026-01-05 10:00", service="db")
    refresh_views(crm_rows.engine, settings)

    def values(dim, **kw):
        return [(v["key"], v["label"]) for v in metrics.dimension_values(dim, settings, **kw)]

    assert values("branch") == [("AUS", "Austin"), ("DAL", "Dallas")]
    assert values("rep") == [(3, "Bob Rep"), (4, "Ann Rep")]
    assert values("telemarketer") == [(5, "Tel")] and values("canvasser") == [(6, "Can")]
    assert values("source") == [(1, "Local TV"), (2, "Ads")]
    assert values("channel") == [("digital", "digital"), ("tv", "tv")]
    assert values("service") == [("db", "db"), ("web", "web")]
    assert values("category") == [("leak", "leak")]
    assert [k for k, _ in values("job_status")] == [
        "pending", "scheduled", "in_progress", "completed", "canceled", "Pending ",
    ]  # fmt: skip
    assert [k for k, _ in values("priority")] == ["low", "normal", "high", "urgent"]
    # search: in the key or the label, case-insensitive; limit: the first members
    assert values("branch", search="dal") == [("DAL", "Dallas")]
    assert values("source", search="tv") == [(1, "Local TV")]
    assert values("rep", search="REP", limit=1) == [(3, "Bob Rep")]
    assert values("job_status", search="PEND") == [("pending", "pending"), ("Pending ", "Pending ")]
    # every key is a value the filters take
    for dim in metrics.DIMENSIONS:
        info = next(m for m in metrics.catalog() if dim in m.dimensions and not m.snapshot)
        keys = [v["key"] for v in metrics.dimension_values(dim, settings)]
        metrics.compute(info.id, start=JAN, end=FEB, where={dim: keys}, settings=settings)


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"dim": "region"}, "unknown dimension 'region'"),
        ({"dim": "branch", "limit": 0}, "limit 0 is not a positive integer"),
        ({"dim": "branch", "search": 3}, "search 3 is not text"),
    ],
)
def test_dimension_values_refuses_bad_arguments(db, settings, kwargs, named):
    with pytest.raises(UsageError, match=named):
        metrics.dimension_values(settings=settings, **kwargs)
