"""core.read: every supported format loads like the same table saved as CSV, recognised by its
first bytes; wide tables load; archives with no file or several say so.

Expected frames come from reading the CSV text (core.read.read_csv, itself tested against the
fixture text in tests/core/test_data.py) or from pandas writing the other formats.
"""

from __future__ import annotations

import gzip
import io
import zipfile

import numpy as np
import pandas as pd
import pytest

from core.errors import DataError
from core.read import FORMATS, MAX_COLUMNS, detect_format, excel_sheets, read_csv, read_table

CSV = (
    "customer_id,age,monthly_charges,contract,churned\n"
    "C-1001,34,70.35,month-to-month,yes\n"
    "C-1002,51,19.95,two-year,no\n"
    "C-1003,29,,one-year,no\n"
    "C-1004,42,55.5,NA,yes\n"
).encode()


@pytest.fixture(scope="module")
def expected() -> pd.DataFrame:
    return read_csv(CSV, "customers.csv")


def _parquet(df: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    df.to_parquet(buffer, index=False)
    return buffer.getvalue()


def _xlsx(sheets: dict[str, pd.DataFrame]) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return buffer.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _same_table(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True),
                                  check_dtype=False, check_column_type=False)
    for column in want.columns:  # numbers stay numbers, text stays text
        assert pd.api.types.is_numeric_dtype(got[column]) == pd.api.types.is_numeric_dtype(want[column])


def test_csv_through_read_table_is_read_csv(expected):
    df = read_table(CSV, "customers.csv")
    _same_table(df, expected)
    assert df.attrs["format"] == "csv" and df.attrs["sheets"] == []


def test_parquet_loads_like_the_csv(expected):
    df = read_table(_parquet(expected), "customers.parquet")
    _same_table(df, expected)
    assert df.attrs["format"] == "parquet"
    assert df["monthly_charges"].isna().sum() == 1 and df["contract"].isna().sum() == 1


def test_xlsx_loads_like_the_csv(expected):
    df = read_table(_xlsx({"Customers": expected}), "customers.xlsx")
    _same_table(df, expected)
    assert df.attrs["format"] == "xlsx" and df.attrs["sheets"] == ["Customers"]


def test_missing_tokens_typed_into_a_sheet_are_missing(expected):
    typed = expected.astype(object).where(expected.notna(), "N/A")  # what a person types in Excel
    df = read_table(_xlsx({"Sheet1": typed}), "typed.xlsx")
    _same_table(df, expected)


def test_only_the_listed_missing_tokens_are_missing_in_a_sheet_as_in_a_csv():
    # pandas' own default list also has "#NA", "-NaN", "1.#QNAN" and others; a code such as "#NA"
    # typed in a cell is text here, as it is in a CSV, and the listed tokens are missing in both.
    typed = pd.DataFrame({"code": ["#NA", "-NaN", "1.#QNAN", "NA", "ok"], "n": [1, 2, 3, 4, 5]})
    from_sheet = read_table(_xlsx({"Sheet1": typed}), "codes.xlsx")
    from_csv = read_table(b"code,n\n#NA,1\n-NaN,2\n1.#QNAN,3\nNA,4\nok,5\n", "codes.csv")
    for df in (from_sheet, from_csv):
        assert df["code"].tolist()[:3] == ["#NA", "-NaN", "1.#QNAN"]
        assert pd.isna(df["code"].iloc[3]) and df["code"].iloc[4] == "ok"


def test_gzip_and_zip_holding_one_csv_load_like_the_csv(expected):
    _same_table(read_table(gzip.compress(CSV), "customers.csv.gz"), expected)
    zipped = read_table(_zip({"export/customers.csv": CSV, "__MACOSX/._customers.csv": b"junk"}), "c.zip")
    _same_table(zipped, expected)
    assert zipped.attrs["format"] == "csv"
    assert any("Unpacked the zip archive" in w for w in zipped.attrs["warnings"])


def test_a_zip_holding_a_parquet_file_loads_too(expected):
    _same_table(read_table(_zip({"customers.parquet": _parquet(expected)})), expected)


@pytest.mark.parametrize(("kind", "make"), [
    ("parquet", lambda df: _parquet(df)),
    ("xlsx", lambda df: _xlsx({"Sheet1": df})),
    ("gzip", lambda df: gzip.compress(CSV)),
    ("zip", lambda df: _zip({"customers.csv": CSV})),
])
def test_format_is_recognised_by_content_not_by_name(expected, kind, make):
    raw = make(expected)
    assert detect_format(raw) == kind
    for misleading in ("customers.csv", "customers.txt", "customers"):
        _same_table(read_table(raw, misleading), expected)
    assert kind in FORMATS


def test_csv_named_like_a_workbook_is_read_as_csv(expected):
    _same_table(read_table(CSV, "customers.xlsx"), expected)


def test_a_workbook_with_several_sheets_reads_the_first_or_the_one_asked(expected):
    notes = pd.DataFrame({"note": ["exported 2024-05-01", "by finance"]})
    raw = _xlsx({"Readme": notes, "Customers": expected})
    assert excel_sheets(raw) == ["Readme", "Customers"]
    first = read_table(raw, "book.xlsx")
    assert list(first.columns) == ["note"] and first.attrs["sheets"] == ["Readme", "Customers"]
    assert any("2 sheets" in w and "'Readme'" in w for w in first.attrs["warnings"])
    _same_table(read_table(raw, "book.xlsx", sheet="Customers"), expected)
    with pytest.raises(DataError, match="no sheet named 'Nope'.*'Readme', 'Customers'"):
        read_table(raw, "book.xlsx", sheet="Nope")
    assert excel_sheets(CSV) == []
    assert excel_sheets(_zip({"book.xlsx": raw})) == ["Readme", "Customers"]


def test_archives_with_no_table_or_several_say_what_to_upload():
    with pytest.raises(DataError, match="no file inside"):
        read_table(_zip({"__MACOSX/._x": b"junk"}), "empty.zip")
    with pytest.raises(DataError, match="holds 2 files.*'a.csv', 'b.csv'.*one table"):
        read_table(_zip({"a.csv": CSV, "b.csv": CSV}), "two.zip")
    with pytest.raises(DataError, match="archive inside an archive"):
        read_table(gzip.compress(gzip.compress(CSV)), "twice.gz")


@pytest.mark.parametrize(("raw", "words"), [
    (b"PAR1" + bytes(range(200)), "starts like a Parquet file but could not be read"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "could not be read as a workbook"),
    (b"\x1f\x8b\x08\x00" + bytes(20), "damaged gzip file"),
])
def test_damaged_files_get_a_plain_error(raw, words):
    with pytest.raises(DataError, match=words) as info:
        read_table(raw, "broken.csv")
    assert "Traceback" not in str(info.value)


def test_an_empty_sheet_and_a_header_only_parquet_are_refused():
    raw = _xlsx({"Blank": pd.DataFrame(), "Data": pd.DataFrame({"a": [1]})})
    with pytest.raises(DataError, match="Sheet 'Blank' of 'book.xlsx' is empty"):
        read_table(raw, "book.xlsx")
    with pytest.raises(DataError, match="no data rows"):
        read_table(_parquet(pd.DataFrame({"a": pd.Series([], dtype=float), "b": pd.Series([], dtype=str)})))


@pytest.mark.parametrize("n_columns", [2_000, 10_000])
def test_wide_csv_and_parquet_load(n_columns):
    rng = np.random.default_rng(n_columns)
    values = rng.normal(size=(30, n_columns)).round(3)
    wide = pd.DataFrame(values, columns=[f"gene_{i}" for i in range(n_columns)])
    wide["diagnosis"] = ["tumour", "normal"] * 15
    raw = wide.to_csv(index=False).encode()
    df = read_table(raw, "genes.csv")
    assert df.shape == (30, n_columns + 1)
    np.testing.assert_allclose(df[f"gene_{n_columns - 1}"].to_numpy(), values[:, -1])
    assert df["diagnosis"].tolist() == wide["diagnosis"].tolist()
    assert read_table(_parquet(wide)).shape == (30, n_columns + 1)
    assert n_columns <= MAX_COLUMNS


def test_wider_than_the_limit_is_refused_for_parquet_too():
    wide = pd.DataFrame(np.zeros((1, MAX_COLUMNS + 1)), columns=[f"c{i}" for i in range(MAX_COLUMNS + 1)])
    with pytest.raises(DataError, match=f"{MAX_COLUMNS + 1:,} columns"):
        read_table(_parquet(wide))


# ---------------------------------------------------------------- UTF-16, with and without BOM

UTF16_TEXT = ("name;amount;city;defaulted\r\n"
              "Zoë;1200,5;Zürich;yes\r\n"
              "Łukasz;-3,25;Łódź;no\r\n"
              "李雷;7;北京 🌆;yes\r\n")
UTF16 = {
    "LE with BOM": lambda text: b"\xff\xfe" + text.encode("utf-16-le"),
    "BE with BOM": lambda text: b"\xfe\xff" + text.encode("utf-16-be"),
    "LE without BOM": lambda text: text.encode("utf-16-le"),
    "BE without BOM": lambda text: text.encode("utf-16-be"),
}


@pytest.mark.parametrize("encoding", list(UTF16))
def test_utf16_with_or_without_bom_reads_like_utf8(encoding):
    raw = UTF16[encoding](UTF16_TEXT)
    df = read_table(raw, "export.csv")
    want = read_csv(UTF16_TEXT.encode("utf-8"), "export.csv")
    pd.testing.assert_frame_equal(df, want)
    assert df["city"].tolist() == ["Zürich", "Łódź", "北京 🌆"]  # outside ASCII, and outside the BMP
    assert df["amount"].tolist() == [1200.5, -3.25, 7.0]
    assert any("UTF-16" in w for w in df.attrs["warnings"])
    if "without" in encoding:
        order = "little-endian" if encoding.startswith("LE") else "big-endian"
        assert any(order in w for w in df.attrs["warnings"]), df.attrs["warnings"]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_ascii_only_utf16_without_bom_every_other_byte_nul(encoding):
    rows = "\n".join(f"{i},{i * 0.5},{'ab'[i % 2]}" for i in range(3_000))  # longer than the probe
    text = "id,value,group\n" + rows + "\n"
    raw = text.encode(encoding)
    assert raw[1 if encoding.endswith("le") else 0::2].count(0) == len(raw) // 2
    df = read_csv(raw, "ascii.csv")
    pd.testing.assert_frame_equal(df, read_csv(text.encode(), "ascii.csv"))
    assert df.shape == (3_000, 3)


def test_utf16_without_bom_that_is_only_whitespace_is_empty():
    with pytest.raises(DataError, match="empty"):
        read_csv(" \n \n".encode("utf-16-le"), "blank.csv")


def _elf_head() -> bytes:
    """The first 64 KB of the running Python interpreter: a real binary."""
    import sys

    with open(sys.executable, "rb") as stream:
        return stream.read(64 * 1024)


BINARY_FILES = {
    "the Python executable": _elf_head,
    # Small little-endian integers: a zero in every second byte, like UTF-16 LE text, but they
    # decode to control characters.
    "int16 counts": lambda: np.arange(0, 4_000, dtype="<i2").tobytes(),
    "big-endian int16 counts": lambda: np.arange(0, 4_000, dtype=">i2").tobytes(),
    "float64 values": lambda: np.random.default_rng(0).normal(size=2_000).tobytes(),
    # Zero bytes at the second position of each pair, but a lone surrogate: not valid UTF-16.
    "unpaired surrogates": lambda: ("a,b\n1,2\n".encode("utf-16-le") + b"\x00\xd8" + "3,4\n".encode("utf-16-le")),
    "all zero bytes": lambda: bytes(4_096),
}


@pytest.mark.parametrize("kind", list(BINARY_FILES))
def test_binary_files_are_still_refused_as_binary(kind):
    raw = BINARY_FILES[kind]()
    with pytest.raises(DataError, match="contains binary data, not text"):
        read_csv(raw, "data.csv")
