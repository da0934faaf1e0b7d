"""The workspace format: a session's work as plain data, and the ``.cutoff`` file that carries it.

A workspace is a set of named *parts* plus one table:

* the table (the loaded data) as Parquet bytes (:func:`encode_table` / :func:`decode_table`);
* parts such as ``dataset``, ``setup``, ``model``, ``evaluation``, ``scenarios``, ``settings``:
  each a tree of plain values encoded by :func:`encode_part` as JSON text, with any large
  array moved into a Parquet side-car (one single-row list column per array), so a million
  scores are not written as a million JSON numbers.

Everything round-trips exactly: floats through ``repr`` in JSON or as raw float64 in
Parquet, numpy scalar and array dtypes recorded next to the values, table columns with their
pandas dtype, a category column's categories and the kind of each missing value (``NaN``,
``None``, ``NA``, or the value itself, such as ``NaT``). Nothing is pickled and
nothing read is ever executed: decoding only accepts the tags and dtypes listed here.

The ``.cutoff`` file (:func:`write_workspace_file` / :func:`read_workspace_file`) is a zip:

``manifest.json``
    ``{"format": "cutoff-workspace", "version": 1, "created": ISO time, "files": {name:
    {"bytes": n, "sha256": hex}}}``; a newer ``version`` is refused with a message to update.
``table.parquet``
    the table (optional).
``<part>.json`` and ``<part>.arrays.parquet``
    each part's JSON and, when it has large arrays, their side-car.

Reading validates everything before anything is used: zip structure, the list of member
names, sizes (each and in total, against the file's own claims and a hard limit, so a zip
bomb is stopped while inflating), checksums, the manifest's version, JSON syntax and tags,
and Parquet. Every problem is one :class:`~core.errors.DataError` in plain words.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import json
import math
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from core.errors import DataError

__all__ = [
    "FORMAT", "FORMAT_VERSION", "FILE_SUFFIX", "PART_NAMES", "EncodedPart", "WorkspaceFile",
    "encode_value", "decode_value", "encode_part", "decode_part", "encode_table", "decode_table",
    "digest", "write_workspace_file", "read_workspace_file", "DEFAULT_MAX_FILE_BYTES",
]

FORMAT = "cutoff-workspace"
FORMAT_VERSION = 1
FILE_SUFFIX = ".cutoff"
#: The parts a workspace may hold, in the order a restore applies them.
PART_NAMES = ("dataset", "setup", "model", "evaluation", "scenarios", "settings")
#: Arrays with more elements than this go to the Parquet side-car; smaller ones (coefficients,
#: class labels) stay readable in the JSON.
INLINE_ARRAY_MAX = 1000
#: A .cutoff file may inflate to at most this many bytes in total (the store's per-workspace
#: cap with room for the zip's own overhead); larger is refused as a possible zip bomb.
DEFAULT_MAX_FILE_BYTES = 256 * 2**20

_TABLE_FILE = "table.parquet"
_MANIFEST = "manifest.json"
_TABLE_META_KEY = b"cutoff.table"


def digest(data: bytes) -> str:
    """Content identity of some bytes (SHA-256, hex)."""
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------------------------------
# Plain values <-> JSON. Tags are one-key dicts whose key starts with "$"; a user dict with
# such a key is written as a "$dict" list of pairs, so no user value can pose as a tag.

# numpy dtypes a file may name: booleans, integers, floats, text, datetimes and (for arrays of
# mixed Python values) object. Never complex, void or structured dtypes.
_DTYPE = re.compile(r"^(\|b1|[<>|]?[iu][1248]|[<>]?f[248]|\|O|[<>]U\d{1,6}|[<>]M8\[(ns|us|ms|s|D)\])$")


def _dtype(text) -> np.dtype:
    if not isinstance(text, str) or not _DTYPE.match(text):
        raise DataError(f"unsupported array type {text!r}")
    return np.dtype(text)


def _is_tag_dict(value: dict) -> bool:
    return len(value) == 1 and next(iter(value)).startswith("$")


def encode_value(value, arrays: dict[str, np.ndarray] | None = None):
    """``value`` as JSON-compatible data (see the module docstring for what is supported).

    Arrays with more than ``INLINE_ARRAY_MAX`` elements are put in ``arrays`` (when given) and
    referenced by name. Raises ``TypeError`` for a value this format does not hold.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int) and not isinstance(value, np.generic):
        return value
    if isinstance(value, float) and not isinstance(value, np.generic):
        return value if math.isfinite(value) else {"$float": repr(value)}
    if isinstance(value, (np.bool_, np.integer, np.floating, np.str_)):
        return {"$scalar": [value.dtype.str, encode_value(value.item())]}
    if isinstance(value, pd.Timestamp):
        return {"$timestamp": None if value is pd.NaT else value.isoformat()}
    if value is pd.NaT:
        return {"$timestamp": None}
    if isinstance(value, np.datetime64):
        value = _with_unit(value)
        return {"$datetime64": [value.dtype.str, str(value)]}
    if isinstance(value, _dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, _dt.date):
        return {"$date": value.isoformat()}
    if value is pd.NA:
        return {"$na": None}
    if isinstance(value, list):
        return [encode_value(v, arrays) for v in value]
    if isinstance(value, tuple):
        return {"$tuple": [encode_value(v, arrays) for v in value]}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and not any(k.startswith("$") for k in value):
            return {k: encode_value(v, arrays) for k, v in value.items()}
        return {"$dict": [[encode_value(k, arrays), encode_value(v, arrays)] for k, v in value.items()]}
    if isinstance(value, np.ndarray):
        return _encode_array(value, arrays)
    if isinstance(value, pd.DataFrame):
        return {"$frame": {
            "columns": [encode_value(c) for c in value.columns],
            "index": _encode_index(value.index, arrays),
            "data": [_encode_column(value.iloc[:, j], arrays) for j in range(value.shape[1])],
        }}
    if isinstance(value, pd.Series):
        return {"$series": {"name": encode_value(value.name), "index": _encode_index(value.index, arrays),
                            "data": _encode_column(value, arrays)}}
    raise TypeError(f"a workspace cannot hold a value of type {type(value).__name__}")


def _with_unit(value):
    """A datetime64 value or array without a unit (only NaT can be) as nanoseconds, a unit the reader takes."""
    return value.astype("datetime64[ns]") if np.datetime_data(value.dtype)[0] == "generic" else value


def _encode_array(array: np.ndarray, arrays) -> dict:
    if array.dtype.kind == "M":
        array = _with_unit(array)
    dtype = array.dtype
    if dtype.kind in "USM" or dtype == object or dtype.kind in "biuf":
        text = dtype.str
    else:
        raise TypeError(f"a workspace cannot hold arrays of type {dtype}")
    if dtype.kind == "S":
        raise TypeError("a workspace cannot hold byte-string arrays")
    _dtype(text)  # the same rule the reader applies
    shape = list(array.shape)
    if arrays is not None and array.size > INLINE_ARRAY_MAX and _sidecar_ok(array):
        name = f"a{len(arrays)}"
        arrays[name] = array
        return {"$array": {"dtype": text, "shape": shape, "ref": name}}
    flat = array.reshape(-1)
    if dtype.kind == "M":
        values = [None if np.isnat(v) else str(v) for v in flat]
    elif dtype == object:
        values = [encode_value(v, None) for v in flat]
    else:
        values = [encode_value(v) for v in flat.tolist()]
    return {"$array": {"dtype": text, "shape": shape, "values": values}}


def _sidecar_ok(array: np.ndarray) -> bool:
    """Whether Parquet holds this array exactly (object arrays only when all text or missing)."""
    if array.dtype != object:
        return True
    return all(v is None or type(v) is str for v in array.reshape(-1))


def _encode_index(index: pd.Index, arrays):
    if isinstance(index, pd.RangeIndex):
        return {"$range": [int(index.start), int(index.stop), int(index.step), encode_value(index.name)]}
    return {"$index": [_encode_column(pd.Series(index), arrays), encode_value(index.name)]}


# pandas dtypes a column may be restored to besides numpy's (given by name).
_PANDAS_DTYPES = {"str", "string", "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64",
                  "Float32", "Float64", "boolean", "category"}


def _encode_column(series: pd.Series, arrays) -> dict:
    dtype = series.dtype
    if isinstance(dtype, np.dtype):
        return {"numpy": _encode_array(series.to_numpy(), arrays)}
    name = str(dtype.name) if not isinstance(dtype, pd.CategoricalDtype) else "category"
    if name not in _PANDAS_DTYPES and not re.match(r"^datetime64\[(ns|us|ms|s), [A-Za-z0-9_/+\-]+\]$", name):
        raise TypeError(f"a workspace cannot hold a column of type {dtype}")
    values = series.astype(object).to_numpy()
    values = np.array([None if v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)) else v
                       for v in values], dtype=object)
    extra = {}
    if isinstance(dtype, pd.CategoricalDtype):
        extra = {"categories": encode_value(list(dtype.categories)), "ordered": bool(dtype.ordered)}
    return {"pandas": name, "values": _encode_array(values, arrays), **extra}


def decode_value(data, arrays: dict[str, np.ndarray] | None = None):
    """The value :func:`encode_value` encoded; raises DataError for anything it would not write."""
    if data is None or isinstance(data, (bool, str, int, float)):
        return data
    if isinstance(data, list):
        return [decode_value(v, arrays) for v in data]
    if not isinstance(data, dict):
        raise DataError(f"unexpected value of type {type(data).__name__}")
    if not _is_tag_dict(data):
        return {k: decode_value(v, arrays) for k, v in data.items()}
    tag, body = next(iter(data.items()))
    try:
        return _decode_tag(tag, body, arrays)
    except DataError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, OverflowError) as error:
        raise DataError(f"a {tag} value could not be read ({error})") from None


def _decode_tag(tag: str, body, arrays):
    if tag == "$float":
        if body not in ("nan", "inf", "-inf"):
            raise DataError(f"bad float {body!r}")
        return float(body)
    if tag == "$scalar":
        dtype, value = body
        return _dtype(dtype).type(decode_value(value))
    if tag == "$timestamp":
        return pd.NaT if body is None else pd.Timestamp(body)
    if tag == "$datetime64":
        dtype, text = body
        return np.datetime64(text).astype(_dtype(dtype))
    if tag == "$datetime":
        return _dt.datetime.fromisoformat(body)
    if tag == "$date":
        return _dt.date.fromisoformat(body)
    if tag == "$na":
        return pd.NA
    if tag == "$tuple":
        return tuple(decode_value(v, arrays) for v in _list(body))
    if tag == "$dict":
        return {_hashable(decode_value(k, arrays)): decode_value(v, arrays) for k, v in _list(body)}
    if tag == "$array":
        return _decode_array(body, arrays)
    if tag == "$frame":
        columns = [_hashable(decode_value(c)) for c in _list(body["columns"])]
        data = [_decode_column(c, arrays) for c in _list(body["data"])]
        if len(columns) != len(data):
            raise DataError("a table's column names and columns do not match")
        index = _decode_index(body["index"], arrays)
        frame = pd.concat([s.rename(j) for j, s in enumerate(data)], axis=1) if data else pd.DataFrame()
        frame = frame.reindex(range(len(index))) if not data else frame
        frame.columns = pd.Index(columns, tupleize_cols=False) if columns else frame.columns
        frame.index = index
        return frame
    if tag == "$series":
        series = _decode_column(body["data"], arrays)
        series.index = _decode_index(body["index"], arrays)
        series.name = _hashable(decode_value(body["name"]))
        return series
    raise DataError(f"unknown tag {tag!r}")


def _list(body) -> list:
    if not isinstance(body, list):
        raise DataError("expected a list")
    return body


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


def _decode_array(body: dict, arrays) -> np.ndarray:
    dtype = _dtype(body["dtype"])
    shape = tuple(int(s) for s in _list(body["shape"]))
    if any(s < 0 for s in shape):
        raise DataError("negative array size")
    size = math.prod(shape)
    if "ref" in body:
        if arrays is None or body["ref"] not in arrays:
            raise DataError(f"array {body['ref']!r} is missing from the side-car file")
        flat = arrays[body["ref"]]
        if flat.size != size:
            raise DataError(f"array {body['ref']!r} has {flat.size} values, the JSON says {size}")
        if dtype.kind == "M":
            return flat.astype(dtype).reshape(shape)
        if dtype == object:
            return flat.astype(object).reshape(shape)
        return flat.astype(dtype, copy=False).reshape(shape)
    values = _list(body["values"])
    if len(values) != size:
        raise DataError(f"an array has {len(values)} values, its shape says {size}")
    if dtype.kind == "M":
        return np.array([np.datetime64("NaT") if v is None else np.datetime64(v) for v in values],
                        dtype=dtype).reshape(shape)
    if dtype == object:
        out = np.empty(size, dtype=object)
        for i, v in enumerate(values):
            out[i] = decode_value(v)
        return out.reshape(shape)
    decoded = [decode_value(v) for v in values]
    if dtype.kind != "f" and any(isinstance(v, float) for v in decoded):
        raise DataError(f"non-integer values in an array of type {dtype}")
    return np.array(decoded, dtype=dtype).reshape(shape)


def _tagged_array(body, arrays) -> np.ndarray:
    if not isinstance(body, dict) or set(body) != {"$array"}:
        raise DataError("expected an array")
    return _decode_array(body["$array"], arrays)


def _decode_index(body, arrays) -> pd.Index:
    if not isinstance(body, dict) or not _is_tag_dict(body):
        raise DataError("bad table index")
    tag, value = next(iter(body.items()))
    if tag == "$range":
        start, stop, step, name = value
        return pd.RangeIndex(int(start), int(stop), int(step), name=_hashable(decode_value(name)))
    if tag == "$index":
        column, name = value
        return pd.Index(_decode_column(column, arrays), name=_hashable(decode_value(name)))
    raise DataError("bad table index")


def _decode_column(body, arrays) -> pd.Series:
    if not isinstance(body, dict):
        raise DataError("bad table column")
    if "numpy" in body:
        return pd.Series(_tagged_array(body["numpy"], arrays))
    name = body.get("pandas")
    values = _tagged_array(body["values"], arrays)
    if name == "category":
        categories = decode_value(body["categories"])
        dtype = pd.CategoricalDtype(categories, ordered=bool(body.get("ordered")))
        return pd.Series(pd.Categorical(values, dtype=dtype))
    if name in _PANDAS_DTYPES:
        return pd.Series(values, dtype=object).astype(name)
    if isinstance(name, str) and re.match(r"^datetime64\[(ns|us|ms|s), [A-Za-z0-9_/+\-]+\]$", name):
        return pd.Series(pd.to_datetime(pd.Series(values, dtype=object), utc=True)).astype(name)
    raise DataError(f"unsupported column type {name!r}")


# ---------------------------------------------------------------------------------------
# Parts: JSON text plus an optional Parquet side-car of large arrays.


@dataclass(frozen=True)
class EncodedPart:
    """One part of a workspace as stored: JSON text and the Parquet side-car of its arrays (or None)."""

    json: str
    arrays: bytes | None = None

    @property
    def nbytes(self) -> int:
        return len(self.json.encode()) + len(self.arrays or b"")

    @property
    def digest(self) -> str:
        return digest(self.json.encode() + b"\0" + (self.arrays or b""))


def encode_part(value) -> EncodedPart:
    """``value`` (plain data: see :func:`encode_value`) as an :class:`EncodedPart`."""
    arrays: dict[str, np.ndarray] = {}
    text = json.dumps(encode_value(value, arrays), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return EncodedPart(text, _arrays_to_parquet(arrays) if arrays else None)


def decode_part(part: EncodedPart, what: str = "part"):
    """The value of an :class:`EncodedPart`; DataError naming ``what`` when it cannot be read."""
    try:
        tree = json.loads(part.json)
    except (ValueError, RecursionError) as error:
        raise DataError(f"The {what} is not valid JSON ({error}).") from None
    arrays = _arrays_from_parquet(part.arrays, what) if part.arrays is not None else None
    try:
        return decode_value(tree, arrays)
    except DataError as error:
        raise DataError(f"The {what} could not be read: {error}.") from None
    except RecursionError:
        raise DataError(f"The {what} is nested too deeply to read.") from None


def _arrays_to_parquet(arrays: dict[str, np.ndarray]) -> bytes:
    columns = {}
    for name, array in arrays.items():
        flat = array.reshape(-1)
        if flat.dtype.kind == "U":
            flat = flat.astype(object)
        values = pa.array(flat, from_pandas=False)
        columns[name] = pa.ListArray.from_arrays(pa.array([0, len(values)], type=pa.int32()), values)
    return _parquet_bytes(pa.table(columns))


def _arrays_from_parquet(data: bytes, what: str) -> dict[str, np.ndarray]:
    table = _read_parquet(data, f"the {what}'s arrays")
    if table.num_rows != 1:
        raise DataError(f"The {what}'s arrays file is malformed.")
    arrays = {}
    for name in table.column_names:
        column = table.column(name).combine_chunks()
        if not pa.types.is_list(column.type):
            raise DataError(f"The {what}'s arrays file is malformed.")
        values = column.flatten()
        if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
            arrays[name] = np.array(values.to_pylist(), dtype=object)
        else:
            arrays[name] = values.to_numpy(zero_copy_only=False)
    return arrays


def _parquet_bytes(table: pa.Table) -> bytes:
    # Dictionary encoding only where values repeat (text, categories): on float columns it is
    # tried and abandoned, which made writing a numeric table about three times slower here.
    text = [f.name for f in table.schema
            if pa.types.is_string(f.type) or pa.types.is_large_string(f.type) or pa.types.is_dictionary(f.type)]
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd", use_dictionary=text or False)
    return sink.getvalue()


def _read_parquet(data: bytes, what: str) -> pa.Table:
    try:
        return pq.read_table(pa.BufferReader(data))
    except (pa.ArrowException, OSError, ValueError) as error:
        raise DataError(f"{what[0].upper()}{what[1:]} is not a readable Parquet file ({error}).") from None


# ---------------------------------------------------------------------------------------
# The table: Parquet with positional column names; names, dtypes and missing-value kinds in
# the file's metadata, so a restore gives back the same DataFrame, dtypes included.


def encode_table(df: pd.DataFrame) -> bytes:
    """The table as Parquet bytes that :func:`decode_table` turns back into an equal DataFrame.

    Columns Arrow cannot hold as one type (mixed numbers and text in one object column) are
    kept in the metadata as JSON instead. Raises ``TypeError`` for a column type not supported.
    """
    arrays, names, columns = [], [], []
    for j in range(df.shape[1]):
        series = df.iloc[:, j]
        column = {"name": encode_value(series.name), "dtype": str(series.dtype)}
        if series.dtype == object:
            column["missing"] = _missing_kinds(series.to_numpy())
        if isinstance(series.dtype, pd.CategoricalDtype):  # Parquet keeps neither unused categories nor their order
            column["categories"] = _encode_index(series.dtype.categories, None)
            column["ordered"] = bool(series.dtype.ordered)
        try:
            if series.dtype == object and not _sidecar_ok(series.to_numpy()):
                raise pa.ArrowInvalid("mixed types")
            array = pa.array(series, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            column["json"] = _encode_column(series.reset_index(drop=True), None)
        else:
            arrays.append(array)
            names.append(f"c{j}")
        columns.append(column)
    meta = {"rows": len(df), "columns": columns, "index": _encode_index(df.index, None)}
    try:
        meta["attrs"] = encode_value(dict(df.attrs))
    except TypeError:  # attrs are notes (the reader's warnings); one that cannot be kept is left out
        pass
    schema = pa.schema([pa.field(n, a.type) for n, a in zip(names, arrays)],
                       metadata={_TABLE_META_KEY: json.dumps(meta, ensure_ascii=False, allow_nan=False)})
    table = pa.Table.from_arrays(arrays, schema=schema) if arrays else pa.table({}, schema=schema)
    return _parquet_bytes(table)


def _missing_kinds(values: np.ndarray):
    """How an object column writes its missing values: "nan", "none", or positions per kind
    ("values": position and value of any other missing value, such as NaT or a float32 NaN)."""
    nan = [i for i, v in enumerate(values) if isinstance(v, float) and math.isnan(v)]
    none = [i for i, v in enumerate(values) if v is None]
    na = [i for i, v in enumerate(values) if v is pd.NA]
    other = [[i, encode_value(v)] for i, v in enumerate(values)
             if v is pd.NaT or (isinstance(v, np.generic) and not isinstance(v, float) and pd.isna(v))]
    kinds = {k: p for k, p in (("nan", nan), ("none", none), ("na", na), ("values", other)) if p}
    if len(kinds) <= 1 and not other:
        return next(iter(kinds), None)
    return kinds


_MISSING = {"nan": float("nan"), "none": None, "na": pd.NA}


def decode_table(data: bytes) -> pd.DataFrame:
    """The DataFrame :func:`encode_table` wrote; DataError when the bytes are not such a table."""
    table = _read_parquet(data, "the table")
    raw = (table.schema.metadata or {}).get(_TABLE_META_KEY)
    if raw is None:
        raise DataError("The table has no Cutoff metadata (it was not written by Cutoff).")
    try:
        meta = json.loads(raw)
        rows = int(meta["rows"])
        series = []
        for j, column in enumerate(meta["columns"]):
            if "json" in column:
                values = _decode_column(column["json"], None)
            else:
                values = _column_to_pandas(table.column(f"c{j}"), column["dtype"])
            values = _restore_dtype(values, column)
            if len(values) != rows:
                raise DataError("a column's length does not match the table")
            series.append(values.reset_index(drop=True).rename(j))
        frame = pd.concat(series, axis=1) if series else pd.DataFrame(index=range(rows))
        frame.columns = pd.Index([_hashable(decode_value(c["name"])) for c in meta["columns"]], tupleize_cols=False)
        frame.index = _decode_index(meta["index"], None)
        attrs = decode_value(meta.get("attrs") or {})
        if not isinstance(attrs, dict):
            raise DataError("bad table attributes")
        frame.attrs.update(attrs)
    except DataError as error:
        raise DataError(f"The table could not be read: {error}.") from None
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise DataError(f"The table's metadata is malformed ({error}).") from None
    return frame


# pandas' nullable types: read straight from Arrow into them (through float64 an Int64 above 2**53 rounds).
_NULLABLE = {"Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64", "Float32", "Float64", "boolean"}


def _column_to_pandas(values: pa.ChunkedArray, dtype: str) -> pd.Series:
    if dtype in ("Float32", "Float64"):  # a NaN value apart from the missing ones (pandas' own path merges them)
        array = values.combine_chunks()
        data = array.fill_null(0).to_numpy(zero_copy_only=False).astype(dtype.lower())
        return pd.Series(pd.arrays.FloatingArray(data, array.is_null().to_numpy(zero_copy_only=False)))
    if dtype in _NULLABLE:
        target = pd.api.types.pandas_dtype(dtype)
        return values.to_pandas(types_mapper=lambda _: target)
    return values.to_pandas()


def _restore_dtype(values: pd.Series, column: dict) -> pd.Series:
    dtype = column["dtype"]
    if dtype == "category" and "categories" in column:
        categories = _decode_index(column["categories"], None)
        return pd.Series(pd.Categorical(values.astype(object), categories=categories,
                                        ordered=bool(column.get("ordered", False))))
    if str(values.dtype) != dtype:
        if dtype == "object":
            values = values.astype(object)
        elif dtype.startswith("datetime64") or dtype in _PANDAS_DTYPES or _DTYPE.match(np.dtype(dtype).str):
            values = values.astype(dtype)
        else:
            raise DataError(f"unsupported column type {dtype!r}")
    missing = column.get("missing")
    if dtype == "object" and missing:
        array = values.to_numpy(dtype=object, copy=True)
        if isinstance(missing, str):
            array[pd.isna(array)] = _MISSING[missing]
        else:
            for kind, positions in missing.items():
                if kind == "values":
                    for i, value in positions:
                        value = decode_value(value)
                        if np.ndim(value) != 0 or not pd.isna(value):
                            raise DataError("a column's missing values are malformed")
                        array[int(i)] = value
                    continue
                for i in positions:
                    array[int(i)] = _MISSING[kind]
        values = pd.Series(array, dtype=object)
    return values


# ---------------------------------------------------------------------------------------
# The .cutoff file.


@dataclass
class WorkspaceFile:
    """What a ``.cutoff`` file holds, checked: its manifest, table bytes and encoded parts."""

    manifest: dict
    table: bytes | None
    parts: dict[str, EncodedPart]


def _part_files(name: str) -> tuple[str, str]:
    return f"{name}.json", f"{name}.arrays.parquet"


_ALLOWED = {_MANIFEST, _TABLE_FILE, *(f for name in PART_NAMES for f in _part_files(name))}


def write_workspace_file(table: bytes | None, parts: dict[str, EncodedPart], *, app: str = "Cutoff") -> bytes:
    """The ``.cutoff`` zip of a table (Parquet bytes from :func:`encode_table`) and encoded parts."""
    files: dict[str, bytes] = {}
    if table is not None:
        files[_TABLE_FILE] = table
    for name, part in parts.items():
        if name not in PART_NAMES:
            raise ValueError(f"unknown workspace part {name!r}")
        json_file, arrays_file = _part_files(name)
        files[json_file] = part.json.encode()
        if part.arrays is not None:
            files[arrays_file] = part.arrays
    manifest = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "app": app,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "files": {name: {"bytes": len(body), "sha256": digest(body)} for name, body in files.items()},
    }
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_MANIFEST, json.dumps(manifest, indent=2))
        for name, body in files.items():
            # Parquet is compressed already; deflating it again only costs time.
            archive.writestr(name, body, compress_type=zipfile.ZIP_STORED if name.endswith(".parquet") else None)
    return sink.getvalue()


_NOT_A_WORKSPACE = (
    "This is not a Cutoff workspace file{why}. Choose a file made with Download workspace "
    "(it ends in .cutoff); to load a table, use Upload a CSV instead."
)


def _kind_of(data: bytes) -> str:
    head = data[:8]
    if head.startswith(b"PAR1"):
        return " (it is a Parquet file)"
    if head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8\xff") or head.startswith(b"%PDF"):
        return " (it is an image or a PDF)"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return " (it is an old Office document)"
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return ""
    return " (it is a text file, such as a CSV)"


def read_workspace_file(data: bytes, *, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> WorkspaceFile:
    """Check and unpack a ``.cutoff`` file; every problem is a DataError saying what is wrong.

    ``max_bytes`` bounds the total size of the unpacked members: reading stops as soon as
    more comes out of the zip, whatever its headers claim.
    """
    if not data:
        raise DataError("The workspace file is empty (0 bytes). Download the workspace again and open that file.")
    if not data.startswith(b"PK\x03\x04"):
        if data.startswith(b"PK"):
            raise DataError("The workspace file is damaged: it does not start like a zip archive. "
                            "Download the workspace again.")
        raise DataError(_NOT_A_WORKSPACE.format(why=_kind_of(data)))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, struct.error, zlib.error):
        raise DataError("The workspace file is damaged or incomplete (it may have been cut off while "
                        "downloading or copying). Download the workspace again.") from None
    with archive:
        members = archive.infolist()
        names = [m.filename for m in members]
        if _MANIFEST not in names:
            if any(n.endswith(".csv") for n in names) or not any(n in _ALLOWED for n in names):
                raise DataError(_NOT_A_WORKSPACE.format(why=" (it is a zip archive of other files)"))
            raise DataError("The workspace file has no manifest.json, so it is not complete. "
                            "Download the workspace again.")
        unknown = sorted(set(names) - _ALLOWED)
        if unknown:
            raise DataError("The workspace file holds files Cutoff does not write ("
                            + ", ".join(repr(n) for n in unknown[:5]) + "). Only open files made with "
                            "Download workspace.")
        if len(set(names)) != len(names):
            raise DataError("The workspace file lists the same member twice. Download the workspace again.")
        claimed = sum(m.file_size for m in members)
        if claimed > max_bytes:
            raise DataError(f"The workspace file unpacks to {claimed / 2**20:,.0f} MB, more than the "
                            f"{max_bytes / 2**20:,.0f} MB a workspace may hold.")
        budget = [max_bytes]
        files = {m.filename: _read_member(archive, m, budget) for m in members}
    manifest = _check_manifest(files.pop(_MANIFEST))
    listed = manifest["files"]
    if set(listed) != set(files):
        missing = sorted(set(listed) - set(files))
        raise DataError("The workspace file is incomplete"
                        + (f" (missing {', '.join(missing[:5])})" if missing else "")
                        + ". Download the workspace again.")
    for name, body in files.items():
        entry = listed[name]
        if not isinstance(entry, dict) or entry.get("bytes") != len(body) or entry.get("sha256") != digest(body):
            raise DataError(f"The workspace file is damaged: {name} does not match its checksum. "
                            "Download the workspace again.")
    parts = {}
    for name in PART_NAMES:
        json_file, arrays_file = _part_files(name)
        if json_file in files:
            try:
                text = files[json_file].decode("utf-8")
            except UnicodeDecodeError:
                raise DataError(f"The workspace file's {json_file} is not text.") from None
            parts[name] = EncodedPart(text, files.get(arrays_file))
        elif arrays_file in files:
            raise DataError(f"The workspace file has {arrays_file} without {json_file}.")
    return WorkspaceFile(manifest=manifest, table=files.get(_TABLE_FILE), parts=parts)


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: list[int]) -> bytes:
    """A member's bytes, read in chunks against the remaining size budget (zip-bomb safe)."""
    if member.is_dir() or member.flag_bits & 0x1:
        raise DataError("The workspace file holds folders or encrypted members; Cutoff never writes those.")
    chunks, total = [], 0
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(1 << 20):
                total += len(chunk)
                if total > budget[0] or total > member.file_size:
                    raise DataError("The workspace file unpacks to more than it says (or than a workspace may "
                                    "hold), so it was not opened.")
                chunks.append(chunk)
    except DataError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, RuntimeError, zlib.error,
            struct.error) as error:
        raise DataError(f"The workspace file is damaged ({member.filename}: {error}). "
                        "Download the workspace again.") from None
    budget[0] -= total
    if total != member.file_size:
        raise DataError(f"The workspace file is damaged ({member.filename} is incomplete). "
                        "Download the workspace again.")
    return b"".join(chunks)


def _check_manifest(raw: bytes) -> dict:
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise DataError("The workspace file's manifest.json is not valid JSON. Download the workspace again.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise DataError("The workspace file's manifest does not describe a Cutoff workspace. Only open files "
                        "made with Download workspace.")
    version = manifest.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise DataError(f"The workspace file's manifest has no valid format version (got {version!r}).")
    if version > FORMAT_VERSION:
        raise DataError(f"This workspace file was made by a newer version of Cutoff (format {version}); this "
                        f"app reads format {FORMAT_VERSION}. Update Cutoff to open it.")
    if not isinstance(manifest.get("files"), dict):
        raise DataError("The workspace file's manifest does not list its files.")
    return manifest
