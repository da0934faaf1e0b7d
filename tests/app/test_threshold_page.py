"""Threshold page (AppTest): the metrics shown are core's numbers for the slider and costs,
the recommendation button moves the slider, the URL mirrors the setting both ways, scenarios
are saved, and no state raises (no data, raw scores, bad links)."""

from __future__ import annotations

import json

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core.costs import CostMatrix
from core.demos import DEMOS
from core.thresholds import recommend_threshold, threshold_sweep
from pages import _ui
from tests.app.conftest import choose_mode, find, goto, pick_demo, start, stored

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "threshold.py")
DEMO_COSTS = CostMatrix(fp_cost=20.0, fn_cost=150.0, tp_value=5.0, tn_value=0.0, currency="$")


def make_evaluation(n: int = 400, seed: int = 0, raw: bool = False, label: str = "validation split (400 rows)"):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    logits = rng.normal(-1.0 + 2.0 * y, 1.2)
    scores = logits * 3.0 + 2.0 if raw else 1 / (1 + np.exp(-logits))
    return _ui.Evaluation(y=y, scores=scores, is_probability=not raw, label=label)


def seeded_app(page: str = PAGE, evaluation=None, *, mode: str = _ui.MODE_SCORES, costs=DEMO_COSTS,
               query: dict | None = None, scenarios: list | None = None, model=None, df=None) -> AppTest:
    """An AppTest of one page with a dataset, setup and evaluation already in the session."""
    at = AppTest.from_file(page, default_timeout=60)
    if evaluation is not None:
        demo = None if costs is None else SimpleNamespace(costs=costs)
        frame = df if df is not None else pd.DataFrame({"score": evaluation.scores, "target": evaluation.y})
        at.session_state[_ui._KEY_DATASET] = _ui.Dataset(name="Test data", df=frame, source="demo", demo=demo,
                                                         token="test:1")
        at.session_state[_ui._KEY_SETUP] = _ui.Setup(mode=mode, target="target", positive_class=1,
                                                     score_column="score" if mode == _ui.MODE_SCORES else None,
                                                     feature_columns=[c for c in frame.columns if c != "target"])
        at.session_state[_ui._KEY_EVALUATION] = evaluation
        if model is not None:
            at.session_state[_ui._KEY_MODEL] = model
    if scenarios is not None:
        at.session_state[_ui._KEY_SCENARIOS] = scenarios
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def metric(at: AppTest, label: str):
    return next(m for m in at.metric if m.label == label)


def costs_of(at: AppTest) -> CostMatrix:
    values = {n.label: n.value for n in at.number_input}
    return CostMatrix(values["Cost of a false positive"], values["Cost of a false negative"],
                      values["Value of a true positive"], values["Value of a true negative"], "$")


def assert_metrics_match_core(at: AppTest, evaluation, threshold: float, costs: CostMatrix) -> None:
    point = threshold_sweep(evaluation.y, evaluation.scores, costs=costs).at(threshold)
    flagged = evaluation.scores >= threshold  # the rule, independently of core
    assert point.tp == int(np.sum(flagged & (evaluation.y == 1)))
    assert metric(at, "Precision").value == f"{point.precision:.3f}"
    assert metric(at, "Recall").value == f"{point.recall:.3f}"
    assert metric(at, "F1").value == f"{point.f1:.3f}"
    assert metric(at, "Accuracy").value == f"{point.accuracy:.3f}"
    expected_cost = costs.total(point.tp, point.fp, point.tn, point.fn)
    assert metric(at, "Business cost").value == costs.format(expected_cost, decimals=0)
    per_1000 = expected_cost / len(evaluation.y) * 1000
    assert any(f"costs {costs.format(per_1000)} per 1,000 cases" in c.value for c in at.caption)


def test_no_evaluation_points_to_the_data_page():
    at = seeded_app()
    assert not at.exception
    assert "Data" in at.info[0].value
    assert not at.slider and not at.metric


def test_opens_at_the_demo_costs_and_the_lowest_cost_threshold():
    evaluation = make_evaluation()
    at = seeded_app(evaluation=evaluation)
    assert not at.exception
    assert costs_of(at) == DEMO_COSTS
    sweep = threshold_sweep(evaluation.y, evaluation.scores, costs=DEMO_COSTS)
    assert at.slider(key="threshold.t").value == pytest.approx(recommend_threshold(sweep, "min_cost").threshold)
    assert any(evaluation.label in m.value for m in at.markdown)


def test_slider_and_costs_change_metrics_to_cores_values():
    evaluation = make_evaluation()
    at = seeded_app(evaluation=evaluation)
    at.slider(key="threshold.t").set_value(0.3).run()
    assert not at.exception
    assert_metrics_match_core(at, evaluation, 0.3, DEMO_COSTS)
    low_precision = metric(at, "Precision").value

    at.slider(key="threshold.t").set_value(0.8).run()
    assert_metrics_match_core(at, evaluation, 0.8, DEMO_COSTS)
    assert metric(at, "Precision").value != low_precision

    at.number_input(key="threshold.fp").set_value(75.0).run()
    at.number_input(key="threshold.tn").set_value(2.0).run()
    new_costs = CostMatrix(75.0, 150.0, 5.0, 2.0)
    assert costs_of(at) == new_costs
    assert_metrics_match_core(at, evaluation, 0.8, new_costs)


def test_metrics_show_their_change_against_the_recommendation():
    evaluation = make_evaluation()
    at = seeded_app(evaluation=evaluation)
    assert not metric(at, "Recall").delta  # opens at the recommended threshold
    at.slider(key="threshold.t").set_value(0.05).run()
    rec = recommend_threshold(threshold_sweep(evaluation.y, evaluation.scores, costs=DEMO_COSTS), "min_cost")
    here = threshold_sweep(evaluation.y, evaluation.scores, costs=DEMO_COSTS).at(0.05)
    diff = here.recall - rec.point.recall
    assert metric(at, "Recall").delta == f"{'+' if diff > 0 else '-'}{abs(diff):.3f} vs recommended"


@pytest.mark.parametrize("objective, kwargs", [("max_f1", {}), ("youden", {}), ("capacity", {"capacity": 0.1})])
def test_recommended_button_moves_the_slider(objective, kwargs):
    evaluation = make_evaluation()
    at = seeded_app(evaluation=evaluation)
    at.slider(key="threshold.t").set_value(0.99).run()
    at.selectbox(key="threshold.objective").set_value(objective).run()
    next(b for b in at.button if b.label == "Use recommended threshold").click().run()
    assert not at.exception
    sweep = threshold_sweep(evaluation.y, evaluation.scores, costs=costs_of(at))
    rec = recommend_threshold(sweep, objective, positive_label="'target' cases", **kwargs)
    assert at.slider(key="threshold.t").value == pytest.approx(rec.threshold)
    assert_metrics_match_core(at, evaluation, rec.threshold, costs_of(at))
    assert any(rec.explanation in s.value for s in at.success)


def test_impossible_objective_is_a_warning_not_an_exception():
    evaluation = make_evaluation()
    evaluation.y[np.argmax(evaluation.scores)] = 0  # every threshold flags this negative: precision 1 is out of reach
    at = seeded_app(evaluation=evaluation)
    at.selectbox(key="threshold.objective").set_value("recall_at_precision").run()
    at.number_input(key="threshold.min_precision").set_value(1.0).run()
    assert not at.exception
    assert at.warning and "precision" in at.warning[0].value.lower()


def test_query_parameters_set_the_page_and_follow_it():
    evaluation = make_evaluation()
    at = seeded_app(evaluation=evaluation, query={"t": "0.25", "fp": "7", "fn": "70", "tp": "0", "tn": "1.5"})
    assert not at.exception
    assert at.slider(key="threshold.t").value == 0.25
    costs = CostMatrix(7, 70, 0, 1.5)
    assert costs_of(at) == costs
    assert_metrics_match_core(at, evaluation, 0.25, costs)

    at.slider(key="threshold.t").set_value(0.6).run()
    at.number_input(key="threshold.fn").set_value(90.0).run()
    assert at.query_params["t"] == "0.6"
    assert at.query_params["fn"] == "90" and at.query_params["fp"] == "7" and at.query_params["tn"] == "1.5"


def test_bad_query_parameters_are_ignored_with_a_note():
    evaluation = make_evaluation()
    at = seeded_app(evaluation=evaluation, query={"t": "abc", "fp": "-5", "fn": "inf", "tp": "12"})
    assert not at.exception
    notes = " ".join(i.value for i in at.info)
    assert "t='abc'" in notes and "fp='-5'" in notes and "fn='inf'" in notes
    costs = costs_of(at)
    assert costs == CostMatrix(DEMO_COSTS.fp_cost, DEMO_COSTS.fn_cost, 12.0, DEMO_COSTS.tn_value)
    sweep = threshold_sweep(evaluation.y, evaluation.scores, costs=costs)
    assert at.slider(key="threshold.t").value == pytest.approx(recommend_threshold(sweep, "min_cost").threshold)
    assert at.query_params["t"] != "abc"  # the URL now states what is shown

    out_of_range = seeded_app(evaluation=evaluation, query={"t": "1.7"})
    assert not out_of_range.exception and "t='1.7'" in out_of_range.info[0].value

    # Money beyond any real cost would print as a 300-digit figure: refused like other bad values.
    absurd = seeded_app(evaluation=evaluation, query={"fp": "1e300", "fn": "2000"})
    assert not absurd.exception and "fp='1e300'" in absurd.info[0].value
    assert costs_of(absurd) == CostMatrix(DEMO_COSTS.fp_cost, 2000.0, DEMO_COSTS.tp_value, DEMO_COSTS.tn_value)


def test_raw_scores_span_their_range_and_hide_calibration():
    evaluation = make_evaluation(raw=True, label="all 400 rows")
    assert evaluation.scores.min() < 0 and evaluation.scores.max() > 1
    at = seeded_app(evaluation=evaluation, costs=None)
    assert not at.exception
    slider = at.slider(key="threshold.t")
    assert slider.min == pytest.approx(evaluation.scores.min()) and slider.max == pytest.approx(evaluation.scores.max())
    assert any("not probabilities" in c.value for c in at.caption)
    assert costs_of(at) == CostMatrix(100, 500)  # defaults when the data brings no costs
    t = float(np.quantile(evaluation.scores, 0.7))
    slider.set_value(t).run()
    assert not at.exception
    assert_metrics_match_core(at, evaluation, t, costs_of(at))
    at.session_state["threshold.tab"] = "Calibration"  # open the tab, as a click on it would
    at.run()
    assert not at.exception
    assert any("Calibration only makes sense for probabilities" in i.value for i in at.info)


def test_save_scenario_keeps_the_setting_for_the_report():
    evaluation = make_evaluation()
    at = seeded_app(evaluation=evaluation)
    at.slider(key="threshold.t").set_value(0.4).run()
    at.text_input(key="threshold.name").set_value("Cautious").run()
    next(b for b in at.button if b.label == "Save scenario").click().run()
    assert not at.exception
    saved = at.session_state[_ui._KEY_SCENARIOS]
    assert len(saved) == 1
    point = threshold_sweep(evaluation.y, evaluation.scores, costs=DEMO_COSTS).at(0.4)
    assert saved[0]["name"] == "Cautious" and saved[0]["threshold"] == 0.4
    assert saved[0]["precision"] == pytest.approx(point.precision) and saved[0]["cost"] == pytest.approx(point.cost)
    assert saved[0]["fn_cost"] == DEMO_COSTS.fn_cost and saved[0]["review_rate"] is None
    assert saved[0]["evaluated_on"] == evaluation.label
    assert saved[0]["objective"] is None  # set by hand

    next(b for b in at.button if b.label == "Use recommended threshold").click().run()
    next(b for b in at.button if b.label == "Save scenario").click().run()
    assert [s["objective"] for s in at.session_state[_ui._KEY_SCENARIOS]] == [None, "Lowest business cost"]
    assert at.session_state[_ui._KEY_SCENARIOS][1]["name"] == "Scenario 2"


def test_review_band_is_saved_with_its_rate_even_from_another_tab():
    evaluation = make_evaluation()
    at = seeded_app(evaluation=evaluation)
    assert not any(t.key == "threshold.review" for t in at.toggle)  # hidden tabs draw nothing
    at.session_state["threshold.tab"] = "Manual review"
    at.run()
    at.toggle(key="threshold.review").set_value(True).run()
    assert not at.exception
    assert any(m.label == "Share reviewed" for m in at.metric)
    at.session_state["threshold.tab"] = "ROC and precision–recall"
    at.run()
    next(b for b in at.button if b.label == "Save scenario").click().run()
    saved = at.session_state[_ui._KEY_SCENARIOS][0]
    assert saved["review_rate"] is not None and 0 < saved["review_rate"] <= 0.10 + 1e-9
    assert saved["review_cost"] == 10.0 and saved["review_total_cost"] is not None


def test_single_class_scores_are_an_error_not_an_exception():
    evaluation = _ui.Evaluation(y=np.ones(20, dtype=int), scores=np.linspace(0, 1, 20), is_probability=True,
                                label="all 20 rows")
    at = seeded_app(evaluation=evaluation)
    assert not at.exception and at.error


def test_switching_demo_mid_session_resets_costs_and_threshold():

    at = choose_mode(start(), _ui.MODE_SCORES)
    goto(at, "threshold")
    first = stored(at, "dataset").demo
    assert costs_of(at) == CostMatrix(first.costs.fp_cost, first.costs.fn_cost, first.costs.tp_value,
                                      first.costs.tn_value)
    at.number_input(key="threshold.fp").set_value(1.0).run()

    other = next(key for key in DEMOS if key != first.key)
    pick_demo(at, other)
    choose_mode(at, _ui.MODE_SCORES)
    goto(at, "threshold")
    demo = DEMOS[other]
    assert costs_of(at) == CostMatrix(demo.costs.fp_cost, demo.costs.fn_cost, demo.costs.tp_value, demo.costs.tn_value)
    evaluation = stored(at, "evaluation")
    sweep = threshold_sweep(evaluation.y, evaluation.scores, costs=demo.costs)
    assert at.slider(key="threshold.t").value == pytest.approx(recommend_threshold(sweep, "min_cost").threshold)
    assert_metrics_match_core(at, evaluation, at.slider(key="threshold.t").value, costs_of(at))


def test_before_any_model_the_page_offers_the_datas_own_scores():

    at = goto(start(), "threshold")
    assert not at.slider and stored(at, "evaluation") is None
    column = stored(at, "dataset").demo.score_column
    find(at, "button", f"Evaluate the data's '{column}' column now").click().run()
    assert not at.exception
    setup, evaluation = stored(at, "setup"), stored(at, "evaluation")
    assert setup.mode == _ui.MODE_SCORES and setup.score_column == column
    assert_metrics_match_core(at, evaluation, at.slider(key="threshold.t").value, costs_of(at))


def test_a_shared_link_opens_on_its_setting_before_any_model():

    at = start()  # a fresh session: the first demo is loaded, nothing trained
    for key, value in {"t": "0.3", "fp": "40", "fn": "300"}.items():
        at.query_params[key] = value
    goto(at, "threshold")
    assert at.slider(key="threshold.t").value == 0.3
    costs = costs_of(at)
    assert (costs.fp_cost, costs.fn_cost) == (40, 300)
    evaluation = at.session_state[_ui.SESSION_KEYS["evaluation"]]
    assert_metrics_match_core(at, evaluation, 0.3, costs)
    assert at.query_params["t"] == "0.3" and at.query_params["fp"] == "40"


def test_streamlit_still_passes_pre_serialised_chart_data_through():
    """The page hands st.vega_lite_chart datasets already serialised to Arrow (once per data)
    through Streamlit's own serialiser; this fails clearly if either stops being true."""
    import inspect

    from streamlit import dataframe_util
    from streamlit.elements import vega_charts

    assert hasattr(dataframe_util, "convert_anything_to_arrow_bytes"), (
        "streamlit.dataframe_util.convert_anything_to_arrow_bytes is gone: pages/threshold.py pre-serialises "
        "chart datasets with it; pass DataFrames instead (and measure the slider)."
    )
    source = inspect.getsource(vega_charts._marshall_chart_data)
    assert "isinstance(dataset_data, bytes)" in source, (
        "st.vega_lite_chart no longer passes bytes datasets through as they are; pages/threshold.py's "
        "pre-serialised datasets would break: pass DataFrames instead."
    )
    frame = pd.DataFrame({"threshold": [0.1, 0.2], "cost": [3.0, 4.0]})
    import pyarrow as pa

    table = pa.ipc.open_stream(dataframe_util.convert_anything_to_arrow_bytes(frame)).read_all()
    assert table.column("cost").to_pylist() == [3.0, 4.0]


def test_a_cost_edit_reuses_the_analysis_and_the_chart_specs(monkeypatch):
    """Typing a cost re-costs the cached analysis: no new sort, no new chart spec."""
    import core.analysis

    builds = []
    real = core.analysis.build_analysis
    monkeypatch.setattr(core.analysis, "build_analysis", lambda *a, **k: builds.append(1) or real(*a, **k))
    import core.charts

    specs = []
    real_spec = core.charts.chart_spec
    monkeypatch.setattr(core.charts, "chart_spec", lambda chart: specs.append(1) or real_spec(chart))
    evaluation = make_evaluation(n=500, seed=11)
    at = seeded_app(evaluation=evaluation)
    assert not at.exception
    before_builds, before_specs = len(builds), len(specs)
    assert before_builds == 1 and before_specs > 0  # these data were analysed and drawn once
    at.number_input(key="threshold.fn").set_value(321.0).run()
    assert not at.exception
    assert len(builds) == before_builds and len(specs) == before_specs
    assert_metrics_match_core(at, evaluation, at.slider(key="threshold.t").value, costs_of(at))


# --- Money per case, production rate, stability, models side by side (AppTest) -------------


def make_money_evaluation(n: int = 600, seed: int = 4, others: bool = False):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    logits = rng.normal(-1.0 + 2.0 * y, 1.2)
    amounts = np.round(rng.gamma(2.0, 500.0, n), 2)
    extra = {}
    if others:
        extra["others"] = {"score_new": 1 / (1 + np.exp(-(logits + rng.normal(0, 0.8, n)))),
                           "raw_logit": logits * 3.0 + 2.0}
        extra["primary_name"] = "score"
    return _ui.Evaluation(y=y, scores=1 / (1 + np.exp(-logits)), is_probability=True, label=f"all {n:,} rows",
                          amounts=amounts, amount_column="balance", **extra)


def money_costs_of(at: AppTest) -> CostMatrix:
    values = {n.label: n.value for n in at.number_input}
    return CostMatrix(values["Cost of a false positive"], values["Cost of a false negative"],
                      values["Value of a true positive"], values["Value of a true negative"], "$",
                      fp_pct=values["False positive: % of amount"], fn_pct=values["False negative: % of amount"],
                      tp_pct=values["True positive: % of amount"], tn_pct=values["True negative: % of amount"])


def direct_cost(evaluation, threshold: float, costs: CostMatrix) -> float:
    """The business cost summed case by case, independently of core."""
    total = 0.0
    for label, score, amount in zip(evaluation.y, evaluation.scores, evaluation.amounts):
        flagged = score >= threshold
        if flagged and label:
            total -= costs.tp_value + costs.tp_pct / 100 * amount
        elif flagged:
            total += costs.fp_cost + costs.fp_pct / 100 * amount
        elif label:
            total += costs.fn_cost + costs.fn_pct / 100 * amount
        else:
            total -= costs.tn_value + costs.tn_pct / 100 * amount
    return total


def test_money_per_case_inputs_follow_everywhere_and_mirror_the_url():
    evaluation = make_money_evaluation()
    at = seeded_app(evaluation=evaluation)
    assert not at.exception
    labels = {n.label for n in at.number_input}
    assert {"False positive: % of amount", "False negative: % of amount", "True positive: % of amount",
            "True negative: % of amount"} <= labels
    at.number_input(key="threshold.fn").set_value(0.0).run()
    at.number_input(key="threshold.fna").set_value(60.0).run()
    at.slider(key="threshold.t").set_value(0.35).run()
    assert not at.exception
    costs = money_costs_of(at)
    assert costs.fn_pct == 60 and costs.fn_cost == 0
    expected = direct_cost(evaluation, 0.35, costs)
    assert metric(at, "Business cost").value == costs.format(expected, decimals=0)
    assert any(f"costs {costs.format(expected / len(evaluation.y) * 1000)} per 1,000 cases" in c.value
               for c in at.caption)
    assert at.query_params["fna"] == "60" and at.query_params["fpa"] == "0"
    # The recommendation is the cheapest threshold under the per-case costs.
    sweep = threshold_sweep(evaluation.y, evaluation.scores, costs=costs, amounts=evaluation.amounts)
    next(b for b in at.button if b.label == "Use recommended threshold").click().run()
    t = at.slider(key="threshold.t").value
    assert t == pytest.approx(recommend_threshold(sweep, "min_cost").threshold)
    assert metric(at, "Business cost").value == costs.format(direct_cost(evaluation, t, costs), decimals=0)
    assert any("Threshold stability" in c.value for c in at.caption)
    next(b for b in at.button if b.label == "Save scenario").click().run()
    saved = at.session_state[_ui._KEY_SCENARIOS][0]
    assert saved["fn_pct"] == 60 and saved["cost"] == pytest.approx(direct_cost(evaluation, t, costs))
    assert saved["amount_column"] == "balance"


def test_a_link_sets_the_money_per_case():
    evaluation = make_money_evaluation()
    at = seeded_app(evaluation=evaluation, query={"t": "0.4", "fna": "60", "fn": "0", "tpa": "abc"})
    assert not at.exception
    assert at.number_input(key="threshold.fna").value == 60.0
    assert any("tpa='abc'" in i.value for i in at.info)
    costs = money_costs_of(at)
    assert metric(at, "Business cost").value == costs.format(direct_cost(evaluation, 0.4, costs), decimals=0)


def test_without_an_amount_column_there_are_no_percentage_inputs():
    at = seeded_app(evaluation=make_evaluation())
    assert not any("% of amount" in n.label for n in at.number_input)
    assert "fna" not in at.query_params


def test_negative_amounts_are_refused_with_a_message():
    evaluation = make_money_evaluation()
    evaluation.amounts[:3] = -1.0
    at = seeded_app(evaluation=evaluation)
    assert not at.exception
    assert any("3 rows have a negative amount" in e.value for e in at.error)
    assert not any("% of amount" in n.label for n in at.number_input)


def test_positive_rate_in_production_reweights_precision_not_recall():
    evaluation = make_evaluation(n=800, seed=2)
    at = seeded_app(evaluation=evaluation)
    rate = at.number_input(key="threshold.prevalence")
    assert rate.label == "Positive rate in production" and rate.value == pytest.approx(evaluation.y.mean())
    at.slider(key="threshold.t").set_value(0.5).run()
    recall_before = metric(at, "Recall").value
    rate.set_value(0.05).run()
    assert not at.exception
    point = threshold_sweep(evaluation.y, evaluation.scores).at(0.5)
    expected = 0.05 * point.recall / (0.05 * point.recall + 0.95 * point.fpr)
    assert metric(at, "Recall").value == recall_before
    assert metric(at, "Precision").value == f"{expected:.3f}"
    assert any("assume **5.00%** positives in production" in c.value for c in at.caption)
    next(b for b in at.button if b.label == "Save scenario").click().run()
    saved = at.session_state[_ui._KEY_SCENARIOS][0]
    assert saved["positive_rate"] == 0.05 and saved["precision"] == pytest.approx(expected)


def test_models_side_by_side_each_at_its_own_threshold():
    evaluation = make_money_evaluation(others=True)
    at = seeded_app(evaluation=evaluation)
    assert not at.exception
    element = next(d for d in at.dataframe if "ROC AUC" in d.value.columns)
    table = element.value
    assert list(table.columns) == ["Model", "Threshold", "Precision", "Recall", "F1", "Business cost", "ROC AUC"]
    # Money reads as on the rest of the page: the currency sign and whole units ("$8,913,015").
    shown = json.loads(element.proto.columns)["Business cost"]["type_config"]["format"]
    assert shown == f"{money_costs_of(at).currency}%,.0f"
    assert list(table["Model"]) == ["score", "score_new", "raw_logit"]
    costs = money_costs_of(at)
    for name, scores in (("score", evaluation.scores), *evaluation.others.items()):
        sweep = threshold_sweep(evaluation.y, scores, costs=costs, amounts=evaluation.amounts)
        rec = recommend_threshold(sweep, "min_cost")
        row = table.set_index("Model").loc[name]
        assert row["Threshold"] == rec.threshold
        assert row["Business cost"] == pytest.approx(direct_cost(SimpleNamespace(
            y=evaluation.y, scores=scores, amounts=evaluation.amounts), rec.threshold, costs))
    assert not 0 <= table.set_index("Model").loc["raw_logit", "Threshold"] <= 1  # its own scale, not 0–1
    assert sum("Switching to" in i.value and "90% interval" in i.value for i in at.info) == 2


def test_the_views_are_picked_one_at_a_time_and_only_the_picked_one_is_drawn():
    evaluation = make_evaluation()
    at = seeded_app(evaluation=evaluation)
    views = at.segmented_control(key="threshold.tab")
    assert views.options == ["ROC and precision–recall", "Capacity and decision curve", "Calibration",
                             "Manual review"]
    assert views.value == "ROC and precision–recall"  # the first view is open on a first visit
    charts_before = len(at.get("vega_lite_chart"))
    assert not any(t.key == "threshold.review" for t in at.toggle)
    views.set_value("Manual review").run()
    assert not at.exception
    assert at.segmented_control(key="threshold.tab").value == "Manual review"
    assert any(t.key == "threshold.review" for t in at.toggle)
    assert len(at.get("vega_lite_chart")) == charts_before - 2  # ROC and precision–recall are gone
    at.segmented_control(key="threshold.tab").set_value("Capacity and decision curve").run()
    assert any("you flag the top" in c.value for c in at.caption)
    assert not any(t.key == "threshold.review" for t in at.toggle)
