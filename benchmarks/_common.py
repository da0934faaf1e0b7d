"""Timing helpers shared by the benchmark scripts: medians of repeated runs, printed as ratios.

Every benchmark takes ``--smoke`` (:data:`SMOKE_HELP`): tests/test_benchmarks.py runs each
``bench_*.py`` that way, so a benchmark that stops running fails the suite.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Callable

# Benchmarks run as scripts (`python benchmarks/bench_x.py`): make `core` importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


SMOKE_HELP = "tiny sizes and one run each: checks that the benchmark still runs (the test suite's smoke run)"


def median_seconds(fn: Callable[[], object], repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` over ``repeat`` runs, after ``warmup`` untimed runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fmt_seconds(seconds: float) -> str:
    """Human-readable duration: µs, ms or s."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def print_row(label: str, ours: float, reference: float | None = None, ref_label: str = "scikit-learn") -> None:
    """One result line: our median, the reference's median and the ratio (ours / reference)."""
    if reference is None:
        print(f"{label:<48} {fmt_seconds(ours):>10}")
    else:
        print(f"{label:<48} {fmt_seconds(ours):>10}   {ref_label} {fmt_seconds(reference):>10}   ratio {ours / reference:5.2f}x")
