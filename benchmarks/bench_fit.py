"""Fitting speed of core.model.LogisticRegressionGD against scikit-learn, measured in one run.

    python benchmarks/bench_fit.py            # n = 10k and 100k rows × 20 features
    python benchmarks/bench_fit.py --large    # also 1M rows

For each size it prints medians (of --repeat runs, default 5) of:
* scikit-learn ``LogisticRegression(C=np.inf)`` (lbfgs, default tol) — the reference;
* our ``solver="lbfgs"`` (default tol), with the loss gap to scikit-learn's solution;
* our ``solver="gd"`` with ``learning_rate="auto"`` until its loss is within 1e-6 of
  scikit-learn's (stopped by the ``on_epoch`` callback, as the Train page would);
* a Newton/IRLS solver with a Cholesky solve — the alternative we measured and rejected
  (BLAS single-threaded, as it would run inside our fit);
* one GD epoch (median over 60) against one bare ``X @ w`` + ``Xᵀ r`` pass over the same Fortran-ordered X,
  with numpy's default BLAS threads and with one thread (fits run BLAS single-threaded;
  see ``core.model``).

The problem is unpenalised (``l2=0``) so that the callback's ``train_loss`` is the full
objective; the data are a fixed-seed logistic model with noisy labels (not separable).
Targets: our lbfgs ≤ 1.0× scikit-learn at 100k×20; one GD epoch ≤ 3× the bare pass.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np
import scipy.linalg
from _common import SMOKE_HELP, median_seconds, print_row
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from core.losses import log_loss, sigmoid
from core.model import LogisticRegressionGD

N_FEATURES = 20


def make_data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, N_FEATURES))
    beta = rng.normal(scale=0.5, size=N_FEATURES)
    y = (rng.random(n) < sigmoid(X @ beta - 0.5)).astype(np.int64)
    return X, y


def newton_irls(X: np.ndarray, y: np.ndarray, tol: float = 1e-7, max_iter: int = 50) -> np.ndarray:
    """Unpenalised Newton/IRLS with a Cholesky solve; returns [w, b]. Measured, not shipped."""
    n, d = X.shape
    Xa = np.empty((n, d + 1), order="F")
    Xa[:, :d] = X
    Xa[:, d] = 1.0
    theta = np.zeros(d + 1)
    for _ in range(max_iter):
        p = sigmoid(Xa @ theta)
        grad = Xa.T @ (p - y) / n
        if np.abs(grad).max() < tol:
            break
        hessian = (Xa.T * (p * (1.0 - p))) @ Xa / n
        theta -= scipy.linalg.cho_solve(scipy.linalg.cho_factor(hessian), grad)
    return theta


def bench(n: int, repeat: int) -> None:
    X, y = make_data(n)
    print(f"\n{n:,} rows × {N_FEATURES} features (median of {repeat})")

    def fit_sklearn():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning at default max_iter is part of the reference
            return LogisticRegression(C=np.inf).fit(X, y)

    reference = fit_sklearn()
    ref_loss = log_loss(y, reference.decision_function(X))
    target = ref_loss + 1e-6
    t_sklearn = median_seconds(fit_sklearn, repeat)
    print_row("scikit-learn lbfgs", t_sklearn)

    ours = LogisticRegressionGD(solver="lbfgs")
    t_lbfgs = median_seconds(lambda: ours.fit(X, y), repeat)
    gap = log_loss(y, ours.decision_function(X)) - ref_loss
    print_row(f"our lbfgs ({ours.n_epochs_} it, loss gap {gap:+.1e})", t_lbfgs, t_sklearn)

    with threadpool_limits(1, user_api="blas"):  # as our fits run (see core.model)
        theta = newton_irls(X, y)
        t_newton = median_seconds(lambda: newton_irls(X, y), repeat)
    gap = log_loss(y, X @ theta[:-1] + theta[-1]) - ref_loss
    print_row(f"Newton/IRLS + Cholesky (loss gap {gap:+.1e})", t_newton, t_sklearn)

    gd = LogisticRegressionGD(solver="gd", learning_rate="auto", tol=0.0, max_epochs=100_000)
    fit_gd = lambda: gd.fit(X, y, on_epoch=lambda record: record["train_loss"] > target)  # noqa: E731
    t_gd = median_seconds(fit_gd, repeat)
    print_row(f"our gd to sklearn's loss + 1e-6 ({gd.n_epochs_} epochs)", t_gd, t_sklearn)

    # One epoch = the median gap between successive on_epoch calls over 60 epochs (robust
    # to the odd preemption on a shared machine), on an already Fortran-ordered X.
    Xf = np.asfortranarray(X)
    stamps: list[float] = []
    LogisticRegressionGD(max_epochs=60, tol=0.0).fit(Xf, y, on_epoch=lambda record: stamps.append(time.perf_counter()))
    t_epoch = statistics.median(np.diff(stamps))
    w, r = np.ones(N_FEATURES), np.ones(n)
    bare_pass = lambda: (Xf @ w, Xf.T @ r)  # noqa: E731
    t_bare = median_seconds(bare_pass, max(repeat, 20))
    with threadpool_limits(1, user_api="blas"):
        t_bare_1 = median_seconds(bare_pass, max(repeat, 20))
    print_row("one gd epoch", t_epoch, t_bare, "bare X@w + Xᵀr")
    print_row("one gd epoch (fits run BLAS on one thread)", t_epoch, t_bare_1, "same, 1 thread")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="also run 1,000,000 rows")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per measurement (median; at least 5)")
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    args = parser.parse_args()
    if args.smoke:
        bench(2_000, 1)
        return
    sizes = [10_000, 100_000] + ([1_000_000] if args.large else [])
    for n in sizes:
        bench(n, max(args.repeat, 5))


if __name__ == "__main__":
    main()
