"""Data intake, one import away: the public names of the modules it is split into.

* :mod:`core.read` — bytes of an upload to a table (CSV, Parquet, Excel, gzip/zip), by their
  first bytes: :func:`read_table`, :func:`read_csv`.
* :mod:`core.target` — the target's classes and the positive class.
* :mod:`core.contract` — the data contract: :func:`describe_data` and its :class:`DataReport`.
* :mod:`core.scores` — bring-your-own scores, counts per row and amounts.
* :mod:`core.setup` — the rules that pick a newcomer's defaults (target, features, score,
  count and amount columns, validation scheme).

Import from here (``from core.data import describe_data``) or from the module itself; both
name the same objects. New code belongs in the module of its concept, not here.
"""

from __future__ import annotations

from core.contract import (
    CV_MIN_PER_CLASS,
    CV_MIN_ROWS,
    FREE_TEXT_DISTINCT,
    LEAKAGE_AUC,
    MAX_ABS_VALUE,
    ColumnReport,
    DataReport,
    describe_data,
    min_rows_for_split,
    training_minimum,
)
from core.errors import DataError
from core.read import (
    MAX_COLUMNS,
    MAX_LINE_BYTES,
    MISSING_TOKENS,
    detect_format,
    excel_sheets,
    read_csv,
    read_table,
)
from core.scores import ScoreData, amount_values, case_counts, scores_from_column
from core.target import POSITIVE_WORDS, default_positive_class, target_classes

__all__ = [
    "DataError",
    "MAX_COLUMNS",
    "MAX_LINE_BYTES",
    "MISSING_TOKENS",
    "read_csv",
    "read_table",
    "detect_format",
    "excel_sheets",
    "target_classes",
    "default_positive_class",
    "POSITIVE_WORDS",
    "describe_data",
    "DataReport",
    "ColumnReport",
    "min_rows_for_split",
    "training_minimum",
    "CV_MIN_ROWS",
    "CV_MIN_PER_CLASS",
    "FREE_TEXT_DISTINCT",
    "LEAKAGE_AUC",
    "MAX_ABS_VALUE",
    "scores_from_column",
    "ScoreData",
    "case_counts",
    "amount_values",
]
