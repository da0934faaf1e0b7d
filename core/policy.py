"""The chosen decision as code to deploy: one portable SQL statement and one Python file.

A threshold session ends with a rule someone must run in production. This module turns the
rule into two self-contained exports that give the decisions the app shows, row for row:

* :func:`policy_sql`: one ``SELECT`` over a table ``cases`` with the original columns, giving
  every column then ``score`` and ``decision``, for DuckDB, PostgreSQL, SQLite ≥ 3.35 and the
  big warehouses (the caveats are in a comment at its top). The score is computed in a derived
  table, ``SELECT *, … AS score FROM cases``, which the decision reads: SQL has no variables,
  and the decision would otherwise repeat the whole model.
* :func:`policy_python`: a file with ``score(row) -> float`` and ``decide(row) -> int`` that
  imports nothing but ``math``; ``row`` maps column names to values, ``None`` for missing.

Both are rendered from a :class:`Policy`: plain data read off the fitted model once
(:func:`model_policy`) or naming the user's own score column (:func:`scores_policy`). In
*Train a model* mode the policy redoes the app's preprocessing (``core.features``) exactly:

* numeric column: a missing, NaN or infinite value becomes the training median, and a column
  that had gaps in training also feeds its "is missing" indicator; then ``(x - mean) /
  scale`` (the ``StandardScaler``), indicator included; a true/false column counts True as 1;
* categorical column: the value is compared as trimmed text (Python's ``str.strip``
  whitespace, the same as pandas'); missing or blank becomes the most frequent training
  value; each training value weighs its one-hot column's coefficient (rare levels share the
  "(rare levels)" column's), an unseen value weighs 0 (all-zeros one-hot);
* ``z = intercept + Σ weight · feature``; ``score = 1 / (1 + exp(-z))``, computed without
  overflow or underflow (PostgreSQL's EXP raises on either); the decision is the app's rule,
  ``score ≥ threshold`` ⇒ flag.

Decisions: 1 = flag, 0 = do not flag, and with a review band ``(low, high)`` (see
``core.review``) 2 = send to a person: a score ≥ ``high`` is flagged, one in ``[low, high)``
reviewed, one below ``low`` cleared (the band's ``high`` takes the threshold's place).

User strings (column names, category values, the data's name) only ever enter the code as
quoted data: SQL identifiers in double quotes and strings in single quotes (each doubled
inside), Python values through ``repr``, comments through ``repr`` too (so no line break
can end a comment early).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import numpy as np
import pandas as pd

from core.costs import CostMatrix
from core.errors import DataError

__all__ = [
    "CategoryInput",
    "NumericInput",
    "Policy",
    "model_policy",
    "scores_policy",
    "policy_sql",
    "policy_python",
    "saved_review_band",
    "WHITESPACE",
]

WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
              "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
"""The characters ``str.strip()`` removes (and pandas' ``.str.strip()``, which the app uses)."""

_MAX_FLOAT = repr(float(np.finfo(np.float64).max))  # |x| above it is infinite (or NaN in PostgreSQL/DuckDB)


# ---------------------------------------------------------------------------------------
# The policy as plain data


@dataclass(frozen=True)
class NumericInput:
    """One numeric input column and what it adds to the logit.

    ``fill`` replaces a missing (or NaN, or infinite) value; the column then contributes
    ``weight * (x - mean) / scale``. ``missing`` is ``(mean, scale, weight)`` of its
    "is missing" indicator (1 for a missing value, else 0), or None when training had no gaps.
    ``boolean``: a true/false column (True counts as 1).
    """

    column: str
    fill: float
    mean: float
    scale: float
    weight: float
    missing: tuple[float, float, float] | None = None
    boolean: bool = False


@dataclass(frozen=True)
class CategoryInput:
    """One categorical input column: each training value's weight in the logit.

    ``fill`` (the most frequent training value) replaces a missing or blank value;
    ``weights`` maps every training value (trimmed text) to the coefficient of its one-hot
    column, and a value not in it weighs 0. ``rare`` lists the values grouped into the
    "(rare levels)" column. ``boolean``: the values were True/False (a yes/no column with gaps).
    """

    column: str
    fill: str
    weights: dict[str, float]
    rare: frozenset[str] = frozenset()
    boolean: bool = False


@dataclass(frozen=True)
class Policy:
    """A decision rule ready to export.

    Either a trained model (``numeric``, ``categorical``, ``intercept``) or, with
    ``score_column``, the user's own scores. ``review_band`` is ``(low, high)`` or None.
    ``score_name``/``decision_name`` are the output columns' names in SQL. The rest describes
    where the rule came from, for the exports' headers.
    """

    threshold: float
    review_band: tuple[float, float] | None = None
    intercept: float = 0.0
    numeric: tuple[NumericInput, ...] = ()
    categorical: tuple[CategoryInput, ...] = ()
    score_column: str | None = None
    dataset: str = ""
    target: str = ""
    positive_class: str = ""
    costs: CostMatrix | None = None
    created: str = field(default_factory=lambda: datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    score_name: str = "score"
    decision_name: str = "decision"

    @property
    def columns(self) -> list[str]:
        """The input columns the policy reads."""
        if self.score_column is not None:
            return [self.score_column]
        return [n.column for n in self.numeric] + [c.column for c in self.categorical]

    def decision(self, score: float) -> int | None:
        """The decision for one score (None when there is none to decide on)."""
        if not math.isfinite(score):
            return None
        if self.review_band is not None:
            low, high = self.review_band
            return 1 if score >= high else 2 if score >= low else 0
        return 1 if score >= self.threshold else 0


def _finite(value: Any, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DataError(f"The {what} must be a number, got {value!r}.") from None
    if not math.isfinite(number):
        raise DataError(f"The {what} must be a finite number, got {value!r}.")
    return number


def _check_rule(threshold: Any, review_band: Any) -> tuple[float, tuple[float, float] | None]:
    threshold = _finite(threshold, "decision threshold")
    if review_band is None:
        return threshold, None
    try:
        low, high = review_band
    except (TypeError, ValueError):
        raise DataError(f"A review band is two numbers (low, high), got {review_band!r}.") from None
    low, high = _finite(low, "lower review threshold"), _finite(high, "upper review threshold")
    if low > high:
        raise DataError(f"The lower review threshold ({low:g}) must not be above the upper one ({high:g}).")
    return threshold, (low, high)


def _free_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name_2``, ``name_3``… if the table has it. Case-insensitive: DuckDB and
    SQLite treat ``Score`` and ``score`` as the same column."""
    candidate, k = name, 1
    while candidate.casefold() in taken:
        k += 1
        candidate = f"{name}_{k}"
    return candidate


def _output_names(table_columns) -> tuple[str, str]:
    taken = {str(c).casefold() for c in table_columns}
    score = _free_name("score", taken)
    taken.add(score.casefold())
    return score, _free_name("decision", taken)


def _header_fields(dataset, target, positive_class, costs) -> dict:
    if costs is not None and not isinstance(costs, CostMatrix):
        raise DataError("costs must be a CostMatrix.")
    return {"dataset": str(dataset), "target": str(target), "positive_class": str(positive_class), "costs": costs}


def scores_policy(score_column: str, *, threshold: float, review_band: tuple[float, float] | None = None,
                  table_columns=(), dataset: str = "", target: str = "", positive_class: Any = "",
                  costs: CostMatrix | None = None) -> Policy:
    """The rule for *Use my scores*: the score is the column ``score_column`` as it is.

    A row without a finite score gets no decision (NULL in SQL; ``decide`` raises), as in the
    app's scored CSV. ``table_columns``: the table's columns, so the output names do not
    clash with them.
    """
    threshold, band = _check_rule(threshold, review_band)
    score_name, decision_name = _output_names(table_columns)
    return Policy(threshold=threshold, review_band=band, score_column=str(score_column), score_name=score_name,
                  decision_name=decision_name, **_header_fields(dataset, target, positive_class, costs))


def _step(pipeline, name: str):
    try:
        return pipeline.named_steps[name]
    except (AttributeError, KeyError):
        raise DataError(f"This model's preprocessing has no '{name}' step, so it cannot be exported as a "
                        "decision policy. Train it again on the Train page.") from None


def _numeric_inputs(pipeline, columns: list[str], weights: np.ndarray, table: pd.DataFrame | None):
    """The numeric block's inputs and how many design-matrix columns it fills."""
    imputer, scaler = _step(pipeline, "impute"), _step(pipeline, "scale")
    d = len(columns)
    indicators = [int(j) for j in imputer.indicator_features_]
    width = d + len(indicators)
    mean = np.zeros(width) if getattr(scaler, "mean_", None) is None else np.asarray(scaler.mean_, dtype=float)
    scale = np.ones(width) if getattr(scaler, "scale_", None) is None else np.asarray(scaler.scale_, dtype=float)
    if mean.shape != (width,) or scale.shape != (width,):
        raise DataError("This model's numeric preprocessing does not match its columns; train it again.")
    indicator_at = {j: d + k for k, j in enumerate(indicators)}
    inputs = []
    for j, column in enumerate(columns):
        missing = None
        if j in indicator_at:
            i = indicator_at[j]
            missing = (float(mean[i]), float(scale[i]), float(weights[i]))
        boolean = table is not None and column in table and pd.api.types.is_bool_dtype(table[column].dtype)
        inputs.append(NumericInput(column=str(column), fill=float(imputer.statistics_[j]), mean=float(mean[j]),
                                   scale=float(scale[j]), weight=float(weights[j]), missing=missing,
                                   boolean=bool(boolean)))
    return inputs, width


def _one_hot_columns(encoder, n_levels: list[int], j: int) -> np.ndarray:
    """For categorical feature ``j``, the one-hot output column each of its codes lights.

    Read off the fitted encoder by encoding every code once (the other features at code 0)
    and subtracting the encoding of an unknown code (-1, all zeros for feature ``j``): what
    remains is exactly feature ``j``'s one-hot column, whatever the rare-level grouping did.
    """
    codes = np.zeros((n_levels[j] + 1, len(n_levels)), dtype=np.int64)
    codes[:-1, j] = np.arange(n_levels[j])
    codes[-1, j] = -1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "unknown categories encoded as all zeros": on purpose
        encoded = np.asarray(encoder.transform(codes), dtype=float)
    lit = encoded[:-1] - encoded[-1]
    if not (np.isin(lit, (0.0, 1.0)).all() and (lit.sum(axis=1) == 1).all()):
        raise DataError("This model's one-hot coding cannot be exported as a decision policy; train it again.")
    return lit.argmax(axis=1)


def _category_inputs(pipeline, columns: list[str], weights: np.ndarray, table: pd.DataFrame | None):
    coder, encoder = _step(pipeline, "code"), _step(pipeline, "one_hot")
    n_levels = [len(c) for c in coder.categories_]
    inputs = []
    for j, column in enumerate(columns):
        output = _one_hot_columns(encoder, n_levels, j)
        levels = [str(v) for v in coder.categories_[j]]
        level_weights = {level: float(weights[k]) for level, k in zip(levels, output)}
        infrequent = getattr(encoder, "infrequent_categories_", [None] * len(columns))[j]
        rare = frozenset(levels[int(code)] for code in ([] if infrequent is None else infrequent))
        boolean = False
        if table is not None and column in table:
            present = table[column].dropna()
            boolean = len(present) > 0 and bool(present.map(lambda v: isinstance(v, (bool, np.bool_))).all())
        inputs.append(CategoryInput(column=str(column), fill=str(coder.statistics_[j]), weights=level_weights,
                                    rare=rare, boolean=boolean))
    return inputs


def model_policy(model: Any, prepared: Any, *, threshold: float, review_band: tuple[float, float] | None = None,
                 table: pd.DataFrame | None = None, dataset: str = "", target: str = "", positive_class: Any = "",
                 costs: CostMatrix | None = None) -> Policy:
    """The rule for a trained model: ``prepared.preprocessor`` (fitted, see
    ``core.features.build_preprocessor``) and ``model.coef_``/``intercept_``, at ``threshold``.

    ``table``: the loaded table (optional). Its dtypes tell the SQL which columns are
    true/false, and its column names keep the output names from clashing.
    Raises ``DataError`` when the model or its preprocessing is not the app's kind.
    """
    threshold, band = _check_rule(threshold, review_band)
    coef = getattr(model, "coef_", None)
    intercept = getattr(model, "intercept_", None)
    preprocessor = getattr(prepared, "preprocessor", None)
    if coef is None or intercept is None or not hasattr(preprocessor, "transformers_"):
        raise DataError("Train a model first: there is no fitted model to export as a decision policy.")
    weights = np.asarray(coef, dtype=float).ravel()
    blocks = []  # (kind, pipeline, columns, how many features it makes)
    for kind, pipeline, columns in preprocessor.transformers_:
        columns = [str(c) for c in columns]
        if kind == "remainder" or not columns or isinstance(pipeline, str):
            if isinstance(pipeline, str) and pipeline != "drop" and columns:
                raise DataError("This model passes columns through unprocessed; it cannot be exported.")
            continue
        if kind == "numeric":
            width = len(columns) + len(_step(pipeline, "impute").indicator_features_)
        elif kind == "categorical":
            width = len(pipeline.get_feature_names_out(columns))
        else:
            raise DataError(f"This model's preprocessing has an unknown block {kind!r}; it cannot be exported.")
        blocks.append((kind, pipeline, columns, width))
    # Counted before any block reads its coefficients: too few would otherwise be an IndexError.
    features = sum(width for *_, width in blocks)
    if features != weights.size:
        raise DataError(f"The model has {weights.size} coefficients but its preprocessing makes {features} "
                        "features; train it again.")
    numeric, categorical, offset = [], [], 0
    for kind, pipeline, columns, width in blocks:
        if kind == "numeric":
            numeric += _numeric_inputs(pipeline, columns, weights[offset:], table)[0]
        else:
            categorical += _category_inputs(pipeline, columns, weights[offset:], table)
        offset += width
    if not np.isfinite(weights).all() or not math.isfinite(float(np.ravel(intercept)[0])):
        raise DataError("The model's coefficients are not finite numbers (training diverged). Train it again "
                        "with a smaller learning rate.")
    score_name, decision_name = _output_names([] if table is None else table.columns)
    return Policy(threshold=threshold, review_band=band, intercept=float(np.ravel(intercept)[0]),
                  numeric=tuple(numeric), categorical=tuple(categorical), score_name=score_name,
                  decision_name=decision_name, **_header_fields(dataset, target, positive_class, costs))


def saved_review_band(scenario: dict, sweep: Any) -> tuple[float, float] | None:
    """The review band ``(low, high)`` a saved scenario decided with, or None if it had none.

    A scenario stores its band's limits as ``review_low``/``review_high`` when it has them;
    older records store only the share reviewed (``review_rate``) and the review cost. The
    Threshold page's band is ``core.review.recommend_review_band`` under a review capacity,
    and the best band under that capacity is also the best one under its own share (every band
    that fits the tighter limit fitted the looser one), so the band is found again from the
    scenario's sweep (``sweep``: the scenario's scores with its costs).
    """
    low, high = scenario.get("review_low"), scenario.get("review_high")
    if low is not None and high is not None:
        return float(low), float(high)
    rate, cost = scenario.get("review_rate"), scenario.get("review_cost")
    if rate is None or cost is None or getattr(sweep, "costs", None) is None:
        return None
    from core.review import recommend_review_band

    outcome = recommend_review_band(sweep, float(cost), min(max(float(rate), 0.0), 1.0))
    return float(outcome.low), float(outcome.high)


# ---------------------------------------------------------------------------------------
# Header text shared by both exports


def _describe_costs(costs: CostMatrix | None) -> str:
    if costs is None:
        return "not given"
    parts = [f"false positive {costs.format(costs.fp_cost)}", f"false negative {costs.format(costs.fn_cost)}",
             f"true positive value {costs.format(costs.tp_value)}",
             f"true negative value {costs.format(costs.tn_value)}"]
    pct = [(label, getattr(costs, f)) for label, f in (("FP", "fp_pct"), ("FN", "fn_pct"), ("TP", "tp_pct"),
                                                       ("TN", "tn_pct")) if getattr(costs, f, 0)]
    if pct:
        parts.append("plus " + ", ".join(f"{label} {value:g}% of the amount" for label, value in pct))
    return ", ".join(parts)


def _rule_lines(policy: Policy) -> list[str]:
    if policy.review_band is None:
        return [f"Decision: 1 (flag) when score >= {policy.threshold!r}, else 0 (do not flag)."]
    low, high = policy.review_band
    return [f"Decision: 1 (flag) when score >= {high!r}; 2 (manual review) when {low!r} <= score < {high!r};",
            "0 (do not flag) below. The review band replaces the single threshold "
            f"({policy.threshold!r}) it was chosen beside."]


def _header_lines(policy: Policy, language: str) -> list[str]:
    """Plain-words header; every user string goes through repr (no line break survives)."""
    source = (f"Scores: the column {policy.score_column!r}, as it is (Use my scores)." if policy.score_column
              else f"Model: logistic regression on {len(policy.columns)} input column(s), with the app's "
                   "preprocessing (imputation, scaling, one-hot coding) built in.")
    return [
        f"Decision policy exported by Cutoff ({language}).",
        f"Data: {policy.dataset!r}",
        f"Target: {policy.target!r}; positive class: {policy.positive_class!r}",
        source,
        f"Threshold: {policy.threshold!r}" + ("" if policy.review_band is None else
                                             f"; review band [{policy.review_band[0]!r}, {policy.review_band[1]!r})"),
        *_rule_lines(policy),
        f"Costs: {repr(_describe_costs(policy.costs))[1:-1]}",
        f"Made: {policy.created}",
        "Re-validate before relying on it if the data drift (new kinds of cases, changed definitions,",
        "a different share of positives): the threshold was chosen on the data above.",
    ]


# ---------------------------------------------------------------------------------------
# SQL


def _ident(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _text(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _num(value: float) -> str:
    """A float literal every dialect reads as a float, to full precision: repr (shortest
    round-trip) with an exponent, so DuckDB does not make it a DECIMAL; negatives in
    parentheses, so ``x - -1`` never becomes a ``--`` comment."""
    value = float(value)
    if not math.isfinite(value):
        raise DataError(f"Cannot write {value!r} as an SQL number.")
    text = repr(value)
    if "e" not in text:
        text += "e0"
    return f"({text})" if text.startswith("-") else text


def _sql_missing(x: str) -> str:
    return f"{x} IS NULL OR ABS({x}) > {_MAX_FLOAT}"


def _sql_numeric(term: NumericInput, indent: str) -> list[str]:
    x = _ident(term.column)
    if term.boolean:
        value = f"CASE WHEN {x} IS NULL THEN {_num(term.fill)} WHEN {x} THEN 1e0 ELSE 0e0 END"
        flag = f"CASE WHEN {x} IS NULL THEN 1e0 ELSE 0e0 END"
    else:
        value = f"CASE WHEN {_sql_missing(x)} THEN {_num(term.fill)} ELSE {x} END"
        flag = f"CASE WHEN {_sql_missing(x)} THEN 1e0 ELSE 0e0 END"
    kind = "true/false, TRUE = 1" if term.boolean else "number"
    lines = [f"{indent}-- {term.column!r} ({kind}): missing -> {term.fill!r}, then (x - mean) / scale",
             f"{indent}+ {_num(term.weight)} * (({value}) - {_num(term.mean)}) / {_num(term.scale)}"]
    if term.missing is not None:
        mean, scale, weight = term.missing
        lines += [f"{indent}-- {term.column!r} is missing",
                  f"{indent}+ {_num(weight)} * (({flag}) - {_num(mean)}) / {_num(scale)}"]
    return lines


def _sql_category(term: CategoryInput, indent: str) -> list[str]:
    x = _ident(term.column)
    fill_weight = term.weights.get(term.fill, 0.0)
    head = (f"{indent}-- {term.column!r} (categories): missing or blank -> {term.fill!r}; a value not listed adds 0"
            + ("" if term.boolean else "; values are trimmed of the whitespace quoted in LTRIM/RTRIM (spaces, "
               "tab, line breaks, Unicode spaces)"))
    if term.boolean:
        return [head, f"{indent}+ CASE WHEN {x} IS NULL THEN {_num(fill_weight)} "
                      f"WHEN {x} THEN {_num(term.weights.get('True', 0.0))} "
                      f"ELSE {_num(term.weights.get('False', 0.0))} END"]
    ws = _text(WHITESPACE)
    value = f"COALESCE(NULLIF(LTRIM(RTRIM({x}, {ws}), {ws}), ''), {_text(term.fill)})"
    lines = [head, f"{indent}+ CASE {value}"]
    for level, weight in term.weights.items():
        note = "  -- rare level" if level in term.rare else ""
        lines.append(f"{indent}    WHEN {_text(level)} THEN {_num(weight)}{note}")
    lines.append(f"{indent}    ELSE 0e0")
    lines.append(f"{indent}  END")
    return lines


_SQL_CAVEATS = [
    "Runs as written on DuckDB, PostgreSQL and SQLite >= 3.35 (built with its math functions, as",
    "the official builds are): one SELECT over a table or view named cases with the original",
    "columns. Rename cases to your table. Other databases:",
    "- BigQuery and Spark SQL quote names with backticks, not double quotes; BigQuery strings",
    "  cannot span lines (the whitespace list in LTRIM/RTRIM holds line breaks): use a raw",
    "  triple-quoted string there.",
    "- Snowflake, BigQuery, MySQL and Spark read backslashes in '...' as escapes: double any",
    "  backslash inside quoted values. MySQL also needs ANSI_QUOTES for the double quotes.",
    "- Text comparisons must be exact (case- and accent-sensitive, binary collation): SQL Server",
    "  and MySQL compare case-insensitively by default.",
    "- Types as in the data the model was trained on: numbers numeric, categories text, true/",
    "  false columns BOOLEAN. Cast in a view if your table stores them otherwise.",
    "- A NaN in a numeric column counts as missing where NaN sorts above all numbers",
    "  (PostgreSQL, DuckDB); SQLite stores NaN as NULL, which is the same.",
]


def policy_sql(policy: Policy) -> str:
    """The policy as one SQL ``SELECT``: every column of ``cases`` plus score and decision.

    ``decision`` is 1 (flag), 0 (do not flag), 2 (manual review; with a review band) or
    NULL (no score: only in *Use my scores*, for a missing or non-finite score).
    """
    header = [f"-- {line}" for line in _header_lines(policy, "SQL")] + ["--"] + [f"-- {line}" for line in _SQL_CAVEATS]
    score, decision = _ident(policy.score_name), _ident(policy.decision_name)
    if policy.score_column is not None:
        s = _ident(policy.score_column)
        scored = [f"  SELECT *, {s} AS {score}", "  FROM cases"]
        no_score = [f"    WHEN {_sql_missing(score)} THEN NULL"]
    else:
        z = ["      " + _num(policy.intercept) + "  -- intercept"]
        for term in policy.numeric:
            z += _sql_numeric(term, "      ")
        for term in policy.categorical:
            z += _sql_category(term, "      ")
        logit = "\n".join(["(", *z, "    )"])
        # The logistic link 1 / (1 + EXP(-z)) is exact to rounding wherever EXP neither
        # overflows nor underflows (PostgreSQL raises on both); beyond, the limits it tends to.
        # Plain SQL has no variables, so the logit z is written out in each place it is used.
        scored = [
            "  SELECT *,",
            "    CASE",
            f"      WHEN {logit} BETWEEN -709e0 AND 745e0",
            f"        THEN 1e0 / (1e0 + EXP(-{logit}))",
            f"      WHEN {logit} > 0e0 THEN 1e0",
            f"      WHEN {logit} > -745e0 THEN EXP({logit})",
            "      ELSE 0e0",
            f"    END AS {score}",
            "  FROM cases",
        ]
        no_score = []
    if policy.review_band is None:
        rule = [f"    WHEN {score} >= {_num(policy.threshold)} THEN 1", "    ELSE 0"]
    else:
        low, high = policy.review_band
        rule = [f"    WHEN {score} >= {_num(high)} THEN 1", f"    WHEN {score} >= {_num(low)} THEN 2", "    ELSE 0"]
    lines = [*header, "SELECT *,", "  CASE", *no_score, *rule, f"  END AS {decision}", "FROM (", *scored,
             ") AS scored;", ""]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# Python


_PY_RUNTIME = '''
_TRUE = ("1", "true", "True", "TRUE")
_FALSE = ("0", "false", "False", "FALSE")


def _value(row, column):
    try:
        return row[column]
    except KeyError:
        raise KeyError(f"the row has no column {column!r} (pass None for a missing value)") from None


def _number(column, value, boolean=False):
    """A numeric input as the app reads it: None, NaN, +-inf and blank text are missing;
    True is 1; text is read as a number ("3.5"); a true/false column also reads "true"/"false"."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if boolean and text in _TRUE + _FALSE:
            return 1.0 if text in _TRUE else 0.0
        try:
            value = float(value)  # not the stripped text: float() and the app both refuse "0\\x1f"
        except ValueError:
            raise ValueError(f"{column!r} must be a number, got {value!r}") from None
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


def _category(value, boolean=False):
    """A categorical input as the app compares it: trimmed text; None, NaN and blank are
    missing; a true/false column also reads "true"/"false" and 1/0 as True/False."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    if boolean and text in _TRUE + _FALSE:
        return "True" if text in _TRUE else "False"
    return text or None


def _logistic(z):
    """1 / (1 + exp(-z)) without overflow."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)
'''

_PY_MODEL_SCORE = '''

def score(row: dict) -> float:
    """P(positive) for one case: ``row`` maps each input column to its value (None if missing)."""
    z = INTERCEPT
    for column, boolean, fill, mean, scale, weight, missing in NUMERIC:
        x = _number(column, _value(row, column), boolean)
        z += weight * ((fill if x is None else x) - mean) / scale
        if missing is not None:
            m_mean, m_scale, m_weight = missing
            z += m_weight * ((1.0 if x is None else 0.0) - m_mean) / m_scale
    for column, boolean, fill, weights in CATEGORICAL:
        value = _category(_value(row, column), boolean)
        z += weights.get(fill if value is None else value, 0.0)
    return _logistic(z)
'''

_PY_SCORES_SCORE = '''

def score(row: dict) -> float:
    """The case's score: the value of SCORE_COLUMN as a number (NaN when missing or not a number)."""
    value = _value(row, SCORE_COLUMN)
    if value is None or isinstance(value, bool):
        return math.nan
    try:
        return float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        return math.nan
'''

_PY_DECIDE = '''

def decide(row: dict) -> int:
    """1 = flag, 0 = do not flag, 2 = send to manual review (only with a review band)."""
    s = score(row)
    if not math.isfinite(s):
        raise ValueError(f"no decision without a finite score (got {s!r})")
    if REVIEW_BAND is not None:
        low, high = REVIEW_BAND
        return 1 if s >= high else 2 if s >= low else 0
    return 1 if s >= THRESHOLD else 0
'''


def _py_float(value: float) -> str:
    return repr(float(value))


def policy_python(policy: Policy) -> str:
    """The policy as the text of one Python file that imports only ``math``: ``score(row)``
    (the app's score) and ``decide(row)`` (1 flag, 0 do not flag, 2 manual review)."""
    lines = [f"# {line}" for line in _header_lines(policy, "Python")]
    lines += [
        "#",
        "# Use: decide(row) with row a dict from column name to value, None for a missing value.",
        "# Values may be numbers, True/False or text as read from a CSV file.",
        '"""Decision policy exported by Cutoff: score(row) and decide(row). Only the standard library."""',
        "",
        "import math",
        "",
        f"THRESHOLD = {_py_float(policy.threshold)}",
        "REVIEW_BAND = " + ("None" if policy.review_band is None
                            else f"({_py_float(policy.review_band[0])}, {_py_float(policy.review_band[1])})"),
    ]
    if policy.score_column is not None:
        lines.append(f"SCORE_COLUMN = {policy.score_column!r}")
        body = _PY_SCORES_SCORE
    else:
        lines += [
            f"INTERCEPT = {_py_float(policy.intercept)}",
            "# (column, true/false column, value for a missing one, mean, scale, weight,",
            "#  (mean, scale, weight) of its 'is missing' indicator or None)",
            "NUMERIC = (",
        ]
        for t in policy.numeric:
            missing = "None" if t.missing is None else "(" + ", ".join(map(_py_float, t.missing)) + ")"
            lines.append(f"    ({t.column!r}, {t.boolean!r}, {_py_float(t.fill)}, {_py_float(t.mean)}, "
                         f"{_py_float(t.scale)}, {_py_float(t.weight)}, {missing}),")
        lines += [")", "# (column, true/false column, value for a missing one, {value: weight});",
                  "# a value not listed weighs 0", "CATEGORICAL = ("]
        for t in policy.categorical:
            lines.append(f"    ({t.column!r}, {t.boolean!r}, {t.fill!r}, {{")
            for level, weight in t.weights.items():
                note = "  # rare level" if level in t.rare else ""
                lines.append(f"        {level!r}: {_py_float(weight)},{note}")
            lines.append("    }),")
        lines.append(")")
        body = _PY_MODEL_SCORE
    return "\n".join(lines) + "\n" + _PY_RUNTIME + body + _PY_DECIDE
