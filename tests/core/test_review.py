"""Manual-review band: totals that add up, and the best band against brute force."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.costs import CostMatrix
from core.errors import DataError
from core.review import recommend_review_band, review_band
from core.thresholds import threshold_sweep

COSTS = CostMatrix(fp_cost=1, fn_cost=5, tp_value=0.5, tn_value=0.2)


def _data(n, seed, decimals=2):
    rng = np.random.default_rng(seed)
    p = np.round(rng.random(n), decimals)
    return (rng.random(n) < p).astype(int), p


def test_band_totals_add_up_by_hand():
    y = np.array([1, 1, 0, 1, 0, 0, 1, 0, 0, 0])
    p = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.15, 0.1])
    sweep = threshold_sweep(y, p, costs=CostMatrix(1, 5))
    out = review_band(sweep, low=0.3, high=0.65, review_cost=0.5)
    # >= 0.65 flagged: 0.9, 0.8 (pos), 0.7 (neg). Reviewed [0.3, 0.65): 0.6 (pos), 0.5, 0.4 (neg),
    # 0.3 (pos). Cleared < 0.3: 0.2, 0.15, 0.1 (neg).
    assert (out.auto.tp, out.auto.fp, out.auto.tn, out.auto.fn) == (2, 1, 3, 0)
    assert (out.reviewed_positives, out.reviewed_negatives, out.n_review) == (2, 2, 4)
    assert out.review_rate == pytest.approx(0.4)
    assert out.auto.precision == pytest.approx(2 / 3) and out.auto.accuracy == pytest.approx(5 / 6)
    # Costs: 1 false positive (1) + reviews 4 * 0.5; reviewed cases are decided correctly.
    assert out.total_cost == pytest.approx(3.0) and out.cost_per_1000 == pytest.approx(300)
    assert out.auto.cost == pytest.approx(1.0) and out.explanation == ""


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.floats(0, 1), st.floats(0, 1), st.floats(0, 3))
def test_every_case_is_counted_once_and_costs_add_up(seed, a, b, review_cost):
    y, p = _data(60, seed, decimals=1)
    low, high = min(a, b), max(a, b)
    out = review_band(threshold_sweep(y, p, costs=COSTS), low, high, review_cost)
    flagged, reviewed, cleared = p >= high, (p >= low) & (p < high), p < low
    assert out.auto.tp == np.sum(flagged & (y == 1)) and out.auto.fp == np.sum(flagged & (y == 0))
    assert out.auto.fn == np.sum(cleared & (y == 1)) and out.auto.tn == np.sum(cleared & (y == 0))
    assert out.reviewed_positives == np.sum(reviewed & (y == 1))
    assert out.reviewed_negatives == np.sum(reviewed & (y == 0))
    assert out.auto.tp + out.auto.fp + out.auto.tn + out.auto.fn + out.n_review == len(y)
    expected = (
        COSTS.total(out.auto.tp + out.reviewed_positives, out.auto.fp, out.auto.tn + out.reviewed_negatives, out.auto.fn)
        + review_cost * out.n_review
    )
    assert out.total_cost == pytest.approx(expected, abs=1e-9)


def test_zero_width_band_is_a_single_threshold():
    y, p = _data(300, 1)
    sweep = threshold_sweep(y, p, costs=COSTS)
    out = review_band(sweep, 0.4, 0.4, review_cost=2)
    point = sweep.at(0.4)
    assert out.n_review == 0 and out.total_cost == pytest.approx(point.cost)
    assert (out.auto.tp, out.auto.fp, out.auto.tn, out.auto.fn) == (point.tp, point.fp, point.tn, point.fn)


@pytest.mark.parametrize("seed, rate", [(2, 0.0), (3, 0.1), (4, 0.3), (5, 1.0)])
def test_recommended_band_is_the_brute_force_optimum(seed, rate):
    y, p = _data(250, seed)
    sweep = threshold_sweep(y, p, costs=COSTS)
    candidates = np.append(sweep.thresholds[:-1], 2.0)
    best = None
    for low in candidates:
        for high in candidates[candidates >= low]:
            out = review_band(sweep, low, high, 0.4)
            if out.review_rate <= rate + 1e-12 and (best is None or out.total_cost < best - 1e-9):
                best = out.total_cost
    rec = recommend_review_band(sweep, review_cost=0.4, max_review_rate=rate)
    assert rec.total_cost == pytest.approx(best, abs=1e-9)
    assert rec.review_rate <= rate + 1e-12
    again = review_band(sweep, rec.low, rec.high, 0.4)  # the stated thresholds reproduce it
    assert again.total_cost == pytest.approx(rec.total_cost) and again.n_review == rec.n_review
    if rate == 0:
        assert rec.n_review == 0 and rec.total_cost == pytest.approx(sweep.cost.min())
        assert rec.explanation.startswith("Reviewing does not pay at $0.40 a case")
    else:
        assert rec.total_cost <= sweep.cost.min() + 1e-9


def test_recommendation_explains_the_band_and_the_saving():
    y, p = _data(5000, 6, decimals=3)
    sweep = threshold_sweep(y, p, costs=CostMatrix(1, 5))
    rec = recommend_review_band(sweep, review_cost=0.3, max_review_rate=0.2)
    saving = (sweep.cost.min() - rec.total_cost) / sweep.n * 1000
    assert rec.n_review > 0 and saving > 0
    assert rec.explanation.startswith(f"Send scores from {rec.low:g} up to {rec.high:g} to a person (")
    assert "at most 20% allowed" in rec.explanation
    assert f"{CostMatrix(1, 5).format(saving)} less than the best single threshold" in rec.explanation


def test_bad_input_raises_plain_words():
    y, p = _data(100, 7)
    sweep = threshold_sweep(y, p, costs=COSTS)
    with pytest.raises(DataError, match="must not be above"):
        review_band(sweep, 0.8, 0.2, 1)
    with pytest.raises(DataError, match="at least 0"):
        review_band(sweep, 0.2, 0.8, -1)
    with pytest.raises(DataError, match="number"):
        review_band(sweep, float("nan"), 0.8, 1)
    with pytest.raises(DataError, match="between 0 and 1"):
        recommend_review_band(sweep, 1, 20)
    with pytest.raises(DataError, match="costs"):
        recommend_review_band(threshold_sweep(y, p), 1, 0.1)
    assert review_band(threshold_sweep(y, p), 0.2, 0.8, 1).total_cost is None
