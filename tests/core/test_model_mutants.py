"""core.model: behaviour the mutation run of core/model.py found untested (tests/MUTATION.md).

Each test states a fact about the fitted model that a wrong program breaks: the decision rule
at a logit of exactly 0 in the recorded accuracies, and the other edges listed in MUTATION.md.
"""

import numpy as np
import pandas as pd
import pytest

from core.errors import DataError
from core.model import LogisticRegressionGD, suggested_learning_rate

# Balanced classes: at w = 0, b = 0 the intercept's gradient is sum(0.5 - y) = 0 exactly, so
# after one epoch b is still exactly 0 and the rows at x = 0 sit on the logit 0 exactly.
ON_THE_LINE_X = np.array([[0.0], [0.0], [-1.0], [-2.0]])
ON_THE_LINE_Y = np.array([1, 1, 0, 0])


def test_recorded_accuracies_use_the_same_rule_as_predict_at_a_logit_of_exactly_zero():
    model = LogisticRegressionGD(learning_rate=0.5, max_epochs=1).fit(
        ON_THE_LINE_X, ON_THE_LINE_Y, X_val=ON_THE_LINE_X, y_val=ON_THE_LINE_Y)
    z = model.decision_function(ON_THE_LINE_X)
    assert z[0] == 0.0 and z[1] == 0.0  # the premise: two rows exactly on the line
    predicted_right = float(np.mean(model.predict(ON_THE_LINE_X) == ON_THE_LINE_Y))
    assert predicted_right == 1.0  # probability 0.5 counts as positive
    record = model.history_.iloc[-1]
    assert record["train_accuracy"] == predicted_right
    assert record["val_accuracy"] == predicted_right


def test_auto_learning_rate_is_one_over_l_of_the_penalised_objective():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(60, 3)) * [1.0, 3.0, 0.5]
    y = (rng.random(60) < 0.4).astype(int)
    l2 = 2.0  # large, so 1/L with and without the penalty differ by far more than rounding
    model = LogisticRegressionGD(learning_rate="auto", l2=l2, max_epochs=1).fit(X, y)
    step = suggested_learning_rate(X, l2)
    assert step < 0.9 * suggested_learning_rate(X)  # the premise
    residual = 0.5 - y  # sigmoid(0) - y at the start w = 0, b = 0
    np.testing.assert_allclose(model.coef_[0], -step * X.T @ residual / len(y), rtol=1e-12)
    assert model.intercept_[0] == pytest.approx(-step * residual.mean(), rel=1e-12)


@pytest.mark.parametrize("make_labels", [
    lambda values: pd.Series(values, dtype=object),
    lambda values: np.array(values, dtype=object),
])
def test_labels_held_as_python_objects_give_plain_errors(make_labels):
    X = np.arange(8.0).reshape(-1, 1)
    with pytest.raises(DataError, match="only one class"):
        LogisticRegressionGD().fit(X, make_labels(["yes"] * 8))
    y = make_labels(["no", "yes"] * 4)
    with pytest.raises(DataError, match="not seen in y"):
        LogisticRegressionGD().fit(X, y, X_val=X[:2], y_val=make_labels(["maybe", "yes"]))
    with pytest.raises(DataError, match="exactly two classes"):
        LogisticRegressionGD().fit(X, make_labels(["a", "b", "c", "d"] * 2))


def _objective(X, y, w, b, l2):
    z = X @ w + b
    return float(np.mean(np.logaddexp(0.0, z) - y * z) + 0.5 * l2 * w @ w)


def test_gd_converges_when_the_penalised_objective_changes_by_less_than_tol():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(200, 2))
    y = (rng.random(200) < 1 / (1 + np.exp(-(X @ [1.0, -2.0])))).astype(int)
    l2, tol = 0.3, 1e-4
    model = LogisticRegressionGD(learning_rate=0.5, l2=l2, tol=tol).fit(X, y)
    assert model.stop_reason_ == "converged" and model.n_epochs_ < 500  # every epoch kept
    start = _objective(X, y, np.zeros(2), 0.0, l2)
    objectives = [start] + [_objective(X, y, w, b, l2)
                            for w, b in zip(model.coef_history_, model.intercept_history_)]
    changes = np.abs(np.diff(objectives))
    assert changes[-1] < tol and np.all(changes[:-1] >= tol)


def test_lbfgs_with_an_all_zero_column_gives_that_column_no_weight():
    rng = np.random.default_rng(2)
    X = np.column_stack([rng.normal(size=120), np.zeros(120)])
    y = (rng.random(120) < 1 / (1 + np.exp(-2 * X[:, 0]))).astype(int)
    model = LogisticRegressionGD(solver="lbfgs", l2=0.01).fit(X, y)
    assert np.all(np.isfinite(model.coef_)) and model.coef_[0, 1] == 0.0
    one = LogisticRegressionGD(solver="lbfgs", l2=0.01).fit(X[:, :1], y)
    np.testing.assert_allclose(model.coef_[0, 0], one.coef_[0, 0], rtol=1e-6)


def test_lbfgs_history_describes_the_snapshot_of_each_iteration():
    rng = np.random.default_rng(9)
    X = rng.normal(size=(150, 3)) * [1.0, 10.0, 0.1] + [0.0, 50.0, 0.0]
    y = (rng.random(150) < 1 / (1 + np.exp(-(X[:, 0] + 0.2 * (X[:, 1] - 50))))).astype(int)
    model = LogisticRegressionGD(solver="lbfgs").fit(X, y)
    assert len(model.snapshot_epochs_) == model.n_epochs_  # a short run keeps every iteration
    for row, w, b in zip(model.history_.itertuples(), model.coef_history_, model.intercept_history_):
        assert row.train_log_loss == pytest.approx(_objective(X, y, w, b, 0.0), rel=1e-9)
        assert row.train_accuracy == float(np.mean(((X @ w + b) >= 0) == (y == 1)))


def test_lbfgs_stopped_by_its_iteration_limit_says_so():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(300, 4)) * [1.0, 5.0, 0.2, 2.0]
    y = (rng.random(300) < 1 / (1 + np.exp(-X @ [1.0, 0.3, -2.0, 0.5]))).astype(int)
    model = LogisticRegressionGD(solver="lbfgs", max_epochs=2, tol=1e-12).fit(X, y)
    assert model.n_epochs_ == 2 and model.stop_reason_ == "max_epochs"


def test_lbfgs_already_at_the_optimum_records_the_start():
    # balanced labels, and a feature with no link to them: the gradient at the start is exactly 0
    X = np.array([[1.0], [-1.0], [1.0], [-1.0]])
    y = np.array([1, 1, 0, 0])
    model = LogisticRegressionGD(solver="lbfgs").fit(X, y)
    assert model.stop_reason_ == "converged" and model.n_epochs_ == 1
    assert model.coef_[0, 0] == 0.0 and model.intercept_[0] == 0.0
    assert model.history_["train_log_loss"].tolist() == [pytest.approx(np.log(2))]
    assert model.history_["train_accuracy"].tolist() == [0.5]
