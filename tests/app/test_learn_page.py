"""Learn page: the lesson's numbers on screen are the lesson's numbers, and they react."""

import math

import numpy as np
import pytest

from core.data import describe_data
from core.features import prepare_features
from pages import _ui
from tests.app.conftest import choose_mode, find, goto, metric, start, stored


@pytest.fixture(scope="module")
def learn():
    at = start()
    return goto(at, "learn")


def test_the_worked_example_table_and_its_mean(learn):
    table = learn.dataframe[0].value
    assert table["y"].tolist() == [1, 0, 1]
    assert table["loss"].round(3).tolist() == [0.105, 0.223, 0.511]
    assert metric(learn, "Mean log-loss (the cost)") == "0.280"
    assert metric(learn, "Mean log-loss of your table") == "0.280"  # the editor starts as the example


def test_editing_the_table_recomputes_the_loss():
    at = goto(start(), "learn")
    at.session_state["learn.editor"] = {
        "edited_rows": {0: {"y_hat": 0.5}},
        "added_rows": [{"y": 0, "y_hat": 0.99}],
        "deleted_rows": [],
    }
    at.run()
    expected = np.mean([math.log(2), -math.log(0.8), -math.log(0.6), -math.log(0.01)])
    assert metric(at, "Mean log-loss of your table") == f"{expected:.3f}"


def test_an_impossible_edit_is_explained_not_raised():
    at = goto(start(), "learn")
    at.session_state["learn.editor"] = {"edited_rows": {1: {"y_hat": 1.7}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception
    assert any("row 2" in e.value for e in at.error)


@pytest.mark.parametrize(("truth", "y_hat"), [(1, 0.2), (0, 0.2), (1, 0.99)])
def test_moving_the_point_gives_the_per_example_loss(truth, y_hat):
    at = goto(start(), "learn")
    find(at, "radio", "True answer (y)").set_value(truth)
    find(at, "slider", "Predicted probability ŷ").set_value(y_hat)
    at.run()
    expected = -math.log(y_hat) if truth == 1 else -math.log(1 - y_hat)
    assert metric(at, "Loss for this example") == f"{expected:.3f}"


def test_convexity_statements_and_the_gradient_come_from_the_data(learn):
    captions = " ".join(c.value for c in learn.caption)
    assert "Not convex" in captions and "Convex:" in captions

    # recompute the gradient at the current weight from the session's split, by hand
    dataset, setup = stored(learn, "dataset"), stored(learn, "setup")
    report = describe_data(dataset.df, setup.target, setup.positive_class, setup.feature_columns,
                           exclude=[dataset.demo.score_column])
    prepared = prepare_features(dataset.df, report)
    feature = find(learn, "selectbox", "Feature").value
    weight = find(learn, "slider", "Current weight w").value
    x = prepared.X_train[:, prepared.feature_names.index(feature)]
    y = prepared.y_train
    rate = y.mean()
    p = 1 / (1 + np.exp(-(weight * x + math.log(rate / (1 - rate)))))
    gradient = np.mean((p - y) * x)
    assert metric(learn, "Gradient: average (ŷ − y)·x") == f"{gradient:.4f}"
    assert metric(learn, "Slope of the cost curve, measured") == f"{gradient:.4f}"


def test_a_new_weight_moves_the_gradient():
    at = goto(start(), "learn")
    before = metric(at, "Gradient: average (ŷ − y)·x")
    find(at, "slider", "Current weight w").set_value(3.0)
    at.run()
    assert metric(at, "Gradient: average (ŷ − y)·x") != before


def test_the_logits_table_shows_the_naive_failures(learn):
    table = next(d.value for d in learn.dataframe if "logit z" in d.value.columns)
    assert "nan (not a number)" in table.values
    assert "inf (infinite)" in table.values
    row = table[table["logit z"] == "40"].iloc[0]
    assert row["loss if y=0, from z"] == "40"


def test_learn_uses_the_session_data_in_scores_mode_too():
    at = start()
    choose_mode(at, _ui.MODE_SCORES)
    goto(at, "learn")
    assert find(at, "selectbox", "Feature").options


def test_the_single_weight_view_shows_where_gradient_descent_was_at_the_train_pages_epoch():
    from core import lesson
    from tests.app.conftest import assert_ok, train

    at = start()
    train(at, epochs=40)
    find(at, "slider", "Epoch").set_value(9)
    assert_ok(at.run())
    goto(at, "learn")
    model, setup, dataset = stored(at, "model"), stored(at, "setup"), stored(at, "dataset")
    exclude = [dataset.demo.score_column] if dataset.demo is not None else []
    report = describe_data(dataset.df, setup.target, setup.positive_class, setup.feature_columns, exclude=exclude)
    prepared = prepare_features(dataset.df, report)
    feature = find(at, "selectbox", "Feature").value
    data = lesson.feature_slice(prepared.X_train, prepared.y_train, prepared.feature_names, feature)
    rate = model.params["learning_rate"]
    log_end = lesson.descent_path(data, learning_rate=rate, epochs=9).iloc[-1]
    mse_end = lesson.descent_path(data, learning_rate=rate, epochs=9, loss="mse").iloc[-1]
    caption = next(c.value for c in at.caption if c.value.startswith("The black dots"))
    assert "after 9 epochs" in caption
    assert f"w = {log_end['weight']:.3f} (cost {log_end['cost']:.4f})" in caption
    assert f"w = {mse_end['weight']:.3f} (cost {mse_end['cost']:.4f})" in caption
    # moving the Train page's slider moves the point
    goto(at, "train")
    find(at, "slider", "Epoch").set_value(30)
    assert_ok(at.run())
    goto(at, "learn")
    assert any("after 30 epochs" in c.value for c in at.caption)


def test_without_a_trained_model_the_single_weight_view_says_how_to_see_gradient_descent(learn):
    assert any("Train a model on the Train page" in c.value for c in learn.caption)
