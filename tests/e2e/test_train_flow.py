"""Flow 1: upload a CSV, train a model, choose a threshold, take the report away.

Everything the browser shows is checked against the same model rebuilt here with core
(same table, same seeded split, same parameters as typed into the Train page) and
against scikit-learn's metrics on exactly the validation rows of that split.
"""

import csv
import io
import re

import numpy as np
import pandas as pd
import pytest

from conftest import (
    FORMULA_PLANS,
    assert_threshold_metrics,
    churn_table,
    csv_bytes,
    lowest_cost,
    project_files,
    shown_costs,
)

pytestmark = pytest.mark.e2e

N_ROWS = 900
PARAMS = {"learning_rate": 0.5, "max_epochs": 150, "l2": 0.001, "solver": "gd"}


def rebuild(data: bytes, filename: str, target: str, positive: str, features: list[str]):
    """The table, its split and the model, rebuilt with core as the Train page describes them."""
    from core.data import describe_data, read_csv
    from core.features import prepare_features
    from core.model import LogisticRegressionGD

    df = read_csv(data, filename)
    report = describe_data(df, target, positive, features)
    prepared = prepare_features(df, report)
    model = LogisticRegressionGD(**PARAMS).fit(
        prepared.X_train, prepared.y_train, X_val=prepared.X_val, y_val=prepared.y_val
    )
    return df, prepared, model


def test_upload_train_threshold_report(app):
    table = churn_table(N_ROWS)
    data = csv_bytes(table)
    files_before = project_files()

    # Data
    app.open("")
    app.upload("Upload a CSV", "churn.csv", data)
    app.expect(app.main.get_by_text("Loaded: churn.csv", exact=False)).to_be_visible(timeout=60_000)
    app.idle()
    app.radio("Mode", "Train a model")
    app.select("Target column", "churn")
    app.select("Positive class", "yes")
    features = app.multiselect_values("Feature columns")
    assert set(features) == {"tenure", "spend", "plan"}, features
    app.screenshot("flow1-data")

    df, prepared, model = rebuild(data, "churn.csv", "churn", "yes", features)
    # The validation rows, independently: positions idx_val of the uploaded table.
    val_rows = table.iloc[prepared.idx_val]
    np.testing.assert_array_equal(prepared.y_val, (val_rows["churn"] == "yes").astype(int))
    val_scores = model.predict_proba(prepared.X_val)[:, 1]
    y_val = prepared.y_val

    # Train
    app.goto_page("Train")
    # 900 rows default to cross-validation; this flow checks the hold-out split and its test rows
    app.radio("Validation", "Hold-out split (60/20/20)")
    # The switch reruns the page with the split's own suggested learning rate: type the
    # parameters only once that run has drawn the split's caption, or the rerun replaces them.
    app.expect(app.main.get_by_text("validation rows to check on", exact=False)).to_be_visible(timeout=60_000)
    app.idle()
    app.set_number("Learning rate", PARAMS["learning_rate"])
    app.set_number("Epochs", PARAMS["max_epochs"])
    app.set_number("L2 penalty", PARAMS["l2"])
    app.button("Train").click()
    # The live curves are drawn while it trains; the run ends with both final metrics.
    app.expect(app.metric("Validation log-loss")).to_be_visible(timeout=120_000)
    app.idle(timeout=120_000)
    assert app.main.get_by_test_id("stVegaLiteChart").count() >= 2, "the training curves are not drawn"
    last = model.history_.iloc[-1]
    assert len(model.history_) <= PARAMS["max_epochs"]
    assert app.metric_text("Train log-loss") == f"{last['train_log_loss']:.3f}"
    assert app.metric_text("Validation log-loss") == f"{last['val_log_loss']:.3f}"
    app.expect(app.main.get_by_text(f"Trained for {len(model.history_):,} epochs")).to_be_visible()
    app.screenshot("flow1-train")

    # Threshold: evaluated on the validation split
    app.goto_page("Threshold")
    app.expect(app.main.get_by_text(f"validation split ({len(y_val):,} rows)")).to_be_visible()
    t = app.wait_threshold_settled()
    assert_threshold_metrics(app, y_val, val_scores, t, shown_costs(app))

    slider = app.slider()
    shown_before = slider.get_attribute("aria-valuetext")
    slider.focus()
    for _ in range(2):
        slider.press("PageUp")
    app.expect(slider).not_to_have_attribute("aria-valuetext", shown_before)
    t_keyboard = app.wait_threshold_settled()
    assert t_keyboard > t
    assert_threshold_metrics(app, y_val, val_scores, t_keyboard, shown_costs(app))

    cost_before = app.metric_text("Business cost")
    app.set_number("Cost of a false negative", 1200)
    app.expect(app.metric("Business cost")).not_to_have_text(cost_before)
    t = app.wait_threshold_settled(fn="1200")
    assert t == t_keyboard, "changing a cost moved the threshold"
    costs = shown_costs(app)
    assert costs["fn"] == 1200
    assert_threshold_metrics(app, y_val, val_scores, t, costs)

    app.button("Use recommended threshold").click()
    app.page.wait_for_function("t => new URL(location.href).searchParams.get('t') !== t", arg=repr(t))
    t = app.wait_threshold_settled()
    shown = assert_threshold_metrics(app, y_val, val_scores, t, costs)
    best = lowest_cost(y_val, val_scores, costs)
    shown_cost = float(re.sub(r"[^\d.\-]", "", shown["Business cost"]))
    assert abs(shown_cost - best) <= 0.5, f"recommended t={t!r} costs {shown['Business cost']}, lowest is {best:,.0f}"
    assert app.query()["fn"] == "1200"
    app.screenshot("flow1-threshold")
    app.assert_clean()
    # The Report page reports saved settings.
    app.button("Save scenario").click()
    app.expect(app.main.get_by_text("1 scenario(s) saved", exact=False)).to_be_visible()
    app.idle()

    # Report: the scored CSV and the HTML report
    app.goto_page("Report")
    app.screenshot("flow1-report")
    name, scored = app.download(re.compile(r"\bCSV\b"))
    assert name.endswith(".csv")
    check_scored_csv(scored, table, df, prepared, model, t)
    name, html = app.download(re.compile(r"\bHTML\b"))
    assert name.endswith(".html")
    check_html_report(html.decode("utf-8"), t, shown, costs)
    app.assert_clean()

    new_files = sorted(project_files() - files_before)
    assert not new_files, f"the session left files under the project folder: {new_files}"


def check_scored_csv(raw: bytes, table: pd.DataFrame, df, prepared, model, threshold: float) -> None:
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    header, body = rows[0], rows[1:]
    assert len(body) == len(table), f"{len(body)} scored rows for {len(table)} uploaded"
    for column in ("tenure", "spend", "plan", "churn", "score", "decision"):
        assert column in header, f"{column!r} missing from the scored CSV header {header}"
    col = {name: [r[header.index(name)] for r in body] for name in header}

    # Numbers stay numbers (negative ones included); formula-like text is neutralised.
    spend = np.array([float(v) for v in col["spend"]])
    np.testing.assert_allclose(spend, table["spend"].to_numpy())
    assert (spend < 0).any()
    for cell, original in zip(col["plan"], table["plan"]):
        if original[0] in "=+-@":
            assert cell == "'" + original, f"formula cell {original!r} exported as {cell!r}"
        else:
            assert cell == original
    assert not any(c.startswith(tuple("=+@")) for r in body for c in r), "a cell a spreadsheet would execute"

    # Every row's score is the rebuilt model's probability; decision is score >= threshold.
    score = np.array([float(v) for v in col["score"]])
    expected = model.predict_proba(prepared.transform(df))[:, 1]
    np.testing.assert_allclose(score, expected, rtol=1e-6, atol=1e-9)
    decision = np.array([int(v) for v in col["decision"]])
    np.testing.assert_array_equal(decision, (score >= threshold).astype(int))
    assert set(FORMULA_PLANS) & set(table["plan"])


def check_html_report(html: str, threshold: float, shown: dict, costs: dict) -> None:
    assert html.lstrip().lower().startswith(("<!doctype html", "<html"))
    assert "churn.csv" in html
    assert f"{threshold:.3f}" in html, f"the report does not state the threshold {threshold:.3f}"
    for label in ("Precision", "Recall", "F1"):
        assert shown[label] in html, f"{label} {shown[label]} is not in the report"
