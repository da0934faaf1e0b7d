"""Altair charts for the Threshold and Report pages: data in, ``alt.Chart`` out.

Every builder is a pure function of plain data (DataFrames from ``core.thresholds`` /
``core.calibration`` / ``core.uncertainty``, an ``OperatingPoint``, floats) and returns an
Altair chart; nothing here touches Streamlit or computes a metric. The helpers that shape
data for a chart (``score_histogram``, ``confusion_frame``, ``thin``) live here too because
only charts and the report use them.

Conventions:
- Thresholds run along x; the rule "score >= threshold => positive" holds everywhere.
- Rows with a non-finite threshold (the sweep's "flag nobody" end, ``+inf``) are dropped:
  Vega-Lite cannot place them.
- Data handed to Altair never exceeds ``MAX_ROWS`` rows (Altair refuses more than 5,000 by
  default and the browser slows down well before that): ``thin`` keeps evenly spaced rows
  plus both ends.
- Whatever moves with the slider (the threshold rules, the operating point, the confusion
  cells) lives in a small *named* dataset (``MARKERS``, ``POINT``, ``CELLS``). A page turns a
  chart into a spec once (``chart_spec``, cached per data) and on each slider move swaps only
  those rows (``with_data``): no Altair validation, no re-serialising the curves, and the
  browser sees the same spec with new data.
"""

from __future__ import annotations

from typing import Any, Iterable

import altair as alt
import numpy as np
import pandas as pd

__all__ = [
    "MAX_ROWS",
    "MARKERS",
    "POINT",
    "CELLS",
    "marker_rows",
    "point_rows",
    "confusion_rows",
    "chart_spec",
    "with_data",
    "METRIC_TITLES",
    "thin",
    "metrics_chart",
    "cost_chart",
    "roc_chart",
    "pr_chart",
    "score_histogram",
    "score_distribution_chart",
    "capacity_chart",
    "decision_curve_chart",
    "reliability_chart",
    "confusion_frame",
    "confusion_cells",
    "confusion_chart",
]

MAX_ROWS = 4000
MARKERS = "cutoff_markers"  # threshold rules: rows {threshold, marker}
POINT = "cutoff_point"  # operating point: one row {x, y, label}
CELLS = "cutoff_cells"  # confusion matrix cells: confusion_rows(...)
COST_LINE = "cutoff_cost"  # business cost curve: cost_rows(...) {threshold, cost}
COST_BAND = "cutoff_cost_band"  # its bootstrap band: cost_band_rows(...) {threshold, metric, low, high}
MODELS_COST = "cutoff_models_cost"  # every model's cost curve: models_cost_rows(...) {model, flagged, cost}

METRIC_TITLES = {
    "precision": "Precision",
    "recall": "Recall",
    "f1": "F1",
    "accuracy": "Accuracy",
    "specificity": "Specificity",
    "balanced_accuracy": "Balanced accuracy",
    "fpr": "False positive rate",
    "positive_rate": "Share flagged",
    "mcc": "MCC",
    "cost": "Business cost",
}

_CURRENT_COLOR = "#d62728"
_RECOMMENDED_COLOR = "#2ca02c"
_WIDTH = "container"
_HEIGHT = 280
# Room above the title: without it Streamlit's theme clips the title of charts without a legend.
_PADDING = {"top": 12, "left": 5, "right": 5, "bottom": 5}


def _finish(chart: alt.LayerChart, title: str, datasets: dict | None = None, height: int = _HEIGHT) -> alt.LayerChart:
    """Shared size, padding and title; ``datasets`` are the chart's named (slider) datasets."""
    extra = {"datasets": datasets} if datasets else {}
    return chart.properties(width=_WIDTH, height=height, padding=_PADDING, title=title, **extra)


def thin(df: pd.DataFrame, max_rows: int = MAX_ROWS) -> pd.DataFrame:
    """At most ``max_rows`` rows of ``df``: evenly spaced by position, first and last kept."""
    if len(df) <= max_rows:
        return df
    index = np.unique(np.linspace(0, len(df) - 1, max(int(max_rows), 2)).round().astype(np.int64))
    return df.iloc[index]


def _finite(df: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """Rows whose ``columns`` are all finite numbers."""
    mask = np.ones(len(df), dtype=bool)
    for column in columns:
        mask &= np.isfinite(pd.to_numeric(df[column], errors="coerce").to_numpy(dtype=float))
    return df.loc[mask]


def marker_rows(threshold: float, recommended: float | None = None) -> list[dict]:
    """Rows of the ``MARKERS`` dataset: the current threshold and, if known, the recommended one."""
    rows = [{"threshold": float(threshold), "marker": "Current threshold"}]
    if recommended is not None and np.isfinite(recommended):
        rows.append({"threshold": float(recommended), "marker": "Recommended"})
    return rows


def point_rows(x: float, y: float, label: str = "Current threshold") -> list[dict]:
    """Rows of the ``POINT`` dataset: one operating point."""
    return [{"x": float(x), "y": float(y), "label": label}]


def _marker_layer() -> alt.LayerChart:
    """Vertical rules from the ``MARKERS`` dataset: solid red = current threshold, dashed green =
    recommended. Fixed colours, no colour encoding, so they never share a scale or a legend
    with the data layers (captions and tooltips name them)."""
    base = alt.Chart(alt.NamedData(MARKERS)).encode(
        x="threshold:Q",
        tooltip=[alt.Tooltip("marker:N", title=" "), alt.Tooltip("threshold:Q", format=".3f")],
    )
    current = base.transform_filter(alt.datum.marker == "Current threshold").mark_rule(
        color=_CURRENT_COLOR, strokeWidth=2.5)
    recommended = base.transform_filter(alt.datum.marker == "Recommended").mark_rule(
        color=_RECOMMENDED_COLOR, strokeWidth=2, strokeDash=[6, 4])
    return alt.layer(recommended, current)


def chart_spec(chart: alt.TopLevelMixin) -> dict:
    """The chart as a Vega-Lite dict (validated once), every dataset a DataFrame by name.

    For renderers that take named tabular datasets (``st.vega_lite_chart``); swap the
    slider-dependent datasets with ``with_data``. Altair's default theme sizes are dropped so
    the renderer's own theme applies.
    """
    spec = chart.to_dict()
    config = spec.get("config", {})
    config.pop("view", None)
    if not config:
        spec.pop("config", None)
    spec["datasets"] = {name: pd.DataFrame(rows) for name, rows in spec.get("datasets", {}).items()}
    return spec


def with_data(spec: dict, datasets: dict[str, Any]) -> dict:
    """A copy of ``spec`` with the named ``datasets`` replaced (``spec`` itself is untouched)."""
    unknown = set(datasets) - set(spec.get("datasets", {}))
    if unknown:
        raise KeyError(f"The chart has no dataset named {', '.join(sorted(unknown))}.")
    return {**spec, "datasets": {**spec["datasets"], **datasets}}


def _x_threshold(domain: tuple[float, float] | None, title: str) -> alt.X:
    scale = alt.Scale(domain=list(domain), nice=False) if domain is not None else alt.Scale(zero=False, nice=False)
    return alt.X("threshold:Q", title=title, scale=scale)


def _band_layer(bands: pd.DataFrame | None, metrics: Iterable[str], domain: tuple[float, float] | None, title: str,
                color: alt.Color | alt.ColorValue) -> alt.Chart | None:
    """Shaded low–high bands from ``core.uncertainty.bootstrap_bands`` (long format)."""
    if bands is None or len(bands) == 0:
        return None
    data = bands.loc[bands["metric"].isin(list(metrics))]
    data = _finite(data, ["threshold", "low", "high"])
    if len(data) == 0:
        return None
    data = data.assign(metric=data["metric"].map(lambda m: METRIC_TITLES.get(m, m)))
    return (
        alt.Chart(thin(data))
        .mark_area(opacity=0.18)
        .encode(x=_x_threshold(domain, title), y="low:Q", y2="high:Q", color=color,
                tooltip=["metric:N", alt.Tooltip("threshold:Q", format=".3f"), alt.Tooltip("low:Q", format=",.3f"),
                         alt.Tooltip("high:Q", format=",.3f")])
    )


def metrics_chart(
    frame: pd.DataFrame,
    *,
    threshold: float,
    recommended: float | None = None,
    bands: pd.DataFrame | None = None,
    metrics: tuple[str, ...] = ("precision", "recall", "f1"),
    domain: tuple[float, float] | None = (0.0, 1.0),
    x_title: str = "Threshold (score ≥ threshold ⇒ flagged)",
) -> alt.LayerChart:
    """Ratio metrics against the threshold, with the current and recommended thresholds.

    ``frame`` is ``Sweep.frame()`` (a ``threshold`` column plus one column per metric);
    ``bands`` is ``bootstrap_bands(...)`` (long: ``threshold, metric, low, high``) or None.
    ``domain`` is the x range (``(0, 1)`` for probabilities, the score range otherwise).
    """
    data = _finite(frame[["threshold", *metrics]], ["threshold"])
    long = data.melt(id_vars="threshold", value_vars=list(metrics), var_name="metric", value_name="value")
    long = long.dropna(subset=["value"])
    long["metric"] = long["metric"].map(lambda m: METRIC_TITLES.get(m, m))
    long = thin(long.sort_values(["metric", "threshold"]), MAX_ROWS)
    titles = [METRIC_TITLES.get(m, m) for m in metrics]
    palette = ["#1f77b4", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f"]
    # The legend is shared with the pale bootstrap bands: draw its symbols as solid lines.
    legend = alt.Legend(orient="bottom", symbolType="stroke", symbolStrokeWidth=3, symbolOpacity=1)
    color = alt.Color("metric:N", title="Metric", legend=legend,
                      scale=alt.Scale(domain=titles, range=palette[: len(titles)]))
    lines = (
        alt.Chart(long)
        .mark_line(interpolate="step-after")
        .encode(
            x=_x_threshold(domain, x_title),
            y=alt.Y("value:Q", title="Value", scale=alt.Scale(domain=[0, 1])),
            color=color,
            tooltip=[alt.Tooltip("threshold:Q", format=".3f"), "metric:N", alt.Tooltip("value:Q", format=".3f")],
        )
    )
    layers = [layer for layer in (_band_layer(bands, metrics, domain, x_title, color),) if layer is not None]
    chart = alt.layer(*layers, lines, _marker_layer())
    return _finish(chart, "Metrics by threshold", {MARKERS: marker_rows(threshold, recommended)})


def cost_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of the ``COST_LINE`` dataset: finite ``threshold, cost`` of ``frame``, by threshold."""
    data = _finite(frame[["threshold", "cost"]], ["threshold", "cost"])
    return thin(data.sort_values("threshold"), MAX_ROWS).reset_index(drop=True)


def cost_band_rows(bands: pd.DataFrame | None) -> pd.DataFrame:
    """Rows of the ``COST_BAND`` dataset: the ``cost`` rows of ``bootstrap_bands`` (may be empty)."""
    if bands is None or len(bands) == 0:
        return pd.DataFrame({"threshold": [], "metric": [], "low": [], "high": []})
    data = _finite(bands.loc[bands["metric"] == "cost"], ["threshold", "low", "high"])
    return thin(data.assign(metric=METRIC_TITLES.get("cost", "cost")), MAX_ROWS).reset_index(drop=True)


def cost_chart(
    frame: pd.DataFrame,
    *,
    threshold: float,
    recommended: float | None = None,
    bands: pd.DataFrame | None = None,
    currency: str = "$",
    domain: tuple[float, float] | None = (0.0, 1.0),
    x_title: str = "Threshold (score ≥ threshold ⇒ flagged)",
) -> alt.LayerChart:
    """Total business cost against the threshold (``frame["cost"]``), lower is better.

    The curve and its band are the named datasets ``COST_LINE`` and ``COST_BAND``, so a page
    can show other costs by swapping them (``with_data`` with ``cost_rows``/``cost_band_rows``)
    without rebuilding the chart.
    """
    data = cost_rows(frame)
    band_data = cost_band_rows(bands)
    line = (
        alt.Chart(alt.NamedData(COST_LINE))
        .mark_line(interpolate="step-after", color="#1f77b4")
        .encode(
            x=_x_threshold(domain, x_title),
            y=alt.Y("cost:Q", title=f"Business cost ({currency}, lower is better)"),
            tooltip=[alt.Tooltip("threshold:Q", format=".3f"), alt.Tooltip("cost:Q", format=",.0f")],
        )
    )
    band = (
        alt.Chart(alt.NamedData(COST_BAND))
        .mark_area(opacity=0.18, color="#1f77b4")
        .encode(x=_x_threshold(domain, x_title), y="low:Q", y2="high:Q",
                tooltip=["metric:N", alt.Tooltip("threshold:Q", format=".3f"), alt.Tooltip("low:Q", format=",.3f"),
                         alt.Tooltip("high:Q", format=",.3f")])
    )
    chart = alt.layer(band, line, _marker_layer())
    datasets = {
        MARKERS: marker_rows(threshold, recommended),
        COST_LINE: data.to_dict("records"),
        COST_BAND: band_data.to_dict("records"),
    }
    return _finish(chart, "Business cost by threshold", datasets)


def _operating_point_layer() -> alt.Chart:
    return (
        alt.Chart(alt.NamedData(POINT))
        .mark_point(size=140, filled=True, color=_CURRENT_COLOR)
        .encode(x="x:Q", y="y:Q", tooltip=[alt.Tooltip("label:N", title=" "),
                                           alt.Tooltip("x:Q", format=".3f"), alt.Tooltip("y:Q", format=".3f")])
    )


def _unit_curve_with_diagonal(frame: pd.DataFrame, x: str, y: str, *, x_title: str, y_title: str,
                              percent: bool, point: tuple[float, float], title: str) -> alt.LayerChart:
    """A curve on the unit square (``x``, ``y`` columns plus ``threshold``), the dashed
    diagonal that random flagging would give, and the operating point."""
    data = thin(frame[[x, y, "threshold"]].replace([np.inf, -np.inf], np.nan), MAX_ROWS)
    value_format = ".1%" if percent else ".3f"
    axis = alt.Axis(format="%") if percent else alt.Axis()
    curve = (
        alt.Chart(data)
        .mark_line()
        .encode(
            x=alt.X(f"{x}:Q", title=x_title, axis=axis, scale=alt.Scale(domain=[0, 1])),
            y=alt.Y(f"{y}:Q", title=y_title, axis=axis, scale=alt.Scale(domain=[0, 1])),
            order=f"{x}:Q",
            tooltip=[alt.Tooltip("threshold:Q", format=".3f"), alt.Tooltip(f"{x}:Q", format=value_format),
                     alt.Tooltip(f"{y}:Q", format=value_format)],
        )
    )
    diagonal = (
        alt.Chart(pd.DataFrame({x: [0.0, 1.0], y: [0.0, 1.0]}))
        .mark_line(strokeDash=[4, 4], color="gray")
        .encode(x=f"{x}:Q", y=f"{y}:Q")
    )
    chart = alt.layer(diagonal, curve, _operating_point_layer())
    return _finish(chart, title, {POINT: point_rows(*point)})


def roc_chart(points: pd.DataFrame, *, fpr: float, tpr: float, auc: float) -> alt.LayerChart:
    """ROC curve (``roc_points``: ``fpr, tpr, threshold``) with the operating point and the
    chance diagonal; the title carries the AUC."""
    return _unit_curve_with_diagonal(
        points, "fpr", "tpr", x_title="False positive rate (share of negatives flagged)",
        y_title="Recall (share of positives caught)", percent=False, point=(fpr, tpr),
        title=f"ROC curve (AUC {auc:.3f})",
    )


def pr_chart(points: pd.DataFrame, *, recall: float, precision: float, ap: float, prevalence: float) -> alt.LayerChart:
    """Precision–recall curve (``pr_points``: ``recall, precision, threshold``) with the
    operating point and the no-skill line at the prevalence; the title carries the AP."""
    data = thin(points[["recall", "precision", "threshold"]].replace([np.inf, -np.inf], np.nan), MAX_ROWS)
    curve = (
        alt.Chart(data)
        .mark_line(interpolate="step-after")
        .encode(
            x=alt.X("recall:Q", title="Recall (share of positives caught)", scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("precision:Q", title="Precision (share of flags that are right)", scale=alt.Scale(domain=[0, 1])),
            order="recall:Q",
            tooltip=[alt.Tooltip("threshold:Q", format=".3f"), alt.Tooltip("recall:Q", format=".3f"),
                     alt.Tooltip("precision:Q", format=".3f")],
        )
    )
    no_skill = (
        alt.Chart(pd.DataFrame({"y": [float(prevalence)]}))
        .mark_rule(strokeDash=[4, 4], color="gray")
        .encode(y="y:Q")
    )
    chart = alt.layer(no_skill, curve, _operating_point_layer())
    return _finish(chart, f"Precision–recall curve (average precision {ap:.3f})",
                   {POINT: point_rows(recall, precision)})


def score_histogram(
    y: np.ndarray, scores: np.ndarray, *, bins: int = 40, lo: float | None = None, hi: float | None = None,
    positive_label: str = "positive", negative_label: str = "negative", weights: np.ndarray | None = None,
) -> pd.DataFrame:
    """Histogram of the scores per class on shared bins.

    Returns one row per (class, bin): ``class``, ``bin_start``, ``bin_end``, ``count`` and
    ``share`` (count / class size, so a rare class stays visible). ``y`` is 0/1; ``weights``
    (cases per row) make ``count`` a weight sum.
    """
    y = np.asarray(y).astype(bool)
    scores = np.asarray(scores, dtype=float)
    w = None if weights is None else np.asarray(weights, dtype=float)
    finite = np.isfinite(scores)
    lo = float(np.min(scores[finite])) if lo is None and finite.any() else (0.0 if lo is None else lo)
    hi = float(np.max(scores[finite])) if hi is None and finite.any() else (1.0 if hi is None else hi)
    if hi <= lo:
        hi = lo + 1.0
    edges = np.linspace(lo, hi, int(bins) + 1)
    frames = []
    for name, mask in ((positive_label, y), (negative_label, ~y)):
        keep = mask & finite
        counts, _ = np.histogram(scores[keep], bins=edges, weights=None if w is None else w[keep])
        total = counts.sum()
        frames.append(pd.DataFrame({
            "class": name,
            "bin_start": edges[:-1],
            "bin_end": edges[1:],
            "count": counts,
            "share": counts / total if total else np.zeros_like(counts, dtype=float),
        }))
    return pd.concat(frames, ignore_index=True)


def score_distribution_chart(histogram: pd.DataFrame, *, threshold: float, recommended: float | None = None
                             ) -> alt.LayerChart:
    """Overlaid per-class score histograms (``score_histogram``) with the cut as a rule:
    everything right of the rule is flagged."""
    bars = (
        alt.Chart(histogram)
        .mark_bar(opacity=0.55, binSpacing=0)
        .encode(
            x=alt.X("bin_start:Q", title="Score", bin="binned"),
            x2="bin_end:Q",
            y=alt.Y("share:Q", title="Share of the class", stack=None, axis=alt.Axis(format="%")),
            color=alt.Color("class:N", title="Actual class", legend=alt.Legend(orient="bottom"),
                            scale=alt.Scale(domain=list(pd.unique(histogram["class"])), range=["#ff7f0e", "#1f77b4"])),
            tooltip=["class:N", alt.Tooltip("bin_start:Q", format=".3f", title="from"),
                     alt.Tooltip("bin_end:Q", format=".3f", title="to"), "count:Q",
                     alt.Tooltip("share:Q", format=".1%")],
        )
    )
    chart = alt.layer(bars, _marker_layer())
    return _finish(chart, "Scores by actual class (right of the line = flagged)",
                   {MARKERS: marker_rows(threshold, recommended)})


def capacity_chart(frame: pd.DataFrame, *, positive_rate: float, recall: float) -> alt.LayerChart:
    """Cumulative gains: share of cases flagged (``positive_rate``) against share of positives
    caught (``recall``), with the operating point and the random-flagging diagonal."""
    return _unit_curve_with_diagonal(
        frame, "positive_rate", "recall", x_title="Share of cases flagged (top k%)",
        y_title="Share of positives caught", percent=True, point=(positive_rate, recall),
        title="Capacity: flag the top k%",
    )


def decision_curve_chart(curve: pd.DataFrame, *, threshold: float, recommended: float | None = None) -> alt.LayerChart:
    """Net benefit of the model against *treat all* and *treat none*
    (``decision_curve``: ``threshold, model, treat_all, treat_none``)."""
    names = {"model": "Use the model", "treat_all": "Flag everybody", "treat_none": "Flag nobody"}
    data = _finite(curve[["threshold", *names]], ["threshold"])
    long = data.melt(id_vars="threshold", value_vars=list(names), var_name="policy", value_name="net_benefit")
    long["policy"] = long["policy"].map(names)
    long = thin(long.dropna(subset=["net_benefit"]), MAX_ROWS)
    # Treat-all falls steeply below zero at high thresholds; clip the view to where the
    # comparison is readable.
    top = float(np.nanmax(long["net_benefit"])) if len(long) else 1.0
    lines = (
        alt.Chart(long)
        .mark_line()
        .encode(
            x=alt.X("threshold:Q", title="Threshold probability", scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("net_benefit:Q", title="Net benefit per case",
                    scale=alt.Scale(domain=[-0.05 * max(top, 0.01), max(top, 0.01) * 1.05], clamp=True)),
            color=alt.Color("policy:N", title=None, legend=alt.Legend(orient="bottom"),
                            scale=alt.Scale(domain=list(names.values()), range=["#1f77b4", "#ff7f0e", "#7f7f7f"])),
            tooltip=[alt.Tooltip("threshold:Q", format=".3f"), "policy:N", alt.Tooltip("net_benefit:Q", format=".4f")],
        )
    )
    chart = alt.layer(lines, _marker_layer())
    return _finish(chart, "Decision curve", {MARKERS: marker_rows(threshold, recommended)})


def reliability_chart(curve: pd.DataFrame) -> alt.LayerChart:
    """Calibration: mean predicted probability against the observed share of positives per
    bin (``reliability_curve``), with the diagonal of perfect calibration."""
    data = curve[["mean_predicted", "fraction_positive", "count"]].dropna()
    points = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("mean_predicted:Q", title="Predicted probability (bin average)", scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("fraction_positive:Q", title="Observed share of positives", scale=alt.Scale(domain=[0, 1])),
            tooltip=[alt.Tooltip("mean_predicted:Q", format=".3f"), alt.Tooltip("fraction_positive:Q", format=".3f"),
                     "count:Q"],
        )
    )
    diagonal = (
        alt.Chart(pd.DataFrame({"mean_predicted": [0.0, 1.0], "fraction_positive": [0.0, 1.0]}))
        .mark_line(strokeDash=[4, 4], color="gray")
        .encode(x="mean_predicted:Q", y="fraction_positive:Q")
    )
    chart = alt.layer(diagonal, points)
    return _finish(chart, "Calibration (reliability curve)")


def confusion_frame(point: Any, costs: Any = None, *, positive_label: str = "positive",
                    negative_label: str = "negative") -> pd.DataFrame:
    """The four cells of the confusion matrix at one operating point.

    ``point`` has ``tp, fp, tn, fn``; ``costs`` is a ``CostMatrix`` or None. Returns rows
    (TP, FN, FP, TN) with ``actual``, ``predicted``, ``outcome``, ``count``, ``share`` (of
    all cases) and ``money`` (signed: positive = cost, negative = gain; NaN without costs).
    """
    return pd.DataFrame(confusion_cells(point, costs, positive_label=positive_label, negative_label=negative_label))


def confusion_cells(point: Any, costs: Any = None, *, positive_label: str = "positive",
                    negative_label: str = "negative") -> list[dict]:
    """``confusion_frame`` as a list of row dicts (what a slider move needs: no DataFrame)."""
    cells = [
        ("tp", f"Actually {positive_label}", f"Flagged as {positive_label}", "True positive", "tp_value", -1.0),
        ("fn", f"Actually {positive_label}", f"Not flagged", "False negative", "fn_cost", 1.0),
        ("fp", f"Actually {negative_label}", f"Flagged as {positive_label}", "False positive", "fp_cost", 1.0),
        ("tn", f"Actually {negative_label}", f"Not flagged", "True negative", "tn_value", -1.0),
    ]
    total = float(point.tp + point.fp + point.tn + point.fn)
    rows = []
    for attr, actual, predicted, outcome, cost_field, sign in cells:
        count = float(getattr(point, attr))
        money = sign * count * getattr(costs, cost_field) if costs is not None else np.nan
        pct = getattr(costs, f"{attr}_pct", 0.0) if costs is not None else 0.0
        if pct:  # per-case money: a share of the cell's amount sum
            money += sign * pct / 100.0 * float(getattr(point, f"{attr}_amount", 0.0))
        rows.append({"actual": actual, "predicted": predicted, "outcome": outcome, "count": count,
                     "share": count / total if total else np.nan, "money": money})
    return rows


def confusion_rows(cells: pd.DataFrame | list[dict], *, currency: str = "$") -> list[dict]:
    """Rows of the ``CELLS`` dataset: ``confusion_frame`` (or ``confusion_cells``) plus the three
    text lines per cell (outcome; count and share; money with + for a cost and - for a gain)."""

    def money(value: float) -> str:
        if not np.isfinite(value) or value == 0:
            return "" if not np.isfinite(value) else f"{currency}0"
        return f"{'-' if value < 0 else '+'}{currency}{abs(value):,.0f}"

    rows = []
    for cell in (cells.to_dict("records") if isinstance(cells, pd.DataFrame) else cells):
        share = cell["share"] if np.isfinite(cell["share"]) else 0.0
        rows.append({**cell, "line1": cell["outcome"], "line2": f"{cell['count']:,.0f} ({share:.1%})",
                     "line3": money(cell["money"]), "correct": cell["outcome"].startswith("True")})
    return rows


def confusion_chart(cells: pd.DataFrame, *, currency: str = "$") -> alt.LayerChart:
    """Heat-map of ``confusion_frame``: each cell shows its outcome, count, share and money."""
    base = alt.Chart(alt.NamedData(CELLS)).encode(
        x=alt.X("predicted:N", title="Decision", sort=None, axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("actual:N", title=None, sort=None),
    )
    rect = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color("correct:N", scale=alt.Scale(domain=[True, False], range=["#d9f0d3", "#fddbc7"]), legend=None),
        tooltip=["outcome:N", alt.Tooltip("count:Q", format=",.0f"), alt.Tooltip("share:Q", format=".1%"), "line3:N"],
    )
    text = [
        base.mark_text(dy=dy, fontSize=size, fontWeight=weight).encode(text=f"{field}:N")
        for field, dy, size, weight in (("line1", -22, 13, "bold"), ("line2", 0, 14, "normal"),
                                        ("line3", 22, 13, "normal"))
    ]
    chart = alt.layer(rect, *text)
    return _finish(chart, "Confusion matrix (money: + cost, − gain)",
                   {CELLS: confusion_rows(cells, currency=currency)}, height=260)


# ---------------------------------------------------------------------------------------
# Models side by side: one curve per model (each on its own thresholds)
# ---------------------------------------------------------------------------------------

_MODEL_PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf"]


def _model_color(names: list[str]) -> alt.Color:
    # Legend inside the plot's corner: a bottom legend takes most of a short chart's height.
    return alt.Color("model:N", title=None, legend=alt.Legend(orient="bottom-right", symbolType="stroke",
                                                              symbolStrokeWidth=3, fillColor="white"),
                     scale=alt.Scale(domain=names, range=_MODEL_PALETTE[: max(len(names), 1)]))


def _models_frame(sweeps: dict[str, Any], columns: dict[str, str], max_points: int = 400) -> pd.DataFrame:
    """One long frame ``model`` + ``columns`` (new name -> sweep attribute) at each model's chart rows."""
    from core.thresholds import downsample_indices  # charts stay importable without a sweep

    frames = []
    for name, sweep in sweeps.items():
        rows = downsample_indices(sweep, max_points)
        frames.append(pd.DataFrame({"model": name, **{new: getattr(sweep, old)[rows] for new, old in columns.items()}}))
    return pd.concat(frames, ignore_index=True)


def models_roc_chart(sweeps: dict[str, Any]) -> alt.LayerChart:
    """ROC curves of several models (name -> ``Sweep``) with the chance diagonal."""
    data = _models_frame(sweeps, {"fpr": "fpr", "tpr": "recall"}).sort_values(["model", "fpr", "tpr"])
    lines = alt.Chart(data).mark_line().encode(
        x=alt.X("fpr:Q", title="False positive rate", scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("tpr:Q", title="True positive rate (recall)", scale=alt.Scale(domain=[0, 1])),
        color=_model_color(list(sweeps)), order="fpr:Q",
        tooltip=["model:N", alt.Tooltip("fpr:Q", format=".3f"), alt.Tooltip("tpr:Q", format=".3f")])
    diagonal = alt.Chart(pd.DataFrame({"fpr": [0.0, 1.0], "tpr": [0.0, 1.0]})).mark_line(
        strokeDash=[4, 4], color="gray").encode(x="fpr:Q", y="tpr:Q")
    return _finish(alt.layer(diagonal, lines), "ROC curves")


def models_pr_chart(sweeps: dict[str, Any]) -> alt.LayerChart:
    """Precision–recall curves of several models (name -> ``Sweep``)."""
    data = _models_frame(sweeps, {"recall": "recall", "precision": "precision", "flagged": "positive_rate"})
    data = data[data["flagged"] > 0].sort_values(["model", "recall"])
    lines = alt.Chart(data).mark_line().encode(
        x=alt.X("recall:Q", title="Recall", scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("precision:Q", title="Precision", scale=alt.Scale(domain=[0, 1])),
        color=_model_color(list(sweeps)), order="recall:Q",
        tooltip=["model:N", alt.Tooltip("recall:Q", format=".3f"), alt.Tooltip("precision:Q", format=".3f")])
    return _finish(lines.encode(color=alt.Color("model:N", title=None, legend=alt.Legend(
        orient="bottom-left", symbolType="stroke", symbolStrokeWidth=3, fillColor="white"),
        scale=alt.Scale(domain=list(sweeps), range=_MODEL_PALETTE[: max(len(sweeps), 1)]))), "Precision–recall curves")


def models_cost_rows(sweeps: dict[str, Any]) -> pd.DataFrame:
    """Rows of the ``MODELS_COST`` dataset: ``model, flagged, cost`` at each model's chart rows."""
    return _models_frame(sweeps, {"flagged": "positive_rate", "cost": "cost"}).sort_values(
        ["model", "flagged"], ignore_index=True)


def models_cost_chart(sweeps: dict[str, Any], *, currency: str = "$") -> alt.LayerChart:
    """Business cost of several models against the share of cases flagged (their thresholds are
    on different scales, the share flagged is common to all). Sweeps need costs. The curves are
    the named dataset ``MODELS_COST``: a cost edit swaps in ``models_cost_rows`` of the re-costed
    sweeps instead of building the chart again."""
    data = models_cost_rows(sweeps)
    lines = alt.Chart(alt.NamedData(MODELS_COST)).mark_line(interpolate="step-after").encode(
        x=alt.X("flagged:Q", title="Share of cases flagged", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("cost:Q", title=f"Business cost ({currency}, lower is better)", scale=alt.Scale(zero=False)),
        color=alt.Color("model:N", title=None, legend=alt.Legend(orient="top-right", symbolType="stroke",
                                                                 symbolStrokeWidth=3, fillColor="white"),
                        scale=alt.Scale(domain=list(sweeps), range=_MODEL_PALETTE[: max(len(sweeps), 1)])),
        order="flagged:Q",
        tooltip=["model:N", alt.Tooltip("flagged:Q", format=".1%"), alt.Tooltip("cost:Q", format=",.0f")])
    return _finish(lines, "Business cost by share flagged", {MODELS_COST: data.to_dict("records")})
