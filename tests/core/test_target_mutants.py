"""core.target on small hand-made columns: how a column's values become classes, which class
is positive, and the 0/1 outcome with its messages.

Every expected value is read off the column written in the test (direct counts), so a test
fails when a rule changes: missing values (NaN, inf, blanks) never become a class; spellings
that differ only in case or spaces merge into the most frequent one, whatever the row order;
integral floats are shown as ints; true/false stays true/false; a stakeholder's positive word
beats the minority rule, ties go to the last class; a class given as text matches its number.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.errors import DataError
from core.target import binary_target, default_positive_class, same_class, target_classes


def column(values, name: str = "y") -> pd.DataFrame:
    return pd.DataFrame({name: values})


# ------------------------------------------------------------------ which column, bad input


def test_a_target_that_is_not_in_a_table_is_refused():
    with pytest.raises(DataError, match="Expected a table"):
        target_classes({"y": [0, 1]}, "y")


def test_a_missing_column_lists_the_first_ten_columns_and_says_when_there_are_more():
    ten = pd.DataFrame({f"c{i}": [0] for i in range(10)})
    with pytest.raises(DataError) as info:
        target_classes(ten, "churn")
    shown = ", ".join(f"'c{i}'" for i in range(10))
    assert f"There is no column named 'churn'. Pick the target from the columns: {shown}." == str(info.value)
    eleven = ten.assign(c10=[0])
    with pytest.raises(DataError) as info:
        target_classes(eleven, "churn")
    assert str(info.value).endswith(f"{shown}, ....") and "'c10'" not in str(info.value)


def test_two_columns_with_the_targets_name_are_refused():
    df = pd.DataFrame([[0, 1], [1, 0]], columns=["y", "y"])
    with pytest.raises(DataError, match="More than one column is named 'y'"):
        binary_target(df, "y", None)


# ------------------------------------------------------------------ classes of a column


def test_true_false_columns_keep_true_and_false_as_classes():
    for values in ([True, False, True], np.array([True, False, True])):
        classes = target_classes(column(values), "y")
        assert classes == [False, True] and all(type(c) is bool for c in classes)
        assert classes.counts == {False: 1, True: 2}
    # true/false in a text column (with a gap) stay true/false too, before any text
    classes = target_classes(column([True, None, False, True, "maybe"]), "y")
    assert classes == [False, True, "maybe"] and [type(c) for c in classes] == [bool, bool, str]
    assert classes.counts == {False: 1, True: 2, "maybe": 1}


def test_numbers_come_before_text_and_each_group_is_sorted():
    classes = target_classes(column(["b", True, "a", False, "b"]), "y")
    assert classes == [False, True, "a", "b"]


def test_infinite_and_missing_numbers_are_not_classes():
    df = column([0.0, 1.0, np.inf, -np.inf, np.nan, 1.0])
    classes = target_classes(df, "y")
    assert classes == [0, 1] and classes.counts == {0: 1, 1: 2}
    result = binary_target(df, "y", None)
    np.testing.assert_array_equal(result.row_mask, [True, True, False, False, False, True])
    assert result.n_missing_target == 3
    np.testing.assert_array_equal(result.y, [0, 1, 1])


def test_a_column_with_no_number_at_all_has_no_classes():
    df = column([np.nan, np.inf, np.nan])
    assert target_classes(df, "y") == []
    with pytest.raises(DataError, match="'y' has no values"):
        binary_target(df, "y", None)


@pytest.mark.parametrize(("values", "expected"), [
    ([0.0, 1.0, 1.0], [0, 1]),
    ([3.0, -2.0], [-2, 3]),
    ([0.0, 1e15], [0, 10**15]),  # large whole numbers are still whole numbers
    (pd.array([0, None, 7], dtype="Int64"), [0, 7]),
])
def test_whole_numbers_stored_as_floats_are_ints(values, expected):
    classes = target_classes(column(values), "y")
    assert classes == expected and all(type(c) is int for c in classes)


@pytest.mark.parametrize(("values", "expected"), [
    ([0.5, 1.0, 0.5], [0.5, 1.0]),
    ([0.0, 1e300], [0.0, 1e300]),  # too big for an exact int: left as it is
    # From 2**53 on, a float no longer holds every whole number (an ID 10000000000000001 reads
    # as 1e16): such values are not shown as if exact; 1e19 would not even fit a 64-bit int.
    ([0.0, 2.0**53], [0.0, 2.0**53]),
    ([0.0, 1e16], [0.0, 1e16]),
    ([0.0, -1e19], [-1e19, 0.0]),
])
def test_other_numbers_stay_floats(values, expected):
    classes = target_classes(column(values), "y")
    assert classes == expected and all(type(c) is float for c in classes)
    assert classes.counts == {v: values.count(v) for v in expected}
    assert target_classes(column([0.0, 2.0**53 - 1]), "y") == [0, 2**53 - 1]  # just below: ints


def test_blanks_and_missing_text_are_not_classes_and_are_dropped():
    df = column(["yes", "  ", None, "no", "", "yes", np.nan])
    classes = target_classes(df, "y")
    assert classes == ["no", "yes"] and classes.counts == {"no": 1, "yes": 2}
    result = binary_target(df, "y", None)
    assert result.n_missing_target == 4
    np.testing.assert_array_equal(result.row_mask, [True, False, False, True, False, True, False])
    np.testing.assert_array_equal(result.y, [1, 0, 1])
    assert "Dropped 4 rows with no value in 'y'." in result.warnings
    assert not any("capital letters" in w for w in result.warnings)  # '' and '  ' are not spellings


def test_one_missing_row_is_a_row_not_rows():
    result = binary_target(column(["yes", None, "no"]), "y", None)
    assert "Dropped 1 row with no value in 'y'." in result.warnings
    result = binary_target(column(["yes", None, "no", None]), "y", None)
    assert "Dropped 2 rows with no value in 'y'." in result.warnings
    assert not any("Dropped" in w for w in binary_target(column(["yes", "no"]), "y", None).warnings)


@pytest.mark.parametrize(("values", "expected"), [
    (["Yes", "Yes", "yes", "no"], "Yes"),  # the most frequent spelling, first or not
    (["yes", "Yes", "Yes", "no"], "Yes"),
    (["YES ", "YES", "yes", "no"], "YES"),  # spellings equal once trimmed add up: 2 against 1
    ([" no", "no", "No", "No", "No", "yes"], "No"),
])
def test_spelling_variants_merge_into_the_most_frequent_spelling(values, expected):
    classes = target_classes(column(values), "y")
    other = "no" if expected.lower() == "yes" else "yes"
    assert expected in classes and len(classes) == 2
    assert classes.counts[expected] == sum(v.strip().lower() == expected.lower() for v in values)
    assert classes.counts[other] == sum(v.strip().lower() == other for v in values)
    result = binary_target(column(values), "y", expected)
    np.testing.assert_array_equal(result.y, [v.strip().lower() == expected.lower() for v in values])


def test_a_tie_between_spellings_does_not_depend_on_the_row_order():
    one = target_classes(column(["Yes", "yes", "no"]), "y")
    other = target_classes(column(["yes", "Yes", "no"]), "y")
    assert one == other and len(one) == 2


def test_merged_spellings_are_named_in_one_warning_of_at_most_four_groups():
    values = ["a", "A", "b", "B ", "c", " c", "d", "D", "e", "E", "f"]
    result = binary_target(column(values), "y", "f")
    (warning,) = [w for w in result.warnings if "capital letters" in w]
    assert "('a' = 'A'; 'b' = 'B '; 'c' = ' c'; 'd' = 'D')" in warning
    assert "'e'" not in warning and "'E'" not in warning
    assert warning.startswith("'y' has values that differ only in spaces or capital letters")
    clean = binary_target(column(["a", "b", "a"]), "y", "a")
    assert not any("capital letters" in w for w in clean.warnings)


# ------------------------------------------------------------------ the positive class


# Words the module docstring and the Data page promise: a class named so is "positive".
POSITIVE = ["1", "1.0", "yes", "y", "true", "t", "positive", "pos", "default", "defaulted", "fraud",
            "fraudulent", "churn", "churned", "malignant", "spam", "bad", "fail", "failed", "failure",
            "sick", "disease", "diseased", "attrition", "attrited", "left", "exited", "died", "dead",
            "abnormal", "anomaly", "outlier", "event", "case", "infected", "cancer", "readmitted",
            "delinquent", "charged off", "charged_off", "at risk", "high risk", "cancelled", "canceled",
            "ja", "oui", "si", "sí", "sim"]


@pytest.mark.parametrize("word", POSITIVE)
def test_a_positive_word_wins_even_as_the_majority(word):
    other = "zz other"
    assert default_positive_class([word, other], counts={word: 90, other: 10}) == word
    assert default_positive_class([f" {word.upper()} ", other], counts={f" {word.upper()} ": 9, other: 1}) \
        == f" {word.upper()} "


def test_true_is_a_positive_word_and_false_is_not():
    assert default_positive_class([True] * 5 + [False]) is True
    assert default_positive_class(np.array([True, True, False])) == np.True_
    assert default_positive_class(["false", "other"], counts={"false": 1, "other": 9}) == "false"  # minority


def test_a_whole_float_reads_as_its_integer():
    assert default_positive_class([0.0, 1.0] + [1.0] * 5) == 1.0
    assert default_positive_class([np.float64(1.0), np.float64(2.0), np.float64(2.0)]) == 1.0


def test_without_a_positive_word_the_minority_wins_and_ties_go_to_the_last_class():
    assert default_positive_class(["kept"] * 3 + ["lost"]) == "lost"
    assert default_positive_class(["lost"] + ["kept"] * 3) == "lost"
    assert default_positive_class(["b", "a", "c"]) == "c"  # a three-way tie: the last sorted
    assert default_positive_class([3, 2]) == 3
    # with several positive words, the minority among them
    assert default_positive_class(["yes", "fraud", "yes", "no"]) == "fraud"
    assert default_positive_class(["yes", "fraud", "fraud", "no", "no", "no"]) == "yes"


def test_counts_come_from_the_argument_then_the_classes_then_the_values():
    assert default_positive_class(["a", "b"], counts={"a": 1, "b": 5}) == "a"
    assert default_positive_class(["a", "b"], counts={"b": 5}) == "a"  # a class without a count has none
    assert default_positive_class(["a", "b"], counts={"a": 5}) == "b"
    classes = target_classes(column(["a"] * 2 + ["b"] * 7), "y")
    assert classes == ["a", "b"] and default_positive_class(classes) == "a"
    classes = target_classes(column(["a"] * 7 + ["b"] * 2), "y")
    assert default_positive_class(classes) == "b"


def test_missing_values_are_not_candidates():
    assert default_positive_class([np.nan, "a", "b", "b", None, np.nan, np.nan]) == "a"
    assert default_positive_class([pd.NA, "kept", "kept", "lost"]) == "lost"
    with pytest.raises(DataError, match="The target has no values"):
        default_positive_class([np.nan, None])
    with pytest.raises(DataError, match="no positive class"):
        default_positive_class([])


def test_a_tuple_is_a_value_not_a_missing_one():
    assert default_positive_class([(1, 2), (1, 2), (3, 4)]) == (3, 4)


def test_true_false_beside_text_sort_before_it_and_the_minority_rule_still_works():
    assert default_positive_class(["maybe", True, "maybe", False, False]) is True  # a positive word
    assert default_positive_class(["maybe", False, "maybe", "x", "x"]) is False  # minority, no word
    classes = target_classes(column(["maybe", False, "maybe", "x", "x", "x", False, False]), "y")
    assert classes == [False, "maybe", "x"] and default_positive_class(classes) == "maybe"


# ------------------------------------------------------------------ the 0/1 outcome


def test_two_classes_give_y_and_the_other_class_as_negative_label():
    df = column(["no", "yes", "no", "no", "yes"])
    result = binary_target(df, "y", None)
    assert (result.positive_class, result.negative_label, result.one_vs_rest) == ("yes", "no", False)
    np.testing.assert_array_equal(result.y, [0, 1, 0, 0, 1])
    assert result.y.dtype == np.int64 and result.classes == ["no", "yes"]
    assert result.warnings == [] and result.n_missing_target == 0
    negative = binary_target(df, "y", "no")
    assert (negative.positive_class, negative.negative_label) == ("no", "yes")
    np.testing.assert_array_equal(negative.y, [1, 0, 1, 1, 0])
    numbers = binary_target(column([1, 0, 0]), "y", None)
    assert (numbers.positive_class, numbers.negative_label) == (1, "0")
    np.testing.assert_array_equal(numbers.y, [1, 0, 0])


def test_a_missing_positive_class_means_the_default_one():
    for missing in (None, np.nan, pd.NA):
        result = binary_target(column(["stay", "left", "stay"]), "y", missing)
        assert result.positive_class == "left"
        np.testing.assert_array_equal(result.y, [0, 1, 0])


@pytest.mark.parametrize(("values", "wanted", "expected"), [
    ([0, 1, 1], "1", 1),
    ([0, 1, 1], 1.0, 1),
    ([0, 1, 1], " 0 ", 0),
    (["No", "Yes"], " yes", "Yes"),
    ([0.5, 1.0, 0.5], "1", 1.0),  # a whole float among fractions, asked for as text
    ([True, False], "false", False),
    ([True, False], "TRUE", True),
    ([True, False], np.True_, True),
])
def test_a_positive_class_matches_however_it_is_written(values, wanted, expected):
    result = binary_target(column(values), "y", wanted)
    assert result.positive_class == expected and type(result.positive_class) is type(expected)
    np.testing.assert_array_equal(result.y, [v == expected for v in values])


def test_the_exact_class_is_matched_before_one_that_only_reads_the_same():
    values = [True, "true", False, "true"]
    assert target_classes(column(values), "y") == [False, True, "true"]
    text = binary_target(column(values), "y", "true")
    assert text.positive_class == "true" and type(text.positive_class) is str
    np.testing.assert_array_equal(text.y, [0, 1, 0, 1])
    flag = binary_target(column(values), "y", True)
    assert flag.positive_class is True
    np.testing.assert_array_equal(flag.y, [1, 0, 0, 0])


def test_a_list_is_not_a_positive_class():
    with pytest.raises(DataError, match="is not a value of 'y'"):
        binary_target(column(["no", "yes"]), "y", ["yes", "no"])


@pytest.mark.parametrize(("values", "wanted"), [
    ([0, 1], True),  # True is not taken for 1, nor 1 for True
    ([True, False], 1),
    ([0, 1], 2),
    ([0, 1], "1.0"),
])
def test_a_positive_class_that_is_not_a_value_is_refused_listing_the_classes(values, wanted):
    with pytest.raises(DataError) as info:
        binary_target(column(values), "y", wanted)
    shown = ", ".join(f"'{c}'" for c in target_classes(column(values), "y"))
    assert str(info.value) == (f"'{wanted}' is not a value of 'y'. Choose the positive class from: "
                               f"{shown}.")


def test_one_class_is_refused_with_its_rows():
    with pytest.raises(DataError) as info:
        binary_target(column(["No"] * 7 + [None]), "y", None)
    assert str(info.value).startswith("'y' has only one class, 'No' (all 7 rows with a value).")


def test_three_classes_need_a_positive_class_and_then_are_one_vs_rest():
    values = ["cat", "dog", "bird", "dog"]
    with pytest.raises(DataError) as info:
        binary_target(column(values), "y", None)
    message = str(info.value)
    assert message.startswith("'y' has 3 classes ('bird', 'cat', 'dog'). Cutoff needs two outcomes")
    assert "measurement" not in message
    result = binary_target(column(values), "y", "dog")
    assert result.one_vs_rest and result.negative_label == "not 'dog'"
    np.testing.assert_array_equal(result.y, [0, 1, 0, 1])
    assert result.warnings == ["'y' has 3 classes: comparing 'dog' (positive) against all the others "
                               "(one-vs-rest)."]


@pytest.mark.parametrize(("n_classes", "numbers", "hint"), [
    (20, True, False), (21, True, True), (21, False, False), (3, True, False),
])
def test_many_numeric_classes_are_called_a_measurement(n_classes, numbers, hint):
    values = [i / 2 for i in range(n_classes)] if numbers else [f"k{i}" for i in range(n_classes)]
    with pytest.raises(DataError) as info:
        binary_target(column(values), "y", None)
    assert ("It looks like a measurement rather than an outcome." in str(info.value)) == hint
    assert f"has {n_classes:,} classes" in str(info.value)


def test_same_class_is_equality_that_keeps_text_apart_from_numbers():
    assert same_class("a", "a") and same_class(1, 1) and same_class(1, 1.0)
    assert not same_class("a", "b") and not same_class(0, 1)

    class Loose:
        """A value equal to anything (as some library objects are)."""

        def __eq__(self, other):
            return True

    assert not same_class(Loose(), "1") and not same_class("1", Loose()) and same_class(Loose(), 1)
