"""CostMatrix arithmetic, the cost-optimal probability threshold, formatting, summaries."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from core.costs import CostMatrix, cost_summary
from core.errors import DataError
from core.thresholds import recommend_threshold, threshold_sweep


def test_total_by_hand_scalar_and_array():
    costs = CostMatrix(fp_cost=2, fn_cost=10, tp_value=3, tn_value=0.5)
    # 4 fp * 2 + 1 fn * 10 - 5 tp * 3 - 90 tn * 0.5 = 8 + 10 - 15 - 45 = -42 (a net gain).
    assert costs.total(tp=5, fp=4, tn=90, fn=1) == -42.0
    out = costs.total(np.array([0, 5]), np.array([0, 4]), np.array([94, 90]), np.array([6, 1]))
    np.testing.assert_allclose(out, [60 - 47, -42])


def test_one_sixth_rule_and_general_formula():
    assert CostMatrix(fp_cost=1, fn_cost=5).optimal_probability_threshold() == pytest.approx(1 / 6)
    # Values add to the regret of the opposite mistake: (fp + tn_value) / (fp + tn + fn + tp).
    assert CostMatrix(1, 5, tp_value=2, tn_value=1).optimal_probability_threshold() == pytest.approx(2 / 9)
    assert CostMatrix(0, 5).optimal_probability_threshold() == 0.0
    assert CostMatrix(5, 0).optimal_probability_threshold() == 1.0
    with pytest.raises(DataError, match="no cost-optimal threshold"):
        CostMatrix(0, 0).optimal_probability_threshold()
    with pytest.raises(DataError):
        CostMatrix(-3, 1).optimal_probability_threshold()


def test_one_sixth_rule_agrees_with_the_empirical_optimum_on_calibrated_scores():
    # Scores are calibrated by construction: y ~ Bernoulli(p).
    rng = np.random.default_rng(7)
    p = rng.random(400_000)
    y = (rng.random(p.size) < p).astype(int)
    sweep = threshold_sweep(y, p, costs=CostMatrix(1, 5))
    rec = recommend_threshold(sweep, "min_cost")
    assert rec.threshold == pytest.approx(1 / 6, abs=0.01)


def test_format_money():
    usd = CostMatrix(1, 5)
    assert usd.format(12300) == "$12,300"
    assert usd.format(-4100) == "-$4,100"
    assert usd.format(1234567.891) == "$1,234,568"
    assert usd.format(0.4249) == "$0.42"
    assert usd.format(-0.001) == "$0.00"  # never "-$0.00"
    assert usd.format(12.5, decimals=0) == "$12"  # banker's rounding of .5 is fine; no minus
    assert CostMatrix(1, 5, currency="€").format(-2500.5, decimals=1) == "-€2,500.5"
    assert usd.format(float("nan")) == "n/a"


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "ten", None])
def test_invalid_costs_raise_plain_words(bad):
    with pytest.raises(DataError, match="cost of a false positive"):
        CostMatrix(fp_cost=bad, fn_cost=1)


def test_costs_are_coerced_to_float_and_frozen():
    costs = CostMatrix(np.int64(3), 4)
    assert isinstance(costs.fp_cost, float) and costs.fp_cost == 3.0
    with pytest.raises(AttributeError):
        costs.fp_cost = 1  # type: ignore[misc]


def test_cost_summary_per_case_per_1000_and_baselines():
    costs = CostMatrix(fp_cost=1, fn_cost=5, tp_value=0.5)
    sweep = threshold_sweep([1, 1, 0, 0, 0, 1, 0, 0], [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2], costs=costs)
    point = sweep.at(0.75)  # tp 2, fp 0, tn 5, fn 1
    summary = cost_summary(point, costs)
    assert summary.total == 5 - 1.0  # 1 fn * 5 - 2 tp * 0.5
    assert summary.n == 8 and summary.per_case == pytest.approx(0.5) and summary.per_1000 == pytest.approx(500)
    assert summary.flag_nobody == 15  # 3 positives missed
    assert summary.flag_everybody == 5 - 1.5  # 5 fp - 3 tp * 0.5
    assert summary.savings_vs_nobody == 11 and summary.savings_vs_everybody == pytest.approx(-0.5)
    # A sweep summarises element-wise.
    whole = cost_summary(sweep, costs)
    np.testing.assert_allclose(whole.total, sweep.cost)
    assert whole.total[-1] == whole.flag_nobody and whole.total[-2] == whole.flag_everybody
    assert sweep.cost_summary(0.75) == summary
    with pytest.raises(DataError):
        cost_summary(point, None)  # type: ignore[arg-type]


# --- Money per case: a percentage of each case's amount ------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402


def _direct_cost(costs: CostMatrix, y, predicted, amounts, weights=None) -> float:
    """Cost summed case by case (the definition), for comparing with ``CostMatrix.total``."""
    weights = np.ones(len(y)) if weights is None else weights
    total = 0.0
    for label, flag, amount, weight in zip(y, predicted, amounts, weights):
        if flag and not label:
            total += weight * (costs.fp_cost + costs.fp_pct / 100 * amount)
        elif not flag and label:
            total += weight * (costs.fn_cost + costs.fn_pct / 100 * amount)
        elif flag and label:
            total -= weight * (costs.tp_value + costs.tp_pct / 100 * amount)
        else:
            total -= weight * (costs.tn_value + costs.tn_pct / 100 * amount)
    return total


def test_total_with_amounts_by_hand():
    costs = CostMatrix(fp_cost=10, fn_cost=0, fn_pct=60, tp_pct=5)
    assert costs.per_case
    # 2 fp * 10 + 60% of the 1,000 missed - 5% of the 400 caught = 20 + 600 - 20 = 600.
    assert costs.total(tp=3, fp=2, tn=9, fn=1, tp_amount=400, fp_amount=50, tn_amount=900, fn_amount=1000) == 600
    # Without percentages the amounts do not matter, and the old call keeps working.
    fixed = CostMatrix(fp_cost=10, fn_cost=5)
    assert not fixed.per_case
    assert fixed.total(3, 2, 9, 1, fn_amount=1e9) == fixed.total(3, 2, 9, 1) == 25
    out = costs.total(np.array([0, 3]), np.array([0, 2]), np.array([11, 9]), np.array([4, 1]),
                      tp_amount=np.array([0, 400]), fp_amount=0, tn_amount=0, fn_amount=np.array([1400, 1000]))
    np.testing.assert_allclose(out, [840, 600])


@pytest.mark.parametrize("name", ["fp_pct", "fn_pct", "tp_pct", "tn_pct"])
def test_percentages_must_be_finite_and_not_negative(name):
    with pytest.raises(DataError, match="0 or more"):
        CostMatrix(1, 1, **{name: -1})
    with pytest.raises(DataError, match="percentage of the amount"):
        CostMatrix(1, 1, **{name: float("nan")})
    assert getattr(CostMatrix(1, 1, **{name: np.int64(7)}), name) == 7.0


def test_cost_summary_counts_amounts_in_total_and_baselines():
    costs = CostMatrix(fp_cost=1, fn_cost=0, fn_pct=50)
    # Cases (label, amount): flagged (1, 100) tp and (0, 50) fp; missed (1, 200), (1, 300) fn; (0, 10) tn.
    point = SimpleNamespace(tp=1, fp=1, tn=1, fn=2, tp_amount=100.0, fp_amount=50.0, tn_amount=10.0, fn_amount=500.0)
    summary = cost_summary(point, costs)
    assert summary.total == pytest.approx(1 + 0.5 * (200 + 300))
    assert summary.flag_nobody == pytest.approx(0.5 * 600)
    assert summary.flag_everybody == pytest.approx(2.0)
    assert costs.cost_of(point) == pytest.approx(summary.total)


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    n=st.integers(1, 40),
    pcts=st.tuples(*(st.floats(0, 200) for _ in range(4))),
    fixed=st.tuples(*(st.floats(-50, 50) for _ in range(4))),
)
def test_total_equals_a_direct_sum_over_cases(data, n, pcts, fixed):
    y = data.draw(hnp.arrays(np.int64, n, elements=st.integers(0, 1)))
    predicted = data.draw(hnp.arrays(np.bool_, n))
    amounts = data.draw(hnp.arrays(np.float64, n, elements=st.floats(0, 1e6)))
    weights = data.draw(hnp.arrays(np.float64, n, elements=st.integers(1, 5).map(float)))
    costs = CostMatrix(*fixed, fp_pct=pcts[0], fn_pct=pcts[1], tp_pct=pcts[2], tn_pct=pcts[3])
    cell = {
        "tp": predicted & (y == 1),
        "fp": predicted & (y == 0),
        "tn": ~predicted & (y == 0),
        "fn": ~predicted & (y == 1),
    }
    counts = {name: float(weights[mask].sum()) for name, mask in cell.items()}
    sums = {f"{name}_amount": float((weights * amounts)[mask].sum()) for name, mask in cell.items()}
    expected = _direct_cost(costs, y, predicted, amounts, weights)
    assert costs.total(**counts, **sums) == pytest.approx(expected, rel=1e-9, abs=1e-6)
