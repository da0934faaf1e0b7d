"""By segment through the real app (AppTest): the Data page's `Segment column`, then the
Threshold page's table equals core.segments' table on the same rows, for plain rows and for a
count table; no segment column means no By segment section; a saved scenario keeps the table
and the report (Markdown and HTML) shows it, escaped."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import app_test as app_test_module

from core.costs import CostMatrix
from core.segments import EVERYONE, TABLE_COLUMNS, segment_labels, segment_records, segment_table
from tests.app.conftest import (
    assert_ok,
    choose_mode,
    choose_positive,
    choose_score,
    choose_target,
    find,
    goto,
    make_csv,
    set_widget,
    start,
    stored,
    train,
    upload_csv,
)


def _by_segment(at) -> pd.DataFrame:
    frames = [df.value for df in at.dataframe if list(df.value.columns[: len(TABLE_COLUMNS)]) == list(TABLE_COLUMNS)]
    assert frames, "no By segment table on the page"
    return frames[0].reset_index(drop=True)


def _page_costs(at) -> CostMatrix:
    values = [find(at, "number_input", label).value for label in (
        "Cost of a false positive", "Cost of a false negative", "Value of a true positive", "Value of a true negative")]
    return CostMatrix(*values)


def _scores_session(data: bytes, segment: str | None, count: str | None = None):
    at = start()
    upload_csv(at, data)
    choose_mode(at, "Use my scores")
    choose_target(at, "defaulted")
    choose_positive(at, "yes")
    choose_score(at, "risk_score")
    if count is not None:
        set_widget(at, "selectbox", "Count column", count)
    if segment is not None:
        set_widget(at, "selectbox", "Segment column", segment)
    return goto(at, "threshold")


def test_segment_column_gives_a_by_segment_table_equal_to_core_at_every_slider_position():
    data = make_csv(n=400, seed=2)
    frame = pd.read_csv(io.BytesIO(data))
    y = (frame["defaulted"] == "yes").to_numpy().astype(int)
    scores = frame["risk_score"].to_numpy()
    labels = segment_labels(frame["colour"])
    at = _scores_session(data, "colour")
    assert any(h.value == "By segment" for h in at.subheader)
    for t in (None, 0.2, 0.65):
        if t is not None:
            find(at, "slider", "Decision threshold").set_value(t)
            assert_ok(at.run())
        threshold = find(at, "slider", "Decision threshold").value
        shown = _by_segment(at)
        expected = segment_table(y, scores, labels, threshold, costs=_page_costs(at))
        pd.testing.assert_frame_equal(shown, expected, check_dtype=False)
    assert list(shown["Segment"]) == ["blue", "green", "red", EVERYONE]


def test_a_count_table_counts_cases_not_rows():
    rng = np.random.default_rng(4)
    n = 300
    counts = rng.integers(1, 6, n)
    data = make_csv(n=n, seed=4, cases=counts)
    frame = pd.read_csv(io.BytesIO(data))
    at = _scores_session(data, "colour", count="cases")
    assert any(h.value == "By segment" for h in at.subheader), [e.value for e in at.error]
    shown = _by_segment(at)
    threshold = find(at, "slider", "Decision threshold").value
    expected = segment_table((frame["defaulted"] == "yes").astype(int), frame["risk_score"], frame["colour"],
                             threshold, weights=counts.astype(float), costs=_page_costs(at))
    pd.testing.assert_frame_equal(shown, expected, check_dtype=False)
    assert shown["Rows"].iloc[-1] == counts.sum()


def test_no_segment_column_no_section():
    at = _scores_session(make_csv(n=200, seed=1), None)
    assert not any(h.value == "By segment" for h in at.subheader)
    assert not [df for df in at.dataframe if "Flagged" in df.value.columns]


# ---------------------------------------------------------------------------------------
# The table travels: saved scenario -> report (Markdown, HTML) and the model JSON


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


def _download(media: list, at, label: str) -> bytes:
    proto = find(at, "download_button", label).proto
    manager = media[-1]
    url = manager.execute_deferred(proto.deferred_file_id) if proto.deferred_file_id else proto.url
    return manager._storage.get_file(url.rsplit("/", 1)[-1]).content


def _save_scenario(at, threshold: float):
    find(at, "slider", "Decision threshold").set_value(threshold)
    assert_ok(at.run())
    find(at, "button", "Save scenario").click()
    return assert_ok(at.run())


HOSTILE = "<b>north</b> | *x*"


def test_saved_scenario_and_report_carry_the_segment_table(media):
    rng = np.random.default_rng(9)
    n = 300
    region = rng.choice(["south", HOSTILE, "east"], n)
    data = make_csv(n=n, seed=9, region=region)
    frame = pd.read_csv(io.BytesIO(data))
    at = _scores_session(data, "region")
    _save_scenario(at, 0.4)
    scenario = stored(at, "scenarios")[-1]
    expected = segment_table((frame["defaulted"] == "yes").astype(int), frame["risk_score"],
                             segment_labels(frame["region"]), 0.4, costs=_page_costs(at))
    assert scenario["segments"]["column"] == "region" and scenario["segments"]["threshold"] == 0.4
    assert scenario["segments"]["rows"] == segment_records(expected)
    json.dumps(scenario, allow_nan=False)  # plain JSON, as the workspace stores it

    goto(at, "report")
    markdown = _download(media, at, "Report (Markdown)").decode()
    assert "## By segment: region" in markdown
    south = expected.set_index("Segment").loc["south"]
    row = next(line for line in markdown.splitlines() if line.startswith("| south |"))
    assert f"| {south['Rows']:,} | {south['Positives']:,} | {south['Flagged']:,} | {south['Precision']:.3f} |" in row
    assert "<b>" not in markdown and "&lt;b&gt;north&lt;/b&gt;" in markdown
    page = _download(media, at, "Report (HTML)").decode()
    assert "<h2>By segment: region</h2>" in page and "<b>north" not in page
    assert "&lt;b&gt;north&lt;/b&gt; | *x*" in page


def test_train_mode_segments_the_validation_rows_and_the_model_json_carries_the_table(media):
    at = start()
    upload_csv(at, make_csv(n=400, seed=3))
    choose_mode(at, "Train a model")
    choose_target(at, "defaulted")
    choose_positive(at, "yes")
    set_widget(at, "selectbox", "Segment column", "colour")
    train(at, epochs=20)
    goto(at, "threshold")
    evaluation = stored(at, "evaluation")
    assert "validation" in evaluation.label and len(evaluation.segments) == len(evaluation.y)
    threshold = find(at, "slider", "Decision threshold").value
    expected = segment_table(evaluation.y, evaluation.scores, segment_labels(pd.Series(evaluation.segments)),
                             threshold, costs=_page_costs(at))
    pd.testing.assert_frame_equal(_by_segment(at), expected, check_dtype=False)
    assert _by_segment(at)["Rows"].iloc[-1] == len(evaluation.y)  # the validation rows, not the whole table
    _save_scenario(at, 0.5)
    goto(at, "report")
    spec = json.loads(_download(media, at, "Model (JSON)"))
    assert spec["segments"]["column"] == "colour"
    assert [r["Segment"] for r in spec["segments"]["rows"]] == ["blue", "green", "red", EVERYONE]
