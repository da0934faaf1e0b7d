"""Train page: the numbers shown are core's numbers on the same split; bad settings never crash."""

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score
from sklearn.metrics import log_loss as sk_log_loss

from core.data import describe_data
from core.features import prepare_features
from core.model import LogisticRegressionGD
from pages import _ui
from tests.app.conftest import (
    assert_ok,
    choose_features,
    choose_mode,
    errors,
    find,
    goto,
    has,
    metric,
    set_widget,
    start,
    stored,
    train,
)

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


# --- Playback, Replay and the Epoch scrubber ---------------------------------------------------


def _specs(at):
    """The Vega-Lite dict specs on the page (the curves, the comparison), parsed."""
    return [json.loads(e.proto.spec) for e in at.get("vega_lite_chart")]


def _curve_marker(spec):
    """(marker epoch, {split: value}) of a curve spec drawn with a marker, else None."""
    layers = spec.get("layer", [])
    rules = [l for l in layers if l.get("mark", {}).get("type") == "rule" and l["encoding"].get("x")]
    dots = [l for l in layers if l.get("mark", {}).get("type") == "point"]
    if not rules:
        return None
    return rules[0]["data"]["values"][0]["epoch"], {r["split"]: r["value"] for r in dots[0]["data"]["values"]}


def test_playback_replay_and_epoch_widgets_exist(trained):
    at = trained
    playback = find(at, "radio", "Playback")
    assert list(playback.options) == ["Live", "Watchable", "Step by step"]
    assert find(at, "button", "Replay")
    slider = find(at, "slider", "Epoch")
    n = len(stored(at, "model").history)
    assert (slider.min, slider.max, slider.value) == (1, n, n)


def test_a_fresh_session_plays_watchable_by_default():
    at = start()
    goto(at, "train")
    assert find(at, "radio", "Playback").value == "Watchable"
    assert not has(at, "slider", "Epoch")
    find(at, "button", "Replay").click()  # nothing to replay yet
    assert_ok(at.run())
    assert any("Nothing to replay yet" in i.value for i in at.info) and stored(at, "model") is None


def test_the_scrubber_shows_history_and_the_weights_of_a_fit_stopped_at_that_epoch():
    at = start()
    train(at, epochs=40)
    model = stored(at, "model")
    history = model.history
    prepared = _core_split(at)
    for epoch in (1, 10, 27):
        find(at, "slider", "Epoch").set_value(epoch)
        assert_ok(at.run())
        row = history.iloc[epoch - 1]
        assert row["epoch"] == epoch
        losses = [m.value for m in at.metric if m.label == "Log-loss at this epoch"]
        accuracies = [m.value for m in at.metric if m.label == "Accuracy at this epoch"]
        assert losses == [f"{row['train_log_loss']:.3f}", f"{row['val_log_loss']:.3f}"]
        assert accuracies == [f"{row['train_accuracy']:.3f}", f"{row['val_accuracy']:.3f}"]
        # the coefficient table is the model of a fresh fit stopped at that epoch
        fresh = LogisticRegressionGD(
            learning_rate=model.params["learning_rate"], max_epochs=epoch, l2=model.params["l2"]
        ).fit(prepared.X_train, prepared.y_train)
        table = next(d.value for d in at.dataframe if "odds_ratio" in d.value.columns)
        weights = dict(zip(prepared.feature_names, fresh.coef_[0]))
        np.testing.assert_allclose(table["weight"], [weights[f] for f in table["feature"]], rtol=0, atol=1e-12)
        assert any(h.value == f"What the model knew at epoch {epoch:,}" for h in at.subheader)
        # both curves carry the marker at that epoch, with the history's values
        markers = [m for m in map(_curve_marker, _specs(at)) if m is not None]
        assert len(markers) == 2
        loss_marker, accuracy_marker = markers
        assert loss_marker == (epoch, {"training": row["train_log_loss"], "validation": row["val_log_loss"]})
        assert accuracy_marker == (epoch, {"training": row["train_accuracy"], "validation": row["val_accuracy"]})
    # the final metrics still describe the finished model
    assert metric(at, "Validation log-loss") == f"{history['val_log_loss'].iloc[-1]:.3f}"


def test_watchable_draws_over_seconds_and_live_does_not():
    import time

    at = start()
    goto(at, "train")
    started = time.perf_counter()
    train(at, epochs=30, playback="Watchable")
    watchable = time.perf_counter() - started
    model = stored(at, "model").model
    started = time.perf_counter()
    train(at, epochs=30, playback="Live")
    live = time.perf_counter() - started
    assert watchable >= 3.5, f"Watchable drew a 30-epoch run in {watchable:.2f} s"
    assert live < watchable, f"Live took {live:.2f} s against Watchable's {watchable:.2f} s"
    np.testing.assert_array_equal(stored(at, "model").model.coef_, model.coef_)  # pace changes the drawing only


def test_replay_redraws_the_run_without_training_again():
    import time

    at = start()
    train(at, epochs=25)
    model = stored(at, "model")
    find(at, "slider", "Epoch").set_value(5)
    assert_ok(at.run())
    find(at, "radio", "Playback").set_value("Watchable")
    started = time.perf_counter()
    find(at, "button", "Replay").click()
    assert_ok(at.run())
    assert time.perf_counter() - started >= 3.5  # drawn at the chosen pace
    assert stored(at, "model") is model  # the very same model: nothing was retrained
    assert find(at, "slider", "Epoch").value == len(model.history)  # the slider starts again at the end
    assert stored(at, "training") is None


def _pending(at, epoch, complete):
    dataset, setup = stored(at, "dataset"), stored(at, "setup")
    params = dict(stored(at, "model").params)
    return {"key": _ui.setup_key(dataset, setup), "params": params, "epoch": epoch, "complete": complete}


def test_stop_during_playback_keeps_the_model_at_the_epoch_on_screen():
    at = start()
    train(at, epochs=30)
    # what a playback records at each redraw, the fit having finished, as if Stop cut it at epoch 12
    at.session_state[_ui.SESSION_KEYS["training"]] = _pending(at, 12, True)
    at.session_state["train.stop_requested"] = True
    at.run()
    model = stored(at, "model")
    assert len(model.history) == 12 and model.params["max_epochs"] == 12
    assert any("stopped at epoch 12" in i.value for i in at.info)
    prepared = _core_split(at)
    expected = LogisticRegressionGD(
        learning_rate=model.params["learning_rate"], max_epochs=12, l2=model.params["l2"]
    ).fit(prepared.X_train, prepared.y_train)
    np.testing.assert_allclose(model.model.coef_, expected.coef_, rtol=0, atol=1e-12)
    np.testing.assert_allclose(stored(at, "evaluation").scores, expected.predict_proba(prepared.X_val)[:, 1])


def test_a_drawing_cut_short_without_stop_keeps_the_finished_model():
    at = start()
    train(at, epochs=30)
    model = stored(at, "model")
    at.session_state[_ui.SESSION_KEYS["training"]] = _pending(at, 12, True)  # e.g. another widget was moved
    at.run()
    assert stored(at, "model") is model and stored(at, "training") is None
    assert not any("stopped at epoch" in i.value for i in at.info)


def test_the_mse_comparison_is_drawn_beside_the_log_loss_run():
    at = start()
    train(at, epochs=20, compare=True)
    model = stored(at, "model")
    assert any(h.value.startswith("Log-loss versus MSE-with-sigmoid") for h in at.subheader)
    comparison = next(s for s in _specs(at) if s.get("encoding", {}).get("color", {}).get("field") == "run")
    assert comparison["encoding"]["color"]["scale"]["domain"] == ["Trained on log-loss", "Trained on MSE"]
    assert len(model.mse_history) == 20


# --- Cross-validation --------------------------------------------------------------------------

from core.contract import describe_data as _describe_cv  # noqa: E402
from core.costs import CostMatrix  # noqa: E402
from core.features import prepare_folds  # noqa: E402
from core.setup import validation_reason  # noqa: E402
from core.validation import cross_validate, threshold_spread  # noqa: E402
from tests.app.conftest import make_csv, upload_csv  # noqa: E402

FEATURES = ["income", "debt", "colour"]


def _small_session(n: int, seed: int = 1):
    at = start()
    upload_csv(at, make_csv(n=n, seed=seed))
    choose_mode(at, _ui.MODE_TRAIN)
    choose_features(at, FEATURES)
    return goto(at, "train")


def _core_cv(at, k=5, repeats=1, test_share=None):
    """The cross-validation core makes for the session's table and the page's parameters, built here."""
    dataset, setup, model = stored(at, "dataset"), stored(at, "setup"), stored(at, "model")
    report = _describe_cv(dataset.df, setup.target, setup.positive_class, setup.feature_columns, validation="cv")
    folded = prepare_folds(dataset.df, report, k=k, repeats=repeats, seed=0, test_share=test_share)
    params = model.params
    return folded, cross_validate(folded, lambda: LogisticRegressionGD(
        learning_rate=params["learning_rate"], max_epochs=params["max_epochs"], l2=params["l2"]))


@pytest.mark.parametrize("n", [32, 200])
def test_a_small_table_cross_validates_by_default_and_every_row_gets_an_out_of_fold_score(n):
    at = _small_session(n)
    validation = find(at, "radio", "Validation")
    assert validation.options == ["Hold-out split (60/20/20)", "Cross-validation (k folds)"]
    assert validation.value == "Cross-validation (k folds)"
    dataset = stored(at, "dataset")
    y = (dataset.df["defaulted"] == "yes").to_numpy()
    assert any(c.value == validation_reason(n, int(y.sum()), int((~y).sum())) for c in at.caption)
    assert find(at, "number_input", "Folds").value == 5 and find(at, "number_input", "Repeats").value == 1
    find(at, "number_input", "Epochs").set_value(60)
    find(at, "button", "Train").click()
    assert_ok(at.run())

    folded, cv = _core_cv(at)
    evaluation, model = stored(at, "evaluation"), stored(at, "model")
    assert len(evaluation.scores) == n and "out-of-fold" in evaluation.label
    np.testing.assert_array_equal(evaluation.y, folded.y)
    np.testing.assert_allclose(evaluation.scores, cv.oof, rtol=0, atol=1e-12)
    np.testing.assert_allclose(model.model.coef_, cv.final.coef_, rtol=0, atol=1e-12)  # refit on all rows
    assert model.params["validation"] == "cv" and len(model.prepared.y_train) == n
    assert metric(at, "Validation log-loss") == f"{sk_log_loss(folded.y, cv.oof):.3f}"
    folds_table = next(d.value for d in at.dataframe if "held-out rows" in d.value.columns)
    assert folds_table["held-out rows"].sum() == n and len(folds_table) == 5
    # the live chart's final drawing: every fold's curves and their mean
    layers = _specs(at)[0]["layer"]
    assert sorted({r["fold"] for r in layers[0]["data"]["values"]}) == [f"fold {i}" for i in range(1, 6)]
    assert {r["fold"] for r in layers[1]["data"]["values"]} == {"mean of the folds"}

    goto(at, "threshold")
    assert not at.exception and not errors(at)
    assert any("out-of-fold" in e.value for kind in ("caption", "markdown", "info") for e in getattr(at, kind))


def test_the_report_shows_the_fold_spread_of_the_chosen_threshold():
    from tests.app.test_report_page import save_scenario

    at = _small_session(200)
    find(at, "number_input", "Epochs").set_value(60)
    find(at, "button", "Train").click()
    assert_ok(at.run())
    save_scenario(at, 0.4, "cv")
    goto(at, "report")
    assert not errors(at)
    scenario = stored(at, "scenarios")[0]
    _, cv = _core_cv(at)
    costs = CostMatrix(scenario["fp_cost"], scenario["fn_cost"], scenario["tp_value"], scenario["tn_value"])
    expected = threshold_spread(cv, costs, scenario["threshold"])
    shown = next(d.value for d in at.dataframe if "best_threshold" in d.value.columns)
    pd.testing.assert_frame_equal(shown.reset_index(drop=True), expected, atol=1e-12)
    assert any("chosen on the out-of-fold scores of every row" in c.value for c in at.caption)


def test_the_nested_check_keeps_a_test_split_for_the_report_and_repeats_average():
    at = _small_session(200)
    find(at, "checkbox", "Keep a test split aside (nested check)").set_value(True)
    find(at, "number_input", "Repeats").set_value(2)
    find(at, "number_input", "Folds").set_value(4)
    assert_ok(at.run())
    find(at, "number_input", "Epochs").set_value(40)
    find(at, "button", "Train").click()
    assert_ok(at.run())
    folded, cv = _core_cv(at, k=4, repeats=2, test_share=0.2)
    model, evaluation = stored(at, "model"), stored(at, "evaluation")
    assert len(evaluation.scores) == 160 and len(model.prepared.y_test) == 40
    np.testing.assert_allclose(evaluation.scores, cv.oof, rtol=0, atol=1e-12)
    np.testing.assert_allclose(model.test_scores, cv.final.predict_proba(folded.final.X_test)[:, 1], atol=1e-12)


def test_hold_out_on_a_table_too_small_for_it_says_to_cross_validate():
    at = _small_session(32)
    find(at, "radio", "Validation").set_value("Hold-out split (60/20/20)")
    assert_ok(at.run())
    assert any("Choose *Cross-validation*" in e or "Choose \\*Cross-validation\\*" in e for e in errors(at)), errors(at)
    assert not has(at, "button", "Train")


def test_twenty_rows_with_three_of_a_class_train_with_three_folds_and_fewer_say_what_is_missing():
    at = start()
    upload_csv(at, make_csv(n=20, seed=5, defaulted=["yes"] * 3 + ["no"] * 17))
    choose_mode(at, _ui.MODE_TRAIN)
    choose_features(at, FEATURES)
    goto(at, "train")
    assert find(at, "radio", "Validation").value == "Cross-validation (k folds)"
    assert find(at, "number_input", "Folds").value == 3  # one positive per fold
    find(at, "number_input", "Epochs").set_value(30)
    find(at, "button", "Train").click()
    assert_ok(at.run())
    evaluation = stored(at, "evaluation")
    assert len(evaluation.scores) == 20 and int(evaluation.y.sum()) == 3
    # four folds would leave one without a positive: a plain message, no training
    find(at, "number_input", "Folds").set_value(4)
    assert_ok(at.run())
    assert any("4 folds need at least 4 positive rows" in e for e in errors(at)), errors(at)
    assert not has(at, "button", "Train")


def test_a_hold_out_evaluation_carries_the_amounts_of_exactly_the_validation_rows():
    at = start()  # the loan demo, Amount column preset to loan_amount
    set_widget(at, "multiselect", "Compare with", ["risk_score"])
    train(at, epochs=EPOCHS, validation="Hold-out split (60/20/20)")
    trained, evaluation = stored(at, "model"), stored(at, "evaluation")
    assert trained.params.get("validation") != "cv"
    df, rows = stored(at, "dataset").df, trained.prepared.idx_val
    assert len(rows) == len(trained.prepared.y_val) < len(df)
    assert evaluation.amount_column == "loan_amount"
    np.testing.assert_array_equal(evaluation.amounts, df["loan_amount"].iloc[rows].to_numpy(dtype=float))
    np.testing.assert_array_equal(evaluation.y, np.asarray(trained.prepared.y_val))
    np.testing.assert_array_equal(evaluation.others["risk_score"], df["risk_score"].iloc[rows].to_numpy(dtype=float))
    assert evaluation.primary_name == "Trained model"
    assert evaluation.label == f"validation split ({len(rows):,} rows)"


def _stability_caption(at) -> str:
    goto(at, "threshold")
    assert not errors(at)
    return next(c.value for c in at.caption if "Threshold stability" in c.value)


@pytest.mark.parametrize("nested", [False, True])
def test_the_threshold_stability_note_says_where_the_honest_estimate_is_after_cross_validation(nested):
    at = _small_session(200)
    if nested:
        find(at, "checkbox", "Keep a test split aside (nested check)").set_value(True)
        assert_ok(at.run())
    find(at, "number_input", "Epochs").set_value(40)
    find(at, "button", "Train").click()
    assert_ok(at.run())
    model = stored(at, "model")
    assert model.params["validation"] == "cv" and bool(len(model.prepared.y_test)) is nested
    caption = _stability_caption(at)
    assert "The test split on the **Report** page" not in caption
    assert "out-of-fold scores" in caption
    if nested:
        assert "the test split the nested check kept aside" in caption and "no untouched" not in caption
    else:
        assert "out-of-fold scores of every row, so no untouched test split was kept aside" in caption


def test_the_threshold_stability_note_points_a_hold_out_run_to_the_test_split(trained):
    caption = _stability_caption(trained)
    assert "The test split on the **Report** page is the honest estimate" in caption
    assert "out-of-fold" not in caption
