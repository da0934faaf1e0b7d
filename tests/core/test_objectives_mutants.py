"""core.objectives on its own: each objective's pick against a direct rule, one sweep or a stack.

``Objective.choose`` works along the last axis: a sweep's metrics (shape (m+1,)) or bootstrap
resamples stacked (shape (B, m+1)), returning the picked index, -1 where nothing qualifies,
ties to the lowest index. Metrics here are computed by hand from random counts, and the pick
of a stack must be the pick of each of its rows; the parameter checks and the "nothing
qualifies" sentence are checked with the words that matter.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import objectives
from core.errors import DataError

SETTING = {"recall_at_precision": "min_precision", "precision_at_recall": "min_recall", "capacity": "capacity"}


def _metrics(tp: np.ndarray, fp: np.ndarray, n_pos: np.ndarray, n_neg: np.ndarray, cost: np.ndarray) -> dict:
    """Every metric an objective reads, scikit-learn's zero_division=0 convention."""
    with np.errstate(divide="ignore", invalid="ignore"):
        fn = n_pos - tp
        precision = np.where(tp + fp > 0, tp / np.where(tp + fp > 0, tp + fp, 1), 0.0)
        recall = np.where(n_pos > 0, tp / np.where(n_pos > 0, n_pos, 1), 0.0)
        fpr = np.where(n_neg > 0, fp / np.where(n_neg > 0, n_neg, 1), 0.0)
        f1 = np.where(2 * tp + fp + fn > 0, 2 * tp / np.where(2 * tp + fp + fn > 0, 2 * tp + fp + fn, 1), 0.0)
    return {"tp": tp, "fp": fp, "precision": precision, "recall": recall, "fpr": fpr, "f1": f1,
            "positive_rate": (tp + fp) / (n_pos + n_neg), "cost": cost}


def _random_stack(rng, rows: int, m: int, ties: bool):
    """``rows`` sweeps of m thresholds: cumulative counts in sweep order, 'flag everyone' last
    but one and 'flag nobody' (0, 0) last, as a sweep orders them."""
    step_pos = rng.integers(0, 3, size=(rows, m))
    step_neg = rng.integers(0, 3, size=(rows, m))
    step_pos[:, -1] += 1  # both classes present in every resample
    step_neg[:, 0] += 1
    tp = np.concatenate([np.cumsum(step_pos, axis=1), np.zeros((rows, 1), int)], axis=1).astype(float)
    fp = np.concatenate([np.cumsum(step_neg, axis=1), np.zeros((rows, 1), int)], axis=1).astype(float)
    n_pos, n_neg = tp[:, m - 1 : m], fp[:, m - 1 : m]
    cost = rng.integers(0, 4, size=(rows, m + 1)).astype(float) if ties else rng.normal(size=(rows, m + 1))
    return _metrics(tp, fp, n_pos, n_neg, cost)


def _direct(metrics_row: dict, key: str, share: float) -> int:
    """The objective's rule on one sweep, written out: best score among qualifying entries,
    first index on ties, -1 when none qualifies."""
    eps = 1e-12
    n = len(metrics_row["tp"])
    if key == "min_cost":
        scores, ok = -metrics_row["cost"], np.ones(n, bool)
    elif key == "max_f1":
        scores, ok = metrics_row["f1"], np.ones(n, bool)
    elif key == "youden":
        scores, ok = metrics_row["recall"] - metrics_row["fpr"], np.ones(n, bool)
    elif key == "recall_at_precision":
        ok = (metrics_row["precision"] >= share - eps) & (metrics_row["tp"] + metrics_row["fp"] > 0)
        scores = metrics_row["recall"]
    elif key == "precision_at_recall":
        ok = metrics_row["recall"] >= share - eps
        scores = metrics_row["precision"] + 1e-9 * metrics_row["recall"]  # ties on precision: more recall
    else:
        ok = metrics_row["positive_rate"] <= share + eps
        scores = metrics_row["positive_rate"]
    best, pick = None, -1
    for i in range(n):
        if ok[i] and (best is None or scores[i] > best):
            best, pick = scores[i], i
    return pick


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31), rows=st.integers(1, 6), m=st.integers(1, 12), ties=st.booleans(),
       share=st.sampled_from([0.0, 0.2, 0.5, 2 / 3, 0.75, 1.0]))
def test_each_objective_picks_by_its_rule_for_one_sweep_and_for_a_stack(seed, rows, m, ties, share):
    metrics = _random_stack(np.random.default_rng(seed), rows, m, ties)
    for key, objective in objectives.REGISTRY.items():
        args = (share,) if objective.parameter is not None else ()
        stacked = np.asarray(objective.choose(metrics, *args))
        assert stacked.shape == (rows,)
        for r in range(rows):
            row = {name: values[r] for name, values in metrics.items()}
            one = int(objective.choose(row, *args))
            assert one == int(stacked[r]) == _direct(row, key, share), (key, r)


def test_a_stack_where_only_some_resamples_qualify():
    # Resample 0 reaches precision 1 at its top threshold; resample 1 never does.
    tp = np.array([[1.0, 1.0, 2.0, 0.0], [0.0, 1.0, 2.0, 0.0]])
    fp = np.array([[0.0, 1.0, 2.0, 0.0], [1.0, 1.0, 2.0, 0.0]])
    metrics = _metrics(tp, fp, np.array([[2.0], [2.0]]), np.array([[2.0], [2.0]]), np.zeros((2, 4)))
    picks = objectives.get("recall_at_precision").choose(metrics, 1.0)
    assert list(picks) == [0, -1]
    assert list(objectives.get("precision_at_recall").choose(metrics, 1.0)) == [2, 2]
    assert list(objectives.get("capacity").choose(metrics, 0.25)) == [0, 0]  # 1 of 4 flagged
    assert list(objectives.get("capacity").choose(metrics, 0.2)) == [3, 3]  # nobody


def test_unknown_objective_lists_the_known_ones():
    with pytest.raises(DataError) as error:
        objectives.get("cheapest")
    message = str(error.value)
    assert "'cheapest'" in message and all(key in message for key in objectives.REGISTRY)


@pytest.mark.parametrize("key", list(SETTING))
def test_a_share_is_checked_and_returned_as_a_float(key):
    objective = objectives.get(key)
    name = SETTING[key]
    assert objectives.check_parameters(objective, {name: 0}) == {name: 0.0}
    assert objectives.check_parameters(objective, {name: 1}) == {name: 1.0}
    got = objectives.check_parameters(objective, {name: np.float32(0.25), **{k: None for k in SETTING.values() if k != name}})
    assert got == {name: 0.25} and type(got[name]) is float
    with pytest.raises(DataError, match=f"Enter the {objective.parameter.what} for the objective “{objective.label}”"):
        objectives.check_parameters(objective, {})
    with pytest.raises(DataError, match=f"Enter the {objective.parameter.what}"):
        objectives.check_parameters(objective, {name: None})
    with pytest.raises(DataError, match=f"The {objective.parameter.what} must be a number between 0 and 1, got 'lots'"):
        objectives.check_parameters(objective, {name: "lots"})
    for bad in (-1e-9, 1.000001, 80, float("nan")):
        with pytest.raises(DataError, match=f"The {objective.parameter.what} must be between 0 and 1 .for example"):
            objectives.check_parameters(objective, {name: bad})


@pytest.mark.parametrize("key", ["min_cost", "max_f1", "youden"])
def test_objectives_without_a_setting_take_none_and_refuse_unknown_ones(key):
    objective = objectives.get(key)
    assert objectives.check_parameters(objective, {}) == {}
    assert objectives.check_parameters(objective, {"min_precision": 0.5, "capacity": None}) == {}
    with pytest.raises(DataError, match="Unexpected setting.*: colour, size"):
        objectives.check_parameters(objective, {"size": 1, "colour": 2, "min_recall": 0.2})


def test_nothing_qualifies_sentences_name_the_best_reachable_precision():
    # Precision 0.5, 2/3, 0.6 at thresholds 0.9, 0.7, 0.4, then 'nobody' at +inf (precision 0,
    # but it is not a threshold the user can pick, so it is left out).
    tp, fp = np.array([1.0, 2.0, 3.0, 0.0]), np.array([1.0, 1.0, 2.0, 0.0])
    metrics = _metrics(tp, fp, np.array(3.0), np.array(2.0), np.zeros(4))
    thresholds = np.array([0.9, 0.7, 0.4, np.inf])
    text = objectives.get("recall_at_precision").infeasible(metrics, thresholds, 0.95)
    assert text == ("No threshold reaches precision 0.95; the best this model reaches is 0.667 (at 0.7). "
                    "Lower the required precision.")
    metrics["precision"] = np.array([0.5, 0.6, 0.6, 0.9])  # a value on 'nobody' must not be reported
    text = objectives.get("recall_at_precision").infeasible(metrics, thresholds, 0.95)
    assert "reaches is 0.600 (at 0.7)" in text
    assert objectives.get("precision_at_recall").infeasible(metrics, thresholds, 0.99) == (
        "No threshold reaches recall 0.99. Lower the required recall.")


def test_the_best_reachable_precision_may_be_at_the_lowest_finite_threshold():
    tp, fp = np.array([1.0, 2.0, 3.0, 0.0]), np.array([1.0, 1.0, 1.0, 0.0])  # 0.5, 2/3, 3/4
    metrics = _metrics(tp, fp, np.array(3.0), np.array(1.0), np.zeros(4))
    text = objectives.get("recall_at_precision").infeasible(metrics, np.array([0.9, 0.7, 0.4, np.inf]), 0.8)
    assert "the best this model reaches is 0.750 (at 0.4)" in text


@pytest.mark.parametrize("reached", [0.5, 2 / 3, 0.75])
def test_limits_within_the_rounding_tolerance_of_the_reached_value_are_met(reached):
    # A limit set 1e-12 past what a threshold reaches (float noise in a share typed or
    # computed elsewhere) is met: the tolerance is inclusive at its edge as at the limit itself.
    # Precision ``reached`` at the top threshold (then lower); the recall floor reached at the top;
    # the top threshold flags exactly ``reached`` of the cases for capacity.
    denominators = {0.5: (1, 1), 2 / 3: (2, 1), 0.75: (3, 1)}
    tp_top, fp_top = denominators[reached]
    tp = np.array([tp_top, tp_top + 1, 0.0]) * 1.0
    fp = np.array([fp_top, fp_top + 3, 0.0]) * 1.0
    metrics = _metrics(tp, fp, np.array(tp_top + 1.0), np.array(fp_top + 3.0), np.zeros(3))
    metrics["precision"][0] = reached  # exactly the reached value
    assert objectives.get("recall_at_precision").choose(metrics, reached + 1e-12) == 0
    metrics["recall"] = np.array([reached, 1.0, 0.0])
    metrics["precision"] = np.array([1.0, 0.5, 0.0])
    assert objectives.get("precision_at_recall").choose(metrics, reached + 1e-12) == 0
    metrics["positive_rate"] = np.array([reached, 1.0, 0.0])
    assert objectives.get("capacity").choose(metrics, reached - 1e-12) == 0
