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


def save_scenario(at: AppTest, threshold: float, name: str) -> AppTest:
    goto(at, "threshold")
    at.slider(key="threshold.t").set_value(threshold)
    assert_ok(at.run())
    at.text_input(key=f"threshold.name.{len(stored(at, 'scenarios') or [])}").set_value(name)
    assert_ok(at.run())
    find(at, "button", "Save scenario").click()
    return assert_ok(at.run())


def test_fresh_session_points_to_the_threshold_page():
    at = goto(start(), "report")
    assert "Save scenario" in at.info[0].value
    assert not at.download_button


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

    labels = [b.label for b in at.download_button]
    assert labels == ["Scored CSV", "Report (Markdown)", "Report (HTML)"]  # no model in this mode

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
    assert not at.download_button


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
    assert not at.download_button  # nothing is scored or exported with the old threshold

    save_scenario(at, 0.6, "On the new target")
    goto(at, "report")
    assert find(at, "selectbox", "Scenario to report").value == 1  # the one that matches is chosen
    assert not at.warning and [b.label for b in at.download_button][0] == "Scored CSV"
