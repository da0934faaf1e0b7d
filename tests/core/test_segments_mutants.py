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

import numpy as np
import pandas as pd
import pytest

from core.costs import CostMatrix
from core.segments import (
    ANALYSIS_CAVEAT,
    segment_records,
    segment_report_rows,
    segment_sweeps,
    segments_payload,
    separate_thresholds,
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
