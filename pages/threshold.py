"""Threshold page: choose where to cut the scores, by what each kind of mistake costs.

Reads the ``Evaluation`` (labels + scores) from the session, sweeps every threshold once
(cached per scores and costs), and on each slider move only looks the threshold up
(``Sweep.at``) and redraws. ``t``, ``fp``, ``fn``, ``tp``, ``tn`` mirror the URL.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np
import pandas as pd
import streamlit as st
# Streamlit's own DataFrame -> Arrow IPC serialiser, the form st.vega_lite_chart sends; using it
# keeps the pre-serialised datasets byte-for-byte what Streamlit would have produced.
from streamlit.dataframe_util import convert_anything_to_arrow_bytes

from core import charts
from core.calibration import brier_score, decision_curve, reliability_curve
from core.costs import CostMatrix, cost_summary
from core.errors import DataError
from core.exports import scenario_record
from core.review import recommend_review_band
from core.thresholds import (
    OBJECTIVES,
    average_precision,
    explain,
    pr_points,
    recommend_threshold,
    roc_auc,
    roc_points,
    threshold_sweep,
)
from core.uncertainty import bootstrap_bands
from pages import _ui

# Used when the data is not a demo with its own cost story: a missed positive is usually
# the expensive mistake, so the default makes it five times a false alarm.
DEFAULT_COSTS = CostMatrix(fp_cost=100.0, fn_cost=500.0, tp_value=0.0, tn_value=0.0, currency="$")
# A trillion per case is beyond any real cost and keeps totals exact in float64 (up to ~9e15).
MAX_MONEY = 1e12
CHART_POINTS = 600
BAND_POINTS = 100

COST_FIELDS = (  # URL parameter, widget label, CostMatrix field
    ("fp", "Cost of a false positive", "fp_cost"),
    ("fn", "Cost of a false negative", "fn_cost"),
    ("tp", "Value of a true positive", "tp_value"),
    ("tn", "Value of a true negative", "tn_value"),
)
KEY_T = "threshold.t"
KEY_OBJECTIVE = "threshold.objective"
KEY_CONTEXT = "threshold.context"
KEY_COST = {param: f"threshold.{param}" for param, _, _ in COST_FIELDS}
KEY_TAB = "threshold.tab"
KEY_REVIEW = "threshold.review"
KEY_REVIEW_COST = "threshold.review_cost"
KEY_REVIEW_MAX = "threshold.review_max"


# --------------------------------------------------------------------------------------
# Cached computations. cache_resource (not cache_data) because the sweep of 200,000 rows is
# ~25 MB of arrays that cache_data would unpickle on every slider move; the results are
# pure functions of the arguments and never mutated, so sharing them across sessions is safe.


@st.cache_resource(max_entries=8, ttl=3600, show_spinner="Sweeping every threshold…")
def _analysis(digest: str, _y: np.ndarray, _scores: np.ndarray, fp: float, fn: float, tp: float, tn: float,
              currency: str, is_probability: bool) -> dict:
    """Sweep, curves and calibration of (``_y``, ``_scores``), identified by their ``digest``."""
    y, scores = _y, _scores
    costs = CostMatrix(fp, fn, tp, tn, currency)
    sweep = threshold_sweep(y, scores, costs=costs)
    result = {
        "sweep": sweep,
        "frame": sweep.frame(max_points=CHART_POINTS),
        "roc": roc_points(sweep, max_points=CHART_POINTS),
        "pr": pr_points(sweep, max_points=CHART_POINTS),
        "auc": roc_auc(sweep),
        "ap": average_precision(sweep),
        "prevalence": sweep.n_pos / sweep.n if sweep.n else float("nan"),
        "decision_curve": None,
        "reliability": None,
        "brier": None,
    }
    if is_probability:
        result["decision_curve"] = decision_curve(y, scores, thresholds=np.linspace(0.01, 0.99, 99))
        result["reliability"] = reliability_curve(y, scores, n_bins=10)
        result["brier"] = brier_score(y, scores)
    return result


@st.cache_resource(max_entries=8, ttl=3600, show_spinner="Estimating uncertainty bands (bootstrap)…")
def _bands(digest: str, _y: np.ndarray, _scores: np.ndarray, thresholds: np.ndarray, fp: float, fn: float, tp: float,
           tn: float, currency: str) -> pd.DataFrame:
    return bootstrap_bands(_y, _scores, thresholds, metrics=("precision", "recall", "f1", "cost"),
                           costs=CostMatrix(fp, fn, tp, tn, currency), n_boot=200, level=0.9, seed=0)


def _band_grid(frame: pd.DataFrame) -> np.ndarray:
    """Up to BAND_POINTS of the chart's finite thresholds, evenly spread, for the bands."""
    finite = frame["threshold"].to_numpy(float)
    finite = finite[np.isfinite(finite)]
    return np.unique(finite[np.linspace(0, len(finite) - 1, min(BAND_POINTS, len(finite))).round().astype(int)])


@st.cache_resource(max_entries=8, ttl=3600, show_spinner=False)
def _chart_specs(digest: str, _y: np.ndarray, _scores: np.ndarray, fp: float, fn: float, tp: float, tn: float,
                 currency: str, is_probability: bool, with_bands: bool, positive_label: str,
                 negative_label: str) -> dict[str, dict]:
    """Every chart of the page as a Vega-Lite spec, built and validated once per data and costs.

    The slider-dependent datasets hold placeholders; each rerun swaps in the current rows with
    ``charts.with_data`` (microseconds) instead of rebuilding the charts (~250 ms with Altair).
    The curves' datasets are serialised to Arrow here, once, so a rerun sends bytes as they are.
    """
    costs = CostMatrix(fp, fn, tp, tn, currency)
    analysis = _analysis(digest, _y, _scores, fp, fn, tp, tn, currency, is_probability)
    sweep, frame = analysis["sweep"], analysis["frame"]
    domain = (0.0, 1.0) if is_probability else (sweep.score_min, sweep.score_max)
    bands = _bands(digest, _y, _scores, _band_grid(frame), fp, fn, tp, tn, currency) if with_bands else None
    anywhere = sweep.at(domain[0])
    specs = {
        "metrics": charts.metrics_chart(frame, threshold=domain[0], bands=bands, domain=domain),
        "cost": charts.cost_chart(frame, threshold=domain[0], bands=bands, currency=currency, domain=domain),
        "confusion": charts.confusion_chart(
            charts.confusion_frame(anywhere, costs, positive_label=positive_label, negative_label=negative_label),
            currency=currency),
        "distribution": charts.score_distribution_chart(
            charts.score_histogram(_y, _scores, bins=40, lo=domain[0], hi=domain[1], positive_label=positive_label,
                                   negative_label=negative_label),
            threshold=domain[0]),
        "roc": charts.roc_chart(analysis["roc"], fpr=0.0, tpr=0.0, auc=analysis["auc"]),
        "pr": charts.pr_chart(analysis["pr"], recall=0.0, precision=0.0, ap=analysis["ap"],
                              prevalence=analysis["prevalence"]),
        "capacity": charts.capacity_chart(frame, positive_rate=0.0, recall=0.0),
    }
    if analysis["decision_curve"] is not None:
        specs["decision"] = charts.decision_curve_chart(analysis["decision_curve"], threshold=domain[0])
        specs["reliability"] = charts.reliability_chart(analysis["reliability"])
    specs = {name: charts.chart_spec(chart) for name, chart in specs.items()}
    slider_datasets = {charts.MARKERS, charts.POINT, charts.CELLS}
    for spec in specs.values():
        spec["datasets"] = {name: data if name in slider_datasets else convert_anything_to_arrow_bytes(data)
                            for name, data in spec["datasets"].items()}
    return specs


def _show(spec: dict, datasets: dict | None = None) -> None:
    st.vega_lite_chart(spec=charts.with_data(spec, datasets or {}), width="stretch")


# --------------------------------------------------------------------------------------
# State: defaults, URL parameters, callbacks.


def _plain_number(value: float) -> str:
    """Shortest text that reads back as the same float (``100`` rather than ``100.0``)."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def _reset_for_new_data(context: tuple, costs: CostMatrix, threshold) -> None:
    """New data or new scores: start from the data's cost presets and the recommended threshold
    (``threshold()`` is only computed then)."""
    previous = st.session_state.get(KEY_CONTEXT)
    if previous == context:
        return
    if previous is None or previous[0] != context[0]:
        for param, _, field in COST_FIELDS:
            st.session_state[KEY_COST[param]] = float(getattr(costs, field))
    st.session_state[KEY_T] = threshold()
    st.session_state[KEY_CONTEXT] = context


def _apply_query_params(lo: float, hi: float) -> list[str]:
    """Copy the link's parameters into the widgets. Called once per session, when the page first
    opens: within a session the URL only changes by this page's own writes (editing it reloads
    the app, a new session), and re-reading it later would replay a value the browser had not
    yet replaced, undoing a slider move made while a rerun was in flight.

    Returns plain-words notes about values that were ignored.
    """
    notes = []
    for param, label in (("t", "Decision threshold"), *((p, lbl) for p, lbl, _ in COST_FIELDS)):
        raw = st.query_params.get(param)
        if raw is None:
            continue
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        if param == "t":
            ok = math.isfinite(value) and lo <= value <= hi
            rule = f"a number from {lo:.4g} to {hi:.4g}"
        else:
            ok = math.isfinite(value) and 0 <= value <= MAX_MONEY
            rule = f"a number from 0 to {MAX_MONEY:,.0f}"
        if not ok:
            notes.append(f"Ignored the link's {param}={raw!r} ({label}): it must be {rule}.")
            continue
        st.session_state[KEY_T if param == "t" else KEY_COST[param]] = value
    return notes


def _write_query_params(values: dict[str, float]) -> None:
    """Mirror the current setting in the URL so the link reproduces it."""
    for param, value in values.items():
        text = _plain_number(value)
        if st.query_params.get(param) != text:
            st.query_params[param] = text


def _set_threshold(value: float) -> None:
    st.session_state[KEY_T] = value


def _delta(current: float, reference: float | None, fmt, reference_name: str = "recommended") -> str | None:
    if reference is None or not (math.isfinite(current) and math.isfinite(reference)):
        return None
    diff = current - reference
    text = fmt(abs(diff))
    if text == fmt(0.0):
        return None
    return f"{'-' if diff < 0 else '+'}{text} vs {reference_name}"


def _versus(saving: float, n: float, costs: CostMatrix) -> str:
    """A saving against a baseline, per 1,000 cases, in words ("$4,100 less than")."""
    per_1000 = saving / n * 1000 if n else 0.0
    if costs.format(abs(per_1000)) == costs.format(0.0):
        return "the same as"
    return f"{costs.format(abs(per_1000))} {'less' if per_1000 > 0 else 'more'} than"


def _ratio(value: float) -> str:
    return "n/a" if not math.isfinite(value) else f"{value:.3f}"


def _score_column_fallback() -> tuple[_ui.Dataset, _ui.Setup, str] | None:
    """(dataset, setup, column) when the loaded data has a score column this page could evaluate
    while no model has been trained yet."""
    dataset, setup = _ui.get_dataset(), _ui.get_setup()
    if dataset is None or setup is None or setup.mode != _ui.MODE_TRAIN or _ui.get_model() is not None:
        return None
    if _ui.get_training_in_progress():
        return None
    column = _ui.default_score_column(dataset, setup.target)
    return None if column is None else (dataset, setup, column)


def _use_score_column(dataset: _ui.Dataset, setup: _ui.Setup, column: str) -> None:
    """Switch the session to *Use my scores* on ``column`` (what the Data page would do)."""
    report = _ui.describe(dataset, setup.target, setup.positive_class, require_split=False)
    scores_setup = _ui.Setup(_ui.MODE_SCORES, setup.target, setup.positive_class, score_column=column, report=report)
    evaluation, _ = _ui.scores_evaluation(dataset, scores_setup)
    _ui.set_setup(scores_setup)
    _ui.set_evaluation(evaluation)


# --------------------------------------------------------------------------------------
# The page.

st.title("Threshold")
st.caption("Where to cut the scores: everything with score ≥ threshold is flagged as positive.")

evaluation = _ui.get_evaluation()
if evaluation is None:
    fallback = _score_column_fallback()
    shared_link = any(param in st.query_params for param in ("t", "fp", "fn", "tp", "tn"))
    if fallback is not None:
        dataset, setup, column = fallback
        # A shared link should open on the setting it carries, not on a to-do list: evaluate the
        # data's own score column straight away (the user can still train a model afterwards).
        if shared_link or st.button(f"Evaluate the data's '{column}' column now"):
            try:
                _use_score_column(dataset, setup, column)
            except DataError as error:
                st.error(str(error))
                st.stop()
            st.info(f"No model has been trained yet, so this page evaluates the data's own '{column}' column "
                    "(*Use my scores*). Train a model on the **Train** page to evaluate yours instead.")
            evaluation = _ui.get_evaluation()
    if evaluation is None:
        st.info(
            "Nothing to evaluate yet. Train a model on the **Train** page, or choose *Use my scores* on the "
            "**Data** page to bring your own scores."
            + (f" Or press the button above to evaluate the data's '{fallback[2]}' column." if fallback else "")
        )
        st.stop()

dataset = _ui.get_dataset()
setup = _ui.get_setup()
report = getattr(setup, "report", None)
positive_label = str(getattr(report, "positive_class", None) or getattr(setup, "positive_class", None) or "positive")
negative_label = str(getattr(report, "negative_label", None) or f"not {positive_label}")
# How the recommendation sentence names the positives: "malignant cases", or the target's
# name when the positive class is a bare yes/1/true ("'defaulted' cases").
_bare = positive_label.strip().lower() in {"1", "1.0", "yes", "y", "true", "positive"}
positive_noun = f"'{getattr(setup, 'target', 'positive')}' cases" if _bare else f"{positive_label} cases"

y = np.asarray(evaluation.y).astype(np.int8)
scores = np.asarray(evaluation.scores, dtype=float)
if y.shape != scores.shape or len(y) == 0 or y.min() == y.max() or not np.isfinite(scores).all():
    st.error("These scores cannot be evaluated: every row needs a finite score, and both classes must be present. "
             "Go back to the Data page and check the target and score columns.")
    st.stop()

is_probability = bool(evaluation.is_probability)
st.markdown(f"Evaluated on: **{evaluation.label}**.")

preset = getattr(getattr(dataset, "demo", None), "costs", None) or DEFAULT_COSTS
lo, hi = (0.0, 1.0) if is_probability else (float(scores.min()), float(scores.max()))
if hi <= lo:
    hi = lo + 1.0

# The cached computations key on this digest instead of hashing 2 x n values in every call.
digest = hashlib.blake2b(y.tobytes() + scores.tobytes(), digest_size=16).hexdigest()


def _default_threshold() -> float:
    """Where the slider starts on new data: the lowest-cost threshold under the preset costs."""
    try:
        sweep = _analysis(digest, y, scores, preset.fp_cost, preset.fn_cost, preset.tp_value, preset.tn_value,
                          preset.currency, is_probability)["sweep"]
        return float(np.clip(recommend_threshold(sweep, "min_cost").threshold, lo, hi))
    except DataError:
        return 0.5 if is_probability else (lo + hi) / 2


first_visit = KEY_CONTEXT not in st.session_state
_reset_for_new_data((getattr(dataset, "token", None) or getattr(dataset, "name", None), digest), preset,
                    _default_threshold)
if first_visit:
    for note in _apply_query_params(lo, hi):
        st.info(note)

st.subheader("What the decisions are worth")
if preset is DEFAULT_COSTS:
    st.caption("Default costs — replace them with what a false alarm and a missed case cost your business.")
else:
    st.caption("Costs preset from the demo's story; change them to match your business.")
cost_columns = st.columns(4)
cost_values = {}
for column, (param, label, field) in zip(cost_columns, COST_FIELDS):
    with column:
        cost_values[param] = st.number_input(
            label, min_value=0.0, max_value=MAX_MONEY, step=10.0, key=KEY_COST[param], persist_state="session",
            help=("Money lost for each such case." if "Cost" in label else "Money earned or saved for each such case."),
        )
costs = CostMatrix(cost_values["fp"], cost_values["fn"], cost_values["tp"], cost_values["tn"], preset.currency)
analysis = _analysis(digest, y, scores, costs.fp_cost, costs.fn_cost, costs.tp_value, costs.tn_value, costs.currency,
                     is_probability)
sweep = analysis["sweep"]

# The recommendation, its explanation, and the button that moves the slider to it.
st.subheader("Recommended threshold")
objective_columns = st.columns([2, 1, 1])
with objective_columns[0]:
    objective = st.selectbox("Objective", list(OBJECTIVES), format_func=OBJECTIVES.get, key=KEY_OBJECTIVE,
                             persist_state="session")
objective_kwargs = {}
with objective_columns[1]:
    if objective == "recall_at_precision":
        objective_kwargs["min_precision"] = st.number_input("Minimum precision", 0.0, 1.0, 0.8, 0.05,
                                                            key="threshold.min_precision")
    elif objective == "precision_at_recall":
        objective_kwargs["min_recall"] = st.number_input("Minimum recall", 0.0, 1.0, 0.8, 0.05,
                                                         key="threshold.min_recall")
    elif objective == "capacity":
        objective_kwargs["capacity"] = st.number_input(
            "Share of cases you can handle (%)", 0.1, 100.0, 10.0, 1.0, key="threshold.capacity") / 100.0
try:
    recommendation = recommend_threshold(sweep, objective, positive_label=positive_noun, **objective_kwargs)
except DataError as error:
    recommendation = None
    st.warning(str(error))
recommended_t = None if recommendation is None else float(np.clip(recommendation.threshold, lo, hi))
with objective_columns[2]:
    st.button("Use recommended threshold", on_click=_set_threshold, args=(recommended_t,),
              disabled=recommendation is None, type="primary", width="stretch")
if recommendation is not None:
    st.success(recommendation.explanation)
if is_probability:
    try:
        theory = costs.optimal_probability_threshold()
        empirical = (recommend_threshold(sweep, "min_cost").threshold if objective != "min_cost"
                     else recommendation.threshold if recommendation is not None else float("nan"))
        st.caption(
            f"If the scores were perfectly calibrated probabilities, these costs would put the cheapest threshold at "
            f"**{theory:.3f}** (false-positive regret ÷ total regret); on this data the lowest cost is at "
            f"**{empirical:.3f}**. A large gap suggests the scores are not calibrated."
        )
    except DataError as error:
        st.caption(str(error))
else:
    st.caption(
        f"These scores are not probabilities, so the slider spans their range ({lo:.4g} to {hi:.4g}) and the "
        "calibration views (theoretical threshold, decision curve, reliability) are hidden."
    )

@st.fragment
def _decision() -> None:
    """Everything that moves with the slider. A fragment: a slider move reruns only this part,
    so the browser redraws the numbers and charts but not the inputs above or the sidebar.
    Reads the names the full run defined above (sweep, costs, recommendation, ...)."""
    # The slider and what it does.
    # Assign only when out of range: writing a widget's state pushes the value to the browser,
    # which would overwrite a slider move the user made while this run was in flight.
    if KEY_T in st.session_state and not lo <= st.session_state[KEY_T] <= hi:
        st.session_state[KEY_T] = float(np.clip(st.session_state[KEY_T], lo, hi))
    threshold = st.slider(
        "Decision threshold", min_value=lo, max_value=hi, step=(hi - lo) / 1000, key=KEY_T, format="%.3f",
        persist_state="session",
        help="Cases with a score at or above this value are flagged as positive.",
    )
    point = sweep.at(threshold)
    reference = recommendation.point if recommendation is not None else None

    metric_columns = st.columns(5)
    for column, (label, field) in zip(metric_columns, (("Precision", "precision"), ("Recall", "recall"), ("F1", "f1"),
                                                       ("Accuracy", "accuracy"))):
        with column:
            value = float(getattr(point, field))
            st.metric(label, _ratio(value),
                      delta=_delta(value, None if reference is None else float(getattr(reference, field)),
                                   lambda v: f"{v:.3f}"))
    summary = cost_summary(point, costs)
    with metric_columns[4]:
        st.metric("Business cost", costs.format(point.cost, decimals=0),
                  delta=_delta(point.cost, None if reference is None else reference.cost,
                               lambda v: costs.format(v, decimals=0)),
                  delta_color="inverse",
                  help=f"Total over the {summary.n:,.0f} evaluated cases; {costs.format(summary.per_1000)} per 1,000 "
                       "cases.")
    st.caption(
        f"Flagging {point.positive_rate:.1%} of cases costs {costs.format(summary.per_1000)} per 1,000 cases: "
        f"{_versus(summary.savings_vs_nobody, summary.n, costs)} flagging nobody, "
        f"{_versus(summary.savings_vs_everybody, summary.n, costs)} flagging everybody."
    )

    show_bands = st.toggle("Show 90% bootstrap bands", value=True, key="threshold.bands", persist_state="session",
                           help="How much the curves could move on another sample of the same size (200 resamples).")
    cost_args = (costs.fp_cost, costs.fn_cost, costs.tp_value, costs.tn_value, costs.currency)
    try:
        specs = _chart_specs(digest, y, scores, *cost_args, is_probability, show_bands, positive_label, negative_label)
    except DataError as error:  # e.g. the bootstrap refuses these data: show the charts without bands
        st.caption(str(error))
        specs = _chart_specs(digest, y, scores, *cost_args, is_probability, False, positive_label, negative_label)
    markers = {charts.MARKERS: charts.marker_rows(threshold, recommended_t)}
    st.caption("On the charts: solid red line = the current threshold, dashed green line = the recommended one.")

    left, right = st.columns(2)
    with left:
        _show(specs["metrics"], markers)
    with right:
        _show(specs["cost"], markers)

    left, right = st.columns(2)
    with left:
        cells = charts.confusion_frame(point, costs, positive_label=positive_label, negative_label=negative_label)
        _show(specs["confusion"], {charts.CELLS: charts.confusion_rows(cells, currency=costs.currency)})
    with right:
        _show(specs["distribution"], markers)

    # Tabs that track which one is open, so only its charts are drawn on a slider move.
    roc_tab, capacity_tab, calibration_tab, review_tab = st.tabs(
        ["ROC and precision–recall", "Capacity and decision curve", "Calibration", "Manual review"],
        key=KEY_TAB, on_change="rerun")
    if roc_tab.open:
        with roc_tab:
            left, right = st.columns(2)
            with left:
                _show(specs["roc"], {charts.POINT: charts.point_rows(point.fpr, point.recall)})
            with right:
                _show(specs["pr"], {charts.POINT: charts.point_rows(point.recall, point.precision)})
    if capacity_tab.open:
        with capacity_tab:
            left, right = st.columns(2)
            with left:
                _show(specs["capacity"], {charts.POINT: charts.point_rows(point.positive_rate, point.recall)})
                st.caption(f"At this threshold you flag the top {point.positive_rate:.1%} of cases and catch "
                           f"{point.recall:.1%} of the {positive_noun}.")
            with right:
                if "decision" in specs:
                    _show(specs["decision"], markers)
                    st.caption("Net benefit counts true positives minus false positives weighted by the odds of "
                               "the threshold; the model is worth using where its line is above both baselines.")
                else:
                    st.info("The decision curve needs probabilities; these scores are not.")
    if calibration_tab.open:
        with calibration_tab:
            if "reliability" in specs:
                _show(specs["reliability"])
                st.caption(f"Brier score {analysis['brier']:.4f} (mean squared gap between probability and "
                           "outcome; lower is better). Points on the diagonal mean a score of 0.3 really is a 30% "
                           "chance.")
            else:
                st.info("Calibration only makes sense for probabilities; these scores are not.")
    if review_tab.open:
        with review_tab:
            st.write("Instead of one cut, send the uncertain middle to a person: scores below the band are "
                     "cleared, above it flagged, in between reviewed.")
            if st.toggle("Use a manual-review band", key=KEY_REVIEW, persist_state="session"):
                c1, c2 = st.columns(2)
                with c1:
                    st.number_input("Cost of one manual review", min_value=0.0, value=10.0, step=1.0,
                                    key=KEY_REVIEW_COST, persist_state="session")
                with c2:
                    st.slider("Most cases you can review (%)", 1, 50, 10, key=KEY_REVIEW_MAX, persist_state="session")
    # The band counts (and is saved with a scenario) whichever tab is open: its inputs keep their
    # values in the session while their tab is hidden.
    review_rate = review_cost = review_total_cost = None
    if st.session_state.get(KEY_REVIEW, False):
        review_cost = float(st.session_state.get(KEY_REVIEW_COST, 10.0))
        try:
            outcome = recommend_review_band(sweep, review_cost, st.session_state.get(KEY_REVIEW_MAX, 10) / 100.0)
            review_rate, review_total_cost = float(outcome.review_rate), outcome.total_cost
        except DataError as error:
            outcome, review_error = None, str(error)
        if review_tab.open:
            with review_tab:
                if outcome is None:
                    st.warning(review_error)
                else:
                    st.success(outcome.explanation)
                    r1, r2, r3 = st.columns(3)
                    r1.metric("Review band", f"{outcome.low:.3f} – {outcome.high:.3f}")
                    r2.metric("Share reviewed", f"{outcome.review_rate:.1%}")
                    r3.metric("Total cost with review", costs.format(outcome.total_cost, decimals=0),
                              delta=_delta(outcome.total_cost, point.cost, lambda v: costs.format(v, decimals=0),
                                           reference_name="this threshold alone"),
                              delta_color="inverse")

    # Keep this setting for the Report page.
    st.subheader("Save this setting")
    scenarios = _ui.get_scenarios()
    name_column, button_column = st.columns([3, 1])
    with name_column:
        # A fresh key per saved scenario, so the suggested name moves on to the next number.
        name = st.text_input("Scenario name", value=f"Scenario {len(scenarios) + 1}",
                             key=f"threshold.name.{len(scenarios)}")
    with button_column:
        if st.button("Save scenario", width="stretch"):
            # The objective only names the setting if the slider still sits on its recommendation.
            chosen_by = (OBJECTIVES[objective] if recommended_t is not None and math.isclose(threshold, recommended_t)
                         else None)
            record = scenario_record(
                name=name.strip() or f"Scenario {len(scenarios) + 1}", threshold=threshold, costs=costs, point=point,
                objective=chosen_by,
                review_rate=review_rate, review_cost=review_cost, review_total_cost=review_total_cost,
                explanation=explain(sweep, point, positive_label=positive_noun), evaluated_on=evaluation.label)
            scenarios.append({**record, "evaluation": evaluation.fingerprint()})
            st.toast(f"Saved “{name}”. Compare scenarios and download the report on the Report page.")
    if scenarios:
        st.caption(f"{len(scenarios)} scenario(s) saved — compare them and download the report on the "
                   "**Report** page.")

    _write_query_params({"t": threshold, **cost_values})


_decision()
