"""core.read.read_csv from end to end, and numbers stored as text.

What the CSV entry point must keep: an Excel ``sep=`` line decides the delimiter even where the
sniffer would pick another; a delimiter other than a comma is said in the warnings; a header too
long for the sniffed sample is still checked for width and the file named; CSV dates arrive as
datetimes; a failure that is not a ``DataError`` (out of memory, a parser's own error) becomes
one that names the file, the reason and the fix. Numbers stored as text: an empty column or a
column of words does not stop the later columns being turned into numbers, half numbers among
the first 200 values is enough, and the stray words turned missing are counted in the
missing-values report, as are the NaN spellings pyarrow parses itself (``Nan``, ``-nan``). Expected values come from the fixtures themselves (direct counts) or from
pandas/pyarrow.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import core.read
from core.errors import DataError
from core.read import read_csv


def _missing_report(df: pd.DataFrame) -> list[str]:
    return [w for w in df.attrs["warnings"] if "missing value" in w]


# ------------------------------------------------------------------------ delimiter, width, dates


def test_an_excel_separator_line_decides_the_delimiter_where_the_sniffer_would_pick_another():
    # "a,b;c" splits in two on ',' and on ';': the sniffer's tie goes to the comma, the sep line
    # says semicolon.
    sniffed = read_csv(b"a,b;c\nx,y;3\n")
    assert list(sniffed.columns) == ["a", "b;c"]
    told = read_csv(b"sep=;\na,b;c\nx,y;3\n")
    assert list(told.columns) == ["a,b", "c"] and told["c"].tolist() == [3]
    assert told["a,b"].tolist() == ["x,y"]
    assert told.attrs["warnings"] == ["Read semicolon-separated values."]


@pytest.mark.parametrize(("delimiter", "name"), [(";", "semicolon"), ("\t", "tab"), ("|", "pipe")])
def test_a_delimiter_other_than_a_comma_is_said_in_the_warnings(delimiter, name):
    raw = f"a{delimiter}b\n1{delimiter}2\n".encode()
    assert read_csv(raw).attrs["warnings"] == [f"Read {name}-separated values."]
    assert read_csv(b"a,b\n1,2\n").attrs["warnings"] == []


def test_a_header_longer_than_the_sniffed_sample_is_still_checked_for_width_naming_the_file(monkeypatch):
    # A quoted header name holding 80 KB of line breaks: the sniffed sample (the first line plus
    # 64 KB) ends inside it, so only the full read sees the header's four columns.
    monkeypatch.setattr(core.read, "MAX_COLUMNS", 3)
    raw = b'"' + b"x\n" * 40_000 + b'",b,c,d\n1,2,3,4\n'
    assert core.read._sniff(raw, "The file").n_columns < 4
    with pytest.raises(DataError) as info:
        read_csv(raw, "long.csv")
    assert str(info.value).startswith("'long.csv' has 4 columns; Cutoff reads at most 3. Keep the columns")


def test_dates_in_a_csv_arrive_as_datetimes_not_python_objects():
    df = read_csv(b"id,opened,seen\n1,2024-01-05,2024-01-05 10:00:00\n2,2024-02-29,2024-02-29 23:59:59\n")
    assert pd.api.types.is_datetime64_dtype(df["opened"]) and pd.api.types.is_datetime64_dtype(df["seen"])
    assert df["opened"].tolist() == [pd.Timestamp("2024-01-05"), pd.Timestamp("2024-02-29")]
    assert df["seen"].iloc[1] == pd.Timestamp("2024-02-29 23:59:59")


# ------------------------------------------------------------------------ failures in words


def test_a_file_too_large_for_memory_says_so_naming_the_file(monkeypatch):
    def out_of_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(core.read, "_read_table", out_of_memory)
    with pytest.raises(DataError) as info:
        read_csv(b"a,b\n1,2\n", "big.csv")
    assert str(info.value).startswith("'big.csv' is too large to load in memory. Upload a sample of the rows")
    assert "fewer columns" in str(info.value).lower()


def test_a_parsers_own_error_becomes_a_data_error_naming_the_file_the_reason_and_the_fix(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("tokenizer lost its place at byte 7\nsecond line of detail")

    monkeypatch.setattr(core.read, "_read_table", broken)
    with pytest.raises(DataError) as info:
        read_csv(b"a,b\n1,2\n", "odd.csv")
    message = str(info.value)
    assert message.startswith("'odd.csv' could not be read as a CSV table (tokenizer lost its place at "
                              "byte 7). Check that it ")
    assert "comma-, semicolon-, tab- or pipe-separated text with one header" in message.lower()
    assert info.value.__cause__ is None and info.value.__suppress_context__


# ------------------------------------------------------------------------ numbers stored as text


def test_an_empty_column_does_not_stop_the_later_columns_being_read_as_numbers():
    df = read_csv(b'note,amount\n,"1,250"\n,"2,500"\n,700\n')
    assert df["note"].isna().all()
    assert df["amount"].tolist() == [1250.0, 2500.0, 700.0]


def test_a_column_of_words_does_not_stop_the_later_columns_being_read_as_numbers():
    # 'code' looks numeric in half of its values but a third of them are words: it stays text.
    codes = ["10", "20", "abc", "30", "40", "xyz"]
    rows = "".join(f'{c},"{i + 1},000"\n' for i, c in enumerate(codes))
    df = read_csv(("code,amount\n" + rows).encode())
    assert df["code"].tolist() == codes
    assert df["amount"].tolist() == [1000.0 * (i + 1) for i in range(6)]


def test_half_numbers_among_the_first_200_values_is_enough_whatever_the_201st_is():
    head = [str(i) if i % 2 else "word" for i in range(200)]  # 100 numbers, 100 words
    rows = head + ["word"] + [str(i) for i in range(20_000)]  # the 201st a word too
    df = read_csv(("v\n" + "\n".join(rows) + "\n").encode())
    assert pd.api.types.is_float_dtype(df["v"])
    assert int(df["v"].isna().sum()) == sum(r == "word" for r in rows) == 101


def test_stray_words_turned_missing_are_counted_in_the_missing_values_report():
    rows = [f"{i},{1000 + i},{i % 3}\n" for i in range(99)] + ["99,unknown,inf\n"]
    df = read_csv(("id,salary,ratio\n" + "".join(rows)).encode())
    assert int(df["salary"].isna().sum()) == 1 and int(df["ratio"].isna().sum()) == 1
    (report,) = _missing_report(df)
    assert report.startswith("2 missing values in 2 columns: 'salary' (1), 'ratio' (1). ")
    only_words = read_csv(("id,salary\n" + "".join(r.rsplit(",", 1)[0] + "\n" for r in rows)).encode())
    (report,) = _missing_report(only_words)
    assert report.startswith("1 missing value in 1 column: 'salary' (1). ")


# pyarrow reads these spellings in a number column as NaN, not null: missing cells all the same.
@pytest.mark.parametrize("token", ["Nan", "-nan", "+nan", "nAn"])
def test_a_nan_spelling_pyarrow_parses_is_counted_in_the_missing_values_report(token):
    df = read_csv(f"a,b\n1.5,x\n{token},y\n2.5,z\n".encode())
    assert int(df["a"].isna().sum()) == 1  # missing in the table the user gets
    (report,) = _missing_report(df)
    assert report.startswith("1 missing value in 1 column: 'a' (1). ")
    # with a listed token and an empty cell in the same column: three, counted once each
    df = read_csv(f"a,b\n1.5,x\n{token},y\nNA,z\n,w\n2.5,v\n".encode())
    (report,) = _missing_report(df)
    assert int(df["a"].isna().sum()) == 3 and report.startswith("3 missing values in 1 column: 'a' (3). ")
