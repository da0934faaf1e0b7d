"""By segment through the real app (AppTest): the Data page's `Segment column`, then the
Threshold page's table equals core.segments' table on the same rows, for plain rows and for a
count table, and no segment column means no By segment section."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from core.costs import CostMatrix
from core.segments import EVERYONE, TABLE_COLUMNS, segment_labels, segment_table
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
