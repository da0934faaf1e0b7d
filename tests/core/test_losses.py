"""core.losses against hand-computed values, scikit-learn, scipy and finite differences."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.special import expit
from sklearn.metrics import log_loss as sklearn_log_loss

from core import losses
from core.losses import (
    WORKED_EXAMPLE,
    log_loss,
    log_loss_from_proba,
    log_loss_gradient,
    log_loss_per_example,
    log_loss_sum_and_residual,
    mse_sigmoid_gradient,
    mse_sigmoid_loss,
    mse_sigmoid_sum_and_residual,
    sigmoid,
    softplus,
)

FAST = settings(max_examples=60, deadline=None)

any_logit = st.floats(min_value=-1e300, max_value=1e300, allow_nan=False)
label = st.integers(min_value=0, max_value=1)


def labelled_logits(max_abs=1e300, min_size=1, max_size=40):
    """(y, z) pairs of equal length."""
    return st.integers(min_size, max_size).flatmap(
        lambda n: st.tuples(
            hnp.arrays(np.int64, n, elements=label),
            hnp.arrays(np.float64, n, elements=st.floats(-max_abs, max_abs, allow_nan=False)),
        )
    )


# --- the seeds' worked example ---------------------------------------------------------


def test_worked_example_matches_the_lesson_table():
    assert list(WORKED_EXAMPLE.columns) == ["y", "y_hat", "loss"]
    assert WORKED_EXAMPLE["y"].tolist() == [1, 0, 1]
    assert WORKED_EXAMPLE["y_hat"].tolist() == [0.90, 0.20, 0.60]
    assert WORKED_EXAMPLE["loss"].round(3).tolist() == [0.105, 0.223, 0.511]
    assert round(WORKED_EXAMPLE["loss"].mean(), 3) == 0.280
    # by hand: a positive scored 0.9 costs -ln 0.9, a negative scored 0.2 costs -ln 0.8
    np.testing.assert_allclose(WORKED_EXAMPLE["loss"], [-math.log(0.9), -math.log(0.8), -math.log(0.6)], rtol=1e-15)


def test_log_loss_from_proba_clips_certain_mistakes_to_a_finite_cost():
    cost = log_loss_from_proba([1, 0, 1, 0], [0.0, 1.0, 1.0, 0.0])
    np.testing.assert_allclose(cost, [-math.log(1e-15), -math.log(1e-15), 0.0, 0.0], atol=1e-12)
    assert cost[0] == pytest.approx(34.539, abs=1e-3)


# --- stability ------------------------------------------------------------------------


def test_extreme_logits_are_exact_and_silent():
    z = np.array([-1e300, -800.0, -40.0, 0.0, 40.0, 800.0, 1e300])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = sigmoid(z)
        sp = softplus(z)
        loss_pos = log_loss_per_example(np.ones(7), z)
        loss_neg = log_loss_per_example(np.zeros(7), z)
    e40 = math.exp(-40.0)
    np.testing.assert_allclose(p, [0.0, 0.0, e40 / (1 + e40), 0.5, 1 / (1 + e40), 1.0, 1.0], rtol=1e-15, atol=0)
    assert p[2] == pytest.approx(math.exp(-40.0), rel=1e-14)  # relative precision in the tail
    np.testing.assert_allclose(sp, [0.0, 0.0, math.exp(-40.0), math.log(2), 40.0, 800.0, 1e300], rtol=1e-14)
    # confident and right costs ~0; confident and wrong costs |z|
    np.testing.assert_allclose(loss_pos, [1e300, 800.0, 40.0, math.log(2), math.exp(-40.0), 0.0, 0.0], rtol=1e-14)
    np.testing.assert_allclose(loss_neg, [0.0, 0.0, math.exp(-40.0), math.log(2), 40.0, 800.0, 1e300], rtol=1e-14)


@FAST
@given(labelled_logits())
def test_log_loss_is_finite_and_non_negative_for_any_representable_logit(yz):
    y, z = yz
    per_example = log_loss_per_example(y, z)
    assert np.all(np.isfinite(per_example))
    assert np.all(per_example >= 0.0)
    assert math.isfinite(log_loss(y, z))


@FAST
@given(hnp.arrays(np.float64, st.integers(1, 50), elements=any_logit))
def test_sigmoid_and_softplus_agree_with_the_textbook_formulas(z):
    p = sigmoid(z)
    assert np.all((p >= 0) & (p <= 1))
    np.testing.assert_allclose(p + sigmoid(-z), 1.0, rtol=0, atol=1e-15)
    moderate = np.abs(z) < 700  # where exp(-z) cannot overflow
    np.testing.assert_allclose(p[moderate], 1.0 / (1.0 + np.exp(-z[moderate])), rtol=1e-14, atol=0)
    np.testing.assert_allclose(softplus(z), np.logaddexp(0.0, z), rtol=1e-14, atol=0)


# --- agreement with scikit-learn ------------------------------------------------------


@FAST
@given(labelled_logits(max_abs=15.0, min_size=2))
def test_mean_log_loss_equals_sklearn_where_probabilities_are_representable(yz):
    y, z = yz
    expected = sklearn_log_loss(y, expit(z), labels=[0, 1])
    assert log_loss(y, z) == pytest.approx(expected, rel=1e-7, abs=1e-12)


@FAST
@given(labelled_logits(max_abs=15.0, min_size=2), st.data())
def test_weighted_log_loss_equals_sklearn(yz, data):
    y, z = yz
    w = data.draw(hnp.arrays(np.float64, len(y), elements=st.floats(0.1, 10.0)))
    expected = sklearn_log_loss(y, expit(z), sample_weight=w, labels=[0, 1])
    assert log_loss(y, z, sample_weight=w) == pytest.approx(expected, rel=1e-7, abs=1e-12)


def test_log_loss_from_proba_equals_sklearn():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 200)
    p = rng.uniform(0.001, 0.999, 200)
    assert log_loss_from_proba(y, p).mean() == pytest.approx(sklearn_log_loss(y, p), rel=1e-12)


# --- gradients ------------------------------------------------------------------------


def _problem(data, max_rows=12, max_cols=4):
    n = data.draw(st.integers(1, max_rows))
    d = data.draw(st.integers(1, max_cols))
    X = data.draw(hnp.arrays(np.float64, (n, d), elements=st.floats(-3, 3)))
    y = data.draw(hnp.arrays(np.int64, n, elements=label))
    w = data.draw(hnp.arrays(np.float64, d, elements=st.floats(-3, 3)))
    return X, y, w


def _finite_difference(f, w, h=1e-6):
    grad = np.empty_like(w)
    for j in range(len(w)):
        step = np.zeros_like(w)
        step[j] = h
        grad[j] = (f(w + step) - f(w - step)) / (2 * h)
    return grad


@FAST
@given(st.data())
def test_log_loss_gradient_matches_finite_differences(data):
    X, y, w = _problem(data)
    numeric = _finite_difference(lambda v: log_loss(y, X @ v), w)
    np.testing.assert_allclose(log_loss_gradient(X, y, X @ w), numeric, rtol=1e-5, atol=1e-7)


@FAST
@given(st.data())
def test_mse_sigmoid_gradient_matches_finite_differences(data):
    X, y, w = _problem(data)
    numeric = _finite_difference(lambda v: mse_sigmoid_loss(y, X @ v), w)
    np.testing.assert_allclose(mse_sigmoid_gradient(X, y, X @ w), numeric, rtol=1e-5, atol=1e-7)


def test_mse_sigmoid_loss_is_bounded_and_non_convex_where_log_loss_is_convex():
    # One positive example, logit z = w: the MSE curve bends the wrong way for very wrong
    # predictions (why gradient descent on it stalls), the log-loss never does.
    w = np.linspace(-10, 4, 1401)
    mse = np.array([mse_sigmoid_loss([1], [v]) for v in w])
    log = np.array([log_loss([1], [v]) for v in w])
    assert np.all((mse >= 0) & (mse <= 1))
    assert np.min(np.diff(mse, 2)) < 0
    assert np.min(np.diff(log, 2)) > -1e-12
    np.testing.assert_allclose(mse, (expit(w) - 1) ** 2, rtol=1e-12)


# --- the fused kernels used by the model ----------------------------------------------


@FAST
@given(labelled_logits(max_abs=1e300))
def test_fused_log_loss_kernel_matches_the_plain_formulas(yz):
    y, z = yz
    residual, work = np.empty(len(z)), np.empty((2, len(z)))
    total = log_loss_sum_and_residual(1.0 - 2.0 * y, z, residual, work)
    assert total == pytest.approx(log_loss_per_example(y, z).sum(), rel=1e-12, abs=1e-300)
    # σ(z) - y without cancellation: -σ(-z) for positives. The kernel's relative error grows
    # like |z|·eps (≤ 1.7e-13 below |z| = 745, beyond which σ is exactly 0 or 1).
    exact = np.where(y == 1, -expit(-z), expit(z))
    np.testing.assert_allclose(residual, exact, rtol=2e-13, atol=1e-300)


def test_fused_log_loss_kernel_keeps_tiny_residuals_precise():
    # A confidently right positive (z = 40) has residual σ(40) - 1 = -σ(-40) ≈ -4.2e-18;
    # computing 1/(1+e^-40) - 1 would give exactly 0.
    z = np.array([40.0, -40.0, 700.0])
    y = np.array([1.0, 0.0, 1.0])
    residual, work = np.empty(3), np.empty((2, 3))
    log_loss_sum_and_residual(1.0 - 2.0 * y, z, residual, work)
    np.testing.assert_allclose(residual, [-math.exp(-40.0), math.exp(-40.0), -math.exp(-700.0)], rtol=1e-12)


@FAST
@given(labelled_logits(max_abs=50.0))
def test_fused_mse_kernel_matches_the_plain_formulas(yz):
    y, z = yz
    residual = np.empty(len(z))
    total = mse_sigmoid_sum_and_residual(y.astype(float), z, residual)
    p = expit(z)
    assert total == pytest.approx(np.sum((p - y) ** 2), rel=1e-12, abs=1e-300)
    np.testing.assert_allclose(residual, 2 * (p - y) * p * (1 - p), rtol=1e-10, atol=1e-300)


def test_public_names_are_exported():
    for name in ["sigmoid", "softplus", "log_loss_per_example", "log_loss", "log_loss_gradient",
                 "mse_sigmoid_loss", "mse_sigmoid_gradient", "log_loss_from_proba", "WORKED_EXAMPLE"]:
        assert name in losses.__all__
