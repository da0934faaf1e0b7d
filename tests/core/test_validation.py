"""core.validation: the overfitting rule."""

import math

import pytest

from core.validation import OVERFITTING_GAP, is_overfitting


@pytest.mark.parametrize(
    ("train", "val", "reason", "expected"),
    [
        (0.30, 0.30 + OVERFITTING_GAP + 0.01, "converged", True),
        (0.30, 0.30 + OVERFITTING_GAP - 0.01, "max_epochs", False),
        (0.30, 0.25, "converged", False),  # better on new rows than on training rows: no warning
        (0.30, 0.90, "diverged", False),  # a diverged run is broken, not overfitting
        (0.30, math.nan, "converged", False),  # no validation rows
        (math.inf, math.inf, "max_epochs", False),
    ],
)
def test_overfitting_is_a_clear_validation_gap_after_a_proper_run(train, val, reason, expected):
    assert is_overfitting(train, val, reason) is expected
