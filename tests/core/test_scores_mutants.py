"""core.scores at its edges: the cases mutation testing found the other tests never reached.

Bring-your-own scores with a positive class given, a true/false or infinite score column,
score ranges exactly at 0 and 1, a single positive case, an AUC of exactly 0.5; count and
amount columns read through a row mask (boolean or 0/1), from integer and nullable columns.
Expected values come from the fixtures themselves (direct counts) or scikit-learn.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from core.errors import DataError
from core.scores import amount_values, case_counts, scores_from_column


def table(scores, labels=None) -> pd.DataFrame:
    n = len(scores)
    labels = ["yes", "no"] * (n // 2) + ["no"] * (n % 2) if labels is None else labels
    return pd.DataFrame({"outcome": labels, "risk": scores})


# ------------------------------------------------------------------------ scores_from_column


def test_an_unknown_score_column_is_named_in_the_error():
    with pytest.raises(DataError, match="no column named 'riks'"):
        scores_from_column(table([0.1, 0.9]), "outcome", "riks")


def test_the_positive_class_asked_for_is_the_one_labelled_1():
    df = table([0.2, 0.8, 0.3, 0.7, 0.1, 0.6])
    got = scores_from_column(df, "outcome", "risk", positive_class="no")
    np.testing.assert_array_equal(got.y, (df["outcome"] == "no").astype(int).to_numpy())
    assert got.positive_class == "no" and got.negative_label == "yes"


def test_rows_without_a_target_are_marked_and_counted():
    df = table([0.2, 0.8, 0.3, 0.7], labels=["yes", None, "no", "yes"])
    got = scores_from_column(df, "outcome", "risk")
    np.testing.assert_array_equal(got.row_mask, [True, False, True, True])
    np.testing.assert_array_equal(got.scores, [0.2, 0.3, 0.7])
    assert got.n_missing_target == 1


def test_a_true_false_column_is_not_a_score():
    with pytest.raises(DataError, match="true/false"):
        scores_from_column(table([True, False, True, False]), "outcome", "risk")


@pytest.mark.parametrize("scores", [[1, 0, 1, 0], ["1", "0", "1", "0"]], ids=["integers", "text"])
def test_scores_are_float64_whatever_the_column_holds(scores):
    got = scores_from_column(table(scores), "outcome", "risk")
    assert got.scores.dtype == np.float64
    np.testing.assert_array_equal(got.scores, [1.0, 0.0, 1.0, 0.0])


@pytest.mark.parametrize("dtype", ["Float64", "Int64"])
def test_a_missing_score_in_a_nullable_column_is_counted(dtype):
    df = table(pd.array([1, None, 0, 1], dtype=dtype))
    with pytest.raises(DataError, match="1 missing of 4"):
        scores_from_column(df, "outcome", "risk")


def test_an_infinite_score_is_refused_with_its_count():
    with pytest.raises(DataError, match="1 infinite of 4"):
        scores_from_column(table([0.2, np.inf, 0.4, 0.1]), "outcome", "risk")


def test_text_scores_name_at_most_three_examples_in_order():
    scores = ["0.1", "high", "low", "medium", "n/a-ish", "0.9"]
    with pytest.raises(DataError) as info:
        scores_from_column(table(scores), "outcome", "risk")
    message = str(info.value)
    assert "4 not numbers ('high', 'low', 'medium')" in message
    assert "n/a-ish" not in message


@pytest.mark.parametrize(("scores", "probability"), [
    ([0.0, 1.0, 0.5, 0.25], True),       # exactly on both ends
    ([0.0, 1.0000001, 0.5, 0.2], False),  # just above 1
    ([-0.5, 0.9, 0.5, 0.2], False),       # below 0, highest still under 1
    ([0.1, 1.5, 0.5, 0.2], False),        # above 1, lowest still over 0
])
def test_scores_are_probabilities_only_within_0_and_1(scores, probability):
    got = scores_from_column(table(scores), "outcome", "risk")
    assert got.is_probability is probability
    assert any("not 0 to 1" in w for w in got.warnings) is not probability


def test_inverted_scores_are_pointed_out_with_a_single_positive():
    labels = ["no"] * 5 + ["yes"]
    scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.1]  # the one positive scores lowest
    assert roc_auc_score([label == "yes" for label in labels], scores) == 0.0
    got = scores_from_column(table(scores, labels), "outcome", "risk")
    assert any("inverted" in w for w in got.warnings)


def test_scores_that_rank_no_better_than_chance_are_not_called_inverted():
    labels = ["yes", "no", "yes", "no"]
    scores = [0.4, 0.4, 0.4, 0.4]
    assert roc_auc_score([label == "yes" for label in labels], scores) == 0.5
    got = scores_from_column(table(scores, labels), "outcome", "risk")
    assert not any("inverted" in w for w in got.warnings)


# ------------------------------------------------------------------------ case_counts


def count_table(counts) -> pd.DataFrame:
    return pd.DataFrame({"score": np.linspace(0, 1, len(counts)), "count": counts})


def test_a_mask_of_0_and_1_selects_rows_like_a_boolean_one():
    df = count_table([5, 6, 7, 8])
    np.testing.assert_array_equal(case_counts(df, "count", np.array([1, 0, 1, 1])), [5.0, 7.0, 8.0])
    np.testing.assert_array_equal(case_counts(df, "count", [0, 1, 0, 0]), [6.0])


def test_integer_counts_come_back_as_float64():
    got = case_counts(count_table([3, 1, 2]), "count")
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, [3.0, 1.0, 2.0])


def test_a_missing_count_in_a_nullable_integer_column_is_counted():
    with pytest.raises(DataError, match="1 missing of 3"):
        case_counts(count_table(pd.array([3, None, 2], dtype="Int64")), "count")


def test_bad_counts_show_at_most_three_examples():
    with pytest.raises(DataError) as info:
        case_counts(count_table(["a", "b", "c", "d"]), "count")
    assert "holds 'a', 'b', 'c'." in str(info.value) and "'d'" not in str(info.value)
    with pytest.raises(DataError) as info:
        case_counts(count_table([-1, -2, -3, -4]), "count")
    assert "4 negative (-1, -2, -3) of 4" in str(info.value)


# ------------------------------------------------------------------------ amount_values


def amount_table(amounts) -> pd.DataFrame:
    return pd.DataFrame({"label": [0, 1] * (len(amounts) // 2) + [0] * (len(amounts) % 2),
                         "amount": amounts})


def test_an_unknown_amount_column_is_named_in_the_error():
    with pytest.raises(DataError, match="no column named 'amt'"):
        amount_values(amount_table([1.0, 2.0]), "amt")


@pytest.mark.parametrize("mask", [np.array([True, False, True, False]), np.array([1, 0, 1, 0]),
                                  [True, False, True, False]], ids=["bool", "0/1", "list"])
def test_amounts_are_read_over_the_rows_of_the_mask(mask):
    got = amount_values(amount_table([100, 200, 300, 400]), "amount", mask)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, [100.0, 300.0])


def test_a_true_false_column_is_not_an_amount():
    with pytest.raises(DataError, match="'amount' is not numeric"):
        amount_values(amount_table([True, False, True]), "amount")


def test_integer_and_nullable_amounts_come_back_as_float64_with_nan_for_missing():
    got = amount_values(amount_table([120, 80, 5]), "amount")
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, [120.0, 80.0, 5.0])
    got = amount_values(amount_table(pd.array([120, None, 5], dtype="Int64")), "amount")
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got[[0, 2]], [120.0, 5.0])
    assert np.isnan(got[1])
