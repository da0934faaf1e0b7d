"""core.model: behaviour the mutation run of core/model.py found untested (tests/MUTATION.md).

Each test states a fact about the fitted model that a wrong program breaks, checked against an
independent oracle (a closed-form gradient step, a plain GD loop, scikit-learn's log_loss, hand
values): the decision rule at a logit of exactly 0 in the recorded accuracies, the divergence rules
of GD, the records of L-BFGS runs, fits over several row blocks, the snapshots kept, BLAS threads,
and the refusals of unusable inputs with their plain-words messages.
"""

import math
import re
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit
from sklearn.metrics import log_loss

import core.model
from core.errors import DataError
from core.model import MAX_SNAPSHOTS, LogisticRegressionGD, suggested_learning_rate

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
    assert model.history_["epoch"].tolist() == [1]
    assert model.history_["train_log_loss"].tolist() == [pytest.approx(np.log(2))]
    assert model.history_["train_accuracy"].tolist() == [0.5]


def test_lbfgs_already_at_the_optimum_scores_the_start_on_the_validation_rows():
    X = np.array([[1.0], [-1.0], [1.0], [-1.0]])
    y = np.array([1, 1, 0, 0])
    X_val, y_val = np.array([[3.0], [-2.0], [0.5]]), np.array([1, 0, 0])
    model = LogisticRegressionGD(solver="lbfgs").fit(X, y, X_val=X_val, y_val=y_val)
    assert model.n_epochs_ == 1
    record = model.history_.iloc[0]
    assert record["val_log_loss"] == pytest.approx(np.log(2))  # every logit 0
    assert record["val_accuracy"] == pytest.approx(1 / 3)  # probability 0.5 counts as positive


LOG_2 = float(np.log(2))

# Gradient descent with a step far too long: the objective jumps around above its start
# (log 2, a coin flip) without ever reaching 10× it, so only the patience rule can stop it.
# The second case dips below the start now and then; its last dip is at epoch 29.
OSCILLATING = {
    "never below the start": (
        [-0.5, -0.4, -2.4, 1.8, 1.1, -0.3, 0.8, 0.3, -0.6, 1.0], [1, 1, 0, 1, 0, 0, 0, 1, 1, 1], 10.0),
    "dipping below the start": (
        [0.2, -1.7, 0.7, 1.1, -0.5, 0.4, 0.3], [1, 1, 1, 1, 1, 0, 0], 20.0),
}


def _gd_objectives(X, y, learning_rate, epochs):
    """The objective after each of ``epochs`` plain gradient steps from w = 0, b = 0 (l2 = 0)."""
    w, b, out = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        r = 1 / (1 + np.exp(-(X @ w + b))) - y
        w, b = w - learning_rate * X.T @ r / len(y), b - learning_rate * r.mean()
        out.append(_objective(X, y, w, b, 0.0))
    return np.array(out)


@pytest.mark.parametrize("case", list(OSCILLATING))
def test_gd_diverges_after_twenty_epochs_in_a_row_above_the_start(case):
    values, labels, learning_rate = OSCILLATING[case]
    X, y = np.array(values).reshape(-1, 1), np.array(labels)
    objectives = _gd_objectives(X, y, learning_rate, 200)
    assert objectives.max() < 10 * LOG_2  # the premise: the 10× rule never fires
    above = objectives > LOG_2 * (1 + 1e-6)
    assert np.all(above | (objectives < LOG_2 * (1 - 1e-6)))  # never within rounding of the start
    # the first epoch that ends a run of 20 epochs above the start
    run, expected = 0, None
    for epoch, is_above in enumerate(above, start=1):
        run = run + 1 if is_above else 0
        if run == 20:
            expected = epoch
            break
    model = LogisticRegressionGD(learning_rate=learning_rate, max_epochs=500, tol=0.0).fit(X, y)
    assert model.stop_reason_ == "diverged"
    assert model.n_epochs_ == expected
    np.testing.assert_allclose(model.history_["train_loss"], objectives[:expected], rtol=1e-9)


def test_gd_diverges_on_the_first_epoch_above_ten_times_the_start():
    X = np.array([[0.8], [0.3], [-1.3], [0.9], [0.4], [-0.5], [0.6]])
    y = np.array([0, 1, 0, 0, 1, 0, 1])
    first = _gd_objectives(X, y, 500.0, 1)[0]
    assert 10 * LOG_2 < first < 10 / LOG_2  # the premise: above 10× log 2, below 14.4
    model = LogisticRegressionGD(learning_rate=500.0, max_epochs=50, tol=0.0).fit(X, y)
    assert model.stop_reason_ == "diverged" and model.n_epochs_ == 1
    assert model.history_["train_loss"].iloc[0] == pytest.approx(first, rel=1e-12)


def test_gd_staying_exactly_at_the_start_is_not_divergence():
    # balanced labels and a feature with no link to them: the gradient at w = 0, b = 0 is 0,
    # so every epoch's objective equals the start; with tol = 0 only the epoch limit stops it
    X = np.array([[1.0], [-1.0], [1.0], [-1.0]])
    y = np.array([1, 1, 0, 0])
    model = LogisticRegressionGD(learning_rate=1.0, max_epochs=30, tol=0.0).fit(X, y)
    assert model.stop_reason_ == "max_epochs" and model.n_epochs_ == 30
    assert model.history_["train_loss"].tolist() == [pytest.approx(LOG_2)] * 30


def test_a_column_of_labels_fits_like_a_flat_list():
    X = np.array([[0.0], [1.0], [2.0], [3.0], [1.5], [0.5]])
    y = np.array([0, 0, 1, 1, 0, 1])
    flat = LogisticRegressionGD(max_epochs=5).fit(X, y)
    column = LogisticRegressionGD(max_epochs=5).fit(X, y.reshape(-1, 1))
    np.testing.assert_array_equal(column.coef_, flat.coef_)
    assert column.intercept_[0] == flat.intercept_[0]
    with pytest.raises(DataError, match=r"one column of labels; got shape \(6, 2\)"):
        LogisticRegressionGD().fit(X, np.column_stack([y, 1 - y]))


def test_labels_of_mixed_types_are_refused_in_plain_words():
    X = np.arange(6.0).reshape(-1, 1)
    with pytest.raises(DataError, match="mixes labels of different types"):
        LogisticRegressionGD().fit(X, np.array([1, "yes", 1, "yes", 1, "yes"], dtype=object))


def _two_class_error(labels):
    X = np.arange(float(len(labels))).reshape(-1, 1)
    with pytest.raises(DataError) as caught:
        LogisticRegressionGD().fit(X, np.array(labels))
    return str(caught.value)


def test_too_many_classes_lists_the_first_five_and_marks_the_rest():
    six = _two_class_error(["a", "b", "c", "d", "e", "f"])
    assert "found 6 ('a', 'b', 'c', 'd', 'e', …)" in six and "'f'" not in six
    five = _two_class_error(["a", "b", "c", "d", "e"])
    assert "found 5 ('a', 'b', 'c', 'd', 'e')" in five and "…" not in five
    seven = _two_class_error(list("abcdefg"))
    assert "found 7 ('a', 'b', 'c', 'd', 'e', …)" in seven


def test_only_fractional_float_labels_are_called_continuous():
    whole = _two_class_error([0.0, 1.0, 2.0, 0.0, 1.0, 2.0])
    assert whole.startswith("Only binary classification is supported") and "continuous" not in whole
    assert _two_class_error([0, 1, 2, 0, 1, 2]).startswith("Only binary classification is supported")
    fractional = _two_class_error([0.1, 0.7, 2.5, 0.1])
    assert fractional.startswith("y looks continuous (a regression target), not labels. Only binary")


def test_a_run_of_exactly_max_snapshots_epochs_keeps_every_epoch():
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array([0, 1, 0, 1])
    model = LogisticRegressionGD(learning_rate=0.1, max_epochs=MAX_SNAPSHOTS, tol=0.0).fit(X, y)
    assert model.n_epochs_ == MAX_SNAPSHOTS
    np.testing.assert_array_equal(model.snapshot_epochs_, np.arange(1, MAX_SNAPSHOTS + 1))
    longer = LogisticRegressionGD(learning_rate=0.1, max_epochs=MAX_SNAPSHOTS + 1, tol=0.0).fit(X, y)
    assert len(longer.snapshot_epochs_) < MAX_SNAPSHOTS


# More rows than one evaluation block (65,536), and not a multiple of it: the last block is short.
MANY_ROWS = 150_001


@pytest.fixture(scope="module")
def many_rows():
    rng = np.random.default_rng(12)
    X = rng.normal(size=(MANY_ROWS, 2))
    y = (rng.random(MANY_ROWS) < expit(X @ [1.5, -0.5] + 0.3)).astype(int)
    return X, y


def test_one_gd_epoch_over_several_blocks_equals_the_closed_form(many_rows):
    X, y = many_rows
    model = LogisticRegressionGD(learning_rate=0.5, max_epochs=2, tol=0.0).fit(X, y)
    residual = 0.5 - y  # sigmoid(0) - y at w = 0, b = 0
    w1, b1 = -0.5 * X.T @ residual / len(y), -0.5 * residual.mean()
    np.testing.assert_allclose(model.coef_history_[0], w1, rtol=1e-10)
    assert model.intercept_history_[0] == pytest.approx(b1, rel=1e-10)
    z = X @ w1 + b1
    first = model.history_.iloc[0]
    assert first["train_log_loss"] == pytest.approx(log_loss(y, expit(z)), rel=1e-10)
    assert first["train_accuracy"] == np.mean((z >= 0) == (y == 1))


def test_mse_training_loss_over_several_blocks_is_the_mean_squared_error(many_rows):
    X, y = many_rows
    model = LogisticRegressionGD(learning_rate=0.5, max_epochs=1, tol=0.0, loss="mse").fit(X, y)
    z = X @ model.coef_[0] + model.intercept_[0]
    assert model.history_["train_loss"].iloc[0] == pytest.approx(np.mean((expit(z) - y) ** 2), rel=1e-10)


@pytest.mark.parametrize("params,message", [
    ({"learning_rate": 0.0}, "learning_rate must be a positive finite number; got 0.0."),
    ({"l2": -1.0}, "l2 must be a non-negative finite number; got -1.0."),
    ({"tol": float("nan")}, "tol must be a non-negative finite number; got nan."),
], ids=["learning_rate", "l2", "tol"])
def test_bad_numbers_are_named_with_their_bound(params, message):
    X, y = np.arange(4.0).reshape(-1, 1), np.array([0, 1, 0, 1])
    with pytest.raises(DataError, match="^" + re.escape(message) + "$"):
        LogisticRegressionGD(**params).fit(X, y)


def test_refitting_on_an_array_forgets_the_feature_names_of_a_frame():
    frame = pd.DataFrame({"age": [1.0, 2.0, 3.0, 4.0], "income": [0.5, 0.1, 0.9, 0.3]})
    y = np.array([0, 1, 0, 1])
    model = LogisticRegressionGD(max_epochs=3).fit(frame, y)
    assert model.feature_names_in_.tolist() == ["age", "income"]
    model.fit(frame.to_numpy(), y)
    assert not hasattr(model, "feature_names_in_")


def test_validation_messages_name_the_validation_inputs():
    X, y = np.arange(6.0).reshape(-1, 1), np.array([0, 1, 0, 1, 0, 1])
    with pytest.raises(DataError, match=r"^X_val contains 1 missing"):
        LogisticRegressionGD().fit(X, y, X_val=np.array([[1.0], [np.nan]]), y_val=[0, 1])
    with pytest.raises(DataError, match=r"^y_val has 1 labels but X has 2 rows"):
        LogisticRegressionGD().fit(X, y, X_val=np.array([[1.0], [2.0]]), y_val=[0])


def test_unknown_validation_labels_are_listed_up_to_five():
    X, y = np.arange(6.0).reshape(-1, 1), np.array([0, 1, 0, 1, 0, 1])
    X_val = np.arange(7.0).reshape(-1, 1)
    with pytest.raises(DataError) as caught:
        LogisticRegressionGD().fit(X, y, X_val=X_val, y_val=[1, 12, 13, 14, 15, 16, 17])
    assert str(caught.value) == "y_val has label(s) not seen in y: 12, 13, 14, 15, 16."


def test_wrong_width_at_prediction_names_the_model():
    model = LogisticRegressionGD(max_epochs=3).fit(np.arange(8.0).reshape(-1, 2), [0, 1, 0, 1])
    with pytest.raises(DataError, match="but LogisticRegressionGD is expecting 2 features"):
        model.predict(np.ones((2, 3)))


def _blas_threads():
    from threadpoolctl import threadpool_info

    return [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]


def test_a_fit_is_single_threaded_even_while_another_thread_holds_threadpoolctl_control():
    import threading

    from threadpoolctl import OpenBLASController, threadpool_limits

    X = np.random.default_rng(3).normal(size=(200, 3))
    y = np.arange(200) % 2
    before = _blas_threads()
    holding, done = threading.Event(), threading.Event()

    def hold_control():  # another library's limit in a thread that lives on: it now controls OpenBLAS
        threadpool_limits(limits=before[0] if before else 1, user_api="blas")
        holding.set()
        done.wait(60)

    other = threading.Thread(target=hold_control)
    other.start()
    try:
        assert holding.wait(60)
        during = []
        LogisticRegressionGD(max_epochs=2, tol=0.0).fit(X, y, on_epoch=lambda r: during.append(_blas_threads()))
        assert during == [[1] * len(before)] * 2
        assert _blas_threads() == before
    finally:
        done.set()
        other.join(60)
        OpenBLASController.clear_controlling_thread(force=True)


def test_fits_work_with_a_threadpoolctl_that_cannot_release_control(monkeypatch):
    # threadpoolctl before 3.6 (requirements allow 3.1) has no clear_controlling_thread
    from threadpoolctl import OpenBLASController

    monkeypatch.delattr(OpenBLASController, "clear_controlling_thread")
    X, y = np.arange(8.0).reshape(-1, 1), np.array([0, 0, 1, 0, 1, 1, 0, 1])
    model = LogisticRegressionGD(max_epochs=3, tol=0.0).fit(X, y)
    assert model.n_epochs_ == 3


def test_an_lbfgs_fit_passes_scipy_only_options_it_knows():
    # SciPy warns about options its method does not know (a misspelt key, or BFGS given maxls)
    import warnings

    rng = np.random.default_rng(8)
    X = rng.normal(size=(100, 2))
    y = (rng.random(100) < expit(X @ [1.0, -1.0])).astype(int)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        LogisticRegressionGD(solver="lbfgs").fit(X, y)
    assert [str(w.message) for w in caught] == []


def _design_error(X, **fit_args):
    y = np.arange(X.shape[0]) % 2
    with pytest.raises(DataError) as caught:
        LogisticRegressionGD().fit(X, y, **fit_args)
    return str(caught.value)


def test_unusable_feature_tables_are_refused_with_their_reason():
    import scipy.sparse

    X = np.arange(8.0).reshape(4, 2)
    assert _design_error(scipy.sparse.csr_matrix(X)) == (
        "X is a sparse matrix, which is not supported; pass X.toarray().")
    assert _design_error(X + 1j) == (
        "Complex data not supported: X contains complex numbers; pass real-valued features.")
    assert _design_error(pd.DataFrame({"real": X[:, 0], "complex": X[:, 1] + 1j})) == (
        "Complex data not supported: X contains complex numbers; pass real-valued features.")
    assert _design_error(np.array([["a", "b"]] * 4)).startswith("X must contain only numbers (")
    reshape = "Reshape your data: for a single feature use X.reshape(-1, 1)."
    assert _design_error(np.ones((4, 2, 1))) == f"X must be a 2-D table of shape (rows, features); got 3-D. {reshape}"
    assert _design_error(np.ones(4)) == f"X must be a 2-D table of shape (rows, features); got 1-D. {reshape}"
    assert _design_error(np.ones((0, 2))) == (
        "X has 0 sample(s) (shape=(0, 2)) while a minimum of 1 is required.")
    assert _design_error(np.ones((4, 0))) == (
        "X has 0 feature(s) (shape=(4, 0)) while a minimum of 1 is required.")


def test_text_columns_of_a_frame_are_named_up_to_five():
    frame = pd.DataFrame({f"c{i}": ["a", "b", "c", "d"] for i in range(6)} | {"n": [1.0, 2.0, 3.0, 4.0]})
    message = _design_error(frame)
    assert message.startswith("X has non-numeric column(s) 'c0', 'c1', 'c2', 'c3', 'c4'. Encode text columns")
    assert "'c5'" not in message


def test_a_frame_of_numbers_and_booleans_trains_like_its_float_array():
    frame = pd.DataFrame({"flag": [True, False, True, False, True, False], "x": [0.5, 1.0, 2.0, 0.1, 3.0, 1.5]})
    y = np.array([1, 0, 1, 0, 0, 1])
    from_frame = LogisticRegressionGD(max_epochs=4).fit(frame, y)
    from_array = LogisticRegressionGD(max_epochs=4).fit(frame.to_numpy(dtype=float), y)
    np.testing.assert_array_equal(from_frame.coef_, from_array.coef_)


def test_missing_values_are_counted_and_the_first_located():
    X = np.ones((3000, 2))
    X[1500:, 1] = np.nan
    X[2000, 0] = np.inf
    assert _design_error(X).startswith(
        "X contains 1,501 missing or infinite value(s) (first at row 1500, column 1). Impute or drop")
    frame = pd.DataFrame({"a": pd.array([1.0, 2.0, None, 4.0], dtype="Float64")})
    assert _design_error(frame).startswith("X contains 1 missing or infinite value(s) (first at row 2, column 0)")


def test_finite_values_whose_sum_overflows_are_accepted():
    X = np.array([[1e308], [1e308], [1e308], [-1e308]])
    with np.errstate(all="ignore"):
        assert not np.isfinite(X.sum())  # the premise: the one-pass sum overflows
        model = LogisticRegressionGD(max_epochs=1).fit(X, np.array([1, 1, 0, 0]))
    assert model.n_features_in_ == 1


def test_validation_table_problems_name_x_val():
    import scipy.sparse

    X = np.arange(8.0).reshape(4, 2)
    y = np.array([0, 1, 0, 1])
    with pytest.raises(DataError, match=r"^X_val is a sparse matrix"):
        LogisticRegressionGD().fit(X, y, X_val=scipy.sparse.csr_matrix(X), y_val=y)
    with pytest.raises(DataError, match=r"^Complex data not supported: X_val contains"):
        LogisticRegressionGD().fit(X, y, X_val=X + 1j, y_val=y)


def test_an_lbfgs_fit_that_ends_on_a_non_finite_intercept_says_diverged():
    # values near the float64 limit: the column mean overflows, so the start intercept is NaN
    X = np.array([[1e308], [1e308], [1e308], [-1e308]])
    with np.errstate(all="ignore"):
        model = LogisticRegressionGD(solver="lbfgs").fit(X, np.array([1, 1, 0, 0]))
    assert not np.isfinite(model.intercept_[0])  # the premise
    assert model.stop_reason_ == "diverged"


@pytest.mark.parametrize("make_table", [
    lambda values: values,
    lambda values: values.tolist(),
    lambda values: pd.DataFrame(values),
], ids=["row-major array", "list of rows", "frame"])
def test_the_design_matrix_is_column_major_float64_as_documented(make_table):
    from core.model import _as_design_matrix

    values = np.arange(12.0).reshape(4, 3)
    arr = _as_design_matrix(make_table(values))
    assert arr.dtype == np.float64 and arr.flags.f_contiguous
    np.testing.assert_array_equal(arr, values)


@pytest.mark.parametrize("unit", [1e200, 1e-200])
def test_lbfgs_on_a_feature_in_extreme_units_converges_without_warnings(unit):
    import warnings

    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 2))
    y = (rng.random(400) < expit(X @ [1.5, -1.0] + 0.3)).astype(int)
    plain = LogisticRegressionGD(solver="lbfgs").fit(X, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = LogisticRegressionGD(solver="lbfgs").fit(X * unit, y)
    assert [str(w.message) for w in caught] == []
    assert plain.stop_reason_ == "converged" and model.stop_reason_ == "converged"
    np.testing.assert_allclose(model.coef_ * unit, plain.coef_, rtol=1e-6)


@pytest.mark.parametrize("weight, intercept, loss", [
    (math.inf, 0.0, 0.5),       # a weight blown up, the loss reported finite
    (0.5, math.nan, 0.5),       # the intercept alone non-finite
    (0.5, 0.0, math.nan),       # the loss alone non-finite
    (0.5, 0.0, math.inf),
])
def test_lbfgs_ending_on_any_non_finite_part_is_diverged(monkeypatch, weight, intercept, loss):
    # The optimiser's answer is replaced by one where exactly one of the loss, a weight or the
    # intercept is not finite: each alone must make the fit "diverged", never "converged".
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array([0, 1, 0, 1])

    def minimize(fun, theta0, **_):
        theta = np.array([weight, intercept + 0.0])
        return SimpleNamespace(x=theta, fun=loss, nit=1)

    monkeypatch.setattr(core.model, "optimize", SimpleNamespace(minimize=minimize))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticRegressionGD(solver="lbfgs").fit(X, y)
    assert model.stop_reason_ == "diverged"


def test_lbfgs_ending_on_finite_parts_is_not_diverged(monkeypatch):
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array([0, 1, 0, 1])
    monkeypatch.setattr(core.model, "optimize", SimpleNamespace(
        minimize=lambda fun, theta0, **_: SimpleNamespace(x=np.array([0.5, 0.0]), fun=0.5, nit=1)))
    model = LogisticRegressionGD(solver="lbfgs").fit(X, y)
    assert model.stop_reason_ == "converged"
