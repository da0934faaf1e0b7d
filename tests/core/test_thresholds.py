"""threshold_sweep, Sweep.at, curves and recommendations against scikit-learn and by hand."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from core.costs import CostMatrix
from core.errors import DataError
from core.thresholds import (
    METRICS,
    OBJECTIVES,
    average_precision,
    pr_points,
    recommend_threshold,
    roc_auc,
    roc_points,
    threshold_sweep,
)

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def labelled_scores(draw, weighted: bool = False):
    """Labels and scores with heavy ties (few distinct values), sometimes constant, sometimes
    one class only, sometimes negative scores; optional weights with zeros."""
    n = draw(st.integers(1, 60))
    kind = draw(st.sampled_from(["mixed", "all_pos", "all_neg"]))
    if kind == "mixed":
        y = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    else:
        y = np.full(n, 1 if kind == "all_pos" else 0)
    values = draw(st.lists(st.floats(-3, 3, allow_nan=False, width=32), min_size=1, max_size=6))
    picks = draw(st.lists(st.integers(0, len(values) - 1), min_size=n, max_size=n))
    scores = np.array(values, dtype=np.float64)[picks]
    weights = None
    if weighted:
        weights = np.array(draw(st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.25, 3.0]), min_size=n, max_size=n)))
        if weights.sum() == 0:
            weights[0] = 1.0
    return y, scores, weights


def _sk_metrics(y, pred, w):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            "precision": skm.precision_score(y, pred, zero_division=0, sample_weight=w),
            "recall": skm.recall_score(y, pred, zero_division=0, sample_weight=w),
            "f1": skm.f1_score(y, pred, zero_division=0, sample_weight=w),
            "accuracy": skm.accuracy_score(y, pred, sample_weight=w),
            "mcc": skm.matthews_corrcoef(y, pred, sample_weight=w),
            "balanced_accuracy": skm.balanced_accuracy_score(y, pred, sample_weight=w),
        }


def _check_against_sklearn(y, scores, w, thresholds):
    sweep = threshold_sweep(y, scores, sample_weight=w, costs=CostMatrix(1, 5, 0.5, 0.25))
    tol = dict(rtol=1e-12, atol=1e-12)
    for t in thresholds:
        point = sweep.at(t)
        pred = (scores >= t).astype(int)
        weight = np.ones(len(y)) if w is None else w
        tp = np.sum(weight * (pred == 1) * (y == 1))
        fp = np.sum(weight * (pred == 1) * (y == 0))
        tn = np.sum(weight * (pred == 0) * (y == 0))
        fn = np.sum(weight * (pred == 0) * (y == 1))
        np.testing.assert_allclose([point.tp, point.fp, point.tn, point.fn], [tp, fp, tn, fn], **tol)
        for name, expected in _sk_metrics(y, pred, w).items():
            assert getattr(point, name) == pytest.approx(expected, rel=1e-12, abs=1e-12), (name, t)
        n = weight.sum()
        assert point.positive_rate == pytest.approx((tp + fp) / n, abs=1e-12)
        assert point.cost == pytest.approx(fp * 1 + fn * 5 - tp * 0.5 - tn * 0.25, abs=1e-9)
        if tn + fp > 0:
            assert point.fpr == pytest.approx(fp / (fp + tn), abs=1e-12)
            assert point.specificity == pytest.approx(tn / (fp + tn), abs=1e-12)
    return sweep


def _thresholds_to_try(scores, extra):
    values = np.unique(scores)
    between = (values[1:] + values[:-1]) / 2
    return [*values, *between, values[0] - 1, values[-1] + 1, -np.inf, np.inf, *extra]


@SETTINGS
@given(labelled_scores(), st.lists(st.floats(-4, 4), max_size=3))
def test_every_count_and_metric_matches_sklearn_at_any_threshold(data, extra):
    y, scores, _ = data
    _check_against_sklearn(y, scores, None, _thresholds_to_try(scores, extra))


@SETTINGS
@given(labelled_scores(weighted=True), st.lists(st.floats(-4, 4), max_size=3))
def test_weighted_counts_and_metrics_match_sklearn(data, extra):
    y, scores, w = data
    _check_against_sklearn(y, scores, w, _thresholds_to_try(scores, extra))


@SETTINGS
@given(st.one_of(labelled_scores(), labelled_scores(weighted=True)))
def test_sweep_arrays_equal_confusion_matrix_at_thresholds_and_areas_match(data):
    y, scores, w = data
    sweep = threshold_sweep(y, scores, sample_weight=w)
    kept = np.ones(len(y), bool) if w is None else w > 0
    assert np.isinf(sweep.thresholds[-1]) and sweep.tp[-1] == 0 and sweep.fp[-1] == 0
    assert np.all(np.diff(sweep.thresholds[:-1]) < 0)
    if len(np.unique(y[kept])) < 2:
        assert math.isnan(roc_auc(sweep))
        return
    tn, fp, fn, tp, thresholds = skm.confusion_matrix_at_thresholds(y, scores, sample_weight=w)
    np.testing.assert_array_equal(sweep.thresholds[:-1], thresholds)
    for ours, theirs in ((sweep.tp, tp), (sweep.fp, fp), (sweep.tn, tn), (sweep.fn, fn)):
        np.testing.assert_allclose(ours[:-1], theirs, rtol=1e-12, atol=1e-12)
    assert roc_auc(sweep) == pytest.approx(skm.roc_auc_score(y, scores, sample_weight=w), abs=1e-12)
    assert average_precision(sweep) == pytest.approx(
        skm.average_precision_score(y, scores, sample_weight=w), abs=1e-12
    )


def test_areas_match_sklearn_on_a_large_continuous_sample():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 200_000)
    scores = np.round(rng.normal(y * 0.8, 1.0), 3)  # ties as well
    sweep = threshold_sweep(y, scores)
    assert roc_auc(sweep) == pytest.approx(skm.roc_auc_score(y, scores), abs=1e-12)
    assert average_precision(sweep) == pytest.approx(skm.average_precision_score(y, scores), abs=1e-12)


def test_zero_division_convention_by_hand():
    # One positive and one negative, both scored 0.5.
    sweep = threshold_sweep([1, 0], [0.5, 0.5])
    nobody = sweep.at(0.9)  # nothing flagged
    assert (nobody.tp, nobody.fp, nobody.tn, nobody.fn) == (0, 0, 1, 1)
    assert nobody.precision == 0 and nobody.recall == 0 and nobody.f1 == 0 and nobody.mcc == 0
    assert nobody.balanced_accuracy == 0.5 and nobody.accuracy == 0.5 and nobody.positive_rate == 0
    everybody = sweep.at(0.5)
    assert everybody.precision == 0.5 and everybody.recall == 1 and everybody.mcc == 0
    assert everybody.f1 == pytest.approx(2 / 3)
    # Positives only: fpr/specificity are 0 (no negatives), balanced accuracy = recall.
    only_pos = threshold_sweep([1, 1, 1, 1], [0.1, 0.2, 0.3, 0.4])
    point = only_pos.at(0.25)
    assert point.fpr == 0 and point.specificity == 0 and point.recall == 0.5
    assert point.balanced_accuracy == 0.5 and point.mcc == 0


def test_at_is_exact_between_on_above_and_below_scores():
    scores = np.array([0.1, 0.4, 0.4, 0.35, 0.8])
    y = np.array([0, 0, 1, 1, 1])
    sweep = threshold_sweep(y, scores)
    assert sweep.at(0.4).tp == 2 and sweep.at(0.4).fp == 1  # on a tied score: >= includes it
    assert sweep.at(np.nextafter(0.4, 1)).tp == 1 and sweep.at(np.nextafter(0.4, 1)).fp == 0
    assert sweep.at(0.37).tp == 2  # between 0.35 and 0.4
    assert sweep.at(0.81).positive_rate == 0 and sweep.at(2.0).tp == 0
    assert sweep.at(0.1).positive_rate == 1 and sweep.at(-5).positive_rate == 1
    assert sweep.at(0.37).threshold == 0.37
    with pytest.raises(DataError):
        sweep.at(float("nan"))


def test_negative_and_signed_zero_scores_sort_exactly():
    scores = np.array([-0.0, 0.0, -1e-300, 1e-300, -2.5, 3.0, -2.5])
    y = np.array([1, 0, 1, 0, 1, 0, 0])
    sweep = threshold_sweep(y, scores)
    np.testing.assert_array_equal(sweep.thresholds, [3.0, 1e-300, 0.0, -1e-300, -2.5, np.inf])
    # >= 0 flags -0.0 (positive), 0.0, 1e-300 and 3.0 (negatives).
    assert (sweep.at(0.0).tp, sweep.at(0.0).fp) == (1, 3)
    assert (sweep.at(-0.0).tp, sweep.at(-0.0).fp) == (1, 3)
    assert (sweep.at(-1e-300).tp, sweep.at(-1e-300).fp) == (2, 3)


def test_frame_downsamples_but_keeps_ends_and_requested_thresholds():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 50_000)
    scores = rng.random(50_000)
    sweep = threshold_sweep(y, scores, costs=CostMatrix(1, 5))
    keep = [0.123456, 0.777]
    df = sweep.frame(max_points=1000, keep=keep)
    assert len(df) <= 1000 + len(keep)
    assert list(df.columns) == ["threshold", *METRICS]
    assert df["threshold"].iloc[0] == sweep.thresholds[0] and np.isinf(df["threshold"].iloc[-1])
    assert sweep.thresholds[-2] in df["threshold"].to_numpy()
    for t in keep:
        assert sweep.at(t).threshold == t
        assert sweep.thresholds[sweep.index(t)] in df["threshold"].to_numpy()
    # The downsampled cost curve still contains the true minimum.
    assert df["cost"].min() == sweep.cost.min()
    # Shape preserved: the ROC area of the kept points is within 1e-3 of the exact area.
    roc = roc_points(sweep, max_points=1000)
    assert len(roc) <= 1000
    assert np.trapezoid(roc["tpr"], roc["fpr"]) == pytest.approx(roc_auc(sweep), abs=1e-3)
    assert roc.iloc[0][["fpr", "tpr"]].tolist() == [0, 0] and roc.iloc[-1][["fpr", "tpr"]].tolist() == [1, 1]
    pr = pr_points(sweep, max_points=1000)
    assert pr.iloc[0][["recall", "precision"]].tolist() == [0, 1] and pr["recall"].iloc[-1] == 1
    # Small sweeps are returned whole.
    small = threshold_sweep([0, 1, 1], [0.2, 0.5, 0.9])
    assert len(small.frame()) == 4


def test_roc_and_pr_points_match_sklearn_curves_when_not_downsampled():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 300)
    scores = np.round(rng.random(300), 2)
    sweep = threshold_sweep(y, scores)
    roc = roc_points(sweep)
    fpr, tpr, _ = skm.roc_curve(y, scores, drop_intermediate=False)
    np.testing.assert_allclose(roc["fpr"], fpr, atol=1e-12)
    np.testing.assert_allclose(roc["tpr"], tpr, atol=1e-12)
    pr = pr_points(sweep)
    precision, recall, _ = skm.precision_recall_curve(y, scores)
    np.testing.assert_allclose(pr["precision"], precision[::-1], atol=1e-12)
    np.testing.assert_allclose(pr["recall"], recall[::-1], atol=1e-12)


HAND = dict(
    # score, label: flagged top-down. Distinct thresholds 0.9 .. 0.1.
    y=np.array([1, 1, 0, 1, 0, 0, 1, 0, 0, 0]),
    scores=np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.15, 0.1]),
)


def test_min_cost_recommendation_by_hand():
    # fp costs 1, fn costs 5. Cost at ">= s_k": fp*1 + fn*5. By hand:
    # >=0.9: fp0 fn3 -> 15; >=0.8: 0,2 -> 10; >=0.7: 1,2 -> 11; >=0.6: 1,1 -> 6;
    # >=0.5: 2,1 -> 7; >=0.4: 3,1 -> 8; >=0.3: 3,0 -> 3; >=0.2: 4 -> 4; ... nobody: 20.
    sweep = threshold_sweep(HAND["y"], HAND["scores"], costs=CostMatrix(1, 5))
    rec = recommend_threshold(sweep, "min_cost", positive_label="defaulters", case_noun="customers")
    assert rec.point.cost == 3 and (rec.point.tp, rec.point.fp) == (4, 3)
    assert 0.2 < rec.threshold <= 0.3 and rec.threshold == 0.3
    assert sweep.at(rec.threshold) == rec.point
    # 100% caught; 3 of 7 flagged are false alarms; 300 per 1,000 vs 2,000 flagging nobody.
    assert rec.explanation == (
        "At 0.3 you catch 100% of defaulters; 43% of flagged customers are false alarms; "
        "expected cost per 1,000 customers $300 — $1,700 less than flagging nobody."
    )


def test_other_objectives_by_hand():
    sweep = threshold_sweep(HAND["y"], HAND["scores"])
    # F1 at >=0.8: 2/(2+0+2)=0.667; >=0.6: 6/(6+1+1)=0.75; >=0.3: 8/(8+3)=0.727 -> 0.6.
    f1 = recommend_threshold(sweep, "max_f1")
    assert f1.point.f1 == pytest.approx(0.75) and sweep.at(f1.threshold).tp == 3
    # Youden J = recall - fpr: >=0.6: 0.75-1/6=0.583; >=0.3: 1-0.5=0.5; >=0.8: 0.5 -> 0.6.
    assert recommend_threshold(sweep, "youden").point.tp == 3
    # Highest recall with precision >= 0.7: >=0.6 (3/4); >=0.3 has 4/7 -> 0.6.
    rap = recommend_threshold(sweep, "recall_at_precision", min_precision=0.7)
    assert (rap.point.tp, rap.point.fp) == (3, 1)
    # Highest precision with recall >= 0.75: >=0.6 gives 0.75 precision (0.8: recall 0.5).
    par = recommend_threshold(sweep, "precision_at_recall", min_recall=0.75)
    assert par.point.precision == 0.75 and par.point.recall == 0.75
    # At most 35% flagged: 3 cases (>=0.7).
    cap = recommend_threshold(sweep, "capacity", capacity=0.35)
    assert cap.point.positive_rate == pytest.approx(0.3) and 0.6 < cap.threshold <= 0.7
    assert recommend_threshold(sweep, "capacity", capacity=0).point.positive_rate == 0
    for rec in (f1, rap, par, cap):
        assert sweep.at(rec.threshold) == rec.point
        assert rec.explanation.startswith(f"At {rec.threshold:g} you catch") and rec.explanation.endswith(".")
        assert rec.label == OBJECTIVES[rec.objective]


def test_explanation_counts_false_alarms_as_one_in_n():
    y = np.array([1, 1, 1, 0] + [0] * 6)
    scores = np.array([0.9, 0.9, 0.9, 0.9] + [0.1] * 6)
    sweep = threshold_sweep(y, scores, costs=CostMatrix(10, 100))
    rec = recommend_threshold(sweep, "max_f1")
    # 3 of 3 positives caught, 1 of 4 flagged false; cost 10 vs 300 flagging nobody -> per 1,000.
    assert rec.explanation == (
        "At 0.9 you catch 100% of positives; 1 in 4 flagged cases is a false alarm; "
        "expected cost per 1,000 cases $1,000 — $29,000 less than flagging nobody."
    )


def test_impossible_objectives_raise_plain_words():
    sweep = threshold_sweep(HAND["y"], HAND["scores"])
    with pytest.raises(DataError, match="costs"):
        recommend_threshold(sweep, "min_cost")
    with pytest.raises(DataError, match=r"No threshold reaches precision 0.99; the best this model reaches is 0.500 \(at 0.5\)"):
        recommend_threshold(threshold_sweep([0, 1, 0], [0.9, 0.5, 0.1]), "recall_at_precision", min_precision=0.99)
    with pytest.raises(DataError, match="between 0 and 1"):
        recommend_threshold(sweep, "capacity", capacity=10)
    with pytest.raises(DataError, match="minimum recall"):
        recommend_threshold(sweep, "precision_at_recall")
    with pytest.raises(DataError, match="Unknown objective"):
        recommend_threshold(sweep, "best")
    with pytest.raises(DataError, match="recall 0.5"):
        recommend_threshold(threshold_sweep([0, 0], [0.1, 0.2]), "precision_at_recall", min_recall=0.5)
    free = threshold_sweep(HAND["y"], HAND["scores"], costs=CostMatrix(0, 0, 0, 0))
    with pytest.raises(DataError, match="every threshold gives the same business cost"):
        recommend_threshold(free, "min_cost")
    assert recommend_threshold(free, "max_f1").threshold == recommend_threshold(sweep, "max_f1").threshold


@pytest.mark.parametrize(
    "y, scores, match",
    [
        ([0, 1], [0.1], "2 labels but 1 scores"),
        ([], [], "no rows"),
        ([0, 2], [0.1, 0.2], "0/1"),
        (["a", "b"], [0.1, 0.2], "0/1"),
        ([0, 1], [0.1, np.nan], "1 scores are missing"),
        (pd.Series([0, None], dtype="Int64"), [0.1, 0.2], "1 labels are missing"),
        ([0, 1], [0.1, np.inf], "infinite"),
        ([0, 1], ["x", "y"], "numbers"),
        ([0, 1], [[0.9, 0.1], [0.2, 0.8]], "positive-class column"),
    ],
)
def test_bad_input_raises_data_error(y, scores, match):
    with pytest.raises(DataError, match=match):
        threshold_sweep(y, scores)


def test_bad_weights_raise_data_error():
    with pytest.raises(DataError, match="not negative"):
        threshold_sweep([0, 1], [0.1, 0.2], sample_weight=[1, -1])
    with pytest.raises(DataError, match="All sample weights are zero"):
        threshold_sweep([0, 1], [0.1, 0.2], sample_weight=[0, 0])


def test_bool_labels_pandas_input_and_cost_array():
    y = pd.Series([True, False, True, False])
    scores = pd.Series([0.8, 0.6, 0.4, 0.2])
    sweep = threshold_sweep(y, scores, costs=CostMatrix(2, 3, 1, 0.5))
    assert sweep.n == 4 and sweep.n_pos == 2 and isinstance(sweep.n_pos, int)
    expected = 2 * sweep.fp + 3 * sweep.fn - sweep.tp - 0.5 * sweep.tn
    np.testing.assert_allclose(sweep.cost, expected)
    assert sweep.score_min == 0.2 and sweep.score_max == 0.8
    assert set(sweep.at(0.5).as_dict()) == {"threshold", *METRICS}
    assert threshold_sweep(y, scores).cost is None and "cost" not in threshold_sweep(y, scores).frame()


def test_precision_at_recall_breaks_precision_ties_by_recall():
    # Precision 2/3 both at >= 0.7 (recall 0.5) and >= 0.2 (recall 1): take the higher recall.
    sweep = threshold_sweep([1, 0, 1, 0, 1, 1], [0.9, 0.8, 0.7, 0.6, 0.4, 0.2])
    rec = recommend_threshold(sweep, "precision_at_recall", min_recall=0.5)
    assert rec.point.precision == pytest.approx(2 / 3) and rec.point.recall == 1.0


def test_explanation_of_a_net_gain_and_of_flagging_nobody():
    # Each caught positive earns 100, a false alarm costs 10: flag the top two, gain 200.
    gain = threshold_sweep([1, 1, 0, 0], [0.9, 0.8, 0.3, 0.2], costs=CostMatrix(10, 0, tp_value=100))
    rec = recommend_threshold(gain, "min_cost")
    assert rec.point.cost == -200
    assert rec.explanation == (
        "At 0.8 you catch 100% of positives; none of the flagged cases is a false alarm; "
        "expected net gain per 1,000 cases $50,000 — $50,000 better than flagging nobody."
    )
    # A false alarm costs 100, a miss 1: flagging nobody (cost 1) beats everything; it is
    # compared with flagging everybody (3 false alarms: 300).
    sweep = threshold_sweep([1, 0, 0, 0], [0.2, 0.9, 0.8, 0.1], costs=CostMatrix(100, 1))
    nobody = recommend_threshold(sweep, "min_cost")
    assert nobody.point.positive_rate == 0 and nobody.threshold == 1
    assert nobody.explanation == (
        "At 1 nobody is flagged, so you catch none of the positives; "
        "expected cost per 1,000 cases $250 — $74,750 less than flagging everybody."
    )
