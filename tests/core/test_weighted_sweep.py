"""Weighted sweeps against scikit-learn, with weights that are not exact in binary.

Weights of 0.1 and 1/3 make every sum round; 1e-9 beside 1e9 makes a sum lose the small
term entirely unless each count is accumulated on its own (scikit-learn keeps false positives
as their own cumulative sum for this reason). Counts must equal scikit-learn's
``confusion_matrix_at_thresholds`` to a relative 1e-12 *element by element*, so a count
derived as "total minus true positives" shows. Bad weights raise ``DataError``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from core.costs import CostMatrix
from core.errors import DataError
from core.thresholds import average_precision, recommend_threshold, roc_auc, threshold_sweep

AWKWARD = np.array([0.1, 1 / 3, 1e-9, 1e9, 1.0, 2 / 3, 0.0])


def _awkward_rows(seed: int, n: int, decimals: int):
    rng = np.random.default_rng(seed)
    s = np.round(rng.random(n), decimals)
    y = (rng.random(n) < s).astype(int)
    w = rng.choice(AWKWARD, size=n)
    y[:2], w[:2] = [0, 1], [1 / 3, 0.1]
    return y, s, w


def _assert_counts_match_sklearn(y, s, w):
    sweep = threshold_sweep(y, s, sample_weight=w)
    tns, fps, fns, tps, thresholds = skm.confusion_matrix_at_thresholds(y, s, sample_weight=w)
    m = len(thresholds)
    assert len(sweep) == m + 1 and sweep.weighted
    np.testing.assert_array_equal(sweep.thresholds[:m], thresholds)
    # Element-wise relative: every count is a sum of non-negative weights, so only the order of
    # terms inside a run of tied scores may differ (a few ulps), never a lost term.
    np.testing.assert_allclose(sweep.tp[:m], tps, rtol=1e-12, atol=0)
    np.testing.assert_allclose(sweep.fp[:m], fps, rtol=1e-12, atol=0)
    scale = 1e-12 * w.sum()
    np.testing.assert_allclose(sweep.tn[:m], tns, rtol=1e-12, atol=scale)
    np.testing.assert_allclose(sweep.fn[:m], fns, rtol=1e-12, atol=scale)
    assert sweep.tp[m] == 0 and sweep.fp[m] == 0  # the flag-nobody end
    assert np.all(np.diff(sweep.fp[:m]) >= 0) and np.all(np.diff(sweep.tp[:m]) >= 0)
    assert sweep.n_pos == pytest.approx(w[y == 1].sum(), rel=1e-12)
    assert sweep.n_neg == pytest.approx(w[y == 0].sum(), rel=1e-12)
    return sweep


def test_a_tiny_weight_beside_a_huge_one_is_not_lost():
    # The top case weighs 1e9; the next two (negatives) 1e-9 each. 1e9 + 1e-9 == 1e9 in floats,
    # so "false positives = flagged weight - true positives" would read 0 here instead of 1e-9.
    s = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    y = np.array([1, 0, 0, 1, 0, 1])
    w = np.array([1e9, 1e-9, 1e-9, 1 / 3, 0.1, 1.0])
    sweep = _assert_counts_match_sklearn(y, s, w)
    assert sweep.fp[1] == 1e-9 and sweep.fp[2] == 2e-9
    assert sweep.at(0.65).fp == 2e-9 and sweep.at(0.65).precision == pytest.approx(1e9 / (1e9 + 2e-9), rel=1e-15)
    assert sweep.at(0.65).fpr == pytest.approx(2e-9 / (2e-9 + 0.1), rel=1e-12)


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**31), n=st.integers(2, 80), decimals=st.sampled_from([1, 2, 4]))
def test_counts_equal_sklearn_element_by_element(seed, n, decimals):
    _assert_counts_match_sklearn(*_awkward_rows(seed, n, decimals))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31), n=st.integers(2, 80), decimals=st.sampled_from([1, 2, 4]))
def test_curves_and_areas_equal_sklearn(seed, n, decimals):
    y, s, w = _awkward_rows(seed, n, decimals)
    sweep = threshold_sweep(y, s, sample_weight=w)
    m = len(sweep) - 1
    fpr, tpr, roc_t = skm.roc_curve(y, s, sample_weight=w, drop_intermediate=False)
    np.testing.assert_array_equal(sweep.thresholds[:m], roc_t[1:])
    np.testing.assert_allclose(sweep.fpr[:m], fpr[1:], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(sweep.recall[:m], tpr[1:], rtol=1e-12, atol=1e-15)
    precision, recall, pr_t = skm.precision_recall_curve(y, s, sample_weight=w)
    np.testing.assert_array_equal(sweep.thresholds[:m][::-1], pr_t)
    np.testing.assert_allclose(sweep.precision[:m][::-1], precision[:-1], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(sweep.recall[:m][::-1], recall[:-1], rtol=1e-12, atol=1e-15)
    assert roc_auc(sweep) == pytest.approx(skm.roc_auc_score(y, s, sample_weight=w), rel=1e-9, abs=1e-12)
    assert average_precision(sweep) == pytest.approx(
        skm.average_precision_score(y, s, sample_weight=w), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("weight", [0.1, 1 / 3, 1e-9, 1e9])
def test_a_constant_weight_scales_counts_and_keeps_every_ratio(weight):
    rng = np.random.default_rng(3)
    s = np.round(rng.random(300), 2)
    y = (rng.random(300) < s).astype(int)
    plain = threshold_sweep(y, s)
    weighted = _assert_counts_match_sklearn(y, s, np.full(300, weight))
    np.testing.assert_allclose(weighted.tp, plain.tp * weight, rtol=1e-12)
    np.testing.assert_allclose(weighted.fp, plain.fp * weight, rtol=1e-12)
    for name in ("precision", "recall", "fpr", "f1", "accuracy", "positive_rate", "mcc", "balanced_accuracy"):
        np.testing.assert_allclose(getattr(weighted, name), getattr(plain, name), rtol=1e-9, atol=1e-12)
    # Every objective reaches the same optimum. Compared by value: an exact tie between two cuts
    # (common with integer costs) may be broken either way once weights round.
    costs = CostMatrix(fp_cost=1, fn_cost=4, tp_value=0.5)
    value = {"max_f1": lambda p: p.f1, "youden": lambda p: p.recall - p.fpr,
             "recall_at_precision": lambda p: p.recall, "precision_at_recall": lambda p: p.precision,
             "capacity": lambda p: p.positive_rate, "min_cost": lambda p: p.cost}
    plain_costed = threshold_sweep(y, s, costs=costs)
    weighted_costed = threshold_sweep(y, s, costs=costs, sample_weight=np.full(300, weight))
    for objective, kwargs in [("max_f1", {}), ("youden", {}), ("recall_at_precision", {"min_precision": 0.8}),
                              ("precision_at_recall", {"min_recall": 0.6}), ("capacity", {"capacity": 0.25}),
                              ("min_cost", {})]:
        a = recommend_threshold(plain_costed, objective, **kwargs)
        b = recommend_threshold(weighted_costed, objective, **kwargs)
        best, reached = value[objective](a.point), value[objective](plain_costed.at(b.threshold))
        assert reached == pytest.approx(best, rel=1e-9, abs=1e-12), objective
    assert recommend_threshold(weighted_costed, "min_cost").point.cost == pytest.approx(
        recommend_threshold(plain_costed, "min_cost").point.cost * weight, rel=1e-9)


def test_lookups_on_a_weighted_sweep_equal_direct_sums():
    y, s, w = _awkward_rows(11, 200, 2)
    sweep = threshold_sweep(y, s, sample_weight=w)
    for t in [-1.0, 0.0, 0.005, 0.25, 0.5, 0.505, 0.99, 1.0, 1.5, np.inf]:
        flagged = s >= t
        point = sweep.at(t)
        assert point.threshold == t
        assert point.tp == pytest.approx(w[flagged & (y == 1)].sum(), rel=1e-12, abs=1e-300)
        assert point.fp == pytest.approx(w[flagged & (y == 0)].sum(), rel=1e-12, abs=1e-300)
        assert point.tn == pytest.approx(w[~flagged & (y == 0)].sum(), rel=1e-9, abs=1e-12 * w.sum())
        assert point.fn == pytest.approx(w[~flagged & (y == 1)].sum(), rel=1e-9, abs=1e-12 * w.sum())
        i = sweep.index(t)
        assert sweep.point(i).tp == point.tp and sweep.point(i).fp == point.fp


def test_integer_weights_equal_repeated_rows_for_every_recommendation():
    rng = np.random.default_rng(5)
    s = np.round(rng.random(120), 2)
    y = (rng.random(120) < s).astype(int)
    counts = rng.integers(1, 6, size=120)
    costs = CostMatrix(fp_cost=2, fn_cost=9, tp_value=1, tn_value=0.5)
    weighted = threshold_sweep(y, s, costs=costs, sample_weight=counts)
    repeated = threshold_sweep(np.repeat(y, counts), np.repeat(s, counts), costs=costs)
    np.testing.assert_array_equal(weighted.thresholds, repeated.thresholds)
    np.testing.assert_array_equal(weighted.tp, repeated.tp)
    np.testing.assert_array_equal(weighted.fp, repeated.fp)
    np.testing.assert_allclose(weighted.cost, repeated.cost, rtol=1e-12)
    for objective, kwargs in [("min_cost", {}), ("max_f1", {}), ("youden", {}),
                              ("recall_at_precision", {"min_precision": 0.7}),
                              ("precision_at_recall", {"min_recall": 0.5}), ("capacity", {"capacity": 0.3})]:
        a = recommend_threshold(weighted, objective, **kwargs)
        b = recommend_threshold(repeated, objective, **kwargs)
        assert a.threshold == b.threshold and a.point.tp == b.point.tp and a.point.fp == b.point.fp, objective


def test_zero_weight_rows_are_dropped_as_sklearn_does():
    y = np.array([1, 0, 1, 0, 1])
    s = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    w = np.array([1.0, 0.0, 0.1, 1 / 3, 0.0])
    sweep = _assert_counts_match_sklearn(y, s, w)
    assert list(sweep.thresholds[:-1]) == [0.9, 0.7, 0.6]


@pytest.mark.parametrize("weights, words", [
    (lambda n: np.r_[np.full(n - 1, 1.0), np.nan], "finite"),
    (lambda n: np.r_[np.full(n - 1, 1.0), np.inf], "finite"),
    (lambda n: np.r_[np.full(n - 1, 1.0), -np.inf], "finite"),
    (lambda n: np.r_[np.full(n - 1, 1.0), -0.5], "negative"),
    (lambda n: np.full(n - 1, 1.0), "one sample weight per row"),
    (lambda n: np.full(n + 1, 1.0), "one sample weight per row"),
    (lambda n: np.ones((n, 1)), "one sample weight per row"),
    (lambda n: np.ones((n, 2)), "one sample weight per row"),
    (lambda n: np.array(["1"] * (n - 1) + ["heavy"], dtype=object), "numbers"),
    (lambda n: np.array(["a"] * n), "numbers"),
    (lambda n: np.zeros(n), "zero"),
])
def test_bad_weights_raise_data_error(weights, words):
    y = np.array([0, 1, 0, 1, 1, 0])
    s = np.array([0.1, 0.9, 0.3, 0.7, 0.5, 0.5])
    with pytest.raises(DataError, match=words):
        threshold_sweep(y, s, sample_weight=weights(len(y)))


def test_a_nan_weight_is_refused_even_among_zero_weights():
    # Dropping zero-weight rows first must not let a NaN elsewhere slip through.
    y = np.array([0, 1, 0, 1])
    s = np.array([0.1, 0.9, 0.3, 0.7])
    with pytest.raises(DataError):
        threshold_sweep(y, s, sample_weight=np.array([0.0, 1.0, np.nan, 0.0]))
