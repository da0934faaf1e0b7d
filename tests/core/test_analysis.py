"""core.analysis: re-costing equals a fresh computation (weights, amounts, ties), bands from the
resamples drawn once equal fresh bands with the same seed, one sort, and the page rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.analysis import (
    DEFAULT_COSTS,
    build_analysis,
    clean_amounts,
    parse_link_value,
    positive_noun,
    slider_domain,
)
from core.costs import CostMatrix
from core.errors import DataError
from core.scenario import Scenario
from core.thresholds import threshold_sweep
from core.uncertainty import bootstrap_bands

money = st.floats(0, 1000, allow_nan=False)
percent = st.floats(0, 200, allow_nan=False)


@st.composite
def cases(draw):
    n = draw(st.integers(2, 60))
    y = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    # Few distinct values: many tied scores.
    scores = np.array(draw(st.lists(st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.5, 0.75, 0.9, 1.0]), min_size=n, max_size=n)))
    weights = None
    if draw(st.booleans()):
        weights = np.array(draw(st.lists(st.sampled_from([1.0, 2.0, 3.0, 0.5]), min_size=n, max_size=n)))
    amounts = np.array(draw(st.lists(st.floats(0, 1e5, allow_nan=False), min_size=n, max_size=n)))
    return y, scores, weights, amounts


@st.composite
def cost_matrices(draw):
    return CostMatrix(draw(money), draw(money), draw(money), draw(money),
                      fp_pct=draw(percent), fn_pct=draw(percent), tp_pct=draw(percent), tn_pct=draw(percent))


def _direct_cost(costs, y, scores, weights, amounts, t):
    """The definition, case by case: each row is ``w`` cases whose amounts total ``amount``."""
    w = np.ones(len(y)) if weights is None else weights
    total = 0.0
    for label, score, weight, amount in zip(y, scores, w, amounts):
        flagged = score >= t
        cell = ("tp" if label else "fp") if flagged else ("fn" if label else "tn")
        fixed = {"tp": -costs.tp_value, "fp": costs.fp_cost, "tn": -costs.tn_value, "fn": costs.fn_cost}[cell]
        pct = {"tp": -costs.tp_pct, "fp": costs.fp_pct, "tn": -costs.tn_pct, "fn": costs.fn_pct}[cell]
        total += weight * fixed + pct / 100 * amount
    return total


@settings(max_examples=60, deadline=None)
@given(data=cases(), first=cost_matrices(), second=cost_matrices(), t=st.floats(-0.1, 1.1))
def test_recosting_equals_a_fresh_sweep_and_a_direct_sum(data, first, second, t):
    y, scores, weights, amounts = data
    analysis = build_analysis(y, scores, weights=weights, amounts=amounts, with_bands=False)
    recosted = analysis.costed(first).sweep.with_costs(second)
    fresh = threshold_sweep(y, scores, costs=second, sample_weight=weights, amounts=amounts)
    np.testing.assert_allclose(recosted.cost, fresh.cost, rtol=1e-9, atol=1e-6)
    np.testing.assert_array_equal(recosted.thresholds, fresh.thresholds)
    scale = 1 + np.abs(amounts).sum() + 1000 * len(y) * 3
    assert recosted.at(t).cost == pytest.approx(_direct_cost(second, y, scores, weights, amounts, t), abs=1e-9 * scale)


@settings(max_examples=25, deadline=None)
@given(data=cases(), costs=cost_matrices(), seed=st.integers(0, 2**16))
def test_cost_bands_from_the_resamples_drawn_once_equal_fresh_bands(data, costs, seed):
    y, scores, weights, amounts = data
    analysis = build_analysis(y, scores, weights=weights, amounts=amounts, n_boot=50, seed=seed)
    grid = analysis.band_thresholds
    fresh = bootstrap_bands(y, scores, grid, metrics=("cost",), costs=costs, n_boot=50, seed=seed,
                            sample_weight=weights, amounts=amounts)
    ours = analysis.costed(costs).cost_bands
    np.testing.assert_allclose(ours[["low", "high"]].to_numpy(), fresh[["low", "high"]].to_numpy(), rtol=1e-9, atol=1e-6)
    # The precision/recall/F1 bands come from the same draws.
    ratios = bootstrap_bands(y, scores, grid, metrics=("precision", "recall", "f1"), n_boot=50, seed=seed,
                             sample_weight=weights, amounts=amounts)
    assert ratios.equals(analysis.ratio_bands)


def test_cost_bands_bracket_the_full_data_cost_and_follow_the_costs():
    rng = np.random.default_rng(0)
    y = (rng.random(5000) < 0.3).astype(int)
    scores = np.clip(rng.normal(0.3 + 0.3 * y, 0.2), 0, 1)
    amounts = rng.gamma(2.0, 500.0, size=y.size)
    analysis = build_analysis(y, scores, amounts=amounts, is_probability=True)
    costs = CostMatrix(10, 0, fn_pct=60)
    costed = analysis.costed(costs)
    bands = costed.cost_bands
    values = costed.sweep.cost[costed.sweep.index(bands["threshold"].to_numpy())]
    inside = (bands["low"].to_numpy() <= values) & (values <= bands["high"].to_numpy())
    assert inside.mean() > 0.9
    doubled = analysis.costed(CostMatrix(20, 0, fn_pct=120)).cost_bands
    np.testing.assert_allclose(doubled[["low", "high"]].to_numpy(), 2 * bands[["low", "high"]].to_numpy(), rtol=1e-9)


def test_analysis_sorts_once_and_shares_read_only_arrays(monkeypatch):
    import core.thresholds as thresholds

    calls = []
    real = thresholds.sort_cases
    monkeypatch.setattr(thresholds, "sort_cases", lambda *a, **k: calls.append(1) or real(*a, **k))
    import core.analysis as analysis_module

    monkeypatch.setattr(analysis_module, "sort_cases", thresholds.sort_cases)
    rng = np.random.default_rng(1)
    y = (rng.random(3000) < 0.4).astype(int)
    p = rng.random(3000)
    analysis = build_analysis(y, p, is_probability=True)
    analysis.costed(DEFAULT_COSTS)
    assert len(calls) == 1
    assert not analysis.cases.scores.flags.writeable and not analysis.sweep.thresholds.flags.writeable
    assert not analysis.sweep.tp.flags.writeable and not analysis.sweep.precision.flags.writeable
    with pytest.raises(ValueError):
        analysis.sweep.recall[0] = 0.5
    # Calibration and the histogram from the sorted cases equal those of the raw order.
    from core.calibration import brier_score, reliability_curve

    assert analysis.brier == pytest.approx(brier_score(y, p))
    # (Sums in another order: equal to rounding.)
    pd.testing.assert_frame_equal(analysis.reliability, reliability_curve(y, p, n_bins=10), rtol=1e-12)
    assert analysis.histogram["count"].sum() == 3000


def test_weighted_rows_count_as_that_many_cases():
    y = np.array([1, 0, 1, 0])
    scores = np.array([0.9, 0.8, 0.3, 0.2])
    weights = np.array([2.0, 3.0, 1.0, 4.0])
    expanded = build_analysis(np.repeat(y, weights.astype(int)), np.repeat(scores, weights.astype(int)),
                              with_bands=False)
    weighted = build_analysis(y, scores, weights=weights, with_bands=False)
    costs = CostMatrix(5, 7, 1, 0.5)
    np.testing.assert_allclose(weighted.costed(costs).sweep.cost, expanded.costed(costs).sweep.cost)
    assert weighted.prevalence == pytest.approx(0.3)


def test_clean_amounts_rule():
    a, note = clean_amounts([1.0, np.nan, 3.0, None])
    np.testing.assert_array_equal(a, [1.0, 0.0, 3.0, 0.0])
    assert note.startswith("2 rows have no amount")
    assert clean_amounts([0.0, 5.0])[1] == ""
    with pytest.raises(DataError, match="1 rows have a negative amount"):
        clean_amounts([1.0, -2.0])
    with pytest.raises(DataError, match="numbers"):
        clean_amounts(["a", "b"])


def test_link_values_and_page_rules():
    assert parse_link_value("t", "0.25", (0.0, 1.0)) == 0.25
    assert parse_link_value("fna", "60", (0.0, 1.0)) == 60.0
    with pytest.raises(DataError, match=r"fp='-1' \(Cost of a false positive\)"):
        parse_link_value("fp", "-1", (0.0, 1.0))
    with pytest.raises(DataError, match="Decision threshold"):
        parse_link_value("t", "2", (0.0, 1.0))
    with pytest.raises(DataError, match="percentage"):
        parse_link_value("tpa", "nan", (0.0, 1.0))
    assert slider_domain(True, 0.2, 0.3) == (0.0, 1.0)
    assert slider_domain(False, -2.0, 3.0) == (-2.0, 3.0)
    assert slider_domain(False, 1.0, 1.0) == (1.0, 2.0)
    assert positive_noun("yes", "defaulted") == "'defaulted' cases"
    assert positive_noun("malignant", "diagnosis") == "malignant cases"


def test_scenario_round_trips_through_plain_json():
    import json

    costs = CostMatrix(10, 0, currency="€", fn_pct=60)
    point = threshold_sweep([1, 0, 1], [0.9, 0.5, 0.2], costs=costs, amounts=[100.0, 5.0, 50.0]).at(0.4)
    scenario = Scenario.of(name="Cautious", threshold=0.4, costs=costs, point=point, objective=None,
                           evaluation=("abc", 3), amount_column="loan_amount")
    record = json.loads(json.dumps(scenario.to_dict()))
    again = Scenario.from_dict(record)
    assert again == scenario and again.costs == costs
    assert record["cost"] == pytest.approx(10 + 0.6 * 50)
    assert Scenario.from_dict({**record, "someday": 1}).name == "Cautious"
    with pytest.raises(DataError, match="incomplete"):
        Scenario.from_dict({"name": "x"})


def test_stability_interval_agrees_with_the_row_bootstrap_and_follows_the_costs():
    from core.uncertainty import bootstrap_threshold

    rng = np.random.default_rng(6)
    p = rng.random(20_000)
    y = (rng.random(p.size) < p).astype(int)  # calibrated: the cheapest threshold is near 1/6
    analysis = build_analysis(y, p, is_probability=True)
    cheap = analysis.stability(analysis.costed(CostMatrix(1, 5)), "min_cost")
    exact = bootstrap_threshold(y, p, "min_cost", costs=CostMatrix(1, 5))
    assert cheap.estimate == exact.estimate
    assert cheap.low == pytest.approx(exact.low, abs=0.02) and cheap.high == pytest.approx(exact.high, abs=0.02)
    assert cheap.low < 1 / 6 < cheap.high
    costly = analysis.stability(analysis.costed(CostMatrix(1, 1)), "min_cost")
    assert costly.low < 0.5 < costly.high and costly.low > cheap.high  # 1/2 rule: moved with the costs
    capped = analysis.stability(analysis.costed(CostMatrix(1, 5)), "capacity", capacity=0.1)
    assert capped.low <= capped.estimate <= capped.high
    with pytest.raises(DataError, match="minimum precision"):
        analysis.stability(analysis.costed(CostMatrix(1, 5)), "recall_at_precision")


def test_production_rate_reweights_classes_keeping_recall_and_fpr():
    from core.analysis import positive_share, production_weights

    rng = np.random.default_rng(3)
    y = (rng.random(4000) < 0.3).astype(int)
    s = np.clip(rng.normal(0.3 + 0.3 * y, 0.2), 0, 1)
    assert production_weights(y, None, positive_share(y)) is None
    w = production_weights(y, None, 0.05)
    assert w.sum() == pytest.approx(len(y)) and positive_share(y, w) == pytest.approx(0.05)
    base = threshold_sweep(y, s)
    shifted = threshold_sweep(y, s, sample_weight=w)
    point, moved = base.at(0.5), shifted.at(0.5)
    assert moved.recall == pytest.approx(point.recall) and moved.fpr == pytest.approx(point.fpr)
    # Precision under the new mix, by Bayes: rate*TPR / (rate*TPR + (1-rate)*FPR).
    assert moved.precision == pytest.approx(0.05 * point.recall / (0.05 * point.recall + 0.95 * point.fpr))
    for bad in (0, 1, "x"):
        with pytest.raises(DataError, match="positive rate in production"):
            production_weights(y, None, bad)
