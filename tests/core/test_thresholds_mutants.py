"""What the mutation run of ``core/thresholds.py`` showed the sweep's other tests leave open.

Small hand-computed cases and direct counts: each error names what is wrong; sort_cases
keeps weights and amounts aligned when zero-weight rows are dropped; each share-of-amount
percentage counts on its own; confusion metrics of stacks of resamples (one class missing in
some); the roundest display threshold; the points a downsampled chart keeps; the sentence a
recommendation reads aloud, branch by branch. See tests/MUTATION.md (``core/thresholds.py``).
"""

from __future__ import annotations

import math
import warnings
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from core.costs import CostMatrix, cost_summary
from core.errors import DataError
from core.thresholds import (
    METRICS,
    Sweep,
    average_precision,
    confusion_metrics,
    display_threshold,
    downsample_indices,
    explain,
    point_from_counts,
    pr_points,
    recommend_threshold,
    roc_auc,
    roc_points,
    sort_cases,
    sweep_sorted,
    threshold_sweep,
    validate_labels_scores,
)

RATIOS = ("precision", "recall", "fpr", "specificity", "f1", "accuracy", "balanced_accuracy", "mcc", "positive_rate")


def _direct(y, s, t, w=None, a=None):
    """tp, fp, tn, fn (and their amount sums) of ``s >= t``, counted row by row."""
    y, s = np.asarray(y), np.asarray(s, dtype=float)
    w = np.ones(len(y)) if w is None else np.asarray(w, dtype=float)
    a = np.zeros(len(y)) if a is None else np.asarray(a, dtype=float)
    flagged = s >= t
    cells = {"tp": flagged & (y == 1), "fp": flagged & (y == 0), "tn": ~flagged & (y == 0), "fn": ~flagged & (y == 1)}
    counts = {k: float(w[m].sum()) for k, m in cells.items()}
    amounts = {f"{k}_amount": float(a[m].sum()) for k, m in cells.items()}
    return counts, amounts


# ---------------------------------------------------------------------------------------
# Validation: each error says what is wrong
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("y, scores, words", [
    ([0, 1], np.zeros((2, 3)), r"one number per row, got an array of shape \(2, 3\)"),
    ([0, 1], 0.5, r"one number per row, got an array of shape \(\)"),
    ([0, 1], [[0.9, 0.1], [0.2, 0.8]], r"two columns; pass only the positive-class column"),
    ([0, 1], ["x", "0.2"], "The scores must be numbers"),
    ([[0, 1]], [0.1, 0.2], r"labels must be one value per row, got an array of shape \(1, 2\)"),
    ([0, 1, 1], [0.1, 0.2], "There are 3 labels but 2 scores"),
    (np.zeros(1500), np.zeros(1200), "There are 1,500 labels but 1,200 scores"),
    ([], [], "There are no rows to evaluate"),
    (["yes", "no"], [0.1, 0.2], "0/1.*some values are text"),
    ([0.0, np.nan, np.nan, 1.0], [0.1, 0.2, 0.3, 0.4], "2 labels are missing"),
    ([0, 1, -1], [0.1, 0.2, 0.3], r"found -1\. Choose the positive class"),
    ([0, 2, 5, 3, 4, 2], np.arange(6.0), "found 2, 3, 4. Choose"),
    ([0, 0.5, 1], [0.1, 0.2, 0.3], "found 0.5"),
    ([0, 1, 1], [np.nan, np.inf, 0.2], "2 scores are missing or infinite"),
    ([0, 1, 1], [0.2, -np.inf, 0.3], "1 scores are missing or infinite"),
])
def test_bad_labels_or_scores_say_what_is_wrong(y, scores, words):
    with pytest.raises(DataError, match=words):
        threshold_sweep(y, scores)


def test_labels_beyond_0_and_1_list_at_most_three_and_a_whole_count_of_missing_ones():
    with pytest.raises(DataError) as caught:
        threshold_sweep([7, 9, 8, 0, 6], [0.1, 0.2, 0.3, 0.4, 0.5])
    assert "found 6, 7, 8." in str(caught.value) and "9" not in str(caught.value)
    with pytest.raises(DataError, match="1,001 labels are missing"):
        threshold_sweep(np.r_[np.full(1001, np.nan), 1.0], np.zeros(1002))


@pytest.mark.parametrize("labels", [
    np.array([0, 1, 1, 0], dtype=np.int8), np.array([0, 1, 1, 0], dtype=np.int64), np.array([0, 1, 1, 0], dtype=float),
    np.array([False, True, True, False]), np.array([0, 1, 1, 0], dtype=np.uint16),
])
def test_validated_labels_are_uint8_and_the_scores_a_new_array_without_negative_zeros(labels):
    scores = np.array([-0.0, 0.5, 0.5, -0.0])
    y, s = validate_labels_scores(labels, scores)
    assert y.dtype == np.uint8 and y.tolist() == [0, 1, 1, 0]
    assert s.dtype == np.float64 and s is not scores and not np.shares_memory(s, scores)
    assert not np.signbit(s).any() and s.tolist() == [0.0, 0.5, 0.5, 0.0]
    assert not np.shares_memory(y, labels)  # a copy: the caller's labels stay theirs


@pytest.mark.parametrize("amounts, words", [
    (np.ones(3), r"one amount per row \(4\), got shape \(3,\)"),
    (np.ones((4, 1)), r"one amount per row \(4\), got shape \(4, 1\)"),
    (np.array(["1", "2", "x", "4"], dtype=object), "The amounts must be numbers"),
    (np.array([1.0, np.nan, np.inf, 2.0]), "2 amounts are missing or infinite"),
    (np.array([1.0, -np.inf, 3.0, 2.0]), r"1 amounts are missing or infinite; every row needs an amount \(choose"),
])
def test_bad_amounts_say_what_is_wrong(amounts, words):
    with pytest.raises(DataError, match=words):
        threshold_sweep([0, 1, 1, 0], [0.1, 0.2, 0.3, 0.4], amounts=amounts)


def test_bad_weights_name_the_row_count_and_the_rule():
    with pytest.raises(DataError, match=r"one sample weight per row \(4\), got shape \(3,\)"):
        threshold_sweep([0, 1, 1, 0], [0.1, 0.2, 0.3, 0.4], sample_weight=[1, 1, 1])
    with pytest.raises(DataError, match="Sample weights must be numbers"):
        threshold_sweep([0, 1, 1, 0], [0.1, 0.2, 0.3, 0.4], sample_weight=["a", 1, 1, 1])
    with pytest.raises(DataError, match="Sample weights must be finite and not negative"):
        threshold_sweep([0, 1, 1, 0], [0.1, 0.2, 0.3, 0.4], sample_weight=[1, -0.5, 1, 1])
    with pytest.raises(DataError, match="All sample weights are zero; at least one row must count"):
        threshold_sweep([0, 1, 1, 0], [0.1, 0.2, 0.3, 0.4], sample_weight=[0, 0, 0, 0])


def test_costs_that_are_not_a_cost_matrix_are_refused_everywhere():
    cases = sort_cases([0, 1], [0.1, 0.2])
    for build in (lambda: threshold_sweep([0, 1], [0.1, 0.2], costs={"fp": 1}),
                  lambda: sweep_sorted(cases, costs=(1, 5)),
                  lambda: threshold_sweep([0, 1], [0.1, 0.2]).with_costs({"fp": 1})):
        with pytest.raises(DataError, match="costs must be a CostMatrix"):
            build()


# ---------------------------------------------------------------------------------------
# The sort and the sums: weights, amounts and zero-weight rows stay aligned
# ---------------------------------------------------------------------------------------


def test_zero_weight_rows_are_dropped_with_their_amounts():
    y = np.array([1, 0, 1, 0, 1, 0])
    s = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    w = np.array([2.0, 0.0, 0.5, 1.0, 0.0, 3.0])
    a = np.array([10.0, 1000.0, 20.0, 30.0, 5000.0, 40.0])
    cases = sort_cases(y, s, sample_weight=w, amounts=a)
    assert cases.scores.tolist() == [0.9, 0.7, 0.6, 0.4]
    assert cases.weights.tolist() == [2.0, 0.5, 1.0, 3.0] and cases.amounts.tolist() == [10.0, 20.0, 30.0, 40.0]
    assert cases.labels.tolist() == [1, 1, 0, 0] and cases.ends.tolist() == [0, 1, 2, 3]
    sweep = sweep_sorted(cases)
    for i, t in enumerate(sweep.thresholds):
        counts, amounts = _direct(y[w > 0], s[w > 0], t, w[w > 0], a[w > 0])
        point = sweep.point(i)
        assert (point.tp, point.fp, point.tn, point.fn) == tuple(counts.values())
        assert (point.tp_amount, point.fp_amount, point.tn_amount, point.fn_amount) == tuple(amounts.values())
    assert sweep.amount_pos == 30.0 and sweep.amount_neg == 70.0


def test_weighted_signed_zeros_and_amounts_without_weights_are_one_threshold_each():
    y = np.array([1, 0, 0, 1])
    s = np.array([-0.0, 0.0, 0.5, -0.0])
    weighted = threshold_sweep(y, s, sample_weight=[1.0, 2.0, 1.0, 0.5])
    assert weighted.thresholds.tolist() == [0.5, 0.0, np.inf]
    assert not np.signbit(weighted.thresholds).any()
    assert (weighted.tp.tolist(), weighted.fp.tolist()) == ([0.0, 1.5, 0.0], [1.0, 3.0, 0.0])
    with_amounts = threshold_sweep(y, s, amounts=[1.0, 2.0, 4.0, 8.0])
    assert with_amounts.thresholds.tolist() == [0.5, 0.0, np.inf] and not with_amounts.weighted
    assert with_amounts.tp.tolist() == [0, 2, 0] and isinstance(with_amounts.n_pos, int)
    assert with_amounts.tp_amount.tolist() == [0.0, 9.0, 0.0] and with_amounts.fp_amount.tolist() == [4.0, 6.0, 0.0]


def test_ties_keep_the_input_order_of_their_rows():
    # Within tied scores the rows keep their order (a stable sort, as scikit-learn's).
    cases = sort_cases([1, 0, 1, 0], [0.5, 0.5, 0.9, 0.5], sample_weight=[1.0, 2.0, 3.0, 4.0], amounts=[1, 2, 3, 4])
    assert cases.weights.tolist() == [3.0, 4.0, 2.0, 1.0]  # reversed stable order (the same as sklearn's)
    assert cases.amounts.tolist() == [3.0, 4.0, 2.0, 1.0] and cases.ends.tolist() == [0, 3]


@pytest.mark.parametrize("scores", [
    [-3.0, -1.0, -2.0, -1.0, -5.0],            # every score negative
    [-3.0, 2.0, -0.0, 0.0, -1e-300, 1e-300],   # both signs
    [0.0, -0.0, 0.0],                         # zeros only
])
def test_unweighted_sorted_cases_of_any_signs_equal_a_stable_argsort(scores):
    s = np.array(scores)
    y = np.arange(len(s)) % 2
    cases = sort_cases(y, s)
    expected = np.sort(s + 0.0)[::-1]
    assert cases.scores.tolist() == expected.tolist()
    assert not np.signbit(cases.scores[cases.scores == 0]).any()  # -0.0 is +0.0: one threshold
    sweep = sweep_sorted(cases)
    for i, t in enumerate(sweep.thresholds):
        counts, _ = _direct(y, s, t)
        assert (sweep.tp[i], sweep.fp[i]) == (counts["tp"], counts["fp"])
    assert sweep.score_min == float(s.min()) and sweep.score_max == float(s.max())


# ---------------------------------------------------------------------------------------
# Money: each percentage of the amount on its own, scalars and arrays
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("pct", ["fp_pct", "fn_pct", "tp_pct", "tn_pct"])
def test_each_share_of_the_amount_counts_on_its_own(pct):
    y = np.array([1, 0, 1, 0, 1, 0, 0])
    s = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3])
    a = np.array([100.0, 200.0, 50.0, 10.0, 1000.0, 30.0, 7.0])
    costs = CostMatrix(fp_cost=1.0, fn_cost=2.0, tp_value=0.5, tn_value=0.25, **{pct: 10.0})
    sweep = threshold_sweep(y, s, costs=costs, amounts=a)
    for i, t in enumerate(sweep.thresholds):
        counts, amounts = _direct(y, s, t, a=a)
        expected = (counts["fp"] * 1.0 + counts["fn"] * 2.0 - counts["tp"] * 0.5 - counts["tn"] * 0.25)
        cell = pct[:2]
        sign = -1.0 if cell in ("tp", "tn") else 1.0
        expected += sign * 0.10 * amounts[f"{cell}_amount"]
        assert sweep.cost[i] == pytest.approx(expected, abs=1e-9), (pct, t)
        point = point_from_counts(t, *counts.values(), costs, **amounts)
        assert point.cost == pytest.approx(expected, abs=1e-9) and isinstance(point.cost, float)
    # The same through re-costing, from a sweep without costs.
    plain = threshold_sweep(y, s, amounts=a)
    np.testing.assert_allclose(plain.with_costs(costs).cost, sweep.cost, rtol=0, atol=1e-9)


def test_per_case_costs_need_an_amount_column():
    sweep = threshold_sweep([0, 1], [0.1, 0.2])
    with pytest.raises(DataError, match="no amount column is set. Choose an Amount column"):
        sweep.with_costs(CostMatrix(1, 5, fn_pct=10.0))
    with pytest.raises(DataError, match="no amount column is set"):
        confusion_metrics(np.array([1]), np.array([0]), 1, 1, CostMatrix(1, 5, tp_pct=1.0))["cost"]


def test_a_point_from_counts_is_the_sweeps_point_with_its_amounts():
    y = np.array([1, 0, 1, 0, 0])
    s = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    a = np.array([10.0, 20.0, 30.0, 40.0, 50.0])
    costs = CostMatrix(3, 7, 1, 0.5, fp_pct=1.0, fn_pct=2.0, tp_pct=3.0, tn_pct=4.0)
    sweep = threshold_sweep(y, s, costs=costs, amounts=a)
    for i, t in enumerate(sweep.thresholds):
        counts, amounts = _direct(y, s, t, a=a)
        ours = point_from_counts(t, *counts.values(), costs, **amounts)
        theirs = sweep.point(i)
        assert ours.as_dict() == pytest.approx(theirs.as_dict(), abs=1e-12)
        assert (ours.tp_amount, ours.fp_amount, ours.tn_amount, ours.fn_amount) == tuple(amounts.values())
        assert (theirs.tp_amount, theirs.fp_amount, theirs.tn_amount, theirs.fn_amount) == tuple(amounts.values())
        assert all(isinstance(getattr(ours, c), int) for c in ("tp", "fp", "tn", "fn"))
        assert isinstance(ours.threshold, float)


def test_a_point_from_fractional_counts_keeps_them_and_without_costs_has_no_cost():
    point = point_from_counts(0.4, 2.5, 1, 3, 0.5)
    assert (point.tp, point.fp, point.tn, point.fn) == (2.5, 1.0, 3.0, 0.5)
    assert all(isinstance(getattr(point, c), float) for c in ("tp", "fp", "tn", "fn"))
    assert point.cost is None
    assert (point.tp_amount, point.fp_amount, point.tn_amount, point.fn_amount) == (0.0, 0.0, 0.0, 0.0)
    assert point.precision == pytest.approx(2.5 / 3.5) and point.recall == pytest.approx(2.5 / 3)
    assert point.specificity == pytest.approx(3 / 4) and point.fpr == pytest.approx(1 / 4)
    assert point.accuracy == pytest.approx(5.5 / 7) and point.positive_rate == pytest.approx(3.5 / 7)
    assert point.f1 == pytest.approx(5 / (5 + 1 + 0.5))
    assert point.balanced_accuracy == pytest.approx((2.5 / 3 + 3 / 4) / 2)
    mcc = (2.5 * 3 - 1 * 0.5) / math.sqrt(3.5 * 3 * 4 * 3.5)
    assert point.mcc == pytest.approx(mcc)
    priced = point_from_counts(0.4, 2, 1, 3, 0, CostMatrix(10, 100, 1, 2))
    assert priced.cost == 10 * 1 + 100 * 0 - 1 * 2 - 2 * 3 and type(priced.cost) is float


# ---------------------------------------------------------------------------------------
# Confusion metrics of stacks of resamples (the bootstrap's shape)
# ---------------------------------------------------------------------------------------


def _sklearn_point(tp, fp, tn, fn):
    """Every ratio of one confusion matrix by scikit-learn, on the cases written out."""
    y = np.r_[np.ones(int(tp + fn)), np.zeros(int(fp + tn))].astype(int)
    pred = np.r_[np.ones(int(tp)), np.zeros(int(fn)), np.ones(int(fp)), np.zeros(int(tn))].astype(int)
    with warnings.catch_warnings():  # one class only: scikit-learn warns, and answers
        warnings.simplefilter("ignore")
        return {
            "precision": skm.precision_score(y, pred, zero_division=0),
            "recall": skm.recall_score(y, pred, zero_division=0),
            "f1": skm.f1_score(y, pred, zero_division=0),
            "accuracy": skm.accuracy_score(y, pred),
            "mcc": skm.matthews_corrcoef(y, pred),
            "balanced_accuracy": skm.balanced_accuracy_score(y, pred),
            "positive_rate": pred.sum() / len(y),
            "fpr": fp / (fp + tn) if fp + tn else 0.0,
            "specificity": tn / (fp + tn) if fp + tn else 0.0,
        }


def test_metrics_of_a_stack_with_a_class_missing_in_some_resamples_equal_sklearn():
    # Resamples x three thresholds: both classes, positives only, negatives only, then one
    # case of a class (a count of 1 is still a class present).
    n_pos = np.array([[3.0], [4.0], [0.0], [1.0], [1.0], [0.0]])
    n_neg = np.array([[5.0], [0.0], [6.0], [1.0], [0.0], [1.0]])
    tp = np.array([[1, 2, 3], [1, 3, 4], [0, 0, 0], [0, 1, 1], [0, 1, 1], [0, 0, 0]])
    fp = np.array([[0, 2, 5], [0, 0, 0], [1, 4, 6], [0, 0, 1], [0, 0, 0], [0, 1, 1]])
    metrics = confusion_metrics(tp, fp, n_pos, n_neg)
    for b in range(len(n_pos)):
        for j in range(3):
            t, f = tp[b, j], fp[b, j]
            expected = _sklearn_point(t, f, n_neg[b, 0] - f, n_pos[b, 0] - t)
            for name in RATIOS:
                assert metrics[name][b, j] == pytest.approx(expected[name], abs=1e-12), (name, b, j)
    np.testing.assert_array_equal(metrics["tn"], n_neg - fp)
    np.testing.assert_array_equal(metrics["fn"], n_pos - tp)
    assert metrics["tp"].dtype == tp.dtype and metrics["f_tp"].dtype == np.float64
    assert metrics["cost"] is None
    with pytest.raises(KeyError):
        metrics["lift"]
    with pytest.raises(KeyError):
        metrics["f_precision"]


@pytest.mark.parametrize("n_pos, n_neg", [(4, 0), (0, 6), (4, 6), (1, 0), (0, 1), (1, 1)])
def test_balanced_accuracy_of_scalar_totals_uses_the_classes_present(n_pos, n_neg):
    tp, fp = min(2, n_pos), min(1, n_neg)
    metrics = confusion_metrics(np.array([tp]), np.array([fp]), n_pos, n_neg)
    expected = _sklearn_point(tp, fp, n_neg - fp, n_pos - tp)["balanced_accuracy"]
    assert metrics["balanced_accuracy"][0] == pytest.approx(expected, abs=1e-12)


def test_stacked_costs_equal_each_resamples_own_cost():
    costs = CostMatrix(2, 9, 1, 0.5, fp_pct=3.0, fn_pct=1.0, tp_pct=2.0, tn_pct=4.0)
    tp = np.array([[1.0, 2.0], [0.0, 3.0]])
    fp = np.array([[0.0, 1.0], [2.0, 2.0]])
    n_pos, n_neg = np.array([[3.0], [4.0]]), np.array([[2.0], [5.0]])
    tp_a, fp_a = np.array([[5.0, 9.0], [0.0, 12.0]]), np.array([[0.0, 4.0], [6.0, 6.0]])
    a_pos, a_neg = np.array([[11.0], [20.0]]), np.array([[8.0], [30.0]])
    cost = confusion_metrics(tp, fp, n_pos, n_neg, costs, (tp_a, fp_a, a_pos, a_neg))["cost"]
    for b in range(2):
        for j in range(2):
            point = point_from_counts(0.5, tp[b, j], fp[b, j], n_neg[b, 0] - fp[b, j], n_pos[b, 0] - tp[b, j], costs,
                                      tp_amount=tp_a[b, j], fp_amount=fp_a[b, j],
                                      tn_amount=a_neg[b, 0] - fp_a[b, j], fn_amount=a_pos[b, 0] - tp_a[b, j])
            assert cost[b, j] == pytest.approx(costs.total(**{k: getattr(point, k) for k in (
                "tp", "fp", "tn", "fn", "tp_amount", "fp_amount", "tn_amount", "fn_amount")}), abs=1e-9)
            assert cost[b, j] == pytest.approx(point.cost, abs=1e-9)


# ---------------------------------------------------------------------------------------
# Lookups, the sweep's own helpers
# ---------------------------------------------------------------------------------------


def test_index_is_an_int_for_a_number_and_an_int_array_for_an_array():
    sweep = threshold_sweep([1, 0, 1, 0], [0.8, 0.6, 0.4, 0.2])  # thresholds 0.8 0.6 0.4 0.2 inf
    assert sweep.index(0.6) == 1 and type(sweep.index(0.6)) is int
    assert sweep.index(0.61) == 0 and sweep.index(0.81) == 4 and sweep.index(-1.0) == 3
    assert sweep.index(np.inf) == 4 and sweep.index(-np.inf) == 3
    many = sweep.index(np.array([0.2, 0.5, 0.8, 0.9]))
    assert isinstance(many, np.ndarray) and many.tolist() == [3, 1, 0, 4]
    with pytest.raises(DataError, match="The threshold must be a number"):
        sweep.index(np.array([0.5, np.nan]))
    with pytest.raises(DataError, match=r"The threshold must be a number, got 'high'"):
        sweep.at("high")
    with pytest.raises(DataError, match=r"got None"):
        sweep.at(None)


def test_points_of_a_weighted_sweep_have_float_counts_and_of_a_plain_one_ints():
    weighted = threshold_sweep([1, 0, 1], [0.9, 0.5, 0.1], sample_weight=[1.0, 2.0, 3.0])
    point = weighted.at(0.5)
    assert (point.tp, point.fp, point.tn, point.fn) == (1.0, 2.0, 0.0, 3.0)
    assert all(type(getattr(point, c)) is float for c in ("tp", "fp", "tn", "fn"))
    assert isinstance(weighted.n_pos, float) and weighted.n == 6.0
    plain = threshold_sweep([1, 0, 1], [0.9, 0.5, 0.1]).at(0.5)
    assert all(type(getattr(plain, c)) is int for c in ("tp", "fp", "tn", "fn"))
    assert plain.cost is None and plain.threshold == 0.5 and type(plain.threshold) is float
    assert weighted.point(1).threshold == 0.5 and weighted.point(1, threshold=0.3).threshold == 0.3


def test_the_repr_names_the_sizes():
    sweep = threshold_sweep(np.r_[np.ones(1200), np.zeros(800)], np.arange(2000.0) % 1500)
    assert repr(sweep) == "Sweep(1,500 distinct scores, n=2,000, n_pos=1,200, n_neg=800, costs=None)"
    costs = CostMatrix(1, 5)
    assert repr(sweep.with_costs(costs)).endswith(f"costs={costs!r})")


def test_the_sweeps_cost_summary_is_that_of_its_point_and_needs_costs():
    costs = CostMatrix(2, 7, 1, 0.5)
    sweep = threshold_sweep([1, 0, 1, 0, 0], [0.9, 0.7, 0.5, 0.3, 0.1], costs=costs)
    for t in (0.95, 0.7, 0.4, 0.1):
        assert sweep.cost_summary(t) == cost_summary(sweep.at(t), costs)
    with pytest.raises(DataError, match="Enter the costs of false positives and false negatives"):
        sweep.with_costs(None).cost_summary(0.5)


def test_re_costing_shares_the_arrays_and_without_costs_has_no_cost():
    sweep = threshold_sweep([1, 0, 1, 0], [0.9, 0.7, 0.5, 0.3], costs=CostMatrix(1, 5))
    other = sweep.with_costs(CostMatrix(3, 1, 0.5, 0.25))
    assert other.tp is sweep.tp and other.thresholds is sweep.thresholds and other is not sweep
    np.testing.assert_allclose(other.cost, 3 * sweep.fp + 1 * sweep.fn - 0.5 * sweep.tp - 0.25 * sweep.tn)
    np.testing.assert_allclose(sweep.cost, 1 * sweep.fp + 5 * sweep.fn)  # the original is unchanged
    bare = sweep.with_costs(None)
    assert bare.cost is None and bare.costs is None and sweep.costs == CostMatrix(1, 5)


def test_frame_keeps_the_chart_columns_and_its_default_budget_is_2000_rows():
    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, 2000)
    s = np.arange(2000) / 2000  # 2,000 distinct scores: a sweep of 2,001 entries
    sweep = threshold_sweep(y, s, costs=CostMatrix(1, 5))
    assert len(sweep) == 2001
    assert len(sweep.frame()) <= 2000 and len(roc_points(sweep)) <= 2000 and len(pr_points(sweep)) <= 2000
    assert len(downsample_indices(sweep)) <= 2000
    just = threshold_sweep(y[:1999], s[:1999])  # 2,000 entries: every one kept
    assert len(just.frame()) == 2000 and len(roc_points(just)) == 2000 and len(pr_points(just)) == 2000
    assert len(downsample_indices(just)) == 2000
    frame = sweep.frame(max_points=50, keep=[0.5])
    assert list(frame.columns) == ["threshold", *METRICS]
    rows = sweep.index(frame["threshold"].to_numpy())
    for name in METRICS:
        np.testing.assert_array_equal(frame[name].to_numpy(), getattr(sweep, name)[rows], err_msg=name)


def test_a_sweep_as_long_as_the_budget_is_returned_whole():
    sweep = threshold_sweep(np.arange(9) % 2, np.arange(9.0))  # 10 entries
    np.testing.assert_array_equal(downsample_indices(sweep, 10), np.arange(10))
    assert len(downsample_indices(sweep, 9)) <= 9


def test_downsampled_indices_keep_the_special_points_and_space_the_rest_evenly():
    rng = np.random.default_rng(8)
    n = 20_000
    s = rng.random(n)
    y = (rng.random(n) < s ** 2).astype(int)
    sweep = threshold_sweep(y, s, costs=CostMatrix(1, 3))
    size = len(sweep)
    keep = [0.123, 0.987]
    rows = downsample_indices(sweep, 200, keep)
    assert np.all(np.diff(rows) > 0) and len(rows) <= 200 + len(keep)
    special = {0, size - 2, size - 1, int(np.argmax(sweep.f1)), int(np.argmax(sweep.recall - sweep.fpr)),
               int(np.argmin(sweep.cost)), *(sweep.index(t) for t in keep)}
    assert special <= set(rows.tolist())
    finite = rows[rows < size - 1]
    # Half the budget spaced along the ROC path (tpr + fpr runs from about 0 to 2) ...
    path = sweep.recall + sweep.fpr
    budget = 200 - 6
    step = (path[size - 2] - path[0]) / (budget // 2 - 1)
    assert np.max(np.diff(path[finite])) <= step + 1e-9 + np.max(np.diff(path[: size - 1]))
    # ... and half evenly in threshold value.
    gap = (sweep.score_max - sweep.score_min) / (budget - budget // 2 - 1)
    assert np.max(-np.diff(sweep.thresholds[finite])) <= gap + np.max(-np.diff(sweep.thresholds[: size - 1]))
    # A small budget still keeps both ends and at least two more points.
    tiny = downsample_indices(sweep, 3)
    assert {0, size - 2, size - 1} <= set(tiny.tolist())
    assert len(tiny) >= 5 and len(downsample_indices(sweep, 3, keep=[float("nan")])) == len(tiny)


def test_roc_and_pr_points_start_at_their_anchors_and_follow_the_sweep():
    y = np.array([1, 0, 1, 1, 0, 0, 1, 0])
    s = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2])
    sweep = threshold_sweep(y, s)
    roc = roc_points(sweep)
    assert list(roc.columns) == ["fpr", "tpr", "threshold"]
    assert roc.iloc[0].tolist() == [0.0, 0.0, np.inf] and np.all(np.diff(roc["fpr"]) >= 0)
    np.testing.assert_array_equal(roc["threshold"].to_numpy()[1:], s)
    pr = pr_points(sweep, max_points=4)
    assert list(pr.columns) == ["recall", "precision", "threshold"] and len(pr) <= 4
    assert pr.iloc[0].tolist() == [0.0, 1.0, np.inf]
    rows = sweep.index(pr["threshold"].to_numpy()[1:])
    np.testing.assert_array_equal(pr["precision"].to_numpy()[1:], sweep.precision[rows])
    np.testing.assert_array_equal(pr["recall"].to_numpy()[1:], sweep.recall[rows])
    assert len(roc_points(threshold_sweep(np.arange(40) % 2, np.arange(40.0)), max_points=10)) <= 10


def test_areas_without_one_class_and_by_hand():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no 0/0 on the way (a page would show the warning)
        assert math.isnan(roc_auc(threshold_sweep([1, 1], [0.2, 0.4])))
        assert math.isnan(roc_auc(threshold_sweep([0, 0], [0.2, 0.4])))
        assert average_precision(threshold_sweep([0, 0], [0.2, 0.4])) == 0.0
    assert average_precision(threshold_sweep([1, 1], [0.2, 0.4])) == 1.0
    # Positives at ranks 1 and 3 of 4: AUC = 3/4 (3 of the 4 pairs ordered), AP = (1 + 2/3) / 2.
    sweep = threshold_sweep([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.6])
    assert roc_auc(sweep) == 0.75 and type(roc_auc(sweep)) is float
    assert average_precision(sweep) == pytest.approx((1 + 2 / 3) / 2, abs=1e-15)
    weighted = threshold_sweep([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.6], sample_weight=[2.0, 1.0, 1.0, 3.0])
    assert roc_auc(weighted) == pytest.approx(skm.roc_auc_score([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.6],
                                                                 sample_weight=[2.0, 1.0, 1.0, 3.0]), abs=1e-15)


# ---------------------------------------------------------------------------------------
# The roundest display threshold
# ---------------------------------------------------------------------------------------


def _roundest_in(lower: float, upper: float) -> float | None:
    """The number with the fewest decimals (0 to 16) in ``(lower, upper]``, the largest such
    when several: written out in decimal, then read as a float."""
    for d in range(17):
        scaled = Decimal(upper).scaleb(d) if math.isfinite(upper) else None
        if scaled is not None:
            tries = [scaled.to_integral_value(rounding="ROUND_FLOOR"), scaled.to_integral_value(rounding="ROUND_HALF_EVEN")]
        else:
            tries = [Decimal(lower).scaleb(d).to_integral_value(rounding="ROUND_FLOOR") + 1]
        for k in sorted(tries, reverse=True):
            candidate = float(k.scaleb(-d))
            if lower < candidate <= upper:
                return candidate
    return None


@pytest.mark.parametrize("seed, decimals", [(0, 1), (1, 2), (2, 3), (3, 6), (4, 12)])
def test_display_thresholds_are_the_roundest_numbers_that_select_each_entry(seed, decimals):
    rng = np.random.default_rng(seed)
    s = np.round(rng.normal(0.3, 1.5, 60), decimals)
    y = rng.integers(0, 2, 60)
    sweep = threshold_sweep(y, s)
    m = len(sweep) - 1
    for i in range(m + 1):
        shown = display_threshold(sweep, i)
        assert sweep.index(shown) == i and isinstance(shown, float)
        lower = sweep.thresholds[i + 1] if i + 1 < m else -np.inf
        upper = sweep.thresholds[i]
        if i == m:
            lower, upper = sweep.score_max, np.inf
        expected = _roundest_in(float(lower), float(upper))
        assert shown == expected, (i, lower, upper, shown, expected)


def test_display_thresholds_by_hand():
    sweep = threshold_sweep([1, 0, 1, 0], [0.35, 0.3, 0.1, 2.2])  # thresholds 2.2 0.35 0.3 0.1 inf
    assert [display_threshold(sweep, i) for i in range(5)] == [2.0, 0.35, 0.3, 0.0, 3.0]
    # (0.29, 0.37]: 0.4 is outside, 0.3 (rounded down) inside; (0.2, 0.29]: 0.29 only as round()
    # gives it (0.29 * 100 is 28.999..., rounded down 0.28).
    decimals = threshold_sweep([1, 0, 1, 0], [0.37, 0.29, 0.2, 0.1])
    assert [display_threshold(decimals, i) for i in range(5)] == [0.3, 0.29, 0.2, 0.0, 1.0]
    whole = threshold_sweep([1, 0], [12.0, 7.0])
    assert [display_threshold(whole, i) for i in range(3)] == [12.0, 7.0, 13.0]
    negative = threshold_sweep([1, 0], [-0.25, -3.75])
    assert [display_threshold(negative, i) for i in range(3)] == [-1.0, -4.0, 0.0]


def test_display_threshold_falls_back_to_the_score_when_no_decimal_fits():
    a = 0.1
    b = float(np.nextafter(a, 1))  # no decimal of up to 16 places lies in (a, b]
    sweep = threshold_sweep([1, 0, 1], [b, a, 0.05])
    assert display_threshold(sweep, 0) == b and sweep.index(display_threshold(sweep, 0)) == 0
    # Above this top score no step of 1 to 1e-16 lands (each rounds back onto it): the next float.
    top = 6.138370677653722e+55
    huge = threshold_sweep([1, 0], [top, 0.5])
    nobody = display_threshold(huge, 2)
    assert nobody == float(np.nextafter(top, np.inf)) and huge.index(nobody) == 2


def test_flagging_nobody_above_a_huge_top_score_is_recommended_without_an_error():
    sweep = threshold_sweep([0, 1], [1.7e308, 0.5], costs=CostMatrix(1000, 1))  # a false alarm costs most
    rec = recommend_threshold(sweep, "min_cost")
    assert rec.point.positive_rate == 0 and rec.threshold > 1.7e308


# ---------------------------------------------------------------------------------------
# The sentence read aloud
# ---------------------------------------------------------------------------------------

def _plain() -> Sweep:
    return threshold_sweep([1, 0], [0.9, 0.1])


def _said(tp, fp, tn, fn, costs=None, t=0.5, **names):
    sweep = _plain() if costs is None else _plain().with_costs(costs)
    return explain(sweep, point_from_counts(t, tp, fp, tn, fn, costs), **names)


@pytest.mark.parametrize("counts, words", [
    ((4, 1, 0, 0), "; 1 in 5 flagged cases is a false alarm."),
    ((3, 1, 0, 0), "; 1 in 4 flagged cases is a false alarm."),
    ((1249, 1, 0, 0), "; 1 in 1,250 flagged cases is a false alarm."),
    ((25, 8, 0, 0), "; about 1 in 4 flagged cases is a false alarm."),      # 24%
    ((69, 31, 0, 0), "; about 1 in 3 flagged cases is a false alarm."),     # 31%: within a tenth of 1/3
    ((7, 3, 0, 0), "; 30% of flagged cases are false alarms."),             # 30%: not within a tenth of 1/3
    ((17, 10, 0, 0), "; about 1 in 3 flagged cases is a false alarm."),     # 10/27: exactly a tenth from 1/3
    ((1, 1, 0, 0), "; 50% of flagged cases are false alarms."),             # a half is not "1 in 2"
    ((1, 199, 0, 0), "; over 99% of flagged cases are false alarms."),
    ((0, 3, 0, 2), "; 100% of flagged cases are false alarms."),
    ((5, 0, 0, 0), "; none of the flagged cases is a false alarm."),
])
def test_the_false_alarm_part_of_the_sentence(counts, words):
    assert _said(*counts).endswith(words)


@pytest.mark.parametrize("counts, start", [
    ((1, 0, 0, 0), "At 0.5 you catch 100% of positives;"),
    ((1, 0, 0, 299), "At 0.5 you catch under 1% of positives;"),
    ((199, 0, 0, 1), "At 0.5 you catch over 99% of positives;"),
    ((2, 0, 0, 1), "At 0.5 you catch 67% of positives;"),
    ((0, 1, 0, 3), "At 0.5 you catch 0% of positives;"),
])
def test_the_recall_part_of_the_sentence(counts, start):
    assert _said(*counts).startswith(start)


def test_catching_one_positive_in_two_hundred_is_not_read_as_none():
    assert not _said(1, 0, 0, 199).startswith("At 0.5 you catch 0% of")


def test_nobody_flagged_is_said_plainly_and_names_the_positives():
    assert _said(0, 0, 3, 2, t=np.inf) == "Flagging nobody, you catch none of the positives."
    assert _said(0, 0, 3, 2, t=0.75, positive_label="defaulters") == (
        "At 0.75 nobody is flagged, so you catch none of the defaulters.")
    assert _said(2, 1, 0, 0, positive_label="frauds", case_noun="payments") == (
        "At 0.5 you catch 100% of frauds; 1 in 3 flagged payments is a false alarm.")


@pytest.mark.parametrize("costs, counts, money", [
    # Cost 1 per 2 cases, nobody would cost 5 per 2 cases: $500 and $2,000 less.
    (CostMatrix(1, 5), (1, 1, 0, 0), "expected cost per 1,000 cases $500 — $2,000 less than flagging nobody."),
    # A false alarm costs more than the miss it avoids: $500 more than flagging nobody.
    (CostMatrix(1, 5), (0, 1, 0, 1), "expected cost per 1,000 cases $3,000 — $500 more than flagging nobody."),
    # Nobody flagged compares with everybody flagged.
    (CostMatrix(1, 5), (0, 0, 1, 1), "expected cost per 1,000 cases $2,500 — $2,000 more than flagging everybody."),
    (CostMatrix(5, 1), (0, 0, 1, 1), "expected cost per 1,000 cases $500 — $2,000 less than flagging everybody."),
    # Exactly zero cost is a cost of $0.00, not a gain.
    (CostMatrix(1, 5), (1, 0, 1, 0), "expected cost per 1,000 cases $0.00 — $2,500 less than flagging nobody."),
    (CostMatrix(0, 0, 0, 0), (1, 1, 0, 0), "expected cost per 1,000 cases $0.00 — the same as flagging nobody."),
    (CostMatrix(1, 1), (1, 1, 0, 0), "expected cost per 1,000 cases $500 — the same as flagging nobody."),
    # Net gains read as better or worse.
    (CostMatrix(10, 0, tp_value=100), (1, 1, 0, 0),
     "expected net gain per 1,000 cases $45,000 — $45,000 better than flagging nobody."),
    (CostMatrix(0, 0, tp_value=1, tn_value=5), (1, 1, 0, 0),
     "expected net gain per 1,000 cases $500 — $2,000 worse than flagging nobody."),
    (CostMatrix(0, 1, tn_value=5), (0, 0, 1, 1),
     "expected net gain per 1,000 cases $2,000 — $2,000 better than flagging everybody."),
    # Differences under half a cent per 1,000 cases are "the same"; a cent is not.
    (CostMatrix(0.000008, 0), (1, 1, 0, 0), "— the same as flagging nobody."),
    (CostMatrix(0.000012, 0), (1, 1, 0, 0), "— $0.01 more than flagging nobody."),
    (CostMatrix(0, 0.000012), (1, 1, 0, 0), "— $0.01 less than flagging nobody."),
    (CostMatrix(0.005, 0), (0, 1, 999, 0), "— $0.01 more than flagging nobody."),  # exactly half a cent
])
def test_the_money_part_of_the_sentence(costs, counts, money):
    assert _said(*counts, costs=costs).endswith(money)


def test_a_recommendations_sentence_uses_the_names_given():
    sweep = threshold_sweep([1, 1, 0, 0], [0.9, 0.8, 0.3, 0.2], costs=CostMatrix(1, 5))
    rec = recommend_threshold(sweep, "min_cost", positive_label="churners", case_noun="subscribers")
    assert rec.explanation == explain(sweep, rec.point, positive_label="churners", case_noun="subscribers")
    assert "churners" in rec.explanation and "subscribers" in rec.explanation
    assert rec.objective == "min_cost" and rec.threshold == 0.8 and rec.point == sweep.at(0.8)


def test_the_default_objective_is_the_lowest_cost():
    sweep = threshold_sweep([1, 0, 1, 0], [0.9, 0.7, 0.5, 0.3], costs=CostMatrix(1, 5))
    assert recommend_threshold(sweep) == recommend_threshold(sweep, "min_cost")


def test_objectives_that_need_costs_say_so():
    with pytest.raises(DataError, match="Enter the costs of a false positive and a false negative to find the "
                                        "lowest-cost threshold"):
        recommend_threshold(_plain(), "min_cost")
    free = _plain().with_costs(CostMatrix(0, 0))
    with pytest.raises(DataError, match="Enter what a false positive and a false negative cost your business"):
        recommend_threshold(free, "min_cost")
    assert recommend_threshold(free, "youden").point.tp == 1


def test_the_smallest_budgets_keep_exactly_the_special_points():
    # With no room beyond them, the even spacing adds only the ends again: what is kept is the
    # two ends, flag-everybody, and the best F1, Youden and cost points.
    rng = np.random.default_rng(0)
    s = rng.random(2000)
    y = (rng.random(2000) < s**3).astype(int)
    for costs in (None, CostMatrix(1, 20)):
        sweep = threshold_sweep(y, s, costs=costs)
        size = len(sweep)
        special = {0, size - 2, size - 1, int(np.argmax(sweep.f1)), int(np.argmax(sweep.recall - sweep.fpr))}
        if costs is not None:
            special.add(int(np.argmin(sweep.cost)))
        assert len(special) == (6 if costs else 5)  # all different, so a lost one shows
        for budget in (3, len(special) + 4):
            assert downsample_indices(sweep, budget).tolist() == sorted(special), (costs, budget)


def test_a_percentage_from_half_to_one_and_a_half_percent_reads_1():
    assert _said(1, 0, 0, 99).startswith("At 0.5 you catch 1% of positives;")
    assert _said(3, 0, 0, 197).startswith("At 0.5 you catch 2% of positives;")


def test_display_threshold_falls_back_to_the_score_itself_not_the_next_float():
    a = 0.1
    c = float(np.nextafter(np.nextafter(a, 1), 1))  # two floats up: still no decimal of 16 places between
    sweep = threshold_sweep([1, 0, 1], [c, a, 0.05])
    assert display_threshold(sweep, 0) == c
    # 16 decimal places are the most tried: 0.01024646501531333 (17) would also fit here.
    low, high = 0.010246465015313328, 0.010246465015313339
    fine = threshold_sweep([1, 0, 1], [high, low, -1.0])
    assert display_threshold(fine, 0) == high


@pytest.mark.parametrize("y", [[1], [0], [1, 1], [0, 0, 0]])
def test_one_class_with_one_case_or_more_has_that_classs_balanced_accuracy(y):
    s = np.linspace(0.9, 0.1, len(y))
    sweep = threshold_sweep(y, s)
    for i, t in enumerate(sweep.thresholds):
        pred = (s >= t).astype(int)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # scikit-learn warns about the class that is missing
            expected = skm.balanced_accuracy_score(y, pred)
        assert sweep.balanced_accuracy[i] == pytest.approx(expected, abs=1e-12), (y, t)
        assert sweep.mcc[i] == 0.0


def test_a_sweep_without_weights_or_amounts_has_integer_counts_and_no_amount_arrays():
    sweep = threshold_sweep([1, 0, 1, 0], [0.9, 0.7, 0.5, 0.3])
    assert all(getattr(sweep, c).dtype == np.int64 for c in ("tp", "fp", "tn", "fn"))
    assert sweep.tp_amount is None and sweep.fp_amount is None and sweep.tn_amount is None and sweep.fn_amount is None
    assert (sweep.amount_pos, sweep.amount_neg) == (0.0, 0.0) and not sweep.has_amounts
    assert threshold_sweep([1, 0], [0.9, 0.7], sample_weight=[1.0, 2.0]).tp.dtype == np.float64


# ---------------------------------------------------------------------------------------
# Labels of integer type beyond 0/1, and the order within tied scores on a large sample
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int64, np.uint16])
def test_integer_labels_whose_largest_is_2_are_refused_by_name(dtype):
    with pytest.raises(DataError, match=r"found 2\. Choose the positive class"):
        threshold_sweep(np.array([0, 1, 2, 1], dtype=dtype), [0.1, 0.2, 0.3, 0.4])


@pytest.mark.parametrize("with_amounts", [False, True])
def test_tied_rows_of_a_large_weighted_sample_keep_their_input_order_reversed(with_amounts):
    # Thousands of rows on three scores: the rows of each score come out in their input order,
    # reversed (scikit-learn's), which fixes the order the weighted sums within a tie add up in.
    # A small array sorts stably by any method; a large one only with a stable sort.
    rng = np.random.default_rng(4)
    n = 3_000
    s = rng.choice([0.2, 0.5, 0.9], size=n)
    y = rng.integers(0, 2, size=n)
    w = np.arange(1.0, n + 1)  # each row's own weight: its position in the input
    a = w * 10 if with_amounts else None
    cases = sort_cases(y, s, sample_weight=w, amounts=a)
    for score in (0.9, 0.5, 0.2):
        rows = cases.scores == score
        assert cases.weights[rows].tolist() == w[s == score][::-1].tolist()
        assert cases.labels[rows].tolist() == y[s == score][::-1].tolist()
        if with_amounts:
            assert cases.amounts[rows].tolist() == (w[s == score][::-1] * 10).tolist()


def test_zero_weight_rows_are_dropped_without_an_amount_column_too():
    cases = sort_cases([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.6], sample_weight=[2.0, 0.0, 0.5, 1.0])
    assert cases.scores.tolist() == [0.9, 0.7, 0.6] and cases.weights.tolist() == [2.0, 0.5, 1.0]
    assert cases.labels.tolist() == [1, 1, 0] and cases.amounts is None and cases.ends.tolist() == [0, 1, 2]
