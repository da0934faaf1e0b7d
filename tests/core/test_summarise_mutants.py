"""core.summarise, piece by piece: each rule of the score-count table checked against a direct count.

The oracles are counts made with numpy/pandas on the same rows, DuckDB evaluating a SQL literal
or identifier on its own, and the documented format (module docstring, ``--help``). The Spark
engine is checked in ``test_summarise.py``.
"""

from __future__ import annotations

import decimal
import gzip
import math
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from core.errors import DataError
from core.summarise import (DIALECTS, InputFiles, Summary, _file_kind, _first_line, finite_duckdb, finite_spark,
                            finite_standard, main, quote_backtick, quote_standard, resolve_input, sql_literal,
                            summarise, summary_sql, write_summary)


def direct_cells(score, label, positive, decimals=4, segment=None, amount=None) -> dict:
    """{(score cell, 0/1[, segment]): [count, amount sum]} counted row by row in plain Python."""
    cells: dict = {}
    step = 10.0 ** decimals
    for i, (s, y) in enumerate(zip(score, label)):
        if s is None or not math.isfinite(s) or y is None or (isinstance(y, float) and math.isnan(y)):
            continue
        key = (math.floor(s * step + 0.5) / step, int(y == positive))
        if segment is not None:
            key += (segment[i],)
        cell = cells.setdefault(key, [0, 0])
        cell[0] += 1
        if amount is not None and amount[i] is not None and math.isfinite(amount[i]):
            cell[1] += math.floor(amount[i] * 1e6 + 0.5)
    return cells


def write(tmp_path: Path, frame, name: str = "t.parquet") -> str:
    path = tmp_path / name
    if isinstance(frame, pa.Table):
        pq.write_table(frame, path)
    elif name.endswith(".csv"):
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    return str(path)


# --------------------------------------------------------------------------- SQL pieces

@pytest.mark.parametrize("value", [True, False, 0, 7, -3, 0.5, -2.25, 1e-7, "yes", "it's", "", "a''b"])
def test_a_label_literal_evaluates_to_the_value_in_duckdb(value):
    assert duckdb.connect().execute(f"SELECT {sql_literal(value)}").fetchall()[0][0] == value


def test_a_decimal_label_literal_keeps_its_digits():
    value = decimal.Decimal("12.50")
    assert duckdb.connect().execute(f"SELECT {sql_literal(value)}").fetchall()[0][0] == value
    assert sql_literal(value) == "12.50"


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
def test_a_non_finite_positive_class_is_refused(value):
    with pytest.raises(DataError, match="positive class"):
        sql_literal(value)


@pytest.mark.parametrize("name", ['plain', 'with "quotes"', '"', 'it\'s', 'a`b'])
def test_standard_quotes_name_the_column_in_duckdb(name):
    con = duckdb.connect()
    con.execute(f"CREATE TABLE t AS SELECT 42 AS {quote_standard(name)}")
    assert [d[0] for d in con.execute("SELECT * FROM t").description] == [name]


def test_backtick_quotes_double_an_inner_backtick():
    # Spark SQL and BigQuery: an identifier in backticks, a backtick inside written twice.
    assert quote_backtick("score") == "`score`"
    assert quote_backtick("a`b") == "`a``b`"
    assert quote_backtick("a\"b") == "`a\"b`"


def test_dialects_pair_quotes_with_an_exact_sum_type_and_a_finite_test():
    assert DIALECTS["standard"] == (quote_standard, "DECIMAL(38, 0)", finite_standard)
    assert DIALECTS["duckdb"] == (quote_standard, "DECIMAL(38, 0)", finite_duckdb)
    assert DIALECTS["spark"] == (quote_backtick, "DECIMAL(38, 0)", finite_spark)
    assert DIALECTS["bigquery"] == (quote_backtick, "BIGNUMERIC", finite_standard)


@pytest.mark.parametrize("finite", [finite_standard, finite_duckdb])
def test_the_finite_tests_are_true_for_numbers_only(finite):
    con = duckdb.connect()
    values = "(0.0), (-2.5), (1.7976931348623157E308), ('nan'::DOUBLE), ('inf'::DOUBLE), ('-inf'::DOUBLE), (NULL)"
    got = con.execute(f"SELECT {finite('x')} FROM (VALUES {values}) AS v(x)").fetchall()
    assert [g[0] for g in got] == [True, True, True, False, False, False, None]


def _run(sql: str, frame: pd.DataFrame) -> list[tuple]:
    con = duckdb.connect()
    con.register("frame", frame)
    con.execute("CREATE TABLE t AS SELECT * FROM frame")
    return con.execute(sql).fetchall()


def test_summary_sql_defaults_to_positive_1_and_4_decimals():
    frame = pd.DataFrame({"s": [0.123449, 0.12345, 0.9, 0.9], "y": [1, 2, 1, 0]})
    rows = _run(summary_sql("t", label="y", score="s"), frame)
    assert rows == [(0.1234, 1, 1), (0.1235, 0, 1), (0.9, 0, 1), (0.9, 1, 1)]


def test_summary_sql_counts_a_nan_numeric_label_as_no_outcome():
    frame = pd.DataFrame({"s": [0.1, 0.2, 0.3], "y": [1.0, math.nan, 0.0]})
    rows = _run(summary_sql("t", label="y", score="s", positive=1), frame)
    assert rows == [(0.1, 1, 1), (0.2, None, 1), (0.3, 0, 1)]


def test_summary_sql_with_a_true_false_label():
    frame = pd.DataFrame({"s": [0.1, 0.2, 0.3, 0.3], "y": pd.array([True, None, False, True], dtype="boolean")})
    rows = _run(summary_sql("t", label="y", score="s", positive=True, decimals=1), frame)
    assert rows == [(0.1, 1, 1), (0.2, None, 1), (0.3, 0, 1), (0.3, 1, 1)]


def test_summary_sql_cell_without_any_amount_sums_to_zero():
    frame = pd.DataFrame({"s": [0.1, 0.1, 0.5, 0.5], "y": [1, 1, 0, 0], "a": [math.nan, None, 2.5, 0.0000015]})
    rows = _run(summary_sql("t", label="y", score="s", amount="a", decimals=1), frame)
    assert rows == [(0.1, 1, 2, 0.0), (0.5, 0, 2, 2.500002)]


def test_summary_sql_exact_type_is_the_cast_of_the_amounts():
    sql = summary_sql("t", label="y", score="s", amount="a", exact_type="BIGNUMERIC")
    assert "AS BIGNUMERIC)" in sql and "DECIMAL" not in sql
    assert "DECIMAL(38, 0)" in summary_sql("t", label="y", score="s", amount="a")


def test_summary_sql_groups_and_orders_by_the_segment():
    frame = pd.DataFrame({"s": [0.5, 0.5, 0.5, 0.5], "y": [1, 1, 1, 0], "g": ["b", "a", None, "a"]})
    rows = _run(summary_sql("t", label="y", score="s", segment="g", decimals=0), frame)
    assert rows == [(1.0, 0, 1, "a"), (1.0, 1, 1, "a"), (1.0, 1, 1, "b"), (1.0, 1, 1, None)]


@pytest.mark.parametrize("decimals", [0, 9])
def test_summary_sql_accepts_0_to_9_decimals(decimals):
    frame = pd.DataFrame({"s": [0.1234567891234], "y": [1]})
    rows = _run(summary_sql("t", label="y", score="s", decimals=decimals), frame)
    assert rows == [(math.floor(0.1234567891234 * 10.0 ** decimals + 0.5) / 10.0 ** decimals, 1, 1)]


@pytest.mark.parametrize("decimals", [-1, 10, 2.0, "4", None])
def test_decimals_outside_0_to_9_or_not_whole_are_refused(decimals):
    with pytest.raises(DataError, match="--decimals"):
        summary_sql("t", label="y", score="s", decimals=decimals)
    with pytest.raises(DataError, match="--decimals"):
        summarise("nothere.parquet", label="y", score="s", decimals=decimals)


# --------------------------------------------------------------------------- the input files

def test_file_kind_from_the_first_bytes_not_the_name(tmp_path):
    (tmp_path / "a.csv").write_bytes(b"PAR1" + bytes(20))
    (tmp_path / "b.parquet").write_text("s,y\n0.1,1\n")
    (tmp_path / "c.bin").write_bytes(gzip.compress(b"s,y\n0.1,1\n"))
    assert _file_kind(str(tmp_path / "a.csv")) == "parquet"
    assert _file_kind(str(tmp_path / "b.parquet")) == "csv"
    assert _file_kind(str(tmp_path / "c.bin")) == "csv"


def test_file_kind_refuses_empty_zip_and_binary_files(tmp_path):
    (tmp_path / "empty").write_bytes(b"")
    (tmp_path / "zip").write_bytes(b"PK\x03\x04ABCDEFGH")
    (tmp_path / "nul").write_bytes(b"s,y\n0.1,1\x00\n")
    with pytest.raises(DataError, match="empty"):
        _file_kind(str(tmp_path / "empty"))
    for name in ("zip", "nul"):
        with pytest.raises(DataError, match="neither Parquet nor CSV"):
            _file_kind(str(tmp_path / name))


def test_file_kind_looks_at_the_first_4096_bytes(tmp_path):
    head = b"s,y\n" + b"0.1,1\n" * 682  # 4,096 bytes of text
    assert len(head) == 4096
    (tmp_path / "late_nul.csv").write_bytes(head + b"\x00")
    (tmp_path / "early_nul.csv").write_bytes(head[:-1] + b"\x00")
    assert _file_kind(str(tmp_path / "late_nul.csv")) == "csv"
    with pytest.raises(DataError, match="neither"):
        _file_kind(str(tmp_path / "early_nul.csv"))


def test_file_kind_of_an_unreadable_path_names_the_reason(tmp_path):
    with pytest.raises(DataError, match=r"Cannot read .*nothere: No such file or directory\."):
        _file_kind(str(tmp_path / "nothere"))


def test_a_csv_whose_first_column_starts_with_pk_is_read(tmp_path):
    path = tmp_path / "keys.csv"
    path.write_text("PK_ID,score,y\n1,0.1,0\n2,0.9,1\n3,0.9,1\n")
    assert _file_kind(str(path)) == "csv"
    assert summarise(str(path), label="y", score="score").rows == [(0.1, 0, 1), (0.9, 1, 2)]


def test_a_truncated_parquet_file_is_a_data_error(tmp_path, capsys):
    path = tmp_path / "cut.parquet"
    pd.DataFrame({"s": [0.1, 0.2], "y": [0, 1]}).to_parquet(path)
    path.write_bytes(path.read_bytes()[:30])
    with pytest.raises(DataError, match="could not read the input"):
        summarise(str(path), label="y", score="s")
    assert main([str(path), "--label", "y", "--score", "s", "--output", str(tmp_path / "o.csv")]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_a_csv_broken_past_the_sniffed_rows_is_a_data_error_naming_the_file(tmp_path):
    path = tmp_path / "late.csv"
    path.write_text("p,y\n" + "0.5,1\n" * 30000 + "high,1\n")
    with pytest.raises(DataError, match=r"Could not read .*late\.csv: .*Error"):
        summarise(str(path), label="y", score="p", positive="1")


def test_first_line_of_an_error():
    assert _first_line(ValueError("  one\ntwo\n")) == "one"
    assert _first_line(ValueError("")) == "ValueError"


def test_remote_paths_need_spark_and_take_their_kind_from_the_name():
    with pytest.raises(DataError, match="--engine spark"):
        resolve_input("s3a://bucket/scores.parquet")
    assert resolve_input("s3a://bucket/part/", engine="spark") == InputFiles("parquet", ["s3a://bucket/part/"],
                                                                               remote=True)
    for name in ("hdfs://h/x.CSV", "gs://b/x.csv.gz", "abfss://c@a/x.txt"):
        files = resolve_input(name, engine="spark")
        assert (files.kind, files.paths, files.remote, files.folder) == ("csv", [name], True, None)
    assert resolve_input("s3://b/x.csv.bak", engine="spark").kind == "parquet"


def test_file_uri_and_plain_path_name_the_same_file(tmp_path):
    path = write(tmp_path, pd.DataFrame({"s": [0.1], "y": [1]}))
    expected = InputFiles("parquet", [path])
    assert resolve_input(path) == expected
    assert resolve_input("file://" + path) == expected


def test_a_folder_reads_its_parquet_files_but_not_hidden_or_underscored_ones(tmp_path):
    frame = pd.DataFrame({"s": [0.1], "y": [1]})
    for part in ("b/part-1.parquet", "a/part-0.parquet", "c.parquet", "_tmp/x.parquet", ".hidden/x.parquet",
                 "a/.x.parquet", "a/_x.parquet"):
        (tmp_path / part).parent.mkdir(parents=True, exist_ok=True)
        frame.to_parquet(tmp_path / part)
    (tmp_path / "a" / "notes.txt").write_text("hello")
    (tmp_path / "a" / "part-0.parquet.crc").write_bytes(b"\x00\x01")
    files = resolve_input(str(tmp_path))
    assert files == InputFiles("parquet", [str(tmp_path / p) for p in ("a/part-0.parquet", "b/part-1.parquet",
                                                                      "c.parquet")], folder=str(tmp_path))


def test_a_glob_reads_files_sorted_recursively_and_skips_folders(tmp_path):
    frame = pd.DataFrame({"s": [0.1], "y": [1]})
    (tmp_path / "x" / "y").mkdir(parents=True)
    (tmp_path / "dir.parquet").mkdir()
    for part in ("x/y/2.parquet", "x/1.parquet", "0.parquet"):
        frame.to_parquet(tmp_path / part)
    files = resolve_input(f"{tmp_path}/**/*.parquet")
    assert files == InputFiles("parquet", [str(tmp_path / p) for p in ("0.parquet", "x/1.parquet",
                                                                      "x/y/2.parquet")])
    assert resolve_input(f"{tmp_path}/?.parquet").paths == [str(tmp_path / "0.parquet")]
    assert resolve_input(f"{tmp_path}/[0-9].parquet").paths == [str(tmp_path / "0.parquet")]


def test_a_glob_mixing_parquet_and_csv_is_refused(tmp_path):
    write(tmp_path, pd.DataFrame({"s": [0.1], "y": [1]}), "a.parquet")
    write(tmp_path, pd.DataFrame({"s": [0.1], "y": [1]}), "b.csv")
    with pytest.raises(DataError, match="mixes Parquet and CSV"):
        resolve_input(f"{tmp_path}/*")


def test_input_files_describe_their_count_and_format():
    assert InputFiles("parquet", ["a"]).describe() == "1 Parquet file"
    assert InputFiles("csv", ["a", "b"]).describe() == "2 CSV files"
    assert InputFiles("parquet", ["p"] * 1200).describe() == "1,200 Parquet files"


# --------------------------------------------------------------------------- reading with DuckDB

def test_parquet_parts_with_their_columns_in_another_order_are_matched_by_name(tmp_path):
    pd.DataFrame({"s": [0.1, 0.2], "y": [1, 0]}).to_parquet(tmp_path / "a.parquet")
    pd.DataFrame({"y": [1, 1], "s": [0.2, 0.3], "extra": ["u", "v"]}).to_parquet(tmp_path / "b.parquet")
    summary = summarise(str(tmp_path), label="y", score="s")
    assert summary.rows == [(0.1, 1, 1), (0.2, 0, 1), (0.2, 1, 1), (0.3, 1, 1)]


def test_csv_parts_with_their_columns_in_another_order_are_matched_by_name(tmp_path):
    (tmp_path / "a.csv").write_text("s,y\n0.1,1\n0.2,0\n")
    (tmp_path / "b.csv").write_text("y,s\n1,0.2\n1,0.3\n")
    summary = summarise(f"{tmp_path}/*.csv", label="y", score="s")
    assert summary.rows == [(0.1, 1, 1), (0.2, 0, 1), (0.2, 1, 1), (0.3, 1, 1)]


def test_a_csv_header_names_the_columns(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("s,y\n0.25,1\n0.75,0\n")
    summary = summarise(str(path), label="y", score="s", decimals=1)
    assert summary.rows == [(0.3, 1, 1), (0.8, 0, 1)] and summary.rows_read == 2


def test_every_numeric_column_type_is_a_score(tmp_path):
    scores = [1, 2, 2, 7]
    table = pa.table({
        "y": pa.array([1, 0, 1, 0], pa.int64()),
        "i8": pa.array(scores, pa.int8()), "u16": pa.array(scores, pa.uint16()),
        "u64": pa.array(scores, pa.uint64()), "i32": pa.array(scores, pa.int32()),
        "f32": pa.array(scores, pa.float32()), "dec": pa.array([decimal.Decimal(f"{v}.0000") for v in scores],
                                                               pa.decimal128(10, 4)),
    })
    path = write(tmp_path, table)
    for column in ("i8", "u16", "u64", "i32", "f32", "dec"):
        assert summarise(path, label="y", score=column, decimals=0).rows == \
            [(1.0, 1, 1), (2.0, 0, 1), (2.0, 1, 1), (7.0, 0, 1)], column


@pytest.mark.parametrize("column, kind", [("b", "bool"), ("t", "text"), ("d", "date")])
def test_a_score_column_that_is_not_numbers_names_its_type(tmp_path, column, kind):
    import datetime

    table = pa.table({"y": [1, 0], "b": [True, False], "t": ["0.1", "0.2"],
                      "d": [datetime.date(2024, 1, 1), datetime.date(2024, 1, 2)], "s": [0.1, 0.2]})
    path = write(tmp_path, table)
    with pytest.raises(DataError, match=f"--score '{column}' holds {kind} values, not numbers"):
        summarise(path, label="y", score=column)
    with pytest.raises(DataError, match=f"--amount '{column}' holds {kind} values, not numbers"):
        summarise(path, label="y", score="s", amount=column)


# --------------------------------------------------------------------------- columns named

@pytest.fixture()
def small(tmp_path) -> str:
    return write(tmp_path, pd.DataFrame({"s": [0.1, 0.9, 0.5], "y": [0, 1, 1], "a": [1.0, 2.0, 3.0],
                                         "g": ["n", "s", "n"], "Label": [0, 1, 0]}))


@pytest.mark.parametrize("flag, options", [
    ("--label", dict(label="zz", score="s")),
    ("--score", dict(label="y", score="zz")),
    ("--amount", dict(label="y", score="s", amount="zz")),
    ("--segment", dict(label="y", score="s", segment="zz")),
])
def test_a_missing_column_is_named_with_its_flag_and_the_columns_listed(small, flag, options):
    with pytest.raises(DataError, match=f"{flag} 'zz' is not a column of the input. Its columns are "
                                        "'s', 'y', 'a', 'g', 'Label'\\."):
        summarise(small, **options)


def test_a_column_spelt_in_another_case_is_suggested(small):
    with pytest.raises(DataError, match="--score 'S' is not a column of the input. Did you mean 's'\\?"):
        summarise(small, label="y", score="S")
    with pytest.raises(DataError, match="Did you mean 'Label'\\?"):
        summarise(small, label="LABEL", score="s")


@pytest.mark.parametrize("options", [dict(label="count"), dict(amount="count"), dict(segment="count")])
def test_a_column_called_count_is_refused(tmp_path, options):
    path = write(tmp_path, pd.DataFrame({"s": [0.1, 0.9], "y": [0, 1], "count": [1, 2]}))
    with pytest.raises(DataError, match="'count' clashes with the output's count column"):
        summarise(path, **{"label": "y", "score": "s", **options})


@pytest.mark.parametrize("options", [dict(amount="s"), dict(segment="y"), dict(amount="a", segment="a")])
def test_one_column_named_twice_is_refused(small, options):
    with pytest.raises(DataError, match="must name different columns"):
        summarise(small, **{"label": "y", "score": "s", **options})


def test_amount_and_segment_each_in_their_own_column(small):
    summary = summarise(small, label="y", score="s", amount="a", segment="g", decimals=1)
    assert summary.columns == ["s", "y", "count", "a", "g"]
    assert summary.rows == [(0.1, 0, 1, 1.0, "n"), (0.5, 1, 1, 3.0, "n"), (0.9, 1, 1, 2.0, "s")]
    assert summary.has_amount
    only_segment = summarise(small, label="y", score="s", segment="g", decimals=1)
    assert only_segment.columns == ["s", "y", "count", "g"] and not only_segment.has_amount
    assert only_segment.rows == [(0.1, 0, 1, "n"), (0.5, 1, 1, "n"), (0.9, 1, 1, "s")]


# --------------------------------------------------------------------------- the positive class

def _labels(tmp_path, labels, scores=None) -> str:
    scores = scores if scores is not None else [i / 10 for i in range(len(labels))]
    return write(tmp_path, pd.DataFrame({"s": scores, "y": labels}))


def _positives(summary) -> int:
    return sum(n for _, y, n in summary.rows if y == 1)


def test_positive_given_as_text_matches_the_labels_own_type(tmp_path):
    assert summarise(_labels(tmp_path, [0, 1, 1, 2]), label="y", score="s", positive="1").positive == 1
    floats = summarise(_labels(tmp_path, [0.0, 1.0, 1.0, 2.0]), label="y", score="s", positive="1")
    assert floats.positive == 1.0 and _positives(floats) == 2
    bools = summarise(_labels(tmp_path, [True, False, False]), label="y", score="s", positive="1")
    assert bools.positive is True and _positives(bools) == 1
    negatives = summarise(_labels(tmp_path, [True, False, False]), label="y", score="s", positive="0")
    assert negatives.positive is False and _positives(negatives) == 2
    words = summarise(_labels(tmp_path, [True, False, False]), label="y", score="s", positive=" TRUE ")
    assert words.positive is True
    falses = summarise(_labels(tmp_path, [True, False, False]), label="y", score="s", positive="False")
    assert falses.positive is False and _positives(falses) == 2
    text = summarise(_labels(tmp_path, ["Yes", "no", "no", "maybe"]), label="y", score="s", positive="yes")
    assert text.positive == "Yes" and _positives(text) == 1


def test_an_exact_match_wins_over_one_in_another_case(tmp_path):
    path = _labels(tmp_path, ["Yes", "Yes", "Yes", "yes", "no"])
    summary = summarise(path, label="y", score="s", positive="yes")
    assert summary.positive == "yes" and _positives(summary) == 1
    assert summarise(path, label="y", score="s", positive="no").positive == "no"


def test_a_positive_class_that_is_no_label_value_lists_the_values(tmp_path):
    path = _labels(tmp_path, ["b", "a", "c", None])
    with pytest.raises(DataError, match=r"--positive 'z' is not a value of 'y'; its values are 'a', 'b', 'c'\."):
        summarise(path, label="y", score="s", positive="z")


def test_values_of_mixed_kinds_are_listed_as_text(tmp_path):
    from core.summarise import _match_positive

    with pytest.raises(DataError, match=r"its values are '1', 'a', 'b'\."):
        _match_positive("z", ["b", 1, "a"], "y")


def test_two_labels_pick_the_positive_class_and_say_so(tmp_path):
    from core.target import default_positive_class

    summary = summarise(_labels(tmp_path, ["ok", "fraud", "ok", "ok"]), label="y", score="s")
    assert summary.positive == default_positive_class(["ok", "fraud"], {"ok": 3, "fraud": 1}) == "fraud"
    assert _positives(summary) == 1
    assert summary.notes == ["positive class: 'fraud' (label 1); pass --positive to choose the other"]


def test_a_label_with_one_value_needs_the_positive_class(tmp_path):
    path = _labels(tmp_path, [0, 0, 0])
    with pytest.raises(DataError, match=r"'y' has one value \(0\) in the input; pass --positive"):
        summarise(path, label="y", score="s")
    summary = summarise(path, label="y", score="s", positive="1")
    assert summary.positive == 1 and _positives(summary) == 0 and sum(n for *_, n in summary.rows) == 3
    assert summary.notes == ["every labelled row is 0, so no row is positive"]
    same = summarise(path, label="y", score="s", positive="0")
    assert same.positive == 0 and _positives(same) == 3 and same.notes == []


def test_one_text_or_boolean_class_and_another_positive_class(tmp_path):
    text = summarise(_labels(tmp_path, ["no", "no"]), label="y", score="s", positive="yes")
    assert text.positive == "yes" and _positives(text) == 0 and text.notes
    bools = summarise(_labels(tmp_path, [False, False]), label="y", score="s", positive="true")
    assert bools.positive is True and _positives(bools) == 0
    ones = summarise(_labels(tmp_path, [False, False]), label="y", score="s", positive="1")
    assert ones.positive is True and _positives(ones) == 0


@pytest.mark.parametrize("given", ["false", "FALSE", "0"])
def test_an_all_true_label_and_the_false_class_as_positive(tmp_path, given):
    summary = summarise(_labels(tmp_path, [True, True, True]), label="y", score="s", positive=given)
    assert summary.positive is False and _positives(summary) == 0
    assert summary.notes == ["every labelled row is True, so no row is positive"]


def test_one_numeric_class_keeps_the_columns_number_type(tmp_path):
    # _as_type_of: the positive class given as text becomes a value of the label's own type.
    ints = summarise(_labels(tmp_path, [0, 0]), label="y", score="s", positive="1")
    assert ints.positive == 1 and type(ints.positive) is int
    floats = summarise(_labels(tmp_path, [0.0, 0.0]), label="y", score="s", positive="1")
    assert floats.positive == 1.0 and type(floats.positive) is float
    half = summarise(_labels(tmp_path, [0, 0]), label="y", score="s", positive="0.5")
    assert half.positive == 0.5 and _positives(half) == 0


def test_the_minority_class_is_positive_even_when_it_sorts_first(tmp_path):
    # core.target's rule: no class named like an outcome, so the rarer one; here "a" (1 of 4).
    summary = summarise(_labels(tmp_path, ["b", "a", "b", "b"]), label="y", score="s")
    assert summary.positive == "a" and _positives(summary) == 1
    floats = summarise(_labels(tmp_path, [0.0, 0.0]), label="y", score="s", positive="1.5")
    assert floats.positive == 1.5 and _positives(floats) == 0
    with pytest.raises(DataError, match="is not a value of 'y'"):
        summarise(_labels(tmp_path, [False, False]), label="y", score="s", positive="maybe")
    with pytest.raises(DataError, match="is not a value of 'y'"):
        summarise(_labels(tmp_path, [0, 0]), label="y", score="s", positive="high")


def test_a_label_of_dates_has_no_positive_by_conversion(tmp_path):
    import datetime

    table = pa.table({"s": [0.1, 0.2], "y": [datetime.date(2024, 1, 1)] * 2})
    with pytest.raises(DataError, match="is not a value of 'y'"):
        summarise(write(tmp_path, table), label="y", score="s", positive="2024-01-02")


def test_three_labels_without_a_positive_class_are_refused(tmp_path):
    with pytest.raises(DataError, match=r"'y' has 3 values \('a', 'b', 'c'\); pass --positive"):
        summarise(_labels(tmp_path, ["c", "a", "b"]), label="y", score="s")


def test_a_label_with_no_values_is_refused(tmp_path):
    path = write(tmp_path, pd.DataFrame({"s": [0.1, 0.2], "y": [math.nan, math.nan]}))
    with pytest.raises(DataError, match="Every value of 'y' is missing"):
        summarise(path, label="y", score="s", positive="1")


def test_more_than_1000_labels_are_refused_even_behind_missing_ones(tmp_path):
    # NaN and NULL are the most frequent label "values" here: they are not labels.
    many = [float(v) for v in range(1001)]
    labels = [math.nan] * 5 + [None] * 4 + many
    path = write(tmp_path, pd.DataFrame({"s": np.linspace(0, 1, len(labels)), "y": labels}))
    with pytest.raises(DataError, match="'y' has more than 1,000 distinct values"):
        summarise(path, label="y", score="s", positive="1")
    fewer = write(tmp_path, pd.DataFrame({"s": np.linspace(0, 1, len(labels) - 1), "y": labels[:-1]}), "f.parquet")
    summary = summarise(fewer, label="y", score="s", positive="1")
    assert summary.rows_read == 1009 and summary.rows_left_out == 9 and _positives(summary) == 1


def test_a_numeric_positive_given_to_the_api(tmp_path):
    path = _labels(tmp_path, ["1", "0", "0"])
    summary = summarise(path, label="y", score="s", positive=1)
    assert summary.positive == "1" and _positives(summary) == 1


# --------------------------------------------------------------------------- the table

def test_the_table_equals_a_direct_count_with_rows_left_out_counted(tmp_path):
    rng = np.random.default_rng(3)
    n = 600
    score = np.round(rng.normal(0.5, 0.3, n), 5)
    score[:6] = [math.nan, math.inf, -math.inf, math.nan, 0.00005, -0.00005]
    label = rng.choice(np.array(["yes", "no", None], dtype=object), n, p=[0.4, 0.5, 0.1])
    label[:3] = "yes"
    amount = np.round(rng.gamma(2.0, 50.0, n), 2)
    amount[::7] = math.nan
    region = rng.choice(np.array(["n", "s", None], dtype=object), n)
    path = write(tmp_path, pd.DataFrame({"p": score, "y": label, "amt": amount, "r": region}))
    summary = summarise(path, label="y", score="p", positive="yes", amount="amt", segment="r", decimals=3)
    expected = direct_cells(list(score), list(label), "yes", 3, list(region), list(amount))
    assert {r[:2] + (r[4],): [r[2], round(r[3] * 1e6)] for r in summary.rows} == expected
    left_out = sum(1 for s, y in zip(score, label) if not math.isfinite(s) or y is None)
    assert summary.rows_read == n and summary.rows_left_out == left_out
    assert summary.notes == [f"left out {left_out:,} of {n:,} rows: no label, or a missing/NaN/infinite score"]
    keys = [(s, y, (g is None, g)) for s, y, _, _, g in summary.rows]
    assert keys == sorted(keys)  # by score, label, segment; a missing segment last
    assert all(type(r[0]) is float and type(r[1]) is int and type(r[2]) is int and type(r[3]) is float
               for r in summary.rows)


def test_rows_missing_only_a_score_or_only_a_label_are_both_left_out(tmp_path):
    path = write(tmp_path, pd.DataFrame({"s": [0.1, math.nan, 0.3, 0.4], "y": [1.0, 1.0, math.nan, 0.0]}))
    summary = summarise(path, label="y", score="s")
    assert summary.rows == [(0.1, 1, 1), (0.4, 0, 1)]
    assert (summary.rows_read, summary.rows_left_out) == (4, 2)


def test_no_row_with_a_finite_score_is_refused(tmp_path):
    path = write(tmp_path, pd.DataFrame({"s": [math.nan, math.inf], "y": [0, 1]}))
    with pytest.raises(DataError, match="No row has both a label and a finite score in 's'"):
        summarise(path, label="y", score="s")


def test_an_input_without_rows_is_refused(tmp_path):
    path = write(tmp_path, pd.DataFrame({"s": pd.Series([], dtype=float), "y": pd.Series([], dtype=int)}))
    with pytest.raises(DataError, match="The input has no rows"):
        summarise(path, label="y", score="s")


def test_an_integer_segment_sorts_as_numbers_with_missing_last(tmp_path):
    path = write(tmp_path, pd.DataFrame({"s": [0.5] * 4, "y": [1] * 4,
                                         "g": pd.array([10, None, 9, 10], dtype="Int64")}))
    summary = summarise(path, label="y", score="s", positive=1, segment="g", decimals=0)
    assert summary.rows == [(1.0, 1, 1, 9), (1.0, 1, 2, 10), (1.0, 1, 1, None)]


def test_summarise_rejects_an_unknown_engine_before_reading(tmp_path):
    with pytest.raises(DataError, match="--engine must be one of duckdb, spark, got 'pandas'"):
        summarise(str(tmp_path / "nothere.parquet"), label="y", score="s", engine="pandas")


def test_the_sql_returned_is_the_query_run(tmp_path, small):
    summary = summarise(small, label="y", score="s", amount="a", decimals=2)
    con = duckdb.connect()
    con.execute(f"CREATE VIEW cutoff_summarise_input AS SELECT * FROM read_parquet('{small}')")
    assert con.execute(summary.sql).fetchall() == summary.rows
    assert summary.sql == summary_sql("cutoff_summarise_input", label="y", score="s", positive=1, amount="a",
                                      decimals=2, finite=finite_duckdb)


# --------------------------------------------------------------------------- Arrow, CSV and Parquet out

def test_arrow_types_of_the_table():
    summary = Summary(["s", "y", "count", "a", "g"], [(0.5, 1, 3, 2.0, None), (0.7, 0, 1, 5.0, None)], 1, 4, 0,
                      "", has_amount=True)
    table = summary.to_arrow()
    assert table.schema.names == ["s", "y", "count", "a", "g"]
    assert table.schema.types == [pa.float64(), pa.int64(), pa.int64(), pa.float64(), pa.string()]
    assert table.column("count").to_pylist() == [3, 1] and table.column("g").to_pylist() == [None, None]
    frame = summary.to_pandas()
    assert list(frame["s"]) == [0.5, 0.7] and list(frame["y"]) == [1, 0]


def test_an_empty_table_keeps_its_columns_and_types():
    for columns, has_amount, types in [
        (["s", "y", "count"], False, [pa.float64(), pa.int64(), pa.int64()]),
        (["s", "y", "count", "a"], True, [pa.float64(), pa.int64(), pa.int64(), pa.float64()]),
        (["s", "y", "count", "g"], False, [pa.float64(), pa.int64(), pa.int64(), pa.string()]),
    ]:
        table = Summary(columns, [], 1, 0, 0, "", has_amount=has_amount).to_arrow()
        assert table.num_rows == 0 and table.schema.names == columns and table.schema.types == types


def test_an_integer_segment_stays_integer_in_arrow():
    table = Summary(["s", "y", "count", "g"], [(0.5, 1, 3, 7), (0.5, 1, 1, None)], 1, 4, 0, "").to_arrow()
    assert table.schema.types[3] == pa.int64() and table.column("g").to_pylist() == [7, None]


def test_written_file_format_follows_the_name_in_any_case(tmp_path):
    summary = Summary(["s", "y", "count"], [(0.5, 1, 3)], 1, 3, 0, "")
    write_summary(summary, str(tmp_path / "OUT.PARQUET"))
    write_summary(summary, str(tmp_path / "Out.Csv"))
    assert pq.read_table(tmp_path / "OUT.PARQUET").to_pylist() == [{"s": 0.5, "y": 1, "count": 3}]
    assert (tmp_path / "Out.Csv").read_text().splitlines() == ['"s","y","count"', "0.5,1,3"]


def test_writing_into_a_missing_folder_or_another_format_is_refused(tmp_path):
    summary = Summary(["s", "y", "count"], [(0.5, 1, 3)], 1, 3, 0, "")
    with pytest.raises(DataError, match=f"The folder {tmp_path / 'no'} does not exist"):
        write_summary(summary, str(tmp_path / "no" / "out.csv"))
    with pytest.raises(DataError, match=r"--output .*out\.xlsx must end in \.csv or \.parquet"):
        write_summary(summary, str(tmp_path / "out.xlsx"))
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- the command

def test_command_reports_notes_and_the_cells_and_rows_written(tmp_path, capsys):
    path = write(tmp_path, pd.DataFrame({"s": [0.1, 0.12, 0.9, math.nan], "y": ["no", "no", "yes", "no"]}))
    out = tmp_path / "out.csv"
    assert main([path, "--label", "y", "--score", "s", "--decimals", "1", "--output", str(out)]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "note: positive class: 'yes' (label 1); pass --positive to choose the other"
    assert err[1] == "note: left out 1 of 4 rows: no label, or a missing/NaN/infinite score"
    assert err[2].startswith(f"wrote 2 cells (3 rows) to {out} in ") and err[2].endswith(" s")
    assert len(err) == 3
    assert out.read_text().splitlines() == ['"s","y","count"', "0.1,0,2", "0.9,1,1"]


def test_command_default_is_4_decimals_on_duckdb(tmp_path, capsys):
    path = write(tmp_path, pd.DataFrame({"s": [0.123449, 0.12345, 0.5], "y": [1, 0, 1]}))
    assert main([path, "--label", "y", "--score", "s", "--output", str(tmp_path / "o.parquet")]) == 0
    assert pq.read_table(tmp_path / "o.parquet").to_pylist() == [
        {"s": 0.1234, "y": 1, "count": 1}, {"s": 0.1235, "y": 0, "count": 1}, {"s": 0.5, "y": 1, "count": 1}]


def test_command_passes_positive_amount_and_segment_on(tmp_path, capsys):
    path = write(tmp_path, pd.DataFrame({"s": [0.1, 0.1, 0.9], "y": ["a", "b", "c"], "m": [1.5, 2.0, 4.0],
                                         "g": ["x", "x", "z"]}))
    out = tmp_path / "o.parquet"
    assert main([path, "--label", "y", "--score", "s", "--positive", "b", "--amount", "m", "--segment", "g",
                 "--decimals", "0", "--engine", "duckdb", "--output", str(out)]) == 0
    assert pq.read_table(out).to_pylist() == [{"s": 0.0, "y": 0, "count": 1, "m": 1.5, "g": "x"},
                                              {"s": 0.0, "y": 1, "count": 1, "m": 2.0, "g": "x"},
                                              {"s": 1.0, "y": 0, "count": 1, "m": 4.0, "g": "z"}]


class _Terminal:
    """A stream that says it is a terminal (for the progress line)."""

    def __init__(self):
        self.parts: list[str] = []

    def write(self, text):
        self.parts.append(text)
        return len(text)

    def flush(self):
        pass

    def isatty(self):
        return True


def test_command_on_a_terminal_says_what_it_summarises(tmp_path, monkeypatch):
    path = write(tmp_path, pd.DataFrame({"s": [0.1, 0.9], "y": [0, 1]}))
    out, err = _Terminal(), _Terminal()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    assert main([path, "--label", "y", "--score", "s", "--output", str(tmp_path / "o.csv")]) == 0
    lines = "".join(err.parts).split("\n")
    assert lines[0] == f"summarising {path} with duckdb ..."
    assert lines[1] == ""  # the line past the progress bar
    assert lines[2].startswith("note: positive class: 1")


def test_command_not_on_a_terminal_prints_no_progress(tmp_path, capsys):
    path = write(tmp_path, pd.DataFrame({"s": [0.1, 0.9], "y": [0, 1]}))
    assert main([path, "--label", "y", "--score", "s", "--output", str(tmp_path / "o.csv")]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("note: positive class: 1")


@pytest.mark.parametrize("argv, words", [
    (["--label", "y", "--score", "s"], "error: Pass --output OUT.csv or OUT.parquet (or --print-sql for the SQL)."),
    (["--label", "y", "--score", "s", "--master", "local[2]", "--output", "o.csv"],
     "error: --master is a Spark master URL: add --engine spark (DuckDB runs here, embedded)."),
    (["--label", "y", "--score", "s", "--output", "o.txt"], "error: --output o.txt must end in .csv or .parquet."),
    (["--label", "y", "--score", "s", "--decimals", "10", "--output", "o.csv"], "error: --decimals must be a whole"),
])
def test_command_refuses_bad_options_before_reading(capsys, argv, words):
    assert main(["nothere.parquet", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(words) and len(captured.err.splitlines()) == 1 and captured.out == ""


def test_command_error_on_one_line(tmp_path, capsys):
    assert main([str(tmp_path / "no.parquet"), "--label", "y", "--score", "s", "--output", "o.csv"]) == 2
    assert capsys.readouterr().err == (f"error: {tmp_path / 'no.parquet'} does not exist; pass a Parquet file, a "
                                       "folder or glob of Parquet files, or a CSV.\n")


@pytest.mark.parametrize("argv", [
    ["t", "--score", "s", "--print-sql"], ["t", "--label", "y", "--print-sql"], ["--label", "y", "--score", "s"],
    ["t", "--label", "y", "--score", "s", "--engine", "pandas", "--print-sql"],
    ["t", "--label", "y", "--score", "s", "--dialect", "oracle", "--print-sql"],
    ["t", "--label", "y", "--score", "s", "--decimals", "two", "--print-sql"],
])
def test_command_line_usage_errors_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert capsys.readouterr().err.startswith("usage: python -m core.summarise ")


def test_help_names_the_command_and_every_option(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: python -m core.summarise ")
    for option in ("INPUT", "--label", "--positive", "--score", "--amount", "--segment", "--decimals", "--engine",
                   "--master", "--output", "--print-sql", "--dialect", "{duckdb,spark}",
                   "{bigquery,duckdb,spark,standard}"):
        assert option in text, option


# --------------------------------------------------------------------------- --print-sql

def _printed(capsys, *argv: str) -> str:
    assert main(["t", "--label", "y", "--score", "s", *argv, "--print-sql"]) == 0
    out = capsys.readouterr().out
    assert out.endswith(";\n")
    return out.rstrip().removesuffix(";")


@pytest.mark.parametrize("given, frame_labels, expected", [
    (None, [1, 0, 2], [1, 0, 0]),
    ("2", [1, 0, 2], [0, 0, 1]),
    ("-1", [1, -1, 0], [0, 1, 0]),
    ("0.5", [0.5, 1.0, 0.0], [1, 0, 0]),
    ("True", [True, False, True], [1, 0, 1]),
    ("false", [True, False, True], [0, 1, 0]),
    ("'yes'", ["yes", "no", "yes"], [1, 0, 1]),
    ("'it''s'", ["it's", "no", "its"], [1, 0, 0]),
    ("yes", ["yes", "no", "yes"], [1, 0, 1]),
    ("'", ["'", "no", "x"], [1, 0, 0]),
    ("''", ["", "no", "x"], [1, 0, 0]),
    ("'007'", ["007", "7", "x"], [1, 0, 0]),
])
def test_printed_sql_positive_literal_as_a_warehouse_reads_it(capsys, given, frame_labels, expected):
    argv = [] if given is None else ["--positive", given]
    sql = _printed(capsys, "--decimals", "0", *argv)
    frame = pd.DataFrame({"s": [1.0, 2.0, 3.0], "y": frame_labels})
    assert _run(sql, frame) == [(1.0, expected[0], 1), (2.0, expected[1], 1), (3.0, expected[2], 1)]


def test_printed_sql_dialects(capsys):
    standard = _printed(capsys, "--amount", "a", "--segment", "g")
    assert '"s"' in standard and '"a"' in standard and "DECIMAL(38, 0)" in standard and "`" not in standard
    assert standard == summary_sql("t", label="y", score="s", amount="a", segment="g")
    spark = _printed(capsys, "--amount", "a", "--dialect", "spark")
    assert spark == summary_sql("t", label="y", score="s", amount="a", quote=quote_backtick, finite=finite_spark)
    assert "NOT isnan(`s`) AND ABS(`s`) <= 1.7976931348623157E308" in spark and "NOT isnan(`y`)" in spark
    on_duckdb = _printed(capsys, "--amount", "a", "--dialect", "duckdb")
    assert on_duckdb == summary_sql("t", label="y", score="s", amount="a", finite=finite_duckdb)
    assert 'isfinite("s")' in on_duckdb and 'isfinite("y")' in on_duckdb and 'isfinite("a")' in on_duckdb
    bigquery = _printed(capsys, "--amount", "a", "--decimals", "2", "--dialect", "bigquery")
    assert bigquery == summary_sql("t", label="y", score="s", amount="a", decimals=2, quote=quote_backtick,
                                   exact_type="BIGNUMERIC")


def test_printed_sql_runs_on_the_table_named(capsys):
    sql = _printed(capsys, "--decimals", "1", "--amount", "a", "--segment", "g", "--positive", "'p'")
    frame = pd.DataFrame({"s": [0.25, 0.25, 0.9], "y": ["p", "n", "p"], "a": [1.0, 2.0, 3.5], "g": ["x", "x", "y"]})
    assert _run(sql, frame) == [(0.3, 0, 1, 2.0, "x"), (0.3, 1, 1, 1.0, "x"), (0.9, 1, 1, 3.5, "y")]


# A NaN value, not a null: pandas' to_parquet writes NaN as null, pyarrow without from_pandas keeps it.
# DuckDB's Parquet statistics leave NaN out, so it folded ABS(NaN) <= 1.79e308 (and isnan) from them.

def test_a_real_nan_label_is_left_out_not_counted_negative(tmp_path):
    table = pa.table({"s": [0.1, 0.2, 0.3], "y": pa.array([1.0, math.nan, 0.0], from_pandas=False)})
    assert table.column("y").null_count == 0  # a NaN value, not a missing one
    summary = summarise(write(tmp_path, table), label="y", score="s")
    assert summary.rows == [(0.1, 1, 1), (0.3, 0, 1)] and summary.rows_left_out == 1
    assert summary.notes[-1] == "left out 1 of 3 rows: no label, or a missing/NaN/infinite score"


def test_a_real_nan_score_is_left_out_like_a_missing_one(tmp_path):
    score = [0.1, math.nan, 0.3, 0.3, None]
    table = pa.table({"s": pa.array(score, from_pandas=False), "y": [1.0, 1.0, 0.0, 1.0, 0.0]})
    assert table.column("s").null_count == 1
    summary = summarise(write(tmp_path, table), label="y", score="s")
    assert summary.rows == [(0.1, 1, 1), (0.3, 0, 1), (0.3, 1, 1)] and summary.rows_left_out == 2
    assert summary.notes[-1] == "left out 2 of 5 rows: no label, or a missing/NaN/infinite score"


def test_a_real_nan_amount_counts_as_zero_like_a_missing_one(tmp_path):
    table = pa.table({"s": [0.1, 0.1, 0.3, 0.3], "y": [1, 1, 0, 0],
                      "a": pa.array([1.25, math.nan, None, 4.0], from_pandas=False)})
    summary = summarise(write(tmp_path, table), label="y", score="s", amount="a")
    assert summary.rows == [(0.1, 1, 2, 1.25), (0.3, 0, 2, 4.0)] and summary.rows_left_out == 0


def test_real_nan_values_in_a_csv_are_left_out_too(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("s,y,a\n0.1,1,2.5\nnan,1,1\n0.3,nan,1\n0.3,0,nan\ninf,0,1\n")
    summary = summarise(str(path), label="y", score="s", amount="a")
    assert summary.rows == [(0.1, 1, 1, 2.5), (0.3, 0, 1, 0.0)] and summary.rows_left_out == 3


def test_printed_sql_names_its_columns_score_label_and_count(capsys):
    sql = _printed(capsys, "--amount", "a", "--segment", "g")
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT 0.5 AS s, 1 AS y, 2.0 AS a, 'x' AS g")
    assert [d[0] for d in con.execute(sql).description] == ["s", "y", "count", "a", "g"]


def test_a_folder_whose_name_has_an_x_is_a_folder_not_a_pattern(tmp_path):
    folder = tmp_path / "SCORES_X"
    folder.mkdir()
    write(folder, pd.DataFrame({"s": [0.1, 0.2], "y": [1, 0]}), "part-0.parquet")
    write(folder, pd.DataFrame({"s": [0.3], "y": [1]}), "part-1.parquet")
    files = resolve_input(str(folder))
    assert files.kind == "parquet" and len(files.paths) == 2 and files.folder == str(folder)


def test_a_remote_scheme_in_capitals_is_remote():
    with pytest.raises(DataError, match="remote path"):
        resolve_input("S3A://bucket/scores.parquet")


def test_numeric_label_values_are_listed_in_numeric_order(tmp_path):
    with pytest.raises(DataError, match=r"its values are '2', '3', '10'\."):
        summarise(_labels(tmp_path, [10, 2, 3, 10]), label="y", score="s", positive="7")


# --------------------------------------------------------------------------- Spark, on real NaN values

@pytest.mark.spark
@pytest.mark.timeout(900)  # the JVM start counts; slow only on a loaded machine
def test_spark_leaves_real_nan_labels_scores_and_amounts_out_like_duckdb(spark, tmp_path):
    table = pa.table({"s": pa.array([0.1, math.nan, 0.3, 0.3, 0.5, math.inf], from_pandas=False),
                      "y": pa.array([1.0, 1.0, math.nan, 0.0, 1.0, 0.0], from_pandas=False),
                      "a": pa.array([1.25, 1.0, 1.0, math.nan, None, 1.0], from_pandas=False)})
    path = write(tmp_path, table)
    on_spark = summarise(path, label="y", score="s", amount="a", engine="spark", spark=spark)
    assert on_spark.rows == [(0.1, 1, 1, 1.25), (0.3, 0, 1, 0.0), (0.5, 1, 1, 0.0)]
    assert on_spark.rows_left_out == 3
    assert "NOT isnan(`s`)" in on_spark.sql and "NOT isnan(`y`)" in on_spark.sql and "NOT isnan(`a`)" in on_spark.sql
    on_duckdb = summarise(path, label="y", score="s", amount="a")
    assert (on_duckdb.rows, on_duckdb.rows_left_out) == (on_spark.rows, on_spark.rows_left_out)


@pytest.mark.parametrize("given, positives", [("true", [1]), ("True", [1]), ("false", [0]), ("FALSE", [0])])
def test_printed_true_or_false_positive_is_a_boolean_literal_in_sqlite(capsys, given, positives):
    # SQLite holds booleans as 1/0 and compares a 'true' string with neither.
    import sqlite3

    sql = _printed(capsys, "--decimals", "1", "--positive", given)
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE t (s REAL, y INTEGER)")
    con.executemany("INSERT INTO t VALUES (?, ?)", [(0.2, 1), (0.4, 0)])
    rows = con.execute(sql).fetchall()
    assert rows == [(0.2, int(1 in positives), 1), (0.4, int(0 in positives), 1)]


class _SparkOrderRunner:
    """A stand-in runner that quotes like Spark and returns cells out of order (a NULL segment first)."""

    quote = staticmethod(quote_backtick)
    finite = staticmethod(finite_spark)
    Error = RuntimeError

    def __init__(self):
        self.queries: list[str] = []

    def column_kinds(self):
        return {"score": "numeric", "y": "numeric", "seg": "text"}

    def run(self, sql):
        self.queries.append(sql)
        if "GROUP BY `y`" in sql and "FLOOR" not in sql:
            return [(0, 3), (1, 1)]
        return [(0.5, 0, 1, None), (0.5, 0, 1, "b"), (0.5, 0, 1, "a"), (0.5, 1, 1, "a")]

    def close(self):
        pass


def test_a_spark_style_runner_gets_backtick_quoted_sql_and_missing_segments_sort_last():
    from core.summarise import _summarise_with
    runner = _SparkOrderRunner()
    result = _summarise_with(runner, label="y", score="score", positive=None, amount=None, segment="seg",
                             decimals=4)
    cells_sql = runner.queries[-1]
    # Spark reads "score" as a string literal: every column must be quoted with backticks.
    assert "`score`" in cells_sql and "`seg`" in cells_sql and '"score"' not in cells_sql
    assert result.sql == cells_sql
    # Summary.rows: sorted by score, label, segment, a missing segment last, whatever the engine's order.
    assert result.rows == [(0.5, 0, 1, "a"), (0.5, 0, 1, "b"), (0.5, 0, 1, None), (0.5, 1, 1, "a")]


class _Called(Exception):
    pass


def _stub_summarise(seen):
    def stub(source, **kwargs):
        seen.update(kwargs, source=source)
        return Summary(["score", "y", "count"], [(0.5, 1, 2)], 1, 2, 0, "SELECT 1", [])
    return stub


def test_main_passes_spark_and_its_master_url_through(monkeypatch, tmp_path, capsys):
    import core.summarise as module
    seen: dict = {}
    monkeypatch.setattr(module, "summarise", _stub_summarise(seen))
    out = tmp_path / "t.csv"
    assert main(["in.parquet", "--label", "y", "--score", "score", "--output", str(out),
                 "--engine", "spark", "--master", "local[1]"]) == 0
    assert seen["engine"] == "spark" and seen["master"] == "local[1]"
    assert not seen["progress"]  # capsys' streams are not terminals


@pytest.mark.parametrize("stdout_tty, stderr_tty, expected", [(True, False, False), (False, True, False),
                                                               (True, True, True)])
def test_main_shows_progress_only_when_both_streams_are_terminals(monkeypatch, tmp_path, capsys,
                                                                   stdout_tty, stderr_tty, expected):
    import core.summarise as module
    seen: dict = {}
    monkeypatch.setattr(module, "summarise", _stub_summarise(seen))
    monkeypatch.setattr(sys.stdout, "isatty", lambda: stdout_tty)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: stderr_tty)
    assert main(["in.parquet", "--label", "y", "--score", "score", "--output", str(tmp_path / "t.csv")]) == 0
    assert bool(seen["progress"]) is expected
    assert ("summarising in.parquet with duckdb" in capsys.readouterr().err) is expected


def test_main_reports_the_elapsed_time(monkeypatch, tmp_path, capsys):
    import core.summarise as module
    clock = iter([1000.0, 1002.5])
    monkeypatch.setattr(module, "summarise", _stub_summarise({}))
    monkeypatch.setattr(module.time, "perf_counter", lambda: next(clock))
    assert main(["in.parquet", "--label", "y", "--score", "score", "--output", str(tmp_path / "t.csv")]) == 0
    err = capsys.readouterr().err
    assert "wrote 1 cells (2 rows) to " in err and err.rstrip().endswith(" in 2.5 s")


def test_the_sql_header_names_the_positive_class():
    assert "label 1 = 'yes'." in summary_sql("t", label="y", score="s", positive="yes").splitlines()[0]


@pytest.mark.parametrize("signature", [b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"])
def test_a_file_starting_with_any_zip_record_signature_is_not_a_csv(tmp_path, signature):
    path = tmp_path / "export.csv"
    path.write_bytes(signature + b"score,y\n0.5,1\n")  # no zero byte: only the signature tells
    with pytest.raises(DataError, match="neither Parquet nor CSV"):
        _file_kind(str(path))


@pytest.mark.parametrize("progress", [False, True])
def test_duckdb_draws_its_progress_bar_only_when_asked(tmp_path, progress):
    from core.summarise import _DuckDB
    path = tmp_path / "t.csv"
    path.write_text("score,y\n0.5,1\n")
    runner = _DuckDB(resolve_input(str(path)), progress=progress)
    try:
        setting = runner.run("SELECT current_setting('enable_progress_bar')")[0][0]
        printed = runner.run("SELECT current_setting('enable_progress_bar_print')")[0][0]
    finally:
        runner.close()
    assert setting is progress
    if progress:
        assert printed is True


def test_a_truncated_parquet_file_error_gives_duckdbs_reason(tmp_path):
    path = tmp_path / "cut.parquet"
    pd.DataFrame({"s": [0.1, 0.2], "y": [0, 1]}).to_parquet(path)
    path.write_bytes(path.read_bytes()[:30])
    with pytest.raises(duckdb.Error) as direct:
        duckdb.connect().execute(f"SELECT * FROM read_parquet('{path}')").fetchall()
    reason = str(direct.value).strip().splitlines()[0]
    with pytest.raises(DataError) as error:
        summarise(str(path), label="y", score="s")
    assert str(error.value) == f"DuckDB could not read the input: {reason}"


# --------------------------------------------------------------------------- the Spark runner, without a JVM
# A stand-in for pyspark's SparkSession records how the runner sets Spark up, what it reads and what it
# stops; the real Spark tests (-m spark) check the answers. pyspark itself is only imported (its types
# and its exception), which starts no JVM.

class _Recorder:
    """A SparkSession builder, session, reader and frame in one: every call is recorded in ``calls``."""

    def __init__(self, *, fail_start: bool = False, fail_read: bool = False, fields=()):
        self.calls: list[tuple] = []
        self.fail_start, self.fail_read, self.fields = fail_start, fail_read, list(fields)
        self.builder = self
        self.sparkContext = self
        self.read = self
        self.catalog = self
        self.rows: list = []

    def _record(self, *call):
        self.calls.append(call)
        return self

    # the builder
    def appName(self, name):
        return self._record("appName", name)

    def master(self, url):
        return self._record("master", url)

    def config(self, key, value):
        return self._record("config", key, value)

    def getOrCreate(self):
        if self.fail_start:
            raise RuntimeError("Java gateway process exited before sending its port number\nmore detail")
        return self._record("getOrCreate")

    # the session
    def setLogLevel(self, level):
        self._record("setLogLevel", level)

    def parquet(self, *paths):
        return self._reading("parquet", paths)

    def csv(self, paths, **options):
        return self._reading("csv", paths, tuple(sorted(options.items())))

    def _reading(self, *call):
        from pyspark.errors import PySparkException

        self._record(*call)
        if self.fail_read:
            raise PySparkException(message="Path does not exist: file:/nowhere\nat line 2")
        return self

    def sql(self, text):
        return self._record("sql", text)

    def collect(self):
        return self.rows

    def dropTempView(self, name):
        self._record("dropTempView", name)

    def stop(self):
        self._record("stop")

    # the frame
    def createOrReplaceTempView(self, name):
        self._record("createOrReplaceTempView", name)

    @property
    def schema(self):
        from types import SimpleNamespace

        return SimpleNamespace(fields=[SimpleNamespace(name=n, dataType=t) for n, t in self.fields])


@pytest.fixture
def stand_in_spark(monkeypatch):
    """Replaces pyspark's SparkSession with a recorder; yields a function making a fresh one."""
    pyspark_sql = pytest.importorskip("pyspark.sql")
    made = []

    def make(**kwargs) -> _Recorder:
        recorder = _Recorder(**kwargs)
        monkeypatch.setattr(pyspark_sql, "SparkSession", recorder)
        made.append(recorder)
        return recorder

    return make


def _parquet_files(*paths, folder=None) -> InputFiles:
    return InputFiles(kind="parquet", paths=list(paths), folder=folder)


def _setup_calls(recorder: _Recorder) -> list[tuple]:
    return [c for c in recorder.calls if c[0] in ("appName", "master", "config", "getOrCreate", "setLogLevel")]


@pytest.mark.parametrize("master", [None, "local[2]"])
def test_a_local_spark_is_started_small_quiet_and_without_its_web_ui(stand_in_spark, master):
    from core.summarise import _VIEW, _Spark

    spark = stand_in_spark()
    runner = _Spark(_parquet_files("/data/scores.parquet"), master=master, spark=None, progress=False)
    assert _setup_calls(spark) == (
        [("appName", "cutoff-summarise")] + ([("master", master)] if master else [])
        + [("config", "spark.ui.showConsoleProgress", "false"),
           ("config", "spark.sql.shuffle.partitions", "4"), ("config", "spark.ui.enabled", "false"),
           ("getOrCreate",), ("setLogLevel", "ERROR")])
    assert ("parquet", ("/data/scores.parquet",)) in spark.calls
    assert ("createOrReplaceTempView", _VIEW) in spark.calls
    assert runner.spark is spark and runner.frame is spark and runner.owned
    runner.close()  # the runner started this session, so it stops it
    assert spark.calls[-2:] == [("dropTempView", _VIEW), ("stop",)]


def test_a_cluster_spark_keeps_the_clusters_own_settings_and_shows_progress(stand_in_spark):
    from core.summarise import _Spark

    spark = stand_in_spark()
    _Spark(_parquet_files("/data/a.parquet"), master="spark://head:7077", spark=None, progress=True)
    assert _setup_calls(spark) == [("appName", "cutoff-summarise"), ("master", "spark://head:7077"),
                                   ("config", "spark.ui.showConsoleProgress", "true"),
                                   ("getOrCreate",), ("setLogLevel", "ERROR")]


def test_summarise_starts_spark_on_the_master_it_is_given(stand_in_spark, tmp_path):
    spark = stand_in_spark(fail_read=True)
    path = write(tmp_path, pd.DataFrame({"s": [0.1, 0.9], "y": [0, 1]}))
    with pytest.raises(DataError, match="^Spark could not read the input: Path does not exist: file:/nowhere$"):
        summarise(path, label="y", score="s", engine="spark", master="yarn")
    assert ("master", "yarn") in spark.calls
    assert ("config", "spark.sql.shuffle.partitions", "4") not in spark.calls


def test_a_spark_that_does_not_start_is_a_data_error_naming_java(stand_in_spark):
    from core.summarise import _Spark

    stand_in_spark(fail_start=True)
    with pytest.raises(DataError) as raised:
        _Spark(_parquet_files("/data/a.parquet"), master=None, spark=None, progress=False)
    assert str(raised.value) == ("Spark did not start (Java gateway process exited before sending its port "
                                 "number); --engine spark needs a Java 17+ runtime (apt-get install "
                                 "default-jre-headless).")


def test_a_session_given_is_used_as_it_is_and_not_stopped(stand_in_spark):
    from core.summarise import _VIEW, _Spark

    builder = stand_in_spark()  # must not be touched
    given = _Recorder()
    runner = _Spark(_parquet_files("/data/a.parquet"), master="local[1]", spark=given, progress=True)
    assert builder.calls == [] and _setup_calls(given) == [] and not runner.owned
    runner.close()
    assert given.calls[-1] == ("dropTempView", _VIEW)
    assert ("stop",) not in given.calls


def test_a_folder_is_read_whole_and_files_are_read_together(stand_in_spark):
    from core.summarise import _Spark

    session = _Recorder()
    _Spark(_parquet_files("/d/day=1/a.parquet", "/d/day=2/b.parquet", folder="/d"), master=None,
           spark=session, progress=False)
    _Spark(_parquet_files("/x/a.parquet", "/x/b.parquet"), master=None, spark=session, progress=False)
    _Spark(InputFiles(kind="csv", paths=["/c/a.csv", "/c/b.csv"]), master=None, spark=session, progress=False)
    reads = [c for c in session.calls if c[0] in ("parquet", "csv")]
    assert reads == [("parquet", ("/d",)), ("parquet", ("/x/a.parquet", "/x/b.parquet")),
                     ("csv", ["/c/a.csv", "/c/b.csv"], (("header", True), ("inferSchema", True)))]


def test_the_spark_engine_reads_a_remote_path_with_the_session_given():
    pytest.importorskip("pyspark")
    session = _Recorder(fail_read=True)
    with pytest.raises(DataError, match="^Spark could not read the input: Path does not exist: file:/nowhere$"):
        summarise("s3a://bucket/scores.parquet", label="y", score="s", engine="spark", spark=session)
    assert [c for c in session.calls if c[0] == "parquet"] == [("parquet", ("s3a://bucket/scores.parquet",))]
    assert ("stop",) not in session.calls  # the caller's session


def test_spark_failing_to_read_is_a_data_error_with_its_first_line(stand_in_spark):
    from core.summarise import _Spark

    session = _Recorder(fail_read=True)
    with pytest.raises(DataError) as raised:
        _Spark(_parquet_files("/nowhere.parquet"), master=None, spark=session, progress=False)
    assert str(raised.value) == "Spark could not read the input: Path does not exist: file:/nowhere"


def test_the_spark_runner_returns_rows_as_tuples_and_names_column_kinds():
    pytest.importorskip("pyspark")
    from pyspark.sql import Row, types

    from core.summarise import _Spark

    fields = [("s", types.DoubleType()), ("n", types.IntegerType()), ("d", types.DecimalType(10, 2)),
              ("y", types.BooleanType()), ("t", types.StringType()), ("when", types.DateType())]
    session = _Recorder(fields=fields)
    runner = _Spark(_parquet_files("/a.parquet"), master=None, spark=session, progress=False)
    session.rows = [Row(s=0.5, n=2), [0.25, 3]]
    assert runner.run("SELECT 1") == [(0.5, 2), (0.25, 3)]
    assert all(type(row) is tuple for row in runner.run("SELECT 1"))
    assert ("sql", "SELECT 1") in session.calls
    assert runner.column_kinds() == {"s": "numeric", "n": "numeric", "d": "numeric", "y": "bool",
                                     "t": "text", "when": "date"}


def test_a_spark_started_for_an_input_it_cannot_read_is_stopped(stand_in_spark):
    from core.summarise import _Spark

    spark = stand_in_spark(fail_read=True)
    with pytest.raises(DataError, match="^Spark could not read the input"):
        _Spark(_parquet_files("/nowhere.parquet"), master=None, spark=None, progress=False)
    assert spark.calls[-1] == ("stop",)  # no JVM left running behind the error
    given = _Recorder(fail_read=True)
    with pytest.raises(DataError):
        _Spark(_parquet_files("/nowhere.parquet"), master=None, spark=given, progress=False)
    assert ("stop",) not in given.calls  # a session the caller gave stays theirs


def test_without_pyspark_the_spark_engine_says_what_to_install(monkeypatch):
    from core.summarise import _Spark

    monkeypatch.setitem(sys.modules, "pyspark.sql", None)  # "import pyspark.sql" raises ImportError
    with pytest.raises(DataError) as raised:
        _Spark(_parquet_files("/a.parquet"), master=None, spark=None, progress=False)
    assert str(raised.value) == ("--engine spark needs PySpark: pip install -r requirements-spark.txt "
                                 "(and a Java 17+ runtime).")


def test_only_pysparks_future_warning_on_import_is_hidden(monkeypatch):
    # Some PySpark versions warn about a newer pandas when imported: that FutureWarning is hidden,
    # any other warning is not (and the warning filter must not break the import itself).
    import types
    import warnings

    pytest.importorskip("pyspark")
    from core.summarise import _Spark

    recorder = _Recorder()

    class WarningModule(types.ModuleType):
        def __getattr__(self, name):
            if name != "SparkSession":
                raise AttributeError(name)
            warnings.warn("pandas >= 3 is not supported", FutureWarning)
            warnings.warn("this API is deprecated", DeprecationWarning)
            return recorder

    monkeypatch.setitem(sys.modules, "pyspark.sql", WarningModule("pyspark.sql"))
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        _Spark(_parquet_files("/a.parquet"), master=None, spark=None, progress=False)
    assert [w.category for w in shown] == [DeprecationWarning]
    assert ("getOrCreate",) in recorder.calls
