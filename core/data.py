"""Data intake: read an uploaded CSV, and check a table against the data contract.

Two steps, one error type (:class:`DataError`, a ``ValueError``) with a plain-words message
that names the problem and the fix:

* :func:`read_csv` turns the bytes of an upload into a ``DataFrame``. It sniffs the encoding
  (UTF-8, UTF-8 with BOM, UTF-16 with BOM, else Windows-1252), the delimiter (``,`` ``;`` tab
  ``|``) and the decimal mark (European exports write ``1,5``), and refuses what is not a
  table (binary files, ragged rows, ...). Anything it changed or guessed is reported in
  ``df.attrs["warnings"]``.
* :func:`describe_data` checks a table for binary classification: the target has two
  classes (or one-vs-rest), which rows are kept, each column's role (numeric, categorical or
  dropped, with the reason) and warnings such as a feature that leaks the answer.
* :func:`scores_from_column` does the same for *Use my scores* mode: labels plus an existing
  model's scores.

Conventions: ``y`` is a 0/1 ``int64`` array over the kept rows (target present), 1 = the
positive class; ``row_mask`` is a boolean array over all rows of the table marking those rows.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from core.errors import DataError

__all__ = [
    "DataError",
    "MAX_COLUMNS",
    "MAX_LINE_BYTES",
    "MISSING_TOKENS",
    "read_csv",
    "target_classes",
    "default_positive_class",
    "describe_data",
    "DataReport",
    "ColumnReport",
    "scores_from_column",
    "ScoreData",
    "min_rows_for_split",
]

MAX_COLUMNS = 1_000
"""Widest table :func:`read_csv` accepts; wider files are almost always a mis-parse or a pivot."""

MAX_LINE_BYTES = 1 << 20
"""A first line longer than this with no line break is not a table (1 MiB)."""

MISSING_TOKENS = ("", "NA", "N/A", "n/a", "na", "NaN", "nan", "NAN", "null", "NULL", "Null",
                  "None", "none", "#N/A", "<NA>", "?", "-")
"""Cell contents read as missing (exact match, case-sensitive as listed)."""

_DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_SNIFF_BYTES = 64 * 1024
_SNIFF_ROWS = 200

# Content signatures of files people upload by mistake: (magic bytes, what it is, the fix).
_EXPORT_HINT = "Export or save the data as CSV (comma-separated text) and upload that file."
_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image", _EXPORT_HINT),
    (b"\xff\xd8\xff", "a JPEG image", _EXPORT_HINT),
    (b"GIF87a", "a GIF image", _EXPORT_HINT),
    (b"GIF89a", "a GIF image", _EXPORT_HINT),
    (b"%PDF-", "a PDF document", _EXPORT_HINT),
    (b"\x1f\x8b", "a gzip-compressed file", "Decompress it and upload the CSV inside."),
    (b"BZh", "a bzip2-compressed file", "Decompress it and upload the CSV inside."),
    (b"\xfd7zXZ\x00", "an xz-compressed file", "Decompress it and upload the CSV inside."),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "Extract it and upload the CSV inside."),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Excel (.xls) or Office file",
     "In Excel use File > Save As > CSV UTF-8, then upload that file."),
    (b"PAR1", "a Parquet file", _EXPORT_HINT),
    (b"SQLite format 3\x00", "an SQLite database", _EXPORT_HINT),
)
_XLSX_HINT = "In Excel use File > Save As > CSV UTF-8, then upload that file."


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def read_csv(data: bytes, filename: str = "") -> pd.DataFrame:
    """Read the bytes of a CSV upload into a DataFrame.

    Handles UTF-8 (with or without BOM), UTF-16 with BOM and Windows-1252/Latin-1; comma,
    semicolon, tab and pipe delimiters; decimal commas; quoted fields with delimiters and line
    breaks; CRLF; thousands separators; the missing tokens in :data:`MISSING_TOKENS`. Column
    names are stripped of surrounding spaces and made unique; ``inf``/``-inf`` become missing.
    Column names are kept verbatim otherwise (they may contain HTML or Markdown: display them
    as text).

    Returns a DataFrame with ``df.attrs["warnings"]``: a list of plain-words strings (possibly
    empty) describing what was guessed or changed.

    Raises ``DataError`` for an empty file, a header without rows, binary content (images,
    archives, Excel workbooks, ...), ragged rows (naming the line), a first line longer than
    :data:`MAX_LINE_BYTES` without a line break, or more than :data:`MAX_COLUMNS` columns.
    """
    name = f"'{filename}'" if filename else "The file"
    raw = _as_bytes(data)
    warnings: list[str] = []
    try:
        raw = _decode_to_utf8(raw, name, warnings)
        raw, delimiter = _excel_separator_line(raw)
        dialect = _sniff(raw, name, delimiter)
        if dialect.decimal == ",":
            warnings.append(f"Read {_DELIMITER_NAMES[dialect.delimiter]}-separated values with "
                            "decimal commas: '1,5' is read as the number 1.5.")
        elif dialect.delimiter != ",":
            warnings.append(f"Read {_DELIMITER_NAMES[dialect.delimiter]}-separated values.")
        table = _read_table(raw, dialect, name)
        _check_width(table.num_columns, name)  # the sniffed sample may hold part of a long header
        nulls = [table.column(i).null_count for i in range(table.num_columns)]
        df = table.to_pandas(split_blocks=True, self_destruct=True, date_as_object=False)
        del table
        if len(df) == 0:
            raise DataError(f"{name} has a header ({len(df.columns)} columns) but no data rows. "
                            "Export the data again including its rows.")
        df.columns = _clean_names([str(c) for c in df.columns], warnings)
        changed = _coerce_numeric_text(df, dialect.decimal, warnings)
        changed |= _infinite_to_missing(df, warnings)
        missing = {col: (int(df[col].isna().sum()) if col in changed else n)
                   for col, n in zip(df.columns, nulls)}
        _report_missing(missing, warnings)
    except DataError:
        raise
    except MemoryError:
        raise DataError(f"{name} is too large to load in memory. Upload a sample of the rows "
                        "or fewer columns.") from None
    except Exception as exc:  # never let a parser's traceback reach the user
        raise DataError(f"{name} could not be read as a CSV table ({_short(exc)}). Check that it "
                        "is comma-, semicolon-, tab- or pipe-separated text with one header "
                        "row.") from None
    df.attrs["warnings"] = warnings
    return df


@dataclass(frozen=True)
class _Dialect:
    delimiter: str
    decimal: str
    n_columns: int
    quoted: bool  # the file contains a quote character, so fields may hold line breaks


def _as_bytes(data: Any) -> bytes:
    if isinstance(data, str):
        return data.encode("utf-8")
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    if hasattr(data, "getvalue"):  # an uploaded-file object
        return _as_bytes(data.getvalue())
    raise DataError(f"Expected the file's bytes, got {type(data).__name__}.")


def _decode_to_utf8(raw: bytes, name: str, warnings: list[str]) -> bytes:
    """UTF-8 bytes without BOM; refuses empty and binary content. Decodes only if needed."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raw = raw.decode("utf-16").encode("utf-8")
        warnings.append("Read the file as UTF-16 text.")
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    if not raw or raw.isspace():  # isspace stops at the first visible byte; strip would copy
        raise DataError(f"{name} is empty. Upload a CSV file with a header row and data rows.")
    _refuse_binary(raw, name)
    if raw.isascii():
        return raw
    try:
        raw.decode("utf-8")
        return raw
    except UnicodeDecodeError:
        pass
    try:
        text, encoding = raw.decode("cp1252"), "Windows-1252 (Western European)"
    except UnicodeDecodeError:  # bytes cp1252 leaves undefined: plain Latin-1 maps every byte
        text, encoding = raw.decode("latin-1"), "Latin-1 (ISO-8859-1)"
    warnings.append(f"The file is not UTF-8; read it as {encoding}. If accented letters look "
                    "wrong, save the file as CSV UTF-8 and upload it again.")
    return text.encode("utf-8")


def _refuse_binary(raw: bytes, name: str) -> None:
    head = raw[:_SNIFF_BYTES]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        if b"xl/" in head or b"[Content_Types].xml" in head:
            raise DataError(f"{name} is an Excel workbook (.xlsx), not a CSV file. {_XLSX_HINT}")
        raise DataError(f"{name} is a zip archive, not a CSV file. Extract it and upload the "
                        "CSV inside.")
    for magic, what, fix in _SIGNATURES:
        if head.startswith(magic):
            raise DataError(f"{name} is {what}, not a CSV file. {fix}")
    if b"\x00" in head:
        raise DataError(f"{name} contains binary data, not text. {_EXPORT_HINT}")


def _excel_separator_line(raw: bytes) -> tuple[bytes, str | None]:
    """Excel may write a first line ``sep=;`` naming the delimiter: use it and drop it."""
    match = re.match(rb"sep=([,;\t|])\r?\n", raw)
    if match is None:
        return raw, None
    return raw[match.end():], match.group(1).decode()


def _sniff(raw: bytes, name: str, delimiter: str | None = None) -> _Dialect:
    """Delimiter (unless given), decimal mark and header width from the first rows of
    UTF-8 ``raw``."""
    breaks = [i for i in (raw.find(b"\n", 0, MAX_LINE_BYTES), raw.find(b"\r", 0, MAX_LINE_BYTES))
              if i >= 0]
    first_break = min(breaks) if breaks else -1
    if first_break < 0 and len(raw) > MAX_LINE_BYTES:
        raise DataError(f"{name} starts with a line of more than {MAX_LINE_BYTES // 2**20} MB "
                        "with no line break, so it is not a table. Export it as CSV with one "
                        "row per line.")
    size = max(first_break, 0) + _SNIFF_BYTES  # the whole header plus some rows
    truncated = len(raw) > size
    sample = codecs.getincrementaldecoder("utf-8")(errors="replace").decode(
        raw[:size], final=not truncated)
    if truncated:  # drop the partial last line
        sample = sample[: max(sample.rfind("\n"), sample.rfind("\r")) + 1] or sample
    best: tuple[float, int, str] | None = None
    best_rows: list[list[str]] = []
    for candidate in (delimiter,) if delimiter else _DELIMITERS:
        rows = _sample_rows(sample, candidate)
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        share = sum(len(r) == width for r in rows) / len(rows)
        key = (share, width, candidate)
        if best is None or key[:2] > best[:2]:
            best, best_rows = key, rows
    if best is None:  # a single column: pick the delimiter that splits no row either
        def unsplit(candidate: str) -> float:
            rows = _sample_rows(sample, candidate)
            return sum(len(r) == 1 for r in rows) / max(len(rows), 1)

        delimiter = delimiter or max(_DELIMITERS, key=unsplit)  # ties: the first, a comma
        best_rows = _sample_rows(sample, delimiter)
    else:
        delimiter = best[2]
    width = len(best_rows[0]) if best_rows else 1
    _check_width(width, name)
    # Quotes only in the header (a common export style) do not need the slower quoted-newline
    # aware parsing of the body.
    quoted = raw.find(b'"', max(first_break, 0)) >= 0  # find, not a slice: no 100 MB copy
    return _Dialect(delimiter, _sniff_decimal(best_rows[1:], delimiter), width, quoted)


def _check_width(width: int, name: str) -> None:
    if width > MAX_COLUMNS:
        raise DataError(f"{name} has {width:,} columns; Cutoff reads at most {MAX_COLUMNS:,}. "
                        "Keep the columns you need (target, features, scores) and upload again.")


def _sample_rows(sample: str, delimiter: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, quotechar='"')
    rows = []
    try:
        for row in reader:
            if row:
                rows.append(row)
            if len(rows) >= _SNIFF_ROWS:
                break
    except csv.Error:
        pass
    return rows


_EU_NUMBER = re.compile(r"[+-]?(\d{1,3}([.\s\u00a0\u202f]\d{3})+|\d+),\d+")
_DOT_DECIMAL = re.compile(r"[+-]?\d*\.\d+")


def _sniff_decimal(rows: list[list[str]], delimiter: str) -> str:
    """',' when the sample's numbers use decimal commas (only possible off comma-separated)."""
    if delimiter == ",":
        return "."
    comma = dot = 0
    for row in rows:
        for cell in row:
            cell = cell.strip()
            if _EU_NUMBER.fullmatch(cell):
                comma += 1
            elif _DOT_DECIMAL.fullmatch(cell):
                dot += 1
    return "," if comma > dot else "."


def _read_table(raw: bytes, dialect: _Dialect, name: str) -> pa.Table:
    """Parse with pyarrow (multi-threaded); on a type clash, re-read every column as text."""
    parse = pa_csv.ParseOptions(delimiter=dialect.delimiter, quote_char='"', double_quote=True,
                                newlines_in_values=dialect.quoted, ignore_empty_lines=True)
    convert = pa_csv.ConvertOptions(null_values=list(MISSING_TOKENS), strings_can_be_null=True,
                                    quoted_strings_can_be_null=True, decimal_point=dialect.decimal)
    block_size = 1 << 24  # measured: fewer, larger blocks parse faster here than the 1 MB default
    for _attempt in range(3):
        try:
            return pa_csv.read_csv(pa.BufferReader(raw), parse_options=parse,
                                   convert_options=convert,
                                   read_options=pa_csv.ReadOptions(block_size=block_size))
        except pa.ArrowInvalid as exc:
            message = str(exc)
            if "Expected" in message and "columns, got" in message:
                raise _ragged_error(raw, dialect, name) from None
            if "straddl" in message:  # one row is longer than a parse block
                block_size = min(max(len(raw), block_size) + 1, 1 << 30)
                continue
            if "conversion error" in message or "UTF8" in message:
                return _read_as_text(raw, parse, convert, block_size)
            raise
    raise DataError(f"{name} has a row longer than {block_size // 2**20} MB. Check that the "
                    "quotes in the file are balanced.")


def _read_as_text(raw: bytes, parse, convert, block_size: int) -> pa.Table:
    """Every column as text, header included as the first row (so names need not be unique)."""
    table = pa_csv.read_csv(
        pa.BufferReader(raw), parse_options=parse,
        read_options=pa_csv.ReadOptions(autogenerate_column_names=True, block_size=block_size),
        convert_options=pa_csv.ConvertOptions(
            null_values=convert.null_values, strings_can_be_null=True,
            quoted_strings_can_be_null=True, check_utf8=False,
            column_types={f"f{i}": pa.string() for i in range(MAX_COLUMNS + 1)}))
    names = [col[0].as_py() or "" for col in table.columns]
    return table.slice(1).rename_columns(names)


def _ragged_error(raw: bytes, dialect: _Dialect, name: str) -> DataError:
    """Name the first line whose number of fields differs from the header's."""
    where = "the file" if name == "The file" else name
    text = raw.decode("utf-8", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=dialect.delimiter, quotechar='"')
    width = None
    try:
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if width is None:
                width = len(row)
            elif len(row) != width:
                fields = f"{len(row)} field{'s' if len(row) != 1 else ''}"
                delimiter = _DELIMITER_NAMES[dialect.delimiter]
                quote = ", or an unclosed quote" if dialect.quoted else ""
                return DataError(
                    f"Line {reader.line_num:,} of {where} has {fields} but the header has "
                    f"{width}. Fix or remove that line (a missing or extra {delimiter}, an "
                    f"unquoted {delimiter} inside a value{quote}) and upload again.")
    except csv.Error as exc:
        return DataError(f"Line {reader.line_num:,} of {where} could not be parsed ({exc}). Fix "
                         "that line and upload again.")
    return DataError(f"{name} has rows with a different number of fields than the header. "
                     "Check the delimiters and quotes, then upload again.")


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def _clean_names(names: list[str], warnings: list[str]) -> list[str]:
    """Strip spaces, name empty headers, make names unique ('amount', 'amount (2)')."""
    cleaned = [n.strip() or f"Unnamed: {i}" for i, n in enumerate(names)]
    seen: dict[str, int] = {}
    result: list[str] = []
    taken = set(cleaned)
    repeated: list[str] = []
    for n in cleaned:
        if n not in seen:
            seen[n] = 1
            result.append(n)
            continue
        if seen[n] == 1:
            repeated.append(n)
        k = seen[n]
        while True:
            k += 1
            candidate = f"{n} ({k})"
            if candidate not in taken:
                break
        seen[n] = k
        taken.add(candidate)
        result.append(candidate)
    if repeated:
        shown = ", ".join(f"'{n}'" for n in repeated[:5])
        warnings.append(f"Repeated column names ({shown}{', ...' if len(repeated) > 5 else ''}): "
                        "later copies were renamed with a number, e.g. "
                        f"'{repeated[0]} (2)'.")
    return result


_THOUSANDS = {".": re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?"),
              ",": re.compile(r"[+-]?\d{1,3}([.\s\u00a0\u202f]\d{3})+(,\d+)?")}
_PLAIN = {".": re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?"),
          ",": re.compile(r"[+-]?\d+(,\d+)?([eE][+-]?\d+)?")}
_MOSTLY_NUMERIC = 0.98  # a text column this numeric is a numeric column with stray entries


def _coerce_numeric_text(df: pd.DataFrame, decimal: str, warnings: list[str]) -> set:
    """Turn text columns that hold numbers (thousands separators, spaces, a few stray words)
    into numbers, in place; returns the names of the columns changed."""
    changed = set()
    for col in list(df.columns):
        s = df[col]
        if not (pd.api.types.is_string_dtype(s.dtype) or s.dtype == object):
            continue
        present = s.dropna()
        if present.empty:
            continue
        head = present.iloc[:200].astype(str).str.strip()
        looks = head.str.fullmatch(_PLAIN[decimal].pattern) | head.str.fullmatch(
            _THOUSANDS[decimal].pattern)
        if looks.mean() < 0.5:
            continue
        text = present.astype(str).str.strip()
        grouped = text.str.fullmatch(_THOUSANDS[decimal].pattern)
        if decimal == ",":
            normal = text.where(~grouped, text.str.replace(r"[.\s\u00a0\u202f]", "", regex=True))
            normal = normal.str.replace(",", ".", regex=False)
        else:
            normal = text.where(~grouped, text.str.replace(",", "", regex=False))
        numbers = pd.to_numeric(normal, errors="coerce")
        bad = numbers.isna()
        if bad.mean() > 1 - _MOSTLY_NUMERIC:
            continue
        values = pd.Series(np.nan, index=s.index, dtype="float64")
        values.loc[numbers.index] = numbers.to_numpy(dtype="float64")
        df[col] = values
        changed.add(col)
        if grouped.any():
            example = text[grouped].iloc[0]
            warnings.append(f"'{col}': read numbers with thousands separators (e.g. '{example}' "
                            f"as {numbers[grouped].iloc[0]:g}).")
        if bad.any():
            examples = ", ".join(f"'{v}'" for v in pd.unique(text[bad])[:3])
            entries = "1 entry is" if bad.sum() == 1 else f"{int(bad.sum()):,} entries are"
            warnings.append(f"'{col}' is numeric but {entries} not numbers ({examples}); they "
                            "are treated as missing.")
    return changed


def _infinite_to_missing(df: pd.DataFrame, warnings: list[str]) -> set:
    counts = {}
    for col in df.columns:
        s = df[col]
        if s.dtype.kind == "f":
            values = s.to_numpy()
            inf = np.isinf(values)
            n = int(inf.sum())
            if n:
                df[col] = s.mask(inf)
                counts[col] = n
    if counts:
        warnings.append(f"Treated {sum(counts.values()):,} infinite values (inf/-inf) as missing: "
                        + _per_column(counts) + ".")
    return set(counts)


def _report_missing(missing: dict, warnings: list[str]) -> None:
    missing = {col: n for col, n in missing.items() if n}
    if missing:
        total = sum(missing.values())
        warnings.append(f"{total:,} missing value{'s' if total > 1 else ''} in {len(missing)} "
                        f"column{'s' if len(missing) > 1 else ''}: {_per_column(missing)}. "
                        "Empty cells and NA, N/A, null, ?, - count as missing.")


def _per_column(counts: dict, limit: int = 5) -> str:
    items = sorted(counts.items(), key=lambda kv: -kv[1])
    text = ", ".join(f"'{k}' ({v:,})" for k, v in items[:limit])
    return text + (f" and {len(items) - limit} more" if len(items) > limit else "")


# --------------------------------------------------------------------------------------------
# The target
# --------------------------------------------------------------------------------------------

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
        if _same(c, wanted) and isinstance(c, bool) == isinstance(wanted, (bool, np.bool_)):
            return c
    for c in classes:
        if _as_word(c) == _as_word(wanted):
            return c
    raise DataError(f"'{wanted}' is not a value of '{target}'. Choose the positive class from: "
                    f"{_list_values(classes)}.")


def _list_values(values: list, limit: int = 10) -> str:
    shown = ", ".join(f"'{v}'" for v in values[:limit])
    return shown + (f" and {len(values) - limit:,} more" if len(values) > limit else "")


@dataclass
class _Target:
    """The binary outcome the model learns: shared by describe_data and scores_from_column."""

    positive_class: Any
    negative_label: str
    one_vs_rest: bool
    classes: list
    y: np.ndarray
    row_mask: np.ndarray
    n_missing_target: int
    warnings: list[str]


def _binary_target(df: pd.DataFrame, target: str, positive_class: Any) -> _Target:
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
            raise DataError(f"'{target}' has {len(classes):,} classes ({_list_values(classes)})."
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
        negative_label = str(next(c for c in classes if not _same(c, positive_class)))
    codes, uniques = pd.factorize(labels[row_mask], use_na_sentinel=True)
    positive_code = next(i for i, u in enumerate(uniques) if _same(u, positive_class))
    y = (codes == positive_code).astype(np.int64)
    if n_missing:
        warnings.append(f"Dropped {n_missing:,} row{'s' if n_missing > 1 else ''} with no value "
                        f"in '{target}'.")
    return _Target(positive_class, negative_label, one_vs_rest, classes, y, row_mask, n_missing,
                   warnings)


def _same(a: Any, b: Any) -> bool:
    return a == b and isinstance(a, str) == isinstance(b, str)


# --------------------------------------------------------------------------------------------
# The data contract
# --------------------------------------------------------------------------------------------

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

    @property
    def n_kept(self) -> int:
        return int(self.y.size)

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


def describe_data(df: pd.DataFrame, target: str, positive_class: Any = None,
                  feature_columns: Iterable[str] | None = None, *,
                  exclude: Iterable[str] = (), require_split: bool = True,
                  sizes: Sequence[float] = (0.6, 0.2, 0.2)) -> DataReport:
    """Check ``df`` for a binary classification on ``target`` and report every column's role.

    ``positive_class``: None picks :func:`default_positive_class` (two classes only); with
    three or more classes it selects one-vs-rest. ``feature_columns``: None uses every usable
    column; a list restricts the features to those (others are dropped as "not selected").
    ``exclude``: columns never used as features (e.g. a demo's score column). With
    ``require_split`` (Train mode) the kept rows must allow a stratified split of ``sizes``.

    Raises ``DataError`` when the target is missing, has one class, has three or more classes
    and no positive class, or has too few rows or rows of a class for the split.
    """
    t = _binary_target(df, target, positive_class)
    if df.columns.duplicated().any():
        repeated = list(dict.fromkeys(df.columns[df.columns.duplicated()]))
        raise DataError(f"Column names must be unique; repeated: {_list_values(repeated)}. Rename "
                        "them and try again.")
    warnings = list(t.warnings)
    n_kept = int(t.y.size)
    n_pos = int(t.y.sum())
    if require_split:
        _check_split(n_kept, n_pos, t, target, sizes)
    selected = None if feature_columns is None else list(feature_columns)
    if selected is not None:
        unknown = [c for c in selected if c not in df.columns]
        if unknown:
            raise DataError(f"No column named {_list_values(unknown)}. Pick features from the "
                            "table's columns.")
    excluded = set(exclude)
    columns: list[ColumnReport] = []
    numeric: list[str] = []
    categorical: list[str] = []
    dropped: dict[str, str] = {}
    for name in df.columns:
        s = df[name]
        n_missing, n_distinct = _missing_and_distinct(s)
        if name == target:
            columns.append(ColumnReport(name, _type_name(s), "target", None, n_missing, n_distinct))
            continue
        if selected is not None and name not in selected:
            reason = "not selected as a feature"
        elif name in excluded:
            reason = "excluded (scores from another model, not an input)"
        else:
            reason = _drop_reason(name, s, n_missing, n_distinct)
        if reason is not None:
            role = "dropped"
            dropped[name] = reason
        elif _is_numeric(s):
            role = "numeric"
            numeric.append(name)
        else:
            role = "categorical"
            categorical.append(name)
        columns.append(ColumnReport(name, _type_name(s), role, reason, n_missing, n_distinct))
    if selected is not None:
        asked = [c for c in selected if c in dropped and dropped[c] != "not selected as a feature"]
        if asked:
            warnings.append("Selected but not usable: " + "; ".join(
                f"'{c}' ({dropped[c]})" for c in asked) + ".")
    if not numeric and not categorical:
        warnings.append("No usable feature columns: a model cannot be trained. Select other "
                        "columns, or use 'Use my scores' mode with a score column.")
    leakage = _leaky_features(df, np.flatnonzero(t.row_mask), t.y, numeric, categorical)
    for name, auc in leakage:
        warnings.append(f"'{name}' on its own separates the target almost perfectly (ROC AUC "
                        f"{auc:.3f}). It may be recorded after the outcome (leakage): remove it "
                        "unless it is truly known when the decision is made.")
    rare = min(n_pos, n_kept - n_pos) / max(n_kept, 1)
    if rare < 0.01:
        warnings.append(f"Only {rare:.1%} of rows are in the smaller class: metrics such as "
                        "precision will be noisy.")
    order = [t.positive_class] + [c for c in t.classes if not _same(c, t.positive_class)]
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


def _check_split(n_kept: int, n_pos: int, t: _Target, target: str, sizes: Sequence[float]) -> None:
    need_rows, need_class = min_rows_for_split(sizes)
    split = "/".join(f"{round(100 * s)}" for s in sizes)
    if n_kept < need_rows:
        raise DataError(f"Only {n_kept:,} rows have a value in '{target}'. A train/validation/test "
                        f"split ({split}) needs at least {need_rows:,} rows. Upload more rows, or "
                        "use 'Use my scores' mode.")
    for label, count in ((f"'{t.positive_class}'", n_pos), (t.negative_label if t.one_vs_rest
                                                            else f"'{t.negative_label}'",
                                                            n_kept - n_pos)):
        if count < need_class:
            raise DataError(f"Only {count:,} rows have the class {label}. A stratified train/"
                            f"validation/test split ({split}) needs at least {need_class:,} rows "
                            "of each class (2 in the smallest split). Add rows of that class or "
                            "pick another target.")


def _is_numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)


def _type_name(s: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(s.dtype):
        return "true/false"
    if pd.api.types.is_integer_dtype(s.dtype):
        return "integer"
    if pd.api.types.is_numeric_dtype(s.dtype):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return "date/time"
    return "text"


def _numeric_values(s: pd.Series) -> np.ndarray:
    """float64 values with NaN for missing and for +-inf."""
    values = s.to_numpy(dtype="float64", na_value=np.nan)
    return np.where(np.isinf(values), np.nan, values)


def _missing_and_distinct(s: pd.Series) -> tuple[int, int]:
    if _is_numeric(s) and not pd.api.types.is_bool_dtype(s.dtype):
        values = _numeric_values(s)
        present = values[~np.isnan(values)]
        return int(values.size - present.size), int(pd.unique(present).size)
    missing = s.isna()
    return int(missing.sum()), int(s[~missing].nunique())


def _drop_reason(name: str, s: pd.Series, n_missing: int, n_distinct: int) -> str | None:
    n_present = len(s) - n_missing
    if n_present == 0:
        return "all missing"
    if n_distinct == 1:
        only = s.dropna().iloc[0]
        return f"constant (every value is '{only}')"
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return "date/time (not used as a feature)"
    if _is_numeric(s):
        if pd.api.types.is_bool_dtype(s.dtype):
            return None
        values = _numeric_values(s)
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
    perfectly."""
    from sklearn.metrics import roc_auc_score

    if y.size < 10 or y.min() == y.max():
        return []
    if y.size > _LEAKAGE_SAMPLE:  # seeded, so the same table always gets the same verdict
        pick = np.sort(np.random.default_rng(0).choice(y.size, _LEAKAGE_SAMPLE, replace=False))
        rows, y = rows[pick], y[pick]
    kept = df[numeric + categorical].iloc[rows]
    found = []
    for name in numeric + categorical:
        s = kept[name]
        if name in numeric:
            score = _numeric_values(s)
            valid = ~np.isnan(score)
        else:
            levels = s.astype(object).where(s.notna(), "\0missing")
            if levels.nunique() * 10 > y.size:  # too many levels: target means would overfit
                continue
            score = pd.Series(y).groupby(levels.to_numpy(), sort=False).transform("mean").to_numpy()
            valid = np.ones(y.size, dtype=bool)
        if valid.sum() < 10 or y[valid].min() == y[valid].max():
            continue
        auc = float(roc_auc_score(y[valid], score[valid]))
        if max(auc, 1 - auc) >= LEAKAGE_AUC:
            found.append((name, auc))
    return found


# --------------------------------------------------------------------------------------------
# Bring your own scores
# --------------------------------------------------------------------------------------------


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
    t = _binary_target(df, target, positive_class)
    raw = df[score_column][t.row_mask]
    if pd.api.types.is_bool_dtype(raw.dtype):
        raise DataError(f"'{score_column}' holds true/false values, not scores. Pick the column "
                        "with your model's scores (numbers).")
    if _is_numeric(raw):
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
