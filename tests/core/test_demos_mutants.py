"""core.demos, checked on freshly built tables (never the per-process or on-disk cache):
each demo's table is as large as its title says, balanced as its story says, with costs that
follow from its own amounts, the same table for the same seed, and the cache folder where the
module's docstring says it lives."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core import demos
from core.demos import DEMOS, FRAUD_LOSS, FRAUD_REVIEW_COST, LOAN_LOSS_GIVEN_DEFAULT, LOAN_MARGIN
from core.errors import DataError
from tests.core.test_demo_cache import cache  # noqa: F401 (the fixture: an empty demo cache folder)

ID_COLUMNS = {"loan_default": "loan_id", "card_fraud": "transaction_id", "breast_cancer": None}


class _Tables(dict):
    """Each demo's table generated from scratch on first use (without the score column:
    building that one means fitting; ``scored`` does it)."""

    def __missing__(self, key):
        self[key] = DEMOS[key].build()
        return self[key]


@pytest.fixture(scope="module")
def built() -> dict[str, pd.DataFrame]:
    return _Tables()




def _count_in(text: str) -> int:
    return int(re.search(r"\(([\d,]+)", text).group(1).replace(",", ""))


@pytest.mark.parametrize("key", list(DEMOS))
def test_a_table_has_as_many_rows_as_its_title_and_story_say(built, key):
    demo = DEMOS[key]
    assert len(built[key]) == _count_in(demo.title)
    assert demo.story.startswith(f"{len(built[key]):,} ")


@pytest.mark.parametrize("key", list(DEMOS))
def test_a_table_holds_its_id_features_and_target_and_nothing_else(built, key):
    demo = DEMOS[key]
    df = built[key]
    expected = {demo.target, *demo.features} | ({ID_COLUMNS[key]} - {None})
    assert set(df.columns) == expected
    if ID_COLUMNS[key]:
        assert df[ID_COLUMNS[key]].is_unique and df[ID_COLUMNS[key]].notna().all()


@pytest.mark.parametrize("key", list(DEMOS))
def test_scores_are_probabilities_rounded_to_four_decimals_like_an_exported_column(key):
    df = demos.build_demo(key)
    assert df.attrs == {"warnings": []}
    pd.testing.assert_frame_equal(df.drop(columns=DEMOS[key].score_column), DEMOS[key].build())
    scores = df[DEMOS[key].score_column].to_numpy()
    assert ((scores >= 0) & (scores <= 1)).all()
    np.testing.assert_allclose(scores * 1e4, np.round(scores * 1e4), atol=1e-6)
    assert (np.abs(scores * 1e3 - np.round(scores * 1e3)) > 1e-6).any()  # four decimals, not three
    assert len(np.unique(scores)) > 100  # a real model, not a constant


def test_loan_defaults_are_a_minority_and_their_cost_is_the_loss_given_default(built):
    df = built["loan_default"]
    assert set(df["defaulted"]) == {"yes", "no"}
    defaulted = df["defaulted"] == "yes"
    assert 0.05 < defaulted.mean() < 0.3
    demo = DEMOS["loan_default"]
    assert demo.costs.fn_cost == pytest.approx(LOAN_LOSS_GIVEN_DEFAULT * df.loc[defaulted, "loan_amount"].mean(),
                                               rel=0.05)
    assert demo.costs.fp_cost == LOAN_MARGIN
    # with the Amount column set, a missed default loses that loan's share; a false alarm the margin
    assert demo.amount_column == "loan_amount"
    assert demo.amount_costs.fn_pct == pytest.approx(100 * LOAN_LOSS_GIVEN_DEFAULT)
    assert demo.amount_costs.fn_cost == 0 and demo.amount_costs.fp_cost == LOAN_MARGIN
    assert f"{LOAN_LOSS_GIVEN_DEFAULT:.0%}" in demo.story and f"${LOAN_MARGIN:,.0f}" in demo.story


def test_loan_columns_stay_in_a_lenders_ranges_with_the_stated_gaps(built):
    _check_loan_ranges(built["loan_default"])


def test_loan_ranges_hold_on_a_large_draw_of_another_seed():
    """The ranges are the generator's clips, not luck of the default draw: 60,000 rows reach
    the tails (incomes under $12,000, scores under 350, ...) that 5,000 rows may not."""
    _check_loan_ranges(demos._loan_default(n=60_000, seed=3))


def test_loan_features_vary_from_applicant_to_applicant(built):
    df = built["loan_default"]
    for column in ("income", "loan_amount", "interest_rate", "credit_score", "debt_to_income", "employment_years"):
        assert df[column].nunique() > 20, column
    assert df["delinquencies_2y"].nunique() >= 3 and set(df["term_months"]) == {36, 60}

def _check_loan_ranges(df):
    assert df["income"].between(12_000, 400_000).all()
    assert df["loan_amount"].between(1_000, 40_000).all() and (df["loan_amount"] % 50 == 0).all()
    assert set(df["term_months"]) == {36, 60}
    assert df["interest_rate"].between(5.5, 29.9).all()
    assert df["credit_score"].dropna().between(350, 850).all()
    assert df["debt_to_income"].between(0, 0.9).all()
    years = df["employment_years"].dropna()
    assert years.between(0, 45).all() and (years == np.floor(years)).all()
    assert (df["delinquencies_2y"] >= 0).all()
    assert set(df["home_ownership"].dropna()) == {"RENT", "MORTGAGE", "OWN"}
    assert df["purpose"].nunique() == 9 and "small_business" in set(df["purpose"])
    # real application data has gaps: about 5% / 2% / 1%, and none elsewhere
    assert 0.03 < df["employment_years"].isna().mean() < 0.07
    assert 0.01 < df["credit_score"].isna().mean() < 0.03
    assert 0.003 < df["home_ownership"].isna().mean() < 0.02
    others = df.drop(columns=["employment_years", "credit_score", "home_ownership"])
    assert not others.isna().any().any()


def test_fraud_is_about_one_percent_and_a_missed_fraud_loses_the_transaction(built):
    df = built["card_fraud"]
    assert set(df["is_fraud"]) == {0, 1}
    fraud = df["is_fraud"] == 1
    assert 0.008 < fraud.mean() < 0.016
    demo = DEMOS["card_fraud"]
    assert demo.costs.fn_cost == FRAUD_LOSS == pytest.approx(df.loc[fraud, "amount"].mean(), rel=0.1)
    assert demo.costs.fp_cost == FRAUD_REVIEW_COST
    assert demo.amount_column == "amount"
    assert demo.amount_costs.fn_pct == 100 and demo.amount_costs.fn_cost == 0
    assert demo.amount_costs.fp_cost == FRAUD_REVIEW_COST
    # fraudulent transactions are larger than usual ones (the story's loss is the fraud's amount)
    assert df.loc[fraud, "amount"].median() > 1.5 * df.loc[~fraud, "amount"].median()


def test_fraud_columns_stay_in_range_with_the_stated_gap(built):
    df = built["card_fraud"]
    assert df["amount"].between(0.5, 9_000).all()
    assert df["hour"].between(0, 23).all() and pd.api.types.is_integer_dtype(df["hour"])
    assert set(df["channel"]) == {"online", "in_store", "phone"}
    assert set(df["foreign_country"]) == {"yes", "no"}
    assert df["merchant_category"].nunique() == 8
    assert (df["transactions_last_24h"] >= 0).all() and (df["account_age_days"] >= 0).all()
    assert 0.02 < df["distance_from_home_km"].isna().mean() < 0.04
    assert not df.drop(columns=["distance_from_home_km"]).isna().any().any()


@pytest.mark.parametrize("generator", [demos._loan_default, demos._card_fraud])
def test_a_seed_gives_the_same_table_and_another_seed_another(generator):
    a = generator(n=400, seed=11)
    pd.testing.assert_frame_equal(a, generator(n=400, seed=11))
    assert len(a) == 400
    b = generator(n=400, seed=12)
    assert not a.drop(columns=a.columns[0]).equals(b.drop(columns=b.columns[0]))


def test_an_unknown_demo_names_the_ones_there_are():
    with pytest.raises(DataError) as raised:
        demos.load_demo("titanic")
    message = str(raised.value)
    assert "'loan_default', 'breast_cancer', 'card_fraud'" in message


def test_a_relative_cache_folder_is_taken_from_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert demos.demo_cache_dir({"CUTOFF_DEMO_CACHE": "here/demos"}) == tmp_path / "here" / "demos"
    assert demos.demo_cache_dir({"CUTOFF_DEMO_CACHE": "  here  "}) == tmp_path / "here"
    # a relative XDG_CACHE_HOME is ignored, as the XDG specification says
    assert demos.demo_cache_dir({"XDG_CACHE_HOME": "rel"}) == Path.home() / ".cache" / "cutoff" / "demos"
    assert demos.demo_cache_dir({"XDG_CACHE_HOME": f" {tmp_path} "}) == tmp_path / "cutoff" / "demos"
    assert demos.demo_cache_dir({"CUTOFF_DEMO_CACHE": "~/x"}) == Path.home() / "x"


def test_the_build_digest_is_sixteen_hex_digits():
    digest = demos._build_digest()
    assert re.fullmatch(r"[0-9a-f]{16}", digest)


def test_several_demos_share_a_deep_cache_folder(tmp_path, monkeypatch):
    folder = tmp_path / "a" / "b" / "demos"
    monkeypatch.setenv("CUTOFF_DEMO_CACHE", str(folder))
    demos._cached.cache_clear()
    try:
        demos.load_demo("breast_cancer")
        demos.load_demo("loan_default")
    finally:
        demos._cached.cache_clear()
    names = sorted(p.name.split("-")[0] for p in folder.iterdir())
    assert names == ["breast_cancer", "loan_default"]


def test_a_folder_in_the_files_place_leaves_no_partial_file_behind(cache):
    path = cache / f"breast_cancer-{demos._build_digest()}.parquet"
    path.mkdir(parents=True)
    df = demos.load_demo("breast_cancer")
    assert len(df) == 569
    assert [p.name for p in cache.iterdir()] == [path.name]


def test_cache_off_builds_without_writing(tmp_path, monkeypatch):
    monkeypatch.setenv("CUTOFF_DEMO_CACHE", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    demos._cached.cache_clear()
    try:
        df = demos.load_demo("breast_cancer")
    finally:
        demos._cached.cache_clear()
    assert len(df) == 569 and list(tmp_path.iterdir()) == []


def test_an_empty_stored_table_is_not_used(cache):
    from core.workspace import encode_table

    demo = DEMOS["breast_cancer"]
    cache.mkdir(parents=True)
    path = cache / f"breast_cancer-{demos._build_digest()}.parquet"
    columns = [demo.target, demo.score_column, *demo.features]
    path.write_bytes(encode_table(pd.DataFrame({c: pd.Series([], dtype=float) for c in columns})))
    assert demos._read_built(path, demo) is None
    assert len(demos.load_demo("breast_cancer")) == 569


@pytest.mark.parametrize("key", ["loan_default", "card_fraud"])
def test_category_labels_are_plain_lower_case_words(built, key):
    """The labels a user filters by: snake_case words (home ownership keeps the lender's capitals)."""
    df = built[key]
    text = [c for c in df.columns if df[c].dtype == object or pd.api.types.is_string_dtype(df[c])]
    text = [c for c in text if c not in {ID_COLUMNS[key], "home_ownership"}]
    assert text
    for column in text:
        for label in df[column].dropna().unique():
            assert re.fullmatch(r"[a-z]+(_[a-z]+)*", label), (column, label)


def test_cache_off_is_read_whatever_its_case_and_wherever_the_server_starts(tmp_path, monkeypatch):
    """``off`` turns the cache off in any case, also when the server starts outside the project
    (a relative ``off`` folder there would be written to)."""
    monkeypatch.chdir(tmp_path)
    for raw in ("off", "OFF", " Off "):
        assert demos.demo_cache_dir({"CUTOFF_DEMO_CACHE": raw}) is None, raw
    assert demos.demo_cache_dir({"CUTOFF_DEMO_CACHE": "offline"}) == tmp_path / "offline"


def test_a_score_column_is_the_probability_of_the_positive_class():
    demo = DEMOS["breast_cancer"]
    df = demos.build_demo("breast_cancer")
    positive = df[demo.target] == demo.positive_class
    scores = df[demo.score_column]
    assert scores[positive].mean() > 0.8 and scores[~positive].mean() < 0.2


def _quick_builds(monkeypatch):
    """``build_demo`` without the fits (a constant score column): what is stored is not the point here."""
    def build(key):
        df = DEMOS[key].build()
        df[DEMOS[key].score_column] = 0.5
        return df

    monkeypatch.setattr(demos, "build_demo", build)


def test_preparing_the_cache_says_what_was_built_then_that_nothing_was_needed(cache, monkeypatch, capsys):
    _quick_builds(monkeypatch)
    assert demos.main() == 0
    keys = ", ".join(DEMOS)
    assert capsys.readouterr().out == f"Built and stored {len(DEMOS)} demo table(s) in {cache}: {keys}.\n"
    assert sorted(p.name.split("-")[0] for p in cache.glob("*.parquet")) == sorted(DEMOS)
    assert demos.main() == 0
    assert capsys.readouterr().out == f"Demo tables already stored in {cache}.\n"


def test_preparing_into_a_folder_that_cannot_be_written_fails_and_names_the_setting(tmp_path, monkeypatch, capsys):
    _quick_builds(monkeypatch)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    folder = blocker / "demos"
    monkeypatch.setenv("CUTOFF_DEMO_CACHE", str(folder))
    assert demos.prepare_demo_cache() == (folder, [], list(DEMOS))
    assert demos.main() == 1
    out = capsys.readouterr().out
    assert f"Could not store {', '.join(DEMOS)} in {folder}" in out
    assert "Set CUTOFF_DEMO_CACHE to a writable folder" in out
    assert "Built and stored" not in out


def test_preparing_with_the_cache_off_says_so_and_succeeds(tmp_path, monkeypatch, capsys):
    _quick_builds(monkeypatch)
    monkeypatch.setenv("CUTOFF_DEMO_CACHE", "off")
    monkeypatch.chdir(tmp_path)
    assert demos.prepare_demo_cache() == (None, [], [])
    assert demos.main() == 0
    out = capsys.readouterr().out
    assert "not kept on disk" in out and "CUTOFF_DEMO_CACHE" in out
    assert list(tmp_path.iterdir()) == []


def test_loans_follow_a_lenders_pricing_and_sizes(built):
    """Small-business loans run larger; a lower credit score and the longer term cost a higher
    rate; some applicants have been in their job for less than a year (0 whole years)."""
    df = built["loan_default"]
    small = df["purpose"] == "small_business"
    assert df.loc[small, "loan_amount"].median() > 1.3 * df.loc[~small, "loan_amount"].median()
    assert df["interest_rate"].corr(df["credit_score"]) < -0.5
    rate = df.groupby("term_months")["interest_rate"].mean()
    assert rate[60] > rate[36] + 0.5
    assert (df["employment_years"] == 0).mean() > 0.02


def test_loans_alike_in_credit_score_and_term_carry_different_rates(built):
    """A lender prices on more than the score and the term: otherwise the rate would be a copy
    of those two columns, and a model would see one signal twice."""
    df = built["loan_default"].dropna(subset=["credit_score"])
    spread = df.groupby(["credit_score", "term_months"])["interest_rate"].std().dropna()
    assert len(spread) > 100 and spread.median() > 0.5


def test_loan_defaults_follow_the_risk_a_lender_sees(built):
    """Defaulted borrowers have lower credit scores, higher debt-to-income, more recent
    delinquencies and fewer years in their job; 60-month loans and renters default more often; small-business loans (the
    riskiest purpose) more often than the average loan, and no purpose is free of defaults."""
    df = built["loan_default"]
    d = df["defaulted"] == "yes"
    assert df.loc[d, "credit_score"].mean() < df.loc[~d, "credit_score"].mean() - 20
    assert df.loc[d, "debt_to_income"].mean() > df.loc[~d, "debt_to_income"].mean() + 0.02
    assert df.loc[d, "employment_years"].mean() < df.loc[~d, "employment_years"].mean() - 0.3
    assert df.loc[d, "delinquencies_2y"].mean() > df.loc[~d, "delinquencies_2y"].mean() + 0.03
    assert d[df["term_months"] == 60].mean() > d[df["term_months"] == 36].mean()
    renters = df["home_ownership"] == "RENT"
    assert d[renters].mean() > d[~renters].mean() + 0.01
    by_purpose = d.groupby(df["purpose"]).mean()
    assert by_purpose["small_business"] > d.mean() + 0.02
    assert (by_purpose > 0).all()


def test_fraud_shows_the_signals_a_card_network_looks_for(built):
    """Fraudulent transactions happen more often at night, online and abroad, farther from
    home, on busier cards and on younger accounts; within each class the features still vary
    from transaction to transaction."""
    df = built["card_fraud"]
    f = df["is_fraud"] == 1
    night = df["hour"] < 6
    assert night[f].mean() > night[~f].mean() + 0.1
    assert (df.loc[f, "channel"] == "online").mean() > (df.loc[~f, "channel"] == "online").mean() + 0.1
    assert (df.loc[f, "foreign_country"] == "yes").mean() > (df.loc[~f, "foreign_country"] == "yes").mean() + 0.05
    assert df.loc[f, "distance_from_home_km"].median() > 1.5 * df.loc[~f, "distance_from_home_km"].median()
    assert df.loc[f, "transactions_last_24h"].mean() > df.loc[~f, "transactions_last_24h"].mean() + 0.5
    assert df.loc[f, "account_age_days"].mean() < 0.8 * df.loc[~f, "account_age_days"].mean()
    for column in ("amount", "distance_from_home_km", "transactions_last_24h", "account_age_days", "hour"):
        for part in (f, ~f):
            assert df.loc[part, column].nunique() > 5, column
    for column in ("merchant_category", "channel"):
        for part in (f, ~f):
            assert df.loc[part, column].nunique() > 1, column


def test_the_fraud_target_is_whole_numbers_as_the_story_says(built):
    """"Positive = 1": the target holds the integers 0 and 1, not the floats 0.0 and 1.0."""
    df = built["card_fraud"]
    assert pd.api.types.is_integer_dtype(df["is_fraud"]) and set(df["is_fraud"]) == {0, 1}
