"""UTF-16 uploads, little- and big-endian, read exactly like the same table in UTF-8.

Excel's "Unicode Text" export is UTF-16 LE with a byte-order mark and tabs; other tools write
big-endian, or leave the mark out. Each must give the same DataFrame as the UTF-8 file of the
same text: names, values, types (numbers stay numbers, a decimal comma is still read), and
characters outside ASCII, including one outside the Basic Multilingual Plane (a surrogate pair
in UTF-16).
"""

from __future__ import annotations

import codecs

import pandas as pd
import pytest

from core.data import read_csv
from core.errors import DataError

TABLES = {
    "comma": "name,amount,city,defaulted\nAda,1200.5,Zürich,yes\nBjörn,-3.25,Malmö,no\nChloé,0,São Paulo 🌆,yes\n",
    "semicolon, decimal comma": "name;amount;city\r\nAda;1200,5;Zürich\r\nBjörn;-3,25;Malmö\r\nChloé;7;Łódź\r\n",
    "tab (Excel Unicode text)": "name\tamount\tcity\nAda\t1200.5\tZürich\nBjörn\t-3.25\tMalmö\nChloé\t7\tΑθήνα\n",
}

ENCODINGS = {
    "LE with BOM": lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
    "BE with BOM": lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
}
NO_BOM = {
    "LE without BOM": lambda text: text.encode("utf-16-le"),
    "BE without BOM": lambda text: text.encode("utf-16-be"),
}


def _same_table(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected.reset_index(drop=True), check_dtype=True)


@pytest.mark.parametrize("table", list(TABLES))
@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_utf16_with_a_byte_order_mark_reads_like_utf8(table, encoding):
    text = TABLES[table]
    expected = read_csv(text.encode("utf-8"), "table.csv")
    got = read_csv(ENCODINGS[encoding](text), "table.csv")
    _same_table(got, expected)
    assert any("UTF-16" in w for w in got.attrs.get("warnings", [])), got.attrs.get("warnings")


def test_the_values_read_are_the_ones_written():
    df = read_csv(ENCODINGS["BE with BOM"](TABLES["semicolon, decimal comma"]), "export.csv")
    assert list(df.columns) == ["name", "amount", "city"]
    assert df["amount"].tolist() == [1200.5, -3.25, 7.0]
    assert df["city"].tolist() == ["Zürich", "Malmö", "Łódź"]
    emoji = read_csv(ENCODINGS["LE with BOM"](TABLES["comma"]), "export.csv")
    assert emoji["city"].tolist()[-1] == "São Paulo 🌆"


@pytest.mark.parametrize("encoding", list(NO_BOM))
def test_utf16_without_a_byte_order_mark_reads_like_utf8(encoding):
    text = TABLES["comma"]
    _same_table(read_csv(NO_BOM[encoding](text), "table.csv"), read_csv(text.encode("utf-8"), "table.csv"))


@pytest.mark.parametrize("encoding", list(NO_BOM))
def test_utf16_without_a_byte_order_mark_is_a_data_error_not_a_crash(encoding):
    # Whatever the reader does with it, the user gets a table or one plain-words DataError.
    try:
        read_csv(NO_BOM[encoding](TABLES["comma"]), "table.csv")
    except DataError as error:
        assert str(error)


def test_a_lone_byte_order_mark_is_an_empty_file_error():
    for bom in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        with pytest.raises(DataError):
            read_csv(bom, "empty.csv")
