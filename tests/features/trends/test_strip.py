"""The early-warning strip on the seeded demo data (`bi.seed_truth`'s anomalous days), the quiet
line, the trend cache (one computation per data version, read back exactly as computed), and the
strip computed ahead by a real Celery worker after a views refresh."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from pulsebi.db import get_engine
from pulsebi.settings import Settings
from pulsebi.trends import TrendSeries
from pulsebi.trends import strip as strip_module
from pulsebi.trends.cache import cached, data_version, decode_value, encode_value
from pulsebi.trends.strip import (
    HEADLINE_METRICS,
    branch_series,
    compute_strip,
    judged_periods,
    read_strip,
)
from pulsebi.views import refresh_views

ONE_DAY = dt.timedelta(days=1)


@pytest.fixture(scope="module")
def refreshed(seeded: Settings) -> Settings:
    """The seeded database with its views refreshed (the seed loads crm rows only)."""
    refresh_views(get_engine(seeded), seeded)
    return seeded


@pytest.fixture(scope="module")
def injected(refreshed: Settings) -> list[tuple[str, str, str, dt.date]]:
    """The seed's anomalous days: (reason, branch code, branch name, day), oldest first."""
    with get_engine(refreshed).connect() as conn:
        rows = conn.execute(
            text(
                "select t.reason, b.code, b.name, t.day from bi.seed_truth t"
                " join crm.branches b on b.id = t.branch_id"
                " where t.kind = 'anomalous_day' order by t.day, b.code"
            )
        ).all()
    assert {r.reason for r in rows} == {"spike", "dip"}
    return [tuple(r) for r in rows]


def day_warning(records: list[dict], metric: str, branch: str, day: dt.date) -> dict | None:
    found = [
        r
        for r in records
        if (r["grain"], r["metric"], r["branch"], r["date"]) == ("day", metric, branch, day)
    ]
    return found[0] if found else None


def test_judged_periods_are_yesterday_and_the_last_whole_monday_week() -> None:
    periods = judged_periods(dt.date(2026, 11, 19))  # a Thursday
    start, end, judged = periods["day"]
    assert (end, judged) == (dt.date(2026, 11, 19), dt.date(2026, 11, 18))
    assert (end - start).days > 3 * 365
    start, end, judged = periods["week"]
    assert (judged, end) == (dt.date(2026, 11, 9), dt.date(2026, 11, 16))  # Nov 9–15
    assert start.weekday() == 0 and (end - start).days == 3 * 52 * 7


def test_the_injected_spikes_are_flagged_for_their_branch_and_leads(refreshed, injected) -> None:
    # The seeded data is tiny (about one lead a branch a day): a spike to 6 leads where 0 is
    # usual scores under the default threshold (the detector's Poisson floor), so the default
    # flags most spikes and the high sensitivity every one.
    spikes = [row for row in injected if row[0] == "spike"]
    missed = []
    for _reason, code, name, day in spikes:
        records = compute_strip(refreshed, today=day + ONE_DAY, metrics=("leads",))
        warning = day_warning(records, "leads", code, day)
        if warning is None:
            missed.append((code, day))
            high = compute_strip(refreshed, day + ONE_DAY, sensitivity="high", metrics=("leads",))
            warning = day_warning(high, "leads", code, day)
            assert warning is not None, (code, day)
        assert warning["direction"] == "high" and warning["value"] > warning["upper"]
        assert warning["text"].startswith(f"{name} leads yesterday: ")
        assert warning["url"] == f"notebooks/trends.ipynb?metric=leads&branch={code}&grain=day"
    assert len(spikes) >= 4 and len(missed) <= len(spikes) // 4, missed


def test_a_dip_in_a_small_count_is_not_an_alarm(refreshed, injected) -> None:
    # a day of 0 is out of band only where the branch's usual day is well above it (on the
    # detector's scale about 7 leads); the seeded branches' dips are all below that
    for reason, code, _name, day in injected:
        if reason != "dip":
            continue
        records = compute_strip(refreshed, today=day + ONE_DAY, metrics=("leads",))
        warning = day_warning(records, "leads", code, day)
        [series] = [
            s for b, _, s in branch_series("leads", day - 120 * ONE_DAY, day, "day", refreshed)
            if b == code
        ]  # fmt: skip
        usual = series.values[series.values.index.day_of_week == day.weekday()].tail(8).median()
        if warning is None:
            assert usual < 7, (code, day, usual)
        else:
            assert warning["direction"] == "low" and warning["value"] < warning["lower"]


def test_the_whole_strip_holds_the_spike_worst_first(refreshed, injected) -> None:
    _reason, code, _name, day = next(row for row in injected if row[0] == "spike")
    records = compute_strip(refreshed, today=day + ONE_DAY)
    assert day_warning(records, "leads", code, day) is not None
    assert {r["metric"] for r in records} <= set(HEADLINE_METRICS)
    assert {r["grain"] for r in records} <= {"day", "week"}
    scores = [abs(r["score"]) for r in records]
    assert scores == sorted(scores, reverse=True)
    assert all(r["text"].startswith(f"{r['branch_name']} {r['label']} ") for r in records)


def test_a_branch_series_is_the_one_from_metric_gives(refreshed) -> None:
    start, end = dt.date(2026, 8, 1), dt.date(2026, 11, 20)
    for code, _name, series in branch_series("closing_rate", start, end, "day", refreshed):
        alone = TrendSeries.from_metric(
            "closing_rate", start=start, end=end, grain="day", branch=code, settings=refreshed
        )
        pd.testing.assert_series_equal(series.values, alone.values, check_names=False)
        assert (series.unit, series.metric, series.branch) == ("rate", "closing_rate", code)


def test_nothing_flagged_is_one_quiet_line(db, settings) -> None:
    # no rows at all: every series is empty, nothing is judged, nothing flagged
    from pulsebi.dashboards.warnings_strip import strip_blocks
    from pulsebi.widgets.filters import Filters

    refresh_views(db, settings)
    today = dt.date(2026, 11, 20)
    assert compute_strip(settings, today=today) == []
    [block] = strip_blocks(Filters(today, today + ONE_DAY), today=today)
    assert 'class="pbi-warning-strip pbi-warning-strip-quiet" data-warnings="0"' in block.html
    assert "<li" not in block.html
    assert (
        ">No early warnings: every headline metric of every branch is within its expected range "
        "yesterday and last week</div>"
    ) in block.html


def test_the_strip_is_read_from_redis_until_a_refresh(refreshed, monkeypatch, redis_client):
    calls: list[dt.date] = []
    judge = strip_module._judge_strip

    def counted(settings, today, *args):
        calls.append(today)
        return judge(settings, today, *args)

    monkeypatch.setattr(strip_module, "_judge_strip", counted)
    today, metrics = dt.date(2026, 10, 7), ("leads", "calls_made")
    first = read_strip(refreshed, today, metrics=metrics)
    assert read_strip(refreshed, today, metrics=metrics) == first
    assert len(calls) == 1  # the second viewer read it
    before = data_version(refreshed)
    refresh_views(get_engine(refreshed), refreshed)
    after = data_version(refreshed)
    assert after > before
    assert read_strip(refreshed, today, metrics=metrics) == first  # same rows, a new version
    assert len(calls) == 2
    keys = {k.decode() for k in redis_client.scan_iter(f"{refreshed.namespace}:trends:strip:*")}
    assert any(f":v{after}:" in k for k in keys) and any(f":v{before}:" in k for k in keys)
    compute_strip(refreshed, today, metrics=metrics)  # the task's: always computes, stores
    assert len(calls) == 3 and read_strip(refreshed, today, metrics=metrics) == first


def test_readers_meanwhile_wait_for_the_first_readers_result(refreshed) -> None:
    calls, results = [], []
    args = {"test": uuid.uuid4().hex}

    def slow():
        calls.append(1)
        time.sleep(1.0)
        return {"n": len(calls)}

    readers = [
        threading.Thread(target=lambda: results.append(cached(refreshed, "test", args, slow)))
        for _ in range(3)
    ]
    for reader in readers:
        reader.start()
        time.sleep(0.1)
    for reader in readers:
        reader.join()
    assert calls == [1] and results == [{"n": 1}] * 3


def test_cached_computes_once_per_data_version(refreshed) -> None:
    calls = []
    args = {"test": uuid.uuid4().hex, "day": dt.date(2026, 1, 5)}

    def work():
        calls.append(1)
        return {"n": len(calls), "when": dt.date(2026, 1, 5)}

    assert cached(refreshed, "test", args, work) == {"n": 1, "when": dt.date(2026, 1, 5)}
    assert cached(refreshed, "test", args, work) == {"n": 1, "when": dt.date(2026, 1, 5)}
    refresh_views(get_engine(refreshed), refreshed)
    assert cached(refreshed, "test", args, work)["n"] == 2


def test_trend_results_come_back_as_computed() -> None:
    index = pd.DatetimeIndex(["2026-01-05", "2026-01-06", "2026-01-07"])
    frame = pd.DataFrame(
        {
            "date": index,
            "value": [1.5, np.nan, 3.0],
            "anomaly": [False, True, False],
            "direction": pd.array([None, "high", None], dtype="object"),
            "since": pd.DatetimeIndex([pd.NaT, "2026-01-06", pd.NaT]),
            "n": [1, 2, 3],
        }
    )
    value = {
        "frame": frame,
        "series": pd.Series([1.0, 2.0, np.inf], index=index, name="leads"),
        "money": Decimal("12.30"),
        "day": dt.date(2026, 1, 5),
        "at": dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC),
        "rows": [{"score": np.float64(4.5), "flag": np.bool_(True)}],
        "nan": float("nan"),
    }
    back = decode_value(encode_value(value))
    pd.testing.assert_frame_equal(back["frame"], frame)
    pd.testing.assert_series_equal(back["series"], value["series"])
    assert (back["money"], back["day"], back["at"]) == (value["money"], value["day"], value["at"])
    assert back["rows"] == [{"score": 4.5, "flag": True}] and np.isnan(back["nan"])
    with pytest.raises(TypeError, match="cannot cache a object"):
        encode_value(object())


@pytest.mark.slow
def test_a_views_refresh_on_a_worker_computes_the_strip_ahead(refreshed, redis_client, tmp_path):
    env = {**os.environ, **refreshed.to_environ(), "PULSEBI_REFRESH_EVERY": "600"}
    log = tmp_path / "worker.log"

    def wait_for(predicate, timeout: float, what: str):
        deadline = time.monotonic() + timeout
        while not predicate():
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.5)

    with open(log, "wb") as out:
        worker = subprocess.Popen(
            ["pulsebi", "worker", "--concurrency", "1"],
            env=env,
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(lambda: "ready." in log.read_text(errors="replace"), 90, "the worker")
        before = data_version(refreshed)
        call = [sys.executable, "-m", "celery", "-A", "pulsebi.tasks:app", "call"]
        subprocess.run([*call, "pulsebi.refresh_views"], env=env, check=True, capture_output=True)
        pattern = f"{refreshed.namespace}:trends:strip:v*"

        def stored() -> bool:
            version = data_version(refreshed)
            keys = [k.decode() for k in redis_client.scan_iter(pattern)]
            return version > before and any(f":v{version}:" in k for k in keys)

        wait_for(stored, 120, "the strip of the refreshed data")
        assert "pulsebi.compute_strip" in log.read_text(errors="replace")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
