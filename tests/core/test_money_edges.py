"""Money at its edges: per-case percentages in every cell and both baselines, defaults when a
point has no amounts, the float type of a scalar total, the regret rule's equal-regret case,
the decimals switch at $100 and the per-case cost of zero, one and fractional cases.

Each expected number is worked out by hand in the test (these were mutants of core/costs.py
that the rest of the suite let through; see tests/MUTATION.md).
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from core.costs import CostMatrix, cost_summary
from core.errors import DataError

PCT = CostMatrix(fp_cost=2, fn_cost=10, tp_value=1, tn_value=0.5, fp_pct=1, fn_pct=50, tp_pct=5, tn_pct=2)


def _point(tp, fp, tn, fn, **amounts):
    return SimpleNamespace(tp=tp, fp=fp, tn=tn, fn=fn, **amounts)


def test_every_cells_percentage_counts_in_the_total_and_both_baselines():
    point = _point(3, 2, 4, 1, tp_amount=300.0, fp_amount=200.0, tn_amount=1000.0, fn_amount=80.0)
    fixed = 2 * 2 + 10 * 1 - 1 * 3 - 0.5 * 4  # 9
    per_case = (0.01 * 200 + 0.50 * 80 - 0.05 * 300 - 0.02 * 1000)  # 2 + 40 - 15 - 20 = 7
    assert PCT.total(3, 2, 4, 1, tp_amount=300, fp_amount=200, tn_amount=1000, fn_amount=80) == pytest.approx(
        fixed + per_case)
    assert PCT.cost_of(point) == pytest.approx(fixed + per_case)
    summary = cost_summary(point, PCT)
    assert summary.total == pytest.approx(16.0)
    # Flag nobody: the 4 positives (amount 380) are missed, the 6 negatives (amount 1200) cleared.
    assert summary.flag_nobody == pytest.approx(10 * 4 + 0.5 * 380 - 0.5 * 6 - 0.02 * 1200)
    # Flag everybody: the positives caught, the negatives false alarms.
    assert summary.flag_everybody == pytest.approx(2 * 6 + 0.01 * 1200 - 1 * 4 - 0.05 * 380)
    assert summary.savings_vs_nobody == pytest.approx(summary.flag_nobody - 16.0)
    assert summary.per_case == pytest.approx(1.6) and summary.per_1000 == pytest.approx(1600)


def test_a_point_without_amounts_costs_only_its_counts():
    point = _point(3, 2, 4, 1)
    assert PCT.total(3, 2, 4, 1) == pytest.approx(9.0)
    assert PCT.cost_of(point) == pytest.approx(9.0)
    summary = cost_summary(point, PCT)
    assert summary.total == pytest.approx(9.0)
    assert summary.flag_nobody == pytest.approx(10 * 4 - 0.5 * 6)
    assert summary.flag_everybody == pytest.approx(2 * 6 - 1 * 4)


def test_a_scalar_total_is_a_python_float_and_arrays_stay_arrays():
    costs = CostMatrix(fp_cost=1, fn_cost=5)
    assert type(costs.total(1, 2, 3, 4)) is float
    assert type(costs.total(np.int64(1), np.float64(2), 3, 4)) is float
    assert type(PCT.cost_of(_point(1, 1, 1, 1))) is float
    totals = costs.total(np.array([1, 2]), np.array([0, 1]), np.array([3, 2]), np.array([1, 0]))
    assert isinstance(totals, np.ndarray) and totals.tolist() == [5.0, 1.0]


@pytest.mark.parametrize("fp, fn, tp, tn, expected", [
    (1, 1, 0, 0, 0.5),      # equal regrets: flag from an even chance
    (3, 1, 0, 0, 0.75),
    (0, 4, 0, 0, 0.0),      # false alarms free: flag everybody
    (4, 0, 0, 0, 1.0),      # misses free: flag nobody
    (1, 1, 1, 1, 0.5),
    (2, 0, 3, 0, 0.4),      # fp regret 2, fn regret 0 + 3
])
def test_cost_optimal_probability_threshold_by_hand(fp, fn, tp, tn, expected):
    assert CostMatrix(fp, fn, tp, tn).optimal_probability_threshold() == pytest.approx(expected)


def test_no_optimal_threshold_when_every_decision_costs_the_same():
    with pytest.raises(DataError, match="no cost-optimal threshold"):
        CostMatrix(0, 0).optimal_probability_threshold()


@pytest.mark.parametrize("amount, text", [
    (99.99, "$99.99"), (100, "$100"), (100.4, "$100"), (100.6, "$101"), (1234.5, "$1,234"),
    (-100, "-$100"), (-0.001, "$0.00"), (0, "$0.00"), (0.5, "$0.50"),
])
def test_money_text_switches_to_whole_units_at_100(amount, text):
    assert CostMatrix(1, 1).format(amount) == text


def test_per_case_cost_of_zero_one_and_fractional_cases():
    costs = CostMatrix(fp_cost=3, fn_cost=7)
    one = cost_summary(_point(0, 1, 0, 0), costs)
    assert one.n == 1 and one.per_case == 3.0 and one.per_1000 == 3000.0
    half = cost_summary(_point(0.0, 0.25, 0.0, 0.25), costs)  # weighted cases
    assert half.n == 0.5 and half.per_case == pytest.approx((0.75 + 1.75) / 0.5)
    with np.errstate(all="ignore"):
        empty = cost_summary(_point(0, 0, 0, 0), costs)
    assert empty.n == 0 and math.isnan(empty.per_case) and math.isnan(empty.per_1000)


def test_bad_cost_inputs_say_what_is_wrong():
    with pytest.raises(DataError, match="currency"):
        CostMatrix(1, 1, currency=5)
    with pytest.raises(DataError, match="costs of false positives and false negatives"):
        cost_summary(_point(1, 1, 1, 1), costs=None)
    with pytest.raises(DataError, match="percentage"):
        CostMatrix(1, 1, fp_pct=-5)
