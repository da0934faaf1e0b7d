"""Threshold-sweep speed against scikit-learn, measured in one run.

    python benchmarks/bench_sweep.py            # 100k, 1M and 10M scores
    python benchmarks/bench_sweep.py --quick    # 100k and 1M only
    python benchmarks/bench_sweep.py --smoke    # tiny sizes, seconds (the test suite's run)

For each size it prints medians (of --repeat runs, default 5) of:
* our full ``threshold_sweep`` (every distinct threshold, all metrics and the business cost:
  a ``Sweep`` computes every array when it is built, nothing is deferred) against
  scikit-learn ``precision_recall_curve`` + ``roc_curve`` on the same data, which give fewer
  columns (precision, recall, fpr, tpr) and drop collinear ROC points. The two alternate
  run by run, so a busy machine slows both alike;
* re-costing that sweep under other costs (``Sweep.with_costs``: no sort, one vectorised
  pass over the cumulative sums) against the fresh sweep, same data, same run (target ≤ 2%);
* numpy's ``np.sort`` of the same scores alone, against the same reference: the floor of any
  exact sweep on this CPU;
* at 10M (or the largest size): one ``Sweep.at(t)`` lookup at a random threshold;
* at 100k: the seeded bootstrap, 200 resamples, of the recommended threshold
  (``bootstrap_threshold``) and of bands at 2,000 thresholds (``bootstrap_bands``).

Data: fixed-seed calibrated probabilities (y ~ Bernoulli(p)), 30% positives, scores
rounded to 6 decimals so there are ties as in real model output.
Targets: sweep ≤ 0.15× scikit-learn at 1M; re-costing ≤ 2% of a fresh sweep; ``at(t)`` ≤ 50 µs;
bootstrap ≤ 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Callable

import numpy as np
from _common import SMOKE_HELP, fmt_seconds, median_seconds, print_row
from sklearn.metrics import precision_recall_curve, roc_curve

from core.costs import CostMatrix
from core.thresholds import threshold_sweep
from core.uncertainty import bootstrap_bands, bootstrap_threshold

COSTS = CostMatrix(fp_cost=1, fn_cost=5, tp_value=0.5)


def make_data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    p = np.round(rng.beta(1.2, 2.8, size=n), 6)  # mean 0.3
    y = (rng.random(n) < p).astype(np.int8)
    return y, p


def alternating_medians(
    first: Callable[[], object], second: Callable[[], object], repeat: int
) -> tuple[float, float, float, float]:
    """Median wall and CPU times of ``first()`` and ``second()`` over ``repeat`` runs each,
    taken in turns (after one untimed run of each) so that load on a shared machine hits
    both: ``(wall first, wall second, cpu first, cpu second)``. CPU time (this process's)
    leaves out the time spent waiting for a core, which wall time on a busy machine is mostly."""
    first(), second()
    wall: tuple[list[float], list[float]] = ([], [])
    cpu: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for fn, spent, used in zip((first, second), wall, cpu):
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            spent.append(time.perf_counter() - start)
            used.append(time.process_time() - start_cpu)
    return (*map(statistics.median, wall), *map(statistics.median, cpu))


def bench_lookup(sweep, repeat: int, calls: int = 20_000) -> float:
    """Median seconds per ``at(t)`` call at random thresholds (batches of ``calls``)."""
    thresholds = np.random.default_rng(1).random(calls).tolist()

    def batch() -> None:
        for t in thresholds:
            sweep.at(t)

    return median_seconds(batch, repeat=repeat) / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="skip the 10M size")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per measurement (median)")
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    args = parser.parse_args()
    sizes = [100_000, 1_000_000] if args.quick else [100_000, 1_000_000, 10_000_000]
    boot_rows = 100_000
    if args.smoke:
        sizes, boot_rows, args.repeat = [2_000, 20_000], 2_000, 1

    print(f"Threshold sweep: medians of {args.repeat} runs (ratio = ours / scikit-learn), wall time unless marked CPU")
    print("full sweep = every distinct threshold with all metrics and the business cost")
    sweep = None
    for n in sizes:
        y, p = make_data(n)
        ours, theirs, ours_cpu, theirs_cpu = alternating_medians(
            lambda: threshold_sweep(y, p, costs=COSTS),
            lambda: (precision_recall_curve(y, p), roc_curve(y, p)),
            repeat=args.repeat,
        )
        sweep = threshold_sweep(y, p, costs=COSTS)
        label = f"full sweep, n={n:,} ({len(sweep) - 1:,} thresholds)"
        print_row(label, ours, theirs, ref_label="PR+ROC curves")
        print_row("  same, CPU time", ours_cpu, theirs_cpu, ref_label="PR+ROC curves")
        # The floor of any exact sweep: one sort of the scores. How fast numpy sorts depends on
        # the CPU (its AVX-512 sort is about 5x slower on AMD Zen 4 than on Intel or with AVX2).
        floor = median_seconds(lambda: np.sort(p), repeat=max(args.repeat, 5))
        print_row("  floor: np.sort of the scores alone", floor, theirs, ref_label="PR+ROC curves")
        other = CostMatrix(fp_cost=3, fn_cost=7, tp_value=1, tn_value=0.25)
        recost = median_seconds(lambda: sweep.with_costs(other), repeat=max(args.repeat, 5))
        print_row(f"re-costing that sweep, n={n:,}", recost, ours, ref_label="fresh sweep")

    per_call = bench_lookup(sweep, args.repeat)
    print_row(f"at(t), one lookup, n={sizes[-1]:,}", per_call)
    del sweep

    y, p = make_data(boot_rows, seed=2)
    start = time.perf_counter()
    bootstrap_threshold(y, p, "min_cost", costs=COSTS, n_boot=200)
    first = time.perf_counter() - start
    boot = median_seconds(lambda: bootstrap_threshold(y, p, "min_cost", costs=COSTS, n_boot=200), repeat=args.repeat)
    print_row(f"bootstrap_threshold, 200 x {boot_rows:,} rows", boot)
    grid = np.linspace(0, 1, 2000)
    bands = median_seconds(lambda: bootstrap_bands(y, p, grid, costs=COSTS, n_boot=200), repeat=args.repeat)
    print_row(f"bootstrap_bands, 200 x {boot_rows:,} rows, 2,000 points", bands)
    print(f"(first bootstrap_threshold call, untimed warm-up: {fmt_seconds(first)})")


if __name__ == "__main__":
    main()
