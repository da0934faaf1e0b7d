"""core.policy at its edges: the decision exactly at a limit, the output names when the table
already uses them, the saved review band from incomplete or odd records, the header's money,
and models the policy must refuse.

The round trips through DuckDB, SQLite and the exported file are in ``test_policy.py``; here
each check is small and direct, so a wrong limit or a dropped default is seen at once.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from core.costs import CostMatrix
from core.data import describe_data
from core.errors import DataError
from core.features import prepare_features
from core.model import LogisticRegressionGD
from core.policy import CategoryInput, Policy, model_policy, policy_python, policy_sql, saved_review_band, scores_policy
from core.review import recommend_review_band
from core.thresholds import threshold_sweep


def _header(text: str, mark: str) -> str:
    return "\n".join(line for line in text.splitlines() if line.startswith(mark))


# ---------------------------------------------------------------------------------------
# the decision rule itself


def test_the_decision_at_the_threshold_and_the_band_limits_exactly():
    single = Policy(threshold=0.4)
    assert [single.decision(s) for s in (0.4, math.nextafter(0.4, 0), 0.9, 0.0)] == [1, 0, 1, 0]
    banded = Policy(threshold=0.5, review_band=(0.3, 0.6))
    assert [banded.decision(s) for s in (0.6, math.nextafter(0.6, 0), 0.3, math.nextafter(0.3, 0))] == [1, 2, 2, 0]
    # The band's high takes the threshold's place: 0.55 is above the threshold but reviewed.
    assert banded.decision(0.55) == 2
    for policy in (single, banded):
        assert policy.decision(float("nan")) is None and policy.decision(float("inf")) is None
        assert policy.decision(float("-inf")) is None


def test_a_band_whose_limits_are_equal_is_accepted_and_reviews_nobody():
    policy = scores_policy("s", threshold=0.45, review_band=(0.45, 0.45))
    assert policy.review_band == (0.45, 0.45)
    assert [policy.decision(s) for s in (0.45, 0.44, 0.46)] == [1, 0, 1]


@pytest.mark.parametrize("band", [(None, 0.5), (0.2, "high"), (0.2, float("inf"))])
def test_a_band_limit_that_is_not_a_finite_number_is_named(band):
    with pytest.raises(DataError, match="review threshold"):
        scores_policy("s", threshold=0.5, review_band=band)


@pytest.mark.parametrize("threshold", [None, "half", float("inf")])
def test_a_threshold_that_is_not_a_finite_number_is_refused(threshold):
    with pytest.raises(DataError, match="decision threshold must be a"):
        scores_policy("s", threshold=threshold)


def test_a_band_that_is_not_two_numbers_is_refused():
    for band in (0.5, (0.1, 0.2, 0.3), "ab c"):
        with pytest.raises(DataError, match="two numbers"):
            scores_policy("s", threshold=0.5, review_band=band)


# ---------------------------------------------------------------------------------------
# output names


def test_output_names_step_past_every_name_the_table_uses_whatever_its_case():
    policy = scores_policy("risk", threshold=0.5, table_columns=["Score", "SCORE_2", "decision", "risk"])
    assert (policy.score_name, policy.decision_name) == ("score_3", "decision_2")
    # A table with a column named like the chosen score name: decision must not take it.
    policy = scores_policy("risk", threshold=0.5, table_columns=["score", "DECISION", "decision_2"])
    assert (policy.score_name, policy.decision_name) == ("score_2", "decision_3")
    assert (scores_policy("risk", threshold=0.5).score_name, scores_policy("risk", threshold=0.5).decision_name) \
        == ("score", "decision")


def test_the_sql_names_its_output_columns_as_the_policy_says():
    table = pd.DataFrame({"risk": [0.1, 0.7], "score": ["a", "b"], "decision": ["c", "d"]})
    policy = scores_policy("risk", threshold=0.5, table_columns=table.columns)
    sql = policy_sql(policy)
    assert 'AS "score_2"' in sql and 'AS "decision_2"' in sql


# ---------------------------------------------------------------------------------------
# the review band a saved scenario decided with


@pytest.fixture(scope="module")
def sweep():
    rng = np.random.default_rng(21)
    y = rng.random(1500) < 0.3
    scores = np.clip(0.3 * y + rng.normal(0.35, 0.2, y.size), 0, 1)
    return threshold_sweep(y.astype(int), scores, costs=CostMatrix(100, 500))


def test_a_record_with_only_one_band_limit_finds_the_band_again(sweep):
    outcome = recommend_review_band(sweep, 10.0, 0.1)
    for partial in ({"review_low": 0.2}, {"review_high": 0.4}, {"review_low": 0.2, "review_high": None}):
        record = {**partial, "review_rate": outcome.review_rate, "review_cost": 10.0}
        assert saved_review_band(record, sweep) == (outcome.low, outcome.high)


def test_a_record_missing_the_rate_or_the_cost_has_no_band(sweep):
    assert saved_review_band({"review_rate": 0.1}, sweep) is None
    assert saved_review_band({"review_cost": 10.0}, sweep) is None
    assert saved_review_band({"review_rate": 0.1, "review_cost": None}, sweep) is None
    assert saved_review_band({"review_rate": None, "review_cost": 10.0}, sweep) is None
    assert saved_review_band({}, sweep) is None


def test_without_costs_or_a_sweep_there_is_no_band_to_find(sweep):
    record = {"review_rate": 0.1, "review_cost": 10.0}
    no_costs = threshold_sweep(np.array([0, 1, 0, 1]), np.array([0.1, 0.4, 0.6, 0.9]))
    assert no_costs.costs is None
    assert saved_review_band(record, no_costs) is None
    assert saved_review_band(record, None) is None


def test_a_saved_rate_outside_0_to_1_is_read_as_the_nearest_limit(sweep):
    whole = recommend_review_band(sweep, 10.0, 1.0)
    none = recommend_review_band(sweep, 10.0, 0.0)
    assert (whole.low, whole.high) != (none.low, none.high)  # the two limits give different bands here
    assert saved_review_band({"review_rate": 1.5, "review_cost": 10.0}, sweep) == (whole.low, whole.high)
    assert saved_review_band({"review_rate": 1.0, "review_cost": 10.0}, sweep) == (whole.low, whole.high)
    assert saved_review_band({"review_rate": -0.2, "review_cost": 10.0}, sweep) == (none.low, none.high)
    assert saved_review_band({"review_rate": 0.0, "review_cost": 10.0}, sweep) == (none.low, none.high)


def test_saved_limits_come_back_as_floats(sweep):
    band = saved_review_band({"review_low": 1, "review_high": np.float32(0.5)}, sweep)
    assert band == (1.0, 0.5) and all(type(v) is float for v in band)
    outcome = recommend_review_band(sweep, 10.0, 0.1)
    found = saved_review_band({"review_rate": "0.1", "review_cost": "10"}, sweep)
    assert found == (outcome.low, outcome.high) and all(type(v) is float for v in found)


# ---------------------------------------------------------------------------------------
# headers: the setting, in plain words


def test_the_header_states_every_cost_and_every_per_case_share():
    costs = CostMatrix(120, 480, 7, 3, "€", fp_pct=1.5, fn_pct=40, tp_pct=2, tn_pct=0.25)
    policy = scores_policy("risk", threshold=0.3, costs=costs)
    for text, mark in ((policy_sql(policy), "--"), (policy_python(policy), "#")):
        head = _header(text, mark)
        for fact in ("false positive €120", "false negative €480", "true positive value €7",
                     "true negative value €3", "FP 1.5% of the amount", "FN 40% of the amount",
                     "TP 2% of the amount", "TN 0.25% of the amount"):
            assert fact in head, (fact, mark)


def test_the_header_leaves_out_shares_that_are_zero_and_says_when_costs_are_missing():
    costs = CostMatrix(100, 500, fn_pct=30)
    head = _header(policy_python(scores_policy("risk", threshold=0.3, costs=costs)), "#")
    assert "FN 30% of the amount" in head
    assert "FP 0" not in head and "TP 0" not in head and "TN 0" not in head
    head = _header(policy_python(scores_policy("risk", threshold=0.3)), "#")
    assert "Costs: not given" in head


def test_a_policy_without_a_named_source_invents_none():
    for policy in (scores_policy("risk", threshold=0.3), Policy(threshold=0.3)):
        assert (policy.dataset, policy.target, policy.positive_class, policy.costs) == ("", "", "", None)
        head = _header(policy_python(policy), "#")
        assert "Data: ''" in head and "Target: ''; positive class: ''" in head


def test_costs_that_are_not_a_cost_matrix_are_refused():
    with pytest.raises(DataError, match="CostMatrix"):
        scores_policy("risk", threshold=0.3, costs={"fp": 1, "fn": 2})


def test_the_header_says_which_rule_decides():
    single = _header(policy_python(scores_policy("risk", threshold=0.25)), "#")
    assert "Decision: 1 (flag) when score >= 0.25, else 0" in single and "review band" not in single
    banded = _header(policy_sql(scores_policy("risk", threshold=0.25, review_band=(0.1, 0.4))), "--")
    assert "score >= 0.4" in banded and "0.1 <= score < 0.4" in banded and "(0.25)" in banded


# ---------------------------------------------------------------------------------------
# models the policy refuses


@pytest.fixture(scope="module")
def trained():
    rng = np.random.default_rng(4)
    n = 300
    df = pd.DataFrame({"x": rng.normal(size=n), "colour": rng.choice(["red", "blue", "green"], n),
                       "y": rng.choice(["yes", "no"], n)})
    report = describe_data(df, "y", "yes")
    prepared = prepare_features(df, report)
    model = LogisticRegressionGD(solver="lbfgs", max_epochs=30).fit(prepared.X_train, prepared.y_train)
    return df, prepared, model


class _Model:
    def __init__(self, coef, intercept):
        self.coef_, self.intercept_ = np.asarray(coef, dtype=float), np.asarray(intercept, dtype=float)


def test_a_trained_models_policy_carries_its_intercept_and_columns(trained):
    df, prepared, model = trained
    policy = model_policy(model, prepared, threshold=0.5, table=df)
    assert policy.intercept == float(model.intercept_[0]) and type(policy.intercept) is float
    assert policy.columns == ["x", "colour"] and policy.score_column is None
    bare = model_policy(model, prepared, threshold=0.5)
    assert (bare.dataset, bare.target, bare.positive_class, bare.costs, bare.review_band) == ("", "", "", None, None)
    assert (bare.score_name, bare.decision_name) == ("score", "decision")


def test_coefficients_that_are_not_finite_are_refused(trained):
    _, prepared, model = trained
    bad = model.coef_.copy()
    bad[0, 0] = np.nan
    with pytest.raises(DataError, match="not finite"):
        model_policy(_Model(bad, model.intercept_), prepared, threshold=0.5)
    with pytest.raises(DataError, match="not finite"):
        model_policy(_Model(model.coef_, [np.inf]), prepared, threshold=0.5)


def test_more_coefficients_than_features_are_refused(trained):
    _, prepared, model = trained
    with pytest.raises(DataError, match=f"{model.coef_.size + 1} coefficients but its preprocessing makes "
                                        f"{model.coef_.size} features"):
        model_policy(_Model(np.hstack([model.coef_, [[0.5]]]), model.intercept_), prepared, threshold=0.5)


def test_fewer_coefficients_than_features_are_refused(trained):
    _, prepared, model = trained
    with pytest.raises(DataError, match="coefficients"):
        model_policy(_Model(model.coef_[:, :-1], model.intercept_), prepared, threshold=0.5)


def test_without_a_fitted_model_or_preprocessing_there_is_nothing_to_export(trained):
    _, prepared, model = trained
    for m, p in ((_Model(model.coef_, model.intercept_), object()), (object(), prepared)):
        with pytest.raises(DataError, match="Train a model first"):
            model_policy(m, p, threshold=0.5)


# ---------------------------------------------------------------------------------------
# the SQL's literals, notes and defaults, against the Python file


def _python_namespace(policy: Policy) -> dict:
    namespace: dict = {}
    exec(compile(policy_python(policy), "<policy>", "exec"), namespace)  # noqa: S102 - the exported file
    return namespace


def _duckdb_scores(policy: Policy, table: pd.DataFrame) -> list[float]:
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    try:
        con.register("source", table)
        con.execute("CREATE TABLE cases AS SELECT * FROM source")
        return [float(v) for v in con.execute(policy_sql(policy)).df()[policy.score_name]]
    finally:
        con.close()


def _logistic(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


@pytest.mark.parametrize("weights, fill", [({"True": 0.8}, "True"), ({"False": -0.6}, "False"),
                                           ({"False": -0.6}, "True")])
def test_a_true_false_value_without_a_weight_adds_nothing_in_sql_as_in_python(weights, fill):
    # A yes/no column that held only one of its values in training (or a hand-made policy whose
    # fill value is not listed): a value without a weight adds 0 to the logit in both exports.
    term = CategoryInput(column="b", fill=fill, weights=weights, boolean=True)
    policy = Policy(threshold=0.5, intercept=0.25, categorical=(term,))
    values = [True, False, None]
    table = pd.DataFrame({"b": pd.array(values, dtype="boolean")})
    expected = [_logistic(0.25 + weights.get(fill if v is None else str(v), 0.0)) for v in values]
    python = _python_namespace(policy)
    assert [python["score"]({"b": v}) for v in values] == pytest.approx(expected, rel=1e-12)
    assert _duckdb_scores(policy, table) == pytest.approx(expected, rel=1e-12)


def test_rare_levels_and_only_they_are_marked_in_both_exports():
    term = CategoryInput(column="c", fill="a", weights={"a": 0.5, "b": -0.25, "d": 0.125},
                         rare=frozenset({"b", "d"}))
    policy = Policy(threshold=0.5, categorical=(term,))
    for text, literal in ((policy_sql(policy), "WHEN '{}' THEN"), (policy_python(policy), "'{}': ")):
        marked = {level: "rare level" in next(line for line in text.splitlines() if literal.format(level) in line)
                  for level in ("a", "b", "d")}
        assert marked == {"a": False, "b": True, "d": True}


def test_a_number_sql_cannot_hold_is_refused_in_words():
    for value in (float("inf"), float("-inf"), float("nan")):
        with pytest.raises(DataError, match="as an SQL number"):
            policy_sql(Policy(threshold=value))


def test_each_export_names_its_language_in_its_first_line():
    policy = scores_policy("risk", threshold=0.3)
    assert policy_sql(policy).splitlines()[0] == "-- Decision policy exported by Cutoff (SQL)."
    assert policy_python(policy).splitlines()[0] == "# Decision policy exported by Cutoff (Python)."


def test_a_numeric_block_without_scaling_is_exported_with_mean_0_and_scale_1(trained):
    # A numeric pipeline whose scaler is left out ("passthrough") has no mean_/scale_: the
    # policy uses each value as it is (mean 0, scale 1) and still scores as the model does.
    import copy

    df, prepared, model = trained
    prepared = copy.deepcopy(prepared)
    for kind, pipeline, _ in prepared.preprocessor.transformers_:
        if kind == "numeric":
            pipeline.steps = [(name, "passthrough" if name == "scale" else step) for name, step in pipeline.steps]
    policy = model_policy(model, prepared, threshold=0.5, table=df)
    assert [(t.mean, t.scale) for t in policy.numeric] == [(0.0, 1.0)] * len(policy.numeric)
    rows = df[policy.columns].head(20)
    design = prepared.preprocessor.transform(rows)
    expected = [_logistic(float(model.intercept_[0]) + float(design[i] @ model.coef_.ravel())) for i in range(len(rows))]
    python = _python_namespace(policy)
    got = [python["score"]({c: (None if pd.isna(v) else v) for c, v in row.items()})
           for row in rows.to_dict("records")]
    assert got == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("attribute", ["mean_", "scale_"])
def test_a_scaler_whose_mean_or_scale_does_not_fit_the_columns_is_refused(trained, attribute):
    import copy

    df, prepared, model = trained
    prepared = copy.deepcopy(prepared)
    for kind, pipeline, _ in prepared.preprocessor.transformers_:
        if kind == "numeric":
            scaler = pipeline.named_steps["scale"]
            setattr(scaler, attribute, np.append(getattr(scaler, attribute), 1.0))  # one more than the columns
    with pytest.raises(DataError, match="does not match its columns"):
        model_policy(model, prepared, threshold=0.5, table=df)


class _StandInEncoder:
    """Encodes feature 0's codes with a fixed table (the row for code -1 last), as a fitted
    one-hot step is asked to by ``_one_hot_columns``."""

    def __init__(self, rows):
        self.rows = np.asarray(rows, dtype=float)

    def transform(self, codes):
        return np.stack([self.rows[code] for code in codes[:, 0]])


@pytest.mark.parametrize("rows", [
    [[1, 1, 0], [0, 0, 1], [0, 0, 0]],          # code 0 lights two columns (only 0s and 1s)
    [[0.5, 0.5, 0], [0, 0, 1], [0, 0, 0]],      # code 0's row sums to 1 with other values
    [[1, 0, 0], [0, 0, 0], [0, 0, 0]],          # code 1 lights no column
])
def test_a_coding_that_is_not_one_hot_is_refused_in_words(rows):
    from core.policy import _one_hot_columns
    with pytest.raises(DataError, match="one-hot coding cannot be exported"):
        _one_hot_columns(_StandInEncoder(rows), [2], 0)


def test_a_one_hot_coding_gives_the_column_each_code_lights():
    from core.policy import _one_hot_columns
    # code 0 lights column 2, code 1 column 0; the unknown code's row is subtracted first
    columns = _one_hot_columns(_StandInEncoder([[0, 0, 1, 1], [1, 0, 0, 1], [0, 0, 0, 1]]), [2], 0)
    assert columns.tolist() == [2, 0]


# ---------------------------------------------------------------------------------------
# a trained model's policy: what it carries from the call and from the preprocessing


def test_a_trained_models_policy_keeps_its_review_band(trained):
    df, prepared, model = trained
    policy = model_policy(model, prepared, threshold=0.5, review_band=(0.3, 0.6), table=df)
    assert policy.review_band == (0.3, 0.6)
    python = _python_namespace(policy)
    assert python["REVIEW_BAND"] == (0.3, 0.6)
    # Each of the three outcomes, for scores the exported file computes itself.
    rows = [{c: (None if pd.isna(v) else v) for c, v in row.items()} for row in df[policy.columns].to_dict("records")]
    for row in rows[:40]:
        s = python["score"](row)
        assert python["decide"](row) == (1 if s >= 0.6 else 2 if s >= 0.3 else 0)
    assert "review band [0.3, 0.6)" in _header(policy_sql(policy), "--")


def test_a_trained_models_policy_carries_the_costs_and_steps_past_the_tables_names(trained):
    df, prepared, model = trained
    costs = CostMatrix(100, 500, currency="€")
    table = df.assign(Score=0.0, decision="x")
    policy = model_policy(model, prepared, threshold=0.5, table=table, dataset="loans.csv", target="y",
                          positive_class="yes", costs=costs)
    assert policy.costs == costs
    assert (policy.score_name, policy.decision_name) == ("score_2", "decision_2")
    head = _header(policy_python(policy), "#")
    assert "false positive €100" in head and "false negative €500" in head
    assert "Data: 'loans.csv'" in head
    sql = policy_sql(policy)
    assert 'AS "score_2"' in sql and 'AS "decision_2"' in sql


class _CoefficientsOnly:
    def __init__(self, coef):
        self.coef_ = coef


class _InterceptOnly:
    def __init__(self, intercept):
        self.intercept_ = intercept


def test_a_model_missing_its_coefficients_or_its_intercept_is_not_a_fitted_model(trained):
    _, prepared, model = trained
    for m in (_CoefficientsOnly(model.coef_), _InterceptOnly(model.intercept_)):
        with pytest.raises(DataError, match="Train a model first"):
            model_policy(m, prepared, threshold=0.5)


def test_coefficients_held_as_python_objects_are_read_as_numbers(trained):
    # An object array (say, coefficients restored from JSON): read as floats, the same policy.
    df, prepared, model = trained
    as_objects = _Model(model.coef_, model.intercept_)
    as_objects.coef_ = np.array([float(v) for v in model.coef_.ravel()], dtype=object).reshape(model.coef_.shape)
    expected = model_policy(model, prepared, threshold=0.5, table=df)
    got = model_policy(as_objects, prepared, threshold=0.5, table=df)
    assert (got.numeric, got.categorical, got.intercept) == (expected.numeric, expected.categorical, expected.intercept)


def test_the_refusal_of_diverged_coefficients_names_the_fix(trained):
    _, prepared, model = trained
    bad = model.coef_.copy()
    bad[0, -1] = np.inf
    with pytest.raises(DataError, match="smaller learning rate"):
        model_policy(_Model(bad, model.intercept_), prepared, threshold=0.5)


def test_a_preprocessing_without_an_imputation_step_is_refused_naming_the_step_and_the_page(trained):
    import copy

    _, prepared, model = trained
    prepared = copy.deepcopy(prepared)
    for kind, pipeline, _ in prepared.preprocessor.transformers_:
        if kind == "numeric":
            pipeline.steps = [("fill" if name == "impute" else name, step) for name, step in pipeline.steps]
    with pytest.raises(DataError, match=r"no 'impute' step(.|\n)*the Train page"):
        model_policy(model, prepared, threshold=0.5)


def test_an_unknown_preprocessing_block_is_refused_by_its_name(trained):
    import copy

    _, prepared, model = trained
    prepared = copy.deepcopy(prepared)
    prepared.preprocessor.transformers_ = [("mystery" if kind == "numeric" else kind, pipeline, columns)
                                           for kind, pipeline, columns in prepared.preprocessor.transformers_]
    with pytest.raises(DataError, match="unknown block 'mystery'"):
        model_policy(model, prepared, threshold=0.5)


def test_columns_the_preprocessing_drops_are_left_out_and_the_scores_match_the_model(trained):
    # A preprocessor fitted on a table with one more column than it uses (remainder="drop"):
    # the dropped column adds nothing, and the export scores as the model does.
    from types import SimpleNamespace

    from core.features import build_preprocessor

    df, prepared, model = trained
    fitted_on = df.iloc[prepared.idx_train][["x", "colour"]].assign(note=np.arange(len(prepared.idx_train)))
    preprocessor = build_preprocessor(["x"], ["colour"]).fit(fitted_on)
    assert [(kind, columns) for kind, pipeline, columns in preprocessor.transformers_
            if isinstance(pipeline, str)] == [("remainder", ["note"])]  # a "drop" block that has a column
    policy = model_policy(model, SimpleNamespace(preprocessor=preprocessor), threshold=0.5)
    assert policy.columns == ["x", "colour"]
    rows = df[["x", "colour"]].head(20)
    design = preprocessor.transform(rows.assign(note=0))
    expected = [_logistic(float(model.intercept_[0]) + float(design[i] @ model.coef_.ravel())) for i in range(len(rows))]
    python = _python_namespace(policy)
    assert [python["score"](row) for row in rows.to_dict("records")] == pytest.approx(expected, rel=1e-9)


# ---------------------------------------------------------------------------------------
# which categorical columns are true/false


def test_without_a_table_no_categorical_column_is_called_true_false(trained):
    _, prepared, model = trained
    policy = model_policy(model, prepared, threshold=0.5)
    assert [t.boolean for t in policy.categorical] == [False]
    assert policy.categorical[0].boolean is False
    assert "('colour', False, " in policy_python(policy)


def test_a_column_the_table_holds_no_values_of_is_not_true_false(trained):
    df, prepared, model = trained
    policy = model_policy(model, prepared, threshold=0.5, table=df.assign(colour=None))
    assert policy.categorical[0].boolean is False
    assert "LTRIM(RTRIM(\"colour\"" in policy_sql(policy)  # compared as trimmed text, not as a BOOLEAN


@pytest.fixture(scope="module")
def yes_no_model():
    rng = np.random.default_rng(6)
    n = 300
    flag = np.where(rng.random(n) < 0.5, True, False).astype(object)
    flag[rng.random(n) < 0.1] = None
    df = pd.DataFrame({"flag": flag, "x": rng.normal(size=n), "y": rng.choice(["yes", "no"], n)})
    report = describe_data(df, "y", "yes")
    prepared = prepare_features(df, report)
    model = LogisticRegressionGD(solver="lbfgs", max_epochs=30).fit(prepared.X_train, prepared.y_train)
    assert report.categorical == ["flag"]
    return df, prepared, model


def test_a_table_with_a_single_true_false_value_still_marks_the_column_true_false(yes_no_model):
    df, prepared, model = yes_no_model
    one_row = df[df["flag"].notna()].head(1)
    policy = model_policy(model, prepared, threshold=0.5, table=one_row)
    assert policy.categorical[0].boolean is True
    sql = policy_sql(policy)
    assert 'WHEN "flag" THEN' in sql and 'RTRIM("flag"' not in sql  # compared as a BOOLEAN column


def test_an_encoder_without_rare_level_records_has_no_rare_levels():
    # A one-hot step that does not record infrequent categories (scikit-learn before 1.1, or a
    # stand-in): every level has its own weight and none is marked rare.
    from types import SimpleNamespace

    from core.policy import _category_inputs

    coder = SimpleNamespace(categories_=[np.array(["a", "b"], dtype=object)], statistics_=np.array(["a"], dtype=object))
    encoder = _StandInEncoder([[1, 0], [0, 1], [0, 0]])
    assert not hasattr(encoder, "infrequent_categories_")
    pipeline = SimpleNamespace(named_steps={"code": coder, "one_hot": encoder})
    (term,) = _category_inputs(pipeline, ["c"], np.array([0.5, -0.25]), None)
    assert term == CategoryInput(column="c", fill="a", weights={"a": 0.5, "b": -0.25}, rare=frozenset(), boolean=False)


# ---------------------------------------------------------------------------------------
# the header: where the scores come from, and the threshold as a number


def test_the_header_says_where_the_scores_come_from(trained):
    df, prepared, model = trained
    scores_head = _header(policy_python(scores_policy("risk", threshold=0.3)), "#")
    assert "# Scores: the column 'risk', as it is" in scores_head and "Model:" not in scores_head
    model_head = _header(policy_sql(model_policy(model, prepared, threshold=0.3, table=df)), "--")
    assert "-- Model: logistic regression on 2 input column(s)" in model_head and "Scores:" not in model_head


def test_the_header_gives_the_threshold_as_a_number_a_reader_can_copy():
    for threshold in (0.25, 0.7):
        head = _header(policy_python(scores_policy("risk", threshold=threshold)), "#").splitlines()
        (line,) = [line for line in head if line.startswith("# Threshold:")]
        assert float(line.removeprefix("# Threshold:")) == threshold
