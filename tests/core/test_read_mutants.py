"""core.read at its edges: archives and workbooks the format tests never reached.

A gzip-compressed workbook and an old-style ``.xls`` (written with xlwt) listed by
``excel_sheets``; archives unpacking to exactly the limit or just over it (the limit lowered
with monkeypatch for gzip, a zip member's declared size for zip); archives of five, six or
seven files; damaged archives and Parquet files whose message carries the reader's own
reason; Parquet dates and a Parquet file's name in its errors. Expected values come from the
fixtures themselves, from pandas/pyarrow, or from the library's own exception text.
"""

from __future__ import annotations

import datetime
import gzip
import io
import struct
import zipfile

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import core.read
from core.errors import DataError
from core.read import excel_sheets, read_csv, read_table

CSV = b"customer_id,age,churned\nC-1,34,yes\nC-2,51,no\nC-3,29,no\n"


def _xlsx(sheets: dict[str, pd.DataFrame]) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return buffer.getvalue()


def _xls(sheets: dict[str, list[list]]) -> bytes:
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    for name, rows in sheets.items():
        sheet = book.add_sheet(name)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                sheet.write(i, j, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _declaring_size(archive: bytes, size: int) -> bytes:
    """The one-member zip ``archive`` with its central directory claiming ``size`` bytes unpacked."""
    at = archive.index(b"PK\x01\x02") + 24  # uncompressed size in the central directory header
    return archive[:at] + struct.pack("<I", size) + archive[at + 4:]


def _parquet(df: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    df.to_parquet(buffer, index=False)
    return buffer.getvalue()


def _reason(call) -> str:
    """The first line of the exception ``call`` raises: what the reader's message must carry."""
    try:
        call()
    except Exception as exc:  # noqa: BLE001 - any library error
        return str(exc).strip().splitlines()[0][:200]
    raise AssertionError("expected the call to fail")


# ------------------------------------------------------------------------ excel_sheets


def test_sheets_of_a_gzip_compressed_workbook():
    book = _xlsx({"Readme": pd.DataFrame({"a": [1]}), "Data": pd.DataFrame({"b": [2]})})
    assert excel_sheets(gzip.compress(book)) == ["Readme", "Data"]
    assert excel_sheets(gzip.compress(CSV)) == []


def test_sheets_of_an_old_style_xls_workbook_in_order():
    book = _xls({"Notes": [["note"], ["from finance"]], "Customers": [["id", "age"], ["C-1", 34]]})
    assert excel_sheets(book) == ["Notes", "Customers"]
    assert excel_sheets(_zip({"book.xls": book})) == ["Notes", "Customers"]
    df = read_table(book, "book.xls", sheet="Customers")
    assert df.attrs["format"] == "xls" and df["age"].tolist() == [34]


@pytest.mark.parametrize(("raw", "words"), [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "The file looks like an Excel or Office file"),
    (b"PK\x03\x04" + bytes(100), "The file is a zip archive that could not be opened"),
    (gzip.compress(CSV)[:12], "The file is a damaged gzip file"),
])
def test_a_damaged_upload_listed_for_sheets_is_called_the_file(raw, words):
    with pytest.raises(DataError) as info:
        excel_sheets(raw)
    assert str(info.value).startswith(words)


# ------------------------------------------------------------------------ archives


def test_a_gzip_unpacking_to_exactly_the_limit_loads_and_one_byte_more_is_refused(monkeypatch):
    monkeypatch.setattr(core.read, "MAX_UNPACKED_BYTES", len(CSV))
    df = read_table(gzip.compress(CSV), "exact.csv.gz")
    pd.testing.assert_frame_equal(df, read_csv(CSV), check_like=False)
    monkeypatch.setattr(core.read, "MAX_UNPACKED_BYTES", len(CSV) - 1)
    with pytest.raises(DataError) as info:
        read_table(gzip.compress(CSV), "big.csv.gz")
    assert str(info.value).startswith("'big.csv.gz' unpacks to more than")
    assert "Upload a sample of the rows" in str(info.value)


def test_a_zip_member_declared_over_1_gb_is_refused_before_unpacking():
    archive = _declaring_size(_zip({"big.csv": CSV}), (1 << 30) + 1)
    with pytest.raises(DataError) as info:
        read_table(archive, "big.zip")
    assert str(info.value).startswith("'big.zip' unpacks to more than 1 GB. Upload a sample")


def test_a_zip_member_declared_at_exactly_1_gb_is_not_too_big():
    archive = _declaring_size(_zip({"big.csv": CSV}), 1 << 30)
    df = read_table(archive, "exact.zip")  # the limit itself is allowed
    pd.testing.assert_frame_equal(df, read_csv(CSV))


@pytest.mark.parametrize(("n", "listed"), [
    (2, "holds 2 files ('m0.csv', 'm1.csv'); Cutoff reads"),
    (5, "holds 5 files ('m0.csv', 'm1.csv', 'm2.csv', 'm3.csv', 'm4.csv'); Cutoff reads"),
    (6, "holds 6 files ('m0.csv', 'm1.csv', 'm2.csv', 'm3.csv', 'm4.csv' and 1 more); Cutoff"),
    (8, "holds 8 files ('m0.csv', 'm1.csv', 'm2.csv', 'm3.csv', 'm4.csv' and 3 more); Cutoff"),
])
def test_an_archive_of_several_files_names_the_first_five_and_counts_the_rest(n, listed):
    with pytest.raises(DataError) as info:
        read_table(_zip({f"m{i}.csv": CSV for i in range(n)}), "many.zip")
    assert listed in str(info.value)


def test_a_damaged_gzip_says_what_the_decompressor_found():
    raw = b"\x1f\x8b\x08\x00" + bytes(20)
    with pytest.raises(DataError) as info:
        read_table(raw, "broken.csv.gz")
    assert f"damaged gzip file ({_reason(lambda: gzip.decompress(raw))})" in str(info.value)


def test_a_damaged_zip_says_what_the_unzipper_found():
    raw = b"PK\x03\x04" + bytes(100)
    with pytest.raises(DataError) as info:
        read_table(raw, "broken.zip")
    reason = _reason(lambda: zipfile.ZipFile(io.BytesIO(raw)))
    assert str(info.value).startswith(f"'broken.zip' is a zip archive that could not be opened ({reason})")


# ------------------------------------------------------------------------ Parquet


def test_parquet_dates_arrive_as_datetimes_not_python_objects():
    table = pa.table({"signed": pa.array([datetime.date(2024, 1, 31), datetime.date(2024, 2, 1)]),
                      "label": [0, 1]})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    df = read_table(buffer.getvalue(), "dates.parquet")
    assert pd.api.types.is_datetime64_any_dtype(df["signed"])
    assert df["signed"].tolist() == [pd.Timestamp("2024-01-31"), pd.Timestamp("2024-02-01")]


def test_a_parquet_file_too_wide_is_named(monkeypatch):
    monkeypatch.setattr(core.read, "MAX_COLUMNS", 2)
    with pytest.raises(DataError) as info:
        read_table(_parquet(pd.DataFrame({"a": [1], "b": [2], "c": [3]})), "wide.parquet")
    assert str(info.value).startswith("'wide.parquet' has 3 columns; Cutoff reads at most 2.")


def test_a_header_only_parquet_file_is_named():
    with pytest.raises(DataError) as info:
        read_table(_parquet(pd.DataFrame({"a": pd.Series([], dtype=float)})), "empty.parquet")
    assert str(info.value).startswith("'empty.parquet' has a header (1 columns) but no data rows.")


def test_a_damaged_parquet_file_says_what_pyarrow_found():
    raw = b"PAR1" + bytes(range(200))
    with pytest.raises(DataError) as info:
        read_table(raw, "broken.parquet")
    reason = _reason(lambda: pq.ParquetFile(pa.BufferReader(raw)))
    assert f"could not be read ({reason})" in str(info.value)


def test_a_parquet_file_too_large_for_memory_says_so(monkeypatch):
    def out_of_memory(self, *args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(pq.ParquetFile, "read", out_of_memory)
    with pytest.raises(DataError) as info:
        read_table(_parquet(pd.DataFrame({"a": [1, 2]})), "huge.parquet")
    assert str(info.value).startswith("'huge.parquet' is too large to load in memory.")


@pytest.mark.parametrize(("error", "reason"), [
    (ValueError(""), "(ValueError)"),           # no message of its own: its type is named
    (ValueError("x" * 300), f"({'x' * 200})"),  # a long one is cut to 200 characters
])
def test_a_readers_reason_is_its_type_when_empty_and_at_most_200_characters(monkeypatch, error, reason):
    def failing(*args, **kwargs):
        raise error

    monkeypatch.setattr(pq, "ParquetFile", failing)
    with pytest.raises(DataError) as info:
        read_table(b"PAR1" + bytes(16), "odd.parquet")
    assert f"could not be read {reason}. Write it again" in str(info.value)
