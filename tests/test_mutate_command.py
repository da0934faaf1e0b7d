"""``make mutate``'s command line (tests/mutate.py): the settings in the environment reach mutmut."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import mutate  # noqa: E402  (tests/mutate.py, the script behind `make mutate`)


def test_a_plain_run_mutates_everything_at_nice_19():
    assert mutate.mutmut_command({}) == ["nice", "-n", "19", str(mutate.MUTMUT), "run"]


def test_children_and_only_the_named_mutants_are_passed_on():
    env = {"MUTATE_CHILDREN": "1",
           "MUTATE_ONLY": " core.review.x_best_band__mutmut_*  core.costs.xǁCostMatrixǁtotal__mutmut_3 "}
    command = mutate.mutmut_command(env)
    assert command[:5] == ["nice", "-n", "19", str(mutate.MUTMUT), "run"]
    assert command[5:] == ["--max-children", "1", "core.review.x_best_band__mutmut_*",
                           "core.costs.xǁCostMatrixǁtotal__mutmut_3"]


def test_empty_settings_add_nothing():
    assert mutate.mutmut_command({"MUTATE_CHILDREN": " ", "MUTATE_ONLY": ""}) == mutate.mutmut_command({})


TOY_MODULE = '''import os


def x_double__mutmut_orig(x):
    return x * 2


def x_double__mutmut_1(x):
    return x * 3


def x_double__mutmut_2(x):  # equivalent: behaves like the original
    return x + x


def x_double__mutmut_3(x):
    while True:
        pass


def double(x):  # the trampoline, as mutmut writes it, in short
    active = os.environ.get("MUTANT_UNDER_TEST", "")
    return globals().get(active.rpartition(".")[2], x_double__mutmut_orig)(x)
'''

TOY_TEST = '''from core.toy import double


def test_double():
    assert double(4) == 8
'''


def _toy_mutants(tmp_path: Path) -> Path:
    """A scratch copy as `make mutate` leaves it, for a one-function module (no mutmut needed)."""
    core = tmp_path / "mutants" / "core"
    core.mkdir(parents=True)
    (core / "__init__.py").write_text("")
    (core / "toy.py").write_text(TOY_MODULE)
    (tmp_path / "mutants" / "toytests").mkdir()
    (tmp_path / "mutants" / "toytests" / "test_toy.py").write_text(TOY_TEST)
    return tmp_path


def _recheck(scratch: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CUTOFF_MUTATE_DIR": str(scratch), "MUTATE_TESTS": "toytests/test_toy.py",
           "MUTATE_TIMEOUT": "4"}
    return subprocess.run([sys.executable, str(Path(mutate.__file__)), "--recheck", "core/toy.py", *args],
                          env=env, capture_output=True, text=True, timeout=120)


def test_recheck_runs_the_tests_once_per_mutant_with_that_mutant_active(tmp_path):
    scratch = _toy_mutants(tmp_path)
    run = _recheck(scratch, "core.toy.x_double__mutmut_1", "core.toy.x_double__mutmut_2",
                   "core.toy.x_double__mutmut_3")
    assert run.returncode == 0, run.stdout + run.stderr
    verdicts = {line.split()[1]: line.split()[0] for line in run.stdout.splitlines()
                if line.strip().startswith(("killed", "SURVIVED", "TIMEOUT"))}
    assert verdicts == {"core.toy.x_double__mutmut_1": "killed",
                        "core.toy.x_double__mutmut_2": "SURVIVED",
                        "core.toy.x_double__mutmut_3": "TIMEOUT"}
    assert "3 re-checked: 1 killed, 1 survived, 1 timeout." in run.stdout
    # the project's tests, as they are now, were copied into the tree the mutants run in
    assert (scratch / "mutants" / "tests" / "test_mutate_command.py").read_text() == \
        Path(__file__).read_text()


def test_recheck_keeps_the_temporary_folders_of_the_tests_inside_the_scratch_copy(tmp_path):
    """Forked test runs end with os._exit (no atexit clean-up): what they leave goes to the
    scratch copy's own tmp/, emptied at the next run, not to the machine's /tmp."""
    scratch = _toy_mutants(tmp_path)
    (scratch / "mutants" / "toytests" / "test_toy.py").write_text(
        TOY_TEST + "\n\ndef test_leaves_a_folder():\n    import tempfile\n"
                   "    tempfile.mkdtemp(prefix='toy-left-')\n")
    (scratch / "tmp").mkdir()
    (scratch / "tmp" / "from-an-earlier-run").mkdir()
    run = _recheck(scratch, "core.toy.x_double__mutmut_2")
    assert run.returncode == 0, run.stdout + run.stderr
    left = sorted(p.name for p in (scratch / "tmp").iterdir())
    assert left and all(name.startswith("toy-left-") for name in left), left
    assert len(left) == 2  # the clean run and the mutant's


def test_recheck_refuses_tests_that_fail_without_any_mutant(tmp_path):
    scratch = _toy_mutants(tmp_path)
    (scratch / "mutants" / "toytests" / "test_toy.py").write_text(TOY_TEST.replace("== 8", "== 9"))
    run = _recheck(scratch, "core.toy.x_double__mutmut_1")
    assert run.returncode == 1
    assert "The tests do not pass without a mutant (killed): fix them first." in run.stdout


def test_recheck_refuses_a_name_that_is_not_a_mutant_of_the_module(tmp_path):
    run = _recheck(_toy_mutants(tmp_path), "core.toy.x_double__mutmut_1", "core.toy.x_double__mutmut_99")
    assert run.returncode == 2
    assert "core.toy.x_double__mutmut_99 is not a mutant of core/toy.py" in run.stdout


def test_recheck_needs_a_run_of_the_module_first(tmp_path):
    run = _recheck(tmp_path, "core.toy.x_double__mutmut_1")
    assert run.returncode == 2
    assert "run `make mutate MODULE=core/toy.py` first" in run.stdout
