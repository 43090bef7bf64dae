"""Each rule model on hand-made journeys in the test database (the contract's
"Multi-touch attribution" definitions and rulings, to the cent)."""

from __future__ import annotations

from datetime import date

import pytest

from pulsebi import attribution
from pulsebi.errors import UsageError

START, END = date(2026, 3, 1), date(2026, 4, 1)
RULES = ("first_touch", "last_touch", "linear", "time_decay", "position_based")


def credits(settings, model: str, **kwargs) -> dict[object, tuple[float, float]]:
    result = attribution.attribute(model, start=START, end=END, settings=settings, **kwargs)
    return {r["source"]: (r["conversions"], r["revenue"]) for r in result.to_records()}


def check(got, expected: dict) -> None:
    assert set(got) == set(expected)
    for key, (conv, rev) in expected.items():
        assert got[key][0] == pytest.approx(conv, abs=1e-9), key
        assert got[key][1] == pytest.approx(rev, abs=1e-6), key


@pytest.mark.parametrize("model", [*RULES, "markov"])
def test_one_touch_gets_everything(crm, settings, model) -> None:
    crm.lead("2026-03-01 09:00", source_id=2, id=1)
    crm.touch(1, 3, "2026-03-02 10:00")
    crm.sale("2026-03-10 12:00", "1000.00", lead_id=1)
    check(credits(settings, model), {1: (0, 0), 2: (0, 0), 3: (1, 1000)})


def test_two_touches(crm, settings) -> None:
    crm.lead("2026-03-01 09:00", id=1)
    crm.touch(1, 1, "2026-03-02 10:00")
    crm.touch(1, 2, "2026-03-03 10:00")
    crm.sale("2026-03-03 10:00", "300.00", lead_id=1)  # the last touch at the sale's instant
    expected = {
        "first_touch": {1: (1, 300), 2: (0, 0)},
        "last_touch": {1: (0, 0), 2: (1, 300)},
        "linear": {1: (0.5, 150), 2: (0.5, 150)},
        "position_based": {1: (0.5, 150), 2: (0.5, 150)},
        # weights 2^(-1/7) and 1
        "time_decay": {1: (w := 2 ** (-1 / 7) / (1 + 2 ** (-1 / 7)), 300 * w),
                       2: (1 - w, 300 * (1 - w))},
    }  # fmt: skip
    for model, want in expected.items():
        check(credits(settings, model), {**want, 3: (0, 0)})


def test_many_touches_position_based_and_linear(crm, settings) -> None:
    crm.lead("2026-03-01 09:00", id=1)
    for day, source in zip((2, 3, 4, 5, 6), (1, 2, 3, 2, 1), strict=True):
        crm.touch(1, source, f"2026-03-0{day} 10:00")
    crm.sale("2026-03-09 12:00", "1000.00", lead_id=1)
    # position based: 0.4 first (1), 0.4 last (1), 0.2/3 for each of 2, 3, 2
    check(credits(settings, "position_based"),
          {1: (0.8, 800), 2: (0.4 / 3, 400 / 3), 3: (0.2 / 3, 200 / 3)})  # fmt: skip
    check(credits(settings, "linear"), {1: (0.4, 400), 2: (0.4, 400), 3: (0.2, 200)})
    check(credits(settings, "first_touch"), {1: (1, 1000), 2: (0, 0), 3: (0, 0)})


def test_equal_timestamps_are_ordered_by_touch_id(crm, settings) -> None:
    crm.lead("2026-03-01 09:00", id=1)
    crm.touch(1, 2, "2026-03-02 10:00", id=20)
    crm.touch(1, 1, "2026-03-02 10:00", id=10)  # same instant, lower id: first
    crm.sale("2026-03-05 12:00", "100.00", lead_id=1)
    check(credits(settings, "first_touch"), {1: (1, 100), 2: (0, 0), 3: (0, 0)})
    check(credits(settings, "last_touch"), {1: (0, 0), 2: (1, 100), 3: (0, 0)})


def test_a_touch_after_the_sale_is_ignored(crm, settings) -> None:
    crm.lead("2026-03-01 09:00", id=1)
    crm.touch(1, 1, "2026-03-02 10:00")
    crm.touch(1, 2, "2026-03-05 12:00:01")  # one second after the sale
    crm.sale("2026-03-05 12:00", "100.00", lead_id=1)
    for model in RULES:
        check(credits(settings, model), {1: (1, 100), 2: (0, 0), 3: (0, 0)})


@pytest.mark.parametrize("model", [*RULES, "markov"])
def test_no_touch_credits_the_leads_source(crm, settings, model) -> None:
    crm.lead("2026-03-01 09:00", source_id=3, id=1)
    crm.sale("2026-03-05 12:00", "250.50", lead_id=1)
    check(credits(settings, model), {1: (0, 0), 2: (0, 0), 3: (1, 250.5)})


def test_dangling_source_and_missing_lead_form_the_null_group(crm, settings) -> None:
    crm.lead("2026-03-01 09:00", source_id=99, id=1)  # the lead's source does not resolve
    crm.sale("2026-03-05 12:00", "100.00", lead_id=1)
    crm.sale("2026-03-06 12:00", "200.00", lead_id=77)  # no such lead, no touch
    crm.lead("2026-03-01 09:00", id=2)
    crm.touch(2, 1, "2026-03-02 10:00")
    crm.touch(2, 42, "2026-03-03 10:00")  # a touch whose source does not resolve
    crm.sale("2026-03-07 12:00", "400.00", lead_id=2)
    result = attribution.attribute("linear", start=START, end=END, settings=settings)
    rows = result.to_records()
    assert [r["source"] for r in rows] == [1, 2, 3, None]
    assert rows[-1] == {"source": None, "source_name": None, "conversions": 2.5, "revenue": 500.0}
    assert rows[0]["conversions"] == 0.5 and rows[0]["revenue"] == 200.0
    # first touch gives the null group less, but it is still listed in every model
    check(credits(settings, "first_touch"), {1: (1, 400), 2: (0, 0), 3: (0, 0), None: (2, 300)})
    by_channel = attribution.attribute(
        "linear", start=START, end=END, by="channel", settings=settings
    ).to_records()
    assert by_channel == [
        {"channel": "digital", "conversions": 0.5, "revenue": 200.0},
        {"channel": "radio", "conversions": 0.0, "revenue": 0.0},
        {"channel": "tv", "conversions": 0.0, "revenue": 0.0},
        {"channel": None, "conversions": 2.5, "revenue": 500.0},
    ]


def test_no_null_group_when_empty_and_only_active_sales_in_the_period(crm, settings) -> None:
    crm.lead("2026-03-01 09:00", id=1)
    crm.sale("2026-03-05 12:00", "100.00", lead_id=1)
    crm.sale("2026-03-05 12:00", "900.00", lead_id=1, status="canceled")
    crm.sale("2026-04-01 00:00", "900.00", lead_id=1)  # local midnight of --to: outside
    crm.sale("2026-02-28 23:59:59", "900.00", lead_id=1)
    result = attribution.attribute("last_touch", start=START, end=END, settings=settings)
    assert [r["source"] for r in result.to_records()] == [1, 2, 3]
    assert result.total_conversions == 1 and result.total_revenue == 100.0


def test_lookback_cuts_the_journey(crm, settings) -> None:
    crm.lead("2026-03-01 09:00", id=1)
    crm.touch(1, 1, "2026-03-01 10:00")  # 10 days before
    crm.touch(1, 2, "2026-03-06 12:00")  # exactly 5 days before: kept
    crm.touch(1, 3, "2026-03-09 12:00")
    crm.sale("2026-03-11 12:00", "100.00", lead_id=1)
    check(credits(settings, "first_touch", lookback=5), {1: (0, 0), 2: (1, 100), 3: (0, 0)})
    check(credits(settings, "first_touch"), {1: (1, 100), 2: (0, 0), 3: (0, 0)})
    # a lookback leaving nothing: the lead's source (1) again
    check(credits(settings, "last_touch", lookback=1), {1: (1, 100), 2: (0, 0), 3: (0, 0)})


def test_branch_filters_sales_not_touches(crm, settings) -> None:
    crm.lead("2026-03-01 09:00", branch_id=1, id=1)
    crm.touch(1, 2, "2026-03-02 10:00")
    crm.sale("2026-03-05 12:00", "100.00", lead_id=1, branch_id=2)
    crm.lead("2026-03-01 09:00", branch_id=2, id=2)
    crm.touch(2, 3, "2026-03-02 10:00")
    crm.sale("2026-03-05 12:00", "700.00", lead_id=2, branch_id=1)
    check(credits(settings, "linear", branch="B2"), {1: (0, 0), 2: (1, 100), 3: (0, 0)})
    with pytest.raises(UsageError, match="unknown branch 'NOPE'"):
        credits(settings, "linear", branch="NOPE")


def test_time_decay_fractional_days_and_half_life(crm, settings) -> None:
    crm.lead("2026-03-01 09:00", id=1)
    crm.touch(1, 1, "2026-03-02 06:00")  # 3.25 days before the sale
    crm.touch(1, 2, "2026-03-04 18:00")  # 0.75 days before
    crm.sale("2026-03-05 12:00", "1000.00", lead_id=1)
    for half_life in (7.0, 2.5):
        w1, w2 = 2 ** (-3.25 / half_life), 2 ** (-0.75 / half_life)
        share = w1 / (w1 + w2)
        want = {1: (share, 1000 * share), 2: (1 - share, 1000 * (1 - share)), 3: (0, 0)}
        check(credits(settings, "time_decay", half_life=half_life), want)


def test_errors_name_the_fix(crm, settings) -> None:
    with pytest.raises(UsageError, match="unknown model 'shapley': use one of first_touch"):
        credits(settings, "shapley")
    with pytest.raises(UsageError, match="half-life"):
        credits(settings, "time_decay", half_life=-1)
    with pytest.raises(UsageError, match="lookback"):
        credits(settings, "linear", lookback=-2)
    with pytest.raises(UsageError, match="unknown dimension 'branch'"):
        credits(settings, "linear", by="branch")


@pytest.mark.parametrize("model", [*RULES, "markov"])
def test_a_period_without_conversions_lists_every_source_at_zero(crm, settings, model) -> None:
    result = attribution.attribute(model, start=START, end=END, by="source", settings=settings)
    assert result.to_records() == [
        {"source": s, "source_name": n, "conversions": 0.0, "revenue": 0.0}
        for s, n in ((1, "Web"), (2, "TV"), (3, "Radio"))
    ]
    assert result.total_conversions == 0 and list(result.to_frame()["source"]) == [1, 2, 3]
