"""core.segments: labels from a raw column, the By segment table against direct counts, the
four-fifths and small-segment marks by hand, Wilson intervals against scipy and published
values, and the separate-thresholds analysis against a brute-force search."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest

from core.costs import CostMatrix
from core.errors import DataError
from core.segments import (
    ANALYSIS_CAVEAT,
    EVERYONE,
    MISSING,
    OTHER,
    RATE_COLUMNS,
    TABLE_COLUMNS,
    Segmentation,
    segment_labels,
    segment_records,
    segment_report_rows,
    segment_sweeps,
    segment_table,
    segments_payload,
    separate_thresholds,
    wilson_interval,
)
from core.thresholds import threshold_sweep

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
COSTS = CostMatrix(fp_cost=3.0, fn_cost=7.0, tp_value=1.0, tn_value=0.5, fp_pct=2.0, fn_pct=10.0, tp_pct=1.0,
                   tn_pct=0.25)
FIXED = CostMatrix(fp_cost=100.0, fn_cost=500.0)


# ---------------------------------------------------------------------------------------
# Direct counts: the reference everything is compared with
# ---------------------------------------------------------------------------------------


def direct(y, s, labels, t, weights=None, amounts=None, costs=None):
    """Per-segment counts at ``s >= t`` by boolean masks, one segment at a time."""
    y = np.asarray(y, dtype=bool)
    s = np.asarray(s, dtype=float)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
    a = np.zeros(len(y)) if amounts is None else np.asarray(amounts, dtype=float)
    out = {}
    for name in list(pd.unique(labels)) + [EVERYONE]:
        m = np.ones(len(y), bool) if name == EVERYONE else np.asarray(labels, dtype=object) == name
        flag = s >= t
        cells = {
            "tp": m & flag & y, "fp": m & flag & ~y, "tn": m & ~flag & ~y, "fn": m & ~flag & y,
        }
        counts = {k: w[v].sum() for k, v in cells.items()}
        amount = {k: a[v].sum() for k, v in cells.items()}
        cost = None
        if costs is not None:
            cost = (counts["fp"] * costs.fp_cost + costs.fp_pct / 100 * amount["fp"]
                    + counts["fn"] * costs.fn_cost + costs.fn_pct / 100 * amount["fn"]
                    - counts["tp"] * costs.tp_value - costs.tp_pct / 100 * amount["tp"]
                    - counts["tn"] * costs.tn_value - costs.tn_pct / 100 * amount["tn"])
        out[name] = {**counts, "cost": cost}
    return out


def _ratio(num, den):
    return num / den if den else 0.0


@st.composite
def segmented(draw):
    """Labels, tied scores (few distinct values, some negative), segments with a missing
    value, optional integer weights (zeros included) and amounts."""
    n = draw(st.integers(1, 80))
    y = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    levels = draw(st.lists(st.floats(-3, 3, allow_nan=False, width=32), min_size=1, max_size=6, unique=True))
    s = np.array(draw(st.lists(st.sampled_from(levels), min_size=n, max_size=n)), dtype=float)
    seg = draw(st.lists(st.sampled_from(["a", "b", "c", None]), min_size=n, max_size=n))
    weights = None
    if draw(st.booleans()):
        weights = np.array(draw(st.lists(st.integers(0, 5), min_size=n, max_size=n)), dtype=float)
        if weights.sum() == 0:
            weights[0] = 1.0
    amounts = None
    if draw(st.booleans()):
        amounts = np.array(draw(st.lists(st.floats(0, 1000, allow_nan=False), min_size=n, max_size=n)))
    candidates = sorted(set(levels)) + [min(levels) - 1, max(levels) + 1, float("inf"), float("-inf")]
    candidates += [(a + b) / 2 for a, b in zip(sorted(levels)[:-1], sorted(levels)[1:])]
    thresholds = draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=4))
    return y, s, seg, weights, amounts, thresholds


# ---------------------------------------------------------------------------------------
# The table against direct counts
# ---------------------------------------------------------------------------------------


@SETTINGS
@given(segmented())
def test_every_count_rate_and_cost_equals_a_direct_count(case):
    y, s, seg, weights, amounts, thresholds = case
    labels = segment_labels(pd.Series(seg, dtype=object)) if len({v for v in seg if v}) >= 2 else None
    raw = np.array([MISSING if v is None else v for v in seg], dtype=object)
    costs = COSTS if amounts is not None else FIXED
    sweeps = segment_sweeps(y, s, labels if labels is not None else seg, weights=weights, amounts=amounts)
    for t in thresholds:
        table = sweeps.table(t, costs)
        expected = direct(y, s, raw, t, weights, amounts, costs)
        assert list(table["Segment"]) == [name for name in sweeps.segments] + [EVERYONE]
        assert set(table["Segment"]) == set(expected)
        for _, row in table.iterrows():
            e = expected[row["Segment"]]
            n_pos, n_neg = e["tp"] + e["fn"], e["fp"] + e["tn"]
            assert row["Rows"] == pytest.approx(n_pos + n_neg)
            assert row["Positives"] == pytest.approx(n_pos)
            assert row["Flagged"] == pytest.approx(e["tp"] + e["fp"])
            assert row["Precision"] == pytest.approx(_ratio(e["tp"], e["tp"] + e["fp"]))
            assert row["Recall"] == pytest.approx(_ratio(e["tp"], n_pos))
            assert row["False positive rate"] == pytest.approx(_ratio(e["fp"], n_neg))
            assert row["Flag rate"] == pytest.approx(_ratio(e["tp"] + e["fp"], n_pos + n_neg))
            assert row["Business cost"] == pytest.approx(e["cost"], rel=1e-9, abs=1e-6)


@SETTINGS
@given(segmented())
def test_one_call_segment_table_equals_the_prebuilt_sweeps(case):
    y, s, seg, weights, amounts, thresholds = case
    costs = COSTS if amounts is not None else FIXED
    sweeps = segment_sweeps(y, s, seg, weights=weights, amounts=amounts)
    for t in thresholds:
        pd.testing.assert_frame_equal(
            segment_table(y, s, seg, t, weights=weights, amounts=amounts, costs=costs), sweeps.table(t, costs))


def test_everyone_row_agrees_with_the_threshold_sweep():
    rng = np.random.default_rng(3)
    n = 5000
    y = rng.random(n) < 0.3
    s = np.round(rng.random(n), 2)  # heavy ties
    seg = rng.choice(["x", "y", "z"], n)
    sweeps = segment_sweeps(y, s, seg)
    sweep = threshold_sweep(y, s, costs=FIXED)
    for t in (0.0, 0.17, 0.5, 0.505, 0.99, 1.0, 1.5):
        everyone = sweeps.table(t, FIXED).iloc[-1]
        point = sweep.at(t)
        assert everyone["Segment"] == EVERYONE
        assert everyone["Flagged"] == point.tp + point.fp
        assert everyone["Precision"] == pytest.approx(point.precision)
        assert everyone["Recall"] == pytest.approx(point.recall)
        assert everyone["False positive rate"] == pytest.approx(point.fpr)
        assert everyone["Business cost"] == pytest.approx(point.cost)


def test_unweighted_counts_are_whole_numbers_and_weighted_counts_are_case_counts():
    y = np.array([1, 0, 1, 0, 1, 0])
    s = np.array([0.9, 0.8, 0.4, 0.3, 0.7, 0.1])
    seg = np.array(["a", "a", "a", "b", "b", "b"], dtype=object)
    table = segment_table(y, s, seg, 0.5)
    assert table["Rows"].dtype.kind == "i" and table["Flagged"].dtype.kind == "i"
    assert table.set_index("Segment").loc["a", ["Rows", "Positives", "Flagged"]].tolist() == [3, 2, 2]
    # A count table: row 0 is 10 cases, row 1 is 5, ...
    counts = np.array([10, 5, 1, 2, 3, 4], dtype=float)
    weighted = segment_table(y, s, seg, 0.5, weights=counts).set_index("Segment")
    assert weighted.loc["a", "Rows"] == 16 and weighted.loc["a", "Positives"] == 11
    assert weighted.loc["a", "Flagged"] == 15 and weighted.loc["a", "Precision"] == pytest.approx(10 / 15)
    assert weighted.loc["b", "Rows"] == 9 and weighted.loc["b", "Flagged"] == 3
    assert weighted.loc[EVERYONE, "Rows"] == 25


def test_columns_follow_the_ui_contract_and_every_rate_has_an_interval():
    rng = np.random.default_rng(0)
    y = rng.random(300) < 0.4
    table = segment_table(y, rng.random(300), rng.choice(["p", "q"], 300), 0.5, costs=FIXED)
    assert tuple(table.columns[: len(TABLE_COLUMNS)]) == TABLE_COLUMNS
    for rate in RATE_COLUMNS:
        low, high = table[f"{rate} low"], table[f"{rate} high"]
        assert ((low <= table[rate] + 1e-12) & (table[rate] <= high + 1e-12)).all()
    # Rates are fractions, not percentages.
    assert table[list(RATE_COLUMNS)].to_numpy().max() <= 1.0


def test_zero_division_gives_zero_rates_and_no_interval():
    # Segment "b" has no positives and nobody flagged.
    y = np.array([1, 0, 0, 0])
    s = np.array([0.9, 0.2, 0.1, 0.3])
    table = segment_table(y, s, np.array(["a", "a", "b", "b"], dtype=object), 0.5).set_index("Segment")
    assert table.loc["b", "Precision"] == 0 and table.loc["b", "Recall"] == 0
    assert math.isnan(table.loc["b", "Precision low"]) and math.isnan(table.loc["b", "Recall high"])
    assert table.loc["b", "False positive rate"] == 0 and not math.isnan(table.loc["b", "False positive rate low"])


def test_money_per_case_needs_amounts():
    y, s = np.array([1, 0, 1, 0]), np.array([0.9, 0.2, 0.1, 0.3])
    with pytest.raises(DataError, match="Amount column"):
        segment_table(y, s, np.array(["a", "a", "b", "b"], dtype=object), 0.5, costs=COSTS)
    table = segment_table(y, s, np.array(["a", "a", "b", "b"], dtype=object), 0.5)
    assert table["Business cost"].isna().all()  # no costs: no money


def test_bad_inputs_to_the_table_are_data_errors():
    y, s = np.array([1, 0, 1]), np.array([0.9, 0.2, 0.1])
    with pytest.raises(DataError, match="one segment label per row"):
        segment_table(y, s, ["a", "b"], 0.5)
    with pytest.raises(DataError, match="count"):
        segment_table(y, s, ["a", "b", "a"], 0.5, weights=[1, -1, 1])
    with pytest.raises(DataError, match="amounts"):
        segment_table(y, s, ["a", "b", "a"], 0.5, amounts=[1, np.nan, 1])
    with pytest.raises(DataError, match="threshold"):
        segment_sweeps(y, s, ["a", "b", "a"]).table(float("nan"))


# ---------------------------------------------------------------------------------------
# Four-fifths and small-segment marks, by hand
# ---------------------------------------------------------------------------------------


def _block(name, rows, positives, flagged_pos, flagged_neg):
    """Rows of one segment: ``positives`` positives, of which ``flagged_pos`` score 0.9 and
    the rest 0.1; ``flagged_neg`` negatives score 0.9, the rest 0.1."""
    y = np.r_[np.ones(positives), np.zeros(rows - positives)]
    s = np.r_[np.full(flagged_pos, 0.9), np.full(positives - flagged_pos, 0.1),
              np.full(flagged_neg, 0.9), np.full(rows - positives - flagged_neg, 0.1)]
    return y, s, np.full(rows, name, dtype=object)


def _hand_table():
    parts = [
        _block("A", 100, 20, 16, 34),  # flag rate 0.50, recall 0.80 (the most favourable)
        _block("B", 100, 20, 12, 27),  # flag rate 0.39 -> ratio 0.78 (marked); recall 0.60 -> 0.75 (marked)
        _block("C", 100, 20, 13, 28),  # flag rate 0.41 -> 0.82 (not marked); recall 0.65 -> 0.8125 (not)
        _block("D", 20, 10, 10, 10),  # flags everyone, but 20 rows: too few to judge, never the reference
        _block("E", 200, 4, 4, 196),  # 4 positives: too few to judge
    ]
    y, s, seg = (np.concatenate(column) for column in zip(*parts))
    return segment_table(y, s, seg, 0.5).set_index("Segment")


def test_four_fifths_ratios_and_marks_by_hand():
    table = _hand_table()
    assert table.loc["A", "Flag rate"] == pytest.approx(0.50)
    assert table.loc["B", "Flag rate ratio"] == pytest.approx(0.39 / 0.50)
    assert table.loc["C", "Flag rate ratio"] == pytest.approx(0.41 / 0.50)
    assert table.loc["B", "Recall ratio"] == pytest.approx(0.60 / 0.80)
    assert table.loc["C", "Recall ratio"] == pytest.approx(0.65 / 0.80)
    assert table.loc["A", "Marks"] == ""
    assert "flag rate" in table.loc["B", "Marks"] and "recall" in table.loc["B", "Marks"]
    assert "four-fifths" in table.loc["B", "Marks"]
    assert table.loc["C", "Marks"] == ""


def test_small_segments_are_too_few_to_judge_and_never_the_reference():
    table = _hand_table()
    assert table.loc["D", "Marks"] == "too few to judge"  # 20 rows < 30
    assert table.loc["E", "Marks"] == "too few to judge"  # 4 positives < 5
    # D flags everyone (flag rate 1.0) but the reference stays A's 0.50.
    assert table.loc["D", "Flag rate ratio"] == pytest.approx(1.0 / 0.50)
    assert table.loc["A", "Flag rate ratio"] == pytest.approx(1.0)
    assert math.isnan(table.loc[EVERYONE, "Flag rate ratio"]) and table.loc[EVERYONE, "Marks"] == ""


def test_exactly_thirty_rows_and_five_positives_are_judged():
    parts = [_block("A", 30, 5, 5, 10), _block("B", 29, 5, 5, 10), _block("C", 30, 4, 4, 10)]
    y, s, seg = (np.concatenate(column) for column in zip(*parts))
    marks = segment_table(y, s, seg, 0.5).set_index("Segment")["Marks"]
    assert marks["A"] == "" and marks["B"] == "too few to judge" and marks["C"] == "too few to judge"


# ---------------------------------------------------------------------------------------
# Wilson intervals
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("k", "n", "low", "high"), [
    (81, 263, 0.2553, 0.3662),  # Newcombe (1998), Statistics in Medicine 17:857, example (i), 95%
    (15, 148, 0.0624, 0.1605),  # example (ii)
    (0, 20, 0.0, 0.1611),  # example (iii)
    (1, 29, 0.0061, 0.1718),  # example (iv)
])
def test_wilson_matches_published_values(k, n, low, high):
    lo, hi = wilson_interval(k, n, level=0.95)
    assert float(lo) == pytest.approx(low, abs=5e-5) and float(hi) == pytest.approx(high, abs=5e-5)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
       st.sampled_from([0.8, 0.9, 0.95]))
def test_wilson_matches_scipy(kn, level):
    k, n = kn
    reference = binomtest(k, n).proportion_ci(confidence_level=level, method="wilson")
    lo, hi = wilson_interval(k, n, level)
    assert float(lo) == pytest.approx(reference.low, abs=1e-12)
    assert float(hi) == pytest.approx(reference.high, abs=1e-12)


def test_table_intervals_are_90_percent_wilson_of_the_counts():
    table = _hand_table()
    reference = binomtest(39, 100).proportion_ci(confidence_level=0.9, method="wilson")
    assert table.loc["B", "Flag rate low"] == pytest.approx(reference.low)
    assert table.loc["B", "Flag rate high"] == pytest.approx(reference.high)
    reference = binomtest(12, 20).proportion_ci(confidence_level=0.9, method="wilson")
    assert table.loc["B", "Recall low"] == pytest.approx(reference.low)
    reference = binomtest(12, 39).proportion_ci(confidence_level=0.9, method="wilson")
    assert table.loc["B", "Precision high"] == pytest.approx(reference.high)
    assert math.isnan(wilson_interval(0, 0)[0])
    with pytest.raises(DataError):
        wilson_interval(1, 2, level=1.5)


# ---------------------------------------------------------------------------------------
# segment_labels
# ---------------------------------------------------------------------------------------


def test_categories_keep_their_values_and_missing_is_its_own_segment():
    values = pd.Series(["north", "south", None, "north", " east ", "", np.nan, "south"], name="region")
    seg = segment_labels(values)
    assert isinstance(seg, Segmentation) and seg.kind == "categories" and seg.column == "region"
    assert seg.order == ("east", "north", "south", MISSING)
    assert list(seg.labels) == ["north", "south", MISSING, "north", "east", MISSING, MISSING, "south"]
    assert "3 rows with no value" in seg.note


def test_more_than_max_groups_keeps_the_most_frequent_and_groups_the_rest_as_other():
    # v00 .. v59; v00 is the most frequent (61 rows), v59 the rarest (2 rows).
    values = pd.Series([f"v{i:02d}" for i in range(60) for _ in range(61 - i)])
    seg = segment_labels(values, max_groups=50)
    assert len(seg.order) == 50 and seg.order[-1] == OTHER
    kept = set(seg.order[:-1])
    assert kept == {f"v{i:02d}" for i in range(49)}
    grouped_rows = sum(61 - i for i in range(49, 60))
    assert (seg.labels == OTHER).sum() == grouped_rows
    assert "60 different values" in seg.note and f"{grouped_rows:,} rows" in seg.note and "'other'" in seg.note


def test_a_real_value_named_other_is_not_merged_with_the_grouped_ones():
    values = pd.Series(["other"] * 10 + [f"v{i}" for i in range(5) for _ in range(5 - i)])
    seg = segment_labels(values, max_groups=3)
    assert "other" in seg.order and seg.order[-1] != "other"
    assert (seg.labels == "other").sum() == 10


def test_numeric_with_many_values_is_cut_into_quantile_bins():
    age = pd.Series(np.arange(18, 98, dtype=float), name="age")  # 80 distinct values
    seg = segment_labels(age, bins=4)
    assert seg.kind == "quantile bins" and len(seg.order) == 4
    counts = pd.Series(seg.labels).value_counts()
    assert counts.max() - counts.min() <= 1  # about equal sizes
    assert seg.order[0].startswith("[18,") and seg.order[-1].endswith(", 97]")
    assert "4 quantile bins" in seg.note and "'age'" in seg.note
    # Each value lands in the bin whose range holds it (upper edge included).
    edges = [float(label.strip("[]()").split(",")[1]) for label in seg.order]
    for value, label in zip(age, seg.labels):
        assert value <= edges[seg.order.index(label)]
        if seg.order.index(label) > 0:
            assert value > edges[seg.order.index(label) - 1]


def test_heavily_tied_numbers_merge_bins_and_say_so():
    values = pd.Series(np.r_[np.zeros(90), np.arange(1, 21)], name="balance")
    seg = segment_labels(values, bins=4)
    assert seg.order[0] == "[0, 0]" and len(seg.order) < 4
    assert (seg.labels == "[0, 0]").sum() == 90
    assert "merged" in seg.note


def test_numbers_with_few_values_and_numbers_stored_as_text_are_categories_in_numeric_order():
    seg = segment_labels(pd.Series([1, 0, 1, 10, 2, np.nan]))
    assert seg.order == ("0", "1", "2", "10", MISSING)
    text = segment_labels(pd.Series(["3", "1", " 2", "1", ""]))
    assert text.order == ("1", "2", "3", MISSING)
    flags = segment_labels(pd.Series([True, False, True]))
    assert set(flags.order) == {"True", "False"}


@pytest.mark.parametrize(("values", "message"), [
    (pd.Series(["a"] * 10, name="country"), "only one value \\('a'\\)"),
    (pd.Series([None] * 5, dtype=object, name="notes"), "every value is missing"),
    (pd.Series([np.nan] * 5, name="x"), "every value is missing"),
    (pd.Series(["", "  ", None]), "every value is missing"),
    (pd.Series([3.0, 3.0, np.nan]), "only one value \\('3'\\) \\(the other 1 rows"),
    (pd.Series([f"id-{i}" for i in range(10_000)], name="customer"), "10,000 different values"),
    (pd.Series([f"t{i % 2000}" for i in range(20_000)]), "identifier or free text"),
    (pd.Series([f"row {i}" for i in range(60)]), "a different one on every row"),
    (pd.Series([], dtype=object), "no rows"),
    (pd.Series([1.0, np.inf, 2.0]), "infinite"),
])
def test_unusable_segment_columns_say_what_is_wrong(values, message):
    with pytest.raises(DataError, match=message):
        segment_labels(values)


def test_bad_parameters():
    with pytest.raises(DataError):
        segment_labels(pd.Series(["a", "b"]), max_groups=1)
    with pytest.raises(DataError):
        segment_labels(pd.Series(["a", "b"]), bins=1)


# ---------------------------------------------------------------------------------------
# Separate thresholds
# ---------------------------------------------------------------------------------------


def _brute_min_cost(y, s, mask, costs, amounts=None):
    """Lowest cost of one segment over every threshold (each distinct score, and flag nobody)."""
    best = None
    for t in [float("inf"), *sorted(set(s[mask]), reverse=True)]:
        cost = direct(y[mask], s[mask], np.full(mask.sum(), "x", dtype=object), t,
                      amounts=None if amounts is None else amounts[mask], costs=costs)[EVERYONE]["cost"]
        best = cost if best is None or cost < best else best
    return best


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(segmented(), st.sampled_from([0.0, 0.05, 0.2]))
def test_separate_thresholds_are_each_segments_cheapest(case, tolerance):
    y, s, seg, _, amounts, thresholds = case
    costs = COSTS if amounts is not None else FIXED
    raw = np.array([MISSING if v is None else v for v in seg], dtype=object)
    sweeps = segment_sweeps(y, s, seg, amounts=amounts)
    result = separate_thresholds(sweeps, costs, thresholds[0], tolerance=tolerance)
    assert list(result.frame["Segment"]) == list(sweeps.segments)
    for _, row in result.frame.iterrows():
        mask = raw == row["Segment"]
        assert row["Cost at own threshold"] == pytest.approx(_brute_min_cost(y, s, mask, costs, amounts), abs=1e-6)
        # The reported threshold really gives that cost.
        at_own = direct(y[mask], s[mask], raw[mask], row["Own threshold"],
                        amounts=None if amounts is None else amounts[mask], costs=costs)[EVERYONE]["cost"]
        assert at_own == pytest.approx(row["Cost at own threshold"], abs=1e-6)
        if row["Band note"] == "" and y[mask].sum() > 0:
            assert abs(row["Recall within band"] - result.target_recall) <= tolerance + 1e-9
    overall = [direct(y, s, raw, t, amounts=amounts, costs=costs)[EVERYONE]["cost"]
               for t in [float("inf"), *set(s)]]
    assert result.cost_best_single == pytest.approx(min(overall), abs=1e-6)
    assert result.cost_separate <= result.cost_best_single + 1e-6
    assert result.saved == pytest.approx(max(result.cost_best_single - result.cost_separate, 0.0), abs=1e-6)
    assert result.cost_single == pytest.approx(
        direct(y, s, raw, thresholds[0], amounts=amounts, costs=costs)[EVERYONE]["cost"], abs=1e-6)


def test_separate_thresholds_are_deterministic_and_say_they_are_analysis():
    rng = np.random.default_rng(7)
    n = 3000
    seg = rng.choice(["a", "b", "c"], n)
    y = rng.random(n) < np.where(seg == "a", 0.1, 0.4)
    s = np.round(np.clip(rng.normal(0.3 + 0.3 * y + 0.1 * (seg == "b"), 0.2), 0, 1), 2)
    sweeps = segment_sweeps(y, s, seg)
    first = separate_thresholds(sweeps, FIXED, 0.4)
    second = separate_thresholds(segment_sweeps(y, s, seg), FIXED, 0.4)
    pd.testing.assert_frame_equal(first.frame, second.frame)
    assert first.sentence == second.sentence
    assert "not a deployable policy" in first.caveat and first.caveat == ANALYSIS_CAVEAT
    assert "saved" in first.sentence and "±0.05" in first.sentence
    assert first.saved >= 0


def test_a_segment_whose_recall_jumps_over_the_band_says_so():
    # Segment "b" has 2 positives: recall can only be 0, 0.5 or 1, never within 0.05 of 0.75.
    y = np.r_[np.ones(4), np.zeros(4), np.ones(2), np.zeros(2)]
    s = np.r_[[0.9, 0.8, 0.7, 0.2], [0.6, 0.3, 0.2, 0.1], [0.9, 0.3], [0.5, 0.1]]
    seg = np.r_[np.full(8, "a"), np.full(4, "b")].astype(object)
    result = separate_thresholds(segment_sweeps(y, s, seg), FIXED, 0.65)
    b = result.frame.set_index("Segment").loc["b"]
    assert result.target_recall == pytest.approx(4 / 6)
    assert "nearest recall" in b["Band note"]
    assert b["Recall within band"] == pytest.approx(0.5)


def test_separate_thresholds_need_costs():
    sweeps = segment_sweeps([1, 0], [0.7, 0.2], ["a", "b"])
    with pytest.raises(DataError, match="costs"):
        separate_thresholds(sweeps, None, 0.5)
    with pytest.raises(DataError, match="tolerance"):
        separate_thresholds(sweeps, FIXED, 0.5, tolerance=2)


# ---------------------------------------------------------------------------------------
# Exports
# ---------------------------------------------------------------------------------------


def test_records_and_payload_are_plain_json():
    table = _hand_table().reset_index()
    records = segment_records(table)
    assert [r["Segment"] for r in records] == list(table["Segment"])
    assert records[-1]["Flag rate ratio"] is None  # nan -> null
    rng = np.random.default_rng(1)
    sweeps = segment_sweeps(rng.random(200) < 0.3, rng.random(200), rng.choice(["u", "v"], 200))
    analysis = separate_thresholds(sweeps, FIXED, 0.5)
    payload = segments_payload(sweeps.table(0.5, FIXED), column="region", threshold=0.5, note="n",
                               analysis=analysis)
    text = json.dumps(payload, allow_nan=False)
    assert json.loads(text)["separate_thresholds"]["caveat"] == ANALYSIS_CAVEAT
    assert json.loads(text)["rows"][0]["Rows"] == int(sweeps.table(0.5).iloc[0]["Rows"])


def test_report_rows_format_rates_intervals_and_money():
    table = _hand_table().reset_index()
    header, rows = segment_report_rows(table, FIXED)
    assert header[: len(TABLE_COLUMNS)] == list(TABLE_COLUMNS)
    b = rows[list(table["Segment"]).index("B")]
    assert b[1] == "100" and b[4] == f"{12 / 39:.3f}"
    low, high = table.set_index("Segment").loc["B", ["Flag rate low", "Flag rate high"]]
    assert b[8] == f"0.390 ({low:.3f}–{high:.3f})"
    assert "four-fifths" in b[-1]


def test_report_rows_from_a_saved_payload_equal_those_from_the_table():
    table = _hand_table().reset_index()
    payload = json.loads(json.dumps(segments_payload(table, column="group", threshold=0.5), allow_nan=False))
    assert segment_report_rows(payload, FIXED) == segment_report_rows(table, FIXED)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)), min_size=2,
                max_size=120),
       st.integers(2, 6))
def test_labels_of_any_numeric_column_keep_every_row_and_order_bins_by_value(values, bins):
    series = pd.Series(values, dtype=float)
    present = series.dropna()
    if present.nunique() < 2:
        with pytest.raises(DataError):
            segment_labels(series, bins=bins)
        return
    seg = segment_labels(series, bins=bins)
    assert len(seg.labels) == len(series) and set(seg.labels) == set(seg.order)
    assert (seg.labels == MISSING).sum() == series.isna().sum()
    if seg.kind == "quantile bins":
        assert len([name for name in seg.order if name != MISSING]) <= bins
        # Bins are in value order: every value of a bin is above every value of the bins before it.
        position = {name: i for i, name in enumerate(seg.order)}
        codes = np.array([position[label] for label in seg.labels[series.notna().to_numpy()]])
        x = present.to_numpy()
        assert set(codes) == set(range(codes.max() + 1))  # no empty bin
        for i in range(codes.max()):
            assert x[codes == i].max() < x[codes > i].min()
    else:
        assert present.nunique() <= 10


# ---------------------------------------------------------------------------------------
# The report and the model JSON (core.exports) show the table they are given


def _report(segments):
    from core.exports import DecisionReport
    from core.thresholds import point_from_counts

    point = point_from_counts(0.5, 40, 10, 40, 10, FIXED)
    return DecisionReport(dataset="d", target="y", positive_class="1", mode="Use my scores", evaluated_on="all rows",
                          threshold=0.5, costs=FIXED, point=point, segments=segments)


def test_the_report_shows_the_segment_table_escaped_in_markdown_and_html():
    from core.exports import report_html, report_markdown

    parts = [_block("<b>A</b>|x", 100, 20, 16, 34), _block("B", 100, 20, 12, 27)]
    y, s, seg = (np.concatenate(column) for column in zip(*parts))
    table = segment_table(y, s, seg, 0.5, costs=FIXED)
    payload = json.loads(json.dumps(segments_payload(table, column="region", threshold=0.5, note="a note"),
                                    allow_nan=False))
    markdown = report_markdown(_report(payload))
    assert "## By segment: region" in markdown and "a note" in markdown
    header, rows = segment_report_rows(table, FIXED)
    b_line = next(line for line in markdown.splitlines() if line.startswith("| B |"))
    assert b_line.split(" | ")[1:4] == rows[1][1:4]  # Rows, Positives, Flagged as the table formats them
    assert "<b>" not in markdown and "\\|x" in markdown  # the pipe cannot split the row
    page = report_html(_report(payload))
    assert "<h2>By segment: region</h2>" in page and "&lt;b&gt;A&lt;/b&gt;|x" in page and "<b>A" not in page
    assert "By segment" not in report_markdown(_report(None))


def test_the_model_json_carries_the_segment_payload_it_is_given():
    from types import SimpleNamespace

    from core.exports import model_json
    from core.features import build_preprocessor, feature_names
    from core.model import LogisticRegressionGD

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=80), "g": rng.choice(["a", "b"], 80)})
    y = (frame["x"] + rng.normal(size=80) > 0).astype(int)
    pre = build_preprocessor(["x"], []).fit(frame)
    model = LogisticRegressionGD(solver="lbfgs").fit(pre.transform(frame), y)
    prepared = SimpleNamespace(preprocessor=pre, feature_names=feature_names(pre))
    payload = segments_payload(segment_table(y, rng.random(80), frame["g"], 0.5), column="g", threshold=0.5)
    spec = json.loads(model_json(model, prepared, threshold=0.5, costs=FIXED, segments=payload))
    assert spec["segments"]["column"] == "g"
    assert [r["Segment"] for r in spec["segments"]["rows"]] == ["a", "b", EVERYONE]
    assert "segments" not in json.loads(model_json(model, prepared, threshold=0.5, costs=FIXED))
