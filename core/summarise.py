"""Score-count tables from data too big to upload: one row per (score, label, segment) cell.

    python -m core.summarise INPUT --label COL [--positive VALUE] --score COL
        [--amount COL] [--segment COL] [--decimals 4] [--engine duckdb|spark] [--master URL]
        --output OUT.csv|OUT.parquet
    python -m core.summarise TABLE --label COL --score COL ... --print-sql

The output has the columns ``<score>`` (rounded to ``--decimals``), ``<label>`` (1 = positive,
0 = not), ``count`` (cases in the cell), ``<amount>`` (their summed amount, if asked) and
``<segment>`` (if asked; missing values are a group of their own). Uploaded to Cutoff in
*Use my scores* mode with ``count`` as the Count column, every page is exact for scores at
that resolution.

**Rounding, the same in every engine.** ``score = FLOOR(x * 10^d + 0.5) / 10^d`` in IEEE
double arithmetic: half up (towards +inf) on the double ``x * 10^d``. Neither engine's own
``round()`` is used: DuckDB's and Spark's differ on ties (Spark rounds the shortest decimal
string of the double, DuckDB the binary value), and SQL engines disagree about ``CAST`` of a
double to an integer (PostgreSQL rounds, SQLite truncates). ``FLOOR``, ``*``, ``+`` and ``/``
on doubles are correctly rounded everywhere, so DuckDB, Spark, SQLite and a numpy reference
put every score in the same cell.

**Exactness bound.** A threshold on the grid (a multiple of 10^-d) gives exactly the metrics
of the raw rows thresholded half a step lower, at ``t - 0.5 * 10^-d``; so at any threshold
the count table's confusion matrix differs from the raw rows' by at most the cases of one
score cell per label (those whose raw score lies within half a step of it).

**Amounts** are summed exactly: each amount is taken to micro-units,
``FLOOR(a * 10^6 + 0.5)``, summed as ``DECIMAL(38, 0)`` (order-independent, so engines and
partitions agree to the last digit) and divided by 10^6. A missing amount counts as 0.

**Rows left out**: a label that is missing or NaN, or a score that is missing, NaN or infinite.
They are counted and reported, never guessed.

Engines: ``duckdb`` (embedded, the default) streams Parquet and CSV with memory flat in the
number of rows; ``spark`` runs the same SQL text through Spark SQL (``--master local[2]``, or
a cluster URL), reading any path Spark reads. ``summary_sql`` is that SQL; ``--print-sql``
prints it for a warehouse (``--dialect duckdb`` and ``spark`` print what the engines run). Bad
input raises :class:`~core.errors.DataError`; the command prints it as one line and exits with
status 2.
"""

from __future__ import annotations

import argparse
import glob
import math
import os
import re
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from core.errors import DataError
from core.target import default_positive_class, list_values

__all__ = ["Summary", "summarise", "summary_sql", "sql_literal", "write_summary", "main", "DIALECTS",
           "MICRO_UNITS", "MAX_LABEL_VALUES"]

# Amount sums are exact in units of 10^-6 (sub-cent for any currency).
MICRO_UNITS = 6
# More distinct labels than this and the column is almost surely not a label.
MAX_LABEL_VALUES = 1000
# Largest finite double: |x| <= it is false for NaN and infinities (NaN sorts above everything in
# Spark and PostgreSQL; IEEE comparisons are false), but see finite_duckdb.
_FINITE_BOUND = "1.7976931348623157E308"
_VIEW = "cutoff_summarise_input"
_ENGINES = ("duckdb", "spark")
_NUMERIC_DUCKDB = re.compile(r"^(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|FLOAT|DOUBLE|REAL|DECIMAL.*)$")


# --------------------------------------------------------------------------- the SQL

def quote_standard(name: str) -> str:
    """An identifier in standard SQL quotes (DuckDB, PostgreSQL, Snowflake, SQLite)."""
    return '"' + name.replace('"', '""') + '"'


def quote_backtick(name: str) -> str:
    """An identifier in backticks (Spark SQL, BigQuery)."""
    return "`" + name.replace("`", "``") + "`"


def sql_literal(value: Any) -> str:
    """A SQL literal for a label value: TRUE/FALSE, a number, or a quoted string."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise DataError(f"The positive class cannot be {value!r}; choose a value of the label column.")
        return repr(value)
    if type(value).__name__ == "Decimal":
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def finite_standard(column: str) -> str:
    """True for a finite number, false for NaN and infinities, NULL for NULL (portable SQL)."""
    return f"ABS({column}) <= {_FINITE_BOUND}"


def finite_duckdb(column: str) -> str:
    """DuckDB's finite test. Not ``ABS(x) <= ...`` nor ``NOT isnan(x)``: on a Parquet column DuckDB
    folds both to true from the file's min/max statistics, which leave NaN values out."""
    return f"isfinite({column})"


def finite_spark(column: str) -> str:
    """Spark's finite test: NaN ruled out by name, not by its place in Spark's order."""
    return f"NOT isnan({column}) AND {finite_standard(column)}"


# --print-sql --dialect: how identifiers are quoted, which exact type sums the amounts, and the
# test that keeps NaN and infinities out.
DIALECTS = {
    "standard": (quote_standard, "DECIMAL(38, 0)", finite_standard),  # PostgreSQL, Snowflake, SQLite
    "duckdb": (quote_standard, "DECIMAL(38, 0)", finite_duckdb),  # what --engine duckdb runs
    "bigquery": (quote_backtick, "BIGNUMERIC", finite_standard),  # BigQuery's NUMERIC holds 29 integer digits only
    "spark": (quote_backtick, "DECIMAL(38, 0)", finite_spark),  # Spark SQL, Databricks; what --engine spark runs
}


def summary_sql(source: str, *, label: str, score: str, positive: Any = 1, amount: str | None = None,
                segment: str | None = None, decimals: int = 4, quote=quote_standard,
                exact_type: str = "DECIMAL(38, 0)", finite=finite_standard) -> str:
    """The aggregation as one portable SELECT over ``source`` (a table name or view).

    ``positive`` is a Python value turned into a literal by :func:`sql_literal`. The same text
    (with backtick quotes and :func:`finite_spark`) is what the Spark engine runs, and with
    standard quotes and :func:`finite_duckdb` what DuckDB runs, so ``--print-sql`` is not an
    approximation of the engines but their query.
    ``exact_type``: the exact integer type the amounts' micro-units are summed in. ``finite``:
    the SQL test, given a quoted column, that is true only for a finite number (see DIALECTS).
    """
    _check_decimals(decimals)
    step = f"1E{decimals}"
    micro = f"1E{MICRO_UNITS}"
    s, y = quote(score), quote(label)
    # A numeric label can be NaN, which is no outcome: only finite values count as negatives.
    numeric_label = isinstance(positive, (int, float)) and not isinstance(positive, bool)
    labelled = finite(y) if numeric_label else f"{y} IS NOT NULL"
    inner = [
        f"FLOOR(CASE WHEN {finite(s)} THEN {s} END * {step} + 0.5) / {step} AS {s}",
        f"CASE WHEN {y} = {sql_literal(positive)} THEN 1 WHEN {labelled} THEN 0 END AS {y}",
    ]
    outer = [s, y, f"COUNT(*) AS {quote('count')}"]
    if amount is not None:
        a = quote(amount)
        inner.append(f"CAST(FLOOR(CASE WHEN {finite(a)} THEN {a} END * {micro} + 0.5)"
                     f" AS {exact_type}) AS {a}")
        outer.append(f"COALESCE(SUM({a}), 0) / {micro} AS {a}")
    group = [s, y]
    if segment is not None:
        g = quote(segment)
        inner.append(g)
        outer.append(g)
        group.append(g)
    sep = ",\n       "
    return (
        f"-- Cutoff score-count table: score cells of 10^-{decimals}, label 1 = {sql_literal(positive)}.\n"
        f"-- Rows with a NULL score or label come out as cells with a NULL score or label: drop them.\n"
        f"SELECT {sep.join(outer)}\n"
        f"FROM (\n"
        f"  SELECT {(sep + '  ').join(inner)}\n"
        f"  FROM {source}\n"
        f") AS cells\n"
        f"GROUP BY {', '.join(group)}\n"
        f"ORDER BY {', '.join(group)}"
    )


def _check_decimals(decimals: int) -> None:
    if not isinstance(decimals, int) or not 0 <= decimals <= 9:
        raise DataError(f"--decimals must be a whole number from 0 to 9, got {decimals!r} "
                        "(4 gives at most 10,001 score values between 0 and 1).")


# --------------------------------------------------------------------------- the input

@dataclass(frozen=True)
class InputFiles:
    """What INPUT names: its format and the paths an engine should read."""

    kind: str  # "parquet" or "csv"
    paths: list[str]
    remote: bool = False  # a URI (s3a://, hdfs://, ...) only Spark can read
    folder: str | None = None  # a folder INPUT: Spark reads it whole to find its Hive partitions

    def describe(self) -> str:
        what = "Parquet" if self.kind == "parquet" else "CSV"
        return f"{len(self.paths):,} {what} file" + ("s" if len(self.paths) != 1 else "")


def _file_kind(path: str) -> str:
    """'parquet' or 'csv' from the first bytes (names can lie), or a DataError."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError as error:
        raise DataError(f"Cannot read {path}: {error.strerror}.") from None
    if head[:4] == b"PAR1":
        return "parquet"
    if head[:2] == b"\x1f\x8b":  # gzip: DuckDB reads a gzipped CSV as it streams
        return "csv"
    if not head:
        raise DataError(f"{path} is empty: there are no rows to summarise.")
    # A zip (an .xlsx, say) starts with a zip record; a CSV may start with "PK" (a PK_ID column).
    if b"\x00" in head or head[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        raise DataError(f"{path} is neither Parquet nor CSV; export the table as Parquet or CSV.")
    return "csv"


def resolve_input(source: str, *, engine: str = "duckdb") -> InputFiles:
    """The files INPUT names: a Parquet or CSV file, a folder of Parquet files, or a glob."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", source) and not source.startswith("file://"):
        if engine != "spark":
            raise DataError(f"{source} is a remote path; read it with --engine spark, or copy it here.")
        kind = "csv" if re.search(r"\.(csv|csv\.gz|txt)$", source, re.I) else "parquet"
        return InputFiles(kind, [source], remote=True)
    source = source.removeprefix("file://")
    if any(ch in source for ch in "*?["):
        paths = sorted(p for p in glob.glob(source, recursive=True) if os.path.isfile(p))
        if not paths:
            raise DataError(f"No files match {source}; check the pattern (quote it so the shell does not expand it).")
    elif os.path.isdir(source):
        paths = sorted(
            str(p) for p in Path(source).rglob("*")
            if p.is_file() and not any(part.startswith((".", "_")) for part in p.relative_to(source).parts)
            and p.name.endswith(".parquet")
        )
        if not paths:
            raise DataError(f"The folder {source} holds no .parquet files; pass a Parquet folder, file or glob, or a CSV.")
    elif os.path.exists(source):
        paths = [source]
    else:
        raise DataError(f"{source} does not exist; pass a Parquet file, a folder or glob of Parquet files, or a CSV.")
    kinds = {_file_kind(p) for p in paths}
    if len(kinds) > 1:
        raise DataError(f"{source} mixes Parquet and CSV files; summarise one kind at a time.")
    return InputFiles(kinds.pop(), paths, folder=source if os.path.isdir(source) else None)


# --------------------------------------------------------------------------- the engines

class _DuckDB:
    quote = staticmethod(quote_standard)
    finite = staticmethod(finite_duckdb)
    Error: type = Exception

    def __init__(self, files: InputFiles, *, progress: bool):
        import duckdb

        self.Error = duckdb.Error
        self.con = duckdb.connect(":memory:")
        # Rows need no order here; not keeping it lets DuckDB stream with flat memory.
        self.con.execute("SET preserve_insertion_order = false")
        self.con.execute(f"SET enable_progress_bar = {'true' if progress else 'false'}")
        if progress:
            self.con.execute("SET enable_progress_bar_print = true")
        paths = "[" + ", ".join(sql_literal(p) for p in files.paths) + "]"
        reader = (f"read_parquet({paths}, union_by_name = true)" if files.kind == "parquet"
                  else f"read_csv({paths}, header = true, union_by_name = true)")
        try:
            self.run(f"CREATE VIEW {_VIEW} AS SELECT * FROM {reader}")
        except duckdb.Error as error:  # a truncated Parquet file, a CSV DuckDB cannot parse
            self.con.close()
            raise DataError(f"DuckDB could not read the input: {_first_line(error)}") from None

    def run(self, sql: str) -> list[tuple]:
        return self.con.execute(sql).fetchall()

    def column_kinds(self) -> dict[str, str]:
        kinds = {}
        for name, column_type, *_ in self.run(f"DESCRIBE SELECT * FROM {_VIEW}"):
            column_type = column_type.upper()
            kinds[name] = ("numeric" if _NUMERIC_DUCKDB.match(column_type) else
                           "bool" if column_type == "BOOLEAN" else
                           "text" if column_type == "VARCHAR" else column_type.lower())
        return kinds

    def close(self) -> None:
        self.con.close()


class _Spark:
    quote = staticmethod(quote_backtick)
    finite = staticmethod(finite_spark)
    Error: type = Exception

    def __init__(self, files: InputFiles, *, master: str | None, spark=None, progress: bool):
        try:
            with warnings.catch_warnings():
                # PySpark warns about pandas >= 3 on import; this job never converts to pandas.
                warnings.simplefilter("ignore", FutureWarning)
                from pyspark.errors import PySparkException
                from pyspark.sql import SparkSession
        except ImportError:
            raise DataError("--engine spark needs PySpark: pip install -r requirements-spark.txt "
                            "(and a Java 17+ runtime).") from None
        self.Error = PySparkException
        self.owned = spark is None
        if spark is None:
            builder = SparkSession.builder.appName("cutoff-summarise")
            if master:
                builder = builder.master(master)
            builder = builder.config("spark.ui.showConsoleProgress", "true" if progress else "false")
            if not master or master.startswith("local"):
                # One small aggregation: a few shuffle partitions, not the cluster default of 200.
                builder = builder.config("spark.sql.shuffle.partitions", "4").config("spark.ui.enabled", "false")
            try:
                spark = builder.getOrCreate()
            except Exception as error:  # noqa: BLE001  the JVM did not start: say what is missing
                raise DataError(f"Spark did not start ({_first_line(error)}); --engine spark needs a "
                                "Java 17+ runtime (apt-get install default-jre-headless).") from None
            spark.sparkContext.setLogLevel("ERROR")
        self.spark = spark
        try:
            reader = spark.read
            frame = (reader.parquet(files.folder or files.paths[0], *([] if files.folder else files.paths[1:]))
                     if files.kind == "parquet" else reader.csv(files.paths, header=True, inferSchema=True))
        except self.Error as error:
            if self.owned:  # started for this input only: do not leave its JVM running
                spark.stop()
            raise DataError(f"Spark could not read the input: {_first_line(error)}") from None
        frame.createOrReplaceTempView(_VIEW)
        self.frame = frame

    def run(self, sql: str) -> list[tuple]:
        return [tuple(row) for row in self.spark.sql(sql).collect()]

    def column_kinds(self) -> dict[str, str]:
        from pyspark.sql import types

        kinds = {}
        for f in self.frame.schema.fields:
            kinds[f.name] = ("numeric" if isinstance(f.dataType, types.NumericType) else
                             "bool" if isinstance(f.dataType, types.BooleanType) else
                             "text" if isinstance(f.dataType, types.StringType) else f.dataType.simpleString())
        return kinds

    def close(self) -> None:
        self.spark.catalog.dropTempView(_VIEW)
        if self.owned:
            self.spark.stop()


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


# --------------------------------------------------------------------------- the summary

@dataclass
class Summary:
    """A score-count table and what went into it."""

    columns: list[str]  # score, label, "count", [amount], [segment]
    rows: list[tuple]  # sorted by score, label, segment (missing segment last)
    positive: Any  # the label value counted as 1
    rows_read: int  # cases in the input
    rows_left_out: int  # no label (missing or NaN), or no finite score
    sql: str  # the query the engine ran
    notes: list[str] = field(default_factory=list)
    has_amount: bool = False  # columns[3] is the amount sum

    def to_arrow(self):
        import pyarrow as pa

        columns = list(zip(*self.rows)) if self.rows else [()] * len(self.columns)
        types = [pa.float64(), pa.int64(), pa.int64()] + [None] * (len(self.columns) - 3)
        if len(self.columns) > 3 and self.has_amount:
            types[3] = pa.float64()
        arrays = [pa.array(list(values), type=t) for values, t in zip(columns, types)]
        if arrays and arrays[-1].type == pa.null():
            arrays[-1] = arrays[-1].cast(pa.string())
        return pa.table(arrays, names=self.columns)

    def to_pandas(self):
        return self.to_arrow().to_pandas()


def _sorted(values: list) -> list:
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=str)


def _word(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip().lower()


def _same_word(v: Any, wanted: Any) -> bool:
    return _word(v) == _word(wanted) or (isinstance(v, bool) and _word(wanted) == ("1" if v else "0"))


def _as_type_of(wanted: Any, example: Any) -> Any:
    """``wanted`` (text from the command line) as a value of ``example``'s type, or None."""
    if isinstance(example, bool):
        return {"true": True, "1": True, "false": False, "0": False}.get(_word(wanted))
    if isinstance(example, (int, float)):
        try:
            number = float(wanted)
        except (TypeError, ValueError):
            return None
        return int(number) if number.is_integer() and isinstance(example, int) else number
    return str(wanted) if isinstance(example, str) else None


def _match_positive(wanted: Any, values: list, label: str) -> Any:
    """The label value ``wanted`` names (1 for "1", True for "true", "Yes" for "yes")."""
    for v in values:
        if v == wanted and isinstance(v, str) == isinstance(wanted, str):
            return v
    for v in values:
        if _same_word(v, wanted):
            return v
    raise DataError(f"--positive {wanted!r} is not a value of '{label}'; its values are "
                    f"{list_values(_sorted(values))}.")


def _no_label(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _choose_positive(positive: Any, label_counts: list[tuple], label: str, notes: list[str]) -> Any:
    values = [v for v, _ in label_counts if not _no_label(v)]
    counts = {v: n for v, n in label_counts if not _no_label(v)}
    if not values:
        raise DataError(f"Every value of '{label}' is missing, so no row has a label; pick the label column with --label.")
    if len(values) > MAX_LABEL_VALUES:
        raise DataError(f"'{label}' has more than {MAX_LABEL_VALUES:,} distinct values, so it is not a label; "
                        "pick the outcome column with --label.")
    if positive is not None:
        if len(values) == 1:
            lone = _as_type_of(positive, values[0])
            if lone is not None and not _same_word(lone, values[0]):
                # One class in this input (a partition of negatives, say): still a valid table.
                notes.append(f"every labelled row is {values[0]!r}, so no row is positive")
                return lone
        return _match_positive(positive, values, label)
    if len(values) > 2:
        raise DataError(f"'{label}' has {len(values):,} values ({list_values(_sorted(values))}); "
                        "pass --positive VALUE to say which one is the positive class.")
    if len(values) == 1:
        raise DataError(f"'{label}' has one value ({values[0]!r}) in the input; pass --positive VALUE to say "
                        "which class is positive (or check that INPUT holds both outcomes).")
    chosen = default_positive_class(values, counts)
    notes.append(f"positive class: {chosen!r} (label 1); pass --positive to choose the other")
    return chosen


def _check_columns(kinds: dict[str, str], *, label: str, score: str, amount: str | None,
                   segment: str | None, types: bool) -> None:
    named = {"--label": label, "--score": score, "--amount": amount, "--segment": segment}
    if types:
        for flag, column in (("--score", score), ("--amount", amount)):
            if column is not None and kinds[column] != "numeric":
                raise DataError(f"{flag} '{column}' holds {kinds[column]} values, not numbers; "
                                "pass a numeric column (or clean the file so that every value is a number).")
        return
    for flag, column in named.items():
        if column is None:
            continue
        if column not in kinds:
            close = [c for c in kinds if c.lower() == column.lower()]
            hint = f" Did you mean '{close[0]}'?" if close else f" Its columns are {list_values(list(kinds))}."
            raise DataError(f"{flag} '{column}' is not a column of the input.{hint}")
        if column == "count":
            raise DataError(f"{flag} 'count' clashes with the output's count column; rename that column first.")
    chosen = [c for c in named.values() if c is not None]
    if len(set(chosen)) < len(chosen):
        raise DataError("--label, --score, --amount and --segment must name different columns.")


def summarise(source: str, *, label: str, score: str, positive: Any = None, amount: str | None = None,
              segment: str | None = None, decimals: int = 4, engine: str = "duckdb",
              master: str | None = None, spark=None, progress: bool = False) -> Summary:
    """The score-count table of ``source`` (see the module docstring for the format).

    ``positive``: the label value counted as 1 (a string from the command line matches 1,
    True, ...); ``None`` picks it when the label has two values (core.target's rule).
    ``spark``: an existing SparkSession to reuse (tests, notebooks); otherwise one is started
    on ``master``. Raises :class:`DataError` for input a user can fix.
    """
    _check_decimals(decimals)
    if engine not in _ENGINES:
        raise DataError(f"--engine must be one of {', '.join(_ENGINES)}, got {engine!r}.")
    files = resolve_input(source, engine=engine)
    runner = (_DuckDB(files, progress=progress) if engine == "duckdb"
              else _Spark(files, master=master, spark=spark, progress=progress))
    try:
        try:
            return _summarise_with(runner, label=label, score=score, positive=positive, amount=amount,
                                   segment=segment, decimals=decimals)
        except runner.Error as error:
            raise DataError(f"Could not read {source}: {_first_line(error)}") from None
    finally:
        runner.close()


def _summarise_with(runner, *, label, score, positive, amount, segment, decimals) -> Summary:
    q = runner.quote
    kinds = runner.column_kinds()
    _check_columns(kinds, label=label, score=score, amount=amount, segment=segment, types=False)
    notes: list[str] = []
    label_counts = runner.run(f"SELECT {q(label)}, COUNT(*) FROM {_VIEW} GROUP BY {q(label)} "
                              f"ORDER BY COUNT(*) DESC LIMIT {MAX_LABEL_VALUES + 2}")
    rows_read = sum(n for _, n in label_counts)
    if rows_read == 0:  # before the types: a header-only CSV has text columns
        raise DataError("The input has no rows; check INPUT (an empty export, or the wrong folder).")
    _check_columns(kinds, label=label, score=score, amount=amount, segment=segment, types=True)
    positive = _choose_positive(positive, label_counts, label, notes)
    sql = summary_sql(_VIEW, label=label, score=score, positive=positive, amount=amount, segment=segment,
                      decimals=decimals, quote=q, finite=runner.finite)
    cells = runner.run(sql)
    kept = [row for row in cells if row[0] is not None and row[1] is not None]
    left_out = sum(row[2] for row in cells if row[0] is None or row[1] is None)
    if not kept:
        raise DataError(f"No row has both a label and a finite score in '{score}'; check --score.")
    if left_out:
        notes.append(f"left out {left_out:,} of {rows_read:,} rows: no label, or a missing/NaN/infinite score")
    columns = [score, label, "count"] + ([amount] if amount else []) + ([segment] if segment else [])
    rows = [(float(r[0]), int(r[1]), int(r[2])) + ((float(r[3]),) if amount else ()) + tuple(r[3 + bool(amount):])
            for r in kept]
    rows.sort(key=lambda r: (r[0], r[1]) + ((r[-1] is None, r[-1]) if segment else ()))
    return Summary(columns, rows, positive, rows_read, left_out, sql, notes, has_amount=amount is not None)


def write_summary(summary: Summary, output: str) -> None:
    """Write the table as CSV or Parquet (chosen by the name's ending)."""
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    lower = output.lower()
    parent = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(parent):
        raise DataError(f"The folder {parent} does not exist; create it or write --output elsewhere.")
    table = summary.to_arrow()
    if lower.endswith(".parquet"):
        pq.write_table(table, output)
    elif lower.endswith(".csv"):
        pa_csv.write_csv(table, output)
    else:
        raise DataError(f"--output {output} must end in .csv or .parquet.")


# --------------------------------------------------------------------------- the command

def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m core.summarise",
        description="Summarise scored rows into a score-count table that Cutoff reads exactly: one row per "
                    "(rounded score, label, segment) cell with its count and summed amount.",
        epilog="Scores are rounded half up: FLOOR(score * 10^d + 0.5) / 10^d, identically in DuckDB, Spark and "
               "the printed SQL. Exactness: a threshold on the grid gives the raw rows' metrics at half a step "
               "below it; a threshold between two grid points can be off by the cases in one cell. Rows without "
               "a label or a finite score are left out and counted. Upload the output in 'Use my scores' mode "
               "with 'count' as the Count column. Bad input: a one-line message and exit status 2.",
    )
    parser.add_argument("input", metavar="INPUT",
                        help="a Parquet file, a folder or glob of Parquet files, or a CSV; with --print-sql, "
                             "the warehouse table's name")
    parser.add_argument("--label", required=True, help="the outcome column")
    parser.add_argument("--positive", help="the label value that counts as positive (needed when the label "
                                           "has more than two values; with --print-sql wrap text in single "
                                           "quotes, e.g. \"'yes'\")")
    parser.add_argument("--score", required=True, help="the model's score column (numbers)")
    parser.add_argument("--amount", help="a money column to sum per cell (for per-case costs)")
    parser.add_argument("--segment", help="a column to split the cells by; missing values form their own group")
    parser.add_argument("--decimals", type=int, default=4, help="score resolution: decimals kept (default 4, "
                                                                "at most 10,001 values in [0, 1])")
    parser.add_argument("--engine", choices=_ENGINES, default="duckdb",
                        help="duckdb: embedded, streams with flat memory (default); spark: the same SQL "
                             "on Spark")
    parser.add_argument("--master", help="Spark master URL (e.g. local[2], spark://host:7077, yarn)")
    parser.add_argument("--output", help="OUT.csv or OUT.parquet")
    parser.add_argument("--print-sql", action="store_true",
                        help="print the aggregation as portable SQL over the table INPUT and exit")
    parser.add_argument("--dialect", choices=sorted(DIALECTS), default="standard",
                        help="for --print-sql: standard (PostgreSQL, Snowflake, SQLite), duckdb, bigquery or "
                             "spark (backtick quotes)")
    return parser


def _print_sql_positive(text: str | None) -> Any:
    """A literal for --print-sql, where the column's type is unknown: number, boolean or 'text'."""
    if text is None:
        return 1
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    for parse in (int, float):
        try:
            return parse(text)
        except ValueError:
            pass
    return text


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.print_sql:
            quote, exact_type, finite = DIALECTS[args.dialect]
            print(summary_sql(args.input, label=args.label, score=args.score,
                              positive=_print_sql_positive(args.positive), amount=args.amount,
                              segment=args.segment, decimals=args.decimals, quote=quote,
                              exact_type=exact_type, finite=finite) + ";")
            return 0
        if not args.output:
            raise DataError("Pass --output OUT.csv or OUT.parquet (or --print-sql for the SQL).")
        if args.master and args.engine != "spark":
            raise DataError("--master is a Spark master URL: add --engine spark (DuckDB runs here, embedded).")
        if not args.output.lower().endswith((".csv", ".parquet")):
            raise DataError(f"--output {args.output} must end in .csv or .parquet.")
        # DuckDB draws its bar on stdout, Spark on stderr: only when both are a terminal.
        progress = sys.stdout.isatty() and sys.stderr.isatty()
        if progress:
            print(f"summarising {args.input} with {args.engine} ...", file=sys.stderr)
        started = time.perf_counter()
        summary = summarise(args.input, label=args.label, score=args.score, positive=args.positive,
                            amount=args.amount, segment=args.segment, decimals=args.decimals,
                            engine=args.engine, master=args.master, progress=progress)
        write_summary(summary, args.output)
    except DataError as error:
        print(f"error: {' '.join(str(error).split())}", file=sys.stderr)
        return 2
    if progress:
        print(file=sys.stderr)  # past the last progress bar
    for note in summary.notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"wrote {len(summary.rows):,} cells ({summary.rows_read - summary.rows_left_out:,} rows) to "
          f"{args.output} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
