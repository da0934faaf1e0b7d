"""How much would the metrics, and the chosen threshold, move with other data? A bootstrap.

Both resample the *cases* (n out of n, with replacement, seeded) but never sweep the raw data
again: after the one sort (``core.thresholds.sort_cases``) every case is just a cell (its
distinct score and its label), so a resample is a vector of cell counts and its whole sweep
is a cumulative sum of those counts.

- Bands (``draw_band_resamples`` then ``BandResamples.bands``; ``bootstrap_bands`` does
  both): metrics at k given thresholds. Only the counts *between* those thresholds matter,
  so each resample is one multinomial draw over ``2 (k + 1)`` cells, exactly the
  distribution of the case bootstrap's counts. The draws hold counts (and amount sums), not
  costs: bands under new costs come from the same resamples in one vectorised pass, so a
  cost edit never resamples. With sample weights (a Count column) a case is one counted
  unit: the draw is over the total weight, in proportion to each cell's weight.
  With amounts, a cell's resampled amount is the sum of its drawn cases' amounts,
  approximated (central limit) as ``c·mean + sqrt(c)·sd·Z`` with the cell's own per-case
  mean and spread and one standard normal ``Z`` per resample and cell. When there are few
  cases per cell (unweighted, n <= 10 x cells) the cases themselves are drawn instead (n
  indices per resample, counted with ``bincount``): cheaper there, and amount sums are exact.
- ``bootstrap_threshold``: the recommended threshold needs every distinct score, so each
  resample draws n case indices, maps them to cells and counts them with ``bincount``
  (amount sums with ``bincount(weights=amounts)``: exact). With sample weights each
  resample is a multinomial over the 2m cells instead.

Intervals are percentile intervals: ``level=0.9`` gives the 5th and 95th percentiles.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np
import pandas as pd

from core import objectives
from core.costs import CostMatrix
from core.errors import DataError
from core.thresholds import (
    METRICS,
    SortedCases,
    Sweep,
    check_costs_for,
    choose_index,
    confusion_metrics,
    display_threshold,
    recommend_threshold,
    sort_cases,
    sweep_sorted,
)

__all__ = ["BandResamples", "ThresholdInterval", "ThresholdResamples", "bootstrap_bands", "bootstrap_threshold",
           "draw_band_resamples", "draw_threshold_resamples", "threshold_interval"]


def _check_settings(n_boot: Any, level: Any) -> tuple[int, float]:
    try:
        n_boot, level = int(n_boot), float(level)
    except (TypeError, ValueError):
        raise DataError("The number of resamples must be a whole number and the level a share such as 0.9.") from None
    if n_boot < 2:
        raise DataError(f"Use at least 2 bootstrap resamples (200 is typical), got {n_boot}.")
    if not 0 < level < 1:
        raise DataError(f"The interval level must be between 0 and 1 (for example 0.9), got {level}.")
    return n_boot, level


def _check_metrics(metrics: Iterable[str], costs: CostMatrix | None) -> list[str]:
    wanted = [m for m in metrics if not (m == "cost" and costs is None)]
    unknown = [m for m in wanted if m not in METRICS]
    if unknown:
        raise DataError(f"Unknown metric(s) {', '.join(map(repr, unknown))}; choose from {', '.join(METRICS)}.")
    return wanted


@dataclass(frozen=True)
class BandResamples:
    """Bootstrap resamples of the cumulative counts at k thresholds, drawn once per data.

    ``thresholds``: the k thresholds asked for (given order); ``column``: for each, its
    column in the (B, c) arrays (c distinct cut points). ``tp``/``fp``: resampled cumulative
    counts, ``n_pos``/``n_neg``: (B, 1) totals; ``amounts``: ``(tp_amount, fp_amount,
    amount_pos, amount_neg)`` of the same shapes, or None without amounts.
    """

    thresholds: np.ndarray
    column: np.ndarray
    tp: np.ndarray
    fp: np.ndarray
    n_pos: np.ndarray
    n_neg: np.ndarray
    amounts: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None

    def bands(
        self,
        metrics: Iterable[str] = ("precision", "recall", "f1", "cost"),
        *,
        costs: CostMatrix | None = None,
        level: float = 0.9,
    ) -> pd.DataFrame:
        """Percentile bands: long DataFrame ``threshold, metric, low, high`` (see
        ``bootstrap_bands``). ``"cost"`` uses ``costs`` (skipped when None)."""
        _, level = _check_settings(2, level)
        wanted = _check_metrics(metrics, costs)
        if self.thresholds.size == 0 or not wanted:
            return pd.DataFrame({"threshold": [], "metric": [], "low": [], "high": []})
        values = confusion_metrics(self.tp, self.fp, self.n_pos, self.n_neg, costs, self.amounts)
        tail = (1 - level) / 2
        frames = []
        for name in wanted:
            low, high = np.quantile(np.asarray(values[name], dtype=np.float64), [tail, 1 - tail], axis=0)
            frames.append(pd.DataFrame({
                "threshold": self.thresholds, "metric": name, "low": low[self.column], "high": high[self.column],
            }))
        return pd.concat(frames, ignore_index=True)


def _cell_spread(cases: SortedCases, rows: np.ndarray, counts: np.ndarray, sums: np.ndarray, label: int) -> np.ndarray:
    """Per-case standard deviation of the amount in each cell of one class.

    ``rows``: cumulative row positions closing each cell in sorted order; ``counts``/``sums``:
    weight and amount sums per cell. A weighted row's per-case amount is amount / weight.
    """
    a = cases.amounts
    w = np.ones_like(a) if cases.weights is None else cases.weights
    mine = cases.labels == label
    per_case = np.divide(a, w, out=np.zeros_like(a), where=w > 0)
    square = np.concatenate([[0.0], np.cumsum(np.where(mine, per_case * per_case * w, 0.0))])
    sq = np.diff(square[rows], prepend=0.0)
    mean = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)
    var = np.divide(sq, counts, out=np.zeros_like(sq), where=counts > 0) - mean * mean
    return np.sqrt(np.maximum(var, 0.0))


def draw_band_resamples(
    cases: SortedCases, sweep: Sweep, thresholds: Iterable[float], *, n_boot: int = 200, seed: int = 0
) -> BandResamples:
    """Draw the bootstrap resamples for bands at ``thresholds`` (see the module docstring).

    ``cases``/``sweep``: ``sort_cases`` and ``sweep_sorted`` of the same data. Same ``seed``
    -> same resamples.
    """
    n_boot, _ = _check_settings(n_boot, 0.9)
    t = np.asarray(list(thresholds), dtype=np.float64).ravel()
    if t.size == 0:
        empty = np.zeros((n_boot, 0))
        return BandResamples(t, np.zeros(0, dtype=np.int64), empty, empty, empty[:, :1], empty[:, :1])
    m = len(sweep) - 1
    idx = sweep.index(t)
    # Position along the cumulative order: the flag-nobody end (index m) flags 0 cases.
    rank = np.where(idx == m, -1, idx)
    cuts = np.unique(rank)
    at = np.maximum(cuts, 0)
    cum_pos = np.where(cuts < 0, 0, sweep.tp[at])
    cum_neg = np.where(cuts < 0, 0, sweep.fp[at])
    pos_cells = np.concatenate([np.diff(cum_pos, prepend=0), [sweep.n_pos - cum_pos[-1]]]).astype(np.float64)
    neg_cells = np.concatenate([np.diff(cum_neg, prepend=0), [sweep.n_neg - cum_neg[-1]]]).astype(np.float64)
    cells = np.concatenate([pos_cells, neg_cells])
    rng = np.random.default_rng(seed)
    k = len(cuts)
    n_cases = len(cases.scores)
    if not sweep.weighted and n_cases <= 10 * len(cells):
        # Few cases per cell: drawing the cases themselves is cheaper than a multinomial over
        # the cells (one binomial per cell), and it gives the amount sums exactly.
        return _draw_cases(cases, sweep, t, cuts, rank, n_boot, rng)
    size = sweep.n if not sweep.weighted else max(int(round(sweep.n)), 1)
    draws = rng.multinomial(size, cells / cells.sum(), size=n_boot)
    if sweep.weighted:
        draws = draws * (sweep.n / size)  # back to the data's total weight
    pos, neg = draws[:, : k + 1], draws[:, k + 1 :]
    amounts = None
    if sweep.has_amounts:
        rows = np.concatenate([np.where(cuts < 0, 0, cases.ends[at] + 1), [len(cases.scores)]])
        parts = []
        for label, cell_counts, drawn, cumulative, total in (
            (1, pos_cells, pos, sweep.tp_amount, sweep.amount_pos),
            (0, neg_cells, neg, sweep.fp_amount, sweep.amount_neg),
        ):
            cum = np.where(cuts < 0, 0.0, cumulative[at])
            sums = np.concatenate([np.diff(cum, prepend=0.0), [total - cum[-1]]])
            mean = np.divide(sums, cell_counts, out=np.zeros_like(sums), where=cell_counts > 0)
            spread = _cell_spread(cases, rows, cell_counts, sums, label)
            noise = rng.standard_normal(drawn.shape)
            parts.append(drawn * mean + np.sqrt(drawn) * spread * noise)
        pos_a, neg_a = parts
        amounts = (
            np.cumsum(pos_a[:, :k], axis=1),
            np.cumsum(neg_a[:, :k], axis=1),
            pos_a.sum(axis=1)[:, None],
            neg_a.sum(axis=1)[:, None],
        )
    return BandResamples(
        thresholds=t,
        column=np.searchsorted(cuts, rank),
        tp=np.cumsum(pos[:, :k], axis=1),
        fp=np.cumsum(neg[:, :k], axis=1),
        n_pos=pos.sum(axis=1)[:, None],
        n_neg=neg.sum(axis=1)[:, None],
        amounts=amounts,
    )


def _draw_cases(cases: SortedCases, sweep: Sweep, t: np.ndarray, cuts: np.ndarray, rank: np.ndarray, n_boot: int,
                rng: np.random.Generator) -> BandResamples:
    """``draw_band_resamples`` by drawing n case indices per resample (unweighted cases)."""
    k = len(cuts)
    at = np.maximum(cuts, 0)
    closing = np.where(cuts < 0, 0, cases.ends[at] + 1)  # cases before each cut, in sorted order
    group = np.searchsorted(closing, np.arange(len(cases.scores)), side="right")  # 0 .. k
    cell = np.where(cases.labels == 1, group, k + 1 + group).astype(np.int64)
    n = len(cell)
    counts = np.empty((n_boot, 2 * (k + 1)))
    sums = np.empty_like(counts) if sweep.has_amounts else None
    for b in range(n_boot):
        drawn = cell[rng.integers(0, n, size=n)] if sums is None else None
        if sums is None:
            counts[b] = np.bincount(drawn, minlength=2 * (k + 1))
        else:
            rows = rng.integers(0, n, size=n)
            counts[b] = np.bincount(cell[rows], minlength=2 * (k + 1))
            sums[b] = np.bincount(cell[rows], weights=cases.amounts[rows], minlength=2 * (k + 1))
    pos, neg = counts[:, : k + 1], counts[:, k + 1 :]
    amounts = None
    if sums is not None:
        pos_a, neg_a = sums[:, : k + 1], sums[:, k + 1 :]
        amounts = (np.cumsum(pos_a[:, :k], axis=1), np.cumsum(neg_a[:, :k], axis=1),
                   pos_a.sum(axis=1)[:, None], neg_a.sum(axis=1)[:, None])
    return BandResamples(
        thresholds=t,
        column=np.searchsorted(cuts, rank),
        tp=np.cumsum(pos[:, :k], axis=1),
        fp=np.cumsum(neg[:, :k], axis=1),
        n_pos=pos.sum(axis=1)[:, None],
        n_neg=neg.sum(axis=1)[:, None],
        amounts=amounts,
    )


def bootstrap_bands(
    y_true: Any,
    scores: Any,
    thresholds: Iterable[float],
    *,
    metrics: Iterable[str] = ("precision", "recall", "f1", "cost"),
    costs: CostMatrix | None = None,
    n_boot: int = 200,
    level: float = 0.9,
    seed: int = 0,
    sample_weight: Any = None,
    amounts: Any = None,
) -> pd.DataFrame:
    """Percentile bands of ``metrics`` at each of ``thresholds`` over bootstrap resamples.

    ``y_true``/``scores`` (and ``sample_weight``, ``amounts``): shape (n,), as for
    ``threshold_sweep``. ``thresholds``: k floats (any order, e.g. ``Sweep.frame()["threshold"]``;
    ``inf`` means flag nobody). Names in ``metrics`` come from ``core.thresholds.METRICS``;
    ``"cost"`` (total business cost) is skipped when ``costs`` is None. Returns a long
    DataFrame with columns ``threshold, metric, low, high``: one row per (threshold, metric),
    thresholds in the given order within each metric. Same ``seed`` -> same bands.
    """
    n_boot, level = _check_settings(n_boot, level)
    metrics = list(metrics)
    _check_metrics(metrics, costs)
    cases = sort_cases(y_true, scores, sample_weight=sample_weight, amounts=amounts)
    resamples = draw_band_resamples(cases, sweep_sorted(cases), thresholds, n_boot=n_boot, seed=seed)
    return resamples.bands(metrics, costs=costs, level=level)


@dataclass
class ThresholdInterval:
    """Where the recommended threshold lands across bootstrap resamples.

    ``low``/``high``: the percentile interval at ``level`` (``inf`` means "flag nobody" won
    in that tail); ``thresholds``: shape (n_ok,), the threshold each feasible resample chose
    (same rounding as ``recommend_threshold``); ``estimate``: the choice on all the data;
    ``n_infeasible``: resamples in which the objective's constraint could not be met.
    """

    low: float
    high: float
    thresholds: np.ndarray
    estimate: float = float("nan")
    level: float = 0.9
    n_infeasible: int = 0


def bootstrap_threshold(
    y_true: Any,
    scores: Any,
    objective: str = "min_cost",
    *,
    costs: CostMatrix | None = None,
    n_boot: int = 200,
    level: float = 0.9,
    seed: int = 0,
    sample_weight: Any = None,
    amounts: Any = None,
    **objective_kwargs: Any,
) -> ThresholdInterval:
    """Bootstrap interval of the threshold ``recommend_threshold`` would pick.

    ``objective`` and ``objective_kwargs`` (``min_precision``, ``min_recall``, ``capacity``)
    are those of ``recommend_threshold``; ``min_cost`` needs ``costs``. Each resample is swept
    on the full data's grid of distinct scores and the objective picked with the same rule
    (ties to the highest threshold). Raises ``DataError`` when the objective is impossible
    on the full data. Same ``seed`` -> same interval. About 0.3 s for 200 x 100k rows.
    """
    cases = sort_cases(y_true, scores, sample_weight=sample_weight, amounts=amounts)
    return threshold_interval(
        cases, sweep_sorted(cases, costs), objective, n_boot=n_boot, level=level, seed=seed, **objective_kwargs
    )


def threshold_interval(
    cases: SortedCases,
    sweep: Sweep,
    objective: str = "min_cost",
    *,
    n_boot: int = 200,
    level: float = 0.9,
    seed: int = 0,
    **objective_kwargs: Any,
) -> ThresholdInterval:
    """``bootstrap_threshold`` on already sorted cases and their sweep (with its costs)."""
    n_boot, level = _check_settings(n_boot, level)
    spec = objectives.get(objective)
    kwargs = objectives.check_parameters(spec, objective_kwargs)
    check_costs_for(spec, sweep)
    estimate = recommend_threshold(sweep, objective, **objective_kwargs)  # may raise: infeasible
    costs = sweep.costs
    m = len(sweep) - 1
    per_pos = np.diff(sweep.tp[:m], prepend=0)
    per_neg = np.diff(sweep.fp[:m], prepend=0)
    rng = np.random.default_rng(seed)
    with_amounts = sweep.has_amounts and costs is not None and costs.per_case
    zero = np.zeros(1)
    chosen = []
    if not sweep.weighted:
        n = sweep.n
        # Case r (in any fixed order) -> its cell: positives of group g are cell g, negatives m + g.
        cell_of_row = np.repeat(np.arange(2 * m, dtype=np.int32), np.concatenate([per_pos, per_neg]))
        amount_of_row = None
        if with_amounts:
            # The same fixed order: positives by score, then negatives by score.
            positive = cases.labels == 1
            amount_of_row = np.concatenate([cases.amounts[positive], cases.amounts[~positive]])
        index_dtype = np.int32 if n < 2**31 else np.int64
    else:
        cells = np.concatenate([per_pos, per_neg]).astype(np.float64)
        size = max(int(round(sweep.n)), 1)
    # One resample at a time: its 2m cell counts stay in cache, which beats a batched
    # (resamples x cells) bincount by ~4x here.
    for _ in range(n_boot):
        amounts = None
        if not sweep.weighted:
            rows = rng.integers(0, n, size=n, dtype=index_dtype)
            counts = np.bincount(cell_of_row[rows], minlength=2 * m)
            if amount_of_row is not None:
                sums = np.bincount(cell_of_row[rows], weights=amount_of_row[rows], minlength=2 * m)
        else:
            counts = rng.multinomial(size, cells / cells.sum()) * (sweep.n / size)
            if with_amounts:
                per_case = np.concatenate([np.diff(sweep.tp_amount[:m], prepend=0.0),
                                           np.diff(sweep.fp_amount[:m], prepend=0.0)])
                sums = counts * np.divide(per_case, cells, out=np.zeros_like(per_case), where=cells > 0)
        tp = np.cumsum(counts[:m])
        fp = np.cumsum(counts[m:])
        if with_amounts:
            tpa, fpa = np.cumsum(sums[:m]), np.cumsum(sums[m:])
            amounts = (np.concatenate([tpa, zero]), np.concatenate([fpa, zero]), tpa[-1], fpa[-1])
        metrics = confusion_metrics(np.concatenate([tp, zero]), np.concatenate([fp, zero]), tp[-1], fp[-1], costs,
                                    amounts)
        chosen.append(choose_index(metrics, objective, **kwargs))
    picks = np.array(chosen)
    feasible = picks[picks >= 0]
    if feasible.size == 0:
        raise DataError(
            f"The objective “{spec.label}” could not be met in any resample, so there is "
            "no interval to show; relax the requirement."
        )
    lookup = {i: display_threshold(sweep, int(i)) for i in np.unique(feasible)}
    thresholds = np.array([lookup[i] for i in feasible], dtype=np.float64)
    tail = (1 - level) / 2
    low = float(np.quantile(thresholds, tail, method="lower"))
    high = float(np.quantile(thresholds, 1 - tail, method="higher"))
    return ThresholdInterval(
        low=low,
        high=high,
        thresholds=thresholds,
        estimate=estimate.threshold,
        level=level,
        n_infeasible=int(np.sum(picks < 0)),
    )


@dataclass(frozen=True)
class ThresholdResamples:
    """Bootstrap resamples for the stability of the recommended threshold, drawn once per data.

    The candidates are ``candidates`` (sweep indices, increasing; the flag-nobody end last):
    every distinct score when there are at most ``max_candidates`` of them, otherwise that
    many evenly spaced along the cases. Each resample is one multinomial draw over the cases
    between candidates (exactly the case bootstrap's counts, as for the bands), so an
    interval under any costs and objective is a choice over a (B, c) array: no resampling.
    ``tp``/``fp``: (B, c) cumulative counts; ``n_pos``/``n_neg``: (B, 1); ``amounts`` like
    ``BandResamples.amounts``.
    """

    candidates: np.ndarray
    tp: np.ndarray
    fp: np.ndarray
    n_pos: np.ndarray
    n_neg: np.ndarray
    amounts: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None

    def interval(self, sweep: Sweep, objective: str = "min_cost", *, level: float = 0.9,
                 **objective_kwargs: Any) -> ThresholdInterval:
        """Where ``objective`` (under ``sweep.costs``) lands across the resamples.

        ``sweep`` is the data's sweep with the costs to judge by. Raises ``DataError`` when
        the objective is impossible on the full data or in every resample.
        """
        _, level = _check_settings(2, level)
        spec = objectives.get(objective)
        kwargs = objectives.check_parameters(spec, objective_kwargs)
        check_costs_for(spec, sweep)
        estimate = recommend_threshold(sweep, objective, **objective_kwargs)
        metrics = confusion_metrics(self.tp, self.fp, self.n_pos, self.n_neg, sweep.costs, self.amounts)
        picks = np.asarray(choose_index(metrics, objective, **kwargs))
        feasible = self.candidates[picks[picks >= 0]]
        if feasible.size == 0:
            raise DataError(
                f"The objective “{spec.label}” could not be met in any resample, so there is "
                "no interval to show; relax the requirement."
            )
        lookup = {i: display_threshold(sweep, int(i)) for i in np.unique(feasible)}
        thresholds = np.array([lookup[i] for i in feasible], dtype=np.float64)
        tail = (1 - level) / 2
        return ThresholdInterval(
            low=float(np.quantile(thresholds, tail, method="lower")),
            high=float(np.quantile(thresholds, 1 - tail, method="higher")),
            thresholds=thresholds,
            estimate=estimate.threshold,
            level=level,
            n_infeasible=int(np.sum(picks < 0)),
        )


def draw_threshold_resamples(
    cases: SortedCases, sweep: Sweep, *, n_boot: int = 200, seed: int = 0, max_candidates: int = 2000
) -> ThresholdResamples:
    """Draw ``ThresholdResamples`` (see there) for ``sweep`` of ``cases``. Same seed -> same draws."""
    m = len(sweep) - 1
    if m <= max_candidates:
        picked = np.arange(m)
    else:
        # Evenly spaced in cases flagged, both ends kept.
        flagged = np.asarray(sweep.tp[:m], dtype=np.float64) + np.asarray(sweep.fp[:m], dtype=np.float64)
        targets = np.linspace(flagged[0], flagged[-1], max_candidates)
        picked = np.unique(np.concatenate([[0, m - 1], np.searchsorted(flagged, targets)]))
        picked = picked[picked < m]
    # Draw through the band machinery: one cut per candidate threshold.
    resamples = draw_band_resamples(cases, sweep, sweep.thresholds[picked], n_boot=n_boot, seed=seed)
    order = np.argsort(resamples.column, kind="stable")  # columns follow increasing sweep index
    zero = np.zeros((resamples.tp.shape[0], 1))
    amounts = None
    if resamples.amounts is not None:
        tpa, fpa, pos, neg = resamples.amounts
        amounts = (np.hstack([tpa[:, resamples.column[order]], zero]), np.hstack([fpa[:, resamples.column[order]], zero]),
                   pos, neg)
    return ThresholdResamples(
        candidates=np.append(picked[order], m),
        tp=np.hstack([resamples.tp[:, resamples.column[order]], zero]),
        fp=np.hstack([resamples.fp[:, resamples.column[order]], zero]),
        n_pos=resamples.n_pos,
        n_neg=resamples.n_neg,
        amounts=amounts,
    )
