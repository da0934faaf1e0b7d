"""core.workspace: values, tables and .cutoff files round-trip exactly; every damaged, foreign,
newer or oversized file is one DataError, and nothing in a file is ever executed."""

from __future__ import annotations

import functools
import io
import json
import math
import struct
import zipfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import DataError
from core.model import LogisticRegressionGD
from core.workspace import (
    FORMAT_VERSION,
    INLINE_ARRAY_MAX,
    EncodedPart,
    decode_part,
    decode_table,
    decode_value,
    encode_part,
    encode_table,
    read_workspace_file,
    write_workspace_file,
)

# ------------------------------------------------------------------------------- strategies

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=64)
NAMES = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=10)


@st.composite
def columns(draw, n: int):
    """One column of a kind the readers produce: numbers, text, bools, missing, datetimes, categories."""
    kind = draw(st.sampled_from(["float", "int", "bool", "str", "object_text", "object_mixed", "datetime",
                                 "category", "Int64", "boolean"]))
    if kind == "float":
        return pd.Series(draw(st.lists(FLOATS, min_size=n, max_size=n)), dtype="float64")
    if kind == "int":
        return pd.Series(draw(st.lists(st.integers(-2**63, 2**63 - 1), min_size=n, max_size=n)), dtype="int64")
    if kind == "bool":
        return pd.Series(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    if kind == "str":
        return pd.Series(draw(st.lists(st.one_of(TEXT, st.none()), min_size=n, max_size=n)), dtype="str")
    if kind == "object_text":
        missing = st.sampled_from([None, float("nan")])
        return pd.Series(draw(st.lists(st.one_of(TEXT, missing), min_size=n, max_size=n)), dtype=object)
    if kind == "object_mixed":
        value = st.one_of(TEXT, st.integers(-1000, 1000), st.floats(allow_nan=False), st.booleans(), st.none())
        return pd.Series(draw(st.lists(value, min_size=n, max_size=n)), dtype=object)
    if kind == "datetime":
        stamps = st.one_of(st.none(), st.datetimes(min_value=pd.Timestamp("1900-01-01").to_pydatetime(),
                                                   max_value=pd.Timestamp("2200-01-01").to_pydatetime()))
        return pd.Series(pd.to_datetime(draw(st.lists(stamps, min_size=n, max_size=n))))
    if kind == "category":
        return pd.Series(draw(st.lists(st.one_of(st.sampled_from(["a", "b", "ü"]), st.none()), min_size=n,
                                       max_size=n)), dtype="category")
    if kind == "Int64":
        return pd.Series(draw(st.lists(st.one_of(st.integers(-10**9, 10**9), st.none()), min_size=n, max_size=n)),
                         dtype="Int64")
    return pd.Series(draw(st.lists(st.one_of(st.booleans(), st.none()), min_size=n, max_size=n)), dtype="boolean")


@st.composite
def tables(draw):
    n = draw(st.integers(0, 8))
    names = draw(st.lists(NAMES, min_size=1, max_size=6, unique=True))
    return pd.DataFrame({name: draw(columns(n)) for name in names})


def assert_same_table(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got.attrs == want.attrs
    assert list(got.dtypes.astype(str)) == list(want.dtypes.astype(str))
    for name in want.columns:
        if want[name].dtype == object:  # missing stays the kind of missing it was
            assert [type(v) for v in got[name]] == [type(v) for v in want[name]]


SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-2**70, 2**70), FLOATS, TEXT,
    st.integers(-2**63, 2**63 - 1).map(np.int64), FLOATS.map(np.float64), st.booleans().map(np.bool_),
    st.integers(0, 255).map(np.uint8), st.floats(width=32, allow_nan=False).map(np.float32),
)


def arrays():
    small = st.lists(FLOATS, max_size=5).map(lambda v: np.array(v, dtype=np.float64))
    large = st.integers(INLINE_ARRAY_MAX + 1, INLINE_ARRAY_MAX + 50).flatmap(
        lambda n: st.sampled_from(["<f8", "|i1", "<i8", "|b1", "O"]).map(lambda d: _big_array(n, d)))
    return st.one_of(small, large)


def _big_array(n: int, dtype: str) -> np.ndarray:
    rng = np.random.default_rng(n)
    if dtype == "O":
        return np.array([None if i % 7 == 0 else f"seg {i % 5} é" for i in range(n)], dtype=object)
    if dtype == "|b1":
        return rng.random(n) < 0.5
    if dtype == "<f8":
        values = rng.normal(size=n)
        values[::13] = np.nan
        return values
    return rng.integers(-100, 100, n).astype(dtype)


VALUES = st.recursive(
    st.one_of(SCALARS, arrays()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.one_of(TEXT, st.integers(-5, 5)), inner, max_size=4),
    ),
    max_leaves=12,
)


def same(a, b) -> bool:
    """Exact equality: same types, NaN equal to NaN, arrays by dtype, shape and bytes."""
    if isinstance(a, np.ndarray):
        if not (isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape):
            return False
        if a.dtype == object:
            return all(same(x, y) for x, y in zip(a.reshape(-1), b.reshape(-1)))
        if a.dtype.kind == "f":  # every bit, except which NaN (JSON has one NaN)
            nan = np.isnan(a)
            return np.array_equal(nan, np.isnan(b)) and a[~nan].tobytes() == b[~nan].tobytes()
        return a.tobytes() == b.tobytes()
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (float, np.floating)) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, (float, np.floating)):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return a == b


# ------------------------------------------------------------------------------- round trips


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_tables_round_trip_exactly(df):
    assert_same_table(decode_table(encode_table(df)), df)


def test_a_table_of_every_reader_type_with_unicode_names():
    df = pd.DataFrame({
        "montant (€)": [1.5, np.nan, -0.0],
        "年齢": [1, 2, 3],
        "ok?": [True, False, True],
        "<b>name</b>": pd.Series(["a", None, "ü"], dtype="str"),
        "notes": pd.Series(["x", np.nan, None], dtype=object),
        "mixed": pd.Series([1, "a", 2.5], dtype=object),
        "when": pd.to_datetime(["2024-02-29 10:00", None, "1999-12-31 00:00"]),
        "when_utc": pd.to_datetime(["2024-02-29 10:00", None, "1999-12-31 00:00"]).tz_localize("UTC"),
        "plan": pd.Categorical(["basic", "=1+2", None]),
        "count": pd.array([1, None, 3], dtype="Int64"),
    })
    df.attrs["warnings"] = ["Read semicolon-separated values."]
    assert_same_table(decode_table(encode_table(df)), df)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(VALUES)
def test_values_round_trip_exactly_through_a_part(value):
    part = encode_part(value)
    json.loads(part.json)  # strict JSON: no NaN literals
    assert same(decode_part(part), value)


def test_large_arrays_go_to_a_parquet_side_car_and_small_ones_stay_in_the_json():
    scores = np.random.default_rng(0).random(50_000)
    part = encode_part({"scores": scores, "coef": np.array([0.1, -2.5])})
    assert part.arrays is not None and part.arrays[:4] == b"PAR1"
    assert len(part.json) < 500 and "-2.5" in part.json
    assert decode_part(part)["scores"].tobytes() == scores.tobytes()


def test_frames_and_user_dicts_that_look_like_tags():
    history = pd.DataFrame({"epoch": np.arange(1, 4), "val_log_loss": [0.69, np.nan, 0.5]})
    value = {"history": history, "$array": "not a tag", "segment": {"(missing)": 3}}
    back = decode_part(encode_part(value))
    pd.testing.assert_frame_equal(back["history"], history, check_exact=True)
    assert back["$array"] == "not a tag" and back["segment"] == {"(missing)": 3}


def test_a_fitted_model_round_trips_bit_for_bit():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 4))
    y = (X @ [1.0, -2.0, 0.5, 0.0] + rng.normal(size=300) > 0).astype(int)
    model = LogisticRegressionGD(max_epochs=60, l2=0.01).fit(X[:200], y[:200], X_val=X[200:], y_val=y[200:])
    learned = {k: v for k, v in vars(model).items() if k.endswith("_")}
    back = decode_part(encode_part({"params": model.get_params(), "learned": learned}))
    restored = LogisticRegressionGD(**back["params"])
    for name, value in back["learned"].items():
        setattr(restored, name, value)
    assert restored.coef_.tobytes() == model.coef_.tobytes()
    assert restored.intercept_.tobytes() == model.intercept_.tobytes()
    pd.testing.assert_frame_equal(restored.history_, model.history_, check_exact=True)
    assert np.array_equal(restored.predict_proba(X), model.predict_proba(X))
    for name in ("coef_history_", "epochs_history_"):
        if hasattr(model, name):
            assert getattr(restored, name).tobytes() == getattr(model, name).tobytes()


@functools.lru_cache(maxsize=1)
def sample_file() -> tuple[bytes, pd.DataFrame, dict]:
    """One small workspace file (built once: its manifest holds the time it was made)."""
    table = pd.DataFrame({"score": np.linspace(0, 1, 200), "label": ["yes", "no"] * 100})
    scenarios = [{"name": "cautious", "threshold": 0.3, "review": {"low": 0.2, "high": 0.4}, "costs": (100.0, 500.0)},
                 {"name": "bold", "threshold": 0.7, "segments": {"north": [1, 2], "south": None}}]
    parts = {"scenarios": encode_part(scenarios), "settings": encode_part({"threshold.t": 0.3}),
             "evaluation": encode_part({"scores": np.random.default_rng(2).random(3000)})}
    return write_workspace_file(encode_table(table), parts), table, {"scenarios": scenarios}


def test_a_workspace_file_round_trips():
    data, table, values = sample_file()
    opened = read_workspace_file(data)
    assert opened.manifest["version"] == FORMAT_VERSION and opened.manifest["format"] == "cutoff-workspace"
    assert_same_table(decode_table(opened.table), table)
    assert same(decode_part(opened.parts["scenarios"]), values["scenarios"])
    assert set(opened.parts) == {"scenarios", "settings", "evaluation"}


# ------------------------------------------------------------------------------- bad files


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_are_a_data_error(data):
    with pytest.raises(DataError):
        read_workspace_file(data)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_every_truncation_is_a_data_error(data):
    whole, _, _ = sample_file()
    cut = data.draw(st.integers(0, len(whole) - 1))
    with pytest.raises(DataError):
        read_workspace_file(whole[:cut])


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_a_flipped_byte_is_a_data_error_or_changes_nothing(data):
    whole, _, _ = sample_file()
    position = data.draw(st.integers(0, len(whole) - 1))
    damaged = bytearray(whole)
    damaged[position] ^= data.draw(st.integers(1, 255))
    try:
        opened = read_workspace_file(bytes(damaged))
    except DataError:
        return
    good = read_workspace_file(whole)  # e.g. a member's timestamp: no content changed
    assert opened.table == good.table and opened.parts == good.parts


def rezip(files: dict[str, bytes]) -> bytes:
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in files.items():
            archive.writestr(name, body)
    return sink.getvalue()


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def with_manifest(change) -> bytes:
    files = members(sample_file()[0])
    manifest = json.loads(files["manifest.json"])
    change(manifest)
    files["manifest.json"] = json.dumps(manifest).encode()
    return rezip(files)


@pytest.mark.parametrize("change, words", [
    (lambda m: m.update(version=FORMAT_VERSION + 1), "newer version of Cutoff"),
    (lambda m: m.update(version="1"), "no valid format version"),
    (lambda m: m.pop("version"), "no valid format version"),
    (lambda m: m.update(format="something-else"), "does not describe a Cutoff workspace"),
    (lambda m: m.update(files=[]), "does not list its files"),
    (lambda m: m["files"]["table.parquet"].update(sha256="0" * 64), "checksum"),
    (lambda m: m["files"].pop("table.parquet"), "incomplete"),
])
def test_bad_manifests_are_data_errors(change, words):
    with pytest.raises(DataError, match=words):
        read_workspace_file(with_manifest(change))


def test_manifest_that_is_not_json_and_files_cutoff_never_writes():
    files = members(sample_file()[0])
    with pytest.raises(DataError, match="not valid JSON"):
        read_workspace_file(rezip({**files, "manifest.json": b"{not json"}))
    with pytest.raises(DataError, match="does not write"):
        read_workspace_file(rezip({**files, "run_me.py": b"import os"}))
    del files["manifest.json"]
    with pytest.raises(DataError, match="no manifest"):
        read_workspace_file(rezip(files))


@pytest.mark.parametrize("data, words", [
    (b"", "empty"),
    (b"target,score\nyes,0.5\n", "text file, such as a CSV"),
    (b"PAR1" + b"\0" * 100, "Parquet file"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "image"),
])
def test_renamed_files_say_what_they_are(data, words):
    with pytest.raises(DataError, match=words):
        read_workspace_file(data)
    with pytest.raises(DataError, match="not a Cutoff workspace file|empty"):
        read_workspace_file(data)


def test_a_zip_of_other_files_is_not_a_workspace():
    with pytest.raises(DataError, match="zip archive of other files"):
        read_workspace_file(rezip({"data.csv": b"a,b\n1,2\n"}))


def test_a_zip_bomb_is_refused_while_inflating():
    bomb = rezip({"manifest.json": b"{}", "table.parquet": b"\0" * (20 << 20)})
    assert len(bomb) < 100_000
    with pytest.raises(DataError, match="MB"):
        read_workspace_file(bomb, max_bytes=1 << 20)


def test_a_zip_that_lies_about_its_sizes_is_refused():
    body = b"\0" * (5 << 20)
    data = bytearray(rezip({"manifest.json": b"{}", "table.parquet": body}))
    # Claim 10 bytes for table.parquet in both headers; the deflated stream still holds 5 MB.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            name_offset = 30 if signature == b"PK\x03\x04" else 46
            name_length = struct.unpack_from("<H", data, start + (26 if signature == b"PK\x03\x04" else 28))[0]
            if data[start + name_offset:start + name_offset + name_length] == b"table.parquet":
                struct.pack_into("<I", data, start + offset, 10)
            start += 4
    with pytest.raises(DataError):
        read_workspace_file(bytes(data), max_bytes=1 << 20)


@pytest.mark.parametrize("tree", [
    {"$pickle": "gASVAAAAAAAAAAB9lC4="},
    {"$array": {"dtype": "|V8", "shape": [1], "values": [0]}},
    {"$array": {"dtype": "<c16", "shape": [1], "values": [0]}},
    {"$array": {"dtype": "<f8", "shape": [3], "values": [1.0]}},
    {"$array": {"dtype": "<i8", "shape": [1], "values": [1.5]}},
    {"$array": {"dtype": "<f8", "shape": [-1], "values": []}},
    {"$array": {"dtype": "<f8", "shape": [2], "ref": "a0"}},
    {"$float": "1e400"},
    {"$scalar": ["<c8", 1]},
    {"$frame": {"columns": ["a"], "index": {"$range": [0, 1, 1, None]}, "data": []}},
])
def test_parts_with_unknown_tags_or_types_are_data_errors(tree):
    with pytest.raises(DataError):
        decode_part(EncodedPart(json.dumps(tree)))


def test_part_json_that_is_malformed_or_too_deep_is_a_data_error():
    with pytest.raises(DataError, match="not valid JSON"):
        decode_part(EncodedPart("{"))
    with pytest.raises(DataError):
        decode_part(EncodedPart("[" * 100_000 + "]" * 100_000))
    with pytest.raises(DataError):
        decode_part(EncodedPart("[]", b"not parquet"))


def test_a_table_without_cutoff_metadata_or_damaged_is_a_data_error():
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = io.BytesIO()
    pq.write_table(pa.table({"a": [1]}), sink)
    with pytest.raises(DataError, match="not written by Cutoff"):
        decode_table(sink.getvalue())
    with pytest.raises(DataError):
        decode_table(encode_table(pd.DataFrame({"a": [1.0]}))[:-20])


def test_decode_value_plain_json_stays_plain():
    assert decode_value({"a": [1, 2.5, "x", None, True]}) == {"a": [1, 2.5, "x", None, True]}
