"""Bootstrap intervals measured against the truth, not against themselves.

- Coverage: samples drawn from a population whose precision and recall at a threshold are known
  in closed form; the 90% bands must contain the truth in 84-95% of the samples.
- Level: 80% bands are 1.2816 / 1.6449 as wide as 90% bands (normal quantiles; the bootstrap
  distributions here are close to normal), and a threshold interval at level L leaves at most
  (1 - L) / 2 of the resampled thresholds on each side.
- Resample size: band widths equal the binomial standard error of n cases (so resampling n/2 or
  2n rows shows as a width off by sqrt(2)); the capacity threshold's interval matches the
  standard error of a sample quantile.
- Infeasible resamples are counted: with one positive among n rows, a resample misses it with
  probability (1 - 1/n)^n.

Every test is seeded, so it is deterministic; the parameters put the expected value well
inside each tolerance (the margins are stated beside them).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from core.thresholds import threshold_sweep
from core.uncertainty import bootstrap_bands, bootstrap_threshold

Z90, Z80, Z50 = norm.ppf(0.95), norm.ppf(0.90), norm.ppf(0.75)

# The population: 30% positives; scores N(1, 1) for positives, N(0, 1) for negatives.
PREVALENCE, T = 0.3, 0.5
TRUE_RECALL = norm.sf(T - 1.0)
TRUE_FPR = norm.sf(T)
TRUE_PRECISION = PREVALENCE * TRUE_RECALL / (PREVALENCE * TRUE_RECALL + (1 - PREVALENCE) * TRUE_FPR)


def _sample(rng: np.random.Generator, n: int):
    y = (rng.random(n) < PREVALENCE).astype(int)
    return y, rng.normal(loc=y.astype(float), scale=1.0)


def _band(bands, metric: str) -> tuple[float, float]:
    row = bands[bands["metric"] == metric].iloc[0]
    return float(row["low"]), float(row["high"])


def test_90_percent_bands_cover_the_true_precision_and_recall():
    # 250 samples of 1,000 cases: coverage is estimated to +-1.9 points (one standard error), so
    # the nominal 90% sits 3 standard errors from the lower limit 84% and 2.6 from the upper 95%;
    # an 80% band (expected coverage 80%) or bands from n/2 or 2n resamples (about 98% and 77%)
    # land outside.
    rng = np.random.default_rng(20_261_201)
    covered = {"precision": 0, "recall": 0}
    samples = 250
    for k in range(samples):
        y, s = _sample(rng, 1000)
        bands = bootstrap_bands(y, s, [T], metrics=("precision", "recall"), n_boot=200, level=0.9, seed=k)
        for metric, truth in (("precision", TRUE_PRECISION), ("recall", TRUE_RECALL)):
            low, high = _band(bands, metric)
            covered[metric] += low <= truth <= high
    for metric, hits in covered.items():
        assert 0.84 <= hits / samples <= 0.95, f"{metric}: {hits}/{samples} bands contain the truth"


@pytest.fixture(scope="module")
def large_sample():
    return _sample(np.random.default_rng(7), 20_000)


def test_band_width_at_80_and_90_percent_follows_the_normal_quantiles(large_sample):
    y, s = large_sample
    thresholds = [0.0, 0.5, 1.0]
    metrics = ("precision", "recall", "f1", "accuracy")
    wide = bootstrap_bands(y, s, thresholds, metrics=metrics, n_boot=4000, level=0.9, seed=3)
    narrow = bootstrap_bands(y, s, thresholds, metrics=metrics, n_boot=4000, level=0.8, seed=3)
    ratio = (narrow["high"] - narrow["low"]).to_numpy() / (wide["high"] - wide["low"]).to_numpy()
    # Expected 1.2816 / 1.6449 = 0.779; a wrong tail (an 80% band for 90%) gives 0.657.
    np.testing.assert_allclose(ratio, Z80 / Z90, atol=0.04)
    assert np.all(narrow["low"].to_numpy() >= wide["low"].to_numpy())
    assert np.all(narrow["high"].to_numpy() <= wide["high"].to_numpy())


@pytest.mark.parametrize("level", [0.5, 0.8, 0.9, 0.95])
def test_band_width_equals_the_binomial_standard_error_of_n_cases(large_sample, level):
    y, s = large_sample
    n = len(y)
    bands = bootstrap_bands(y, s, [T], metrics=("precision", "recall", "positive_rate"), n_boot=3000, level=level,
                            seed=11)
    point = threshold_sweep(y, s).at(T)
    z = norm.ppf(0.5 + level / 2)
    expected = {
        "recall": np.sqrt(point.recall * (1 - point.recall) / (point.tp + point.fn)),
        "precision": np.sqrt(point.precision * (1 - point.precision) / (point.tp + point.fp)),
        "positive_rate": np.sqrt(point.positive_rate * (1 - point.positive_rate) / n),
    }
    for metric, se in expected.items():
        low, high = _band(bands, metric)
        # Within 8%: the quantiles of 3,000 resamples carry about 2-3% error; n/2 or 2n rows per
        # resample would be off by 41% / 29%.
        assert (high - low) == pytest.approx(2 * z * se, rel=0.08), metric
        assert low <= getattr(point, metric) <= high


def test_capacity_threshold_interval_matches_the_sample_quantile_standard_error():
    # Evenly spaced scores on (0, 1): the threshold that flags the top 20% of a resample is its
    # 80% quantile, whose standard error is sqrt(0.2 * 0.8 / n) (density exactly 1).
    rng = np.random.default_rng(5)
    n = 4000
    s = (np.arange(n) + 0.5) / n
    y = (rng.random(n) < s).astype(int)
    for level in (0.9, 0.5):
        interval = bootstrap_threshold(y, s, "capacity", capacity=0.2, n_boot=1000, level=level, seed=2)
        expected = 2 * norm.ppf(0.5 + level / 2) * np.sqrt(0.2 * 0.8 / n)
        # Within 15% (about 4 standard errors of a width from 1,000 resamples).
        assert interval.high - interval.low == pytest.approx(expected, rel=0.15), level
        assert interval.level == level
        assert interval.low <= interval.estimate <= interval.high


@pytest.mark.parametrize("level", [0.5, 0.8, 0.9, 0.99])
def test_threshold_interval_leaves_the_stated_tail_on_each_side(level):
    rng = np.random.default_rng(8)
    s = np.round(rng.random(3000), 3)
    y = (rng.random(3000) < s).astype(int)
    interval = bootstrap_threshold(y, s, "max_f1", n_boot=400, level=level, seed=4)
    t = np.asarray(interval.thresholds)
    tail = (1 - level) / 2
    assert interval.level == level and len(t) + interval.n_infeasible == 400
    # low is the tail quantile of the resampled thresholds, high the upper one.
    assert np.mean(t < interval.low) <= tail <= np.mean(t <= interval.low)
    assert np.mean(t > interval.high) <= tail <= np.mean(t >= interval.high)


def test_threshold_interval_widens_with_the_level():
    rng = np.random.default_rng(9)
    s = rng.random(2000)
    y = (rng.random(2000) < s).astype(int)
    widths = [
        (lambda i: i.high - i.low)(bootstrap_threshold(y, s, "youden", n_boot=600, level=level, seed=1))
        for level in (0.5, 0.8, 0.95)
    ]
    assert widths[0] < widths[1] < widths[2]


@pytest.mark.parametrize("objective, kwargs", [
    ("recall_at_precision", {"min_precision": 1.0}),
    ("precision_at_recall", {"min_recall": 0.5}),
])
def test_resamples_that_miss_the_only_positive_are_counted_infeasible(objective, kwargs):
    # One positive, on top, among 50 rows: feasible on the full data (precision 1, recall 1 at
    # the top score); a resample without that row has no positive, so the constraint fails.
    # P(miss) = (49/50)^50 = 0.364; over 1,000 resamples one standard error is 0.015.
    n = 50
    s = np.linspace(1.0, 0.0, n)
    y = np.zeros(n, dtype=int)
    y[0] = 1
    interval = bootstrap_threshold(y, s, objective, n_boot=1000, seed=6, **kwargs)
    assert interval.n_infeasible + len(interval.thresholds) == 1000
    assert interval.n_infeasible / 1000 == pytest.approx((1 - 1 / n) ** n, abs=0.05)
    assert interval.low == interval.high == interval.estimate  # every feasible resample picks the top


def test_every_resample_feasible_counts_zero():
    rng = np.random.default_rng(10)
    s = rng.random(500)
    y = (rng.random(500) < s).astype(int)
    interval = bootstrap_threshold(y, s, "capacity", capacity=0.1, n_boot=200, seed=0)
    assert interval.n_infeasible == 0 and len(interval.thresholds) == 200


# ------------------------------------------------------------------------------------------
# Count tables: a row with weight c stands for c cases, so a resample has sum(weights) cases.


def test_bands_of_a_count_table_have_the_width_of_its_cases():
    # 2,000 rows standing for 5 cases each: the bands are those of 10,000 cases (sqrt(5) narrower
    # than 2,000 rows would give), and equal the bands of the same cases written out row by row.
    rng = np.random.default_rng(12)
    y, s = _sample(rng, 2000)
    counts = np.full(2000, 5)
    weighted = bootstrap_bands(y, s, [T], metrics=("recall", "positive_rate"), n_boot=3000, seed=13,
                               sample_weight=counts)
    point = threshold_sweep(y, s, sample_weight=counts).at(T)
    for metric, se in (("recall", np.sqrt(point.recall * (1 - point.recall) / (point.tp + point.fn))),
                       ("positive_rate", np.sqrt(point.positive_rate * (1 - point.positive_rate) / 10_000))):
        low, high = _band(weighted, metric)
        assert high - low == pytest.approx(2 * Z90 * se, rel=0.08), metric
    repeated = bootstrap_bands(np.repeat(y, counts), np.repeat(s, counts), [T], metrics=("recall", "positive_rate"),
                               n_boot=3000, seed=13)
    np.testing.assert_allclose(weighted["high"] - weighted["low"], repeated["high"] - repeated["low"], rtol=0.08)


def test_capacity_interval_of_a_count_table_has_the_width_of_its_cases():
    n, count = 2000, 3
    s = (np.arange(n) + 0.5) / n
    y = (np.random.default_rng(14).random(n) < s).astype(int)
    interval = bootstrap_threshold(y, s, "capacity", capacity=0.2, n_boot=1000, level=0.9, seed=3,
                                   sample_weight=np.full(n, count))
    expected = 2 * Z90 * np.sqrt(0.2 * 0.8 / (n * count))
    assert interval.high - interval.low == pytest.approx(expected, rel=0.15)
    assert interval.n_infeasible + len(interval.thresholds) == 1000
