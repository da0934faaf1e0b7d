"""core.exports, number by number: the report's charts draw the sweep's own values where the
axes say, the metrics and scenario tables state the points' numbers, the model JSON's plain
data, and the scored CSV's decision and cost columns at their edges.

``test_exports.py`` covers escaping and the main round trips; here every number an export
shows is compared with one computed directly from the rows or the sweep.
"""

from __future__ import annotations

import io
import json
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from core.costs import CostMatrix
from core.exports import (
    DecisionReport,
    describe_preprocessor,
    metrics_table,
    model_dict,
    model_json,
    neutralise_cell,
    report_html,
    report_markdown,
    scenario_costs,
    scenario_record,
    scenarios_frame,
    scored_csv,
)
from core.thresholds import threshold_sweep

COSTS = CostMatrix(fp_cost=100, fn_cost=1000)


def _sweep(n=500, seed=3, costs=COSTS):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    scores = np.clip(rng.normal(0.3 + 0.3 * y, 0.2), 0, 1)
    return y, scores, threshold_sweep(y, scores, costs=costs)


def _report(sweep, **extra):
    fields = dict(dataset="loans", target="default", positive_class="yes", mode="Use my scores",
                  evaluated_on="all rows", threshold=0.4, costs=sweep.costs, point=sweep.at(0.4))
    fields.update(extra)
    return DecisionReport(**fields)


# ---------------------------------------------------------------------------------------
# the report's charts


def _svgs(page: str) -> list[str]:
    return re.findall(r"<svg.*?</svg>", page, flags=re.S)


def _polylines(svg: str) -> list[np.ndarray]:
    return [np.array([[float(v) for v in p.split(",")] for p in points.split()])
            for points in re.findall(r'<polyline[^>]*points="([^"]*)"', svg)]


def _affine(data: np.ndarray, pixels: np.ndarray) -> tuple[float, float]:
    """(offset, slope) of pixels = offset + slope * data, checked to the drawing's 0.1 px."""
    slope, offset = np.polyfit(data, pixels, 1)
    assert np.abs(offset + slope * data - pixels).max() <= 0.06
    return offset, slope


def _ticks(svg: str, anchor: str) -> list[tuple[float, float, str]]:
    """(x, y, text) of the axis labels with this text-anchor."""
    return [(float(x), float(y), t) for x, y, t in
            re.findall(rf'<text x="([-\d.]+)" y="([-\d.]+)" text-anchor="{anchor}">([^<]*)</text>', svg)]


def test_the_metric_chart_draws_the_sweeps_values_on_its_axes():
    _, _, sweep = _sweep()
    curve = sweep.frame(max_points=300)
    page = report_html(_report(sweep, curve=curve, x_range=(0.0, 1.0)))
    metrics_svg, cost_svg = _svgs(page)
    finite = curve[np.isfinite(curve["threshold"])].sort_values("threshold")
    t = finite["threshold"].to_numpy(float)
    lines = _polylines(metrics_svg)
    assert len(lines) == 3  # precision, recall, F1, in that order
    x_axis = y_axis = None
    for line, column in zip(lines, ("precision", "recall", "f1")):
        values = finite[column].to_numpy(float)
        ok = np.isfinite(values)
        assert len(line) == ok.sum()
        x_axis = _affine(t[ok], line[:, 0])
        y_axis = _affine(values[ok], line[:, 1])
        assert x_axis[1] > 0 and y_axis[1] < 0  # x grows to the right, y upwards
    # The axes' tick labels sit where the same mapping puts their values: y 0..1, x 0..1.
    y_ticks = _ticks(metrics_svg, "end")
    assert [text for _, _, text in y_ticks] == ["0.00", "0.25", "0.50", "0.75", "1.00"]
    for _, y, text in y_ticks:
        assert y - 4 == pytest.approx(y_axis[0] + y_axis[1] * float(text), abs=0.06)
    x_ticks = [(x, text) for x, _, text in _ticks(metrics_svg, "middle") if re.fullmatch(r"[-\d.e+]+", text)]
    assert [text for _, text in x_ticks] == ["0", "0.25", "0.5", "0.75", "1"]
    for x, text in x_ticks:
        assert x == pytest.approx(x_axis[0] + x_axis[1] * float(text), abs=0.06)
    # The red line is at the threshold.
    red = re.search(r'<line x1="([\d.]+)" x2="([\d.]+)"[^>]*stroke="#d62728"', metrics_svg)
    assert float(red.group(1)) == float(red.group(2)) == pytest.approx(x_axis[0] + x_axis[1] * 0.4, abs=0.06)
    # The cost chart: the sweep's cost on an axis from its smallest to its largest value.
    (cost_line,) = _polylines(cost_svg)
    cost = finite["cost"].to_numpy(float)
    cx = _affine(t, cost_line[:, 0])
    cy = _affine(cost, cost_line[:, 1])
    assert cx == pytest.approx(x_axis, abs=1e-3)
    top, bottom = cost_line[:, 1].min(), cost_line[:, 1].max()
    assert cy[0] + cy[1] * cost.max() == pytest.approx(top, abs=0.06)
    cost_ticks = [float(text.replace(",", "")) for _, _, text in _ticks(cost_svg, "end")]
    assert cost_ticks == pytest.approx(np.linspace(cost.min(), cost.max(), 5), abs=0.51)
    assert "Cost ($)" in cost_svg


def test_a_chart_over_the_datas_own_range_spans_the_scores():
    rng = np.random.default_rng(5)
    y = (rng.random(300) < 0.4).astype(int)
    scores = rng.normal(2.0 * y, 1.5)  # not probabilities: the axis is the scores' range
    sweep = threshold_sweep(y, scores, costs=COSTS)
    curve = sweep.frame(max_points=200)
    page = report_html(_report(sweep, curve=curve, threshold=float(np.median(scores)),
                               point=sweep.at(float(np.median(scores)))))
    metrics_svg = _svgs(page)[0]
    finite = curve[np.isfinite(curve["threshold"])]
    x_ticks = [float(text) for _, _, text in _ticks(metrics_svg, "middle") if re.fullmatch(r"[-\d.e+]+", text)]
    lo, hi = finite["threshold"].min(), finite["threshold"].max()
    assert x_ticks == pytest.approx(np.linspace(lo, hi, 5), rel=2e-3, abs=2e-3)
    line = _polylines(metrics_svg)[0]
    assert line[:, 0].min() == pytest.approx(70, abs=0.06) and line[:, 0].max() == pytest.approx(620, abs=0.06)


def test_a_long_curve_is_thinned_to_400_points_keeping_both_ends():
    rng = np.random.default_rng(6)
    y = (rng.random(3000) < 0.3).astype(int)
    scores = rng.random(3000)
    sweep = threshold_sweep(y, scores, costs=COSTS)
    curve = sweep.frame(max_points=5000)
    finite = curve[np.isfinite(curve["threshold"])].sort_values("threshold")
    assert len(finite) > 400
    page = report_html(_report(sweep, curve=curve, x_range=(0.0, 1.0)))
    line = _polylines(_svgs(page)[0])[0]
    assert len(line) == 400
    x_axis = (70.0, 550.0)  # x_range (0, 1) over the plot's width, as the ticks above check
    t = (line[:, 0] - x_axis[0]) / x_axis[1]
    assert t[0] == pytest.approx(finite["threshold"].iloc[0], abs=2e-4)
    assert t[-1] == pytest.approx(finite["threshold"].iloc[-1], abs=2e-4)
    assert np.all(np.diff(t) > 0)


def test_no_red_line_for_a_threshold_off_the_axis_and_no_chart_without_two_points():
    _, _, sweep = _sweep()
    curve = sweep.frame(max_points=100)
    page = report_html(_report(sweep, curve=curve, x_range=(0.0, 1.0), threshold=1.5, point=sweep.at(1.5)))
    assert 'stroke="#d62728"' not in page
    page = report_html(_report(sweep, curve=curve, x_range=(0.0, 1.0), threshold=1.0, point=sweep.at(1.0)))
    assert all('stroke="#d62728"' in svg for svg in _svgs(page))  # on the axis's end: drawn
    one = curve[np.isfinite(curve["threshold"])].head(1)
    assert _svgs(report_html(_report(sweep, curve=one))) == []


def test_without_costs_in_the_curve_there_is_one_chart():
    _, _, sweep = _sweep()
    curve = sweep.frame(max_points=100)
    curve["cost"] = np.nan
    page = report_html(_report(sweep, curve=curve))
    assert len(_svgs(page)) == 1 and "Business cost by threshold" not in page
    assert len(_svgs(report_html(_report(sweep, curve=curve.drop(columns="cost"))))) == 1
    assert "<h2>Charts</h2>" not in report_html(_report(sweep, curve=None))


# ---------------------------------------------------------------------------------------
# the report's tables


def test_the_result_rows_state_each_points_counts_and_money():
    y, scores, sweep = _sweep()
    test = threshold_sweep(y[:200], scores[:200], costs=COSTS).at(0.4)
    report = _report(sweep, evaluated_on="", test_point=test)
    text = report_markdown(report)
    assert "| Measure | Evaluation | Test split |" in text
    flagged = scores >= 0.4
    for title, mask in (("True positives", flagged & (y == 1)), ("False positives \\(false alarms\\)",
                                                                  flagged & (y == 0)),
                        ("False negatives \\(missed\\)", ~flagged & (y == 1)), ("True negatives", ~flagged & (y == 0))):
        row = next(line for line in text.splitlines() if line.startswith(f"| {title} |"))
        first = int(mask.sum())
        second = int(mask[:200].sum())
        assert row == f"| {title} | {first:,} | {second:,} |"
    share = next(line for line in text.splitlines() if line.startswith("| Share flagged |"))
    assert share == f"| Share flagged | {flagged.mean():.3f} | {flagged[:200].mean():.3f} |"
    cost = next(line for line in text.splitlines() if line.startswith("| Business cost |"))
    money = 100 * (flagged & (y == 0)).sum() + 1000 * (~flagged & (y == 1)).sum()
    assert cost.startswith(f"| Business cost | ${money:,.0f} |")


def test_the_setting_rows_state_the_rule_and_every_cost():
    _, _, sweep = _sweep(costs=CostMatrix(12.5, 400, 3, 0.75, "€"))
    report = _report(sweep, threshold=0.123456)
    rows = dict(re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td></tr>", report_html(report)))
    assert rows["Decision threshold"] == "0.1235 (flag when score ≥ threshold)"
    assert rows["Chosen by"] == "set by hand"
    assert (rows["Cost of a false positive"], rows["Cost of a false negative"]) == ("€12.50", "€400")
    assert (rows["Value of a true positive"], rows["Value of a true negative"]) == ("€3.00", "€0.75")
    assert rows["Target"] == "default (positive class: yes)" and rows["Mode"] == "Use my scores"
    report.objective = "Lowest business cost"
    rows = dict(re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td></tr>", report_html(report)))
    assert rows["Chosen by"] == "Lowest business cost"


def test_per_case_rows_name_a_default_column_and_the_rate_row_its_own_mix():
    _, _, sweep = _sweep()
    report = _report(sweep, costs=CostMatrix(100, 0, fn_pct=60), positive_rate=0.05)
    text = report_markdown(report)
    assert "| False negative: % of amount | 60% of each case's the amount column |" in text
    assert "5.00% assumed. Precision" in text and "the data has" not in text


def test_the_markdown_says_when_there_is_no_held_out_test_split():
    _, _, sweep = _sweep()
    note = "No held-out test split"
    assert note in report_markdown(_report(sweep))
    assert note not in report_markdown(_report(sweep, mode=""))
    assert note not in report_markdown(_report(sweep, test_point=sweep.at(0.4)))
    text = report_markdown(_report(sweep, explanation="At 0.4 you catch most."))
    assert "> At 0.4 you catch most." in text and ">" not in report_markdown(_report(sweep)).replace("≥", "")
    assert text.startswith("# Decision report\n\n_Generated ") and "\n## Setting\n" in text


def test_metrics_table_states_each_points_numbers():
    y, scores, sweep = _sweep()
    costs = CostMatrix(100, 1000)
    points = {"validation": sweep.at(0.4), "test": threshold_sweep(y[:150], scores[:150], costs=costs).at(0.55)}
    table = metrics_table(points, costs)
    assert list(table.columns) == ["validation", "test"]
    assert list(table.index) == ["Precision", "Recall", "F1", "Accuracy", "Share flagged", "Business cost",
                                 "Cases flagged"]
    for name, (rows, cut) in {"validation": (slice(None), 0.4), "test": (slice(0, 150), 0.55)}.items():
        yy, ss = y[rows], scores[rows]
        flagged = ss >= cut
        tp, fp = int((flagged & (yy == 1)).sum()), int((flagged & (yy == 0)).sum())
        fn = int((~flagged & (yy == 1)).sum())
        column = table[name]
        assert column["Precision"] == f"{tp / (tp + fp):.3f}" and column["Recall"] == f"{tp / (tp + fn):.3f}"
        assert column["Accuracy"] == f"{((flagged == (yy == 1))).mean():.3f}"
        assert column["Share flagged"] == f"{flagged.mean():.3f}"
        assert column["F1"] == f"{2 * tp / (2 * tp + fp + fn):.3f}"
        assert column["Business cost"] == f"${100 * fp + 1000 * fn:,.0f}"
        assert column["Cases flagged"] == f"{tp + fp:,} of {len(yy):,}"


def test_metrics_table_cost_is_in_whole_units_even_below_100():
    y = np.array([0, 1, 0, 1])
    point = threshold_sweep(y, np.array([0.9, 0.8, 0.1, 0.2]), costs=CostMatrix(0.4, 0.3)).at(0.5)
    assert metrics_table({"all": point}, CostMatrix(0.4, 0.3))["all"]["Business cost"] == "$1"


# ---------------------------------------------------------------------------------------
# scenarios


def test_scenario_costs_reads_every_field_with_its_defaults():
    saved = {"fp_cost": 1.5, "fn_cost": 2.5, "tp_value": 3.5, "tn_value": 4.5, "currency": "£",
             "fp_pct": 1.0, "fn_pct": 2.0, "tp_pct": 3.0, "tn_pct": 4.0}
    assert scenario_costs(saved) == CostMatrix(1.5, 2.5, 3.5, 4.5, "£", fp_pct=1.0, fn_pct=2.0, tp_pct=3.0,
                                               tn_pct=4.0)
    bare = scenario_costs({"fp_cost": 1, "fn_cost": 2, "tp_value": 0, "tn_value": 0})
    assert bare == CostMatrix(1, 2, 0, 0, "$") and not bare.per_case
    _, _, sweep = _sweep()
    costs = CostMatrix(5, 7, 1, 2, "€", fn_pct=10)
    record = scenario_record(name="a", threshold=0.4, costs=costs, point=sweep.at(0.4))
    assert scenario_costs(record) == costs


def test_scenarios_frame_formats_each_field_and_its_absence():
    _, _, sweep = _sweep()
    point = sweep.at(0.4)
    costs = CostMatrix(12.5, 500, 0, 0.25, "€")
    full = scenario_record(name="with review", threshold=0.4, costs=costs, point=point, objective="Lowest cost",
                           review_rate=0.125, review_cost=3.0, review_total_cost=4321.0, evaluated_on="test split")
    bare = scenario_record(name="by hand", threshold=0.4, costs=costs, point=point)
    bare["cost"] = None
    frame = scenarios_frame([full, bare])
    first, second = frame.iloc[0], frame.iloc[1]
    assert first["Review rate"] == "12.5%" and first["Cost with review"] == "€4,321"
    assert first["Objective"] == "Lowest cost" and first["Evaluated on"] == "test split"
    assert first["Costs (FP / FN / TP / TN)"] == "€12.50 / €500 / €0 / €0.25"
    assert first["Recall"] == f"{point.recall:.3f}" and first["F1"] == f"{point.f1:.3f}"
    assert first["Accuracy"] == f"{point.accuracy:.3f}"
    assert first["Business cost"] == costs.format(point.cost)
    assert second["Business cost"] == "n/a" and second["Review rate"] == "no review"
    assert second["Cost with review"] == "" and second["Objective"] == "set by hand"
    assert second["Scenario"] == "by hand"
    del bare["evaluated_on"]
    assert scenarios_frame([bare]).iloc[0]["Evaluated on"] == ""
    assert list(scenarios_frame([]).columns)[-1] == "Evaluated on"


# ---------------------------------------------------------------------------------------
# the model as JSON


class _Model:
    coef_ = np.array([[0.5, -1.25]])
    intercept_ = np.array([0.75])
    n_epochs_ = 12
    stop_reason_ = "converged"

    def get_params(self):
        return {"learning_rate": 0.1, "callback": print, "solver": "lbfgs"}


def test_model_dict_names_coefficients_by_position_when_the_names_do_not_fit():
    data = model_dict(_Model(), SimpleNamespace(feature_names=["only one"]), threshold=0.3, costs=None)
    assert data["feature_names"] == ["x0", "x1"] and data["coefficients"] == {"x0": 0.5, "x1": -1.25}
    assert data["costs"] is None and data["intercept"] == 0.75 and data["threshold"] == 0.3
    assert data["training"] == {"params": {"learning_rate": 0.1, "solver": "lbfgs"}, "epochs": 12,
                                "stop_reason": "converged"}
    assert data["preprocessing"] == [] and data["format"] == "cutoff.logistic_regression.v1"
    named = model_dict(_Model(), SimpleNamespace(feature_names=["a", "b"]), threshold=0.3, costs=None)
    assert named["coefficients"] == {"a": 0.5, "b": -1.25}


def test_model_json_writes_numpy_values_and_missing_ones_as_plain_json():
    text = model_json(_Model(), SimpleNamespace(feature_names=["a", "b"]), threshold=np.float32(0.25),
                      costs=CostMatrix(1, 2), target=np.str_("y"), positive_class=np.bool_(True),
                      segments={"column": "region", "rows": [1, 2]})
    data = json.loads(text)
    assert data["positive_class"] is True and data["target"] == "y" and data["threshold"] == 0.25
    assert data["segments"] == {"column": "region", "rows": [1, 2]}
    assert data["costs"]["currency"] == "$" and data["costs"]["false_negative_cost"] == 2
    for value, want in ((np.float64(np.nan), None), (np.int64(7), 7), (pd.NA, None), ((1, 2), [1, 2]),
                        (float("inf"), None)):
        assert json.loads(model_json(_Model(), None, threshold=0.5, costs=None, positive_class=value))[
            "positive_class"] == want
    assert "segments" not in json.loads(model_json(_Model(), None, threshold=0.5, costs=None))


def _unscaled(values):
    """Identity step (a function with a docstring, for the description)."""
    return values


def test_describe_preprocessor_skips_dropped_blocks_and_describes_every_step():
    df = pd.DataFrame({"a": [1.0, 2.0, 4.0], "b": [3.0, 5.0, 9.0], "c": [0.0, 1.0, 0.0], "d": [7, 8, 9]})
    from sklearn.preprocessing import FunctionTransformer

    pre = ColumnTransformer([
        ("scaled", Pipeline([("identity", FunctionTransformer(_unscaled)), ("scale", StandardScaler())]), ["a"]),
        ("alone", StandardScaler(with_mean=False), ["b"]),
        ("gone", "drop", ["c"]),
    ], remainder="passthrough").fit(df)
    blocks = describe_preprocessor(pre)
    assert [b["name"] for b in blocks] == ["scaled", "alone", "remainder"]
    assert blocks[2]["columns"] in ([3], ["d"])  # passed through (scikit-learn may show it as a step)
    identity, scale = blocks[0]["steps"]
    assert identity["type"] == "FunctionTransformer" and identity["function"] == "_unscaled"
    assert identity["description"] == "Identity step (a function with a docstring, for the description)."
    assert scale["fitted"]["mean"] == [pytest.approx(7 / 3)] and scale["params"]["with_mean"] is True
    assert scale["fitted"]["n_samples_seen"] == 3 and "n_features_in" in scale["fitted"]
    (alone,) = blocks[1]["steps"]
    assert alone["step"] == "alone" and alone["type"] == "StandardScaler"
    assert alone["fitted"]["scale"] == [pytest.approx(np.std([3.0, 5.0, 9.0]))]
    assert alone["description"].startswith("Standardize features")
    assert describe_preprocessor(None) == []


# ---------------------------------------------------------------------------------------
# the scored CSV


def _read(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), keep_default_na=False, na_values=[""])


def test_a_score_exactly_at_the_threshold_is_flagged():
    cut = 0.3
    out = _read(scored_csv(pd.DataFrame({"a": [1, 2, 3]}), [cut, np.nextafter(cut, 0), np.inf], cut))
    assert out["decision"].iloc[:2].tolist() == [1, 0]
    assert np.isnan(out["decision"].iloc[2])  # not finite: not scored


def test_the_csv_rows_end_in_crlf_and_extra_columns_take_free_names():
    data = scored_csv(pd.DataFrame({"split": ["a", "b"], "split_2": [1, 2]}), [0.1, 0.9], 0.5,
                      extra={"split": ["train", "test"], "=f": ["x", "y"]})
    assert data.count(b"\r\n") == 3 and data.replace(b"\r\n", b"").count(b"\n") == 0
    out = _read(data)
    assert list(out.columns) == ["split", "split_2", "split_3", "'=f", "score", "decision"]
    assert out["split_3"].tolist() == ["train", "test"]


def test_the_cost_column_counts_weights_and_missing_amounts_as_nothing():
    y = np.array([1, 0, 1, 0, 1.0])
    scores = np.array([0.9, 0.8, 0.1, 0.2, 0.4])
    amounts = np.array([100.0, 200.0, 300.0, np.nan, np.nan])
    weights = np.array([2.0, 0.5, 1.0, 3.0, 4.0])
    costs = CostMatrix(10, 50, tp_value=1, fn_pct=10)
    df = pd.DataFrame({"score": [0] * 5, "decision": [0] * 5})
    out = _read(scored_csv(df, scores, 0.5, costs=costs, labels=y, amounts=amounts, weights=weights))
    assert list(out.columns) == ["score", "decision", "score_2", "decision_2", "cost"]
    # tp: -1 x 2; fp: 10 x 0.5; fn: (50 + 10% of 300) x 1; tn: 0; fn with no amount: 50 x 4
    assert out["cost"].tolist() == pytest.approx([-2.0, 5.0, 80.0, 0.0, 200.0])
    fixed = CostMatrix(10, 50, tp_value=1)
    plain = _read(scored_csv(df, scores, 0.5, costs=fixed, labels=y))
    assert plain["cost"].tolist() == pytest.approx([-1.0, 10.0, 50.0, 0.0, 50.0])
    assert "cost" not in _read(scored_csv(df, scores, 0.5, costs=costs))
    assert "cost" not in _read(scored_csv(df, scores, 0.5, labels=y))


def test_a_text_cell_that_is_a_number_stays_and_a_formula_does_not():
    for value in ("-3.5", "+1e3", "-.5", "+7", "-2.", "1e-3"):
        assert neutralise_cell(value) == value
    for value in ("-3.5)", "+1e", "-", "=1", "@1", "\t1", "\r1", "-1-1", "- 2"):
        assert neutralise_cell(value) == "'" + value
    assert neutralise_cell(-3.5) == -3.5 and neutralise_cell(None) is None


def _md_rows(block: str) -> list[list[str]]:
    """The cells of a Markdown table's lines (header first, the separator line left out), with
    the Markdown escapes (``\\(``) read back."""
    lines = [line for line in block.splitlines() if line.startswith("|") and not line.startswith("|---")]
    return [[re.sub(r"\\(.)", r"\1", cell.strip()) for cell in line.strip("|").split(" | ")] for line in lines]


def test_the_markdown_by_segment_section_states_each_segments_counts():
    from core.segments import segment_report_rows, segment_table, segments_payload

    y, scores, sweep = _sweep()
    region = np.where(np.arange(len(y)) % 3 == 0, "north", "south")
    payload = segments_payload(segment_table(y, scores, region, 0.4, costs=COSTS), column="region",
                               threshold=0.4, note="2 regions")
    scenario = scenario_record(name="base", threshold=0.4, costs=COSTS, point=sweep.at(0.4))
    text = report_markdown(_report(sweep, segments=payload, scenarios=[scenario]))
    before, section = text.split("\n## By segment: region\n\n", 1)
    assert "## Results at the chosen threshold" in before and "## Setting" in before
    table, rest = section.split("\n\n", 1)
    header, rows = segment_report_rows(payload, COSTS)
    assert _md_rows(table) == [header, *rows]
    flagged = scores >= 0.4
    for name in ("north", "south"):
        row = dict(zip(header, next(r for r in _md_rows(table) if r[0] == name)))
        mask = region == name
        assert (row["Rows"], row["Positives"]) == (f"{mask.sum():,}", f"{(mask & (y == 1)).sum():,}")
        assert row["Flagged"] == f"{(mask & flagged).sum():,}"
    assert rest.startswith("_2 regions_\n\n## Scenarios compared")
    unnamed = dict(payload, column=None, note="")
    text = report_markdown(_report(sweep, segments=unnamed))
    assert "\n## By segment: segment\n\n" in text and "_2 regions_" not in text
    assert "## By segment" not in report_markdown(_report(sweep))


# ---------------------------------------------------------------------------------------
# the charts as drawings: every element inside the picture, the plot frame where the data is


def _svg_elements(page: str):
    """Each chart parsed as XML (the SVG is well-formed), for its attributes and stray text."""
    import xml.etree.ElementTree as ET

    return [ET.fromstring(svg) for svg in _svgs(page)]


def _tag(element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _frame(svg):
    """(left, right, top, bottom) of the plot from its grid lines, and the grid lines' y from the
    lowest value to the highest."""
    grid = [el for el in svg if _tag(el) == "line" and el.get("stroke") == "#eee"]
    assert len(grid) == 5
    ys = [float(el.get("y1")) for el in grid]
    assert all(float(el.get("y2")) == y for el, y in zip(grid, ys))
    left, right = float(grid[0].get("x1")), float(grid[0].get("x2"))
    return left, right, min(ys), max(ys), ys


def _check_drawing(svg, *, width=640, height=280):
    """Nothing drawn outside the picture, no stray text between the drawing's elements, every
    line visible in its own colour and named by a legend entry of that colour."""
    assert svg.get("viewBox") == f"0 0 {width} {height}"
    assert not (svg.text or "").strip() and all(not (el.tail or "").strip() for el in svg)
    left, right, top, bottom, _ = _frame(svg)
    assert 0 <= left < right <= width and 0 <= top < bottom <= height
    for el in svg:
        tag = _tag(el)
        if tag == "text" and el.get("transform"):
            tx, ty = map(float, re.search(r"translate\(([-\d.]+) ([-\d.]+)\)", el.get("transform")).groups())
            assert 0 <= tx <= width and 0 <= ty <= height
        elif tag in ("text", "rect"):
            assert 0 <= float(el.get("x")) <= width and 0 <= float(el.get("y")) <= height, _xml(el)
    lines = [el for el in svg if _tag(el) == "polyline"]
    swatches = [el for el in svg if _tag(el) == "rect"]
    colours = [el.get("stroke") for el in lines]
    assert all(re.fullmatch(r"#[0-9a-fA-F]{6}", c or "") for c in colours) and len(set(colours)) == len(colours)
    assert [el.get("fill") for el in swatches] == colours
    xs = sorted(float(el.get("x")) for el in swatches)
    assert all(b - a >= float(swatches[0].get("width")) for a, b in zip(xs, xs[1:]))  # entries apart
    for line in lines:
        points = np.array([[float(v) for v in p.split(",")] for p in line.get("points").split()])
        assert np.isfinite(points).all()
        assert (points[:, 0] >= left - 0.06).all() and (points[:, 0] <= right + 0.06).all()
        assert (points[:, 1] >= top - 0.06).all() and (points[:, 1] <= bottom + 0.06).all()
    return left, right, top, bottom


def _xml(el) -> str:
    import xml.etree.ElementTree as ET

    return ET.tostring(el, encoding="unicode")


def _red(svg):
    (red,) = [el for el in svg if _tag(el) == "line" and el.get("stroke") == "#d62728"]
    assert red.get("x1") == red.get("x2")
    return red


def _points(el) -> np.ndarray:
    return np.array([[float(v) for v in p.split(",")] for p in el.get("points").split()])


def test_both_charts_lie_inside_the_picture_with_the_lowest_and_highest_values_on_the_plots_edges():
    _, _, sweep = _sweep()
    curve = sweep.frame(max_points=300)
    for threshold, at in ((0.0, "left"), (1.0, "right"), (0.4, None)):
        page = report_html(_report(sweep, curve=curve, x_range=(0.0, 1.0), threshold=threshold,
                                   point=sweep.at(threshold)))
        metrics_svg, cost_svg = _svg_elements(page)
        for svg in (metrics_svg, cost_svg):
            left, right, top, bottom = _check_drawing(svg)
            red = _red(svg)  # from the top of the plot to its bottom, at the threshold
            assert (float(red.get("y1")), float(red.get("y2"))) == (top, bottom)
            x = float(red.get("x1"))
            assert x == pytest.approx({"left": left, "right": right}.get(at, left + 0.4 * (right - left)), abs=0.06)
        # The value 0 on the bottom grid line and 1 on the top one; ticks say so.
        _, _, top, bottom, ys = _frame(metrics_svg)
        assert (ys[0], ys[-1]) == (bottom, top)
        # The cost axis spans the cost's range: the cheapest threshold on the bottom edge, the
        # dearest on the top one, the ticks in whole money with thousands separators.
        finite = curve[np.isfinite(curve["threshold"])]
        cost = finite["cost"].to_numpy(float)
        (line,) = [el for el in cost_svg if _tag(el) == "polyline"]
        pts = _points(line)
        _, _, top, bottom, ys = _frame(cost_svg)
        assert pts[:, 1].max() == pytest.approx(bottom, abs=0.06) and pts[:, 1].min() == pytest.approx(top, abs=0.06)
        ticks = [el.text for el in cost_svg if _tag(el) == "text" and el.get("text-anchor") == "end"]
        lo, hi = cost.min(), cost.max()
        assert ticks == [f"${lo + (hi - lo) * k / 4:,.0f}".replace("$", "") for k in range(5)]
        assert any("," in t for t in ticks)


def test_the_cost_chart_shares_the_metric_charts_x_axis_when_the_curve_covers_less():
    _, _, sweep = _sweep()
    curve = sweep.frame(max_points=300)
    curve = curve[(curve["threshold"] > 0.2) & (curve["threshold"] < 0.7)]
    page = report_html(_report(sweep, curve=curve, x_range=(0.0, 1.0)))
    metrics_svg, cost_svg = _svg_elements(page)
    for svg in (metrics_svg, cost_svg):
        left, right, _, _ = _check_drawing(svg)
        first = _points([el for el in svg if _tag(el) == "polyline"][0])
        t = curve["threshold"].sort_values().to_numpy(float)
        assert first[:, 0] == pytest.approx(left + t * (right - left), abs=0.06)


def _hand_curve(thresholds, **columns):
    frame = pd.DataFrame({"threshold": thresholds})
    for name in ("precision", "recall", "f1"):
        frame[name] = columns.get(name, 0.5)
    frame["cost"] = columns.get("cost", np.linspace(0, 100, len(frame)))
    return frame


def test_a_thinned_curve_keeps_its_first_and_last_rows_and_401_rows_are_thinned():
    n = 1001
    t = np.linspace(0, 1, n)
    precision = np.full(n, 0.5)
    precision[0], precision[-1] = 0.0, 1.0  # only the end rows reach the axis' ends
    _, _, sweep = _sweep()
    page = report_html(_report(sweep, curve=_hand_curve(t, precision=precision), x_range=(0.0, 1.0)))
    svg = _svg_elements(page)[0]
    _, _, top, bottom = _check_drawing(svg)
    line = _points([el for el in svg if _tag(el) == "polyline"][0])
    assert len(line) == 400
    assert (line[0, 1], line[-1, 1]) == (pytest.approx(bottom, abs=0.06), pytest.approx(top, abs=0.06))
    page = report_html(_report(sweep, curve=_hand_curve(np.linspace(0, 1, 401)), x_range=(0.0, 1.0)))
    assert len(_points([el for el in _svg_elements(page)[0] if _tag(el) == "polyline"][0])) == 400


def test_two_points_make_a_chart_and_infinite_thresholds_are_left_out():
    _, _, sweep = _sweep()
    page = report_html(_report(sweep, curve=_hand_curve([0.2, 0.6])))
    assert len(_svg_elements(page)) == 2
    page = report_html(_report(sweep, curve=_hand_curve([0.2])))
    assert "<figure>" not in page and _svgs(page) == []
    page = report_html(_report(sweep, curve=_hand_curve([-np.inf, 0.1, 0.5, 0.9, np.inf]), threshold=0.5))
    for svg in _svg_elements(page):
        left, right, _, _ = _check_drawing(svg)
        ticks = [float(el.text) for el in svg if _tag(el) == "text" and el.get("text-anchor") == "middle"
                 and re.fullmatch(r"[-\d.e+]+", el.text or "")]
        assert ticks == pytest.approx([0.1, 0.3, 0.5, 0.7, 0.9])
        assert len(_points([el for el in svg if _tag(el) == "polyline"][0])) == 3


def test_a_curve_at_one_threshold_or_one_cost_is_still_drawn_inside_the_plot_and_upright():
    _, _, sweep = _sweep()
    # every threshold equal: the x axis gets a width; every cost equal: the y axis gets a height.
    page = report_html(_report(sweep, curve=_hand_curve([0.3, 0.3, 0.3], cost=[50.0, 50.0, 50.0]), threshold=0.3))
    metrics_svg, cost_svg = _svg_elements(page)
    for svg in (metrics_svg, cost_svg):
        _check_drawing(svg)
        xs = [(float(el.get("x")), float(el.text)) for el in svg if _tag(el) == "text"
              and el.get("text-anchor") == "middle" and re.fullmatch(r"[-\d.e+]+", el.text or "")]
        assert xs == sorted(xs) and xs[0][1] == pytest.approx(0.3) and xs[-1][1] > 0.3  # grows to the right
        ys = [(float(el.get("y")), float(el.text.replace(",", ""))) for el in svg if _tag(el) == "text"
              and el.get("text-anchor") == "end"]
        assert [v for _, v in sorted(ys, reverse=True)] == sorted(v for _, v in ys)  # grows upwards
    cost_ticks = [float(el.text.replace(",", "")) for el in cost_svg if _tag(el) == "text"
                  and el.get("text-anchor") == "end"]
    assert cost_ticks[0] == 50.0 and cost_ticks[-1] > 50.0


# ---------------------------------------------------------------------------------------
# the report's pages as documents


class _Tables:
    """The HTML page read back with the standard library's parser: each table's header cells and
    body rows, the text outside any element, the <h2> headings, the paragraphs."""

    def __init__(self, page: str):
        from html.parser import HTMLParser

        self.tables, self.headings, self.paragraphs, self.stray, self.decl = [], [], [], [], None
        me = self

        class P(HTMLParser):
            stack: list = []
            cell = None

            def handle_decl(self, decl):
                me.decl = decl

            def handle_starttag(self, tag, attrs):
                if tag in ("meta",):
                    me.charset = dict(attrs).get("charset")
                    return
                self.stack.append(tag)
                if tag == "table":
                    me.tables.append({"head": [], "body": []})
                elif tag == "tr":
                    part = "head" if "thead" in self.stack else "body"
                    me.tables[-1][part].append([])
                elif tag in ("td", "th", "h2", "p"):
                    self.cell = ""

            def handle_endtag(self, tag):
                assert self.stack and self.stack[-1] == tag, (tag, self.stack)
                self.stack.pop()
                if tag in ("td", "th"):
                    part = "head" if "thead" in self.stack else "body"
                    me.tables[-1][part][-1].append(self.cell)
                    self.cell = None
                elif tag == "h2":
                    me.headings.append(self.cell)
                    self.cell = None
                elif tag == "p":
                    me.paragraphs.append(self.cell)
                    self.cell = None

            def handle_data(self, data):
                if self.cell is not None:
                    self.cell += data
                elif data.strip() and (not self.stack or self.stack[-1] in ("html", "head", "body", "table", "thead",
                                                                            "tbody", "tr", "figure")):
                    me.stray.append(data)

        P(convert_charrefs=True).feed(page)


def test_the_html_page_is_a_standalone_document_whose_tables_state_the_numbers():
    from core.segments import segment_report_rows, segment_table, segments_payload

    y, scores, sweep = _sweep()
    region = np.where(np.arange(len(y)) % 3 == 0, "north", "south")
    payload = segments_payload(segment_table(y, scores, region, 0.4, costs=COSTS), column="region",
                               threshold=0.4, note="2 regions <b>")
    scenario = scenario_record(name="base", threshold=0.4, costs=COSTS, point=sweep.at(0.4))
    report = _report(sweep, segments=payload, scenarios=[scenario], curve=sweep.frame(max_points=50),
                     explanation="At 0.4 you catch most.", generated_at="2026-01-02 03:04 UTC")
    page = report_html(report)
    doc = _Tables(page)
    assert doc.decl.lower() == "doctype html" and page.startswith("<!") and doc.charset == "utf-8"
    assert doc.stray == []
    assert "<h1>Decision report</h1>" in page and "Generated 2026-01-02 03:04 UTC" in page
    setting, results, segments, scenarios = doc.tables
    assert setting["head"] == [] and dict(setting["body"])["Data"] == "loans"
    assert dict(setting["body"])["Evaluated on"] == "all rows"
    assert results["head"] == [["Measure", "all rows"]]
    flagged = scores >= 0.4
    body = {row[0]: row[1] for row in results["body"]}
    assert body["True positives"] == f"{(flagged & (y == 1)).sum():,}"
    assert body["False negatives (missed)"] == f"{(~flagged & (y == 1)).sum():,}"
    header, rows = segment_report_rows(payload, COSTS)
    assert segments["head"] == [list(header)] and segments["body"] == [list(map(str, r)) for r in rows]
    north = dict(zip(header, next(r for r in segments["body"] if r[0] == "north")))
    assert north["Rows"] == f"{(region == 'north').sum():,}"
    assert north["Flagged"] == f"{((region == 'north') & flagged).sum():,}"
    assert "By segment: region" in doc.headings and "2 regions <b>" in doc.paragraphs
    frame = scenarios_frame([scenario])
    assert scenarios["head"] == [list(frame.columns)] and scenarios["body"] == frame.astype(str).values.tolist()
    unnamed = _Tables(report_html(_report(sweep, segments=dict(payload, column=None, note=""))))
    assert "By segment: segment" in unnamed.headings and len(unnamed.tables) == 3


def _md_blocks(text: str) -> list[str]:
    return text.rstrip("\n").split("\n\n")


def test_the_markdown_is_headings_tables_and_notes_each_set_apart_by_a_blank_line():
    from core.segments import segment_table, segments_payload

    y, scores, sweep = _sweep()
    region = np.where(np.arange(len(y)) % 3 == 0, "north", "south")
    payload = segments_payload(segment_table(y, scores, region, 0.4, costs=COSTS), column="region",
                               threshold=0.4, note="2 regions")
    scenario = scenario_record(name="base", threshold=0.4, costs=COSTS, point=sweep.at(0.4))
    text = report_markdown(_report(sweep, segments=payload, scenarios=[scenario], explanation="Catch most.",
                                   generated_at="2026-01-02 03:04 UTC"))
    blocks = _md_blocks(text)
    assert "_Generated 2026\\-01\\-02 03:04 UTC_" in blocks or "_Generated 2026-01-02 03:04 UTC_" in blocks
    tables = 0
    for block in blocks:
        lines = block.split("\n")
        if lines[0].startswith("|"):
            tables += 1
            width = lines[0].count(" | ") + 1
            assert lines[1] == "|" + "---|" * width and all(line.startswith("| ") for line in lines[2:])
            assert all(line.endswith(" |") and line.count(" | ") + 1 == width for line in lines[2:])
        else:
            assert len(lines) == 1
            assert (re.fullmatch(r"#{1,2} \S.*", block) or re.fullmatch(r"_\S.*_", block)
                    or re.fullmatch(r"> \S.*", block)), block
    assert tables == 4
    setting = next(b for b in blocks if b.startswith("|")).split("\n")
    assert setting[0].replace(" ", "") == "|||"  # the setting table has no header words


# ---------------------------------------------------------------------------------------
# the model JSON, its settings, and the saved scenario record


def test_the_model_jsons_decision_rule_rescored_by_hand_gives_the_models_scores():
    import datetime as dt
    import math as m

    from core.model import LogisticRegressionGD

    rng = np.random.default_rng(8)
    X = rng.normal(size=(200, 2))
    y = (X[:, 0] - X[:, 1] + rng.normal(size=200) > 0).astype(int)
    model = LogisticRegressionGD().fit(X, y)
    data = json.loads(model_json(model, SimpleNamespace(feature_names=["a", "b"]), threshold=0.5, costs=None))
    rule = data["decision_rule"]
    assert rule.startswith("score = ") and rule.endswith("flag the row when score >= threshold")
    # "sum(coefficients[f] * x[f])" read as the sum over the features f
    formula = rule[len("score = "):rule.index(" where ")].replace("x[f])", "x[f] for f in coefficients)")
    for row in X[:5]:
        score = eval(formula, {"exp": m.exp, "sum": sum, "intercept": data["intercept"],  # noqa: S307
                               "coefficients": data["coefficients"], "x": dict(zip(["a", "b"], row))})
        assert score == pytest.approx(model.predict_proba(row[None, :])[0, 1], rel=1e-9)
    created = dt.datetime.fromisoformat(data["created"])
    assert created.utcoffset() == dt.timedelta(0)
    assert abs((dt.datetime.now(dt.timezone.utc) - created).total_seconds()) < 120


def test_model_dict_of_a_model_without_training_history_and_odd_values():
    import datetime as dt

    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression().fit(np.array([[0.0], [1.0], [2.0], [3.0]]), [0, 0, 1, 1])
    data = model_dict(model, None, threshold=0.5, costs=None, target=None, positive_class=dt.date(2020, 1, 2))
    assert data["training"]["epochs"] is None and data["training"]["stop_reason"] is None
    assert data["target"] is None and data["positive_class"] == "2020-01-02"
    assert data["coefficients"] == {"x0": pytest.approx(float(model.coef_[0, 0]))}
    assert model_dict(model, None, threshold=0.5, costs=None, positive_class=pd.NaT)["positive_class"] is None


class _Inner(StandardScaler):
    """A scaler.

    Second paragraph, left out of the description."""


class _Wrapper:
    """Wraps a scaler."""

    def __init__(self, inner=None, factor=2):
        self.inner, self.factor = inner, factor

    def get_params(self, deep=True):
        params = {"inner": self.inner, "factor": self.factor}
        if deep and self.inner is not None:
            params.update({f"inner__{k}": v for k, v in self.inner.get_params().items()})
        return params


def _no_doc(values):
    return values


def test_describe_preprocessor_names_each_step_and_keeps_only_learned_plain_state():
    from sklearn.preprocessing import FunctionTransformer

    df = pd.DataFrame({"a": [1.0, 2.0, 4.0], "b": [3.0, 5.0, 9.0]})
    pre = ColumnTransformer([
        ("scaled", Pipeline([("first", FunctionTransformer(_no_doc)), ("second", _Inner())]), ["a"]),
    ]).fit(df)
    (block,) = describe_preprocessor(pre)
    first, second = block["steps"]
    assert (first["step"], second["step"]) == ("first", "second")
    assert first["function"] == "_no_doc" and first["description"] is None
    assert second["description"] == "A scaler."
    assert set(second["fitted"]) == {"mean", "scale", "var", "n_samples_seen", "n_features_in", "feature_names_in"}
    assert second["fitted"]["scale"] == [pytest.approx(np.std([1.0, 2.0, 4.0]))]
    wrapper = _Wrapper(inner=StandardScaler())
    wrapper.learned_ = np.array([1.5])
    wrapper._private_ = 7
    wrapper.setting = "x"
    (block,) = describe_preprocessor(SimpleNamespace(transformers_=[("w", wrapper, ["a"])]))
    (step,) = block["steps"]
    assert step["params"] == {"factor": 2} and step["fitted"] == {"learned": [1.5]}
    blocks = describe_preprocessor(SimpleNamespace(transformers_=[("kept", "passthrough", ["b"]),
                                                                 ("gone", "drop", ["a"])]))
    assert blocks == [{"name": "kept", "columns": ["b"], "steps": []}]


def test_scenario_record_keeps_every_field_it_is_given():
    _, _, sweep = _sweep()
    record = scenario_record(name="r", threshold=0.4, costs=COSTS, point=sweep.at(0.4), review_rate=0.1,
                             review_cost=3.0, review_total_cost=99.0, explanation="Why.", amount_column="amt",
                             positive_rate=0.05, evaluation=("fp", 1))
    assert (record["review_cost"], record["explanation"]) == (3.0, "Why.")
    assert (record["amount_column"], record["positive_rate"], record["evaluation"]) == ("amt", 0.05, ["fp", 1])
    bare = scenario_record(name="r", threshold=0.4, costs=COSTS, point=sweep.at(0.4))
    assert bare["evaluated_on"] == "" and scenarios_frame([bare]).iloc[0]["Evaluated on"] == ""


def test_every_setting_row_is_labelled_and_states_its_value():
    _, _, sweep = _sweep()
    report = _report(sweep, costs=CostMatrix(100, 0, fp_pct=1, fn_pct=2, tp_pct=3, tn_pct=4), amount_column="amt",
                     positive_rate=0.05, data_positive_rate=0.3)
    rows = dict(_Tables(report_html(report)).tables[0]["body"])
    assert rows["Data"] == "loans" and rows["Evaluated on"] == "all rows"
    for label, pct in (("False positive", 1), ("False negative", 2), ("True positive", 3), ("True negative", 4)):
        assert rows[f"{label}: % of amount"] == f"{pct}% of each case's amt"
    assert rows["Positive rate in production"].startswith("5.00% assumed; the data has 30.00%.")


# ---------------------------------------------------------------------------------------
# the scored CSV: scores, labels and amounts given as lists with gaps


def test_scored_csv_reads_missing_values_in_plain_lists_and_writes_whole_decisions():
    df = pd.DataFrame({"a": [1, 2, 3, 4]})
    data = scored_csv(df, [0.9, None, 0.2, 0.6], 0.5, costs=CostMatrix(10, 50, fn_pct=10), labels=[1, 0, None, 0],
                      amounts=[100, 200, 300, None], extra={"score": ["w", "x", "y", "z"]})
    text = data.decode("utf-8")
    header, *rows = [line.split(",") for line in text.strip("\r\n").split("\r\n")]
    assert header == ["a", "score", "score_2", "decision", "cost"]
    assert [r[1] for r in rows] == ["w", "x", "y", "z"]  # the extra column kept, the scores beside it
    assert [r[3] for r in rows] == ["1", "", "0", "1"]  # whole numbers; empty where not scored
    # tp: 0; not scored: empty; unknown label: empty; fp with no amount: 10
    assert [float(r[4]) if r[4] else None for r in rows] == [0.0, None, None, 10.0]
    with pytest.raises(ValueError, match="one score per row"):
        scored_csv(df, [0.1], 0.5)


def test_model_json_is_strict_json_even_for_a_model_with_a_non_finite_weight():
    def strict(constant):
        raise AssertionError(f"{constant} is not JSON")

    for weight in (np.nan, np.inf):
        model = _Model()
        model.coef_ = np.array([[0.5, weight]])
        try:
            text = model_json(model, None, threshold=0.5, costs=None)
        except ValueError:  # refused rather than written as NaN/Infinity
            continue
        json.loads(text, parse_constant=strict)


# ---------------------------------------------------------------------------------------
# from the second full mutation run: learned-state names, a function step without a function,
# the model JSON's text


def test_learned_state_is_keyed_by_the_attribute_name_without_its_trailing_underscores():
    # scikit-learn's learned attributes end in "_" (``mean_``); the key drops only the trailing
    # underscores, whatever letter comes before them (here an "X").
    wrapper = _Wrapper()
    wrapper.weights_X_ = np.array([1.5, 2.5])  # an array
    wrapper.parts_X_ = [np.array([1.0]), None]  # a list of arrays
    wrapper.bias__ = 0.5
    (block,) = describe_preprocessor(SimpleNamespace(transformers_=[("w", wrapper, ["a"])]))
    (step,) = block["steps"]
    assert step["fitted"] == {"weights_X": [1.5, 2.5], "parts_X": [[1.0], None], "bias": 0.5}


def test_a_function_step_without_a_function_is_described_with_none():
    class FunctionTransformer:  # a transformer of that name that has no ``func`` (e.g. not set up)
        pass

    (block,) = describe_preprocessor(SimpleNamespace(transformers_=[("f", FunctionTransformer(), ["a"])]))
    (step,) = block["steps"]
    assert step["type"] == "FunctionTransformer"
    assert step["function"] is None and step["description"] is None and step["fitted"] == {}


def test_model_json_is_indented_text_that_keeps_non_ascii_names_readable():
    names = ["größe", "città"]
    text = model_json(_Model(), SimpleNamespace(feature_names=names), threshold=0.5,
                      costs=CostMatrix(1, 2, currency="€"))
    data = json.loads(text)
    assert data["feature_names"] == names and data["costs"]["currency"] == "€"
    # one key per line, nested two spaces a level, the names as written (not \u escapes)
    assert text == json.dumps(data, indent=2, ensure_ascii=False)
    assert '"größe": 0.5' in text and '\n  "feature_names": [\n    "größe",' in text
