"""Train/Learn chart builders: the data they carry is the data they were given, JSON-safe."""

import json
import math

import altair as alt
import numpy as np
import pandas as pd
import pytest

from core import lesson, training_charts
from core.model import LogisticRegressionGD


@pytest.fixture(scope="module")
def history():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = (X[:, 0] + 0.5 * rng.normal(size=300) > 0).astype(int)
    model = LogisticRegressionGD(learning_rate=1.0, max_epochs=40, tol=0.0)
    return model.fit(X[:200], y[:200], X_val=X[200:], y_val=y[200:]).history_


def _values(spec):
    return pd.DataFrame(spec["data"]["values"])


def test_curve_spec_carries_every_epoch_of_both_splits(history):
    spec = training_charts.curve_spec(history, "log_loss", total_epochs=100)
    json.dumps(spec, allow_nan=False)  # valid JSON, as the browser needs
    data = _values(spec)
    train = data[data["split"] == "training"].set_index("epoch")["value"]
    val = data[data["split"] == "validation"].set_index("epoch")["value"]
    np.testing.assert_allclose(train.to_numpy(), history["train_log_loss"].to_numpy())
    np.testing.assert_allclose(val.to_numpy(), history["val_log_loss"].to_numpy())
    assert spec["encoding"]["x"]["scale"]["domain"] == [1, 100]


def test_a_reference_line_is_layered_over_the_curves(history):
    spec = training_charts.curve_spec(history, "log_loss", reference=0.5, reference_label="base rate")
    json.dumps(spec, allow_nan=False)
    curves, rule = spec["layer"]
    assert curves["encoding"]["color"]["field"] == "split"
    assert rule["data"]["values"] == [{"value": 0.5, "label": "base rate"}]
    assert len(_values(spec)) == 2 * len(history)  # the curves still read the top-level data
    assert "layer" not in training_charts.curve_spec(history, "log_loss", reference=float("nan"))


def test_accuracy_spec_is_a_staircase_on_a_tight_axis(history):
    spec = training_charts.curve_spec(history, "accuracy")
    assert spec["mark"]["interpolate"] == "step-after"
    assert spec["encoding"]["y"]["scale"] == {"zero": False}
    data = _values(spec)
    np.testing.assert_allclose(
        data[data["split"] == "training"]["value"].to_numpy(), history["train_accuracy"].to_numpy()
    )


def test_a_diverged_history_stays_valid_json():
    broken = pd.DataFrame(
        {
            "epoch": [1, 2, 3],
            "train_loss": [0.7, 9.0, math.inf],
            "train_log_loss": [0.7, 9.0, math.inf],
            "val_log_loss": [math.nan, math.nan, math.nan],
            "train_accuracy": [0.5, 0.4, 0.5],
            "val_accuracy": [math.nan] * 3,
        }
    )
    spec = training_charts.curve_spec(broken, "log_loss")
    json.dumps(spec, allow_nan=False)
    assert _values(spec)["value"].tolist() == [0.7, 9.0]


def test_long_histories_are_thinned_keeping_both_ends():
    n = 5000
    long = pd.DataFrame({"epoch": np.arange(1, n + 1), "train_log_loss": np.linspace(1, 0, n), "val_log_loss": np.nan})
    out = training_charts.history_long(long, "log_loss", max_points=500)
    assert len(out) <= 500
    assert out["epoch"].iloc[0] == 1 and out["epoch"].iloc[-1] == n


def test_comparison_spec_overlays_the_runs(history):
    spec = training_charts.comparison_spec({"log-loss": history, "MSE": history.iloc[:10]})
    json.dumps(spec, allow_nan=False)
    data = _values(spec)
    assert set(data["run"]) == {"log-loss", "MSE"}
    assert (data["run"] == "MSE").sum() == 20  # 10 epochs × (training, validation)
    colours = spec["encoding"]["color"]["scale"]
    assert colours["domain"] == ["log-loss", "MSE"] and len(set(colours["range"])) == 2


def test_coefficient_frame_sorts_by_size_and_computes_odds_ratios():
    frame = training_charts.coefficient_frame(["a", "b", "c"], np.array([[0.5, -2.0, 1.0]]))
    assert frame["feature"].tolist() == ["b", "c", "a"]
    np.testing.assert_allclose(frame["odds_ratio"], np.exp([-2.0, 1.0, 0.5]))
    with pytest.raises(ValueError):
        training_charts.coefficient_frame(["a"], [1.0, 2.0])


def test_coefficient_chart_keeps_the_largest(history):
    frame = training_charts.coefficient_frame([f"f{i}" for i in range(30)], np.linspace(-3, 3, 30))
    chart = training_charts.coefficient_chart(frame, max_features=5)
    assert isinstance(chart, alt.Chart)
    assert len(chart.data) == 5
    assert set(chart.data["feature"]) == set(frame["feature"].head(5))


def test_lesson_charts_build_and_serialise():
    curves = lesson.per_example_loss_curves()
    chart = training_charts.loss_curves_chart(curves, {"y_hat": 0.9, "y": 1, "loss": lesson.example_loss(1, 0.9)})
    spec = chart.to_dict()
    assert spec["layer"]
    frame = pd.DataFrame({"weight": np.linspace(-1, 1, 5000), "cost": np.linspace(-1, 1, 5000) ** 2})
    frame.loc[3, "cost"] = np.inf
    line = training_charts.line_chart(frame, "weight", "cost", x_title="w", y_title="c", marks={"now": 0.2})
    layered = line.to_dict()
    assert len(layered["layer"]) == 2
    assert len(line.layer[0].data) <= 2000
    assert np.isfinite(line.layer[0].data["cost"]).all()


def test_live_specs_can_send_fewer_points(history):
    spec = training_charts.curve_spec(history, "log_loss", max_points=10)
    data = _values(spec)
    assert (data["split"] == "training").sum() == 10
    assert data["epoch"].max() == history["epoch"].max()  # the newest epoch is always drawn


def test_a_live_list_of_records_draws_like_the_history(history):
    records = history.to_dict(orient="records")
    from_records = training_charts.curve_spec(records, "log_loss", max_points=7)
    from_frame = training_charts.curve_spec(history, "log_loss", max_points=7)
    assert from_records["data"] == from_frame["data"]
    assert training_charts.curve_spec([], "log_loss")["data"]["values"] == []


def test_curve_spec_marker_marks_that_epoch_on_both_splits(history):
    spec = training_charts.curve_spec(history, "accuracy", marker=17, max_points=5)
    json.dumps(spec, allow_nan=False)
    rule = next(l for l in spec["layer"] if l["mark"]["type"] == "rule")
    dots = next(l for l in spec["layer"] if l["mark"]["type"] == "point")
    assert rule["data"]["values"] == [{"epoch": 17}]
    row = history[history["epoch"] == 17].iloc[0]
    # the marked epoch's values come from the full history, even when the curve is thinned
    assert {d["split"]: d["value"] for d in dots["data"]["values"]} == {
        "training": row["train_accuracy"],
        "validation": row["val_accuracy"],
    }
    with_reference = training_charts.curve_spec(history, "log_loss", marker=3, reference=0.69)
    assert [l["mark"]["type"] for l in with_reference["layer"]][1:] == ["rule", "point", "rule"]


def test_comparison_spec_grows_on_a_fixed_axis(history):
    spec = training_charts.comparison_spec({"a": history.iloc[:5], "b": history.iloc[:3]}, total_epochs=40)
    assert spec["encoding"]["x"]["scale"] == {"domain": [1, 40]}
    data = pd.DataFrame(spec["data"]["values"])
    assert data.groupby("run")["epoch"].max().to_dict() == {"a": 5, "b": 3}


def test_line_chart_draws_the_dots_given():
    frame = pd.DataFrame({"w": np.linspace(-1, 1, 11), "cost": np.linspace(-1, 1, 11) ** 2})
    chart = training_charts.line_chart(frame, "w", "cost", x_title="w", y_title="cost", dots={"here": (0.5, 0.25)})
    spec = chart.to_dict()
    dots = [l for l in spec["layer"] if l["mark"]["type"] == "point"]
    values = spec["datasets"][dots[0]["data"]["name"]]
    assert values == [{"label": "here", "w": 0.5, "cost": 0.25}]


def test_folds_spec_draws_every_fold_and_their_mean(history):
    short = history.iloc[:10]
    spec = training_charts.folds_spec([history, short], "log_loss", total_epochs=40, reference=0.69)
    json.dumps(spec, allow_nan=False)
    folds, mean, rule = spec["layer"]
    data = pd.DataFrame(folds["data"]["values"])
    assert sorted(data["fold"].unique()) == ["fold 1", "fold 2"]
    means = pd.DataFrame(mean["data"]["values"]).set_index(["epoch", "split"])["value"]
    # epoch 5: both folds; epoch 30: only the first reached it
    both = (history.loc[history.epoch == 5, "val_log_loss"].iloc[0] + short.loc[short.epoch == 5, "val_log_loss"].iloc[0]) / 2
    assert means[(5, "validation")] == pytest.approx(both)
    assert means[(30, "training")] == pytest.approx(history.loc[history.epoch == 30, "train_log_loss"].iloc[0])
    assert rule["data"]["values"] == [{"value": 0.69}]
