"""Mutation testing of core/ with mutmut, in a scratch copy of the project (``make mutate``).

    python tests/mutate.py                       # every module of core/, in one run
    python tests/mutate.py core/thresholds.py    # one module (what CI-sized runs use)
    python tests/mutate.py --recheck core/thresholds.py [MUTANT ...]
                                                 # re-run the survivors (or the named mutants,
                                                 # globs) with the tests as they are now

Why a scratch copy: mutmut writes a ``mutants/`` tree and reads its settings from
``setup.cfg``; doing both in a copy (``$CUTOFF_MUTATE_DIR``, default ``/tmp/cutoff-mutate``)
keeps the project folder untouched while others work in it. The copy holds the working tree
as it is (tracked and new files, not ignored ones), so uncommitted changes are what is tested.
``MUTATE_REV=HEAD`` copies a commit instead; ``MUTATE_CHILDREN`` sets how many mutants run at once;
``MUTATE_ONLY`` names the mutants to run (globs, see :func:`mutmut_command`). The copy is kept
between runs: mutmut reuses the results of mutants whose function did not change.

The tests run are the fast core tests (``tests/core``, ``-m "not e2e"``; ``MUTATE_TESTS`` names
others, e.g. one module's own test files for a quicker run); mutmut runs, for
each mutant, only the tests that execute the mutated function. Runs at ``nice 19``. At the
end every surviving mutant is printed with its diff; ``tests/MUTATION.md`` says, for each one
in the modules run so far, which test kills it or why it is equivalent.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRATCH = Path(os.environ.get("CUTOFF_MUTATE_DIR", "/tmp/cutoff-mutate"))
MUTMUT = Path(sys.executable).with_name("mutmut")

SETTINGS = """[mutmut]
source_paths = core/
only_mutate = {only}
pytest_add_cli_args = -p no:cacheprovider -m "not e2e" -x -q
pytest_add_cli_args_test_selection = {tests}
also_copy =
    tests/
    pages/
    pyproject.toml
"""


def copy_project() -> None:
    revision = os.environ.get("MUTATE_REV")
    if revision:  # a committed state instead of the working tree (say, while files are mid-edit)
        shutil.rmtree(SCRATCH / "core", ignore_errors=True)
        shutil.rmtree(SCRATCH / "tests", ignore_errors=True)
        SCRATCH.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", revision], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(SCRATCH)], input=archive, check=True)
        return
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split("\0")
    wanted = {f for f in files if f and (ROOT / f).is_file()}
    SCRATCH.mkdir(parents=True, exist_ok=True)
    for name in sorted(wanted):
        source, target = ROOT / name, SCRATCH / name
        if target.exists() and target.stat().st_mtime == source.stat().st_mtime and \
                target.stat().st_size == source.stat().st_size:
            continue  # unchanged: keep the copy (and mutmut's cached results) as they are
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    for stale in SCRATCH.rglob("*.py"):  # a file deleted or renamed in the project
        relative = stale.relative_to(SCRATCH).as_posix()
        if not relative.startswith("mutants/") and relative not in wanted:
            stale.unlink()


def mutmut_command(env) -> list[str]:
    """The ``mutmut run`` command line for the settings in ``env``.

    ``MUTATE_CHILDREN``: mutants tested at once (default: one per CPU). All at nice 19, so more
    children only take more of the CPU time nobody else wants. ``MUTATE_ONLY``: mutant names
    or globs, space-separated (``core.review.x_best_band__mutmut_*``), to run only those, e.g.
    the functions an earlier, stopped run did not reach (its verdicts are kept in the copy).
    """
    children = ["--max-children", env["MUTATE_CHILDREN"]] if env.get("MUTATE_CHILDREN", "").strip() else []
    return ["nice", "-n", "19", str(MUTMUT), "run", *children, *env.get("MUTATE_ONLY", "").split()]


def _scratch_tmp() -> Path:
    """An empty temporary folder inside the scratch copy, for the runs' ``TMPDIR``.

    mutmut ends each mutant's process with ``os._exit``, so the tests' ``atexit`` clean-ups
    (``tests/conftest.py``'s throwaway store) never run: their folders land here, and each run
    starts by emptying it, instead of piling up in ``/tmp``.
    """
    folder = SCRATCH / "tmp"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


LEFT_ALIVE = ("survived", "no tests", "timeout", "suspicious")


def mutmut_results(module: str) -> list[tuple[str, str]]:
    """(mutant, status) for every mutant of ``module`` mutmut has a verdict for, in its order."""
    for attempt in range(5):  # a run still going rewrites its .meta files: a read can catch one half-written
        done = subprocess.run([str(MUTMUT), "results", "--all", "true"], cwd=SCRATCH, capture_output=True, text=True)
        if done.returncode == 0:
            break
        time.sleep(1)
    else:
        raise SystemExit(f"`mutmut results` failed in {SCRATCH}:\n{done.stderr[-2000:]}")
    shown = done.stdout
    prefix = module.removesuffix(".py").replace("/", ".") + "."
    rows = []
    for line in shown.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name.startswith(prefix):
            rows.append((name, status))
    return rows


def _run_tests_forked(tests: list[str], mutant: str | None, timeout: float) -> tuple[str, float]:
    """Run pytest on ``tests`` in a fork of this (warmed-up) process with ``mutant`` active.

    "killed" when a test fails, "survived" when all pass, "timeout" past ``timeout`` seconds,
    "error" when pytest could not run them (exit code 2-5: interrupted, usage, no tests).
    """
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: one pytest session with the mutant active, then exit
        try:
            if mutant is not None:
                os.environ["MUTANT_UNDER_TEST"] = mutant
            import pytest
            code = pytest.main(["-p", "no:cacheprovider", "-m", "not e2e", "-x", "-q",
                                "--no-header", *tests])
        except BaseException:  # noqa: BLE001 - whatever happens, the child must not return
            code = 3
        sys.stdout.flush()
        os._exit(int(code))
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() - start > timeout:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return "timeout", time.monotonic() - start
        time.sleep(0.05)
    code = os.waitstatus_to_exitcode(status)
    verdict = {0: "survived", 1: "killed"}.get(code, "error")
    return verdict, time.monotonic() - start


def recheck(module: str, patterns: list[str], tests: list[str]) -> int:
    """Run ``tests`` once per mutant of ``module``, each with that one mutant active.

    The mutants are the ones mutmut left alive (survived, no tests, timeout) or, given
    ``patterns``, those whose names match. The tests are the project's as they are now (copied
    into mutmut's tree first), so a test written since the run is what decides. Each mutant runs
    in a fork of a process that has imported the mutated ``core`` once.
    """
    mutants_dir = SCRATCH / "mutants"
    if not (mutants_dir / module).is_file():
        print(f"No mutants of {module} in {SCRATCH}: run `make mutate MODULE={module}` first.")
        return 2
    if patterns and not any(ch in p for p in patterns for ch in "*?["):
        names = patterns  # named one by one: no need to ask mutmut
    else:
        rows = mutmut_results(module)
        names = [name for name, status in rows
                 if (any(fnmatch.fnmatchcase(name, p) for p in patterns) if patterns else status in LEFT_ALIVE)]
    source = (mutants_dir / module).read_text(encoding="utf-8")
    unknown = [name for name in names if not name.startswith(module.removesuffix(".py").replace("/", ".") + ".")
               or f"def {name.rpartition('.')[2]}(" not in source]
    if unknown:
        print(f"{', '.join(unknown)} is not a mutant of {module} (names as `mutmut results` prints them).")
        return 2
    if not names:
        print(f"Nothing to re-check in {module}.")
        return 0
    shutil.copytree(ROOT / "tests", mutants_dir / "tests", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    os.chdir(mutants_dir)
    sys.path.insert(0, str(mutants_dir))
    os.environ["CUTOFF_MUTATION"] = "1"
    os.environ["TMPDIR"] = str(_scratch_tmp())
    tempfile.tempdir = None  # read TMPDIR again
    os.environ.pop("MUTANT_UNDER_TEST", None)
    import importlib
    for source in sorted((mutants_dir / "core").glob("*.py")):  # warm up: numpy, pandas, core
        importlib.import_module("core" if source.stem == "__init__" else f"core.{source.stem}")
    print(f"Re-checking {len(names)} mutant(s) of {module} with {' '.join(tests)} ...", flush=True)
    verdict, clean = _run_tests_forked(tests, None, timeout=float(os.environ.get("MUTATE_TIMEOUT", 900)))
    if verdict != "survived":
        print(f"The tests do not pass without a mutant ({verdict}): fix them first.")
        return 1
    timeout = float(os.environ.get("MUTATE_TIMEOUT", 0)) or 5 * clean + 30
    counts: dict[str, int] = {}
    for name in names:
        verdict, took = _run_tests_forked(tests, name, timeout)
        counts[verdict] = counts.get(verdict, 0) + 1
        print(f"{verdict.upper() if verdict != 'killed' else verdict:>8}  {name}  ({took:.1f} s)", flush=True)
    summary = ", ".join(f"{n} {v}" for v, n in sorted(counts.items()))
    print(f"\n{len(names)} re-checked: {summary}.")
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["--recheck"]:
        if len(argv) < 2 or not (argv[1].startswith("core/") and argv[1].endswith(".py")):
            print("Usage: tests/mutate.py --recheck core/MODULE.py [MUTANT-GLOB ...]")
            return 2
        return recheck(argv[1], argv[2:], os.environ.get("MUTATE_TESTS", "tests/core/").split())
    modules = argv or ["core/*.py"]
    for module in modules:
        if module != "core/*.py" and not (module.startswith("core/") and module.endswith(".py")
                                          and (ROOT / module).is_file()):
            print(f"MODULE must be a file of core/, such as core/thresholds.py; got {module!r}.")
            return 2
    if not MUTMUT.exists():
        print("mutmut is not installed: run `make test-fast` (or pip install -r requirements-dev.txt) first.")
        return 2
    copy_project()
    # MUTATE_TESTS="tests/core/test_review.py ..." narrows the tests (a quicker, stricter run).
    tests = os.environ.get("MUTATE_TESTS", "tests/core/").split()
    (SCRATCH / "setup.cfg").write_text(SETTINGS.format(only="\n    ".join([""] + modules),
                                                       tests="\n    ".join([""] + tests)))
    print(f"Mutating {', '.join(modules)} in {SCRATCH} (tests/core, not e2e) ...", flush=True)
    # tests/core/conftest.py: a Hypothesis profile without shrinking for these runs.
    env = {**os.environ, "CUTOFF_MUTATION": "1", "TMPDIR": str(_scratch_tmp())}
    run = subprocess.run(mutmut_command(os.environ), cwd=SCRATCH, capture_output=True, text=True, env=env)
    # mutmut redraws one progress line with carriage returns: keep only the last state of it.
    lines = [line.rsplit("\r", 1)[-1] for line in run.stdout.splitlines() if line.strip()]
    print("\n".join(lines[-3:]))
    if run.returncode != 0:
        print(run.stderr[-3000:])
        return run.returncode
    results = subprocess.run([str(MUTMUT), "results"], cwd=SCRATCH, capture_output=True, text=True, check=True)
    prefixes = tuple(m.removesuffix(".py").replace("*", "").replace("/", ".") for m in modules)
    survivors = []
    for line in results.stdout.splitlines():
        name, _, status = line.strip().rpartition(": ")
        # A timeout is usually a kill (the mutant looped), but on a loaded machine it can be
        # a slow test: shown too, so a person decides.
        if name.startswith(prefixes) and status in LEFT_ALIVE:
            survivors.append((name, status))
    for name, status in survivors:
        shown = subprocess.run([str(MUTMUT), "show", name], cwd=SCRATCH, capture_output=True, text=True)
        print(f"\n{status.upper()}: {name}\n" + "\n".join(shown.stdout.splitlines()[1:]))
    print(f"\n{len(survivors)} surviving (or timed-out) mutant(s) in {', '.join(modules)}; see tests/MUTATION.md for the known "
          "equivalent ones.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
