"""Reliability curve and Brier score against scikit-learn; decision curve by definition."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss

from core.calibration import brier_score, decision_curve, reliability_curve
from core.errors import DataError


@st.composite
def labelled_probabilities(draw):
    n = draw(st.integers(2, 80))
    y = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    # Few distinct values, including the bin edges 0, 0.5 and 1, for heavy ties.
    values = draw(st.lists(st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.7, 0.9, 1.0]) | st.floats(0, 1), min_size=1, max_size=8))
    picks = draw(st.lists(st.integers(0, len(values) - 1), min_size=n, max_size=n))
    return y, np.array(values)[picks]


@settings(max_examples=40, deadline=None)
@given(labelled_probabilities(), st.integers(1, 12), st.sampled_from(["uniform", "quantile"]))
def test_reliability_curve_equals_sklearn(data, n_bins, strategy):
    y, p = data
    curve = reliability_curve(y, p, n_bins=n_bins, strategy=strategy)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy=strategy)
    np.testing.assert_allclose(curve["fraction_positive"], prob_true, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(curve["mean_predicted"], prob_pred, rtol=1e-12, atol=1e-12)
    assert curve["count"].sum() == len(y) and (curve["count"] > 0).all()


@settings(max_examples=40, deadline=None)
@given(labelled_probabilities())
def test_brier_score_equals_sklearn(data):
    y, p = data
    assert brier_score(y, p) == pytest.approx(brier_score_loss(y, p), abs=1e-15)


def test_brier_by_hand():
    assert brier_score([1, 0, 1], [0.9, 0.2, 0.6]) == pytest.approx((0.01 + 0.04 + 0.16) / 3)


def test_decision_curve_by_hand():
    # 4 positives, 6 negatives. At t = 0.5 (odds 1): flagged = scores >= 0.5.
    y = np.array([1, 1, 1, 0, 1, 0, 0, 0, 0, 0])
    p = np.array([0.9, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2, 0.2, 0.1, 0.05])
    curve = decision_curve(y, p, thresholds=[0.0, 0.2, 0.5, 0.95])
    assert list(curve.columns) == ["threshold", "model", "treat_all", "treat_none"]
    # t = 0.5: TP 3, FP 1 -> 0.3 - 0.1 * 1 = 0.2; treat all: 0.4 - 0.6 = -0.2.
    row = curve[curve["threshold"] == 0.5].iloc[0]
    assert row["model"] == pytest.approx(0.2) and row["treat_all"] == pytest.approx(-0.2)
    # t = 0.2 (odds 1/4): flagged >= 0.2: TP 4, FP 4 -> 0.4 - 0.4/4 = 0.3; all: 0.4 - 0.6/4 = 0.25.
    row = curve[curve["threshold"] == 0.2].iloc[0]
    assert row["model"] == pytest.approx(0.3) and row["treat_all"] == pytest.approx(0.25)
    # t = 0: everybody flagged, no penalty -> prevalence, same as treat all.
    row = curve[curve["threshold"] == 0.0].iloc[0]
    assert row["model"] == pytest.approx(0.4) == row["treat_all"]
    # t = 0.95: nobody flagged -> 0, as treat none.
    assert curve["model"].iloc[-1] == 0 and (curve["treat_none"] == 0).all()


def test_decision_curve_default_thresholds_match_a_direct_computation():
    rng = np.random.default_rng(0)
    p = rng.random(3000)
    y = (rng.random(3000) < p).astype(int)
    curve = decision_curve(y, p)
    assert len(curve) == 99 and curve["threshold"].iloc[0] == 0.01 and curve["threshold"].iloc[-1] == 0.99
    for t, model in zip(curve["threshold"], curve["model"]):
        flagged = p >= t
        expected = np.sum(flagged & (y == 1)) / 3000 - np.sum(flagged & (y == 0)) / 3000 * t / (1 - t)
        assert model == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: reliability_curve([0, 1], [0.2, 1.5]), "between 0 and 1"),
        (lambda: reliability_curve([0, 1], [0.2, 0.5], strategy="equal"), "uniform' or 'quantile"),
        (lambda: reliability_curve([0, 1], [0.2, 0.5], n_bins=0), "at least one bin"),
        (lambda: brier_score([0, 1], [-0.1, 0.5]), "between 0 and 1"),
        (lambda: decision_curve([0, 1], [0.2, 0.5], thresholds=[0.5, 1.0]), "up to \\(not including\\) 1"),
        (lambda: decision_curve([0, 1], [3.0, 0.5]), "probabilities"),
    ],
)
def test_bad_input_raises_data_error(call, match):
    with pytest.raises(DataError, match=match):
        call()
