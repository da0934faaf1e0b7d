"""Logistic regression trained on log-loss: the model behind the Train and Learn pages.

:class:`LogisticRegressionGD` is a scikit-learn-compatible binary classifier with two
solvers that minimise the same objective,

    mean log-loss(y, X @ w + b)  +  (l2 / 2) * ||w||²,

where the intercept ``b`` is not penalised. In scikit-learn's terms this is
``LogisticRegression(C=1 / (l2 * n))`` (``C=np.inf`` when ``l2 == 0``), and both solvers
converge to its solution.

* ``solver="gd"``: plain full-batch gradient descent from ``w = 0, b = 0`` (loss starts at
  log 2), one gradient step per epoch, so a page can show the cost falling and what a bad
  learning rate does. Nothing is rescaled behind the user's back.
* ``solver="lbfgs"``: the fast path to the optimum. SciPy's L-BFGS-B on a fused
  loss-and-gradient, after an exact change of variables that centres and scales the
  columns (it changes the path, not the solution), so unscaled or offset features such
  as amounts in cents or calendar years do not slow it down. Measured against
  Newton/IRLS with a Cholesky solve (``benchmarks/bench_fit.py``, 20 features), L-BFGS
  was about 2× faster at 100k and 1M rows and on par at 10k (a few ms either way):
  each Newton step forms a d×d Hessian over all rows, an L-BFGS step two cheap passes.

Speed: X is held once as Fortran-ordered float64, where ``X @ w`` and ``Xᵀ r`` both stream
at memory speed, and each evaluation walks it in row blocks so the per-example
temporaries stay in cache (:func:`core.losses.log_loss_sum_and_residual`). BLAS runs on
one thread during a fit (see ``_single_threaded_blas``).
"""

from __future__ import annotations

import math
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Callable

import numpy as np
import pandas as pd
from scipy import optimize, sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import OpenBLASController, ThreadpoolController

from core.errors import DataError
from core.losses import (
    log_loss,
    log_loss_sum_and_residual,
    mse_sigmoid_sum_and_residual,
    sigmoid,
    softplus,
)

__all__ = ["LogisticRegressionGD", "suggested_learning_rate", "HISTORY_COLUMNS", "STOP_REASONS", "MAX_SNAPSHOTS"]

HISTORY_COLUMNS = ("epoch", "train_loss", "train_log_loss", "val_log_loss", "train_accuracy", "val_accuracy")

#: Why training ended, as stored in ``stop_reason_``.
STOP_REASONS = {
    "converged": "the loss stopped improving (change below tol)",
    "max_epochs": "the epoch limit was reached",
    "stopped": "training was stopped early",
    "diverged": "the loss blew up; lower the learning rate",
}

#: At most this many per-epoch weight snapshots are kept (``coef_history_``): every epoch
#: of a short run, evenly spaced epochs of a long one (between half and all of this many).
MAX_SNAPSHOTS = 500

# Rows per block, so the per-example temporaries stay in cache: the loss kernel measured
# 4.4 ns/row on 64k-row blocks, 4.7 on 16k and 5.2 on whole 1M-row arrays.
_BLOCK_ROWS = 1 << 16

# GD is declared diverged when the objective is non-finite, exceeds this multiple of its
# starting value, or stays above the starting value (a coin flip) this many epochs in a row.
_DIVERGE_FACTOR = 10.0
_DIVERGE_PATIENCE = 20

# BLAS runs single-threaded while fitting. On this 2-core machine, shared with other
# sessions, OpenBLAS's second thread spin-waits against everything else: in an A/B run
# under load a 100k×20 L-BFGS fit took a median 54 ms single-threaded against 1.05 s with
# two threads (a GD epoch 4.0 ms against 18.5 ms). Idle, two threads only speed up the
# products (X@w, Xᵀr), not the elementwise half of the work.
# The limit is process-wide, so concurrent fits (one per Streamlit session thread) share
# one window: the first to enter applies it, the last to leave restores the original.
# threadpoolctl lets only one "controlling" thread change OpenBLAS's pool and ignores the
# others, and the last fit to leave is often not the first; so control is taken and
# released explicitly around each change, under our lock.
_blas_lock = threading.Lock()
_blas_fits = 0
_blas_limiter = None
_blas_controller: ThreadpoolController | None = None


def _release_blas_control() -> None:
    release = getattr(OpenBLASController, "clear_controlling_thread", None)  # threadpoolctl >= 3.6
    if release is not None:
        release(force=True)


@contextmanager
def _single_threaded_blas():
    global _blas_fits, _blas_limiter, _blas_controller
    with _blas_lock:
        if _blas_fits == 0:
            if _blas_controller is None:
                _blas_controller = ThreadpoolController()
            _release_blas_control()
            _blas_limiter = _blas_controller.limit(limits=1, user_api="blas")
            _release_blas_control()
        _blas_fits += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_fits -= 1
            if _blas_fits == 0:
                _release_blas_control()
                _blas_limiter.restore_original_limits()
                _release_blas_control()
                _blas_limiter = None


# Above this many columns the Lipschitz constant comes from Lanczos on X instead of an
# explicit (d+1)×(d+1) Gram matrix, whose n·d² cost would dominate.
_GRAM_MAX_COLUMNS = 256


# ---------------------------------------------------------------------------------------
# Input validation: one place, plain-words messages.


def _as_design_matrix(X, what: str = "X") -> np.ndarray:
    """``X`` as a finite 2-D Fortran-ordered float64 array (copied only when needed)."""
    if sparse.issparse(X):
        raise DataError(f"{what} is a sparse matrix, which is not supported; pass X.toarray().")
    if getattr(getattr(X, "dtype", None), "kind", None) == "c":
        raise DataError(f"Complex data not supported: {what} contains complex numbers; pass real-valued features.")
    if isinstance(X, pd.DataFrame):
        numeric = pd.api.types.is_numeric_dtype  # bools count as numeric
        text = [str(column) for column, dtype in X.dtypes.items() if not numeric(dtype)]
        if text:
            raise DataError(
                f"{what} has non-numeric column(s) {', '.join(map(repr, text[:5]))}. "
                "Encode text columns (core.features does) before training."
            )
        if any(pd.api.types.is_complex_dtype(dtype) for dtype in X.dtypes):
            raise DataError(f"Complex data not supported: {what} contains complex numbers; pass real-valued features.")
        X = X.to_numpy(dtype=np.float64, na_value=np.nan)  # pandas' NA becomes NaN, reported below
    try:
        arr = np.asarray(X, dtype=np.float64, order="F")
    except (TypeError, ValueError) as exc:
        raise DataError(f"{what} must contain only numbers ({exc}). Encode text columns before training.") from None
    if arr.ndim != 2:
        raise DataError(
            f"{what} must be a 2-D table of shape (rows, features); got {arr.ndim}-D. "
            "Reshape your data: for a single feature use X.reshape(-1, 1)."
        )
    if arr.shape[0] == 0:
        raise DataError(f"{what} has 0 sample(s) (shape={arr.shape}) while a minimum of 1 is required.")
    if arr.shape[1] == 0:
        raise DataError(f"{what} has 0 feature(s) (shape={arr.shape}) while a minimum of 1 is required.")
    # The sum is one cheap pass and is finite whenever every value is; only a non-finite
    # sum (NaN, inf, or overflow from huge values) needs the full elementwise check.
    if not math.isfinite(float(arr.sum())):
        bad = ~np.isfinite(arr)
        if bad.any():
            rows, cols = np.nonzero(bad)
            raise DataError(
                f"{what} contains {bad.sum():,} missing or infinite value(s) (first at row {rows[0]}, "
                f"column {cols[0]}). Impute or drop them before training."
            )
    return arr


def _labels(y, n_rows: int, what: str = "y") -> tuple[np.ndarray, np.ndarray]:
    """Distinct labels (sorted) and each row's index into them, shape ``(n,)``."""
    if y is None:
        raise DataError(f"This classifier requires {what} to be passed, but the target {what} is None.")
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise DataError(f"{what} must be one column of labels; got shape {arr.shape}.")
    if arr.shape[0] != n_rows:
        raise DataError(f"{what} has {arr.shape[0]:,} labels but X has {n_rows:,} rows; they must match one to one.")
    # Hashing, not sorting: np.unique's argsort took a third of a 1M-row fit.
    codes, uniques = pd.factorize(arr)
    n_missing = int(np.count_nonzero(codes < 0))
    if n_missing:
        raise DataError(f"{what} has {n_missing:,} missing label(s). Drop those rows before training.")
    try:
        order = np.argsort(np.asarray(uniques), kind="stable")
    except TypeError:
        raise DataError(f"{what} mixes labels of different types (e.g. numbers and text); use one type.") from None
    classes = np.asarray(uniques)[order]
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order))
    return classes, rank[codes]


def _require_two_classes(classes: np.ndarray) -> None:
    if len(classes) == 1:
        raise DataError(f"y has only one class ({_plain(classes[0])!r}); training needs examples of both classes.")
    if len(classes) != 2:
        found = ", ".join(repr(_plain(c)) for c in classes[:5]) + (", …" if len(classes) > 5 else "")
        continuous = classes.dtype.kind == "f" and not np.all(classes == np.round(classes))
        raise DataError(
            ("y looks continuous (a regression target), not labels. " if continuous else "")
            + f"Only binary classification is supported: y must contain exactly two classes; found "
            f"{len(classes)} ({found}). Pick a positive class and map the rest to one label."
        )


def _plain(value):
    """A label as users wrote it (``1``, ``'yes'``), not ``np.int64(1)``, for messages."""
    return value.item() if isinstance(value, np.generic) else value


# ---------------------------------------------------------------------------------------
# Weight snapshots: what the model knew at each epoch.


class _Snapshots:
    """Weights after chosen epochs: the first, every ``stride``-th, and the last.

    The run's length is unknown until it stops (convergence), so the stride starts at 1
    and doubles whenever more than ``limit`` snapshots are held, dropping every other
    one: the kept epochs stay evenly spaced, about limit/2 to limit of them (plus the first and last).
    """

    def __init__(self, limit: int):
        self.limit = max(int(limit), 2)
        self.stride = 1
        self.epochs: list[int] = []
        self.weights: list[np.ndarray] = []
        self.intercepts: list[float] = []

    def add(self, epoch: int, w: np.ndarray, b: float) -> None:
        if epoch % self.stride and epoch != 1:  # the first step is always kept
            return
        self.epochs.append(epoch)
        self.weights.append(np.array(w, dtype=np.float64))
        self.intercepts.append(float(b))
        if len(self.epochs) > self.limit:
            self.stride *= 2
            keep = [i for i, e in enumerate(self.epochs) if e % self.stride == 0 or e == 1]
            self.epochs = [self.epochs[i] for i in keep]
            self.weights = [self.weights[i] for i in keep]
            self.intercepts = [self.intercepts[i] for i in keep]

    def finish(self, epoch: int, w: np.ndarray, b: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(epochs (k,), coefs (k, d), intercepts (k,))``, the last epoch always included."""
        if self.epochs and self.epochs[-1] == epoch:  # the fitted weights, exactly as coef_
            self.epochs.pop(), self.weights.pop(), self.intercepts.pop()
        self.epochs.append(epoch)
        self.weights.append(np.array(w, dtype=np.float64))
        self.intercepts.append(float(b))
        return (
            np.asarray(self.epochs, dtype=np.int64),
            np.vstack(self.weights),
            np.asarray(self.intercepts, dtype=np.float64),
        )


# ---------------------------------------------------------------------------------------
# The fused objective.


class _Design:
    """A validated design matrix with 0/1 labels, evaluated block by block.

    ``evaluate(w, b)`` returns ``(loss_sum, log_loss_sum, grad_w, grad_b, n_correct)``:
    the summed training loss (log-loss, or squared error for ``loss="mse"``), the summed
    log-loss, the unnormalised gradients ``Xᵀ r`` (shape ``(d,)``) and ``sum(r)`` of the
    training loss, and the number of correct predictions under the rule ``z >= 0``
    (probability ≥ 0.5) ⇒ positive. One pass over X; buffers are allocated once.
    """

    def __init__(self, X: np.ndarray, y01: np.ndarray, loss: str):
        self.X = X
        self.n, self.d = X.shape
        self.loss = loss
        self.y = y01.astype(np.float64)
        self.positive = y01.astype(bool)
        self.sign = 1.0 - 2.0 * self.y
        m = min(self.n, _BLOCK_ROWS)
        self.z = np.empty(m)
        self.residual = np.empty(m)
        self.work = np.empty((2, m))

    def evaluate(self, w: np.ndarray, b: float):
        grad_w = np.zeros(self.d)
        grad_b = 0.0
        loss_sum = 0.0
        log_loss_sum = 0.0
        n_correct = 0
        for lo in range(0, self.n, _BLOCK_ROWS):
            hi = min(lo + _BLOCK_ROWS, self.n)
            m = hi - lo
            Xb, z, r, work = self.X[lo:hi], self.z[:m], self.residual[:m], self.work[:, :m]
            np.matmul(Xb, w, out=z)
            z += b
            n_correct += int(np.count_nonzero((z >= 0.0) == self.positive[lo:hi]))
            log_loss_sum += log_loss_sum_and_residual(self.sign[lo:hi], z, r, work)
            if self.loss == "mse":
                loss_sum += mse_sigmoid_sum_and_residual(self.y[lo:hi], z, r)
            grad_w += Xb.T @ r
            grad_b += float(r.sum())
        if self.loss == "log":
            loss_sum = log_loss_sum
        return loss_sum, log_loss_sum, grad_w, grad_b, n_correct


@dataclass
class _Validation:
    X: np.ndarray
    y: np.ndarray  # 0/1

    def scores(self, w: np.ndarray, b: float) -> tuple[float, float]:
        z = self.X @ w + b
        return log_loss(self.y, z), float(np.mean((z >= 0.0) == (self.y == 1)))


# ---------------------------------------------------------------------------------------


def suggested_learning_rate(X, l2: float = 0.0) -> float:
    """The safe gradient-descent step for log-loss on ``X``: ``1 / L``.

    ``L = λmax(X̃ᵀX̃) / (4n) + l2`` is the Lipschitz constant of the objective's gradient,
    with ``X̃ = [X, 1]`` (the intercept column); ``1/4`` bounds the sigmoid's slope.
    With this step GD never increases the loss. ``X`` has shape ``(n, d)``.
    """
    X = _as_design_matrix(X)
    n, d = X.shape
    col_sums = X.sum(axis=0)
    if d + 1 <= _GRAM_MAX_COLUMNS:
        gram = np.empty((d + 1, d + 1))
        gram[:d, :d] = X.T @ X
        gram[:d, d] = gram[d, :d] = col_sums
        gram[d, d] = n
        top = float(np.linalg.eigvalsh(gram)[-1])
    else:
        from scipy.sparse.linalg import LinearOperator, eigsh

        def gram_times(v):
            v = np.ravel(v)
            Xv = X @ v[:d] + v[d]
            return np.concatenate([X.T @ Xv, [Xv.sum()]])

        op = LinearOperator((d + 1, d + 1), matvec=gram_times, dtype=np.float64)
        top = float(eigsh(op, k=1, which="LA", return_eigenvectors=False)[0])
    lipschitz = top / (4.0 * n) + float(l2)
    return 1.0 / lipschitz


class LogisticRegressionGD(ClassifierMixin, BaseEstimator):
    """Binary logistic regression on log-loss with a visible training history.

    Parameters
    ----------
    learning_rate : float > 0 or "auto", default 0.5
        GD step size. ``"auto"`` uses :func:`suggested_learning_rate` (``1/L``), the
        largest step guaranteed never to increase the log-loss. Ignored by ``"lbfgs"``.
    max_epochs : int >= 1, default 1000
        GD epochs, or L-BFGS iterations.
    l2 : float >= 0, default 0.0
        Strength of the ``(l2/2)·||w||²`` penalty added to the *mean* log-loss; the
        intercept is not penalised. Equivalent to scikit-learn's ``C = 1 / (l2 · n)``.
    tol : float >= 0, default 1e-7
        GD stops ("converged") when the objective changes by less than ``tol`` in an
        epoch. For L-BFGS it is the gradient tolerance (scikit-learn's meaning).
    solver : {"gd", "lbfgs"}, default "gd"
    loss : {"log", "mse"}, default "log"
        ``"mse"`` trains mean squared error between ``σ(z)`` and ``y`` instead (GD only),
        for the lesson on why that is the wrong cost.

    Attributes
    ----------
    classes_ : ndarray, shape (2,)
        Sorted labels; ``classes_[1]`` is the positive class.
    coef_ : ndarray, shape (1, d);  intercept_ : ndarray, shape (1,)
    history_ : pandas.DataFrame
        One row per epoch/iteration with columns :data:`HISTORY_COLUMNS`. Row ``k``
        describes the model after ``k`` updates; the last row is the fitted model.
        ``train_loss`` is the optimised data loss without the L2 term (log-loss, or MSE
        for ``loss="mse"``); ``val_*`` are NaN without validation data.
    coef_history_ : ndarray, shape (k, d);  intercept_history_ : ndarray, shape (k,)
        The weights after epochs ``snapshot_epochs_`` (shape (k,), increasing, ending at
        ``n_epochs_``): every epoch, or at most :data:`MAX_SNAPSHOTS` evenly spaced ones
        for a long run. The last row equals ``coef_``/``intercept_``; see :meth:`weights_at`.
    n_epochs_ : int
    stop_reason_ : {"converged", "max_epochs", "stopped", "diverged"}
        See :data:`STOP_REASONS`. A diverged fit keeps its last (bad) weights so the
        history tells the truth about the learning rate.
    n_features_in_ : int
    """

    def __init__(self, learning_rate=0.5, max_epochs=1000, l2=0.0, tol=1e-7, solver="gd", loss="log"):
        self.learning_rate = learning_rate
        self.max_epochs = max_epochs
        self.l2 = l2
        self.tol = tol
        self.solver = solver
        self.loss = loss

    # -- parameters ---------------------------------------------------------------------

    def _check_params(self) -> None:
        def number(name, value, *, positive):
            ok = isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)
            if not ok or value < 0 or (positive and value == 0):
                bound = "a positive" if positive else "a non-negative"
                raise DataError(f"{name} must be {bound} finite number; got {value!r}.")

        if self.solver not in ("gd", "lbfgs"):
            raise DataError(f"solver must be 'gd' or 'lbfgs'; got {self.solver!r}.")
        if self.loss not in ("log", "mse"):
            raise DataError(f"loss must be 'log' or 'mse'; got {self.loss!r}.")
        if self.loss == "mse" and self.solver != "gd":
            raise DataError("loss='mse' is only for the gradient-descent lesson; use solver='gd'.")
        if self.learning_rate != "auto":
            number("learning_rate", self.learning_rate, positive=True)
        number("l2", self.l2, positive=False)
        number("tol", self.tol, positive=False)
        if isinstance(self.max_epochs, bool) or not isinstance(self.max_epochs, Integral) or self.max_epochs < 1:
            raise DataError(f"max_epochs must be a whole number ≥ 1; got {self.max_epochs!r}.")

    # -- fitting ------------------------------------------------------------------------

    def fit(self, X, y, *, X_val=None, y_val=None, on_epoch: Callable[[dict], object] | None = None):
        """Train on ``X`` (shape ``(n, d)``) and labels ``y`` (shape ``(n,)``, exactly two classes).

        ``X_val``/``y_val`` (optional, together) are scored after every epoch.
        ``on_epoch(record)`` is called after every epoch (GD) or iteration (L-BFGS) with a
        dict of :data:`HISTORY_COLUMNS`; returning ``False`` stops training
        (``stop_reason_ == "stopped"``) and keeps the model of that record.
        Raises :class:`core.errors.DataError` for invalid input or parameters.
        """
        self._check_params()
        feature_names = getattr(X, "columns", None)
        Xf = _as_design_matrix(X)
        classes, y01 = _labels(y, Xf.shape[0])
        _require_two_classes(classes)
        validation = self._validation(X_val, y_val, classes, Xf.shape[1])

        self.classes_ = classes
        self.n_features_in_ = Xf.shape[1]
        if feature_names is not None and all(isinstance(c, str) for c in feature_names):
            self.feature_names_in_ = np.asarray(feature_names, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_

        design = _Design(Xf, y01.astype(np.int8), self.loss)
        fit = self._fit_lbfgs if self.solver == "lbfgs" else self._fit_gd
        snapshots = _Snapshots(MAX_SNAPSHOTS)
        with _single_threaded_blas():
            w, b, records, reason = fit(design, validation, on_epoch, snapshots)

        self.coef_ = w.reshape(1, -1)
        self.intercept_ = np.array([b])
        self.snapshot_epochs_, self.coef_history_, self.intercept_history_ = snapshots.finish(len(records), w, b)
        self.history_ = pd.DataFrame.from_records(records, columns=list(HISTORY_COLUMNS))
        self.history_["epoch"] = self.history_["epoch"].astype(np.int64)
        self.n_epochs_ = len(records)
        self.stop_reason_ = reason
        return self

    @staticmethod
    def _validation(X_val, y_val, classes, d) -> _Validation | None:
        if X_val is None and y_val is None:
            return None
        if X_val is None or y_val is None:
            raise DataError("Pass both X_val and y_val for validation scores, or neither.")
        Xv = _as_design_matrix(X_val, "X_val")
        if Xv.shape[1] != d:
            raise DataError(f"X_val has {Xv.shape[1]} features but X has {d}; they must have the same columns.")
        val_classes, codes = _labels(y_val, Xv.shape[0], "y_val")
        unknown = [_plain(c) for c in val_classes if c not in set(classes.tolist())]
        if unknown:
            raise DataError(f"y_val has label(s) not seen in y: {', '.join(map(repr, unknown[:5]))}.")
        return _Validation(Xv, (val_classes[codes] == classes[1]).astype(np.float64))

    @staticmethod
    def _record(epoch, loss_sum, log_loss_sum, n_correct, n, validation, w, b) -> dict:
        val_loss, val_acc = validation.scores(w, b) if validation is not None else (math.nan, math.nan)
        return {
            "epoch": epoch,
            "train_loss": loss_sum / n,
            "train_log_loss": log_loss_sum / n,
            "val_log_loss": val_loss,
            "train_accuracy": n_correct / n,
            "val_accuracy": val_acc,
        }

    def weights_at(self, epoch: int) -> tuple[int, np.ndarray, float]:
        """The weights as they were after ``epoch`` epochs: ``(kept_epoch, coef (d,), intercept)``.

        ``kept_epoch`` is the latest snapshot at or before ``epoch`` (the same epoch when
        the run kept every one; see :data:`MAX_SNAPSHOTS`); epoch 1 is always kept.
        """
        check_is_fitted(self, "coef_history_")
        i = max(int(np.searchsorted(self.snapshot_epochs_, int(epoch), side="right")) - 1, 0)
        return int(self.snapshot_epochs_[i]), self.coef_history_[i].copy(), float(self.intercept_history_[i])

    def _fit_gd(self, design: _Design, validation, on_epoch, snapshots: _Snapshots):
        n, d = design.n, design.d
        l2 = float(self.l2)
        lr = suggested_learning_rate(design.X, l2) if self.learning_rate == "auto" else float(self.learning_rate)
        w, b = np.zeros(d), 0.0
        records: list[dict] = []
        previous = start = math.nan
        above_start = 0
        epoch = 0
        while True:
            # Evaluating at the current weights gives both the record for the epoch just
            # finished and the gradient for the next step: one pass over X per epoch.
            loss_sum, log_loss_sum, grad_w, grad_b, n_correct = design.evaluate(w, b)
            objective = loss_sum / n + 0.5 * l2 * float(w @ w)
            if epoch == 0:
                start = objective
            else:
                record = self._record(epoch, loss_sum, log_loss_sum, n_correct, n, validation, w, b)
                records.append(record)
                snapshots.add(epoch, w, b)
                above_start = above_start + 1 if objective > start else 0
                if on_epoch is not None and on_epoch(dict(record)) is False:
                    return w, b, records, "stopped"
                if (
                    not math.isfinite(objective)
                    or objective > _DIVERGE_FACTOR * start
                    or above_start >= _DIVERGE_PATIENCE
                ):
                    return w, b, records, "diverged"
                if abs(previous - objective) < self.tol:
                    return w, b, records, "converged"
                if epoch >= self.max_epochs:
                    return w, b, records, "max_epochs"
            previous = objective
            w = w - lr * (grad_w / n + l2 * w)
            b = b - lr * (grad_b / n)
            epoch += 1

    def _fit_lbfgs(self, design: _Design, validation, on_epoch, snapshots: _Snapshots):
        n, d, X = design.n, design.d, design.X
        l2 = float(self.l2)
        # Change of variables w = u / scale, b = c - center·w: L-BFGS sees unit-scale,
        # centred columns while the objective (and so the optimum) is unchanged.
        center = X.mean(axis=0)
        scale = np.empty(d)
        buffer = np.empty(n)
        for j in range(d):
            np.subtract(X[:, j], center[j], out=buffer)
            with np.errstate(over="ignore"):
                squares = float(buffer @ buffer)
            # A spread above ~1e154 overflows the sum of squares and one below ~1e-154 underflows
            # it: then the spread is measured in units of the column's largest deviation.
            peak = float(np.max(np.abs(buffer))) if not 1e-280 < squares < math.inf else 0.0
            if peak > 0 and math.isfinite(peak):
                np.divide(buffer, peak, out=buffer)
                scale[j] = peak * math.sqrt(float(buffer @ buffer) / n)
            else:
                scale[j] = math.sqrt(squares / n)
        # Constant columns, and columns whose spread is only rounding noise, keep scale 1.
        scale[~(scale > 1e-12 * np.abs(center))] = 1.0

        def unpack(theta):
            w = theta[:d] / scale
            return w, float(theta[d] - center @ w)

        last = {}

        def objective_and_gradient(theta):
            w, b = unpack(theta)
            loss_sum, log_loss_sum, grad_w, grad_b, n_correct = design.evaluate(w, b)
            grad_w = grad_w / n + l2 * w
            grad_b /= n
            grad = np.empty(d + 1)
            grad[:d] = (grad_w - center * grad_b) / scale
            grad[d] = grad_b
            last.update(theta=theta.copy(), stats=(loss_sum, log_loss_sum, n_correct))
            # No penalty term without l2: w @ w overflows for a feature in units of 1e-200.
            return loss_sum / n + (0.5 * l2 * float(w @ w) if l2 else 0.0), grad

        records: list[dict] = []
        stopped = False

        def callback(intermediate_result):
            nonlocal stopped
            theta = intermediate_result.x
            w, b = unpack(theta)
            if not np.array_equal(theta, last.get("theta")):
                objective_and_gradient(theta)
            loss_sum, log_loss_sum, n_correct = last["stats"]
            record = self._record(len(records) + 1, loss_sum, log_loss_sum, n_correct, n, validation, w, b)
            records.append(record)
            snapshots.add(len(records), w, b)
            if on_epoch is not None and on_epoch(dict(record)) is False:
                stopped = True
                raise StopIteration

        prior = float(design.y.mean())
        theta0 = np.zeros(d + 1)
        theta0[d] = math.log(prior / (1.0 - prior))  # start at the base rate's log-odds
        result = optimize.minimize(
            objective_and_gradient,
            theta0,
            jac=True,
            method="L-BFGS-B",
            callback=callback,
            options={"maxiter": self.max_epochs, "maxls": 50, "gtol": self.tol, "ftol": 64 * np.finfo(float).eps},
        )
        w, b = unpack(result.x)
        if stopped:
            reason = "stopped"
        elif not (math.isfinite(result.fun) and np.all(np.isfinite(w)) and math.isfinite(b)):
            reason = "diverged"
        elif result.nit >= self.max_epochs:
            reason = "max_epochs"
        else:
            reason = "converged"
        if not records:  # converged at the start point: record it so history_ is never empty
            loss_sum, log_loss_sum, _, _, n_correct = design.evaluate(w, b)
            records.append(self._record(1, loss_sum, log_loss_sum, n_correct, n, validation, w, b))
        return w, b, records, reason

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    # -- prediction ---------------------------------------------------------------------

    def _features(self, X) -> np.ndarray:
        check_is_fitted(self, "coef_")
        Xf = _as_design_matrix(X)
        if Xf.shape[1] != self.n_features_in_:
            raise DataError(
                f"X has {Xf.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input (the columns it was trained on)."
            )
        return Xf

    def decision_function(self, X) -> np.ndarray:
        """Logits ``X @ w + b``, shape ``(n,)``; ≥ 0 means predicted positive."""
        return self._features(X) @ self.coef_[0] + self.intercept_[0]

    def predict_proba(self, X) -> np.ndarray:
        """Shape ``(n, 2)``: columns are P(``classes_[0]``) and P(``classes_[1]``)."""
        z = self.decision_function(X)
        return np.column_stack([sigmoid(-z), sigmoid(z)])

    def predict_log_proba(self, X) -> np.ndarray:
        """Shape ``(n, 2)``: log-probabilities from the logits (finite where probabilities round to 0)."""
        z = self.decision_function(X)
        return np.column_stack([-softplus(z), -softplus(-z)])

    def predict(self, X) -> np.ndarray:
        """Predicted labels, shape ``(n,)``: ``classes_[1]`` where the probability is ≥ 0.5."""
        positive = self.decision_function(X) >= 0.0
        return self.classes_[positive.astype(np.intp)]
