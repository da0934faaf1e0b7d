"""Flow 2: bring your own scores. Upload labels + scores, choose *Use my scores*, and the
Threshold page's metrics over all rows equal scikit-learn's at the threshold it shows."""

import numpy as np
import pandas as pd
import pytest

from conftest import assert_threshold_metrics, csv_bytes, lowest_cost, parse_number, shown_costs

pytestmark = pytest.mark.e2e


def scores_table(n: int = 500, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    label = (rng.random(n) < 0.3).astype(int)
    # Rounded to 2 decimals on purpose: many ties, so "score >= threshold" is really tested.
    score = np.clip(0.25 + 0.35 * label + rng.normal(0, 0.2, n), 0, 1).round(2)
    return pd.DataFrame({"customer": [f"c{i:04d}" for i in range(n)], "label": label, "score": score})


def test_use_my_scores_metrics_match_scikit_learn(app):
    table = scores_table()
    y, scores = table["label"].to_numpy(), table["score"].to_numpy()

    app.open("")
    app.upload("Upload a CSV", "scores.csv", csv_bytes(table))
    app.expect(app.main.get_by_text("Loaded: scores.csv", exact=False)).to_be_visible()
    app.idle()
    app.radio("Mode", "Use my scores")
    app.select("Target column", "label")
    app.select("Positive class", "1")
    app.select("Score column", "score")
    app.screenshot("scores-data")

    app.goto_page("Threshold")
    app.expect(app.main.get_by_text(f"all {len(table):,} rows")).to_be_visible()
    t = app.wait_threshold_settled()
    assert_threshold_metrics(app, y, scores, t, shown_costs(app))

    # Keyboard: to the left end (everyone flagged), then up by page steps.
    slider = app.slider()
    slider.focus()
    slider.press("Home")
    app.expect(slider).to_have_attribute("aria-valuetext", "0.000")
    t = app.wait_threshold_settled()
    assert t == 0.0
    shown = assert_threshold_metrics(app, y, scores, t, shown_costs(app))
    assert shown["Recall"] == "1.000"
    for _ in range(3):
        slider.press("PageUp")
    app.expect(slider).not_to_have_attribute("aria-valuetext", "0.000")
    t = app.wait_threshold_settled()
    assert 0.0 < t < 1.0
    assert_threshold_metrics(app, y, scores, t, shown_costs(app))
    app.screenshot("scores-threshold")

    # New costs, then the recommended (lowest-cost) threshold.
    before = app.metric_text("Business cost")
    app.set_number("Cost of a false positive", 40)
    app.set_number("Cost of a false negative", 300)
    app.expect(app.metric("Business cost")).not_to_have_text(before)
    t = app.wait_threshold_settled(fp="40", fn="300")
    costs = shown_costs(app)
    assert (costs["fp"], costs["fn"]) == (40, 300)
    assert_threshold_metrics(app, y, scores, t, costs)

    app.button("Use recommended threshold").click()
    t_before = t
    app.page.wait_for_function("t => new URL(location.href).searchParams.get('t') !== t", arg=repr(t_before))
    t = app.wait_threshold_settled()
    shown = assert_threshold_metrics(app, y, scores, t, costs)
    best = lowest_cost(y, scores, costs)
    assert abs(float(shown["Business cost"].replace("$", "").replace(",", "")) - best) <= 0.5, (
        f"the recommended threshold {t!r} costs {shown['Business cost']}, the lowest possible is {best:,.2f}"
    )
    assert app.query()["fp"] == "40" and app.query()["fn"] == "300"
    app.assert_clean()


def test_every_arrow_key_press_moves_the_threshold_one_step(app):
    """Keyboard users press an arrow key a few times at a human pace; none may be lost,
    even though each press starts a rerun while the previous one may still be running."""
    table = scores_table()
    app.open("")
    app.upload("Upload a CSV", "scores.csv", csv_bytes(table))
    app.expect(app.main.get_by_text("Loaded: scores.csv", exact=False)).to_be_visible()
    app.idle()
    app.radio("Mode", "Use my scores")
    app.goto_page("Threshold")
    app.wait_threshold_settled()
    slider = app.slider()
    slider.focus()
    slider.press("Home")
    app.expect(slider).to_have_attribute("aria-valuetext", "0.000")
    app.wait_threshold_settled()
    presses = 8
    for _ in range(presses):
        slider.press("ArrowRight")
        app.page.wait_for_timeout(150)  # a brisk human, not a sleep-to-wait: pacing the input
    app.expect(slider).not_to_have_attribute("aria-valuetext", "0.000")
    t = app.wait_threshold_settled()
    assert slider.get_attribute("aria-valuetext") == f"{presses / 1000:.3f}", (
        f"{presses} ArrowRight presses from 0 moved the threshold to {slider.get_attribute('aria-valuetext')}: "
        "presses made while a rerun was in flight were lost"
    )
    assert t == pytest.approx(presses / 1000)


def test_money_per_case_and_two_models_side_by_side(app):
    """Set an amount column and a second score column, make a missed case cost 60% of its
    amount: the Business cost is the case-by-case sum, both models appear side by side with
    the cost difference, and a saved scenario keeps the per-case money."""
    rng = np.random.default_rng(11)
    n = 800
    label = (rng.random(n) < 0.3).astype(int)
    logit = rng.normal(-1 + 2 * label, 1.2)
    table = pd.DataFrame({"label": label, "score": (1 / (1 + np.exp(-logit))).round(3),
                          "score_new": (1 / (1 + np.exp(-(1.3 * logit + rng.normal(0, 0.6, n))))).round(3),
                          "balance": rng.gamma(2.0, 600.0, n).round(2)})
    app.open("")
    app.upload("Upload a CSV", "loans.csv", csv_bytes(table))
    app.expect(app.main.get_by_text("Loaded: loans.csv", exact=False)).to_be_visible()
    app.idle()
    app.radio("Mode", "Use my scores")
    app.select("Target column", "label")
    app.select("Positive class", "1")
    app.select("Score column", "score")
    app.select("Amount column", "balance")
    box = app.combobox("Compare with")
    box.click()
    app.page.get_by_role("option", name="score_new").click()
    app.page.keyboard.press("Escape")
    app.idle()
    assert app.multiselect_values("Compare with") == ["score_new"]

    app.goto_page("Threshold")
    app.wait_threshold_settled()
    app.set_number("Cost of a false negative", 0)
    app.set_number("False negative: % of amount", 60)
    t = app.wait_threshold_settled(fn="0", fna="60")
    fp = float(app.query()["fp"])
    flagged = table["score"].to_numpy() >= t
    y = table["label"].to_numpy() == 1
    expected = fp * np.sum(flagged & ~y) + 0.6 * table["balance"].to_numpy()[~flagged & y].sum()
    assert abs(parse_number(app.metric_text("Business cost")) - expected) <= 0.5
    app.expect(app.main.get_by_text("Models side by side", exact=True)).to_be_visible()
    app.expect(app.main.get_by_text("Switching to score_new at", exact=False)).to_be_visible()
    app.button("Save scenario").click()
    app.expect(app.page.get_by_text("scenario(s) saved", exact=False)).to_be_visible()
    app.screenshot("money-per-case")
    app.assert_clean()
