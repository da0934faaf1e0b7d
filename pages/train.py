"""Train: fit a logistic regression and watch the cost fall, epoch by epoch."""

import math
import time

import numpy as np
import pandas as pd
import streamlit as st

from core import lesson
from core.errors import DataError
from core.model import STOP_REASONS, LogisticRegressionGD, suggested_learning_rate
from core.training_charts import coefficient_chart, coefficient_frame, comparison_spec, curve_spec
from pages import _ui

SOLVERS = {
    "gd": "Gradient descent: one small step per epoch (watch it learn)",
    "lbfgs": "L-BFGS: a fast solver that jumps to the best weights",
}
# Redraws cost a few milliseconds each; ten a second looks live and keeps epochs fast, and
# a few hundred points per curve keep the browser from falling behind the training.
_REDRAW_SECONDS = 0.1
_LIVE_POINTS = 300


def _round_down(value: float) -> float:
    """``value`` rounded down to two significant digits, so the default step is at most 1/L."""
    if not (value > 0 and math.isfinite(value)):
        return 0.1
    scale = 10 ** (math.floor(math.log10(value)) - 1)
    return math.floor(value / scale) * scale


def _fit(prepared, params: dict, loss: str = "log", on_epoch=None) -> LogisticRegressionGD:
    model = LogisticRegressionGD(
        learning_rate=params["learning_rate"],
        max_epochs=params["max_epochs"],
        l2=params["l2"],
        solver=params["solver"] if loss == "log" else "gd",
        loss=loss,
    )
    return model.fit(prepared.X_train, prepared.y_train, X_val=prepared.X_val, y_val=prepared.y_val, on_epoch=on_epoch)


def _live_fit(
    prepared, params: dict, key: str, loss_slot, accuracy_slot, baseline: float, loss: str = "log"
) -> LogisticRegressionGD:
    """Fit while redrawing the curves and the progress bar, at most ten times a second.

    Every redraw also records how far training got, so a run cut short (the Stop button,
    leaving the page) can be finished as the model after that many epochs; see
    :func:`_finish_interrupted_run`.
    """
    total = params["max_epochs"]
    what = "log-loss model" if loss == "log" else "MSE model (for comparison)"
    progress = st.progress(0.0, text=f"Training the {what}…")
    records: list[dict] = []
    last_draw = [0.0]

    def on_epoch(record: dict):
        records.append(record)
        now = time.perf_counter()
        if now - last_draw[0] < _REDRAW_SECONDS and record["epoch"] < total:
            return None
        last_draw[0] = now
        for slot, metric in ((loss_slot, "log_loss"), (accuracy_slot, "accuracy")):
            reference = baseline if metric == "log_loss" else None
            spec = curve_spec(records, metric, total_epochs=total, max_points=_LIVE_POINTS, reference=reference)
            slot.vega_lite_chart(spec, width="stretch")
        progress.progress(
            min(record["epoch"] / total, 1.0),
            text=f"Epoch {record['epoch']:,} of {total:,}: validation log-loss {record['val_log_loss']:.3f}",
        )
        if loss == "log":
            _ui.set_training_in_progress({"key": key, "params": params, "epoch": record["epoch"]})
        return None

    model = _fit(prepared, params, loss, on_epoch)
    progress.empty()
    return model


def _store(prepared, params: dict, model: LogisticRegressionGD, mse_history=None) -> None:
    """Keep the model; hand its validation scores to the Threshold page when it trained properly."""
    val_scores = model.predict_proba(prepared.X_val)[:, 1]
    test_scores = model.predict_proba(prepared.X_test)[:, 1]
    _ui.set_model(
        _ui.TrainedModel(
            model=model,
            prepared=prepared,
            params=dict(params),
            history=model.history_,
            val_scores=val_scores,
            test_scores=test_scores,
            mse_history=mse_history,
        )
    )
    usable = model.stop_reason_ != "diverged" and np.all(np.isfinite(val_scores))
    _ui.set_evaluation(
        _ui.Evaluation(
            y=np.asarray(prepared.y_val),
            scores=val_scores,
            is_probability=True,
            label=f"validation split ({len(val_scores):,} rows)",
        )
        if usable
        else None
    )


def _finish_interrupted_run(prepared, key: str) -> int | None:
    """Turn a run that was cut short into the model it had reached; returns its epoch count.

    Full-batch gradient descent (and L-BFGS) is deterministic, so refitting for exactly
    the recorded number of epochs reproduces the weights the run had at that point.
    """
    pending = _ui.get_training_in_progress()
    _ui.set_training_in_progress(None)
    if not pending or pending["key"] != key:
        return None
    params = {**pending["params"], "max_epochs": int(pending["epoch"])}
    _store(prepared, params, _fit(prepared, params))
    return int(pending["epoch"])


def _epochs(count: int) -> str:
    return f"{count:,} epoch" + ("" if count == 1 else "s")


def _results(trained: _ui.TrainedModel, positive: str, baseline: float) -> None:
    model, history = trained.model, trained.history
    last = history.iloc[-1]
    reason = model.stop_reason_
    if reason == "diverged":
        st.error(
            f"Training went wrong: the cost went **up** instead of down (stopped after {_epochs(len(history))}). "
            f"With a learning rate of {trained.params['learning_rate']:g}, each step overshoots the bottom of "
            "the valley and lands higher up the other side, so every step makes things worse. "
            "Try a learning rate at or below the suggested one above. "
            "The Threshold page keeps waiting for a model that trained properly."
        )
    else:
        st.success(
            f"Trained for {_epochs(len(history))} and stopped because {STOP_REASONS.get(reason, reason)}."
        )
    cols = st.columns(4)
    cols[0].metric(
        "Train log-loss", f"{last['train_log_loss']:.3f}", help="Average penalty on the rows the model learned from."
    )
    cols[1].metric(
        "Validation log-loss",
        f"{last['val_log_loss']:.3f}",
        help="Average penalty on rows the model never saw: the honest number.",
    )
    cols[2].metric("Train accuracy", f"{last['train_accuracy']:.3f}")
    cols[3].metric("Validation accuracy", f"{last['val_accuracy']:.3f}")
    st.caption(
        f"Log-loss is the average penalty per row for the probabilities the model gave: 0 would be perfect "
        f"certainty, and a model that only knows how common {positive} is scores {baseline:.3f} on the "
        "validation rows. Lower is better. Accuracy is the share of rows on the right side of 0.5; the "
        "Threshold page picks a better cut than 0.5."
    )
    gap = last["val_log_loss"] - last["train_log_loss"]
    if reason != "diverged" and math.isfinite(gap) and gap > 0.1:
        st.warning(
            "The validation log-loss is clearly above the training one: the model fits the training rows "
            "better than new ones (overfitting). A larger L2 penalty or fewer feature columns can help."
        )

    st.subheader("What the model learned")
    frame = coefficient_frame(trained.prepared.feature_names, model.coef_)
    left, right = st.columns([2, 3])
    with left:
        st.dataframe(
            frame,
            hide_index=True,
            width="stretch",
            column_config={
                "feature": st.column_config.TextColumn("Feature"),
                "weight": st.column_config.NumberColumn("Weight", format="%.3f"),
                "odds_ratio": st.column_config.NumberColumn("Odds ratio", format="%.3f"),
            },
        )
    with right:
        st.altair_chart(coefficient_chart(frame), width="stretch")
    st.caption(
        f"Largest effects first. A positive weight makes {positive} more likely, a negative one less likely. "
        "Numbers were standardised, so one unit is one standard deviation; categories are yes/no indicators. "
        f"The odds ratio says how the odds of {positive} are multiplied per unit: 2.0 doubles them, 0.5 halves them."
    )

    if trained.mse_history is not None:
        st.subheader("Log-loss versus MSE-with-sigmoid")
        runs = {"Trained on log-loss": history, "Trained on MSE": trained.mse_history}
        st.vega_lite_chart(comparison_spec(runs, "log_loss"), width="stretch")
        summary = pd.DataFrame(
            [
                {
                    "model": label,
                    "epochs": len(h),
                    "validation log-loss": float(h["val_log_loss"].iloc[-1]),
                    "validation accuracy": float(h["val_accuracy"].iloc[-1]),
                }
                for label, h in runs.items()
            ]
        )
        st.dataframe(summary, hide_index=True, column_config={
            "validation log-loss": st.column_config.NumberColumn(format="%.3f"),
            "validation accuracy": st.column_config.NumberColumn(format="%.3f"),
        })
        early = min(10, len(history), len(trained.mse_history))
        st.caption(
            f"Both models are scored with log-loss here. After {early} epochs the log-loss model is at "
            f"{history['val_log_loss'].iloc[early - 1]:.3f} and the MSE model at "
            f"{trained.mse_history['val_log_loss'].iloc[early - 1]:.3f}. Squared error is flat wherever the model "
            "is confidently wrong (the sigmoid saturates), so its gradient fades there and it can crawl from a bad "
            "start; log-loss keeps a steep slope and one valley. That is why logistic regression trains on "
            "log-loss. The Learn page shows both cost curves."
        )


st.title("Train")
st.markdown(
    "Watch the cost fall: the model starts knowing nothing and, epoch by epoch, adjusts one weight per "
    "feature to lower its **log-loss** (the average penalty for its probabilities)."
)

dataset, setup = _ui.get_dataset(), _ui.get_setup()
if dataset is None or setup is None:
    _ui.send_to(_ui.PAGE_DATA, "First load a table and choose what to predict on the Data page.", "Go to Data")
if setup.mode != _ui.MODE_TRAIN:
    _ui.send_to(
        _ui.PAGE_DATA,
        "You chose *Use my scores*: your table already has scores, so there is nothing to train. "
        "To train a model instead, switch Mode to *Train a model* on the Data page.",
        "Go to Data",
    )
try:
    prepared = _ui.prepared_split(dataset, setup)
except DataError as error:
    st.error(_ui.escape_markdown(error))
    _ui.send_to(_ui.PAGE_DATA, "Adjust the target or feature columns on the Data page.", "Go to Data")

key = _ui.setup_key(dataset, setup)
positive = _ui.escape_markdown(setup.positive_class)
trained = _ui.get_model()
previous = trained.params if trained is not None else {}
st.caption(
    f"{len(prepared.y_train):,} rows to learn from, {len(prepared.y_val):,} validation rows to check on "
    f"(the Threshold page uses these), {len(prepared.y_test):,} test rows kept aside for the Report. "
    f"{len(prepared.feature_names)} inputs after preparation."
)

c1, c2, c3 = st.columns(3)
with c3:
    l2 = st.number_input(
        "L2 penalty",
        min_value=0.0,
        max_value=100.0,
        value=float(previous.get("l2", 0.001)),
        step=0.001,
        format="%.4f",
        key=f"train.l2.{key}",
        help="Discourages very large weights so the model does not over-trust any one column. 0 turns it off.",
    )
try:
    safe_rate = suggested_learning_rate(prepared.X_train, l2)
except DataError as error:
    st.error(_ui.escape_markdown(error))
    st.stop()
with c1:
    learning_rate = st.number_input(
        "Learning rate",
        min_value=0.0001,
        max_value=1000.0,
        value=float(previous.get("learning_rate", _round_down(safe_rate))),
        step=0.1,
        format="%.4f",
        key=f"train.lr.{key}",
        help="How big a step each epoch takes downhill. Too small is slow; too large overshoots and the cost rises.",
    )
    st.caption(f"Suggested safe learning rate for this data: {safe_rate:.4f} (1/L: the largest step that never overshoots).")
with c2:
    epochs = st.number_input(
        "Epochs",
        min_value=1,
        max_value=20_000,
        value=int(previous.get("max_epochs", 300)),
        step=50,
        key=f"train.epochs.{key}",
        help="How many passes over the training rows, at most. Training stops earlier once the cost stops falling.",
    )
solver = st.radio(
    "Solver",
    list(SOLVERS),
    index=list(SOLVERS).index(previous.get("solver", "gd")),
    format_func=SOLVERS.get,
    key=f"train.solver.{key}",
    horizontal=True,
)
compare = st.checkbox(
    "Also train the same model on MSE-with-sigmoid and compare the curves",
    value=trained is not None and trained.mse_history is not None,
    key=f"train.compare.{key}",
)
clicked = st.button("Train", type="primary")
params = {"learning_rate": float(learning_rate), "max_epochs": int(epochs), "l2": float(l2), "solver": solver}
if solver == "lbfgs":
    st.caption("L-BFGS chooses its own step sizes, so the learning rate is not used; Epochs caps its iterations.")
elif learning_rate > safe_rate * 1.01:
    st.caption(f"This learning rate is above the suggested {safe_rate:.4f}: the cost may bounce or rise.")

st.subheader("The cost, epoch by epoch")
baseline = lesson.baseline_log_loss(prepared.y_train, prepared.y_val)
left, right = st.columns(2)
loss_slot, accuracy_slot = left.empty(), right.empty()
st.caption(
    "Left: log-loss on the training rows and on the validation rows, falling smoothly as the weights improve; "
    f"the dashed line ({baseline:.3f}) is a model that knows only how common {positive} is. "
    "Right: accuracy at a 0.5 cut-off, which moves in steps, because it only changes when a row crosses the line."
)

stopped_at = None
try:
    if clicked:
        _ui.set_training_in_progress(None)
        stop_slot = st.empty()
        stop_slot.button("Stop training", help="Keeps the model as it is after the last finished epoch.")
        model = _live_fit(prepared, params, key, loss_slot, accuracy_slot, baseline)
        _store(prepared, params, model)
        _ui.set_training_in_progress(None)
        if compare:
            mse = _live_fit(prepared, params, key, loss_slot, accuracy_slot, baseline, loss="mse")
            _store(prepared, params, model, mse_history=mse.history_)
        stop_slot.empty()
    else:
        stopped_at = _finish_interrupted_run(prepared, key)
except DataError as error:
    st.error(_ui.escape_markdown(error))

trained = _ui.get_model()
if trained is None:
    st.info("Press **Train** to fit the model. The defaults work: the curves appear here as it learns.")
    st.stop()
loss_slot.vega_lite_chart(curve_spec(trained.history, "log_loss", reference=baseline), width="stretch")
accuracy_slot.vega_lite_chart(curve_spec(trained.history, "accuracy"), width="stretch")
if stopped_at is not None:
    st.info(f"Training was stopped at epoch {stopped_at:,}; this is the model after {stopped_at:,} epochs.")
_results(trained, positive, baseline)
if _ui.get_evaluation() is not None:
    st.page_link(_ui.PAGE_THRESHOLD, label="Choose a decision threshold", icon=":material/arrow_forward:")
