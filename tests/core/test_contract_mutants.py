"""core.contract's messages where their content depends on the data: the free-text listing
(five columns named, the rest counted) and the leakage wording (perfect or almost).

Tables are built here so the expected text follows from them: notes columns with a known
number of distinct values, a feature that ranks the target with exactly one pair swapped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from core.contract import describe_data

N = 120


def notes_table(n_text: int) -> pd.DataFrame:
    columns = {f"note{j}": [f"customer {i} called about invoice number {i * 7 + j}" for i in range(N)]
               for j in range(n_text)}
    return pd.DataFrame({"outcome": ["yes", "no"] * (N // 2), **columns})


def no_features_warning(df: pd.DataFrame, **kwargs) -> str:
    report = describe_data(df, "outcome", require_split=False, **kwargs)
    assert not report.features
    (warning,) = [w for w in report.warnings if "free text" in w or "No usable feature" in w]
    return warning


@pytest.mark.parametrize(("n_text", "listed"), [
    (1, "free text ('note0' (120 distinct values)), so"),
    (5, "free text (" + "; ".join(f"'note{j}' (120 distinct values)" for j in range(5)) + "), so"),
    (6, "free text (" + "; ".join(f"'note{j}' (120 distinct values)" for j in range(5)) + " and 1 more), so"),
    (8, "free text (" + "; ".join(f"'note{j}' (120 distinct values)" for j in range(5)) + " and 3 more), so"),
])
def test_free_text_columns_are_named_five_at_most_and_the_rest_counted(n_text, listed):
    assert listed in no_features_warning(notes_table(n_text))


def test_free_text_beside_another_unusable_column_gets_the_general_message():
    df = notes_table(2).assign(constant=1)
    warning = no_features_warning(df)
    assert warning.startswith("No usable feature columns")


def test_free_text_columns_deselected_by_the_user_get_the_general_message():
    report = describe_data(notes_table(2), "outcome", require_split=False, feature_columns=["note0"])
    assert not report.features
    assert any(w.startswith("No usable feature columns") for w in report.warnings)
    assert not any(w.startswith("Every column besides the target is free text") for w in report.warnings)


def leak_table(swapped: bool) -> pd.DataFrame:
    y = np.array([0] * 50 + [1] * 50)
    leak = np.arange(100) * 0.5 + 0.25  # ranks y perfectly (and is no row number)
    if swapped:
        leak[[49, 50]] = leak[[50, 49]]  # one negative above one positive
    return pd.DataFrame({"outcome": np.where(y == 1, "yes", "no"), "leak": leak,
                         "noise": np.random.default_rng(0).normal(size=100)})


@pytest.mark.parametrize(("swapped", "how"), [(False, "perfectly (ROC AUC 1.000)"),
                                              (True, "almost perfectly (ROC AUC 1.000)")])
def test_a_leak_is_called_perfect_only_when_it_is(swapped, how):
    df = leak_table(swapped)
    auc = roc_auc_score(df["outcome"] == "yes", df["leak"])
    assert (auc == 1.0) is not swapped and auc >= 0.99
    report = describe_data(df, "outcome", require_split=False)
    (warning,) = [w for w in report.warnings if "'leak'" in w]
    assert f"separates the target {how}" in warning
