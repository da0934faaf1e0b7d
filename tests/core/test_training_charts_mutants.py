"""Train/Learn chart specs: which column each channel reads, its type and scale, which rows and
series are drawn, and in what order (the spec around the data, which test_training_charts.py
checks less). Colours, widths, dashes and wording are left to the Train and Learn page screenshots,
except on charts or layers no screenshot shows."""

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


def test_curve_spec_reference_tooltip_shows_the_label_alone():
    rule = training_charts.curve_spec(_history(4), reference=0.3, reference_label="base rate")["layer"][1]
    # the label is the tooltip's text, not a row headed "label"
    assert rule["encoding"]["tooltip"][0] == {"field": "label", "type": "nominal", "title": ""}
    assert rule["data"]["values"][0]["label"] == "base rate"


# --- history_long and the thinning helpers ----------------------------------------------------

def test_history_long_defaults_to_log_loss_and_1000_epochs():
    history = _history(1001, seed=6)
    long = training_charts.history_long(history)
    assert list(long.columns) == ["epoch", "split", "value"]
    training = long[long["split"] == "training"]
    assert len(training) == 1000  # 1,001 epochs are more than the default cap
    assert training["epoch"].iloc[0] == 1 and training["epoch"].iloc[-1] == 1001
    kept = history.set_index("epoch").loc[training["epoch"], "train_log_loss"]
    np.testing.assert_array_equal(training["value"], kept)
    assert len(training_charts.history_long(history.iloc[:1000])) == 2000  # exactly the cap: all kept


def test_history_long_keeps_exactly_max_points_epochs_whole():
    history = _history(7, seed=7)
    for given in (history, history.to_dict(orient="records")):
        long = training_charts.history_long(given, "accuracy", max_points=7)
        np.testing.assert_array_equal(long["epoch"], np.tile(np.arange(1, 8), 2))
        np.testing.assert_array_equal(long["value"], np.r_[history["train_accuracy"], history["val_accuracy"]])


# --- loss_curves_chart ------------------------------------------------------------------------

def _layer_rows(spec, layer):
    """The rows one layer of an Altair chart's spec draws (Altair puts them in ``datasets``)."""
    return pd.DataFrame(spec["datasets"][layer["data"]["name"]])


def _altair_fields_are_columns(spec, layer):
    columns = set(_layer_rows(spec, layer).columns)
    for channel, enc in layer["encoding"].items():
        for item in enc if isinstance(enc, list) else [enc]:
            assert item["field"] in columns, (channel, item["field"], columns)


def test_loss_curves_chart_draws_both_cases_under_the_cap_and_the_point():
    from core import lesson

    curves = lesson.per_example_loss_curves()
    chart = training_charts.loss_curves_chart(curves, {"y_hat": 0.02, "y": 1, "loss": lesson.example_loss(1, 0.02)})
    spec = chart.to_dict()
    assert spec["height"] == 300
    lines, dot = spec["layer"]
    assert lines["mark"]["type"] == "line"
    enc = lines["encoding"]
    assert {k: enc["x"][k] for k in ("field", "type", "scale")} == {
        "field": "y_hat", "type": "quantitative", "scale": {"domain": [0, 1]}}
    assert {k: enc["y"][k] for k in ("field", "type", "scale")} == {
        "field": "loss", "type": "quantitative", "scale": {"domain": [0, 5.0]}}  # stops at max_loss
    assert (enc["color"]["field"], enc["color"]["type"]) == ("case", "nominal")
    names = enc["color"]["scale"]["domain"]
    assert len(names) == 2 and len(set(enc["color"]["scale"]["range"])) == 2
    _altair_fields_are_columns(spec, lines)
    rows = _layer_rows(spec, lines)
    assert len(rows) == (curves["loss"] <= 5.0).sum()  # ŷ = 0.005 costs −log(0.005) ≈ 5.3: left out
    assert rows["loss"].max() <= 5.0
    assert set(rows["case"]) == set(names)
    assert all(c.startswith("truth is 1") for c in rows.loc[rows["y"] == 1, "case"])
    assert all(c.startswith("truth is 0") for c in rows.loc[rows["y"] == 0, "case"])
    assert len(rows[rows["y"] == 1]) == len(rows[rows["y"] == 0])  # the curves mirror each other
    assert dot["mark"]["type"] == "point" and dot["mark"]["filled"] is True
    assert dot["encoding"] == {"x": {"field": "y_hat", "type": "quantitative"},
                               "y": {"field": "loss", "type": "quantitative"}}
    _altair_fields_are_columns(spec, dot)
    point = _layer_rows(spec, dot)
    assert point.to_dict(orient="records") == [{"y_hat": 0.02, "loss": pytest.approx(-np.log(0.02))}]


def test_loss_curves_chart_cap_keeps_a_loss_equal_to_it_and_clips_the_point():
    curves = pd.DataFrame({"y_hat": [0.2, 0.4, 0.6, 0.8], "y": [1, 1, 0, 0], "loss": [3.0, 2.0, 3.5, 0.5]})
    spec = training_charts.loss_curves_chart(curves, {"y_hat": 0.1, "y": 1, "loss": 9.0}, max_loss=3.0).to_dict()
    lines, dot = spec["layer"]
    rows = _layer_rows(spec, lines)
    assert rows["y_hat"].tolist() == [0.2, 0.4, 0.8]  # 3.0 is at the cap, 3.5 above it
    assert lines["encoding"]["y"]["scale"] == {"domain": [0, 3.0]}
    assert _layer_rows(spec, dot).to_dict(orient="records") == [{"y_hat": 0.1, "loss": 3.0}]


# --- line_chart -------------------------------------------------------------------------------

def test_line_chart_reads_x_and_y_with_the_given_titles():
    frame = pd.DataFrame({"w": np.linspace(-1, 1, 9), "cost": np.linspace(-1, 1, 9) ** 2})
    spec = training_charts.line_chart(frame, "w", "cost", x_title="weight w", y_title="mean cost").to_dict()
    assert spec["height"] == 260 and "layer" not in spec
    assert spec["mark"] == {"type": "line", "interpolate": "linear"}
    enc = spec["encoding"]
    assert enc["x"] == {"field": "w", "type": "quantitative", "title": "weight w"}
    assert enc["y"] == {"field": "cost", "type": "quantitative", "title": "mean cost", "scale": {"zero": False}}
    assert enc["tooltip"] == [{"field": "w", "type": "quantitative", "format": ".3f"},
                              {"field": "cost", "type": "quantitative", "format": ".4f"}]
    rows = _layer_rows(spec, spec)
    np.testing.assert_array_equal(rows["cost"], frame["cost"])
    _altair_fields_are_columns(spec, spec)
    stairs = training_charts.line_chart(frame, "w", "cost", x_title="w", y_title="c", step=True, height=90).to_dict()
    assert stairs["mark"]["interpolate"] == "step-after" and stairs["height"] == 90


def test_line_chart_takes_a_column_of_python_floats():
    # e.g. a table that went through JSON: an object column holding floats (and a NaN to drop)
    frame = pd.DataFrame({"w": [0.0, 0.5, 1.0], "acc": pd.Series([0.5, float("nan"), 0.75], dtype=object)})
    chart = training_charts.line_chart(frame, "w", "acc", x_title="w", y_title="accuracy")
    assert chart.data["w"].tolist() == [0.0, 1.0]


def test_line_chart_rules_and_dots_read_their_own_columns():
    frame = pd.DataFrame({"w": np.linspace(-1, 1, 11), "cost": np.linspace(-1, 1, 11) ** 2})
    spec = training_charts.line_chart(
        frame, "w", "cost", x_title="w", y_title="cost",
        marks={"current w": 0.2, "start": -1}, dots={"here": (0.5, 0.25), "gone": (np.nan, 1.0)},
    ).to_dict()
    curve, rules, dots = spec["layer"]
    assert curve["mark"]["type"] == "line"
    assert rules["mark"]["type"] == "rule"
    assert rules["encoding"] == {"x": {"field": "at", "type": "quantitative"},
                                 "tooltip": [{"field": "label", "type": "nominal", "title": ""}]}
    _altair_fields_are_columns(spec, rules)
    assert _layer_rows(spec, rules).to_dict(orient="records") == [
        {"label": "current w", "at": 0.2}, {"label": "start", "at": -1.0}]
    # the dots are drawn only after a training run, which no screenshot of the Learn page has:
    # filled black dots of size 140, labelled by their name alone
    assert dots["mark"] == {"type": "point", "filled": True, "color": "black", "size": 140}
    assert dots["encoding"] == {
        "x": {"field": "w", "type": "quantitative"}, "y": {"field": "cost", "type": "quantitative"},
        "tooltip": [{"field": "label", "type": "nominal", "title": ""},
                    {"field": "w", "type": "quantitative", "format": ".3f"}]}
    _altair_fields_are_columns(spec, dots)
    assert _layer_rows(spec, dots).to_dict(orient="records") == [{"label": "here", "w": 0.5, "cost": 0.25}]
