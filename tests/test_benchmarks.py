"""Every benchmark still runs: each benchmarks/bench_*.py, found by name, once with ``--smoke``.

A smoke run uses tiny sizes and asserts no timing. It fails when the script exits non-zero
(including a benchmark that does not know ``--smoke`` yet: add the flag), prints no result
line (a measured number with its unit), or reports errors. Benchmarks that drive a browser
(they use the Playwright helpers in tests/e2e) carry the ``e2e`` marker, like the other
browser tests.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = sorted((ROOT / "benchmarks").glob("bench_*.py"))
# "12.3 ms", "0.29x", "1,024 MiB", "p50 0.213 s": a figure the benchmark measured.
RESULT_LINE = re.compile(r"\d[\d,]*(\.\d+)?\s*(ns|µs|us|ms|s|x|MB|MiB|GB|GiB|rows/s)\b")
REPORTED_ERRORS = re.compile(r"\berrors?: *[1-9]")
BROWSER_HINTS = ("playwright", "launched_browser", "tests.e2e")


def _uses_browser(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    return any(hint in text for hint in BROWSER_HINTS)


def _params():
    for path in BENCHMARKS:
        # Generous guards for a loaded shared machine (a JVM start alone took 150 s there), not timings.
        marks = [pytest.mark.e2e] if _uses_browser(path) else []
        yield pytest.param(path, id=path.name, marks=[*marks, pytest.mark.timeout(960)])


def test_the_benchmarks_are_found():
    names = {p.name for p in BENCHMARKS}
    assert {"bench_fit.py", "bench_read.py", "bench_sweep.py", "bench_sessions.py", "bench_summarise.py"} <= names


def _smoke_run(script: Path, env: dict) -> subprocess.CompletedProcess:
    timeout = 900
    try:
        return subprocess.run([sys.executable, str(script), "--smoke"], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired as expired:
        pytest.fail(f"{script.name} --smoke still running after {timeout} s: smoke sizes must run in seconds.\n"
                    f"{(expired.stdout or b'')[-2000:]!r}")


@pytest.mark.parametrize("script", list(_params()))
def test_benchmark_smoke_run(script: Path):
    # Files a benchmark writes stay in a folder of the test's own. A short one under the system's
    # temporary folder rather than pytest's tmp_path: Chromium puts a Unix socket in it, and a
    # socket's path may not exceed 107 bytes, which pytest's numbered folders reach on a machine
    # that has run the suite a thousand times ("Socket path too long").
    with tempfile.TemporaryDirectory(prefix="cutoff-bench-") as folder:
        run = _smoke_run(script, {**os.environ, "TMPDIR": folder})
    output = run.stdout + run.stderr
    if run.returncode != 0 and "unrecognized arguments: --smoke" in run.stderr:
        pytest.fail(f"{script.name} has no --smoke flag. Every benchmark needs one (tiny sizes, one run each; "
                    "see benchmarks/_common.py SMOKE_HELP) so that the suite notices when it stops running.")
    assert run.returncode == 0, f"{script.name} --smoke exited {run.returncode}:\n{output[-4000:]}"
    results = [line for line in run.stdout.splitlines() if RESULT_LINE.search(line)]
    assert results, f"{script.name} --smoke printed no result line (a measured figure):\n{output[-4000:]}"
    assert not REPORTED_ERRORS.search(output), f"{script.name} --smoke reported errors:\n{output[-4000:]}"
    assert "nan" not in " ".join(results).lower().split(), f"{script.name} measured nothing:\n{output[-4000:]}"
