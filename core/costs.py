"""Business costs of a threshold: a cost/value matrix and what a decision rule costs in money.

Sign convention: a **cost** is positive, a **gain** is negative. Mistakes cost money
(``fp_cost`` per false positive, ``fn_cost`` per false negative); correct decisions may be
worth money (``tp_value`` per true positive, ``tn_value`` per true negative) and are
subtracted::

    cost = fp * fp_cost + fn * fn_cost - tp * tp_value - tn * tn_value

so a negative cost is a net gain. Counts may be weighted (floats).

**Money per case.** Each cell may also carry a percentage of the case's own amount (a loan's
size, a transaction's value): ``fp_pct`` of the amount of every false positive, and so on.
With the amount sums of each cell the business cost is::

    Σ_FP (fp_cost + fp_pct/100·amount) + Σ_FN (fn_cost + fn_pct/100·amount)
      − Σ_TP (tp_value + tp_pct/100·amount) − Σ_TN (tn_value + tn_pct/100·amount)

which is linear in the counts and the amount sums, so a sweep's cumulative sums are enough:
a cost edit never needs the scores again.

``cost_summary`` turns one operating point (or a whole sweep, element-wise) into the numbers
a stakeholder asks for: the total, per case and per 1,000 cases, and the saving against the
two policies that need no model at all, *flag nobody* and *flag everybody*.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.errors import DataError

__all__ = ["CostMatrix", "CostSummary", "cost_summary"]


@dataclass(frozen=True)
class CostMatrix:
    """What each cell of the confusion matrix is worth.

    ``fp_cost``/``fn_cost`` are what one false positive / false negative costs; ``tp_value``/
    ``tn_value`` are what one true positive / true negative earns (or saves). All four are
    finite numbers in ``currency`` units (``currency`` is only used for display).

    ``fp_pct``, ``fn_pct``, ``tp_pct``, ``tn_pct`` add a percentage (>= 0) of each case's
    amount to its cell's fixed cost or value; they need the amount sums of each cell in
    ``total`` and are 0 (no per-case money) by default.
    """

    fp_cost: float
    fn_cost: float
    tp_value: float = 0.0
    tn_value: float = 0.0
    currency: str = "$"
    fp_pct: float = 0.0
    fn_pct: float = 0.0
    tp_pct: float = 0.0
    tn_pct: float = 0.0

    def __post_init__(self) -> None:
        for name in ("fp_cost", "fn_cost", "tp_value", "tn_value", *_PCT_FIELDS):
            value = getattr(self, name)
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise DataError(f"The {_LABELS[name]} must be a number, got {value!r}.") from None
            if not math.isfinite(number):
                raise DataError(f"The {_LABELS[name]} must be a finite number, got {value!r}.")
            if name in _PCT_FIELDS and number < 0:
                raise DataError(
                    f"The {_LABELS[name]} must be 0 or more, got {value!r}. Enter a cost of a share "
                    "of the amount as a positive percentage (60 for 60%)."
                )
            object.__setattr__(self, name, number)
        if not isinstance(self.currency, str):
            raise DataError(f"The currency must be text such as '$' or '€', got {self.currency!r}.")

    @property
    def per_case(self) -> bool:
        """True when any cell costs a share of the case's amount (needs an amount column)."""
        return any(getattr(self, name) != 0 for name in _PCT_FIELDS)

    def total(
        self,
        tp: Any,
        fp: Any,
        tn: Any,
        fn: Any,
        *,
        tp_amount: Any = 0.0,
        fp_amount: Any = 0.0,
        tn_amount: Any = 0.0,
        fn_amount: Any = 0.0,
    ) -> float | np.ndarray:
        """Business cost of the counts and of each cell's amount sum.

        ``fp*fp_cost + fn*fn_cost - tp*tp_value - tn*tn_value`` plus, per cell, its
        percentage of the cell's total amount (``fp_amount * fp_pct / 100`` and so on).
        Scalars give a float; arrays (e.g. a sweep's ``tp``, ``fp``, ``tn``, ``fn`` and
        amount sums) broadcast and give an array of the common shape.
        """
        result = (
            np.multiply(fp, self.fp_cost)
            + np.multiply(fn, self.fn_cost)
            - np.multiply(tp, self.tp_value)
            - np.multiply(tn, self.tn_value)
        )
        if self.per_case:
            result = result + (
                np.multiply(fp_amount, self.fp_pct)
                + np.multiply(fn_amount, self.fn_pct)
                - np.multiply(tp_amount, self.tp_pct)
                - np.multiply(tn_amount, self.tn_pct)
            ) / 100.0
        return float(result) if np.ndim(result) == 0 else result

    def cost_of(self, point: Any) -> float | np.ndarray:
        """``total`` of anything with ``tp``, ``fp``, ``tn``, ``fn`` attributes (an operating
        point or a sweep), with its ``*_amount`` attributes when it has them (0 otherwise)."""
        return self.total(
            point.tp,
            point.fp,
            point.tn,
            point.fn,
            **{f"{cell}_amount": getattr(point, f"{cell}_amount", 0.0) for cell in ("tp", "fp", "tn", "fn")},
        )

    def optimal_probability_threshold(self) -> float:
        """The cost-optimal threshold for *calibrated* probabilities, from the matrix alone.

        Derivation: a case with probability ``p`` of being positive costs, in expectation,
        ``(1 - p) * fp_cost - p * tp_value`` if flagged and ``p * fn_cost - (1 - p) * tn_value``
        if not. Flagging is no worse exactly when
        ``(1 - p) * (fp_cost + tn_value) <= p * (fn_cost + tp_value)``, i.e.::

            p >= (fp_cost + tn_value) / (fp_cost + tn_value + fn_cost + tp_value)

        ``fp_cost + tn_value`` is the regret of a false positive and ``fn_cost + tp_value`` the
        regret of a false negative. For ``fp_cost=1, fn_cost=5`` this is 1/6: a case worth
        flagging needs only a one-in-six chance of being positive. The empirical optimum on
        real scores (``recommend_threshold(..., "min_cost")``) agrees when the model is
        calibrated; a gap between the two is a sign of miscalibration.

        Returns a value in [0, 1]: 0 when a false positive costs nothing (flag everybody), 1
        when a false negative costs nothing (flag nobody). Raises ``DataError`` when both
        regrets are zero or negative, since then no threshold is better than another in a
        way the rule "flag when p is high enough" can express.
        """
        fp_regret = self.fp_cost + self.tn_value
        fn_regret = self.fn_cost + self.tp_value
        if fp_regret < 0 or fn_regret < 0 or fp_regret + fn_regret == 0:
            raise DataError(
                "These costs reward mistakes or make every decision cost the same, so there is no "
                "cost-optimal threshold. Make a false positive cost at least as much as a true "
                "negative earns, and likewise for false negatives and true positives."
            )
        return fp_regret / (fp_regret + fn_regret)

    def format(self, amount: float, decimals: int | None = None) -> str:
        """Money as text: ``"$12,300"``, ``"-$4,100"``, ``"$0.42"``.

        Thousands separators always; a leading minus before the currency sign. ``decimals``
        defaults to 0 for amounts of 100 or more and 2 below (a cost per case is often cents).
        Never prints ``-$0``.
        """
        amount = float(amount)
        if not math.isfinite(amount):
            return "n/a"
        if decimals is None:
            decimals = 0 if abs(amount) >= 100 else 2
        text = f"{abs(amount):,.{decimals}f}"
        negative = amount < 0 and any(ch not in "0.," for ch in text)
        return f"{'-' if negative else ''}{self.currency}{text}"


_PCT_FIELDS = ("fp_pct", "fn_pct", "tp_pct", "tn_pct")

_LABELS = {
    "fp_cost": "cost of a false positive",
    "fn_cost": "cost of a false negative",
    "tp_value": "value of a true positive",
    "tn_value": "value of a true negative",
    "fp_pct": "false positive percentage of the amount",
    "fn_pct": "false negative percentage of the amount",
    "tp_pct": "true positive percentage of the amount",
    "tn_pct": "true negative percentage of the amount",
}


@dataclass(frozen=True)
class CostSummary:
    """Cost of one decision rule and of the two rules that need no model.

    Every field is a float for one operating point, or an array (one entry per threshold)
    when summarised from a sweep. ``savings_vs_*`` are positive when the rule is cheaper than
    the baseline. ``n`` is the number (or total weight) of cases.
    """

    total: Any
    per_case: Any
    per_1000: Any
    flag_nobody: float
    flag_everybody: float
    savings_vs_nobody: Any
    savings_vs_everybody: Any
    n: float


def cost_summary(point: Any, costs: CostMatrix) -> CostSummary:
    """Summarise the business cost of ``point`` under ``costs``.

    ``point`` is anything with ``tp``, ``fp``, ``tn``, ``fn`` attributes: an
    ``OperatingPoint`` (scalars) or a ``Sweep`` (1-D arrays, summarised element-wise). The
    baselines use the same totals: *flag nobody* has ``tp = fp = 0``, *flag everybody* has
    ``tn = fn = 0``. When ``point`` also has amount sums (``tp_amount`` ...), per-case money
    counts in the total and in both baselines.
    """
    if not isinstance(costs, CostMatrix):
        raise DataError("Enter the costs of false positives and false negatives to see business costs.")
    tp, fp, tn, fn = (np.asarray(getattr(point, name), dtype=float) for name in ("tp", "fp", "tn", "fn"))
    tpa, fpa, tna, fna = (
        np.asarray(getattr(point, f"{name}_amount", 0.0), dtype=float) for name in ("tp", "fp", "tn", "fn")
    )
    n_pos = float(np.ravel(tp + fn)[0])
    n_neg = float(np.ravel(fp + tn)[0])
    amount_pos = float(np.ravel(tpa + fna)[0])
    amount_neg = float(np.ravel(fpa + tna)[0])
    n = n_pos + n_neg
    total = costs.total(tp, fp, tn, fn, tp_amount=tpa, fp_amount=fpa, tn_amount=tna, fn_amount=fna)
    nobody = costs.total(0.0, 0.0, n_neg, n_pos, tn_amount=amount_neg, fn_amount=amount_pos)
    everybody = costs.total(n_pos, n_neg, 0.0, 0.0, tp_amount=amount_pos, fp_amount=amount_neg)
    per_case = total / n if n > 0 else total * np.nan
    return CostSummary(
        total=total,
        per_case=per_case,
        per_1000=per_case * 1000.0,
        flag_nobody=nobody,
        flag_everybody=everybody,
        savings_vs_nobody=nobody - total,
        savings_vs_everybody=everybody - total,
        n=n,
    )
