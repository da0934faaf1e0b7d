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
    assert chosen.report.positive_class == "good"
    np.testing.assert_array_equal(chosen.report.y, (df["outcome"] == "good").astype(int))
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


# ------------------------------------------------------------------ the target guess and the score column


def test_a_demos_target_wins_over_a_column_the_name_rules_pick():
    df = customers().assign(decision=["p", "q", "q"] * 20)
    preset = demo(target="decision", positive_class="q", features=("age", "income"))
    assert setup.guess_target(df) == "outcome"  # named exactly like an outcome
    assert setup.guess_target(df, demo=preset) == "decision"
    assert setup.guess_target(df, options=["outcome", "age"], demo=preset) == "outcome"  # not an option
    chosen = setup.default_setup(df, demo=preset)
    assert (chosen.mode, chosen.target, chosen.positive_class) == (setup.MODE_TRAIN, "decision", "q")
    assert chosen.feature_columns == ["age", "income"]


def test_without_a_two_valued_column_the_last_option_is_the_guess():
    df = pd.DataFrame({"a": list("pqr") * 10, "b": [1, 2, 3] * 10, "c": list("xyz") * 10,
                       "d": np.arange(30.0)})
    assert setup.target_options(df) == ["a", "b", "c"]
    assert setup.guess_target(df) == "c"
    assert setup.guess_target(df, options=["c", "a", "b"]) == "b"


def test_with_only_count_named_columns_the_first_is_the_score():
    df = pd.DataFrame({"label": [0, 1] * 3, "N": [1, 2, 3, 4, 5, 6], "count": [5] * 6})
    assert setup.score_column_options(df, "label") == ["N", "count"]
    assert setup.default_score_column(df, "label") == "N"
    assert setup.default_score_column(df[["label", "count"]], "label") == "count"


def test_at_most_five_candidate_targets_are_tried():
    # Each candidate costs a full description of the table; wide tables have up to 20 candidates.
    df = pd.DataFrame({f"c{i}": ["u", "v"] * 15 for i in range(7)} | {"label": list("abc") * 10})
    tried = []

    def classes(target):
        tried.append(target)
        raise DataError(f"no good: {target}")

    with pytest.raises(DataError, match="no good: label"):
        setup.default_setup(df, classes=classes)
    assert tried == ["label", "c0", "c1", "c2", "c3"]


def test_two_valued_candidates_are_tried_before_a_column_earlier_in_the_table():
    df = customers()
    df["label"] = "same"  # named like a target, but one class only
    df["area"] = list("abc") * 20  # trainable one-vs-rest, but not a yes/no outcome
    df["churned"] = ["no", "yes", "no"] * 20
    df = df[["label", "area", "age", "income", "churned"]]
    chosen = setup.default_setup(df)
    assert (chosen.mode, chosen.target, chosen.positive_class) == (setup.MODE_TRAIN, "churned", "yes")


# ------------------------------------------------------------------ one column, one role


def test_the_target_and_the_score_are_never_the_count_column():
    df = pd.DataFrame({"label": [0, 1] * 3, "score": np.linspace(0, 1, 6), "weight": [1, 2, 3, 4, 5, 6],
                       "rows": [0, 1, 1, 0, 1, 0]})
    assert setup.default_count_column(df, "label", "score") == "weight"
    assert setup.default_count_column(df, "label", "weight") == "rows"  # the score is not the count
    assert setup.default_count_column(df[["rows", "score", "label"]], "rows", "score") is None  # nor the target


def test_a_demos_amount_column_only_where_the_table_has_it_and_it_is_not_the_target():
    df = customers()
    assert setup.default_amount_column(df, "outcome", demo()) == "amount"
    assert setup.default_amount_column(df.drop(columns="amount"), "outcome", demo()) is None
    assert setup.default_amount_column(df.assign(amount="n/a"), "outcome", demo()) is None  # not numeric
    assert setup.default_amount_column(df, "amount", demo()) is None  # the target is not its own amount
    assert setup.default_amount_column(df, "outcome") is None


def test_too_small_to_train_the_outcome_and_the_score_are_not_the_count():
    # outcome named like a count
    chosen = setup.default_setup(pd.DataFrame({"weight": [0, 1] * 6, "dose": np.linspace(0, 1, 12)}))
    assert (chosen.mode, chosen.target, chosen.score_column, chosen.count_column) == (
        setup.MODE_SCORES, "weight", "dose", None)
    # the only score named like a count
    chosen = setup.default_setup(pd.DataFrame({"label": [0, 1] * 6, "weight": np.linspace(50, 90, 12)}))
    assert (chosen.mode, chosen.target, chosen.score_column, chosen.count_column) == (
        setup.MODE_SCORES, "label", "weight", None)


def test_too_small_to_train_keeps_the_count_column():
    df = pd.DataFrame({"label": [0, 1] * 6, "dose": np.linspace(0, 1, 12), "n": [1, 2, 3] * 4})
    chosen = setup.default_setup(df)
    assert (chosen.mode, chosen.target, chosen.score_column, chosen.count_column) == (
        setup.MODE_SCORES, "label", "dose", "n")


def test_a_demo_column_that_is_also_a_candidate_target_is_not_its_amount():
    df = customers().assign(flagged=[0, 1] * 30)
    chosen = setup.default_setup(df, demo=demo(target="flagged", positive_class=1, amount_column="flagged",
                                               features=("age",)))
    assert (chosen.target, chosen.amount_column) == ("flagged", None)


def score_count_table() -> pd.DataFrame:
    return pd.DataFrame({"label": [0, 1] * 6, "flag": ["u", "u", "v"] * 4,
                         "score": np.linspace(0, 1, 12), "count": [3, 1, 2] * 4})


def test_a_score_count_table_whose_first_target_fails_tries_the_next():
    def describe(target, positive, require_split=True):
        if target == "label":
            raise DataError("cannot describe label")
        return setup.describe_data(score_count_table(), target, positive, require_split=require_split)

    chosen = setup.default_setup(score_count_table(), describe=describe)
    assert (chosen.mode, chosen.target, chosen.score_column, chosen.count_column) == (
        setup.MODE_SCORES, "flag", "score", "count")


def test_a_score_count_table_that_no_target_fits_raises_the_first_error():
    def describe(target, positive, require_split=True):
        raise DataError(f"cannot describe {target}")

    with pytest.raises(DataError, match="cannot describe label"):
        setup.default_setup(score_count_table(), describe=describe)
