"""Can the scores be read as probabilities, and is acting on them better than not?

- ``reliability_curve``: observed share of positives against the mean predicted probability
  per bin (uniform or quantile bins), equal to ``sklearn.calibration.calibration_curve``.
- ``brier_score``: mean squared error of the probabilities, equal to ``brier_score_loss``.
- ``decision_curve``: net benefit per case (Vickers & Elkin, 2006) at probability
  thresholds ``t``: ``NB(t) = TP/n - FP/n * t / (1 - t)``, where flagging at ``t`` treats
  a false positive as ``t / (1 - t)`` of a true positive (the exchange rate at which a
  calibrated ``p = t`` is a coin toss between acting and not). Compared with "treat all"
  (flag everybody) and "treat none" (0).

Each takes optional ``sample_weight`` (cases per row). ``core.analysis`` calls them on the
cases it has already sorted (``reliability_curve`` and ``brier_score`` do not need an order;
``decision_curve_of_sweep`` reads the sweep), so the scores are sorted once per analysis.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from core.errors import DataError
from core.thresholds import Sweep, _validate_weights, threshold_sweep, validate_labels_scores

__all__ = ["brier_score", "decision_curve", "decision_curve_of_sweep", "reliability_curve"]


def _probabilities(y_true: Any, proba: Any, what: str) -> tuple[np.ndarray, np.ndarray]:
    y, p = validate_labels_scores(y_true, proba)
    if p.min() < 0 or p.max() > 1:
        raise DataError(
            f"The {what} needs probabilities between 0 and 1, but the scores range from "
            f"{p.min():.4g} to {p.max():.4g}. Use a model's predicted probabilities."
        )
    return y, p


def _weights(sample_weight: Any, n: int) -> np.ndarray | None:
    return None if sample_weight is None else _validate_weights(sample_weight, n)


def _case_percentiles(p: np.ndarray, w: np.ndarray, qs: np.ndarray) -> np.ndarray:
    """``np.percentile`` (linear) of the cases the rows stand for: row ``i`` counted ``w[i]`` times.

    For whole counts this equals ``np.percentile(np.repeat(p, w), qs * 100)`` without writing the
    cases out; fractional weights extend the same rule.
    """
    order = np.argsort(p, kind="stable")
    sorted_p, cumulative = p[order], np.cumsum(w[order])
    # numpy's own arithmetic, step by step (percent -> fraction, then its lerp), so an edge that
    # falls on a score is that score to the last bit, as it is for the written-out cases.
    position = (np.asarray(qs, dtype=float) * 100 / 100) * (cumulative[-1] - 1)  # 0-based, among the cases
    below = np.floor(position)

    def case(k: np.ndarray) -> np.ndarray:  # the score of written-out case k: the first row whose cases reach past k
        return sorted_p[np.minimum(np.searchsorted(cumulative, k, side="right"), len(sorted_p) - 1)]

    low, high = case(below), case(below + 1)
    t = position - below
    step = high - low
    return np.where(t >= 0.5, high - step * (1 - t), low + step * t)


def reliability_curve(
    y_true: Any, proba: Any, n_bins: int = 10, strategy: str = "uniform", *, sample_weight: Any = None
) -> pd.DataFrame:
    """Reliability (calibration) curve: one row per non-empty bin, in bin order.

    ``y_true``: shape (n,), 0/1. ``proba``: shape (n,), in [0, 1]. ``strategy="uniform"``:
    ``n_bins`` equal-width bins on [0, 1]; ``"quantile"``: edges at the quantiles of
    ``proba`` (bins of about equal count; tied edges give fewer bins). Columns:
    ``mean_predicted`` (mean probability in the bin), ``fraction_positive`` (share of
    positives), ``count`` (cases, or weight). The first two equal ``calibration_curve``'s
    ``prob_pred``/``prob_true``.
    """
    y, p = _probabilities(y_true, proba, "calibration curve")
    w = _weights(sample_weight, len(p))
    try:
        n_bins = int(n_bins)
    except (TypeError, ValueError):
        raise DataError(f"The number of bins must be a whole number, got {n_bins!r}.") from None
    if n_bins < 1:
        raise DataError(f"Use at least one bin, got {n_bins}.")
    if strategy == "uniform":
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    elif strategy == "quantile":
        qs = np.linspace(0, 1, n_bins + 1)
        edges = np.percentile(p, qs * 100) if w is None else _case_percentiles(p, w, qs)
    else:
        raise DataError(f"The binning must be 'uniform' or 'quantile', got {strategy!r}.")
    # Same binning as scikit-learn: interior edges, left-closed search.
    bins = np.searchsorted(edges[1:-1], p)
    total = np.bincount(bins, weights=w, minlength=n_bins)
    if w is None:
        total = total.astype(np.int64)
    sums = np.bincount(bins, weights=p if w is None else p * w, minlength=n_bins)
    positives = np.bincount(bins, weights=y if w is None else y * w, minlength=n_bins)
    kept = total != 0
    return pd.DataFrame(
        {
            "mean_predicted": sums[kept] / total[kept],
            "fraction_positive": positives[kept] / total[kept],
            "count": total[kept],
        }
    )


def brier_score(y_true: Any, proba: Any, *, sample_weight: Any = None) -> float:
    """Mean of ``(proba - y_true)**2`` (weighted); 0 is perfect, 0.25 is a constant 0.5. Shapes (n,)."""
    y, p = _probabilities(y_true, proba, "Brier score")
    return float(np.average((p - y) ** 2, weights=_weights(sample_weight, len(p))))


def decision_curve(y_true: Any, scores: Any, thresholds: Any = None) -> pd.DataFrame:
    """Net benefit of acting on ``scores >= t`` against flagging everybody or nobody.

    ``y_true``/``scores``: shape (n,); scores must be probabilities in [0, 1].
    ``thresholds``: probability thresholds in [0, 1) (default 0.01, 0.02, ..., 0.99).
    Returns DataFrame[threshold, model, treat_all, treat_none], one row per threshold:
    ``model = TP/n - FP/n * t/(1-t)`` with the counts at ``scores >= t``,
    ``treat_all`` the same with everybody flagged, ``treat_none = 0``. O(n log n) once,
    then O(log n) per threshold.
    """
    y, p = _probabilities(y_true, scores, "decision curve")
    return decision_curve_of_sweep(threshold_sweep(y, p), thresholds)


def decision_curve_of_sweep(sweep: Sweep, thresholds: Any = None) -> pd.DataFrame:
    """``decision_curve`` from a sweep of probabilities (no sort; weights as in the sweep)."""
    if sweep.score_min < 0 or sweep.score_max > 1:
        raise DataError(
            f"The decision curve needs probabilities between 0 and 1, but the scores range from "
            f"{sweep.score_min:.4g} to {sweep.score_max:.4g}. Use a model's predicted probabilities."
        )
    t = np.arange(1, 100) / 100 if thresholds is None else np.asarray(thresholds, dtype=np.float64).ravel()
    if t.size and (np.isnan(t).any() or t.min() < 0 or t.max() >= 1):
        raise DataError("Decision-curve thresholds must be probabilities from 0 up to (not including) 1.")
    idx = sweep.index(t)
    n = sweep.n
    odds = t / (1 - t)
    model = sweep.tp[idx] / n - sweep.fp[idx] / n * odds
    treat_all = sweep.n_pos / n - sweep.n_neg / n * odds
    return pd.DataFrame({"threshold": t, "model": model, "treat_all": treat_all, "treat_none": np.zeros(t.size)})
