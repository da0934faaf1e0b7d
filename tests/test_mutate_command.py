"""``make mutate``'s command line (tests/mutate.py): the settings in the environment reach mutmut."""

from __future__ import annotations

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
