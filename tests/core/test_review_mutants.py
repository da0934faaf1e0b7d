"""Review bands: the automatically decided cases' own numbers, with per-case money and weights.

``review_band`` reports two things: the whole outcome (reviews decided correctly, their cost
included) and ``auto``, the confusion matrix, amounts and cost of the cases the model decides
alone (scores ``>= high`` flagged, ``< low`` cleared). Here both are priced straight from the
rows, with an amount per row and per-case percentages in every cell, weighted and not.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.costs import CostMatrix
from core.review import recommend_review_band, review_band
from core.thresholds import threshold_sweep


def _rows(seed: int, n: int, weighted: bool):
    rng = np.random.default_rng(seed)
    s = np.round(rng.random(n), 1)
    y = (rng.random(n) < s).astype(int)
    y[:2] = [0, 1]
    w = rng.choice([0.1, 1 / 3, 1.0, 2.5], size=n) if weighted else np.ones(n)
    amounts = np.round(rng.uniform(1, 400, size=n), 2)
    return y, s, w, amounts


def _auto_by_rows(y, s, w, amounts, low, high, costs):
    """Cells, amount sums and cost of the cases decided automatically, from the rows."""
    flagged, cleared = s >= high, s < low
    pos, neg = y == 1, y == 0
    cells = {
        "tp": flagged & pos, "fp": flagged & neg, "tn": cleared & neg, "fn": cleared & pos,
    }
    counts = {k: float(w[m].sum()) for k, m in cells.items()}
    money = {k: float(amounts[m].sum()) for k, m in cells.items()}
    cost = (costs.fp_cost * counts["fp"] + costs.fn_cost * counts["fn"] - costs.tp_value * counts["tp"]
            - costs.tn_value * counts["tn"]
            + (costs.fp_pct * money["fp"] + costs.fn_pct * money["fn"] - costs.tp_pct * money["tp"]
               - costs.tn_pct * money["tn"]) / 100)
    return counts, money, cost


COSTS = CostMatrix(3, 11, tp_value=1.5, tn_value=0.25, fp_pct=2, fn_pct=45, tp_pct=4, tn_pct=1)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31), n=st.integers(6, 40), weighted=st.booleans(),
       a=st.sampled_from([0.0, 0.15, 0.3, 0.5, 0.55, 0.8, 1.0, 1.1]),
       b=st.sampled_from([0.0, 0.2, 0.35, 0.5, 0.7, 0.9, 1.0, 1.1]))
def test_the_automatic_cases_own_cost_and_amounts_match_the_rows(seed, n, weighted, a, b):
    y, s, w, amounts = _rows(seed, n, weighted)
    low, high = min(a, b), max(a, b)
    sweep = threshold_sweep(y, s, costs=COSTS, sample_weight=w if weighted else None, amounts=amounts)
    out = review_band(sweep, low, high, review_cost=0.7)
    counts, money, cost = _auto_by_rows(y, s, w, amounts, low, high, COSTS)
    auto = out.auto
    assert auto.threshold == high and out.low == low and out.high == high
    for cell in ("tp", "fp", "tn", "fn"):
        assert getattr(auto, cell) == pytest.approx(counts[cell], rel=1e-9, abs=1e-12)
        assert getattr(auto, f"{cell}_amount") == pytest.approx(money[cell], rel=1e-9, abs=1e-9)
    assert auto.cost == pytest.approx(cost, rel=1e-9, abs=1e-9)
    decided = sum(counts.values())
    if decided > 0:
        assert auto.accuracy == pytest.approx((counts["tp"] + counts["tn"]) / decided, rel=1e-9)


def test_counts_are_whole_numbers_without_weights_and_fractions_with_them():
    y, s, w, amounts = _rows(4, 30, weighted=False)
    out = review_band(threshold_sweep(y, s, costs=COSTS, amounts=amounts), 0.3, 0.7, 1.0)
    assert type(out.n_review) is int and type(out.reviewed_positives) is int
    assert type(out.reviewed_negatives) is int
    assert type(out.review_rate) is float and type(out.total_cost) is float
    assert type(out.low) is float and type(out.high) is float and type(out.cost_per_1000) is float
    y, s, w, amounts = _rows(5, 30, weighted=True)
    weighted = review_band(threshold_sweep(y, s, costs=COSTS, sample_weight=w, amounts=amounts), 0.3, 0.7, 1.0)
    reviewed = (s >= 0.3) & (s < 0.7)
    assert weighted.n_review == pytest.approx(w[reviewed].sum(), rel=1e-12)
    assert weighted.reviewed_positives == pytest.approx(w[reviewed & (y == 1)].sum(), rel=1e-12)
    assert weighted.reviewed_negatives == pytest.approx(w[reviewed & (y == 0)].sum(), rel=1e-12)


def test_a_band_without_costs_has_counts_but_no_money():
    y, s, w, amounts = _rows(6, 30, weighted=False)
    out = review_band(threshold_sweep(y, s), 0.3, 0.7, 1.0)
    reviewed = (s >= 0.3) & (s < 0.7)
    assert out.n_review == reviewed.sum() and out.review_rate == pytest.approx(reviewed.mean())
    assert out.total_cost is None and out.cost_per_1000 is None and out.auto.cost is None
    assert out.review_cost == 1.0


def test_the_explanation_states_the_band_the_rate_the_cost_and_the_saving():
    from core.thresholds import recommend_threshold

    rng = np.random.default_rng(8)
    s = np.round(rng.random(3000), 3)
    y = (rng.random(3000) < s).astype(int)
    costs = CostMatrix(1, 5)
    sweep = threshold_sweep(y, s, costs=costs)
    single = recommend_threshold(sweep, "min_cost")
    fmt = costs.format
    for rate, allowed in ((1.0, ""), (0.15, ", at most 15% allowed")):
        rec = recommend_review_band(sweep, review_cost=0.3, max_review_rate=rate)
        assert rec.n_review > 0
        saving = single.point.cost / sweep.n * 1000 - rec.cost_per_1000
        assert rec.explanation == (
            f"Send scores from {rec.low:g} up to {rec.high:g} to a person ({rec.review_rate:.0%} of cases{allowed}) "
            f"and decide the rest automatically: expected cost per 1,000 cases {fmt(rec.cost_per_1000)}, reviews "
            f"included — {fmt(saving)} less than the best single threshold ({single.threshold:g})."
        )
    expensive = recommend_review_band(sweep, review_cost=50.0, max_review_rate=0.5)
    assert expensive.n_review == 0 and expensive.high == single.threshold
    assert expensive.explanation == (
        f"Reviewing does not pay at {fmt(50.0)} a case: decide everything at {single.threshold:g}, for an expected "
        f"cost per 1,000 cases of {fmt(single.point.cost / sweep.n * 1000)}."
    )


@pytest.mark.parametrize("bad", ["free", float("nan"), None])
def test_a_review_cost_that_is_not_a_number_is_named_in_the_error(bad):
    from core.errors import DataError

    y, s, w, amounts = _rows(9, 20, weighted=False)
    sweep = threshold_sweep(y, s, costs=CostMatrix(1, 5))
    for call in (lambda: review_band(sweep, 0.2, 0.6, bad), lambda: recommend_review_band(sweep, bad, 0.1)):
        with pytest.raises(DataError, match="cost of a manual review must be a number"):
            call()


@pytest.mark.parametrize("label", [0, 1])
def test_data_of_one_class_get_a_recommendation_without_an_error(label):
    # Every case is decided right by one threshold (flag nobody / flag everybody), so a review
    # only adds its cost: the best band reviews nobody and costs the single threshold's total.
    s = np.array([0.1, 0.25, 0.4, 0.4, 0.7, 0.9])
    costs = CostMatrix(1, 5, tp_value=0.5, tn_value=0.25)
    sweep = threshold_sweep(np.full(6, label), s, costs=costs)
    rec = recommend_review_band(sweep, review_cost=0.3, max_review_rate=0.5)
    expected = -6 * (costs.tp_value if label else costs.tn_value)  # all six decided right
    assert rec.n_review == 0
    assert rec.total_cost == pytest.approx(expected, rel=1e-12)
    assert rec.cost_per_1000 == pytest.approx(expected / 6 * 1000, rel=1e-12)
