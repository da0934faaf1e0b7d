"""Chart builders for the Train and Learn pages: data in, chart out, no Streamlit.

The Train page redraws its live curves many times a second, so :func:`curve_spec` and
:func:`comparison_spec` return plain Vega-Lite dicts (drawing one costs well under a
millisecond; building an Altair chart costs several). The Learn page's static charts are
Altair charts. Every builder caps its data at a few thousand points and drops non-finite
values (JSON has no ``inf``/``nan``, and a diverged run's history contains them).

Conventions: a training history is the DataFrame of ``LogisticRegressionGD.history_``
(columns ``epoch``, ``train_log_loss``, ``val_log_loss``, ``train_accuracy``,
``val_accuracy``, …; one row per epoch).
"""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd

from core.model import HISTORY_COLUMNS

__all__ = [
    "CURVE_METRICS",
    "history_long",
    "curve_spec",
    "comparison_spec",
    "folds_spec",
    "coefficient_frame",
    "coefficient_chart",
    "loss_curves_chart",
    "line_chart",
]

_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"

#: The per-epoch curves the Train page draws: metric name -> (axis title, history columns by split).
CURVE_METRICS = {
    "log_loss": ("Log-loss (lower is better)", {"training": "train_log_loss", "validation": "val_log_loss"}),
    "accuracy": ("Accuracy (share correct at 0.5)", {"training": "train_accuracy", "validation": "val_accuracy"}),
}

_SPLIT_COLORS = {"domain": ["training", "validation"], "range": ["#1f77b4", "#ff7f0e"]}
_RUN_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]


def _keep(n: int, max_points: int) -> np.ndarray:
    """Indices of at most ``max_points`` evenly spaced items out of ``n``, first and last included."""
    return np.unique(np.linspace(0, n - 1, max_points).round().astype(int))


def _thin(frame: pd.DataFrame, max_points: int) -> pd.DataFrame:
    """Evenly spaced rows of ``frame``, always keeping the first and the last."""
    return frame if len(frame) <= max_points else frame.iloc[_keep(len(frame), max_points)]


def _as_history(history, max_points: int) -> pd.DataFrame:
    """A history DataFrame, or the list of per-epoch records a live run collects, thinned first
    (so a long run's records are never all converted at every redraw)."""
    if isinstance(history, pd.DataFrame):
        return _thin(history, max_points)
    if len(history) > max_points:
        history = [history[i] for i in _keep(len(history), max_points)]
    return pd.DataFrame.from_records(history, columns=[*HISTORY_COLUMNS])


def history_long(history, metric: str = "log_loss", *, max_points: int = 1000) -> pd.DataFrame:
    """One metric of a training history in long form: columns ``epoch``, ``split``, ``value``.

    ``history`` is a history DataFrame or a list of per-epoch record dicts; ``metric`` is a
    key of :data:`CURVE_METRICS`; ``split`` is "training" or "validation"; rows with a
    non-finite value (no validation data, a diverged run) are left out, and at most
    ``max_points`` epochs are kept (evenly spaced, first and last included).
    """
    _, columns = CURVE_METRICS[metric]
    thinned = _as_history(history, max_points)
    epochs = thinned["epoch"].to_numpy()
    parts = {"epoch": [], "split": [], "value": []}
    for split, column in columns.items():
        values = thinned[column].to_numpy(dtype=float)
        finite = np.isfinite(values)
        parts["epoch"].append(epochs[finite])
        parts["split"].append(np.full(int(finite.sum()), split, dtype=object))
        parts["value"].append(values[finite])
    return pd.DataFrame({k: np.concatenate(v) for k, v in parts.items()})


def _records(frame: pd.DataFrame) -> list[dict]:
    """JSON-ready rows (plain Python numbers and strings)."""
    names = list(frame.columns)
    columns = [frame[c].to_numpy().tolist() for c in names]
    return [dict(zip(names, row)) for row in zip(*columns)]


def curve_spec(
    history,
    metric: str = "log_loss",
    *,
    total_epochs: int | None = None,
    max_points: int = 1000,
    reference: float | None = None,
    reference_label: str = "no model: the base rate for everyone",
    marker: int | None = None,
    height: int = 260,
) -> dict:
    """Vega-Lite spec of one metric per epoch, training and validation as two coloured lines.

    ``history``: a history DataFrame, or the list of record dicts a live run collects.

    ``total_epochs`` fixes the x axis to ``[1, total_epochs]`` so a chart redrawn during
    training grows to the right instead of rescaling at every redraw; ``max_points``
    epochs at most are sent (fewer keeps live redraws light for the browser).
    ``reference`` adds a dashed horizontal line (e.g. the log-loss of knowing nothing but
    the base rate), labelled ``reference_label`` in its tooltip. ``marker`` (an epoch)
    adds a vertical line there with a dot on each curve at that epoch's values.
    """
    title, _ = CURVE_METRICS[metric]
    x_scale = {"domain": [1, max(int(total_epochs), 2)]} if total_epochs else {}
    # Accuracy gets a tight axis so its steps are visible; log-loss keeps zero for scale.
    y_scale = {"zero": metric != "accuracy"}
    curves = {
        "mark": {"type": "line", "interpolate": "step-after" if metric == "accuracy" else "linear"},
        "encoding": {
            "x": {
                "field": "epoch",
                "type": "quantitative",
                "title": "Epoch (one pass over the training rows)",
                "scale": x_scale,
            },
            "y": {"field": "value", "type": "quantitative", "title": title, "scale": y_scale},
            "color": {"field": "split", "type": "nominal", "title": "Rows", "scale": _SPLIT_COLORS},
            "tooltip": [
                {"field": "epoch", "type": "quantitative"},
                {"field": "split", "type": "nominal"},
                {"field": "value", "type": "quantitative", "format": ".3f"},
            ],
        },
    }
    spec = {
        "$schema": _SCHEMA,
        "data": {"values": _records(history_long(history, metric, max_points=max_points))},
        "height": height,
    }
    layers = [curves]
    if marker is not None:
        layers += _marker_layers(history, metric, int(marker))
    if reference is None or not np.isfinite(reference):
        return {**spec, **curves} if len(layers) == 1 else {**spec, "layer": layers}
    rule = {
        "data": {"values": [{"value": float(reference), "label": reference_label}]},
        "mark": {"type": "rule", "strokeDash": [6, 4], "color": "gray"},
        "encoding": {
            "y": {"field": "value", "type": "quantitative"},
            "tooltip": [
                {"field": "label", "type": "nominal", "title": ""},
                {"field": "value", "type": "quantitative", "format": ".3f"},
            ],
        },
    }
    return {**spec, "layer": [*layers, rule]}


def _marker_layers(history, metric: str, epoch: int) -> list[dict]:
    """A vertical line at ``epoch`` and a dot per split at its value then (never thinned away)."""
    frame = history if isinstance(history, pd.DataFrame) else pd.DataFrame.from_records(history, columns=[*HISTORY_COLUMNS])
    at = history_long(frame[frame["epoch"] == epoch], metric)
    rule = {
        "data": {"values": [{"epoch": epoch}]},
        "mark": {"type": "rule", "color": "black", "strokeWidth": 1},
        "encoding": {"x": {"field": "epoch", "type": "quantitative"}},
    }
    dots = {
        "data": {"values": _records(at)},
        "mark": {"type": "point", "filled": True, "size": 70},
        "encoding": {
            "x": {"field": "epoch", "type": "quantitative"},
            "y": {"field": "value", "type": "quantitative"},
            "color": {"field": "split", "type": "nominal", "scale": _SPLIT_COLORS},
            "tooltip": [
                {"field": "epoch", "type": "quantitative"},
                {"field": "split", "type": "nominal"},
                {"field": "value", "type": "quantitative", "format": ".3f"},
            ],
        },
    }
    return [rule, dots]


def comparison_spec(
    histories: Mapping[str, pd.DataFrame],
    metric: str = "log_loss",
    *,
    total_epochs: int | None = None,
    max_points: int = 1000,
    height: int = 300,
) -> dict:
    """Vega-Lite spec overlaying several training runs: colour = run, dash = training/validation.

    ``histories`` maps a run's label (e.g. "Trained on log-loss") to its history (a
    DataFrame or a live run's list of records). ``total_epochs`` and ``max_points`` as in
    :func:`curve_spec`, so runs played side by side grow on a fixed axis.
    """
    title, _ = CURVE_METRICS[metric]
    frames = [history_long(h, metric, max_points=max_points).assign(run=label) for label, h in histories.items()]
    data = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["epoch", "split", "value", "run"])
    return {
        "$schema": _SCHEMA,
        "data": {"values": _records(data)},
        "mark": {"type": "line"},
        "height": height,
        "encoding": {
            "x": {
                "field": "epoch",
                "type": "quantitative",
                "title": "Epoch",
                "scale": {"domain": [1, max(int(total_epochs), 2)]} if total_epochs else {},
            },
            "y": {"field": "value", "type": "quantitative", "title": title, "scale": {"zero": True}},
            "color": {
                "field": "run",
                "type": "nominal",
                "title": "Model",
                "scale": {"domain": list(histories), "range": _RUN_COLORS[: len(histories)]},
            },
            "strokeDash": {"field": "split", "type": "nominal", "title": "Rows"},
            "tooltip": [
                {"field": "run", "type": "nominal"},
                {"field": "split", "type": "nominal"},
                {"field": "epoch", "type": "quantitative"},
                {"field": "value", "type": "quantitative", "format": ".3f"},
            ],
        },
    }


def folds_spec(
    histories,
    metric: str = "log_loss",
    *,
    total_epochs: int | None = None,
    max_points: int = 300,
    reference: float | None = None,
    height: int = 260,
) -> dict:
    """Vega-Lite spec of cross-validation: every fold's curves (thin) and their mean (thick).

    ``histories``: one history per fold (a DataFrame or a live run's list of records), with
    ``train_*`` on the fold's training rows and ``val_*`` on its held-out rows (the
    "validation" split here). The mean at an epoch is over the folds that reached it.
    ``reference`` adds the dashed no-model line as in :func:`curve_spec`.
    """
    title, _ = CURVE_METRICS[metric]
    frames = [history_long(h, metric, max_points=max_points).assign(fold=f"fold {i + 1}")
              for i, h in enumerate(histories) if len(h)]
    data = (pd.concat(frames, ignore_index=True) if frames
            else pd.DataFrame({"epoch": [], "split": [], "value": [], "fold": []}))
    mean = data.groupby(["epoch", "split"], as_index=False)["value"].mean().assign(fold="mean of the folds")
    x = {
        "field": "epoch",
        "type": "quantitative",
        "title": "Epoch (one pass over the fold's training rows)",
        "scale": {"domain": [1, max(int(total_epochs), 2)]} if total_epochs else {},
    }
    y = {"field": "value", "type": "quantitative", "title": title, "scale": {"zero": metric != "accuracy"}}
    interpolate = "step-after" if metric == "accuracy" else "linear"
    tooltip = [
        {"field": "fold", "type": "nominal"},
        {"field": "split", "type": "nominal"},
        {"field": "epoch", "type": "quantitative"},
        {"field": "value", "type": "quantitative", "format": ".3f"},
    ]
    color = {"field": "split", "type": "nominal", "title": "Rows", "scale": _SPLIT_COLORS}
    layers = [
        {
            "data": {"values": _records(data)},
            "mark": {"type": "line", "interpolate": interpolate, "opacity": 0.35, "strokeWidth": 1},
            "encoding": {"x": x, "y": y, "color": color, "detail": {"field": "fold", "type": "nominal"},
                         "tooltip": tooltip},
        },
        {
            "data": {"values": _records(mean)},
            "mark": {"type": "line", "interpolate": interpolate, "strokeWidth": 3},
            "encoding": {"x": x, "y": y, "color": color, "tooltip": tooltip},
        },
    ]
    if reference is not None and np.isfinite(reference):
        layers.append({
            "data": {"values": [{"value": float(reference)}]},
            "mark": {"type": "rule", "strokeDash": [6, 4], "color": "gray"},
            "encoding": {"y": {"field": "value", "type": "quantitative"}},
        })
    return {"$schema": _SCHEMA, "height": height, "layer": layers}


def coefficient_frame(feature_names, coef) -> pd.DataFrame:
    """The model's weights by feature, largest effect first.

    ``coef`` has shape ``(d,)`` or ``(1, d)``. Columns: ``feature``, ``weight`` and
    ``odds_ratio`` (``exp(weight)``: how the odds of the positive class are multiplied
    when the feature goes up by one unit of its prepared scale).
    """
    weights = np.asarray(coef, dtype=np.float64).ravel()
    names = [str(n) for n in feature_names]
    if len(names) != len(weights):
        raise ValueError(f"{len(names)} feature names for {len(weights)} weights")
    with np.errstate(over="ignore"):
        frame = pd.DataFrame({"feature": names, "weight": weights, "odds_ratio": np.exp(weights)})
    order = np.argsort(-np.abs(weights), kind="stable")
    return frame.iloc[order].reset_index(drop=True)


def coefficient_chart(frame: pd.DataFrame, *, max_features: int = 20) -> alt.Chart:
    """Horizontal bars of the ``max_features`` largest weights (from :func:`coefficient_frame`)."""
    top = frame.head(max_features)
    top = top[np.isfinite(top["weight"].to_numpy(dtype=float))].assign(
        direction=lambda f: np.where(f["weight"] >= 0, "raises the odds", "lowers the odds")
    )
    return (
        alt.Chart(top)
        .mark_bar()
        .encode(
            x=alt.X("weight:Q", title="Weight (log-odds per unit)"),
            y=alt.Y("feature:N", sort=None, title=None, axis=alt.Axis(labelLimit=260)),
            color=alt.Color(
                "direction:N",
                title="Effect",
                scale=alt.Scale(domain=["raises the odds", "lowers the odds"], range=["#d62728", "#2ca02c"]),
            ),
            tooltip=[
                alt.Tooltip("feature:N"),
                alt.Tooltip("weight:Q", format=".3f"),
                alt.Tooltip("odds_ratio:Q", format=".3f", title="odds ratio"),
            ],
        )
        .properties(height=max(120, 22 * len(top)))
    )


def loss_curves_chart(curves: pd.DataFrame, point: Mapping, *, max_loss: float = 5.0) -> alt.Chart:
    """The per-example loss curves (from ``core.lesson.per_example_loss_curves``) with one point.

    ``point`` has keys ``y_hat``, ``y`` and ``loss``. The y axis stops at ``max_loss``
    because both curves run to infinity at the wrong end.
    """
    names = ["truth is 1: −log(ŷ)", "truth is 0: −log(1 − ŷ)"]
    data = curves[curves["loss"] <= max_loss].assign(case=lambda f: np.where(f["y"] == 1, names[0], names[1]))
    scale = alt.Scale(domain=names, range=["#d62728", "#1f77b4"])
    lines = (
        alt.Chart(data)
        .mark_line()
        .encode(
            x=alt.X("y_hat:Q", title="Predicted probability of positive (ŷ)", scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("loss:Q", title="Loss for this one example", scale=alt.Scale(domain=[0, max_loss])),
            color=alt.Color("case:N", title="Example", scale=scale),
        )
    )
    marker = pd.DataFrame([{"y_hat": float(point["y_hat"]), "loss": min(float(point["loss"]), max_loss)}])
    dot = alt.Chart(marker).mark_point(size=160, filled=True, color="black").encode(x="y_hat:Q", y="loss:Q")
    return (lines + dot).properties(height=300)


def line_chart(
    frame: pd.DataFrame,
    x: str,
    y: str,
    *,
    x_title: str,
    y_title: str,
    step: bool = False,
    marks: Mapping[str, float] | None = None,
    dots: Mapping[str, tuple[float, float]] | None = None,
    height: int = 260,
) -> alt.Chart:
    """A single curve ``y`` against ``x`` with optional labelled vertical rules at ``marks``.

    ``step=True`` draws a staircase (for accuracy, which jumps rather than slopes).
    ``dots`` maps a label to an ``(x, y)`` point drawn as a filled dot (e.g. where
    gradient descent was). Non-finite points are dropped; at most 2,000 points are drawn.
    """
    data = frame[[x, y]]
    data = _thin(data[np.isfinite(data[y].to_numpy(dtype=float))], 2000)
    chart = (
        alt.Chart(data)
        .mark_line(interpolate="step-after" if step else "linear")
        .encode(
            x=alt.X(f"{x}:Q", title=x_title),
            y=alt.Y(f"{y}:Q", title=y_title, scale=alt.Scale(zero=False)),
            tooltip=[alt.Tooltip(f"{x}:Q", format=".3f"), alt.Tooltip(f"{y}:Q", format=".4f")],
        )
    )
    if marks:
        rules = pd.DataFrame({"label": list(marks), "at": [float(v) for v in marks.values()]})
        chart = chart + alt.Chart(rules).mark_rule(strokeDash=[4, 3], color="gray").encode(
            x="at:Q", tooltip=[alt.Tooltip("label:N", title="")]
        )
    if dots:
        points = pd.DataFrame(
            {"label": list(dots), x: [float(p[0]) for p in dots.values()], y: [float(p[1]) for p in dots.values()]}
        )
        points = points[np.isfinite(points[[x, y]].to_numpy()).all(axis=1)]
        chart = chart + alt.Chart(points).mark_point(size=140, filled=True, color="black").encode(
            x=f"{x}:Q", y=f"{y}:Q", tooltip=[alt.Tooltip("label:N", title=""), alt.Tooltip(f"{x}:Q", format=".3f")]
        )
    return chart.properties(height=height)
