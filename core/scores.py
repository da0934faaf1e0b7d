"""Bring your own scores: labels plus an existing model's scores, and the columns that go
with them (a count per row, an amount per case).

:func:`scores_from_column` is *Use my scores* mode's counterpart of
:func:`core.contract.describe_data`; :func:`case_counts` reads a score-count table's
``Count column`` (each row stands for that many cases); :func:`amount_values` reads an
``Amount column`` (money per case, or per row of a count table).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from core.contract import is_numeric
from core.errors import DataError
from core.target import binary_target

__all__ = ["ScoreData", "scores_from_column", "case_counts", "amount_values",
           "COUNT_COLUMN_NAMES"]

@dataclass
class ScoreData:
    """Labels and an existing model's scores, for *Use my scores* mode.

    ``y`` (0/1 int64) and ``scores`` (float64) cover the rows with a target (``row_mask``).
    ``is_probability`` is True when every score is within [0, 1]; otherwise scores are raw
    (any range; calibration views do not apply).
    """

    y: np.ndarray
    scores: np.ndarray
    is_probability: bool
    warnings: list[str]
    positive_class: Any = None
    negative_label: str = ""
    row_mask: np.ndarray | None = None
    n_missing_target: int = 0


def scores_from_column(df: pd.DataFrame, target: str, score_column: str,
                       positive_class: Any = None) -> ScoreData:
    """Labels from ``target`` and scores from ``score_column`` over rows with a target.

    Raises ``DataError`` if the score column is the target, is missing, or has non-numeric,
    missing or infinite scores (with counts).
    """
    if score_column not in df.columns:
        raise DataError(f"There is no column named '{score_column}'. Pick the score column from "
                        "the table's columns.")
    if score_column == target:
        raise DataError("The score column cannot be the target column. Pick the column with "
                        "your model's scores.")
    t = binary_target(df, target, positive_class)
    raw = df[score_column][t.row_mask]
    if pd.api.types.is_bool_dtype(raw.dtype):
        raise DataError(f"'{score_column}' holds true/false values, not scores. Pick the column "
                        "with your model's scores (numbers).")
    if is_numeric(raw):
        scores = raw.to_numpy(dtype="float64", na_value=np.nan)
        n_text, text_examples = 0, ""
    else:
        numbers = pd.to_numeric(raw.astype(str).str.strip().where(raw.notna()), errors="coerce")
        text = raw.notna() & numbers.isna()
        n_text = int(text.sum())
        text_examples = ", ".join(f"'{v}'" for v in pd.unique(raw[text])[:3])
        scores = numbers.to_numpy(dtype="float64", na_value=np.nan)
    n_missing = int(np.isnan(scores).sum()) - n_text
    n_inf = int(np.isinf(scores).sum())
    if n_text or n_missing or n_inf:
        parts = []
        if n_text:
            parts.append(f"{n_text:,} not numbers ({text_examples})")
        if n_missing:
            parts.append(f"{n_missing:,} missing")
        if n_inf:
            parts.append(f"{n_inf:,} infinite")
        raise DataError(f"'{score_column}' must hold a number for every row with a target, but "
                        f"{' and '.join(parts)} of {scores.size:,}. Fix those scores or pick "
                        "another column.")
    warnings = list(t.warnings)
    low, high = float(scores.min()), float(scores.max())
    is_probability = low >= 0.0 and high <= 1.0
    if not is_probability:
        warnings.append(f"Scores range from {low:.4g} to {high:.4g}, not 0 to 1: treated as raw "
                        "scores. The threshold slider spans their range and calibration views are "
                        "hidden.")
    if 0 < t.y.sum() < t.y.size:
        from sklearn.metrics import roc_auc_score

        auc = float(roc_auc_score(t.y, scores))
        if auc < 0.5:
            warnings.append(f"Higher scores go with {t.negative_label!r} more than with "
                            f"'{t.positive_class}' (ROC AUC {auc:.3f}). Check the positive class, "
                            "or whether the scores are inverted.")
    return ScoreData(t.y, scores, is_probability, warnings, t.positive_class, t.negative_label,
                     t.row_mask, t.n_missing_target)


COUNT_COLUMN_NAMES = ("count", "n", "rows", "weight")
"""Column names (trimmed, any case) that mark a score-count table's count per row."""


def case_counts(df: pd.DataFrame, column: str, row_mask: np.ndarray | None = None) -> np.ndarray:
    """The number of cases each row stands for, from ``column`` (over the rows of
    ``row_mask``, all rows when None): float64, >= 0.

    Counts are usually whole numbers (a score-count table from ``python -m core.summarise``),
    but any non-negative weight works (survey or sampling weights): the metrics then count
    weighted cases. Raises ``DataError`` when the column is missing, is not numeric, or has
    missing, infinite or negative values, or every weight is 0 (with counts and examples).
    """
    if column not in df.columns:
        raise DataError(f"There is no column named '{column}'. Pick the Count column from the "
                        "table's columns, or (none).")
    raw = df[column] if row_mask is None else df[column][np.asarray(row_mask, dtype=bool)]
    if pd.api.types.is_bool_dtype(raw.dtype) or not is_numeric(raw):
        examples = ", ".join(f"'{v}'" for v in pd.unique(raw.dropna())[:3])
        raise DataError(f"'{column}' must hold how many cases each row stands for (whole or "
                        f"non-negative numbers), but it holds {examples or 'no numbers'}. Pick "
                        "the count column, or (none).")
    counts = raw.to_numpy(dtype="float64", na_value=np.nan)
    problems = []
    n_missing = int(np.isnan(counts).sum())
    n_inf = int(np.isinf(counts).sum())
    negative = counts < 0
    if n_missing:
        problems.append(f"{n_missing:,} missing")
    if n_inf:
        problems.append(f"{n_inf:,} infinite")
    if negative.any():
        shown = ", ".join(f"{v:g}" for v in pd.unique(counts[negative])[:3])
        problems.append(f"{int(negative.sum()):,} negative ({shown})")
    if problems:
        raise DataError(f"'{column}' must hold how many cases each row stands for (whole or "
                        f"non-negative numbers), but {' and '.join(problems)} of "
                        f"{counts.size:,}. Fix those rows or pick another Count column.")
    if counts.size and not counts.any():
        raise DataError(f"Every value of '{column}' is 0, so the rows stand for no cases. Pick "
                        "the count column, or (none).")
    return counts


def amount_values(df: pd.DataFrame, column: str, row_mask: np.ndarray | None = None) -> np.ndarray:
    """The money amount of each row from ``column`` (over ``row_mask``'s rows): float64 with
    NaN where the cell is missing or infinite.

    Missing and negative amounts are passed on as they are: whether they are refused or
    counted as 0 is decided where the amounts are used (:mod:`core.analysis`), which says so
    in its own message. Raises ``DataError`` when the column is missing or not numeric.
    """
    if column not in df.columns:
        raise DataError(f"There is no column named '{column}'. Pick the Amount column from the "
                        "table's columns, or (none).")
    raw = df[column] if row_mask is None else df[column][np.asarray(row_mask, dtype=bool)]
    if pd.api.types.is_bool_dtype(raw.dtype) or not is_numeric(raw):
        raise DataError(f"'{column}' is not numeric, so it cannot be an amount of money. Pick a "
                        "column of numbers, or (none).")
    values = raw.to_numpy(dtype="float64", na_value=np.nan)
    return np.where(np.isinf(values), np.nan, values)
