"""TrendSeries: grains inferred from the dates, gaps and duplicates refused, whole buckets only."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from pulsebi.trends import TrendInputError, TrendSeries
from pulsebi.trends.series import step


def _series(dates, values=None, **kw) -> TrendSeries:
    values = np.arange(len(dates), dtype=float) if values is None else values
    return TrendSeries.from_pandas(pd.Series(values, index=pd.to_datetime(dates)), **kw)


@pytest.mark.parametrize(
    ("dates", "grain"),
    [
        (["2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01"], "day"),
        (["2024-01-01", "2024-01-08", "2024-01-15"], "week"),
        (["2024-01-03", "2024-01-10"], "week"),  # weeks may start on any weekday
        (["2024-01-01", "2024-02-01", "2024-03-01"], "month"),
        (["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"], "month"),  # month ends
        (["2024-01-01", "2024-04-01", "2024-07-01"], "quarter"),
        (["2021-01-01", "2022-01-01", "2023-01-01"], "year"),
    ],
)
def test_the_grain_is_inferred_from_the_dates(dates, grain):
    assert _series(dates).grain == grain


def test_dates_are_sorted_before_the_grain_is_read():
    s = _series(["2024-03-01", "2024-01-01", "2024-02-01"], [3.0, 1.0, 2.0])
    assert s.grain == "month"
    assert s.values.tolist() == [1.0, 2.0, 3.0]


def test_a_missing_bucket_is_an_error_that_names_it():
    with pytest.raises(TrendInputError, match=r"2024-01-04 follows 2024-01-02.*expects 2024-01-03"):
        _series(["2024-01-01", "2024-01-02", "2024-01-04"], name="east")


def test_a_duplicated_date_is_an_error_that_names_the_series():
    with pytest.raises(TrendInputError, match=r"series 'east': date 2024-01-02 appears twice"):
        _series(["2024-01-01", "2024-01-02", "2024-01-02"], name="east")


def test_one_date_cannot_tell_its_grain_but_can_be_given_one():
    with pytest.raises(TrendInputError, match="--grain"):
        _series(["2024-01-01"])
    assert len(_series(["2024-01-01"], grain="month")) == 1


def test_an_unknown_grain_is_refused():
    with pytest.raises(TrendInputError, match="unknown grain 'hour'"):
        _series(["2024-01-01", "2024-01-02"], grain="hour")


def test_next_dates_continue_month_ends_and_leap_days():
    s = _series(["2023-12-31", "2024-01-31"])
    assert [d.date() for d in s.next_dates(2)] == [date(2024, 2, 29), date(2024, 3, 31)]
    assert step(date(2024, 2, 29), "year") == date(2025, 2, 28)


def test_counts_are_whole_non_negative_numbers():
    assert _series(["2024-01-01", "2024-01-02"], [3.0, 0.0]).is_count
    assert not _series(["2024-01-01", "2024-01-02"], [3.5, 0.0]).is_count
    assert not _series(["2024-01-01", "2024-01-02"], [-1.0, 0.0]).is_count


def test_from_metric_keeps_only_whole_buckets(seeded):
    # 2026-01-01 is a Thursday and 2026-03-01 a Sunday: the weeks of Jan 5 to Feb 16 are whole
    s = TrendSeries.from_metric(
        "leads", start=date(2026, 1, 1), end=date(2026, 3, 1), grain="week", settings=seeded
    )
    assert s.values.index[0].date() == date(2026, 1, 5)
    assert s.values.index[-1].date() == date(2026, 2, 16)
    assert s.unit == "count" and s.metric == "leads" and s.branch is None


def test_from_metric_refuses_snapshot_metrics_and_missing_grains(seeded):
    with pytest.raises(TrendInputError, match="snapshot"):
        TrendSeries.from_metric(
            "pipeline_value", start=date(2026, 1, 1), end=date(2026, 3, 1), settings=seeded
        )
    with pytest.raises(TrendInputError, match="not bucketed by day"):
        TrendSeries.from_metric(
            "marketing_roi", start=date(2026, 1, 1), end=date(2026, 3, 1), settings=seeded
        )
