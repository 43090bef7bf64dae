"""A figure without a value (a rate, median or mean over no rows) says why, from what its metric
is computed over: "no appointments ran yet", "no tickets resolved in this period"."""

import datetime as dt

from pulsebi import metrics
from pulsebi.dashboards.executive import funnel, period_tiles
from pulsebi.dashboards.figures import EMPTY_NOTES, MATURING_NOTE, empty_note
from pulsebi.dashboards.scorecard import headline_blocks
from pulsebi.dashboards.scorecards import service, technology
from pulsebi.widgets.dates import local_today
from pulsebi.widgets.filters import Filters

NO_ACTIVITY = (dt.date(2001, 3, 1), dt.date(2001, 4, 1))  # long before the demo data


def test_every_metric_that_can_be_empty_has_a_reason(seeded_in_use):
    """Over a period without activity, each metric with no value has its note; and so has every
    snapshot or due amount (empty when no appointment lies ahead)."""
    start, end = NO_ACTIVITY
    empty = set()
    for info in metrics.catalog():
        if info.snapshot or info.now_relative or not info.grains:
            continue
        frame = metrics.compute(info.id, start=start, end=end)
        if frame[list(info.columns)].isna().any(axis=None):
            empty.add(info.id)
    assert {"closing_rate", "resolution_hours", "csat", "api_latency_p95"} <= empty
    pipeline = {i.id for i in metrics.catalog() if (i.snapshot or i.now_relative)}
    pipeline -= {"jobs_in_progress"}  # a count: 0
    assert sorted((empty | pipeline) - set(EMPTY_NOTES)) == []
    assert set(EMPTY_NOTES) <= {i.id for i in metrics.catalog()}


def test_the_reason_says_yet_in_a_period_holding_today_and_now_for_a_snapshot():
    now = dt.datetime(2026, 6, 2, 15, 0, tzinfo=dt.UTC)
    today = local_today(now)
    assert empty_note("closing_rate", (today, today + dt.timedelta(days=1)), now) == (
        "no appointments ran yet"
    )
    assert empty_note("resolution_hours", NO_ACTIVITY, now) == "no tickets resolved in this period"
    assert empty_note("days_outstanding") == "no open jobs now"


def test_empty_tiles_say_why_on_the_pages(on_seeded_day):
    """The seeded data's today has no activity yet; a month of 2001 has none at all."""
    today = local_today(tz=on_seeded_day.tz)
    day = Filters(today, today + dt.timedelta(days=1), preset="today")
    tiles = {t.key: t for t in period_tiles(day)[0].tiles}
    closing = tiles["period-closing_rate"]
    assert (closing.value, closing.note) == (None, "no appointments ran yet")
    # a cohort with no leads at all says so rather than that it is maturing
    assert tiles["period-lead_to_sale_rate"].note == "no leads created yet"
    rates = {t.key: t for t in funnel(day)[1].tiles}
    assert rates["funnel-closing_rate"].note == "no appointments ran yet"

    old = Filters(*NO_ACTIVITY, preset="custom")
    tiles = {t.key: t for t in headline_blocks(service.HEADLINES, old)[0].tiles}
    assert tiles["kpi-resolution_hours"].note == "no tickets resolved in this period"
    assert tiles["kpi-csat"].note == "no tickets resolved with a CSAT score in this period"
    assert tiles["kpi-ticket_volume"].value == 0 and tiles["kpi-ticket_volume"].note == ""
    tiles = {t.key: t for t in headline_blocks(technology.HEADLINES, old)[0].tiles}
    assert tiles["kpi-api_latency_p50"].note == "no API requests in this period"
    assert MATURING_NOTE not in {t.note for t in tiles.values()}
