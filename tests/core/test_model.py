"""core.model.LogisticRegressionGD against scikit-learn's LogisticRegression and hand-computed facts."""

import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse
from scipy.special import expit
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.metrics import log_loss as sklearn_log_loss
from sklearn.model_selection import cross_val_score

from core.errors import DataError
from core.model import HISTORY_COLUMNS, LogisticRegressionGD, suggested_learning_rate


def make_data(seed, n, d, base_rate=0.5, scales=None):
    """Labels drawn from a logistic model (noisy, so not separable); intercept sets the balance."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    if scales is not None:
        X = X * np.asarray(scales)
    beta = rng.normal(scale=1.0 / math.sqrt(d), size=d)
    if scales is not None:
        beta = beta / np.asarray(scales)
    intercept = math.log(base_rate / (1 - base_rate))
    y = (rng.random(n) < expit(X @ beta + intercept)).astype(int)
    return X, y


def sklearn_reference(X, y, l2):
    # C=np.inf is scikit-learn 1.8+'s spelling of penalty=None (now deprecated)
    C = np.inf if l2 == 0 else 1.0 / (l2 * len(y))
    return LogisticRegression(C=C, tol=1e-10, max_iter=10_000).fit(X, y)


def mean_log_loss(model, X, y):
    return sklearn_log_loss(y, model.predict_proba(X)[:, 1])


# --- agreement with scikit-learn ------------------------------------------------------

CASES = [
    # seed, n, d, base rate, l2
    (0, 300, 3, 0.5, 1e-2),
    (1, 1000, 10, 0.2, 1e-3),
    (2, 2000, 20, 0.05, 1e-4),
    (3, 500, 1, 0.7, 1e-1),
    (4, 1500, 5, 0.5, 0.0),
    (5, 3000, 8, 0.15, 0.0),
]


@pytest.mark.parametrize("seed,n,d,base_rate,l2", CASES)
def test_lbfgs_reaches_sklearn_optimum(seed, n, d, base_rate, l2):
    X, y = make_data(seed, n, d, base_rate)
    reference = sklearn_reference(X, y, l2)
    ours = LogisticRegressionGD(solver="lbfgs", l2=l2).fit(X, y)
    assert ours.stop_reason_ == "converged"
    assert mean_log_loss(ours, X, y) == pytest.approx(mean_log_loss(reference, X, y), abs=1e-6)
    np.testing.assert_allclose(ours.coef_, reference.coef_, atol=1e-4)
    np.testing.assert_allclose(ours.intercept_, reference.intercept_, atol=1e-4)


@pytest.mark.parametrize("seed,n,d,base_rate,l2", [CASES[0], CASES[1], CASES[4]])
def test_gradient_descent_reaches_the_same_optimum(seed, n, d, base_rate, l2):
    X, y = make_data(seed, n, d, base_rate)
    reference = sklearn_reference(X, y, l2)
    ours = LogisticRegressionGD(learning_rate="auto", l2=l2, max_epochs=20_000, tol=1e-12).fit(X, y)
    assert mean_log_loss(ours, X, y) == pytest.approx(mean_log_loss(reference, X, y), abs=1e-5)
    np.testing.assert_allclose(ours.coef_, reference.coef_, atol=1e-3)


def test_unscaled_and_offset_features_still_reach_the_optimum():
    # Scale and offset are undone exactly by lbfgs's change of variables: the solution on
    # X·s + o is the solution on X with w/s and the intercept shifted by -o·(w/s).
    X, y = make_data(6, 800, 4)
    base = LogisticRegressionGD(solver="lbfgs").fit(X, y)
    scale = np.array([1e-3, 1.0, 1e4, 1e12])
    offset = np.array([0.0, 1e6, -50.0, 0.0])
    moved = LogisticRegressionGD(solver="lbfgs").fit(X * scale + offset, y)
    np.testing.assert_allclose(moved.coef_[0] * scale, base.coef_[0], rtol=1e-4)
    np.testing.assert_allclose(moved.intercept_ + moved.coef_[0] @ offset, base.intercept_, atol=1e-4)
    assert moved.history_["train_loss"].iloc[-1] == pytest.approx(base.history_["train_loss"].iloc[-1], abs=1e-9)


# --- gradient descent's behaviour -----------------------------------------------------


def test_suggested_learning_rate_is_one_over_the_lipschitz_constant():
    X, _ = make_data(7, 200, 3, scales=[0.5, 2.0, 10.0])
    augmented = np.column_stack([X, np.ones(len(X))])
    lipschitz = np.linalg.eigvalsh(augmented.T @ augmented / (4 * len(X)))[-1]
    assert suggested_learning_rate(X) == pytest.approx(1 / lipschitz, rel=1e-12)
    assert suggested_learning_rate(X, l2=0.3) == pytest.approx(1 / (lipschitz + 0.3), rel=1e-12)


def test_suggested_learning_rate_for_wide_data_uses_the_same_eigenvalue():
    rng = np.random.default_rng(8)
    X = rng.normal(size=(400, 300)) + rng.normal(size=300)
    augmented = np.column_stack([X, np.ones(len(X))])
    lipschitz = np.linalg.eigvalsh(augmented.T @ augmented / (4 * len(X)))[-1]
    assert suggested_learning_rate(X) == pytest.approx(1 / lipschitz, rel=1e-8)


@pytest.mark.parametrize("fraction", [1.0, 0.5])
def test_gd_history_never_increases_with_a_step_of_at_most_one_over_L(fraction):
    X, y = make_data(9, 500, 4, base_rate=0.3, scales=[0.5, 1.0, 3.0, 8.0])
    lr = fraction * suggested_learning_rate(X)
    model = LogisticRegressionGD(learning_rate=lr, max_epochs=300, tol=0.0).fit(X, y)
    losses = model.history_["train_loss"].to_numpy()
    assert len(losses) == 300
    assert losses[0] < math.log(2)  # one step below the coin-flip start
    assert np.all(np.diff(losses) <= 1e-15)


def test_too_large_a_learning_rate_is_reported_as_diverged_with_finite_losses():
    X, y = make_data(9, 500, 4, scales=[0.5, 1.0, 3.0, 8.0])
    model = LogisticRegressionGD(learning_rate=100 * suggested_learning_rate(X)).fit(X, y)
    assert model.stop_reason_ == "diverged"
    losses = model.history_["train_loss"]
    assert np.all(np.isfinite(losses))
    assert losses.iloc[-1] > 10 * math.log(2)


def test_stop_reasons_for_epoch_limit_and_convergence():
    X, y = make_data(10, 300, 3)
    limited = LogisticRegressionGD(max_epochs=5, tol=0.0).fit(X, y)
    assert (limited.stop_reason_, limited.n_epochs_) == ("max_epochs", 5)
    converged = LogisticRegressionGD(tol=1e-6).fit(X, y)
    assert converged.stop_reason_ == "converged"
    change = abs(converged.history_["train_loss"].iloc[-1] - converged.history_["train_loss"].iloc[-2])
    assert change < 1e-6 < abs(converged.history_["train_loss"].diff().iloc[1:-1]).min()


def test_mse_loss_trains_by_gd_and_still_records_log_loss():
    X, y = make_data(11, 400, 3)
    model = LogisticRegressionGD(loss="mse", learning_rate=2.0, max_epochs=200).fit(X, y)
    history = model.history_
    z = model.decision_function(X)
    assert history["train_loss"].iloc[-1] == pytest.approx(np.mean((expit(z) - y) ** 2), rel=1e-12)
    assert history["train_log_loss"].iloc[-1] == pytest.approx(sklearn_log_loss(y, expit(z)), rel=1e-10)
    assert history["train_loss"].iloc[-1] < history["train_loss"].iloc[0] < 0.25
    with pytest.raises(DataError, match="mse"):
        LogisticRegressionGD(loss="mse", solver="lbfgs").fit(X, y)


# --- history and callback -------------------------------------------------------------


@pytest.mark.parametrize("solver", ["gd", "lbfgs"])
def test_history_records_every_epoch_with_the_contract_columns(solver):
    X, y = make_data(12, 600, 4, base_rate=0.3)
    X_val, y_val = make_data(13, 300, 4, base_rate=0.3)
    records = []
    model = LogisticRegressionGD(solver=solver, max_epochs=50).fit(
        X, y, X_val=X_val, y_val=y_val, on_epoch=records.append
    )
    history = model.history_
    assert list(history.columns) == list(HISTORY_COLUMNS)
    assert history["epoch"].tolist() == list(range(1, model.n_epochs_ + 1))
    assert pd.DataFrame(records).equals(history)
    last = history.iloc[-1]
    assert last["train_loss"] == pytest.approx(mean_log_loss(model, X, y), rel=1e-10)
    assert last["train_log_loss"] == last["train_loss"]
    assert last["val_log_loss"] == pytest.approx(mean_log_loss(model, X_val, y_val), rel=1e-10)
    assert last["train_accuracy"] == pytest.approx(accuracy_score(y, model.predict(X)))
    assert last["val_accuracy"] == pytest.approx(accuracy_score(y_val, model.predict(X_val)))


def test_history_without_validation_has_nan_validation_columns():
    X, y = make_data(14, 200, 2)
    history = LogisticRegressionGD(max_epochs=10).fit(X, y).history_
    assert history[["val_log_loss", "val_accuracy"]].isna().all().all()
    assert history[["train_loss", "train_log_loss", "train_accuracy"]].notna().all().all()


def test_callback_returning_false_stops_and_keeps_that_epochs_model():
    X, y = make_data(15, 300, 3)
    seen = []

    def stop_after_three(record):
        seen.append(record["epoch"])
        return record["epoch"] < 3

    stopped = LogisticRegressionGD().fit(X, y, on_epoch=stop_after_three)
    assert seen == [1, 2, 3]
    assert (stopped.stop_reason_, stopped.n_epochs_) == ("stopped", 3)
    three_epochs = LogisticRegressionGD(max_epochs=3, tol=0.0).fit(X, y)
    np.testing.assert_array_equal(stopped.coef_, three_epochs.coef_)
    # returning None (no opinion) keeps training
    assert LogisticRegressionGD(max_epochs=8, tol=0.0).fit(X, y, on_epoch=lambda r: None).n_epochs_ == 8


def test_lbfgs_callback_stop():
    X, y = make_data(16, 400, 5)
    model = LogisticRegressionGD(solver="lbfgs").fit(X, y, on_epoch=lambda r: r["epoch"] < 2)
    assert (model.stop_reason_, model.n_epochs_) == ("stopped", 2)
    assert model.history_["train_loss"].iloc[-1] == pytest.approx(mean_log_loss(model, X, y), rel=1e-10)


# --- awkward but valid data -----------------------------------------------------------


@pytest.mark.parametrize("solver,final_loss_below", [("gd", 0.1), ("lbfgs", 1e-3)])
def test_separable_data_without_penalty_stays_finite(solver, final_loss_below):
    # The optimum is at infinity: weights grow and the loss heads to 0 without overflowing.
    rng = np.random.default_rng(17)
    X = rng.normal(size=(200, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    model = LogisticRegressionGD(solver=solver, l2=0.0, max_epochs=2000).fit(X, y)
    values = model.history_.drop(columns=["val_log_loss", "val_accuracy"]).to_numpy()
    assert np.all(np.isfinite(values))
    assert np.all(np.isfinite(model.coef_)) and np.isfinite(model.intercept_).all()
    assert model.history_["train_accuracy"].iloc[-1] == 1.0
    assert model.history_["train_loss"].iloc[-1] < final_loss_below
    assert np.all(np.isfinite(model.predict_proba(X * 1e6)))


def test_constant_feature_is_harmless():
    X, y = make_data(18, 400, 3)
    X_const = np.column_stack([X, np.full(len(X), 7.0)])
    model = LogisticRegressionGD(solver="lbfgs", l2=1e-2).fit(X_const, y)
    reference = LogisticRegressionGD(solver="lbfgs", l2=1e-2).fit(X, y)
    # the penalty pushes the constant's weight into the (free) intercept
    assert abs(model.coef_[0, 3]) < 1e-6
    assert mean_log_loss(model, X_const, y) == pytest.approx(mean_log_loss(reference, X, y), abs=1e-9)
    # GD crawls along the constant/intercept direction but stays finite and heads the same way
    gd = LogisticRegressionGD(l2=1e-2, learning_rate="auto", max_epochs=500).fit(X_const, y)
    assert np.all(np.isfinite(gd.history_["train_loss"]))
    assert mean_log_loss(gd, X_const, y) == pytest.approx(mean_log_loss(reference, X, y), abs=1e-3)


def test_huge_feature_values_give_finite_losses_with_gd():
    X, y = make_data(19, 300, 3)
    model = LogisticRegressionGD().fit(X * 1e12, y)
    assert model.stop_reason_ == "diverged"  # 0.5 is far too large a step for these units
    assert np.all(np.isfinite(model.history_["train_loss"]))
    assert np.all(np.isfinite(model.predict_proba(X * 1e12)))


def test_float32_input_gives_the_float64_answer():
    X, y = make_data(20, 500, 4)
    X32 = X.astype(np.float32)
    from32 = LogisticRegressionGD(solver="lbfgs").fit(X32, y)
    from64 = LogisticRegressionGD(solver="lbfgs").fit(X32.astype(np.float64), y)
    np.testing.assert_allclose(from32.coef_, from64.coef_, rtol=1e-12)
    assert from32.predict_proba(X32).dtype == np.float64


def test_single_feature_matches_sklearn():
    X, y = make_data(21, 500, 1)
    ours = LogisticRegressionGD(solver="lbfgs").fit(X, y)
    np.testing.assert_allclose(ours.coef_, sklearn_reference(X, y, 0.0).coef_, atol=1e-4)


def test_dataframe_and_text_labels():
    X, y = make_data(22, 300, 2)
    frame = pd.DataFrame(X, columns=["age", "income"])
    labels = np.where(y == 1, "yes", "no")
    model = LogisticRegressionGD(solver="lbfgs").fit(frame, pd.Series(labels))
    assert model.classes_.tolist() == ["no", "yes"]
    assert model.feature_names_in_.tolist() == ["age", "income"]
    numeric = LogisticRegressionGD(solver="lbfgs").fit(X, y)
    np.testing.assert_allclose(model.coef_, numeric.coef_)
    assert set(model.predict(frame)) <= {"no", "yes"}


# --- prediction -----------------------------------------------------------------------


def test_predictions_follow_the_probability_at_least_one_half_rule():
    X, y = make_data(23, 400, 3)
    model = LogisticRegressionGD(solver="lbfgs").fit(X, y)
    proba = model.predict_proba(X)
    assert proba.shape == (400, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    np.testing.assert_allclose(proba[:, 1], expit(X @ model.coef_[0] + model.intercept_[0]), rtol=1e-14)
    np.testing.assert_array_equal(model.predict(X), (proba[:, 1] >= 0.5).astype(int))
    # a point exactly on the boundary (logit 0, probability 0.5) is positive
    exact = LogisticRegressionGD()
    exact.classes_, exact.n_features_in_ = np.array([0, 1]), 1
    exact.coef_, exact.intercept_ = np.array([[2.0]]), np.array([-1.0])
    assert exact.predict(np.array([[0.5]])).tolist() == [1]
    assert exact.predict_proba(np.array([[0.5]]))[0, 1] == 0.5


# --- scikit-learn conventions ---------------------------------------------------------


def test_clone_get_params_and_cross_validation():
    model = LogisticRegressionGD(learning_rate=0.1, max_epochs=50, l2=0.01, tol=1e-5, solver="lbfgs", loss="log")
    params = model.get_params()
    assert params == dict(learning_rate=0.1, max_epochs=50, l2=0.01, tol=1e-5, solver="lbfgs", loss="log")
    copy = clone(model)
    assert copy.get_params() == params and copy is not model
    assert clone(model.set_params(l2=0.5)).l2 == 0.5
    X, y = make_data(24, 300, 3)
    scores = cross_val_score(LogisticRegressionGD(solver="lbfgs"), X, y, cv=3)
    reference = cross_val_score(LogisticRegression(C=np.inf), X, y, cv=3)
    np.testing.assert_allclose(scores, reference)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")  # array-API checks need SCIPY_ARRAY_API
def test_passes_sklearn_estimator_checks():
    from sklearn.utils.estimator_checks import check_estimator

    deliberate = {
        # numbers stored as objects are accepted, other objects raise DataError (a ValueError), not TypeError
        "check_dtype_object": "DataError is the one error type pages show",
        # a (n, 1) column of labels is accepted without a DataConversionWarning
        "check_supervised_y_2d": "a label column is a normal input here",
    }
    results = check_estimator(LogisticRegressionGD(solver="lbfgs"), on_fail=None, expected_failed_checks=deliberate)
    failed = [r["check_name"] for r in results if r["status"] == "failed"]
    assert failed == []
    assert sum(r["status"] == "passed" for r in results) > 40


# --- invalid input --------------------------------------------------------------------


def _fit(X=None, y=None, **params):
    X0, y0 = make_data(25, 50, 2)
    return LogisticRegressionGD(**params).fit(X0 if X is None else X, y0 if y is None else y)


@pytest.mark.parametrize(
    "params,message",
    [
        ({"learning_rate": 0}, "learning_rate"),
        ({"learning_rate": -1.0}, "learning_rate"),
        ({"learning_rate": float("nan")}, "learning_rate"),
        ({"learning_rate": "fast"}, "learning_rate"),
        ({"l2": -0.1}, "l2"),
        ({"tol": float("inf")}, "tol"),
        ({"max_epochs": 0}, "max_epochs"),
        ({"max_epochs": 2.5}, "max_epochs"),
        ({"solver": "sgd"}, "solver"),
        ({"loss": "hinge"}, "loss"),
    ],
)
def test_invalid_parameters_raise_data_error(params, message):
    with pytest.raises(DataError, match=message):
        _fit(**params)


def test_invalid_data_raise_data_error_with_plain_messages():
    X, y = make_data(26, 50, 2)
    with_nan = X.copy()
    with_nan[3, 1] = np.nan
    with pytest.raises(DataError, match="missing or infinite.*row 3, column 1"):
        _fit(with_nan, y)
    with_inf = X.copy()
    with_inf[0, 0] = np.inf
    with pytest.raises(DataError, match="infinite"):
        _fit(with_inf, y)
    with pytest.raises(DataError, match=r"only one class \(1\.0\)"):
        _fit(X, np.ones(50))
    with pytest.raises(DataError, match=r"exactly two classes.*found 3 \(0, 1, 2\)"):
        _fit(X, np.arange(50) % 3)
    with pytest.raises(DataError, match="sparse"):
        _fit(scipy.sparse.csr_matrix(X), y)
    with pytest.raises(DataError, match="requires y"):
        LogisticRegressionGD().fit(X, None)
    with pytest.raises(DataError, match="49 labels but X has 50 rows"):
        _fit(X, y[:-1])
    with pytest.raises(DataError, match="missing label"):
        _fit(X, np.where(y == 1, 1.0, np.nan))
    with pytest.raises(DataError, match="2-D"):
        _fit(X[:, 0], y)
    with pytest.raises(DataError, match="numbers"):
        _fit(np.array([["a", "b"]] * 50), y)
    frame = pd.DataFrame({"amount": pd.array([1.0, None] * 25, dtype="Float64"), "plan": ["a", "b"] * 25})
    with pytest.raises(DataError, match="non-numeric column.*'plan'"):
        _fit(frame, y)
    with pytest.raises(DataError, match="1 missing or infinite.*row 1, column 0"):
        _fit(frame[["amount"]].iloc[:2], y[:2])
    with pytest.raises(DataError, match="X_val"):
        LogisticRegressionGD().fit(X, y, X_val=X)
    with pytest.raises(DataError, match="features"):
        LogisticRegressionGD().fit(X, y, X_val=X[:, :1], y_val=y)
    with pytest.raises(DataError, match="not seen in y"):
        LogisticRegressionGD().fit(X, y, X_val=X, y_val=y + 5)
    model = LogisticRegressionGD(max_epochs=3).fit(X, y)
    with pytest.raises(DataError, match="expecting 2 features"):
        model.predict(np.ones((2, 3)))


# --- BLAS threads ---------------------------------------------------------------------


def _blas_threads():
    from threadpoolctl import threadpool_info

    return [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]


def test_fits_run_blas_single_threaded_and_restore_the_setting_even_when_concurrent():
    import threading

    X, y = make_data(27, 2000, 4)
    before = _blas_threads()
    during = []
    LogisticRegressionGD(max_epochs=2, tol=0.0).fit(X, y, on_epoch=lambda r: during.append(_blas_threads()))
    assert during and all(threads == [1] * len(before) for threads in during)
    assert _blas_threads() == before

    during.clear()
    # Overlapping fits in two threads, the first to start finishing first while its thread
    # lives on: the second (not the first) must put the setting back.
    a_running, b_running, a_done, release_a = (threading.Event() for _ in range(4))

    def first():
        def on_epoch(record):
            during.append(_blas_threads())
            a_running.set()
            b_running.wait(60)
            return False

        LogisticRegressionGD().fit(X, y, on_epoch=on_epoch)
        a_done.set()
        release_a.wait(60)

    def second():
        a_running.wait(60)

        def on_epoch(record):
            b_running.set()
            a_done.wait(60)
            during.append(_blas_threads())  # still limited after the first fit left
            return False

        LogisticRegressionGD(solver="lbfgs").fit(X, y, on_epoch=on_epoch)

    a, b = threading.Thread(target=first), threading.Thread(target=second)
    a.start()
    b.start()
    b.join(120)
    try:
        assert a_done.is_set() and not b.is_alive()
        assert during == [[1] * len(before)] * 2
        assert _blas_threads() == before
    finally:
        release_a.set()
        a.join(120)


# --- per-epoch weight snapshots ----------------------------------------------------------------

from core.model import MAX_SNAPSHOTS  # noqa: E402


@pytest.mark.parametrize("solver", ["gd", "lbfgs"])
def test_a_short_run_keeps_every_epoch_and_each_equals_a_fit_stopped_there(solver):
    X, y = make_data(11, 400, 5)
    model = LogisticRegressionGD(learning_rate=0.5, max_epochs=60, tol=0.0, l2=0.01, solver=solver).fit(X, y)
    n = model.n_epochs_
    np.testing.assert_array_equal(model.snapshot_epochs_, np.arange(1, n + 1))
    assert model.coef_history_.shape == (n, 5) and model.intercept_history_.shape == (n,)
    np.testing.assert_array_equal(model.coef_history_[-1], model.coef_[0])
    assert model.intercept_history_[-1] == model.intercept_[0]
    for epoch in sorted({1, 2, n // 2, n - 1}):
        fresh = LogisticRegressionGD(learning_rate=0.5, max_epochs=epoch, tol=0.0, l2=0.01, solver=solver).fit(X, y)
        kept, coef, intercept = model.weights_at(epoch)
        assert kept == epoch
        np.testing.assert_allclose(coef, fresh.coef_[0], rtol=0, atol=1e-12)
        assert intercept == pytest.approx(fresh.intercept_[0], rel=0, abs=1e-12)


def test_a_long_run_keeps_a_few_hundred_evenly_spaced_snapshots():
    X, y = make_data(12, 200, 3)
    epochs = 3 * MAX_SNAPSHOTS + 7
    model = LogisticRegressionGD(learning_rate=0.05, max_epochs=epochs, tol=0.0).fit(X, y)
    kept = model.snapshot_epochs_
    assert model.n_epochs_ == epochs and kept[0] == 1 and kept[-1] == epochs
    assert MAX_SNAPSHOTS // 2 <= len(kept) <= MAX_SNAPSHOTS + 2
    inner = np.diff(kept[1:-1])
    assert np.all(inner == inner[0]), "the kept epochs are not evenly spaced"
    assert kept[-1] - kept[-2] <= inner[0] and kept[1] - kept[0] <= inner[0]
    for i in (1, len(kept) // 3, len(kept) - 2):
        epoch = int(kept[i])
        fresh = LogisticRegressionGD(learning_rate=0.05, max_epochs=epoch, tol=0.0).fit(X, y)
        np.testing.assert_allclose(model.coef_history_[i], fresh.coef_[0], rtol=0, atol=1e-12)
    # between snapshots, weights_at answers with the latest one at or before the epoch
    between = int(kept[5]) + 1
    assert model.weights_at(between)[0] == kept[5]
    assert model.weights_at(10**9)[0] == epochs and model.weights_at(0)[0] == 1


def test_a_run_stopped_by_its_callback_keeps_snapshots_up_to_the_stop():
    X, y = make_data(13, 300, 4)
    model = LogisticRegressionGD(learning_rate=0.5, max_epochs=100).fit(X, y, on_epoch=lambda r: r["epoch"] < 9)
    assert model.stop_reason_ == "stopped"
    np.testing.assert_array_equal(model.snapshot_epochs_, np.arange(1, 10))
    np.testing.assert_array_equal(model.coef_history_[-1], model.coef_[0])


@pytest.mark.parametrize("unit", [1e100, 1e200, 1e-200])
def test_lbfgs_finds_the_same_model_whatever_unit_a_feature_is_in(unit):
    # The change of variables is exact, so a column in other units gives coefficients in those
    # units and the same predictions; a spread above ~1e154 once overflowed the column's sum of
    # squares and the fit stopped at w = 0 as if converged.
    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 2))
    y = (rng.random(400) < 1 / (1 + np.exp(-(X @ [1.5, -1.0] + 0.3)))).astype(int)
    plain = LogisticRegressionGD(solver="lbfgs").fit(X, y)
    scaled = LogisticRegressionGD(solver="lbfgs").fit(X * unit, y)
    np.testing.assert_allclose(scaled.coef_ * unit, plain.coef_, rtol=1e-6)
    np.testing.assert_allclose(scaled.intercept_, plain.intercept_, rtol=1e-6)
    assert abs(plain.coef_[0][0]) > 1  # a real slope, not the starting point
