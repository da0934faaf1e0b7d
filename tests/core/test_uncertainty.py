"""Bootstrap bands and threshold intervals: reproducible, and equal to a naive row bootstrap."""

from __future__ import annotations

import numpy as np
import pytest

from core.costs import CostMatrix
from core.errors import DataError
from core.thresholds import display_threshold, recommend_threshold, threshold_sweep
from core.uncertainty import bootstrap_bands, bootstrap_threshold


def _data(n, seed=0, decimals=None):
    rng = np.random.default_rng(seed)
    p = rng.random(n)
    if decimals is not None:
        p = np.round(p, decimals)
    y = (rng.random(n) < p).astype(int)
    return y, p


def test_bands_are_reproducible_with_a_seed_and_differ_with_another():
    y, p = _data(2000)
    t = [0.2, 0.5, 0.8]
    first = bootstrap_bands(y, p, t, costs=CostMatrix(1, 5), seed=3)
    again = bootstrap_bands(y, p, t, costs=CostMatrix(1, 5), seed=3)
    other = bootstrap_bands(y, p, t, costs=CostMatrix(1, 5), seed=4)
    assert first.equals(again)
    assert not first[["low", "high"]].equals(other[["low", "high"]])
    assert list(first.columns) == ["threshold", "metric", "low", "high"]
    assert first["metric"].tolist() == ["precision"] * 3 + ["recall"] * 3 + ["f1"] * 3 + ["cost"] * 3
    assert first["threshold"].tolist()[:3] == t


def test_bands_bracket_the_full_data_value_and_shrink_with_more_data():
    y, p = _data(4000, seed=1)
    sweep = threshold_sweep(y, p)
    t = np.linspace(0.05, 0.95, 19)
    bands = bootstrap_bands(y, p, t, metrics=("precision", "recall"), n_boot=300)
    for metric in ("precision", "recall"):
        rows = bands[bands["metric"] == metric]
        values = getattr(sweep, metric)[sweep.index(t)]
        assert np.all(rows["low"].to_numpy() <= values + 1e-12)
        assert np.all(values <= rows["high"].to_numpy() + 1e-12)
    y4, p4 = _data(16000, seed=1)
    wide = bootstrap_bands(y, p, [0.5], metrics=("recall",))
    narrow = bootstrap_bands(y4, p4, [0.5], metrics=("recall",))
    ratio = float((wide["high"] - wide["low"]).iloc[0] / (narrow["high"] - narrow["low"]).iloc[0])
    assert 1.4 < ratio < 2.8  # about sqrt(4) = 2


def test_bands_match_a_naive_row_bootstrap():
    # The multinomial over cells has the same distribution as resampling rows.
    y, p = _data(1500, seed=2, decimals=2)
    t = np.array([0.3, 0.6])
    ours = bootstrap_bands(y, p, t, metrics=("precision", "recall"), n_boot=1500, seed=0)
    rng = np.random.default_rng(99)
    stats = {"precision": [], "recall": []}
    for _ in range(1500):
        rows = rng.integers(0, len(y), len(y))
        point = [threshold_sweep(y[rows], p[rows]).at(x) for x in t]
        stats["precision"].append([q.precision for q in point])
        stats["recall"].append([q.recall for q in point])
    for metric, values in stats.items():
        low, high = np.quantile(np.array(values), [0.05, 0.95], axis=0)
        rows = ours[ours["metric"] == metric]
        np.testing.assert_allclose(rows["low"], low, atol=0.015)
        np.testing.assert_allclose(rows["high"], high, atol=0.015)


def test_bands_handle_flag_nobody_and_skip_cost_without_costs():
    y, p = _data(500)
    bands = bootstrap_bands(y, p, [np.inf, 2.0, -1.0])
    assert set(bands["metric"]) == {"precision", "recall", "f1"}
    recall = bands[bands["metric"] == "recall"]
    assert recall["low"].tolist() == [0, 0, 1] and recall["high"].tolist() == [0, 0, 1]


def _naive_threshold_choices(y, p, objective, costs, n_boot, seed, **kwargs):
    """Row bootstrap with fresh sweeps, rows ordered so the same seed draws the same rows."""
    sweep = threshold_sweep(y, p, costs=costs)
    rng = np.random.default_rng(seed)
    choices = []
    for _ in range(n_boot):
        rows = rng.integers(0, len(y), size=len(y), dtype=np.int32)
        resample = threshold_sweep(y[rows], p[rows], costs=costs)
        rec = recommend_threshold(resample, objective, **kwargs)
        index = sweep.index(resample.thresholds[resample.index(rec.threshold)])
        choices.append(display_threshold(sweep, index))
    return np.array(choices)


@pytest.mark.parametrize(
    "objective, kwargs", [("min_cost", {}), ("max_f1", {}), ("recall_at_precision", {"min_precision": 0.7})]
)
def test_threshold_interval_equals_a_naive_bootstrap_resample_for_resample(objective, kwargs):
    y, p = _data(400, seed=5, decimals=2)
    # Order rows as the implementation's cells (positives by score desc, then negatives),
    # so both draw identical resamples from the same seed.
    order = np.lexsort((-p, -y))
    y, p = y[order], p[order]
    costs = CostMatrix(1, 5)
    interval = bootstrap_threshold(y, p, objective, costs=costs, n_boot=40, seed=11, **kwargs)
    naive = _naive_threshold_choices(y, p, objective, costs, 40, 11, **kwargs)
    np.testing.assert_array_equal(interval.thresholds, naive)
    assert interval.low == np.quantile(naive, 0.05, method="lower")
    assert interval.high == np.quantile(naive, 0.95, method="higher")
    assert interval.estimate == recommend_threshold(threshold_sweep(y, p, costs=costs), objective, **kwargs).threshold


def test_threshold_interval_is_seeded_and_centred_on_the_one_sixth_rule():
    y, p = _data(20000, seed=6)  # calibrated scores
    a = bootstrap_threshold(y, p, "min_cost", costs=CostMatrix(1, 5), seed=1)
    b = bootstrap_threshold(y, p, "min_cost", costs=CostMatrix(1, 5), seed=1)
    c = bootstrap_threshold(y, p, "min_cost", costs=CostMatrix(1, 5), seed=2)
    np.testing.assert_array_equal(a.thresholds, b.thresholds)
    assert not np.array_equal(a.thresholds, c.thresholds)
    assert len(a.thresholds) == 200 and a.low <= a.estimate <= a.high
    assert a.low < 1 / 6 < a.high and a.high - a.low < 0.1


def test_bad_settings_raise_plain_words():
    y, p = _data(200)
    with pytest.raises(DataError, match="at least 2"):
        bootstrap_bands(y, p, [0.5], n_boot=1)
    with pytest.raises(DataError, match="between 0 and 1"):
        bootstrap_threshold(y, p, "max_f1", level=90)
    with pytest.raises(DataError, match="Unknown metric"):
        bootstrap_bands(y, p, [0.5], metrics=("auc",))
    with pytest.raises(DataError, match="costs"):
        bootstrap_threshold(y, p, "min_cost")
    with pytest.raises(DataError, match="No threshold reaches precision"):
        bootstrap_threshold(np.array([0, 1, 0, 0]), np.array([0.9, 0.5, 0.4, 0.1]), "recall_at_precision", min_precision=0.99)
    with pytest.raises(DataError, match="Unexpected setting"):
        bootstrap_threshold(y, p, "max_f1", min_precison=0.5)
