"""A saved setting of the Threshold page, typed: ``Scenario``.

A scenario is what a user keeps to compare later: the threshold, the costs it was judged by
(fixed and per-case percentages), the numbers at that threshold, the review band if one was
used, the plain-words sentence, and which scores it was computed on (``evaluation``: the
evaluation's fingerprint, so a report never sets a scenario against other scores).

``Scenario.to_dict`` gives plain JSON types only (str, float, None) — the session keeps
scenarios in that form, the Report page reads it, and the workspace file stores it as JSON;
``Scenario.from_dict`` reads one back (older records without the newer keys included).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

from core.costs import CostMatrix
from core.errors import DataError

__all__ = ["Scenario"]


def _number_or_none(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class Scenario:
    """One saved setting (see the module docstring). Money fields are in ``currency``."""

    name: str
    threshold: float
    fp_cost: float
    fn_cost: float
    tp_value: float = 0.0
    tn_value: float = 0.0
    currency: str = "$"
    precision: float = float("nan")
    recall: float = float("nan")
    f1: float = float("nan")
    accuracy: float = float("nan")
    cost: float | None = None
    objective: str | None = None
    review_rate: float | None = None
    review_cost: float | None = None
    review_total_cost: float | None = None
    explanation: str | None = None
    evaluated_on: str = ""
    fp_pct: float = 0.0
    fn_pct: float = 0.0
    tp_pct: float = 0.0
    tn_pct: float = 0.0
    amount_column: str | None = None
    positive_rate: float | None = None  # the production positive rate assumed, if not the data's
    evaluation: Any = None  # the evaluation's fingerprint (JSON-able), if known
    segments: dict | None = None  # core.segments.segments_payload: the By segment table, if any

    @classmethod
    def of(cls, *, name: str, threshold: float, costs: CostMatrix, point: Any, **extra: Any) -> Scenario:
        """A scenario from the costs and the ``OperatingPoint`` at ``threshold``."""
        return cls(
            name=str(name),
            threshold=float(threshold),
            fp_cost=costs.fp_cost,
            fn_cost=costs.fn_cost,
            tp_value=costs.tp_value,
            tn_value=costs.tn_value,
            currency=costs.currency,
            fp_pct=costs.fp_pct,
            fn_pct=costs.fn_pct,
            tp_pct=costs.tp_pct,
            tn_pct=costs.tn_pct,
            precision=float(point.precision),
            recall=float(point.recall),
            f1=float(point.f1),
            accuracy=float(point.accuracy),
            cost=None if point.cost is None else float(point.cost),
            **{key: _number_or_none(value) if key.startswith("review_") else value for key, value in extra.items()},
        )

    @property
    def costs(self) -> CostMatrix:
        return CostMatrix(self.fp_cost, self.fn_cost, self.tp_value, self.tn_value, self.currency,
                          fp_pct=self.fp_pct, fn_pct=self.fn_pct, tp_pct=self.tp_pct, tn_pct=self.tn_pct)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types only (a fingerprint tuple becomes a list)."""
        out = asdict(self)
        if isinstance(out["evaluation"], tuple):
            out["evaluation"] = list(out["evaluation"])
        return out

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> Scenario:
        """Read a ``to_dict`` record back; unknown keys are ignored, missing ones default.

        Raises ``DataError`` when the name, threshold or fixed costs are missing or not numbers.
        """
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in record.items() if key in known}
        try:
            values["name"] = str(values["name"])
            for key in ("threshold", "fp_cost", "fn_cost"):
                values[key] = float(values[key])
        except (KeyError, TypeError, ValueError):
            raise DataError(
                "This saved scenario is incomplete: it needs a name, a threshold and the costs of a false "
                "positive and a false negative."
            ) from None
        if isinstance(values.get("evaluation"), list):
            values["evaluation"] = tuple(values["evaluation"])
        return cls(**values)
