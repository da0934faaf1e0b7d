"""Setup rules: the choices a newcomer gets on the Data page without touching a widget.

Which column is the target (:func:`guess_target`), which class is positive, which columns are
features (:func:`default_features`), which is the score in *Use my scores* mode
(:func:`default_score_column`), which counts cases in a score-count table
(:func:`default_count_column`), which holds an amount of money (:func:`default_amount_column`),
how a model is validated (:func:`default_validation`), and the whole default
(:func:`default_setup`). The page offers the options these functions list and preselects
their answers; the user can change every one.

A ``demo`` argument is a :class:`core.demos.Demo` (or None for an upload): a demo's presets win
when they apply. Plain functions of a DataFrame, so a notebook gets the same defaults the app
shows.

Validation rule (the Train page reads it): cross-validation below
:data:`CV_BELOW_ROWS` rows with a target, or whenever the smaller class is too small for the
hold-out split's stratified 60/20/20; the hold-out split above. Training needs at least
``core.contract.CV_MIN_ROWS`` (20) rows and ``CV_MIN_PER_CLASS`` (3) of each class; fewer, and
:func:`core.contract.describe_data` says how many more rows of which class are needed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from core.contract import (
    CV_MIN_PER_CLASS,
    CV_MIN_ROWS,
    DataReport,
    describe_data,
    distinct_counts,
    min_rows_for_split,
)
from core.errors import DataError
from core.scores import COUNT_COLUMN_NAMES
from core.target import default_positive_class as _core_positive_class
from core.target import target_classes

__all__ = [
    "MODE_TRAIN", "MODE_SCORES", "MODES", "MAX_TARGET_CLASSES", "CV_BELOW_ROWS",
    "target_options", "guess_target", "positive_class_for", "looks_like_model_output",
    "default_features", "numeric_columns", "score_column_options", "default_score_column",
    "count_column_options", "default_count_column", "amount_column_options",
    "default_amount_column", "compare_column_options", "segment_column_options",
    "default_validation", "validation_reason", "DefaultSetup", "default_setup",
    "too_small_to_train_note",
]

MODE_TRAIN = "Train a model"
MODE_SCORES = "Use my scores"
MODES = (MODE_TRAIN, MODE_SCORES)

MAX_TARGET_CLASSES = 20
"""A column with more distinct values than this is not offered as the target: a yes/no
outcome (or a handful of categories, one of which is "positive") is what Cutoff needs."""

CV_BELOW_ROWS = 5_000
"""Below this many rows with a target, :func:`default_validation` picks cross-validation."""

# Names that usually mark the outcome column of a table, in order of preference (exact).
_TARGET_NAMES = ("target", "label", "class", "outcome", "y", "default", "churn", "fraud", "response")
# Words inside a name that mark an outcome ("is_fraud", "defaulted", "churned", "has_disease").
_OUTCOME_WORDS = re.compile(
    r"(^|[^a-z])(target|label|class|outcome|default|churn|fraud|response|result|attrit|"
    r"diagnos|disease|malignan|survived|died|death|readmit|delinquen|approved|bad|spam|event|"
    r"converted|conversion|clicked|purchased|cancel|left|exited)", re.IGNORECASE)
_MODEL_OUTPUT_WORDS = ("score", "prob", "pred")


# ------------------------------------------------------------------------------ the target


def target_options(df: pd.DataFrame) -> list[str]:
    """Columns that can be the target: at most :data:`MAX_TARGET_CLASSES` distinct values."""
    counts = distinct_counts(df)  # whole blocks of columns at once: wide tables stay fast
    return [str(c) for c, n in zip(df.columns, counts.to_numpy()) if n <= MAX_TARGET_CLASSES]


def guess_target(df: pd.DataFrame, options: list[str] | None = None, demo: Any = None) -> str:
    """The column most likely to be the outcome, among ``options`` (default
    :func:`target_options`).

    In order: the demo's target; a column named exactly like an outcome (``target``,
    ``label``, ``default``, ... in that preference); else, among two-valued columns, one whose
    name contains an outcome word (``is_fraud``, ``churned``), then one that is the table's
    first or last column (where exports put the outcome), then a text column (yes/no) over a
    numeric one (0/1 flags are usually inputs), then the later column; else the last option. So a table whose outcome ``card`` (yes/no) comes first is not
    mistaken for its ``majorcards`` (0/1) input.
    """
    options = target_options(df) if options is None else list(options)
    if not options:
        raise DataError("No column in this table can be the target: every column has more than "
                        f"{MAX_TARGET_CLASSES} different values. Add a column with the outcome "
                        "(for example yes/no or 1/0).")
    if demo is not None and demo.target in options:
        return demo.target
    by_name = {name.strip().lower(): name for name in options}
    for name in _TARGET_NAMES:
        if name in by_name:
            return by_name[name]
    columns = [str(c) for c in df.columns]
    edges = {columns[0], columns[-1]}
    counts = distinct_counts(df[options])
    binary = [c for c, n in zip(options, counts.to_numpy()) if n == 2]
    if not binary:
        return options[-1]
    position = {name: i for i, name in enumerate(columns)}
    dtypes = df.dtypes

    def rank(column: str) -> tuple:
        named = bool(_OUTCOME_WORDS.search(column))
        text = not pd.api.types.is_numeric_dtype(dtypes[column])
        return (named, column in edges, text, position[column])

    return max(binary, key=rank)


def positive_class_for(classes: list, target: str, demo: Any = None) -> Any:
    """The demo's positive class when it applies, else
    :func:`core.target.default_positive_class`."""
    if demo is not None and target == demo.target and demo.positive_class in classes:
        return demo.positive_class
    return _core_positive_class(classes)


# ------------------------------------------------------------------------------ features


def looks_like_model_output(column: str) -> bool:
    """A column named like another model's score or prediction (``risk_score``, ``p_pred``)."""
    return any(word in str(column).lower() for word in _MODEL_OUTPUT_WORDS)


def default_features(report: DataReport, target: str, demo: Any = None) -> list[str]:
    """A demo's own feature list for its target, else every column ``report`` found usable
    except those named like another model's output: training on an existing model's score
    would copy that model (and any leak in it), so the user must add such a column on purpose."""
    if demo is not None and target == demo.target:
        return [c for c in demo.features if c in report.features]
    return [c for c in report.features if not looks_like_model_output(c)]


def numeric_columns(df: pd.DataFrame, exclude=()) -> list[str]:
    """Numeric columns (not true/false) in table order, except those in ``exclude``."""
    skip = {c for c in exclude if c is not None}
    numeric = pd.api.types.is_numeric_dtype
    # df.dtypes, not df[c]: selecting a column costs far more than reading its dtype, and
    # wide tables have 10,000 of them.
    return [str(c) for c, dtype in df.dtypes.items() if c not in skip and numeric(dtype)
            and not pd.api.types.is_bool_dtype(dtype)]


# ------------------------------------------------------------------------------ use my scores


def score_column_options(df: pd.DataFrame, target: str) -> list[str]:
    """Numeric columns other than the target: the candidates for *Use my scores*."""
    return numeric_columns(df, exclude=(target,))


def default_score_column(df: pd.DataFrame, target: str, demo: Any = None) -> str | None:
    """The demo's score column, else a numeric column named like a score, else the first
    numeric column that is not a count; None when there is no numeric column."""
    options = score_column_options(df, target)
    if not options:
        return None
    if demo is not None and demo.score_column in options:
        return demo.score_column
    for name in options:
        if looks_like_model_output(name):
            return name
    counts = set(_named_like_count(options))
    return next((name for name in options if name not in counts), options[0])


def _named_like_count(columns: list[str]) -> list[str]:
    return [c for c in columns if c.strip().lower() in COUNT_COLUMN_NAMES]


def count_column_options(df: pd.DataFrame, target: str, score_column: str | None) -> list[str]:
    """Numeric columns that could count cases per row (not the target, not the score)."""
    return numeric_columns(df, exclude=(target, score_column))


def default_count_column(df: pd.DataFrame, target: str, score_column: str | None) -> str | None:
    """A column named ``count``, ``n``, ``rows`` or ``weight`` (any case), else None: a
    score-count table (``python -m core.summarise``) names its counts ``count``."""
    named = _named_like_count(count_column_options(df, target, score_column))
    return named[0] if named else None


def amount_column_options(df: pd.DataFrame, target: str) -> list[str]:
    """Numeric columns that could hold each case's amount of money (a feature may be one)."""
    return numeric_columns(df, exclude=(target,))


def default_amount_column(df: pd.DataFrame, target: str, demo: Any = None) -> str | None:
    """The demo's amount column (loan size, transaction amount), else None: for an upload the
    user says which column is money."""
    amount = getattr(demo, "amount_column", None)
    return amount if amount in amount_column_options(df, target) else None


def compare_column_options(df: pd.DataFrame, target: str, *, score_column: str | None = None,
                           count_column: str | None = None) -> list[str]:
    """Numeric columns that could be another model's scores to set beside the main ones."""
    return numeric_columns(df, exclude=(target, score_column, count_column))


def segment_column_options(df: pd.DataFrame, target: str, *, count_column: str | None = None) -> list[str]:
    """Every column except the target (and the count): any column can split the rows into
    groups (numeric ones are cut into bins by :func:`core.segments.segment_labels`)."""
    return [str(c) for c in df.columns if c not in (target, count_column)]


# ------------------------------------------------------------------------------ validation


def default_validation(n_rows: int, n_pos: int, n_neg: int) -> str:
    """"cv" (cross-validation) or "holdout" (a 60/20/20 split) for a table with ``n_rows``
    rows with a target, ``n_pos`` positive and ``n_neg`` negative.

    Cross-validation below :data:`CV_BELOW_ROWS` rows, or when the smaller class has too few
    rows for every part of the stratified split; the hold-out split above, where it is fast
    and its 20% validation rows are plenty.
    """
    _, per_class = min_rows_for_split()
    if n_rows < CV_BELOW_ROWS or min(n_pos, n_neg) < per_class:
        return "cv"
    return "holdout"


def validation_reason(n_rows: int, n_pos: int, n_neg: int) -> str:
    """One sentence saying why :func:`default_validation` chose what it chose."""
    choice = default_validation(n_rows, n_pos, n_neg)
    if choice == "holdout":
        return (f"With {n_rows:,} rows a hold-out split is fast and leaves "
                f"{round(0.2 * n_rows):,} validation rows to choose the threshold on.")
    if n_rows >= CV_BELOW_ROWS:
        return (f"Only {min(n_pos, n_neg):,} rows are in the smaller class, too few to split three "
                "ways, so every row is scored once by a model that never saw it "
                "(cross-validation).")
    return (f"With {n_rows:,} rows a 20% validation split would hold only "
            f"{round(0.2 * n_rows):,} rows, so every row is scored once by a model that never saw "
            "it (cross-validation) and the threshold is chosen on all of them.")


# ------------------------------------------------------------------------------ the default


@dataclass
class DefaultSetup:
    """What :func:`default_setup` chose; ``report`` is the data contract for it."""

    mode: str
    target: str
    positive_class: Any
    feature_columns: list[str] = field(default_factory=list)
    score_column: str | None = None
    count_column: str | None = None
    amount_column: str | None = None
    report: DataReport | None = None


MAX_TARGETS_TRIED = 5  # candidate target columns default_setup tries before giving up


def default_setup(df: pd.DataFrame, *, options: list[str] | None = None, demo: Any = None,
                  describe: Callable[..., DataReport] | None = None,
                  classes: Callable[[str], list] | None = None) -> DefaultSetup:
    """The setup a newcomer gets without touching a widget.

    *Train a model* on the best-guess target, else on the other candidate columns (two-valued
    ones first; at most ``MAX_TARGETS_TRIED`` columns in all, since each costs a description of
    the table and a wide table would keep a newcomer waiting); when no candidate has enough rows
    to train (see the module docstring) but
    the table has a numeric column, *Use my scores* on it. Raises the first DataError when no
    column makes a usable target.

    ``describe(target, positive_class, require_split=...)`` and ``classes(target)`` default
    to :func:`core.contract.describe_data` and :func:`core.target.target_classes` on ``df``
    (with the demo's score column excluded from the features); the app passes cached
    versions.
    """
    exclude = (demo.score_column,) if demo is not None else ()
    if describe is None:
        def describe(target, positive, require_split=True):
            return describe_data(df, target, positive, exclude=exclude,
                                 require_split=require_split, validation="auto")
    if classes is None:
        def classes(target):
            return target_classes(df, target)
    options = target_options(df) if options is None else list(options)
    first = guess_target(df, options, demo)
    others = [c for c in options if c != first]
    two_valued = dict(zip(others, distinct_counts(df[others]).to_numpy() == 2))
    others.sort(key=lambda c: not two_valued[c])  # yes/no columns next
    first_error: DataError | None = None
    fallback: DefaultSetup | None = None
    for target in [first, *others][:MAX_TARGETS_TRIED]:
        try:
            positive = positive_class_for(classes(target), target, demo)
        except DataError as error:
            first_error = first_error or error
            continue
        amount = default_amount_column(df, target, demo)
        score = default_score_column(df, target, demo)
        count = default_count_column(df, target, score)
        if count is not None and score is not None and looks_like_model_output(score):
            # A score-count table (python -m core.summarise): its rows are cells of cases,
            # not cases to learn from, so it opens in Use my scores mode.
            try:
                report = describe(target, positive, require_split=False)
                return DefaultSetup(MODE_SCORES, target, positive, score_column=score,
                                    count_column=count, amount_column=amount, report=report)
            except DataError as error:
                first_error = first_error or error
                continue
        try:
            report = describe(target, positive)
            return DefaultSetup(MODE_TRAIN, target, positive,
                                feature_columns=default_features(report, target, demo),
                                amount_column=amount, report=report)
        except DataError as error:
            first_error = first_error or error
        if fallback is None and score is not None:
            try:
                report = describe(target, positive, require_split=False)
            except DataError:
                continue
            fallback = DefaultSetup(MODE_SCORES, target, positive, score_column=score,
                                    count_column=count,
                                    amount_column=amount, report=report)
    if fallback is not None:
        return fallback
    assert first_error is not None
    raise first_error


def too_small_to_train_note(score_column: str) -> str:
    """What a newcomer reads when :func:`default_setup` fell back to *Use my scores*."""
    return (f"This table is too small to train and check a model (training needs at least "
            f"{CV_MIN_ROWS} rows and {CV_MIN_PER_CLASS} of each class), so Mode is set to "
            f"'{MODE_SCORES}' with '{score_column}' as the score. If that column is not a "
            "model's score, pick the right Score column below, or upload more rows to train a "
            "model.")
