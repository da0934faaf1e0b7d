"""core.segment_charts, the parts its first tests left open (found by mutation testing):
which column of the rows each channel of the chart draws, the x scale, the colour domain,
the interval level in the words of the chart, and the named dataset as JSON-ready records.

Colours, widths, fonts and number formats are presentation, checked on the screenshot of
the segments flow (tests/e2e/test_segments_flow.py), not here."""

from __future__ import annotations

import functools
import json
import math

import numpy as np
import pandas as pd
import pytest

from core.segment_charts import CHART_RATES, SEGMENT_RATES, segment_rate_rows, segment_rates_chart
from core.segments import TOO_FEW, segment_sweeps

STATUSES = ["within four-fifths", "below four-fifths", TOO_FEW]
ROW_COLUMNS = ["Segment", "Rate", "Value", "Low", "High", "Overall", "Status"]


@functools.lru_cache(maxsize=None)
def _table(threshold: float = 0.5, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 2000
    seg = rng.choice(["a", "b", "c", "small"], n, p=[0.45, 0.3, 0.24, 0.01]).astype(object)
    y = rng.random(n) < 0.3
    s = np.clip(rng.normal(0.4 + 0.3 * y - 0.25 * (seg == "b"), 0.2), 0, 1)
    return segment_sweeps(y, s, seg).table(threshold)


def _spec(level: float | None = None, order=None, rows=None):
    table = _table().copy()
    order = list(table["Segment"].iloc[:-1]) if order is None else order
    rows = segment_rate_rows(table) if rows is None else rows
    chart = segment_rates_chart(order, rows) if level is None else segment_rates_chart(order, rows, level=level)
    return chart.to_dict(), order, rows


def _channel(encoding: dict) -> tuple:
    return encoding.get("field"), encoding.get("type"), encoding.get("aggregate")


def _layers(spec: dict) -> dict:
    intervals, points, overall = spec["spec"]["layer"]
    return {"intervals": intervals, "points": points, "overall": overall}


def test_each_layer_draws_the_rows_columns_it_names():
    spec, order, rows = _spec()
    layers = _layers(spec)
    intervals, points, overall = (layers[k]["encoding"] for k in ("intervals", "points", "overall"))
    assert layers["intervals"]["mark"]["type"] == "rule" and layers["points"]["mark"]["type"] == "circle"
    # a bar from Low to High, a dot at Value, one row per segment in the order given
    assert _channel(intervals["x"]) == ("Low", "quantitative", None)
    assert _channel(intervals["x2"])[0] == "High"
    assert _channel(points["x"]) == ("Value", "quantitative", None)
    for enc in (intervals, points):
        assert _channel(enc["y"]) == ("Segment", "nominal", None)
        assert enc["y"]["sort"] == order
        assert _channel(enc["color"]) == ("Status", "nominal", None)
    # everyone's rate: one dashed line per panel at the (constant) Overall value
    assert _channel(overall["x"]) == ("Overall", "quantitative", "mean")
    assert set(overall) == {"x", "tooltip"}
    # one panel per rate, in the table's order, sharing one x scale
    assert _channel(spec["facet"]["column"]) == ("Rate", "nominal", None)
    assert spec["facet"]["column"]["sort"] == list(CHART_RATES)
    assert spec["resolve"]["scale"]["x"] == "shared"
    assert spec["data"] == {"name": SEGMENT_RATES}


def test_every_field_the_chart_reads_is_a_column_of_the_rows():
    spec, _, rows = _spec()
    fields = []

    def walk(node):
        if isinstance(node, dict):
            if "field" in node:
                fields.append(node["field"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec["spec"])
    walk(spec["facet"])
    assert fields and set(fields) <= set(rows.columns)
    # and every tooltip entry names a column (a tooltip without a field shows nothing)
    for layer in spec["spec"]["layer"]:
        assert all("field" in tip for tip in layer["encoding"]["tooltip"])


def test_rates_are_placed_on_a_fixed_zero_to_one_axis():
    spec, _, _ = _spec()
    scale = _layers(spec)["points"]["encoding"]["x"]["scale"]
    assert scale["domain"] == [0, 1] and scale["nice"] is False
    # the axis and the segment labels are drawn (an axis of None hides them)
    points = _layers(spec)["points"]["encoding"]
    assert points["x"].get("axis", {}) is not None and points["y"].get("axis", {}) is not None


def test_colour_says_the_status_with_one_colour_each():
    spec, _, rows = _spec()
    for name in ("intervals", "points"):
        color = _layers(spec)[name]["encoding"]["color"]
        assert color["scale"]["domain"] == STATUSES
        assert len(set(color["scale"]["range"])) == len(STATUSES)
        assert color.get("legend", {}) is not None  # the legend explains the colours
    assert set(rows["Status"]) <= set(STATUSES)


def test_tooltips_show_every_column_of_a_row():
    spec, _, _ = _spec()
    for name in ("intervals", "points"):
        tips = _layers(spec)[name]["encoding"]["tooltip"]
        assert [(t["field"], t["type"]) for t in tips] == [
            ("Segment", "nominal"), ("Rate", "nominal"), ("Value", "quantitative"), ("Low", "quantitative"),
            ("High", "quantitative"), ("Overall", "quantitative"), ("Status", "nominal")]
    (everyone,) = _layers(spec)["overall"]["encoding"]["tooltip"]
    assert _channel(everyone) == ("Overall", "quantitative", "mean")


@pytest.mark.parametrize("level, words", [(None, "90%"), (0.8, "80%"), (0.95, "95%")])
def test_the_interval_level_is_named_in_the_tooltips_and_the_title(level, words):
    spec, _, _ = _spec(level)
    assert f"({words} intervals" in spec["title"]
    for name in ("intervals", "points"):
        titles = {t["field"]: t.get("title") for t in _layers(spec)[name]["encoding"]["tooltip"]}
        assert titles["Low"] == f"{words} low" and titles["High"] == f"{words} high"
        assert titles["Overall"] == "Everyone"


def test_the_named_dataset_holds_the_rows_as_json_records_with_nulls_for_undefined():
    y = np.array([1, 0, 0, 0, 1, 1, 0, 0])
    s = np.array([0.9, 0.2, 0.1, 0.3, 0.8, 0.4, 0.7, 0.2])
    table = segment_sweeps(y, s, np.array(["a", "a", "b", "b", "a", "a", "a", "a"], dtype=object)).table(0.5)
    rows = segment_rate_rows(table)
    assert rows.isna().any().any()  # b has no positives: its recall interval is undefined
    records = segment_rates_chart(["a", "b"], rows).to_dict()["datasets"][SEGMENT_RATES]
    json.dumps(records, allow_nan=False)  # valid JSON: no NaN
    assert len(records) == len(rows)
    for record, (_, row) in zip(records, rows.iterrows()):
        assert list(record) == ROW_COLUMNS
        for key in ROW_COLUMNS:
            value = row[key]
            if isinstance(value, float) and not math.isfinite(value):
                assert record[key] is None
            else:
                assert record[key] == value
    assert segment_rates_chart(["a", "b"]).to_dict()["datasets"][SEGMENT_RATES] == []
