"""Every metric at every threshold, from one sort; exact lookups; threshold recommendations.

The rule everywhere: **score >= threshold => predicted positive** (scikit-learn's).

``threshold_sweep`` sorts the scores once and accumulates the labels, as scikit-learn's
``confusion_matrix_at_thresholds`` does, so each distinct score is one candidate threshold.

Index order of every ``Sweep`` array (length ``m + 1`` for ``m`` distinct scores):
    ``0 .. m-1``  the distinct scores, **decreasing** (the order of scikit-learn's
                  ``confusion_matrix_at_thresholds``; index ``m-1`` flags everybody);
    ``m``         the "flag nobody" end, ``threshold = +inf`` (appended last).
So ``tp``/``fp`` increase along ``0 .. m-1`` and drop to 0 at the end.

Undefined ratios (a zero denominator) follow scikit-learn with ``zero_division=0``:
    precision = tp / (tp + fp)                 -> 0 when nobody is flagged
    recall    = tp / n_pos                     -> 0 when there are no positives
    fpr       = fp / n_neg,  specificity = tn / n_neg   -> 0 when there are no negatives
    f1        = 2 tp / (2 tp + fp + fn)        -> 0 when tp = fp = fn = 0
    mcc       = (tp tn - fp fn) / sqrt((tp+fp)(tp+fn)(tn+fp)(tn+fn))  -> 0 when undefined
    balanced_accuracy = mean of recall and specificity over the classes present in y_true
                        (only one class present: that class's recall), as scikit-learn
    accuracy = (tp + tn) / n,  positive_rate = (tp + fp) / n   (0 only for an empty subset)
Counts are integers without ``sample_weight`` and float weight sums with it (zero-weight
rows are dropped first, as scikit-learn does).

**Counts first, money second.** A sweep holds counts, weight sums and — with ``amounts`` —
the cumulative amount among flagged positives (``tp_amount``) and flagged negatives
(``fp_amount``) per distinct threshold; nothing in it depends on costs except ``cost``,
which ``Sweep.with_costs`` recomputes from those arrays in one vectorised pass (no sort).
An amount belongs to a row: with sample weights (a Count column) it is the total amount of
that row's cases, so cumulative amounts are plain sums of the rows' amounts.

``sort_cases`` is the one sort; ``sweep_sorted`` builds a sweep from its result, so
calibration, histograms and the bootstrap (``core.analysis``) reuse the same order.

Where the time goes at 1M scores, and what keeps it low without changing a bit: the sort
(the label rides in the key, ``_sort_packed``), then first-touching fresh memory, more than
the arithmetic: a sweep's arrays are rows of one allocation (``_Rows``), temporaries live in
rows written later, and unweighted ratios use the exact integer structure of the counts
(``_sweep_metrics``, pinned bit for bit against ``confusion_metrics`` by the tests).
"""

from __future__ import annotations

import math
import copy
from dataclasses import asdict, dataclass
from typing import Any, Iterable, NamedTuple

import numpy as np
import pandas as pd

from core import objectives
from core.costs import CostMatrix, cost_summary
from core.errors import DataError

__all__ = [
    "OBJECTIVES",
    "METRICS",
    "OperatingPoint",
    "Recommendation",
    "SortedCases",
    "Sweep",
    "average_precision",
    "point_from_counts",
    "pr_points",
    "recommend_threshold",
    "roc_auc",
    "roc_points",
    "sort_cases",
    "sweep_sorted",
    "threshold_sweep",
]

# Key -> label of every recommendation objective, from the one registry in core.objectives.
OBJECTIVES = {key: objective.label for key, objective in objectives.REGISTRY.items()}

COUNTS = ("tp", "fp", "tn", "fn")
RATIOS = (
    "precision",
    "recall",
    "fpr",
    "specificity",
    "f1",
    "accuracy",
    "balanced_accuracy",
    "mcc",
    "positive_rate",
)
METRICS = COUNTS + RATIOS + ("cost",)


# ---------------------------------------------------------------------------------------
# Validation (once, at the entry)
# ---------------------------------------------------------------------------------------


def _checked_labels_scores(y_true: Any, scores: Any) -> tuple[np.ndarray, np.ndarray, float, float]:
    """``validate_labels_scores`` without its copy: ``(y, s, lowest, highest score)``.

    ``y`` is 0/1 uint8 and may be a view of ``y_true``; ``s`` may be ``scores`` itself (and
    may hold -0.0). The score range comes from two reductions that also prove every score
    finite (``min``/``max`` propagate NaN and show ``±inf``), cheaper than ``isfinite``.
    """
    s = np.asarray(scores)
    if s.ndim == 2 and s.shape[1] == 2:
        raise DataError("The scores have two columns; pass only the positive-class column (proba[:, 1]).")
    if s.ndim != 1:
        raise DataError(f"The scores must be one number per row, got an array of shape {s.shape}.")
    try:
        s = s.astype(np.float64, copy=False)
    except (TypeError, ValueError):
        raise DataError("The scores must be numbers; some values are text.") from None
    y = np.asarray(y_true)
    if y.ndim != 1:
        raise DataError(f"The labels must be one value per row, got an array of shape {y.shape}.")
    if len(y) != len(s):
        raise DataError(f"There are {len(y):,} labels but {len(s):,} scores; they must match row for row.")
    if len(s) == 0:
        raise DataError("There are no rows to evaluate.")
    if y.dtype == np.bool_ or (y.dtype.kind in "iu" and y.min() >= 0 and y.max() <= 1):
        # Integers in [0, 1] are 0/1: two reductions instead of two comparisons.
        y = y.view(np.uint8) if y.dtype.itemsize == 1 else y.astype(np.uint8)
    else:
        if not (np.issubdtype(y.dtype, np.number)):
            raise DataError("The labels must be 0/1 (1 = positive class); some values are text.")
        ok = (y == 0) | (y == 1)
        missing = int(np.isnan(y).sum()) if y.dtype.kind == "f" else 0
        if missing:
            raise DataError(f"{missing:,} labels are missing; every row needs a 0/1 label.")
        if not ok.all():
            bad = np.unique(y[~ok])[:3]
            raise DataError(
                "The labels must be 0/1 (1 = positive class); found "
                + ", ".join(repr(v.item()) for v in bad)
                + ". Choose the positive class on the Data page."
            )
        y = y.astype(np.uint8)
    lowest, highest = float(s.min()), float(s.max())
    if not (math.isfinite(lowest) and math.isfinite(highest)):
        raise DataError(
            f"{int((~np.isfinite(s)).sum()):,} scores are missing or infinite; every row needs a finite score."
        )
    return y, s, lowest, highest


def validate_labels_scores(y_true: Any, scores: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(y, s)``: ``y`` uint8 0/1 of shape (n,), ``s`` float64 of shape (n,).

    Raises ``DataError`` with a plain-words message for anything a user could have passed
    by mistake: different lengths, no rows, labels other than 0/1, non-numeric or
    non-finite scores, a two-column probability matrix. ``s`` is a new array, with -0.0
    turned into +0.0 so that equal scores have equal bit patterns.
    """
    y, s, _, _ = _checked_labels_scores(y_true, scores)
    return np.array(y, dtype=np.uint8), s + 0.0


def _validate_amounts(amounts: Any, n: int) -> np.ndarray:
    a = np.asarray(amounts)
    if a.shape != (n,):
        raise DataError(f"There must be one amount per row ({n:,}), got shape {a.shape}.")
    try:
        a = a.astype(np.float64, copy=False)
    except (TypeError, ValueError):
        raise DataError("The amounts must be numbers; some values are text.") from None
    bad = ~np.isfinite(a)
    if bad.any():
        raise DataError(
            f"{int(bad.sum()):,} amounts are missing or infinite; every row needs an amount "
            "(choose another Amount column, or fill the gaps)."
        )
    return a


def _validate_weights(sample_weight: Any, n: int) -> np.ndarray:
    w = np.asarray(sample_weight)
    if w.shape != (n,):
        raise DataError(f"There must be one sample weight per row ({n:,}), got shape {w.shape}.")
    try:
        w = w.astype(np.float64, copy=False)
    except (TypeError, ValueError):
        raise DataError("Sample weights must be numbers.") from None
    if not np.isfinite(w).all() or (w < 0).any():
        raise DataError("Sample weights must be finite and not negative.")
    if not (w > 0).any():
        raise DataError("All sample weights are zero; at least one row must count.")
    return w


# ---------------------------------------------------------------------------------------
# The one sort
# ---------------------------------------------------------------------------------------

_ONE = np.uint64(1)


def _sort_packed(
    values: np.ndarray, labels: np.ndarray, out_key: np.ndarray, out_labels: np.ndarray, *, descending: bool
) -> np.ndarray:
    """Sort non-negative ``values`` (float64, -0.0 allowed) with their 0/1 ``labels`` by one
    ``np.sort`` of packed keys built in ``out_key`` (uint64); return the sorted values (a
    float64 view of ``out_key``) and write their labels to ``out_labels``.

    A non-negative float64's bit pattern read as uint64 sorts like the float and has a zero
    top bit (-0.0's sign bit is shifted out: it becomes +0.0), so ``bits << 1 | label`` is an
    exact, order-preserving key that carries the label: no argsort, no gather. Descending
    order sorts the complemented keys, so every step works in place on one array. Among
    equal values label 1 comes first when ``descending``, label 0 otherwise.
    """
    key = np.left_shift(values.view(np.uint64), _ONE, out=out_key)
    key |= labels
    if descending:
        np.invert(key, out=key)
    key.sort()
    if descending:
        np.invert(key, out=key)
    np.bitwise_and(key, _ONE, out=out_labels, casting="unsafe")
    key >>= _ONE
    return key.view(np.float64)


def _sort_buffers(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """uint64 keys (later the sorted scores), uint8 labels and a bool scratch, each (n,),
    carved from one allocation: fresh memory faults in faster as one block (see ``_Rows``)."""
    block = np.empty(n + (2 * n + 7) // 8, np.uint64)
    tail = block[n:].view(np.uint8)
    return block[:n], tail[:n], tail[n : 2 * n].view(np.bool_)


def _sorted_desc_unweighted(
    y: np.ndarray, s: np.ndarray, lowest: float | None = None, buffers: tuple[np.ndarray, ...] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Scores sorted decreasing and their uint8 labels, with one ``np.sort`` of packed keys.

    ``y``: 0/1 (n,), ``s``: finite float64 (n,), ``lowest``: ``s.min()`` if known;
    ``buffers``: ``_sort_buffers(n)`` to write into. Negative scores are packed the same way
    from ``-s`` and sorted on their own (increasing magnitude), after the non-negative ones,
    so any finite float is handled exactly.
    """
    if lowest is None:
        lowest = float(s.min())
    key, labels, _ = buffers or _sort_buffers(len(s))
    if lowest >= 0:  # -0.0 included: the common case (probabilities), no mask, no gather
        return _sort_packed(s, y, key, labels, descending=True), labels
    negative = s < 0
    k = len(s) - int(np.count_nonzero(negative))
    if k:
        _sort_packed(s[~negative], y[~negative], key[:k], labels[:k], descending=True)
    magnitudes = _sort_packed(-s[negative], y[negative], key[k:], labels[k:], descending=False)
    np.negative(magnitudes, out=magnitudes)
    return key.view(np.float64), labels


def _distinct_ends(sorted_desc: np.ndarray, scratch: np.ndarray | None = None) -> np.ndarray:
    """Index of the last row of each run of equal scores in a decreasing array
    (``scratch``: a bool array of the same length to use)."""
    change = np.empty(len(sorted_desc), bool) if scratch is None else scratch
    np.not_equal(sorted_desc[1:], sorted_desc[:-1], out=change[:-1])
    change[-1] = True
    return np.flatnonzero(change)


class SortedCases(NamedTuple):
    """The cases in decreasing score order (the one sort), shared by everything after it.

    ``scores``: float64 (n,), decreasing; ``labels``: 0/1 (n,); ``weights``/``amounts``:
    float64 (n,) or None; ``ends``: index of the last case of each run of equal scores (one
    per distinct threshold). Zero-weight rows are already dropped.
    """

    scores: np.ndarray
    labels: np.ndarray
    weights: np.ndarray | None
    amounts: np.ndarray | None
    ends: np.ndarray


def sort_cases(y_true: Any, scores: Any, *, sample_weight: Any = None, amounts: Any = None) -> SortedCases:
    """Validate once and sort once: the cases in decreasing score order (see ``SortedCases``).

    Without weights and amounts the label rides in the sort key (no argsort, no gather);
    otherwise one stable argsort orders every array (the order of scikit-learn's, so weighted
    sums within tied scores add up in the same order).
    """
    y, s, lowest, _ = _checked_labels_scores(y_true, scores)
    a = None if amounts is None else _validate_amounts(amounts, len(s))
    if sample_weight is None and a is None:
        buffers = _sort_buffers(len(s))
        scores_desc, labels_desc = _sorted_desc_unweighted(y, s, lowest, buffers)
        return SortedCases(scores_desc, labels_desc, None, None, _distinct_ends(scores_desc, buffers[2]))
    s = s + 0.0  # -0.0 and +0.0 compare equal but must not show as two thresholds
    w = None
    if sample_weight is not None:
        w = _validate_weights(sample_weight, len(s))
        keep = w != 0
        if not keep.all():
            y, s, w = y[keep], s[keep], w[keep]
            a = None if a is None else a[keep]
    order = np.argsort(s, kind="stable")[::-1]
    scores_desc = s[order]
    return SortedCases(
        scores_desc,
        y[order],
        None if w is None else w[order],
        None if a is None else a[order],
        _distinct_ends(scores_desc),
    )


def _gather_into(out: np.ndarray, values: np.ndarray, rows: np.ndarray, last: Any) -> np.ndarray:
    """``out[:] = np.append(values[rows], last)`` without an intermediate array."""
    if out.dtype == values.dtype:
        np.take(values, rows, out=out[:-1])
    else:
        out[:-1] = values[rows]
    out[-1] = last
    return out


def sweep_sorted(cases: SortedCases, costs: CostMatrix | None = None) -> Sweep:
    """The ``Sweep`` of already sorted cases (``sort_cases``): cumulative sums only."""
    if costs is not None and not isinstance(costs, CostMatrix):
        raise DataError("costs must be a CostMatrix.")
    scores_desc, labels_desc, w_desc, a_desc, ends = cases
    rows = _Rows(len(ends) + 1, _SWEEP_ROWS)
    if w_desc is None:
        # Running count of positives into a ready buffer (numpy's accumulate is several times
        # slower when it allocates a wider output itself), int32 while it cannot overflow.
        # It lives in the rows taken next (fp, thresholds and ten of the metric rows below,
        # all written after the gather), when they are big enough.
        wide = np.int32 if len(labels_desc) < 2**31 else np.int64
        tp = rows.take(np.int64)
        within = 12 if len(labels_desc) < _EXACT_COUNTS else 2  # beyond it the metrics take no rows
        running = np.cumsum(labels_desc, dtype=wide, out=rows.scratch(len(labels_desc), wide, within))
        _gather_into(tp, running, ends, 0)
        del running
        fp = rows.take(np.int64)
        np.subtract(ends, tp[:-1], out=fp[:-1])
        fp[:-1] += 1
        fp[-1] = 0
    else:
        pos_w = w_desc * labels_desc
        tp = _gather_into(rows.take(), np.cumsum(pos_w), ends, 0.0)
        # As scikit-learn: fp as its own cumsum keeps it monotone despite rounding.
        fp = _gather_into(rows.take(), np.cumsum(w_desc - pos_w), ends, 0.0)
    thresholds = _gather_into(rows.take(), scores_desc, ends, np.inf)
    amounts = None
    if a_desc is not None:
        pos_a = np.where(labels_desc == 1, a_desc, 0.0)
        amounts = (_gather_into(rows.take(), np.cumsum(pos_a), ends, 0.0),
                   _gather_into(rows.take(), np.cumsum(a_desc - pos_a), ends, 0.0))
    return Sweep(
        thresholds,
        tp,
        fp,
        n_pos=tp[-2],
        n_neg=fp[-2],
        costs=costs,
        score_min=float(scores_desc[-1]),
        score_max=float(scores_desc[0]),
        weighted=w_desc is not None,
        amounts=amounts,
        rows=rows,
    )


def threshold_sweep(
    y_true: Any,
    scores: Any,
    *,
    costs: CostMatrix | None = None,
    sample_weight: Any = None,
    amounts: Any = None,
) -> Sweep:
    """Confusion matrix and every metric at every distinct score, plus the "flag nobody" end.

    ``y_true``: shape (n,), 0/1 or bool (1 = positive). ``scores``: shape (n,), finite
    floats, higher = more likely positive. ``costs``: adds a ``cost`` array. ``sample_weight``:
    shape (n,), non-negative. ``amounts``: shape (n,), finite, each row's amount (for
    per-case money; see the module docstring). Counts at index ``i`` are exactly those of
    ``scores >= thresholds[i]``; the first ``m`` entries of ``thresholds``/``tp``/``fp``/``tn``/
    ``fn`` equal scikit-learn's ``confusion_matrix_at_thresholds`` (same order). O(n log n),
    one sort. See the module docstring for the index order and zero-division convention.
    """
    if costs is not None and not isinstance(costs, CostMatrix):
        raise DataError("costs must be a CostMatrix.")
    return sweep_sorted(sort_cases(y_true, scores, sample_weight=sample_weight, amounts=amounts), costs)


# ---------------------------------------------------------------------------------------
# Metric formulas: one home, any array shape (a sweep, a bootstrap matrix, one point)
# ---------------------------------------------------------------------------------------


def _ratio(num: np.ndarray, den: Any) -> np.ndarray:
    """``num / den`` with 0 where ``den == 0``.

    Every ratio here has ``num == 0`` whenever ``den == 0`` (e.g. no case flagged means
    ``tp == 0``), so dividing by 1 there gives exactly the zero-division value 0, without
    the slow masked divide.
    """
    den = np.asarray(den, dtype=np.float64)
    return num / (np.where(den == 0, 1.0, den) if den.ndim else (den or 1.0))


class ConfusionMetrics(dict):
    """``METRICS`` from true/false positive counts, element-wise, each computed on first use.

    ``tp``, ``fp``: arrays of any (broadcastable) shape; ``n_pos``, ``n_neg``: totals,
    scalars or broadcastable arrays. ``self["f1"]`` etc. Counts keep their dtype; ratios are
    float64 with the zero-division convention of the module docstring; ``cost`` is ``None``
    without costs. Lazy because a bootstrap objective needs only two or three of them.
    """

    def __init__(
        self,
        tp: Any,
        fp: Any,
        n_pos: Any,
        n_neg: Any,
        costs: CostMatrix | None = None,
        amounts: tuple[Any, Any, Any, Any] | None = None,
    ) -> None:
        super().__init__(tp=np.asarray(tp), fp=np.asarray(fp))
        self._n_pos, self._n_neg = n_pos, n_neg
        self._costs = costs
        # (tp_amount, fp_amount, amount among all positives, among all negatives), or None.
        self._amounts = amounts

    def __missing__(self, name: str) -> Any:
        if name in METRICS:
            value = getattr(self, f"_{name}")()
        elif name.startswith("f_") and name[2:] in COUNTS:  # a count as float64
            value = np.asarray(self[name[2:]], dtype=np.float64)
        else:
            raise KeyError(name)
        self[name] = value
        return value

    def _totals(self) -> tuple[np.ndarray, np.ndarray]:
        return np.asarray(self._n_pos, dtype=np.float64), np.asarray(self._n_neg, dtype=np.float64)

    def _tn(self) -> Any:
        return self._n_neg - self["fp"]

    def _fn(self) -> Any:
        return self._n_pos - self["tp"]

    def _flagged(self) -> np.ndarray:
        return self["f_tp"] + self["f_fp"]

    def _precision(self) -> np.ndarray:
        return _ratio(self["f_tp"], self._flagged())

    def _recall(self) -> np.ndarray:
        return _ratio(self["f_tp"], self._totals()[0])

    def _fpr(self) -> np.ndarray:
        return _ratio(self["f_fp"], self._totals()[1])

    def _specificity(self) -> np.ndarray:
        return _ratio(self["f_tn"], self._totals()[1])

    def _f1(self) -> np.ndarray:
        tp = self["f_tp"]
        return _ratio(2 * tp, tp + self["f_fp"] + self._totals()[0])

    def _accuracy(self) -> np.ndarray:
        return _ratio(self["f_tp"] + self["f_tn"], sum(self._totals()))

    def _positive_rate(self) -> np.ndarray:
        return _ratio(self._flagged(), sum(self._totals()))

    def _balanced_accuracy(self) -> np.ndarray:
        n_pos, n_neg = self._totals()
        recall, specificity = self["recall"], self["specificity"]
        if n_pos.ndim == 0 and n_neg.ndim == 0:
            return (recall + specificity) / 2 if n_pos > 0 and n_neg > 0 else (recall if n_pos > 0 else specificity)
        return np.where((n_pos > 0) & (n_neg > 0), (recall + specificity) / 2, np.where(n_pos > 0, recall, specificity))

    def _mcc(self) -> np.ndarray:
        tp, fp, tn, fn = self["f_tp"], self["f_fp"], self["f_tn"], self["f_fn"]
        return _ratio(tp * tn - fp * fn, np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)))

    def _cost(self) -> np.ndarray | None:
        if self._costs is None:
            return None
        return business_cost(self._costs, self["tp"], self["fp"], self._n_pos, self._n_neg, self._amounts)


def business_cost(
    costs: CostMatrix,
    tp: Any,
    fp: Any,
    n_pos: Any,
    n_neg: Any,
    amounts: tuple[Any, Any, Any, Any] | None = None,
    *,
    out: np.ndarray | None = None,
    scratch: np.ndarray | None = None,
) -> np.ndarray:
    """``costs.total`` of every entry, written as ``const + a*fp + b*tp`` (+ the amount terms)
    because tn and fn are the complements: about half the array passes of the four-term form.

    ``amounts`` is ``(tp_amount, fp_amount, amount_pos, amount_neg)``; required when ``costs``
    has percentages of the amount. ``out``/``scratch``: float64 arrays of the result's shape
    to write into and to hold the intermediate products (fresh arrays otherwise).
    """
    n_pos = np.asarray(n_pos, dtype=np.float64)
    n_neg = np.asarray(n_neg, dtype=np.float64)
    out = np.multiply(fp, costs.fp_cost + costs.tn_value, dtype=np.float64, out=out)
    out -= np.multiply(tp, costs.fn_cost + costs.tp_value, dtype=np.float64, out=scratch)
    out += n_pos * costs.fn_cost - n_neg * costs.tn_value
    if out.ndim == 0:
        out = np.float64(out)
    if costs.per_case:
        if amounts is None:
            raise DataError(
                "These costs take a share of each case's amount, but no amount column is set. "
                "Choose an Amount column on the Data page, or set the percentages to 0."
            )
        tp_amount, fp_amount, amount_pos, amount_neg = amounts
        if costs.fp_pct or costs.tn_pct:
            out += np.multiply(fp_amount, (costs.fp_pct + costs.tn_pct) / 100.0, out=scratch)
        if costs.fn_pct or costs.tp_pct:
            out -= np.multiply(tp_amount, (costs.fn_pct + costs.tp_pct) / 100.0, out=scratch)
        out += (np.asarray(amount_pos) * costs.fn_pct - np.asarray(amount_neg) * costs.tn_pct) / 100.0
    return out


# Below this many cases every count, every sum of counts and every product of two counts is
# an integer under 2**53, hence exact in float64 (what ``_sweep_metrics`` relies on).
_EXACT_COUNTS = 2**26


class _Rows:
    """Equal-length 1-D arrays carved in turn from one allocation (``take``).

    A sweep's arrays are fresh memory, and at 1M scores touching it for the first time costs
    more than the arithmetic: one block of rows faults in about twice as fast as the same
    bytes as separate arrays. Rows never taken are never touched, so they cost no memory.
    """

    def __init__(self, length: int, count: int) -> None:
        self._block = np.empty((count, length))
        self._taken = 0

    def take(self, dtype: Any = np.float64) -> np.ndarray:
        row = self._block[self._taken].view(dtype)
        self._taken += 1
        return row

    def scratch(self, size: int, dtype: Any, within: int) -> np.ndarray:
        """A temporary (size,) array in the next ``within`` rows, which the caller takes and
        fills afterwards (so the temporary costs no memory of its own); a fresh array when
        it does not fit there."""
        free = self._block[self._taken : self._taken + within].reshape(-1).view(np.uint8)
        nbytes = size * np.dtype(dtype).itemsize
        return free[:nbytes].view(dtype) if nbytes <= len(free) else np.empty(size, dtype)


# Rows one sweep can take: thresholds, 4 counts, 2 float counts, 9 ratios, cost, the
# ascending thresholds and 4 amount sums.
_SWEEP_ROWS = 22


def _sweep_metrics(tp: np.ndarray, fp: np.ndarray, n_pos: int, n_neg: int, rows: _Rows) -> dict[str, np.ndarray]:
    """``confusion_metrics(tp, fp, n_pos, n_neg)`` of an unweighted sweep, equal bit for bit,
    in about half the array passes and no temporary arrays (keys: ``METRICS`` but ``cost``,
    plus ``f_tp``, ``f_fp``; every array a row of ``rows``).

    ``tp``/``fp``: int64 (m+1,) as ``sweep_sorted`` builds them, with ``n_pos + n_neg <
    _EXACT_COUNTS``. Two facts make it cheaper and change no bit:
    - exact integers: ``tn`` as a float is ``n_neg - fp`` computed in floats, the MCC
      denominator's factors ``tp + fn``, ``tn + fp``, ``tn + fn`` are ``n_pos``, ``n_neg``,
      ``n - flagged``, and ``tp*tn - fp*fn == tp*n_neg - fp*n_pos`` exactly;
    - the sweep's shape: the number flagged grows strictly along ``0 .. m-1`` (each distinct
      score has a case), is ``n`` at ``m-1`` and 0 at ``m``, so the only zero denominators
      sit at those two ends, where the ratios are set to 0 directly instead of masking
      every entry (every numerator is 0 there, so that is the zero-division value).
    Rows still to be filled hold intermediate values (the order below is what allows it).
    """
    last = len(tp) - 1  # the flag-nobody end
    both = n_pos > 0 and n_neg > 0
    pos, neg, total = float(n_pos), float(n_neg), float(n_pos + n_neg)
    f_tp, f_fp = rows.take(), rows.take()
    f_tp[...] = tp
    f_fp[...] = fp
    flagged = np.add(f_tp, f_fp, out=rows.take())  # becomes the positive rate, last
    precision = rows.take()
    np.divide(f_tp[:last], flagged[:last], out=precision[:last])
    precision[last] = 0.0
    recall = np.divide(f_tp, pos or 1.0, out=rows.take())
    fpr = np.divide(f_fp, neg or 1.0, out=rows.take())
    specificity = np.subtract(neg, f_fp, out=rows.take())  # tn as a float, for now
    accuracy = np.add(f_tp, specificity, out=rows.take())
    accuracy /= total
    specificity /= neg or 1.0
    if both:
        balanced_accuracy = np.add(recall, specificity, out=rows.take())
        balanced_accuracy /= 2
    else:
        balanced_accuracy = recall if n_pos > 0 else specificity
    # F1 = 2 tp / (flagged + n_pos), as (tp / den) * 2: doubling is exact, so the same bits.
    f1 = np.add(flagged, pos, out=rows.take())
    np.divide(f_tp[:last], f1[:last], out=f1[:last])
    f1 *= 2
    f1[last] = 0.0
    mcc = rows.take()
    tn, fn = rows.take(np.int64), rows.take(np.int64)
    if both:
        np.multiply(f_tp, neg, out=mcc)
        mcc -= np.multiply(f_fp, pos, out=fn.view(np.float64))
        denominator = np.multiply(flagged, pos, out=tn.view(np.float64))  # the four factors' order
        denominator *= neg
        denominator *= np.subtract(total, flagged, out=fn.view(np.float64))
        np.sqrt(denominator, out=denominator)
        np.divide(mcc[: last - 1], denominator[: last - 1], out=mcc[: last - 1])
        mcc[last - 1 :] = 0.0  # everybody and nobody flagged
    else:
        mcc[...] = 0.0  # one class only: every numerator is 0
    np.subtract(n_neg, fp, out=tn)
    np.subtract(n_pos, tp, out=fn)
    flagged /= total
    return {
        "tp": tp,
        "fp": fp,
        "tn": tn,
        "fn": fn,
        "f_tp": f_tp,
        "f_fp": f_fp,
        "precision": precision,
        "recall": recall,
        "fpr": fpr,
        "specificity": specificity,
        "f1": f1,
        "accuracy": accuracy,
        "balanced_accuracy": balanced_accuracy,
        "mcc": mcc,
        "positive_rate": flagged,
    }


def confusion_metrics(
    tp: Any,
    fp: Any,
    n_pos: Any,
    n_neg: Any,
    costs: CostMatrix | None = None,
    amounts: tuple[Any, Any, Any, Any] | None = None,
) -> ConfusionMetrics:
    """``ConfusionMetrics(tp, fp, n_pos, n_neg, costs, amounts)``: every metric, computed when read."""
    return ConfusionMetrics(tp, fp, n_pos, n_neg, costs, amounts)


# ---------------------------------------------------------------------------------------
# Sweep and operating points
# ---------------------------------------------------------------------------------------


@dataclass
class OperatingPoint:
    """The confusion matrix and every metric at one threshold (all scalars).

    Counts are ints without sample weights, floats with them; ``cost`` is ``None`` when the
    sweep has no costs. Zero-division convention: see the module docstring.
    """

    threshold: float
    tp: float
    fp: float
    tn: float
    fn: float
    precision: float
    recall: float
    fpr: float
    specificity: float
    f1: float
    accuracy: float
    balanced_accuracy: float
    mcc: float
    positive_rate: float
    cost: float | None = None
    # Amount sums of each cell (0 without an amount column): what per-case money is a share of.
    tp_amount: float = 0.0
    fp_amount: float = 0.0
    tn_amount: float = 0.0
    fn_amount: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """The threshold and every metric by name (the amount sums are left out)."""
        return {name: value for name, value in asdict(self).items() if not name.endswith("_amount")}


def point_from_counts(
    threshold: float,
    tp: float,
    fp: float,
    tn: float,
    fn: float,
    costs: CostMatrix | None = None,
    *,
    tp_amount: float = 0.0,
    fp_amount: float = 0.0,
    tn_amount: float = 0.0,
    fn_amount: float = 0.0,
) -> OperatingPoint:
    """An ``OperatingPoint`` from one confusion matrix (e.g. a subset of cases) and, for
    per-case money, the amount sums of its cells."""
    amounts = (tp_amount, fp_amount, tp_amount + fn_amount, fp_amount + tn_amount)
    metrics = confusion_metrics(np.float64(tp), np.float64(fp), tp + fn, fp + tn, costs, amounts)
    cast = int if all(float(x).is_integer() for x in (tp, fp, tn, fn)) else float
    return OperatingPoint(
        float(threshold),
        *(cast(metrics[name]) for name in COUNTS),
        *(float(metrics[name]) for name in RATIOS),
        cost=None if costs is None else float(metrics["cost"]),
        tp_amount=float(tp_amount),
        fp_amount=float(fp_amount),
        tn_amount=float(tn_amount),
        fn_amount=float(fn_amount),
    )


class Sweep:
    """Result of ``threshold_sweep``: 1-D arrays of length ``m + 1``, one entry per threshold.

    Attributes: ``thresholds`` (distinct scores decreasing, then ``+inf``), ``tp``, ``fp``,
    ``tn``, ``fn``, and the ratios ``precision``, ``recall``, ``fpr``, ``specificity``, ``f1``,
    ``accuracy``, ``balanced_accuracy``, ``mcc``, ``positive_rate``; ``cost`` (total business
    cost, ``None`` without costs). Totals ``n``, ``n_pos``, ``n_neg``; ``score_min``,
    ``score_max``; ``costs``; ``weighted``.

    With amounts: ``tp_amount``/``fp_amount``/``tn_amount``/``fn_amount`` (the amount sums of
    each cell, same index order) and totals ``amount_pos``/``amount_neg``; otherwise those
    arrays are ``None`` and the totals 0. ``with_costs`` re-costs without sorting again.
    """

    def __init__(
        self,
        thresholds: np.ndarray,
        tp: np.ndarray,
        fp: np.ndarray,
        *,
        n_pos: Any,
        n_neg: Any,
        costs: CostMatrix | None,
        score_min: float,
        score_max: float,
        weighted: bool,
        amounts: tuple[np.ndarray, np.ndarray] | None = None,
        rows: _Rows | None = None,
    ) -> None:
        # rows: where to put the arrays (sweep_sorted's block, holding thresholds, tp and fp).
        rows = rows or _Rows(len(thresholds), _SWEEP_ROWS)
        cast = float if weighted else int
        self.thresholds = thresholds
        self.n_pos = cast(n_pos)
        self.n_neg = cast(n_neg)
        self.n = self.n_pos + self.n_neg
        self.costs = costs
        self.score_min = score_min
        self.score_max = score_max
        self.weighted = weighted
        self.has_amounts = amounts is not None
        if amounts is None:
            self.tp_amount = self.fp_amount = self.tn_amount = self.fn_amount = None
            self.amount_pos = self.amount_neg = 0.0
        else:
            self.tp_amount, self.fp_amount = amounts
            self.amount_pos, self.amount_neg = float(self.tp_amount[-2]), float(self.fp_amount[-2])
            self.fn_amount = np.subtract(self.amount_pos, self.tp_amount, out=rows.take())
            self.tn_amount = np.subtract(self.amount_neg, self.fp_amount, out=rows.take())
        if weighted or self.n >= _EXACT_COUNTS:
            metrics = confusion_metrics(tp, fp, n_pos, n_neg, None)
        else:
            metrics = _sweep_metrics(tp, fp, self.n_pos, self.n_neg, rows)
        for name in METRICS[:-1]:
            setattr(self, name, metrics[name])
        # The counts as float64, kept (the ratios needed them anyway) so that re-costing is
        # two multiply-adds over ready arrays rather than int-to-float conversions.
        self._float_tp, self._float_fp = metrics["f_tp"], metrics["f_fp"]
        # searchsorted needs an ascending, contiguous copy of the finite thresholds; its row
        # holds the cost's intermediate products first.
        ascending = rows.take()
        self.cost = None if costs is None else self._cost_of(costs, out=rows.take(), scratch=ascending)
        self._ascending = ascending[:-1]
        np.copyto(self._ascending, thresholds[-2::-1])

    def __len__(self) -> int:
        return len(self.thresholds)

    def _amount_sums(self) -> tuple[Any, Any, float, float] | None:
        if not self.has_amounts:
            return None
        return self.tp_amount, self.fp_amount, self.amount_pos, self.amount_neg

    def _cost_of(self, costs: CostMatrix, **buffers: np.ndarray) -> np.ndarray:
        return business_cost(costs, self._float_tp, self._float_fp, self.n_pos, self.n_neg, self._amount_sums(),
                             **buffers)

    def with_costs(self, costs: CostMatrix | None) -> Sweep:
        """This sweep under other ``costs``: the same arrays (shared, not copied) and a new
        ``cost`` from the cumulative sums in one vectorised pass. Never sorts again.

        Raises ``DataError`` when ``costs`` take a share of the amount and the sweep has none.
        """
        if costs is not None and not isinstance(costs, CostMatrix):
            raise DataError("costs must be a CostMatrix.")
        other = copy.copy(self)
        other.costs = costs
        other.cost = None if costs is None else self._cost_of(costs)
        return other

    def __repr__(self) -> str:
        return (
            f"Sweep({len(self) - 1:,} distinct scores, n={self.n:,}, n_pos={self.n_pos:,}, "
            f"n_neg={self.n_neg:,}, costs={self.costs!r})"
        )

    def index(self, t: Any) -> Any:
        """Array index of the point equivalent to threshold(s) ``t`` (``scores >= t``).

        Scalar in, int out; array in, int array out. O(log m) per threshold.
        """
        t = np.asarray(t, dtype=np.float64)
        if np.isnan(t).any():
            raise DataError("The threshold must be a number.")
        m = len(self._ascending)
        # _ascending[j] is the smallest distinct score >= t; j == m means nobody is flagged.
        j = np.searchsorted(self._ascending, t, side="left")
        idx = np.where(j == m, m, m - 1 - j)
        return int(idx) if idx.ndim == 0 else idx

    def point(self, i: int, threshold: float | None = None) -> OperatingPoint:
        """The operating point stored at index ``i`` (threshold defaults to ``thresholds[i]``)."""
        cast = float if self.weighted else int
        cost = None if self.cost is None else float(self.cost[i])
        amounts = {}
        if self.has_amounts:
            amounts = {f"{cell}_amount": float(getattr(self, f"{cell}_amount")[i]) for cell in COUNTS}
        return OperatingPoint(
            float(self.thresholds[i]) if threshold is None else float(threshold),
            *(cast(getattr(self, name)[i]) for name in COUNTS),
            *(float(getattr(self, name)[i]) for name in RATIOS),
            cost=cost,
            **amounts,
        )

    def at(self, t: float) -> OperatingPoint:
        """Everything at threshold ``t``, exactly as ``scores >= t`` would give. O(log n).

        Works for any ``t``: between scores, on a score, above the highest (nobody flagged),
        below the lowest (everybody flagged), ``±inf``. ``point.threshold`` is ``t`` itself.
        """
        try:
            t = float(t)
        except (TypeError, ValueError):
            raise DataError(f"The threshold must be a number, got {t!r}.") from None
        return self.point(self.index(t), threshold=t)

    def frame(self, max_points: int = 2000, keep: Iterable[float] = ()) -> pd.DataFrame:
        """All metrics as a DataFrame, one row per kept threshold, for charts and tables.

        Columns: ``threshold`` then ``METRICS`` (``cost`` only with costs). Rows in the
        sweep's index order (the last row is the flag-nobody end, ``threshold = inf``; filter
        ``np.isfinite`` for a threshold axis). At most ``max_points`` rows plus the rows for
        ``keep``; see ``downsample_indices`` for what is kept.
        """
        rows = downsample_indices(self, max_points, keep)
        data = {"threshold": self.thresholds[rows]}
        for name in METRICS:
            values = getattr(self, name)
            if values is not None:
                data[name] = values[rows]
        return pd.DataFrame(data)

    def cost_summary(self, t: float):
        """``core.costs.cost_summary`` of the point at threshold ``t`` (needs costs)."""
        if self.costs is None:
            raise DataError("Enter the costs of false positives and false negatives to see business costs.")
        return cost_summary(self.at(t), self.costs)


def downsample_indices(sweep: Sweep, max_points: int = 2000, keep: Iterable[float] = ()) -> np.ndarray:
    """Sorted indices of at most ``max_points`` (+ ``keep``) sweep entries that draw its curves.

    Always kept: both ends, the best F1, Youden and cost points, and the points of the
    thresholds in ``keep``. The budget is then split between points evenly spaced along the
    ROC path (``tpr + fpr``, which also spaces PR and rate curves by cases flagged) and
    points evenly spaced in threshold value, so neither the ROC/PR shape nor the metric-vs-
    threshold curves move. Below the budget every index is returned.
    """
    size = len(sweep)
    keep_idx = [sweep.index(float(t)) for t in keep if not math.isnan(float(t))]
    if size <= max(int(max_points), 2):
        return np.arange(size)
    special = [0, size - 2, size - 1, int(np.argmax(sweep.f1)), int(np.argmax(sweep.recall - sweep.fpr))]
    if sweep.cost is not None:
        special.append(int(np.argmin(sweep.cost)))
    budget = max(int(max_points) - len(special), 2)
    finite = size - 1
    path = sweep.recall[:finite] + sweep.fpr[:finite]
    along_path = np.searchsorted(path, np.linspace(path[0], path[-1], budget // 2), side="left")
    grid = np.linspace(sweep.score_min, sweep.score_max, budget - budget // 2)
    along_threshold = np.minimum(sweep.index(grid), finite - 1)
    picked = np.concatenate([special, keep_idx, along_path, along_threshold]).astype(np.int64)
    return np.unique(np.clip(picked, 0, size - 1))


# ---------------------------------------------------------------------------------------
# Curves and areas
# ---------------------------------------------------------------------------------------


def roc_points(sweep: Sweep, max_points: int = 2000) -> pd.DataFrame:
    """ROC curve: DataFrame[fpr, tpr, threshold], from (0, 0) (threshold inf) to (1, 1).

    Rows in increasing ``fpr``; downsampled like ``Sweep.frame``. With no negatives (or no
    positives) ``fpr`` (``tpr``) is 0 throughout, per the zero-division convention.
    """
    rows = downsample_indices(sweep, max_points)
    order = np.concatenate([[len(sweep) - 1], rows[rows < len(sweep) - 1]])
    return pd.DataFrame(
        {"fpr": sweep.fpr[order], "tpr": sweep.recall[order], "threshold": sweep.thresholds[order]}
    )


def pr_points(sweep: Sweep, max_points: int = 2000) -> pd.DataFrame:
    """Precision-recall curve: DataFrame[recall, precision, threshold], recall increasing.

    The first row is scikit-learn's anchor (recall 0, precision 1, threshold inf), as in
    ``precision_recall_curve``; every other row is a sweep point. Downsampled like ``frame``.
    """
    df = roc_points(sweep, max_points)
    rows = sweep.index(df["threshold"].to_numpy())
    precision = sweep.precision[rows].copy()
    precision[0] = 1.0
    return pd.DataFrame({"recall": df["tpr"].to_numpy(), "precision": precision, "threshold": df["threshold"].to_numpy()})


def roc_auc(sweep: Sweep) -> float:
    """Area under the ROC curve, equal to ``sklearn.metrics.roc_auc_score``.

    Trapezoids over every distinct threshold, in counts (exact for integer counts until the
    final division). ``nan`` when only one class is present, as scikit-learn.
    """
    if sweep.n_pos <= 0 or sweep.n_neg <= 0:
        return float("nan")
    tp = np.concatenate([[0], sweep.tp[:-1]]).astype(np.float64)
    fp = np.concatenate([[0], sweep.fp[:-1]]).astype(np.float64)
    area = np.sum(np.diff(fp) * (tp[1:] + tp[:-1])) / 2
    return float(area / (float(sweep.n_pos) * float(sweep.n_neg)))


def average_precision(sweep: Sweep) -> float:
    """Average precision ``sum_k (R_k - R_{k-1}) P_k``, equal to ``average_precision_score``.

    Over the distinct thresholds from the highest down (``R_0 = 0``); 0 without positives.
    """
    if sweep.n_pos <= 0:
        return 0.0
    finite = len(sweep) - 1
    gained = np.diff(sweep.tp[:finite], prepend=0).astype(np.float64)
    return float(max(0.0, np.sum(gained * sweep.precision[:finite]) / float(sweep.n_pos)))


# ---------------------------------------------------------------------------------------
# Recommendations
# ---------------------------------------------------------------------------------------


@dataclass
class Recommendation:
    """A recommended threshold: the objective's key, the threshold, its point, and one
    plain-words sentence a stakeholder can read aloud."""

    objective: str
    threshold: float
    point: OperatingPoint
    explanation: str

    @property
    def label(self) -> str:
        return OBJECTIVES[self.objective]


def choose_index(
    metrics: dict[str, np.ndarray],
    objective: str,
    *,
    min_precision: float | None = None,
    min_recall: float | None = None,
    capacity: float | None = None,
) -> np.ndarray:
    """Index (along the last axis) of the entry each objective picks; -1 where none qualifies.

    ``metrics`` holds ``confusion_metrics`` arrays in sweep index order, shape (m+1,) or
    (B, m+1) for bootstrap resamples. Ties go to the lowest index, i.e. the highest
    threshold (fewest cases flagged). ``min_precision``/``min_recall``/``capacity`` are shares
    in [0, 1], validated by the caller. Each objective's rule lives in ``core.objectives``.
    """
    spec = objectives.get(objective)
    if spec.parameter is None:
        return spec.choose(metrics)
    share = {"min_precision": min_precision, "min_recall": min_recall, "capacity": capacity}[spec.parameter.name]
    return spec.choose(metrics, share)


def display_threshold(sweep: Sweep, i: int) -> float:
    """The roundest number that selects exactly entry ``i`` (``scores >= t``).

    Entry ``i`` is selected by any ``t`` in ``(next lower distinct score, thresholds[i]]``;
    a short decimal from that interval reads better aloud ("at 0.23") and round-trips
    through ``Sweep.at``. The flag-nobody end gets the roundest number above the top score.
    """
    m = len(sweep) - 1
    lower = sweep.thresholds[i + 1] if i + 1 < m else -np.inf
    if i == m:
        lower, upper = sweep.score_max, np.inf
    else:
        upper = sweep.thresholds[i]
    # Python floats: round() on a numpy scalar is ~50x slower, and intervals call this per pick.
    lower, upper = float(lower), float(upper)
    for decimals in range(0, 17):
        scale = 10.0**decimals
        if not math.isfinite((upper if math.isfinite(upper) else lower) * scale):
            break  # a score near the float maximum: no more decimals fit; the fallback below does
        if math.isfinite(upper):
            candidates = (round(upper, decimals), math.floor(upper * scale) / scale)
        else:
            candidates = (math.floor(lower * scale + 1) / scale,)
        for candidate in candidates:
            if lower < candidate <= upper and sweep.index(candidate) == i:
                return candidate
    return float(upper) if math.isfinite(upper) else float(np.nextafter(lower, np.inf))


def _percent(share: float) -> str:
    pct = 100 * share
    text = f"{pct:.0f}"
    # Rounding (half to even) must not turn "some" into none or "not all" into all.
    if 0 < pct and text == "0":
        return "under 1%"
    if pct < 100 and text == "100":
        return "over 99%"
    return f"{text}%"


def explain(
    sweep: Sweep,
    point: OperatingPoint,
    *,
    positive_label: str = "positives",
    case_noun: str = "cases",
) -> str:
    """One sentence a stakeholder can read aloud about ``point``.

    e.g. "At 0.23 you catch 91% of defaulters; 1 in 4 flagged customers is a false alarm;
    expected cost per 1,000 customers $12,300 — $4,100 less than flagging nobody."
    """
    t = point.threshold
    head = f"At {t:g}" if math.isfinite(t) else "Flagging nobody"
    flagged = point.tp + point.fp
    if flagged == 0:
        where = f"At {t:g} nobody is flagged, so" if math.isfinite(t) else "Flagging nobody,"
        parts = [f"{where} you catch none of the {positive_label}"]
    else:
        parts = [f"{head} you catch {_percent(point.recall)} of {positive_label}"]
        false_share = point.fp / flagged
        if false_share == 0:
            parts.append(f"none of the flagged {case_noun} is a false alarm")
        elif false_share < 0.5 and abs(1 / round(1 / false_share) - false_share) <= 0.1 * false_share:
            # "1 in 4" reads better than "25%", but only when it is (nearly) true.
            ratio = round(1 / false_share)
            about = "" if abs(1 / ratio - false_share) < 1e-9 else "about "
            parts.append(f"{about}1 in {ratio:,} flagged {case_noun} is a false alarm")
        else:
            parts.append(f"{_percent(false_share)} of flagged {case_noun} are false alarms")
    if sweep.costs is not None:
        summary = cost_summary(point, sweep.costs)
        fmt = sweep.costs.format
        per_1000 = float(summary.per_1000)
        what = "expected cost" if per_1000 >= 0 else "expected net gain"
        text = f"{what} per 1,000 {case_noun} {fmt(abs(per_1000))}"
        if flagged == 0:
            baseline, saving = "flagging everybody", float(summary.savings_vs_everybody)
        else:
            baseline, saving = "flagging nobody", float(summary.savings_vs_nobody)
        saving_1000 = saving / summary.n * 1000
        if abs(saving_1000) >= 0.005:
            # "less"/"more" reads as cost; for a net gain say "better"/"worse".
            words = ("less", "more") if per_1000 >= 0 else ("better", "worse")
            text += f" — {fmt(abs(saving_1000))} {words[0] if saving_1000 > 0 else words[1]} than {baseline}"
        else:
            text += f" — the same as {baseline}"
        parts.append(text)
    return "; ".join(parts) + "."


def check_costs_for(spec: objectives.Objective, sweep: Sweep) -> None:
    """``DataError`` when ``spec`` needs costs and ``sweep``'s costs cannot rank thresholds."""
    if not spec.needs_costs:
        return
    if sweep.costs is None:
        raise DataError("Enter the costs of a false positive and a false negative to find the lowest-cost threshold.")
    if np.ptp(sweep.cost) == 0:
        # All costs 0 (say): argmin would return an arbitrary end and call it a recommendation.
        raise DataError(
            "With these costs every threshold gives the same business cost, so none is cheapest. "
            "Enter what a false positive and a false negative cost your business."
        )


def recommend_threshold(
    sweep: Sweep,
    objective: str = "min_cost",
    *,
    min_precision: float | None = None,
    min_recall: float | None = None,
    capacity: float | None = None,
    positive_label: str = "positives",
    case_noun: str = "cases",
) -> Recommendation:
    """The threshold that best meets ``objective`` (a key of ``OBJECTIVES``).

    - ``min_cost``: lowest total business cost (needs ``sweep.costs``; may be "flag nobody").
    - ``max_f1``: highest F1. ``youden``: highest recall - fpr (Youden's J).
    - ``recall_at_precision``: highest recall among thresholds with precision >= ``min_precision``.
    - ``precision_at_recall``: highest precision among thresholds with recall >= ``min_recall``.
    - ``capacity``: flag as many as possible but at most a ``capacity`` share of cases
      (0.1 = 10%); ties in scores may keep the share below it.
    Shares are in [0, 1]. Ties go to the first entry in sweep order (the highest finite
    threshold). The returned threshold is the
    roundest number giving that point (``sweep.at(rec.threshold) == rec.point``).
    ``positive_label``/``case_noun`` name things in the explanation ("defaulters",
    "customers"). Raises ``DataError`` in plain words when the objective is impossible.
    """
    spec = objectives.get(objective)
    check_costs_for(spec, sweep)
    kwargs = objectives.check_parameters(
        spec, {"min_precision": min_precision, "min_recall": min_recall, "capacity": capacity}
    )
    metrics = {name: getattr(sweep, name) for name in METRICS}
    i = int(choose_index(metrics, objective, **kwargs))
    if i < 0:
        raise DataError(spec.infeasible(metrics, sweep.thresholds, next(iter(kwargs.values()))))
    threshold = display_threshold(sweep, i)
    point = sweep.point(i, threshold=threshold)
    sentence = explain(sweep, point, positive_label=positive_label, case_noun=case_noun)
    return Recommendation(objective, threshold, point, sentence)
