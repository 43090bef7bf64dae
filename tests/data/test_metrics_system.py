"""System metrics on hand-made rows: API latency percentiles, error rate, health."""

from datetime import date

import pytest

JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)


def test_api_latency_percentiles_interpolate_per_service(crm_rows, kpi):
    for ms in (10, 20, 30, 40):
        crm_rows.request("2026-01-10 10:00", "api", latency_ms=ms)
    crm_rows.request("2026-01-10 10:00", "web", latency_ms=5)
    crm_rows.request("2026-02-10 10:00", "api", latency_ms=1000)  # outside

    assert kpi("api_latency_p50", JAN, FEB, by=["service"]) == [
        {"service": "api", "api_latency_p50": 25.0},
        {"service": "web", "api_latency_p50": 5.0},
    ]
    [p95] = kpi("api_latency_p95", JAN, FEB, by=["service"])[:1]
    assert p95["api_latency_p95"] == pytest.approx(38.5)
    # without --by service: over all rows
    assert kpi("api_latency_p50", JAN, FEB) == [{"api_latency_p50": 20.0}]


def test_error_rate_counts_status_500_and_above(crm_rows, kpi):
    for code in (200, 404, 500, 503):
        crm_rows.request("2026-01-10 10:00", "api", status_code=code)
    crm_rows.request("2026-01-10 10:00", "web", status_code=200)

    assert kpi("error_rate", JAN, FEB) == [{"error_rate": 0.4}]
    assert kpi("error_rate", JAN, FEB, by=["service"]) == [
        {"service": "api", "error_rate": 0.5},
        {"service": "web", "error_rate": 0.0},
    ]


def test_system_health_is_the_ok_share_per_service_with_empty_buckets_null(crm_rows, kpi):
    crm_rows.health("2026-01-01 00:00", "api", ok=True)
    crm_rows.health("2026-01-01 12:00", "api", ok=False)
    crm_rows.health("2026-01-03 12:00", "db", ok=True)

    rows = kpi("system_health", JAN, date(2026, 1, 3), by=["service"], grain="day")

    assert rows == [
        {"service": "api", "period": date(2026, 1, 1), "system_health": 0.5},
        {"service": "api", "period": date(2026, 1, 2), "system_health": None},
        {"service": "db", "period": date(2026, 1, 1), "system_health": None},
        {"service": "db", "period": date(2026, 1, 2), "system_health": None},
    ]
