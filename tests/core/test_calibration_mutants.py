"""core.calibration at its limits and with sample weights (what mutation testing found untested).

- Weighted: the reliability curve of a count table equals that of its cases written out, and
  with fractional weights equals direct weighted sums; the weighted Brier score equals
  scikit-learn's; the decision curve of a weighted sweep equals direct weighted counts.
- Limits: probabilities exactly 0 and 1 are accepted, anything outside refused; a threshold of
  exactly 0 is accepted, 1, negative or NaN refused; one bin is allowed, zero is not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss

from core.calibration import brier_score, decision_curve, decision_curve_of_sweep, reliability_curve
from core.errors import DataError
from core.thresholds import threshold_sweep


def _data(n=400, seed=0):
    rng = np.random.default_rng(seed)
    p = np.round(rng.random(n), 2)
    p[:3] = [0.0, 1.0, 0.5]  # the ends and a bin edge
    y = (rng.random(n) < p).astype(int)
    return y, p


def test_reliability_curve_of_a_count_table_equals_its_cases_written_out():
    y, p = _data()
    counts = np.random.default_rng(1).integers(1, 5, len(y))
    weighted = reliability_curve(y, p, n_bins=7, strategy="uniform", sample_weight=counts)
    y_all, p_all = np.repeat(y, counts), np.repeat(p, counts)
    written = reliability_curve(y_all, p_all, n_bins=7, strategy="uniform")
    np.testing.assert_allclose(weighted["mean_predicted"], written["mean_predicted"], rtol=1e-12)
    np.testing.assert_allclose(weighted["fraction_positive"], written["fraction_positive"], rtol=1e-12)
    np.testing.assert_allclose(weighted["count"], written["count"])
    prob_true, prob_pred = calibration_curve(y_all, p_all, n_bins=7)
    np.testing.assert_allclose(weighted["fraction_positive"], prob_true, rtol=1e-12)
    np.testing.assert_allclose(weighted["mean_predicted"], prob_pred, rtol=1e-12)


def test_quantile_bins_of_a_count_table_are_those_of_its_cases_written_out():
    y, p = _data(seed=10)
    counts = np.where(p > 0.8, 20, 1)  # the high scores stand for many cases
    weighted = reliability_curve(y, p, n_bins=4, strategy="quantile", sample_weight=counts)
    written = reliability_curve(np.repeat(y, counts), np.repeat(p, counts), n_bins=4, strategy="quantile")
    np.testing.assert_allclose(weighted["count"], written["count"])
    np.testing.assert_allclose(weighted["mean_predicted"], written["mean_predicted"], rtol=1e-12)


def test_reliability_curve_with_fractional_weights_equals_weighted_sums():
    rng = np.random.default_rng(2)
    p = np.concatenate([[0.0, 1.0], rng.random(400)])  # no score on an interior edge
    y = (rng.random(len(p)) < p).astype(int)
    w = rng.random(len(y)) + 0.05
    curve = reliability_curve(y, p, n_bins=5, sample_weight=w)
    bins = np.minimum((p * 5).astype(int), 4)  # five equal-width bins, p = 1 in the last
    expected = pd.DataFrame({"b": bins, "w": w, "wp": w * p, "wy": w * y}).groupby("b").sum()
    np.testing.assert_allclose(curve["count"], expected["w"], rtol=1e-12)
    np.testing.assert_allclose(curve["mean_predicted"], expected["wp"] / expected["w"], rtol=1e-12)
    np.testing.assert_allclose(curve["fraction_positive"], expected["wy"] / expected["w"], rtol=1e-12)


def test_unweighted_counts_are_whole_numbers_and_empty_bins_are_dropped():
    curve = reliability_curve([0, 1, 1, 0], [0.05, 0.95, 0.85, 0.15], n_bins=10)
    assert curve["count"].tolist() == [1, 1, 1, 1] and curve["count"].dtype.kind == "i"
    one = reliability_curve([0, 1, 1, 0], [0.05, 0.95, 0.85, 0.15], n_bins=1)
    assert one["count"].tolist() == [4] and one["fraction_positive"].tolist() == [0.5]
    assert one["mean_predicted"].tolist() == [pytest.approx(0.5)]


def test_weighted_brier_score_equals_sklearn():
    y, p = _data(seed=4)
    w = np.random.default_rng(5).random(len(y)) * 3
    assert brier_score(y, p, sample_weight=w) == pytest.approx(brier_score_loss(y, p, sample_weight=w), abs=1e-15)
    with pytest.raises(DataError):
        brier_score(y, p, sample_weight=np.full(len(y), np.nan))


def test_weighted_decision_curve_equals_direct_weighted_counts():
    y, p = _data(seed=6)
    w = np.random.default_rng(7).random(len(y)) * 2
    t = np.array([0.0, 0.05, 0.3, 0.5, 0.77, 0.99])
    curve = decision_curve_of_sweep(threshold_sweep(y, p, sample_weight=w), t)
    n = w.sum()
    for row in curve.itertuples():
        flagged = p >= row.threshold
        odds = row.threshold / (1 - row.threshold)
        tp, fp = w[flagged & (y == 1)].sum(), w[flagged & (y == 0)].sum()
        assert row.model == pytest.approx(tp / n - fp / n * odds, abs=1e-12)
        assert row.treat_all == pytest.approx(w[y == 1].sum() / n - w[y == 0].sum() / n * odds, abs=1e-12)
        assert row.treat_none == 0


def test_probabilities_of_exactly_0_and_1_are_accepted_and_nothing_outside():
    y, p = np.array([0, 1, 0, 1]), np.array([0.0, 1.0, 0.0, 1.0])
    assert brier_score(y, p) == 0.0
    assert reliability_curve(y, p, n_bins=2)["count"].tolist() == [2, 2]
    assert decision_curve(y, p, thresholds=[0.5])["model"].tolist() == [0.5]
    assert decision_curve_of_sweep(threshold_sweep(y, p), [0.5])["model"].tolist() == [0.5]
    for bad in ([0.0, 1.0 + 1e-12, 0.0, 1.0], [-1e-12, 1.0, 0.0, 1.0], [-1e-12, 1.0 + 1e-12, 0.0, 1.0]):
        for call, name in ((brier_score, "Brier score"), (reliability_curve, "calibration curve"),
                           (decision_curve, "decision curve"),
                           (lambda y, s: decision_curve_of_sweep(threshold_sweep(y, s)), "decision curve")):
            with pytest.raises(DataError, match=f"The {name} needs probabilities between 0 and 1"):
                call(y, np.array(bad))
    with pytest.raises(DataError, match="between 0 and 1"):
        decision_curve_of_sweep(threshold_sweep(y, np.array([0.0, 1.5, 0.2, 0.9])))


def test_decision_thresholds_from_0_up_to_but_not_including_1():
    y, p = _data(seed=8)
    assert decision_curve(y, p, thresholds=[0.0])["model"].iloc[0] == pytest.approx(y.mean())
    assert len(decision_curve(y, p, thresholds=[])) == 0
    assert decision_curve(y, p, thresholds=0.25)["threshold"].tolist() == [0.25]
    whole = decision_curve(y, p, thresholds=[0])
    assert whole["threshold"].dtype == np.float64 and whole["model"].iloc[0] == pytest.approx(y.mean())
    for bad in ([1.0], [-0.01, 0.5], [np.nan], [0.2, 1.5], [0.5, None]):
        with pytest.raises(DataError, match="not including"):
            decision_curve(y, p, thresholds=bad)


def test_the_default_curve_has_ten_equal_width_bins_as_sklearn():
    y, p = _data(seed=11)
    curve = reliability_curve(y, p)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=10)
    np.testing.assert_allclose(curve["fraction_positive"], prob_true, rtol=1e-12)
    np.testing.assert_allclose(curve["mean_predicted"], prob_pred, rtol=1e-12)
    assert len(curve) == 10


def test_bins_must_be_a_whole_number_of_at_least_one():
    y, p = _data(seed=9)
    for bad in ("ten", None, [3]):
        with pytest.raises(DataError, match="whole number"):
            reliability_curve(y, p, n_bins=bad)
    with pytest.raises(DataError, match="at least one bin"):
        reliability_curve(y, p, n_bins=-2)
    assert len(reliability_curve(y, p, n_bins="4")) == 4


@pytest.mark.parametrize("seed", range(6))
def test_quantile_bins_with_random_whole_counts_equal_the_cases_written_out(seed):
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(5, 60))
    p = np.round(rng.random(n), 2)  # ties on purpose
    y = (rng.random(n) < p).astype(int)
    counts = rng.integers(1, 9, n)
    for n_bins in (1, 3, 5, 10):
        weighted = reliability_curve(y, p, n_bins=n_bins, strategy="quantile", sample_weight=counts)
        written = reliability_curve(np.repeat(y, counts), np.repeat(p, counts), n_bins=n_bins, strategy="quantile")
        np.testing.assert_allclose(weighted["count"], written["count"])
        np.testing.assert_allclose(weighted["fraction_positive"], written["fraction_positive"], rtol=1e-12)
