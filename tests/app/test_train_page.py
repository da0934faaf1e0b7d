"""Train page: the numbers shown are core's numbers on the same split; bad settings never crash."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score
from sklearn.metrics import log_loss as sk_log_loss

from core.data import describe_data
from core.features import prepare_features
from core.model import LogisticRegressionGD
from pages import _ui
from tests.app.conftest import choose_features, choose_mode, errors, find, goto, has, metric, start, stored, train

EPOCHS = 15


def _core_split(at):
    """The split core makes for the session's dataset and setup, built here independently."""
    dataset, setup = stored(at, "dataset"), stored(at, "setup")
    exclude = [dataset.demo.score_column] if dataset.demo is not None else []
    report = describe_data(dataset.df, setup.target, setup.positive_class, setup.feature_columns, exclude=exclude)
    return prepare_features(dataset.df, report)


@pytest.fixture(scope="module")
def trained():
    at = start()
    train(at, epochs=EPOCHS)
    return at


def test_training_shows_core_history_and_metrics(trained):
    at = trained
    model = stored(at, "model")
    prepared = _core_split(at)
    params = model.params
    expected = LogisticRegressionGD(
        learning_rate=params["learning_rate"], max_epochs=EPOCHS, l2=params["l2"], solver="gd"
    ).fit(prepared.X_train, prepared.y_train, X_val=prepared.X_val, y_val=prepared.y_val)
    pd.testing.assert_frame_equal(model.history, expected.history_)
    assert len(model.history) <= EPOCHS

    proba_val = expected.predict_proba(prepared.X_val)[:, 1]
    proba_train = expected.predict_proba(prepared.X_train)[:, 1]
    assert metric(at, "Validation log-loss") == f"{sk_log_loss(prepared.y_val, proba_val):.3f}"
    assert metric(at, "Train log-loss") == f"{sk_log_loss(prepared.y_train, proba_train):.3f}"
    assert metric(at, "Validation accuracy") == f"{accuracy_score(prepared.y_val, proba_val >= 0.5):.3f}"


def test_the_no_model_reference_is_the_base_rate_log_loss(trained):
    prepared = _core_split(trained)
    rate = prepared.y_train.mean()
    reference = sk_log_loss(prepared.y_val, np.full(len(prepared.y_val), rate), labels=[0, 1])
    assert any(f"dashed line ({reference:.3f})" in c.value for c in trained.caption)
    assert any(f"scores {reference:.3f} on the validation rows" in c.value for c in trained.caption)


def test_training_hands_the_validation_split_to_the_threshold_page(trained):
    at = trained
    prepared = _core_split(at)
    model = stored(at, "model")
    evaluation = stored(at, "evaluation")
    np.testing.assert_array_equal(evaluation.y, prepared.y_val)
    np.testing.assert_allclose(evaluation.scores, model.model.predict_proba(prepared.X_val)[:, 1])
    np.testing.assert_allclose(model.test_scores, model.model.predict_proba(prepared.X_test)[:, 1])
    assert evaluation.is_probability and "validation" in evaluation.label
    assert len(evaluation.scores) == len(prepared.y_val)


def test_the_suggested_learning_rate_is_the_default_and_is_shown(trained):
    from core.model import suggested_learning_rate

    at = trained
    prepared = _core_split(at)
    l2 = find(at, "number_input", "L2 penalty").value
    safe = suggested_learning_rate(prepared.X_train, l2)
    assert any(f"{safe:.4f}" in c.value for c in at.caption)
    assert find(at, "number_input", "Learning rate").value <= safe


def test_coefficients_are_listed_by_feature_name_largest_first(trained):
    at = trained
    model = stored(at, "model")
    table = next(d.value for d in at.dataframe if "odds_ratio" in d.value.columns)
    weights = dict(zip(model.prepared.feature_names, model.model.coef_[0]))
    assert sorted(table["feature"]) == sorted(weights)
    np.testing.assert_allclose(table["weight"], [weights[f] for f in table["feature"]])
    np.testing.assert_allclose(table["odds_ratio"], np.exp(table["weight"]))
    assert list(np.abs(table["weight"])) == sorted(np.abs(table["weight"]), reverse=True)


def test_the_page_remembers_the_model_after_a_visit_elsewhere(trained):
    at = trained
    goto(at, "learn")
    goto(at, "train")
    assert find(at, "number_input", "Epochs").value == EPOCHS
    assert metric(at, "Validation log-loss")


def test_a_too_large_learning_rate_shows_the_divergence_and_why():
    at = start()
    train(at, epochs=60, learning_rate=500.0, l2=0.0)
    model = stored(at, "model")
    assert model.model.stop_reason_ == "diverged"
    text = " ".join(errors(at))
    assert "overshoots" in text and "learning rate" in text
    # the validation gap of a diverged run is not overfitting: no advice about L2 or features
    assert not any("overfitting" in w.value for w in at.warning)
    assert stored(at, "evaluation") is None  # the Threshold page is not fed a broken model
    goto(at, "threshold")


def test_lbfgs_and_the_mse_comparison():
    at = start()
    train(at, epochs=25, solver="lbfgs", compare=True)
    model = stored(at, "model")
    assert model.params["solver"] == "lbfgs"
    prepared = _core_split(at)
    mse = LogisticRegressionGD(
        learning_rate=model.params["learning_rate"], max_epochs=25, l2=model.params["l2"], loss="mse"
    ).fit(prepared.X_train, prepared.y_train, X_val=prepared.X_val, y_val=prepared.y_val)
    pd.testing.assert_frame_equal(model.mse_history, mse.history_)
    summary = next(d.value for d in at.dataframe if "model" in d.value.columns)
    assert summary["model"].tolist() == ["Trained on log-loss", "Trained on MSE"]
    assert summary["validation log-loss"].iloc[1] == pytest.approx(mse.history_["val_log_loss"].iloc[-1])


def test_a_run_cut_short_keeps_the_model_after_the_last_finished_epoch():
    at = start()
    goto(at, "train")
    dataset, setup = stored(at, "dataset"), stored(at, "setup")
    params = {"learning_rate": 0.5, "max_epochs": 200, "l2": 0.0, "solver": "gd"}
    # what a live run records at each redraw, as if the Stop button had cut it off at epoch 7
    at.session_state[_ui.SESSION_KEYS["training"]] = {"key": _ui.setup_key(dataset, setup), "params": params, "epoch": 7}
    at.run()
    model = stored(at, "model")
    assert len(model.history) == 7 and model.params["max_epochs"] == 7
    assert any("stopped at epoch 7" in i.value for i in at.info)
    assert stored(at, "training") is None
    prepared = _core_split(at)
    expected = LogisticRegressionGD(learning_rate=0.5, max_epochs=7, l2=0.0).fit(prepared.X_train, prepared.y_train)
    np.testing.assert_allclose(model.model.coef_, expected.coef_)


def test_use_my_scores_mode_points_back_to_the_data_page():
    at = start()
    choose_mode(at, _ui.MODE_SCORES)
    goto(at, "train")
    assert not has(at, "button", "Train")
    assert any("Use my scores" in i.value for i in at.info)


def test_no_setup_points_back_to_the_data_page():
    at = start()
    choose_features(at, [])
    goto(at, "train")
    assert not has(at, "button", "Train")
    assert any("Data page" in i.value for i in at.info) and not errors(at)
