"""core.segment_charts: the rows say what the table says, and the chart is a valid Vega-Lite
spec whose named dataset can be swapped per threshold."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from core import charts
from core.segment_charts import CHART_RATES, SEGMENT_RATES, segment_rate_rows, segment_rates_chart
from core.segments import segment_sweeps


def _table(threshold: float = 0.5) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    n = 2000
    seg = rng.choice(["a", "b", "c", "small"], n, p=[0.45, 0.3, 0.24, 0.01]).astype(object)
    y = rng.random(n) < 0.3
    s = np.clip(rng.normal(0.4 + 0.3 * y - 0.25 * (seg == "b"), 0.2), 0, 1)
    return segment_sweeps(y, s, seg).table(threshold)


def test_rows_carry_each_segments_rate_interval_overall_and_status():
    table = _table()
    rows = segment_rate_rows(table)
    assert len(rows) == (len(table) - 1) * len(CHART_RATES)
    by = rows.set_index(["Segment", "Rate"])
    indexed = table.set_index("Segment")
    for segment in indexed.index[:-1]:
        for rate in CHART_RATES:
            row = by.loc[(segment, rate)]
            assert row["Value"] == indexed.loc[segment, rate]
            assert row["Low"] == indexed.loc[segment, f"{rate} low"]
            assert row["High"] == indexed.loc[segment, f"{rate} high"]
            assert row["Overall"] == table[rate].iloc[-1]
            marks = indexed.loc[segment, "Marks"]
            expected = ("too few to judge" if marks == "too few to judge"
                        else "below four-fifths" if rate.lower() in marks else "within four-fifths")
            assert row["Status"] == expected
    assert by.loc[("small", "Flag rate"), "Status"] == "too few to judge"
    assert by.loc[("b", "Flag rate"), "Status"] == "below four-fifths"  # b is scored lower


def test_chart_is_valid_vega_lite_with_a_swappable_named_dataset():
    table = _table()
    order = list(table["Segment"].iloc[:-1])
    spec = charts.chart_spec(segment_rates_chart(order, segment_rate_rows(table)))
    assert SEGMENT_RATES in spec["datasets"] and len(spec["datasets"][SEGMENT_RATES]) == 8
    assert spec["facet"]["column"]["field"] == "Rate"
    layers = spec["spec"]["layer"]
    assert [layer["mark"]["type"] for layer in layers] == ["rule", "circle", "rule"]
    assert layers[1]["encoding"]["y"]["sort"] == order
    # The same spec with another threshold's rows: only the dataset changes.
    moved = charts.with_data(spec, {SEGMENT_RATES: segment_rate_rows(_table(0.8))})
    assert moved["spec"] == spec["spec"] and not moved["datasets"][SEGMENT_RATES].equals(
        spec["datasets"][SEGMENT_RATES])


def test_undefined_intervals_become_nulls_in_the_chart_data():
    y = np.array([1, 0, 0, 0])
    s = np.array([0.9, 0.2, 0.1, 0.3])
    table = segment_sweeps(y, s, np.array(["a", "a", "b", "b"], dtype=object)).table(0.5)
    rows = segment_rate_rows(table)
    assert math.isnan(rows.set_index(["Segment", "Rate"]).loc[("b", "Recall"), "Low"])
    spec = charts.chart_spec(segment_rates_chart(["a", "b"], rows))
    records = spec["datasets"][SEGMENT_RATES]
    assert records.loc[(records["Segment"] == "b") & (records["Rate"] == "Recall"), "Low"].isna().all()
