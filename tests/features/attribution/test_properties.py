"""Properties of every model on a few thousand random journeys, at the numpy level the query
hands over (no database): credits sum to 1 per conversion, none negative, nothing for a
source on no journey, shuffled rows give the same output, totals hold; position based with a
single touch equals first touch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulsebi import attribution
from pulsebi.attribution.journeys import NULL_SOURCE, Journeys
from pulsebi.attribution.results import credit_totals

MODELS = sorted(attribution.MODELS)


def random_rows(seed: int, n: int, max_len: int, n_sources: int) -> dict[str, np.ndarray]:
    """Long rows of `n` journeys of 1..max_len touches over sources 1..n_sources (source 5
    never used; some touches in the null group), equal timestamps on purpose."""
    rng = np.random.default_rng(seed)
    length = rng.integers(1, max_len + 1, n)
    conv = np.repeat(np.arange(n), length)
    sold_at = 1.7e9 + rng.integers(0, 86400 * 30, n).astype(float)
    pool = np.array([s for s in range(1, n_sources + 1) if s != 5] + [NULL_SOURCE])
    source = rng.choice(pool, len(conv))
    # whole hours back, so ties between touches of one journey happen
    touched_at = sold_at[conv] - 3600.0 * rng.integers(0, 24 * 40, len(conv))
    return {
        "sale_id": conv * 3 + 100,
        "cents": rng.integers(1, 5_000_000, n)[conv],
        "sold_at": sold_at[conv],
        "source": source,
        "touched_at": touched_at,
        "touch_id": rng.permutation(len(conv)) + 1,
    }


def build(rows: dict[str, np.ndarray], order: np.ndarray | None = None) -> Journeys:
    if order is not None:
        rows = {k: v[order] for k, v in rows.items()}
    return Journeys.from_rows(**rows)


journey_sets = st.builds(
    random_rows,
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 3000),
    max_len=st.integers(1, 12),
    n_sources=st.integers(1, 12),
)


@pytest.mark.parametrize("model", MODELS)
@settings(max_examples=15, deadline=None)
@given(rows=journey_sets, half_life=st.floats(0.05, 60))
def test_credits_sum_to_one_and_are_never_negative(model, rows, half_life) -> None:
    j = build(rows)
    credit = attribution.credit(model, j, half_life=half_life)
    assert credit.shape == j.conv.shape and np.all(np.isfinite(credit))
    assert credit.min() >= 0
    per_conversion = np.bincount(j.conv, weights=credit, minlength=len(j))
    np.testing.assert_allclose(per_conversion, 1.0, rtol=0, atol=1e-9)
    totals = credit_totals(j, credit)
    assert 5 not in totals  # never on a journey: no row, nothing credited
    assert sum(c for c, _ in totals.values()) == pytest.approx(len(j), abs=1e-6)
    assert sum(r for _, r in totals.values()) == pytest.approx(j.cents.sum() / 100, abs=0.01)


@pytest.mark.parametrize("model", MODELS)
@settings(max_examples=10, deadline=None)
@given(rows=journey_sets, shuffle_seed=st.integers(0, 2**32 - 1))
def test_shuffled_rows_give_the_same_credits(model, rows, shuffle_seed) -> None:
    first = build(rows)
    order = np.random.default_rng(shuffle_seed).permutation(len(rows["sale_id"]))
    second = build(rows, order)
    np.testing.assert_array_equal(first.touch_id, second.touch_id)
    a = attribution.credit(model, first)
    b = attribution.credit(model, second)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    ta, tb = credit_totals(first, a), credit_totals(second, b)
    assert ta.keys() == tb.keys()
    for key in ta:
        assert ta[key] == pytest.approx(tb[key], abs=1e-9)


@settings(max_examples=15, deadline=None)
@given(rows=st.builds(random_rows, seed=st.integers(0, 2**32 - 1), n=st.integers(1, 3000),
                      max_len=st.just(1), n_sources=st.integers(1, 12)))  # fmt: skip
def test_position_based_with_single_touches_is_first_touch(rows) -> None:
    j = build(rows)
    np.testing.assert_array_equal(
        attribution.credit("position_based", j), attribution.credit("first_touch", j)
    )


def test_sorted_rows_are_taken_as_they_are_and_sorting_is_by_time_then_id() -> None:
    rows = {
        "sale_id": np.array([7, 7, 7, 3]),
        "cents": np.array([100, 100, 100, 50]),
        "sold_at": np.array([10.0, 10.0, 10.0, 5.0]),
        "source": np.array([1, 2, 3, 4]),
        "touched_at": np.array([9.0, 8.0, 8.0, 5.0]),
        "touch_id": np.array([1, 9, 4, 2]),
    }
    j = build(rows)
    assert list(j.sale_id) == [3, 7] and list(j.cents) == [50, 100]
    assert list(j.source) == [4, 3, 2, 1] and list(j.position) == [0, 0, 1, 2]
    assert list(attribution.credit("first_touch", j)) == [1, 1, 0, 0]
