"""The Redis cache in front of the metrics: hits, invalidation by refresh, Redis down."""

import json
import logging
from datetime import date
from decimal import Decimal

import pytest

from pulsebi import cache, metrics
from pulsebi.views import refresh_views

JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)


@pytest.fixture(autouse=True)
def fresh_cache_state():
    cache.reset()
    yield
    cache.reset()


def _net(settings, **kw):
    frame = metrics.compute("net_revenue", start=JAN, end=FEB, settings=settings, **kw)
    return frame["net_revenue"].tolist()


def _keys(redis_client, settings):
    return sorted(redis_client.scan_iter(f"{settings.namespace}:metric:net_revenue:*"))


def test_a_second_call_is_served_from_the_cache(crm_rows, settings, redis_client):
    for key in _keys(redis_client, settings):
        redis_client.delete(key)
    crm_rows.sale("2026-01-05 10:00", "12.34")
    refresh_views(crm_rows.engine, settings)

    assert _net(settings) == [Decimal("12.34")]
    [key] = _keys(redis_client, settings)
    assert 0 < redis_client.ttl(key) <= settings.cache_ttl
    # doctor the cached entry: a hit returns it verbatim (exact decimal included)
    doctored = {"columns": ["net_revenue"], "types": ["decimal"], "data": [["9.99"]]}
    redis_client.set(key, json.dumps(doctored))
    assert _net(settings) == [Decimal("9.99")]
    assert _net(settings, use_cache=False) == [Decimal("12.34")]


def test_a_refresh_makes_cached_results_unreachable(crm_rows, settings):
    crm_rows.sale("2026-01-05 10:00", "1.00")
    refresh_views(crm_rows.engine, settings)
    assert _net(settings) == [Decimal("1.00")]

    crm_rows.sale("2026-01-06 10:00", "2.00")
    assert _net(settings) == [Decimal("1.00")]  # views as of the last refresh
    refresh_views(crm_rows.engine, settings)

    assert _net(settings) == [Decimal("3.00")]


def test_with_redis_down_answers_come_from_the_database_with_one_warning(
    crm_rows, settings, caplog
):
    crm_rows.sale("2026-01-05 10:00", "5.00")
    refresh_views(crm_rows.engine, settings)
    down = settings.replace(redis_url="redis://127.0.0.1:1/0")  # nothing listens on port 1

    with caplog.at_level(logging.WARNING, logger="pulsebi.cache"):
        results = [_net(down) for _ in range(3)]
        cache._down_until = 0.0  # retry now: still down, still no second warning
        results.append(_net(down))

    assert results == [[Decimal("5.00")]] * 4
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "Redis is unreachable" in warnings[0].getMessage()


def test_snapshot_metrics_are_cached_briefly(crm_rows, settings, redis_client):
    crm_rows.job("2026-01-01 10:00", "in_progress")
    metrics.compute("jobs_in_progress", start=JAN, end=FEB, settings=settings)
    [key] = list(redis_client.scan_iter(f"{settings.namespace}:metric:jobs_in_progress:*"))
    assert 0 < redis_client.ttl(key) <= 15


def test_a_refresh_publishes_its_version_and_older_versions_cannot_replace_it(db, settings):
    result = refresh_views(db, settings)
    assert cache.published_version(settings) == result.version
    cache.publish_version(settings, result.version - 1)  # a reader that looked just before
    assert cache.published_version(settings) == result.version


def test_cached_results_come_back_with_their_types(crm_rows, settings):
    crm_rows.branch(1, "CHI")
    crm_rows.sale("2026-01-05 10:00", "0.10")
    refresh_views(crm_rows.engine, settings)
    kw = {"start": JAN, "end": FEB, "by": ["branch"], "grain": "week", "settings": settings}

    first = metrics.compute("net_revenue", **kw)
    second = metrics.compute("net_revenue", **kw)  # from Redis

    assert second.to_dict("records") == first.to_dict("records")
    assert second["period"].tolist()[0] == date(2025, 12, 29)
    assert second["net_revenue"].tolist()[1] == Decimal("0.10")


def test_dimension_members_reused_within_a_version_still_list_a_branch_added_since(
    crm_rows, settings
):
    """Members are reused within a data version, but a result key they do not list makes them
    be read again: a branch added after the refresh is labelled at once, not as unknown."""
    crm_rows.branch(1, "CHI")
    crm_rows.sale("2026-01-05 10:00", "1.00", branch_id=2)  # branch 2 does not exist yet
    refresh_views(crm_rows.engine, settings)
    kw = {"start": JAN, "end": FEB, "by": ["branch"], "settings": settings, "use_cache": False}
    before = metrics.compute("net_revenue", **kw)
    assert before["branch"].iloc[0] == "CHI"
    assert before["branch"].isna().tolist() == [False, True]  # the dangling id's null group

    crm_rows.branch(2, "DAL")
    now = metrics.compute("net_revenue", **kw)
    assert now["branch"].tolist() == ["CHI", "DAL"]
    assert not now["branch_name"].isna().any()
    assert now["net_revenue"].tolist() == [Decimal("0"), Decimal("1.00")]
