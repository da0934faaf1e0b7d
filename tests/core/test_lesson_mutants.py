"""core.lesson: the Learn page's numbers at their edges (found by the mutation run, tests/MUTATION.md).

Checked against NumPy's correlation, scikit-learn's log-loss and hand-computed cases: the
most informative feature on offset, rescaled and constant columns, the decision rule at a
logit of exactly 0, what the gradient table and the stability table show by default, and
the validation of edited tables.
"""

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import log_loss as sk_log_loss

from core import lesson
from core.errors import DataError


# --- most_informative_feature --------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("base_rate", [0.2, 0.7])
def test_most_informative_feature_is_the_largest_absolute_pearson_correlation(seed, base_rate):
    rng = np.random.default_rng(seed)
    n, d = 300, 6
    y = (rng.random(n) < base_rate).astype(int)
    strength = rng.uniform(0.0, 1.5, size=d) * rng.choice([-1, 1], size=d)
    X = rng.normal(size=(n, d)) + np.outer(y, strength)
    X[:, : d // 2] = np.exp(X[:, : d // 2])  # skewed columns
    # offsets and scales far apart: a correlation ignores both, a covariance does not
    X = X * rng.choice([1e-3, 1.0, 1e3], size=d) + rng.choice([-1e4, 0.0, 5e3], size=d)
    names = [f"f{j}" for j in range(d)]
    corr = np.abs([np.corrcoef(X[:, j], y)[0, 1] for j in range(d)])
    assert lesson.most_informative_feature(X, y, names) == names[int(np.argmax(corr))]


def test_a_weak_feature_on_a_huge_scale_does_not_beat_a_strong_small_one():
    rng = np.random.default_rng(0)
    y = (rng.random(400) < 0.4).astype(int)
    strong = 0.01 * (y + 0.3 * rng.normal(size=400))  # tiny numbers, nearly the label
    weak = 1e6 * (0.1 * y + rng.normal(size=400)) + 3e7  # huge, offset, mostly noise
    X = np.column_stack([weak, strong])
    assert lesson.most_informative_feature(X, y, ["weak", "strong"]) == "strong"


def test_a_constant_column_is_never_the_most_informative():
    y = np.array([1, 1, 0, 0, 1, 0])
    signal = np.array([2.0, 1.5, 0.1, -0.4, 0.9, 0.2])
    X = np.column_stack([np.full(6, 7.0), signal])
    assert lesson.most_informative_feature(X, y, ["constant", "signal"]) == "signal"
    # even against a column with no correlation at all (exactly 0)
    uncorrelated = np.array([1.0, -1.0, -1.0, 1.0])
    X = np.column_stack([np.full(4, 3.0), uncorrelated])
    assert np.corrcoef(uncorrelated, [1, 1, 0, 0])[0, 1] == 0.0
    assert lesson.most_informative_feature(X, [1, 1, 0, 0], ["constant", "uncorrelated"]) == "uncorrelated"


# --- per-example curves, decision rule, convexity -------------------------------------


def test_default_loss_curves_are_an_even_grid_through_one_half():
    curves = lesson.per_example_loss_curves()
    assert list(curves.columns) == ["y_hat", "y", "loss"]
    assert curves.index.equals(pd.RangeIndex(2 * 199))  # one long table, one row label each
    for label in (0, 1):
        part = curves[curves["y"] == label]
        grid = part["y_hat"].to_numpy()
        assert len(grid) == 199
        np.testing.assert_allclose(np.diff(grid), 1 / 200)
        assert grid[0] == pytest.approx(1 / 200) and grid[-1] == pytest.approx(1 - 1 / 200)
        assert np.any(np.isclose(grid, 0.5))
        truth_probability = grid if label == 1 else 1 - grid
        np.testing.assert_allclose(part["loss"], -np.log(truth_probability))


def test_accuracy_counts_a_logit_of_exactly_zero_as_positive():
    # an intercept of 0 (base rate 1/2) puts the rows at x = 0 on z = 0 at every weight
    data = lesson.FeatureSlice(name="x", x=np.array([0.0, 0.0, -1.0, -2.0]), y=np.array([1.0, 1.0, 0.0, 0.0]),
                               intercept=0.0)
    accuracy = lesson.accuracy_along_weight(data, [-1.0, 0.0, 1.0])
    assert list(accuracy.columns) == ["weight", "accuracy"]
    # z >= 0 is positive: the two x = 0 rows are always right; the others only when w > 0
    assert accuracy["accuracy"].tolist() == [0.5, 0.5, 1.0]


def test_is_convex_absorbs_rounding_on_a_straight_line_but_not_a_real_dent():
    line = 0.1 * np.arange(200) + 1 / 3  # second differences are rounding noise, both signs
    assert np.diff(line, n=2).min() < 0  # the premise
    assert lesson.is_convex(line)
    assert lesson.is_convex(np.full(10, 2.5))  # flat: range 0
    assert lesson.is_convex([3.0, -1.0]) and lesson.is_convex([])  # too short to bend
    assert not lesson.is_convex([0.0, 1.0, 0.0])  # three points are enough to bend down
    assert lesson.is_convex([0, 1, 2, 3], rtol=0.0)  # exactly straight needs no tolerance at all
    big = 1e6 * line  # the tolerance is relative to the curve's range: rounding grows with the values
    assert np.diff(big, n=2).min() < -1e-12  # the premise
    assert lesson.is_convex(big)
    dented = np.abs(np.linspace(-1, 1, 51))  # convex, with straight sides
    dented[10] += 1e-6  # a bump on a straight side: a second difference of -2e-6, 2,000 times 1e-9 of the range 1
    assert not lesson.is_convex(dented)
    assert lesson.is_convex(dented, rtol=1e-5)
    assert not lesson.is_convex(1e-6 * dented)  # a small curve's dent is as real as a big one's


# --- feature_slice ------------------------------------------------------------------------


def test_feature_slice_samples_rows_in_order_with_their_labels():
    n = 20_001
    x = np.arange(n, dtype=float)
    X = np.column_stack([np.zeros(n), x])
    y = (x % 3 == 0).astype(float)
    sliced = lesson.feature_slice(X, y, ["zero", "x"], "x")  # one row over the default 20,000
    assert len(sliced.x) == 20_000 and sliced.name == "x"
    assert np.all(np.diff(sliced.x) > 0)  # the original order, no repeats
    np.testing.assert_array_equal(sliced.y, (sliced.x % 3 == 0).astype(float))  # each row keeps its label
    again = lesson.feature_slice(X, y, ["zero", "x"], "x", seed=0)
    np.testing.assert_array_equal(again.x, sliced.x)  # seeded: the default seed is 0
    other = lesson.feature_slice(X, y, ["zero", "x"], "x", seed=1)
    assert not np.array_equal(other.x, sliced.x)
    whole = lesson.feature_slice(X[:-1], y[:-1], ["zero", "x"], "x")  # exactly 20,000: all of them
    np.testing.assert_array_equal(whole.x, x[:-1])
    with pytest.raises(DataError, match="no feature called 'nope'"):
        lesson.feature_slice(X, y, ["zero", "x"], "nope")


def test_feature_slice_intercept_stays_finite_for_one_class_and_is_zero_without_rows():
    X = np.ones((5, 1))
    every = lesson.feature_slice(X, np.ones(5), ["a"], "a")
    assert every.intercept == pytest.approx(math.log((1 - 1e-6) / 1e-6))
    none = lesson.feature_slice(X, np.zeros(5), ["a"], "a")
    assert none.intercept == pytest.approx(-math.log((1 - 1e-6) / 1e-6))
    empty = lesson.feature_slice(np.ones((0, 1)), np.ones(0), ["a"], "a")
    assert empty.intercept == 0.0


# --- the gradient step ------------------------------------------------------------------------


@pytest.fixture
def sliced():
    rng = np.random.default_rng(11)
    y = (rng.random(50) < 0.35).astype(float)
    x = rng.normal(size=50) + y
    return lesson.feature_slice(x[:, None], y, ["x"], "x")


def test_gradient_step_table_shows_the_first_rows_of_the_arithmetic(sliced):
    step = lesson.gradient_step(sliced, 0.7)
    z = 0.7 * sliced.x + sliced.intercept
    p = 1 / (1 + np.exp(-z))
    table = step.table
    assert list(table.columns) == ["x", "y", "y_hat", "error", "error_times_x"]
    assert len(table) == 5  # the default: the first five rows
    np.testing.assert_allclose(table["x"], sliced.x[:5])
    assert table["y"].dtype == np.int64 and table["y"].tolist() == sliced.y[:5].astype(int).tolist()
    np.testing.assert_allclose(table["y_hat"], p[:5])
    np.testing.assert_allclose(table["error"], (p - sliced.y)[:5])
    np.testing.assert_allclose(table["error_times_x"], ((p - sliced.y) * sliced.x)[:5])
    assert len(lesson.gradient_step(sliced, 0.7, n_rows=2).table) == 2
    # the default learning rate is 1: one whole gradient
    assert step.learning_rate == 1.0 and step.weight == 0.7
    assert step.next_weight == pytest.approx(0.7 - step.gradient)
    assert step.loss == pytest.approx(sk_log_loss(sliced.y, p))
    p_next = 1 / (1 + np.exp(-(step.next_weight * sliced.x + sliced.intercept)))
    assert step.next_loss == pytest.approx(sk_log_loss(sliced.y, p_next))


@pytest.mark.parametrize("weight", [-30.0, 0.0, 2.5, 400.0])
def test_gradient_step_slope_check_matches_the_gradient_at_any_weight(sliced, weight):
    step = lesson.gradient_step(sliced, weight)
    assert step.slope_check == pytest.approx(step.gradient, rel=1e-5, abs=1e-9)


# --- descent path ------------------------------------------------------------------------------


def test_descent_path_edges(sliced):
    start = lesson.descent_path(sliced, learning_rate=0.5, epochs=0)
    assert start["epoch"].tolist() == [0] and start["weight"].tolist() == [0.0]
    for bad in (math.inf, math.nan, -0.1):
        with pytest.raises(DataError, match="learning rate"):
            lesson.descent_path(sliced, learning_rate=bad, epochs=3)


# --- logits stability (what the page shows by default) -----------------------------------


def test_the_default_stability_table_shows_what_the_page_says():
    table = lesson.logits_stability()
    z = table["z"].to_numpy()
    # both sides of 0, in order: each confident logit next to its mirror image
    assert np.all(np.diff(z) > 0) and 0.0 in z
    np.testing.assert_array_equal(z, -z[::-1])
    row = table.set_index("z").loc[40.0]  # the caption's example
    assert row["p"] == 1.0 and np.isnan(row["naive_y1"]) and np.isinf(row["naive_y0"])
    assert row["stable_y0"] == pytest.approx(40.0)
    assert (table["p"] == 0.0).any() and (table["p"] == 1.0).any()  # probabilities that round away
    sane = table[np.abs(table["z"]) <= 20]  # where the naive formula still works, the two agree
    assert len(sane) >= 3
    np.testing.assert_allclose(sane["naive_y1"], sane["stable_y1"], rtol=1e-6)
    np.testing.assert_allclose(sane["naive_y0"], sane["stable_y0"], rtol=1e-6)


# --- baseline --------------------------------------------------------------------------------------


def test_baseline_log_loss_of_a_one_class_training_set_is_large_but_finite():
    loss = lesson.baseline_log_loss([0, 0, 0, 0], [1, 0])
    assert math.isfinite(loss) and loss > 10  # the base rate 0 clipped, not log(0)
    assert loss == pytest.approx(-math.log(1e-12) / 2, rel=1e-6)
    mirrored = lesson.baseline_log_loss([1, 1, 1, 1], [0, 1])  # the other class only: the same
    assert math.isfinite(mirrored) and mirrored == pytest.approx(loss, rel=1e-3)


# --- score_predictions ---------------------------------------------------------------------------


def test_score_predictions_accepts_probabilities_of_exactly_0_and_1():
    # typed in as floats and whole numbers: the result is still int labels and float probabilities
    scored = lesson.score_predictions(pd.DataFrame({"y": [1.0, 0.0, 1.0, 0.0], "y_hat": [1, 0, 0, 1]}))
    assert scored["y"].dtype == np.int64 and scored["y_hat"].dtype == np.float64
    assert scored["loss"].iloc[0] == pytest.approx(0.0, abs=1e-12)
    assert scored["loss"].iloc[1] == pytest.approx(0.0, abs=1e-12)
    assert scored["loss"].iloc[2] > 30 and scored["loss"].iloc[3] > 30  # confident and wrong


def test_score_predictions_names_every_bad_row_and_every_missing_column():
    with pytest.raises(DataError, match=r"row 1, 3\b"):
        lesson.score_predictions(pd.DataFrame({"y": [2, 0, -1], "y_hat": [0.5, 0.5, 0.5]}))
    with pytest.raises(DataError, match=r"row 2, 3\)"):
        lesson.score_predictions(pd.DataFrame({"y": [1, 0, 1], "y_hat": [0.5, -0.01, 1.01]}))
    with pytest.raises(DataError, match="missing: y, y_hat"):
        lesson.score_predictions(pd.DataFrame({"label": [1]}))
    # a row with only its label filled in is not empty: it is named, not dropped
    with pytest.raises(DataError, match=r"row 2\)"):
        lesson.score_predictions(pd.DataFrame({"y": [1, 0], "y_hat": [0.4, None]}))


def test_the_lessons_deliberate_infinities_and_constant_columns_raise_no_warnings():
    # the page shows inf and nan on purpose; they must not spill RuntimeWarnings into the log
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lesson.logits_stability()
        X = np.column_stack([np.full(4, 3.0), [1.0, -1.0, 2.0, 0.0]])
        assert lesson.most_informative_feature(X, [1, 0, 1, 0], ["constant", "x"]) == "x"
