"""Wide tables on the Data page's path: an upload of thousands of numeric columns to its data contract.

Issue 13 asks for tables up to at least 10,000 columns to load. This times, for a generated
500-row table of N numeric columns (3 decimals) and a 0/1 target, every core step the Data page
runs on an upload: reading the CSV bytes (core.read.read_table), the Target column's options
(core.setup.target_options), the default setup (core.setup.default_setup, which builds the data
contract: core.contract.describe_data over every column). Wall time and this process's CPU
time (all threads) are printed per step, for 2,000 and 10,000 columns; on a shared machine the
CPU time is the steadier figure.

    python benchmarks/bench_wide.py                 # 2,000 and 10,000 columns
    python benchmarks/bench_wide.py --columns 20000 --rows 200
    python benchmarks/bench_wide.py --smoke         # tiny sizes (the test suite's smoke run)
"""

from __future__ import annotations

import argparse
import time

from _common import SMOKE_HELP, fmt_seconds

import numpy as np
import pandas as pd

from core import setup as core_setup
from core.read import read_table


def make_csv(rows: int, columns: int, seed: int = 0) -> bytes:
    """``columns`` normal features rounded to 3 decimals, then a 0/1 ``target``."""
    rng = np.random.default_rng(seed)
    table = pd.DataFrame(rng.normal(size=(rows, columns)).round(3),
                         columns=[f"gene_{i:05d}" for i in range(columns)])
    table["target"] = rng.integers(0, 2, rows)
    return table.to_csv(index=False).encode()


def _timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def run(rows: int, columns: int) -> float:
    """Time each step for one table; returns the total wall time."""
    raw = make_csv(rows, columns)
    steps = []
    df, *t = _timed(lambda: read_table(raw, "wide.csv"))
    steps.append(("read_table", *t))
    options, *t = _timed(lambda: core_setup.target_options(df))
    steps.append(("target_options", *t))
    chosen, *t = _timed(lambda: core_setup.default_setup(df, options=options))
    steps.append(("default_setup (describe_data)", *t))
    assert chosen.target == "target" and len(chosen.report.features) == columns, chosen
    total_wall = sum(s[1] for s in steps)
    total_cpu = sum(s[2] for s in steps)
    label = f"{rows:,} rows x {columns:,} columns ({len(raw) / 2**20:,.1f} MB)"
    print(label)
    for name, wall, cpu in steps:
        print(f"  {name:<34} wall {fmt_seconds(wall):>10}   cpu {fmt_seconds(cpu):>10}")
    print(f"  {'load + contract':<34} wall {fmt_seconds(total_wall):>10}   cpu {fmt_seconds(total_cpu):>10}")
    return total_wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--columns", type=int, nargs="+", default=[2_000, 10_000])
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    args = parser.parse_args()
    if args.smoke:
        args.rows, args.columns = 60, [40, 300]
    for columns in args.columns:
        run(args.rows, columns)


if __name__ == "__main__":
    main()
