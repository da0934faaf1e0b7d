"""core.features, the parts its first tests left open (found by mutation testing): the
scikit-learn naming protocol of the two small transformers, the defaults and limits of the
split and of the folds (each refusal at its exact edge, with the numbers the message gives),
the numbering of repeated folds, the empty validation and test parts of the final data, the
refusal of values too large to standardise (also when only the refit on all rows overflows), the
numeric block's float conversion (nullable integers, infinities, object arrays), the cap on
one-hot columns, and feature names of columns whose names end in a space or hold the separator."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.impute import SimpleImputer
from sklearn.model_selection import RepeatedStratifiedKFold, StratifiedKFold
from sklearn.preprocessing import StandardScaler

from core.data import DataError, describe_data
from core.features import (MAX_LEVELS, CategoryCoder, MedianImputer, _to_float, build_preprocessor, feature_names,
                           fold_indices, prepare_features, prepare_folds, split_indices)


def _table(n: int = 60, seed: int = 0, positives: int | None = None) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    positives = n // 3 if positives is None else positives
    x = rng.normal(size=n)
    x[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame({
        "x": x,
        "z": rng.normal(size=n) * 10 + 3,
        "colour": rng.choice(["red", "green", "blue"], n),
        "outcome": ["yes"] * positives + ["no"] * (n - positives),
    })


# ---- the transformers' feature names (scikit-learn's get_feature_names_out protocol) ----------

def test_category_coder_names_its_columns_like_scikit_learn():
    coder = CategoryCoder().fit(pd.DataFrame({"a": ["x", "y", "x"], "b": ["u", "v", None]}))
    default = coder.get_feature_names_out()
    assert list(default) == ["x0", "x1"] and default.dtype == object
    given = coder.get_feature_names_out(["a", "b"])
    assert list(given) == ["a", "b"] and given.dtype == object


def test_median_imputer_names_by_position_without_input_names():
    X = np.array([[1.0, np.nan], [2.0, 3.0], [4.0, 5.0]])
    names = MedianImputer().fit(X).get_feature_names_out()
    assert list(names) == ["x0", "x1", "x1 is missing"]


def test_a_fitted_preprocessor_names_its_output_columns_through_scikit_learn():
    df = _table()
    pre = build_preprocessor(["x", "z"], ["colour"]).fit(df)
    names = list(pre.get_feature_names_out())
    assert len(names) == pre.transform(df).shape[1]
    assert len(names) == len(set(names))


# ---- categories: trimmed text, blanks missing, ties to the smallest, an all-missing column ----

def test_category_coder_trims_treats_blanks_as_missing_and_breaks_ties_to_the_smallest():
    frame = pd.DataFrame({"c": [" b", "a ", "b", "a", "  ", None]}, dtype=object)
    coder = CategoryCoder().fit(frame)
    assert list(coder.categories_[0]) == ["a", "b"]
    assert coder.statistics_[0] == "a"  # a and b twice each: the smallest wins
    codes = coder.transform(frame)[:, 0]
    assert codes.tolist() == [1, 0, 1, 0, 0, 0]
    assert coder.transform(pd.DataFrame({"c": ["c"]}, dtype=object))[0, 0] == -1  # unseen


def test_an_all_missing_category_column_is_one_level():
    coder = CategoryCoder().fit(pd.DataFrame({"c": [None, None, " "]}, dtype=object))
    assert list(coder.categories_[0]) == ["(missing)"]
    assert coder.transform(pd.DataFrame({"c": [None, "x"]}, dtype=object))[:, 0].tolist() == [0, -1]


# ---- the split ---------------------------------------------------------------------------------

def test_default_split_and_seed_are_split_indices_defaults():
    df = _table(100)
    report = describe_data(df, "outcome", "yes")
    kept = np.flatnonzero(report.row_mask)
    default = prepare_features(df, report)
    for ours, theirs in zip((default.idx_train, default.idx_val, default.idx_test), split_indices(report.y)):
        np.testing.assert_array_equal(ours, kept[theirs])
    seeded = prepare_features(df, report, sizes=(0.6, 0.2, 0.2), seed=0)
    np.testing.assert_array_equal(seeded.idx_test, default.idx_test)
    np.testing.assert_array_equal(split_indices(report.y, seed=0)[2], split_indices(report.y)[2])
    assert (len(default.idx_train), len(default.idx_val), len(default.idx_test)) == (60, 20, 20)


@pytest.mark.parametrize("sizes", [(0.6, 0.4), (0.5, 0.25, 0.25, 0.0), (0.6, 0.4, 0.0), (0.7, 0.4, -0.1),
                                   (0.6, 0.2, 0.2 + 2e-9)])
def test_split_sizes_must_be_three_positive_shares_adding_up_to_one(sizes):
    y = np.r_[np.zeros(50, int), np.ones(50, int)]
    with pytest.raises(DataError, match="three positive shares that add up to 1"):
        split_indices(y, sizes=sizes)


def test_the_split_is_scikit_learns_two_stratified_steps_with_the_seed_and_shares():
    from sklearn.model_selection import train_test_split

    rng = np.random.default_rng(3)
    y = (rng.random(200) < 0.25).astype(int)
    sizes = (0.5, 0.3, 0.2)  # validation and test shares differ on purpose
    rest, test = train_test_split(np.arange(200), test_size=0.2, stratify=y, random_state=7)
    train, val = train_test_split(rest, test_size=0.3 / 0.8, stratify=y[rest], random_state=7)
    for ours, theirs in zip(split_indices(y, sizes, seed=7), (train, val, test), strict=True):
        np.testing.assert_array_equal(ours, np.sort(theirs))
    df = _table(100)
    report = describe_data(df, "outcome", "yes")
    seeded = prepare_features(df, report, seed=3)
    kept = np.flatnonzero(report.row_mask)
    np.testing.assert_array_equal(seeded.idx_val, kept[split_indices(report.y, seed=3)[1]])


def test_labels_of_one_class_are_refused():
    with pytest.raises(DataError, match=r"\(0 positive, 80 negative\)"):
        split_indices(np.zeros(80, int))


def test_split_sizes_adding_up_to_one_up_to_rounding_are_accepted():
    y = np.r_[np.zeros(50, int), np.ones(50, int)]
    sizes = (0.7, 0.2, 0.1)
    assert sum(sizes) != 1  # 0.9999999999999999
    train, val, test = split_indices(y, sizes=sizes)
    assert len(train) + len(val) + len(test) == 100 and len(test) == 10


def test_a_split_at_exactly_the_fewest_rows_is_accepted_and_one_fewer_is_refused():
    # 60/20/20: every part needs 10 rows and 2 of each class, so 50 rows and 10 of each class
    y = np.r_[np.zeros(40, int), np.ones(10, int)]
    parts = split_indices(y)
    assert sum(len(p) for p in parts) == 50 and all(y[p].min() == 0 and y[p].max() == 1 for p in parts)
    with pytest.raises(DataError, match=r"49 rows \(10 positive, 39 negative\) are too few for this split: "
                                        r"it needs at least 50 rows and 10 of each class"):
        split_indices(y[1:])
    with pytest.raises(DataError, match=r"\(9 positive, 41 negative\)"):
        split_indices(np.r_[np.zeros(41, int), np.ones(9, int)])


def test_a_report_of_another_table_is_refused():
    df = _table()
    report = describe_data(df, "outcome", "yes")
    with pytest.raises(DataError, match="different table"):
        prepare_features(df.iloc[:-1], report)
    with pytest.raises(DataError, match="different table"):
        prepare_folds(df.iloc[:-1], describe_data(df, "outcome", "yes", validation="cv"), k=3)


def test_no_feature_columns_are_refused_by_the_folds_too():
    df = _table()
    report = dataclasses.replace(describe_data(df, "outcome", "yes", validation="cv"), numeric=[], categorical=[])
    with pytest.raises(DataError, match="No usable feature columns"):
        prepare_folds(df, report, k=3)


def test_values_too_large_to_standardise_are_refused_naming_the_column():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"huge": rng.normal(size=60) * 1e307, "fine": rng.normal(size=60), "y": ["yes", "no"] * 30})
    for validation, prepare in (("holdout", prepare_features), ("cv", lambda d, r: prepare_folds(d, r, k=3))):
        report = dataclasses.replace(describe_data(df, "y", "yes", validation=validation), numeric=["fine", "huge"])
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)  # scikit-learn's overflow on the way
            with pytest.raises(DataError, match=r"Values too large to standardise in 'huge'\. Rescale or drop"):
                prepare(df, report)


# ---- the folds ---------------------------------------------------------------------------------

def test_folds_are_scikit_learns_stratified_k_fold_or_its_repeated_form():
    y = np.r_[np.zeros(20, int), np.ones(10, int)]
    ours = fold_indices(y, 3, seed=4)
    theirs = StratifiedKFold(n_splits=3, shuffle=True, random_state=4).split(np.zeros(30), y)
    for (train, held), (t_train, t_held) in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(train, np.sort(t_train))
        np.testing.assert_array_equal(held, np.sort(t_held))
    repeated = fold_indices(y, 3, repeats=2, seed=4)
    theirs = RepeatedStratifiedKFold(n_splits=3, n_repeats=2, random_state=4).split(np.zeros(30), y)
    for (train, held), (t_train, t_held) in zip(repeated, theirs, strict=True):
        np.testing.assert_array_equal(held, np.sort(t_held))
        np.testing.assert_array_equal(train, np.sort(t_train))
    np.testing.assert_array_equal(fold_indices(y)[0][1], fold_indices(y, 5, repeats=1, seed=0)[0][1])
    assert len(fold_indices(y)) == 5


@pytest.mark.parametrize("k, repeats", [(1, 1), (0, 1), (2, 0)])
def test_fewer_than_two_folds_or_one_repeat_is_refused(k, repeats):
    y = np.r_[np.zeros(20, int), np.ones(20, int)]
    with pytest.raises(DataError, match=f"at least 2 folds and 1 repeat; got {k} folds, {repeats} repeats"):
        fold_indices(y, k, repeats=repeats)


def test_two_folds_and_exactly_k_rows_of_the_smaller_class_are_enough():
    y = np.r_[np.zeros(2, int), np.ones(9, int)]
    assert len(fold_indices(y, 2)) == 2
    assert len(fold_indices(np.r_[np.zeros(4, int), np.ones(4, int)], 4)) == 4


def test_too_few_negatives_for_the_folds_says_how_many_and_what_to_do():
    y = np.r_[np.zeros(3, int), np.ones(20, int)]
    with pytest.raises(DataError, match=r"^5 folds need at least 5 negative rows \(one per fold\); there are 3\. "
                                        r"Choose at most 3 folds, or add 2 more negative rows\.$"):
        fold_indices(y, 5)
    with pytest.raises(DataError, match=r"there are 1\. Choose at most 2 folds, or add 3 more positive rows"):
        fold_indices(np.r_[np.zeros(9, int), np.ones(1, int)], 4)


def test_repeated_folds_are_numbered_within_their_repeat():
    df = _table(60)
    folded = prepare_folds(df, describe_data(df, "outcome", "yes", validation="cv"), k=3, repeats=2, seed=5)
    assert [(f.repeat, f.fold) for f in folded.folds] == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]
    assert (folded.k, folded.repeats, folded.seed) == (3, 2, 5)
    for fold, (train, held) in zip(folded.folds, fold_indices(folded.y, 3, repeats=2, seed=5)):
        np.testing.assert_array_equal(fold.held, held)
        np.testing.assert_array_equal(fold.y_held, folded.y[held])
        np.testing.assert_array_equal(fold.y_train, folded.y[train])
        assert fold.X_train.shape[0] == len(train) and fold.X_held.shape[0] == len(held)
        # each fold keeps the preprocessor fitted on its own training rows
        held_rows = df.iloc[folded.rows[held]][folded.final.columns]
        np.testing.assert_allclose(fold.preprocessor.transform(held_rows), fold.X_held)


def test_without_a_test_split_the_final_data_has_empty_validation_and_test_parts():
    df = _table(60)
    report = describe_data(df, "outcome", "yes", validation="cv")
    folded = prepare_folds(df, report, k=3)
    final = folded.final
    d = final.X_train.shape[1]
    assert final.X_train.shape == (60, d) and d == len(final.feature_names)
    for X in (final.X_val, final.X_test):
        assert X.shape == (0, d) and X.flags.f_contiguous
    for part in (final.y_val, final.idx_val, final.y_test, final.idx_test):
        assert part.shape == (0,) and part.dtype == np.int64
    np.testing.assert_array_equal(final.idx_train, folded.rows)
    np.testing.assert_array_equal(final.y_train, folded.y)
    assert final.columns == report.numeric + report.categorical
    np.testing.assert_allclose(final.transform(df.iloc[folded.rows]), final.X_train)


def test_a_test_split_needs_twice_k_rows_of_the_smaller_class_and_ten_test_rows():
    # k=3: the smaller class needs 6 rows; 0.2 of the rows must make 10 test rows (50 rows)
    enough = _table(50, positives=6)
    folded = prepare_folds(enough, describe_data(enough, "outcome", "yes", validation="cv"), k=3, test_share=0.2)
    assert len(folded.final.idx_test) == 10 and len(folded.rows) == 40
    np.testing.assert_array_equal(folded.final.y_test, folded.final.y_test.astype(np.int64))
    assert folded.final.X_test.shape == (10, folded.final.X_train.shape[1])
    for table in (_table(50, positives=5), _table(49, positives=10)):
        report = describe_data(table, "outcome", "yes", validation="cv")
        with pytest.raises(DataError, match="Keeping a test split aside needs more rows: .* too few for a test "
                                            "split and 3 folds. Cross-validate all rows instead."):
            prepare_folds(table, report, k=3, test_share=0.2)


def test_default_folds_are_five_seeded_at_zero_like_fold_indices():
    df = _table(60)
    folded = prepare_folds(df, describe_data(df, "outcome", "yes", validation="cv"))
    assert (folded.k, folded.repeats, folded.seed) == (5, 1, 0) and len(folded.folds) == 5
    for fold, (_, held) in zip(folded.folds, fold_indices(folded.y, 5, seed=0), strict=True):
        np.testing.assert_array_equal(fold.held, held)


def test_the_nested_test_split_is_scikit_learns_stratified_split_with_the_seed():
    from sklearn.model_selection import train_test_split

    df = _table(80, positives=20)
    report = describe_data(df, "outcome", "yes", validation="cv")
    folded = prepare_folds(df, report, k=3, seed=6, test_share=0.25)
    kept = np.flatnonzero(report.row_mask)
    rest, test = train_test_split(np.arange(len(kept)), test_size=0.25, stratify=report.y, random_state=6)
    np.testing.assert_array_equal(folded.final.idx_test, kept[np.sort(test)])
    np.testing.assert_array_equal(folded.rows, kept[np.sort(rest)])


def test_only_the_refit_on_all_rows_overflowing_is_refused_naming_the_column():
    # zeros and three values of 1.5 * 2**1022: any two sum to a finite float, all three overflow. Every
    # fold trains on 32 rows holding two of them: exact sums, an infinite variance, a finite (zero) column.
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"fine": rng.normal(size=48), "huge": np.zeros(48), "y": ["yes", "no"] * 24})
    report = dataclasses.replace(describe_data(df, "y", "yes", validation="cv"), numeric=["fine", "huge"])
    folds = fold_indices(report.y, 3, seed=0)
    assert [len(train) for train, _ in folds] == [32, 32, 32]
    df.loc[[held[0] for _, held in folds], "huge"] = 1.5 * 2.0 ** 1022  # one in each held-out fold
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # scikit-learn's overflow on the way
        huge = df[["huge"]].to_numpy()
        for train, _ in folds:
            assert np.isfinite(StandardScaler().fit(huge[train]).transform(huge)).all()
        assert not np.isfinite(StandardScaler().fit(huge).transform(huge)).all()
        with pytest.raises(DataError, match=r"Values too large to standardise in 'huge'\. Rescale or drop"):
            prepare_folds(df, report, k=3)


# ---- the numeric block: float64, infinities and missing values as NaN --------------------------

def test_a_nullable_integer_column_with_gaps_prepares_like_the_same_floats():
    f = [0.5, 1.5, -2.0, 4.0, 0.0, 1.0]
    floats = pd.DataFrame({"n": [1.0, np.nan, 3.0, 7.0, np.nan, 2.0], "f": f})
    nullable = pd.DataFrame({"n": pd.array([1, None, 3, 7, None, 2], dtype="Int64"), "f": f})
    expected = build_preprocessor(["n", "f"], []).fit_transform(floats)
    np.testing.assert_array_equal(build_preprocessor(["n", "f"], []).fit_transform(nullable), expected)
    assert expected.shape == (6, 3)  # n, f, then n's missing indicator, all standardised
    np.testing.assert_allclose(expected[:, 2], StandardScaler().fit_transform(floats[["n"]].isna().to_numpy(float))[:, 0])
    converted = _to_float(nullable)
    assert converted.dtype == np.float64 and np.isnan(converted[[1, 4], 0]).all()


def test_infinities_are_missing_values_imputed_with_the_median_and_flagged():
    with_inf = pd.DataFrame({"v": [1.0, np.inf, 3.0, -np.inf, 5.0, 4.0]})
    with_nan = pd.DataFrame({"v": [1.0, np.nan, 3.0, np.nan, 5.0, 4.0]})
    pre = build_preprocessor(["v"], [])
    got = pre.fit_transform(with_inf)
    np.testing.assert_array_equal(got, build_preprocessor(["v"], []).fit_transform(with_nan))
    assert feature_names(pre) == ["v", "v is missing"]
    imputed = SimpleImputer(strategy="median").fit_transform(with_nan)  # 3.5 in rows 1 and 3
    np.testing.assert_allclose(got[:, 0], StandardScaler().fit_transform(imputed)[:, 0])
    converted = _to_float(with_inf)
    assert converted.dtype == np.float64 and np.isnan(converted[[1, 3], 0]).all()


def test_median_imputer_takes_an_object_array_with_none_like_scikit_learn():
    X = np.array([[1.0, None], [2.0, 3.0], [4.0, None], [None, 5.0]], dtype=object)
    theirs = SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True).fit(X)
    ours = MedianImputer().fit(X)
    np.testing.assert_array_equal(ours.transform(X), theirs.transform(X))
    np.testing.assert_array_equal(ours.statistics_, theirs.statistics_)


def test_median_imputer_names_are_an_object_array_like_scikit_learn():
    X = np.array([[1.0, np.nan], [2.0, 3.0], [4.0, 5.0]])
    theirs = SimpleImputer(strategy="median", add_indicator=True).fit(X).get_feature_names_out()
    for given in (None, ["a", "b"]):
        names = MedianImputer().fit(X).get_feature_names_out(given)
        assert names.dtype == theirs.dtype == object and len(names) == len(theirs) == 3


def test_category_coder_statistics_are_an_object_array_like_scikit_learn():
    frame = pd.DataFrame({"a": ["x", "y", "y", None], "b": ["u", "u", "v", "v"]}, dtype=object)
    theirs = SimpleImputer(strategy="most_frequent").fit(frame).statistics_
    ours = CategoryCoder().fit(frame).statistics_
    assert ours.dtype == theirs.dtype == object
    assert ours.tolist() == theirs.tolist() == ["y", "u"]


# ---- one-hot columns: at most MAX_LEVELS per feature -------------------------------------------

def test_a_feature_with_more_levels_than_the_cap_gets_max_levels_columns_one_of_them_rare():
    levels = [f"L{i:02d}" for i in range(MAX_LEVELS + 10)]  # 40 levels, 2.5% of the rows each
    df = pd.DataFrame({"c": levels * 10})
    pre = build_preprocessor([], ["c"])
    X = pre.fit_transform(df)
    names = feature_names(pre)
    assert X.shape == (400, MAX_LEVELS) and len(names) == MAX_LEVELS
    assert "c = (rare levels)" in names
    assert X[:, names.index("c = (rare levels)")].sum() == (len(levels) - MAX_LEVELS + 1) * 10
    np.testing.assert_array_equal(X.sum(axis=1), 1.0)


# ---- feature names of awkward column names -----------------------------------------------------

def test_column_names_ending_in_a_space_or_holding_the_separator_name_their_levels():
    odd = "code\x1fname"  # the unit separator joins a column and a code inside the encoder
    df = pd.DataFrame({"colour ": ["red", "blue", "red", "green"], odd: ["a", "b", "a", "b"]})
    pre = build_preprocessor([], ["colour ", odd], min_frequency=None)
    X = pre.fit_transform(df)
    assert feature_names(pre) == ["colour  = blue", "colour  = green", "colour  = red",
                                  f"{odd} = a", f"{odd} = b"]
    np.testing.assert_array_equal(X[:, 2], [1, 0, 1, 0])


# ---- the folds refuse labels of one class ------------------------------------------------------

def test_folds_of_labels_without_positives_are_refused():
    with pytest.raises(DataError, match=r"^5 folds need at least 5 positive rows \(one per fold\); there are 0\. "
                                        r"Choose at most 2 folds, or add 5 more positive rows\.$"):
        fold_indices(np.zeros(20, int), 5)
