"""The Marketing overview's "Branches side by side" on the seeded demo data: one row per branch,
each figure the metric's own for the period, ranked."""

from __future__ import annotations

import datetime as dt

from pulsebi import metrics
from pulsebi.dashboards import cmo_overview
from pulsebi.dashboards.filters import list_branches

SEED_TODAY = dt.date(2026, 11, 20)  # the seeded data's today (tests/conftest.py)


def test_side_by_side_matches_the_metrics(seeded_in_use):
    start, end = dt.date(2026, 10, 1), dt.date(2026, 11, 1)  # a whole past month
    page = cmo_overview.build(
        date_from=start.isoformat(), date_to=end.isoformat(), today=SEED_TODAY
    )
    branches = list_branches()
    df = cmo_overview.side_by_side_frame(page.filters, branches)
    assert len(df) == len(branches)
    code = next(c for c, name in branches.items() if "Dallas" in name)
    got = df.loc[df["Branch"] == branches[code], "Net revenue"].iloc[0]
    want = metrics.compute("net_revenue", start=start, end=end, branch=code)
    assert abs(float(got) - float(want["net_revenue"].iloc[0])) < 0.01
    assert sorted(df["Net revenue rank"].tolist()) == sorted(
        df["Net revenue"].rank(ascending=False, method="min").astype(int).tolist()
    )


def test_the_overview_builds_live_and_static(seeded_in_use):
    for static in (False, True):
        page = cmo_overview.prepare(static=static, today=SEED_TODAY)
        assert page.title == "Marketing overview"
        assert [s.title for s in page.sections] == ["Today", "Branches side by side"]


def test_the_notebook_renders_the_side_by_side_table(kernel_env, tmp_path):
    from dashboard_helpers import execute_notebook

    html = execute_notebook("cmo/overview.ipynb", tmp_path, static=True)
    assert "Branches side by side" in html
    assert "Marketing ROI" in html
    assert "Traceback" not in html
