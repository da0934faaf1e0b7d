"""The By segment section (pages/_segments_view.py) in a tiny script run by AppTest: the table
has the UI-contract columns and equals core.segments' direct table at every slider position;
marks, notes and bad segment columns show as messages, never as a traceback."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core.costs import CostMatrix
from core.segments import TABLE_COLUMNS, segment_labels, segment_table
from pages._segments_view import KEY_ANALYSIS, MISSING

N = 3000


def _script(kind: str = "region", weighted: bool = False, per_case: bool = False) -> None:
    import numpy as np
    import streamlit as st

    from core.costs import CostMatrix
    from pages._segments_view import render_by_segment

    rng = np.random.default_rng(11)
    n = 3000
    region = rng.choice(["north", "south", "east", "tiny"], n, p=[0.5, 0.3, 0.195, 0.005]).astype(object)
    region[:40] = None
    y = (rng.random(n) < np.where(region == "south", 0.15, 0.3)).astype(int)
    scores = np.round(np.clip(rng.normal(0.35 + 0.3 * y - 0.1 * (region == "south"), 0.2), 0, 1), 2)
    segments = {"region": region, "constant": np.full(n, "same", dtype=object),
                "ids": np.array([f"id{i}" for i in range(n)], dtype=object)}[kind]
    weights = rng.integers(1, 4, n).astype(float) if weighted else None
    amounts = rng.random(n) * 1000
    costs = CostMatrix(100.0, 500.0, fp_pct=5.0 if per_case else 0.0)
    t = st.slider("Decision threshold", 0.0, 1.0, 0.5, 0.01)
    table = render_by_segment(y, scores, segments, t, costs, weights=weights, amounts=amounts,
                              segment_column=kind)
    st.session_state["rendered_rows"] = None if table is None else len(table)


def _data(weighted: bool = False):
    rng = np.random.default_rng(11)
    region = rng.choice(["north", "south", "east", "tiny"], N, p=[0.5, 0.3, 0.195, 0.005]).astype(object)
    region[:40] = None
    y = (rng.random(N) < np.where(region == "south", 0.15, 0.3)).astype(int)
    scores = np.round(np.clip(rng.normal(0.35 + 0.3 * y - 0.1 * (region == "south"), 0.2), 0, 1), 2)
    weights = rng.integers(1, 4, N).astype(float) if weighted else None
    amounts = rng.random(N) * 1000
    return y, scores, region, weights, amounts


def _plain(elements) -> str:
    """The elements' Markdown source as the reader sees it (escapes removed)."""
    return " ".join(e.value for e in elements).replace("\\", "").replace("\u2060", "")


def _run(**kwargs) -> AppTest:
    at = AppTest.from_function(_script, kwargs=kwargs, default_timeout=60).run()
    assert not at.exception, "\n".join(str(e.value) for e in at.exception)
    return at


def _by_segment(at: AppTest) -> pd.DataFrame:
    frames = [df.value for df in at.dataframe if "Segment" in df.value.columns and "Flagged" in df.value.columns]
    assert frames, "no By segment table"
    return frames[0]


@pytest.mark.parametrize("weighted", [False, True])
def test_table_has_contract_columns_and_equals_the_core_table_as_the_slider_moves(weighted):
    at = _run(weighted=weighted)
    assert any(h.value == "By segment" for h in at.subheader)
    y, scores, region, weights, _ = _data(weighted)
    labels = segment_labels(pd.Series(region, name="region"))
    for t in (0.5, 0.23, 0.71):
        if t != 0.5:
            at.slider[0].set_value(t).run()
            assert not at.exception
        shown = _by_segment(at)
        assert list(shown.columns[: len(TABLE_COLUMNS)]) == list(TABLE_COLUMNS)
        expected = segment_table(y, scores, labels, t, weights=weights, costs=CostMatrix(100.0, 500.0))
        pd.testing.assert_frame_equal(shown.reset_index(drop=True), expected, check_dtype=False)
    assert list(shown["Segment"]) == ["east", "north", "south", "tiny", "(missing)", "Everyone"]


def test_marks_and_notes_are_shown():
    at = _run()
    table = _by_segment(at)
    assert table.set_index("Segment").loc["tiny", "Marks"] == "too few to judge"
    captions = _plain(at.caption)
    assert "Too few to judge" in captions and "tiny" in captions
    assert "40 rows with no value form their own '(missing)' segment" in captions
    assert any("four-fifths" in w.value for w in at.warning) == table["Marks"].str.contains("four-fifths").any()


def test_separate_thresholds_analysis_is_labelled_as_analysis():
    at = _run()
    expander = [e for e in at.expander if "separate thresholds" in e.label]
    assert expander and "not a deployable policy" in expander[0].label
    assert not [df for df in at.dataframe if "Own threshold" in df.value.columns]  # closed: not computed
    at.session_state[KEY_ANALYSIS] = True  # open it, as a click would
    at.run()
    text = _plain(at.markdown)
    assert "not a deployable policy" in text and "saved" in text
    frames = [df.value for df in at.dataframe if "Own threshold" in df.value.columns]
    assert frames and len(frames[0]) == 5
    tolerance = [n for n in at.number_input if n.label == "Recall tolerance"][0]
    tolerance.set_value(0.2).run()
    assert not at.exception and "±0.20" in _plain(at.markdown)


def test_money_per_case_uses_the_amounts():
    at = _run(per_case=True)
    y, scores, region, _, amounts = _data()
    costs = CostMatrix(100.0, 500.0, fp_pct=5.0)
    expected = segment_table(y, scores, segment_labels(pd.Series(region, name="region")), 0.5, amounts=amounts,
                             costs=costs)
    shown = _by_segment(at)
    np.testing.assert_allclose(shown["Business cost"], expected["Business cost"])
    # The per-case part is really there: it differs from the fixed costs alone.
    fixed = segment_table(y, scores, region, 0.5, costs=CostMatrix(100.0, 500.0))
    assert (shown["Business cost"].to_numpy() > fixed["Business cost"].to_numpy()).any()


@pytest.mark.parametrize(("kind", "message"), [("constant", "only one value"), ("ids", "different values")])
def test_an_unusable_segment_column_is_a_message_and_the_rest_still_runs(kind, message):
    at = _run(kind=kind)
    assert message in _plain(at.warning)
    assert not [df for df in at.dataframe if "Flagged" in df.value.columns]
    assert at.session_state["rendered_rows"] is None
    at.slider[0].set_value(0.3).run()
    assert not at.exception


def test_the_everyone_row_ratios_stay_numeric_and_show_as_a_dash():
    at = _run()
    element = next(df for df in at.dataframe if "Flagged" in df.value.columns)
    table = element.value
    everyone = table.set_index("Segment").loc["Everyone"]
    for column in ("Flag rate ratio", "Recall ratio"):
        assert pd.api.types.is_float_dtype(table[column])  # numeric, so the column still sorts as numbers
        assert np.isnan(everyone[column]) and table[column].iloc[:-1].notna().all()
    assert element.proto.placeholder == MISSING == "—"
