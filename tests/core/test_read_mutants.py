"""core.read at its edges: archives and workbooks the format tests never reached.

A gzip-compressed workbook and an old-style ``.xls`` (written with xlwt) listed by
``excel_sheets``; archives unpacking to exactly the limit or just over it (the limit lowered
with monkeypatch for gzip, a zip member's declared size for zip); archives of five, six or
seven files; damaged archives and Parquet files whose message carries the reader's own
reason; Parquet dates and a Parquet file's name in its errors. The CSV helpers: the missing-values,
repeated-names and infinity reports, ragged lines, decodings, files uploaded by mistake, the
delimiter and decimal-mark sniffing and numbers stored as text. Expected values come from the
fixtures themselves, from pandas/pyarrow, or from the library's own exception text.
"""

from __future__ import annotations

import datetime
import gzip
import io
import struct
import zipfile

import numpy as np
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
    assert str(info.value).startswith("'empty.parquet' has a header (1 column) but no data rows.")


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


# ------------------------------------------------------------------------ the CSV helpers' reports


def test_the_missing_values_report_counts_values_and_columns_in_plain_numbers():
    one = read_csv(b"a,b\n1,2\nNA,3\n")
    assert "1 missing value in 1 column: 'a' (1). Empty cells" in " ".join(one.attrs["warnings"])
    two = read_csv(b"a,b\n1,NA\nNA,NA\n4,5\n")
    assert any(w.startswith("3 missing values in 2 columns: 'b' (2), 'a' (1). ") for w in two.attrs["warnings"])
    assert read_csv(b"a,b\n1,2\n3,4\n").attrs["warnings"] == []


def test_the_missing_values_report_names_five_columns_by_count_and_counts_the_rest():
    names = [f"c{i}" for i in range(8)]
    rows = [[str(j) if j >= i else "" for i in range(8)] for j in range(8)]  # c_i has i missing
    text = ",".join(names) + "\n" + "\n".join("x," + ",".join(r[1:]) for r in rows) + "\n"
    df = read_csv(text.encode())
    (report,) = [w for w in df.attrs["warnings"] if "missing value" in w]
    assert report.startswith("28 missing values in 7 columns: 'c7' (7), 'c6' (6), 'c5' (5), 'c4' (4), "
                             "'c3' (3) and 2 more. ")
    five = read_csv(b"a,b,c,d,e,f\n,,,,,1\n1,1,1,1,1,1\n")
    (report,) = [w for w in five.attrs["warnings"] if "missing value" in w]
    assert report.startswith("5 missing values in 5 columns: 'a' (1), 'b' (1), 'c' (1), 'd' (1), 'e' (1). ")


def test_a_thousand_missing_values_are_written_with_a_thousands_separator():
    df = read_csv(b"a,b\n" + b"NA,1\n" * 1_234 + b"2,2\n")
    assert any(w.startswith("1,234 missing values in 1 column: 'a' (1,234).") for w in df.attrs["warnings"])


def test_blank_names_are_numbered_by_their_position():
    df = read_csv(b"id,, x ,\n1,2,3,4\n")
    assert list(df.columns) == ["id", "Unnamed: 1", "x", "Unnamed: 3"]


def test_a_repeated_name_skips_a_number_already_taken():
    df = read_csv(b"amount,amount (2),amount,amount\n1,2,3,4\n")
    assert list(df.columns) == ["amount", "amount (2)", "amount (3)", "amount (4)"]
    assert df["amount (3)"].tolist() == [3] and df["amount (4)"].tolist() == [4]
    (note,) = [w for w in df.attrs["warnings"] if w.startswith("Repeated")]
    assert note.startswith("Repeated column names ('amount'): later copies were renamed with a number, "
                           "e.g. 'amount (2)'.")


def test_repeated_names_are_listed_up_to_five_then_elided():
    five = ",".join(f"n{i},n{i}" for i in range(5))
    df = read_csv((five + "\n" + ",".join("1" * 10) + "\n").encode())
    (note,) = [w for w in df.attrs["warnings"] if w.startswith("Repeated")]
    assert note.startswith("Repeated column names ('n0', 'n1', 'n2', 'n3', 'n4'): later")
    six = ",".join(f"n{i},n{i}" for i in range(6))
    df = read_csv((six + "\n" + ",".join("1" * 12) + "\n").encode())
    (note,) = [w for w in df.attrs["warnings"] if w.startswith("Repeated")]
    assert note.startswith("Repeated column names ('n0', 'n1', 'n2', 'n3', 'n4', ...): later")
    assert note.endswith("e.g. 'n0 (2)'.")
    three = read_csv(b"a,a,a\n1,2,3\n")
    (note,) = [w for w in three.attrs["warnings"] if w.startswith("Repeated")]
    assert note.startswith("Repeated column names ('a'):")  # named once, however many copies


def test_infinities_are_counted_per_column_in_every_block_of_columns(monkeypatch):
    monkeypatch.setattr(core.read, "_BLOCK_VALUES", 4)  # 2 rows: two columns per block
    df = read_csv(b"a,b,c,d,e\n1.5,inf,0.5,-inf,x\ninf,2.5,-inf,-inf,y\n")
    assert df.isna().sum().tolist() == [1, 1, 1, 2, 0]
    assert df["a"].tolist()[0] == 1.5 and df["b"].tolist()[1] == 2.5 and df["c"].tolist()[0] == 0.5
    (note,) = [w for w in df.attrs["warnings"] if w.startswith("Treated")]
    assert note == "Treated 5 infinite values (inf/-inf) as missing: 'd' (2), 'a' (1), 'b' (1), 'c' (1)."
    (report,) = [w for w in df.attrs["warnings"] if "missing value" in w]
    assert report.startswith("5 missing values in 4 columns: 'd' (2), ")


def test_the_bytes_of_an_upload_come_from_str_bytes_buffers_and_file_objects():
    expected = read_csv(CSV)
    for data in (CSV.decode(), bytearray(CSV), memoryview(CSV), io.BytesIO(CSV)):
        pd.testing.assert_frame_equal(read_csv(data), expected)
    pd.testing.assert_frame_equal(read_table(io.BytesIO(CSV)), read_table(CSV))
    with pytest.raises(DataError, match="^Expected the file's bytes, got int"):
        read_csv(42)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_an_excel_separator_line_names_each_delimiter(delimiter):
    d = delimiter.encode()
    df = read_csv(b"sep=" + d + b"\na" + d + b"b\n1" + d + b"2\n")
    assert list(df.columns) == ["a", "b"] and df["b"].tolist() == [2]
    assert read_csv(b"sep=" + d + b"\r\na" + d + b"b\r\n1" + d + b"2\r\n")["b"].tolist() == [2]


def test_a_separator_line_only_counts_at_the_very_start():
    df = read_csv(b"note\nsep=;\nok\n")
    assert list(df.columns) == ["note"] and df["note"].tolist() == ["sep=;", "ok"]


def test_decimal_commas_only_when_they_outnumber_decimal_dots():
    eu = read_csv(b"a;b\n1,5;2\n")
    assert eu["a"].tolist() == [1.5]
    tie = read_csv(b"a;b\n1,5;2.5\n")  # one of each: the dot wins
    assert tie["b"].tolist() == [2.5] and tie["a"].tolist() == ["1,5"]
    grouped = read_csv(b"a;b\n1.234,5;x\n-2,25;y\n")
    assert grouped["a"].tolist() == [1234.5, -2.25]
    spaced = read_csv(b"a;b\n 1,5 ;0.5\n 2,5 ;x\n")  # cells stripped before matching
    assert spaced["a"].tolist() == [1.5, 2.5]


# ------------------------------------------------------------------------ ragged rows, encodings, binaries


def test_a_ragged_line_names_its_delimiter_and_says_field_in_the_singular():
    with pytest.raises(DataError) as info:
        read_csv(b"a;b;c\n1;2;3\n4\n", "short.csv")
    message = str(info.value)
    assert message.startswith("Line 3 of 'short.csv' has 1 field but the header has 3. ")
    assert "(a missing or extra semicolon, an unquoted semicolon inside a value) and upload" in message
    with pytest.raises(DataError) as info:
        read_csv(b"a\tb\n1\t2\n3\t4\t5\n")
    assert "a missing or extra tab, an unquoted tab inside a value)" in str(info.value)


def test_a_ragged_line_in_a_file_with_quotes_may_be_an_unclosed_quote():
    with pytest.raises(DataError) as info:
        read_csv(b'a,b\n"x, y",2\n3,4,5\n')
    assert "an unquoted comma inside a value, or an unclosed quote) and upload" in str(info.value)
    with pytest.raises(DataError) as info:
        read_csv(b'"a","b"\n1,2\n3,4,5\n')  # quotes only in the header: no such hint
    assert "inside a value) and upload" in str(info.value)


def test_a_line_the_csv_module_cannot_parse_is_named_with_its_reason():
    raw = b"a,b\n" + b"x" * 200_000 + b",1\n1,2,3\n"  # a field past the csv module's limit
    with pytest.raises(DataError) as info:
        read_csv(raw, "huge.csv")
    reason = _reason(lambda: list(__import__("csv").reader(io.StringIO(raw.decode()))))
    assert str(info.value).startswith(f"Line 2 of 'huge.csv' could not be parsed ({reason}). Fix")


def test_the_ragged_search_skips_blank_lines_and_falls_back_to_a_general_message():
    dialect = core.read._Dialect(",", ".", 2, False)
    error = core.read._ragged_error(b"a,b\n\n  \n1,2\n3\n", dialect, "The file")
    assert str(error).startswith("Line 5 of the file has 1 field but the header has 2.")
    blank_first = core.read._ragged_error(b"a,b,c\n1,2,3\n,5\n", core.read._Dialect(",", ".", 3, False), "The file")
    assert str(blank_first).startswith("Line 3 of the file has 2 fields but the header has 3.")  # an empty first cell
    even = core.read._ragged_error(b"a,b\n1,2\n", dialect, "'even.csv'")
    assert str(even).startswith("'even.csv' has rows with a different number of fields than the header.")


def test_each_decoding_is_said_in_the_warnings():
    text = "name,n\nZoë,1\n"
    assert read_csv(text.encode("utf-8")).attrs["warnings"] == []
    assert read_csv(b"\xef\xbb\xbf" + text.encode()).attrs["warnings"] == []
    assert read_csv(text.encode("utf-16")).attrs["warnings"] == ["Read the file as UTF-16 text."]
    assert read_csv(b"\xfe\xff" + text.encode("utf-16-be")).attrs["warnings"] == ["Read the file as UTF-16 text."]
    le = read_csv("id,name\n1,ab\n2,cd\n".encode("utf-16-le")).attrs["warnings"]
    assert le == ["Read the file as UTF-16 text (little-endian, without a byte-order mark)."]
    be = read_csv("id,name\n1,ab\n2,cd\n".encode("utf-16-be")).attrs["warnings"]
    assert be == ["Read the file as UTF-16 text (big-endian, without a byte-order mark)."]
    cp = read_csv(text.encode("cp1252")).attrs["warnings"]
    assert cp == ["The file is not UTF-8; read it as Windows-1252 (Western European). If accented "
                  "letters look wrong, save the file as CSV UTF-8 and upload it again."]
    latin = read_csv(b"name,n\nx\x81y,1\n").attrs["warnings"]
    assert latin[0].startswith("The file is not UTF-8; read it as Latin-1 (ISO-8859-1). If")


def test_a_utf8_bom_is_dropped_after_utf16_decoding_too_and_blank_files_are_empty():
    df = read_csv("\ufeffid,n\n1,2\n".encode("utf-16-le"))  # a BOM-less UTF-16 file holding U+FEFF
    assert list(df.columns) == ["id", "n"]
    for raw in (b"\xef\xbb\xbf", b"\xef\xbb\xbf \n", b" \r\n\t", "\ufeff".encode("utf-16")):
        with pytest.raises(DataError, match="^'blank.csv' is empty. Upload a CSV file"):
            read_csv(raw, "blank.csv")


@pytest.mark.parametrize(("raw", "what"), [
    (b"\x89PNG\r\n\x1a\n" + bytes(32), "is a PNG image, not a CSV file. Export or save"),
    (b"\xff\xd8\xff\xe0" + bytes(32), "is a JPEG image, not a CSV file."),
    (b"GIF87a" + bytes(32), "is a GIF image, not a CSV file."),
    (b"GIF89a,x\n1,2\n", "is a GIF image, not a CSV file."),
    (b"%PDF-1.4\n1,2\n", "is a PDF document, not a CSV file."),
    (b"BZh91AY&SY,1\n", "is a bzip2-compressed file, not a CSV file. Decompress it"),
    (b"\xfd7zXZ\x00" + bytes(32), "is an xz-compressed file, not a CSV file."),
    (b"7z\xbc\xaf\x27\x1c" + bytes(32), "is a 7-Zip archive, not a CSV file. Extract it"),
    (b"SQLite format 3\x00" + bytes(32), "is an SQLite database, not a CSV file."),
    (b"PK\x05\x06" + bytes(18), "is a zip archive, not a CSV file. Extract it and upload the CSV inside."),
    (b"PK\x03\x04" + bytes(26) + b"[Content_Types].xml", "is an Excel workbook (.xlsx), not a CSV file. In Excel"),
    (b"PK\x03\x04" + bytes(26) + b"xl/workbook.xml", "is an Excel workbook (.xlsx), not a CSV file."),
])
def test_files_uploaded_by_mistake_are_named_for_what_they_are(raw, what):
    with pytest.raises(DataError) as info:
        read_csv(raw, "data.csv")
    assert str(info.value).startswith(f"'data.csv' {what}")


def test_a_table_exactly_as_wide_as_allowed_loads_and_one_column_more_is_refused(monkeypatch):
    monkeypatch.setattr(core.read, "MAX_COLUMNS", 3)
    assert read_csv(b"a,b,c\n1,2,3\n").shape == (1, 3)
    with pytest.raises(DataError) as info:
        read_csv(b"a,b,c,d\n1,2,3,4\n", "wide.csv")
    assert str(info.value).startswith("'wide.csv' has 4 columns; Cutoff reads at most 3. Keep the columns")


def test_a_pandas_string_column_in_parquet_gets_the_text_clean_up():
    frame = pd.DataFrame({"status": pd.array(["open", "NA", "closed", " ? "], dtype="string"),
                          "amount": pd.array(["1,250", "2,500", "700", "10"], dtype="string")})
    df = read_table(_parquet(frame), "typed.parquet")
    assert df["status"].isna().tolist() == [False, True, False, True]
    assert df["amount"].tolist() == [1250.0, 2500.0, 700.0, 10.0]


def test_the_delimiter_is_chosen_from_the_first_200_rows():
    # The header splits in two on ',' and on ';'. Of the first 200 rows ';' splits 101 (the header
    # and 100 rows) evenly and ',' 100; a 201st row would make it a tie, which ',' wins.
    raw = ("a,b;c\n" + "1;2\n" * 100 + "3,4\n" * 150).encode()
    with pytest.raises(DataError) as info:
        read_csv(raw)
    assert str(info.value).startswith("Line 102 of the file has 1 field but the header has 2.")
    assert "extra semicolon" in str(info.value)


# ------------------------------------------------------------------------ numbers stored as text


def test_exactly_two_percent_stray_words_keep_a_column_numeric_and_more_do_not():
    rows = [str(1000 + i) for i in range(98)] + ["unknown", "n.a."]
    df = read_csv(("id,salary\n" + "".join(f"{i},{v}\n" for i, v in enumerate(rows))).encode())
    assert pd.api.types.is_float_dtype(df["salary"]) and df["salary"].isna().sum() == 2
    assert "'salary' is numeric but 2 entries are not numbers ('unknown', 'n.a.'); they are treated as missing." \
        in df.attrs["warnings"]
    rows = [str(1000 + i) for i in range(97)] + ["unknown", "n.a.", "tbd"]
    df = read_csv(("id,salary\n" + "".join(f"{i},{v}\n" for i, v in enumerate(rows))).encode())
    assert not pd.api.types.is_numeric_dtype(df["salary"]) and df["salary"].iloc[-1] == "tbd"


def test_one_stray_word_is_one_entry_and_only_three_examples_are_shown():
    rows = [f"{i},{1000 + i}\n" for i in range(99)] + ["99,unknown\n"]
    df = read_csv(("id,salary\n" + "".join(rows)).encode())
    assert "'salary' is numeric but 1 entry is not numbers ('unknown'); they are treated as missing." \
        in df.attrs["warnings"]
    words = ["w1", "w2", "w3", "w4", "w1"]
    rows = [f"{i},{1000 + i}\n" for i in range(2_000)] + [f"x,{w}\n" for w in words]
    df = read_csv(("id,salary\n" + "".join(rows)).encode())
    assert "'salary' is numeric but 5 entries are not numbers ('w1', 'w2', 'w3'); they are treated as missing." \
        in df.attrs["warnings"]


def test_a_column_is_numeric_text_when_half_of_its_first_200_values_look_like_numbers():
    head = [str(i) if i % 2 else "word" for i in range(200)]  # 100 numbers, 100 words
    rows = head + [str(i) for i in range(20_000)]  # 100 of 20,200 not numbers: under 2%
    df = read_csv(("v\n" + "\n".join(rows) + "\n").encode())
    assert pd.api.types.is_float_dtype(df["v"]) and df["v"].isna().sum() == 100
    fewer = [str(i) if i % 2 and i > 1 else "word" for i in range(200)]  # 99 numbers
    df = read_csv(("v\n" + "\n".join(fewer + [str(i) for i in range(20_000)]) + "\n").encode())
    assert not pd.api.types.is_numeric_dtype(df["v"])


def test_thousands_separators_are_read_and_shown_with_an_example():
    df = read_csv(b'id,amount\n1,"1,250"\n2,"12,500.5"\n3,NA\n4,700\n')
    assert df["amount"].tolist()[:2] == [1250.0, 12500.5] and np.isnan(df["amount"].iloc[2])
    assert df["amount"].iloc[3] == 700.0
    assert "'amount': read numbers with thousands separators (e.g. '1,250' as 1250)." in df.attrs["warnings"]
    eu = read_csv("id;amount\n1;1.250,5\n2;2\u00a0500,25\n3;3 000\n4;4,5\n".encode())
    assert eu["amount"].tolist() == [1250.5, 2500.25, 3000.0, 4.5]
    assert "'amount': read numbers with thousands separators (e.g. '1.250,5' as 1250.5)." in eu.attrs["warnings"]
    (report,) = [w for w in df.attrs["warnings"] if "missing value" in w]
    assert report.startswith("1 missing value in 1 column: 'amount' (1).")


def test_numbers_in_text_with_spaces_around_them_are_numbers():
    df = read_csv(b'id,score\n1," 0.5 "\n2," 1e3"\n3,"-.25 "\n')
    assert df["score"].tolist() == [0.5, 1000.0, -0.25]
    assert df.attrs["warnings"] == []


def test_the_decimal_mark_is_the_one_most_cells_use():
    more_commas = read_csv(b"a;b;c\n1,5;2,5;0.5\n")  # two decimal commas, one decimal dot
    assert more_commas["a"].tolist() == [1.5] and more_commas["b"].tolist() == [2.5]
    more_dots = read_csv(b"a;b;c;d;e\n1,5;2,5;0.5;1.5;2.5\n")  # two commas, three dots
    assert more_dots["c"].tolist() == [0.5] and more_dots["a"].tolist() == ["1,5"]


def test_a_quoted_decimal_comma_in_a_comma_separated_file_is_text():
    df = read_csv(b'a,b\n"1,5",2\n"2,5",3\n')
    assert df["a"].tolist() == ["1,5", "2,5"] and df["b"].tolist() == [2, 3]
    assert df.attrs["warnings"] == []


def test_delimiters_inside_quotes_do_not_count_when_sniffing():
    df = read_csv(b'"a;x;y",b\n"1;2;3",4\n"5;6;7",8\n')
    assert list(df.columns) == ["a;x;y", "b"] and df["b"].tolist() == [4, 8]
    assert df["a;x;y"].tolist() == ["1;2;3", "5;6;7"]


def test_binary_content_is_looked_for_in_the_first_64_kb():
    head = b"id,note\n" + b"".join(b"%06d,abcdefghij\n" % i for i in range(4_000))[: (64 << 10) - 8 - 3]
    head = head[: head.rfind(b"\n") + 1]
    pad = (64 << 10) - len(head) - 3  # the zero byte lands on the last byte of the first 64 KB
    inside = head + b"1," + b"x" * pad + b"\x00\n2,ok\n"
    assert inside.index(b"\x00") == (64 << 10) - 1
    with pytest.raises(DataError, match="contains binary data, not text"):
        read_csv(inside, "nul.csv")
    after = head + b"1," + b"x" * (pad + 1) + b"\x00\n2,ok\n"  # one byte further: past the window
    assert after.index(b"\x00") == 64 << 10
    assert read_csv(after, "nul.csv")["note"].iloc[-1] == "ok"


# ------------------------------------------------------------------------ line endings, plural counts


def test_old_mac_line_endings_are_sniffed_and_a_ragged_line_among_them_is_named():
    # Lines ended by a lone carriage return (classic Mac OS exports): the delimiter, the decimal
    # mark and a ragged line are found as with line feeds.
    df = read_csv(b"a;b\r1,5;2\r3;4\r")
    assert list(df.columns) == ["a", "b"] and df["a"].tolist() == [1.5, 3.0]
    assert df["b"].tolist() == [2, 4]
    with pytest.raises(DataError) as info:
        read_csv(b"a;b\r1;2\r3\r4;5\r", "mac.csv")
    assert str(info.value).startswith("Line 3 of 'mac.csv' has 1 field but the header has 2. ")


def test_two_missing_values_are_counted_in_the_plural():
    df = read_csv(b"a,b\n1,NA\nNA,2\n3,4\n")
    (report,) = [w for w in df.attrs["warnings"] if "missing value" in w]
    assert report.startswith("2 missing values in 2 columns: 'a' (1), 'b' (1). ")
    df = read_csv(b"a,b\n1,NA\n2,NA\n3,4\n")
    (report,) = [w for w in df.attrs["warnings"] if "missing value" in w]
    assert report.startswith("2 missing values in 1 column: 'b' (2). ")


def test_a_quoted_value_with_line_breaks_across_a_parse_block_boundary_stays_one_value():
    # pyarrow parses in 16 MB blocks; a quoted value whose line breaks straddle the end of the
    # first block must not be cut there (so the parser has to know that values hold newlines).
    row = b"1234567," + b"abcdefghij" * 100 + b"\n"
    body = row * (((1 << 24) - 2_000) // len(row))
    note = "line\n" * 1_000
    raw = b"id,note\n" + body + b'9,"' + note.encode() + b'"\n' + row * 10
    assert raw.index(b'9,"') < 1 << 24 < raw.index(b'"\n', raw.index(b'9,"'))
    df = read_csv(raw)
    n = len(body) // len(row)
    assert len(df) == n + 11 and df["id"].iloc[n] == 9 and df["note"].iloc[n] == note
    assert df["id"].iloc[-1] == 1234567 and df["note"].iloc[-1] == "abcdefghij" * 100


def test_quoted_missing_tokens_in_a_text_column_are_missing_too():
    df = read_csv(b'name,note\n"NA",x\n"",y\n"bob",z\n"null",w\n')
    assert df["name"].isna().tolist() == [True, True, False, True]
    assert df["note"].tolist() == ["x", "y", "z", "w"]


def test_a_row_of_a_few_megabytes_loads_in_one_piece():
    value = "x" * (3 << 20)  # longer than pyarrow's default 1 MB block, shorter than 16 MB
    df = read_csv(b"a,b\n" + value.encode() + b",1\n2,3\n")
    assert df["a"].tolist() == [value, "2"] and df["b"].tolist() == [1, 3]


# ------------------------------------------------------------------------ rows longer than a parse block
# pyarrow carries a row over one block boundary itself and reports "straddling" only for a row
# spanning two; with the real 16 MB blocks that takes a row over 32 MB, so these tests make the
# blocks small (the code reads the sizes at each call).


def test_a_row_spanning_several_parse_blocks_is_read_again_with_a_block_that_holds_it(monkeypatch):
    monkeypatch.setattr(core.read, "_BLOCK_BYTES", 1 << 10)
    value = "x" * 5_000  # five blocks
    raw = b"a,b\n1,2\n" + value.encode() + b",3\n4,5\n"
    df = read_csv(raw)
    assert df["a"].tolist() == ["1", value, "4"] and df["b"].tolist() == [2, 3, 5]


def test_a_row_longer_than_the_largest_block_is_refused_in_words(monkeypatch):
    monkeypatch.setattr(core.read, "_BLOCK_BYTES", 1 << 20)
    monkeypatch.setattr(core.read, "_MAX_BLOCK_BYTES", 3 << 20)
    raw = b"a,b\n1,2\n" + b"x" * (7 << 20) + b",3\n"
    with pytest.raises(DataError) as info:
        read_csv(raw, "long.csv")
    assert str(info.value).startswith("'long.csv' has a row longer than 3 MB. Check that the quotes")


def test_a_file_longer_than_the_largest_block_with_short_rows_loads(monkeypatch):
    monkeypatch.setattr(core.read, "_BLOCK_BYTES", 1 << 10)
    monkeypatch.setattr(core.read, "_MAX_BLOCK_BYTES", 4 << 10)
    rows = "".join(f"k{i},v{i}\n" for i in range(3_000))  # ~30 KB of short rows, then one of 3 KB
    value = "y" * 3_000
    df = read_csv(f"a,b\n{rows}{value},1\n".encode())
    assert len(df) == 3_001 and df["b"].iloc[-2] == "v2999" and df["a"].iloc[-1] == value


# ------------------------------------------------------------------------ a type clash in pyarrow
# pyarrow 26's read_csv widens a column's type itself, so it no longer raises the conversion error
# the text fallback is for (older releases could); a stand-in for pyarrow's reader raises it, with
# pyarrow's own words, for the typed read and lets the all-text re-read through.


def _clash_on_typed_read(monkeypatch, message: str) -> list[str]:
    real = core.read.pa_csv.read_csv
    calls = []

    def read_csv_with_a_clash(source, *, parse_options, convert_options, read_options):
        calls.append("text" if read_options.autogenerate_column_names else "typed")
        if not read_options.autogenerate_column_names:
            raise pa.ArrowInvalid(message)
        return real(source, parse_options=parse_options, convert_options=convert_options,
                    read_options=read_options)

    monkeypatch.setattr(core.read.pa_csv, "read_csv", read_csv_with_a_clash)
    return calls


@pytest.mark.parametrize("message", [
    "In CSV column #0: Row #3: CSV conversion error to int64: invalid value 'x'",
    "In CSV column #1: CSV conversion error to string: invalid UTF8 data",
    # the clashing value is quoted in the message: a value "Expected" is not a ragged line
    "In CSV column #2: Row #9: CSV conversion error to int64: invalid value 'Expected'",
])
def test_a_type_clash_in_pyarrow_reads_the_file_again_as_text_with_the_same_result(monkeypatch, message):
    raw = "id;amount;note\n1;2,5;a\n2;NA;\n3;-1,25;c\n".encode()
    expected = read_csv(raw)
    calls = _clash_on_typed_read(monkeypatch, message)
    df = read_csv(raw)
    assert calls == ["typed", "text"]
    # the same values, missing values and warnings (a whole-number column comes back as float64)
    pd.testing.assert_frame_equal(df, expected, check_dtype=False)
    assert df.attrs["warnings"] == expected.attrs["warnings"]
    assert df["amount"].tolist()[::2] == [2.5, -1.25] and df["note"].isna().tolist() == [False, True, False]


def test_the_text_fallback_reads_a_long_row_with_the_block_the_retry_took(monkeypatch):
    monkeypatch.setattr(core.read, "_BLOCK_BYTES", 1 << 10)
    real = core.read.pa_csv.read_csv
    blocks = []

    def straddle_then_clash(source, *, parse_options, convert_options, read_options):
        blocks.append(read_options.block_size)
        if read_options.autogenerate_column_names:
            return real(source, parse_options=parse_options, convert_options=convert_options,
                        read_options=read_options)
        if len(blocks) == 1:
            raise pa.ArrowInvalid("straddling object straddles two block boundaries (try to increase block size?)")
        raise pa.ArrowInvalid("In CSV column #0: CSV conversion error to int64: invalid value 'x'")

    monkeypatch.setattr(core.read.pa_csv, "read_csv", straddle_then_clash)
    raw = b"a,b\n" + b"x" * 5_000 + b",1\n"
    df = read_csv(raw)
    assert blocks == [1 << 10, len(raw) + 1, len(raw) + 1]
    assert df["a"].tolist() == ["x" * 5_000] and df["b"].tolist() == [1]


def test_another_pyarrow_error_is_not_taken_for_a_clash_or_a_long_row(monkeypatch):
    def fails(source, **options):
        raise pa.ArrowInvalid("CSV parser got out of sync with chunker")

    monkeypatch.setattr(core.read.pa_csv, "read_csv", fails)
    with pytest.raises(pa.ArrowInvalid, match="out of sync"):
        core.read._read_table(b"a,b\n1,2\n", core.read._Dialect(",", ".", 2, False), "The file")


# ------------------------------------------------------------------------ sniffing: the first line, the sample
# _sniff looks for the first line break within MAX_LINE_BYTES and sniffs the header plus
# _SNIFF_BYTES of rows, a row cut by the sample's end left out; both settings are lowered here so
# the edges stay small.


def _dialect(raw: bytes, delimiter: str | None = None):
    return core.read._sniff(raw, "The file", delimiter)


def test_a_first_line_over_the_limit_is_refused_naming_the_limit_in_megabytes():
    with pytest.raises(DataError) as info:
        read_csv(b"x" * (core.read.MAX_LINE_BYTES + 1), "one-line.csv")
    assert str(info.value).startswith("'one-line.csv' starts with a line of more than 1 MB ")


@pytest.mark.parametrize("nl", [b"\n", b"\r", b"\r\n"])
def test_a_first_line_longer_than_the_limit_is_refused_even_if_a_line_break_follows(monkeypatch, nl):
    monkeypatch.setattr(core.read, "MAX_LINE_BYTES", 10)
    with pytest.raises(DataError, match="^'long.csv' starts with a line of more than"):
        read_csv(b"a" * 20 + b",b" + nl + b"1,2" + nl, "long.csv")


def test_a_line_exactly_as_long_as_the_limit_without_a_break_passes_the_line_check(monkeypatch):
    monkeypatch.setattr(core.read, "MAX_LINE_BYTES", 10)
    assert _dialect(b"abc,efghij").n_columns == 2
    with pytest.raises(DataError, match="^'one.csv' starts with a line of more than"):
        read_csv(b"abc,efghijk", "one.csv")


@pytest.mark.parametrize("nl", [b"\n", b"\r", b"\r\n"])
def test_only_the_first_line_counts_against_the_line_limit_even_a_blank_one(monkeypatch, nl):
    monkeypatch.setattr(core.read, "MAX_LINE_BYTES", 10)
    df = read_csv(nl + b"name,value,extra" + nl + b"1,2,3" + nl)
    assert list(df.columns) == ["name", "value", "extra"] and df["extra"].tolist() == [3]
    df = read_csv(b"a;b" + nl + b"1;2" + nl + b"3;4" + nl + b"5;6" + nl)  # longer than the limit
    assert df["b"].tolist() == [2, 4, 6]


@pytest.mark.parametrize("nl", [b"\n", b"\r", b"\r\n"])
def test_quotes_after_the_first_line_make_the_file_quoted_whatever_its_line_endings(monkeypatch, nl):
    # Lowered, the limit still holds the first line break; the search for it stops there.
    monkeypatch.setattr(core.read, "MAX_LINE_BYTES", 16)
    assert _dialect(b"a;b" + nl + b'"1";2' + nl + b"3;4" + nl + b"5;6" + nl).quoted
    header_only = b'"a";"b"' + nl + b"1;2" + nl + b"3;4" + nl
    assert not _dialect(header_only).quoted
    with pytest.raises(DataError) as info:  # so a ragged line is not said to be an unclosed quote
        read_csv(header_only + b"5" + nl)
    assert "inside a value) and upload" in str(info.value)


@pytest.mark.parametrize("lead", [b"", b"blank line"])
@pytest.mark.parametrize("nl", [b"\n", b"\r", b"\r\n"])
def test_the_sniffing_sample_is_the_header_and_a_fixed_size_and_leaves_out_a_cut_row(monkeypatch, nl, lead):
    # One decimal comma and then one decimal dot: the dot's row decides the decimal mark when it
    # is in the sample whole (a tie: '.'), not when the sample's end cuts it ('2.2' left out: ',').
    raw = (nl if lead else b"") + b"a;b" + nl + b"x;1,5" + nl + b"y;2.25"  # no line break at the end
    header = 0 if lead else 3  # where the first line break is: the sample is that plus _SNIFF_BYTES
    monkeypatch.setattr(core.read, "_SNIFF_BYTES", len(raw) - header)  # the file exactly
    assert (_dialect(raw).delimiter, _dialect(raw).decimal) == (";", ".")
    monkeypatch.setattr(core.read, "_SNIFF_BYTES", len(raw) - header - 1)  # all but the last byte
    assert (_dialect(raw).delimiter, _dialect(raw).decimal) == (";", ",")


def test_a_row_cut_by_the_end_of_the_sample_does_not_count_even_by_one_character(monkeypatch):
    # The header splits in two on ',' and on ';', one row on each: a tie, which the comma wins. A
    # row ';5;6' would tip it to ';', but the sample's end cuts it after its first character.
    raw = b"a,b;c\n1,2\n3;4\n;5;6\n"
    monkeypatch.setattr(core.read, "_SNIFF_BYTES", raw.index(b";5") + 1 - raw.index(b"\n"))
    assert _dialect(raw).delimiter == ","


def test_a_tie_between_delimiters_goes_to_the_first_listed_the_comma():
    df = read_csv(b"a,b;c\n1,2;3\n")  # both split every row in two
    assert list(df.columns) == ["a", "b;c"] and df["b;c"].tolist() == ["2;3"]
    assert df.attrs["warnings"] == []


def test_the_delimiter_a_separator_line_names_is_used_even_where_another_splits_as_well():
    df = read_csv(b"sep=;\na,b;c\nx,y;z\n")  # the comma would split both rows in two as well
    assert list(df.columns) == ["a,b", "c"] and df["c"].tolist() == ["z"]


def test_the_delimiter_is_the_one_with_the_largest_share_of_rows_as_wide_as_the_header():
    # A quoted value holding three comma-separated lines: to ';' the file is two rows of two
    # fields (all of them as wide as the header), to ',' five rows of which four have two fields.
    raw = b'a,b;c\n1;"x\np,q\np,q\np,q"\n'
    df = read_csv(raw)
    assert list(df.columns) == ["a,b", "c"] and df["c"].tolist() == ["x\np,q\np,q\np,q"]
    assert df.attrs["warnings"] == ["Read semicolon-separated values."]


def test_a_single_column_takes_the_delimiter_that_leaves_the_largest_share_of_rows_whole():
    # No delimiter splits the header. To ',' the file is two rows, one of them split (a half);
    # to ';', tab and '|' it is five rows, three of them split (two fifths).
    raw = b'note\nx,"a;b\tc|d\na;b\tc|d\na;b\tc|d\nend"\n'
    assert _dialect(raw).delimiter == ","


def test_a_single_column_is_read_as_one_column_whatever_its_values_hold():
    df = read_csv(b"note\na|b\nc;d\ne\n")
    assert list(df.columns) == ["note"] and df["note"].tolist() == ["a|b", "c;d", "e"]
    assert df.attrs["warnings"] == []  # the comma: no delimiter to report
    plain = read_csv(b"v\n1\n2\n")
    assert plain["v"].tolist() == [1, 2] and plain.attrs["warnings"] == []


def test_a_single_column_of_decimal_comma_numbers_is_read_as_numbers():
    df = read_csv(b"v\n1,5\n2,25\n-3,5\n")
    assert list(df.columns) == ["v"] and df["v"].tolist() == [1.5, 2.25, -3.5]


def test_a_file_starting_with_more_blank_lines_than_the_sample_holds_loads():
    raw = b"\n" * (core.read._SNIFF_BYTES + 10) + b"a\n1\n2\n"
    df = read_csv(raw)
    assert list(df.columns) == ["a"] and df["a"].tolist() == [1, 2]
    assert _dialect(raw).n_columns == 1  # no row in the sample: one column, as the file has


def test_a_header_wider_than_allowed_is_refused_before_its_rows_are_parsed(monkeypatch):
    monkeypatch.setattr(core.read, "MAX_COLUMNS", 3)
    assert _dialect(b"a,b,c\n1,2,3\n").n_columns == 3
    with pytest.raises(DataError) as info:
        read_csv(b"a,b,c,d\n1,2\n", "wide.csv")  # ragged too: the width is what is said
    assert str(info.value).startswith("'wide.csv' has 4 columns; Cutoff reads at most 3.")


def test_a_header_without_rows_is_said_to_have_no_rows_with_or_without_a_final_line_break():
    with pytest.raises(DataError, match=r"^'h.csv' has a header \(2 columns\) but no data rows"):
        read_csv(b"id,amount\n", "h.csv")
    with pytest.raises(DataError, match=r"^'h.csv' has a header \(2 columns\) but no data rows"):
        read_csv(b"id,amount", "h.csv")
    with pytest.raises(DataError, match=r"^'h.csv' has a header \(2 columns\) but no data rows"):
        read_csv(b"id;amount\r", "h.csv")
    with pytest.raises(DataError, match="is empty"):
        read_csv(b"", "h.csv")
