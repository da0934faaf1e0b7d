"""core.setup's whole default and its sentences, on small hand-made tables.

A demo whose positive class is *not* the one the default rule would pick (so passing it on
is visible), a score-count table with an amount, a first guess that cannot train, the
fallback to *Use my scores*, the first error when no column works, and the validation
sentence's numbers. Expected values come from the tables as written here.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from core import setup
from core.errors import DataError
from core.target import default_positive_class, list_values


def demo(**fields) -> SimpleNamespace:
    base = dict(target="outcome", positive_class="good", features=("age",), score_column="rating",
                amount_column="amount")
    return SimpleNamespace(**{**base, **fields})


def customers(n: int = 60) -> pd.DataFrame:
    """A trainable table: 'bad' is the default positive class (a positive word), 'good' is not."""
    rng = np.random.default_rng(3)
    return pd.DataFrame({
        "age": rng.integers(18, 80, n),
        "income": rng.normal(50, 10, n).round(1),
        "rating": rng.random(n).round(3),
        "amount": rng.integers(100, 900, n),
        "outcome": ["good", "bad"] * (n // 2),
    })


def test_a_demos_presets_are_passed_on_even_where_the_default_rule_differs():
    df = customers()
    assert default_positive_class(["bad", "good"]) == "bad"
    chosen = setup.default_setup(df, demo=demo())
    assert (chosen.mode, chosen.target, chosen.positive_class) == (setup.MODE_TRAIN, "outcome", "good")
    assert chosen.report.positive_class == "good"
    np.testing.assert_array_equal(chosen.report.y, (df["outcome"] == "good").astype(int))
    assert chosen.feature_columns == ["age"]
    assert chosen.amount_column == "amount"
    assert "excluded" in chosen.report.dropped["rating"]  # the demo's score is never a feature


def test_without_a_demo_the_rules_decide():
    chosen = setup.default_setup(customers())
    assert (chosen.mode, chosen.target, chosen.positive_class) == (setup.MODE_TRAIN, "outcome", "bad")
    assert chosen.amount_column is None
    assert chosen.feature_columns == ["age", "income", "rating", "amount"]
    assert chosen.report is not None and chosen.report.positive_class == "bad"


def test_a_score_column_without_counts_still_trains():
    df = customers().rename(columns={"rating": "risk_score"})
    chosen = setup.default_setup(df)
    assert chosen.mode == setup.MODE_TRAIN and chosen.score_column is None
    assert "risk_score" not in chosen.feature_columns


def test_the_options_given_are_the_only_targets_tried():
    df = customers().assign(flag=["p", "q", "q"] * 20)
    chosen = setup.default_setup(df, options=["flag"])
    assert chosen.target == "flag" and chosen.positive_class == "p"  # the minority


def test_a_score_count_table_opens_with_the_demos_class_amount_and_an_untrained_report():
    table = pd.DataFrame({"score": [0.1, 0.4, 0.6, 0.9] * 3, "outcome": ["good", "bad"] * 6,
                          "count": [5, 3, 8, 1] * 3, "amount": [10, 20, 30, 40] * 3})
    chosen = setup.default_setup(table, demo=demo(score_column="score", features=()))
    assert (chosen.mode, chosen.target, chosen.positive_class) == (setup.MODE_SCORES, "outcome", "good")
    assert (chosen.score_column, chosen.count_column, chosen.amount_column) == ("score", "count", "amount")
    assert chosen.report is not None and chosen.report.positive_class == "good"  # 12 rows: no split


def test_when_the_first_guess_cannot_train_the_next_two_valued_column_does():
    df = customers()
    df["label"] = "same"  # named like a target, but one class only
    df["segment"] = list("abc") * 20  # three classes: not two-valued
    df["churned"] = ["no", "yes", "no"] * 20
    df = df[["label", "segment", "age", "income", "churned"]]
    assert setup.guess_target(df) == "label"
    chosen = setup.default_setup(df)
    assert (chosen.mode, chosen.target, chosen.positive_class) == (setup.MODE_TRAIN, "churned", "yes")


def test_no_usable_target_raises_the_first_error():
    df = pd.DataFrame({"label": ["same"] * 30, "kind": [1] * 30, "x": np.arange(30.0) ** 2})
    with pytest.raises(DataError, match="'label' has only one class"):
        setup.default_setup(df)


def test_too_small_to_train_falls_back_to_the_first_numeric_column_that_is_not_the_target():
    df = pd.DataFrame({"label": [0, 1] * 6, "dose": np.linspace(0, 1, 12)})
    chosen = setup.default_setup(df)
    assert (chosen.mode, chosen.target, chosen.score_column) == (setup.MODE_SCORES, "label", "dose")
    assert chosen.report is not None and chosen.report.y.sum() == 6


def test_too_small_to_train_with_a_demo_uses_the_demos_score_column():
    df = pd.DataFrame({"outcome": ["good", "bad"] * 6, "age": np.arange(12.0),
                       "rating": np.linspace(0, 1, 12), "amount": np.arange(12) * 10})
    chosen = setup.default_setup(df, demo=demo())
    assert (chosen.mode, chosen.score_column, chosen.positive_class) == (setup.MODE_SCORES, "rating", "good")
    assert chosen.amount_column == "amount"


@pytest.mark.parametrize(("n_rows", "n_pos", "words"), [
    (10_000, 2_000, "With 10,000 rows a hold-out split is fast and leaves 2,000 validation rows"),
    (5_000, 5, "Only 5 rows are in the smaller class, too few to split three ways"),
    (4_999, 2_000, "With 4,999 rows a 20% validation split would hold only 1,000 rows"),
    (100, 50, "With 100 rows a 20% validation split would hold only 20 rows"),
])
def test_the_validation_sentence_gives_the_numbers(n_rows, n_pos, words):
    assert setup.validation_reason(n_rows, n_pos, n_rows - n_pos).startswith(words)


@pytest.mark.parametrize(("values", "text"), [
    (list("abcdefghij"), "'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'"),
    (list("abcdefghijkl"), "'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j' and 2 more"),
    (list(range(1_011)), ", ".join(f"'{i}'" for i in range(10)) + " and 1,001 more"),
    (["x"], "'x'"),
])
def test_values_listed_in_messages_show_ten_and_count_the_rest(values, text):
    assert list_values(values) == text
