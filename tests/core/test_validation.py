"""core.validation: the overfitting rule."""

import math

import pytest

from core.validation import OVERFITTING_GAP, is_overfitting


@pytest.mark.parametrize(
    ("train", "val", "reason", "expected"),
    [
        (0.30, 0.30 + OVERFITTING_GAP + 0.01, "converged", True),
        (0.30, 0.30 + OVERFITTING_GAP - 0.01, "max_epochs", False),
        (0.30, 0.25, "converged", False),  # better on new rows than on training rows: no warning
        (0.30, 0.90, "diverged", False),  # a diverged run is broken, not overfitting
        (0.30, math.nan, "converged", False),  # no validation rows
        (math.inf, math.inf, "max_epochs", False),
    ],
)
def test_overfitting_is_a_clear_validation_gap_after_a_proper_run(train, val, reason, expected):
    assert is_overfitting(train, val, reason) is expected


# --- cross-validation -----------------------------------------------------------------------

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.model_selection import cross_val_predict  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from core.contract import describe_data  # noqa: E402
from core.errors import DataError  # noqa: E402
from core.costs import CostMatrix  # noqa: E402
from core.features import Fold, FoldedData, build_preprocessor, fold_indices, prepare_folds  # noqa: E402
from core.losses import log_loss_from_proba  # noqa: E402
from core.model import LogisticRegressionGD  # noqa: E402
from core.validation import CrossValidation, cross_validate, describe_spread, threshold_spread  # noqa: E402

PARAMS = dict(learning_rate=0.5, max_epochs=80, l2=0.01)


def small_table(n, seed=0, base_rate=0.4):
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    colour = rng.choice(["red", "green", "blue"], size=n)
    x1[rng.random(n) < 0.1] = np.nan  # gaps, so each fold's imputer differs
    logit = 1.2 * np.nan_to_num(x1) - x2 + (colour == "red") + np.log(base_rate / (1 - base_rate))
    y = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame({"x1": x1, "x2": x2 * 100 + 50, "colour": colour, "outcome": np.where(y, "yes", "no")})


def report_of(df):
    return describe_data(df, "outcome", "yes", validation="cv")


@pytest.mark.parametrize("n", [32, 200])
def test_out_of_fold_scores_equal_scikit_learns_cross_val_predict(n):
    df = small_table(n, seed=n)
    report = report_of(df)
    folded = prepare_folds(df, report, k=5, seed=3)
    cv = cross_validate(folded, lambda: LogisticRegressionGD(**PARAMS))
    table = df.iloc[folded.rows][report.numeric + report.categorical]
    pipeline = make_pipeline(build_preprocessor(report.numeric, report.categorical), LogisticRegressionGD(**PARAMS))
    folds = fold_indices(folded.y, 5, seed=3)
    expected = cross_val_predict(pipeline, table, folded.y, cv=folds, method="predict_proba")[:, 1]
    np.testing.assert_allclose(log_loss_from_proba(folded.y, cv.oof), log_loss_from_proba(folded.y, expected),
                               rtol=0, atol=1e-6)
    np.testing.assert_allclose(cv.oof, expected, rtol=0, atol=1e-9)
    # the fold models are the ones cross_val_predict fits: same held-out scores fold by fold
    for fold, scores in zip(folded.folds, cv.held_scores):
        refit = pipeline.fit(table.iloc[fold.train], folded.y[fold.train])
        np.testing.assert_allclose(scores, refit.predict_proba(table.iloc[fold.held])[:, 1], rtol=0, atol=1e-9)


def test_every_row_is_scored_once_in_stratified_reproducible_folds():
    df = small_table(200, seed=1)
    folded = prepare_folds(df, report_of(df), k=5, seed=7)
    held = np.concatenate([f.held for f in folded.folds])
    np.testing.assert_array_equal(np.sort(held), np.arange(len(folded.rows)))  # each row held out exactly once
    positives = [int(f.y_held.sum()) for f in folded.folds]
    assert max(positives) - min(positives) <= 1  # stratified: the positives spread evenly
    sizes = [len(f.held) for f in folded.folds]
    assert max(sizes) - min(sizes) <= 1
    again = prepare_folds(df, report_of(df), k=5, seed=7)
    assert all(np.array_equal(a.held, b.held) for a, b in zip(folded.folds, again.folds))
    other = prepare_folds(df, report_of(df), k=5, seed=8)
    assert not all(np.array_equal(a.held, b.held) for a, b in zip(folded.folds, other.folds))
    for fold in folded.folds:  # no fold's held-out rows reach its preprocessor
        assert not set(fold.train) & set(fold.held)


def test_repeated_k_fold_scores_every_row_once_per_repeat_and_averages():
    df = small_table(60, seed=2)
    folded = prepare_folds(df, report_of(df), k=3, repeats=2, seed=0)
    assert len(folded.folds) == 6 and [f.repeat for f in folded.folds] == [0, 0, 0, 1, 1, 1]
    cv = cross_validate(folded, lambda: LogisticRegressionGD(**PARAMS))
    by_repeat = np.zeros((2, len(folded.rows)))
    for fold, scores in zip(folded.folds, cv.held_scores):
        by_repeat[fold.repeat, fold.held] = scores
    np.testing.assert_allclose(cv.oof, by_repeat.mean(axis=0))


def test_the_final_model_is_refit_on_all_rows_and_a_nested_test_split_stays_out():
    df = small_table(200, seed=4)
    report = report_of(df)
    folded = prepare_folds(df, report, k=4, seed=0, test_share=0.2)
    kept = np.flatnonzero(report.row_mask)
    assert len(folded.final.idx_test) == 40 and not set(folded.final.idx_test) & set(folded.rows)
    np.testing.assert_array_equal(np.sort(np.concatenate([folded.rows, folded.final.idx_test])), kept)
    cv = cross_validate(folded, lambda: LogisticRegressionGD(**PARAMS))
    table = df.iloc[folded.rows][report.numeric + report.categorical]
    pipeline = make_pipeline(build_preprocessor(report.numeric, report.categorical), LogisticRegressionGD(**PARAMS))
    pipeline.fit(table, folded.y)
    np.testing.assert_allclose(cv.final.coef_, pipeline[-1].coef_, rtol=0, atol=1e-12)


def test_too_few_rows_of_a_class_for_the_folds_says_how_many():
    y = np.array([1, 1, 1] + [0] * 20)
    with pytest.raises(DataError, match="5 folds need at least 5 positive rows.*there are 3.*2 more positive"):
        fold_indices(y, 5)
    assert len(fold_indices(y, 3)) == 3


def _hand_cv(folds_y, folds_scores):
    folds = [Fold(repeat=0, fold=i, train=np.array([], dtype=int), held=np.arange(len(y)), X_train=None,
                  X_held=None, y_train=None, y_held=np.asarray(y), preprocessor=None)
             for i, y in enumerate(folds_y)]
    folded = FoldedData(folds=folds, rows=np.arange(4), y=np.asarray(folds_y[0]), k=2, repeats=1, seed=0, final=None)
    return CrossValidation(folded=folded, models=[], held_scores=[np.asarray(s) for s in folds_scores],
                           oof=np.zeros(4), final=None)


def test_threshold_spread_on_a_hand_checked_case():
    # fold 1: y 0 0 1 1, scores .1 .4 .35 .8; fold 2: y 0 1 0 1, scores .2 .3 .6 .9. FP costs 1, FN costs 5.
    cv = _hand_cv([[0, 0, 1, 1], [0, 1, 0, 1]], [[0.1, 0.4, 0.35, 0.8], [0.2, 0.3, 0.6, 0.9]])
    spread = threshold_spread(cv, CostMatrix(fp_cost=1, fn_cost=5), threshold=0.5)
    # fold 1 by hand: t=.35 flags .4 .35 .8 -> 1 FP, 0 FN: cost 1 (t=.8: 1 FN = 5; t=.1: 2 FP = 2)
    # fold 2 by hand: t=.3 flags .3 .6 .9 -> 1 FP, 0 FN: cost 1 (t=.9: 5; t=.2: 2 FP = 2)
    # any threshold with those decisions is equally cheap: fold 1 in (.1, .35], fold 2 in (.2, .3]
    first, second = spread["best_threshold"]
    assert 0.1 < first <= 0.35 and 0.2 < second <= 0.3
    assert spread["best_cost_per_case"].tolist() == [0.25, 0.25]
    # at 0.5: fold 1 flags .8 -> 1 FN (.35) = 5; fold 2 flags .6 .9 -> 1 FP, 1 FN (.3) = 6
    assert spread["chosen_cost_per_case"].tolist() == [5 / 4, 6 / 4]
    assert spread["rows"].tolist() == [4, 4]
    text = describe_spread(spread, 0.5)
    low, high = sorted([first, second])
    assert f"from {low:.3f} to {high:.3f}" in text and "from $1.25 to $1.50" in text and "2 folds" in text
