"""Reading an upload into a table: CSV, Parquet, Excel, and gzip or zip holding one CSV.

:func:`read_table` is the entry point the app uses. It recognises the format by the file's
first bytes, never by its name (a ``.csv`` that is really a workbook still loads), then hands
over to one reader per format:

* CSV (:func:`read_csv`): sniffs the encoding (UTF-8, UTF-8 with BOM, UTF-16 little- or
  big-endian with or without BOM, else Windows-1252), the delimiter (``,`` ``;`` tab ``|``)
  and the decimal mark (European exports write ``1,5``), and refuses what is not a table
  (binary files, ragged rows, ...).
* Parquet (``PAR1``): pyarrow.
* Excel ``.xlsx`` (a zip holding ``xl/``) and ``.xls`` (an OLE2 compound file): pandas with the
  ``calamine`` engine (measured faster than openpyxl, and it reads ``.xls`` too). The first
  sheet unless ``sheet`` names another; :func:`excel_sheets` lists them.
* gzip (``1f 8b``) and zip (``PK``) holding exactly one CSV (or Parquet/Excel file): unpacked in
  memory, up to :data:`MAX_UNPACKED_BYTES`, and read by the inner file's own first bytes.

Every reader returns a ``DataFrame`` whose column names are stripped, unique strings, whose
missing tokens (:data:`MISSING_TOKENS`) and infinities are missing values, and whose
``df.attrs["warnings"]`` lists in plain words what was guessed or changed. Every failure is a
:class:`~core.errors.DataError` naming the problem and the fix. Adding a format: a signature
in :func:`detect_format` and a reader in :data:`_READERS`.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from core.errors import DataError

__all__ = [
    "MAX_COLUMNS",
    "MAX_LINE_BYTES",
    "MAX_UNPACKED_BYTES",
    "MISSING_TOKENS",
    "FORMATS",
    "detect_format",
    "excel_sheets",
    "read_csv",
    "read_table",
]

MAX_COLUMNS = 20_000
"""Widest table the readers accept (gene panels and one-hot exports reach 10,000 columns);
wider files are almost always a mis-parse or a pivot."""

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



def read_csv(data: bytes, filename: str = "") -> pd.DataFrame:
    """Read the bytes of a CSV upload into a DataFrame.

    Handles UTF-8 (with or without BOM), UTF-16 LE/BE (with or without BOM) and
    Windows-1252/Latin-1; comma, semicolon, tab and pipe delimiters; decimal commas; quoted
    fields with delimiters and line breaks; CRLF; thousands separators; the missing tokens in
    :data:`MISSING_TOKENS`. Column names are stripped of surrounding spaces and made unique;
    ``inf``/``-inf`` become missing. Column names are kept verbatim otherwise (they may
    contain HTML or Markdown: display them as text).

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
        nulls = [_missing_count(table.column(i)) for i in range(table.num_columns)]
        df = table.to_pandas(split_blocks=True, self_destruct=True, date_as_object=False)
        del table
        if len(df) == 0:
            raise _no_rows(name, len(df.columns))
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


def _missing_count(column: pa.ChunkedArray) -> int:
    """The missing cells of a parsed column: its nulls, and in a number column its NaN too
    (pyarrow reads spellings such as ``Nan``, ``-nan`` or ``+nan`` as NaN, not as null)."""
    if pa.types.is_floating(column.type):
        return int(pc.sum(pc.is_null(column, nan_is_null=True)).as_py() or 0)
    return column.null_count


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
    elif b"\x00" in raw[:_SNIFF_BYTES]:
        _refuse_known_formats(raw, name)  # an image or archive is named as such, not decoded
        endian = _utf16_without_bom(raw)
        if endian is not None:
            raw = raw.decode(f"utf-16-{endian}").encode("utf-8")
            order = "little" if endian == "le" else "big"
            warnings.append(f"Read the file as UTF-16 text ({order}-endian, without a byte-order "
                            "mark).")
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
    _refuse_known_formats(raw, name)
    if b"\x00" in raw[:_SNIFF_BYTES]:
        raise DataError(f"{name} contains binary data, not text. {_EXPORT_HINT}")


def _refuse_known_formats(raw: bytes, name: str) -> None:
    """Name the file people upload by mistake (an image, an archive, a workbook ...)."""
    head = raw[:_SNIFF_BYTES]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        if b"xl/" in head or b"[Content_Types].xml" in head:
            raise DataError(f"{name} is an Excel workbook (.xlsx), not a CSV file. {_XLSX_HINT}")
        raise DataError(f"{name} is a zip archive, not a CSV file. Extract it and upload the "
                        "CSV inside.")
    for magic, what, fix in _SIGNATURES:
        if head.startswith(magic):
            raise DataError(f"{name} is {what}, not a CSV file. {fix}")


_UTF16_PROBE = 8 * 1024  # bytes (4,096 code units) that decide the byte order
_UTF16_MIN_ZERO_SHARE = 0.1  # a CSV's delimiters, digits and line breaks are ASCII
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")  # control characters


def _utf16_without_bom(raw: bytes) -> str | None:
    """"le" or "be" when ``raw`` is UTF-16 text without a byte-order mark, else None.

    ASCII characters (every delimiter, digit and line break of a CSV) are one zero byte and
    one non-zero byte in UTF-16: the zero byte is the second of each pair in little-endian and
    the first in big-endian. So one side of the pairs must hold many zero bytes and the other
    almost none, and then the whole file must decode strictly and hold no control characters
    besides tab and line breaks; binary data fails one of these.
    """
    if len(raw) % 2:
        return None
    probe = raw[:_UTF16_PROBE]
    pairs = len(probe) // 2
    zero_first, zero_second = probe[0::2].count(0), probe[1::2].count(0)
    if zero_second >= _UTF16_MIN_ZERO_SHARE * pairs and zero_first * 20 <= zero_second:
        endian = "le"
    elif zero_first >= _UTF16_MIN_ZERO_SHARE * pairs and zero_second * 20 <= zero_first:
        endian = "be"
    else:
        return None
    try:
        text = raw.decode(f"utf-16-{endian}")
    except UnicodeDecodeError:  # a lone surrogate: not text
        return None
    return None if _NOT_TEXT.search(text) else endian


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


_BLOCK_BYTES = 1 << 24  # pyarrow's parse block; measured: fewer, larger blocks parse faster than 1 MB
_MAX_BLOCK_BYTES = 1 << 30  # the largest block a retry for a long row takes (1 GiB)


def _read_table(raw: bytes, dialect: _Dialect, name: str) -> pa.Table:
    """Parse with pyarrow (multi-threaded); on a type clash, re-read every column as text."""
    parse = pa_csv.ParseOptions(delimiter=dialect.delimiter, quote_char='"', double_quote=True,
                                newlines_in_values=dialect.quoted, ignore_empty_lines=True)
    convert = pa_csv.ConvertOptions(null_values=list(MISSING_TOKENS), strings_can_be_null=True,
                                    quoted_strings_can_be_null=True, decimal_point=dialect.decimal)
    block_size = _BLOCK_BYTES
    for _attempt in range(3):
        try:
            return pa_csv.read_csv(pa.BufferReader(raw), parse_options=parse,
                                   convert_options=convert,
                                   read_options=pa_csv.ReadOptions(block_size=block_size))
        except pa.ArrowInvalid as exc:
            message = str(exc)
            if "Expected" in message and "columns, got" in message:
                raise _ragged_error(raw, dialect, name) from None
            if "Empty CSV file" in message and not raw.endswith((b"\n", b"\r")):
                raw += b"\n"  # a header alone, without a line break: pyarrow sees no whole line
                continue
            if "straddl" in message:  # one row is longer than a parse block
                block_size = min(max(len(raw), block_size) + 1, _MAX_BLOCK_BYTES)
                continue
            if "conversion error" in message:  # pyarrow's words for a type clash and for bad UTF-8
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
    for col in _text_columns(df):
        s = df[col]
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


def _text_columns(df: pd.DataFrame) -> list:
    """Names of the text (or mixed object) columns, from the dtypes: no column is selected."""
    return [col for col, dtype in df.dtypes.items()
            if dtype == object or pd.api.types.is_string_dtype(dtype)]


_BLOCK_VALUES = 4_000_000  # cells per block of columns checked at once (32 MB of float64)


def _infinite_to_missing(df: pd.DataFrame, warnings: list[str]) -> set:
    floats = [col for col, dtype in df.dtypes.items() if isinstance(dtype, np.dtype)
              and dtype.kind == "f"]
    counts = {}
    block = max(1, _BLOCK_VALUES // max(len(df), 1))
    for start in range(0, len(floats), block):  # whole blocks: wide tables have 10,000 columns
        part = floats[start:start + block]
        found = np.isinf(df[part].to_numpy()).sum(axis=0)
        for col in (part[j] for j in np.flatnonzero(found)):
            s = df[col]
            inf = np.isinf(s.to_numpy())
            df[col] = s.mask(inf)
            counts[col] = int(inf.sum())
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
# Other formats, recognised by their first bytes
# --------------------------------------------------------------------------------------------

MAX_UNPACKED_BYTES = 1 << 30
"""Largest file :func:`read_table` unpacks from a gzip or zip upload (1 GiB): a small archive
can expand to any size, and a table this big does not fit the app anyway."""

FORMATS = {
    "csv": "CSV",
    "parquet": "Parquet",
    "xlsx": "Excel workbook (.xlsx)",
    "xls": "Excel 97-2003 workbook (.xls)",
    "gzip": "gzip-compressed file (.gz)",
    "zip": "zip archive",
}
"""What :func:`detect_format` can answer, and how to name it to a user."""

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound-file header of .xls (and .doc, .msg)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_IGNORED_MEMBERS = re.compile(r"(^|/)(__MACOSX/|\._|\.DS_Store$|Thumbs\.db$)")


def detect_format(data: bytes) -> str:
    """The format of ``data`` from its first bytes: a key of :data:`FORMATS`.

    Anything that is not Parquet, Excel, gzip or zip is "csv" (the CSV reader then refuses
    images, PDFs and other binary content with its own message).
    """
    head = bytes(data[:8])
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(_OLE2):
        return "xls"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(_ZIP_MAGIC):
        return "xlsx" if _is_workbook(data) else "zip"
    return "csv"


def _is_workbook(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    return "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names)


def read_table(data: bytes, filename: str = "", sheet: str | None = None) -> pd.DataFrame:
    """Read an upload in any supported format (see the module docstring) into a DataFrame.

    ``sheet`` picks a workbook's sheet by name (the first sheet when None; ignored for other
    formats). Besides ``df.attrs["warnings"]``, ``df.attrs["format"]`` holds the format read
    (a key of :data:`FORMATS`, the inner file's for an archive) and ``df.attrs["sheets"]`` the
    workbook's sheet names (empty for other formats).

    Raises ``DataError`` for anything :func:`read_csv` refuses, for an archive that holds no
    file or several, a corrupt Parquet file or workbook, an unknown sheet, or a table wider
    than :data:`MAX_COLUMNS`.
    """
    return _read_any(_as_bytes(data), filename, sheet, depth=0)


def excel_sheets(data: bytes) -> list[str]:
    """The sheet names of a workbook upload (``.xlsx``/``.xls``, possibly zipped), in order;
    empty for any other format."""
    raw = _as_bytes(data)
    kind = detect_format(raw)
    if kind in ("gzip", "zip"):
        kind_inner, raw = _unpack(raw, kind, "The file")
        kind = kind_inner
    if kind not in ("xlsx", "xls"):
        return []
    return list(_workbook(raw, "The file").sheet_names)


def _read_any(raw: bytes, filename: str, sheet: str | None, depth: int) -> pd.DataFrame:
    name = f"'{filename}'" if filename else "The file"
    kind = detect_format(raw)
    if kind in ("gzip", "zip"):
        if depth > 0:
            raise DataError(f"{name} is an archive inside an archive. Extract it and upload the "
                            "table inside.")
        inner_kind, inner = _unpack(raw, kind, name)
        df = _read_any(inner, filename, sheet, depth + 1)
        df.attrs["warnings"].insert(0, f"Unpacked the {FORMATS[kind]} and read the "
                                       f"{FORMATS[inner_kind]} inside.")
        return df
    if kind == "csv":
        df = read_csv(raw, filename)
        sheets: list[str] = []
    elif kind == "parquet":
        df, sheets = _read_parquet(raw, name), []
    else:
        df, sheets = _read_excel(raw, name, sheet)
    df.attrs["format"] = kind
    df.attrs["sheets"] = sheets
    return df


def _unpack(raw: bytes, kind: str, name: str) -> tuple[str, bytes]:
    """(format, bytes) of the one file inside a gzip or zip upload."""
    too_big = (f"{name} unpacks to more than {MAX_UNPACKED_BYTES // 2**30} GB. Upload a sample "
               "of the rows, or summarise the scores first (python -m core.summarise).")
    if kind == "gzip":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(raw)) as stream:
                inner = stream.read(MAX_UNPACKED_BYTES + 1)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(f"{name} is a damaged gzip file ({_short(exc)}). Compress the CSV "
                            "again, or upload it uncompressed.") from None
        if len(inner) > MAX_UNPACKED_BYTES:
            raise DataError(too_big)
        return detect_format(inner), inner
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = [m for m in archive.infolist()
                       if not m.is_dir() and not _IGNORED_MEMBERS.search(m.filename)]
            if not members:
                raise DataError(f"{name} is a zip archive with no file inside. Upload the CSV "
                                "itself, or a zip holding one CSV.")
            if len(members) > 1:
                shown = ", ".join(f"'{m.filename}'" for m in members[:5])
                more = f" and {len(members) - 5} more" if len(members) > 5 else ""
                raise DataError(f"{name} holds {len(members)} files ({shown}{more}); Cutoff reads "
                                "a zip holding one table. Upload the CSV you want on its own.")
            member = members[0]
            if member.file_size > MAX_UNPACKED_BYTES:
                raise DataError(too_big)
            inner = archive.read(member)
    except DataError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError,
            RuntimeError) as exc:  # RuntimeError: an encrypted member
        raise DataError(f"{name} is a zip archive that could not be opened ({_short(exc)}). "
                        "Extract the CSV and upload it directly.") from None
    return detect_format(inner), inner


def _read_parquet(raw: bytes, name: str) -> pd.DataFrame:
    import pyarrow.parquet as pq

    try:
        source = pq.ParquetFile(pa.BufferReader(raw))
        _check_width(len(source.schema_arrow), name)
        table = source.read()
    except DataError:
        raise
    except MemoryError:
        raise DataError(f"{name} is too large to load in memory. Upload a sample of the rows "
                        "or fewer columns.") from None
    except Exception as exc:  # a truncated or corrupt file: say so, never a traceback
        raise DataError(f"{name} starts like a Parquet file but could not be read "
                        f"({_short(exc)}). Write it again (pandas: df.to_parquet) and "
                        "upload that file.") from None
    df = table.to_pandas(split_blocks=True, self_destruct=True, date_as_object=False)
    del table
    warnings: list[str] = []
    return _finish(df, name, warnings)


def _workbook(raw: bytes, name: str) -> pd.ExcelFile:
    try:
        return pd.ExcelFile(io.BytesIO(raw), engine="calamine")
    except Exception as exc:  # not a workbook after all (an OLE2 .doc), or damaged
        raise DataError(f"{name} looks like an Excel or Office file but could not be read as a "
                        f"workbook ({_short(exc)}). Open it in Excel and save it as .xlsx or as "
                        "CSV UTF-8, then upload that file.") from None


def _read_excel(raw: bytes, name: str, sheet: str | None) -> tuple[pd.DataFrame, list[str]]:
    book = _workbook(raw, name)
    sheets = [str(s) for s in book.sheet_names]
    if not sheets:
        raise DataError(f"{name} is a workbook with no sheets. Save a sheet with the table and "
                        "upload again.")
    if sheet is not None and sheet not in sheets:
        raise DataError(f"{name} has no sheet named '{sheet}'. Its sheets: "
                        + ", ".join(f"'{s}'" for s in sheets) + ".")
    chosen = sheet if sheet is not None else sheets[0]
    try:
        df = pd.read_excel(book, sheet_name=chosen, na_values=list(MISSING_TOKENS),
                           keep_default_na=False)
    except Exception as exc:
        raise DataError(f"Sheet '{chosen}' of {name} could not be read ({_short(exc)}). Save "
                        "that sheet as CSV UTF-8 and upload it.") from None
    finally:
        book.close()
    if df.shape[1] == 0:
        raise DataError(f"Sheet '{chosen}' of {name} is empty. Pick the sheet with the table, or "
                        "put a header row and data rows in it.")
    warnings: list[str] = []
    if len(sheets) > 1:
        warnings.append(f"The workbook has {len(sheets)} sheets; read '{chosen}'. Pick another "
                        "with Sheet.")
    df = df.dropna(how="all").reset_index(drop=True)  # Excel's formatted-but-empty rows
    unnamed = [c for c in df.columns if str(c).startswith("Unnamed: ") and df[c].isna().all()]
    df = df.drop(columns=unnamed)  # ... and formatted-but-empty columns
    _check_width(df.shape[1], name)
    return _finish(df, name, warnings), sheets


def _no_rows(name: str, columns: int) -> DataError:
    """A table with a header and nothing under it."""
    return DataError(f"{name} has a header ({columns:,} column{'' if columns == 1 else 's'}) but no data rows. "
                     "Export the data again including its rows.")


def _finish(df: pd.DataFrame, name: str, warnings: list[str]) -> pd.DataFrame:
    """The clean-up :func:`read_csv` does, for a table another reader produced."""
    if len(df) == 0:
        raise _no_rows(name, len(df.columns))
    _check_width(df.shape[1], name)
    df.columns = _clean_names([str(c) for c in df.columns], warnings)
    tokens = set(MISSING_TOKENS)
    for col in _text_columns(df):
        s = df[col]
        text = s.where(s.isna(), s.astype(str).str.strip())
        token = text.isin(tokens)
        if token.any():
            df[col] = s.mask(token)
    _coerce_numeric_text(df, ".", warnings)
    _infinite_to_missing(df, warnings)
    _report_missing(dict(zip(df.columns, df.isna().sum().tolist())), warnings)
    df.attrs["warnings"] = warnings
    return df
