"""The Threshold page's whole analysis as one typed object, and the page's rules.

``build_analysis(y, scores, weights=, amounts=, is_probability=)`` validates and sorts the
scores **once** (``core.thresholds.sort_cases``) and derives from that order everything that
does not depend on money: the sweep (counts, weight sums, cumulative amounts), the chart
frame, ROC/PR curves and areas, the score histogram, calibration and the decision curve
(probabilities only), and the bootstrap resamples of the bands (drawn once per data) with
the precision/recall/F1 bands, and the resamples for the stability of the recommended
threshold (``Analysis.stability``). ``Analysis.costed(costs)`` then adds what money changes — the
sweep's ``cost`` (one vectorised pass), the cost curve at the chart's rows and the cost
band from the same resamples — without sorting, resampling or touching the rest. A page
caches the ``Analysis`` per data and calls ``costed`` per cost edit.

Everything is plain numpy/pandas; arrays in an ``Analysis`` are read-only (a page shares
one analysis between sessions).

Also here, the rules of the Threshold page that a notebook may want: the default costs, the
URL parameters and how they are validated (``parse_link_value``), the slider's domain
(``slider_domain``), how the recommendation names the positives (``positive_noun``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from core.calibration import brier_score, decision_curve_of_sweep, reliability_curve
from core.charts import score_histogram
from core.costs import CostMatrix
from core.errors import DataError
from core.target import POSITIVE_WORDS
from core.thresholds import (
    SortedCases,
    Sweep,
    average_precision,
    downsample_indices,
    pr_points,
    roc_auc,
    roc_points,
    sort_cases,
    sweep_sorted,
)
from core.uncertainty import (
    BandResamples,
    ThresholdInterval,
    ThresholdResamples,
    draw_band_resamples,
    draw_threshold_resamples,
)

__all__ = [
    "Analysis",
    "CostedAnalysis",
    "COST_FIELDS",
    "DEFAULT_COSTS",
    "LINK_PARAMS",
    "MAX_MONEY",
    "build_analysis",
    "band_grid",
    "clean_amounts",
    "parse_link_value",
    "positive_noun",
    "positive_share",
    "production_weights",
    "slider_domain",
]

# Used when the data is not a demo with its own cost story: a missed positive is usually
# the expensive mistake, so the default makes it five times a false alarm.
DEFAULT_COSTS = CostMatrix(fp_cost=100.0, fn_cost=500.0, tp_value=0.0, tn_value=0.0, currency="$")
# A trillion per case is beyond any real cost and keeps totals exact in float64 (up to ~9e15).
MAX_MONEY = 1e12
# A percentage of the amount: up to 1,000% (ten times the amount) is already generous.
MAX_PERCENT = 1000.0
CHART_POINTS = 600
BAND_POINTS = 100
N_BOOT = 200

COST_FIELDS = (  # URL parameter, widget label, CostMatrix field
    ("fp", "Cost of a false positive", "fp_cost"),
    ("fn", "Cost of a false negative", "fn_cost"),
    ("tp", "Value of a true positive", "tp_value"),
    ("tn", "Value of a true negative", "tn_value"),
)
PERCENT_FIELDS = (  # URL parameter, widget label, CostMatrix field
    ("fpa", "False positive: % of amount", "fp_pct"),
    ("fna", "False negative: % of amount", "fn_pct"),
    ("tpa", "True positive: % of amount", "tp_pct"),
    ("tna", "True negative: % of amount", "tn_pct"),
)
# Every URL parameter of the Threshold page and its label (for messages).
LINK_PARAMS = {"t": "Decision threshold", **{p: label for p, label, _ in COST_FIELDS + PERCENT_FIELDS}}


def slider_domain(is_probability: bool, score_min: float, score_max: float) -> tuple[float, float]:
    """The slider's range: [0, 1] for probabilities, the scores' own range otherwise (never empty)."""
    lo, hi = (0.0, 1.0) if is_probability else (float(score_min), float(score_max))
    return (lo, hi) if hi > lo else (lo, lo + 1.0)


def parse_link_value(param: str, raw: Any, domain: tuple[float, float]) -> float:
    """The number a link's ``param=raw`` sets, or ``DataError`` saying what it must be.

    ``t`` must lie in ``domain``; money in [0, ``MAX_MONEY``]; percentages in [0, ``MAX_PERCENT``].
    """
    if param not in LINK_PARAMS:
        raise DataError(f"Unknown link parameter {param!r}.")
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = float("nan")
    lo, hi = domain
    if param == "t":
        low, high, rule = lo, hi, f"a number from {lo:.4g} to {hi:.4g}"
    elif param in {p for p, _, _ in PERCENT_FIELDS}:
        low, high, rule = 0.0, MAX_PERCENT, f"a percentage from 0 to {MAX_PERCENT:,.0f}"
    else:
        low, high, rule = 0.0, MAX_MONEY, f"a number from 0 to {MAX_MONEY:,.0f}"
    if not (math.isfinite(value) and low <= value <= high):
        raise DataError(f"Ignored the link's {param}={raw!r} ({LINK_PARAMS[param]}): it must be {rule}.")
    return value


# The positive words (core.target's list, the one home) that only say "yes" without naming the
# outcome; a sentence then names the target instead ("'defaulted' cases", not "yes cases").
BARE_POSITIVE_WORDS = POSITIVE_WORDS & {"1", "1.0", "yes", "y", "true", "t", "positive", "pos", "ja", "oui", "si",
                                         "sí", "sim"}


def positive_noun(positive_label: str, target: str | None) -> str:
    """How sentences name the positives: "malignant cases", or the target's name when the
    positive class is a bare yes/1/true word ("'defaulted' cases")."""
    bare = positive_label.strip().lower() in BARE_POSITIVE_WORDS
    return f"'{target or 'positive'}' cases" if bare else f"{positive_label} cases"


def clean_amounts(amounts: Any) -> tuple[np.ndarray, str]:
    """The Amount column's values ready for money per case, and a note for the user ("" if none).

    The rule: a **missing** amount counts as 0 (that case's per-case money is 0; its fixed
    costs still count) and the note says how many rows that is; a **negative** amount is
    refused (a share of a negative amount would turn a cost into a gain), with a
    ``DataError`` naming how many rows and what to do. Non-numbers are refused too.
    """
    try:
        a = np.asarray(amounts, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise DataError("The Amount column must hold numbers; choose a numeric column on the Data page.") from None
    missing = ~np.isfinite(a)
    negative = a < 0
    if negative.any():
        raise DataError(
            f"{int(negative.sum()):,} rows have a negative amount (the smallest is {a[negative].min():,.2f}); money per "
            "case needs amounts of 0 or more. Fix those rows or choose another Amount column on the Data page — "
            "until then only the fixed costs count."
        )
    note = ""
    if missing.any():
        a = np.where(missing, 0.0, a)
        note = (f"{int(missing.sum()):,} rows have no amount; their share-of-amount money counts as 0 "
                "(their fixed costs still count).")
    return a, note


def positive_share(y: Any, weights: Any = None) -> float:
    """Share of positives in the data (weighted by cases per row)."""
    y = np.asarray(y, dtype=np.float64)
    return float(np.average(y, weights=None if weights is None else np.asarray(weights, dtype=np.float64)))


def production_weights(y: Any, weights: Any, rate: Any) -> np.ndarray | None:
    """Case weights that make the positive share ``rate`` instead of the data's own, or None
    when ``rate`` is the data's share (nothing to change).

    Positives are scaled by ``rate / share`` and negatives by ``(1 - rate) / (1 - share)``,
    so the total number of cases stays the same, every threshold keeps its recall and false
    positive rate, and precision, cost and the recommendations follow the new mix. Raises
    ``DataError`` unless ``0 < rate < 1``.
    """
    try:
        rate = float(rate)
    except (TypeError, ValueError):
        raise DataError(f"The positive rate in production must be a share such as 0.05, got {rate!r}.") from None
    if not 0 < rate < 1:
        raise DataError(f"The positive rate in production must be between 0 and 1 (0.05 = 5%), got {rate!r}.")
    y = np.asarray(y)
    share = positive_share(y, weights)
    if not 0 < share < 1:
        raise DataError("Reweighting to a production rate needs cases of both classes; these data have "
                        f"{'only positives' if share >= 1 else 'no positives'}.")
    if math.isclose(rate, share, rel_tol=1e-9, abs_tol=1e-12):
        return None
    base = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
    return base * np.where(y == 1, rate / share, (1 - rate) / (1 - share))


def band_grid(thresholds: np.ndarray, points: int = BAND_POINTS) -> np.ndarray:
    """Up to ``points`` of the finite ``thresholds``, evenly spread: where the bands are drawn."""
    finite = np.asarray(thresholds, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return finite
    picks = np.linspace(0, len(finite) - 1, min(points, len(finite))).round().astype(int)
    return np.unique(finite[picks])


_SWEEP_ARRAYS = ("thresholds", "tp", "fp", "tn", "fn", "precision", "recall", "fpr", "specificity", "f1", "accuracy",
                 "balanced_accuracy", "mcc", "positive_rate", "tp_amount", "fp_amount", "tn_amount", "fn_amount",
                 "_ascending", "_float_tp", "_float_fp")


def _read_only(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    return value


def read_only_sweep(sweep: Sweep) -> Sweep:
    """``sweep`` with its arrays made read-only, to share it between sessions; returns it."""
    for name in _SWEEP_ARRAYS:
        _read_only(getattr(sweep, name, None))
    return sweep


@dataclass(frozen=True)
class CostedAnalysis:
    """What the costs change: the sweep with ``cost``, the cost curve and its band.

    ``sweep``: the analysis's sweep re-costed (arrays shared); ``cost_frame``: DataFrame
    ``threshold, cost`` at the chart rows plus the cheapest entry; ``cost_bands``: the cost
    rows of the bootstrap bands (long format) or None.
    """

    costs: CostMatrix
    sweep: Sweep
    cost_frame: pd.DataFrame
    cost_bands: pd.DataFrame | None


@dataclass(frozen=True)
class Analysis:
    """Everything about one set of scores that does not depend on money (see the module docstring).

    ``cases``/``sweep``: the sorted cases and their sweep (no costs); ``frame``: metrics at
    ``rows`` (sweep indices, at most ~``CHART_POINTS``); ``roc``, ``pr``, ``auc``, ``ap``;
    ``prevalence`` (share of positives, weighted); ``domain`` (slider range); ``histogram``
    (classes named "positive"/"negative", see ``histogram_named``); ``decision_curve``,
    ``reliability``, ``brier`` (None unless probabilities); ``band_thresholds``,
    ``resamples``, ``ratio_bands`` (precision/recall/F1), ``band_error`` (why there are no
    bands, or "").
    """

    cases: SortedCases
    sweep: Sweep
    is_probability: bool
    domain: tuple[float, float]
    rows: np.ndarray
    frame: pd.DataFrame
    roc: pd.DataFrame
    pr: pd.DataFrame
    auc: float
    ap: float
    prevalence: float
    histogram: pd.DataFrame
    decision_curve: pd.DataFrame | None = None
    reliability: pd.DataFrame | None = None
    brier: float | None = None
    band_thresholds: np.ndarray = field(default_factory=lambda: np.zeros(0))
    resamples: BandResamples | None = None
    ratio_bands: pd.DataFrame | None = None
    band_error: str = ""
    threshold_resamples: ThresholdResamples | None = None

    @property
    def has_amounts(self) -> bool:
        return self.sweep.has_amounts

    def costed(self, costs: CostMatrix) -> CostedAnalysis:
        """The sweep, cost curve and cost band under ``costs``. No sort, no resampling: a few
        vectorised passes over the sweep's arrays and the (resamples x thresholds) sums."""
        sweep = self.sweep.with_costs(costs)
        rows = np.union1d(self.rows, [int(np.argmin(sweep.cost))])
        cost_frame = pd.DataFrame({"threshold": sweep.thresholds[rows], "cost": sweep.cost[rows]})
        bands = None
        if self.resamples is not None:
            bands = self.resamples.bands(("cost",), costs=costs)
        return CostedAnalysis(costs, sweep, cost_frame, bands)

    def stability(self, costed: CostedAnalysis, objective: str, **objective_kwargs: Any) -> ThresholdInterval:
        """Bootstrap interval of the recommended threshold under ``costed``'s costs (from the
        resamples drawn once per data). ``DataError`` when there are none or the objective fails."""
        if self.threshold_resamples is None:
            raise DataError(self.band_error or "There are no bootstrap resamples for these data.")
        return self.threshold_resamples.interval(costed.sweep, objective, **objective_kwargs)

    def histogram_named(self, positive_label: str, negative_label: str) -> pd.DataFrame:
        """The score histogram with the classes named as the page names them."""
        names = {"positive": positive_label, "negative": negative_label}
        return self.histogram.assign(**{"class": self.histogram["class"].map(names)})


def build_analysis(
    y: Any,
    scores: Any,
    *,
    weights: Any = None,
    amounts: Any = None,
    is_probability: bool = False,
    chart_points: int = CHART_POINTS,
    band_points: int = BAND_POINTS,
    n_boot: int = N_BOOT,
    seed: int = 0,
    with_bands: bool = True,
) -> Analysis:
    """The ``Analysis`` of labels ``y`` (0/1) and ``scores``, shape (n,), with optional
    ``weights`` (cases per row, a Count column) and ``amounts`` (per-case money). One sort.

    ``is_probability`` adds calibration and the decision curve (scores must lie in [0, 1]).
    Bands: ``n_boot`` resamples at up to ``band_points`` thresholds, seeded; a bootstrap that
    refuses the data leaves ``resamples=None`` and says why in ``band_error``. Raises
    ``DataError`` for invalid inputs (see ``core.thresholds.sort_cases``).
    """
    cases = sort_cases(y, scores, sample_weight=weights, amounts=amounts)
    sweep = sweep_sorted(cases)
    domain = slider_domain(is_probability, sweep.score_min, sweep.score_max)
    rows = downsample_indices(sweep, chart_points)
    frame = sweep.frame(max_points=chart_points)
    histogram = score_histogram(cases.labels, cases.scores, bins=40, lo=domain[0], hi=domain[1],
                                positive_label="positive", negative_label="negative", weights=cases.weights)
    extra: dict[str, Any] = {}
    if is_probability:
        extra["decision_curve"] = decision_curve_of_sweep(sweep, np.linspace(0.01, 0.99, 99))
        extra["reliability"] = reliability_curve(cases.labels, cases.scores, n_bins=10, sample_weight=cases.weights)
        extra["brier"] = brier_score(cases.labels, cases.scores, sample_weight=cases.weights)
    if with_bands:
        grid = band_grid(frame["threshold"].to_numpy(float), band_points)
        try:
            resamples = draw_band_resamples(cases, sweep, grid, n_boot=n_boot, seed=seed)
            extra.update(band_thresholds=grid, resamples=resamples,
                         ratio_bands=resamples.bands(("precision", "recall", "f1")),
                         threshold_resamples=draw_threshold_resamples(cases, sweep, n_boot=n_boot, seed=seed))
        except DataError as error:
            extra["band_error"] = str(error)
    # Shared by every session through the page's cache: nobody may write into them.
    for part in (*cases, rows):
        _read_only(part)
    read_only_sweep(sweep)
    return Analysis(
        cases=cases,
        sweep=sweep,
        is_probability=bool(is_probability),
        domain=domain,
        rows=rows,
        frame=frame,
        roc=roc_points(sweep, max_points=chart_points),
        pr=pr_points(sweep, max_points=chart_points),
        auc=roc_auc(sweep),
        ap=average_precision(sweep),
        prevalence=float(sweep.n_pos / sweep.n) if sweep.n else float("nan"),
        histogram=histogram,
        **extra,
    )
