"""core.summarise: DuckDB, Spark, a pandas reference and the printed SQL give one table.

The Spark tests share one local[2] session for the module (starting a JVM costs seconds);
they skip only where no Java runtime exists, and fail instead on CI, which installs one.
"""

from __future__ import annotations

import math
import os
import sqlite3
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import DataError
from core.summarise import main, summarise, write_summary
from core.thresholds import threshold_sweep

ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- data and reference

def scored_rows(n: int = 4000, seed: int = 0) -> pd.DataFrame:
    """Scores with ties on and between grid points (x.xxxx5), negatives, NaN, infinities,
    missing labels, missing segments and amounts."""
    rng = np.random.default_rng(seed)
    score = rng.random(n)
    score[: n // 4] = np.round(score[: n // 4], 4)  # on the grid
    score[n // 4: n // 2] = np.floor(score[n // 4: n // 2] * 1e4) / 1e4 + 0.00005  # ties
    score[n // 2: n // 2 + 200] *= -1  # negative scores (margins, logits)
    score[n // 2 + 200: n // 2 + 210] = -0.00005
    score[5:8] = np.nan
    score[8] = np.inf
    score[9] = -np.inf
    label = (rng.random(n) < np.clip(score, 0, 1)).astype(float)
    label[10:14] = np.nan
    amount = np.round(rng.gamma(2.0, 80.0, n), 2)
    amount[20:40] = np.nan
    segment = rng.choice(np.array(["north", "south", "east"], dtype=object), n)
    segment[rng.random(n) < 0.1] = None
    return pd.DataFrame({"score": score, "label": pd.array(label, dtype="Int64"), "amount": amount,
                         "region": segment})


def reference(df: pd.DataFrame, *, label: str, score: str, positive, amount=None, segment=None,
              decimals: int = 4) -> pd.DataFrame:
    """The summary computed with pandas from the documented rule, independently of any SQL."""
    x = df[score].astype(float).to_numpy()
    keep = np.isfinite(x) & df[label].notna().to_numpy()
    step = 10.0 ** decimals
    cells = pd.DataFrame({score: np.floor(x[keep] * step + 0.5) / step,
                          label: (df[label][keep] == positive).astype("int64").to_numpy()})
    keys = [score, label]
    if amount is not None:
        a = df[amount].astype(float).to_numpy()[keep]
        cells[amount] = np.where(np.isfinite(a), np.floor(a * 1e6 + 0.5), 0.0)
    if segment is not None:
        cells[segment] = df[segment].to_numpy(dtype=object)[keep]
        keys.append(segment)
    grouped = cells.groupby(keys, dropna=False, sort=False)
    out = grouped.size().rename("count").reset_index()
    if amount is not None:
        out.insert(3, amount, grouped[amount].sum().to_numpy() / 1e6)
    out = out[[score, label, "count"] + ([amount] if amount else []) + ([segment] if segment else [])]
    return sort_cells(out, score, label, segment)


def sort_cells(frame: pd.DataFrame, score: str, label: str, segment: str | None) -> pd.DataFrame:
    keys = [score, label] + ([segment] if segment else [])
    return frame.sort_values(keys, na_position="last", kind="stable").reset_index(drop=True)


def as_frame(summary) -> pd.DataFrame:
    frame = pd.DataFrame(summary.rows, columns=summary.columns)
    return frame.astype({summary.columns[0]: "float64", summary.columns[1]: "int64", "count": "int64"})


def assert_same_cells(ours: pd.DataFrame, expected: pd.DataFrame) -> None:
    ours = ours.copy()
    expected = expected.copy()
    for frame in (ours, expected):  # one spelling of a missing segment
        for column in frame.columns[frame.dtypes == object]:
            frame[column] = frame[column].map(lambda v: None if v is None or v is pd.NA or
                                              (isinstance(v, float) and math.isnan(v)) else v)
    pd.testing.assert_frame_equal(ours, expected, check_exact=True, check_dtype=False)


@pytest.fixture(scope="module")
def rows_parquet(tmp_path_factory) -> tuple[pd.DataFrame, Path]:
    df = scored_rows()
    path = tmp_path_factory.mktemp("summarise") / "scored.parquet"
    df.to_parquet(path, index=False)
    return df, path


FULL = dict(label="label", score="score", amount="amount", segment="region")


# --------------------------------------------------------------------------- DuckDB

def test_duckdb_equals_pandas_reference_with_ties_missing_segments_and_amounts(rows_parquet):
    df, path = rows_parquet
    summary = summarise(str(path), positive="1", **FULL)
    assert_same_cells(as_frame(summary), reference(df, positive=1, **FULL))
    kept = np.isfinite(df["score"]) & df["label"].notna()
    assert sum(r[2] for r in summary.rows) == kept.sum()
    assert summary.rows_read == len(df) and summary.rows_left_out == (~kept).sum()
    assert any(r[-1] is None for r in summary.rows)  # missing segments are a group of their own


def test_rounding_is_half_up_on_exact_binary_ties(tmp_path):
    # 0.25, 0.75 and their negatives are exact doubles sitting on ties at 1 decimal.
    df = pd.DataFrame({"s": [0.25, -0.25, 0.75, -0.75, 0.05, 0.0, -0.0], "y": [1, 0, 1, 0, 1, 0, 1]})
    df.to_parquet(tmp_path / "ties.parquet")
    summary = summarise(str(tmp_path / "ties.parquet"), label="y", score="s", decimals=1)
    cells = {(s, y): n for s, y, n in summary.rows}
    assert cells == {(0.3, 1): 1, (-0.2, 0): 1, (0.8, 1): 1, (-0.7, 0): 1, (0.1, 1): 1, (0.0, 0): 1, (0.0, 1): 1}
    assert all(math.copysign(1, s) == 1 for s, _, _ in summary.rows if s == 0)  # no "-0.0" cell


@pytest.mark.parametrize("decimals", [0, 2, 4, 6])
def test_decimals_set_the_grid(rows_parquet, decimals):
    df, path = rows_parquet
    summary = summarise(str(path), label="label", score="score", positive=1, decimals=decimals)
    assert_same_cells(as_frame(summary), reference(df, label="label", score="score", positive=1,
                                                   decimals=decimals))


def test_folder_glob_csv_and_parquet_inputs_give_one_table(rows_parquet, tmp_path):
    df, path = rows_parquet
    expected = as_frame(summarise(str(path), positive=1, **FULL))
    folder = tmp_path / "parts"
    (folder / "day=1").mkdir(parents=True)
    (folder / "day=2").mkdir()
    df.iloc[:1500].to_parquet(folder / "day=1" / "part-0.parquet")
    df.iloc[1500:].to_parquet(folder / "day=2" / "part-0.parquet")
    (folder / "_SUCCESS").write_text("")
    for source in (folder, f"{folder}/*/*.parquet"):
        assert_same_cells(as_frame(summarise(str(source), positive=1, **FULL)), expected)
    csv = tmp_path / "scored.csv"
    df.to_csv(csv, index=False)
    assert_same_cells(as_frame(summarise(str(csv), positive=1, **FULL)), expected)


def test_text_labels_pick_the_positive_class_like_the_data_page(tmp_path):
    df = pd.DataFrame({"p": [0.1, 0.9, 0.8, 0.3, 0.2], "outcome": ["no", "yes", "yes", "no", "no"]})
    df.to_parquet(tmp_path / "t.parquet")
    summary = summarise(str(tmp_path / "t.parquet"), label="outcome", score="p")
    assert summary.positive == "yes"
    assert {(s, y) for s, y, _ in summary.rows} == {(0.1, 0), (0.9, 1), (0.8, 1), (0.3, 0), (0.2, 0)}
    other = summarise(str(tmp_path / "t.parquet"), label="outcome", score="p", positive="no")
    assert sorted(y for _, y, _ in other.rows) == [0, 0, 1, 1, 1]


def test_a_nan_label_is_no_outcome_not_a_negative(tmp_path):
    df = pd.DataFrame({"p": [0.1, 0.2, 0.3, 0.4], "y": [1.0, np.nan, 0.0, np.nan]})
    df.to_parquet(tmp_path / "t.parquet")
    summary = summarise(str(tmp_path / "t.parquet"), label="y", score="p")
    assert summary.rows == [(0.1, 1, 1), (0.3, 0, 1)]
    assert summary.rows_left_out == 2


def test_one_vs_rest_with_positive_given(tmp_path):
    df = pd.DataFrame({"p": [0.1, 0.5, 0.9, 0.5], "cls": ["a", "b", "c", "b"]})
    df.to_parquet(tmp_path / "t.parquet")
    summary = summarise(str(tmp_path / "t.parquet"), label="cls", score="p", positive="b")
    assert summary.rows == [(0.1, 0, 1), (0.5, 1, 2), (0.9, 0, 1)]


def test_progress_on_a_terminal_does_not_change_the_table(rows_parquet):
    _, path = rows_parquet
    quiet = summarise(str(path), positive=1, **FULL)
    assert summarise(str(path), positive=1, progress=True, **FULL).rows == quiet.rows


def test_written_csv_and_parquet_read_back_as_the_table(rows_parquet, tmp_path):
    _, path = rows_parquet
    summary = summarise(str(path), positive=1, **FULL)
    expected = as_frame(summary)
    write_summary(summary, str(tmp_path / "out.parquet"))
    write_summary(summary, str(tmp_path / "out.csv"))
    assert_same_cells(pd.read_parquet(tmp_path / "out.parquet"), expected)
    from_csv = pd.read_csv(tmp_path / "out.csv", keep_default_na=False, na_values=[""])
    assert_same_cells(from_csv.astype({"region": object}).where(from_csv.notna(), None), expected)


# --------------------------------------------------------------------------- the count table is exact

def _point(sweep, t):
    p = sweep.at(t)
    return np.array([p.tp, p.fp, p.tn, p.fn, p.tp_amount, p.fp_amount, p.tn_amount, p.fn_amount], dtype=float)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 300), grid=st.integers(3, 40), decimals=st.integers(1, 3), seed=st.integers(0, 10**6))
def test_count_table_gives_the_raw_rows_metrics_at_grid_thresholds(n, grid, decimals, seed):
    rng = np.random.default_rng(seed)
    step = 10 ** decimals
    # Raw scores already on the grid (k / 10^d, with many repeats), so each row keeps its score.
    score = rng.integers(-grid, grid, n) / step
    y = rng.integers(0, 2, n)
    amount = np.round(rng.random(n) * 500, 2)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "rows.parquet")
        pd.DataFrame({"s": score, "y": y, "a": amount}).to_parquet(path)
        table = as_frame(summarise(path, label="y", score="s", amount="a", positive=1, decimals=decimals))
    raw = threshold_sweep(y, score, amounts=amount)
    counted = threshold_sweep(table["y"], table["s"], sample_weight=table["count"], amounts=table["a"])
    for t in np.arange(-grid - 1, grid + 2) / step:
        np.testing.assert_allclose(_point(counted, t), _point(raw, t), rtol=1e-9, atol=1e-6)
        p, q = counted.at(t), raw.at(t)
        for metric in ("precision", "recall", "fpr", "f1", "accuracy", "mcc"):
            assert getattr(p, metric) == pytest.approx(getattr(q, metric), abs=1e-12)


@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 400), seed=st.integers(0, 10**6))
def test_off_grid_scores_are_off_by_at_most_the_cases_in_one_cell(n, seed):
    rng = np.random.default_rng(seed)
    score, y = rng.random(n), rng.integers(0, 2, n)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "rows.parquet")
        pd.DataFrame({"s": score, "y": y}).to_parquet(path)
        table = as_frame(summarise(path, label="y", score="s", positive=1, decimals=2))
    raw = threshold_sweep(y, score)
    counted = threshold_sweep(table["y"], table["s"], sample_weight=table["count"])
    for k in range(0, 101):
        t = k / 100
        in_cell = table[table["s"] == t]
        cell_pos = in_cell.loc[in_cell["y"] == 1, "count"].sum()
        cell_neg = in_cell.loc[in_cell["y"] == 0, "count"].sum()
        # The cell at t holds the raw scores just below t that round up to it: flagged by the
        # table, not by the raw rows. Nothing else differs.
        assert 0 <= counted.at(t).tp - raw.at(t).tp <= cell_pos
        assert 0 <= counted.at(t).fp - raw.at(t).fp <= cell_neg


# --------------------------------------------------------------------------- --print-sql

def _printed_sql(capsys, *args: str) -> str:
    assert main(["scored", *args, "--print-sql"]) == 0
    return capsys.readouterr().out


def _drop_left_out(rows: list[tuple]) -> list[tuple]:
    return [r for r in rows if r[0] is not None and r[1] is not None]


def _canonical(rows, columns, segment) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns).astype({columns[0]: float, columns[1]: "int64", "count": "int64"})
    return sort_cells(frame, columns[0], columns[1], segment)


def test_printed_sql_runs_in_duckdb_and_sqlite_and_gives_the_engines_table(rows_parquet, capsys):
    df, path = rows_parquet
    expected = as_frame(summarise(str(path), positive=1, **FULL))
    sql = _printed_sql(capsys, "--label", "label", "--score", "score", "--amount", "amount",
                       "--segment", "region", "--positive", "1")
    columns = list(expected.columns)
    con = duckdb.connect()
    con.register("scored_frame", df)
    con.execute("CREATE TABLE scored AS SELECT * FROM scored_frame")
    in_duckdb = _canonical(_drop_left_out(con.execute(sql).fetchall()), columns, "region")
    assert_same_cells(in_duckdb, expected)
    lite = sqlite3.connect(":memory:")
    # SQLite has no NaN or infinity: its NULLs are what a warehouse would hold for them.
    df.assign(score=df["score"].where(np.isfinite(df["score"]))).to_sql("scored", lite, index=False)
    in_sqlite = _canonical(_drop_left_out(lite.execute(sql).fetchall()), columns, "region")
    assert_same_cells(in_sqlite, expected)


def test_printed_sql_with_a_text_positive_class(tmp_path, capsys):
    df = pd.DataFrame({"p": [0.12345, 0.5, 0.5, 0.99995, -0.00005], "y": ["yes", "no", "yes", "no", "it's"]})
    df.to_parquet(tmp_path / "t.parquet")
    expected = summarise(str(tmp_path / "t.parquet"), label="y", score="p", positive="yes")
    sql = _printed_sql(capsys, "--label", "y", "--score", "p", "--positive", "'yes'")
    lite = sqlite3.connect(":memory:")
    df.to_sql("scored", lite, index=False)
    assert lite.execute(sql).fetchall() == expected.rows
    con = duckdb.connect()
    con.register("scored", df)
    assert con.execute(sql).fetchall() == expected.rows


# --------------------------------------------------------------------------- bad input: one line, exit 2

def _bad(capsys, *argv: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        status = main(list(argv))
    err = capsys.readouterr().err
    assert status == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


@pytest.fixture()
def bad_inputs(tmp_path) -> Path:
    pd.DataFrame({"p": [0.1, 0.9, 0.5], "y": [0, 1, 1], "cls": ["a", "b", "c"], "txt": ["0.1", "n/a", "x"]}
                 ).to_parquet(tmp_path / "ok.parquet")
    pd.DataFrame({"p": pd.Series([], dtype=float), "y": pd.Series([], dtype=int)}).to_parquet(tmp_path / "empty.parquet")
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "header_only.csv").write_text("p,y\n")
    (tmp_path / "text_scores.csv").write_text("p,y\n0.1,0\nn/a,1\nhigh,1\n")
    (tmp_path / "folder").mkdir()
    (tmp_path / "binary.bin").write_bytes(b"PK\x03\x04" + bytes(100))
    return tmp_path


@pytest.mark.parametrize("case, argv, words", [
    ("missing column", ["ok.parquet", "--label", "y", "--score", "prob"], ["--score 'prob'", "'p'"]),
    ("near-miss column name", ["ok.parquet", "--label", "Y", "--score", "p"], ["Did you mean 'y'"]),
    ("label with three values, no --positive", ["ok.parquet", "--label", "cls", "--score", "p"], ["--positive"]),
    ("positive class absent", ["ok.parquet", "--label", "y", "--score", "p", "--positive", "yes"], ["'0', '1'"]),
    ("scores are text (Parquet)", ["ok.parquet", "--label", "y", "--score", "txt"], ["not numbers"]),
    ("scores are text (CSV)", ["text_scores.csv", "--label", "y", "--score", "p"], ["not numbers"]),
    ("empty Parquet", ["empty.parquet", "--label", "y", "--score", "p"], ["no rows"]),
    ("empty CSV file", ["empty.csv", "--label", "y", "--score", "p"], ["empty"]),
    ("CSV with a header only", ["header_only.csv", "--label", "y", "--score", "p"], ["no rows"]),
    ("no such file", ["nothere.parquet", "--label", "y", "--score", "p"], ["does not exist"]),
    ("folder without Parquet", ["folder", "--label", "y", "--score", "p"], ["no .parquet files"]),
    ("glob matching nothing", ["folder/*.parquet", "--label", "y", "--score", "p"], ["No files match"]),
    ("not a table", ["binary.bin", "--label", "y", "--score", "p"], ["neither Parquet nor CSV"]),
    ("same column twice", ["ok.parquet", "--label", "y", "--score", "y"], ["different columns"]),
    ("decimals out of range", ["ok.parquet", "--label", "y", "--score", "p", "--decimals", "12"], ["--decimals"]),
    ("bad output name", ["ok.parquet", "--label", "y", "--score", "p", "--output", "out.xlsx"], [".csv or .parquet"]),
    ("no output", ["ok.parquet", "--label", "y", "--score", "p", "--output", None], ["--output"]),
    ("Spark master without Spark", ["ok.parquet", "--label", "y", "--score", "p", "--master", "local[2]"],
     ["--engine spark"]),
])
def test_bad_input_is_one_line_and_exit_status_2(bad_inputs, capsys, case, argv, words):
    argv = [str(bad_inputs / argv[0])] + argv[1:]
    if "--output" not in argv:
        argv += ["--output", str(bad_inputs / "out.csv")]
    elif argv[-1] is None:
        argv = argv[:-2]
    else:
        argv[-1] = str(bad_inputs / argv[-1])
    line = _bad(capsys, *argv)
    for word in words:
        assert word in line, line
    assert not (bad_inputs / "out.csv").exists()


def test_the_module_runs_as_a_command_and_exits_2_on_bad_input(rows_parquet, tmp_path):
    df, path = rows_parquet
    run = [sys.executable, "-m", "core.summarise", str(path), "--label", "label", "--score", "score",
           "--positive", "1", "--segment", "region", "--output"]
    ok = subprocess.run(run + [str(tmp_path / "out.parquet")], cwd=ROOT, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    left_out = (~np.isfinite(df["score"]) | df["label"].isna()).sum()
    assert "wrote" in ok.stderr and f"left out {left_out} of 4,000 rows" in ok.stderr
    expected = as_frame(summarise(str(path), label="label", score="score", positive=1, segment="region"))
    assert_same_cells(pd.read_parquet(tmp_path / "out.parquet"), expected)
    bad = subprocess.run(run[:3] + ["nope", "--label", "label", "--score", "score", "--output", "o.csv"],
                         cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    helped = subprocess.run([sys.executable, "-m", "core.summarise", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert "between two grid points can be off by the cases in one cell" in " ".join(helped.stdout.split())


def test_api_raises_data_error_for_an_unknown_engine(rows_parquet):
    with pytest.raises(DataError, match="--engine"):
        summarise(str(rows_parquet[1]), label="label", score="score", engine="pandas")


# --------------------------------------------------------------------------- Spark

@pytest.mark.spark
@pytest.mark.timeout(900)  # the JVM start counts; slow only on a loaded machine
def test_spark_equals_duckdb_and_pandas_on_the_same_parquet(spark, rows_parquet):
    df, path = rows_parquet
    on_duckdb = summarise(str(path), positive=1, **FULL)
    on_spark = summarise(str(path), positive=1, engine="spark", spark=spark, **FULL)
    assert on_spark.rows == on_duckdb.rows  # identical, to the last bit of every amount
    assert (on_spark.rows_read, on_spark.rows_left_out) == (on_duckdb.rows_read, on_duckdb.rows_left_out)
    assert_same_cells(as_frame(on_spark), reference(df, positive=1, **FULL))


@pytest.mark.spark
@pytest.mark.timeout(900)  # the JVM start counts; slow only on a loaded machine
def test_spark_reads_a_hive_partitioned_folder_and_picks_the_same_positive_class(spark, rows_parquet, tmp_path):
    df, _ = rows_parquet
    (tmp_path / "day=1").mkdir()
    (tmp_path / "day=2").mkdir()
    df.iloc[:2000].to_parquet(tmp_path / "day=1" / "part-0.parquet")
    df.iloc[2000:].to_parquet(tmp_path / "day=2" / "part-0.parquet")
    options = dict(label="label", score="score", segment="day", decimals=3)  # day: a Hive partition column
    on_spark = summarise(str(tmp_path), engine="spark", spark=spark, **options)
    on_duckdb = summarise(str(tmp_path), **options)
    assert on_spark.positive == on_duckdb.positive == 1
    assert on_spark.rows == on_duckdb.rows
    assert {r[-1] for r in on_duckdb.rows} == {1, 2}


@pytest.mark.spark
@pytest.mark.timeout(900)  # the JVM start counts; slow only on a loaded machine
def test_spark_bad_input_is_a_data_error(spark, tmp_path):
    pd.DataFrame({"p": ["a", "b"], "y": [0, 1]}).to_parquet(tmp_path / "t.parquet")
    with pytest.raises(DataError, match="not numbers"):
        summarise(str(tmp_path / "t.parquet"), label="y", score="p", engine="spark", spark=spark)


def test_bigquery_dialect_quotes_with_backticks_and_sums_in_bignumeric(capsys):
    sql = _printed_sql(capsys, "--label", "y", "--score", "p", "--amount", "amt", "--dialect", "bigquery")
    assert "`p`" in sql and "BIGNUMERIC" in sql and '"' not in sql and "DECIMAL" not in sql


@pytest.mark.spark
@pytest.mark.timeout(900)  # the JVM start counts; slow only on a loaded machine
def test_printed_spark_dialect_runs_in_spark_and_gives_the_engines_table(spark, rows_parquet, capsys):
    df, path = rows_parquet
    expected = as_frame(summarise(str(path), positive=1, **FULL))
    sql = _printed_sql(capsys, "--label", "label", "--score", "score", "--amount", "amount",
                       "--segment", "region", "--positive", "1", "--dialect", "spark")
    spark.read.parquet(str(path)).createOrReplaceTempView("scored")
    rows = [tuple(r) for r in spark.sql(sql.rstrip().rstrip(";")).collect()]
    assert_same_cells(_canonical(_drop_left_out(rows), list(expected.columns), "region"), expected)


@pytest.mark.spark
@pytest.mark.timeout(900)  # the JVM start counts; slow only on a loaded machine
def test_engines_own_round_differ_on_ties_but_the_summary_does_not(spark, tmp_path):
    ties = [0.00015, 2.675, 0.28645, -0.00015, 1.0005, 0.12345]  # doubles just below or above a tie
    pd.DataFrame({"s": ties, "y": [1, 0, 1, 0, 1, 0]}).to_parquet(tmp_path / "ties.parquet")
    query = "SELECT " + ", ".join(f"ROUND(CAST({v!r} AS DOUBLE), 4)" for v in ties)
    duck_round = duckdb.sql(query).fetchall()[0]
    spark_round = tuple(spark.sql(query).collect()[0])
    assert duck_round != spark_round  # why core.summarise does its own rounding
    on_duckdb = summarise(str(tmp_path / "ties.parquet"), label="y", score="s")
    on_spark = summarise(str(tmp_path / "ties.parquet"), label="y", score="s", engine="spark", spark=spark)
    assert on_spark.rows == on_duckdb.rows
    expected = sorted((math.floor(v * 1e4 + 0.5) / 1e4, y) for v, y in zip(ties, [1, 0, 1, 0, 1, 0]))
    assert [(s, y) for s, y, _ in on_duckdb.rows] == expected
