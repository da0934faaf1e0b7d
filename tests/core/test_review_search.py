"""The best review band against brute force, computed from the raw rows.

``recommend_review_band`` finds the cheapest band ``[low, high)`` under a review capacity with
a split of the cost into two parts and a window minimum over one of them. Here every band of
the sweep is priced directly from the rows (``score >= high`` flagged, ``low <= score < high``
reviewed and decided correctly, the rest cleared), over random costs including the values of
correct decisions, review costs, capacities and weighted rows, and the search must find the
minimum. The window minimum itself is checked against a direct scan as well.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.costs import CostMatrix
from core.review import recommend_review_band
from core.thresholds import threshold_sweep

WEIGHT_CHOICES = np.array([0.1, 1 / 3, 1.0, 2.5, 7.0, 0.0])


def _rows(seed: int, n: int, decimals: int, weighted: bool):
    rng = np.random.default_rng(seed)
    scores = np.round(rng.random(n), decimals)
    y = (rng.random(n) < scores * 0.8 + 0.1).astype(int)
    y[:2] = [0, 1]  # both classes present
    w = rng.choice(WEIGHT_CHOICES, size=n) if weighted else np.ones(n)
    w[:2] = [1 / 3, 0.1] if weighted else 1.0  # both classes keep some weight
    return y, scores, w


def _price(y, s, w, costs: CostMatrix, review_cost: float, low: float, high: float, amounts=None) -> tuple[float, float]:
    """(total cost, reviewed weight) of the band, straight from the rows (``amounts``: each
    row's amount, the total of its cases in a count table)."""
    flagged = s >= high
    reviewed = (s >= low) & ~flagged
    cleared = ~(flagged | reviewed)
    pos, neg = y == 1, y == 0
    tp = w[(flagged | reviewed) & pos].sum()  # reviewed positives are caught
    tn = w[(cleared | reviewed) & neg].sum()  # reviewed negatives are cleared
    fp = w[flagged & neg].sum()
    fn = w[cleared & pos].sum()
    n_review = w[reviewed].sum()
    total = costs.fp_cost * fp + costs.fn_cost * fn - costs.tp_value * tp - costs.tn_value * tn + review_cost * n_review
    if amounts is not None:
        a = np.where(w > 0, amounts, 0.0)
        total += (costs.fp_pct * a[flagged & neg].sum() + costs.fn_pct * a[cleared & pos].sum()
                  - costs.tp_pct * a[(flagged | reviewed) & pos].sum()
                  - costs.tn_pct * a[(cleared | reviewed) & neg].sum()) / 100
    return float(total), float(n_review)


def _brute_force(y, s, w, costs, review_cost, rate, amounts=None):
    """The lowest total cost over every band whose reviewed weight fits the capacity."""
    kept = w > 0
    candidates = np.append(np.unique(s[kept]), np.inf)  # every distinct score and "nobody"
    limit = rate * w.sum()
    best = np.inf
    for i, high in enumerate(candidates):
        for low in candidates[: i + 1]:
            total, n_review = _price(y, s, w, costs, review_cost, low, high, amounts)
            if n_review <= limit * (1 + 1e-9) + 1e-12:
                best = min(best, total)
    return best


def _check(y, s, w, costs, review_cost, rate, weighted, amounts=None):
    sweep = threshold_sweep(y, s, costs=costs, sample_weight=w if weighted else None, amounts=amounts)
    rec = recommend_review_band(sweep, review_cost, rate)
    best = _brute_force(y, s, w, costs, review_cost, rate, amounts)
    scale = 1 + abs(best)
    assert rec.total_cost == pytest.approx(best, rel=1e-9, abs=1e-9 * scale)
    # The stated thresholds reproduce the stated outcome on the rows, within the capacity.
    total, n_review = _price(y, s, w, costs, review_cost, rec.low, rec.high, amounts)
    assert rec.low <= rec.high
    assert total == pytest.approx(rec.total_cost, rel=1e-9, abs=1e-9 * scale)
    assert n_review == pytest.approx(rec.n_review, rel=1e-9, abs=1e-12)
    assert n_review <= rate * w.sum() * (1 + 1e-9) + 1e-12
    assert rec.review_rate == pytest.approx(n_review / w.sum(), rel=1e-9, abs=1e-12)
    assert rec.cost_per_1000 == pytest.approx(rec.total_cost / w.sum() * 1000, rel=1e-9, abs=1e-9 * scale)
    return rec


money = st.floats(0, 100, allow_nan=False).map(lambda v: round(v, 2))


@settings(max_examples=120, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    n=st.integers(4, 60),
    decimals=st.sampled_from([1, 2, 3]),
    weighted=st.booleans(),
    fp=money,
    fn=money,
    tp=money,
    tn=money,
    review_cost=st.sampled_from([0.0, 0.05, 0.4, 1.0, 3.0, 12.5, 60.0]),
    rate=st.one_of(st.sampled_from([0.0, 0.05, 0.1, 0.25, 0.5, 1.0]), st.floats(0, 1)),
    pcts=st.one_of(st.none(), st.tuples(*[st.sampled_from([0.0, 1.0, 5.0, 60.0])] * 4)),
)
def test_best_band_equals_brute_force(seed, n, decimals, weighted, fp, fn, tp, tn, review_cost, rate, pcts):
    y, s, w = _rows(seed, n, decimals, weighted)
    if pcts is None:  # fixed money per case only
        costs, amounts = CostMatrix(fp, fn, tp, tn), None
    else:  # plus a share of each case's amount in every cell
        costs = CostMatrix(fp, fn, tp, tn, fp_pct=pcts[0], fn_pct=pcts[1], tp_pct=pcts[2], tn_pct=pcts[3])
        amounts = np.round(np.random.default_rng(seed + 1).uniform(0, 500, size=n), 2)
    _check(y, s, w, costs, review_cost, rate, weighted, amounts)


@pytest.mark.parametrize("seed", range(6))
def test_best_band_on_larger_tables_with_wide_windows(seed):
    # Many distinct scores and a capacity spanning dozens of them, so the window minimum spans
    # every power-of-two level (a window of the wrong size is caught here).
    y, s, w = _rows(100 + seed, 150, 2, weighted=bool(seed % 2))
    costs = CostMatrix(fp_cost=3 + seed, fn_cost=20, tp_value=2.0 * seed, tn_value=0.5)
    for rate in (0.13, 0.37, 0.8):
        _check(y, s, w, costs, review_cost=0.7, rate=rate, weighted=bool(seed % 2))


def test_a_band_that_fills_the_capacity_exactly_is_allowed():
    # Ten cases, scores 0.1 .. 1.0, labels arranged so the middle four are worth reviewing:
    # reviewing exactly 40% of the cases must be allowed at max_review_rate=0.4.
    s = np.round(np.arange(1, 11) / 10, 1)
    y = np.array([0, 0, 0, 1, 0, 1, 0, 1, 1, 1])
    costs = CostMatrix(fp_cost=10, fn_cost=10)
    rec = recommend_review_band(threshold_sweep(y, s, costs=costs), review_cost=0.5, max_review_rate=0.4)
    total, n_review = _price(y, s, np.ones(10), costs, 0.5, rec.low, rec.high)
    assert n_review == 4 and rec.n_review == 4 and rec.review_rate == 0.4
    assert rec.total_cost == pytest.approx(2.0) and total == pytest.approx(2.0)  # every mistake moved into review
    # Just under the capacity, only three can be reviewed: one mistake stays.
    tighter = recommend_review_band(threshold_sweep(y, s, costs=costs), review_cost=0.5, max_review_rate=0.39)
    assert tighter.n_review <= 3 and tighter.total_cost > rec.total_cost


def test_weighted_band_equals_the_band_of_repeated_rows():
    rng = np.random.default_rng(7)
    s = np.round(rng.random(40), 2)
    y = (rng.random(40) < s).astype(int)
    y[:2] = [0, 1]
    counts = rng.integers(1, 5, size=40)
    costs = CostMatrix(fp_cost=4, fn_cost=15, tp_value=1, tn_value=0.25)
    weighted = recommend_review_band(threshold_sweep(y, s, costs=costs, sample_weight=counts), 0.8, 0.2)
    repeated = recommend_review_band(threshold_sweep(np.repeat(y, counts), np.repeat(s, counts), costs=costs), 0.8, 0.2)
    assert weighted.total_cost == pytest.approx(repeated.total_cost, rel=1e-12)
    assert weighted.n_review == pytest.approx(repeated.n_review) and weighted.review_rate == pytest.approx(repeated.review_rate)
    assert (weighted.low, weighted.high) == (repeated.low, repeated.high)


# ------------------------------------------------------------------------------------------
# The window minimum on its own (a private helper of core.review: test it while it exists).


def _window_argmin():
    import core.review as review

    helper = getattr(review, "_window_argmin", None)
    if helper is None:
        pytest.fail("core.review._window_argmin moved: point this test at the window-minimum helper")
    return helper


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**31), size=st.integers(1, 200), ties=st.booleans())
def test_window_argmin_equals_a_direct_scan(seed, size, ties):
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 4, size).astype(float) if ties else rng.normal(size=size)
    starts = rng.integers(0, size, size=64)
    stops = np.minimum(starts + rng.integers(0, size, size=64), size - 1)
    got = _window_argmin()(values, starts, stops)
    for k in range(len(starts)):
        window = values[starts[k] : stops[k] + 1]
        assert got[k] == starts[k] + int(np.argmin(window))  # first index on ties


def test_a_bad_threshold_or_capacity_is_named_in_the_error():
    from core.errors import DataError
    from core.review import review_band

    y, s, w = _rows(3, 30, 2, weighted=False)
    sweep = threshold_sweep(y, s, costs=CostMatrix(1, 5))
    with pytest.raises(DataError, match="lower review threshold"):
        review_band(sweep, "low", 0.5, 1.0)
    with pytest.raises(DataError, match="upper review threshold"):
        review_band(sweep, 0.2, float("nan"), 1.0)
    with pytest.raises(DataError, match="share of cases a person can review"):
        recommend_review_band(sweep, 1.0, "ten percent")
    with pytest.raises(DataError, match="cost of a manual review"):
        recommend_review_band(sweep, float("inf"), 0.1)


@pytest.mark.parametrize("rate", [1.000001, 1.5, 2.0, -0.1, float("nan")])
def test_a_capacity_outside_0_to_1_is_refused(rate):
    from core.errors import DataError

    y, s, w = _rows(4, 30, 2, weighted=False)
    with pytest.raises(DataError):
        recommend_review_band(threshold_sweep(y, s, costs=CostMatrix(1, 5)), 1.0, rate)


def test_per_case_costs_without_amounts_say_so():
    # The sweep refuses them already, so a review band is never searched without the amounts.
    from core.errors import DataError

    y, s, w = _rows(5, 30, 2, weighted=False)
    with pytest.raises(DataError, match="amount"):
        recommend_review_band(threshold_sweep(y, s, costs=CostMatrix(1, 5, fn_pct=60)), 1.0, 0.1)


@pytest.mark.parametrize("negative_amount, best", [(100.5, 100.0), (99.5, 99.5)])
def test_per_case_money_decides_a_near_tie_exactly(negative_amount, best):
    # Flagging both cases (the top one a negative) costs the negative's amount; flagging nobody
    # misses the positive below it (worth 100). Half a unit apart either way: any misweighting of
    # the false-positive or the true-positive amounts flips the choice.
    y, s = np.array([0, 1]), np.array([0.9, 0.8])
    amounts = np.array([negative_amount, 100.0])
    costs = CostMatrix(0, 0, fp_pct=100, fn_pct=100)
    for rate in (0.0, 0.5, 1.0):
        rec = recommend_review_band(threshold_sweep(y, s, costs=costs, amounts=amounts), review_cost=150.0,
                                    max_review_rate=rate)
        assert rec.total_cost == pytest.approx(_brute_force(y, s, np.ones(2), costs, 150.0, rate, amounts))
        assert rec.total_cost == pytest.approx(best) and rec.n_review == 0


@pytest.mark.parametrize("zero", ["positives", "negatives"])
def test_per_case_money_when_one_class_has_no_amount(zero):
    rng = np.random.default_rng(21)
    s = np.round(rng.random(40), 2)
    y = (rng.random(40) < s).astype(int)
    y[:2] = [0, 1]
    amounts = np.round(rng.uniform(1, 300, size=40), 2)
    amounts[y == (1 if zero == "positives" else 0)] = 0.0
    costs = CostMatrix(2, 9, tp_value=1, tn_value=0.5, fp_pct=3, fn_pct=40, tp_pct=2, tn_pct=1)
    for rate in (0.0, 0.2):
        _check(y, s, np.ones(40), costs, 0.7, rate, weighted=False, amounts=amounts)
