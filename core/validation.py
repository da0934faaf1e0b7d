"""How a trained model is checked: the overfitting rule (and, with cross-validation, the folds).

:func:`is_overfitting` is the Train page's warning rule: the validation log-loss clearly
above the training one after a run that trained properly.
"""

from __future__ import annotations

import math

__all__ = ["OVERFITTING_GAP", "is_overfitting"]

#: A validation log-loss this much above the training log-loss is called overfitting. On
#: the demos a well-regularised model sits within a few hundredths; 0.1 is a clear gap.
OVERFITTING_GAP = 0.1


def is_overfitting(train_log_loss: float, val_log_loss: float, stop_reason: str) -> bool:
    """Whether to warn that the model fits its training rows better than new ones.

    A diverged run (``stop_reason == "diverged"``) is not overfitting, whatever its gap:
    its weights are simply bad. Non-finite losses never warn.
    """
    gap = float(val_log_loss) - float(train_log_loss)
    return stop_reason != "diverged" and math.isfinite(gap) and gap > OVERFITTING_GAP
