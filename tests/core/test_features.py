"""core.features: the preprocessing and the stratified split, checked against scikit-learn
and pandas computed independently here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import StandardScaler

from core.data import DataError, describe_data
from core.features import build_preprocessor, feature_names, prepare_features, split_indices


def loans(n: int = 500, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    income = rng.lognormal(np.log(55_000), 0.4, n).round(-2)
    income[rng.random(n) < 0.08] = np.nan
    purpose = rng.choice(["car", "debt_consolidation", "home_improvement", "medical"], n,
                         p=[0.3, 0.5, 0.17, 0.03]).astype(object)
    purpose[rng.random(n) < 0.05] = None
    purpose[7] = "yacht"  # seen once: a rare level
    return pd.DataFrame({
        "income": income,
        "credit_score": rng.normal(690, 50, n).round(),
        "home_ownership": rng.choice(["RENT", "OWN", "MORTGAGE"], n),
        "purpose": purpose,
        "defaulted": rng.choice(["yes", "no"], n, p=[0.2, 0.8]),
    })


@pytest.fixture(scope="module")
def prepared():
    df = loans()
    report = describe_data(df, "defaulted")
    return df, report, prepare_features(df, report)


def test_split_is_60_20_20_disjoint_and_covers_the_kept_rows(prepared):
    df, report, p = prepared
    n = report.y.size
    assert (len(p.idx_train), len(p.idx_val), len(p.idx_test)) == (300, 100, 100)
    together = np.concatenate([p.idx_train, p.idx_val, p.idx_test])
    assert np.unique(together).size == n
    np.testing.assert_array_equal(np.sort(together), np.flatnonzero(report.row_mask))
    for idx in (p.idx_train, p.idx_val, p.idx_test):
        assert np.all(np.diff(idx) > 0)


def test_split_is_stratified_and_labels_match_the_rows(prepared):
    df, report, p = prepared
    truth = (df["defaulted"] == "yes").to_numpy().astype(int)
    for idx, y in ((p.idx_train, p.y_train), (p.idx_val, p.y_val), (p.idx_test, p.y_test)):
        np.testing.assert_array_equal(y, truth[idx])
        assert abs(y.mean() - truth.mean()) <= 1 / len(y) + 1e-12


def test_split_is_seeded():
    y = np.r_[np.zeros(80, int), np.ones(40, int)]
    a, b = split_indices(y, seed=3), split_indices(y, seed=3)
    for left, right in zip(a, b):
        np.testing.assert_array_equal(left, right)
    assert not np.array_equal(a[0], split_indices(y, seed=4)[0])


def test_rows_with_missing_target_are_never_in_a_split():
    df = loans()
    df.loc[[0, 1, 2], "defaulted"] = None
    report = describe_data(df, "defaulted")
    p = prepare_features(df, report)
    used = np.concatenate([p.idx_train, p.idx_val, p.idx_test])
    assert not np.isin([0, 1, 2], used).any()
    assert used.size == len(df) - 3


def test_numeric_block_matches_scikit_learn_fitted_on_train_rows_only(prepared):
    df, report, p = prepared
    train = df.iloc[p.idx_train]
    imputer = SimpleImputer(strategy="median", add_indicator=True)
    scaler = StandardScaler()
    expected = scaler.fit_transform(imputer.fit_transform(train[["income", "credit_score"]]))
    np.testing.assert_allclose(p.X_train[:, :3], expected)
    # the median comes from training rows, not from all rows
    median_train = train["income"].median()
    assert imputer.statistics_[0] == median_train != df["income"].median()
    val = df.iloc[p.idx_val]
    np.testing.assert_allclose(p.X_val[:, :3],
                               scaler.transform(imputer.transform(val[["income", "credit_score"]])))


def test_train_columns_are_standardised_and_validation_is_not_refitted(prepared):
    _, _, p = prepared
    np.testing.assert_allclose(p.X_train[:, :2].mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(p.X_train[:, :2].std(axis=0), 1, atol=1e-12)
    assert np.abs(p.X_val[:, :2].mean(axis=0)).max() > 1e-6


def test_feature_names_read_as_plain_words(prepared):
    _, _, p = prepared
    assert p.feature_names[:3] == ["income", "credit_score", "income is missing"]
    assert "home_ownership = RENT" in p.feature_names
    assert "purpose = car" in p.feature_names
    assert "purpose = (rare levels)" in p.feature_names
    assert not any("yacht" in name for name in p.feature_names)
    assert len(p.feature_names) == p.X_train.shape[1] == p.X_val.shape[1] == p.X_test.shape[1]
    assert feature_names(p.preprocessor) == p.feature_names


def test_one_hot_columns_hold_the_rows_categories(prepared):
    df, _, p = prepared
    column = p.feature_names.index("home_ownership = OWN")
    np.testing.assert_array_equal(p.X_train[:, column],
                                  (df["home_ownership"].iloc[p.idx_train] == "OWN").to_numpy())


def test_matrices_are_finite_float64_fortran_ordered(prepared):
    _, _, p = prepared
    for X in (p.X_train, p.X_val, p.X_test):
        assert X.dtype == np.float64 and X.flags.f_contiguous and np.isfinite(X).all()


def test_transform_reproduces_the_split_matrices(prepared):
    df, _, p = prepared
    np.testing.assert_allclose(p.transform(df.iloc[p.idx_test]), p.X_test)
    np.testing.assert_allclose(p.transform(df)[p.idx_train], p.X_train)


def test_unseen_category_encodes_as_zeros_and_missing_as_the_most_frequent(prepared):
    df, _, p = prepared
    new = df.iloc[:2].copy()
    new["home_ownership"] = ["HOUSEBOAT", None]
    X = p.transform(new)
    block = [i for i, name in enumerate(p.feature_names) if name.startswith("home_ownership = ")]
    assert X[0, block].sum() == 0
    most_frequent = df["home_ownership"].iloc[p.idx_train].mode()[0]
    assert X[1, p.feature_names.index(f"home_ownership = {most_frequent}")] == 1


def test_transform_refuses_a_table_without_the_model_columns(prepared):
    df, _, p = prepared
    with pytest.raises(DataError, match="'income'"):
        p.transform(df.drop(columns="income"))


def test_no_features_is_refused():
    df = loans()[["defaulted"]].assign(customer=[f"C{i}" for i in range(500)])
    report = describe_data(df, "defaulted")
    assert report.features == []
    with pytest.raises(DataError, match="No usable feature columns"):
        prepare_features(df, report)


def test_bad_split_sizes_are_refused():
    with pytest.raises(DataError, match="add up to 1"):
        split_indices(np.r_[np.zeros(50, int), np.ones(50, int)], sizes=(0.6, 0.3, 0.3))


def test_preprocessor_handles_mixed_types_in_a_categorical_column():
    frame = pd.DataFrame({"code": pd.Series([1, "A", 2.5, True, None, "A"], dtype=object)})
    pre = build_preprocessor([], ["code"], min_frequency=1)
    X = pre.fit_transform(frame)
    assert X.shape[0] == 6 and np.isfinite(X).all()
    names = feature_names(pre)
    assert X[:, names.index("code = A")].tolist() == [0, 1, 0, 0, 1, 1]  # None -> most frequent


# --------------------------------------------------------------------------------------------
# Property: any table the contract accepts yields finite design matrices of promised shape
# --------------------------------------------------------------------------------------------

_numbers = st.one_of(st.none(), st.floats(min_value=-1e12, max_value=1e12),
                     st.sampled_from([float("nan"), float("inf"), -float("inf"), 1e300, 5e-324]))
_levels = st.one_of(st.none(), st.sampled_from(["red", "green", "blue", " blue", "Ünïcode", "", "1"]))


@st.composite
def tables(draw):
    n = draw(st.integers(40, 120))
    n_pos = draw(st.integers(0, n))
    columns = {}
    for i in range(draw(st.integers(0, 3))):
        columns[f"num_{i}"] = draw(st.lists(_numbers, min_size=n, max_size=n))
    for i in range(draw(st.integers(0, 2))):
        columns[f"cat_{i}"] = pd.Series(draw(st.lists(_levels, min_size=n, max_size=n)), dtype=object)
    if draw(st.booleans()):
        columns["flag"] = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    labels = np.array(["yes"] * n_pos + ["no"] * (n - n_pos), dtype=object)
    missing = draw(st.lists(st.integers(0, n - 1), max_size=5))
    labels[missing] = None
    columns["outcome"] = labels
    return pd.DataFrame(columns)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(tables(), st.integers(0, 3))
def test_accepted_tables_give_finite_matrices_with_the_promised_rows(df, seed):
    try:
        report = describe_data(df, "outcome")
    except DataError:
        return  # refused with a message: fine
    if not report.features:
        with pytest.raises(DataError):
            prepare_features(df, report, seed=seed)
        return
    p = prepare_features(df, report, seed=seed)
    n = int(report.row_mask.sum())
    assert len(p.y_train) + len(p.y_val) + len(p.y_test) == n == report.y.size
    for X, y, idx in ((p.X_train, p.y_train, p.idx_train), (p.X_val, p.y_val, p.idx_val),
                      (p.X_test, p.y_test, p.idx_test)):
        assert X.shape == (len(idx), len(p.feature_names)) == (len(y), X.shape[1])
        assert np.isfinite(X).all()
        assert set(np.unique(y)) == {0, 1}  # both classes in every split
    assert p.transform(df).shape == (len(df), len(p.feature_names))
    assert np.isfinite(p.transform(df)).all()


def test_median_imputer_matches_scikit_learn_simple_imputer():
    from core.features import MedianImputer

    rng = np.random.default_rng(8)
    X = rng.normal(size=(301, 5))
    X[rng.random(X.shape) < 0.1] = np.nan
    X[:, 2] = np.nan  # all missing: imputes 0, like keep_empty_features=True
    X[:, 4] = rng.normal(size=301)  # no gaps: no indicator column
    new = rng.normal(size=(50, 5))
    new[rng.random(new.shape) < 0.3] = np.nan
    ours = MedianImputer().fit(X)
    reference = SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True).fit(X)
    np.testing.assert_allclose(ours.transform(X), reference.transform(X))
    np.testing.assert_allclose(ours.transform(new), reference.transform(new))
    assert list(ours.get_feature_names_out(["a", "b", "c", "d", "e"])) == [
        "a", "b", "c", "d", "e", "a is missing", "b is missing", "c is missing", "d is missing"]


def test_categorical_block_matches_scikit_learn_imputer_and_encoder():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    rng = np.random.default_rng(9)
    levels = ["car", "credit_card", "debt_consolidation", "medical", "wedding"]
    train = pd.DataFrame({
        "purpose": rng.choice(levels, 400, p=[0.3, 0.3, 0.35, 0.045, 0.005]).astype(object),
        "grade": rng.choice(list("ABCDEFG"), 400).astype(object),
    })
    train.iloc[rng.choice(400, 30, replace=False), 0] = np.nan
    new = pd.DataFrame({"purpose": ["car", "yacht", np.nan, "wedding"],
                        "grade": ["A", "G", "Z", np.nan]}, dtype=object)
    ours = build_preprocessor([], ["purpose", "grade"]).fit(train)
    reference = make_pipeline(
        SimpleImputer(strategy="most_frequent"),
        OneHotEncoder(handle_unknown="ignore", min_frequency=0.01, max_categories=30,
                      sparse_output=False)).fit(train)
    np.testing.assert_array_equal(ours.transform(train), reference.transform(train))
    np.testing.assert_array_equal(ours.transform(new), reference.transform(new))
    expected = [name.replace("purpose_", "purpose = ").replace("grade_", "grade = ")
                .replace("infrequent_sklearn", "(rare levels)")
                for name in reference[-1].get_feature_names_out(["purpose", "grade"])]
    assert feature_names(ours) == expected


def test_an_uploaded_european_export_goes_all_the_way_to_a_design_matrix():
    from core.data import read_csv

    rng = np.random.default_rng(12)
    lines = ["Kundennummer;Einkommen;Kreditbetrag;Wohnsituation;Ausgefallen"]
    for i in range(120):
        income = f"{rng.normal(42_000, 9_000):.2f}".replace(".", ",")
        amount = "" if i % 17 == 0 else f"{rng.uniform(1_000, 20_000):.2f}".replace(".", ",")
        home = rng.choice(["Miete", "Eigentum", "Eigentümer"])
        label = "ja" if i % 4 == 0 else "nein"
        lines.append(f"K{i:04d};{income};{amount};{home};{label}")
    raw = ("\r\n".join(lines) + "\r\n").encode("cp1252")
    df = read_csv(raw, "kredite.csv")
    assert df["Einkommen"].dtype == np.float64
    assert df.loc[0, "Einkommen"] == float(lines[1].split(";")[1].replace(",", "."))
    report = describe_data(df, "Ausgefallen")
    assert report.positive_class == "ja" and report.y.sum() == 30
    assert report.numeric == ["Einkommen", "Kreditbetrag"]
    assert report.categorical == ["Wohnsituation"]
    assert "ID-like" in report.dropped["Kundennummer"]
    p = prepare_features(df, report)
    assert "Kreditbetrag is missing" in p.feature_names
    assert "Wohnsituation = Eigentümer" in p.feature_names
    assert p.X_train.shape == (72, len(p.feature_names)) and np.isfinite(p.X_train).all()
