"""Mutation testing of core/ with mutmut, in a scratch copy of the project (``make mutate``).

    python tests/mutate.py                       # every module of core/, in one run
    python tests/mutate.py core/thresholds.py    # one module (what CI-sized runs use)

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

import os
import shutil
import subprocess
import sys
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


def main(argv: list[str]) -> int:
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
    env = {**os.environ, "CUTOFF_MUTATION": "1"}
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
        if name.startswith(prefixes) and status in ("survived", "no tests", "timeout", "suspicious"):
            survivors.append((name, status))
    for name, status in survivors:
        shown = subprocess.run([str(MUTMUT), "show", name], cwd=SCRATCH, capture_output=True, text=True)
        print(f"\n{status.upper()}: {name}\n" + "\n".join(shown.stdout.splitlines()[1:]))
    print(f"\n{len(survivors)} surviving (or timed-out) mutant(s) in {', '.join(modules)}; see tests/MUTATION.md for the known "
          "equivalent ones.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
