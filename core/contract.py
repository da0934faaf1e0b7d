"""The data contract: for one target, which rows are kept and what each column is for.

:func:`describe_data` checks a table for binary classification and returns a
:class:`DataReport`: the 0/1 ``y`` over the kept rows, the class balance, each column's role
(numeric, categorical or dropped, with the reason) and warnings such as a feature that leaks
the answer. It also checks that there are enough rows to train, for the validation scheme
asked (a hold-out split, or cross-validation for small tables: see :func:`training_minimum`).

Conventions: ``y`` is a 0/1 ``int64`` array over the kept rows (target present), 1 = the
positive class; ``row_mask`` is a boolean array over all rows of the table marking those rows.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from core.errors import DataError
from core.target import BinaryTarget, binary_target, list_values, same_class

__all__ = ["describe_data", "DataReport", "ColumnReport", "min_rows_for_split",
           "training_minimum", "CV_MIN_ROWS", "CV_MIN_PER_CLASS", "FREE_TEXT_DISTINCT",
           "LEAKAGE_AUC", "MAX_ABS_VALUE", "VALIDATIONS", "column_aucs", "is_numeric",
           "numeric_values", "one_column_error", "distinct_counts"]

FREE_TEXT_DISTINCT = 100
"""A text column with more distinct values than this is free text, not a category."""

LEAKAGE_AUC = 0.99
"""A single feature whose ROC AUC (either direction) reaches this is flagged as leakage."""

MAX_ABS_VALUE = 1e150  # beyond this, squaring for the scaler overflows float64

_ID_NAME = re.compile(r"(^|[\s_.\-])(id|uuid|guid|key|index|idx)$|^(id|uuid|guid|index)[\s_.\-]|"
                      r"^unnamed: \d+$", re.IGNORECASE)
_LEAKAGE_SAMPLE = 50_000  # AUC near 1 is estimated to about +-0.001 from this many rows


@dataclass
class ColumnReport:
    """One column of the table and what the model does with it.

    ``role`` is "numeric", "categorical", "dropped" or "target"; ``reason`` says why a column
    is dropped (None otherwise); ``n_missing`` and ``n_distinct`` count over all rows.
    """

    name: str
    dtype: str
    role: str
    reason: str | None
    n_missing: int
    n_distinct: int


@dataclass
class DataReport:
    """The data contract for one target: what is kept, what is dropped and why.

    ``y`` (0/1 int64, 1 = ``positive_class``) covers the rows where ``row_mask`` is True
    (target present). ``class_balance`` has one row per class of the target (the positive
    class first; in one-vs-rest every other class is listed too, all counting as negative).
    ``numeric`` and ``categorical`` are the feature columns in table order; ``dropped`` maps
    every other non-target column to its reason.
    """

    n_rows: int
    n_columns: int
    target: str
    positive_class: Any
    negative_label: str
    one_vs_rest: bool
    y: np.ndarray
    row_mask: np.ndarray
    n_missing_target: int
    class_balance: pd.DataFrame
    columns: list[ColumnReport]
    numeric: list[str]
    categorical: list[str]
    dropped: dict[str, str]
    warnings: list[str]
    leakage: list[str]
    classes: list = field(default_factory=list)  # every class of the target, sorted

    @property
    def features(self) -> list[str]:
        """Numeric then categorical feature columns: what the preprocessor consumes."""
        return self.numeric + self.categorical

    def columns_frame(self) -> pd.DataFrame:
        """One row per column: column, type, role, reason, missing, distinct."""
        return pd.DataFrame(
            {"column": [c.name for c in self.columns],
             "type": [c.dtype for c in self.columns],
             "role": [c.role for c in self.columns],
             "reason": [c.reason or "" for c in self.columns],
             "missing": [c.n_missing for c in self.columns],
             "distinct": [c.n_distinct for c in self.columns]})


def min_rows_for_split(sizes: Sequence[float] = (0.6, 0.2, 0.2)) -> tuple[int, int]:
    """(rows, rows of each class) needed so every split gets >= 10 rows and >= 2 of each class."""
    smallest = min(sizes)
    return (math.ceil(10 / smallest - 1e-9), math.ceil(2 / smallest - 1e-9))


CV_MIN_ROWS = 20
"""Fewest rows with a target that train with cross-validation."""

CV_MIN_PER_CLASS = 3
"""Fewest rows of each class that train with cross-validation: every one of (at least) 3
stratified folds then holds a case of each class, so each fold's held-out scores rank both."""

VALIDATIONS = ("holdout", "cv")
"""The validation schemes: a stratified train/validation/test split, or k-fold cross-validation."""


def training_minimum(validation: str = "holdout",
                     sizes: Sequence[float] = (0.6, 0.2, 0.2)) -> tuple[int, int]:
    """(rows, rows of each class) a table needs to train with ``validation``.

    "holdout": :func:`min_rows_for_split` of ``sizes`` (50 rows and 10 of each class for
    60/20/20). "cv": :data:`CV_MIN_ROWS` rows and :data:`CV_MIN_PER_CLASS` of each class (use
    at most as many folds as the smaller class has rows).
    """
    if validation == "holdout":
        return min_rows_for_split(sizes)
    if validation == "cv":
        return CV_MIN_ROWS, CV_MIN_PER_CLASS
    raise ValueError(f"validation must be one of {VALIDATIONS}, got {validation!r}")


def describe_data(df: pd.DataFrame, target: str, positive_class: Any = None,
                  feature_columns: Iterable[str] | None = None, *,
                  exclude: Iterable[str] = (), require_split: bool = True,
                  sizes: Sequence[float] = (0.6, 0.2, 0.2),
                  validation: str | None = None) -> DataReport:
    """Check ``df`` for a binary classification on ``target`` and report every column's role.

    ``positive_class``: None picks :func:`default_positive_class` (two classes only); with
    three or more classes it selects one-vs-rest. ``feature_columns``: None uses every usable
    column; a list restricts the features to those (others are dropped as "not selected").
    ``exclude``: columns never used as features (e.g. a demo's score column). With
    ``require_split`` (Train mode) the kept rows must be enough to train with ``validation``:
    "holdout" (the default) a stratified split of ``sizes``, "cv" cross-validation (see
    :func:`training_minimum`), "auto" whichever :func:`core.setup.default_validation` picks
    for the table's class counts.

    Raises ``DataError`` when the target is missing, has one class, has three or more classes
    and no positive class, or has too few rows or rows of a class to train (saying how many
    more rows of which class are needed).
    """
    t = binary_target(df, target, positive_class)
    if (error := one_column_error(df)) is not None:
        raise error
    if df.columns.duplicated().any():
        repeated = list(dict.fromkeys(df.columns[df.columns.duplicated()]))
        raise DataError(f"Column names must be unique; repeated: {list_values(repeated)}. Rename "
                        "them and try again.")
    warnings = list(t.warnings)
    n_kept = int(t.y.size)
    n_pos = int(t.y.sum())
    if require_split:
        if validation == "auto":
            from core.setup import default_validation  # setup builds on the contract

            validation = default_validation(n_kept, n_pos, n_kept - n_pos)
        _check_training_rows(n_kept, n_pos, t, target, validation or "holdout", sizes)
    selected = None if feature_columns is None else list(feature_columns)
    if selected is not None:
        present = set(df.columns.tolist())
        unknown = [c for c in selected if c not in present]
        if unknown:
            raise DataError(f"No column named {list_values(unknown)}. Pick features from the "
                            "table's columns.")
    excluded = set(exclude)
    chosen = None if selected is None else set(selected)
    columns: list[ColumnReport] = []
    numeric: list[str] = []
    categorical: list[str] = []
    dropped: dict[str, str] = {}
    names, dtypes = df.columns.tolist(), df.dtypes.tolist()
    # Numbers (not true/false) are counted for all columns at once, in blocks: a wide table
    # (10,000 columns) would spend minutes selecting its columns one by one.
    stats = _numeric_stats(df, [name for name, dtype in zip(names, dtypes)
                                if _is_number_dtype(dtype)])
    type_names: dict[Any, str] = {}
    for name, dtype in zip(names, dtypes):
        if dtype not in type_names:
            type_names[dtype] = _type_name_of(dtype)
        type_name = type_names[dtype]
        stat = stats.get(name)
        s = None
        if stat is not None:
            n_missing, n_distinct = stat.n_missing, stat.n_distinct
        else:
            s = df[name]
            n_missing, n_distinct = _missing_and_distinct(s)
        if name == target:
            columns.append(ColumnReport(name, type_name, "target", None, n_missing, n_distinct))
            continue
        if chosen is not None and name not in chosen:
            reason = "not selected as a feature"
        elif name in excluded:
            reason = "excluded (scores from another model, not an input)"
        elif stat is not None:
            reason = _numeric_drop_reason(name, stat, df)
        else:
            reason = _drop_reason(name, s, n_missing, n_distinct)
        if reason is not None:
            role = "dropped"
            dropped[name] = reason
        elif stat is not None or _is_numeric_dtype(dtype):
            role = "numeric"
            numeric.append(name)
        else:
            role = "categorical"
            categorical.append(name)
        columns.append(ColumnReport(name, type_name, role, reason, n_missing, n_distinct))
    if selected is not None:
        asked = [c for c in selected if c in dropped and dropped[c] != "not selected as a feature"]
        if asked:
            warnings.append("Selected but not usable: " + "; ".join(
                f"'{c}' ({dropped[c]})" for c in asked) + ".")
    if not numeric and not categorical:
        warnings.append(_no_features_message(dropped, selected))
    leakage = _leaky_features(df, np.flatnonzero(t.row_mask), t.y, numeric, categorical)
    for name, auc in leakage:
        warnings.append(_leakage_message(name, auc, t))
    rare = min(n_pos, n_kept - n_pos) / max(n_kept, 1)
    if rare < 0.01:
        warnings.append(f"Only {rare:.1%} of rows are in the smaller class: metrics such as "
                        "precision will be noisy.")
    order = [t.positive_class] + [c for c in t.classes if not same_class(c, t.positive_class)]
    counts = [t.classes.counts[c] for c in order]
    balance = pd.DataFrame({"class": order, "count": counts,
                            "share": [c / n_kept for c in counts]})
    return DataReport(
        n_rows=len(df), n_columns=len(df.columns), target=target,
        positive_class=t.positive_class, negative_label=t.negative_label,
        one_vs_rest=t.one_vs_rest, y=t.y, row_mask=t.row_mask,
        n_missing_target=t.n_missing_target, class_balance=balance, columns=columns,
        numeric=numeric, categorical=categorical, dropped=dropped, warnings=warnings,
        leakage=[name for name, _ in leakage], classes=list(t.classes))


def one_column_error(df: pd.DataFrame) -> DataError | None:
    """The error for a table whose only column is (at best) the target, else None."""
    if df.shape[1] != 1:
        return None
    return DataError(f"Nothing to learn from or evaluate: this file has one column, "
                     f"'{df.columns[0]}'; Cutoff needs at least one more: features to learn "
                     "from, or a score. Add those columns and upload the file again.")


def _no_features_message(dropped: dict[str, str], selected: list[str] | None) -> str:
    text = {c: r for c, r in dropped.items() if r.startswith("free text")}
    if selected is None and text and len(text) == len(dropped):
        shown = "; ".join(f"'{c}' ({r[len('free text '):].strip('()')})"
                          for c, r in list(text.items())[:5])
        more = f" and {len(text) - 5} more" if len(text) > 5 else ""
        return (f"Every column besides the target is free text ({shown}{more}), so all were left "
                "out: with a different value in most rows, text like notes or descriptions "
                "gives a model nothing it can learn and reuse. Add numeric or category columns "
                "to train a model, or a model's score column and use 'Use my scores' mode.")
    return ("No usable feature columns: a model cannot be trained. Select other columns, or "
            "use 'Use my scores' mode with a score column.")


def _leakage_message(name: str, auc: float, t: BinaryTarget) -> str:
    exact = auc in (0.0, 1.0)
    how = "perfectly" if exact else "almost perfectly"
    positive = f"'{t.positive_class}'"
    if auc < 0.5:
        how += f" in reverse (low values mean {positive})"
    return (f"'{name}' on its own separates the target {how} (ROC AUC {auc:.3f}). It may be "
            "recorded after the outcome (leakage): remove it unless it is truly known when the "
            "decision is made.")


def _check_training_rows(n_kept: int, n_pos: int, t: BinaryTarget, target: str,
                         validation: str, sizes: Sequence[float]) -> None:
    need_rows, need_class = training_minimum(validation, sizes)
    if validation == "holdout":
        split = "/".join(f"{round(100 * s)}" for s in sizes)
        scheme = f"A train/validation/test split ({split})"
        per_class = f"A stratified train/validation/test split ({split})"
        why = " (2 in the smallest split)"
    else:
        scheme = per_class = "Training with cross-validation"
        why = ""
    if n_kept < need_rows:
        more = need_rows - n_kept
        raise DataError(f"Only {n_kept:,} rows have a value in '{target}'. {scheme} needs at "
                        f"least {need_rows:,} rows: add {more:,} more row{'s' if more > 1 else ''}"
                        ", or use 'Use my scores' mode.")
    negative = t.negative_label if t.one_vs_rest else f"'{t.negative_label}'"
    for label, count in ((f"'{t.positive_class}'", n_pos), (negative, n_kept - n_pos)):
        if count < need_class:
            more = need_class - count
            raise DataError(f"Only {count:,} rows have the class {label}. {per_class} needs at "
                            f"least {need_class:,} rows of each class{why}: add {more:,} more "
                            f"row{'s' if more > 1 else ''} of {label}, or pick another target.")


def is_numeric(s: pd.Series) -> bool:
    return _is_numeric_dtype(s.dtype)


def _is_numeric_dtype(dtype: Any) -> bool:
    return pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)


def _is_number_dtype(dtype: Any) -> bool:
    """Numeric and not true/false: the columns :func:`_numeric_stats` counts."""
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _type_name_of(dtype: Any) -> str:
    if pd.api.types.is_bool_dtype(dtype):
        return "true/false"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date/time"
    return "text"


def numeric_values(s: pd.Series) -> np.ndarray:
    """float64 values with NaN for missing and for +-inf."""
    values = s.to_numpy(dtype="float64", na_value=np.nan)
    return np.where(np.isinf(values), np.nan, values)


def _missing_and_distinct(s: pd.Series) -> tuple[int, int]:
    if is_numeric(s) and not pd.api.types.is_bool_dtype(s.dtype):
        values = numeric_values(s)
        present = values[~np.isnan(values)]
        return int(values.size - present.size), int(pd.unique(present).size)
    missing = s.isna()
    return int(missing.sum()), int(s[~missing].nunique())


_BLOCK_VALUES = 4_000_000
"""Cells per block of columns in the whole-table counts (32 MB of float64 at a time)."""


@dataclass(frozen=True)
class _NumericStats:
    """One numeric column's counts, as :func:`_missing_and_distinct` and :func:`_drop_reason`
    find them (over float64 values; +-inf counts as missing)."""

    n_missing: int
    n_distinct: int
    low: float
    high: float
    whole: bool  # every present value is a whole number


def _column_blocks(n_rows: int, names: list) -> Iterable[list]:
    block = max(1, _BLOCK_VALUES // max(n_rows, 1))
    for start in range(0, len(names), block):
        yield names[start:start + block]


def _float_block(df: pd.DataFrame, names: list) -> np.ndarray:
    """float64 (rows, columns) of ``names`` with NaN for missing and for +-inf: one copy."""
    values = df[names].to_numpy(dtype="float64", na_value=np.nan)
    return np.where(np.isinf(values), np.nan, values)


def _numeric_stats(df: pd.DataFrame, names: list) -> dict[Any, _NumericStats]:
    """:class:`_NumericStats` of the numeric columns ``names``, counted a block of columns at
    a time with whole-array numpy (a sort per block gives distinct values, lowest and highest)."""
    stats: dict[Any, _NumericStats] = {}
    n_rows = len(df)
    for part in _column_blocks(n_rows, names):
        values = _float_block(df, part)
        present = ~np.isnan(values)
        n_present = present.sum(axis=0)
        ordered = np.sort(values, axis=0)  # NaN sorts last
        if n_rows:
            new_value = (ordered[1:] != ordered[:-1]) & ~np.isnan(ordered[1:])
            n_distinct = (n_present > 0).astype(np.int64) + new_value.sum(axis=0)
            low = ordered[0]
            high = np.take_along_axis(ordered, np.maximum(n_present - 1, 0)[None, :], axis=0)[0]
        else:
            n_distinct = np.zeros(len(part), dtype=np.int64)
            low = high = np.full(len(part), np.nan)
        with np.errstate(invalid="ignore"):
            whole = np.all(~present | (values == np.round(values)), axis=0)
        for j, name in enumerate(part):
            stats[name] = _NumericStats(int(n_rows - n_present[j]), int(n_distinct[j]),
                                        float(low[j]), float(high[j]), bool(whole[j]))
    return stats


def _numeric_drop_reason(name: Any, stat: _NumericStats, df: pd.DataFrame) -> str | None:
    """:func:`_drop_reason` for a numeric column, from its counts."""
    n_present = len(df) - stat.n_missing
    if n_present == 0:
        return "all missing"
    if stat.n_distinct == 1:
        only = df[name].dropna().iloc[0]
        return f"constant (every value is '{only}')"
    if max(abs(stat.low), abs(stat.high)) > MAX_ABS_VALUE:
        return f"numbers too large to use (beyond {MAX_ABS_VALUE:.0e})"
    consecutive = stat.high - stat.low + 1 == n_present
    if (stat.n_distinct == n_present and n_present >= 20 and stat.whole
            and (consecutive or _ID_NAME.search(str(name).strip()))):
        return "ID-like (every value is different)"
    return None


def distinct_counts(df: pd.DataFrame) -> pd.Series:
    """``df.nunique(dropna=True)``, counted a block of same-typed columns at a time for plain
    numpy numbers (a wide table's thousands of columns), column by column otherwise."""
    counts = pd.Series(0, index=df.columns, dtype=np.int64)
    by_dtype: dict[Any, list[int]] = {}
    for position, dtype in enumerate(df.dtypes):
        if isinstance(dtype, np.dtype) and dtype.kind in "iuf":
            by_dtype.setdefault(dtype, []).append(position)
        else:
            counts.iloc[position] = df.iloc[:, position].nunique(dropna=True)
    for dtype, positions in by_dtype.items():
        for part in _column_blocks(len(df), positions):
            values = np.sort(df.iloc[:, part].to_numpy(dtype=dtype), axis=0)
            if len(values) == 0:
                continue
            if dtype.kind == "f":
                valid = ~np.isnan(values)
                new_value = (values[1:] != values[:-1]) & valid[1:]
                counts.iloc[part] = valid[0].astype(np.int64) + new_value.sum(axis=0)
            else:
                counts.iloc[part] = 1 + (values[1:] != values[:-1]).sum(axis=0)
    return counts


def _drop_reason(name: str, s: pd.Series, n_missing: int, n_distinct: int) -> str | None:
    n_present = len(s) - n_missing
    if n_present == 0:
        return "all missing"
    if n_distinct == 1:
        only = s.dropna().iloc[0]
        return f"constant (every value is '{only}')"
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return "date/time (not used as a feature)"
    if is_numeric(s):
        if pd.api.types.is_bool_dtype(s.dtype):
            return None
        values = numeric_values(s)
        present = values[~np.isnan(values)]
        if np.abs(present).max() > MAX_ABS_VALUE:
            return f"numbers too large to use (beyond {MAX_ABS_VALUE:.0e})"
        # Whole numbers, all different: a row number (consecutive) or named like an ID. Other
        # all-different numbers (amounts, measurements) are ordinary features.
        consecutive = present.max() - present.min() + 1 == n_present
        if (n_distinct == n_present and n_present >= 20 and np.all(present == np.round(present))
                and (consecutive or _ID_NAME.search(str(name).strip()))):
            return "ID-like (every value is different)"
        return None
    many = n_distinct > FREE_TEXT_DISTINCT or (n_distinct > 20 and n_distinct > 0.5 * n_present)
    if many and _looks_like_prose(s):
        return f"free text ({n_distinct:,} distinct values)"
    if n_distinct == n_present and n_present >= 20:
        return "ID-like (every value is different)"
    if many:
        return f"free text ({n_distinct:,} distinct values)"
    return None


def _looks_like_prose(s: pd.Series) -> bool:
    """Words separated by spaces, on average (a sample decides): notes, not codes."""
    sample = s.dropna().iloc[:1_000].astype(str).str.strip()
    return bool(sample.str.contains(" ").mean() > 0.5 and sample.str.len().mean() > 15)


def _leaky_features(df: pd.DataFrame, rows: np.ndarray, y: np.ndarray, numeric: list[str],
                    categorical: list[str]) -> list[tuple[str, float]]:
    """(name, ROC AUC) of features that alone rank ``y`` (over ``df``'s ``rows``) almost
    perfectly, in either direction.

    A numeric feature's own values are its score; a categorical feature's score is its
    level's share of positives (skipped when levels are too many for that to mean anything).
    """
    if y.size < 10 or y.min() == y.max():
        return []
    if y.size > _LEAKAGE_SAMPLE:  # seeded, so the same table always gets the same verdict
        pick = np.sort(np.random.default_rng(0).choice(y.size, _LEAKAGE_SAMPLE, replace=False))
        rows, y = rows[pick], y[pick]
    kept = df[categorical].iloc[rows]
    names: list[str] = []
    scores: list[np.ndarray] = []
    for name in categorical:
        s = kept[name]
        levels = s.astype(object).where(s.notna(), "\0missing")
        if levels.nunique() * 10 > y.size:  # too many levels: target means would overfit
            continue
        names.append(name)
        scores.append(pd.Series(y).groupby(levels.to_numpy(), sort=False)
                      .transform("mean").to_numpy(dtype=np.float64))
    found = []
    # Blocks of columns keep the rank matrix small on wide tables (10,000 columns).
    for part in _column_blocks(len(df), numeric):
        values = _float_block(df, part)[rows]
        found += [(n, a) for n, a in zip(part, column_aucs(y, values)) if _leaks(a)]
    if scores:
        aucs = column_aucs(y, np.column_stack(scores))
        found += [(n, a) for n, a in zip(names, aucs) if _leaks(a)]
    order = {name: i for i, name in enumerate(numeric + categorical)}
    return sorted(found, key=lambda item: order[item[0]])


def _leaks(auc: float) -> bool:
    return not np.isnan(auc) and max(auc, 1 - auc) >= LEAKAGE_AUC


def column_aucs(y: np.ndarray, values: np.ndarray) -> np.ndarray:
    """ROC AUC of each column of ``values`` (n, p) as a score for 0/1 ``y`` (n,), over the
    rows where that column is not NaN; NaN where fewer than 10 such rows or one class only.

    The Mann-Whitney statistic with average ranks for ties: equal to
    ``sklearn.metrics.roc_auc_score(y[ok], values[ok, j])`` column by column, in one
    vectorised rank of the whole block.
    """
    valid = ~np.isnan(values)
    ranks = pd.DataFrame(values).rank(method="average").to_numpy()  # NaN stays NaN
    positive = (y == 1)[:, None]
    n1 = (valid & positive).sum(axis=0).astype(np.float64)
    n0 = valid.sum(axis=0) - n1
    rank_sum = np.where(valid & positive, ranks, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        auc = (rank_sum - n1 * (n1 + 1) / 2) / (n1 * n0)
    return np.where((n1 + n0 >= 10) & (n1 > 0) & (n0 > 0), auc, np.nan)
