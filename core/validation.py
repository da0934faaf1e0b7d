"""How a trained model is checked: the overfitting rule and cross-validation.

* :func:`is_overfitting`: the Train page's warning rule (validation log-loss clearly above
  the training one after a run that trained properly).
* :func:`cross_validate`: one model per fold of a :class:`core.features.FoldedData`, each
  scored on the rows it never saw, so every row gets an out-of-fold score (the mean over
  repeats in a repeated k-fold); then the final model, refit on all cross-validated rows,
  is the one exported.
* :func:`threshold_spread`: how much the lowest-cost threshold, and the cost of the chosen
  one, vary from fold to fold: the stability the Report shows.

The validation rule for a table (cross-validation or a hold-out split) is
``core.setup.default_validation``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.costs import CostMatrix
from core.errors import DataError
from core.features import FoldedData
from core.losses import log_loss_from_proba
from core.model import LogisticRegressionGD
from core.thresholds import recommend_threshold, threshold_sweep

__all__ = [
    "OVERFITTING_GAP", "is_overfitting", "CrossValidation", "cross_validate", "threshold_spread",
    "describe_spread",
]

#: A validation log-loss this much above the training log-loss is called overfitting. On
#: the demos a well-regularised model sits within a few hundredths; 0.1 is a clear gap.
OVERFITTING_GAP = 0.1


def is_overfitting(train_log_loss: float, val_log_loss: float, stop_reason: str) -> bool:
    """Whether to warn that the model fits its training rows better than new ones.

    A diverged run (``stop_reason == "diverged"``) is not overfitting, whatever its gap:
    its weights are simply bad. Non-finite losses never warn.
    """
    gap = float(val_log_loss) - float(train_log_loss)
    return stop_reason != "diverged" and math.isfinite(gap) and gap > OVERFITTING_GAP


@dataclass
class CrossValidation:
    """The outcome of :func:`cross_validate`.

    ``models[i]`` was fitted on ``folded.folds[i]``'s training rows; ``held_scores[i]`` is
    its P(positive) on that fold's held-out rows. ``oof`` (shape ``(len(folded.rows),)``)
    is every row's out-of-fold score, averaged over repeats; ``final`` is refit on all
    cross-validated rows (``folded.final``).
    """

    folded: FoldedData
    models: list[LogisticRegressionGD]
    held_scores: list[np.ndarray]
    oof: np.ndarray
    final: LogisticRegressionGD

    @property
    def histories(self) -> list[pd.DataFrame]:
        """Each fold's history: ``train_*`` on its training rows, ``val_*`` on its held-out fold."""
        return [m.history_ for m in self.models]

    @property
    def usable(self) -> bool:
        """Every fold model trained properly and every score is finite."""
        return all(m.stop_reason_ != "diverged" for m in self.models) and bool(np.all(np.isfinite(self.oof)))

    def oof_log_loss(self) -> float:
        return float(np.mean(log_loss_from_proba(self.folded.y, self.oof)))


def cross_validate(
    folded: FoldedData,
    make_model: Callable[[], LogisticRegressionGD],
    *,
    on_epoch: Callable[[int, dict], object] | None = None,
) -> CrossValidation:
    """Fit ``make_model()`` on each fold (scored after every epoch on its held-out fold), then
    on all rows. ``on_epoch(fold_index, record)`` sees every fold's epochs (the final
    refit's too, as fold index ``len(folds)``). Raises ``DataError`` from the model."""
    models, held_scores = [], []
    total = np.zeros(len(folded.y))
    times = np.zeros(len(folded.y))
    for i, fold in enumerate(folded.folds):
        callback = None if on_epoch is None else (lambda record, i=i: on_epoch(i, record))
        model = make_model().fit(fold.X_train, fold.y_train, X_val=fold.X_held, y_val=fold.y_held,
                                 on_epoch=callback)
        scores = model.predict_proba(fold.X_held)[:, 1]
        models.append(model)
        held_scores.append(scores)
        total[fold.held] += scores
        times[fold.held] += 1
    if not np.all(times == folded.repeats):  # the splitter's promise, checked: each row once per repeat
        raise RuntimeError("cross-validation did not score every row once per repeat")
    callback = None if on_epoch is None else (lambda record: on_epoch(len(folded.folds), record))
    final = make_model().fit(folded.final.X_train, folded.final.y_train, on_epoch=callback)
    return CrossValidation(folded=folded, models=models, held_scores=held_scores, oof=total / times, final=final)


def threshold_spread(cv: CrossValidation, costs: CostMatrix, threshold: float) -> pd.DataFrame:
    """Fold by fold: the lowest-cost threshold on that fold's held-out rows, and the cost per
    case there of that threshold and of the chosen ``threshold``.

    Columns ``repeat``, ``fold``, ``rows``, ``best_threshold``, ``best_cost_per_case``,
    ``chosen_cost_per_case``; one row per fold. Each fold's scores come from its own model.
    """
    if not isinstance(costs, CostMatrix):
        raise DataError("costs must be a CostMatrix.")
    rows = []
    for fold, scores in zip(cv.folded.folds, cv.held_scores):
        sweep = threshold_sweep(fold.y_held, scores, costs=costs)
        best = recommend_threshold(sweep, "min_cost")
        n = len(fold.y_held)
        rows.append({
            "repeat": fold.repeat + 1,
            "fold": fold.fold + 1,
            "rows": n,
            "best_threshold": float(best.threshold),
            "best_cost_per_case": float(sweep.at(best.threshold).cost) / n,
            "chosen_cost_per_case": float(sweep.at(threshold).cost) / n,
        })
    return pd.DataFrame(rows)


def describe_spread(spread: pd.DataFrame, threshold: float, currency: str = "$") -> str:
    """One plain-words paragraph on how stable the chosen threshold is across folds."""
    low, high = spread["best_threshold"].min(), spread["best_threshold"].max()
    cost_low, cost_high = spread["chosen_cost_per_case"].min(), spread["chosen_cost_per_case"].max()
    folds = len(spread)
    return (
        f"The threshold was chosen on the out-of-fold scores of every row: each row was scored by a model "
        f"that never saw it ({folds} folds). Chosen fold by fold, the lowest-cost threshold ranges from "
        f"{low:.3f} to {high:.3f} (median {spread['best_threshold'].median():.3f}); at the chosen threshold "
        f"{threshold:.3f}, the cost per case ranges from {_money(cost_low, currency)} to "
        f"{_money(cost_high, currency)} across the folds."
    )


def _money(value: float, currency: str) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}{currency}{abs(value):,.2f}"
