"""The Trends page as a report: its parameters checked before anything runs, as the page would
take them (the default range of three years of whole buckets, the branch, the grain), and what
the page only says in place (an unknown metric, a grain the metric lacks) refused with the
page's own message."""

from __future__ import annotations

import datetime as dt

import pytest

from pulsebi.dashboards.trends_data import default_range
from pulsebi.dashboards.trends_page import check_report_parameters
from pulsebi.errors import UsageError

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
