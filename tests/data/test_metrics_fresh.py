"""`compute(fresh=True)` reads the crm tables: it sees rows at once, and after a refresh it
agrees exactly with the views for every metric, dimension and grain (each checks the other)."""

from datetime import date

import pytest
from crm_rows import plain_records
from sqlalchemy import event

from pulsebi import metrics
from pulsebi.db import get_engine
from pulsebi.views import refresh_views

START, END = date(2026, 2, 20), date(2026, 11, 5)


@pytest.fixture
def mixed_rows(crm_rows, settings):
    r = crm_rows
    r.branch(1, "CHI")
    r.branch(2, "AUS")
    r.source(1, "tv")
    r.source(2, "digital")
    r.employee(1, branch_id=1)
    r.employee(2, branch_id=2)
    r.employee(3, role="manager")
    r.employee(4, role="telemarketer")  # members of the telemarketer and canvasser dimensions
    r.employee(5, role="canvasser")
    times = [
        "2026-03-08T05:59:00+00:00",
        "2026-03-08T06:00:00+00:00",
        "2026-03-09T04:59:00+00:00",
        "2026-11-01T06:30:00+00:00",
        "2026-11-01T07:30:00+00:00",
        "2026-02-28 23:59",
        "2026-06-15 00:00",
        "2026-02-20 00:00",
        "2026-11-04 23:59",
    ]
    for i, t in enumerate(times):
        branch = (1, 2, 99)[i % 3]
        lead = r.lead(t, branch_id=branch, source_id=(1, 2, 7)[i % 3])
        r.appointment(
            t,
            lead_id=lead,
            status=("ran", "no_show", "ran")[i % 3],
            result=("sold", None, "not_sold")[i % 3],
            branch_id=branch,
        )
        sale = r.sale(
            t,
            f"{100 + i}.{i:02d}",
            status=("active", "canceled", "Active")[i % 3],
            lead_id=lead if i % 4 else 999,
            branch_id=branch,
        )
        r.split(sale, (1, 2, 3)[i % 3], "0.5000")
        r.split(sale, 1, "0.5000")
        r.job(t, ("completed", "canceled", "in_progress")[i % 3], branch_id=branch)
        r.ticket(t, t.replace("2026", "2026", 1), csat=(5, None, 9)[i % 3], branch_id=branch)
        r.call(t, ("appointment_set", "no_answer", "Appointment_set")[i % 3], branch_id=branch)
        r.knock(t, ("lead", "no_answer", "lead")[i % 3], branch_id=branch)
        r.request(t, ("api", "web", "api")[i % 3], status_code=(200, 500, 503)[i % 3])
        r.health(t, ("api", "db", "api")[i % 3], ok=bool(i % 2))
        r.spend(date(2026, 1 + i, 1), f"{10 * i}.00", source_id=(1, 2, 7)[i % 3], branch_id=branch)
    refresh_views(r.engine, settings)
    return r


def _variants():
    for info in metrics.catalog():
        if info.snapshot:
            continue
        for by in [(), *((d,) for d in info.dimensions)]:
            for grain in (None, *info.grains[:2]):
                yield info.id, by, grain


def test_fresh_and_view_results_agree_for_every_metric_dimension_and_grain(mixed_rows, settings):
    # one test over all variants: the fixture's rows are inserted once
    disagreements = []
    for metric_id, by, grain in _variants():
        kw = {"start": START, "end": END, "by": by, "grain": grain, "settings": settings}
        views = plain_records(metrics.compute(metric_id, use_cache=False, **kw))
        fresh = plain_records(metrics.compute(metric_id, fresh=True, **kw))
        if fresh != views or not views:
            disagreements.append((metric_id, by, grain, views, fresh))
    assert disagreements == []


def test_fresh_sees_rows_the_views_do_not_have_yet(mixed_rows, settings):
    kw = {"start": START, "end": END, "settings": settings, "use_cache": False}
    before = metrics.compute("leads", **kw)["leads"].tolist()
    mixed_rows.lead("2026-05-05 10:00")
    assert metrics.compute("leads", **kw)["leads"].tolist() == before
    assert metrics.compute("leads", fresh=True, **kw)["leads"].tolist() == [before[0] + 1]


# Periods around whole weeks (Mondays: 2026-02-23, 03-02, 03-09, 11-02).
WEEK_PERIODS = [
    (date(2026, 3, 2), date(2026, 3, 9)),  # exactly one whole week
    (date(2026, 3, 4), date(2026, 3, 7)),  # inside one week: no whole week
    (date(2026, 3, 4), date(2026, 3, 10)),  # across a Monday, still no whole week
    (date(2026, 2, 23), date(2026, 11, 4)),  # from a Monday to midweek
    (date(2026, 2, 21), date(2026, 11, 2)),  # from midweek to a Monday
]
WEEKLY_METRICS = (
    "closing_rate",
    "net_revenue",
    "bookings",
    "leads",
    "lead_to_sale_rate",
    "lead_funnel",
)


def test_whole_weeks_read_from_the_weekly_rollups_agree_with_the_crm_tables(mixed_rows, settings):
    statements: list[str] = []
    engine, record = get_engine(settings), _record(statements)
    event.listen(engine, "before_cursor_execute", record)
    disagreements = []
    for metric_id in WEEKLY_METRICS:
        for by in ((), ("branch",)):
            for grain in (None, "week"):
                for start, end in WEEK_PERIODS:
                    kw = {
                        "start": start,
                        "end": end,
                        "by": by,
                        "grain": grain,
                        "settings": settings,
                    }
                    views = plain_records(metrics.compute(metric_id, use_cache=False, **kw))
                    fresh = plain_records(metrics.compute(metric_id, fresh=True, **kw))
                    if views != fresh:
                        disagreements.append((metric_id, kw, views, fresh))
    event.remove(engine, "before_cursor_execute", record)
    assert disagreements == []
    weekly_reads = " ".join(statements)
    for view in ("appointments_weekly", "sales_branch_weekly", "leads_branch_weekly"):
        assert f"bi.{view}" in weekly_reads


def _record(statements: list[str]):
    def before_cursor_execute(conn, cursor, statement, *args):
        statements.append(statement)

    return before_cursor_execute
