"""Models side by side: per-row costs sum to the sweep's cost, each model at its own threshold,
and the paired bootstrap of the cost difference is seeded and covers the true difference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import compare
from core.compare import COLUMNS, case_costs, compare_models, model_sweeps, paired_cost_difference
from core.costs import CostMatrix
from core.thresholds import recommend_threshold, roc_auc, threshold_sweep


@settings(max_examples=60, deadline=None)
@given(data=st.data(), n=st.integers(1, 50), t=st.floats(-0.1, 1.1))
def test_case_costs_sum_to_the_sweeps_cost_with_amounts_weights_and_ties(data, n, t):
    y = np.array(data.draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    scores = np.array(data.draw(st.lists(st.sampled_from([0.0, 0.2, 0.5, 0.5, 0.8, 1.0]), min_size=n, max_size=n)))
    amounts = np.array(data.draw(st.lists(st.floats(0, 1e4), min_size=n, max_size=n)))
    weights = np.array(data.draw(st.lists(st.sampled_from([1.0, 2.0, 5.0]), min_size=n, max_size=n)))
    costs = CostMatrix(*data.draw(st.tuples(*(st.floats(0, 100) for _ in range(4)))),
                       fp_pct=data.draw(st.floats(0, 100)), fn_pct=data.draw(st.floats(0, 100)),
                       tp_pct=data.draw(st.floats(0, 100)), tn_pct=data.draw(st.floats(0, 100)))
    per_row = case_costs(y, scores, t, costs, weights=weights, amounts=amounts)
    sweep = threshold_sweep(y, scores, costs=costs, sample_weight=weights, amounts=amounts)
    assert per_row.sum() == pytest.approx(sweep.at(t).cost, rel=1e-9, abs=1e-6)


def _two_models(n, seed):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    old = rng.normal(1.0 * y, 1.0)  # a raw logit-like score
    new = 1 / (1 + np.exp(-rng.normal(1.6 * y - 0.5, 1.0)))  # a probability
    amounts = rng.gamma(2.0, 400.0, n)
    return y, old, new, amounts


def test_each_model_at_its_own_recommended_threshold():
    y, old, new, amounts = _two_models(3000, 0)
    costs = CostMatrix(20, 0, fn_pct=60)
    result = compare_models(y, {"old": old, "new": new}, costs=costs, amounts=amounts, n_boot=50)
    assert list(result.table.columns) == COLUMNS and list(result.table["Model"]) == ["old", "new"]
    for name, scores in (("old", old), ("new", new)):
        sweep = threshold_sweep(y, scores, costs=costs, amounts=amounts)
        rec = recommend_threshold(sweep, "min_cost")
        row = result.table.set_index("Model").loc[name]
        assert row["Threshold"] == rec.threshold and row["Business cost"] == pytest.approx(rec.point.cost)
        assert row["ROC AUC"] == pytest.approx(roc_auc(sweep))
    assert result.thresholds["old"] < 0 < result.thresholds["new"] < 1  # each on its own scale
    difference = result.differences[0]
    expected = (result.table.loc[1, "Business cost"] - result.table.loc[0, "Business cost"]) / len(y) * 1000
    assert difference.per_1000 == pytest.approx(expected)
    assert difference.low <= difference.per_1000 <= difference.high
    assert difference.sentence.startswith("Switching to new at ") and "90% interval" in difference.sentence


def test_paired_bootstrap_is_seeded():
    y, old, new, amounts = _two_models(800, 1)
    a = case_costs(y, old, 0.5, CostMatrix(10, 50))
    b = case_costs(y, new, 0.4, CostMatrix(10, 50))
    first = paired_cost_difference(a, b, n_boot=100, seed=3)
    assert first == paired_cost_difference(a, b, n_boot=100, seed=3)
    assert first != paired_cost_difference(a, b, n_boot=100, seed=4)
    weighted = paired_cost_difference(a, b, weights=np.full(len(a), 1.0), n_boot=100, seed=3)
    assert weighted[0] == pytest.approx(first[0])


def test_paired_interval_covers_the_true_difference_in_a_simulation():
    # Two fixed decision rules; the true difference per 1,000 cases is known from the population.
    rng = np.random.default_rng(5)
    population = 400_000
    y = (rng.random(population) < 0.3).astype(int)
    s1 = rng.normal(1.0 * y, 1.0)
    s2 = s1 + rng.normal(0, 0.6, population)  # a noisier model, correlated with the first
    costs = CostMatrix(10, 60)
    c1, c2 = case_costs(y, s1, 0.4, costs), case_costs(y, s2, 0.4, costs)
    truth = (c2 - c1).mean() * 1000
    covered = 0
    trials = 40
    for k in range(trials):
        rows = rng.integers(0, population, size=1500)
        _, low, high = paired_cost_difference(c1[rows], c2[rows], n_boot=200, level=0.9, seed=k)
        covered += low <= truth <= high
    assert 0.75 <= covered / trials <= 1.0  # nominal 90%


def test_a_model_without_a_recommendation_is_reported_not_raised():
    # The top score of both models is a negative: precision never exceeds 1/2.
    y = np.array([0, 1, 0, 1])
    old, new = np.array([0.9, 0.5, 0.4, 0.1]), np.array([3.0, 1.0, -1.0, 2.0])
    result = compare_models(y, {"old": old, "new": new}, costs=CostMatrix(1, 1), objective="recall_at_precision",
                            min_precision=0.9)
    assert set(result.problems) == {"old", "new"} and result.table["Threshold"].isna().all()
    assert result.differences == []


def _full_resample_draws(diff, weights, n_boot, rng):
    """The paired bootstrap written out: every row can be drawn (the definition the fast path keeps)."""
    n = len(diff)
    if weights is None:
        return np.array([diff[rng.integers(0, n, size=n)].sum() for _ in range(n_boot)]) / n * 1000
    total = weights.sum()
    per_case = np.divide(diff, weights, out=np.zeros_like(diff), where=weights > 0)
    size = int(round(total))
    return np.array([rng.multinomial(size, weights / total) @ per_case for _ in range(n_boot)]) / size * 1000


@pytest.mark.parametrize("values", ["few", "many", "many, on threads", "mixed", "mixed, on threads"])
@pytest.mark.parametrize("weighted", [False, True])
def test_drawing_only_where_the_models_disagree_gives_the_full_resamples_interval(weighted, values, monkeypatch):
    # A few % of the rows differ (the usual case: two decent models disagree on few cases), with
    # uneven case counts: the interval from drawing among those rows alone is the one from
    # resampling every row, up to the Monte Carlo error of 3,000 resamples each. "few": fixed
    # costs (a handful of distinct differences, drawn per value); "many": a share of each
    # case's amount (every difference its own, drawn per row).
    # "mixed": most rows hold one of a few values, the others each their own (the frequent ones
    # drawn per value, the rest row by row).
    # "..., on threads": the same, with the resamples split into parts drawn on threads (as from
    # two million draws in all, e.g. a million rows where the models disagree on a third).
    if values.endswith("on threads"):
        monkeypatch.setattr(compare, "_PARALLEL_DRAWS", 0)
    rng = np.random.default_rng(8)
    n = 2_000
    diff = np.zeros(n)
    k = {"few": 80, "many": 400}.get(values.split(",")[0], 1_200)  # mixed: 360 of them with their own value
    moving = rng.choice(n, size=k, replace=False)
    # Mostly one direction, so how many of them a resample holds matters as much as which.
    fixed = rng.choice([-10.0, 10.0, 20.0, 50.0, 60.0], size=k)
    amounts = rng.lognormal(3, 0.5, size=k) * rng.choice([-1.0, 1.0, 1.0, 1.0], size=k)
    if values == "few":
        diff[moving] = fixed
    elif values.startswith("many"):
        diff[moving] = amounts
    else:  # "mixed": most differences fixed (negatives from FP to TN save its cost), the rest an amount lost
        diff[moving] = np.where(rng.random(k) < 0.7, -np.abs(fixed), 5 * np.abs(amounts))
    weights = rng.integers(1, 6, size=n).astype(float) if weighted else None
    if weighted:
        diff = diff * weights  # a row of w cases differs w times as much
    estimate, low, high = paired_cost_difference(np.zeros(n), diff, weights=weights, n_boot=3_000, level=0.9, seed=3)
    reference = np.quantile(_full_resample_draws(diff, weights, 3_000, np.random.default_rng(4)), [0.05, 0.95])
    width = reference[1] - reference[0]
    assert estimate == pytest.approx(diff.sum() / (n if weights is None else weights.sum()) * 1000)
    assert abs(low - reference[0]) < 0.06 * width and abs(high - reference[1]) < 0.06 * width


def test_a_cost_edit_recosts_the_models_sweeps_instead_of_sorting_again(monkeypatch):
    rng = np.random.default_rng(2)
    n = 3_000
    y = (rng.random(n) < 0.3).astype(int)
    models = {"old": np.round(rng.normal(y, 1.0), 1), "new": np.round(rng.normal(1.5 * y, 1.0), 1)}  # ties
    weights, amounts = rng.integers(1, 4, n).astype(float), rng.lognormal(4, 1, n)
    sweeps = model_sweeps(y, models, weights=weights, amounts=amounts)
    import core.compare as compare

    def no_sorting(*args, **kwargs):
        raise AssertionError("compare_models sorted the scores again")

    monkeypatch.setattr(compare, "threshold_sweep", no_sorting)
    for costs in (CostMatrix(10, 60), CostMatrix(5, 0, fn_pct=40, tp_value=2)):
        again = compare_models(y, models, costs=costs, weights=weights, amounts=amounts, sweeps=sweeps)
        monkeypatch.undo()
        fresh = compare_models(y, models, costs=costs, weights=weights, amounts=amounts)
        monkeypatch.setattr(compare, "threshold_sweep", no_sorting)
        pd.testing.assert_frame_equal(again.table, fresh.table)
        assert again.differences == fresh.differences
        for name in models:
            np.testing.assert_array_equal(again.sweeps[name].cost, fresh.sweeps[name].cost)


@pytest.mark.parametrize("mixed", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_resamples_drawn_on_threads_keep_their_order_and_the_same_draws_on_any_number_of_cores(weighted, mixed,
                                                                                              monkeypatch):
    # Every value 1 (plus a distinct speck, so they are drawn row by row): each resample's sum
    # rounds to its number of draws, so a part dropped, repeated or put in another order shows;
    # the seed, not the machine, fixes the draws.
    monkeypatch.setattr(compare, "_PARALLEL_DRAWS", 0)
    landed = np.random.default_rng(2).integers(0, 5_000, size=203)
    landed[[0, 101, 202]] = 0  # resamples that hold none of these rows add nothing
    rng_rows = np.random.default_rng(5)
    ones = 1.0 + np.arange(700) * 2.0**-30
    if mixed:  # most rows hold exactly 1 (drawn per value), the others 1 and a speck (row by row)
        ones[rng_rows.choice(700, size=400, replace=False)] = 1.0
    assert np.unique(ones).size > compare._FEW_VALUES
    weights = np.random.default_rng(3).integers(1, 9, size=700).astype(float) if weighted else None
    sums = compare._resampled_sums(np.random.default_rng(9), landed, ones, weights)
    np.testing.assert_array_equal(np.round(sums), landed.astype(float))
    values = np.random.default_rng(4).lognormal(3, 1, size=700)
    by_cores = []
    for cores in (1, 2, 8):
        monkeypatch.setattr(compare, "_cores", lambda cores=cores: cores)
        by_cores.append(compare._resampled_sums(np.random.default_rng(9), landed, values, weights))
    np.testing.assert_array_equal(by_cores[0], by_cores[1])
    np.testing.assert_array_equal(by_cores[0], by_cores[2])
    assert not np.array_equal(by_cores[0], compare._resampled_sums(np.random.default_rng(10), landed, values, weights))
    monkeypatch.setattr(compare, "_PARALLEL_DRAWS", 10**12)  # one stream: other draws, same distribution
    assert not np.array_equal(by_cores[0], compare._resampled_sums(np.random.default_rng(9), landed, values, weights))
