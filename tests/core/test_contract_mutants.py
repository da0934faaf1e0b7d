"""core.contract at its limits: why each kind of column is dropped, the messages whose content
depends on the data, and the counts behind them.

The free-text listing (five columns named, the rest counted) and the leakage wording (perfect or
almost); text that is free text, an identifier or a category on each side of each limit (distinct
values, share of rows, spaces and length of the prose sample); numeric identifiers and numbers too
large; too few rows or rows of a class for the split asked; distinct counts against pandas.
Tables are built here so the expected verdict follows from them (a known number of distinct values,
a feature that ranks the target with exactly one pair swapped, scikit-learn's AUC for the limit).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from core.contract import (column_aucs, describe_data, distinct_counts, is_numeric, numeric_values,
                           training_minimum)
from core.errors import DataError

N = 120


def notes_table(n_text: int) -> pd.DataFrame:
    columns = {f"note{j}": [f"customer {i} called about invoice number {i * 7 + j}" for i in range(N)]
               for j in range(n_text)}
    return pd.DataFrame({"outcome": ["yes", "no"] * (N // 2), **columns})


def no_features_warning(df: pd.DataFrame, **kwargs) -> str:
    report = describe_data(df, "outcome", require_split=False, **kwargs)
    assert not report.features
    (warning,) = [w for w in report.warnings if "free text" in w or "No usable feature" in w]
    return warning


@pytest.mark.parametrize(("n_text", "listed"), [
    (1, "free text ('note0' (120 distinct values)), so"),
    (5, "free text (" + "; ".join(f"'note{j}' (120 distinct values)" for j in range(5)) + "), so"),
    (6, "free text (" + "; ".join(f"'note{j}' (120 distinct values)" for j in range(5)) + " and 1 more), so"),
    (8, "free text (" + "; ".join(f"'note{j}' (120 distinct values)" for j in range(5)) + " and 3 more), so"),
])
def test_free_text_columns_are_named_five_at_most_and_the_rest_counted(n_text, listed):
    assert listed in no_features_warning(notes_table(n_text))


def test_free_text_beside_another_unusable_column_gets_the_general_message():
    df = notes_table(2).assign(constant=1)
    warning = no_features_warning(df)
    assert warning.startswith("No usable feature columns")


def test_free_text_columns_deselected_by_the_user_get_the_general_message():
    report = describe_data(notes_table(2), "outcome", require_split=False, feature_columns=["note0"])
    assert not report.features
    assert any(w.startswith("No usable feature columns") for w in report.warnings)
    assert not any(w.startswith("Every column besides the target is free text") for w in report.warnings)


def leak_table(swapped: bool) -> pd.DataFrame:
    y = np.array([0] * 50 + [1] * 50)
    leak = np.arange(100) * 0.5 + 0.25  # ranks y perfectly (and is no row number)
    if swapped:
        leak[[49, 50]] = leak[[50, 49]]  # one negative above one positive
    return pd.DataFrame({"outcome": np.where(y == 1, "yes", "no"), "leak": leak,
                         "noise": np.random.default_rng(0).normal(size=100)})


@pytest.mark.parametrize(("swapped", "how"), [(False, "perfectly (ROC AUC 1.000)"),
                                              (True, "almost perfectly (ROC AUC 1.000)")])
def test_a_leak_is_called_perfect_only_when_it_is(swapped, how):
    df = leak_table(swapped)
    auc = roc_auc_score(df["outcome"] == "yes", df["leak"])
    assert (auc == 1.0) is not swapped and auc >= 0.99
    report = describe_data(df, "outcome", require_split=False)
    (warning,) = [w for w in report.warnings if "'leak'" in w]
    assert f"separates the target {how}" in warning


# ---------------------------------------------------------------------------------------
# text, date and true/false columns: why each is dropped


def test_text_and_date_columns_are_dropped_for_the_reason_they_show():
    n = 40
    when = pd.to_datetime(["2024-01-05", "2024-02-11", "2024-03-17", "2024-04-23"] * (n // 4))
    df = pd.DataFrame({
        "outcome": ["yes", "no"] * (n // 2),
        "empty": [None] * n,
        "one_value": ["north"] + [None] * (n - 1),
        "when": when,
        "region": ["north", "south", "east", "west"] * (n // 4),
    })
    report = describe_data(df, "outcome", require_split=False)
    assert report.dropped == {"empty": "all missing", "one_value": "constant (every value is 'north')",
                              "when": "date/time (not used as a feature)"}
    assert report.categorical == ["region"] and report.numeric == []


def test_a_true_false_column_is_a_numeric_feature_whatever_its_gaps():
    n = 40
    df = pd.DataFrame({"outcome": ["yes", "no"] * (n // 2),
                       "flag": [True, False, False, True, True] * (n // 5),
                       "nullable": pd.array([True, False, None, True] * (n // 4), dtype="boolean")})
    report = describe_data(df, "outcome", require_split=False)
    assert report.numeric == ["flag", "nullable"] and report.dropped == {}


# ---------------------------------------------------------------------------------------
# free text or an identifier: more than half of the values hold a space and they are longer
# than 15 characters on average (over the first 1,000 present values)

ID_LIKE = "ID-like (every value is different)"


def test_text_is_prose_only_with_spaces_in_most_values_and_more_than_15_characters():
    n = 40
    df = pd.DataFrame({
        "outcome": ["yes", "no"] * (n // 2),
        "half_spaced": [f"note number {i:05d}" if i % 2 else f"code-number-{i:05d}" for i in range(n)],
        "short_words": [f"a {i}" for i in range(n)],
        "long_codes": [f"code-number-{i:05d}" for i in range(n)],
        "length_15": [f"ab cd {i:09d}" for i in range(n)],
        "length_16": [f"ab cd {i:010d}" for i in range(n)],
        "padded_15": [f"   ab cd {i:09d}  " for i in range(n)],
    })
    assert [len(v) for v in (df["length_15"][0], df["length_16"][0], df["padded_15"][0].strip())] == [15, 16, 15]
    report = describe_data(df, "outcome", require_split=False)
    assert report.dropped == {"half_spaced": ID_LIKE, "short_words": ID_LIKE, "long_codes": ID_LIKE,
                              "length_15": ID_LIKE, "length_16": f"free text ({n} distinct values)",
                              "padded_15": ID_LIKE}


def test_only_the_first_thousand_present_values_decide_whether_text_is_prose():
    n = 1_001  # the first 1,000 values: half with a space (not more than half); the last one has one
    notes = [f"note number {i:05d}" if i % 2 else f"code-number-{i:05d}" for i in range(n - 1)]
    notes.append(f"note number {n:05d}")
    df = pd.DataFrame({"outcome": ["yes", "no"] * (n // 2) + ["yes"], "notes": notes})
    assert sum(" " in v for v in notes[:1000]) == 500 and sum(" " in v for v in notes) == 501
    report = describe_data(df, "outcome", require_split=False)
    assert report.dropped == {"notes": ID_LIKE}


# ---------------------------------------------------------------------------------------
# too few rows to train: the scheme, its numbers and how many more rows of which class


def classes_table(counts: dict[str, int]) -> pd.DataFrame:
    outcome = [label for label, count in counts.items() for _ in range(count)]
    return pd.DataFrame({"outcome": outcome, "x": np.random.default_rng(1).normal(size=len(outcome))})


def training_error(counts: dict[str, int], positive: str = "yes", **kwargs) -> str:
    with pytest.raises(DataError) as info:
        describe_data(classes_table(counts), "outcome", positive, **kwargs)
    return str(info.value)


def test_too_few_rows_for_the_split_asked_names_that_split_and_how_many_more_rows():
    # 80/10/10: each split of 10% needs 10 rows, so 100 rows; 60 are enough for 60/20/20.
    message = training_error({"yes": 30, "no": 30}, sizes=(0.8, 0.1, 0.1))
    assert "Only 60 rows have a value in 'outcome'." in message
    assert "A train/validation/test split (80/10/10) needs at least 100 rows: add 40 more rows," in message
    assert describe_data(classes_table({"yes": 30, "no": 30}), "outcome", "yes").y.sum() == 30
    assert "(60/20/20) needs at least 50 rows: add 2 more rows," in training_error({"yes": 24, "no": 24})
    assert "(60/20/20) needs at least 50 rows: add 1 more row," in training_error({"yes": 24, "no": 25})


def test_too_few_rows_to_cross_validate_names_cross_validation():
    message = training_error({"yes": 9, "no": 9}, validation="cv")
    assert "Training with cross-validation needs at least 20 rows: add 2 more rows," in message
    message = training_error({"yes": 2, "no": 30}, validation="cv")
    assert "Training with cross-validation needs at least 3 rows of each class: add 1 more row of 'yes'," \
        in message


def test_too_few_rows_of_a_class_names_that_class_and_how_many_more():
    message = training_error({"yes": 8, "no": 52})
    assert message.startswith("Only 8 rows have the class 'yes'. A stratified train/validation/test split "
                              "(60/20/20) needs at least 10 rows of each class (2 in the smallest split): "
                              "add 2 more rows of 'yes',")
    assert "add 1 more row of 'no'," in training_error({"yes": 51, "no": 9})
    assert "Only 7 rows have the class 'no'." in training_error({"yes": 53, "no": 7})
    assert describe_data(classes_table({"yes": 10, "no": 40}), "outcome", "yes").y.sum() == 10  # exactly 10: enough


def test_too_few_rows_of_the_rest_in_one_vs_rest_names_them_as_not_the_positive_class():
    message = training_error({"a": 52, "b": 4, "c": 4}, positive="a")
    assert "Only 8 rows have the class not 'a'." in message and "add 2 more rows of not 'a'," in message


def test_the_training_minimum_defaults_to_the_hold_out_split_and_refuses_other_schemes():
    assert training_minimum() == (50, 10)  # 10 rows and 2 of each class in a split of 20%
    assert training_minimum("cv") == (20, 3)
    with pytest.raises(ValueError, match="validation must be one of"):
        training_minimum("bootstrap")


# ---------------------------------------------------------------------------------------
# distinct counts, as pandas counts them (missing values not counted)


def test_distinct_counts_equal_pandas_for_text_with_gaps_and_for_an_empty_table():
    df = pd.DataFrame({"text": ["b", None, "a", "b"], "number": [1.5, np.nan, 1.5, 2.0],
                       "whole": [3, 1, 3, 3], "flag": [True, False, True, True],
                       "single": [np.nan, 4.0, np.nan, np.nan]})
    assert distinct_counts(df).to_dict() == df.nunique(dropna=True).to_dict() == {
        "text": 2, "number": 2, "whole": 2, "flag": 2, "single": 1}
    one_row = df.iloc[1:2]
    assert distinct_counts(one_row).to_dict() == {"text": 0, "number": 0, "whole": 1, "flag": 1, "single": 1}
    empty = pd.DataFrame({"number": np.array([], dtype=float), "whole": np.array([], dtype=np.int64),
                          "text": np.array([], dtype=object)})
    counts = distinct_counts(empty)
    assert counts.to_dict() == {"number": 0, "whole": 0, "text": 0} and counts.dtype == np.int64


def test_the_columns_frame_gives_each_dropped_columns_reason_and_nothing_for_the_others():
    df = pd.DataFrame({"outcome": ["yes", "no"] * 20, "x": np.arange(40) % 7 * 1.5, "country": "UK"})
    frame = describe_data(df, "outcome", require_split=False).columns_frame()
    assert frame["reason"].tolist() == ["", "", "constant (every value is 'UK')"]
    assert frame["role"].tolist() == ["target", "numeric", "dropped"]


def text_verdict(values: list) -> str:
    """The reason a text column is dropped, or "categorical"."""
    df = pd.DataFrame({"outcome": (["yes", "no"] * len(values))[:len(values)], "c": values})
    report = describe_data(df, "outcome", require_split=False)
    if "c" in report.categorical:
        return "categorical"
    return report.dropped["c"]


def codes(n_rows: int, n_distinct: int) -> list[str]:
    return [f"c{i % n_distinct:03d}" for i in range(n_rows)]  # no spaces: never prose


@pytest.mark.parametrize(("n_rows", "n_distinct", "verdict"), [
    (40, 30, "free text (30 distinct values)"),  # more than 20, and more than half the rows
    (30, 21, "free text (21 distinct values)"),
    (30, 20, "categorical"),  # not more than 20
    (50, 25, "categorical"),  # not more than half the rows
    (200, 25, "categorical"),
    (300, 100, "categorical"),  # not more than 100, nor more than half the rows
    (300, 101, "free text (101 distinct values)"),  # more than 100
])
def test_text_with_many_distinct_values_is_free_text_and_with_few_a_category(n_rows, n_distinct, verdict):
    values = codes(n_rows, n_distinct)
    assert len(set(values)) == n_distinct
    assert text_verdict(values) == verdict


def test_text_all_different_is_an_identifier_from_20_present_values():
    assert text_verdict(codes(20, 20) + [None] * 20) == ID_LIKE
    assert text_verdict(codes(19, 19) + [None] * 21) == "categorical"


def test_a_feature_whose_auc_is_exactly_the_leakage_limit_is_a_leak():
    y = np.array([0] * 10 + [1] * 10)
    leak = np.arange(20) * 0.5 + 0.25
    leak[[9, 10]] = leak[[10, 9]]  # one of the 100 (negative, positive) pairs in the wrong order
    assert roc_auc_score(y, leak) == 0.99
    df = pd.DataFrame({"outcome": np.where(y == 1, "yes", "no"), "leak": leak})
    assert describe_data(df, "outcome", require_split=False).leakage == ["leak"]


# ---------------------------------------------------------------------------------------
# numeric columns: identifiers (whole, all different, from 20 values: consecutive or named
# like an ID) and numbers too large to use (beyond 1e150, not at it)


def test_numbers_are_an_identifier_only_when_whole_all_different_and_consecutive_or_named_so():
    n = 20
    df = pd.DataFrame({
        "outcome": ["yes", "no"] * (n // 2),
        "row_number": np.arange(1, n + 1),  # consecutive: a row number, whatever its name
        "account_id": 1000 + 7 * np.arange(n),  # not consecutive, named like an ID
        "reading": 1000 + 7 * np.arange(n) + 0.0,  # not consecutive, not named like one
        "store_id": np.arange(n) % 5 + 1,  # named like an ID, but values repeat
        "measure": np.arange(n) + 0.5,  # all different, spaced by one, but not whole
        "largest": [1e150, 1.0, 2.0, 3.0] * (n // 4),  # at the limit: still usable
    })
    report = describe_data(df, "outcome", require_split=False)
    assert report.dropped == {"row_number": ID_LIKE, "account_id": ID_LIKE}
    assert report.numeric == ["reading", "store_id", "measure", "largest"]
    with_19 = df.iloc[:19]
    report = describe_data(with_19, "outcome", require_split=False)
    assert report.dropped == {} and "row_number" in report.numeric
    huge = df.assign(largest=[2e150, 1.0, 2.0, 3.0] * (n // 4))
    assert describe_data(huge, "outcome", require_split=False).dropped["largest"] == \
        "numbers too large to use (beyond 1e+150)"


# ---------------------------------------------------------------------------------------
# each column's type name, the rare-class warning, the selected-but-unusable warning and the
# validation picked for "auto"


def test_each_column_is_shown_with_the_name_of_its_type():
    n = 40
    df = pd.DataFrame({
        "outcome": ["yes", "no"] * (n // 2),
        "count": np.arange(n) % 7,
        "amount": np.arange(n) % 9 * 1.5,
        "flag": [True, False, False, True] * (n // 4),
        "when": pd.to_datetime(["2024-01-05", "2024-02-11", "2024-03-17", "2024-04-23"] * (n // 4)),
        "region": ["north", "south", "east", "west"] * (n // 4),
    })
    report = describe_data(df, "outcome", require_split=False)
    assert report.columns_frame()["type"].tolist() == ["text", "integer", "number", "true/false",
                                                       "date/time", "text"]
    assert report.target == "outcome"


def rare_table(n_rows: int, n_rare: int, rare_label: str) -> pd.DataFrame:
    other = "no" if rare_label == "yes" else "yes"
    outcome = [rare_label] * n_rare + [other] * (n_rows - n_rare)
    return pd.DataFrame({"outcome": outcome, "x": np.arange(n_rows) % 13 * 0.5})


def rare_warnings(df: pd.DataFrame) -> list[str]:
    report = describe_data(df, "outcome", "yes", require_split=False)
    return [w for w in report.warnings if "smaller class" in w]


@pytest.mark.parametrize("rare_label", ["yes", "no"])
def test_a_smaller_class_under_one_percent_of_rows_is_warned_about_whichever_class_it_is(rare_label):
    (warning,) = rare_warnings(rare_table(1000, 5, rare_label))
    assert "Only 0.5% of rows are in the smaller class" in warning
    assert rare_warnings(rare_table(1000, 10, rare_label)) == []  # exactly 1%: not under it
    assert rare_warnings(rare_table(40, 20, rare_label)) == []


def test_a_table_with_only_numeric_features_has_no_no_features_warning():
    report = describe_data(rare_table(40, 20, "yes"), "outcome", require_split=False)
    assert report.numeric == ["x"] and report.categorical == []
    assert not any("No usable feature" in w or "free text" in w for w in report.warnings)


def test_free_text_columns_the_user_selected_get_the_general_message():
    report = describe_data(notes_table(2), "outcome", require_split=False,
                           feature_columns=["note0", "note1"])
    assert not report.features
    assert any(w.startswith("No usable feature columns") for w in report.warnings)
    assert not any(w.startswith("Every column besides the target is free text") for w in report.warnings)


def test_selected_columns_that_cannot_be_used_are_each_named_with_their_reason():
    n = 40
    df = pd.DataFrame({"outcome": ["yes", "no"] * (n // 2), "x": np.arange(n) % 7 * 1.5,
                       "country": "UK", "empty": [None] * n})
    report = describe_data(df, "outcome", require_split=False, feature_columns=["x", "country", "empty"])
    (warning,) = [w for w in report.warnings if "not usable" in w]
    assert warning == ("Selected but not usable: 'country' (constant (every value is 'UK')); "
                       "'empty' (all missing).")


def test_auto_validation_counts_the_negatives_as_the_rows_that_are_not_positive():
    # 5,000 rows (a hold-out split's size) but 5 negatives: too few for the split, so "auto"
    # cross-validates, which 5 negatives are enough for.
    df = rare_table(5000, 5, "no")
    report = describe_data(df, "outcome", "yes", validation="auto")
    assert int(report.y.sum()) == 4995
    with pytest.raises(DataError, match="add 5 more rows of 'no'"):
        describe_data(df, "outcome", "yes", validation="holdout")


# ---------------------------------------------------------------------------------------
# leakage: small tables, many levels, missing levels, the order of the leaks, large tables


def perfect(y: np.ndarray) -> np.ndarray:
    return np.where(y == 1, 2.0, 1.0) + np.arange(y.size) * 1e-3


def test_a_leak_is_found_in_a_table_of_ten_rows():
    y = np.array([0, 1] * 5)
    df = pd.DataFrame({"outcome": np.where(y == 1, "yes", "no"), "leak": perfect(y)})
    assert describe_data(df, "outcome", require_split=False).leakage == ["leak"]


def levels_table(n_levels: int, n_rows: int = 100) -> tuple[pd.DataFrame, np.ndarray]:
    """Each level holds rows of one class only: the level's share of positives ranks y perfectly."""
    level = np.arange(n_rows) % n_levels
    y = level % 2
    return pd.DataFrame({"outcome": np.where(y == 1, "yes", "no"),
                         "level": [f"c{v:03d}" for v in level]}), y


def test_a_category_leaks_only_with_at_most_a_level_per_ten_rows():
    df, _ = levels_table(10)  # 10 levels over 100 rows: the limit, still judged
    report = describe_data(df, "outcome", require_split=False)
    assert report.categorical == ["level"] and report.leakage == ["level"]
    df, _ = levels_table(20)  # 20 levels: too many for their shares to mean anything
    report = describe_data(df, "outcome", require_split=False)
    assert report.categorical == ["level"] and report.leakage == []


def test_a_category_with_too_many_levels_does_not_stop_the_next_one_being_judged():
    many, y = levels_table(20)
    df = many.assign(few=np.where(y == 1, "open", "closed"))
    report = describe_data(df, "outcome", require_split=False)
    assert report.categorical == ["level", "few"] and report.leakage == ["few"]


def test_missing_values_of_a_category_are_a_level_of_their_own():
    y = np.array([0, 1] * 20)
    status = np.where(y == 1, None, np.where(np.arange(40) % 4 == 0, "a", "b")).astype(object)
    df = pd.DataFrame({"outcome": np.where(y == 1, "yes", "no"), "status": status})
    report = describe_data(df, "outcome", require_split=False)
    assert report.categorical == ["status"] and report.leakage == ["status"]


def test_leaks_are_listed_in_feature_order_numbers_then_categories():
    y = np.array([0, 1] * 20)
    df = pd.DataFrame({"outcome": np.where(y == 1, "yes", "no"), "b_cat": np.where(y == 1, "p", "q"),
                       "zeta": perfect(y), "alpha": -perfect(y)})
    report = describe_data(df, "outcome", require_split=False)
    assert report.numeric == ["zeta", "alpha"] and report.categorical == ["b_cat"]
    assert report.leakage == ["zeta", "alpha", "b_cat"]


def test_leaks_in_every_block_of_numeric_columns_are_found(monkeypatch):
    import core.contract as contract

    monkeypatch.setattr(contract, "_BLOCK_VALUES", 80)  # 40 rows: two columns a block
    y = np.array([0, 1] * 20)
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"outcome": np.where(y == 1, "yes", "no"), "leak": perfect(y),
                       "n1": rng.normal(size=40), "n2": rng.normal(size=40), "n3": rng.normal(size=40)})
    assert describe_data(df, "outcome", require_split=False).leakage == ["leak"]


def test_column_blocks_split_the_columns_in_order_into_blocks_that_fit(monkeypatch):
    import core.contract as contract

    monkeypatch.setattr(contract, "_BLOCK_VALUES", 10)
    names = list(range(10))
    assert list(contract._column_blocks(3, names)) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert list(contract._column_blocks(1, names)) == [names]  # ten cells of one row: one block
    assert list(contract._column_blocks(0, names)) == [names]
    # a column longer than a block: one column at a time, never more
    assert list(contract._column_blocks(20, names[:3])) == [[0], [1], [2]]


def test_a_large_table_is_judged_on_a_fixed_sample_of_rows():
    from core.contract import _leaky_features

    n = 60_000
    rng = np.random.default_rng(5)
    y = (np.arange(n) % 2).astype(np.int64)
    near = y + rng.normal(scale=0.2, size=n)  # AUC about 0.9996, from the sample
    df = pd.DataFrame({"near": near, "far": rng.normal(size=n)})
    rows = np.arange(n)
    first = _leaky_features(df, rows, y, ["near", "far"], [])
    again = _leaky_features(df, rows, y, ["near", "far"], [])
    assert [name for name, _ in first] == ["near"]
    assert first == again  # the same table, the same verdict and AUC
    full = roc_auc_score(y, near)
    assert abs(first[0][1] - full) < 0.001


# ---------------------------------------------------------------------------------------
# column_aucs with one row of a class; no warnings for columns it cannot judge


def test_column_aucs_with_a_single_row_of_a_class_equal_scikit_learn():
    values = np.arange(10, dtype=float)[:, None]
    one_positive = np.array([0] * 9 + [1])
    one_negative = 1 - one_positive
    assert column_aucs(one_positive, values)[0] == roc_auc_score(one_positive, values[:, 0]) == 1.0
    assert column_aucs(one_negative, values)[0] == roc_auc_score(one_negative, values[:, 0]) == 0.0


def test_column_aucs_of_one_class_or_no_values_are_nan_without_a_warning():
    import warnings

    y = np.array([1] * 12)
    values = np.column_stack([np.arange(12.0), np.full(12, np.nan)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = column_aucs(y, values)
        mixed = column_aucs(np.array([0, 1] * 6), values)
    assert np.isnan(got).all()
    assert mixed[0] == pytest.approx(roc_auc_score(np.array([0, 1] * 6), values[:, 0]), abs=1e-12)
    assert np.isnan(mixed[1])


# ---------------------------------------------------------------------------------------
# numbers with one present value; is_numeric and numeric_values; distinct counts of dates
# and of text in object columns


def test_a_numeric_column_with_one_present_value_is_constant():
    n = 40
    df = pd.DataFrame({"outcome": ["yes", "no"] * (n // 2), "x": [np.nan] * (n - 1) + [2.5],
                       "y": np.arange(n) % 7 * 1.5})
    report = describe_data(df, "outcome", require_split=False)
    assert report.dropped == {"x": "constant (every value is '2.5')"}
    assert report.columns_frame().set_index("column").loc["x", ["missing", "distinct"]].tolist() == [39, 1]


def test_is_numeric_for_numbers_and_true_false_not_text_or_dates():
    assert is_numeric(pd.Series([1.5, 2.0])) and is_numeric(pd.Series([1, 2]))
    assert is_numeric(pd.Series([True, False])) and is_numeric(pd.Series([True, None], dtype="boolean"))
    assert not is_numeric(pd.Series(["a", "b"])) and not is_numeric(pd.Series(pd.to_datetime(["2024-01-01"])))


def test_numeric_values_are_float64_with_nan_for_missing_and_infinite():
    got = numeric_values(pd.Series([1, None, 3], dtype="Int64"))
    assert got.dtype == np.float64 and np.array_equal(got, [1.0, np.nan, 3.0], equal_nan=True)
    got = numeric_values(pd.Series([np.inf, -2.5, -np.inf, 0.0]))
    assert got.dtype == np.float64 and np.array_equal(got, [np.nan, -2.5, np.nan, 0.0], equal_nan=True)
    # true/false with a gap counts as numeric (is_numeric), and float32 is widened: both float64
    got = numeric_values(pd.Series([True, None, False], dtype="boolean"))
    assert got.dtype == np.float64 and np.array_equal(got, [1.0, np.nan, 0.0], equal_nan=True)
    got = numeric_values(pd.Series([0.1, np.inf], dtype="float32"))
    assert got.dtype == np.float64 and np.array_equal(got, [np.float32(0.1), np.nan], equal_nan=True)


def test_distinct_counts_equal_pandas_for_dates_and_object_text_with_gaps():
    df = pd.DataFrame({"when": pd.to_datetime(["2024-01-01", None, "2024-01-01", "2024-02-01"]),
                       "text": pd.Series(["b", None, "a", "b"], dtype=object),
                       "number": [1.0, 2.0, 2.0, 2.0]})
    assert distinct_counts(df).to_dict() == df.nunique(dropna=True).to_dict() == {
        "when": 2, "text": 2, "number": 2}
