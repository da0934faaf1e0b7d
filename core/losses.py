"""Loss maths for binary classification, computed from logits.

Conventions used throughout:

* ``y`` holds the true labels as 0/1 (bool or any numeric dtype), shape ``(n,)``.
* ``z`` holds logits (log-odds, the model's raw output ``X @ w + b``), shape ``(n,)``.
  The predicted probability of the positive class is ``sigmoid(z)``.
* ``X`` is the design matrix, shape ``(n, d)``; gradients are with respect to the
  weights ``w`` only, shape ``(d,)`` (the intercept's gradient is the mean residual).

Everything works in logits space because probabilities lose the information that
matters: ``sigmoid(40)`` rounds to exactly 1.0, so ``log(1 - sigmoid(40))`` is
``log(0)``; from the logit the same loss is simply ``40``. The log-loss is written as
``softplus(z) - y*z`` with ``softplus(z) = max(z, 0) + log1p(exp(-|z|))``, which never
overflows (``exp`` only sees non-positive arguments) and stays finite for ``|z|`` up
to 1e300. It is also several times faster than ``np.logaddexp(0, z)``.

The probability-space helpers (:func:`log_loss_from_proba`, :data:`WORKED_EXAMPLE`)
exist for the teaching page, which starts from predicted probabilities.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit

__all__ = [
    "sigmoid",
    "softplus",
    "log_loss_per_example",
    "log_loss",
    "log_loss_gradient",
    "mse_sigmoid_loss",
    "mse_sigmoid_gradient",
    "log_loss_from_proba",
    "log_loss_sum_and_residual",
    "mse_sigmoid_sum_and_residual",
    "WORKED_EXAMPLE",
]


def _as_float(a) -> np.ndarray:
    return np.asarray(a, dtype=np.float64)


def sigmoid(z) -> np.ndarray:
    """Logistic function ``1 / (1 + exp(-z))``, elementwise, without overflow warnings.

    SciPy's ``expit``: full relative precision in both tails (``sigmoid(-700)`` is about
    1e-304; below ``z ≈ -709``, where the true value is under 1e-308, it returns 0), no
    floating-point warnings, and it measured faster than a hand-written stable form.
    """
    return expit(_as_float(z))


def softplus(z) -> np.ndarray:
    """``log(1 + exp(z))`` elementwise, computed as ``max(z, 0) + log1p(exp(-|z|))``."""
    z = _as_float(z)
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def log_loss_per_example(y, z) -> np.ndarray:
    """Per-example log-loss (cross-entropy, natural log) from logits, shape ``(n,)``.

    ``-[y log σ(z) + (1 - y) log(1 - σ(z))]`` simplifies to ``softplus(z) - y*z``.
    ``max(z, 0) - y*z`` is grouped first so that a confident correct prediction
    (``y = 1``, huge ``z``) gives an exact 0 instead of ``1e300 - 1e300`` rounding.
    """
    z = _as_float(z)
    y = _as_float(y)
    return (np.maximum(z, 0.0) - y * z) + np.log1p(np.exp(-np.abs(z)))


def log_loss(y, z, sample_weight=None) -> float:
    """Mean log-loss from logits; a weighted mean when ``sample_weight`` (shape ``(n,)``) is given."""
    losses = log_loss_per_example(y, z)
    if sample_weight is None:
        return float(np.mean(losses))
    return float(np.average(losses, weights=_as_float(sample_weight)))


def log_loss_sum_and_residual(sign: np.ndarray, z: np.ndarray, residual: np.ndarray, work: np.ndarray) -> float:
    """Fused kernel: return the summed log-loss and write ``σ(z) - y`` into ``residual``.

    This is the inner loop of model fitting (see ``core.model``), written for speed and
    precision rather than convenience:

    * ``sign`` is ``1 - 2*y`` as float64 (+1 for negatives, -1 for positives), computed
      once per fit. With ``t = sign*z`` the per-example loss is ``softplus(t)`` and the
      residual is ``sign * σ(t)``, so a confident correct prediction gets a tiny residual
      with full relative precision instead of ``1 - 1 = 0``.
    * ``σ(t) = exp(t - softplus(t))`` reuses the loss: one ``exp`` fewer, and the
      exponent is never positive.
    * ``residual`` (shape ``(m,)``) and ``work`` (shape ``(2, m)``) are caller-owned
      float64 buffers; ``work`` is clobbered. Callers pass row blocks small enough for
      these to stay in cache.
    """
    t, loss = work[0], work[1]
    np.multiply(sign, z, out=t)
    np.abs(t, out=loss)
    np.negative(loss, out=loss)
    np.exp(loss, out=loss)
    np.log1p(loss, out=loss)
    np.maximum(t, 0.0, out=residual)
    loss += residual  # softplus(t), the per-example loss
    total = float(loss.sum())
    np.subtract(t, loss, out=loss)
    np.exp(loss, out=loss)  # σ(t)
    np.multiply(sign, loss, out=residual)
    return total


def mse_sigmoid_sum_and_residual(y: np.ndarray, z: np.ndarray, residual: np.ndarray) -> float:
    """Fused kernel for MSE-with-sigmoid: return ``sum((σ(z) - y)^2)``; its ``d/dz`` goes into ``residual``.

    ``d/dz (σ - y)^2 = 2 (σ - y) σ (1 - σ)``. ``y`` is float64 0/1; ``residual`` is a
    float64 buffer shaped like ``z``. Only the teaching path uses it, so it allocates.
    """
    p = sigmoid(z)
    np.subtract(p, y, out=residual)
    total = float(np.dot(residual, residual))
    residual *= 2.0 * p * (1.0 - p)
    return total


def log_loss_gradient(X, y, z) -> np.ndarray:
    """Gradient of the mean log-loss with respect to the weights: ``Xᵀ(σ(z) - y) / n``, shape ``(d,)``.

    This is the seed's "(ŷ - y)·x", averaged over examples. The intercept's gradient is
    ``mean(σ(z) - y)``.
    """
    X = np.asarray(X, dtype=np.float64)
    residual = sigmoid(z) - _as_float(y)
    return X.T @ residual / X.shape[0]


def mse_sigmoid_loss(y, z) -> float:
    """Mean squared error between ``σ(z)`` and ``y``.

    Bounded in [0, 1] and non-convex in the weights: where the model is confidently
    wrong, ``σ`` is flat and the gradient vanishes, which is why training on it stalls.
    """
    return float(np.mean((sigmoid(z) - _as_float(y)) ** 2))


def mse_sigmoid_gradient(X, y, z) -> np.ndarray:
    """Gradient of :func:`mse_sigmoid_loss` with respect to the weights, shape ``(d,)``.

    ``(2/n) Xᵀ[(σ - y) σ (1 - σ)]``.
    """
    X = np.asarray(X, dtype=np.float64)
    p = sigmoid(z)
    return X.T @ (2.0 * (p - _as_float(y)) * p * (1.0 - p)) / X.shape[0]


def log_loss_from_proba(y, p, eps: float = 1e-15) -> np.ndarray:
    """Per-example log-loss from predicted probabilities of the positive class, shape ``(n,)``.

    ``-[y log p + (1 - y) log(1 - p)]`` with ``p`` and ``1 - p`` each clipped to
    ``[eps, 1 - eps]``, so a probability of exactly 0 or 1 gives the same large finite
    loss (``-ln eps``, about 34.5) for either class instead of infinity. (Clipping ``p``
    alone would not be symmetric: ``1 - (1 - 1e-15)`` is not ``1e-15`` in floating point.)
    Prefer the logits functions when logits are available.
    """
    y = _as_float(y)
    p = _as_float(p)
    p_pos = np.clip(p, eps, 1.0 - eps)
    p_neg = np.clip(1.0 - p, eps, 1.0 - eps)
    return -(y * np.log(p_pos) + (1.0 - y) * np.log(p_neg))


def _worked_example() -> pd.DataFrame:
    y = np.array([1, 0, 1])
    y_hat = np.array([0.90, 0.20, 0.60])
    return pd.DataFrame({"y": y, "y_hat": y_hat, "loss": log_loss_from_proba(y, y_hat)})


#: The lesson's worked example: three predictions and their log-losses
#: (0.105, 0.223, 0.511; mean 0.280). Columns ``y`` (int), ``y_hat``, ``loss`` (floats).
WORKED_EXAMPLE: pd.DataFrame = _worked_example()
