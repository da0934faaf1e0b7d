"""The recommendation objectives: each one defined once, here.

An ``Objective`` says what it is called, which setting it takes (a share such as the minimum
precision), how it picks an entry of a sweep, and what it says when no threshold satisfies
it. ``core.thresholds.recommend_threshold``, ``core.uncertainty.bootstrap_threshold`` and the
Threshold page iterate ``REGISTRY``; adding an objective means adding one entry below.

``choose`` works on ``core.thresholds.confusion_metrics`` arrays along the last axis — shape
(m+1,) for a sweep or (B, m+1) for bootstrap resamples — and returns the picked index, -1
where nothing qualifies. Ties go to the lowest index (the highest threshold: fewest flagged).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np

from core.errors import DataError

__all__ = ["Objective", "Parameter", "REGISTRY", "get", "check_parameters"]


@dataclass(frozen=True)
class Parameter:
    """The one setting an objective takes: a share in [0, 1].

    ``name`` is the keyword (``min_precision``); ``what`` names it in messages; ``label``,
    ``default``, ``low``, ``high``, ``step`` describe the input a page shows, whose value is
    divided by ``scale`` to give the share (a percentage input has ``scale=100``).
    """

    name: str
    what: str
    label: str
    default: float
    low: float = 0.0
    high: float = 1.0
    step: float = 0.05
    scale: float = 1.0


@dataclass(frozen=True)
class Objective:
    """One recommendation objective (see the module docstring)."""

    key: str
    label: str
    choose: Callable[..., np.ndarray]
    parameter: Parameter | None = None
    needs_costs: bool = False
    # (metrics of the sweep, thresholds, the share) -> what to tell the user when nothing qualifies.
    infeasible: Callable[[Mapping[str, np.ndarray], np.ndarray, float], str] | None = None


def _min_cost(metrics: Mapping[str, np.ndarray]) -> np.ndarray:
    return np.argmin(metrics["cost"], axis=-1)


def _max_f1(metrics: Mapping[str, np.ndarray]) -> np.ndarray:
    return np.argmax(metrics["f1"], axis=-1)


def _youden(metrics: Mapping[str, np.ndarray]) -> np.ndarray:
    return np.argmax(metrics["recall"] - metrics["fpr"], axis=-1)


def _best_where(ok: np.ndarray, score: np.ndarray) -> np.ndarray:
    best = np.argmax(np.where(ok, score, -1.0), axis=-1)
    return np.where(np.any(ok, axis=-1), best, -1)


def _recall_at_precision(metrics: Mapping[str, np.ndarray], min_precision: float) -> np.ndarray:
    ok = (metrics["precision"] >= min_precision - 1e-12) & (metrics["tp"] + metrics["fp"] > 0)
    return _best_where(ok, metrics["recall"])


def _precision_at_recall(metrics: Mapping[str, np.ndarray], min_recall: float) -> np.ndarray:
    ok = metrics["recall"] >= min_recall - 1e-12
    precision = np.where(ok, metrics["precision"], -1.0)
    # Highest precision; among equal precisions, the higher recall.
    best = ok & (precision == np.max(precision, axis=-1, keepdims=True))
    return _best_where(ok, np.where(best, metrics["recall"], -1.0))


def _capacity(metrics: Mapping[str, np.ndarray], capacity: float) -> np.ndarray:
    ok = metrics["positive_rate"] <= capacity + 1e-12
    return _best_where(ok, metrics["positive_rate"])


def _no_precision(metrics: Mapping[str, np.ndarray], thresholds: np.ndarray, share: float) -> str:
    finite = len(thresholds) - 1
    best = int(np.argmax(metrics["precision"][:finite]))
    return (
        f"No threshold reaches precision {share:g}; the best this model reaches is "
        f"{metrics['precision'][best]:.3f} (at {thresholds[best]:g}). Lower the required precision."
    )


def _no_recall(metrics: Mapping[str, np.ndarray], thresholds: np.ndarray, share: float) -> str:
    return f"No threshold reaches recall {share:g}. Lower the required recall."


REGISTRY: dict[str, Objective] = {
    objective.key: objective
    for objective in (
        Objective("min_cost", "Lowest business cost", _min_cost, needs_costs=True),
        Objective("max_f1", "Highest F1", _max_f1),
        Objective("youden", "Best balance (Youden's J)", _youden),
        Objective(
            "recall_at_precision",
            "Highest recall with precision ≥ p",
            _recall_at_precision,
            Parameter("min_precision", "minimum precision", "Minimum precision", 0.8),
            infeasible=_no_precision,
        ),
        Objective(
            "precision_at_recall",
            "Highest precision with recall ≥ r",
            _precision_at_recall,
            Parameter("min_recall", "minimum recall", "Minimum recall", 0.8),
            infeasible=_no_recall,
        ),
        Objective(
            "capacity",
            "Flag at most k% of cases",
            _capacity,
            Parameter("capacity", "share of cases you can flag", "Share of cases you can handle (%)", 10.0,
                      low=0.1, high=100.0, step=1.0, scale=100.0),
        ),
    )
}


def get(key: str) -> Objective:
    """The objective named ``key``; ``DataError`` listing the known keys otherwise."""
    try:
        return REGISTRY[key]
    except KeyError:
        raise DataError(f"Unknown objective {key!r}; choose one of {', '.join(REGISTRY)}.") from None


def _check_share(value: Any, label: str, what: str) -> float:
    if value is None:
        raise DataError(f"Enter the {what} for the objective “{label}”.")
    try:
        share = float(value)
    except (TypeError, ValueError):
        raise DataError(f"The {what} must be a number between 0 and 1, got {value!r}.") from None
    if not 0 <= share <= 1:
        raise DataError(f"The {what} must be between 0 and 1 (for example 0.1 for 10%), got {value!r}.")
    return share


def check_parameters(objective: Objective, settings: Mapping[str, Any]) -> dict[str, float]:
    """The objective's own setting from ``settings`` (others are ignored), validated as a share.

    Raises ``DataError`` for unknown keywords, a missing or out-of-range share.
    """
    known = {p.parameter.name for p in REGISTRY.values() if p.parameter is not None}
    extra = set(settings) - known
    if extra:
        raise DataError(f"Unexpected setting(s) for the objective: {', '.join(sorted(extra))}.")
    if objective.parameter is None:
        return {}
    name = objective.parameter.name
    return {name: _check_share(settings.get(name), objective.label, objective.parameter.what)}
