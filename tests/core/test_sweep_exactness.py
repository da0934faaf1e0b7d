"""The fast sweep is exact: its sort, its counts and its ratios against plain references.

``threshold_sweep`` packs each label into its score's sort key and computes the unweighted
ratios with fewer array passes than ``confusion_metrics``; these tests pin that every bit
stays the same as the general formulas, as a stable argsort, and as scikit-learn's curves,
ties, signed zeros, negative scores and single-class data included.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

import core.thresholds as thresholds_module
from core.costs import CostMatrix
from core.thresholds import METRICS, confusion_metrics, sort_cases, sweep_sorted, threshold_sweep

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RATIOS = [name for name in METRICS if name != "cost"]


def _bits(values) -> np.ndarray:
    """Bit patterns, so that -0.0 vs 0.0 or a last-digit difference fails the comparison."""
    return np.asarray(values, dtype=np.float64).view(np.uint64)


@st.composite
def tied_scores(draw):
    """Labels and scores with many ties, signed zeros, negatives, sometimes one class, n >= 1."""
    n = draw(st.integers(1, 120))
    pool = draw(st.lists(st.sampled_from([-0.0, 0.0, 1e-300, -1e-300, 0.5, -2.5, 3.0, 1.0, 0.25]) | st.floats(-5, 5),
                         min_size=1, max_size=8))
    picks = draw(st.lists(st.integers(0, len(pool) - 1), min_size=n, max_size=n))
    kind = draw(st.sampled_from(["mixed", "mixed", "all_pos", "all_neg"]))
    if kind == "mixed":
        y = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    else:
        y = np.full(n, int(kind == "all_pos"))
    return y, np.array(pool, dtype=np.float64)[picks]


def _reference_order(y, s):
    """Decreasing scores (stable on the negated scores) and their labels, the plain way."""
    s = s + 0.0
    order = np.argsort(-s, kind="stable")
    return s[order], y[order]


@SETTINGS
@given(tied_scores())
def test_sorted_cases_equal_a_stable_argsort_and_ends_mark_each_distinct_score(data):
    y, s = data
    cases = sort_cases(y, s)
    scores, labels = _reference_order(y, s)
    np.testing.assert_array_equal(_bits(cases.scores), _bits(scores))  # +0.0 only, no -0.0
    expected_ends = np.append(np.flatnonzero(scores[1:] != scores[:-1]), len(s) - 1)
    np.testing.assert_array_equal(cases.ends, expected_ends)
    # Within a run of equal scores the label order may differ; each run's labels may not.
    starts = np.concatenate([[0], expected_ends[:-1] + 1])
    np.testing.assert_array_equal(np.add.reduceat(cases.labels.astype(int), starts),
                                  np.add.reduceat(labels.astype(int), starts))
    assert set(np.unique(cases.labels)) <= {0, 1} and cases.weights is None and cases.amounts is None


@SETTINGS
@given(tied_scores())
def test_every_ratio_equals_the_general_formulas_bit_for_bit(data):
    y, s = data
    sweep = threshold_sweep(y, s, costs=CostMatrix(1, 5, 0.5, 0.25))
    general = confusion_metrics(sweep.tp, sweep.fp, sweep.n_pos, sweep.n_neg, CostMatrix(1, 5, 0.5, 0.25))
    for name in RATIOS:
        ours, theirs = getattr(sweep, name), general[name]
        assert ours.dtype == theirs.dtype, name
        if ours.dtype.kind == "f":
            np.testing.assert_array_equal(_bits(ours), _bits(theirs), err_msg=name)
        else:
            np.testing.assert_array_equal(ours, theirs, err_msg=name)
    np.testing.assert_array_equal(_bits(sweep.cost), _bits(general["cost"]))


@SETTINGS
@given(tied_scores())
def test_the_fast_path_and_the_general_path_give_the_same_sweep(data):
    y, s = data
    fast = threshold_sweep(y, s)
    original = thresholds_module._EXACT_COUNTS
    thresholds_module._EXACT_COUNTS = 0  # every sweep takes the general formulas
    try:
        general = threshold_sweep(y, s)
    finally:
        thresholds_module._EXACT_COUNTS = original
    for name in ("thresholds", *RATIOS, "_float_tp", "_float_fp", "_ascending"):
        ours, theirs = getattr(fast, name), getattr(general, name)
        np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs), err_msg=name)
        if np.asarray(ours).dtype.kind == "f":
            np.testing.assert_array_equal(_bits(ours), _bits(theirs), err_msg=name)


@pytest.mark.parametrize("signs", ["probabilities", "fine probabilities", "logits"])
def test_a_large_tied_sample_equals_scikit_learn_curves_exactly(signs):
    rng = np.random.default_rng(11)
    n = 300_000
    # 4 decimals: about 10,000 distinct scores, heavy ties; 6 decimals: most scores distinct.
    p = np.round(rng.beta(1.2, 2.8, size=n), 6 if signs == "fine probabilities" else 4)
    y = (rng.random(n) < p).astype(np.int8)
    scores = p if "probabilities" in signs else np.round(np.log(p + 1e-4) - np.log1p(-p + 1e-4), 3)
    sweep = threshold_sweep(y, scores)
    m = len(sweep) - 1
    tn, fp, fn, tp, t = skm.confusion_matrix_at_thresholds(y, scores)
    np.testing.assert_array_equal(sweep.thresholds[:m], t)
    for ours, theirs in ((sweep.tp, tp), (sweep.fp, fp), (sweep.tn, tn), (sweep.fn, fn)):
        np.testing.assert_array_equal(ours[:m], theirs)
    fpr, tpr, roc_t = skm.roc_curve(y, scores, drop_intermediate=False)
    np.testing.assert_array_equal(_bits(sweep.fpr[:m]), _bits(fpr[1:]))
    np.testing.assert_array_equal(_bits(sweep.recall[:m]), _bits(tpr[1:]))
    precision, recall, pr_t = skm.precision_recall_curve(y, scores)
    # scikit-learn: increasing thresholds, and it stops once recall reaches 1.
    k = len(pr_t)
    np.testing.assert_array_equal(_bits(sweep.precision[:m][::-1][:k]), _bits(precision[:-1]))
    np.testing.assert_array_equal(_bits(sweep.recall[:m][::-1][:k]), _bits(recall[:-1]))


def test_the_sweep_of_sorted_cases_is_the_sweep_of_the_data():
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 5_000)
    s = np.round(rng.normal(size=5_000), 2)
    direct = threshold_sweep(y, s)
    via_cases = sweep_sorted(sort_cases(y, s))
    for name in ("thresholds", "tp", "fp", *RATIOS):
        np.testing.assert_array_equal(getattr(direct, name), getattr(via_cases, name), err_msg=name)


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int64, np.bool_, np.float64])
def test_label_dtypes_give_the_same_sweep_and_leave_the_input_alone(dtype):
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 1_000)
    s = rng.random(1_000)
    labels = y.astype(dtype)
    before = labels.copy()
    sweep = threshold_sweep(labels, s)
    np.testing.assert_array_equal(sweep.tp, threshold_sweep(y, s).tp)
    np.testing.assert_array_equal(labels, before)


@SETTINGS
@given(tied_scores(), st.integers(0, 2**32 - 1))
def test_amounts_and_per_case_costs_take_the_same_path_bit_for_bit(data, seed):
    y, s = data
    amounts = np.round(np.random.default_rng(seed).gamma(2.0, 50.0, size=len(s)), 2)
    costs = CostMatrix(1, 5, 0.5, 0.25, fp_pct=2.0, fn_pct=10.0, tp_pct=1.0, tn_pct=0.5)
    sweep = threshold_sweep(y, s, costs=costs, amounts=amounts)
    order = np.argsort(-(s + 0.0), kind="stable")
    cum_pos = np.cumsum(np.where(y[order] == 1, amounts[order], 0.0))
    ends = sort_cases(y, s).ends
    np.testing.assert_allclose(sweep.tp_amount[:-1], cum_pos[ends], rtol=1e-12, atol=1e-9)
    cum_neg = np.cumsum(np.where(y[order] == 0, amounts[order], 0.0))
    np.testing.assert_allclose(sweep.fp_amount[:-1], cum_neg[ends], rtol=1e-12, atol=1e-9)
    # The complements, read after every other array was written (they share one block).
    np.testing.assert_allclose(sweep.fn_amount, amounts[y == 1].sum() - sweep.tp_amount, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(sweep.tn_amount, amounts[y == 0].sum() - sweep.fp_amount, rtol=1e-12, atol=1e-9)
    sums = (sweep.tp_amount, sweep.fp_amount, sweep.amount_pos, sweep.amount_neg)
    general = confusion_metrics(sweep.tp, sweep.fp, sweep.n_pos, sweep.n_neg, costs, sums)
    for name in (*RATIOS, "cost"):
        np.testing.assert_array_equal(_bits(getattr(sweep, name)), _bits(general[name]), err_msg=name)
    recosted = sweep.with_costs(CostMatrix(2, 3, 0, 0, fn_pct=5.0))
    fresh = threshold_sweep(y, s, costs=CostMatrix(2, 3, 0, 0, fn_pct=5.0), amounts=amounts)
    np.testing.assert_array_equal(_bits(recosted.cost), _bits(fresh.cost))
