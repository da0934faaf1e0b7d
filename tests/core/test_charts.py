"""Chart builders: valid Vega-Lite, bounded data, the markers where they belong, and chart data
(histograms, confusion cells) equal to numpy / hand-computed values."""

from __future__ import annotations

from types import SimpleNamespace

import altair as alt
import numpy as np
import pandas as pd
import pytest

from core import charts
from core.costs import CostMatrix
from core.thresholds import pr_points, roc_auc, roc_points, threshold_sweep


def _layer_values(spec: dict) -> list[list[dict]]:
    """Inline data rows of every layer of an Altair spec (datasets resolved)."""
    datasets = spec.get("datasets", {})
    out = []
    for layer in spec.get("layer", [spec]):
        data = layer.get("data", spec.get("data", {}))
        if "name" in data:
            out.append(datasets[data["name"]])
        elif "values" in data:
            out.append(data["values"])
    return out


@pytest.fixture(scope="module")
def big_sweep():
    rng = np.random.default_rng(0)
    y = (rng.random(20_000) < 0.3).astype(int)
    scores = np.clip(rng.normal(0.35 + 0.3 * y, 0.2), 0, 1)
    return y, scores, threshold_sweep(y, scores, costs=CostMatrix(fp_cost=10, fn_cost=50))


def test_thin_keeps_both_ends_and_bounds_rows():
    df = pd.DataFrame({"a": np.arange(10_001)})
    thinned = charts.thin(df, 1000)
    assert len(thinned) <= 1000
    assert thinned["a"].iloc[0] == 0 and thinned["a"].iloc[-1] == 10_000
    assert charts.thin(df.head(10), 1000) is not None and len(charts.thin(df.head(10), 1000)) == 10


def test_metrics_chart_on_a_large_frame_stays_under_altairs_row_limit(big_sweep):
    _, _, sweep = big_sweep
    frame = sweep.frame(max_points=20_000)  # deliberately more than Altair accepts once melted
    assert len(frame) * 3 > 5000
    spec = charts.metrics_chart(frame, threshold=0.42, recommended=0.31).to_dict()  # raises MaxRowsError if not thinned
    rows = _layer_values(spec)
    assert all(len(r) <= charts.MAX_ROWS for r in rows)
    markers = [r for r in rows if r and "marker" in r[0]][0]
    assert {m["marker"]: m["threshold"] for m in markers} == {"Current threshold": 0.42, "Recommended": 0.31}
    lines = [r for r in rows if r and "metric" in r[0] and "value" in r[0]][0]
    assert {r["metric"] for r in lines} == {"Precision", "Recall", "F1"}
    assert all(np.isfinite(r["threshold"]) for r in lines)  # the +inf "flag nobody" row is dropped


def test_cost_chart_plots_the_sweeps_costs_and_bands(big_sweep):
    _, _, sweep = big_sweep
    frame = sweep.frame(max_points=500)
    bands = pd.DataFrame({"threshold": [0.2, 0.4], "metric": ["cost", "cost"], "low": [1.0, 2.0], "high": [3.0, 4.0]})
    spec = charts.cost_chart(frame, threshold=0.5, bands=bands, currency="€").to_dict()
    rows = _layer_values(spec)
    band_rows = [r for r in rows if r and "low" in r[0]][0]
    assert [b["high"] for b in band_rows] == [3.0, 4.0]
    cost_rows = [r for r in rows if r and "cost" in r[0]][0]
    finite = frame[np.isfinite(frame["threshold"])]
    expected = dict(zip(finite["threshold"], finite["cost"]))
    for row in cost_rows:
        assert row["cost"] == pytest.approx(expected[row["threshold"]])
    assert "€" in str(spec)


def test_roc_and_pr_charts_carry_auc_and_the_operating_point(big_sweep):
    y, scores, sweep = big_sweep
    point = sweep.at(0.5)
    roc_spec = charts.roc_chart(roc_points(sweep), fpr=point.fpr, tpr=point.recall, auc=roc_auc(sweep)).to_dict()
    from sklearn.metrics import roc_auc_score

    assert f"{roc_auc_score(y, scores):.3f}" in roc_spec["title"]
    operating = [r for r in _layer_values(roc_spec) if len(r) == 1][0][0]
    assert operating["x"] == pytest.approx(np.mean(scores[y == 0] >= 0.5))
    assert operating["y"] == pytest.approx(np.mean(scores[y == 1] >= 0.5))
    pr_spec = charts.pr_chart(pr_points(sweep), recall=point.recall, precision=point.precision, ap=0.5,
                              prevalence=y.mean()).to_dict()
    assert "0.500" in pr_spec["title"]


def test_score_histogram_matches_numpy_per_class():
    rng = np.random.default_rng(1)
    y = (rng.random(1000) < 0.2).astype(int)
    scores = rng.random(1000)
    hist = charts.score_histogram(y, scores, bins=10, lo=0.0, hi=1.0, positive_label="fraud", negative_label="ok")
    for label, mask in (("fraud", y == 1), ("ok", y == 0)):
        part = hist[hist["class"] == label]
        expected, _ = np.histogram(scores[mask], bins=np.linspace(0, 1, 11))
        assert part["count"].tolist() == expected.tolist()
        assert part["share"].sum() == pytest.approx(1.0)
    spec = charts.score_distribution_chart(hist, threshold=0.7).to_dict()
    assert [r for r in _layer_values(spec) if len(r) == 1][0] == [{"threshold": 0.7, "marker": "Current threshold"}]


def test_confusion_frame_counts_shares_and_money_by_hand():
    point = SimpleNamespace(tp=30, fp=10, tn=50, fn=10)
    costs = CostMatrix(fp_cost=100, fn_cost=500, tp_value=20, tn_value=1)
    cells = charts.confusion_frame(point, costs, positive_label="fraud", negative_label="legit").set_index("outcome")
    assert cells.loc["True positive", "count"] == 30 and cells.loc["True negative", "share"] == pytest.approx(0.5)
    assert cells.loc["False positive", "money"] == 1000  # 10 false alarms at 100
    assert cells.loc["False negative", "money"] == 5000
    assert cells.loc["True positive", "money"] == -600  # a gain is negative cost
    assert cells["money"].sum() == pytest.approx(costs.total(30, 10, 50, 10))
    assert cells.loc["False positive", "actual"] == "Actually legit"
    text = str(charts.confusion_chart(cells.reset_index()).to_dict())
    assert "+$5,000" in text and "-$600" in text and "30 (30.0%)" in text


def test_confusion_frame_without_costs_has_no_money():
    cells = charts.confusion_frame(SimpleNamespace(tp=1, fp=1, tn=1, fn=1))
    assert cells["money"].isna().all()
    charts.confusion_chart(cells).to_dict()


def test_capacity_decision_and_reliability_charts_validate(big_sweep):
    y, scores, sweep = big_sweep
    frame = sweep.frame(max_points=300)
    assert isinstance(charts.capacity_chart(frame, positive_rate=0.1, recall=0.3), alt.LayerChart)
    charts.capacity_chart(frame, positive_rate=0.1, recall=0.3).to_dict()
    curve = pd.DataFrame({"threshold": np.linspace(0.01, 0.99, 50), "model": np.linspace(0.2, 0, 50),
                          "treat_all": np.linspace(0.3, -3, 50), "treat_none": 0.0})
    charts.decision_curve_chart(curve, threshold=0.3).to_dict()
    rel = pd.DataFrame({"mean_predicted": [0.1, 0.5, 0.9], "fraction_positive": [0.12, 0.4, 0.95], "count": [5, 6, 7]})
    charts.reliability_chart(rel).to_dict()


def test_chart_spec_then_with_data_moves_only_the_slider_datasets(big_sweep):
    _, _, sweep = big_sweep
    frame = sweep.frame(max_points=300)
    chart = charts.metrics_chart(frame, threshold=0.2, recommended=0.5)
    spec = charts.chart_spec(chart)
    assert all(isinstance(d, pd.DataFrame) for d in spec["datasets"].values())
    assert "view" not in spec.get("config", {})  # the renderer's theme sizes the chart
    moved = charts.with_data(spec, {charts.MARKERS: charts.marker_rows(0.7, 0.5)})
    assert spec["datasets"][charts.MARKERS]["threshold"].tolist() == [0.2, 0.5]  # cached spec untouched
    assert moved["datasets"][charts.MARKERS] == [{"threshold": 0.7, "marker": "Current threshold"},
                                                  {"threshold": 0.5, "marker": "Recommended"}]
    # Same result as building the chart at the new threshold, apart from the dataset's form.
    rebuilt = charts.chart_spec(charts.metrics_chart(frame, threshold=0.7, recommended=0.5))
    assert {k: v for k, v in moved.items() if k != "datasets"} == {k: v for k, v in rebuilt.items() if k != "datasets"}
    assert rebuilt["datasets"][charts.MARKERS].to_dict("records") == moved["datasets"][charts.MARKERS]
    with pytest.raises(KeyError):
        charts.with_data(spec, {"no_such_dataset": []})


def test_confusion_rows_match_a_rebuilt_chart():
    costs = CostMatrix(fp_cost=10, fn_cost=100)
    before = charts.confusion_frame(SimpleNamespace(tp=5, fp=3, tn=90, fn=2), costs)
    after = charts.confusion_frame(SimpleNamespace(tp=6, fp=8, tn=85, fn=1), costs)
    spec = charts.chart_spec(charts.confusion_chart(before))
    moved = charts.with_data(spec, {charts.CELLS: charts.confusion_rows(after)})
    rows = {r["outcome"]: r for r in moved["datasets"][charts.CELLS]}
    assert rows["False positive"]["line2"] == "8 (8.0%)" and rows["False positive"]["line3"] == "+$80"
    assert rows["True negative"]["line3"] == "$0"


def test_models_side_by_side_charts_hold_each_models_own_curve(big_sweep):
    y, scores, sweep = big_sweep
    other = threshold_sweep(y, scores ** 3, costs=CostMatrix(fp_cost=10, fn_cost=50))
    sweeps = {"first": sweep, "cubed": other}
    for build in (charts.models_roc_chart, charts.models_pr_chart, charts.models_cost_chart):
        spec = build(sweeps).to_dict()
        rows = [r for r in _layer_values(spec) if r and "model" in r[0]][0]
        assert {r["model"] for r in rows} == {"first", "cubed"} and len(rows) <= 2 * 410
    cost_rows = [r for r in _layer_values(charts.models_cost_chart(sweeps).to_dict()) if r and "model" in r[0]][0]
    for row in (r for r in cost_rows if r["model"] == "cubed"):
        i = int(np.flatnonzero(np.isclose(other.positive_rate, row["flagged"]) & np.isclose(other.cost, row["cost"]))[0])
        assert other.cost[i] == pytest.approx(row["cost"])


def test_the_models_cost_chart_takes_new_costs_by_swapping_its_rows(big_sweep):
    # Built once per data; a cost edit swaps in the re-costed curves. Swapped, it holds exactly
    # what a chart built afresh for the new costs holds.
    y, scores, sweep = big_sweep
    other = threshold_sweep(y, scores ** 3)
    before = {"first": sweep.with_costs(CostMatrix(10, 50)), "cubed": other.with_costs(CostMatrix(10, 50))}
    new_costs = CostMatrix(80, 5, tp_value=3)
    after = {"first": sweep.with_costs(new_costs), "cubed": other.with_costs(new_costs)}
    spec = charts.chart_spec(charts.models_cost_chart(before))
    swapped = charts.with_data(spec, {charts.MODELS_COST: charts.models_cost_rows(after)})
    fresh = charts.chart_spec(charts.models_cost_chart(after))
    assert {k: v for k, v in swapped.items() if k != "datasets"} == {k: v for k, v in fresh.items() if k != "datasets"}
    pd.testing.assert_frame_equal(swapped["datasets"][charts.MODELS_COST].reset_index(drop=True),
                                  fresh["datasets"][charts.MODELS_COST].reset_index(drop=True), check_dtype=False)
    assert not charts.models_cost_rows(before).equals(charts.models_cost_rows(after))  # the costs did change
