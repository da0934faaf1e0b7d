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


# ------------------------------------------------------------------------ UTF-16 without a byte-order mark

# U+4E2D and U+6587 have no zero byte in UTF-16; U+4E00 has one, on the other side of the pair
# from an ASCII character's zero byte.
_WIDE, _ZERO_LOW = "中文", "一"


def _cjk_csv(rows: int, width: int, zero_low: int = 0) -> str:
    """``rows`` lines of ``width`` characters: two cells of CJK text, a comma and a line break
    (the only ASCII), with ``zero_low`` of the CJK characters replaced by U+4E00."""
    lines = []
    for i in range(rows):
        cells = (_WIDE * width)[:width - 2]
        lines.append(cells[: len(cells) // 2] + "," + cells[len(cells) // 2:] + "\n")
    text = "".join(lines)
    if zero_low:
        spots = [i for i, c in enumerate(text) if c not in ",\n"][1:: 7][:zero_low]
        text = "".join(_ZERO_LOW if i in spots else c for i, c in enumerate(text))
    return text


def _count_ascii_and_low(text: str) -> tuple[int, int]:
    return sum(c in ",\n" for c in text), text.count(_ZERO_LOW)


@pytest.mark.parametrize("endian", ["le", "be"])
def test_utf16_without_bom_needs_a_tenth_of_its_characters_ascii(endian):
    # 1,000 characters, 100 of them ASCII: exactly the 10% share is enough, 8% is not.
    exactly = _cjk_csv(50, 20)
    assert len(exactly) == 1000 and _count_ascii_and_low(exactly) == (100, 0)
    df = read_csv(exactly.encode(f"utf-16-{endian}"), "cjk.csv")
    pd.testing.assert_frame_equal(df, read_csv(exactly.encode("utf-8"), "cjk.csv"), check_like=False)
    assert any("UTF-16" in w for w in df.attrs["warnings"])
    short = _cjk_csv(40, 25)
    assert len(short) == 1000 and _count_ascii_and_low(short) == (80, 0)
    with pytest.raises(DataError, match="binary data"):
        read_csv(short.encode(f"utf-16-{endian}"), "cjk.csv")


@pytest.mark.parametrize("endian", ["le", "be"])
def test_utf16_without_bom_allows_one_zero_on_the_other_side_per_twenty(endian):
    # 100 ASCII characters (zero on one side) and 5 U+4E00 (zero on the other): 20 to 1, read;
    # 100 to 50 is too mixed to tell the byte order, and refused.
    even = _cjk_csv(50, 20, zero_low=5)
    assert _count_ascii_and_low(even) == (100, 5)
    df = read_csv(even.encode(f"utf-16-{endian}"), "cjk.csv")
    pd.testing.assert_frame_equal(df, read_csv(even.encode("utf-8"), "cjk.csv"), check_like=False)
    mixed = _cjk_csv(50, 20, zero_low=50)
    assert _count_ascii_and_low(mixed) == (100, 50)
    with pytest.raises(DataError, match="binary data"):
        read_csv(mixed.encode(f"utf-16-{endian}"), "cjk.csv")


@pytest.mark.parametrize("endian", ["le", "be"])
def test_utf16_without_bom_holding_a_control_character_is_not_text(endian):
    text = "id,note\n1,ring\x07\n2,ok\n"
    with pytest.raises(DataError, match="binary data"):
        read_csv(text.encode(f"utf-16-{endian}"), "bell.csv")
    pd.testing.assert_frame_equal(read_csv(text.replace("\x07", "").encode(f"utf-16-{endian}")),
                                  read_csv(text.replace("\x07", "").encode("utf-8")))


# ------------------------------------------------------------------------ workbooks


def test_a_zip_holding_an_office_document_that_is_not_a_workbook_is_a_zip():
    docx = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    assert core.read.detect_format(docx) == "zip"
    loose = _zip({"xl/workbook.xml": b"<workbook/>", "notes.txt": b"x"})  # no content types
    assert core.read.detect_format(loose) == "zip"
    assert core.read.detect_format(_xlsx({"Data": pd.DataFrame({"a": [1]})})) == "xlsx"


def test_a_damaged_workbook_is_named_with_what_the_excel_reader_found():
    raw = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)
    with pytest.raises(DataError) as info:
        read_table(raw, "broken.xls")
    reason = _reason(lambda: pd.ExcelFile(io.BytesIO(raw), engine="calamine"))
    assert str(info.value).startswith(
        f"'broken.xls' looks like an Excel or Office file but could not be read as a workbook ({reason})")


def test_a_workbook_with_no_sheets_is_refused_naming_the_file():
    book = _xlsx({"Data": pd.DataFrame({"a": [1]})})
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as source, zipfile.ZipFile(buffer, "w") as target:
        for member in source.namelist():
            content = source.read(member)
            if member == "xl/workbook.xml":
                start, end = content.index(b"<sheets>"), content.index(b"</sheets>") + len(b"</sheets>")
                content = content[:start] + b"<sheets/>" + content[end:]
            target.writestr(member, content)
    with pytest.raises(DataError) as info:
        read_table(buffer.getvalue(), "blank.xlsx")
    assert str(info.value).startswith("'blank.xlsx' is a workbook with no sheets.")


def test_a_sheet_that_fails_to_read_is_named_with_the_readers_reason(monkeypatch):
    def failing(*args, **kwargs):
        raise ValueError("cell B7 holds an unknown type")

    book = _xlsx({"Data": pd.DataFrame({"a": [1]})})
    monkeypatch.setattr(core.read.pd, "read_excel", failing)
    with pytest.raises(DataError) as info:
        read_table(book, "odd.xlsx")
    assert str(info.value).startswith(
        "Sheet 'Data' of 'odd.xlsx' could not be read (cell B7 holds an unknown type). Save")


def test_a_one_sheet_workbook_says_nothing_about_sheets():
    df = read_table(_xlsx({"Data": pd.DataFrame({"a": [1, 2]})}), "one.xlsx")
    assert df.attrs["sheets"] == ["Data"]
    assert not any("sheet" in w.lower() for w in df.attrs["warnings"])
    two = read_table(_xlsx({"A": pd.DataFrame({"a": [1]}), "B": pd.DataFrame({"b": [2]})}), "two.xlsx")
    assert two.attrs["warnings"][0].startswith("The workbook has 2 sheets; read 'A'.")


def test_a_sheet_keeps_the_cells_pandas_would_call_missing_but_cutoff_does_not():
    # Only MISSING_TOKENS are missing, as in a CSV: '#NA', '-nan', '1.#IND' stay text.
    frame = pd.DataFrame({"code": ["#NA", "-nan", "1.#IND", "NA", "ok"], "n": [1, 2, 3, 4, 5]})
    df = read_table(_xlsx({"Data": frame}), "codes.xlsx")
    csv_df = read_csv(b"code,n\n#NA,1\n-nan,2\n1.#IND,3\nNA,4\nok,5\n")
    assert df["code"].tolist()[:3] == ["#NA", "-nan", "1.#IND"] == csv_df["code"].tolist()[:3]
    assert df["code"].isna().tolist() == [False, False, False, True, False]


def test_a_date_column_with_a_missing_token_in_a_sheet_stays_a_date_column():
    frame = pd.DataFrame({"signed": [datetime.datetime(2024, 1, 31), "NA", datetime.datetime(2024, 3, 1)],
                          "label": [0, 1, 0]})
    df = read_table(_xlsx({"Data": frame}), "dates.xlsx")
    assert pd.api.types.is_datetime64_any_dtype(df["signed"])
    assert df["signed"].isna().tolist() == [False, True, False]
    assert df["signed"].iloc[0] == pd.Timestamp("2024-01-31")


def test_reading_a_workbook_raises_no_warning():
    import warnings

    book = _xlsx({"Data": pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df = read_table(book, "book.xlsx")
        assert excel_sheets(book) == ["Data"]
    assert df["a"].tolist() == [1, 2]


def test_missing_tokens_in_a_parquet_text_column_are_missing_even_with_spaces():
    frame = pd.DataFrame({"status": ["open", "NA", " - ", "closed", "null"], "n": [1, 2, 3, 4, 5]})
    df = read_table(_parquet(frame), "tokens.parquet")
    assert df["status"].isna().tolist() == [False, True, True, False, True]
    assert df["status"].dropna().tolist() == ["open", "closed"]
    assert any(w.startswith("3 missing values in 1 column: 'status' (3).") for w in df.attrs["warnings"])


def test_names_that_differ_only_by_spaces_are_made_unique_in_a_sheet():
    frame = pd.DataFrame([[1, 2, 3]], columns=["amount", "amount ", " id"])
    df = read_table(_xlsx({"Data": frame}), "names.xlsx")
    assert list(df.columns) == ["amount", "amount (2)", "id"]
    assert any(w.startswith("Repeated column names ('amount')") for w in df.attrs["warnings"])


def test_a_sheets_empty_unnamed_columns_are_dropped_and_empty_named_ones_kept():
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Data"
    sheet.append(["id", None, "notes", "age"])  # B: no header and no values; notes: a header only
    for row in (["C-1", None, None, 34], ["C-2", None, None, 51]):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    df = read_table(buffer.getvalue(), "gaps.xlsx")
    assert list(df.columns) == ["id", "notes", "age"]
    assert df["notes"].isna().all() and df["age"].tolist() == [34, 51]


def test_a_sheet_too_wide_or_with_only_a_header_is_refused_naming_the_file(monkeypatch):
    header_only = _xlsx({"Data": pd.DataFrame(columns=["a", "b"])})
    with pytest.raises(DataError) as info:
        read_table(header_only, "header.xlsx")
    assert str(info.value).startswith("'header.xlsx' has a header (2 columns) but no data rows.")
    monkeypatch.setattr(core.read, "MAX_COLUMNS", 2)
    with pytest.raises(DataError) as info:
        read_table(_xlsx({"Data": pd.DataFrame({"a": [1], "b": [2], "c": [3]})}), "wide.xlsx")
    assert str(info.value).startswith("'wide.xlsx' has 3 columns; Cutoff reads at most 2.")


# ------------------------------------------------------------------------ the text fallback

# read_csv re-reads a file as text only when pyarrow meets a type clash in a later 16 MB parse
# block (too slow a file for these tests), so the fallback is called here directly.


def _text_fallback(raw: bytes, block_size: int = 1 << 20) -> pa.Table:
    import pyarrow.csv as pa_csv

    parse = pa_csv.ParseOptions(delimiter=";", quote_char='"', double_quote=True, ignore_empty_lines=True)
    convert = pa_csv.ConvertOptions(null_values=list(core.read.MISSING_TOKENS), strings_can_be_null=True)
    return core.read._read_as_text(raw, parse, convert, block_size)


def test_the_text_fallback_reads_every_column_as_text_under_the_header_names():
    # Missing: the listed tokens, quoted or not ("?" is not one of pyarrow's own); "-nan" is text,
    # and so are the numbers under the empty name (no header text to make pyarrow infer text).
    table = _text_fallback(b'id;id;;score\n1;2;5;0.5\n3;NA;"NA";-nan\n4;?;6;\n')
    assert table.column_names == ["id", "id", "", "score"]  # repeated and empty names kept
    assert [field.type for field in table.schema] == [pa.string()] * 4
    assert [table.column(i).to_pylist() for i in range(4)] == [["1", "3", "4"], ["2", None, None],
                                                               ["5", None, "6"], ["0.5", "-nan", None]]


def test_the_text_fallback_takes_bytes_that_are_not_utf8_and_small_blocks():
    assert _text_fallback(b"name;n\ncaf\xe9;1\nok;2\n").num_rows == 2
    rows = b"a;b\n" + b"".join(b"%d;v%d\n" % (i, i) for i in range(5_000))
    table = _text_fallback(rows, block_size=4096)
    assert table.num_rows == 5_000 and table.column(1).to_pylist()[-1] == "v4999"
    long_row = b"a;b\n" + b"x" * (3 << 20) + b";1\n"  # longer than pyarrow's default 1 MB block
    assert _text_fallback(long_row, block_size=4 << 20).column(1).to_pylist() == ["1"]


# ------------------------------------------------------------------------ read_table's dispatch


def test_an_upload_without_a_filename_is_called_the_file():
    for raw, words in ((b"", "The file is empty."), (b"a,b\n", "The file has a header (2 columns)"),
                       (b"PAR1" + bytes(range(200)), "The file starts like a Parquet file")):
        with pytest.raises(DataError) as info:
            read_table(raw)
        assert str(info.value).startswith(words)
    with pytest.raises(DataError, match="^The file is empty"):
        read_csv(b"")


def test_a_csv_inside_an_archive_or_alone_is_named_by_the_uploads_filename():
    for raw in (b"a,b\n", _zip({"inner.csv": b"a,b\n"}), gzip.compress(b"a,b\n")):
        with pytest.raises(DataError) as info:
            read_table(raw, "upload.zip")
        assert str(info.value).startswith("'upload.zip' has a header (2 columns) but no data rows.")


def test_the_sheet_asked_is_read_from_a_zipped_workbook():
    book = _xlsx({"Readme": pd.DataFrame({"a": [1]}), "Customers": pd.DataFrame({"age": [34, 51]})})
    df = read_table(_zip({"book.xlsx": book}), "book.zip", sheet="Customers")
    assert df["age"].tolist() == [34, 51] and df.attrs["sheets"] == ["Readme", "Customers"]


def test_the_unpacking_comes_first_among_the_warnings():
    df = read_table(_zip({"eu.csv": b"id;amount\n1;1,5\n2;2,5\n"}), "eu.zip")
    assert df.attrs["warnings"][0] == "Unpacked the zip archive and read the CSV inside."
    assert df.attrs["warnings"][1].startswith("Read semicolon-separated values with decimal commas")
    assert df["amount"].tolist() == [1.5, 2.5]


def test_a_ragged_line_is_placed_in_the_file_or_in_the_named_upload():
    raw = b"a,b\n1,2\n3,4,5\n"
    with pytest.raises(DataError) as info:
        read_csv(raw)
    assert str(info.value).startswith("Line 3 of the file has 3 fields but the header has 2.")
    with pytest.raises(DataError) as info:
        read_csv(raw, "orders.csv")
    assert str(info.value).startswith("Line 3 of 'orders.csv' has 3 fields but the header has 2.")


def test_a_parquet_file_gets_the_csv_clean_up_of_numbers_in_text_and_infinities():
    frame = pd.DataFrame({"amount": ["1,250", "2,500", "700"], "rate": [0.5, float("inf"), -float("inf")]})
    df = read_table(_parquet(frame), "money.parquet")
    assert df["amount"].tolist() == [1250.0, 2500.0, 700.0]
    assert df["rate"].isna().tolist() == [False, True, True]
    assert "'amount': read numbers with thousands separators (e.g. '1,250' as 1250)." in df.attrs["warnings"]
    assert any(w.startswith("Treated 2 infinite values (inf/-inf) as missing: 'rate' (2)")
               for w in df.attrs["warnings"])


def test_the_text_fallback_keeps_the_widest_table_allowed_all_text():
    width = core.read.MAX_COLUMNS  # the last column unnamed and numeric: nothing but the option makes it text
    header = b";".join(b"c%d" % i for i in range(width - 1)) + b";\n"
    table = _text_fallback(header + b";".join(b"7" for _ in range(width)) + b"\n")
    assert table.num_columns == width and table.column(width - 1).type == pa.string()
    assert table.column(width - 1).to_pylist() == ["7"]
