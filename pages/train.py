"""Train: fit a logistic regression and watch the cost fall, epoch by epoch.

Training runs at full speed; the curves are drawn at the chosen Playback pace
(core.playback), can be replayed, and the Epoch slider shows the model as it was at any
epoch (the model keeps per-epoch weight snapshots).
"""

import math
import time

import numpy as np
import pandas as pd
import streamlit as st

from core import lesson
from core.errors import DataError
from core.model import STOP_REASONS, LogisticRegressionGD, suggested_learning_rate
from core.playback import DEFAULT_PACE, PACES, Pace
from core.training_charts import coefficient_chart, coefficient_frame, comparison_spec, curve_spec
from core.features import prepare_folds
from core.setup import default_validation, validation_reason
from core.training_charts import folds_spec
from core.validation import cross_validate, is_overfitting
from pages import _ui

SOLVERS = {
    "gd": "Gradient descent: one small step per epoch (watch it learn)",
    "lbfgs": "L-BFGS: a fast solver that jumps to the best weights",
}
# A few hundred points per curve keep the browser from falling behind the redraws.
_LIVE_POINTS = 300
_STOP_KEY = "train.stop_requested"
# The last cross-validation: {"key": setup key, "cv": core.validation.CrossValidation}. The
# Report reads it for the fold-to-fold spread of the chosen threshold.
CROSS_VALIDATION_KEY = "train.cross_validation"
HOLDOUT = "Hold-out split (60/20/20)"
CROSS_VALIDATION = "Cross-validation (k folds)"
_NESTED_TEST_SHARE = 0.2
# Where the Epoch slider stands, for the Learn page: {"key": setup key, "epoch": int}.
SCRUBBED_EPOCH_KEY = "train.scrubbed_epoch"


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


def _head(run, epochs: int):
    """The first ``epochs`` epochs of a run: a live run's list of records or a history DataFrame."""
    return run.iloc[:epochs] if isinstance(run, pd.DataFrame) else run[:epochs]


class _Stage:
    """The slots the curves are drawn into: the progress line, the two curves, the MSE comparison."""

    def __init__(self, baseline: float):
        self.baseline = baseline
        self.progress = st.empty()
        left, right = st.columns(2)
        self.loss, self.accuracy = left.empty(), right.empty()

    def add_comparison(self):
        self.comparison_heading, self.comparison = st.empty(), st.empty()
        self.comparison_notes = st.container()

    def draw(self, runs: dict, epoch: int, total: int, *, marker: int | None = None, max_points: int = _LIVE_POINTS):
        log = _head(runs["log"], epoch)
        for slot, metric in ((self.loss, "log_loss"), (self.accuracy, "accuracy")):
            reference = self.baseline if metric == "log_loss" else None
            spec = curve_spec(log, metric, total_epochs=total, max_points=max_points, reference=reference, marker=marker)
            slot.vega_lite_chart(spec, width="stretch")
        if runs.get("mse") is not None:
            self.comparison_heading.subheader("Log-loss versus MSE-with-sigmoid, at the same pace")
            both = {"Trained on log-loss": log, "Trained on MSE": _head(runs["mse"], epoch)}
            self.comparison.vega_lite_chart(
                comparison_spec(both, "log_loss", total_epochs=total, max_points=max_points), width="stretch"
            )


class _Playback:
    """Draws a run at a pace (core.playback) while it trains, then plays out what is left.

    ``runs`` maps "log" (and "mse" for the comparison) to a live run's growing list of
    records or a finished history. ``on_frame(epoch)`` is told the epoch on screen after
    every redraw.
    """

    def __init__(self, pace: Pace, stage: _Stage, runs: dict, total: int, on_frame=None):
        self.pace, self.stage, self.runs, self.total = pace, stage, runs, int(total)
        self.on_frame = on_frame
        self.started = time.perf_counter()
        # Live draws the first epoch at once; a paced run waits one frame (a small run is done by then).
        self.last_draw = -math.inf if pace.is_live else self.started
        self.shown = 0

    def recorder(self, name: str):
        """The ``on_epoch`` callback of the fit that fills ``runs[name]``."""

        def on_epoch(record: dict):
            self.runs[name].append(record)
            now = time.perf_counter()
            if now - self.last_draw >= self.pace.frame_seconds():
                self._draw(now)
            return None

        return on_epoch

    def _computed(self) -> int:
        return max(len(run) for run in self.runs.values() if run is not None)

    def _draw(self, now: float) -> None:
        self.last_draw = now
        try:
            self._redraw(now)
        finally:
            # Counted from the end of the redraw: on a busy machine a redraw can outlast a frame,
            # and drawing again at once would starve the training between frames.
            self.last_draw = time.perf_counter()

    def _redraw(self, now: float) -> None:
        epoch = max(self.pace.epoch_at(now - self.started, self.total, self._computed()), self.shown)
        if epoch < 1 or epoch == self.shown:  # nothing new to draw
            return
        self.shown = epoch
        self.stage.draw(self.runs, epoch, self.total)
        log = _head(self.runs["log"], epoch)
        last = log.iloc[-1] if isinstance(log, pd.DataFrame) else log[-1]
        self.stage.progress.progress(
            min(epoch / self.total, 1.0),
            text=f"Epoch {epoch:,} of {self.total:,}: validation log-loss {last['val_log_loss']:.3f}",
        )
        if self.on_frame is not None:
            self.on_frame(min(epoch, len(self.runs["log"])))

    def finish(self) -> None:
        """Play to the last epoch of the finished runs, then clear the progress line."""
        self.total = self._computed()
        while self.shown < self.total:
            wait = self.last_draw + self.pace.frame_seconds() - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            self._draw(time.perf_counter())
        self.stage.progress.empty()


def _train(dataset, setup, prepared, params: dict, key: str, stage: _Stage, pace: Pace, compare: bool) -> None:
    """Fit at full speed while drawing at ``pace``; store the model as soon as it exists.

    Every redraw records the epoch on screen and whether the fit has finished, so a
    playback cut short can be resolved on the next run: see :func:`_finish_interrupted_run`.
    """
    runs = {"log": [], "mse": [] if compare else None}
    state = {"complete": False}

    def remember(epoch: int) -> None:
        _ui.set_training_in_progress({"key": key, "params": params, "epoch": epoch, **state})

    player = _Playback(pace, stage, runs, params["max_epochs"], on_frame=remember)
    model = _fit(prepared, params, "log", player.recorder("log"))
    _store(dataset, setup, prepared, params, model)
    state["complete"] = True
    if compare:
        mse = _fit(prepared, params, "mse", player.recorder("mse"))
        _store(dataset, setup, prepared, params, model, mse_history=mse.history_)
    player.finish()
    _ui.set_training_in_progress(None)


def _request_stop() -> None:
    st.session_state[_STOP_KEY] = True


def _store(dataset, setup, prepared, params: dict, model: LogisticRegressionGD, mse_history=None) -> None:
    """Keep the model; hand its validation scores to the Threshold page when it trained properly,
    with the amounts, segments and Compare with scores of those validation rows."""
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
        _ui.evaluation_for_rows(dataset, setup, prepared.idx_val, val_scores,
                                label=f"validation split ({len(val_scores):,} rows)", is_probability=True)
        if usable
        else None
    )


def _finish_interrupted_run(dataset, setup, prepared, key: str) -> int | None:
    """Resolve a run whose drawing was cut short; returns the epoch it was stopped at, if any.

    Pressing Stop keeps the model as it was at the epoch on screen: full-batch gradient
    descent (and L-BFGS) is deterministic, so refitting for exactly that many epochs
    reproduces those weights. A drawing cut short any other way (another widget, another
    page) after the fit had finished keeps the finished model; one cut short mid-fit keeps
    the epochs computed so far.
    """
    pending = _ui.get_training_in_progress()
    stop_pressed = bool(st.session_state.pop(_STOP_KEY, False))
    _ui.set_training_in_progress(None)
    if not pending or pending["key"] != key:
        return None
    trained = _ui.get_model()
    if pending.get("complete") and trained is not None:
        if not stop_pressed or int(pending["epoch"]) >= len(trained.history):
            return None
    params = {**pending["params"], "max_epochs": int(pending["epoch"])}
    _store(dataset, setup, prepared, params, _fit(prepared, params))
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
    if is_overfitting(last["train_log_loss"], last["val_log_loss"], reason):
        st.warning(
            "The validation log-loss is clearly above the training one: the model fits the training rows "
            "better than new ones (overfitting). A larger L2 penalty or fewer feature columns can help."
        )


def _epoch_scrubber(trained: _ui.TrainedModel, key: str) -> int:
    """The Epoch slider and the model's numbers at that epoch; returns the chosen epoch."""
    history = trained.history
    n = len(history)
    slider_key = f"train.epoch.{key}"
    if not 1 <= st.session_state.get(slider_key, n) <= n:
        st.session_state.pop(slider_key)
    epoch = n
    if n > 1:
        epoch = st.slider(
            "Epoch",
            min_value=1,
            max_value=n,
            value=n,
            key=slider_key,
            help="Drag back to see what the model knew at any epoch: marked on both curves, with its weights below.",
        )
    st.session_state[SCRUBBED_EPOCH_KEY] = {"key": key, "epoch": int(epoch)}
    row = history.iloc[epoch - 1]
    cols = st.columns(4)
    cols[0].metric("Log-loss at this epoch", f"{row['train_log_loss']:.3f}", help="On the training rows.")
    cols[1].metric("Log-loss at this epoch", f"{row['val_log_loss']:.3f}", help="On the validation rows.")
    cols[2].metric("Accuracy at this epoch", f"{row['train_accuracy']:.3f}", help="On the training rows.")
    cols[3].metric("Accuracy at this epoch", f"{row['val_accuracy']:.3f}", help="On the validation rows.")
    st.caption(
        f"At epoch {epoch:,} of {n:,}: training rows first, validation rows second. The black line on both "
        "curves marks this epoch; the weights below are the ones the model had then."
    )
    return int(epoch)


def _weights_at(model: LogisticRegressionGD, epoch: int, n: int) -> tuple[int, np.ndarray] | None:
    """(kept epoch, weights) as they were at ``epoch``; None when this model kept no snapshots."""
    if hasattr(model, "coef_history_"):
        kept, coef, _ = model.weights_at(epoch)
        return kept, coef
    return (n, model.coef_[0]) if epoch == n else None


def _coefficients(trained: _ui.TrainedModel, positive: str, epoch: int) -> None:
    n = len(trained.history)
    st.subheader("What the model learned" if epoch == n else f"What the model knew at epoch {epoch:,}")
    weights = _weights_at(trained.model, epoch, n)
    if weights is None:
        st.info("This model was restored without its per-epoch weights; move the Epoch slider to the end to see them.")
        return
    kept, coef = weights
    if kept != epoch:
        st.caption(
            f"Weights as kept at epoch {kept:,}: a long run keeps a few hundred evenly spaced snapshots, "
            "not every epoch."
        )
    frame = coefficient_frame(trained.prepared.feature_names, coef)
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


def _comparison_notes(trained: _ui.TrainedModel, stage: _Stage) -> None:
    history, mse_history = trained.history, trained.mse_history
    runs = {"Trained on log-loss": history, "Trained on MSE": mse_history}
    with stage.comparison_notes:
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
        early = min(10, len(history), len(mse_history))
        st.caption(
            f"Both models are scored with log-loss here. After {early} epochs the log-loss model is at "
            f"{history['val_log_loss'].iloc[early - 1]:.3f} and the MSE model at "
            f"{mse_history['val_log_loss'].iloc[early - 1]:.3f}. Squared error is flat wherever the model "
            "is confidently wrong (the sigmoid saturates), so its gradient fades there and it can crawl from a bad "
            "start; log-loss keeps a steep slope and one valley. That is why logistic regression trains on "
            "log-loss. The Learn page shows both cost curves."
        )


@st.cache_data(max_entries=4, show_spinner="Preparing the folds…")
def _folds(token: str, target: str, positive_class, features: tuple, k: int, repeats: int, test_share,
           _df: pd.DataFrame, _report):
    """The folds of ``_df`` (identified by its content token and the setup), one preprocessor each."""
    return prepare_folds(_df, _report, k=k, repeats=repeats, seed=0, test_share=test_share)


def _train_cv(folded, params: dict, loss_slot, accuracy_slot, baseline: float):
    """Cross-validate, drawing every fold's curves as they are computed (at most ten redraws a second)."""
    histories: list[list[dict]] = [[] for _ in folded.folds]
    final_records: list[dict] = []
    total = params["max_epochs"]
    n_folds = len(folded.folds)
    progress = st.progress(0.0, text="Cross-validating…")
    last_draw = [-math.inf]

    def on_epoch(index: int, record: dict):
        (histories[index] if index < n_folds else final_records).append(record)
        now = time.perf_counter()
        if now - last_draw[0] < 0.1:
            return None
        for slot, metric in ((loss_slot, "log_loss"), (accuracy_slot, "accuracy")):
            reference = baseline if metric == "log_loss" else None
            spec = folds_spec(histories, metric, total_epochs=total, reference=reference)
            slot.vega_lite_chart(spec, width="stretch")
        where = (f"Fold {index + 1} of {n_folds}" if index < n_folds
                 else f"Final model on all {len(folded.y):,} rows")
        progress.progress(min((index + record["epoch"] / total) / (n_folds + 1), 1.0),
                          text=f"{where}: epoch {record['epoch']:,} of {total:,}")
        last_draw[0] = time.perf_counter()  # from the end of the redraw, so slow redraws never crowd out training
        return None

    model_params = dict(learning_rate=params["learning_rate"], max_epochs=total, l2=params["l2"],
                        solver=params["solver"])
    cv = cross_validate(folded, lambda: LogisticRegressionGD(**model_params), on_epoch=on_epoch)
    progress.empty()
    return cv


def _store_cv(dataset, setup, folded, params: dict, cv, key: str) -> None:
    """Keep the final model (refit on all rows) and hand every row's out-of-fold score to the Threshold page."""
    final = folded.final
    test_scores = cv.final.predict_proba(final.X_test)[:, 1] if len(final.y_test) else np.empty(0)
    _ui.set_model(
        _ui.TrainedModel(
            model=cv.final,
            prepared=final,
            params={**params, "validation": "cv", "folds": folded.k, "repeats": folded.repeats,
                    "nested": bool(len(final.y_test))},
            history=cv.final.history_,
            val_scores=cv.oof,
            test_scores=test_scores,
        )
    )
    st.session_state[CROSS_VALIDATION_KEY] = {"key": key, "cv": cv}
    repeats = f", repeated {folded.repeats} times" if folded.repeats > 1 else ""
    label = f"out-of-fold scores of all {len(folded.y):,} rows ({folded.k}-fold cross-validation{repeats})"
    _ui.set_evaluation(
        _ui.evaluation_for_rows(dataset, setup, folded.rows, cv.oof, label=label, is_probability=True)
        if cv.usable
        else None
    )


def _cv_results(cv, trained: _ui.TrainedModel, positive: str, baseline: float, loss_slot, accuracy_slot) -> None:
    folded, final = cv.folded, cv.final
    for slot, metric in ((loss_slot, "log_loss"), (accuracy_slot, "accuracy")):
        reference = baseline if metric == "log_loss" else None
        slot.vega_lite_chart(folds_spec(cv.histories, metric, reference=reference, max_points=1000), width="stretch")
    n = len(folded.y)
    lasts = pd.DataFrame([h.iloc[-1] for h in cv.histories])
    repeats = f", repeated {folded.repeats} times" if folded.repeats > 1 else ""
    if not cv.usable:
        st.error(
            "Training went wrong in at least one fold: the cost went **up** instead of down. With a learning "
            f"rate of {trained.params['learning_rate']:g}, each step overshoots the bottom of the valley. Try a "
            "learning rate at or below the suggested one above. The Threshold page keeps waiting for a model "
            "that trained properly."
        )
    else:
        st.success(
            f"Cross-validated with {folded.k} folds{repeats}: {len(cv.models)} models, each trained on the other "
            f"folds and scored on its own, so every one of the {n:,} rows has a score from a model that never saw "
            f"it. The final model, refit on all {n:,} rows, trained for {_epochs(len(final.history_))} and "
            f"stopped because {STOP_REASONS.get(final.stop_reason_, final.stop_reason_)}."
        )
    oof_log_loss = cv.oof_log_loss()
    oof_accuracy = float(np.mean((cv.oof >= 0.5) == (folded.y == 1)))
    cols = st.columns(4)
    cols[0].metric("Train log-loss", f"{lasts['train_log_loss'].mean():.3f}",
                   help="Average penalty on each fold's training rows, averaged over the folds.")
    cols[1].metric("Validation log-loss", f"{oof_log_loss:.3f}",
                   help="Average penalty of every row's out-of-fold score: the honest number.")
    cols[2].metric("Train accuracy", f"{lasts['train_accuracy'].mean():.3f}")
    cols[3].metric("Validation accuracy", f"{oof_accuracy:.3f}")
    st.caption(
        "Validation numbers are out-of-fold: each row is scored by the model of the fold it was held out in. "
        f"A model that only knows how common {positive} is scores {baseline:.3f}. Thin lines are the folds, "
        "thick lines their mean; how far the folds spread shows how much the result depends on which rows "
        "happened to be held out."
    )
    table = pd.DataFrame({
        "fold": [f"{f.repeat + 1}.{f.fold + 1}" if folded.repeats > 1 else str(f.fold + 1) for f in folded.folds],
        "held-out rows": [len(f.held) for f in folded.folds],
        "epochs": [len(h) for h in cv.histories],
        "training log-loss": lasts["train_log_loss"].to_numpy(),
        "held-out log-loss": lasts["val_log_loss"].to_numpy(),
    })
    st.dataframe(table, hide_index=True, column_config={
        "training log-loss": st.column_config.NumberColumn(format="%.3f"),
        "held-out log-loss": st.column_config.NumberColumn(format="%.3f"),
    })
    if cv.usable and is_overfitting(lasts["train_log_loss"].mean(), oof_log_loss, final.stop_reason_):
        st.warning(
            "The out-of-fold log-loss is clearly above the training one: the model fits the rows it learned "
            "from better than new ones (overfitting). A larger L2 penalty or fewer feature columns can help."
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
    report = _ui.describe(dataset, setup.target, setup.positive_class, setup.feature_columns)
except DataError as error:
    st.error(_ui.escape_markdown(error))
    _ui.send_to(_ui.PAGE_DATA, "Adjust the target or feature columns on the Data page.", "Go to Data")

key = _ui.setup_key(dataset, setup)
positive = _ui.escape_markdown(setup.positive_class)
trained = _ui.get_model()
previous = trained.params if trained is not None else {}
n_rows = len(report.y)
n_pos = int(np.asarray(report.y).sum())
default_scheme = default_validation(n_rows, n_pos, n_rows - n_pos)
validation = st.radio(
    "Validation",
    [HOLDOUT, CROSS_VALIDATION],
    index=1 if default_scheme == "cv" else 0,
    key=f"train.validation.{key}",
    horizontal=True,
    help="How the model is checked on rows it never saw, and which scores the Threshold page chooses on.",
)
st.caption(validation_reason(n_rows, n_pos, n_rows - n_pos))
use_cv = validation == CROSS_VALIDATION
if use_cv:
    f1, f2, f3 = st.columns([1, 1, 2])
    # k defaults to 5, fewer when the smaller class has fewer rows (each fold needs one of each class)
    folds = f1.number_input("Folds", min_value=2, max_value=20, value=max(2, min(5, n_pos, n_rows - n_pos)), step=1,
                            key=f"train.folds.{key}",
                            help="k: the rows are cut into k stratified groups; each is held out once.")
    repeats = f2.number_input("Repeats", min_value=1, max_value=10, value=1, step=1, key=f"train.repeats.{key}",
                              help="Repeated k-fold: cut the rows k ways again with another shuffle and "
                              "average each row's out-of-fold scores. 1 is plain k-fold.")
    with f3:
        nested = st.checkbox(
            "Keep a test split aside (nested check)",
            key=f"train.nested.{key}",
            help="Holds 20% of the rows out of cross-validation, so the Report can check the chosen threshold "
            "once on rows that played no part in choosing it.",
        )
    try:
        folded = _folds(dataset.token, setup.target, setup.positive_class, tuple(setup.feature_columns),
                        int(folds), int(repeats), _NESTED_TEST_SHARE if nested else None, dataset.df, report)
    except DataError as error:
        st.error(_ui.escape_markdown(error))
        st.stop()
    learn_X = folded.final.X_train
    aside = f" {len(folded.final.y_test):,} test rows kept aside for the Report." if nested else ""
    st.caption(
        f"{len(folded.y):,} rows, cut into {folded.k} stratified folds: each row is scored once by a model "
        f"trained on the other folds (the Threshold page uses these scores), then the final model is refit on "
        f"all of them.{aside} {len(folded.final.feature_names)} inputs after preparation."
    )
else:
    try:
        prepared = _ui.prepared_split(dataset, setup)
    except DataError as error:
        st.error(_ui.escape_markdown(error) + " Choose *Cross-validation* above to train on a table this small.")
        st.stop()
    learn_X = prepared.X_train
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
    safe_rate = suggested_learning_rate(learn_X, l2)
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
if use_cv:
    params = {"learning_rate": float(learning_rate), "max_epochs": int(epochs), "l2": float(l2), "solver": solver}
    clicked = st.button("Train", type="primary")
    if solver == "lbfgs":
        st.caption("L-BFGS chooses its own step sizes, so the learning rate is not used; Epochs caps its iterations.")
    st.subheader("The cost, epoch by epoch, fold by fold")
    baseline = lesson.baseline_log_loss(folded.y, folded.y)
    left, right = st.columns(2)
    loss_slot, accuracy_slot = left.empty(), right.empty()
    st.caption(
        "Left: log-loss on each fold's training rows and on its held-out rows, falling as the weights improve; "
        f"the dashed line ({baseline:.3f}) is a model that knows only how common {positive} is. Right: accuracy "
        "at a 0.5 cut-off. Cross-validation is drawn as it computes."
    )
    try:
        if clicked:
            cv = _train_cv(folded, params, loss_slot, accuracy_slot, baseline)
            _store_cv(dataset, setup, folded, params, cv, key)
    except DataError as error:
        st.error(_ui.escape_markdown(error))
    trained = _ui.get_model()
    stored_cv = st.session_state.get(CROSS_VALIDATION_KEY)
    if trained is None or trained.params.get("validation") != "cv" or not stored_cv or stored_cv["key"] != key:
        st.info("Press **Train** to cross-validate the model. The defaults work: every fold's curves appear here.")
        st.stop()
    _cv_results(stored_cv["cv"], trained, positive, baseline, loss_slot, accuracy_slot)
    _coefficients(trained, positive, len(trained.history))
    if _ui.get_evaluation() is not None:
        st.page_link(_ui.PAGE_THRESHOLD, label="Choose a decision threshold", icon=":material/arrow_forward:")
    st.stop()

compare = st.checkbox(
    "Also train the same model on MSE-with-sigmoid and compare the curves",
    value=trained is not None and trained.mse_history is not None,
    key=f"train.compare.{key}",
)
pace_name = st.radio(
    "Playback",
    list(PACES),
    index=list(PACES).index(DEFAULT_PACE),
    key="train.playback",
    horizontal=True,
    help="Training always runs at full speed; this sets how fast the curves are drawn. Watchable draws the whole "
    "run over about four seconds, Step by step one epoch at a time, Live as fast as it computes.",
)
pace = PACES[pace_name]
buttons = st.container(horizontal=True)
clicked = buttons.button("Train", type="primary")
replay = buttons.button("Replay", help="Draw the last run again at the chosen pace, without training again.")
stop_slot = buttons.empty()
params = {"learning_rate": float(learning_rate), "max_epochs": int(epochs), "l2": float(l2), "solver": solver}
if solver == "lbfgs":
    st.caption("L-BFGS chooses its own step sizes, so the learning rate is not used; Epochs caps its iterations.")
elif learning_rate > safe_rate * 1.01:
    st.caption(f"This learning rate is above the suggested {safe_rate:.4f}: the cost may bounce or rise.")

st.subheader("The cost, epoch by epoch")
baseline = lesson.baseline_log_loss(prepared.y_train, prepared.y_val)
stage = _Stage(baseline)
st.caption(
    "Left: log-loss on the training rows and on the validation rows, falling smoothly as the weights improve; "
    f"the dashed line ({baseline:.3f}) is a model that knows only how common {positive} is. "
    "Right: accuracy at a 0.5 cut-off, which moves in steps, because it only changes when a row crosses the line."
)
scrubber_area = st.container()
stage.add_comparison()

stopped_at = None
try:
    if trained is not None and trained.params.get("validation") == "cv":
        trained = None  # a cross-validated model has no hold-out run to draw or replay
    if replay and not clicked and trained is None:
        st.info("Nothing to replay yet: press **Train** first.")
    elif clicked or replay:
        st.session_state.pop(f"train.epoch.{key}", None)  # a new drawing starts the slider at its end
        stop_slot.button("Stop", on_click=_request_stop, help="Keeps the model as it is at the epoch on screen.")
        if clicked:
            _ui.set_training_in_progress(None)
            st.session_state.pop(_STOP_KEY, None)
            _train(dataset, setup, prepared, params, key, stage, pace, compare)
        else:
            runs = {"log": trained.history, "mse": trained.mse_history}
            _Playback(pace.replay(), stage, runs, len(trained.history)).finish()
            st.session_state.pop(_STOP_KEY, None)
        stop_slot.empty()
    else:
        stopped_at = _finish_interrupted_run(dataset, setup, prepared, key)
except DataError as error:
    st.error(_ui.escape_markdown(error))

trained = _ui.get_model()
if trained is None or trained.params.get("validation") == "cv":
    st.info("Press **Train** to fit the model. The defaults work: the curves appear here as it learns.")
    st.stop()
with scrubber_area:
    epoch = _epoch_scrubber(trained, key)
runs = {"log": trained.history, "mse": trained.mse_history}
n_epochs = len(trained.history)
longest = max(n_epochs, len(trained.mse_history) if trained.mse_history is not None else 0)
stage.draw(runs, longest, longest, marker=epoch, max_points=1000)
if trained.mse_history is not None:
    _comparison_notes(trained, stage)
if stopped_at is not None:
    st.info(f"Training was stopped at epoch {stopped_at:,}; this is the model after {stopped_at:,} epochs.")
_results(trained, positive, baseline)
_coefficients(trained, positive, epoch)
if _ui.get_evaluation() is not None:
    st.page_link(_ui.PAGE_THRESHOLD, label="Choose a decision threshold", icon=":material/arrow_forward:")
