"""Decisions by segment: who one threshold flags, misses and costs, group by group.

Three steps, each a pure function of plain data:

1. ``segment_labels(values)`` turns a raw column into segment labels (a ``Segmentation``):
   a column with a few values keeps them (at most ``max_groups``; the rarest are grouped as
   ``"other"``), a numeric column with many values is cut into ``bins`` quantile bins, and
   missing values form their own ``"(missing)"`` segment. A column that cannot split the
   rows into groups (one value, all missing, an identifier or free text) raises
   ``DataError`` with the fix.
2. ``segment_sweeps(y, scores, labels)`` sorts the rows once (by score, then a
   linear-time sort by segment) and keeps each segment's cumulative counts, weights and amounts.
   Built once per data; every threshold after that is ``O(k log n)`` for ``k`` segments
   (``SegmentSweeps.counts_at``), so a slider move costs microseconds, not a re-count.
3. ``SegmentSweeps.table(threshold, costs)`` is the **By segment** table: one row per
   segment and a row for everyone, with the UI-contract columns ``Segment``, ``Rows``,
   ``Positives``, ``Flagged``, ``Precision``, ``Recall``, ``False positive rate``,
   ``Business cost``, then ``Flag rate``, the ratios of flag rate and recall to the most
   favourable segment (the four-fifths rule), ``Marks`` (text) and a 90% Wilson interval
   for every rate (``<rate> low`` / ``<rate> high``). ``segment_table(...)`` does 2 and 3
   in one call.

``separate_thresholds`` answers "what would a threshold per segment do?" as analysis (each
segment's own lowest-cost threshold, and a variant that keeps every segment's recall near the
overall recall); ``segment_records`` / ``segment_report_rows`` give the table as JSON-able
records and as formatted text rows for the exports.

Conventions (as ``core.thresholds``): **score >= threshold => flagged**; an undefined ratio
(nobody flagged, no positives, no negatives) is 0 and its interval is ``nan``. With
``weights`` (a count table: cases per row) ``Rows``/``Positives``/``Flagged`` are weighted
case counts and the intervals treat them as counts of cases. ``amounts`` are one number per
row (for a count table, the total amount of that row's cases) and feed the per-case money of
``CostMatrix`` (``fp_pct`` etc.).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from core.costs import CostMatrix
from core.errors import DataError
from core.thresholds import validate_labels_scores

__all__ = [
    "MISSING",
    "OTHER",
    "TOO_FEW",
    "EVERYONE",
    "TABLE_COLUMNS",
    "RATE_COLUMNS",
    "MIN_ROWS",
    "MIN_POSITIVES",
    "FOUR_FIFTHS",
    "ANALYSIS_CAVEAT",
    "Segmentation",
    "SegmentSweeps",
    "SeparateThresholds",
    "segment_labels",
    "segment_sweeps",
    "segment_table",
    "separate_thresholds",
    "wilson_interval",
    "segment_records",
    "segment_report_rows",
    "segments_payload",
]

MISSING = "(missing)"
OTHER = "other"
EVERYONE = "Everyone"
# The UI contract's columns of the By segment table, in order.
TABLE_COLUMNS = ("Segment", "Rows", "Positives", "Flagged", "Precision", "Recall", "False positive rate",
                 "Business cost")
# Every rate of the table; each has a "<rate> low" and "<rate> high" interval column.
RATE_COLUMNS = ("Flag rate", "Precision", "Recall", "False positive rate")
MIN_ROWS = 30
MIN_POSITIVES = 5
FOUR_FIFTHS = 0.8
TOO_FEW = "too few to judge"
ANALYSIS_CAVEAT = (
    "This is analysis, not a deployable policy: separate thresholds by group can be unlawful when the group is a "
    "protected attribute (such as sex, age or ethnicity), and the savings are measured on the same rows the "
    "thresholds were chosen on, so new data would show less."
)
# A numeric column with at most this many distinct values is read as categories (0/1, a 1-5 rating).
MAX_NUMERIC_CATEGORIES = 10
# More distinct text values than this is an identifier or free text, not a grouping.
MAX_DISTINCT_TEXT = 1000


# ---------------------------------------------------------------------------------------
# 1. Segment labels from a raw column
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segmentation:
    """Segment labels of every row and how they were made.

    ``labels``: object array of ``str``, one per row (``"(missing)"`` for a missing value);
    ``order``: the segments in display order (categories sorted, bins from low to high, then
    ``"other"``, then ``"(missing)"``); ``kind``: ``"categories"`` or ``"quantile bins"``;
    ``note``: plain words on what was done (grouping, binning, missing values), ``""`` when
    the column was used as it is; ``column``: the column's name, if it had one.
    """

    labels: np.ndarray
    order: tuple[str, ...]
    kind: str
    note: str = ""
    column: str | None = None

    def __len__(self) -> int:
        return len(self.labels)


def _column_words(name: Any) -> str:
    return "The segment column" if name is None else f"The segment column '{name}'"


def _number_text(value: float, digits: int = 4) -> str:
    """A number as short text: ``3``, ``2.5``, ``1.235e+06``."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.{digits}g}"


def _edge_texts(edges: np.ndarray) -> list[str]:
    """Bin edges (or numeric categories) as text with just enough significant digits to tell them apart."""
    for digits in range(4, 18):
        texts = [_number_text(e, digits) for e in edges]
        if len(set(texts)) == len(set(float(e) for e in edges)):
            return texts
    return [repr(float(e)) for e in edges]


def _unique_label(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted`` with a suffix when a real value already has that name."""
    label, k = wanted, 1
    while label in taken:
        label = f"{wanted} ({'grouped' if wanted == OTHER else 'no value'}{'' if k == 1 else f' {k}'})"
        k += 1
    return label


def segment_labels(values: Any, *, max_groups: int = 50, bins: int = 4) -> Segmentation:
    """Segment labels for every row of ``values`` (a ``pd.Series``; array-likes work too).

    - **Categories**: text, booleans, and numbers with at most 10 distinct values keep their
      values as segments. With more than ``max_groups`` values, the ``max_groups - 1`` most
      frequent are kept and the rest grouped as ``"other"`` (ties broken by the value's text,
      so the result is deterministic); the note says how many values and rows that grouped.
    - **Quantile bins**: a numeric column with more than 10 distinct values is cut at its
      quantiles into at most ``bins`` bins of about equal size, labelled by their range,
      ``"[18, 29]"``, ``"(29, 41]"``, ... (a value on an edge belongs to the lower bin; tied
      quantiles merge bins). The note says so. Text that is all numbers counts as numeric.
    - **Missing** values (NaN, None, empty text) form a ``"(missing)"`` segment.

    Raises ``DataError`` when the column cannot split the rows: no rows, every value missing,
    a single value, or text with more than 1,000 distinct values / a different value on every
    row (an identifier or free text). Works on the distinct values (``pd.factorize``), so a
    200,000-row column takes milliseconds.
    """
    if isinstance(max_groups, bool) or not isinstance(max_groups, (int, np.integer)) or max_groups < 2:
        raise DataError(f"max_groups must be a whole number of at least 2, got {max_groups!r}.")
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 2:
        raise DataError(f"bins must be a whole number of at least 2, got {bins!r}.")
    if isinstance(values, pd.Series):
        series = values
    else:
        array = np.asarray(values)
        series = pd.Series(array if array.ndim == 1 else array.ravel())
    name = series.name
    what = _column_words(name)
    if len(series) == 0:
        raise DataError(f"{what} has no rows.")
    numeric = pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)
    if numeric:
        x = series.to_numpy(dtype=np.float64, na_value=np.nan)
        text_uniques = codes = None
    else:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        cleaned = [v.strip() if isinstance(v, str) else v for v in uniques]
        blank = np.array([isinstance(v, str) and v == "" for v in cleaned], dtype=bool)
        as_numbers = pd.to_numeric(pd.Series(cleaned, dtype=object), errors="coerce").to_numpy(dtype=np.float64)
        if len(cleaned) and not blank.all() and np.isfinite(as_numbers[~blank]).all() and not any(
                isinstance(v, (bool, np.bool_)) for v in cleaned):
            numeric = True  # numbers stored as text
            values_of = np.where(blank, np.nan, as_numbers)
            x = np.where(codes >= 0, values_of[np.maximum(codes, 0)], np.nan)
            text_uniques = codes = None
        else:
            # Same text after stripping is the same value: merge those uniques.
            text = np.array([str(v) for v in cleaned], dtype=object)
            merged, text_uniques = pd.factorize(text)
            merged = np.append(np.where(blank, -1, merged), -1)  # the extra -1: where codes are -1
            codes = merged[codes]
    if numeric:
        missing = np.isnan(x)
        if np.isinf(x).any():
            raise DataError(f"{what} holds infinite numbers; replace them or choose another column.")
    else:
        missing = codes < 0
    n_missing = int(missing.sum())
    if n_missing == len(series):
        raise DataError(f"{what} is empty: every value is missing. Choose a column that splits the rows into "
                        "groups, or (none).")
    labels = np.empty(len(series), dtype=object)
    notes: list[str] = []
    if numeric:
        present = x[~missing]
        distinct, inverse = np.unique(present, return_inverse=True)
        n_distinct = len(distinct)
    else:
        counts_all = np.bincount(codes[~missing], minlength=len(text_uniques))
        used = counts_all > 0
        n_distinct = int(used.sum())
    if n_distinct < 2:
        only = _number_text(distinct[0]) if numeric else str(text_uniques[np.flatnonzero(used)[0]])
        extra = f" (the other {n_missing:,} rows have no value)" if n_missing else ""
        raise DataError(f"{what} has only one value ('{only}'){extra}, so there are no groups to compare. "
                        "Choose a column with at least two values, or (none).")

    if numeric and n_distinct > MAX_NUMERIC_CATEGORIES:
        kind = "quantile bins"
        # Edges are data values (inverted_cdf), so no bin is empty and labels show real values.
        quantiles = np.quantile(present, np.linspace(0, 1, bins + 1), method="inverted_cdf")
        # Inner edges are the upper ends of every bin but the last; a tied quantile merges two bins.
        inner = np.unique(quantiles[1:-1])
        inner = inner[inner < distinct[-1]]
        if len(inner) == 0:  # almost every value equals the minimum: that value alone, then the rest
            inner = distinct[:1]
        edges = np.concatenate([distinct[:1], inner, distinct[-1:]])
        texts = _edge_texts(edges)
        names = [f"[{texts[0]}, {texts[1]}]"] + [f"({texts[i]}, {texts[i + 1]}]" for i in range(1, len(edges) - 1)]
        labels[~missing] = np.asarray(names, dtype=object)[np.searchsorted(inner, present, side="left")]
        order = list(names)
        notes.append(f"{what} is numeric with {n_distinct:,} different values, so it is cut into {len(names)} "
                     "quantile bins of about equal size (a value on an edge belongs to the lower bin)"
                     + ("; tied values merged some bins." if len(names) < bins else "."))
    else:
        kind = "categories"
        if numeric:
            # Numeric order; just enough digits to tell the values apart (4 significant at least).
            names = np.array(_edge_texts(distinct), dtype=object)
            value_codes, counts = inverse, np.bincount(inverse, minlength=n_distinct)
        else:
            # Alphabetical order of the values that occur.
            kept_codes = np.flatnonzero(used)
            alphabetical = kept_codes[np.argsort(text_uniques[kept_codes].astype(str), kind="stable")]
            remap = np.full(len(text_uniques), -1, dtype=np.int64)
            remap[alphabetical] = np.arange(len(alphabetical))
            names = text_uniques[alphabetical]
            value_codes, counts = remap[codes[~missing]], counts_all[alphabetical]
        if not numeric and (n_distinct > MAX_DISTINCT_TEXT
                            or (n_distinct == len(value_codes) and n_distinct > max_groups)):
            raise DataError(
                f"{what} has {n_distinct:,} different values"
                + (" (a different one on every row)" if n_distinct == len(value_codes) else "")
                + ", so it looks like an identifier or free text, not a grouping. Choose a column with at most "
                f"{max_groups} values (rarer values are grouped as '{OTHER}'), or a numeric one, which is cut into "
                "quantile bins."
            )
        if n_distinct > max_groups:
            # Most frequent first; equal counts in the display order, so the cut is deterministic.
            ranked = np.lexsort((np.arange(n_distinct), -counts))
            keep = np.zeros(n_distinct, dtype=bool)
            keep[ranked[: max_groups - 1]] = True
            other = _unique_label(OTHER, set(names))
            grouped_rows = int(counts[~keep].sum())
            display = np.append(names[keep], other).astype(object)
            position = np.full(n_distinct, len(display) - 1, dtype=np.int64)
            position[keep] = np.arange(int(keep.sum()))
            labels[~missing] = display[position[value_codes]]
            order = list(display)
            notes.append(f"{what} has {n_distinct:,} different values; the {max_groups - 1} most frequent are kept "
                         f"and the other {n_distinct - max_groups + 1:,} ({grouped_rows:,} rows) are grouped as "
                         f"'{other}'.")
        else:
            labels[~missing] = names[value_codes]
            order = list(names)
    if n_missing:
        missing_label = _unique_label(MISSING, set(order))
        labels[missing] = missing_label
        order.append(missing_label)
        notes.append(f"{n_missing:,} rows with no value form their own '{missing_label}' segment.")
    return Segmentation(labels=labels, order=tuple(str(v) for v in order), kind=kind, note=" ".join(notes),
                        column=None if name is None else str(name))


# ---------------------------------------------------------------------------------------
# Intervals
# ---------------------------------------------------------------------------------------


def wilson_interval(successes: Any, trials: Any, level: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of ``successes / trials`` at confidence ``level`` (element-wise).

    ``center = (p + z²/2n) / (1 + z²/n)``, ``half = z / (1 + z²/n) · sqrt(p(1-p)/n + z²/4n²)``
    with ``z`` the normal quantile of ``1 - (1 - level)/2`` (1.645 for 90%); the same as
    statsmodels' ``proportion_confint(method="wilson")`` and scipy's
    ``binomtest(...).proportion_ci(method="wilson")``. Counts may be weighted (floats).
    ``nan`` where ``trials == 0``. Returns ``(low, high)`` arrays (0-d for scalars).
    """
    if not 0 < level < 1:
        raise DataError(f"The interval level must be between 0 and 1, got {level!r}.")
    k = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    z = NormalDist().inv_cdf(1 - (1 - level) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        z2n = z * z / n
        center = (p + z2n / 2) / (1 + z2n)
        half = z / (1 + z2n) * np.sqrt(p * (1 - p) / n + z2n / (4 * n))
        low = np.where(n > 0, np.clip(center - half, 0.0, 1.0), np.nan)
        high = np.where(n > 0, np.clip(center + half, 0.0, 1.0), np.nan)
    return low, high


# ---------------------------------------------------------------------------------------
# 2. One sort per segment, then lookups
# ---------------------------------------------------------------------------------------


def _as_labels(labels: Any, n: int) -> tuple[np.ndarray, tuple[str, ...]]:
    if isinstance(labels, Segmentation):
        values, order = labels.labels, labels.order
    else:
        values = np.asarray(labels, dtype=object)
        order = None
    if values.shape != (n,):
        raise DataError(f"There must be one segment label per row ({n:,}), got shape {values.shape}.")
    if order is None:
        raw = pd.Series(values)
        values = raw.astype(str).where(raw.notna(), MISSING).to_numpy(dtype=object)
        order = tuple(sorted(pd.unique(values), key=lambda v: (v == OTHER, v == MISSING, v)))
    else:
        present = set(pd.unique(values))
        extra = present - set(order)
        if extra:
            raise DataError(f"Some rows have segment labels that are not in the segmentation: {sorted(extra)[:3]}.")
        order = tuple(v for v in order if v in present)
    return values, order


def _codes(values: np.ndarray, order: tuple[str, ...]) -> np.ndarray:
    """Each row's position in ``order``, as the smallest integer type (for the radix sort)."""
    row_codes, uniques = pd.factorize(values)
    position = {name: i for i, name in enumerate(order)}
    lookup = np.array([position[v] for v in uniques], dtype=np.int64)
    dtype = np.int8 if len(order) < 128 else np.int16 if len(order) < 32768 else np.int64
    return lookup[row_codes].astype(dtype)


def _validate_inputs(y: Any, scores: Any, weights: Any, amounts: Any) -> tuple[np.ndarray, ...]:
    y_, s = validate_labels_scores(y, scores)
    n = len(s)
    if weights is None:
        w = None
    else:
        w = np.asarray(weights)
        if w.shape != (n,):
            raise DataError(f"There must be one count (weight) per row ({n:,}), got shape {w.shape}.")
        try:
            w = w.astype(np.float64)
        except (TypeError, ValueError):
            raise DataError("The counts (weights) must be numbers.") from None
        if not np.isfinite(w).all() or (w < 0).any():
            raise DataError("The counts (weights) must be finite and not negative.")
        if not (w > 0).any():
            raise DataError("Every count (weight) is zero; at least one row must count.")
    if amounts is None:
        a = None
    else:
        a = np.asarray(amounts)
        if a.shape != (n,):
            raise DataError(f"There must be one amount per row ({n:,}), got shape {a.shape}.")
        try:
            a = a.astype(np.float64)
        except (TypeError, ValueError):
            raise DataError("The amounts must be numbers.") from None
        if not np.isfinite(a).all():
            raise DataError(f"{int((~np.isfinite(a)).sum()):,} amounts are missing or infinite; every row needs "
                            "an amount for money per case.")
    return y_, s, w, a


@dataclass
class _Block:
    """One segment's rows by decreasing score: cumulative sums with a leading 0 (length m+1)."""

    neg_scores: np.ndarray  # -score, increasing (searchsorted needs ascending)
    tp: np.ndarray  # cumulative positives (weighted) among the first k rows
    fp: np.ndarray
    tp_amount: np.ndarray | None
    fp_amount: np.ndarray | None

    @property
    def n_pos(self) -> float:
        return self.tp[-1]

    @property
    def n_neg(self) -> float:
        return self.fp[-1]


class SegmentSweeps:
    """Each segment's rows sorted once by decreasing score, with cumulative counts and amounts.

    Build with ``segment_sweeps``. ``segments``: names in display order; ``counts_at(t)``:
    every segment's confusion counts (and amount sums) at threshold ``t`` in ``O(k log n)``;
    ``table(t, costs)``: the By segment table. Its data never change after construction (the
    only mutable part is a memo of the last costs' curves), so it is safe to cache and share.
    """

    def __init__(self, blocks: list[_Block], segments: tuple[str, ...], overall: _Block, *, weighted: bool,
                 with_amounts: bool, note: str = "", column: str | None = None, kind: str = "categories") -> None:
        self._blocks = blocks
        self._overall = overall
        self._costed_for: tuple | None = None  # (costs, result of _costed): a memo, not state
        self.segments = segments
        self.weighted = weighted
        self.with_amounts = with_amounts
        self.note = note
        self.column = column
        self.kind = kind
        self.everyone = _unique_label(EVERYONE, set(segments)) if EVERYONE in segments else EVERYONE

    def __len__(self) -> int:
        return len(self.segments)

    def counts_at(self, threshold: float) -> dict[str, np.ndarray]:
        """Arrays (one entry per segment, in ``segments`` order) at ``score >= threshold``:
        ``tp``, ``fp``, ``n_pos``, ``n_neg`` and, with amounts, ``tp_amount``, ``fp_amount``,
        ``pos_amount``, ``neg_amount`` (sums of the amounts of the flagged positives, ...)."""
        try:
            t = float(threshold)
        except (TypeError, ValueError):
            raise DataError(f"The threshold must be a number, got {threshold!r}.") from None
        if math.isnan(t):
            raise DataError("The threshold must be a number.")
        ks = [int(np.searchsorted(b.neg_scores, -t, side="right")) for b in self._blocks]
        out = {
            "tp": np.array([b.tp[k] for b, k in zip(self._blocks, ks)]),
            "fp": np.array([b.fp[k] for b, k in zip(self._blocks, ks)]),
            "n_pos": np.array([b.n_pos for b in self._blocks]),
            "n_neg": np.array([b.n_neg for b in self._blocks]),
        }
        if self.with_amounts:
            out["tp_amount"] = np.array([b.tp_amount[k] for b, k in zip(self._blocks, ks)], dtype=np.float64)
            out["fp_amount"] = np.array([b.fp_amount[k] for b, k in zip(self._blocks, ks)], dtype=np.float64)
            out["pos_amount"] = np.array([b.tp_amount[-1] for b in self._blocks], dtype=np.float64)
            out["neg_amount"] = np.array([b.fp_amount[-1] for b in self._blocks], dtype=np.float64)
        return out

    def table(self, threshold: float, costs: CostMatrix | None = None, *, level: float = 0.9,
              min_rows: float = MIN_ROWS, min_positives: float = MIN_POSITIVES) -> pd.DataFrame:
        """The By segment table at ``threshold``; see ``segment_table``."""
        counts = self.counts_at(threshold)
        rows = {key: np.append(value, value.sum()) for key, value in counts.items()}
        return _table(rows, [*self.segments, self.everyone], costs, level=level, min_rows=min_rows,
                      min_positives=min_positives, with_amounts=self.with_amounts, weighted=self.weighted)

    def curves(self, costs: CostMatrix | None) -> list[dict[str, np.ndarray]]:
        """Per segment, every distinct cut: ``k`` (rows flagged), ``threshold``, ``tp``, ``fp``,
        ``recall`` and ``cost``, from flag-nobody (``threshold = inf``) to flag-everybody."""
        return self._costed(costs)[0]

    def _costed(self, costs: CostMatrix | None) -> tuple[list[dict[str, Any]], tuple[float, float] | None]:
        """Per-segment curves and the best single threshold, for the last costs asked about
        (a slider move keeps the costs, so ``separate_thresholds`` only redoes the band)."""
        cached = self._costed_for
        if cached is not None and cached[0] == costs:
            return cached[1]
        curves = [_curve(block, costs, self.with_amounts) for block in self._blocks]
        best = None
        if costs is not None:
            overall = _curve(self._overall, costs, self.with_amounts)
            at = _pick(overall["cost"])
            best = (float(overall["threshold"][at]), float(overall["cost"][at]))
        self._costed_for = (costs, (curves, best))
        return curves, best


def _curve(block: _Block, costs: CostMatrix | None, with_amounts: bool) -> dict[str, Any]:
    m = len(block.neg_scores)
    # A cut after row k is a threshold only where the next row's score differs (ties stay together).
    boundary = np.flatnonzero(np.diff(block.neg_scores) != 0) + 1
    k = np.concatenate([[0], boundary, [m]]).astype(np.int64)
    thresholds = np.where(k == 0, np.inf, -block.neg_scores[np.maximum(k - 1, 0)])
    tp, fp = block.tp[k], block.fp[k]
    curve = {"k": k, "threshold": thresholds, "tp": tp, "fp": fp,
             "recall": tp / block.n_pos if block.n_pos > 0 else np.zeros(len(k))}
    # In _cost's order: flagged positives, flagged negatives, cleared negatives, cleared positives.
    amounts = ((block.tp_amount[k], block.fp_amount[k], block.fp_amount[-1] - block.fp_amount[k],
                block.tp_amount[-1] - block.tp_amount[k]) if with_amounts else ())
    curve["cost"] = None if costs is None else np.asarray(
        _cost(costs, tp, fp, block.n_neg - fp, block.n_pos - tp, *amounts), dtype=np.float64)
    return curve


def _block(neg_scores: np.ndarray, pos: np.ndarray, weights: np.ndarray | None,
           amounts: np.ndarray | None) -> _Block:
    """Cumulative sums (leading 0) of rows already sorted by increasing ``-score``."""
    if weights is None:
        tp = np.concatenate([[0], np.cumsum(pos)])
        fp = np.arange(len(pos) + 1, dtype=np.int64) - tp
    else:
        pw = weights * pos
        tp = np.concatenate([[0.0], np.cumsum(pw)])
        # As the sweep: fp as its own cumsum keeps it monotone despite rounding.
        fp = np.concatenate([[0.0], np.cumsum(weights - pw)])
    if amounts is None:
        tpa = fpa = None
    else:
        pa = np.where(pos > 0, amounts, 0.0)
        tpa = np.concatenate([[0.0], np.cumsum(pa)])
        fpa = np.concatenate([[0.0], np.cumsum(amounts - pa)])
    return _Block(np.ascontiguousarray(neg_scores), tp, fp, tpa, fpa)


def segment_sweeps(y: Any, scores: Any, labels: Any, *, weights: Any = None, amounts: Any = None) -> SegmentSweeps:
    """Sort every segment's rows by decreasing score once and keep their cumulative sums.

    ``y``: 0/1 labels, shape (n,); ``scores``: finite floats, shape (n,); ``labels``: a
    ``Segmentation`` or one label per row (``None``/NaN become ``"(missing)"``); ``weights``:
    cases per row (a count table), non-negative; ``amounts``: one amount per row. One
    stable sort by score and a linear-time sort by segment: O(n log n) once.
    """
    y_, s, w, a = _validate_inputs(y, scores, weights, amounts)
    values, order = _as_labels(labels, len(s))
    codes = _codes(values, order)
    neg = -s
    # Everyone by decreasing score (a stable sort), then a stable sort of the segment codes in
    # that order: every segment's rows end up together, still by decreasing score. The codes
    # are small integers, which numpy's stable sort handles in linear time (radix sort).
    every = np.argsort(neg, kind="stable")
    sort = every[np.argsort(codes[every], kind="stable")]
    codes_sorted = codes[sort]
    starts = np.searchsorted(codes_sorted, np.arange(len(order) + 1), side="left")
    neg_sorted = neg[sort]
    pos = y_[sort].astype(np.float64 if w is not None else np.int64)
    wt = None if w is None else w[sort]
    am = None if a is None else a[sort]
    blocks = [_block(neg_sorted[lo:hi], pos[lo:hi], None if wt is None else wt[lo:hi],
                     None if am is None else am[lo:hi]) for lo, hi in zip(starts[:-1], starts[1:])]
    # Everyone: only the best single threshold needs it (the table's everyone row is the sum
    # of the segments).
    overall = _block(neg[every], y_[every].astype(pos.dtype), None if w is None else w[every],
                     None if a is None else a[every])
    if isinstance(labels, Segmentation):
        note, column, kind = labels.note, labels.column, labels.kind
    else:
        note, column, kind = "", None, "categories"
    return SegmentSweeps(blocks, order, overall, weighted=w is not None, with_amounts=a is not None, note=note,
                         column=column, kind=kind)


# ---------------------------------------------------------------------------------------
# 3. The table
# ---------------------------------------------------------------------------------------


def _cost(costs: CostMatrix, tp: Any, fp: Any, tn: Any, fn: Any, tp_amount: Any = None, fp_amount: Any = None,
          tn_amount: Any = None, fn_amount: Any = None) -> Any:
    if tp_amount is None:
        return costs.total(tp, fp, tn, fn)
    return costs.total(tp, fp, tn, fn, tp_amount=tp_amount, fp_amount=fp_amount, tn_amount=tn_amount,
                       fn_amount=fn_amount)


def _rate(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return num / np.where(den == 0, 1.0, den)


def _best_ratio(values: np.ndarray, judged: np.ndarray) -> np.ndarray:
    """Each value over the highest value among the judged segments (``nan`` if that is 0)."""
    candidates = values[judged]
    best = candidates.max() if len(candidates) else 0.0
    return values / best if best > 0 else np.full(len(values), np.nan)


def _table(rows: dict[str, np.ndarray], names: list[str], costs: CostMatrix | None, *, level: float,
           min_rows: float, min_positives: float, with_amounts: bool, weighted: bool) -> pd.DataFrame:
    if costs is not None and not isinstance(costs, CostMatrix):
        raise DataError("costs must be a CostMatrix.")
    tp, fp = rows["tp"].astype(np.float64), rows["fp"].astype(np.float64)
    n_pos, n_neg = rows["n_pos"].astype(np.float64), rows["n_neg"].astype(np.float64)
    n = n_pos + n_neg
    flagged = tp + fp
    if costs is None:
        cost = np.full(len(names), np.nan)
    elif with_amounts:
        cost = _cost(costs, tp, fp, n_neg - fp, n_pos - tp, rows["tp_amount"], rows["fp_amount"],
                     rows["neg_amount"] - rows["fp_amount"], rows["pos_amount"] - rows["tp_amount"])
    else:
        if costs.per_case:
            raise DataError("These costs take a share of each case's amount; choose an Amount column on the Data "
                            "page, or set the '% of amount' costs to 0.")
        cost = _cost(costs, tp, fp, n_neg - fp, n_pos - tp)
    rates = {
        "Flag rate": (flagged, n),
        "Precision": (tp, flagged),
        "Recall": (tp, n_pos),
        "False positive rate": (fp, n_neg),
    }
    is_everyone = np.zeros(len(names), dtype=bool)
    is_everyone[-1] = True
    judged = (n >= min_rows) & (n_pos >= min_positives) & ~is_everyone
    flag_rate = _rate(flagged, n)
    recall = _rate(tp, n_pos)
    flag_ratio = _best_ratio(flag_rate, judged)
    recall_ratio = _best_ratio(recall, judged & (n_pos > 0))
    flag_ratio[is_everyone] = np.nan
    recall_ratio[is_everyone] = np.nan
    marks = []
    for i in range(len(names)):
        if is_everyone[i]:
            marks.append("")
        elif not judged[i]:
            marks.append(TOO_FEW)
        else:
            low = [what for what, ratio in (("flag rate", flag_ratio[i]), ("recall", recall_ratio[i]))
                   if ratio < FOUR_FIFTHS]
            marks.append(" and ".join(low) + " below four-fifths" if low else "")
    cast = (lambda a: a) if weighted else (lambda a: np.rint(a).astype(np.int64))
    data: dict[str, Any] = {
        "Segment": names,
        "Rows": cast(n),
        "Positives": cast(n_pos),
        "Flagged": cast(flagged),
        "Precision": _rate(tp, flagged),
        "Recall": recall,
        "False positive rate": _rate(fp, n_neg),
        "Business cost": np.asarray(cost, dtype=np.float64),
        "Flag rate": flag_rate,
        "Flag rate ratio": flag_ratio,
        "Recall ratio": recall_ratio,
        "Marks": marks,
    }
    for name, (num, den) in rates.items():
        data[f"{name} low"], data[f"{name} high"] = wilson_interval(num, den, level)
    table = pd.DataFrame(data)
    table.attrs.update(level=level, min_rows=min_rows, min_positives=min_positives, everyone=names[-1])
    return table


def segment_table(y: Any, scores: Any, labels: Any, threshold: float, *, weights: Any = None, amounts: Any = None,
                  costs: CostMatrix | None = None, level: float = 0.9) -> pd.DataFrame:
    """The **By segment** table at ``threshold``: one row per segment, then one for everyone.

    Columns (UI contract first): ``Segment``, ``Rows``, ``Positives``, ``Flagged`` (weighted
    case counts with ``weights``), ``Precision``, ``Recall``, ``False positive rate``
    (fractions; 0 when undefined), ``Business cost`` (``nan`` without ``costs``; per-case money
    needs ``amounts``); then ``Flag rate`` (flagged / rows), ``Flag rate ratio`` and ``Recall
    ratio`` (each segment's rate over the highest among segments with enough data to judge;
    the four-fifths rule marks a ratio below 0.8), ``Marks`` (text: ``"too few to judge"``
    for fewer than 30 rows or 5 positives, or which ratio is below four-fifths), and
    ``<rate> low`` / ``<rate> high``: the ``level`` (90%) Wilson interval of every rate.
    The everyone row has no ratios or marks. ``labels``: a ``Segmentation`` or one label per
    row. For many thresholds on the same data build ``segment_sweeps`` once and call
    ``.table(t, costs)``.
    """
    return segment_sweeps(y, scores, labels, weights=weights, amounts=amounts).table(threshold, costs, level=level)


# ---------------------------------------------------------------------------------------
# Separate thresholds per segment, as analysis
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeparateThresholds:
    """What a threshold per segment would do, against the one threshold in use.

    ``frame``: one row per segment with ``Segment``, ``Rows``, ``Recall at this threshold``,
    ``Cost at this threshold``, ``Own threshold`` (its own lowest-cost threshold; ``inf`` =
    flag nobody), ``Recall at own threshold``, ``Cost at own threshold``, ``Threshold within
    recall band``, ``Recall within band``, ``Cost within band``, ``Band note`` (text).
    Totals: ``cost_single`` (the one threshold), ``cost_best_single`` (the lowest-cost single
    threshold), ``cost_separate`` (each segment's own), ``cost_banded`` (recall kept within
    ``tolerance`` of ``target_recall``, the overall recall at the one threshold).
    ``saved`` = ``cost_best_single - cost_separate`` (never negative); ``sentence`` says it in
    words; ``caveat`` says why this is analysis, not a policy.
    """

    frame: pd.DataFrame
    threshold: float
    tolerance: float
    target_recall: float
    cost_single: float
    cost_best_single: float
    best_single_threshold: float
    cost_separate: float
    cost_banded: float
    saved: float
    sentence: str
    caveat: str = ANALYSIS_CAVEAT
    notes: tuple[str, ...] = field(default_factory=tuple)


def _pick(cost: np.ndarray, feasible: np.ndarray | None = None) -> int:
    """Index of the lowest cost (among ``feasible``); ties go to the lowest index = the
    highest threshold, i.e. the fewest cases flagged. Deterministic."""
    c = cost if feasible is None else np.where(feasible, cost, np.inf)
    return int(np.argmin(c))


def separate_thresholds(sweeps: SegmentSweeps, costs: CostMatrix, threshold: float, *,
                        tolerance: float = 0.05, table: pd.DataFrame | None = None) -> SeparateThresholds:
    """Each segment's own lowest-cost threshold, and the variant with recall kept in a band.

    The band: every segment's recall within ``±tolerance`` of the overall recall at
    ``threshold`` (the one threshold in use); the cheapest threshold inside the band is taken.
    A segment with no positives has no recall to keep and takes its own lowest-cost threshold;
    a segment whose recall jumps over the band (few positives) takes the threshold with the
    recall nearest the band, and ``Band note`` says so. Ties go to the higher threshold
    (fewer flagged). The totals are exact on these rows; see ``ANALYSIS_CAVEAT``. ``table``:
    ``sweeps.table(threshold, costs)`` if the caller already has it (saves recomputing it).
    """
    if not isinstance(costs, CostMatrix):
        raise DataError("Enter the costs of false positives and false negatives to compare thresholds by cost.")
    if not (isinstance(tolerance, (int, float)) and 0 <= tolerance <= 1):
        raise DataError(f"The recall tolerance must be a number from 0 to 1, got {tolerance!r}.")
    if costs.per_case and not sweeps.with_amounts:
        raise DataError("These costs take a share of each case's amount; choose an Amount column on the Data page, "
                        "or set the '% of amount' costs to 0.")
    if table is None:
        table = sweeps.table(threshold, costs)
    target = float(table["Recall"].iloc[-1])
    curves, (best_single_threshold, cost_best_single) = sweeps._costed(costs)
    columns: dict[str, list] = {name: [] for name in (
        "Own threshold", "Recall at own threshold", "Cost at own threshold", "Threshold within recall band",
        "Recall within band", "Cost within band", "Band note")}
    notes = []
    for curve, positives in zip(curves, table["Positives"].to_numpy()[:-1]):
        own = _pick(curve["cost"])
        if positives > 0:
            distance = np.abs(curve["recall"] - target)
            feasible = distance <= tolerance + 1e-12
            if feasible.any():
                band, band_note = _pick(curve["cost"], feasible), ""
            else:
                band = _pick(curve["cost"], distance <= distance.min() + 1e-12)
                band_note = (f"no threshold keeps recall within ±{tolerance:.2f} of {target:.3f}; the nearest recall "
                             "is used")
        else:
            band, band_note = own, "no positives, so no recall to keep"
        for name, value in (("Own threshold", curve["threshold"][own]),
                            ("Recall at own threshold", curve["recall"][own]),
                            ("Cost at own threshold", curve["cost"][own]),
                            ("Threshold within recall band", curve["threshold"][band]),
                            ("Recall within band", curve["recall"][band]), ("Cost within band", curve["cost"][band])):
            columns[name].append(float(value))
        columns["Band note"].append(band_note)
    segments = table.iloc[:-1]
    frame = pd.DataFrame({
        "Segment": segments["Segment"].to_numpy(dtype=object),
        "Rows": segments["Rows"].to_numpy(),
        "Recall at this threshold": segments["Recall"].to_numpy(),
        "Cost at this threshold": segments["Business cost"].to_numpy(),
        **columns,
    })
    cost_single = float(table["Business cost"].iloc[-1])
    cost_separate = float(frame["Cost at own threshold"].sum())
    cost_banded = float(frame["Cost within band"].sum())
    saved = max(cost_best_single - cost_separate, 0.0)
    fmt = costs.format
    sentence = (
        f"With its own lowest-cost threshold for each of the {len(frame)} segments the total cost would be "
        f"{fmt(cost_separate, decimals=0)}, against {fmt(cost_best_single, decimals=0)} with the best single threshold "
        f"({_number_text(best_single_threshold) if math.isfinite(best_single_threshold) else 'flag nobody'}) and "
        f"{fmt(cost_single, decimals=0)} at this one: {fmt(saved, decimals=0)} saved against the best single "
        f"threshold. Keeping every segment's recall within ±{tolerance:.2f} of the overall {target:.3f} costs "
        f"{fmt(cost_banded, decimals=0)}."
    )
    if frame["Band note"].str.startswith("no threshold").any():
        notes.append("Some segments cannot keep their recall in the band; see the band notes.")
    return SeparateThresholds(frame=frame, threshold=float(threshold), tolerance=float(tolerance),
                              target_recall=target, cost_single=cost_single, cost_best_single=cost_best_single,
                              best_single_threshold=best_single_threshold, cost_separate=cost_separate,
                              cost_banded=cost_banded, saved=saved, sentence=sentence, notes=tuple(notes))


# ---------------------------------------------------------------------------------------
# Exports: plain pieces for the scenario, the report and the model JSON
# ---------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    return value


def segment_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The By segment table as JSON-able records (one dict per row; ``nan``/``inf`` -> ``None``)."""
    return [{column: _plain(value) for column, value in row.items()} for row in table.to_dict("records")]


def segment_report_rows(table: pd.DataFrame | dict, costs: CostMatrix | None = None
                        ) -> tuple[list[str], list[list[str]]]:
    """``(header, rows)`` of formatted text for a report table (Markdown or HTML escapes them).

    ``table``: a By segment table, or a ``segments_payload`` (e.g. from a saved scenario).
    The UI-contract columns, then ``Flag rate`` and ``Recall`` with their 90% intervals as
    ``"0.412 (0.380–0.445)"``, the two ratios and the marks.
    """
    if isinstance(table, dict):
        level = table.get("level", 0.9)
        table = pd.DataFrame(table["rows"]).astype({name: float for name in (
            "Business cost", "Flag rate ratio", "Recall ratio", *(f"{r} {end}" for r in RATE_COLUMNS
                                                                 for end in ("low", "high")))})
    else:
        level = table.attrs.get("level", 0.9)
    header = ["Segment", "Rows", "Positives", "Flagged", "Precision", "Recall", "False positive rate",
              "Business cost", f"Flag rate ({level:.0%} interval)", f"Recall ({level:.0%} interval)",
              "Flag rate ratio", "Recall ratio", "Marks"]

    def ratio(value: float) -> str:
        return "" if not math.isfinite(value) else f"{value:.3f}"

    def with_interval(row: pd.Series, name: str) -> str:
        low, high = row[f"{name} low"], row[f"{name} high"]
        interval = "" if not (math.isfinite(low) and math.isfinite(high)) else f" ({low:.3f}–{high:.3f})"
        return f"{row[name]:.3f}{interval}"

    rows = []
    for _, row in table.iterrows():
        cost = row["Business cost"]
        rows.append([
            str(row["Segment"]), f"{row['Rows']:,.0f}", f"{row['Positives']:,.0f}", f"{row['Flagged']:,.0f}",
            f"{row['Precision']:.3f}", f"{row['Recall']:.3f}", f"{row['False positive rate']:.3f}",
            "" if not math.isfinite(cost) else (costs.format(cost, decimals=0) if costs else f"{cost:,.0f}"),
            with_interval(row, "Flag rate"), with_interval(row, "Recall"),
            ratio(row["Flag rate ratio"]), ratio(row["Recall ratio"]), str(row["Marks"]),
        ])
    return header, rows


def segments_payload(table: pd.DataFrame, *, column: str | None, threshold: float, note: str = "",
                     analysis: SeparateThresholds | None = None) -> dict[str, Any]:
    """Everything a saved scenario or the model JSON keeps of the segments, as plain JSON."""
    payload: dict[str, Any] = {
        "column": column,
        "threshold": _plain(float(threshold)),
        "note": note,
        "level": table.attrs.get("level", 0.9),
        "rows": segment_records(table),
    }
    if analysis is not None:
        payload["separate_thresholds"] = {
            "sentence": analysis.sentence,
            "caveat": analysis.caveat,
            "tolerance": analysis.tolerance,
            "cost_single": _plain(analysis.cost_single),
            "cost_best_single": _plain(analysis.cost_best_single),
            "cost_separate": _plain(analysis.cost_separate),
            "cost_banded": _plain(analysis.cost_banded),
            "rows": segment_records(analysis.frame),
        }
    return payload

