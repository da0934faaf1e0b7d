"""core.losses: what mutation testing found the loss tests did not pin down.

``log_loss_from_proba`` clips ``p`` and ``1 - p`` each to ``[eps, 1 - eps]``. The older tests
only looked at the lower bound (a certain mistake costs ``-ln eps``) and checked a certain
right answer with an absolute tolerance that hides ``-ln(1 - 1e-15)``. With a large ``eps``
both bounds show: a certain right answer is treated as ``1 - eps`` for either class, and a
probability a rounding step above 1 never gives a negative loss. Inputs of another float
type are read as float64 numbers first (``_as_float``), whatever the dtype.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.losses import log_loss, log_loss_from_proba, log_loss_per_example, sigmoid, softplus


@pytest.mark.parametrize("eps", [1e-3, 0.05, 1e-15])
def test_a_certain_right_answer_costs_minus_log_one_minus_eps_for_either_class(eps):
    loss = log_loss_from_proba([1, 0], [1.0, 0.0], eps=eps)
    expected = -math.log(1.0 - eps)
    assert expected > 0
    np.testing.assert_allclose(loss, [expected, expected], rtol=1e-12, atol=0)


@pytest.mark.parametrize("eps", [1e-3, 0.05])
def test_every_probability_is_read_inside_eps_to_one_minus_eps(eps):
    p = np.array([0.0, eps / 2, eps, 0.3, 1 - eps, 1 - eps / 2, 1.0])
    clipped = np.clip(p, eps, 1 - eps)
    for y in (0, 1):
        labels = np.full(p.size, y)
        expected = -np.log(clipped) if y == 1 else -np.log(1.0 - clipped)
        np.testing.assert_allclose(log_loss_from_proba(labels, p, eps=eps), expected, rtol=1e-12, atol=0)


def test_a_probability_just_above_one_never_gives_a_negative_loss():
    # 1 + 1e-12 (a sum of shares that rounds above 1) and 1.5 (a caller's bad value):
    # both read as 1 - eps, a small positive loss for a positive, -ln eps for a negative.
    p = np.array([1.0 + 1e-12, 1.5])
    for_positives = log_loss_from_proba([1, 1], p)
    for_negatives = log_loss_from_proba([0, 0], p)
    np.testing.assert_allclose(for_positives, -math.log(1.0 - 1e-15), rtol=1e-12, atol=0)
    np.testing.assert_allclose(for_negatives, -math.log(1e-15), rtol=1e-12)
    assert np.all(for_positives > 0)


def test_single_precision_inputs_are_computed_in_double_precision():
    # Logits or probabilities stored as float32 (a smaller table, a GPU model) are read as
    # the float64 numbers they hold: the losses are those of the float64 inputs, to the last
    # bit, not float32 arithmetic (relative error ~1e-7).
    rng = np.random.default_rng(0)
    z32 = rng.normal(scale=4.0, size=50).astype(np.float32)
    p32 = rng.uniform(0.01, 0.99, size=50).astype(np.float32)
    y = rng.integers(0, 2, size=50)
    z64, p64 = z32.astype(np.float64), p32.astype(np.float64)
    for got, expected in ((sigmoid(z32), sigmoid(z64)), (softplus(z32), softplus(z64)),
                          (log_loss_per_example(y, z32), log_loss_per_example(y, z64)),
                          (log_loss_from_proba(y, p32), log_loss_from_proba(y, p64))):
        assert got.dtype == np.float64
        np.testing.assert_array_equal(got, expected)
    assert log_loss(y, z32) == log_loss(y, z64)
