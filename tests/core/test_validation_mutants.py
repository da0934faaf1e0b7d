"""core.validation: what mutation testing found the validation tests did not pin down.

The overfitting rule exactly at its gap; whether a cross-validation is usable; the fold
histories, the out-of-fold log-loss and the per-epoch callback's fold numbers; the spread's
fold numbering, its refusal of costs that are not a CostMatrix, and the paragraph's money.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import log_loss

from core.contract import describe_data
from core.costs import CostMatrix
from core.errors import DataError
from core.features import Fold, FoldedData, prepare_folds
from core.model import LogisticRegressionGD
from core.validation import CrossValidation, cross_validate, describe_spread, is_overfitting, threshold_spread

PARAMS = dict(learning_rate=0.5, max_epochs=30, l2=0.01)


def test_a_gap_of_exactly_the_limit_is_not_overfitting():
    assert 0.1 - 0.0 == 0.1  # the gap below is exactly OVERFITTING_GAP
    assert is_overfitting(0.0, 0.1, "converged") is False
    assert is_overfitting(0.0, np.nextafter(0.1, 1.0), "converged") is True
    assert is_overfitting(0.0, 0.5, "stopped") is True and is_overfitting(0.0, 0.5, "max_epochs") is True


def _table(n=90, seed=0):
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    y = rng.random(n) < 1 / (1 + np.exp(-(1.5 * x1 - x2)))
    return pd.DataFrame({"x1": x1, "x2": x2, "outcome": np.where(y, "yes", "no")})


@pytest.fixture(scope="module")
def cv_run():
    df = _table()
    folded = prepare_folds(df, describe_data(df, "outcome", "yes", validation="cv"), k=3, seed=1)
    seen = []
    cv = cross_validate(folded, lambda: LogisticRegressionGD(**PARAMS),
                        on_epoch=lambda fold, record: seen.append((fold, record["epoch"])))
    return cv, seen


def test_the_callback_sees_every_folds_epochs_then_the_final_refits(cv_run):
    cv, seen = cv_run
    k = len(cv.folded.folds)
    folds_seen = [fold for fold, _ in seen]
    assert sorted(set(folds_seen)) == list(range(k + 1))  # the final refit is fold index k
    assert folds_seen == sorted(folds_seen)  # fold after fold, the final refit last
    for i, model in enumerate([*cv.models, cv.final]):
        assert [e for f, e in seen if f == i] == model.history_["epoch"].tolist()


def test_histories_are_the_fold_models_and_score_their_held_out_rows(cv_run):
    cv, _ = cv_run
    assert len(cv.histories) == len(cv.models) == 3
    for history, model in zip(cv.histories, cv.models):
        assert history is model.history_
        assert history["val_log_loss"].notna().all()


def test_out_of_fold_log_loss_equals_sklearn(cv_run):
    cv, _ = cv_run
    assert cv.oof_log_loss() == pytest.approx(log_loss(cv.folded.y, cv.oof), rel=1e-12)


def test_usable_only_when_every_fold_trained_and_every_score_is_finite(cv_run):
    cv, _ = cv_run
    assert cv.usable
    fine = [SimpleNamespace(stop_reason_=r) for r in ("converged", "max_epochs", "stopped")]
    diverged = [*fine, SimpleNamespace(stop_reason_="diverged")]
    oof = np.array([0.2, 0.7, 0.4])

    def make(models, scores):
        return CrossValidation(folded=cv.folded, models=models, held_scores=[], oof=scores, final=None)

    assert make(fine, oof).usable
    assert not make(diverged, oof).usable
    assert not make(fine, np.array([0.2, np.nan, 0.4])).usable
    assert not make(fine, np.array([0.2, np.inf, 0.4])).usable


def _hand_cv():
    ys = [[0, 0, 1, 1], [0, 1, 0, 1], [1, 0, 0, 1]]
    scores = [[0.1, 0.4, 0.35, 0.8], [0.2, 0.3, 0.6, 0.9], [0.7, 0.2, 0.5, 0.6]]
    numbers = [(0, 0), (0, 1), (1, 0)]  # two repeats: folds 1, 2 of repeat 1 and fold 1 of repeat 2
    folds = [Fold(repeat=r, fold=f, train=np.array([], dtype=int), held=np.arange(4), X_train=None, X_held=None,
                  y_train=None, y_held=np.asarray(y), preprocessor=None) for (r, f), y in zip(numbers, ys)]
    folded = FoldedData(folds=folds, rows=np.arange(4), y=np.asarray(ys[0]), k=2, repeats=2, seed=0, final=None)
    return CrossValidation(folded=folded, models=[], held_scores=[np.asarray(s) for s in scores], oof=np.zeros(4),
                           final=None)


def test_spread_numbers_repeats_and_folds_from_one():
    spread = threshold_spread(_hand_cv(), CostMatrix(1, 5), threshold=0.5)
    assert spread["repeat"].tolist() == [1, 1, 2] and spread["fold"].tolist() == [1, 2, 1]
    assert list(spread.columns) == ["repeat", "fold", "rows", "best_threshold", "best_cost_per_case",
                                    "chosen_cost_per_case"]


def test_spread_needs_a_cost_matrix():
    for costs in ((1, 5), {"fp_cost": 1, "fn_cost": 5}, None):
        with pytest.raises(DataError, match="CostMatrix"):
            threshold_spread(_hand_cv(), costs, threshold=0.5)


def test_the_paragraph_states_median_currency_and_negative_money():
    spread = pd.DataFrame({"best_threshold": [0.2, 0.3, 0.6], "chosen_cost_per_case": [-1.5, 0.25, 1234.5]})
    text = describe_spread(spread, 0.4, currency="€")
    assert "(3 folds)" in text and "from 0.200 to 0.600 (median 0.300)" in text
    assert "threshold 0.400" in text and "from -€1.50 to €1,234.50 across the folds" in text
    assert "from $0.00 to" in describe_spread(spread.assign(chosen_cost_per_case=[0.0, 0.0, 1.0]), 0.4)


def test_folds_that_leave_a_row_unscored_are_refused():
    # The splitter promises every row once per repeat; folds that break it (one dropped)
    # must stop the run with that reason, not give some rows an out-of-fold score of 0/0.
    from dataclasses import replace

    df = _table(n=30, seed=2)
    folded = prepare_folds(df, describe_data(df, "outcome", "yes", validation="cv"), k=3, seed=0)
    broken = replace(folded, folds=folded.folds[:-1])
    with pytest.raises(RuntimeError, match="did not score every row once per repeat"):
        cross_validate(broken, lambda: LogisticRegressionGD(learning_rate=0.5, max_epochs=2))
