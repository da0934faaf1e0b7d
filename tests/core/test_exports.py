"""Exports: formula-safe scored CSV, a model JSON that re-scores rows on its own, and a decision
report whose numbers are the sweep's and whose user strings are escaped."""

from __future__ import annotations

import io
import json
import math
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.costs import CostMatrix
from core.exports import (
    DecisionReport,
    model_json,
    neutralise_cell,
    report_html,
    report_markdown,
    scenario_record,
    scenarios_frame,
    scored_csv,
)
from core.features import build_preprocessor, feature_names
from core.model import LogisticRegressionGD
from core.thresholds import threshold_sweep

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def _read(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), keep_default_na=False, na_values=[""])


def test_scored_csv_neutralises_formulas_and_keeps_numbers_numbers():
    df = pd.DataFrame({
        "name": ["=HYPERLINK(\"http://x\")", "+1+1", "@SUM(A1)", "-2+3", "\tcmd", "\rcmd", "plain", "-3.5"],
        "amount": [-3.5, 1.0, -0.25, 2.0, 3.0, 4.0, 5.0, 6.0],
        "count": [-1, 2, 3, 4, 5, 6, 7, 8],
    })
    scores = np.array([0.9, 0.1, 0.5, 0.49, 0.7, 0.2, 0.3, 0.8])
    out = _read(scored_csv(df, scores, 0.5))
    assert out["name"].tolist() == ["'=HYPERLINK(\"http://x\")", "'+1+1", "'@SUM(A1)", "'-2+3", "'\tcmd", "'\rcmd",
                                    "plain", "-3.5"]
    assert out["amount"].dtype.kind == "f" and out["amount"].iloc[0] == -3.5
    assert out["count"].dtype.kind == "i" and out["count"].iloc[0] == -1
    assert out["score"].tolist() == pytest.approx(scores.tolist())
    assert out["decision"].tolist() == (scores >= 0.5).astype(int).tolist()


def test_scored_csv_unscored_rows_name_clashes_and_headers():
    df = pd.DataFrame({"score": [1, 2, 3], "=cmd": ["a", "b", "c"]})
    out = _read(scored_csv(df, np.array([0.2, np.nan, 0.8]), 0.5, extra={"split": ["train", "test", "validation"]}))
    assert list(out.columns) == ["score", "'=cmd", "split", "score_2", "decision"]
    assert out["score"].tolist() == [1, 2, 3]  # the input column is untouched
    assert math.isnan(out["score_2"].iloc[1]) and math.isnan(out["decision"].iloc[1])
    assert out["decision"].iloc[0] == 0 and out["decision"].iloc[2] == 1
    assert out["split"].tolist() == ["train", "test", "validation"]


def test_scored_csv_rejects_a_score_per_row_mismatch():
    with pytest.raises(ValueError):
        scored_csv(pd.DataFrame({"a": [1, 2]}), np.array([0.1]), 0.5)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=8), min_size=1, max_size=5))
def test_no_text_cell_can_start_a_formula(cells):
    out = scored_csv(pd.DataFrame({"text": cells}, dtype=object), np.zeros(len(cells)), 0.5)
    for value in pd.read_csv(io.BytesIO(out), dtype=str, keep_default_na=False)["text"]:
        if value.startswith(DANGEROUS):
            assert re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", value), value
    for cell in cells:
        assert neutralise_cell(cell) in (cell, "'" + cell)


def _fitted(seed: int = 0):
    """A real Cutoff preprocessor (imputation with missing indicators, scaling, one-hot with a
    rare level) and model, fitted on a small table with gaps."""
    rng = np.random.default_rng(seed)
    n = 400
    df = pd.DataFrame({
        "income": rng.normal(50, 10, n),
        "age": rng.integers(18, 80, n),
        "region": rng.choice(["north", "south", "east"], n, p=[0.4, 0.3, 0.3]),
    })
    df.loc[[5, 6], "region"] = "isle"  # under 1% of rows: a rare level
    df.loc[::17, "income"] = np.nan
    df.loc[::23, "region"] = None
    y = ((df["income"].fillna(50) - 50) / 10 + (df["region"] == "north") + rng.normal(0, 1, n) > 0.5).astype(int)
    pre = build_preprocessor(["income", "age"], ["region"]).fit(df)
    model = LogisticRegressionGD(solver="lbfgs").fit(pre.transform(df), y)
    prepared = SimpleNamespace(preprocessor=pre, feature_names=feature_names(pre))
    return df, model, prepared


def _rescore_from_json(spec: dict, df: pd.DataFrame) -> np.ndarray:
    """Score rows using nothing but the exported JSON (what a downstream system would do),
    step by step in the documented order."""
    blocks = []
    for block in spec["preprocessing"]:
        values = df[block["columns"]].to_numpy(dtype=object)
        for step in block["steps"]:
            fitted, kind = step["fitted"], step["type"]
            if kind == "FunctionTransformer":  # the numeric block's conversion to floats
                values = pd.DataFrame(values).astype(float).to_numpy()
            elif kind == "MedianImputer":
                missing = np.isnan(values)
                values = np.where(missing, np.asarray(fitted["statistics"]), values)
                values = np.hstack([values, missing[:, fitted["indicator_features"]].astype(float)])
            elif kind == "StandardScaler":
                values = (values - np.asarray(fitted["mean"])) / np.asarray(fitted["scale"])
            elif kind == "CategoryCoder":  # text -> code in the sorted category list; missing -> most frequent
                codes = np.empty(values.shape, dtype=int)
                for j in range(values.shape[1]):
                    text = [fitted["statistics"][j] if pd.isna(v) else str(v).strip() for v in values[:, j]]
                    index = {c: i for i, c in enumerate(fitted["categories"][j])}
                    codes[:, j] = [index.get(t, -1) for t in text]
                values = codes
            elif kind == "OneHotEncoder":  # a column per frequent category, then one for the rare ones
                columns = []
                for j in range(values.shape[1]):
                    rare = set((fitted.get("infrequent_categories") or [None] * (j + 1))[j] or [])
                    columns += [(values[:, j] == c).astype(float) for c in fitted["categories"][j] if c not in rare]
                    if rare:
                        columns.append(np.isin(values[:, j], list(rare)).astype(float))
                values = np.column_stack(columns)
            else:
                raise AssertionError(f"the test does not know how to apply a {kind} step")
        blocks.append(np.asarray(values, dtype=float))
    X = np.hstack(blocks)
    w = np.array([spec["coefficients"][name] for name in spec["feature_names"]])
    return 1 / (1 + np.exp(-(X @ w + spec["intercept"])))


def test_model_json_rescores_rows_exactly_like_the_model():
    df, model, prepared = _fitted()
    costs = CostMatrix(fp_cost=10, fn_cost=50, tp_value=5, currency="€")
    spec = json.loads(model_json(model, prepared, threshold=0.37, costs=costs, target="default",
                                 positive_class=np.int64(1)))
    assert spec["threshold"] == 0.37 and spec["positive_class"] == 1 and spec["target"] == "default"
    assert spec["costs"] == {"false_positive_cost": 10.0, "false_negative_cost": 50.0, "true_positive_value": 5.0,
                             "true_negative_value": 0.0, "currency": "€"}
    assert list(spec["coefficients"]) == prepared.feature_names
    assert "income is missing" in spec["coefficients"] and "region = (rare levels)" in spec["coefficients"]
    assert spec["coefficients"]["age"] == pytest.approx(model.coef_[0][1])
    assert spec["intercept"] == pytest.approx(model.intercept_[0])
    expected = model.predict_proba(prepared.preprocessor.transform(df))[:, 1]
    np.testing.assert_allclose(_rescore_from_json(spec, df), expected, rtol=1e-10)


def _report(dataset="Credit <script>alert(1)</script>", **extra):
    rng = np.random.default_rng(3)
    y = (rng.random(500) < 0.3).astype(int)
    scores = np.clip(rng.normal(0.3 + 0.3 * y, 0.2), 0, 1)
    costs = CostMatrix(fp_cost=100, fn_cost=1000)
    sweep = threshold_sweep(y, scores, costs=costs)
    point = sweep.at(0.4)
    scenario = scenario_record(name="<b>Bold</b> | plan", threshold=0.4, costs=costs, point=point,
                               objective="Lowest business cost", review_rate=0.05, evaluated_on="all 500 rows")
    report = DecisionReport(dataset=dataset, target="default", positive_class="yes", mode="Use my scores",
                            evaluated_on="all 500 rows", threshold=0.4, costs=costs, point=point,
                            explanation="At 0.4 you catch <i>most</i>.", scenarios=[scenario],
                            curve=sweep.frame(max_points=500), **extra)
    return y, scores, report


def test_report_html_is_self_contained_escaped_and_states_the_numbers():
    y, scores, report = _report()
    page = report_html(report)
    assert "<script" not in page.lower() and "&lt;script&gt;" in page
    assert "<b>Bold</b>" not in page and "&lt;b&gt;Bold&lt;/b&gt;" in page
    assert "<i>most</i>" not in page
    assert not re.search(r"(src|href)\s*=", page)  # nothing to fetch
    assert page.count("<svg") == 2
    flagged = scores >= 0.4
    precision = (y[flagged] == 1).mean()
    recall = flagged[y == 1].mean()
    assert f"<td>{precision:.3f}</td>" in page and f"<td>{recall:.3f}</td>" in page
    cost = 100 * np.sum(flagged & (y == 0)) + 1000 * np.sum(~flagged & (y == 1))
    assert f"${cost:,.0f}" in page


def test_report_markdown_has_tables_test_column_and_escapes():
    y, scores, report = _report(dataset="data_[x](javascript:alert)")
    test_point = threshold_sweep(y[:100], scores[:100], costs=report.costs).at(0.4)
    report.test_point, report.test_label = test_point, "test split (100 rows)"
    text = report_markdown(report)
    assert "](javascript" not in text and "<b>" not in text
    assert "| Measure | all 500 rows | test split \\(100 rows\\) |" in text
    precision_row = next(line for line in text.splitlines() if line.startswith("| Precision |"))
    assert precision_row.endswith(f"| {report.point.precision:.3f} | {test_point.precision:.3f} |")


def test_scenarios_frame_side_by_side():
    _, _, report = _report()
    frame = scenarios_frame(report.scenarios * 2)
    assert list(frame.columns[:8]) == ["Scenario", "Threshold", "Precision", "Recall", "F1", "Accuracy",
                                       "Business cost", "Review rate"]
    row = frame.iloc[0]
    assert row["Threshold"] == "0.400" and row["Review rate"] == "5.0%"
    assert row["Precision"] == f"{report.point.precision:.3f}"
    assert row["Business cost"] == report.costs.format(report.point.cost)


def test_scored_csv_cost_column_sums_to_the_business_cost():
    import io

    from core.thresholds import threshold_sweep as sweep_of

    rng = np.random.default_rng(8)
    n = 300
    y = (rng.random(n) < 0.3).astype(float)
    scores = rng.random(n)
    amounts = rng.gamma(2.0, 300.0, n)
    costs = CostMatrix(15, 0, fn_pct=100, tp_value=2)
    df = pd.DataFrame({"amount": amounts, "cost": np.arange(n)})  # a column already named cost
    labels = y.copy()
    labels[0] = np.nan  # unknown target: no cost
    data = scored_csv(df, scores, 0.6, costs=costs, labels=labels, amounts=amounts)
    frame = pd.read_csv(io.BytesIO(data))
    assert "cost_2" in frame.columns or "cost_1" in frame.columns
    column = [c for c in frame.columns if c.startswith("cost_")][0]
    assert np.isnan(frame[column].iloc[0])
    expected = sweep_of(y[1:], scores[1:], costs=costs, amounts=amounts[1:]).at(0.6).cost
    assert frame[column].sum() == pytest.approx(expected)
    missed = (scores < 0.6) & (y == 1)
    missed[0] = False
    np.testing.assert_allclose(frame[column].to_numpy()[missed], amounts[missed])


def test_the_report_states_per_case_money_and_the_assumed_positive_rate():
    _, _, plain = _report()
    for text in (report_markdown(plain), report_html(plain)):
        assert "% of amount" not in text and "Positive rate in production" not in text
    costs = CostMatrix(fp_cost=100, fn_cost=0, fn_pct=60, tp_pct=2.5)
    _, _, report = _report(amount_column="loan_amount", positive_rate=0.05, data_positive_rate=0.3)
    report.costs = costs
    markdown, page = report_markdown(report), report_html(report)
    assert "| False negative: % of amount | 60% of each case's loan\\_amount |" in markdown
    assert "<td>True positive: % of amount</td><td>2.5% of each case&#x27;s loan_amount</td>" in page
    assert "<td>False positive: % of amount</td><td>0% of each case&#x27;s loan_amount</td>" in page
    for text in (markdown, page):
        assert "Positive rate in production" in text and "5.00% assumed; the data has 30.00%" in text
