"""A manual-review band: let the model decide the clear cases and a person the unclear ones.

Two thresholds ``low <= high``: a score ``>= high`` is flagged automatically, a score
``< low`` is cleared automatically, and a score in ``[low, high)`` goes to a person at
``review_cost`` per case. Assumption, stated to the user: **a reviewer decides correctly**,
so a reviewed positive counts as a true positive and a reviewed negative as a true negative
(the review cost is the price of that certainty).

Everything comes from the sweep's cumulative counts, so a band is O(log n) and the best band
under a review capacity is O(m log m) for m distinct scores (see ``recommend_review_band``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.errors import DataError
from core.thresholds import OperatingPoint, Sweep, display_threshold, point_from_counts

__all__ = ["ReviewOutcome", "recommend_review_band", "review_band"]


@dataclass
class ReviewOutcome:
    """What a review band does to the cases.

    ``auto``: the confusion matrix and metrics of the automatically decided cases only
    (``threshold`` = ``high``; its ratios use those cases as the denominator, its ``cost`` is
    their business cost). ``n_review``/``review_rate``: cases (or weight) sent to a person and
    their share of all cases; ``reviewed_positives``/``reviewed_negatives`` split them.
    ``total_cost``: business cost of all cases, reviews included (``None`` without costs);
    ``cost_per_1000`` the same per 1,000 cases. ``explanation``: one sentence (set by
    ``recommend_review_band``; empty otherwise).
    """

    low: float
    high: float
    review_cost: float
    auto: OperatingPoint
    n_review: float
    review_rate: float
    reviewed_positives: float
    reviewed_negatives: float
    total_cost: float | None
    cost_per_1000: float | None
    explanation: str = ""


def _number(value: Any, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DataError(f"The {what} must be a number, got {value!r}.") from None
    if math.isnan(number):
        raise DataError(f"The {what} must be a number.")
    return number


def _check_review_cost(review_cost: Any) -> float:
    cost = _number(review_cost, "cost of a manual review")
    if not math.isfinite(cost) or cost < 0:
        raise DataError(f"The cost of a manual review must be a finite amount of at least 0, got {review_cost!r}.")
    return cost


def _cumulative(sweep: Sweep) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Counts in "flag order": position 0 flags nobody, position k >= 1 is sweep index k-1.

    Returns ``(tp, fp, index)`` with ``index[k]`` the sweep index of position ``k``.
    """
    m = len(sweep) - 1
    index = np.concatenate([[m], np.arange(m)])
    return sweep.tp[index], sweep.fp[index], index


def _outcome(sweep: Sweep, low: float, high: float, review_cost: float, i_low: int, i_high: int) -> ReviewOutcome:
    tp_high, fp_high = sweep.tp[i_high], sweep.fp[i_high]
    tp_low, fp_low = sweep.tp[i_low], sweep.fp[i_low]
    reviewed_pos, reviewed_neg = tp_low - tp_high, fp_low - fp_high
    fn_auto, tn_auto = sweep.n_pos - tp_low, sweep.n_neg - fp_low
    money: dict[str, float] = {}
    auto_money: dict[str, float] = {}
    if sweep.has_amounts:
        # A reviewed case is decided correctly: its amount joins the TP (or TN) cell.
        tpa_low, fpa_high, fpa_low = sweep.tp_amount[i_low], sweep.fp_amount[i_high], sweep.fp_amount[i_low]
        money = {"tp_amount": tpa_low, "fp_amount": fpa_high, "tn_amount": sweep.amount_neg - fpa_high,
                 "fn_amount": sweep.amount_pos - tpa_low}
        auto_money = {"tp_amount": sweep.tp_amount[i_high], "fp_amount": fpa_high,
                      "tn_amount": sweep.amount_neg - fpa_low, "fn_amount": sweep.amount_pos - tpa_low}
    auto = point_from_counts(high, tp_high, fp_high, tn_auto, fn_auto, sweep.costs, **auto_money)
    n_review = reviewed_pos + reviewed_neg
    total = per_1000 = None
    if sweep.costs is not None:
        total = float(
            sweep.costs.total(tp_high + reviewed_pos, fp_high, tn_auto + reviewed_neg, fn_auto, **money)
            + review_cost * n_review
        )
        per_1000 = total / sweep.n * 1000
    cast = float if sweep.weighted else int
    return ReviewOutcome(
        low=float(low),
        high=float(high),
        review_cost=review_cost,
        auto=auto,
        n_review=cast(n_review),
        review_rate=float(n_review / sweep.n),
        reviewed_positives=cast(reviewed_pos),
        reviewed_negatives=cast(reviewed_neg),
        total_cost=total,
        cost_per_1000=per_1000,
    )


def review_band(sweep: Sweep, low: float, high: float, review_cost: float) -> ReviewOutcome:
    """The outcome of sending scores in ``[low, high)`` to a person at ``review_cost`` each.

    ``low == high`` is an ordinary single threshold (nobody reviewed). O(log n).
    Raises ``DataError`` when ``low > high`` or the review cost is negative.
    """
    low, high = _number(low, "lower review threshold"), _number(high, "upper review threshold")
    if low > high:
        raise DataError(f"The lower review threshold ({low:g}) must not be above the upper one ({high:g}).")
    review_cost = _check_review_cost(review_cost)
    return _outcome(sweep, low, high, review_cost, sweep.index(low), sweep.index(high))


def _window_argmin(values: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """For each k, the index of the smallest ``values[starts[k] : stops[k] + 1]`` (first on ties).

    A sparse table of argmins over power-of-two windows: O(m log w) to build for the widest
    window w, O(1) per query (two overlapping windows).
    """
    size = len(values)
    dtype = np.int32 if size < 2**31 else np.int64
    levels = [np.arange(size, dtype=dtype)]
    widest = int((stops - starts).max()) + 1
    span = 1
    while span * 2 <= widest:
        prev = levels[-1]
        left, right = prev[:-span], prev[span:]
        levels.append(np.where(values[right] < values[left], right, left))
        span *= 2
    lengths = stops - starts + 1
    level = np.floor(np.log2(lengths)).astype(np.int64)
    best = np.empty(len(starts), dtype=np.int64)
    for k in np.unique(level):
        rows = np.flatnonzero(level == k)
        table = levels[k]
        a = table[starts[rows]]
        b = table[stops[rows] - (1 << int(k)) + 1]
        best[rows] = np.where(values[b] < values[a], b, a)
    return best


def recommend_review_band(sweep: Sweep, review_cost: float, max_review_rate: float) -> ReviewOutcome:
    """The band ``[low, high)`` with the lowest total cost, reviewing at most ``max_review_rate``.

    Needs ``sweep.costs``. ``max_review_rate`` is a share in [0, 1] (0.1 = at most 10% of
    cases reviewed); 0 gives the best single threshold. Method: with positions ``i <= j`` in
    flag order (``high`` at ``i``, ``low`` at ``j``) the total cost splits into ``A(i) + B(j)``::

        A(i) = (fp_cost + tn_value) FP_i - review_cost Q_i
        B(j) = review_cost Q_j - (fn_cost + tp_value) TP_j + fn_cost n_pos - tn_value n_neg

    (``Q = TP + FP``, cases at or above the threshold), and the capacity bounds ``j`` by
    ``Q_j <= Q_i + max_review_rate n``; a window minimum of ``B`` per ``i`` finds the best
    band in O(m log m). Thresholds are the roundest numbers giving those counts.
    """
    costs = sweep.costs
    if costs is None:
        raise DataError("Enter the costs of a false positive and a false negative to find the best review band.")
    if costs.per_case and not sweep.has_amounts:
        raise DataError("These costs take a share of each case's amount, but no amount column is set.")
    review_cost = _check_review_cost(review_cost)
    rate = _number(max_review_rate, "share of cases a person can review")
    if not 0 <= rate <= 1:
        raise DataError(f"The share of cases a person can review must be between 0 and 1 (0.1 = 10%), got {max_review_rate!r}.")
    tp, fp, index = _cumulative(sweep)
    tp, fp = tp.astype(np.float64), fp.astype(np.float64)
    flagged = tp + fp
    a = (costs.fp_cost + costs.tn_value) * fp - review_cost * flagged
    b = review_cost * flagged - (costs.fn_cost + costs.tp_value) * tp + costs.fn_cost * sweep.n_pos - costs.tn_value * sweep.n_neg
    if costs.per_case and sweep.has_amounts:
        # Per-case money splits the same way: the FP amount follows ``high``, the TP amount ``low``.
        a = a + (costs.fp_pct + costs.tn_pct) / 100 * sweep.fp_amount[index]
        b = b + (costs.fn_pct * sweep.amount_pos - costs.tn_pct * sweep.amount_neg
                 - (costs.fn_pct + costs.tp_pct) * sweep.tp_amount[index]) / 100
    capacity = rate * sweep.n * (1 + 1e-12)
    starts = np.arange(len(a))
    stops = np.searchsorted(flagged, flagged + capacity, side="right") - 1
    best_j = _window_argmin(b, starts, np.maximum(stops, starts))
    total = a + b[best_j]
    i = int(np.argmin(total))
    j = int(best_j[i])
    i_high, i_low = int(index[i]), int(index[j])
    high = display_threshold(sweep, i_high)
    low = display_threshold(sweep, i_low)
    outcome = _outcome(sweep, low, high, review_cost, i_low, i_high)
    single = int(np.argmin(sweep.cost))
    single_per_1000 = float(sweep.cost[single]) / sweep.n * 1000
    fmt = costs.format
    if outcome.n_review == 0:
        sentence = (
            f"Reviewing does not pay at {fmt(review_cost)} a case: decide everything at "
            f"{high:g}, for an expected cost per 1,000 cases of {fmt(outcome.cost_per_1000)}."
        )
    else:
        saving = single_per_1000 - outcome.cost_per_1000
        sentence = (
            f"Send scores from {low:g} up to {high:g} to a person ({outcome.review_rate:.0%} of cases"
            f"{'' if rate >= 1 else f', at most {rate:.0%} allowed'}) and decide the rest automatically: "
            f"expected cost per 1,000 cases {fmt(outcome.cost_per_1000)}, reviews included — "
            f"{fmt(saving)} less than the best single threshold ({display_threshold(sweep, single):g})."
        )
    outcome.explanation = sentence
    return outcome
