"""The Learn page's numbers: checked by hand, against scikit-learn, and against calculus."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import log_loss as sk_log_loss

from core import lesson
from core.errors import DataError


def test_worked_example_matches_the_lesson():
    table = lesson.worked_example()
    assert table["y"].tolist() == [1, 0, 1]
    assert table["y_hat"].tolist() == pytest.approx([0.9, 0.2, 0.6])
    assert table["loss"].round(3).tolist() == [0.105, 0.223, 0.511]
    assert round(table["loss"].mean(), 3) == 0.280
    # and it is scikit-learn's log-loss
    assert table["loss"].mean() == pytest.approx(sk_log_loss(table["y"], table["y_hat"]))


def test_worked_example_is_a_copy():
    table = lesson.worked_example()
    table.loc[0, "y_hat"] = 0.5
    assert lesson.worked_example().loc[0, "y_hat"] == pytest.approx(0.9)


def test_loss_curves_are_minus_log_of_the_probability_given_to_the_truth():
    curves = lesson.per_example_loss_curves(n_points=9)
    assert len(curves) == 18
    ones = curves[curves["y"] == 1]
    zeros = curves[curves["y"] == 0]
    np.testing.assert_allclose(ones["loss"], -np.log(ones["y_hat"]))
    np.testing.assert_allclose(zeros["loss"], -np.log(1 - zeros["y_hat"]))
    assert curves["y_hat"].between(0, 1, inclusive="neither").all()


@pytest.mark.parametrize(("y", "y_hat", "expected"), [(1, 0.9, -math.log(0.9)), (0, 0.2, -math.log(0.8)), (1, 0.5, math.log(2))])
def test_example_loss_by_hand(y, y_hat, expected):
    assert lesson.example_loss(y, y_hat) == pytest.approx(expected)


def test_score_predictions_recomputes_an_edited_table():
    edited = pd.DataFrame({"y": [1, 0, None], "y_hat": [0.99, 0.7, None], "loss": [123.0, 0.0, None]})
    scored = lesson.score_predictions(edited)
    assert len(scored) == 2  # the empty row is dropped
    np.testing.assert_allclose(scored["loss"], [-math.log(0.99), -math.log(0.3)])
    assert scored["loss"].mean() == pytest.approx(sk_log_loss([1, 0], [0.99, 0.7]))


@pytest.mark.parametrize(
    ("frame", "words"),
    [
        (pd.DataFrame({"y": [1, 2], "y_hat": [0.5, 0.5]}), "row 2"),
        (pd.DataFrame({"y": [1, 0], "y_hat": [0.5, 1.5]}), "row 2"),
        (pd.DataFrame({"y": [1, 0], "y_hat": [None, 0.3]}), "row 1"),
        (pd.DataFrame({"y": ["yes", 0], "y_hat": [0.2, 0.3]}), "row 1"),
        (pd.DataFrame({"y": [None], "y_hat": [None]}), "empty"),
        (pd.DataFrame({"y": [1]}), "y_hat"),
    ],
)
def test_score_predictions_rejects_bad_rows_in_plain_words(frame, words):
    with pytest.raises(DataError, match=words):
        lesson.score_predictions(frame)


@pytest.fixture
def one_feature():
    rng = np.random.default_rng(3)
    y = (rng.random(400) < 0.3).astype(float)
    x = rng.normal(size=400) + 1.5 * y
    X = np.column_stack([rng.normal(size=400), x])
    return X, y


def test_feature_slice_takes_the_named_column_and_the_base_rate_logit(one_feature):
    X, y = one_feature
    data = lesson.feature_slice(X, y, ["noise", "signal"], "signal")
    np.testing.assert_array_equal(data.x, X[:, 1])
    assert data.intercept == pytest.approx(math.log(y.mean() / (1 - y.mean())))
    small = lesson.feature_slice(X, y, ["noise", "signal"], "signal", max_rows=50)
    assert len(small.x) == len(small.y) == 50
    assert set(small.x) <= set(X[:, 1])
    with pytest.raises(DataError):
        lesson.feature_slice(X, y, ["noise", "signal"], "nope")


def test_most_informative_feature_finds_the_signal(one_feature):
    X, y = one_feature
    assert lesson.most_informative_feature(X, y, ["noise", "signal"]) == "signal"


def test_cost_along_weight_log_loss_is_convex_and_mse_is_not(one_feature):
    X, y = one_feature
    data = lesson.feature_slice(X, y, ["noise", "signal"], "signal")
    weights = np.linspace(-15, 15, 301)
    costs = lesson.cost_along_weight(data, weights)
    # spot-check against scikit-learn at one weight
    z = 2.0 * data.x + data.intercept
    row = lesson.cost_along_weight(data, [2.0]).iloc[0]
    assert row["log_loss"] == pytest.approx(sk_log_loss(y, 1 / (1 + np.exp(-z))))
    assert row["mse"] == pytest.approx(np.mean((1 / (1 + np.exp(-z)) - y) ** 2))
    assert lesson.is_convex(costs["log_loss"])
    assert not lesson.is_convex(costs["mse"])
    # the minimum of the log-loss is at a positive weight: the feature is higher for positives
    assert costs.loc[costs["log_loss"].idxmin(), "weight"] > 0


def test_is_convex_on_known_curves():
    grid = np.linspace(-3, 3, 61)
    assert lesson.is_convex(grid**2)
    assert lesson.is_convex(np.abs(grid))
    assert not lesson.is_convex(np.sin(grid))
    assert not lesson.is_convex(-(grid**2))


def test_accuracy_along_weight_is_a_step_function(one_feature):
    X, y = one_feature
    data = lesson.feature_slice(X, y, ["noise", "signal"], "signal")
    weights = np.linspace(-5, 5, 401)
    acc = lesson.accuracy_along_weight(data, weights)
    w = 1.3
    expected = np.mean(((w * data.x + data.intercept) >= 0) == (y == 1))
    assert lesson.accuracy_along_weight(data, [w])["accuracy"].iloc[0] == pytest.approx(expected)
    steps = np.diff(acc["accuracy"].to_numpy())
    # flat almost everywhere, jumping by whole examples (multiples of 1/n) where it moves
    assert np.mean(steps == 0) > 0.5
    np.testing.assert_allclose(np.round(steps * len(y)), steps * len(y), atol=1e-9)


def test_gradient_step_is_the_mean_of_error_times_x_and_the_true_slope(one_feature):
    X, y = one_feature
    data = lesson.feature_slice(X, y, ["noise", "signal"], "signal")
    step = lesson.gradient_step(data, 0.5, learning_rate=2.0, n_rows=4)
    p = 1 / (1 + np.exp(-(0.5 * data.x + data.intercept)))
    assert step.gradient == pytest.approx(np.mean((p - y) * data.x))
    assert step.slope_check == pytest.approx(step.gradient, rel=1e-5)
    np.testing.assert_allclose(step.table["error_times_x"], ((p - y) * data.x)[:4])
    assert step.next_weight == pytest.approx(0.5 - 2.0 * step.gradient)
    assert step.next_loss < step.loss  # a modest step downhill lowers the cost
    assert step.n == len(y)


def test_logits_stability_shows_the_naive_failures_and_the_stable_values():
    table = lesson.logits_stability([-1000.0, 0.0, 40.0]).set_index("z")
    # naive probability rounding: p is exactly 0 or 1 at the extremes
    assert table.loc[-1000.0, "p"] == 0.0 and table.loc[40.0, "p"] == 1.0
    assert np.isinf(table.loc[-1000.0, "naive_y1"])
    assert np.isnan(table.loc[40.0, "naive_y1"])  # 0 * log(0)
    assert np.isinf(table.loc[40.0, "naive_y0"])
    # the stable values are the exact losses: softplus(-z) for y=1, softplus(z) for y=0
    assert table.loc[-1000.0, "stable_y1"] == pytest.approx(1000.0)
    assert table.loc[40.0, "stable_y0"] == pytest.approx(40.0)
    assert table.loc[0.0, "stable_y1"] == pytest.approx(math.log(2))
    assert table.loc[0.0, "naive_y1"] == pytest.approx(math.log(2))


@settings(max_examples=40, deadline=None)
@given(z=st.floats(-15, 15), label=st.sampled_from([0, 1]))
def test_stable_and_naive_agree_where_the_naive_formula_works(z, label):
    # beyond |z| ~ 15 the naive 1 - p starts losing digits even before it hits 0
    row = lesson.logits_stability([z]).iloc[0]
    assert row[f"stable_y{label}"] == pytest.approx(row[f"naive_y{label}"], rel=1e-6, abs=1e-9)


def test_baseline_log_loss_is_the_entropy_of_the_training_base_rate():
    assert lesson.baseline_log_loss([0, 1, 0, 1], [1, 0, 1]) == pytest.approx(math.log(2))
    y_eval = np.array([1, 0, 0, 0, 1])
    expected = sk_log_loss(y_eval, np.full(5, 0.25), labels=[0, 1])
    assert lesson.baseline_log_loss([1, 0, 0, 0], y_eval) == pytest.approx(expected)


def test_descent_path_is_plain_gradient_descent_on_the_one_weight(one_feature):
    X, y = one_feature
    data = lesson.feature_slice(X, y, ["noise", "signal"], "signal")
    path = lesson.descent_path(data, learning_rate=0.8, epochs=30)
    assert list(path["epoch"]) == list(range(31)) and path["weight"].iloc[0] == 0.0
    w = 0.0
    for epoch in range(31):  # by hand: w <- w - rate * mean((sigmoid(z) - y) * x)
        z = w * data.x + data.intercept
        assert path["weight"].iloc[epoch] == pytest.approx(w, abs=1e-12)
        assert path["cost"].iloc[epoch] == pytest.approx(lesson.cost_along_weight(data, [w])["log_loss"][0], abs=1e-12)
        w -= 0.8 * float(np.mean((1 / (1 + np.exp(-z)) - data.y) * data.x))
    assert np.all(np.diff(path["cost"]) <= 1e-12)  # a small step on a convex cost never goes up


def test_descent_path_on_squared_error_uses_its_own_gradient(one_feature):
    X, y = one_feature
    data = lesson.feature_slice(X, y, ["noise", "signal"], "signal")
    path = lesson.descent_path(data, learning_rate=0.5, epochs=3, loss="mse")
    z = data.intercept + 0.0 * data.x
    p = 1 / (1 + np.exp(-z))
    first = -0.5 * float(np.mean(2 * (p - data.y) * p * (1 - p) * data.x))
    assert path["weight"].iloc[1] == pytest.approx(first, abs=1e-12)
    assert path["cost"].iloc[0] == pytest.approx(float(np.mean((p - data.y) ** 2)), abs=1e-12)
    with pytest.raises(DataError, match="loss must be"):
        lesson.descent_path(data, learning_rate=0.5, epochs=3, loss="hinge")
    with pytest.raises(DataError, match="learning rate"):
        lesson.descent_path(data, learning_rate=0.0, epochs=3)
