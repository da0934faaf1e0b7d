"""core.setup: the defaults a newcomer gets (target, positive class, features, score, count and
amount columns, validation), and the contract's training minimum they rely on.

Tables are built here so the right answer is visible in the fixture itself.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

from core import setup
from core.contract import (CV_MIN_PER_CLASS, CV_MIN_ROWS, column_aucs, describe_data,
                           min_rows_for_split, training_minimum)
from core.demos import DEMOS, load_demo
from core.errors import DataError


def credit_cards(n: int = 120, seed: int = 0) -> pd.DataFrame:
    """Shaped like the classic credit-card applications table: the outcome 'card' (yes/no)
    comes first; 'owner' and 'selfemp' are yes/no inputs; 'majorcards' is a 0/1 input."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "card": rng.choice(["yes", "no"], n, p=[0.7, 0.3]),
        "reports": rng.poisson(0.5, n),
        "age": rng.normal(33, 10, n).round(1),
        "income": rng.lognormal(1.2, 0.4, n).round(2),
        "owner": rng.choice(["yes", "no"], n),
        "selfemp": rng.choice(["yes", "no"], n, p=[0.1, 0.9]),
        "majorcards": rng.choice([0, 1], n, p=[0.2, 0.8]),
        "active": rng.poisson(6, n),
    })


def study(n: int, n_pos: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"dose": rng.normal(size=n), "weight": rng.normal(70, 9, n).round(1),
                         "response": ["yes"] * n_pos + ["no"] * (n - n_pos)})


# ------------------------------------------------------------------ the target


def test_target_options_are_columns_with_at_most_20_classes():
    df = pd.DataFrame({"few": np.arange(40) % 20, "many": np.arange(40) % 21, "flag": [0, 1] * 20})
    assert setup.target_options(df) == ["few", "flag"]


def test_the_outcome_coming_first_beats_a_later_0_1_input():
    df = credit_cards()
    assert setup.guess_target(df) == "card"


@pytest.mark.parametrize(("columns", "expected"), [
    ({"x": [1.0, 2.0] * 20, "is_fraud": [0, 1] * 20, "flag": ["a", "b"] * 20}, "is_fraud"),  # outcome word
    ({"flag": ["a", "b"] * 20, "x": np.arange(40.0), "last": ["u", "v"] * 20}, "last"),  # last beats first
    ({"first": ["a", "b"] * 20, "x": np.arange(40.0), "last": [0, 1] * 20}, "first"),  # text beats a 0/1 flag
    ({"x": np.arange(40.0), "mid": ["a", "b"] * 20, "last": [0, 1] * 20}, "last"),  # an edge beats text
    ({"a": np.arange(40.0), "mid_text": ["u", "v"] * 20, "mid_num": [0, 1] * 20, "z": np.arange(40.0)},
     "mid_text"),  # no edge column is two-valued: text over a 0/1 flag
    ({"Label ": ["p", "q"] * 20, "churned": ["y", "n"] * 20}, "Label "),  # an exact name wins, spaces aside
])
def test_guess_target_rules_in_order(columns, expected):
    assert setup.guess_target(pd.DataFrame(columns)) == expected


def test_guess_target_takes_the_demo_preset_and_refuses_no_candidates():
    demo = DEMOS["card_fraud"]
    assert setup.guess_target(load_demo("card_fraud"), demo=demo) == demo.target
    with pytest.raises(DataError, match="more than 20 different values"):
        setup.guess_target(pd.DataFrame({"x": np.arange(30.0)}))


def test_positive_class_uses_the_demo_preset_only_for_its_target():
    demo = DEMOS["loan_default"]
    assert setup.positive_class_for(["no", "yes"], "defaulted", demo) == "yes"
    assert setup.positive_class_for(["bad", "good"], "other", demo) == "bad"  # named like an outcome


# ------------------------------------------------------------------ features and columns


def test_default_features_leave_out_columns_named_like_model_output():
    df = study(60, 20).assign(risk_score=np.linspace(0, 1, 60), p_pred=np.linspace(1, 0, 60))
    report = describe_data(df, "response", require_split=False)
    assert set(report.features) == {"dose", "weight", "risk_score", "p_pred"}
    assert setup.default_features(report, "response") == ["dose", "weight"]
    assert setup.looks_like_model_output("Fraud_Probability") and not setup.looks_like_model_output("age")


def test_demo_features_are_its_own_list():
    demo = DEMOS["loan_default"]
    df = load_demo("loan_default")
    report = describe_data(df, demo.target, demo.positive_class, exclude=[demo.score_column])
    assert setup.default_features(report, demo.target, demo) == list(demo.features)


def test_score_count_and_amount_options_are_numeric_columns_in_table_order():
    df = pd.DataFrame({"y": [0, 1] * 5, "score": np.linspace(0, 1, 10), "flag": [True, False] * 5,
                       "name": list("abcdefghij"), "Count": np.arange(1, 11), "amount": np.arange(10.0)})
    assert setup.score_column_options(df, "y") == ["score", "Count", "amount"]
    assert setup.count_column_options(df, "y", "score") == ["Count", "amount"]
    assert setup.default_count_column(df, "y", "score") == "Count"
    assert setup.amount_column_options(df, "y") == ["score", "Count", "amount"]
    assert setup.compare_column_options(df, "y", score_column="score", count_column="Count") == ["amount"]
    assert setup.segment_column_options(df, "y", count_column="Count") == ["score", "flag", "name", "amount"]


@pytest.mark.parametrize("name", ["count", "N", " rows", "Weight"])
def test_count_column_default_by_name(name):
    df = pd.DataFrame({"label": [0, 1] * 3, "score": np.linspace(0, 1, 6), name: [5, 1, 2, 3, 4, 9]})
    assert setup.default_count_column(df, "label", "score") == name
    assert setup.default_count_column(df.rename(columns={name: "cases"}), "label", "score") is None


def test_default_score_column_prefers_the_demo_then_a_score_name_then_a_non_count():
    df = pd.DataFrame({"label": [0, 1] * 3, "count": [1] * 6, "x": np.arange(6.0), "model_prob": np.zeros(6)})
    assert setup.default_score_column(df, "label") == "model_prob"
    assert setup.default_score_column(df.drop(columns="model_prob"), "label") == "x"
    assert setup.default_score_column(df[["label"]], "label") is None
    demo = DEMOS["breast_cancer"]
    assert setup.default_score_column(load_demo(demo.key), demo.target, demo) == demo.score_column


def test_demo_amount_columns_are_preset_and_uploads_have_none():
    assert setup.default_amount_column(load_demo("loan_default"), "defaulted", DEMOS["loan_default"]) == "loan_amount"
    assert setup.default_amount_column(load_demo("card_fraud"), "is_fraud", DEMOS["card_fraud"]) == "amount"
    assert setup.default_amount_column(load_demo("breast_cancer"), "diagnosis", DEMOS["breast_cancer"]) is None
    assert setup.default_amount_column(load_demo("loan_default"), "defaulted") is None


# ------------------------------------------------------------------ validation and the training minimum


@pytest.mark.parametrize(("n_rows", "n_pos", "expected"), [
    (32, 12, "cv"), (4_999, 1_000, "cv"), (5_000, 1_000, "holdout"), (200_000, 9, "cv"), (200_000, 10, "holdout"),
])
def test_default_validation(n_rows, n_pos, expected):
    assert setup.default_validation(n_rows, n_pos, n_rows - n_pos) == expected
    reason = setup.validation_reason(n_rows, n_pos, n_rows - n_pos)
    assert reason.endswith(".") and reason.count(". ") == 0  # one sentence
    assert ("cross-validation" in reason) == (expected == "cv")


def test_training_minimum_per_scheme():
    assert training_minimum("holdout") == min_rows_for_split() == (50, 10)
    assert training_minimum("cv") == (CV_MIN_ROWS, CV_MIN_PER_CLASS) == (20, 3)
    with pytest.raises(ValueError):
        training_minimum("bootstrap")


def test_a_32_row_study_trains_with_cross_validation_by_default():
    df = study(32, 12)
    chosen = setup.default_setup(df)
    assert chosen.mode == setup.MODE_TRAIN and chosen.target == "response"
    assert chosen.feature_columns == ["dose", "weight"]
    assert describe_data(df, "response", validation="auto").y.sum() == 12
    with pytest.raises(DataError, match="at least 50 rows"):  # the hold-out split still needs 50
        describe_data(df, "response", validation="holdout")


def test_too_few_rows_to_cross_validate_says_how_many_more():
    with pytest.raises(DataError, match="Only 19 rows .* at least 20 rows: add 1 more row,"):
        describe_data(study(19, 9), "response", validation="cv")
    with pytest.raises(DataError, match="Only 2 rows have the class 'yes'.* at least 3 rows of each "
                                        "class: add 1 more row of 'yes'"):
        describe_data(study(40, 2), "response", validation="auto")
    assert describe_data(study(20, 3), "response", validation="cv").y.sum() == 3


def test_a_table_too_small_to_train_falls_back_to_use_my_scores():
    chosen = setup.default_setup(study(12, 6))
    assert chosen.mode == setup.MODE_SCORES and chosen.score_column == "dose"
    note = setup.too_small_to_train_note(chosen.score_column)
    assert "at least 20 rows and 3 of each class" in note and "'dose'" in note


def test_a_score_count_table_opens_in_use_my_scores_with_its_count_column():
    rng = np.random.default_rng(1)
    scores = np.round(np.linspace(0, 1, 101), 2)
    table = pd.DataFrame({"score": np.repeat(scores, 2), "label": np.tile([0, 1], 101),
                          "count": rng.integers(1, 500, 202)})
    chosen = setup.default_setup(table)
    assert (chosen.mode, chosen.target, chosen.score_column, chosen.count_column) == (
        setup.MODE_SCORES, "label", "score", "count")


def test_demos_default_to_training_with_their_presets():
    for key, demo in DEMOS.items():
        chosen = setup.default_setup(load_demo(key), demo=demo)
        assert (chosen.mode, chosen.target, chosen.positive_class) == (setup.MODE_TRAIN, demo.target,
                                                                      demo.positive_class)
        assert chosen.amount_column == demo.amount_column


# ------------------------------------------------------------------ contract messages these rules lead to


def test_a_file_with_only_the_target_column_says_exactly_that():
    df = pd.DataFrame({"default": ["yes", "no"] * 30})
    with pytest.raises(DataError) as info:
        describe_data(df, "default", require_split=False)
    assert ("this file has one column, 'default'; Cutoff needs at least one more: features to learn "
            "from, or a score") in str(info.value)


def test_all_free_text_features_say_they_were_left_out_and_why():
    rng = np.random.default_rng(0)
    words = ["late", "payment", "called", "twice", "about", "the", "invoice", "again", "today"]
    notes = [" ".join(rng.choice(words, 6)) + f" ref {i}" for i in range(120)]
    df = pd.DataFrame({"notes": notes, "comment": [n[::-1] for n in notes], "outcome": ["yes", "no"] * 60})
    report = describe_data(df, "outcome")
    assert report.features == []
    message = next(w for w in report.warnings if w.startswith("Every column besides the target is free text"))
    assert "'notes' (120 distinct values)" in message and "'comment'" in message and "left out" in message


def test_leakage_in_reverse_is_called_reverse():
    df = study(100, 50)
    df["days_to_close"] = np.where(df["response"] == "yes", 1.0, 9.0) + np.arange(100) * 1e-3  # low = yes
    df["closed_flag"] = np.where(df["response"] == "yes", 5.0, 0.0)
    report = describe_data(df, "response")
    reverse = next(w for w in report.warnings if "'days_to_close'" in w)
    forward = next(w for w in report.warnings if "'closed_flag'" in w)
    assert "separates the target perfectly in reverse (low values mean 'yes') (ROC AUC 0.000)" in reverse
    assert "separates the target perfectly (ROC AUC 1.000)" in forward and "reverse" not in forward


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(10, 80), st.integers(1, 4))
def test_column_aucs_equal_scikit_learn_column_by_column(seed, n, p):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    values = rng.integers(0, 5, (n, p)).astype(float)  # many ties
    values[rng.random((n, p)) < 0.2] = np.nan
    got = column_aucs(y, values)
    for j in range(p):
        ok = ~np.isnan(values[:, j])
        if ok.sum() < 10 or y[ok].min() == y[ok].max():
            assert np.isnan(got[j])
        else:
            assert got[j] == pytest.approx(roc_auc_score(y[ok], values[ok, j]), abs=1e-12)
