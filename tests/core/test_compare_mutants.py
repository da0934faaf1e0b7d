"""core.compare at its edges: each row's cost on a tie, the paired bootstrap's resampling, level
and n_boot, the sentence in each direction, and models without a recommendation.

The paired bootstrap is checked where its answer is known without running it: a difference
that is the same on every row has no spread at all; a difference on one row out of n is zero
in every resample that misses that row; the band's width follows the normal quantiles of the
difference's standard error at the asked level.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from core.compare import COLUMNS, case_costs, compare_models, paired_cost_difference
from core.costs import CostMatrix
from core.errors import DataError
from core.thresholds import recommend_threshold, roc_auc, threshold_sweep

# ------------------------------------------------------------------------------------------
# case_costs


def test_a_score_equal_to_the_threshold_is_flagged():
    y = np.array([1, 0, 1, 0])
    s = np.array([0.5, 0.5, 0.2, 0.2])
    costs = CostMatrix(fp_cost=3, fn_cost=10, tp_value=1, tn_value=0.5)
    assert list(case_costs(y, s, 0.5, costs)) == [-1.0, 3.0, 10.0, -0.5]
    assert list(case_costs(y, s, 0.2, costs)) == [-1.0, 3.0, -1.0, 3.0]


def test_each_rows_cost_by_hand_with_weights_and_amounts():
    y = np.array([1, 0, 1, 0])
    s = np.array([0.9, 0.8, 0.1, 0.2])
    costs = CostMatrix(2, 10, tp_value=1, tn_value=0.5, fp_pct=1, fn_pct=60, tp_pct=5, tn_pct=2)
    amounts = np.array([100, 200, 50, 10])  # ints: read as numbers all the same
    got = case_costs(y, s, 0.5, costs, weights=[2, 1, 3, 0.5], amounts=amounts)
    expected = [2 * -1 - 0.05 * 100, 1 * 2 + 0.01 * 200, 3 * 10 + 0.6 * 50, 0.5 * -0.5 - 0.02 * 10]
    assert got == pytest.approx(expected, rel=1e-12)


def test_per_case_costs_without_amounts_say_so():
    with pytest.raises(DataError, match="amount column"):
        case_costs([1, 0], [0.9, 0.1], 0.5, CostMatrix(1, 5, fn_pct=60))


# ------------------------------------------------------------------------------------------
# paired_cost_difference


def test_no_rows_to_compare_is_a_plain_error():
    with pytest.raises(DataError, match="no rows"):
        paired_cost_difference(np.array([]), np.array([]))


def test_one_row_compares_with_itself():
    assert paired_cost_difference(np.array([2.0]), np.array([5.0]), n_boot=20) == (3000.0, 3000.0, 3000.0)
    weighted = paired_cost_difference(np.array([2.0]), np.array([5.0]), weights=[1.0], n_boot=20)
    assert weighted == pytest.approx((3000.0, 3000.0, 3000.0))


@pytest.mark.parametrize("weights", [None, "ones", "twos", "tenths"])
def test_the_same_difference_on_every_row_has_no_spread(weights):
    n = 40
    a = np.linspace(0, 10, n)
    w = {None: None, "ones": np.ones(n), "twos": np.full(n, 2.0), "tenths": np.full(n, 0.1)}[weights]
    per_case = 0.25  # every case costs 0.25 more under rule b
    b = a + per_case * (np.ones(n) if w is None else w)
    estimate, low, high = paired_cost_difference(a, b, weights=w, n_boot=50)
    assert estimate == pytest.approx(250.0) and low == pytest.approx(250.0) and high == pytest.approx(250.0)


def test_a_resample_that_misses_the_only_differing_row_shows_no_difference():
    # One row of 20 differs (by 20): each resample holds it Binomial(20, 1/20) times, missing
    # it with probability (19/20)^20 = 36%, so the 5% tail is 0 and the 95% one is above it.
    for position in (0, 7, 19):
        diff = np.zeros(20)
        diff[position] = 20.0
        estimate, low, high = paired_cost_difference(np.zeros(20), diff, n_boot=400, seed=1)
        assert estimate == pytest.approx(1000.0)
        assert low == 0.0 and high >= 2000.0
        weighted = paired_cost_difference(np.zeros(20), diff, weights=np.ones(20), n_boot=400, seed=1)
        assert weighted[0] == pytest.approx(1000.0) and weighted[1] == 0.0 and weighted[2] >= 2000.0


def test_rows_of_no_cases_are_never_drawn_and_do_not_break_the_interval():
    a = np.zeros(6)
    b = np.array([0.0, 3.0, 1.0, 0.0, 2.0, 0.0])
    w = np.array([0.0, 1.0, 1.0, 0.0, 2.0, 1.0])
    estimate, low, high = paired_cost_difference(a, b, weights=w, n_boot=300)
    assert estimate == pytest.approx(6 / 5 * 1000)
    assert np.isfinite([low, high]).all() and 0 <= low <= estimate <= high <= 3000


def test_a_resample_is_as_many_cases_as_the_weights_hold():
    # Weights of 0.5 + 0.5 hold one case: each resample is that one case, so the bounds are one
    # row's per-case difference (0 or 1) per case, not an average of two draws.
    low_high = paired_cost_difference(np.zeros(2), np.array([0.0, 0.5]), weights=[0.5, 0.5], n_boot=400, level=0.5)
    assert set(low_high[1:]) <= {0.0, 1000.0} and low_high[0] == pytest.approx(500.0)


@pytest.mark.parametrize("level", [0.8, 0.9])
@pytest.mark.parametrize("weighted", [False, True])
def test_band_width_follows_the_normal_quantile_of_the_standard_error(level, weighted):
    rng = np.random.default_rng(11)
    n = 500
    diff = rng.normal(0.3, 2.0, n)
    se = diff.std() / np.sqrt(n) * 1000
    w = np.ones(n) if weighted else None
    estimate, low, high = paired_cost_difference(np.zeros(n), diff, weights=w, n_boot=2000, level=level, seed=2)
    z = norm.ppf(1 - (1 - level) / 2)
    assert high - low == pytest.approx(2 * z * se, rel=0.07)
    assert (estimate - low) == pytest.approx(high - estimate, rel=0.2)  # about symmetric around it
    assert estimate == pytest.approx(diff.mean() * 1000)


# ------------------------------------------------------------------------------------------
# compare_models


def _data(n=600, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    good = 1 / (1 + np.exp(-rng.normal(2.5 * y - 1, 1.0)))
    poor = rng.normal(0.4 * y, 1.0)
    return y, good, poor


def test_a_single_model_gets_its_row_and_no_differences():
    y, good, _ = _data()
    costs = CostMatrix(5, 20)
    result = compare_models(y, {"only": good}, costs=costs, n_boot=20)
    assert list(result.table.columns) == COLUMNS and list(result.table["Model"]) == ["only"]
    assert result.differences == [] and result.problems == {}
    with pytest.raises(DataError, match="no models"):
        compare_models(y, {}, costs=costs)


def test_every_column_of_the_table_is_the_models_own_recommendation_with_weights():
    y, good, poor = _data(seed=1)
    w = np.random.default_rng(2).choice([0.5, 1.0, 3.0], size=len(y))
    costs = CostMatrix(4, 25, tp_value=1)
    result = compare_models(y, {"good": good, "poor": poor}, costs=costs, weights=w, n_boot=40)
    table = result.table.set_index("Model")
    for name, scores in (("good", good), ("poor", poor)):
        sweep = threshold_sweep(y, scores, costs=costs, sample_weight=w)
        rec = recommend_threshold(sweep, "min_cost")
        row = table.loc[name]
        assert result.thresholds[name] == rec.threshold == row["Threshold"]
        assert (row["Precision"], row["Recall"], row["F1"]) == pytest.approx(
            (rec.point.precision, rec.point.recall, rec.point.f1))
        assert row["Business cost"] == pytest.approx(rec.point.cost) and row["ROC AUC"] == pytest.approx(roc_auc(sweep))
        assert result.sweeps[name].weighted and result.sweeps[name].n == pytest.approx(w.sum())
    diff = result.differences[0]
    assert (diff.model, diff.primary, diff.threshold, diff.level) == ("poor", "good", result.thresholds["poor"], 0.9)
    expected = (table.loc["poor", "Business cost"] - table.loc["good", "Business cost"]) / w.sum() * 1000
    assert diff.per_1000 == pytest.approx(expected)
    assert diff.low <= diff.per_1000 <= diff.high and diff.per_1000 > 0
    assert diff.sentence.startswith(f"Switching to poor at {diff.threshold:.3g} costs ")
    assert "more per 1,000 cases, 90% interval " in diff.sentence


def test_n_boot_level_and_seed_reach_the_interval():
    y, good, poor = _data(seed=3)
    costs = CostMatrix(4, 25)
    one = compare_models(y, {"good": good, "poor": poor}, costs=costs, n_boot=1).differences[0]
    assert one.low == one.high  # a single resample
    wide = compare_models(y, {"good": good, "poor": poor}, costs=costs, n_boot=300, level=0.99).differences[0]
    narrow = compare_models(y, {"good": good, "poor": poor}, costs=costs, n_boot=300, level=0.5).differences[0]
    assert wide.level == 0.99 and narrow.level == 0.5 and "99% interval" in wide.sentence
    assert wide.high - wide.low > 2 * (narrow.high - narrow.low)
    again = compare_models(y, {"good": good, "poor": poor}, costs=costs, n_boot=300, level=0.5).differences[0]
    other = compare_models(y, {"good": good, "poor": poor}, costs=costs, n_boot=300, level=0.5, seed=9).differences[0]
    assert again == narrow and (other.low, other.high) != (narrow.low, narrow.high)


def test_objective_settings_reach_each_models_recommendation():
    y, good, poor = _data(seed=4)
    result = compare_models(y, {"good": good, "poor": poor}, costs=CostMatrix(1, 1), objective="capacity",
                            capacity=0.05, n_boot=20)
    for name, scores in (("good", good), ("poor", poor)):
        assert (scores >= result.thresholds[name]).mean() <= 0.05
        rec = recommend_threshold(threshold_sweep(y, scores, costs=CostMatrix(1, 1)), "capacity", capacity=0.05)
        assert result.thresholds[name] == rec.threshold


def test_a_model_without_a_recommendation_in_the_middle_does_not_stop_the_others():
    y = np.array([0, 1, 0, 1, 1, 0, 1, 0])
    primary = np.array([0.1, 0.9, 0.2, 0.8, 0.7, 0.3, 0.6, 0.4])  # perfect: precision 1 is reachable
    hopeless = np.array([0.9, 0.1, 0.8, 0.2, 0.3, 0.7, 0.4, 0.6])  # every top score a negative
    decent = np.array([0.1, 0.9, 0.6, 0.8, 0.7, 0.3, 0.2, 0.4])
    result = compare_models(y, {"primary": primary, "hopeless": hopeless, "decent": decent}, costs=CostMatrix(1, 3),
                            objective="recall_at_precision", min_precision=0.9, n_boot=30)
    assert set(result.problems) == {"hopeless"} and "precision" in result.problems["hopeless"]
    assert [d.model for d in result.differences] == ["decent"]
    row = result.table.set_index("Model").loc["hopeless"]
    assert row[["Threshold", "Precision", "Recall", "F1", "Business cost"]].isna().all()
    assert row["ROC AUC"] == pytest.approx(roc_auc(threshold_sweep(y, hopeless)))
    assert "hopeless" not in result.thresholds and set(result.thresholds) == {"primary", "decent"}


def test_the_sentence_in_each_direction():
    y, good, poor = _data(n=2000, seed=5)
    costs = CostMatrix(4, 25)
    better = compare_models(y, {"poor": poor, "good": good}, costs=costs, n_boot=200).differences[0]
    assert better.per_1000 < 0 and better.high < 0
    fmt = costs.format
    assert better.sentence == (f"Switching to good at {better.threshold:.3g} saves {fmt(-better.per_1000)} per 1,000 "
                               f"cases, 90% interval {fmt(-better.high)} to {fmt(-better.low)}.")
    worse = compare_models(y, {"good": good, "poor": poor}, costs=costs, n_boot=200).differences[0]
    assert worse.sentence == (f"Switching to poor at {worse.threshold:.3g} costs {fmt(worse.per_1000)} more per 1,000 "
                              f"cases, 90% interval {fmt(worse.low)} to {fmt(worse.high)}.")
    same = compare_models(y, {"good": good, "copy": good.copy()}, costs=costs, n_boot=50).differences[0]
    assert (same.per_1000, same.low, same.high) == (0.0, 0.0, 0.0)
    assert same.sentence == (f"Switching to copy at {same.threshold:.3g} costs the same per 1,000 cases, 90% interval "
                             f"{fmt(0)} to {fmt(0)} (more cost); the interval includes no difference at all.")


def test_an_interval_touching_zero_includes_no_difference():
    # Model b ranks the only positive last: flagging nobody (missing it, 10) is its cheapest
    # choice, while a flags it alone at no cost. The rules differ on that one row of 20, so a
    # third of the resamples show no difference and the lower bound is exactly 0.
    y = np.array([1] + [0] * 19)
    a = np.linspace(0.99, 0.05, 20)
    b = a.copy()
    b[0] = 0.01
    result = compare_models(y, {"a": a, "b": b}, costs=CostMatrix(1, 10), n_boot=400)
    d = result.differences[0]
    assert d.per_1000 == pytest.approx(10 / 20 * 1000) and d.low == 0.0 and d.high > 0
    assert d.sentence.endswith("; the interval includes no difference at all.")


# ------------------------------------------------------------------------------------------
# Found by mutmut (tests/MUTATION.md, core/compare.py): differences of exactly one, no
# difference at all with weights, rounding of the moving share, small extra costs, defaults.


@pytest.mark.parametrize("weights", [None, "ones", "halves"])
def test_a_difference_of_exactly_one_on_every_row_is_drawn_like_any_other(weights):
    # Every row (or every case) costs exactly 1 more under rule b: each resample holds that.
    n = 30
    w = {None: None, "ones": np.ones(n), "halves": np.full(n, 0.5)}[weights]
    a = np.linspace(0, 3, n)
    b = a + (1.0 if w is None else w)  # a per-case difference of exactly 1
    assert paired_cost_difference(a, b, weights=w, n_boot=40) == pytest.approx((1000.0, 1000.0, 1000.0))


@pytest.mark.parametrize("weights", [None, "ones", "mixed"])
def test_two_rules_that_cost_the_same_on_every_row_differ_by_nothing(weights):
    n = 25
    w = {None: None, "ones": np.ones(n), "mixed": np.linspace(0.1, 4, n)}[weights]
    a = np.linspace(-2, 5, n)
    assert paired_cost_difference(a, a.copy(), weights=w, n_boot=30) == (0.0, 0.0, 0.0)


def test_a_share_of_moving_cases_that_rounds_above_one_still_draws():
    # The rows where the rules differ hold all but two 1e-9 weights, and their float sum comes
    # out one rounding above the total's: still a share of (at most) 1, not an error.
    w = np.array([1e9, 1.1909088595267758, 0.3, 1e-09, 0.10585856529126897, 1e9, 1.1909088595267758, 0.7,
                  529292826.4563448, 1.1909088595267758, 1e-09, 0.01, 0.1764309421521149, 0.15878784793690343,
                  4.112605261565799, 0.3333333333333333])
    moving = np.ones(w.size, bool)
    moving[[3, 10]] = False
    assert w[moving].sum() > w.sum()  # the rounding this test is about
    b = np.where(moving, 2.0 * w, 0.0)  # 2 more per case where they differ
    estimate, low, high = paired_cost_difference(np.zeros(w.size), b, weights=w, n_boot=20)
    assert estimate == pytest.approx(2000.0) and low == pytest.approx(2000.0) and high == pytest.approx(2000.0)


def test_an_extra_cost_below_one_per_1000_cases_is_called_more_not_the_same():
    # 2,000 cases; the models differ only on one negative, which b flags above everything:
    # b costs one false positive (0.5) more, 0.25 per 1,000 cases.
    n = 2000
    y = np.zeros(n, int)
    y[:200] = 1
    a = np.where(y == 1, 0.9, np.linspace(0.01, 0.4, n))
    b = a.copy()
    b[-1] = 0.99
    costs = CostMatrix(0.5, 10)
    d = compare_models(y, {"a": a, "b": b}, costs=costs, n_boot=50).differences[0]
    assert d.threshold == pytest.approx(0.9) and d.per_1000 == pytest.approx(0.25)
    assert d.sentence.startswith(f"Switching to b at 0.9 costs {costs.format(0.25)} more per 1,000 cases")


def test_the_default_interval_is_200_resamples_at_90_percent_from_seed_0():
    # The page asks for the defaults; the same data must give the same interval from one version
    # to the next (a report quoting it can be checked again).
    rng = np.random.default_rng(4)
    a, b = rng.normal(0, 1, 300), rng.normal(0.1, 1, 300)
    assert paired_cost_difference(a, b) == paired_cost_difference(a, b, n_boot=200, level=0.9, seed=0)
    assert paired_cost_difference(a, b) != paired_cost_difference(a, b, n_boot=201, level=0.9, seed=0)
    y, good, poor = _data(n=400, seed=3)
    costs = CostMatrix(4, 25)
    default = compare_models(y, {"poor": poor, "good": good}, costs=costs).differences[0]
    explicit = compare_models(y, {"poor": poor, "good": good}, costs=costs, n_boot=200, seed=0).differences[0]
    other = compare_models(y, {"poor": poor, "good": good}, costs=costs, n_boot=201, seed=0).differences[0]
    assert (default.low, default.high) == (explicit.low, explicit.high) != (other.low, other.high)
    assert default.level == 0.9


# ------------------------------------------------------------------------------------------
# The paired bootstrap's two ways of drawing: per distinct value (a handful of differences,
# fixed costs) and per row (every difference its own, a share of each amount). A resample of
# `size` cases drawn with probability w_i / total has a known mean and spread: its cost per case
# averages the estimate, with standard error sqrt(var_w(x) / size), x the per-case difference.


def _band_from_moments(diff, weights, level):
    """The normal band of the full resample's mean per 1,000 cases, from its exact moments."""
    w = np.ones(len(diff)) if weights is None else np.asarray(weights, dtype=float)
    per_case = np.divide(diff, w, out=np.zeros_like(diff), where=w > 0)
    p = w / w.sum()
    mean = float(p @ per_case)
    se = np.sqrt(float(p @ (per_case - mean) ** 2) / max(round(w.sum()), 1))
    z = norm.ppf(1 - (1 - level) / 2)
    return mean * 1000, 2 * z * se * 1000


def _two_kinds_of_rows(many, n_low=180, n_high=20, low=1.0, high=10.0):
    """Rows that differ by about `low` and by about `high` per case; `many`: each its own value."""
    x = np.r_[np.full(n_low, low), np.full(n_high, high)]
    if many:  # > 256 distinct values: the row-by-row draw
        x = x + np.arange(x.size) * 1e-6
    return x


@pytest.mark.parametrize("many", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_the_band_is_centred_on_the_estimate_and_as_wide_as_its_standard_error(weighted, many):
    # Uneven counts (unweighted) or uneven weights (9 cases on each row of the costly kind):
    # drawing the values or the rows uniformly instead of by their share moves the band far off.
    if weighted:
        x = _two_kinds_of_rows(many, n_low=300, n_high=300)
        w = np.r_[np.ones(300), np.full(300, 9.0)]
    else:
        x = _two_kinds_of_rows(many, n_low=540, n_high=60)
        w = None
    diff = x * (1.0 if w is None else w)  # every row differs: each resample lands all its cases on them
    estimate, low, high = paired_cost_difference(np.zeros(diff.size), diff, weights=w, n_boot=1500, seed=5)
    centre, width = _band_from_moments(diff, w, 0.9)
    assert estimate == pytest.approx(centre)
    assert (low + high) / 2 == pytest.approx(centre, abs=0.08 * width)
    assert high - low == pytest.approx(width, rel=0.12)


@pytest.mark.parametrize("weights", [None, "ones"])
@pytest.mark.parametrize("position", ["first", "last"])
def test_the_first_and_the_last_of_many_differing_rows_are_drawn_like_any_other(position, weights):
    # 300 rows differ, each by its own tiny amount but one by a million: a resample holds that
    # row Binomial(300, 1/300) times, none in about 37% of them, once or more in 63%.
    n = 300
    diff = 1e-6 * (1 + np.arange(n))
    diff[0 if position == "first" else -1] = 1e6
    w = None if weights is None else np.ones(n)
    estimate, low, high = paired_cost_difference(np.zeros(n), diff, weights=w, n_boot=400, seed=2)
    one_draw = 1e6 / n * 1000
    assert low < 1.0 and high >= one_draw
    assert estimate == pytest.approx(diff.sum() / n * 1000)


def test_a_resample_that_holds_none_of_many_differing_cases_adds_nothing():
    # 300 rows of 0.001 cases each differ (each its own per-case difference, 100 and up); one
    # row of 2.7 cases does not. A resample is 3 cases, each on a differing row with chance 0.1:
    # in 73% of resamples none is, and those cost exactly the same under both rules.
    n = 300
    per_case = 100.0 + np.arange(n)
    w = np.r_[np.full(n, 0.001), 2.7]
    diff = np.r_[per_case * 0.001, 0.0]
    estimate, low, high = paired_cost_difference(np.zeros(n + 1), diff, weights=w, n_boot=300, seed=1)
    assert estimate == pytest.approx(diff.sum() / 3.0 * 1000)
    assert low == 0.0 and high >= 100.0 / 3 * 1000
