"""Chart data and encodings of ``core.charts`` checked against direct counts, numpy and
scikit-learn: which rows each chart holds, which fields its channels read, the scales that fix
its axes, the slider datasets and their filters, and the edge cases of the data helpers
(thinning, non-finite rows, empty classes, zero totals)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from core import charts
from core.costs import CostMatrix
from core.thresholds import threshold_sweep


def _layers(spec: dict) -> list[dict]:
    """Every leaf layer of a spec, each with its data resolved to rows (``None`` when it has none)."""
    datasets = spec.get("datasets", {})
    out = []

    def walk(node: dict, inherited: dict | None) -> None:
        data = node.get("data", inherited)
        if "layer" in node:
            for child in node["layer"]:
                walk(child, data)
            return
        rows = None
        if data is not None:
            rows = datasets[data["name"]] if "name" in data else data.get("values")
        out.append({**node, "rows": rows, "data_name": (data or {}).get("name")})

    walk(spec, None)
    return out


def _channel(layer: dict, name: str) -> dict:
    return layer["encoding"][name]


def _mark(layer: dict) -> str:
    mark = layer["mark"]
    return mark if isinstance(mark, str) else mark["type"]


def _marker_checks(layers: list[dict], threshold: float, recommended: float | None) -> None:
    rules = [la for la in layers if la["data_name"] == charts.MARKERS]
    assert len(rules) == 2
    filters = sorted(la["transform"][0]["filter"] for la in rules)
    assert filters == ["(datum.marker === 'Current threshold')", "(datum.marker === 'Recommended')"]
    for la in rules:
        assert _mark(la) == "rule"
        assert _channel(la, "x") == {"field": "threshold", "type": "quantitative"}
        assert [t["field"] for t in _channel(la, "tooltip")] == ["marker", "threshold"]
    expected = [{"threshold": threshold, "marker": "Current threshold"}]
    if recommended is not None:
        expected.append({"threshold": recommended, "marker": "Recommended"})
    assert rules[0]["rows"] == expected


@pytest.fixture(scope="module")
def sweep():
    rng = np.random.default_rng(7)
    y = (rng.random(3000) < 0.3).astype(int)
    scores = np.clip(rng.normal(0.35 + 0.3 * y, 0.2), 0, 1)
    return y, scores, threshold_sweep(y, scores, costs=CostMatrix(fp_cost=10, fn_cost=50))


# --- data helpers ---------------------------------------------------------------------------

def test_thin_returns_the_frame_itself_up_to_the_limit_and_evenly_spaced_rows_above():
    df = pd.DataFrame({"a": np.arange(10)})
    assert charts.thin(df, 10) is df
    assert charts.thin(df) is df  # the default limit is MAX_ROWS
    thinned = charts.thin(df, 4)
    assert thinned["a"].tolist() == [0, 3, 6, 9]  # linspace(0, 9, 4)
    assert charts.thin(df, 1)["a"].tolist() == [0, 9]  # never fewer than both ends
    big = pd.DataFrame({"a": np.arange(charts.MAX_ROWS + 1)})
    assert len(charts.thin(big)) == charts.MAX_ROWS
    assert charts.MAX_ROWS == 4000


def test_finite_keeps_only_rows_finite_in_every_named_column():
    df = pd.DataFrame({"a": [1.0, np.nan, np.inf, -np.inf, 2.0, 3.0], "b": [1.0, 1.0, 1.0, 1.0, np.nan, "x"],
                       "c": [np.nan] * 6})
    assert charts._finite(df, ["a"]).index.tolist() == [0, 4, 5]
    assert charts._finite(df, ["a", "b"]).index.tolist() == [0]
    assert charts._finite(df, []).index.tolist() == list(range(6))


def test_marker_and_point_rows():
    assert charts.marker_rows(1) == [{"threshold": 1.0, "marker": "Current threshold"}]
    assert isinstance(charts.marker_rows(np.float32(0.5))[0]["threshold"], float)
    for missing in (None, float("nan"), float("inf")):
        assert len(charts.marker_rows(0.2, missing)) == 1
    rows = charts.marker_rows(0.2, np.int64(0))
    assert rows[1] == {"threshold": 0.0, "marker": "Recommended"} and isinstance(rows[1]["threshold"], float)
    point = charts.point_rows(np.float32(0.25), 1)
    assert point == [{"x": 0.25, "y": 1.0, "label": "Current threshold"}]
    assert type(point[0]["x"]) is float and type(point[0]["y"]) is float
    assert charts.point_rows(0, 0, "Here")[0]["label"] == "Here"


def test_chart_spec_drops_only_the_view_config_and_turns_datasets_into_frames(sweep):
    _, _, sw = sweep
    chart = charts.metrics_chart(sw.frame(max_points=50), threshold=0.3)
    spec = charts.chart_spec(chart)
    assert "config" not in spec
    pd.testing.assert_frame_equal(spec["datasets"][charts.MARKERS],
                                  pd.DataFrame([{"threshold": 0.3, "marker": "Current threshold"}]))
    themed = charts.chart_spec(chart.configure_axis(grid=False))
    assert themed["config"] == {"axis": {"grid": False}}
    plain = charts.chart_spec(charts.reliability_chart(pd.DataFrame(
        {"mean_predicted": [0.5], "fraction_positive": [0.5], "count": [1]})))
    assert all(isinstance(v, pd.DataFrame) for v in plain["datasets"].values())


def test_with_data_names_every_unknown_dataset_and_leaves_the_spec_alone(sweep):
    _, _, sw = sweep
    spec = charts.chart_spec(charts.metrics_chart(sw.frame(max_points=50), threshold=0.3))
    before = dict(spec["datasets"])
    with pytest.raises(KeyError, match="b_missing, z_missing"):
        charts.with_data(spec, {"z_missing": [], "b_missing": [], charts.MARKERS: []})
    moved = charts.with_data(spec, {charts.MARKERS: []})
    assert moved["datasets"][charts.MARKERS] == [] and spec["datasets"].keys() == before.keys()
    assert spec["datasets"][charts.MARKERS] is before[charts.MARKERS]
    with pytest.raises(KeyError):
        charts.with_data({}, {"anything": []})


# --- metrics and cost -----------------------------------------------------------------------

def test_metrics_chart_lines_are_the_frames_values_by_metric_and_threshold(sweep):
    _, _, sw = sweep
    frame = sw.frame(max_points=200)
    frame.loc[frame.index[3], "precision"] = np.nan  # a missing value is left out, not drawn at 0
    frame = frame.assign(own=frame["recall"] / 2)
    spec = charts.metrics_chart(frame, threshold=0.4, recommended=0.6, metrics=("precision", "recall", "mcc", "own"),
                                domain=None).to_dict()
    layers = _layers(spec)
    line = [la for la in layers if _mark(la) == "line"][0]
    finite = frame[np.isfinite(frame["threshold"])]
    expected = []
    for metric, title in (("precision", "Precision"), ("recall", "Recall"), ("mcc", "MCC"), ("own", "own")):
        for t, v in zip(finite["threshold"], finite[metric]):
            if not np.isnan(v):
                expected.append((title, t, v))
    got = [(r["metric"], r["threshold"], r["value"]) for r in line["rows"]]
    assert sorted(got) == sorted(expected) and got == sorted(got, key=lambda r: (r[0], r[1]))
    assert _channel(line, "x")["field"] == "threshold" and _channel(line, "x")["scale"] == {"zero": False, "nice": False}
    assert _channel(line, "y")["field"] == "value" and _channel(line, "y")["scale"] == {"domain": [0, 1]}
    assert _channel(line, "color")["field"] == "metric"
    assert _channel(line, "color")["scale"]["domain"] == ["Precision", "Recall", "MCC", "own"]
    assert len(_channel(line, "color")["scale"]["range"]) == 4
    assert [t["field"] for t in _channel(line, "tooltip")] == ["threshold", "metric", "value"]
    assert line["mark"]["interpolate"] == "step-after"
    _marker_checks(layers, 0.4, 0.6)
    assert len(layers) == 3  # no band layer without bands
    assert spec["title"] == "Metrics by threshold" and spec["height"] == 280 and spec["width"] == "container"
    assert spec["padding"] == {"top": 12, "left": 5, "right": 5, "bottom": 5}


def test_metrics_chart_thins_long_data_to_max_rows():
    n = 3000
    frame = pd.DataFrame({"threshold": np.linspace(0, 1, n), "precision": 0.5, "recall": 0.4, "f1": 0.3})
    line = [la for la in _layers(charts.metrics_chart(frame, threshold=0.5).to_dict()) if _mark(la) == "line"][0]
    assert len(line["rows"]) == charts.MAX_ROWS
    assert line["rows"][0] == {"threshold": 0.0, "metric": "F1", "value": 0.3}
    assert line["rows"][-1] == {"threshold": 1.0, "metric": "Recall", "value": 0.4}
    assert _channel(line, "x")["scale"] == {"domain": [0.0, 1.0], "nice": False}


def test_metric_bands_hold_the_finite_rows_of_the_drawn_metrics():
    frame = pd.DataFrame({"threshold": [0.1, 0.2, 0.3], "precision": [0.5, 0.6, 0.7], "recall": [0.9, 0.8, 0.7],
                          "f1": [0.6, 0.6, 0.6]})
    bands = pd.DataFrame({"threshold": [0.1, 0.2, 0.3, 0.2, 0.2, np.inf],
                          "metric": ["precision", "recall", "cost", "f1", "mine", "recall"],
                          "low": [0.4, 0.7, 1.0, np.nan, 0.1, 0.1], "high": [0.6, 0.9, 2.0, 0.7, 0.2, 0.2]})
    spec = charts.metrics_chart(frame.assign(mine=0.15), threshold=0.2, bands=bands,
                                metrics=("precision", "recall", "f1", "mine"), domain=(0.0, 0.5)).to_dict()
    layers = _layers(spec)
    area = layers[0]
    assert _mark(area) == "area" and len(layers) == 4
    assert area["rows"] == [{"threshold": 0.1, "metric": "Precision", "low": 0.4, "high": 0.6},
                            {"threshold": 0.2, "metric": "Recall", "low": 0.7, "high": 0.9},
                            {"threshold": 0.2, "metric": "mine", "low": 0.1, "high": 0.2}]
    assert _channel(area, "y")["field"] == "low" and _channel(area, "y2")["field"] == "high"
    assert _channel(area, "x")["field"] == "threshold" and _channel(area, "x")["scale"] == {"domain": [0.0, 0.5],
                                                                                         "nice": False}
    assert _channel(area, "color")["field"] == "metric"
    assert [t["field"] for t in _channel(area, "tooltip")] == ["metric", "threshold", "low", "high"]
    for empty in (None, bands.iloc[:0], bands[bands["metric"] == "cost"], bands.iloc[[5]]):
        assert len(_layers(charts.metrics_chart(frame, threshold=0.2, bands=empty).to_dict())) == 3


def test_cost_rows_and_band_rows(sweep):
    frame = pd.DataFrame({"threshold": [0.3, 0.1, np.inf, 0.2, 0.4], "cost": [3.0, 1.0, 9.0, np.nan, 4.0],
                          "other": 0})
    rows = charts.cost_rows(frame)
    assert rows.to_dict("records") == [{"threshold": 0.1, "cost": 1.0}, {"threshold": 0.3, "cost": 3.0},
                                       {"threshold": 0.4, "cost": 4.0}]
    assert rows.index.tolist() == [0, 1, 2]
    empty = charts.cost_band_rows(None)
    assert list(empty.columns) == ["threshold", "metric", "low", "high"] and len(empty) == 0
    assert len(charts.cost_band_rows(pd.DataFrame({"threshold": [], "metric": [], "low": [], "high": []}))) == 0
    bands = pd.DataFrame({"threshold": [0.1, 0.2, 0.3, 0.4], "metric": ["cost", "recall", "cost", "cost"],
                          "low": [1.0, 2.0, np.nan, 5.0], "high": [2.0, 3.0, 4.0, 6.0]}, index=[5, 6, 7, 8])
    band = charts.cost_band_rows(bands)
    assert band.to_dict("records") == [{"threshold": 0.1, "metric": "Business cost", "low": 1.0, "high": 2.0},
                                       {"threshold": 0.4, "metric": "Business cost", "low": 5.0, "high": 6.0}]
    assert band.index.tolist() == [0, 1]
    n = charts.MAX_ROWS + 10
    long = pd.DataFrame({"threshold": np.linspace(0, 1, n), "cost": 1.0})
    assert len(charts.cost_rows(long)) == charts.MAX_ROWS
    assert len(charts.cost_band_rows(long.assign(metric="cost", low=0.0, high=1.0))) == charts.MAX_ROWS


def test_cost_chart_layers_read_the_named_datasets(sweep):
    _, _, sw = sweep
    frame = sw.frame(max_points=100)
    bands = pd.DataFrame({"threshold": [0.2], "metric": ["cost"], "low": [1.0], "high": [3.0]})
    spec = charts.cost_chart(frame, threshold=0.5, recommended=0.3, bands=bands, currency="€", domain=None).to_dict()
    layers = _layers(spec)
    band, line = layers[0], layers[1]
    assert band["data_name"] == charts.COST_BAND and _mark(band) == "area"
    assert band["rows"] == [{"threshold": 0.2, "metric": "Business cost", "low": 1.0, "high": 3.0}]
    assert _channel(band, "y")["field"] == "low" and _channel(band, "y2")["field"] == "high"
    assert _channel(band, "x")["field"] == "threshold" and _channel(band, "x")["scale"] == {"zero": False, "nice": False}
    assert [t["field"] for t in _channel(band, "tooltip")] == ["metric", "threshold", "low", "high"]
    assert line["data_name"] == charts.COST_LINE and _mark(line) == "line"
    assert line["rows"] == charts.cost_rows(frame).to_dict("records")
    assert _channel(line, "y")["field"] == "cost" and "€" in _channel(line, "y")["title"]
    assert _channel(line, "x")["field"] == "threshold" and _channel(line, "x")["scale"] == {"zero": False, "nice": False}
    assert [t["field"] for t in _channel(line, "tooltip")] == ["threshold", "cost"]
    assert line["mark"]["interpolate"] == "step-after"
    _marker_checks(layers, 0.5, 0.3)
    spec = charts.cost_chart(frame, threshold=0.5).to_dict()
    assert spec["datasets"][charts.COST_BAND] == []
    assert _layers(spec)[1]["encoding"]["x"]["scale"] == {"domain": [0.0, 1.0], "nice": False}
    assert spec["height"] == 280


# --- ROC, PR, capacity ----------------------------------------------------------------------

def test_roc_chart_curve_diagonal_point_and_auc_title(sweep):
    from sklearn.metrics import roc_auc_score, roc_curve

    y, scores, _ = sweep
    fpr, tpr, thr = roc_curve(y, scores)
    points = pd.DataFrame({"fpr": fpr, "tpr": tpr, "threshold": thr})
    auc = roc_auc_score(y, scores)
    spec = charts.roc_chart(points, fpr=0.1, tpr=0.4, auc=auc).to_dict()
    diagonal, curve, point = _layers(spec)
    assert spec["title"] == f"ROC curve (AUC {auc:.3f})"
    assert diagonal["rows"] == [{"fpr": 0.0, "tpr": 0.0}, {"fpr": 1.0, "tpr": 1.0}]
    assert _channel(diagonal, "x")["field"] == "fpr" and _channel(diagonal, "y")["field"] == "tpr"
    assert len(curve["rows"]) == len(points)
    assert [r["fpr"] for r in curve["rows"]] == fpr.tolist() and [r["tpr"] for r in curve["rows"]] == tpr.tolist()
    assert curve["rows"][0]["threshold"] is None  # sklearn's +inf first threshold: no value, not a crash
    assert _channel(curve, "x")["field"] == "fpr" and _channel(curve, "x")["scale"] == {"domain": [0, 1]}
    assert _channel(curve, "y")["field"] == "tpr" and _channel(curve, "y")["scale"] == {"domain": [0, 1]}
    assert _channel(curve, "order")["field"] == "fpr"
    assert [t["field"] for t in _channel(curve, "tooltip")] == ["threshold", "fpr", "tpr"]
    assert [t.get("format") for t in _channel(curve, "tooltip")] == [".3f", ".3f", ".3f"]
    assert _channel(curve, "x")["axis"] == {} and _channel(curve, "y")["axis"] == {}
    assert point["data_name"] == charts.POINT and point["rows"] == charts.point_rows(0.1, 0.4)
    assert _mark(point) == "point"
    assert _channel(point, "x")["field"] == "x" and _channel(point, "y")["field"] == "y"
    assert [t["field"] for t in _channel(point, "tooltip")] == ["label", "x", "y"]


def test_roc_curve_over_max_rows_is_thinned_with_both_ends():
    n = charts.MAX_ROWS + 500
    points = pd.DataFrame({"fpr": np.linspace(0, 1, n), "tpr": np.linspace(0, 1, n) ** 0.5,
                           "threshold": np.linspace(1, 0, n)})
    curve = _layers(charts.roc_chart(points, fpr=0, tpr=0, auc=0.5).to_dict())[1]
    assert len(curve["rows"]) == charts.MAX_ROWS
    assert curve["rows"][0]["fpr"] == 0.0 and curve["rows"][-1]["fpr"] == 1.0


def test_capacity_chart_is_gains_on_a_percent_unit_square(sweep):
    _, _, sw = sweep
    frame = sw.frame(max_points=100)
    spec = charts.capacity_chart(frame, positive_rate=0.2, recall=0.5).to_dict()
    diagonal, curve, point = _layers(spec)
    assert diagonal["rows"] == [{"positive_rate": 0.0, "recall": 0.0}, {"positive_rate": 1.0, "recall": 1.0}]
    assert [r["positive_rate"] for r in curve["rows"]] == frame["positive_rate"].tolist()
    assert [r["recall"] for r in curve["rows"]] == frame["recall"].tolist()
    assert _channel(curve, "x")["field"] == "positive_rate" and _channel(curve, "y")["field"] == "recall"
    assert _channel(curve, "x")["axis"] == {"format": "%"} and _channel(curve, "y")["axis"] == {"format": "%"}
    assert [t.get("format") for t in _channel(curve, "tooltip")] == [".3f", ".1%", ".1%"]
    assert point["rows"] == [{"x": 0.2, "y": 0.5, "label": "Current threshold"}]
    assert spec["title"] == "Capacity: flag the top k%"


def test_pr_chart_curve_no_skill_line_and_point(sweep):
    from sklearn.metrics import average_precision_score, precision_recall_curve

    y, scores, _ = sweep
    precision, recall, thr = precision_recall_curve(y, scores)
    points = pd.DataFrame({"recall": recall, "precision": precision, "threshold": np.append(thr, np.inf)})
    ap = average_precision_score(y, scores)
    spec = charts.pr_chart(points, recall=0.6, precision=0.7, ap=ap, prevalence=y.mean()).to_dict()
    no_skill, curve, point = _layers(spec)
    assert spec["title"] == f"Precision–recall curve (average precision {ap:.3f})"
    assert no_skill["rows"] == [{"y": pytest.approx(np.mean(y))}] and _channel(no_skill, "y")["field"] == "y"
    assert _mark(no_skill) == "rule"
    assert [r["recall"] for r in curve["rows"]] == recall.tolist()
    assert [r["precision"] for r in curve["rows"]] == precision.tolist()
    assert curve["rows"][-1]["threshold"] is None
    assert _channel(curve, "x")["field"] == "recall" and _channel(curve, "y")["field"] == "precision"
    assert _channel(curve, "x")["scale"] == {"domain": [0, 1]} and _channel(curve, "y")["scale"] == {"domain": [0, 1]}
    assert _channel(curve, "order")["field"] == "recall" and curve["mark"]["interpolate"] == "step-after"
    assert [t["field"] for t in _channel(curve, "tooltip")] == ["threshold", "recall", "precision"]
    assert point["data_name"] == charts.POINT and point["rows"] == [{"x": 0.6, "y": 0.7, "label": "Current threshold"}]
    n = charts.MAX_ROWS + 3
    big = pd.DataFrame({"recall": np.linspace(0, 1, n), "precision": 0.5, "threshold": np.linspace(1, 0, n)})
    assert len(_layers(charts.pr_chart(big, recall=0, precision=0, ap=0, prevalence=0.5).to_dict())[1]["rows"]) \
        == charts.MAX_ROWS


# --- score histogram ------------------------------------------------------------------------

def test_score_histogram_defaults_to_the_finite_score_range_and_numpy_bins():
    rng = np.random.default_rng(3)
    y = (rng.random(500) < 0.3).astype(int)
    scores = rng.normal(size=500)
    scores[:5] = [np.nan, np.inf, -np.inf, np.nan, np.inf]
    hist = charts.score_histogram(y, scores)
    finite = np.isfinite(scores)
    edges = np.linspace(scores[finite].min(), scores[finite].max(), 41)
    assert hist["class"].tolist() == ["positive"] * 40 + ["negative"] * 40
    for label, mask in (("positive", y == 1), ("negative", y == 0)):
        part = hist[hist["class"] == label]
        counts, _ = np.histogram(scores[mask & finite], bins=edges)
        assert part["count"].tolist() == counts.tolist()
        np.testing.assert_allclose(part["share"], counts / counts.sum())
        np.testing.assert_array_equal(part["bin_start"], edges[:-1])
        np.testing.assert_array_equal(part["bin_end"], edges[1:])
    assert hist.index.tolist() == list(range(80))


def test_score_histogram_with_one_bound_given_and_weights():
    y = np.array([1, 1, 0, 0, 0])
    scores = np.array([0.2, 0.8, 0.1, 0.6, 0.9])
    weights = np.array([2.0, 3.0, 1.0, 4.0, 0.5])
    hist = charts.score_histogram(y, scores, bins=2, lo=0.0, weights=weights)
    assert hist["bin_start"].tolist()[:2] == [0.0, 0.45] and hist["bin_end"].tolist()[:2] == [0.45, 0.9]
    assert hist["count"].tolist() == [2.0, 3.0, 1.0, 4.5]
    assert hist["share"].tolist() == pytest.approx([0.4, 0.6, 1 / 5.5, 4.5 / 5.5])
    hist = charts.score_histogram(y, scores, bins=2, hi=1.0)
    assert hist["bin_start"].tolist()[:2] == [0.1, 0.55] and hist["count"].tolist() == [1, 1, 1, 2]
    hist = charts.score_histogram(y, scores, bins=2, lo=-1.0, hi=1.0)
    assert hist["count"].tolist() == [0, 2, 0, 3]


def test_score_histogram_edge_cases_without_spread_or_finite_scores_or_a_class():
    one_value = charts.score_histogram([1, 0], [0.5, 0.5], bins=2)
    assert one_value["bin_start"].tolist()[:2] == [0.5, 1.0] and one_value["bin_end"].tolist()[:2] == [1.0, 1.5]
    assert one_value["count"].tolist() == [1, 0, 1, 0]
    reversed_ = charts.score_histogram([1], [0.5], bins=1, lo=0.7, hi=0.2)
    assert reversed_["bin_start"].tolist()[0] == 0.7 and reversed_["bin_end"].tolist()[0] == pytest.approx(1.7)
    none_finite = charts.score_histogram([1, 0], [np.nan, np.inf], bins=2)
    assert none_finite["bin_start"].tolist()[:2] == [0.0, 0.5] and none_finite["bin_end"].tolist()[:2] == [0.5, 1.0]
    assert none_finite["count"].tolist() == [0, 0, 0, 0] and none_finite["share"].tolist() == [0.0] * 4
    none_given = charts.score_histogram([1, 0], [np.nan, np.nan], bins=1, lo=2.0)
    assert none_given["bin_start"].tolist() == [2.0, 2.0] and none_given["bin_end"].tolist() == [3.0, 3.0]
    only_positives = charts.score_histogram([1, 1], [0.1, 0.9], bins=2)
    negatives = only_positives[only_positives["class"] == "negative"]
    assert negatives["share"].tolist() == [0.0, 0.0] and negatives["share"].dtype == float
    assert only_positives["share"].tolist()[:2] == [0.5, 0.5]


def test_score_distribution_chart_encodes_the_bins_share_and_class(sweep):
    y, scores, _ = sweep
    hist = charts.score_histogram(y, scores, bins=10, positive_label="fraud", negative_label="ok")
    spec = charts.score_distribution_chart(hist, threshold=0.4, recommended=0.6).to_dict()
    layers = _layers(spec)
    bars = layers[0]
    assert _mark(bars) == "bar" and bars["rows"] == hist.to_dict("records")
    assert _channel(bars, "x") == {**_channel(bars, "x"), "field": "bin_start", "bin": "binned"}
    assert _channel(bars, "x2")["field"] == "bin_end"
    assert _channel(bars, "y")["field"] == "share" and _channel(bars, "y")["stack"] is None
    assert _channel(bars, "color")["field"] == "class"
    assert _channel(bars, "color")["scale"]["domain"] == ["fraud", "ok"]
    assert len(_channel(bars, "color")["scale"]["range"]) == 2
    assert [t["field"] for t in _channel(bars, "tooltip")] == ["class", "bin_start", "bin_end", "count", "share"]
    _marker_checks(layers, 0.4, 0.6)
    assert spec["height"] == 280 and spec["padding"]["top"] == 12


# --- decision curve and reliability ---------------------------------------------------------

def test_decision_curve_chart_rows_policies_and_view_range():
    curve = pd.DataFrame({"threshold": [0.1, 0.2, np.inf, 0.3], "model": [0.2, 0.1, 5.0, np.nan],
                          "treat_all": [0.3, -1.0, 5.0, -3.0], "treat_none": 0.0, "extra": 1})
    spec = charts.decision_curve_chart(curve, threshold=0.2, recommended=0.1).to_dict()
    layers = _layers(spec)
    lines = layers[0]
    got = sorted((r["policy"], r["threshold"], r["net_benefit"]) for r in lines["rows"])
    assert got == sorted([("Use the model", 0.1, 0.2), ("Use the model", 0.2, 0.1),
                          ("Flag everybody", 0.1, 0.3), ("Flag everybody", 0.2, -1.0), ("Flag everybody", 0.3, -3.0),
                          ("Flag nobody", 0.1, 0.0), ("Flag nobody", 0.2, 0.0), ("Flag nobody", 0.3, 0.0)])
    assert _channel(lines, "x")["field"] == "threshold" and _channel(lines, "x")["scale"] == {"domain": [0, 1]}
    y = _channel(lines, "y")
    assert y["field"] == "net_benefit"
    assert y["scale"]["domain"] == pytest.approx([-0.05 * 0.3, 0.3 * 1.05]) and y["scale"]["clamp"] is True
    assert _channel(lines, "color")["field"] == "policy"
    assert _channel(lines, "color")["scale"]["domain"] == ["Use the model", "Flag everybody", "Flag nobody"]
    assert len(_channel(lines, "color")["scale"]["range"]) == 3
    assert [t["field"] for t in _channel(lines, "tooltip")] == ["threshold", "policy", "net_benefit"]
    _marker_checks(layers, 0.2, 0.1)
    flat = pd.DataFrame({"threshold": [0.1], "model": [-1.0], "treat_all": [-2.0], "treat_none": [0.0]})
    y = _channel(_layers(charts.decision_curve_chart(flat, threshold=0.1).to_dict())[0], "y")
    assert y["scale"]["domain"] == pytest.approx([-0.05 * 0.01, 0.01 * 1.05])  # top 0 -> the 0.01 floor
    empty = pd.DataFrame({"threshold": [np.inf], "model": [1.0], "treat_all": [1.0], "treat_none": [0.0]})
    y = _channel(_layers(charts.decision_curve_chart(empty, threshold=0.1).to_dict())[0], "y")
    assert y["scale"]["domain"] == pytest.approx([-0.05, 1.05])  # no rows: the view of a top of 1


def test_decision_curve_over_max_rows_is_thinned():
    n = charts.MAX_ROWS
    curve = pd.DataFrame({"threshold": np.linspace(0, 1, n), "model": 0.1, "treat_all": 0.0, "treat_none": 0.0})
    rows = _layers(charts.decision_curve_chart(curve, threshold=0.5).to_dict())[0]["rows"]
    assert len(rows) == charts.MAX_ROWS


def test_reliability_chart_points_are_the_complete_bins_and_the_diagonal():
    curve = pd.DataFrame({"mean_predicted": [0.1, np.nan, 0.9], "fraction_positive": [0.2, 0.5, 0.8],
                          "count": [10, 0, 5], "other": 1})
    spec = charts.reliability_chart(curve).to_dict()
    diagonal, points = _layers(spec)
    assert diagonal["rows"] == [{"mean_predicted": 0.0, "fraction_positive": 0.0},
                                {"mean_predicted": 1.0, "fraction_positive": 1.0}]
    assert _channel(diagonal, "x")["field"] == "mean_predicted" and _channel(diagonal, "y")["field"] == "fraction_positive"
    assert points["rows"] == [{"mean_predicted": 0.1, "fraction_positive": 0.2, "count": 10},
                              {"mean_predicted": 0.9, "fraction_positive": 0.8, "count": 5}]
    assert _channel(points, "x")["field"] == "mean_predicted" and _channel(points, "x")["scale"] == {"domain": [0, 1]}
    assert _channel(points, "y")["field"] == "fraction_positive" and _channel(points, "y")["scale"] == {"domain": [0, 1]}
    assert points["mark"]["point"] is True
    assert [t["field"] for t in _channel(points, "tooltip")] == ["mean_predicted", "fraction_positive", "count"]
    assert "datasets" not in spec or spec["datasets"].keys() <= {k for k in spec["datasets"] if k.startswith("data-")}
    assert spec["height"] == 280


# --- confusion matrix -----------------------------------------------------------------------

def test_confusion_cells_in_order_with_shares_and_per_case_money():
    point = SimpleNamespace(tp=3, fp=2, tn=4, fn=1, tp_amount=200.0, fp_amount=50.0, tn_amount=0.0, fn_amount=80.0)
    costs = CostMatrix(fp_cost=10, fn_cost=20, tp_value=5, tn_value=1, fn_pct=50, tp_pct=10)
    cells = charts.confusion_cells(point, costs, positive_label="fraud", negative_label="ok")
    assert [c["outcome"] for c in cells] == ["True positive", "False negative", "False positive", "True negative"]
    assert [c["actual"] for c in cells] == ["Actually fraud", "Actually fraud", "Actually ok", "Actually ok"]
    assert [c["predicted"] for c in cells] == ["Flagged as fraud", "Not flagged", "Flagged as fraud", "Not flagged"]
    assert [c["count"] for c in cells] == [3.0, 1.0, 2.0, 4.0]
    assert [c["share"] for c in cells] == pytest.approx([0.3, 0.1, 0.2, 0.4])
    # TP: -(3 * 5) - 10% of 200; FN: 1 * 20 + 50% of 80; FP: 2 * 10; TN: -(4 * 1)
    assert [c["money"] for c in cells] == pytest.approx([-35.0, 60.0, 20.0, -4.0])
    total = costs.total(3, 2, 4, 1, tp_amount=200.0, fp_amount=50.0, tn_amount=0.0, fn_amount=80.0)
    assert sum(c["money"] for c in cells) == pytest.approx(total)
    fp_pct = charts.confusion_cells(point, CostMatrix(fp_cost=0, fn_cost=0, fp_pct=100, tn_pct=10))
    assert [c["money"] for c in fp_pct] == pytest.approx([0.0, 0.0, 50.0, 0.0])
    no_amounts = charts.confusion_cells(SimpleNamespace(tp=1, fp=1, tn=1, fn=1), CostMatrix(1, 1, fn_pct=50))
    assert [c["money"] for c in no_amounts] == [0.0, 1.0, 1.0, 0.0]
    empty = charts.confusion_cells(SimpleNamespace(tp=0, fp=0, tn=0, fn=0))
    assert all(np.isnan(c["share"]) and np.isnan(c["money"]) for c in empty)
    assert list(charts.confusion_frame(point, costs).columns) == ["actual", "predicted", "outcome", "count", "share",
                                                                  "money"]
    assert charts.confusion_frame(point, positive_label="x")["actual"].tolist()[0] == "Actually x"


def test_confusion_rows_text_lines():
    cells = [{"outcome": "True positive", "count": 1234.0, "share": 0.1234, "money": -1500.4},
             {"outcome": "False negative", "count": 2.0, "share": np.nan, "money": 0.4},
             {"outcome": "False positive", "count": 0.0, "share": 0.0, "money": 0.0},
             {"outcome": "True negative", "count": 5.0, "share": 1.0, "money": np.nan}]
    rows = charts.confusion_rows(cells, currency="€")
    assert [r["line1"] for r in rows] == ["True positive", "False negative", "False positive", "True negative"]
    assert [r["line2"] for r in rows] == ["1,234 (12.3%)", "2 (0.0%)", "0 (0.0%)", "5 (100.0%)"]
    assert [r["line3"] for r in rows] == ["-€1,500", "+€0", "€0", ""]
    assert [r["correct"] for r in rows] == [True, False, False, True]
    assert rows[1]["count"] == 2.0 and np.isnan(rows[1]["share"])
    assert charts.confusion_rows(pd.DataFrame(cells[:1]))[0]["line3"] == "-$1,500"
    assert charts.confusion_rows(cells[:1])[0]["line3"] == "-$1,500"


def test_confusion_chart_cells_dataset_and_text_layers():
    cells = charts.confusion_frame(SimpleNamespace(tp=5, fp=3, tn=90, fn=2), CostMatrix(fp_cost=10, fn_cost=100))
    spec = charts.confusion_chart(cells, currency="£").to_dict()
    layers = _layers(spec)
    assert spec["datasets"][charts.CELLS] == charts.confusion_rows(cells, currency="£")
    assert all(la["data_name"] == charts.CELLS for la in layers) and len(layers) == 4
    rect = layers[0]
    assert _mark(rect) == "rect"
    assert _channel(rect, "x")["field"] == "predicted" and _channel(rect, "x")["sort"] is None
    assert _channel(rect, "y")["field"] == "actual" and _channel(rect, "y")["sort"] is None
    assert _channel(rect, "color")["field"] == "correct"
    assert _channel(rect, "color")["scale"]["domain"] == [True, False]
    assert [t["field"] for t in _channel(rect, "tooltip")] == ["outcome", "count", "share", "line3"]
    texts = layers[1:]
    assert [_channel(t, "text")["field"] for t in texts] == ["line1", "line2", "line3"]
    assert [t["mark"]["dy"] for t in texts] == [-22, 0, 22]  # one line above, one below the middle
    assert all(_mark(t) == "text" and _channel(t, "x")["field"] == "predicted" for t in texts)
    assert spec["height"] == 260 and spec["title"].startswith("Confusion matrix")


# --- models side by side --------------------------------------------------------------------

def test_models_frame_takes_each_sweeps_downsampled_rows(sweep):
    from core.thresholds import downsample_indices

    y, scores, sw = sweep
    other = threshold_sweep(y, scores ** 2, costs=CostMatrix(fp_cost=10, fn_cost=50))
    frame = charts._models_frame({"a": sw, "b": other}, {"f": "fpr", "r": "recall"}, max_points=50)
    ia, ib = downsample_indices(sw, 50), downsample_indices(other, 50)
    assert frame["model"].tolist() == ["a"] * len(ia) + ["b"] * len(ib)
    np.testing.assert_array_equal(frame["f"], np.concatenate([sw.fpr[ia], other.fpr[ib]]))
    np.testing.assert_array_equal(frame["r"], np.concatenate([sw.recall[ia], other.recall[ib]]))
    assert frame.index.tolist() == list(range(len(frame)))
    assert len(charts._models_frame({"a": sw}, {"f": "fpr"})) == len(downsample_indices(sw, 400))


def test_models_charts_data_encodings_and_colours(sweep):
    from core.thresholds import downsample_indices

    y, scores, sw = sweep
    other = threshold_sweep(y, scores ** 2, costs=CostMatrix(fp_cost=10, fn_cost=50))
    sweeps = {"b_model": sw, "a_model": other}
    rows_b = downsample_indices(sw, 400)

    roc = _layers(charts.models_roc_chart(sweeps).to_dict())
    diagonal, lines = roc
    assert diagonal["rows"] == [{"fpr": 0.0, "tpr": 0.0}, {"fpr": 1.0, "tpr": 1.0}]
    assert _channel(lines, "x")["field"] == "fpr" and _channel(lines, "y")["field"] == "tpr"
    assert _channel(lines, "x")["scale"] == {"domain": [0, 1]} and _channel(lines, "y")["scale"] == {"domain": [0, 1]}
    assert _channel(lines, "order")["field"] == "fpr"
    assert _channel(lines, "color")["field"] == "model"
    assert _channel(lines, "color")["scale"] == {"domain": ["b_model", "a_model"], "range": ["#1f77b4", "#ff7f0e"]}
    assert [t["field"] for t in _channel(lines, "tooltip")] == ["model", "fpr", "tpr"]
    b_rows = [(r["fpr"], r["tpr"]) for r in lines["rows"] if r["model"] == "b_model"]
    assert b_rows == sorted(zip(sw.fpr[rows_b], sw.recall[rows_b]))
    assert [r["model"] for r in lines["rows"]] == sorted(r["model"] for r in lines["rows"])

    (pr,) = _layers(charts.models_pr_chart(sweeps).to_dict())
    assert _channel(pr, "x")["field"] == "recall" and _channel(pr, "y")["field"] == "precision"
    assert _channel(pr, "x")["scale"] == {"domain": [0, 1]} and _channel(pr, "y")["scale"] == {"domain": [0, 1]}
    assert _channel(pr, "order")["field"] == "recall"
    assert _channel(pr, "color")["scale"] == {"domain": ["b_model", "a_model"], "range": ["#1f77b4", "#ff7f0e"]}
    assert [t["field"] for t in _channel(pr, "tooltip")] == ["model", "recall", "precision"]
    b_pr = [r for r in pr["rows"] if r["model"] == "b_model"]
    kept = [i for i in rows_b if sw.positive_rate[i] > 0]
    assert len(b_pr) == len(kept) and all(r["flagged"] > 0 for r in pr["rows"])
    assert [r["recall"] for r in b_pr] == sorted(sw.recall[kept].tolist())
    # each model's own precision at each of its recalls, one coloured line per model
    assert sorted((r["recall"], r["precision"]) for r in b_pr) == sorted(zip(sw.recall[kept], sw.precision[kept]))
    assert _channel(pr, "color")["field"] == "model" and _channel(pr, "color")["type"] == "nominal"

    (cost,) = _layers(charts.models_cost_chart(sweeps, currency="€").to_dict())
    assert cost["data_name"] == charts.MODELS_COST
    assert _channel(cost, "x")["field"] == "flagged" and _channel(cost, "y")["field"] == "cost"
    assert _channel(cost, "x")["scale"] == {"domain": [0, 1]} and _channel(cost, "y")["scale"] == {"zero": False}
    assert _channel(cost, "order")["field"] == "flagged" and cost["mark"]["interpolate"] == "step-after"
    assert _channel(cost, "color")["scale"] == {"domain": ["b_model", "a_model"], "range": ["#1f77b4", "#ff7f0e"]}
    assert [t["field"] for t in _channel(cost, "tooltip")] == ["model", "flagged", "cost"]
    assert "€" in _channel(cost, "y")["title"]
    expected = charts.models_cost_rows(sweeps)
    assert cost["rows"] == expected.to_dict("records")
    assert expected["model"].tolist() == ["a_model"] * (len(expected) - len(rows_b)) + ["b_model"] * len(rows_b)
    b_cost = expected[expected["model"] == "b_model"]
    assert b_cost["flagged"].is_monotonic_increasing and expected.index.tolist() == list(range(len(expected)))
    assert sorted(zip(b_cost["flagged"], b_cost["cost"])) == sorted(zip(sw.positive_rate[rows_b], sw.cost[rows_b]))


def test_models_palette_has_one_colour_per_model_up_to_seven(sweep):
    _, _, sw = sweep
    many = {f"m{i}": sw for i in range(9)}
    for build in (charts.models_roc_chart, charts.models_pr_chart, charts.models_cost_chart):
        layers = _layers(build({"only": sw}).to_dict())
        assert _channel(layers[-1], "color")["scale"]["range"] == ["#1f77b4"]
        assert len(_channel(_layers(build(many).to_dict())[-1], "color")["scale"]["range"]) == 7


# --- defaults and inputs the tests above leave out ------------------------------------------

def test_cost_chart_default_view_and_currency_hold_on_every_layer(sweep):
    _, _, sw = sweep
    frame = sw.frame(max_points=100)
    bands = pd.DataFrame({"threshold": [0.2], "metric": ["cost"], "low": [1.0], "high": [3.0]})
    band, line = _layers(charts.cost_chart(frame, threshold=0.5, bands=bands).to_dict())[:2]
    for layer in (band, line):  # the band and the curve share the fixed probability axis
        assert _channel(layer, "x")["scale"] == {"domain": [0.0, 1.0], "nice": False}
    assert "($, " in _channel(line, "y")["title"]  # dollars unless told otherwise
    titled = _layers(charts.cost_chart(frame, threshold=0.5, bands=bands, x_title="Score cut").to_dict())[:2]
    assert [_channel(layer, "x")["title"] for layer in titled] == ["Score cut", "Score cut"]


def test_score_histogram_reads_object_columns_of_numbers():
    y = [1, 0, 1, 0]
    scores = pd.Series([0.2, 0.4, 0.9, None], dtype=object)  # a column read with a missing value
    weights = pd.Series([1.0, 2.0, 3.0, 4.0], dtype=object)
    hist = charts.score_histogram(y, scores, bins=2, weights=weights)
    # edges 0.2, 0.55, 0.9: positives 0.2 (w 1) and 0.9 (w 3); negatives 0.4 (w 2), the missing score left out
    assert hist["count"].tolist() == [1.0, 3.0, 2.0, 0.0]
    assert hist["count"].dtype == float and hist["share"].dtype == float
    assert hist["share"].tolist() == [0.25, 0.75, 1.0, 0.0]


def test_score_distribution_bars_overlap_see_through_on_a_percent_axis_with_a_legend(sweep):
    y, scores, _ = sweep
    hist = charts.score_histogram(y, scores, bins=10)
    bars = _layers(charts.score_distribution_chart(hist, threshold=0.4).to_dict())[0]
    assert 0 < bars["mark"]["opacity"] < 1  # the two classes are drawn over each other: both stay visible
    assert _channel(bars, "y")["axis"] == {"format": "%"}
    assert _channel(bars, "color").get("legend", {}) is not None  # which colour is which class


def test_score_histogram_shares_are_floats_even_when_no_score_is_finite():
    hist = charts.score_histogram([1, 0], [np.nan, np.inf], bins=2)
    assert hist["share"].dtype == float and hist["share"].tolist() == [0.0] * 4


def test_decision_curve_keeps_a_legend_for_its_three_policies():
    curve = pd.DataFrame({"threshold": [0.1, 0.2], "model": [0.2, 0.1], "treat_all": [0.3, -1.0], "treat_none": 0.0})
    lines = _layers(charts.decision_curve_chart(curve, threshold=0.2).to_dict())[0]
    assert _channel(lines, "color").get("legend", {}) is not None  # which line is the model, which a policy


def test_a_band_of_a_single_row_is_drawn():
    frame = pd.DataFrame({"threshold": [0.1, 0.2], "precision": [0.5, 0.6], "recall": [0.9, 0.8], "f1": [0.6, 0.7]})
    bands = pd.DataFrame({"threshold": [0.2], "metric": ["precision"], "low": [0.55], "high": [0.65]})
    layers = _layers(charts.metrics_chart(frame, threshold=0.2, bands=bands).to_dict())
    assert _mark(layers[0]) == "area" and len(layers) == 4
    assert layers[0]["rows"] == [{"threshold": 0.2, "metric": "Precision", "low": 0.55, "high": 0.65}]


def test_metrics_chart_keeps_the_callers_x_title_and_a_legend_on_lines_and_bands():
    frame = pd.DataFrame({"threshold": [0.1, 0.2], "precision": [0.5, 0.6], "recall": [0.9, 0.8], "f1": [0.6, 0.7]})
    bands = pd.DataFrame({"threshold": [0.1, 0.2], "metric": ["recall", "recall"], "low": [0.8, 0.7],
                          "high": [0.95, 0.9]})
    area, line = _layers(charts.metrics_chart(frame, threshold=0.2, bands=bands, x_title="Score cut").to_dict())[:2]
    assert [_mark(area), _mark(line)] == ["area", "line"]
    # the axis is shared: a layer without the title would blank or change it
    assert [_channel(la, "x")["title"] for la in (area, line)] == ["Score cut", "Score cut"]
    for layer in (area, line):  # which colour is which metric
        assert _channel(layer, "color").get("legend", {}) is not None


def test_confusion_chart_names_the_decision_of_each_column():
    cells = charts.confusion_frame(SimpleNamespace(tp=5, fp=3, tn=90, fn=2))
    for layer in _layers(charts.confusion_chart(cells).to_dict()):
        assert _channel(layer, "x").get("axis", {}) is not None  # "Flagged as …" / "Not flagged" over the columns


def test_chart_spec_of_a_chart_without_a_config_or_without_datasets():
    import altair as alt

    named_only = alt.Chart(alt.NamedData("cutoff_x")).mark_point().encode(x="a:Q")
    spec = charts.chart_spec(named_only)  # default theme: a view config, no dataset of its own
    assert "config" not in spec and spec["datasets"] == {}
    with alt.theme.enable("none"):  # a theme that adds no config at all
        spec = charts.chart_spec(named_only)
        assert "config" not in spec and spec["datasets"] == {} and spec["data"] == {"name": "cutoff_x"}
        styled = charts.chart_spec(named_only.configure_axis(grid=False))  # a config without a view part
        assert styled["config"] == {"axis": {"grid": False}}


def test_models_roc_chart_keeps_a_legend_for_its_models(sweep):
    _, _, sw = sweep
    lines = _layers(charts.models_roc_chart({"first": sw, "second": sw}).to_dict())[1]
    assert _channel(lines, "color").get("legend", {}) is not None  # which curve is which model


def _hue(color: str) -> str:
    """The dominant channel of a ``#rrggbb`` colour."""
    red, green, blue = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return max((red, "red"), (green, "green"), (blue, "blue"))[1]


def test_threshold_rules_are_a_solid_red_current_and_a_dashed_green_recommended_line():
    # what the Threshold page's caption tells the reader: "solid red line = the current threshold,
    # dashed green line = the recommended"
    frame = pd.DataFrame({"threshold": [0.1, 0.2], "precision": [0.5, 0.6], "recall": [0.9, 0.8], "f1": [0.6, 0.7]})
    layers = _layers(charts.metrics_chart(frame, threshold=0.2, recommended=0.1).to_dict())
    rules = {la["transform"][0]["filter"]: la["mark"] for la in layers if la["data_name"] == charts.MARKERS}
    current = rules["(datum.marker === 'Current threshold')"]
    recommended = rules["(datum.marker === 'Recommended')"]
    assert _hue(current["color"]) == "red" and not current.get("strokeDash")
    assert _hue(recommended["color"]) == "green" and len(recommended.get("strokeDash") or []) >= 2


def test_models_pr_and_cost_charts_keep_a_legend_for_their_models(sweep):
    _, _, sw = sweep
    for build in (charts.models_pr_chart, charts.models_cost_chart):
        lines = _layers(build({"first": sw, "second": sw}).to_dict())[-1]
        assert _channel(lines, "color").get("legend", {}) is not None  # which curve is which model


def test_models_cost_chart_reads_the_share_flagged_as_a_percent_axis(sweep):
    _, _, sw = sweep
    (cost,) = _layers(charts.models_cost_chart({"only": sw}).to_dict())
    assert _channel(cost, "x")["axis"] == {"format": "%"}  # 0.25 reads "25%": a share of the cases, not a score


def test_models_roc_chance_diagonal_runs_from_corner_to_corner(sweep):
    _, _, sw = sweep
    diagonal = _layers(charts.models_roc_chart({"only": sw}).to_dict())[0]
    assert _channel(diagonal, "x")["field"] == "fpr" and _channel(diagonal, "y")["field"] == "tpr"
    assert [(r["fpr"], r["tpr"]) for r in diagonal["rows"]] == [(0.0, 0.0), (1.0, 1.0)]


def test_models_cost_chart_draws_one_line_per_model_in_dollars_unless_told(sweep):
    _, _, sw = sweep
    (cost,) = _layers(charts.models_cost_chart({"first": sw, "second": sw}).to_dict())
    assert _channel(cost, "y")["title"] == "Business cost ($, lower is better)"
    # the colour splits the rows into one line per model (without it the lines join into one)
    assert _channel(cost, "color")["field"] == "model" and _channel(cost, "color")["type"] == "nominal"
    assert {r["model"] for r in cost["rows"]} == {"first", "second"}
