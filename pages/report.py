"""Report page: the saved scenarios side by side, the chosen threshold checked once on the
held-out test split, and everything to take away (scored CSV, model JSON, the decision policy as
SQL and as Python, decision report). With no scenario saved yet, the Threshold page's current
setting can still be taken away as a decision policy."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import streamlit as st

from core.analysis import positive_share, production_weights
from core.costs import CostMatrix
from core.errors import DataError
from core.exports import (
    DecisionReport,
    metrics_table,
    model_json,
    report_html,
    report_markdown,
    scenario_costs,
    scenarios_frame,
    scored_csv,
)
from core.policy import model_policy, policy_python, policy_sql, saved_review_band, scores_policy
from core.review import recommend_review_band
from core.scores import amount_values, case_counts
from core.thresholds import threshold_sweep
from core.validation import describe_spread, threshold_spread
from pages import _ui, _workspace

# The Threshold page's session keys for its current setting (its slider, costs and review band).
_THRESHOLD_KEYS = {"t": "threshold.t", "context": "threshold.context", "review": "threshold.review",
                   "review_cost": "threshold.review_cost", "review_max": "threshold.review_max"}


def _file_stem(name: str) -> str:
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name.strip().lower()).strip("-")
    return stem[:40] or "cutoff"


def _all_row_scores(dataset, setup, model) -> tuple[np.ndarray, dict[str, list[str]]]:
    """A score for every row of the loaded table (NaN where none can be given) and, in Train
    mode, which split each row was in."""
    df = dataset.df
    if setup.mode == _ui.MODE_SCORES:
        return pd.to_numeric(df[setup.score_column], errors="coerce").to_numpy(dtype=float), {}
    prepared = model.prepared
    scores = model.model.predict_proba(prepared.transform(df))[:, 1]
    split = np.full(len(df), "not used (no target)", dtype=object)
    splits = (("train", prepared.idx_train), ("validation", prepared.idx_val), ("test", prepared.idx_test))
    for name, positions in splits:
        split[np.asarray(positions)] = name
    return scores, {"split": split.tolist()}


def _row_labels(dataset, setup) -> np.ndarray:
    """Every row's label (1 = positive, 0 = negative, NaN = no target), as the evaluation reads them."""
    report = setup.report if getattr(setup, "report", None) is not None else _ui.describe(
        dataset, setup.target, setup.positive_class, require_split=False)
    labels = np.full(len(dataset.df), np.nan)
    labels[np.flatnonzero(report.row_mask)] = report.y
    return labels


def _scored_file(dataset, setup, model, threshold: float, costs: CostMatrix) -> bytes:
    """The scored CSV with each row's business cost at ``threshold`` (its ``cost`` column sums,
    over the evaluated rows, to the Business cost the scenario was saved with)."""
    scores, extra = _all_row_scores(dataset, setup, model)
    df = dataset.df
    return scored_csv(df, scores, threshold, extra=extra, costs=costs, labels=_row_labels(dataset, setup),
                      amounts=amount_values(df, setup.amount_column) if setup.amount_column else None,
                      weights=case_counts(df, setup.count_column) if setup.count_column else None)


def _policy(dataset, setup, model, threshold: float, band, costs):
    """The decision policy of this setting (``core.policy``); raises DataError."""
    common = dict(threshold=threshold, review_band=band, dataset=dataset.name, target=str(setup.target),
                  positive_class=str(getattr(setup, "positive_class", "")), costs=costs)
    if setup.mode == _ui.MODE_SCORES:
        return scores_policy(setup.score_column, table_columns=dataset.df.columns, **common)
    return model_policy(model.model, model.prepared, table=dataset.df, **common)


def _module_name(stem: str) -> str:
    name = re.sub(r"\W", "_", stem)
    return f"{'policy_' if name[:1].isdigit() else ''}{name}_policy"


def _sql_button(policy, stem: str, key: str) -> None:
    st.download_button(
        "Decision policy (SQL)", data=policy_sql(policy), file_name=f"{stem}-policy.sql", mime="application/sql",
        on_click="ignore", key=f"{key}.sql",
        help="One SELECT over a table named cases with the original columns: adds score and decision (1 = flag, "
             "0 = do not flag, 2 = manual review). Runs in DuckDB, PostgreSQL and SQLite; notes for other "
             "databases at its top.",
    )


def _python_button(policy, stem: str, key: str) -> None:
    st.download_button(
        "Decision policy (Python)", data=policy_python(policy), file_name=f"{_module_name(stem)}.py",
        mime="text/x-python", on_click="ignore", key=f"{key}.py",
        help="score(row) and decide(row) in one file that imports only math: the decisions shown here, row for row.",
    )


def _band_caption(band) -> None:
    if band is not None:
        st.caption(f"The policy includes the review band: scores from {band[0]:.4g} up to {band[1]:.4g} get "
                   f"decision 2 (send to a person); from {band[1]:.4g} up, 1 (flag); below {band[0]:.4g}, 0.")


def _band_sweep(evaluation, costs):
    """The sweep the Threshold page found its review band on: these scores, weights and amounts."""
    return threshold_sweep(evaluation.y, evaluation.scores, costs=costs,
                           sample_weight=getattr(evaluation, "weights", None),
                           amounts=getattr(evaluation, "amounts", None))


def _report_sweep(evaluation, costs, positive_rate):
    """The sweep the scenario's numbers came from: these scores, counts and amounts, reweighted
    to the production positive rate it assumed (if any), as the Threshold page does."""
    weights = getattr(evaluation, "weights", None)
    if positive_rate is not None:
        shifted = production_weights(evaluation.y, weights, positive_rate)
        weights = weights if shifted is None else shifted
    return threshold_sweep(evaluation.y, evaluation.scores, costs=costs, sample_weight=weights,
                           amounts=getattr(evaluation, "amounts", None))


def _current_setting(dataset, setup, model, evaluation):
    """(threshold, review band, costs) the Threshold page shows now for these scores, or None
    when it has not been opened on them."""
    state = st.session_state
    if evaluation is None or dataset is None or setup is None or _THRESHOLD_KEYS["t"] not in state:
        return None
    if setup.mode == _ui.MODE_TRAIN and model is None:
        return None
    context = state.get(_THRESHOLD_KEYS["context"])
    if not isinstance(context, tuple) or len(context) < 2 or context[1] != evaluation.fingerprint():
        return None  # the slider was set on other scores
    preset = getattr(getattr(dataset, "demo", None), "costs", None)

    def money(key: str) -> float:
        return float(state.get(f"threshold.{key}", 0.0) or 0.0)

    costs = CostMatrix(money("fp"), money("fn"), money("tp"), money("tn"), getattr(preset, "currency", "$"),
                       fp_pct=money("fpa"), fn_pct=money("fna"), tp_pct=money("tpa"), tn_pct=money("tna"))
    band = None
    if state.get(_THRESHOLD_KEYS["review"], False):
        review_cost = float(state.get(_THRESHOLD_KEYS["review_cost"], 10.0))
        capacity = float(state.get(_THRESHOLD_KEYS["review_max"], 10)) / 100.0
        outcome = recommend_review_band(_band_sweep(evaluation, costs), review_cost, capacity)
        band = (outcome.low, outcome.high)
    return float(state[_THRESHOLD_KEYS["t"]]), band, costs


st.title("Report")
st.caption("What this session decided, checked on data the choice never saw, ready to share.")
# Before anything that may stop the page: the workspace can be downloaded or deleted at any time.
_workspace.report_page_buttons()

scenarios = _ui.get_scenarios()
dataset, setup, model, evaluation = _ui.get_dataset(), _ui.get_setup(), _ui.get_model(), _ui.get_evaluation()
if not scenarios:
    st.info(
        "No scenarios saved yet. On the **Threshold** page, pick a threshold and costs, then press "
        "**Save scenario**; each saved setting appears here side by side, with the downloads."
    )
    if dataset is None:
        st.caption("Start on the **Data** page: pick a demo dataset or upload a CSV.")
    try:
        now = _current_setting(dataset, setup, model, evaluation)
        if now is not None:
            threshold, band, costs = now
            policy = _policy(dataset, setup, model, threshold, band, costs)
    except DataError as error:
        st.error(str(error))
        st.stop()
    if now is not None:
        st.subheader("The current setting as a decision policy")
        st.caption(f"The Threshold page's setting now: flag when score ≥ {threshold:.4g}. Save it as a scenario to "
                   "compare it and check it on the test split first.")
        _band_caption(band)
        left, right = st.columns(2)
        stem = _file_stem(dataset.name)
        with left:
            _sql_button(policy, stem, "report.current")
        with right:
            _python_button(policy, stem, "report.current")
    st.stop()

st.subheader("Scenarios side by side")
st.dataframe(scenarios_frame(scenarios), hide_index=True, width="stretch")

# A scenario is reported only against the labels and scores it was chosen on: after a retrain
# or a new target/positive class/mode, its threshold would mean something else.
current = evaluation.fingerprint() if evaluation is not None else None
matching = [i for i, s in enumerate(scenarios) if s.get("evaluation") == current]
choice = st.selectbox(
    "Scenario to report", range(len(scenarios)), index=matching[-1] if matching else len(scenarios) - 1,
    format_func=lambda i: scenarios[i]["name"] + ("" if i in matching else " (earlier model or data)"),
    key="report.scenario",
)
scenario = scenarios[choice]
costs = scenario_costs(scenario)
threshold = scenario["threshold"]

if evaluation is None or dataset is None or setup is None:
    st.warning("The data behind these scenarios is no longer loaded, so there is nothing to score or export. "
               "Load it again on the **Data** page.")
    st.stop()
if choice not in matching:
    st.warning(
        f"“{_ui.escape_markdown(scenario['name'])}” was saved on an earlier model or data choice (evaluated on "
        f"{_ui.escape_markdown(scenario.get('evaluated_on', 'other rows'))}). Its row above keeps the numbers from "
        "then; its threshold would mean something else for the current scores. To report or export it, set it "
        "again on the **Threshold** page and save it."
    )
    st.stop()

train_mode = setup.mode == _ui.MODE_TRAIN and model is not None
try:
    positive_rate = scenario.get("positive_rate")
    sweep = _report_sweep(evaluation, costs, positive_rate)
    point = sweep.at(threshold)
    columns = {evaluation.label: point}
    test_point, test_label = None, None
    # Cross-validation on all rows keeps no test split (see the Train page's nested check).
    has_test = train_mode and len(model.prepared.y_test) > 0
    if has_test:
        y_test = np.asarray(model.prepared.y_test)
        test_label = f"test split ({len(y_test):,} rows)"
        test_evaluation = _ui.evaluation_for_rows(dataset, setup, model.prepared.idx_test, model.test_scores,
                                                  label=test_label, is_probability=True)
        test_point = _report_sweep(test_evaluation, costs, positive_rate).at(threshold)
        columns[test_label] = test_point
except DataError as error:
    st.error(str(error))
    st.stop()

st.subheader(f"“{scenario['name']}” at threshold {threshold:.3f}")
if scenario.get("explanation"):
    st.success(scenario["explanation"])
st.dataframe(metrics_table(columns, costs), width="stretch")
if has_test:
    st.caption("The test split was held out from training and from choosing the threshold, so its column is "
               "the honest estimate of what to expect on new cases. A large gap to the validation column means "
               "the threshold was tuned to noise.")
elif train_mode:
    st.caption("Every row was cross-validated, so no test split was kept aside: the out-of-fold column is the "
               "estimate, and the spread across folds below says how much to trust it.")
else:
    st.caption("In *Use my scores* mode every row was used to choose the threshold; expect new data to do "
               "slightly worse.")

# Cross-validation: how the threshold was chosen and how it varies fold to fold (core.validation).
cross_validation = st.session_state.get("train.cross_validation")  # set by the Train page
if train_mode and cross_validation and cross_validation["cv"].final is model.model:
    spread = threshold_spread(cross_validation["cv"], costs, threshold)
    st.markdown("**How the threshold was chosen**")
    st.caption(describe_spread(spread, threshold, costs.currency))
    st.dataframe(spread, hide_index=True, column_config={
        "best_threshold": st.column_config.NumberColumn("lowest-cost threshold", format="%.3f"),
        "best_cost_per_case": st.column_config.NumberColumn("its cost per case", format="%.2f"),
        "chosen_cost_per_case": st.column_config.NumberColumn("cost per case at the chosen threshold", format="%.2f"),
    })

st.subheader("Downloads")
stem = _file_stem(dataset.name)
positive_class = getattr(setup, "positive_class", "")
decision = DecisionReport(
    dataset=dataset.name, target=str(setup.target), positive_class=str(positive_class), mode=setup.mode,
    evaluated_on=evaluation.label, threshold=threshold, costs=costs, point=point,
    objective=scenario.get("objective"), explanation=scenario.get("explanation"), test_point=test_point,
    test_label=test_label, scenarios=list(scenarios),
    curve=sweep.frame(max_points=400), x_range=(0.0, 1.0) if evaluation.is_probability else None,
    segments=scenario.get("segments"), amount_column=scenario.get("amount_column") or setup.amount_column,
    positive_rate=positive_rate,
    data_positive_rate=None if positive_rate is None else positive_share(evaluation.y, evaluation.weights),
)
policy = None
if not (setup.mode == _ui.MODE_TRAIN and model is None):
    try:
        band = saved_review_band(scenario, _band_sweep(evaluation, costs))
        policy = _policy(dataset, setup, model, threshold, band, costs)
    except DataError as error:
        st.error(str(error))
left, middle, sql_column, python_column = st.columns(4)
with left:
    # Built only when clicked: a few hundred thousand rows take a moment to write.
    st.download_button(
        "Scored CSV", data=lambda: _scored_file(dataset, setup, model, threshold, costs),
        file_name=f"{stem}-scored.csv", mime="text/csv", on_click="ignore", key="report.csv",
        disabled=setup.mode == _ui.MODE_TRAIN and model is None,
        help="Every input row with its score, decision (1 = flagged) and business cost at this threshold (empty "
             "where the row has no label). Safe to open in a spreadsheet.",
    )
with middle:
    if train_mode:
        st.download_button(
            "Model (JSON)", data=model_json(model.model, model.prepared, threshold=threshold, costs=costs,
                                           target=setup.target, positive_class=positive_class,
                                           segments=scenario.get("segments")),
            file_name=f"{stem}-model.json", mime="application/json", on_click="ignore", key="report.json",
            help="Preprocessing, coefficients by feature, intercept, threshold and costs: enough to score new rows.",
        )
    else:
        st.caption("No model to export: in *Use my scores* mode the scores come from your own model.")
if policy is not None:
    with sql_column:
        _sql_button(policy, stem, "report.policy")
    with python_column:
        _python_button(policy, stem, "report.policy")
    _band_caption(policy.review_band)
right, last, _, _ = st.columns(4)
with right:
    st.download_button("Report (Markdown)", data=report_markdown(decision), file_name=f"{stem}-report.md",
                       mime="text/markdown", on_click="ignore", key="report.md")
with last:
    st.download_button("Report (HTML)", data=report_html(decision), file_name=f"{stem}-report.html",
                       mime="text/html", on_click="ignore", key="report.html",
                       help="One self-contained page with the charts; opens offline in any browser.")
