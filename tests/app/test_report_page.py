"""Report page (AppTest, whole app): saved scenarios side by side, the test-split check in Train
mode, and downloads whose contents are right (formula-safe CSV, JSON that parses, escaped HTML)."""

from __future__ import annotations

import html
import io
import json

import numpy as np
import pandas as pd
import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.testing.v1 import AppTest

from core.exports import scenario_costs
from core.review import recommend_review_band
from core.thresholds import threshold_sweep
from pages import _ui
from tests.app.conftest import assert_ok, choose_mode, find, goto, start, stored, train


@pytest.fixture
def media(monkeypatch) -> list:
    """The media file managers AppTest creates, so a test can read what a download serves."""
    managers = []

    class Recording(app_test_module.MediaFileManager):
        def __init__(self, storage):
            super().__init__(storage)
            managers.append(self)

    monkeypatch.setattr(app_test_module, "MediaFileManager", Recording)
    return managers


def download(media: list, at: AppTest, label: str) -> bytes:
    """The bytes a click on the download button labelled ``label`` delivers."""
    proto = find(at, "download_button", label).proto
    manager = media[-1]
    url = manager.execute_deferred(proto.deferred_file_id) if proto.deferred_file_id else proto.url
    return manager._storage.get_file(url.rsplit("/", 1)[-1]).content


def exports(at: AppTest) -> list[str]:
    """Labels of the page's export downloads (the workspace's own buttons are tested with the workspace)."""
    return [b.label for b in at.download_button if not str(b.key or "").startswith("workspace.")]


def save_scenario(at: AppTest, threshold: float, name: str) -> AppTest:
    goto(at, "threshold")
    at.slider(key="threshold.t").set_value(threshold)
    assert_ok(at.run())
    at.text_input(key="threshold.name").set_value(name)
    assert_ok(at.run())
    find(at, "button", "Save scenario").click()
    return assert_ok(at.run())


def test_fresh_session_points_to_the_threshold_page():
    at = goto(start(), "report")
    assert "Save scenario" in at.info[0].value
    assert not exports(at)


def test_use_my_scores_scenarios_side_by_side_and_downloads(media):
    at = choose_mode(start(), _ui.MODE_SCORES)
    save_scenario(at, 0.2, "Catch more")
    save_scenario(at, 0.6, "=HYPERLINK(\"x\") <script>alert(1)</script>")
    goto(at, "report")
    table = at.dataframe[0].value
    assert table["Scenario"].tolist()[0] == "Catch more"
    assert table["Threshold"].tolist() == ["0.200", "0.600"]
    evaluation, dataset, setup = stored(at, "evaluation"), stored(at, "dataset"), stored(at, "setup")
    scenario = stored(at, "scenarios")[1]
    costs = scenario_costs(scenario)
    sweep = threshold_sweep(evaluation.y, evaluation.scores, costs=costs)
    assert table["Precision"].tolist()[1] == f"{sweep.at(0.6).precision:.3f}"
    assert table["Business cost"].tolist()[1] == costs.format(sweep.at(0.6).cost)

    labels = exports(at)
    assert labels == ["Scored CSV", "Decision policy (SQL)", "Decision policy (Python)", "Report (Markdown)",
                      "Report (HTML)"]  # no model in this mode

    scored = pd.read_csv(io.BytesIO(download(media, at, "Scored CSV")))
    assert len(scored) == len(dataset.df)
    source = pd.to_numeric(dataset.df[setup.score_column], errors="coerce")
    np.testing.assert_allclose(scored["score"], source)
    assert scored["decision"].tolist() == (source >= 0.6).astype(int).tolist()

    page = download(media, at, "Report (HTML)").decode()
    assert "<script" not in page.lower() and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<svg" in page and f"{sweep.at(0.6).recall:.3f}" in page
    assert scenario["explanation"].startswith("At 0.6") and html.escape(scenario["explanation"]) in page
    markdown = download(media, at, "Report (Markdown)").decode()
    assert "<script>" not in markdown and "Catch more" in markdown


def test_train_mode_checks_the_threshold_on_the_test_split_and_exports_the_model(media):
    at = train(start(), epochs=30)
    model = stored(at, "model")
    assert model is not None
    save_scenario(at, 0.35, "Balanced")
    label = stored(at, "evaluation").label
    assert "validation" in label and any(label in m.value for m in at.markdown)  # Train mode sweeps validation
    goto(at, "report")
    results = at.dataframe[1].value
    test_column = next(c for c in results.columns if c.startswith("test split"))
    costs_point = threshold_sweep(np.asarray(model.prepared.y_test), model.test_scores).at(0.35)
    assert results.loc["Precision", test_column] == f"{costs_point.precision:.3f}"
    assert results.loc["Recall", test_column] == f"{costs_point.recall:.3f}"
    val_column = stored(at, "evaluation").label
    val_point = threshold_sweep(stored(at, "evaluation").y, stored(at, "evaluation").scores).at(0.35)
    assert results.loc["F1", val_column] == f"{val_point.f1:.3f}"

    spec = json.loads(download(media, at, "Model (JSON)"))
    assert spec["threshold"] == 0.35
    assert list(spec["coefficients"]) == list(model.prepared.feature_names)
    assert spec["coefficients"][spec["feature_names"][0]] == pytest.approx(model.model.coef_[0][0])
    assert spec["preprocessing"] and spec["costs"]["false_negative_cost"] == stored(at, "scenarios")[0]["fn_cost"]

    scored = pd.read_csv(io.BytesIO(download(media, at, "Scored CSV")))
    dataset = stored(at, "dataset")
    assert len(scored) == len(dataset.df)
    test_rows = scored.iloc[np.asarray(model.prepared.idx_test)]
    assert (test_rows["split"] == "test").all()
    np.testing.assert_allclose(test_rows["score"], model.test_scores, rtol=1e-9)
    assert scored["decision"].tolist() == (scored["score"] >= 0.35).astype(int).tolist()


def test_scenarios_outlive_their_scores_without_an_exception():
    at = choose_mode(start(), _ui.MODE_SCORES)
    save_scenario(at, 0.3, "Before the switch")
    choose_mode(at, _ui.MODE_TRAIN)  # new setup: the scores behind the scenario are gone, no model yet
    goto(at, "report")
    assert at.dataframe[0].value["Scenario"].tolist() == ["Before the switch"]
    assert at.warning and "no longer loaded" in at.warning[0].value
    assert not exports(at)


def test_a_scenario_saved_on_other_scores_is_never_reported_against_the_new_ones(media):
    at = choose_mode(start(), _ui.MODE_SCORES)
    save_scenario(at, 0.6, "On the first target")
    saved = stored(at, "scenarios")[0]
    goto(at, "data")
    setup = stored(at, "setup")
    other = next(c for c in find(at, "selectbox", "Positive class").options if c != str(setup.positive_class))
    find(at, "selectbox", "Positive class").set_value(other)
    assert_ok(at.run())
    assert stored(at, "evaluation") is not None  # new scores for the flipped class

    goto(at, "report")
    table = at.dataframe[0].value
    assert table["Business cost"].tolist() == [scenario_costs(saved).format(saved["cost"])]  # its own numbers
    assert find(at, "selectbox", "Scenario to report").value == 0
    assert "earlier model or data" in find(at, "selectbox", "Scenario to report").format_func(0)
    assert at.warning and "earlier model or data" in at.warning[0].value
    assert not exports(at)  # nothing is scored or exported with the old threshold

    save_scenario(at, 0.6, "On the new target")
    goto(at, "report")
    assert find(at, "selectbox", "Scenario to report").value == 1  # the one that matches is chosen
    assert not at.warning and exports(at)[0] == "Scored CSV"


# ---------------------------------------------------------------------------------------
# Decision policy downloads (core.policy): the files decide every row as the scored CSV does.


def run_policy_python(code: bytes, df: pd.DataFrame) -> tuple[np.ndarray, list[int], dict]:
    """score and decide of the downloaded Python file on every row of ``df`` (None for missing)."""
    namespace: dict = {}
    exec(compile(code.decode("utf-8"), "policy.py", "exec"), namespace)  # noqa: S102 - what a user does
    rows = [{k: (None if pd.isna(v) else v) for k, v in row.items()} for row in df.astype(object).to_dict("records")]
    return (np.array([namespace["score"](r) for r in rows]), [namespace["decide"](r) for r in rows], namespace)


def run_policy_sql(sql: bytes, df: pd.DataFrame) -> pd.DataFrame:
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    try:
        con.register("source", df)
        con.execute("CREATE TABLE cases AS SELECT * FROM source")
        return con.execute(sql.decode("utf-8")).df()
    finally:
        con.close()


def test_train_mode_policy_downloads_decide_like_the_scored_csv(media):
    at = train(start(), epochs=30)
    save_scenario(at, 0.35, "Balanced")
    goto(at, "report")
    labels = exports(at)
    assert labels[:4] == ["Scored CSV", "Model (JSON)", "Decision policy (SQL)", "Decision policy (Python)"]
    dataset, model = stored(at, "dataset"), stored(at, "model")
    scored = pd.read_csv(io.BytesIO(download(media, at, "Scored CSV")))
    expected = model.model.predict_proba(model.prepared.transform(dataset.df))[:, 1]

    scores, decisions, namespace = run_policy_python(download(media, at, "Decision policy (Python)"), dataset.df)
    assert namespace["THRESHOLD"] == 0.35 and namespace["REVIEW_BAND"] is None
    np.testing.assert_allclose(scores, expected, rtol=1e-9)
    assert decisions == scored["decision"].tolist()

    out = run_policy_sql(download(media, at, "Decision policy (SQL)"), dataset.df)
    np.testing.assert_allclose(out["score"].to_numpy(float), scored["score"].to_numpy(float), rtol=1e-9)
    assert out["decision"].tolist() == scored["decision"].tolist()


def test_a_saved_review_band_is_in_the_policy(media):
    at = choose_mode(start(), _ui.MODE_SCORES)
    goto(at, "threshold")
    at.session_state["threshold.tab"] = "Manual review"
    assert_ok(at.run())
    at.toggle(key="threshold.review").set_value(True)
    assert_ok(at.run())
    shown_band = next(m.value for m in at.metric if m.label == "Review band")
    find(at, "button", "Save scenario").click()
    assert_ok(at.run())
    goto(at, "report")
    scenario = stored(at, "scenarios")[0]
    evaluation, dataset, setup = stored(at, "evaluation"), stored(at, "dataset"), stored(at, "setup")
    band = recommend_review_band(threshold_sweep(evaluation.y, evaluation.scores, costs=scenario_costs(scenario)),
                                 10.0, 0.10)
    assert shown_band == f"{band.low:.3f} – {band.high:.3f}"

    scores, decisions, namespace = run_policy_python(download(media, at, "Decision policy (Python)"), dataset.df)
    assert namespace["REVIEW_BAND"] == (band.low, band.high)
    source = pd.to_numeric(dataset.df[setup.score_column], errors="coerce").to_numpy(float)
    want = np.where(source >= band.high, 1, np.where(source >= band.low, 2, 0))
    assert decisions == want.tolist() and 2 in decisions
    # The share sent to review is the one the Threshold page saved.
    labelled = np.isin(np.arange(len(dataset.df)), np.flatnonzero(setup.report.row_mask))
    assert np.mean(want[labelled] == 2) == pytest.approx(scenario["review_rate"])
    out = run_policy_sql(download(media, at, "Decision policy (SQL)"), dataset.df)
    assert out["decision"].tolist() == decisions
    assert any("review band" in c.value for c in at.caption)


def test_the_current_setting_can_be_taken_away_before_any_scenario_is_saved(media):
    at = choose_mode(start(), _ui.MODE_SCORES)
    goto(at, "threshold")
    at.slider(key="threshold.t").set_value(0.42)
    assert_ok(at.run())
    goto(at, "report")
    assert "Save scenario" in at.info[0].value
    assert exports(at) == ["Decision policy (SQL)", "Decision policy (Python)"]
    dataset, setup = stored(at, "dataset"), stored(at, "setup")
    _, decisions, namespace = run_policy_python(download(media, at, "Decision policy (Python)"), dataset.df)
    assert namespace["THRESHOLD"] == 0.42
    source = pd.to_numeric(dataset.df[setup.score_column], errors="coerce").to_numpy(float)
    assert decisions == (source >= 0.42).astype(int).tolist()
    sql = download(media, at, "Decision policy (SQL)").decode()
    assert '"score" >= 0.42e0' in sql and repr(dataset.name) in sql

    # Scores that changed since the slider was set: no policy for them until the page is opened again.
    choose_mode(at, _ui.MODE_TRAIN)
    goto(at, "report")
    assert not exports(at)


def test_the_current_setting_keeps_its_review_band(media):
    at = choose_mode(start(), _ui.MODE_SCORES)
    goto(at, "threshold")
    at.session_state["threshold.tab"] = "Manual review"
    assert_ok(at.run())
    at.toggle(key="threshold.review").set_value(True)
    assert_ok(at.run())
    shown_band = next(m.value for m in at.metric if m.label == "Review band")
    goto(at, "report")
    _, decisions, namespace = run_policy_python(download(media, at, "Decision policy (Python)"),
                                                stored(at, "dataset").df)
    low, high = namespace["REVIEW_BAND"]
    assert shown_band == f"{low:.3f} – {high:.3f}" and 2 in decisions
    assert any("review band" in c.value for c in at.caption)


def test_cross_validated_model_policy_scores_like_the_final_model(media):
    at = goto(start(), "train")
    find(at, "radio", "Validation").set_value("Cross-validation (k folds)")
    assert_ok(at.run())
    train(at, epochs=20)
    save_scenario(at, 0.3, "Cross-validated")
    goto(at, "report")
    dataset, model = stored(at, "dataset"), stored(at, "model")
    assert model.params.get("validation") == "cv"
    scores, decisions, _ = run_policy_python(download(media, at, "Decision policy (Python)"), dataset.df)
    expected = model.model.predict_proba(model.prepared.transform(dataset.df))[:, 1]
    np.testing.assert_allclose(scores, expected, rtol=1e-9)
    scored = pd.read_csv(io.BytesIO(download(media, at, "Scored CSV")))
    assert decisions == scored["decision"].tolist()


def _set_threshold_input(at: AppTest, label: str, value: float) -> AppTest:
    find(at, "number_input", label).set_value(value)
    return assert_ok(at.run())


def test_the_scored_csv_costs_each_row_and_sums_to_the_scenario_business_cost(media):
    at = choose_mode(start(), _ui.MODE_SCORES)  # loan demo: Amount column loan_amount
    goto(at, "threshold")
    _set_threshold_input(at, "False negative: % of amount", 60.0)
    _set_threshold_input(at, "True positive: % of amount", 1.5)
    save_scenario(at, 0.3, "Per case")
    scenario = stored(at, "scenarios")[0]
    assert scenario["fn_pct"] == 60.0 and scenario["tp_pct"] == 1.5 and scenario["amount_column"] == "loan_amount"
    goto(at, "report")
    df = stored(at, "dataset").df
    scored = pd.read_csv(io.BytesIO(download(media, at, "Scored CSV")))
    y = (df["defaulted"] == "yes").to_numpy()
    flagged = df["risk_score"].to_numpy() >= 0.3
    amount = df["loan_amount"].to_numpy(dtype=float)
    expected = np.select([flagged & ~y, ~flagged & y, flagged & y],
                         [scenario["fp_cost"], scenario["fn_cost"] + 0.6 * amount,
                          -scenario["tp_value"] - 0.015 * amount], -scenario["tn_value"])
    np.testing.assert_allclose(scored["cost"], expected, rtol=1e-12, atol=1e-9)
    assert round(scored["cost"].sum(), 2) == round(scenario["cost"], 2)
    results = at.dataframe[1].value
    assert results.loc["Business cost"].iloc[0] == scenario_costs(scenario).format(scenario["cost"])
    markdown = download(media, at, "Report (Markdown)").decode()
    assert "| False negative: % of amount | 60% of each case's loan\\_amount |" in markdown
    assert "Positive rate in production" not in markdown  # none assumed


def test_the_report_states_the_assumed_production_positive_rate(media):
    at = choose_mode(start(), _ui.MODE_SCORES)
    goto(at, "threshold")
    _set_threshold_input(at, "Positive rate in production", 0.05)
    save_scenario(at, 0.3, "Rarer defaults")
    scenario = stored(at, "scenarios")[0]
    assert scenario["positive_rate"] == pytest.approx(0.05)
    goto(at, "report")
    evaluation = stored(at, "evaluation")
    data_rate = evaluation.y.mean()
    for label in ("Report (Markdown)", "Report (HTML)"):
        text = download(media, at, label).decode()
        assert "Positive rate in production" in text
        assert f"5.00% assumed; the data has {data_rate:.2%}" in text
    results = at.dataframe[1].value
    assert results.loc["Precision"].iloc[0] == f"{scenario['precision']:.3f}"  # the reweighted precision
    assert results.loc["Business cost"].iloc[0] == scenario_costs(scenario).format(scenario["cost"])
