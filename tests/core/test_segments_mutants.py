"""core.segments' exports: the report rows and the saved payload state the By segment table's numbers.

A saved scenario and the model JSON keep the table as ``segments_payload``; the Report page and
the Markdown/HTML exports print it through ``segment_report_rows``. Each number printed is read
back here and set against the table it came from (counts with thousands separators, rates to 3
decimals, the intervals, the money, the ratios, empty where undefined), and every field of the
payload against the table and the analysis it was made from.
"""

from __future__ import annotations

import json
import math
import re
import warnings

import numpy as np
import pandas as pd
import pytest

from core.costs import CostMatrix
from core.errors import DataError
from core.segments import (
    ANALYSIS_CAVEAT,
    OTHER,
    segment_labels,
    segment_records,
    segment_report_rows,
    segment_sweeps,
    segment_table,
    segments_payload,
    separate_thresholds,
    wilson_interval,
)

COSTS = CostMatrix(fp_cost=3.0, fn_cost=40.0, currency="€")
HEADER_AFTER_RATES = ["Flag rate ratio", "Recall ratio", "Marks"]


def _sweeps(n=5000, seed=2):
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.2
    s = np.clip(rng.normal(0.35 + 0.3 * y, 0.2), 0, 1)
    labels = rng.choice(["north", "south", "tiny"], n, p=[0.6, 0.395, 0.005])  # "tiny": too few to judge
    y[labels == "tiny"] = False  # and no positives: its recall has no interval
    return segment_sweeps(y, s, labels)


def _interval(text):
    match = re.fullmatch(r"(-?\d+\.\d{3})(?: \((-?\d+\.\d{3})–(-?\d+\.\d{3})\))?", text)
    assert match, text
    value, low, high = match.groups()
    return float(value), (None if low is None else float(low)), (None if high is None else float(high))


def _check_rows(table, header, rows, costs, level_text):
    assert header == ["Segment", "Rows", "Positives", "Flagged", "Precision", "Recall", "False positive rate",
                      "Business cost", f"Flag rate ({level_text} interval)", f"Recall ({level_text} interval)",
                      *HEADER_AFTER_RATES]
    assert len(rows) == len(table)
    for (_, want), got in zip(table.iterrows(), rows):
        assert got[0] == str(want["Segment"])
        for i, name in enumerate(("Rows", "Positives", "Flagged"), start=1):
            assert re.fullmatch(r"\d{1,3}(,\d{3})*", got[i]), got[i]
            assert int(got[i].replace(",", "")) == round(want[name])
        for i, name in enumerate(("Precision", "Recall", "False positive rate"), start=4):
            assert re.fullmatch(r"\d\.\d{3}", got[i]) and float(got[i]) == pytest.approx(want[name], abs=5e-4)
        cost = want["Business cost"]
        if not math.isfinite(cost):
            assert got[7] == ""
        elif costs is None:
            assert float(got[7].replace(",", "")) == pytest.approx(cost, abs=0.5)
        else:
            assert got[7] == costs.format(cost, decimals=0)
        for i, name in ((8, "Flag rate"), (9, "Recall")):
            value, low, high = _interval(got[i])
            assert value == pytest.approx(want[name], abs=5e-4)
            if math.isfinite(want[f"{name} low"]) and math.isfinite(want[f"{name} high"]):
                assert low == pytest.approx(want[f"{name} low"], abs=5e-4)
                assert high == pytest.approx(want[f"{name} high"], abs=5e-4)
            else:
                assert low is None and high is None
        for i, name in ((10, "Flag rate ratio"), (11, "Recall ratio")):
            if math.isfinite(want[name]):
                assert re.fullmatch(r"\d+\.\d{3}", got[i]) and float(got[i]) == pytest.approx(want[name], abs=5e-4)
            else:
                assert got[i] == ""
        assert got[12] == str(want["Marks"])


@pytest.mark.parametrize("level, level_text", [(0.9, "90%"), (0.8, "80%")])
def test_report_rows_state_every_number_of_the_table(level, level_text):
    table = _sweeps().table(0.5, COSTS, level=level)
    assert table["Rows"].max() >= 1000 and (~np.isfinite(table["Flag rate ratio"])).any()
    assert (~np.isfinite(table["Recall low"])).any() and np.isfinite(table["Flag rate low"]).all()
    header, rows = segment_report_rows(table, COSTS)
    _check_rows(table, header, rows, COSTS, level_text)
    # Without a cost matrix the money is whole units with separators; without costs it is blank.
    _check_rows(table, *segment_report_rows(table), None, level_text)
    no_costs = _sweeps().table(0.5, level=level)
    _check_rows(no_costs, *segment_report_rows(no_costs), None, level_text)


@pytest.mark.parametrize("level, level_text", [(0.9, "90%"), (0.8, "80%")])
def test_report_rows_from_the_saved_payload_state_the_same_numbers(level, level_text):
    table = _sweeps().table(0.5, COSTS, level=level)
    payload = json.loads(json.dumps(segments_payload(table, column="region", threshold=0.5), allow_nan=False))
    header, rows = segment_report_rows(payload, COSTS)
    _check_rows(table, header, rows, COSTS, level_text)
    # A payload saved before the level was kept reads as 90%.
    old = {key: value for key, value in payload.items() if key != "level"}
    assert segment_report_rows(old, COSTS)[0][8] == "Flag rate (90% interval)"


def test_records_are_plain_python_values_and_undefined_numbers_are_null():
    table = pd.DataFrame({"Segment": ["a", "b"], "Rows": np.array([3, 4], dtype=np.int64),
                          "Precision": np.array([0.5, np.nan]), "Business cost": [np.inf, -2.5], "Marks": ["", "x"]})
    records = segment_records(table)
    assert records == [{"Segment": "a", "Rows": 3, "Precision": 0.5, "Business cost": None, "Marks": ""},
                       {"Segment": "b", "Rows": 4, "Precision": None, "Business cost": -2.5, "Marks": "x"}]
    assert type(records[0]["Rows"]) is int and type(records[0]["Precision"]) is float


def test_the_payload_keeps_the_table_the_settings_and_every_total_of_the_analysis():
    sweeps = _sweeps(n=2000, seed=4)
    table = sweeps.table(0.45, COSTS, level=0.8)
    analysis = separate_thresholds(sweeps, COSTS, 0.45, tolerance=0.05)
    payload = segments_payload(table, column="region", threshold=np.float64(0.45), note="grouped 3 values",
                               analysis=analysis)
    json.dumps(payload, allow_nan=False)
    assert payload["column"] == "region" and payload["note"] == "grouped 3 values"
    assert payload["threshold"] == 0.45 and type(payload["threshold"]) is float
    assert payload["level"] == 0.8 and payload["rows"] == segment_records(table)
    extra = payload["separate_thresholds"]
    assert extra["sentence"] == analysis.sentence and extra["caveat"] == ANALYSIS_CAVEAT
    assert extra["tolerance"] == 0.05
    for key in ("cost_single", "cost_best_single", "cost_separate", "cost_banded"):
        assert extra[key] == pytest.approx(getattr(analysis, key)) and type(extra[key]) is float
    assert extra["rows"] == segment_records(analysis.frame)
    plain = segments_payload(table, column=None, threshold=0.45)
    assert plain["column"] is None and plain["note"] == "" and "separate_thresholds" not in plain
    assert segments_payload(sweeps.table(0.45), column="r", threshold=0.45)["level"] == 0.9


def test_a_table_that_does_not_state_its_level_is_read_as_90_percent():
    table = _sweeps().table(0.5, COSTS, level=0.8)
    table.attrs = {}
    header, rows = segment_report_rows(table, COSTS)
    _check_rows(table, header, rows, COSTS, "90%")
    assert segments_payload(table, column="region", threshold=0.5)["level"] == 0.9


# --- segment_labels ---------------------------------------------------------------------------

def _repeated(n_values, times=2, prefix="v"):
    return pd.Series([f"{prefix}{i:03d}" for i in range(n_values) for _ in range(times)], name="code")


def test_labels_keep_50_values_and_group_from_51_by_default():
    fifty = segment_labels(_repeated(50))
    assert len(fifty.order) == 50 and OTHER not in fifty.order and fifty.note == ""
    fifty_one = segment_labels(_repeated(51, times=1).pipe(lambda s: pd.concat([s, s.iloc[:1]])))
    # 51 values, v000 twice: the 49 most frequent (v000, then the first 48 by name) are kept
    assert len(fifty_one.order) == 50 and fifty_one.order[-1] == OTHER
    assert fifty_one.note == ("The segment column 'code' has 51 different values; the 49 most frequent are kept "
                              "and the other 2 (2 rows) are grouped as 'other'.")
    assert segment_labels(_repeated(50, times=1), max_groups=50).kind == "categories"  # 50 on 50 rows: not an id


def test_labels_grouping_note_counts_what_was_grouped():
    values = pd.Series([f"c{i:02d}" for i in range(12) for _ in range(12 - i)])  # c00 ×12 … c11 ×1
    seg = segment_labels(values, max_groups=5)
    assert seg.order == ("c00", "c01", "c02", "c03", OTHER)
    grouped_rows = sum(12 - i for i in range(4, 12))
    assert seg.note == (f"The segment column has 12 different values; the 4 most frequent are kept and the other 8 "
                        f"({grouped_rows} rows) are grouped as 'other'.")
    assert (seg.labels == OTHER).sum() == grouped_rows


def test_labels_parameters_must_be_whole_numbers_of_at_least_two():
    values = pd.Series(["a", "b", "c"] * 3)
    assert segment_labels(values, max_groups=2).order == ("a", OTHER)
    assert len(segment_labels(pd.Series(np.arange(40.0)), bins=2).order) == 2
    for bad in (1, 2.5, "5", True):
        with pytest.raises(DataError, match="max_groups"):
            segment_labels(values, max_groups=bad)
        with pytest.raises(DataError, match="bins"):
            segment_labels(values, bins=bad)


def test_labels_of_a_list_and_of_a_2d_array_read_every_value():
    from_list = segment_labels(["b", "a", "b", None])
    assert list(from_list.labels) == ["b", "a", "b", "(missing)"] and from_list.column is None
    grid = segment_labels(np.array([["a", "b"], ["b", "c"]]))
    assert list(grid.labels) == ["a", "b", "b", "c"]
    assert "'None'" not in segment_labels(np.arange(20.0)).note  # a column without a name is not called 'None'
    assert segment_labels(pd.Series(np.arange(20.0))).note.startswith("The segment column is numeric")


def test_labels_are_plain_str_in_every_kind():
    for values in (pd.Series(["x", "y", "x"]), pd.Series([1, 2, 2, 3]), pd.Series(np.arange(40.0)),
                   pd.Series([f"v{i}" for i in range(60)] * 2)):
        seg = segment_labels(values)
        assert all(type(v) is str for v in seg.labels), values.head(2).tolist()


def test_ten_numbers_are_categories_and_eleven_are_bins():
    assert segment_labels(pd.Series(np.arange(10.0))).kind == "categories"
    assert segment_labels(pd.Series(np.arange(11.0))).kind == "quantile bins"
    as_text = segment_labels(pd.Series([str(i) for i in range(40)]))
    assert as_text.kind == "quantile bins" and as_text.order[0] == "[0, 9]"


def test_quantile_bins_have_data_values_as_edges_and_say_when_ties_merged_them():
    hundred = segment_labels(pd.Series(np.arange(1.0, 101.0)))  # 25 values per bin: edges 25, 50, 75
    assert hundred.order == ("[1, 25]", "(25, 50]", "(50, 75]", "(75, 100]")
    assert hundred.note.endswith("(a value on an edge belongs to the lower bin).")
    assert segment_labels(pd.Series(np.arange(1.0, 101.0)), bins=5).order[0] == "[1, 20]"
    # four in five rows hold the largest value: the smallest value alone, then the rest
    top_heavy = segment_labels(pd.Series(list(range(11)) + [10] * 100, dtype=float))
    assert top_heavy.order == ("[0, 0]", "(0, 10]") and top_heavy.note.endswith("; tied values merged some bins.")
    # the second largest value is an edge: the largest alone above it
    near_top = segment_labels(pd.Series(list(range(11)) + [9] * 100, dtype=float))
    assert near_top.order == ("[0, 9]", "(9, 10]")
    assert (near_top.labels == "(9, 10]").sum() == 1


def test_bin_edges_get_just_enough_digits():
    sevenths = segment_labels(pd.Series(np.arange(1, 101) / 7))
    assert sevenths.order == ("[0.1429, 3.571]", "(3.571, 7.143]", "(7.143, 10.71]", "(10.71, 14.29]")
    close = segment_labels(pd.Series(1 + np.arange(1, 101) / 3 * 1e-5))
    assert close.order == ("[1, 1.00008]", "(1.00008, 1.00017]", "(1.00017, 1.00025]", "(1.00025, 1.00033]")


def test_numeric_categories_are_named_by_four_significant_digits():
    assert segment_labels(pd.Series([1.23456, 2.5, 2.5])).order == ("1.235", "2.5")
    assert segment_labels(pd.Series([1e15, 2.0, 2.0])).order == ("2", "1e+15")
    assert segment_labels(pd.Series([1e15 - 1, 2.0])).order == ("2", "999999999999999")


def test_a_real_value_named_like_the_added_segments_gets_a_numbered_suffix():
    values = pd.Series(["other", "other (grouped)", None, "(missing)", "(missing) (no value)"] * 3
                       + [f"z{i:02d}" for i in range(10)])
    seg = segment_labels(values, max_groups=5)
    assert seg.order[-2:] == ("other (grouped 2)", "(missing) (no value 2)")
    assert (seg.labels == "(missing) (no value 2)").sum() == 3


def test_a_grouped_column_with_gaps_has_both_notes_as_sentences():
    values = pd.Series([f"c{i:02d}" for i in range(12) for _ in range(12 - i)] + [None, "", None])
    seg = segment_labels(values, max_groups=5)
    assert seg.order == ("c00", "c01", "c02", "c03", OTHER, "(missing)")
    assert seg.note == ("The segment column has 12 different values; the 4 most frequent are kept and the other 8 "
                        "(36 rows) are grouped as 'other'. 3 rows with no value form their own '(missing)' segment.")


@pytest.mark.parametrize("dtype", ["Int64", "Float64"])
def test_nullable_numbers_with_gaps_are_numbers_and_a_missing_segment(dtype):
    few = segment_labels(pd.Series([1, 2, None, 3, 2], dtype=dtype))
    assert few.kind == "categories" and few.order == ("1", "2", "3", "(missing)")
    assert list(few.labels) == ["1", "2", "(missing)", "3", "2"]
    many = segment_labels(pd.Series([*range(1, 101), None], dtype=dtype))
    assert many.kind == "quantile bins" and many.order == ("[1, 25]", "(25, 50]", "(50, 75]", "(75, 100]", "(missing)")


def test_messages_of_unusable_columns_state_only_what_is_true():
    with pytest.raises(DataError, match="max_groups|bins") as none:
        segment_labels(pd.Series(["a"]), max_groups=0)
    assert none.value.args[0]
    with pytest.raises(DataError) as one:
        segment_labels(pd.Series(["a", "a"], name="c"))
    assert "no value" not in str(one.value)
    with pytest.raises(DataError) as many:
        segment_labels(pd.Series([f"t{i}" for i in range(1001)] * 2))
    assert "every row" not in str(many.value)
    grouped = segment_labels(pd.Series([f"t{i}" for i in range(1000)] * 2))  # 1,000 values: still a grouping
    assert grouped.order[-1] == OTHER


# --- sweeps, curves and the table -------------------------------------------------------------

def _three_segments(seed=7):
    """'a': 40 rows, 10 positives; 'b': 40 rows, exactly 1 positive; 'c': 10 rows, none."""
    rng = np.random.default_rng(seed)
    labels = np.r_[np.full(40, "a"), np.full(40, "b"), np.full(10, "c")].astype(object)
    y = np.zeros(90, dtype=int)
    y[:10] = 1
    y[40] = 1
    s = np.round(rng.uniform(0, 1, 90), 2)
    s[:10] = np.round(np.clip(s[:10] + 0.3, 0, 1), 2)
    return y, s, labels


def _direct_cut(y, s, t):
    flagged = s >= t
    tp, fp = int((flagged & (y == 1)).sum()), int((flagged & (y == 0)).sum())
    return tp, fp, int((~flagged & (y == 0)).sum()), int((~flagged & (y == 1)).sum())


def test_curves_are_every_cut_of_each_segment_counted_directly_for_the_costs_asked():
    y, s, labels = _three_segments()
    sweeps = segment_sweeps(y, s, labels)
    other = CostMatrix(fp_cost=1.0, fn_cost=2.0, tn_value=0.5)
    for costs in (COSTS, COSTS, other, None, COSTS):
        curves = sweeps.curves(costs)
        assert isinstance(curves, list) and len(curves) == 3
        for name, curve in zip(sweeps.segments, curves):
            assert set(curve) == {"k", "threshold", "tp", "fp", "recall", "cost"}
            mask = labels == name
            ys, ss = y[mask], s[mask]
            cuts = [np.inf, *sorted(set(ss), reverse=True)]
            np.testing.assert_array_equal(curve["threshold"], cuts)
            for j, t in enumerate(cuts):
                tp, fp, tn, fn = _direct_cut(ys, ss, t)
                assert (curve["k"][j], curve["tp"][j], curve["fp"][j]) == (tp + fp, tp, fp)
                assert curve["recall"][j] == (tp / ys.sum() if ys.sum() else 0.0)  # 'c': no positives, recall 0
                if costs is None:
                    assert curve["cost"] is None
                else:
                    assert curve["cost"][j] == pytest.approx(costs.total(tp, fp, tn, fn))


def _table_by_hand(y, s, labels, t, costs):
    rows = {}
    for name in [*dict.fromkeys(labels), "Everyone"]:
        mask = np.ones(len(y), bool) if name == "Everyone" else labels == name
        rows[name] = _direct_cut(y[mask], s[mask], t)
    return rows


def test_the_table_costs_true_negatives_and_states_its_settings():
    y, s, labels = _three_segments()
    costs = CostMatrix(fp_cost=2.0, fn_cost=7.0, tn_value=1.5, tp_value=0.25)
    table = segment_sweeps(y, s, labels).table(0.5, costs, level=0.8, min_rows=10, min_positives=1)
    for (name, (tp, fp, tn, fn)), got in zip(_table_by_hand(y, s, labels, 0.5, costs).items(),
                                             table["Business cost"]):
        assert got == pytest.approx(costs.total(tp, fp, tn, fn)), name
    assert table.attrs == {"level": 0.8, "min_rows": 10, "min_positives": 1, "everyone": "Everyone"}
    from scipy.stats import binomtest

    for (name, (tp, fp, tn, fn)), (_, row) in zip(_table_by_hand(y, s, labels, 0.5, costs).items(), table.iterrows()):
        if tp + fn:
            ci = binomtest(tp, tp + fn).proportion_ci(confidence_level=0.8, method="wilson")
            assert (row["Recall low"], row["Recall high"]) == pytest.approx((ci.low, ci.high)), name
    one_call = segment_table(y, s, labels, 0.5, costs=costs, level=0.8)
    assert one_call.attrs["level"] == 0.8
    pd.testing.assert_frame_equal(one_call, segment_sweeps(y, s, labels).table(0.5, costs, level=0.8))


def test_a_segment_named_everyone_moves_the_everyone_row_aside():
    y, s, labels = _three_segments()
    labels = np.where(labels == "c", "Everyone", labels).astype(object)
    table = segment_sweeps(y, s, labels).table(0.5)
    assert table["Segment"].tolist() == ["Everyone", "a", "b", "Everyone (no value)"]
    assert table.attrs["everyone"] == "Everyone (no value)"


def test_the_reference_segment_may_have_a_single_positive():
    y, s, labels = _three_segments()
    s = s.copy()
    s[40] = 1.0  # b's only positive is flagged: recall 1
    table = segment_sweeps(y, s, labels).table(0.99, min_rows=10, min_positives=1).set_index("Segment")
    assert table.loc["b", "Recall"] == 1.0
    assert table.loc["b", "Recall ratio"] == 1.0 and table.loc["a", "Recall ratio"] == table.loc["a", "Recall"]


def test_with_no_segment_to_judge_there_are_no_ratios():
    y, s, labels = _three_segments()
    table = segment_sweeps(y, s, labels).table(0.5)  # 40, 40 and 10 rows: fewer than 30 rows or 5 positives
    table_small = segment_sweeps(y[40:], s[40:], labels[40:]).table(0.5)  # 'b' and 'c' only: neither judged
    assert set(table_small["Marks"].iloc[:-1]) == {"too few to judge"}
    assert table_small["Flagged"].iloc[:-1].sum() > 0
    assert table_small["Flag rate ratio"].isna().all() and table_small["Recall ratio"].isna().all()
    assert table.set_index("Segment").loc["a", "Flag rate ratio"] == 1.0


def test_weighted_counts_keep_their_fractions():
    y, s, labels = _three_segments()
    weights = np.full(len(y), 0.25)
    table = segment_sweeps(y, s, labels, weights=weights).table(0.5)
    assert table["Rows"].tolist() == [10.0, 10.0, 2.5, 22.5]
    assert table["Positives"].tolist() == [2.5, 0.25, 0.0, 2.75]


def test_marks_at_exactly_four_fifths_and_below():
    # 50 rows and 10 positives each; every positive flagged in a and b, half of them in c
    def segment(name, flagged, positives_flagged):
        y = np.r_[np.ones(10), np.zeros(40)]
        s = np.r_[np.ones(positives_flagged), np.zeros(10 - positives_flagged),
                  np.ones(flagged - positives_flagged), np.zeros(40 - flagged + positives_flagged)]
        return y, s, np.full(50, name, dtype=object)

    parts = [segment("a", 25, 10), segment("b", 20, 10), segment("c", 10, 5)]
    y, s, labels = (np.concatenate(p) for p in zip(*parts))
    table = segment_sweeps(y, s, labels).table(0.5).set_index("Segment")
    assert table.loc["b", "Flag rate ratio"] == pytest.approx(0.8)
    assert table.loc["a", "Marks"] == "" and table.loc["b", "Marks"] == ""  # exactly four-fifths is not below
    assert table.loc["c", "Marks"] == "flag rate and recall below four-fifths"


def test_bad_costs_and_thresholds_say_what_is_wrong():
    sweeps = segment_sweeps(*_three_segments())
    with pytest.raises(DataError, match="CostMatrix"):
        sweeps.table(0.5, {"fp_cost": 1})
    with pytest.raises(DataError, match="threshold"):
        sweeps.counts_at("high")


# --- separate_thresholds ----------------------------------------------------------------------

SEPARATE_COLUMNS = ["Segment", "Rows", "Recall at this threshold", "Cost at this threshold", "Own threshold",
                    "Recall at own threshold", "Cost at own threshold", "Threshold within recall band",
                    "Recall within band", "Cost within band", "Band note"]


def _best_single(y, s, costs):
    best = None
    for t in [np.inf, *sorted(set(s), reverse=True)]:
        cost = costs.total(*_direct_cut(y, s, t))
        if best is None or cost < best[1] - 1e-9:
            best = (t, cost)
    return best


def test_separate_thresholds_frame_and_totals():
    y, s, labels = _three_segments()
    sweeps = segment_sweeps(y, s, labels)
    result = separate_thresholds(sweeps, COSTS, np.float32(0.5), tolerance=1)
    assert list(result.frame.columns) == SEPARATE_COLUMNS
    assert result.threshold == 0.5 and type(result.threshold) is float and result.tolerance == 1.0
    t, cost = _best_single(y, s, COSTS)
    assert result.best_single_threshold == t and result.cost_best_single == pytest.approx(cost)
    notes = result.frame.set_index("Segment")["Band note"]
    assert notes["a"] == "" and notes["c"].startswith("no positives")
    assert not notes["b"].startswith("no positives")  # one positive is a recall to keep
    assert result.notes == ()
    # every sum of money in the sentence is in whole units
    amounts = re.findall(r"€[\d,.]+", result.sentence)
    assert len(amounts) == 5 and all("." not in a.rstrip(".") for a in amounts), result.sentence


def test_separate_thresholds_sentence_names_the_best_single_threshold():
    y, s, labels = _three_segments()
    sweeps = segment_sweeps(y, s, labels)
    cheap_misses = CostMatrix(fp_cost=100.0, fn_cost=0.0, currency="€")
    nobody = separate_thresholds(sweeps, cheap_misses, 0.5)
    assert nobody.best_single_threshold == np.inf and "(flag nobody)" in nobody.sentence
    costly_misses = CostMatrix(fp_cost=1.0, fn_cost=50.0, currency="€")
    t, _ = _best_single(y, s, costly_misses)
    some = separate_thresholds(sweeps, costly_misses, 0.5)
    assert math.isfinite(t) and some.best_single_threshold == t
    assert f"with the best single threshold ({t:g})" in some.sentence  # scores have two decimals


def test_separate_thresholds_say_when_a_segment_cannot_keep_its_recall():
    y = np.r_[np.ones(4), np.zeros(4), np.ones(2), np.zeros(2)]
    s = np.r_[[0.9, 0.8, 0.7, 0.2], [0.6, 0.3, 0.2, 0.1], [0.9, 0.3], [0.5, 0.1]]
    seg = np.r_[np.full(8, "a"), np.full(4, "b")].astype(object)
    result = separate_thresholds(segment_sweeps(y, s, seg), CostMatrix(fp_cost=100.0, fn_cost=500.0), 0.65)
    assert result.notes == ("Some segments cannot keep their recall in the band; see the band notes.",)


def test_separate_thresholds_check_their_inputs():
    sweeps = segment_sweeps(*_three_segments())
    with pytest.raises(DataError, match="amount"):
        separate_thresholds(sweeps, CostMatrix(fp_cost=1.0, fn_cost=5.0, fn_pct=10.0), 0.5)


def test_separate_thresholds_sentence_gives_small_sums_in_whole_units_too():
    y, s, labels = _three_segments()
    cents = CostMatrix(fp_cost=0.35, fn_cost=2.65, currency="€")
    result = separate_thresholds(segment_sweeps(y, s, labels), cents, 0.5)
    totals = (result.cost_separate, result.cost_best_single, result.cost_single, result.saved, result.cost_banded)
    assert all(abs(v) < 100 for v in totals)  # below 100 the default format would show cents
    amounts = re.findall(r"€[\d,.]*\d", result.sentence)
    assert amounts == [cents.format(v, decimals=0) for v in totals], result.sentence


def test_a_recall_exactly_on_the_edge_of_the_band_is_inside_it():
    # 'a': 4 positives; 'b': 2 positives. At 0.5 the overall recall is 3/6 = 0.5; a's recall 3/4 is
    # exactly 0.25 from it, so with tolerance 0.25 every cut of 'a' with recall 0.25–0.75 is in the band.
    y = np.r_[np.ones(4), np.zeros(4), np.ones(2), np.zeros(2)]
    s = np.r_[[0.9, 0.8, 0.7, 0.2], [0.6, 0.3, 0.2, 0.1], [0.3, 0.2], [0.6, 0.1]]
    seg = np.r_[np.full(8, "a"), np.full(4, "b")].astype(object)
    costly_misses = CostMatrix(fp_cost=1.0, fn_cost=50.0)
    result = separate_thresholds(segment_sweeps(y, s, seg), costly_misses, 0.5, tolerance=0.25)
    assert result.target_recall == 0.5
    a = result.frame.set_index("Segment").loc["a"]
    # misses cost most, so the cheapest cut in the band is the one with the highest recall in it: 3/4
    assert a["Recall within band"] == 0.75 and a["Threshold within recall band"] == 0.7
    assert a["Band note"] == ""


def test_when_every_judged_segment_flags_nobody_no_ratio_is_defined():
    # 'a' (40 rows, 10 positives) is judged and flags nobody at 0.5; 'b' (10 rows) is too few to judge and
    # flags all its rows. The most favourable judged rate is 0, so no segment has a ratio to it.
    y = np.r_[np.ones(10), np.zeros(30), np.ones(2), np.zeros(8)]
    s = np.r_[np.full(40, 0.1), np.full(10, 0.9)]
    labels = np.r_[np.full(40, "a"), np.full(10, "b")].astype(object)
    table = segment_sweeps(y, s, labels).table(0.5).set_index("Segment")
    assert table.loc["a", "Flag rate"] == 0.0 and table.loc["b", "Flag rate"] == 1.0
    assert table.loc["b", "Marks"] == "too few to judge" and table.loc["a", "Marks"] == ""
    assert table["Flag rate ratio"].isna().all() and table["Recall ratio"].isna().all()


def test_plain_labels_list_the_real_segments_in_order_and_the_added_ones_after_them():
    y = np.r_[np.ones(4), np.zeros(4)]
    s = np.linspace(0.1, 0.8, 8)
    labels = np.array(["b", OTHER, None, "a", "b", "a", None, OTHER], dtype=object)
    sweeps = segment_sweeps(y, s, labels)
    assert sweeps.segments[:2] == ("a", "b") and set(sweeps.segments[2:]) == {OTHER, "(missing)"}
    table = sweeps.table(0.5)
    assert table["Rows"].tolist() == [2, 2, 2, 2, 8]


def test_labels_that_the_segmentation_does_not_list_are_a_data_error():
    from core.segments import Segmentation

    seg = Segmentation(labels=np.array(["a", "b", "z", "a"], dtype=object), order=("a", "b"), kind="categories")
    with pytest.raises(DataError, match="not in the segmentation"):
        segment_sweeps(np.array([1, 0, 1, 0]), np.array([0.9, 0.2, 0.4, 0.6]), seg)


def test_a_date_column_keeps_its_dates_as_segments_not_numbers():
    dates = pd.Series(pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-01", None]), name="day")
    seg = segment_labels(dates)
    assert seg.kind == "categories"
    assert seg.order == ("2024-01-01 00:00:00", "2024-02-01 00:00:00", "(missing)")
    assert list(seg.labels) == ["2024-01-01 00:00:00", "2024-02-01 00:00:00", "2024-01-01 00:00:00", "(missing)"]


# --- wilson_interval --------------------------------------------------------------------------


@pytest.mark.parametrize("level", [0, 0.0, 1, 1.0, 1.5, -0.1])
def test_an_interval_level_outside_0_to_1_is_a_data_error(level):
    with pytest.raises(DataError, match="level must be between 0 and 1"):
        wilson_interval(3, 10, level)


def test_no_trials_give_an_undefined_interval_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a table with an empty segment must not warn on every slider move
        low, high = wilson_interval(np.array([0.0, 3.0]), np.array([0.0, 0.0]))
    assert np.isnan(low).all() and np.isnan(high).all()


def test_intervals_of_none_and_of_all_stay_within_0_and_1():
    # At 0 of n the low end is 0 and at n of n the high end is 1 in exact arithmetic; in floating
    # point the unclipped ends fall a rounding error outside [0, 1] for some n.
    n = np.arange(1, 301, dtype=np.float64)
    for level in (0.8, 0.9, 0.95):
        low_none, high_none = wilson_interval(np.zeros_like(n), n, level)
        low_all, high_all = wilson_interval(n, n, level)
        assert (low_none >= 0).all() and (low_none <= 1e-15).all()
        assert (high_all <= 1).all() and (high_all >= 1 - 1e-15).all()
        assert (high_none > 0).all() and (low_all < 1).all()


# --- segment_sweeps: its inputs and what it keeps of the segmentation --------------------------


def test_plain_labels_keep_the_text_of_each_value_as_given():
    y = np.array([1, 0, 1, 0, 0, 1])
    s = np.array([0.9, 0.1, 0.8, 0.4, 0.3, 0.2])
    sweeps = segment_sweeps(y, s, [1, 2.5, 1, 2.5, 1, 2.5])
    assert sweeps.segments == ("1", "2.5")  # the whole number 1 is not read as "1.0"
    assert sweeps.table(0.5)["Rows"].tolist() == [3, 3, 6]


def test_unlisted_labels_are_named_three_at_most():
    from core.segments import Segmentation

    seg = Segmentation(labels=np.array(["a", "w", "x", "y", "z", "b"], dtype=object), order=("a", "b"),
                       kind="categories")
    with pytest.raises(DataError, match="not in the segmentation") as error:
        segment_sweeps(np.array([1, 0, 1, 0, 1, 0]), np.linspace(0.1, 0.9, 6), seg)
    message = str(error.value)
    assert all(f"'{v}'" in message for v in "wxy") and "'z'" not in message


@pytest.mark.parametrize("n_segments", [127, 128, 129, 300])
def test_many_segments_each_keep_their_own_rows(n_segments):
    # The codes of the segments are packed into the smallest integer type; past 127 segments a
    # one-byte code would wrap round and mix the segments up.
    rng = np.random.default_rng(n_segments)
    labels = np.array([f"s{i:04d}" for i in range(n_segments)] * 3, dtype=object)
    y = np.tile([1] * n_segments + [0] * (2 * n_segments), 1)
    s = rng.uniform(0.01, 0.99, len(labels))
    sweeps = segment_sweeps(y, s, labels)
    assert sweeps.segments == tuple(sorted(set(labels)))
    counts = sweeps.counts_at(0.5)
    by_name = pd.DataFrame({"label": labels, "y": y, "flag": s >= 0.5})
    want = by_name.groupby("label").apply(lambda g: (g.y & g.flag).sum(), include_groups=False)
    assert counts["tp"].tolist() == want.loc[list(sweeps.segments)].tolist()
    assert counts["n_pos"].tolist() == [1] * n_segments and counts["n_neg"].tolist() == [2] * n_segments


def test_more_than_32767_segments_each_keep_their_own_rows():
    n_segments = 32770  # past a two-byte code
    labels = np.array([f"s{i:05d}" for i in range(n_segments)], dtype=object)
    y = (np.arange(n_segments) % 2).astype(int)
    s = np.where(np.arange(n_segments) % 3 == 0, 0.9, 0.1)
    counts = segment_sweeps(y, s, labels).counts_at(0.5)
    assert counts["n_pos"].tolist() == y.tolist()
    assert counts["tp"].tolist() == ((y == 1) & (s >= 0.5)).astype(int).tolist()


def test_bad_weights_and_amounts_say_which_input_is_wrong():
    y, s, labels = np.array([1, 0, 1]), np.array([0.9, 0.2, 0.1]), ["a", "b", "a"]
    with pytest.raises(DataError, match=r"one count \(weight\) per row \(3\)"):
        segment_sweeps(y, s, labels, weights=[1, 2])
    with pytest.raises(DataError, match=r"counts \(weights\) must be numbers"):
        segment_sweeps(y, s, labels, weights=["one", "two", "three"])
    with pytest.raises(DataError, match=r"count \(weight\) is zero"):
        segment_sweeps(y, s, labels, weights=[0, 0.0, 0])
    with pytest.raises(DataError, match=r"one amount per row \(3\)"):
        segment_sweeps(y, s, labels, amounts=[10.0])
    with pytest.raises(DataError, match="amounts must be numbers"):
        segment_sweeps(y, s, labels, amounts=["ten", "five", "one"])
    with pytest.raises(DataError, match="^1 amounts are missing or infinite"):
        segment_sweeps(y, s, labels, amounts=[10.0, np.nan, 1.0])
    with pytest.raises(DataError, match="^2 amounts are missing or infinite"):
        segment_sweeps(y, s, labels, amounts=[np.inf, np.nan, 1.0])
    assert segment_sweeps(y, s, labels, weights=[0, 1, 0]).table(0.5)["Rows"].tolist() == [0.0, 1.0, 1.0]


def test_sweeps_keep_the_note_column_and_kind_of_the_segmentation():
    rng = np.random.default_rng(5)
    ages = pd.Series(rng.integers(18, 80, 400), name="age")
    seg = segment_labels(ages)
    y, s = (rng.random(400) < 0.3).astype(int), rng.random(400)
    sweeps = segment_sweeps(y, s, seg)
    assert (sweeps.note, sweeps.column, sweeps.kind) == (seg.note, "age", "quantile bins")
    assert sweeps.note.startswith("The segment column 'age' is numeric")
    plain = segment_sweeps(y, s, seg.labels)  # the same labels without their segmentation
    assert (plain.note, plain.column, plain.kind) == ("", None, "categories")


def test_weighted_rows_give_the_same_best_single_threshold_as_the_rows_repeated():
    rng = np.random.default_rng(11)
    n = 300
    y = (rng.random(n) < 0.3).astype(int)
    s = np.round(np.clip(rng.normal(0.4 + 0.25 * y, 0.2), 0, 1), 2)
    labels = rng.choice(["a", "b"], n).astype(object)
    w = np.where(y == 1, 1, 6) * rng.integers(1, 4, n)  # negatives weigh much more
    costs = CostMatrix(fp_cost=2.0, fn_cost=9.0)
    weighted = separate_thresholds(segment_sweeps(y, s, labels, weights=w), costs, 0.5)
    repeated = separate_thresholds(segment_sweeps(np.repeat(y, w), np.repeat(s, w), np.repeat(labels, w)),
                                   costs, 0.5)
    assert weighted.best_single_threshold == repeated.best_single_threshold
    assert weighted.cost_best_single == pytest.approx(repeated.cost_best_single)
    assert weighted.cost_separate == pytest.approx(repeated.cost_separate)
    assert weighted.saved == pytest.approx(repeated.saved)
    t, cost = _best_single(np.repeat(y, w), np.repeat(s, w), costs)
    assert weighted.best_single_threshold == t and weighted.cost_best_single == pytest.approx(cost)


def test_the_band_allows_for_rounding_in_the_tolerance():
    # As test_a_recall_exactly_on_the_edge_of_the_band_is_inside_it, with the tolerance a rounding
    # error short of a's distance 0.25 (0.25 - 1e-12, which plus the 1e-12 allowance is 0.25 exactly):
    # recall 3/4 still counts as inside the band.
    y = np.r_[np.ones(4), np.zeros(4), np.ones(2), np.zeros(2)]
    s = np.r_[[0.9, 0.8, 0.7, 0.2], [0.6, 0.3, 0.2, 0.1], [0.3, 0.2], [0.6, 0.1]]
    seg = np.r_[np.full(8, "a"), np.full(4, "b")].astype(object)
    tolerance = 0.25 - 1e-12
    assert tolerance < 0.25 and tolerance + 1e-12 == 0.25
    result = separate_thresholds(segment_sweeps(y, s, seg), CostMatrix(fp_cost=1.0, fn_cost=50.0), 0.5,
                                 tolerance=tolerance)
    a = result.frame.set_index("Segment").loc["a"]
    assert a["Recall within band"] == 0.75 and a["Threshold within recall band"] == 0.7
    assert a["Band note"] == ""


# --- segment names are unique ------------------------------------------------------------------


def test_numeric_categories_close_together_get_names_that_tell_them_apart():
    # Four significant digits name both 1.00001 and 1.00002 "1": two segments of the same name
    # would show as two rows "1" and mix their rows up. They get just enough digits instead.
    seg = segment_labels(pd.Series([1.00001, 1.00002, 2.0] * 10))
    assert seg.order == ("1.00001", "1.00002", "2")
    assert list(seg.labels[:3]) == ["1.00001", "1.00002", "2"]
    y = np.tile([1, 0, 1], 10)
    table = segment_sweeps(y, np.linspace(0, 1, 30), seg).table(0.5)
    assert table["Segment"].tolist() == ["1.00001", "1.00002", "2", "Everyone"]
    assert table["Rows"].tolist() == [10, 10, 10, 30]


def test_integers_float64_cannot_tell_apart_are_one_segment_not_two_of_the_same_name():
    big = 2**53  # 2**53 + 1 is the same float64
    seg = segment_labels(pd.Series(np.array([big, big + 1, 5] * 5, dtype=np.int64)))
    assert len(set(seg.order)) == len(seg.order) == 2


def test_text_values_differing_only_by_a_trailing_nul_are_two_segments():
    seg = segment_labels(pd.Series(["a", "a\x00", "b"] * 5))
    assert seg.order == ("a", "a\x00", "b")
    assert (seg.labels == "a\x00").sum() == 5


def test_recalls_equally_near_the_band_up_to_rounding_take_the_cheaper_cut():
    # Tolerance 0 and no cut of 'a' at the target 0.5: its nearest recalls are 0.25 (flag one positive)
    # and 0.75 + 1e-12 (flag two), the same distance up to the 1e-12 allowance. Misses cost most, so
    # the cut that flags two is taken.
    d = 1e-12
    w = np.array([0.25, 0.5 + d, 0.25 - d, 0.75, 0.25, 1.0, 1.0])
    y = np.array([1, 1, 1, 1, 1, 0, 0])
    s = np.array([0.9, 0.8, 0.7, 0.95, 0.1, 0.05, 0.96])
    labels = np.array(["a", "a", "a", "b", "b", "a", "b"], dtype=object)
    sweeps = segment_sweeps(y, s, labels, weights=w)
    costs = CostMatrix(fp_cost=1.0, fn_cost=50.0)
    result = separate_thresholds(sweeps, costs, 0.85, tolerance=0)
    assert result.target_recall == 0.5  # (0.25 + 0.75) / 2
    distance = np.abs(sweeps.curves(costs)[0]["recall"] - 0.5)
    assert distance.min() == 0.25 and (distance == 0.25 + 1e-12).sum() == 1
    a = result.frame.set_index("Segment").loc["a"]
    assert a["Band note"].startswith("no threshold keeps recall within ±0.00 of 0.500")
    assert a["Threshold within recall band"] == 0.8 and a["Recall within band"] == pytest.approx(0.75)
