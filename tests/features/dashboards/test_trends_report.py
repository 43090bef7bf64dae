"""The Trends page as a report: its parameters checked before anything runs, as the page would
take them (the default range of three years of whole buckets, the branch, the grain), and what
the page only says in place (an unknown metric, a grain the metric lacks) refused with the
page's own message: `pulsebi report run` exits 2 with that one line and writes nothing; the
workbook's Summary gives the period, branch and "data as of" like the other pages'."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

from pulsebi.dashboards.trends_data import default_range
from pulsebi.dashboards.trends_page import check_report_parameters
from pulsebi.errors import UsageError

ROOT = Path(__file__).parents[3]
NOTEBOOK = ROOT / "notebooks" / "trends.ipynb"
SEEDED_DAY = dt.date(2026, 11, 20)  # the seeded data's today (tests/conftest.py SEED_TODAY)
DEFAULTS = {
    "metric": "net_revenue",
    "branch": "all",
    "grain": "week",
    "date_from": "",
    "date_to": "",
}


def check(seeded, **given):
    return check_report_parameters(**{**DEFAULTS, **given}, settings=seeded, today=SEEDED_DAY)


@pytest.mark.parametrize("grain", ["day", "week", "month"])
def test_a_report_s_period_is_the_page_s_default_range(seeded, grain):
    filters, branches = check(seeded, metric="leads", branch="DAL", grain=grain)
    assert (filters.date_from, filters.date_to) == default_range(grain, SEEDED_DAY)
    assert filters.branch == "DAL" and filters.grain == grain and branches["DAL"] == "Dallas"


def test_a_report_s_range_is_the_one_given(seeded):
    filters, _ = check(seeded, date_from="2025-01-06", date_to="2026-01-05")
    assert (filters.date_from, filters.date_to) == (dt.date(2025, 1, 6), dt.date(2026, 1, 5))
    assert filters.branch is None


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ({"metric": "nope"}, "metric 'nope' is unknown: pick one in the Metric list (net_revenue"),
        ({"metric": "pipeline_value"}, "pipeline_value is a snapshot of now"),
        ({"metric": "marketing_roi"}, "marketing_roi is not counted by week: use grain month"),
        ({"branch": "XYZ"}, "branch 'XYZ' is unknown; use all or one of AUS, DAL"),
        ({"grain": "year"}, "grain 'year' is not offered on this page; use one of day, week"),
        ({"date_from": "2026-13-01"}, "date_from='2026-13-01' is not a date (YYYY-MM-DD)"),
    ],
)
def test_what_the_page_says_in_place_a_report_refuses(seeded, given, said):
    with pytest.raises(UsageError) as refused:
        check(seeded, **given)
    assert said in str(refused.value)


@pytest.mark.parametrize(
    ("values", "said"),
    [
        (["metric=nope"], "metric 'nope' is unknown: pick one in the Metric list"),
        (["metric=marketing_roi"], "marketing_roi is not counted by week: use grain month"),
        (["metric=leads", "grain=year"], "grain 'year' is not offered on this page"),
    ],
)
def test_report_run_refuses_a_bad_value_before_running(seeded, values, said):
    # the page said it in a notice, the run exited 0 and wrote a report of nothing
    runs = seeded.data_dir / "runs"
    before = set(runs.glob("*"))
    args = [a for v in values for a in ("-p", v)]
    done = subprocess.run(
        ["pulsebi", "report", "run", str(NOTEBOOK), *args, "--format", "xlsx"],
        env={**os.environ, **seeded.to_environ()},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2, done.stderr
    assert said in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and done.stdout == ""
    assert set(runs.glob("*")) == before, "a run directory was written"


def test_the_workbook_s_summary_gives_period_branch_and_data_as_of(seeded_in_use):
    import openpyxl

    from pulsebi.reports.execute import execute_report
    from pulsebi.reports.sinks import write_outputs
    from pulsebi.widgets.dates import local_today

    run = execute_report(seeded_in_use, NOTEBOOK, {"metric": "leads", "branch": "DAL"})
    write_outputs(run, ["xlsx"])
    start, end = default_range("week", local_today())
    through = end - dt.timedelta(days=1)
    assert run.title == f"Trends: Leads · Dallas · {start:%b %d, %Y} – {through:%b %d, %Y}"
    assert run.outputs["xlsx"].name == f"trends-leads_DAL_{start}_{through}.xlsx"
    sheet = openpyxl.load_workbook(run.outputs["xlsx"])["Summary"]
    rows = {r[0]: r[1] for r in sheet.iter_rows(min_row=1, max_row=10, values_only=True) if r[0]}
    assert rows["Period"] == f"{start:%b %d, %Y} – {through:%b %d, %Y}"
    assert (rows["From"].date(), rows["Through"].date()) == (start, through)
    assert rows["Branch"] == "Dallas (DAL)"
    assert isinstance(rows["Data as of"], dt.datetime)
    assert rows["Parameters"] == "metric=leads, branch=DAL"
