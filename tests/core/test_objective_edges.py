"""Every recommendation objective at its exact limit, with float rounding, and against brute force.

A limit the user sets is inclusive: "precision at least p", "recall at least r", "flag at most
k% of cases". Tests put a threshold exactly on each limit (precision exactly 3/4, capacity
exactly 3 of 20, recall exactly 1/2), also where float sums land a hair beside it (weights of
0.1), and just past it. The property test prices every threshold straight from the rows
(``score >= t``) and picks by each objective's rule: ties go to the highest threshold.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.costs import CostMatrix
from core.errors import DataError
from core.thresholds import OBJECTIVES, recommend_threshold, threshold_sweep

SETTING = {"recall_at_precision": "min_precision", "precision_at_recall": "min_recall", "capacity": "capacity"}


def _recommend(y, s, objective, limit=None, *, weights=None, costs=None):
    sweep = threshold_sweep(y, s, costs=costs, sample_weight=weights)
    kwargs = {SETTING[objective]: limit} if objective in SETTING else {}
    return recommend_threshold(sweep, objective, **kwargs)


def _flagged(s, t):
    return np.asarray(s) >= t


# ------------------------------------------------------------------------------------------
# Limits hit exactly


def test_precision_exactly_p_qualifies():
    # From the top: 1, 1, 0, 1 -> precision 1, 1, 2/3, 3/4 (recall 3/4), then 0, 1, 0 ... lower.
    s = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2])
    y = np.array([1, 1, 0, 1, 0, 0, 1, 0])
    rec = _recommend(y, s, "recall_at_precision", 0.75)
    assert (rec.point.tp, rec.point.fp) == (3, 1) and rec.point.precision == 0.75
    assert list(_flagged(s, rec.threshold)) == [True] * 4 + [False] * 4
    # A hair above 3/4 the same threshold no longer qualifies: only the top two do.
    stricter = _recommend(y, s, "recall_at_precision", 0.75 + 1e-9)
    assert (stricter.point.tp, stricter.point.fp) == (2, 0)


def test_recall_exactly_r_qualifies():
    # Four positives; the top two are positives (recall exactly 1/2 at precision 1), then a run
    # of negatives before the rest: every higher recall has a lower precision.
    s = np.array([0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    y = np.array([1, 1, 0, 0, 1, 0, 1])
    rec = _recommend(y, s, "precision_at_recall", 0.5)
    assert (rec.point.tp, rec.point.fp) == (2, 0) and rec.point.recall == 0.5
    stricter = _recommend(y, s, "precision_at_recall", 0.5 + 1e-9)
    assert stricter.point.tp == 3 and stricter.point.precision == pytest.approx(3 / 5)


def test_capacity_exactly_k_qualifies():
    s = np.linspace(0.01, 0.99, 20)
    y = np.tile([1, 0], 10)
    rec = _recommend(y, s, "capacity", 0.15)  # 3 of 20 is exactly 15%
    assert rec.point.tp + rec.point.fp == 3 and rec.point.positive_rate == 0.15
    assert _flagged(s, rec.threshold).sum() == 3
    assert _recommend(y, s, "capacity", 0.15 - 1e-9).point.positive_rate == 0.10


def test_capacity_given_as_a_percentage_like_the_page():
    # The page passes the percentage entered divided by 100; 7% of 100 cases is 7 cases.
    s = np.arange(100) / 100
    y = (np.arange(100) % 3 == 0).astype(int)
    for pct in (1.0, 7.0, 10.0, 29.0, 33.0, 50.0, 99.0, 100.0):
        rec = _recommend(y, s, "capacity", pct / 100)
        assert _flagged(s, rec.threshold).sum() == int(pct)


ROUNDING_CASES = {
    # objective: (limit, labels from the highest score down, rows the limit allows)
    # 3 x 0.1 flagged of 10 x 0.1 is 0.30000000000000004 / 1.0 in floats, a hair above 30%.
    "capacity": (0.3, [1, 0] * 5, 3),
    # 8 x 0.1 positives of 10 x 0.1 flagged is 0.7999999999999999 in floats, a hair below 80%.
    "recall_at_precision": (0.8, [1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1], 10),
    # 2 x 0.1 of 20 x 0.1 positives is 0.09999999999999998 in floats, a hair below 10%.
    "precision_at_recall": (0.1, [1, 1, 0, 0, 0] + [1] * 18, 2),
}


@pytest.mark.parametrize("objective", list(ROUNDING_CASES))
def test_limits_met_only_up_to_float_rounding_still_qualify(objective):
    # Every weight is 0.1, which is not exact in binary: sums of them miss the decimal limit by
    # an ulp or two. The limit is met in real numbers, so the threshold must qualify.
    limit, labels, expected_flagged = ROUNDING_CASES[objective]
    y = np.array(labels)
    s = np.linspace(1, 0.1, len(y))
    rec = _recommend(y, s, objective, limit, weights=np.full(len(y), 0.1))
    assert _flagged(s, rec.threshold).sum() == expected_flagged
    # The same rows unweighted hit the limit exactly and agree.
    assert _flagged(s, _recommend(y, s, objective, limit).threshold).sum() == expected_flagged


def test_limits_of_zero_and_one():
    s = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    y = np.array([1, 0, 1, 0, 0])
    assert _flagged(s, _recommend(y, s, "capacity", 0.0).threshold).sum() == 0
    assert _flagged(s, _recommend(y, s, "capacity", 1.0).threshold).sum() == 5
    assert _recommend(y, s, "precision_at_recall", 1.0).point.recall == 1.0
    assert _recommend(y, s, "recall_at_precision", 1.0).point.precision == 1.0
    assert _recommend(y, s, "precision_at_recall", 0.0).point.precision == 1.0  # the top case alone
    y_top_negative = np.array([0, 1, 1, 0, 0])
    with pytest.raises(DataError, match="precision 1"):
        _recommend(y_top_negative, s, "recall_at_precision", 1.0)


# ------------------------------------------------------------------------------------------
# Every objective against brute force over the rows


def _brute_force(y, s, w, objective, limit, costs):
    """Index into ``candidates`` that the objective picks, and the per-candidate metrics."""
    candidates = np.append(np.unique(s[w > 0])[::-1], np.inf)  # decreasing, then "nobody"
    pos, neg = w * (y == 1), w * (y == 0)
    n_pos, n_neg = pos.sum(), neg.sum()
    rows = []
    for t in candidates:
        f = s >= t
        tp, fp = pos[f].sum(), neg[f].sum()
        fn, tn = n_pos - tp, n_neg - fp
        precision = tp / (tp + fp) if tp + fp > 0 else 0.0
        recall = tp / n_pos if n_pos > 0 else 0.0
        fpr = fp / n_neg if n_neg > 0 else 0.0
        f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn > 0 else 0.0
        rate = (tp + fp) / (n_pos + n_neg)
        cost = None if costs is None else costs.total(tp, fp, tn, fn)
        rows.append(dict(tp=tp, fp=fp, precision=precision, recall=recall, fpr=fpr, f1=f1, rate=rate, cost=cost))
    eps = 1e-9
    if objective == "min_cost":
        score = [-r["cost"] for r in rows]
    elif objective == "max_f1":
        score = [r["f1"] for r in rows]
    elif objective == "youden":
        score = [r["recall"] - r["fpr"] for r in rows]
    elif objective == "recall_at_precision":
        score = [r["recall"] if r["tp"] + r["fp"] > 0 and r["precision"] >= limit - eps else -1 for r in rows]
    elif objective == "precision_at_recall":
        score = [r["precision"] + 1e-6 * r["recall"] if r["recall"] >= limit - eps else -1 for r in rows]
    else:
        score = [r["rate"] if r["rate"] <= limit + eps else -1 for r in rows]
    return candidates, rows, np.asarray(score, dtype=float)


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    n=st.integers(3, 50),
    decimals=st.sampled_from([1, 2, 6]),
    weighted=st.booleans(),
    objective=st.sampled_from(list(OBJECTIVES)),
    limit=st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.6, 0.75, 0.9, 1.0]),
)
def test_every_objective_picks_what_brute_force_picks(seed, n, decimals, weighted, objective, limit):
    rng = np.random.default_rng(seed)
    s = np.round(rng.random(n), decimals)
    y = (rng.random(n) < s).astype(int)
    y[:2] = [0, 1]
    w = rng.choice([0.1, 1 / 3, 1.0, 2.0, 0.0], size=n) if weighted else np.ones(n)
    w[:2] = [1.0, 1.0]
    costs = CostMatrix(fp_cost=float(rng.integers(1, 20)), fn_cost=float(rng.integers(1, 50)),
                       tp_value=float(rng.integers(0, 5)), tn_value=float(rng.integers(0, 3)))
    candidates, rows, score = _brute_force(y, s, w, objective, limit, costs)
    try:
        rec = _recommend(y, s, objective, limit, weights=w if weighted else None, costs=costs)
    except DataError:
        assert score.max() < 0 or (objective == "min_cost" and np.ptp([r["cost"] for r in rows]) == 0)
        return
    assert score.max() >= 0 or objective in ("min_cost", "youden")
    # Which candidate the recommended threshold is: the one flagging exactly the same rows.
    same = [i for i, t in enumerate(candidates) if np.array_equal(_flagged(s, t) & (w > 0), _flagged(s, rec.threshold) & (w > 0))]
    assert len(same) == 1
    i = same[0]
    best = score.max()
    if weighted:  # float sums may order near-ties differently: compare values
        assert score[i] == pytest.approx(best, rel=1e-9, abs=1e-9)
    else:
        assert i == int(np.argmax(score))  # the best, and the highest threshold among ties
    assert rec.point.tp == pytest.approx(rows[i]["tp"]) and rec.point.fp == pytest.approx(rows[i]["fp"])
