"""Train/Learn chart specs: which column each channel reads, its type and scale, which rows and
series are drawn, and in what order (the spec around the data, which test_training_charts.py
checks less). Colours, widths, dashes and wording are left to the Train page screenshots."""

import json

import numpy as np
import pandas as pd
import pytest

from core import training_charts
from core.model import HISTORY_COLUMNS

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
SPLITS = {"domain": ["training", "validation"], "range": ["#1f77b4", "#ff7f0e"]}
VALUE_TOOLTIP = {"field": "value", "type": "quantitative", "format": ".3f"}


def _history(n, seed=0, val=True):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({c: rng.uniform(0.1, 0.9, n) for c in HISTORY_COLUMNS if c != "epoch"})
    frame.insert(0, "epoch", np.arange(1, n + 1))
    if not val:
        frame["val_log_loss"] = np.nan
        frame["val_accuracy"] = np.nan
    return frame[[*HISTORY_COLUMNS]]


def _frame(spec_or_layer):
    return pd.DataFrame(spec_or_layer["data"]["values"])


def _fields_are_columns(layer):
    """Every field a channel reads is a column of the data that layer draws."""
    columns = set(_frame(layer).columns) if layer["data"]["values"] else set()
    for channel, enc in layer["encoding"].items():
        for item in enc if isinstance(enc, list) else [enc]:
            assert item["field"] in columns, (channel, item["field"], columns)


# --- curve_spec -------------------------------------------------------------------------------


def _assert_curve_axes(spec: dict, *, last_epoch: int, metric: str) -> dict:
    """The curve's x is the epoch on [1, last_epoch], its y the metric's value from zero; returns the encoding."""
    enc = spec["encoding"]
    assert {k: enc["x"][k] for k in ("field", "type", "scale")} == {
        "field": "epoch", "type": "quantitative", "scale": {"domain": [1, last_epoch]}}
    assert {k: enc["y"][k] for k in ("field", "type", "scale")} == {
        "field": "value", "type": "quantitative", "scale": {"zero": True}}
    assert enc["y"]["title"] == training_charts.CURVE_METRICS[metric][0]
    return enc

def test_curve_spec_channels_read_epoch_value_split():
    spec = training_charts.curve_spec(_history(12), "log_loss", total_epochs=50)
    json.dumps(spec, allow_nan=False)
    assert spec["$schema"] == SCHEMA
    assert "layer" not in spec and spec["mark"] == {"type": "line", "interpolate": "linear"}
    enc = _assert_curve_axes(spec, last_epoch=50, metric="log_loss")
    assert {k: enc["color"][k] for k in ("field", "type", "scale")} == {
        "field": "split", "type": "nominal", "scale": SPLITS}
    assert enc["tooltip"] == [
        {"field": "epoch", "type": "quantitative"}, {"field": "split", "type": "nominal"}, VALUE_TOOLTIP]
    assert list(_frame(spec).columns) == ["epoch", "split", "value"]
    _fields_are_columns({"data": spec["data"], "encoding": enc})


def test_curve_spec_x_domain_is_fixed_only_when_asked_and_never_a_point():
    history = _history(3)
    assert training_charts.curve_spec(history, total_epochs=1)["encoding"]["x"]["scale"] == {"domain": [1, 2]}
    assert training_charts.curve_spec(history, total_epochs=2)["encoding"]["x"]["scale"] == {"domain": [1, 2]}
    assert training_charts.curve_spec(history, total_epochs=3.0)["encoding"]["x"]["scale"] == {"domain": [1, 3]}
    assert training_charts.curve_spec(history)["encoding"]["x"]["scale"] == {}
    assert training_charts.curve_spec(history, "accuracy")["encoding"]["y"]["scale"] == {"zero": False}


def test_curve_spec_sends_at_most_1000_epochs_by_default():
    spec = training_charts.curve_spec(_history(1500))
    data = _frame(spec)
    assert (data["split"] == "training").sum() == 1000
    assert (data["split"] == "validation").sum() == 1000
    assert data["epoch"].min() == 1 and data["epoch"].max() == 1500


def test_curve_spec_reference_rule_reads_its_own_value_and_label():
    history = _history(8)
    spec = training_charts.curve_spec(history, "log_loss", reference=0.25, height=111)
    assert spec["height"] == 111 and spec["$schema"] == SCHEMA
    curves, rule = spec["layer"]
    assert len(_frame(spec)) == 16  # the curves read the top-level data
    assert "data" not in curves and curves["encoding"]["y"]["field"] == "value"
    assert rule["mark"]["type"] == "rule"
    assert rule["data"]["values"] == [{"value": 0.25, "label": "no model: the base rate for everyone"}]
    assert rule["encoding"]["y"] == {"field": "value", "type": "quantitative"}
    assert [t["field"] for t in rule["encoding"]["tooltip"]] == ["label", "value"]
    assert rule["encoding"]["tooltip"][0]["type"] == "nominal"
    assert rule["encoding"]["tooltip"][1] == VALUE_TOOLTIP
    _fields_are_columns(rule)
    for missing in (None, float("nan"), float("inf")):
        assert "layer" not in training_charts.curve_spec(history, reference=missing)
    assert training_charts.curve_spec(history, reference=0.0)["layer"][1]["data"]["values"][0]["value"] == 0.0
    assert training_charts.curve_spec(history, reference=np.float32(0.5))["layer"][1]["data"]["values"][0]["value"] == 0.5
    assert type(training_charts.curve_spec(history, reference=np.float32(0.5))["layer"][1]["data"]["values"][0]["value"]) is float


# --- _marker_layers (through curve_spec) -----------------------------------------------------

@pytest.mark.parametrize("as_records", [False, True])
def test_marker_draws_a_rule_and_a_dot_per_split_at_that_epoch(as_records):
    history = _history(30, seed=3)
    given = history.to_dict(orient="records") if as_records else history
    spec = training_charts.curve_spec(given, "log_loss", marker=21.0, max_points=4)
    json.dumps(spec, allow_nan=False)
    curves, rule, dots = spec["layer"]
    assert curves["mark"]["type"] == "line"
    assert rule["mark"]["type"] == "rule"
    assert rule["data"]["values"] == [{"epoch": 21}] and type(rule["data"]["values"][0]["epoch"]) is int
    assert rule["encoding"] == {"x": {"field": "epoch", "type": "quantitative"}}
    assert dots["mark"]["type"] == "point" and dots["mark"]["filled"] is True
    enc = dots["encoding"]
    assert enc["x"] == {"field": "epoch", "type": "quantitative"}
    assert enc["y"] == {"field": "value", "type": "quantitative"}
    assert enc["color"] == {"field": "split", "type": "nominal", "scale": SPLITS}
    assert enc["tooltip"] == [
        {"field": "epoch", "type": "quantitative"}, {"field": "split", "type": "nominal"}, VALUE_TOOLTIP]
    _fields_are_columns(dots)
    row = history[history["epoch"] == 21].iloc[0]
    assert dots["data"]["values"] == [
        {"epoch": 21, "split": "training", "value": row["train_log_loss"]},
        {"epoch": 21, "split": "validation", "value": row["val_log_loss"]},
    ]


def test_marker_on_accuracy_reads_the_accuracy_columns_and_a_long_history_keeps_it():
    history = _history(2500, seed=4)
    spec = training_charts.curve_spec(history, "accuracy", marker=1999)
    dots = spec["layer"][2]
    row = history[history["epoch"] == 1999].iloc[0]
    assert {d["split"]: d["value"] for d in dots["data"]["values"]} == {
        "training": row["train_accuracy"], "validation": row["val_accuracy"]}
    assert training_charts.curve_spec(history, marker=0)["layer"][1]["data"]["values"] == [{"epoch": 0}]


# --- comparison_spec --------------------------------------------------------------------------

def test_comparison_spec_channels_and_series():
    runs = {"log-loss": _history(6, 1), "MSE": _history(4, 2), "hinge": _history(2, 3)}
    spec = training_charts.comparison_spec(runs, "accuracy", total_epochs=1, height=123)
    json.dumps(spec, allow_nan=False)
    assert spec["$schema"] == SCHEMA and spec["height"] == 123
    assert spec["mark"] == {"type": "line"}
    enc = _assert_curve_axes(spec, last_epoch=2, metric="accuracy")
    assert {k: enc["color"][k] for k in ("field", "type")} == {"field": "run", "type": "nominal"}
    assert enc["color"]["scale"]["domain"] == ["log-loss", "MSE", "hinge"]
    assert len(enc["color"]["scale"]["range"]) == 3 and len(set(enc["color"]["scale"]["range"])) == 3
    assert {k: enc["strokeDash"][k] for k in ("field", "type")} == {"field": "split", "type": "nominal"}
    assert enc["tooltip"] == [
        {"field": "run", "type": "nominal"}, {"field": "split", "type": "nominal"},
        {"field": "epoch", "type": "quantitative"}, VALUE_TOOLTIP]
    _fields_are_columns(spec)
    data = _frame(spec)
    assert data.groupby("run").size().to_dict() == {"log-loss": 12, "MSE": 8, "hinge": 4}
    mse = data[(data["run"] == "MSE") & (data["split"] == "validation")]
    np.testing.assert_array_equal(mse["value"], runs["MSE"]["val_accuracy"])
    assert training_charts.comparison_spec(runs, total_epochs=7)["encoding"]["x"]["scale"] == {"domain": [1, 7]}
    assert training_charts.comparison_spec(runs)["encoding"]["x"]["scale"] == {}


def test_comparison_spec_with_no_runs_and_long_runs():
    empty = training_charts.comparison_spec({})
    json.dumps(empty, allow_nan=False)
    assert empty["data"]["values"] == [] and empty["encoding"]["color"]["scale"] == {"domain": [], "range": []}
    spec = training_charts.comparison_spec({"a": _history(1500)})
    assert len(_frame(spec)) == 2000  # 1000 epochs per split by default
    assert _frame(spec)["epoch"].max() == 1500


# --- folds_spec -------------------------------------------------------------------------------

def test_folds_spec_layers_read_their_columns():
    folds = [_history(10, 1), _history(6, 2)]
    spec = training_charts.folds_spec(folds, "log_loss", total_epochs=20, reference=0.4, height=99)
    json.dumps(spec, allow_nan=False)
    assert spec["$schema"] == SCHEMA and spec["height"] == 99
    each, mean, rule = spec["layer"]
    x = {"field": "epoch", "type": "quantitative"}
    for layer in (each, mean):
        assert layer["mark"]["type"] == "line" and layer["mark"]["interpolate"] == "linear"
        enc = layer["encoding"]
        assert {k: enc["x"][k] for k in ("field", "type", "scale")} == {**x, "scale": {"domain": [1, 20]}}
        assert {k: enc["y"][k] for k in ("field", "type", "scale")} == {
            "field": "value", "type": "quantitative", "scale": {"zero": True}}
        assert enc["y"]["title"] == training_charts.CURVE_METRICS["log_loss"][0]
        assert {k: enc["color"][k] for k in ("field", "type", "scale")} == {
            "field": "split", "type": "nominal", "scale": SPLITS}
        assert enc["tooltip"] == [
            {"field": "fold", "type": "nominal"}, {"field": "split", "type": "nominal"},
            {"field": "epoch", "type": "quantitative"}, VALUE_TOOLTIP]
        _fields_are_columns(layer)
    assert each["encoding"]["detail"] == {"field": "fold", "type": "nominal"}
    assert "detail" not in mean["encoding"]
    assert mean["mark"]["strokeWidth"] > each["mark"]["strokeWidth"]  # the mean is the thick line
    assert rule["mark"]["type"] == "rule" and rule["data"]["values"] == [{"value": 0.4}]
    assert rule["encoding"] == {"y": {"field": "value", "type": "quantitative"}}
    data, means = _frame(each), _frame(mean)
    assert data.groupby("fold").size().to_dict() == {"fold 1": 20, "fold 2": 12}
    assert set(means["fold"]) == {"mean of the folds"} and len(means) == 20
    expected = (pd.concat([f.assign(k=i) for i, f in enumerate(folds)])
                .groupby("epoch")["train_log_loss"].mean())
    got = means[means["split"] == "training"].set_index("epoch")["value"]
    np.testing.assert_allclose(got.sort_index(), expected.sort_index())


def test_folds_spec_accuracy_no_reference_empty_and_skipped_folds():
    folds = [_history(4, 1), [], _history(3, 2).to_dict(orient="records")]
    spec = training_charts.folds_spec(folds, "accuracy", total_epochs=1)
    assert len(spec["layer"]) == 2
    for layer in spec["layer"]:
        assert layer["mark"]["interpolate"] == "step-after"
        assert layer["encoding"]["y"]["scale"] == {"zero": False}
        assert layer["encoding"]["x"]["scale"] == {"domain": [1, 2]}
    data = _frame(spec["layer"][0])
    assert data.groupby("fold").size().to_dict() == {"fold 1": 8, "fold 3": 6}  # the empty fold keeps its number
    three = data[(data["fold"] == "fold 3") & (data["split"] == "validation")]
    np.testing.assert_array_equal(three["value"], pd.DataFrame(folds[2])["val_accuracy"])
    assert training_charts.folds_spec(folds)["layer"][0]["encoding"]["x"]["scale"] == {}
    for missing in (None, float("nan"), float("-inf")):
        assert len(training_charts.folds_spec(folds, reference=missing)["layer"]) == 2
    assert training_charts.folds_spec(folds, reference=0.0)["layer"][2]["data"]["values"] == [{"value": 0.0}]
    assert type(training_charts.folds_spec(folds, reference=np.float32(1))["layer"][2]["data"]["values"][0]["value"]) is float
    empty = training_charts.folds_spec([])
    json.dumps(empty, allow_nan=False)
    assert [layer["data"]["values"] for layer in empty["layer"]] == [[], []]


def test_folds_spec_sends_at_most_300_epochs_per_fold_by_default():
    spec = training_charts.folds_spec([_history(900, 5)])
    data = _frame(spec["layer"][0])
    assert (data["split"] == "training").sum() == 300
    assert data["epoch"].max() == 900


# --- coefficient_frame / coefficient_chart ----------------------------------------------------

def test_coefficient_frame_ties_keep_the_given_order_and_huge_weights_give_inf_quietly():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = training_charts.coefficient_frame([1, "b", "c", "d"], [1.0, -1.0, 800.0, 1])
    assert frame["feature"].tolist() == ["c", "1", "b", "d"]
    assert list(frame.columns) == ["feature", "weight", "odds_ratio"]
    assert frame["odds_ratio"].iloc[0] == np.inf
    assert frame.index.tolist() == [0, 1, 2, 3]
    assert frame["weight"].dtype == np.float64
    ints = training_charts.coefficient_frame(["a", "b"], np.array([3, -5]))
    assert ints["weight"].tolist() == [-5.0, 3.0]
    np.testing.assert_allclose(ints["odds_ratio"], np.exp([-5.0, 3.0]))
    with pytest.raises(ValueError, match="2 feature names for 3 weights"):
        training_charts.coefficient_frame(["a", "b"], [1, 2, 3])


def test_coefficient_chart_bars_in_the_frames_order_coloured_by_direction():
    frame = training_charts.coefficient_frame(
        [f"f{i:02d}" for i in range(25)] + ["zero", "nan"], [*np.linspace(-3, 3, 25), 0.0, np.nan])
    chart = training_charts.coefficient_chart(frame)
    spec = chart.to_dict()
    top = chart.data
    assert top["feature"].tolist() == frame["feature"].head(20).tolist()  # default 20, largest first
    enc = spec["encoding"]
    assert spec["mark"]["type"] == "bar"
    assert (enc["x"]["field"], enc["x"]["type"]) == ("weight", "quantitative")
    assert (enc["y"]["field"], enc["y"]["type"]) == ("feature", "nominal")
    assert enc["y"]["sort"] is None  # the frame's order (largest first), not alphabetical
    assert (enc["color"]["field"], enc["color"]["type"]) == ("direction", "nominal")
    assert enc["color"]["scale"]["domain"] == ["raises the odds", "lowers the odds"]
    assert [(t["field"], t["type"]) for t in enc["tooltip"]] == [
        ("feature", "nominal"), ("weight", "quantitative"), ("odds_ratio", "quantitative")]
    assert [t.get("format") for t in enc["tooltip"]] == [None, ".3f", ".3f"]
    assert spec["height"] == 22 * 20
    direction = dict(zip(top["feature"], top["direction"]))
    assert all(direction[f] == ("raises the odds" if w >= 0 else "lowers the odds")
               for f, w in zip(top["feature"], top["weight"]))
    small = training_charts.coefficient_chart(frame.tail(2), max_features=5)  # "zero" and "nan"
    assert small.data["feature"].tolist() == ["zero"] and small.data["direction"].tolist() == ["raises the odds"]
    assert small.to_dict()["height"] == 120
    assert training_charts.coefficient_chart(frame, max_features=6).data["feature"].tolist() == frame["feature"].head(6).tolist()


def test_marker_on_a_live_run_with_no_epoch_yet_and_a_thinned_comparison():
    spec = training_charts.curve_spec([], "log_loss", marker=1)
    assert spec["layer"][1]["data"]["values"] == [{"epoch": 1}] and spec["layer"][2]["data"]["values"] == []
    thinned = training_charts.comparison_spec({"a": _history(50), "b": _history(5)}, max_points=10)
    assert _frame(thinned).groupby("run").size().to_dict() == {"a": 20, "b": 10}


def test_comparison_and_folds_charts_name_their_axes_and_legends():
    # no screenshot shows these two charts (the e2e flows train on a hold-out split, without MSE)
    comparison = training_charts.comparison_spec({"a": _history(3)})["encoding"]
    assert (comparison["x"]["title"], comparison["color"]["title"], comparison["strokeDash"]["title"]) == (
        "Epoch", "Model", "Rows")
    each, mean, rule = training_charts.folds_spec([_history(3)], reference=0.5)["layer"]
    for layer in (each, mean):
        assert layer["encoding"]["x"]["title"] == "Epoch (one pass over the fold's training rows)"
        assert layer["encoding"]["color"]["title"] == "Rows"
    assert training_charts.folds_spec([_history(3)])["height"] == 260
    # the folds are faint thin lines under a thick mean; the no-model line is a grey dash
    assert {k: each["mark"][k] for k in ("opacity", "strokeWidth")} == {"opacity": 0.35, "strokeWidth": 1}
    assert mean["mark"]["strokeWidth"] == 3 and "opacity" not in mean["mark"]
    assert rule["mark"] == {"type": "rule", "strokeDash": [6, 4], "color": "gray"}


def test_coefficient_ties_stay_in_order_on_long_frames_and_the_bars_keep_their_labels():
    names = [f"f{i:03d}" for i in range(200)]
    frame = training_charts.coefficient_frame(names, np.tile([1.0, -1.0, 0.5, -0.5], 50))
    # |1.0| and |-1.0| tie, as do |0.5| and |-0.5|: each tie keeps the features' own order
    assert frame["feature"].tolist() == sorted(names[0::4] + names[1::4]) + sorted(names[2::4] + names[3::4])
    assert training_charts.coefficient_frame(["a", "b"], [3, -5])["weight"].dtype == np.float64
    enc = training_charts.coefficient_chart(frame).to_dict()["encoding"]
    assert enc["y"].get("axis", {}) is not None  # the feature names are the bars' labels
    assert enc["tooltip"][2]["title"] == "odds ratio"


def test_live_charts_default_heights():
    # the Train page draws both without a height; the comparison sits under the two curves
    assert training_charts.comparison_spec({"a": _history(3)})["height"] == 300
    assert training_charts.curve_spec(_history(3))["height"] == 260
