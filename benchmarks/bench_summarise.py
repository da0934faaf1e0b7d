"""Score-count tables from big Parquet: core.summarise on DuckDB and Spark against pandas.

    python benchmarks/bench_summarise.py                        # 10^7 and 10^8 rows
    python benchmarks/bench_summarise.py --rows 2000000,20000000 --spark-max-rows 0
    python benchmarks/bench_summarise.py --smoke

For each size, fixed-seed scored rows (score, 0/1 label, amount, an 8-value segment with 5%
missing) are written as Parquet (row groups of 1M rows, several files), then summarised at 4
decimals with amount and segment:
* DuckDB (``summarise(engine="duckdb")``, the default): wall time and the process's peak RSS;
* pandas on the same file, where it fits (``--pandas-max-rows``, default 10^7): read the
  four columns, apply the same rounding, ``groupby``; time and peak RSS;
* Spark ``local[2]`` (``--spark-max-rows``, default 10^7): time of the summary, and the
  JVM start separately.
Each engine runs in a fresh process that reports its own peak (VmHWM from /proc: the
parent's peak would leak into ``ru_maxrss`` across exec). The tables are checked equal
(DuckDB and Spark cell for cell, pandas cell for cell), or the timings mean nothing.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import SMOKE_HELP, fmt_seconds

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = dict(label="label", score="score", amount="amount", segment="segment")
DECIMALS = 4
SEGMENTS = np.array(["north", "south", "east", "west", "online", "branch", "partner", "other"], dtype=object)


def write_rows(folder: Path, rows: int, seed: int = 0, rows_per_file: int = 10_000_000) -> int:
    """Scored rows as Parquet files in ``folder``; returns the bytes written."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    chunk = 1_000_000
    written, file_index, writer, in_file = 0, 0, None, 0
    while written < rows:
        n = min(chunk, rows - written)
        p = rng.beta(1.2, 4.0, n)  # scores in [0, 1], mean ~0.23, a long right tail
        label = (rng.random(n) < p).astype(np.int8)
        amount = np.round(rng.gamma(2.0, 60.0, n), 2)
        codes = rng.integers(0, len(SEGMENTS), n)
        segment = pa.DictionaryArray.from_arrays(
            pa.array(codes, mask=rng.random(n) < 0.05, type=pa.int32()), pa.array(SEGMENTS.tolist())
        ).cast(pa.string())
        table = pa.table({"score": p, "label": label, "amount": amount, "segment": segment})
        if writer is None:
            writer = pq.ParquetWriter(folder / f"part-{file_index:04d}.parquet", table.schema)
        writer.write_table(table, row_group_size=chunk)
        written += n
        in_file += n
        if in_file >= rows_per_file:
            writer.close()
            writer, in_file, file_index = None, 0, file_index + 1
    if writer is not None:
        writer.close()
    return sum(f.stat().st_size for f in folder.glob("*.parquet"))


# --------------------------------------------------------------------------- one engine per process

def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _pandas_summary(folder: str) -> list[tuple]:
    import pandas as pd

    frame = pd.read_parquet(folder, columns=["score", "label", "amount", "segment"])
    step = 10.0 ** DECIMALS
    finite = np.isfinite(frame["score"].to_numpy())
    cells = pd.DataFrame({
        "score": np.floor(frame["score"].to_numpy()[finite] * step + 0.5) / step,
        "label": (frame["label"].to_numpy()[finite] == 1).astype(np.int64),
        "amount": np.floor(frame["amount"].to_numpy()[finite] * 1e6 + 0.5),
        "segment": frame["segment"].to_numpy(dtype=object)[finite],
    })
    del frame
    grouped = cells.groupby(["score", "label", "segment"], dropna=False, sort=False)["amount"].agg(["size", "sum"])
    return [(s, int(y), int(n), total / 1e6, None if not isinstance(g, str) else g)
            for (s, y, g), n, total in zip(grouped.index, grouped["size"], grouped["sum"])]


def _measure(engine: str, folder: str) -> None:
    """Run one engine here and print JSON: seconds, peak RSS, the table's cells."""
    sys.path.insert(0, str(ROOT))
    import pandas  # noqa: F401  imports are not part of the timing
    from core.summarise import summarise

    started = time.perf_counter()
    extra = {}
    if engine == "pandas":
        rows = _pandas_summary(folder)
    else:
        spark = None
        if engine == "spark":
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                from pyspark.sql import SparkSession

                spark = (SparkSession.builder.master("local[2]").appName("bench-summarise")
                         .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                         .config("spark.sql.shuffle.partitions", "4").config("spark.driver.memory", "2g")
                         .getOrCreate())
            spark.sparkContext.setLogLevel("ERROR")
            extra["start_seconds"] = time.perf_counter() - started
            started = time.perf_counter()
        rows = summarise(folder, positive=1, decimals=DECIMALS, engine=engine, spark=spark, **COLUMNS).rows
        if spark is not None:
            spark.stop()
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "peak_mb": _peak_rss_mb(), "rows": rows, **extra}))


def run_engine(engine: str, folder: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--measure", engine, str(folder)], cwd=ROOT,
                         check=True, capture_output=True, text=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["rows"] = sorted(map(tuple, result["rows"]), key=lambda r: (r[0], r[1], r[4] is None, r[4] or ""))
    return result


def _same_cells(a: list[tuple], b: list[tuple]) -> bool:
    return len(a) == len(b) and all(x[:3] == y[:3] and x[4] == y[4] and math.isclose(x[3], y[3], rel_tol=1e-12)
                                    for x, y in zip(a, b))


# --------------------------------------------------------------------------- the run

def _java_runs() -> bool:
    return shutil.which("java") is not None and subprocess.run(["java", "-version"], capture_output=True).returncode == 0


def bench(rows: int, workdir: Path, *, pandas_max: int, spark_max: int) -> dict:
    folder = workdir / f"rows_{rows}"
    started = time.perf_counter()
    size = write_rows(folder, rows)
    print(f"\n{rows:,} rows in {len(list(folder.glob('*.parquet')))} Parquet file(s), {size / 1e6:,.0f} MB "
          f"(generated in {fmt_seconds(time.perf_counter() - started)})")
    duck = run_engine("duckdb", folder)
    cells = len(duck["rows"])
    print(f"{'DuckDB summarise':<34} {fmt_seconds(duck['seconds']):>10}   peak RSS {duck['peak_mb']:>7,.0f} MB   "
          f"{rows / duck['seconds'] / 1e6:,.1f} M rows/s   {cells:,} cells")
    if rows <= pandas_max:
        ref = run_engine("pandas", folder)
        assert _same_cells(ref["rows"], duck["rows"]), "pandas and DuckDB tables differ"
        print(f"{'pandas read + groupby':<34} {fmt_seconds(ref['seconds']):>10}   peak RSS {ref['peak_mb']:>7,.0f} MB   "
              f"DuckDB/pandas time {duck['seconds'] / ref['seconds']:.2f}x, memory {duck['peak_mb'] / ref['peak_mb']:.2f}x")
    else:
        print(f"{'pandas read + groupby':<34} {'skipped':>10}   (above --pandas-max-rows {pandas_max:,})")
    if rows <= spark_max:
        if _java_runs():
            spark = run_engine("spark", folder)
            assert spark["rows"] == duck["rows"], "Spark and DuckDB tables differ"
            print(f"{'Spark local[2] summarise':<34} {fmt_seconds(spark['seconds']):>10}   "
                  f"(+ {fmt_seconds(spark['start_seconds'])} JVM start; same table as DuckDB)")
        else:
            print(f"{'Spark local[2] summarise':<34} {'skipped':>10}   (no Java runtime: make java)")
    shutil.rmtree(folder)
    return duck


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="10000000,100000000", help="comma-separated sizes")
    parser.add_argument("--pandas-max-rows", type=int, default=10_000_000)
    parser.add_argument("--spark-max-rows", type=int, default=10_000_000)
    parser.add_argument("--dir", help="where to write the Parquet files (default: a temporary folder)")
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    parser.add_argument("--measure", nargs=2, metavar=("ENGINE", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        _measure(*args.measure)
        return
    sizes = [int(s) for s in args.rows.split(",")]
    if args.smoke:
        sizes, args.pandas_max_rows, args.spark_max_rows = [20_000], 20_000, 20_000
    print(f"core.summarise: {DECIMALS} decimals, amount and segment; each engine in a fresh process")
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        peaks = [bench(n, Path(tmp), pandas_max=args.pandas_max_rows, spark_max=args.spark_max_rows)["peak_mb"]
                 for n in sizes]
    if len(sizes) > 1:
        print(f"\nDuckDB peak RSS at {sizes[-1]:,} rows / at {sizes[0]:,} rows: {peaks[-1] / peaks[0]:.2f}x")


if __name__ == "__main__":
    main()
