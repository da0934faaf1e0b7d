"""Threshold page at its edges (AppTest): the review numbers shown are core's for the inputs
set, and a shared link's ``t`` is accepted exactly on the slider's ends and refused just outside
them, for "nan" and for infinities."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core.costs import CostMatrix
from core.review import recommend_review_band
from core.thresholds import threshold_sweep
from pages import _ui

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "threshold.py")
COSTS = CostMatrix(fp_cost=20.0, fn_cost=150.0, tp_value=5.0, tn_value=1.0, currency="$")


def _evaluation(raw: bool = False, n: int = 400, seed: int = 3) -> _ui.Evaluation:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    logits = rng.normal(-1.0 + 2.0 * y, 1.2)
    scores = logits * 3.0 + 2.0 if raw else 1 / (1 + np.exp(-logits))
    return _ui.Evaluation(y=y, scores=scores, is_probability=not raw, label=f"all {n} rows")


def _page(evaluation: _ui.Evaluation, query: dict | None = None) -> AppTest:
    """The Threshold page alone, with a dataset, setup and evaluation in the session."""
    at = AppTest.from_file(PAGE, default_timeout=60)
    frame = pd.DataFrame({"score": evaluation.scores, "target": evaluation.y})
    at.session_state[_ui._KEY_DATASET] = _ui.Dataset(name="Edge data", df=frame, source="demo",
                                                     demo=SimpleNamespace(costs=COSTS), token="edges:1")
    at.session_state[_ui._KEY_SETUP] = _ui.Setup(mode=_ui.MODE_SCORES, target="target", positive_class=1,
                                                 score_column="score", feature_columns=["score"])
    at.session_state[_ui._KEY_EVALUATION] = evaluation
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metric(at: AppTest, label: str) -> str:
    matches = [m.value for m in at.metric if m.label == label]
    assert matches, f"no metric {label!r}; found {[m.label for m in at.metric]}"
    return matches[0]


def _notes(at: AppTest) -> str:
    return " ".join(i.value for i in at.info)


# ------------------------------------------------------------------------------------------
# Review band: the page shows core's answer for the review cost and capacity entered


def _open_review(at: AppTest, review_cost: float, max_percent: int) -> AppTest:
    at.session_state["threshold.tab"] = "Manual review"  # open the tab, as a click on it would
    at.run()
    at.toggle(key="threshold.review").set_value(True).run()
    at.number_input(key="threshold.review_cost").set_value(review_cost).run()
    at.slider(key="threshold.review_max").set_value(max_percent).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("review_cost, max_percent", [(3.5, 20), (12.0, 7), (0.5, 50)])
def test_review_numbers_are_cores_for_the_inputs_set(review_cost, max_percent):
    evaluation = _evaluation()
    sweep = threshold_sweep(evaluation.y, evaluation.scores, costs=COSTS)
    expected = recommend_review_band(sweep, review_cost, max_percent / 100)
    # The capacity binds here, so a page that passed another capacity would show other numbers.
    for other in (max_percent / 200, max_percent / 100 * 2):
        wrong = recommend_review_band(sweep, review_cost, min(other, 1.0))
        assert (f"{wrong.review_rate:.1%}", round(wrong.total_cost)) != (f"{expected.review_rate:.1%}",
                                                                         round(expected.total_cost))

    at = _open_review(_page(evaluation), review_cost, max_percent)
    assert _metric(at, "Review band") == f"{expected.low:.3f} – {expected.high:.3f}"
    assert _metric(at, "Share reviewed") == f"{expected.review_rate:.1%}"
    assert _metric(at, "Total cost with review") == COSTS.format(expected.total_cost, decimals=0)
    assert any(s.value == expected.explanation for s in at.success)
    assert 0 < expected.review_rate <= max_percent / 100 + 1e-12

    # Saved with a scenario, from another tab: the very same numbers.
    at.session_state["threshold.tab"] = "ROC and precision–recall"
    at.run()
    next(b for b in at.button if b.label == "Save scenario").click().run()
    saved = at.session_state[_ui._KEY_SCENARIOS][-1]
    assert saved["review_cost"] == review_cost
    assert saved["review_rate"] == pytest.approx(expected.review_rate, rel=1e-12)
    assert saved["review_total_cost"] == pytest.approx(expected.total_cost, rel=1e-12)


# ------------------------------------------------------------------------------------------
# Link values at the edges


@pytest.mark.parametrize("raw, value", [("0", 0.0), ("0.0", 0.0), ("1", 1.0), ("1.0", 1.0), ("1e-300", 1e-300)])
def test_link_threshold_on_the_ends_of_a_probability_slider_is_used(raw, value):
    evaluation = _evaluation()
    at = _page(evaluation, {"t": raw})
    assert at.slider(key="threshold.t").value == value
    assert raw not in _notes(at)
    point = threshold_sweep(evaluation.y, evaluation.scores, costs=COSTS).at(value)
    assert _metric(at, "Recall") == f"{point.recall:.3f}" and _metric(at, "Precision") == f"{point.precision:.3f}"
    if value == 0.0:  # everybody flagged
        assert point.recall == 1.0 and point.positive_rate == 1.0


@pytest.fixture(scope="module")
def default_threshold() -> float:
    """Where the slider opens without a link."""
    return _page(_evaluation()).slider(key="threshold.t").value


@pytest.mark.parametrize("raw", ["nan", "NaN", "inf", "-inf", "-0.001", "1.001", "1.0000000001", "-1e-12", ""])
def test_link_threshold_outside_a_probability_slider_is_ignored_with_a_note(raw, default_threshold):
    at = _page(_evaluation(), {"t": raw})
    assert f"t={raw!r}" in _notes(at) or (raw and raw in _notes(at)), _notes(at)
    assert at.slider(key="threshold.t").value == default_threshold
    assert at.query_params["t"] != raw  # the URL states what is shown


def test_link_threshold_on_the_ends_of_raw_scores_is_used_and_just_outside_is_not():
    evaluation = _evaluation(raw=True)
    lo, hi = float(evaluation.scores.min()), float(evaluation.scores.max())
    sweep = threshold_sweep(evaluation.y, evaluation.scores, costs=COSTS)
    for value in (lo, hi):
        at = _page(evaluation, {"t": repr(value)})
        assert at.slider(key="threshold.t").value == value and repr(value) not in _notes(at)
        point = sweep.at(value)
        assert _metric(at, "Recall") == f"{point.recall:.3f}"
        assert _metric(at, "Business cost") == COSTS.format(point.cost, decimals=0)
    assert sweep.at(lo).positive_rate == 1.0 and sweep.at(hi).tp + sweep.at(hi).fp >= 1  # the top case flagged
    for value in (float(np.nextafter(lo, -np.inf)), float(np.nextafter(hi, np.inf)), lo - 1.0, hi + 1.0):
        at = _page(evaluation, {"t": repr(value)})
        assert repr(value) in _notes(at), (value, _notes(at))
        assert lo <= at.slider(key="threshold.t").value <= hi
