"""The Learn page's computations: the log-loss lesson, computed live on real numbers.

Every loss, probability and gradient here comes from :mod:`core.losses`; this module only
arranges the inputs (a grid of predictions, one feature's column, a range of weights) and
returns tidy DataFrames the page shows as tables and charts.

Conventions: ``y`` is 0/1 with shape ``(n,)``; ``y_hat`` is a predicted probability of the
positive class; a one-feature model has logit ``z = w * x + b``; the decision rule is
``y_hat >= 0.5``, i.e. ``z >= 0`` (score >= threshold => positive).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import losses
from core.errors import DataError

__all__ = [
    "per_example_loss_curves",
    "example_loss",
    "worked_example",
    "score_predictions",
    "FeatureSlice",
    "feature_slice",
    "most_informative_feature",
    "cost_along_weight",
    "is_convex",
    "accuracy_along_weight",
    "GradientStep",
    "gradient_step",
    "descent_path",
    "logits_stability",
    "baseline_log_loss",
]


def per_example_loss_curves(n_points: int = 199) -> pd.DataFrame:
    """The two per-example log-loss curves over predicted probabilities in (0, 1).

    Returns a long DataFrame with columns ``y_hat``, ``y`` (0 or 1) and ``loss``:
    ``-log(y_hat)`` for ``y = 1`` and ``-log(1 - y_hat)`` for ``y = 0``; ``2 * n_points``
    rows. The grid stops short of 0 and 1, where one of the curves is infinite.
    """
    y_hat = np.linspace(0.0, 1.0, n_points + 2)[1:-1]
    frames = [
        pd.DataFrame({"y_hat": y_hat, "y": label, "loss": losses.log_loss_from_proba(np.full_like(y_hat, label), y_hat)})
        for label in (1, 0)
    ]
    return pd.concat(frames, ignore_index=True)


def example_loss(y: int, y_hat: float) -> float:
    """The log-loss of one prediction ``y_hat`` (probability of positive) for true label ``y``."""
    return float(losses.log_loss_from_proba(np.array([y]), np.array([y_hat]))[0])


def worked_example() -> pd.DataFrame:
    """A copy of the lesson's worked example (columns ``y``, ``y_hat``, ``loss``); mean loss 0.280."""
    return losses.WORKED_EXAMPLE.copy()


def score_predictions(frame: pd.DataFrame) -> pd.DataFrame:
    """Recompute the ``loss`` column of a user-edited table of ``y`` and ``y_hat``.

    ``frame`` needs columns ``y`` (0 or 1) and ``y_hat`` (a probability from 0 to 1);
    any existing ``loss`` column is ignored. Rows left completely empty are dropped.
    Returns a new DataFrame with columns ``y`` (int), ``y_hat`` (float), ``loss`` (float).
    Raises DataError naming the offending rows (1-based) when a value is missing or out of range.
    """
    missing = [c for c in ("y", "y_hat") if c not in frame.columns]
    if missing:
        raise DataError(f"The table needs the columns y and y_hat; missing: {', '.join(missing)}.")
    table = frame[["y", "y_hat"]].apply(pd.to_numeric, errors="coerce")
    table = table[~table.isna().all(axis=1)].reset_index(drop=True)
    if table.empty:
        raise DataError("The table is empty: add at least one row with a label y (0 or 1) and a prediction y_hat.")
    bad_y = ~table["y"].isin([0, 1])
    if bad_y.any():
        rows = ", ".join(str(i + 1) for i in np.flatnonzero(bad_y.to_numpy()))
        raise DataError(f"y must be 0 or 1 (row {rows}). It is the true answer: 1 = positive, 0 = negative.")
    y_hat = table["y_hat"].to_numpy(dtype=np.float64)
    bad_p = ~((y_hat >= 0.0) & (y_hat <= 1.0))  # also catches NaN
    if bad_p.any():
        rows = ", ".join(str(i + 1) for i in np.flatnonzero(bad_p))
        raise DataError(f"y_hat must be a probability from 0 to 1 (row {rows}).")
    y = table["y"].to_numpy(dtype=np.int64)
    return pd.DataFrame({"y": y, "y_hat": y_hat, "loss": losses.log_loss_from_proba(y, y_hat)})


@dataclass(frozen=True)
class FeatureSlice:
    """One column of a design matrix with its labels: the data of a one-feature model.

    ``x`` and ``y`` have shape ``(n,)``; ``intercept`` is the log-odds of the positive
    rate, so a weight of 0 predicts the base rate for everyone.
    """

    name: str
    x: np.ndarray
    y: np.ndarray
    intercept: float


def feature_slice(X, y, feature_names, name: str, *, max_rows: int = 20_000, seed: int = 0) -> FeatureSlice:
    """Column ``name`` of ``X`` (shape ``(n, d)``) with ``y``; a seeded sample of ``max_rows`` rows when larger."""
    names = list(feature_names)
    if name not in names:
        raise DataError(f"There is no feature called {name!r}.")
    X = np.asarray(X)
    y = np.asarray(y, dtype=np.float64)
    x = np.asarray(X[:, names.index(name)], dtype=np.float64)
    if len(x) > max_rows:
        keep = np.sort(np.random.default_rng(seed).choice(len(x), size=max_rows, replace=False))
        x, y = x[keep], y[keep]
    rate = float(np.clip(y.mean(), 1e-6, 1 - 1e-6)) if len(y) else 0.5
    return FeatureSlice(name=name, x=x, y=y, intercept=float(np.log(rate / (1.0 - rate))))


def most_informative_feature(X, y, feature_names) -> str:
    """The feature whose column correlates most strongly (either sign) with ``y``; the first on ties."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    xc = X - X.mean(axis=0)
    yc = y - y.mean()
    scale = np.sqrt((xc**2).sum(axis=0) * (yc**2).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.abs(xc.T @ yc) / scale
    corr = np.nan_to_num(corr, nan=-1.0)
    return list(feature_names)[int(np.argmax(corr))]


def cost_along_weight(data: FeatureSlice, weights) -> pd.DataFrame:
    """Both training costs of the one-feature model ``z = w * x + intercept`` at each weight.

    Returns a DataFrame with columns ``weight``, ``log_loss`` (mean log-loss) and ``mse``
    (mean squared error of ``sigmoid(z)``), one row per weight, in the given order.
    """
    weights = np.asarray(weights, dtype=np.float64)
    log_loss = [losses.log_loss(data.y, w * data.x + data.intercept) for w in weights]
    mse = [losses.mse_sigmoid_loss(data.y, w * data.x + data.intercept) for w in weights]
    return pd.DataFrame({"weight": weights, "log_loss": log_loss, "mse": mse})


def is_convex(values, *, rtol: float = 1e-9) -> bool:
    """Whether a curve sampled on an evenly spaced grid bends upwards everywhere.

    A convex curve has non-negative second differences; ``rtol`` (relative to the
    curve's range) absorbs floating-point noise on the straight parts.
    """
    values = np.asarray(values, dtype=np.float64)
    if len(values) < 3:
        return True
    tolerance = rtol * max(float(np.ptp(values)), 1e-300)
    return bool(np.all(np.diff(values, n=2) >= -tolerance))


def accuracy_along_weight(data: FeatureSlice, weights) -> pd.DataFrame:
    """Accuracy of the one-feature model at each weight, with the rule ``z >= 0`` (``y_hat >= 0.5``).

    Returns a DataFrame with columns ``weight`` and ``accuracy``. Accuracy is a step
    function of the weight: it only changes when some example crosses the 0.5 line, so
    its slope is zero almost everywhere and gradient descent cannot follow it.
    """
    weights = np.asarray(weights, dtype=np.float64)
    positive = data.y == 1
    accuracy = [float(np.mean(((w * data.x + data.intercept) >= 0) == positive)) for w in weights]
    return pd.DataFrame({"weight": weights, "accuracy": accuracy})


@dataclass(frozen=True)
class GradientStep:
    """The log-loss gradient of a one-feature model at one weight, shown with its arithmetic.

    ``table``: the first rows, columns ``x``, ``y``, ``y_hat``, ``error`` (``y_hat - y``)
    and ``error_times_x`` (``(y_hat - y) * x``). ``gradient`` is the mean of
    ``error_times_x`` over all ``n`` rows (from :func:`core.losses.log_loss_gradient`);
    ``slope_check`` is the cost's slope measured by a central finite difference, which
    matches it. ``next_weight`` is ``weight - learning_rate * gradient``.
    """

    weight: float
    table: pd.DataFrame
    gradient: float
    slope_check: float
    n: int
    learning_rate: float
    next_weight: float
    loss: float
    next_loss: float


def gradient_step(data: FeatureSlice, weight: float, *, learning_rate: float = 1.0, n_rows: int = 5) -> GradientStep:
    """One gradient-descent step on the weight of the one-feature model ``z = w * x + intercept``."""
    z = weight * data.x + data.intercept
    y_hat = losses.sigmoid(z)
    error = y_hat - data.y
    head = slice(0, n_rows)
    table = pd.DataFrame(
        {
            "x": data.x[head],
            "y": data.y[head].astype(np.int64),
            "y_hat": y_hat[head],
            "error": error[head],
            "error_times_x": (error * data.x)[head],
        }
    )
    gradient = float(losses.log_loss_gradient(data.x[:, None], data.y, z)[0])
    h = 1e-5 * max(1.0, abs(weight))
    slope = (
        losses.log_loss(data.y, (weight + h) * data.x + data.intercept)
        - losses.log_loss(data.y, (weight - h) * data.x + data.intercept)
    ) / (2 * h)
    next_weight = weight - learning_rate * gradient
    return GradientStep(
        weight=float(weight),
        table=table,
        gradient=gradient,
        slope_check=float(slope),
        n=len(data.x),
        learning_rate=float(learning_rate),
        next_weight=float(next_weight),
        loss=losses.log_loss(data.y, z),
        next_loss=losses.log_loss(data.y, next_weight * data.x + data.intercept),
    )


def descent_path(data: FeatureSlice, *, learning_rate: float, epochs: int, loss: str = "log") -> pd.DataFrame:
    """Gradient descent on the weight of the one-feature model ``z = w * x + intercept``.

    Starts at ``w = 0`` (the base rate for everyone, as the Train page's model does) and
    takes ``epochs`` steps ``w ← w − learning_rate · gradient`` of the mean log-loss
    (``loss="log"``) or of the mean squared error of ``σ(z)`` (``loss="mse"``); the
    intercept stays fixed. Returns columns ``epoch`` (0 … epochs), ``weight`` and ``cost``
    (the trained loss at that weight), one row per epoch.
    """
    if loss not in ("log", "mse"):
        raise DataError(f"loss must be 'log' or 'mse'; got {loss!r}.")
    if not (learning_rate > 0 and np.isfinite(learning_rate)):
        raise DataError(f"The learning rate must be a positive number; got {learning_rate!r}.")
    cost = losses.log_loss if loss == "log" else losses.mse_sigmoid_loss
    gradient = losses.log_loss_gradient if loss == "log" else losses.mse_sigmoid_gradient
    X = data.x[:, None]
    weights = np.empty(int(epochs) + 1)
    costs = np.empty(int(epochs) + 1)
    w = 0.0
    for epoch in range(int(epochs) + 1):
        z = w * data.x + data.intercept
        weights[epoch], costs[epoch] = w, cost(data.y, z)
        w = w - learning_rate * float(gradient(X, data.y, z)[0])
    return pd.DataFrame({"epoch": np.arange(int(epochs) + 1), "weight": weights, "cost": costs})


def logits_stability(z_values=(-1000.0, -40.0, -20.0, 0.0, 20.0, 40.0, 1000.0)) -> pd.DataFrame:
    """The textbook loss computed from probabilities next to the stable loss from logits.

    For each logit ``z`` (a model's raw output) and each label, ``naive_*`` first rounds
    ``p = 1 / (1 + exp(-z))`` to a float and then evaluates ``-[y log p + (1-y) log(1-p)]``;
    ``stable_*`` is :func:`core.losses.log_loss_per_example`, computed from ``z`` directly.
    Columns: ``z``, ``p``, ``naive_y1``, ``stable_y1``, ``naive_y0``, ``stable_y0``. The naive
    columns contain ``inf`` and ``nan`` where ``p`` rounds to exactly 0 or 1.
    """
    z = np.asarray(z_values, dtype=np.float64)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        p = 1.0 / (1.0 + np.exp(-z))
        naive = {label: -(label * np.log(p) + (1 - label) * np.log(1 - p)) for label in (1, 0)}
    return pd.DataFrame(
        {
            "z": z,
            "p": p,
            "naive_y1": naive[1],
            "stable_y1": losses.log_loss_per_example(np.ones_like(z), z),
            "naive_y0": naive[0],
            "stable_y0": losses.log_loss_per_example(np.zeros_like(z), z),
        }
    )


def baseline_log_loss(y_train, y_eval) -> float:
    """The log-loss on ``y_eval`` of a model that knows nothing but the training base rate.

    Predicting the share of positives in ``y_train`` for everyone is the honest "no
    model" reference a trained model's log-loss should beat (``log 2 ≈ 0.693`` when the
    classes are balanced).
    """
    rate = float(np.clip(np.mean(np.asarray(y_train, dtype=np.float64)), 1e-12, 1 - 1e-12))
    z = np.full(len(y_eval), np.log(rate / (1.0 - rate)))
    return losses.log_loss(y_eval, z)
