"""Threshold page: choose where to cut the scores, by what each kind of mistake costs.

Widgets -> core calls -> rendering. The money-free analysis (``core.analysis.build_analysis``:
one sort, sweep, curves, calibration, bootstrap resamples) is cached per data
(``pages/_threshold_data.py`` holds the caches); a cost edit
only re-costs it (``Analysis.costed``: no sort, no resampling) and swaps the cost curve into
chart specs built once per data. A slider move only looks the threshold up (``Sweep.at``).
``t``, ``fp``, ``fn``, ``tp``, ``tn`` (and ``fpa``, ``fna``, ``tpa``, ``tna`` with an amount
column) mirror the URL.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st

from core import charts, objectives
from core.analysis import (
    COST_FIELDS,
    DEFAULT_COSTS,
    MAX_MONEY,
    MAX_PERCENT,
    PERCENT_FIELDS,
    clean_amounts,
    parse_link_value,
    positive_noun as name_positives,
    positive_share,
    production_weights,
)
from core.costs import CostMatrix, cost_summary
from core.errors import DataError
from core.exports import scenario_record
from core.review import recommend_review_band
from core.thresholds import OBJECTIVES, explain, recommend_threshold
from pages import _segments_view, _ui, _workspace
from pages import _threshold_data as cached

KEY_T = "threshold.t"
KEY_OBJECTIVE = "threshold.objective"
KEY_CONTEXT = "threshold.context"
KEY_COST = {param: f"threshold.{param}" for param, _, _ in COST_FIELDS + PERCENT_FIELDS}
KEY_TAB = "threshold.tab"  # which of VIEWS is open
VIEW_ROC, VIEW_CAPACITY, VIEW_CALIBRATION, VIEW_REVIEW = VIEWS = (
    "ROC and precision–recall", "Capacity and decision curve", "Calibration", "Manual review")
KEY_REVIEW = "threshold.review"
KEY_REVIEW_COST = "threshold.review_cost"
KEY_REVIEW_MAX = "threshold.review_max"
KEY_PREVALENCE = "threshold.prevalence"
KEY_NAME = "threshold.name"  # the next scenario's name
KEY_JUST_SAVED = "scenario.just_saved"  # the name of the scenario the button just saved, for its toast


def _show(spec: dict, datasets: dict | None = None) -> None:
    """Draw ``spec`` with the named ``datasets`` swapped in (rows are serialised here; bytes pass as they are)."""
    datasets = {name: data if isinstance(data, bytes) else cached.arrow(data)
                for name, data in (datasets or {}).items()}
    st.vega_lite_chart(spec=charts.with_data(spec, datasets), width="stretch")


# --------------------------------------------------------------------------------------
# State: defaults, URL parameters, callbacks.


def _plain_number(value: float) -> str:
    """Shortest text that reads back as the same float (``100`` rather than ``100.0``)."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def _reset_for_new_data(context: tuple, costs: CostMatrix, threshold) -> None:
    """New data or new scores: start from the data's cost presets and the recommended threshold
    (``threshold()`` is only computed then)."""
    previous = st.session_state.get(KEY_CONTEXT)
    if previous == tuple(context) or previous == list(context):
        return
    if previous is None or previous[0] != context[0]:
        for param, _, field in COST_FIELDS + PERCENT_FIELDS:
            st.session_state[KEY_COST[param]] = float(getattr(costs, field))
    st.session_state[KEY_PREVALENCE] = data_rate
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
    for param in ("t", *KEY_COST):
        raw = st.query_params.get(param)
        if raw is None:
            continue
        try:
            value = parse_link_value(param, raw, (lo, hi))
        except DataError as error:
            notes.append(str(error))
            continue
        st.session_state[KEY_T if param == "t" else KEY_COST[param]] = value
    return notes


def _write_query_params(values: dict[str, float]) -> None:
    """Mirror the current setting in the URL so the link reproduces it."""
    for param, value in values.items():
        text = _plain_number(value)
        if st.query_params.get(param) != text:
            st.query_params[param] = text


def check_amounts(amounts) -> tuple[np.ndarray | None, str, bool]:
    """The evaluation's amounts ready for core, a note for the user and whether it is an error
    (the rule is core.analysis.clean_amounts')."""
    if amounts is None:
        return None, "", False
    try:
        return (*clean_amounts(amounts), False)
    except DataError as error:
        return None, str(error), True


def _threshold_text(t: float) -> str:
    return f"{t:.3f}" if math.isfinite(t) else "“flag nobody”"


def _set_costs(costs: CostMatrix) -> None:
    for param, _, field in COST_FIELDS + PERCENT_FIELDS:
        st.session_state[KEY_COST[param]] = float(getattr(costs, field))


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


def _honest_estimate_note(setup, trained) -> str:
    """Where the honest estimate of the chosen threshold on new cases is, for how the model was validated."""
    if getattr(setup, "mode", None) != _ui.MODE_TRAIN or trained is None:
        return ""
    params = trained.params or {}
    if params.get("validation") != "cv":
        return (" The test split on the **Report** page is the honest estimate of how the chosen threshold does on "
                "new cases.")
    if params.get("nested"):
        return (" These are out-of-fold scores; the test split the nested check kept aside, shown on the **Report** "
                "page, is the honest estimate of how the chosen threshold does on new cases.")
    return (" These are out-of-fold scores of every row, so no untouched test split was kept aside: the spread "
            "across folds on the **Report** page says how far to trust the chosen threshold on new cases.")


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
    shared_link = any(param in st.query_params for param in ("t", *KEY_COST))
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
positive_noun = name_positives(positive_label, getattr(setup, "target", None))

y = np.asarray(evaluation.y).astype(np.int8)
scores = np.asarray(evaluation.scores, dtype=float)
if y.shape != scores.shape or len(y) == 0 or y.min() == y.max() or not np.isfinite(scores).all():
    st.error("These scores cannot be evaluated: every row needs a finite score, and both classes must be present. "
             "Go back to the Data page and check the target and score columns.")
    st.stop()
weights = getattr(evaluation, "weights", None)
amounts, amount_note, amount_refused = check_amounts(getattr(evaluation, "amounts", None))
amount_column = getattr(evaluation, "amount_column", None) or "amount"
data_rate = positive_share(y, weights)
if amount_note:
    (st.error if amount_refused else st.warning)(amount_note)

is_probability = bool(evaluation.is_probability)
st.markdown(f"Evaluated on: **{evaluation.label}**.")

# The cached computations key on the evaluation's content identity instead of hashing arrays per call.
fingerprint = cached.fingerprint(evaluation)
digest = fingerprint
try:
    analysis = cached.analysis(digest, y, scores, weights, amounts, is_probability)
except DataError as error:
    st.error(str(error))
    st.stop()
lo, hi = analysis.domain

demo = getattr(dataset, "demo", None)
preset = getattr(demo, "costs", None) or DEFAULT_COSTS
# The demo's story as money per case of its own amount column, offered beside the money inputs.
per_case_preset = getattr(demo, "amount_costs", None)
if amounts is None or getattr(demo, "amount_column", None) != getattr(evaluation, "amount_column", None):
    per_case_preset = None
if amounts is None and preset.per_case:
    # The demo's story takes a share of an amount, but no amount column is set: fixed costs only.
    preset = CostMatrix(preset.fp_cost, preset.fn_cost, preset.tp_value, preset.tn_value, preset.currency)


def _default_threshold() -> float:
    """Where the slider starts on new data: the lowest-cost threshold under the preset costs."""
    try:
        return float(np.clip(recommend_threshold(analysis.sweep.with_costs(preset), "min_cost").threshold, lo, hi))
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
# Rows of inputs are horizontal containers rather than st.columns (one block instead of one per
# column and one inside each): fewer elements to send and for the browser to redraw on each run.
cost_values = {}
with st.container(horizontal=True):
    for param, label, field in COST_FIELDS:
        cost_values[param] = st.number_input(
            label, min_value=0.0, max_value=MAX_MONEY, step=10.0, key=KEY_COST[param], persist_state="session",
            help=("Money lost for each such case." if "Cost" in label else "Money earned or saved for each such case."),
        )
percent_values = {param: 0.0 for param, _, _ in PERCENT_FIELDS}
if amounts is not None:
    st.caption(f"Money per case: a share of each case's **{amount_column}**, added to the fixed amount above "
               "(60 means 60% of the case's amount).")
    with st.container(horizontal=True):
        for param, label, field in PERCENT_FIELDS:
            percent_values[param] = st.number_input(
                label, min_value=0.0, max_value=MAX_PERCENT, step=5.0, key=KEY_COST[param], persist_state="session",
                help=f"Percent of the case's {amount_column}, for each such case.",
            )
    if per_case_preset is not None:
        st.button("Use the demo's money per case", on_click=_set_costs, args=(per_case_preset,),
                  help="The demo's story with each case's own amount: "
                       + ", ".join(f"{label.lower()} {getattr(per_case_preset, field):g}"
                                   for _, label, field in COST_FIELDS + PERCENT_FIELDS
                                   if getattr(per_case_preset, field)) + ".")
cost_fields = (cost_values["fp"], cost_values["fn"], cost_values["tp"], cost_values["tn"], preset.currency,
               *(percent_values[param] for param, _, _ in PERCENT_FIELDS))
costs = cached.cost_matrix(cost_fields)

# What if positives are more (or less) common in production than in these data?
if KEY_PREVALENCE not in st.session_state:
    st.session_state[KEY_PREVALENCE] = data_rate
rate_row = st.container(horizontal=True, vertical_alignment="center")
with rate_row:
    production_rate = st.number_input(
        "Positive rate in production", min_value=0.0001, max_value=0.9999, step=0.01, format="%.4f",
        key=KEY_PREVALENCE, persist_state="session", width=260,
        help=f"Share of {positive_noun} among the cases the model will score; the data's own is {data_rate:.4f}.")
shifted_weights = None
try:
    shifted_weights = production_weights(y, weights, production_rate)
except DataError as error:
    st.warning(str(error))
if shifted_weights is not None:
    # Reweight the classes: every threshold keeps its recall and false positive rate; precision, cost
    # and the recommendation follow the production mix. One more cached analysis per rate.
    digest = f"{digest}:rate={production_rate!r}"
    analysis = cached.analysis(digest, y, scores, shifted_weights, amounts, is_probability)
    with rate_row:
        st.caption(f"Numbers below assume **{production_rate:.2%}** positives in production (the data has "
                   f"{data_rate:.2%}): classes are reweighted, so recall and the false positive rate are the "
                   "data's own while precision, costs and the recommendation follow the new mix.")
case_weights = weights if shifted_weights is None else shifted_weights
costed, cost_line_rows, cost_band_rows, no_cost_band_rows = cached.costed(digest, analysis, cost_fields)
sweep = costed.sweep

# The recommendation, its explanation, and the button that moves the slider to it.
st.subheader("Recommended threshold")
objective_row = st.container(horizontal=True, vertical_alignment="bottom")
with objective_row:
    objective = st.selectbox("Objective", list(OBJECTIVES), format_func=OBJECTIVES.get, key=KEY_OBJECTIVE,
                             persist_state="session")
objective_kwargs = {}
parameter = objectives.get(objective).parameter
if parameter is not None:
    with objective_row:
        objective_kwargs[parameter.name] = st.number_input(
            parameter.label, parameter.low, parameter.high, parameter.default, parameter.step,
            key=f"threshold.{parameter.name}", width=220) / parameter.scale
try:
    recommendation = recommend_threshold(sweep, objective, positive_label=positive_noun, **objective_kwargs)
except DataError as error:
    recommendation = None
    st.warning(str(error))
recommended_t = None if recommendation is None else float(np.clip(recommendation.threshold, lo, hi))
with objective_row:
    st.button("Use recommended threshold", on_click=_set_threshold, args=(recommended_t,),
              disabled=recommendation is None, type="primary", width="content")
# The notes under the recommendation, drawn as one caption (each element is redrawn on every run).
notes = []
if recommendation is not None:
    st.success(recommendation.explanation)
    try:
        stability = cached.stability(digest, analysis, costed, cost_fields, objective, tuple(sorted(objective_kwargs.items())))
        ends = [(t, sweep.at(t).cost) for t in (stability.low, stability.high)]
        where = " and ".join(f"{costs.format(cost, decimals=0)} at {_threshold_text(t)}" for t, cost in ends)
        notes.append(
            f"**Threshold stability:** on {stability.thresholds.size + stability.n_infeasible} bootstrap resamples of "
            f"these cases, {stability.level:.0%} of the recommendations fall between **{_threshold_text(stability.low)}** "
            f"and **{_threshold_text(stability.high)}** (business cost {where})."
            + _honest_estimate_note(setup, _ui.get_model()))
    except DataError as error:
        notes.append(str(error))
if is_probability and costs.per_case:
    notes.append("With money per case the cheapest threshold depends on each case's amount, so there is no "
                 "single probability rule to compare it with.")
elif is_probability:
    try:
        theory = costs.optimal_probability_threshold()
        empirical = (recommend_threshold(sweep, "min_cost").threshold if objective != "min_cost"
                     else recommendation.threshold if recommendation is not None else float("nan"))
        notes.append(
            f"If the scores were perfectly calibrated probabilities, these costs would put the cheapest threshold at "
            f"**{theory:.3f}** (false-positive regret ÷ total regret); on this data the lowest cost is at "
            f"**{empirical:.3f}**. A large gap suggests the scores are not calibrated."
        )
    except DataError as error:
        notes.append(str(error))
else:
    notes.append(
        f"These scores are not probabilities, so the slider spans their range ({lo:.4g} to {hi:.4g}) and the "
        "calibration views (theoretical threshold, decision curve, reliability) are hidden."
    )
st.caption("\n\n".join(notes))


def _review_band(sweep):
    """(outcome, error text) of the manual-review band the session's inputs ask for; (None, None) when off."""
    if not st.session_state.get(KEY_REVIEW, False):
        return None, None
    try:
        return recommend_review_band(sweep, float(st.session_state.get(KEY_REVIEW_COST, 10.0)),
                                     st.session_state.get(KEY_REVIEW_MAX, 10) / 100.0), None
    except DataError as error:
        return None, str(error)


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
    # Compute first, draw after: the browser redraws the page for each batch of elements that
    # reaches it (about every 10 ms), so computing between elements would make it redraw the
    # page several times per move.
    point = sweep.at(threshold)
    reference = recommendation.point if recommendation is not None else None
    summary = cost_summary(point, costs)
    metrics = []
    for label, field in (("Precision", "precision"), ("Recall", "recall"), ("F1", "f1"), ("Accuracy", "accuracy")):
        value = float(getattr(point, field))
        versus = None if reference is None else float(getattr(reference, field))
        metrics.append((label, _ratio(value), _delta(value, versus, lambda v: f"{v:.3f}")))
    cost_delta = _delta(point.cost, None if reference is None else reference.cost,
                        lambda v: costs.format(v, decimals=0))
    cost_caption = (
        f"Flagging {point.positive_rate:.1%} of cases costs {costs.format(summary.per_1000)} per 1,000 cases "
        f"({costs.format(summary.total, decimals=0)} in total): "
        f"{_versus(summary.savings_vs_nobody, summary.n, costs)} flagging nobody, "
        f"{_versus(summary.savings_vs_everybody, summary.n, costs)} flagging everybody."
    )
    markers = {charts.MARKERS: cached.arrow(charts.marker_rows(threshold, recommended_t))}  # once for four charts
    cells = charts.confusion_cells(point, costs, positive_label=positive_label, negative_label=negative_label)
    cells = {charts.CELLS: cached.arrow(charts.confusion_rows(cells, currency=costs.currency))}

    # Rows are horizontal containers, as above.
    metric_row = st.container(horizontal=True)
    for label, text, delta in metrics:
        metric_row.metric(label, text, delta=delta)
    metric_row.metric(
        "Business cost", costs.format(point.cost, decimals=0), delta=cost_delta, delta_color="inverse",
        help=f"Total over the {summary.n:,.0f} evaluated cases; {costs.format(summary.per_1000)} per 1,000 cases.")
    # One caption for the cost sentence and the charts' legend: each element is redrawn on every run.
    st.caption(cost_caption + "\n\nOn the charts: solid red line = the current threshold, dashed green line = "
               "the recommended one.")

    show_bands = st.toggle("Show 90% bootstrap bands", value=True, key="threshold.bands", persist_state="session",
                           help="How much the curves could move on another sample of the same size (200 resamples).")
    if show_bands and analysis.band_error:  # e.g. the bootstrap refuses these data: the charts go without bands
        st.caption(analysis.band_error)
    show_bands = show_bands and analysis.resamples is not None
    specs = cached.chart_specs(digest, analysis, costs.currency, show_bands, positive_label, negative_label)

    with st.container(horizontal=True):
        _show(specs["metrics"], markers)
        _show(specs["cost"], {**markers, charts.COST_LINE: cost_line_rows,
                              charts.COST_BAND: cost_band_rows if show_bands else no_cost_band_rows})
    with st.container(horizontal=True):
        _show(specs["confusion"], cells)
        _show(specs["distribution"], markers)

    # One view at a time, picked like a tab, so only its charts are drawn on a slider move. A
    # segmented control rather than st.tabs: a tab panel checks on every redraw which of its
    # descendants can take the focus, visiting each node of its charts' SVG (about 10 ms of the
    # browser's work per run, measured in a CPU profile).
    if st.session_state.get(KEY_TAB) not in VIEWS:
        st.session_state[KEY_TAB] = VIEW_ROC
    view = st.segmented_control("More views", VIEWS, key=KEY_TAB, required=True, label_visibility="collapsed")
    view_box = st.container()
    if view == VIEW_ROC:
        with view_box, st.container(horizontal=True):
            _show(specs["roc"], {charts.POINT: charts.point_rows(point.fpr, point.recall)})
            _show(specs["pr"], {charts.POINT: charts.point_rows(point.recall, point.precision)})
    if view == VIEW_CAPACITY:
        with view_box:
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
    if view == VIEW_CALIBRATION:
        with view_box:
            if "reliability" in specs:
                _show(specs["reliability"])
                st.caption(f"Brier score {analysis.brier:.4f} (mean squared gap between probability and "
                           "outcome; lower is better). Points on the diagonal mean a score of 0.3 really is a 30% "
                           "chance.")
            else:
                st.info("Calibration only makes sense for probabilities; these scores are not.")
    if view == VIEW_REVIEW:
        with view_box:
            st.write("Instead of one cut, send the uncertain middle to a person: scores below the band are "
                     "cleared, above it flagged, in between reviewed.")
            if st.toggle("Use a manual-review band", key=KEY_REVIEW, persist_state="session"):
                c1, c2 = st.columns(2)
                with c1:
                    st.number_input("Cost of one manual review", min_value=0.0, value=10.0, step=1.0,
                                    key=KEY_REVIEW_COST, persist_state="session")
                with c2:
                    st.slider("Most cases you can review (%)", 1, 50, 10, key=KEY_REVIEW_MAX, persist_state="session")
    # The band counts (and is saved with a scenario) whichever view is open: its inputs keep their
    # values in the session while their view is hidden.
    outcome, review_error = _review_band(sweep)
    if view == VIEW_REVIEW and st.session_state.get(KEY_REVIEW, False):
        with view_box:
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

    # By segment (pages/_segments_view.py): the current `threshold`, the `analysis` (and `sweep`,
    # `point`) and the CostMatrix `costs` are the local names to pass on.
    _segments_view.render_by_segment(
        y, scores, getattr(evaluation, "segments", None), threshold, costs, weights=weights, amounts=amounts,
        segment_column=getattr(evaluation, "segment_column", None), digest=digest)

    _write_query_params({"t": threshold, **cost_values, **(percent_values if amounts is not None else {})})
    _workspace.save_settings()  # a fragment rerun skips the entry script's autosave


_decision()


def _save_scenario() -> None:
    """The "Save scenario" button's callback: keep the current setting for the Report page.

    A callback runs before the next run, with the names of the run that drew the button (the
    costs, the objective, the sweep); the threshold is the slider's, which fragment reruns keep
    up to date in the session. The name box then offers the next number.
    """
    scenarios = _ui.get_scenarios()
    name = str(st.session_state.get(KEY_NAME) or "").strip() or f"Scenario {len(scenarios) + 1}"
    threshold = float(np.clip(st.session_state[KEY_T], lo, hi))
    point = sweep.at(threshold)
    outcome, _ = _review_band(sweep)
    # The objective only names the setting if the slider still sits on its recommendation.
    chosen_by = OBJECTIVES[objective] if recommended_t is not None and math.isclose(threshold, recommended_t) else None
    review_on = bool(st.session_state.get(KEY_REVIEW, False))
    record = scenario_record(
        name=name, threshold=threshold, costs=costs, point=point, objective=chosen_by,
        review_rate=None if outcome is None else float(outcome.review_rate),
        review_cost=float(st.session_state.get(KEY_REVIEW_COST, 10.0)) if review_on else None,
        review_total_cost=None if outcome is None else outcome.total_cost,
        explanation=explain(sweep, point, positive_label=positive_noun), evaluated_on=evaluation.label,
        evaluation=fingerprint, amount_column=None if amounts is None else amount_column,
        positive_rate=None if shifted_weights is None else float(production_rate))
    segments = _segments_view.scenario_segments(
        y, scores, getattr(evaluation, "segments", None), threshold, costs, weights=weights, amounts=amounts,
        segment_column=getattr(evaluation, "segment_column", None), digest=digest)
    if segments is not None:
        record["segments"] = segments
    scenarios.append(record)
    st.session_state[KEY_NAME] = f"Scenario {len(scenarios) + 1}"
    st.session_state[KEY_JUST_SAVED] = name


def _save_setting() -> None:
    """The name box and the button. Outside the slider's fragment, so a slider move does not
    redraw them; pressing the button runs the page."""
    st.subheader("Save this setting")
    scenarios = _ui.get_scenarios()
    if not st.session_state.get(KEY_NAME):
        st.session_state[KEY_NAME] = f"Scenario {len(scenarios) + 1}"
    with st.container(horizontal=True, vertical_alignment="bottom"):
        st.text_input("Scenario name", key=KEY_NAME)
        st.button("Save scenario", width="content", on_click=_save_scenario)
    just_saved = st.session_state.pop(KEY_JUST_SAVED, None)
    if just_saved is not None:
        st.toast(f"Saved “{just_saved}”. Compare scenarios and download the report on the Report page.")
    if scenarios:
        st.caption(f"{len(scenarios)} scenario(s) saved — compare them and download the report on the "
                   "**Report** page.")


_save_setting()

# Models side by side: below the decision, since it moves with the costs and the objective, not the slider.
others = dict(getattr(evaluation, "others", None) or {})
if others:
    st.subheader("Models side by side")
    primary_name = getattr(evaluation, "primary_name", None) or "Primary model"
    models = {primary_name: scores, **{name: np.asarray(values, dtype=float) for name, values in others.items()}}
    try:
        comparison = cached.comparison(digest, y, models, case_weights, amounts, cost_fields, objective,
                                 tuple(sorted(objective_kwargs.items())))
    except DataError as error:
        st.error(str(error))
    else:
        st.dataframe(comparison.table, hide_index=True, width="stretch", column_config={
            "Threshold": st.column_config.NumberColumn(format="%.4g"),
            **{name: st.column_config.NumberColumn(format="%.3f") for name in ("Precision", "Recall", "F1", "ROC AUC")},
            "Business cost": st.column_config.NumberColumn(format=_segments_view.money_format(costs.currency)),
        })
        st.caption(f"Each model at its own recommended threshold ({OBJECTIVES[objective].lower()}, same costs); each "
                   "score keeps its own scale, so thresholds of different models are not comparable.")
        for difference in comparison.differences:
            st.info(difference.sentence + " (Paired bootstrap: the same resampled cases for both models.)")
        for name, problem in comparison.problems.items():
            st.warning(f"{name}: {problem}")
        overlays = cached.overlay_specs(digest, comparison, cost_fields)
        with st.container(horizontal=True):
            _show(overlays["roc"])
            _show(overlays["pr"])
        _show(overlays["cost"])
