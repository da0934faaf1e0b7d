"""CSV intake speed and memory: core.data.read_csv against pandas on the same bytes.

A 1,000,000-row x 21-column numeric CSV (~145 MB, like a warehouse export of 20 features and a
0/1 label) is generated with a fixed seed. Times are medians; peak memory is each reader's
process-wide peak RSS (VmHWM) in a fresh subprocess (pyarrow allocates outside Python's heap,
so tracemalloc would miss most of it), with the file's bytes already in memory.

    python benchmarks/bench_read.py            # full size
    python benchmarks/bench_read.py --rows 200000
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import SMOKE_HELP, median_seconds, print_row

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from core.data import read_csv


def make_csv(rows: int, seed: int = 0) -> bytes:
    """20 float features (3-4 decimals, as exports round them) and a 0/1 label, unquoted."""
    rng = np.random.default_rng(seed)
    columns = {f"feature_{i:02d}": np.round(rng.normal(size=rows), 3 + i % 2) for i in range(20)}
    columns["label"] = rng.integers(0, 2, rows)
    buffer = io.BytesIO()
    pa_csv.write_csv(pa.table(columns), buffer,
                     write_options=pa_csv.WriteOptions(quoting_style="none", quoting_header="none"))
    return buffer.getvalue()


READERS = {
    "ours": lambda data: read_csv(data),
    "pandas_pyarrow": lambda data: pd.read_csv(io.BytesIO(data), engine="pyarrow"),
    "pandas_c": lambda data: pd.read_csv(io.BytesIO(data)),
}


def peak_rss_mb(path: Path, reader: str) -> tuple[float, float]:
    """(peak RSS, peak RSS minus the RSS with the bytes loaded) in MB, in a fresh process."""
    out = subprocess.run([sys.executable, __file__, "--measure", reader, str(path)],
                         check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1])


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024  # kB
    raise RuntimeError(f"{field} not in /proc/self/status")


def _measure(reader: str, path: str) -> None:
    # VmHWM (peak RSS) belongs to this process image; getrusage's ru_maxrss would carry the
    # parent's peak across exec. Reset the peak once the bytes are loaded, then read.
    data = Path(path).read_bytes()
    loaded = _status_mb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")
    frame = READERS[reader](data)
    peak = _status_mb("VmHWM")
    assert frame.shape[1] == 21
    print(f"{peak:.0f} {peak - loaded:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--measure", nargs=2, metavar=("READER", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    args = parser.parse_args()
    if args.measure:
        _measure(*args.measure)
        return
    if args.smoke:
        args.rows, args.repeat = 2_000, 1

    data = make_csv(args.rows)
    ours, reference = read_csv(data), pd.read_csv(io.BytesIO(data), engine="pyarrow")
    pd.testing.assert_frame_equal(ours, reference)  # same table, or the timing means nothing
    print(f"read_csv: {args.rows:,} rows x 21 numeric columns, {len(data) / 1e6:.0f} MB "
          f"(medians of {args.repeat})")
    # Interleave the readers (one run each per round) so that all of them see the same load on
    # this shared machine; fresh memory is slow on first touch, hence one warm-up run each.
    runs: dict[str, list[float]] = {name: [] for name in READERS}
    for round_ in range(args.repeat):
        for name, fn in READERS.items():
            runs[name].append(median_seconds(lambda fn=fn: fn(data), repeat=1,
                                             warmup=1 if round_ == 0 else 0))
    times = {name: statistics.median(values) for name, values in runs.items()}
    label = f"core.data.read_csv, {args.rows:,} x 21"
    print_row(label, times["ours"], times["pandas_pyarrow"], ref_label="pandas engine=pyarrow")
    print_row(label, times["ours"], times["pandas_c"], ref_label="pandas C engine")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "wide.csv"
        path.write_bytes(data)
        del data, ours, reference
        for name in READERS:
            peak, extra = peak_rss_mb(path, name)
            print(f"peak memory {name:<16} {peak:>7,.0f} MB process peak RSS "
                  f"({extra:,.0f} MB above the loaded bytes)")


if __name__ == "__main__":
    main()
