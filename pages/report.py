"""Report page: the saved scenarios side by side, the chosen threshold checked once on the
held-out test split, and everything to take away (scored CSV, model JSON, decision report)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from core.errors import DataError
from core.exports import (
    DecisionReport,
    model_json,
    report_html,
    report_markdown,
    scenario_costs,
    scenarios_frame,
    scored_csv,
)
from core.thresholds import threshold_sweep
from pages import _ui


def _file_stem(name: str) -> str:
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name.strip().lower()).strip("-")
    return stem[:40] or "cutoff"


def _metrics_table(columns: dict[str, object], costs) -> pd.DataFrame:
    """One column per evaluated split, one row per measure (text, for reading)."""
    rows = {"Precision": "precision", "Recall": "recall", "F1": "f1", "Accuracy": "accuracy",
            "Share flagged": "positive_rate"}
    table = {}
    for name, point in columns.items():
        values = {label: f"{getattr(point, field):.3f}" for label, field in rows.items()}
        values["Business cost"] = costs.format(costs.total(point.tp, point.fp, point.tn, point.fn), decimals=0)
        values["Cases flagged"] = f"{point.tp + point.fp:,.0f} of {point.tp + point.fp + point.tn + point.fn:,.0f}"
        table[name] = values
    return pd.DataFrame(table)


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


def _scored_file(dataset, setup, model, threshold: float) -> bytes:
    scores, extra = _all_row_scores(dataset, setup, model)
    return scored_csv(dataset.df, scores, threshold, extra=extra)


st.title("Report")
st.caption("What this session decided, checked on data the choice never saw, ready to share.")

scenarios = _ui.get_scenarios()
dataset, setup, model, evaluation = _ui.get_dataset(), _ui.get_setup(), _ui.get_model(), _ui.get_evaluation()
if not scenarios:
    st.info(
        "No scenarios saved yet. On the **Threshold** page, pick a threshold and costs, then press "
        "**Save scenario**; each saved setting appears here side by side, with the downloads."
    )
    if dataset is None:
        st.caption("Start on the **Data** page: pick a demo dataset or upload a CSV.")
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
    sweep = threshold_sweep(evaluation.y, evaluation.scores, costs=costs)
    point = sweep.at(threshold)
    columns = {evaluation.label: point}
    test_point, test_label = None, None
    if train_mode:
        y_test = np.asarray(model.prepared.y_test)
        test_label = f"test split ({len(y_test):,} rows)"
        test_point = threshold_sweep(y_test, model.test_scores, costs=costs).at(threshold)
        columns[test_label] = test_point
except DataError as error:
    st.error(str(error))
    st.stop()

st.subheader(f"“{scenario['name']}” at threshold {threshold:.3f}")
if scenario.get("explanation"):
    st.success(scenario["explanation"])
st.dataframe(_metrics_table(columns, costs), width="stretch")
if train_mode:
    st.caption("The test split was held out from training and from choosing the threshold, so its column is "
               "the honest estimate of what to expect on new cases. A large gap to the validation column means "
               "the threshold was tuned to noise.")
else:
    st.caption("In *Use my scores* mode every row was used to choose the threshold; expect new data to do "
               "slightly worse.")

st.subheader("Downloads")
stem = _file_stem(dataset.name)
positive_class = getattr(setup, "positive_class", "")
decision = DecisionReport(
    dataset=dataset.name, target=str(setup.target), positive_class=str(positive_class), mode=setup.mode,
    evaluated_on=evaluation.label, threshold=threshold, costs=costs, point=point,
    objective=scenario.get("objective"), explanation=scenario.get("explanation"), test_point=test_point,
    test_label=test_label, scenarios=list(scenarios),
    curve=sweep.frame(max_points=400), x_range=(0.0, 1.0) if evaluation.is_probability else None,
)
left, middle, right, last = st.columns(4)
with left:
    # Built only when clicked: a few hundred thousand rows take a moment to write.
    st.download_button(
        "Scored CSV", data=lambda: _scored_file(dataset, setup, model, threshold),
        file_name=f"{stem}-scored.csv", mime="text/csv", on_click="ignore", key="report.csv",
        disabled=setup.mode == _ui.MODE_TRAIN and model is None,
        help="Every input row with its score and decision (1 = flagged). Safe to open in a spreadsheet.",
    )
with middle:
    if train_mode:
        st.download_button(
            "Model (JSON)", data=model_json(model.model, model.prepared, threshold=threshold, costs=costs,
                                           target=setup.target, positive_class=positive_class),
            file_name=f"{stem}-model.json", mime="application/json", on_click="ignore", key="report.json",
            help="Preprocessing, coefficients by feature, intercept, threshold and costs: enough to score new rows.",
        )
    else:
        st.caption("No model to export: in *Use my scores* mode the scores come from your own model.")
with right:
    st.download_button("Report (Markdown)", data=report_markdown(decision), file_name=f"{stem}-report.md",
                       mime="text/markdown", on_click="ignore", key="report.md")
with last:
    st.download_button("Report (HTML)", data=report_html(decision), file_name=f"{stem}-report.html",
                       mime="text/html", on_click="ignore", key="report.html",
                       help="One self-contained page with the charts; opens offline in any browser.")
