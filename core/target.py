"""The target: which column is the outcome, its classes, and which class is "positive".

:func:`target_classes` lists a column's classes as a user sees them (trimmed, case variants
merged, integral floats as ints); :func:`default_positive_class` picks the class a
stakeholder means by "positive"; :func:`binary_target` turns a column and a positive class
into the 0/1 ``y`` that the contract (:mod:`core.contract`) and bring-your-own scores
(:mod:`core.scores`) share. Guessing *which column* is the target is a setup rule
(:func:`core.setup.guess_target`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from core.errors import DataError

__all__ = ["POSITIVE_WORDS", "target_classes", "default_positive_class", "BinaryTarget",
           "binary_target", "list_values", "same_class"]

# Words a stakeholder uses for the outcome they want to catch (compared trimmed, lower-case).
POSITIVE_WORDS = frozenset({
    "1", "1.0", "yes", "y", "true", "t", "positive", "pos", "default", "defaulted", "fraud",
    "fraudulent", "churn", "churned", "malignant", "spam", "bad", "fail", "failed", "failure",
    "sick", "disease", "diseased", "attrition", "attrited", "left", "exited", "died", "dead",
    "abnormal", "anomaly", "outlier", "event", "case", "infected", "cancer", "readmitted",
    "delinquent", "charged off", "charged_off", "at risk", "high risk", "cancelled", "canceled",
    "ja", "oui", "si", "sí", "sim",  # "yes" in exports from German, French, Spanish, Portuguese
})


class _Classes(list):
    """A list of target classes that also remembers how often each occurs (for the
    minority rule in :func:`default_positive_class`)."""

    counts: dict


def _target_labels(df: pd.DataFrame, target: str) -> tuple[pd.Series, list[str]]:
    """Normalised target labels aligned with ``df`` (NaN where missing) and warnings.

    Text is trimmed and spellings that differ only in case are merged into the most frequent
    spelling; integral floats become ints, ``inf`` counts as missing.
    """
    if not isinstance(df, pd.DataFrame):
        raise DataError("Expected a table (pandas DataFrame).")
    if target not in df.columns:
        shown = ", ".join(f"'{c}'" for c in list(df.columns)[:10])
        raise DataError(f"There is no column named '{target}'. Pick the target from the columns: "
                        f"{shown}{', ...' if len(df.columns) > 10 else ''}.")
    s = df[target]
    if isinstance(s, pd.DataFrame):
        raise DataError(f"More than one column is named '{target}'. Rename them so each name is "
                        "unique.")
    warnings: list[str] = []
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.astype(object), warnings
    if pd.api.types.is_numeric_dtype(s.dtype):
        values = s.to_numpy(dtype="float64", na_value=np.nan)
        values = np.where(np.isfinite(values), values, np.nan)
        present = values[~np.isnan(values)]
        if present.size and np.all(present == np.round(present)) and np.abs(present).max() < 2**53:
            labels = pd.Series(values, index=s.index).astype("Int64").astype(object)
            return labels.where(labels.notna(), np.nan), warnings
        return pd.Series(values, index=s.index, dtype=object), warnings
    # Text (or mixed objects): work on the distinct values only.
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    trimmed = [str(u).strip() if not isinstance(u, (bool, np.bool_)) else u for u in uniques]
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    by_key: dict[Any, dict[Any, int]] = {}  # case-folded value -> {trimmed spelling: rows}
    raw_spellings: dict[Any, list] = {}  # case-folded value -> spellings as in the file
    for raw, value, count in zip(uniques, trimmed, counts):
        if value == "":
            continue
        key = value.lower() if isinstance(value, str) else value
        spellings = by_key.setdefault(key, {})
        spellings[value] = spellings.get(value, 0) + int(count)
        raw_spellings.setdefault(key, []).append(raw)
    canonical = {key: max(sp.items(), key=lambda kv: (kv[1], str(kv[0])))[0]
                 for key, sp in by_key.items()}
    mapped = []
    for value in trimmed:
        if value == "":
            mapped.append(np.nan)
        else:
            mapped.append(canonical[value.lower() if isinstance(value, str) else value])
    variants = [raws for raws in raw_spellings.values() if len(raws) > 1]
    if variants:
        shown = "; ".join(" = ".join(f"'{r}'" for r in raws) for raws in variants[:4])
        warnings.append(f"'{target}' has values that differ only in spaces or capital letters "
                        f"({shown}); each group is treated as one class. Clean the column if they "
                        "mean different things.")
    lookup = np.array(mapped + [np.nan], dtype=object)
    return pd.Series(lookup[codes], index=s.index, dtype=object), warnings


def _sort_key(value: Any) -> tuple:
    return (isinstance(value, str), value)


def _classes_with_counts(labels: pd.Series) -> _Classes:
    counts = labels.dropna().value_counts(sort=False)
    classes = _Classes(sorted(counts.index.tolist(), key=_sort_key))
    classes.counts = {c: int(counts[c]) for c in classes}
    return classes


def target_classes(df: pd.DataFrame, target: str) -> list:
    """Distinct non-missing target values, trimmed and sorted, as shown to the user.

    Numbers come first (integral floats as ints), then text. The returned list also carries
    ``.counts`` (value -> rows), which :func:`default_positive_class` uses.
    """
    labels, _ = _target_labels(df, target)
    return _classes_with_counts(labels)


def default_positive_class(values: Sequence, counts: dict | None = None) -> Any:
    """The class a stakeholder means by "positive".

    ``values``: the classes (e.g. from :func:`target_classes`) or the raw target values.
    The first rule that decides wins: the value named like an outcome one wants to catch
    (``1``, ``yes``, ``true``, ``fraud``, ``churn``, ``malignant``, ... see
    :data:`POSITIVE_WORDS`); else the minority class (counts from ``counts``, from the
    ``.counts`` that :func:`target_classes` attaches, or from repeats in ``values``); ties go
    to the last class in sorted order.
    """
    raw = [v for v in values if not _is_missing(v)]
    if not raw:
        raise DataError("The target has no values, so there is no positive class to choose.")
    if counts is None:
        counts = getattr(values, "counts", None)
    if counts is None:
        counts = pd.Series(raw, dtype=object).value_counts(sort=False).to_dict()
    distinct = sorted(dict.fromkeys(raw), key=_sort_key)
    named = [v for v in distinct if _as_word(v) in POSITIVE_WORDS]
    pool = named or distinct
    smallest = min(counts.get(v, 0) for v in pool)
    return [v for v in pool if counts.get(v, 0) == smallest][-1]


def _as_word(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    return str(value).strip().lower()


def _is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _match_class(classes: list, wanted: Any, target: str) -> Any:
    """The class equal to ``wanted`` (accepting '1' for 1, ' Yes' for 'yes', ...)."""
    for c in classes:
        if same_class(c, wanted) and isinstance(c, bool) == isinstance(wanted, (bool, np.bool_)):
            return c
    for c in classes:
        if _as_word(c) == _as_word(wanted):
            return c
    raise DataError(f"'{wanted}' is not a value of '{target}'. Choose the positive class from: "
                    f"{list_values(classes)}.")


def list_values(values: list, limit: int = 10) -> str:
    shown = ", ".join(f"'{v}'" for v in values[:limit])
    return shown + (f" and {len(values) - limit:,} more" if len(values) > limit else "")


@dataclass
class BinaryTarget:
    """The binary outcome the model learns: shared by describe_data and scores_from_column."""

    positive_class: Any
    negative_label: str
    one_vs_rest: bool
    classes: list
    y: np.ndarray
    row_mask: np.ndarray
    n_missing_target: int
    warnings: list[str]


def binary_target(df: pd.DataFrame, target: str, positive_class: Any) -> BinaryTarget:
    labels, warnings = _target_labels(df, target)
    row_mask = labels.notna().to_numpy()
    n_missing = int((~row_mask).sum())
    classes = _classes_with_counts(labels)
    if not classes:
        raise DataError(f"'{target}' has no values. Pick a column that records the outcome.")
    if len(classes) == 1:
        raise DataError(f"'{target}' has only one class, '{classes[0]}' (all "
                        f"{int(row_mask.sum()):,} rows with a value). A classifier needs both "
                        "outcomes: pick another target or add rows with the other outcome.")
    if positive_class is None or _is_missing(positive_class):
        if len(classes) > 2:
            hint = (" It looks like a measurement rather than an outcome." if len(classes) > 20
                    and all(isinstance(c, (int, float)) for c in classes) else "")
            raise DataError(f"'{target}' has {len(classes):,} classes ({list_values(classes)})."
                            f"{hint} Cutoff needs two outcomes: choose a positive class to compare "
                            "against all the others (one-vs-rest), or pick another target.")
        positive_class = default_positive_class(classes)
    else:
        positive_class = _match_class(classes, positive_class, target)
    one_vs_rest = len(classes) > 2
    if one_vs_rest:
        negative_label = f"not '{positive_class}'"
        warnings.append(f"'{target}' has {len(classes)} classes: comparing '{positive_class}' "
                        "(positive) against all the others (one-vs-rest).")
    else:
        negative_label = str(next(c for c in classes if not same_class(c, positive_class)))
    codes, uniques = pd.factorize(labels[row_mask], use_na_sentinel=True)
    positive_code = next(i for i, u in enumerate(uniques) if same_class(u, positive_class))
    y = (codes == positive_code).astype(np.int64)
    if n_missing:
        warnings.append(f"Dropped {n_missing:,} row{'s' if n_missing > 1 else ''} with no value "
                        f"in '{target}'.")
    return BinaryTarget(positive_class, negative_label, one_vs_rest, classes, y, row_mask, n_missing,
                   warnings)


def same_class(a: Any, b: Any) -> bool:
    return a == b and isinstance(a, str) == isinstance(b, str)
