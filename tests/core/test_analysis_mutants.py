"""What the mutation run of ``core/analysis.py`` needs pinned beyond ``test_analysis.py``.

The Threshold page's rules one by one, at their edges (the link values' bounds and messages,
the slider's domain, which positive words are bare, missing and negative amounts, the
production mix), and the parts of ``build_analysis`` each compared with the function that
computes it on its own. Small data, no bands unless a test is about them. See
tests/MUTATION.md (``core/analysis.py``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from core import analysis as analysis_module
from core.analysis import (
    COST_FIELDS,
    DEFAULT_COSTS,
    LINK_PARAMS,
    MAX_MONEY,
    MAX_PERCENT,
    PERCENT_FIELDS,
    band_grid,
    build_analysis,
    clean_amounts,
    parse_link_value,
    positive_noun,
    positive_share,
    production_weights,
    slider_domain,
)
from core.calibration import brier_score, decision_curve_of_sweep, reliability_curve
from core.charts import score_histogram
from core.costs import CostMatrix
from core.errors import DataError
from core.target import POSITIVE_WORDS
from core.thresholds import (
    average_precision,
    downsample_indices,
    pr_points,
    roc_auc,
    roc_points,
    sort_cases,
    sweep_sorted,
    threshold_sweep,
)
from core.uncertainty import draw_band_resamples, draw_threshold_resamples


# ---------------------------------------------------------------------------------------
# The page's rules
# ---------------------------------------------------------------------------------------


def test_the_default_costs_and_the_link_parameters():
    assert DEFAULT_COSTS == CostMatrix(fp_cost=100.0, fn_cost=500.0, tp_value=0.0, tn_value=0.0, currency="$")
    assert MAX_MONEY == 1e12 and MAX_PERCENT == 1000.0
    assert LINK_PARAMS == {
        "t": "Decision threshold",
        "fp": "Cost of a false positive", "fn": "Cost of a false negative",
        "tp": "Value of a true positive", "tn": "Value of a true negative",
        "fpa": "False positive: % of amount", "fna": "False negative: % of amount",
        "tpa": "True positive: % of amount", "tna": "True negative: % of amount",
    }
    assert [field for _, _, field in COST_FIELDS] == ["fp_cost", "fn_cost", "tp_value", "tn_value"]
    assert [field for _, _, field in PERCENT_FIELDS] == ["fp_pct", "fn_pct", "tp_pct", "tn_pct"]


@pytest.mark.parametrize("is_probability, low, high, domain", [
    (True, 0.2, 0.3, (0.0, 1.0)),
    (True, -5.0, 7.0, (0.0, 1.0)),
    (False, -2.0, 3.0, (-2.0, 3.0)),
    (False, 0.25, 0.5, (0.25, 0.5)),
    (False, 1.0, 1.0, (1.0, 2.0)),      # one score: a range of 1 from it
    (False, -3.0, -3.0, (-3.0, -2.0)),
])
def test_the_slider_domain(is_probability, low, high, domain):
    got = slider_domain(is_probability, np.float64(low), np.float64(high))
    assert got == domain and all(type(v) is float for v in got)


@pytest.mark.parametrize("param, raw, domain, value", [
    ("t", "0.2", (0.2, 0.8), 0.2),            # both ends of the domain are allowed
    ("t", "0.8", (0.2, 0.8), 0.8),
    ("t", 0.5, (0.2, 0.8), 0.5),
    ("t", "-3", (-3.0, 4.0), -3.0),
    ("fp", "0", (0.0, 1.0), 0.0),             # money from 0 to a trillion
    ("tn", "1e12", (0.0, 1.0), 1e12),
    ("tp", "12.5", (0.0, 1.0), 12.5),
    ("fna", "0", (0.0, 1.0), 0.0),            # percentages from 0 to 1,000
    ("tna", "1000", (0.0, 1.0), 1000.0),
    ("fpa", "1e3", (5.0, 6.0), 1000.0),       # the threshold's domain does not bound them
])
def test_link_values_on_their_bounds_are_used(param, raw, domain, value):
    got = parse_link_value(param, raw, domain)
    assert got == value and type(got) is float


@pytest.mark.parametrize("param, raw, domain, words", [
    ("t", "0.19999", (0.2, 0.8), r"Ignored the link's t='0.19999' \(Decision threshold\): it must be a number "
                                  r"from 0.2 to 0.8\."),
    ("t", "0.80001", (0.2, 0.8), r"it must be a number from 0.2 to 0.8\."),
    ("t", "0.5", (0.123456, 0.987654), None),
    ("t", "2", (0.123456, 0.987654), r"a number from 0.1235 to 0.9877\."),
    ("t", "nan", (0.0, 1.0), r"t='nan'"),
    ("t", "inf", (-np.inf, np.inf), r"t='inf'"),
    ("t", None, (0.0, 1.0), r"t=None"),
    ("fp", "-0.01", (0.0, 1.0), r"fp='-0.01' \(Cost of a false positive\): it must be a number from 0 to "
                                 r"1,000,000,000,000\."),
    ("fn", "1000000000001", (0.0, 1.0), r"\(Cost of a false negative\): it must be a number from 0 to "),
    ("tp", "lots", (0.0, 1.0), r"tp='lots' \(Value of a true positive\)"),
    ("tn", [1], (0.0, 1.0), r"tn=\[1\] \(Value of a true negative\)"),
    ("fna", "1000.5", (0.0, 1.0), r"fna='1000.5' \(False negative: % of amount\): it must be a percentage from 0 "
                                   r"to 1,000\."),
    ("tpa", "-1", (0.0, 1.0), r"\(True positive: % of amount\): it must be a percentage"),
    ("tna", "inf", (0.0, 1.0), r"\(True negative: % of amount\): it must be a percentage"),
    ("fpa", "x", (0.0, 1.0), r"\(False positive: % of amount\): it must be a percentage"),
])
def test_link_values_outside_their_bounds_say_what_they_must_be(param, raw, domain, words):
    if words is None:
        assert parse_link_value(param, raw, domain) == 0.5
        return
    with pytest.raises(DataError, match=words):
        parse_link_value(param, raw, domain)


def test_an_unknown_link_parameter_is_named():
    with pytest.raises(DataError, match=r"Unknown link parameter 'colour'\."):
        parse_link_value("colour", "1", (0.0, 1.0))


BARE = ["1", "1.0", "yes", "y", "true", "t", "positive", "pos", "ja", "oui", "si", "sí", "sim"]


@pytest.mark.parametrize("word", BARE)
def test_a_bare_yes_word_names_the_target_instead(word):
    assert word in POSITIVE_WORDS  # each is a positive word of core.target, so it counts here
    assert positive_noun(word, "defaulted") == "'defaulted' cases"
    assert positive_noun(f"  {word.upper()} ", "churn") == "'churn' cases"
    assert positive_noun(word, None) == "'positive' cases"


@pytest.mark.parametrize("word", ["default", "malignant", "fraud", "churned", "spam", "0", "no"])
def test_a_word_that_names_the_outcome_is_used_as_it_is(word):
    assert positive_noun(word, "target") == f"{word} cases"


def test_missing_amounts_count_as_zero_and_say_how_many():
    a, note = clean_amounts(np.array([[1.5, np.nan], [np.inf, 4.0]]))
    assert a.tolist() == [1.5, 0.0, 0.0, 4.0] and a.dtype == np.float64
    assert note == ("2 rows have no amount; their share-of-amount money counts as 0 "
                    "(their fixed costs still count).")
    many, note = clean_amounts(np.r_[np.full(1234, np.nan), 1.0])
    assert note.startswith("1,234 rows have no amount;") and many.sum() == 1.0
    kept, none = clean_amounts(pd.Series([0.0, 2.0, 3.5]))
    assert kept.tolist() == [0.0, 2.0, 3.5] and none == ""


def test_negative_amounts_are_refused_with_their_count_and_the_smallest():
    with pytest.raises(DataError) as caught:
        clean_amounts([5.0, -1234.5, -2.0, np.nan])
    assert str(caught.value) == (
        "2 rows have a negative amount (the smallest is -1,234.50); money per case needs amounts of 0 or more. "
        "Fix those rows or choose another Amount column on the Data page — until then only the fixed costs count.")
    with pytest.raises(DataError, match=r"1 rows have a negative amount \(the smallest is -inf\)"):
        clean_amounts([1.0, -np.inf])
    with pytest.raises(DataError, match="The Amount column must hold numbers; choose a numeric column on the Data page"):
        clean_amounts(["12", "lots"])


def test_the_positive_share_is_weighted_by_cases():
    assert positive_share([1, 0, 0, 1]) == 0.5 and type(positive_share([1, 0])) is float
    assert positive_share([1, 0, 0], [3.0, 1.0, 2.0]) == 0.5
    assert positive_share(np.array([True, False, False, False])) == 0.25


def test_production_weights_reach_the_rate_and_keep_the_total():
    y = np.array([1, 0, 0, 0, 1, 0, 0, 0, 0, 0])  # share 0.2
    w = production_weights(y, None, 0.5)
    assert w.tolist() == [2.5, 0.625, 0.625, 0.625, 2.5, 0.625, 0.625, 0.625, 0.625, 0.625]
    counts = np.array([2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 1.0])  # share 3/12 = 0.25
    scaled = production_weights(y, counts, "0.1")
    assert scaled.sum() == pytest.approx(counts.sum()) and positive_share(y, scaled) == pytest.approx(0.1)
    np.testing.assert_allclose(scaled, counts * np.where(y == 1, 0.1 / 0.25, 0.9 / 0.75))
    assert production_weights(y, None, 0.2) is None and production_weights(y, counts, 0.25 + 1e-13) is None
    assert production_weights(y, None, 0.2 + 1e-6) is not None


@pytest.mark.parametrize("rate, words", [
    (0.0, r"must be between 0 and 1 \(0.05 = 5%\), got 0.0"),
    (1.0, r"must be between 0 and 1 \(0.05 = 5%\), got 1.0"),
    (-0.1, "must be between 0 and 1"),
    (float("nan"), "must be between 0 and 1"),
    ("five", r"must be a share such as 0.05, got 'five'"),
    (None, r"must be a share such as 0.05, got None"),
])
def test_a_production_rate_outside_0_and_1_is_refused(rate, words):
    with pytest.raises(DataError, match="The positive rate in production " + words):
        production_weights([1, 0, 0], None, rate)


def test_band_grid_spreads_its_points_over_the_finite_thresholds():
    thresholds = np.r_[np.linspace(1.0, 0.0, 201), np.inf]
    grid = band_grid(thresholds, 11)
    assert grid.tolist() == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0])
    assert band_grid(thresholds).size == 100 and np.all(np.isfinite(band_grid(thresholds)))
    assert band_grid([0.3, np.inf, 0.1, np.nan], 5).tolist() == [0.1, 0.3]
    assert band_grid([np.inf], 5).size == 0 and band_grid([], 5).size == 0
    assert band_grid([0.9, 0.5, 0.1], 2).tolist() == [0.1, 0.9]  # both ends first


# ---------------------------------------------------------------------------------------
# build_analysis: each part equals the function that computes it on its own
# ---------------------------------------------------------------------------------------


def _data(n=400, seed=2):
    rng = np.random.default_rng(seed)
    p = np.round(0.05 + 0.9 * rng.random(n), 3)  # inside (0, 1): a histogram over [0, 1] shows it
    y = (rng.random(n) < p).astype(int)
    return y, p


@pytest.mark.parametrize("weighted", [False, True])
def test_every_part_of_the_analysis_is_that_functions_result(weighted):
    y, p = _data()
    w = np.where(np.arange(len(y)) % 3 == 0, 2.0, 1.0) if weighted else None
    result = build_analysis(y, p, weights=w, is_probability=True, chart_points=50, band_points=7, n_boot=20, seed=3,
                            with_bands=True)
    cases = sort_cases(y, p, sample_weight=w)
    sweep = sweep_sorted(cases)
    np.testing.assert_array_equal(result.sweep.thresholds, sweep.thresholds)
    np.testing.assert_array_equal(result.rows, downsample_indices(sweep, 50))
    pd.testing.assert_frame_equal(result.frame, sweep.frame(max_points=50))
    pd.testing.assert_frame_equal(result.roc, roc_points(sweep, max_points=50))
    pd.testing.assert_frame_equal(result.pr, pr_points(sweep, max_points=50))
    assert result.auc == roc_auc(sweep) and result.ap == average_precision(sweep)
    assert result.prevalence == pytest.approx(positive_share(y, w)) and type(result.prevalence) is float
    assert result.is_probability is True and result.domain == (0.0, 1.0)
    pd.testing.assert_frame_equal(result.histogram, score_histogram(
        cases.labels, cases.scores, bins=40, lo=0.0, hi=1.0, weights=cases.weights))
    assert len(result.histogram) == 80
    pd.testing.assert_frame_equal(result.decision_curve, decision_curve_of_sweep(sweep, np.linspace(0.01, 0.99, 99)))
    pd.testing.assert_frame_equal(result.reliability, reliability_curve(cases.labels, cases.scores, n_bins=10,
                                                                        sample_weight=cases.weights))
    assert result.brier == brier_score(cases.labels, cases.scores, sample_weight=cases.weights)
    grid = band_grid(result.frame["threshold"].to_numpy(float), 7)
    np.testing.assert_array_equal(result.band_thresholds, grid)
    expected = draw_band_resamples(cases, sweep, grid, n_boot=20, seed=3).bands(("precision", "recall", "f1"))
    pd.testing.assert_frame_equal(result.ratio_bands, expected)
    assert set(result.ratio_bands["metric"]) == {"precision", "recall", "f1"} and result.band_error == ""
    costs = CostMatrix(1, 5)
    ours = result.stability(result.costed(costs), "min_cost")
    theirs = draw_threshold_resamples(cases, sweep, n_boot=20, seed=3).interval(sweep.with_costs(costs), "min_cost")
    assert (ours.low, ours.high, ours.estimate, ours.level, ours.n_infeasible) == (
        theirs.low, theirs.high, theirs.estimate, theirs.level, theirs.n_infeasible)
    np.testing.assert_array_equal(ours.thresholds, theirs.thresholds)
    other_seed = build_analysis(y, p, weights=w, is_probability=True, chart_points=50, band_points=7, n_boot=20,
                                seed=4)
    assert not other_seed.ratio_bands.equals(result.ratio_bands)


def test_scores_that_are_not_probabilities_have_no_calibration_and_their_own_domain():
    y, p = _data(200)
    scores = 10 * p - 3
    result = build_analysis(y, scores, with_bands=False)
    assert result.is_probability is False and result.domain == (float(scores.min()), float(scores.max()))
    assert result.decision_curve is None and result.reliability is None and result.brier is None
    assert result.resamples is None and result.ratio_bands is None and result.threshold_resamples is None
    assert result.band_thresholds.size == 0 and result.band_error == ""
    assert result.histogram["bin_start"].iloc[0] == scores.min() and result.histogram["bin_end"].iloc[39] == scores.max()
    assert len(result.frame) == len(result.sweep)  # below the default 600 chart points: every entry
    assert analysis_module.CHART_POINTS == 600 and analysis_module.BAND_POINTS == 100 and analysis_module.N_BOOT == 200


def test_the_default_bands_are_200_resamples_at_up_to_100_thresholds():
    y, p = _data(300)
    result = build_analysis(y, p)
    assert result.resamples.tp.shape[0] == 200 and 90 <= result.band_thresholds.size <= 100
    np.testing.assert_array_equal(result.band_thresholds, band_grid(result.frame["threshold"].to_numpy(float), 100))


def test_a_bootstrap_that_refuses_the_data_leaves_no_bands_and_says_why():
    y, p = _data(50)
    result = build_analysis(y, p, n_boot=1)
    assert result.resamples is None and result.ratio_bands is None and result.threshold_resamples is None
    with pytest.raises(DataError) as refused:
        draw_band_resamples(sort_cases(y, p), threshold_sweep(y, p), [0.5], n_boot=1)
    assert result.band_error == str(refused.value) and result.band_error
    with pytest.raises(DataError, match=result.band_error[:20]):
        result.stability(result.costed(DEFAULT_COSTS), "min_cost")
    bare = build_analysis(y, p, with_bands=False)
    with pytest.raises(DataError, match="There are no bootstrap resamples for these data."):
        bare.stability(bare.costed(DEFAULT_COSTS), "min_cost")


def test_costed_adds_the_cheapest_entry_and_the_cost_band():
    y, p = _data(3000)
    result = build_analysis(y, p, is_probability=True, chart_points=20, n_boot=20)
    costs = CostMatrix(1, 9, 0.5, 0.25)
    costed = result.costed(costs)
    assert costed.costs == costs
    cheapest = int(np.argmin(costed.sweep.cost))
    rows = np.union1d(result.rows, [cheapest])
    assert list(costed.cost_frame.columns) == ["threshold", "cost"]
    np.testing.assert_array_equal(costed.cost_frame["threshold"].to_numpy(), result.sweep.thresholds[rows])
    np.testing.assert_array_equal(costed.cost_frame["cost"].to_numpy(), costed.sweep.cost[rows])
    assert costed.cost_frame["cost"].min() == costed.sweep.cost.min()
    pd.testing.assert_frame_equal(costed.cost_bands, result.resamples.bands(("cost",), costs=costs))
    assert set(costed.cost_bands["metric"]) == {"cost"}
    assert result.sweep.cost is None  # the shared analysis is left without costs
    assert build_analysis(y, p, with_bands=False).costed(costs).cost_bands is None


def test_amounts_reach_the_sweep_and_the_histogram_names_the_classes():
    y = np.array([1, 0, 1, 0, 0, 1])
    p = np.array([0.9, 0.8, 0.6, 0.4, 0.2, 0.1])
    a = np.array([10.0, 20.0, 30.0, 40.0, 50.0, 60.0])
    result = build_analysis(y, p, amounts=a, is_probability=True, with_bands=False)
    assert result.has_amounts and result.sweep.amount_pos == 100.0 and result.sweep.amount_neg == 110.0
    assert not build_analysis(y, p, with_bands=False).has_amounts
    named = result.histogram_named("churners", "stayers")
    assert set(named["class"]) == {"churners", "stayers"}
    np.testing.assert_array_equal(named.loc[named["class"] == "churners", "count"].to_numpy(),
                                  result.histogram.loc[result.histogram["class"] == "positive", "count"].to_numpy())
    assert set(result.histogram["class"]) == {"positive", "negative"}  # the shared one is unchanged


def test_every_shared_array_is_read_only():
    y, p = _data(100)
    result = build_analysis(y, p, amounts=np.arange(100.0), weights=np.full(100, 2.0), with_bands=False)
    for part in (*result.cases, result.rows):
        assert not part.flags.writeable
    for name in ("thresholds", "tp", "fp", "tn", "fn", "precision", "recall", "fpr", "specificity", "f1", "accuracy",
                 "balanced_accuracy", "mcc", "positive_rate", "tp_amount", "fp_amount", "tn_amount", "fn_amount",
                 "_ascending", "_float_tp", "_float_fp"):
        assert not getattr(result.sweep, name).flags.writeable, name
    assert math.isfinite(result.prevalence)


def test_the_default_seed_is_0_and_stability_passes_the_objective_and_its_setting():
    y, p = _data(300)
    default = build_analysis(y, p, n_boot=20)
    pd.testing.assert_frame_equal(default.ratio_bands, build_analysis(y, p, n_boot=20, seed=0).ratio_bands)
    costed = default.costed(CostMatrix(1, 5))
    cases = sort_cases(y, p)
    resamples = draw_threshold_resamples(cases, sweep_sorted(cases), n_boot=20, seed=0)
    for objective, kwargs in (("capacity", {"capacity": 0.2}), ("max_f1", {}),
                              ("recall_at_precision", {"min_precision": 0.6})):
        ours = default.stability(costed, objective, **kwargs)
        theirs = resamples.interval(costed.sweep, objective, **kwargs)
        assert (ours.low, ours.high, ours.estimate) == (theirs.low, theirs.high, theirs.estimate), objective
    # Flagging at most 5% needs a higher threshold than flagging up to half.
    assert default.stability(costed, "capacity", capacity=0.05).low > default.stability(
        costed, "capacity", capacity=0.5).high


def test_a_rate_within_a_trillionth_of_a_tiny_share_is_the_datas_own():
    y = np.array([1, 0])
    counts = np.array([1e-13, 1.0])  # a positive share of about 1e-13
    assert production_weights(y, counts, 1.5e-13) is None
    assert production_weights(y, counts, 2e-12) is not None


@pytest.mark.parametrize("y", [[0, 0, 0], [1, 1]])
def test_reweighting_data_of_one_class_is_a_plain_error(y):
    with pytest.raises(DataError):
        production_weights(y, None, 0.05)
