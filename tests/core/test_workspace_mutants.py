"""core.workspace at its edges: the inline/side-car boundary, several side-car arrays in one
part, what a .cutoff file says it holds, and each refusal of a file in plain words.

``test_workspace.py`` checks that everything round-trips and that damaged files are errors;
these tests pin the boundaries and say *which* error, so a ``>`` made ``>=`` or a check
dropped is seen.
"""

from __future__ import annotations

import io
import json
import math
import re
import sys
import zipfile

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from core.errors import DataError
from core.workspace import (
    FORMAT,
    FORMAT_VERSION,
    INLINE_ARRAY_MAX,
    EncodedPart,
    decode_part,
    decode_table,
    decode_value,
    digest,
    encode_part,
    encode_table,
    read_workspace_file,
    write_workspace_file,
)
from tests.core.test_workspace import rezip  # the same zip writer as the round-trip tests


def manifest_of(members: dict[str, bytes], **changes) -> bytes:
    manifest = {"format": FORMAT, "version": FORMAT_VERSION, "app": "Cutoff", "created": "2026-01-01T00:00:00+00:00",
                "files": {name: {"bytes": len(body), "sha256": digest(body)} for name, body in members.items()}}
    manifest.update(changes)
    return json.dumps(manifest).encode()


def workspace_zip(files: dict[str, bytes], **changes) -> bytes:
    return rezip({"manifest.json": manifest_of(files, **changes), **files})


# ---------------------------------------------------------------------------------------
# parts: inline JSON or the Parquet side-car


def test_an_array_of_exactly_the_inline_limit_stays_in_the_json_and_one_more_goes_to_the_side_car():
    at_limit = np.arange(INLINE_ARRAY_MAX, dtype=float)
    inline = encode_part({"a": at_limit})
    assert inline.arrays is None and '"values"' in inline.json
    assert decode_part(inline)["a"].tobytes() == at_limit.tobytes()
    over = np.arange(INLINE_ARRAY_MAX + 1, dtype=float)
    side = encode_part({"a": over})
    assert side.arrays is not None and side.arrays[:4] == b"PAR1" and '"values"' not in side.json
    assert decode_part(side)["a"].tobytes() == over.tobytes()


def test_several_side_car_arrays_in_one_part_each_come_back_as_themselves():
    rng = np.random.default_rng(4)
    value = {"scores": rng.random(1500), "grid": rng.integers(0, 9, (3, 700)).astype(np.int16),
             "flags": rng.random(1200) < 0.3, "labels": np.array([f"s{i % 3}" for i in range(1100)]),
             "when": np.arange(1300).astype("datetime64[s]")}
    part = encode_part(value)
    assert part.arrays is not None and "values" not in part.json
    back = decode_part(part)
    assert list(back) == list(value)
    for name, array in value.items():
        assert back[name].dtype == array.dtype and back[name].shape == array.shape, name
        assert np.array_equal(back[name], array), name


def test_a_large_object_array_of_mixed_values_stays_in_the_json():
    mixed = np.array([i if i % 2 else f"t{i}" for i in range(INLINE_ARRAY_MAX + 5)], dtype=object)
    part = encode_part({"m": mixed})
    assert part.arrays is None
    back = decode_part(part)["m"]
    assert back.dtype == object and list(back) == list(mixed) and [type(v) for v in back] == [type(v) for v in mixed]


def test_large_frames_and_series_in_a_part_put_their_columns_and_index_in_the_side_car():
    n = INLINE_ARRAY_MAX + 1
    text = [None if i % 10 == 0 else f"s{i % 3}" for i in range(n)]  # missing values too: NaN / NA in pandas
    frame = pd.DataFrame({"score": np.linspace(0, 1, n), "segment": pd.Series(text, dtype="str"),
                          "region": pd.Series(text, dtype="string")},
                         index=pd.Index(np.arange(n) * 2, name="row"))
    series = pd.Series(np.arange(n, dtype=np.int32), name="s")
    part = encode_part({"frame": frame, "series": series})
    assert part.arrays is not None and len(part.json) < 1000  # no column written out as JSON numbers
    back = decode_part(part)
    pd.testing.assert_frame_equal(back["frame"], frame, check_exact=True)
    pd.testing.assert_series_equal(back["series"], series, check_exact=True)


def test_a_frame_of_pandas_column_types_in_a_part_round_trips():
    when = pd.to_datetime(["2024-02-29 10:00", None, "1999-12-31 23:59"])
    frame = pd.DataFrame({
        "text": pd.Series(["a", None, "ü"], dtype="str"),
        "string": pd.Series(["x", None, "y"], dtype="string"),
        "count": pd.array([1, None, -(2**62)], dtype="Int64"),
        "small": pd.array([1, None, 255], dtype="UInt8"),
        "ratio": pd.array([0.5, None, -0.0], dtype="Float64"),
        "ok": pd.array([True, None, False], dtype="boolean"),
        "plan": pd.Categorical(["basic", None, "pro"], categories=["pro", "basic", "trial"], ordered=True),
        "grade": pd.Categorical([2, 1, None], categories=[2, 1, 3]),
        "utc": when.tz_localize("UTC"),
        "paris": when.tz_localize("Europe/Paris"),
    }, index=pd.Index(["r1", "r2", "r3"], dtype="str", name="row"))
    back = decode_part(encode_part({"frame": frame, "plan": frame["plan"]}))
    pd.testing.assert_frame_equal(back["frame"], frame, check_exact=True, check_categorical=True)
    pd.testing.assert_series_equal(back["plan"], frame["plan"], check_exact=True)
    assert [str(t) for t in back["frame"].dtypes] == [str(t) for t in frame.dtypes]


@pytest.mark.parametrize("column, kind", [
    (pd.period_range("2024-01-01", periods=2, freq="D"), "period[D]"),
    (pd.arrays.IntervalArray.from_breaks([0, 1, 2]), "interval[int64, right]"),
    (pd.arrays.SparseArray([0, 1]), "Sparse[int64, 0]"),
])
def test_frame_columns_of_a_type_the_format_does_not_hold_are_refused_in_words(column, kind):
    with pytest.raises(TypeError, match=r"^a workspace cannot hold a column of type " + re.escape(kind) + "$"):
        encode_part({"f": pd.DataFrame({"p": column})})


def test_text_ending_in_a_nul_character_keeps_it_in_a_frame_of_a_part():
    # NumPy's fixed-width text (dtype U) drops trailing NULs: the values must stay Python strings.
    frame = pd.DataFrame({"code": pd.Series(["a\x00", "b\x00\x00", "c"], dtype="str"),
                          "plan": pd.Categorical(["x\x00", "x", "x"])})
    back = decode_part(encode_part({"frame": frame}))["frame"]
    assert list(back["code"]) == ["a\x00", "b\x00\x00", "c"]
    pd.testing.assert_frame_equal(back, frame, check_exact=True)


def test_part_sizes_count_the_json_bytes_and_the_side_car():
    part = encode_part({"naïve": np.arange(2000.0)})
    assert part.nbytes == len(part.json.encode("utf-8")) + len(part.arrays)
    assert EncodedPart("é").nbytes == 2 and EncodedPart("{}", b"abc").nbytes == 5
    assert EncodedPart("{}", b"abc").digest != EncodedPart("{}").digest
    assert EncodedPart("{}", b"").digest == EncodedPart("{}").digest == digest(b"{}\0")


# ---------------------------------------------------------------------------------------
# the .cutoff file as written


def test_a_written_file_lists_every_member_with_its_size_and_checksum():
    table = encode_table(pd.DataFrame({"score": [0.1, 0.9]}))
    parts = {"evaluation": encode_part({"scores": np.arange(3000.0)}), "settings": encode_part({"t": 0.5})}
    data = write_workspace_file(table, parts, app="Cutoff test")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        infos = {i.filename: i for i in archive.infolist()}
        bodies = {n: archive.read(n) for n in names}
    assert names[0] == "manifest.json"
    assert set(names) == {"manifest.json", "table.parquet", "evaluation.json", "evaluation.arrays.parquet",
                          "settings.json"}
    manifest = json.loads(bodies["manifest.json"])
    assert manifest["format"] == "cutoff-workspace" and manifest["version"] == 1 and manifest["app"] == "Cutoff test"
    assert manifest["created"].endswith("+00:00") and len(manifest["created"]) == 25  # seconds, UTC
    assert manifest["files"] == {n: {"bytes": len(b), "sha256": digest(b)} for n, b in bodies.items()
                                 if n != "manifest.json"}
    # Parquet is stored as it is; JSON is deflated.
    assert infos["table.parquet"].compress_type == zipfile.ZIP_STORED
    assert infos["evaluation.arrays.parquet"].compress_type == zipfile.ZIP_STORED
    assert infos["settings.json"].compress_type == zipfile.ZIP_DEFLATED
    opened = read_workspace_file(data)
    assert opened.table == table and opened.parts == parts


def test_a_file_without_a_table_or_parts_round_trips_and_unknown_parts_are_refused():
    opened = read_workspace_file(write_workspace_file(None, {}))
    assert opened.table is None and opened.parts == {} and opened.manifest["files"] == {}
    assert write_workspace_file(None, {}, app="X") != b"" and read_workspace_file(
        write_workspace_file(None, {})).manifest["app"] == "Cutoff"
    with pytest.raises(ValueError, match="unknown workspace part 'notes'"):
        write_workspace_file(None, {"notes": encode_part({})})


# ---------------------------------------------------------------------------------------
# refusals, each in its own words


@pytest.mark.parametrize("data, words", [
    (b"\xff\xd8\xff\xe0" + b"\0" * 40, "(it is an image or a PDF)"),
    (b"%PDF-1.7\n" + b"\0" * 40, "(it is an image or a PDF)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 40, "(it is an old Office document)"),
    (b"PAR1" + b"\0" * 40, "(it is a Parquet file)"),
    ("score;label\n0,5;oui\n".encode("utf-8"), "(it is a text file, such as a CSV)"),
])
def test_a_renamed_file_says_what_it_is(data, words):
    with pytest.raises(DataError) as raised:
        read_workspace_file(data)
    text = str(raised.value)
    assert text.startswith("This is not a Cutoff workspace file " + words) and "Download workspace" in text


def test_binary_that_is_no_known_kind_is_just_not_a_workspace():
    with pytest.raises(DataError) as raised:
        read_workspace_file(b"\x80\x81\xfe\xff" * 20)
    assert str(raised.value).startswith("This is not a Cutoff workspace file. Choose a file")


def test_a_text_file_whose_first_4096_bytes_are_text_is_called_text():
    # A multi-byte character cut at byte 4096 does not make a CSV look binary... but a bad byte inside does.
    assert "(it is a text file" in _refusal(b"a" * 4096 + b"\xff")
    assert "(it is a text file" not in _refusal(b"a" * 4095 + b"\xff")


def _refusal(data: bytes) -> str:
    with pytest.raises(DataError) as raised:
        read_workspace_file(data)
    return str(raised.value)


def test_empty_and_not_quite_zip_files_are_told_apart():
    assert _refusal(b"").startswith("The workspace file is empty (0 bytes)")
    assert "does not start like a zip archive" in _refusal(b"PK\x05\x06" + b"\0" * 18)
    assert "damaged or incomplete" in _refusal(b"PK\x03\x04" + b"\0" * 40)


def test_a_zip_of_other_files_or_without_a_manifest_is_named_as_such():
    assert "(it is a zip archive of other files)" in _refusal(rezip({"settings.json": b"{}", "data.csv": b"a\n1\n"}))
    assert "(it is a zip archive of other files)" in _refusal(rezip({"notes.txt": b"hi"}))
    assert "has no manifest.json" in _refusal(rezip({"settings.json": b"{}"}))


def test_unknown_duplicate_folder_and_oversized_members_are_refused():
    text = _refusal(rezip({"manifest.json": b"{}", "a.py": b"", "b.py": b"", "c.py": b"", "d.py": b"",
                           "e.py": b"", "f.py": b""}))
    assert "files Cutoff does not write ('a.py', 'b.py', 'c.py', 'd.py', 'e.py')" in text and "f.py" not in text
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w") as archive:
        archive.writestr("manifest.json", b"{}")
        with pytest.warns(UserWarning, match="Duplicate"):
            archive.writestr("manifest.json", b"{}")
    assert "lists the same member twice" in _refusal(sink.getvalue())
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w") as archive:
        archive.writestr("manifest.json", b"{}")
        archive.writestr(zipfile.ZipInfo("settings.json/"), b"")
    assert "holds files Cutoff does not write" in _refusal(sink.getvalue())
    big = {"table.parquet": b"\0" * (3 << 20)}
    with pytest.raises(DataError) as raised:
        read_workspace_file(workspace_zip(big), max_bytes=2 << 20)
    assert "unpacks to 3 MB, more than the 2 MB a workspace may hold" in str(raised.value)


def test_a_file_exactly_at_the_size_limit_is_read():
    files = {"table.parquet": b"\1" * 5000}
    data = workspace_zip(files)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        total = sum(i.file_size for i in archive.infolist())
    assert read_workspace_file(data, max_bytes=total).table == files["table.parquet"]
    with pytest.raises(DataError, match="more than"):
        read_workspace_file(data, max_bytes=total - 1)


@pytest.mark.parametrize("version", [0, -1, True, 1.0, None, "1"])
def test_a_manifest_without_a_whole_positive_version_is_refused(version):
    files = {"settings.json": b"{}"}
    assert f"has no valid format version (got {version!r})" in _refusal(workspace_zip(files, version=version))


def test_a_newer_version_names_both_formats_and_the_current_one_opens():
    files = {"settings.json": b"{}"}
    text = _refusal(workspace_zip(files, version=FORMAT_VERSION + 1))
    assert f"(format {FORMAT_VERSION + 1})" in text and f"reads format {FORMAT_VERSION}" in text
    assert read_workspace_file(workspace_zip(files)).parts == {"settings": EncodedPart("{}")}


@pytest.mark.parametrize("manifest, words", [
    (b"[1, 2]", "does not describe a Cutoff workspace"),
    (b'{"version": 1, "files": {}}', "does not describe a Cutoff workspace"),
    (b"\xff\xfe", "manifest.json is not valid JSON"),
    (json.dumps({"format": FORMAT, "version": 1}).encode(), "does not list its files"),
])
def test_bad_manifests_say_what_is_wrong(manifest, words):
    assert words in _refusal(rezip({"manifest.json": manifest}))


def test_members_that_do_not_match_the_manifest_are_named():
    files = {"settings.json": b"{}", "model.json": b"[]"}
    listed = {name: {"bytes": len(body), "sha256": digest(body)} for name, body in files.items()}
    text = _refusal(rezip({"manifest.json": manifest_of({}, files={**listed, "table.parquet": {}}), **files}))
    assert "is incomplete (missing table.parquet)" in text
    assert "is incomplete. Download" in _refusal(rezip({"manifest.json": manifest_of({}), **files}))
    for entry in ("not a dict", {"bytes": 3, "sha256": digest(b"{}")}, {"bytes": 2, "sha256": digest(b"{ }")},
                  {"sha256": digest(b"{}")}):
        text = _refusal(rezip({"manifest.json": manifest_of({}, files={**listed, "settings.json": entry}), **files}))
        assert "settings.json does not match its checksum" in text


def test_part_members_must_be_text_and_a_side_car_needs_its_json():
    assert "model.json is not text" in _refusal(workspace_zip({"model.json": b"\xff\xfe{}"}))
    text = _refusal(workspace_zip({"model.arrays.parquet": b"PAR1"}))
    assert "has model.arrays.parquet without model.json" in text
    opened = read_workspace_file(workspace_zip({"model.json": b"{}", "model.arrays.parquet": b"PAR1x",
                                                "setup.json": "{\"é\": 1}".encode()}))
    assert opened.parts == {"setup": EncodedPart('{"é": 1}'), "model": EncodedPart("{}", b"PAR1x")}
    assert list(opened.parts) == ["setup", "model"]  # the order a restore applies them


def test_tables_and_parts_that_are_not_what_they_claim_name_what_failed():
    with pytest.raises(DataError, match=r"^The part's arrays is not a readable Parquet file"):
        decode_part(EncodedPart("[]", b"not parquet"))
    with pytest.raises(DataError, match=r"^The model is not valid JSON"):
        decode_part(EncodedPart("{"), "model")
    with pytest.raises(DataError, match=r"^The table is not a readable Parquet file"):
        decode_table(b"not parquet")


def test_a_member_of_several_megabytes_is_read_whole():
    body = bytes(range(256)) * (12 << 12)  # 12 MiB: read in several chunks
    assert workspace_read(body) == body


def workspace_read(body: bytes) -> bytes:
    return read_workspace_file(workspace_zip({"table.parquet": body})).table


def test_an_encrypted_member_is_refused_as_such():
    data = bytearray(workspace_zip({"settings.json": b"{}"}))
    # Set the "encrypted" flag of every member in both headers (local at +6, central at +8).
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            data[start + offset] |= 0x1
            start += 4
    assert "holds folders or encrypted members" in _refusal(bytes(data))


def test_a_member_whose_bytes_fail_their_crc_names_the_member():
    body = bytes(range(256)) * 20
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w") as archive:  # stored, not deflated
        archive.writestr("manifest.json", manifest_of({"table.parquet": body}))
        archive.writestr("table.parquet", body)
    data = bytearray(sink.getvalue())
    # table.parquet is stored as it is: change one of its bytes in place.
    start = data.find(body[:100])
    data[start + 10] ^= 0xFF
    text = _refusal(bytes(data))
    assert text.startswith("The workspace file is damaged (table.parquet:")


def test_a_malformed_side_car_is_refused():

    for bad in (pa.table({"a0": [[1.0], [2.0]]}), pa.table({"a0": [1.0]})):  # two rows; not a list column
        sink = io.BytesIO()
        pq.write_table(bad, sink)
        with pytest.raises(DataError, match=r"^The model's arrays file is malformed"):
            decode_part(EncodedPart('{"$array":{"dtype":"<f8","shape":[1],"ref":"a0"}}', sink.getvalue()), "model")


def test_arrays_the_format_does_not_hold_are_refused_in_words():
    with pytest.raises(TypeError, match="cannot hold arrays of type complex128"):
        encode_part({"z": np.array([1j])})
    with pytest.raises(TypeError, match="cannot hold byte-string arrays"):
        encode_part({"b": np.array([b"ab"])})


def test_a_large_array_of_text_and_missing_values_goes_to_the_side_car():
    labels = np.array([None if i % 9 == 0 else f"segment {i % 4}" for i in range(INLINE_ARRAY_MAX + 1)], dtype=object)
    part = encode_part({"labels": labels})
    assert part.arrays is not None and "segment" not in part.json
    assert list(decode_part(part)["labels"]) == list(labels)


def test_the_first_five_missing_members_are_named():
    names = ["dataset.json", "evaluation.json", "model.json", "scenarios.json", "settings.json", "setup.json"]
    listed = {name: {"bytes": 2, "sha256": digest(b"{}")} for name in names}
    text = _refusal(rezip({"manifest.json": manifest_of({}, files=listed)}))
    assert "(missing dataset.json, evaluation.json, model.json, scenarios.json, settings.json)" in text


def test_a_part_with_an_unknown_tag_names_the_part():
    with pytest.raises(DataError, match=r"^The model could not be read: unknown tag '\$pickle'"):
        decode_part(EncodedPart('{"$pickle": "x"}'), "model")


def test_a_small_datetime_array_is_written_inline_as_text_and_comes_back():
    when = np.array(["2024-02-29T10:00:00", "NaT", "1999-12-31T23:59:59"], dtype="datetime64[s]")
    part = encode_part({"when": when})
    assert part.arrays is None and '"2024-02-29T10:00:00"' in part.json and "null" in part.json
    back = decode_part(part)["when"]
    assert back.dtype == when.dtype and np.array_equal(back, when, equal_nan=True)
    frame = pd.DataFrame({"when": pd.to_datetime(["2024-01-01", None])})
    pd.testing.assert_frame_equal(decode_part(encode_part({"f": frame}))["f"], frame, check_exact=True)


# ---------------------------------------------------------------------------------------
# tables: column types and metadata the round-trip property test does not draw


def with_table_metadata(data: bytes, change) -> bytes:
    """The table ``data`` with its Cutoff metadata (names, dtypes, rows) edited by ``change``."""

    table = pq.read_table(pa.BufferReader(data))
    (key,) = [k for k in table.schema.metadata if b"cutoff" in k]
    meta = json.loads(table.schema.metadata[key])
    change(meta)
    sink = io.BytesIO()
    pq.write_table(table.replace_schema_metadata({key: json.dumps(meta)}), sink)
    return sink.getvalue()


def assert_round_trips(df: pd.DataFrame) -> pd.DataFrame:
    back = decode_table(encode_table(df))
    pd.testing.assert_frame_equal(back, df, check_exact=True, check_column_type=True)
    assert list(back.dtypes.astype(str)) == list(df.dtypes.astype(str))
    for name in df.columns:
        if df[name].dtype == object:  # None stays None, NaN stays NaN, NA stays NA
            assert [type(v) for v in back[name]] == [type(v) for v in df[name]], name
    return back


@pytest.mark.parametrize("values", [
    ["x", None, pd.NA],
    ["x", pd.NA],
    [pd.NA, "x", float("nan")],
    ["x", None, float("nan"), pd.NA, 3],
])
def test_object_columns_keep_each_kind_of_missing_value_pandas_na_included(values):
    assert_round_trips(pd.DataFrame({"notes": pd.Series(values, dtype=object)}))


def test_datetime_columns_in_seconds_with_and_without_a_time_zone_round_trip():
    # Parquet has no seconds unit: these come back from Arrow in milliseconds and are cast back.
    when = pd.Series(pd.to_datetime(["2024-02-29 10:00:01", None, "1999-12-31 23:59:59"])).astype("datetime64[s]")
    df = pd.DataFrame({"naive": when, "utc": when.dt.tz_localize("UTC"),
                       "paris": when.dt.tz_localize("Europe/Paris")})
    assert [str(t) for t in df.dtypes] == ["datetime64[s]", "datetime64[s, UTC]", "datetime64[s, Europe/Paris]"]
    assert_round_trips(df)


def test_a_duration_column_round_trips():
    assert_round_trips(pd.DataFrame({"wait": pd.to_timedelta([1.5, None, 3600], unit="s")}))


def test_a_table_with_rows_and_no_columns_round_trips():
    back = decode_table(encode_table(pd.DataFrame(index=range(4))))
    assert back.shape == (4, 0)
    pd.testing.assert_index_equal(back.index, pd.RangeIndex(4), exact=True)


def test_column_names_that_are_tuples_stay_one_level():
    df = pd.DataFrame([[1, 2.5], [3, 4.5]])
    df.columns = pd.Index([("a", 1), ("b", 2)], tupleize_cols=False)
    back = assert_round_trips(df)
    assert not isinstance(back.columns, pd.MultiIndex) and list(back.columns) == [("a", 1), ("b", 2)]


@pytest.mark.parametrize("dtype", ["complex128", "timedelta64[ns]", "|V8"])
def test_a_table_whose_metadata_names_a_type_the_format_does_not_hold_is_refused(dtype):
    data = with_table_metadata(encode_table(pd.DataFrame({"score": [0.5, 0.25]})),
                               lambda meta: meta["columns"][0].update(dtype=dtype))
    with pytest.raises(DataError, match=r"^The table could not be read: unsupported column type '"
                                        + re.escape(dtype) + r"'\.$"):
        decode_table(data)


def test_a_table_whose_columns_are_not_as_long_as_it_says_is_refused():
    data = with_table_metadata(encode_table(pd.DataFrame({"score": [0.5, 0.25]})),
                               lambda meta: meta.update(rows=3))
    with pytest.raises(DataError, match=r"^The table could not be read: a column's length does not match the table"):
        decode_table(data)


def test_table_attributes_that_are_not_a_mapping_are_refused():
    data = with_table_metadata(encode_table(pd.DataFrame({"score": [0.5]})), lambda meta: meta.update(attrs=[1, 2]))
    with pytest.raises(DataError, match=r"^The table could not be read: bad table attributes\.$"):
        decode_table(data)


def test_table_metadata_without_its_row_count_is_called_malformed():
    data = with_table_metadata(encode_table(pd.DataFrame({"score": [0.5]})), lambda meta: meta.pop("rows"))
    with pytest.raises(DataError, match=r"^The table's metadata is malformed \('rows'\)\.$"):
        decode_table(data)


def test_a_text_column_is_a_parquet_column_and_a_mixed_one_is_kept_as_json():

    n = 5000
    df = pd.DataFrame({"segment": pd.Series([None if i % 11 == 0 else f"segment {i % 7}" for i in range(n)],
                                            dtype=object),
                       "mixed": pd.Series([i if i % 2 else 0.5 * i for i in range(n)], dtype=object)})
    data = encode_table(df)
    stored = pq.read_table(pa.BufferReader(data))
    assert stored.num_columns == 1 and pa.types.is_string(stored.schema.field(0).type)  # the text, not the mixed
    assert b"segment 3" not in b"".join(stored.schema.metadata.values())  # not copied into the metadata
    assert_round_trips(df)


def test_a_part_that_parses_but_is_nested_too_deeply_to_decode_is_refused_in_words():
    depth = sys.getrecursionlimit() * 2 // 3
    text = "[" * depth + "]" * depth
    json.loads(text)  # the JSON parser copes with this depth; decoding the tree does not
    with pytest.raises(DataError, match=r"^The model is nested too deeply to read\.$"):
        decode_part(EncodedPart(text), "model")


# ---------------------------------------------------------------------------------------
# Values the writer accepted that did not come back as they were, until core/workspace.py
# kept them: other missing values beside None, nullable integers beyond 2**53, the categories
# of a number column, a datetime64 without a unit.


@pytest.mark.parametrize("values", [["x", pd.NaT, None], ["x", np.float32("nan"), None]])
def test_object_columns_with_nat_beside_another_missing_value_keep_it(values):
    assert_round_trips(pd.DataFrame({"notes": pd.Series(values, dtype=object)}))


@pytest.mark.parametrize("column", [pd.array([2**53 + 1, None, -(2**62)], dtype="Int64"),
                                    pd.array([2**64 - 1, None], dtype="UInt64")])
def test_nullable_integers_beyond_float_precision_beside_a_missing_value_round_trip(column):
    assert_round_trips(pd.DataFrame({"count": column}))


def test_a_category_column_of_numbers_keeps_its_categories():
    assert_round_trips(pd.DataFrame({"grade": pd.Categorical([2, 1, None], categories=[2, 1, 3], ordered=True)}))


def test_what_a_part_writes_it_reads_a_unitless_nat_included():
    back = decode_part(encode_part({"when": np.datetime64("NaT"), "days": np.array(["NaT", "NaT"], dtype="M8")}))
    assert np.isnat(back["when"])
    assert back["days"].shape == (2,) and np.isnat(back["days"]).all()


def test_a_category_column_keeps_unused_categories_their_order_and_its_dtype():
    back = assert_round_trips(pd.DataFrame({
        "grade": pd.Categorical(["b", "a", None], categories=["c", "b", "a"]),
        "rate": pd.Categorical([0.5, None, 0.5], categories=[2.0, 0.5], ordered=True),
    }))
    assert list(back["grade"].cat.categories) == ["c", "b", "a"]
    assert list(back["rate"].cat.categories) == [2.0, 0.5] and back["rate"].cat.ordered


def test_a_missing_value_in_the_metadata_that_is_not_missing_is_refused():
    data = encode_table(pd.DataFrame({"notes": pd.Series(["x", pd.NaT, None], dtype=object)}))
    table = pq.read_table(pa.BufferReader(data))
    meta = json.loads(table.schema.metadata[b"cutoff.table"])
    assert meta["columns"][0]["missing"]["values"] == [[1, {"$timestamp": None}]]
    meta["columns"][0]["missing"]["values"] = [[1, "not missing"]]
    forged = table.replace_schema_metadata({b"cutoff.table": json.dumps(meta)})
    sink = pa.BufferOutputStream()
    pq.write_table(forged, sink)
    with pytest.raises(DataError, match="missing values are malformed"):
        decode_table(sink.getvalue().to_pybytes())


# ---------------------------------------------------------------------------------------
# The missing-value and category metadata of commit 8829c93, at its edges.


def test_an_object_column_of_numpy_scalars_keeps_them_as_values_not_as_missing():
    # numpy scalars that are not missing are values: only a missing one is recorded with its value.
    back = assert_round_trips(pd.DataFrame({"mixed": pd.Series(
        [np.int64(3), "x", None, np.bool_(True), np.float32(0.5)], dtype=object)}))
    assert back["mixed"][0] == 3 and back["mixed"][4] == np.float32(0.5)


@pytest.mark.parametrize("values", [["x", pd.NaT], ["x", np.float32("nan"), np.datetime64("NaT", "s")]])
def test_an_object_column_whose_only_missing_values_are_not_none_nan_or_na_keeps_them(values):
    back = assert_round_trips(pd.DataFrame({"notes": pd.Series(values, dtype=object)}))
    assert back["notes"][0] == "x" and all(pd.isna(v) for v in back["notes"][1:])


def test_a_category_column_of_a_file_without_its_categories_in_the_metadata_still_reads():
    # Files written before the categories were recorded: the categories Parquet keeps (the text ones).
    df = pd.DataFrame({"grade": pd.Categorical(["b", "a", None, "b"])})
    data = with_table_metadata(encode_table(df), lambda meta: [meta["columns"][0].pop(k) for k in ("categories", "ordered")])
    back = decode_table(data)
    assert str(back["grade"].dtype) == "category"
    assert back["grade"].astype(object).tolist()[:2] == ["b", "a"] and pd.isna(back["grade"][2])


@pytest.mark.parametrize("forged", [[None], "not missing", {"$array": {"dtype": "<M8[s]", "shape": [1], "values": [None]}}])
def test_a_missing_value_in_the_metadata_that_is_not_one_missing_scalar_is_refused(forged):
    data = encode_table(pd.DataFrame({"notes": pd.Series(["x", pd.NaT, None], dtype=object)}))
    data = with_table_metadata(data, lambda meta: meta["columns"][0]["missing"].update(values=[[1, forged]]))
    with pytest.raises(DataError, match=r"^The table could not be read: a column's missing values are malformed\.$"):
        decode_table(data)


@pytest.mark.parametrize("dtype", ["string", "boolean", "Int8", "Float32", "UInt16"])
def test_pandas_typed_columns_with_a_missing_value_round_trip(dtype):
    values = {"string": ["a", None, "b"], "boolean": [True, None, False]}.get(dtype, [1, None, 2])
    assert_round_trips(pd.DataFrame({"column": pd.array(values, dtype=dtype)}))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_nullable_float_column_keeps_a_nan_apart_from_its_missing_value(dtype):
    column = pd.arrays.FloatingArray(np.array([np.nan, 1.5, 0.0], dtype=dtype), np.array([False, False, True]))
    back = decode_table(encode_table(pd.DataFrame({"rate": column})))
    assert back["rate"].dtype == column.dtype
    assert back["rate"].array.isna().tolist() == [False, False, True]


def test_plain_datetimes_and_dates_in_a_part_come_back_as_themselves():
    import datetime as dt

    value = {"saved": dt.datetime(2024, 2, 29, 10, 0, 1, 250), "day": dt.date(1999, 12, 31),
             "zoned": dt.datetime(2024, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=-5)))}
    back = decode_part(encode_part(value))
    assert back == value
    assert [type(v) for v in back.values()] == [dt.datetime, dt.date, dt.datetime]


@pytest.mark.parametrize("wrap", [lambda a: [a, 1], lambda a: (a, 1), lambda a: {"k": [a]}, lambda a: {2: a}])
def test_a_large_array_inside_a_list_tuple_or_dict_goes_to_the_side_car(wrap):
    over = np.arange(INLINE_ARRAY_MAX + 1, dtype=float)
    part = encode_part(wrap(over))
    assert part.arrays is not None and '"values"' not in part.json
    back = decode_part(part)
    assert type(back) is type(wrap(over))


def test_a_dict_whose_keys_look_like_tags_comes_back_as_that_dict():
    for value in ({"$float": "nan"}, {"$float": "nan", "$array": 1}):
        back = decode_part(encode_part({"settings": value}))
        assert back == {"settings": value}


def test_a_large_series_index_of_a_part_goes_to_the_side_car():
    n = INLINE_ARRAY_MAX + 1
    series = pd.Series(np.zeros(n), index=pd.Index(np.arange(n) * 0.5), name="s")
    part = encode_part(series)
    assert part.arrays is not None and '"values"' not in part.json
    pd.testing.assert_series_equal(decode_part(part), series, check_exact=True)


# ---------------------------------------------------------------------------------------
# the value decoders: what a part holds comes back with its shape, index and names, and a
# forged part is refused with the reason

def _forged(tree) -> str:
    with pytest.raises(DataError) as raised:
        decode_part(EncodedPart(json.dumps(tree)))
    return str(raised.value)


_ONE_ROW = {"$range": [0, 1, 1, None]}
_ONE_VALUE = {"$array": {"dtype": "<f8", "shape": [1], "values": [1.0]}}


@pytest.mark.parametrize("tree, reason", [
    ({"$frame": {"columns": ["a"], "index": _ONE_ROW, "data": [5]}}, "bad table column"),
    ({"$frame": {"columns": ["a"], "index": _ONE_ROW, "data": [
        {"pandas": "period[D]", "values": {"$array": {"dtype": "|O", "shape": [1], "values": [None]}}}]}},
     "unsupported column type 'period[D]'"),
    ({"$frame": {"columns": ["a"], "index": _ONE_ROW, "data": [{"pandas": None, "values": _ONE_VALUE}]}},
     "unsupported column type None"),
    ({"$frame": {"columns": ["a"], "index": {}, "data": [{"numpy": _ONE_VALUE}]}}, "bad table index"),
    ({"$frame": {"columns": ["a"], "index": {"$rows": [0, 1]}, "data": [{"numpy": _ONE_VALUE}]}},
     "bad table index"),
    ({"$frame": {"columns": ["a"], "index": [], "data": [{"numpy": _ONE_VALUE}]}}, "bad table index"),
    ({"$frame": {"columns": ["a"], "index": _ONE_ROW, "data": [{"numpy": {**_ONE_VALUE, "$more": 1}}]}},
     "expected an array"),
    ({"$frame": {"columns": ["a"], "index": _ONE_ROW, "data": []}},
     "a table's column names and columns do not match"),
    ({"$tuple": 5}, "expected a list"),
    ({"$array": {"dtype": 5, "shape": [1], "values": [1]}}, "unsupported array type 5"),
    ({"$array": {"dtype": "<c16", "shape": [1], "values": [1]}}, "unsupported array type '<c16'"),
    ({"$array": {"dtype": "<f8", "shape": [2, -1], "values": []}}, "negative array size"),
    ({"$array": {"dtype": "<f8", "shape": [3], "values": [1.0]}}, "an array has 1 values, its shape says 3"),
    ({"$array": {"dtype": "<i8", "shape": [1], "values": [1.5]}}, "non-integer values in an array of type int64"),
    ({"$array": {"dtype": "<f8", "shape": [2], "ref": "a0"}}, "array 'a0' is missing from the side-car file"),
    ({"$float": "1e400"}, "bad float '1e400'"),
    ({"$scalar": ["<f8"]}, r"a $scalar value could not be read (not enough values to unpack"),
    ({"$frame": {"columns": ["a"], "index": {"$range": [0, 2, 1, None]}, "data": [{"numpy": _ONE_VALUE}]}},
     r"a $frame value could not be read (Length mismatch"),
])
def test_a_forged_part_is_refused_with_the_reason(tree, reason):
    assert _forged(tree).startswith(f"The part could not be read: {reason}")


def test_a_side_car_array_of_another_size_than_the_json_says_is_refused():
    part = encode_part(np.arange(INLINE_ARRAY_MAX + 1.0))
    forged = EncodedPart(part.json.replace(f'"shape":[{INLINE_ARRAY_MAX + 1}]', f'"shape":[{INLINE_ARRAY_MAX + 2}]'),
                         part.arrays)
    assert forged.json != part.json
    with pytest.raises(DataError, match=r"^The part could not be read: array 'a0' has 1001 values, "
                                        r"the JSON says 1002\.$"):
        decode_part(forged)


def test_an_array_where_a_dict_key_is_expected_is_refused_as_unhashable():
    tree = {"$dict": [[{"$array": {"dtype": "<f8", "shape": [1], "ref": "a0"}}, 1]]}
    with pytest.raises(DataError, match=r"^a \$dict value could not be read \(unhashable type"):
        decode_value(tree, {"a0": np.array([1.0])})


def test_only_json_values_are_decoded():
    with pytest.raises(DataError, match=r"^unexpected value of type bytes$"):
        decode_value(b"x")
    with pytest.raises(DataError, match=r"^unexpected value of type set$"):
        decode_value({"a": {1}})


def test_an_empty_array_of_any_shape_comes_back_with_its_shape():
    value = {"none": np.zeros(0), "rows": np.zeros((0, 3), dtype=np.int8), "cols": np.array([[], []], dtype=object)}
    back = decode_part(encode_part(value))
    for name, array in value.items():
        assert back[name].dtype == array.dtype and back[name].shape == array.shape, name


def test_arrays_of_two_dimensions_keep_their_shape_inline_and_in_the_side_car():
    rows = INLINE_ARRAY_MAX // 2 + 1  # two columns: just over the inline limit
    value = {
        "small_numbers": np.arange(6, dtype=np.int32).reshape(2, 3),
        "small_text": np.array([["a", None], ["b", "c"]], dtype=object),
        "small_mixed": np.array([[1, "a"], [2.5, None]], dtype=object),
        "small_times": np.array([["2024-01-01T00:00:01", "NaT"], ["1999-12-31T23:59:59", "2000-01-01"]],
                                dtype="datetime64[s]"),
        "large_text": np.array([[f"t{i}", None] for i in range(rows)], dtype=object),
        "large_times": np.arange(2 * rows).astype("datetime64[ms]").reshape(rows, 2),
        "large_numbers": np.arange(2 * rows, dtype=np.float32).reshape(2, rows),
    }
    part = encode_part(value)
    assert part.arrays is not None and part.json.count('"ref"') == 3
    back = decode_part(part)
    for name, array in value.items():
        assert back[name].dtype == array.dtype and back[name].shape == array.shape, name
        if array.dtype == object:
            assert back[name].tolist() == array.tolist(), name
        else:
            assert np.array_equal(back[name], array, equal_nan=array.dtype.kind in "fM"), name


def test_a_small_datetime_array_of_only_nat_keeps_its_unit():
    for unit in ("s", "ms", "D"):
        when = np.array(["NaT", "NaT"], dtype=f"datetime64[{unit}]")
        back = decode_part(encode_part({"when": when}))["when"]
        assert back.dtype == when.dtype and np.isnat(back).all(), unit


def test_special_floats_and_missing_scalars_in_a_part_come_back_as_themselves():
    value = [float("nan"), float("inf"), float("-inf"), pd.NA, pd.NaT,
             pd.Timestamp("2024-02-29 10:00:00.000001", tz="Europe/Paris"),
             np.datetime64("2024-02-29T10:00:00", "s"), np.datetime64("NaT", "ms")]
    part = encode_part(value)
    assert '{"$float":"nan"}' in part.json and '{"$float":"inf"}' in part.json and '{"$float":"-inf"}' in part.json
    back = decode_part(part)
    assert math.isnan(back[0]) and back[1] == math.inf and back[2] == -math.inf
    assert back[3] is pd.NA and back[4] is pd.NaT
    assert back[5] == value[5] and back[5].utcoffset() == value[5].utcoffset()
    assert back[6] == value[6] and back[6].dtype == value[6].dtype
    assert np.isnat(back[7]) and back[7].dtype == value[7].dtype


def test_a_range_index_with_a_start_a_step_and_a_name_round_trips():
    frame = pd.DataFrame({"score": [0.5, 0.25, 1.0, 0.0]}, index=pd.RangeIndex(5, 17, 3, name="case"))
    back = decode_part(encode_part({"frame": frame, "series": frame["score"]}))
    pd.testing.assert_frame_equal(back["frame"], frame, check_exact=True, check_index_type=True)
    pd.testing.assert_series_equal(back["series"], frame["score"], check_exact=True, check_index_type=True)
    pd.testing.assert_index_equal(back["frame"].index, frame.index, exact=True)
    table = decode_table(encode_table(frame))
    pd.testing.assert_index_equal(table.index, frame.index, exact=True)


def test_frames_in_a_part_with_rows_and_no_columns_or_with_tuple_names_round_trip():
    empty = pd.DataFrame(index=pd.RangeIndex(3))
    back = decode_part(encode_part({"f": empty}))["f"]
    assert back.shape == (3, 0)
    pd.testing.assert_frame_equal(back, empty, check_column_type=True)
    named = pd.DataFrame([[1, 2.5], [3, 4.5]])
    named.columns = pd.Index([("a", 1), ("b", 2)], tupleize_cols=False)
    back = decode_part(encode_part({"f": named}))["f"]
    assert not isinstance(back.columns, pd.MultiIndex) and list(back.columns) == [("a", 1), ("b", 2)]


def test_a_time_zone_column_of_only_missing_values_in_a_part_round_trips():
    frame = pd.DataFrame({"utc": pd.Series([pd.NaT, pd.NaT], dtype="datetime64[ns, UTC]"),
                          "paris": pd.Series([pd.NaT, pd.NaT], dtype="datetime64[s, Europe/Paris]")})
    back = decode_part(encode_part({"f": frame}))["f"]
    pd.testing.assert_frame_equal(back, frame, check_exact=True)
    assert [str(t) for t in back.dtypes] == ["datetime64[ns, UTC]", "datetime64[s, Europe/Paris]"]


def test_a_list_where_a_key_or_a_name_is_expected_is_read_as_a_tuple():
    tree = {"$dict": [[["a", 1], {"$frame": {"columns": [["b", 2]], "index": _ONE_ROW, "data": [{"numpy": _ONE_VALUE}]}}],
                      [["s"], {"$series": {"name": ["c", 3], "index": {"$range": [0, 1, 1, ["i", 4]]},
                                           "data": {"numpy": _ONE_VALUE}}}]]}
    back = decode_part(EncodedPart(json.dumps(tree)))
    assert list(back) == [("a", 1), ("s",)]
    assert list(back[("a", 1)].columns) == [("b", 2)]
    assert back[("s",)].name == ("c", 3) and back[("s",)].index.name == ("i", 4)


def test_parquet_is_zstd_compressed_with_dictionaries_for_text_and_categories_only():
    df = pd.DataFrame({"score": np.linspace(0, 1, 50), "segment": pd.Series(["a", "b"] * 25, dtype="str"),
                       "notes": pd.Series(["p", None] * 25, dtype=object), "plan": pd.Categorical(["x", "y"] * 25)})
    metadata = pq.ParquetFile(io.BytesIO(encode_table(df))).metadata.row_group(0)
    assert [metadata.column(j).has_dictionary_page for j in range(4)] == [False, True, True, True]
    assert {metadata.column(j).compression for j in range(4)} == {"ZSTD"}
    numbers = pq.ParquetFile(io.BytesIO(encode_table(df[["score"]]))).metadata.row_group(0).column(0)
    assert not numbers.has_dictionary_page and numbers.compression == "ZSTD"
    side_car = encode_part(np.arange(INLINE_ARRAY_MAX + 1.0)).arrays
    assert pq.ParquetFile(io.BytesIO(side_car)).metadata.row_group(0).column(0).compression == "ZSTD"
