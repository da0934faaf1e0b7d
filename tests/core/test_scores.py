"""core.scores: a score-count table's Count column and an Amount column, validated at the edge."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.errors import DataError
from core.scores import amount_values, case_counts


def counts_table(counts) -> pd.DataFrame:
    n = len(counts)
    return pd.DataFrame({"score": np.linspace(0, 1, n), "label": [0, 1] * (n // 2) + [0] * (n % 2),
                         "count": counts})


def test_whole_and_fractional_non_negative_counts_are_kept_as_they_are():
    df = counts_table([3, 0, 2.5, 7])
    np.testing.assert_array_equal(case_counts(df, "count"), [3.0, 0.0, 2.5, 7.0])
    mask = np.array([True, False, True, True])
    np.testing.assert_array_equal(case_counts(df, "count", mask), [3.0, 2.5, 7.0])


@pytest.mark.parametrize(("counts", "words"), [
    ([3, -2, 1, -2.5], "2 negative (-2, -2.5) of 4"),
    ([3, np.nan, 1, 2], "1 missing of 4"),
    ([3, np.inf, 1, 2], "1 infinite of 4"),
    ([1, np.nan, -1, 2], "1 missing and 1 negative (-1) of 4"),
])
def test_bad_counts_say_how_many_and_which(counts, words):
    with pytest.raises(DataError) as info:
        case_counts(counts_table(counts), "count")
    message = str(info.value)
    assert "'count' must hold how many cases each row stands for (whole or non-negative numbers)" in message
    assert words in message and "Count column" in message


def test_text_all_zero_and_unknown_count_columns_are_refused():
    with pytest.raises(DataError, match="holds 'many', 'few'"):
        case_counts(counts_table(["many", "few", "many", "few"]), "count")
    with pytest.raises(DataError, match="Every value of 'count' is 0"):
        case_counts(counts_table([0, 0, 0, 0]), "count")
    with pytest.raises(DataError, match="no column named 'cases'"):
        case_counts(counts_table([1, 2]), "cases")
    with pytest.raises(DataError, match="holds 'True'"):
        case_counts(counts_table([True, False]), "count")


def test_rows_outside_the_mask_may_hold_anything():
    df = counts_table([1, -5, 2, 3])
    np.testing.assert_array_equal(case_counts(df, "count", np.array([True, False, True, True])), [1, 2, 3])


def test_amounts_pass_missing_as_nan_and_negatives_through():
    df = pd.DataFrame({"amount": [120.0, None, -30.0, np.inf], "name": list("abcd")})
    got = amount_values(df, "amount")
    np.testing.assert_array_equal(got[[0, 2]], [120.0, -30.0])
    assert np.isnan(got[1]) and np.isnan(got[3])
    with pytest.raises(DataError, match="'name' is not numeric"):
        amount_values(df, "name")
