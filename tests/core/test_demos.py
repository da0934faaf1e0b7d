"""core.demos: offline, deterministic demo tables that work in both modes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import roc_auc_score

from core.costs import CostMatrix
from core.data import DataError, describe_data, scores_from_column
from core.demos import (
    DEMOS,
    FRAUD_LOSS,
    LOAN_DEFAULT_LOSS,
    LOAN_LOSS_GIVEN_DEFAULT,
    Demo,
    load_demo,
)
from core.features import prepare_features

KEYS = list(DEMOS)


def test_demos_are_ordered_with_a_business_story_first():
    assert KEYS[0] == "loan_default"
    assert {"loan_default", "breast_cancer", "card_fraud"} <= set(KEYS)
    for key, demo in DEMOS.items():
        assert isinstance(demo, Demo) and demo.key == key
        assert isinstance(demo.costs, CostMatrix)
        assert demo.costs.fn_cost > 0 and demo.costs.fp_cost > 0
        assert len(demo.story.splitlines()) == 2


@pytest.mark.parametrize("key", KEYS)
def test_every_demo_has_target_positive_class_and_a_probability_score_column(key):
    demo = DEMOS[key]
    df = load_demo(demo.key)
    assert demo.target in df.columns and demo.score_column in df.columns
    assert set(demo.features) <= set(df.columns)
    assert demo.target not in demo.features and demo.score_column not in demo.features
    scores = df[demo.score_column].to_numpy()
    assert np.isfinite(scores).all() and scores.min() >= 0 and scores.max() <= 1
    y = (df[demo.target] == demo.positive_class).to_numpy()
    assert 0 < y.sum() < len(y)
    # out-of-fold scores of a real model: informative, but not a perfect copy of the label
    assert 0.75 < roc_auc_score(y, scores) < 1.0


@pytest.mark.parametrize("key", KEYS)
def test_every_demo_works_in_train_mode_without_the_score_column(key):
    demo = DEMOS[key]
    df = load_demo(demo.key)
    report = describe_data(df, demo.target, feature_columns=list(demo.features))
    assert report.positive_class == demo.positive_class
    assert demo.score_column not in report.features
    assert report.leakage == []
    assert sorted(report.features) == sorted(demo.features)
    p = prepare_features(df, report)
    assert np.isfinite(p.X_train).all()
    # the page's other route: every usable column except the excluded score column
    excluded = describe_data(df, demo.target, exclude=[demo.score_column])
    assert demo.score_column not in excluded.features
    assert excluded.leakage == []


@pytest.mark.parametrize("key", KEYS)
def test_every_demo_works_in_use_my_scores_mode(key):
    demo = DEMOS[key]
    df = load_demo(demo.key)
    scored = scores_from_column(df, demo.target, demo.score_column, demo.positive_class)
    assert scored.is_probability
    assert scored.y.size == len(df)
    np.testing.assert_array_equal(scored.scores, df[demo.score_column].to_numpy())


def test_breast_cancer_positive_class_is_malignant_with_labels_flipped_from_scikit_learn():
    demo = DEMOS["breast_cancer"]
    df = load_demo(demo.key)
    bunch = load_breast_cancer()
    assert demo.positive_class == "malignant"
    assert set(df["diagnosis"]) == {"malignant", "benign"}
    # scikit-learn: target 0 = malignant (212 rows), 1 = benign
    np.testing.assert_array_equal((df["diagnosis"] == "malignant").to_numpy(), bunch.target == 0)
    assert (df["diagnosis"] == "malignant").sum() == 212
    np.testing.assert_allclose(df[list(bunch.feature_names)].to_numpy(), bunch.data)
    assert "malignant" in demo.story and "flipped" in demo.story
    assert describe_data(df, "diagnosis").positive_class == "malignant"


def test_loan_default_has_realistic_columns_gaps_and_categories():
    df = load_demo("loan_default")
    for column in ("income", "loan_amount", "credit_score", "employment_years",
                   "home_ownership", "purpose", "defaulted"):
        assert column in df.columns
    assert df["employment_years"].isna().any() and df["credit_score"].isna().any()
    assert df["home_ownership"].isna().any()
    assert set(df["home_ownership"].dropna()) == {"RENT", "MORTGAGE", "OWN"}
    assert set(df["defaulted"]) == {"yes", "no"}
    assert 0.05 < (df["defaulted"] == "yes").mean() < 0.3
    assert df["credit_score"].dropna().between(300, 850).all()
    report = describe_data(df, "defaulted", exclude=["risk_score"])
    assert {"home_ownership", "purpose"} <= set(report.categorical)
    assert "ID-like" in report.dropped["loan_id"]


def test_loan_costs_follow_from_the_data():
    df = load_demo("loan_default")
    defaulted = df["defaulted"] == "yes"
    average_loss = LOAN_LOSS_GIVEN_DEFAULT * df.loc[defaulted, "loan_amount"].mean()
    assert DEMOS["loan_default"].costs.fn_cost == LOAN_DEFAULT_LOSS
    assert LOAN_DEFAULT_LOSS == pytest.approx(average_loss, rel=0.05)
    assert f"${LOAN_DEFAULT_LOSS:,.0f}" in DEMOS["loan_default"].story


def test_fraud_demo_has_rare_positives_and_costs_from_the_data():
    df = load_demo("card_fraud")
    fraud = df["is_fraud"] == 1
    assert 0.005 < fraud.mean() < 0.02
    assert FRAUD_LOSS == pytest.approx(df.loc[fraud, "amount"].mean(), rel=0.1)
    assert describe_data(df, "is_fraud", exclude=["fraud_score"]).positive_class == 1


def test_loading_is_deterministic_cached_and_returns_copies():
    first = load_demo("loan_default")
    first.loc[:, "income"] = -1.0
    second = load_demo("loan_default")
    assert (second["income"] > 0).all()
    pd.testing.assert_frame_equal(second, load_demo("loan_default"))
    assert second is not load_demo("loan_default")


def test_generators_are_seeded():
    for key in ("loan_default", "card_fraud"):
        pd.testing.assert_frame_equal(DEMOS[key].build(), DEMOS[key].build())


def test_unknown_demo_is_refused():
    with pytest.raises(DataError, match="no demo called 'titanic'"):
        load_demo("titanic")
